/* collect.c: turn FILE|DIR arguments into the sorted list of scenario
 * files that run, plan, validate and list work on. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

#ifndef MTV_PKGDATADIR
#define MTV_PKGDATADIR "/usr/local/share/mtv-scenario"
#endif
#ifndef MTV_BINDIR
#define MTV_BINDIR "/usr/local/bin"
#endif

struct paths {
	char **v;
	size_t n, cap;
};

static void
paths_add(struct paths *p, char *path)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n++] = path;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_scenario_name(const char *name)
{
	return name[0] != '.' &&
	       (str_endswith(name, ".yaml") || str_endswith(name, ".yml") ||
		str_endswith(name, ".json"));
}

/* Add the scenario files of dir, sorted by name (not recursive). */
static int
add_dir(struct paths *p, const char *dir, struct mtv_diags *diags)
{
	DIR *d;
	struct dirent *e;
	size_t first = p->n;
	size_t len = strlen(dir);

	d = opendir(dir);
	if (d == NULL) {
		diags_add(diags, dir, 0, 0, "cannot open directory: %s",
			  strerror(errno));
		return MTV_EIO;
	}
	while ((e = readdir(d)) != NULL) {
		if (!is_scenario_name(e->d_name))
			continue;
		if (len && dir[len - 1] == '/')
			paths_add(p, xasprintf("%s%s", dir, e->d_name));
		else
			paths_add(p, xasprintf("%s/%s", dir, e->d_name));
	}
	closedir(d);
	if (p->n > first)
		qsort(p->v + first, p->n - first, sizeof(*p->v), cmp_str);
	return 0;
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *
cmd_datadir(void)
{
	static char dir[4096];
	char exe[4096], *slash;
	const char *env = getenv("MTV_SCENARIO_DATADIR");
	size_t n, nb = strlen(MTV_BINDIR);
	ssize_t len;

	if (env && *env)
		return env;
	if (dir[0])
		return dir;
	snprintf(dir, sizeof(dir), "%s", MTV_PKGDATADIR);
	/* a staged copy (make install DESTDIR=D) runs as D/bindir/mtv-scenario
	 * and finds its data in D/pkgdatadir */
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return dir;
	exe[len] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return dir;
	*slash = '\0';
	n = strlen(exe);
	if (n > nb && str_eq(exe + n - nb, MTV_BINDIR)) {
		char *staged = xasprintf("%.*s%s", (int)(n - nb), exe,
					 MTV_PKGDATADIR);

		if (is_dir(staged))
			snprintf(dir, sizeof(dir), "%s", staged);
		free(staged);
	}
	return dir;
}

static int
add_arg(struct paths *p, const char *arg, struct mtv_diags *diags)
{
	struct stat st;
	char *alt = NULL;
	int r = 0;

	if (stat(arg, &st) != 0) {
		/* a relative name missing here, such as scenarios.d/thin.yaml,
		 * may name a file of the installed copy */
		int e = errno;

		if (arg[0] != '/' && e == ENOENT) {
			alt = xasprintf("%s/%s", cmd_datadir(), arg);
			if (stat(alt, &st) == 0)
				arg = alt;
		}
		if (arg != alt) {
			diags_add(diags, arg, 0, 0, "cannot open: %s",
				  strerror(e));
			free(alt);
			return MTV_ENOTFOUND;
		}
	}
	if (S_ISDIR(st.st_mode))
		r = add_dir(p, arg, diags);
	else
		paths_add(p, xstrdup(arg));
	free(alt);
	return r;
}

/* A file named twice (or through its directory) is taken once, where it
 * first appears. */
static void
dedupe(struct paths *p)
{
	json_object *seen = json_object_new_object();
	size_t i, j = 0;

	for (i = 0; i < p->n; i++) {
		if (json_object_object_get_ex(seen, p->v[i], NULL)) {
			free(p->v[i]);
			continue;
		}
		json_object_object_add(seen, p->v[i], NULL);
		p->v[j++] = p->v[i];
	}
	p->n = j;
	json_object_put(seen);
}

int
scenario_paths(char ***out, size_t *n, char **args, int nargs,
	       struct mtv_diags *diags)
{
	struct paths p = { NULL, 0, 0 };
	int i, r = 0;

	*out = NULL;
	*n = 0;
	if (nargs == 0) {
		/* ./scenarios.d, else the installed copy */
		if (is_dir("scenarios.d")) {
			r = add_dir(&p, "scenarios.d", diags);
		} else {
			char *dir = xasprintf("%s/scenarios.d", cmd_datadir());

			if (is_dir(dir)) {
				r = add_dir(&p, dir, diags);
			} else {
				diags_add(diags, dir, 0, 0,
					  "no scenarios.d/ in the current folder and none installed (make install installs them; or name FILE|DIR)");
				r = MTV_ENOTFOUND;
			}
			free(dir);
		}
	}
	for (i = 0; i < nargs; i++)
		if (add_arg(&p, args[i], diags) != 0 && r == 0)
			r = MTV_EINVAL;
	if (r != 0) {
		paths_free(p.v, p.n);
		return MTV_EINVAL;
	}
	dedupe(&p);
	*out = p.v;
	*n = p.n;
	return 0;
}

void
paths_free(char **paths, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int
cmd_check_format(const struct mtv_opts *o, const char *cmd)
{
	struct mtv_err err = { 0 };

	if (o->format && !str_eq(o->format, "json") &&
	    !str_eq(o->format, "text")) {
		fprintf(stderr,
			"mtv-scenario: %s: unknown format '%s' (expected text or json)\n",
			cmd, o->format);
		return MTV_EXIT_USAGE;
	}
	if (o->marker && tags_match(o->marker, NULL, &err) < 0) {
		fprintf(stderr, "mtv-scenario: -m '%s': %s\n", o->marker,
			err.msg);
		return MTV_EXIT_USAGE;
	}
	return 0;
}

struct mtv_scenario *
cmd_scenario_load(const char *path, const char *marker, bool *selected,
		  json_object *seen_tags, struct mtv_diags *diags)
{
	struct mtv_scenario *s = NULL;
	struct mtv_err err = { 0 };
	json_object *tags = NULL;
	size_t i;

	*selected = false;
	if (scenario_load(&s, path, diags) != 0) {
		scenario_free(s);
		return NULL;
	}
	json_object_object_get_ex(s->root, "tags", &tags);
	*selected = tags_match(marker, tags, &err) == 1;
	for (i = 0; seen_tags && tags && i < json_object_array_length(tags);
	     i++)
		json_object_object_add(
		    seen_tags,
		    json_object_get_string(json_object_array_get_idx(tags, i)),
		    NULL);
	return s;
}

static bool
tag_char(int ch)
{
	return isalnum(ch) || ch == '_' || ch == '-' || ch == '.' || ch == ':';
}

/* The tag words of a -m expression that no scenario carries, with the
 * closest tag; then the tags there are. */
static void
unknown_tags(const char *marker, json_object *seen_tags)
{
	const char *known[512], *p = marker, *q, *dym;
	size_t n = 0, i, bad = 0;
	char *w;

	json_object_object_foreach(seen_tags, k, v) {
		(void)v;
		if (n < ARRAY_SIZE(known))
			known[n++] = k;
	}
	if (n == 0)
		return;
	qsort(known, n, sizeof(*known), cmp_str);
	while (*p) {
		for (q = p; tag_char((unsigned char)*q); q++)
			;
		if (q == p) {
			p++;
			continue;
		}
		w = xstrndup(p, (size_t)(q - p));
		p = q;
		if (str_eq(w, "and") || str_eq(w, "or") || str_eq(w, "not") ||
		    json_object_object_get_ex(seen_tags, w, NULL)) {
			free(w);
			continue;
		}
		dym = str_closest(w, known, n);
		fprintf(stderr,
			"mtv-scenario: -m: no scenario has the tag '%s'%s%s%s\n",
			w, dym ? " (did you mean '" : "", dym ? dym : "",
			dym ? "'?)" : "");
		bad++;
		free(w);
	}
	if (bad == 0)
		return;
	fputs("mtv-scenario: the scenarios' tags are:", stderr);
	for (i = 0; i < n; i++)
		fprintf(stderr, "%s %s", i ? "," : "", known[i]);
	fputc('\n', stderr);
}

void
cmd_nothing_selected(const char *cmd, const char *marker,
		     json_object *seen_tags)
{
	fprintf(stderr, "mtv-scenario: %s%sno scenario selected\n",
		cmd ? cmd : "", cmd ? ": " : "");
	if (marker && seen_tags)
		unknown_tags(marker, seen_tags);
}
