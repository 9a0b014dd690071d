/* cmd_validate.c: validate: check scenario files (and a providers file
 * given with -p) against the schemas; report every error of every file. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

/* With -p, every check plan makes: the providers file's schema, the
 * profile (vendor keys), the overrides, and every selected scenario
 * expanded against it (symbolic datastore keys), nothing contacted. */
static void
check_plans(struct mtv_opts *o, char **paths, size_t npaths,
	    struct mtv_diags *diags)
{
	struct mtv_profile *prof = NULL;
	struct plan_opts po = { 0 };
	json_object *seen = json_object_new_object();
	struct mtv_diags ignore = { 0 };
	bool selected;
	size_t i;

	/* a profile with problems still expands: every problem at once */
	if (cmd_profile(&prof, o, diags) != 0 || prof == NULL)
		goto out;
	po.run_id = o->run_id;
	po.storage_class = o->storage_class;
	po.sets = o->sets;
	po.release = o->mtv ? release_find(o->mtv) : NULL;
	for (i = 0; i < npaths; i++) {
		/* the scenarios' own errors are reported once, above */
		struct mtv_scenario *s = cmd_scenario_load(
		    paths[i], o->marker, &selected, seen, &ignore);
		json_object *plan = NULL;

		if (s && selected)
			plan_build(&plan, s, prof, &po, diags);
		json_object_put(plan);
		scenario_free(s);
	}
out:
	diags_release(&ignore);
	json_object_put(seen);
	profile_free(prof);
}

/* Scenario names must be unique across the files checked together: they
 * name namespaces and reports. */
static void
check_name(json_object *names, const struct mtv_scenario *s,
	   struct mtv_diags *diags)
{
	json_object *first = NULL, *node = NULL;
	int line = 0, col = 0;

	json_object_object_get_ex(s->root, "name", &node);
	if (!json_object_object_get_ex(names, s->name, &first)) {
		json_object_object_add(names, s->name,
				       json_object_new_string(s->path));
		return;
	}
	doc_loc(s->doc, node, &line, &col);
	diags_add(diags, s->path, line, col,
		  "name: duplicate scenario name '%s' (also in %s)", s->name,
		  json_object_get_string(first));
}

static void
print_json(const struct mtv_diags *diags, size_t nfiles, size_t nselected)
{
	json_object *root = json_object_new_object(),
		    *errs = json_object_new_array();
	size_t i;

	for (i = 0; i < diags->n; i++) {
		const struct mtv_diag *g = &diags->v[i];
		json_object *e = json_object_new_object();

		json_object_object_add(e, "file",
				       g->file ? json_object_new_string(g->file)
					       : NULL);
		json_object_object_add(e, "line", json_object_new_int(g->line));
		json_object_object_add(e, "col", json_object_new_int(g->col));
		json_object_object_add(e, "message",
				       json_object_new_string(g->msg));
		json_object_array_add(errs, e);
	}
	json_object_object_add(root, "valid",
			       json_object_new_boolean(diags->n == 0));
	json_object_object_add(root, "files",
			       json_object_new_int64((int64_t)nfiles));
	json_object_object_add(root, "selected",
			       json_object_new_int64((int64_t)nselected));
	json_object_object_add(root, "errors", errs);
	redact_fputs(json_object_to_json_string_ext(
			 root, JSON_C_TO_STRING_PRETTY |
				   JSON_C_TO_STRING_SPACED |
				   JSON_C_TO_STRING_NOSLASHESCAPE),
		     stdout);
	fputc('\n', stdout);
	json_object_put(root);
}

static int
run(struct mtv_opts *o)
{
	struct mtv_diags diags = { 0 };
	json_object *names = NULL, *seen = NULL;
	char **paths = NULL;
	size_t npaths = 0, i, nsel = 0;
	bool json = str_eq(o->format, "json"), selected;
	int code = MTV_EXIT_USAGE;

	if (cmd_check_format(o, "validate") != 0)
		return MTV_EXIT_USAGE;
	seen = json_object_new_object();
	scenario_paths(&paths, &npaths, o->args, o->nargs, &diags);
	names = json_object_new_object();
	for (i = 0; i < npaths; i++) {
		struct mtv_scenario *s =
		    cmd_scenario_load(paths[i], o->marker, &selected, seen,
				      &diags);

		if (s == NULL)
			continue;
		check_name(names, s, &diags);
		if (selected) {
			nsel++;
			if (o->verbosity > 0 && !json)
				printf("ok %s\n", paths[i]);
		}
		scenario_free(s);
	}
	if (o->providers)
		check_plans(o, paths, npaths, &diags);
	diags_sort(&diags);
	if (json)
		print_json(&diags, npaths, nsel);
	else
		diags_print(&diags, stderr);
	if (diags.n) {
		code = MTV_EXIT_USAGE;
		goto out;
	}
	if (nsel == 0) {
		if (!json)
			cmd_nothing_selected("validate", o->marker, seen);
		code = MTV_EXIT_NOTHING;
		goto out;
	}
	if (!json && o->verbosity >= 0)
		printf("%zu scenario%s valid%s\n", nsel, nsel == 1 ? "" : "s",
		       o->providers ? ", providers file valid" : "");
	code = MTV_EXIT_PASS;
out:
	json_object_put(names);
	json_object_put(seen);
	paths_free(paths, npaths);
	diags_release(&diags);
	return code;
}

const struct cmd_spec cmd_validate = {
	.name = "validate",
	.summary =
	    "check scenario (and providers) files against the schema; report every error",
	.synopsis = "[options] FILE|DIR...",
	.mask = CMD_VALIDATE,
	.run = run,
};
