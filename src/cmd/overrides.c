/* overrides.c: --set KEY=VALUE and --tc KEY:VALUE go through the schema
 * like file values: YAML 1.2 typing, types, enums, unknown keys. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "doc/doc.h"

/* Scenario keys that describe the scenario itself, not how it runs. */
static const char *const fixed[] = {
	"$schema", "apiVersion", "kind", "name", "id", "description", "tags",
	"virtual_machines", "plans", "expect",
};

/* Keys of the providers file (pytest's --tc keys) an override may set. */
static const char *const profile_keys[] = {
	"source_provider", "storage_class",
};

static bool
is_fixed(const char *k)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		if (str_eq(k, fixed[i]))
			return true;
	return false;
}

/* Schema and path for key k, or false when no override takes it. */
static bool
key_schema(const char *k, json_object *props, const char **schema,
	   char **path)
{
	if (str_eq(k, "source_provider")) {
		*schema = NULL;
		*path = NULL;
		return true;
	}
	if (str_eq(k, "storage_class")) {
		*schema = "providers";
		*path = xstrdup("$defs/vsphere/properties/storage_class");
		return true;
	}
	if (jget(props, k) == NULL || is_fixed(k))
		return false;
	*schema = "scenario";
	*path = xasprintf("properties/%s", k);
	return true;
}

/* "unknown key 'storage_clas' (did you mean 'storage_class'?)" */
static void
unknown(const char *opt, const char *k, const char *v, json_object *props,
	struct mtv_diags *diags)
{
	const char **names;
	const char *dym;
	size_t n = 0, i;

	names = xcalloc((size_t)json_object_object_length(props) +
			ARRAY_SIZE(profile_keys), sizeof(*names));
	json_object_object_foreach(props, pk, pv) {
		(void)pv;
		if (!is_fixed(pk))
			names[n++] = pk;
	}
	for (i = 0; i < ARRAY_SIZE(profile_keys); i++)
		names[n++] = profile_keys[i];
	dym = str_closest(k, names, n);
	if (dym)
		diags_add(diags, NULL, 0, 0, "%s: unknown key '%s' (did you "
			  "mean '%s'?)", opt, k, dym);
	else
		diags_add(diags, NULL, 0, 0, "%s: unknown key '%s' (see "
			  "man 1 mtv-scenario, --set)", opt, k);
	free(names);
}

/* v as a document: YAML 1.2 (as in files) when as_yaml, else a string. */
static struct mtv_doc *
value_doc(const char *opt, const char *v, bool as_yaml)
{
	struct mtv_diags d = { 0 };
	struct mtv_doc *doc = NULL;
	json_object *s = NULL;
	const char *txt = v;

	if (!as_yaml) {
		s = json_object_new_string(v);
		txt = json_object_to_json_string(s);
	}
	if (doc_load_buf(&doc, opt, txt, strlen(txt), &d) != 0)
		doc = NULL;
	json_object_put(s);
	diags_release(&d);
	return doc;
}

/* Type and check one override; its typed value goes to *out. */
static void
check_one(const char *opt, const char *schema, const char *path,
	  const char *v, json_object **out, struct mtv_diags *diags)
{
	struct mtv_doc *typed = value_doc(opt, v, true),
		       *str = value_doc(opt, v, false), *use = NULL;
	struct mtv_diags d = { 0 };
	size_t i;

	/* a value the schema takes as typed YAML is that; else the plain
	 * string when that fits (Go templates, digits for a name) */
	if (typed && schema_validate_sub(typed, doc_root(typed), schema,
					 path, NULL) == 0)
		use = typed;
	else if (str && schema_validate_sub(str, doc_root(str), schema,
					    path, NULL) == 0)
		use = str;
	if (use) {
		*out = json_object_get(doc_root(use));
		goto out;
	}
	use = typed ? typed : str;
	schema_validate_sub(use, doc_root(use), schema, path, &d);
	for (i = 0; i < d.n; i++)
		diags_add(diags, NULL, 0, 0, "%s: %s", opt, d.v[i].msg);
	if (d.n == 0)
		diags_add(diags, NULL, 0, 0, "%s: invalid value", opt);
out:
	diags_release(&d);
	doc_free(typed);
	doc_free(str);
}

int
cmd_overrides_check(struct mtv_opts *o, struct mtv_diags *diags)
{
	json_object *sch = NULL, *props, *typed;
	size_t before = diags->n;

	if (o->sets == NULL)
		return 0;
	sch = json_tokener_parse(schema_text("scenario"));
	props = jget(sch, "properties");
	typed = json_object_new_object();
	json_object_object_foreach(o->sets, k, val) {
		const char *name = jstr(o->set_args, k), *schema = NULL;
		const char *v = json_object_get_string(val);
		bool tc = str_eq(name, "tc");
		char *opt = xasprintf("--%s %s%c%s", tc ? "tc" : "set", k,
				      tc ? ':' : '=', v);
		char *path = NULL;
		json_object *out = NULL;

		if (!key_schema(k, props, &schema, &path))
			unknown(opt, k, v, props, diags);
		else if (schema == NULL)
			out = json_object_new_string(v);
		else
			check_one(opt, schema, path, v, &out, diags);
		if (out)
			json_object_object_add(typed, k, out);
		free(path);
		free(opt);
	}
	json_object_put(sch);
	if (diags->n > before) {
		json_object_put(typed);
		return MTV_EINVAL;
	}
	json_object_put(o->sets);
	o->sets = typed;
	return 0;
}
