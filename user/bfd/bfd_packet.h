/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * BFD Control packets (RFC 5880 §4): encoding, decoding with every
 * packet-level check of §6.8.6, and keyed SHA1 authentication (§6.7.4).
 * Pure functions over byte buffers: no sockets, no clocks, no sessions.
 * What needs a session (demultiplexing, the sequence-number window) is in
 * bfd_session.c; the reasons a packet is dropped are counted by name.
 */
#ifndef ECMP_BFD_PACKET_H
#define ECMP_BFD_PACKET_H

#include <stddef.h>
#include <stdint.h>

#define BFD_VERSION		1
#define BFD_HEADER_LEN		24
#define BFD_SHA1_AUTH_LEN	28	/* type, len, key id, reserved, seq, digest */
#define BFD_MAX_PACKET		(BFD_HEADER_LEN + BFD_SHA1_AUTH_LEN)
#define BFD_SHA1_KEY_MAX	20
#define BFD_PORT		3784	/* RFC 5881 §4 single hop */
#define BFD_SRC_PORT_MIN	49152
#define BFD_SRC_PORT_MAX	65535
#define BFD_TTL			255	/* sent, and required on receipt (GTSM) */
#define BFD_TOS_CS6		0xc0

enum bfd_state {
	BFD_ADMIN_DOWN = 0,
	BFD_DOWN = 1,
	BFD_INIT = 2,
	BFD_UP = 3,
};

/* Diagnostic codes, §4.1. */
enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_DETECT_EXPIRED = 1,
	BFD_DIAG_ECHO_FAILED = 2,
	BFD_DIAG_NEIGHBOR_DOWN = 3,
	BFD_DIAG_FWD_PLANE_RESET = 4,
	BFD_DIAG_PATH_DOWN = 5,
	BFD_DIAG_CONCAT_PATH_DOWN = 6,
	BFD_DIAG_ADMIN_DOWN = 7,
	BFD_DIAG_REVERSE_CONCAT_DOWN = 8,
};

enum bfd_flags {
	BFD_FLAG_MULTIPOINT = 0x01,
	BFD_FLAG_DEMAND = 0x02,
	BFD_FLAG_AUTH = 0x04,
	BFD_FLAG_CPI = 0x08,	/* control plane independent */
	BFD_FLAG_FINAL = 0x10,
	BFD_FLAG_POLL = 0x20,
};

enum bfd_auth_type {
	BFD_AUTH_NONE = 0,
	BFD_AUTH_SIMPLE = 1,
	BFD_AUTH_KEYED_MD5 = 2,
	BFD_AUTH_METICULOUS_MD5 = 3,
	BFD_AUTH_KEYED_SHA1 = 4,
	BFD_AUTH_METICULOUS_SHA1 = 5,
};

struct bfd_ctrl {
	uint8_t version;
	uint8_t diag;
	uint8_t state;
	uint8_t flags;		/* enum bfd_flags */
	uint8_t detect_mult;
	uint8_t length;
	uint32_t my_disc, your_disc;
	uint32_t desired_min_tx_us;
	uint32_t required_min_rx_us;
	uint32_t required_min_echo_rx_us;
	/* The authentication section, when BFD_FLAG_AUTH is set. */
	uint8_t auth_type, auth_len, auth_key_id;
	uint32_t auth_seq;
};

struct bfd_auth_key {
	uint8_t type;		/* BFD_AUTH_NONE, _KEYED_SHA1, _METICULOUS_SHA1 */
	uint8_t key_id;
	uint8_t len;		/* 1..20 */
	uint8_t secret[BFD_SHA1_KEY_MAX];
};

/* Why a received packet was not accepted; every one has a counter. */
enum bfd_drop {
	BFD_DROP_TTL,			/* TTL/hop limit not 255 (RFC 5881 §5) */
	BFD_DROP_SHORT,			/* shorter than the mandatory section */
	BFD_DROP_VERSION,
	BFD_DROP_LENGTH,		/* Length field too small or beyond the datagram */
	BFD_DROP_DETECT_MULT,		/* Detect Mult is zero */
	BFD_DROP_MULTIPOINT,
	BFD_DROP_MY_DISC,		/* My Discriminator is zero */
	BFD_DROP_ZERO_YOUR_DISC,	/* Your Discriminator 0 and state not (Admin)Down */
	BFD_DROP_UNKNOWN_DISC,		/* Your Discriminator matches no session */
	BFD_DROP_UNKNOWN_PEER,		/* no session for the source address */
	BFD_DROP_AUTH_MISSING,		/* session authenticates, packet does not */
	BFD_DROP_AUTH_UNEXPECTED,	/* packet authenticates, session does not */
	BFD_DROP_AUTH_FORMAT,		/* auth section malformed or another type */
	BFD_DROP_AUTH_KEY_ID,
	BFD_DROP_AUTH_SEQ,		/* sequence number outside the window */
	BFD_DROP_AUTH_DIGEST,
	BFD_DROP_ADMIN_DOWN,		/* local session administratively down */
	BFD_DROP_MAX
};

/* The error value for a drop reason, as the functions below return it. */
#define BFD_ERR(reason)	(-(1 + (int)(reason)))

const char *bfd_drop_name(enum bfd_drop reason);
const char *bfd_state_name(int state);
const char *bfd_diag_name(int diag);

/* Checks the packet-level rules of RFC 5880 §6.8.6 (version, length,
 * detect mult, multipoint, discriminators, shape of the auth section) and
 * fills c. Returns 0 or -(1 + enum bfd_drop). */
int bfd_decode(const uint8_t *buf, size_t len, struct bfd_ctrl *c);
/* Writes c into buf (at least BFD_MAX_PACKET bytes), with the auth section
 * and its digest when key->type is not NONE (c->auth_seq is the sequence
 * number to send). Sets c->length. Returns the packet length. */
size_t bfd_encode(const struct bfd_ctrl *c, const struct bfd_auth_key *key,
		  uint8_t *buf);
/* Verifies the digest of a decoded packet against key: 0 or
 * -(1 + BFD_DROP_AUTH_*). The sequence window is the session's job. */
int bfd_auth_verify(const uint8_t *buf, size_t len, const struct bfd_ctrl *c,
		    const struct bfd_auth_key *key);

#endif /* ECMP_BFD_PACKET_H */
