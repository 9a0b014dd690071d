/* cmd_plan.c: plan: expand scenarios into the steps a run would take,
 * for people (text) or as JSON (--format json; several files: an array). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "scn/scn.h"

static int
run(struct mtv_opts *o)
{
	struct mtv_diags diags = { 0 };
	struct mtv_profile *prof = NULL;
	struct mtv_err err = { 0 };
	struct plan_opts po = { 0 };
	json_object *all = json_object_new_array();
	char **paths = NULL;
	size_t npaths = 0, i, n;
	bool json = str_eq(o->format, "json");
	int code = MTV_EXIT_USAGE;

	if (o->format && !json && !str_eq(o->format, "text")) {
		fprintf(stderr, "mtv-scenario: plan: unknown format '%s' (expected text or json)\n",
			o->format);
		goto out;
	}
	if (o->marker && tags_match(o->marker, NULL, &err) < 0) {
		fprintf(stderr, "mtv-scenario: -m '%s': %s\n", o->marker, err.msg);
		goto out;
	}
	scenario_paths(&paths, &npaths, o->args, o->nargs, &diags);
	if (diags.n == 0)
		cmd_profile(&prof, o, &diags);
	po.run_id = o->run_id;
	po.storage_class = o->storage_class;
	po.only = o->only;
	po.sets = o->sets;
	for (i = 0; i < npaths; i++) {
		struct mtv_scenario *s = NULL;
		json_object *tags = NULL, *plan = NULL;

		if (scenario_load(&s, paths[i], &diags) != 0) {
			scenario_free(s);
			continue;
		}
		json_object_object_get_ex(s->root, "tags", &tags);
		if (tags_match(o->marker, tags, &err) == 1 && prof &&
		    plan_build(&plan, s, prof, &po, &diags) == 0)
			json_object_array_add(all, plan);
		scenario_free(s);
	}
	diags_sort(&diags);
	diags_print(&diags, stderr);
	if (diags.n)
		goto out;
	n = json_object_array_length(all);
	if (n == 0) {
		fprintf(stderr, "mtv-scenario: plan: no scenario selected\n");
		code = MTV_EXIT_NOTHING;
		goto out;
	}
	if (json) {
		json_object *v = n == 1 && npaths == 1 ? json_object_array_get_idx(all, 0) : all;

		redact_fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE), stdout);
		fputc('\n', stdout);
	} else {
		for (i = 0; i < n; i++) {
			if (i)
				fputc('\n', stdout);
			plan_print(json_object_array_get_idx(all, i), stdout, o->verbosity > 0);
		}
	}
	code = MTV_EXIT_PASS;
out:
	json_object_put(all);
	profile_free(prof);
	paths_free(paths, npaths);
	diags_release(&diags);
	return code;
}

const struct cmd_spec cmd_plan = {
	.name = "plan",
	.summary = "expand scenarios into the ordered steps a run would take, touching nothing",
	.synopsis = "[options] FILE|DIR...",
	.mask = CMD_PLAN,
	.run = run,
};
