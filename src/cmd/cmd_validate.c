/* cmd_validate.c: validate. */
#include "config.h"

#include "cmd/cmd.h"

static int
run(struct mtv_opts *o)
{
	fprintf(stderr, "mtv-scenario: validate: not implemented yet\n");
	return MTV_EXIT_INTERNAL;
}

const struct cmd_spec cmd_validate = {
	.name = "validate",
	.summary = "check scenario (and providers) files against the schema; report every error",
	.synopsis = "[options] FILE|DIR...",
	.mask = CMD_VALIDATE,
	.run = run,
};
