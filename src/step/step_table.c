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

json_object *
jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (o == NULL || !json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

const char *
jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

long long
jint(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v ? json_object_get_int64(v) : 0;
}

bool
jbool(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return v ? json_object_get_boolean(v) : false;
}
