/* tool.h: the subcommands of mtv-test-tool, the one test program of the
 * shell tests and benchmarks. Each takes its own argv, argv[0] being the
 * subcommand's name, and returns the process exit status. */
#ifndef MTV_TEST_TOOL_H
#define MTV_TEST_TOOL_H

/* vs: the vSphere client and the source steps (vs.c). */
int tool_vs(int argc, char **argv);
/* kube: the Kubernetes client (kube.c). */
int tool_kube(int argc, char **argv);
/* cluster: the cluster-side steps and the ESXi client (cluster.c). */
int tool_cluster(int argc, char **argv);

#endif
