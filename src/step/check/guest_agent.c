/* guest_agent: the guest agent runs in the migrated VM. It needs a guest
 * (the lab has none), so it is reported as not checked (a skipped
 * result), never as passed. */
#include "config.h"

#include "step/check/check.h"

static void
listed_guest_agent(struct check_build *b, json_object *e, size_t at)
{
	if (check_needs_vms(b, e, at))
		check_skipped_entry(b, e, at, "guest_agent", NULL);
}

const struct check_kind check_guest_agent = {
	.name = "guest_agent",
	.summary = "the guest agent runs in the migrated VM",
	.listed = listed_guest_agent,
	.run = check_run_skip,
	.skip = "needs a guest (not implemented)",
};
