// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include <errno.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "xdp_features.h"
#include "netlink.h"

/* The netdev family's command and attributes (uapi linux/netdev.h). */
#define NETDEV_CMD_DEV_GET_		1
#define NETDEV_A_DEV_IFINDEX_		1
#define NETDEV_A_DEV_XDP_FEATURES_	3

struct reply {
	uint16_t family;	/* CTRL_CMD_GETFAMILY */
	int64_t features;	/* NETDEV_CMD_DEV_GET; -1 until seen */
};

static int on_reply(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = { 0 };

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), nl_attr_cb,
			   &(struct nl_attrs){ tb, CTRL_ATTR_MAX }) < 0)
		return MNL_CB_ERROR;
	/* CTRL_ATTR_FAMILY_ID and NETDEV_A_DEV_XDP_FEATURES are both type 1
	 * and 3 of their own families: read by the question asked. */
	if (!r->family) {
		if (tb[CTRL_ATTR_FAMILY_ID] &&
		    mnl_attr_get_payload_len(tb[CTRL_ATTR_FAMILY_ID]) == 2)
			r->family = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	} else if (tb[NETDEV_A_DEV_XDP_FEATURES_] &&
		   mnl_attr_get_payload_len(tb[NETDEV_A_DEV_XDP_FEATURES_]) == 8) {
		r->features = (int64_t)mnl_attr_get_u64(tb[NETDEV_A_DEV_XDP_FEATURES_]);
	}
	return MNL_CB_OK;
}

/* One request, its answer through on_reply. Returns 0 or -errno. */
static int ask(struct xdpf *x, struct nlmsghdr *nlh, struct reply *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int seq = nlh->nlmsg_seq = ++x->seq;
	int n;

	if (mnl_socket_sendto(x->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	while ((n = mnl_socket_recvfrom(x->sk, buf, sizeof(buf))) > 0) {
		n = mnl_cb_run(buf, n, seq, mnl_socket_get_portid(x->sk), on_reply, r);
		if (n <= MNL_CB_STOP)
			break;
	}
	return n < 0 ? -errno : 0;
}

/* A request in buf, whose first 256 bytes are zeroed: attribute padding
 * is sent as it is in the buffer. */
static struct nlmsghdr *put_genl(char *buf, uint16_t type, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(buf, 0, 256);
	nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static int resolve(struct xdpf *x)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = put_genl(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY);
	struct reply r = { 0 };
	int err;

	x->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!x->sk)
		return -errno;
	if (mnl_socket_bind(x->sk, 0, MNL_SOCKET_AUTOPID)) {
		err = -errno;
		xdpf_close(x);
		return err;
	}
	x->seq = time(NULL);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "netdev");
	err = ask(x, nlh, &r);
	if (err == -ENOENT) {
		x->missing = 1;
		return -EOPNOTSUPP;
	}
	if (err)
		return err;
	x->family = r.family;
	return r.family ? 0 : -EPROTO;
}

int64_t xdpf_get(struct xdpf *x, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct reply r = { .features = -1 };
	int err;

	if (x->missing)
		return -EOPNOTSUPP;
	if (!x->family && (err = resolve(x)))
		return err;
	nlh = put_genl(buf, x->family, NETDEV_CMD_DEV_GET_);
	mnl_attr_put_u32(nlh, NETDEV_A_DEV_IFINDEX_, ifindex);
	r.family = x->family;
	err = ask(x, nlh, &r);
	if (err)
		return err;
	return r.features < 0 ? -EPROTO : r.features;
}

void xdpf_close(struct xdpf *x)
{
	if (x->sk)
		mnl_socket_close(x->sk);
	memset(x, 0, sizeof(*x));
}
