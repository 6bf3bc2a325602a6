/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Our programs on the kernel's hooks, as the kernel reports them: which
 * XDP program of ours an interface runs and in what mode, which clsact
 * filter of ours a tc hook has, and the tag (build) of a program.
 * ecmpd's attach.c decides from these; ecmpctl shows them.
 */
#ifndef ECMP_HOOK_H
#define ECMP_HOOK_H

#include <stdint.h>
#include <bpf/bpf.h>
#include <xdp/libxdp.h>

/* The XDP program's name (SEC function) in ecmp_xdp.bpf.o. */
#define HOOK_XDP_PROG_NAME	"ecmp_xdp"
/* Our clsact filter: handle and priority on both tc hooks. */
#define HOOK_TC_HANDLE		0xec
#define HOOK_TC_PRIO		0xec

/* The kernel's tag of a loaded program (a hash of its instructions): which
 * build it is. 0 or -errno. */
int hook_prog_tag_fd(int fd, unsigned char tag[BPF_TAG_SIZE]);
int hook_prog_id_tag(uint32_t id, unsigned char tag[BPF_TAG_SIZE]);
/* The same in hex, by program id. */
int hook_prog_tag(uint32_t id, char hex[2 * BPF_TAG_SIZE + 1]);
/* Writes tag in hex into buf (2 * BPF_TAG_SIZE + 1 bytes); returns buf. */
const char *hook_tag_str(const unsigned char tag[BPF_TAG_SIZE], char *buf);

/* 1 when program id uses map id (one of its maps), 0 when not, or
 * -errno. Tells an instance's programs from another's: each pin root
 * has maps of its own. */
int hook_prog_uses_map(uint32_t prog_id, uint32_t map_id);

/* Our program among those libxdp reports on an interface, or NULL. */
struct xdp_program *hook_xdp_ours(struct xdp_multiprog *mp);
/* XDP mode of our program on an interface: 0 none, else XDP_MODE_*;
 * *prog_id (when not NULL) gets its id. */
int hook_xdp_mode(int ifindex, uint32_t *prog_id);
/* Program id of our filter on the tc hook, 0 when none. */
uint32_t hook_tc_query(int ifindex, int egress);

/* One hook of ours, as `ecmpctl interface show` lists it. */
struct hook_entry {
	char ifname[16];
	char hook[4];			/* "xdp", "tc" */
	char mode[8];			/* native, generic, offload; ingress, egress */
	uint32_t prog_id;
	char tag[2 * BPF_TAG_SIZE + 1];	/* "": detached meanwhile */
};

/* Every hook of ours on the interfaces of this network namespace, in
 * interface order; *out is malloc'ed (free it). The count, or -errno.
 * Reading programs takes privilege: ecmpd answers "hooks" for readers. */
int hook_list(struct hook_entry **out);

#endif /* ECMP_HOOK_H */
