/* scenario.c: a scenario file = document + schema + defaults + the checks
 * the schema cannot express (names that must be unique, references between
 * keys); and tag expressions for -m. */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"

struct sctx {
	const struct mtv_doc *doc;
	struct mtv_diags *diags;
	int errs;
};

static void serr(struct sctx *c, const json_object *node,
		 const json_object *parent, const char *key, const char *fmt,
		 ...) MTV_PRINTF(5, 6);

/* Report at node, else at key in parent, else at parent. */
static void
serr(struct sctx *c, const json_object *node, const json_object *parent,
     const char *key, const char *fmt, ...)
{
	int line = 0, col = 0;
	va_list ap;

	if (!doc_loc(c->doc, node, &line, &col) &&
	    !(key && doc_key_loc(c->doc, parent, key, &line, &col)))
		doc_loc(c->doc, parent, &line, &col);
	va_start(ap, fmt);
	diags_addv(c->diags, doc_name(c->doc), line, col, fmt, ap);
	va_end(ap);
	c->errs++;
}

static size_t
alen(json_object *a)
{
	return json_object_is_type(a, json_type_array)
		   ? json_object_array_length(a)
		   : 0;
}

/* The name a VM is known by in the scenario: clone_name, else name when
 * it is not cloned (clones of one template share the template's name). */
static const char *
vm_key(json_object *vm)
{
	const char *cn = jstr(vm, "clone_name");

	if (cn)
		return cn;
	if (!json_object_get_boolean(jget(vm, "clone")))
		return jstr(vm, "name");
	return NULL;
}

static void
check_vm_names(struct sctx *c, json_object *vms)
{
	json_object *seen = json_object_new_object(), *first;
	size_t i, n = alen(vms);

	/* a json-c object is a hash table: linear in the number of VMs */
	for (i = 0; i < n; i++) {
		json_object *vi = json_object_array_get_idx(vms, i);
		const char *ki = vm_key(vi);

		if (ki == NULL)
			continue;
		if (!json_object_object_get_ex(seen, ki, &first)) {
			json_object_object_add(
			    seen, ki, json_object_new_int64((int64_t)i));
			continue;
		}
		if (jget(vi, "clone_name"))
			serr(
			    c, jget(vi, "clone_name"), vi, "clone_name",
			    "virtual_machines[%zu].clone_name: duplicate VM name '%s' (also virtual_machines[%lld])",
			    i, ki, (long long)json_object_get_int64(first));
		else
			serr(
			    c, jget(vi, "name"), vi, "name",
			    "virtual_machines[%zu].name: duplicate VM name '%s' (also virtual_machines[%lld])",
			    i, ki, (long long)json_object_get_int64(first));
	}
	json_object_put(seen);
}

/* name -> index of the VM it names, or -1 when it names several. */
static json_object *
vm_index(json_object *vms)
{
	json_object *map = json_object_new_object(), *old;
	size_t i, n = alen(vms);

	for (i = 0; i < n; i++) {
		json_object *vm = json_object_array_get_idx(vms, i);
		const char *k = jstr(vm, "clone_name")
				    ? jstr(vm, "clone_name")
				    : jstr(vm, "name");

		if (k == NULL)
			continue;
		if (json_object_object_get_ex(map, k, &old))
			json_object_object_add(map, k, json_object_new_int(-1));
		else
			json_object_object_add(
			    map, k, json_object_new_int64((int64_t)i));
	}
	return map;
}

/* Resolve a VM reference (index or name) to an index, or report it. */
static long
vm_ref(struct sctx *c, json_object *vms, json_object *map, json_object *ref,
       json_object *parent, const char *key, const char *path)
{
	size_t i, n = alen(vms), hits = 0;
	json_object *hit = NULL;
	const char **names;
	const char *s, *dym;

	if (json_object_is_type(ref, json_type_int)) {
		long idx = (long)json_object_get_int64(ref);

		if (idx < 0 || (size_t)idx >= n) {
			serr(
			    c, ref, parent, key,
			    "%s: VM index %ld out of range (the scenario has %zu VMs)",
			    path, idx, n);
			return -1;
		}
		return idx;
	}
	s = json_object_get_string(ref);
	if (json_object_object_get_ex(map, s, &hit) &&
	    json_object_get_int(hit) >= 0)
		return (long)json_object_get_int(hit);
	if (hit) {
		for (i = 0; i < n; i++) {
			json_object *vm = json_object_array_get_idx(vms, i);

			if (str_eq(s, jstr(vm, "clone_name")
					  ? jstr(vm, "clone_name")
					  : jstr(vm, "name")))
				hits++;
		}
		serr(c, ref, parent, key,
		     "%s: '%s' names %zu VMs; use an index or clone_name", path,
		     s, hits);
		return -1;
	}
	names = xcalloc(n + 1, sizeof(*names));
	for (i = 0; i < n; i++) {
		json_object *vm = json_object_array_get_idx(vms, i);

		names[i] = jstr(vm, "clone_name")
			       ? jstr(vm, "clone_name")
			       : jstr(vm, "name");
	}
	dym = str_closest(s, names, n);
	if (dym)
		serr(c, ref, parent, key,
		     "%s: unknown VM '%s' (did you mean '%s'?)", path, s, dym);
	else
		serr(c, ref, parent, key, "%s: unknown VM '%s'", path, s);
	free(names);
	return -1;
}

static void
check_plans(struct sctx *c, json_object *root, json_object *vms)
{
	json_object *plans = jget(root, "plans");
	size_t i, j, np = alen(plans), nv = alen(vms);
	json_object *map;
	long *owner;

	if (plans == NULL)
		return;
	map = vm_index(vms);
	owner = xcalloc(nv + 1, sizeof(*owner));
	for (i = 0; i < nv; i++)
		owner[i] = -1;
	for (i = 0; i < np; i++) {
		json_object *p = json_object_array_get_idx(plans, i);
		json_object *refs = jget(p, "virtual_machines");
		const char *name = jstr(p, "name");

		for (j = 0; j < i; j++)
			if (str_eq(name,
				   jstr(json_object_array_get_idx(plans, j),
					"name"))) {
				serr(
				    c, jget(p, "name"), p, "name",
				    "plans[%zu].name: duplicate plan name '%s' (also plans[%zu])",
				    i, name, j);
				break;
			}
		for (j = 0; j < alen(refs); j++) {
			json_object *ref = json_object_array_get_idx(refs, j);
			char *path =
			    xasprintf("plans[%zu].virtual_machines[%zu]", i, j);
			long k = vm_ref(c, vms, map, ref, refs, NULL, path);

			if (k >= 0 && owner[k] >= 0)
				serr(
				    c, ref, refs, NULL,
				    "%s: virtual_machines[%ld] is already in plan '%s'",
				    path, k,
				    jstr(json_object_array_get_idx(
					     plans, (size_t)owner[k]),
					 "name"));
			else if (k >= 0)
				owner[k] = (long)i;
			free(path);
		}
	}
	for (i = 0; i < nv; i++)
		if (owner[i] < 0 && c->errs == 0)
			serr(
			    c, json_object_array_get_idx(vms, i), vms, NULL,
			    "virtual_machines[%zu]: VM is in none of the plans",
			    i);
	free(owner);
	json_object_put(map);
}

static bool
is_plan(json_object *root, const char *name)
{
	json_object *plans = jget(root, "plans");
	size_t i;

	for (i = 0; i < alen(plans); i++)
		if (str_eq(name, jstr(json_object_array_get_idx(plans, i),
					  "name")))
			return true;
	return false;
}

/* Datastores (keys or literals) that hold a regular disk of the scenario. */
static size_t
used_datastores(json_object *vms, const char **out, size_t max)
{
	size_t i, j, k, n = 0;

	for (i = 0; i < alen(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i);
		json_object *disks = jget(vm, "add_disks");
		const char *target = jstr(vm, "target_datastore_id");
		const char *cand[65];
		size_t nc = 0;

		cand[nc++] = target ? target : "datastore_id";
		for (j = 0; j < alen(disks) && nc < ARRAY_SIZE(cand); j++) {
			json_object *d = json_object_array_get_idx(disks, j);

			if (jget(d, "rdm_type"))
				continue;
			cand[nc++] = jstr(d, "datastore_id")
					 ? jstr(d, "datastore_id")
					 : cand[0];
		}
		for (j = 0; j < nc; j++) {
			for (k = 0; k < n; k++)
				if (str_eq(out[k], cand[j]))
					break;
			if (k == n && n < max)
				out[n++] = cand[j];
		}
	}
	return n;
}

static void
check_expect(struct sctx *c, json_object *root, json_object *vms)
{
	json_object *ex = jget(root, "expect"), *xu, *checks;
	const char *used[128];
	const char *cand[160];
	size_t nu, nc, i;

	if (ex == NULL)
		return;
	if (jstr(ex, "condition") &&
	    str_eq(jstr(ex, "result"), "succeeded"))
		serr(
		    c, jget(ex, "condition"), ex, "condition",
		    "expect.condition: only meaningful with result 'failed' or 'blocked'");
	if (jstr(ex, "message") && !str_eq(jstr(ex, "result"), "failed"))
		serr(c, jget(ex, "message"), ex, "message",
		     "expect.message: only meaningful with result 'failed'");
	xu = jget(ex, "xcopy_used");
	if (json_object_is_type(xu, json_type_object)) {
		json_object *plans = jget(root, "plans");

		nu = used_datastores(vms, used, ARRAY_SIZE(used));
		nc = 0;
		for (i = 0; i < nu; i++)
			cand[nc++] = used[i];
		for (i = 0; i < alen(plans) && nc < ARRAY_SIZE(cand); i++)
			cand[nc++] = jstr(
			    json_object_array_get_idx(plans, i), "name");
		json_object_object_foreach(xu, k, v) {
			const char *dym;

			(void)v;
			for (i = 0; i < nu; i++)
				if (str_eq(k, used[i]))
					break;
			if (i < nu || is_plan(root, k))
				continue;
			dym = str_closest(k, cand, nc);
			if (dym)
				serr(
				    c, NULL, xu, k,
				    "expect.xcopy_used: '%s' is neither a datastore the scenario's disks use nor a plan (did you mean '%s'?)",
				    k, dym);
			else
				serr(
				    c, NULL, xu, k,
				    "expect.xcopy_used: '%s' is neither a datastore the scenario's disks use nor a plan",
				    k);
		}
	}
	checks = jget(ex, "checks");
	for (i = 0; i < alen(checks); i++) {
		json_object *ck = json_object_array_get_idx(checks, i);
		const char *plan = jstr(ck, "plan");
		char *path;

		if (plan && !is_plan(root, plan))
			serr(c, jget(ck, "plan"), ck, "plan",
			     "expect.checks[%zu].plan: unknown plan '%s'", i,
			     plan);
		if (jget(ck, "vm")) {
			json_object *map = vm_index(vms);

			path = xasprintf("expect.checks[%zu].vm", i);
			vm_ref(c, vms, map, jget(ck, "vm"), ck, "vm", path);
			free(path);
			json_object_put(map);
		}
	}
}

static void
check_semantics(struct sctx *c, json_object *root)
{
	json_object *vms = jget(root, "virtual_machines");

	check_vm_names(c, vms);
	check_plans(c, root, vms);
	check_expect(c, root, vms);
}

int
scenario_load(struct mtv_scenario **out, const char *path,
	      struct mtv_diags *diags)
{
	struct mtv_doc *doc = NULL;
	struct mtv_scenario *s = NULL;
	struct sctx c;
	int r;

	*out = NULL;
	r = doc_load_file(&doc, path, diags);
	if (r != 0)
		return MTV_EINVAL;
	r = schema_validate(doc, "scenario", diags);
	if (r != 0)
		goto out;
	c.doc = doc;
	c.diags = diags;
	c.errs = 0;
	schema_apply_defaults(doc_root(doc), "scenario");
	check_semantics(&c, doc_root(doc));
	if (c.errs) {
		r = MTV_EINVAL;
		goto out;
	}
	s = xcalloc(1, sizeof(*s));
	s->doc = doc;
	doc = NULL;
	s->root = doc_root(s->doc);
	s->path = doc_name(s->doc);
	s->name = jstr(s->root, "name");
	s->id = jstr(s->root, "id");
	*out = s;
	r = 0;
out:
	doc_free(doc);
	return r;
}

void
scenario_free(struct mtv_scenario *s)
{
	if (s == NULL)
		return;
	doc_free(s->doc);
	free(s);
}

/* ---- tag expressions: or < and < not < ( ) ---- */

struct texpr {
	const char *s, *p;
	json_object *tags;
	struct mtv_err *err;
	int r; /* 0, or MTV_EINVAL once a syntax error is seen */
};

static bool
tag_char(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '-' || ch == '.' || ch == ':';
}

static void
skip_ws(struct texpr *t)
{
	while (*t->p == ' ' || *t->p == '\t')
		t->p++;
}

/* Next token without consuming it: length in *len (0 at the end). */
static const char *
peek(struct texpr *t, size_t *len)
{
	const char *q;

	skip_ws(t);
	q = t->p;
	if (*q == '(' || *q == ')')
		*len = 1;
	else {
		while (tag_char((unsigned char)*q))
			q++;
		*len = (size_t)(q - t->p);
		if (*len == 0 && *q)
			*len = 1;
	}
	return t->p;
}

static bool
word_is(const char *tok, size_t len, const char *w)
{
	return len == strlen(w) && strncmp(tok, w, len) == 0;
}

static void
syntax(struct texpr *t, const char *what)
{
	size_t len;
	const char *tok;

	if (t->r)
		return;
	tok = peek(t, &len);
	if (len == 0)
		err_set(t->err, MTV_EINVAL, "%s at the end of the expression",
			what);
	else
		err_set(t->err, MTV_EINVAL, "%s at column %d, found '%.*s'",
			what, (int)(tok - t->s) + 1, (int)len, tok);
	t->r = MTV_EINVAL;
}

static bool
has_tag(json_object *tags, const char *tok, size_t len)
{
	size_t i;

	for (i = 0; i < alen(tags); i++) {
		const char *s =
		    json_object_get_string(json_object_array_get_idx(tags, i));

		if (s && strlen(s) == len && strncmp(s, tok, len) == 0)
			return true;
	}
	return false;
}

static bool expr_or(struct texpr *t);

static bool
expr_not(struct texpr *t)
{
	size_t len;
	const char *tok = peek(t, &len);
	bool v;

	if (t->r)
		return false;
	if (word_is(tok, len, "not")) {
		t->p += len;
		return !expr_not(t);
	}
	if (word_is(tok, len, "(")) {
		t->p++;
		v = expr_or(t);
		tok = peek(t, &len);
		if (!word_is(tok, len, ")")) {
			syntax(t, "expected ')'");
			return false;
		}
		t->p++;
		return v;
	}
	if (len == 0 || !tag_char((unsigned char)*tok) ||
	    word_is(tok, len, "and") || word_is(tok, len, "or")) {
		syntax(t, "expected a tag, 'not' or '('");
		return false;
	}
	t->p += len;
	return has_tag(t->tags, tok, len);
}

static bool
expr_and(struct texpr *t)
{
	size_t len;
	const char *tok;
	bool v = expr_not(t);

	for (;;) {
		tok = peek(t, &len);
		if (t->r || !word_is(tok, len, "and"))
			return v;
		t->p += len;
		/* no short cut: the rest must be parsed for syntax errors */
		v = expr_not(t) && v;
	}
}

static bool
expr_or(struct texpr *t)
{
	size_t len;
	const char *tok;
	bool v = expr_and(t);

	for (;;) {
		tok = peek(t, &len);
		if (t->r || !word_is(tok, len, "or"))
			return v;
		t->p += len;
		v = expr_and(t) || v;
	}
}

int
tags_match(const char *expr, json_object *tags, struct mtv_err *err)
{
	struct texpr t = { expr, expr, tags, err, 0 };
	size_t len;
	bool v;

	if (expr == NULL)
		return 1;
	v = expr_or(&t);
	if (t.r == 0) {
		peek(&t, &len);
		if (len)
			syntax(&t, "expected 'and', 'or' or the end");
	}
	if (t.r)
		return t.r;
	return v ? 1 : 0;
}
