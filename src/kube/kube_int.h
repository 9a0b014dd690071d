/* kube_int.h: what the files of src/kube/ share: the resolved connection
 * settings (kubeconfig, exec plugin, service account) and their tests. */
#ifndef MTV_KUBE_INT_H
#define MTV_KUBE_INT_H

#include <sys/types.h>
#include <time.h>

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
		     struct mtv_err *err);
/* Resolve context (NULL: current-context) of a merged kubeconfig into c. */
int kubeconfig_resolve(struct kube_conf *c, json_object *cfg,
		       const char *context, struct mtv_err *err);
/* The two above for the file list of flag. */
int kube_conf_from_kubeconfig(struct kube_conf *c, const char *flag,
			      const char *context, struct mtv_err *err);
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

#endif
