/* cluster_wait.c: waiting by watch (bounded chunks, stopping on signals
 * and the run deadline), for a condition or for deletion, and the undo of
 * steps that made one object (see cluster.h). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"
#include "util/progress.h"

/* a wait re-checks the clock this often: each round resumes the watch
 * where the last one stopped, one watch request (the server's own limit
 * on a watch, kube_watch.c WATCH_MAX_S, is as long) */
#define CL_CHUNK_S 300
#define CL_SOFT_GRACE_MS 60000	/* a soft blocker fails after this long */

struct wrap {
	struct step_ctx *ctx;
	kube_event_fn fn;
	void *arg;
};

static int
wrap_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct wrap *w = arg;

	if (step_should_stop(w->ctx, err))
		return err->code;
	return w->fn(type, obj, w->arg, err);
}

char *
cl_wait_limit(struct step_ctx *ctx, int asked_s, int got_s)
{
	long long run = ctx->opts && ctx->opts->timeout ? ctx->opts->timeout
							: jint(ctx->plan,
							       "timeout");

	if (ctx->deadline_ms && run > 0 && (asked_s <= 0 || got_s < asked_s))
		return xasprintf("the scenario's timeout (%lld s)", run);
	return xasprintf("%d s", got_s);
}

int
cl_wait(struct step_ctx *ctx, struct kube_client *k, const char *path,
	const char *field_selector, const char *label_selector, int timeout_s,
	kube_event_fn fn, void *arg, struct mtv_err *err)
{
	struct wrap w = { ctx, fn, arg };
	long long deadline = clock_ms() + (long long)timeout_s * 1000;
	char *rv = NULL;
	int r = MTV_ETIMEOUT;

	kube_set_cancel(k, ctx->canceled);
	for (;;) {
		long long left = deadline - clock_ms();
		int chunk;

		if (step_should_stop(ctx, err)) {
			r = err->code;
			goto out;
		}
		if (left <= 0)
			break;
		chunk = left / 1000 + 1 > CL_CHUNK_S ? CL_CHUNK_S
						     : (int)(left / 1000 + 1);
		r = kube_wait_resume(k, path, field_selector, label_selector,
				     chunk, wrap_fn, &w, &rv, err);
		if (r != MTV_ETIMEOUT)
			goto out;
		err_clear(err);
	}
	r = err_set(err, MTV_ETIMEOUT, "timed out after %d s", timeout_s);
out:
	free(rv);
	return r;
}

struct condw {
	const char *want;
	json_object *last;
	long long soft_since;
	bool gone;
	char *why;
};

static int
cond_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct condw *c = arg;
	enum cl_eval e;
	char *why = NULL;

	(void)err;
	if (strcmp(type, "DELETED") == 0) {
		c->gone = true;
		return 1;
	}
	json_object_put(c->last);
	c->last = json_object_get(obj);
	e = cl_eval(obj, c->want, &why);
	free(c->why);
	c->why = why;
	switch (e) {
	case CL_DONE:
	case CL_BLOCKED:
		return 1;
	case CL_BLOCKED_SOFT:
		if (c->soft_since == 0)
			c->soft_since = clock_ms();
		return clock_ms() - c->soft_since >= CL_SOFT_GRACE_MS ? 1 : 0;
	default:
		c->soft_since = 0;
		return 0;
	}
}

int
cl_wait_cond(struct step_ctx *ctx, struct kube_client *k, const char *kind,
	     const char *ns, const char *name, const char *want, int timeout_s,
	     json_object **last, struct mtv_err *err)
{
	struct condw c = { .want = want };
	char *path = kube_path(kind, ns, NULL),
	     *fs = xasprintf("metadata.name=%s", name);
	char *low = xstrdup(kind), *p, *what;
	int r, asked = timeout_s;

	for (p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (last)
		*last = NULL;
	if (timeout_s <= 0 || timeout_s > step_time_left(ctx))
		timeout_s = step_time_left(ctx);
	what = xasprintf("%s '%s' %s", low, name, want);
	progress_wait(what);
	r = cl_wait(ctx, k, path, fs, NULL, timeout_s, cond_fn, &c, err);
	progress_wait(NULL);
	free(what);
	if (r == 0 && c.gone) {
		r = err_set(err, MTV_EFAILED,
			    "%s '%s' was deleted while we waited for %s", low,
			    name, want);
	} else if (r == 0 && cl_eval(c.last, want, NULL) != CL_DONE) {
		r = err_set(err, MTV_EFAILED, "%s '%s' is not %s: %s", low,
			    name, want, c.why ? c.why : "blocked");
	} else if (r == MTV_ETIMEOUT) {
		struct strbuf sb = STRBUF_INIT;
		char *lim = cl_wait_limit(ctx, asked, timeout_s);

		if (c.last)
			cl_blockers(c.last, &sb);
		r = err_set(err, MTV_ETIMEOUT, "%s '%s' not %s after %s%s%s",
			    low, name, want, lim, sb.len ? ": " : "",
			    sb.len ? strbuf_str(&sb) : "");
		strbuf_release(&sb);
		free(lim);
	}
	if (last)
		*last = c.last;
	else
		json_object_put(c.last);
	free(c.why);
	free(low);
	free(fs);
	free(path);
	return r;
}

static int
gone_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	(void)obj; (void)err;
	if (strcmp(type, "DELETED") == 0) {
		*(bool *)arg = true;
		return 1;
	}
	return 0;
}

int
cl_delete(struct step_ctx *ctx, struct kube_client *k, const char *kind,
	  const char *ns, const char *name, int timeout_s, struct mtv_err *err)
{
	char *path = kube_path(kind, ns, name),
	     *coll = kube_path(kind, ns, NULL), *fs;
	long long deadline = clock_ms() + (long long)timeout_s * 1000;
	bool gone = false;
	int r;

	r = kube_delete(k, path, "Background", err);
	if (r != 0 || timeout_s <= 0)
		goto out;
	fs = xasprintf("metadata.name=%s", name);
	/* a DELETED event ends the wait; an object already gone when the
	 * watch lists gives no event, so each short round checks with a get */
	while (r == 0 && !gone) {
		json_object *obj = NULL;
		long long left = deadline - clock_ms();

		r = kube_get(k, path, &obj, err);
		json_object_put(obj);
		if (r == MTV_ENOTFOUND) {
			err_clear(err);
			r = 0;
			break;
		}
		if (r != 0)
			break;
		if (left <= 0 || step_should_stop(ctx, err)) {
			r = left <= 0 ? err_set(err, MTV_ETIMEOUT,
						"%s '%s' still exists %d s "
						"after its deletion",
						kind, name, timeout_s)
				      : err->code;
			break;
		}
		r = kube_wait(k, coll, fs, NULL,
			      left > 5000 ? 5 : (int)(left / 1000) + 1, gone_fn,
			      &gone, err);
		if (r == MTV_ETIMEOUT) {
			err_clear(err);
			r = 0;
		}
	}
	free(fs);
out:
	free(coll);
	free(path);
	return r;
}

json_object *
cl_undo_new(const char *kind, const char *ns, const char *name)
{
	json_object *undo = json_object_new_object();

	if (kind)
		json_object_object_add(undo, "kind",
				       json_object_new_string(kind));
	json_object_object_add(undo, "name", json_object_new_string(name));
	json_object_object_add(undo, "namespace", json_object_new_string(ns));
	return undo;
}

/* The undo of the object manifest names, or NULL when it names none. */
static json_object *
manifest_undo(struct step_ctx *ctx, json_object *manifest)
{
	json_object *meta = jget(manifest, "metadata");

	if (jstr(meta, "name") == NULL)
		return NULL;
	return cl_undo_new(jstr(manifest, "kind"),
			   jstr(meta, "namespace") ? jstr(meta, "namespace")
						   : ctx->ns,
			   jstr(meta, "name"));
}

void
cl_journal_intent(struct step_ctx *ctx, json_object *step,
		  json_object *manifest)
{
	json_object *u;

	if (ctx->journal == NULL || (u = manifest_undo(ctx, manifest)) == NULL)
		return;
	step_journal_add(ctx, step, u);
	json_object_put(u);
}

json_object *
cl_undo_unknown(struct step_ctx *ctx, json_object *manifest, int r)
{
	if (r != MTV_ECANCELED && r != MTV_ENET && r != MTV_ETIMEOUT)
		return NULL;
	return manifest_undo(ctx, manifest);
}

int
cl_undo_delete(struct step_ctx *ctx, json_object *undo, const char *kind,
	       int timeout_s, struct mtv_err *err)
{
	struct kube_client *k = NULL;
	int r;

	if (undo == NULL)
		return 0;
	r = step_kube(ctx, &k, err);
	if (r != 0)
		return r;
	return cl_delete(ctx, k, kind ? kind : jstr(undo, "kind"),
			 jstr(undo, "namespace"), jstr(undo, "name"),
			 timeout_s, err);
}

int
cl_wait_step(struct step_ctx *ctx, struct kube_client *k, json_object *params,
	     const char *kind, const char *ns, const char *name,
	     int timeout_s, json_object **last, struct mtv_err *err)
{
	int timeout = (int)jint(params, "timeout");

	return cl_wait_cond(ctx, k, kind, ns, name,
			    jstr(params, "wait") ? jstr(params, "wait")
						 : "Ready",
			    timeout > 0 ? timeout : timeout_s, last, err);
}
