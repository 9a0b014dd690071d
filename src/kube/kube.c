/* kube.c: the Kubernetes/OpenShift client's life cycle (kubeconfig, OAuth
 * login or service account), resource paths, requests with retries and
 * one re-authentication, and the verbs: create or adopt, get, paged lists,
 * merge patch, delete, pod logs. One client per thread. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kube/kube_int.h"

#define PAGE_SIZE 500

/* ---- kinds and paths ---- */

static const struct kind {
	const char *kind, *prefix, *plural;
	bool namespaced;
} kinds[] = {
	{ "Namespace", "/api/v1", "namespaces", false },
	{ "Secret", "/api/v1", "secrets", true },
	{ "ConfigMap", "/api/v1", "configmaps", true },
	{ "Event", "/api/v1", "events", true },
	{ "Pod", "/api/v1", "pods", true },
	{ "Service", "/api/v1", "services", true },
	{ "ServiceAccount", "/api/v1", "serviceaccounts", true },
	{ "PersistentVolumeClaim", "/api/v1", "persistentvolumeclaims", true },
	{ "PersistentVolume", "/api/v1", "persistentvolumes", false },
	{ "Node", "/api/v1", "nodes", false },
	{ "StorageClass", "/apis/storage.k8s.io/v1", "storageclasses", false },
	{ "Provider", "/apis/forklift.konveyor.io/v1beta1", "providers", true },
	{ "NetworkMap", "/apis/forklift.konveyor.io/v1beta1", "networkmaps",
	  true },
	{ "StorageMap", "/apis/forklift.konveyor.io/v1beta1", "storagemaps",
	  true },
	{ "Plan", "/apis/forklift.konveyor.io/v1beta1", "plans", true },
	{ "Migration", "/apis/forklift.konveyor.io/v1beta1", "migrations",
	  true },
	{ "Hook", "/apis/forklift.konveyor.io/v1beta1", "hooks", true },
	{ "Host", "/apis/forklift.konveyor.io/v1beta1", "hosts", true },
	{ "ForkliftController", "/apis/forklift.konveyor.io/v1beta1",
	  "forkliftcontrollers", true },
	{ "VSphereXcopyVolumePopulator", "/apis/forklift.konveyor.io/v1beta1",
	  "vspherexcopyvolumepopulators", true },
	{ "VirtualMachine", "/apis/kubevirt.io/v1", "virtualmachines", true },
	{ "VirtualMachineInstance", "/apis/kubevirt.io/v1",
	  "virtualmachineinstances", true },
	{ "DataVolume", "/apis/cdi.kubevirt.io/v1beta1", "datavolumes", true },
	{ "StorageProfile", "/apis/cdi.kubevirt.io/v1beta1", "storageprofiles",
	  false },
	{ "CustomResourceDefinition", "/apis/apiextensions.k8s.io/v1",
	  "customresourcedefinitions", false },
	{ "ClusterServiceVersion", "/apis/operators.coreos.com/v1alpha1",
	  "clusterserviceversions", true },
	{ "NetworkAttachmentDefinition", "/apis/k8s.cni.cncf.io/v1",
	  "network-attachment-definitions", true },
	{ "Lease", "/apis/coordination.k8s.io/v1", "leases", true },
	{ "Job", "/apis/batch/v1", "jobs", true },
	{ "Route", "/apis/route.openshift.io/v1", "routes", true },
	{ "OAuthAccessToken", "/apis/oauth.openshift.io/v1",
	  "oauthaccesstokens", false },
};

char *
kube_path(const char *kind, const char *ns, const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	const struct kind *k = NULL;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds) && !k; i++)
		if (strcmp(kinds[i].kind, kind) == 0 ||
		    strcmp(kinds[i].plural, kind) == 0)
			k = &kinds[i];
	if (!k)
		return NULL;
	strbuf_adds(&sb, k->prefix);
	if (k->namespaced && ns && *ns) {
		char *e = url_encode(ns);

		strbuf_addf(&sb, "/namespaces/%s", e);
		free(e);
	}
	strbuf_addf(&sb, "/%s", k->plural);
	if (name && *name) {
		char *e = url_encode(name);

		strbuf_addf(&sb, "/%s", e);
		free(e);
	}
	return strbuf_detach(&sb);
}

/* ---- life cycle ---- */

static char *
normalize_server(const char *s)
{
	char *r = strstr(s, "://") ? xstrdup(s) : xasprintf("https://%s", s);

	while (str_endswith(r, "/"))
		r[strlen(r) - 1] = '\0';
	return r;
}

int
kube_connect(struct kube_client **out, const struct kube_opts *o,
	     struct mtv_err *err)
{
	struct kube_client *k = xcalloc(1, sizeof(*k));
	struct mtv_err e2 = { 0 };
	int r = MTV_EINTERNAL;

	*out = NULL;
	k->page_size = PAGE_SIZE;
	k->load = o->load;
	k->h = curl_easy_init();
	k->wh = curl_easy_init();
	if (!k->h || !k->wh) {
		r = err_set(err, MTV_EINTERNAL, "cannot create a curl handle");
		goto out;
	}
	if ((o->kubeconfig && *o->kubeconfig) ||
	    (getenv("KUBECONFIG") && *getenv("KUBECONFIG"))) {
		k->kubeconfig = o->kubeconfig && *o->kubeconfig
					? xstrdup(o->kubeconfig)
					: NULL;
		k->context = o->context ? xstrdup(o->context) : NULL;
		r = kube_conf_from_kubeconfig(&k->conf, k->kubeconfig,
					      k->context, k->load, err);
	} else if (o->server && *o->server && o->username && *o->username &&
		   o->password) {
		k->conf.server = normalize_server(o->server);
		k->conf.ca_file = o->ca_file ? xstrdup(o->ca_file) : NULL;
		k->conf.insecure = o->insecure;
		k->conf.origin = xstrdup("oauth");
		k->username = xstrdup(o->username);
		k->password = secret_new(secret_value(o->password));
		r = kube_oauth_login(k, err);
	} else {
		r = kube_conf_from_kubeconfig(&k->conf, NULL, o->context,
					      k->load, err);
		if (r == MTV_ENOTFOUND) {
			kube_conf_release(&k->conf);
			r = kube_conf_in_cluster(&k->conf, o->sa_dir, &e2);
			if (r == MTV_ENOTFOUND)
				r = err_set(
					err, MTV_EINVAL,
					"no cluster to talk to: give --kubeconfig, set KUBECONFIG, set cluster_host, cluster_username and cluster_password, or run in a pod");
			else if (r != 0)
				err_set(err, e2.code, "%s", e2.msg);
		}
	}
	if (r != 0)
		goto out;
	if (k->conf.exec) {
		r = kube_conf_exec(&k->conf, err);
		if (r != 0)
			goto out;
	}
	if (k->conf.insecure)
		log_warn(
			"kubernetes: TLS certificate of \"%s\" is not verified (insecure-skip-tls-verify)",
			k->conf.server);
	log_verbose("kubernetes: API server \"%s\" (%s)", k->conf.server,
		    k->conf.origin);
	*out = k;
	k = NULL;
	r = 0;
out:
	kube_free(k);
	return r;
}

void
kube_free(struct kube_client *k)
{
	if (!k)
		return;
	k->cancel = NULL; /* an interrupted run still revokes its token */
	if (k->h)
		kube_oauth_revoke(k);
	if (k->h)
		curl_easy_cleanup(k->h);
	if (k->wh)
		curl_easy_cleanup(k->wh);
	kube_conf_release(&k->conf);
	free(k->kubeconfig);
	free(k->context);
	free(k->username);
	secret_free(k->password);
	free(k);
}

const char *
kube_server(const struct kube_client *k)
{
	return k->conf.server;
}

const char *
kube_namespace(const struct kube_client *k)
{
	return k->conf.namespace;
}

void
kube_stats_get(const struct kube_client *k, struct kube_stats *out)
{
	*out = k->st;
}

void
kube_set_cancel(struct kube_client *k, volatile sig_atomic_t *flag)
{
	k->cancel = flag;
}

void
kube_set_page_size(struct kube_client *k, int n)
{
	k->page_size = n > 0 ? n : PAGE_SIZE;
}

/* ---- requests ---- */

int
kube_send(struct kube_client *k, const char *method, const char *path,
	  const char *ctype, const char *body, struct resp *rs,
	  struct mtv_err *err)
{
	char *url = xasprintf("%s%s", k->conf.server, path), *auth = NULL;
	bool reauthed = false;
	int attempt = 0, r = MTV_EINTERNAL, i;

	for (i = 0; i < 64; i++) {
		enum kube_retry act;
		long delay = 0;

		r = kube_token_refresh(k, err);
		if (r != 0)
			break;
		auth = kube_bearer(k);
		r = kube_perform(k, k->h, method, url, ctype, body, auth, NULL, NULL,
			    rs, 0, false, err);
		kube_header_free(auth);
		if (rs->status != 0 && rs->status != 401)
			reauthed = false; /* the token was not refused */
		act = kube_retry_decide(
			rs->status,
			r != 0 && r != MTV_EAUTH && r != MTV_ECANCELED,
			rs->retry_after, attempt, reauthed, &delay);
		if (act == KUBE_DONE)
			break;
		if (act == KUBE_REAUTH) {
			int rr = kube_reauth(k, err);

			reauthed = true;
			if (rr < 0) {
				r = rr;
				break;
			}
			if (rr > 0)
				break;
			continue;
		}
		attempt++;
		k->st.retries++;
		log_debug("kubernetes: %s \"%s\": %s, retry %d in %ld ms",
			  method, path, r ? err->msg : "server busy", attempt,
			  delay);
		if (rs->status)
			log_debug("kubernetes: HTTP %ld", rs->status);
		r = kube_backoff_sleep(k, delay, err);
		if (r != 0)
			break;
	}
	free(url);
	return r;
}

/* kube_send with a JSON body (may be NULL); *status (may be NULL) gets
 * the HTTP status. */
static int
send_json(struct kube_client *k, const char *method, const char *path,
	  const char *ctype, json_object *body, struct resp *rs, long *status,
	  struct mtv_err *err)
{
	const char *b = body ? json_object_to_json_string_ext(
				       body, JSON_C_TO_STRING_PLAIN)
			     : NULL;
	int r = kube_send(k, method, path, ctype, b, rs, err);

	if (status)
		*status = rs->status;
	return r;
}

int
kube_request(struct kube_client *k, const char *method, const char *path,
	     const char *content_type, json_object *body, long *status,
	     json_object **out, struct mtv_err *err)
{
	struct resp rs = { 0 };
	int r;

	if (out)
		*out = NULL;
	r = send_json(k, method, path,
		      body ? (content_type ? content_type : "application/json")
			   : NULL,
		      body, &rs, status, err);
	if (r == 0 && out)
		*out = kube_parse_body(&rs);
	kube_resp_release(&rs);
	return r;
}

int
kube_call(struct kube_client *k, const char *method, const char *path,
	  const char *ctype, json_object *body, json_object **out, long *status,
	  struct mtv_err *err)
{
	struct resp rs = { 0 };
	int r;

	if (out)
		*out = NULL;
	r = send_json(k, method, path, ctype, body, &rs, status, err);
	if (r == 0 && (rs.status < 200 || rs.status > 299) &&
	    (r = kube_status_err(method, path, &rs, err)) == MTV_ELOGIN)
		kube_login_refused(k, err);
	if (r == 0 && out) {
		*out = kube_parse_body(&rs);
		if (!*out && rs.body.len)
			r = err_set(err, MTV_EPROTO,
				    "%s \"%s\": the answer is not JSON", method,
				    path);
	}
	kube_resp_release(&rs);
	return r;
}

/* ---- verbs ---- */

const char *
kube_obj_name(json_object *obj)
{
	return jtext(jget(obj, "metadata"), "name");
}

int
kube_create(struct kube_client *k, const char *path, json_object *obj,
	    json_object **out, struct mtv_err *err)
{
	json_object *res = NULL;
	const char *name = kube_obj_name(obj);
	char *p;
	int r;

	if (out)
		*out = NULL;
	r = kube_call(k, "POST", path, "application/json", obj, &res, NULL, err);
	if (r == MTV_ECONFLICT && name) {
		struct mtv_err e2 = { 0 };
		char *en = url_encode(name);

		p = xasprintf("%s/%s", path, en);
		free(en);
		if (out && kube_get(k, p, out, &e2) != 0)
			log_debug("kubernetes: existing \"%s\": %s", p, e2.msg);
		err_set(err, MTV_ECONFLICT, "\"%s\" already exists (%s)", name,
			path);
		free(p);
		json_object_put(res);
		return MTV_ECONFLICT;
	}
	if (r == 0 && out)
		*out = res;
	else
		json_object_put(res);
	return r;
}

int
kube_create_or_adopt(struct kube_client *k, const char *path, json_object *obj,
		     const char *label, const char *value, json_object **out,
		     struct mtv_err *err)
{
	json_object *existing = NULL;
	int r;

	if (out)
		*out = NULL;
	r = kube_create(k, path, obj, &existing, err);
	if (r != MTV_ECONFLICT) {
		if (out)
			*out = existing;
		else
			json_object_put(existing);
		return r;
	}
	if (str_eq(jtext(jget(jget(existing, "metadata"), "labels"), label),
		   value)) {
		log_debug("kubernetes: adopting existing \"%s\" in \"%s\"",
			  kube_obj_name(obj), path);
		err_clear(err);
		if (out)
			*out = existing;
		else
			json_object_put(existing);
		return 0;
	}
	json_object_put(existing);
	return err_set(
		err, MTV_ECONFLICT,
		"\"%s\" already exists in \"%s\" and is not ours (label \"%s\" is not \"%s\")",
		kube_obj_name(obj), path, label, value);
}

int
kube_get(struct kube_client *k, const char *path, json_object **out,
	 struct mtv_err *err)
{
	return kube_call(k, "GET", path, NULL, NULL, out, NULL, err);
}

int
kube_list_all(struct kube_client *k, const char *path,
	      const char *label_selector, const char *field_selector,
	      json_object **items, char **rv, struct mtv_err *err)
{
	json_object *all = json_object_new_array(), *page = NULL, *v, *meta;
	char *cont = NULL, *url = NULL;
	int r = 0, pages, restarts = 0;

	*items = NULL;
	if (rv)
		*rv = NULL;
	for (pages = 0; pages < 100000; pages++) {
		long status = 0;
		size_t i;

		url = kube_list_url(path, label_selector, field_selector,
				    k->page_size, cont);
		r = kube_call(k, "GET", url, NULL, NULL, &page, &status, err);
		free(url);
		if (r != 0 && status == 410 && cont && restarts++ < 3) {
			/* the continue token expired: start over */
			free(cont);
			cont = NULL;
			json_object_put(all);
			all = json_object_new_array();
			if (rv) {
				free(*rv);
				*rv = NULL;
			}
			continue;
		}
		if (r != 0)
			break;
		v = jget(page, "items");
		for (i = 0; i < jlen(v); i++)
			json_object_array_add(
				all,
				json_object_get(json_object_array_get_idx(v, i)));
		free(cont);
		cont = NULL;
		meta = jget(page, "metadata");
		if (rv && !*rv && jtext(meta, "resourceVersion"))
			*rv = xstrdup(jtext(meta, "resourceVersion"));
		if (jtext(meta, "continue") && *jtext(meta, "continue"))
			cont = xstrdup(jtext(meta, "continue"));
		json_object_put(page);
		page = NULL;
		if (!cont)
			break;
	}
	free(cont);
	if (r == 0) {
		*items = all;
		all = NULL;
	} else if (rv) {
		free(*rv);
		*rv = NULL;
	}
	json_object_put(all);
	return r;
}

int
kube_list(struct kube_client *k, const char *path, const char *label_selector,
	  json_object **out, struct mtv_err *err)
{
	return kube_list_all(k, path, label_selector, NULL, out, NULL, err);
}

int
kube_list_fields(struct kube_client *k, const char *path,
		 const char *label_selector, const char *field_selector,
		 json_object **out, struct mtv_err *err)
{
	return kube_list_all(k, path, label_selector, field_selector, out, NULL,
			err);
}

int
kube_patch_merge(struct kube_client *k, const char *path, json_object *patch,
		 json_object **out, struct mtv_err *err)
{
	return kube_call(k, "PATCH", path, "application/merge-patch+json", patch,
		    out, NULL, err);
}

int
kube_delete(struct kube_client *k, const char *path, const char *propagation,
	    struct mtv_err *err)
{
	char *p = propagation ? xasprintf("%s%cpropagationPolicy=%s", path,
					  strchr(path, '?') ? '&' : '?',
					  propagation)
			      : xstrdup(path);
	long status = 0;
	int r;

	r = kube_call(k, "DELETE", p, NULL, NULL, NULL, &status, err);
	if (r == MTV_ENOTFOUND) {
		err_clear(err);
		r = 0;
	}
	free(p);
	return r;
}

int
kube_pod_log(struct kube_client *k, const char *ns, const char *pod, char **out,
	     struct mtv_err *err)
{
	return kube_pod_log_tail(k, ns, pod, NULL, 0, out, err);
}

int
kube_pod_log_tail(struct kube_client *k, const char *ns, const char *pod,
		  const char *container, int tail_lines, char **out,
		  struct mtv_err *err)
{
	char *path = kube_path("Pod", ns, pod), *p;
	struct strbuf sb = STRBUF_INIT;
	struct resp rs = { 0 };
	int r;

	*out = NULL;
	strbuf_addf(&sb, "%s/log", path);
	if (container && *container)
		kube_add_param(&sb, "container", container);
	if (tail_lines > 0)
		strbuf_addf(&sb, "%ctailLines=%d",
			    strchr(strbuf_str(&sb), '?') ? '&' : '?',
			    tail_lines);
	p = strbuf_detach(&sb);
	r = kube_send(k, "GET", p, NULL, NULL, &rs, err);
	if (r == 0 && rs.status != 200 &&
	    (r = kube_status_err("GET", p, &rs, err)) == MTV_ELOGIN)
		kube_login_refused(k, err);
	if (r == 0)
		*out = xstrdup(strbuf_str(&rs.body));
	kube_resp_release(&rs);
	free(p);
	free(path);
	return r;
}

