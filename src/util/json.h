/* json.h: the one family of json-c member helpers. A JSON null and a
 * missing member read the same; getters never fail and return borrowed
 * values (NULL, 0 or false when absent or of another type). */
#ifndef MTV_JSON_H
#define MTV_JSON_H

#include <stdbool.h>
#include <json-c/json.h>

/* Member key of object o (borrowed), NULL when o is not an object, lacks
 * key or holds null. */
json_object *jget(json_object *o, const char *key);
/* The member when it is a string, else NULL. */
const char *jstr(json_object *o, const char *key);
/* The member as text when it is a string, number or boolean (as json-c
 * writes it: "true", "42"); NULL for null, objects and arrays. */
const char *jtext(json_object *o, const char *key);
/* The member as an integer (0 when absent). */
long long jint(json_object *o, const char *key);
/* The member as a boolean (false when absent). */
bool jbool(json_object *o, const char *key);
/* Length of a (member) array; 0 for anything else. */
size_t jlen(json_object *a);

/* Set member key of o to v (taken; NULL writes null). */
void jput(json_object *o, const char *key, json_object *v);
/* The same with a string (NULL writes null), an int or a boolean. */
void jputs(json_object *o, const char *key, const char *s);
void jputi(json_object *o, const char *key, long long v);
void jputb(json_object *o, const char *key, bool v);

/* Append string s to array a; does a hold the string s? */
void jarr_adds(json_object *a, const char *s);
bool jarr_has(json_object *a, const char *s);

/* o as block-style YAML (yaml_out.c) that reads back as the same JSON;
 * caller frees. */
char *json_to_yaml(json_object *o);

#endif
