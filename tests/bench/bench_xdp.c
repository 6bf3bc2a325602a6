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
 *                             BENCH_ALT=OBJ (also run the 1-route rows and
 *                             the live rows on another build of
 *                             bench_ecmp.bpf.o, e.g. from another compiler,
 *                             interleaved with these;
 *                             BENCH_ALT_NAME labels its rows, default alt;
 *                             BENCH_ALT_SPREAD=1: its full-table rows too,
 *                             one destination and spread;
 *                             BENCH_ALT_TRIE=FILE: their trie read from
 *                             FILE, as BENCH_TRIE_OUT of the other build
 *                             wrote it, for an A/B of two trie layouts in
 *                             one process),
 *                             BENCH_TRIE_OUT=FILE (write the full table's
 *                             trie, root then pool, to FILE and stop),
 *                             BENCH_BULK=1 (build the tables as ecmpd
 *                             builds a table it reads whole, in bulk
 *                             mode, not route by route),
 *                             BENCH_LINES=FILE (write the JIT line table of
 *                             every program run to FILE, for
 *                             scripts/profile-xdp.sh)
 */
#include <errno.h>
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "../bpf/dp_fixture.h"
#include "../bpf/frame_build.h"
#include "../test.h"
#include "bench_spread.h"
#include "jit_lines.h"

#define MAX_VARIANTS	32
#define MAX_ROUNDS	64

struct variant {
	const char *name;
	int prog_fd;
	uint8_t frame[1024];
	size_t len;
	uint32_t expect;	/* verdict the frame must get */
	int live;		/* BPF_F_TEST_XDP_LIVE_FRAMES: really redirect */
	uint32_t ingress;	/* live: the interface the frames arrive on */
	struct fixture *fx;	/* ecmp_xdp variants: for diagnostics */
	double ns[MAX_ROUNDS];
	double median;
};

static struct variant variants[MAX_VARIANTS];
static int nvariants;
static const char *build_dir = "build";
static uint32_t lo;
/* The live rows' interfaces: frames arrive on bench2 (live_in), leave by
 * bench0, and bench1's sink counts them (sink_fd). */
static uint32_t live_in;
static int sink_fd = -1;

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

/* A live row (bench_live.bpf.h): frames arrive on bench2 and are really
 * sent; the verdict is not checked, the sink's count is. */
static void add_live(const char *name, int prog_fd, const struct frame_spec *s)
{
	struct variant *v = add_variant(name, prog_fd, s, XDP_REDIRECT);

	v->live = 1;
	v->ingress = live_in;
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

/* The frames bench1's sink has counted, over all CPUs. */
static uint64_t sink_count(void)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	uint64_t n[ncpu > 0 ? ncpu : 1], sum = 0;
	uint32_t key = 0;

	if (ncpu <= 0 || bpf_map_lookup_elem(sink_fd, &key, n))
		die("sink_frames", errno);
	for (i = 0; i < ncpu; i++)
		sum += n[i];
	return sum;
}

/*
 * A live row measures a forwarder only if its frames really went through:
 * each one must reach the sink. The sink runs in the softirq the test run
 * ends with, or in ksoftirqd a moment later, so the count may lag a little.
 */
static void check_delivered(const struct variant *v, uint64_t before, int repeat)
{
	uint64_t got = 0;
	int i;

	for (i = 0; i < 100; i++) {
		got = sink_count() - before;
		if (got >= (uint64_t)repeat)
			return;
		usleep(1000);
	}
	fprintf(stderr, "bench: %s: %llu of %d frames reached the sink; the row would not "
		"measure forwarding (see the kernel's drop reasons: perf trace -e skb:kfree_skb)\n",
		v->name, (unsigned long long)got, repeat);
	exit(1);
}

static double run_once(struct variant *v, int repeat)
{
	uint8_t out[1100];
	struct xdp_md md = { .data_end = v->len, .ingress_ifindex = v->ingress };
	uint64_t before = 0;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = v->frame,
		    .data_size_in = v->len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = repeat);

	if (v->live) {
		/* Frames go out for real; nothing comes back. */
		opts.data_out = NULL;
		opts.data_size_out = 0;
		opts.flags = BPF_F_TEST_XDP_LIVE_FRAMES;
		before = sink_count();
	}
	if (v->ingress) {
		opts.ctx_in = &md;
		opts.ctx_size_in = sizeof(md);
	}
	if (bpf_prog_test_run_opts(v->prog_fd, &opts))
		die(v->name, errno);
	if (v->live)
		check_delivered(v, before, repeat);
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

/* The full table's size: an Internet table's IPv4 routes. */
#define FULL_TABLE 1000000

/* The groups a table's routes use: group 0 and the 14 of bench_groups(),
 * as scripts/gen-table.py's 100 nexthop sets of four gateways make 15
 * distinct ones. One group for all would let neighbouring prefixes merge
 * into runs (ecmp_shared.h) far more than a real table's do. */
#define BENCH_GROUPS	15

/* A random table of n routes spread over unicast space like a BGP table,
 * the last one the benchmark's own 198.19.1.0/24: the same n gives the
 * same table every time. Up to 100,000: mostly /24, some shorter and
 * longer. The full table has an Internet table's shape
 * (scripts/gen-table.py's): 60 % /24, the rest /13../23, nothing longer.
 * Each route goes to one of BENCH_GROUPS groups, uniformly (group 1 is the
 * VLAN one: not among them). */
static struct lpm_route *gen_table(int n)
{
	struct lpm_route *t = calloc(n, sizeof(*t));
	unsigned long long rs = 0xbe7c4 + n;
	int i;

	if (!t)
		die("route table", ENOMEM);
	for (i = 0; i < n - 1; i++) {
		uint64_t x = test_rand(&rs);
		struct lpm_route *r = &t[i];
		int kind = x % 100;

		r->family = ECMP_AF_INET;
		r->leaf = ECMP_LPM_LEAF((x >> 48) % BENCH_GROUPS ? (x >> 48) % BENCH_GROUPS + 1 : 0);
		if (n >= FULL_TABLE)
			r->prefixlen = kind < 60 ? 24 : 13 + (x >> 8) % 11;
		else
			r->prefixlen = kind < 70 ? 24 : kind < 85 ? 16 + (x >> 8) % 8 :
				       25 + (x >> 8) % 8;
		r->addr[0] = 1 + (x >> 16) % 223;
		r->addr[1] = x >> 24;
		r->addr[2] = x >> 32;
		r->addr[3] = x >> 40;
		lpm_mask(r->addr, r->family, r->prefixlen);
	}
	t[n - 1] = (struct lpm_route){ .family = ECMP_AF_INET, .prefixlen = 24,
				       .addr = { 198, 19, 1, 0 }, .leaf = ECMP_LPM_LEAF(0) };
	return t;
}

/* The table of n routes into ecmp's trie (f) and/or a kernel LPM trie. */
static void fill_routes(struct fixture *f, int lpm_trie_fd, int n)
{
	struct lpm_route *t = gen_table(n);
	int i, err, bulk = f && getenv("BENCH_BULK") && atoi(getenv("BENCH_BULK"));

	if (bulk)
		lpm_bulk_begin(f->lpm);
	for (i = 0; i < n; i++) {
		if (f && i < n - 1) {
			err = lpm_add(f->lpm, &t[i]);
			if (err)
				die("lpm_add", err);
		}
		if (lpm_trie_fd >= 0) {
			struct { uint32_t plen; uint8_t a[4]; } k = { t[i].prefixlen, { 0 } };
			uint32_t port = 1;

			memcpy(k.a, t[i].addr, 4);
			if (bpf_map_update_elem(lpm_trie_fd, &k, &port, 0))
				die("LPM trie update", errno);
		}
	}
	if (bulk && (err = lpm_bulk_end(f->lpm)))
		die("lpm_bulk_end", err);
	if (f && fixture_add_route(f, 4, "198.19.1.0/24", ECMP_LPM_LEAF(0)))
		die("route", EINVAL);
	free(t);
}

/* BENCH_DSTS destinations drawn uniformly over the routes of the n-route
 * table (a random host in each), into the bench_dsts map of an object
 * (bench_rewrite.bpf.h). Loopback, link-local and multicast space is left
 * out: a forwarder must pass those, and every spread row must forward. */
static void fill_spread(struct bpf_object *obj, int n)
{
	struct lpm_route *t = gen_table(n);
	unsigned long long rs = 0x5d5d + n;
	int fd = bpf_object__find_map_fd_by_name(obj, "bench_dsts");
	uint32_t i, *dst = calloc(BENCH_DSTS, sizeof(*dst)), *keys = calloc(BENCH_DSTS, 4);
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t count = BENCH_DSTS;

	if (fd < 0 || !dst || !keys)
		die("bench_dsts", fd < 0 ? ENOENT : ENOMEM);
	for (i = 0; i < BENCH_DSTS; i++) {
		const struct lpm_route *r;
		uint64_t x;
		uint32_t a, host;

		do {
			x = test_rand(&rs);
			r = &t[x % n];
		} while (r->addr[0] == 127 || (r->addr[0] == 169 && r->addr[1] == 254));
		memcpy(&a, r->addr, 4);
		host = r->prefixlen == 32 ? 0 : (uint32_t)(x >> 32) & (0xffffffffu >> r->prefixlen);
		a = htonl(ntohl(a) | host);
		keys[i] = i;
		dst[i] = a;
	}
	if (bpf_map_update_batch(fd, keys, dst, &count, &opts))
		die("bench_dsts update", errno);
	free(keys);
	free(dst);
	free(t);
}

/* A fixture's trie as bytes in a file: the root chunks, then the pool. */
static void trie_io(struct fixture *f, const char *path, int out)
{
	size_t sz = sizeof(struct ecmp_lpm_chunk);
	size_t nroot = f->dp.max_entries[DP_LPM_ROOT], nnode = f->dp.max_entries[DP_LPM_NODE];
	FILE *fp = fopen(path, out ? "w" : "r");
	int ok;

	if (!fp)
		die(path, errno);
	ok = out ? fwrite(f->dp.root, sz, nroot, fp) == nroot &&
		   fwrite(f->dp.node, sz, nnode, fp) == nnode :
		   fread(f->dp.root, sz, nroot, fp) == nroot &&
		   fread(f->dp.node, sz, nnode, fp) == nnode && fgetc(fp) == EOF;
	if (fclose(fp) || !ok)
		die(out ? "BENCH_TRIE_OUT: writing the trie" :
		    "BENCH_ALT_TRIE: not a trie of this table's size (write it with "
		    "BENCH_TRIE_OUT of the other build)", EIO);
}

static struct fixture *ecmp_fixture(const char *obj, int nroutes, uint32_t tx)
{
	struct dp_sizes sizes = { .nexthops = 64, .groups = BENCH_GROUPS + 1,
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
	/* Test runs arrive on lo, live ones on bench2, addressed to the
	 * frames' default MAC. */
	{
		static const uint8_t own[6] = BENCH_OWN_MAC;

		if ((err = fixture_set_iface(f, if_nametoindex("lo"), own,
					     ECMP_IFACE_CSUM_FINISH)) ||
		    (err = fixture_add_vlan(f, if_nametoindex("lo"), 10, 0)) ||
		    (live_in && (err = fixture_set_iface(f, live_in, own,
							  ECMP_IFACE_CSUM_FINISH))))
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
	/* The table's other groups: 128 buckets each over the 8 nexthops. */
	for (i = 2; i <= BENCH_GROUPS; i++) {
		uint32_t base = 2048 + (i - 2) * 128, k;

		fixture_set_group(f, i, base, 128);
		for (k = 0; k < 128; k++)
			fixture_set_bucket(f, base + k, 1 + (k + i) % 8);
	}
	fill_routes(f, -1, nroutes);
	if (fixture_add_route(f, 6, "2001:db8:100::/40", ECMP_LPM_LEAF(0)) ||
	    fixture_add_route(f, 4, "198.19.2.0/24", ECMP_LPM_LEAF(1)))
		die("route", EINVAL);
	return f;
}

/* A fixture's live-row program (bench_ecmp_live). */
static int live_prog(const struct fixture *f)
{
	struct bpf_program *p = bpf_object__find_program_by_name(f->obj, "bench_ecmp_live");

	if (!p)
		die("bench_ecmp_live: not in the object (an older build? rebuild it)", ENOENT);
	return bpf_program__fd(p);
}

static struct bpf_object *simple_objs[16];
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

/* Where global variable `var` of section `sec` (".rodata", ".bss") lies
 * in the map libbpf made of that section of obj: its offset, and the map
 * in *map; -1 when obj has no such variable. */
static long global_offset(struct bpf_object *obj, const char *sec, const char *var,
			  struct bpf_map **map)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *ds;
	struct bpf_map *m;
	int id, k;

	id = btf ? btf__find_by_name_kind(btf, sec, BTF_KIND_DATASEC) : -1;
	if (id < 0)
		return -1;
	ds = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(ds);
	for (k = 0; k < btf_vlen(ds); k++, vs++) {
		const struct btf_type *v = btf__type_by_id(btf, vs->type);

		if (strcmp(btf__name_by_offset(btf, v->name_off), var))
			continue;
		bpf_object__for_each_map(m, obj) {
			const char *name = bpf_map__name(m);
			size_t n = strlen(name), l = strlen(sec);

			if (n >= l && !strcmp(name + n - l, sec)) {
				*map = m;
				return vs->offset;
			}
		}
	}
	return -1;
}

/* The FIB forwarder (bench_fib.bpf.c) reading kernel table `table`
 * (BPF_FIB_LOOKUP_DIRECT | _TBID: that table alone, the fastest lookup
 * the kernel offers an XDP program), redirecting to tx; prog: bench_fib or
 * bench_fib_spread. The object is kept in *obj_out when not NULL. */
static int fib_prog(const char *prog, uint32_t table, uint32_t tx,
		    struct bpf_object **obj_out)
{
	struct bpf_devmap_val val = { .ifindex = tx };
	struct bpf_object *obj;
	struct bpf_map *m = NULL;
	const void *init;
	char path[512], *ro;
	size_t sz;
	long off;
	int err;

	snprintf(path, sizeof(path), "%s/tests/bench_fib.bpf.o", build_dir);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		die(path, errno);
	off = global_offset(obj, ".rodata", "fib_table", &m);
	init = m ? bpf_map__initial_value(m, &sz) : NULL;
	ro = init ? malloc(sz) : NULL;
	if (off < 0 || !ro || off + sizeof(table) > sz)
		die("bench_fib .rodata: fib_table", ENOENT);
	memcpy(ro, init, sz);
	memcpy(ro + off, &table, sizeof(table));
	err = bpf_map__set_initial_value(m, ro, sz);
	free(ro);
	if (err)
		die("bench_fib .rodata", err);
	if ((err = bpf_object__load(obj)))
		die(path, err);
	if (bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "fib_tx"), &tx, &val, 0))
		die("fib devmap", errno);
	if (nsimple < sizeof(simple_objs) / sizeof(simple_objs[0]))
		simple_objs[nsimple++] = obj;	/* closed at the end */
	if (obj_out)
		*obj_out = obj;
	return bpf_program__fd(bpf_object__find_program_by_name(obj, prog));
}

/* In the benchmark's own network namespace: forwarding on, four permanent
 * neighbours behind dev, table 101 with 198.19.1.0/24 and 2001:db8:100::/40
 * over all four (the 1-route rows), table 100 with the n-route table over
 * them (the same routes as ecmp's fixture). 0, or -1 when ip(8) failed. */
static int kernel_fib(const char *dev, int n)
{
	char path[] = "/tmp/bench-fib-XXXXXX", cmd[256];
	struct lpm_route *t = gen_table(n);
	int fd = mkstemp(path), i, err = 0;
	FILE *f = fd < 0 ? NULL : fdopen(fd, "w");
	static const char *const knobs[] = {
		"/proc/sys/net/ipv4/conf/all/forwarding", "/proc/sys/net/ipv4/conf/lo/forwarding",
		"/proc/sys/net/ipv6/conf/all/forwarding", "/proc/sys/net/ipv4/fib_multipath_hash_policy",
		"/proc/sys/net/ipv6/fib_multipath_hash_policy",
	};

	if (!f)
		die("kernel FIB batch", errno);
	for (i = 0; i < (int)(sizeof(knobs) / sizeof(knobs[0])); i++) {
		FILE *k = fopen(knobs[i], "w");

		/* Multipath hash on L4 (policy 1): the ports count. */
		if (!k || fprintf(k, "1\n") < 0 || fclose(k))
			die(knobs[i], errno);
	}
	fprintf(f, "link set lo up\naddr add 198.18.0.1/24 dev %s\n"
		"addr add 2001:db8::1/64 dev %s nodad\n", dev, dev);
	for (i = 2; i <= 5; i++)
		fprintf(f, "neigh add 198.18.0.%d lladdr 02:00:00:00:01:%02x dev %s nud permanent\n"
			"neigh add 2001:db8::%d lladdr 02:00:00:00:01:%02x dev %s nud permanent\n",
			i, i, dev, i, i, dev);
	fprintf(f, "route add 198.19.1.0/24 table 101");
	for (i = 2; i <= 5; i++)
		fprintf(f, " nexthop via 198.18.0.%d dev %s", i, dev);
	fprintf(f, "\nroute add 2001:db8:100::/40 table 101");
	for (i = 2; i <= 5; i++)
		fprintf(f, " nexthop via 2001:db8::%d dev %s", i, dev);
	/* The kernel's own forwarding (live rows): the same route in the
	 * main table, where the stack looks. */
	fprintf(f, "\nroute add 198.19.1.0/24");
	for (i = 2; i <= 5; i++)
		fprintf(f, " nexthop via 198.18.0.%d dev %s", i, dev);
	fprintf(f, "\n");
	for (i = 0; i < n; i++) {
		char a[INET_ADDRSTRLEN];
		int k;

		inet_ntop(AF_INET, t[i].addr, a, sizeof(a));
		fprintf(f, "route replace %s/%u table 100", a, t[i].prefixlen);
		for (k = 2; k <= 5; k++)
			fprintf(f, " nexthop via 198.18.0.%d dev %s", k, dev);
		fprintf(f, "\n");
	}
	if (fclose(f))
		err = -1;
	snprintf(cmd, sizeof(cmd), "ip -batch %s", path);
	if (!err && system(cmd))
		err = -1;
	unlink(path);
	free(t);
	return err;
}

/*
 * The full table's live destinations: one host in each of its routes that
 * reaches into the test space 198.18.0.0/15 (SPEC §10: the only addresses
 * really sent to), away from the benchmark's own networks 198.18.0.0/24
 * (bench0) and 198.18.9.0/24 (the frames' source). The frames then meet
 * as many of the table's prefixes as the space holds, in both forwarders
 * alike. Returns how many, at most max.
 */
static uint32_t live_table_dsts(uint32_t *dst, uint32_t max, int n)
{
	struct lpm_route *t = gen_table(n);
	unsigned long long rs = 0x11fe + n;
	const uint32_t lo15 = 0xc6120000u;	/* 198.18.0.0 */
	const uint32_t bench0_net = 0xc61200u, source_net = 0xc61209u;	/* /24s */
	uint32_t k = 0;
	int i;

	for (i = 0; i < n && k < max; i++) {
		uint32_t a, len = t[i].prefixlen, host, h;
		int tries;

		memcpy(&a, t[i].addr, 4);
		a = ntohl(a);
		/* Inside the /15, or covering it (then any of its hosts). */
		if (len >= 15 ? (a & 0xfffe0000u) != lo15 : (lo15 & (0xffffffffu << (32 - len))) != a)
			continue;
		if (len < 15)
			a = lo15, len = 15;
		for (tries = 0; tries < 16; tries++) {
			h = (uint32_t)test_rand(&rs);
			host = a | (len == 32 ? 0 : h & (0xffffffffu >> len));
			if ((host >> 8) != bench0_net && (host >> 8) != source_net &&
			    (host & 0xff) != 0 && (host & 0xff) != 0xff)
				break;
		}
		if (tries < 16)
			dst[k++] = htonl(host);
	}
	free(t);
	return k;
}

/* Gives a live program's object (bench_live.bpf.h) the destinations to
 * walk over, in its .bss. */
static void set_live_dsts(struct bpf_object *obj, const uint32_t *dst, uint32_t n)
{
	struct bpf_map *m = NULL;
	long off_dst = global_offset(obj, ".bss", "bench_live_dst", &m);
	long off_n = global_offset(obj, ".bss", "bench_live_ndst", &m);
	size_t sz = m ? bpf_map__value_size(m) : 0;
	uint8_t *bss = sz ? calloc(1, sz) : NULL;
	uint32_t zero = 0;

	if (off_dst < 0 || off_n < 0 || !bss || n > BENCH_LIVE_DSTS ||
	    (size_t)off_dst + n * 4 > sz || (size_t)off_n + 4 > sz)
		die("bench_live_dst: not in the object's .bss (an older build? rebuild it)", ENOENT);
	if (bpf_map_lookup_elem(bpf_map__fd(m), &zero, bss))
		die("bench_live_dst: reading .bss", errno);
	memcpy(bss + off_dst, dst, n * 4);
	memcpy(bss + off_n, &n, 4);
	if (bpf_map_update_elem(bpf_map__fd(m), &zero, bss, 0))
		die("bench_live_dst: writing .bss", errno);
	free(bss);
}

static void close_simple(void)
{
	while (nsimple)
		bpf_object__close(simple_objs[--nsimple]);
}

/* The median of the variant whose name starts with prefix, or 0. */
static double median_of(const char *prefix)
{
	int i;

	for (i = 0; i < nvariants; i++)
		if (!strncmp(variants[i].name, prefix, strlen(prefix)))
			return variants[i].median;
	return 0;
}

/*
 * What one read that misses every cache (and the TLB) costs on this
 * machine: a chase of dependent loads through 64 MiB in random order, as
 * large as the full table's trie. A lookup spread over a big table pays a
 * few of these per packet; the spread rows' cost over their one-destination
 * rows, in these units, says how many.
 */
static double memory_miss_ns(void)
{
	size_t lines = (64u << 20) / 64, i, steps = 2000000;
	unsigned long long rs = 0x3155;
	uint32_t *order = malloc(sizeof(*order) * lines);
	char *mem = malloc(lines * 64), *p;
	struct timespec a, b;

	if (!order || !mem) {
		free(order);
		free(mem);
		return 0;
	}
	for (i = 0; i < lines; i++)
		order[i] = i;
	for (i = lines - 1; i > 0; i--) {
		size_t j = test_rand(&rs) % (i + 1);
		uint32_t x = order[i];

		order[i] = order[j];
		order[j] = x;
	}
	for (i = 0; i < lines; i++)	/* one cycle through every line */
		*(char **)(mem + (size_t)order[i] * 64) = mem + (size_t)order[(i + 1) % lines] * 64;
	p = mem + (size_t)order[0] * 64;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < steps; i++)
		p = *(char **)p;
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (!p)		/* never: keeps the chase from being optimized out */
		steps++;
	free(order);
	free(mem);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / steps;
}

/* Two live rows: ns per packet of the whole path (frame made, forwarder,
 * veth, sink) and its inverse, packets per second, as a ratio. */
static void print_live_ratio(const char *what, const char *ecmp, const char *peer)
{
	double a = median_of(ecmp), b = median_of(peer);

	if (a && b)
		printf("  %-30s %7.1f / %7.1f = %.2f (pps: %.2fx)\n", what, a, b, a / b, b / a);
}

/*
 * A live goal of issue #19 in ns: at `goal` times the peer's packets per
 * second a packet may take peer / goal ns. Over the live floor (a
 * redirect that decides nothing, with the same frames, veth and sink)
 * that leaves what xdp-ecmp's own work may cost, beside what it does
 * cost. Printed so that each run shows how far a miss is, and why.
 */
static void print_live_budget(const char *what, double goal, const char *ecmp,
			      const char *peer)
{
	double floor = median_of("live: floor"), a = median_of(ecmp), b = median_of(peer);

	if (floor && a && b)
		printf("  %-34s %5.0f / %.1f = %3.0f ns a packet: %3.0f over the floor, "
		       "xdp-ecmp takes %3.0f (%s)\n", what, b, goal, b / goal,
		       b / goal - floor, a - floor, a <= b / goal ? "met" : "not met");
}

/* xdp-ecmp against the peer, row by row of the same run. */
static void print_peer_ratios(int big_n)
{
	char rows[4][3][64];
	int i;

	/* Peers' rows (BENCH_ONLY may have left out either kind). */
	if (!median_of("peer: ") && !median_of("live: XDP on kernel FIB") &&
	    !median_of("live: kernel multipath"))
		return;
	snprintf(rows[0][0], 64, "ipv4, 1 route");
	snprintf(rows[0][1], 64, "ecmp_xdp ipv4 udp, 1 route");
	snprintf(rows[0][2], 64, "peer: XDP on kernel FIB ipv4, 1 route");
	snprintf(rows[1][0], 64, "ipv6, 1 route");
	snprintf(rows[1][1], 64, "ecmp_xdp ipv6 udp, 1 route");
	snprintf(rows[1][2], 64, "peer: XDP on kernel FIB ipv6, 1 route");
	snprintf(rows[2][0], 64, "%d routes, one destination", big_n);
	snprintf(rows[2][1], 64, "ecmp_xdp ipv4 udp, %s routes", big_n == FULL_TABLE ? "1,000,000" : "10,000");
	snprintf(rows[2][2], 64, "peer: XDP on kernel FIB, %d routes", big_n);
	snprintf(rows[3][0], 64, "%d routes, spread", big_n);
	snprintf(rows[3][1], 64, "spread: ecmp_xdp, %d routes", big_n);
	snprintf(rows[3][2], 64, "spread: XDP on kernel FIB, %d", big_n);
	printf("ecmp_xdp / XDP on kernel FIB, ns per packet of this run (below 1: xdp-ecmp faster):\n");
	for (i = 0; i < 4; i++) {
		double a = median_of(rows[i][1]), b = median_of(rows[i][2]);

		if (a && b)
			printf("  %-30s %7.1f / %7.1f = %.2f\n", rows[i][0], a, b, a / b);
	}
	print_live_ratio("live, 1 route", "live: ecmp_xdp ipv4 udp into veth",
			 "live: XDP on kernel FIB into veth, 1 route");
	if (big_n == FULL_TABLE)
		print_live_ratio("live, 1000000 routes", "live: ecmp_xdp into veth, 1,000,000",
				 "live: XDP on kernel FIB into veth, 1000000");
	if (median_of(rows[3][1]) && median_of(rows[3][2]) && median_of(rows[2][1]) &&
	    median_of(rows[2][2])) {
		double miss = memory_miss_ns(), e = median_of(rows[3][1]) - median_of(rows[2][1]),
		       k = median_of(rows[3][2]) - median_of(rows[2][2]);

		if (miss > 0)
			printf("  spread over one destination: ecmp_xdp +%.0f ns, the FIB forwarder +%.0f ns;\n"
			       "  one read missing every cache here (64 MiB chase): %.0f ns, so %.1f and %.1f such reads a packet\n",
			       e, k, miss, e / miss, k / miss);
	}
	if (median_of("live: kernel multipath"))
		printf("ecmp_xdp / kernel multipath, live, %d flows:\n", BENCH_LIVE_FLOWS);
	print_live_ratio("1 route", "live: ecmp_xdp ipv4 udp into veth",
			 "live: kernel multipath (XDP_PASS)");
	if (median_of("live: floor"))
		printf("live goals: the peer's ns over the goal, what that leaves over the live floor (%.0f ns):\n",
		       median_of("live: floor"));
	print_live_budget("1.5x the FIB forwarder, 1 route", 1.5,
			  "live: ecmp_xdp ipv4 udp into veth",
			  "live: XDP on kernel FIB into veth, 1 route");
	if (big_n == FULL_TABLE)
		print_live_budget("2x the FIB forwarder, 1000000", 2.0,
				  "live: ecmp_xdp into veth, 1,000,000",
				  "live: XDP on kernel FIB into veth, 1000000");
	print_live_budget("5x kernel multipath", 5.0, "live: ecmp_xdp ipv4 udp into veth",
			  "live: kernel multipath (XDP_PASS)");
	/* What the table costs one destination (cache-hot): nothing, ideally. */
	if (median_of(rows[2][1]) && median_of("ecmp_xdp ipv4 udp, 1 route"))
		printf("ecmp_xdp, %d routes / 1 route, one destination: %.1f / %.1f = %.2f\n",
		       big_n, median_of(rows[2][1]), median_of("ecmp_xdp ipv4 udp, 1 route"),
		       median_of(rows[2][1]) / median_of("ecmp_xdp ipv4 udp, 1 route"));
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

/* A private network namespace with veth pair bench0/bench1, where bench1
 * drops and counts everything in XDP, and veth pair bench2/bench3, where
 * the live rows' frames arrive (bench2 has the frames' destination MAC and
 * an address on their source's network, 198.18.9.0/24, so the kernel
 * takes them as a router would). Returns bench0's ifindex, 0 if veth is
 * unavailable. The namespace, and everything in it, goes away with this
 * process. */
static uint32_t make_live_sink(void)
{
	uint32_t peer;
	int fd;

	if (unshare(CLONE_NEWNET) ||
	    system("ip link add bench0 type veth peer name bench1 && "
		   "ip link set bench0 up && ip link set bench1 up && "
		   "ip link add bench2 address 02:00:00:00:00:fe type veth peer name bench3 && "
		   "ip addr add 198.18.9.254/24 dev bench2 && "
		   "ip addr add 2001:db8:9::fe/64 dev bench2 nodad && "
		   "ip link set bench2 up && ip link set bench3 up"))
		return 0;
	fd = simple_prog("tests/xdp_sink.bpf.o", "xdp_sink", NULL, NULL, 0);
	sink_fd = bpf_object__find_map_fd_by_name(simple_objs[nsimple - 1], "sink_frames");
	peer = if_nametoindex("bench1");
	live_in = if_nametoindex("bench2");
	if (sink_fd < 0 || !live_in || bpf_xdp_attach(peer, fd, XDP_FLAGS_DRV_MODE, NULL))
		return 0;
	return if_nametoindex("bench0");
}

int main(int argc, char **argv)
{
	int quick = getenv("BENCH_QUICK") && atoi(getenv("BENCH_QUICK"));
	int big_n = quick ? 10000 : FULL_TABLE;
	int repeat = quick ? 20000 : 1000000, rounds = quick ? 3 : 7;
	struct frame_spec v4, v6, tcp_vlan;
	struct fixture *one, *ten_k, *hundred_k, *full, *live_one = NULL, *alt = NULL;
	struct fixture *alt_more[3] = { NULL };	/* the other build's other tables */
	struct fixture *live_full = NULL;
	int fib_live = -1;	/* the FIB forwarder on the big table */
	struct bpf_object *fib_live_obj = NULL;
	uint32_t live_dst[BENCH_LIVE_DSTS], nlive_dst = 0;
	int kernel_ok;		/* the kernel's tables for the peers are set up */
	uint32_t veth;
	int live_floor = -1;
	int floor_fd, trie_fd[3], trie_prog[3], tc_fd, r, i;
	struct bpf_object *trie_obj[3] = { NULL };
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
	full = quick ? NULL : ecmp_fixture(NULL, FULL_TABLE, lo);
	if (full && getenv("BENCH_TRIE_OUT") && *getenv("BENCH_TRIE_OUT")) {
		trie_io(full, getenv("BENCH_TRIE_OUT"), 1);
		printf("full table's trie written to %s\n", getenv("BENCH_TRIE_OUT"));
		return 0;
	}
	floor_fd = simple_prog("tests/bench_floor.bpf.o", "bench_floor",
			       "floor_tx", NULL, lo);
	for (i = 0; i < (quick ? 2 : 3); i++) {
		trie_prog[i] = simple_prog("tests/bench_lpm_trie.bpf.o",
					   "bench_lpm_trie", "trie_tx",
					   &trie_fd[i], lo);
		trie_obj[i] = simple_objs[nsimple - 1];
	}
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
	if (full)
		add_variant("ecmp_xdp ipv4 udp, 1,000,000 routes", full->prog_fd, &v4,
			    XDP_REDIRECT);
	if (getenv("BENCH_ALT") && *getenv("BENCH_ALT")) {
		const char *label = getenv("BENCH_ALT_NAME") ? getenv("BENCH_ALT_NAME") : "alt";
		static char names[3][96];

		alt = ecmp_fixture(getenv("BENCH_ALT"), 1, lo);
		snprintf(names[0], sizeof(names[0]), "%s: ecmp_xdp ipv4 udp, 1 route", label);
		snprintf(names[1], sizeof(names[1]), "%s: ecmp_xdp ipv6 udp, 1 route", label);
		snprintf(names[2], sizeof(names[2]), "%s: ecmp_xdp ipv4 tcp vlan, 1 route", label);
		add_variant(names[0], alt->prog_fd, &v4, XDP_REDIRECT);
		add_variant(names[1], alt->prog_fd, &v6, XDP_REDIRECT);
		add_variant(names[2], alt->prog_fd, &tcp_vlan, XDP_REDIRECT);
	}
	add_variant("ref: floor + kernel LPM trie, 1 route", trie_prog[0], &v4,
		    XDP_REDIRECT);
	add_variant("ref: floor + kernel LPM trie, 10,000", trie_prog[1], &v4,
		    XDP_REDIRECT);
	if (!quick)
		add_variant("ref: floor + kernel LPM trie, 100,000", trie_prog[2], &v4,
			    XDP_REDIRECT);

	/* The peers on one table: the largest the run has (the full table;
	 * quick: 10,000), one destination and spread over it. */
	kernel_ok = veth && !kernel_fib("bench0", big_n);
	if (kernel_ok) {
		struct fixture *big = full ? full : ten_k;
		struct bpf_object *fo;
		int fib_one = fib_prog("bench_fib", 101, veth, NULL);
		int fib_big = fib_prog("bench_fib", 100, veth, NULL);
		int fib_spread = fib_prog("bench_fib_spread", 100, veth, &fo);
		int trie_big = 1;	/* 10,000 routes: the quick run's table */
		static char names[6][96];

		fill_spread(fo, big_n);
		fill_spread(big->obj, big_n);
		if (quick)	/* the kernel LPM trie holds 10,000 of them */
			fill_spread(trie_obj[trie_big], big_n);
		add_variant("peer: XDP on kernel FIB ipv4, 1 route", fib_one, &v4, XDP_REDIRECT);
		add_variant("peer: XDP on kernel FIB ipv6, 1 route", fib_one, &v6, XDP_REDIRECT);
		snprintf(names[0], sizeof(names[0]), "peer: XDP on kernel FIB, %d routes", big_n);
		add_variant(names[0], fib_big, &v4, XDP_REDIRECT);
		fib_live = fib_prog("bench_fib_live", 100, veth, &fib_live_obj);
		snprintf(names[1], sizeof(names[1]), "spread: ecmp_xdp, %d routes", big_n);
		add_variant(names[1], bpf_program__fd(bpf_object__find_program_by_name(big->obj,
			    "bench_ecmp_spread")), &v4, XDP_REDIRECT)->fx = big;
		snprintf(names[2], sizeof(names[2]), "spread: kernel LPM trie, %d", big_n);
		if (quick)
			add_variant(names[2], bpf_program__fd(bpf_object__find_program_by_name(trie_obj[trie_big],
				    "bench_lpm_trie_spread")), &v4, XDP_REDIRECT);
		snprintf(names[3], sizeof(names[3]), "spread: XDP on kernel FIB, %d", big_n);
		add_variant(names[3], fib_spread, &v4, XDP_REDIRECT);
		if (full && getenv("BENCH_ALT") && *getenv("BENCH_ALT") &&
		    getenv("BENCH_ALT_SPREAD") && atoi(getenv("BENCH_ALT_SPREAD"))) {
			struct fixture *alt_big = ecmp_fixture(getenv("BENCH_ALT"), FULL_TABLE, lo);
			const char *label = getenv("BENCH_ALT_NAME") ? getenv("BENCH_ALT_NAME") : "alt";

			alt_more[0] = alt_big;
			if (getenv("BENCH_ALT_TRIE") && *getenv("BENCH_ALT_TRIE"))
				trie_io(alt_big, getenv("BENCH_ALT_TRIE"), 0);
			fill_spread(alt_big->obj, big_n);
			snprintf(names[4], sizeof(names[4]), "spread: %s, %d routes", label, big_n);
			add_variant(names[4], bpf_program__fd(bpf_object__find_program_by_name(
				    alt_big->obj, "bench_ecmp_spread")), &v4, XDP_REDIRECT)->fx = alt_big;
			snprintf(names[5], sizeof(names[5]), "%s: ecmp_xdp ipv4 udp, 1,000,000 routes",
				 label);
			add_variant(names[5], alt_big->prog_fd, &v4, XDP_REDIRECT)->fx = alt_big;
		}
	} else if (veth) {
		fprintf(stderr, "bench: the kernel FIB could not be set up; peer rows skipped\n");
	}

	if (veth) {
		static char names[3][96];
		struct frame_spec live4 = v4, live6 = v6;

		/* From a host on bench2's network, to 198.19.1.0/24 (a route of
		 * every table here), over BENCH_LIVE_FLOWS flows. */
		live4.src[2] = 9;
		live6.src[5] = 9;
		live_one = ecmp_fixture(NULL, 1, veth);
		live_floor = simple_prog("tests/bench_floor.bpf.o", "bench_floor_live",
					 "floor_tx", NULL, veth);
		add_live("live: floor, redirect into veth", live_floor, &live4);
		add_live("live: ecmp_xdp ipv4 udp into veth", live_prog(live_one), &live4);
		add_live("live: ecmp_xdp ipv6 udp into veth", live_prog(live_one), &live6);
		if (kernel_ok) {
			add_live("live: XDP on kernel FIB into veth, 1 route",
				 fib_prog("bench_fib_live", 101, veth, NULL), &live4);
			add_live("live: kernel multipath (XDP_PASS)",
				 simple_prog("tests/bench_floor.bpf.o", "bench_pass_live",
					     NULL, NULL, 0), &live4);
		}
		/* The same flows with the whole table loaded, to as many of
		 * its prefixes as the test space holds. */
		if (full || fib_live >= 0)
			nlive_dst = live_table_dsts(live_dst, BENCH_LIVE_DSTS, big_n);
		if (full) {
			live_full = ecmp_fixture(NULL, FULL_TABLE, veth);
			set_live_dsts(live_full->obj, live_dst, nlive_dst);
			add_live("live: ecmp_xdp into veth, 1,000,000", live_prog(live_full),
				 &live4);
		}
		if (fib_live >= 0) {
			set_live_dsts(fib_live_obj, live_dst, nlive_dst);
			snprintf(names[0], sizeof(names[0]), "live: XDP on kernel FIB into veth, %d",
				 big_n);
			add_live(names[0], fib_live, &live4);
		}
		if (getenv("BENCH_ALT") && *getenv("BENCH_ALT")) {
			const char *label = getenv("BENCH_ALT_NAME") ? getenv("BENCH_ALT_NAME") : "alt";
			struct fixture *live_alt = ecmp_fixture(getenv("BENCH_ALT"), 1, veth);

			alt_more[1] = live_alt;

			snprintf(names[1], sizeof(names[1]), "live: %s ipv4 udp into veth", label);
			add_live(names[1], live_prog(live_alt), &live4);
			/* And on the full table, to the same destinations. */
			if (full) {
				struct fixture *alt_full = ecmp_fixture(getenv("BENCH_ALT"),
									FULL_TABLE, veth);

				alt_more[2] = alt_full;

				set_live_dsts(alt_full->obj, live_dst, nlive_dst);
				snprintf(names[2], sizeof(names[2]), "live: %s into veth, 1,000,000",
					 label);
				add_live(names[2], live_prog(alt_full), &live4);
			}
		}
	}

	if (getenv("BENCH_LINES") && *getenv("BENCH_LINES"))
		write_line_tables(getenv("BENCH_LINES"));
	for (i = 0; i < nvariants; i++)		/* warm up */
		run_once(&variants[i], repeat / 10 + 1);
	for (r = 0; r < rounds; r++)
		for (i = 0; i < nvariants; i++)
			variants[i].ns[r] = run_once(&variants[i], repeat);

	print_machine(repeat, rounds);
	printf("trie chunks in use: %u (1 route), %u (10,000), %u (100,000), %u (1,000,000)\n",
	       lpm_chunks_used(one->lpm), lpm_chunks_used(ten_k->lpm),
	       hundred_k ? lpm_chunks_used(hundred_k->lpm) : 0,
	       full ? lpm_chunks_used(full->lpm) : 0);
	if (nlive_dst)
		printf("live rows on the %d-route table: %u destinations, a host in each of its routes in 198.18.0.0/15\n",
		       big_n, nlive_dst);
	printf("%-40s %8s %16s %8s\n", "variant", "ns/pkt", "min-max", "x floor");
	for (i = 0; i < nvariants; i++) {
		struct variant *v = &variants[i];
		double med;

		qsort(v->ns, rounds, sizeof(double), cmp_double);
		med = rounds % 2 ? v->ns[rounds / 2] :
		      (v->ns[rounds / 2 - 1] + v->ns[rounds / 2]) / 2;
		v->median = med;
		/* Each group of rows is compared with its own floor. */
		if (v->prog_fd == floor_fd || v->prog_fd == live_floor)
			floor_median = med;
		printf("%-40s %8.1f %7.1f-%-8.1f %8.2f\n", v->name, med, v->ns[0],
		       v->ns[rounds - 1], floor_median ? med / floor_median : 0);
	}
	print_peer_ratios(big_n);
	/* Freed, so SANITIZE=1 runs see real leaks only. */
	close_simple();
	fixture_close(one);
	fixture_close(ten_k);
	if (hundred_k)
		fixture_close(hundred_k);
	if (full)
		fixture_close(full);
	free(one);
	free(ten_k);
	free(hundred_k);
	free(full);
	if (live_full) {
		fixture_close(live_full);
		free(live_full);
	}
	if (live_one) {
		fixture_close(live_one);
		free(live_one);
	}
	if (alt) {
		fixture_close(alt);
		free(alt);
	}
	for (i = 0; i < 3; i++) {
		if (alt_more[i]) {
			fixture_close(alt_more[i]);
			free(alt_more[i]);
		}
	}
	return 0;
}
