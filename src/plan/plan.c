/* plan.c: expansion of a scenario and a provider profile into the plan
 * value of doc/plan-format.md. Deterministic: the same inputs give the
 * same plan; nothing is contacted (a CA file named by the profile is read). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"
#include "step/check/check.h"
#include "config/vendor.h"

#define PLAN_FORMAT	"mtv-scenario.plan/v1"
#define TEMPLATE_PLACEHOLDER "xcopy-template-test"
#define NAME_MAX_LEN	63
#define FORKLIFT	"forklift.konveyor.io/v1beta1"

/* ---- small JSON helpers ---- */

static json_object *
jchild(json_object *o, const char *k)
{
	json_object *v = NULL;

	if (o && json_object_is_type(o, json_type_object))
		json_object_object_get_ex(o, k, &v);
	return v;
}

static const char *
jstring(json_object *o, const char *k)
{
	json_object *v = jchild(o, k);

	return v && json_object_is_type(v, json_type_string) ?
		json_object_get_string(v) : NULL;
}

static bool
jtrue(json_object *o, const char *k)
{
	json_object *v = jchild(o, k);

	return v && json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

static int
jintval(json_object *o, const char *k, int def)
{
	json_object *v = jchild(o, k);

	return v && json_object_is_type(v, json_type_int) ? json_object_get_int(v) : def;
}

static void
put(json_object *o, const char *k, json_object *v)
{
	json_object_object_add(o, k, v);
}

static void
puts_(json_object *o, const char *k, const char *s)
{
	json_object_object_add(o, k, s ? json_object_new_string(s) : NULL);
}

static void
puti(json_object *o, const char *k, int v)
{
	json_object_object_add(o, k, json_object_new_int(v));
}

static void
putb(json_object *o, const char *k, bool v)
{
	json_object_object_add(o, k, json_object_new_boolean(v));
}

static json_object *
ref(const char *name, const char *ns)
{
	json_object *r = json_object_new_object();

	puts_(r, "name", name);
	puts_(r, "namespace", ns);
	return r;
}

static json_object *
strarr_add(json_object *a, const char *s)
{
	json_object_array_add(a, json_object_new_string(s));
	return a;
}

static bool
strarr_has(json_object *a, const char *s)
{
	size_t i;

	for (i = 0; i < json_object_array_length(a); i++)
		if (str_eq(json_object_get_string(json_object_array_get_idx(a, i)), s))
			return true;
	return false;
}

/* ---- names ---- */

/* Forklift's ChangeVmName (pkg/controller/plan/util): lowercase, trim
 * '.' and '-', per '.'-part map "_+* /\" to '-', drop other characters,
 * collapse dashes, cut parts and the whole to 63. Empty result: "" (Forklift
 * then draws "vm-" and 4 random characters). Returns a new string. */
MTV_STATIC char *
plan_vm_name_sanitise(const char *name)
{
	struct strbuf out = STRBUF_INIT;
	char *low = xstrdup(name), *s, *part, *save = NULL;
	size_t i, n;

	for (i = 0; low[i]; i++)
		low[i] = (char)tolower((unsigned char)low[i]);
	s = low;
	while (*s == '.' || *s == '-')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == '.' || s[n - 1] == '-'))
		s[--n] = '\0';
	for (part = strtok_r(s, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		struct strbuf p = STRBUF_INIT;
		const char *c;
		size_t len;

		for (c = part; *c; c++) {
			if (strchr("_+* /\\", *c))
				strbuf_addc(&p, '-');
			else if ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-')
				strbuf_addc(&p, *c);
		}
		/* collapse and trim dashes */
		{
			struct strbuf q = STRBUF_INIT;
			const char *t = strbuf_str(&p);

			for (; *t; t++) {
				if (*t == '-' && (q.len == 0 || q.buf[q.len - 1] == '-'))
					continue;
				strbuf_addc(&q, *t);
			}
			len = q.len;
			if (len > NAME_MAX_LEN)
				len = NAME_MAX_LEN;
			while (len && q.buf[len - 1] == '-')
				len--;
			if (len) {
				if (out.len)
					strbuf_addc(&out, '.');
				strbuf_add(&out, q.buf, len);
			}
			strbuf_release(&q);
		}
		strbuf_release(&p);
	}
	free(low);
	if (out.len > NAME_MAX_LEN) {
		n = NAME_MAX_LEN;
		while (n && (out.buf[n - 1] == '.' || out.buf[n - 1] == '-'))
			n--;
		out.buf[n] = '\0';
		out.len = n;
	}
	return strbuf_detach(&out);
}

/* Is s a DNS-1123 subdomain (what Forklift keeps as the target name)? */
MTV_STATIC bool
plan_dns_subdomain(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool an = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');

		if (!an && c != '-' && c != '.')
			return false;
		if (!an && (i == 0 || i == n - 1 || s[i - 1] == '.' || s[i + 1] == '.'))
			return false;
	}
	return true;
}

/* The destination VM name Forklift gives a source VM. */
MTV_STATIC char *
plan_target_vm_name(const char *source)
{
	return plan_dns_subdomain(source) ? xstrdup(source) : plan_vm_name_sanitise(source);
}

/* s lowercased, other characters than [a-z0-9-] as '-', dashes collapsed,
 * trimmed, cut to max. Returns a new string. */
MTV_STATIC char *
plan_dns_label(const char *s, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	char c;

	for (; *s; s++) {
		c = (char)tolower((unsigned char)*s);
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '-';
		if (c == '-' && (sb.len == 0 || sb.buf[sb.len - 1] == '-'))
			continue;
		strbuf_addc(&sb, c);
	}
	if (sb.len > max)
		sb.len = max;
	while (sb.len && sb.buf[sb.len - 1] == '-')
		sb.len--;
	strbuf_addc(&sb, '\0');
	return strbuf_detach(&sb);
}

/* Run id [a-z0-9]{6} derived from the scenario name (FNV-1a). */
MTV_STATIC void
plan_run_id(const char *name, char out[7])
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned long long h = 1469598103934665603ULL;
	size_t i;

	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211ULL;
	}
	for (i = 0; i < 6; i++) {
		out[i] = al[h % 36];
		h /= 36;
	}
	out[6] = '\0';
}

/* ---- expansion state ---- */

struct ds {
	const char *key;	/* datastore_id, ... or "literal" */
	const char *moid;	/* NULL when unresolved */
	int xcopy;		/* 1, 0, -1 = unknown (literal) */
};

struct disk {
	json_object *node;	/* the add_disks entry */
	int index, controller, unit, size_gb;
	const char *provision, *mode, *path, *rdm;
	struct ds ds;
};

struct vm {
	json_object *node;
	char ref[32];
	char *name;		/* clone (or source) name */
	const char *tmpl;	/* template (after the placeholder rule) */
	bool clone;
	int snapshots, plan;
	struct ds ds;		/* clone datastore */
	struct disk *disks;
	size_t ndisks;
	int max_bus;
};

struct pl {
	const char *key;	/* scenario plan name or NULL */
	char *name;
	bool copyoffload, warm;
	json_object *node;
	int *vms;
	size_t nvms;
};

struct ex {
	const struct mtv_scenario *s;
	const struct mtv_profile *p;
	const struct plan_opts *o;
	struct mtv_diags *d;
	json_object *root, *ovr;	/* scenario, --set overrides (coerced) */
	char rid[7];
	const char *run_id, *ns, *sc, *vendor;
	char *nsbuf, *target_ns;
	struct vm *vms;
	size_t nvms;
	struct pl *plans;
	size_t nplans;
	json_object *steps, *labels;
	int next_id;
	bool any_co, any_warm, any_vddk;	/* any_vddk: a plan without offload */
	char *src_provider, *src_secret, *dst_provider, *storage_secret;
};

static void
diag_at(struct ex *x, json_object *node, const char *fmt, ...) MTV_PRINTF(3, 4);

static void
diag_at(struct ex *x, json_object *node, const char *fmt, ...)
{
	va_list ap;
	int line = 0, col = 0;

	if (node)
		doc_loc(x->s->doc, node, &line, &col);
	va_start(ap, fmt);
	diags_addv(x->d, x->s->path, line, col, fmt, ap);
	va_end(ap);
}

/* A top-level scenario value, --set overrides first. */
static json_object *
top(struct ex *x, const char *key)
{
	json_object *v = jchild(x->ovr, key);

	return v ? v : jchild(x->root, key);
}

/* --set key=value for top-level scenario keys (those the schema knows):
 * "true"/"false" become booleans, digits integers. */
static void
overrides_build(struct ex *x)
{
	json_object *sch = NULL, *props;
	const char *txt = schema_text("scenario");

	x->ovr = json_object_new_object();
	if (x->o == NULL || x->o->sets == NULL || txt == NULL)
		return;
	sch = json_tokener_parse(txt);
	props = jchild(sch, "properties");
	json_object_object_foreach(x->o->sets, k, v) {
		const char *s = json_object_get_string(v);
		char *end = NULL;
		long n;

		if (jchild(props, k) == NULL || str_eq(k, "name") ||
		    str_eq(k, "virtual_machines") || str_eq(k, "plans") || str_eq(k, "expect"))
			continue;
		if (str_eq(s, "true") || str_eq(s, "false")) {
			put(x->ovr, k, json_object_new_boolean(str_eq(s, "true")));
			continue;
		}
		n = strtol(s, &end, 10);
		if (*s && *end == '\0')
			put(x->ovr, k, json_object_new_int((int)n));
		else
			put(x->ovr, k, json_object_new_string(s));
	}
	json_object_put(sch);
}

/* The symbolic datastore keys of schema/scenario.schema.json's
 * datastoreRef; the last two name datastores without XCOPY. */
static bool
symbolic(const char *k)
{
	return str_eq(k, "datastore_id") || str_eq(k, "secondary_datastore_id") ||
		str_eq(k, "non_xcopy_datastore_id") ||
		str_eq(k, "nfs_datastore_id");
}

/* Resolve a datastore reference; what names the key path for messages. */
static struct ds
ds_resolve(struct ex *x, const char *refv, json_object *node, const char *what)
{
	struct ds d = { "literal", refv, -1 };

	if (refv == NULL)
		refv = "datastore_id";
	if (!symbolic(refv))
		return d;
	d.key = refv;
	d.moid = profile_co(x->p, refv);
	d.xcopy = !str_eq(refv, "non_xcopy_datastore_id") &&
		  !str_eq(refv, "nfs_datastore_id");
	if (d.moid == NULL)
		diag_at(x, node, "%s needs '%s' but profile '%s' in %s does not set it",
			what, refv, x->p->name, x->p->file);
	return d;
}

static json_object *
ds_json(json_object *o, const struct ds *d)
{
	puts_(o, "datastore", d->moid);
	puts_(o, "datastore_key", d->key);
	return o;
}

static json_object *
meta(struct ex *x, const char *name, const char *ns)
{
	json_object *m = json_object_new_object();

	puts_(m, "name", name);
	puts_(m, "namespace", ns);
	put(m, "labels", json_object_get(x->labels));
	return m;
}

static json_object *
step_add(struct ex *x, const char *kind, const char *side, int batch, int plan,
	 const char *object, const char *undo, json_object *params, const char *fmt, ...)
	MTV_PRINTF(9, 10);

static json_object *
step_add(struct ex *x, const char *kind, const char *side, int batch, int plan,
	 const char *object, const char *undo, json_object *params, const char *fmt, ...)
{
	json_object *st = json_object_new_object();
	va_list ap;
	char *title;

	va_start(ap, fmt);
	title = xvasprintf(fmt, ap);
	va_end(ap);
	puti(st, "id", ++x->next_id);
	puts_(st, "kind", kind);
	puts_(st, "side", side);
	puti(st, "batch", batch);
	put(st, "plan", plan >= 0 ? json_object_new_int(plan) : NULL);
	puts_(st, "title", title);
	puts_(st, "object", object);
	puts_(st, "undo", undo);
	put(st, "params", params);
	json_object_array_add(x->steps, st);
	free(title);
	return st;
}

/* ---- virtual machines and disks ---- */

static void
vms_build(struct ex *x)
{
	json_object *list = top(x, "virtual_machines");
	const char *dvm = profile_co(x->p, "default_vm_name");
	size_t i, j;

	x->nvms = list ? json_object_array_length(list) : 0;
	x->vms = xcalloc(x->nvms ? x->nvms : 1, sizeof(*x->vms));
	for (i = 0; i < x->nvms; i++) {
		struct vm *v = &x->vms[i];
		json_object *n = json_object_array_get_idx(list, i), *adds;
		const char *cn = jstring(n, "clone_name");
		int bus = 0, unit = 0, idx = 0;
		char *what;

		v->node = n;
		v->plan = -1;
		snprintf(v->ref, sizeof(v->ref), "vm%zu", i);
		v->clone = jtrue(n, "clone");
		v->tmpl = jstring(n, "name");
		if (v->clone && str_eq(v->tmpl, TEMPLATE_PLACEHOLDER) && dvm)
			v->tmpl = dvm;
		v->snapshots = jintval(n, "snapshots", 0);
		if (!v->clone) {
			v->name = xstrdup(v->tmpl);
		} else if (cn && jtrue(n, "preserve_name_format")) {
			v->name = xasprintf("%s-%s", x->run_id, cn);
		} else {
			char *base = xasprintf("%s-%s", x->run_id, cn ? cn : v->tmpl);
			char *suffix = cn ? xstrdup("") : xasprintf("-%zu", i + 1);
			char *lab = plan_dns_label(base, NAME_MAX_LEN - strlen(suffix));

			v->name = xasprintf("%s%s", lab, suffix);
			free(base);
			free(suffix);
			free(lab);
		}
		what = xasprintf("virtual_machines[%zu].target_datastore_id", i);
		v->ds = ds_resolve(x, jstring(n, "target_datastore_id"),
				   jchild(n, "target_datastore_id") ? jchild(n, "target_datastore_id") : n,
				   what);
		free(what);
		adds = jchild(n, "add_disks");
		v->ndisks = adds ? json_object_array_length(adds) : 0;
		v->disks = xcalloc(v->ndisks ? v->ndisks : 1, sizeof(*v->disks));
		if (v->ndisks && !v->clone)
			diag_at(x, jchild(n, "add_disks"),
				"virtual_machines[%zu].add_disks needs clone: true "
				"(disks are only added to clones)", i);
		for (j = 0; j < v->ndisks; j++) {
			struct disk *d = &v->disks[j];
			json_object *dn = json_object_array_get_idx(adds, j);

			d->node = dn;
			d->index = ++idx;
			/* the template disk is at 0:0; unit 7 is the controller's */
			unit++;
			if (unit == 7)
				unit++;
			if (unit > 15) {
				bus++;
				unit = 0;
			}
			d->controller = bus;
			d->unit = unit;
			d->size_gb = jintval(dn, "size_gb", 0);
			d->provision = jstring(dn, "provision_type");
			d->mode = jstring(dn, "disk_mode");
			d->path = jstring(dn, "datastore_path");
			d->rdm = jstring(dn, "rdm_type");
			if (d->rdm) {
				d->ds = v->ds;
				if (profile_co(x->p, "rdm_lun_uuid") == NULL)
					diag_at(x, jchild(dn, "rdm_type"),
						"virtual_machines[%zu].add_disks[%zu].rdm_type needs "
						"'rdm_lun_uuid' but profile '%s' in %s does not set it",
						i, j, x->p->name, x->p->file);
			} else if (jstring(dn, "datastore_id")) {
				what = xasprintf("virtual_machines[%zu].add_disks[%zu].datastore_id", i, j);
				d->ds = ds_resolve(x, jstring(dn, "datastore_id"),
						   jchild(dn, "datastore_id"), what);
				free(what);
			} else {
				d->ds = v->ds;
			}
		}
		v->max_bus = bus;
	}
}

/* VM selector (index or clone_name/name) -> index, or -1. */
static int
vm_find(struct ex *x, json_object *sel)
{
	size_t i;

	if (json_object_is_type(sel, json_type_int)) {
		i = (size_t)json_object_get_int(sel);
		return i < x->nvms ? (int)i : -1;
	}
	for (i = 0; i < x->nvms; i++) {
		const char *s = json_object_get_string(sel);

		if (str_eq(jstring(x->vms[i].node, "clone_name"), s) ||
		    str_eq(jstring(x->vms[i].node, "name"), s) || str_eq(x->vms[i].name, s))
			return (int)i;
	}
	return -1;
}

/* <run id>-<scenario>[-<suffix>], DNS-safe, at most 53 characters (room for
 * "-migration"); the scenario name is cut first so that run id and suffix
 * stay whole. */
static char *
obj_name(struct ex *x, const char *suffix)
{
	size_t max = NAME_MAX_LEN - 10, fixed = strlen(x->run_id) + 1 +
		(suffix ? strlen(suffix) + 1 : 0);
	int keep = fixed < max ? (int)(max - fixed) : 1;
	char *base = suffix ? xasprintf("%s-%.*s-%s", x->run_id, keep, x->s->name, suffix) :
		xasprintf("%s-%.*s", x->run_id, keep, x->s->name);
	char *n = plan_dns_label(base, max);

	free(base);
	return n;
}

static void
plans_build(struct ex *x)
{
	json_object *list = top(x, "plans");
	bool co = jtrue(x->root, "copyoffload"), warm;
	size_t i, j;

	if (jchild(x->ovr, "copyoffload"))
		co = json_object_get_boolean(jchild(x->ovr, "copyoffload"));
	warm = top(x, "warm_migration") && json_object_get_boolean(top(x, "warm_migration"));
	if (list == NULL) {
		x->nplans = 1;
		x->plans = xcalloc(1, sizeof(*x->plans));
		x->plans[0].name = obj_name(x, NULL);
		x->plans[0].copyoffload = co;
		x->plans[0].warm = warm;
		x->plans[0].vms = xcalloc(x->nvms ? x->nvms : 1, sizeof(int));
		for (i = 0; i < x->nvms; i++) {
			x->plans[0].vms[x->plans[0].nvms++] = (int)i;
			x->vms[i].plan = 0;
		}
		return;
	}
	x->nplans = json_object_array_length(list);
	x->plans = xcalloc(x->nplans, sizeof(*x->plans));
	for (i = 0; i < x->nplans; i++) {
		struct pl *p = &x->plans[i];
		json_object *n = json_object_array_get_idx(list, i);
		json_object *sel = jchild(n, "virtual_machines");

		p->node = n;
		p->key = jstring(n, "name");
		p->name = obj_name(x, p->key);
		p->copyoffload = jchild(n, "copyoffload") ? jtrue(n, "copyoffload") : co;
		p->warm = jchild(n, "warm_migration") ? jtrue(n, "warm_migration") : warm;
		p->vms = xcalloc(json_object_array_length(sel) + 1, sizeof(int));
		for (j = 0; j < json_object_array_length(sel); j++) {
			json_object *e = json_object_array_get_idx(sel, j);
			int k = vm_find(x, e);

			if (k < 0) {
				diag_at(x, e, "plans[%zu].virtual_machines[%zu]: no such VM '%s' "
					"in virtual_machines", i, j, json_object_get_string(e));
				continue;
			}
			if (x->vms[k].plan >= 0) {
				diag_at(x, e, "plans[%zu].virtual_machines[%zu]: VM %d is already "
					"in plan '%s'", i, j, k, x->plans[x->vms[k].plan].key);
				continue;
			}
			x->vms[k].plan = (int)i;
			p->vms[p->nvms++] = k;
		}
		for (j = 0; j < i; j++)
			if (str_eq(x->plans[j].key, p->key))
				diag_at(x, jchild(n, "name"), "plans[%zu].name: duplicate plan "
					"name '%s'", i, p->key);
	}
	for (i = 0; i < x->nvms; i++)
		if (x->vms[i].plan < 0)
			diag_at(x, x->vms[i].node, "virtual_machines[%zu] is in no plan", i);
}

/* Datastores the plan's disks use, in order of first use. */
static size_t
plan_datastores(struct ex *x, const struct pl *p, struct ds *out, size_t max)
{
	size_t n = 0, i, j, k;

	for (i = 0; i < p->nvms; i++) {
		struct vm *v = &x->vms[p->vms[i]];

		for (j = 0; j <= v->ndisks; j++) {
			const struct ds *d = j == 0 ? &v->ds : &v->disks[j - 1].ds;

			if (d->moid == NULL)
				continue;
			for (k = 0; k < n; k++)
				if (str_eq(out[k].moid, d->moid))
					break;
			if (k == n && n < max)
				out[n++] = *d;
		}
	}
	return n;
}

/* Does any VM of plan p with a disk on moid have source snapshots? */
static bool
plan_ds_snapshots(struct ex *x, const struct pl *p, const char *moid)
{
	size_t i, j;

	for (i = 0; i < p->nvms; i++) {
		struct vm *v = &x->vms[p->vms[i]];

		if (v->snapshots == 0)
			continue;
		if (str_eq(v->ds.moid, moid))
			return true;
		for (j = 0; j < v->ndisks; j++)
			if (str_eq(v->disks[j].ds.moid, moid))
				return true;
	}
	return false;
}

/* ---- steps ---- */

static void
steps_preflight(struct ex *x)
{
	json_object *pa = json_object_new_object(), *tm = json_object_new_array(),
		    *dss = json_object_new_array(), *hosts = json_object_new_array(),
		    *thick = json_object_new_object(), *pc;
	const char *lun = NULL;
	size_t i, j, k;

	for (i = 0; i < x->nvms; i++) {
		struct vm *v = &x->vms[i];

		if (v->tmpl && !strarr_has(tm, v->tmpl))
			strarr_add(tm, v->tmpl);
		for (j = 0; j <= v->ndisks; j++) {
			const struct ds *d = j == 0 ? &v->ds : &v->disks[j - 1].ds;
			bool seen = false;

			if (d->moid == NULL)
				continue;
			for (k = 0; k < json_object_array_length(dss); k++)
				if (str_eq(jstring(json_object_array_get_idx(dss, k), "moid"), d->moid))
					seen = true;
			if (!seen) {
				json_object *e = json_object_new_object();

				puts_(e, "key", d->key);
				puts_(e, "moid", d->moid);
				put(e, "xcopy", d->xcopy < 0 ? NULL : json_object_new_boolean(d->xcopy));
				json_object_array_add(dss, e);
			}
			if (j > 0 && v->disks[j - 1].rdm)
				lun = profile_co(x->p, "rdm_lun_uuid");
			if (j > 0 && !v->disks[j - 1].rdm && v->disks[j - 1].provision &&
			    str_startswith(v->disks[j - 1].provision, "thick"))
				put(thick, d->moid, json_object_new_int(
					jintval(thick, d->moid, 0) + v->disks[j - 1].size_gb));
		}
		if (jstring(v->node, "target_esxi_host") &&
		    !strarr_has(hosts, jstring(v->node, "target_esxi_host")))
			strarr_add(hosts, jstring(v->node, "target_esxi_host"));
	}
	if (profile_co(x->p, "esxi_host") && !strarr_has(hosts, profile_co(x->p, "esxi_host")))
		strarr_add(hosts, profile_co(x->p, "esxi_host"));
	put(pa, "templates", tm);
	put(pa, "datastores", dss);
	putb(pa, "copyoffload", x->any_co);
	put(pa, "hosts", hosts);
	puts_(pa, "rdm_lun_uuid", lun);
	put(pa, "thick_gb", thick);
	step_add(x, "preflight", "source", 0, -1, "vcenter", NULL, pa,
		 "check vCenter: templates, datastores%s", lun ? ", RDM LUN" : "");

	pc = json_object_new_object();
	puts_(pc, "storage_class", x->sc);
	puts_(pc, "namespace", x->ns);
	puts_(pc, "mtv_namespace", profile_str(x->p, "mtv_namespace") ?
	      profile_str(x->p, "mtv_namespace") : "openshift-mtv");
	putb(pc, "copyoffload", x->any_co);
	putb(pc, "warm", x->any_warm);
	step_add(x, "preflight", "cluster", 0, -1, "cluster", NULL, pc,
		 "check the cluster: Forklift, storage class '%s', namespace '%s'", x->sc, x->ns);
}

static const char *
clone_disk_type(const char *t)
{
	return t;
}

static void
steps_vms(struct ex *x)
{
	bool same = top(x, "clone_to_same_host") &&
		json_object_get_boolean(top(x, "clone_to_same_host"));
	bool drs = top(x, "disable_drs_for_vms") &&
		json_object_get_boolean(top(x, "disable_drs_for_vms"));
	int gtimeout = top(x, "guest_agent_timeout") ?
		json_object_get_int(top(x, "guest_agent_timeout")) : 120;
	int nclones = 0;
	size_t i, j;
	char *obj;

	for (i = 0; i < x->nvms; i++)
		nclones += x->vms[i].clone;
	/* clones first; independent ones may run in parallel */
	for (i = 0; i < x->nvms; i++) {
		struct vm *v = &x->vms[i];
		json_object *pa;
		const char *host;
		char *undo;

		if (!v->clone)
			continue;
		pa = json_object_new_object();
		host = jstring(v->node, "target_esxi_host");
		puts_(pa, "vm_ref", v->ref);
		puts_(pa, "vm", v->name);
		puts_(pa, "template", v->tmpl);
		ds_json(pa, &v->ds);
		puts_(pa, "host", host ? host : profile_co(x->p, "esxi_host"));
		puts_(pa, "same_host_as", same && i > 0 ? "vm0" : NULL);
		puts_(pa, "resource_pool", profile_co(x->p, "resource_pool"));
		puts_(pa, "disk_type", clone_disk_type(jstring(v->node, "disk_type")));
		putb(pa, "cbt", v->plan >= 0 && x->plans[v->plan].warm);
		putb(pa, "disable_drs", drs);
		obj = xasprintf("vm/%s", v->name);
		undo = xasprintf("destroy VM %s", v->name);
		step_add(x, "clone", "source", nclones > 1 && !same ? 1 : 0, v->plan, obj, undo, pa,
			 "clone %s from %s%s%s", v->name, v->tmpl,
			 v->ds.moid ? " to " : "", v->ds.moid ? v->ds.moid : "");
		free(obj);
		free(undo);
	}
	for (i = 0; i < x->nvms; i++) {
		struct vm *v = &x->vms[i];
		json_object *disks = json_object_new_array(), *nc = json_object_new_array(),
			    *setm = json_object_new_array(), *pa;
		bool on = str_eq(jstring(v->node, "source_vm_power"), "on");
		bool off = str_eq(jstring(v->node, "source_vm_power"), "off");
		bool ready;
		int nreg = 0, b;

		obj = xasprintf("vm/%s", v->name);
		for (b = 1; b <= v->max_bus; b++)
			json_object_array_add(nc, json_object_new_int(b));
		for (j = 0; j < v->ndisks; j++) {
			struct disk *d = &v->disks[j];
			json_object *e;

			if (d->rdm)
				continue;
			e = json_object_new_object();
			puti(e, "index", d->index);
			puti(e, "size_gb", d->size_gb);
			puts_(e, "provision", d->provision ? d->provision : "thin");
			puts_(e, "mode", str_eq(d->mode, "independent_nonpersistent") ? "persistent" :
			      d->mode ? d->mode : "persistent");
			ds_json(e, &d->ds);
			puts_(e, "path", d->path);
			puti(e, "controller", d->controller);
			puti(e, "unit", d->unit);
			json_object_array_add(disks, e);
			nreg++;
			if (str_eq(d->mode, "independent_nonpersistent")) {
				json_object *m = json_object_new_object();

				puti(m, "index", d->index);
				puts_(m, "mode", d->mode);
				json_object_array_add(setm, m);
			}
		}
		if (nreg) {
			pa = json_object_new_object();
			puts_(pa, "vm_ref", v->ref);
			puts_(pa, "vm", v->name);
			put(pa, "disks", disks);
			put(pa, "new_controllers", nc);
			put(pa, "set_mode", NULL);
			step_add(x, "disk", "source", 0, v->plan, obj, "remove with the VM", pa,
				 "add %d disk%s to %s", nreg, nreg == 1 ? "" : "s", v->name);
		} else {
			json_object_put(disks);
			json_object_put(nc);
		}
		for (j = 0; j < v->ndisks; j++) {
			struct disk *d = &v->disks[j];

			if (!d->rdm)
				continue;
			pa = json_object_new_object();
			puts_(pa, "vm_ref", v->ref);
			puts_(pa, "vm", v->name);
			puts_(pa, "lun_uuid", profile_co(x->p, "rdm_lun_uuid"));
			puts_(pa, "compatibility", d->rdm);
			puts_(pa, "datastore", d->ds.moid);
			puti(pa, "controller", d->controller);
			puti(pa, "unit", d->unit);
			step_add(x, "rdm", "source", 0, v->plan, obj, "remove with the VM", pa,
				 "map LUN %s to %s as a %s RDM", profile_co(x->p, "rdm_lun_uuid") ?
				 profile_co(x->p, "rdm_lun_uuid") : "?", v->name, d->rdm);
		}
		ready = on || v->snapshots > 0 || json_object_array_length(setm) > 0 ||
			jtrue(v->node, "guest_agent");
		if (ready) {
			pa = json_object_new_object();
			puts_(pa, "vm_ref", v->ref);
			puts_(pa, "vm", v->name);
			puts_(pa, "state", "on");
			step_add(x, "power", "source", 0, v->plan, obj, NULL, pa,
				 "power on %s", v->name);
			pa = json_object_new_object();
			puts_(pa, "vm_ref", v->ref);
			puts_(pa, "vm", v->name);
			puti(pa, "timeout", gtimeout);
			step_add(x, "guest-ready", "source", 0, v->plan, obj, NULL, pa,
				 "wait for guest info of %s", v->name);
		}
		if (v->snapshots > 0) {
			json_object *names = json_object_new_array();
			int k;

			for (k = 1; k <= v->snapshots; k++) {
				char *sn = xasprintf("%s-snap-%d", x->run_id, k);

				strarr_add(names, sn);
				free(sn);
			}
			pa = json_object_new_object();
			puts_(pa, "vm_ref", v->ref);
			puts_(pa, "vm", v->name);
			puti(pa, "count", v->snapshots);
			put(pa, "names", names);
			step_add(x, "snapshot", "source", 0, v->plan, obj, "remove with the VM", pa,
				 "take %d snapshot%s of %s", v->snapshots,
				 v->snapshots == 1 ? "" : "s", v->name);
		}
		if (off || (ready && !on && json_object_array_length(setm) > 0)) {
			pa = json_object_new_object();
			puts_(pa, "vm_ref", v->ref);
			puts_(pa, "vm", v->name);
			puts_(pa, "state", "off");
			step_add(x, "power", "source", 0, v->plan, obj, NULL, pa,
				 "power off %s", v->name);
		}
		if (json_object_array_length(setm) > 0) {
			pa = json_object_new_object();
			puts_(pa, "vm_ref", v->ref);
			puts_(pa, "vm", v->name);
			put(pa, "disks", json_object_new_array());
			put(pa, "new_controllers", json_object_new_array());
			put(pa, "set_mode", setm);
			step_add(x, "disk", "source", 0, v->plan, obj, NULL, pa,
				 "switch %zu disk%s of %s to independent_nonpersistent",
				 json_object_array_length(setm),
				 json_object_array_length(setm) == 1 ? "" : "s", v->name);
		} else {
			json_object_put(setm);
		}
		free(obj);
	}
}

/* The storage secret's stringData: base keys, vendor keys, extras. */
static json_object *
storage_data(struct ex *x)
{
	json_object *sd = json_object_new_object(), *extra;
	size_t i;

	for (i = 0; i < vendor_keys_n; i++) {
		const struct vendor_key *vk = &vendor_keys[i];
		char *ph;

		if (vk->key == NULL || (vk->vendor && !str_eq(vk->vendor, x->vendor)))
			continue;
		if (profile_co(x->p, vk->key) == NULL)
			continue;
		if (vk->secret) {
			ph = xasprintf("((secret:copyoffload.%s))", vk->key);
			puts_(sd, vk->secret_key, ph);
			free(ph);
		} else {
			puts_(sd, vk->secret_key, profile_co(x->p, vk->key));
		}
	}
	extra = jchild(jchild(x->p->data, "copyoffload"), "storage_secret_extra");
	if (extra && json_object_is_type(extra, json_type_object)) {
		json_object_object_foreach(extra, k, v) {
			char *ph;

			if (*k == '\0') {
				diags_add(x->d, x->p->file, 0, 0, "profile '%s': storage_secret_extra "
					  "has an empty key", x->p->name);
				continue;
			}
			if (v == NULL || json_object_is_type(v, json_type_null) ||
			    (json_object_is_type(v, json_type_string) &&
			     *json_object_get_string(v) == '\0')) {
				json_object_object_del(sd, k);
				continue;
			}
			if (extra_key_secret(k)) {
				ph = xasprintf("((secret:copyoffload.storage_secret_extra.%s))", k);
				puts_(sd, k, ph);
				free(ph);
			} else if (json_object_is_type(v, json_type_boolean)) {
				puts_(sd, k, json_object_get_boolean(v) ? "true" : "false");
			} else {
				puts_(sd, k, json_object_get_string(v));
			}
		}
	}
	return sd;
}

static json_object *
secret_manifest(struct ex *x, const char *name, json_object *data)
{
	json_object *m = json_object_new_object();

	puts_(m, "apiVersion", "v1");
	puts_(m, "kind", "Secret");
	put(m, "metadata", meta(x, name, x->ns));
	puts_(m, "type", "Opaque");
	put(m, "stringData", data);
	return m;
}

static json_object *
forklift(struct ex *x, const char *kind, const char *name, json_object *spec)
{
	json_object *m = json_object_new_object();

	puts_(m, "apiVersion", FORKLIFT);
	puts_(m, "kind", kind);
	put(m, "metadata", meta(x, name, x->ns));
	put(m, "spec", spec);
	return m;
}

static json_object *
providers_ref(struct ex *x)
{
	json_object *r = json_object_new_object();

	put(r, "source", ref(x->src_provider, x->ns));
	put(r, "destination", ref(x->dst_provider, x->ns));
	return r;
}

static void
steps_providers(struct ex *x)
{
	json_object *sd = json_object_new_object(), *pa, *spec, *settings, *m, *ann;
	const char *ca = profile_str(x->p, "ca_file"), *method = NULL, *vddk;
	bool insecure;
	char *undo;

	insecure = jtrue(x->p->data, "insecure") || (ca == NULL);
	puts_(sd, "user", profile_str(x->p, "username"));
	puts_(sd, "password", "((secret:password))");
	puts_(sd, "url", profile_str(x->p, "api_url"));
	puts_(sd, "insecureSkipVerify", insecure ? "true" : "false");
	if (ca) {
		struct mtv_err err = { 0 };
		char *pem = NULL;
		size_t len = 0;

		if (file_read(&pem, &len, ca, 1024 * 1024, &err) != 0)
			diags_add(x->d, x->p->file, 0, 0, "profile '%s': ca_file '%s': %s",
				  x->p->name, ca, err.msg);
		else
			puts_(sd, "ca.crt", pem);
		free(pem);
	}
	pa = json_object_new_object();
	puts_(pa, "role", "provider");
	put(pa, "manifest", secret_manifest(x, x->src_secret, sd));
	undo = xasprintf("delete Secret %s", x->src_secret);
	step_add(x, "secret", "cluster", 0, -1, x->src_secret, undo, pa,
		 "create Secret %s (vCenter credentials)", x->src_secret);
	free(undo);

	if (x->any_co)
		method = profile_co(x->p, "esxi_clone_method");
	spec = json_object_new_object();
	puts_(spec, "type", "vsphere");
	puts_(spec, "url", profile_str(x->p, "api_url"));
	put(spec, "secret", ref(x->src_secret, x->ns));
	settings = json_object_new_object();
	puts_(settings, "sdkEndpoint", profile_str(x->p, "endpoint_type") ?
	      profile_str(x->p, "endpoint_type") : "vcenter");
	if (method)
		puts_(settings, "esxiCloneMethod", method);
	/* Only what needs VDDK gets the image (warm copy-offload copies its
	 * deltas through VDDK; a plan without offload copies through it); a
	 * cold copy-offload provider is marked as having none, as the pytest
	 * suite does. */
	vddk = (x->any_warm || x->any_vddk) ? profile_str(x->p, "vddk_init_image") : NULL;
	if (vddk)
		puts_(settings, "vddkInitImage", vddk);
	put(spec, "settings", settings);
	m = forklift(x, "Provider", x->src_provider, spec);
	if (x->any_co && vddk == NULL) {
		ann = json_object_new_object();
		puts_(ann, "forklift.konveyor.io/empty-vddk-init-image", "yes");
		put(jchild(m, "metadata"), "annotations", ann);
	}
	pa = json_object_new_object();
	puts_(pa, "role", "source");
	put(pa, "manifest", m);
	puts_(pa, "wait", "Ready");
	puti(pa, "timeout", 600);
	puts_(pa, "esxi_clone_method", method);
	undo = xasprintf("delete Provider %s", x->src_provider);
	step_add(x, "provider", "cluster", 0, -1, x->src_provider, undo, pa,
		 "create Provider %s (vSphere %s)%s%s", x->src_provider,
		 profile_str(x->p, "api_url"), method ? ", clone method " : "",
		 method ? method : "");
	free(undo);

	spec = json_object_new_object();
	puts_(spec, "type", "openshift");
	puts_(spec, "url", "");
	put(spec, "secret", json_object_new_object());
	pa = json_object_new_object();
	puts_(pa, "role", "destination");
	put(pa, "manifest", forklift(x, "Provider", x->dst_provider, spec));
	puts_(pa, "wait", "Ready");
	puti(pa, "timeout", 600);
	puts_(pa, "esxi_clone_method", NULL);
	undo = xasprintf("delete Provider %s", x->dst_provider);
	step_add(x, "provider", "cluster", 0, -1, x->dst_provider, undo, pa,
		 "create Provider %s (this cluster)", x->dst_provider);
	free(undo);

	if (str_eq(method, "ssh")) {
		const char *pw = profile_co(x->p, "esxi_password");
		const char *ak = profile_co(x->p, "esxi_authorized_keys_path");
		json_object *port = jchild(jchild(x->p->data, "copyoffload"), "esxi_port");

		pa = json_object_new_object();
		puts_(pa, "provider", x->src_provider);
		puts_(pa, "namespace", x->ns);
		puts_(pa, "host", profile_co(x->p, "esxi_host"));
		puti(pa, "port", port ? json_object_get_int(port) : 22);
		puts_(pa, "user", profile_co(x->p, "esxi_user"));
		puts_(pa, "password", pw ? "((secret:copyoffload.esxi_password))" : NULL);
		puts_(pa, "private_key_file", profile_co(x->p, "esxi_private_key_file"));
		puts_(pa, "known_hosts", profile_co(x->p, "esxi_known_hosts"));
		puts_(pa, "fingerprint", profile_co(x->p, "esxi_host_key_fingerprint"));
		puts_(pa, "authorized_keys", ak ? ak : "/etc/ssh/keys-root/authorized_keys");
		undo = xasprintf("remove the key of %s from ESXi %s", x->src_provider,
				 profile_co(x->p, "esxi_host") ? profile_co(x->p, "esxi_host") : "?");
		step_add(x, "esxi-key", "cluster", 0, -1, profile_co(x->p, "esxi_host"), undo, pa,
			 "install the SSH key of %s on ESXi %s", x->src_provider,
			 profile_co(x->p, "esxi_host") ? profile_co(x->p, "esxi_host") : "?");
		free(undo);
	}
	if (x->any_co) {
		pa = json_object_new_object();
		puts_(pa, "role", "storage");
		put(pa, "manifest", secret_manifest(x, x->storage_secret, storage_data(x)));
		undo = xasprintf("delete Secret %s", x->storage_secret);
		step_add(x, "secret", "cluster", 0, -1, x->storage_secret, undo, pa,
			 "create Secret %s (%s array credentials)", x->storage_secret,
			 x->vendor ? x->vendor : "?");
		free(undo);
	}
}

static void
plan_spec_pass(struct ex *x, json_object *spec)
{
	static const struct { const char *key, *field; } pass[] = {
		{ "target_power_state", "targetPowerState" },
		{ "preserve_static_ips", "preserveStaticIPs" },
		{ "pvc_name_template_use_generate_name", "pvcNameTemplateUseGenerateName" },
		{ "target_labels", "targetLabels" },
		{ "target_affinity", "targetAffinity" },
		{ "target_node_selector", "targetNodeSelector" },
		{ "migrate_shared_disks", "migrateSharedDisks" },
		{ "run_preflight_inspection", "runPreflightInspection" },
		{ "xfs_compatibility", "xfsCompatibility" },
		{ "rdm_as_lun", "rdmAsLun" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(pass); i++) {
		json_object *v = top(x, pass[i].key), *c = NULL;

		if (v && json_object_deep_copy(v, &c, NULL) == 0)
			put(spec, pass[i].field, c);
	}
}

/* The ForkliftController knobs a throttling scenario sets for the run
 * (migrate step, restored by its undo), or NULL. */
static json_object *
forklift_settings(struct ex *x)
{
	json_object *pt = jchild(jchild(x->root, "expect"),
				 "populator_throttling");
	json_object *fs, *spec;

	if (pt == NULL || (!jchild(pt, "max_populator_inflight") &&
			   !jchild(pt, "max_vm_inflight")))
		return NULL;
	fs = json_object_new_object();
	spec = json_object_new_object();
	puts_(fs, "namespace", profile_str(x->p, "mtv_namespace") ?
	      profile_str(x->p, "mtv_namespace") : "openshift-mtv");
	if (jchild(pt, "max_populator_inflight"))
		puti(spec, "controller_max_populator_inflight",
		     jintval(pt, "max_populator_inflight", 20));
	if (jchild(pt, "max_vm_inflight"))
		puti(spec, "controller_max_vm_inflight",
		     jintval(pt, "max_vm_inflight", 20));
	put(fs, "spec", spec);
	puti(fs, "timeout", 300);
	return fs;
}

/* A StorageMap or NetworkMap step for plan index i (takes map). */
static void
map_step(struct ex *x, int i, const char *kind, const char *name,
	 json_object *map, const char *title)
{
	json_object *spec = json_object_new_object(), *pa = json_object_new_object();
	char *undo = xasprintf("delete %s %s", kind, name);

	put(spec, "provider", providers_ref(x));
	put(spec, "map", map);
	put(pa, "manifest", forklift(x, kind, name, spec));
	puts_(pa, "wait", "Ready");
	puti(pa, "timeout", 120);
	step_add(x, "map", "cluster", 0, i, name, undo, pa, "%s", title);
	free(undo);
}

static void
steps_plans(struct ex *x)
{
	const char *result = jstring(jchild(x->root, "expect"), "result");
	const char *cond = jstring(jchild(x->root, "expect"), "condition");
	json_object *migs = json_object_new_array(), *pa, *fs;
	struct ds dss[64];
	size_t i, j, n;
	char *undo, *sm, *nm, *title;

	for (i = 0; i < x->nplans; i++) {
		struct pl *p = &x->plans[i];
		json_object *spec, *map = json_object_new_array(), *vms, *e, *m, *wait;

		sm = xasprintf("%s-storage", p->name);
		nm = xasprintf("%s-network", p->name);
		n = plan_datastores(x, p, dss, ARRAY_SIZE(dss));
		for (j = 0; j < n; j++) {
			json_object *src = json_object_new_object(), *dst = json_object_new_object();

			e = json_object_new_object();
			puts_(src, str_startswith(dss[j].moid, "datastore-") ? "id" : "name",
			      dss[j].moid);
			put(e, "source", src);
			puts_(dst, "storageClass", x->sc);
			if (p->copyoffload)
				puts_(dst, "volumeMode", "Block");
			put(e, "destination", dst);
			if (p->copyoffload) {
				json_object *op = json_object_new_object(), *xc = json_object_new_object();

				puts_(xc, "secretRef", x->storage_secret);
				puts_(xc, "storageVendorProduct", x->vendor);
				put(op, "vsphereXcopyConfig", xc);
				put(e, "offloadPlugin", op);
			}
			json_object_array_add(map, e);
		}
		title = xasprintf("create StorageMap %s (%zu datastore%s%s)", sm, n,
				  n == 1 ? "" : "s", p->copyoffload ? ", copy-offload" : "");
		map_step(x, (int)i, "StorageMap", sm, map, title);
		free(title);

		map = json_object_new_array();
		e = json_object_new_object();
		{
			json_object *src = json_object_new_object(), *dst = json_object_new_object();

			puts_(src, "name", profile_str(x->p, "network_name") ?
			      profile_str(x->p, "network_name") : "VM Network");
			put(e, "source", src);
			puts_(dst, "type", "pod");
			put(e, "destination", dst);
		}
		json_object_array_add(map, e);
		title = xasprintf("create NetworkMap %s", nm);
		map_step(x, (int)i, "NetworkMap", nm, map, title);
		free(title);

		spec = json_object_new_object();
		put(spec, "provider", providers_ref(x));
		m = json_object_new_object();
		put(m, "network", ref(nm, x->ns));
		put(m, "storage", ref(sm, x->ns));
		put(spec, "map", m);
		puts_(spec, "targetNamespace", x->target_ns);
		puts_(spec, "type", p->warm ? "warm" : "cold");
		if (top(x, "pvc_name_template"))
			puts_(spec, "pvcNameTemplate", json_object_get_string(top(x, "pvc_name_template")));
		else if (p->copyoffload)
			puts_(spec, "pvcNameTemplate", "pvc");
		plan_spec_pass(x, spec);
		vms = json_object_new_array();
		for (j = 0; j < p->nvms; j++) {
			struct vm *v = &x->vms[p->vms[j]];

			e = json_object_new_object();
			puts_(e, "name", v->name);
			if (jstring(v->node, "targetName"))
				puts_(e, "targetName", jstring(v->node, "targetName"));
			if (jchild(v->node, "migrate_shared_disks"))
				putb(e, "migrateSharedDisks", jtrue(v->node, "migrate_shared_disks"));
			json_object_array_add(vms, e);
		}
		put(spec, "vms", vms);
		pa = json_object_new_object();
		put(pa, "manifest", forklift(x, "Plan", p->name, spec));
		if (str_eq(result, "blocked")) {
			wait = json_object_new_object();
			puts_(wait, "condition", cond);
			put(pa, "wait", wait);
		} else {
			puts_(pa, "wait", "Ready");
		}
		puti(pa, "timeout", 360);
		undo = xasprintf("archive and delete Plan %s", p->name);
		step_add(x, "plan", "cluster", 0, (int)i, p->name, undo, pa,
			 "create Plan %s (%s, %s, %zu VM%s)", p->name, p->warm ? "warm" : "cold",
			 p->copyoffload ? "copy-offload" : "VDDK", p->nvms, p->nvms == 1 ? "" : "s");
		free(undo);
		free(sm);
		free(nm);
	}
	if (str_eq(result, "blocked")) {
		json_object_put(migs);
		return;
	}
	for (i = 0; i < x->nplans; i++) {
		struct pl *p = &x->plans[i];
		json_object *e = json_object_new_object(), *spec = json_object_new_object();
		char *mn = xasprintf("%s-migration", p->name);

		puts_(e, "plan", p->name);
		put(spec, "plan", ref(p->name, x->ns));
		put(e, "manifest", forklift(x, "Migration", mn, spec));
		putb(e, "warm", p->warm);
		put(e, "cutover_delay", p->warm ? json_object_new_int(top(x, "cutover_delay") ?
			json_object_get_int(top(x, "cutover_delay")) : 300) : NULL);
		putb(e, "copyoffload", p->copyoffload);
		json_object_array_add(migs, e);
		free(mn);
	}
	pa = json_object_new_object();
	put(pa, "migrations", migs);
	puti(pa, "timeout", top(x, "timeout") ? json_object_get_int(top(x, "timeout")) : 3600);
	fs = forklift_settings(x);
	if (fs)
		put(pa, "forklift_settings", fs);
	step_add(x, "migrate", "cluster", 0, x->nplans == 1 ? 0 : -1, "migration",
		 fs ? "cancel if running, delete the Migration, restore the "
		 "ForkliftController settings" :
		 "cancel if running, delete the Migration", pa,
		 "migrate %zu plan%s%s", x->nplans, x->nplans == 1 ? "" : "s",
		 x->nplans > 1 ? " at the same time" : "");
}

/* The verify step: what its checks need of the expansion (see
 * step/check/check.h), planned by verify_plan(). */
static void
steps_verify(struct ex *x, json_object *expect)
{
	struct check_model m;
	struct check_vm *cv = xcalloc(x->nvms ? x->nvms : 1, sizeof(*cv));
	struct check_plan *cp = xcalloc(x->nplans ? x->nplans : 1, sizeof(*cp));
	char **targets = xcalloc(x->nvms ? x->nvms : 1, sizeof(*targets));
	json_object *pa = NULL, *v;
	size_t i, j, n;

	memset(&m, 0, sizeof(m));
	m.s = x->s;
	m.expect = jchild(x->root, "expect");
	m.ns = x->ns;
	m.target_ns = x->target_ns;
	m.storage_class = x->sc;
	v = top(x, "target_power_state");
	m.target_power_state = v ? json_object_get_string(v) : NULL;
	m.rdm_as_lun = top(x, "rdm_as_lun") &&
		json_object_get_boolean(top(x, "rdm_as_lun"));
	m.pvc_name_template = top(x, "pvc_name_template") != NULL;
	for (i = 0; i < x->nvms; i++) {
		struct vm *vm = &x->vms[i];

		targets[i] = jstring(vm->node, "targetName") ?
			xstrdup(jstring(vm->node, "targetName")) :
			plan_target_vm_name(vm->name);
		cv[i].ref = vm->ref;
		cv[i].name = vm->name;
		cv[i].clone_name = jstring(vm->node, "clone_name");
		cv[i].vm_name = jstring(vm->node, "name");
		cv[i].target = targets[i];
		cv[i].source_power = jstring(vm->node, "source_vm_power");
		cv[i].snapshots = vm->snapshots;
		cv[i].disks = (int)vm->ndisks;
		for (j = 0; j < vm->ndisks; j++)
			cv[i].rdm_disks += vm->disks[j].rdm != NULL;
	}
	for (i = 0; i < x->nplans; i++) {
		struct pl *p = &x->plans[i];
		struct ds dss[64];
		struct check_ds *cd = xcalloc(ARRAY_SIZE(dss), sizeof(*cd));
		size_t *vms = xcalloc(p->nvms ? p->nvms : 1, sizeof(*vms));

		n = plan_datastores(x, p, dss, ARRAY_SIZE(dss));
		for (j = 0; j < n; j++) {
			cd[j].key = dss[j].key;
			cd[j].moid = dss[j].moid;
			cd[j].xcopy = dss[j].xcopy;
			cd[j].snapshots = plan_ds_snapshots(x, p, dss[j].moid);
		}
		for (j = 0; j < p->nvms; j++)
			vms[j] = (size_t)p->vms[j];
		cp[i].key = p->key;
		cp[i].name = p->name;
		cp[i].storage_map = xasprintf("%s-storage", p->name);
		cp[i].copyoffload = p->copyoffload;
		cp[i].vms = vms;
		cp[i].nvms = p->nvms;
		cp[i].ds = cd;
		cp[i].nds = n;
	}
	m.vms = cv;
	m.nvms = x->nvms;
	m.plans = cp;
	m.nplans = x->nplans;
	verify_plan(expect, &pa, &m, x->d);
	n = json_object_array_length(jchild(pa, "checks"));
	step_add(x, "verify", "cluster", 0, -1, x->ns, NULL, pa,
		 "verify %zu check%s", n, n == 1 ? "" : "s");
	for (i = 0; i < x->nplans; i++) {
		free((char *)cp[i].storage_map);
		free((size_t *)cp[i].vms);
		free((struct check_ds *)cp[i].ds);
	}
	for (i = 0; i < x->nvms; i++)
		free(targets[i]);
	free(targets);
	free(cp);
	free(cv);
}

static json_object *
teardown_build(struct ex *x)
{
	json_object *td = json_object_new_array();
	size_t n = json_object_array_length(x->steps), i;

	for (i = n; i-- > 0;) {
		json_object *st = json_object_array_get_idx(x->steps, i), *e;
		const char *undo = jstring(st, "undo");

		if (undo == NULL || str_eq(undo, "remove with the VM"))
			continue;
		e = json_object_new_object();
		put(e, "undoes", json_object_get(jchild(st, "id")));
		puts_(e, "kind", jstring(st, "kind"));
		puts_(e, "title", undo);
		json_object_array_add(td, e);
	}
	return td;
}

static json_object *
plans_json(struct ex *x)
{
	json_object *a = json_object_new_array();
	size_t i, j;

	for (i = 0; i < x->nplans; i++) {
		struct pl *p = &x->plans[i];
		json_object *e = json_object_new_object(), *vms = json_object_new_array();
		char *s;

		puts_(e, "key", p->key);
		puts_(e, "name", p->name);
		putb(e, "copyoffload", p->copyoffload);
		putb(e, "warm", p->warm);
		for (j = 0; j < p->nvms; j++)
			strarr_add(vms, x->vms[p->vms[j]].ref);
		put(e, "vms", vms);
		s = xasprintf("%s-storage", p->name);
		puts_(e, "storage_map", s);
		free(s);
		s = xasprintf("%s-network", p->name);
		puts_(e, "network_map", s);
		free(s);
		s = xasprintf("%s-migration", p->name);
		puts_(e, "migration", s);
		free(s);
		json_object_array_add(a, e);
	}
	return a;
}

static json_object *
scenario_json(struct ex *x)
{
	json_object *o = json_object_new_object(), *tags = NULL;

	puts_(o, "name", x->s->name);
	puts_(o, "id", x->s->id);
	puts_(o, "file", x->s->path);
	puts_(o, "description", jstring(x->root, "description"));
	if (json_object_deep_copy(jchild(x->root, "tags") ? jchild(x->root, "tags") :
				  json_object_new_array(), &tags, NULL) != 0)
		tags = json_object_new_array();
	put(o, "tags", tags);
	return o;
}

static void
ex_release(struct ex *x)
{
	size_t i;

	for (i = 0; i < x->nvms; i++) {
		free(x->vms[i].name);
		free(x->vms[i].disks);
	}
	free(x->vms);
	for (i = 0; i < x->nplans; i++) {
		free(x->plans[i].name);
		free(x->plans[i].vms);
	}
	free(x->plans);
	free(x->nsbuf);
	free(x->target_ns);
	free(x->src_provider);
	free(x->src_secret);
	free(x->dst_provider);
	free(x->storage_secret);
	json_object_put(x->ovr);
	json_object_put(x->labels);
	json_object_put(x->steps);
}

int
plan_build(json_object **out, const struct mtv_scenario *s,
	   const struct mtv_profile *p, const struct plan_opts *o,
	   struct mtv_diags *diags)
{
	struct ex x;
	json_object *plan = NULL, *expect;
	size_t before = diags->n, i;
	const char *prefix, *vtn;
	char *base, *low;
	int line = 0, col = 0, keep;

	*out = NULL;
	memset(&x, 0, sizeof(x));
	x.s = s;
	x.p = p;
	x.o = o;
	x.d = diags;
	x.root = s->root;
	x.steps = json_object_new_array();
	overrides_build(&x);
	if (o && o->run_id) {
		x.run_id = o->run_id;
	} else {
		plan_run_id(s->name, x.rid);
		x.run_id = x.rid;
	}
	doc_key_loc(p->doc, doc_root(p->doc), p->name, &line, &col);
	if (!str_eq(profile_str(p, "type"), "vsphere")) {
		diags_add(diags, p->file, line, col, "scenario '%s' needs a vSphere source, but "
			  "profile '%s' has type '%s'", s->name, p->name,
			  profile_str(p, "type") ? profile_str(p, "type") : "?");
		goto out;
	}
	x.sc = o && o->storage_class ? o->storage_class : profile_str(p, "storage_class");
	if (x.sc == NULL)
		diags_add(diags, p->file, line, col, "no storage class: give --storage-class or "
			  "set storage_class in profile '%s'", p->name);
	prefix = profile_str(p, "namespace_prefix") ? profile_str(p, "namespace_prefix") : "mtv";
	/* cut the scenario name, never the run id */
	keep = NAME_MAX_LEN - (int)strlen(prefix) - (int)strlen(x.run_id) - 2;
	base = xasprintf("%s-%.*s-%s", prefix, keep > 0 ? keep : 1, s->name, x.run_id);
	x.nsbuf = plan_dns_label(base, NAME_MAX_LEN);
	free(base);
	x.ns = x.nsbuf;
	vtn = top(&x, "vm_target_namespace") ?
		json_object_get_string(top(&x, "vm_target_namespace")) : NULL;
	x.target_ns = xstrdup(vtn ? vtn : x.ns);
	x.labels = json_object_new_object();
	puts_(x.labels, "mtv-scenario/run", x.run_id);
	puts_(x.labels, "mtv-scenario/scenario", s->name);
	x.src_provider = xasprintf("%s-vsphere", x.run_id);
	x.src_secret = xasprintf("%s-vsphere-creds", x.run_id);
	x.dst_provider = xasprintf("%s-host", x.run_id);
	x.vendor = profile_co(p, "storage_vendor_product");
	low = plan_dns_label(x.vendor ? x.vendor : "storage", 40);
	x.storage_secret = xasprintf("%s-storage-%s", x.run_id, low);
	free(low);

	vms_build(&x);
	plans_build(&x);
	for (i = 0; i < x.nplans; i++) {
		x.any_co |= x.plans[i].copyoffload;
		x.any_warm |= x.plans[i].warm;
		x.any_vddk |= !x.plans[i].copyoffload;
	}
	if (x.any_co && jchild(p->data, "copyoffload") == NULL)
		diags_add(diags, p->file, line, col, "%s: copy-offload scenario '%s' needs a "
			  "'copyoffload' section in profile '%s'", s->path, s->name, p->name);
	if (diags->n > before)
		goto out;

	steps_preflight(&x);
	steps_vms(&x);
	steps_providers(&x);
	steps_plans(&x);
	expect = json_object_new_object();
	steps_verify(&x, expect);
	if (diags->n > before) {
		json_object_put(expect);
		goto out;
	}

	plan = json_object_new_object();
	puts_(plan, "format", PLAN_FORMAT);
	put(plan, "scenario", scenario_json(&x));
	puts_(plan, "run_id", x.run_id);
	puts_(plan, "profile", p->name);
	puts_(plan, "namespace", x.ns);
	puts_(plan, "target_namespace", x.target_ns);
	puts_(plan, "storage_class", x.sc);
	puti(plan, "timeout", top(&x, "timeout") ? json_object_get_int(top(&x, "timeout")) : 3600);
	put(plan, "labels", json_object_get(x.labels));
	put(plan, "plans", plans_json(&x));
	put(plan, "steps", json_object_get(x.steps));
	put(plan, "teardown", teardown_build(&x));
	put(plan, "expect", expect);
	*out = plan;
out:
	ex_release(&x);
	return diags->n > before ? MTV_EINVAL : 0;
}
