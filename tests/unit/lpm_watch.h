/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * A trie whose builder is watched store by store, as the data path sees it
 * while ecmpd changes it (lib/lpm.h). The builder, built with
 * ECMP_LPM_WATCH, hands the watch each store a lookup can see and each
 * wait for readers (lpm_int.h); around each, the watch checks:
 *  - every probe address is answered with its leaf in the table before
 *    the change or in the table after it, and one whose leaf the change
 *    does not touch, exactly as before: no frame to a prefix that did not
 *    change goes anywhere else, or to the kernel, at any moment;
 *  - memory a lookup could reach since the last wait for readers (the
 *    root, and each chunk, tail or run list linked since) changed only by
 *    those stores: parts are built before they are linked, and a part
 *    unlinked is written again only once no reader can be in it;
 *  - no store goes into a part unlinked since the last wait.
 * Failures are CHECKs of the test harness (test.h).
 */
#ifndef ECMP_TEST_LPM_WATCH_H
#define ECMP_TEST_LPM_WATCH_H

#include "lpm_ref.h"

/* A new, empty trie in the watched memory: no reader anywhere. */
struct lpm *lpm_watch_new(void);
/* lpm_attach() on the watched memory. */
struct lpm *lpm_watch_attach(const struct lpm_route *r, uint32_t n, uint32_t *repaired);
/* Around one change (lpm_add, lpm_del, a bulk change, compaction, a
 * takeover) from the routes of before to those of after; s: probes. */
void lpm_watch_begin(const char *change, const struct lpm_ref *before,
		     const struct lpm_ref *after, unsigned long long *s);
void lpm_watch_end(void);
/* Stores and waits seen, since the start of the process. */
long lpm_watch_stores(void);
long lpm_watch_waits(void);

#endif /* ECMP_TEST_LPM_WATCH_H */
