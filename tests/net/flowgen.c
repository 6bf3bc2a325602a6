// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Test traffic: NFLOWS UDP flows (source ports BASE..BASE+NFLOWS-1) from SRC
 * to DST, sent as raw frames on IFNAME to DSTMAC, ROUNDS times over, at most
 * PPS frames per second (0: as fast as the socket takes them). Prints the
 * number of frames sent. Each frame carries its send time (CLOCK_MONOTONIC
 * ns) in the first 8 payload bytes, for netsink's loss windows.
 *
 *   flowgen IFNAME DSTMAC SRC DST BASE NFLOWS [ROUNDS [PPS [DPORT]]]
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

/* Writes the send time into the payload; the UDP checksum follows by
 * RFC 1624 (the receivers verify checksums in the TCP-less tests too). */
static void stamp(uint8_t *frame, int v6, uint64_t t)
{
	size_t udp = 14 + (v6 ? 40 : 20);
	uint8_t *p = frame + udp + 8, *ck = frame + udp + 6;
	uint32_t sum = (uint16_t)~(ck[0] << 8 | ck[1]);
	int i;

	for (i = 0; i < 8; i += 2) {
		uint16_t old = p[i] << 8 | p[i + 1];

		/* Host order, as netsink reads it back. */
		p[i] = t >> (8 * i);
		p[i + 1] = t >> (8 * i + 8);
		sum += (uint16_t)~old + (uint16_t)(p[i] << 8 | p[i + 1]);
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	sum = (uint16_t)~sum;
	if (!sum)
		sum = 0xffff;	/* 0 would mean "no checksum" (RFC 768) */
	ck[0] = sum >> 8;
	ck[1] = sum;
}

int main(int argc, char **argv)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	struct frame_spec s;
	struct ifreq ifr = { 0 };
	long nflows, rounds = 1, pps = 0, r, i, sent = 0, base;
	uint64_t start;
	int fd, dport = 5001, v6;

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
	start = now_ns();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nflows; i++) {
			uint8_t frame[2048];
			size_t len;

			s.sport = base + i;
			len = frame_build(&s, frame, sizeof(frame));
			stamp(frame, v6, now_ns());
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
