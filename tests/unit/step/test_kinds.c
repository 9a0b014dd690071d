/* test_kinds.c: the step kinds' parameter tables agree with the "params
 * by kind" lists of doc/plan-format.md (read from $srcdir). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "step/step.h"

/* The "## params by kind" section of the document (caller frees). */
static char *
params_section(void)
{
	const char *srcdir = getenv("srcdir") ? getenv("srcdir") : ".";
	char *path = xasprintf("%s/doc/plan-format.md", srcdir), *text = NULL,
	     *a, *b, *r = NULL;
	struct mtv_err err = { 0 };
	size_t len = 0;

	if (file_read(&text, &len, path, 0, &err) == 0 &&
	    (a = strstr(text, "\n## params by kind")) != NULL) {
		b = strstr(a + 1, "\n## ");
		r = b ? xasprintf("%.*s", (int)(b - a), a) : xstrdup(a);
	}
	free(path);
	free(text);
	return r;
}

/* The paragraph of kind k: "`name`:" or "`name` (side S):" at a line
 * start; NULL when the document has none. */
static const char *
kind_text(const char *sec, const struct step_kind *k, bool per_side)
{
	char *head = per_side ? xasprintf("\n`%s` (side %s):", k->name, step_side(k)) :
		xasprintf("\n`%s`:", k->name);
	const char *p = strstr(sec, head);

	free(head);
	return p;
}

/* The keys at the top level of the first {...} after p, as " k1 k2 ... "
 * in document order; strings in key position (after '{' or ',') only. */
static char *
doc_keys(const char *p)
{
	struct strbuf sb = STRBUF_INIT;
	int depth = 0;
	bool key = false;

	p = strchr(p, '{');
	strbuf_addc(&sb, ' ');
	for (; p && *p; p++) {
		if (*p == '"') {
			const char *e = strchr(p + 1, '"');

			if (e == NULL)
				break;
			if (depth == 1 && key)
				strbuf_addf(&sb, "%.*s ", (int)(e - p - 1), p + 1);
			p = e;
			key = false;
		} else if (*p == '{' || *p == '[') {
			key = ++depth == 1;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				break;
		} else if (*p == ',' && depth == 1) {
			key = true;
		} else if (*p == ':' && depth == 1) {
			key = false;
		}
	}
	return strbuf_detach(&sb);
}

static void
test_doc_lists_every_key(void)
{
	char *sec = params_section();
	size_t i, j;

	CU_ASSERT_PTR_NOT_NULL_FATAL(sec);
	for (i = 0; step_table[i]; i++) {
		const struct step_kind *k = step_table[i];
		const struct step_param *p;
		bool per_side = false;
		const char *t;
		char *keys, *want;
		struct strbuf sb = STRBUF_INIT;

		for (j = 0; step_table[j]; j++)
			per_side |= j != i && str_eq(step_table[j]->name, k->name);
		t = kind_text(sec, k, per_side);
		if (t == NULL) {
			fprintf(stderr, "# doc/plan-format.md: no params of '%s' "
				"(side %s)\n", k->name, step_side(k));
			CU_FAIL("a kind is not documented");
			continue;
		}
		keys = doc_keys(t);
		strbuf_addc(&sb, ' ');
		for (p = k->params; p && p->key; p++)
			strbuf_addf(&sb, "%s ", p->key);
		want = strbuf_detach(&sb);
		if (strcmp(keys, want) != 0)
			fprintf(stderr, "# doc/plan-format.md: %s (side %s) lists"
				"%s; the table has%s\n", k->name, step_side(k),
				keys, want);
		CU_ASSERT_STRING_EQUAL(keys, want);
		free(keys);
		free(want);
	}
	free(sec);
}

static CU_TestInfo tests_kinds[] = {
	{ "doc/plan-format.md lists each kind's parameters", test_doc_lists_every_key },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_kinds[] = {
	{ "kinds", NULL, NULL, NULL, NULL, tests_kinds },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_kinds)
