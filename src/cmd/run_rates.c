/* run_rates.c: copy rates measured by earlier runs, per profile, for run
 * -j's start order: DIR/rates.json in the journal folder,
 * {"PROFILE": {"xcopy_mib_s": N, "fallback_mib_s": N, "vddk_mib_s": N}}. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/run.h"
#include "config/profile.h"
#include "step/journal.h"
#include "util/json.h"

static const char *const methods[] = { "xcopy", "fallback", "vddk" };

static char *
rates_path(void)
{
	char *dir = journal_dir(), *p = xasprintf("%s/rates.json", dir);

	free(dir);
	return p;
}

json_object *
run_rates_load(const struct mtv_profile *prof)
{
	char *path = rates_path(), *text = NULL;
	struct mtv_err err = { 0 };
	json_object *all = NULL, *mine = NULL;

	if (prof && prof->name &&
	    file_read(&text, NULL, path, 1 << 20, &err) == 0)
		all = json_tokener_parse(text);
	if (jget(all, prof ? prof->name : ""))
		mine = json_object_get(jget(all, prof->name));
	json_object_put(all);
	free(text);
	free(path);
	return mine;
}

/* The size-weighted rate of the run's disks copied by method, or 0. */
static double
measured(json_object *disks, const char *method)
{
	double bytes = 0, secs = 0;
	size_t i;

	for (i = 0; i < jlen(disks); i++) {
		json_object *d = json_object_array_get_idx(disks, i);
		json_object *s = jget(d, "duration_seconds");

		if (!str_eq(jstr(d, "method"), method) || s == NULL ||
		    jint(d, "size_bytes") <= 0 ||
		    json_object_get_double(s) <= 0)
			continue;
		bytes += (double)jint(d, "size_bytes");
		secs += json_object_get_double(s);
	}
	return secs > 0 ? bytes / secs / (1024.0 * 1024.0) : 0;
}

void
run_rates_record(const struct mtv_profile *prof, const struct run_result *res)
{
	json_object *disks = res->evidence ? jget(res->evidence, "disks") : NULL,
		    *all = NULL, *mine;
	char *path, *text = NULL, *dir;
	struct mtv_err err = { 0 };
	bool changed = false;
	size_t i;

	if (prof == NULL || prof->name == NULL || jlen(disks) == 0)
		return;
	path = rates_path();
	if (file_read(&text, NULL, path, 1 << 20, &err) == 0)
		all = json_tokener_parse(text);
	if (all == NULL || !json_object_is_type(all, json_type_object)) {
		json_object_put(all);
		all = json_object_new_object();
	}
	mine = jget(all, prof->name);
	if (mine == NULL) {
		mine = json_object_new_object();
		jput(all, prof->name, mine);
	}
	for (i = 0; i < ARRAY_SIZE(methods); i++) {
		double r = measured(disks, methods[i]);
		char *key = xasprintf("%s_mib_s", methods[i]);
		json_object *old = jget(mine, key);

		/* half the old, half the new: one odd run does not rule */
		if (r > 0) {
			if (old && json_object_get_double(old) > 0)
				r = (r + json_object_get_double(old)) / 2;
			jput(mine, key, json_object_new_double(r));
			changed = true;
		}
		free(key);
	}
	dir = journal_dir();
	if (changed && (mkdir(dir, 0700) == 0 || errno == EEXIST)) {
		const char *s = json_object_to_json_string_ext(all,
		    JSON_C_TO_STRING_PRETTY);

		if (file_write(path, s, strlen(s), &err) != 0)
			log_verbose("copy rates not kept: %s", err.msg);
	}
	free(dir);
	free(text);
	free(path);
	json_object_put(all);
}
