/* check_table.c: every verify check. The entries of a plan's verify step
 * come in stages (check.h: enum check_when), each stage in this order: per
 * VM, the checks of the guest come after those of the VM's objects, and
 * vm_identity after them, so that it also sees the running instance. */
#include "config.h"

#include <string.h>

#include "step/check/check.h"

/* Each record is defined in its own file, step/check/<name>.c. */
extern const struct check_kind check_result, check_vm, check_pvc,
	check_xcopy_used, check_vm_name, check_disk_count, check_power_state,
	check_snapshots, check_concurrent, check_offload_plugin,
	check_rdm_lun_bus, check_guest_agent, check_ssh_connectivity,
	check_data_integrity, check_vm_identity, check_populator_throttling,
	check_ssl_verification;

const struct check_kind *const check_table[] = {
	&check_result, &check_vm, &check_pvc, &check_xcopy_used,
	&check_vm_name, &check_disk_count, &check_power_state,
	&check_snapshots, &check_concurrent, &check_offload_plugin,
	&check_rdm_lun_bus, &check_guest_agent, &check_ssh_connectivity,
	&check_data_integrity, &check_vm_identity, &check_populator_throttling,
	&check_ssl_verification,
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
