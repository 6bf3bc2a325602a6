// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * What is attached where, read from the kernel: ecmpd decides from it
 * whether to adopt or replace a program, ecmpctl shows it.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "hook.h"

/*
 * A build is told apart by the kernel's tag of its program: a hash of the
 * instructions with the map references left out, so every load of one
 * object file agrees (whatever the maps' sizes) and two builds whose code
 * differs do not.
 */
int hook_prog_tag_fd(int fd, unsigned char tag[BPF_TAG_SIZE])
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	memcpy(tag, info.tag, BPF_TAG_SIZE);
	return 0;
}

int hook_prog_id_tag(uint32_t id, unsigned char tag[BPF_TAG_SIZE])
{
	int fd = bpf_prog_get_fd_by_id(id), err;

	if (fd < 0)
		return -errno;
	err = hook_prog_tag_fd(fd, tag);
	close(fd);
	return err;
}

const char *hook_tag_str(const unsigned char tag[BPF_TAG_SIZE], char *buf)
{
	int i;

	for (i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(buf + 2 * i, "%02x", tag[i]);
	return buf;
}

int hook_prog_tag(uint32_t id, char hex[2 * BPF_TAG_SIZE + 1])
{
	unsigned char tag[BPF_TAG_SIZE];
	int err = hook_prog_id_tag(id, tag);

	if (!err)
		hook_tag_str(tag, hex);
	return err;
}

/* Our program among those libxdp has on the interface, or NULL. */
struct xdp_program *hook_xdp_ours(struct xdp_multiprog *mp)
{
	struct xdp_program *prog = NULL;

	if (!mp || libxdp_get_error(mp))
		return NULL;
	if (xdp_multiprog__is_legacy(mp)) {
		prog = xdp_multiprog__main_prog(mp);
		return prog && !strcmp(xdp_program__name(prog), HOOK_XDP_PROG_NAME) ?
		       prog : NULL;
	}
	while ((prog = xdp_multiprog__next_prog(prog, mp)))
		if (!strcmp(xdp_program__name(prog), HOOK_XDP_PROG_NAME))
			return prog;
	return NULL;
}

int hook_xdp_mode(int ifindex, uint32_t *prog_id)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(ifindex);
	struct xdp_program *ours = hook_xdp_ours(mp);
	int mode = ours ? xdp_multiprog__attach_mode(mp) : 0;

	if (prog_id)
		*prog_id = ours ? xdp_program__id(ours) : 0;
	if (mp && !libxdp_get_error(mp))
		xdp_multiprog__close(mp);
	return mode;
}

int hook_prog_uses_map(uint32_t prog_id, uint32_t map_id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info), ids[64], i;
	int fd = bpf_prog_get_fd_by_id(prog_id), err = 0;

	if (fd < 0)
		return -errno;
	info.nr_map_ids = sizeof(ids) / sizeof(ids[0]);
	info.map_ids = (__u64)(unsigned long)ids;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	close(fd);
	if (err)
		return err;
	for (i = 0; i < info.nr_map_ids && i < sizeof(ids) / sizeof(ids[0]); i++)
		if (ids[i] == map_id)
			return 1;
	return 0;
}

/* ---- TC ---- */

uint32_t hook_tc_query(int ifindex, int egress)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HOOK_TC_HANDLE,
		    .priority = HOOK_TC_PRIO);

	return bpf_tc_query(&hook, &opts) ? 0 : opts.prog_id;
}

static int add_entry(struct hook_entry **v, int *n, int *cap, const char *ifname,
		     const char *hook, const char *mode, uint32_t prog_id)
{
	struct hook_entry *e;

	if (*n == *cap) {
		int more = *cap ? 2 * *cap : 16;
		struct hook_entry *grown = realloc(*v, more * sizeof(**v));

		if (!grown)
			return -ENOMEM;
		*v = grown;
		*cap = more;
	}
	e = &(*v)[(*n)++];
	memset(e, 0, sizeof(*e));
	snprintf(e->ifname, sizeof(e->ifname), "%s", ifname);
	snprintf(e->hook, sizeof(e->hook), "%s", hook);
	snprintf(e->mode, sizeof(e->mode), "%s", mode);
	e->prog_id = prog_id;
	if (hook_prog_tag(prog_id, e->tag))
		e->tag[0] = 0;
	return 0;
}

int hook_list(struct hook_entry **out)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	struct hook_entry *v = NULL;
	int n = 0, cap = 0, err = 0;

	*out = NULL;
	if (!ifs)
		return -errno;
	for (i = ifs; i->if_index && !err; i++) {
		uint32_t xdp_id, in, out_id;
		int mode = hook_xdp_mode(i->if_index, &xdp_id);

		in = hook_tc_query(i->if_index, 0);
		out_id = hook_tc_query(i->if_index, 1);
		if (mode)
			err = add_entry(&v, &n, &cap, i->if_name, "xdp",
					mode == XDP_MODE_SKB ? "generic" :
					mode == XDP_MODE_HW ? "offload" : "native", xdp_id);
		if (!err && in)
			err = add_entry(&v, &n, &cap, i->if_name, "tc", "ingress", in);
		if (!err && out_id)
			err = add_entry(&v, &n, &cap, i->if_name, "tc", "egress", out_id);
	}
	if_freenameindex(ifs);
	if (err) {
		free(v);
		return err;
	}
	*out = v;
	return n;
}
