/* unit.h: CUnit suites register themselves; one runner prints TAP. */
#ifndef MTV_UNIT_H
#define MTV_UNIT_H

#include <CUnit/CUnit.h>

struct mtv_err;

void unit_register(CU_SuiteInfo *suites);

/* ASSERT_OK(call, &err): the call, which sets err when it fails, returns 0;
 * otherwise the failure shows the expression, the return code and err.msg
 * (as libgit2's cl_git_pass does). ASSERT_OK_FATAL also ends the test. */
#define ASSERT_OK(call, errp) \
	unit_assert_ok((call), (errp), #call, __LINE__, __FILE__, __func__, 0)
#define ASSERT_OK_FATAL(call, errp) \
	unit_assert_ok((call), (errp), #call, __LINE__, __FILE__, __func__, 1)
void unit_assert_ok(int r, const struct mtv_err *err, const char *expr,
		    unsigned line, const char *file, const char *func,
		    int fatal);

/* In each tests/unit/test_<module>.c: UNIT_SUITES(suites_<module>); */
#define UNIT_SUITES(arr) \
	static void __attribute__((constructor)) reg_##arr(void) { unit_register(arr); }

#endif
