# Providers file, profiles and expansion into the plan (engineer E), plus
# the plan command's profile helper (src/cmd/profile.c).
libmtv_a_SOURCES += \
	src/scn/profile.c \
	src/scn/profile_vendor.h \
	src/scn/plan.c \
	src/scn/plan_print.c \
	src/cmd/profile.c

# Golden plans, invalid providers files, environment overrides.
TESTS += tests/t_plan.sh tests/t_bad_providers.sh tests/t_env.sh
EXTRA_DIST += tests/t_plan.sh tests/t_bad_providers.sh tests/t_env.sh tests/plan

# Unit tests of profiles and expansion: their own runner (this fragment is
# included before tests/local.mk defines the shared one).
if HAVE_CUNIT
check_PROGRAMS += tests/unit/unit-plan
TESTS += tests/unit/unit-plan
endif
tests_unit_unit_plan_SOURCES = tests/unit/unit.h tests/unit/runner.c \
	tests/unit/test_profile.c tests/unit/test_plan.c
tests_unit_unit_plan_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit -DMTV_TESTING
tests_unit_unit_plan_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_unit_plan_LDADD = libmtv_test.a $(CUNIT_LIBS) $(MTV_LIBS)
