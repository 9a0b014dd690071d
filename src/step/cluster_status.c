/* cluster_status.c: pure readers of Forklift Plan and Migration status
 * and of populate pod logs (see cluster.h). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"

static json_object *
status_vms(json_object *obj)
{
	json_object *vms = jget(jget(jget(obj, "status"), "migration"), "vms");

	if (vms == NULL)
		vms = jget(jget(obj, "status"), "vms");	/* a Migration */
	return vms && json_object_is_type(vms, json_type_array) ? vms : NULL;
}

static json_object *
pipeline_step(json_object *vm, const char *name)
{
	json_object *pl = jget(vm, "pipeline");
	size_t i;

	if (pl == NULL || !json_object_is_type(pl, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(pl); i++) {
		json_object *s = json_object_array_get_idx(pl, i);

		if (str_eq(jstr(s, "name"), name))
			return s;
	}
	return NULL;
}

json_object *
cl_xcopy_from_status(json_object *obj)
{
	json_object *out = json_object_new_array(), *vms = status_vms(obj);
	size_t i, j;

	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i);
		json_object *dt = pipeline_step(vm, "DiskTransfer"),
			    *tasks = jget(dt, "tasks");

		for (j = 0; tasks && j < json_object_array_length(tasks); j++) {
			json_object *t = json_object_array_get_idx(tasks, j);
			json_object *ann = jget(t, "annotations"),
				    *e = json_object_new_object();
			const char *tn = jstr(t, "name"),
				   *xu = jstr(ann, "xcopyUsed");

			json_object_object_add(e, "vm", json_object_new_string(
				jstr(vm, "id") ? jstr(vm, "id") : ""));
			json_object_object_add(
			    e, "vm_name",
			    json_object_new_string(
				jstr(vm, "name") ? jstr(vm, "name") : ""));
			json_object_object_add(
			    e, "disk", json_object_new_string(tn ? tn : ""));
			if (tn && tn[0] == '[' && strchr(tn, ']')) {
				json_object_object_add(
				    e, "datastore_name",
				    json_object_new_string_len(
					tn + 1,
					(int)(strchr(tn, ']') - tn - 1)));
			} else {
				json_object_object_add(e, "datastore_name",
						       NULL);
			}
			json_object_object_add(
			    e, "xcopyUsed",
			    xu && *xu ? json_object_new_int(atoi(xu)) : NULL);
			json_object_object_add(
			    e, "cloneMethod",
			    jstr(ann, "cloneMethod")
				? json_object_new_string(
				      jstr(ann, "cloneMethod"))
				: NULL);
			json_object_object_add(
			    e, "phase",
			    jstr(t, "phase")
				? json_object_new_string(jstr(t, "phase"))
				: NULL);
			json_object_array_add(out, e);
		}
	}
	return out;
}

json_object *
cl_disk_transfer_from_status(json_object *obj)
{
	json_object *out = json_object_new_array(), *vms = status_vms(obj);
	size_t i;

	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i);
		json_object *dt = pipeline_step(vm, "DiskTransfer"), *e;

		if (dt == NULL || jstr(dt, "started") == NULL)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "vm", json_object_new_string(
			jstr(vm, "id") ? jstr(vm, "id") : ""));
		json_object_object_add(
		    e, "started", json_object_new_string(jstr(dt, "started")));
		json_object_object_add(e, "completed", jstr(dt, "completed") ?
			json_object_new_string(jstr(dt, "completed")) : NULL);
		json_object_array_add(out, e);
	}
	return out;
}

/* Copy member key of from to to as a string, or null. */
static void
put_str(json_object *to, const char *key, json_object *from)
{
	const char *v = jstr(from, key);

	json_object_object_add(to, key, v ? json_object_new_string(v) : NULL);
}

/* A task's error reasons, "; "-joined, or null. */
static json_object *
task_error(json_object *t)
{
	json_object *rs = jget(jget(t, "error"), "reasons"), *o;
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < jlen(rs); i++)
		strbuf_addf(&sb, "%s%s", i ? "; " : "", json_object_get_string(
			    json_object_array_get_idx(rs, i)));
	o = jget(t, "error") ? json_object_new_string(sb.len ?
		strbuf_str(&sb) : "failed") : NULL;
	strbuf_release(&sb);
	return o;
}

json_object *
cl_disk_tasks_from_status(json_object *obj)
{
	json_object *out = json_object_new_array(), *vms = status_vms(obj);
	size_t i, j;

	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i);
		json_object *tasks = jget(pipeline_step(vm, "DiskTransfer"),
					  "tasks");
		const char *id = jstr(vm, "id");

		for (j = 0; tasks && json_object_is_type(tasks,
		     json_type_array) && j < json_object_array_length(tasks);
		     j++) {
			json_object *t = json_object_array_get_idx(tasks, j),
				    *e = json_object_new_object(),
				    *tot = jget(jget(t, "progress"), "total");
			const char *unit = jstr(jget(t, "annotations"),
						"unit");

			json_object_object_add(e, "vm",
				json_object_new_string(id ? id : ""));
			json_object_object_add(e, "disk", json_object_new_string(
				jstr(t, "name") ? jstr(t, "name") : ""));
			put_str(e, "phase", t);
			json_object_object_add(e, "error", task_error(t));
			put_str(e, "started", t);
			put_str(e, "completed", t);
			json_object_object_add(e, "total", tot ?
				json_object_new_int64(json_object_get_int64(
				tot)) : NULL);
			json_object_object_add(e, "unit",
				json_object_new_string(unit ? unit : "MB"));
			json_object_array_add(out, e);
		}
	}
	return out;
}

char *
cl_progress(json_object *obj)
{
	struct strbuf sb = STRBUF_INIT;
	json_object *vms = status_vms(obj);
	size_t i, j;

	strbuf_adds(&sb, "");
	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i),
			    *pl = jget(vm, "pipeline");
		json_object *cur = NULL,
			    *dt = pipeline_step(vm, "DiskTransfer");

		for (j = 0; pl && j < json_object_array_length(pl); j++) {
			json_object *s = json_object_array_get_idx(pl, j);

			if (str_eq(jstr(s, "phase"), "Running") ||
			    (cur == NULL &&
			     !str_eq(jstr(s, "phase"), "Completed")))
				cur = s;
			if (str_eq(jstr(s, "phase"), "Running"))
				break;
		}
		strbuf_addf(&sb, "%svm '%s': %s", sb.len ? "; " : "",
			    jstr(vm, "name") ? jstr(vm, "name")
					     : jstr(vm, "id"),
			    jstr(vm, "phase") ? jstr(vm, "phase") : "Pending");
		if (cur)
			strbuf_addf(&sb, ", step %s", jstr(cur, "name"));
		if (dt && jget(dt, "progress"))
			strbuf_addf(&sb, ", %lld/%lld MB",
				    jint(jget(dt, "progress"), "completed"),
				    jint(jget(dt, "progress"), "total"));
	}
	return strbuf_detach(&sb);
}

static void
add_error(struct strbuf *sb, const char *who, json_object *e)
{
	json_object *reasons = jget(e, "reasons");
	struct strbuf r = STRBUF_INIT;
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; reasons && i < json_object_array_length(reasons); i++)
		strbuf_addf(&r, " %s",
			    json_object_get_string(
				json_object_array_get_idx(reasons, i)));
	/* the same reason bubbles up from task to step to VM: say it once */
	if (r.len && sb->len && strstr(strbuf_str(sb), strbuf_str(&r))) {
		strbuf_release(&r);
		return;
	}
	strbuf_addf(sb, "%s%s", sb->len ? "; " : "", who);
	if (jstr(e, "phase"))
		strbuf_addf(sb, " (phase %s)", jstr(e, "phase"));
	strbuf_addf(sb, ":%s", strbuf_str(&r));
	strbuf_release(&r);
}

char *
cl_failure(json_object *obj)
{
	struct strbuf sb = STRBUF_INIT;
	json_object *vms = status_vms(obj);
	size_t i, j, t;

	strbuf_adds(&sb, "");
	for (i = 0; vms && i < json_object_array_length(vms); i++) {
		json_object *vm = json_object_array_get_idx(vms, i),
			    *pl = jget(vm, "pipeline");
		const char *vn =
		    jstr(vm, "name") ? jstr(vm, "name") : jstr(vm, "id");
		char *who;

		who = xasprintf("vm '%s'", vn ? vn : "?");
		add_error(&sb, who, jget(vm, "error"));
		free(who);
		for (j = 0; pl && j < json_object_array_length(pl); j++) {
			json_object *s = json_object_array_get_idx(pl, j),
				    *tasks = jget(s, "tasks");

			who = xasprintf("vm '%s' step %s", vn ? vn : "?",
					jstr(s, "name"));
			add_error(&sb, who, jget(s, "error"));
			free(who);
			for (t = 0;
			     tasks && t < json_object_array_length(tasks);
			     t++) {
				json_object *task =
				    json_object_array_get_idx(tasks, t);

				who = xasprintf("vm '%s' step %s task '%s'",
						vn ? vn : "?", jstr(s, "name"),
						jstr(task, "name"));
				add_error(&sb, who, jget(task, "error"));
				free(who);
			}
		}
	}
	cl_blockers(obj, &sb);
	return strbuf_detach(&sb);
}

const char *
cl_terminal(json_object *obj, const char *migration_uid)
{
	static const char *const ends[] = { "Succeeded", "Failed", "Canceled",
					    NULL };
	json_object *hist =
	    jget(jget(jget(obj, "status"), "migration"), "history");
	size_t i;

	if (migration_uid && hist &&
	    json_object_is_type(hist, json_type_array) &&
	    json_object_array_length(hist) > 0) {
		json_object *h = json_object_array_get_idx(hist,
			json_object_array_length(hist) - 1);

		if (!str_eq(jstr(jget(h, "migration"), "uid"), migration_uid))
			return NULL;
	} else if (migration_uid && str_eq(cl_kind(obj), "Plan")) {
		return NULL;
	}
	for (i = 0; ends[i]; i++)
		if (cl_cond(obj, ends[i]))
			return ends[i];
	return NULL;
}

bool
cl_pod_log_xcopy(const char *log, char **disk, int *used)
{
	const char *p, *q;
	bool found = false;

	*disk = NULL;
	*used = -1;
	if (log == NULL)
		return false;
	/* the disk: source_vmdk="[ds] dir/file.vmdk" (klog quotes it) */
	if ((p = strstr(log, "source_vmdk=\"")) != NULL) {
		p += strlen("source_vmdk=\"");
		q = strchr(p, '"');
		if (q)
			*disk = xstrndup(p, (size_t)(q - p));
	}
	/* the last xcopyUsed=N wins */
	for (p = log; (p = strstr(p, "xcopyUsed=")) != NULL; p++) {
		const char *v = p + strlen("xcopyUsed=");

		if (*v == '"')
			v++;
		if (*v == '0' || *v == '1') {
			*used = *v - '0';
			found = true;
		}
	}
	return found;
}

json_object *
cl_true_conditions(json_object *obj)
{
	json_object *cs = jget(jget(obj, "status"), "conditions"),
		    *out = json_object_new_array();
	size_t i;

	for (i = 0; i < jlen(cs); i++) {
		json_object *c = json_object_array_get_idx(cs, i);

		if (str_eq(jstr(c, "status"), "True") && jstr(c, "type"))
			jarr_adds(out, jstr(c, "type"));
	}
	return out;
}
