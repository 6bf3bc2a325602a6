// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ns/packet of the XDP worker through BPF_PROG_TEST_RUN (wrapped by
 * bench_ecmp.bpf.c, which undoes the TTL decrement between repeats): every variant
 * runs `repeat` times per round, all variants interleaved round by round,
 * and the table gives the median (min-max) over rounds and the ratio to the
 * floor (a program that only calls bpf_redirect_map()). Figures, never
 * pass/fail: this machine is shared and noisy, so only ratios from one run
 * mean anything.
 *
 *   bench_xdp [BUILD_DIR]     env: BENCH_QUICK=1 (smoke run), BENCH_REPEAT,
 *                             BENCH_ROUNDS, BENCH_ONLY=TEXT (only the
 *                             variants whose name contains TEXT, and the
 *                             floor: for profiling one of them),
 *                             BENCH_ALT=OBJ (also run the 1-route rows on
 *                             another build of bench_ecmp.bpf.o, e.g. from
 *                             another compiler, interleaved with these),
 *                             BENCH_LINES=FILE (write the JIT line table of
 *                             every program run to FILE, for
 *                             scripts/profile-xdp.sh)
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/dp_fixture.h"
#include "../bpf/frame_build.h"
#include "../test.h"
#include "jit_lines.h"

#define MAX_VARIANTS	24
#define MAX_ROUNDS	64

struct variant {
	const char *name;
	int prog_fd;
	uint8_t frame[1024];
	size_t len;
	uint32_t expect;	/* verdict the frame must get */
	int live;		/* BPF_F_TEST_XDP_LIVE_FRAMES: really redirect */
	struct fixture *fx;	/* ecmp_xdp variants: for diagnostics */
	double ns[MAX_ROUNDS];
};

static struct variant variants[MAX_VARIANTS];
static int nvariants;
static const char *build_dir = "build";
static uint32_t lo;

static void die(const char *what, int err)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

static struct variant *add_variant(const char *name, int prog_fd,
				   const struct frame_spec *s, uint32_t expect)
{
	static struct variant skipped;
	const char *only = getenv("BENCH_ONLY");
	struct variant *v = &variants[nvariants];

	/* A skipped variant is built into a scratch slot and never run. */
	if (only && *only && !strstr(name, only) && strncmp(name, "floor", 5) &&
	    strncmp(name, "live: floor", 11))
		v = &skipped;
	else if (nvariants == MAX_VARIANTS)
		die("too many variants (raise MAX_VARIANTS)", E2BIG);
	else
		nvariants++;

	v->name = name;
	v->prog_fd = prog_fd;
	v->len = frame_build(s, v->frame, sizeof(v->frame));
	v->expect = expect;
	return v;
}

/* Each program once, though several variants may run it. */
static void write_line_tables(const char *path)
{
	FILE *out = fopen(path, "w");
	int i, j, err;

	if (!out)
		die(path, errno);
	for (i = 0; i < nvariants; i++) {
		for (j = 0; j < i; j++)
			if (variants[j].prog_fd == variants[i].prog_fd)
				break;
		if (j < i)
			continue;
		err = jit_lines_write(variants[i].prog_fd, out);
		if (err)
			die("BENCH_LINES: reading the program's JIT line info", err);
	}
	if (fclose(out))
		die(path, errno);
}

static double run_once(struct variant *v, int repeat)
{
	uint8_t out[1100];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = v->frame,
		    .data_size_in = v->len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = repeat);

	if (v->live) {
		/* Frames go out for real; nothing comes back. */
		opts.data_out = NULL;
		opts.data_size_out = 0;
		opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
	}
	if (bpf_prog_test_run_opts(v->prog_fd, &opts))
		die(v->name, errno);
	if (!v->live && opts.retval != v->expect) {
		fprintf(stderr, "bench: %s: verdict %u, expected %u\n", v->name,
			opts.retval, v->expect);
		if (v->fx) {
			int r;

			for (r = 0; r < ECMP_REASON_MAX; r++)
				fprintf(stderr, " reason %d: %llu\n", r,
					(unsigned long long)fixture_reason_count(v->fx, r));
		}
		exit(1);
	}
	return opts.duration;
}

/* A random table of n routes (mostly /24, some shorter and longer, spread
 * over unicast space like a BGP table) plus the benchmark's own
 * 198.19.1.0/24. Returns what the table cost in trie chunks. */
static void fill_routes(struct fixture *f, int lpm_trie_fd, int n)
{
	unsigned long long rs = 0xbe7c4 + n;
	int i, err;

	for (i = 0; i < n - 1; i++) {
		uint64_t x = test_rand(&rs);
		struct lpm_route r = { .family = ECMP_AF_INET,
				       .leaf = ECMP_LPM_LEAF(0) };
		int kind = x % 100;

		r.prefixlen = kind < 70 ? 24 : kind < 85 ? 16 + (x >> 8) % 8 :
			      25 + (x >> 8) % 8;
		r.addr[0] = 1 + (x >> 16) % 223;
		r.addr[1] = x >> 24;
		r.addr[2] = x >> 32;
		r.addr[3] = x >> 40;
		lpm_mask(r.addr, r.family, r.prefixlen);
		if (f) {
			err = lpm_add(f->lpm, &r);
			if (err)
				die("lpm_add", err);
		}
		if (lpm_trie_fd >= 0) {
			struct { uint32_t plen; uint8_t a[4]; } k = { r.prefixlen, { 0 } };
			uint32_t port = 1;

			memcpy(k.a, r.addr, 4);
			if (bpf_map_update_elem(lpm_trie_fd, &k, &port, 0))
				die("LPM trie update", errno);
		}
	}
	if (f && fixture_add_route(f, 4, "198.19.1.0/24", ECMP_LPM_LEAF(0)))
		die("route", EINVAL);
	if (lpm_trie_fd >= 0) {
		struct { uint32_t plen; uint8_t a[4]; } k = { 24, { 198, 19, 1, 0 } };
		uint32_t port = 1;

		if (bpf_map_update_elem(lpm_trie_fd, &k, &port, 0))
			die("LPM trie update", errno);
	}
}

static struct fixture *ecmp_fixture(const char *obj, int nroutes, uint32_t tx)
{
	struct dp_sizes sizes = { .nexthops = 64, .groups = 4,
				  .bucket_slots = 8192,
				  .lpm_chunks = nroutes > 1000 ? 131072 : 64,
				  .routes = 1024 };
	struct fixture *f = calloc(1, sizeof(*f));
	char path[512];
	uint32_t i;
	int err;

	if (obj)
		snprintf(path, sizeof(path), "%s", obj);
	else
		snprintf(path, sizeof(path), "%s/tests/bench_ecmp.bpf.o", build_dir);
	err = fixture_open(f, path, "bench_ecmp", &sizes);
	if (err)
		die(path, err);
	if ((err = fixture_add_tx(f, tx)))
		die("devmap", err);
	/* Test runs arrive on lo, addressed to the frames' default MAC. */
	{
		static const uint8_t own[6] = { 0x02, 0, 0, 0, 0, 0xfe };

		if ((err = fixture_set_iface(f, if_nametoindex("lo"), own,
					     ECMP_IFACE_CSUM_FINISH)) ||
		    (err = fixture_add_vlan(f, if_nametoindex("lo"), 10, 0)))
			die("ecmp_ifaces", err);
	}
	fixture_set_config(f, 0x1122334455667788ULL, 0x99aabbccddeeff00ULL,
			   ECMP_HASH_L4, 1);
	for (i = 1; i <= 8; i++)
		fixture_set_nexthop(f, i, tx, 0, 1);
	fixture_set_group(f, 0, 4096, 4096);
	for (i = 0; i < 4096; i++)
		fixture_set_bucket(f, 4096 + i, 1 + i % 8);
	/* Tagged frames go to a nexthop behind VLAN 10: one tag in, one out. */
	fixture_set_nexthop(f, 9, tx, 10, 1);
	fixture_set_group(f, 1, 1024, 1);
	fixture_set_bucket(f, 1024, 9);
	fill_routes(f, -1, nroutes);
	if (fixture_add_route(f, 6, "2001:db8:100::/40", ECMP_LPM_LEAF(0)) ||
	    fixture_add_route(f, 4, "198.19.2.0/24", ECMP_LPM_LEAF(1)))
		die("route", EINVAL);
	return f;
}

static struct bpf_object *simple_objs[8];
static unsigned int nsimple;

static int simple_prog(const char *file, const char *prog, const char *tx_map,
		       int *trie_fd, uint32_t tx)
{
	struct bpf_devmap_val val = { .ifindex = tx };
	struct bpf_object *obj;
	char path[512];
	uint32_t key = 1;
	int err;

	snprintf(path, sizeof(path), "%s/%s", build_dir, file);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die(path, errno);
	if ((err = bpf_object__load(obj)))
		die(path, err);
	if (tx_map && bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, tx_map),
					  &key, &val, 0))
		die("devmap", errno);
	if (trie_fd)
		*trie_fd = bpf_object__find_map_fd_by_name(obj, "bench_trie");
	if (nsimple < sizeof(simple_objs) / sizeof(simple_objs[0]))
		simple_objs[nsimple++] = obj;	/* closed at the end */
	return bpf_program__fd(bpf_object__find_program_by_name(obj, prog));
}

static void close_simple(void)
{
	while (nsimple)
		bpf_object__close(simple_objs[--nsimple]);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void print_machine(int repeat, int rounds)
{
	char model[512] = "unknown", line[512];
	struct utsname u;
	FILE *f = fopen("/proc/cpuinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *c = strchr(line, ':');

			snprintf(model, sizeof(model), "%s", c ? c + 2 : line);
			model[strcspn(model, "\n")] = 0;
			break;
		}
	}
	if (f)
		fclose(f);
	uname(&u);
	printf("BPF_PROG_TEST_RUN ns/packet: repeat %d, %d rounds interleaved, median (min-max)\n",
	       repeat, rounds);
	printf("machine: %s, %ld CPUs, kernel %s\n", model,
	       sysconf(_SC_NPROCESSORS_ONLN), u.release);
}

/* A private network namespace with veth pair bench0/bench1; bench1 drops
 * everything in XDP. Returns bench0's ifindex, 0 if veth is unavailable.
 * The namespace, and everything in it, goes away with this process. */
static uint32_t make_live_sink(void)
{
	char path[512];
	uint32_t peer;
	int fd;

	if (unshare(CLONE_NEWNET) ||
	    system("ip link add bench0 type veth peer name bench1 && "
		   "ip link set bench0 up && ip link set bench1 up"))
		return 0;
	fd = simple_prog("tests/xdp_sink.bpf.o", "xdp_sink", NULL, NULL, 0);
	peer = if_nametoindex("bench1");
	snprintf(path, sizeof(path), "bench1");
	if (bpf_xdp_attach(peer, fd, XDP_FLAGS_DRV_MODE, NULL))
		return 0;
	return if_nametoindex("bench0");
}

int main(int argc, char **argv)
{
	int quick = getenv("BENCH_QUICK") && atoi(getenv("BENCH_QUICK"));
	int repeat = quick ? 20000 : 1000000, rounds = quick ? 3 : 7;
	struct frame_spec v4, v6, tcp_vlan;
	struct fixture *one, *ten_k, *hundred_k, *live_one = NULL, *alt = NULL;
	uint32_t veth;
	int live_floor = -1;
	int floor_fd, trie_fd[3], trie_prog[3], tc_fd, r, i;
	double floor_median = 0;

	if (argc > 1)
		build_dir = argv[1];
	if (getenv("BENCH_REPEAT"))
		repeat = atoi(getenv("BENCH_REPEAT"));
	if (getenv("BENCH_ROUNDS"))
		rounds = atoi(getenv("BENCH_ROUNDS"));
	if (rounds < 1 || rounds > MAX_ROUNDS)
		rounds = 5;
	lo = if_nametoindex("lo");

	frame_spec_default(&v4, 4);
	v4.dst[1] = 19, v4.dst[2] = 1, v4.dst[3] = 2;
	frame_spec_default(&v6, 6);
	tcp_vlan = v4;
	tcp_vlan.proto = 6;
	tcp_vlan.vlans = 1;
	tcp_vlan.vlan_tci[0] = 10;
	tcp_vlan.dst[2] = 2;

	veth = make_live_sink();
	if (!veth)
		fprintf(stderr, "bench: no veth sink, live-frame rows skipped\n");
	one = ecmp_fixture(NULL, 1, lo);
	ten_k = ecmp_fixture(NULL, 10000, lo);
	/* The smoke run leaves out the 100,000-route rows: filling them is
	 * most of its time. */
	hundred_k = quick ? NULL : ecmp_fixture(NULL, 100000, lo);
	floor_fd = simple_prog("tests/bench_floor.bpf.o", "bench_floor",
			       "floor_tx", NULL, lo);
	for (i = 0; i < (quick ? 2 : 3); i++)
		trie_prog[i] = simple_prog("tests/bench_lpm_trie.bpf.o",
					   "bench_lpm_trie", "trie_tx",
					   &trie_fd[i], lo);
	fill_routes(NULL, trie_fd[0], 1);
	fill_routes(NULL, trie_fd[1], 10000);
	if (!quick)
		fill_routes(NULL, trie_fd[2], 100000);

	add_variant("floor: bpf_redirect_map only", floor_fd, &v4, XDP_REDIRECT);
	add_variant("ecmp_xdp ipv4 udp, 1 route", one->prog_fd, &v4,
		    XDP_REDIRECT)->fx = one;
	add_variant("ecmp_xdp ipv6 udp, 1 route", one->prog_fd, &v6, XDP_REDIRECT);
	add_variant("ecmp_xdp ipv4 tcp vlan, 1 route", one->prog_fd, &tcp_vlan,
		    XDP_REDIRECT);
	tc_fd = bpf_program__fd(bpf_object__find_program_by_name(one->obj, "bench_tc"));
	add_variant("ecmp_tc ingress ipv4 udp, 1 route", tc_fd, &v4, 7);
	add_variant("ecmp_tc ingress ipv6 udp, 1 route", tc_fd, &v6, 7);
	add_variant("ecmp_xdp ipv4 udp, 10,000 routes", ten_k->prog_fd, &v4,
		    XDP_REDIRECT);
	if (hundred_k)
		add_variant("ecmp_xdp ipv4 udp, 100,000 routes", hundred_k->prog_fd, &v4,
			    XDP_REDIRECT);
	if (getenv("BENCH_ALT") && *getenv("BENCH_ALT")) {
		alt = ecmp_fixture(getenv("BENCH_ALT"), 1, lo);
		add_variant("alt: ecmp_xdp ipv4 udp, 1 route", alt->prog_fd, &v4,
			    XDP_REDIRECT);
		add_variant("alt: ecmp_xdp ipv6 udp, 1 route", alt->prog_fd, &v6,
			    XDP_REDIRECT);
		add_variant("alt: ecmp_xdp ipv4 tcp vlan, 1 route", alt->prog_fd,
			    &tcp_vlan, XDP_REDIRECT);
	}
	add_variant("ref: floor + kernel LPM trie, 1 route", trie_prog[0], &v4,
		    XDP_REDIRECT);
	add_variant("ref: floor + kernel LPM trie, 10,000", trie_prog[1], &v4,
		    XDP_REDIRECT);
	if (!quick)
		add_variant("ref: floor + kernel LPM trie, 100,000", trie_prog[2], &v4,
			    XDP_REDIRECT);

	if (veth) {
		live_one = ecmp_fixture(NULL, 1, veth);
		live_floor = simple_prog("tests/bench_floor.bpf.o", "bench_floor",
					 "floor_tx", NULL, veth);
		add_variant("live: floor, redirect into veth", live_floor, &v4,
			    XDP_REDIRECT)->live = 1;
		add_variant("live: ecmp_xdp ipv4 udp into veth", live_one->prog_fd,
			    &v4, XDP_REDIRECT)->live = 1;
		add_variant("live: ecmp_xdp ipv6 udp into veth", live_one->prog_fd,
			    &v6, XDP_REDIRECT)->live = 1;
	}

	if (getenv("BENCH_LINES") && *getenv("BENCH_LINES"))
		write_line_tables(getenv("BENCH_LINES"));
	for (i = 0; i < nvariants; i++)		/* warm up */
		run_once(&variants[i], repeat / 10 + 1);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < nvariants; i++)
			variants[i].ns[r] = run_once(&variants[i], repeat);

	print_machine(repeat, rounds);
	printf("trie chunks in use: %u (1 route), %u (10,000), %u (100,000)\n",
	       lpm_chunks_used(one->lpm), lpm_chunks_used(ten_k->lpm),
	       hundred_k ? lpm_chunks_used(hundred_k->lpm) : 0);
	printf("%-40s %8s %16s %8s\n", "variant", "ns/pkt", "min-max", "x floor");
	for (i = 0; i < nvariants; i++) {
		struct variant *v = &variants[i];
		double med;

		qsort(v->ns, rounds, sizeof(double), cmp_double);
		med = rounds % 2 ? v->ns[rounds / 2] :
		      (v->ns[rounds / 2 - 1] + v->ns[rounds / 2]) / 2;
		/* Each group of rows is compared with its own floor. */
		if (v->prog_fd == floor_fd || v->prog_fd == live_floor)
			floor_median = med;
		printf("%-40s %8.1f %7.1f-%-8.1f %8.2f\n", v->name, med, v->ns[0],
		       v->ns[rounds - 1], floor_median ? med / floor_median : 0);
	}
	/* Freed, so SANITIZE=1 runs see real leaks only. */
	close_simple();
	fixture_close(one);
	fixture_close(ten_k);
	if (hundred_k)
		fixture_close(hundred_k);
	free(one);
	free(ten_k);
	free(hundred_k);
	if (live_one) {
		fixture_close(live_one);
		free(live_one);
	}
	if (alt) {
		fixture_close(alt);
		free(alt);
	}
	return 0;
}
