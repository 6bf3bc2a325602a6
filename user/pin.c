// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The pinned state under the pin root and the XDP attachments.
 *  - pin_prepare(): bpffs mounted (ecmpd mounts it when missing, e.g. under
 *    `ip netns exec`, which remounts /sys) and the pin directory made.
 *  - pin_create_maps(): loads the object once with pin_root_path, so libbpf
 *    creates and pins every map, or reuses the pins that are there.
 *  - pin_attach(): attaches through libxdp (multiprog dispatcher): a fresh
 *    copy of the object per interface, reusing the pinned maps.
 *  - pin_detach_all(), pin_remove(): what --detach undoes.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "pin.h"
#include "dp_maps.h"
#include "log.h"

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
static int reuse_devmap(struct bpf_object *obj, const char *pin_root)
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

static struct bpf_object *open_object(const char *obj_path, const char *pin_root)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);
	struct bpf_object *obj = bpf_object__open_file(obj_path, &opts);
	int err;

	if (!obj) {
		pr_warn("Failed to open BPF object %s: %s; build it with 'make' or pass --bpf-obj",
			obj_path, strerror(errno));
		return NULL;
	}
	err = reuse_devmap(obj, pin_root);
	if (err) {
		pr_warn("Failed to reuse %s/%s: %s", pin_root, ECMP_MAP_TX_PORTS,
			strerror(-err));
		bpf_object__close(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

int pin_create_maps(const char *obj_path, const char *pin_root)
{
	struct bpf_object *obj = open_object(obj_path, pin_root);
	int err;

	if (!obj)
		return -errno;
	err = bpf_object__load(obj);
	if (err)
		pr_warn("Failed to load %s with the maps pinned under %s: %s. If a different build pinned them, remove them with 'ecmpd --detach' (forwarding stops) and start again",
			obj_path, pin_root, strerror(-err));
	/* The maps stay: their pins hold them. The program is not needed. */
	bpf_object__close(obj);
	return err;
}

/* Our program among those libxdp has on the interface, or NULL. */
static struct xdp_program *find_ours(struct xdp_multiprog *mp)
{
	struct xdp_program *prog = NULL;

	if (!mp || libxdp_get_error(mp))
		return NULL;
	if (xdp_multiprog__is_legacy(mp)) {
		prog = xdp_multiprog__main_prog(mp);
		return prog && !strcmp(xdp_program__name(prog), PIN_PROG_NAME) ?
		       prog : NULL;
	}
	while ((prog = xdp_multiprog__next_prog(prog, mp)))
		if (!strcmp(xdp_program__name(prog), PIN_PROG_NAME))
			return prog;
	return NULL;
}

int pin_xdp_mode(int ifindex)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	int mode = find_ours(mp) ? xdp_multiprog__attach_mode(mp) : 0;

	if (mp && !libxdp_get_error(mp))
		xdp_multiprog__close(mp);
	return mode;
}

int pin_attach(const char *obj_path, const char *pin_root,
	       const struct ecmp_dp *dp, const char *ifname, int generic)
{
	LIBBPF_OPTS(bpf_object_open_opts, bopts, .pin_root_path = pin_root);
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .open_filename = obj_path,
			    .prog_name = PIN_PROG_NAME, .opts = &bopts);
	int ifindex = if_nametoindex(ifname), err;
	struct xdp_program *prog;
	struct dp_sizes sizes;

	if (!ifindex) {
		pr_warn("Failed to attach to %s: no such interface", ifname);
		return -ENODEV;
	}
	if (pin_xdp_mode(ifindex)) {
		pr_info("interface %s: %s already attached, adopted", ifname,
			PIN_PROG_NAME);
		return 0;
	}
	prog = xdp_program__create(&xopts);
	err = libxdp_get_error(prog);
	if (err) {
		pr_warn("Failed to open %s for %s: %s", obj_path, ifname, strerror(-err));
		return err;
	}
	/* The pinned maps may have been sized at their creation: match. */
	dp_sizes_of(dp, &sizes);
	err = dp_set_sizes(xdp_program__bpf_obj(prog), &sizes);
	if (!err)
		err = reuse_devmap(xdp_program__bpf_obj(prog), pin_root);
	if (!err)
		err = xdp_program__attach(prog, ifindex,
					  generic ? XDP_MODE_SKB : XDP_MODE_NATIVE, 0);
	if (err) {
		pr_warn("Failed to attach %s to %s in %s mode: %s%s", PIN_PROG_NAME,
			ifname, generic ? "generic" : "native", strerror(-err),
			generic ? "" : "; try 'xdp generic' for this interface");
	} else {
		pr_info("interface %s: %s attached (%s)", ifname, PIN_PROG_NAME,
			generic ? "generic" : "native");
	}
	xdp_program__close(prog);
	return err;
}

int pin_detach(const char *ifname)
{
	int ifindex = if_nametoindex(ifname), err = 0;
	struct xdp_multiprog *mp;
	struct xdp_program *prog;

	if (!ifindex)
		return -ENODEV;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	prog = find_ours(mp);
	if (prog) {
		err = xdp_program__detach(prog, ifindex,
					  xdp_multiprog__attach_mode(mp), 0);
		if (err)
			pr_warn("Failed to detach %s from %s: %s", PIN_PROG_NAME,
				ifname, strerror(-err));
		else
			pr_info("interface %s: %s detached", ifname, PIN_PROG_NAME);
	}
	if (mp && !libxdp_get_error(mp))
		xdp_multiprog__close(mp);
	return err;
}

/* ---- TC ---- */

uint32_t pin_tc_query(int ifindex, int egress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PIN_TC_HANDLE,
		    .priority = PIN_TC_PRIO);

	return bpf_tc_query(&hook, &opts) ? 0 : opts.prog_id;
}

struct bpf_object *pin_tc_open(const char *obj_path, const char *pin_root,
			       const struct ecmp_dp *dp)
{
	struct bpf_object *obj = open_object(obj_path, pin_root);
	struct dp_sizes sizes;
	int err;

	if (!obj)
		return NULL;
	dp_sizes_of(dp, &sizes);
	err = dp_set_sizes(obj, &sizes);
	if (!err)
		err = bpf_object__load(obj);
	if (err) {
		pr_warn("Failed to load %s with the maps under %s: %s", obj_path,
			pin_root, strerror(-err));
		bpf_object__close(obj);
		errno = -err;
		return NULL;
	}
	return obj;
}

int pin_tc_attach(struct bpf_object *obj, const char *ifname, int egress,
		  int *created)
{
	const char *prog_name = egress ? "ecmp_tc_egress" : "ecmp_tc_ingress";
	const char *where = egress ? "egress" : "ingress";
	int ifindex = if_nametoindex(ifname), err;
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PIN_TC_HANDLE,
		    .priority = PIN_TC_PRIO);
	struct bpf_program *prog;

	*created = 0;
	if (!ifindex) {
		pr_warn("Failed to attach tc %s to %s: no such interface", where, ifname);
		return -ENODEV;
	}
	err = bpf_tc_hook_create(&hook);
	if (!err)
		*created = 1;
	else if (err != -EEXIST) {
		pr_warn("Failed to create the clsact qdisc on %s: %s", ifname,
			strerror(-err));
		return err;
	}
	if (pin_tc_query(ifindex, egress)) {
		pr_info("interface %s: tc %s program already attached, adopted",
			ifname, where);
		return 0;
	}
	prog = bpf_object__find_program_by_name(obj, prog_name);
	if (!prog)
		return -ENOENT;
	/* The filter holds the program: the object may be closed after. */
	opts.prog_fd = bpf_program__fd(prog);
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		pr_warn("Failed to attach %s to %s %s: %s", prog_name, ifname, where,
			strerror(-err));
	else
		pr_info("interface %s: %s attached (tc %s)", ifname, prog_name, where);
	return err;
}

int pin_tc_detach(const char *ifname, int egress, int destroy_qdisc)
{
	int ifindex = if_nametoindex(ifname), err = 0;
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PIN_TC_HANDLE,
		    .priority = PIN_TC_PRIO);

	if (!ifindex)
		return -ENODEV;
	if (pin_tc_query(ifindex, egress)) {
		err = bpf_tc_detach(&hook, &opts);
		if (err)
			pr_warn("Failed to detach the tc %s program from %s: %s",
				egress ? "egress" : "ingress", ifname, strerror(-err));
		else
			pr_info("interface %s: tc %s program detached", ifname,
				egress ? "egress" : "ingress");
	}
	if (destroy_qdisc) {
		/* Both directions at once destroys the clsact qdisc. */
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	return err;
}

int pin_detach_all(const char *created_list)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int err = 0;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++) {
		int e = 0, own = 0;

		if (pin_xdp_mode(i->if_index))
			e = pin_detach(i->if_name);
		err = err ? err : e;
		/* created_list: names of the qdiscs ecmpd made, one a line. */
		if (created_list) {
			const char *at = strstr(created_list, i->if_name);
			size_t n = strlen(i->if_name);

			own = at && (at == created_list || at[-1] == '\n') &&
			      (at[n] == '\n' || !at[n]);
		}
		if (pin_tc_query(i->if_index, 0) || own)
			e = pin_tc_detach(i->if_name, 0, 0);
		if (pin_tc_query(i->if_index, 1) || own)
			e = pin_tc_detach(i->if_name, 1, own);
		err = err ? err : e;
	}
	if_freenameindex(ifs);
	return err;
}

int pin_remove(const char *pin_root)
{
	char path[PATH_MAX];
	int i, err = 0;

	for (i = 0; i < DP_MAP_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", pin_root, dp_map_names[i]);
		if (unlink(path) && errno != ENOENT) {
			err = -errno;
			pr_warn("Failed to remove %s: %s", path, strerror(errno));
		}
	}
	if (rmdir(pin_root) && errno != ENOENT)
		pr_info("Left %s in place: %s", pin_root, strerror(errno));
	return err;
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

