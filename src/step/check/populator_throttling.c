/* populator_throttling: the ForkliftController limits the migrate step
 * set held (expect.populator_throttling), from the peaks it saw
 * (migrate_evidence.c: populate pods Pending or Running at once per ESXi
 * host, else populator CRs copying; VMs with pods in flight on one host;
 * VMs held Pending) and the PopulatorThrottled events of the PVCs, as
 * mtv-api-tests counts them. VMs held Pending are shown only where the
 * release has the per-VM Pending condition (capability.c); elsewhere that
 * part is reported as not performed: the Plan status of 2.12 and older
 * does not tell a VM the scheduler held from one that started late. */
#include "config.h"

#include <stdlib.h>

#include "step/capability.h"
#include "step/check/check.h"

/* min_throttled_pvcs defaults to the populate pods over the limit: per VM
 * when VMs are throttled too (they run one after the other), else over
 * all disks. */
static void
plan_throttling(struct check_build *b)
{
	const struct check_model *m = b->m;
	json_object *pt = jget(m->expect, "populator_throttling"), *c,
		    *pl = NULL, *refs = NULL;
	int lim = (int)jint(pt, "max_populator_inflight"), total = 0, over = 0;
	size_t i;

	if (pt == NULL || !str_eq(b->result, "succeeded"))
		return;
	pl = json_object_new_array();
	refs = json_object_new_array();
	for (i = 0; i < m->nplans; i++)
		json_object_array_add(pl, json_object_new_string(
		    m->plans[i].name));
	for (i = 0; i < m->nvms; i++) {
		int n = 1 + m->vms[i].disks; /* the template's disk */

		json_object_array_add(refs, json_object_new_string(
		    m->vms[i].ref));
		total += n;
		if (lim > 0 && n > lim)
			over += n - lim;
	}
	c = check_entry(b, "populator_throttling");
	jput(c, "plans", pl);
	jput(c, "vm_refs", refs);
	jputs(c, "namespace", m->target_ns);
	jputi(c, "disks", total);
	jput(c, "max_populator_inflight",
	     lim > 0 ? json_object_new_int(lim) : NULL);
	jput(c, "max_vm_inflight", jget(pt, "max_vm_inflight") ?
	     json_object_new_int((int)jint(pt, "max_vm_inflight")) : NULL);
	if (jget(pt, "min_throttled_pvcs"))
		jputi(c, "min_throttled_pvcs", jint(pt, "min_throttled_pvcs"));
	else if (jget(pt, "max_vm_inflight"))
		jputi(c, "min_throttled_pvcs", over);
	else
		jputi(c, "min_throttled_pvcs",
		      lim > 0 && total > lim ? total - lim : 0);
	jputb(c, "same_host", jget(pt, "same_host") ?
	      jbool(pt, "same_host") : true);
}

/* Distinct PVCs in ns with a PopulatorThrottled event; -1 on error. */
static long long
throttled_pvcs(struct check_run *r, const char *ns, json_object *names)
{
	json_object *items = NULL;
	struct mtv_err e = { 0 };
	char *path = kube_path("Event", ns, NULL);
	size_t i, j;

	if (kube_list(r->k, path, NULL, &items, &e) != 0) {
		check_fail(r, "events of '%s': %s", ns, e.msg);
		free(path);
		return -1;
	}
	for (i = 0; i < jlen(items); i++) {
		json_object *ev = json_object_array_get_idx(items, i),
			    *io = jget(ev, "involvedObject");
		bool have = false;

		if (!str_eq(jstr(ev, "reason"), "PopulatorThrottled") ||
		    !str_eq(jstr(io, "kind"), "PersistentVolumeClaim") ||
		    jstr(io, "name") == NULL)
			continue;
		for (j = 0; j < jlen(names); j++)
			have |= str_eq(json_object_get_string(
			    json_object_array_get_idx(names, j)),
			    jstr(io, "name"));
		if (!have)
			json_object_array_add(
			    names, json_object_new_string(jstr(io, "name")));
	}
	json_object_put(items);
	free(path);
	return (long long)jlen(names);
}

/* What the migrate step saw, over every plan of the entry. */
struct seen {
	long long peak, vpeak, held;
	const char *from;	/* where the populator peak comes from */
};

static bool
seen_sum(struct check_run *r, json_object *c, struct seen *s)
{
	json_object *plans = jget(c, "plans");
	size_t i;

	for (i = 0; i < jlen(plans); i++) {
		const char *p =
		    json_object_get_string(json_object_array_get_idx(plans, i));
		json_object *in = jget(check_plan_state(r, p), "inflight");

		if (in == NULL) {
			check_fail(r, "plan '%s': no in-flight evidence (the "
				   "migration did not run)", p);
			return false;
		}
		if (jstr(in, "populator_evidence"))
			s->from = jstr(in, "populator_evidence");
		if (jint(in, "peak_populators") > s->peak)
			s->peak = jint(in, "peak_populators");
		if (jint(in, "peak_vms") > s->vpeak)
			s->vpeak = jint(in, "peak_vms");
		s->held += (long long)jlen(jget(in, "pending_vms"));
	}
	return true;
}

/* At least want VMs held Pending by the VM limit, where the release shows
 * it; *held < 0 when it does not. */
static void
held_pending(struct check_run *r, json_object *c, struct seen *s,
	     long long want)
{
	char *why = step_evidence_missing(r->ctx, EVIDENCE_VM_PENDING,
					  s->held > 0);
	json_object *plans = jget(c, "plans");
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (why == NULL) {
		if (s->held < want)
			check_fail(r, "VM in-flight limit %lld: %lld VM%s held "
				   "Pending, expected at least %lld",
				   jint(c, "max_vm_inflight"), s->held,
				   s->held == 1 ? "" : "s", want);
		return;
	}
	for (i = 0; i < jlen(plans); i++)
		strbuf_addf(&sb, "%splan '%s'", i ? ", " : "",
			    json_object_get_string(
				json_object_array_get_idx(plans, i)));
	check_skip(r, "vms_held_pending", strbuf_str(&sb), why);
	s->held = -1;
	strbuf_release(&sb);
	free(why);
}

/* The limits against the peaks. */
static void
limits(struct check_run *r, json_object *c, struct seen *s)
{
	long long lim = jint(c, "max_populator_inflight"),
		  vlim = jint(c, "max_vm_inflight"), disks = jint(c, "disks"),
		  nvm = (long long)jlen(jget(c, "vm_refs")), floor_;

	if (lim > 0) {
		floor_ = disks < lim ? disks : lim;
		if (s->from == NULL)
			check_fail(r, "populator throttling not observable: no "
				   "populate pod or populator CR was seen "
				   "copying");
		else if (s->peak > lim)
			check_fail(r, "populator in-flight limit %lld not "
				   "honoured: %lld disks were copying at once "
				   "on one host (%s)", lim, s->peak, s->from);
		else if (s->peak < floor_)
			check_fail(r, "populator throttling not observable: at "
				   "most %lld disk%s copied at once (%s), "
				   "expected %lld (the copies did not overlap)",
				   s->peak, s->peak == 1 ? "" : "s", s->from,
				   floor_);
	}
	if (vlim > 0) {
		if (s->vpeak > vlim)
			check_fail(r, "VM in-flight limit %lld not honoured: "
				   "%lld VMs were transferring disks at once",
				   vlim, s->vpeak);
		else if (s->vpeak < 1)
			check_fail(r, "no VM was seen transferring disks");
		if (nvm > vlim)
			held_pending(r, c, s, nvm - vlim);
	}
}

/* With same_host: the ESXi host every VM was on, or NULL after a
 * failure or without same_host. */
static const char *
one_host(struct check_run *r, json_object *c)
{
	json_object *refs = jget(c, "vm_refs");
	const char *host = NULL;
	size_t i;

	if (!jbool(c, "same_host"))
		return NULL;
	for (i = 0; i < jlen(refs); i++) {
		const char *ref = json_object_get_string(
		    json_object_array_get_idx(refs, i));
		const char *h = jstr(check_vm_state(r, ref), "host");

		if (h == NULL)
			check_fail(r, "%s: ESXi host unknown, cannot show that "
				   "the VMs share one", ref);
		else if (host && !str_eq(host, h))
			check_fail(r, "%s is on host '%s', not on '%s' with "
				   "the others", ref, h, host);
		else
			host = h;
	}
	return host;
}

/* The pass line: what was seen. */
static void
pass(struct check_run *r, json_object *c, const struct seen *s,
     long long thr, const char *host)
{
	long long lim = jint(c, "max_populator_inflight"),
		  vlim = jint(c, "max_vm_inflight");
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "throttling: at most %lld of %lld disks copying at "
		    "once (limit %lld, %s per host), %lld PVC%s throttled",
		    s->peak, jint(c, "disks"), lim, s->from ? s->from : "?",
		    thr, thr == 1 ? "" : "s");
	if (vlim > 0)
		strbuf_addf(&sb, ", at most %lld VM%s in flight (limit %lld)",
			    s->vpeak, s->vpeak == 1 ? "" : "s", vlim);
	if (vlim > 0 && s->held >= 0)
		strbuf_addf(&sb, ", %lld held Pending", s->held);
	if (host)
		strbuf_adds(&sb, ", all on one host");
	check_pass(r, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
}

static void
run_throttling(struct check_run *r, json_object *c)
{
	json_object *names = json_object_new_array();
	long long minthr = jint(c, "min_throttled_pvcs"), thr;
	struct seen s = { 0 };
	const char *host;
	char *why = jint(c, "max_populator_inflight") > 0 ?
		step_evidence_missing(r->ctx, EVIDENCE_POPULATOR_LIMIT, true) :
		NULL;
	int bad = r->nfail;

	if (why) {
		check_skip(r, "populator_throttling", "every plan", why);
		goto out;
	}
	if (!seen_sum(r, c, &s))
		goto out;
	limits(r, c, &s);
	thr = throttled_pvcs(r, jstr(c, "namespace") ? jstr(c, "namespace")
						     : r->ctx->ns, names);
	if (thr >= 0 && thr < minthr)
		check_fail(r, "%lld PVC%s with a PopulatorThrottled event, "
			   "expected at least %lld", thr, thr == 1 ? "" : "s",
			   minthr);
	host = one_host(r, c);
	if (r->nfail == bad)
		pass(r, c, &s, thr, host);
out:
	free(why);
	json_object_put(names);
}

const struct check_kind check_populator_throttling = {
	.name = "populator_throttling",
	.summary = "the ForkliftController limits held during the migration",
	.when = CHECK_LATE,
	.plan = plan_throttling,
	.run = run_throttling,
};
