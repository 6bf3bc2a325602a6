// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * netsink attach IFNAME PIN   load netsink.bpf.o, attach to IFNAME (native
 *                             XDP), pin its counter map at PIN
 * netsink dump PIN            print "FAMILY SPORT COUNT" per flow
 * netsink times PIN           print "FAMILY SPORT COUNT FIRST_NS LAST_NS"
 *                             (send times of the first and last probe)
 * netsink clear PIN           zero the counters
 * netsink dead PIN 1|0        play a dead host (drop everything) or not;
 *                             prints the CLOCK_MONOTONIC ns of the change
 * The dead switch is pinned at PIN-dead (bpffs names have no dots).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <time.h>

#include "netsink.h"

static int attach(const char *obj_path, const char *ifname, const char *pin)
{
	struct bpf_object *obj = bpf_object__open_file(obj_path, NULL);
	int ifindex = if_nametoindex(ifname), err;
	struct bpf_program *p;

	if (!obj || !ifindex) {
		fprintf(stderr, "netsink: cannot open %s or find %s\n", obj_path, ifname);
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "netsink: load: %s\n", strerror(-err));
		return 1;
	}
	p = bpf_object__find_program_by_name(obj, "netsink");
	err = bpf_xdp_attach(ifindex, bpf_program__fd(p), XDP_FLAGS_DRV_MODE, NULL);
	if (err) {
		fprintf(stderr, "netsink: attach to %s: %s\n", ifname, strerror(-err));
		return 1;
	}
	unlink(pin);
	err = bpf_map__pin(bpf_object__find_map_by_name(obj, "sink_counts"), pin);
	if (!err) {
		char dead[4096];

		snprintf(dead, sizeof(dead), "%s-dead", pin);
		unlink(dead);
		err = bpf_map__pin(bpf_object__find_map_by_name(obj, "sink_dead"), dead);
	}
	if (err) {
		fprintf(stderr, "netsink: pin %s: %s\n", pin, strerror(-err));
		return 1;
	}
	/* The attachment and the pins hold the program and maps. */
	bpf_object__close(obj);
	return 0;
}

static int set_dead(const char *pin, int dead)
{
	char path[4096];
	struct timespec ts;
	__u32 zero = 0, v = dead;
	int fd;

	snprintf(path, sizeof(path), "%s-dead", pin);
	fd = bpf_obj_get(path);
	if (fd < 0 || bpf_map_update_elem(fd, &zero, &v, 0)) {
		fprintf(stderr, "netsink: %s: %s\n", path, strerror(errno));
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	printf("%llu\n", (unsigned long long)ts.tv_sec * 1000000000ull + ts.tv_nsec);
	return 0;
}

static int dump(const char *pin, int mode)
{
	static __u32 keys[65536 * 2];
	int fd = bpf_obj_get(pin);
	__u32 key, next, *cur = NULL, n = 0, i;
	struct sink_flow v;

	if (fd < 0) {
		fprintf(stderr, "netsink: %s: %s\n", pin, strerror(errno));
		return 1;
	}
	/* Keys first: changing a hash map while walking it can revisit
	 * elements forever. */
	while (n < sizeof(keys) / sizeof(keys[0]) &&
	       !bpf_map_get_next_key(fd, cur, &next)) {
		keys[n++] = next;
		key = next;
		cur = &key;
	}
	for (i = 0; i < n; i++) {
		if (mode == 1)
			bpf_map_delete_elem(fd, &keys[i]);
		else if (bpf_map_lookup_elem(fd, &keys[i], &v))
			continue;
		else if (mode == 2)
			printf("%u %u %llu %llu %llu\n", keys[i] >> 16, keys[i] & 0xffff,
			       (unsigned long long)v.packets,
			       (unsigned long long)v.first_ns,
			       (unsigned long long)v.last_ns);
		else
			printf("%u %u %llu\n", keys[i] >> 16, keys[i] & 0xffff,
			       (unsigned long long)v.packets);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char obj[4096];
	ssize_t n;

	n = readlink("/proc/self/exe", obj, sizeof(obj) - 32);
	if (n < 0)
		return 1;
	obj[n] = 0;
	strcpy(strrchr(obj, '/'), "/netsink.bpf.o");
	if (argc == 4 && !strcmp(argv[1], "attach"))
		return attach(obj, argv[2], argv[3]);
	if (argc == 3 && !strcmp(argv[1], "dump"))
		return dump(argv[2], 0);
	if (argc == 3 && !strcmp(argv[1], "clear"))
		return dump(argv[2], 1);
	if (argc == 3 && !strcmp(argv[1], "times"))
		return dump(argv[2], 2);
	if (argc == 4 && !strcmp(argv[1], "dead"))
		return set_dead(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: netsink attach IFNAME PIN | dump PIN | times PIN | clear PIN | dead PIN 1|0\n");
	return 2;
}
