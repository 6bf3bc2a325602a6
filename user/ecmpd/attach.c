// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Our programs on interfaces, over the pinned maps (pin.c).
 *  - attach_xdp(): XDP through libxdp (its multiprog dispatcher when it
 *    loads, else the program alone): a fresh copy of the object per
 *    interface. A program of ours already there is adopted when it is this
 *    build, and replaced in one atomic step when it is another (an
 *    upgrade), so the data path runs the code that ecmpctl lookup mirrors.
 *  - attach_tc_open(), attach_tc(): the same for clsact filters.
 *  - attach_xdp_remove(), attach_tc_remove(), attach_remove_all(): what --detach undoes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "attach.h"
#include "pin.h"
#include "lib/hook.h"
#include "lib/log.h"

/* A fresh copy of the object on ifindex, over the pinned maps. */
static int attach_new(const char *obj_path, const char *pin_root,
		      const struct ecmp_dp *dp, int ifindex, enum xdp_attach_mode mode)
{
	LIBBPF_OPTS(bpf_object_open_opts, bopts, .pin_root_path = pin_root);
	DECLARE_LIBXDP_OPTS(xdp_program_opts, xopts, .open_filename = obj_path,
			    .prog_name = HOOK_XDP_PROG_NAME, .opts = &bopts);
	struct xdp_program *prog = xdp_program__create(&xopts);
	struct dp_sizes sizes;
	int err = libxdp_get_error(prog);

	if (err)
		return err;
	/* The pinned maps may have been sized at their creation: match. */
	dp_sizes_of(dp, &sizes);
	err = dp_set_sizes(xdp_program__bpf_obj(prog), &sizes);
	if (!err)
		err = pin_reuse_devmap(xdp_program__bpf_obj(prog), pin_root);
	if (!err)
		err = xdp_program__attach(prog, ifindex, mode, 0);
	xdp_program__close(prog);
	return err;
}

/* Detaches the program with this id from ifindex's dispatcher. */
static int detach_id(int ifindex, uint32_t id)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *prog = NULL;
	int err = -ENOENT;

	if (!mp || libxdp_get_error(mp))
		return mp ? libxdp_get_error(mp) : -ENOENT;
	while ((prog = xdp_multiprog__next_prog(prog, mp)))
		if (xdp_program__id(prog) == id)
			break;
	if (prog)
		err = xdp_program__detach(prog, ifindex,
					  xdp_multiprog__attach_mode(mp), 0);
	xdp_multiprog__close(mp);
	return err;
}

static int xdp_flags_of(enum xdp_attach_mode mode)
{
	switch (mode) {
	case XDP_MODE_SKB:
		return XDP_FLAGS_SKB_MODE;
	case XDP_MODE_HW:
		return XDP_FLAGS_HW_MODE;
	default:
		return XDP_FLAGS_DRV_MODE;
	}
}

/*
 * Ours attached alone (libxdp's legacy mode, which it falls back to when
 * its dispatcher cannot load): this build takes its place in one atomic
 * XDP_FLAGS_REPLACE, which also fails if the program changed meanwhile.
 */
static int replace_alone(const char *obj_path, const char *pin_root,
			 const struct ecmp_dp *dp, int ifindex,
			 enum xdp_attach_mode mode, uint32_t old_id)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = -1);
	struct bpf_object *obj = pin_open_object(obj_path, pin_root);
	struct bpf_program *prog = NULL;
	struct dp_sizes sizes;
	int err;

	if (!obj)
		return -errno;
	dp_sizes_of(dp, &sizes);
	err = dp_set_sizes(obj, &sizes);
	if (!err)
		err = bpf_object__load(obj);
	if (!err) {
		prog = bpf_object__find_program_by_name(obj, HOOK_XDP_PROG_NAME);
		err = prog ? 0 : -ENOENT;
	}
	if (!err) {
		opts.old_prog_fd = bpf_prog_get_fd_by_id(old_id);
		err = opts.old_prog_fd < 0 ? -errno : 0;
	}
	if (!err)
		err = bpf_xdp_attach(ifindex, bpf_program__fd(prog),
				     XDP_FLAGS_REPLACE | xdp_flags_of(mode), &opts);
	if (opts.old_prog_fd >= 0)
		close(opts.old_prog_fd);
	bpf_object__close(obj);
	return err;
}

/*
 * Ours behind a libxdp dispatcher: attach this build beside it, then
 * detach the old one. Each step swaps the dispatcher atomically, so no
 * frame meets the interface without our program; in between either build
 * decides, over the same maps. Returns 0, -errno with nothing changed, or
 * 1 when this build runs but the old one could not be detached (logged).
 */
static int replace_in_dispatcher(const char *obj_path, const char *pin_root,
				 const struct ecmp_dp *dp, const char *ifname,
				 int ifindex, enum xdp_attach_mode mode, uint32_t old_id)
{
	int err = attach_new(obj_path, pin_root, dp, ifindex, mode);

	if (err)
		return err;
	err = detach_id(ifindex, old_id);
	if (!err)
		return 0;
	pr_warn("interface %s: this build of %s attached, but the older one (id %u) failed to detach: %s; both run until 'ecmpctl shutdown --detach'",
		ifname, HOOK_XDP_PROG_NAME, old_id, strerror(-err));
	return 1;
}

/* Ours is attached but is another build (an upgrade): this one replaces it. */
static int replace_build(const char *obj_path, const char *pin_root,
			 const struct ecmp_dp *dp, const char *ifname, int ifindex,
			 struct xdp_multiprog *mp, struct xdp_program *old,
			 const unsigned char *want_tag)
{
	enum xdp_attach_mode mode = xdp_multiprog__attach_mode(mp);
	uint32_t old_id = xdp_program__id(old);
	char was[2 * BPF_TAG_SIZE + 1], now[2 * BPF_TAG_SIZE + 1];
	int err;

	hook_tag_str(xdp_program__tag(old), was);
	hook_tag_str(want_tag, now);
	if (xdp_multiprog__is_legacy(mp))
		err = replace_alone(obj_path, pin_root, dp, ifindex, mode, old_id);
	else
		err = replace_in_dispatcher(obj_path, pin_root, dp, ifname, ifindex,
					    mode, old_id);
	if (err > 0)
		return -EBUSY;
	if (err)
		pr_warn("interface %s: failed to replace %s of another build (tag %s) by %s (tag %s): %s; the attached build keeps running. To run this one: 'ecmpctl shutdown --detach' (forwarding stops), then start ecmpd",
			ifname, HOOK_XDP_PROG_NAME, was, obj_path, now, strerror(-err));
	else
		pr_info("interface %s: %s of another build (tag %s) replaced by %s (tag %s)",
			ifname, HOOK_XDP_PROG_NAME, was, obj_path, now);
	return err;
}

int attach_xdp(const char *obj_path, const char *pin_root,
	       const struct ecmp_dp *dp, const char *ifname, int generic,
	       const unsigned char want_tag[BPF_TAG_SIZE])
{
	enum xdp_attach_mode mode = generic ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	int ifindex = if_nametoindex(ifname), err;
	struct xdp_multiprog *mp;
	struct xdp_program *old;

	if (!ifindex) {
		pr_warn("Failed to attach to %s: no such interface", ifname);
		return -ENODEV;
	}
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	old = hook_xdp_ours(mp);
	if (old && !memcmp(xdp_program__tag(old), want_tag, BPF_TAG_SIZE)) {
		pr_info("interface %s: %s already attached, adopted", ifname,
			HOOK_XDP_PROG_NAME);
		err = 0;
	} else if (old) {
		err = replace_build(obj_path, pin_root, dp, ifname, ifindex, mp, old,
				    want_tag);
	} else {
		err = attach_new(obj_path, pin_root, dp, ifindex, mode);
		if (err)
			pr_warn("Failed to attach %s to %s in %s mode: %s%s",
				HOOK_XDP_PROG_NAME, ifname, generic ? "generic" : "native",
				strerror(-err),
				generic ? "" : "; try 'xdp generic' for this interface");
		else
			pr_info("interface %s: %s attached (%s)", ifname,
				HOOK_XDP_PROG_NAME, generic ? "generic" : "native");
	}
	if (mp && !libxdp_get_error(mp))
		xdp_multiprog__close(mp);
	return err;
}

int attach_xdp_remove(const char *ifname)
{
	int ifindex = if_nametoindex(ifname), err = 0;
	struct xdp_multiprog *mp;
	struct xdp_program *prog;

	if (!ifindex)
		return -ENODEV;
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	prog = hook_xdp_ours(mp);
	if (prog) {
		err = xdp_program__detach(prog, ifindex,
					  xdp_multiprog__attach_mode(mp), 0);
		if (err)
			pr_warn("Failed to detach %s from %s: %s", HOOK_XDP_PROG_NAME,
				ifname, strerror(-err));
		else
			pr_info("interface %s: %s detached", ifname, HOOK_XDP_PROG_NAME);
	}
	if (mp && !libxdp_get_error(mp))
		xdp_multiprog__close(mp);
	return err;
}

/* ---- TC ---- */

struct bpf_object *attach_tc_open(const char *obj_path, const char *pin_root,
			       const struct ecmp_dp *dp)
{
	struct bpf_object *obj = pin_open_object(obj_path, pin_root);
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

int attach_tc(struct bpf_object *obj, const char *ifname, int egress,
		  int *created)
{
	const char *prog_name = egress ? "ecmp_tc_egress" : "ecmp_tc_ingress";
	const char *where = egress ? "egress" : "ingress";
	int ifindex = if_nametoindex(ifname), err;
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HOOK_TC_HANDLE,
		    .priority = HOOK_TC_PRIO);
	unsigned char was[BPF_TAG_SIZE], now[BPF_TAG_SIZE];
	char was_s[2 * BPF_TAG_SIZE + 1], now_s[2 * BPF_TAG_SIZE + 1];
	struct bpf_program *prog;
	uint32_t old_id;

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
	prog = bpf_object__find_program_by_name(obj, prog_name);
	if (!prog)
		return -ENOENT;
	old_id = hook_tc_query(ifindex, egress);
	err = hook_prog_tag_fd(bpf_program__fd(prog), now);
	if (err)
		return err;
	if (old_id) {
		if (hook_prog_id_tag(old_id, was))
			memset(was, 0, sizeof(was));
		if (!memcmp(was, now, BPF_TAG_SIZE)) {
			pr_info("interface %s: tc %s program already attached, adopted",
				ifname, where);
			return 0;
		}
		/* Another build (or unreadable): swap it in place, atomically. */
		opts.flags = BPF_TC_F_REPLACE;
	}
	/* The filter holds the program: the object may be closed after. */
	opts.prog_fd = bpf_program__fd(prog);
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		pr_warn("Failed to attach %s to %s %s: %s", prog_name, ifname, where,
			strerror(-err));
	else if (old_id)
		pr_info("interface %s: tc %s program of another build (tag %s) replaced by %s (tag %s)",
			ifname, where, hook_tag_str(was, was_s), prog_name,
			hook_tag_str(now, now_s));
	else
		pr_info("interface %s: %s attached (tc %s)", ifname, prog_name, where);
	return err;
}

int attach_tc_remove(const char *ifname, int egress, int destroy_qdisc)
{
	int ifindex = if_nametoindex(ifname), err = 0;
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HOOK_TC_HANDLE,
		    .priority = HOOK_TC_PRIO);

	if (!ifindex)
		return -ENODEV;
	if (hook_tc_query(ifindex, egress)) {
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

/* Our program on a hook belongs to this instance when it uses its map. */
static int is_instance(uint32_t prog_id, uint32_t map_id)
{
	return prog_id && hook_prog_uses_map(prog_id, map_id) == 1;
}

int attach_remove_all(const char *created_list, uint32_t map_id)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int err = 0, removed = 0;

	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index; i++) {
		uint32_t xdp_id = 0;
		int e = 0, own = 0, dir;

		if (hook_xdp_mode(i->if_index, &xdp_id) && is_instance(xdp_id, map_id)) {
			e = attach_xdp_remove(i->if_name);
			removed += !e;
		}
		err = err ? err : e;
		/* created_list: names of the qdiscs ecmpd made, one a line. */
		if (created_list) {
			const char *at = strstr(created_list, i->if_name);
			size_t n = strlen(i->if_name);

			own = at && (at == created_list || at[-1] == '\n') &&
			      (at[n] == '\n' || !at[n]);
		}
		for (dir = 0; dir < 2; dir++) {
			if (!is_instance(hook_tc_query(i->if_index, dir), map_id)) {
				e = 0;
				if (own && dir == 1)	/* our qdisc, left empty */
					e = attach_tc_remove(i->if_name, 1, 1);
				err = err ? err : e;
				continue;
			}
			e = attach_tc_remove(i->if_name, dir, own && dir == 1);
			removed += !e;
			err = err ? err : e;
		}
	}
	if_freenameindex(ifs);
	return err ? err : removed;
}
