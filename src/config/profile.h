/* profile.h: the providers file and the one provider profile a run uses,
 * with environment overrides applied and secrets registered with redact. */
#ifndef MTV_PROFILE_H
#define MTV_PROFILE_H

#include <json-c/json.h>

#include "util/util.h"
#include "doc/doc.h"

/* ---- providers and profiles (profile.c) ---- */

struct mtv_profile {
	char *name;		/* profile (top-level key) */
	char *file;		/* providers file it came from */
	struct mtv_doc *doc;
	json_object *data;	/* owned copy, environment overrides applied */
};

struct profile_opts {
	const char *providers_file;	/* NULL: $MTV_SCENARIO_PROVIDERS, ./providers.yaml, ./.providers.json */
	const char *name;		/* NULL: the only profile, or error */
	json_object *sets;		/* --set / --tc key=value overrides (object) or NULL */
	/* give the chosen profile even when its checks failed (validate
	 * goes on to report every problem) */
	bool keep_invalid;
};

/* Load and validate the providers file, choose the profile, apply
 * COPYOFFLOAD_<KEY> overrides (non-empty env wins) and register every secret
 * value with redact. All problems go to diags. */
int profile_load(struct mtv_profile **out, const struct profile_opts *o,
		 struct mtv_diags *diags);
void profile_free(struct mtv_profile *p);
/* Top-level string key of the profile, or NULL. */
const char *profile_str(const struct mtv_profile *p, const char *key);
/* copyoffload.<key> after overrides, or NULL (empty strings are NULL). */
const char *profile_co(const struct mtv_profile *p, const char *key);
/* Resolve "((secret:path.to.key))" against the profile: returns the value
 * (borrowed) or NULL. */
const char *profile_secret(const struct mtv_profile *p, const char *ref);

#ifdef MTV_TESTING
/* Internals visible to the unit tests (MTV_STATIC). */
void strip_comment_lines(char *buf, size_t len);
void profile_env_apply(json_object *data, struct mtv_diags *diags);
void profile_check_copyoffload(const struct mtv_profile *p, struct mtv_diags *diags);
#endif

#endif
