/* step_table.c: every step kind, in the order a plan uses them. */
#include "config.h"

#include <string.h>

#include "step/step.h"

const struct step_kind *const step_table[] = {
	&step_preflight, &step_clone, &step_disk, &step_rdm, &step_snapshot,
	&step_power, &step_guest_ready, &step_secret, &step_provider,
	&step_esxi_key, &step_map, &step_plan, &step_migrate, &step_verify,
	NULL,
};

const struct step_kind *
step_kind_find(const char *name)
{
	size_t i;

	for (i = 0; step_table[i]; i++)
		if (strcmp(step_table[i]->name, name) == 0)
			return step_table[i];
	return NULL;
}
