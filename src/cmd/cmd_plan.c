/* cmd_plan.c: plan: expand scenarios into the steps a run would take,
 * for people (text) or as JSON (--format json; several files: an array). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

/* Print one plan to fp (JSON: an array element when several). */
static void
emit(json_object *plan, FILE *fp, bool json, bool verbose, size_t k)
{
	if (json) {
		if (k)
			fputs(",\n", fp);
		redact_fputs(json_object_to_json_string_ext(plan, JSON_C_TO_STRING_PRETTY |
							    JSON_C_TO_STRING_SPACED |
							    JSON_C_TO_STRING_NOSLASHESCAPE), fp);
	} else {
		if (k)
			fputc('\n', fp);
		plan_print(plan, fp, verbose);
	}
}

/* Copy the spooled output to stdout. */
static void
spool_copy(FILE *spool)
{
	char buf[65536];
	size_t n;

	rewind(spool);
	while ((n = fread(buf, 1, sizeof(buf), spool)) > 0)
		fwrite(buf, 1, n, stdout);
}

static int
run(struct mtv_opts *o)
{
	struct mtv_diags diags = { 0 };
	struct mtv_profile *prof = NULL;
	struct plan_opts po = { 0 };
	FILE *spool = NULL;
	json_object *seen = json_object_new_object();
	char **paths = NULL;
	size_t npaths = 0, i, n = 0;
	bool json = str_eq(o->format, "json"), selected;
	int code = MTV_EXIT_USAGE;

	if (cmd_check_format(o, "plan") != 0)
		goto out;
	/* plans go to a spool file, printed only when every file expanded:
	 * memory stays flat however many files there are */
	spool = tmpfile();
	if (spool == NULL) {
		fprintf(stderr, "mtv-scenario: plan: cannot create a temporary file\n");
		code = MTV_EXIT_INTERNAL;
		goto out;
	}
	scenario_paths(&paths, &npaths, o->args, o->nargs, &diags);
	if (diags.n == 0)
		cmd_profile(&prof, o, &diags);
	po.run_id = o->run_id;
	po.storage_class = o->storage_class;
	po.only = o->only;
	po.sets = o->sets;
	po.release = o->mtv ? release_find(o->mtv) : NULL;
	for (i = 0; i < npaths; i++) {
		struct mtv_scenario *s =
		    cmd_scenario_load(paths[i], o->marker, &selected, seen,
				      &diags);
		json_object *plan = NULL;

		if (s == NULL)
			continue;
		if (selected && prof &&
		    plan_build(&plan, s, prof, &po, &diags) == 0) {
			if (diags.n == 0)
				emit(plan, spool, json, o->verbosity > 0, n);
			n++;
		}
		json_object_put(plan);
		scenario_free(s);
	}
	diags_sort(&diags);
	diags_print(&diags, stderr);
	if (diags.n)
		goto out;
	if (n == 0) {
		cmd_nothing_selected("plan", o->marker, seen);
		code = MTV_EXIT_NOTHING;
		goto out;
	}
	/* one file: the plan; several (or a directory): an array */
	if (json && !(n == 1 && npaths == 1))
		fputs("[\n", stdout);
	spool_copy(spool);
	if (json)
		fputs(!(n == 1 && npaths == 1) ? "\n]\n" : "\n", stdout);
	code = MTV_EXIT_PASS;
out:
	json_object_put(seen);
	if (spool)
		fclose(spool);
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
