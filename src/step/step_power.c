/* step_power.c: the 'power' step: power a VM on or off; a VM powered on
 * is powered off again at teardown. */
#include "config.h"

#include <stdlib.h>

#include "step/step.h"
#include "step/vs_step.h"

static int
exec_power(struct step_ctx *ctx, json_object *step, json_object **undo,
	   struct mtv_err *err)
{
	static const char *const paths[] = { "runtime.powerState", NULL };
	json_object *params = jget(step, "params"), *p = NULL;
	const char *name = jstr(params, "vm");
	bool on = str_eq(jstr(params, "state"), "on");
	struct vs_client *vs = NULL;
	char *vm = NULL;
	int r;

	r = step_vsphere(ctx, &vs, err);
	if (r == 0)
		r = vstep_vm(ctx, vs, params, &vm, err);
	if (r == 0)
		r = vs_props(vs, "VirtualMachine", vm, paths, &p, err);
	if (r != 0)
		goto out;
	if (!on) {
		r = vstep_power_off(vs, vm, name, step_time_left(ctx), err);
		goto out;
	}
	if (str_eq(jstr(p, "runtime.powerState"), "poweredOn"))
		goto out;
	*undo = json_object_new_object();
	json_object_object_add(*undo, "vm", json_object_new_string(vm));
	r = vs_invoke(vs, "PowerOnVM_Task", "VirtualMachine", vm, NULL, name,
		      step_time_left(ctx), NULL, err);
	/* sent again after a lost reply: already on is what was asked */
	if (r != 0 && str_eq(vs_last_fault(vs), "InvalidPowerState")) {
		json_object_put(p);
		p = NULL;
		if (vs_props(vs, "VirtualMachine", vm, paths, &p, NULL) == 0 &&
		    str_eq(jstr(p, "runtime.powerState"), "poweredOn"))
			r = 0;
	}
out:
	json_object_put(p);
	free(vm);
	return r;
}

static int
undo_power(struct step_ctx *ctx, json_object *step, json_object *undo,
	   struct mtv_err *err)
{
	struct vs_client *vs = NULL;
	int r;

	if (jstr(undo, "vm") == NULL)
		return 0;
	r = step_vsphere(ctx, &vs, err);
	if (r != 0)
		return r;
	return vstep_power_off(vs, jstr(undo, "vm"),
			       jstr(jget(step, "params"), "vm"),
			       step_time_left(ctx), err);
}

/* role "on": before the guest wait; role "off": when the scenario wants
 * the source off, or before a mode switch. */
static void
plan_power(struct mtv_model *m, const struct step_at *at)
{
	struct model_vm *v = &m->vms[at->vm];
	const char *pw = jstr(v->node, "source_vm_power");
	bool on = str_eq(at->role, "on");
	struct model_step st = { .plan = v->plan };
	json_object *pa;
	char *obj;

	if (on ? !model_vm_ready(v) :
	    !(str_eq(pw, "off") || (model_vm_ready(v) && !str_eq(pw, "on") &&
				     model_vm_set_mode_count(v) > 0)))
		return;
	pa = json_object_new_object();
	jputs(pa, "vm_ref", v->ref);
	jputs(pa, "vm", v->name);
	jputs(pa, "state", on ? "on" : "off");
	obj = xasprintf("vm/%s", v->name);
	st.object = obj;
	st.params = pa;
	step_plan_add(m, at->kind, &st, "power %s %s", on ? "on" : "off",
		      v->name);
	free(obj);
}

static const struct step_param power_params[] = {
	{ "vm_ref", PT_STRING, true, "logical VM key" },
	{ "vm", PT_STRING, true, "clone name" },
	{ "state", PT_STRING, true, "on or off" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_power = {
	.name = "power",
	.summary = "power a VM on or off",
	.flags = STEP_SOURCE,
	.params = power_params,
	.plan = plan_power,
	.exec = exec_power,
	.undo = undo_power,
};
