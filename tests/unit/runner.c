/* runner.c: run every registered CUnit suite and print TAP, one line per
 * test, so automake's TAP driver counts each test. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "unit.h"
#include "util/util.h"

static CU_SuiteInfo *groups[64];
static int ngroups;
static int ntest, nfail;

void
unit_register(CU_SuiteInfo *suites)
{
	if (ngroups < 64)
		groups[ngroups++] = suites;
}

void
unit_assert_ok(int r, const struct mtv_err *err, const char *expr,
	       unsigned line, const char *file, const char *func, int fatal)
{
	/* static: a fatal failure does not return here; CUnit copies it */
	static char msg[4096];

	if (r != 0)
		snprintf(msg, sizeof(msg), "%s returned %d (%s): %s", expr, r,
			 err_name(r),
			 err && err->msg[0] ? err->msg : "(no message)");
	CU_assertImplementation(r == 0 ? CU_TRUE : CU_FALSE, line,
				r == 0 ? expr : msg, file, func,
				fatal ? CU_TRUE : CU_FALSE);
}

/* diag: one TAP comment line per line of text */
static void
diag(const char *file, unsigned line, const char *text)
{
	const char *nl;

	printf("# %s:%u: ", file, line);
	for (; (nl = strchr(text, '\n')) != NULL; text = nl + 1)
		printf("%.*s\n#   ", (int)(nl - text), text);
	printf("%s\n", text);
}

static void
on_complete(const CU_pTest test, const CU_pSuite suite,
	    const CU_pFailureRecord failure)
{
	ntest++;
	if (failure == NULL) {
		printf("ok %d - %s: %s\n", ntest, suite->pName, test->pName);
		return;
	}
	nfail++;
	printf("not ok %d - %s: %s\n", ntest, suite->pName, test->pName);
	for (CU_pFailureRecord f = failure; f; f = f->pNext)
		diag(f->strFileName ? f->strFileName : "?", f->uiLineNumber,
		     f->strCondition ? f->strCondition : "");
}

int
main(int argc, char **argv)
{
	unsigned total = 0;
	int i, j;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 99;
	for (i = 0; i < ngroups; i++) {
		if (CU_register_suites(groups[i]) != CUE_SUCCESS) {
			fprintf(stderr, "cannot register suites: %s\n", CU_get_error_msg());
			return 99;
		}
		for (j = 0; groups[i][j].pName; j++) {
			CU_TestInfo *t = groups[i][j].pTests;

			for (; t && t->pName; t++)
				total++;
		}
	}
	/* a filter: run only suites whose name contains argv[1] */
	if (argc > 1) {
		CU_pSuite s = CU_get_registry()->pSuite;

		total = 0;
		for (; s; s = s->pNext) {
			if (strstr(s->pName, argv[1]) == NULL)
				CU_set_suite_active(s, CU_FALSE);
			else
				total += s->uiNumberOfTests;
		}
	}
	printf("1..%u\n", total);
	CU_set_test_complete_handler(on_complete);
	CU_basic_set_mode(CU_BRM_SILENT);
	CU_run_all_tests();
	CU_cleanup_registry();
	return nfail ? 1 : 0;
}
