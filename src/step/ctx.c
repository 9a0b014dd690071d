/* ctx.c: per-thread drivers and their options (profile and environment),
 * run state, cancellation and deadlines. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/step.h"
#include "config/profile.h"
#include "doc/doc.h"
#include "kube/kube.h"
#include "vsphere/vsphere.h"

/* ---- driver options ---- */

/* A non-empty environment variable, or NULL. */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static bool
truthy(const char *s)
{
	return s && (str_eq(s, "1") || str_eq(s, "true") || str_eq(s, "yes") ||
		     str_eq(s, "True") || str_eq(s, "TRUE"));
}

/* A profile flag: a boolean, or a string such as "true" (--set). */
static bool
flag(json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		return truthy(json_object_get_string(v));
	return json_object_get_boolean(v);
}

void
step_vs_opts(struct vs_opts *o, const struct mtv_profile *p)
{
	json_object *data = p ? p->data : NULL, *v;
	const char *pw, *s;

	memset(o, 0, sizeof(*o));
	/* the profile first, GOVC_* as defaults (govc's names) */
	o->url = jstr(data, "api_url") ? jstr(data, "api_url")
				       : env("GOVC_URL");
	o->username = jstr(data, "username") ? jstr(data, "username")
					     : env("GOVC_USERNAME");
	pw = jstr(data, "password");
	if (pw && str_startswith(pw, "((secret:"))
		pw = profile_secret(p, pw);
	o->password = secret_new(pw ? pw : env("GOVC_PASSWORD"));
	o->ca_file = jstr(data, "ca_file") ? jstr(data, "ca_file")
					   : env("GOVC_TLS_CA_CERTS");
	o->thumbprint = jstr(data, "thumbprint")
				? jstr(data, "thumbprint")
				: env("GOVC_TLS_KNOWN_HOSTS_THUMBPRINT");
	if ((v = jget(data, "insecure")) != NULL)
		o->insecure = flag(v);
	else if ((s = env("GOVC_INSECURE")) != NULL)
		o->insecure = truthy(s);
}

/* A non-empty environment variable, else the profile's key. */
static const char *
env_or_profile(const char *name, const struct mtv_profile *p,
	       const char *key)
{
	return env(name) ? env(name) : profile_str(p, key);
}

/* Kubeconfig files are YAML or JSON: the document loader reads them. */
static int
kubeconfig_load(json_object **out, const char *path, struct mtv_err *err)
{
	struct mtv_diags diags = { 0 };
	struct mtv_doc *doc = NULL;
	int r;

	*out = NULL;
	r = doc_load_file(&doc, path, &diags);
	if (r != 0)
		r = err_set(err, MTV_EINVAL, "%s",
			    diags.n ? diags.v[0].msg : "syntax error");
	else
		*out = json_object_get(doc_root(doc));
	doc_free(doc);
	diags_release(&diags);
	return r;
}

void
step_kube_opts(struct kube_opts *o, const struct mtv_profile *p,
	       const char *kubeconfig, const char *context)
{
	const char *pw, *insecure;

	memset(o, 0, sizeof(*o));
	o->load = kubeconfig_load;
	/* $KUBECONFIG is a list: kube_connect reads it when this is NULL */
	o->kubeconfig = kubeconfig && *kubeconfig ? kubeconfig : NULL;
	o->context = context && *context ? context : NULL;
	/* CLUSTER_* first, the profile's cluster_* keys as defaults */
	o->server = env_or_profile("CLUSTER_HOST", p, "cluster_host");
	o->username = env_or_profile("CLUSTER_USERNAME", p,
				     "cluster_username");
	pw = env_or_profile("CLUSTER_PASSWORD", p, "cluster_password");
	if (pw && *pw)
		o->password = secret_new(pw);
	o->ca_file = env_or_profile("CLUSTER_CA_FILE", p, "cluster_ca_file");
	insecure = env("CLUSTER_INSECURE");
	if (insecure)
		o->insecure = str_eq(insecure, "true") || str_eq(insecure, "1");
	else if (p)
		o->insecure = flag(jget(p->data, "insecure_verify_skip"));
	if (o->server && (!o->username || !o->password) && !o->kubeconfig &&
	    !env("KUBECONFIG"))
		log_debug(
			"cluster_host \"%s\" without cluster_username/cluster_password: using the kubeconfig",
			o->server);
}

/* Credentials an endpoint refused (MTV_ELOGIN), for the whole process:
 * nobody tries them again, so that a wrong password cannot lock the
 * account (vCenter SSO locks it after a few failures). */
enum { REFUSED_VSPHERE, REFUSED_CLUSTER, REFUSED_N };
static pthread_mutex_t refused_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mtv_err refused[REFUSED_N];

/* The refusal already seen for endpoint which, copied into err, or 0. */
static int
refused_get(int which, struct mtv_err *err)
{
	int r;

	pthread_mutex_lock(&refused_lock);
	r = refused[which].code;
	if (r != 0 && err)
		*err = refused[which];
	pthread_mutex_unlock(&refused_lock);
	return r;
}

/* Remember a refusal (r is the connect's result); returns r. */
static int
refused_note(int which, int r, const struct mtv_err *err)
{
	if (r != MTV_ELOGIN || err == NULL)
		return r;
	pthread_mutex_lock(&refused_lock);
	if (refused[which].code == 0)
		refused[which] = *err;
	pthread_mutex_unlock(&refused_lock);
	return r;
}

/* One connection per endpoint and thread, reused for the whole run. */
static struct driver_slot *
slot_for_thread(struct drivers *d)
{
	pthread_t self = pthread_self();
	size_t i;

	for (i = 0; i < d->n; i++)
		if (pthread_equal(d->slots[i].tid, self))
			return &d->slots[i];
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 4;
		d->slots = xrealloc(d->slots, d->cap * sizeof(*d->slots));
	}
	memset(&d->slots[d->n], 0, sizeof(d->slots[d->n]));
	d->slots[d->n].tid = self;
	return &d->slots[d->n++];
}

int
step_vsphere(struct step_ctx *ctx, struct vs_client **out, struct mtv_err *err)
{
	struct drivers *d = ctx->drivers;
	struct driver_slot *s;
	struct vs_opts o;
	int r;

	pthread_mutex_lock(&d->lock);
	s = slot_for_thread(d);
	if (s->vs) {
		*out = s->vs;
		pthread_mutex_unlock(&d->lock);
		/* the teardown waits on another flag than the steps */
		vs_set_cancel(*out, ctx->canceled, ctx->abandoned);
		return 0;
	}
	pthread_mutex_unlock(&d->lock);
	if ((r = refused_get(REFUSED_VSPHERE, err)) != 0)
		return r;
	step_vs_opts(&o, ctx->profile);
	r = vs_connect(out, &o, err);
	secret_free((struct secret *)o.password);
	if (r == MTV_EAUTH && err && !o.insecure &&
	    !(o.ca_file && *o.ca_file) && !(o.thumbprint && *o.thumbprint)) {
		/* a self-signed vCenter: say which profile keys fix it */
		char *m = xstrdup(err->msg);

		err_set(err, r, "%s; set ca_file (the PEM of vCenter's CA), "
			"thumbprint (SHA-1 or SHA-256 of its certificate) or "
			"insecure: true in profile '%s'", m,
			ctx->profile ? ctx->profile->name : "?");
		free(m);
	}
	if (r != 0)
		return refused_note(REFUSED_VSPHERE, r, err);
	vs_set_cancel(*out, ctx->canceled, ctx->abandoned);
	pthread_mutex_lock(&d->lock);
	slot_for_thread(d)->vs = *out;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int
step_kube(struct step_ctx *ctx, struct kube_client **out, struct mtv_err *err)
{
	struct drivers *d = ctx->drivers;
	struct driver_slot *s;
	struct kube_opts o;
	int r;

	pthread_mutex_lock(&d->lock);
	s = slot_for_thread(d);
	if (s->kube) {
		*out = s->kube;
		pthread_mutex_unlock(&d->lock);
		kube_set_cancel(*out, ctx->canceled);
		return 0;
	}
	pthread_mutex_unlock(&d->lock);
	if ((r = refused_get(REFUSED_CLUSTER, err)) != 0)
		return r;
	step_kube_opts(&o, ctx->profile, ctx->opts->kubeconfig,
		       ctx->opts->context);
	r = kube_connect(out, &o, err);
	secret_free((struct secret *)o.password);
	if (r != 0)
		return refused_note(REFUSED_CLUSTER, r, err);
	/* an interrupt ends requests and waits at once */
	kube_set_cancel(*out, ctx->canceled);
	pthread_mutex_lock(&d->lock);
	slot_for_thread(d)->kube = *out;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

void
drivers_init(struct drivers *d)
{
	memset(d, 0, sizeof(*d));
	pthread_mutex_init(&d->lock, NULL);
}

void
drivers_release(struct drivers *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		vs_free(d->slots[i].vs);
		kube_free(d->slots[i].kube);
	}
	free(d->slots);
	pthread_mutex_destroy(&d->lock);
	memset(d, 0, sizeof(*d));
}

bool
step_should_stop(struct step_ctx *ctx, struct mtv_err *err)
{
	if (ctx->canceled && *ctx->canceled) {
		err_set(err, MTV_ECANCELED, "interrupted");
		return true;
	}
	if (ctx->deadline_ms && clock_ms() >= ctx->deadline_ms) {
		err_set(err, MTV_ETIMEOUT, "the scenario's timeout ran out");
		return true;
	}
	return false;
}

int
step_time_left(struct step_ctx *ctx)
{
	long long left;

	if (ctx->deadline_ms == 0)
		return 86400;
	left = (ctx->deadline_ms - clock_ms()) / 1000;
	return left < 1 ? 1 : (int)left;
}

void
state_set(struct step_ctx *ctx, const char *section, const char *key,
	  json_object *val)
{
	json_object *sec = NULL;

	pthread_mutex_lock(&ctx->lock);
	if (!json_object_object_get_ex(ctx->state, section, &sec)) {
		sec = json_object_new_object();
		json_object_object_add(ctx->state, section, sec);
	}
	json_object_object_add(sec, key, val);
	pthread_mutex_unlock(&ctx->lock);
}

json_object *
state_get(struct step_ctx *ctx, const char *section, const char *key)
{
	json_object *sec = NULL, *v = NULL;

	pthread_mutex_lock(&ctx->lock);
	if (json_object_object_get_ex(ctx->state, section, &sec))
		json_object_object_get_ex(sec, key, &v);
	pthread_mutex_unlock(&ctx->lock);
	return v;
}
