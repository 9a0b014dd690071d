/* vm_name: the migrated VM carries the name Forklift derives from the
 * clone's (ChangeVmName), or the check's value. Performed by the vm
 * entries; a value replaces their "target". */
#include "config.h"

#include "step/check/check.h"

static void
set_target(json_object *entry, json_object *e)
{
	jputs(entry, "target", jstr(e, "value"));
}

static bool
valid(json_object *v)
{
	return json_object_is_type(v, json_type_string) &&
	       *json_object_get_string(v);
}

static void
listed_vm_name(struct check_build *b, json_object *e, size_t at)
{
	check_vm_value(b, e, at, valid, "a VM name", set_target);
}

const struct check_kind check_vm_name = {
	.name = "vm_name",
	.summary = "the VM's destination name is the sanitised clone name "
		   "(or value)",
	.listed = listed_vm_name,
	.by = "vm",
};
