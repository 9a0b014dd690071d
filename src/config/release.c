/* release.c: the MTV release table. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/release.h"

const struct mtv_release mtv_releases[] = {
	{ "2.9", 2, 9, false, false, false, false, false, false, false },
	{ "2.10", 2, 10, true, false, false, false, false, false, true },
	{ "2.11", 2, 11, true, true, true, false, false, true, true },
	{ "2.12", 2, 12, true, true, true, true, false, true, true },
	{ "main", 2, 13, true, true, true, true, true, true, true },
	{ NULL, 0, 0, false, false, false, false, false, false, false },
};

const struct mtv_release *
release_default(void)
{
	return release_find("2.12");
}

static int
parse_version(const char *v, int *major, int *minor)
{
	char *end;
	long ma, mi;

	if (*v == 'v')
		v++;
	ma = strtol(v, &end, 10);
	if (end == v || *end != '.')
		return -1;
	v = end + 1;
	mi = strtol(v, &end, 10);
	if (end == v || (*end != '\0' && *end != '.' && *end != '-'))
		return -1;
	*major = (int)ma;
	*minor = (int)mi;
	return 0;
}

const struct mtv_release *
release_find(const char *version)
{
	const struct mtv_release *best = NULL, *r;
	int ma, mi;

	if (!version)
		return NULL;
	for (r = mtv_releases; r->name; r++)
		if (strcmp(r->name, version) == 0)
			return r;
	if (parse_version(version, &ma, &mi) < 0)
		return NULL;
	for (r = mtv_releases; r->name; r++)
		if (r->major < ma || (r->major == ma && r->minor <= mi))
			best = r;
	return best;
}

const char *
release_names(void)
{
	static char buf[128];
	const struct mtv_release *r;
	size_t n = 0;

	if (buf[0])
		return buf;
	for (r = mtv_releases; r->name; r++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s",
				      r == mtv_releases ? "" : ", ", r->name);
	return buf;
}

const struct mtv_release *
release_since_off(size_t off)
{
	const struct mtv_release *r;

	for (r = mtv_releases; r->name; r++)
		if (*(const bool *)((const char *)r + off))
			return r;
	return NULL;
}

const struct mtv_release *
release_match(const struct mtv_release *ceiling, bool spec_type,
	      bool rdm_as_lun)
{
	const struct mtv_release *r, *best = NULL;

	for (r = mtv_releases; r->name; r++) {
		if (r->plan_spec_type != spec_type ||
		    r->plan_rdm_as_lun != rdm_as_lun)
			continue;
		if (ceiling == NULL)
			return r;
		if (r <= ceiling)
			best = r;
	}
	return best;
}
