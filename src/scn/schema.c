/* schema.c: JSON Schema validation (stub, replaced). */
#include "config.h"
#include "scn/scn.h"
int schema_validate(const struct mtv_doc *doc, const char *schema, struct mtv_diags *diags) { return MTV_EINVAL; }
void schema_apply_defaults(json_object *root, const char *schema) { }
const char *schema_text(const char *schema) { return NULL; }
