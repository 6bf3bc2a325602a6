// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The config into the running daemon: the file read and checked, our
 * programs on the interfaces it names (and off those it no longer names),
 * the BFD sessions it asks for, and a reload, which changes all of it
 * or nothing. Also what --detach removes.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "bfd/bfd.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "attach.h"
#include "bypass.h"
#include "daemon.h"
#include "pin.h"
#include "seed.h"

/* ---- clsact qdiscs ecmpd created: removed by --detach, others never ---- */

static void qdisc_file(const char *state_dir, char *path, size_t len)
{
	snprintf(path, len, "%s/tc-qdiscs", state_dir);
}

static void record_qdisc(const char *state_dir, const char *ifname)
{
	char path[PATH_MAX], line[IF_NAMESIZE + 2];
	FILE *f;

	qdisc_file(state_dir, path, sizeof(path));
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!strcmp(line, ifname)) {
			fclose(f);
			return;
		}
	}
	if (f)
		fclose(f);
	mkdir(state_dir, 0700);
	f = fopen(path, "a");
	if (!f) {
		pr_warn("Failed to record the clsact qdisc of %s in %s: %s; --detach will leave it",
			ifname, path, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", ifname);
	fclose(f);
}

static char *read_qdiscs(const char *state_dir)
{
	char path[PATH_MAX], *buf = calloc(1, 65536);
	FILE *f;

	qdisc_file(state_dir, path, sizeof(path));
	f = fopen(path, "r");
	if (f && buf) {
		size_t n = fread(buf, 1, 65535, f);

		buf[n] = 0;
	}
	if (f)
		fclose(f);
	return buf;
}

/* What --detach removes: the programs of the instance pinned under
 * pin_root (told by its maps, so another instance in the namespace keeps
 * its own), the qdiscs it created, its pins. Nothing at all when no
 * instance is pinned there. */
int detach_everything(const char *pin_root, const char *state_dir)
{
	char *qdiscs, path[PATH_MAX];
	uint32_t map_id;
	int hooks, maps;

	if (pin_map_id(pin_root, DP_CONFIG, &map_id)) {
		pr_warn("No xdp-ecmp maps under %s: nothing detached or removed. Pass the pin root ecmpd runs with (pin-root in its config, default %s).",
			pin_root, ECMP_PIN_ROOT_DEFAULT);
		return -ENOENT;
	}
	qdiscs = read_qdiscs(state_dir);
	hooks = attach_remove_all(qdiscs, map_id);
	maps = pin_remove(pin_root);
	snprintf(path, sizeof(path), "%s/fib-routes", state_dir);
	if (fib_remove(path) > 0)
		pr_info("Removed the routes it had put in the kernel's FIB");
	free(qdiscs);
	qdisc_file(state_dir, path, sizeof(path));
	unlink(path);
	if (hooks >= 0 && maps >= 0)
		pr_info("Detached the programs of %s from %d hooks and removed its %d pinned maps",
			pin_root, hooks, maps);
	return hooks < 0 ? hooks : maps < 0 ? maps : 0;
}

/* ---- config ---- */

int load_conf(struct daemon *d, struct ecmp_conf *c)
{
	int err;

	memset(c, 0, sizeof(*c));
	err = config_load(c, d->conf_path);
	if (!err)
		err = config_check_host(c);
	if (!err && c->seed_auto) {
		err = seed_load_or_create(d->state_dir, c->seed);
		if (err) {
			/* Already logged; make it the caller's error too. */
			char msg[512];

			snprintf(msg, sizeof(msg), "seed auto: cannot use %s/seed: %s",
				 d->state_dir, strerror(-err));
			if (c->nerror < CONF_MAX_ERRORS)
				c->error[c->nerror++] = strdup(msg);
		}
	}
	return err;
}

/* Our program on f (adopted when there already); *tc_obj is the TC
 * object, opened by the first interface that needs it. */
int attach_one(struct daemon *d, const struct ecmp_conf *c,
	       const struct conf_iface *f, struct bpf_object **tc_obj)
{
	int created = 0, err;

	if (f->attach == ATTACH_NONE)
		return 0;
	if (f->attach == ATTACH_TC_INGRESS || f->attach == ATTACH_TC_EGRESS) {
		if (!*tc_obj)	/* one load (and one verification) for all */
			*tc_obj = attach_tc_open(d->tc_obj_path, c->pin_root, &d->plane.dp);
		err = *tc_obj ? attach_tc(*tc_obj, f->name, f->attach == ATTACH_TC_EGRESS,
					  &created) : -errno;
		if (created)
			record_qdisc(d->state_dir, f->name);
		return err;
	}
	return attach_xdp(d->obj_path, c->pin_root, &d->plane.dp, f->name,
			  f->attach == ATTACH_XDP_GENERIC, d->xdp_tag);
}

int attach_all(struct daemon *d, const struct ecmp_conf *c)
{
	struct bpf_object *tc_obj = NULL;
	int i, err = 0;

	for (i = 0; i < c->niface; i++) {
		int e = attach_one(d, c, &c->iface[i], &tc_obj);

		err = err ? err : e;
	}
	bpf_object__close(tc_obj);
	d->applied_once = 1;
	d->reattach = 0;
	return err;
}

static void detach_removed(struct daemon *d, const struct ecmp_conf *old,
			   const struct ecmp_conf *new)
{
	int i, j;

	for (i = 0; i < old->niface; i++) {
		const struct conf_iface *o = &old->iface[i];

		if (o->attach == ATTACH_NONE)
			continue;
		for (j = 0; j < new->niface; j++)
			if (!strcmp(o->name, new->iface[j].name) &&
			    new->iface[j].attach == o->attach)
				break;
		if (j < new->niface)
			continue;
		if (o->attach == ATTACH_TC_INGRESS || o->attach == ATTACH_TC_EGRESS)
			attach_tc_remove(o->name, o->attach == ATTACH_TC_EGRESS, 0);
		else
			attach_xdp_remove(o->name);
	}
}

/* ---- BFD ---- */

/* The sessions c asks for, with the nexthop ids the plane gave them. */
static int bfd_peers(struct daemon *d, const struct ecmp_conf *c,
		     struct bfd_peer **out)
{
	struct bfd_peer *v = calloc(c->nnexthop ? c->nnexthop : 1, sizeof(*v));
	int i, n = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < c->nnexthop; i++) {
		const struct conf_nexthop *nh = &c->nexthop[i];
		struct bfd_peer *b = &v[n];
		int id = nh_find(&d->plane, nh->name);

		if (!nh->bfd)
			continue;
		b->nh_id = id < 0 ? 0 : id;
		snprintf(b->name, sizeof(b->name), "%s", nh->name);
		b->family = nh->family;
		memcpy(b->addr, nh->via, 16);
		snprintf(b->dev, sizeof(b->dev), "%s", nh->dev);
		b->interval_ms = nh->bfd_interval_ms ? nh->bfd_interval_ms : c->bfd_interval_ms;
		b->multiplier = nh->bfd_multiplier ? nh->bfd_multiplier : c->bfd_multiplier;
		b->key = nh->bfd_key;
		b->admin_down = id >= 0 && d->plane.nh[id].drained;
		n++;
	}
	*out = v;
	return n;
}

/* Makes the BFD sessions follow c (after plane_apply gave ids out), or
 * with prepare_only, checks before the apply that they will be able to. */
int bfd_apply(struct daemon *d, const struct ecmp_conf *c,
	      int prepare_only, char *err, size_t errlen)
{
	struct bfd_peer *peers;
	int n = bfd_peers(d, c, &peers), ret;

	if (n < 0) {
		snprintf(err, errlen, "bfd: out of memory");
		return n;
	}
	ret = prepare_only ? bfd_prepare(d->bfd, peers, n, err, errlen) :
			     bfd_sync(d->bfd, peers, n, err, errlen);
	memset(peers, 0, n * sizeof(*peers));	/* secrets */
	free(peers);
	return ret;
}

static void bfd_event(void *daemon, const char *nexthop, const char *state,
		      const char *diag)
{
	struct daemon *d = daemon;

	events_bfd(&d->events, nexthop, state, diag);
}

void on_bfd(struct daemon *d)
{
	uint64_t v;

	if (read(bfd_notify_fd(d->bfd), &v, sizeof(v)) < 0)
		return;
	d->plane.now_ms = clock_mono_ms();
	bfd_each_change(d->bfd, bfd_event, d);
	nh_on_bfd(&d->plane);
}

/* ---- reload ---- */

/* A whole table applied (at start, a reload, a read of the kernel's
 * table or a replay of zebra's) frees about what it took: the table
 * read, the routes wanted, the trie builder's merges. glibc keeps what is
 * freed in the middle of its heap; given back, ecmpd holds 198 MB at a
 * full table, not 232 (the next whole apply takes it again for a while). */
void give_back_memory(void)
{
	uint64_t t0 = clock_mono_us();
	int some = malloc_trim(0);

	pr_debug("memory freed by the apply %s in %llu us", some ? "given back" : "none to give back",
		 (unsigned long long)(clock_mono_us() - t0));
}

/* systemd (Type=notify): "ready", with what runs, after a start or a
 * reload. Without NOTIFY_SOCKET sd_notify does nothing. */
void notify_ready(struct daemon *d)
{
	sd_notifyf(0, "READY=1\nSTATUS=%d nexthops, %d groups, %d routes",
		   d->eff.nnexthop, d->eff.ngroup, d->eff.nroute);
}

/* `control group`: who besides root may read through the socket. */
void set_readers(struct daemon *d, const struct ecmp_conf *old,
		 const struct ecmp_conf *c)
{
	const char *g = c->control.group;
	int err;

	if (old && !strcmp(old->control.group, g))
		return;
	if (!old && !*g)
		return;		/* ctl_listen() made it root's */
	err = ctl_set_readers(&d->ctl, d->socket_path, *g ? (int)c->control.gid : -1);
	if (err)
		pr_warn("control group %s: cannot set %s's owner and mode: %s; the socket stays as it was",
			*g ? g : "(none)", d->socket_path, strerror(-err));
	else if (*g)
		pr_info("control socket %s: group %s may read (show, stats, lookup, monitor)",
			d->socket_path, g);
}

/* Reload: the new file is checked completely before anything changes. */
void do_reload(struct daemon *d, int cfd)
{
	struct ecmp_conf next, eff = { 0 };
	char err[512], msg[256];
	uint64_t moved = d->plane.buckets_moved;
	int ret, i;

	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)clock_mono_ms() * 1000);
	ret = load_conf(d, &next);
	if (!ret && strcmp(next.pin_root, d->conf.pin_root)) {
		snprintf(err, sizeof(err), "%s: pin-root cannot change while ecmpd runs (%s -> %s); restart ecmpd",
			 d->conf_path, d->conf.pin_root, next.pin_root);
		ret = -EINVAL;
	} else if (!ret && memcmp(&next.limits, &d->conf.limits,
				  offsetof(struct conf_limits, line))) {
		snprintf(err, sizeof(err), "%s: limits cannot change while ecmpd runs (the maps are made at their size); put them back, or run 'ecmpctl shutdown --detach' and start ecmpd with the new limits (forwarding stops meanwhile)",
			 d->conf_path);
		ret = -EINVAL;
	} else if (ret) {
		size_t off = 0;

		err[0] = 0;
		for (i = 0; i < next.nerror && off < sizeof(err) - 1; i++)
			off += snprintf(err + off, sizeof(err) - off, "%s%s",
					i ? "\n" : "", next.error[i]);
	} else {
		int reread = !mirror_stands(d, &next);

		d->plane.now_ms = clock_mono_ms();
		/* BFD follows the effective config: mirrored nexthops on a
		 * `bfd dev` interface have sessions too. */
		if (reread) {
			fib_gather(d, &next);
			d->read_why |= 1u << READ_RELOAD;
		}
		ret = build_eff(d, &next, reread, &eff, err, sizeof(err));
		if (!ret && !reread)
			fib_gather_mirror(d, &next);
		if (!ret)
			ret = bfd_apply(d, &eff, 1, err, sizeof(err));
		if (!ret)
			ret = plane_apply(&d->plane, &eff, &d->eff, err, sizeof(err));
	}
	if (ret) {
		pr_warn("Reload rejected, %s: %s",
			d->plane.apply_partial ? "partly applied" : "nothing changed", err);
		events_reload(&d->events, d->conf_path, 0, 0, err);
		if (cfd >= 0)
			ctl_reply_error(cfd, err);
		config_free(&next);
		config_free(&eff);
		fib_dump_free(d->fib_seen);
		d->fib_seen = NULL;
		notify_ready(d);	/* the old config still runs */
		return;
	}
	events_routes(&d->events, &d->eff, &eff);
	config_free(&d->eff);
	d->eff = eff;
	d->mirror_in_step = 1;
	/* Neither source any more: the mirror goes, and with it what points
	 * into the merged config just replaced (the groups patches left
	 * empty, dropped at the tick). Either source on again reads anew. */
	if (!next.kernel_routes.enabled && !next.fpm.enabled) {
		mirror_free(d->mirror);
		d->mirror = NULL;
	}
	if (bfd_apply(d, &d->eff, 0, err, sizeof(err)))
		pr_warn("Reload applied, but BFD sessions could not follow: %s", err);
	detach_removed(d, &d->conf, &next);
	set_readers(d, &d->conf, &next);
	fpm_apply_conf(d, &next);
	if (!metrics_same(d->metrics, &next.metrics)) {
		metrics_stop(d->metrics);
		metrics_start(&d->metrics, &next.metrics, &d->plane.dp, d->socket_path);
	}
	config_free(&d->conf);
	d->conf = next;
	attach_all(d, &d->conf);
	sync_fib(d);
	dump_kernel(d);		/* neighbours of new nexthops */
	nh_probe(&d->plane);
	snprintf(msg, sizeof(msg), "reloaded %s: %llu buckets moved", d->conf_path,
		 (unsigned long long)(d->plane.buckets_moved - moved));
	pr_info("%s", msg);
	events_reload(&d->events, d->conf_path, 1, d->plane.buckets_moved - moved, NULL);
	warn_bypassed(d, 0);
	if (d->conf.kernel_routes.enabled || d->conf.fpm.enabled)
		log_mirror(d, 1);
	notify_ready(d);
	if (cfd >= 0)
		ctl_reply_ok(cfd, msg);
	give_back_memory();	/* after the reply: no one waits for it */
}
