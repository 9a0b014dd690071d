/* main.c: global options, the subcommand table, exit codes. */
#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "cmd/cmd.h"
#include "util/util.h"

int
main(int argc, char **argv)
{
	struct mtv_opts o;
	struct mtv_err err = { 0 };
	const struct cmd_spec *cmd;
	int code;

	setlocale(LC_ALL, "C");
	if (argc < 2) {
		opts_usage(NULL, stderr);
		return MTV_EXIT_USAGE;
	}
	if (opts_parse(&o, argc, argv, &err) != 0) {
		fprintf(stderr, "mtv-scenario: %s\n", err.msg);
		fprintf(stderr, "Try 'mtv-scenario --help'.\n");
		opts_release(&o);
		return MTV_EXIT_USAGE;
	}
	if (o.cmd == NULL) {
		if (o.help) {
			opts_usage(NULL, stdout);
			opts_release(&o);
			return MTV_EXIT_PASS;
		}
		fprintf(stderr, "mtv-scenario: no command given\n");
		opts_usage(NULL, stderr);
		opts_release(&o);
		return MTV_EXIT_USAGE;
	}
	cmd = cmd_find(o.cmd);
	if (cmd == NULL) {
		const char *dym = cmd_closest(o.cmd);

		fprintf(stderr, "mtv-scenario: unknown command '%s'%s%s%s\n",
			o.cmd, dym ? " (did you mean '" : "", dym ? dym : "",
			dym ? "'?)" : "");
		fprintf(stderr, "Try 'mtv-scenario --help'.\n");
		opts_release(&o);
		return MTV_EXIT_USAGE;
	}
	if (o.help) {
		opts_usage(cmd, stdout);
		opts_release(&o);
		return MTV_EXIT_PASS;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
	code = cmd->run(&o);
	xmlCleanupParser();
	curl_global_cleanup();
	opts_release(&o);
	return code;
}
