/* result.c: a run's result as JSON and back, so that a scenario run in a
 * process of its own (run -j) hands the parent what its reports need. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "exec/exec.h"
#include "util/json.h"

static json_object *
step_to_json(const struct step_result *st)
{
	json_object *o = json_object_new_object();

	jputi(o, "id", st->id);
	jputs(o, "kind", st->kind);
	jputs(o, "title", st->title);
	jputi(o, "code", st->code);
	jputs(o, "message", st->message);
	jputi(o, "start_ms", st->start_ms);
	jputi(o, "end_ms", st->end_ms);
	jputb(o, "skipped", st->skipped);
	jputb(o, "teardown", st->teardown);
	return o;
}

json_object *
run_result_to_json(const struct run_result *res)
{
	json_object *o = json_object_new_object(),
		    *steps = json_object_new_array(),
		    *left = json_object_new_array(), *ev = NULL;
	size_t i;

	for (i = 0; i < res->n; i++)
		json_object_array_add(steps, step_to_json(&res->steps[i]));
	for (i = 0; i < res->nleft; i++)
		jarr_adds(left, res->left[i]);
	jput(o, "steps", steps);
	jputi(o, "code", res->code);
	jputs(o, "message", res->message);
	jputi(o, "leaks", res->leaks);
	jputi(o, "undo_failed", res->undo_failed);
	jputi(o, "kept", (long long)res->kept);
	jputb(o, "interrupted", res->interrupted);
	jput(o, "left", left);
	if (res->evidence)
		json_object_deep_copy(res->evidence, &ev, NULL);
	jput(o, "evidence", ev);
	jputi(o, "wall_offset_ms", res->wall_offset_ms);
	return o;
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void
run_result_from_json(struct run_result *res, json_object *o)
{
	json_object *steps = jget(o, "steps"), *left = jget(o, "left");
	size_t i;

	memset(res, 0, sizeof(*res));
	res->n = res->cap = jlen(steps);
	res->steps = res->n ? xcalloc(res->n, sizeof(*res->steps)) : NULL;
	for (i = 0; i < res->n; i++) {
		json_object *s = json_object_array_get_idx(steps, i);
		struct step_result *st = &res->steps[i];

		st->id = (int)jint(s, "id");
		st->kind = xstrdup(jstr(s, "kind") ? jstr(s, "kind") : "?");
		st->title = xstrdup(jstr(s, "title") ? jstr(s, "title") : "");
		st->code = (int)jint(s, "code");
		st->message = dup_or_null(jstr(s, "message"));
		st->start_ms = jint(s, "start_ms");
		st->end_ms = jint(s, "end_ms");
		st->skipped = jbool(s, "skipped");
		st->teardown = jbool(s, "teardown");
	}
	res->code = (int)jint(o, "code");
	res->message = dup_or_null(jstr(o, "message"));
	res->leaks = (int)jint(o, "leaks");
	res->undo_failed = (int)jint(o, "undo_failed");
	res->kept = (size_t)jint(o, "kept");
	res->interrupted = jbool(o, "interrupted");
	res->nleft = jlen(left);
	res->left = res->nleft ? xcalloc(res->nleft, sizeof(*res->left)) : NULL;
	for (i = 0; i < res->nleft; i++)
		res->left[i] = xstrdup(json_object_get_string(
		    json_object_array_get_idx(left, i)));
	if (jget(o, "evidence"))
		res->evidence = json_object_get(jget(o, "evidence"));
	res->wall_offset_ms = jint(o, "wall_offset_ms");
}
