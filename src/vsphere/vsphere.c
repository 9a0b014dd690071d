/* vsphere.c: the vim25 session: one kept-alive HTTPS connection
 * (libcurl), the certificate pin, SOAP calls with their faults, login and
 * logout. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include <libxml/parser.h>
#include <openssl/evp.h>

#include "vsphere/vs_int.h"

#define MAX_BODY (64u << 20)

int
vs_pin_digest(unsigned char out[32], const void *data, size_t len, int n)
{
	unsigned int got = 0;

	if (n != 20 && n != 32)
		return -1;
	if (!EVP_Digest(data, len, out, &got, n == 20 ? EVP_sha1()
						      : EVP_sha256(), NULL) ||
	    got != (unsigned int)n)
		return -1;
	return 0;
}

/* ---- transport ---- */

static size_t
on_write(char *p, size_t size, size_t n, void *arg)
{
	struct strbuf *sb = arg;

	if (sb->len + size * n > MAX_BODY)
		return 0;
	strbuf_add(sb, p, size * n);
	return size * n;
}

static bool
has(const char *d, size_t n, const char *what)
{
	size_t i, l = strlen(what);

	for (i = 0; i + l <= n; i++)
		if (strncasecmp(d + i, what, l) == 0)
			return true;
	return false;
}

static int
on_debug(CURL *h, curl_infotype t, char *data, size_t n, void *arg)
{
	char *s;

	(void)h;
	(void)arg;
	if (t != CURLINFO_TEXT && t != CURLINFO_HEADER_IN &&
	    t != CURLINFO_HEADER_OUT && t != CURLINFO_DATA_IN &&
	    t != CURLINFO_DATA_OUT)
		return 0;
	/* libcurl's cookie engine prints the session value in quotes, which
	 * the header masking does not cover */
	if (t == CURLINFO_TEXT && has(data, n, "cookie")) {
		log_trace("vsphere * (session cookie stored)");
		return 0;
	}
	/* the UserSession key is the session cookie's value */
	if (t == CURLINFO_DATA_IN && has(data, n, "LoginResponse")) {
		log_trace("vsphere < (login response not shown: session key)");
		return 0;
	}
	/* a guest file transfer URL carries its ticket */
	if (t == CURLINFO_DATA_IN && has(data, n, "InitiateFileTransfer")) {
		log_trace("vsphere < (file transfer answer not shown: the "
			  "URL's ticket)");
		return 0;
	}
	s = xstrndup(data, n);
	log_trace("vsphere %s %s",
		  t == CURLINFO_TEXT                                   ? "*"
		  : (t == CURLINFO_HEADER_IN || t == CURLINFO_DATA_IN) ? "<"
								       : ">",
		  s);
	free(s);
	return 0;
}

int
vs_pin_check(struct vs_client *vs, CURL *h, char **pem)
{
	struct curl_certinfo *ci = NULL;
	struct curl_slist *l;
	unsigned char d[32], *der = NULL;
	size_t derlen = 0;
	char *leaf = NULL;
	int ok;

	if (curl_easy_getinfo(h, CURLINFO_CERTINFO, &ci) != CURLE_OK ||
	    ci == NULL || ci->num_of_certs < 1)
		return -1;
	for (l = ci->certinfo[0]; l; l = l->next) {
		struct strbuf b64 = STRBUF_INIT;
		const char *p, *e;

		if (!str_startswith(l->data, "Cert:"))
			continue;
		p = strstr(l->data, "-----BEGIN CERTIFICATE-----");
		e = p ? strstr(p, "-----END CERTIFICATE-----") : NULL;
		if (p == NULL || e == NULL)
			break;
		leaf = xasprintf("%.*s-----END CERTIFICATE-----\n",
				 (int)(e - p), p);
		for (p += 27; p < e; p++)
			if (!isspace((unsigned char)*p))
				strbuf_addc(&b64, *p);
		if (b64_decode(&der, &derlen, strbuf_str(&b64)) != 0)
			der = NULL;
		strbuf_release(&b64);
		break;
	}
	ok = der != NULL && vs_pin_digest(d, der, derlen, vs->pinlen) == 0 &&
	     memcmp(d, vs->pin, (size_t)vs->pinlen) == 0;
	free(der);
	if (ok && pem) {
		*pem = leaf;
		leaf = NULL;
	}
	free(leaf);
	return ok;
}

/* The pin is checked once the TLS handshake is done and before any byte of
 * the request (Login carries the password) is sent: the leaf certificate
 * comes from CURLINFO_CERTINFO (PEM), its DER is hashed with SHA-1 or
 * SHA-256 as govc does; CURLOPT_PINNEDPUBLICKEY would pin the public key
 * instead of the certificate. */
static int
on_prereq(void *arg, char *ip, char *lip, int rport, int lport)
{
	struct vs_client *vs = arg;
	char *pem = NULL;
	int ok;

	(void)ip;
	(void)lip;
	(void)rport;
	if (vs->pinlen == 0)
		return CURL_PREREQFUNC_OK;
	ok = vs_pin_check(vs, vs->h, &pem);
	if (ok < 0) {
		/* a reused connection has no new handshake: it is the one
		 * verified before when its local port is the same */
		ok = vs->pin_port != 0 && lport == vs->pin_port;
	} else {
		vs->pin_port = ok ? lport : 0;
	}
	if (pem) {
		free(vs->pin_pem);
		vs->pin_pem = pem;
	}
	vs->pin_bad = !ok;
	return ok ? CURL_PREREQFUNC_OK : CURL_PREREQFUNC_ABORT;
}

/* Ends a WaitForUpdatesEx as soon as the run is interrupted (libcurl calls
 * this at least once a second while the server holds the call). */
static int
on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
	    curl_off_t ultotal, curl_off_t ulnow)
{
	struct vs_client *vs = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return vs->waiting && vs->cancel && *vs->cancel ? 1 : 0;
}

void
vs_set_cancel(struct vs_client *vs, volatile sig_atomic_t *cancel,
	      volatile sig_atomic_t *abandon)
{
	vs->cancel = cancel;
	vs->abandon = abandon;
}

static bool
dropped(CURLcode c)
{
	return c == CURLE_GOT_NOTHING || c == CURLE_RECV_ERROR ||
	       c == CURLE_SEND_ERROR || c == CURLE_PARTIAL_FILE;
}

/* POST one envelope; a connection dropped before the answer is retried once
 * on a fresh connection (callers only send calls that are safe to repeat or
 * check the outcome themselves). */
static int
post(struct vs_client *vs, const char *method, const char *body,
     struct strbuf *resp, long *status, struct mtv_err *err)
{
	CURLcode c = CURLE_OK;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		strbuf_reset(resp);
		curl_easy_setopt(vs->h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(vs->h, CURLOPT_WRITEDATA, resp);
		vs->errbuf[0] = '\0';
		vs->calls++;
		c = curl_easy_perform(vs->h);
		if (c == CURLE_OK)
			break;
		if (vs->pin_bad)
			return err_set(
				err, MTV_EAUTH,
				"vSphere server '%s' does not match the thumbprint",
				vs->url);
		if (!dropped(c) || attempt == 1 || vs->once)
			break;
		log_warn("vSphere %s: connection dropped (%s), retrying once",
			 method, curl_easy_strerror(c));
		curl_easy_setopt(vs->h, CURLOPT_FRESH_CONNECT, 1L);
	}
	curl_easy_setopt(vs->h, CURLOPT_FRESH_CONNECT, 0L);
	if (c == CURLE_PEER_FAILED_VERIFICATION)
		return err_set(err, MTV_EAUTH,
			       "TLS verification of vSphere server '%s' "
			       "failed: %s", vs->url,
			       vs->errbuf[0] ? vs->errbuf
					     : curl_easy_strerror(c));
	if (c != CURLE_OK)
		return err_set(err, MTV_ENET, "vSphere %s on '%s' failed: %s",
			       method, vs->url,
			       vs->errbuf[0] ? vs->errbuf
					     : curl_easy_strerror(c));
	curl_easy_getinfo(vs->h, CURLINFO_RESPONSE_CODE, status);
	return 0;
}

static int login(struct vs_client *vs, struct mtv_err *err);

int
vs_fault_code(const char *type)
{
	if (str_eq(type, "NotAuthenticated") || str_eq(type, "InvalidLogin") ||
	    str_eq(type, "NoPermission"))
		return MTV_EAUTH;
	if (str_eq(type, "ManagedObjectNotFound") ||
	    str_eq(type, "FileNotFound"))
		return MTV_ENOTFOUND;
	if (str_eq(type, "DuplicateName") || str_eq(type, "FileAlreadyExists"))
		return MTV_ECONFLICT;
	return MTV_EIO;
}

const char *
vs_last_fault(const struct vs_client *vs)
{
	return vs->fault;
}

long
vs_calls(const struct vs_client *vs)
{
	return vs ? vs->calls : 0;
}

int
vs_call(struct vs_client *vs, const char *method, const char *type,
	const char *moid, const char *args, const char *what,
	xmlDocPtr *docp, xmlNodePtr *resp, struct mtv_err *err)
{
	struct strbuf body = STRBUF_INIT;
	char *env = vs_envelope(method, type, moid, args);
	char *ft = NULL, *fs = NULL;
	xmlDocPtr doc = NULL;
	long status = 0;
	int relogged = 0, r;

	*docp = NULL;
	*resp = NULL;
	vs->fault[0] = '\0';
again:
	r = post(vs, method, env, &body, &status, err);
	if (r != 0)
		goto out;
	if (vs_fault_parse(body.buf ? body.buf : "", body.len, &ft, &fs) == 0) {
		snprintf(vs->fault, sizeof(vs->fault), "%s", ft ? ft : "");
		if (str_eq(ft, "NotAuthenticated") && vs->logged_in &&
		    !relogged) {
			log_verbose(
				"vSphere session expired, logging in again");
			free(ft);
			free(fs);
			ft = fs = NULL;
			relogged = 1;
			r = login(vs, err);
			if (r != 0)
				goto out;
			goto again;
		}
		r = err_set(err, vs_fault_code(ft), "%s of '%s' failed: %s%s%s",
			    method, what ? what : moid, ft ? ft : "fault",
			    fs && *fs ? ": " : "", fs ? fs : "");
		goto out;
	}
	if (status != 200) {
		r = err_set(err, MTV_EPROTO, "%s of '%s' failed: HTTP %ld",
			    method, what ? what : moid, status);
		goto out;
	}
	doc = xmlReadMemory(body.buf ? body.buf : "", (int)body.len, "r.xml",
			    NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
			    XML_PARSE_NOWARNING | XML_PARSE_HUGE);
	if (doc == NULL) {
		r = err_set(err, MTV_EPROTO,
			    "%s of '%s' failed: the answer is not XML", method,
			    what ? what : moid);
		goto out;
	}
	*resp = vs_xml_child(vs_xml_child(xmlDocGetRootElement(doc), "Body"),
			     NULL);
	*docp = doc;
	doc = NULL;
	r = 0;
out:
	free(ft);
	free(fs);
	freezero(env, strlen(env));
	strbuf_release(&body);
	xmlFreeDoc(doc);
	return r;
}

char *
vs_ret_field(xmlNodePtr resp, const char *name)
{
	xmlNodePtr n = vs_xml_child(resp, "returnval");

	if (name)
		n = vs_xml_child(n, name);
	return n ? vs_xml_text(n) : NULL;
}

/* Views and collectors belong to a session: a new login forgets them. */
static void
forget_session_objects(struct vs_client *vs)
{
	size_t i;

	for (i = 0; i < vs->nviews; i++) {
		free(vs->views[i].type);
		free(vs->views[i].moid);
	}
	vs->nviews = 0;
	free(vs->wpc);
	vs->wpc = NULL;
}

static int
login(struct vs_client *vs, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	int r;

	/* a live cookie makes Login fail with InvalidLogin: start clean */
	curl_easy_setopt(vs->h, CURLOPT_COOKIELIST, "ALL");
	vs->logged_in = false;
	strbuf_adds(&a, "<userName>");
	strbuf_add_xml(&a, vs->user ? vs->user : "");
	strbuf_adds(&a, "</userName><password>");
	strbuf_add_xml(&a, secret_value(vs->pw) ? secret_value(vs->pw) : "");
	strbuf_adds(&a, "</password>");
	r = vs_call(vs, "Login", "SessionManager", vs->session_mgr, a.buf,
		    vs->user, &doc, &resp, err);
	freezero(a.buf, a.cap);
	if (r != 0 && str_eq(vs->fault, "InvalidLogin"))
		return err_set(
			err, MTV_ELOGIN,
			"vSphere login to '%s' as '%s' failed: wrong user name or password",
			vs->url, vs->user ? vs->user : "");
	if (r != 0)
		return err_prefix(err, "vSphere login to '%s' as '%s'",
				  vs->url, vs->user ? vs->user : "");
	vs->logged_in = true;
	vs->gen++;
	forget_session_objects(vs);
	xmlFreeDoc(doc);
	return 0;
}

static char *
url_normalise(const char *u)
{
	struct strbuf sb = STRBUF_INIT;
	const char *host;

	if (!strstr(u, "://"))
		strbuf_adds(&sb, "https://");
	strbuf_adds(&sb, u);
	host = strstr(sb.buf, "://") + 3;
	if (strchr(host, '/') == NULL)
		strbuf_adds(&sb, "/sdk");
	return strbuf_detach(&sb);
}

void
vs_tls_apply(struct vs_client *vs, CURL *h)
{
	if (vs->pinlen > 0) {
		/* with a CA file as well, both must hold */
		if (vs->ca_file) {
			curl_easy_setopt(h, CURLOPT_CAINFO, vs->ca_file);
		} else {
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
		}
		curl_easy_setopt(h, CURLOPT_CERTINFO, 1L);
		curl_easy_setopt(h, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	} else if (vs->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (vs->ca_file) {
		curl_easy_setopt(h, CURLOPT_CAINFO, vs->ca_file);
	}
}

/* The libcurl handle: SOAP headers, timeouts and TLS (pin, CA, insecure). */
static int
handle_setup(struct vs_client *vs, const struct vs_opts *o,
	     struct mtv_err *err)
{
	vs->h = curl_easy_init();
	if (vs->h == NULL)
		return err_set(err, MTV_EINTERNAL, "cannot start libcurl");
	vs->hdrs = curl_slist_append(NULL,
				     "Content-Type: text/xml; charset=utf-8");
	vs->hdrs = curl_slist_append(vs->hdrs, "SOAPAction: \"urn:vim25/7.0\"");
	vs->hdrs = curl_slist_append(vs->hdrs, "Expect:");
	curl_easy_setopt(vs->h, CURLOPT_URL, vs->url);
	curl_easy_setopt(vs->h, CURLOPT_HTTPHEADER, vs->hdrs);
	curl_easy_setopt(vs->h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(vs->h, CURLOPT_ERRORBUFFER, vs->errbuf);
	curl_easy_setopt(vs->h, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(vs->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(vs->h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(vs->h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* WaitForUpdatesEx holds a call up to its maxWaitSeconds (<= 60) */
	curl_easy_setopt(vs->h, CURLOPT_TIMEOUT, 300L);
	curl_easy_setopt(vs->h, CURLOPT_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(vs->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(vs->h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(vs->h, CURLOPT_XFERINFODATA, vs);
	vs->ca_file = o->ca_file && *o->ca_file ? xstrdup(o->ca_file) : NULL;
	vs->insecure = o->insecure;
	vs_tls_apply(vs, vs->h);
	if (vs->pinlen > 0) {
		curl_easy_setopt(vs->h, CURLOPT_PREREQFUNCTION, on_prereq);
		curl_easy_setopt(vs->h, CURLOPT_PREREQDATA, vs);
	} else if (o->insecure) {
		static int warned;

		if (!__atomic_exchange_n(&warned, 1, __ATOMIC_SEQ_CST))
			log_warn("vSphere TLS certificate of '%s' is not "
				 "verified (insecure: true)", vs->url);
	}
	if (log_get_level() >= LOG_LVL_TRACE) {
		curl_easy_setopt(vs->h, CURLOPT_DEBUGFUNCTION, on_debug);
		curl_easy_setopt(vs->h, CURLOPT_VERBOSE, 1L);
	}
	return 0;
}

/* ServiceContent.about (AboutInfo) as {name, fullName, version, build,
 * apiType, apiVersion}: members absent from the answer are null. */
static json_object *
about_info(xmlNodePtr resp)
{
	static const char *const keys[] = { "name", "fullName", "version",
		"build", "apiType", "apiVersion", NULL };
	xmlNodePtr a = vs_xml_child(vs_xml_child(resp, "returnval"), "about");
	json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; keys[i]; i++) {
		xmlNodePtr n = a ? vs_xml_child(a, keys[i]) : NULL;
		char *t = n ? vs_xml_text(n) : NULL;

		json_object_object_add(o, keys[i],
				       t ? json_object_new_string(t) : NULL);
		free(t);
	}
	return o;
}

/* RetrieveServiceContent: the managers every later call names. */
static int
service_content(struct vs_client *vs, struct mtv_err *err)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	int r;

	r = vs_call(vs, "RetrieveServiceContent", "ServiceInstance",
		    "ServiceInstance", NULL, vs->url, &doc, &resp, err);
	if (r != 0)
		return r;
	vs->pc = vs_ret_field(resp, "propertyCollector");
	vs->view_mgr = vs_ret_field(resp, "viewManager");
	vs->session_mgr = vs_ret_field(resp, "sessionManager");
	vs->root = vs_ret_field(resp, "rootFolder");
	vs->file_mgr = vs_ret_field(resp, "fileManager");
	vs->search = vs_ret_field(resp, "searchIndex");
	vs->event_mgr = vs_ret_field(resp, "eventManager");
	vs->task_mgr = vs_ret_field(resp, "taskManager");
	vs->guest_mgr = vs_ret_field(resp, "guestOperationsManager");
	json_object_put(vs->about);
	vs->about = about_info(resp);
	xmlFreeDoc(doc);
	if (vs->pc == NULL || vs->session_mgr == NULL || vs->root == NULL)
		return err_set(err, MTV_EPROTO,
			       "'%s' is not a vSphere SDK endpoint", vs->url);
	return 0;
}

int
vs_connect(struct vs_client **out, const struct vs_opts *o,
	   struct mtv_err *err)
{
	struct vs_client *vs = NULL;
	int r = MTV_EINVAL;

	*out = NULL;
	if (o->url == NULL || *o->url == '\0')
		return err_set(
			err, MTV_EINVAL,
			"no vSphere URL: set api_url in the profile or GOVC_URL");
	vs = xcalloc(1, sizeof(*vs));
	vs->url = url_normalise(o->url);
	vs->user = o->username ? xstrdup(o->username) : NULL;
	vs->pw = secret_new(secret_value(o->password));
	if (o->thumbprint && *o->thumbprint) {
		vs->pinlen = vs_thumbprint_parse(o->thumbprint, vs->pin);
		if (vs->pinlen < 0) {
			r = err_set(
				err, MTV_EINVAL,
				"bad vSphere thumbprint '%s': want SHA-1 or SHA-256 hex",
				o->thumbprint);
			goto out;
		}
	}
	r = handle_setup(vs, o, err);
	if (r == 0)
		r = service_content(vs, err);
	if (r == 0)
		r = login(vs, err);
	if (r != 0)
		goto out;
	log_debug("vSphere session to '%s' as '%s'", vs->url, vs->user);
	*out = vs;
	vs = NULL;
out:
	vs_free(vs);
	return r;
}

void
vs_free(struct vs_client *vs)
{
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	size_t i;

	if (vs == NULL)
		return;
	if (vs->logged_in) {
		for (i = 0; i < vs->nviews; i++) {
			vs_call(vs, "DestroyView", "ContainerView",
				vs->views[i].moid, NULL, NULL, &doc, &resp,
				NULL);
			xmlFreeDoc(doc);
		}
		if (vs->wpc) {
			vs_call(vs, "DestroyPropertyCollector",
				"PropertyCollector", vs->wpc, NULL, NULL,
				&doc, &resp, NULL);
			xmlFreeDoc(doc);
		}
		vs_call(vs, "Logout", "SessionManager", vs->session_mgr, NULL,
			NULL, &doc, &resp, NULL);
		xmlFreeDoc(doc);
	}
	forget_session_objects(vs);
	if (vs->h)
		curl_easy_cleanup(vs->h);
	curl_slist_free_all(vs->hdrs);
	free(vs->url);
	free(vs->user);
	secret_free(vs->pw);
	free(vs->pc);
	free(vs->view_mgr);
	free(vs->session_mgr);
	free(vs->root);
	free(vs->file_mgr);
	free(vs->search);
	free(vs->event_mgr);
	free(vs->task_mgr);
	free(vs->guest_mgr);
	free(vs->guest_pm);
	free(vs->guest_fm);
	free(vs->ca_file);
	free(vs->pin_pem);
	json_object_put(vs->about);
	free(vs);
}

json_object *
vs_about(const struct vs_client *vs)
{
	return vs ? vs->about : NULL;
}

const char *
vs_pinned_cert(const struct vs_client *vs)
{
	return vs ? vs->pin_pem : NULL;
}

const char *
vs_file_manager(const struct vs_client *vs)
{
	return vs->file_mgr;
}

