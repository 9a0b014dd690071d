/* gather_vsphere.c: the vSphere side of a failed run's evidence
 * (gather.h): the events and tasks of the VMs the run made. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/gather.h"
#include "vsphere/vsphere.h"

#define HISTORY_MAX 200		/* events, tasks per VM */

/* "TIME TYPE: message" per event. */
static char *
events_text(json_object *evs)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < jlen(evs); i++) {
		json_object *e = json_object_array_get_idx(evs, i);

		strbuf_addf(&sb, "%s %s: %s\n",
			    jstr(e, "createdTime") ? jstr(e, "createdTime") : "-",
			    jstr(e, "_type") ? jstr(e, "_type") : "Event",
			    jstr(e, "fullFormattedMessage") ?
			    jstr(e, "fullFormattedMessage") : "");
	}
	return strbuf_detach(&sb);
}

/* "START TASK STATE[: error]" per task. */
static char *
tasks_text(json_object *ts)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < jlen(ts); i++) {
		json_object *t = json_object_array_get_idx(ts, i),
			    *e = jget(t, "error");
		const char *what = jstr(t, "descriptionId") ?
			jstr(t, "descriptionId") : jstr(t, "name");

		strbuf_addf(&sb, "%s %s %s", jstr(t, "startTime") ?
			    jstr(t, "startTime") : jstr(t, "queueTime"),
			    what ? what : "?",
			    jstr(t, "state") ? jstr(t, "state") : "?");
		if (e)
			strbuf_addf(&sb, ": %s", jstr(e, "localizedMessage") ?
				    jstr(e, "localizedMessage") : "error");
		strbuf_addc(&sb, '\n');
	}
	return strbuf_detach(&sb);
}

/* Save list as vsphere/VM/WHAT.yaml and, through text, WHAT.txt. */
static void
save_list(struct gather *g, const char *vm, const char *what,
	  json_object *list, char *(*text)(json_object *))
{
	char *name = xasprintf("vsphere/%s/%s.yaml", vm, what),
	     *s = json_to_yaml(list);

	g->put(name, s, g->arg);
	free(s);
	free(name);
	name = xasprintf("vsphere/%s/%s.txt", vm, what);
	s = text(list);
	g->put(name, s, g->arg);
	free(s);
	free(name);
}

/* The events and tasks of one VM; *recent_noted: the note that tasks come
 * from recentTask was made. */
static void
vm_history(struct gather *g, struct vs_client *vs, const char *moid,
	   const char *name, bool *recent_noted)
{
	json_object *list = NULL;
	struct mtv_err e = { 0 };
	bool recent = false;

	if (vs_events(vs, "VirtualMachine", moid, HISTORY_MAX, &list, &e) == 0)
		save_list(g, name, "events", list, events_text);
	else
		gather_note(g, "vSphere events of VM %s: %s", name, e.msg);
	json_object_put(list);
	list = NULL;
	if (gather_late(g))
		return;
	err_clear(&e);
	if (vs_tasks(vs, "VirtualMachine", moid, HISTORY_MAX, &list, &recent,
		     &e) == 0)
		save_list(g, name, "tasks", list, tasks_text);
	else
		gather_note(g, "vSphere tasks of VM %s: %s", name, e.msg);
	if (recent && !*recent_noted) {
		*recent_noted = true;
		gather_note(g, "vSphere tasks: this endpoint has no task "
			    "history collector (CreateCollectorForTasks); "
			    "tasks are those of TaskManager.recentTask");
	}
	json_object_put(list);
}

void
gather_vsphere(struct gather *g)
{
	struct step_ctx *ctx = g->ctx;
	struct vs_client *vs = NULL;
	json_object *vms = NULL;
	struct mtv_err e = { 0 };
	bool recent_noted = false;

	pthread_mutex_lock(&ctx->lock);
	if (json_object_object_get_ex(ctx->state, "vms", &vms))
		vms = json_object_get(vms);
	pthread_mutex_unlock(&ctx->lock);
	if (vms == NULL || json_object_object_length(vms) == 0) {
		json_object_put(vms);
		return;
	}
	if (step_vsphere(ctx, &vs, &e) != 0) {
		gather_note(g, "vSphere: %s", e.msg);
		json_object_put(vms);
		return;
	}
	json_object_object_foreach(vms, ref, rec) {
		const char *moid = jstr(rec, "moid");

		if (moid == NULL || gather_late(g))
			continue;
		vm_history(g, vs, moid, jstr(rec, "name") ? jstr(rec, "name") :
			   ref, &recent_noted);
	}
	json_object_put(vms);
}
