/* test_evidence.c: the report's per-disk copy evidence (copy_evidence.c)
 * from what the migrate and verify steps keep, and the JSON report that
 * carries it (report_json.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "step/step.h"
#include "report/report.h"

/* A plan with one copy-offload plan of one VM, and the state a run of it
 * leaves: two DiskTransfer tasks, one xcopy record with a member the
 * readers do not know ("source"), one VM-level DiskTransfer step, and the
 * pvc check's evidence for the first disk only. */
static const char plan_json[] =
	"{\"storage_class\": \"sc1\", \"plans\": [{\"name\": \"p1\","
	" \"copyoffload\": true, \"vms\": [\"vm0\"]}],"
	" \"steps\": [{\"kind\": \"preflight\", \"params\": {\"datastores\":"
	" [{\"key\": \"datastore_id\", \"moid\": \"datastore-11\"}]}}]}";
static const char state_json[] =
	"{\"vms\": {\"vm0\": {\"moid\": \"vm-1\", \"name\": \"r1-vm\"}},"
	" \"environment\": {\"vcenter\": {\"version\": \"8.0.3\"}},"
	" \"plans\": {\"p1\": {"
	"  \"disk_tasks\": ["
	"   {\"vm\": \"vm-1\", \"disk\": \"[ds1] r1-vm/r1-vm.vmdk\","
	"    \"started\": \"2026-01-01T10:00:00Z\","
	"    \"completed\": \"2026-01-01T10:00:32Z\", \"total\": 16384,"
	"    \"unit\": \"MB\"},"
	"   {\"vm\": \"vm-1\", \"disk\": \"[ds2] r1-vm/r1-vm_1.vmdk\","
	"    \"started\": null, \"completed\": null, \"total\": 1024,"
	"    \"unit\": \"MB\"}],"
	"  \"xcopy\": [{\"vm\": \"vm-1\", \"disk\": \"[ds1] r1-vm/r1-vm.vmdk\","
	"   \"xcopyUsed\": 1, \"cloneMethod\": \"ssh\", \"source\": \"pod-log\","
	"   \"extra\": {\"x\": 1}},"
	"   {\"vm\": \"vm-1\", \"disk\": \"[ds2] r1-vm/r1-vm_1.vmdk\","
	"   \"xcopyUsed\": 0}],"
	"  \"disk_transfer\": [{\"vm\": \"vm-1\","
	"   \"started\": \"2026-01-01T10:00:00Z\","
	"   \"completed\": \"2026-01-01T10:01:00Z\"}]}},"
	" \"verify\": {\"checks\": [{\"name\": \"pvc\", \"status\": \"passed\","
	"  \"message\": null, \"evidence\": {\"plan\": \"p1\", \"vm_ref\": \"vm0\","
	"  \"pvcs\": [{\"name\": \"pvc-1\", \"disk_source\":"
	"   \"[ds1] r1-vm/r1-vm.vmdk\", \"storage_class\": \"sc1\"}],"
	"  \"source_disks\": [{\"label\": \"Hard disk 1\", \"file\":"
	"   \"[ds1] r1-vm/r1-vm.vmdk\", \"datastore\": \"datastore-11\","
	"   \"capacity_kb\": 16777216, \"rdm\": null}]}}]}}";

static json_object *
disk(json_object *ev, size_t i)
{
	return json_object_array_get_idx(json_object_object_get(ev, "disks"),
					 i);
}

static const char *
str(json_object *o, const char *k)
{
	return json_object_get_string(json_object_object_get(o, k));
}

static void
test_copy_evidence(void)
{
	struct step_ctx ctx;
	json_object *ev, *d;

	memset(&ctx, 0, sizeof(ctx));
	ctx.plan = json_tokener_parse(plan_json);
	ctx.state = json_tokener_parse(state_json);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx.plan);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx.state);
	pthread_mutex_init(&ctx.lock, NULL);
	ev = step_report_state(&ctx);
	CU_ASSERT_EQUAL(json_object_array_length(json_object_object_get(ev,
			"disks")), 2);
	CU_ASSERT_STRING_EQUAL(str(json_object_object_get(json_object_object_get(
		ev, "environment"), "vcenter"), "version"), "8.0.3");
	/* the first disk: everything known, the task's 32 s */
	d = disk(ev, 0);
	CU_ASSERT_STRING_EQUAL(str(d, "vm"), "r1-vm");
	CU_ASSERT_STRING_EQUAL(str(d, "method"), "xcopy");
	CU_ASSERT_TRUE(json_object_get_boolean(json_object_object_get(d,
		       "xcopy_used")));
	CU_ASSERT_STRING_EQUAL(str(d, "evidence_source"), "pod-log");
	CU_ASSERT_STRING_EQUAL(str(json_object_object_get(d, "datastore"),
				   "key"), "datastore_id");
	CU_ASSERT_STRING_EQUAL(str(json_object_object_get(d, "datastore"),
				   "name"), "ds1");
	CU_ASSERT_STRING_EQUAL(str(json_object_object_get(d, "disk"),
				   "label"), "Hard disk 1");
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(d,
			"size_bytes")), 16LL << 30);
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(d,
			"duration_seconds")), 32);
	CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(json_object_object_get(
			       d, "mib_per_s")), 512.0, 0.01);
	CU_ASSERT_STRING_EQUAL(str(d, "pvc"), "pvc-1");
	/* the second: the fallback, sized by its task, timed by its VM's
	 * DiskTransfer step, no PVC known, the plan's storage class */
	d = disk(ev, 1);
	CU_ASSERT_STRING_EQUAL(str(d, "method"), "fallback");
	CU_ASSERT_FALSE(json_object_get_boolean(json_object_object_get(d,
			"xcopy_used")));
	CU_ASSERT_STRING_EQUAL(str(d, "evidence_source"), "migration-status");
	CU_ASSERT_EQUAL(json_object_get_int64(json_object_object_get(d,
			"size_bytes")), 1LL << 30);
	CU_ASSERT_STRING_EQUAL(str(d, "time_source"), "vm-disk-transfer");
	CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(
			json_object_object_get(d, "disk"), "index")), 1);
	CU_ASSERT_PTR_NULL(json_object_object_get(d, "pvc"));
	CU_ASSERT_STRING_EQUAL(str(d, "storage_class"), "sc1");
	json_object_put(ev);
	json_object_put(ctx.plan);
	json_object_put(ctx.state);
	pthread_mutex_destroy(&ctx.lock);
}

/* Without a copy-offload plan the method is vddk and xcopy_used null;
 * without any evidence there are no disks. */
static void
test_vddk_and_none(void)
{
	struct step_ctx ctx;
	json_object *ev;

	memset(&ctx, 0, sizeof(ctx));
	ctx.plan = json_tokener_parse(plan_json);
	ctx.state = json_tokener_parse(state_json);
	json_object_object_add(json_object_array_get_idx(
		json_object_object_get(ctx.plan, "plans"), 0), "copyoffload",
		json_object_new_boolean(false));
	/* and no VM recorded (the run stopped before): named by MoID */
	json_object_object_del(ctx.state, "vms");
	pthread_mutex_init(&ctx.lock, NULL);
	ev = step_report_state(&ctx);
	CU_ASSERT_STRING_EQUAL(str(disk(ev, 0), "method"), "vddk");
	CU_ASSERT_PTR_NULL(json_object_object_get(disk(ev, 0), "xcopy_used"));
	CU_ASSERT_STRING_EQUAL(str(disk(ev, 0), "vm"), "vm-1");
	json_object_put(ev);
	json_object_put(ctx.state);
	ctx.state = json_object_new_object();
	ev = step_report_state(&ctx);
	CU_ASSERT_EQUAL(json_object_array_length(json_object_object_get(ev,
			"disks")), 0);
	CU_ASSERT_EQUAL(json_object_array_length(json_object_object_get(ev,
			"checks")), 0);
	json_object_put(ev);
	json_object_put(ctx.plan);
	json_object_put(ctx.state);
	pthread_mutex_destroy(&ctx.lock);
}

/* The JSON report carries them: the environment at the top (with the
 * tool), the checks and disks per scenario, ISO-8601 step times. */
static void
test_report(void)
{
	struct mtv_err err = { 0 };
	struct run_result res;
	struct scenario_report r = { "thin", "MTV-1", "thin.yaml", "abc123",
				     REPORT_PASSED, NULL, 2000, NULL };
	char path[] = "/tmp/mtv-evidence-XXXXXX";
	int fd = mkstemp(path);
	json_object *root, *sc, *st;
	struct step_ctx ctx;
	char *x = NULL;

	close(fd);
	memset(&ctx, 0, sizeof(ctx));
	ctx.plan = json_tokener_parse(plan_json);
	ctx.state = json_tokener_parse(state_json);
	pthread_mutex_init(&ctx.lock, NULL);
	memset(&res, 0, sizeof(res));
	res.cap = 1;
	res.steps = xcalloc(1, sizeof(*res.steps));
	res.steps[0] = (struct step_result){ 1, xstrdup("clone"),
		xstrdup("clone vm"), 0, NULL, 1000, 1500, false, false };
	res.n = 1;
	/* 2026-01-01T10:00:00Z at monotonic 0 */
	res.wall_offset_ms = 1767261600000LL;
	res.evidence = step_report_state(&ctx);
	r.res = &res;
	ASSERT_OK(report_json_write(path, &r, 1, &err), &err);
	ASSERT_OK(file_read(&x, NULL, path, 0, &err), &err);
	root = json_tokener_parse(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_STRING_EQUAL(str(root, "format"), REPORT_FORMAT);
	CU_ASSERT_STRING_EQUAL(str(json_object_object_get(json_object_object_get(
		root, "environment"), "tool"), "name"), "mtv-scenario");
	CU_ASSERT_PTR_NULL(json_object_object_get(json_object_object_get(root,
			   "environment"), "mtv"));
	sc = json_object_array_get_idx(json_object_object_get(root,
				       "scenarios"), 0);
	/* the same environment as the report's: not repeated */
	CU_ASSERT_PTR_NULL(json_object_object_get(sc, "environment"));
	CU_ASSERT_EQUAL(json_object_array_length(json_object_object_get(sc,
			"checks")), 1);
	CU_ASSERT_EQUAL(json_object_array_length(json_object_object_get(sc,
			"disks")), 2);
	st = json_object_array_get_idx(json_object_object_get(sc, "steps"), 0);
	CU_ASSERT_STRING_EQUAL(str(st, "start"), "2026-01-01T10:00:01.000Z");
	CU_ASSERT_STRING_EQUAL(str(st, "end"), "2026-01-01T10:00:01.500Z");
	json_object_put(root);
	free(x);
	unlink(path);
	run_result_release(&res);
	json_object_put(ctx.plan);
	json_object_put(ctx.state);
	pthread_mutex_destroy(&ctx.lock);
}

static CU_TestInfo tests_evidence[] = {
	{ "copy evidence per disk from the run's state", test_copy_evidence },
	{ "vddk plans, and runs without evidence", test_vddk_and_none },
	{ "the JSON report carries environment, checks, disks, times",
	  test_report },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_evidence[] = {
	{ "evidence", NULL, NULL, NULL, NULL, tests_evidence },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_evidence)
