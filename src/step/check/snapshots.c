/* snapshots: the source snapshots of every VM that has them survive the
 * migration (as many as the snapshot steps made). */
#include "config.h"

#include "step/check/check.h"
#include "vsphere/vsphere.h"

static void
listed_snapshots(struct check_build *b, json_object *e, size_t at)
{
	int plan, vm;
	size_t i, n = 0;

	if (!check_select(b, e, at, &plan, &vm))
		return;
	for (i = 0; i < b->m->nvms; i++) {
		const struct check_vm *v = &b->m->vms[i];
		json_object *c;

		if (v->snapshots == 0 ||
		    !check_vm_selected(b->m, plan, vm, i))
			continue;
		c = check_entry(b, "snapshots");
		jputs(c, "vm_ref", v->ref);
		jputs(c, "vm", v->name);
		jputi(c, "count", v->snapshots);
		n++;
	}
	if (n == 0)
		check_diag(b, jget(e, "check"), "expect.checks[%zu]: "
			   "snapshots, but no VM%s has source snapshots "
			   "(snapshots)", at,
			   plan >= 0 || vm >= 0 ? " selected" : "");
}

static void
run_snapshots(struct check_run *r, json_object *c)
{
	const char *vm = jstr(c, "vm");
	json_object *info = NULL, *rec;
	struct mtv_err e = { 0 };
	long long want = jint(c, "count"), found;

	if (check_vs(r, &e) != 0 || vs_vm_info(r->vs, vm, &info, &e) != 0) {
		check_fail(r, "source vm '%s': %s", vm, e.msg);
		return;
	}
	found = jint(info, "snapshots");
	rec = jget(check_vm_state(r, jstr(c, "vm_ref")), "snapshots");
	if (json_object_is_type(rec, json_type_array))
		want = (long long)jlen(rec);
	else if (json_object_is_type(rec, json_type_int))
		want = json_object_get_int64(rec);
	if (found != want)
		check_fail(r, "source vm '%s': %lld snapshots after the "
			   "migration, expected %lld (unchanged)", vm, found,
			   want);
	else
		check_pass(r, "source vm '%s' keeps its %lld snapshot%s", vm,
			   found, found == 1 ? "" : "s");
	json_object_put(info);
}

const struct check_kind check_snapshots = {
	.name = "snapshots",
	.summary = "the source snapshots survive the migration",
	.listed = listed_snapshots,
	.run = run_snapshots,
};
