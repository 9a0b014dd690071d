/* check_table.c: every verify check. The entries of a plan's verify step
 * come in stages (check.h: enum check_when), each stage in this order. */
#include "config.h"

#include <string.h>

#include "step/check/check.h"

/* Each record is defined in its own file, step/check/<name>.c. */
extern const struct check_kind check_result, check_vm, check_pvc,
	check_xcopy_used, check_vm_name, check_disk_count, check_power_state,
	check_snapshots, check_concurrent, check_offload_plugin,
	check_rdm_lun_bus, check_data_integrity, check_guest_agent,
	check_populator_throttling;

const struct check_kind *const check_table[] = {
	&check_result, &check_vm, &check_pvc, &check_xcopy_used,
	&check_vm_name, &check_disk_count, &check_power_state,
	&check_snapshots, &check_concurrent, &check_offload_plugin,
	&check_rdm_lun_bus, &check_data_integrity, &check_guest_agent,
	&check_populator_throttling,
	NULL,
};

const struct check_kind *
check_kind_find(const char *name)
{
	size_t i;

	for (i = 0; check_table[i]; i++)
		if (str_eq(check_table[i]->name, name))
			return check_table[i];
	return NULL;
}
