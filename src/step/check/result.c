/* result.c: every plan ends as expect.result says (succeeded, failed, or
 * blocked with expect.condition). */
#include "config.h"

#include "step/check/check.h"

static void
plan_result(struct check_build *b)
{
	json_object *c = check_entry(b, "result");

	jputs(c, "plan", b->m->plans[b->plan].name);
	jputs(c, "expect", b->result);
	jputs(c, "condition", jstr(b->m->expect, "condition"));
}

static void
run_result(struct check_run *r, json_object *c)
{
	const char *plan = jstr(c, "plan"), *want = jstr(c, "expect"),
		   *cond = jstr(c, "condition");
	json_object *st = check_plan_state(r, plan);
	const char *found = jstr(st, "result");

	if (want == NULL)
		want = "succeeded";
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
	check_pass(r, "plan '%s' %s%s%s", plan, want, cond ? " with " : "",
		   cond ? cond : "");
}

const struct check_kind check_result = {
	.name = "result",
	.summary = "every plan ends as expect.result says",
	.when = CHECK_PER_PLAN,
	.plan = plan_result,
	.run = run_result,
};
