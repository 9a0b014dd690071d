/* mtv-test-tool.c: drives the drivers and steps of mtv-scenario from shell
 * tests and benchmarks, without the scenario expansion:
 *
 *   mtv-test-tool vs ARGS...        vSphere client, source steps (vs.c)
 *   mtv-test-tool kube ARGS...      Kubernetes client (kube.c)
 *   mtv-test-tool cluster ARGS...   cluster-side steps, ESXi client (cluster.c)
 *
 * Each subcommand prints its own usage; the exit status is the
 * subcommand's, 2 for an unknown one. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tool.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *summary;
} tools[] = {
	{ "vs", tool_vs, "vSphere client and source steps" },
	{ "kube", tool_kube, "Kubernetes client" },
	{ "cluster", tool_cluster, "cluster-side steps and ESXi client" },
};

int
main(int argc, char **argv)
{
	size_t i;

	for (i = 0; argc >= 2 && i < sizeof(tools) / sizeof(tools[0]); i++)
		if (strcmp(argv[1], tools[i].name) == 0)
			return tools[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "usage: mtv-test-tool TOOL ARGS...\n");
	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++)
		fprintf(stderr, "  %-8s %s\n", tools[i].name, tools[i].summary);
	return 2;
}
