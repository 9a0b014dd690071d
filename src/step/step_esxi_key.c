/* step_esxi_key.c: the 'esxi-key' step (ssh clone method): read Forklift's
 * public key from offload-ssh-keys-<provider>-public, log in to the ESXi
 * host with its host key verified, and append the restricted-command line
 * once; the undo removes exactly that line and nothing else. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"
#include "esxi/esxi.h"
#include "step/journal.h"

struct keyw {
	char *pub;
};

static int
key_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct keyw *w = arg;
	const char *b64 = jstr(jget(obj, "data"), "public-key");
	unsigned char *raw = NULL;
	size_t len = 0;

	if (strcmp(type, "DELETED") == 0 || b64 == NULL)
		return 0;
	if (b64_decode(&raw, &len, b64) != 0)
		return err_set(err, MTV_EPROTO,
			       "secret '%s': public-key is not base64",
			       cl_name(obj));
	w->pub = xstrndup((const char *)raw, len);
	free(raw);
	return 1;
}

/* Fill o from params; the password (a placeholder) becomes a secret. */
static int
opts_from(struct step_ctx *ctx, json_object *p, struct esxi_opts *o,
	  struct secret **pw, struct mtv_err *err)
{
	const char *ref = jstr(p, "password");

	memset(o, 0, sizeof(*o));
	*pw = NULL;
	o->host = jstr(p, "host");
	o->port = (int)jint(p, "port");
	o->user = jstr(p, "user");
	o->private_key_file = jstr(p, "private_key_file");
	o->known_hosts = jstr(p, "known_hosts");
	o->fingerprint = jstr(p, "fingerprint");
	o->accept_unknown = jbool(p, "accept_unknown");
	o->authorized_keys = jstr(p, "authorized_keys");
	if (ref && *ref) {
		const char *v = str_startswith(ref, "((secret:") ?
			profile_secret(ctx->profile, ref) : NULL;

		if (v == NULL)
			return err_set(
			    err, MTV_EINVAL,
			    "ESXi password '%s' is not set in the profile",
			    ref);
		*pw = secret_new(v);
		o->password = *pw;
	}
	return 0;
}

static int
exec_esxi_key(struct step_ctx *ctx, json_object *step, json_object **undo,
	      struct mtv_err *err)
{
	json_object *p = jget(step, "params");
	const char *prov = jstr(p, "provider"), *ns = jstr(p, "namespace");
	struct kube_client *k = NULL;
	struct keyw w = { NULL };
	struct esxi_opts o;
	struct secret *pw = NULL;
	char *name = NULL, *path = NULL, *fs = NULL, *line = NULL;
	bool added = false;
	int r;

	if (ns == NULL)
		ns = ctx->ns;
	r = opts_from(ctx, p, &o, &pw, err);
	if (r != 0)
		goto out;
	r = step_kube(ctx, &k, err);
	if (r != 0)
		goto out;
	/* Forklift makes the key pair when it reconciles the Provider */
	name = xasprintf("offload-ssh-keys-%s-public", prov ? prov : "");
	path = kube_path("Secret", ns, NULL);
	fs = xasprintf("metadata.name=%s", name);
	r = cl_wait(ctx, k, path, fs, NULL, 120, key_fn, &w, err);
	if (r != 0) {
		err_prefix(err,
			   "secret '%s' (Forklift's SSH key of provider '%s')",
			   name, prov ? prov : "?");
		goto out;
	}
	line = esxi_restricted_line(w.pub);
	/* the line is Forklift's key of this run's provider: recorded
	 * before it is added, so that a killed run's cleanup removes it */
	*undo = json_object_new_object();
	json_object_object_add(*undo, "line", json_object_new_string(line));
	step_journal_add(ctx, step, *undo);
	r = esxi_key_add(&o, line, &added, err);
	if (r != 0)
		goto out;
	if (added) {
		log_info(
		    "ESXi '%s': restricted copy-offload key of provider '%s' installed",
		    o.host, prov);
	} else {
		json_object_put(*undo);
		*undo = NULL;
		step_journal_add(ctx, step, NULL);
		log_info(
		    "ESXi '%s': the restricted key of provider '%s' was already there "
		    "(left in place)",
		    o.host, prov);
	}
out:
	secret_free(pw);
	free(line);
	free(w.pub);
	free(fs);
	free(path);
	free(name);
	return r;
}

static int
undo_esxi_key(struct step_ctx *ctx, json_object *step, json_object *undo,
	      struct mtv_err *err)
{
	struct esxi_opts o;
	struct secret *pw = NULL;
	int r;

	if (undo == NULL || jstr(undo, "line") == NULL)
		return 0;
	r = opts_from(ctx, jget(step, "params"), &o, &pw, err);
	if (r == 0)
		r = esxi_key_remove(&o, jstr(undo, "line"), err);
	if (r == 0)
		log_verbose("ESXi '%s': restricted key removed", o.host);
	secret_free(pw);
	return r;
}

/* The esxi-key params for provider in ns from the profile p (caller
 * puts). */
static json_object *
key_params(const struct mtv_profile *p, const char *provider, const char *ns)
{
	const char *ak = profile_co(p, "esxi_authorized_keys_path");
	json_object *port = jget(jget(p->data, "copyoffload"), "esxi_port"),
		    *pa = json_object_new_object();

	jputs(pa, "provider", provider);
	jputs(pa, "namespace", ns);
	jputs(pa, "host", profile_co(p, "esxi_host"));
	jputi(pa, "port", port ? json_object_get_int(port) : 22);
	jputs(pa, "user", profile_co(p, "esxi_user"));
	jputs(pa, "password", profile_co(p, "esxi_password") ?
	      "((secret:copyoffload.esxi_password))" : NULL);
	jputs(pa, "private_key_file", profile_co(p, "esxi_private_key_file"));
	jputs(pa, "known_hosts", profile_co(p, "esxi_known_hosts"));
	jputs(pa, "fingerprint", profile_co(p, "esxi_host_key_fingerprint"));
	jputs(pa, "authorized_keys",
	      ak ? ak : "/etc/ssh/keys-root/authorized_keys");
	return pa;
}

/* Copy-offload with esxi_clone_method ssh: Forklift's key on the host. */
static void
plan_esxi_key(struct mtv_model *m, const struct step_at *at)
{
	const char *host = profile_co(m->p, "esxi_host");
	struct model_step st = { .plan = -1, .object = host };
	char *undo;

	(void)at;
	if (!m->any_co || !str_eq(profile_co(m->p, "esxi_clone_method"), "ssh"))
		return;
	undo = xasprintf("remove the key of %s from ESXi %s", m->src_provider,
			 host ? host : "?");
	st.undo = undo;
	st.params = key_params(m->p, m->src_provider, m->ns);
	step_plan_add(m, at->kind, &st, "install the SSH key of %s on "
		      "ESXi %s", m->src_provider, host ? host : "?");
	free(undo);
}

/* Remove the line of one public-key Secret from the ESXi host. */
static void
sweep_key(struct step_ctx *ctx, struct step_sweep *sw, json_object *sec)
{
	const char *name = cl_name(sec), *ns = cl_ns(sec);
	const char *b64 = jstr(jget(sec, "data"), "public-key");
	size_t pl = strlen("offload-ssh-keys-"), nl = strlen(name);
	char *prov = xstrndup(name + pl, nl - pl - strlen("-public"));
	json_object *pa = key_params(ctx->profile, prov, ns);
	unsigned char *raw = NULL;
	char *pub = NULL, *line = NULL, *what;
	struct esxi_opts o;
	struct secret *pw = NULL;
	struct mtv_err e = { 0 };
	size_t len = 0;

	what = xasprintf("ESXi %s: key line of provider %s/%s",
			 jstr(pa, "host") ? jstr(pa, "host") : "?", ns, prov);
	if (b64 == NULL || b64_decode(&raw, &len, b64) != 0) {
		step_sweep_note(sw, false, what, "its public key is unreadable");
		goto out;
	}
	pub = xstrndup((const char *)raw, len);
	line = esxi_restricted_line(pub);
	if (opts_from(ctx, pa, &o, &pw, &e) == 0 &&
	    esxi_key_remove(&o, line, &e) == 0)
		step_sweep_note(sw, true, what, NULL);
	else
		step_sweep_note(sw, false, what, e.msg);
out:
	secret_free(pw);
	json_object_put(pa);
	free(raw);
	free(pub);
	free(line);
	free(prov);
	free(what);
}

int
step_sweep_esxi(struct step_ctx *ctx, struct step_sweep *sw,
		struct mtv_err *err)
{
	struct kube_client *k = NULL;
	json_object *nss = NULL, *items = NULL;
	char *sel = xasprintf("%s=%s", CL_RUN_LABEL, ctx->run_id);
	char *path = kube_path("Namespace", NULL, NULL);
	size_t i, j;
	int r;

	if (ctx->profile == NULL ||
	    !str_eq(profile_co(ctx->profile, "esxi_clone_method"), "ssh") ||
	    profile_co(ctx->profile, "esxi_host") == NULL) {
		r = 0;
		goto out;
	}
	r = step_kube(ctx, &k, err);
	if (r == 0)
		r = kube_list(k, path, sel, &nss, err);
	for (i = 0; r == 0 && i < jlen(nss); i++) {
		char *sp = kube_path("Secret",
				     cl_name(json_object_array_get_idx(nss, i)),
				     NULL);

		if (kube_list(k, sp, NULL, &items, err) == 0) {
			for (j = 0; j < jlen(items); j++) {
				json_object *s =
				    json_object_array_get_idx(items, j);

				if (str_startswith(cl_name(s),
						   "offload-ssh-keys-") &&
				    str_endswith(cl_name(s), "-public") &&
				    strlen(cl_name(s)) > 24)
					sweep_key(ctx, sw, s);
			}
		}
		json_object_put(items);
		items = NULL;
		free(sp);
	}
out:
	json_object_put(nss);
	free(path);
	free(sel);
	return r;
}

static const struct step_param esxi_key_params[] = {
	{ "provider", PT_STRING, true, "the source Provider" },
	{ "namespace", PT_STRING, true, "its namespace" },
	{ "host", PT_STRING | PT_NULL, true, "ESXi host" },
	{ "port", PT_INT, true, "SSH port" },
	{ "user", PT_STRING | PT_NULL, true, "SSH user" },
	{ "password", PT_STRING | PT_NULL, true, "password placeholder" },
	{ "private_key_file", PT_STRING | PT_NULL, true, "SSH key file" },
	{ "known_hosts", PT_STRING | PT_NULL, true, "known_hosts file" },
	{ "fingerprint", PT_STRING | PT_NULL, true, "host key fingerprint" },
	{ "authorized_keys", PT_STRING, true, "authorized_keys path on ESXi" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_esxi_key = {
	.name = "esxi-key",
	.summary = "install Forklift's restricted SSH key on the ESXi host",
	.flags = STEP_CLUSTER,
	.params = esxi_key_params,
	.plan = plan_esxi_key,
	.exec = exec_esxi_key,
	.undo = undo_esxi_key,
};
