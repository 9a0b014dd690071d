/* step_secret.c: the 'secret' step: the copy-offload storage secret or the
 * vSphere provider secret, values resolved from the profile just before
 * they are sent and never printed. The first secret step of a run owns the
 * run's namespace: it creates it, and its undo (the last cluster-side undo,
 * since teardown runs in reverse) does the final sweep and deletes it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"
#include "config/vendor.h"
#include "vsphere/vsphere.h"

/* The storage secret's stringData: the vendor's keys (placeholders for
 * secret values), then storage_secret_extra. */
static json_object *
storage_data(struct mtv_model *m)
{
	json_object *sd = json_object_new_object(), *extra;
	const struct vendor_key *vk;
	size_t it = 0;

	while ((vk = vendor_key_next(m->vendor, &it, NULL)) != NULL) {
		char *ph;

		if (profile_co(m->p, vk->key) == NULL)
			continue;
		if (!vk->secret) {
			jputs(sd, vk->secret_key, profile_co(m->p, vk->key));
			continue;
		}
		ph = xasprintf("((secret:copyoffload.%s))", vk->key);
		jputs(sd, vk->secret_key, ph);
		free(ph);
	}
	extra = jget(jget(m->p->data, "copyoffload"), "storage_secret_extra");
	if (!json_object_is_type(extra, json_type_object))
		return sd;
	json_object_object_foreach(extra, k, v) {
		char *ph;

		if (*k == '\0') {
			diags_add(m->d, m->p->file, 0, 0, "profile '%s': "
				  "storage_secret_extra has an empty key", m->p->name);
			continue;
		}
		if (v == NULL || json_object_is_type(v, json_type_null) ||
		    (json_object_is_type(v, json_type_string) &&
		     *json_object_get_string(v) == '\0')) {
			json_object_object_del(sd, k);
		} else if (extra_key_secret(k)) {
			ph = xasprintf("((secret:copyoffload.storage_secret_extra.%s))", k);
			jputs(sd, k, ph);
			free(ph);
		} else if (json_object_is_type(v, json_type_boolean)) {
			jputs(sd, k, json_object_get_boolean(v) ? "true" : "false");
		} else {
			jputs(sd, k, json_object_get_string(v));
		}
	}
	return sd;
}

/* ca.crt of a profile with a thumbprint and no ca_file: the certificate
 * vCenter presents, fetched and pinned by that thumbprint at run time. */
#define PINNED_CERT "((vsphere:pinned-certificate))"

/* The vCenter credentials of the source provider. Forklift skips TLS
 * verification only when the profile says insecure: true; otherwise it
 * gets ca_file's PEM, or the certificate the thumbprint pins. */
static json_object *
provider_data(struct mtv_model *m)
{
	json_object *sd = json_object_new_object();
	const char *ca = profile_str(m->p, "ca_file"),
		   *tp = profile_str(m->p, "thumbprint");
	json_object *in = jget(m->p->data, "insecure");
	bool insecure = json_object_is_type(in, json_type_boolean) &&
			json_object_get_boolean(in);
	struct mtv_err err = { 0 };
	char *pem = NULL;
	size_t len = 0;

	jputs(sd, "user", profile_str(m->p, "username"));
	jputs(sd, "password", "((secret:password))");
	jputs(sd, "url", profile_str(m->p, "api_url"));
	jputs(sd, "insecureSkipVerify", insecure ? "true" : "false");
	if (insecure)
		return sd;
	if (ca == NULL) {
		/* with neither, exec_secret says which keys to add */
		if (tp)
			jputs(sd, "ca.crt", PINNED_CERT);
		return sd;
	}
	if (file_read(&pem, &len, ca, 1024 * 1024, &err) != 0)
		diags_add(m->d, m->p->file, 0, 0, "profile '%s': ca_file '%s': %s",
			  m->p->name, ca, err.msg);
	else
		jputs(sd, "ca.crt", pem);
	free(pem);
	return sd;
}

/* Fill in ca.crt of the provider Secret (PINNED_CERT: the certificate
 * vCenter presented and the thumbprint matched), or say what to add. */
static int
provider_ca(struct step_ctx *ctx, json_object *obj, struct mtv_err *err)
{
	json_object *sd = jget(obj, "stringData");
	const char *ca = jstr(sd, "ca.crt");
	const char *prof = ctx->profile ? ctx->profile->name : "?";
	struct vs_client *vs = NULL;
	int r;

	if (str_eq(jstr(sd, "insecureSkipVerify"), "true")) {
		static int warned;

		if (!__atomic_exchange_n(&warned, 1, __ATOMIC_SEQ_CST))
			log_warn("profile '%s' says insecure: true: Forklift "
				 "will not verify vCenter's TLS certificate",
				 prof);
		return 0;
	}
	if (ca && *ca && !str_eq(ca, PINNED_CERT))
		return 0;
	if (ca == NULL || *ca == '\0')
		return err_set(err, MTV_EINVAL, "Forklift cannot verify "
			       "vCenter's TLS certificate: set ca_file (the "
			       "PEM of vCenter's CA) or thumbprint (SHA-1 or "
			       "SHA-256 of its certificate) in profile '%s', "
			       "or insecure: true to skip the verification",
			       prof);
	r = step_vsphere(ctx, &vs, err);
	if (r != 0)
		return r;
	if (vs_pinned_cert(vs) == NULL)
		return err_set(err, MTV_EAUTH, "vCenter's certificate was not "
			       "pinned by the thumbprint of profile '%s': set "
			       "ca_file (the PEM of vCenter's CA)", prof);
	jputs(sd, "ca.crt", vs_pinned_cert(vs));
	return 0;
}

/* role "provider": the vCenter credentials; role "storage": the array's
 * (copy-offload only). */
static void
plan_secret(struct mtv_model *m, const struct step_at *at)
{
	bool storage = str_eq(at->role, "storage");
	const char *name = storage ? m->storage_secret : m->src_secret;
	json_object *pa;
	struct model_step st = { .plan = -1, .object = name };
	char *undo;

	if (storage && !m->any_co)
		return;
	pa = json_object_new_object();
	jputs(pa, "role", at->role);
	jput(pa, "manifest", model_secret(m, name, storage ? storage_data(m) :
					  provider_data(m)));
	undo = xasprintf("delete Secret %s", name);
	st.undo = undo;
	st.params = pa;
	if (storage)
		step_plan_add(m, at->kind, &st, "create Secret %s (%s array "
			      "credentials)", name, m->vendor ? m->vendor : "?");
	else
		step_plan_add(m, at->kind, &st, "create Secret %s (vCenter "
			      "credentials)", name);
	free(undo);
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
	if (str_eq(role, "provider") && (r = provider_ca(ctx, obj, err)) != 0)
		goto out;
	if (str_eq(role, "storage")) {
		const char *vendor =
		    profile_co(ctx->profile, "storage_vendor_product");
		char *miss =
		    vendor_secret_missing(jget(obj, "stringData"), vendor);

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
	step_journal_add(ctx, step, *undo);
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

static const struct step_param secret_params[] = {
	{ "role", PT_STRING, true, "storage or provider" },
	{ "manifest", PT_OBJECT, true, "the Secret, stringData with "
	  "((secret:...)) placeholders" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_secret = {
	.name = "secret",
	.summary = "create a Secret (storage or provider credentials)",
	.flags = STEP_CLUSTER,
	.params = secret_params,
	.plan = plan_secret,
	.exec = exec_secret,
	.undo = undo_secret,
};
