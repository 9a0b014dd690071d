/* step_migrate.c: the 'migrate' step: one Migration per plan (cutover for
 * warm plans), all followed at the same time, one thread and one cluster
 * connection each, by watching the Plan (the watch resumed round after
 * round: no request a Plan event). Progress is logged on change; the
 * evidence of what happened (migrate_evidence.c) and the outcome land in
 * state.plans[NAME] for verify. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "step/migrate_evidence.h"
#include "util/progress.h"

#define MIG_LOG_MS 5000 /* MB-only progress is logged this often at most */

struct mig {
	struct step_ctx *ctx;
	json_object *spec;		/* borrowed: params.migrations[i] */
	const char *plan;
	int timeout_s;			/* what the run's deadline left */
	int asked_s;			/* params.timeout */
	char *name, *ns, *uid, *tns, *plan_uid;
	char *pns;			/* the Plan's namespace */
	json_object *last;		/* last Plan seen */
	struct mig_ev *ev;		/* what the migration showed */
	char *progress, *progress_key;
	long long logged_ms;
	char *failure;			/* why it did not succeed, or NULL */
	const char *end;		/* Succeeded, Failed, Canceled */
	int rc;
	struct mtv_err err;
	int refused;			/* pod logs the role refuses: said */
};

static bool
expect_failure(struct step_ctx *ctx)
{
	return str_eq(jstr(jget(ctx->plan, "expect"), "result"), "failed");
}

/* The progress line without its figures: a change here is logged at once. */
static char *
progress_key(const char *line)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, "");
	for (; *line; line++)
		if (*line < '0' || *line > '9')
			strbuf_addc(&sb, *line);
	return strbuf_detach(&sb);
}

static int
follow_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct mig *m = arg;
	struct kube_client *k = NULL;
	char *line, *key;
	bool changed;

	if (strcmp(type, "DELETED") == 0)
		return err_set(err, MTV_EFAILED,
			       "plan '%s' was deleted during its migration",
			       m->plan);
	json_object_put(m->last);
	m->last = json_object_get(obj);
	if (m->plan_uid == NULL && cl_uid(obj))
		m->plan_uid = xstrdup(cl_uid(obj));
	line = cl_progress(obj);
	key = progress_key(line);
	m->end = cl_terminal(obj, m->uid);
	changed = !str_eq(key, m->progress_key) || m->end;
	if (*line && (!str_eq(key, m->progress_key) ||
		      (!str_eq(line, m->progress) &&
		       clock_ms() - m->logged_ms >= MIG_LOG_MS))) {
		log_info("plan '%s': %s", m->plan, line);
		m->logged_ms = clock_ms();
	}
	free(m->progress);
	free(m->progress_key);
	m->progress = line;
	m->progress_key = key;
	/* look at every phase change, so a fast migration is not missed */
	if (step_kube(m->ctx, &k, err) == 0)
		mig_ev_plan(m->ev, k, obj, changed);
	err_clear(err);
	return m->end ? 1 : 0;
}

/* Last lines of the populate pods' logs that say what went wrong. */
static void
populator_message(struct mig *m, struct kube_client *k, struct strbuf *sb)
{
	struct mtv_err e = { 0 };
	json_object *items = NULL;
	char *path = kube_path("Pod", m->tns, NULL),
	     *sel = xasprintf("migration=%s", m->uid);
	size_t i;

	if (kube_list(k, path, sel, &items, &e) == 0) {
		for (i = 0; i < json_object_array_length(items); i++) {
			json_object *pod = json_object_array_get_idx(items, i);
			char *log = NULL, *p, *best = NULL, *save = NULL;

			if (!str_startswith(cl_name(pod), "populate-"))
				continue;
			if (kube_pod_log_tail(k, m->tns, cl_name(pod), NULL, 50,
					      &log, &e) != 0)
				continue;
			for (p = strtok_r(log, "\n", &save); p;
			     p = strtok_r(NULL, "\n", &save))
				if (strstr(p, "rror") || strstr(p, "fail") ||
				    strstr(p, "Fail"))
					best = p;
			if (best)
				strbuf_addf(sb, "; populator pod '%s': %s",
					    cl_name(pod), best);
			free(log);
		}
	}
	json_object_put(items);
	free(sel);
	free(path);
}

static json_object *
vm_summary(json_object *plan)
{
	json_object *vms = jget(jget(jget(plan, "status"), "migration"), "vms");
	json_object *out = json_object_new_array();
	size_t i;

	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i),
			    *e = json_object_new_object();
		static const char *const keys[] = {
			"id",    "name",       "newName",
			"phase", "targetName", "restorePowerState",
			NULL
		};
		size_t j;

		for (j = 0; keys[j]; j++)
			if (jstr(vm, keys[j]))
				json_object_object_add(
				    e, keys[j],
				    json_object_new_string(jstr(vm, keys[j])));
		json_object_array_add(out, e);
	}
	return out;
}

static void
record_state(struct mig *m)
{
	json_object *old = state_get(m->ctx, "plans", m->plan), *st = NULL;
	char *low = xstrdup(m->end ? m->end : "unknown"), *p;

	for (p = low; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	pthread_mutex_lock(&m->ctx->lock);
	if (old == NULL || json_object_deep_copy(old, &st, NULL) != 0)
		st = json_object_new_object();
	pthread_mutex_unlock(&m->ctx->lock);
	json_object_object_add(st, "migration",
			       json_object_new_string(m->name));
	json_object_object_add(st, "migration_uid",
			       json_object_new_string(m->uid));
	json_object_object_add(st, "result", json_object_new_string(low));
	json_object_object_add(st, "vms", vm_summary(m->last));
	json_object_object_add(st, "disk_transfer",
			       cl_disk_transfer_from_status(m->last));
	json_object_object_add(st, "disk_tasks",
			       cl_disk_tasks_from_status(m->last));
	mig_ev_record(m->ev, st, m->last);
	json_object_object_add(st, "populator_secret", mig_ev_secret(m->ev) ?
			       json_object_new_string(mig_ev_secret(m->ev)) :
			       NULL);
	/* for verify's result check: the Plan's conditions that hold and
	 * the failure text (Plan and VM errors, populator pod logs) */
	json_object_object_add(st, "conditions", cl_true_conditions(m->last));
	json_object_object_add(st, "failure", m->failure ?
			       json_object_new_string(m->failure) : NULL);
	if (m->plan_uid && !jget(st, "uid"))
		json_object_object_add(st, "uid",
				       json_object_new_string(m->plan_uid));
	state_set(m->ctx, "plans", m->plan, st);
	free(low);
}

/* Create m's Migration with k: the step creates every plan's Migration
 * back to back, before following them in threads, so that they start
 * together. m->rc says why it could not. */
static void
mig_create(struct mig *m, struct kube_client *k)
{
	struct step_ctx *ctx = m->ctx;
	json_object *man = NULL, *res = NULL, *pst;
	const char *pns;
	int r;

	if (json_object_deep_copy(jget(m->spec, "manifest"), &man, NULL) != 0 ||
	    man == NULL) {
		r = err_set(&m->err, MTV_EINTERNAL,
			    "migration of plan '%s' has no manifest", m->plan);
		goto out;
	}
	if (jbool(m->spec, "warm")) {
		long long delay = jint(m->spec, "cutover_delay");
		char *when = time_rfc3339((long long)time(NULL) +
					  (delay > 0 ? delay : 300));
		json_object *spec = jget(man, "spec");

		if (spec)
			json_object_object_add(spec, "cutover",
					       json_object_new_string(when));
		log_info("plan '%s': warm migration, cutover at %s", m->plan,
			 when);
		free(when);
	}
	r = cl_apply(ctx, k, man, &res, &m->err);
	if (r != 0)
		goto out;
	m->name = xstrdup(cl_name(res));
	m->ns = xstrdup(cl_ns(res));
	m->uid = xstrdup(cl_uid(res) ? cl_uid(res) : "");
	pns = jstr(jget(jget(man, "spec"), "plan"), "namespace");
	m->pns = xstrdup(pns ? pns : m->ns);
	pst = state_get(ctx, "plans", m->plan);
	pthread_mutex_lock(&ctx->lock);
	m->tns = xstrdup(jstr(pst, "target_namespace")
			     ? jstr(pst, "target_namespace")
			     : m->ns);
	m->plan_uid = jstr(pst, "uid") ? xstrdup(jstr(pst, "uid")) : NULL;
	pthread_mutex_unlock(&ctx->lock);
	mig_ev_start(m->ev, m->uid, m->tns, jbool(m->spec, "copyoffload"));
	log_info("migration '%s' of plan '%s' started", m->name, m->plan);
out:
	m->rc = r;
	json_object_put(man);
	json_object_put(res);
}

/* Follow m's Migration to its end (a thread of its own with n > 1). */
static void *
mig_main(void *arg)
{
	struct mig *m = arg;
	struct step_ctx *ctx = m->ctx;
	struct kube_client *k = NULL;
	char *coll = NULL, *fs = NULL, *what;
	int r;

	if (m->rc != 0 || m->name == NULL)
		return NULL;
	r = step_kube(ctx, &k, &m->err);
	if (r != 0)
		goto out;
	coll = kube_path("Plan", m->pns, NULL);
	fs = xasprintf("metadata.name=%s", m->plan);
	what = xasprintf("Plan %s to end (Migration %s)", m->plan, m->name);
	progress_wait(what);
	r = cl_wait(ctx, k, coll, fs, NULL, m->timeout_s, follow_fn, m,
		    &m->err);
	progress_wait(NULL);
	free(what);
	mig_ev_stop(m->ev);
	if (r == MTV_ETIMEOUT) {
		char *lim = cl_wait_limit(ctx, m->asked_s, m->timeout_s);

		r = err_set(&m->err, MTV_ETIMEOUT,
			    "plan '%s' did not finish within %s%s%s", m->plan,
			    lim, m->progress ? ": " : "",
			    m->progress ? m->progress : "");
		free(lim);
	}
	if (r == 0 && !str_eq(m->end, "Succeeded")) {
		struct strbuf sb = STRBUF_INIT;
		char *why = cl_failure(m->last);

		strbuf_adds(&sb, why);
		free(why);
		populator_message(m, k, &sb);
		m->failure = strbuf_detach(&sb);
	}
	if (m->last)
		record_state(m);
	if (r != 0)
		goto out;
	log_info("plan '%s' %s", m->plan, m->end);
	if (m->failure && expect_failure(ctx))
		/* verify's result check compares it with the expectation */
		log_info("plan '%s' %s; the scenario expects a failure: %s",
			 m->plan, m->end, m->failure);
	else if (m->failure)
		r = err_set(&m->err, MTV_EFAILED, "plan '%s' %s: %s", m->plan,
			    m->end, *m->failure ? m->failure :
			    "no reason given");
out:
	m->rc = r;
	free(coll);
	free(fs);
	return NULL;
}

/* The ForkliftController knobs and where the operator rolls them out. */
static const struct {
	const char *key, *deployment, *env;
} knobs[] = {
	{ "controller_max_populator_inflight",
	  "forklift-volume-populator-controller", "MAX_POPULATOR_INFLIGHT" },
	{ "controller_max_vm_inflight", "forklift-controller",
	  "MAX_VM_INFLIGHT" },
};

struct rollout {
	const char *env, *want;
};

/* Done when a container has env = want and every replica is updated and
 * available. */
static int
rollout_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct rollout *ro = arg;
	json_object *cs = jget(jget(jget(jget(obj, "spec"), "template"), "spec"),
			       "containers"),
		    *st = jget(obj, "status");
	long long want = jget(jget(obj, "spec"), "replicas")
			     ? jint(jget(obj, "spec"), "replicas") : 1;
	bool env = false;
	size_t i, j;

	(void)err;
	if (strcmp(type, "DELETED") == 0)
		return 0;
	for (i = 0; cs && i < json_object_array_length(cs); i++) {
		json_object *ev = jget(json_object_array_get_idx(cs, i), "env");

		for (j = 0; ev && j < json_object_array_length(ev); j++) {
			json_object *e = json_object_array_get_idx(ev, j);

			if (str_eq(jstr(e, "name"), ro->env) &&
			    str_eq(jstr(e, "value"), ro->want))
				env = true;
		}
	}
	return env && jint(st, "updatedReplicas") >= want &&
	       jint(st, "availableReplicas") >= want &&
	       jint(st, "observedGeneration") >=
		   jint(jget(obj, "metadata"), "generation");
}

/* Wait until the operator has rolled the knobs of vals out to the
 * Deployments that read them (null values: the default, not awaited). A
 * cluster without the Deployment (an operator that reads the CR itself) is
 * not waited for. */
static int
settings_rollout(struct step_ctx *ctx, struct kube_client *k, const char *ns,
		 json_object *vals, int timeout, struct mtv_err *err)
{
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		json_object *v = jget(vals, knobs[i].key), *dep = NULL;
		char *coll, *path, *fs;
		struct rollout ro;
		struct mtv_err e = { 0 };

		if (v == NULL)
			continue;
		coll = xasprintf("/apis/apps/v1/namespaces/%s/deployments", ns);
		path = xasprintf("%s/%s", coll, knobs[i].deployment);
		r = kube_get(k, path, &dep, &e);
		json_object_put(dep);
		free(path);
		if (r != 0 && r != MTV_ENOTFOUND) {
			free(coll);
			return err_set(err, r, "%s", e.msg);
		}
		if (r != 0) {
			log_verbose("no Deployment '%s' in '%s' (%s): not "
				    "waiting for %s to roll out",
				    knobs[i].deployment, ns, e.msg,
				    knobs[i].env);
			free(coll);
			continue;
		}
		ro.env = knobs[i].env;
		ro.want = json_object_get_string(v);
		fs = xasprintf("metadata.name=%s", knobs[i].deployment);
		r = cl_wait(ctx, k, coll, fs, NULL, timeout, rollout_fn, &ro,
			    err);
		free(fs);
		free(coll);
		if (r == MTV_ETIMEOUT)
			return err_set(err, MTV_ETIMEOUT,
				       "Deployment '%s' did not roll out %s=%s "
				       "within %d s", knobs[i].deployment,
				       knobs[i].env, ro.want, timeout);
		if (r != 0)
			return r;
		log_verbose("Deployment '%s' runs with %s=%s",
			    knobs[i].deployment, knobs[i].env, ro.want);
	}
	return 0;
}

/* Merge-patch spec into ForkliftController ns/name and wait for it. */
static int
settings_patch(struct step_ctx *ctx, struct kube_client *k, const char *ns,
	       const char *name, json_object *spec, int timeout,
	       struct mtv_err *err)
{
	json_object *patch = json_object_new_object(), *cp = NULL;
	char *path = kube_path("ForkliftController", ns, name);
	int r;

	json_object_deep_copy(spec, &cp, NULL);
	json_object_object_add(patch, "spec", cp);
	r = kube_patch_merge(k, path, patch, NULL, err);
	json_object_put(patch);
	free(path);
	if (r == 0)
		r = settings_rollout(ctx, k, ns, spec, timeout, err);
	return r;
}

/* Set params.forklift_settings ({"namespace", "spec", "timeout"}) on the
 * ForkliftControllers of the namespace; what was there before goes to undo
 * ({"forklift_controller", "namespace", "restore"}) before the patch, so a
 * half-done change is restored too. */
static int
settings_apply(struct step_ctx *ctx, json_object *step, json_object *fs,
	       json_object *undo, struct mtv_err *err)
{
	struct kube_client *k = NULL;
	const char *ns = jstr(fs, "namespace");
	json_object *spec = jget(fs, "spec"), *items = NULL;
	int timeout = jint(fs, "timeout") > 0 ? (int)jint(fs, "timeout") : 300;
	char *path = NULL;
	size_t i;
	int r;

	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	path = kube_path("ForkliftController", ns, NULL);
	r = kube_list(k, path, NULL, &items, err);
	if (r == 0 && json_object_array_length(items) == 0)
		r = err_set(err, MTV_ENOTFOUND,
			    "no ForkliftController in namespace '%s' to set "
			    "the in-flight limits on", ns);
	for (i = 0; r == 0 && i < json_object_array_length(items); i++) {
		json_object *fc = json_object_array_get_idx(items, i),
			    *old = json_object_new_object(),
			    *u = json_object_new_object();

		json_object_object_foreach(spec, key, val) {
			json_object *cur = jget(jget(fc, "spec"), key),
				    *cp = NULL;

			if (cur)
				json_object_deep_copy(cur, &cp, NULL);
			json_object_object_add(old, key, cp);
			log_info("ForkliftController '%s': %s %s -> %s",
				 cl_name(fc), key,
				 cur ? json_object_get_string(cur) : "unset",
				 json_object_get_string(val));
		}
		json_object_object_add(u, "forklift_controller",
				       json_object_new_string(cl_name(fc)));
		json_object_object_add(u, "namespace",
				       json_object_new_string(ns));
		json_object_object_add(u, "restore", old);
		json_object_object_add(u, "timeout",
				       json_object_new_int(timeout));
		json_object_array_add(undo, u);
		step_journal_add(ctx, step, undo);
		r = settings_patch(ctx, k, ns, cl_name(fc), spec, timeout, err);
	}
	json_object_put(items);
	free(path);
	return r;
}

static int
exec_migrate(struct step_ctx *ctx, json_object *step, json_object **undo,
	     struct mtv_err *err)
{
	json_object *params = jget(step, "params"),
		    *list = jget(params, "migrations");
	size_t n = list ? json_object_array_length(list) : 0, i;
	struct mig *ms;
	struct kube_client *k = NULL;
	pthread_t *tids;
	bool *started;
	int asked = (int)jint(params, "timeout"), timeout = asked, r = 0;

	if (n == 0)
		return err_set(err, MTV_EINTERNAL,
			       "migrate step without migrations");
	if (timeout <= 0 || timeout > step_time_left(ctx))
		timeout = step_time_left(ctx);
	ms = xcalloc(n, sizeof(*ms));
	tids = xcalloc(n, sizeof(*tids));
	started = xcalloc(n, sizeof(*started));
	for (i = 0; i < n; i++) {
		ms[i].ctx = ctx;
		ms[i].spec = json_object_array_get_idx(list, i);
		ms[i].plan = jstr(ms[i].spec, "plan");
		ms[i].timeout_s = timeout;
		ms[i].asked_s = asked;
		ms[i].ev = mig_ev_new(ctx, ms[i].plan);
	}
	*undo = json_object_new_array();
	if (jget(params, "forklift_settings")) {
		r = settings_apply(ctx, step, jget(params, "forklift_settings"),
				   *undo, err);
		if (r != 0)
			goto out;
	}
	r = step_kube(ctx, &k, err);
	if (r != 0)
		goto out;
	/* every Migration first, back to back */
	for (i = 0; i < n; i++)
		mig_create(&ms[i], k);
	if (n == 1) {
		mig_main(&ms[0]);
	} else {
		/* back to back, then followed at the same time */
		for (i = 0; i < n; i++)
			started[i] = pthread_create(&tids[i], NULL, mig_main,
						    &ms[i]) == 0;
		for (i = 0; i < n; i++) {
			if (started[i])
				pthread_join(tids[i], NULL);
			else
				mig_main(&ms[i]);
		}
	}
	for (i = 0; i < n; i++) {
		struct mig *m = &ms[i];

		if (m->name) {
			json_object *u = json_object_new_object();

			json_object_object_add(u, "name",
					       json_object_new_string(m->name));
			json_object_object_add(u, "namespace",
					       json_object_new_string(m->ns));
			json_object_object_add(u, "plan",
					       json_object_new_string(m->plan));
			json_object_object_add(u, "uid",
					       json_object_new_string(m->uid));
			json_object_object_add(u, "target_namespace",
					       json_object_new_string(m->tns));
			json_object_array_add(*undo, u);
		}
		if (m->rc != 0 && r == 0) {
			r = m->rc;
			err_set(err, m->rc, "%s", m->err.msg);
		} else if (m->rc != 0) {
			log_error("%s", m->err.msg);
		}
		free(m->name);
		free(m->ns);
		free(m->uid);
		free(m->tns);
		free(m->plan_uid);
		free(m->pns);
		free(m->progress);
		free(m->progress_key);
		free(m->failure);
		json_object_put(m->last);
	}
out:
	for (i = 0; i < n; i++) {
		mig_ev_free(ms[i].ev);
	}
	free(ms);
	free(tids);
	free(started);
	return r;
}

static int
canceled_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	(void)arg; (void)err;
	return strcmp(type, "DELETED") == 0 || cl_terminal(obj, NULL) ? 1 : 0;
}

/* Cancel a Migration that is still running: spec.cancel lists every VM. */
static void
cancel_running(struct step_ctx *ctx, struct kube_client *k, json_object *u)
{
	const char *name = jstr(u, "name"), *ns = jstr(u, "namespace");
	char *path = kube_path("Migration", ns, name), *ppath;
	json_object *mig = NULL, *plan = NULL, *patch, *spec, *cancel, *vms;
	struct mtv_err e = { 0 };
	size_t i;

	if (kube_get(k, path, &mig, &e) != 0 || cl_terminal(mig, NULL)) {
		json_object_put(mig);
		free(path);
		return;
	}
	ppath = kube_path("Plan", ns, jstr(u, "plan"));
	cancel = json_object_new_array();
	if (kube_get(k, ppath, &plan, &e) == 0) {
		vms = jget(jget(plan, "spec"), "vms");
		for (i = 0; vms && i < json_object_array_length(vms); i++) {
			json_object *ref = json_object_new_object(),
				    *vm = json_object_array_get_idx(vms, i);

			if (jstr(vm, "id"))
				json_object_object_add(
				    ref, "id",
				    json_object_new_string(jstr(vm, "id")));
			if (jstr(vm, "name"))
				json_object_object_add(
				    ref, "name",
				    json_object_new_string(jstr(vm, "name")));
			json_object_array_add(cancel, ref);
		}
	}
	patch = json_object_new_object();
	spec = json_object_new_object();
	json_object_object_add(spec, "cancel", cancel);
	json_object_object_add(patch, "spec", spec);
	log_info("canceling migration '%s' (still running)", name);
	if (kube_patch_merge(k, path, patch, NULL, &e) == 0) {
		char *coll = kube_path("Migration", ns, NULL),
		     *fs = xasprintf("metadata.name=%s", name);

		if (cl_wait(ctx, k, coll, fs, NULL, 120, canceled_fn, NULL,
			    &e) != 0)
			log_warn("migration '%s': not canceled: %s", name,
				 e.msg);
		free(fs);
		free(coll);
	} else {
		log_warn("migration '%s': cancel: %s", name, e.msg);
	}
	json_object_put(patch);
	json_object_put(plan);
	json_object_put(mig);
	free(ppath);
	free(path);
}

static int
undo_migrate(struct step_ctx *ctx, json_object *step, json_object *undo,
	     struct mtv_err *err)
{
	struct kube_client *k = NULL;
	size_t i, n = undo ? json_object_array_length(undo) : 0;
	int r, rc = 0;

	(void)step;
	if (n == 0)
		return 0;
	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	for (i = 0; i < n; i++) {
		json_object *u = json_object_array_get_idx(undo, i);
		struct mtv_err e = { 0 };

		/* what Forklift made for the migration also carries the plan's
		 * label: the plan's undo, next, removes it */
		if (jstr(u, "forklift_controller"))
			continue;
		cancel_running(ctx, k, u);
		r = cl_delete(ctx, k, "Migration", jstr(u, "namespace"),
			      jstr(u, "name"), 60, &e);
		if (r != 0 && rc == 0) {
			rc = r;
			err_set(err, r, "%s", e.msg);
		}
	}
	/* the knobs go back once nothing of ours migrates any more */
	for (i = 0; i < n; i++) {
		json_object *u = json_object_array_get_idx(undo, i);
		struct mtv_err e = { 0 };

		if (!jstr(u, "forklift_controller"))
			continue;
		log_info("ForkliftController '%s': restoring %s",
			 jstr(u, "forklift_controller"),
			 json_object_to_json_string_ext(jget(u, "restore"),
							JSON_C_TO_STRING_PLAIN));
		r = settings_patch(ctx, k, jstr(u, "namespace"),
				   jstr(u, "forklift_controller"),
				   jget(u, "restore"), (int)jint(u, "timeout"),
				   &e);
		if (r != 0 && rc == 0) {
			rc = r;
			err_set(err, r, "ForkliftController '%s': settings "
				"not restored: %s",
				jstr(u, "forklift_controller"), e.msg);
		}
	}
	return rc;
}

/* ---- plan ---- */

/* The ForkliftController knobs a throttling scenario sets for the run
 * (restored by the undo), or NULL. */
static json_object *
forklift_settings(struct mtv_model *m)
{
	json_object *pt = jget(jget(m->root, "expect"), "populator_throttling");
	json_object *fs, *spec;

	if (pt == NULL || (!jget(pt, "max_populator_inflight") &&
			   !jget(pt, "max_vm_inflight")))
		return NULL;
	fs = json_object_new_object();
	spec = json_object_new_object();
	jputs(fs, "namespace", model_mtv_namespace(m));
	if (jget(pt, "max_populator_inflight"))
		jputi(spec, "controller_max_populator_inflight",
		      jint(pt, "max_populator_inflight"));
	if (jget(pt, "max_vm_inflight"))
		jputi(spec, "controller_max_vm_inflight",
		      jint(pt, "max_vm_inflight"));
	jput(fs, "spec", spec);
	jputi(fs, "timeout", 300);
	return fs;
}

/* Every plan's Migration, started together; none when the scenario
 * expects the plans blocked. */
static void
plan_migrate(struct mtv_model *m, const struct step_at *at)
{
	json_object *migs, *pa, *fs, *t = model_top(m, "timeout"),
		    *cd = model_top(m, "cutover_delay");
	struct model_step st = { .plan = m->nplans == 1 ? 0 : -1,
				 .object = "migration" };
	size_t i;

	(void)at;
	if (str_eq(jstr(jget(m->root, "expect"), "result"), "blocked"))
		return;
	migs = json_object_new_array();
	for (i = 0; i < m->nplans; i++) {
		struct model_plan *p = &m->plans[i];
		json_object *e = json_object_new_object(),
			    *spec = json_object_new_object();
		char *mn = xasprintf("%s-migration", p->name);

		jputs(e, "plan", p->name);
		jput(spec, "plan", model_ref(p->name, m->ns));
		jput(e, "manifest", model_forklift(m, "Migration", mn, spec));
		jputb(e, "warm", p->warm);
		jput(e, "cutover_delay", p->warm ? json_object_new_int(cd ?
			json_object_get_int(cd) : 300) : NULL);
		jputb(e, "copyoffload", p->copyoffload);
		json_object_array_add(migs, e);
		free(mn);
	}
	pa = json_object_new_object();
	jput(pa, "migrations", migs);
	jputi(pa, "timeout", t ? json_object_get_int(t) : 3600);
	fs = forklift_settings(m);
	if (fs)
		jput(pa, "forklift_settings", fs);
	st.undo = fs ? "cancel if running, delete the Migration, restore the "
		"ForkliftController settings" :
		"cancel if running, delete the Migration";
	st.params = pa;
	step_plan_add(m, at->kind, &st, "migrate %zu plan%s%s", m->nplans,
		      m->nplans == 1 ? "" : "s",
		      m->nplans > 1 ? " at the same time" : "");
}

static const struct step_param migrate_params[] = {
	{ "migrations", PT_ARRAY, true, "{plan, manifest, warm, cutover_delay, "
	  "copyoffload} per plan" },
	{ "timeout", PT_INT, true, "seconds for all of them" },
	{ "forklift_settings", PT_OBJECT, false, "ForkliftController knobs "
	  "for the run" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_migrate = {
	.name = "migrate",
	.summary = "start Migrations and follow them to the end",
	.flags = STEP_CLUSTER,
	.params = migrate_params,
	.plan = plan_migrate,
	.exec = exec_migrate,
	.undo = undo_migrate,
};
