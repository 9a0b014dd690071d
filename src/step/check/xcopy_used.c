/* xcopy_used: each disk of each copy-offload plan shows xcopyUsed as
 * expected (expect.xcopy_used, else 1 on XCOPY datastores and 0 on others
 * or with source snapshots): per plan, or per datastore where the values
 * differ. The migrate step recorded per disk where the value comes from
 * (migrate_evidence.c); on a release that shows none, the check is not
 * performed (capability.c). */
#include "config.h"

#include <stdlib.h>

#include "doc/doc.h"
#include "step/capability.h"
#include "step/check/check.h"
#include "vsphere/vsphere.h"

static void
xcopy_add(struct check_build *b, const struct check_plan *p,
	  const struct check_ds *d, int value)
{
	json_object *e = json_object_new_object(), *c;

	jputs(e, "plan", p->name);
	jputs(e, "datastore", d ? d->moid : NULL);
	jputs(e, "key", d ? d->key : NULL);
	jputi(e, "value", value);
	json_object_array_add(b->xcopy, e);
	c = check_entry(b, "xcopy_used");
	jputs(c, "plan", p->name);
	jputs(c, "datastore", d ? d->moid : NULL);
	jputi(c, "expect", value);
}

/* expect.xcopy_used as a mapping from plan or datastore key. */
static void
plan_mapping(struct check_build *b, json_object *xu)
{
	const struct check_model *m = b->m;
	size_t i, j;

	json_object_object_foreach(xu, k, v) {
		int pi = check_plan_index(m, k), val = json_object_get_int(v);
		bool hit = false;

		if (pi >= 0) {
			xcopy_add(b, &m->plans[pi], NULL, val);
			continue;
		}
		for (i = 0; i < m->nplans; i++) {
			if (!m->plans[i].copyoffload)
				continue;
			for (j = 0; j < m->plans[i].nds; j++)
				if (str_eq(m->plans[i].ds[j].key, k)) {
					xcopy_add(b, &m->plans[i],
						  &m->plans[i].ds[j], val);
					hit = true;
				}
		}
		if (!hit) {
			int line = 0, col = 0;

			doc_key_loc(m->s->doc, xu, k, &line, &col);
			diags_add(b->d, m->s->path, line, col,
				  "expect.xcopy_used: '%s' is neither a plan "
				  "of the scenario nor a datastore key a "
				  "copy-offload plan uses", k);
		}
	}
}

/* The defaults of plan p: one entry when its datastores agree. */
static void
plan_defaults(struct check_build *b, const struct check_plan *p)
{
	int first = -1, vals[64];
	bool same = true;
	size_t j, n = p->nds < 64 ? p->nds : 64;

	for (j = 0; j < n; j++) {
		vals[j] = p->ds[j].xcopy != 0 && !p->ds[j].snapshots;
		if (first < 0)
			first = vals[j];
		else if (vals[j] != first)
			same = false;
	}
	if (same) {
		xcopy_add(b, p, NULL, first < 0 ? 1 : first);
		return;
	}
	for (j = 0; j < n; j++)
		xcopy_add(b, p, &p->ds[j], vals[j]);
}

static void
plan_xcopy(struct check_build *b)
{
	json_object *xu = jget(b->m->expect, "xcopy_used");
	size_t i;

	if (!str_eq(b->result, "succeeded"))
		return;
	if (json_object_is_type(xu, json_type_object)) {
		plan_mapping(b, xu);
		return;
	}
	for (i = 0; i < b->m->nplans; i++) {
		const struct check_plan *p = &b->m->plans[i];

		if (!p->copyoffload)
			continue;
		if (xu)
			xcopy_add(b, p, NULL, json_object_get_int(xu));
		else
			plan_defaults(b, p);
	}
}

/* The datastore MoID of a disk file "[ds] dir/f.vmdk" of the plan's VMs
 * (vs_vm_info cached by VM name in cache). */
static const char *
disk_datastore(struct check_run *r, json_object *st, json_object *cache,
	       const char *file)
{
	json_object *vms = jget(st, "vms");
	size_t i, j;

	for (i = 0; i < jlen(vms); i++) {
		const char *name =
		    jstr(json_object_array_get_idx(vms, i), "name");
		json_object *info = jget(cache, name ? name : ""), *disks;

		if (name == NULL)
			continue;
		if (info == NULL) {
			struct mtv_err e = { 0 };

			if (check_vs(r, &e) != 0 ||
			    vs_vm_info(r->vs, name, &info, &e) != 0) {
				log_warn("verify: source vm '%s': %s", name,
					 e.msg);
				continue;
			}
			jput(cache, name, info);
		}
		disks = jget(info, "disks");
		for (j = 0; j < jlen(disks); j++) {
			json_object *d = json_object_array_get_idx(disks, j);

			if (str_eq(jstr(d, "file"), file))
				return jstr(d, "datastore");
		}
	}
	return NULL;
}

/* One disk's evidence e against want; false when it does not count. */
static bool
xcopy_disk(struct check_run *r, const char *plan, json_object *e, int want)
{
	json_object *xu = jget(e, "xcopyUsed");
	const char *disk = jstr(e, "disk"), *cm = jstr(e, "cloneMethod");

	/* RDM and VVol disks are cloned by the array itself: xcopyUsed
	 * is 0 by design and says nothing about XCOPY */
	if (str_eq(cm, "rdm") || str_eq(cm, "vvol")) {
		log_info("verify: plan '%s' disk '%s': array-native clone "
			 "(%s), xcopyUsed does not apply", plan, disk, cm);
		return false;
	}
	if (xu == NULL)
		check_fail(r, "plan '%s' disk '%s': xcopyUsed unknown (no task "
			   "annotation, completed populator CR or finished "
			   "populate pod showed it), expected %d", plan, disk,
			   want);
	else if (json_object_get_int(xu) != want)
		check_fail(r, "plan '%s' disk '%s': xcopyUsed %d (%s), "
			   "expected %d%s%s", plan, disk,
			   json_object_get_int(xu), jstr(e, "source") ?
			   jstr(e, "source") : "?", want,
			   cm ? ", clone method " : "", cm ? cm : "");
	return true;
}

/* No disk of x has a value from any source. */
static bool
none_shown(json_object *x)
{
	size_t i;

	for (i = 0; i < jlen(x); i++)
		if (jget(json_object_array_get_idx(x, i), "xcopyUsed"))
			return false;
	return true;
}

/* Where the values of x came from, ", "-joined into sb. */
static const char *
sources(json_object *x, struct strbuf *sb)
{
	static const char *const names[] = {
		"task annotation", "populator CR status", "populate pod log",
	};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		for (j = 0; j < jlen(x); j++)
			if (str_eq(jstr(json_object_array_get_idx(x, j),
					"source"), names[i])) {
				strbuf_addf(sb, "%s%s", sb->len ? ", " : "",
					    names[i]);
				break;
			}
	return sb->len ? strbuf_str(sb) : "no source";
}

static void
run_xcopy(struct check_run *r, json_object *c)
{
	const char *plan = jstr(c, "plan"), *ds = jstr(c, "datastore");
	json_object *st = check_plan_state(r, plan), *x = jget(st, "xcopy"),
		    *cache;
	int want = (int)jint(c, "expect"), bad = r->nfail;
	char *why, *what;
	struct strbuf sb = STRBUF_INIT;
	size_t i, n = 0;

	if (x == NULL) {
		check_fail(r, "plan '%s': no xcopyUsed evidence (the migration "
			   "did not run)", plan);
		return;
	}
	why = step_evidence_missing(r->ctx, EVIDENCE_XCOPY_USED,
				    !none_shown(x));
	if (why) {
		what = xasprintf("plan '%s'%s%s%s", plan, ds ? " datastore '" :
				 "", ds ? ds : "", ds ? "'" : "");
		check_skip(r, "xcopy_used", what, why);
		free(what);
		free(why);
		return;
	}
	cache = json_object_new_object();
	for (i = 0; i < jlen(x); i++) {
		json_object *e = json_object_array_get_idx(x, i);

		if (ds && !str_eq(disk_datastore(r, st, cache,
						 jstr(e, "disk")), ds))
			continue;
		n += xcopy_disk(r, plan, e, want);
	}
	if (n == 0)
		check_fail(r, "plan '%s': no disk%s%s%s was transferred, so "
			   "xcopyUsed=%d cannot be shown", plan,
			   ds ? " on datastore '" : "", ds ? ds : "",
			   ds ? "'" : "", want);
	else if (r->nfail == bad)
		check_pass(r, "plan '%s': xcopyUsed=%d on %zu disk%s%s%s (%s)",
			   plan, want, n, n == 1 ? "" : "s", ds ? " of " : "",
			   ds ? ds : "", sources(x, &sb));
	strbuf_release(&sb);
	json_object_put(cache);
}

const struct check_kind check_xcopy_used = {
	.name = "xcopy_used",
	.summary = "the populate pods report xcopyUsed as expected",
	.when = CHECK_EARLY,
	.plan = plan_xcopy,
	.run = run_xcopy,
};
