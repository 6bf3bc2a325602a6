// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The BFD session state machine; see bfd_session.h. Section numbers are
 * RFC 5880's. */
#include <string.h>

#include "bfd_session.h"

static uint32_t max32(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

static uint32_t rng_next(struct bfd_session *s)
{
	uint32_t x = s->rng;

	/* xorshift32: jitter needs spread, not secrecy. */
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	s->rng = x;
	return x;
}

uint32_t bfd_session_tx_interval_us(const struct bfd_session *s)
{
	return max32(s->tx_in_use_us, s->remote_min_rx_us);
}

/* §6.8.7: 75-100 % of the interval, at most 90 % with Detect Mult 1. */
static uint64_t jittered(struct bfd_session *s, uint32_t interval)
{
	uint32_t span = s->conf.detect_mult == 1 ? 16 : 26;

	return (uint64_t)interval * (75 + rng_next(s) % span) / 100;
}

uint64_t bfd_session_detect_us(const struct bfd_session *s)
{
	return (uint64_t)s->remote_detect_mult *
	       max32(s->rx_in_use_us, s->remote_desired_min_tx_us);
}

/* The timers this session should advertise in its state; a change while
 * Up starts a Poll Sequence, and only takes effect where it is safe to
 * before the Final arrives (§6.8.3). */
static void update_timers(struct bfd_session *s, uint64_t now)
{
	uint32_t tx = s->conf.desired_min_tx_us, rx = s->conf.required_min_rx_us;

	if (s->state != BFD_UP)
		tx = max32(tx, BFD_SLOW_TX_US);
	if (tx == s->desired_min_tx_us && rx == s->required_min_rx_us)
		return;
	s->desired_min_tx_us = tx;
	s->required_min_rx_us = rx;
	if (s->state != BFD_UP) {
		s->tx_in_use_us = tx;
		s->rx_in_use_us = rx;
		return;
	}
	/* Sending faster and accepting slower are safe at once; the
	 * opposite waits for the peer's Final. */
	if (tx < s->tx_in_use_us)
		s->tx_in_use_us = tx;
	if (rx > s->rx_in_use_us)
		s->rx_in_use_us = rx;
	if (s->next_tx_us > now + bfd_session_tx_interval_us(s))
		s->next_tx_us = now + jittered(s, bfd_session_tx_interval_us(s));
	s->poll_active = 1;
	s->polls++;
}

static void poll_done(struct bfd_session *s)
{
	s->poll_active = 0;
	s->tx_in_use_us = s->desired_min_tx_us;
	s->rx_in_use_us = s->required_min_rx_us;
}

static void set_state(struct bfd_session *s, uint8_t state, uint8_t diag,
		      uint64_t now)
{
	if (s->state == state)
		return;
	if (s->state == BFD_UP)
		s->flaps++;
	s->state = state;
	s->local_diag = diag;
	s->last_change_us = now;
	if (state == BFD_DOWN || state == BFD_ADMIN_DOWN) {
		s->last_diag = diag;
		s->poll_active = 0;
	}
	update_timers(s, now);
}

void bfd_session_init(struct bfd_session *s, const struct bfd_session_conf *conf,
		      uint32_t local_disc, uint32_t rng_seed, int admin_down,
		      uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->conf = *conf;
	s->state = admin_down ? BFD_ADMIN_DOWN : BFD_DOWN;
	s->local_diag = admin_down ? BFD_DIAG_ADMIN_DOWN : BFD_DIAG_NONE;
	s->remote_state = BFD_DOWN;
	s->local_disc = local_disc;
	s->remote_min_rx_us = 1;		/* §6.8.1 */
	s->rng = rng_seed ? rng_seed : 0x9e3779b9;
	s->xmit_auth_seq = rng_next(s);
	s->last_change_us = now;
	update_timers(s, now);
	s->next_tx_us = now + jittered(s, 100000);	/* start soon, not in lockstep */
}

void bfd_session_set_conf(struct bfd_session *s,
			  const struct bfd_session_conf *conf, uint64_t now)
{
	if (memcmp(&s->conf.key, &conf->key, sizeof(conf->key)))
		s->auth_seq_known = 0;
	s->conf = *conf;
	update_timers(s, now);
}

void bfd_session_set_admin_down(struct bfd_session *s, int admin_down,
				uint64_t now)
{
	if (admin_down)
		set_state(s, BFD_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN, now);
	else if (s->state == BFD_ADMIN_DOWN)
		set_state(s, BFD_DOWN, BFD_DIAG_NONE, now);
	s->next_tx_us = now;	/* tell the peer at once */
}

/* §6.7.4 receipt: the digest, then the sequence window. */
static int check_auth(struct bfd_session *s, const struct bfd_ctrl *c,
		      const uint8_t *buf, size_t len)
{
	uint32_t lo, span;
	int err = bfd_auth_verify(buf, len, c, &s->conf.key);

	if (err || s->conf.key.type == BFD_AUTH_NONE)
		return err;
	if (s->auth_seq_known) {
		lo = s->rcv_auth_seq;
		if (s->conf.key.type == BFD_AUTH_METICULOUS_SHA1)
			lo++;
		span = s->rcv_auth_seq + 3u * c->detect_mult - lo;
		/* Unsigned distance: the window may wrap. */
		if (c->auth_seq - lo > span)
			return BFD_ERR(BFD_DROP_AUTH_SEQ);
	}
	s->rcv_auth_seq = c->auth_seq;
	s->auth_seq_known = 1;
	return 0;
}

int bfd_session_rx(struct bfd_session *s, const struct bfd_ctrl *c,
		   const uint8_t *buf, size_t len, uint64_t now)
{
	uint32_t old_interval = bfd_session_tx_interval_us(s);
	int err = check_auth(s, c, buf, len);

	if (err)
		return err;
	s->rx_packets++;
	if (s->state == BFD_ADMIN_DOWN)
		return BFD_ERR(BFD_DROP_ADMIN_DOWN);
	s->remote_disc = c->my_disc;
	s->remote_state = c->state;
	s->remote_min_rx_us = c->required_min_rx_us;
	s->remote_desired_min_tx_us = c->desired_min_tx_us;
	s->remote_detect_mult = c->detect_mult;
	if ((c->flags & BFD_FLAG_FINAL) && s->poll_active)
		poll_done(s);

	/* A faster rate allowed by the peer starts now, not after the slow
	 * packet already scheduled. */
	if (bfd_session_tx_interval_us(s) < old_interval &&
	    s->next_tx_us > now + bfd_session_tx_interval_us(s))
		s->next_tx_us = now + jittered(s, bfd_session_tx_interval_us(s));

	if (c->state == BFD_ADMIN_DOWN) {
		if (s->state != BFD_DOWN)
			set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, now);
	} else if (s->state == BFD_DOWN) {
		if (c->state == BFD_DOWN)
			set_state(s, BFD_INIT, BFD_DIAG_NONE, now);
		else if (c->state == BFD_INIT)
			set_state(s, BFD_UP, BFD_DIAG_NONE, now);
	} else if (s->state == BFD_INIT) {
		if (c->state == BFD_INIT || c->state == BFD_UP)
			set_state(s, BFD_UP, BFD_DIAG_NONE, now);
	} else if (c->state == BFD_DOWN) {	/* Up */
		set_state(s, BFD_DOWN, BFD_DIAG_NEIGHBOR_DOWN, now);
	}
	if (c->flags & BFD_FLAG_POLL)
		s->final_due = 1;
	s->detect_deadline_us = now + bfd_session_detect_us(s);
	s->auth_seq_deadline_us = now + 2 * bfd_session_detect_us(s);
	return 0;
}

void bfd_session_timers(struct bfd_session *s, uint64_t now)
{
	if (s->detect_deadline_us && now >= s->detect_deadline_us) {
		s->detect_deadline_us = 0;
		if (s->state == BFD_INIT || s->state == BFD_UP)
			set_state(s, BFD_DOWN, BFD_DIAG_DETECT_EXPIRED, now);
		/* §6.8.1: a silent peer is forgotten. */
		s->remote_disc = 0;
		s->remote_state = BFD_DOWN;
		s->remote_detect_mult = 0;
		s->remote_min_rx_us = 1;
		s->remote_desired_min_tx_us = 0;
	}
	if (s->auth_seq_deadline_us && now >= s->auth_seq_deadline_us) {
		s->auth_seq_deadline_us = 0;
		s->auth_seq_known = 0;
	}
}

int bfd_session_tx_due(const struct bfd_session *s, uint64_t now)
{
	if (s->final_due)
		return 1;
	/* §6.8.7: a peer asking for nothing gets nothing periodic. */
	return s->remote_min_rx_us && now >= s->next_tx_us;
}

size_t bfd_session_tx(struct bfd_session *s, uint8_t *buf, uint64_t now)
{
	struct bfd_ctrl c = {
		.diag = s->local_diag,
		.state = s->state,
		.detect_mult = s->conf.detect_mult,
		.my_disc = s->local_disc,
		.your_disc = s->remote_disc,
		.desired_min_tx_us = s->desired_min_tx_us,
		.required_min_rx_us = s->required_min_rx_us,
	};

	/* Never P and F together: the Final goes first, the Poll follows. */
	if (s->final_due)
		c.flags |= BFD_FLAG_FINAL;
	else if (s->poll_active)
		c.flags |= BFD_FLAG_POLL;
	if (s->conf.key.type != BFD_AUTH_NONE)
		c.auth_seq = ++s->xmit_auth_seq;
	if (!s->final_due || now >= s->next_tx_us)
		s->next_tx_us = now + jittered(s, bfd_session_tx_interval_us(s));
	s->final_due = 0;
	s->tx_packets++;
	return bfd_encode(&c, &s->conf.key, buf);
}

uint64_t bfd_session_next_event(const struct bfd_session *s)
{
	uint64_t t = s->final_due ? 1 : s->next_tx_us;

	if (!s->remote_min_rx_us && !s->final_due)
		t = 0;
	if (s->detect_deadline_us && (!t || s->detect_deadline_us < t))
		t = s->detect_deadline_us;
	if (s->auth_seq_deadline_us && (!t || s->auth_seq_deadline_us < t))
		t = s->auth_seq_deadline_us;
	return t;
}
