/* test_release_step.c: how the cluster preflight tells the MTV release
 * (version, Plan CRD schema, neither) and what of a plan it refuses. */
#include "config.h"

#include <string.h>

#include "unit.h"
#include "step/cluster.h"

static json_object *
J(const char *s)
{
	json_object *o = json_tokener_parse(s);

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

/* A Plan CRD whose v1beta1 spec schema is props (JSON members). */
static json_object *
crd(const char *spec)
{
	char *s = xasprintf("{\"spec\":{\"versions\":[{\"name\":\"v1alpha1\"},"
			    "{\"name\":\"v1beta1\",\"schema\":"
			    "{\"openAPIV3Schema\":{\"properties\":"
			    "{\"spec\":%s}}}}]}}", spec);
	json_object *o = J(s);

	free(s);
	return o;
}

static void
test_crd_fields(void)
{
	json_object *o;
	int t, r;

	o = crd("{\"properties\":{\"type\":{},\"warm\":{},\"vms\":{\"items\":"
		"{\"properties\":{\"id\":{}}}},\"rdmAsLun\":{}}}");
	release_crd_fields(o, &t, &r);
	CU_ASSERT_EQUAL(t, 1);
	CU_ASSERT_EQUAL(r, 1);
	json_object_put(o);
	/* 2.10: type, no rdmAsLun */
	o = crd("{\"properties\":{\"type\":{},\"warm\":{}}}");
	release_crd_fields(o, &t, &r);
	CU_ASSERT_EQUAL(t, 1);
	CU_ASSERT_EQUAL(r, 0);
	json_object_put(o);
	/* rdmAsLun per VM counts too */
	o = crd("{\"properties\":{\"warm\":{},\"vms\":{\"items\":"
		"{\"properties\":{\"rdmAsLun\":{}}}}}}");
	release_crd_fields(o, &t, &r);
	CU_ASSERT_EQUAL(t, 0);
	CU_ASSERT_EQUAL(r, 1);
	json_object_put(o);
	/* an open spec tells nothing */
	o = crd("{\"type\":\"object\","
		"\"x-kubernetes-preserve-unknown-fields\":true}");
	release_crd_fields(o, &t, &r);
	CU_ASSERT_EQUAL(t, -1);
	CU_ASSERT_EQUAL(r, -1);
	json_object_put(o);
	release_crd_fields(NULL, &t, &r);
	CU_ASSERT_EQUAL(t, -1);
}

static void
test_decide(void)
{
	enum release_how how;

	/* the version, the schema agreeing or unknown */
	CU_ASSERT_STRING_EQUAL(release_decide("2.12.5", 1, 1, &how)->name,
			       "2.12");
	CU_ASSERT_EQUAL(how, RELEASE_BY_VERSION);
	CU_ASSERT_STRING_EQUAL(release_decide("2.10.6", -1, -1, &how)->name,
			       "2.10");
	CU_ASSERT_EQUAL(how, RELEASE_BY_VERSION);
	/* the schema wins where it disagrees */
	CU_ASSERT_STRING_EQUAL(release_decide("2.11.7", 1, 0, &how)->name,
			       "2.10");
	CU_ASSERT_EQUAL(how, RELEASE_BY_SCHEMA_OVER_VERSION);
	/* older than every row: the oldest */
	CU_ASSERT_STRING_EQUAL(release_decide("2.8.5", 0, 0, &how)->name,
			       "2.9");
	/* no version: the oldest release with what the schema shows */
	CU_ASSERT_STRING_EQUAL(release_decide(NULL, 1, 1, &how)->name,
			       "2.11");
	CU_ASSERT_EQUAL(how, RELEASE_BY_SCHEMA);
	CU_ASSERT_STRING_EQUAL(release_decide(NULL, 0, 0, &how)->name, "2.9");
	/* neither: the newest, said so */
	CU_ASSERT_STRING_EQUAL(release_decide(NULL, -1, -1, &how)->name,
			       "2.12");
	CU_ASSERT_EQUAL(how, RELEASE_ASSUMED);
}

static void
test_needs(void)
{
	json_object *plan = J(
	    "{\"scenario\":{\"file\":\"scenarios.d/rdm-virtual.yaml\"},"
	    "\"steps\":[{\"kind\":\"plan\",\"params\":{\"manifest\":"
	    "{\"spec\":{\"rdmAsLun\":true}}}},{\"kind\":\"migrate\","
	    "\"params\":{\"forklift_settings\":{\"spec\":"
	    "{\"controller_max_populator_inflight\":2}}}}]}");
	struct strbuf sb = STRBUF_INIT;

	release_needs(plan, release_find("2.11"), "MTV 2.11.7", &sb);
	CU_ASSERT_EQUAL(sb.len, 0);
	release_needs(plan, release_find("2.10"), "MTV 2.10.6", &sb);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&sb),
		"scenarios.d/rdm-virtual.yaml: rdm_as_lun needs MTV 2.11 or "
		"newer; the cluster runs MTV 2.10.6; "
		"scenarios.d/rdm-virtual.yaml: populator throttling "
		"(max_populator_inflight) needs MTV 2.11 or newer; the "
		"cluster runs MTV 2.10.6");
	strbuf_release(&sb);
	json_object_put(plan);
}

static CU_TestInfo tests_release_step[] = {
	{ "Plan.spec fields a CRD schema shows", test_crd_fields },
	{ "the release from the version and the schema", test_decide },
	{ "what of a plan a release refuses", test_needs },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_release_step[] = {
	{ "preflight release", NULL, NULL, NULL, NULL, tests_release_step },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_release_step)
