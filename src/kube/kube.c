/* kube.c: the Kubernetes/OpenShift REST client: requests with retries and
 * re-authentication, CRUD, paged lists, list+watch waits, OpenShift OAuth
 * login and token revocation. One client per thread. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "kube/kube_int.h"

#define BODY_MAX (256L * 1024 * 1024)
#define PAGE_SIZE 500
#define WATCH_MAX_S 300
#define MAX_TRANSPORT_RETRIES 5
#define MAX_STATUS_RETRIES 8

struct kube_client {
	CURL *h;			/* requests */
	CURL *wh;			/* watch streams */
	struct kube_conf conf;
	char *kubeconfig, *context;	/* to re-read after a 401 */
	char *username;
	struct secret *password;
	int page_size;
	volatile sig_atomic_t *cancel;	/* set by SIGINT/SIGTERM handlers */
	bool oauth_system_roots;	/* OAuth server: system CAs first */
	struct kube_stats st;
	char errbuf[CURL_ERROR_SIZE];
};

struct resp {
	long status;
	struct strbuf body;
	char *retry_after;
};

/* ---- pure helpers ---- */

static long
backoff_ms(int attempt)
{
	long d = 200;

	while (attempt-- > 0 && d < 5000)
		d *= 2;
	return d > 5000 ? 5000 : d;
}

enum kube_retry
kube_retry_decide(long status, bool transport_error, const char *retry_after,
		  int attempt, bool reauthed, long *delay_ms)
{
	long ra = -1;

	*delay_ms = 0;
	if (retry_after && *retry_after) {
		char *end = NULL;

		errno = 0;
		ra = strtol(retry_after, &end, 10);
		if (errno || end == retry_after || *end || ra < 0)
			ra = -1;
		else if (ra > 60)
			ra = 60;
	}
	if (transport_error) {
		if (attempt >= MAX_TRANSPORT_RETRIES)
			return KUBE_DONE;
		*delay_ms = backoff_ms(attempt);
		return KUBE_RETRY;
	}
	if (status == 401)
		return reauthed ? KUBE_DONE : KUBE_REAUTH;
	if (status == 429 || status == 500 || status == 502 || status == 503 ||
	    status == 504) {
		if (attempt >= MAX_STATUS_RETRIES)
			return KUBE_DONE;
		*delay_ms = ra >= 0 ? ra * 1000 : backoff_ms(attempt);
		return KUBE_RETRY;
	}
	return KUBE_DONE;
}

/* Append key=url_encode(val) with '?' or '&'. */
static void
add_param(struct strbuf *sb, const char *key, const char *val)
{
	char *e = url_encode(val);

	strbuf_addf(sb, "%c%s=%s", strchr(strbuf_str(sb), '?') ? '&' : '?', key,
		    e);
	free(e);
}

char *
kube_list_url(const char *path, const char *label_selector,
	      const char *field_selector, int limit, const char *cont)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, path);
	if (label_selector && *label_selector)
		add_param(&sb, "labelSelector", label_selector);
	if (field_selector && *field_selector)
		add_param(&sb, "fieldSelector", field_selector);
	if (limit > 0)
		strbuf_addf(&sb, "%climit=%d",
			    strchr(strbuf_str(&sb), '?') ? '&' : '?', limit);
	if (cont && *cont)
		add_param(&sb, "continue", cont);
	return strbuf_detach(&sb);
}

char *
kube_oauth_token_name(const char *token)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char *b, *p, *name;

	if (str_startswith(token, "sha256~"))
		token += 7;
	if (!EVP_Digest(token, strlen(token), md, &mdlen, EVP_sha256(), NULL))
		BUG("sha256 failed");
	b = b64_encode(md, mdlen);
	for (p = b; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=')
			*p = '\0';
	}
	name = xasprintf("sha256~%s", b);
	free(b);
	return name;
}

/* Value of key in an a=b&c=d string, URL-decoded, or NULL. */
static char *
form_get(const char *s, const char *key)
{
	size_t kl = strlen(key);
	const char *p = s;

	while (p && *p) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			int outlen = 0;
			char *raw = xstrndup(p + kl + 1, len - kl - 1);
			char *dec;

			for (char *q = raw; *q; q++)
				if (*q == '+')
					*q = ' ';
			dec = curl_easy_unescape(NULL, raw, 0, &outlen);
			free(raw);
			if (dec) {
				char *r = xstrndup(dec, (size_t)outlen);

				curl_free(dec);
				return r;
			}
			return NULL;
		}
		p = end ? end + 1 : NULL;
	}
	return NULL;
}

char *
kube_oauth_parse_location(const char *location, char **error)
{
	const char *hash = strchr(location, '#'), *q = strchr(location, '?');
	char *tok = NULL, *e = NULL, *d = NULL, *query = NULL;

	*error = NULL;
	if (hash) {
		tok = form_get(hash + 1, "access_token");
		if (tok && *tok) {
			redact_add(tok);
			return tok;
		}
		free(tok);
	}
	if (q && (!hash || q < hash)) {
		query = hash ? xstrndup(q + 1, (size_t)(hash - q - 1))
			     : xstrdup(q + 1);
		e = form_get(query, "error");
		d = form_get(query, "error_description");
		if (e)
			*error = d ? xasprintf("%s: %s", e, d) : xstrdup(e);
		free(e);
		free(d);
		free(query);
	}
	return NULL;
}

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

/* ---- transport ---- */

static int
trace_cb(CURL *h, curl_infotype type, char *data, size_t size, void *arg)
{
	const char *dir;
	char *text, *p, *q;
	size_t n = size;

	(void)arg;
	switch (type) {
	case CURLINFO_TEXT:
		dir = "*";
		break;
	case CURLINFO_HEADER_IN:
		dir = "<";
		break;
	case CURLINFO_HEADER_OUT:
		dir = ">";
		break;
	case CURLINFO_DATA_IN:
		dir = "<<";
		break;
	case CURLINFO_DATA_OUT:
		dir = ">>";
		break;
	default:
		return 0;
	}
	if (type == CURLINFO_DATA_IN || type == CURLINFO_DATA_OUT) {
		char *url = NULL;

		/* Secret bodies carry credentials nobody registered with the
		 * redactor (Forklift's SSH private keys, per-disk secrets) */
		curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &url);
		if (url && strstr(url, "/secrets")) {
			log_trace("%s [%zu bytes of a Secret body not shown]", dir, size);
			return 0;
		}
	}
	if (n > 2048)
		n = 2048;
	/* header blocks end lines with CRLF: keep the lines, drop the CRs */
	text = xstrndup(data, n);
	for (p = q = text; *p; p++)
		if (*p != '\r')
			*q++ = *p;
	*q = '\0';
	while (q > text && q[-1] == '\n')
		*--q = '\0';
	log_trace("%s %s%s", dir, text, size > 2048 ? " [...]" : "");
	free(text);
	return 0;
}

static size_t
body_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct resp *rs = arg;
	size_t n = size * nmemb;

	if (rs->body.len + n > (size_t)BODY_MAX)
		return 0;
	strbuf_add(&rs->body, data, n);
	return n;
}

static size_t
header_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct resp *rs = arg;
	size_t n = size * nmemb, len = n;

	if (n > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
		const char *v = data + 12;

		while (len > 0 &&
		       (data[len - 1] == '\r' || data[len - 1] == '\n'))
			len--;
		while (v < data + len && *v == ' ')
			v++;
		free(rs->retry_after);
		rs->retry_after = xstrndup(v, (size_t)(data + len - v));
	}
	return n;
}

static void
resp_reset(struct resp *rs)
{
	rs->status = 0;
	strbuf_reset(&rs->body);
	free(rs->retry_after);
	rs->retry_after = NULL;
}

static void
resp_release(struct resp *rs)
{
	strbuf_release(&rs->body);
	free(rs->retry_after);
	memset(rs, 0, sizeof(*rs));
}

/* Stops a transfer when the run is interrupted. */
static int
xfer_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
	curl_off_t ulnow)
{
	struct kube_client *k = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return k->cancel && *k->cancel ? 1 : 0;
}

/* A client certificate or key: PEM data, else a file. */
static void
set_pem(CURL *h, CURLoption blob_opt, CURLoption type_opt, CURLoption file_opt,
	unsigned char *data, size_t len, const char *file)
{
	if (data) {
		struct curl_blob b = { data, len, CURL_BLOB_COPY };

		curl_easy_setopt(h, blob_opt, &b);
		curl_easy_setopt(h, type_opt, "PEM");
	} else if (file) {
		curl_easy_setopt(h, file_opt, file);
	}
}

/* TLS and connection options of a handle from the current settings. */
static void
handle_setup(struct kube_client *k, CURL *h, bool oauth)
{
	const struct kube_conf *c = &k->conf;
	bool insecure = c->insecure;

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, k->errbuf);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT,
			 PACKAGE_NAME "/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, insecure ? 0L : 2L);
	if (oauth && k->oauth_system_roots) {
		/* the OAuth route often has the ingress certificate */
	} else if (c->ca_data) {
		struct curl_blob b = { c->ca_data, c->ca_len, CURL_BLOB_COPY };

		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
	} else if (c->ca_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	}
	set_pem(h, CURLOPT_SSLCERT_BLOB, CURLOPT_SSLCERTTYPE, CURLOPT_SSLCERT,
		c->cert_data, c->cert_len, c->cert_file);
	set_pem(h, CURLOPT_SSLKEY_BLOB, CURLOPT_SSLKEYTYPE, CURLOPT_SSLKEY,
		c->key_data, c->key_len, c->key_file);
	if (c->proxy_url)
		curl_easy_setopt(h, CURLOPT_PROXY, c->proxy_url);
	if (k->cancel) {
		curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
		curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xfer_cb);
		curl_easy_setopt(h, CURLOPT_XFERINFODATA, k);
	}
	if (log_get_level() >= LOG_LVL_TRACE) {
		curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, trace_cb);
		curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	}
}

/* Refresh a token that is about to change (token file rotated, exec
 * credential expired). */
static int
token_refresh(struct kube_client *k, struct mtv_err *err)
{
	struct kube_conf *c = &k->conf;

	if (c->auth == KUBE_AUTH_TOKEN_FILE)
		return kube_conf_reload_token(c, false, err);
	if (c->exec && (!c->token && !c->cert_data))
		return kube_conf_exec(c, err);
	if (c->exec && c->exec_expiry_ms > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		if ((long long)ts.tv_sec * 1000 + 10000 >= c->exec_expiry_ms)
			return kube_conf_exec(c, err);
	}
	return 0;
}

/* tls-server-name: the URL names that host (SNI, certificate check) and
 * CURLOPT_CONNECT_TO sends the connection to the real server. */
static const char *
tls_name_url(struct kube_client *k, CURL *h, const char *url, char **named,
	     struct curl_slist **connect_to)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, *entry;

	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
		    CURLUE_OK &&
	    curl_url_set(u, CURLUPART_HOST, k->conf.tls_server_name, 0) ==
		    CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, named, 0) == CURLUE_OK) {
		entry = xasprintf("%s:%s:%s:%s", k->conf.tls_server_name, port,
				  host, port);
		*connect_to = curl_slist_append(NULL, entry);
		free(entry);
		curl_easy_setopt(h, CURLOPT_URL, *named);
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, *connect_to);
		url = *named;
	}
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return url;
}

/* One HTTP exchange on h; 0 when a response arrived (any status). */
static int
perform(struct kube_client *k, CURL *h, const char *method, const char *url,
	const char *ctype, const char *body, const char *auth_header,
	curl_write_callback wcb, void *warg, struct resp *rs, long timeout_ms,
	bool oauth, struct mtv_err *err)
{
	struct curl_slist *hdr = NULL, *connect_to = NULL;
	char *named = NULL;
	CURLcode cc;
	int r;

	handle_setup(k, h, oauth);
	resp_reset(rs);
	k->errbuf[0] = '\0';
	hdr = curl_slist_append(hdr, "Accept: application/json, */*");
	if (ctype) {
		char *ct = xasprintf("Content-Type: %s", ctype);

		hdr = curl_slist_append(hdr, ct);
		free(ct);
	}
	if (auth_header)
		hdr = curl_slist_append(hdr, auth_header);
	if (oauth)
		hdr = curl_slist_append(hdr, "X-CSRF-Token: 1");
	curl_easy_setopt(h, CURLOPT_URL, url);
	if (k->conf.tls_server_name && str_startswith(url, k->conf.server))
		url = tls_name_url(k, h, url, &named, &connect_to);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, wcb ? wcb : body_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, wcb ? warg : rs);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, rs);
	if (timeout_ms > 0) {
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	} else {
		/* a server that stops answering is a transport error */
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 120L);
	}
	k->st.requests++;
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rs->status);
	curl_slist_free_all(hdr);
	curl_slist_free_all(connect_to);
	if (cc == CURLE_OK || (cc == CURLE_WRITE_ERROR && wcb))
		r = 0; /* a write error with wcb: the stream consumer stopped it */
	else if (cc == CURLE_ABORTED_BY_CALLBACK && k->cancel && *k->cancel)
		r = err_set(err, MTV_ECANCELED, "%s \"%s\": interrupted",
			    method, url);
	else if (cc == CURLE_OPERATION_TIMEDOUT)
		r = err_set(err, MTV_ETIMEOUT, "%s \"%s\": %s", method, url,
			    k->errbuf[0] ? k->errbuf : curl_easy_strerror(cc));
	else if (cc == CURLE_PEER_FAILED_VERIFICATION ||
		 cc == CURLE_SSL_CACERT_BADFILE || cc == CURLE_SSL_CERTPROBLEM)
		r = err_set(err, MTV_EAUTH,
			    "TLS verification of \"%s\" failed: %s", url,
			    k->errbuf[0] ? k->errbuf : curl_easy_strerror(cc));
	else
		r = err_set(err, MTV_ENET, "%s \"%s\": %s", method, url,
			    k->errbuf[0] ? k->errbuf : curl_easy_strerror(cc));
	curl_free(named);
	return r;
}

/* Back off for ms, in slices so that an interrupt is seen soon. */
static int
backoff_sleep(struct kube_client *k, long ms, struct mtv_err *err)
{
	long long end = clock_ms() + ms;

	for (;;) {
		long long left = end - clock_ms();
		struct timespec ts;

		if (k->cancel && *k->cancel)
			return err_set(err, MTV_ECANCELED, "interrupted");
		if (left <= 0)
			return 0;
		if (left > 100)
			left = 100;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)left * 1000000L;
		nanosleep(&ts, NULL);
	}
}

static char *
bearer(const struct kube_client *k)
{
	if (!k->conf.token)
		return NULL;
	return xasprintf("Authorization: Bearer %s", k->conf.token);
}

static void
free_header(char *h)
{
	if (h)
		freezero(h, strlen(h));
}

static int oauth_login(struct kube_client *k, struct mtv_err *err);

/* After a 401: get a new token the way this client got the first one.
 * Returns 1 when nothing can change (the 401 stands). */
static int
reauth(struct kube_client *k, struct mtv_err *err)
{
	struct kube_conf *c = &k->conf, fresh;
	int r;

	k->st.reauths++;
	switch (c->auth) {
	case KUBE_AUTH_OAUTH:
		log_verbose(
			"kubernetes: token refused, logging in again as \"%s\"",
			k->username);
		return oauth_login(k, err);
	case KUBE_AUTH_TOKEN_FILE:
		log_verbose("kubernetes: token refused, re-reading \"%s\"",
			    c->token_file);
		return kube_conf_reload_token(c, true, err);
	case KUBE_AUTH_EXEC:
		log_verbose(
			"kubernetes: token refused, running the credential plugin again");
		return kube_conf_exec(c, err);
	case KUBE_AUTH_TOKEN:
		/* the kubeconfig may carry a rotated token */
		memset(&fresh, 0, sizeof(fresh));
		r = kube_conf_from_kubeconfig(&fresh, k->kubeconfig, k->context,
					      err);
		if (r != 0) {
			kube_conf_release(&fresh);
			return r;
		}
		if (fresh.auth != KUBE_AUTH_TOKEN) {
			kube_conf_release(&fresh);
			return 1;
		}
		/* an unchanged token is tried once more: the 401 may be passing */
		log_verbose("kubernetes: token refused, %s",
			    str_eq(fresh.token, c->token)
				    ? "trying it once more"
				    : "using the new token of the kubeconfig");
		kube_conf_release(c);
		*c = fresh;
		return 0;
	default:
		return 1;
	}
}

/* Status object of a failed request as an error. */
static int
status_err(const char *method, const char *path, const struct resp *rs,
	   struct mtv_err *err)
{
	json_object *st = rs->body.len ? json_tokener_parse(strbuf_str(
						 (struct strbuf *)&rs->body))
				       : NULL;
	json_object *v, *causes = NULL;
	const char *msg = NULL, *reason = NULL;
	struct strbuf sb = STRBUF_INIT;
	int code;

	if (st && json_object_is_type(st, json_type_object)) {
		if (json_object_object_get_ex(st, "message", &v))
			msg = json_object_get_string(v);
		if (json_object_object_get_ex(st, "reason", &v))
			reason = json_object_get_string(v);
		if (json_object_object_get_ex(st, "details", &v))
			json_object_object_get_ex(v, "causes", &causes);
	}
	switch (rs->status) {
	case 400:
	case 415:
	case 422:
		code = MTV_EINVAL;
		break;
	case 401:
	case 403:
		code = MTV_EAUTH;
		break;
	case 404:
		code = MTV_ENOTFOUND;
		break;
	case 409:
		code = MTV_ECONFLICT;
		break;
	case 429:
	case 500:
	case 502:
	case 503:
	case 504:
		code = MTV_ENET;
		break;
	default:
		code = MTV_EPROTO;
	}
	if (!msg && rs->body.len && !st)
		strbuf_add(&sb, rs->body.buf,
			   rs->body.len > 200 ? 200 : rs->body.len);
	else if (msg)
		strbuf_adds(&sb, msg);
	else
		strbuf_adds(&sb, "no message");
	if (causes && json_object_is_type(causes, json_type_array)) {
		size_t i;

		for (i = 0; i < json_object_array_length(causes) && i < 10;
		     i++) {
			json_object *c = json_object_array_get_idx(causes, i),
				    *f = NULL, *m = NULL;

			json_object_object_get_ex(c, "field", &f);
			json_object_object_get_ex(c, "message", &m);
			strbuf_addf(&sb, "; %s: %s",
				    f ? json_object_get_string(f) : "?",
				    m ? json_object_get_string(m) : "?");
		}
	}
	while (sb.len > 0 &&
	       (sb.buf[sb.len - 1] == '\n' || sb.buf[sb.len - 1] == '.'))
		sb.buf[--sb.len] = '\0';
	err_set(err, code, "%s \"%s\": %s (HTTP %ld%s%s)", method, path,
		strbuf_str(&sb), rs->status, reason ? " " : "",
		reason ? reason : "");
	strbuf_release(&sb);
	json_object_put(st);
	return code;
}

/* A request with retries (429, 5xx, transport) and one re-authentication. */
static int
request(struct kube_client *k, const char *method, const char *path,
	const char *ctype, const char *body, struct resp *rs,
	struct mtv_err *err)
{
	char *url = xasprintf("%s%s", k->conf.server, path), *auth = NULL;
	bool reauthed = false;
	int attempt = 0, r = MTV_EINTERNAL, i;

	for (i = 0; i < 64; i++) {
		enum kube_retry act;
		long delay = 0;

		r = token_refresh(k, err);
		if (r != 0)
			break;
		auth = bearer(k);
		r = perform(k, k->h, method, url, ctype, body, auth, NULL, NULL,
			    rs, 0, false, err);
		free_header(auth);
		if (rs->status != 0 && rs->status != 401)
			reauthed = false; /* the token was not refused */
		act = kube_retry_decide(
			rs->status,
			r != 0 && r != MTV_EAUTH && r != MTV_ECANCELED,
			rs->retry_after, attempt, reauthed, &delay);
		if (act == KUBE_DONE)
			break;
		if (act == KUBE_REAUTH) {
			int rr = reauth(k, err);

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
		r = backoff_sleep(k, delay, err);
		if (r != 0)
			break;
	}
	free(url);
	return r;
}

static json_object *
parse_body(const struct resp *rs)
{
	if (!rs->body.len)
		return NULL;
	return json_tokener_parse(rs->body.buf);
}

int
kube_request(struct kube_client *k, const char *method, const char *path,
	     const char *content_type, json_object *body, long *status,
	     json_object **out, struct mtv_err *err)
{
	struct resp rs = { 0 };
	const char *b = body ? json_object_to_json_string_ext(
				       body, JSON_C_TO_STRING_PLAIN)
			     : NULL;
	int r;

	if (out)
		*out = NULL;
	r = request(k, method, path,
		    b ? (content_type ? content_type : "application/json")
		      : NULL,
		    b, &rs, err);
	if (status)
		*status = rs.status;
	if (r == 0 && out)
		*out = parse_body(&rs);
	resp_release(&rs);
	return r;
}

/* A request that must answer 2xx; *out gets the body. */
static int
call(struct kube_client *k, const char *method, const char *path,
     const char *ctype, json_object *body, json_object **out, long *status,
     struct mtv_err *err)
{
	struct resp rs = { 0 };
	const char *b = body ? json_object_to_json_string_ext(
				       body, JSON_C_TO_STRING_PLAIN)
			     : NULL;
	int r;

	if (out)
		*out = NULL;
	r = request(k, method, path, ctype, b, &rs, err);
	if (status)
		*status = rs.status;
	if (r == 0 && (rs.status < 200 || rs.status > 299))
		r = status_err(method, path, &rs, err);
	if (r == 0 && out) {
		*out = parse_body(&rs);
		if (!*out && rs.body.len)
			r = err_set(err, MTV_EPROTO,
				    "%s \"%s\": the answer is not JSON", method,
				    path);
	}
	resp_release(&rs);
	return r;
}

/* ---- OpenShift OAuth ---- */

/* Whether two URLs name the same host. */
static bool
same_host(const char *a, const char *b)
{
	CURLU *ua = curl_url(), *ub = curl_url();
	char *ha = NULL, *hb = NULL;
	bool same;

	curl_url_set(ua, CURLUPART_URL, a, 0);
	curl_url_set(ub, CURLUPART_URL, b, 0);
	curl_url_get(ua, CURLUPART_HOST, &ha, 0);
	curl_url_get(ub, CURLUPART_HOST, &hb, 0);
	same = ha && hb && strcasecmp(ha, hb) == 0;
	curl_free(ha);
	curl_free(hb);
	curl_url_cleanup(ua);
	curl_url_cleanup(ub);
	return same;
}

/* GET url for the OAuth login (auth: a header or NULL), retried like any
 * request. */
static int
oauth_get(struct kube_client *k, const char *url, const char *auth,
	  struct resp *rs, struct mtv_err *err)
{
	int r, attempt;

	for (attempt = 0;; attempt++) {
		long delay;

		r = perform(k, k->h, "GET", url, NULL, NULL, auth, NULL, NULL,
			    rs, 0, true, err);
		if (r == MTV_EAUTH && k->oauth_system_roots) {
			/* not signed by a system CA: try the cluster's CA, as
			 * oc does */
			k->oauth_system_roots = false;
			r = perform(k, k->h, "GET", url, NULL, NULL, auth, NULL,
				    NULL, rs, 0, true, err);
		}
		if (kube_retry_decide(rs->status,
				      r != 0 && r != MTV_EAUTH &&
					      r != MTV_ECANCELED,
				      rs->retry_after, attempt, true,
				      &delay) != KUBE_RETRY)
			break;
		k->st.retries++;
		if (backoff_sleep(k, delay, err) != 0)
			break;
	}
	return r;
}

static int
oauth_login(struct kube_client *k, struct mtv_err *err)
{
	struct resp rs = { 0 };
	json_object *meta = NULL, *v;
	char *url = NULL, *auth = NULL, *userpass = NULL, *b64 = NULL,
	     *loc_err = NULL;
	char *tok = NULL;
	const char *endpoint, *where;
	int r = MTV_EAUTH;

	k->oauth_system_roots = false; /* the API server: its own CA */
	url = xasprintf("%s/.well-known/oauth-authorization-server",
			k->conf.server);
	r = oauth_get(k, url, NULL, &rs, err);
	if (r != 0)
		goto out;
	if (rs.status != 200 || !(meta = parse_body(&rs)) ||
	    !json_object_object_get_ex(meta, "authorization_endpoint", &v)) {
		r = err_set(
			err, MTV_EAUTH,
			"\"%s\" offers no OpenShift OAuth server (HTTP %ld): log in with a kubeconfig instead",
			k->conf.server, rs.status);
		goto out;
	}
	endpoint = json_object_get_string(v);
	free(url);
	url = xasprintf(
		"%s%cresponse_type=token&client_id=openshift-challenging-client",
		endpoint, strchr(endpoint, '?') ? '&' : '?');
	k->oauth_system_roots = !same_host(endpoint, k->conf.server) &&
				(k->conf.ca_file || k->conf.ca_data);
	userpass = xasprintf("%s:%s", k->username, secret_value(k->password));
	b64 = b64_encode(userpass, strlen(userpass));
	redact_add(b64);
	auth = xasprintf("Authorization: Basic %s", b64);
	/* perform adds X-CSRF-Token for OAuth: we are not a browser */
	r = oauth_get(k, url, auth, &rs, err);
	if (r != 0)
		goto out;
	if (rs.status == 401) {
		r = err_set(
			err, MTV_EAUTH,
			"login as \"%s\" to \"%s\" failed: wrong username or password",
			k->username, k->conf.server);
		goto out;
	}
	if (rs.status != 302 ||
	    curl_easy_getinfo(k->h, CURLINFO_REDIRECT_URL, &where) !=
		    CURLE_OK ||
	    !where) {
		r = err_set(
			err, MTV_EAUTH,
			"login as \"%s\" to \"%s\" failed: HTTP %ld instead of a redirect",
			k->username, k->conf.server, rs.status);
		goto out;
	}
	tok = kube_oauth_parse_location(where, &loc_err);
	if (!tok) {
		r = err_set(
			err, MTV_EAUTH, "login as \"%s\" to \"%s\" failed: %s",
			k->username, k->conf.server,
			loc_err ? loc_err : "no access_token in the redirect");
		goto out;
	}
	if (k->conf.token)
		freezero(k->conf.token, strlen(k->conf.token));
	k->conf.token = tok;
	tok = NULL;
	k->conf.auth = KUBE_AUTH_OAUTH;
	log_verbose("kubernetes: logged in to \"%s\" as \"%s\"", k->conf.server,
		    k->username);
	r = 0;
out:
	json_object_put(meta);
	resp_release(&rs);
	free(url);
	free_header(auth);
	if (userpass)
		freezero(userpass, strlen(userpass));
	if (b64)
		freezero(b64, strlen(b64));
	free(loc_err);
	free(tok);
	return r;
}

/* Delete the OAuth token we obtained (every login makes an object). */
static void
oauth_revoke(struct kube_client *k)
{
	struct mtv_err err = { 0 };
	struct resp rs = { 0 };
	char *name, *path, *url, *auth;
	int r;

	if (k->conf.auth != KUBE_AUTH_OAUTH || !k->conf.token)
		return;
	name = kube_oauth_token_name(k->conf.token);
	path = xasprintf("/apis/oauth.openshift.io/v1/oauthaccesstokens/%s",
			 name);
	url = xasprintf("%s%s", k->conf.server, path);
	auth = bearer(k);
	r = perform(k, k->h, "DELETE", url, NULL, NULL, auth, NULL, NULL, &rs,
		    30000, false, &err);
	if (r != 0)
		log_warn("kubernetes: could not revoke the login token: %s",
			 err.msg);
	else if (rs.status != 200 && rs.status != 202 && rs.status != 404 &&
		 rs.status != 401)
		log_warn(
			"kubernetes: could not revoke the login token: HTTP %ld",
			rs.status);
	else
		log_debug("kubernetes: login token revoked (HTTP %ld)",
			  rs.status);
	free_header(auth);
	resp_release(&rs);
	free(url);
	free(path);
	free(name);
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
					      k->context, err);
	} else if (o->server && *o->server && o->username && *o->username &&
		   o->password) {
		k->conf.server = normalize_server(o->server);
		k->conf.ca_file = o->ca_file ? xstrdup(o->ca_file) : NULL;
		k->conf.insecure = o->insecure;
		k->conf.origin = xstrdup("oauth");
		k->username = xstrdup(o->username);
		k->password = secret_new(secret_value(o->password));
		r = oauth_login(k, err);
	} else {
		r = kube_conf_from_kubeconfig(&k->conf, NULL, o->context, err);
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
		oauth_revoke(k);
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

/* ---- verbs ---- */

static const char *
obj_name(json_object *obj)
{
	json_object *m, *n;

	if (obj && json_object_object_get_ex(obj, "metadata", &m) &&
	    json_object_object_get_ex(m, "name", &n))
		return json_object_get_string(n);
	return NULL;
}

int
kube_create(struct kube_client *k, const char *path, json_object *obj,
	    json_object **out, struct mtv_err *err)
{
	json_object *res = NULL;
	const char *name = obj_name(obj);
	char *p;
	int r;

	if (out)
		*out = NULL;
	r = call(k, "POST", path, "application/json", obj, &res, NULL, err);
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
	json_object *existing = NULL, *m, *labels, *v;
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
	if (existing && json_object_object_get_ex(existing, "metadata", &m) &&
	    json_object_object_get_ex(m, "labels", &labels) &&
	    json_object_object_get_ex(labels, label, &v) &&
	    str_eq(json_object_get_string(v), value)) {
		log_debug("kubernetes: adopting existing \"%s\" in \"%s\"",
			  obj_name(obj), path);
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
		obj_name(obj), path, label, value);
}

int
kube_get(struct kube_client *k, const char *path, json_object **out,
	 struct mtv_err *err)
{
	return call(k, "GET", path, NULL, NULL, out, NULL, err);
}

/* All pages of a list: items array and the list's resourceVersion. */
static int
list_all(struct kube_client *k, const char *path, const char *label_selector,
	 const char *field_selector, json_object **items, char **rv,
	 struct mtv_err *err)
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
		r = call(k, "GET", url, NULL, NULL, &page, &status, err);
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
		if (json_object_object_get_ex(page, "items", &v) &&
		    json_object_is_type(v, json_type_array))
			for (i = 0; i < json_object_array_length(v); i++)
				json_object_array_add(
					all, json_object_get(
						     json_object_array_get_idx(
							     v, i)));
		free(cont);
		cont = NULL;
		if (json_object_object_get_ex(page, "metadata", &meta)) {
			if (rv && !*rv &&
			    json_object_object_get_ex(meta, "resourceVersion",
						      &v))
				*rv = xstrdup(json_object_get_string(v));
			if (json_object_object_get_ex(meta, "continue", &v) &&
			    *json_object_get_string(v))
				cont = xstrdup(json_object_get_string(v));
		}
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
	return list_all(k, path, label_selector, NULL, out, NULL, err);
}

int
kube_list_fields(struct kube_client *k, const char *path,
		 const char *label_selector, const char *field_selector,
		 json_object **out, struct mtv_err *err)
{
	return list_all(k, path, label_selector, field_selector, out, NULL,
			err);
}

int
kube_patch_merge(struct kube_client *k, const char *path, json_object *patch,
		 json_object **out, struct mtv_err *err)
{
	return call(k, "PATCH", path, "application/merge-patch+json", patch,
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

	r = call(k, "DELETE", p, NULL, NULL, NULL, &status, err);
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
		add_param(&sb, "container", container);
	if (tail_lines > 0)
		strbuf_addf(&sb, "%ctailLines=%d",
			    strchr(strbuf_str(&sb), '?') ? '&' : '?',
			    tail_lines);
	p = strbuf_detach(&sb);
	r = request(k, "GET", p, NULL, NULL, &rs, err);
	if (r == 0 && rs.status != 200)
		r = status_err("GET", p, &rs, err);
	if (r == 0)
		*out = xstrdup(strbuf_str(&rs.body));
	resp_release(&rs);
	free(p);
	free(path);
	return r;
}

/* ---- list + watch ---- */

struct watch {
	struct kube_client *k;
	kube_event_fn fn;
	void *arg;
	struct mtv_err *err;
	struct strbuf line;
	struct strbuf errbody;
	char *rv;
	int result;		/* 0 going on, 1 done, < 0 failed */
	bool gone;		/* 410: re-list */
	bool broken;		/* an ERROR event other than 410 */
	long events;
};

static void
watch_rv(struct watch *w, json_object *obj)
{
	json_object *m, *v;

	if (json_object_object_get_ex(obj, "metadata", &m) &&
	    json_object_object_get_ex(m, "resourceVersion", &v) &&
	    *json_object_get_string(v)) {
		free(w->rv);
		w->rv = xstrdup(json_object_get_string(v));
	}
}

/* One line of the stream: {"type": ..., "object": {...}}. */
static void
watch_line(struct watch *w, const char *line, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *ev, *t, *obj = NULL;
	const char *type;

	ev = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	if (!ev || !json_object_object_get_ex(ev, "type", &t)) {
		log_debug("kubernetes: watch: line is not an event, ignored");
		json_object_put(ev);
		return;
	}
	type = json_object_get_string(t);
	json_object_object_get_ex(ev, "object", &obj);
	w->events++;
	if (strcmp(type, "BOOKMARK") == 0) {
		watch_rv(w, obj);
	} else if (strcmp(type, "ERROR") == 0) {
		json_object *c = NULL, *m = NULL;

		json_object_object_get_ex(obj, "code", &c);
		json_object_object_get_ex(obj, "message", &m);
		if (c && json_object_get_int(c) == 410) {
			w->gone = true;
		} else {
			w->broken = true;
			log_debug("kubernetes: watch error: %s",
				  m ? json_object_get_string(m) : "no message");
		}
	} else if (obj) {
		watch_rv(w, obj);
		w->result = w->fn(type, obj, w->arg, w->err);
		if (w->result < 0 && w->err->code == 0)
			err_set(w->err, w->result,
				"waiting stopped by a callback");
	}
	json_object_put(ev);
}

static size_t
watch_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct watch *w = arg;
	size_t n = size * nmemb;
	long status = 0;
	char *nl;

	curl_easy_getinfo(w->k->wh, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		if (w->errbody.len < 65536)
			strbuf_add(&w->errbody, data, n);
		return n;
	}
	strbuf_add(&w->line, data, n);
	while (w->result == 0 && !w->gone && !w->broken &&
	       (nl = memchr(w->line.buf, '\n', w->line.len))) {
		size_t len = (size_t)(nl - w->line.buf);

		if (len > 0)
			watch_line(w, w->line.buf, len);
		memmove(w->line.buf, nl + 1, w->line.len - len - 1);
		w->line.len -= len + 1;
		w->line.buf[w->line.len] = '\0';
	}
	if (w->line.len > (size_t)BODY_MAX)
		return 0;
	return (w->result != 0 || w->gone || w->broken) ? 0 : n;
}

/* kube_wait; synced (may be NULL) runs after every complete list and ends
 * the wait when it returns 1. */
static int
wait_run(struct kube_client *k, const char *path, const char *field_selector,
	 const char *label_selector, int timeout_s, kube_event_fn fn,
	 int (*synced)(void *arg), void *arg, struct mtv_err *err)
{
	struct watch w = { .k = k, .fn = fn, .arg = arg, .err = err };
	long long deadline = clock_ms() + (long long)timeout_s * 1000;
	struct resp rs = { 0 };
	int r = MTV_ETIMEOUT, relists, failures = 0;
	bool reauthed = false;

	for (relists = 0; relists < 1000; relists++) {
		json_object *items = NULL;
		size_t i;
		int iter;

		if (relists > 0)
			k->st.relists++;
		free(w.rv);
		w.rv = NULL;
		r = list_all(k, path, label_selector, field_selector, &items,
			     &w.rv, err);
		/* a server that is away for a while (restart, network) does
		 * not end a wait before its deadline */
		while (r == MTV_ENET && clock_ms() + 5000 < deadline) {
			log_verbose("kubernetes: %s; listing again in 5 s",
				    err->msg);
			k->st.retries++;
			if ((r = backoff_sleep(k, 5000, err)) != 0)
				goto out;
			r = list_all(k, path, label_selector, field_selector,
				     &items, &w.rv, err);
		}
		if (r != 0)
			goto out;
		for (i = 0;
		     i < json_object_array_length(items) && w.result == 0;
		     i++) {
			w.result =
				fn("ADDED", json_object_array_get_idx(items, i),
				   arg, err);
			if (w.result < 0 && err->code == 0)
				err_set(err, w.result,
					"waiting stopped by a callback");
		}
		json_object_put(items);
		if (w.result == 0 && synced)
			w.result = synced(arg);
		if (w.result != 0)
			break;
		for (iter = 0; iter < 100000; iter++) {
			long long left = deadline - clock_ms();
			struct strbuf url = STRBUF_INIT;
			char *full, *auth;
			enum kube_retry act;
			long delay = 0, wsecs;
			long long started;

			if (left <= 0)
				goto timeout;
			wsecs = (long)(left / 1000) + 1;
			if (wsecs > WATCH_MAX_S)
				wsecs = WATCH_MAX_S;
			strbuf_adds(&url, path);
			strbuf_addf(
				&url,
				"?watch=1&allowWatchBookmarks=true&timeoutSeconds=%ld",
				wsecs);
			if (w.rv)
				add_param(&url, "resourceVersion", w.rv);
			if (label_selector && *label_selector)
				add_param(&url, "labelSelector",
					  label_selector);
			if (field_selector && *field_selector)
				add_param(&url, "fieldSelector",
					  field_selector);
			full = xasprintf("%s%s", k->conf.server,
					 strbuf_str(&url));
			strbuf_release(&url);
			w.gone = w.broken = false;
			w.events = 0;
			strbuf_reset(&w.line);
			strbuf_reset(&w.errbody);
			r = token_refresh(k, err);
			if (r != 0) {
				free(full);
				goto out;
			}
			auth = bearer(k);
			k->st.watches++;
			started = clock_ms();
			r = perform(k, k->wh, "GET", full, NULL, NULL, auth,
				    watch_cb, &w, &rs, (long)left + 1000, false,
				    err);
			free_header(auth);
			free(full);
			rs.status = 0;
			curl_easy_getinfo(k->wh, CURLINFO_RESPONSE_CODE,
					  &rs.status);
			if (w.result != 0)
				goto done;
			if (w.gone) {
				log_debug(
					"kubernetes: watch on \"%s\" expired (410), listing again",
					path);
				break;
			}
			if (w.events > 0)
				failures = 0;
			if (rs.status != 0 && rs.status != 401)
				reauthed =
					false; /* the token was not refused */
			if (r == MTV_ECANCELED)
				goto out;
			if (r == MTV_ETIMEOUT || clock_ms() >= deadline)
				goto timeout;
			if (r == 0 && rs.status == 200 && !w.broken &&
			    (w.events > 0 || clock_ms() - started >= 1000)) {
				/* the server ended the stream (timeoutSeconds): resume */
				continue;
			}
			if (r == 0 && rs.status == 410) {
				break;
			}
			if (r == 0 && rs.status != 200) {
				rs.body = w.errbody;
				act = kube_retry_decide(
					rs.status, false, rs.retry_after,
					failures, reauthed, &delay);
				memset(&rs.body, 0, sizeof(rs.body));
				if (act == KUBE_DONE &&
				    (rs.status == 429 || rs.status >= 500)) {
					/* a busy server does not end a wait early */
					act = KUBE_RETRY;
					delay = 5000;
				}
			} else {
				/* dropped stream, ERROR event, or a stream that
				 * ended at once without events: back off */
				act = kube_retry_decide(0, true, NULL, failures,
							false, &delay);
				if (r != 0 && act == KUBE_DONE) {
					/* transport errors: keep trying until the deadline */
					act = KUBE_RETRY;
					delay = 5000;
				}
				if (w.events > 0)
					delay = 0;
				log_debug(
					"kubernetes: watch on \"%s\" ended (%s), resuming from %s",
					path, r ? err->msg : "error event",
					w.rv ? w.rv : "the start");
				if (act == KUBE_DONE && r == 0) {
					r = err_set(
						err, MTV_EPROTO,
						"watch on \"%s\" keeps failing",
						path);
					goto out;
				}
			}
			if (act == KUBE_DONE) {
				if (r == 0) {
					rs.body = w.errbody;
					r = status_err("GET", path, &rs, err);
					memset(&rs.body, 0, sizeof(rs.body));
				}
				goto out;
			}
			if (act == KUBE_REAUTH) {
				int rr = reauth(k, err);

				reauthed = true;
				if (rr < 0) {
					r = rr;
					goto out;
				}
				if (rr > 0) {
					r = err_set(
						err, MTV_EAUTH,
						"watch on \"%s\": unauthorized",
						path);
					goto out;
				}
				continue;
			}
			failures++;
			k->st.retries++;
			if (delay > deadline - clock_ms())
				delay = (long)(deadline - clock_ms());
			if (delay > 0 &&
			    (r = backoff_sleep(k, delay, err)) != 0)
				goto out;
		}
		if (iter >= 100000) {
			r = err_set(err, MTV_EINTERNAL,
				    "watch on \"%s\" restarted too often",
				    path);
			goto out;
		}
	}
done:
	r = w.result > 0 ? 0 : w.result;
	if (w.result == 0)
		r = err_set(err, MTV_EINTERNAL,
			    "watch on \"%s\" re-listed too often", path);
	goto out;
timeout:
	r = err_set(err, MTV_ETIMEOUT, "timed out after %d s waiting on \"%s\"",
		    timeout_s, path);
out:
	free(w.rv);
	strbuf_release(&w.line);
	strbuf_release(&w.errbody);
	resp_release(&rs);
	return r;
}

int
kube_wait(struct kube_client *k, const char *path, const char *field_selector,
	  const char *label_selector, int timeout_s, kube_event_fn fn,
	  void *arg, struct mtv_err *err)
{
	return wait_run(k, path, field_selector, label_selector, timeout_s, fn,
			NULL, arg, err);
}

struct gone {
	const char *name;
	bool present;
};

static int
gone_event(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct gone *g = arg;

	(void)err;
	if (!str_eq(obj_name(obj), g->name))
		return 0;
	if (strcmp(type, "DELETED") == 0)
		return 1;
	g->present = true;
	return 0;
}

static int
gone_synced(void *arg)
{
	struct gone *g = arg;
	int r = g->present ? 0 : 1;

	g->present = false; /* the next list tells again */
	return r;
}

int
kube_wait_gone(struct kube_client *k, const char *path, int timeout_s,
	       struct mtv_err *err)
{
	const char *slash = strrchr(path, '/');
	char *coll, *fsel, *name;
	struct gone g = { 0 };
	int len = 0, r;

	if (!slash || slash == path || !slash[1])
		return err_set(err, MTV_EINVAL,
			       "\"%s\" is not the path of an object", path);
	coll = xstrndup(path, (size_t)(slash - path));
	name = curl_easy_unescape(NULL, slash + 1, 0, &len);
	g.name = name;
	fsel = xasprintf("metadata.name=%s", name);
	r = wait_run(k, coll, fsel, NULL, timeout_s, gone_event, gone_synced,
		     &g, err);
	free(fsel);
	curl_free(name);
	free(coll);
	return r;
}
