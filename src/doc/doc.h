/* doc.h: YAML and JSON documents that remember where every node came from
 * (load.c), and their validation against the embedded schemas (schema.c). */
#ifndef MTV_DOC_H
#define MTV_DOC_H

#include <json-c/json.h>

#include "util/util.h"

/* ---- documents (load.c) ---- */

/* A YAML or JSON file as a json-c tree that remembers where every node and
 * every mapping key came from. */
struct mtv_doc;

/* Load path; on a syntax error adds "file:line:col: ..." to diags and
 * returns MTV_EINVAL. Files over 1 MiB, multi-document streams, duplicate
 * keys and nesting deeper than 64 are errors. *out belongs to the caller. */
int doc_load_file(struct mtv_doc **out, const char *path, struct mtv_diags *diags);
/* The same for a buffer; name is used in messages. */
int doc_load_buf(struct mtv_doc **out, const char *name, const char *buf,
		 size_t len, struct mtv_diags *diags);
json_object *doc_root(const struct mtv_doc *doc);	/* borrowed */
const char *doc_name(const struct mtv_doc *doc);
/* Position of a value node (false when unknown, e.g. a default). */
bool doc_loc(const struct mtv_doc *doc, const json_object *node, int *line, int *col);
/* Position of key inside mapping obj. */
bool doc_key_loc(const struct mtv_doc *doc, const json_object *obj,
		 const char *key, int *line, int *col);
void doc_free(struct mtv_doc *doc);

/* ---- schema validation (schema.c); schemas are embedded from schema/ ---- */

/* Validate node (a document root, or a sub-tree of doc) against the
 * embedded schema "scenario", "providers" or "report" (JSON Schema 2020-12 subset:
 * type, properties, required, additionalProperties, enum, const, pattern,
 * minimum/maximum, minLength, minItems/maxItems, items, $ref to $defs,
 * oneOf/anyOf/allOf, if/then). Every problem goes to diags with the
 * position, key path, found and expected values, and a did-you-mean for
 * unknown keys. Returns 0 or MTV_EINVAL. */
int schema_validate(const struct mtv_doc *doc, const char *schema,
		    struct mtv_diags *diags);
/* Validate node (of doc, or NULL diags to only test it) against the part
 * of schema reached by path, keys from the root separated by '/' (e.g.
 * "properties/warm_migration"); messages carry no key path. Returns 0,
 * MTV_EINVAL, or MTV_ENOTFOUND when path names nothing. */
int schema_validate_sub(const struct mtv_doc *doc, json_object *node,
			const char *schema, const char *path,
			struct mtv_diags *diags);
/* Fill in the schema's "default" values that are absent (in place). */
void schema_apply_defaults(json_object *root, const char *schema);
/* The embedded schema text (borrowed), or NULL. */
const char *schema_text(const char *schema);

#endif
