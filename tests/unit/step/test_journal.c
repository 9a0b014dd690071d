/* test_journal.c: the run journal's file format: records, folding,
 * torn lines, the lock and completion. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <fcntl.h>
#include <unistd.h>

#include "unit.h"
#include "step/journal.h"
#include "step/step.h"
#include "util/json.h"

static char tmpdir[64];

static int
setup(void)
{
	strcpy(tmpdir, "/tmp/mtv-journal.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	return setenv("XDG_STATE_HOME", tmpdir, 1);
}

static int
cleanup(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);
	int r = system(cmd);

	free(cmd);
	return r == 0 ? 0 : -1;
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	struct strbuf sb = STRBUF_INIT;
	int c;

	if (fp == NULL)
		return NULL;
	while ((c = fgetc(fp)) != EOF)
		strbuf_addc(&sb, (char)c);
	fclose(fp);
	return strbuf_detach(&sb);
}

static void
test_dir(void)
{
	char *d = journal_dir(), *p = journal_path("abc123", "journal");
	char *want = xasprintf("%s/mtv-scenario", tmpdir);
	char *wantp = xasprintf("%s/mtv-scenario/abc123.journal", tmpdir);

	CU_ASSERT_STRING_EQUAL(d, want);
	CU_ASSERT_STRING_EQUAL(p, wantp);
	free(d);
	free(p);
	free(want);
	free(wantp);
}

/* A run's records: one JSON object a line, in order; the reading folds
 * them per step (the last undo counts, done marks it). */
static void
test_records_and_fold(void)
{
	struct step_journal *j = NULL;
	struct step_ctx ctx;
	struct mtv_err err = { 0 };
	json_object *hdr = json_object_new_object(), *rd = NULL, *e,
		    *s1 = json_tokener_parse("{\"id\": 3, \"kind\": \"clone\","
			  "\"side\": \"source\", \"params\": {\"vm\": \"x\"}}"),
		    *s2 = json_tokener_parse("{\"id\": 5, \"kind\": \"map\"}"),
		    *u = json_tokener_parse("{\"name\": \"abc123-vm\"}"),
		    *u2 = json_tokener_parse("{\"name\": \"abc123-vm\","
					     "\"moid\": \"vm-42\"}");
	char *path = journal_path("abc123", "journal"), *text, *line;
	int lines = 0;

	jputs(hdr, "namespace", "mtv-abc123");
	ASSERT_OK_FATAL(journal_open(&j, "abc123", hdr, &err), &err);
	memset(&ctx, 0, sizeof(ctx));
	ctx.journal = j;
	step_journal_begin(&ctx, s1);
	step_journal_add(&ctx, s1, u);
	step_journal_add(&ctx, s1, u2);
	step_journal_begin(&ctx, s2);
	step_journal_done(&ctx, s2);
	journal_close(j, false);
	text = slurp(path);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	for (line = text; *line; line++)
		lines += *line == '\n';
	CU_ASSERT_EQUAL(lines, 6);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"op\":\"run\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"run_id\":\"abc123\""));
	ASSERT_OK_FATAL(journal_read(&rd, path, &err), &err);
	CU_ASSERT_STRING_EQUAL(jstr(jget(rd, "run"), "namespace"),
			       "mtv-abc123");
	CU_ASSERT_EQUAL(jlen(jget(rd, "steps")), 2);
	e = json_object_array_get_idx(jget(rd, "steps"), 0);
	CU_ASSERT_EQUAL(jint(e, "id"), 3);
	CU_ASSERT_STRING_EQUAL(jstr(jget(e, "undo"), "moid"), "vm-42");
	CU_ASSERT_STRING_EQUAL(jstr(jget(e, "step"), "kind"), "clone");
	CU_ASSERT_FALSE(jbool(e, "done"));
	e = json_object_array_get_idx(jget(rd, "steps"), 1);
	CU_ASSERT_TRUE(jbool(e, "done"));
	json_object_put(rd);
	free(text);
	free(path);
	json_object_put(hdr);
	json_object_put(s1);
	json_object_put(s2);
	json_object_put(u);
	json_object_put(u2);
}

/* A torn last line (killed mid-write) is skipped; the rest reads. */
static void
test_torn_line(void)
{
	char *path = journal_path("torn11", "journal");
	char *dir = journal_dir();
	struct mtv_err err = { 0 };
	json_object *rd = NULL;
	FILE *fp;

	fp = fopen(path, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	fputs("{\"op\":\"run\",\"run_id\":\"torn11\"}\n"
	      "{\"op\":\"begin\",\"id\":1,\"step\":{\"id\":1,\"kind\":\"secret\"}}\n"
	      "{\"op\":\"undo\",\"id\":1,\"und", fp);
	fclose(fp);
	ASSERT_OK_FATAL(journal_read(&rd, path, &err), &err);
	CU_ASSERT_EQUAL(jlen(jget(rd, "steps")), 1);
	CU_ASSERT_PTR_NULL(jget(json_object_array_get_idx(
	    jget(rd, "steps"), 0), "undo"));
	json_object_put(rd);
	CU_ASSERT_EQUAL(journal_read(&rd, "/nonexistent/x.journal", &err),
			MTV_ENOTFOUND);
	unlink(path);
	free(path);
	free(dir);
}

/* The lock tells a live run; a second open of a live run is refused;
 * completion removes the journal and the lock. */
static void
test_lock_and_complete(void)
{
	struct step_journal *j = NULL, *j2 = NULL;
	struct mtv_err err = { 0 };
	char *jp = journal_path("lock22", "journal"),
	     *lp = journal_path("lock22", "lock");
	json_object *ids;
	size_t i;
	bool listed = false;

	ASSERT_OK_FATAL(journal_open(&j, "lock22", NULL, &err), &err);
	CU_ASSERT_TRUE(journal_alive("lock22"));
	CU_ASSERT_EQUAL(journal_open(&j2, "lock22", NULL, &err),
			MTV_ECONFLICT);
	CU_ASSERT_PTR_NULL(j2);
	ids = journal_list();
	for (i = 0; i < jlen(ids); i++)
		listed |= str_eq(json_object_get_string(
		    json_object_array_get_idx(ids, i)), "lock22");
	CU_ASSERT_TRUE(listed);
	json_object_put(ids);
	journal_close(j, false);
	CU_ASSERT_FALSE(journal_alive("lock22"));
	CU_ASSERT_EQUAL(access(jp, F_OK), 0);
	ASSERT_OK_FATAL(journal_open(&j, "lock22", NULL, &err), &err);
	journal_close(j, true);
	CU_ASSERT_NOT_EQUAL(access(jp, F_OK), 0);
	CU_ASSERT_NOT_EQUAL(access(lp, F_OK), 0);
	CU_ASSERT_FALSE(journal_alive("lock22"));
	free(jp);
	free(lp);
}

/* Without a journal the step helpers do nothing. */
static void
test_no_journal(void)
{
	struct step_ctx ctx;
	json_object *s = json_tokener_parse("{\"id\": 1}");

	memset(&ctx, 0, sizeof(ctx));
	step_journal_begin(&ctx, s);
	step_journal_add(&ctx, s, NULL);
	step_journal_done(&ctx, s);
	json_object_put(s);
	CU_PASS("no journal, no write");
}

static CU_TestInfo tests_journal[] = {
	{ "the journal folder follows XDG_STATE_HOME", test_dir },
	{ "records are JSON lines; the reading folds them per step",
	  test_records_and_fold },
	{ "a torn last line is skipped", test_torn_line },
	{ "the lock tells a live run; completion removes the files",
	  test_lock_and_complete },
	{ "no journal: the step helpers do nothing", test_no_journal },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_journal[] = {
	{ "journal", setup, cleanup, NULL, NULL, tests_journal },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_journal)
