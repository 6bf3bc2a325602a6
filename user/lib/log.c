// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "log.h"

static enum log_level cur_level = LOG_LEVEL_INFO;
static int to_syslog, stamp, to_journal;
static const char *log_ident = "ecmp";

static void vlog(enum log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_WARNING, LOG_INFO, LOG_DEBUG };
	static const char *const tag[] = { "warn", "info", "debug" };

	if (level > cur_level || !fmt)
		return;
	if (to_syslog) {
		vsyslog(prio[level], fmt, ap);
		return;
	}
	if (to_journal) {
		/* The journal stamps and names each line itself; "<N>" is
		 * the syslog priority it reads (sd-daemon(3)). */
		fprintf(stderr, "<%d>", prio[level]);
	} else if (stamp) {
		struct timespec ts;
		struct tm tm;
		char buf[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s %s: ", buf, ts.tv_nsec / 1000000,
			log_ident, tag[level]);
	}
	vfprintf(stderr, fmt, ap);
	if (!*fmt || fmt[strlen(fmt) - 1] != '\n')
		fputc('\n', stderr);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

/* libbpf and libxdp: their warnings are our info, the rest our debug. */
static int libbpf_out(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	vlog(level == LIBBPF_WARN ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG, fmt, ap);
	return 0;
}

static int libxdp_out(enum libxdp_print_level level, const char *fmt,
		      va_list ap)
{
	vlog(level == LIBXDP_WARN ? LOG_LEVEL_INFO : LOG_LEVEL_DEBUG, fmt, ap);
	return 0;
}

int log_stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	/* systemd sets JOURNAL_STREAM=DEV:INODE of the stream it connected;
	 * a child whose stderr went elsewhere keeps the variable, so the
	 * stream itself is compared. */
	return js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	       !fstat(2, &st) && st.st_dev == dev && st.st_ino == ino;
}

void log_init(const char *ident, enum log_level level, int use_syslog,
	      int timestamps)
{
	log_ident = ident;
	cur_level = level;
	to_syslog = use_syslog;
	stamp = timestamps;
	to_journal = log_stderr_is_journal();
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
	libbpf_set_print(libbpf_out);
	libxdp_set_print(libxdp_out);
}
