/* cluster_release.c: which MTV release the cluster runs, read the way a
 * user would, and what of the plan that release does not take.
 *
 * Sources, in order: the operator's ClusterServiceVersion in the MTV
 * namespace (spec.version of the CSV whose displayName is "Migration
 * Toolkit for Virtualization ..." or whose name is mtv-operator.* or
 * forklift-operator.*; what OLM shows and what mtv-api-tests'
 * get_mtv_version reads); then the Plan CRD's structural schema, the truth
 * about the fields the plan uses (spec.type from 2.10, rdmAsLun from 2.11,
 * forklift-versions.md section 1): where it disagrees with the version it
 * wins, and where no version can be read it names the oldest release that
 * has what it shows. With neither the newest release is assumed, with a
 * warning. The result goes to state["environment"]["mtv"] =
 * {"version" (null when unread), "release", "source"}, source one of
 * "ClusterServiceVersion NAME", "Plan CRD schema", "assumed" (nothing
 * readable) or "--mtv"; step_release() hands it to the steps. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"

#define PLAN_CRD	"plans.forklift.konveyor.io"

struct found {
	char *version;		/* what the cluster reports, or NULL */
	char *source;		/* where it was read */
	const struct mtv_release *rel;
	int spec_type, rdm_as_lun;	/* the Plan CRD's: 1, 0, -1 unknown */
};

static bool
mtv_csv(json_object *csv)
{
	const char *dn = jstr(jget(csv, "spec"), "displayName"),
		   *n = cl_name(csv);

	return (dn && (strstr(dn, "Migration Toolkit for Virtualization") ||
		       strstr(dn, "Forklift"))) ||
		(n && (str_startswith(n, "mtv-operator.") ||
		       str_startswith(n, "forklift-operator.")));
}

/* The operator's version from its ClusterServiceVersion (OLM). */
static void
read_csv(struct kube_client *k, const char *mns, struct found *f)
{
	char *path = kube_path("ClusterServiceVersion", mns, NULL);
	json_object *items = NULL;
	struct mtv_err e = { 0 };
	size_t i;

	if (kube_list(k, path, NULL, &items, &e) != 0) {
		if (e.code == MTV_EAUTH)
			log_warn("preflight: the MTV release not read: %s",
				 e.msg);
		else
			log_verbose("preflight: no ClusterServiceVersions in "
				    "'%s': %s", mns, e.msg);
		free(path);
		return;
	}
	for (i = 0; i < jlen(items) && f->version == NULL; i++) {
		json_object *c = json_object_array_get_idx(items, i);
		const char *v = jstr(jget(c, "spec"), "version");

		if (mtv_csv(c) && v && *v) {
			f->version = xstrdup(v);
			f->source = xasprintf("ClusterServiceVersion %s",
					      cl_name(c));
		}
	}
	json_object_put(items);
	free(path);
}

/* Does the structural schema s (of Plan.spec) or that of its vms[] items
 * have property name? -1 when s is not structural there. */
static int
has_prop(json_object *s, const char *name)
{
	json_object *p = jget(s, "properties"),
		    *vi = jget(jget(jget(p, "vms"), "items"), "properties");

	if (p == NULL || jbool(s, "x-kubernetes-preserve-unknown-fields"))
		return -1;
	return jget(p, name) != NULL || jget(vi, name) != NULL;
}

/* spec.type and rdmAsLun in a Plan CRD's v1beta1 schema: 1, 0, or -1 when
 * the schema leaves spec open (x-kubernetes-preserve-unknown-fields). */
MTV_STATIC void
release_crd_fields(json_object *crd, int *spec_type, int *rdm_as_lun)
{
	json_object *vers = jget(jget(crd, "spec"), "versions"), *spec = NULL;
	size_t i;

	for (i = 0; i < jlen(vers); i++) {
		json_object *v = json_object_array_get_idx(vers, i);

		if (str_eq(jstr(v, "name"), "v1beta1"))
			spec = jget(jget(jget(jget(v, "schema"),
					      "openAPIV3Schema"),
					 "properties"), "spec");
	}
	*spec_type = has_prop(spec, "type");
	*rdm_as_lun = has_prop(spec, "rdmAsLun");
}

static void
read_crd(struct kube_client *k, struct found *f)
{
	char *path = kube_path("CustomResourceDefinition", NULL, PLAN_CRD);
	json_object *crd = NULL;
	struct mtv_err e = { 0 };

	if (kube_get(k, path, &crd, &e) != 0)
		if (e.code == MTV_EAUTH)
			log_warn("preflight: the Plan CRD not read: %s", e.msg);
		else
			log_verbose("preflight: CRD %s: %s", PLAN_CRD, e.msg);
	else
		release_crd_fields(crd, &f->spec_type, &f->rdm_as_lun);
	json_object_put(crd);
	free(path);
}

MTV_STATIC const struct mtv_release *
release_decide(const char *version, int spec_type, int rdm_as_lun,
	       enum release_how *how)
{
	const struct mtv_release *byv = NULL, *bys = NULL;
	bool schema = spec_type >= 0 && rdm_as_lun >= 0;

	if (version && (byv = release_find(version)) == NULL)
		byv = mtv_releases;	/* older than every row */
	if (schema)
		bys = release_match(byv, spec_type, rdm_as_lun);
	*how = RELEASE_BY_VERSION;
	if (byv && schema && bys && bys != byv) {
		*how = RELEASE_BY_SCHEMA_OVER_VERSION;
		return bys;
	}
	if (byv)
		return byv;
	if (schema && (bys = release_match(NULL, spec_type, rdm_as_lun))) {
		*how = RELEASE_BY_SCHEMA;
		return bys;
	}
	*how = RELEASE_ASSUMED;
	return release_default();
}

/* The release from what was read; warnings say what was assumed. */
static void
decide(struct found *f, bool forced)
{
	enum release_how how;

	f->rel = release_decide(f->version, f->spec_type, f->rdm_as_lun,
				&how);
	if (f->version && release_find(f->version) == NULL)
		log_warn("preflight: MTV %s is older than every release "
			 "mtv-scenario knows (%s): taken as %s", f->version,
			 release_names(), mtv_releases[0].name);
	switch (how) {
	case RELEASE_BY_VERSION:
		break;
	case RELEASE_BY_SCHEMA_OVER_VERSION:
		log_warn("preflight: MTV %s, but its Plan CRD %s spec.type and "
			 "%s rdmAsLun: taken as release %s", f->version,
			 f->spec_type ? "has" : "lacks",
			 f->rdm_as_lun ? "has" : "lacks", f->rel->name);
		break;
	case RELEASE_BY_SCHEMA:
		log_warn("preflight: cannot read the MTV version (no "
			 "ClusterServiceVersion); its Plan CRD shows release "
			 "%s or newer: taken as %s", f->rel->name,
			 f->rel->name);
		f->source = xstrdup("Plan CRD schema");
		break;
	case RELEASE_ASSUMED:
		if (!forced)
			log_warn("preflight: cannot read the MTV version (no "
				 "ClusterServiceVersion) nor tell it from the "
				 "Plan CRD schema: assuming the newest "
				 "release, %s", f->rel->name);
		f->source = xstrdup("assumed");
		break;
	}
}

/* A refusal: what needs the release with capability off. */
static void
refuse(json_object *plan, const char *what, size_t off, const char *runs,
       struct strbuf *sb)
{
	const struct mtv_release *since = release_since_off(off);

	if (sb->len)
		strbuf_adds(sb, "; ");
	strbuf_addf(sb, "%s: %s needs MTV %s or newer; the cluster runs %s",
		    jstr(jget(plan, "scenario"), "file") ?
		    jstr(jget(plan, "scenario"), "file") : "?", what,
		    since ? since->name : "?", runs);
}

MTV_STATIC void
release_needs(json_object *plan, const struct mtv_release *r, const char *runs,
      struct strbuf *sb)
{
	json_object *steps = jget(plan, "steps");
	bool rdm = false, inflight = false;
	size_t i;

	for (i = 0; i < jlen(steps); i++) {
		json_object *st = json_object_array_get_idx(steps, i),
			    *pa = jget(st, "params");

		if (str_eq(jstr(st, "kind"), "plan"))
			rdm |= jbool(jget(jget(pa, "manifest"), "spec"),
				     "rdmAsLun");
		if (str_eq(jstr(st, "kind"), "migrate"))
			inflight |= jget(jget(jget(pa, "forklift_settings"),
					      "spec"),
					 "controller_max_populator_inflight") !=
				    NULL;
	}
	if (rdm && !r->plan_rdm_as_lun)
		refuse(plan, "rdm_as_lun",
		       offsetof(struct mtv_release, plan_rdm_as_lun), runs, sb);
	if (inflight && !r->populator_inflight)
		refuse(plan, "populator throttling (max_populator_inflight)",
		       offsetof(struct mtv_release, populator_inflight), runs,
		       sb);
}

/* "MTV 2.12.5 (release 2.12)", or "MTV release 2.11 (Plan CRD schema)" */
static char *
describe(const struct found *f)
{
	if (f->version)
		return xasprintf("MTV %s (release %s)", f->version,
				 f->rel->name);
	return xasprintf("MTV release %s (%s)", f->rel->name, f->source);
}

int
preflight_release(struct step_ctx *ctx, struct kube_client *k,
		  json_object *params, char **line, struct strbuf *refusals)
{
	struct found f = { NULL, NULL, NULL, -1, -1 };
	const struct mtv_release *forced = release_find(jstr(ctx->plan,
							     "mtv"));
	const char *mns = jstr(params, "mtv_namespace");
	json_object *rec = json_object_new_object();
	char *runs;

	read_csv(k, mns ? mns : "openshift-mtv", &f);
	read_crd(k, &f);
	decide(&f, forced != NULL);
	*line = describe(&f);
	runs = f.version ? xasprintf("MTV %s", f.version) : describe(&f);
	if (forced && forced != f.rel) {
		/* warn only when the cluster said which release it runs */
		if (f.version || f.spec_type >= 0)
			log_warn("preflight: the cluster runs %s; the plan was "
				 "made for MTV %s (--mtv), which the run "
				 "follows", *line, forced->name);
		free(*line);
		*line = xasprintf("MTV %s (--mtv)", forced->name);
	} else if (forced == NULL) {
		release_needs(ctx->plan, f.rel, runs, refusals);
	}
	jputs(rec, "version", f.version);
	jputs(rec, "release", forced ? forced->name : f.rel->name);
	jputs(rec, "source", forced && forced != f.rel ? "--mtv" : f.source);
	state_set(ctx, "environment", "mtv", rec);
	free(runs);
	free(f.version);
	free(f.source);
	return refusals->len ? MTV_EUNSUPPORTED : 0;
}

const struct mtv_release *
step_release(struct step_ctx *ctx)
{
	const struct mtv_release *r =
		release_find(jstr(state_get(ctx, "environment", "mtv"),
				  "release"));

	if (r == NULL && ctx->plan)
		r = release_find(jstr(ctx->plan, "mtv"));
	return r ? r : release_default();
}
