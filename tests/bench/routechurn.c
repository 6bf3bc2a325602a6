// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * routechurn: IPv4 route changes sent to the kernel over rtnetlink, each
 * timed until the data path's trie (ecmpd's pinned maps, read in place)
 * routes its prefix through the new nexthop set: the whole way from the
 * request to the data path, kernel and ecmpd included.
 *
 *   routechurn PIN_ROOT latency COUNT PREFIX1 PREFIX2 GW1@DEV1 GW2@DEV2
 *     COUNT replaces of PREFIX1 (now routed through GW1 alone, as
 *     PREFIX2 is through GW2), to GW2 and back, one at a time.
 *   routechurn PIN_ROOT newsets COUNT PREFIX GW1@DEV1 GW2@DEV2
 *     COUNT replaces of PREFIX, each to a nexthop set the table does not
 *     have (GW1 with weight 101..200, and GW2): a path withdrawn or added
 *     somewhere in a routing daemon's table.
 *   routechurn PIN_ROOT churn RATE SECONDS FILE NCHANGE GW1@DEV1 GW2@DEV2
 *     RATE replaces a second for SECONDS over the first NCHANGE prefixes
 *     of FILE (one a.b.c.d/len a line; its first two routed as PREFIX1
 *     and PREFIX2 above), alternately to GW2 and GW1; the rest of FILE's
 *     prefixes must not change in the data path meanwhile: their trie
 *     entries are read, and frames to them run through the XDP program
 *     must be handled as before the churn (the same verdict, the same
 *     nexthop).
 *
 *   routechurn PIN_ROOT objects COUNT GAP_MS PREFIX OBJ A B C
 *     COUNT replaces of the nexthop group object OBJ (PREFIX among the
 *     routes over it; now group A/B), alternately to A/C and back to A/B
 *     (`ip nexthop replace`), GAP_MS apart: each timed until the data
 *     path's group of PREFIX (the same, or another) has no bucket left on
 *     the departed path (its flows moved), and whether PREFIX kept its
 *     group (changed in place).
 *
 *   routechurn PIN_ROOT objremove FILE OBJ
 *     `ip nexthop del id OBJ`, with the prefixes of FILE (one a line)
 *     routed over it: the kernel takes them along unannounced. Timed
 *     until the data path routes none of them as before (through a
 *     covering route, or to the kernel).
 *
 *   routechurn PIN_ROOT fpm PORT TABLE SETTLE_MS MODE ARGS...
 *     MODE as above, its changes sent as zebra's FPM stream to ecmpd's
 *     listener on 127.0.0.1:PORT instead of to the kernel: first the
 *     whole of TABLE (scripts/gen-table.py's lines), then a marker route;
 *     the mode starts SETTLE_MS after the data path has the marker.
 *
 * The data path's leaf for each gateway is read from the two prefixes
 * routed through them. Run inside the router's network namespace, in the
 * mount namespace of ecmpd's pins.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/dp_maps.h"
#include "lib/lpm.h"
#include "../bpf/frame_build.h"

struct pfx {
	uint8_t addr[16];
	uint8_t len;
};

struct path {
	struct in_addr gw;
	int ifindex;
	uint32_t leaf;		/* the data path's, learnt */
};

static struct ecmp_dp dp;
static struct mnl_socket *nl;
static uint32_t seq;
static uint64_t errors;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint32_t walk(const struct pfx *p)
{
	return lpm_walk(dp.root, dp.node, dp.max_entries[DP_LPM_NODE], ECMP_AF_INET, p->addr);
}

/*
 * Frames through the data path itself: the XDP program attached to
 * ecmpd's first ingress interface, run by BPF_PROG_TEST_RUN on a UDP
 * frame to a prefix's address, as if it had arrived there. Nothing is
 * sent (the run only returns the verdict and the frame as rewritten), so
 * any address of the table may be used; the data path counts the frames
 * as forwarded. What a frame tells: XDP_REDIRECT and the nexthop's MAC
 * it leaves with, or another verdict.
 */
struct probe {
	int prog_fd;
	uint32_t ifindex;
	uint8_t mac[6];
};

struct verdict {
	uint32_t action;
	uint8_t dmac[6];
};

static int probe_open(struct probe *pr)
{
	uint32_t i, id = 0;

	for (i = 1; i < dp.max_entries[DP_IFACES]; i++)
		if (dp.ifaces[i].flags & ECMP_IFACE_VALID)
			break;
	if (i >= dp.max_entries[DP_IFACES]) {
		fprintf(stderr, "routechurn: ecmp_ifaces names no ingress interface: no frames to run\n");
		return -1;
	}
	pr->ifindex = i;
	memcpy(pr->mac, dp.ifaces[i].mac, 6);
	if (bpf_xdp_query_id(i, 0, &id) || !id) {
		fprintf(stderr, "routechurn: no XDP program on ingress ifindex %u: no frames to run\n", i);
		return -1;
	}
	pr->prog_fd = bpf_prog_get_fd_by_id(id);
	if (pr->prog_fd < 0) {
		fprintf(stderr, "routechurn: XDP program %u: %s\n", id, strerror(errno));
		return -1;
	}
	return 0;
}

static int probe_run(const struct probe *pr, const struct pfx *p, struct verdict *v)
{
	uint8_t frame[1024], out[1024];	/* frame_build wants room for any frame */
	struct frame_spec s;
	struct xdp_md md = { .ingress_ifindex = pr->ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_out = out,
		    .data_size_out = sizeof(out), .ctx_in = &md, .ctx_size_in = sizeof(md),
		    .repeat = 1);

	frame_spec_default(&s, 4);
	memcpy(s.dmac, pr->mac, 6);
	memcpy(s.dst, p->addr, 4);
	opts.data_size_in = frame_build(&s, frame, sizeof(frame));
	md.data_end = opts.data_size_in;
	if (!opts.data_size_in || bpf_prog_test_run_opts(pr->prog_fd, &opts))
		return -1;
	v->action = opts.retval;
	memcpy(v->dmac, out, 6);
	return 0;
}

static int same_verdict(const struct verdict *a, const struct verdict *b)
{
	return a->action == b->action &&
	       (a->action != XDP_REDIRECT || !memcmp(a->dmac, b->dmac, 6));
}

static int parse_pfx(const char *s, struct pfx *p)
{
	char buf[64], *slash;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	memset(p, 0, sizeof(*p));
	p->len = 32;
	if (slash) {
		*slash = 0;
		p->len = atoi(slash + 1);
	}
	return inet_pton(AF_INET, buf, p->addr) == 1 && p->len <= 32 ? 0 : -1;
}

static int parse_path(const char *s, struct path *p)
{
	char buf[64], *at;

	snprintf(buf, sizeof(buf), "%s", s);
	at = strchr(buf, '@');
	if (!at)
		return -1;
	*at = 0;
	p->ifindex = if_nametoindex(at + 1);
	return inet_pton(AF_INET, buf, &p->gw) == 1 && p->ifindex ? 0 : -1;
}

/* Where route messages go: the kernel, or ecmpd's FPM listener as zebra
 * would send them (fpm mode), one message a frame. */
static int fpm_fd = -1;

static void send_msg(const struct nlmsghdr *nlh)
{
	uint8_t frame[4 + 1024];
	size_t n = 4 + nlh->nlmsg_len;

	if (fpm_fd < 0) {
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
			errors++;
		return;
	}
	frame[0] = 1;	/* FPM version 1, type 1: netlink */
	frame[1] = 1;
	frame[2] = n >> 8;
	frame[3] = n & 0xff;
	memcpy(frame + 4, nlh, nlh->nlmsg_len);
	if (write(fpm_fd, frame, n) != (ssize_t)n)
		errors++;
}

/* A request to create or replace (type RTM_NEWROUTE, RTM_NEWNEXTHOP). */
static struct nlmsghdr *replace_msg(char *buf, uint16_t type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_seq = ++seq;
	return nlh;
}

/* The start of every route message sent here: "replace PREFIX, protocol
 * bgp, main table", its paths to be put after it. */
static struct nlmsghdr *route_msg(char *buf, int family, const uint8_t *dst, int dst_len)
{
	struct nlmsghdr *nlh = replace_msg(buf, RTM_NEWROUTE);
	struct rtmsg *rtm;

	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = family;
	rtm->rtm_dst_len = dst_len;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BGP;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, family == AF_INET ? 4 : 16, dst);
	return nlh;
}

/* ip route replace PFX proto bgp nexthop via GW1 dev DEV1 weight W1
 * nexthop via GW2 dev DEV2, without waiting: a nexthop set of its own
 * for each W1 (rtnh_hops is W1 - 1, so 1..256). */
static void replace_multipath(const struct pfx *x, const struct path *p, int w1)
{
	char buf[512];
	struct nlmsghdr *nlh = route_msg(buf, AF_INET, x->addr, x->len);
	struct nlattr *mp;
	int i;

	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	for (i = 0; i < 2; i++) {
		struct rtnexthop *nh = (struct rtnexthop *)mnl_nlmsg_get_payload_tail(nlh);
		struct nlattr *gw;

		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
		memset(nh, 0, sizeof(*nh));
		nh->rtnh_ifindex = p[i].ifindex;
		nh->rtnh_hops = i ? 0 : w1 - 1;
		gw = (struct nlattr *)mnl_nlmsg_get_payload_tail(nlh);
		mnl_attr_put(nlh, RTA_GATEWAY, 4, &p[i].gw);
		nh->rtnh_len = RTNH_ALIGN(sizeof(*nh)) + ((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)gw);
	}
	mnl_attr_nest_end(nlh, mp);
	send_msg(nlh);
}

/* ip route replace PFX proto bgp via GW dev DEV, without waiting. */
static void replace(const struct pfx *x, const struct path *p)
{
	char buf[256];
	struct nlmsghdr *nlh = route_msg(buf, AF_INET, x->addr, x->len);

	mnl_attr_put(nlh, RTA_GATEWAY, 4, &p->gw);
	mnl_attr_put_u32(nlh, RTA_OIF, p->ifindex);
	send_msg(nlh);
}

/* Errors the kernel sent back (no acks asked for), counted. */
static void drain(void)
{
	char buf[8192];
	int n;

	if (fpm_fd >= 0)
		return;	/* FPM has no answers */
	while ((n = recv(mnl_socket_get_fd(nl), buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
		struct nlmsghdr *h;
		int len = n;

		for (h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, len); h = mnl_nlmsg_next(h, &len))
			if (h->nlmsg_type == NLMSG_ERROR &&
			    ((struct nlmsgerr *)mnl_nlmsg_get_payload(h))->error)
				errors++;
	}
}

/* Waits up to ms for the prefix's leaf to differ from `not`; the leaf. */
static uint32_t wait_change(const struct pfx *x, uint32_t not, int ms)
{
	uint64_t end = now_us() + ms * 1000ull;
	uint32_t l;

	while ((l = walk(x)) == not && now_us() < end)
		;
	return l;
}

/* Each path's leaf, from two prefixes the caller routed through them. */
static int learn(const struct pfx *on_a, const struct pfx *on_b, struct path *p)
{
	p[0].leaf = walk(on_a);
	p[1].leaf = walk(on_b);
	if (p[0].leaf == p[1].leaf || p[0].leaf == ECMP_LPM_NONE || p[1].leaf == ECMP_LPM_NONE ||
	    p[0].leaf >= ECMP_LPM_CONNECTED || p[1].leaf >= ECMP_LPM_CONNECTED) {
		fprintf(stderr, "routechurn: the two prefixes are not on two mirrored groups in the data path (leaves %#x, %#x)\n",
			p[0].leaf, p[1].leaf);
		return -1;
	}
	return 0;
}

static int cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

static void print_lags(const char *what, uint32_t *lag, size_t n, uint64_t lost)
{
	if (!n) {
		printf("%s: no change reached the data path (%llu lost)\n", what,
		       (unsigned long long)lost);
		return;
	}
	qsort(lag, n, sizeof(*lag), cmp_u32);
	printf("%s: %zu changes, lag median %u us, p99 %u us, max %u us; %llu never in the data path, %llu %s\n",
	       what, n, lag[n / 2], lag[n * 99 / 100], lag[n - 1],
	       (unsigned long long)lost, (unsigned long long)errors,
	       fpm_fd < 0 ? "refused by the kernel" : "not sent (FPM)");
}

static int latency(int count, const struct pfx *x, struct path *p)
{
	uint32_t *lag = calloc(count, sizeof(*lag));
	size_t n = 0;
	uint64_t lost = 0;
	int i;

	if (!lag || learn(&x[0], &x[1], p))
		return 1;
	for (i = 0; i < count; i++) {
		const struct path *to = &p[(i + 1) % 2];
		uint64_t t0 = now_us();

		replace(x, to);
		if (wait_change(x, p[i % 2].leaf, 1000) == to->leaf)
			lag[n++] = now_us() - t0;
		else
			lost++;
		drain();
		usleep(2000);
	}
	print_lags("one replace at a time", lag, n, lost);
	return 0;
}

/* Each replace makes a nexthop set the table does not have (the prefix
 * is the only one on the set it leaves): timed until the prefix's leaf
 * is another group's. */
static int new_sets(int count, const struct pfx *x, const struct path *p)
{
	uint32_t *lag = calloc(count, sizeof(*lag)), was = walk(x), l;
	size_t n = 0;
	uint64_t lost = 0;
	int i;

	if (!lag || was == ECMP_LPM_NONE || was >= ECMP_LPM_CONNECTED) {
		fprintf(stderr, "routechurn: the prefix is not on a mirrored group (leaf %#x)\n", was);
		return 1;
	}
	for (i = 0; i < count; i++) {
		uint64_t t0 = now_us();

		replace_multipath(x, p, 101 + i % 100);
		l = wait_change(x, was, 10000);
		if (l != was && l < ECMP_LPM_CONNECTED)
			lag[n++] = now_us() - t0;
		else
			lost++;
		was = walk(x);
		drain();
		usleep(2000);
	}
	print_lags("one replace to a new nexthop set at a time", lag, n, lost);
	return 0;
}

/* ip nexthop replace id OBJ group A/B, without waiting. */
static void replace_group(uint32_t obj, uint32_t a, uint32_t b)
{
	char buf[256];
	struct nlmsghdr *nlh = replace_msg(buf, RTM_NEWNEXTHOP);
	struct nexthop_grp g[2] = { { .id = a }, { .id = b } };
	struct nhmsg *nhm;

	nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	nhm->nh_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NHA_ID, obj);
	mnl_attr_put(nlh, NHA_GROUP, sizeof(g), g);
	send_msg(nlh);
}

/* Whether the data path's group g has a bucket on nexthop id nh. */
static int group_uses(uint32_t g, uint32_t nh)
{
	uint64_t word = __atomic_load_n((uint64_t *)&dp.groups[g], __ATOMIC_ACQUIRE);
	uint32_t base = ecmp_group_base(word), mask = ecmp_group_mask(word), b;

	for (b = 0; b <= mask && base + b < dp.max_entries[DP_BUCKETS]; b++)
		if (__atomic_load_n(&dp.buckets[base + b].nexthop, __ATOMIC_RELAXED) == nh)
			return 1;
	return 0;
}

/* The paths of group g: its buckets' two nexthop ids, or -1. */
static int group_paths(uint32_t g, uint32_t id[2])
{
	uint64_t word = __atomic_load_n((uint64_t *)&dp.groups[g], __ATOMIC_ACQUIRE);
	uint32_t base = ecmp_group_base(word), mask = ecmp_group_mask(word), b, n = 0;

	for (b = 0; b <= mask && base + b < dp.max_entries[DP_BUCKETS]; b++) {
		uint32_t x = dp.buckets[base + b].nexthop;

		if (x == ECMP_BUCKET_EMPTY || (n && x == id[0]) || (n == 2 && x == id[1]))
			continue;
		if (n == 2)
			return -1;
		id[n++] = x;
	}
	return n == 2 ? 0 : -1;
}

/* The group object's replaces, one at a time: timed until one of the two
 * paths the group's buckets were on has none left. */
static int objects(int count, int gap_ms, const struct pfx *x, uint32_t obj, uint32_t a,
		   uint32_t b, uint32_t c)
{
	uint32_t *lag = calloc(count, sizeof(*lag)), *sys = calloc(count, sizeof(*sys));
	uint32_t leaf = walk(x), g, id[2];
	size_t n = 0;
	uint64_t lost = 0, regrouped = 0;
	int i;

	if (!lag || !sys || leaf == ECMP_LPM_NONE || leaf >= ECMP_LPM_CONNECTED) {
		fprintf(stderr, "routechurn: the prefix is not on a mirrored group (leaf %#x)\n", leaf);
		return 1;
	}
	g = ECMP_LPM_GROUP(leaf);
	for (i = 0; i < count; i++) {
		uint64_t t0 = now_us(), end = t0 + 5000000;
		int gone = 0;

		/* The last newcomer takes its share once its neighbour is
		 * known: the group is on two paths again. */
		while (group_paths(g, id) && now_us() < end)
			usleep(1000);
		if (group_paths(g, id)) {
			fprintf(stderr, "routechurn: the prefix's group is not on two paths\n");
			return 1;
		}
		t0 = now_us();
		end = t0 + 10000000;
		replace_group(obj, a, i % 2 ? b : c);
		/* With nexthop_compat_mode 1 the kernel announces each route
		 * over the object within the request's system call. */
		sys[i] = now_us() - t0;
		/* Polled with short sleeps: a woken ecmpd waits milliseconds
		 * behind a poller that spins on its CPU (perf sched). */
		while (!gone && now_us() < end) {
			uint32_t l = walk(x);	/* a read may give it another group */

			if (l != ECMP_LPM_NONE && l < ECMP_LPM_CONNECTED)
				g = ECMP_LPM_GROUP(l);
			gone = !group_uses(g, id[0]) || !group_uses(g, id[1]);
			if (!gone)
				usleep(20);
		}
		if (gone)
			lag[n++] = now_us() - t0;
		else
			lost++;
		regrouped += walk(x) == leaf;
		leaf = walk(x);
		g = ECMP_LPM_GROUP(leaf);
		drain();
		usleep(gap_ms * 1000);
	}
	print_lags("one nexthop object replace at a time", lag, n, lost);
	qsort(sys, count, sizeof(*sys), cmp_u32);
	printf("objects: the request's own system call (the kernel's part) median %u us, max %u us\n",
	       sys[count / 2], sys[count - 1]);
	printf("objects: the prefix kept its group (changed in place) after %llu of %d replaces\n",
	       (unsigned long long)regrouped, count);
	return 0;
}

struct pending {
	uint32_t idx;		/* prefix */
	uint32_t leaf;		/* expected */
	uint64_t sent_us;
};

/* One frame through the program every PROBE_GAP_US during churn: 10,000
 * a second, so each of 10,000 prefixes that do not change meets one a
 * second; unpaced, the runs took the CPU that ecmpd, on the same two,
 * needs for the changes being timed. */
#define PROBE_GAP_US	100

/*
 * Sleeps until abs_us (CLOCK_MONOTONIC) while no change sent waits to be
 * seen. Spinning then too kept a whole CPU busy, and this virtual
 * machine's two CPUs get less than two: when busy enough, one of them is
 * stopped for 100 ms at a time (two busy loops lose ~6 % of their time
 * so, one loses none). Those stops, of ecmpd or of this watcher, made
 * the churn's p99: 54-90 ms over 10,000 routes spinning, 4-8 without. A
 * change sent is still watched for by spinning, to the microsecond.
 */
static void sleep_until(uint64_t abs_us)
{
	struct timespec ts = {
		.tv_sec = abs_us / 1000000,
		.tv_nsec = (abs_us % 1000000) * 1000,
	};

	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static int churn(int rate, int seconds, struct pfx *x, int nx, int nchange,
		 struct path *p)
{
	size_t cap = (size_t)rate * seconds + 1, head = 0, tail = 0, n = 0;
	struct pending *q = calloc(cap, sizeof(*q));
	uint32_t *lag = calloc(cap, sizeof(*lag)), *still;
	uint64_t t0, sent = 0, total = (uint64_t)rate * seconds, moved = 0, end;
	uint64_t frames = 0, lost = 0, drained = 0;
	int i, k = 0, f = 0, nstill = nx - nchange, nfwd = 0;
	struct verdict *before, now;
	struct probe pr;
	uint8_t *seen;

	still = calloc(nstill + 1, sizeof(*still));
	seen = calloc(nstill + 1, 1);
	before = calloc(nstill + 1, sizeof(*before));
	if (!q || !lag || !still || !seen || !before || learn(&x[0], &x[1], p) ||
	    probe_open(&pr))
		return 1;
	for (i = 0; i < nstill; i++) {
		still[i] = walk(&x[nchange + i]);
		if (probe_run(&pr, &x[nchange + i], &before[i])) {
			fprintf(stderr, "routechurn: a frame through the XDP program: %s\n",
				strerror(errno));
			return 1;
		}
		nfwd += before[i].action == XDP_REDIRECT;
	}
	/* Woken at the microsecond asked, not 50 us later (the default). */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	t0 = now_us();
	while (sent < total || head != tail) {
		uint64_t t = now_us(), due = (t - t0) * rate / 1000000;

		for (; sent < total && sent < due; sent++) {
			uint32_t idx = sent % nchange;
			const struct path *to = &p[(sent / nchange + 1) % 2];

			q[tail++] = (struct pending){ idx, to->leaf, now_us() };
			replace(&x[idx], to);
		}
		/* ecmpd applies events in order: the oldest change first. */
		while (head != tail && walk(&x[q[head].idx]) == q[head].leaf) {
			lag[n++] = now_us() - q[head].sent_us;
			head++;
		}
		if (head != tail && sent == total && now_us() > q[head].sent_us + 2000000)
			break;	/* the rest never came */
		/* A slice of the prefixes that do not change, each pass: in
		 * the trie, and the frames due through the program. */
		for (i = 0; i < 64 && nstill; i++, k = (k + 1) % nstill)
			if (!seen[k] && walk(&x[nchange + k]) != still[k]) {
				seen[k] = 1;
				moved++;
			}
		for (i = 0; i < 8 && nstill && frames < (t - t0) / PROBE_GAP_US;
		     i++, f = (f + 1) % nstill) {
			frames++;
			if (probe_run(&pr, &x[nchange + f], &now) || !same_verdict(&now, &before[f]))
				lost++;
		}
		if (sent - drained >= 256) {
			drain();
			drained = sent;
		}
		if (head == tail && sent < total) {
			uint64_t next = t0 + (sent + 1) * 1000000 / rate;
			uint64_t next_frame = t0 + (frames + 1) * PROBE_GAP_US;

			if (nstill && next_frame < next)
				next = next_frame;
			sleep_until(next);
		}
	}
	end = now_us();
	drain();
	printf("churn: %llu replaces in %.2f s (%.0f/s) over %d prefixes\n",
	       (unsigned long long)sent, (end - t0) / 1e6, sent * 1e6 / (end - t0), nchange);
	print_lags("churn", lag, n, tail - head);
	printf("churn: %llu of %d prefixes that did not change changed in the data path\n",
	       (unsigned long long)moved, nstill);
	printf("churn: %llu frames through the XDP program to those prefixes (%d forwarded before), %llu not handled as before\n",
	       (unsigned long long)frames, nfwd, (unsigned long long)lost);
	return 0;
}

static int load_file(const char *path, struct pfx **out)
{
	FILE *f = fopen(path, "r");
	char line[128];
	int n = 0, cap = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, " \n")] = 0;
		if (n == cap) {
			cap = cap ? 2 * cap : 1024;
			*out = realloc(*out, sizeof(**out) * cap);
			if (!*out)
				break;
		}
		if (!parse_pfx(line, &(*out)[n]))
			n++;
	}
	fclose(f);
	return n;
}

/* ---- fpm mode: ecmpd's FPM listener fed as zebra would ---- */

/* An address of either family; 4 or 16 bytes, 0 when it is neither. */
static int addr_of(const char *s, uint8_t *a)
{
	if (inet_pton(AF_INET, s, a) == 1)
		return 4;
	return inet_pton(AF_INET6, s, a) == 1 ? 16 : 0;
}

/* if_nametoindex() is three system calls: a table's million lines name
 * the same few devices. */
static int ifindex_of(const char *name)
{
	static struct { char name[IF_NAMESIZE]; int ifindex; } seen[16];
	static int n;
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(seen[i].name, name))
			return seen[i].ifindex;
	if (n == 16)
		return if_nametoindex(name);
	snprintf(seen[n].name, IF_NAMESIZE, "%s", name);
	seen[n].ifindex = if_nametoindex(name);
	return seen[n++].ifindex;
}

/* One line of scripts/gen-table.py ("route add PFX proto bgp nexthop via
 * GW dev DEV [weight W] ...") as an RTM_NEWROUTE put at buf. Its length,
 * or 0 for a line it does not read; a v4 prefix also goes to *v4. */
static size_t table_msg(char *line, char *buf, struct pfx *v4, int *is_v4)
{
	struct nlmsghdr *nlh;
	char *tok[64], *save = NULL, *slash;
	uint8_t a[16];
	struct nlattr *mp;
	int n = 0, i, len, plen;

	for (char *t = strtok_r(line, " \n", &save); t && n < 64; t = strtok_r(NULL, " \n", &save))
		tok[n++] = t;
	if (n < 3 || strcmp(tok[0], "route") || strcmp(tok[1], "add") || !(slash = strchr(tok[2], '/')))
		return 0;
	*slash = 0;
	len = addr_of(tok[2], a);
	if (!len)
		return 0;
	plen = atoi(slash + 1);
	nlh = route_msg(buf, len == 4 ? AF_INET : AF_INET6, a, plen);
	*is_v4 = len == 4;
	if (*is_v4) {
		memset(v4, 0, sizeof(*v4));
		memcpy(v4->addr, a, 4);
		v4->len = plen;
	}
	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	for (i = 3; i + 4 < n; i++) {
		struct rtnexthop *nh;
		char *gw;
		int glen;

		if (strcmp(tok[i], "nexthop") || strcmp(tok[i + 1], "via") || strcmp(tok[i + 3], "dev"))
			continue;
		gw = (char *)mnl_nlmsg_get_payload_tail(nlh);
		nh = (struct rtnexthop *)gw;
		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
		memset(nh, 0, sizeof(*nh));
		nh->rtnh_ifindex = ifindex_of(tok[i + 4]);
		if (i + 6 < n && !strcmp(tok[i + 5], "weight"))
			nh->rtnh_hops = atoi(tok[i + 6]) - 1;
		glen = addr_of(tok[i + 2], a);
		mnl_attr_put(nlh, RTA_GATEWAY, glen, a);
		nh->rtnh_len = (char *)mnl_nlmsg_get_payload_tail(nlh) - gw;
	}
	mnl_attr_nest_end(nlh, mp);
	return nlh->nlmsg_len;
}

/* Connects to ecmpd's listener on 127.0.0.1:port and sends FILE's routes
 * in frames as full as FPM allows, then a marker route; waits until the
 * data path routes the marker anew (the stream's table, or its replay
 * over the last run's, taken whole), then settle_ms more (ecmpd's sweep
 * and quiet time: patches only after). The table's IPv4 prefixes in
 * *out. */
static int fpm_load(int port, const char *file, int settle_ms, struct pfx **out, int *nout)
{
	static char frame[65535], msg[4096];
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct pfx marker, v4, *list = NULL;
	struct path p[2];
	size_t used = 4, l;
	int nv4 = 0, cap = 0, is_v4;
	uint32_t was;
	uint64_t t0 = now_us(), end;
	char line[1024];
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fpm_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fpm_fd < 0 || connect(fpm_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("routechurn: connect to ecmpd's FPM listener");
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		l = table_msg(line, msg, &v4, &is_v4);
		if (!l)
			continue;
		if (used + l > sizeof(frame)) {
			frame[0] = frame[1] = 1;
			frame[2] = used >> 8;
			frame[3] = used & 0xff;
			if (write(fpm_fd, frame, used) != (ssize_t)used)
				errors++;
			used = 4;
		}
		memcpy(frame + used, msg, l);
		used += l;
		if (is_v4) {
			if (nv4 == cap) {
				cap = cap ? 2 * cap : 4096;
				list = realloc(list, sizeof(*list) * cap);
				if (!list)
					return -1;
			}
			list[nv4++] = v4;
		}
	}
	fclose(f);
	if (used > 4) {
		frame[0] = frame[1] = 1;
		frame[2] = used >> 8;
		frame[3] = used & 0xff;
		if (write(fpm_fd, frame, used) != (ssize_t)used)
			errors++;
	}
	/* The marker: 198.19.255.0/24 over a set of this run's own. */
	parse_pfx("198.19.255.0/24", &marker);
	was = walk(&marker);
	if (parse_path("198.18.1.2@r1", &p[0]) || parse_path("198.18.2.2@r2", &p[1]))
		return -1;
	replace_multipath(&marker, p, 2 + getpid() % 200);
	end = now_us() + 600 * 1000000ull;
	while (walk(&marker) == was && now_us() < end)
		usleep(10000);
	if (walk(&marker) == was) {
		fprintf(stderr, "routechurn: ecmpd did not take the FPM table within 600 s\n");
		return -1;
	}
	printf("fpm: %d IPv4 prefixes and the rest of %s sent and in the data path in %llu ms\n",
	       nv4, file, (unsigned long long)(now_us() - t0) / 1000);
	usleep(settle_ms * 1000);
	*out = list;
	*nout = nv4;
	return 0;
}

/* In fpm mode the bench's two prefixes go on one gateway each first, as
 * the script does with `ip route replace` for the kernel. */
static void fpm_prepare(const struct pfx *x, const struct path *p)
{
	if (fpm_fd < 0)
		return;
	replace(&x[0], &p[0]);
	replace(&x[1], &p[1]);
	usleep(500000);
}

/* ip nexthop del id OBJ, then each of the n prefixes over it (x) timed
 * until the data path no longer routes it as it did. */
static int objremove(struct pfx *x, int n, uint32_t obj)
{
	uint32_t *was = calloc(n, sizeof(*was));
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nhmsg *nhm;
	uint64_t t0, sys, first = 0, last = 0, end;
	int left = n, i;

	if (!was)
		return 1;
	for (i = 0; i < n; i++) {
		was[i] = walk(&x[i]);
		if (was[i] == ECMP_LPM_NONE || was[i] >= ECMP_LPM_CONNECTED) {
			fprintf(stderr, "routechurn: %d.%d.%d.%d/%d is not on a mirrored group\n",
				x[i].addr[0], x[i].addr[1], x[i].addr[2], x[i].addr[3], x[i].len);
			return 1;
		}
	}
	nlh->nlmsg_type = RTM_DELNEXTHOP;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	nhm->nh_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NHA_ID, obj);
	t0 = now_us();
	end = t0 + 30000000;
	send_msg(nlh);
	sys = now_us() - t0;
	/* The prefixes still as they were are kept at the front; polled
	 * with short sleeps, not spinning (see objects()). */
	while (left && now_us() < end) {
		for (i = 0; i < left; i++) {
			if (walk(&x[i]) == was[i])
				continue;
			last = now_us() - t0;
			if (!first)
				first = last;
			x[i] = x[left - 1];
			was[i] = was[--left];
			i--;
		}
		if (left)
			usleep(100);
	}
	drain();
	printf("objremove: %d prefixes over the object; the request's own system call %llu us; "
	       "first out of the data path after %llu us, the last after %llu us; %d never; %llu refused by the kernel\n",
	       n, (unsigned long long)sys, (unsigned long long)first,
	       (unsigned long long)last, left, (unsigned long long)errors);
	free(was);
	return left != 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: routechurn PIN_ROOT latency COUNT PREFIX1 PREFIX2 GW1@DEV1 GW2@DEV2\n"
		"       routechurn PIN_ROOT churn RATE SECONDS FILE NCHANGE GW1@DEV1 GW2@DEV2\n"
		"       routechurn PIN_ROOT newsets COUNT PREFIX GW1@DEV1 GW2@DEV2\n"
		"       routechurn PIN_ROOT objects COUNT GAP_MS PREFIX OBJ A B C\n"
		"       routechurn PIN_ROOT objremove FILE OBJ\n"
		"       routechurn PIN_ROOT fpm PORT TABLE SETTLE_MS MODE ARGS...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct path p[2];
	int err;

	if (argc < 3)
		usage();
	err = dp_open_pinned(&dp, argv[1], 0);
	if (err) {
		fprintf(stderr, "routechurn: cannot open the maps pinned in %s: %s\n",
			argv[1], strerror(-err));
		return 1;
	}
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("routechurn: netlink");
		return 1;
	}
	if (!strcmp(argv[2], "fpm") && argc >= 7) {
		struct pfx *table;
		int ntable;

		if (fpm_load(atoi(argv[3]), argv[4], atoi(argv[5]), &table, &ntable))
			return 1;
		free(table);
		/* The mode's own words after the fpm ones. */
		argv[5] = argv[1];
		argv += 4;
		argc -= 4;
	}
	if (!strcmp(argv[2], "latency") && argc == 8) {
		struct pfx x[2];

		if (parse_pfx(argv[4], &x[0]) || parse_pfx(argv[5], &x[1]) ||
		    parse_path(argv[6], &p[0]) || parse_path(argv[7], &p[1]))
			usage();
		fpm_prepare(x, p);
		return latency(atoi(argv[3]), x, p);
	}
	if (!strcmp(argv[2], "newsets") && argc == 7) {
		struct pfx x;

		if (parse_pfx(argv[4], &x) || parse_path(argv[5], &p[0]) ||
		    parse_path(argv[6], &p[1]))
			usage();
		return new_sets(atoi(argv[3]), &x, p);
	}
	if (!strcmp(argv[2], "objects") && argc == 10) {
		struct pfx x;

		if (parse_pfx(argv[5], &x) || fpm_fd >= 0)
			usage();
		return objects(atoi(argv[3]), atoi(argv[4]), &x, strtoul(argv[6], NULL, 10),
			       strtoul(argv[7], NULL, 10), strtoul(argv[8], NULL, 10),
			       strtoul(argv[9], NULL, 10));
	}
	if (!strcmp(argv[2], "objremove") && argc == 5) {
		struct pfx *x = NULL;
		int nx = load_file(argv[3], &x);

		if (nx < 1 || fpm_fd >= 0)
			usage();
		return objremove(x, nx, strtoul(argv[4], NULL, 10));
	}
	if (!strcmp(argv[2], "churn") && argc == 9) {
		struct pfx *x = NULL;
		int nx = load_file(argv[5], &x), nchange = atoi(argv[6]);

		if (nx < 2 || nchange < 1 || nchange > nx ||
		    parse_path(argv[7], &p[0]) || parse_path(argv[8], &p[1]))
			usage();
		fpm_prepare(x, p);
		return churn(atoi(argv[3]), atoi(argv[4]), x, nx, nchange, p);
	}
	usage();
	return 2;
}
