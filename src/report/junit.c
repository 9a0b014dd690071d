/* junit.c: the JUnit XML report of a run, as CI tools and Polarion's
 * XUnit importer read it (man 5, JUNIT REPORT).
 *
 * One <testsuite> for the run (nested suites are not read by every
 * consumer: ReportPortal), one <testcase> per scenario. A failed check or
 * a Forklift object that did not do what the scenario expects is a
 * <failure>; a step that could not be carried out (network, login, API,
 * internal error), an interrupt or a teardown that left objects is an
 * <error>, as pytest reports setup and teardown errors; a scenario not run
 * is <skipped>. The structure follows the Jenkins xunit plugin's
 * junit-10.xsd; the Polarion flavour (the default) adds <properties> to
 * <testsuites> and <testcase>, where the Polarion importer reads them
 * (tmt's polarion.xsd, RedHatQE conftest.py), and, there, every verify
 * check as a property of its test case (add_check_props); the strict
 * flavour has them as system-out lines. tests/junit/ holds both
 * schemas and t_junit.sh validates real reports against them.
 *
 * Every value passes redact() on its own, before XML escaping: a secret
 * with '&' or '<' is found raw, and the header rule (which masks up to the
 * end of a line) never eats markup. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/report.h"

struct junit {
	struct strbuf sb;
	const struct junit_opts *o;
	json_object *props;	/* the run's properties, defaults included */
	size_t failures, errors, skipped;
	double time;
};

/* The length of the UTF-8 sequence at s that XML 1.0 allows, or 0. */
static size_t
xml_char_len(const unsigned char *s)
{
	unsigned long c;
	size_t n, i;

	if (s[0] < 0x80)
		return s[0] >= 0x20 || s[0] == '\n' || s[0] == '\t' ? 1 : 0;
	n = s[0] >= 0xf0 && s[0] < 0xf5 ? 4 : s[0] >= 0xe0 ? 3 :
	    s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (n == 0 || s[0] >= 0xf5)
		return 0;
	c = s[0] & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c < 0xe000) ||
	    c == 0xfffe || c == 0xffff)
		return 0;
	return n;
}

/* Add s redacted and escaped; in an attribute, line breaks as &#10;.
 * Bytes XML 1.0 or UTF-8 forbid become a visible \xNN, as pytest's
 * bin_xml_escape does (redact() already did so for control characters). */
static void
add_text(struct strbuf *sb, const char *s, bool attr)
{
	char *red = redact(s ? s : "");
	const unsigned char *p = (const unsigned char *)red;
	size_t l;

	while (*p) {
		l = xml_char_len(p);
		if (l == 0) {
			strbuf_addf(sb, "\\x%02x", *p++);
			continue;
		}
		if (attr && (*p == '\n' || *p == '\t'))
			strbuf_adds(sb, *p == '\n' ? "&#10;" : "&#9;");
		else if (l == 1 && strchr("<>&\"", *p)) {
			char c[2] = { (char)*p, '\0' };

			strbuf_add_xml(sb, c);
		} else
			strbuf_add(sb, (const char *)p, l);
		p += l;
	}
	free(red);
}

/* name="value" with a leading space. */
static void
add_attr(struct strbuf *sb, const char *name, const char *value)
{
	strbuf_addf(sb, " %s=\"", name);
	add_text(sb, value, true);
	strbuf_addc(sb, '"');
}

static void
add_property(struct strbuf *sb, const char *indent, const char *name,
	     const char *value)
{
	strbuf_addf(sb, "%s<property", indent);
	add_attr(sb, "name", name);
	add_attr(sb, "value", value);
	strbuf_adds(sb, "/>\n");
}

/* The part of every scenario id before its last '-' ("MTV" of MTV-614),
 * when they all share it; else NULL. Caller frees. */
static char *
id_prefix(const struct scenario_report *r, size_t n)
{
	char *pre = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *id = r[i].id, *dash = id ? strrchr(id, '-') : NULL;

		if (id == NULL)
			continue;
		if (dash == NULL || dash == id ||
		    (pre && (strlen(pre) != (size_t)(dash - id) ||
			     strncmp(pre, id, (size_t)(dash - id))))) {
			free(pre);
			return NULL;
		}
		if (pre == NULL)
			pre = xstrndup(id, (size_t)(dash - id));
	}
	return pre;
}

/* The run's properties: Polarion's project (from the scenario ids) and
 * test run title, the tool's version, then --junit-property, which
 * overrides a default of the same name. */
static json_object *
run_props(const struct scenario_report *r, size_t n,
	  const struct junit_opts *o, const char *stamp)
{
	json_object *p = json_object_new_object();
	char *pre = id_prefix(r, n), *title;

	if (pre)
		jputs(p, "polarion-project-id", pre);
	title = xasprintf("mtv-scenario %s", stamp);
	jputs(p, "polarion-testrun-title", title);
	jputs(p, "mtv-scenario.version", PACKAGE_VERSION);
	if (o && o->props) {
		json_object_object_foreach(o->props, k, v)
			jputs(p, k, json_object_get_string(v));
	}
	free(pre);
	free(title);
	return p;
}

/* A <properties> block of p; only the polarion-* ones when polarion. */
static void
add_props(struct strbuf *sb, const char *indent, json_object *p,
	  bool polarion)
{
	char *in2 = xasprintf("%s  ", indent);

	strbuf_addf(sb, "%s<properties>\n", indent);
	json_object_object_foreach(p, k, v) {
		if (!polarion || strncmp(k, "polarion-", 9) == 0)
			add_property(sb, in2, k, json_object_get_string(v));
	}
	strbuf_addf(sb, "%s</properties>\n", indent);
	free(in2);
}

/* The testcase's class: its first tag, else its file's name without the
 * folder and .yaml (or .yml, .json). Caller frees. */
static char *
classname(const struct scenario_report *r)
{
	const char *base, *dot;

	if (r->tags && jlen(r->tags) > 0)
		return xstrdup(json_object_get_string(
			json_object_array_get_idx(r->tags, 0)));
	base = r->file ? strrchr(r->file, '/') : NULL;
	base = base ? base + 1 : r->file ? r->file : "mtv-scenario";
	dot = strrchr(base, '.');
	if (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml") ||
		    !strcmp(dot, ".json")))
		return xstrndup(base, (size_t)(dot - base));
	return xstrdup(base);
}

/* One system-out line per step: "[06] clone: TITLE ... passed 1.2 s";
 * teardown "teardown of step 06 (clone): TITLE ..."; a check not
 * performed is a skipped line of the verify step. */
static void
add_step_line(struct strbuf *sb, const struct step_result *st)
{
	char *head = st->teardown ?
		xasprintf("teardown of step %02d (%s): %s", st->id, st->kind,
			  st->title) :
		xasprintf("[%02d] %s: %s", st->id, st->kind, st->title);

	add_text(sb, head, false);
	if (st->skipped) {
		strbuf_adds(sb, " ... skipped: ");
		add_text(sb, st->message ? st->message :
			 "not selected by --only", false);
	} else {
		strbuf_addf(sb, " ... %s %.1f s", st->code ? "failed" :
			    "passed", (double)(st->end_ms - st->start_ms) /
			    1000.0);
		if (st->code) {
			strbuf_adds(sb, ": ");
			add_text(sb, st->message ? st->message :
				 err_name(st->code), false);
		}
	}
	strbuf_addc(sb, '\n');
	free(head);
}

/* The verify step's checks, one line each after its own:
 * "[09] verify: check xcopy_used ... passed: MESSAGE". */
static void
add_check_lines(struct strbuf *sb, const struct step_result *st,
		json_object *checks)
{
	size_t i;

	for (i = 0; i < jlen(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		const char *msg = jstr(c, "message");
		char *head = xasprintf("[%02d] %s: check %s ... %s", st->id,
				       st->kind, jstr(c, "name") ?
				       jstr(c, "name") : "?",
				       jstr(c, "status") ?
				       jstr(c, "status") : "?");

		add_text(sb, head, false);
		if (msg) {
			strbuf_adds(sb, ": ");
			add_text(sb, msg, false);
		}
		strbuf_addc(sb, '\n');
		free(head);
	}
}

/* The step lines of scenario r: a check not performed is a skipped
 * result of its own unless r->checks lists it with the others. */
static void
add_step_lines(struct strbuf *sb, const struct scenario_report *r)
{
	size_t k;

	for (k = 0; r->res && k < r->res->n; k++) {
		const struct step_result *st = &r->res->steps[k];

		if (r->checks && st->skipped && st->message)
			continue;
		add_step_line(sb, st);
		if (!st->teardown && !st->skipped &&
		    str_eq(st->kind, "verify"))
			add_check_lines(sb, st, r->checks);
	}
}

/* The first step of the run (not the teardown) that failed, or NULL. */
static const struct step_result *
failed_step(const struct run_result *res, bool teardown)
{
	size_t k;

	for (k = 0; res && k < res->n; k++)
		if (res->steps[k].code && res->steps[k].teardown == teardown)
			return &res->steps[k];
	return NULL;
}

/* A passed scenario that --only cut short is not verified: Polarion
 * must not record it as passed. NULL, or why it counts as skipped
 * (caller frees). */
static char *
left_out(const struct run_result *res)
{
	size_t k, n = 0, out = 0;

	for (k = 0; res && k < res->n; k++) {
		const struct step_result *st = &res->steps[k];

		if (st->teardown || (st->skipped && st->message))
			continue;	/* teardown, checks not performed */
		n++;
		out += st->skipped;
	}
	if (out == 0)
		return NULL;
	if (out == n)
		return xstrdup("not run: every step was left out by --only");
	return xasprintf("not verified: --only left out %zu of %zu steps",
			 out, n);
}

/* The failed checks of r, "NAME: MESSAGE" a line; false when none. */
static bool
failed_checks(struct strbuf *sb, const struct scenario_report *r)
{
	size_t i, n = 0;

	for (i = 0; i < jlen(r->checks); i++) {
		json_object *c = json_object_array_get_idx(r->checks, i);

		if (!str_eq(jstr(c, "status"), "failed"))
			continue;
		if (n++)
			strbuf_addc(sb, '\n');
		add_text(sb, jstr(c, "name"), false);
		strbuf_adds(sb, ": ");
		add_text(sb, jstr(c, "message") ? jstr(c, "message") :
			 "failed", false);
	}
	return n > 0;
}

/* The verdict element of scenario r: failure, error or skipped (none when
 * it passed). */
static void
add_verdict(struct junit *j, const struct scenario_report *r)
{
	const struct step_result *st = failed_step(r->res, false);
	const char *el, *type, *msg = r->message;
	char *why = NULL;

	if (r->status == REPORT_PASSED && (why = left_out(r->res)) == NULL)
		return;
	if (r->status == REPORT_SKIPPED || r->status == REPORT_PASSED) {
		j->skipped++;
		strbuf_adds(&j->sb, "      <skipped");
		add_attr(&j->sb, "message", why ? why : msg ? msg : "not run");
		strbuf_adds(&j->sb, "/>\n");
		free(why);
		return;
	}
	if (st == NULL)
		st = failed_step(r->res, true);
	type = r->status == REPORT_INTERRUPTED ? "interrupted" :
	       st == NULL ? "error" : st->teardown ? "teardown" : st->kind;
	if (msg == NULL)
		msg = st && st->message ? st->message : "failed";
	/* the scenario's expectation did not hold (a check, a Plan that
	 * failed or never finished): failure; the rest: error */
	el = r->status == REPORT_FAILED && st && !st->teardown &&
	     (st->code == MTV_EFAILED || st->code == MTV_ETIMEOUT) ?
	     "failure" : "error";
	if (el[0] == 'f')
		j->failures++;
	else
		j->errors++;
	strbuf_addf(&j->sb, "      <%s", el);
	add_attr(&j->sb, "message", msg);
	add_attr(&j->sb, "type", type);
	strbuf_addc(&j->sb, '>');
	/* the failed checks one per line, else the step's message */
	if (!(st && str_eq(st->kind, "verify") && failed_checks(&j->sb, r)))
		add_text(&j->sb, st && st->message ? st->message : msg,
			 false);
	strbuf_addf(&j->sb, "</%s>\n", el);
}

/* Every verify check of a scenario as a property of its test case
 * (Polarion flavour; the strict schema has no test case properties):
 * "mtv-scenario.check.NAME" = "STATUS" or "STATUS: MESSAGE", in the order
 * performed; one per entry (a check of every VM has several). */
static void
add_check_props(struct strbuf *sb, json_object *checks)
{
	size_t i;

	for (i = 0; i < jlen(checks); i++) {
		json_object *c = json_object_array_get_idx(checks, i);
		const char *st = jstr(c, "status") ? jstr(c, "status") : "?",
			   *msg = jstr(c, "message");
		char *name = xasprintf("mtv-scenario.check.%s",
				       jstr(c, "name") ? jstr(c, "name") : "?"),
		     *val = msg ? xasprintf("%s: %s", st, msg) : xstrdup(st);

		add_property(sb, "        ", name, val);
		free(val);
		free(name);
	}
}

/* The testcase of scenario r. */
static void
add_testcase(struct junit *j, const struct scenario_report *r)
{
	char *cls = classname(r);
	size_t k;

	strbuf_adds(&j->sb, "    <testcase");
	add_attr(&j->sb, "name", r->name);
	add_attr(&j->sb, "classname", cls);
	strbuf_addf(&j->sb, " time=\"%.3f\">\n",
		    (double)r->duration_ms / 1000.0);
	j->time += (double)r->duration_ms / 1000.0;
	if (!j->o->strict && (r->id || jlen(r->tags) || jlen(r->checks))) {
		strbuf_adds(&j->sb, "      <properties>\n");
		if (r->id)
			add_property(&j->sb, "        ",
				     "polarion-testcase-id", r->id);
		for (k = 0; k < jlen(r->tags); k++)
			add_property(&j->sb, "        ", "tag",
				     json_object_get_string(
				     json_object_array_get_idx(r->tags, k)));
		add_check_props(&j->sb, r->checks);
		strbuf_adds(&j->sb, "      </properties>\n");
	}
	add_verdict(j, r);
	strbuf_adds(&j->sb, "      <system-out>");
	strbuf_adds(&j->sb, "file: ");
	add_text(&j->sb, r->file, false);
	strbuf_adds(&j->sb, "\nrun id: ");
	add_text(&j->sb, r->run_id ? r->run_id : "none", false);
	strbuf_addc(&j->sb, '\n');
	add_step_lines(&j->sb, r);
	strbuf_adds(&j->sb, "</system-out>\n    </testcase>\n");
	free(cls);
}

/* Now less the run's duration, as ReportPortal reads it: UTC, no zone. */
static void
run_start(char *buf, size_t len, double seconds)
{
	time_t t = time(NULL) - (time_t)seconds;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
}

/* The document around the test cases in cases. */
static void
add_document(struct junit *j, const char *cases, size_t n,
	     const char *stamp)
{
	char host[256] = "localhost";

	(void)gethostname(host, sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	strbuf_addf(&j->sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		    "<testsuites name=\"mtv-scenario\" tests=\"%zu\" "
		    "failures=\"%zu\" errors=\"%zu\" time=\"%.3f\">\n",
		    n, j->failures, j->errors, j->time);
	if (!j->o->strict)
		add_props(&j->sb, "  ", j->props, true);
	strbuf_addf(&j->sb, "  <testsuite name=\"mtv-scenario\" tests=\"%zu\" "
		    "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
		    "time=\"%.3f\" timestamp=\"%s\"", n, j->failures,
		    j->errors, j->skipped, j->time, stamp);
	add_attr(&j->sb, "hostname", host);
	strbuf_adds(&j->sb, ">\n");
	add_props(&j->sb, "    ", j->props, false);
	strbuf_adds(&j->sb, cases);
	strbuf_adds(&j->sb, "  </testsuite>\n</testsuites>\n");
}

int
report_junit_write(const char *path, const struct scenario_report *r,
		   size_t n, const struct junit_opts *o, struct mtv_err *err)
{
	static const struct junit_opts none = { NULL, false };
	struct junit j;
	struct strbuf cases = STRBUF_INIT;
	char stamp[32];
	double total = 0;
	size_t i;
	int rc;

	memset(&j, 0, sizeof(j));
	strbuf_init(&j.sb);
	j.o = o ? o : &none;
	for (i = 0; i < n; i++)
		total += (double)r[i].duration_ms / 1000.0;
	run_start(stamp, sizeof(stamp), total);
	j.props = run_props(r, n, j.o, stamp);
	for (i = 0; i < n; i++)
		add_testcase(&j, &r[i]);
	/* the cases first: the counts above them are known only then */
	strbuf_adds(&cases, strbuf_str(&j.sb));
	strbuf_reset(&j.sb);
	add_document(&j, strbuf_str(&cases), n, stamp);
	rc = file_write(path, j.sb.buf, j.sb.len, err);
	json_object_put(j.props);
	strbuf_release(&cases);
	strbuf_release(&j.sb);
	return rc;
}
