/* capability.c: what the run's MTV release can show (see capability.h);
 * the facts are ../shared/reference/forklift-versions.md, sections 1 and
 * 2, through config/release.c. */
#include "config.h"

#include <stddef.h>

#include "step/capability.h"

bool
step_release_assumed(struct step_ctx *ctx)
{
	json_object *mtv = state_get(ctx, "environment", "mtv");

	if (release_find(jstr(mtv, "release")) &&
	    !str_eq(jstr(mtv, "source"), "assumed"))
		return false;
	return !(ctx->plan && release_find(jstr(ctx->plan, "mtv")));
}

static const struct {
	enum step_evidence what;
	size_t field;		/* the capability in struct mtv_release */
	const char *lacks;	/* after "MTV 2.11" */
	const char *none;	/* what an unknown release showed none of */
} evidence[] = {
	{ EVIDENCE_XCOPY_USED, offsetof(struct mtv_release, xcopy_evidence),
	  "exposes no xcopyUsed evidence", "xcopyUsed" },
	{ EVIDENCE_VM_PENDING,
	  offsetof(struct mtv_release, pending_condition),
	  "has no per-VM Pending condition", "per-VM Pending condition" },
	{ EVIDENCE_POPULATOR_LIMIT,
	  offsetof(struct mtv_release, populator_inflight),
	  "has no controller_max_populator_inflight", NULL },
};

char *
step_evidence_missing(struct step_ctx *ctx, enum step_evidence what,
		      bool seen)
{
	const struct mtv_release *r = step_release(ctx), *since;
	bool assumed = step_release_assumed(ctx);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(evidence); i++)
		if (evidence[i].what == what)
			break;
	if (i == ARRAY_SIZE(evidence))
		return xasprintf("MTV %s cannot show it", r->name);
	/* an assumed release is a default, not a fact: what was seen
	 * decides, and nothing seen is not held against the cluster */
	if (assumed && evidence[i].none) {
		if (seen)
			return NULL;
		since = release_since_off(evidence[i].field);
		return xasprintf("the cluster did not say which MTV release it "
				 "runs and shows no %s (MTV %s and newer "
				 "have it)", evidence[i].none,
				 since ? since->name : "?");
	}
	if (*(const bool *)((const char *)r + evidence[i].field))
		return NULL;
	return xasprintf("MTV %s%s %s", r->name, assumed ?
			 " (assumed: the cluster did not say which release "
			 "it runs)" : "", evidence[i].lacks);
}
