/* json.c: json-c member helpers (see json.h). */
#include "config.h"

#include <string.h>

#include "util/json.h"

json_object *
jget(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_is_type(o, json_type_object))
		return NULL;
	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;	/* json-c holds a JSON null as NULL */
}

const char *
jstr(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : NULL;
}

const char *
jtext(json_object *o, const char *key)
{
	json_object *v = jget(o, key);

	if (v == NULL || json_object_is_type(v, json_type_object) ||
	    json_object_is_type(v, json_type_array))
		return NULL;
	return json_object_get_string(v);
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

size_t
jlen(json_object *a)
{
	return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

void
jput(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

void
jputs(json_object *o, const char *key, const char *s)
{
	jput(o, key, s ? json_object_new_string(s) : NULL);
}

void
jputi(json_object *o, const char *key, long long v)
{
	jput(o, key, json_object_new_int64(v));
}

void
jputb(json_object *o, const char *key, bool v)
{
	jput(o, key, json_object_new_boolean(v));
}

void
jarr_adds(json_object *a, const char *s)
{
	json_object_array_add(a, json_object_new_string(s));
}

bool
jarr_has(json_object *a, const char *s)
{
	size_t i;

	for (i = 0; i < jlen(a); i++) {
		json_object *e = json_object_array_get_idx(a, i);

		if (json_object_is_type(e, json_type_string) &&
		    strcmp(json_object_get_string(e), s) == 0)
			return true;
	}
	return false;
}
