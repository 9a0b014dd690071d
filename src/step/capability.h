/* capability.h: the one place that decides what the run's MTV release
 * can show (config/release.h has the table). A check whose evidence the
 * release does not give is reported as not performed, with the reason
 * made here, never passed or failed. */
#ifndef MTV_STEP_CAPABILITY_H
#define MTV_STEP_CAPABILITY_H

#include "step/step.h"
#include "config/release.h"

enum step_evidence {
	EVIDENCE_XCOPY_USED,	/* xcopyUsed: annotation, CR, pod log */
	EVIDENCE_VM_PENDING,	/* per-VM Pending: the scheduler's queue */
	EVIDENCE_POPULATOR_LIMIT, /* controller_max_populator_inflight */
};

/* Nothing on the cluster told its release (the preflight's record says
 * "assumed", or there is none) and the plan names none: step_release is
 * the newest by default, not by evidence. */
bool step_release_assumed(struct step_ctx *ctx);
/* Why the run's release (step_release: the cluster's, else the plan's,
 * else the newest) cannot show what, e.g. "MTV 2.11 exposes no xcopyUsed
 * evidence" (caller frees); NULL when it can. seen: the run saw such
 * evidence; it decides when the release was assumed (an unknown release
 * that showed none is not held to the newest one's). */
char *step_evidence_missing(struct step_ctx *ctx, enum step_evidence what,
			    bool seen);

#endif
