/* scenario.h: scenario files: load (YAML/JSON with positions), validate
 * against the embedded schema/, apply defaults, select by tags. */
#ifndef MTV_SCENARIO_H
#define MTV_SCENARIO_H

#include <json-c/json.h>

#include "util/util.h"
#include "doc/doc.h"

/* ---- scenario (scenario.c) ---- */

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

#endif
