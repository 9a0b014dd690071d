/* kube.h: Kubernetes/OpenShift REST client (libcurl + json-c): kubeconfig,
 * in-cluster service account, OpenShift OAuth login, CRUD and list+watch.
 * A client is used by one thread at a time (step_kube: one per thread). */
#ifndef MTV_KUBE_H
#define MTV_KUBE_H

#include <signal.h>

#include <json-c/json.h>

#include "util/util.h"

struct kube_client;

/* Read the kubeconfig file path (YAML or JSON) into *out (owned by the
 * caller; NULL for an empty file); err says why it cannot. */
typedef int (*kube_load_fn)(json_object **out, const char *path,
			    struct mtv_err *err);

/* Connection options (the step layer fills them from --kubeconfig,
 * --context, the profile and the CLUSTER_* environment). */
struct kube_opts {
	/* --kubeconfig; NULL: the $KUBECONFIG list, ~/.kube/config */
	const char *kubeconfig;
	const char *context;		/* NULL: current-context */
	/* OAuth login to server with username and password */
	const char *server;
	const char *username;
	const struct secret *password;
	const char *ca_file;
	bool insecure;
	kube_load_fn load;		/* NULL: kubeconfig files are JSON */
	/* NULL: /var/run/secrets/kubernetes.io/serviceaccount */
	const char *sa_dir;
};

/* Connect (no request yet beyond what login needs). Order: o->kubeconfig
 * (--kubeconfig) or the $KUBECONFIG list, else server + username + password
 * (OAuth login, token revoked by kube_free), else ~/.kube/config, else the
 * in-cluster service account. *out owned by caller. */
int kube_connect(struct kube_client **out, const struct kube_opts *o,
		 struct mtv_err *err);
/* Revoke an OAuth token we obtained, free; accepts NULL. */
void kube_free(struct kube_client *k);
const char *kube_server(const struct kube_client *k);
/* Namespace of the kubeconfig context or service account (borrowed; NULL). */
const char *kube_namespace(const struct kube_client *k);
/* Requests, backoffs and waits stop with MTV_ECANCELED once *flag is
 * non-zero (the runner's SIGINT/SIGTERM flag); NULL turns it off. */
void kube_set_cancel(struct kube_client *k, volatile sig_atomic_t *flag);
/* Items per list page (default 500; tests use small pages). */
void kube_set_page_size(struct kube_client *k, int n);

/* Resource paths: "/apis/forklift.konveyor.io/v1beta1/namespaces/NS/plans[/NAME]",
 * "/api/v1/namespaces/NS/secrets". kind is "Plan", "Secret", ... (table in
 * kube.c); ns NULL for cluster-scoped; name NULL for the collection. */
char *kube_path(const char *kind, const char *ns, const char *name);

/* 409 AlreadyExists gives MTV_ECONFLICT with the existing object in *out when
 * out != NULL (callers decide whether to adopt). */
int kube_create(struct kube_client *k, const char *path, json_object *obj,
		json_object **out, struct mtv_err *err);
/* kube_create, but a 409 whose existing object carries labels[label] ==
 * value is adopted (0, *out = the existing object); any other existing
 * object is MTV_ECONFLICT with a message saying it is not ours. */
int kube_create_or_adopt(struct kube_client *k, const char *path,
			 json_object *obj, const char *label, const char *value,
			 json_object **out, struct mtv_err *err);
/* MTV_ENOTFOUND on 404. */
int kube_get(struct kube_client *k, const char *path, json_object **out,
	     struct mtv_err *err);
/* All items (pages followed). *out is a json array. */
int kube_list(struct kube_client *k, const char *path,
	      const char *label_selector, json_object **out,
	      struct mtv_err *err);
/* kube_list with a field selector too (either may be NULL). */
int kube_list_fields(struct kube_client *k, const char *path,
		     const char *label_selector, const char *field_selector,
		     json_object **out, struct mtv_err *err);
int kube_patch_merge(struct kube_client *k, const char *path,
		     json_object *patch, json_object **out,
		     struct mtv_err *err);
/* propagation: NULL, "Background", "Foreground", "Orphan". 404 is success. */
int kube_delete(struct kube_client *k, const char *path,
		const char *propagation, struct mtv_err *err);
/* Pod log text (GET .../pods/NAME/log). */
int kube_pod_log(struct kube_client *k, const char *ns, const char *pod,
		 char **out, struct mtv_err *err);
/* The same for one container (NULL: the only one) and the last tail_lines
 * lines (0: all). */
int kube_pod_log_tail(struct kube_client *k, const char *ns, const char *pod,
		      const char *container, int tail_lines, char **out,
		      struct mtv_err *err);
/* Pod log options (PodLogOptions): container (NULL: the only one),
 * tailLines (0: all), sinceTime (RFC 3339; NULL: from the start) and
 * limitBytes (0: no limit; the server may stop mid-line). */
struct kube_log_opts {
	const char *container;
	int tail_lines;
	const char *since_time;
	long limit_bytes;
};
int kube_pod_log_opts(struct kube_client *k, const char *ns, const char *pod,
		      const struct kube_log_opts *o, char **out,
		      struct mtv_err *err);

/* Wait by list + watch on a collection path. fn gets every object of the
 * initial list as "ADDED", then watch events ("ADDED", "MODIFIED",
 * "DELETED"); it returns 1 when done, 0 to go on, negative to fail (err set
 * by fn). Resumes from the last resourceVersion, re-lists on 410, retries
 * 429/5xx with backoff. MTV_ETIMEOUT after timeout_s. field_selector and
 * label_selector may be NULL. */
typedef int (*kube_event_fn)(const char *type, json_object *obj, void *arg,
			     struct mtv_err *err);
int kube_wait(struct kube_client *k, const char *path,
	      const char *field_selector, const char *label_selector,
	      int timeout_s, kube_event_fn fn, void *arg, struct mtv_err *err);

/* kube_wait that goes on where an earlier wait on the same path and
 * selectors stopped: *rv (in and out; NULL at first, the caller frees)
 * holds its resourceVersion. With one, nothing is listed (fn has seen those
 * objects) and the watch resumes from it; an expired one (410) lists again.
 * So a long wait in bounded rounds costs one watch request a round. */
int kube_wait_resume(struct kube_client *k, const char *path,
		     const char *field_selector, const char *label_selector,
		     int timeout_s, kube_event_fn fn, void *arg, char **rv,
		     struct mtv_err *err);

/* Wait until the object at path (".../NAME") does not exist: at once
 * when it is absent, else until its DELETED event (finalizers done).
 * MTV_ETIMEOUT after timeout_s. */
int kube_wait_gone(struct kube_client *k, const char *path, int timeout_s,
		   struct mtv_err *err);

/* Raw request (method, path with query, JSON body or NULL); *status gets the
 * HTTP status; *out the parsed body (may be NULL). Retries and re-auth as
 * above. Returns 0 whenever an HTTP answer arrived, whatever its status. */
int kube_request(struct kube_client *k, const char *method, const char *path,
		 const char *content_type, json_object *body, long *status,
		 json_object **out, struct mtv_err *err);

/* Open KubeVirt's port-forward to port of VirtualMachineInstance ns/vmi
 * (GET .../subresources.kubevirt.io/v1/namespaces/NS/
 * virtualmachineinstances/NAME/portforward/PORT/tcp as a WebSocket,
 * libwebsockets, authenticated and verified as k's requests are). *fd is
 * one end of a socket pair whose bytes travel the forward; a thread of its
 * own pumps them; closing *fd ends the forward and the thread. A refused
 * upgrade says its HTTP status: 401 MTV_ELOGIN, 403 MTV_EAUTH, no such
 * VMI MTV_ENOTFOUND, a VMI not running MTV_EIO; a failed TLS check is
 * MTV_EAUTH; a kubeconfig proxy-url is not supported (MTV_EINVAL). */
int kube_portforward(struct kube_client *k, const char *ns, const char *vmi,
		     int port, int *fd, struct mtv_err *err);

/* Counters for benchmarks: requests sent, retries, re-authentications. */
struct kube_stats {
	long requests, retries, reauths, watches, relists;
};
void kube_stats_get(const struct kube_client *k, struct kube_stats *out);

#endif
