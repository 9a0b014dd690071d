/* kube.c: mtv-test-tool kube, the Kubernetes client for shell tests and the
 * benchmark. Commands are separated by "+" and run on one client:
 *
 *   kube [--kubeconfig F] [--context C] [--page-size N] [--log-level L]
 *        [--sa-dir DIR] [--stats] CMD ARGS [+ CMD ARGS]...
 *
 *   create KIND NS FILE|JSON          prints "created NAME"
 *   adopt KIND NS FILE|JSON LABEL VALUE
 *   get KIND NS NAME                  prints the object (JSON)
 *   list KIND NS [LABELSELECTOR]      prints "COUNT name1 name2 ..."
 *   patch KIND NS NAME JSON           merge patch
 *   delete KIND NS NAME [PROPAGATION]
 *   wait KIND NS NAME FIELD=VALUE TIMEOUT   FIELD is a dotted path
 *   wait-gone KIND NS NAME TIMEOUT
 *   request METHOD PATH               prints "STATUS" and the body
 *   ctl METHOD PATH [JSON]            plain HTTP to $LAB_CONTROL
 *   sh COMMAND                        run a shell command between requests
 *   ssh [options] NS VMI -- CMD...    port-forward and SSH (guest.c)
 *
 * NS "-" means cluster-scoped. Connection: step_kube_opts (no profile),
 * so --kubeconfig, KUBECONFIG or CLUSTER_HOST/USERNAME/PASSWORD. Exit 0 when
 * every command worked, 1 otherwise (the error on stderr). */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "kube/kube.h"
#include "step/step.h"
#include "tool.h"

static volatile sig_atomic_t canceled;

static void
on_signal(int sig)
{
	canceled = sig;
}

struct waitspec {
	const char *name;
	const char *field;
	const char *value;
	bool gone;
	bool seen_gone;
	long events;
};

static const char *
ns_arg(const char *s)
{
	return strcmp(s, "-") == 0 ? NULL : s;
}

static json_object *
json_arg(const char *s, struct mtv_err *err)
{
	json_object *o;
	char *buf = NULL;
	size_t len = 0;

	if (s[0] == '{' || s[0] == '[')
		o = json_tokener_parse(s);
	else if (file_read(&buf, &len, s, 0, err) == 0)
		o = json_tokener_parse(buf);
	else
		return NULL;
	free(buf);
	if (!o)
		err_set(err, MTV_EINVAL, "\"%s\" is not JSON", s);
	return o;
}

/* Dotted path lookup as a string, or NULL. */
static const char *
field_get(json_object *obj, const char *path)
{
	char *copy = xstrdup(path), *save = NULL, *tok;
	json_object *v = obj;
	const char *r = NULL;

	for (tok = strtok_r(copy, ".", &save); tok && v;
	     tok = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(v, tok, &v))
			v = NULL;
	if (v)
		r = json_object_get_string(v);
	free(copy);
	return r;
}

static const char *
obj_name(json_object *obj)
{
	return field_get(obj, "metadata.name");
}

static int
on_event(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct waitspec *w = arg;
	const char *v;

	(void)err;
	if (!str_eq(obj_name(obj), w->name))
		return 0;
	w->events++;
	printf("event %s %s %s\n", type, w->name,
	       field_get(obj, "metadata.resourceVersion")
		       ? field_get(obj, "metadata.resourceVersion")
		       : "");
	fflush(stdout);
	if (w->gone)
		return strcmp(type, "DELETED") == 0;
	if (strcmp(type, "DELETED") == 0)
		return 0;
	v = field_get(obj, w->field);
	return str_eq(v, w->value);
}

/* Plain HTTP to the lab's control endpoint. */
static int
ctl(const char *method, const char *path, const char *body, struct mtv_err *err)
{
	const char *base = getenv("LAB_CONTROL");
	CURL *h = curl_easy_init();
	struct curl_slist *hdr =
		curl_slist_append(NULL, "Content-Type: application/json");
	char *url;
	long status = 0;
	CURLcode cc;

	if (!base)
		return err_set(err, MTV_EINVAL, "LAB_CONTROL is not set");
	url = xasprintf("%s%s", base, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	free(url);
	printf("\n");
	if (cc != CURLE_OK || status != 200)
		return err_set(err, MTV_ENET, "control %s %s: %s (HTTP %ld)",
			       method, path, curl_easy_strerror(cc), status);
	return 0;
}

static int
run_cmd(struct kube_client *k, int argc, char **argv, struct mtv_err *err)
{
	const char *cmd = argv[0];
	json_object *obj = NULL, *out = NULL;
	char *path = NULL;
	int r = MTV_EINVAL;

	if (strcmp(cmd, "ctl") == 0 && argc >= 3)
		return ctl(argv[1], argv[2], argc > 3 ? argv[3] : NULL, err);
	if (strcmp(cmd, "sh") == 0 && argc == 2) {
		fflush(stdout);
		if (system(argv[1]) != 0)
			return err_set(err, MTV_EFAILED, "\"%s\" failed",
				       argv[1]);
		return 0;
	}
	if (strcmp(cmd, "ssh") == 0)
		return tool_kube_ssh(k, argc, argv, err);
	if (strcmp(cmd, "request") == 0 && argc == 3) {
		long status = 0;

		r = kube_request(k, argv[1], argv[2], NULL, NULL, &status, &out,
				 err);
		if (r == 0)
			printf("%ld %s\n", status,
			       out ? json_object_to_json_string(out) : "");
		json_object_put(out);
		return r;
	}
	if (argc < 3)
		return err_set(err, MTV_EINVAL, "%s: missing arguments", cmd);
	if (strcmp(cmd, "create") == 0 || strcmp(cmd, "adopt") == 0) {
		path = kube_path(argv[1], ns_arg(argv[2]), NULL);
		if (!path || argc < 4 || !(obj = json_arg(argv[3], err)))
			goto bad;
		if (cmd[0] == 'a' && argc == 6)
			r = kube_create_or_adopt(k, path, obj, argv[4], argv[5],
						 &out, err);
		else
			r = kube_create(k, path, obj, &out, err);
		if (r == 0)
			printf("%s %s\n", cmd[0] == 'a' ? "have" : "created",
			       obj_name(out));
		goto done;
	}
	if (strcmp(cmd, "list") == 0) {
		size_t i;

		path = kube_path(argv[1], ns_arg(argv[2]), NULL);
		if (!path)
			goto bad;
		r = kube_list(k, path, argc > 3 ? argv[3] : NULL, &out, err);
		if (r == 0) {
			printf("%zu", json_object_array_length(out));
			for (i = 0; i < json_object_array_length(out); i++)
				printf(" %s",
				       obj_name(json_object_array_get_idx(out,
									  i)));
			printf("\n");
		}
		goto done;
	}
	if (argc < 4)
		return err_set(err, MTV_EINVAL, "%s: missing arguments", cmd);
	if (strcmp(cmd, "get") == 0) {
		path = kube_path(argv[1], ns_arg(argv[2]), argv[3]);
		if (!path)
			goto bad;
		r = kube_get(k, path, &out, err);
		if (r == 0)
			printf("%s\n", json_object_to_json_string_ext(
					       out, JSON_C_TO_STRING_PLAIN));
	} else if (strcmp(cmd, "patch") == 0 && argc == 5) {
		path = kube_path(argv[1], ns_arg(argv[2]), argv[3]);
		if (!path || !(obj = json_arg(argv[4], err)))
			goto bad;
		r = kube_patch_merge(k, path, obj, &out, err);
		if (r == 0)
			printf("patched %s %s\n", obj_name(out),
			       field_get(out, "metadata.resourceVersion"));
	} else if (strcmp(cmd, "delete") == 0) {
		path = kube_path(argv[1], ns_arg(argv[2]), argv[3]);
		if (!path)
			goto bad;
		r = kube_delete(k, path, argc > 4 ? argv[4] : NULL, err);
		if (r == 0)
			printf("deleted %s\n", argv[3]);
	} else if ((strcmp(cmd, "wait") == 0 && argc == 6) ||
		   (strcmp(cmd, "wait-gone") == 0 && argc == 5)) {
		struct waitspec w = { .name = argv[3] };
		char *fsel = xasprintf("metadata.name=%s", argv[3]);
		const char *eq;
		long long t0 = clock_ms();

		w.gone = cmd[4] == '-';
		if (!w.gone) {
			eq = strchr(argv[4], '=');
			if (!eq) {
				free(fsel);
				goto bad;
			}
			w.field = xstrndup(argv[4], (size_t)(eq - argv[4]));
			w.value = eq + 1;
		}
		path = kube_path(argv[1], ns_arg(argv[2]),
				 w.gone ? argv[3] : NULL);
		if (path && w.gone)
			r = kube_wait_gone(k, path, atoi(argv[4]), err);
		else if (path)
			r = kube_wait(k, path, fsel, NULL,
				      atoi(argv[w.gone ? 4 : 5]), on_event, &w,
				      err);
		if (r == 0)
			printf("done %s after %lld ms, %ld events\n", argv[3],
			       clock_ms() - t0, w.events);
		free((char *)w.field);
		free(fsel);
	} else {
		goto bad;
	}
	goto done;
bad:
	if (r == MTV_EINVAL && (!err || err->code == 0))
		r = err_set(err, MTV_EINVAL,
			    "bad command \"%s\" (see tests/tool/kube.c)", cmd);
done:
	json_object_put(obj);
	json_object_put(out);
	free(path);
	return r;
}

int
tool_kube(int argc, char **argv)
{
	const char *kubeconfig = NULL, *context = NULL, *sa_dir = NULL;
	struct kube_client *k = NULL;
	struct kube_opts o;
	struct mtv_err err = { 0 };
	enum mtv_loglevel lvl;
	int i, start, r, page = 0;
	bool stats = false;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] == '-'; i++) {
		if (strcmp(argv[i], "--stats") == 0)
			stats = true;
		else if (i + 1 >= argc)
			break;
		else if (strcmp(argv[i], "--kubeconfig") == 0)
			kubeconfig = argv[++i];
		else if (strcmp(argv[i], "--sa-dir") == 0)
			sa_dir = argv[++i];
		else if (strcmp(argv[i], "--context") == 0)
			context = argv[++i];
		else if (strcmp(argv[i], "--page-size") == 0)
			page = atoi(argv[++i]);
		else if (strcmp(argv[i], "--log-level") == 0 &&
			 log_level_parse(argv[i + 1], &lvl) == 0)
			log_set_level(lvl), i++;
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr,
			"usage: mtv-test-tool kube [options] CMD ARGS [+ CMD ARGS]...\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	step_kube_opts(&o, NULL, kubeconfig, context);
	o.sa_dir = sa_dir;
	r = kube_connect(&k, &o, &err);
	secret_free((struct secret *)o.password);
	if (r == 0 && page > 0)
		kube_set_page_size(k, page);
	if (r == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		kube_set_cancel(k, &canceled);
	}
	for (start = i; r == 0 && start < argc; start = i + 1) {
		for (i = start; i < argc && strcmp(argv[i], "+") != 0; i++)
			;
		argv[i < argc ? i : argc] = NULL;
		r = run_cmd(k, i - start, argv + start, &err);
		fflush(stdout);
	}
	if (stats && k) {
		struct kube_stats st;

		kube_stats_get(k, &st);
		printf("stats {\"requests\":%ld,\"retries\":%ld,\"reauths\":%ld,\"watches\":%ld,\"relists\":%ld}\n",
		       st.requests, st.retries, st.reauths, st.watches,
		       st.relists);
	}
	kube_free(k);
	curl_global_cleanup();
	if (r != 0) {
		log_error("%s", err.msg);
		return 1;
	}
	return 0;
}
