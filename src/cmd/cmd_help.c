/* cmd_help.c: help [COMMAND]. */
#include "config.h"

#include "cmd/cmd.h"

static int
run(struct mtv_opts *o)
{
	const struct cmd_spec *cmd = NULL;

	if (o->nargs > 0) {
		cmd = cmd_find(o->args[0]);
		if (cmd == NULL) {
			fprintf(stderr, "mtv-scenario: unknown command '%s'\n", o->args[0]);
			return MTV_EXIT_USAGE;
		}
	}
	opts_usage(cmd, stdout);
	return MTV_EXIT_PASS;
}

const struct cmd_spec cmd_help = {
	.name = "help",
	.summary = "show help for mtv-scenario or one command",
	.synopsis = "[COMMAND]",
	.mask = CMD_HELP,
	.run = run,
};
