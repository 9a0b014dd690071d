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

static bool
valid(json_object *v)
{
	return json_object_is_type(v, json_type_int) &&
	       json_object_get_int64(v) >= 1;
}

static void
listed_disk_count(struct check_build *b, json_object *e, size_t at)
{
	check_vm_value(b, e, at, valid, "a number of disks (at least 1)", set_disks);
}

const struct check_kind check_disk_count = {
	.name = "disk_count",
	.summary = "the VM arrives with the source VM's disks (or value)",
	.listed = listed_disk_count,
	.by = "vm",
};
