// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test traffic: NFLOWS UDP flows (source ports BASE..BASE+NFLOWS-1) from SRC
 * to DST, sent as raw frames on IFNAME to DSTMAC, ROUNDS times over, at most
 * PPS frames per second (0: as fast as the socket takes them). Prints the
 * number of frames sent. Each frame carries its send time (CLOCK_MONOTONIC
 * ns) in the first 8 payload bytes, for netsink's loss windows.
 *
 *   flowgen IFNAME DSTMAC SRC DST BASE NFLOWS [ROUNDS [PPS [DPORT]]]
 *
 * --options: IPv4 frames carry 4 bytes of options (NOPs), IPv6 frames a
 * Hop-by-Hop header (PadN): what the router must leave to the kernel.
 * With --icmp-error REPORTER first, each frame is instead the error a
 * router at REPORTER sends to DST about the flow's reply (DST:DPORT ->
 * SRC:BASE+i): "fragmentation needed" (IPv4) or "packet too big" (IPv6),
 * quoting that reply's IP header and 8 bytes of UDP (RFC 792).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <net/ethernet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../bpf/frame_build.h"

static int parse_mac(const char *s, uint8_t *m)
{
	return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &m[0], &m[1], &m[2],
		      &m[3], &m[4], &m[5]) == 6 ? 0 : -1;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Writes the send time into the payload (host order, as netsink reads it)
 * and a correct UDP checksum over it: an arbitrary checksum field could
 * look like one left to offload, which the router rightly passes. */
static void stamp(uint8_t *frame, size_t len, int v6, size_t udp, uint64_t t)
{
	size_t l3 = 14, ulen = len - udp;
	uint8_t *ck = frame + udp + 6, pseudo[4] = { 0, 17, ulen >> 8, ulen };
	uint32_t sum;
	uint16_t c;

	memcpy(frame + udp + 8, &t, sizeof(t));
	ck[0] = ck[1] = 0;
	sum = v6 ? csum_add(0, frame + l3 + 8, 32) : csum_add(0, frame + l3 + 12, 8);
	sum = csum_add(sum, pseudo, 4);
	sum = csum_add(sum, frame + udp, ulen);
	c = csum_fold(sum);
	if (!c)
		c = 0xffff;	/* 0 would mean "no checksum" (RFC 768) */
	ck[0] = c >> 8;
	ck[1] = c;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct frame_spec s;
	struct ifreq ifr = { 0 };
	long nflows, rounds = 1, pps = 0, r, i, sent = 0, base;
	uint64_t start;
	int fd, dport = 5001, v6;
	const char *reporter = NULL;
	struct frame_spec quote, flow;
	uint8_t rep[16] = { 0 };
	struct frame_layout lay;
	int options = 0;

	if (argc > 1 && !strcmp(argv[1], "--options")) {
		options = 1;
		argc--;
		argv++;
	}
	if (argc > 2 && !strcmp(argv[1], "--icmp-error")) {
		reporter = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 7) {
		fprintf(stderr, "usage: flowgen IFNAME DSTMAC SRC DST BASE NFLOWS [ROUNDS [PPS [DPORT]]]\n");
		return 2;
	}
	v6 = strchr(argv[3], ':') != NULL;
	frame_spec_default(&s, v6 ? 6 : 4);
	if (parse_mac(argv[2], s.dmac) ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, argv[3], s.src) != 1 ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, argv[4], s.dst) != 1) {
		fprintf(stderr, "flowgen: bad MAC or address\n");
		return 2;
	}
	base = atol(argv[5]);
	nflows = atol(argv[6]);
	if (argc > 7)
		rounds = atol(argv[7]);
	if (argc > 8)
		pps = atol(argv[8]);
	if (argc > 9)
		dport = atoi(argv[9]);
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("flowgen: socket");
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[1]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		perror("flowgen: interface");
		return 1;
	}
	memcpy(s.smac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = if_nametoindex(argv[1]);
	sll.sll_protocol = htons(v6 ? ETH_P_IPV6 : ETH_P_IP);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, s.dmac, 6);
	s.dport = dport;
	s.payload = 32;
	if (options && v6) {
		s.n_ext = 1;
		s.ext[0] = 0;	/* Hop-by-Hop */
	} else if (options) {
		s.ip_opt_len = 4;
	}
	if (reporter) {
		if (inet_pton(v6 ? AF_INET6 : AF_INET, reporter, rep) != 1) {
			fprintf(stderr, "flowgen: bad reporter address %s\n", reporter);
			return 2;
		}
		flow = s;
		frame_spec_icmp_error(&s, &quote, &flow, rep, (v6 ? 40 : 20) + 8);
	}
	start = now_ns();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nflows; i++) {
			uint8_t frame[2048];
			size_t len;

			s.sport = base + i;
			if (reporter) {	/* the error quotes flow i's reply */
				flow.sport = base + i;
				frame_spec_icmp_error(&s, &quote, &flow, rep,
						      (v6 ? 40 : 20) + 8);
			}
			len = frame_build_layout(&s, frame, sizeof(frame), &lay);
			if (!reporter)
				stamp(frame, len, v6, lay.l4, now_ns());
			while (sendto(fd, frame, len, 0, (struct sockaddr *)&sll,
				      sizeof(sll)) < 0) {
				if (errno != ENOBUFS && errno != EAGAIN) {
					perror("flowgen: send");
					return 1;
				}
				usleep(100);
			}
			sent++;
			if (pps) {
				uint64_t due = start + (uint64_t)sent * 1000000000ull / pps;

				while (now_ns() < due)
					;
			}
		}
	}
	printf("%ld\n", sent);
	return 0;
}
