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

# Unit tests of load and schema (the shared runner).
tests_unit_unit_SOURCES += tests/unit/test_load.c tests/unit/test_schema.c

# Fuzzing: the harness replays its corpus in make check; with
# --enable-fuzzing (clang) it is also built as a libFuzzer binary.
check_PROGRAMS += tests/fuzz/replay-load
TESTS += tests/fuzz/replay-load
tests_fuzz_replay_load_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_load.c
tests_fuzz_replay_load_LDADD = libmtv.a $(MTV_LIBS)
EXTRA_DIST += tests/fuzz/corpus
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-load
tests_fuzz_fuzz_load_SOURCES = tests/fuzz/fuzz_load.c
tests_fuzz_fuzz_load_LDADD = libmtv.a $(MTV_LIBS)
tests_fuzz_fuzz_load_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
endif
