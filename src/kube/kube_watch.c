/* kube_watch.c: waits by list + watch: resumes from the last
 * resourceVersion (also across waits: kube_wait_resume), re-lists on 410,
 * backs off on errors, ends at a deadline or when the caller's callback
 * says done. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kube/kube_int.h"

#define WATCH_MAX_S 300

/* One wait: the caller's callbacks, the stream being read and where it
 * resumes. */
struct watch {
	struct kube_client *k;
	const char *path, *field_selector, *label_selector;
	kube_event_fn fn;
	int (*synced)(void *arg);
	void *arg;
	struct mtv_err *err;
	long long deadline;
	struct strbuf line;
	struct strbuf errbody;
	struct resp rs;		/* status and Retry-After of the stream */
	char *rv;
	int result;		/* 0 going on, 1 done, < 0 failed */
	bool gone;		/* 410: re-list */
	bool broken;		/* an ERROR event other than 410 */
	bool reauthed;		/* a 401 led to a new token already */
	long events;
	int failures;		/* streams in a row that failed */
};

/* What follows a stream that ended. */
enum watch_next {
	WATCH_AGAIN,		/* watch again from w->rv */
	WATCH_RELIST,		/* list again (410) */
	WATCH_DONE,		/* the callback decided */
	WATCH_TIMEOUT,
	WATCH_FAIL,		/* err is set */
};

static void
watch_rv(struct watch *w, json_object *obj)
{
	const char *v = jstr(jget(obj, "metadata"), "resourceVersion");

	if (v && *v) {
		free(w->rv);
		w->rv = xstrdup(v);
	}
}

/* Hand an object to the callback; a failure without a message gets one. */
static void
deliver(struct watch *w, const char *type, json_object *obj)
{
	w->result = w->fn(type, obj, w->arg, w->err);
	if (w->result < 0 && w->err->code == 0)
		err_set(w->err, w->result, "waiting stopped by a callback");
}

/* One line of the stream: {"type": ..., "object": {...}}. */
static void
watch_line(struct watch *w, const char *line, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *ev, *obj;
	const char *type;

	ev = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	type = jstr(ev, "type");
	if (!type) {
		log_debug("kubernetes: watch: line is not an event, ignored");
		json_object_put(ev);
		return;
	}
	obj = jget(ev, "object");
	w->events++;
	if (strcmp(type, "BOOKMARK") == 0) {
		watch_rv(w, obj);
	} else if (strcmp(type, "ERROR") == 0) {
		if (jint(obj, "code") == 410) {
			w->gone = true;
		} else {
			w->broken = true;
			log_debug("kubernetes: watch error: %s",
				  jtext(obj, "message") ? jtext(obj, "message")
							: "no message");
		}
	} else if (obj) {
		watch_rv(w, obj);
		deliver(w, type, obj);
	}
	json_object_put(ev);
}

static size_t
watch_cb(char *data, size_t size, size_t nmemb, void *arg)
{
	struct watch *w = arg;
	size_t n = size * nmemb;
	long status = 0;
	char *nl;

	curl_easy_getinfo(w->k->wh, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200) {
		if (w->errbody.len < 65536)
			strbuf_add(&w->errbody, data, n);
		return n;
	}
	strbuf_add(&w->line, data, n);
	while (w->result == 0 && !w->gone && !w->broken &&
	       (nl = memchr(w->line.buf, '\n', w->line.len))) {
		size_t len = (size_t)(nl - w->line.buf);

		if (len > 0)
			watch_line(w, w->line.buf, len);
		memmove(w->line.buf, nl + 1, w->line.len - len - 1);
		w->line.len -= len + 1;
		w->line.buf[w->line.len] = '\0';
	}
	if (w->line.len > (size_t)KUBE_BODY_MAX)
		return 0;
	return (w->result != 0 || w->gone || w->broken) ? 0 : n;
}

/* List everything (a server away for a while does not end the wait
 * before its deadline) and hand each object to the callback as ADDED,
 * then ask synced. */
static int
watch_list(struct watch *w)
{
	struct kube_client *k = w->k;
	json_object *items = NULL;
	size_t i;
	int r;

	free(w->rv);
	w->rv = NULL;
	r = kube_list_all(k, w->path, w->label_selector, w->field_selector,
			  &items, &w->rv, w->err);
	while (r == MTV_ENET && clock_ms() + 5000 < w->deadline) {
		log_verbose("kubernetes: %s; listing again in 5 s",
			    w->err->msg);
		k->st.retries++;
		if ((r = kube_backoff_sleep(k, 5000, w->err)) != 0)
			return r;
		r = kube_list_all(k, w->path, w->label_selector,
				  w->field_selector, &items, &w->rv, w->err);
	}
	if (r != 0)
		return r;
	for (i = 0; i < json_object_array_length(items) && w->result == 0;
	     i++)
		deliver(w, "ADDED", json_object_array_get_idx(items, i));
	json_object_put(items);
	if (w->result == 0 && w->synced)
		w->result = w->synced(w->arg);
	return 0;
}

/* One watch stream from w->rv until it ends; *started gets its start. */
static int
watch_stream(struct watch *w, long long left, long long *started)
{
	struct kube_client *k = w->k;
	struct strbuf url = STRBUF_INIT;
	long wsecs = (long)(left / 1000) + 1;
	char *full, *auth;
	int r;

	if (wsecs > WATCH_MAX_S)
		wsecs = WATCH_MAX_S;
	strbuf_addf(&url, "%s%s", k->conf.server, w->path);
	strbuf_addf(&url,
		    "?watch=1&allowWatchBookmarks=true&timeoutSeconds=%ld",
		    wsecs);
	if (w->rv)
		kube_add_param(&url, "resourceVersion", w->rv);
	if (w->label_selector && *w->label_selector)
		kube_add_param(&url, "labelSelector", w->label_selector);
	if (w->field_selector && *w->field_selector)
		kube_add_param(&url, "fieldSelector", w->field_selector);
	full = strbuf_detach(&url);
	w->gone = w->broken = false;
	w->events = 0;
	strbuf_reset(&w->line);
	strbuf_reset(&w->errbody);
	r = kube_token_refresh(k, w->err);
	if (r == 0) {
		log_debug("kubernetes: watching \"%s\" from %s for %ld s",
			  w->path, w->rv ? w->rv : "now", wsecs);
		auth = kube_bearer(k);
		k->st.watches++;
		*started = clock_ms();
		r = kube_perform(k, k->wh, "GET", full, NULL, NULL, auth,
				 watch_cb, w, &w->rs, (long)left + 1000, false,
				 w->err);
		kube_header_free(auth);
		w->rs.status = 0;
		curl_easy_getinfo(k->wh, CURLINFO_RESPONSE_CODE,
				  &w->rs.status);
	}
	free(full);
	return r;
}

/* The retry decision after a stream that failed with r (0: an HTTP
 * error status, an ERROR event or a stream that ended at once). */
static enum kube_retry
watch_decide(struct watch *w, int r, long *delay)
{
	enum kube_retry act;

	if (r == 0 && w->rs.status != 200) {
		w->rs.body = w->errbody;
		act = kube_retry_decide(w->rs.status, false, w->rs.retry_after,
					w->failures, w->reauthed, delay);
		memset(&w->rs.body, 0, sizeof(w->rs.body));
		if (act == KUBE_DONE &&
		    (w->rs.status == 429 || w->rs.status >= 500)) {
			/* a busy server does not end a wait early */
			act = KUBE_RETRY;
			*delay = 5000;
		}
		return act;
	}
	/* dropped stream, ERROR event, or a stream that ended at once
	 * without events: back off */
	act = kube_retry_decide(0, true, NULL, w->failures, false, delay);
	if (r != 0 && act == KUBE_DONE) {
		/* transport errors: keep trying until the deadline */
		act = KUBE_RETRY;
		*delay = 5000;
	}
	if (w->events > 0)
		*delay = 0;
	log_debug("kubernetes: watch on \"%s\" ended (%s), resuming from %s",
		  w->path, r ? w->err->msg : "error event",
		  w->rv ? w->rv : "the start");
	return act;
}

/* Act on a failed stream: give up, authenticate again or back off. */
static enum watch_next
watch_retry(struct watch *w, int r)
{
	struct kube_client *k = w->k;
	long delay = 0;
	enum kube_retry act = watch_decide(w, r, &delay);
	int rr;

	if (act == KUBE_DONE && r == 0 && w->rs.status == 200) {
		err_set(w->err, MTV_EPROTO, "watch on \"%s\" keeps failing",
			w->path);
		return WATCH_FAIL;
	}
	if (act == KUBE_DONE) {
		if (r == 0) {
			w->rs.body = w->errbody;
			if (kube_status_err("GET", w->path, &w->rs,
					    w->err) == MTV_ELOGIN)
				kube_login_refused(k, w->err);
			memset(&w->rs.body, 0, sizeof(w->rs.body));
		}
		return WATCH_FAIL;
	}
	if (act == KUBE_REAUTH) {
		w->reauthed = true;
		rr = kube_reauth(k, w->err);
		if (rr > 0) {
			err_set(w->err, MTV_ELOGIN,
				"watch on \"%s\": unauthorized", w->path);
			kube_login_refused(k, w->err);
		}
		return rr == 0 ? WATCH_AGAIN : WATCH_FAIL;
	}
	w->failures++;
	k->st.retries++;
	if (delay > w->deadline - clock_ms())
		delay = (long)(w->deadline - clock_ms());
	if (delay > 0 && kube_backoff_sleep(k, delay, w->err) != 0)
		return WATCH_FAIL;
	return WATCH_AGAIN;
}

/* Watch once and say what follows. */
static enum watch_next
watch_step(struct watch *w)
{
	long long left = w->deadline - clock_ms(), started = 0;
	int r;

	if (left <= 0)
		return WATCH_TIMEOUT;
	r = watch_stream(w, left, &started);
	if (w->result != 0)
		return WATCH_DONE;
	if (w->gone) {
		log_debug("kubernetes: watch on \"%s\" expired (410), listing again",
			  w->path);
		return WATCH_RELIST;
	}
	if (w->events > 0)
		w->failures = 0;
	if (w->rs.status != 0 && w->rs.status != 401)
		w->reauthed = false; /* the token was not refused */
	if (r == MTV_ECANCELED || (r != 0 && started == 0))
		return WATCH_FAIL;
	if (r == MTV_ETIMEOUT || clock_ms() >= w->deadline)
		return WATCH_TIMEOUT;
	if (r == 0 && w->rs.status == 200 && !w->broken &&
	    (w->events > 0 || clock_ms() - started >= 1000))
		return WATCH_AGAIN; /* the server ended the stream: resume */
	if (r == 0 && w->rs.status == 410)
		return WATCH_RELIST;
	return watch_retry(w, r);
}

/* List (unless resuming from w->rv), then watch until done, a 410 or the
 * deadline. */
static enum watch_next
watch_round(struct watch *w, bool resume, int *rp)
{
	enum watch_next next = WATCH_AGAIN;
	int iter;

	*rp = resume ? 0 : watch_list(w);
	if (*rp != 0)
		return WATCH_FAIL;
	if (w->result != 0)
		return WATCH_DONE;
	for (iter = 0; iter < 100000 && next == WATCH_AGAIN; iter++)
		next = watch_step(w);
	if (next == WATCH_AGAIN) {
		*rp = err_set(w->err, MTV_EINTERNAL,
			      "watch on \"%s\" restarted too often", w->path);
		return WATCH_FAIL;
	}
	*rp = w->err->code;
	return next;
}

/* kube_wait; synced (may be NULL) runs after every complete list and ends
 * the wait when it returns 1. */
static int
wait_run(struct kube_client *k, const char *path, const char *field_selector,
	 const char *label_selector, int timeout_s, kube_event_fn fn,
	 int (*synced)(void *arg), void *arg, char **rv, struct mtv_err *err)
{
	struct watch w = { .k = k, .path = path,
			   .field_selector = field_selector,
			   .label_selector = label_selector, .fn = fn,
			   .synced = synced, .arg = arg, .err = err };
	enum watch_next next = WATCH_RELIST;
	int r = MTV_ETIMEOUT, relists;

	w.deadline = clock_ms() + (long long)timeout_s * 1000;
	if (rv && *rv)
		w.rv = xstrdup(*rv);
	for (relists = 0; relists < 1000 && next == WATCH_RELIST; relists++) {
		if (relists > 0)
			k->st.relists++;
		next = watch_round(&w, relists == 0 && w.rv, &r);
	}
	if (next == WATCH_DONE)
		r = w.result > 0 ? 0 : w.result;
	else if (next == WATCH_RELIST)
		r = err_set(err, MTV_EINTERNAL,
			    "watch on \"%s\" re-listed too often", path);
	else if (next == WATCH_TIMEOUT)
		r = err_set(err, MTV_ETIMEOUT,
			    "timed out after %d s waiting on \"%s\"",
			    timeout_s, path);
	else if (r == 0)
		r = err->code ? err->code : MTV_EINTERNAL;
	if (rv) {
		free(*rv);
		*rv = w.rv;
		w.rv = NULL;
	}
	free(w.rv);
	strbuf_release(&w.line);
	strbuf_release(&w.errbody);
	kube_resp_release(&w.rs);
	return r;
}

int
kube_wait(struct kube_client *k, const char *path, const char *field_selector,
	  const char *label_selector, int timeout_s, kube_event_fn fn,
	  void *arg, struct mtv_err *err)
{
	return wait_run(k, path, field_selector, label_selector, timeout_s, fn,
			NULL, arg, NULL, err);
}

int
kube_wait_resume(struct kube_client *k, const char *path,
		 const char *field_selector, const char *label_selector,
		 int timeout_s, kube_event_fn fn, void *arg, char **rv,
		 struct mtv_err *err)
{
	return wait_run(k, path, field_selector, label_selector, timeout_s, fn,
			NULL, arg, rv, err);
}

struct gone {
	const char *name;
	bool present;
};

static int
gone_event(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct gone *g = arg;

	(void)err;
	if (!str_eq(kube_obj_name(obj), g->name))
		return 0;
	if (strcmp(type, "DELETED") == 0)
		return 1;
	g->present = true;
	return 0;
}

static int
gone_synced(void *arg)
{
	struct gone *g = arg;
	int r = g->present ? 0 : 1;

	g->present = false; /* the next list tells again */
	return r;
}

int
kube_wait_gone(struct kube_client *k, const char *path, int timeout_s,
	       struct mtv_err *err)
{
	const char *slash = strrchr(path, '/');
	char *coll, *fsel, *name;
	struct gone g = { 0 };
	int len = 0, r;

	if (!slash || slash == path || !slash[1])
		return err_set(err, MTV_EINVAL,
			       "\"%s\" is not the path of an object", path);
	coll = xstrndup(path, (size_t)(slash - path));
	name = curl_easy_unescape(NULL, slash + 1, 0, &len);
	g.name = name;
	fsel = xasprintf("metadata.name=%s", name);
	r = wait_run(k, coll, fsel, NULL, timeout_s, gone_event, gone_synced,
		     &g, NULL, err);
	free(fsel);
	curl_free(name);
	free(coll);
	return r;
}

