// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The BFD thread: sockets (RFC 5881), demultiplexing, timers and the link
 * from session state to the data path. See bfd.h for why it is a thread.
 *
 * Receiving: one socket per family on port 3784 with the TTL/hop limit and
 * the arrival interface delivered as control messages. Sending: a socket
 * per session, bound to the nexthop's interface and to a source port of
 * its own from 49152-65535, TTL 255, DSCP CS6.
 *
 * Timing: every deadline is CLOCK_MONOTONIC; a timerfd is armed at the
 * absolute time of the earliest one, so lateness never accumulates, and
 * the thread asks for SCHED_FIFO (falling back to the lowest nice value)
 * so forwarding load and the main loop cannot starve it.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>

#include "bfd.h"
#include "bfd_session.h"
#include "lib/clock.h"
#include "lib/text.h"
#include "lib/json.h"
#include "lib/log.h"

struct peer {
	int in_use;
	struct bfd_peer conf;
	struct bfd_session s;
	int tx_fd;
	uint32_t ifindex;
	uint8_t reported;		/* the state last reported to the plane */
	uint8_t announced;		/* ... and by bfd_each_change() */
	uint64_t dropped;		/* demultiplexed here, then discarded */
	uint64_t change_unix_us;	/* wall clock of the last state change */
	uint64_t rx_unix_us;		/* wake-up that took the last packet */
	uint64_t dp_out_unix_us;	/* when the thread last cleared the flag */
	/* rx_unix_us at that moment: packets the peer sent before it went
	 * silent can still be read after the Down, and would move rx. */
	uint64_t rx_before_out_unix_us;
	/* How late a periodic transmission left against its schedule, at
	 * worst: whether this thread kept time (a reload or a busy machine
	 * must not hold it up). */
	uint64_t tx_late_max_us;
};

struct bfd_rt {
	pthread_t thread;
	pthread_mutex_t mu;
	int started, stop;
	int ep_fd, timer_fd, wake_fd, notify_fd;
	int rx_fd[2];			/* IPv4, IPv6 */
	struct peer *peer;
	uint32_t npeer;			/* slots, = max nexthops */
	uint8_t *nh_bfd, *changed;
	struct ecmp_nexthop *nexthops;
	uint32_t max_nexthops;
	uint32_t rng;
	uint64_t drops[BFD_DROP_MAX];
};

static uint32_t rt_random(struct bfd_rt *rt)
{
	uint32_t x;

	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) == sizeof(x))
		return x;
	x = rt->rng ^ (uint32_t)clock_mono_us();
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return rt->rng = x;
}

static int af(uint8_t family)
{
	return family == ECMP_AF_INET ? AF_INET : AF_INET6;
}

/* ---- sockets ---- */

static int open_rx(int family)
{
	int one = 1, fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(BFD_PORT) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(BFD_PORT) };
	int err;

	if (fd < 0)
		return -errno;
	if (family == AF_INET) {
		err = setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) ||
		      setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
		      bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		err = setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
		      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) ||
		      setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) ||
		      bind(fd, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	if (err) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/* A session's transmit socket: its interface, its own source port (want,
 * when not 0 and free: a session's socket made again keeps its port). */
static int open_tx(struct bfd_rt *rt, const struct bfd_peer *p, uint16_t want,
		   char *err, size_t errlen)
{
	int family = af(p->family), fd, ttl = BFD_TTL, tos = BFD_TOS_CS6, i, e;

	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, p->dev, strlen(p->dev)))
		goto fail;
	if (family == AF_INET ?
	    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos)) :
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos)))
		goto fail;
	/* RFC 5881 §4: a source port from 49152-65535, the same for the
	 * session's life. Random first, so restarts do not reuse one. */
	for (i = want ? -1 : 0; i < 16384 + 64; i++) {
		uint16_t port = i < 0 ? want :
				i < 64 ? BFD_SRC_PORT_MIN + (int)(rt_random(rt) % 16384) :
					 BFD_SRC_PORT_MIN + (i - 64);
		struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
		struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

		if (!(family == AF_INET ? bind(fd, (struct sockaddr *)&sin, sizeof(sin)) :
		      bind(fd, (struct sockaddr *)&sin6, sizeof(sin6))))
			return fd;
		if (errno != EADDRINUSE)
			goto fail;
	}
	errno = EADDRINUSE;
fail:
	e = errno;
	snprintf(err, errlen, "bfd %s: cannot open its socket on %s: %s", p->name,
		 p->dev, strerror(e));
	if (fd >= 0)
		close(fd);
	return -e;
}

static void send_packet(struct peer *p, uint64_t now)
{
	uint8_t buf[BFD_MAX_PACKET];
	size_t len = bfd_session_tx(&p->s, buf, now);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(BFD_PORT) };
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(BFD_PORT),
				     .sin6_scope_id = p->ifindex };
	ssize_t n;

	if (p->conf.family == ECMP_AF_INET) {
		memcpy(&sin.sin_addr, p->conf.addr, 4);
		n = sendto(p->tx_fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		memcpy(&sin6.sin6_addr, p->conf.addr, 16);
		n = sendto(p->tx_fd, buf, len, 0, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	/* A link that is down or a neighbour not resolved yet loses the
	 * packet, as a wire would; the session's timers deal with it. */
	if (n < 0 && errno != EAGAIN && errno != ENETDOWN && errno != ENETUNREACH &&
	    errno != EHOSTUNREACH && errno != ENOBUFS)
		pr_debug("bfd %s: send failed: %s", p->conf.name, strerror(errno));
}

/* ---- the link to the data path ---- */

static void report(struct bfd_rt *rt, struct peer *p, uint64_t now_unix)
{
	uint32_t id = p->conf.nh_id;
	uint8_t up = p->s.state == BFD_UP, was_up = p->reported == BFD_UP;
	uint64_t one = 1;

	if (p->s.state == p->reported)
		return;
	p->reported = p->s.state;
	p->change_unix_us = now_unix;
	if (up == was_up)
		return;
	if (!up) {
		/* Out of the data path first, by this thread, in one store;
		 * the order against the main loop's flag writes is in
		 * nh_refresh(). */
		__atomic_store_n(&rt->nh_bfd[id], NH_BFD_DOWN, __ATOMIC_SEQ_CST);
		__atomic_store_n(&rt->nexthops[id].flags, 0, __ATOMIC_SEQ_CST);
		p->dp_out_unix_us = clock_unix_us();
		p->rx_before_out_unix_us = p->rx_unix_us;
		pr_info("bfd %s: down (%s), nexthop out of the data path",
			p->conf.name, bfd_diag_name(p->s.local_diag));
	} else {
		__atomic_store_n(&rt->nh_bfd[id], NH_BFD_UP, __ATOMIC_SEQ_CST);
		pr_info("bfd %s: up, tx %u ms, detect %llu ms", p->conf.name,
			bfd_session_tx_interval_us(&p->s) / 1000,
			(unsigned long long)bfd_session_detect_us(&p->s) / 1000);
	}
	__atomic_store_n(&rt->changed[id], 1, __ATOMIC_SEQ_CST);
	if (write(rt->notify_fd, &one, sizeof(one)) < 0)
		pr_warn("bfd: failed to wake the main loop: %s", strerror(errno));
}

/* ---- receiving ---- */

static struct peer *find_by_disc(struct bfd_rt *rt, uint32_t disc)
{
	uint32_t i;

	for (i = 0; i < rt->npeer; i++)
		if (rt->peer[i].in_use && rt->peer[i].s.local_disc == disc)
			return &rt->peer[i];
	return NULL;
}

static struct peer *find_by_addr(struct bfd_rt *rt, uint8_t family,
				 const uint8_t *addr, uint32_t ifindex)
{
	size_t alen = family == ECMP_AF_INET ? 4 : 16;
	uint32_t i;

	for (i = 0; i < rt->npeer; i++) {
		struct peer *p = &rt->peer[i];

		if (p->in_use && p->conf.family == family &&
		    !memcmp(p->conf.addr, addr, alen) &&
		    (!ifindex || p->ifindex == ifindex))
			return p;
	}
	return NULL;
}

static void count_drop(struct bfd_rt *rt, struct peer *p, int err)
{
	rt->drops[-err - 1]++;
	if (p)
		p->dropped++;
}

static void rx_one(struct bfd_rt *rt, const uint8_t *buf, size_t len,
		   uint8_t family, const uint8_t *src, uint32_t ifindex, int ttl,
		   uint64_t now)
{
	struct bfd_ctrl c;
	struct peer *p, *by_addr;
	int err;

	/* RFC 5881 §5: only a packet sent with TTL 255 can be from a
	 * neighbour on the link (GTSM). */
	if (ttl != BFD_TTL) {
		count_drop(rt, NULL, BFD_ERR(BFD_DROP_TTL));
		return;
	}
	err = bfd_decode(buf, len, &c);
	if (err) {
		count_drop(rt, NULL, err);
		return;
	}
	by_addr = find_by_addr(rt, family, src, ifindex);
	if (c.your_disc) {
		p = find_by_disc(rt, c.your_disc);
		if (!p) {
			count_drop(rt, by_addr, BFD_ERR(BFD_DROP_UNKNOWN_DISC));
			return;
		}
		/* The right discriminator from the wrong place is not the peer. */
		if (p != by_addr) {
			count_drop(rt, NULL, BFD_ERR(BFD_DROP_UNKNOWN_PEER));
			return;
		}
	} else {
		p = by_addr;
		if (!p) {
			count_drop(rt, NULL, BFD_ERR(BFD_DROP_UNKNOWN_PEER));
			return;
		}
	}
	err = bfd_session_rx(&p->s, &c, buf, len, now);
	if (err)
		count_drop(rt, p, err);
	else	/* The wall-clock time of now, which the detection timer
		 * counts from: stamped later, a preempted thread would put
		 * the reported receive time past the timer's start. */
		p->rx_unix_us = clock_unix_us() - (clock_mono_us() - now);
}

static void rx_socket(struct bfd_rt *rt, int fd, int family, uint64_t now)
{
	for (;;) {
		uint8_t buf[256], cbuf[256], src[16] = { 0 };
		struct sockaddr_storage from;
		struct iovec iov = { buf, sizeof(buf) };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;
		uint32_t ifindex = 0;
		int ttl = -1;
		ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT);

		if (n < 0)
			return;
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_TTL)
				memcpy(&ttl, CMSG_DATA(cm), sizeof(int));
			else if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO)
				ifindex = ((struct in_pktinfo *)CMSG_DATA(cm))->ipi_ifindex;
			else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_HOPLIMIT)
				memcpy(&ttl, CMSG_DATA(cm), sizeof(int));
			else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO)
				ifindex = ((struct in6_pktinfo *)CMSG_DATA(cm))->ipi6_ifindex;
		}
		if (family == AF_INET)
			memcpy(src, &((struct sockaddr_in *)&from)->sin_addr, 4);
		else
			memcpy(src, &((struct sockaddr_in6 *)&from)->sin6_addr, 16);
		rx_one(rt, buf, n, family == AF_INET ? ECMP_AF_INET : ECMP_AF_INET6,
		       src, ifindex, ttl, now);
	}
}

/* ---- the thread ---- */

/* Timers, transmissions and reports for every session; arms the timerfd
 * for the earliest next deadline. Called with rt->mu held. */
static void run_sessions(struct bfd_rt *rt)
{
	uint64_t now = clock_mono_us(), next = 0, now_unix = clock_unix_us();
	struct itimerspec its = { 0 };
	uint32_t i;

	for (i = 0; i < rt->npeer; i++) {
		struct peer *p = &rt->peer[i];
		uint64_t t;

		if (!p->in_use)
			continue;
		bfd_session_timers(&p->s, now);
		report(rt, p, now_unix);
		if (bfd_session_tx_due(&p->s, now)) {
			if (!p->s.final_due && now - p->s.next_tx_us > p->tx_late_max_us)
				p->tx_late_max_us = now - p->s.next_tx_us;
			send_packet(p, now);
		}
		t = bfd_session_next_event(&p->s);
		if (t && (!next || t < next))
			next = t;
	}
	if (next) {
		if (next <= now)
			next = now + 1;
		its.it_value.tv_sec = next / 1000000;
		its.it_value.tv_nsec = (next % 1000000) * 1000;
	}
	timerfd_settime(rt->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void raise_priority(void)
{
	struct sched_param sp = { .sched_priority = 10 };

	/* Above every normal task, below the kernel's own RT threads. */
	if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp)) {
		if (setpriority(PRIO_PROCESS, 0, -20))
			pr_debug("bfd: runs at normal priority");
	}
}

static void *bfd_thread(void *arg)
{
	struct bfd_rt *rt = arg;

	raise_priority();
	pthread_mutex_lock(&rt->mu);
	while (!rt->stop) {
		struct epoll_event ev[8];
		uint64_t v;
		int n, i;

		run_sessions(rt);
		pthread_mutex_unlock(&rt->mu);
		n = epoll_wait(rt->ep_fd, ev, 8, -1);
		pthread_mutex_lock(&rt->mu);
		for (i = 0; i < n; i++) {
			int fd = ev[i].data.fd;

			if (fd == rt->rx_fd[0])
				rx_socket(rt, fd, AF_INET, clock_mono_us());
			else if (fd == rt->rx_fd[1])
				rx_socket(rt, fd, AF_INET6, clock_mono_us());
			else if (read(fd, &v, sizeof(v)) < 0)
				continue;	/* timerfd or wake-up: drained */
		}
	}
	pthread_mutex_unlock(&rt->mu);
	return NULL;
}

static void wake(struct bfd_rt *rt)
{
	uint64_t one = 1;

	if (write(rt->wake_fd, &one, sizeof(one)) < 0)
		pr_warn("bfd: failed to wake the thread: %s", strerror(errno));
}

static int add_fd(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

int bfd_start(struct bfd_rt **out, uint8_t *nh_bfd, uint8_t *changed,
	      struct ecmp_nexthop *nexthops, uint32_t max_nexthops)
{
	struct bfd_rt *rt = calloc(1, sizeof(*rt));
	int err;

	if (!rt)
		return -ENOMEM;
	rt->peer = calloc(max_nexthops, sizeof(*rt->peer));
	rt->npeer = max_nexthops;
	rt->nh_bfd = nh_bfd;
	rt->changed = changed;
	rt->nexthops = nexthops;
	rt->max_nexthops = max_nexthops;
	rt->rx_fd[0] = rt->rx_fd[1] = -1;
	rt->rng = (uint32_t)clock_mono_us() | 1;
	pthread_mutex_init(&rt->mu, NULL);
	rt->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	rt->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	rt->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	rt->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!rt->peer || rt->ep_fd < 0 || rt->timer_fd < 0 || rt->wake_fd < 0 ||
	    rt->notify_fd < 0) {
		err = rt->peer ? -errno : -ENOMEM;
		goto fail;
	}
	if ((err = add_fd(rt->ep_fd, rt->timer_fd)) || (err = add_fd(rt->ep_fd, rt->wake_fd)))
		goto fail;
	err = -pthread_create(&rt->thread, NULL, bfd_thread, rt);
	if (err)
		goto fail;
	rt->started = 1;
	*out = rt;
	return 0;
fail:
	bfd_stop(rt, 0);
	return err;
}

int bfd_notify_fd(const struct bfd_rt *rt)
{
	return rt->notify_fd;
}

void bfd_stop(struct bfd_rt *rt, int admin_down)
{
	uint32_t i;

	if (!rt)
		return;
	if (rt->started) {
		pthread_mutex_lock(&rt->mu);
		for (i = 0; admin_down && i < rt->npeer; i++) {
			struct peer *p = &rt->peer[i];

			if (!p->in_use)
				continue;
			bfd_session_set_admin_down(&p->s, 1, clock_mono_us());
			send_packet(p, clock_mono_us());
		}
		rt->stop = 1;
		pthread_mutex_unlock(&rt->mu);
		wake(rt);
		pthread_join(rt->thread, NULL);
	}
	for (i = 0; rt->peer && i < rt->npeer; i++)
		if (rt->peer[i].in_use)
			close(rt->peer[i].tx_fd);
	for (i = 0; i < 2; i++)
		if (rt->rx_fd[i] >= 0)
			close(rt->rx_fd[i]);
	if (rt->ep_fd >= 0)
		close(rt->ep_fd);
	if (rt->timer_fd >= 0)
		close(rt->timer_fd);
	if (rt->wake_fd >= 0)
		close(rt->wake_fd);
	if (rt->notify_fd >= 0)
		close(rt->notify_fd);
	pthread_mutex_destroy(&rt->mu);
	free(rt->peer);
	free(rt);
}

/* ---- configuration ---- */

static struct peer *find_by_name(struct bfd_rt *rt, const char *name)
{
	uint32_t i;

	for (i = 0; i < rt->npeer; i++)
		if (rt->peer[i].in_use && !strcmp(rt->peer[i].conf.name, name))
			return &rt->peer[i];
	return NULL;
}

static int same_path(const struct bfd_peer *a, const struct bfd_peer *b)
{
	return a->family == b->family && !memcmp(a->addr, b->addr, 16) &&
	       !strcmp(a->dev, b->dev);
}

static void session_conf(const struct bfd_peer *p, struct bfd_session_conf *sc)
{
	memset(sc, 0, sizeof(*sc));
	sc->desired_min_tx_us = p->interval_ms * 1000;
	sc->required_min_rx_us = p->interval_ms * 1000;
	sc->detect_mult = p->multiplier;
	sc->key = p->key;
}

static uint32_t new_disc(struct bfd_rt *rt)
{
	uint32_t d;

	do
		d = rt_random(rt);
	while (!d || find_by_disc(rt, d));
	return d;
}

static int open_rx_sockets(struct bfd_rt *rt, const struct bfd_peer *peers,
			   int npeers, char *err, size_t errlen)
{
	int i, k, fd;

	for (i = 0; i < npeers; i++) {
		k = peers[i].family == ECMP_AF_INET ? 0 : 1;
		if (rt->rx_fd[k] >= 0)
			continue;
		fd = open_rx(k ? AF_INET6 : AF_INET);
		if (fd < 0) {
			snprintf(err, errlen, "bfd: cannot receive on UDP port %d (%s): %s%s",
				 BFD_PORT, k ? "IPv6" : "IPv4", strerror(-fd),
				 fd == -EADDRINUSE ? "; another BFD daemon (FRR bfdd?) holds it" : "");
			return fd;
		}
		rt->rx_fd[k] = fd;
		add_fd(rt->ep_fd, fd);
	}
	return 0;
}

int bfd_prepare(struct bfd_rt *rt, const struct bfd_peer *peers, int npeers,
		char *err, size_t errlen)
{
	int ret;

	pthread_mutex_lock(&rt->mu);
	ret = open_rx_sockets(rt, peers, npeers, err, errlen);
	pthread_mutex_unlock(&rt->mu);
	return ret;
}

int bfd_sync(struct bfd_rt *rt, const struct bfd_peer *peers, int npeers,
	     char *err, size_t errlen)
{
	int *fds = calloc(npeers ? npeers : 1, sizeof(int)), i, ret = 0;
	uint64_t now = clock_mono_us();
	uint32_t k;

	if (!fds) {
		snprintf(err, errlen, "bfd: out of memory");
		return -ENOMEM;
	}
	/* Everything that can fail first. */
	ret = bfd_prepare(rt, peers, npeers, err, errlen);
	for (i = 0; i < npeers && !ret; i++) {
		struct peer *old;

		fds[i] = -1;
		if (peers[i].nh_id >= rt->npeer) {
			snprintf(err, errlen, "bfd %s: nexthop id out of range", peers[i].name);
			ret = -EINVAL;
			break;
		}
		pthread_mutex_lock(&rt->mu);
		old = find_by_name(rt, peers[i].name);
		pthread_mutex_unlock(&rt->mu);
		if (old && same_path(&old->conf, &peers[i]))
			continue;
		ret = open_tx(rt, &peers[i], 0, err, errlen);
		if (ret >= 0) {
			fds[i] = ret;
			ret = 0;
		}
	}
	if (ret) {
		while (--i >= 0)
			if (fds[i] >= 0)
				close(fds[i]);
		free(fds);
		return ret;
	}

	pthread_mutex_lock(&rt->mu);
	/* Sessions no longer configured go; so do those whose path changed
	 * (a new neighbour is a new session). */
	for (k = 0; k < rt->npeer; k++) {
		struct peer *p = &rt->peer[k];
		int keep = 0;

		if (!p->in_use)
			continue;
		for (i = 0; i < npeers; i++)
			if (!strcmp(peers[i].name, p->conf.name) && fds[i] < 0)
				keep = 1;
		if (!keep) {
			close(p->tx_fd);
			__atomic_store_n(&rt->nh_bfd[p->conf.nh_id], NH_BFD_WAIT, __ATOMIC_SEQ_CST);
			p->in_use = 0;
		}
	}
	for (i = 0; i < npeers; i++) {
		struct bfd_session_conf sc;
		struct peer *p = find_by_name(rt, peers[i].name);

		session_conf(&peers[i], &sc);
		if (p) {
			if (p->conf.nh_id != peers[i].nh_id) {
				__atomic_store_n(&rt->nh_bfd[peers[i].nh_id],
						 __atomic_load_n(&rt->nh_bfd[p->conf.nh_id], __ATOMIC_SEQ_CST),
						 __ATOMIC_SEQ_CST);
			}
			if (p->conf.admin_down != peers[i].admin_down)
				bfd_session_set_admin_down(&p->s, peers[i].admin_down, now);
			p->conf = peers[i];
			bfd_session_set_conf(&p->s, &sc, now);
			continue;
		}
		for (k = 0; k < rt->npeer && rt->peer[k].in_use; k++)
			;
		p = &rt->peer[k];	/* npeers <= max nexthops: always room */
		memset(p, 0, sizeof(*p));
		p->in_use = 1;
		p->conf = peers[i];
		p->tx_fd = fds[i];
		p->ifindex = if_nametoindex(peers[i].dev);
		bfd_session_init(&p->s, &sc, new_disc(rt), rt_random(rt),
				 peers[i].admin_down, now);
		p->reported = p->s.state;
		p->announced = p->s.state;
		p->change_unix_us = clock_unix_us();
		__atomic_store_n(&rt->nh_bfd[p->conf.nh_id], NH_BFD_WAIT, __ATOMIC_SEQ_CST);
	}
	pthread_mutex_unlock(&rt->mu);
	wake(rt);
	free(fds);
	bfd_relink(rt);		/* kept sessions on a device made again */
	return 0;
}

/* The source port a session's socket is bound to; 0 if unknown. */
static uint16_t tx_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	return ntohs(ss.ss_family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
					       ((struct sockaddr_in6 *)&ss)->sin6_port);
}

int bfd_relink(struct bfd_rt *rt)
{
	int moved = 0;
	uint32_t i;

	pthread_mutex_lock(&rt->mu);
	for (i = 0; i < rt->npeer; i++) {
		struct peer *p = &rt->peer[i];
		uint32_t ifindex = p->in_use ? if_nametoindex(p->conf.dev) : 0;
		uint16_t port;
		char err[256];
		int fd;

		if (!ifindex || ifindex == p->ifindex)
			continue;
		/* The old socket goes first, so the new one can take its
		 * port (RFC 5881 §4: one source port for the session). */
		port = tx_port(p->tx_fd);
		close(p->tx_fd);
		fd = open_tx(rt, &p->conf, port, err, sizeof(err));
		p->tx_fd = fd;	/* -1: sends fail, as on a link down */
		if (fd < 0) {
			pr_warn("%s; the session cannot send until the next try (a link event or a reload)",
				err);
			continue;
		}
		p->ifindex = ifindex;
		moved++;
		pr_info("bfd %s: interface %s made again (ifindex %u): the session goes on there%s",
			p->conf.name, p->conf.dev, ifindex,
			tx_port(fd) == port ? "" : ", from another source port");
	}
	pthread_mutex_unlock(&rt->mu);
	if (moved)
		wake(rt);
	return moved;
}

void bfd_set_admin_down(struct bfd_rt *rt, const char *name, int admin_down)
{
	struct peer *p;

	pthread_mutex_lock(&rt->mu);
	p = find_by_name(rt, name);
	if (p) {
		p->conf.admin_down = admin_down;
		bfd_session_set_admin_down(&p->s, admin_down, clock_mono_us());
	}
	pthread_mutex_unlock(&rt->mu);
	wake(rt);
}

void bfd_each_change(struct bfd_rt *rt,
		     void (*fn)(void *arg, const char *nexthop, const char *state,
				const char *diag),
		     void *arg)
{
	struct change {
		char name[sizeof(((struct bfd_peer *)0)->name)];
		uint8_t state, diag;
	} c[16];
	uint32_t i, k;
	int n, more = 1;

	/* Taken under the lock, told after it: what fn does (building and
	 * sending monitor lines) must never hold up the BFD thread. */
	while (more) {
		n = 0;
		more = 0;
		pthread_mutex_lock(&rt->mu);
		for (i = 0; i < rt->npeer; i++) {
			struct peer *p = &rt->peer[i];

			if (!p->in_use || p->announced == p->reported)
				continue;
			if (n == (int)(sizeof(c) / sizeof(c[0]))) {
				more = 1;
				break;
			}
			p->announced = p->reported;
			snprintf(c[n].name, sizeof(c[n].name), "%s", p->conf.name);
			c[n].state = p->reported;
			c[n++].diag = p->s.local_diag;
		}
		pthread_mutex_unlock(&rt->mu);
		for (k = 0; k < (uint32_t)n; k++)
			fn(arg, c[k].name, bfd_state_name(c[k].state),
			   c[k].state == BFD_UP ? NULL : bfd_diag_name(c[k].diag));
	}
}

/* ---- ecmpctl bfd show ---- */

static const char *auth_name(uint8_t type)
{
	return type == BFD_AUTH_KEYED_SHA1 ? "sha1" :
	       type == BFD_AUTH_METICULOUS_SHA1 ? "meticulous-sha1" : "none";
}

static void show_json(struct bfd_rt *rt, struct json *j, uint64_t now)
{
	uint32_t i;
	int r;

	json_arr_open(j, "sessions");
	for (i = 0; i < rt->npeer; i++) {
		const struct peer *p = &rt->peer[i];
		const struct bfd_session *s = &p->s;
		char a[INET6_ADDRSTRLEN];

		if (!p->in_use)
			continue;
		text_addr(p->conf.family, p->conf.addr, a, sizeof(a));
		json_obj_open(j, NULL);
		json_str(j, "nexthop", p->conf.name);
		json_str(j, "peer", a);
		json_str(j, "dev", p->conf.dev);
		json_u64(j, "local_discriminator", s->local_disc);
		json_u64(j, "remote_discriminator", s->remote_disc);
		json_str(j, "state", bfd_state_name(s->state));
		json_str(j, "remote_state", bfd_state_name(s->remote_state));
		json_str(j, "diag", bfd_diag_name(s->local_diag));
		json_str(j, "last_down_diag", bfd_diag_name(s->last_diag));
		json_u64(j, "detect_mult", s->conf.detect_mult);
		json_u64(j, "remote_detect_mult", s->remote_detect_mult);
		json_u64(j, "desired_min_tx_us", s->desired_min_tx_us);
		json_u64(j, "required_min_rx_us", s->required_min_rx_us);
		json_u64(j, "remote_desired_min_tx_us", s->remote_desired_min_tx_us);
		json_u64(j, "remote_min_rx_us", s->remote_min_rx_us);
		json_u64(j, "tx_interval_us", bfd_session_tx_interval_us(s));
		json_u64(j, "detect_time_us", bfd_session_detect_us(s));
		json_bool(j, "poll_active", s->poll_active);
		json_str(j, "auth", auth_name(s->conf.key.type));
		json_u64(j, "flaps", s->flaps);
		json_u64(j, "polls", s->polls);
		json_u64(j, "rx_packets", s->rx_packets);
		json_u64(j, "tx_packets", s->tx_packets);
		json_u64(j, "rx_dropped", p->dropped);
		json_u64(j, "tx_late_max_us", p->tx_late_max_us);
		json_u64(j, "last_change_unix_us", p->change_unix_us);
		json_u64(j, "last_change_age_ms", (now - p->change_unix_us) / 1000);
		json_u64(j, "last_rx_unix_us", p->rx_unix_us);
		json_u64(j, "dataplane_out_unix_us", p->dp_out_unix_us);
		json_u64(j, "last_rx_before_out_unix_us", p->rx_before_out_unix_us);
		json_obj_close(j);
	}
	json_arr_close(j);
	json_obj_open(j, "dropped");
	for (r = 0; r < BFD_DROP_MAX; r++)
		json_u64(j, bfd_drop_name(r), rt->drops[r]);
	json_obj_close(j);
}

void bfd_show(struct bfd_rt *rt, struct json *j)
{
	uint64_t now = clock_unix_us();

	pthread_mutex_lock(&rt->mu);
	show_json(rt, j, now);
	pthread_mutex_unlock(&rt->mu);
}
