/* disk_count: the migrated VM has as many disks as the source VM (the
 * template's and the added ones), or value. Performed by the vm entries;
 * a value replaces their "disks". */
#include "config.h"

#include "step/check/check.h"

static void
set_disks(json_object *entry, json_object *e)
{
	jput(entry, "disks", json_object_new_int64(jint(e, "value")));
}

static void
listed_disk_count(struct check_build *b, json_object *e, size_t at)
{
	int plan, vm;

	if (!check_needs_vms(b, e, at) || !check_select(b, e, at, &plan, &vm))
		return;
	if (jget(e, "value") == NULL)
		return;
	if (!json_object_is_type(jget(e, "value"), json_type_int) ||
	    jint(e, "value") < 1) {
		check_diag(b, jget(e, "value"), "expect.checks[%zu].value: "
			   "disk_count takes a number of disks (at least 1)",
			   at);
		return;
	}
	check_amend(b, "vm", plan, vm, set_disks, e);
}

const struct check_kind check_disk_count = {
	.name = "disk_count",
	.summary = "the VM arrives with the source VM's disks (or value)",
	.listed = listed_disk_count,
	.by = "vm",
};
