libmtv_a_SOURCES += \
	src/scn/scn.h \
	src/scn/load.c \
	src/scn/schema.c \
	src/scn/scenario.c \
	src/cmd/collect.c

# Where the installed scenarios.d/ lives (collect.c's default).
AM_CPPFLAGS += -DMTV_PKGDATADIR='"$(pkgdatadir)"'

# Tests of the scenario language (loader, schema, validate, list).
TESTS += tests/t_bad.sh tests/t_schema.sh tests/t_validate.sh
EXTRA_DIST += tests/t_bad.sh tests/t_schema.sh tests/t_validate.sh \
	tests/bad tests/pytest-entries
