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

# Unit tests of profiles and expansion, in the shared runner.
tests_unit_unit_SOURCES += tests/unit/test_profile.c tests/unit/test_plan.c
