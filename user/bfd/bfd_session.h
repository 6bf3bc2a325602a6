/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * One BFD session (RFC 5880 asynchronous mode, no echo, no demand): the
 * state variables of §6.8.1, reception (§6.8.6), transmission (§6.8.7),
 * timers with Poll/Final (§6.5, §6.8.3), detection (§6.8.4) and the
 * keyed SHA1 sequence window (§6.7.4). Time is passed in by the caller
 * (monotonic microseconds), so the machine is deterministic and tested
 * without sockets or sleeping.
 */
#ifndef ECMP_BFD_SESSION_H
#define ECMP_BFD_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "bfd_packet.h"

#define BFD_SLOW_TX_US		1000000	/* while not Up, §6.8.3 */

struct bfd_session_conf {
	uint32_t desired_min_tx_us;	/* once Up */
	uint32_t required_min_rx_us;
	uint8_t detect_mult;
	struct bfd_auth_key key;
};

struct bfd_session {
	struct bfd_session_conf conf;

	/* §6.8.1 */
	uint8_t state, remote_state, local_diag;
	uint32_t local_disc, remote_disc;
	uint32_t desired_min_tx_us;	/* advertised */
	uint32_t required_min_rx_us;	/* advertised */
	uint32_t remote_min_rx_us;
	uint32_t remote_desired_min_tx_us;
	uint8_t remote_detect_mult;
	uint32_t rcv_auth_seq, xmit_auth_seq;
	int auth_seq_known;

	/* Poll/Final: while a poll runs, the values that must not take effect
	 * yet stay in the *_in_use fields (§6.8.3). */
	int poll_active;
	int final_due;			/* answer a Poll at once */
	uint32_t tx_in_use_us;		/* our transmit interval basis */
	uint32_t rx_in_use_us;		/* our required rx for detection */

	/* Timers (0 = not running). */
	uint64_t next_tx_us;
	uint64_t detect_deadline_us;
	uint64_t auth_seq_deadline_us;
	uint32_t rng;

	/* For ecmpctl and counters. */
	uint64_t rx_packets, tx_packets, flaps, polls;
	uint64_t last_change_us;
	uint8_t last_diag;		/* the diag of the last change to Down */
};

/* A new session in state Down (or AdminDown when admin_down). */
void bfd_session_init(struct bfd_session *s, const struct bfd_session_conf *conf,
		      uint32_t local_disc, uint32_t rng_seed, int admin_down,
		      uint64_t now);
/* New timers or key; timer changes while Up run a Poll Sequence. */
void bfd_session_set_conf(struct bfd_session *s,
			  const struct bfd_session_conf *conf, uint64_t now);
/* AdminDown (diag 7) on, or back to Down. */
void bfd_session_set_admin_down(struct bfd_session *s, int admin_down,
				uint64_t now);
/* A packet that passed bfd_decode() and was demultiplexed to s. Checks
 * authentication and runs the state machine. Returns 0, or
 * -(1 + enum bfd_drop) when the packet is discarded. */
int bfd_session_rx(struct bfd_session *s, const struct bfd_ctrl *c,
		   const uint8_t *buf, size_t len, uint64_t now);
/* Runs the detection timer. Call when now >= bfd_session_next_event(). */
void bfd_session_timers(struct bfd_session *s, uint64_t now);
/* Whether a packet is due now (periodic transmission or a Final). */
int bfd_session_tx_due(const struct bfd_session *s, uint64_t now);
/* Builds the next packet into buf (BFD_MAX_PACKET bytes) and schedules
 * the one after it. Returns its length. */
size_t bfd_session_tx(struct bfd_session *s, uint8_t *buf, uint64_t now);
/* The earliest time anything is due for this session (0 = nothing). */
uint64_t bfd_session_next_event(const struct bfd_session *s);
/* Detection time in use (µs), 0 before anything was received. */
uint64_t bfd_session_detect_us(const struct bfd_session *s);
/* Negotiated transmit interval (µs): what we send at when Up. */
uint32_t bfd_session_tx_interval_us(const struct bfd_session *s);

#endif /* ECMP_BFD_SESSION_H */
