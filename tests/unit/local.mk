# Unit tests: one CUnit runner (TAP output); tests/unit/<module>/ mirrors src/.
if HAVE_CUNIT
check_PROGRAMS += tests/unit/unit
TESTS += tests/unit/unit
endif
tests_unit_unit_SOURCES = tests/unit/unit.h tests/unit/runner.c \
	tests/unit/util/test_util.c \
	tests/unit/doc/test_load.c \
	tests/unit/doc/test_schema.c \
	tests/unit/config/test_profile.c \
	tests/unit/config/test_release.c \
	tests/unit/scenario/test_names.c \
	tests/unit/plan/test_plan.c \
	tests/unit/exec/test_run.c \
	tests/unit/exec/test_jobs.c \
	tests/unit/step/test_steps.c \
	tests/unit/step/test_release_step.c \
	tests/unit/step/test_capability.c \
	tests/unit/step/test_checks.c \
	tests/unit/step/test_kinds.c \
	tests/unit/step/test_journal.c \
	tests/unit/step/test_evidence.c \
	tests/unit/step/test_rbac.c \
	tests/unit/vsphere/test_vsphere.c \
	tests/unit/kube/test_kube.c \
	tests/unit/esxi/test_esxi.c \
	tests/unit/guest/test_guest.c \
	tests/unit/report/test_report.c \
	tests/unit/report/test_junit.c
tests_unit_unit_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit -DMTV_TESTING
tests_unit_unit_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_unit_LDADD = libmtv_test.a $(CUNIT_LIBS) $(MTV_LIBS)

# The library again with MTV_STATIC functions visible to unit tests.
check_LIBRARIES = libmtv_test.a
libmtv_test_a_SOURCES = $(libmtv_a_SOURCES)
libmtv_test_a_CPPFLAGS = $(AM_CPPFLAGS) -DMTV_TESTING
libmtv_test_a_CFLAGS = $(AM_CFLAGS)
