/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * BPF programs read maps under RCU, so a program still running may hold
 * what user space just unlinked. MEMBARRIER_CMD_GLOBAL waits for an RCU
 * grace period on every CPU: after it, no program sees the old entry and
 * it may be reused.
 */
#ifndef ECMP_RCU_H
#define ECMP_RCU_H

#include <unistd.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>

static inline void rcu_wait_readers(void)
{
	syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0);
}

#endif /* ECMP_RCU_H */
