/* test_load.c: the YAML/JSON loader: scalars, positions, limits. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

/* Load text; return the first diagnostic as "line:col: msg" (or NULL). */
static char *
load(struct mtv_doc **doc, const char *text)
{
	struct mtv_diags d = { 0 };
	char *r = NULL;

	if (doc_load_buf(doc, "t.yaml", text, strlen(text), &d) != 0) {
		CU_ASSERT_PTR_NULL(*doc);
		CU_ASSERT(d.n > 0);
		r = xasprintf("%d:%d: %s", d.v[0].line, d.v[0].col, d.v[0].msg);
	}
	diags_release(&d);
	return r;
}

static json_object *
key(json_object *o, const char *k)
{
	json_object *v = NULL;

	json_object_object_get_ex(o, k, &v);
	return v;
}

static void
test_scalars(void)
{
	struct mtv_doc *doc = NULL;
	json_object *r;

	CU_ASSERT_PTR_NULL(load(
	    &doc,
	    "t: true\nf: False\nn: null\nt2: ~\ne:\ni: -42\nh: 0x1F\no: 0o17\n"
	    "x: 1.5e3\ninf: -.inf\nq: \"true\"\ns: 'null'\non: on\nyes: yes\n"
	    "v: 1.2.3\nbig: 9223372036854775807\nlit: |\n  a\n  b\n"));
	r = doc_root(doc);
	CU_ASSERT(json_object_get_boolean(key(r, "t")));
	CU_ASSERT(json_object_is_type(key(r, "f"), json_type_boolean));
	CU_ASSERT(!json_object_get_boolean(key(r, "f")));
	CU_ASSERT(json_object_object_get_ex(r, "n", NULL));
	CU_ASSERT_PTR_NULL(key(r, "n"));
	CU_ASSERT_PTR_NULL(key(r, "t2"));
	CU_ASSERT_PTR_NULL(key(r, "e"));
	CU_ASSERT(json_object_is_type(key(r, "i"), json_type_int));
	CU_ASSERT_EQUAL(json_object_get_int64(key(r, "i")), -42);
	CU_ASSERT_EQUAL(json_object_get_int64(key(r, "h")), 31);
	CU_ASSERT_EQUAL(json_object_get_int64(key(r, "o")), 15);
	CU_ASSERT(json_object_is_type(key(r, "x"), json_type_double));
	CU_ASSERT_DOUBLE_EQUAL(json_object_get_double(key(r, "x")), 1500.0,
			       1e-9);
	CU_ASSERT(isinf(json_object_get_double(key(r, "inf"))));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(key(r, "q")), "true");
	CU_ASSERT(json_object_is_type(key(r, "q"), json_type_string));
	CU_ASSERT_STRING_EQUAL(json_object_get_string(key(r, "s")), "null");
	/* YAML 1.2: on and yes are strings, as source_vm_power needs */
	CU_ASSERT_STRING_EQUAL(json_object_get_string(key(r, "on")), "on");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(key(r, "yes")), "yes");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(key(r, "v")), "1.2.3");
	CU_ASSERT_EQUAL(json_object_get_int64(key(r, "big")),
			9223372036854775807LL);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(key(r, "lit")), "a\nb\n");
	doc_free(doc);
}

static void
test_positions(void)
{
	struct mtv_doc *doc = NULL;
	json_object *r, *vms, *vm;
	int line = 0, col = 0;

	CU_ASSERT_PTR_NULL(load(&doc,
				"# c\nname: x\nvirtual_machines:\n  - name: a\n"
				"    size:   30\n  - {name: b}\n"));
	r = doc_root(doc);
	CU_ASSERT_STRING_EQUAL(doc_name(doc), "t.yaml");
	CU_ASSERT(doc_loc(doc, r, &line, &col));
	CU_ASSERT(line == 2 && col == 1);
	CU_ASSERT(doc_key_loc(doc, r, "virtual_machines", &line, &col));
	CU_ASSERT(line == 3 && col == 1);
	vms = key(r, "virtual_machines");
	CU_ASSERT(doc_loc(doc, vms, &line, &col));
	CU_ASSERT(line == 4 && col == 3);
	vm = json_object_array_get_idx(vms, 0);
	CU_ASSERT(doc_loc(doc, key(vm, "size"), &line, &col));
	CU_ASSERT(line == 5 && col == 13);
	CU_ASSERT(doc_key_loc(doc, vm, "size", &line, &col));
	CU_ASSERT(line == 5 && col == 5);
	vm = json_object_array_get_idx(vms, 1);
	CU_ASSERT(doc_loc(doc, key(vm, "name"), &line, &col));
	CU_ASSERT(line == 6 && col == 12);
	CU_ASSERT(!doc_key_loc(doc, vm, "nope", &line, &col));
	CU_ASSERT(!doc_loc(doc, NULL, &line, &col));
	doc_free(doc);
}

static void
test_json(void)
{
	struct mtv_doc *doc = NULL;
	json_object *r;
	int line = 0, col = 0;

	CU_ASSERT_PTR_NULL(
	    load(&doc, "{\"a\":1,\n \"b\": [true, null, \"x\"], \"c\": {}}"));
	r = doc_root(doc);
	CU_ASSERT_EQUAL(json_object_get_int(key(r, "a")), 1);
	CU_ASSERT_EQUAL(json_object_array_length(key(r, "b")), 3);
	CU_ASSERT(doc_loc(doc, key(r, "b"), &line, &col));
	CU_ASSERT(line == 2 && col == 7);
	doc_free(doc);
}

static void
test_aliases(void)
{
	struct mtv_doc *doc = NULL;
	json_object *r, *a, *b;
	int line = 0, col = 0;

	CU_ASSERT_PTR_NULL(load(&doc, "a: &x {k: [1, 2]}\nb: *x\n"));
	r = doc_root(doc);
	a = key(r, "a");
	b = key(r, "b");
	CU_ASSERT(a != b);
	CU_ASSERT_EQUAL(json_object_array_length(key(b, "k")), 2);
	/* a deep copy: changing one leaves the other */
	json_object_array_add(key(b, "k"), json_object_new_int(3));
	CU_ASSERT_EQUAL(json_object_array_length(key(a, "k")), 2);
	CU_ASSERT(doc_loc(doc, key(b, "k"), &line, &col));
	CU_ASSERT(line == 2 && col == 4);
	doc_free(doc);
}

static void
check_error(const char *text, const char *want)
{
	struct mtv_doc *doc = NULL;
	char *got = load(&doc, text);

	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	if (strcmp(got, want) != 0)
		fprintf(stderr, "# got '%s', want '%s'\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
	free(got);
	doc_free(doc);
}

static void
test_errors(void)
{
	check_error("", "1:1: empty file: expected a mapping");
	check_error(
	    "a: 1\na: 2\n",
	    "2:1: duplicate key 'a' (first defined at line 1, column 1)");
	check_error(
	    "a: 1\n---\nb: 1\n",
	    "2:1: more than one document in the file (one scenario per file)");
	check_error("a: *nope\n", "1:4: unknown anchor 'nope'");
	check_error(
	    "a:\n\t- 1\n",
	    "2:1: invalid YAML: tab character in indentation (use spaces)");
	check_error(
	    "a: 99999999999999999999\n",
	    "1:4: invalid scalar '99999999999999999999': integer out of range");
	check_error("[a]: 1\n", "1:1: mapping keys must be strings");
	check_error("a: !!int x\n", "1:4: invalid scalar 'x': not an integer");
}

static void
test_limits(void)
{
	struct strbuf sb = STRBUF_INIT;
	struct mtv_doc *doc = NULL;
	char *got;
	int i;

	/* 64 levels are fine, 65 are not */
	strbuf_adds(&sb, "a: ");
	for (i = 0; i < 63; i++)
		strbuf_addc(&sb, '[');
	for (i = 0; i < 63; i++)
		strbuf_addc(&sb, ']');
	CU_ASSERT_PTR_NULL(load(&doc, strbuf_str(&sb)));
	doc_free(doc);
	doc = NULL;
	strbuf_reset(&sb);
	strbuf_adds(&sb, "a: ");
	for (i = 0; i < 64; i++)
		strbuf_addc(&sb, '[');
	for (i = 0; i < 64; i++)
		strbuf_addc(&sb, ']');
	got = load(&doc, strbuf_str(&sb));
	CU_ASSERT_PTR_NOT_NULL(got);
	CU_ASSERT_PTR_NOT_NULL(
	    got ? strstr(got, "nesting deeper than 64 levels") : NULL);
	free(got);
	/* 1 MiB and one byte */
	strbuf_reset(&sb);
	for (i = 0; i < 1024 * 1024 / 8; i++)
		strbuf_adds(&sb, "#234567\n");
	strbuf_adds(&sb, "x");
	check_error(strbuf_str(&sb),
		    "131073:1: file too large: more than 1048576 bytes");
	strbuf_release(&sb);
	/* NUL bytes */
	{
		struct mtv_diags d = { 0 };

		CU_ASSERT_EQUAL(doc_load_buf(&doc, "n", "a: 1\nb\0", 7, &d),
				MTV_EINVAL);
		CU_ASSERT_EQUAL(d.n, 1);
		CU_ASSERT_STRING_EQUAL(d.v[0].msg,
				       "not a text file: NUL byte at offset 6");
		diags_release(&d);
	}
}

static void
test_file(void)
{
	struct mtv_diags d = { 0 };
	struct mtv_doc *doc = NULL;

	CU_ASSERT_EQUAL(doc_load_file(&doc, "/nonexistent/x.yaml", &d),
			MTV_ENOTFOUND);
	CU_ASSERT_EQUAL(d.n, 1);
	CU_ASSERT_EQUAL(d.v[0].line, 0);
	diags_release(&d);
}

static CU_TestInfo tests_load[] = {
	{ "scalars (YAML 1.2 core)", test_scalars },
	{ "positions of values and keys", test_positions },
	{ "JSON input", test_json },
	{ "aliases are deep copies", test_aliases },
	{ "errors", test_errors },
	{ "limits", test_limits },
	{ "files", test_file },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_load[] = {
	{ "load", NULL, NULL, NULL, NULL, tests_load },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_load)
