// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The benchmarks' traffic generator and small helpers.
 *
 *   trafficgen send IFNAME DSTMAC SRC DST NFLOWS SIZE MS
 *       UDP frames of SIZE bytes from IFNAME, NFLOWS source ports, as fast
 *       as one CPU can, for SECONDS (BPF_PROG_TEST_RUN live frames: one
 *       long run, stopped by a signal; setting a run up costs ~27 ms).
 *       Prints the number of frames sent.
 *   trafficgen floor IFNAME TARGET [TARGET2 TARGET3 TARGET4]
 *       attach the benchmark floor (every frame redirected to TARGET, or
 *       spread over four targets by the source port, through a devmap,
 *       nothing else) to IFNAME, native XDP.
 *   trafficgen fib IFNAME TARGET...
 *       attach the XDP forwarder on the kernel's FIB (bench_fib.bpf.c,
 *       fib_fwd: the main table, the TARGET interfaces in its devmap) to
 *       IFNAME, native XDP: the peer the pps bench measures beside ecmp.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../bpf/frame_build.h"

#define GEN_HDR 64

struct gen_cfg {
	uint8_t hdr[GEN_HDR];
	uint32_t hdr_len;
	uint32_t sport_off;
	uint32_t nflows;
	uint32_t base_port;
};

static char dir[4096];

static void on_alarm(int sig)
{
	(void)sig;	/* interrupts the test run: it returns -EINTR */
}

static struct bpf_object *load(const char *name)
{
	char path[4200];
	struct bpf_object *obj;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	obj = bpf_object__open_file(path, NULL);
	if (!obj || bpf_object__load(obj)) {
		fprintf(stderr, "trafficgen: cannot load %s\n", path);
		exit(1);
	}
	return obj;
}

static int do_send(char **argv)
{
	struct bpf_object *obj = load("trafficgen.bpf.o");
	struct gen_cfg cfg = { 0 };
	struct frame_spec s;
	struct ifreq ifr = { 0 };
	struct xdp_md ctx = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm };
	uint8_t frame[2048];
	size_t len;
	int v6 = strchr(argv[2], ':') != NULL, fd, cfd, ncpu, i;
	uint32_t zero = 0, size = atoi(argv[5]);
	uint64_t total = 0, *per_cpu;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		    .repeat = 1u << 30, .batch_size = 64);

	frame_spec_default(&s, v6 ? 6 : 4);
	if (sscanf(argv[1], "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &s.dmac[0],
		   &s.dmac[1], &s.dmac[2], &s.dmac[3], &s.dmac[4], &s.dmac[5]) != 6 ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, argv[2], s.src) != 1 ||
	    inet_pton(v6 ? AF_INET6 : AF_INET, argv[3], s.dst) != 1) {
		fprintf(stderr, "trafficgen: bad MAC or address\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[0]);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		perror("trafficgen: interface");
		return 1;
	}
	close(fd);
	memcpy(s.smac, ifr.ifr_hwaddr.sa_data, 6);
	s.dport = 5001;
	s.sport = 10000;
	/* payload so the frame is SIZE bytes (without FCS) */
	s.payload = 0;
	len = frame_build(&s, frame, sizeof(frame));
	s.payload = size > len ? size - len : 0;
	len = frame_build(&s, frame, sizeof(frame));
	memcpy(cfg.hdr, frame, GEN_HDR);
	cfg.hdr_len = GEN_HDR;
	cfg.sport_off = 14 + (v6 ? 40 : 20);
	cfg.nflows = atoi(argv[4]);
	cfg.base_port = 10000;
	cfd = bpf_object__find_map_fd_by_name(obj, "gen_cfg");
	if (bpf_map_update_elem(cfd, &zero, &cfg, 0)) {
		perror("trafficgen: config");
		return 1;
	}
	ctx.ingress_ifindex = if_nametoindex(argv[0]);
	ctx.data_end = len;	/* the kernel checks it against the data size */
	opts.data_in = frame;
	opts.data_size_in = len;
	opts.ctx_in = &ctx;
	opts.ctx_size_in = sizeof(ctx);
	sigaction(SIGALRM, &sa, NULL);
	{
		struct itimerval it = { .it_value = {
			.tv_sec = atoi(argv[6]) / 1000,
			.tv_usec = (atoi(argv[6]) % 1000) * 1000 } };

		setitimer(ITIMER_REAL, &it, NULL);
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(bpf_object__find_program_by_name(
			obj, "trafficgen")), &opts) && errno != EINTR) {
		perror("trafficgen: test run");
		return 1;
	}
	ncpu = libbpf_num_possible_cpus();
	per_cpu = calloc(ncpu, sizeof(*per_cpu));
	bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(obj, "gen_count"),
			    &zero, per_cpu);
	for (i = 0; i < ncpu; i++)
		total += per_cpu[i];
	printf("%llu\n", (unsigned long long)total);
	free(per_cpu);
	bpf_object__close(obj);		/* SANITIZE=1 runs see real leaks only */
	return 0;
}

/* One target: bench_floor. Four: bench_floor_spread, keys 1-4. */
static int do_floor(char **argv, int ntargets)
{
	struct bpf_object *obj = load("bench_floor.bpf.o");
	int ifindex = if_nametoindex(argv[0]), err, i;
	const char *prog = ntargets == 1 ? "bench_floor" : "bench_floor_spread";

	for (i = 0; i < ntargets; i++) {
		struct bpf_devmap_val val = { .ifindex = if_nametoindex(argv[1 + i]) };
		uint32_t key = 1 + i;

		if (!ifindex || !val.ifindex ||
		    bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "floor_tx"),
					&key, &val, 0)) {
			fprintf(stderr, "trafficgen: floor: bad interface %s or %s\n",
				argv[0], argv[1 + i]);
			bpf_object__close(obj);
			return 1;
		}
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(bpf_object__find_program_by_name(
				     obj, prog)), XDP_FLAGS_DRV_MODE, NULL);
	bpf_object__close(obj);		/* the attachment holds the program */
	if (err) {
		fprintf(stderr, "trafficgen: floor attach: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}

static int do_fib(char **argv, int ntargets)
{
	struct bpf_object *obj = load("bench_fib.bpf.o");
	int ifindex = if_nametoindex(argv[0]), err, i;

	for (i = 0; i < ntargets; i++) {
		struct bpf_devmap_val val = { .ifindex = if_nametoindex(argv[1 + i]) };

		if (!ifindex || !val.ifindex ||
		    bpf_map_update_elem(bpf_object__find_map_fd_by_name(obj, "fib_tx"),
					&val.ifindex, &val, 0)) {
			fprintf(stderr, "trafficgen: fib: bad interface %s or %s\n",
				argv[0], argv[1 + i]);
			bpf_object__close(obj);
			return 1;
		}
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(bpf_object__find_program_by_name(
				     obj, "fib_fwd")), XDP_FLAGS_DRV_MODE, NULL);
	bpf_object__close(obj);		/* the attachment holds the program */
	if (err) {
		fprintf(stderr, "trafficgen: fib attach: %s\n", strerror(-err));
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);

	if (n <= 0)
		return 1;
	dir[n] = 0;
	*strrchr(dir, '/') = 0;
	if (argc == 9 && !strcmp(argv[1], "send"))
		return do_send(argv + 2);
	if ((argc == 4 || argc == 7) && !strcmp(argv[1], "floor"))
		return do_floor(argv + 2, argc - 3);
	if (argc >= 4 && !strcmp(argv[1], "fib"))
		return do_fib(argv + 2, argc - 3);
	fprintf(stderr, "usage: trafficgen send IFNAME DSTMAC SRC DST NFLOWS SIZE MS\n"
			"       trafficgen floor IFNAME TARGET [TARGET2 TARGET3 TARGET4]\n"
			"       trafficgen fib IFNAME TARGET...\n");
	return 2;
}
