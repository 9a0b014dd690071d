/* test_util.c: strbuf, encodings, redaction, JSON members. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "util/util.h"
#include "doc/doc.h"

static void
test_strbuf(void)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s-%d", "a", 42);
	strbuf_add_xml(&sb, "<&>");
	CU_ASSERT_STRING_EQUAL(strbuf_str(&sb), "a-42&lt;&amp;&gt;");
	strbuf_release(&sb);
}

static void
test_base64(void)
{
	char *e = b64_encode("secret-pw", 9);
	unsigned char *d = NULL;
	size_t n = 0;

	CU_ASSERT_STRING_EQUAL(e, "c2VjcmV0LXB3");
	CU_ASSERT_EQUAL(b64_decode(&d, &n, e), 0);
	CU_ASSERT_EQUAL(n, 9);
	CU_ASSERT(memcmp(d, "secret-pw", 9) == 0);
	free(e);
	free(d);
}

static void
test_redact_values(void)
{
	char *r;

	redact_reset();
	redact_add("hunter2-pass");
	r = redact("pw=hunter2-pass b64=aHVudGVyMi1wYXNz url=hunter2-pass!");
	CU_ASSERT_PTR_NULL(strstr(r, "hunter2"));
	CU_ASSERT_PTR_NULL(strstr(r, "aHVudGVyMi1wYXNz"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "pw=***"));
	free(r);
	redact_reset();
}

static void
test_redact_patterns(void)
{
	char *r;

	redact_reset();
	r = redact("GET /x\nAuthorization: Bearer sha256~abc\n<password>pw1</password>\n"
		   "#access_token=tok123&expires_in=1\nCookie: vmware_soap_session=42\n\x01");
	CU_ASSERT_PTR_NULL(strstr(r, "sha256~abc"));
	CU_ASSERT_PTR_NULL(strstr(r, "pw1"));
	CU_ASSERT_PTR_NULL(strstr(r, "tok123"));
	CU_ASSERT_PTR_NULL(strstr(r, "=42"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "\\x01"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "expires_in=1"));
	free(r);
	r = redact("* Added cookie vmware_soap_session=\"52b1-secret-sess\" for domain");
	CU_ASSERT_PTR_NULL(strstr(r, "52b1-secret-sess"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r, "for domain"));
	free(r);
}

static void
test_distance(void)
{
	CU_ASSERT_EQUAL(str_distance("size_gb", "size_bg"), 2);
	CU_ASSERT_EQUAL(str_distance("disk_type", "disk_typ"), 1);
	CU_ASSERT_EQUAL(str_distance("", "abc"), 3);
}

static void
test_diags_sorted(void)
{
	struct mtv_diags d = { 0 };

	diags_add(&d, "f.yaml", 3, 1, "b");
	diags_add(&d, "f.yaml", 1, 5, "a");
	diags_add(&d, "f.yaml", 3, 1, "b");
	diags_sort(&d);
	CU_ASSERT_EQUAL(d.n, 2);
	CU_ASSERT_EQUAL(d.v[0].line, 1);
	diags_release(&d);
}

/* JSON members: null and missing read the same; types are respected. */
static void
test_json_members(void)
{
	json_object *o = json_tokener_parse(
		"{\"s\":\"x\",\"n\":42,\"b\":true,\"z\":null,"
		"\"a\":[1,2],\"o\":{\"k\":\"v\"}}");

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NULL(jget(o, "z"));
	CU_ASSERT_PTR_NULL(jget(o, "missing"));
	CU_ASSERT_PTR_NULL(jget(jget(o, "s"), "k")); /* not an object */
	CU_ASSERT_STRING_EQUAL(jstr(jget(o, "o"), "k"), "v");
	CU_ASSERT_PTR_NULL(jstr(o, "n"));
	CU_ASSERT_STRING_EQUAL(jtext(o, "n"), "42");
	CU_ASSERT_STRING_EQUAL(jtext(o, "b"), "true");
	CU_ASSERT_STRING_EQUAL(jtext(o, "s"), "x");
	CU_ASSERT_PTR_NULL(jtext(o, "z"));
	CU_ASSERT_PTR_NULL(jtext(o, "o"));
	CU_ASSERT_PTR_NULL(jtext(o, "a"));
	CU_ASSERT_EQUAL(jint(o, "n"), 42);
	CU_ASSERT_EQUAL(jint(o, "z"), 0);
	CU_ASSERT(jbool(o, "b"));
	CU_ASSERT(!jbool(o, "missing"));
	CU_ASSERT_EQUAL(jlen(jget(o, "a")), 2);
	CU_ASSERT_EQUAL(jlen(jget(o, "o")), 0);
	jputs(o, "s", NULL);
	CU_ASSERT_PTR_NULL(jget(o, "s"));
	json_object_put(o);
}

/* json_to_yaml reads back (through the scenario loader) as the same JSON,
 * whatever the strings look like. */
static void
test_json_to_yaml(void)
{
	static const char *const in =
		"{\"kind\":\"Plan\",\"metadata\":{\"name\":\"p\","
		"\"labels\":{\"mtv-scenario/run\":\"abc\",\"a:b\":\"x y\"},"
		"\"uid\":\"0123-4\"},\"s\":[\"yes\",\"no\",\"null\",\"~\","
		"\"1.5\",\"-x\",\"\",\"# c\",\"a\\nb\\t\\\"q\\\"\",\"\\u0001\"],"
		"\"n\":[1,-2.5,true,false,null],\"e\":{},\"f\":[],"
		"\"nested\":[{\"a\":[[1,2],{}]},[]]}";
	json_object *o = json_tokener_parse(in);
	struct mtv_diags d = { 0 };
	struct mtv_doc *doc = NULL;
	char *y;

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	y = json_to_yaml(o);
	CU_ASSERT_PTR_NOT_NULL(strstr(y, "kind: Plan\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(y, "\ns:\n- \"yes\"\n"));
	CU_ASSERT_EQUAL(doc_load_buf(&doc, "t.yaml", y, strlen(y), &d), 0);
	if (doc)
		CU_ASSERT_TRUE(json_object_equal(doc_root(doc), o));
	doc_free(doc);
	diags_release(&d);
	free(y);
	json_object_put(o);
	y = json_to_yaml(NULL);
	CU_ASSERT_STRING_EQUAL(y, "null\n");
	free(y);
}

/* Instants and durations as people read them. */
static void
test_fmt_time(void)
{
	char b[FMT_TIME_LEN];

	CU_ASSERT_STRING_EQUAL(fmt_instant(b, sizeof(b), 1796551331LL),
			       "2026-12-06T10:02:11Z");
	CU_ASSERT_STRING_EQUAL(fmt_instant_ms(b, sizeof(b), 1796551331123LL),
			       "2026-12-06T10:02:11.123Z");
	CU_ASSERT_STRING_EQUAL(fmt_instant_ms(b, sizeof(b), -1),
			       "1969-12-31T23:59:59.999Z");
	CU_ASSERT_STRING_EQUAL(fmt_duration(b, sizeof(b), 850), "850ms");
	CU_ASSERT_STRING_EQUAL(fmt_duration(b, sizeof(b), 4250), "4.2s");
	CU_ASSERT_STRING_EQUAL(fmt_duration(b, sizeof(b), 4000), "4s");
	CU_ASSERT_STRING_EQUAL(fmt_duration(b, sizeof(b), 42000), "42s");
	CU_ASSERT_STRING_EQUAL(fmt_duration(b, sizeof(b), 192000), "3m12s");
	CU_ASSERT_STRING_EQUAL(fmt_duration(b, sizeof(b), 7507000),
			       "2h05m07s");
	CU_ASSERT_STRING_EQUAL(fmt_duration(b, sizeof(b), -60000), "-1m00s");
}

static void
test_fingerprint(void)
{
	unsigned char h[32];
	char *f;
	size_t i;

	for (i = 0; i < 32; i++)
		h[i] = (unsigned char)i;
	f = str_fingerprint_sha256(h);
	/* base64 of 00..1f, without the '=' padding, as ssh-keygen -l prints */
	CU_ASSERT_STRING_EQUAL(f, "SHA256:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8");
	free(f);
}

static void
test_quote(void)
{
	char *q = str_sh_quote("/etc/it's here");

	CU_ASSERT_STRING_EQUAL(q, "'/etc/it'\\''s here'");
	free(q);
	q = str_sh_quote("");
	CU_ASSERT_STRING_EQUAL(q, "''");
	free(q);
}

static CU_TestInfo tests_util[] = {
	{ "strbuf", test_strbuf },
	{ "base64", test_base64 },
	{ "redact registered values", test_redact_values },
	{ "redact headers and tokens", test_redact_patterns },
	{ "did-you-mean distance", test_distance },
	{ "diagnostics sorted and deduplicated", test_diags_sorted },
	{ "JSON members", test_json_members },
	{ "JSON as YAML", test_json_to_yaml },
	{ "instants and durations", test_fmt_time },
	{ "SHA256 fingerprint as OpenSSH prints it", test_fingerprint },
	{ "shell quoting", test_quote },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_util[] = {
	{ "util", NULL, NULL, NULL, NULL, tests_util },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_util)
