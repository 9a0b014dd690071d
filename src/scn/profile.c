/* profile.c: providers file and profiles (stub, replaced). */
#include "config.h"
#include "scn/scn.h"
int profile_load(struct mtv_profile **out, const struct profile_opts *o, struct mtv_diags *diags) { return MTV_EINVAL; }
void profile_free(struct mtv_profile *p) { }
const char *profile_str(const struct mtv_profile *p, const char *key) { return NULL; }
const char *profile_co(const struct mtv_profile *p, const char *key) { return NULL; }
const char *profile_secret(const struct mtv_profile *p, const char *ref) { return NULL; }
