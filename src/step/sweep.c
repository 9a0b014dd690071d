/* sweep.c: what a cleanup removed and left, and the vSphere sweep of a
 * run's clones by name prefix. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/step.h"
#include "step/vs_step.h"

void
step_sweep_init(struct step_sweep *sw)
{
	sw->removed = json_object_new_array();
	sw->left = json_object_new_array();
}

void
step_sweep_release(struct step_sweep *sw)
{
	json_object_put(sw->removed);
	json_object_put(sw->left);
	sw->removed = sw->left = NULL;
}

void
step_sweep_note(struct step_sweep *sw, bool removed, const char *what,
		const char *why)
{
	char *s = why && *why ? xasprintf("%s: %s", what, why) : xstrdup(what);

	json_object_array_add(removed ? sw->removed : sw->left,
			      json_object_new_string(s));
	free(s);
}

int
step_sweep_vsphere(struct step_ctx *ctx, struct step_sweep *sw,
		   bool list_only, struct mtv_err *err)
{
	struct vs_client *vs = NULL;
	json_object *names = NULL;
	char *prefix = xasprintf("%s-", ctx->run_id);
	int r;

	r = step_vsphere(ctx, &vs, err);
	if (r == 0)
		r = vs_names(vs, "VirtualMachine", &names, err);
	if (r != 0)
		goto out;
	json_object_object_foreach(names, moid, v) {
		const char *name = json_object_get_string(v);
		struct mtv_err e = { 0 };
		char *what;

		if (!str_startswith(name, prefix))
			continue;
		what = xasprintf("vSphere VM %s (%s)", name, moid);
		if (list_only)
			step_sweep_note(sw, false, what, "still there");
		else if (vstep_vm_destroy(vs, moid, name, step_time_left(ctx),
					  &e) == 0)
			step_sweep_note(sw, true, what, NULL);
		else
			step_sweep_note(sw, false, what, e.msg);
		free(what);
	}
out:
	json_object_put(names);
	free(prefix);
	return r;
}
