/* tool.h: the subcommands of mtv-test-tool, the one test program of the
 * shell tests and benchmarks. Each takes its own argv, argv[0] being the
 * subcommand's name, and returns the process exit status. */
#ifndef MTV_TEST_TOOL_H
#define MTV_TEST_TOOL_H

/* vs: the vSphere client and the source steps (vs.c). */
int tool_vs(int argc, char **argv);
/* kube: the Kubernetes client (kube.c). */
int tool_kube(int argc, char **argv);
/* vs guest-run|guest-put|guest-get|guest-rm: Guest Operations (guest.c);
 * argv[0] is the guest command. */
int tool_vs_guest(int argc, char **argv);
struct kube_client;
struct mtv_err;
/* kube's ssh command: port-forward and SSH to a VMI (guest.c). */
int tool_kube_ssh(struct kube_client *k, int argc, char **argv,
		  struct mtv_err *err);
/* cluster: the cluster-side steps and the ESXi client (cluster.c). */
int tool_cluster(int argc, char **argv);

#endif
