/* test_release.c: the MTV release table: lookups by name and by full
 * version, capabilities and the first release that has one. */
#include "config.h"

#include <string.h>

#include "unit.h"
#include "config/release.h"

static const char *
name_of(const struct mtv_release *r)
{
	return r ? r->name : "(null)";
}

static void
test_find(void)
{
	CU_ASSERT_STRING_EQUAL(name_of(release_find("2.11.7")), "2.11");
	CU_ASSERT_STRING_EQUAL(name_of(release_find("v2.12.5")), "2.12");
	CU_ASSERT_STRING_EQUAL(name_of(release_find("2.10")), "2.10");
	CU_ASSERT_STRING_EQUAL(name_of(release_find("2.9.2")), "2.9");
	CU_ASSERT_STRING_EQUAL(name_of(release_find("main")), "main");
	CU_ASSERT_STRING_EQUAL(name_of(release_find("2.13.0")), "main");
	/* a patch level between rows is the row below it */
	CU_ASSERT_STRING_EQUAL(name_of(release_find("2.12.0-rc1")), "2.12");
	CU_ASSERT_PTR_NULL(release_find("2.8.5"));
	CU_ASSERT_PTR_NULL(release_find("1.0"));
	CU_ASSERT_PTR_NULL(release_find("latest"));
	CU_ASSERT_PTR_NULL(release_find("2"));
	CU_ASSERT_PTR_NULL(release_find(""));
	CU_ASSERT_PTR_NULL(release_find(NULL));
	CU_ASSERT_STRING_EQUAL(name_of(release_default()), "2.12");
}

static void
test_names(void)
{
	CU_ASSERT_STRING_EQUAL(release_names(), "2.9, 2.10, 2.11, 2.12, main");
	/* static, the same each time */
	CU_ASSERT_PTR_EQUAL(release_names(), release_names());
}

static void
test_capabilities(void)
{
	const struct mtv_release *r29 = release_find("2.9"),
				 *r210 = release_find("2.10");

	CU_ASSERT_FALSE(r29->plan_spec_type);
	CU_ASSERT_TRUE(r210->plan_spec_type);
	CU_ASSERT_FALSE(r210->plan_rdm_as_lun);
	CU_ASSERT_FALSE(r210->populator_inflight);
	CU_ASSERT_TRUE(release_find("2.11")->plan_rdm_as_lun);
	CU_ASSERT_FALSE(release_find("2.11")->xcopy_evidence);
	CU_ASSERT_TRUE(release_find("2.12")->xcopy_evidence);
	CU_ASSERT_FALSE(release_find("2.12")->pending_condition);
	CU_ASSERT_TRUE(release_find("main")->pending_condition);
	CU_ASSERT_STRING_EQUAL(name_of(RELEASE_SINCE(plan_spec_type)), "2.10");
	CU_ASSERT_STRING_EQUAL(name_of(RELEASE_SINCE(plan_rdm_as_lun)), "2.11");
	CU_ASSERT_STRING_EQUAL(name_of(RELEASE_SINCE(populator_inflight)),
			       "2.11");
	CU_ASSERT_STRING_EQUAL(name_of(RELEASE_SINCE(xcopy_evidence)), "2.12");
	CU_ASSERT_STRING_EQUAL(name_of(RELEASE_SINCE(pending_condition)),
			       "main");
}

static void
test_match(void)
{
	/* what a Plan CRD schema shows, without a version */
	CU_ASSERT_STRING_EQUAL(name_of(release_match(NULL, false, false)),
			       "2.9");
	CU_ASSERT_STRING_EQUAL(name_of(release_match(NULL, true, false)),
			       "2.10");
	CU_ASSERT_STRING_EQUAL(name_of(release_match(NULL, true, true)),
			       "2.11");
	CU_ASSERT_PTR_NULL(release_match(NULL, false, true));
	/* with a version: the newest at or below it */
	CU_ASSERT_STRING_EQUAL(name_of(release_match(release_find("main"),
						     true, true)), "main");
	CU_ASSERT_STRING_EQUAL(name_of(release_match(release_find("2.12"),
						     true, false)), "2.10");
	CU_ASSERT_PTR_NULL(release_match(release_find("2.10"), true, true));
}

static CU_TestInfo tests_release[] = {
	{ "lookups by name and version", test_find },
	{ "names", test_names },
	{ "capabilities and the first release with each", test_capabilities },
	{ "the release a Plan CRD schema shows", test_match },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_release[] = {
	{ "release", NULL, NULL, NULL, NULL, tests_release },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_release)
