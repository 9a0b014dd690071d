/* load.c: YAML/JSON -> json-c with positions (stub, replaced). */
#include "config.h"
#include "scn/scn.h"
int doc_load_file(struct mtv_doc **out, const char *path, struct mtv_diags *diags) { diags_add(diags, path, 0, 0, "loader not implemented"); return MTV_EINVAL; }
int doc_load_buf(struct mtv_doc **out, const char *name, const char *buf, size_t len, struct mtv_diags *diags) { return MTV_EINVAL; }
json_object *doc_root(const struct mtv_doc *doc) { return NULL; }
const char *doc_name(const struct mtv_doc *doc) { return NULL; }
bool doc_loc(const struct mtv_doc *doc, const json_object *node, int *line, int *col) { return false; }
bool doc_key_loc(const struct mtv_doc *doc, const json_object *obj, const char *key, int *line, int *col) { return false; }
void doc_free(struct mtv_doc *doc) { }
