/* kube_http.c: one HTTP exchange with the API server (libcurl: TLS,
 * tls-server-name, proxies, tracing), retries with backoff, re-authentication
 * after a 401 and Status objects as errors. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kube/kube_int.h"

#define MAX_TRANSPORT_RETRIES 5
#define MAX_STATUS_RETRIES 8

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

void
kube_add_param(struct strbuf *sb, const char *key, const char *val)
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
		kube_add_param(&sb, "labelSelector", label_selector);
	if (field_selector && *field_selector)
		kube_add_param(&sb, "fieldSelector", field_selector);
	if (limit > 0)
		strbuf_addf(&sb, "%climit=%d",
			    strchr(strbuf_str(&sb), '?') ? '&' : '?', limit);
	if (cont && *cont)
		kube_add_param(&sb, "continue", cont);
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

	if (rs->body.len + n > (size_t)KUBE_BODY_MAX)
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

void
kube_resp_release(struct resp *rs)
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
int
kube_perform(struct kube_client *k, CURL *h, const char *method,
	     const char *url, const char *ctype, const char *body,
	     const char *auth_header, curl_write_callback wcb, void *warg,
	     struct resp *rs, long timeout_ms, bool oauth, struct mtv_err *err)
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

int
kube_backoff_sleep(struct kube_client *k, long ms, struct mtv_err *err)
{
	return sleep_ms(ms, k->cancel, err);
}

char *
kube_bearer(const struct kube_client *k)
{
	if (!k->conf.token)
		return NULL;
	return xasprintf("Authorization: Bearer %s", k->conf.token);
}

void
kube_header_free(char *h)
{
	if (h)
		freezero(h, strlen(h));
}

int
kube_login_refused(const struct kube_client *k, struct mtv_err *err)
{
	if (k->username)
		return err_prefix(err, "cluster \"%s\" refused the login as "
				  "\"%s\"", k->conf.server, k->username);
	return err_prefix(err, "cluster \"%s\" refused the credentials of "
			  "the kubeconfig", k->conf.server);
}

int
kube_status_err(const char *method, const char *path, const struct resp *rs,
		struct mtv_err *err)
{
	json_object *st = rs->body.len ? json_tokener_parse(strbuf_str(
						 (struct strbuf *)&rs->body))
				       : NULL;
	json_object *causes = NULL;
	const char *msg = NULL, *reason = NULL;
	struct strbuf sb = STRBUF_INIT;
	int code;

	if (st && json_object_is_type(st, json_type_object)) {
		msg = jtext(st, "message");
		reason = jtext(st, "reason");
		causes = jget(jget(st, "details"), "causes");
	}
	switch (rs->status) {
	case 400:
	case 415:
	case 422:
		code = MTV_EINVAL;
		break;
	case 401:
		/* the token is refused (after the one re-authentication) */
		code = MTV_ELOGIN;
		break;
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
	if (jlen(causes) > 0) {
		size_t i;

		for (i = 0; i < jlen(causes) && i < 10;
		     i++) {
			json_object *c = json_object_array_get_idx(causes, i);
			const char *f = jtext(c, "field"), *m = jtext(c, "message");

			strbuf_addf(&sb, "; %s: %s", f ? f : "?", m ? m : "?");
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

json_object *
kube_parse_body(const struct resp *rs)
{
	if (!rs->body.len)
		return NULL;
	return json_tokener_parse(rs->body.buf);
}
