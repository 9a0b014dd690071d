/* step_guest_ready.c: the 'guest-ready' step: wait for running tools and
 * an IP address through property-collector updates. */
#include "config.h"

#include <stdlib.h>

#include "step/step.h"
#include "step/vs_step.h"

static int
exec_guest_ready(struct step_ctx *ctx, json_object *step, json_object **undo,
		 struct mtv_err *err)
{
	json_object *params = jget(step, "params");
	struct vs_client *vs = NULL;
	char *vm = NULL, *ip = NULL;
	int r, t = (int)jint(params, "timeout");

	(void)undo;
	if (t <= 0 || t > step_time_left(ctx))
		t = step_time_left(ctx);
	r = step_vsphere(ctx, &vs, err);
	if (r == 0)
		r = vstep_vm(ctx, vs, params, &vm, err);
	if (r == 0)
		r = vs_wait_guest(vs, vm, jstr(params, "vm"), t, &ip, err);
	if (r == 0)
		log_verbose("guest of '%s' is ready at %s", jstr(params, "vm"),
			    ip);
	free(vm);
	free(ip);
	return r;
}

static int
undo_guest_ready(struct step_ctx *ctx, json_object *step, json_object *undo,
		 struct mtv_err *err)
{
	(void)ctx;
	(void)step;
	(void)undo;
	(void)err;
	return 0;
}

/* After power on: wait for the guest (guest_agent_timeout, default 120). */
static void
plan_guest_ready(struct mtv_model *m, const struct step_at *at)
{
	struct model_vm *v = &m->vms[at->vm];
	json_object *t = model_top(m, "guest_agent_timeout"), *pa;
	struct model_step st = { .plan = v->plan };
	char *obj;

	if (!model_vm_ready(v))
		return;
	pa = json_object_new_object();
	jputs(pa, "vm_ref", v->ref);
	jputs(pa, "vm", v->name);
	jputi(pa, "timeout", t ? json_object_get_int(t) : 120);
	obj = xasprintf("vm/%s", v->name);
	st.object = obj;
	st.params = pa;
	step_plan_add(m, at->kind, &st, "wait for guest info of %s",
		      v->name);
	free(obj);
}

static const struct step_param guest_ready_params[] = {
	{ "vm_ref", PT_STRING, true, "logical VM key" },
	{ "vm", PT_STRING, true, "clone name" },
	{ "timeout", PT_INT, true, "seconds to wait" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_guest_ready = {
	.name = "guest-ready",
	.summary = "wait until the guest's tools run and it has an IP",
	/* a long poll of guest info: VMs booting take no clone's slot */
	.flags = STEP_SOURCE | STEP_WAITS,
	.params = guest_ready_params,
	.plan = plan_guest_ready,
	.exec = exec_guest_ready,
	.undo = undo_guest_ready,
};
