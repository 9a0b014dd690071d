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

static bool
valid(json_object *v)
{
	return json_object_is_type(v, json_type_string) &&
	       (str_eq(json_object_get_string(v), "on") ||
		str_eq(json_object_get_string(v), "off"));
}

static void
listed_power_state(struct check_build *b, json_object *e, size_t at)
{
	check_vm_value(b, e, at, valid, "'on' or 'off'", set_power);
}

const struct check_kind check_power_state = {
	.name = "power_state",
	.summary = "the VM arrives powered on or off (value)",
	.listed = listed_power_state,
	.by = "vm",
};
