/* preflight_expected.c: does a negative scenario's expectation name a
 * preflight finding? Shared by the source and cluster preflights, below
 * the preflight kind that calls them. */
#include "config.h"

#include <string.h>

#include "step/step.h"

bool
preflight_expected(json_object *params, const char *condition,
		   const char *predicts, const char *finding)
{
	json_object *ef = jget(params, "expected_failure");
	const char *c = jstr(ef, "condition"), *msg = jstr(ef, "message");
	bool named;

	if (ef == NULL)
		return false;
	/* a finding predicting another condition is not this failure */
	if (c && condition && !str_eq(c, condition))
		return false;
	if (msg)
		named = strstr(finding, msg) ||
			(predicts && strstr(predicts, msg));
	else
		named = c && condition;
	if (named)
		log_info("preflight: the scenario expects this failure: "
			 "%s%s%s%s", finding, predicts ? " (Forklift: " : "",
			 predicts ? predicts : "", predicts ? ")" : "");
	return named;
}
