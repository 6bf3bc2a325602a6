// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The pinned state under the pin root (attachments: attach.c).
 *  - pin_prepare(): bpffs mounted (ecmpd mounts it when missing, e.g. under
 *    `ip netns exec`, which remounts /sys) and the pin directory made.
 *  - pin_create_maps(): loads the object once with pin_root_path, so libbpf
 *    creates and pins every map, or reuses the pins that are there.
 *  - pin_remove(): what --detach undoes, after attach_remove_all().
 *  - pin_restore_maps(): pins removed under a running ecmpd come back.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "pin.h"
#include "lib/hook.h"
#include "lib/log.h"

static int is_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX], *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = 0;
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(buf, mode) && errno != EEXIST)
		return -errno;
	return 0;
}

int pin_prepare(const char *pin_root)
{
	int err;

	if (!is_bpffs("/sys/fs/bpf")) {
		if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
			err = -errno;
			pr_warn("Failed to mount bpffs on /sys/fs/bpf: %s; mount it with 'mount -t bpf bpf /sys/fs/bpf'",
				strerror(-err));
			return err;
		}
		pr_info("Mounted bpffs on /sys/fs/bpf");
	}
	err = mkdir_p(pin_root, 0700);
	if (err) {
		pr_warn("Failed to create pin directory %s: %s", pin_root,
			strerror(-err));
		return err;
	}
	if (!is_bpffs(pin_root)) {
		pr_warn("Pin directory %s is not on bpffs; choose a path under /sys/fs/bpf",
			pin_root);
		return -EINVAL;
	}
	return 0;
}

/*
 * The kernel adds BPF_F_RDONLY_PROG to every devmap, and libbpf 1.1 then
 * refuses to reuse the pinned devmap ("parameter mismatch") because the
 * object says 0. Hand it the pinned map's fd instead: reuse by fd does not
 * compare flags. Without a pin yet, libbpf creates and pins it as usual.
 */
int pin_reuse_devmap(struct bpf_object *obj, const char *pin_root)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, ECMP_MAP_TX_PORTS);
	char path[PATH_MAX];
	int fd, err;

	if (!m)
		return -ENOENT;
	snprintf(path, sizeof(path), "%s/%s", pin_root, ECMP_MAP_TX_PORTS);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	err = bpf_map__set_pin_path(m, NULL);
	if (!err)
		err = bpf_map__reuse_fd(m, fd);
	close(fd);
	return err;
}

struct bpf_object *pin_open_object(const char *obj_path, const char *pin_root)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);
	struct bpf_object *obj = bpf_object__open_file(obj_path, &opts);
	int err;

	if (!obj) {
		pr_warn("Failed to open BPF object %s: %s; build it with 'make' or pass --bpf-obj",
			obj_path, strerror(errno));
		return NULL;
	}
	err = pin_reuse_devmap(obj, pin_root);
	if (err) {
		pr_warn("Failed to reuse %s/%s: %s", pin_root, ECMP_MAP_TX_PORTS,
			strerror(-err));
		bpf_object__close(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

/* The kernel's description of a map pinned under pin_root: 0, or -errno
 * (-ENOENT: not pinned there). */
static int pinned_info(const char *pin_root, enum dp_map map, struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);
	char path[PATH_MAX];
	int fd, err = 0;

	memset(info, 0, sizeof(*info));
	snprintf(path, sizeof(path), "%s/%s", pin_root, dp_map_names[map]);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, info, &len))
		err = -errno;
	close(fd);
	return err;
}

/* A map pinned under pin_root with another size than asked: the limits
 * changed since the maps were made. 0, or -EEXIST having said so. */
static int check_size(const char *pin_root, enum dp_map map, uint32_t want,
		      const char *limit)
{
	struct bpf_map_info info;
	uint32_t guard = map == DP_BUCKETS;	/* slot 0 is no bucket */

	if (pinned_info(pin_root, map, &info) || info.max_entries == want)
		return 0;	/* not made yet (made at this size), or the same */
	pr_warn("limits %s: the maps pinned under %s were made for %u (%s holds %u entries), the config asks %u. A map cannot be resized in place: run 'ecmpctl shutdown --detach' (forwarding stops until ecmpd is back), then start ecmpd; or put 'limits %s %u' back",
		limit, pin_root, info.max_entries - guard, dp_map_names[map], info.max_entries,
		want - guard, limit, info.max_entries - guard);
	return -EEXIST;
}

int pin_create_maps(const char *obj_path, const char *pin_root,
		    const struct dp_sizes *sizes, unsigned char xdp_tag[BPF_TAG_SIZE])
{
	const struct { enum dp_map map; uint32_t n; const char *limit; } sized[] = {
		{ DP_NEXTHOPS, sizes->nexthops, "nexthops" },
		{ DP_GROUPS, sizes->groups, "groups" },
		{ DP_BUCKETS, sizes->bucket_slots, "buckets" },
		{ DP_ROUTES, sizes->routes, "routes" },
		{ DP_LPM_NODE, sizes->lpm_chunks, "chunks" },
		{ DP_TX_PORTS, sizes->tx_ports, "egress" },
	};
	struct bpf_object *obj;
	struct bpf_program *prog;
	unsigned i;
	int err;

	for (i = 0; i < sizeof(sized) / sizeof(sized[0]); i++)
		if (check_size(pin_root, sized[i].map, sized[i].n, sized[i].limit))
			return -EEXIST;
	obj = pin_open_object(obj_path, pin_root);
	if (!obj)
		return -errno;
	err = dp_set_sizes(obj, sizes);
	if (err) {
		pr_warn("Failed to size the maps of %s: %s", obj_path, strerror(-err));
		bpf_object__close(obj);
		return err;
	}
	err = bpf_object__load(obj);
	if (err)
		pr_warn("Failed to load %s with the maps pinned under %s: %s. If a different build pinned them, remove them with 'ecmpd --detach' (forwarding stops) and start again",
			obj_path, pin_root, strerror(-err));
	prog = bpf_object__find_program_by_name(obj, HOOK_XDP_PROG_NAME);
	if (!err && !prog) {
		pr_warn("%s has no program %s; pass the xdp-ecmp object with --bpf-obj",
			obj_path, HOOK_XDP_PROG_NAME);
		err = -ENOENT;
	}
	if (!err)
		err = hook_prog_tag_fd(bpf_program__fd(prog), xdp_tag);
	/* The maps stay: their pins hold them. The program is not needed. */
	bpf_object__close(obj);
	return err;
}

int pin_map_id(const char *pin_root, enum dp_map map, uint32_t *id)
{
	struct bpf_map_info info;
	int err = pinned_info(pin_root, map, &info);

	if (!err)
		*id = info.id;
	return err;
}

int pin_remove(const char *pin_root)
{
	char path[PATH_MAX];
	int i, err = 0, removed = 0;

	for (i = 0; i < DP_MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_root, dp_map_names[i]);
		if (!unlink(path)) {
			removed++;
		} else if (errno != ENOENT) {
			err = -errno;
			pr_warn("Failed to remove %s: %s", path, strerror(errno));
		}
	}
	if (rmdir(pin_root) && errno != ENOENT)
		pr_info("Left %s in place: %s", pin_root, strerror(errno));
	return err ? err : removed;
}

int pin_restore_maps(const char *pin_root, const int *fds, const char *const *names,
		     int n)
{
	char path[PATH_MAX];
	int i, restored = 0;

	if (mkdir(pin_root, 0700) && errno != EEXIST)
		return -errno;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_root, names[i]);
		if (!access(path, F_OK))
			continue;
		if (bpf_obj_pin(fds[i], path))
			return -errno;
		restored++;
	}
	return restored;
}

