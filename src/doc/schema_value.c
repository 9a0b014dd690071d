/* schema_value.c: what the schema validator asks of JSON values: members,
 * number kinds, equality, type names and how a value is quoted in
 * messages. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "doc/schema_value.h"

bool
sv_has(json_object *o, const char *k)
{
	return json_object_is_type(o, json_type_object) &&
	       json_object_object_get_ex(o, k, NULL);
}

bool
sv_is_number(json_object *v)
{
	return json_object_is_type(v, json_type_int) ||
	       json_object_is_type(v, json_type_double);
}

bool
sv_is_integer(json_object *v)
{
	double d;

	if (json_object_is_type(v, json_type_int))
		return true;
	if (!json_object_is_type(v, json_type_double))
		return false;
	d = json_object_get_double(v);
	return isfinite(d) && d == floor(d);
}

bool
sv_equal(json_object *a, json_object *b)
{
	size_t i, n;

	if (sv_is_number(a) && sv_is_number(b)) {
		if (json_object_is_type(a, json_type_int) &&
		    json_object_is_type(b, json_type_int))
			return json_object_get_int64(a) ==
			       json_object_get_int64(b);
		return json_object_get_double(a) == json_object_get_double(b);
	}
	if (json_object_get_type(a) != json_object_get_type(b))
		return false;
	switch (json_object_get_type(a)) {
	case json_type_null:
		return true;
	case json_type_boolean:
		return json_object_get_boolean(a) == json_object_get_boolean(b);
	case json_type_string:
		return strcmp(json_object_get_string(a),
			      json_object_get_string(b)) == 0;
	case json_type_array:
		n = json_object_array_length(a);
		if (n != json_object_array_length(b))
			return false;
		for (i = 0; i < n; i++)
			if (!sv_equal(json_object_array_get_idx(a, i),
					json_object_array_get_idx(b, i)))
				return false;
		return true;
	case json_type_object:
		if (json_object_object_length(a) !=
		    json_object_object_length(b))
			return false;
		json_object_object_foreach(a, k, v) {
			json_object *w = NULL;

			if (!json_object_object_get_ex(b, k, &w) ||
			    !sv_equal(v, w))
				return false;
		}
		return true;
	default:
		return false;
	}
}

bool
sv_type_is(json_object *v, const char *t)
{
	if (strcmp(t, "string") == 0)
		return json_object_is_type(v, json_type_string);
	if (strcmp(t, "integer") == 0)
		return sv_is_integer(v);
	if (strcmp(t, "number") == 0)
		return sv_is_number(v);
	if (strcmp(t, "boolean") == 0)
		return json_object_is_type(v, json_type_boolean);
	if (strcmp(t, "object") == 0)
		return json_object_is_type(v, json_type_object);
	if (strcmp(t, "array") == 0)
		return json_object_is_type(v, json_type_array);
	if (strcmp(t, "null") == 0)
		return v == NULL;
	return false;
}

const char *
sv_type_phrase(const char *t)
{
	if (strcmp(t, "string") == 0)
		return "a string";
	if (strcmp(t, "integer") == 0)
		return "an integer";
	if (strcmp(t, "number") == 0)
		return "a number";
	if (strcmp(t, "boolean") == 0)
		return "a boolean (true or false)";
	if (strcmp(t, "object") == 0)
		return "a mapping";
	if (strcmp(t, "array") == 0)
		return "a list";
	if (strcmp(t, "null") == 0)
		return "null";
	return t;
}

/* How a value reads in a message: 'text', 42, true, null, a mapping. */
void
sv_add_value(struct strbuf *sb, json_object *v)
{
	const char *s;
	size_t n;

	switch (json_object_get_type(v)) {
	case json_type_null:
		strbuf_adds(sb, "null");
		break;
	case json_type_boolean:
		strbuf_adds(sb, json_object_get_boolean(v) ? "true" : "false");
		break;
	case json_type_int:
		strbuf_addf(sb, "%lld", (long long)json_object_get_int64(v));
		break;
	case json_type_double:
		strbuf_addf(sb, "%g", json_object_get_double(v));
		break;
	case json_type_string:
		s = json_object_get_string(v);
		n = strlen(s);
		if (n > 60)
			strbuf_addf(sb, "'%.57s...'", s);
		else
			strbuf_addf(sb, "'%s'", s);
		break;
	case json_type_object:
		strbuf_adds(sb, "a mapping");
		break;
	case json_type_array:
		strbuf_adds(sb, "a list");
		break;
	}
}
