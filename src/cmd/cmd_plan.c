/* cmd_plan.c: plan. */
#include "config.h"

#include "cmd/cmd.h"

static int
run(struct mtv_opts *o)
{
	fprintf(stderr, "mtv-scenario: plan: not implemented yet\n");
	return MTV_EXIT_INTERNAL;
}

const struct cmd_spec cmd_plan = {
	.name = "plan",
	.summary = "expand scenarios into the ordered steps a run would take, touching nothing",
	.synopsis = "[options] FILE|DIR...",
	.mask = CMD_PLAN,
	.run = run,
};
