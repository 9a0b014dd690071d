/* check_lib.c: what the checks share: selecting plans and VMs, adding
 * and amending entries while planning; reporting, run state and the
 * target VirtualMachine while running. */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "doc/doc.h"
#include "step/check/check.h"
#include "step/cluster.h"
#include "vsphere/vsphere.h"

/* ---- planning ---- */

void
check_diag(struct check_build *b, json_object *node, const char *fmt, ...)
{
	va_list ap;
	int line = 0, col = 0;

	if (node)
		doc_loc(b->m->s->doc, node, &line, &col);
	va_start(ap, fmt);
	diags_addv(b->d, b->m->s->path, line, col, fmt, ap);
	va_end(ap);
}

int
check_plan_index(const struct check_model *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->nplans; i++)
		if (str_eq(m->plans[i].key, key) ||
		    str_eq(m->plans[i].name, key))
			return (int)i;
	return -1;
}

/* VM selector (index or clone_name/name) -> index, or -1. */
static int
vm_index(const struct check_model *m, json_object *sel)
{
	const char *s = json_object_get_string(sel);
	size_t i;

	if (json_object_is_type(sel, json_type_int)) {
		i = (size_t)json_object_get_int(sel);
		return i < m->nvms ? (int)i : -1;
	}
	for (i = 0; i < m->nvms; i++)
		if (str_eq(m->vms[i].clone_name, s) ||
		    str_eq(m->vms[i].vm_name, s) || str_eq(m->vms[i].name, s))
			return (int)i;
	return -1;
}

bool
check_select(struct check_build *b, json_object *e, size_t at, int *plan,
	     int *vm)
{
	const char *pk = jstr(e, "plan");

	*plan = *vm = -1;
	if (pk && (*plan = check_plan_index(b->m, pk)) < 0) {
		check_diag(b, jget(e, "plan"), "expect.checks[%zu].plan: no "
			   "plan '%s' in the scenario", at, pk);
		return false;
	}
	if (jget(e, "vm") && (*vm = vm_index(b->m, jget(e, "vm"))) < 0) {
		check_diag(b, jget(e, "vm"), "expect.checks[%zu].vm: no VM "
			   "'%s' in the scenario", at,
			   json_object_get_string(jget(e, "vm")));
		return false;
	}
	return true;
}

bool
check_selected(const struct check_model *m, int plan, int vm, size_t pi,
	       size_t vi)
{
	size_t j;

	if ((plan >= 0 && (size_t)plan != pi) || (vm >= 0 && (size_t)vm != vi))
		return false;
	for (j = 0; j < m->plans[pi].nvms; j++)
		if (m->plans[pi].vms[j] == vi)
			return true;
	return false;
}

bool
check_vm_selected(const struct check_model *m, int plan, int vm, size_t vi)
{
	size_t j;

	if (plan < 0 && vm < 0)
		return true;
	for (j = 0; j < m->nplans; j++)
		if (check_selected(m, plan, vm, j, vi))
			return true;
	return false;
}

json_object *
check_entry(struct check_build *b, const char *name)
{
	json_object *c = json_object_new_object();

	jputs(c, "check", name);
	json_object_array_add(b->checks, c);
	return c;
}

bool
check_needs_vms(struct check_build *b, json_object *e, size_t at)
{
	if (str_eq(b->result, "succeeded"))
		return true;
	check_diag(b, jget(e, "check"), "expect.checks[%zu]: %s needs the "
		   "migrated VMs, but expect.result is '%s'", at,
		   jstr(e, "check"), b->result);
	return false;
}

void
check_amend(struct check_build *b, const char *name, int plan, int vm,
	    void (*fn)(json_object *entry, json_object *e), json_object *e)
{
	size_t i, j, k;

	for (i = 0; i < b->m->nplans; i++) {
		const struct check_plan *p = &b->m->plans[i];

		for (j = 0; j < p->nvms; j++) {
			const struct check_vm *v = &b->m->vms[p->vms[j]];

			if (!check_selected(b->m, plan, vm, i, p->vms[j]))
				continue;
			for (k = 0; k < jlen(b->checks); k++) {
				json_object *c =
				    json_object_array_get_idx(b->checks, k);

				if (str_eq(jstr(c, "check"), name) &&
				    str_eq(jstr(c, "plan"), p->name) &&
				    str_eq(jstr(c, "vm_ref"), v->ref))
					fn(c, e);
			}
		}
	}
}

void
check_vm_value(struct check_build *b, json_object *e, size_t at,
	       bool (*valid)(json_object *value), const char *takes,
	       void (*set)(json_object *entry, json_object *e))
{
	json_object *val = jget(e, "value");
	int plan, vm;

	if (!check_needs_vms(b, e, at) || !check_select(b, e, at, &plan, &vm) ||
	    val == NULL)
		return;
	if (!valid(val)) {
		check_diag(b, val, "expect.checks[%zu].value: %s takes %s", at,
			   jstr(e, "check"), takes);
		return;
	}
	check_amend(b, "vm", plan, vm, set, e);
}

static void
pending_add(struct check_build *b, const char *name)
{
	size_t i;

	for (i = 0; i < jlen(b->pending); i++)
		if (str_eq(json_object_get_string(
		    json_object_array_get_idx(b->pending, i)), name))
			return;
	json_object_array_add(b->pending, json_object_new_string(name));
}

void
check_skipped_entry(struct check_build *b, json_object *e, size_t at,
		    const char *name, bool (*want)(const struct check_vm *))
{
	json_object *c, *vms = json_object_new_array();
	int plan, vm;
	size_t i, n = 0;

	if (!check_select(b, e, at, &plan, &vm)) {
		json_object_put(vms);
		return;
	}
	for (i = 0; want && plan < 0 && vm < 0 && i < b->m->nvms; i++)
		n += want(&b->m->vms[i]);
	for (i = 0; i < b->m->nvms; i++)
		if (check_vm_selected(b->m, plan, vm, i) &&
		    (n == 0 || want(&b->m->vms[i])))
			json_object_array_add(vms, json_object_new_string(
			    b->m->vms[i].name));
	c = check_entry(b, name);
	jput(c, "vms", vms);
	jputb(c, "implemented", false);
	pending_add(b, name);
}

void
check_vm_listed(struct check_build *b, json_object *e, size_t at,
		bool (*want)(const struct check_vm *),
		void (*plan)(struct check_build *b))
{
	const struct check_model *m = b->m;
	const char *name = jstr(e, "check");
	int plan_sel, vm_sel;
	size_t i, j, k, n = 0;

	if (!check_needs_vms(b, e, at) ||
	    !check_select(b, e, at, &plan_sel, &vm_sel))
		return;
	for (i = 0; want && i < m->nplans; i++)
		for (j = 0; j < m->plans[i].nvms; j++)
			n += check_selected(m, plan_sel, vm_sel, i,
					    m->plans[i].vms[j]) &&
			     want(&m->vms[m->plans[i].vms[j]]);
	for (i = 0; i < m->nplans; i++) {
		for (j = 0; j < m->plans[i].nvms; j++) {
			const struct check_vm *v = &m->vms[m->plans[i].vms[j]];
			bool has = false;

			if (!check_selected(m, plan_sel, vm_sel, i,
					    m->plans[i].vms[j]) ||
			    (n && !want(v)))
				continue;
			for (k = 0; k < jlen(b->checks) && !has; k++) {
				json_object *c =
				    json_object_array_get_idx(b->checks, k);

				has = str_eq(jstr(c, "check"), name) &&
				      str_eq(jstr(c, "plan"),
					     m->plans[i].name) &&
				      str_eq(jstr(c, "vm_ref"), v->ref);
			}
			if (has)
				continue;
			b->plan = i;
			b->vm = j;
			plan(b);
		}
	}
	b->plan = b->vm = 0;
}

json_object *
check_guest_entry(struct check_build *b, const char *name)
{
	const struct check_model *m = b->m;
	const struct check_vm *v = &m->vms[m->plans[b->plan].vms[b->vm]];
	json_object *c = check_entry(b, name);

	jputs(c, "plan", m->plans[b->plan].name);
	jputs(c, "vm_ref", v->ref);
	jputs(c, "source", v->name);
	jputs(c, "target", v->target);
	jputs(c, "namespace", m->target_ns);
	jputi(c, "timeout", m->guest_agent_timeout > 0 ?
	      m->guest_agent_timeout : 301);
	jput(c, "start", v->arrives_off ? json_object_new_boolean(1) : NULL);
	return c;
}

/* ---- running ---- */

/* One more message of the current entry. */
static void
entry_note(struct check_run *r, const char *s)
{
	if (r->msg.len)
		strbuf_adds(&r->msg, "; ");
	strbuf_adds(&r->msg, s);
}

void
check_fail(struct check_run *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	if (r->fail.len)
		strbuf_adds(&r->fail, "; ");
	/* the run's failure names the check that caught it */
	if (r->name)
		strbuf_addf(&r->fail, "%s: ", r->name);
	strbuf_adds(&r->fail, s);
	entry_note(r, s);
	free(s);
	r->nfail++;
}

void
check_pass(struct check_run *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	log_info("verify: %s", s);
	entry_note(r, s);
	free(s);
	r->nok++;
}

void
check_evidence(struct check_run *r, const char *key, json_object *val)
{
	if (r->evidence == NULL)
		r->evidence = json_object_new_object();
	jput(r->evidence, key, val);
}

json_object *
check_plan_state(struct check_run *r, const char *plan)
{
	return state_get(r->ctx, "plans", plan ? plan : "");
}

json_object *
check_vm_state(struct check_run *r, const char *ref)
{
	return state_get(r->ctx, "vms", ref ? ref : "");
}

int
check_vs(struct check_run *r, struct mtv_err *err)
{
	if (r->vs)
		return 0;
	return step_vsphere(r->ctx, &r->vs, err);
}

int
check_source_disks(struct check_run *r, const char *vm, json_object **info)
{
	struct mtv_err e = { 0 };

	*info = NULL;
	if (check_vs(r, &e) != 0 || vs_vm_info(r->vs, vm, info, &e) != 0) {
		check_fail(r, "source vm '%s': %s", vm, e.msg);
		return -1;
	}
	return (int)jlen(jget(*info, "disks"));
}

json_object *
check_status_vm(json_object *st, const char *source, const char *moid)
{
	json_object *vms = jget(st, "vms");
	size_t i;

	for (i = 0; i < jlen(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i);

		if ((moid && str_eq(jstr(vm, "id"), moid)) ||
		    str_eq(jstr(vm, "name"), source))
			return vm;
	}
	return NULL;
}

json_object *
check_target_vm(struct check_run *r, json_object *c, char **name)
{
	json_object *st = check_plan_state(r, jstr(c, "plan")),
		    *svm = check_vm_state(r, jstr(c, "vm_ref")), *svs,
		    *vm = NULL;
	const char *source = jstr(c, "source"), *ns = jstr(c, "namespace"),
		   *target = jstr(c, "target");
	struct mtv_err e = { 0 };
	char *path;

	if (ns == NULL)
		ns = jstr(st, "target_namespace") ? jstr(st, "target_namespace")
						  : r->ctx->ns;
	svs = check_status_vm(st, source, jstr(svm, "moid"));
	*name = xstrdup(jstr(svs, "newName") ? jstr(svs, "newName") :
			target && *target ? target : source);
	path = kube_path("VirtualMachine", ns, *name);
	if (kube_get(r->k, path, &vm, &e) != 0) {
		check_fail(r, "vm '%s': target VirtualMachine '%s' in '%s': %s",
			   source, *name, ns,
			   e.code == MTV_ENOTFOUND ? "not found" : e.msg);
		vm = NULL;
	}
	free(path);
	return vm;
}

void
check_skip(struct check_run *r, const char *name, const char *what,
	   const char *why)
{
	json_object *old = state_get(r->ctx, "skipped_checks", name),
		    *e = json_object_new_object();
	const char *was = jstr(old, "title");
	char *title, *reason = xasprintf("not checked: %s", why);

	log_warn("verify: %s not checked: %s", name, why);
	/* one result per check: the entries it was skipped for add up */
	if (was && !str_eq(was, what))
		title = xasprintf("%s, %s", was, what);
	else
		title = xstrdup(what);
	jputs(e, "title", title);
	jputs(e, "reason", reason);
	entry_note(r, reason);
	r->skipped = true;
	state_set(r->ctx, "skipped_checks", name, e);
	free(reason);
	free(title);
}

void
check_run_skip(struct check_run *r, json_object *c)
{
	const char *name = jstr(c, "check");
	const struct check_kind *k = check_kind_find(name ? name : "");
	json_object *vms = jget(c, "vms");
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < jlen(vms); i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", json_object_get_string(
		    json_object_array_get_idx(vms, i)));
	check_skip(r, name, sb.len ? strbuf_str(&sb) : "every VM",
		   k && k->skip ? k->skip : "not implemented");
	strbuf_release(&sb);
}

/* ---- values ---- */

long long
verify_time(const char *s)
{
	struct tm tm;
	const char *p;
	int off = 0;

	if (s == NULL)
		return -1;
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;

		if (sscanf(p + 1, "%d:%d", &hh, &mm) >= 1)
			off = (hh * 60 + mm) * 60 * (*p == '-' ? -1 : 1);
	}
	return (long long)timegm(&tm) - off;
}

long long
verify_quantity(const char *s)
{
	static const struct { const char *suf; long long mul; } sufs[] = {
		{ "Ki", 1LL << 10 }, { "Mi", 1LL << 20 }, { "Gi", 1LL << 30 },
		{ "Ti", 1LL << 40 }, { "Pi", 1LL << 50 }, { "k", 1000LL },
		{ "K", 1000LL }, { "M", 1000000LL }, { "G", 1000000000LL },
		{ "T", 1000000000000LL }, { "", 1 },
	};
	char *end;
	double d;
	size_t i;

	if (s == NULL || !*s)
		return -1;
	d = strtod(s, &end);
	if (end == s)
		return -1;
	for (i = 0; i < ARRAY_SIZE(sufs); i++)
		if (strcmp(end, sufs[i].suf) == 0)
			return (long long)(d * (double)sufs[i].mul);
	return -1;
}
