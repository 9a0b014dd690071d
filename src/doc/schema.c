/* schema.c: validate json-c trees against the JSON Schema 2020-12 files of
 * schema/, embedded at build time. Everything the validator knows about
 * keys, types, enums and defaults comes from those files.
 *
 * Supported: boolean schemas, type, const, enum, pattern, minLength,
 * maxLength, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
 * properties, required, additionalProperties, minProperties, items,
 * minItems, maxItems, uniqueItems, $ref (to #/$defs/...), allOf, anyOf,
 * oneOf, not, if/then/else, default. Two annotations shape messages:
 * "x-expected" (what a pattern or an alternative means, for people) and
 * "x-message" (one message replacing the details when a schema fails);
 * "writeOnly": true marks secrets, whose values never appear in messages. */
#include "config.h"

#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "doc/doc.h"
#include "doc/schema_value.h"

extern const char mtv_schema_scenario[];
extern const size_t mtv_schema_scenario_len;
extern const char mtv_schema_providers[];
extern const size_t mtv_schema_providers_len;
extern const char mtv_schema_report[];
extern const size_t mtv_schema_report_len;

struct rx {
	const char *pat; /* borrowed from the schema tree */
	regex_t re;
	bool ok;
};

struct schema {
	const char *name;
	const char *text;
	json_object *root;
	struct rx *rx;
	size_t nrx;
	pthread_once_t once;
};

static struct schema schemas[] = {
	{ "scenario", mtv_schema_scenario, NULL, NULL, 0, PTHREAD_ONCE_INIT },
	{ "providers", mtv_schema_providers, NULL, NULL, 0, PTHREAD_ONCE_INIT },
	{ "report", mtv_schema_report, NULL, NULL, 0, PTHREAD_ONCE_INIT },
};

/* Collect and compile every "pattern" of the schema once, so validation
 * only reads shared state (threads may validate at the same time). */
static void
collect_patterns(struct schema *sc, json_object *s)
{
	size_t i;

	if (json_object_is_type(s, json_type_array)) {
		for (i = 0; i < json_object_array_length(s); i++)
			collect_patterns(sc, json_object_array_get_idx(s, i));
		return;
	}
	if (!json_object_is_type(s, json_type_object))
		return;
	json_object_object_foreach(s, k, v) {
		if (strcmp(k, "pattern") == 0 &&
		    json_object_is_type(v, json_type_string)) {
			struct rx *r;

			sc->rx =
			    xrealloc(sc->rx, (sc->nrx + 1) * sizeof(*sc->rx));
			r = &sc->rx[sc->nrx++];
			r->pat = json_object_get_string(v);
			r->ok = regcomp(&r->re, r->pat,
					REG_EXTENDED | REG_NOSUB) == 0;
		} else if (strcmp(k, "enum") != 0 && strcmp(k, "const") != 0 &&
			   strcmp(k, "default") != 0 &&
			   strcmp(k, "examples") != 0)
			collect_patterns(sc, v);
	}
}

static void
load_scenario(void)
{
	schemas[0].root = json_tokener_parse(schemas[0].text);
	collect_patterns(&schemas[0], schemas[0].root);
}

static void
load_providers(void)
{
	schemas[1].root = json_tokener_parse(schemas[1].text);
	collect_patterns(&schemas[1], schemas[1].root);
}

static void
load_report(void)
{
	schemas[2].root = json_tokener_parse(schemas[2].text);
	collect_patterns(&schemas[2], schemas[2].root);
}

static struct schema *
schema_get(const char *name)
{
	if (str_eq(name, "scenario")) {
		pthread_once(&schemas[0].once, load_scenario);
		return schemas[0].root ? &schemas[0] : NULL;
	}
	if (str_eq(name, "providers")) {
		pthread_once(&schemas[1].once, load_providers);
		return schemas[1].root ? &schemas[1] : NULL;
	}
	if (str_eq(name, "report")) {
		pthread_once(&schemas[2].once, load_report);
		return schemas[2].root ? &schemas[2] : NULL;
	}
	return NULL;
}

const char *
schema_text(const char *name)
{
	if (str_eq(name, "scenario"))
		return mtv_schema_scenario;
	if (str_eq(name, "providers"))
		return mtv_schema_providers;
	if (str_eq(name, "report"))
		return mtv_schema_report;
	return NULL;
}

/* ---- validation ---- */

struct vctx {
	const struct mtv_doc *doc;
	struct schema *sc;
	struct mtv_diags *diags; /* NULL: only count */
	int depth;
};

/* Where a node is: its position and, for messages, its key path, built
 * only when a message needs it (parent chain of stack frames). */
struct at {
	const struct at *parent; /* NULL for the root */
	const char *key;	 /* key in the parent mapping, or NULL */
	size_t idx;		 /* index in the parent list (key NULL) */
	int line, col;
};

static int validate(struct vctx *v, json_object *node, json_object *s,
		    const struct at *at);

static void
add_path(struct strbuf *sb, const struct at *at)
{
	if (at->parent == NULL)
		return;
	add_path(sb, at->parent);
	if (at->key)
		strbuf_addf(sb, "%s%s", at->parent->parent ? "." : "", at->key);
	else
		strbuf_addf(sb, "[%zu]", at->idx);
}

static void report(struct vctx *v, const struct at *at, const char *fmt, ...)
    MTV_PRINTF(3, 4);

static void
report(struct vctx *v, const struct at *at, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (v->diags == NULL)
		return;
	if (at->parent) {
		add_path(&sb, at);
		strbuf_adds(&sb, ": ");
	}
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	diags_add(v->diags, doc_name(v->doc), at->line, at->col, "%s",
		  strbuf_str(&sb));
	strbuf_release(&sb);
}

static json_object *
resolve(struct vctx *v, json_object *s)
{
	const char *ref;
	json_object *t;
	int hops = 0;

	while ((ref = jstr(s, "$ref")) != NULL && hops++ < 16) {
		if (str_startswith(ref, "#/$defs/"))
			t = jget(jget(v->sc->root, "$defs"), ref + 8);
		else if (str_startswith(ref, "#/definitions/"))
			t = jget(jget(v->sc->root, "definitions"),
				    ref + 14);
		else if (strcmp(ref, "#") == 0)
			t = v->sc->root;
		else
			t = NULL;
		if (t == NULL)
			BUG("schema: unresolvable $ref");
		/* sibling keywords of $ref are validated by the caller */
		s = t;
	}
	return s;
}

static regex_t *
regex_for(struct vctx *v, const char *pat)
{
	size_t i;

	for (i = 0; i < v->sc->nrx; i++)
		if (v->sc->rx[i].pat == pat ||
		    strcmp(v->sc->rx[i].pat, pat) == 0)
			return v->sc->rx[i].ok ? &v->sc->rx[i].re : NULL;
	return NULL;
}

/* Words for what schema s accepts, used when alternatives all fail. */
static void
describe(struct vctx *v, struct strbuf *sb, json_object *s)
{
	json_object *t, *e;
	const char *x;
	size_t i, n;

	s = resolve(v, s);
	if ((x = jstr(s, "x-expected")) != NULL) {
		strbuf_adds(sb, x);
		return;
	}
	if ((e = jget(s, "const")) != NULL || sv_has(s, "const")) {
		sv_add_value(sb, e);
		return;
	}
	if ((e = jget(s, "enum")) != NULL) {
		n = json_object_array_length(e);
		strbuf_adds(sb, n == 1 ? "" : "one of ");
		for (i = 0; i < n; i++) {
			if (i)
				strbuf_adds(sb, ", ");
			sv_add_value(sb, json_object_array_get_idx(e, i));
		}
		return;
	}
	t = jget(s, "type");
	if (json_object_is_type(t, json_type_string)) {
		strbuf_adds(sb, sv_type_phrase(json_object_get_string(t)));
		return;
	}
	if (json_object_is_type(t, json_type_array)) {
		n = json_object_array_length(t);
		for (i = 0; i < n; i++) {
			if (i)
				strbuf_adds(sb, i + 1 == n ? " or " : ", ");
			strbuf_adds(sb, sv_type_phrase(json_object_get_string(
					    json_object_array_get_idx(t, i))));
		}
		return;
	}
	strbuf_adds(sb, "a valid value");
}

/* Does node pass s's "type" (through $ref)? Schemas without a type pass. */
static bool
type_ok(struct vctx *v, json_object *node, json_object *s)
{
	json_object *t;
	size_t i;

	s = resolve(v, s);
	t = jget(s, "type");
	if (json_object_is_type(t, json_type_string))
		return sv_type_is(node, json_object_get_string(t));
	if (json_object_is_type(t, json_type_array)) {
		for (i = 0; i < json_object_array_length(t); i++)
			if (sv_type_is(node, json_object_get_string(
					      json_object_array_get_idx(t, i))))
				return true;
		return false;
	}
	return true;
}

static int
count(struct vctx *v, json_object *node, json_object *s, const struct at *at)
{
	struct vctx q = *v;

	q.diags = NULL;
	return validate(&q, node, s, at);
}

/* The phrase for a bounded number: "an integer" or "a number". */
static const char *
num_phrase(json_object *s, json_object *node)
{
	const char *t = jstr(s, "type");

	if (str_eq(t, "integer") || (t == NULL && sv_is_integer(node)))
		return "an integer";
	return "a number";
}

/* Enum strings for a did-you-mean, collected from s and its alternatives. */
static size_t
enum_words(struct vctx *v, json_object *s, const char **out, size_t max,
	   size_t n)
{
	json_object *e, *alt;
	static const char *const alts[] = { "anyOf", "oneOf" };
	size_t i, j;

	s = resolve(v, s);
	e = jget(s, "enum");
	for (i = 0; e && i < json_object_array_length(e) && n < max; i++) {
		json_object *w = json_object_array_get_idx(e, i);

		if (json_object_is_type(w, json_type_string))
			out[n++] = json_object_get_string(w);
	}
	if (json_object_is_type(jget(s, "const"), json_type_string) &&
	    n < max)
		out[n++] = json_object_get_string(jget(s, "const"));
	for (j = 0; j < ARRAY_SIZE(alts); j++) {
		alt = jget(s, alts[j]);
		for (i = 0; alt && i < json_object_array_length(alt); i++)
			n = enum_words(v, json_object_array_get_idx(alt, i),
				       out, max, n);
	}
	return n;
}

/* " (did you mean ...?)" after a string that is not one of the schema's
 * words: the words it begins when they are some but not all of them
 * ('thick': 'thick-lazy' or 'thick-eager'), else the closest word. */
static void
add_hint(struct vctx *v, struct strbuf *sb, json_object *s, const char *value)
{
	const char *words[64], *pre[64];
	size_t nw, np = 0, i, len = strlen(value);
	const char *dym;

	nw = enum_words(v, s, words, ARRAY_SIZE(words), 0);
	for (i = 0; len >= 2 && i < nw; i++)
		if (strncmp(words[i], value, len) == 0)
			pre[np++] = words[i];
	if (np > 1 && np < nw) {
		strbuf_adds(sb, " (did you mean ");
		for (i = 0; i < np; i++)
			strbuf_addf(sb, "%s'%s'",
				    i == 0 ? "" : i + 1 == np ? " or " : ", ",
				    pre[i]);
		strbuf_adds(sb, "?)");
		return;
	}
	dym = np == 1 ? pre[0] : str_closest(value, words, nw);
	if (dym)
		strbuf_addf(sb, " (did you mean '%s'?)", dym);
}

static int
check_alternatives(struct vctx *v, json_object *node, json_object *s,
		   json_object *alts, bool one, const struct at *at)
{
	size_t i, n = json_object_array_length(alts), best = n, valid = 0;
	size_t typed = n;
	int c, bestc = 0, typedc = 0;
	struct strbuf sb = STRBUF_INIT;

	for (i = 0; i < n; i++) {
		json_object *b = json_object_array_get_idx(alts, i);

		c = count(v, node, b, at);
		if (c == 0) {
			valid++;
			continue;
		}
		if (!type_ok(v, node, b))
			continue;
		if (sv_has(resolve(v, b), "type") && (typed == n || c < typedc)) {
			typed = i;
			typedc = c;
		} else if (best == n || c < bestc) {
			best = i;
			bestc = c;
		}
	}
	if (valid == 1 || (valid > 1 && !one))
		return 0;
	if (valid > 1) {
		report(v, at, "matches more than one alternative");
		return 1;
	}
	/* the alternative of the value's type explains best, then the
	 * schema's own words, then the closest untyped alternative */
	if (typed < n)
		return validate(v, node, json_object_array_get_idx(alts, typed),
				at);
	if (jstr(s, "x-expected") == NULL && best < n)
		return validate(v, node, json_object_array_get_idx(alts, best),
				at);
	strbuf_adds(&sb, "expected ");
	if (jstr(s, "x-expected"))
		strbuf_adds(&sb, jstr(s, "x-expected"));
	else
		for (i = 0; i < n; i++) {
			if (i)
				strbuf_adds(&sb, i + 1 == n ? " or " : ", ");
			describe(v, &sb, json_object_array_get_idx(alts, i));
		}
	strbuf_adds(&sb, ", found ");
	sv_add_value(&sb, node);
	if (json_object_is_type(node, json_type_string))
		add_hint(v, &sb, s, json_object_get_string(node));
	report(v, at, "%s", strbuf_str(&sb));
	strbuf_release(&sb);
	return 1;
}

static int
check_object(struct vctx *v, json_object *node, json_object *s,
	     const struct at *at)
{
	json_object *props = jget(s, "properties"),
		    *req = jget(s, "required");
	json_object *addl = jget(s, "additionalProperties"), *ps, *mp;
	const char **names = NULL;
	size_t i, nnames = 0;
	int errs = 0;

	for (i = 0; req && i < json_object_array_length(req); i++) {
		const char *k =
		    json_object_get_string(json_object_array_get_idx(req, i));

		if (!json_object_object_get_ex(node, k, NULL)) {
			report(v, at, "missing required key '%s'", k);
			errs++;
		}
	}
	if ((mp = jget(s, "minProperties")) != NULL &&
	    json_object_object_length(node) < json_object_get_int(mp)) {
		report(v, at, "expected at least %d keys, found %d",
		       json_object_get_int(mp),
		       json_object_object_length(node));
		errs++;
	}
	if (props) {
		names = xcalloc((size_t)json_object_object_length(props) + 1,
				sizeof(*names));
		json_object_object_foreach(props, pk, pv) {
			(void)pv;
			names[nnames++] = pk;
		}
	}
	json_object_object_foreach(node, k, val) {
		struct at sub = { at, k, 0, 0, 0 };

		if (!doc_loc(v->doc, val, &sub.line, &sub.col) &&
		    !doc_key_loc(v->doc, node, k, &sub.line, &sub.col)) {
			sub.line = at->line;
			sub.col = at->col;
		}
		ps = props ? jget(props, k) : NULL;
		if (ps != NULL ||
		    (props && json_object_object_get_ex(props, k, NULL)))
			errs += validate(v, val, ps, &sub);
		else if (json_object_is_type(addl, json_type_boolean) &&
			 !json_object_get_boolean(addl)) {
			struct at kat = *at;
			const char *dym = str_closest(k, names, nnames);

			doc_key_loc(v->doc, node, k, &kat.line, &kat.col);
			if (dym)
				report(v, &kat,
				       "unknown key '%s' (did you mean '%s'?)",
				       k, dym);
			else
				report(v, &kat, "unknown key '%s'", k);
			errs++;
		} else if (json_object_is_type(addl, json_type_object))
			errs += validate(v, val, addl, &sub);
	}
	free(names);
	return errs;
}

static int
check_array(struct vctx *v, json_object *node, json_object *s,
	    const struct at *at)
{
	json_object *items = jget(s, "items"), *m;
	size_t i, j, n = json_object_array_length(node);
	int errs = 0;

	if ((m = jget(s, "minItems")) != NULL &&
	    n < (size_t)json_object_get_int(m)) {
		if (json_object_get_int(m) == 1)
			report(v, at, "expected a non-empty list");
		else
			report(v, at, "expected at least %d items, found %zu",
			       json_object_get_int(m), n);
		errs++;
	}
	if ((m = jget(s, "maxItems")) != NULL &&
	    n > (size_t)json_object_get_int(m)) {
		report(v, at, "expected at most %d items, found %zu",
		       json_object_get_int(m), n);
		errs++;
	}
	if (json_object_get_boolean(jget(s, "uniqueItems")))
		for (i = 0; i < n; i++)
			for (j = i + 1; j < n; j++)
				if (sv_equal(
					json_object_array_get_idx(node, i),
					json_object_array_get_idx(node, j))) {
					struct strbuf sb = STRBUF_INIT;

					sv_add_value(
					    &sb,
					    json_object_array_get_idx(node, j));
					report(v, at, "duplicate item %s",
					       strbuf_str(&sb));
					strbuf_release(&sb);
					errs++;
				}
	if (items == NULL)
		return errs;
	for (i = 0; i < n; i++) {
		json_object *it = json_object_array_get_idx(node, i);
		struct at sub = { at, NULL, i, at->line, at->col };

		doc_loc(v->doc, it, &sub.line, &sub.col);
		errs += validate(v, it, items, &sub);
	}
	return errs;
}

static int
check_string(struct vctx *v, json_object *node, json_object *s,
	     const struct at *at)
{
	const char *str = json_object_get_string(node), *pat, *x;
	json_object *m;
	struct strbuf sb = STRBUF_INIT;
	size_t len = strlen(str);
	regex_t *re;
	int errs = 0;

	if ((m = jget(s, "minLength")) != NULL &&
	    len < (size_t)json_object_get_int(m)) {
		if (json_object_get_int(m) == 1)
			report(v, at, "expected a non-empty string");
		else
			report(v, at,
			       "expected at least %d characters, found %zu",
			       json_object_get_int(m), len);
		errs++;
	}
	if ((m = jget(s, "maxLength")) != NULL &&
	    len > (size_t)json_object_get_int(m)) {
		report(v, at, "expected at most %d characters, found %zu",
		       json_object_get_int(m), len);
		errs++;
	}
	pat = jstr(s, "pattern");
	if (pat && errs == 0) {
		re = regex_for(v, pat);
		if (re == NULL)
			BUG("schema: pattern does not compile");
		if (regexec(re, str, 0, NULL, 0) != 0) {
			x = jstr(s, "x-expected");
			sv_add_value(&sb, node);
			if (x)
				report(v, at, "expected %s, found %s", x,
				       strbuf_str(&sb));
			else
				report(
				    v, at,
				    "expected a string matching '%s', found %s",
				    pat, strbuf_str(&sb));
			errs++;
		}
	}
	strbuf_release(&sb);
	return errs;
}

static int
check_number(struct vctx *v, json_object *node, json_object *s,
	     const struct at *at)
{
	double d = json_object_get_double(node);
	json_object *m;
	struct strbuf sb = STRBUF_INIT;
	int errs = 0;

	sv_add_value(&sb, node);
	if ((m = jget(s, "minimum")) != NULL &&
	    d < json_object_get_double(m)) {
		report(v, at, "expected %s >= %s, found %s",
		       num_phrase(s, node), json_object_to_json_string(m),
		       strbuf_str(&sb));
		errs++;
	} else if ((m = jget(s, "maximum")) != NULL &&
		   d > json_object_get_double(m)) {
		report(v, at, "expected %s <= %s, found %s",
		       num_phrase(s, node), json_object_to_json_string(m),
		       strbuf_str(&sb));
		errs++;
	} else if ((m = jget(s, "exclusiveMinimum")) != NULL &&
		   d <= json_object_get_double(m)) {
		report(v, at, "expected %s > %s, found %s", num_phrase(s, node),
		       json_object_to_json_string(m), strbuf_str(&sb));
		errs++;
	} else if ((m = jget(s, "exclusiveMaximum")) != NULL &&
		   d >= json_object_get_double(m)) {
		report(v, at, "expected %s < %s, found %s", num_phrase(s, node),
		       json_object_to_json_string(m), strbuf_str(&sb));
		errs++;
	}
	strbuf_release(&sb);
	return errs;
}

static int
validate_inner(struct vctx *v, json_object *node, json_object *s,
	       const struct at *at)
{
	json_object *t, *e, *sub;
	struct strbuf sb = STRBUF_INIT;
	size_t i, n;
	int errs = 0;

	if (s == NULL)
		return 0;
	if (json_object_is_type(s, json_type_boolean)) {
		if (json_object_get_boolean(s))
			return 0;
		report(v, at, "not allowed here");
		return 1;
	}
	if (sv_has(s, "$ref")) {
		errs += validate(v, node, resolve(v, s), at);
		if (errs)
			return errs;
	}
	t = jget(s, "type");
	if (t && !type_ok(v, node, s)) {
		/* type errors name the type, not the x-expected words */
		strbuf_adds(&sb, "expected ");
		if (json_object_is_type(t, json_type_string))
			strbuf_adds(&sb,
				    sv_type_phrase(json_object_get_string(t)));
		else
			for (i = 0, n = json_object_array_length(t); i < n;
			     i++) {
				if (i)
					strbuf_adds(&sb,
						    i + 1 == n ? " or " : ", ");
				strbuf_adds(
				    &sb, sv_type_phrase(json_object_get_string(
					     json_object_array_get_idx(t, i))));
			}
		strbuf_adds(&sb, ", found ");
		sv_add_value(&sb, node);
		report(v, at, "%s", strbuf_str(&sb));
		strbuf_release(&sb);
		return 1;
	}
	if (sv_has(s, "const") && !sv_equal(node, jget(s, "const"))) {
		strbuf_adds(&sb, "expected ");
		sv_add_value(&sb, jget(s, "const"));
		strbuf_adds(&sb, ", found ");
		sv_add_value(&sb, node);
		report(v, at, "%s", strbuf_str(&sb));
		strbuf_release(&sb);
		return 1;
	}
	if ((e = jget(s, "enum")) != NULL) {
		n = json_object_array_length(e);
		for (i = 0; i < n; i++)
			if (sv_equal(node, json_object_array_get_idx(e, i)))
				break;
		if (i == n) {
			strbuf_adds(&sb, "expected ");
			describe(v, &sb, s);
			strbuf_adds(&sb, ", found ");
			sv_add_value(&sb, node);
			if (json_object_is_type(node, json_type_string))
				add_hint(v, &sb, s,
					 json_object_get_string(node));
			report(v, at, "%s", strbuf_str(&sb));
			strbuf_release(&sb);
			return 1;
		}
	}
	if (json_object_is_type(node, json_type_string))
		errs += check_string(v, node, s, at);
	else if (sv_is_number(node))
		errs += check_number(v, node, s, at);
	else if (json_object_is_type(node, json_type_object))
		errs += check_object(v, node, s, at);
	else if (json_object_is_type(node, json_type_array))
		errs += check_array(v, node, s, at);
	if ((sub = jget(s, "allOf")) != NULL)
		for (i = 0; i < json_object_array_length(sub); i++)
			errs += validate(v, node,
					 json_object_array_get_idx(sub, i), at);
	if ((sub = jget(s, "anyOf")) != NULL)
		errs += check_alternatives(v, node, s, sub, false, at);
	if ((sub = jget(s, "oneOf")) != NULL)
		errs += check_alternatives(v, node, s, sub, true, at);
	if ((sub = jget(s, "not")) != NULL && count(v, node, sub, at) == 0) {
		report(v, at, "not allowed here");
		errs++;
	}
	if ((sub = jget(s, "if")) != NULL) {
		if (count(v, node, sub, at) == 0)
			errs += validate(v, node, jget(s, "then"), at);
		else
			errs += validate(v, node, jget(s, "else"), at);
	}
	strbuf_release(&sb);
	return errs;
}

static int
validate(struct vctx *v, json_object *node, json_object *s, const struct at *at)
{
	const char *msg;
	int errs;

	if (v->depth > 200)
		BUG("schema: recursion too deep");
	v->depth++;
	msg = jstr(s, "x-message");
	if (json_object_get_boolean(jget(s, "writeOnly")) && v->diags) {
		/* secrets: say what was expected, never what was found */
		errs = count(v, node, s, at) ? 1 : 0;
		if (errs) {
			struct strbuf sb = STRBUF_INIT;

			describe(v, &sb, s);
			report(
			    v, at,
			    "expected %s, found a value not shown here (secret)",
			    strbuf_str(&sb));
			strbuf_release(&sb);
		}
	} else if (msg && v->diags) {
		errs = count(v, node, s, at) ? 1 : 0;
		if (errs)
			report(v, at, "%s", msg);
	} else
		errs = validate_inner(v, node, s, at);
	v->depth--;
	return errs;
}

int
schema_validate(const struct mtv_doc *doc, const char *schema,
		struct mtv_diags *diags)
{
	struct vctx v = { doc, NULL, diags, 0 };
	struct at at = { NULL, NULL, 0, 1, 1 };
	json_object *root = doc_root(doc);

	v.sc = schema_get(schema);
	if (v.sc == NULL)
		BUG("schema_validate: unknown or broken schema");
	doc_loc(doc, root, &at.line, &at.col);
	return validate(&v, root, v.sc->root, &at) ? MTV_EINVAL : 0;
}

/* ---- defaults ---- */

static void
defaults(struct vctx *v, json_object *node, json_object *s, int depth)
{
	json_object *props, *sub, *addl, *d;
	struct at at = { NULL, NULL, 0, 0, 0 };
	size_t i;

	if (s == NULL || node == NULL || depth > 100 ||
	    json_object_is_type(s, json_type_boolean))
		return;
	if (sv_has(s, "$ref"))
		defaults(v, node, resolve(v, s), depth + 1);
	if (json_object_is_type(node, json_type_object)) {
		props = jget(s, "properties");
		if (props) {
			json_object_object_foreach(props, k, ps) {
				if (!json_object_object_get_ex(node, k, NULL) &&
				    sv_has(ps, "default")) {
					d = NULL;
					json_object_deep_copy(
					    jget(ps, "default"), &d, NULL);
					json_object_object_add(node, k, d);
				}
			}
		}
		addl = jget(s, "additionalProperties");
		json_object_object_foreach(node, k, val) {
			json_object *ps = props ? jget(props, k) : NULL;

			if (ps)
				defaults(v, val, ps, depth + 1);
			else if (json_object_is_type(addl, json_type_object))
				defaults(v, val, addl, depth + 1);
		}
	} else if (json_object_is_type(node, json_type_array) &&
		   (sub = jget(s, "items")) != NULL) {
		for (i = 0; i < json_object_array_length(node); i++)
			defaults(v, json_object_array_get_idx(node, i), sub,
				 depth + 1);
	}
	if ((sub = jget(s, "allOf")) != NULL)
		for (i = 0; i < json_object_array_length(sub); i++)
			defaults(v, node, json_object_array_get_idx(sub, i),
				 depth + 1);
	if ((sub = jget(s, "anyOf")) != NULL ||
	    (sub = jget(s, "oneOf")) != NULL)
		for (i = 0; i < json_object_array_length(sub); i++)
			if (count(v, node, json_object_array_get_idx(sub, i),
				  &at) == 0) {
				defaults(v, node,
					 json_object_array_get_idx(sub, i),
					 depth + 1);
				break;
			}
	if ((sub = jget(s, "if")) != NULL) {
		if (count(v, node, sub, &at) == 0)
			defaults(v, node, jget(s, "then"), depth + 1);
		else
			defaults(v, node, jget(s, "else"), depth + 1);
	}
}

void
schema_apply_defaults(json_object *root, const char *schema)
{
	struct vctx v = { NULL, NULL, NULL, 0 };

	v.sc = schema_get(schema);
	if (v.sc == NULL)
		BUG("schema_apply_defaults: unknown or broken schema");
	defaults(&v, root, v.sc->root, 0);
}

int
schema_validate_sub(const struct mtv_doc *doc, json_object *node,
		    const char *schema, const char *path,
		    struct mtv_diags *diags)
{
	struct vctx v = { doc, NULL, diags, 0 };
	struct at at = { NULL, NULL, 0, 0, 0 };
	json_object *s;
	char *p, *k, *save = NULL;

	v.sc = schema_get(schema);
	if (v.sc == NULL)
		BUG("schema_validate_sub: unknown or broken schema");
	s = v.sc->root;
	p = xstrdup(path);
	for (k = strtok_r(p, "/", &save); k && s;
	     k = strtok_r(NULL, "/", &save))
		s = jget(resolve(&v, s), k);
	free(p);
	if (s == NULL)
		return MTV_ENOTFOUND;
	doc_loc(doc, node, &at.line, &at.col);
	return validate(&v, node, s, &at) ? MTV_EINVAL : 0;
}
