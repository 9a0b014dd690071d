/* ctx.c: drivers and state (stub, replaced). */
#include "config.h"
#include "exec/exec.h"
int exec_vsphere(struct step_ctx *ctx, struct vs_client **out, struct mtv_err *err) { return MTV_EINTERNAL; }
int exec_kube(struct step_ctx *ctx, struct kube_client **out, struct mtv_err *err) { return MTV_EINTERNAL; }
bool exec_should_stop(struct step_ctx *ctx, struct mtv_err *err) { return false; }
int exec_time_left(struct step_ctx *ctx) { return 1; }
void state_set(struct step_ctx *ctx, const char *section, const char *key, json_object *val) { }
json_object *state_get(struct step_ctx *ctx, const char *section, const char *key) { return NULL; }
