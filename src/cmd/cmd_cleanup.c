/* cmd_cleanup.c: remove what runs left (a run killed with -9, a lost
 * machine, --keep): by journal and by sweep; see exec_cleanup. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "config/profile.h"
#include "exec/exec.h"
#include "step/journal.h"
#include "util/json.h"

/* The run ids to clean up: --run-id's, or with --all every journal whose
 * run is no longer alive (caller puts). */
static json_object *
targets(const struct mtv_opts *o)
{
	json_object *ids = json_object_new_array(), *all;
	size_t i;

	for (i = 0; i < jlen(o->run_ids); i++)
		json_object_array_add(ids, json_object_get(
		    json_object_array_get_idx(o->run_ids, i)));
	if (!o->all)
		return ids;
	all = journal_list();
	for (i = 0; i < jlen(all); i++) {
		json_object *id = json_object_array_get_idx(all, i);

		if (journal_alive(json_object_get_string(id)))
			printf("run %s: still running: skipped\n",
			       json_object_get_string(id));
		else
			json_object_array_add(ids, json_object_get(id));
	}
	json_object_put(all);
	return ids;
}

static int
cleanup(struct mtv_opts *o)
{
	struct mtv_diags diags = { 0 };
	struct mtv_profile *prof = NULL;
	struct run_opts ro;
	json_object *ids = NULL;
	size_t i;
	int code = MTV_EXIT_USAGE, left = 0;

	if (o->nargs > 0 || (o->run_ids == NULL && !o->all)) {
		fprintf(stderr, "mtv-scenario: cleanup: give --run-id ID "
			"(repeatable) or --all, and no other arguments\n");
		return MTV_EXIT_USAGE;
	}
	if (cmd_profile(&prof, o, &diags) != 0) {
		diags_sort(&diags);
		diags_print(&diags, stderr);
		goto out;
	}
	memset(&ro, 0, sizeof(ro));
	ro.kubeconfig = o->kubeconfig;
	ro.context = o->context;
	ids = targets(o);
	if (jlen(ids) == 0)
		printf("no run to clean up\n");
	for (i = 0; i < jlen(ids); i++)
		left += exec_cleanup(json_object_get_string(
		    json_object_array_get_idx(ids, i)), prof, &ro) != 0;
	fflush(stdout);
	code = left ? MTV_EXIT_FAIL : MTV_EXIT_PASS;
out:
	json_object_put(ids);
	profile_free(prof);
	diags_release(&diags);
	return code;
}

const struct cmd_spec cmd_cleanup = {
	.name = "cleanup",
	.summary = "remove what runs left behind, from their journals and by run label, name prefix and key line",
	.synopsis = "[options] --run-id ID... | --all",
	.mask = CMD_CLEANUP,
	.run = cleanup,
};
