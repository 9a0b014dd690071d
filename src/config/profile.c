/* profile.c: the providers file (providers.yaml, or the pytest suite's
 * .providers.json with its comment lines), profile selection, the
 * COPYOFFLOAD_<KEY> environment overrides and the fail-fast checks of a copy-offload profile. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/profile.h"
#include "config/vendor.h"

static const char *
jstring(json_object *o, const char *k)
{
	json_object *v = jget(o, k);
	const char *s;

	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return *s ? s : NULL;
}

static char *
env_name(const char *key)
{
	char *e = xasprintf("COPYOFFLOAD_%s", key);
	size_t i;

	for (i = 0; e[i]; i++)
		e[i] = (char)toupper((unsigned char)e[i]);
	return e;
}

/* The copyoffload keys, from the embedded providers schema (the schema is
 * the one list of keys). Returns a new array of strings. */
static json_object *
co_keys(void)
{
	json_object *sch, *props, *keys = json_object_new_array();
	const char *txt = schema_text("providers");

	if (txt == NULL)
		return keys;
	sch = json_tokener_parse(txt);
	props = jget(jget(jget(sch, "$defs"), "copyoffload"),
			"properties");
	if (props) {
		json_object_object_foreach(props, k, v) {
			(void)v;
			json_object_array_add(keys, json_object_new_string(k));
		}
	}
	json_object_put(sch);
	return keys;
}

/* The guest credentials of the checks after the migration from the
 * environment: GUEST_VM_LINUX_USER ... (non-empty wins), registered with
 * redact as the profile's are (redact_tree). */
static void
guest_env_apply(json_object *data)
{
	static const char *const keys[] = {
		"guest_vm_linux_user", "guest_vm_linux_password",
		"guest_vm_win_user", "guest_vm_win_password", NULL,
	};
	size_t i, j;

	for (i = 0; keys[i]; i++) {
		char en[64];
		const char *ev;

		for (j = 0; keys[i][j] && j < sizeof(en) - 1; j++)
			en[j] = (char)toupper((unsigned char)keys[i][j]);
		en[j] = '\0';
		ev = getenv(en);
		if (ev && *ev)
			json_object_object_add(data, keys[i],
					       json_object_new_string(ev));
	}
}

/* COPYOFFLOAD_<KEY> (non-empty wins) and COPYOFFLOAD_STORAGE_SECRET_EXTRA;
 * the guest credentials (guest_env_apply). */
MTV_STATIC void
profile_env_apply(json_object *data, struct mtv_diags *diags)
{
	json_object *keys = co_keys(), *co = jget(data, "copyoffload");
	size_t i, n = json_object_array_length(keys);
	bool made = false;

	guest_env_apply(data);
	if (co == NULL) {
		co = json_object_new_object();
		made = true;
	}
	for (i = 0; i < n; i++) {
		const char *k = json_object_get_string(json_object_array_get_idx(keys, i));
		char *en = env_name(k);
		const char *ev = getenv(en);

		if (ev && *ev) {
			if (str_eq(k, "storage_secret_extra")) {
				json_object *x = json_tokener_parse(ev), *dst;

				if (x == NULL || !json_object_is_type(x, json_type_object)) {
					diags_add(diags, NULL, 0, 0,
						  "environment variable '%s' is not a JSON object "
						  "(expected e.g. {\"STORAGE_SKIP_SSL_VERIFICATION\": \"true\"})",
						  en);
				} else {
					dst = jget(co, k);
					if (dst == NULL || !json_object_is_type(dst, json_type_object)) {
						dst = json_object_new_object();
						json_object_object_add(co, k, dst);
					}
					json_object_object_foreach(x, xk, xv)
						json_object_object_add(dst, xk, json_object_get(xv));
				}
				json_object_put(x);
			} else if (str_eq(k, "esxi_port")) {
				char *end = NULL;
				long port = strtol(ev, &end, 10);

				if (*end || port < 1 || port > 65535)
					diags_add(diags, NULL, 0, 0,
						  "environment variable '%s' is '%s' (expected a port 1-65535)",
						  en, ev);
				else
					json_object_object_add(co, k, json_object_new_int((int)port));
			} else if (str_endswith(k, "_mib_s")) {
				char *end = NULL;
				double rate = strtod(ev, &end);

				if (*end || !(rate > 0))
					diags_add(diags, NULL, 0, 0,
						  "environment variable '%s' is '%s' (expected a rate in MiB/s above 0)",
						  en, ev);
				else
					json_object_object_add(co, k, json_object_new_double(rate));
			} else {
				json_object_object_add(co, k, json_object_new_string(ev));
			}
		}
		free(en);
	}
	if (made) {
		if (json_object_object_length(co))
			json_object_object_add(data, "copyoffload", co);
		else
			json_object_put(co);
	}
	json_object_put(keys);
}

static void
redact_tree(json_object *data)
{
	json_object *extra;
	size_t i;

	for (i = 0; profile_secret_keys[i]; i++) {
		const char *k = profile_secret_keys[i];
		json_object *o = data;

		if (str_startswith(k, "copyoffload.")) {
			o = jget(data, "copyoffload");
			k += strlen("copyoffload.");
		}
		if (jstring(o, k))
			redact_add(jstring(o, k));
	}
	extra = jget(jget(data, "copyoffload"), "storage_secret_extra");
	if (extra && json_object_is_type(extra, json_type_object)) {
		json_object_object_foreach(extra, k, v) {
			if (extra_key_secret(k) && json_object_is_type(v, json_type_string) &&
			    *json_object_get_string(v))
				redact_add(json_object_get_string(v));
		}
	}
}

/* Position of the profile's copyoffload key (or the profile) for messages. */
static void
co_loc(const struct mtv_profile *p, const char *key, int *line, int *col)
{
	json_object *prof = jget(doc_root(p->doc), p->name);
	json_object *co = jget(prof, "copyoffload");

	*line = *col = 0;
	if (co && key && doc_key_loc(p->doc, co, key, line, col))
		return;
	if (co && doc_key_loc(p->doc, prof, "copyoffload", line, col))
		return;
	doc_key_loc(p->doc, doc_root(p->doc), p->name, line, col);
}

/* The fail-fast checks of a copy-offload profile: the minimum fields, the
 * vendor's keys and the ssh clone method. Every problem goes to diags. */
MTV_STATIC void
profile_check_copyoffload(const struct mtv_profile *p, struct mtv_diags *diags)
{
	static const char *const minimum[] = { "storage_vendor_product", "datastore_id" };
	const char *vendor = profile_co(p, "storage_vendor_product");
	const struct vendor_key *vk;
	int line, col;
	size_t i, it = 0;
	bool common, tok;

	for (i = 0; i < ARRAY_SIZE(minimum); i++) {
		if (profile_co(p, minimum[i]))
			continue;
		co_loc(p, NULL, &line, &col);
		diags_add(diags, p->file, line, col,
			  "profile '%s': copyoffload.%s is missing (required for copy-offload)",
			  p->name, minimum[i]);
	}
	if (vendor && !vendor_known(vendor)) {
		co_loc(p, "storage_vendor_product", &line, &col);
		diags_add(diags, p->file, line, col,
			  "profile '%s': unsupported storage_vendor_product '%s'",
			  p->name, vendor);
	}
	tok = vendor_takes_token(vendor) && profile_co(p, "storage_token");
	while ((vk = vendor_key_next(vendor, &it, &common)) != NULL) {
		char *en;

		if (!vk->required || profile_co(p, vk->key) ||
		    (vk->token_alt && tok))
			continue;
		en = env_name(vk->key);
		co_loc(p, NULL, &line, &col);
		if (!common)
			diags_add(diags, p->file, line, col,
				  "profile '%s': vendor '%s' needs copyoffload.%s (%s of the storage secret); "
				  "set it or the environment variable %s",
				  p->name, vendor, vk->key, vk->secret_key, en);
		else
			diags_add(diags, p->file, line, col,
				  "profile '%s': copyoffload.%s is missing (%s of the storage secret); "
				  "set it or the environment variable %s",
				  p->name, vk->key, vk->secret_key, en);
		free(en);
	}
	if (str_eq(profile_co(p, "esxi_clone_method"), "ssh")) {
		co_loc(p, "esxi_clone_method", &line, &col);
		if (!profile_co(p, "esxi_host"))
			diags_add(diags, p->file, line, col,
				  "profile '%s': esxi_clone_method 'ssh' needs copyoffload.esxi_host "
				  "(or COPYOFFLOAD_ESXI_HOST)", p->name);
		if (!profile_co(p, "esxi_user"))
			diags_add(diags, p->file, line, col,
				  "profile '%s': esxi_clone_method 'ssh' needs copyoffload.esxi_user "
				  "(or COPYOFFLOAD_ESXI_USER)", p->name);
		if (!profile_co(p, "esxi_password") && !profile_co(p, "esxi_private_key_file"))
			diags_add(diags, p->file, line, col,
				  "profile '%s': esxi_clone_method 'ssh' needs copyoffload.esxi_password "
				  "or copyoffload.esxi_private_key_file (or COPYOFFLOAD_ESXI_PASSWORD)",
				  p->name);
	}
}

/* Replace whole-line '#' comments by empty lines (line numbers stay). */
MTV_STATIC void
strip_comment_lines(char *buf, size_t len)
{
	size_t i = 0, j;

	while (i < len) {
		j = i;
		while (j < len && (buf[j] == ' ' || buf[j] == '\t'))
			j++;
		if (j < len && buf[j] == '#') {
			while (j < len && buf[j] != '\n')
				buf[j++] = ' ';
		}
		while (j < len && buf[j] != '\n')
			j++;
		i = j + 1;
	}
}

static const char *
default_file(void)
{
	const char *e = getenv("MTV_SCENARIO_PROVIDERS");

	if (e && *e)
		return e;
	if (access("providers.yaml", F_OK) == 0)
		return "providers.yaml";
	if (access(".providers.json", F_OK) == 0)
		return ".providers.json";
	return NULL;
}

static char *
profile_names(json_object *root)
{
	struct strbuf sb = STRBUF_INIT;

	json_object_object_foreach(root, k, v) {
		(void)v;
		if (*k == '$')
			continue;
		if (sb.len)
			strbuf_adds(&sb, ", ");
		strbuf_adds(&sb, k);
	}
	return strbuf_detach(&sb);
}

int
profile_load(struct mtv_profile **out, const struct profile_opts *o,
	     struct mtv_diags *diags)
{
	struct mtv_profile *p = NULL;
	struct mtv_err err = { 0 };
	const char *file = o->providers_file, *name = o->name, *sc;
	char *buf = NULL, *names = NULL;
	size_t len = 0, before = diags->n;
	json_object *root, *prof, *v;
	int ret = MTV_EINVAL, nprof = 0;

	*out = NULL;
	if (file == NULL)
		file = default_file();
	if (file == NULL) {
		diags_add(diags, NULL, 0, 0,
			  "no providers file: give -p FILE or set MTV_SCENARIO_PROVIDERS "
			  "(looked for ./providers.yaml and ./.providers.json)");
		goto out;
	}
	if (file_read(&buf, &len, file, 1024 * 1024, &err) != 0) {
		diags_add(diags, file, 0, 0, "cannot read providers file: %s", err.msg);
		goto out;
	}
	if (str_endswith(file, ".json"))
		strip_comment_lines(buf, len);
	p = xcalloc(1, sizeof(*p));
	p->file = xstrdup(file);
	if (doc_load_buf(&p->doc, file, buf, len, diags) != 0)
		goto out;
	root = doc_root(p->doc);
	if (root == NULL || !json_object_is_type(root, json_type_object)) {
		diags_add(diags, file, 1, 1,
			  "providers file must be a mapping of profile names to profiles");
		goto out;
	}
	schema_validate(p->doc, "providers", diags);
	if (name == NULL && o->sets &&
	    (v = jget(o->sets, "source_provider")))
		name = json_object_get_string(v);
	json_object_object_foreach(root, k, pv) {
		(void)pv;
		if (*k != '$') {
			nprof++;
			if (name == NULL && nprof == 1)
				p->name = xstrdup(k);
		}
	}
	names = profile_names(root);
	if (name) {
		free(p->name);
		p->name = xstrdup(name);
		if (jget(root, name) == NULL || *name == '$') {
			diags_add(diags, file, 0, 0, "no profile '%s' in the providers file "
				  "(profiles: %s)", name, *names ? names : "none");
			goto out;
		}
	} else if (nprof != 1) {
		diags_add(diags, file, 0, 0, nprof ? "several profiles (%s): choose one with --provider NAME"
			  " or --tc source_provider:NAME" : "no profile in the providers file%s",
			  names);
		goto out;
	}
	/* schema problems and the copy-offload checks are reported together */
	prof = jget(root, p->name);
	if (json_object_deep_copy(prof, &p->data, NULL) != 0) {
		diags_add(diags, file, 0, 0, "out of memory copying profile '%s'", p->name);
		goto out;
	}
	profile_env_apply(p->data, diags);
	if (o->sets && (sc = jstring(o->sets, "storage_class")))
		json_object_object_add(p->data, "storage_class", json_object_new_string(sc));
	redact_tree(p->data);
	if (str_eq(profile_str(p, "type"), "vsphere") &&
	    json_object_is_type(jget(p->data, "copyoffload"),
				json_type_object))
		profile_check_copyoffload(p, diags);
	if (diags->n > before && !o->keep_invalid)
		goto out;
	*out = p;
	p = NULL;
	ret = 0;
out:
	free(names);
	free(buf);
	profile_free(p);
	return ret;
}

void
profile_free(struct mtv_profile *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->file);
	doc_free(p->doc);
	json_object_put(p->data);
	free(p);
}

const char *
profile_str(const struct mtv_profile *p, const char *key)
{
	return p ? jstring(p->data, key) : NULL;
}

const char *
profile_co(const struct mtv_profile *p, const char *key)
{
	return p ? jstring(jget(p->data, "copyoffload"), key) : NULL;
}

const char *
profile_secret(const struct mtv_profile *p, const char *ref)
{
	const char *s, *e, *dot;
	json_object *cur;
	char *path = NULL, *seg;
	const char *ret = NULL;

	if (p == NULL || ref == NULL || !str_startswith(ref, "((secret:"))
		return NULL;
	s = ref + strlen("((secret:");
	e = strstr(s, "))");
	if (e == NULL || e[2] != '\0')
		return NULL;
	path = xstrndup(s, (size_t)(e - s));
	cur = p->data;
	seg = path;
	/* copyoffload.storage_secret_extra.<KEY>: the key may hold dots */
	while (cur && seg) {
		if (json_object_is_type(cur, json_type_object) &&
		    jget(cur, seg)) {
			cur = jget(cur, seg);
			break;
		}
		dot = strchr(seg, '.');
		if (dot == NULL) {
			cur = NULL;
			break;
		}
		path[dot - path] = '\0';
		cur = jget(cur, seg);
		seg = (char *)dot + 1;
	}
	if (cur && json_object_is_type(cur, json_type_string))
		ret = json_object_get_string(cur);
	free(path);
	return ret;
}
