/* report.c: what the reports share; report_json.c writes the JSON report,
 * junit.c the JUnit one. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "report/report.h"

const char *
report_status_name(enum report_status s)
{
	switch (s) {
	case REPORT_PASSED: return "passed";
	case REPORT_FAILED: return "failed";
	case REPORT_ERROR: return "error";
	case REPORT_INTERRUPTED: return "interrupted";
	case REPORT_SKIPPED: return "skipped";
	}
	return "error";
}
