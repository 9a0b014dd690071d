/* diag.c: validation diagnostics, sorted and printed (redacted). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

void
diags_addv(struct mtv_diags *d, const char *file, int line, int col,
	   const char *fmt, va_list ap)
{
	struct mtv_diag *g;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	g = &d->v[d->n++];
	g->file = file ? xstrdup(file) : NULL;
	g->line = line;
	g->col = col;
	g->msg = xvasprintf(fmt, ap);
}

void
diags_add(struct mtv_diags *d, const char *file, int line, int col,
	  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diags_addv(d, file, line, col, fmt, ap);
	va_end(ap);
}

static int
diag_cmp(const void *a, const void *b)
{
	const struct mtv_diag *x = a, *y = b;
	int c;

	c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
	if (c != 0)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return strcmp(x->msg, y->msg);
}

void
diags_sort(struct mtv_diags *d)
{
	size_t i, j;

	if (d->n < 2)
		return;
	qsort(d->v, d->n, sizeof(*d->v), diag_cmp);
	for (i = 1, j = 1; i < d->n; i++) {
		if (diag_cmp(&d->v[i], &d->v[j - 1]) == 0) {
			free(d->v[i].file);
			free(d->v[i].msg);
			continue;
		}
		d->v[j++] = d->v[i];
	}
	d->n = j;
}

void
diags_print(const struct mtv_diags *d, FILE *fp)
{
	size_t i;
	char *line;

	for (i = 0; i < d->n; i++) {
		const struct mtv_diag *g = &d->v[i];

		if (g->file && g->line > 0)
			line = xasprintf("%s:%d:%d: error: %s\n", g->file,
					 g->line, g->col, g->msg);
		else if (g->file)
			line = xasprintf("%s: error: %s\n", g->file, g->msg);
		else
			line = xasprintf("error: %s\n", g->msg);
		redact_fputs(line, fp);
		free(line);
	}
}

void
diags_release(struct mtv_diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].msg);
	}
	free(d->v);
	d->v = NULL;
	d->n = d->cap = 0;
}
