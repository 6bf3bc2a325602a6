// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * zebra's FPM stream as ecmpd takes it (user/ecmpd/fpm.c), over a real
 * TCP connection on 127.0.0.1: frames of netlink route and nexthop
 * messages (nexthop groups before and after the routes naming them, a
 * frame split across writes, DEL+NEW in one frame), the replay after a
 * reconnect gathered apart and taken whole at its end, the hold after a
 * loss, the precedence over the
 * kernel's copy of a route; then hostile frames.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>

#include "ecmpd/fpm.h"
#include "ecmpd/fpm_table.h"
#include "ecmpd/mirror.h"
#include "ecmpd/plane.h"
#include "../test.h"
#include "nl_build.h"

TEST_STATE_DEFINE;

static struct fpm *f;
static int client = -1;
static uint64_t now = 1000000;
static char lo[IF_NAMESIZE];

/* A frame around the messages put from here on: frame_end() fills in
 * its header. */
static size_t frame_at;

static void frame_begin(void)
{
	frame_at = nl_used;
	nl_used += FPM_HEADER_LEN;
}

static void frame_end(void)
{
	size_t len = nl_used - frame_at;

	nl_buf[frame_at] = FPM_VERSION;
	nl_buf[frame_at + 1] = FPM_TYPE_NETLINK;
	nl_buf[frame_at + 2] = len >> 8;
	nl_buf[frame_at + 3] = len & 0xff;
}

static uint32_t sweep_ms;	/* the config's sweep for the next start() */

/* One more than ecmpd holds while zebra's stream is up (fpm.c). */
#define FPM_CHALLENGERS_TEST	5

/* The tests' `routes fpm`: 127.0.0.1, a port the kernel picks, the main
 * table, hold 30 s, sweep_ms. */
static struct conf_fpm test_conf(void)
{
	return (struct conf_fpm){ .enabled = 1, .family = ECMP_AF_INET,
				  .addr = { 127, 0, 0, 1 }, .port = 0, .table = RT_TABLE_MAIN,
				  .hold_ms = 30000, .sweep_ms = sweep_ms };
}

/* A new fpm listening as c says. */
static void start_conf(const struct conf_fpm *c)
{
	char err[256];

	fpm_free(f);
	f = fpm_new();
	ASSERT_TRUE(f != NULL, "fpm_new");
	ASSERT_EQ(fpm_configure(f, c, now, err, sizeof(err)), 1, "listening");
}

static void start(void)
{
	struct conf_fpm c = test_conf();

	start_conf(&c);
}

/* zebra connects (port 0 above: the one the kernel gave). */
static void connect_zebra(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	uint64_t before = fpm_stats(f)->connections;
	int i;

	getsockname(fpm_listen_fd(f), (struct sockaddr *)&a, &al);
	client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_EQ(connect(client, (struct sockaddr *)&a, al), 0, "connect");
	for (i = 0; i < 100 && fpm_stats(f)->connections == before; i++) {
		fpm_accept(f, now);
		if (fpm_stats(f)->connections == before)
			usleep(10000);
	}
	ASSERT_TRUE(fpm_conn_fd(f) >= 0 && fpm_stats(f)->connections == before + 1, "accepted");
	ASSERT_STR_EQ(fpm_state(f), "replaying", "replaying after the connect");
}

/* Sends what was put (in two writes split at cut, if not 0) and has ecmpd
 * read it; returns fpm_read()'s "changed". */
static int send_and_read(size_t cut)
{
	struct pollfd p = { .fd = fpm_conn_fd(f), .events = POLLIN };
	int changed = 0;

	if (cut) {
		ASSERT_EQ(write(client, nl_buf, cut), (long long)cut, "first part");
		poll(&p, 1, 1000);
		changed |= fpm_read(f, now);
	}
	ASSERT_EQ(write(client, nl_buf + cut, nl_used - cut), (long long)(nl_used - cut), "write");
	nl_used = 0;
	p.fd = fpm_conn_fd(f);
	poll(&p, 1, 1000);
	changed |= fpm_read(f, now);
	return changed;
}

static struct ecmp_conf out;

/* The mirror as ecmpd builds it from what the stream holds (and the
 * kernel's routes in nl_buf, when kernel is set). */
static void merge(int kernel)
{
	static struct conf_kernel_routes k = { .enabled = 1, .table = RT_TABLE_MAIN };
	struct mirror *m = mirror_new();
	struct plane p = { 0 };
	struct ecmp_conf file = { 0 };

	k.proto[RTPROT_BGP / 8] |= 1 << (RTPROT_BGP % 8);
	config_free(&out);
	mirror_begin(m);
	if (kernel) {
		const struct nlmsghdr *nlh;
		static struct nl_route r;
		int left = nl_used;

		for (nlh = (void *)nl_buf; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			if (!nl_route_parse(nlh, &r))
				mirror_take(m, &k, &r);
		nl_used = 0;
	}
	fpm_feed(f, m);
	ASSERT_EQ(mirror_finish(m), 0, "finish");
	ASSERT_EQ(mirror_merge(m, &file, &p, &out), 0, "merge");
	mirror_free(m);
}

static const char *group_of(const char *dst)
{
	const struct conf_route *r = route_of(&out, dst);

	return r && r->group >= 0 ? out.group[r->group].name : "-";
}

static char want[256];

static const char *names(const char *a, const char *b)
{
	if (b)
		snprintf(want, sizeof(want), a, lo, lo);
	else
		snprintf(want, sizeof(want), a, lo);
	return want;
}

static void test_fpm_stream(void)
{
	const struct nhspec objs[] = {
		{ .id = 1, .via = "198.18.1.2" },
		{ .id = 2, .via = "198.18.2.2" },
		{ .id = 10, .ngroup = 2, .group = { { 1, 1 }, { 2, 3 } } },
	};
	unsigned i;

	start();
	connect_zebra();
	/* Frame 1: nexthop groups, then routes over one and inline. */
	frame_begin();
	for (i = 0; i < 3; i++)
		put_nexthop(&objs[i]);
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .protocol = RTPROT_ZEBRA, .nh_id = 10 });
	put_route(&(struct spec){ .dst = "198.19.2.0/24", .protocol = 188, .nhops = 2,
				  .hop = { { "198.18.1.2" }, { "198.18.3.2" } } });
	put_route(&(struct spec){ .dst = "2001:db8:100::/48", .nhops = 1, .hop = { { "2001:db8:1::2" } } });
	put_route(&(struct spec){ .dst = "198.19.9.0/24", .table = 100, .nhops = 1,
				  .hop = { { "198.18.1.2" } } });	/* a VRF's */
	frame_end();
	/* Frame 2: a route over a group not sent yet; frame 3: the group. */
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.3.0/24", .nh_id = 20 });
	frame_end();
	frame_begin();
	put_nexthop(&(struct nhspec){ .id = 20, .ngroup = 1, .group = { { 2, 1 } } });
	frame_end();
	/* Split inside frame 1's header. */
	ASSERT_EQ(send_and_read(3), 1, "the routes changed");
	ASSERT_EQ(fpm_stats(f)->frames, 3, "three frames");
	ASSERT_EQ(fpm_stats(f)->routes, 4, "four routes held (not the VRF's)");
	ASSERT_EQ(fpm_stats(f)->groups, 4, "four nexthop objects");
	ASSERT_EQ(fpm_stats(f)->ignored, 1, "the VRF's route ignored");
	ASSERT_EQ(fpm_stats(f)->malformed, 0, "nothing malformed");
	merge(0);
	ASSERT_STR_EQ(members_of(&out, "198.19.1.0/24"), names("198.18.1.2@%s 198.18.2.2@%s*3", lo),
		      "over a nexthop group: its paths, weights kept");
	ASSERT_TRUE(!strncmp(group_of("198.19.1.0/24"), ECMP_FPM_GROUP_PREFIX,
			     strlen(ECMP_FPM_GROUP_PREFIX)), "an fpm: group");
	ASSERT_STR_EQ(members_of(&out, "198.19.2.0/24"), names("198.18.1.2@%s 198.18.3.2@%s", lo),
		      "inline multipath, any protocol");
	ASSERT_STR_EQ(members_of(&out, "198.19.3.0/24"), names("198.18.2.2@%s", NULL),
		      "a group that came after its route");
	ASSERT_STR_EQ(members_of(&out, "2001:db8:100::/48"), names("2001:db8:1::2@%s", NULL), "IPv6");
	ASSERT_STR_EQ(members_of(&out, "198.19.9.0/24"), "none", "another table: not taken");

	/* One frame: DEL and NEW of a prefix, a replace; then a DEL alone. */
	frame_begin();
	put_route(&(struct spec){ .type = RTM_DELROUTE, .dst = "198.19.2.0/24" });
	put_route(&(struct spec){ .dst = "198.19.2.0/24", .nhops = 1, .hop = { { "198.18.4.2" } } });
	frame_end();
	ASSERT_EQ(send_and_read(0), 1, "replaced");
	merge(0);
	ASSERT_STR_EQ(members_of(&out, "198.19.2.0/24"), names("198.18.4.2@%s", NULL),
		      "DEL+NEW in one frame: the new route");
	frame_begin();
	put_route(&(struct spec){ .type = RTM_DELROUTE, .dst = "198.19.3.0/24" });
	frame_end();
	ASSERT_EQ(send_and_read(0), 1, "deleted");
	merge(0);
	ASSERT_STR_EQ(members_of(&out, "198.19.3.0/24"), "none", "deleted");
	ASSERT_EQ(fpm_stats(f)->routes, 3, "three left");

	/* zebra's route wins over the kernel's copy of the prefix. */
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .nhops = 1, .hop = { { "198.18.9.2" } } });
	put_route(&(struct spec){ .dst = "198.19.5.0/24", .nhops = 1, .hop = { { "198.18.9.2" } } });
	merge(1);
	ASSERT_STR_EQ(members_of(&out, "198.19.1.0/24"), names("198.18.1.2@%s 198.18.2.2@%s*3", lo),
		      "zebra's route over the kernel's");
	ASSERT_STR_EQ(members_of(&out, "198.19.5.0/24"), names("198.18.9.2@%s", NULL),
		      "the kernel's alone: mirrored");
	ASSERT_TRUE(!strncmp(group_of("198.19.5.0/24"), ECMP_MIRROR_GROUP_PREFIX,
			     strlen(ECMP_MIRROR_GROUP_PREFIX)), "a kernel: group");
	close(client);
}

/* Changes one by one (fpm_set_patcher): each group as it comes, each
 * prefix a frame names after the frame, as the table then holds it (a
 * DEL+NEW is the NEW twice, never a gap); a change the hook refuses
 * makes fpm_read() say the routes changed (a whole merge). */
static struct {
	int routes, nexthops, refuse, unused;
	struct nl_route last;
	uint32_t last_id;
} hook;

static int hook_route(void *ctx, const struct nl_route *r)
{
	hook.routes++;
	hook.last = *r;
	return hook.refuse;
}

static int hook_nexthop(void *ctx, const struct nl_nexthop *n, int unused)
{
	hook.nexthops++;
	hook.last_id = n->id;
	hook.unused = unused;
	return hook.refuse;
}

static void test_fpm_patches(void)
{
	struct fpm_patcher p = { hook_route, hook_nexthop, NULL };
	uint8_t a4[4];

	sweep_ms = 1000;
	start();
	fpm_set_patcher(f, &p);
	connect_zebra();
	memset(&hook, 0, sizeof(hook));
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.9.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } });
	frame_end();
	ASSERT_EQ(send_and_read(0), 1, "the stream's first table: a whole merge");
	ASSERT_EQ(hook.routes, 0, "not route by route");
	now += sweep_ms + FPM_REPLAY_QUIET_MS;
	fpm_tick(f, now);
	ASSERT_STR_EQ(fpm_state(f), "connected", "then connected");
	frame_begin();
	put_nexthop(&(struct nhspec){ .id = 1, .via = "198.18.1.2" });
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .nh_id = 1 });
	frame_end();
	ASSERT_EQ(send_and_read(0), 0, "taken by the hooks: no whole merge");
	ASSERT_EQ(hook.nexthops, 1, "the group, once");
	ASSERT_EQ(hook.last_id, 1, "its id");
	ASSERT_EQ(hook.routes, 1, "the route, once");
	ASSERT_EQ(hook.last.nh_id, 1, "over the group");
	ASSERT_TRUE(!hook.last.deleted && hook.last.prefixlen == 24, "as held");

	memset(&hook, 0, sizeof(hook));
	frame_begin();
	put_route(&(struct spec){ .type = RTM_DELROUTE, .dst = "198.19.1.0/24" });
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .nhops = 1, .hop = { { "198.18.4.2" } } });
	frame_end();
	ASSERT_EQ(send_and_read(0), 0, "DEL+NEW taken");
	inet_pton(AF_INET, "198.18.4.2", a4);
	ASSERT_EQ(hook.routes, 2, "the prefix named twice");
	ASSERT_TRUE(!hook.last.deleted && hook.last.nnh == 1 && !memcmp(hook.last.nh[0].via, a4, 4),
		    "both times the NEW: no gap in between");
	ASSERT_TRUE(hook.last.nlflags & NLM_F_REPLACE, "as a replace");

	memset(&hook, 0, sizeof(hook));
	frame_begin();
	put_route(&(struct spec){ .type = RTM_DELROUTE, .dst = "198.19.1.0/24" });
	frame_end();
	ASSERT_EQ(send_and_read(0), 0, "DEL taken");
	ASSERT_TRUE(hook.routes == 1 && hook.last.deleted, "the prefix gone");

	/* Groups removed: one a route still names, one none does. */
	frame_begin();
	put_nexthop(&(struct nhspec){ .id = 3, .via = "198.18.3.2" });
	put_route(&(struct spec){ .dst = "198.19.3.0/24", .nh_id = 3 });
	frame_end();
	send_and_read(0);
	hook.nexthops = 0;
	frame_begin();
	put_nexthop(&(struct nhspec){ .id = 3, .via = "198.18.3.2", .deleted = 1 });
	frame_end();
	send_and_read(0);
	ASSERT_TRUE(hook.nexthops == 1 && !hook.unused, "a group a route names: not unused");
	frame_begin();
	put_nexthop(&(struct nhspec){ .id = 1, .via = "198.18.1.2", .deleted = 1 });
	frame_end();
	send_and_read(0);
	ASSERT_TRUE(hook.nexthops == 2 && hook.unused && hook.last_id == 1,
		    "a group no route names: unused");
	frame_begin();
	put_route(&(struct spec){ .type = RTM_DELROUTE, .dst = "198.19.3.0/24" });
	frame_end();
	send_and_read(0);

	hook.refuse = -EAGAIN;
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.2.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } });
	frame_end();
	ASSERT_EQ(send_and_read(0), 1, "a route the hook refuses: a whole merge");
	frame_begin();
	put_nexthop(&(struct nhspec){ .id = 2, .via = "198.18.2.2" });
	frame_end();
	ASSERT_EQ(send_and_read(0), 1, "a group the hook refuses: a whole merge");
	ASSERT_EQ(fpm_stats(f)->routes, 2, "the table holds the refused route all the same");
	close(client);
}

/* A reconnect replays the whole FIB; what it leaves out goes once the
 * sweep time has passed and the stream has been quiet for
 * FPM_REPLAY_QUIET_MS, not before. Then the hold: a stream gone that long
 * takes its routes with it. */
static void test_fpm_replay(void)
{
	sweep_ms = 10000;
	start();
	connect_zebra();
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .nhops = 2,
				  .hop = { { "198.18.1.2" }, { "198.18.3.2" } } });
	put_route(&(struct spec){ .dst = "198.19.2.0/24", .nhops = 1, .hop = { { "198.18.2.2" } } });
	frame_end();
	ASSERT_EQ(send_and_read(0), 1, "the first stream: taken at once");
	now += sweep_ms;
	ASSERT_EQ(fpm_tick(f, now), 0, "the first replay: nothing to sweep");
	ASSERT_STR_EQ(fpm_state(f), "connected", "connected");
	close(client);
	fpm_read(f, now);
	ASSERT_STR_EQ(fpm_state(f), "lost", "the stream ended");
	ASSERT_EQ(fpm_stats(f)->routes, 2, "its routes stay");

	/* zebra back: 198.19.1.0/24 rebuilt path by path, a new prefix,
	 * 198.19.2.0/24 not sent again. The mirror keeps what it held until
	 * the replay's end, then takes the replay whole. */
	now += 1000;
	connect_zebra();
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } });
	frame_end();
	ASSERT_EQ(send_and_read(0), 0, "a replay over held routes: gathered apart");
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .nhops = 2,
				  .hop = { { "198.18.1.2" }, { "198.18.3.2" } } });
	put_route(&(struct spec){ .dst = "198.19.5.0/24", .nhops = 1, .hop = { { "198.18.4.2" } } });
	frame_end();
	send_and_read(0);
	ASSERT_EQ(fpm_stats(f)->replayed, 2, "two routes replayed so far");
	merge(0);
	ASSERT_STR_EQ(members_of(&out, "198.19.1.0/24"), names("198.18.1.2@%s 198.18.3.2@%s", lo),
		      "during the replay: the held route, not its steps");
	ASSERT_STR_EQ(members_of(&out, "198.19.5.0/24"), "none", "a new prefix waits for the end");
	ASSERT_EQ(fpm_tick(f, now + FPM_REPLAY_QUIET_MS), 0, "quiet, inside the sweep time: nothing swept");
	ASSERT_EQ(fpm_stats(f)->routes, 2, "both held during the replay");
	/* A message late in the sweep time: quiet counts from it. */
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.5.0/24", .nhops = 1, .hop = { { "198.18.4.2" } } });
	frame_end();
	now += sweep_ms - 500;
	send_and_read(0);
	ASSERT_EQ(fpm_tick(f, now + 500), 0, "the sweep time over, the stream not quiet: nothing swept");
	ASSERT_EQ(fpm_tick(f, now + FPM_REPLAY_QUIET_MS), 1, "both: the replay taken");
	ASSERT_EQ(fpm_stats(f)->routes, 2, "the replay's two routes");
	ASSERT_EQ(fpm_stats(f)->swept, 1, "the one not replayed counted");
	merge(0);
	ASSERT_STR_EQ(members_of(&out, "198.19.2.0/24"), "none", "not replayed: gone");
	ASSERT_STR_EQ(members_of(&out, "198.19.1.0/24"), names("198.18.1.2@%s 198.18.3.2@%s", lo),
		      "the rebuilt route as it was");
	ASSERT_STR_EQ(members_of(&out, "198.19.5.0/24"), names("198.18.4.2@%s", NULL), "the new one in");
	now += FPM_REPLAY_QUIET_MS;

	/* A replay cut short leaves the held routes as they were. */
	now += 5000;
	close(client);
	fpm_read(f, now);
	connect_zebra();
	ASSERT_EQ(fpm_stats(f)->connections, 3, "three connections");
	frame_begin();
	put_route(&(struct spec){ .type = RTM_DELROUTE, .dst = "198.19.5.0/24" });
	frame_end();
	send_and_read(0);
	close(client);
	fpm_read(f, now);
	merge(0);
	ASSERT_STR_EQ(members_of(&out, "198.19.5.0/24"), names("198.18.4.2@%s", NULL),
		      "a replay cut short: the held routes stay");
	ASSERT_EQ(fpm_tick(f, now + 29999), 0, "inside the hold: kept");
	ASSERT_EQ(fpm_tick(f, now + 30000), 1, "the hold is over: removed");
	ASSERT_EQ(fpm_stats(f)->routes, 0, "nothing held");
}

/* Frames that are not FPM netlink end the stream; a bad message inside a
 * good frame is counted and the stream goes on. */
static void test_fpm_hostile(void)
{
	static const struct { const char *what; uint8_t b[4]; } bad_headers[] = {
		{ "version 2", { 2, 1, 0, 4 } },
		{ "type 2 (protobuf)", { 1, 2, 0, 4 } },
		{ "length 3", { 1, 1, 0, 3 } },
	};
	int changed;
	unsigned i;

	for (i = 0; i < sizeof(bad_headers) / sizeof(bad_headers[0]); i++) {
		start();
		ASSERT_EQ(fpm_input(f, bad_headers[i].b, 4, now, &changed), -EPROTO, bad_headers[i].what);
		ASSERT_EQ(fpm_stats(f)->malformed, 1, bad_headers[i].what);
	}
	start();
	/* A message longer than its frame: the frame's rest is skipped, the
	 * next frame taken. */
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } });
	((struct nlmsghdr *)(nl_buf + FPM_HEADER_LEN))->nlmsg_len += 64;
	frame_end();
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.2.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } });
	frame_end();
	/* A route whose RTA_DST is cut to 5 bytes: refused alone. */
	frame_begin();
	{
		size_t at = nl_used;
		struct nlmsghdr *nlh = (void *)(nl_buf + at);
		struct nlattr *a;

		put_route(&(struct spec){ .dst = "198.19.3.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } });
		mnl_attr_for_each(a, nlh, sizeof(struct rtmsg))
			if (mnl_attr_get_type(a) == RTA_DST)
				a->nla_len = 5;
	}
	frame_end();
	/* Half a frame: kept for the next bytes. */
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.4.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } });
	frame_end();
	ASSERT_EQ(fpm_input(f, nl_buf, nl_used - 10, now, &changed), 0, "a stream still followed");
	ASSERT_EQ(changed, 1, "the good frame taken");
	ASSERT_EQ(fpm_stats(f)->malformed, 2, "the long message and the cut RTA_DST");
	ASSERT_EQ(fpm_stats(f)->routes, 1, "only 198.19.2.0/24 so far");
	ASSERT_EQ(fpm_input(f, nl_buf + nl_used - 10, 10, now, &changed), 0, "the rest");
	ASSERT_EQ(fpm_stats(f)->routes, 2, "and the completed frame's");
	nl_used = 0;
	merge(0);
	ASSERT_STR_EQ(members_of(&out, "198.19.1.0/24"), "none", "the long message: not taken");
	ASSERT_STR_EQ(members_of(&out, "198.19.4.0/24"), names("198.18.1.2@%s", NULL),
		      "the frame that came in two parts");
}

/* A client that connects while zebra's stream is up (fpm_accept()). */
static int connect_raw(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int s;

	getsockname(fpm_listen_fd(f), (struct sockaddr *)&a, &al);
	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_EQ(connect(s, (struct sockaddr *)&a, al), 0, "connect");
	fpm_accept(f, now);	/* on loopback, queued once connect() returns */
	return s;
}

/* Whether ecmpd closed s within a second: EOF, or a reset when it
 * closed with bytes of s's unread. */
static int closed_by_ecmpd(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };
	char b[64];
	ssize_t n;

	if (poll(&p, 1, 1000) != 1)
		return 0;
	n = read(s, b, sizeof(b));
	return n == 0 || (n < 0 && errno == ECONNRESET);
}

/* Port probes, health checks and stray clients while zebra's stream is
 * up: none ends it (each would make zebra reconnect and replay its whole
 * table, or, zebra slower to come back than the sweep, remove every
 * route); a zebra that comes back before its old socket timed out takes
 * over with its first frame; with zebra's stream gone, a waiting
 * connection takes its place. */
static void test_fpm_challengers(void)
{
	static const char http[] = "GET / HTTP/1.0\r\n\r\n";
	struct pollfd p;
	int zebra_fd, probe, left, zebra2, many[FPM_CHALLENGERS_TEST], i;

	sweep_ms = 1000;
	start();
	connect_zebra();
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } });
	frame_end();
	ASSERT_EQ(send_and_read(0), 1, "zebra's first route");
	zebra_fd = fpm_conn_fd(f);

	probe = connect_raw();
	fpm_tick(f, now);
	ASSERT_EQ(fpm_conn_fd(f), zebra_fd, "a silent probe: zebra's stream stays");
	ASSERT_EQ(fpm_stats(f)->connections, 1, "the probe is not counted zebra's");
	now += sweep_ms + FPM_REPLAY_QUIET_MS;
	fpm_tick(f, now);
	ASSERT_STR_EQ(fpm_state(f), "connected", "zebra's first stream over, the probe waiting");
	ASSERT_EQ(fpm_stats(f)->routes, 1, "zebra's route held");
	now += FPM_CHALLENGE_MS;
	fpm_tick(f, now);
	ASSERT_TRUE(closed_by_ecmpd(probe), "silent for FPM_CHALLENGE_MS: closed");
	ASSERT_EQ(fpm_stats(f)->refused, 1, "refused");
	close(probe);

	probe = connect_raw();
	ASSERT_EQ(write(probe, http, sizeof(http) - 1), (long long)sizeof(http) - 1, "an HTTP check");
	left = connect_raw();
	close(left);
	usleep(20000);
	fpm_tick(f, now);
	ASSERT_TRUE(closed_by_ecmpd(probe), "not FPM: closed");
	ASSERT_EQ(fpm_stats(f)->refused, 3, "that one, and one that left at once");
	ASSERT_EQ(fpm_stats(f)->malformed, 0, "none of their bytes read as zebra's");
	ASSERT_EQ(fpm_conn_fd(f), zebra_fd, "zebra's stream stays");
	close(probe);

	/* One more than are held: the oldest goes. */
	for (i = 0; i < FPM_CHALLENGERS_TEST; i++) {
		many[i] = connect_raw();
		now++;
	}
	ASSERT_TRUE(closed_by_ecmpd(many[0]), "the oldest of five closed");
	ASSERT_EQ(fpm_stats(f)->refused, 4, "refused");
	for (i = 0; i < FPM_CHALLENGERS_TEST; i++)
		close(many[i]);
	usleep(20000);
	fpm_tick(f, now);
	ASSERT_EQ(fpm_stats(f)->refused, FPM_CHALLENGERS_TEST + 3, "the others, closed");

	/* zebra back while its old socket lingers (a remote zebra restarted
	 * with no FIN sent): its first frame takes over, the replay starts. */
	zebra2 = connect_raw();
	ASSERT_EQ(fpm_conn_fd(f), zebra_fd, "no frame yet: the old stream stays");
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } });
	frame_end();
	ASSERT_EQ(write(zebra2, nl_buf, nl_used), (long long)nl_used, "its replay");
	nl_used = 0;
	usleep(20000);
	fpm_tick(f, now);
	ASSERT_TRUE(fpm_conn_fd(f) >= 0 && fpm_conn_fd(f) != zebra_fd, "zebra's new connection taken");
	ASSERT_EQ(fpm_stats(f)->connections, 2, "counted");
	ASSERT_STR_EQ(fpm_state(f), "replaying", "replaying");
	ASSERT_TRUE(closed_by_ecmpd(client), "the old one closed");
	close(client);
	p = (struct pollfd){ .fd = fpm_conn_fd(f), .events = POLLIN };
	poll(&p, 1, 1000);
	fpm_read(f, now);
	ASSERT_EQ(fpm_stats(f)->replayed, 1, "its first frame read as the replay");
	ASSERT_EQ(fpm_stats(f)->malformed, 0, "whole");

	/* zebra's stream gone: a waiting connection takes its place. */
	probe = connect_raw();
	close(zebra2);
	poll(&p, 1, 1000);
	fpm_read(f, now);
	ASSERT_STR_EQ(fpm_state(f), "lost", "zebra's connection ended");
	fpm_tick(f, now);
	ASSERT_EQ(fpm_stats(f)->connections, 3, "the waiting one taken");
	ASSERT_STR_EQ(fpm_state(f), "replaying", "as a new connection");
	ASSERT_EQ(fpm_stats(f)->routes, 1, "the held route stays for its replay");
	close(probe);
	fpm_read(f, now);
}

/* A reload to c on the same listener that ends zebra's connection. */
static void reload_ending_stream(const struct conf_fpm *c)
{
	char err[256];

	ASSERT_EQ(fpm_configure(f, c, now, err, sizeof(err)), 0, "reloaded: the same listener");
	ASSERT_STR_EQ(fpm_state(f), "lost", "zebra's connection ended");
	ASSERT_TRUE(closed_by_ecmpd(client), "closed by ecmpd");
	close(client);
}

/* `from`: a connection from elsewhere is refused at once, whether
 * zebra's is up or not; a reload that leaves zebra's address out ends
 * its connection. */
static void test_fpm_from(void)
{
	struct conf_fpm c;
	char err[256];
	int s;

	sweep_ms = 1000;
	c = test_conf();
	c.from[0] = (struct conf_from){ .family = ECMP_AF_INET, .len = 15, .addr = { 198, 18 } };
	c.nfrom = 1;
	start_conf(&c);
	s = connect_raw();
	ASSERT_TRUE(closed_by_ecmpd(s), "127.0.0.1 is not in 198.18.0.0/15: closed");
	close(s);
	ASSERT_EQ(fpm_stats(f)->refused, 1, "refused");
	ASSERT_EQ(fpm_stats(f)->connections, 0, "not zebra's");
	ASSERT_STR_EQ(fpm_state(f), "listening", "still listening");

	/* A reload lets 127.0.0.0/8 in (the same listener). */
	c.from[1] = (struct conf_from){ .family = ECMP_AF_INET, .len = 8, .addr = { 127 } };
	c.nfrom = 2;
	ASSERT_EQ(fpm_configure(f, &c, now, err, sizeof(err)), 0, "reloaded: the same listener");
	connect_zebra();
	ASSERT_EQ(fpm_stats(f)->connections, 1, "taken");
	s = connect_raw();
	fpm_tick(f, now);
	ASSERT_EQ(fpm_stats(f)->refused, 1, "an allowed second connection waits, not refused");
	close(s);

	/* And out again: zebra's connection ends, its waiting one too. */
	c.nfrom = 1;
	reload_ending_stream(&c);
	ASSERT_EQ(fpm_stats(f)->refused, 2, "the waiting one refused");
}

/* One frame of a route in each of main, 10000 and 100, as zebra streams
 * every table. */
static void frame_of_three_tables(void)
{
	frame_begin();
	put_route(&(struct spec){ .dst = "198.19.1.0/24", .nhops = 1, .hop = { { "198.18.1.2" } } });
	put_route(&(struct spec){ .dst = "198.19.2.0/24", .table = 10000, .nhops = 1,
				  .hop = { { "198.18.2.2" } } });
	put_route(&(struct spec){ .dst = "198.19.3.0/24", .table = 100, .nhops = 1,
				  .hop = { { "198.18.3.2" } } });
	frame_end();
}

/* `table`: only the routes of the kernel table named are taken (zebra
 * -R/--routing-table puts the default VRF's there). A reload that names
 * another table ends zebra's connection; its replay brings the new
 * table's routes, which replace the held ones at the sweep. */
static void test_fpm_table(void)
{
	struct conf_fpm c;
	char err[256];

	/* Every table, as zebra streams its VRFs: main's taken alone. */
	sweep_ms = 5000;
	c = test_conf();
	start_conf(&c);
	connect_zebra();
	frame_of_three_tables();
	ASSERT_EQ(send_and_read(0), 1, "the first stream");
	ASSERT_EQ(fpm_stats(f)->routes, 1, "main's route held");
	ASSERT_EQ(fpm_stats(f)->ignored, 2, "tables 10000 and 100 ignored");
	now += c.sweep_ms;
	fpm_tick(f, now);

	/* table 10000 by reload: the stream ends, main's route stays. */
	c.table = 10000;
	reload_ending_stream(&c);
	ASSERT_EQ(fpm_stats(f)->routes, 1, "held over the change");

	/* zebra back, replaying every table. */
	now += 1000;
	connect_zebra();
	frame_of_three_tables();
	ASSERT_EQ(send_and_read(0), 0, "a replay over held routes: gathered apart");
	ASSERT_EQ(fpm_stats(f)->replayed, 1, "table 10000's route gathered");
	ASSERT_EQ(fpm_stats(f)->ignored, 4, "main's and 100's ignored now");
	merge(0);
	ASSERT_STR_EQ(members_of(&out, "198.19.1.0/24"), names("198.18.1.2@%s", NULL),
		      "during the replay: the held route");
	ASSERT_STR_EQ(members_of(&out, "198.19.2.0/24"), "none", "the new table's waits for the end");
	now += c.sweep_ms;
	ASSERT_EQ(fpm_tick(f, now + FPM_REPLAY_QUIET_MS), 1, "the replay taken");
	ASSERT_EQ(fpm_stats(f)->swept, 1, "main's route swept");
	merge(0);
	ASSERT_STR_EQ(members_of(&out, "198.19.1.0/24"), "none", "main's route gone");
	ASSERT_STR_EQ(members_of(&out, "198.19.2.0/24"), names("198.18.2.2@%s", NULL),
		      "table 10000's route in, as a main one");
	ASSERT_STR_EQ(members_of(&out, "198.19.3.0/24"), "none", "table 100's: never");

	/* Changes of table 10000 between replays are patches like main's. */
	now += FPM_REPLAY_QUIET_MS;
	frame_begin();
	put_route(&(struct spec){ .type = RTM_DELROUTE, .dst = "198.19.2.0/24", .table = 10000 });
	put_route(&(struct spec){ .type = RTM_DELROUTE, .dst = "198.19.2.0/24" });
	frame_end();
	send_and_read(0);
	ASSERT_EQ(fpm_stats(f)->routes, 0, "deleted from table 10000");
	ASSERT_EQ(fpm_stats(f)->ignored, 5, "main's DEL of the prefix ignored");

	/* The same table again: nothing ends. */
	ASSERT_EQ(fpm_configure(f, &c, now, err, sizeof(err)), 0, "reloaded unchanged");
	ASSERT_STR_EQ(fpm_state(f), "connected", "the stream goes on");
	close(client);
}

/* One route message from spec into t. */
static enum fpm_take table_take(struct fpm_table *t, const struct spec *sp)
{
	enum fpm_take ret;

	nl_used = 0;
	put_route(sp);
	ret = fpm_table_take(t, (const struct nlmsghdr *)nl_buf, RT_TABLE_MAIN);
	nl_used = 0;
	return ret;
}

/* The paths of the table's route for dst, as "via,weight via,weight". */
static const char *table_paths(const struct fpm_table *t, const char *dst)
{
	static struct nl_route r;
	static char out[256];
	struct lpm_route k = { .family = ECMP_AF_INET, .prefixlen = 24 };
	size_t n = 0;
	int i;

	inet_pton(AF_INET, dst, k.addr);
	fpm_table_route(t, &k, &r);
	out[0] = 0;
	for (i = 0; !r.deleted && i < r.nnh; i++) {
		char a[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, r.nh[i].via, a, sizeof(a));
		n += snprintf(out + n, sizeof(out) - n, "%s%s,%u", i ? " " : "", a, r.nh[i].weight);
	}
	return r.deleted ? "gone" : out;
}

/* Routes with the same inline paths share one list (a full table has a
 * hundred lists for a million routes); another order or weight is
 * another list; the last route leaving a list frees it, and its slot is
 * reused. */
static void test_fpm_table_lists(void)
{
	struct fpm_table *t = fpm_table_new();
	const struct spec xy = { .dst = "198.19.1.0/24", .nhops = 2,
				 .hop = { { "198.18.1.2" }, { "198.18.2.2" } } };
	struct spec sp = xy;
	int i;

	ASSERT_TRUE(t != NULL, "a table");
	for (i = 1; i <= 100; i++) {
		char dst[32];

		snprintf(dst, sizeof(dst), "198.19.%d.0/24", i);
		sp.dst = dst;
		ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "a route over x, y");
	}
	ASSERT_EQ(fpm_table_routes(t), 100, "100 routes");
	ASSERT_EQ(fpm_table_lists(t), 1, "one list for the 100");
	sp.dst = "198.19.101.0/24";
	sp.hop[0].via = "198.18.2.2";
	sp.hop[1].via = "198.18.1.2";
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "y, x");
	sp.dst = "198.19.102.0/24";
	sp.hop[0] = xy.hop[0];
	sp.hop[1] = xy.hop[1];
	sp.hop[1].hops = 2;
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "x, y with weight 3");
	ASSERT_EQ(fpm_table_lists(t), 3, "another order, another weight: other lists");
	ASSERT_STR_EQ(table_paths(t, "198.19.50.0"), "198.18.1.2,1 198.18.2.2,1", "as sent");
	ASSERT_STR_EQ(table_paths(t, "198.19.101.0"), "198.18.2.2,1 198.18.1.2,1", "in its order");
	ASSERT_STR_EQ(table_paths(t, "198.19.102.0"), "198.18.1.2,1 198.18.2.2,3", "its weights");
	/* Replaced by the same paths, and by another route's. */
	sp = xy;
	sp.dst = "198.19.50.0/24";
	sp.nlflags = NLM_F_REPLACE;
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "the same again");
	ASSERT_EQ(fpm_table_lists(t), 3, "still three");
	sp.dst = "198.19.101.0/24";
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "y, x's route to x, y");
	ASSERT_EQ(fpm_table_lists(t), 2, "y, x had one route: gone");
	ASSERT_STR_EQ(table_paths(t, "198.19.101.0"), "198.18.1.2,1 198.18.2.2,1", "moved");
	sp.type = RTM_DELROUTE;
	sp.dst = "198.19.102.0/24";
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "the weighted route removed");
	ASSERT_EQ(fpm_table_lists(t), 1, "one list left");
	ASSERT_STR_EQ(table_paths(t, "198.19.102.0"), "gone", "gone");
	/* A new list takes a freed slot; the one of 100 routes is intact. */
	sp = xy;
	sp.dst = "198.19.103.0/24";
	sp.hop[1].via = "198.18.3.2";
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "x, z");
	ASSERT_EQ(fpm_table_lists(t), 2, "two");
	ASSERT_STR_EQ(table_paths(t, "198.19.103.0"), "198.18.1.2,1 198.18.3.2,1", "x, z as sent");
	ASSERT_STR_EQ(table_paths(t, "198.19.1.0"), "198.18.1.2,1 198.18.2.2,1", "x, y untouched");
	/* Routes without paths of their own hold no list. */
	sp = xy;
	sp.dst = "198.19.104.0/24";
	sp.nhops = 0;
	sp.nh_id = 7;
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "a route naming a group");
	ASSERT_EQ(fpm_table_lists(t), 2, "no list for it");
	/* Many lists: the hash grows, each found again, each freed. */
	for (i = 1; i <= 250; i++) {
		char dst[32];

		snprintf(dst, sizeof(dst), "198.18.%d.0/24", i);
		sp = xy;
		sp.dst = dst;
		sp.hop[0].hops = i;
		ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "a route with weight 1 + i");
	}
	ASSERT_EQ(fpm_table_lists(t), 2 + 250, "a list per weight");
	ASSERT_STR_EQ(table_paths(t, "198.18.44.0"), "198.18.1.2,45 198.18.2.2,1", "its weight");
	for (i = 1; i <= 250; i++) {
		char dst[32];

		snprintf(dst, sizeof(dst), "198.18.%d.0/24", i);
		sp = xy;
		sp.dst = dst;
		sp.nlflags = NLM_F_REPLACE;
		ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "back to x, y");
	}
	ASSERT_EQ(fpm_table_lists(t), 2, "x, y and x, z again");
	ASSERT_STR_EQ(table_paths(t, "198.18.250.0"), "198.18.1.2,1 198.18.2.2,1", "on x, y");
	fpm_table_clear(t);
	ASSERT_EQ(fpm_table_lists(t) + fpm_table_routes(t), 0, "cleared");
	sp = xy;
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "a route again after the clear");
	ASSERT_EQ(fpm_table_lists(t), 1, "its list");
	fpm_table_free(t);
}

/* Whether a route names a group, kept as routes come, change and go (a
 * group zebra removes: still named or not), for ids held or not yet. */
static void test_fpm_table_names(void)
{
	struct fpm_table *t = fpm_table_new();
	struct spec sp = { .dst = "198.19.1.0/24", .nh_id = 7 };
	int i;

	ASSERT_TRUE(t != NULL, "a table");
	ASSERT_TRUE(!(fpm_table_names(t, 7)), "an empty table names nothing");
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "a route over 7 (no group 7 yet)");
	sp.dst = "198.19.2.0/24";
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "another over 7");
	ASSERT_TRUE(fpm_table_names(t, 7) && !fpm_table_names(t, 8), "7 named, 8 not");
	sp.nh_id = 8;
	sp.nlflags = NLM_F_REPLACE;
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "the second replaced, over 8");
	ASSERT_TRUE(fpm_table_names(t, 7) && fpm_table_names(t, 8), "7 and 8 named");
	sp.dst = "198.19.1.0/24";
	sp.type = RTM_DELROUTE;
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "the first removed");
	ASSERT_TRUE(!fpm_table_names(t, 7) && fpm_table_names(t, 8), "7 left, 8 named");
	sp = (struct spec){ .dst = "198.19.2.0/24", .nhops = 1, .hop = { { "198.18.1.2" } },
			    .nlflags = NLM_F_REPLACE };
	ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "the second on paths of its own");
	ASSERT_TRUE(!(fpm_table_names(t, 8)), "8 left");
	/* Many ids, in any order: each found, each gone with its route. */
	for (i = 0; i < 300; i++) {
		char dst[32];

		snprintf(dst, sizeof(dst), "198.18.%d.%d/32", i / 256, i % 256);
		sp = (struct spec){ .dst = dst, .nh_id = 1000 + (i * 37) % 300 };
		ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "a route over its own id");
	}
	for (i = 0; i < 300; i++)
		ASSERT_TRUE(fpm_table_names(t, 1000 + i), "each id named");
	ASSERT_TRUE(!(fpm_table_names(t, 999) || fpm_table_names(t, 1300)), "no other");
	for (i = 0; i < 300; i += 2) {
		char dst[32];

		snprintf(dst, sizeof(dst), "198.18.%d.%d/32", i / 256, i % 256);
		sp = (struct spec){ .dst = dst, .type = RTM_DELROUTE };
		ASSERT_EQ(table_take(t, &sp), FPM_TAKE_CHANGED, "every other removed");
	}
	for (i = 0; i < 300; i++)
		ASSERT_EQ(fpm_table_names(t, 1000 + (i * 37) % 300), i % 2,
			  "named while its route stays");
	fpm_table_clear(t);
	ASSERT_TRUE(!(fpm_table_names(t, 1001)), "cleared");
	fpm_table_free(t);
}

int main(void)
{
	if (!if_indextoname(1, lo))
		return 1;
	RUN_TEST(test_fpm_stream);
	RUN_TEST(test_fpm_replay);
	RUN_TEST(test_fpm_patches);
	RUN_TEST(test_fpm_hostile);
	RUN_TEST(test_fpm_challengers);
	RUN_TEST(test_fpm_from);
	RUN_TEST(test_fpm_table);
	RUN_TEST(test_fpm_table_lists);
	RUN_TEST(test_fpm_table_names);
	fpm_free(f);
	config_free(&out);
	return test_summary();
}
