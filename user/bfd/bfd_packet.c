// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* BFD Control packet codec; see bfd_packet.h. Field layout: RFC 5880 §4.1,
 * keyed SHA1 section: §4.4, its digest: §6.7.4. */
#include <string.h>

#include "bfd_packet.h"
#include "sha1.h"

static const char *const drop_names[BFD_DROP_MAX] = {
	[BFD_DROP_TTL] = "ttl",
	[BFD_DROP_SHORT] = "short",
	[BFD_DROP_VERSION] = "version",
	[BFD_DROP_LENGTH] = "length",
	[BFD_DROP_DETECT_MULT] = "detect_mult",
	[BFD_DROP_MULTIPOINT] = "multipoint",
	[BFD_DROP_MY_DISC] = "my_disc",
	[BFD_DROP_ZERO_YOUR_DISC] = "zero_your_disc",
	[BFD_DROP_UNKNOWN_DISC] = "unknown_disc",
	[BFD_DROP_UNKNOWN_PEER] = "unknown_peer",
	[BFD_DROP_AUTH_MISSING] = "auth_missing",
	[BFD_DROP_AUTH_UNEXPECTED] = "auth_unexpected",
	[BFD_DROP_AUTH_FORMAT] = "auth_format",
	[BFD_DROP_AUTH_KEY_ID] = "auth_key_id",
	[BFD_DROP_AUTH_SEQ] = "auth_seq",
	[BFD_DROP_AUTH_DIGEST] = "auth_digest",
	[BFD_DROP_ADMIN_DOWN] = "admin_down",
};

const char *bfd_drop_name(enum bfd_drop reason)
{
	return reason < BFD_DROP_MAX ? drop_names[reason] : "?";
}

const char *bfd_state_name(int state)
{
	static const char *const names[] = { "admin_down", "down", "init", "up" };

	return state >= 0 && state <= 3 ? names[state] : "?";
}

const char *bfd_diag_name(int diag)
{
	static const char *const names[] = {
		"none", "detect_expired", "echo_failed", "neighbor_down",
		"fwd_plane_reset", "path_down", "concat_path_down",
		"admin_down", "reverse_concat_path_down",
	};

	return diag >= 0 && diag <= 8 ? names[diag] : "reserved";
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

int bfd_decode(const uint8_t *buf, size_t len, struct bfd_ctrl *c)
{
	memset(c, 0, sizeof(*c));
	if (len < BFD_HEADER_LEN)
		return BFD_ERR(BFD_DROP_SHORT);
	c->version = buf[0] >> 5;
	c->diag = buf[0] & 0x1f;
	c->state = buf[1] >> 6;
	c->flags = buf[1] & 0x3f;
	c->detect_mult = buf[2];
	c->length = buf[3];
	c->my_disc = get32(buf + 4);
	c->your_disc = get32(buf + 8);
	c->desired_min_tx_us = get32(buf + 12);
	c->required_min_rx_us = get32(buf + 16);
	c->required_min_echo_rx_us = get32(buf + 20);

	if (c->version != BFD_VERSION)
		return BFD_ERR(BFD_DROP_VERSION);
	if (c->length < ((c->flags & BFD_FLAG_AUTH) ? BFD_HEADER_LEN + 2 : BFD_HEADER_LEN) ||
	    c->length > len)
		return BFD_ERR(BFD_DROP_LENGTH);
	if (!c->detect_mult)
		return BFD_ERR(BFD_DROP_DETECT_MULT);
	if (c->flags & BFD_FLAG_MULTIPOINT)
		return BFD_ERR(BFD_DROP_MULTIPOINT);
	if (!c->my_disc)
		return BFD_ERR(BFD_DROP_MY_DISC);
	if (!c->your_disc && c->state != BFD_DOWN && c->state != BFD_ADMIN_DOWN)
		return BFD_ERR(BFD_DROP_ZERO_YOUR_DISC);
	if (c->flags & BFD_FLAG_AUTH) {
		c->auth_type = buf[24];
		c->auth_len = buf[25];
		if (c->auth_len < 2 || BFD_HEADER_LEN + c->auth_len > c->length)
			return BFD_ERR(BFD_DROP_AUTH_FORMAT);
		if (c->auth_len >= 8) {
			c->auth_key_id = buf[26];
			c->auth_seq = get32(buf + 28);
		}
	}
	return 0;
}

/* The digest over the packet with the key (zero-padded to 20 bytes) in
 * the digest field, §6.7.4. */
static void sha1_digest(const uint8_t *pkt, size_t len,
			const struct bfd_auth_key *key, uint8_t out[SHA1_DIGEST_LEN])
{
	uint8_t tmp[BFD_MAX_PACKET];

	memcpy(tmp, pkt, len);
	memset(tmp + 32, 0, BFD_SHA1_KEY_MAX);
	memcpy(tmp + 32, key->secret, key->len);
	sha1(tmp, len, out);
}

size_t bfd_encode(const struct bfd_ctrl *c, const struct bfd_auth_key *key,
		  uint8_t *buf)
{
	int auth = key && key->type != BFD_AUTH_NONE;
	size_t len = auth ? BFD_HEADER_LEN + BFD_SHA1_AUTH_LEN : BFD_HEADER_LEN;

	memset(buf, 0, len);
	buf[0] = BFD_VERSION << 5 | (c->diag & 0x1f);
	buf[1] = (c->state & 3) << 6 | (c->flags & ~BFD_FLAG_AUTH & 0x3f) |
		 (auth ? BFD_FLAG_AUTH : 0);
	buf[2] = c->detect_mult;
	buf[3] = len;
	put32(buf + 4, c->my_disc);
	put32(buf + 8, c->your_disc);
	put32(buf + 12, c->desired_min_tx_us);
	put32(buf + 16, c->required_min_rx_us);
	put32(buf + 20, c->required_min_echo_rx_us);
	if (auth) {
		uint8_t digest[SHA1_DIGEST_LEN];

		buf[24] = key->type;
		buf[25] = BFD_SHA1_AUTH_LEN;
		buf[26] = key->key_id;
		put32(buf + 28, c->auth_seq);
		sha1_digest(buf, len, key, digest);
		memcpy(buf + 32, digest, SHA1_DIGEST_LEN);
	}
	return len;
}

int bfd_auth_verify(const uint8_t *buf, size_t len, const struct bfd_ctrl *c,
		    const struct bfd_auth_key *key)
{
	uint8_t digest[SHA1_DIGEST_LEN];
	uint8_t diff = 0;
	int i;

	if (!(c->flags & BFD_FLAG_AUTH))
		return key->type == BFD_AUTH_NONE ? 0 : BFD_ERR(BFD_DROP_AUTH_MISSING);
	if (key->type == BFD_AUTH_NONE)
		return BFD_ERR(BFD_DROP_AUTH_UNEXPECTED);
	if (c->auth_type != key->type || c->auth_len != BFD_SHA1_AUTH_LEN ||
	    c->length != BFD_HEADER_LEN + BFD_SHA1_AUTH_LEN || len < c->length)
		return BFD_ERR(BFD_DROP_AUTH_FORMAT);
	if (c->auth_key_id != key->key_id)
		return BFD_ERR(BFD_DROP_AUTH_KEY_ID);
	sha1_digest(buf, c->length, key, digest);
	/* Constant time: the comparison tells an attacker nothing. */
	for (i = 0; i < SHA1_DIGEST_LEN; i++)
		diff |= digest[i] ^ buf[32 + i];
	return diff ? BFD_ERR(BFD_DROP_AUTH_DIGEST) : 0;
}
