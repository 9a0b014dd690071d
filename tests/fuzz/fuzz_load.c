/* fuzz_load.c: libFuzzer harness for the loader, the schema validator and
 * defaults (and the tag expression parser, on the same bytes). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mtv_diags d = { 0 };
	struct mtv_doc *doc = NULL;
	struct mtv_err err = { 0 };
	json_object *tags;
	char *s;

	if (doc_load_buf(&doc, "fuzz", (const char *)data, size, &d) == 0) {
		if (schema_validate(doc, "scenario", &d) == 0)
			schema_apply_defaults(doc_root(doc), "scenario");
		schema_validate(doc, "providers", &d);
	}
	diags_sort(&d);
	diags_release(&d);
	doc_free(doc);
	s = xstrndup((const char *)data, size);
	tags = json_tokener_parse("[\"copyoffload\", \"warm\"]");
	tags_match(s, tags, &err);
	json_object_put(tags);
	free(s);
	return 0;
}
