/* cmd_list.c: list. */
#include "config.h"

#include "cmd/cmd.h"

static int
run(struct mtv_opts *o)
{
	fprintf(stderr, "mtv-scenario: list: not implemented yet\n");
	return MTV_EXIT_INTERNAL;
}

const struct cmd_spec cmd_list = {
	.name = "list",
	.summary = "list the scenarios of scenarios.d/ (or the given files) with their tags",
	.synopsis = "[options] [FILE|DIR...]",
	.mask = CMD_LIST,
	.run = run,
};
