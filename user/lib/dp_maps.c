// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <bpf/bpf.h>

#include "array.h"
#include "dp_maps.h"

const char *const dp_map_names[DP_MAP_COUNT] = {
	[DP_CONFIG]	= ECMP_MAP_CONFIG,
	[DP_LPM_ROOT]	= ECMP_MAP_LPM_ROOT,
	[DP_LPM_NODE]	= ECMP_MAP_LPM_NODE,
	[DP_ROUTES]	= ECMP_MAP_ROUTES,
	[DP_GROUPS]	= ECMP_MAP_GROUPS,
	[DP_BUCKETS]	= ECMP_MAP_BUCKETS,
	[DP_NEXTHOPS]	= ECMP_MAP_NEXTHOPS,
	[DP_TX_PORTS]	= ECMP_MAP_TX_PORTS,
	[DP_STATS]	= ECMP_MAP_STATS,
	[DP_NH_STATS]	= ECMP_MAP_NH_STATS,
	[DP_GRP_STATS]	= ECMP_MAP_GRP_STATS,
	[DP_NH_META]	= ECMP_MAP_NH_META,
	[DP_GRP_META]	= ECMP_MAP_GRP_META,
	[DP_PASS_RULES]	= ECMP_MAP_PASS_RULES,
	[DP_IFACES]	= ECMP_MAP_IFACES,
	[DP_VLANS]	= ECMP_MAP_VLANS,
	[DP_ONLINK]	= ECMP_MAP_ONLINK,
};

uint64_t dp_map_memlock(const struct ecmp_dp *dp, enum dp_map map)
{
	char path[64], line[128];
	unsigned long long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", dp->fd[map]);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* The mmapable arrays and the size of one element. */
static const struct {
	enum dp_map map;
	size_t elem;
	size_t offset;	/* of the pointer in struct ecmp_dp */
} mmapped[] = {
	{ DP_LPM_ROOT, sizeof(struct ecmp_lpm_chunk), offsetof(struct ecmp_dp, root) },
	{ DP_LPM_NODE, sizeof(struct ecmp_lpm_chunk), offsetof(struct ecmp_dp, node) },
	{ DP_GROUPS, sizeof(struct ecmp_group), offsetof(struct ecmp_dp, groups) },
	{ DP_BUCKETS, sizeof(struct ecmp_bucket), offsetof(struct ecmp_dp, buckets) },
	{ DP_NEXTHOPS, sizeof(struct ecmp_nexthop), offsetof(struct ecmp_dp, nexthops) },
	{ DP_CONFIG, sizeof(struct ecmp_config), offsetof(struct ecmp_dp, config) },
	{ DP_IFACES, sizeof(struct ecmp_iface), offsetof(struct ecmp_dp, ifaces) },
};

static size_t map_bytes(size_t elem, uint32_t n)
{
	size_t page = sysconf(_SC_PAGESIZE);

	return ((elem * n) + page - 1) / page * page;
}

int dp_set_sizes(struct bpf_object *obj, const struct dp_sizes *s)
{
	const struct { const char *name; uint32_t n; } set[] = {
		{ ECMP_MAP_NEXTHOPS, s->nexthops },
		{ ECMP_MAP_NH_STATS, s->nexthops },
		{ ECMP_MAP_NH_META, s->nexthops },
		{ ECMP_MAP_GROUPS, s->groups },
		{ ECMP_MAP_GRP_STATS, s->groups },
		{ ECMP_MAP_GRP_META, s->groups },
		{ ECMP_MAP_BUCKETS, s->bucket_slots },
		{ ECMP_MAP_LPM_NODE, s->lpm_chunks },
		{ ECMP_MAP_ROUTES, s->routes },
		{ ECMP_MAP_TX_PORTS, s->tx_ports },
	};
	size_t i;

	for (i = 0; i < sizeof(set) / sizeof(set[0]); i++) {
		struct bpf_map *m;
		int err;

		if (!set[i].n)
			continue;
		m = bpf_object__find_map_by_name(obj, set[i].name);
		if (!m)
			return -ENOENT;
		err = bpf_map__set_max_entries(m, set[i].n);
		if (err)
			return err;
	}
	return 0;
}

void dp_sizes_of(const struct ecmp_dp *dp, struct dp_sizes *s)
{
	s->nexthops = dp->max_entries[DP_NEXTHOPS];
	s->groups = dp->max_entries[DP_GROUPS];
	s->bucket_slots = dp->max_entries[DP_BUCKETS];
	s->lpm_chunks = dp->max_entries[DP_LPM_NODE];
	s->routes = dp->max_entries[DP_ROUTES];
	s->tx_ports = dp->max_entries[DP_TX_PORTS];
}

void dp_unpin_all(struct bpf_object *obj)
{
	struct bpf_map *m;

	bpf_object__for_each_map(m, obj)
		bpf_map__set_pin_path(m, NULL);
}

static int dp_map_all(struct ecmp_dp *dp, int writable)
{
	int prot = PROT_READ | (writable ? PROT_WRITE : 0);
	size_t i;

	for (i = 0; i < sizeof(mmapped) / sizeof(mmapped[0]); i++) {
		enum dp_map m = mmapped[i].map;
		void *p = mmap(NULL, map_bytes(mmapped[i].elem, dp->max_entries[m]),
			       prot, MAP_SHARED, dp->fd[m], 0);

		if (p == MAP_FAILED)
			return -errno;
		*(void **)((char *)dp + mmapped[i].offset) = p;
	}
	return 0;
}

int dp_read_array(int fd, uint32_t n, size_t value_bytes, void *out)
{
	enum { BATCH = 65536 };
	uint32_t *keys = malloc(sizeof(*keys) * BATCH), done = 0, in = 0, next = 0;
	int err = keys ? 0 : -ENOMEM;

	while (!err && done < n) {
		uint32_t count = n - done < BATCH ? n - done : BATCH;
		int e = bpf_map_lookup_batch(fd, done ? &in : NULL, &next, keys,
					     (char *)out + (size_t)done * value_bytes,
					     &count, NULL);

		done += count;
		if (e && errno == ENOENT)
			break;		/* the last batch */
		if (e)
			err = -errno;
		in = next;
	}
	free(keys);
	return err;
}

void *dp_read_whole(const struct ecmp_dp *dp, enum dp_map map, size_t value_bytes)
{
	void *out = calloc((size_t)dp->max_entries[map] + 1, value_bytes);
	int err = out ? dp_read_array(dp->fd[map], dp->max_entries[map], value_bytes, out) :
			-ENOMEM;

	if (err) {
		free(out);
		errno = -err;
		return NULL;
	}
	return out;
}

int dp_each_route(int fd, void (*fn)(const struct ecmp_route_key *k,
				     const struct ecmp_route *v, void *arg), void *arg)
{
	enum { BATCH = 4096 };
	struct ecmp_route_key *keys = malloc(sizeof(*keys) * BATCH), key, next, *cur = NULL;
	struct ecmp_route *vals = malloc(sizeof(*vals) * BATCH);
	uint32_t in = 0, out = 0, count, i;
	int first = 1, e = 0;

	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -ENOMEM;
	}
	for (;;) {
		count = BATCH;
		e = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &count, NULL);
		if (e && errno != ENOENT)
			break;
		for (i = 0; i < count; i++)
			fn(&keys[i], &vals[i], arg);
		if (e) {	/* ENOENT: that was the last batch */
			e = 0;
			goto done;
		}
		first = 0;
		in = out;
	}
	if (!first) {
		e = -errno;
		goto done;
	}
	/* A kernel without batched reads of hashes (before 5.6): key by key. */
	while (!bpf_map_get_next_key(fd, cur, &next)) {
		struct ecmp_route v;

		key = next;
		cur = &key;
		if (!bpf_map_lookup_elem(fd, &key, &v))
			fn(&key, &v, arg);
	}
	e = 0;
done:
	free(keys);
	free(vals);
	return e < 0 ? e : 0;
}

int dp_read_counters(const struct ecmp_dp *dp, enum dp_map map, struct ecmp_counter *out)
{
	uint32_t n = dp->max_entries[map], k;
	/* Per-CPU values come one per possible CPU for each key. */
	struct ecmp_counter *all = dp_read_whole(dp, map, sizeof(*all) * dp->ncpus);
	int i;

	if (!all)
		return -errno;
	for (k = 0; k < n; k++) {
		memset(&out[k], 0, sizeof(out[k]));
		for (i = 0; i < dp->ncpus; i++) {
			out[k].packets += all[(size_t)k * dp->ncpus + i].packets;
			out[k].bytes += all[(size_t)k * dp->ncpus + i].bytes;
		}
	}
	free(all);
	return 0;
}

/* Copies of the arrays through read-only fds (which cannot be mapped
 * shared: mmap drops VM_SHARED for a file not open for writing, and BPF
 * arrays map shared only). */
static int dp_copy_all(struct ecmp_dp *dp)
{
	size_t i;
	int err = 0;

	dp->copied = 1;
	for (i = 0; !err && i < sizeof(mmapped) / sizeof(mmapped[0]); i++) {
		enum dp_map m = mmapped[i].map;
		void *buf = calloc(dp->max_entries[m] ? dp->max_entries[m] : 1, mmapped[i].elem);

		*(void **)((char *)dp + mmapped[i].offset) = buf;
		err = buf ? dp_read_array(dp->fd[m], dp->max_entries[m], mmapped[i].elem, buf) :
			    -ENOMEM;
	}
	return err;
}

static int dp_query_sizes(struct ecmp_dp *dp)
{
	int i;

	for (i = 0; i < DP_MAP_COUNT; i++) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		int err = bpf_obj_get_info_by_fd(dp->fd[i], &info, &len);

		if (err)
			return -errno;
		dp->max_entries[i] = info.max_entries;
	}
	dp->ncpus = libbpf_num_possible_cpus();
	return dp->ncpus < 0 ? dp->ncpus : 0;
}

int dp_open_object(struct ecmp_dp *dp, struct bpf_object *obj)
{
	int i, err;

	memset(dp, 0, sizeof(*dp));
	for (i = 0; i < DP_MAP_COUNT; i++) {
		struct bpf_map *m = bpf_object__find_map_by_name(obj, dp_map_names[i]);

		if (!m)
			return -ENOENT;
		dp->fd[i] = bpf_map__fd(m);
	}
	err = dp_query_sizes(dp);
	if (err)
		return err;
	return dp_map_all(dp, 1);
}

int dp_open_fds(struct ecmp_dp *dp, const int fd[DP_MAP_COUNT])
{
	int err;

	memset(dp, 0, sizeof(*dp));
	memcpy(dp->fd, fd, sizeof(dp->fd));
	err = dp_query_sizes(dp);
	if (!err)
		err = dp_copy_all(dp);
	if (err)
		dp_close(dp, 1);
	return err;
}

int dp_open_pinned(struct ecmp_dp *dp, const char *pin_root, int writable)
{
	char path[PATH_MAX];
	int i, err;

	memset(dp, 0, sizeof(*dp));
	for (i = 0; i < DP_MAP_COUNT; i++)
		dp->fd[i] = -1;
	for (i = 0; i < DP_MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_root, dp_map_names[i]);
		dp->fd[i] = bpf_obj_get(path);
		if (dp->fd[i] < 0) {
			err = -errno;
			dp_close(dp, 1);
			return err;
		}
	}
	err = dp_query_sizes(dp);
	if (!err)
		err = dp_map_all(dp, writable);
	if (err)
		dp_close(dp, 1);
	return err;
}

void dp_close(struct ecmp_dp *dp, int close_fds)
{
	size_t i;

	for (i = 0; i < sizeof(mmapped) / sizeof(mmapped[0]); i++) {
		void **p = (void **)((char *)dp + mmapped[i].offset);

		if (*p && dp->copied)
			free(*p);
		else if (*p)
			munmap(*p, map_bytes(mmapped[i].elem,
					     dp->max_entries[mmapped[i].map]));
		*p = NULL;
	}
	if (!close_fds)
		return;
	for (i = 0; i < DP_MAP_COUNT; i++) {
		if (dp->fd[i] >= 0)
			close(dp->fd[i]);
		dp->fd[i] = -1;
	}
}

int dp_read_counter(const struct ecmp_dp *dp, enum dp_map map, uint32_t key,
		    struct ecmp_counter *out)
{
	struct ecmp_counter *per_cpu = calloc(dp->ncpus, sizeof(*per_cpu));
	int i, err = 0;

	if (!per_cpu)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(dp->fd[map], &key, per_cpu)) {
		err = -errno;
	} else {
		for (i = 0; i < dp->ncpus; i++) {
			out->packets += per_cpu[i].packets;
			out->bytes += per_cpu[i].bytes;
		}
	}
	free(per_cpu);
	return err;
}

int dp_egress_count(const struct ecmp_dp *dp, const uint32_t *ifindex, uint32_t n,
		    uint32_t *in_map, uint32_t *left_out)
{
	uint32_t *v = malloc((n + 1) * sizeof(*v)), i;

	*in_map = *left_out = 0;
	if (!v)
		return -ENOMEM;
	memcpy(v, ifindex, n * sizeof(*v));
	n = array_set_u32(v, n);
	for (i = 0; i < n; i++) {
		struct bpf_devmap_val val;

		if (!v[i])
			continue;
		if (!bpf_map_lookup_elem(dp->fd[DP_TX_PORTS], &v[i], &val))
			(*in_map)++;
		else
			(*left_out)++;
	}
	free(v);
	return 0;
}
