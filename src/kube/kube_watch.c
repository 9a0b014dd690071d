/* kube_watch.c: waits by list + watch: resumes from the last
 * resourceVersion, re-lists on 410, backs off on errors, ends at a
 * deadline or when the caller's callback says done. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "kube/kube_int.h"

#define WATCH_MAX_S 300

/* ---- list + watch ---- */

struct watch {
	struct kube_client *k;
	kube_event_fn fn;
	void *arg;
	struct mtv_err *err;
	struct strbuf line;
	struct strbuf errbody;
	char *rv;
	int result;		/* 0 going on, 1 done, < 0 failed */
	bool gone;		/* 410: re-list */
	bool broken;		/* an ERROR event other than 410 */
	long events;
};

static void
watch_rv(struct watch *w, json_object *obj)
{
	json_object *m, *v;

	if (json_object_object_get_ex(obj, "metadata", &m) &&
	    json_object_object_get_ex(m, "resourceVersion", &v) &&
	    *json_object_get_string(v)) {
		free(w->rv);
		w->rv = xstrdup(json_object_get_string(v));
	}
}

/* One line of the stream: {"type": ..., "object": {...}}. */
static void
watch_line(struct watch *w, const char *line, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *ev, *t, *obj = NULL;
	const char *type;

	ev = json_tokener_parse_ex(tok, line, (int)len);
	json_tokener_free(tok);
	if (!ev || !json_object_object_get_ex(ev, "type", &t)) {
		log_debug("kubernetes: watch: line is not an event, ignored");
		json_object_put(ev);
		return;
	}
	type = json_object_get_string(t);
	json_object_object_get_ex(ev, "object", &obj);
	w->events++;
	if (strcmp(type, "BOOKMARK") == 0) {
		watch_rv(w, obj);
	} else if (strcmp(type, "ERROR") == 0) {
		json_object *c = NULL, *m = NULL;

		json_object_object_get_ex(obj, "code", &c);
		json_object_object_get_ex(obj, "message", &m);
		if (c && json_object_get_int(c) == 410) {
			w->gone = true;
		} else {
			w->broken = true;
			log_debug("kubernetes: watch error: %s",
				  m ? json_object_get_string(m) : "no message");
		}
	} else if (obj) {
		watch_rv(w, obj);
		w->result = w->fn(type, obj, w->arg, w->err);
		if (w->result < 0 && w->err->code == 0)
			err_set(w->err, w->result,
				"waiting stopped by a callback");
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

/* kube_wait; synced (may be NULL) runs after every complete list and ends
 * the wait when it returns 1. */
static int
wait_run(struct kube_client *k, const char *path, const char *field_selector,
	 const char *label_selector, int timeout_s, kube_event_fn fn,
	 int (*synced)(void *arg), void *arg, struct mtv_err *err)
{
	struct watch w = { .k = k, .fn = fn, .arg = arg, .err = err };
	long long deadline = clock_ms() + (long long)timeout_s * 1000;
	struct resp rs = { 0 };
	int r = MTV_ETIMEOUT, relists, failures = 0;
	bool reauthed = false;

	for (relists = 0; relists < 1000; relists++) {
		json_object *items = NULL;
		size_t i;
		int iter;

		if (relists > 0)
			k->st.relists++;
		free(w.rv);
		w.rv = NULL;
		r = kube_list_all(k, path, label_selector, field_selector, &items,
			     &w.rv, err);
		/* a server that is away for a while (restart, network) does
		 * not end a wait before its deadline */
		while (r == MTV_ENET && clock_ms() + 5000 < deadline) {
			log_verbose("kubernetes: %s; listing again in 5 s",
				    err->msg);
			k->st.retries++;
			if ((r = kube_backoff_sleep(k, 5000, err)) != 0)
				goto out;
			r = kube_list_all(k, path, label_selector, field_selector,
				     &items, &w.rv, err);
		}
		if (r != 0)
			goto out;
		for (i = 0;
		     i < json_object_array_length(items) && w.result == 0;
		     i++) {
			w.result =
				fn("ADDED", json_object_array_get_idx(items, i),
				   arg, err);
			if (w.result < 0 && err->code == 0)
				err_set(err, w.result,
					"waiting stopped by a callback");
		}
		json_object_put(items);
		if (w.result == 0 && synced)
			w.result = synced(arg);
		if (w.result != 0)
			break;
		for (iter = 0; iter < 100000; iter++) {
			long long left = deadline - clock_ms();
			struct strbuf url = STRBUF_INIT;
			char *full, *auth;
			enum kube_retry act;
			long delay = 0, wsecs;
			long long started;

			if (left <= 0)
				goto timeout;
			wsecs = (long)(left / 1000) + 1;
			if (wsecs > WATCH_MAX_S)
				wsecs = WATCH_MAX_S;
			strbuf_adds(&url, path);
			strbuf_addf(
				&url,
				"?watch=1&allowWatchBookmarks=true&timeoutSeconds=%ld",
				wsecs);
			if (w.rv)
				kube_add_param(&url, "resourceVersion", w.rv);
			if (label_selector && *label_selector)
				kube_add_param(&url, "labelSelector",
					  label_selector);
			if (field_selector && *field_selector)
				kube_add_param(&url, "fieldSelector",
					  field_selector);
			full = xasprintf("%s%s", k->conf.server,
					 strbuf_str(&url));
			strbuf_release(&url);
			w.gone = w.broken = false;
			w.events = 0;
			strbuf_reset(&w.line);
			strbuf_reset(&w.errbody);
			r = kube_token_refresh(k, err);
			if (r != 0) {
				free(full);
				goto out;
			}
			auth = kube_bearer(k);
			k->st.watches++;
			started = clock_ms();
			r = kube_perform(k, k->wh, "GET", full, NULL, NULL, auth,
				    watch_cb, &w, &rs, (long)left + 1000, false,
				    err);
			kube_header_free(auth);
			free(full);
			rs.status = 0;
			curl_easy_getinfo(k->wh, CURLINFO_RESPONSE_CODE,
					  &rs.status);
			if (w.result != 0)
				goto done;
			if (w.gone) {
				log_debug(
					"kubernetes: watch on \"%s\" expired (410), listing again",
					path);
				break;
			}
			if (w.events > 0)
				failures = 0;
			if (rs.status != 0 && rs.status != 401)
				reauthed =
					false; /* the token was not refused */
			if (r == MTV_ECANCELED)
				goto out;
			if (r == MTV_ETIMEOUT || clock_ms() >= deadline)
				goto timeout;
			if (r == 0 && rs.status == 200 && !w.broken &&
			    (w.events > 0 || clock_ms() - started >= 1000)) {
				/* the server ended the stream (timeoutSeconds): resume */
				continue;
			}
			if (r == 0 && rs.status == 410) {
				break;
			}
			if (r == 0 && rs.status != 200) {
				rs.body = w.errbody;
				act = kube_retry_decide(
					rs.status, false, rs.retry_after,
					failures, reauthed, &delay);
				memset(&rs.body, 0, sizeof(rs.body));
				if (act == KUBE_DONE &&
				    (rs.status == 429 || rs.status >= 500)) {
					/* a busy server does not end a wait early */
					act = KUBE_RETRY;
					delay = 5000;
				}
			} else {
				/* dropped stream, ERROR event, or a stream that
				 * ended at once without events: back off */
				act = kube_retry_decide(0, true, NULL, failures,
							false, &delay);
				if (r != 0 && act == KUBE_DONE) {
					/* transport errors: keep trying until the deadline */
					act = KUBE_RETRY;
					delay = 5000;
				}
				if (w.events > 0)
					delay = 0;
				log_debug(
					"kubernetes: watch on \"%s\" ended (%s), resuming from %s",
					path, r ? err->msg : "error event",
					w.rv ? w.rv : "the start");
				if (act == KUBE_DONE && r == 0) {
					r = err_set(
						err, MTV_EPROTO,
						"watch on \"%s\" keeps failing",
						path);
					goto out;
				}
			}
			if (act == KUBE_DONE) {
				if (r == 0) {
					rs.body = w.errbody;
					r = kube_status_err("GET", path, &rs, err);
					memset(&rs.body, 0, sizeof(rs.body));
				}
				goto out;
			}
			if (act == KUBE_REAUTH) {
				int rr = kube_reauth(k, err);

				reauthed = true;
				if (rr < 0) {
					r = rr;
					goto out;
				}
				if (rr > 0) {
					r = err_set(
						err, MTV_EAUTH,
						"watch on \"%s\": unauthorized",
						path);
					goto out;
				}
				continue;
			}
			failures++;
			k->st.retries++;
			if (delay > deadline - clock_ms())
				delay = (long)(deadline - clock_ms());
			if (delay > 0 &&
			    (r = kube_backoff_sleep(k, delay, err)) != 0)
				goto out;
		}
		if (iter >= 100000) {
			r = err_set(err, MTV_EINTERNAL,
				    "watch on \"%s\" restarted too often",
				    path);
			goto out;
		}
	}
done:
	r = w.result > 0 ? 0 : w.result;
	if (w.result == 0)
		r = err_set(err, MTV_EINTERNAL,
			    "watch on \"%s\" re-listed too often", path);
	goto out;
timeout:
	r = err_set(err, MTV_ETIMEOUT, "timed out after %d s waiting on \"%s\"",
		    timeout_s, path);
out:
	free(w.rv);
	strbuf_release(&w.line);
	strbuf_release(&w.errbody);
	kube_resp_release(&rs);
	return r;
}

int
kube_wait(struct kube_client *k, const char *path, const char *field_selector,
	  const char *label_selector, int timeout_s, kube_event_fn fn,
	  void *arg, struct mtv_err *err)
{
	return wait_run(k, path, field_selector, label_selector, timeout_s, fn,
			NULL, arg, err);
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
		     &g, err);
	free(fsel);
	curl_free(name);
	free(coll);
	return r;
}

