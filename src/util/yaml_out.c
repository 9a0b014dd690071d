/* yaml_out.c: JSON written as block-style YAML (json_to_yaml in json.h),
 * the way people read manifests and `oc get -o yaml`: plain scalars where
 * YAML 1.1 and 1.2 read them back as the same string, double-quoted (JSON
 * escapes) otherwise, multi-line text as literal blocks; any YAML parser
 * reads it back as the same JSON. The job's manifests and the artifacts
 * of a failed run are written with it. */
#include "config.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"
#include "util/json.h"

/* Read back as the same string by YAML 1.1 and 1.2 parsers when plain. */
static bool
plain_ok(const char *s)
{
	static const char *const words[] = {
		"y", "n", "yes", "no", "on", "off", "true", "false", "null",
		NULL,
	};
	size_t i;

	if (!*s || !(isalpha((unsigned char)*s) || *s == '/' || *s == '_'))
		return false;
	for (i = 0; s[i]; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr("._/-", s[i]))
			return false;
	for (i = 0; words[i]; i++)
		if (strcasecmp(s, words[i]) == 0)
			return false;
	return true;
}

/* Text a literal block keeps as is: printable lines without trailing
 * blanks, not starting with a blank. */
static bool
block_ok(const char *s)
{
	const char *p;

	if (!strchr(s, '\n') || *s == ' ' || *s == '\n')
		return false;
	for (p = s; *p; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\n')
			return false;
		if (*p == 0x7f)
			return false;
		if (*p == ' ' && (p[1] == '\n' || p[1] == '\0'))
			return false;
	}
	return true;
}

static void
indent(struct strbuf *sb, int n)
{
	while (n-- > 0)
		strbuf_addc(sb, ' ');
}

static void
scalar(struct strbuf *sb, const char *s)
{
	json_object *j;

	if (plain_ok(s)) {
		strbuf_adds(sb, s);
		return;
	}
	j = json_object_new_string(s);
	strbuf_adds(sb, json_object_to_json_string_ext(
				j, JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
}

/* A literal block of s at indentation ind. */
static void
block(struct strbuf *sb, const char *s, int ind)
{
	size_t len = strlen(s), nl = 0;
	const char *p = s, *e;

	while (len > nl && s[len - 1 - nl] == '\n')
		nl++;
	strbuf_adds(sb, nl == 0 ? "|-\n" : nl == 1 ? "|\n" : "|+\n");
	while (*p) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if (e > p)
			indent(sb, ind);
		strbuf_add(sb, p, (size_t)(e - p));
		strbuf_addc(sb, '\n');
		p = *e ? e + 1 : e;
	}
}

static void node(struct strbuf *sb, json_object *v, int ind, bool dash);

static bool
is_nested(json_object *v)
{
	return (json_object_is_type(v, json_type_object) &&
		json_object_object_length(v) > 0) ||
	       (json_object_is_type(v, json_type_array) &&
		json_object_array_length(v) > 0);
}

/* A value after "key:" or "- ". */
static void
after(struct strbuf *sb, json_object *v, int ind)
{
	const char *s;

	if (v == NULL) {
		strbuf_adds(sb, " null\n");
		return;
	}
	switch (json_object_get_type(v)) {
	case json_type_object:
		if (json_object_object_length(v) == 0)
			strbuf_adds(sb, " {}\n");
		else {
			strbuf_addc(sb, '\n');
			node(sb, v, ind + 2, false);
		}
		return;
	case json_type_array:
		if (json_object_array_length(v) == 0)
			strbuf_adds(sb, " []\n");
		else {
			strbuf_addc(sb, '\n');
			node(sb, v, ind, false);
		}
		return;
	case json_type_string:
		s = json_object_get_string(v);
		strbuf_addc(sb, ' ');
		if (block_ok(s))
			block(sb, s, ind + 2);
		else {
			scalar(sb, s);
			strbuf_addc(sb, '\n');
		}
		return;
	default:
		strbuf_addf(sb, " %s\n", json_object_to_json_string(v));
	}
}

/* Object members or array items at indentation ind; dash: the first line
 * follows a "- " already written. */
static void
node(struct strbuf *sb, json_object *v, int ind, bool dash)
{
	bool first = true;
	size_t i;

	if (json_object_is_type(v, json_type_array)) {
		for (i = 0; i < json_object_array_length(v); i++) {
			json_object *it = json_object_array_get_idx(v, i);

			indent(sb, ind);
			strbuf_adds(sb, "-");
			if (json_object_is_type(it, json_type_object) &&
			    is_nested(it)) {
				strbuf_addc(sb, ' ');
				node(sb, it, ind + 2, true);
			} else if (is_nested(it)) {
				strbuf_addc(sb, '\n');
				node(sb, it, ind + 2, false);
			} else {
				after(sb, it, ind);
			}
		}
		return;
	}
	json_object_object_foreach(v, key, val) {
		if (!(first && dash))
			indent(sb, ind);
		first = false;
		scalar(sb, key);
		strbuf_addc(sb, ':');
		after(sb, val, ind);
	}
}

char *
json_to_yaml(json_object *o)
{
	struct strbuf sb = STRBUF_INIT;

	if (is_nested(o))
		node(&sb, o, 0, false);
	else {
		/* a scalar or an empty collection: its line without the
		 * blank after "key:" */
		after(&sb, o, 0);
		memmove(sb.buf, sb.buf + 1, sb.len--);
	}
	return strbuf_detach(&sb);
}
