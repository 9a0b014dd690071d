/* guest_agent: the guest agent of every migrated VM connects: its
 * VirtualMachineInstance has the condition AgentConnected within
 * guest_agent_timeout (default 301 s, as the pytest suite's check_vms
 * waits), the VM started for it when it is off. On by default; a VM with
 * guest_agent: false is left out unless expect.checks names it. */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "step/check/check.h"
#include "step/cluster.h"

static bool
wanted(const struct check_vm *v)
{
	return v->guest_agent != 0;
}

static void
plan_guest_agent(struct check_build *b)
{
	const struct check_model *m = b->m;

	if (wanted(&m->vms[m->plans[b->plan].vms[b->vm]]))
		check_guest_entry(b, "guest_agent");
}

static void
plan_listed(struct check_build *b)
{
	check_guest_entry(b, "guest_agent");
}

static void
listed_guest_agent(struct check_build *b, json_object *e, size_t at)
{
	check_vm_listed(b, e, at, NULL, plan_listed);
}

struct agent_wait {
	json_object *last;
};

/* Done when the VMI has AgentConnected True. */
static int
agent_connected(const char *type, json_object *obj, void *arg,
		struct mtv_err *err)
{
	struct agent_wait *w = arg;
	json_object *k = cl_cond(obj, "AgentConnected");

	(void)err;
	if (str_eq(type, "DELETED"))
		return 0;
	json_object_put(w->last);
	w->last = json_object_get(obj);
	return str_eq(jstr(k, "status"), "True");
}

static void
run_guest_agent(struct check_run *r, json_object *c)
{
	struct agent_wait w = { NULL };
	struct mtv_err e = { 0 };
	char *ns = NULL, *name = NULL, *path, *sel;
	time_t t0 = time(NULL);
	int t = (int)jint(c, "timeout"), rc;
	json_object *st;

	if (!check_guest_up(r, c, &ns, &name))
		return;
	if (t <= 0 || t > step_time_left(r->ctx))
		t = step_time_left(r->ctx);
	path = kube_path("VirtualMachineInstance", ns, NULL);
	sel = xasprintf("metadata.name=%s", name);
	rc = cl_wait(r->ctx, r->k, path, sel, NULL, t, agent_connected, &w,
		     &e);
	st = jget(w.last, "status");
	check_evidence(r, "agent_connected", json_object_get(
		       cl_cond(w.last, "AgentConnected")));
	check_evidence(r, "guest_os", json_object_get(jget(st,
		       "guestOSInfo")));
	check_evidence(r, "waited_seconds", json_object_new_int64(
		       (long long)(time(NULL) - t0)));
	if (rc == 0)
		check_pass(r, "vm '%s': the guest agent is connected", name);
	else if (rc == MTV_ETIMEOUT)
		check_fail(r, "vm '%s': the guest agent did not connect "
			   "within %d s (no AgentConnected condition on its "
			   "VirtualMachineInstance)", name, t);
	else
		check_fail(r, "vm '%s': guest agent: %s", name, e.msg);
	json_object_put(w.last);
	free(sel);
	free(path);
	free(ns);
	free(name);
}

const struct check_kind check_guest_agent = {
	.name = "guest_agent",
	.summary = "the guest agent of the migrated VM connects",
	.when = CHECK_PER_VM,
	.plan = plan_guest_agent,
	.listed = listed_guest_agent,
	.run = run_guest_agent,
};
