#include "config.h"
#include "unit.h"
static CU_SuiteInfo suites_steps[] = { CU_SUITE_INFO_NULL };
UNIT_SUITES(suites_steps)
