# Unit tests: one CUnit runner (TAP output); each module adds its
# tests/unit/test_<module>.c to unit_SOURCES in its own fragment.
if HAVE_CUNIT
check_PROGRAMS += tests/unit/unit
TESTS += tests/unit/unit
endif
tests_unit_unit_SOURCES += tests/unit/test_util.c \
	tests/unit/test_run.c tests/unit/test_report.c
tests_unit_unit_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit -DMTV_TESTING
tests_unit_unit_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_unit_LDADD = libmtv_test.a $(CUNIT_LIBS) $(MTV_LIBS)

# The library again with MTV_STATIC functions visible to unit tests.
check_LIBRARIES = libmtv_test.a
libmtv_test_a_SOURCES = $(libmtv_a_SOURCES)
libmtv_test_a_CPPFLAGS = $(AM_CPPFLAGS) -DMTV_TESTING
libmtv_test_a_CFLAGS = $(AM_CFLAGS)

TESTS += tests/t_cli.sh
LAB_TESTS += tests/t_e2e.sh tests/t_secrets.sh
EXTRA_DIST += tests/lib.sh doc/plan-format.md tests/t_cli.sh tests/t_e2e.sh tests/t_secrets.sh

# --enable-valgrind: the unit tests, the fuzz replay and every invalid-input
# case run under valgrind; a memory error or a definite leak fails them
if ENABLE_VALGRIND
VALGRIND_CMD = valgrind --quiet --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite
LOG_COMPILER = $(VALGRIND_CMD)
else
VALGRIND_CMD =
endif
