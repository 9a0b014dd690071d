/* step_rbac.c: the Kubernetes API calls of every step kind, verify check
 * and of the runner (rbac.h), in one table that reads like the Role it
 * becomes, and the rules a plan needs.
 *
 * One table rather than a field in each step_<kind>.c: the whole set of
 * permissions is reviewed in one place, the calls of the shared helpers
 * (cluster_wait.c: a wait is a list and a watch, a deletion that waits is a
 * delete, a get, a list and a watch; cluster_sweep.c: the final sweep)
 * are spelled once, and the verify checks and the teardown, which are not
 * step kinds, sit next to them. test_rbac.c checks that every kind of
 * step_table and every check of check_table has a row and every row a
 * kind or a check. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/rbac.h"
#include "step/step.h"

#define FK "forklift.konveyor.io"
#define ADOPT "create,get"		/* kube_create_or_adopt */
#define WAIT "list,watch"		/* cl_wait, cl_wait_cond */
#define GONE "delete,get,list,watch"	/* cl_delete with a timeout */

/* The final sweep (cl_sweep, in the undo of the secret step that made the
 * namespace) and cl_delete_selected (the plan's undo): every kind of
 * cluster_sweep.c's forklift_kinds listed and deleted in a namespace, and
 * with the run label in every namespace. */
#define SWEPT(scope)                                                      \
	{ "delete,list", FK, "migrations", scope, NULL, false },          \
	{ "delete,list", FK, "plans", scope, NULL, false },               \
	{ "delete,list", "kubevirt.io", "virtualmachines", scope, NULL,   \
	  false },                                                        \
	{ "delete,list", "kubevirt.io", "virtualmachineinstances", scope, \
	  NULL, false },                                                  \
	{ "delete,list", "cdi.kubevirt.io", "datavolumes", scope, NULL,   \
	  false },                                                        \
	{ "delete,list", FK, "vspherexcopyvolumepopulators", scope, NULL, \
	  false },                                                        \
	{ "delete,list", "", "pods", scope, NULL, false },                \
	{ "delete,list", "", "persistentvolumeclaims", scope, NULL,       \
	  false },                                                        \
	{ "delete,list", "", "secrets", scope, NULL, false },             \
	{ "delete,list", "", "configmaps", scope, NULL, false },          \
	{ "delete,list", FK, "storagemaps", scope, NULL, false },         \
	{ "delete,list", FK, "networkmaps", scope, NULL, false },         \
	{ "delete,list", FK, "providers", scope, NULL, false },           \
	{ "delete,list", FK, "hooks", scope, NULL, false },               \
	{ "delete,list", FK, "hosts", scope, NULL, false },               \
	{ "delete,list", "k8s.cni.cncf.io",                               \
	  "network-attachment-definitions", scope, NULL, false },         \
	{ "delete,list", "batch", "jobs", scope, NULL, false }

/* cluster_preflight.c */
static const struct rbac_call calls_preflight_cluster[] = {
	{ "list", FK, "forkliftcontrollers", RBAC_MTV, NULL, false },
	{ "get", "storage.k8s.io", "storageclasses", RBAC_CLUSTER, NULL,
	  false },
	/* refused, preflight warns that it cannot tell Block support */
	{ "get", "cdi.kubevirt.io", "storageprofiles", RBAC_CLUSTER, NULL,
	  true },
	/* the namespace: get, then a dryRun=All create */
	{ "create,get", "", "namespaces", RBAC_CLUSTER, NULL, false },
	/* the MTV release (cluster_release.c): the operator's CSV, else the
	 * Plan CRD's schema; refused both, the newest release is assumed
	 * with a warning */
	{ "list", "operators.coreos.com", "clusterserviceversions", RBAC_MTV,
	  NULL, true },
	{ "get", "apiextensions.k8s.io", "customresourcedefinitions",
	  RBAC_CLUSTER, NULL, true },
	/* the report's environment (environment.c): OpenShift's version */
	{ "get", "config.openshift.io", "clusterversions", RBAC_CLUSTER, NULL,
	  true },
	{ NULL, NULL, NULL, 0, NULL, false },
};

/* step_secret.c: the namespace (cl_ns_ensure) and the Secret; its undo
 * deletes the Secret and, for the one that made the namespace, sweeps */
static const struct rbac_call calls_secret[] = {
	{ ADOPT, "", "namespaces", RBAC_CLUSTER, NULL, false },
	{ ADOPT, "", "secrets", RBAC_RUN, NULL, false },
	{ GONE, "", "secrets", RBAC_RUN, NULL, false },
	SWEPT(RBAC_RUN),
	SWEPT(RBAC_ALL),
	{ GONE, "", "namespaces", RBAC_CLUSTER, NULL, false },
	{ "delete,list", "", "persistentvolumes", RBAC_CLUSTER, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};

/* step_provider.c */
static const struct rbac_call calls_provider[] = {
	{ ADOPT, FK, "providers", RBAC_RUN, NULL, false },
	{ "patch", FK, "providers", RBAC_RUN, NULL, false },
	{ WAIT, FK, "providers", RBAC_RUN, NULL, false },
	{ GONE, FK, "providers", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};

/* step_esxi_key.c: waits for Forklift's public-key Secret */
static const struct rbac_call calls_esxi_key[] = {
	{ WAIT, "", "secrets", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};

/* step_map.c: a StorageMap or a NetworkMap */
static const struct rbac_call calls_map[] = {
	{ ADOPT, FK, "storagemaps", RBAC_RUN, NULL, false },
	{ WAIT, FK, "storagemaps", RBAC_RUN, NULL, false },
	{ GONE, FK, "storagemaps", RBAC_RUN, NULL, false },
	{ ADOPT, FK, "networkmaps", RBAC_RUN, NULL, false },
	{ WAIT, FK, "networkmaps", RBAC_RUN, NULL, false },
	{ GONE, FK, "networkmaps", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};

/* step_plan.c: its undo archives (patch, wait), deletes and removes what
 * Forklift made in the target namespace */
static const struct rbac_call calls_plan[] = {
	{ ADOPT, FK, "plans", RBAC_RUN, NULL, false },
	{ WAIT, FK, "plans", RBAC_RUN, NULL, false },
	{ "patch", FK, "plans", RBAC_RUN, NULL, false },
	{ GONE, FK, "plans", RBAC_RUN, NULL, false },
	SWEPT(RBAC_RUN),
	{ NULL, NULL, NULL, 0, NULL, false },
};

/* step_migrate.c: the Migration, following its Plan, the copy evidence
 * while it runs, cancel on teardown, and the ForkliftController settings
 * of scenarios that set in-flight limits (and the rollout of the
 * operator's Deployments) */
static const struct rbac_call calls_migrate[] = {
	{ ADOPT, FK, "migrations", RBAC_RUN, NULL, false },
	{ WAIT, FK, "plans", RBAC_RUN, NULL, false },
	{ "get", FK, "plans", RBAC_RUN, NULL, false },
	/* the populate pods and populator CRs in flight (migrate_evidence.c
	 * watches them) */
	{ "list,watch", "", "pods", RBAC_RUN, NULL, true },
	{ "get", "", "pods/log", RBAC_RUN, NULL, true },
	{ "list,watch", FK, "vspherexcopyvolumepopulators", RBAC_RUN, NULL,
	  true },
	{ "get,patch", FK, "migrations", RBAC_RUN, NULL, false },
	{ WAIT, FK, "migrations", RBAC_RUN, NULL, false },
	{ GONE, FK, "migrations", RBAC_RUN, NULL, false },
	{ "list,patch", FK, "forkliftcontrollers", RBAC_MTV,
	  "forklift_settings", false },
	{ "get,list,watch", "apps", "deployments", RBAC_MTV,
	  "forklift_settings", false },
	{ NULL, NULL, NULL, 0, NULL, false },
};

/* the verify checks (step/check/<name>.c) that read the cluster */
static const struct rbac_call calls_check_vm[] = {
	{ "get", "kubevirt.io", "virtualmachines", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};
static const struct rbac_call calls_check_pvc[] = {
	{ "list", "", "persistentvolumeclaims", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};
static const struct rbac_call calls_check_offload_plugin[] = {
	{ "get", FK, "storagemaps", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};
static const struct rbac_call calls_check_rdm_lun_bus[] = {
	{ "get", "kubevirt.io", "virtualmachines", RBAC_RUN, NULL, false },
	{ "get", "", "persistentvolumeclaims", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};
/* guest_lib.c: the target VM started (when it may arrive off: "start")
 * and stopped again (a refusal is a warning) through KubeVirt's
 * subresources, its instance watched, SSH through its port-forward */
#define GUEST_CALLS                                                        \
	{ "get", "kubevirt.io", "virtualmachines", RBAC_RUN, NULL, false }, \
	{ "get,list,watch", "kubevirt.io", "virtualmachineinstances",       \
	  RBAC_RUN, NULL, false },                                          \
	{ "update", "subresources.kubevirt.io", "virtualmachines/start",    \
	  RBAC_RUN, "start", false },                                       \
	{ "update", "subresources.kubevirt.io", "virtualmachines/stop",     \
	  RBAC_RUN, "start", true }
static const struct rbac_call calls_check_guest_agent[] = {
	GUEST_CALLS,
	{ NULL, NULL, NULL, 0, NULL, false },
};
static const struct rbac_call calls_check_guest_ssh[] = {
	GUEST_CALLS,
	{ "get", "subresources.kubevirt.io",
	  "virtualmachineinstances/portforward", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};
static const struct rbac_call calls_check_vm_identity[] = {
	{ "get", "kubevirt.io", "virtualmachines", RBAC_RUN, NULL, false },
	{ "get", "kubevirt.io", "virtualmachineinstances", RBAC_RUN, NULL,
	  false },
	{ "get", FK, "networkmaps", RBAC_RUN, NULL, false },
	{ "get", "", "persistentvolumeclaims", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};
static const struct rbac_call calls_check_ssl_verification[] = {
	{ "get", FK, "providers", RBAC_RUN, NULL, false },
	{ "get", "", "secrets", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};
static const struct rbac_call calls_check_populator_throttling[] = {
	{ "list", "", "events", RBAC_RUN, NULL, false },
	{ NULL, NULL, NULL, 0, NULL, false },
};

const struct rbac_row rbac_table[] = {
	{ "preflight", "source", NULL },
	{ "preflight", "cluster", calls_preflight_cluster },
	{ "clone", "source", NULL },
	{ "disk", "source", NULL },
	{ "rdm", "source", NULL },
	{ "snapshot", "source", NULL },
	{ "power", "source", NULL },
	{ "guest-ready", "source", NULL },
	{ "guest-data", "source", NULL },
	{ "secret", "cluster", calls_secret },
	{ "provider", "cluster", calls_provider },
	{ "esxi-key", "cluster", calls_esxi_key },
	{ "map", "cluster", calls_map },
	{ "plan", "cluster", calls_plan },
	{ "migrate", "cluster", calls_migrate },
	/* the verify step reads the cluster through its checks */
	{ "verify", "cluster", NULL },
	{ "result", "check", NULL },
	{ "vm", "check", calls_check_vm },
	{ "pvc", "check", calls_check_pvc },
	{ "xcopy_used", "check", NULL },
	{ "vm_name", "check", NULL },
	{ "disk_count", "check", NULL },
	{ "power_state", "check", NULL },
	{ "snapshots", "check", NULL },
	{ "concurrent", "check", NULL },
	{ "offload_plugin", "check", calls_check_offload_plugin },
	{ "rdm_lun_bus", "check", calls_check_rdm_lun_bus },
	{ "guest_agent", "check", calls_check_guest_agent },
	{ "ssh_connectivity", "check", calls_check_guest_ssh },
	{ "data_integrity", "check", calls_check_guest_ssh },
	{ "vm_identity", "check", calls_check_vm_identity },
	{ "ssl_verification", "check", calls_check_ssl_verification },
	{ "populator_throttling", "check", calls_check_populator_throttling },
	{ NULL, NULL, NULL },
};

const struct rbac_row *
rbac_row_find(const char *name, const char *side)
{
	const struct rbac_row *r;

	for (r = rbac_table; r->name; r++)
		if (str_eq(r->name, name) && str_eq(r->side, side))
			return r;
	return NULL;
}

const char *
rbac_scope_name(enum rbac_scope s)
{
	switch (s) {
	case RBAC_RUN:
		return "run";
	case RBAC_ALL:
		return "all";
	case RBAC_MTV:
		return "mtv";
	case RBAC_CLUSTER:
		return "cluster";
	}
	return "?";
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(json_object_get_string(*(json_object *const *)a),
		      json_object_get_string(*(json_object *const *)b));
}

/* Add s to the sorted string array arr unless it is there. */
static void
set_add(json_object *arr, const char *s)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n; i++)
		if (str_eq(json_object_get_string(
			       json_object_array_get_idx(arr, i)), s))
			return;
	json_object_array_add(arr, json_object_new_string(s));
	json_object_array_sort(arr, str_cmp);
}

/* Merge one call of a step of the scenario named scn into rules. */
static void
rule_add(json_object *rules, const struct rbac_call *c, const char *mtv_ns,
	 const char *scn)
{
	char *key = xasprintf("%s %s %s", rbac_scope_name(c->scope), c->group,
			      c->resource);
	json_object *r = jget(rules, key), *verbs;
	char *vs = xstrdup(c->verbs), *save = NULL, *v;

	if (r == NULL) {
		r = json_object_new_object();
		jputs(r, "scope", rbac_scope_name(c->scope));
		jputs(r, "group", c->group);
		jputs(r, "resource", c->resource);
		if (c->scope == RBAC_MTV)
			jputs(r, "namespace", mtv_ns);
		jput(r, "verbs", json_object_new_array());
		jput(r, "scenarios", json_object_new_array());
		jputb(r, "optional", c->optional);
		jput(rules, key, r);
	}
	/* a call that is required anywhere makes the rule required */
	if (!c->optional)
		jputb(r, "optional", false);
	verbs = jget(r, "verbs");
	for (v = strtok_r(vs, ",", &save); v; v = strtok_r(NULL, ",", &save))
		set_add(verbs, v);
	if (scn)
		set_add(jget(r, "scenarios"), scn);
	free(vs);
	free(key);
}

static void
row_add(json_object *rules, const struct rbac_row *row, json_object *params,
	const char *mtv_ns, const char *scn)
{
	const struct rbac_call *c;

	for (c = row->calls; c && c->verbs; c++) {
		json_object *w = c->when ? jget(params, c->when) : NULL;

		if (c->when && (w == NULL ||
				json_object_is_type(w, json_type_null)))
			continue;
		rule_add(rules, c, mtv_ns, scn);
	}
}

/* The MTV namespace of a plan: its cluster preflight or migrate step
 * names it (profile key mtv_namespace). */
static const char *
plan_mtv_ns(json_object *steps)
{
	size_t i;

	for (i = 0; i < jlen(steps); i++) {
		json_object *p = jget(json_object_array_get_idx(steps, i),
				      "params");

		if (jstr(p, "mtv_namespace"))
			return jstr(p, "mtv_namespace");
		if (jstr(jget(p, "forklift_settings"), "namespace"))
			return jstr(jget(p, "forklift_settings"),
				    "namespace");
	}
	return "openshift-mtv";
}

int
rbac_plan_rules(json_object *rules, json_object *plan, struct mtv_err *err)
{
	json_object *steps = jget(plan, "steps");
	const char *scn = jstr(jget(plan, "scenario"), "name"),
		   *mtv_ns = plan_mtv_ns(steps);
	size_t i, j;

	if (scn == NULL)
		scn = jstr(plan, "scenario");
	for (i = 0; i < jlen(steps); i++) {
		json_object *st = json_object_array_get_idx(steps, i),
			    *params = jget(st, "params"),
			    *checks = jget(params, "checks");
		const struct rbac_row *row =
		    rbac_row_find(jstr(st, "kind"), jstr(st, "side"));

		if (row == NULL)
			return err_set(err, MTV_EINTERNAL,
				       "step kind '%s' (%s) declares no API "
				       "calls", jstr(st, "kind"),
				       jstr(st, "side"));
		row_add(rules, row, params, mtv_ns, scn);
		if (!str_eq(jstr(st, "kind"), "verify"))
			continue;
		for (j = 0; j < jlen(checks); j++) {
			json_object *c = json_object_array_get_idx(checks, j);

			row = rbac_row_find(jstr(c, "check"), "check");
			if (row == NULL)
				return err_set(err, MTV_EINTERNAL,
					       "check '%s' declares no API "
					       "calls", jstr(c, "check"));
			row_add(rules, row, c, mtv_ns, scn);
		}
	}
	return 0;
}
