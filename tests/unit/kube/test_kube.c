/* test_kube.c: kubeconfig loading and merging, exec credential plugins,
 * the in-cluster service account, resource paths, retry decisions, query
 * encoding and the OAuth token helpers of the Kubernetes client. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "unit.h"
#include "doc/doc.h"
#include "kube/kube_int.h"

static char tmpdir[64];

/* YAML kubeconfigs through the document loader, as the step layer does. */
static int
load_yaml(json_object **out, const char *path, struct mtv_err *err)
{
	struct mtv_diags diags = { 0 };
	struct mtv_doc *doc = NULL;
	int r = doc_load_file(&doc, path, &diags);

	*out = r == 0 ? json_object_get(doc_root(doc)) : NULL;
	if (r != 0)
		err_set(err, r, "%s", diags.n ? diags.v[0].msg : "syntax error");
	doc_free(doc);
	diags_release(&diags);
	return r;
}

static int
suite_init(void)
{
	strcpy(tmpdir, "/tmp/mtv-kube-test.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
suite_clean(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int r = system(cmd);

	free(cmd);
	return r == 0 ? 0 : -1;
}

/* Write text to tmpdir/name and return the path (caller frees). */
static char *
put(const char *name, const char *text, mode_t mode)
{
	char *p = xasprintf("%s/%s", tmpdir, name);
	FILE *fp = fopen(p, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs(text, fp);
	fclose(fp);
	chmod(p, mode);
	return p;
}

static const char *
jstr_path(json_object *o, const char *a, const char *b)
{
	json_object *v;

	if (!json_object_object_get_ex(o, a, &v))
		return NULL;
	if (b && !json_object_object_get_ex(v, b, &v))
		return NULL;
	return json_object_get_string(v);
}

static const char KC_A[] =
	"apiVersion: v1\nkind: Config\ncurrent-context: ctx-a\n"
	"clusters:\n- name: c1\n  cluster:\n    server: https://a.example:6443/\n"
	"    certificate-authority: ca/a.pem\n    proxy-url: http://proxy.example:3128\n"
	"users:\n- name: u1\n  user:\n    token: token-from-a\n"
	"contexts:\n- name: ctx-a\n  context:\n    cluster: c1\n    user: u1\n    namespace: ns-a\n";
static const char KC_B[] =
	"apiVersion: v1\nkind: Config\ncurrent-context: ctx-b\n"
	"clusters:\n- name: c1\n  cluster:\n    server: https://b.example:6443\n"
	"    insecure-skip-tls-verify: true\n"
	"- name: c2\n  cluster:\n    server: https://c2.example\n"
	"    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==\n"
	"    certificate-authority: /ignored.pem\n"
	"users:\n- name: u1\n  user:\n    token: token-from-b\n"
	"- name: u2\n  user:\n    tokenFile: tok.txt\n    token: wins-over-file\n"
	"- name: u3\n  user:\n    tokenFile: tok.txt\n"
	"- name: u4\n  user:\n    client-certificate-data: Q0VSVA==\n    client-key-data: S0VZLWRhdGEtc2VjcmV0\n"
	"- name: u5\n  user:\n    client-certificate-data: Q0VSVA==\n"
	"contexts:\n- name: ctx-b\n  context:\n    cluster: c2\n    user: u2\n"
	"- name: ctx-file\n  context:\n    cluster: c2\n    user: u3\n"
	"- name: ctx-cert\n  context:\n    cluster: c2\n    user: u4\n"
	"- name: ctx-halfcert\n  context:\n    cluster: c2\n    user: u5\n"
	"- name: ctx-a\n  context:\n    cluster: c2\n    user: u2\n";

static void
test_paths(void)
{
	struct mtv_err err = { 0 };
	char **v = NULL;

	setenv("KUBECONFIG", "/x/a::/x/b:", 1);
	ASSERT_OK(kubeconfig_paths(&v, NULL, &err), &err);
	CU_ASSERT_STRING_EQUAL(v[0], "/x/a");
	CU_ASSERT_STRING_EQUAL(v[1], "/x/b");
	CU_ASSERT_PTR_NULL(v[2]);
	kube_strv_free(v);
	/* the flag alone, no merge */
	ASSERT_OK(kubeconfig_paths(&v, "/flag", &err), &err);
	CU_ASSERT_STRING_EQUAL(v[0], "/flag");
	CU_ASSERT_PTR_NULL(v[1]);
	kube_strv_free(v);
	unsetenv("KUBECONFIG");
	setenv("HOME", tmpdir, 1);
	CU_ASSERT_EQUAL(kubeconfig_paths(&v, NULL, &err), MTV_ENOTFOUND);
}

static void
test_merge(void)
{
	char *a = put("a.yaml", KC_A, 0600), *b = put("b.yaml", KC_B, 0600);
	char *paths[] = { a, b, NULL }, *ca = xasprintf("%s/ca/a.pem", tmpdir);
	struct mtv_err err = { 0 };
	struct kube_conf c = { 0 };
	json_object *m = NULL;

	ASSERT_OK_FATAL(kubeconfig_merge(&m, paths, load_yaml, &err), &err);
	/* the first file to set a value wins */
	CU_ASSERT_STRING_EQUAL(jstr_path(m, "current-context", NULL), "ctx-a");
	CU_ASSERT_EQUAL(
		json_object_array_length(json_object_object_get(m, "clusters")),
		2);
	CU_ASSERT_EQUAL(
		json_object_array_length(json_object_object_get(m, "users")),
		5);
	CU_ASSERT_EQUAL(
		json_object_array_length(json_object_object_get(m, "contexts")),
		5);
	ASSERT_OK(kubeconfig_resolve(&c, m, NULL, &err), &err);
	CU_ASSERT_STRING_EQUAL(c.server, "https://a.example:6443");
	CU_ASSERT_STRING_EQUAL(c.token, "token-from-a");
	CU_ASSERT_STRING_EQUAL(c.namespace, "ns-a");
	CU_ASSERT_FALSE(c.insecure); /* b's c1 is discarded as a whole */
	/* relative to the kubeconfig's folder */
	CU_ASSERT_STRING_EQUAL(c.ca_file, ca);
	CU_ASSERT_EQUAL(c.auth, KUBE_AUTH_TOKEN);
	CU_ASSERT_STRING_EQUAL(c.proxy_url, "http://proxy.example:3128");
	kube_conf_release(&c);
	/* --context; certificate-authority-data beats the file; token beats tokenFile */
	ASSERT_OK(kubeconfig_resolve(&c, m, "ctx-b", &err), &err);
	CU_ASSERT_STRING_EQUAL(c.server, "https://c2.example");
	CU_ASSERT_PTR_NULL(c.ca_file);
	CU_ASSERT_EQUAL(c.ca_len, 28);
	CU_ASSERT(c.ca_data &&
		  memcmp(c.ca_data, "-----BEGIN CERTIFICATE-----\n", 28) == 0);
	CU_ASSERT_STRING_EQUAL(c.token, "wins-over-file");
	kube_conf_release(&c);
	CU_ASSERT_EQUAL(kubeconfig_resolve(&c, m, "nope", &err), MTV_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "context \"nope\" not found"));
	kube_conf_release(&c);
	json_object_put(m);
	free(a);
	free(b);
	free(ca);
}

static void
test_token_file(void)
{
	char *a = put("a.yaml", KC_A, 0600), *b = put("b.yaml", KC_B, 0600);
	char *tok = put("tok.txt", "file-token-1\n", 0600);
	char *paths[] = { b, NULL };
	struct mtv_err err = { 0 };
	struct kube_conf c = { 0 };
	struct timeval tv[2] = { { 1000, 0 }, { 1000, 0 } };
	json_object *m = NULL;
	char *env;

	ASSERT_OK_FATAL(kubeconfig_merge(&m, paths, load_yaml, &err), &err);
	ASSERT_OK(kubeconfig_resolve(&c, m, "ctx-file", &err), &err);
	CU_ASSERT_EQUAL(c.auth, KUBE_AUTH_TOKEN_FILE);
	CU_ASSERT_STRING_EQUAL(c.token_file, tok);
	ASSERT_OK(kube_conf_reload_token(&c, true, &err), &err);
	CU_ASSERT_STRING_EQUAL(c.token, "file-token-1");
	/* a rotated file is read again; an unchanged one is not */
	free(put("tok.txt", "file-token-2\n", 0600));
	utimes(tok, tv);
	ASSERT_OK(kube_conf_reload_token(&c, false, &err), &err);
	CU_ASSERT_STRING_EQUAL(c.token, "file-token-2");
	free(put("tok.txt", "file-token-3\n", 0600));
	utimes(tok, tv);
	ASSERT_OK(kube_conf_reload_token(&c, false, &err), &err);
	CU_ASSERT_STRING_EQUAL(c.token, "file-token-2");
	kube_conf_release(&c);
	json_object_put(m);
	/* the same through KUBECONFIG as a list */
	env = xasprintf("%s:%s", a, b);
	setenv("KUBECONFIG", env, 1);
	ASSERT_OK(kube_conf_from_kubeconfig(&c, NULL, "ctx-file", load_yaml, &err), &err);
	CU_ASSERT_STRING_EQUAL(c.token, "file-token-3");
	kube_conf_release(&c);
	unsetenv("KUBECONFIG");
	free(env);
	free(a);
	free(b);
	free(tok);
}

static void
test_client_cert(void)
{
	char *b = put("b.yaml", KC_B, 0600);
	char *paths[] = { b, NULL }, *r;
	struct mtv_err err = { 0 };
	struct kube_conf c = { 0 };
	json_object *m = NULL;

	redact_reset();
	ASSERT_OK_FATAL(kubeconfig_merge(&m, paths, load_yaml, &err), &err);
	ASSERT_OK(kubeconfig_resolve(&c, m, "ctx-cert", &err), &err);
	CU_ASSERT_EQUAL(c.auth, KUBE_AUTH_CERT);
	CU_ASSERT_EQUAL(c.cert_len, 4);
	CU_ASSERT(memcmp(c.cert_data, "CERT", 4) == 0);
	CU_ASSERT_EQUAL(c.key_len, 15);
	/* the key is a secret */
	r = redact("key KEY-data-secret");
	CU_ASSERT_PTR_NULL(strstr(r, "KEY-data-secret"));
	free(r);
	kube_conf_release(&c);
	CU_ASSERT_EQUAL(kubeconfig_resolve(&c, m, "ctx-halfcert", &err),
			MTV_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "without its key"));
	kube_conf_release(&c);
	json_object_put(m);
	redact_reset();
	free(b);
}

static void
test_exec_plugin(void)
{
	char *script = put(
		"plugin.sh",
		"#!/bin/sh\n"
		"case \"$KUBERNETES_EXEC_INFO\" in *'\"kind\":\"ExecCredential\"'*) ;; *) exit 3;; esac\n"
		"echo \"plugin says $1\" >&2\n"
		"printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
		"\"status\":{\"token\":\"exec-%s-%s\",\"expirationTimestamp\":\"2030-01-02T03:04:05Z\"}}\\n' \"$1\" \"$PLUGIN_ENV\"\n",
		0700);
	char *fail = put("fail.sh",
			 "#!/bin/sh\necho 'no credentials here' >&2\nexit 7\n",
			 0700);
	char *yaml = xasprintf(
		"current-context: x\nclusters:\n- name: c\n  cluster:\n    server: https://h\n"
		"users:\n- name: u\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n"
		"      command: ./plugin.sh\n      args: [arg1]\n      env:\n      - name: PLUGIN_ENV\n        value: envval\n"
		"      interactiveMode: Never\n      provideClusterInfo: true\n"
		"- name: f\n  user:\n    exec:\n      command: %s\n      installHint: install the fail plugin\n"
		"- name: i\n  user:\n    exec:\n      command: /bin/true\n      interactiveMode: Always\n"
		"contexts:\n- name: x\n  context: {cluster: c, user: u}\n"
		"- name: y\n  context: {cluster: c, user: f}\n"
		"- name: z\n  context: {cluster: c, user: i}\n",
		fail);
	char *kc = put("exec.yaml", yaml, 0600);
	struct mtv_err err = { 0 };
	struct kube_conf c = { 0 };

	ASSERT_OK_FATAL(kube_conf_from_kubeconfig(&c, kc, NULL, load_yaml, &err), &err);
	CU_ASSERT_EQUAL(c.auth, KUBE_AUTH_EXEC);
	CU_ASSERT_PTR_NULL(c.token);
	/* relative command resolved against the kubeconfig's folder */
	ASSERT_OK(kube_conf_exec(&c, &err), &err);
	CU_ASSERT_STRING_EQUAL(c.token ? c.token : "", "exec-arg1-envval");
	CU_ASSERT_EQUAL(c.exec_expiry_ms, 1893553445000LL);
	kube_conf_release(&c);
	ASSERT_OK_FATAL(kube_conf_from_kubeconfig(&c, kc, "y", load_yaml, &err), &err);
	CU_ASSERT_EQUAL(kube_conf_exec(&c, &err), MTV_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "status 7"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no credentials here"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "install the fail plugin"));
	kube_conf_release(&c);
	ASSERT_OK_FATAL(kube_conf_from_kubeconfig(&c, kc, "z", load_yaml, &err), &err);
	CU_ASSERT_EQUAL(kube_conf_exec(&c, &err), MTV_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "needs a terminal"));
	kube_conf_release(&c);
	free(script);
	free(fail);
	free(yaml);
	free(kc);
}

static void
test_in_cluster(void)
{
	char *dir = xasprintf("%s/sa", tmpdir), *p;
	struct mtv_err err = { 0 };
	struct kube_conf c = { 0 };

	mkdir(dir, 0700);
	free(put("sa/token", "sa-token-1\n", 0600));
	free(put("sa/ca.crt", "PEM", 0600));
	free(put("sa/namespace", "mtv-tests\n", 0600));
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	CU_ASSERT_EQUAL(kube_conf_in_cluster(&c, dir, &err), MTV_ENOTFOUND);
	kube_conf_release(&c);
	setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "443", 1);
	ASSERT_OK(kube_conf_in_cluster(&c, dir, &err), &err);
	CU_ASSERT_STRING_EQUAL(c.server, "https://10.0.0.1:443");
	CU_ASSERT_STRING_EQUAL(c.token, "sa-token-1");
	CU_ASSERT_STRING_EQUAL(c.namespace, "mtv-tests");
	p = xasprintf("%s/ca.crt", dir);
	CU_ASSERT_STRING_EQUAL(c.ca_file, p);
	CU_ASSERT_EQUAL(c.auth, KUBE_AUTH_TOKEN_FILE);
	kube_conf_release(&c);
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	ASSERT_OK(kube_conf_in_cluster(&c, dir, &err), &err);
	CU_ASSERT_STRING_EQUAL(c.server, "https://[fd00::1]:443");
	kube_conf_release(&c);
	unsetenv("KUBERNETES_SERVICE_HOST");
	unsetenv("KUBERNETES_SERVICE_PORT");
	free(p);
	free(dir);
}

static void
test_kube_path(void)
{
	static const struct {
		const char *kind, *ns, *name, *want;
	} t[] = {
		{ "Namespace", "x", "ns1", "/api/v1/namespaces/ns1" },
		{ "Namespace", NULL, NULL, "/api/v1/namespaces" },
		{ "Secret", "n", "s", "/api/v1/namespaces/n/secrets/s" },
		{ "ConfigMap", "n", NULL, "/api/v1/namespaces/n/configmaps" },
		{ "Event", "n", NULL, "/api/v1/namespaces/n/events" },
		{ "Pod", "n", "p", "/api/v1/namespaces/n/pods/p" },
		{ "PersistentVolumeClaim", "n", "c",
		  "/api/v1/namespaces/n/persistentvolumeclaims/c" },
		{ "PersistentVolume", "n", "pv",
		  "/api/v1/persistentvolumes/pv" },
		{ "StorageClass", NULL, "sc",
		  "/apis/storage.k8s.io/v1/storageclasses/sc" },
		{ "Provider", "n", "p",
		  "/apis/forklift.konveyor.io/v1beta1/namespaces/n/providers/p" },
		{ "NetworkMap", "n", NULL,
		  "/apis/forklift.konveyor.io/v1beta1/namespaces/n/networkmaps" },
		{ "StorageMap", "n", NULL,
		  "/apis/forklift.konveyor.io/v1beta1/namespaces/n/storagemaps" },
		{ "Plan", "n", "p",
		  "/apis/forklift.konveyor.io/v1beta1/namespaces/n/plans/p" },
		{ "Plan", NULL, NULL,
		  "/apis/forklift.konveyor.io/v1beta1/plans" },
		{ "Migration", "n", NULL,
		  "/apis/forklift.konveyor.io/v1beta1/namespaces/n/migrations" },
		{ "Hook", "n", NULL,
		  "/apis/forklift.konveyor.io/v1beta1/namespaces/n/hooks" },
		{ "Host", "n", NULL,
		  "/apis/forklift.konveyor.io/v1beta1/namespaces/n/hosts" },
		{ "ForkliftController", "openshift-mtv", "fc",
		  "/apis/forklift.konveyor.io/v1beta1/namespaces/openshift-mtv/forkliftcontrollers/fc" },
		{ "VSphereXcopyVolumePopulator", "n", NULL,
		  "/apis/forklift.konveyor.io/v1beta1/namespaces/n/vspherexcopyvolumepopulators" },
		{ "VirtualMachine", "n", "vm",
		  "/apis/kubevirt.io/v1/namespaces/n/virtualmachines/vm" },
		{ "DataVolume", "n", NULL,
		  "/apis/cdi.kubevirt.io/v1beta1/namespaces/n/datavolumes" },
		{ "CustomResourceDefinition", NULL,
		  "plans.forklift.konveyor.io",
		  "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/plans.forklift.konveyor.io" },
		{ "plans", "n", NULL,
		  "/apis/forklift.konveyor.io/v1beta1/namespaces/n/plans" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		char *p = kube_path(t[i].kind, t[i].ns, t[i].name);

		CU_ASSERT_PTR_NOT_NULL(p);
		if (p && strcmp(p, t[i].want) != 0)
			fprintf(stderr, "kube_path(%s): %s\n", t[i].kind, p);
		CU_ASSERT_STRING_EQUAL(p ? p : "", t[i].want);
		free(p);
	}
	CU_ASSERT_PTR_NULL(kube_path("Frobnicator", "n", NULL));
}

static void
test_retry(void)
{
	long d = -1;

	CU_ASSERT_EQUAL(kube_retry_decide(200, false, NULL, 0, false, &d),
			KUBE_DONE);
	CU_ASSERT_EQUAL(kube_retry_decide(404, false, NULL, 0, false, &d),
			KUBE_DONE);
	CU_ASSERT_EQUAL(kube_retry_decide(409, false, NULL, 0, false, &d),
			KUBE_DONE);
	CU_ASSERT_EQUAL(kube_retry_decide(401, false, NULL, 0, false, &d),
			KUBE_REAUTH);
	CU_ASSERT_EQUAL(kube_retry_decide(401, false, NULL, 0, true, &d),
			KUBE_DONE);
	CU_ASSERT_EQUAL(kube_retry_decide(429, false, "3", 0, false, &d),
			KUBE_RETRY);
	CU_ASSERT_EQUAL(d, 3000);
	CU_ASSERT_EQUAL(kube_retry_decide(429, false, "999", 0, false, &d),
			KUBE_RETRY);
	CU_ASSERT_EQUAL(d, 60000);
	CU_ASSERT_EQUAL(kube_retry_decide(429, false, "soon", 0, false, &d),
			KUBE_RETRY);
	CU_ASSERT_EQUAL(d, 200);
	CU_ASSERT_EQUAL(kube_retry_decide(503, false, NULL, 2, false, &d),
			KUBE_RETRY);
	CU_ASSERT_EQUAL(d, 800);
	CU_ASSERT_EQUAL(kube_retry_decide(503, false, NULL, 7, false, &d),
			KUBE_RETRY);
	CU_ASSERT_EQUAL(d, 5000);
	CU_ASSERT_EQUAL(kube_retry_decide(503, false, NULL, 8, false, &d),
			KUBE_DONE);
	CU_ASSERT_EQUAL(kube_retry_decide(0, true, NULL, 1, false, &d),
			KUBE_RETRY);
	CU_ASSERT_EQUAL(d, 400);
	CU_ASSERT_EQUAL(kube_retry_decide(0, true, NULL, 5, false, &d),
			KUBE_DONE);
	CU_ASSERT_EQUAL(kube_retry_decide(422, false, NULL, 0, false, &d),
			KUBE_DONE);
}

static void
test_list_url(void)
{
	char *u = kube_list_url("/api/v1/namespaces/n/pods",
				"migration=abc,vmID in (vm-1,vm-2)",
				"metadata.name=x", 500, "eyJ2Ijo/+=");

	CU_ASSERT_STRING_EQUAL(
		u,
		"/api/v1/namespaces/n/pods"
		"?labelSelector=migration%3Dabc%2CvmID%20in%20%28vm-1%2Cvm-2%29"
		"&fieldSelector=metadata.name%3Dx&limit=500&continue=eyJ2Ijo%2F%2B%3D");
	free(u);
	u = kube_list_url("/api/v1/pods", NULL, "", 0, NULL);
	CU_ASSERT_STRING_EQUAL(u, "/api/v1/pods");
	free(u);
	u = kube_list_url("/api/v1/pods", "!a", NULL, 2, NULL);
	CU_ASSERT_STRING_EQUAL(u, "/api/v1/pods?labelSelector=%21a&limit=2");
	free(u);
}

static void
test_oauth_helpers(void)
{
	char *n, *e = NULL, *t;

	n = kube_oauth_token_name("sha256~lab-token-123");
	CU_ASSERT_STRING_EQUAL(
		n, "sha256~bvLOWQa90pZgXPmhoPNio0PUpjw8ArlnQEZkXsliqvQ");
	free(n);
	n = kube_oauth_token_name("lab-token-123");
	CU_ASSERT_STRING_EQUAL(
		n, "sha256~bvLOWQa90pZgXPmhoPNio0PUpjw8ArlnQEZkXsliqvQ");
	free(n);
	redact_reset();
	t = kube_oauth_parse_location(
		"https://oauth.example/oauth/token/implicit#access_token="
		"sha256~Tok%2Dx&expires_in=86400&scope=user%3Afull&token_type=Bearer",
		&e);
	CU_ASSERT_STRING_EQUAL(t ? t : "", "sha256~Tok-x");
	CU_ASSERT_PTR_NULL(e);
	free(t);
	n = redact("got sha256~Tok-x");
	CU_ASSERT_PTR_NULL(strstr(n, "Tok-x"));
	free(n);
	redact_reset();
	t = kube_oauth_parse_location(
		"https://oauth.example/oauth/token/implicit?error=access_denied"
		"&error_description=wrong+password",
		&e);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_STRING_EQUAL(e ? e : "", "access_denied: wrong password");
	free(e);
	t = kube_oauth_parse_location("https://oauth.example/other", &e);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_PTR_NULL(e);
}

static void
test_pf_target(void)
{
	struct kube_pf_target t;

	CU_ASSERT_EQUAL_FATAL(kube_pf_target(&t, "https://api.example:6443",
					     "ns-1", "vm-a", 22), 0);
	CU_ASSERT(t.tls);
	CU_ASSERT_STRING_EQUAL(t.host, "api.example");
	CU_ASSERT_EQUAL(t.port, 6443);
	CU_ASSERT_STRING_EQUAL(t.path, "/apis/subresources.kubevirt.io/v1/"
			       "namespaces/ns-1/virtualmachineinstances/vm-a/"
			       "portforward/22/tcp");
	kube_pf_target_release(&t);
	/* a path prefix is kept, IPv6 loses its brackets, default ports */
	CU_ASSERT_EQUAL_FATAL(kube_pf_target(&t, "https://[::1]/k8s/", "n",
					     "v", 2222), 0);
	CU_ASSERT_STRING_EQUAL(t.host, "::1");
	CU_ASSERT_EQUAL(t.port, 443);
	CU_ASSERT(str_startswith(t.path, "/k8s/apis/subresources"));
	CU_ASSERT(str_endswith(t.path, "/portforward/2222/tcp"));
	kube_pf_target_release(&t);
	CU_ASSERT_EQUAL_FATAL(kube_pf_target(&t, "http://10.1.2.3", "n", "v",
					     22), 0);
	CU_ASSERT(!t.tls);
	CU_ASSERT_EQUAL(t.port, 80);
	kube_pf_target_release(&t);
}

static CU_TestInfo tests_kube[] = {
	{ "port-forward target: host, port, subresource path",
	  test_pf_target },
	{ "kubeconfig file list (flag, KUBECONFIG, HOME)", test_paths },
	{ "kubeconfig merge: first wins, relative paths, contexts",
	  test_merge },
	{ "kubeconfig tokenFile and its rotation", test_token_file },
	{ "kubeconfig client certificate and key data", test_client_cert },
	{ "exec credential plugin", test_exec_plugin },
	{ "in-cluster service account", test_in_cluster },
	{ "resource paths of every kind", test_kube_path },
	{ "retry and backoff decisions", test_retry },
	{ "selector and continue encoding", test_list_url },
	{ "OAuth token name and redirect parsing", test_oauth_helpers },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_kube[] = {
	{ "kube", suite_init, suite_clean, NULL, NULL, tests_kube },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_kube)
