/* gather.c: the cluster side of a failed run's evidence (gather.h): its
 * objects as YAML, the events of its namespace, the logs of its pods and
 * of Forklift's controllers, and the conditions that explain the failure.
 * What to collect follows must-gather's targeted mode (NS=... PLAN=...). */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"
#include "step/gather.h"

/* Kinds saved, in the order a reader follows a migration. Secrets are
 * listed by name only. */
static const char *const kinds[] = {
	"Provider", "NetworkMap", "StorageMap", "Plan", "Migration", "Hook",
	"Host", "VirtualMachine", "VirtualMachineInstance", "DataVolume",
	"VSphereXcopyVolumePopulator", "PersistentVolumeClaim", "Pod", "Job",
	"NetworkAttachmentDefinition", "Secret", NULL,
};

/* Forklift's controllers: the pods of these Deployments (name prefix,
 * as `oc logs deployment/NAME` finds them) in the MTV namespace. */
static const char *const controllers[] = {
	"forklift-controller", "forklift-volume-populator-controller", NULL,
};

struct cl_gather {
	struct gather *g;
	struct kube_client *k;
	struct strbuf secrets;	/* "ns/name (type)" lines */
	json_object *pods;	/* the run's pods, for their logs */
};

void
gather_init(struct gather *g, struct step_ctx *ctx, gather_put_fn put,
	    void *arg)
{
	memset(g, 0, sizeof(*g));
	g->ctx = ctx;
	g->put = put;
	g->arg = arg;
	g->log_limit = 1024 * 1024;
	strbuf_init(&g->notes);
	strbuf_init(&g->explain);
	g->seen = json_object_new_object();
	g->plan_uids = json_object_new_array();
}

void
gather_release(struct gather *g)
{
	strbuf_release(&g->notes);
	strbuf_release(&g->explain);
	json_object_put(g->seen);
	json_object_put(g->plan_uids);
}

void
gather_note(struct gather *g, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	log_warn("artifacts: %s", strbuf_str(&sb));
	strbuf_addf(&g->notes, "%s\n", strbuf_str(&sb));
	strbuf_release(&sb);
}

bool
gather_late(struct gather *g)
{
	if (g->deadline_ms == 0 || clock_ms() < g->deadline_ms)
		return false;
	if (g->deadline_ms > 0)
		gather_note(g, "time for collecting is up: the rest is not "
			    "collected");
	g->deadline_ms = -1;	/* noted once; still late */
	return true;
}

/* The failed conditions of a Plan or Migration, and its VMs' errors. */
static void
explain_forklift(struct gather *g, const char *kind, json_object *o)
{
	json_object *st = jget(o, "status"), *conds = jget(st, "conditions"),
		    *vms = jget(st, "vms");
	size_t i, j;

	for (i = 0; i < jlen(conds); i++) {
		json_object *c = json_object_array_get_idx(conds, i);
		const char *cat = jstr(c, "category");

		if ((str_eq(jstr(c, "type"), "Failed") &&
		     str_eq(jstr(c, "status"), "True")) ||
		    str_eq(cat, "Critical") || str_eq(cat, "Error"))
			strbuf_addf(&g->explain, "%s %s/%s: condition %s: %s\n",
				    kind, cl_ns(o), cl_name(o), jstr(c, "type"),
				    jstr(c, "message") ? jstr(c, "message") : "");
	}
	if (vms == NULL)
		vms = jget(jget(st, "migration"), "vms");
	for (i = 0; i < jlen(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i),
			    *e = jget(vm, "error"), *rs = jget(e, "reasons");

		if (e == NULL)
			continue;
		strbuf_addf(&g->explain, "%s %s/%s: vm %s failed in %s:",
			    kind, cl_ns(o), cl_name(o),
			    jstr(vm, "name") ? jstr(vm, "name") : jstr(vm, "id"),
			    jstr(e, "phase") ? jstr(e, "phase") : "?");
		for (j = 0; j < jlen(rs); j++)
			strbuf_addf(&g->explain, " %s", json_object_get_string(
				json_object_array_get_idx(rs, j)));
		strbuf_addc(&g->explain, '\n');
	}
}

/* A pod that failed: its phase and its containers' terminations. */
static void
explain_pod(struct gather *g, json_object *o)
{
	json_object *cs = jget(jget(o, "status"), "containerStatuses");
	size_t i;

	if (!str_eq(jstr(jget(o, "status"), "phase"), "Failed"))
		return;
	strbuf_addf(&g->explain, "Pod %s/%s: Failed", cl_ns(o), cl_name(o));
	for (i = 0; i < jlen(cs); i++) {
		json_object *t = jget(jget(json_object_array_get_idx(cs, i),
					   "state"), "terminated");

		if (t)
			strbuf_addf(&g->explain, " (%s: %s, exit %lld%s%s)",
				    jstr(json_object_array_get_idx(cs, i), "name"),
				    jstr(t, "reason") ? jstr(t, "reason") : "?",
				    jint(t, "exitCode"), jstr(t, "message") ? ": " : "",
				    jstr(t, "message") ? jstr(t, "message") : "");
	}
	strbuf_addc(&g->explain, '\n');
}

/* Save one object (once): YAML without managedFields; a Secret only by
 * name. */
static void
save_object(struct cl_gather *cg, const char *kind, json_object *o)
{
	struct gather *g = cg->g;
	const char *uid = cl_uid(o), *ns = cl_ns(o) ? cl_ns(o) : "-";
	char *name, *yaml;

	if (uid == NULL || jget(g->seen, uid))
		return;
	jputb(g->seen, uid, true);
	if (str_eq(kind, "Secret")) {
		strbuf_addf(&cg->secrets, "%s/%s (%s)\n", ns, cl_name(o),
			    jstr(o, "type") ? jstr(o, "type") : "Opaque");
		return;
	}
	if (jstr(o, "kind") == NULL)
		jputs(o, "kind", kind);
	json_object_object_del(jget(o, "metadata"), "managedFields");
	if (str_eq(kind, "Plan") || str_eq(kind, "Migration"))
		explain_forklift(g, kind, o);
	if (str_eq(kind, "Plan"))
		jarr_adds(g->plan_uids, uid);
	if (str_eq(kind, "Pod")) {
		explain_pod(g, o);
		json_object_array_add(cg->pods, json_object_get(o));
	}
	name = xasprintf("cluster/%s/%s/%s.yaml", ns, kind, cl_name(o));
	yaml = json_to_yaml(o);
	g->put(name, yaml, g->arg);
	free(yaml);
	free(name);
}

/* Save the objects of kind in ns (NULL: all) matching selector. */
static void
save_kind(struct cl_gather *cg, const char *kind, const char *ns,
	  const char *selector)
{
	char *coll = kube_path(kind, ns, NULL);
	json_object *items = NULL;
	struct mtv_err e = { 0 };
	size_t i;

	if (kube_list(cg->k, coll, selector, &items, &e) != 0) {
		/* a kind this cluster does not serve has nothing of ours */
		if (e.code != MTV_ENOTFOUND)
			gather_note(cg->g, "%s in %s: %s", kind,
				    ns ? ns : "every namespace", e.msg);
	}
	for (i = 0; i < jlen(items); i++)
		save_object(cg, kind, json_object_array_get_idx(items, i));
	json_object_put(items);
	free(coll);
}

/* The namespace the Plans put VMs in, when it is not the run's own. */
static const char *
target_ns(struct step_ctx *ctx)
{
	const char *t = jstr(ctx->plan, "target_namespace");

	return t && !str_eq(t, ctx->ns) ? t : NULL;
}

/* Every object of the run: all of its namespace, what carries its run
 * label anywhere, and in another target namespace what Forklift labels
 * with the uid of one of its Plans. */
static void
save_objects(struct cl_gather *cg)
{
	struct step_ctx *ctx = cg->g->ctx;
	char *sel = xasprintf("%s=%s", CL_RUN_LABEL,
			      ctx->run_id ? ctx->run_id : "");
	size_t i, j;

	for (i = 0; kinds[i] && !gather_late(cg->g); i++) {
		if (ctx->ns)
			save_kind(cg, kinds[i], ctx->ns, NULL);
		if (ctx->run_id)
			save_kind(cg, kinds[i], NULL, sel);
		for (j = 0; target_ns(ctx) && j < jlen(cg->g->plan_uids); j++) {
			char *ps = xasprintf("plan=%s", json_object_get_string(
				json_object_array_get_idx(cg->g->plan_uids, j)));

			save_kind(cg, kinds[i], target_ns(ctx), ps);
			free(ps);
		}
	}
	free(sel);
	if (cg->secrets.len)
		cg->g->put("cluster/secrets.txt", strbuf_str(&cg->secrets),
			   cg->g->arg);
}

/* The events of ns, as YAML and as one line each. */
static void
save_events(struct cl_gather *cg, const char *ns)
{
	char *coll = kube_path("Event", ns, NULL), *name, *yaml;
	struct strbuf sb = STRBUF_INIT;
	json_object *items = NULL;
	struct mtv_err e = { 0 };
	size_t i;

	if (kube_list(cg->k, coll, NULL, &items, &e) != 0) {
		gather_note(cg->g, "events of namespace %s: %s", ns, e.msg);
		free(coll);
		return;
	}
	for (i = 0; i < jlen(items); i++) {
		json_object *ev = json_object_array_get_idx(items, i),
			    *io = jget(ev, "involvedObject");
		const char *t = jstr(ev, "lastTimestamp") ?
			jstr(ev, "lastTimestamp") : jstr(ev, "eventTime");

		json_object_object_del(jget(ev, "metadata"), "managedFields");
		strbuf_addf(&sb, "%s %s %s %s/%s: %s\n", t ? t : "-",
			    jstr(ev, "type") ? jstr(ev, "type") : "-",
			    jstr(ev, "reason") ? jstr(ev, "reason") : "-",
			    jstr(io, "kind") ? jstr(io, "kind") : "?",
			    jstr(io, "name") ? jstr(io, "name") : "?",
			    jstr(ev, "message") ? jstr(ev, "message") : "");
	}
	name = xasprintf("cluster/%s/events.txt", ns);
	cg->g->put(name, strbuf_str(&sb), cg->g->arg);
	free(name);
	name = xasprintf("cluster/%s/events.yaml", ns);
	yaml = json_to_yaml(items);
	cg->g->put(name, yaml, cg->g->arg);
	free(yaml);
	free(name);
	strbuf_release(&sb);
	json_object_put(items);
	free(coll);
}

/* The logs of every container of pod since the run began, each bounded. */
static void
save_pod_logs(struct cl_gather *cg, json_object *pod)
{
	struct gather *g = cg->g;
	json_object *cs = jget(jget(pod, "spec"), "containers");
	char *since = time_rfc3339(g->since);
	size_t i;

	for (i = 0; i < jlen(cs) && !gather_late(g); i++) {
		const char *c = jstr(json_object_array_get_idx(cs, i), "name");
		struct kube_log_opts lo = { c, 0, since, g->log_limit };
		struct mtv_err e = { 0 };
		char *text = NULL, *name;

		if (kube_pod_log_opts(cg->k, cl_ns(pod), cl_name(pod), &lo,
				      &text, &e) != 0) {
			gather_note(g, "log of pod %s/%s container %s: %s",
				    cl_ns(pod), cl_name(pod), c ? c : "?", e.msg);
			continue;
		}
		/* a server that ignores limitBytes is cut here */
		if ((long)strlen(text) > g->log_limit)
			text[g->log_limit] = '\0';
		name = xasprintf("logs/%s/%s%s%s.log", cl_ns(pod), cl_name(pod),
				 jlen(cs) > 1 ? "_" : "", jlen(cs) > 1 ? c : "");
		g->put(name, text, g->arg);
		free(name);
		free(text);
	}
	free(since);
}

/* Where Forklift runs: the preflight's mtv_namespace, the profile's, or
 * MTV's default. */
static const char *
mtv_ns(struct step_ctx *ctx)
{
	json_object *steps = jget(ctx->plan, "steps");
	const char *ns;
	size_t i;

	for (i = 0; i < jlen(steps); i++) {
		ns = jstr(jget(json_object_array_get_idx(steps, i), "params"),
			  "mtv_namespace");
		if (ns)
			return ns;
	}
	ns = ctx->profile ? profile_str(ctx->profile, "mtv_namespace") : NULL;
	return ns ? ns : "openshift-mtv";
}

/* The logs of Forklift's controller pods. */
static void
save_controller_logs(struct cl_gather *cg)
{
	const char *ns = mtv_ns(cg->g->ctx);
	char *coll = kube_path("Pod", ns, NULL), *pre;
	json_object *items = NULL;
	struct mtv_err e = { 0 };
	size_t i, j, found;

	if (kube_list(cg->k, coll, NULL, &items, &e) != 0)
		gather_note(cg->g, "pods of namespace %s: %s", ns, e.msg);
	for (i = 0; controllers[i] && e.code == 0; i++) {
		pre = xasprintf("%s-", controllers[i]);
		found = 0;
		for (j = 0; j < jlen(items) && !gather_late(cg->g); j++) {
			json_object *p = json_object_array_get_idx(items, j);

			if (!str_startswith(cl_name(p), pre))
				continue;
			found++;
			save_pod_logs(cg, p);
		}
		if (found == 0)
			gather_note(cg->g, "no pod of %s in namespace %s: its "
				    "log is not collected", controllers[i], ns);
		free(pre);
	}
	json_object_put(items);
	free(coll);
}

void
gather_cluster(struct gather *g)
{
	struct cl_gather cg = { g, NULL, STRBUF_INIT, NULL };
	struct mtv_err e = { 0 };
	size_t i;

	if (step_kube(g->ctx, &cg.k, &e) != 0) {
		gather_note(g, "cluster: %s", e.msg);
		return;
	}
	cg.pods = json_object_new_array();
	save_objects(&cg);
	if (g->ctx->ns && !gather_late(g))
		save_events(&cg, g->ctx->ns);
	if (target_ns(g->ctx) && !gather_late(g))
		save_events(&cg, target_ns(g->ctx));
	for (i = 0; i < jlen(cg.pods) && !gather_late(g); i++)
		save_pod_logs(&cg, json_object_array_get_idx(cg.pods, i));
	if (!gather_late(g))
		save_controller_logs(&cg);
	json_object_put(cg.pods);
	strbuf_release(&cg.secrets);
}
