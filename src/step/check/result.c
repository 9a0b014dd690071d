/* result.c: every plan ends as expect.result says: succeeded; failed with
 * expect.condition among the Plan's conditions and expect.message in the
 * failure; or blocked with expect.condition. */
#include "config.h"

#include <string.h>

#include "step/check/check.h"

static void
plan_result(struct check_build *b)
{
	json_object *c = check_entry(b, "result");

	jputs(c, "plan", b->m->plans[b->plan].name);
	jputs(c, "expect", b->result);
	jputs(c, "condition", jstr(b->m->expect, "condition"));
	if (jstr(b->m->expect, "message"))
		jputs(c, "message", jstr(b->m->expect, "message"));
}

/* Does the list of condition types have type? */
static bool
has_condition(json_object *types, const char *type)
{
	size_t i;

	for (i = 0; i < jlen(types); i++)
		if (str_eq(json_object_get_string(
			json_object_array_get_idx(types, i)), type))
			return true;
	return false;
}

/* A failed plan failed the way the scenario expects: its condition among
 * the Plan's and its message in the failure text. */
static bool
failed_as_expected(struct check_run *r, const char *plan, json_object *c,
		   json_object *st)
{
	const char *cond = jstr(c, "condition"), *msg = jstr(c, "message"),
		   *why = jstr(st, "failure");

	if (cond && !has_condition(jget(st, "conditions"), cond)) {
		check_fail(r, "plan '%s': failed without condition '%s' "
			   "(conditions: %s): %s", plan, cond,
			   jlen(jget(st, "conditions")) ?
			   json_object_to_json_string(jget(st, "conditions")) :
			   "none", why && *why ? why : "no reason given");
		return false;
	}
	if (msg && (why == NULL || strstr(why, msg) == NULL)) {
		check_fail(r, "plan '%s': failed, but not with '%s': %s", plan,
			   msg, why && *why ? why : "no reason given");
		return false;
	}
	return true;
}

static void
run_result(struct check_run *r, json_object *c)
{
	const char *plan = jstr(c, "plan"), *want = jstr(c, "expect"),
		   *cond = jstr(c, "condition"), *msg = jstr(c, "message");
	json_object *st = check_plan_state(r, plan);
	const char *found = jstr(st, "result");

	if (want == NULL)
		want = "succeeded";
	check_evidence(r, "found", found ? json_object_new_string(found) :
		       NULL);
	check_evidence(r, "conditions", json_object_get(jget(st,
		       "conditions")));
	check_evidence(r, "failure", json_object_get(jget(st, "failure")));
	if (!str_eq(found, want)) {
		check_fail(r, "plan '%s': expected result '%s', found '%s'%s%s",
			   plan, want, found ? found : "none (it did not run)",
			   jstr(st, "blocked_by") ? ": " : "",
			   jstr(st, "blocked_by") ?
			   jstr(st, "blocked_by") : "");
		return;
	}
	if (str_eq(want, "blocked") && cond &&
	    !str_eq(jstr(st, "blocked"), cond)) {
		check_fail(r, "plan '%s': expected blocking condition '%s', "
			   "found '%s'", plan, cond,
			   jstr(st, "blocked") ? jstr(st, "blocked") : "none");
		return;
	}
	if (str_eq(want, "failed") && !failed_as_expected(r, plan, c, st))
		return;
	check_pass(r, "plan '%s' %s%s%s%s%s%s", plan, want,
		   cond ? " with " : "", cond ? cond : "", msg ? " ('" : "",
		   msg ? msg : "", msg ? "')" : "");
}

const struct check_kind check_result = {
	.name = "result",
	.summary = "every plan ends as expect.result says",
	.when = CHECK_PER_PLAN,
	.plan = plan_result,
	.run = run_result,
};
