/* cmd_list.c: list: the scenarios with id, tags and description, as a
 * table or as JSON; -m selects by tags. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "config/profile.h"
#include "plan/plan.h"
#include "scenario/scenario.h"

/* Fewest characters of a description shown on a narrow terminal. */
#define LIST_DESC_MIN 16

static const char *
str_or(json_object *o, const char *key, const char *dflt)
{
	json_object *v = NULL;

	if (json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string))
		return json_object_get_string(v);
	return dflt;
}

static char *
tags_joined(json_object *root)
{
	struct strbuf sb = STRBUF_INIT;
	json_object *tags = NULL;
	size_t i;

	json_object_object_get_ex(root, "tags", &tags);
	for (i = 0; tags && i < json_object_array_length(tags); i++) {
		if (i)
			strbuf_addc(&sb, ',');
		strbuf_adds(&sb, json_object_get_string(
				     json_object_array_get_idx(tags, i)));
	}
	return strbuf_detach(&sb);
}

/* The description on one line, shortened to max characters (0: not). */
static char *
desc_line(json_object *root, size_t max)
{
	char *d = xstrdup(str_or(root, "description", "")), *p;
	size_t n;

	for (p = d; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	n = strlen(d);
	while (n && d[n - 1] == ' ')
		d[--n] = '\0';
	if (max && n > max)
		strcpy(d + max - 3, "...");
	return d;
}

/* What list shows of a scenario; the scenario itself is freed at once so
 * that listing many files stays small. */
static json_object *
summary(const struct mtv_scenario *s)
{
	json_object *e = json_object_new_object(), *tags = NULL;
	char *d = desc_line(s->root, 0);

	json_object_object_add(e, "name", json_object_new_string(s->name));
	json_object_object_add(e, "id",
			       s->id ? json_object_new_string(s->id) : NULL);
	json_object_object_add(e, "file", json_object_new_string(s->path));
	json_object_object_get_ex(s->root, "tags", &tags);
	json_object_object_add(
	    e, "tags", tags ? json_object_get(tags) : json_object_new_array());
	json_object_object_add(e, "description", json_object_new_string(d));
	free(d);
	return e;
}

/* Columns of the terminal on standard output; 0 when it is not one (a
 * pipe or a file gets whole lines). */
static size_t
term_width(void)
{
	struct winsize ws;
	const char *env = getenv("COLUMNS");

	if (!isatty(1))
		return 0;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (env && atoi(env) > 0)
		return (size_t)atoi(env);
	return 80;
}

/* The table; descriptions are cut to fit width (0: never). */
static void
print_table(json_object *arr, size_t width)
{
	size_t i, n = json_object_array_length(arr), wn = 4, wi = 2, wt = 4, l;
	char **tags = xcalloc(n + 1, sizeof(*tags));
	json_object *e;

	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(arr, i);
		tags[i] = tags_joined(e);
		if ((l = strlen(str_or(e, "name", ""))) > wn)
			wn = l;
		if ((l = strlen(str_or(e, "id", ""))) > wi)
			wi = l;
		if ((l = strlen(tags[i])) > wt)
			wt = l;
	}
	printf("%-*s  %-*s  %-*s  %s\n", (int)wn, "NAME", (int)wi, "ID",
	       (int)wt, "TAGS", "DESCRIPTION");
	l = wn + wi + wt + 6;
	if (width)
		width = width > l + LIST_DESC_MIN ? width - l : LIST_DESC_MIN;
	for (i = 0; i < n; i++) {
		char *d, *line;

		e = json_object_array_get_idx(arr, i);
		d = desc_line(e, width);
		line = xasprintf("%-*s  %-*s  %-*s  %s", (int)wn,
				 str_or(e, "name", ""), (int)wi,
				 str_or(e, "id", "-"), (int)wt, tags[i], d);
		/* no trailing blanks when the description is empty */
		l = strlen(line);
		while (l && line[l - 1] == ' ')
			line[--l] = '\0';
		puts(line);
		free(line);
		free(d);
		free(tags[i]);
	}
	free(tags);
}

static void
print_json(json_object *arr)
{
	fputs(json_object_to_json_string_ext(
		  arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
			   JSON_C_TO_STRING_NOSLASHESCAPE),
	      stdout);
	fputc('\n', stdout);
}

static int
run(struct mtv_opts *o)
{
	struct mtv_diags diags = { 0 };
	json_object *sel = NULL, *seen = NULL;
	char **paths = NULL;
	size_t npaths = 0, n = 0, i;
	bool json = str_eq(o->format, "json"), selected;
	int code = MTV_EXIT_USAGE;

	if (cmd_check_format(o, "list") != 0)
		return MTV_EXIT_USAGE;
	seen = json_object_new_object();
	scenario_paths(&paths, &npaths, o->args, o->nargs, &diags);
	sel = json_object_new_array();
	for (i = 0; i < npaths; i++) {
		struct mtv_scenario *s =
		    cmd_scenario_load(paths[i], o->marker, &selected, seen,
				      &diags);

		if (s && selected)
			json_object_array_add(sel, summary(s));
		scenario_free(s);
	}
	diags_sort(&diags);
	diags_print(&diags, stderr);
	n = json_object_array_length(sel);
	if (n == 0 && diags.n == 0) {
		cmd_nothing_selected("list", o->marker, seen);
		code = MTV_EXIT_NOTHING;
		goto out;
	}
	if (json)
		print_json(sel);
	else if (n)
		print_table(sel, o->verbosity > 0 ? 0 : term_width());
	code = diags.n ? MTV_EXIT_USAGE : MTV_EXIT_PASS;
out:
	json_object_put(sel);
	json_object_put(seen);
	paths_free(paths, npaths);
	diags_release(&diags);
	return code;
}

const struct cmd_spec cmd_list = {
	.name = "list",
	.summary =
	    "list the scenarios of scenarios.d/ (or the given files) with their tags",
	.synopsis = "[options] [FILE|DIR...]",
	.mask = CMD_LIST,
	.run = run,
};
