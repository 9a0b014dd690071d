/* plan.c: expansion (stub, replaced). */
#include "config.h"
#include "scn/scn.h"
int plan_build(json_object **out, const struct mtv_scenario *s, const struct mtv_profile *p, const struct plan_opts *o, struct mtv_diags *diags) { return MTV_EINVAL; }
void plan_print(json_object *plan, FILE *fp, bool verbose) { }
