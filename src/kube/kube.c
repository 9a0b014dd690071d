/* kube.c: Kubernetes client (stub, replaced). */
#include "config.h"
#include "kube/kube.h"
int kube_connect(struct kube_client **out, const struct kube_opts *o, struct mtv_err *err) { return err_set(err, MTV_EINTERNAL, "Kubernetes client not implemented yet"); }
void kube_free(struct kube_client *k) { }
