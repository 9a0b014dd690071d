/* step_clone.c: the 'clone' step: CloneVM_Task of the template to a
 * run-owned VM, undone by power off, snapshot removal and destroy. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/step.h"
#include "step/vs_step.h"
#include "step/journal.h"

/* The pool a clone of a template needs: the named one, else the root pool
 * of the compute resource holding the host (or the template's host). */
static int
find_pool(struct vs_client *vs, json_object *params, const char *host,
	  char **out, struct mtv_err *err)
{
	char *ptype = NULL, *parent = NULL, *rtype = NULL;
	int r;

	if (jstr(params, "resource_pool"))
		return vs_find(vs, "ResourcePool",
			       jstr(params, "resource_pool"), out, err);
	r = vs_prop_ref(vs, "HostSystem", host, "parent", &ptype, &parent, err);
	if (r == 0)
		r = vs_prop_ref(vs, ptype, parent, "resourcePool", &rtype, out,
				err);
	free(ptype);
	free(parent);
	free(rtype);
	return r;
}

static void
add_ref(struct strbuf *sb, const char *elem, const char *type,
	const char *moid)
{
	strbuf_addf(sb, "<%s type=\"%s\">", elem, type);
	strbuf_add_xml(sb, moid);
	strbuf_addf(sb, "</%s>", elem);
}

/* A data object without MoRefs (connectable, slotInfo, port), generically. */
static void
add_plain(struct strbuf *sb, const char *elem, json_object *o)
{
	struct json_object_iterator it, end;
	size_t i;

	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			add_plain(sb, elem, json_object_array_get_idx(o, i));
		return;
	}
	if (!json_object_is_type(o, json_type_object)) {
		strbuf_addf(sb, "<%s>", elem);
		strbuf_add_xml(sb, json_object_get_string(o));
		strbuf_addf(sb, "</%s>", elem);
		return;
	}
	strbuf_addf(sb, "<%s", elem);
	if (jstr(o, "_type"))
		strbuf_addf(sb, " xsi:type=\"%s\"", jstr(o, "_type"));
	strbuf_adds(sb, ">");
	it = json_object_iter_begin(o);
	end = json_object_iter_end(o);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it))
		if (strcmp(json_object_iter_peek_name(&it), "_type") != 0)
			add_plain(sb, json_object_iter_peek_name(&it),
				  json_object_iter_peek_value(&it));
	strbuf_addf(sb, "</%s>", elem);
}

/* Network cards of the template come back with a new generated MAC
 * (a clone keeps the template's otherwise): an edit with an empty
 * macAddress, the rest of the device as it was (WSDL order). */
static void
add_nic_edits(struct strbuf *a, json_object *devs)
{
	size_t i;

	for (i = 0; vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i), *b = jget(d, "backing");
		const char *t = jstr(d, "_type");

		if (jstr(d, "macAddress") == NULL || t == NULL || b == NULL)
			continue;
		strbuf_addf(a, "<deviceChange><operation>edit</operation>"
			    "<device xsi:type=\"%s\"><key>%s</key>", t,
			    jstr(d, "key"));
		if (jget(d, "deviceInfo"))
			add_plain(a, "deviceInfo", jget(d, "deviceInfo"));
		if (jstr(b, "network")) {
			strbuf_addf(a, "<backing xsi:type=\"%s\"><deviceName>",
				    jstr(b, "_type"));
			strbuf_add_xml(a, jstr(b, "deviceName") ?
					  jstr(b, "deviceName") : "");
			strbuf_adds(a, "</deviceName>");
			add_ref(a, "network", "Network", jstr(b, "network"));
			strbuf_adds(a, "</backing>");
		} else {
			add_plain(a, "backing", b);
		}
		if (jget(d, "connectable"))
			add_plain(a, "connectable", jget(d, "connectable"));
		if (jstr(d, "controllerKey"))
			strbuf_addf(a, "<controllerKey>%s</controllerKey>",
				    jstr(d, "controllerKey"));
		if (jstr(d, "unitNumber"))
			strbuf_addf(a, "<unitNumber>%s</unitNumber>",
				    jstr(d, "unitNumber"));
		strbuf_adds(a, "<addressType>generated</addressType>"
			    "<macAddress></macAddress></device></deviceChange>");
	}
}

/* The spec: location (WSDL order: datastore, pool, host, disk*), template,
 * config (deviceChange, extraConfig, changeTrackingEnabled), powerOn. */
static void
build_spec(struct strbuf *a, json_object *params, const char *folder,
	   const char *pool, const char *host, json_object *devs)
{
	const char *ds = jstr(params, "datastore");
	const char *dt = jstr(params, "disk_type");
	bool cbt = jbool(params, "cbt");
	size_t i, j;

	add_ref(a, "folder", "Folder", folder);
	strbuf_adds(a, "<name>");
	strbuf_add_xml(a, jstr(params, "vm"));
	strbuf_adds(a, "</name><spec><location>");
	if (ds)
		add_ref(a, "datastore", "Datastore", ds);
	add_ref(a, "pool", "ResourcePool", pool);
	if (host)
		add_ref(a, "host", "HostSystem", host);
	for (i = 0; ds && vs_jlist(devs, i); i++) {
		json_object *d = vs_jlist(devs, i), *b = jget(d, "backing");

		if (!str_eq(jstr(d, "_type"), "VirtualDisk"))
			continue;
		strbuf_addf(a, "<disk><diskId>%s</diskId>", jstr(d, "key"));
		add_ref(a, "datastore", "Datastore", ds);
		if (dt)
			strbuf_addf(
				a,
				"<diskBackingInfo xsi:type=\"VirtualDiskFlatVer2BackingInfo\">"
				"<fileName></fileName><diskMode>%s</diskMode>"
				"<thinProvisioned>%s</thinProvisioned>"
				"<eagerlyScrub>%s</eagerlyScrub></diskBackingInfo>",
				jstr(b, "diskMode") ? jstr(b, "diskMode")
						    : "persistent",
				str_eq(dt, "thin") ? "true" : "false",
				str_eq(dt, "thick-eager") ? "true" : "false");
		strbuf_adds(a, "</disk>");
	}
	if (dt)
		strbuf_addf(a, "<transform>%s</transform>",
			    str_eq(dt, "thin") ? "sparse" : "flat");
	strbuf_adds(a, "</location><template>false</template><config>");
	add_nic_edits(a, devs);
	if (cbt) {
		for (i = 0; vs_jlist(devs, i); i++) {
			json_object *d = vs_jlist(devs, i);
			const char *bus = NULL;

			if (!str_eq(jstr(d, "_type"), "VirtualDisk"))
				continue;
			for (j = 0; vs_jlist(devs, j); j++)
				if (str_eq(jstr(vs_jlist(devs, j), "key"),
					   jstr(d, "controllerKey")))
					bus = jstr(vs_jlist(devs, j),
						   "busNumber");
			if (bus == NULL)
				continue;
			strbuf_addf(
				a,
				"<extraConfig><key>scsi%s:%s.ctkEnabled</key>"
				"<value xsi:type=\"xsd:string\">TRUE</value></extraConfig>",
				bus, jstr(d, "unitNumber"));
		}
		strbuf_adds(a, "<changeTrackingEnabled>true"
			    "</changeTrackingEnabled>");
	}
	strbuf_adds(a, "</config><powerOn>false</powerOn></spec>");
}

/* DRS off for the clone through a cluster VM override. */
static int
drs_override(struct vs_client *vs, const char *vm, const char *host,
	     const char *what, int timeout, struct mtv_err *err)
{
	char *ptype = NULL, *cluster = NULL;
	struct strbuf a = STRBUF_INIT;
	int r;

	r = vs_prop_ref(vs, "HostSystem", host, "parent", &ptype, &cluster,
			err);
	if (r != 0)
		goto out;
	if (!str_eq(ptype, "ClusterComputeResource")) {
		r = 0;
		goto out;
	}
	strbuf_adds(&a,
		    "<spec xsi:type=\"ClusterConfigSpecEx\"><drsVmConfigSpec>"
		    "<operation>add</operation><info>");
	add_ref(&a, "key", "VirtualMachine", vm);
	strbuf_adds(&a,
		    "<enabled>false</enabled></info></drsVmConfigSpec></spec>"
		    "<modify>true</modify>");
	r = vs_invoke(vs, "ReconfigureComputeResource_Task",
		      "ClusterComputeResource", cluster, a.buf, what, timeout,
		      NULL, err);
out:
	free(ptype);
	free(cluster);
	strbuf_release(&a);
	return r;
}

static int
exec_clone(struct step_ctx *ctx, json_object *step, json_object **undo,
	   struct mtv_err *err)
{
	static const char *const tpaths[] = { "config.hardware.device",
					      "runtime.host", NULL };
	static const char *const vpaths[] = { "runtime.host", NULL };
	json_object *params = jget(step, "params"), *tp = NULL, *vp = NULL,
		    *rec;
	const char *name = jstr(params, "vm"), *tmpl = jstr(params, "template");
	char *tm = NULL, *host = NULL, *pool = NULL, *folder = NULL,
	     *ftype = NULL, *vm = NULL;
	struct vs_client *vs = NULL;
	struct strbuf a = STRBUF_INIT;
	int r;

	r = step_vsphere(ctx, &vs, err);
	if (r != 0)
		goto out;
	r = vs_find(vs, "VirtualMachine", tmpl, &tm, err);
	if (r != 0) {
		err_set(err, r, "template '%s' not found", tmpl);
		goto out;
	}
	r = vs_props(vs, "VirtualMachine", tm, tpaths, &tp, err);
	if (r != 0)
		goto out;
	if (jstr(params, "host")) {
		r = vs_find(vs, "HostSystem", jstr(params, "host"), &host, err);
		if (r != 0)
			goto out;
	} else if (jstr(params, "same_host_as")) {
		json_object *o =
			state_get(ctx, "vms", jstr(params, "same_host_as"));

		if (o && jstr(o, "host"))
			host = xstrdup(jstr(o, "host"));
	}
	r = find_pool(vs, params, host ? host : jstr(tp, "runtime.host"), &pool,
		      err);
	if (r != 0)
		goto out;
	r = vs_prop_ref(vs, "VirtualMachine", tm, "parent", &ftype, &folder,
			err);
	if (r != 0)
		goto out;
	build_spec(&a, params, folder, pool, host,
		   jget(tp, "config.hardware.device"));
	*undo = json_object_new_object();
	json_object_object_add(*undo, "name", json_object_new_string(name));
	step_journal_add(ctx, step, *undo);
	r = vs_invoke(vs, "CloneVM_Task", "VirtualMachine", tm, a.buf, tmpl,
		      step_time_left(ctx), &vm, err);
	/* a clone whose reply was lost and was sent again finds its twin */
	if (r != 0 && str_eq(vs_last_fault(vs), "DuplicateName") &&
	    ctx->run_id && str_startswith(name, ctx->run_id)) {
		r = vs_find(vs, "VirtualMachine", name, &vm, err);
	}
	if (r != 0)
		goto out;
	json_object_object_add(*undo, "moid", json_object_new_string(vm));
	step_journal_add(ctx, step, *undo);
	r = vs_props(vs, "VirtualMachine", vm, vpaths, &vp, err);
	if (r != 0)
		goto out;
	rec = json_object_new_object();
	json_object_object_add(rec, "moid", json_object_new_string(vm));
	json_object_object_add(rec, "name", json_object_new_string(name));
	json_object_object_add(
		rec, "host",
		jstr(vp, "runtime.host")
			? json_object_new_string(jstr(vp, "runtime.host"))
			: NULL);
	state_set(ctx, "vms", jstr(params, "vm_ref"), rec);
	if (jbool(params, "disable_drs") && jstr(vp, "runtime.host")) {
		r = drs_override(vs, vm, jstr(vp, "runtime.host"), name,
				 step_time_left(ctx), err);
		if (r != 0) {
			log_warn("DRS override for '%s' not set: %s", name,
				 err->msg);
			r = 0;
		}
	}
	log_verbose("cloned '%s' from '%s' (%s)", name, tmpl, vm);
out:
	json_object_put(tp);
	json_object_put(vp);
	free(tm);
	free(host);
	free(pool);
	free(folder);
	free(ftype);
	free(vm);
	strbuf_release(&a);
	return r;
}

static int
undo_clone(struct step_ctx *ctx, json_object *step, json_object *undo,
	   struct mtv_err *err)
{
	struct vs_client *vs = NULL;
	const char *name = jstr(undo, "name");
	char *vm = NULL;
	int r;

	(void)step;
	if (undo == NULL)
		return 0;
	r = step_vsphere(ctx, &vs, err);
	if (r != 0)
		return r;
	if (jstr(undo, "moid"))
		vm = xstrdup(jstr(undo, "moid"));
	else if ((r = vs_find(vs, "VirtualMachine", name, &vm, err)) != 0)
		return r == MTV_ENOTFOUND ? 0 : r;
	r = vstep_vm_destroy(vs, vm, name ? name : vm, step_time_left(ctx),
			     err);
	free(vm);
	return r;
}

/* One clone of VM at->vm; with same_host_as it waits for vm0's (plan.c). */
static void
plan_clone(struct mtv_model *m, const struct step_at *at)
{
	struct model_vm *v = &m->vms[at->vm];
	bool same = model_top_bool(m, "clone_to_same_host");
	const char *host = jstr(v->node, "target_esxi_host");
	json_object *pa;
	struct model_step st = { .plan = v->plan };
	char *obj, *undo;

	if (!v->clone)
		return;
	pa = json_object_new_object();
	jputs(pa, "vm_ref", v->ref);
	jputs(pa, "vm", v->name);
	jputs(pa, "template", v->tmpl);
	model_ds_json(pa, &v->ds);
	jputs(pa, "host", host ? host : profile_co(m->p, "esxi_host"));
	jputs(pa, "same_host_as", same && at->vm > 0 ? "vm0" : NULL);
	jputs(pa, "resource_pool", profile_co(m->p, "resource_pool"));
	jputs(pa, "disk_type", jstr(v->node, "disk_type"));
	jputb(pa, "cbt", v->plan >= 0 && m->plans[v->plan].warm);
	jputb(pa, "disable_drs", model_top_bool(m, "disable_drs_for_vms"));
	obj = xasprintf("vm/%s", v->name);
	undo = xasprintf("destroy VM %s", v->name);
	st.object = obj;
	st.undo = undo;
	st.params = pa;
	step_plan_add(m, at->kind, &st, "clone %s from %s%s%s", v->name,
		      v->tmpl, v->ds.moid ? " to " : "",
		      v->ds.moid ? v->ds.moid : "");
	free(obj);
	free(undo);
}

static const struct step_param clone_params[] = {
	{ "vm_ref", PT_STRING, true, "logical VM key (vm0, vm1, ...)" },
	{ "vm", PT_STRING, true, "clone name" },
	{ "template", PT_STRING, true, "template to clone" },
	{ "datastore", PT_STRING | PT_NULL, true, "datastore MoID" },
	{ "datastore_key", PT_STRING, true, "where the datastore came from" },
	{ "host", PT_STRING | PT_NULL, true, "ESXi host to place the clone on" },
	{ "same_host_as", PT_STRING | PT_NULL, true, "vm_ref whose host to use" },
	{ "resource_pool", PT_STRING | PT_NULL, true, "resource pool" },
	{ "disk_type", PT_STRING | PT_NULL, true, "thin, thick-lazy, thick-eager" },
	{ "cbt", PT_BOOL, true, "enable changed block tracking" },
	{ "disable_drs", PT_BOOL, true, "DRS override: manual" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_clone = {
	.name = "clone",
	.summary = "clone the template into a run-owned VM",
	.flags = STEP_SOURCE,
	.params = clone_params,
	.plan = plan_clone,
	.exec = exec_clone,
	.undo = undo_clone,
};
