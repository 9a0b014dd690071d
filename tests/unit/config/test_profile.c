/* test_profile.c: providers files, profile selection, environment
 * overrides, vendor rules, secrets and redaction. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"
#include "config/vendor.h"


#define VS "vs:\n  type: vsphere\n  version: \"8\"\n  fqdn: f\n  api_url: https://f/sdk\n" \
	"  username: u\n  password: unit-vc-pw\n"
#define CO "  copyoffload:\n    datastore_id: datastore-1\n    storage_hostname: h\n" \
	"    storage_username: su\n    storage_password: unit-array-pw\n"

static char *
tmpfile_with(const char *suffix, const char *text)
{
	char *path = xasprintf("/tmp/mtv-unit-profile-%d%s", (int)getpid(), suffix);
	struct mtv_err err = { 0 };

	ASSERT_OK(file_write(path, text, strlen(text), &err), &err);
	return path;
}

/* Load text as a providers file; messages as "l:c: msg\n" lines. */
static char *
load(const char *suffix, const char *text, const char *name, struct mtv_profile **out)
{
	struct mtv_diags d = { 0 };
	struct profile_opts o = { 0 };
	struct strbuf sb = STRBUF_INIT;
	struct mtv_profile *p = NULL;
	char *path = tmpfile_with(suffix, text);
	size_t i;

	o.providers_file = path;
	o.name = name;
	profile_load(&p, &o, &d);
	diags_sort(&d);
	for (i = 0; i < d.n; i++)
		strbuf_addf(&sb, "%d:%d: %s\n", d.v[i].line, d.v[i].col, d.v[i].msg);
	diags_release(&d);
	unlink(path);
	free(path);
	if (out)
		*out = p;
	else
		profile_free(p);
	return strbuf_detach(&sb);
}

static void
test_load_yaml(void)
{
	struct mtv_profile *p = NULL;
	char *m = load(".yaml", VS CO "    storage_vendor_product: powerstore\n", NULL, &p);

	CU_ASSERT_STRING_EQUAL(m, "");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->name, "vs");
	CU_ASSERT_STRING_EQUAL(profile_str(p, "fqdn"), "f");
	CU_ASSERT_STRING_EQUAL(profile_co(p, "storage_hostname"), "h");
	CU_ASSERT_PTR_NULL(profile_co(p, "ontap_svm"));
	CU_ASSERT_STRING_EQUAL(profile_secret(p, "((secret:password))"), "unit-vc-pw");
	CU_ASSERT_STRING_EQUAL(profile_secret(p, "((secret:copyoffload.storage_password))"),
			       "unit-array-pw");
	CU_ASSERT_PTR_NULL(profile_secret(p, "((secret:nosuch))"));
	CU_ASSERT_PTR_NULL(profile_secret(p, "password"));
	free(m);
	profile_free(p);
}

static void
test_json_comments(void)
{
	static const char json[] =
		"{\n"
		"  # a comment line\n"
		"    # an indented one\n"
		"  \"vs\": {\"type\": \"vsphere\", \"version\": \"8\", \"fqdn\": \"f\",\n"
		"    \"api_url\": \"https://f/sdk\", \"username\": \"u\",\n"
		"    \"password\": 7}\n"
		"}\n";
	char buf[] = "a\n  # x\n#y\nb # not a comment line\n";
	char *m = load(".json", json, NULL, NULL);

	/* the error stays on line 6 */
	CU_ASSERT_STRING_EQUAL(m, "6:17: vs.password: expected a string, found a value not shown here (secret)\n");
	free(m);
	strip_comment_lines(buf, strlen(buf));
	CU_ASSERT_STRING_EQUAL(buf, "a\n     \n  \nb # not a comment line\n");
}

static void
test_selection(void)
{
	struct mtv_profile *p = NULL;
	char *m;

	m = load(".yaml", VS "other:\n  type: ova\n", NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "several profiles (vs, other)"));
	free(m);
	m = load(".yaml", VS "other:\n  type: ova\n", "other", &p);
	CU_ASSERT_STRING_EQUAL(m, "");
	CU_ASSERT_STRING_EQUAL(p ? p->name : "", "other");
	profile_free(p);
	free(m);
	m = load(".yaml", VS, "nope", NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "no profile 'nope' in the providers file (profiles: vs)"));
	free(m);
}

static void
test_env(void)
{
	struct mtv_profile *p = NULL;
	json_object *x;
	char *m;

	setenv("COPYOFFLOAD_STORAGE_HOSTNAME", "env-h", 1);
	setenv("COPYOFFLOAD_STORAGE_USERNAME", "", 1);
	setenv("COPYOFFLOAD_ESXI_PORT", "2222", 1);
	setenv("COPYOFFLOAD_STORAGE_SECRET_EXTRA", "{\"A\": \"1\", \"B\": true}", 1);
	m = load(".yaml", VS CO "    storage_vendor_product: infinibox\n"
		 "    storage_secret_extra: {A: \"0\", C: x}\n", NULL, &p);
	CU_ASSERT_STRING_EQUAL(m, "");
	CU_ASSERT_STRING_EQUAL(profile_co(p, "storage_hostname"), "env-h");
	CU_ASSERT_STRING_EQUAL(profile_co(p, "storage_username"), "su");
	x = NULL;
	json_object_object_get_ex(json_object_object_get(p->data, "copyoffload"),
				  "esxi_port", &x);
	CU_ASSERT_EQUAL(json_object_get_int(x), 2222);
	x = json_object_object_get(json_object_object_get(p->data, "copyoffload"),
				   "storage_secret_extra");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(x, "A")), "1");
	CU_ASSERT_STRING_EQUAL(json_object_get_string(json_object_object_get(x, "C")), "x");
	CU_ASSERT_TRUE(json_object_get_boolean(json_object_object_get(x, "B")));
	profile_free(p);
	free(m);
	/* a vendor key from the environment satisfies the vendor rule */
	setenv("COPYOFFLOAD_ONTAP_SVM", "env-svm", 1);
	m = load(".yaml", VS CO "    storage_vendor_product: ontap\n", NULL, NULL);
	CU_ASSERT_STRING_EQUAL(m, "");
	free(m);
	unsetenv("COPYOFFLOAD_ONTAP_SVM");
	unsetenv("COPYOFFLOAD_STORAGE_HOSTNAME");
	unsetenv("COPYOFFLOAD_STORAGE_USERNAME");
	unsetenv("COPYOFFLOAD_ESXI_PORT");
	unsetenv("COPYOFFLOAD_STORAGE_SECRET_EXTRA");
}

static void
test_vendors(void)
{
	static const struct { const char *vendor, *keys, *want; } cases[] = {
		{ "ontap", "", "copyoffload.ontap_svm" },
		{ "ontap", "    ontap_svm: s\n", NULL },
		{ "vantara", "    vantara_storage_id: 1\n    vantara_storage_port: 2\n",
		  "copyoffload.vantara_hostgroup_id_list" },
		{ "primera3par", "", NULL },
		{ "pureFlashArray", "", "copyoffload.pure_cluster_prefix" },
		{ "powerflex", "", "copyoffload.powerflex_system_id" },
		{ "powermax", "", "copyoffload.powermax_symmetrix_id" },
		{ "powerstore", "", NULL },
		{ "infinibox", "", NULL },
		{ "flashsystem", "", NULL },
	};
	size_t i, nv = 0;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		char *text = xasprintf(VS CO "    storage_vendor_product: %s\n%s",
				       cases[i].vendor, cases[i].keys);
		char *m = load(".yaml", text, NULL, NULL);

		if (cases[i].want) {
			CU_ASSERT_PTR_NOT_NULL(strstr(m, cases[i].want));
		} else {
			CU_ASSERT_STRING_EQUAL(m, "");
		}
		free(m);
		free(text);
	}
	/* the table knows exactly the nine vendors of the CRD enum */
	for (i = 0; vendors[i].product; i++)
		nv++;
	CU_ASSERT_EQUAL(nv, 9);
	CU_ASSERT_TRUE(vendor_known("pureFlashArray"));
	CU_ASSERT_FALSE(vendor_known("netapp"));
}

static void
test_vendor_keys(void)
{
	json_object *sd = json_tokener_parse("{\"STORAGE_HOSTNAME\":\"h\",\"STORAGE_USERNAME\":\"u\","
			    "\"STORAGE_PASSWORD\":\"p\"}");
	char *m;

	CU_ASSERT_PTR_NULL(vendor_secret_missing(sd, "primera3par"));
	m = vendor_secret_missing(sd, "ontap");
	CU_ASSERT_STRING_EQUAL(m, "ONTAP_SVM (copyoffload.ontap_svm or COPYOFFLOAD_ONTAP_SVM)");
	free(m);
	m = vendor_secret_missing(sd, "vantara");
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "STORAGE_ID"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "STORAGE_PORT"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "HOSTGROUP_ID_LIST"));
	free(m);
	json_object_put(sd);
	/* Pure may use a token instead of user and password */
	sd = json_tokener_parse("{\"STORAGE_HOSTNAME\":\"h\",\"STORAGE_TOKEN\":\"t\",\"PURE_CLUSTER_PREFIX\":\"px_1\"}");
	CU_ASSERT_PTR_NULL(vendor_secret_missing(sd, "pureFlashArray"));
	m = vendor_secret_missing(sd, "ontap");
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "STORAGE_USERNAME and STORAGE_PASSWORD"));
	free(m);
	json_object_put(sd);
}

/* Pure takes a token instead of user and password; other vendors do not */
static void
test_vendor_token(void)
{
	static const char *const base = "vs:\n  type: vsphere\n  version: \"8\"\n"
		"  fqdn: f\n  api_url: https://f/sdk\n  username: u\n"
		"  password: unit-vc-pw\n  copyoffload:\n    datastore_id: datastore-1\n"
		"    storage_hostname: h\n    storage_token: unit-tok\n";
	char *text, *m;

	text = xasprintf("%s    storage_vendor_product: pureFlashArray\n"
			 "    pure_cluster_prefix: px_1\n", base);
	m = load(".yaml", text, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(m, "");
	free(m);
	free(text);
	text = xasprintf("%s    storage_vendor_product: ontap\n"
			 "    ontap_svm: s\n", base);
	m = load(".yaml", text, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "copyoffload.storage_username"));
	CU_ASSERT_PTR_NOT_NULL(strstr(m, "copyoffload.storage_password"));
	free(m);
	free(text);
}

/* the vendor table and the schema's storage_vendor_product enum agree */
static void
test_vendor_schema(void)
{
	json_object *sch = json_tokener_parse(schema_text("providers")), *en;
	size_t i, n = 0;

	en = jget(jget(jget(jget(jget(sch, "$defs"), "copyoffload"), "properties"),
		       "storage_vendor_product"), "enum");
	CU_ASSERT_PTR_NOT_NULL_FATAL(en);
	for (i = 0; vendors[i].product; i++) {
		n++;
		CU_ASSERT_TRUE(jarr_has(en, vendors[i].product));
	}
	CU_ASSERT_EQUAL(jlen(en), n);
	json_object_put(sch);
}

static void
test_ssh(void)
{
	char *m = load(".yaml", VS CO "    storage_vendor_product: infinibox\n"
		       "    esxi_clone_method: ssh\n    esxi_host: e\n    esxi_user: root\n"
		       "    esxi_private_key_file: /k\n", NULL, NULL);

	CU_ASSERT_STRING_EQUAL(m, "");
	free(m);
	m = load(".yaml", VS CO "    storage_vendor_product: infinibox\n"
		 "    esxi_clone_method: ssh\n    esxi_user: root\n", NULL, NULL);
	CU_ASSERT_STRING_EQUAL(m,
		"14:5: profile 'vs': esxi_clone_method 'ssh' needs copyoffload.esxi_host (or COPYOFFLOAD_ESXI_HOST)\n"
		"14:5: profile 'vs': esxi_clone_method 'ssh' needs copyoffload.esxi_password or copyoffload.esxi_private_key_file (or COPYOFFLOAD_ESXI_PASSWORD)\n");
	free(m);
}

static void
test_redaction(void)
{
	struct mtv_profile *p = NULL;
	char *m = load(".yaml", VS CO "    storage_vendor_product: infinibox\n"
		       "    esxi_password: unit-esxi-pw\n"
		       "    storage_secret_extra: {MY_TOKEN: unit-extra-tok, PLAIN: \"true\"}\n",
		       NULL, &p);
	char *r = redact("a unit-vc-pw b unit-array-pw c unit-esxi-pw d unit-extra-tok e true");

	CU_ASSERT_STRING_EQUAL(m, "");
	CU_ASSERT_STRING_EQUAL(r, "a *** b *** c *** d *** e true");
	CU_ASSERT_TRUE(profile_key_secret("copyoffload.storage_secret_extra.MY_TOKEN"));
	CU_ASSERT_FALSE(profile_key_secret("copyoffload.storage_hostname"));
	CU_ASSERT_TRUE(extra_key_secret("storage_password"));
	CU_ASSERT_FALSE(extra_key_secret("STORAGE_SKIP_SSL_VERIFICATION"));
	free(r);
	free(m);
	profile_free(p);
}

static CU_TestInfo tests_profile[] = {
	{ "yaml providers file", test_load_yaml },
	{ ".providers.json with comment lines", test_json_comments },
	{ "profile selection", test_selection },
	{ "environment overrides", test_env },
	{ "vendor table", test_vendors },
	{ "vendor table: the storage secret's missing keys", test_vendor_keys },
	{ "vendor table: Pure's token", test_vendor_token },
	{ "vendor table matches the schema's enum", test_vendor_schema },
	{ "ssh clone method", test_ssh },
	{ "secrets are redacted", test_redaction },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_profile[] = {
	{ "profile", NULL, NULL, NULL, NULL, tests_profile },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_profile)
