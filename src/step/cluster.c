/* cluster.c: helpers of the cluster-side steps (see cluster.h). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"

#define CL_CHUNK_S 120		/* a wait re-checks the clock this often */
#define CL_SOFT_GRACE_MS 60000	/* a soft blocker fails after this long */

static json_object *
path_get(json_object *o, const char *a, const char *b)
{
	json_object *v = jget(o, a);

	return b ? jget(v, b) : v;
}

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
	json_object *conds = path_get(obj, "status", "conditions");
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
	json_object *conds = path_get(obj, "status", "conditions");
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
	json_object *conds = path_get(obj, "status", "conditions"), *gen, *og;
	struct strbuf sb = STRBUF_INIT;
	enum cl_eval res = CL_WAIT;
	size_t i;

	if (why)
		*why = NULL;
	if (cl_cond(obj, want))
		return CL_DONE;
	gen = path_get(obj, "metadata", "generation");
	og = path_get(obj, "status", "observedGeneration");
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

/* ---- waiting ---- */

struct wrap {
	struct step_ctx *ctx;
	kube_event_fn fn;
	void *arg;
};

static int
wrap_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct wrap *w = arg;

	if (step_should_stop(w->ctx, err))
		return err->code;
	return w->fn(type, obj, w->arg, err);
}

int
cl_wait(struct step_ctx *ctx, struct kube_client *k, const char *path,
	const char *field_selector, const char *label_selector, int timeout_s,
	kube_event_fn fn, void *arg, struct mtv_err *err)
{
	struct wrap w = { ctx, fn, arg };
	long long deadline = clock_ms() + (long long)timeout_s * 1000;
	int r = MTV_ETIMEOUT;

	kube_set_cancel(k, ctx->canceled);
	for (;;) {
		long long left = deadline - clock_ms();
		int chunk;

		if (step_should_stop(ctx, err))
			return err->code;
		if (left <= 0)
			break;
		chunk = left / 1000 + 1 > CL_CHUNK_S ? CL_CHUNK_S
						     : (int)(left / 1000 + 1);
		r = kube_wait(k, path, field_selector, label_selector, chunk,
			      wrap_fn, &w, err);
		if (r != MTV_ETIMEOUT)
			return r;
		err_clear(err);
	}
	return err_set(err, MTV_ETIMEOUT, "timed out after %d s", timeout_s);
}

struct condw {
	const char *want;
	json_object *last;
	long long soft_since;
	bool gone;
	char *why;
};

static int
cond_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct condw *c = arg;
	enum cl_eval e;
	char *why = NULL;

	(void)err;
	if (strcmp(type, "DELETED") == 0) {
		c->gone = true;
		return 1;
	}
	json_object_put(c->last);
	c->last = json_object_get(obj);
	e = cl_eval(obj, c->want, &why);
	free(c->why);
	c->why = why;
	switch (e) {
	case CL_DONE:
	case CL_BLOCKED:
		return 1;
	case CL_BLOCKED_SOFT:
		if (c->soft_since == 0)
			c->soft_since = clock_ms();
		return clock_ms() - c->soft_since >= CL_SOFT_GRACE_MS ? 1 : 0;
	default:
		c->soft_since = 0;
		return 0;
	}
}

int
cl_wait_cond(struct step_ctx *ctx, struct kube_client *k, const char *kind,
	     const char *ns, const char *name, const char *want, int timeout_s,
	     json_object **last, struct mtv_err *err)
{
	struct condw c = { .want = want };
	char *path = kube_path(kind, ns, NULL),
	     *fs = xasprintf("metadata.name=%s", name);
	char *low = xstrdup(kind), *p;
	int r;

	for (p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (last)
		*last = NULL;
	if (timeout_s <= 0 || timeout_s > step_time_left(ctx))
		timeout_s = step_time_left(ctx);
	r = cl_wait(ctx, k, path, fs, NULL, timeout_s, cond_fn, &c, err);
	if (r == 0 && c.gone) {
		r = err_set(err, MTV_EFAILED,
			    "%s '%s' was deleted while we waited for %s", low,
			    name, want);
	} else if (r == 0 && cl_eval(c.last, want, NULL) != CL_DONE) {
		r = err_set(err, MTV_EFAILED, "%s '%s' is not %s: %s", low,
			    name, want, c.why ? c.why : "blocked");
	} else if (r == MTV_ETIMEOUT) {
		struct strbuf sb = STRBUF_INIT;

		if (c.last)
			cl_blockers(c.last, &sb);
		r = err_set(err, MTV_ETIMEOUT, "%s '%s' not %s after %d s%s%s",
			    low, name, want, timeout_s, sb.len ? ": " : "",
			    sb.len ? strbuf_str(&sb) : "");
		strbuf_release(&sb);
	}
	if (last)
		*last = c.last;
	else
		json_object_put(c.last);
	free(c.why);
	free(low);
	free(fs);
	free(path);
	return r;
}

static int
gone_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	(void)obj; (void)err;
	if (strcmp(type, "DELETED") == 0) {
		*(bool *)arg = true;
		return 1;
	}
	return 0;
}

int
cl_delete(struct step_ctx *ctx, struct kube_client *k, const char *kind,
	  const char *ns, const char *name, int timeout_s, struct mtv_err *err)
{
	char *path = kube_path(kind, ns, name),
	     *coll = kube_path(kind, ns, NULL), *fs;
	long long deadline = clock_ms() + (long long)timeout_s * 1000;
	bool gone = false;
	int r;

	r = kube_delete(k, path, "Background", err);
	if (r != 0 || timeout_s <= 0)
		goto out;
	fs = xasprintf("metadata.name=%s", name);
	/* a DELETED event ends the wait; an object already gone when the
	 * watch lists gives no event, so each short round checks with a get */
	while (r == 0 && !gone) {
		json_object *obj = NULL;
		long long left = deadline - clock_ms();

		r = kube_get(k, path, &obj, err);
		json_object_put(obj);
		if (r == MTV_ENOTFOUND) {
			err_clear(err);
			r = 0;
			break;
		}
		if (r != 0)
			break;
		if (left <= 0 || step_should_stop(ctx, err)) {
			r = left <= 0 ? err_set(err, MTV_ETIMEOUT,
						"%s '%s' still exists %d s "
						"after its deletion",
						kind, name, timeout_s)
				      : err->code;
			break;
		}
		r = kube_wait(k, coll, fs, NULL,
			      left > 5000 ? 5 : (int)(left / 1000) + 1, gone_fn,
			      &gone, err);
		if (r == MTV_ETIMEOUT) {
			err_clear(err);
			r = 0;
		}
	}
	free(fs);
out:
	free(coll);
	free(path);
	return r;
}

json_object *
cl_undo_new(const char *kind, const char *ns, const char *name)
{
	json_object *undo = json_object_new_object();

	if (kind)
		json_object_object_add(undo, "kind",
				       json_object_new_string(kind));
	json_object_object_add(undo, "name", json_object_new_string(name));
	json_object_object_add(undo, "namespace", json_object_new_string(ns));
	return undo;
}

int
cl_undo_delete(struct step_ctx *ctx, json_object *undo, const char *kind,
	       int timeout_s, struct mtv_err *err)
{
	struct kube_client *k = NULL;
	int r;

	if (undo == NULL)
		return 0;
	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	return cl_delete(ctx, k, kind ? kind : jstr(undo, "kind"),
			 jstr(undo, "namespace"), jstr(undo, "name"),
			 timeout_s, err);
}

int
cl_wait_step(struct step_ctx *ctx, struct kube_client *k, json_object *params,
	     const char *kind, const char *ns, const char *name,
	     int timeout_s, json_object **last, struct mtv_err *err)
{
	int timeout = (int)jint(params, "timeout");

	return cl_wait_cond(ctx, k, kind, ns, name,
			    jstr(params, "wait") ? jstr(params, "wait")
						 : "Ready",
			    timeout > 0 ? timeout : timeout_s, last, err);
}

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

int
cl_delete_selected(struct step_ctx *ctx, struct kube_client *k, const char *ns,
		   const char *selector, struct strbuf *done,
		   struct mtv_err *err)
{
	int i, r = 0;

	for (i = 0; forklift_kinds[i]; i++) {
		char *coll = kube_path(forklift_kinds[i], ns, NULL);
		json_object *items = NULL;
		struct mtv_err e = { 0 };
		size_t j;

		if (kube_list(k, coll, selector, &items, &e) != 0) {
			/* a kind this cluster does not serve */
			log_debug("list %s: %s", coll, e.msg);
			free(coll);
			continue;
		}
		for (j = 0; j < json_object_array_length(items); j++) {
			json_object *o = json_object_array_get_idx(items, j);
			int rr = cl_delete(ctx, k, forklift_kinds[i],
					   cl_ns(o) ? cl_ns(o) : ns, cl_name(o),
					   0, &e);

			if (rr != 0 && r == 0) {
				r = rr;
				err_set(err, rr, "%s", e.msg);
			}
			if (done)
				strbuf_addf(
				    done, "%s%s %s/%s", done->len ? ", " : "",
				    forklift_kinds[i], cl_ns(o) ? cl_ns(o) : "",
				    cl_name(o));
		}
		json_object_put(items);
		free(coll);
	}
	return r;
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
		    jstr(path_get(res, "metadata", "labels"), CL_RUN_LABEL);

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

static void
sweep_list(struct step_ctx *ctx, struct kube_client *k, const char *ns,
	   const char *selector, struct strbuf *leaks)
{
	int i;

	for (i = 0; forklift_kinds[i]; i++) {
		char *coll = kube_path(forklift_kinds[i], ns, NULL);
		json_object *items = NULL;
		struct mtv_err e = { 0 };
		size_t j;

		if (kube_list(k, coll, selector, &items, &e) != 0) {
			log_debug("sweep: list %s: %s", coll, e.msg);
			free(coll);
			continue;
		}
		for (j = 0; j < json_object_array_length(items); j++) {
			json_object *o = json_object_array_get_idx(items, j);

			if (builtin_object(forklift_kinds[i], cl_name(o)))
				continue;
			/* something still being deleted is on its way out */
			if (path_get(o, "metadata", "deletionTimestamp"))
				continue;
			strbuf_addf(leaks, "%s%s %s/%s", leaks->len ? ", " : "",
				    forklift_kinds[i],
				    cl_ns(o) ? cl_ns(o) : "-", cl_name(o));
			cl_delete(ctx, k, forklift_kinds[i], cl_ns(o),
				  cl_name(o), 0, &e);
		}
		json_object_put(items);
		free(coll);
	}
}

/* Volumes whose claims lived in our namespace and whose reclaim policy is
 * Delete go with their claims; delete those the provisioner left behind
 * (its finalizer still frees the backing volume). */
static void
sweep_volumes(struct step_ctx *ctx, struct kube_client *k)
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
			    path_get(pv, "metadata", "deletionTimestamp"))
				continue;
			log_verbose(
			    "deleting volume '%s' of a claim in '%s' (reclaim policy Delete)",
			    cl_name(pv), ctx->ns);
			cl_delete(ctx, k, "PersistentVolume", NULL, cl_name(pv),
				  0, &e);
		}
	}
	json_object_put(items);
	free(path);
}

int
cl_sweep(struct step_ctx *ctx, struct kube_client *k, struct mtv_err *err)
{
	struct strbuf leaks = STRBUF_INIT;
	char *sel =
	    xasprintf("%s=%s", CL_RUN_LABEL, ctx->run_id ? ctx->run_id : "");
	int r;

	/* everything in our namespace, then our label anywhere */
	sweep_list(ctx, k, ctx->ns, NULL, &leaks);
	sweep_list(ctx, k, NULL, sel, &leaks);
	r = cl_delete(ctx, k, "Namespace", NULL, ctx->ns, 180, err);
	if (r != 0)
		log_warn("namespace '%s': %s", ctx->ns, err->msg);
	sweep_volumes(ctx, k);
	if (leaks.len) {
		r = err_set(err, MTV_EFAILED,
			    "left behind by the teardown (now deleted): %s",
			    strbuf_str(&leaks));
	} else if (r != 0) {
		r = err_set(err, MTV_EFAILED, "%s", err->msg);
	}
	free(sel);
	strbuf_release(&leaks);
	return r;
}

/* ---- Forklift status readers ---- */

static json_object *
status_vms(json_object *obj)
{
	json_object *vms = path_get(jget(obj, "status"), "migration", "vms");

	if (vms == NULL)
		vms = path_get(obj, "status", "vms");	/* a Migration */
	return vms && json_object_is_type(vms, json_type_array) ? vms : NULL;
}

static json_object *
pipeline_step(json_object *vm, const char *name)
{
	json_object *pl = jget(vm, "pipeline");
	size_t i;

	if (pl == NULL || !json_object_is_type(pl, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(pl); i++) {
		json_object *s = json_object_array_get_idx(pl, i);

		if (str_eq(jstr(s, "name"), name))
			return s;
	}
	return NULL;
}

json_object *
cl_xcopy_from_status(json_object *obj)
{
	json_object *out = json_object_new_array(), *vms = status_vms(obj);
	size_t i, j;

	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i);
		json_object *dt = pipeline_step(vm, "DiskTransfer"),
			    *tasks = jget(dt, "tasks");

		for (j = 0; tasks && j < json_object_array_length(tasks); j++) {
			json_object *t = json_object_array_get_idx(tasks, j);
			json_object *ann = jget(t, "annotations"),
				    *e = json_object_new_object();
			const char *tn = jstr(t, "name"),
				   *xu = jstr(ann, "xcopyUsed");

			json_object_object_add(e, "vm", json_object_new_string(
				jstr(vm, "id") ? jstr(vm, "id") : ""));
			json_object_object_add(
			    e, "vm_name",
			    json_object_new_string(
				jstr(vm, "name") ? jstr(vm, "name") : ""));
			json_object_object_add(
			    e, "disk", json_object_new_string(tn ? tn : ""));
			if (tn && tn[0] == '[' && strchr(tn, ']')) {
				json_object_object_add(
				    e, "datastore_name",
				    json_object_new_string_len(
					tn + 1,
					(int)(strchr(tn, ']') - tn - 1)));
			} else {
				json_object_object_add(e, "datastore_name",
						       NULL);
			}
			json_object_object_add(
			    e, "xcopyUsed",
			    xu && *xu ? json_object_new_int(atoi(xu)) : NULL);
			json_object_object_add(
			    e, "cloneMethod",
			    jstr(ann, "cloneMethod")
				? json_object_new_string(
				      jstr(ann, "cloneMethod"))
				: NULL);
			json_object_object_add(
			    e, "phase",
			    jstr(t, "phase")
				? json_object_new_string(jstr(t, "phase"))
				: NULL);
			json_object_array_add(out, e);
		}
	}
	return out;
}

json_object *
cl_disk_transfer_from_status(json_object *obj)
{
	json_object *out = json_object_new_array(), *vms = status_vms(obj);
	size_t i;

	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i);
		json_object *dt = pipeline_step(vm, "DiskTransfer"), *e;

		if (dt == NULL || jstr(dt, "started") == NULL)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "vm", json_object_new_string(
			jstr(vm, "id") ? jstr(vm, "id") : ""));
		json_object_object_add(
		    e, "started", json_object_new_string(jstr(dt, "started")));
		json_object_object_add(e, "completed", jstr(dt, "completed") ?
			json_object_new_string(jstr(dt, "completed")) : NULL);
		json_object_array_add(out, e);
	}
	return out;
}

char *
cl_progress(json_object *obj)
{
	struct strbuf sb = STRBUF_INIT;
	json_object *vms = status_vms(obj);
	size_t i, j;

	strbuf_adds(&sb, "");
	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i),
			    *pl = jget(vm, "pipeline");
		json_object *cur = NULL,
			    *dt = pipeline_step(vm, "DiskTransfer");

		for (j = 0; pl && j < json_object_array_length(pl); j++) {
			json_object *s = json_object_array_get_idx(pl, j);

			if (str_eq(jstr(s, "phase"), "Running") ||
			    (cur == NULL &&
			     !str_eq(jstr(s, "phase"), "Completed")))
				cur = s;
			if (str_eq(jstr(s, "phase"), "Running"))
				break;
		}
		strbuf_addf(&sb, "%svm '%s': %s", sb.len ? "; " : "",
			    jstr(vm, "name") ? jstr(vm, "name")
					     : jstr(vm, "id"),
			    jstr(vm, "phase") ? jstr(vm, "phase") : "Pending");
		if (cur)
			strbuf_addf(&sb, ", step %s", jstr(cur, "name"));
		if (dt && jget(dt, "progress"))
			strbuf_addf(&sb, ", %lld/%lld MB",
				    jint(jget(dt, "progress"), "completed"),
				    jint(jget(dt, "progress"), "total"));
	}
	return strbuf_detach(&sb);
}

static void
add_error(struct strbuf *sb, const char *who, json_object *e)
{
	json_object *reasons = jget(e, "reasons");
	struct strbuf r = STRBUF_INIT;
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; reasons && i < json_object_array_length(reasons); i++)
		strbuf_addf(&r, " %s",
			    json_object_get_string(
				json_object_array_get_idx(reasons, i)));
	/* the same reason bubbles up from task to step to VM: say it once */
	if (r.len && sb->len && strstr(strbuf_str(sb), strbuf_str(&r))) {
		strbuf_release(&r);
		return;
	}
	strbuf_addf(sb, "%s%s", sb->len ? "; " : "", who);
	if (jstr(e, "phase"))
		strbuf_addf(sb, " (phase %s)", jstr(e, "phase"));
	strbuf_addf(sb, ":%s", strbuf_str(&r));
	strbuf_release(&r);
}

char *
cl_failure(json_object *obj)
{
	struct strbuf sb = STRBUF_INIT;
	json_object *vms = status_vms(obj);
	size_t i, j, t;

	strbuf_adds(&sb, "");
	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i),
			    *pl = jget(vm, "pipeline");
		const char *vn =
		    jstr(vm, "name") ? jstr(vm, "name") : jstr(vm, "id");
		char *who;

		who = xasprintf("vm '%s'", vn ? vn : "?");
		add_error(&sb, who, jget(vm, "error"));
		free(who);
		for (j = 0; pl && j < json_object_array_length(pl); j++) {
			json_object *s = json_object_array_get_idx(pl, j),
				    *tasks = jget(s, "tasks");

			who = xasprintf("vm '%s' step %s", vn ? vn : "?",
					jstr(s, "name"));
			add_error(&sb, who, jget(s, "error"));
			free(who);
			for (t = 0;
			     tasks && t < json_object_array_length(tasks);
			     t++) {
				json_object *task =
				    json_object_array_get_idx(tasks, t);

				who = xasprintf("vm '%s' step %s task '%s'",
						vn ? vn : "?", jstr(s, "name"),
						jstr(task, "name"));
				add_error(&sb, who, jget(task, "error"));
				free(who);
			}
		}
	}
	cl_blockers(obj, &sb);
	return strbuf_detach(&sb);
}

const char *
cl_terminal(json_object *obj, const char *migration_uid)
{
	static const char *const ends[] = { "Succeeded", "Failed", "Canceled",
					    NULL };
	json_object *hist =
	    path_get(jget(obj, "status"), "migration", "history");
	size_t i;

	if (migration_uid && hist &&
	    json_object_is_type(hist, json_type_array) &&
	    json_object_array_length(hist) > 0) {
		json_object *h = json_object_array_get_idx(hist,
			json_object_array_length(hist) - 1);

		if (!str_eq(jstr(jget(h, "migration"), "uid"), migration_uid))
			return NULL;
	} else if (migration_uid && str_eq(cl_kind(obj), "Plan")) {
		return NULL;
	}
	for (i = 0; ends[i]; i++)
		if (cl_cond(obj, ends[i]))
			return ends[i];
	return NULL;
}

bool
cl_pod_log_xcopy(const char *log, char **disk, int *used)
{
	const char *p, *q;
	bool found = false;

	*disk = NULL;
	*used = -1;
	if (log == NULL)
		return false;
	/* the disk: source_vmdk="[ds] dir/file.vmdk" (klog quotes it) */
	if ((p = strstr(log, "source_vmdk=\"")) != NULL) {
		p += strlen("source_vmdk=\"");
		q = strchr(p, '"');
		if (q)
			*disk = xstrndup(p, (size_t)(q - p));
	}
	/* the last xcopyUsed=N wins */
	for (p = log; (p = strstr(p, "xcopyUsed=")) != NULL; p++) {
		const char *v = p + strlen("xcopyUsed=");

		if (*v == '"')
			v++;
		if (*v == '0' || *v == '1') {
			*used = *v - '0';
			found = true;
		}
	}
	return found;
}
