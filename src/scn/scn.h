/* scn.h: scenario and providers files: load (YAML/JSON with positions),
 * validate against schema/, resolve the provider profile, expand to a plan. */
#ifndef MTV_SCN_H
#define MTV_SCN_H

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
 * embedded schema "scenario" or "providers" (JSON Schema 2020-12 subset:
 * type, properties, required, additionalProperties, enum, const, pattern,
 * minimum/maximum, minLength, minItems/maxItems, items, $ref to $defs,
 * oneOf/anyOf/allOf, if/then). Every problem goes to diags with the
 * position, key path, found and expected values, and a did-you-mean for
 * unknown keys. Returns 0 or MTV_EINVAL. */
int schema_validate(const struct mtv_doc *doc, const char *schema,
		    struct mtv_diags *diags);
/* Fill in the schema's "default" values that are absent (in place). */
void schema_apply_defaults(json_object *root, const char *schema);
/* The embedded schema text (borrowed), or NULL. */
const char *schema_text(const char *schema);

/* ---- scenario (scenario.c) ---- */

/* Member k of object o (borrowed), NULL when o is not an object or lacks
 * it; scn_gets the same when it is a string. */
json_object *scn_get(json_object *o, const char *k);
const char *scn_gets(json_object *o, const char *k);

struct mtv_scenario {
	struct mtv_doc *doc;
	json_object *root;	/* borrowed from doc; defaults applied */
	const char *path;
	const char *name;
	const char *id;		/* may be NULL */
};

/* Load, validate and apply defaults; all problems go to diags. */
int scenario_load(struct mtv_scenario **out, const char *path, struct mtv_diags *diags);
void scenario_free(struct mtv_scenario *s);
/* Evaluate a tag expression ("copyoffload and not warm", "a or (b and c)")
 * against the scenario's tags. Returns 1 match, 0 no, MTV_EINVAL bad expr. */
int tags_match(const char *expr, json_object *tags, struct mtv_err *err);

/* ---- providers and profiles (profile.c) ---- */

struct mtv_profile {
	char *name;		/* profile (top-level key) */
	char *file;		/* providers file it came from */
	struct mtv_doc *doc;
	json_object *data;	/* owned copy, environment overrides applied */
};

struct profile_opts {
	const char *providers_file;	/* NULL: $MTV_SCENARIO_PROVIDERS, ./providers.yaml, ./.providers.json */
	const char *name;		/* NULL: the only profile, or error */
	json_object *sets;		/* --set / --tc key=value overrides (object) or NULL */
};

/* Load and validate the providers file, choose the profile, apply
 * COPYOFFLOAD_<KEY> overrides (non-empty env wins) and register every secret
 * value with redact. All problems go to diags. */
int profile_load(struct mtv_profile **out, const struct profile_opts *o,
		 struct mtv_diags *diags);
void profile_free(struct mtv_profile *p);
/* Top-level string key of the profile, or NULL. */
const char *profile_str(const struct mtv_profile *p, const char *key);
/* copyoffload.<key> after overrides, or NULL (empty strings are NULL). */
const char *profile_co(const struct mtv_profile *p, const char *key);
/* Resolve "((secret:path.to.key))" against the profile: returns the value
 * (borrowed) or NULL. */
const char *profile_secret(const struct mtv_profile *p, const char *ref);

/* ---- expansion (plan.c) ---- */

struct plan_opts {
	const char *run_id;		/* NULL: derived deterministically from the scenario */
	const char *storage_class;	/* overrides the profile's */
	const char *only;		/* NULL, "source" or "cluster" */
	json_object *sets;		/* --set overrides of scenario keys */
};

/* Expand scenario + profile into the plan value documented in
 * doc/plan-format.md. Problems (missing symbolic keys, vendor fields...)
 * go to diags, nothing is contacted. *out belongs to the caller. */
int plan_build(json_object **out, const struct mtv_scenario *s,
	       const struct mtv_profile *p, const struct plan_opts *o,
	       struct mtv_diags *diags);
/* Print for people: numbered steps one line each (verbose: parameters),
 * then the teardown order; secrets shown as ***. */
void plan_print(json_object *plan, FILE *fp, bool verbose);

#endif
