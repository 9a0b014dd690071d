/* kube_auth.c: the bearer token: refreshed before it changes, renewed
 * after a 401 the way it was first obtained, and OpenShift OAuth (the
 * challenging client's login with a user name and password, the token's
 * name, its revocation). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "kube/kube_int.h"

/* ---- tokens ---- */

int
kube_token_refresh(struct kube_client *k, struct mtv_err *err)
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

int
kube_reauth(struct kube_client *k, struct mtv_err *err)
{
	struct kube_conf *c = &k->conf, fresh;
	int r;

	k->st.reauths++;
	switch (c->auth) {
	case KUBE_AUTH_OAUTH:
		log_verbose(
			"kubernetes: token refused, logging in again as \"%s\"",
			k->username);
		return kube_oauth_login(k, err);
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
					      k->load, err);
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

/* ---- OpenShift OAuth ---- */

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

		r = kube_perform(k, k->h, "GET", url, NULL, NULL, auth, NULL, NULL,
			    rs, 0, true, err);
		if (r == MTV_EAUTH && k->oauth_system_roots) {
			/* not signed by a system CA: try the cluster's CA, as
			 * oc does */
			k->oauth_system_roots = false;
			r = kube_perform(k, k->h, "GET", url, NULL, NULL, auth, NULL,
				    NULL, rs, 0, true, err);
		}
		if (kube_retry_decide(rs->status,
				      r != 0 && r != MTV_EAUTH &&
					      r != MTV_ECANCELED,
				      rs->retry_after, attempt, true,
				      &delay) != KUBE_RETRY)
			break;
		k->st.retries++;
		if (kube_backoff_sleep(k, delay, err) != 0)
			break;
	}
	return r;
}

int
kube_oauth_login(struct kube_client *k, struct mtv_err *err)
{
	struct resp rs = { 0 };
	json_object *meta = NULL;
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
	if (rs.status != 200 || !(meta = kube_parse_body(&rs)) ||
	    !(endpoint = jtext(meta, "authorization_endpoint"))) {
		r = err_set(
			err, MTV_EAUTH,
			"\"%s\" offers no OpenShift OAuth server (HTTP %ld): log in with a kubeconfig instead",
			k->conf.server, rs.status);
		goto out;
	}
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
			err, MTV_ELOGIN,
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
	kube_resp_release(&rs);
	free(url);
	kube_header_free(auth);
	if (userpass)
		freezero(userpass, strlen(userpass));
	if (b64)
		freezero(b64, strlen(b64));
	free(loc_err);
	free(tok);
	return r;
}

void
kube_oauth_revoke(struct kube_client *k)
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
	auth = kube_bearer(k);
	r = kube_perform(k, k->h, "DELETE", url, NULL, NULL, auth, NULL, NULL, &rs,
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
	kube_header_free(auth);
	kube_resp_release(&rs);
	free(url);
	free(path);
	free(name);
}

