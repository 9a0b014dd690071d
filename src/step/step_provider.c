/* step_provider.c: the 'provider' step: the vSphere source Provider (or the
 * destination 'host' Provider), esxiCloneMethod patched when chosen, then a
 * wait for Ready that reports blocking conditions with their message and
 * suggestion. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"

static int
exec_provider(struct step_ctx *ctx, json_object *step, json_object **undo,
	      struct mtv_err *err)
{
	json_object *params = jget(step, "params"), *res = NULL, *last = NULL;
	const char *method = jstr(params, "esxi_clone_method"), *name, *ns;
	struct kube_client *k = NULL;
	int r;

	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	r = cl_apply(ctx, k, jget(params, "manifest"), &res, err);
	if (r != 0)
		return r;
	name = cl_name(res);
	ns = cl_ns(res);
	*undo = cl_undo_new(NULL, ns, name);
	if (method && !str_eq(jstr(jget(jget(res, "spec"), "settings"),
				   "esxiCloneMethod"),
			      method)) {
		json_object *patch = NULL;
		char *path = kube_path("Provider", ns, name), *txt;

		txt = xasprintf(
		    "{\"spec\":{\"settings\":{\"esxiCloneMethod\":\"%s\"}}}",
		    method);
		patch = json_tokener_parse(txt);
		r = kube_patch_merge(k, path, patch, NULL, err);
		json_object_put(patch);
		free(txt);
		free(path);
		if (r != 0) {
			err_prefix(err,
				   "provider '%s': setting esxiCloneMethod",
				   name);
			goto out;
		}
		log_verbose("provider '%s': esxiCloneMethod set to '%s'", name,
			    method);
	}
	r = cl_wait_step(ctx, k, params, "Provider", ns, name, 600, &last,
			 err);
	if (r != 0)
		goto out;
	log_info("provider '%s' is Ready", name);
	state_set(ctx, "providers",
		  jstr(params, "role") ? jstr(params, "role") : name,
		  json_object_new_string(name));
out:
	json_object_put(last);
	json_object_put(res);
	return r;
}

static int
undo_provider(struct step_ctx *ctx, json_object *step, json_object *undo,
	      struct mtv_err *err)
{
	(void)step;
	return cl_undo_delete(ctx, undo, "Provider", 120, err);
}

const struct step_kind step_provider = {
	.name = "provider",
	.summary = "create a Provider and wait for Ready",
	.flags = STEP_CLUSTER,
	.exec = exec_provider,
	.undo = undo_provider,
};
