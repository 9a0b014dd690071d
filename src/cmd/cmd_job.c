/* cmd_job.c: job: the manifests that run scenarios as a Kubernetes Job
 * with the least privilege they need: a ServiceAccount, a ClusterRole
 * (the run's namespaces are made at run time, and cluster-scoped
 * resources) and a Role in the MTV namespace derived from the API calls
 * of the scenarios' steps (step/rbac.h), their bindings, a ConfigMap with
 * the scenario files, a Secret with the providers file and the Job. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"
#include "step/rbac.h"

#define JOB_NAME "mtv-scenario"
#define JOB_DIR "/etc/mtv-scenario"
#define REPORTS "/reports"
#define CM_MAX (1024 * 1024)	/* a ConfigMap holds at most 1 MiB */

struct job {
	struct mtv_opts *o;
	struct mtv_profile *prof;
	json_object *rules;	/* rbac_plan_rules */
	json_object *files;	/* {basename: text} of the scenario files */
	size_t bytes;
	const char *ns, *mtv_ns;
	char *binding;		/* name of the cluster-wide objects */
	struct strbuf out;
};

static json_object *
jarr(const char *first, ...)
{
	json_object *a = json_object_new_array();
	const char *s;
	va_list ap;

	va_start(ap, first);
	for (s = first; s; s = va_arg(ap, const char *))
		json_object_array_add(a, json_object_new_string(s));
	va_end(ap);
	return a;
}

/* {apiVersion, kind, metadata: {name, namespace (may be NULL), labels}} */
static json_object *
manifest(const char *api, const char *kind, const char *name, const char *ns)
{
	json_object *o = json_object_new_object(),
		    *meta = json_object_new_object(),
		    *labels = json_object_new_object();

	jputs(o, "apiVersion", api);
	jputs(o, "kind", kind);
	jputs(meta, "name", name);
	if (ns)
		jputs(meta, "namespace", ns);
	jputs(labels, "app.kubernetes.io/name", JOB_NAME);
	jput(meta, "labels", labels);
	jput(o, "metadata", meta);
	return o;
}

static void
emit(struct job *j, json_object *doc)
{
	char *y = json_to_yaml(doc);

	strbuf_adds(&j->out, "---\n");
	strbuf_adds(&j->out, y);
	free(y);
	json_object_put(doc);
}

/* ---- the scenarios: plans, rules, files ---- */

static void
add_file(struct job *j, const char *path, struct mtv_diags *diags)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct mtv_err e = { 0 };
	char *text = NULL;
	size_t len = 0;

	if (jget(j->files, base)) {
		diags_add(diags, path, 0, 0, "another selected scenario file "
			  "is also named '%s': a ConfigMap key names one file",
			  base);
		return;
	}
	if (file_read(&text, &len, path, CM_MAX, &e) != 0) {
		diags_add(diags, path, 0, 0, "%s", e.msg);
		return;
	}
	j->bytes += len;
	jputs(j->files, base, text);
	free(text);
}

/* Plan every selected scenario; merge its rules; keep its file. */
static int
collect(struct job *j, size_t *n, json_object *seen, struct mtv_diags *diags)
{
	struct plan_opts po = { 0 };
	char **paths = NULL;
	size_t npaths = 0, i;
	bool selected;

	scenario_paths(&paths, &npaths, j->o->args, j->o->nargs, diags);
	if (diags->n == 0)
		cmd_profile(&j->prof, j->o, diags);
	po.storage_class = j->o->storage_class;
	po.sets = j->o->sets;
	for (i = 0; i < npaths && j->prof; i++) {
		struct mtv_scenario *s = cmd_scenario_load(
		    paths[i], j->o->marker, &selected, seen, diags);
		json_object *plan = NULL;
		struct mtv_err e = { 0 };

		if (s && selected &&
		    plan_build(&plan, s, j->prof, &po, diags) == 0) {
			if (rbac_plan_rules(j->rules, plan, &e) != 0)
				diags_add(diags, paths[i], 0, 0, "%s", e.msg);
			add_file(j, paths[i], diags);
			(*n)++;
		}
		json_object_put(plan);
		scenario_free(s);
	}
	if (j->bytes > CM_MAX - 4096)
		diags_add(diags, NULL, 0, 0, "the selected scenario files "
			  "take %zu bytes, more than a ConfigMap holds "
			  "(1 MiB): select fewer", j->bytes);
	paths_free(paths, npaths);
	return diags->n ? MTV_EINVAL : 0;
}

/* ---- RBAC ---- */

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a),
		      json_object_get_string(*(json_object *const *)b));
}

/* The policy rules of scope class mtv (false: the ClusterRole's: run,
 * all and cluster merged by group and resource), in a stable order. */
static json_object *
policy_rules(struct job *j, bool mtv, const char *ns, struct strbuf *optional)
{
	json_object *by = json_object_new_object(), *out,
		    *opt = json_object_new_object();

	json_object_object_foreach(j->rules, key, r) {
		bool is_mtv = str_eq(jstr(r, "scope"), "mtv");
		json_object *pr, *verbs = jget(r, "verbs");
		char *k;
		size_t i;

		(void)key;
		if (is_mtv != mtv || (mtv && !str_eq(jstr(r, "namespace"), ns)))
			continue;
		k = xasprintf("%s %s", jstr(r, "group"), jstr(r, "resource"));
		pr = jget(by, k);
		if (pr == NULL) {
			pr = json_object_new_object();
			jput(pr, "apiGroups", jarr(jstr(r, "group"), NULL));
			jput(pr, "resources", jarr(jstr(r, "resource"), NULL));
			jput(pr, "verbs", json_object_new_array());
			jput(by, k, pr);
			if (jbool(r, "optional"))
				jputb(opt, k, true);
		} else if (!jbool(r, "optional")) {
			json_object_object_del(opt, k);
		}
		for (i = 0; i < jlen(verbs); i++) {
			const char *v = json_object_get_string(
			    json_object_array_get_idx(verbs, i));
			json_object *pv = jget(pr, "verbs");
			size_t m;
			bool have = false;

			for (m = 0; m < jlen(pv); m++)
				have |= str_eq(json_object_get_string(
				    json_object_array_get_idx(pv, m)), v);
			if (!have)
				json_object_array_add(
				    pv, json_object_new_string(v));
		}
		free(k);
	}
	out = json_object_new_array();
	json_object_object_foreach(by, k2, pr2) {
		const char *g;

		json_object_array_sort(jget(pr2, "verbs"), str_cmp);
		json_object_array_add(out, json_object_get(pr2));
		if (!jget(opt, k2))
			continue;
		/* "pods/log", "storageprofiles.cdi.kubevirt.io" */
		g = json_object_get_string(json_object_array_get_idx(
		    jget(pr2, "apiGroups"), 0));
		strbuf_addf(optional, "%s%s%s%s", optional->len ? ", " : "",
			    json_object_get_string(json_object_array_get_idx(
				jget(pr2, "resources"), 0)),
			    *g ? "." : "", g);
	}
	json_object_put(by);
	json_object_put(opt);
	return out;
}

static json_object *
subjects(struct job *j)
{
	json_object *a = json_object_new_array(),
		    *s = json_object_new_object();

	jputs(s, "kind", "ServiceAccount");
	jputs(s, "name", JOB_NAME);
	jputs(s, "namespace", j->ns);
	json_object_array_add(a, s);
	return a;
}

static json_object *
role_ref(const char *kind, const char *name)
{
	json_object *r = json_object_new_object();

	jputs(r, "apiGroup", "rbac.authorization.k8s.io");
	jputs(r, "kind", kind);
	jputs(r, "name", name);
	return r;
}

/* The namespaces of the mtv-scoped rules. */
static json_object *
mtv_namespaces(struct job *j)
{
	json_object *set = json_object_new_object();

	json_object_object_foreach(j->rules, key, r) {
		(void)key;
		if (str_eq(jstr(r, "scope"), "mtv"))
			jputb(set, jstr(r, "namespace"), true);
	}
	return set;
}

/* Name the rules a run can do without (it warns, with less evidence or
 * fewer checks) in an annotation of role o; empties sb. */
static void
annotate(json_object *o, struct strbuf *sb)
{
	json_object *a;

	if (sb->len == 0)
		return;
	a = json_object_new_object();
	jputs(a, "mtv-scenario/optional-rules", strbuf_str(sb));
	jput(jget(o, "metadata"), "annotations", a);
	strbuf_release(sb);
	strbuf_init(sb);
}

static void
emit_rbac(struct job *j)
{
	const char *rbac = "rbac.authorization.k8s.io/v1";
	json_object *o, *nss = mtv_namespaces(j);
	struct strbuf opt = STRBUF_INIT;

	o = manifest("v1", "ServiceAccount", JOB_NAME, j->ns);
	emit(j, o);
	o = manifest(rbac, "ClusterRole", j->binding, NULL);
	jput(o, "rules", policy_rules(j, false, NULL, &opt));
	annotate(o, &opt);
	emit(j, o);
	o = manifest(rbac, "ClusterRoleBinding", j->binding, NULL);
	jput(o, "roleRef", role_ref("ClusterRole", j->binding));
	jput(o, "subjects", subjects(j));
	emit(j, o);
	json_object_object_foreach(nss, ns, v) {
		(void)v;
		o = manifest(rbac, "Role", j->binding, ns);
		jput(o, "rules", policy_rules(j, true, ns, &opt));
		annotate(o, &opt);
		emit(j, o);
		o = manifest(rbac, "RoleBinding", j->binding, ns);
		jput(o, "roleRef", role_ref("Role", j->binding));
		jput(o, "subjects", subjects(j));
		emit(j, o);
	}
	json_object_put(nss);
	strbuf_release(&opt);
}

/* ---- ConfigMap, Secret, Job ---- */

/* The Secret's name and key of the providers file. */
static void
providers_ref(struct job *j, char **name, char **key)
{
	const char *ps = j->o->providers_secret, *f = j->prof->file;
	const char *slash = ps ? strchr(ps, '/') : NULL;

	if (ps == NULL) {
		*name = xstrdup(JOB_NAME "-providers");
		*key = xstrdup(strrchr(f, '/') ? strrchr(f, '/') + 1 : f);
	} else if (slash) {
		*name = xstrndup(ps, (size_t)(slash - ps));
		*key = xstrdup(slash + 1);
	} else {
		*name = xstrdup(ps);
		*key = xstrdup("providers.yaml");
	}
}

static int
emit_data(struct job *j, const char *sname, const char *skey,
	  struct mtv_err *err)
{
	json_object *o = manifest("v1", "ConfigMap", JOB_NAME "-scenarios",
				  j->ns), *data;
	char *text = NULL, *b64;
	size_t len = 0;

	jput(o, "data", json_object_get(j->files));
	emit(j, o);
	if (j->o->providers_secret)
		return 0;
	if (file_read(&text, &len, j->prof->file, 4 << 20, err) != 0)
		return err->code;
	/* what `kubectl create secret generic --from-file` makes */
	o = manifest("v1", "Secret", sname, j->ns);
	jputs(o, "type", "Opaque");
	data = json_object_new_object();
	b64 = b64_encode(text, len);
	jputs(data, skey, b64);
	jput(o, "data", data);
	emit(j, o);
	freezero(b64, strlen(b64));
	freezero(text, len);
	return 0;
}

static json_object *
volume(const char *name, const char *type, json_object *src)
{
	json_object *v = json_object_new_object();

	jputs(v, "name", name);
	jput(v, type, src);
	return v;
}

static json_object *
mount(const char *name, const char *path, bool ro)
{
	json_object *m = json_object_new_object();

	jputs(m, "name", name);
	jputs(m, "mountPath", path);
	if (ro)
		jputb(m, "readOnly", true);
	return m;
}

/* run's arguments: the profile, its overrides, the reports, the files. */
static json_object *
run_args(struct job *j, const char *skey)
{
	json_object *a = jarr("run", "-p", NULL);
	char *s;

	s = xasprintf(JOB_DIR "/providers/%s", skey);
	json_object_array_add(a, json_object_new_string(s));
	free(s);
	if (j->prof->name) {
		json_object_array_add(a, json_object_new_string("--provider"));
		json_object_array_add(a, json_object_new_string(j->prof->name));
	}
	if (j->o->storage_class) {
		json_object_array_add(a,
				      json_object_new_string("--storage-class"));
		json_object_array_add(a,
				      json_object_new_string(j->o->storage_class));
	}
	if (j->o->sets) {
		json_object_object_foreach(j->o->sets, k, v) {
			s = xasprintf("%s=%s", k, json_object_get_string(v));
			json_object_array_add(a,
					      json_object_new_string("--set"));
			json_object_array_add(a, json_object_new_string(s));
			free(s);
		}
	}
	if (j->o->timeout > 0) {
		s = xasprintf("%d", j->o->timeout);
		json_object_array_add(a, json_object_new_string("--timeout"));
		json_object_array_add(a, json_object_new_string(s));
		free(s);
	}
	json_object_array_add(a, json_object_new_string("--report"));
	json_object_array_add(a, json_object_new_string(REPORTS "/report.json"));
	json_object_array_add(a, json_object_new_string("--junit"));
	json_object_array_add(a, json_object_new_string(REPORTS "/junit.xml"));
	json_object_array_add(a, json_object_new_string("--log-file"));
	json_object_array_add(a, json_object_new_string(REPORTS "/run.log"));
	json_object_object_foreach(j->files, f, t) {
		(void)t;
		s = xasprintf(JOB_DIR "/scenarios/%s", f);
		json_object_array_add(a, json_object_new_string(s));
		free(s);
	}
	return a;
}

static void
emit_job(struct job *j, const char *sname, const char *skey)
{
	json_object *o = manifest("batch/v1", "Job", JOB_NAME, j->ns),
		    *spec = json_object_new_object(),
		    *tmpl = json_object_new_object(),
		    *ps = json_object_new_object(),
		    *c = json_object_new_object(),
		    *mounts = json_object_new_array(),
		    *vols = json_object_new_array(), *src, *items, *it, *env;
	char *image = j->o->image ? xstrdup(j->o->image)
				  : xstrdup("localhost/" JOB_NAME
					    ":" PACKAGE_VERSION);

	/* a migration test is not idempotent: no retries */
	jputi(spec, "backoffLimit", 0);
	src = json_object_new_object();
	jput(src, "labels", json_object_new_object());
	jputs(jget(src, "labels"), "app.kubernetes.io/name", JOB_NAME);
	jput(tmpl, "metadata", src);
	jputs(ps, "serviceAccountName", JOB_NAME);
	jputs(ps, "restartPolicy", "Never");
	jputs(c, "name", JOB_NAME);
	jputs(c, "image", image);
	jput(c, "command", jarr(JOB_NAME, NULL));
	jput(c, "args", run_args(j, skey));
	/* the run's journals next to the reports: `cleanup` can use them */
	env = json_object_new_object();
	jputs(env, "name", "XDG_STATE_HOME");
	jputs(env, "value", REPORTS "/state");
	jput(c, "env", json_object_new_array());
	json_object_array_add(jget(c, "env"), env);
	jputs(c, "terminationMessagePolicy", "FallbackToLogsOnError");
	json_object_array_add(mounts, mount("scenarios", JOB_DIR "/scenarios",
					    true));
	json_object_array_add(mounts, mount("providers", JOB_DIR "/providers",
					    true));
	json_object_array_add(mounts, mount("reports", REPORTS, false));
	jput(c, "volumeMounts", mounts);
	jput(ps, "containers", json_object_new_array());
	json_object_array_add(jget(ps, "containers"), c);
	src = json_object_new_object();
	jputs(src, "name", JOB_NAME "-scenarios");
	json_object_array_add(vols, volume("scenarios", "configMap", src));
	src = json_object_new_object();
	jputs(src, "secretName", sname);
	items = json_object_new_array();
	it = json_object_new_object();
	jputs(it, "key", skey);
	jputs(it, "path", skey);
	json_object_array_add(items, it);
	jput(src, "items", items);
	json_object_array_add(vols, volume("providers", "secret", src));
	src = json_object_new_object();
	if (j->o->reports_pvc) {
		jputs(src, "claimName", j->o->reports_pvc);
		json_object_array_add(
		    vols, volume("reports", "persistentVolumeClaim", src));
	} else {
		json_object_array_add(vols, volume("reports", "emptyDir", src));
	}
	jput(ps, "volumes", vols);
	jput(tmpl, "spec", ps);
	jput(spec, "template", tmpl);
	jput(o, "spec", spec);
	emit(j, o);
	free(image);
}

static int
run(struct mtv_opts *o)
{
	struct mtv_diags diags = { 0 };
	struct job j = { 0 };
	struct mtv_err e = { 0 };
	json_object *seen = json_object_new_object();
	char *sname = NULL, *skey = NULL;
	size_t n = 0;
	int code = MTV_EXIT_USAGE;

	j.o = o;
	j.rules = json_object_new_object();
	j.files = json_object_new_object();
	j.ns = o->namespace ? o->namespace : JOB_NAME;
	strbuf_init(&j.out);
	if (collect(&j, &n, seen, &diags) != 0 || diags.n) {
		diags_sort(&diags);
		diags_print(&diags, stderr);
		goto out;
	}
	if (n == 0) {
		cmd_nothing_selected("job", o->marker, seen);
		code = MTV_EXIT_NOTHING;
		goto out;
	}
	j.binding = xasprintf(JOB_NAME ":%s", j.ns);
	providers_ref(&j, &sname, &skey);
	emit(&j, manifest("v1", "Namespace", j.ns, NULL));
	emit_rbac(&j);
	if (emit_data(&j, sname, skey, &e) != 0) {
		fprintf(stderr, "mtv-scenario: job: %s\n", e.msg);
		goto out;
	}
	emit_job(&j, sname, skey);
	fwrite(j.out.buf, 1, j.out.len, stdout);
	code = MTV_EXIT_PASS;
out:
	/* the manifests may hold the providers file */
	if (j.out.buf)
		explicit_bzero(j.out.buf, j.out.len);
	strbuf_release(&j.out);
	json_object_put(seen);
	json_object_put(j.rules);
	json_object_put(j.files);
	profile_free(j.prof);
	free(j.binding);
	free(sname);
	free(skey);
	diags_release(&diags);
	return code;
}

const struct cmd_spec cmd_job = {
	.name = "job",
	.summary = "print the manifests that run scenarios as a Kubernetes Job with the least privilege they need",
	.synopsis = "[options] FILE|DIR...",
	.mask = CMD_JOB,
	.run = run,
};
