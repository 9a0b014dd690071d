/* test_schema.c: schema validation, defaults, scenario checks, tags. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

#define HDR "apiVersion: mtv-scenario/v1alpha1\nkind: Scenario\nname: t\n"
#define VM "virtual_machines:\n  - name: xcopy-template-test\n    clone: true\n"

/* Validate text against schema; all messages as "l:c: msg\n" lines. */
static char *
validate(const char *schema, const char *text, int *rc)
{
	struct mtv_diags d = { 0 };
	struct mtv_doc *doc = NULL;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	*rc = doc_load_buf(&doc, "t.yaml", text, strlen(text), &d);
	if (*rc == 0)
		*rc = schema_validate(doc, schema, &d);
	diags_sort(&d);
	for (i = 0; i < d.n; i++)
		strbuf_addf(&sb, "%d:%d: %s\n", d.v[i].line, d.v[i].col,
			    d.v[i].msg);
	diags_release(&d);
	doc_free(doc);
	return strbuf_detach(&sb);
}

static void
expect(const char *text, const char *want)
{
	int rc;
	char *got = validate("scenario", text, &rc);

	if (strcmp(got, want) != 0)
		fprintf(stderr, "# got:\n%s# want:\n%s", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_EQUAL(rc, want[0] ? MTV_EINVAL : 0);
	free(got);
}

static void
test_embedded(void)
{
	CU_ASSERT_PTR_NOT_NULL(schema_text("scenario"));
	CU_ASSERT_PTR_NOT_NULL(schema_text("providers"));
	CU_ASSERT_PTR_NULL(schema_text("nope"));
	CU_ASSERT_PTR_NOT_NULL(strstr(schema_text("scenario"), "2020-12"));
}

static void
test_valid(void)
{
	expect(HDR VM, "");
	expect(
	    HDR
	    "id: MTV-614\ntags: [copyoffload, copyoffload_sanity]\n" VM
	    "    add_disks:\n      - {size_gb: 30, datastore_id: datastore-12}\n"
	    "      - {rdm_type: physical}\n"
	    "expect:\n  xcopy_used: {datastore_id: 1}\n",
	    "");
}

static void
test_messages(void)
{
	expect(
	    HDR VM "    add_disks:\n      - size_gb: -5\n",
	    "8:18: virtual_machines[0].add_disks[0].size_gb: expected an integer >= 1, found -5\n");
	expect(
	    HDR VM "    disk_tpye: thin\n",
	    "7:5: virtual_machines[0]: unknown key 'disk_tpye' (did you mean 'disk_type'?)\n");
	expect(HDR VM "zzz: 1\n", "7:1: unknown key 'zzz'\n");
	expect(
	    HDR VM "    disk_type: thik\n",
	    "7:16: virtual_machines[0].disk_type: expected one of 'thin', 'thick-lazy', "
	    "'thick-eager', found 'thik' (did you mean 'thin'?)\n");
	expect("kind: Scenario\nname: t\n" VM,
	       "1:1: missing required key 'apiVersion'\n");
	expect(HDR "virtual_machines: {}\n",
	       "4:19: virtual_machines: expected a list, found a mapping\n");
	expect(
	    HDR VM "copyoffload: 1\nwarm_migration: \"no\"\n",
	    "7:14: copyoffload: expected a boolean (true or false), found 1\n"
	    "8:17: warm_migration: expected a boolean (true or false), found 'no'\n");
	/* null values are placed at their key */
	expect(HDR VM "timeout:\n",
	       "7:1: timeout: expected an integer, found null\n");
	expect(
	    HDR VM "expect:\n  xcopy_used: 3\n",
	    "8:15: expect.xcopy_used: expected 0, 1 or a mapping from datastore key or "
	    "plan name to 0 or 1, found 3\n");
	expect(
	    HDR VM "plans:\n  - name: p\n    virtual_machines: [true]\n",
	    "9:24: plans[0].virtual_machines[0]: expected an integer or a string, found true\n");
}

static void
test_defaults(void)
{
	struct mtv_diags d = { 0 };
	struct mtv_doc *doc = NULL;
	const char *text = HDR VM
	    "    add_disks:\n      - size_gb: 1\n      - rdm_type: virtual\n";
	json_object *r, *vm, *disks, *v = NULL;

	CU_ASSERT_EQUAL_FATAL(doc_load_buf(&doc, "t", text, strlen(text), &d),
			      0);
	schema_apply_defaults(doc_root(doc), "scenario");
	r = doc_root(doc);
	CU_ASSERT(json_object_object_get_ex(r, "timeout", &v));
	CU_ASSERT_EQUAL(json_object_get_int(v), 3600);
	CU_ASSERT(json_object_object_get_ex(r, "expect", &v));
	CU_ASSERT(json_object_object_get_ex(v, "result", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "succeeded");
	json_object_object_get_ex(r, "virtual_machines", &v);
	vm = json_object_array_get_idx(v, 0);
	CU_ASSERT(json_object_object_get_ex(vm, "snapshots", &v));
	json_object_object_get_ex(vm, "add_disks", &disks);
	CU_ASSERT(json_object_object_get_ex(json_object_array_get_idx(disks, 0),
					    "provision_type", &v));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(v), "thin");
	/* RDM disks get no size, provisioning or mode defaults */
	CU_ASSERT(!json_object_object_get_ex(
	    json_object_array_get_idx(disks, 1), "provision_type", NULL));
	CU_ASSERT(!json_object_object_get_ex(
	    json_object_array_get_idx(disks, 1), "disk_mode", NULL));
	/* defaults carry no position */
	CU_ASSERT(json_object_object_get_ex(r, "timeout", &v));
	{
		int l, c;

		CU_ASSERT(!doc_loc(doc, v, &l, &c));
	}
	/* the result is still valid */
	CU_ASSERT_EQUAL(schema_validate(doc, "scenario", &d), 0);
	CU_ASSERT_EQUAL(d.n, 0);
	diags_release(&d);
	doc_free(doc);
}

static char *
scenario_errors(const char *text, struct mtv_scenario **out)
{
	char path[] = "/tmp/mtv-unit-XXXXXX";
	struct mtv_diags d = { 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t i;
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
	scenario_load(out, path, &d);
	unlink(path);

	diags_sort(&d);
	for (i = 0; i < d.n; i++)
		strbuf_addf(&sb, "%d:%d: %s\n", d.v[i].line, d.v[i].col,
			    d.v[i].msg);
	diags_release(&d);
	return strbuf_detach(&sb);
}

static void
test_scenario(void)
{
	struct mtv_scenario *s = NULL;
	char *e;

	e = scenario_errors(HDR "id: MTV-1\n" VM, &s);
	CU_ASSERT_STRING_EQUAL(e, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s->name, "t");
	CU_ASSERT_STRING_EQUAL(s->id, "MTV-1");
	CU_ASSERT_PTR_NOT_NULL(s->root);
	free(e);
	scenario_free(s);
	s = NULL;

	e = scenario_errors(
	    HDR VM "    clone_name: a\n  - name: b\n    clone_name: a\n", &s);
	CU_ASSERT_STRING_EQUAL(
	    e, "9:17: virtual_machines[1].clone_name: duplicate VM name 'a' "
	       "(also virtual_machines[0])\n");
	CU_ASSERT_PTR_NULL(s);
	free(e);

	e = scenario_errors(
	    HDR VM "expect:\n  xcopy_used: {non_xcopy_datastore_id: 0}\n", &s);
	CU_ASSERT_STRING_EQUAL(
	    e, "8:16: expect.xcopy_used: 'non_xcopy_datastore_id' is neither a "
	       "datastore the scenario's disks use nor a plan\n");
	free(e);

	e = scenario_errors(HDR VM "  - name: t2\n    clone: true\nplans:\n"
				   "  - {name: p1, virtual_machines: [0]}\n"
				   "  - {name: p2, virtual_machines: [t3]}\n",
			    &s);
	CU_ASSERT_STRING_EQUAL(
	    e, "11:35: plans[1].virtual_machines[0]: unknown VM 't3' "
	       "(did you mean 't2'?)\n");
	free(e);
}

static void
tag_case(const char *expr, int want)
{
	json_object *tags =
	    json_tokener_parse("[\"copyoffload\", \"warm\", \"rdm\", \"a-b\"]");
	struct mtv_err err = { 0 };
	int got = tags_match(expr, tags, &err);

	if (got != want)
		fprintf(stderr, "# '%s': got %d want %d (%s)\n", expr, got,
			want, err.msg);
	CU_ASSERT_EQUAL(got, want);
	json_object_put(tags);
}

static void
test_tags(void)
{
	struct mtv_err err = { 0 };

	tag_case(NULL, 1);
	tag_case("copyoffload", 1);
	tag_case("sanity", 0);
	tag_case("copyoffload and not warm", 0);
	tag_case("copyoffload and (warm or sanity)", 1);
	tag_case("not not rdm", 1);
	tag_case("sanity or a-b", 1);
	tag_case("a or b and c", 0);
	tag_case("(copyoffload)and(rdm)", 1);
	tag_case("", MTV_EINVAL);
	tag_case("a and", MTV_EINVAL);
	tag_case("(a", MTV_EINVAL);
	tag_case("a b", MTV_EINVAL);
	tag_case("a )", MTV_EINVAL);
	tag_case("a & b", MTV_EINVAL);
	CU_ASSERT_EQUAL(tags_match("x", NULL, &err), 0);
	CU_ASSERT_EQUAL(tags_match("a or (b", NULL, &err), MTV_EINVAL);
	CU_ASSERT_STRING_EQUAL(err.msg,
			       "expected ')' at the end of the expression");
	CU_ASSERT_EQUAL(tags_match("a b", NULL, &err), MTV_EINVAL);
	CU_ASSERT_STRING_EQUAL(
	    err.msg, "expected 'and', 'or' or the end at column 3, found 'b'");
}

/* schema_validate_sub: one value against one property's subschema */
static void
sub_case(const char *yaml, const char *schema, const char *path, int want,
	 const char *msg)
{
	struct mtv_diags d = { 0 };
	struct mtv_doc *doc = NULL;

	CU_ASSERT_EQUAL_FATAL(doc_load_buf(&doc, "v", yaml, strlen(yaml), &d),
			      0);
	CU_ASSERT_EQUAL(schema_validate_sub(doc, doc_root(doc), schema, path,
					    &d), want);
	if (msg) {
		CU_ASSERT_EQUAL_FATAL(d.n, 1);
		CU_ASSERT_STRING_EQUAL(d.v[0].msg, msg);
	} else if (want != MTV_EINVAL) {
		CU_ASSERT_EQUAL(d.n, 0);
	}
	diags_release(&d);
	doc_free(doc);
}

static void
test_sub(void)
{
	sub_case("true", "scenario", "properties/warm_migration", 0, NULL);
	sub_case("yes", "scenario", "properties/warm_migration", MTV_EINVAL,
		 "expected a boolean (true or false), found 'yes'");
	sub_case("x", "scenario", "properties/nosuch", MTV_ENOTFOUND, NULL);
	sub_case("3600", "scenario", "properties/timeout", 0, NULL);
	sub_case("fast", "providers", "$defs/vsphere/properties/storage_class",
		 0, NULL);
	sub_case("\"\"", "providers", "$defs/vsphere/properties/storage_class",
		 MTV_EINVAL, NULL);
}

static CU_TestInfo tests_schema[] = {
	{ "embedded schemas", test_embedded },
	{ "valid scenarios", test_valid },
	{ "messages", test_messages },
	{ "defaults", test_defaults },
	{ "scenario checks", test_scenario },
	{ "tag expressions", test_tags },
	{ "one value against a subschema", test_sub },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_schema[] = {
	{ "schema", NULL, NULL, NULL, NULL, tests_schema },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_schema)
