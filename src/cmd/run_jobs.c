/* run_jobs.c: run -j N. What each scenario must own (locks) and how long
 * it should take (the start order) come from its plan; exec/jobs.c runs
 * the scenarios, each in a process of its own, and hands their results
 * back; the verdicts come out in the scenarios' order. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/run.h"
#include "config/profile.h"
#include "exec/jobs.h"
#include "util/json.h"

/* Rates (MiB/s) the start order assumes without the profile's: XCOPY on
 * an array about 3x its host-based fallback (mtv-api-tests' copy-offload
 * timings), VDDK over the network slower still. */
#define XCOPY_MIB_S 600.0
#define FALLBACK_MIB_S 200.0
#define VDDK_MIB_S 100.0
#define VM_OVERHEAD_MS 60000LL	/* clone, power, guest, conversion */
#define RUN_OVERHEAD_MS 60000LL	/* providers, maps, plan, teardown */

struct jobs_ctx {
	struct item *items;
	const struct mtv_opts *o;
	struct mtv_profile *prof;
	const struct run_opts *ro;
	struct tally *t;
	bool *done;		/* verdict known (or none to print) */
	size_t next;		/* the next verdict to print */
	size_t n;
};

/* Does a step change state every scenario on the cluster sees? The
 * ForkliftController's knobs (the migrate step's forklift_settings) are
 * the controllers' for all Plans. */
static bool
cluster_wide(json_object *step)
{
	json_object *p = jget(step, "params");

	return jget(p, "forklift_settings") != NULL;
}

/* Is vm_ref cloned by the plan (then the run owns the VM)? */
static bool
cloned(json_object *steps, const char *vm_ref)
{
	size_t i;

	for (i = 0; i < jlen(steps); i++) {
		json_object *s = json_object_array_get_idx(steps, i);

		if (str_eq(jstr(s, "kind"), "clone") &&
		    str_eq(jstr(jget(s, "params"), "vm_ref"), vm_ref))
			return true;
	}
	return false;
}

static void
lock_add(json_object *locks, const char *what, const char *name)
{
	char *l;

	if (name == NULL)
		return;
	l = xasprintf("%s:%s", what, name);
	if (!jarr_has(locks, l))
		jarr_adds(locks, l);
	free(l);
}

/* What a plan must own: the RDM LUN it maps ("lun:naa..."), a VM it
 * changes without cloning it first ("vm:NAME": powered, given disks or
 * snapshots, migrated); *exclusive when it changes cluster-wide state. */
json_object *
run_plan_locks(json_object *plan, bool *exclusive)
{
	json_object *steps = jget(plan, "steps"),
		    *locks = json_object_new_array();
	size_t i;

	*exclusive = false;
	for (i = 0; i < jlen(steps); i++) {
		json_object *s = json_object_array_get_idx(steps, i),
			    *p = jget(s, "params");
		const char *ref = jstr(p, "vm_ref");

		*exclusive |= cluster_wide(s);
		if (str_eq(jstr(s, "kind"), "rdm"))
			lock_add(locks, "lun", jstr(p, "lun_uuid"));
		if (ref && jstr(p, "vm") && !cloned(steps, ref))
			lock_add(locks, "vm", jstr(p, "vm"));
	}
	return locks;
}

/* Rate (MiB/s) key: the profile's copyoffload one, else the one measured
 * by earlier runs, else dflt. */
static double
rate(const struct mtv_profile *prof, json_object *measured, const char *key,
     double dflt)
{
	json_object *r = prof ? jget(prof->data, "copyoffload") : NULL;
	double v = jget(r, key) ? json_object_get_double(jget(r, key)) : 0;

	if (v <= 0 && jget(measured, key))
		v = json_object_get_double(jget(measured, key));
	return v > 0 ? v : dflt;
}

/* Datastore moid -> XCOPY-capable, from the source preflight's params. */
static bool
xcopy_capable(json_object *steps, const char *ds)
{
	size_t i, k;

	for (i = 0; i < jlen(steps); i++) {
		json_object *d = jget(jget(json_object_array_get_idx(steps, i),
					   "params"), "datastores");

		for (k = 0; k < jlen(d); k++) {
			json_object *e = json_object_array_get_idx(d, k);

			if (str_eq(jstr(e, "moid"), ds))
				return jbool(e, "xcopy");
		}
	}
	return false;
}

/* How long a plan should take: a fixed part per run and per VM, and its
 * added disks at the rate of their copy (XCOPY on a capable datastore of
 * a copy-offload scenario, else the fallback; VDDK without copy-offload),
 * from the profile's copyoffload.xcopy_mib_s, fallback_mib_s and
 * vddk_mib_s, else the rates earlier runs measured, else the defaults
 * above. */
long long
run_plan_estimate_ms(json_object *plan, const struct mtv_profile *prof,
		     json_object *measured)
{
	json_object *steps = jget(plan, "steps");
	bool offload = false;
	double ms = (double)RUN_OVERHEAD_MS;
	size_t i, k;

	for (i = 0; i < jlen(steps); i++) {
		json_object *s = json_object_array_get_idx(steps, i),
			    *disks = jget(jget(s, "params"), "disks");

		if (str_eq(jstr(s, "kind"), "preflight"))
			offload |= jbool(jget(s, "params"), "copyoffload");
		if (str_eq(jstr(s, "kind"), "clone"))
			ms += (double)VM_OVERHEAD_MS;
		if (!str_eq(jstr(s, "kind"), "disk"))
			continue;
		for (k = 0; k < jlen(disks); k++) {
			json_object *d = json_object_array_get_idx(disks, k);
			double mib = (double)jint(d, "size_gb") * 1024.0, r;

			if (!offload)
				r = rate(prof, measured, "vddk_mib_s", VDDK_MIB_S);
			else if (xcopy_capable(steps, jstr(d, "datastore")))
				r = rate(prof, measured, "xcopy_mib_s",
					 XCOPY_MIB_S);
			else
				r = rate(prof, measured, "fallback_mib_s",
					 FALLBACK_MIB_S);
			ms += mib / r * 1000.0;
		}
	}
	return (long long)ms;
}

/* In the child: run scenario i, hand back its result. */
static json_object *
job_run(size_t i, void *arg)
{
	struct jobs_ctx *c = arg;
	struct item *it = &c->items[i];
	json_object *o = json_object_new_object();

	run_item(it, c->prof, c->ro);
	if (c->o->keep)
		run_item_keep_hint(it, c->o);
	jput(o, "result", run_result_to_json(&it->res));
	jputi(o, "status", it->rep.status);
	jputi(o, "duration_ms", it->rep.duration_ms);
	return o;
}

/* Print the verdicts known, in the scenarios' order. */
static void
verdicts(struct jobs_ctx *c, size_t n)
{
	while (c->next < n && c->done[c->next]) {
		struct item *it = &c->items[c->next++];

		if (it->rep.name)
			run_item_verdict(it, stdout);
	}
}

/* In the parent: scenario i ended (or never started). */
static bool
job_done(size_t i, enum exec_job_end end, json_object *res, const char *why,
	 void *arg)
{
	struct jobs_ctx *c = arg;
	struct item *it = &c->items[i];

	if (end == EXEC_JOB_NOT_RUN) {
		/* as in a sequential run: after a refused login a verdict,
		 * after an interrupt nothing but the report's entry */
		if (c->t->refused) {
			run_item_skip(it, "not run: a login was refused "
				      "(see above)");
			run_tally_add(c->t, it);
		}
	} else {
		run_item_names(it);
		if (end == EXEC_JOB_DONE) {
			run_result_from_json(&it->res, jget(res, "result"));
			it->rep.duration_ms = jint(res, "duration_ms");
			run_item_status(it, it->res.code);
			it->rep.status = (enum report_status)jint(res, "status");
			run_rates_record(c->prof, &it->res);
		} else {
			it->res.code = MTV_EINTERNAL;
			it->res.message = xasprintf("scenario '%s': %s",
						    it->scn->name, why);
			run_item_status(it, it->res.code);
		}
		run_tally_add(c->t, it);
	}
	c->done[i] = true;
	verdicts(c, c->n);
	return c->t->refused;
}

void
run_jobs(struct item *items, size_t n, const struct mtv_opts *o,
	 struct mtv_profile *prof, const struct run_opts *ro,
	 struct tally *t)
{
	struct exec_job *jobs = xcalloc(n, sizeof(*jobs));
	struct jobs_ctx c = { items, o, prof, ro, t, NULL, 0, n };
	struct exec_jobs_ops ops = { job_run, job_done, &c };
	json_object *measured = run_rates_load(prof);
	size_t i;

	c.done = xcalloc(n, sizeof(*c.done));
	for (i = 0; i < n; i++) {
		jobs[i].name = items[i].scn->name;
		jobs[i].locks = run_plan_locks(items[i].plan,
					       &jobs[i].exclusive);
		jobs[i].estimate_ms = run_plan_estimate_ms(items[i].plan, prof,
							   measured);
		log_verbose("%s: expected %lld s%s%s", jobs[i].name,
			    jobs[i].estimate_ms / 1000,
			    jobs[i].exclusive ? ", runs alone" : "",
			    jlen(jobs[i].locks) ? ", locks " : "");
		if (jlen(jobs[i].locks))
			log_verbose("  locks: %s", json_object_to_json_string(
				    jobs[i].locks));
	}
	t->interrupted |= exec_jobs(jobs, n, o->jobs, &ops);
	verdicts(&c, n);
	for (i = 0; i < n; i++)
		json_object_put(jobs[i].locks);
	free(jobs);
	free(c.done);
	json_object_put(measured);
}
