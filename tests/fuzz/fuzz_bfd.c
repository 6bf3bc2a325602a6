// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * libFuzzer target: BFD packets from the network. Whatever the bytes, the
 * decoder and a session (plain and keyed SHA1) must not crash or read out
 * of bounds, and what decodes must re-encode to the same fields.
 */
#include <assert.h>
#include <string.h>

#include "bfd/bfd_packet.h"
#include "bfd/bfd_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bfd_auth_key key = {
		.type = BFD_AUTH_METICULOUS_SHA1, .key_id = 1, .len = 3, .secret = "abc",
	};
	struct bfd_session_conf conf = { .desired_min_tx_us = 10000,
					 .required_min_rx_us = 10000, .detect_mult = 3 };
	uint8_t out[BFD_MAX_PACKET];
	struct bfd_session s;
	struct bfd_ctrl c, back;
	uint64_t now = 1000;
	size_t len;

	if (bfd_decode(data, size, &c))
		return 0;
	assert(c.length <= size && c.version == 1 && c.detect_mult && c.my_disc);
	/* Round trip of everything but the auth section. */
	len = bfd_encode(&c, NULL, out);
	assert(!bfd_decode(out, len, &back));
	assert(back.state == c.state && back.diag == c.diag &&
	       back.my_disc == c.my_disc && back.your_disc == c.your_disc &&
	       back.desired_min_tx_us == c.desired_min_tx_us &&
	       back.required_min_rx_us == c.required_min_rx_us &&
	       (back.flags | BFD_FLAG_AUTH) == (c.flags | BFD_FLAG_AUTH));
	/* Through a session in every state, plain and authenticated. */
	for (int state = 0; state < 4; state++) {
		for (int auth = 0; auth < 2; auth++) {
			if (auth)
				conf.key = key;
			bfd_session_init(&s, &conf, 77, 5, state == BFD_ADMIN_DOWN, 0);
			s.state = state;
			bfd_session_rx(&s, &c, data, size, now);
			bfd_session_timers(&s, now + bfd_session_detect_us(&s) + 1);
			if (bfd_session_tx_due(&s, now))
				bfd_session_tx(&s, out, now);
			assert(s.state <= BFD_UP);
		}
	}
	return 0;
}
