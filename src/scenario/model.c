/* model.c: the scenario resolved against a profile (see model.h).
 * Deterministic: the same inputs give the same model; nothing is contacted. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "scenario/model.h"
#include "scenario/names.h"

#define TEMPLATE_PLACEHOLDER "xcopy-template-test"

void
model_run_id(const char *name, char out[7])
{
	static const char al[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned long long h = 1469598103934665603ULL;	/* FNV-1a */
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

void
model_diag(struct mtv_model *m, json_object *node, const char *fmt, ...)
{
	va_list ap;
	int line = 0, col = 0;

	if (node)
		doc_loc(m->s->doc, node, &line, &col);
	va_start(ap, fmt);
	diags_addv(m->d, m->s->path, line, col, fmt, ap);
	va_end(ap);
}

json_object *
model_top(struct mtv_model *m, const char *key)
{
	json_object *v = jget(m->ovr, key);

	return v ? v : jget(m->root, key);
}

bool
model_top_bool(struct mtv_model *m, const char *key)
{
	json_object *v = model_top(m, key);

	return v && json_object_get_boolean(v);
}

const char *
model_mtv_namespace(struct mtv_model *m)
{
	const char *ns = profile_str(m->p, "mtv_namespace");

	return ns ? ns : "openshift-mtv";
}

/* --set key=value for top-level scenario keys (those the schema knows),
 * typed and validated by the command line (cmd_overrides_check). */
static void
overrides_build(struct mtv_model *m)
{
	json_object *sch = NULL, *props;
	const char *txt = schema_text("scenario");

	m->ovr = json_object_new_object();
	if (m->o == NULL || m->o->sets == NULL || txt == NULL)
		return;
	sch = json_tokener_parse(txt);
	props = jget(sch, "properties");
	json_object_object_foreach(m->o->sets, k, v) {
		if (jget(props, k) == NULL || str_eq(k, "name") ||
		    str_eq(k, "virtual_machines") || str_eq(k, "plans") ||
		    str_eq(k, "expect"))
			continue;
		jput(m->ovr, k, json_object_get(v));
	}
	json_object_put(sch);
}

static bool
symbolic(const char *k)
{
	return str_eq(k, "datastore_id") ||
		str_eq(k, "secondary_datastore_id") ||
		str_eq(k, "non_xcopy_datastore_id") ||
		str_eq(k, "nfs_datastore_id");
}

/* Resolve a datastore reference; what names the key path for messages. */
static struct model_ds
ds_resolve(struct mtv_model *m, const char *refv, json_object *node,
	   const char *what)
{
	struct model_ds d = { "literal", refv, -1 };

	if (refv == NULL)
		refv = "datastore_id";
	if (!symbolic(refv))
		return d;
	d.key = refv;
	d.moid = profile_co(m->p, refv);
	/* NFS has no XCOPY (VAAI block primitives) either */
	d.xcopy = !str_eq(refv, "non_xcopy_datastore_id") &&
		  !str_eq(refv, "nfs_datastore_id");
	if (d.moid == NULL)
		model_diag(m, node, "%s needs '%s' but profile '%s' in %s does "
			   "not set it", what, refv, m->p->name, m->p->file);
	return d;
}

/* The clone name of VM i (or the source name). */
static char *
vm_name(struct mtv_model *m, const struct model_vm *v, size_t i)
{
	const char *cn = jstr(v->node, "clone_name");
	char *base, *suffix, *lab, *r;

	if (!v->clone)
		return xstrdup(v->tmpl);
	if (cn && jbool(v->node, "preserve_name_format"))
		return xasprintf("%s-%s", m->run_id, cn);
	base = xasprintf("%s-%s", m->run_id, cn ? cn : v->tmpl);
	suffix = cn ? xstrdup("") : xasprintf("-%zu", i + 1);
	lab = name_dns_label(base, MODEL_NAME_MAX - strlen(suffix));
	r = xasprintf("%s%s", lab, suffix);
	free(base);
	free(suffix);
	free(lab);
	return r;
}

/* The added disks of VM i: slots, datastores. */
static void
disks_build(struct mtv_model *m, struct model_vm *v, size_t i)
{
	json_object *adds = jget(v->node, "add_disks");
	int bus = 0, unit = 0;
	size_t j;

	v->ndisks = jlen(adds);
	v->disks = xcalloc(v->ndisks ? v->ndisks : 1, sizeof(*v->disks));
	if (v->ndisks && !v->clone)
		model_diag(m, adds, "virtual_machines[%zu].add_disks needs "
			   "clone: true (disks are only added to clones)", i);
	for (j = 0; j < v->ndisks; j++) {
		struct model_disk *d = &v->disks[j];
		json_object *dn = json_object_array_get_idx(adds, j);

		d->node = dn;
		d->index = (int)j + 1;
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
		d->size_gb = (int)jint(dn, "size_gb");
		d->provision = jstr(dn, "provision_type");
		d->mode = jstr(dn, "disk_mode");
		d->path = jstr(dn, "datastore_path");
		d->rdm = jstr(dn, "rdm_type");
		if (d->rdm) {
			d->ds = v->ds;
			if (profile_co(m->p, "rdm_lun_uuid") == NULL)
				model_diag(m, jget(dn, "rdm_type"),
					   "virtual_machines[%zu]."
					   "add_disks[%zu].rdm_type needs "
					   "'rdm_lun_uuid' but profile '%s' in "
					   "%s does not set it", i, j,
					   m->p->name, m->p->file);
		} else if (jstr(dn, "datastore_id")) {
			char *what = xasprintf("virtual_machines[%zu]."
					       "add_disks[%zu].datastore_id",
					       i, j);

			d->ds = ds_resolve(m, jstr(dn, "datastore_id"),
					   jget(dn, "datastore_id"), what);
			free(what);
		} else {
			d->ds = v->ds;
		}
	}
	v->max_bus = bus;
}

static void
vms_build(struct mtv_model *m)
{
	json_object *list = model_top(m, "virtual_machines");
	const char *dvm = profile_co(m->p, "default_vm_name");
	size_t i;

	m->nvms = jlen(list);
	m->vms = xcalloc(m->nvms ? m->nvms : 1, sizeof(*m->vms));
	for (i = 0; i < m->nvms; i++) {
		struct model_vm *v = &m->vms[i];
		json_object *n = json_object_array_get_idx(list, i), *tds;
		char *what;

		v->node = n;
		v->plan = -1;
		snprintf(v->ref, sizeof(v->ref), "vm%zu", i);
		v->clone = json_object_is_type(jget(n, "clone"),
					       json_type_boolean) &&
			jbool(n, "clone");
		v->tmpl = jstr(n, "name");
		if (v->clone && str_eq(v->tmpl, TEMPLATE_PLACEHOLDER) && dvm)
			v->tmpl = dvm;
		v->snapshots = (int)jint(n, "snapshots");
		v->name = vm_name(m, v, i);
		what = xasprintf("virtual_machines[%zu].target_datastore_id",
				 i);
		tds = jget(n, "target_datastore_id");
		v->ds = ds_resolve(m, jstr(n, "target_datastore_id"),
				   tds ? tds : n, what);
		free(what);
		disks_build(m, v, i);
	}
}

/* VM selector (index or clone_name/name) -> index, or -1. */
static int
vm_find(struct mtv_model *m, json_object *sel)
{
	size_t i;

	if (json_object_is_type(sel, json_type_int)) {
		i = (size_t)json_object_get_int(sel);
		return i < m->nvms ? (int)i : -1;
	}
	for (i = 0; i < m->nvms; i++) {
		const char *s = json_object_get_string(sel);

		if (str_eq(jstr(m->vms[i].node, "clone_name"), s) ||
		    str_eq(jstr(m->vms[i].node, "name"), s) ||
		    str_eq(m->vms[i].name, s))
			return (int)i;
	}
	return -1;
}

/* <run id>-<scenario>[-<suffix>], DNS-safe, at most 53 characters (room for
 * "-migration"); the scenario name is cut first so that run id and suffix
 * stay whole. */
static char *
obj_name(struct mtv_model *m, const char *suffix)
{
	size_t max = MODEL_NAME_MAX - 10, fixed = strlen(m->run_id) + 1 +
		(suffix ? strlen(suffix) + 1 : 0);
	int keep = fixed < max ? (int)(max - fixed) : 1;
	char *base = suffix ?
		xasprintf("%s-%.*s-%s", m->run_id, keep, m->s->name, suffix) :
		xasprintf("%s-%.*s", m->run_id, keep, m->s->name);
	char *n = name_dns_label(base, max);

	free(base);
	return n;
}

/* A scenario without plans: one plan of every VM. */
static void
plan_single(struct mtv_model *m, bool co, bool warm)
{
	size_t i;

	m->nplans = 1;
	m->plans = xcalloc(1, sizeof(*m->plans));
	m->plans[0].name = obj_name(m, NULL);
	m->plans[0].copyoffload = co;
	m->plans[0].warm = warm;
	m->plans[0].vms = xcalloc(m->nvms ? m->nvms : 1, sizeof(int));
	for (i = 0; i < m->nvms; i++) {
		m->plans[0].vms[m->plans[0].nvms++] = (int)i;
		m->vms[i].plan = 0;
	}
}

/* The VMs plans[i] selects. */
static void
plan_vms(struct mtv_model *m, size_t i)
{
	struct model_plan *p = &m->plans[i];
	json_object *sel = jget(p->node, "virtual_machines");
	size_t j;

	p->vms = xcalloc(jlen(sel) + 1, sizeof(int));
	for (j = 0; j < jlen(sel); j++) {
		json_object *e = json_object_array_get_idx(sel, j);
		int k = vm_find(m, e);

		if (k < 0) {
			model_diag(m, e, "plans[%zu].virtual_machines[%zu]: "
				   "no such VM '%s' in virtual_machines", i, j,
				   json_object_get_string(e));
			continue;
		}
		if (m->vms[k].plan >= 0) {
			model_diag(m, e, "plans[%zu].virtual_machines[%zu]: "
				   "VM %d is already in plan '%s'", i, j, k,
				   m->plans[m->vms[k].plan].key);
			continue;
		}
		m->vms[k].plan = (int)i;
		p->vms[p->nvms++] = k;
	}
}

static void
plans_build(struct mtv_model *m)
{
	json_object *list = model_top(m, "plans");
	bool co = jbool(m->root, "copyoffload"), warm;
	size_t i, j;

	if (jget(m->ovr, "copyoffload"))
		co = json_object_get_boolean(jget(m->ovr, "copyoffload"));
	warm = model_top_bool(m, "warm_migration");
	if (list == NULL) {
		plan_single(m, co, warm);
		return;
	}
	m->nplans = jlen(list);
	m->plans = xcalloc(m->nplans, sizeof(*m->plans));
	for (i = 0; i < m->nplans; i++) {
		struct model_plan *p = &m->plans[i];
		json_object *n = json_object_array_get_idx(list, i);

		p->node = n;
		p->key = jstr(n, "name");
		p->name = obj_name(m, p->key);
		p->copyoffload = jget(n, "copyoffload") ?
			jbool(n, "copyoffload") : co;
		p->warm = jget(n, "warm_migration") ?
			jbool(n, "warm_migration") : warm;
		plan_vms(m, i);
		for (j = 0; j < i; j++)
			if (str_eq(m->plans[j].key, p->key))
				model_diag(m, jget(n, "name"), "plans[%zu]."
					   "name: duplicate plan name '%s'", i,
					   p->key);
	}
	for (i = 0; i < m->nvms; i++)
		if (m->vms[i].plan < 0)
			model_diag(m, m->vms[i].node, "virtual_machines[%zu] "
				   "is in no plan", i);
}

size_t
model_plan_datastores(struct mtv_model *m, const struct model_plan *p,
		      struct model_ds *out, size_t max)
{
	size_t n = 0, i, j, k;

	for (i = 0; i < p->nvms; i++) {
		struct model_vm *v = &m->vms[p->vms[i]];

		for (j = 0; j <= v->ndisks; j++) {
			const struct model_ds *d = j == 0 ? &v->ds :
				&v->disks[j - 1].ds;

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

bool
model_plan_ds_snapshots(struct mtv_model *m, const struct model_plan *p,
			const char *moid)
{
	size_t i, j;

	for (i = 0; i < p->nvms; i++) {
		struct model_vm *v = &m->vms[p->vms[i]];

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

int
model_plan_index(struct mtv_model *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->nplans; i++)
		if (str_eq(m->plans[i].key, key) ||
		    str_eq(m->plans[i].name, key))
			return (int)i;
	return -1;
}

size_t
model_vm_set_mode_count(const struct model_vm *v)
{
	size_t j, n = 0;

	for (j = 0; j < v->ndisks; j++)
		n += !v->disks[j].rdm &&
			str_eq(v->disks[j].mode, "independent_nonpersistent");
	return n;
}

bool
model_vm_ready(const struct model_vm *v)
{
	return str_eq(jstr(v->node, "source_vm_power"), "on") ||
		v->snapshots > 0 || model_vm_set_mode_count(v) > 0 ||
		jbool(v->node, "guest_agent");
}

/* ---- names of the run ---- */

/* Namespace, labels, provider and secret names. */
static void
names_build(struct mtv_model *m)
{
	const char *prefix = profile_str(m->p, "namespace_prefix"), *vtn;
	char *base, *low;
	int keep;

	if (prefix == NULL)
		prefix = "mtv";
	/* cut the scenario name, never the run id */
	keep = MODEL_NAME_MAX - (int)strlen(prefix) -
		(int)strlen(m->run_id) - 2;
	base = xasprintf("%s-%.*s-%s", prefix, keep > 0 ? keep : 1, m->s->name,
			 m->run_id);
	m->nsbuf = name_dns_label(base, MODEL_NAME_MAX);
	free(base);
	m->ns = m->nsbuf;
	vtn = json_object_get_string(model_top(m, "vm_target_namespace"));
	m->target_ns = xstrdup(vtn ? vtn : m->ns);
	m->labels = json_object_new_object();
	jputs(m->labels, "mtv-scenario/run", m->run_id);
	jputs(m->labels, "mtv-scenario/scenario", m->s->name);
	m->src_provider = xasprintf("%s-vsphere", m->run_id);
	m->src_secret = xasprintf("%s-vsphere-creds", m->run_id);
	m->dst_provider = xasprintf("%s-host", m->run_id);
	m->vendor = profile_co(m->p, "storage_vendor_product");
	low = name_dns_label(m->vendor ? m->vendor : "storage", 40);
	m->storage_secret = xasprintf("%s-storage-%s", m->run_id, low);
	free(low);
}

/* Scenario values the API of the plan's release does not take (its API
 * server would prune them without a word): refused, naming the release and
 * the first one that takes them. */
static void
release_check(struct mtv_model *m)
{
	json_object *rl = model_top(m, "rdm_as_lun"),
		    *pt = jget(jget(m->root, "expect"), "populator_throttling");
	const struct mtv_release *since;

	if (rl && json_object_get_boolean(rl) && !m->rel->plan_rdm_as_lun) {
		since = RELEASE_SINCE(plan_rdm_as_lun);
		model_diag(m, jget(m->ovr, "rdm_as_lun") ? NULL : rl,
			   "rdm_as_lun needs MTV %s or newer "
			   "(Plan.spec.rdmAsLun); the plan is for MTV %s",
			   since->name, m->rel->name);
	}
	if (jget(pt, "max_populator_inflight") &&
	    !m->rel->populator_inflight) {
		since = RELEASE_SINCE(populator_inflight);
		model_diag(m, jget(pt, "max_populator_inflight"),
			   "expect.populator_throttling.max_populator_inflight "
			   "needs MTV %s or newer (ForkliftController "
			   "controller_max_populator_inflight); the plan is "
			   "for MTV %s", since->name, m->rel->name);
	}
}

int
model_init(struct mtv_model *m, const struct mtv_scenario *s,
	   const struct mtv_profile *p, const struct plan_opts *o,
	   struct mtv_diags *diags)
{
	size_t before = diags->n, i;
	int line = 0, col = 0;

	memset(m, 0, sizeof(*m));
	m->s = s;
	m->p = p;
	m->o = o;
	m->rel = o && o->release ? o->release : release_default();
	m->d = diags;
	m->root = s->root;
	m->steps = json_object_new_array();
	overrides_build(m);
	if (o && o->run_id) {
		m->run_id = o->run_id;
	} else {
		model_run_id(s->name, m->rid);
		m->run_id = m->rid;
	}
	doc_key_loc(p->doc, doc_root(p->doc), p->name, &line, &col);
	if (!str_eq(profile_str(p, "type"), "vsphere")) {
		diags_add(diags, p->file, line, col, "scenario '%s' needs a "
			  "vSphere source, but profile '%s' has type '%s'",
			  s->name, p->name, profile_str(p, "type") ?
			  profile_str(p, "type") : "?");
		return MTV_EINVAL;
	}
	m->sc = o && o->storage_class ? o->storage_class :
		profile_str(p, "storage_class");
	if (m->sc == NULL)
		diags_add(diags, p->file, line, col, "no storage class: "
			  "give --storage-class or set storage_class in "
			  "profile '%s'", p->name);
	names_build(m);
	vms_build(m);
	plans_build(m);
	release_check(m);
	for (i = 0; i < m->nplans; i++) {
		m->any_co |= m->plans[i].copyoffload;
		m->any_warm |= m->plans[i].warm;
		m->any_vddk |= !m->plans[i].copyoffload;
	}
	if (m->any_co && jget(p->data, "copyoffload") == NULL)
		diags_add(diags, p->file, line, col, "%s: copy-offload "
			  "scenario '%s' needs a 'copyoffload' section in "
			  "profile '%s'", s->path, s->name, p->name);
	return diags->n > before ? MTV_EINVAL : 0;
}

void
model_release(struct mtv_model *m)
{
	size_t i;

	for (i = 0; i < m->nvms; i++) {
		free(m->vms[i].name);
		free(m->vms[i].disks);
	}
	free(m->vms);
	for (i = 0; i < m->nplans; i++) {
		free(m->plans[i].name);
		free(m->plans[i].vms);
	}
	free(m->plans);
	free(m->nsbuf);
	free(m->target_ns);
	free(m->src_provider);
	free(m->src_secret);
	free(m->dst_provider);
	free(m->storage_secret);
	json_object_put(m->ovr);
	json_object_put(m->labels);
	json_object_put(m->steps);
	memset(m, 0, sizeof(*m));
}

/* ---- steps and what they share ---- */

json_object *
model_step_addv(struct mtv_model *m, const struct model_step *st,
		const char *fmt, va_list ap)
{
	json_object *o = json_object_new_object();
	char *title = xvasprintf(fmt, ap);

	jputi(o, "id", ++m->next_id);
	jputs(o, "kind", st->kind);
	jputs(o, "side", st->side);
	/* the ids it waits for: plan.c fills them in (plan_graph.c) */
	jput(o, "after", NULL);
	jput(o, "plan", st->plan >= 0 ? json_object_new_int(st->plan) : NULL);
	jputs(o, "title", title);
	jputs(o, "object", st->object);
	jputs(o, "undo", st->undo);
	jput(o, "params", st->params);
	json_object_array_add(m->steps, o);
	free(title);
	return o;
}

json_object *
model_ds_json(json_object *o, const struct model_ds *d)
{
	jputs(o, "datastore", d->moid);
	jputs(o, "datastore_key", d->key);
	return o;
}

json_object *
model_ref(const char *name, const char *ns)
{
	json_object *r = json_object_new_object();

	jputs(r, "name", name);
	jputs(r, "namespace", ns);
	return r;
}

json_object *
model_providers_ref(struct mtv_model *m)
{
	json_object *r = json_object_new_object();

	jput(r, "source", model_ref(m->src_provider, m->ns));
	jput(r, "destination", model_ref(m->dst_provider, m->ns));
	return r;
}

static json_object *
meta(struct mtv_model *m, const char *name)
{
	json_object *o = model_ref(name, m->ns);

	jput(o, "labels", json_object_get(m->labels));
	return o;
}

json_object *
model_forklift(struct mtv_model *m, const char *kind, const char *name,
	       json_object *spec)
{
	json_object *o = json_object_new_object();

	jputs(o, "apiVersion", MODEL_FORKLIFT);
	jputs(o, "kind", kind);
	jput(o, "metadata", meta(m, name));
	jput(o, "spec", spec);
	return o;
}

json_object *
model_secret(struct mtv_model *m, const char *name, json_object *data)
{
	json_object *o = json_object_new_object();

	jputs(o, "apiVersion", "v1");
	jputs(o, "kind", "Secret");
	jput(o, "metadata", meta(m, name));
	jputs(o, "type", "Opaque");
	jput(o, "stringData", data);
	return o;
}
