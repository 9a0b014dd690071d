/* vs_collector.c: the property collector: container views, paged
 * RetrievePropertiesEx, waits through WaitForUpdatesEx, tasks and MoRefs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "vsphere/vs_int.h"

/* ---- properties ---- */

static const char *
view_for(struct vs_client *vs, const char *type, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	char *moid;
	size_t i;

	for (i = 0; i < vs->nviews; i++)
		if (str_eq(vs->views[i].type, type))
			return vs->views[i].moid;
	if (vs->nviews == ARRAY_SIZE(vs->views))
		BUG("too many container views");
	strbuf_addf(&a, "<container type=\"Folder\">");
	strbuf_add_xml(&a, vs->root);
	strbuf_addf(&a,
		    "</container><type>%s</type><recursive>true</recursive>",
		    type);
	if (vs_call(vs, "CreateContainerView", "ViewManager", vs->view_mgr,
		    a.buf, type, &doc, &resp, err) != 0) {
		strbuf_release(&a);
		return NULL;
	}
	strbuf_release(&a);
	moid = vs_ret_field(resp, NULL);
	xmlFreeDoc(doc);
	vs->views[vs->nviews].type = xstrdup(type);
	vs->views[vs->nviews].moid = moid;
	return vs->views[vs->nviews++].moid;
}

/* Call fn on every object (obj node) of every page of a RetrievePropertiesEx
 * result, following the token. */
static int
retrieve(struct vs_client *vs, const char *spec, const char *what,
	 int (*fn)(xmlNodePtr obj, void *arg), void *arg, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp, rv, o;
	char *token = NULL;
	int r, pages = 0;

	strbuf_addf(
		&a,
		"<specSet>%s</specSet><options><maxObjects>500</maxObjects></options>",
		spec);
	r = vs_call(vs, "RetrievePropertiesEx", "PropertyCollector", vs->pc,
		    a.buf, what, &doc, &resp, err);
	while (r == 0) {
		rv = vs_xml_child(resp, "returnval");
		for (o = vs_xml_child(rv, "objects"); o;
		     o = vs_xml_next(o, "objects"))
			if ((r = fn(o, arg)) != 0)
				goto out;
		free(token);
		token = rv ? vs_ret_field(resp, "token") : NULL;
		xmlFreeDoc(doc);
		doc = NULL;
		if (token == NULL || ++pages > 10000)
			break;
		strbuf_reset(&a);
		strbuf_adds(&a, "<token>");
		strbuf_add_xml(&a, token);
		strbuf_adds(&a, "</token>");
		r = vs_call(vs, "ContinueRetrievePropertiesEx",
			    "PropertyCollector", vs->pc, a.buf, what, &doc,
			    &resp, err);
	}
out:
	free(token);
	xmlFreeDoc(doc);
	strbuf_release(&a);
	return r;
}

struct find_arg {
	const char *name;
	char *moid;
	json_object *all;
	const char *path;	/* NULL: "name" */
};

static int
find_cb(xmlNodePtr obj, void *arg)
{
	struct find_arg *f = arg;
	xmlNodePtr ps;

	for (ps = vs_xml_child(obj, "propSet"); ps; ps = vs_xml_next(ps, "propSet")) {
		char *v = vs_xml_text(vs_xml_child(ps, "val"));

		if (f->all) {
			char *m = vs_xml_text(vs_xml_child(obj, "obj"));

			json_object_object_add(
				f->all, m,
				f->path ? vs_xml_to_json(vs_xml_child(ps, "val"))
					: json_object_new_string(v));
			free(m);
		} else if (f->moid == NULL && str_eq(v, f->name)) {
			f->moid = vs_xml_text(vs_xml_child(obj, "obj"));
		}
		free(v);
	}
	return 0;
}

static int list_names1(struct vs_client *vs, const char *type,
		       struct find_arg *f, struct mtv_err *err);

/* A view made in a session that expired meanwhile is retried once. */
static int
list_names(struct vs_client *vs, const char *type, struct find_arg *f,
	   struct mtv_err *err)
{
	int gen = vs->gen, r = list_names1(vs, type, f, err);

	if (r != 0 && vs->gen != gen)
		r = list_names1(vs, type, f, err);
	return r;
}

static int
list_names1(struct vs_client *vs, const char *type, struct find_arg *f,
	    struct mtv_err *err)
{
	struct strbuf spec = STRBUF_INIT;
	const char *view = view_for(vs, type, err);
	int r;

	if (view == NULL)
		return err ? err->code : MTV_EIO;
	strbuf_addf(&spec,
		    "<propSet><type>%s</type><pathSet>%s</pathSet></propSet>"
		    "<objectSet><obj type=\"ContainerView\">",
		    type, f->path ? f->path : "name");
	strbuf_add_xml(&spec, view);
	strbuf_adds(
		&spec,
		"</obj><skip>true</skip><selectSet xsi:type=\"TraversalSpec\">"
		"<name>traverseView</name><type>ContainerView</type>"
		"<path>view</path><skip>false</skip></selectSet></objectSet>");
	r = retrieve(vs, spec.buf, type, find_cb, f, err);
	strbuf_release(&spec);
	return r;
}

int
vs_find(struct vs_client *vs, const char *type, const char *name, char **out,
	struct mtv_err *err)
{
	struct find_arg f = { name, NULL, NULL, NULL };
	int r;

	*out = NULL;
	r = list_names(vs, type, &f, err);
	if (r != 0)
		return r;
	if (f.moid == NULL)
		return err_set(err, MTV_ENOTFOUND, "%s '%s' not found", type,
			       name);
	*out = f.moid;
	return 0;
}

int
vs_list(struct vs_client *vs, const char *type, const char *path,
	json_object **out, struct mtv_err *err)
{
	struct find_arg f = { NULL, NULL, json_object_new_object(), path };
	int r = list_names(vs, type, &f, err);

	if (r != 0) {
		json_object_put(f.all);
		return r;
	}
	*out = f.all;
	return 0;
}

int
vs_names(struct vs_client *vs, const char *type, json_object **out,
	 struct mtv_err *err)
{
	return vs_list(vs, type, NULL, out, err);
}

static int
props_cb(xmlNodePtr obj, void *arg)
{
	json_object *o = arg;
	xmlNodePtr ps;

	for (ps = vs_xml_child(obj, "propSet"); ps; ps = vs_xml_next(ps, "propSet")) {
		char *k = vs_xml_text(vs_xml_child(ps, "name"));
		xmlNodePtr v = vs_xml_child(ps, "val");

		if (v)
			json_object_object_add(o, k, vs_xml_to_json(v));
		free(k);
	}
	return 0;
}

int
vs_props(struct vs_client *vs, const char *type, const char *moid,
	 const char *const *paths, json_object **out, struct mtv_err *err)
{
	struct strbuf spec = STRBUF_INIT;
	json_object *o = json_object_new_object();
	size_t i;
	int r;

	*out = NULL;
	strbuf_addf(&spec, "<propSet><type>%s</type>", type);
	for (i = 0; paths[i]; i++)
		strbuf_addf(&spec, "<pathSet>%s</pathSet>", paths[i]);
	strbuf_addf(&spec, "</propSet><objectSet><obj type=\"%s\">", type);
	strbuf_add_xml(&spec, moid);
	strbuf_adds(&spec, "</obj></objectSet>");
	r = retrieve(vs, spec.buf, moid, props_cb, o, err);
	strbuf_release(&spec);
	if (r != 0) {
		json_object_put(o);
		return r;
	}
	*out = o;
	return 0;
}

/* ---- waiting through WaitForUpdatesEx ---- */

/* Apply one changeSet to the property object. */
static void
apply_change(json_object *state, xmlNodePtr cs)
{
	char *name = vs_xml_text(vs_xml_child(cs, "name"));
	char *op = vs_xml_text(vs_xml_child(cs, "op"));
	xmlNodePtr v = vs_xml_child(cs, "val");

	if (v && !str_eq(op, "remove") && !str_eq(op, "indirectRemove"))
		json_object_object_add(state, name, vs_xml_to_json(v));
	else
		json_object_object_del(state, name);
	free(name);
	free(op);
}

/* Watch paths of (type, moid) until done(state) says 1 (or an error);
 * timeout seconds overall. */
/* A filter on the wait collector (made on first use) for paths of moid;
 * *out is the filter's MoID. */
static int
filter_create(struct vs_client *vs, const char *type, const char *moid,
	      const char *const *paths, const char *what, char **out,
	      struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	size_t i;
	int r;

	*out = NULL;
	if (vs->wpc == NULL) {
		r = vs_call(vs, "CreatePropertyCollector", "PropertyCollector",
			    vs->pc, NULL, what, &doc, &resp, err);
		if (r != 0) {
			xmlFreeDoc(doc);
			strbuf_release(&a);
			return r;
		}
		vs->wpc = vs_ret_field(resp, NULL);
		xmlFreeDoc(doc);
		doc = NULL;
	}
	strbuf_addf(&a, "<spec><propSet><type>%s</type>", type);
	for (i = 0; paths[i]; i++)
		strbuf_addf(&a, "<pathSet>%s</pathSet>", paths[i]);
	strbuf_addf(&a, "</propSet><objectSet><obj type=\"%s\">", type);
	strbuf_add_xml(&a, moid);
	strbuf_adds(
		&a,
		"</obj></objectSet></spec><partialUpdates>false</partialUpdates>");
	r = vs_call(vs, "CreateFilter", "PropertyCollector", vs->wpc, a.buf,
		    what, &doc, &resp, err);
	if (r == 0)
		*out = vs_ret_field(resp, NULL);
	xmlFreeDoc(doc);
	strbuf_release(&a);
	return r;
}

static int
watch1(struct vs_client *vs, const char *type, const char *moid,
       const char *const *paths, const char *what,
       int (*done)(json_object *state, void *arg, struct mtv_err *err),
       void *arg, long long deadline, int timeout, struct mtv_err *err);

/* The collector and its filter die with the session: after a new login
 * the watch starts again (twice at most). */
static int
watch(struct vs_client *vs, const char *type, const char *moid,
      const char *const *paths, const char *what,
      int (*done)(json_object *state, void *arg, struct mtv_err *err),
      void *arg, int timeout, struct mtv_err *err)
{
	long long deadline = clock_ms() + (long long)timeout * 1000;
	int i, gen, r = MTV_EIO;

	for (i = 0; i < 3; i++) {
		gen = vs->gen;
		r = watch1(vs, type, moid, paths, what, done, arg, deadline,
			   timeout, err);
		if (r == 0 || vs->gen == gen)
			break;
		log_verbose("vSphere session renewed, watching '%s' again",
			    what);
	}
	return r;
}

static int
watch1(struct vs_client *vs, const char *type, const char *moid,
       const char *const *paths, const char *what,
       int (*done)(json_object *state, void *arg, struct mtv_err *err),
       void *arg, long long deadline, int timeout, struct mtv_err *err)
{
	struct strbuf a = STRBUF_INIT;
	json_object *state = json_object_new_object();
	int gen0 = vs->gen;
	char *filter = NULL, *version = xstrdup("");
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;
	int r;

	r = filter_create(vs, type, moid, paths, what, &filter, err);
	if (r != 0)
		goto out;
	for (;;) {
		long long left = deadline - clock_ms();
		xmlNodePtr rv, fs, os, cs;

		if (vs->cancel && *vs->cancel) {
			r = err_set(err, MTV_ECANCELED,
				    "waiting for '%s': interrupted", what);
			goto out;
		}
		if (left <= 0) {
			r = err_set(err, MTV_ETIMEOUT,
				    "waiting for '%s' timed out after %d s",
				    what, timeout);
			goto out;
		}
		strbuf_reset(&a);
		strbuf_adds(&a, "<version>");
		strbuf_add_xml(&a, version);
		strbuf_addf(
			&a,
			"</version><options><maxWaitSeconds>%lld</maxWaitSeconds></options>",
			left / 1000 + 1 > 60 ? 60 : left / 1000 + 1);
		vs->waiting = true;
		r = vs_call(vs, "WaitForUpdatesEx", "PropertyCollector",
			    vs->wpc, a.buf, what, &doc, &resp, err);
		vs->waiting = false;
		if (r != 0 && vs->cancel && *vs->cancel)
			r = err_set(err, MTV_ECANCELED,
				    "waiting for '%s': interrupted", what);
		if (r != 0)
			goto out;
		rv = vs_xml_child(resp, "returnval");
		if (rv) {
			free(version);
			version = vs_xml_text(vs_xml_child(rv, "version"));
		}
		for (fs = vs_xml_child(rv, "filterSet"); fs;
		     fs = vs_xml_next(fs, "filterSet"))
			for (os = vs_xml_child(fs, "objectSet"); os;
			     os = vs_xml_next(os, "objectSet"))
				for (cs = vs_xml_child(os, "changeSet"); cs;
				     cs = vs_xml_next(cs, "changeSet"))
					apply_change(state, cs);
		xmlFreeDoc(doc);
		doc = NULL;
		if (rv == NULL)
			continue;
		r = done(state, arg, err);
		if (r < 0)
			goto out;
		if (r == 1) {
			r = 0;
			break;
		}
	}
out:
	if (filter && vs->gen == gen0) {
		xmlFreeDoc(doc);
		doc = NULL;
		vs_call(vs, "DestroyPropertyFilter", "PropertyFilter", filter,
			NULL, what, &doc, &resp, NULL);
	}
	xmlFreeDoc(doc);
	free(filter);
	free(version);
	strbuf_release(&a);
	json_object_put(state);
	return r;
}

struct task_arg {
	const char *method, *what;
	char **result;
	char fault[128];
};

static int
task_done(json_object *st, void *arg, struct mtv_err *err)
{
	struct task_arg *t = arg;
	const char *state = jstr(st, "info.state"), *msg;
	json_object *e, *f;

	if (str_eq(state, "success")) {
		if (t->result && jstr(st, "info.result"))
			*t->result = xstrdup(jstr(st, "info.result"));
		return 1;
	}
	if (!str_eq(state, "error"))
		return 0;
	e = jget(st, "info.error");
	f = jget(e, "fault");
	/* vcsim puts a Go type name in localizedMessage: prefer the fault's
	 * own text then */
	/* callers tell task faults apart like SOAP faults */
	snprintf(t->fault, sizeof(t->fault), "%s",
		 jstr(f, "_type") ? jstr(f, "_type") : "error");
	msg = jstr(e, "localizedMessage");
	if (msg == NULL || str_startswith(msg, "*types."))
		msg = jstr(f, "reason") ? jstr(f, "reason") : msg;
	return err_set(err, vs_fault_code(jstr(f, "_type")),
		       "%s of '%s' failed: %s%s%s", t->method, t->what,
		       jstr(f, "_type") ? jstr(f, "_type") : "error",
		       msg ? ": " : "", msg ? msg : "");
}

/* An interrupted wait for our own task: cancel it, then wait (not
 * cancelable, bounded) until it ends, so that what it made is either
 * rolled back or there for the teardown to find. */
static void
cancel_task(struct vs_client *vs, const char *task, const char *const *paths,
	    struct task_arg *t)
{
	volatile sig_atomic_t *flag = vs->cancel;
	struct mtv_err e = { 0 };
	xmlDocPtr doc = NULL;
	xmlNodePtr resp;

	log_info("canceling %s of '%s'", t->method, t->what);
	if (vs_call(vs, "CancelTask", "Task", task, NULL, t->what, &doc, &resp,
		    &e) != 0)
		log_verbose("CancelTask of '%s': %s", t->what, e.msg);
	xmlFreeDoc(doc);
	err_clear(&e);
	vs->cancel = vs->abandon;
	if (watch(vs, "Task", task, paths, t->what, task_done, t, 60, &e) != 0)
		log_verbose("%s of '%s' after cancel: %s", t->method, t->what,
			    e.msg);
	vs->cancel = flag;
	err_clear(&e);
}

int
vs_invoke(struct vs_client *vs, const char *method, const char *type,
	  const char *moid, const char *args, const char *what, int timeout,
	  char **result, struct mtv_err *err)
{
	static const char *const paths[] = { "info.state", "info.error",
					     "info.result", NULL };
	struct task_arg t = { method, what ? what : moid, result, "" };
	xmlDocPtr doc = NULL;
	xmlNodePtr resp, rv;
	char *task = NULL;
	xmlChar *rt = NULL;
	int r;

	if (result)
		*result = NULL;
	r = vs_call(vs, method, type, moid, args, what, &doc, &resp, err);
	if (r != 0)
		goto out;
	rv = vs_xml_child(resp, "returnval");
	if (rv)
		rt = xmlGetNoNsProp(rv, BAD_CAST "type");
	if (rt && strcmp((const char *)rt, "Task") == 0) {
		task = vs_xml_text(rv);
		r = watch(vs, "Task", task, paths, t.what, task_done, &t,
			  timeout > 0 ? timeout : 3600, err);
		if (r == MTV_ECANCELED)
			cancel_task(vs, task, paths, &t);
		/* the filter's removal came after the task's error */
		if (r != 0 && t.fault[0])
			snprintf(vs->fault, sizeof(vs->fault), "%s", t.fault);
	} else if (result && rv) {
		*result = vs_xml_text(rv);
	}
out:
	xmlFree(rt);
	free(task);
	xmlFreeDoc(doc);
	return r;
}

/* The MoRef held by path of (type, moid); what names it in messages. */
static int
prop_ref(struct vs_client *vs, const char *type, const char *moid,
	 const char *path, const char *what, char **rtype, char **rmoid,
	 struct mtv_err *err)
{
	struct strbuf spec = STRBUF_INIT;
	xmlDocPtr doc = NULL;
	xmlNodePtr resp, ps, v;
	xmlChar *pt;
	int r;

	*rtype = *rmoid = NULL;
	strbuf_addf(&spec,
		    "<specSet><propSet><type>%s</type><pathSet>%s</pathSet>"
		    "</propSet><objectSet><obj type=\"%s\">",
		    type, path, type);
	strbuf_add_xml(&spec, moid);
	strbuf_adds(&spec, "</obj></objectSet></specSet><options/>");
	r = vs_call(vs, "RetrievePropertiesEx", "PropertyCollector", vs->pc,
		    spec.buf, what, &doc, &resp, err);
	strbuf_release(&spec);
	if (r != 0)
		return r;
	ps = vs_xml_child(vs_xml_child(vs_xml_child(resp, "returnval"),
				       "objects"), "propSet");
	v = vs_xml_child(ps, "val");
	if (v == NULL) {
		xmlFreeDoc(doc);
		return err_set(err, MTV_ENOTFOUND, "'%s' has no %s", moid,
			       path);
	}
	pt = xmlGetNoNsProp(v, BAD_CAST "type");
	*rtype = xstrdup(pt ? (const char *)pt : "");
	*rmoid = vs_xml_text(v);
	xmlFree(pt);
	xmlFreeDoc(doc);
	return 0;
}

int
vs_prop_ref(struct vs_client *vs, const char *type, const char *moid,
	    const char *path, char **rtype, char **rmoid, struct mtv_err *err)
{
	return prop_ref(vs, type, moid, path, moid, rtype, rmoid, err);
}

int
vs_datacenter_of(struct vs_client *vs, const char *type, const char *moid,
		 char **out, struct mtv_err *err)
{
	char *cur = xstrdup(moid), *ctype = xstrdup(type), *pt, *pm;
	int i, r = MTV_ENOTFOUND;

	*out = NULL;
	for (i = 0; i < 16; i++) {
		r = prop_ref(vs, ctype, cur, "parent", moid, &pt, &pm, err);
		if (r == MTV_ENOTFOUND && vs->fault[0] == '\0')
			r = err_set(err, MTV_ENOTFOUND,
				    "no datacenter holds '%s'", moid);
		if (r != 0)
			break;
		free(cur);
		free(ctype);
		cur = pm;
		ctype = pt;
		if (str_eq(ctype, "Datacenter")) {
			*out = cur;
			cur = NULL;
			r = 0;
			break;
		}
	}
	free(cur);
	free(ctype);
	return r;
}

struct guest_arg {
	char **ip;
};

static int
guest_done(json_object *st, void *arg, struct mtv_err *err)
{
	struct guest_arg *g = arg;
	const char *ip = jstr(st, "guest.ipAddress");

	(void)err;
	if (!str_eq(jstr(st, "guest.toolsRunningStatus"),
		    "guestToolsRunning") ||
	    ip == NULL || *ip == '\0')
		return 0;
	if (g->ip)
		*g->ip = xstrdup(ip);
	return 1;
}

int
vs_wait_guest(struct vs_client *vs, const char *moid, const char *what,
	      int timeout, char **ip, struct mtv_err *err)
{
	static const char *const paths[] = { "guest.toolsRunningStatus",
					     "guest.ipAddress", NULL };
	struct guest_arg g = { ip };
	int r;

	if (ip)
		*ip = NULL;
	r = watch(vs, "VirtualMachine", moid, paths, what, guest_done, &g,
		  timeout, err);
	if (r == MTV_ETIMEOUT)
		err_set(err, MTV_ETIMEOUT,
			"guest of '%s' not ready (tools running and an IP) within %d s",
			what, timeout);
	return r;
}

