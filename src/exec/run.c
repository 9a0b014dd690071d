/* run.c: the runner (stub, replaced). */
#include "config.h"
#include "exec/exec.h"
int exec_run(struct run_result *res, json_object *plan, const struct mtv_profile *p, const struct run_opts *o) { return MTV_EINTERNAL; }
void run_result_release(struct run_result *res) { }
