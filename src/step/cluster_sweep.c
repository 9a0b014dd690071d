/* cluster_sweep.c: deleting what Forklift and the run made: by selector,
 * the run's namespace, and the final sweep that lists leaks (see
 * cluster.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"

/* Kinds Forklift (and we) make in a namespace, deleted in this order. */
static const char *const forklift_kinds[] = {
	"Migration",
	"Plan",
	"VirtualMachine",
	"VirtualMachineInstance",
	"DataVolume",
	"VSphereXcopyVolumePopulator",
	"Pod",
	"PersistentVolumeClaim",
	"Secret",
	"ConfigMap",
	"StorageMap",
	"NetworkMap",
	"Provider",
	"Hook",
	"Host",
	"NetworkAttachmentDefinition",
	"Job",
	NULL,
};

/* fn on every object of a Forklift kind in ns (NULL: every namespace)
 * matching selector; kinds this cluster does not serve are skipped. A
 * kind that cannot be listed otherwise (a 403: the role lacks it) is not:
 * the first such error is returned in err, and the others still run. */
static int
each_object(struct kube_client *k, const char *ns, const char *selector,
	    void (*fn)(const char *kind, json_object *o, void *arg), void *arg,
	    struct mtv_err *err)
{
	int i, r = 0;

	for (i = 0; forklift_kinds[i]; i++) {
		char *coll = kube_path(forklift_kinds[i], ns, NULL);
		json_object *items = NULL;
		struct mtv_err e = { 0 };
		size_t j;

		if (kube_list(k, coll, selector, &items, &e) != 0) {
			log_debug("list %s: %s", coll, e.msg);
			if (e.code != MTV_ENOTFOUND && r == 0)
				r = err_set(err, e.code, "%s", e.msg);
		}
		for (j = 0; j < jlen(items); j++)
			fn(forklift_kinds[i], json_object_array_get_idx(items, j),
			   arg);
		json_object_put(items);
		free(coll);
	}
	return r;
}

struct del {
	struct step_ctx *ctx;
	struct kube_client *k;
	const char *ns;
	struct strbuf *done;
	struct mtv_err *err;
	int r;
};

static void
del_fn(const char *kind, json_object *o, void *arg)
{
	struct del *d = arg;
	struct mtv_err e = { 0 };
	int rr = cl_delete(d->ctx, d->k, kind, cl_ns(o) ? cl_ns(o) : d->ns,
			   cl_name(o), 0, &e);

	if (rr != 0 && d->r == 0) {
		d->r = rr;
		err_set(d->err, rr, "%s", e.msg);
	}
	if (d->done)
		strbuf_addf(d->done, "%s%s %s/%s", d->done->len ? ", " : "",
			    kind, cl_ns(o) ? cl_ns(o) : "", cl_name(o));
}

int
cl_delete_selected(struct step_ctx *ctx, struct kube_client *k, const char *ns,
		   const char *selector, struct strbuf *done,
		   struct mtv_err *err)
{
	struct del d = { ctx, k, ns, done, err, 0 };
	struct mtv_err e = { 0 };
	int r = each_object(k, ns, selector, del_fn, &d, &e);

	if (r != 0 && d.r == 0)
		d.r = err_set(err, r, "%s", e.msg);
	return d.r;
}

/* ---- namespace and sweep ---- */

int
cl_ns_ensure(struct step_ctx *ctx, struct kube_client *k, bool *created,
	     struct mtv_err *err)
{
	json_object *ns = json_object_new_object(),
		    *meta = json_object_new_object(),
		    *labels = json_object_new_object(), *res = NULL, *want;
	char *path = kube_path("Namespace", NULL, NULL);
	int r;

	*created = false;
	json_object_object_add(ns, "apiVersion", json_object_new_string("v1"));
	json_object_object_add(ns, "kind", json_object_new_string("Namespace"));
	json_object_object_add(meta, "name", json_object_new_string(ctx->ns));
	want = jget(ctx->plan, "labels");
	if (want) {
		json_object_object_foreach(want, key, val)
		    json_object_object_add(labels, key, json_object_get(val));
	}
	if (ctx->run_id)
		json_object_object_add(labels, CL_RUN_LABEL,
				       json_object_new_string(ctx->run_id));
	json_object_object_add(meta, "labels", labels);
	json_object_object_add(ns, "metadata", meta);
	r = kube_create(k, path, ns, &res, err);
	if (r == 0) {
		*created = true;
		log_verbose("created namespace '%s'", ctx->ns);
	} else if (r == MTV_ECONFLICT) {
		const char *run =
		    jstr(jget(jget(res, "metadata"), "labels"), CL_RUN_LABEL);

		if (str_eq(run, ctx->run_id)) {
			err_clear(err);
			r = 0;
		} else {
			r = err_set(err, MTV_ECONFLICT,
				    "namespace '%s' already exists and is "
				    "not ours (label %s is '%s', not '%s')",
				    ctx->ns, CL_RUN_LABEL, run ? run : "unset",
				    ctx->run_id ? ctx->run_id : "?");
		}
	}
	json_object_put(res);
	json_object_put(ns);
	free(path);
	return r;
}

/* Objects every namespace has, which nobody leaked. */
static bool
builtin_object(const char *kind, const char *name)
{
	static const char *const names[] = {
		"kube-root-ca.crt", "openshift-service-ca.crt",
		"default",          "builder",
		"deployer",         NULL,
	};
	size_t i;

	if (!str_eq(kind, "ConfigMap") && !str_eq(kind, "ServiceAccount"))
		return false;
	for (i = 0; names[i]; i++)
		if (str_eq(name, names[i]))
			return true;
	return false;
}

struct leak {
	struct step_ctx *ctx;
	struct kube_client *k;
	struct strbuf *leaks;
};

/* An object left behind: listed as a leak, then deleted. */
static void
leak_fn(const char *kind, json_object *o, void *arg)
{
	struct leak *l = arg;
	struct mtv_err e = { 0 };

	if (builtin_object(kind, cl_name(o)))
		return;
	/* something still being deleted is on its way out */
	if (jget(jget(o, "metadata"), "deletionTimestamp"))
		return;
	strbuf_addf(l->leaks, "%s%s %s/%s", l->leaks->len ? ", " : "", kind,
		    cl_ns(o) ? cl_ns(o) : "-", cl_name(o));
	cl_delete(l->ctx, l->k, kind, cl_ns(o), cl_name(o), 0, &e);
}

/* The leaks of ns (NULL: every namespace, by selector); what cannot be
 * listed goes to refused. */
static void
sweep_list(struct step_ctx *ctx, struct kube_client *k, const char *ns,
	   const char *selector, struct strbuf *leaks, struct strbuf *refused)
{
	struct leak l = { ctx, k, leaks };
	struct mtv_err e = { 0 };

	if (each_object(k, ns, selector, leak_fn, &l, &e) != 0)
		strbuf_addf(refused, "%s%s", refused->len ? "; " : "", e.msg);
}

/* Volumes whose claims lived in our namespace and whose reclaim policy is
 * Delete go with their claims; delete those the provisioner left behind
 * (its finalizer still frees the backing volume). */
static void
sweep_volumes(struct step_ctx *ctx, struct kube_client *k,
	      struct strbuf *refused)
{
	json_object *items = NULL;
	struct mtv_err e = { 0 };
	char *path = kube_path("PersistentVolume", NULL, NULL);
	size_t i;

	if (kube_list(k, path, NULL, &items, &e) == 0) {
		for (i = 0; i < json_object_array_length(items); i++) {
			json_object *pv = json_object_array_get_idx(items, i),
				    *spec = jget(pv, "spec");

			if (!str_eq(jstr(jget(spec, "claimRef"), "namespace"),
				    ctx->ns) ||
			    !str_eq(jstr(spec, "persistentVolumeReclaimPolicy"),
				    "Delete") ||
			    jget(jget(pv, "metadata"), "deletionTimestamp"))
				continue;
			log_verbose(
			    "deleting volume '%s' of a claim in '%s' (reclaim policy Delete)",
			    cl_name(pv), ctx->ns);
			cl_delete(ctx, k, "PersistentVolume", NULL, cl_name(pv),
				  0, &e);
		}
	} else {
		strbuf_addf(refused, "%s%s", refused->len ? "; " : "", e.msg);
	}
	json_object_put(items);
	free(path);
}

int
cl_sweep(struct step_ctx *ctx, struct kube_client *k, struct mtv_err *err)
{
	struct strbuf leaks = STRBUF_INIT, refused = STRBUF_INIT;
	char *sel =
	    xasprintf("%s=%s", CL_RUN_LABEL, ctx->run_id ? ctx->run_id : "");
	int r;

	/* everything in our namespace, then our label anywhere */
	sweep_list(ctx, k, ctx->ns, NULL, &leaks, &refused);
	sweep_list(ctx, k, NULL, sel, &leaks, &refused);
	r = cl_delete(ctx, k, "Namespace", NULL, ctx->ns, 180, err);
	if (r != 0)
		log_warn("namespace '%s': %s", ctx->ns, err->msg);
	sweep_volumes(ctx, k, &refused);
	if (refused.len) {
		/* a sweep that cannot look cannot say nothing leaked */
		r = err_set(err, MTV_EFAILED, "the final sweep cannot list "
			    "what may be left: %s", strbuf_str(&refused));
	} else if (leaks.len) {
		r = err_set(err, MTV_EFAILED,
			    "left behind by the teardown (now deleted): %s",
			    strbuf_str(&leaks));
	} else if (r != 0) {
		r = err_set(err, MTV_EFAILED, "%s", err->msg);
	}
	free(sel);
	strbuf_release(&leaks);
	strbuf_release(&refused);
	return r;
}

/* ---- cleanup of a run that is gone ---- */

struct gone {
	struct step_ctx *ctx;
	struct kube_client *k;
	struct step_sweep *sw;
	bool list_only;
};

static void
gone_fn(const char *kind, json_object *o, void *arg)
{
	struct gone *g = arg;
	struct mtv_err e = { 0 };
	char *what;

	if (builtin_object(kind, cl_name(o)))
		return;
	what = xasprintf("%s %s/%s", kind, cl_ns(o) ? cl_ns(o) : "-",
			 cl_name(o));
	if (g->list_only) {
		if (!jget(jget(o, "metadata"), "deletionTimestamp"))
			step_sweep_note(g->sw, false, what, "still there");
	} else if (cl_delete(g->ctx, g->k, kind, cl_ns(o), cl_name(o), 0,
			     &e) == 0) {
		step_sweep_note(g->sw, true, what, NULL);
	} else {
		step_sweep_note(g->sw, false, what, e.msg);
	}
	free(what);
}

/* The names of the namespaces labelled with the run id (caller puts). */
static json_object *
run_namespaces(struct kube_client *k, const char *sel, struct mtv_err *err)
{
	char *path = kube_path("Namespace", NULL, NULL);
	json_object *items = NULL, *names = json_object_new_array();
	size_t i;

	if (kube_list(k, path, sel, &items, err) == 0) {
		for (i = 0; i < jlen(items); i++) {
			json_object *n = json_object_array_get_idx(items, i);

			json_object_array_add(
			    names, json_object_new_string(cl_name(n)));
		}
	}
	json_object_put(items);
	free(path);
	return names;
}

/* Volumes of claims in the run's namespaces (whose names end with
 * "-<run id>", the run id is never cut) that the provisioner left. */
static void
gone_volumes(struct gone *g)
{
	char *path = kube_path("PersistentVolume", NULL, NULL);
	char *suffix = xasprintf("-%s", g->ctx->run_id);
	json_object *items = NULL;
	struct mtv_err e = { 0 };
	size_t i;

	if (kube_list(g->k, path, NULL, &items, &e) == 0) {
		for (i = 0; i < jlen(items); i++) {
			json_object *pv = json_object_array_get_idx(items, i),
				    *spec = jget(pv, "spec");
			const char *cns = jstr(jget(spec, "claimRef"),
					       "namespace");

			if (cns == NULL || !str_endswith(cns, suffix) ||
			    !str_eq(jstr(spec, "persistentVolumeReclaimPolicy"),
				    "Delete"))
				continue;
			gone_fn("PersistentVolume", pv, g);
		}
	}
	json_object_put(items);
	free(suffix);
	free(path);
}

int
step_sweep_cluster(struct step_ctx *ctx, struct step_sweep *sw, bool list_only,
	     struct mtv_err *err)
{
	struct kube_client *k = NULL;
	struct gone g = { ctx, NULL, sw, list_only };
	char *sel = xasprintf("%s=%s", CL_RUN_LABEL, ctx->run_id);
	json_object *nss = NULL;
	size_t i;
	int r;

	r = step_kube(ctx, &k, err);
	if (r != 0)
		goto out;
	g.k = k;
	nss = run_namespaces(k, sel, err);
	for (i = 0; i < jlen(nss); i++) {
		const char *ns = json_object_get_string(
		    json_object_array_get_idx(nss, i));
		struct mtv_err e = { 0 };
		char *what = xasprintf("Namespace %s", ns);

		if (each_object(k, ns, NULL, gone_fn, &g, &e) != 0)
			step_sweep_note(sw, false, what, e.msg);
		err_clear(&e);
		if (list_only)
			step_sweep_note(sw, false, what, "still there");
		else if (cl_delete(ctx, k, "Namespace", NULL, ns, 180, &e) == 0)
			step_sweep_note(sw, true, what, NULL);
		else
			step_sweep_note(sw, false, what, e.msg);
		free(what);
	}
	/* what carries the run label elsewhere */
	{
		struct mtv_err e = { 0 };

		if (each_object(k, NULL, sel, gone_fn, &g, &e) != 0)
			step_sweep_note(sw, false, "labelled objects", e.msg);
	}
	gone_volumes(&g);
out:
	json_object_put(nss);
	free(sel);
	return r;
}
