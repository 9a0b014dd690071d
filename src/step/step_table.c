/* step_table.c: every step kind, in the order a plan uses them, and what
 * every kind shares: lookup, side, parameter checks, plan writing. */
#include "config.h"

#include <string.h>

#include "step/step.h"

/* Each kind's record is in its src/step/step_<kind>.c. */
extern const struct step_kind step_preflight_source, step_preflight_cluster,
	step_clone, step_disk, step_rdm, step_snapshot, step_power,
	step_guest_ready, step_guest_data, step_secret, step_provider,
	step_esxi_key, step_map, step_plan, step_migrate, step_verify;

const struct step_kind *const step_table[] = {
	&step_preflight_source, &step_preflight_cluster, &step_clone,
	&step_disk, &step_rdm, &step_snapshot, &step_power, &step_guest_ready,
	&step_guest_data, &step_secret, &step_provider, &step_esxi_key,
	&step_map, &step_plan, &step_migrate, &step_verify,
	NULL,
};

const char *
step_side(const struct step_kind *k)
{
	return k->flags & STEP_SOURCE ? "source" : "cluster";
}

const struct step_kind *
step_kind_find(const char *name, const char *side)
{
	size_t i;

	for (i = 0; step_table[i]; i++)
		if (str_eq(step_table[i]->name, name) &&
		    (side == NULL || str_eq(step_side(step_table[i]), side)))
			return step_table[i];
	return NULL;
}

static const char *
ptype_name(unsigned t)
{
	static const char *const names[] = {
		"?", "a string", "an integer", "a boolean", "an object",
		"an array", "anything",
	};

	t &= ~(unsigned)PT_NULL;
	return t < ARRAY_SIZE(names) ? names[t] : "?";
}

static bool
ptype_ok(unsigned t, json_object *v)
{
	if (v == NULL)
		return (t & PT_NULL) || (t & ~(unsigned)PT_NULL) == PT_ANY;
	switch (t & ~(unsigned)PT_NULL) {
	case PT_STRING:
		return json_object_is_type(v, json_type_string);
	case PT_INT:
		return json_object_is_type(v, json_type_int);
	case PT_BOOL:
		return json_object_is_type(v, json_type_boolean);
	case PT_OBJECT:
		return json_object_is_type(v, json_type_object);
	case PT_ARRAY:
		return json_object_is_type(v, json_type_array);
	case PT_ANY:
		return true;
	}
	return false;
}

static const struct step_param *
param_find(const struct step_kind *k, const char *key)
{
	const struct step_param *p;

	for (p = k->params; p && p->key; p++)
		if (str_eq(p->key, key))
			return p;
	return NULL;
}

/* Every member of params is in k's table and of its type. */
static int
params_known(const struct step_kind *k, json_object *params, long long id,
	     struct mtv_err *err)
{
	const struct step_param *p;

	json_object_object_foreach(params, key, val) {
		p = param_find(k, key);
		if (p == NULL)
			return err_set(err, MTV_EINTERNAL, "step %lld (%s): "
				       "unknown parameter '%s'", id, k->name,
				       key);
		if (!ptype_ok(p->type, val))
			return err_set(err, MTV_EINTERNAL, "step %lld (%s): "
				       "parameter '%s' must be %s%s", id,
				       k->name, key, ptype_name(p->type),
				       p->type & PT_NULL ? " or null" : "");
	}
	return 0;
}

int
step_params_check(const struct step_kind *k, json_object *step,
		  struct mtv_err *err)
{
	json_object *params = NULL, *v = NULL;
	const struct step_param *p;
	long long id = jint(step, "id");
	int r;

	if (json_object_object_get_ex(step, "params", &params) && params &&
	    !json_object_is_type(params, json_type_object))
		return err_set(err, MTV_EINTERNAL, "step %lld (%s): params "
			       "is not an object", id, k->name);
	if (params && (r = params_known(k, params, id, err)) != 0)
		return r;
	for (p = k->params; p && p->key; p++)
		if (p->required &&
		    !json_object_object_get_ex(params, p->key, &v))
			return err_set(err, MTV_EINTERNAL, "step %lld (%s): "
				       "missing parameter '%s'", id, k->name,
				       p->key);
	return 0;
}

json_object *
step_plan_add(struct mtv_model *m, const struct step_kind *k,
	      struct model_step *st, const char *fmt, ...)
{
	json_object *o;
	va_list ap;

	st->kind = k->name;
	st->side = step_side(k);
	va_start(ap, fmt);
	o = model_step_addv(m, st, fmt, ap);
	va_end(ap);
	return o;
}
