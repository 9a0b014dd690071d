/* kube.c: Kubernetes client (stub, replaced). */
#include "config.h"
#include "kube/kube.h"
int kube_connect(struct kube_client **out, const struct kube_opts *o, struct mtv_err *err) { return err_set(err, MTV_EINTERNAL, "Kubernetes client not implemented yet"); }
void kube_free(struct kube_client *k) { }
int kube_opts_from_env(struct kube_opts *o, const struct mtv_profile *p, const char *kubeconfig, const char *context, struct mtv_err *err) { return err_set(err, MTV_EINTERNAL, "not implemented yet"); }
