/* plan_print.c: the plan for people: numbered steps one line each with
 * the steps each waits for, parameters with -v (secrets as ***), then the
 * teardown order. */
#include "config.h"

#include <string.h>

#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

/* A copy of v with every "((secret:...))" placeholder shown as ***. */
static json_object *
masked(json_object *v)
{
	json_object *c;
	size_t i;

	if (v == NULL)
		return NULL;
	switch (json_object_get_type(v)) {
	case json_type_string:
		if (strstr(json_object_get_string(v), "((secret:"))
			return json_object_new_string("***");
		return json_object_get(v);
	case json_type_object:
		c = json_object_new_object();
		json_object_object_foreach(v, k, e)
			json_object_object_add(c, k, masked(e));
		return c;
	case json_type_array:
		c = json_object_new_array();
		for (i = 0; i < json_object_array_length(v); i++)
			json_object_array_add(c, masked(json_object_array_get_idx(v, i)));
		return c;
	default:
		return json_object_get(v);
	}
}

/* " (after 3, 8)"; nothing for a step that waits for none. */
static void
after_print(struct strbuf *sb, json_object *st)
{
	json_object *a = jget(st, "after");
	size_t i;

	for (i = 0; i < jlen(a); i++)
		strbuf_addf(sb, "%s%d", i ? ", " : "  (after ",
			    json_object_get_int(json_object_array_get_idx(a,
									  i)));
	if (jlen(a))
		strbuf_adds(sb, ")");
}

void
plan_print(json_object *plan, FILE *fp, bool verbose)
{
	json_object *steps = jget(plan, "steps"),
		    *td = jget(plan, "teardown"),
		    *sc = jget(plan, "scenario");
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_addf(&sb, "scenario %s%s%s%s: run %s, profile %s, namespace %s"
		    "%s%s\n",
		    jstr(sc, "name") ? jstr(sc, "name") : "?",
		    jstr(sc, "id") ? " (" : "",
		    jstr(sc, "id") ? jstr(sc, "id") : "",
		    jstr(sc, "id") ? ")" : "", jstr(plan, "run_id"),
		    jstr(plan, "profile"), jstr(plan, "namespace"),
		    jstr(plan, "mtv") ? ", for MTV " : "",
		    jstr(plan, "mtv") ? jstr(plan, "mtv") : "");
	for (i = 0; steps && i < json_object_array_length(steps); i++) {
		json_object *st = json_object_array_get_idx(steps, i);

		strbuf_addf(&sb, "%3d. %-11s %s",
			    json_object_get_int(jget(st, "id")),
			    jstr(st, "kind"), jstr(st, "title"));
		after_print(&sb, st);
		strbuf_adds(&sb, "\n");
		if (verbose) {
			json_object *m = masked(jget(st, "params"));

			json_object_object_foreach(m, k, v)
				strbuf_addf(&sb, "       %s: %s\n", k, v ?
					    json_object_to_json_string_ext(v,
						JSON_C_TO_STRING_SPACED |
						JSON_C_TO_STRING_NOSLASHESCAPE) : "null");
			json_object_put(m);
		}
	}
	strbuf_adds(&sb, "teardown:\n");
	for (i = 0; td && i < json_object_array_length(td); i++) {
		json_object *e = json_object_array_get_idx(td, i);

		strbuf_addf(&sb, "  %zu. %s (step %d)\n", i + 1,
			    jstr(e, "title"),
			    json_object_get_int(jget(e, "undoes")));
	}
	redact_fputs(strbuf_str(&sb), fp);
	strbuf_release(&sb);
}
