/* power_state: the migrated VM is powered on or off: value, else the
 * scenario's target_power_state, else the clone's source_vm_power.
 * Performed by the vm entries; a value replaces their "power". */
#include "config.h"

#include "step/check/check.h"

static void
set_power(json_object *entry, json_object *e)
{
	jputs(entry, "power", jstr(e, "value"));
}

static void
listed_power_state(struct check_build *b, json_object *e, size_t at)
{
	const char *val = jstr(e, "value");
	int plan, vm;

	if (!check_needs_vms(b, e, at) || !check_select(b, e, at, &plan, &vm))
		return;
	if (jget(e, "value") == NULL)
		return;
	if (!str_eq(val, "on") && !str_eq(val, "off")) {
		check_diag(b, jget(e, "value"), "expect.checks[%zu].value: "
			   "power_state takes 'on' or 'off'", at);
		return;
	}
	check_amend(b, "vm", plan, vm, set_power, e);
}

const struct check_kind check_power_state = {
	.name = "power_state",
	.summary = "the VM arrives powered on or off (value)",
	.listed = listed_power_state,
	.by = "vm",
};
