/* schema_value.h: JSON value helpers of the schema validator (schema.c). */
#ifndef MTV_SCHEMA_VALUE_H
#define MTV_SCHEMA_VALUE_H

#include <stdbool.h>
#include <json-c/json.h>

#include "util/util.h"

/* Does object o have member k (null included)? */
bool sv_has(json_object *o, const char *k);
/* Is v a number; an integer (a double without fraction counts)? */
bool sv_is_number(json_object *v);
bool sv_is_integer(json_object *v);
/* JSON equality (numbers by value, objects by members). */
bool sv_equal(json_object *a, json_object *b);
/* Is v of JSON Schema type t ("object", "integer", ...)? */
bool sv_type_is(json_object *v, const char *t);
/* "a boolean (true or false)", "an integer", ... for messages. */
const char *sv_type_phrase(const char *t);
/* v as a message quotes it ('text', 42, true, an object...). */
void sv_add_value(struct strbuf *sb, json_object *v);

#endif
