/* cluster_preflight.c: the cluster side of the preflight step: MTV is
 * installed with copy-offload on, the storage class exists and can do
 * Block, the run's namespace can be created. Every problem is reported at
 * once and nothing is created (the namespace is made by the first secret
 * step, which owns it; see step_secret.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"

static void
problem(json_object *params, struct strbuf *sb, const char *condition,
	const char *fmt, ...) MTV_PRINTF(4, 5);

/* One more problem in sb, unless the scenario expects it (condition: the
 * one Forklift sets for it, or NULL). */
static void
problem(json_object *params, struct strbuf *sb, const char *condition,
	const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (!preflight_expected(params, condition, NULL, text)) {
		if (sb->len)
			strbuf_adds(sb, "; ");
		strbuf_adds(sb, text);
	}
	free(text);
}

/* Does a CDI StorageProfile offer volumeMode Block? 1 yes, 0 no, -1 unknown. */
MTV_STATIC int
preflight_profile_block(json_object *profile)
{
	json_object *sets = jget(jget(profile, "status"), "claimPropertySets");
	size_t i, j;

	if (sets == NULL || !json_object_is_type(sets, json_type_array))
		return -1;
	for (i = 0; i < json_object_array_length(sets); i++) {
		json_object *s = json_object_array_get_idx(sets, i);

		if (str_eq(jstr(s, "volumeMode"), "Block"))
			return 1;
		(void)j;
	}
	return 0;
}

static void
check_mtv(struct step_ctx *ctx, struct kube_client *k, json_object *params,
	  struct strbuf *sb)
{
	const char *mns = jstr(params, "mtv_namespace");
	json_object *items = NULL;
	struct mtv_err e = { 0 };
	char *path = kube_path("ForkliftController", mns, NULL);
	const struct mtv_release *rel = step_release(ctx);
	size_t i;
	bool off = false, vddk = false;

	if (kube_list(k, path, NULL, &items, &e) != 0) {
		problem(params, sb, NULL,
		    "MTV is not installed: cannot list ForkliftControllers in '%s': %s",
		    mns ? mns : "all namespaces", e.msg);
		free(path);
		return;
	}
	if (json_object_array_length(items) == 0)
		problem(params, sb, NULL,
		    "MTV is not installed: no ForkliftController in namespace '%s'",
		    mns ? mns : "?");
	for (i = 0; i < json_object_array_length(items); i++) {
		json_object *spec =
		    jget(json_object_array_get_idx(items, i), "spec");
		json_object *f = jget(spec, "feature_copy_offload");

		if (f ? (json_object_is_type(f, json_type_boolean)
			     ? !json_object_get_boolean(f)
			     : !str_eq(json_object_get_string(f), "true"))
		      : !rel->copy_offload_default)
			off = true;
		if (jstr(spec, "vddk_image") && *jstr(spec, "vddk_image"))
			vddk = true;
	}
	/* warm copy-offload still copies the deltas with VDDK (Forklift
	 * blocks the plan with VDDKInitImageUnavailable otherwise) */
	if (jbool(params, "warm") && !vddk && ctx->profile &&
	    profile_str(ctx->profile, "vddk_init_image") == NULL)
		problem(params, sb, "VDDKInitImageUnavailable",
		    "warm migration needs a VDDK image: set vddk_init_image in profile "
		    "'%s' or vddk_image in the ForkliftController",
		    ctx->profile->name ? ctx->profile->name : "?");
	if (off && jbool(params, "copyoffload"))
		problem(params, sb, NULL,
		    "copy-offload is off in MTV %s: the ForkliftController in "
		    "'%s' needs feature_copy_offload: \"true\" (%s)",
		    rel->name, mns ? mns : "?", rel->copy_offload_default ?
		    "it is set to false" : "this release leaves it off unless "
		    "it is set");
	json_object_put(items);
	free(path);
}

static void
check_storage(struct kube_client *k, json_object *params, struct strbuf *sb)
{
	const char *sc = jstr(params, "storage_class");
	json_object *obj = NULL;
	struct mtv_err e = { 0 };
	char *path;
	int b;

	if (sc == NULL) {
		problem(params, sb, NULL,
			"no storage class configured (storage_class)");
		return;
	}
	path = kube_path("StorageClass", NULL, sc);
	if (kube_get(k, path, &obj, &e) != 0) {
		problem(params, sb, NULL, "storage class '%s' %s", sc,
			e.code == MTV_ENOTFOUND ? "does not exist" : e.msg);
		free(path);
		return;
	}
	json_object_put(obj);
	obj = NULL;
	free(path);
	path = kube_path("StorageProfile", NULL, sc);
	if (kube_get(k, path, &obj, &e) != 0) {
		log_warn(
		    "preflight: no CDI StorageProfile for '%s' (%s): cannot tell whether "
		    "it does Block volumes",
		    sc, e.msg);
	} else if ((b = preflight_profile_block(obj)) == 0) {
		problem(params, sb, NULL,
		    "storage class '%s' cannot provide Block volumes (its StorageProfile "
		    "offers only Filesystem); copy-offload needs volumeMode Block",
		    sc);
	} else if (b < 0) {
		log_warn(
		    "preflight: StorageProfile '%s' lists no claimPropertySets yet",
		    sc);
	}
	json_object_put(obj);
	free(path);
}

static void
check_namespace(struct step_ctx *ctx, struct kube_client *k,
		json_object *params, struct strbuf *sb)
{
	const char *ns =
	    jstr(params, "namespace") ? jstr(params, "namespace") : ctx->ns;
	json_object *obj = NULL, *body, *meta, *out = NULL;
	struct mtv_err e = { 0 };
	char *path = kube_path("Namespace", NULL, ns);
	long status = 0;

	if (kube_get(k, path, &obj, &e) == 0) {
		const char *run =
		    jstr(jget(jget(obj, "metadata"), "labels"), CL_RUN_LABEL);

		if (!str_eq(run, ctx->run_id))
			problem(params, sb, NULL,
			    "namespace '%s' already exists and is not ours (label %s "
			    "is '%s')",
			    ns, CL_RUN_LABEL, run ? run : "unset");
		json_object_put(obj);
		free(path);
		return;
	}
	free(path);
	if (e.code != MTV_ENOTFOUND) {
		problem(params, sb, NULL, "namespace '%s': %s", ns, e.msg);
		return;
	}
	err_clear(&e);
	/* can we create it? ask the API server without creating anything */
	body = json_object_new_object();
	meta = json_object_new_object();
	json_object_object_add(body, "apiVersion",
			       json_object_new_string("v1"));
	json_object_object_add(body, "kind",
			       json_object_new_string("Namespace"));
	json_object_object_add(meta, "name", json_object_new_string(ns));
	json_object_object_add(body, "metadata", meta);
	if (kube_request(k, "POST", "/api/v1/namespaces?dryRun=All",
			 "application/json", body, &status, &out, &e) != 0)
		problem(params, sb, NULL,
			"namespace '%s' cannot be checked: %s", ns, e.msg);
	else if (status >= 300)
		problem(params, sb, NULL,
			"namespace '%s' cannot be created (HTTP %ld): %s",
			ns, status,
			jstr(out, "message") ? jstr(out, "message")
					     : "refused");
	json_object_put(out);
	json_object_put(body);
}

int
preflight_cluster(struct step_ctx *ctx, json_object *params,
		  struct mtv_err *err)
{
	struct kube_client *k = NULL;
	struct strbuf sb = STRBUF_INIT, refused = STRBUF_INIT;
	char *mtv = NULL;
	int r;

	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	preflight_release(ctx, k, params, &mtv, &refused);
	check_mtv(ctx, k, params, &sb);
	check_storage(k, params, &sb);
	check_namespace(ctx, k, params, &sb);
	step_env_cluster(ctx, k, params);
	if (refused.len) {
		/* the scenario cannot run on this release: a refusal */
		r = err_set(err, MTV_EUNSUPPORTED, "cluster preflight: %s%s%s",
			    strbuf_str(&refused), sb.len ? "; " : "",
			    strbuf_str(&sb));
	} else if (sb.len) {
		r = err_set(err, MTV_EFAILED, "cluster preflight: %s",
			    strbuf_str(&sb));
	} else {
		log_info(
		    "cluster preflight: %s installed, storage class '%s' does "
		    "Block, namespace '%s' can be created", mtv,
		    jstr(params, "storage_class"),
		    jstr(params, "namespace") ? jstr(params, "namespace")
					      : ctx->ns);
	}
	free(mtv);
	strbuf_release(&refused);
	strbuf_release(&sb);
	return r;
}
