/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Logging for ecmpd and ecmpctl: levels, stderr (with a timestamp in the
 * daemon) or syslog, and libbpf/libxdp output routed through it one level
 * quieter than its own, so -v shows it.
 */
#ifndef ECMP_LOG_H
#define ECMP_LOG_H

enum log_level { LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* timestamps: on stderr; never when stderr is the systemd journal, which
 * gets "<priority>" prefixes instead. */
void log_init(const char *ident, enum log_level level, int use_syslog,
	      int timestamps);
/* Whether stderr is the stream systemd's journal gave (JOURNAL_STREAM). */
int log_stderr_is_journal(void);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define pr_warn(...)	log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define pr_info(...)	log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define pr_debug(...)	log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif /* ECMP_LOG_H */
