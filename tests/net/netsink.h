/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The per-flow record of the test sink (netsink.bpf.c, netsink.c). */
#ifndef NETSINK_H
#define NETSINK_H

struct sink_flow {
	__u64 packets;
	__u64 first_ns, last_ns;	/* send times carried by probe frames */
};

#endif
