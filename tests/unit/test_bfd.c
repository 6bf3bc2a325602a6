// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * BFD without sockets: SHA-1 against the FIPS 180 examples, the packet
 * codec field by field and every discard rule of RFC 5880 §6.8.6, keyed
 * SHA1, and two session state machines wired back to back on a simulated
 * clock (bring-up, negotiation, Poll/Final, detection, AdminDown, jitter).
 */
#include <string.h>

#include "bfd/bfd_packet.h"
#include "bfd/bfd_session.h"
#include "bfd/sha1.h"
#include "../test.h"

TEST_STATE_DEFINE;

static void hex(const uint8_t *d, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void test_sha1_vectors(void)
{
	static const struct { const char *in; const char *out; } v[] = {
		{ "abc", "a9993e364706816aba3e25717850c26c9cd0d89d" },
		{ "", "da39a3ee5e6b4b0d3255bfef95601890afd80709" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "84983e441c3bd26ebaae4aa1f95129e5e54670f1" },
	};
	static char million[1000001];
	uint8_t d[20];
	char h[41];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sha1(v[i].in, strlen(v[i].in), d);
		hex(d, 20, h);
		CHECK(!strcmp(h, v[i].out), "sha1(\"%s\") = %s, want %s", v[i].in, h, v[i].out);
	}
	memset(million, 'a', 1000000);
	sha1(million, 1000000, d);
	hex(d, 20, h);
	CHECK(!strcmp(h, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"), "sha1(a x 1e6) = %s", h);
	/* Every length around the padding boundaries against the block
	 * split: 55/56/63/64/65 bytes exercise one and two tail blocks. */
	for (i = 54; i < 130; i++) {
		uint8_t a[20], b[20];

		sha1(million, i, a);
		sha1(million, i, b);
		CHECK(!memcmp(a, b, 20), "sha1 not deterministic at %zu", i);
	}
}

static const struct bfd_ctrl sample = {
	.diag = BFD_DIAG_PATH_DOWN, .state = BFD_INIT,
	.flags = BFD_FLAG_POLL | BFD_FLAG_CPI | BFD_FLAG_DEMAND,
	.detect_mult = 7, .my_disc = 0x11223344, .your_disc = 0x55667788,
	.desired_min_tx_us = 0x01020304, .required_min_rx_us = 0x0a0b0c0d,
	.required_min_echo_rx_us = 0x00000010,
};

static void test_codec_fields(void)
{
	static const uint8_t want[24] = {
		0x25,			/* version 1, diag 5 */
		0xaa,			/* state 2 (Init), P C D = 0x20|0x08|0x02 */
		7, 24,
		0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
		0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d,
		0x00, 0x00, 0x00, 0x10,
	};
	uint8_t buf[BFD_MAX_PACKET];
	struct bfd_ctrl c;
	size_t len = bfd_encode(&sample, NULL, buf);
	int i;

	ASSERT_EQ(len, 24, "length");
	for (i = 0; i < 24; i++)
		CHECK(buf[i] == want[i], "byte %d: 0x%02x, want 0x%02x", i, buf[i], want[i]);
	ASSERT_EQ(bfd_decode(buf, len, &c), 0, "decode");
	ASSERT_EQ(c.version, 1, "version");
	ASSERT_EQ(c.diag, sample.diag, "diag");
	ASSERT_EQ(c.state, sample.state, "state");
	ASSERT_EQ(c.flags, sample.flags, "flags");
	ASSERT_EQ(c.detect_mult, 7, "mult");
	ASSERT_EQ(c.length, 24, "length");
	ASSERT_EQ(c.my_disc, sample.my_disc, "my disc");
	ASSERT_EQ(c.your_disc, sample.your_disc, "your disc");
	ASSERT_EQ(c.desired_min_tx_us, sample.desired_min_tx_us, "tx");
	ASSERT_EQ(c.required_min_rx_us, sample.required_min_rx_us, "rx");
	ASSERT_EQ(c.required_min_echo_rx_us, 16, "echo");
	/* Each state and each flag alone lands in its bit. */
	for (i = 0; i < 4; i++) {
		struct bfd_ctrl s = sample;

		s.state = i;
		s.your_disc = 1;
		bfd_encode(&s, NULL, buf);
		ASSERT_EQ(buf[1] >> 6, i, "state bits");
		ASSERT_EQ(bfd_decode(buf, 24, &c), 0, "decode state");
		ASSERT_EQ(c.state, i, "decoded state");
	}
	for (i = 0; i < 6; i++) {
		struct bfd_ctrl s = sample;

		s.flags = (1 << i) & ~(BFD_FLAG_AUTH | BFD_FLAG_MULTIPOINT);
		bfd_encode(&s, NULL, buf);
		ASSERT_EQ(buf[1] & 0x3f, s.flags, "flag bits");
	}
	/* Bytes after Length (a padded datagram) are not the packet. */
	bfd_encode(&sample, NULL, buf);
	ASSERT_EQ(bfd_decode(buf, 40, &c), 0, "trailing bytes ignored");
	ASSERT_EQ(c.length, 24, "length field rules");
}

static int decode_mut(void (*mut)(uint8_t *b, size_t *len))
{
	uint8_t buf[64] = { 0 };
	struct bfd_ctrl c;
	size_t len = bfd_encode(&sample, NULL, buf);

	mut(buf, &len);
	return bfd_decode(buf, len, &c);
}

#define DROP(r) BFD_ERR(r)
static void m_version0(uint8_t *b, size_t *l) { b[0] &= 0x1f; }
static void m_version2(uint8_t *b, size_t *l) { b[0] = (b[0] & 0x1f) | 2 << 5; }
static void m_version7(uint8_t *b, size_t *l) { b[0] |= 0xe0; }
static void m_short(uint8_t *b, size_t *l) { *l = 23; }
static void m_empty(uint8_t *b, size_t *l) { *l = 0; }
static void m_len_small(uint8_t *b, size_t *l) { b[3] = 23; }
static void m_len_zero(uint8_t *b, size_t *l) { b[3] = 0; }
static void m_len_big(uint8_t *b, size_t *l) { b[3] = 25; }
static void m_auth_short(uint8_t *b, size_t *l) { b[1] |= BFD_FLAG_AUTH; b[3] = 25; *l = 25; }
static void m_auth_len_over(uint8_t *b, size_t *l) { b[1] |= BFD_FLAG_AUTH; b[3] = 28; *l = 28; b[24] = 4; b[25] = 28; }
static void m_auth_len_tiny(uint8_t *b, size_t *l) { b[1] |= BFD_FLAG_AUTH; b[3] = 28; *l = 28; b[24] = 4; b[25] = 1; }
static void m_mult0(uint8_t *b, size_t *l) { b[2] = 0; }
static void m_multipoint(uint8_t *b, size_t *l) { b[1] |= BFD_FLAG_MULTIPOINT; }
static void m_mydisc0(uint8_t *b, size_t *l) { memset(b + 4, 0, 4); }
static void m_yourdisc0_init(uint8_t *b, size_t *l) { memset(b + 8, 0, 4); }
static void m_yourdisc0_up(uint8_t *b, size_t *l) { memset(b + 8, 0, 4); b[1] = (b[1] & 0x3f) | BFD_UP << 6; }
static void m_yourdisc0_down(uint8_t *b, size_t *l) { memset(b + 8, 0, 4); b[1] = (b[1] & 0x3f) | BFD_DOWN << 6; }
static void m_yourdisc0_admin(uint8_t *b, size_t *l) { memset(b + 8, 0, 4); b[1] &= 0x3f; }

static void test_codec_discard_rules(void)
{
	static const struct {
		const char *name;
		void (*mut)(uint8_t *, size_t *);
		int want;
	} t[] = {
		{ "version 0", m_version0, DROP(BFD_DROP_VERSION) },
		{ "version 2", m_version2, DROP(BFD_DROP_VERSION) },
		{ "version 7", m_version7, DROP(BFD_DROP_VERSION) },
		{ "23 bytes", m_short, DROP(BFD_DROP_SHORT) },
		{ "0 bytes", m_empty, DROP(BFD_DROP_SHORT) },
		{ "Length 23", m_len_small, DROP(BFD_DROP_LENGTH) },
		{ "Length 0", m_len_zero, DROP(BFD_DROP_LENGTH) },
		{ "Length past datagram", m_len_big, DROP(BFD_DROP_LENGTH) },
		{ "A bit, Length 25", m_auth_short, DROP(BFD_DROP_LENGTH) },
		{ "Auth Len past Length", m_auth_len_over, DROP(BFD_DROP_AUTH_FORMAT) },
		{ "Auth Len 1", m_auth_len_tiny, DROP(BFD_DROP_AUTH_FORMAT) },
		{ "Detect Mult 0", m_mult0, DROP(BFD_DROP_DETECT_MULT) },
		{ "Multipoint", m_multipoint, DROP(BFD_DROP_MULTIPOINT) },
		{ "My Discriminator 0", m_mydisc0, DROP(BFD_DROP_MY_DISC) },
		{ "Your Disc 0 in Init", m_yourdisc0_init, DROP(BFD_DROP_ZERO_YOUR_DISC) },
		{ "Your Disc 0 in Up", m_yourdisc0_up, DROP(BFD_DROP_ZERO_YOUR_DISC) },
		{ "Your Disc 0 in Down", m_yourdisc0_down, 0 },
		{ "Your Disc 0 in AdminDown", m_yourdisc0_admin, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int got = decode_mut(t[i].mut);

		CHECK(got == t[i].want, "%s: got %d (%s), want %d", t[i].name, got,
		      got < 0 ? bfd_drop_name(-got - 1) : "ok", t[i].want);
	}
}

static const struct bfd_auth_key key_a = {
	.type = BFD_AUTH_KEYED_SHA1, .key_id = 7, .len = 6, .secret = "secret",
};

static void test_codec_sha1_auth(void)
{
	uint8_t buf[BFD_MAX_PACKET], bad[BFD_MAX_PACKET];
	struct bfd_auth_key other = key_a, none = { 0 }, met = key_a;
	struct bfd_ctrl s = sample, c;
	size_t len, i;

	s.auth_seq = 0xdeadbeef;
	len = bfd_encode(&s, &key_a, buf);
	ASSERT_EQ(len, 52, "length with auth");
	ASSERT_EQ(buf[3], 52, "Length field");
	ASSERT_TRUE(buf[1] & BFD_FLAG_AUTH, "A bit");
	ASSERT_EQ(buf[24], BFD_AUTH_KEYED_SHA1, "auth type");
	ASSERT_EQ(buf[25], 28, "auth len");
	ASSERT_EQ(buf[26], 7, "key id");
	ASSERT_EQ(bfd_decode(buf, len, &c), 0, "decode");
	ASSERT_EQ(c.auth_seq, 0xdeadbeef, "sequence");
	ASSERT_EQ(c.auth_key_id, 7, "decoded key id");
	ASSERT_EQ(bfd_auth_verify(buf, len, &c, &key_a), 0, "verifies");
	/* The digest covers every byte, secret included. */
	for (i = 0; i < len; i++) {
		int err;

		memcpy(bad, buf, len);
		bad[i] ^= 0x01;
		if (bfd_decode(bad, len, &c))
			continue;	/* caught earlier: fine */
		err = bfd_auth_verify(bad, len, &c, &key_a);
		CHECK(err < 0, "byte %zu flipped still verifies", i);
	}
	ASSERT_EQ(bfd_decode(buf, len, &c), 0, "decode again");
	other.secret[0] = 'S';
	ASSERT_EQ(bfd_auth_verify(buf, len, &c, &other), DROP(BFD_DROP_AUTH_DIGEST), "wrong secret");
	other = key_a;
	other.key_id = 8;
	ASSERT_EQ(bfd_auth_verify(buf, len, &c, &other), DROP(BFD_DROP_AUTH_KEY_ID), "wrong key id");
	met.type = BFD_AUTH_METICULOUS_SHA1;
	ASSERT_EQ(bfd_auth_verify(buf, len, &c, &met), DROP(BFD_DROP_AUTH_FORMAT), "other type");
	ASSERT_EQ(bfd_auth_verify(buf, len, &c, &none), DROP(BFD_DROP_AUTH_UNEXPECTED), "unexpected");
	len = bfd_encode(&s, NULL, buf);
	ASSERT_EQ(bfd_decode(buf, len, &c), 0, "decode plain");
	ASSERT_EQ(bfd_auth_verify(buf, len, &c, &key_a), DROP(BFD_DROP_AUTH_MISSING), "missing");
	ASSERT_EQ(bfd_auth_verify(buf, len, &c, &none), 0, "none, none");
}

/* ---- two sessions back to back on a simulated clock ---- */

struct sim {
	struct bfd_session s[2];
	int mute[2];			/* its packets are lost */
	uint64_t now;
	int both_flags;			/* a packet with P and F */
	int sent_faster;		/* gap below 75 % of the interval in use */
	uint64_t last_tx[2];
	int ups[2], downs[2];
	int corrupt_seq;		/* replay the previous packet too */
	int rejected;
};

static void sim_init(struct sim *m, uint32_t tx_a, uint32_t tx_b, uint8_t mult,
		     const struct bfd_auth_key *key)
{
	struct bfd_session_conf a = { .desired_min_tx_us = tx_a, .required_min_rx_us = tx_a, .detect_mult = mult },
				b = { .desired_min_tx_us = tx_b, .required_min_rx_us = tx_b, .detect_mult = mult };

	memset(m, 0, sizeof(*m));
	m->now = 1000000;
	if (key) {
		a.key = *key;
		b.key = *key;
	}
	bfd_session_init(&m->s[0], &a, 0x1111, 1, 0, m->now);
	bfd_session_init(&m->s[1], &b, 0x2222, 2, 0, m->now);
}

static void sim_step_one(struct sim *m, int i)
{
	struct bfd_session *s = &m->s[i], *peer = &m->s[1 - i];
	uint8_t buf[BFD_MAX_PACKET];
	struct bfd_ctrl c;
	uint8_t before = peer->state;

	while (bfd_session_tx_due(s, m->now)) {
		int was_final = s->final_due;
		uint32_t interval = bfd_session_tx_interval_us(s);
		size_t len = bfd_session_tx(s, buf, m->now);

		if (m->last_tx[i] && !was_final &&
		    m->now - m->last_tx[i] < (uint64_t)interval * 75 / 100)
			m->sent_faster++;
		if (!was_final)
			m->last_tx[i] = m->now;
		if ((buf[1] & BFD_FLAG_POLL) && (buf[1] & BFD_FLAG_FINAL))
			m->both_flags++;
		if (m->mute[i])
			continue;
		if (bfd_decode(buf, len, &c) || bfd_session_rx(peer, &c, buf, len, m->now))
			m->rejected++;
		if (m->corrupt_seq && !bfd_decode(buf, len, &c) &&
		    !bfd_session_rx(peer, &c, buf, len, m->now))
			m->corrupt_seq = -1;	/* a replay was accepted */
	}
	if (before != BFD_UP && peer->state == BFD_UP)
		m->ups[1 - i]++;
	if (before == BFD_UP && peer->state != BFD_UP)
		m->downs[1 - i]++;
}

static void sim_run(struct sim *m, uint64_t until)
{
	while (m->now < until) {
		uint64_t next = until, t;
		int i;

		for (i = 0; i < 2; i++) {
			uint8_t before = m->s[i].state;

			bfd_session_timers(&m->s[i], m->now);
			if (before == BFD_UP && m->s[i].state != BFD_UP)
				m->downs[i]++;
		}
		sim_step_one(m, 0);
		sim_step_one(m, 1);
		for (i = 0; i < 2; i++) {
			t = bfd_session_next_event(&m->s[i]);
			if (t && t < next)
				next = t;
		}
		m->now = next > m->now ? next : m->now + 1;
	}
}

static void test_session_bring_up(void)
{
	struct sim m;

	sim_init(&m, 10000, 10000, 3, NULL);
	ASSERT_EQ(m.s[0].desired_min_tx_us, BFD_SLOW_TX_US, "1 s while not Up");
	sim_run(&m, m.now + 5000000);
	ASSERT_EQ(m.s[0].state, BFD_UP, "a up");
	ASSERT_EQ(m.s[1].state, BFD_UP, "b up");
	ASSERT_EQ(m.s[0].remote_disc, 0x2222, "a learnt b's discriminator");
	ASSERT_EQ(m.s[1].remote_disc, 0x1111, "b learnt a's discriminator");
	ASSERT_EQ(bfd_session_tx_interval_us(&m.s[0]), 10000, "negotiated 10 ms");
	ASSERT_EQ(bfd_session_detect_us(&m.s[0]), 30000, "detect 3 x 10 ms");
	ASSERT_EQ(m.s[0].poll_active, 0, "poll done");
	ASSERT_TRUE(m.s[0].polls >= 1, "moved to fast timers with a poll");
	ASSERT_EQ(m.both_flags, 0, "never P and F together");
	ASSERT_EQ(m.sent_faster, 0, "never faster than 75 % of the interval");
	ASSERT_EQ(m.rejected, 0, "every packet accepted");
	ASSERT_EQ(m.downs[0] + m.downs[1], 0, "no flap");
}

static void test_session_negotiates_slower_side(void)
{
	struct sim m;

	sim_init(&m, 10000, 50000, 3, NULL);
	sim_run(&m, m.now + 5000000);
	ASSERT_EQ(m.s[0].state, BFD_UP, "up");
	/* a sends no faster than b can receive; b's detection follows a. */
	ASSERT_EQ(bfd_session_tx_interval_us(&m.s[0]), 50000, "a tx");
	ASSERT_EQ(bfd_session_tx_interval_us(&m.s[1]), 50000, "b tx");
	ASSERT_EQ(bfd_session_detect_us(&m.s[0]), 150000, "a detect");
	ASSERT_EQ(bfd_session_detect_us(&m.s[1]), 150000, "b detect");
}

static void test_session_detection(void)
{
	struct sim m;
	uint64_t silent, down_at = 0;

	sim_init(&m, 10000, 10000, 3, NULL);
	sim_run(&m, m.now + 5000000);
	ASSERT_EQ(m.s[0].state, BFD_UP, "up first");
	m.mute[1] = 1;
	silent = m.now;
	while (m.s[0].state == BFD_UP && m.now < silent + 1000000) {
		sim_run(&m, m.now + 100);
		down_at = m.now;
	}
	ASSERT_EQ(m.s[0].state, BFD_DOWN, "a down");
	ASSERT_EQ(m.s[0].local_diag, BFD_DIAG_DETECT_EXPIRED, "diag 1");
	ASSERT_EQ(m.s[0].flaps, 1, "one flap");
	/* Detection runs from the last packet received: within one detect
	 * time (30 ms) of the silence, never before 3 x 7.5 ms. */
	CHECK(down_at - silent <= 30100 && down_at - silent >= 22500,
	      "down %llu us after silence", (unsigned long long)(down_at - silent));
	ASSERT_EQ(m.s[0].remote_disc, 0, "silent peer forgotten");
	ASSERT_EQ(m.s[0].desired_min_tx_us, BFD_SLOW_TX_US, "back to 1 s");
	/* b hears a's Down and follows (diag 3); both come back. */
	m.mute[1] = 0;
	sim_run(&m, m.now + 6000000);
	ASSERT_EQ(m.s[0].state, BFD_UP, "a up again");
	ASSERT_EQ(m.s[1].state, BFD_UP, "b up again");
	ASSERT_EQ(m.s[1].last_diag, BFD_DIAG_NEIGHBOR_DOWN, "b: neighbor signaled down");
}

static void test_session_admin_down(void)
{
	struct sim m;

	sim_init(&m, 50000, 50000, 3, NULL);
	sim_run(&m, m.now + 5000000);
	bfd_session_set_admin_down(&m.s[1], 1, m.now);
	sim_run(&m, m.now + 200000);
	ASSERT_EQ(m.s[1].state, BFD_ADMIN_DOWN, "b admin down");
	ASSERT_EQ(m.s[1].local_diag, BFD_DIAG_ADMIN_DOWN, "diag 7");
	ASSERT_EQ(m.s[0].state, BFD_DOWN, "a down");
	ASSERT_EQ(m.s[0].local_diag, BFD_DIAG_NEIGHBOR_DOWN, "a diag 3");
	/* Stays down while b is AdminDown: a does not go to Init on it. */
	sim_run(&m, m.now + 3000000);
	ASSERT_EQ(m.s[0].state, BFD_DOWN, "a still down");
	bfd_session_set_admin_down(&m.s[1], 0, m.now);
	sim_run(&m, m.now + 5000000);
	ASSERT_EQ(m.s[0].state, BFD_UP, "a up after undrain");
	ASSERT_EQ(m.s[1].state, BFD_UP, "b up after undrain");
}

static void test_session_poll_final(void)
{
	struct sim m;
	struct bfd_session_conf slower;
	uint64_t polls;

	sim_init(&m, 10000, 10000, 3, NULL);
	sim_run(&m, m.now + 5000000);
	polls = m.s[1].polls;
	/* b slows down: its interval must not grow before a's Final. */
	slower = m.s[1].conf;
	slower.desired_min_tx_us = 100000;
	slower.required_min_rx_us = 100000;
	bfd_session_set_conf(&m.s[1], &slower, m.now);
	ASSERT_EQ(m.s[1].poll_active, 1, "poll started");
	ASSERT_EQ(m.s[1].tx_in_use_us, 10000, "old tx until the Final");
	ASSERT_EQ(m.s[1].polls, polls + 1, "counted");
	sim_run(&m, m.now + 1000000);
	ASSERT_EQ(m.s[1].poll_active, 0, "poll completed");
	ASSERT_EQ(bfd_session_tx_interval_us(&m.s[1]), 100000, "b at 100 ms");
	ASSERT_EQ(bfd_session_tx_interval_us(&m.s[0]), 100000, "a follows b's rx");
	ASSERT_EQ(bfd_session_detect_us(&m.s[0]), 300000, "a detect from b's tx");
	ASSERT_EQ(m.downs[0] + m.downs[1], 0, "no flap");
	ASSERT_EQ(m.both_flags, 0, "never P and F together");
	/* Faster again. */
	bfd_session_set_conf(&m.s[1], &m.s[0].conf, m.now);
	ASSERT_EQ(m.s[1].tx_in_use_us, 10000, "faster at once");
	ASSERT_EQ(m.s[1].rx_in_use_us, 100000, "old rx for detection until the Final");
	sim_run(&m, m.now + 1000000);
	ASSERT_EQ(m.s[1].rx_in_use_us, 10000, "new rx after the Final");
	ASSERT_EQ(m.downs[0] + m.downs[1], 0, "still no flap");
}

/* RFC 5880 §6.8.6 state table: every local state against every received
 * state, one packet each. */
static void test_session_transitions(void)
{
	static const uint8_t want[4][4] = {
		/* received:     AdminDown    Down          Init         Up */
		[BFD_ADMIN_DOWN] = { BFD_ADMIN_DOWN, BFD_ADMIN_DOWN, BFD_ADMIN_DOWN, BFD_ADMIN_DOWN },
		[BFD_DOWN]       = { BFD_DOWN, BFD_INIT, BFD_UP, BFD_DOWN },
		[BFD_INIT]       = { BFD_DOWN, BFD_INIT, BFD_UP, BFD_UP },
		[BFD_UP]         = { BFD_DOWN, BFD_DOWN, BFD_UP, BFD_UP },
	};
	struct bfd_session_conf conf = { .desired_min_tx_us = 50000,
					 .required_min_rx_us = 50000, .detect_mult = 3 };
	int local, rx;

	for (local = 0; local < 4; local++) {
		for (rx = 0; rx < 4; rx++) {
			struct bfd_session s;
			struct bfd_ctrl c = { .version = 1, .state = rx, .detect_mult = 3,
					      .my_disc = 9, .your_disc = rx >= BFD_INIT ? 5 : 0,
					      .desired_min_tx_us = 50000,
					      .required_min_rx_us = 50000 };
			uint8_t buf[BFD_MAX_PACKET];
			size_t len = bfd_encode(&c, NULL, buf);

			bfd_session_init(&s, &conf, 5, 1, local == BFD_ADMIN_DOWN, 0);
			s.state = local;
			bfd_session_rx(&s, &c, buf, len, 1000);
			CHECK(s.state == want[local][rx], "%s receiving %s: %s, want %s",
			      bfd_state_name(local), bfd_state_name(rx),
			      bfd_state_name(s.state), bfd_state_name(want[local][rx]));
			if (local == BFD_UP && s.state == BFD_DOWN)
				ASSERT_EQ(s.local_diag, BFD_DIAG_NEIGHBOR_DOWN, "diag 3");
		}
	}
}

static void test_session_jitter(void)
{
	struct bfd_session s;
	struct bfd_session_conf c = { .desired_min_tx_us = 100000, .required_min_rx_us = 100000, .detect_mult = 3 };
	uint8_t buf[BFD_MAX_PACKET];
	uint64_t lo = ~0ull, hi = 0, now = 0;
	int i;

	bfd_session_init(&s, &c, 1, 42, 0, now);
	s.state = BFD_UP;
	s.tx_in_use_us = 100000;
	s.remote_min_rx_us = 1;
	for (i = 0; i < 10000; i++) {
		uint64_t gap;

		now = s.next_tx_us;
		bfd_session_tx(&s, buf, now);
		gap = s.next_tx_us - now;
		lo = gap < lo ? gap : lo;
		hi = gap > hi ? gap : hi;
	}
	CHECK(lo >= 75000 && hi <= 100000 && lo < 76000 && hi > 99000,
	      "jitter 75-100 %%: %llu..%llu", (unsigned long long)lo, (unsigned long long)hi);
	c.detect_mult = 1;
	bfd_session_init(&s, &c, 1, 42, 0, 0);
	s.tx_in_use_us = 100000;
	for (hi = 0, i = 0; i < 10000; i++) {
		now = s.next_tx_us;
		bfd_session_tx(&s, buf, now);
		hi = s.next_tx_us - now > hi ? s.next_tx_us - now : hi;
	}
	CHECK(hi <= 90000, "detect mult 1: at most 90 %%, got %llu", (unsigned long long)hi);
	/* A peer asking for no packets (Required Min RX 0) gets none. */
	s.remote_min_rx_us = 0;
	ASSERT_EQ(bfd_session_tx_due(&s, s.next_tx_us + 1), 0, "silent for rx 0");
}

static void test_session_auth(void)
{
	struct bfd_auth_key met = key_a, wrong = key_a;
	struct sim m;
	uint8_t buf[BFD_MAX_PACKET];
	struct bfd_ctrl c;
	size_t len;

	sim_init(&m, 50000, 50000, 3, &key_a);
	sim_run(&m, m.now + 5000000);
	ASSERT_EQ(m.s[0].state, BFD_UP, "keyed sha1 up");
	ASSERT_EQ(m.rejected, 0, "nothing rejected");
	/* Keyed SHA1 accepts a repeated sequence number (RFC 5880 §6.7.4). */
	m.corrupt_seq = 1;
	sim_run(&m, m.now + 200000);
	ASSERT_EQ(m.corrupt_seq, -1, "keyed: replay inside the window accepted");

	met.type = BFD_AUTH_METICULOUS_SHA1;
	sim_init(&m, 50000, 50000, 3, &met);
	sim_run(&m, m.now + 5000000);
	ASSERT_EQ(m.s[0].state, BFD_UP, "meticulous up");
	m.corrupt_seq = 1;
	sim_run(&m, m.now + 200000);
	ASSERT_EQ(m.corrupt_seq, 1, "meticulous: no replay accepted");
	/* A sequence number far ahead is outside the window. */
	m.s[1].xmit_auth_seq += 1000;
	len = bfd_session_tx(&m.s[1], buf, m.now);
	ASSERT_EQ(bfd_decode(buf, len, &c), 0, "decode");
	ASSERT_EQ(bfd_session_rx(&m.s[0], &c, buf, len, m.now), DROP(BFD_DROP_AUTH_SEQ), "window");

	/* Mismatched secrets never come up. */
	sim_init(&m, 50000, 50000, 3, &key_a);
	wrong.secret[0] ^= 1;
	m.s[1].conf.key = wrong;
	sim_run(&m, m.now + 5000000);
	ASSERT_EQ(m.s[0].state, BFD_DOWN, "a stays down");
	ASSERT_EQ(m.s[1].state, BFD_DOWN, "b stays down");
	ASSERT_TRUE(m.rejected > 0, "packets rejected");
}

int main(void)
{
	RUN_TEST(test_sha1_vectors);
	RUN_TEST(test_codec_fields);
	RUN_TEST(test_codec_discard_rules);
	RUN_TEST(test_codec_sha1_auth);
	RUN_TEST(test_session_bring_up);
	RUN_TEST(test_session_negotiates_slower_side);
	RUN_TEST(test_session_detection);
	RUN_TEST(test_session_admin_down);
	RUN_TEST(test_session_poll_final);
	RUN_TEST(test_session_transitions);
	RUN_TEST(test_session_jitter);
	RUN_TEST(test_session_auth);
	return test_summary();
}
