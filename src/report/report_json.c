/* report_json.c: the JSON report (man 5, "Reports"; its JSON Schema is
 * schema/report.schema.json): the environment, then per scenario its
 * steps with ISO-8601 times, the verify checks with their evidence and
 * the per-disk copy evidence. Written through the redactor. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"
#include "util/json.h"

static int
write_redacted(const char *path, const char *text, struct mtv_err *err)
{
	char *red = redact(text);
	int r = file_write(path, red, strlen(red), err);

	free(red);
	return r;
}

/* "2026-01-31T12:00:00.250Z" of wall-clock ms, or null for 0. */
static json_object *
iso_time(long long mono_ms, long long offset_ms)
{
	long long ms = mono_ms + offset_ms;
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char buf[40], out[48];

	if (mono_ms <= 0 || gmtime_r(&t, &tm) == NULL)
		return NULL;
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, sizeof(out), "%s.%03dZ", buf, (int)(ms % 1000));
	return json_object_new_string(out);
}

/* The tool: version and configure options. */
static json_object *
tool_info(void)
{
	json_object *o = json_object_new_object();
	const char *opts = MTV_CONFIGURE_OPTIONS;

	while (*opts == ' ')
		opts++;
	jputs(o, "name", PACKAGE_NAME);
	jputs(o, "version", PACKAGE_VERSION);
	jputs(o, "configure_options", opts);
	return o;
}

/* The environment a scenario ran in: every member the schema names,
 * null when the run did not learn it (copied; caller puts). */
static json_object *
scenario_env(const struct scenario_report *r)
{
	static const char *const keys[] = { "mtv", "kubernetes", "openshift",
		"vcenter", "esxi", "storage", NULL };
	json_object *src = r->res && r->res->evidence ?
		jget(r->res->evidence, "environment") : NULL;
	json_object *o = json_object_new_object();
	size_t i;

	for (i = 0; keys[i]; i++) {
		json_object *v = NULL;

		if (jget(src, keys[i]))
			json_object_deep_copy(jget(src, keys[i]), &v, NULL);
		jput(o, keys[i], v ? v : str_eq(keys[i], "esxi") ?
		     json_object_new_array() : NULL);
	}
	return o;
}

/* Has the scenario learnt anything of its environment? */
static bool
env_known(json_object *env)
{
	json_object_object_foreach(env, k, v) {
		(void)k;
		if (v && !(json_object_is_type(v, json_type_array) &&
			   jlen(v) == 0))
			return true;
	}
	return false;
}

static json_object *
step_json(const struct step_result *st, long long off)
{
	json_object *o = json_object_new_object();

	jputi(o, "id", st->id);
	jputs(o, "kind", st->kind);
	jputs(o, "title", st->title);
	jputs(o, "phase", st->teardown ? "teardown" : "run");
	/* as the plan's teardown entries: the step undone */
	if (st->teardown)
		jputi(o, "undoes", st->id);
	jputs(o, "status", st->skipped ? "skipped" : st->code ? "failed" :
	      "passed");
	jput(o, "seconds", json_object_new_double(
	     (double)(st->end_ms - st->start_ms) / 1000.0));
	jput(o, "start", iso_time(st->start_ms, off));
	jput(o, "end", iso_time(st->end_ms, off));
	jputs(o, "message", st->message);
	return o;
}

/* The run's evidence member key (an array), copied, or []. */
static json_object *
evidence_array(const struct scenario_report *r, const char *key)
{
	json_object *v = r->res && r->res->evidence ?
		jget(r->res->evidence, key) : NULL, *cp = NULL;

	if (v && json_object_deep_copy(v, &cp, NULL) == 0)
		return cp;
	return json_object_new_array();
}

static json_object *
scenario_json(const struct scenario_report *r, json_object *env,
	      json_object *top_env)
{
	json_object *s = json_object_new_object(),
		    *steps = json_object_new_array();
	long long off = r->res ? r->res->wall_offset_ms : 0;
	size_t k;

	jputs(s, "name", r->name);
	jputs(s, "id", r->id);
	jputs(s, "file", r->file);
	jputs(s, "run_id", r->run_id);
	jputs(s, "status", report_status_name(r->status));
	jputs(s, "message", r->message);
	jput(s, "duration_seconds", json_object_new_double(
	     (double)r->duration_ms / 1000.0));
	jputi(s, "leaks", r->res ? r->res->leaks : 0);
	/* only where it is not the report's */
	if (env_known(env) && !json_object_equal(env, top_env))
		jput(s, "environment", json_object_get(env));
	for (k = 0; r->res && k < r->res->n; k++)
		json_object_array_add(steps, step_json(&r->res->steps[k], off));
	jput(s, "steps", steps);
	jput(s, "checks", evidence_array(r, "checks"));
	jput(s, "disks", evidence_array(r, "disks"));
	return s;
}

int
report_json_write(const char *path, const struct scenario_report *r, size_t n,
		  struct mtv_err *err)
{
	json_object *root = json_object_new_object(),
		    *arr = json_object_new_array(), *top = NULL, **envs;
	size_t i;
	int rc;

	envs = xcalloc(n ? n : 1, sizeof(*envs));
	for (i = 0; i < n; i++) {
		envs[i] = scenario_env(&r[i]);
		if (top == NULL && env_known(envs[i]))
			top = envs[i];
	}
	if (top == NULL)
		top = n ? envs[0] : NULL;
	top = top ? json_object_get(top) : scenario_env(&(struct
		scenario_report){ 0 });
	for (i = 0; i < n; i++)
		json_object_array_add(arr, scenario_json(&r[i], envs[i], top));
	jputs(root, "format", REPORT_FORMAT);
	jput(top, "tool", tool_info());
	jput(root, "environment", top);
	jput(root, "scenarios", arr);
	rc = write_redacted(path, json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE), err);
	for (i = 0; i < n; i++)
		json_object_put(envs[i]);
	free(envs);
	json_object_put(root);
	return rc;
}
