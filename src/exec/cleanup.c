/* cleanup.c: remove what a run that is gone left: its journal's entries
 * undone in reverse, then the sweeps by run label (cluster), name prefix
 * (vSphere) and Forklift's key line (ESXi); a run with nothing left loses
 * its journal. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "step/journal.h"
#include "util/json.h"

static volatile sig_atomic_t never;

struct cl_run {
	struct step_ctx ctx;
	struct drivers drv;
	struct step_journal *j;
	json_object *jr;		/* journal_read's reading, or NULL */
	json_object *plan;
	struct step_sweep sw;
	bool esxi_journaled;
};

static void
setup(struct cl_run *c, const char *run_id, const struct mtv_profile *p,
      const struct run_opts *o)
{
	json_object *hdr = jget(c->jr, "run");

	drivers_init(&c->drv);
	step_sweep_init(&c->sw);
	c->plan = json_object_new_object();
	jputs(c->plan, "run_id", run_id);
	jputs(c->plan, "namespace", jstr(hdr, "namespace"));
	c->ctx.plan = c->plan;
	c->ctx.profile = p;
	c->ctx.opts = o;
	c->ctx.run_id = run_id;
	c->ctx.ns = jstr(hdr, "namespace");
	c->ctx.state = json_object_new_object();
	pthread_mutex_init(&c->ctx.lock, NULL);
	c->ctx.canceled = &never;
	c->ctx.drivers = &c->drv;
	c->ctx.deadline_ms = clock_ms() + 900 * 1000;
	c->ctx.journal = c->j;
}

static void
teardown_ctx(struct cl_run *c)
{
	drivers_release(&c->drv);
	json_object_put(c->ctx.state);
	pthread_mutex_destroy(&c->ctx.lock);
	json_object_put(c->plan);
	json_object_put(c->jr);
	step_sweep_release(&c->sw);
}

/* Undo one journal entry that is not done. */
static void
replay_one(struct cl_run *c, json_object *e)
{
	json_object *step = jget(e, "step"), *undo = NULL;
	const struct step_kind *k;
	char *what;
	struct mtv_err err = { 0 };

	k = step_kind_find(jstr(step, "kind") ? jstr(step, "kind") : "",
			   jstr(step, "side"));
	if (str_eq(jstr(step, "kind"), "esxi-key"))
		c->esxi_journaled = true;
	/* nothing made; or nothing of its own: what goes with the VM and
	 * the power state of a VM (a run clone, destroyed later) */
	if (k == NULL || k->undo == NULL || jget(e, "undo") == NULL ||
	    (k->flags & STEP_UNDO_WITH_VM) || str_eq(k->name, "power")) {
		step_journal_done(&c->ctx, step);
		return;
	}
	json_object_deep_copy(jget(e, "undo"), &undo, NULL);
	/* the final sweep is ours to do, for every namespace of the run */
	if (json_object_is_type(undo, json_type_object))
		json_object_object_del(undo, "sweep");
	what = xasprintf("from the journal: %s", jstr(step, "undo") ?
			 jstr(step, "undo") : jstr(step, "title") ?
			 jstr(step, "title") : k->name);
	if (k->undo(&c->ctx, step, undo, &err) == 0) {
		step_sweep_note(&c->sw, true, what, NULL);
		step_journal_done(&c->ctx, step);
	} else {
		step_sweep_note(&c->sw, false, what, err.msg);
	}
	json_object_put(undo);
	free(what);
}

static void
replay(struct cl_run *c)
{
	json_object *steps = jget(c->jr, "steps");
	size_t i;

	for (i = jlen(steps); i-- > 0;) {
		json_object *e = json_object_array_get_idx(steps, i);

		if (!jbool(e, "done") && jget(e, "step"))
			replay_one(c, e);
	}
}

/* Print the notes of arr with a prefix; returns how many. */
static size_t
print_notes(const char *run_id, const char *how, json_object *arr)
{
	size_t i;

	for (i = 0; i < jlen(arr); i++) {
		json_object *v = json_object_array_get_idx(arr, i);
		char *line = xasprintf("run %s: %s: %s\n", run_id, how,
				       json_object_get_string(v));

		redact_fputs(line, stdout);
		free(line);
	}
	return jlen(arr);
}

/* The sweeps; then what is still there goes to left. */
static void
sweep(struct cl_run *c, struct step_sweep *left)
{
	struct mtv_err e = { 0 };

	if (!c->esxi_journaled && step_sweep_esxi(&c->ctx, &c->sw, &e) != 0)
		step_sweep_note(&c->sw, false, "ESXi key lines", e.msg);
	err_clear(&e);
	if (step_sweep_cluster(&c->ctx, &c->sw, false, &e) != 0)
		step_sweep_note(&c->sw, false, "cluster objects", e.msg);
	err_clear(&e);
	if (step_sweep_vsphere(&c->ctx, &c->sw, false, &e) != 0)
		step_sweep_note(&c->sw, false, "vSphere VMs", e.msg);
	err_clear(&e);
	step_sweep_cluster(&c->ctx, left, true, &e);
	err_clear(&e);
	step_sweep_vsphere(&c->ctx, left, true, &e);
}

/* Open run_id's journal when there is one; 1 when the run is alive. */
static int
open_journal(struct cl_run *c, const char *run_id)
{
	char *jp = journal_path(run_id, "journal");
	struct mtv_err e = { 0 };
	int r = 0;

	if (journal_read(&c->jr, jp, &e) == 0) {
		err_clear(&e);
		if (journal_open(&c->j, run_id, NULL, &e) == MTV_ECONFLICT)
			r = 1;
		else if (c->j == NULL)
			log_warn("%s", e.msg);
	}
	free(jp);
	return r;
}

int
exec_cleanup(const char *run_id, const struct mtv_profile *p,
	     const struct run_opts *o)
{
	struct cl_run c;
	struct step_sweep left;
	size_t nrem, nleft;
	bool clean;

	memset(&c, 0, sizeof(c));
	if (open_journal(&c, run_id) == 1) {
		printf("run %s: still running (its lock is held): "
		       "not cleaned up\n", run_id);
		json_object_put(c.jr);
		return MTV_EFAILED;
	}
	setup(&c, run_id, p, o);
	step_sweep_init(&left);
	if (c.jr)
		replay(&c);
	sweep(&c, &left);
	nrem = print_notes(run_id, "removed", c.sw.removed);
	nleft = print_notes(run_id, "could not remove", c.sw.left);
	nleft += print_notes(run_id, "left", left.left);
	if (c.jr == NULL && !c.esxi_journaled && nrem + nleft > 0 && p &&
	    str_eq(profile_co(p, "esxi_clone_method"), "ssh"))
		printf("run %s: note: without its journal, Forklift's key "
		       "line on ESXi %s is found only while the run's "
		       "namespace holds the key Secret; check %s there\n",
		       run_id, profile_co(p, "esxi_host") ?
		       profile_co(p, "esxi_host") : "?",
		       profile_co(p, "esxi_authorized_keys_path") ?
		       profile_co(p, "esxi_authorized_keys_path") :
		       "/etc/ssh/keys-root/authorized_keys");
	clean = nleft == 0;
	if (nrem + nleft == 0)
		printf("run %s: nothing to do\n", run_id);
	else if (clean)
		printf("run %s: nothing left\n", run_id);
	step_sweep_release(&left);
	teardown_ctx(&c);
	journal_close(c.j, clean);
	return clean ? 0 : MTV_EFAILED;
}
