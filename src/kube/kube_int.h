/* kube_int.h: what the files of src/kube/ share: the resolved connection
 * settings (kubeconfig, exec plugin, service account), the client, the
 * HTTP exchange (kube_http.c), tokens and OAuth (kube_auth.c), and their
 * tests. */
#ifndef MTV_KUBE_INT_H
#define MTV_KUBE_INT_H

#include <sys/types.h>
#include <time.h>

#include <curl/curl.h>

#include "kube/kube.h"

#define KUBE_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"

/* Where the bearer token comes from, which decides what a 401 does. */
enum kube_auth {
	KUBE_AUTH_NONE,
	KUBE_AUTH_TOKEN,	/* kubeconfig token: re-read the kubeconfig */
	KUBE_AUTH_TOKEN_FILE,	/* tokenFile or service account: re-read */
	KUBE_AUTH_EXEC,		/* exec plugin: run it again */
	KUBE_AUTH_CERT,		/* client certificate only */
	KUBE_AUTH_OAUTH,	/* username/password: log in again */
};

/* Connection settings, all owned. */
struct kube_conf {
	char *server;			/* "https://host:port", no final slash */
	char *ca_file;
	unsigned char *ca_data;		/* PEM bytes */
	size_t ca_len;
	bool insecure;
	char *tls_server_name;
	char *proxy_url;
	char *token;			/* registered with redact */
	char *token_file;
	long long token_mtime;		/* ns; a change means re-read */
	char *cert_file, *key_file;
	unsigned char *cert_data;	/* PEM */
	unsigned char *key_data;	/* PEM, registered with redact */
	size_t cert_len, key_len;
	json_object *exec;		/* users[].user.exec (owned copy) */
	long long exec_expiry_ms;	/* wall clock ms; 0: no expiry */
	char *namespace;
	char *origin;			/* "kubeconfig", "in-cluster", "oauth" */
	enum kube_auth auth;
};

void kube_conf_release(struct kube_conf *c);

/* The kubeconfig file list: the flag alone, else $KUBECONFIG split on ':'
 * (empty names ignored), else $HOME/.kube/config. *out is a NULL-ended
 * array the caller frees with kube_strv_free; MTV_ENOTFOUND when none. */
int kubeconfig_paths(char ***out, const char *flag, struct mtv_err *err);
void kube_strv_free(char **v);
/* Load and merge files as kubectl does: the first file to set a value or
 * a named cluster/user/context wins; relative file references are made
 * absolute against their file's folder. *out belongs to the caller. */
int kubeconfig_merge(json_object **out, char *const *paths,
		     kube_load_fn load, struct mtv_err *err);
/* Resolve context (NULL: current-context) of a merged kubeconfig into c. */
int kubeconfig_resolve(struct kube_conf *c, json_object *cfg,
		       const char *context, struct mtv_err *err);
/* The two above for the file list of flag. */
int kube_conf_from_kubeconfig(struct kube_conf *c, const char *flag,
			      const char *context, kube_load_fn load,
			      struct mtv_err *err);
/* Service-account settings from KUBERNETES_SERVICE_HOST/PORT and dir
 * (NULL: KUBE_SA_DIR); MTV_ENOTFOUND when not in a cluster. */
int kube_conf_in_cluster(struct kube_conf *c, const char *dir,
			 struct mtv_err *err);
/* Run the exec credential plugin of c and take its token or client
 * certificate and key. */
int kube_conf_exec(struct kube_conf *c, struct mtv_err *err);
/* Re-read c->token_file when it changed (force: always). */
int kube_conf_reload_token(struct kube_conf *c, bool force,
			   struct mtv_err *err);

/* Retry decisions (pure, for tests). */
enum kube_retry { KUBE_DONE, KUBE_RETRY, KUBE_REAUTH };
/* What to do after attempt (0-based) ended with HTTP status (0: transport
 * error curl_ok false); *delay_ms gets the wait before the next attempt.
 * retry_after is the header's value or NULL. */
enum kube_retry kube_retry_decide(long status, bool transport_error,
				  const char *retry_after, int attempt,
				  bool reauthed, long *delay_ms);
/* Collection path with query: labelSelector, fieldSelector, limit,
 * continue (each may be NULL/0). */
char *kube_list_url(const char *path, const char *label_selector,
		    const char *field_selector, int limit, const char *cont);
/* "sha256~" + base64url(sha256(token without "sha256~")) without padding. */
char *kube_oauth_token_name(const char *token);
/* access_token from a Location URL's fragment; NULL when there is none
 * (then *error gets the error/error_description query if any). */
char *kube_oauth_parse_location(const char *location, char **error);

/* ---- the client (kube.c) ---- */

#define KUBE_BODY_MAX (256L * 1024 * 1024)

struct kube_client {
	CURL *h;			/* requests */
	CURL *wh;			/* watch streams */
	struct kube_conf conf;
	char *kubeconfig, *context;	/* to re-read after a 401 */
	kube_load_fn load;
	char *username;
	struct secret *password;
	int page_size;
	volatile sig_atomic_t *cancel;	/* set by SIGINT/SIGTERM handlers */
	bool oauth_system_roots;	/* OAuth server: system CAs first */
	struct kube_stats st;
	char errbuf[CURL_ERROR_SIZE];
};

/* ---- HTTP (kube_http.c) ---- */

struct resp {
	long status;
	struct strbuf body;
	char *retry_after;
};

void kube_resp_release(struct resp *rs);
/* The body parsed as JSON (owned by the caller), or NULL. */
json_object *kube_parse_body(const struct resp *rs);
/* Append key=url_encode(val) with '?' or '&'. */
void kube_add_param(struct strbuf *sb, const char *key, const char *val);
/* One HTTP exchange on h; 0 when a response arrived (any status). wcb
 * (may be NULL) takes the body instead of rs; timeout_ms 0: none, but a
 * stalled server is an error; oauth: the OAuth server's CA rules. */
int kube_perform(struct kube_client *k, CURL *h, const char *method,
		 const char *url, const char *ctype, const char *body,
		 const char *auth_header, curl_write_callback wcb, void *warg,
		 struct resp *rs, long timeout_ms, bool oauth,
		 struct mtv_err *err);
/* The Status object of a failed request as an error; returns the code. */
/* Prefix an MTV_ELOGIN error with the server and user whose credentials
 * were refused (never the secret); returns err->code. */
int kube_login_refused(const struct kube_client *k, struct mtv_err *err);
int kube_status_err(const char *method, const char *path,
		    const struct resp *rs, struct mtv_err *err);
/* Back off for ms, in slices so that an interrupt is seen soon. */
int kube_backoff_sleep(struct kube_client *k, long ms, struct mtv_err *err);
/* "Authorization: Bearer ..." (free with kube_header_free), or NULL. */
char *kube_bearer(const struct kube_client *k);
/* Wipe and free a header that may hold a credential; accepts NULL. */
void kube_header_free(char *h);

/* ---- tokens and OpenShift OAuth (kube_auth.c) ---- */

/* Refresh a token that is about to change (token file rotated, exec
 * credential expired). */
int kube_token_refresh(struct kube_client *k, struct mtv_err *err);
/* After a 401: a new token the way the first one came; 1 when nothing
 * can change (the 401 stands). */
int kube_reauth(struct kube_client *k, struct mtv_err *err);
/* Log in with k->username and k->password; sets k->conf.token. */
int kube_oauth_login(struct kube_client *k, struct mtv_err *err);
/* Delete the OAuth token we obtained (every login makes an object). */
void kube_oauth_revoke(struct kube_client *k);

/* ---- requests (kube.c) ---- */

/* A request on path with retries (429, 5xx, transport) and one
 * re-authentication; 0 whenever an answer arrived. */
int kube_send(struct kube_client *k, const char *method, const char *path,
	      const char *ctype, const char *body, struct resp *rs,
	      struct mtv_err *err);
/* kube_send that must answer 2xx; *out (may be NULL) gets the body. */
int kube_call(struct kube_client *k, const char *method, const char *path,
	      const char *ctype, json_object *body, json_object **out,
	      long *status, struct mtv_err *err);
/* metadata.name of obj (borrowed), or NULL. */
const char *kube_obj_name(json_object *obj);
/* All pages of a list: *items (a new array) and, when rv is not NULL, the
 * list's resourceVersion (owned by the caller). */
int kube_list_all(struct kube_client *k, const char *path,
		  const char *label_selector, const char *field_selector,
		  json_object **items, char **rv, struct mtv_err *err);

/* ---- KubeVirt's port-forward (kube_portforward.c) ---- */

/* Where the WebSocket goes: TLS or not, host (IPv6 without brackets),
 * port and the subresource path (after the server URL's own path). */
struct kube_pf_target {
	bool tls;
	char *host;
	int port;
	char *path;
};

#ifdef MTV_TESTING
int kube_pf_target(struct kube_pf_target *t, const char *server,
		   const char *ns, const char *vmi, int port);
void kube_pf_target_release(struct kube_pf_target *t);
#endif

#endif
