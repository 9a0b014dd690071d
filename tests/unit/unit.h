/* unit.h: CUnit suites register themselves; one runner prints TAP. */
#ifndef MTV_UNIT_H
#define MTV_UNIT_H

#include <CUnit/CUnit.h>

void unit_register(CU_SuiteInfo *suites);

/* In each tests/unit/test_<module>.c: UNIT_SUITES(suites_<module>); */
#define UNIT_SUITES(arr) \
	static void __attribute__((constructor)) reg_##arr(void) { unit_register(arr); }

#endif
