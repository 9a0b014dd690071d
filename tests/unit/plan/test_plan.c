/* test_plan.c: expansion: names (Forklift's ChangeVmName), run ids, disk
 * layout, datastore keys, expectations, secrets. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

#define VS "vs:\n  type: vsphere\n  version: \"8\"\n  fqdn: f\n  api_url: https://f/sdk\n" \
	"  username: u\n  password: unit-vc-pw\n  storage_class: sc\n" \
	"  copyoffload:\n    storage_vendor_product: infinibox\n    datastore_id: datastore-1\n" \
	"    non_xcopy_datastore_id: datastore-3\n    storage_hostname: h\n" \
	"    storage_username: su\n    storage_password: unit-array-pw\n" \
	"    default_vm_name: tmpl\n"
#define HDR "apiVersion: mtv-scenario/v1alpha1\nkind: Scenario\nname: t\ncopyoffload: true\n"

static void
test_run_id(void)
{
	char a[7], b[7], c[7];
	size_t i;

	model_run_id("thin", a);
	model_run_id("thin", b);
	model_run_id("thick", c);
	CU_ASSERT_STRING_EQUAL(a, b);
	CU_ASSERT_STRING_NOT_EQUAL(a, c);
	CU_ASSERT_EQUAL(strlen(a), 6);
	for (i = 0; i < 6; i++)
		CU_ASSERT_PTR_NOT_NULL(strchr("abcdefghijklmnopqrstuvwxyz0123456789", a[i]));
}

static char *
write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("/tmp/mtv-unit-plan-%d-%s", (int)getpid(), name);
	struct mtv_err err = { 0 };

	ASSERT_OK(file_write(path, text, strlen(text), &err), &err);
	return path;
}

/* Build the plan of scenario text; messages as "l:c: msg\n" in *msgs. */
static json_object *
build(const char *scenario, char **msgs)
{
	struct mtv_diags d = { 0 };
	struct profile_opts po = { 0 };
	struct plan_opts o = { 0 };
	struct mtv_profile *p = NULL;
	struct mtv_scenario *s = NULL;
	struct strbuf sb = STRBUF_INIT;
	json_object *plan = NULL;
	char *pf = write_tmp("p.yaml", VS), *sf = write_tmp("s.yaml", scenario);
	size_t i;

	po.providers_file = pf;
	o.run_id = "abc123";
	if (profile_load(&p, &po, &d) == 0 && scenario_load(&s, sf, &d) == 0)
		plan_build(&plan, s, p, &o, &d);
	for (i = 0; i < d.n; i++)
		strbuf_addf(&sb, "%d:%d: %s\n", d.v[i].line, d.v[i].col, d.v[i].msg);
	*msgs = strbuf_detach(&sb);
	diags_release(&d);
	scenario_free(s);
	profile_free(p);
	unlink(pf);
	unlink(sf);
	free(pf);
	free(sf);
	return plan;
}

static json_object *
step_of(json_object *plan, const char *kind, int nth)
{
	json_object *steps = json_object_object_get(plan, "steps");
	size_t i;

	for (i = 0; i < json_object_array_length(steps); i++) {
		json_object *st = json_object_array_get_idx(steps, i);

		if (strcmp(json_object_get_string(json_object_object_get(st, "kind")), kind) == 0 &&
		    nth-- == 0)
			return json_object_object_get(st, "params");
	}
	return NULL;
}

static const char *
path_str(json_object *o, const char *a, const char *b)
{
	o = json_object_object_get(o, a);
	if (b)
		o = json_object_object_get(o, b);
	return o ? json_object_get_string(o) : NULL;
}

static void
test_names_and_disks(void)
{
	struct strbuf sb = STRBUF_INIT;
	json_object *plan, *clone, *disk, *disks, *last, *nc;
	char *msgs;
	int i;

	strbuf_adds(&sb, HDR "virtual_machines:\n  - name: xcopy-template-test\n"
		    "    clone: true\n    add_disks:\n");
	for (i = 0; i < 20; i++)
		strbuf_addf(&sb, "      - size_gb: %d\n", i + 1);
	plan = build(strbuf_str(&sb), &msgs);
	CU_ASSERT_STRING_EQUAL(msgs, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	CU_ASSERT_STRING_EQUAL(path_str(plan, "namespace", NULL), "mtv-t-abc123");
	clone = step_of(plan, "clone", 0);
	CU_ASSERT_STRING_EQUAL(path_str(clone, "vm", NULL), "abc123-tmpl-1");
	CU_ASSERT_STRING_EQUAL(path_str(clone, "template", NULL), "tmpl");
	CU_ASSERT_STRING_EQUAL(path_str(clone, "datastore", NULL), "datastore-1");
	disk = step_of(plan, "disk", 0);
	disks = json_object_object_get(disk, "disks");
	CU_ASSERT_EQUAL(json_object_array_length(disks), 20);
	/* units 1-6, 8-15 on bus 0 (14 disks), then bus 1 from unit 0 */
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
		json_object_array_get_idx(disks, 6), "unit")), 8);
	last = json_object_array_get_idx(disks, 13);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(last, "controller")), 0);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(last, "unit")), 15);
	last = json_object_array_get_idx(disks, 14);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(last, "controller")), 1);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(last, "unit")), 0);
	nc = json_object_object_get(disk, "new_controllers");
	CU_ASSERT_EQUAL(json_object_array_length(nc), 1);
	json_object_put(plan);
	free(msgs);
	strbuf_release(&sb);
}

static void
test_clone_name(void)
{
	char *msgs;
	json_object *plan = build(HDR "virtual_machines:\n  - name: xcopy-template-test\n"
				  "    clone: true\n    clone_name: My_Clone\n"
				  "  - name: xcopy-template-test\n    clone: true\n"
				  "    clone_name: Keep_Caps\n    preserve_name_format: true\n", &msgs);
	json_object *checks;
	size_t i;
	int seen = 0;

	CU_ASSERT_STRING_EQUAL(msgs, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	CU_ASSERT_STRING_EQUAL(path_str(step_of(plan, "clone", 0), "vm", NULL), "abc123-my-clone");
	CU_ASSERT_STRING_EQUAL(path_str(step_of(plan, "clone", 1), "vm", NULL), "abc123-Keep_Caps");
	checks = json_object_object_get(step_of(plan, "verify", 0), "checks");
	for (i = 0; i < json_object_array_length(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);

		if (strcmp(path_str(c, "check", NULL), "vm") == 0 &&
		    strcmp(path_str(c, "source", NULL), "abc123-Keep_Caps") == 0) {
			CU_ASSERT_STRING_EQUAL(path_str(c, "target", NULL), "abc123-keep-caps");
			seen++;
		}
	}
	CU_ASSERT_EQUAL(seen, 1);
	json_object_put(plan);
	free(msgs);
}

static void
test_missing_key(void)
{
	char *msgs;
	json_object *plan = build(HDR "virtual_machines:\n  - name: xcopy-template-test\n"
				  "    clone: true\n    target_datastore_id: secondary_datastore_id\n",
				  &msgs);

	CU_ASSERT_PTR_NULL(plan);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "8:26: virtual_machines[0].target_datastore_id needs "
				      "'secondary_datastore_id' but profile 'vs' in "));
	json_object_put(plan);
	free(msgs);
}

static void
test_expectations(void)
{
	char *msgs;
	json_object *plan = build(HDR "virtual_machines:\n  - name: xcopy-template-test\n"
				  "    clone: true\n    add_disks:\n      - size_gb: 1\n"
				  "        datastore_id: non_xcopy_datastore_id\n", &msgs);
	json_object *xl, *sd;

	CU_ASSERT_STRING_EQUAL(msgs, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	/* mixed: one expectation per datastore */
	xl = json_object_object_get(json_object_object_get(plan, "expect"), "xcopy_used");
	CU_ASSERT_EQUAL(json_object_array_length(xl), 2);
	CU_ASSERT_STRING_EQUAL(path_str(json_object_array_get_idx(xl, 0), "datastore", NULL),
			       "datastore-1");
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
		json_object_array_get_idx(xl, 0), "value")), 1);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
		json_object_array_get_idx(xl, 1), "value")), 0);
	/* the storage secret holds placeholders, never the password */
	sd = json_object_object_get(json_object_object_get(step_of(plan, "secret", 1),
							   "manifest"), "stringData");
	CU_ASSERT_STRING_EQUAL(path_str(sd, "STORAGE_PASSWORD", NULL),
			       "((secret:copyoffload.storage_password))");
	CU_ASSERT_PTR_NULL(strstr(json_object_to_json_string(plan), "unit-array-pw"));
	CU_ASSERT_PTR_NULL(strstr(json_object_to_json_string(plan), "unit-vc-pw"));
	json_object_put(plan);
	free(msgs);
	/* snapshots: 0 */
	plan = build(HDR "virtual_machines:\n  - name: xcopy-template-test\n"
		     "    clone: true\n    snapshots: 2\n", &msgs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	xl = json_object_object_get(json_object_object_get(plan, "expect"), "xcopy_used");
	CU_ASSERT_EQUAL(json_object_array_length(xl), 1);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
		json_object_array_get_idx(xl, 0), "value")), 0);
	json_object_put(plan);
	free(msgs);
}

static void
test_long_names(void)
{
	char *msgs;
	json_object *plan = build("apiVersion: mtv-scenario/v1alpha1\nkind: Scenario\n"
				  "name: a-very-long-scenario-name-that-fills-up-the-dns-label-limit-x\n"
				  "copyoffload: true\nvirtual_machines:\n"
				  "  - name: xcopy-template-test\n    clone: true\n"
				  "  - name: xcopy-template-test\n    clone: true\n"
				  "plans:\n  - name: first-plan\n    virtual_machines: [0]\n"
				  "  - name: second-plan\n    virtual_machines: [1]\n", &msgs);
	json_object *plans;
	const char *ns;

	CU_ASSERT_STRING_EQUAL(msgs, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	ns = path_str(plan, "namespace", NULL);
	CU_ASSERT(strlen(ns) <= 63);
	CU_ASSERT(str_endswith(ns, "-abc123"));
	plans = json_object_object_get(plan, "plans");
	CU_ASSERT(str_endswith(path_str(json_object_array_get_idx(plans, 0), "name", NULL),
			       "-first-plan"));
	CU_ASSERT(str_endswith(path_str(json_object_array_get_idx(plans, 1), "name", NULL),
			       "-second-plan"));
	CU_ASSERT(strlen(path_str(json_object_array_get_idx(plans, 1), "migration", NULL)) <= 63);
	json_object_put(plan);
	free(msgs);
}

/* The verify check of kind in plan (the nth), or NULL. */
static json_object *
check_of(json_object *plan, const char *kind)
{
	json_object *cs = json_object_object_get(step_of(plan, "verify", 0),
						 "checks");
	size_t i;

	for (i = 0; cs && i < json_object_array_length(cs); i++)
		if (str_eq(path_str(json_object_array_get_idx(cs, i), "check",
				    NULL), kind))
			return json_object_array_get_idx(cs, i);
	return NULL;
}

/* The position of the first step of kind in plan's steps, or -1. */
static int
step_index(json_object *plan, const char *kind)
{
	json_object *steps = json_object_object_get(plan, "steps");
	size_t i;

	for (i = 0; i < json_object_array_length(steps); i++)
		if (strcmp(json_object_get_string(json_object_object_get(
		    json_object_array_get_idx(steps, i), "kind")), kind) == 0)
			return (int)i;
	return -1;
}

static void
test_new_checks(void)
{
	char *msgs;
	json_object *plan, *c, *fs, *pend, *gd;

	/* throttling: the knobs on the migrate step, restored by its undo;
	 * 3 disks over a limit of 1: 2 PVCs throttled by default */
	plan = build(HDR "virtual_machines:\n  - name: xcopy-template-test\n"
		     "    clone: true\n    add_disks:\n      - size_gb: 1\n"
		     "      - size_gb: 1\n"
		     "expect:\n  populator_throttling:\n"
		     "    max_populator_inflight: 1\n", &msgs);
	CU_ASSERT_STRING_EQUAL(msgs, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	fs = json_object_object_get(step_of(plan, "migrate", 0),
				    "forklift_settings");
	CU_ASSERT_STRING_EQUAL(path_str(fs, "namespace", NULL), "openshift-mtv");
	CU_ASSERT_STRING_EQUAL(path_str(fs, "spec",
					"controller_max_populator_inflight"), "1");
	CU_ASSERT_PTR_NULL(json_object_object_get(
	    json_object_object_get(fs, "spec"), "controller_max_vm_inflight"));
	c = check_of(plan, "populator_throttling");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(path_str(c, "disks", NULL), "3");
	CU_ASSERT_STRING_EQUAL(path_str(c, "min_throttled_pvcs", NULL), "2");
	json_object_put(plan);
	free(msgs);

	/* data_integrity: a guest-data step after the snapshots writes
	 * the marker of the run and the random data; the check reads them
	 * back; nothing pending; no throttling knobs without
	 * populator_throttling */
	plan = build(HDR "virtual_machines:\n  - name: xcopy-template-test\n"
		     "    clone: true\n    snapshots: 1\n"
		     "expect:\n  checks:\n    - check: data_integrity\n", &msgs);
	CU_ASSERT_STRING_EQUAL(msgs, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	gd = step_of(plan, "guest-data", 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(gd);
	CU_ASSERT_PTR_NOT_NULL(strstr(path_str(gd, "marker", NULL),
				      "mtv-data-integrity-"));
	CU_ASSERT_STRING_EQUAL(path_str(gd, "data_bytes", NULL), "4194304");
	CU_ASSERT(step_index(plan, "guest-data") >
		  step_index(plan, "snapshot"));
	CU_ASSERT(step_index(plan, "guest-data") <
		  step_index(plan, "migrate"));
	c = check_of(plan, "data_integrity");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(path_str(c, "vm_ref", NULL), "vm0");
	CU_ASSERT_PTR_NULL(json_object_object_get(c, "implemented"));
	pend = json_object_object_get(json_object_object_get(plan, "expect"),
				      "pending");
	CU_ASSERT_EQUAL(json_object_array_length(pend), 0);
	CU_ASSERT_PTR_NULL(json_object_object_get(step_of(plan, "migrate", 0),
						  "forklift_settings"));
	json_object_put(plan);
	free(msgs);

	/* named for a VM whose guest is not running before the migration:
	 * an error saying what to set */
	plan = build(HDR "virtual_machines:\n  - name: xcopy-template-test\n"
		     "    clone: true\n"
		     "expect:\n  checks:\n    - check: data_integrity\n", &msgs);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "needs its guest running before "
				      "the migration: set source_vm_power: on "
				      "or guest_agent: true"));
	json_object_put(plan);
	free(msgs);

	/* rdm_lun_bus without an RDM disk is an error */
	plan = build(HDR "virtual_machines:\n  - name: xcopy-template-test\n"
		     "    clone: true\n"
		     "expect:\n  checks:\n    - check: rdm_lun_bus\n", &msgs);
	CU_ASSERT_PTR_NOT_NULL(strstr(msgs, "rdm_lun_bus, but no VM has an "
				      "RDM disk"));
	json_object_put(plan);
	free(msgs);
}

/* "kind:after,after;kind:..." of every step, e.g. "clone:1,2;". */
static char *
graph_str(json_object *plan)
{
	json_object *steps = json_object_object_get(plan, "steps");
	struct strbuf sb = STRBUF_INIT;
	size_t i, k;

	for (i = 0; i < json_object_array_length(steps); i++) {
		json_object *st = json_object_array_get_idx(steps, i),
			    *a = json_object_object_get(st, "after");

		CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(st, "id")),
				(int)i + 1);
		strbuf_addf(&sb, "%s:", json_object_get_string(
			json_object_object_get(st, "kind")));
		for (k = 0; k < json_object_array_length(a); k++)
			strbuf_addf(&sb, "%s%d", k ? "," : "", json_object_get_int(
				json_object_array_get_idx(a, k)));
		strbuf_adds(&sb, ";");
	}
	return strbuf_detach(&sb);
}

/* each VM's steps form a chain; same host: the second clone waits for
 * the first; the Plan waits for its maps and both chains; migrate and
 * verify for everything */
static void
test_graph(void)
{
	char *msgs, *g;
	json_object *plan = build(HDR "clone_to_same_host: true\n"
				  "virtual_machines:\n  - name: xcopy-template-test\n"
				  "    clone: true\n    snapshots: 1\n"
				  "  - name: xcopy-template-test\n    clone: true\n"
				  "    add_disks:\n      - size_gb: 1\n", &msgs);

	CU_ASSERT_STRING_EQUAL(msgs, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	g = graph_str(plan);
	CU_ASSERT_STRING_EQUAL(g,
		"preflight:;preflight:;"		/* 1, 2 */
		"clone:1,2;clone:1,2,3;"		/* 3, 4 */
		"power:3;guest-ready:5;snapshot:6;"	/* 5-7: vm0 */
		"guest-data:7;"				/* 8: vm0 */
		"disk:4;"				/* 9: vm1 */
		"secret:1,2;provider:10;provider:10;"	/* 10-12 */
		"secret:10;"				/* 13 */
		"map:11,12,13;map:11,12;"		/* 14, 15 */
		"plan:8,9,14,15;"			/* 16 */
		"migrate:16;verify:17;");
	free(g);
	json_object_put(plan);
	free(msgs);
}

static CU_TestInfo tests_plan[] = {
	{ "the step graph: chains per VM, cluster steps by what they need", test_graph },
	{ "rdm_lun_bus, populator_throttling, data_integrity", test_new_checks },
	{ "long names keep run id and plan name", test_long_names },
	{ "run id", test_run_id },
	{ "clone names and disk layout", test_names_and_disks },
	{ "clone_name and preserve_name_format", test_clone_name },
	{ "missing datastore key", test_missing_key },
	{ "xcopy_used defaults and secrets", test_expectations },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_plan[] = {
	{ "plan", NULL, NULL, NULL, NULL, tests_plan },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_plan)
