/* step_secret.c: the 'secret' step: the copy-offload storage secret or the
 * vSphere provider secret, values resolved from the profile just before
 * they are sent and never printed. The first secret step of a run owns the
 * run's namespace: it creates it, and its undo (the last cluster-side undo,
 * since teardown runs in reverse) does the final sweep and deletes it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"

struct vendor_key {
	const char *vendor;	/* NULL: every vendor */
	const char *key;	/* secret key */
	const char *profile;	/* copyoffload.<profile> */
};

static const struct vendor_key vendor_keys[] = {
	{ NULL, "STORAGE_HOSTNAME", "storage_hostname" },
	{ "ontap", "ONTAP_SVM", "ontap_svm" },
	{ "vantara", "STORAGE_ID", "vantara_storage_id" },
	{ "vantara", "STORAGE_PORT", "vantara_storage_port" },
	{ "vantara", "HOSTGROUP_ID_LIST", "vantara_hostgroup_id_list" },
	{ "pureFlashArray", "PURE_CLUSTER_PREFIX", "pure_cluster_prefix" },
	{ "powerflex", "POWERFLEX_SYSTEM_ID", "powerflex_system_id" },
	{ "powermax", "POWERMAX_SYMMETRIX_ID", "powermax_symmetrix_id" },
	{ NULL, NULL, NULL },
};

/* Every key the vendor needs that sd lacks, as one message (NULL: none). */
MTV_STATIC char *
secret_missing_keys(json_object *sd, const char *vendor)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; vendor_keys[i].key; i++) {
		const char *v;
		char *up;
		size_t j;

		if (vendor_keys[i].vendor &&
		    !str_eq(vendor_keys[i].vendor, vendor))
			continue;
		v = jstr(sd, vendor_keys[i].key);
		if (v && *v)
			continue;
		up = xstrdup(vendor_keys[i].profile);
		for (j = 0; up[j]; j++)
			up[j] = (char)(up[j] >= 'a' && up[j] <= 'z' ? up[j] - 32
								    : up[j]);
		strbuf_addf(&sb, "%s%s (copyoffload.%s or COPYOFFLOAD_%s)",
			    sb.len ? ", " : "", vendor_keys[i].key,
			    vendor_keys[i].profile, up);
		free(up);
	}
	/* user and password, or a token (Pure) */
	if (!(jstr(sd, "STORAGE_TOKEN") && str_eq(vendor, "pureFlashArray")) &&
	    !(jstr(sd, "STORAGE_USERNAME") && jstr(sd, "STORAGE_PASSWORD")))
		strbuf_addf(&sb, "%sSTORAGE_USERNAME and STORAGE_PASSWORD%s",
			    sb.len ? ", " : "",
			    str_eq(vendor, "pureFlashArray")
				? " (or STORAGE_TOKEN)"
				: "");
	return sb.len ? strbuf_detach(&sb) : (strbuf_release(&sb), NULL);
}

static int
exec_secret(struct step_ctx *ctx, json_object *step, json_object **undo,
	    struct mtv_err *err)
{
	json_object *params = jget(step, "params"), *obj = NULL, *res = NULL;
	const char *role = jstr(params, "role");
	struct kube_client *k = NULL;
	char *path = NULL, *what = NULL;
	bool created = false, owner = false;
	int r;

	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	r = cl_resolve(ctx, jget(params, "manifest"), &obj, err);
	if (r != 0)
		return r;
	what = cl_what(obj);
	if (str_eq(role, "storage")) {
		const char *vendor =
		    jstr(params, "vendor")
			? jstr(params, "vendor")
			: profile_co(ctx->profile, "storage_vendor_product");
		char *miss =
		    secret_missing_keys(jget(obj, "stringData"), vendor);

		if (miss) {
			r = err_set(err, MTV_EINVAL,
				    "storage %s: vendor '%s' needs %s", what,
				    vendor ? vendor : "?", miss);
			free(miss);
			goto out;
		}
	}
	if (state_get(ctx, "cluster", "namespace_owner") == NULL) {
		r = cl_ns_ensure(ctx, k, &created, err);
		if (r != 0)
			goto out;
		owner = true;
		state_set(ctx, "cluster", "namespace_owner",
			  json_object_new_int((int)jint(step, "id")));
	}
	*undo = cl_undo_new(NULL, cl_ns(obj) ? cl_ns(obj) : ctx->ns,
			    cl_name(obj));
	json_object_object_add(*undo, "sweep", json_object_new_boolean(owner));
	path = kube_path("Secret", cl_ns(obj), NULL);
	r = kube_create_or_adopt(k, path, obj, CL_RUN_LABEL, ctx->run_id, &res,
				 err);
	if (r != 0) {
		err_prefix(err, "%s", what);
		goto out;
	}
	log_info("created %s (%s, %d keys, values hidden)", what,
		 role ? role : "secret",
		 jget(obj, "stringData")
		     ? json_object_object_length(jget(obj, "stringData"))
		 : jget(obj, "data")
		     ? json_object_object_length(jget(obj, "data"))
		     : 0);
	state_set(ctx, "secrets", role ? role : cl_name(obj),
		  json_object_new_string(cl_name(obj)));
out:
	json_object_put(obj);
	json_object_put(res);
	free(path);
	free(what);
	return r;
}

static int
undo_secret(struct step_ctx *ctx, json_object *step, json_object *undo,
	    struct mtv_err *err)
{
	struct kube_client *k = NULL;
	int r;

	(void)step;
	if (undo == NULL)
		return 0;
	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	r = cl_delete(ctx, k, "Secret", jstr(undo, "namespace"),
		      jstr(undo, "name"), 60, err);
	if (r != 0 && !jbool(undo, "sweep"))
		return r;
	if (jbool(undo, "sweep")) {
		struct mtv_err e2 = { 0 };
		int rs = cl_sweep(ctx, k, &e2);

		if (rs != 0) {
			err_set(err, rs, "%s", e2.msg);
			return rs;
		}
	}
	return r;
}

const struct step_kind step_secret = {
	.name = "secret",
	.summary = "create a Secret (storage or provider credentials)",
	.flags = STEP_CLUSTER,
	.exec = exec_secret,
	.undo = undo_secret,
};
