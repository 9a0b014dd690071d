/* cmd_report.c: the copy-offload summary of a JSON report: per scenario
 * and datastore the copy method, the disks, their bytes, copy time and
 * rate, and how much faster XCOPY copied than the fallback, as an aligned
 * table, Markdown or CSV. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "doc/doc.h"
#include "util/json.h"

#define MIB (1024.0 * 1024.0)
#define GIB (1024.0 * MIB)
#define REPORT_MAX (64u << 20)	/* a report larger than this is not ours */
#define SCHEMA_MAX (1u << 20)	/* the loader's limit: larger ones are read
				 * without positions nor schema check */

/* One line: the disks of one scenario on one datastore copied one way. */
struct row {
	const char *scenario, *datastore, *key, *method;
	int disks;
	long long bytes;	/* -1: a disk of unknown size */
	double seconds;		/* sum of the disks' copy times */
	bool timed;		/* every disk has a time */
	double speedup;		/* xcopy rate over the fallback's; 0: none */
};

struct rows {
	struct row *v;
	size_t n, cap;
};

static const char *
or_dash(const char *s)
{
	return s && *s ? s : "-";
}

/* The row of (scenario, datastore, method), added when new. */
static struct row *
row_get(struct rows *rs, const char *scn, json_object *d)
{
	json_object *ds = jget(d, "datastore");
	const char *name = or_dash(jstr(ds, "name")),
		   *method = or_dash(jstr(d, "method"));
	struct row *r;
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (str_eq(rs->v[i].scenario, scn) &&
		    str_eq(rs->v[i].datastore, name) &&
		    str_eq(rs->v[i].method, method))
			return &rs->v[i];
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 16;
		rs->v = xrealloc(rs->v, rs->cap * sizeof(*rs->v));
	}
	r = &rs->v[rs->n++];
	memset(r, 0, sizeof(*r));
	r->scenario = scn;
	r->datastore = name;
	r->key = or_dash(jstr(ds, "key"));
	r->method = method;
	r->timed = true;
	return r;
}

static double
rate(const struct row *r)
{
	return r->timed && r->seconds > 0 && r->bytes >= 0 ?
		(double)r->bytes / MIB / r->seconds : 0;
}

/* Rows of every disk of the report whose copy did not fail (*failed
 * counts the others); the speed-up of each XCOPY row against the fallback
 * rows of its scenario, else of the whole report. */
static void
collect(struct rows *rs, json_object *root, int *failed)
{
	json_object *scns = jget(root, "scenarios");
	struct row all = { 0 };
	size_t i, j;

	all.timed = true;
	for (i = 0; i < jlen(scns); i++) {
		json_object *s = json_object_array_get_idx(scns, i),
			    *disks = jget(s, "disks");

		for (j = 0; j < jlen(disks); j++) {
			json_object *d = json_object_array_get_idx(disks, j),
				    *sz = jget(d, "size_bytes"),
				    *t = jget(d, "duration_seconds");
			struct row *r;

			if (jstr(d, "error")) {
				(*failed)++;
				continue;
			}
			r = row_get(rs, or_dash(jstr(s, "name")), d);
			r->disks++;
			if (r->bytes >= 0)
				r->bytes = sz ? r->bytes +
					json_object_get_int64(sz) : -1;
			if (t)
				r->seconds += json_object_get_double(t);
			r->timed &= t != NULL;
		}
	}
	for (i = 0; i < rs->n; i++)
		if (str_eq(rs->v[i].method, "fallback") && rate(&rs->v[i]) > 0) {
			all.bytes += rs->v[i].bytes;
			all.seconds += rs->v[i].seconds;
		}
	for (i = 0; i < rs->n; i++) {
		struct row fb = { 0 };

		if (!str_eq(rs->v[i].method, "xcopy") || rate(&rs->v[i]) == 0)
			continue;
		fb.timed = true;
		for (j = 0; j < rs->n; j++)
			if (str_eq(rs->v[j].method, "fallback") &&
			    str_eq(rs->v[j].scenario, rs->v[i].scenario) &&
			    rate(&rs->v[j]) > 0) {
				fb.bytes += rs->v[j].bytes;
				fb.seconds += rs->v[j].seconds;
			}
		if (rate(&fb) == 0)
			fb = all;
		if (rate(&fb) > 0)
			rs->v[i].speedup = rate(&rs->v[i]) / rate(&fb);
	}
}

#define NCOL 8
static const char *const heads[NCOL + 1] = { "SCENARIO", "DATASTORE",
	"KEY", "METHOD", "DISKS", "SIZE", "TIME", "RATE", "SPEED-UP" };
static const char *const csv_heads[NCOL + 1] = { "scenario", "datastore",
	"datastore_key", "method", "disks", "bytes", "seconds", "mib_per_s",
	"speedup" };

/* The cells of row r for a person (table, Markdown); caller frees. */
static void
cells(char **c, const struct row *r)
{
	c[0] = xstrdup(r->scenario);
	c[1] = xstrdup(r->datastore);
	c[2] = xstrdup(r->key);
	c[3] = xstrdup(r->method);
	c[4] = xasprintf("%d", r->disks);
	c[5] = r->bytes >= 0 ? xasprintf("%.1f GiB", (double)r->bytes / GIB) :
		xstrdup("-");
	c[6] = r->timed ? xasprintf("%.0f s", r->seconds) : xstrdup("-");
	c[7] = rate(r) > 0 ? xasprintf("%.1f MiB/s", rate(r)) : xstrdup("-");
	c[8] = r->speedup > 0 ? xasprintf("%.1fx", r->speedup) : xstrdup("-");
}

static void
cells_free(char **c)
{
	size_t i;

	for (i = 0; i <= NCOL; i++)
		free(c[i]);
}

/* Numbers are right-aligned. */
static bool
numeric(size_t col)
{
	return col >= 4;
}

/* One line of cells c in widths w. */
static void
print_line(char *const *c, const size_t *w, bool markdown)
{
	size_t k;

	for (k = 0; k <= NCOL; k++) {
		int wk = (int)w[k] * (numeric(k) ? 1 : -1);

		if (markdown)
			printf("| %*s ", wk, c[k]);
		else
			printf(k < NCOL ? "%*s  " : "%*s", wk, c[k]);
	}
	printf(markdown ? "|\n" : "\n");
}

static void
print_table(const struct rows *rs, bool markdown)
{
	static const char dashes[] = "----------------------------------------"
		"----------------------------------------";
	size_t w[NCOL + 1], i, k;
	char *c[NCOL + 1];

	for (k = 0; k <= NCOL; k++)
		w[k] = strlen(heads[k]);
	for (i = 0; i < rs->n; i++) {
		cells(c, &rs->v[i]);
		for (k = 0; k <= NCOL; k++)
			w[k] = strlen(c[k]) > w[k] ? strlen(c[k]) : w[k];
		cells_free(c);
	}
	print_line((char *const *)heads, w, markdown);
	if (markdown) {
		for (k = 0; k <= NCOL; k++)
			printf("| %.*s%c ", (int)w[k] - 1, dashes,
			       numeric(k) ? ':' : '-');
		printf("|\n");
	}
	for (i = 0; i < rs->n; i++) {
		cells(c, &rs->v[i]);
		print_line(c, w, markdown);
		cells_free(c);
	}
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or newline. */
static void
csv_field(const char *s, bool last)
{
	const char *p;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, stdout);
	} else {
		putchar('"');
		for (p = s; *p; p++) {
			if (*p == '"')
				putchar('"');
			putchar(*p);
		}
		putchar('"');
	}
	putchar(last ? '\n' : ',');
}

static void
print_csv(const struct rows *rs)
{
	size_t i, k;

	for (k = 0; k <= NCOL; k++)
		csv_field(csv_heads[k], k == NCOL);
	for (i = 0; i < rs->n; i++) {
		const struct row *r = &rs->v[i];
		char *num[5];

		num[0] = xasprintf("%d", r->disks);
		num[1] = r->bytes >= 0 ? xasprintf("%lld", r->bytes) :
			xstrdup("");
		num[2] = r->timed ? xasprintf("%.3f", r->seconds) : xstrdup("");
		num[3] = rate(r) > 0 ? xasprintf("%.1f", rate(r)) : xstrdup("");
		num[4] = r->speedup > 0 ? xasprintf("%.2f", r->speedup) :
			xstrdup("");
		csv_field(r->scenario, false);
		csv_field(r->datastore, false);
		csv_field(r->key, false);
		csv_field(r->method, false);
		for (k = 0; k < 5; k++) {
			csv_field(num[k], k == 4);
			free(num[k]);
		}
	}
}

/* Read and check the report at path: JSON, an mtv-scenario report, and
 * (when the loader takes its size) valid against the report schema. */
static int
load(json_object **out, const char *path)
{
	struct mtv_diags diags = { 0 };
	struct mtv_doc *doc = NULL;
	struct mtv_err err = { 0 };
	json_object *root = NULL;
	const char *fmt;
	char *buf = NULL;
	size_t len = 0;
	int r = MTV_EXIT_USAGE;

	if (file_read(&buf, &len, path, REPORT_MAX, &err) != 0) {
		fprintf(stderr, "mtv-scenario: report: %s\n", err.msg);
		goto out;
	}
	root = json_tokener_parse(buf);
	fmt = jstr(root, "format");
	if (!json_object_is_type(root, json_type_object) || fmt == NULL ||
	    !str_startswith(fmt, "mtv-scenario.report/")) {
		fprintf(stderr, "mtv-scenario: report: '%s' is not an "
			"mtv-scenario JSON report (no \"format\": "
			"\"mtv-scenario.report/v1\"; write one with run "
			"--report FILE)\n", path);
		goto out;
	}
	if (len <= SCHEMA_MAX &&
	    (doc_load_buf(&doc, path, buf, len, &diags) != 0 ||
	     schema_validate(doc, "report", &diags) != 0)) {
		diags_print(&diags, stderr);
		fprintf(stderr, "mtv-scenario: report: '%s' does not match the "
			"report schema of this version\n", path);
		goto out;
	}
	*out = root;
	root = NULL;
	r = 0;
out:
	json_object_put(root);
	doc_free(doc);
	diags_release(&diags);
	free(buf);
	return r;
}

static int
run(struct mtv_opts *o)
{
	const char *f = o->format ? o->format : "table";
	json_object *root = NULL;
	struct rows rs = { 0 };
	int code, failed = 0;

	if (o->nargs != 1) {
		fprintf(stderr, "mtv-scenario: report: expected one "
			"FILE.json (the file of run --report)\n");
		return MTV_EXIT_USAGE;
	}
	code = load(&root, o->args[0]);
	if (code != 0)
		return code;
	collect(&rs, root, &failed);
	if (failed)
		fprintf(stderr, "mtv-scenario: report: %d disk%s whose copy "
			"failed left out\n", failed, failed == 1 ? "" : "s");
	if (rs.n == 0)
		fprintf(stderr, "mtv-scenario: report: '%s' has no per-disk "
			"copy evidence (no disk was transferred)\n",
			o->args[0]);
	if (str_eq(f, "csv"))
		print_csv(&rs);
	else if (rs.n)
		print_table(&rs, str_eq(f, "markdown"));
	free(rs.v);
	json_object_put(root);
	return fflush(stdout) == 0 ? MTV_EXIT_PASS : MTV_EXIT_INTERNAL;
}

const struct cmd_spec cmd_report = {
	.name = "report",
	.summary = "summarise a JSON report's copy evidence: per scenario "
		   "and datastore the copy method, bytes, time, rate and the "
		   "XCOPY speed-up",
	.synopsis = "[options] FILE.json",
	.mask = CMD_REPORT,
	.run = run,
};
