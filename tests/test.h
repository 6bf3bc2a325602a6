/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A minimal test harness: named tests made of named checks. A test passes
 * when none of its checks failed; each test prints one line
 * ("TEST: name   [ OK ]"), failing checks print what differed (the first
 * few of each test), and test_summary() prints "N passed, N failed" and
 * returns the exit code. tests/run.sh adds up the lines of every binary.
 */
#ifndef ECMP_TEST_H
#define ECMP_TEST_H

#include <stdio.h>
#include <stdarg.h>

#define TEST_MAX_REPORTS 8

struct test_state {
	const char *name;
	long failures;
	int passed, failed;
};

extern struct test_state test_state;

#define TEST_STATE_DEFINE struct test_state test_state

static inline void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (test_state.failures++ >= TEST_MAX_REPORTS)
		return;
	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

#define CHECK(cond, ...)						\
	do {								\
		if (!(cond))						\
			test_fail(__FILE__, __LINE__, __VA_ARGS__);	\
	} while (0)

#define ASSERT_EQ(a, b, name)						\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b)						\
			test_fail(__FILE__, __LINE__,			\
				  "%s: got %lld (0x%llx), want %lld (0x%llx)", \
				  name, _a, (unsigned long long)_a, _b,	\
				  (unsigned long long)_b);		\
	} while (0)

#define ASSERT_TRUE(cond, name) CHECK(cond, "%s: not true: %s", name, #cond)

#define ASSERT_STR_EQ(a, b, name)					\
	do {								\
		const char *_a = (a), *_b = (b);			\
		CHECK(_a && _b && !strcmp(_a, _b), "%s: got \"%s\", want \"%s\"", \
		      name, _a ? _a : "(null)", _b ? _b : "(null)");	\
	} while (0)

static inline void test_begin(const char *name)
{
	test_state.name = name;
	test_state.failures = 0;
}

static inline void test_end(void)
{
	if (test_state.failures) {
		test_state.failed++;
		printf("TEST: %-60s [FAIL] (%ld failed checks)\n", test_state.name,
		       test_state.failures);
	} else {
		test_state.passed++;
		printf("TEST: %-60s [ OK ]\n", test_state.name);
	}
	fflush(stdout);
}

#define RUN_TEST(fn)			\
	do {				\
		test_begin(#fn);	\
		fn();			\
		test_end();		\
	} while (0)

static inline int test_summary(void)
{
	printf("%d passed, %d failed\n", test_state.passed, test_state.failed);
	return test_state.failed ? 1 : 0;
}

/* xorshift64*: a small seeded generator so every run is reproducible. */
static inline unsigned long long test_rand(unsigned long long *s)
{
	unsigned long long x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

#endif /* ECMP_TEST_H */
