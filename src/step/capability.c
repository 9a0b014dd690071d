/* capability.c: what the run's MTV release can show (see capability.h);
 * the facts are ../shared/reference/forklift-versions.md, sections 1 and
 * 2, through config/release.c. */
#include "config.h"

#include "step/capability.h"

/* Neither the cluster nor the plan named the release. */
static bool
release_assumed(struct step_ctx *ctx)
{
	return !release_find(jstr(state_get(ctx, "environment", "mtv"),
				  "release")) &&
	       !(ctx->plan && release_find(jstr(ctx->plan, "mtv")));
}

static const struct {
	enum step_evidence what;
	const char *lacks;	/* after "MTV 2.11" */
} evidence_text[] = {
	{ EVIDENCE_XCOPY_USED, "exposes no xcopyUsed evidence" },
	{ EVIDENCE_VM_PENDING, "has no per-VM Pending condition" },
	{ EVIDENCE_POPULATOR_LIMIT, "has no controller_max_populator_inflight" },
};

static bool
release_shows(const struct mtv_release *r, enum step_evidence what)
{
	switch (what) {
	case EVIDENCE_XCOPY_USED:
		return r->xcopy_evidence;
	case EVIDENCE_VM_PENDING:
		return r->pending_condition;
	case EVIDENCE_POPULATOR_LIMIT:
		return r->populator_inflight;
	}
	return false;
}

char *
step_evidence_missing(struct step_ctx *ctx, enum step_evidence what)
{
	const struct mtv_release *r = step_release(ctx);
	bool assumed = release_assumed(ctx);
	size_t i;

	if (release_shows(r, what))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(evidence_text); i++)
		if (evidence_text[i].what == what)
			return xasprintf("MTV %s%s %s", r->name, assumed ?
					 " (assumed: the cluster did not say "
					 "which release it runs)" : "",
					 evidence_text[i].lacks);
	return xasprintf("MTV %s cannot show it", r->name);
}
