/* cmd_run.c: run. */
#include "config.h"

#include "cmd/cmd.h"

static int
run(struct mtv_opts *o)
{
	fprintf(stderr, "mtv-scenario: run: not implemented yet\n");
	return MTV_EXIT_INTERNAL;
}

const struct cmd_spec cmd_run = {
	.name = "run",
	.summary = "run scenarios against vSphere, ESXi and the cluster, verify, and tear down",
	.synopsis = "[options] FILE|DIR...",
	.mask = CMD_RUN,
	.run = run,
};
