// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Groups: bucket tables in ecmp_buckets. The allocator (bucket.c) decides
 * owners on a private copy; only owners that changed are written back, each
 * with one 32-bit store, so a packet sees its bucket's old owner or its new
 * one. The table's place and size are published last, as one 64-bit store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

#include "plane.h"
#include "lib/clock.h"
#include "lib/bucket.h"
#include "lib/log.h"

/* The allocator works on the data path's bucket words as they are. */
_Static_assert(BUCKET_NONE == ECMP_BUCKET_EMPTY, "bucket.h and ecmp_shared.h disagree on the empty bucket");

/* ecmp_config.epoch ticks every 2^ECMP_SEEN_SHIFT ns. */
#define EPOCH_MS	((1u << ECMP_SEEN_SHIFT) / 1000000.0)

int grp_find(const struct plane *p, const char *name)
{
	uint32_t i;

	for (i = 0; i < p->dp.max_entries[DP_GROUPS]; i++)
		if (p->grp[i].in_use && !strcmp(p->grp[i].name, name))
			return i;
	return -1;
}

int grp_alloc(struct plane *p)
{
	uint32_t i;

	for (i = 0; i < p->dp.max_entries[DP_GROUPS]; i++)
		if (!p->grp[i].in_use)
			return i;
	return -ENOSPC;
}

int grp_has_member(const struct grp *g, uint32_t nh_id)
{
	int i;

	for (i = 0; i < g->nmembers; i++)
		if (g->member[i] == nh_id)
			return 1;
	return 0;
}

void grp_publish(struct plane *p, uint32_t gid)
{
	const struct grp *g = &p->grp[gid];
	uint64_t word = 0;

	if (g->in_use)
		word = ecmp_group_word(g->base, g->nbuckets);
	__atomic_store_n((uint64_t *)&p->dp.groups[gid], word, __ATOMIC_RELEASE);
}

void grp_write_meta(struct plane *p, uint32_t gid)
{
	const struct grp *g = &p->grp[gid];
	struct ecmp_grp_meta m = { 0 };
	int i;

	if (g->in_use) {
		snprintf(m.name, sizeof(m.name), "%s", g->name);
		m.in_use = 1;
		m.buckets = g->nbuckets;
		m.nmembers = g->nmembers;
		m.idle_timer_ms = g->idle_timer_ms;
		m.unbalanced_timer_ms = g->unbalanced_timer_ms;
		for (i = 0; i < g->nmembers; i++) {
			m.member[i].nexthop = g->member[i];
			m.member[i].weight = g->weight[i];
		}
	}
	if (bpf_map_update_elem(p->dp.fd[DP_GRP_META], &gid, &m, 0))
		pr_warn("Failed to write metadata of group %s: %s", g->name,
			strerror(errno));
}

static int grp_members(const struct plane *p, const struct grp *g,
		       struct bucket_member *m)
{
	int i;

	for (i = 0; i < g->nmembers; i++) {
		m[i].id = g->member[i];
		m[i].weight = g->weight[i];
		m[i].usable = p->nh[g->member[i]].usable;
	}
	return g->nmembers;
}

static void grp_index_build(struct plane *p, struct grp *g,
			    const uint32_t *owner)
{
	struct bucket_member m[ECMP_MAX_GROUP_MEMBERS];
	int nm = grp_members(p, g, m);

	g->ix.pos = p->ix_pos + g->base;
	bucket_index_build(&g->ix, owner, g->nbuckets, m, nm);
}

/* The group's table as it is now: owner[b] of each bucket. */
static void grp_read_owners(const struct plane *p, const struct grp *g,
			    uint32_t *owner)
{
	const struct ecmp_bucket *table = &p->dp.buckets[g->base];
	uint32_t b;

	for (b = 0; b < g->nbuckets; b++)
		owner[b] = __atomic_load_n(&table[b].nexthop, __ATOMIC_RELAXED);
}

void grp_index_refresh(struct plane *p, uint32_t gid)
{
	struct grp *g = &p->grp[gid];
	uint32_t *owner;

	g->ix.valid = 0;
	if (!g->in_use)
		return;
	owner = malloc(sizeof(*owner) * g->nbuckets);
	if (!owner)
		return;		/* failovers take the full pass */
	grp_read_owners(p, g, owner);
	grp_index_build(p, g, owner);
	free(owner);
}

/* Counters, the log line and the unbalanced clock after a rewrite. */
static void grp_moved(struct plane *p, struct grp *g, uint32_t written,
		      enum grp_mode mode, int balanced)
{
	const char *why = mode == GRP_FAILOVER ? "failover" :
			  mode == GRP_SETTLE ? "idle first" : "rebalance";

	p->buckets_moved += written;
	if (written) {
		log_msg(p->quiet_groups ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO,
			"group %s: %u of %u buckets moved (%s)%s", g->name,
			written, g->nbuckets, why, balanced ? "" : ", not yet balanced");
		events_group(p->events, g->name, written, g->nbuckets, why);
	}
	if (balanced)
		g->unbalanced_since_ms = 0;
	else if (!g->unbalanced_since_ms)
		g->unbalanced_since_ms = p->now_ms ? p->now_ms : 1;
}

int grp_rebalance(struct plane *p, uint32_t gid, enum grp_mode mode)
{
	struct grp *g = &p->grp[gid];
	struct ecmp_bucket *table = &p->dp.buckets[g->base];
	struct bucket_member m[ECMP_MAX_GROUP_MEMBERS];
	struct bucket_opts o = { 0 };
	struct bucket_result res;
	uint32_t *owner, *seen, *changed, b, k, epoch, idle;
	int nm, err;

	if (!g->in_use)
		return 0;
	g->ix.valid = 0;
	owner = malloc(sizeof(*owner) * g->nbuckets);
	seen = malloc(sizeof(*seen) * g->nbuckets);
	changed = malloc(sizeof(*changed) * (g->nbuckets + 1));
	if (!owner || !seen || !changed) {
		err = -ENOMEM;
		goto out;
	}
	/* Failover only re-homes orphans: idle times do not matter. */
	grp_read_owners(p, g, owner);
	if (mode != GRP_FAILOVER)
		for (b = 0; b < g->nbuckets; b++)
			seen[b] = table[b].last_seen;
	nm = grp_members(p, g, m);
	epoch = p->dp.config->epoch;
	idle = (uint32_t)(g->idle_timer_ms / EPOCH_MS) + 1;
	o.last_seen = mode == GRP_FAILOVER ? NULL : seen;
	o.idle_before = epoch > idle ? epoch - idle : 0;
	o.idle_only = mode == GRP_SETTLE;
	o.no_balance = mode == GRP_FAILOVER;
	o.changed = changed;
	err = bucket_rebalance(owner, g->nbuckets, m, nm, &o, &res);
	if (!err) {
		for (k = 0; k < res.moved; k++)
			__atomic_store_n(&table[changed[k]].nexthop,
					 owner[changed[k]], __ATOMIC_RELEASE);
		grp_moved(p, g, res.moved, mode, res.balanced);
		grp_index_build(p, g, owner);
	}
out:
	free(owner);
	free(seen);
	free(changed);
	return err;
}

/* A member failed: its buckets, read from the group's index, go to the
 * others, without a pass over the table (the index is rebuilt after the
 * whole batch). -ESTALE: the index cannot say; take grp_rebalance(). */
static int grp_failover_indexed(struct plane *p, uint32_t gid,
				uint32_t *bucket, uint32_t *owner)
{
	struct grp *g = &p->grp[gid];
	struct ecmp_bucket *table = &p->dp.buckets[g->base];
	struct bucket_member m[ECMP_MAX_GROUP_MEMBERS];
	struct bucket_result res;
	uint32_t k;
	int err;

	err = bucket_failover(&g->ix, m, grp_members(p, g, m), bucket, owner,
			      &res);
	if (err)
		return err;
	for (k = 0; k < res.moved; k++)
		__atomic_store_n(&table[bucket[k]].nexthop, owner[k],
				 __ATOMIC_RELEASE);
	g->ix.valid = 0;
	grp_moved(p, g, res.moved, GRP_FAILOVER, res.balanced);
	return 0;
}

void grp_on_nexthop_change(struct plane *p, uint32_t nh_id, int usable)
{
	uint64_t moved = p->buckets_moved, t0 = clock_mono_us(), t1;
	uint32_t i, ngroups = 0, nindexed = 0, *bucket, *owner;
	char how[96] = "";

	for (i = 0; i < p->dp.max_entries[DP_GROUPS]; i++)
		ngroups += p->grp[i].in_use && grp_has_member(&p->grp[i], nh_id);
	/* A line per group reads well for a few; for hundreds, one line
	 * says it (the per-group ones stay at debug level). */
	p->quiet_groups = ngroups > GRP_LOG_EACH;
	bucket = usable ? NULL : malloc(sizeof(*bucket) * ECMP_MAX_BUCKETS);
	owner = usable ? NULL : malloc(sizeof(*owner) * ECMP_MAX_BUCKETS);
	for (i = 0; i < p->dp.max_entries[DP_GROUPS]; i++) {
		struct grp *g = &p->grp[i];

		if (!g->in_use || !grp_has_member(g, nh_id))
			continue;
		/* Down: only its buckets move, now. Up: it takes its share
		 * back from idle buckets first; grp_tick() forces the rest
		 * after unbalanced_timer. */
		if (bucket && owner && !grp_failover_indexed(p, i, bucket, owner)) {
			nindexed++;
			continue;
		}
		grp_rebalance(p, i, usable ? GRP_SETTLE : GRP_FAILOVER);
	}
	t1 = clock_mono_us();
	free(bucket);
	free(owner);
	/* The data path is final; now the bookkeeping for the next one. */
	for (i = 0; nindexed && i < p->dp.max_entries[DP_GROUPS]; i++)
		if (p->grp[i].in_use && !p->grp[i].ix.valid)
			grp_index_refresh(p, i);
	p->quiet_groups = 0;
	if (!ngroups)
		return;
	if (nindexed)
		snprintf(how, sizeof(how), " (%u groups from the bucket index, rebuilt in %.3f ms)",
			 nindexed, (clock_mono_us() - t1) / 1000.0);
	pr_info("nexthop %s %s: %u groups, %llu buckets moved in %.3f ms%s",
		p->nh[nh_id].c.name, usable ? "back" : "out", ngroups,
		(unsigned long long)(p->buckets_moved - moved),
		(t1 - t0) / 1000.0, how);
}

void grp_tick(struct plane *p)
{
	uint32_t i;

	for (i = 0; i < p->dp.max_entries[DP_GROUPS]; i++) {
		struct grp *g = &p->grp[i];

		if (!g->in_use || !g->unbalanced_since_ms)
			continue;
		/* unbalanced_timer 0: never forced, as in the kernel. */
		grp_rebalance(p, i,
			      g->unbalanced_timer_ms &&
			      p->now_ms - g->unbalanced_since_ms >= g->unbalanced_timer_ms ?
			      GRP_FORCE : GRP_SETTLE);
	}
}
