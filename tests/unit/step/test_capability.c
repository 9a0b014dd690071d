/* test_capability.c: what the run's MTV release can show, decided in one
 * place: a release without the evidence gets the check skipped with its
 * reason; an assumed release is held to what was seen. */
#include "config.h"

#include <string.h>

#include "unit.h"
#include "step/capability.h"

/* A context whose cluster preflight recorded release rel (NULL: none)
 * from source, and whose plan names mtv (NULL: none). */
static void
ctx_with(struct step_ctx *ctx, const char *rel, const char *source,
	 const char *mtv)
{
	json_object *rec = json_object_new_object();

	memset(ctx, 0, sizeof(*ctx));
	pthread_mutex_init(&ctx->lock, NULL);
	ctx->state = json_object_new_object();
	ctx->plan = json_object_new_object();
	if (mtv)
		jputs(ctx->plan, "mtv", mtv);
	if (rel) {
		jputs(rec, "release", rel);
		jputs(rec, "source", source);
		state_set(ctx, "environment", "mtv", rec);
	} else {
		json_object_put(rec);
	}
}

static void
ctx_done(struct step_ctx *ctx)
{
	json_object_put(ctx->state);
	json_object_put(ctx->plan);
	pthread_mutex_destroy(&ctx->lock);
}

/* why is NULL, or exactly want. */
static void
expect_why(char *why, const char *want)
{
	if (want == NULL) {
		CU_ASSERT_PTR_NULL(why);
	} else {
		CU_ASSERT_PTR_NOT_NULL(why);
		if (why)
			CU_ASSERT_STRING_EQUAL(why, want);
	}
	free(why);
}

static void
test_known_release(void)
{
	struct step_ctx ctx;

	ctx_with(&ctx, "2.11", "ClusterServiceVersion mtv-operator.v2.11.7",
		 NULL);
	CU_ASSERT(!step_release_assumed(&ctx));
	/* what was seen does not matter when the cluster said */
	expect_why(step_evidence_missing(&ctx, EVIDENCE_XCOPY_USED, true),
		   "MTV 2.11 exposes no xcopyUsed evidence");
	expect_why(step_evidence_missing(&ctx, EVIDENCE_VM_PENDING, false),
		   "MTV 2.11 has no per-VM Pending condition");
	expect_why(step_evidence_missing(&ctx, EVIDENCE_POPULATOR_LIMIT,
					 true), NULL);
	ctx_done(&ctx);
	ctx_with(&ctx, "2.10", "ClusterServiceVersion x", NULL);
	expect_why(step_evidence_missing(&ctx, EVIDENCE_POPULATOR_LIMIT,
					 true),
		   "MTV 2.10 has no controller_max_populator_inflight");
	ctx_done(&ctx);
	ctx_with(&ctx, "2.12", "Plan CRD schema", NULL);
	expect_why(step_evidence_missing(&ctx, EVIDENCE_XCOPY_USED, false),
		   NULL);
	expect_why(step_evidence_missing(&ctx, EVIDENCE_VM_PENDING, true),
		   "MTV 2.12 has no per-VM Pending condition");
	ctx_done(&ctx);
	ctx_with(&ctx, "main", "ClusterServiceVersion x", NULL);
	expect_why(step_evidence_missing(&ctx, EVIDENCE_VM_PENDING, false),
		   NULL);
	ctx_done(&ctx);
	/* a plan made for a release (--mtv) is run as that release */
	ctx_with(&ctx, NULL, NULL, "2.11");
	CU_ASSERT(!step_release_assumed(&ctx));
	expect_why(step_evidence_missing(&ctx, EVIDENCE_XCOPY_USED, false),
		   "MTV 2.11 exposes no xcopyUsed evidence");
	ctx_done(&ctx);
}

/* Nothing told the release: the newest is a default, not a fact; what
 * was seen decides, and nothing seen is not held against the cluster. */
static void
test_assumed_release(void)
{
	struct step_ctx ctx;

	ctx_with(&ctx, "2.12", "assumed", NULL);
	CU_ASSERT(step_release_assumed(&ctx));
	expect_why(step_evidence_missing(&ctx, EVIDENCE_XCOPY_USED, true),
		   NULL);
	expect_why(step_evidence_missing(&ctx, EVIDENCE_XCOPY_USED, false),
		   "the cluster did not say which MTV release it runs and "
		   "shows no xcopyUsed (MTV 2.12 and newer have it)");
	expect_why(step_evidence_missing(&ctx, EVIDENCE_VM_PENDING, true),
		   NULL);
	expect_why(step_evidence_missing(&ctx, EVIDENCE_VM_PENDING, false),
		   "the cluster did not say which MTV release it runs and "
		   "shows no per-VM Pending condition (MTV main and newer "
		   "have it)");
	expect_why(step_evidence_missing(&ctx, EVIDENCE_POPULATOR_LIMIT,
					 false), NULL);
	ctx_done(&ctx);
	ctx_with(&ctx, NULL, NULL, NULL);
	CU_ASSERT(step_release_assumed(&ctx));
	ctx_done(&ctx);
}

static CU_TestInfo tests_capability[] = {
	{ "a known release: its evidence decides", test_known_release },
	{ "an assumed release: what was seen decides",
	  test_assumed_release },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_capability[] = {
	{ "capability", NULL, NULL, NULL, NULL, tests_capability },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_capability)
