/* cluster.c: helpers of the cluster-side steps (see cluster.h): metadata,
 * manifests with secrets, create-or-adopt, conditions and the names
 * Forklift gives VMs. Waiting is in cluster_wait.c, deleting in
 * cluster_sweep.c, status readers in cluster_status.c. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"

const char *
cl_kind(json_object *obj)
{
	return jstr(obj, "kind");
}

const char *
cl_name(json_object *obj)
{
	return jstr(jget(obj, "metadata"), "name");
}

const char *
cl_ns(json_object *obj)
{
	return jstr(jget(obj, "metadata"), "namespace");
}

const char *
cl_uid(json_object *obj)
{
	return jstr(jget(obj, "metadata"), "uid");
}

char *
cl_what(json_object *obj)
{
	const char *k = cl_kind(obj);
	char *low = xstrdup(k ? k : "object"), *r;
	size_t i;

	for (i = 0; low[i]; i++)
		low[i] = (char)tolower((unsigned char)low[i]);
	r = xasprintf("%s '%s'", low, cl_name(obj) ? cl_name(obj) : "?");
	free(low);
	return r;
}

/* ---- manifests ---- */

/* s with every ((secret:REF)) replaced; NULL and err when one is unset. */
static char *
subst(struct step_ctx *ctx, const char *s, struct mtv_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = s, *b, *e;

	while ((b = strstr(p, "((secret:")) != NULL &&
	       (e = strstr(b, "))")) != NULL) {
		char *ref = xstrndup(b, (size_t)(e + 2 - b));
		const char *v =
		    ctx->profile ? profile_secret(ctx->profile, ref) : NULL;

		if (v == NULL) {
			err_set(err, MTV_EINVAL,
				"secret '%.*s' is not set in profile '%s'",
				(int)(e - b - 9), b + 9,
				ctx->profile && ctx->profile->name
				    ? ctx->profile->name
				    : "?");
			free(ref);
			strbuf_release(&sb);
			return NULL;
		}
		redact_add(v);
		strbuf_add(&sb, p, (size_t)(b - p));
		strbuf_adds(&sb, v);
		free(ref);
		p = e + 2;
	}
	strbuf_adds(&sb, p);
	return strbuf_detach(&sb);
}

static int
resolve_tree(struct step_ctx *ctx, json_object *o, bool string_data,
	     struct mtv_err *err)
{
	if (json_object_is_type(o, json_type_object)) {
		json_object *drop = json_object_new_array();
		size_t i;
		int r = 0;

		json_object_object_foreach(o, key, val) {
			bool sd = strcmp(key, "stringData") == 0;

			if (string_data && (val == NULL ||
			    json_object_is_type(val, json_type_null))) {
				json_object_array_add(
				    drop, json_object_new_string(key));
				continue;
			}
			if (val && json_object_is_type(val, json_type_string)) {
				char *s = subst(
				    ctx, json_object_get_string(val), err);

				if (s == NULL) {
					r = err->code;
					break;
				}
				if (string_data && *s == '\0')
					json_object_array_add(
					    drop, json_object_new_string(key));
				else
					json_object_object_add(
					    o, key, json_object_new_string(s));
				freezero(s, strlen(s));
			} else if (string_data && val) {
				/* booleans and numbers become strings */
				json_object_object_add(
				    o, key,
				    json_object_new_string(
					json_object_get_string(val)));
			} else if (val) {
				r = resolve_tree(ctx, val, sd, err);
				if (r)
					break;
			}
		}
		for (i = 0; i < json_object_array_length(drop); i++)
			json_object_object_del(o, json_object_get_string(
				json_object_array_get_idx(drop, i)));
		json_object_put(drop);
		return r;
	}
	if (json_object_is_type(o, json_type_array)) {
		size_t i;

		for (i = 0; i < json_object_array_length(o); i++) {
			json_object *v = json_object_array_get_idx(o, i);

			if (v && json_object_is_type(v, json_type_string)) {
				char *s =
				    subst(ctx, json_object_get_string(v), err);

				if (s == NULL)
					return err->code;
				json_object_array_put_idx(
				    o, i, json_object_new_string(s));
				freezero(s, strlen(s));
			} else if (v) {
				int r = resolve_tree(ctx, v, false, err);

				if (r)
					return r;
			}
		}
	}
	return 0;
}

int
cl_resolve(struct step_ctx *ctx, json_object *manifest, json_object **out,
	   struct mtv_err *err)
{
	json_object *copy = NULL, *meta, *labels, *want;
	int r;

	*out = NULL;
	if (manifest == NULL ||
	    json_object_deep_copy(manifest, &copy, NULL) != 0)
		return err_set(err, MTV_EINTERNAL, "step has no manifest");
	r = resolve_tree(ctx, copy, false, err);
	if (r != 0) {
		json_object_put(copy);
		return r;
	}
	meta = jget(copy, "metadata");
	if (meta == NULL) {
		meta = json_object_new_object();
		json_object_object_add(copy, "metadata", meta);
	}
	labels = jget(meta, "labels");
	if (labels == NULL) {
		labels = json_object_new_object();
		json_object_object_add(meta, "labels", labels);
	}
	want = jget(ctx->plan, "labels");
	if (want) {
		json_object_object_foreach(want, key, val) {
			if (jget(labels, key) == NULL)
				json_object_object_add(labels, key,
						       json_object_get(val));
		}
	}
	if (jget(labels, CL_RUN_LABEL) == NULL && ctx->run_id)
		json_object_object_add(labels, CL_RUN_LABEL,
				       json_object_new_string(ctx->run_id));
	if (cl_ns(copy) == NULL && ctx->ns &&
	    strcmp(cl_kind(copy) ? cl_kind(copy) : "", "Namespace") != 0)
		json_object_object_add(meta, "namespace",
				       json_object_new_string(ctx->ns));
	*out = copy;
	return 0;
}

int
cl_apply(struct step_ctx *ctx, struct kube_client *k, json_object *manifest,
	 json_object **out, struct mtv_err *err)
{
	json_object *obj = NULL, *res = NULL;
	char *path = NULL, *what = NULL;
	int r;

	if (out)
		*out = NULL;
	r = cl_resolve(ctx, manifest, &obj, err);
	if (r != 0)
		return r;
	what = cl_what(obj);
	path = kube_path(cl_kind(obj) ? cl_kind(obj) : "", cl_ns(obj), NULL);
	if (path == NULL) {
		r = err_set(err, MTV_EINTERNAL, "%s: unknown kind", what);
		goto out;
	}
	r = kube_create_or_adopt(k, path, obj, CL_RUN_LABEL, ctx->run_id, &res,
				 err);
	if (r != 0) {
		err_prefix(err, "%s", what);
		goto out;
	}
	log_verbose("created %s in '%s'", what, cl_ns(obj) ? cl_ns(obj) : "-");
	if (out) {
		*out = res;
		res = NULL;
	}
out:
	json_object_put(obj);
	json_object_put(res);
	free(path);
	free(what);
	return r;
}

/* ---- conditions ---- */

json_object *
cl_cond(json_object *obj, const char *type)
{
	json_object *conds = jget(jget(obj, "status"), "conditions");
	size_t i;

	if (conds == NULL || !json_object_is_type(conds, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(conds); i++) {
		json_object *c = json_object_array_get_idx(conds, i);
		const char *st = jstr(c, "status");

		if (str_eq(jstr(c, "type"), type) &&
		    (st == NULL || strcmp(st, "True") == 0))
			return c;
	}
	return NULL;
}

static bool
is_blocker(json_object *c)
{
	const char *cat = jstr(c, "category"), *st = jstr(c, "status");

	return (str_eq(cat, "Critical") || str_eq(cat, "Error")) &&
	       (st == NULL || strcmp(st, "True") == 0);
}

static void
cond_text(struct strbuf *sb, json_object *c)
{
	const char *m = jstr(c, "message"), *s = jstr(c, "suggestion");
	json_object *items = jget(c, "items");

	strbuf_addf(sb, "%s: %s", jstr(c, "type") ? jstr(c, "type") : "?",
		    m && *m ? m : jstr(c, "reason") ? jstr(c, "reason") : "");
	if (items && json_object_is_type(items, json_type_array) &&
	    json_object_array_length(items) > 0) {
		size_t i;

		strbuf_adds(sb, " [");
		for (i = 0; i < json_object_array_length(items) && i < 5; i++)
			strbuf_addf(sb, "%s%s", i ? "," : "",
				    json_object_get_string(
					json_object_array_get_idx(items, i)));
		strbuf_adds(sb, "]");
	}
	if (s && *s)
		strbuf_addf(sb, " (%s)", s);
}

int
cl_blockers(json_object *obj, struct strbuf *sb)
{
	json_object *conds = jget(jget(obj, "status"), "conditions");
	size_t i;
	int n = 0;

	if (conds == NULL || !json_object_is_type(conds, json_type_array))
		return 0;
	for (i = 0; i < json_object_array_length(conds); i++) {
		json_object *c = json_object_array_get_idx(conds, i);

		if (!is_blocker(c))
			continue;
		if (sb) {
			if (n > 0 || sb->len > 0)
				strbuf_adds(sb, "; ");
			cond_text(sb, c);
		}
		n++;
	}
	return n;
}

/* Blockers that only a change of our objects or the environment clears. */
static const char *const hard_blockers[] = {
	"ConnectionAuthFailed",
	"SecretNotValid",
	"UrlNotValid",
	"ProviderTypeNotSupported",
	"SettingsNotValid",
	"VDDKAndOffloadMixedUsage",
	"NotValid",
	"VMStorageNotMapped",
	"VMNetworksNotMapped",
	"VMMultiplePodNetworkMappings",
	"DestinationStorageNotValid",
	"DestinationNetworkNotValid",
	"VMAlreadyExists",
	"MigrationTypeNotValid",
	"DuplicateVM",
	"VMHasSnapshots",
	"VMMissingChangedBlockTracking",
	"VDDKInitImageUnavailable",
	"VDDKInvalid",
	"NamespaceNotValid",
	"StorageRefNotValid",
	"NetworkMapRefNotValid",
	"VMRefNotValid",
	"VMStorageNotSupported",
	"VMPowerStateUnsupported",
	"VMMigrationTypeUnsupported",
	"InvalidDiskSizes",
	"PlanNotValid",
	NULL,
};

static bool
is_hard(const char *type)
{
	size_t i;

	for (i = 0; hard_blockers[i]; i++)
		if (str_eq(type, hard_blockers[i]))
			return true;
	return false;
}

static bool
is_transient(const char *type)
{
	return type && (str_endswith(type, "NotReady") ||
			strcmp(type, "ValidatingVDDK") == 0);
}

enum cl_eval
cl_eval(json_object *obj, const char *want, char **why)
{
	json_object *conds = jget(jget(obj, "status"), "conditions"), *gen, *og;
	struct strbuf sb = STRBUF_INIT;
	enum cl_eval res = CL_WAIT;
	size_t i;

	if (why)
		*why = NULL;
	if (cl_cond(obj, want))
		return CL_DONE;
	gen = jget(jget(obj, "metadata"), "generation");
	og = jget(jget(obj, "status"), "observedGeneration");
	if (gen && og && json_object_get_int64(og) < json_object_get_int64(gen))
		return CL_WAIT;
	if (strcmp(want, "Ready") != 0 && cl_cond(obj, "Ready")) {
		if (why)
			*why = xasprintf(
			    "it became Ready, but condition '%s' was expected",
			    want);
		return CL_BLOCKED;
	}
	if (conds == NULL || !json_object_is_type(conds, json_type_array))
		return CL_WAIT;
	for (i = 0; i < json_object_array_length(conds); i++) {
		json_object *c = json_object_array_get_idx(conds, i);
		const char *type = jstr(c, "type");

		if (!is_blocker(c) || is_transient(type))
			continue;
		if (sb.len)
			strbuf_adds(&sb, "; ");
		cond_text(&sb, c);
		if (is_hard(type))
			res = CL_BLOCKED;
		else if (res == CL_WAIT)
			res = CL_BLOCKED_SOFT;
	}
	if (why && sb.len)
		*why = strbuf_detach(&sb);
	strbuf_release(&sb);
	return res;
}

