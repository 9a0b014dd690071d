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

static void
listed_vm_name(struct check_build *b, json_object *e, size_t at)
{
	int plan, vm;

	if (!check_needs_vms(b, e, at) || !check_select(b, e, at, &plan, &vm))
		return;
	if (jget(e, "value") == NULL)
		return;
	if (jstr(e, "value") == NULL || !*jstr(e, "value")) {
		check_diag(b, jget(e, "value"), "expect.checks[%zu].value: "
			   "vm_name takes a VM name", at);
		return;
	}
	check_amend(b, "vm", plan, vm, set_target, e);
}

const struct check_kind check_vm_name = {
	.name = "vm_name",
	.summary = "the VM's destination name is the sanitised clone name "
		   "(or value)",
	.listed = listed_vm_name,
	.by = "vm",
};
