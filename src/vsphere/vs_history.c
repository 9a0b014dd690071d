/* vs_history.c: the events and tasks of one entity (vsphere.h), for the
 * artifacts of a failed run: EventManager.QueryEvents and a
 * TaskHistoryCollector (vim25 EventManager, TaskManager). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vsphere/vs_int.h"

/* <entity><entity type=T>MOID</entity><recursion>self</recursion></entity>,
 * the EventFilterSpecByEntity / TaskFilterSpecByEntity of both specs. */
static void
by_entity(struct strbuf *sb, const char *type, const char *moid)
{
	strbuf_addf(sb, "<entity><entity type=\"%s\">", type);
	strbuf_add_xml(sb, moid);
	strbuf_adds(sb, "</entity><recursion>self</recursion></entity>");
}

/* Every returnval of resp as JSON, appended to arr. */
static void
returnvals(json_object *arr, xmlNodePtr resp)
{
	xmlNodePtr rv;

	for (rv = vs_xml_child(resp, "returnval"); rv;
	     rv = vs_xml_next(rv, "returnval"))
		json_object_array_add(arr, vs_xml_to_json(rv));
}

/* Oldest first: vCenter hands events newest first. */
static void
reverse(json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	for (i = 0; i < n / 2; i++) {
		json_object *a = json_object_get(
			json_object_array_get_idx(arr, i));
		json_object *b = json_object_get(
			json_object_array_get_idx(arr, n - 1 - i));

		json_object_array_put_idx(arr, i, b);
		json_object_array_put_idx(arr, n - 1 - i, a);
	}
}

int
vs_events(struct vs_client *vs, const char *type, const char *moid, int max,
	  json_object **out, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	int r;

	*out = NULL;
	if (vs->event_mgr == NULL)
		return err_set(err, MTV_EPROTO, "'%s' has no EventManager",
			       vs->url);
	strbuf_adds(&a, "<filter>");
	by_entity(&a, type, moid);
	strbuf_addf(&a, "<maxCount>%d</maxCount></filter>", max);
	r = vs_call(vs, "QueryEvents", "EventManager", vs->event_mgr, a.buf,
		    moid, &doc, &resp, err);
	strbuf_release(&a);
	if (r != 0)
		return r;
	*out = json_object_new_array();
	returnvals(*out, resp);
	xmlFreeDoc(doc);
	reverse(*out);
	return 0;
}

/* The tasks of the entity through a TaskHistoryCollector (pages of
 * ReadNextTasks, then DestroyCollector). */
static int
tasks_collected(struct vs_client *vs, const char *type, const char *moid,
		int max, json_object *arr, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	struct mtv_err e = { 0 };
	char *coll = NULL;
	int r;

	strbuf_adds(&a, "<filter>");
	by_entity(&a, type, moid);
	strbuf_adds(&a, "</filter>");
	r = vs_call(vs, "CreateCollectorForTasks", "TaskManager", vs->task_mgr,
		    a.buf, moid, &doc, &resp, err);
	if (r != 0)
		goto out;
	coll = vs_ret_field(resp, NULL);
	xmlFreeDoc(doc);
	doc = NULL;
	/* a new collector stands after its latest page: from the oldest */
	if (vs_call(vs, "RewindCollector", "TaskHistoryCollector", coll, NULL,
		    moid, &doc, &resp, &e) != 0)
		log_debug("RewindCollector: %s", e.msg);
	xmlFreeDoc(doc);
	doc = NULL;
	err_clear(&e);
	while (r == 0 && (int)json_object_array_length(arr) < max) {
		size_t before = json_object_array_length(arr);

		strbuf_reset(&a);
		strbuf_addf(&a, "<maxCount>%d</maxCount>", max > 100 ? 100 : max);
		r = vs_call(vs, "ReadNextTasks", "TaskHistoryCollector", coll,
			    a.buf, moid, &doc, &resp, err);
		if (r == 0)
			returnvals(arr, resp);
		xmlFreeDoc(doc);
		doc = NULL;
		if (json_object_array_length(arr) == before)
			break;
	}
	vs_call(vs, "DestroyCollector", "TaskHistoryCollector", coll, NULL,
		moid, &doc, &resp, &e);
out:
	xmlFreeDoc(doc);
	free(coll);
	strbuf_release(&a);
	return r;
}

/* The TaskManager's recent tasks whose info.entity is moid. */
static int
tasks_recent(struct vs_client *vs, const char *moid, int max,
	     json_object *arr, struct mtv_err *err)
{
	static const char *const tm_paths[] = { "recentTask", NULL };
	static const char *const t_paths[] = { "info", NULL };
	json_object *tm = NULL, *list;
	size_t i;
	int r;

	r = vs_props(vs, "TaskManager", vs->task_mgr, tm_paths, &tm, err);
	list = jget(tm, "recentTask");
	for (i = 0; r == 0 && vs_jlist(list, i); i++) {
		json_object *ti = NULL, *t = vs_jlist(list, i);
		struct mtv_err e = { 0 };

		if (!json_object_is_type(t, json_type_string))
			continue;
		/* a task gone meanwhile is skipped */
		if (vs_props(vs, "Task", json_object_get_string(t), t_paths,
			     &ti, &e) == 0 &&
		    str_eq(jstr(jget(ti, "info"), "entity"), moid) &&
		    (int)json_object_array_length(arr) < max)
			json_object_array_add(arr,
					      json_object_get(jget(ti, "info")));
		json_object_put(ti);
	}
	json_object_put(tm);
	return r;
}

int
vs_tasks(struct vs_client *vs, const char *type, const char *moid, int max,
	 json_object **out, bool *from_recent, struct mtv_err *err)
{
	int r;

	*out = NULL;
	*from_recent = false;
	if (vs->task_mgr == NULL)
		return err_set(err, MTV_EPROTO, "'%s' has no TaskManager",
			       vs->url);
	*out = json_object_new_array();
	r = tasks_collected(vs, type, moid, max, *out, err);
	/* a fault (not a lost connection): the endpoint lacks collectors */
	if (r != 0 && vs->fault[0] != '\0') {
		err_clear(err);
		*from_recent = true;
		json_object_put(*out);
		*out = json_object_new_array();
		r = tasks_recent(vs, moid, max, *out, err);
	}
	if (r != 0) {
		json_object_put(*out);
		*out = NULL;
	}
	return r;
}
