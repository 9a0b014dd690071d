/* yaml_out.c: JSON written as block-style YAML (json_to_yaml in json.h),
 * for the artifacts of a failed run: people read them like `oc get -o
 * yaml`, and any YAML parser reads them back as the same JSON. */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

/* Words a YAML 1.1 or 1.2 parser reads as something else than a string. */
static bool
ambiguous_word(const char *s)
{
	static const char *const words[] = {
		"y", "n", "yes", "no", "on", "off", "true", "false", "null",
		"~", NULL,
	};
	size_t i;

	for (i = 0; words[i]; i++)
		if (strcasecmp(s, words[i]) == 0)
			return true;
	return false;
}

/* Can s be written plain (unquoted) and still read back as this string? */
static bool
plain_ok(const char *s)
{
	const char *p;

	if (*s == '\0' || ambiguous_word(s))
		return false;
	/* anything starting like a number could be read as one */
	if (isdigit((unsigned char)s[0]) || s[0] == '-' || s[0] == '+' ||
	    s[0] == '.')
		return false;
	for (p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_-./", *p))
			return false;
	return true;
}

/* A double-quoted scalar: JSON's escapes are YAML's. */
static void
quoted(struct strbuf *sb, const char *s)
{
	const unsigned char *p;

	strbuf_addc(sb, '"');
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': strbuf_adds(sb, "\\\""); break;
		case '\\': strbuf_adds(sb, "\\\\"); break;
		case '\n': strbuf_adds(sb, "\\n"); break;
		case '\t': strbuf_adds(sb, "\\t"); break;
		case '\r': strbuf_adds(sb, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				strbuf_addf(sb, "\\x%02x", *p);
			else
				strbuf_addc(sb, (char)*p);
		}
	}
	strbuf_addc(sb, '"');
}

static void
scalar(struct strbuf *sb, json_object *v)
{
	const char *s;

	switch (json_object_get_type(v)) {
	case json_type_null:
		strbuf_adds(sb, "null");
		break;
	case json_type_string:
		s = json_object_get_string(v);
		if (plain_ok(s))
			strbuf_adds(sb, s);
		else
			quoted(sb, s);
		break;
	default:
		strbuf_adds(sb, json_object_to_json_string_ext(
					v, JSON_C_TO_STRING_PLAIN));
	}
}

/* An empty object or array, or a scalar: written on its key's line. */
static bool
inline_value(json_object *v)
{
	if (json_object_is_type(v, json_type_object))
		return json_object_object_length(v) == 0;
	if (json_object_is_type(v, json_type_array))
		return json_object_array_length(v) == 0;
	return true;
}

static void
indent(struct strbuf *sb, int n)
{
	while (n-- > 0)
		strbuf_addc(sb, ' ');
}

static void node(struct strbuf *sb, json_object *v, int level);

/* The value after "key:" or "-": inline, or a block on the next lines. */
static void
value_after(struct strbuf *sb, json_object *v, int level)
{
	if (inline_value(v)) {
		strbuf_addc(sb, ' ');
		if (json_object_is_type(v, json_type_object))
			strbuf_adds(sb, "{}");
		else if (json_object_is_type(v, json_type_array))
			strbuf_adds(sb, "[]");
		else
			scalar(sb, v);
		strbuf_addc(sb, '\n');
		return;
	}
	strbuf_addc(sb, '\n');
	node(sb, v, level);
}

static void
node(struct strbuf *sb, json_object *v, int level)
{
	size_t i;

	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v); i++) {
			indent(sb, level * 2);
			strbuf_addc(sb, '-');
			value_after(sb, json_object_array_get_idx(v, i),
				    level + 1);
		}
		return;
	}
	if (!json_object_is_type(v, json_type_object)) {
		indent(sb, level * 2);
		scalar(sb, v);
		strbuf_addc(sb, '\n');
		return;
	}
	json_object_object_foreach(v, key, val) {
		indent(sb, level * 2);
		if (plain_ok(key))
			strbuf_adds(sb, key);
		else
			quoted(sb, key);
		strbuf_addc(sb, ':');
		value_after(sb, val, level + 1);
	}
}

char *
json_to_yaml(json_object *o)
{
	struct strbuf sb = STRBUF_INIT;

	if (inline_value(o)) {
		value_after(&sb, o, 0);
		memmove(sb.buf, sb.buf + 1, sb.len--);
	} else
		node(&sb, o, 0);
	return strbuf_detach(&sb);
}
