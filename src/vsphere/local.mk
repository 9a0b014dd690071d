libmtv_a_SOURCES += \
	src/vsphere/vsphere.h \
	src/vsphere/vs_int.h \
	src/vsphere/vsphere.c
libmtv_a_SOURCES += \
	src/vsphere/vs_step.h \
	src/vsphere/vs_step.c

# tests: the driver for lab tests and the benchmark
check_PROGRAMS += tests/vstool
tests_vstool_SOURCES = src/vsphere/vstool.c
tests_vstool_LDADD = libmtv.a $(MTV_LIBS)
LAB_TESTS += tests/t_source.sh
EXTRA_DIST += tests/t_source.sh tests/t_source_plans.py tests/t_source_check.py \
	tests/t_source_shared.py

# unit tests: a runner of their own (tests/local.mk assigns
# tests_unit_unit_SOURCES with '=' after this fragment)
if HAVE_CUNIT
check_PROGRAMS += tests/unit/unit_vsphere
TESTS += tests/unit/unit_vsphere
endif
tests_unit_unit_vsphere_SOURCES = tests/unit/unit.h tests/unit/runner.c tests/unit/test_vsphere.c
tests_unit_unit_vsphere_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit -DMTV_TESTING
tests_unit_unit_vsphere_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_unit_vsphere_LDADD = libmtv_test.a $(CUNIT_LIBS) $(MTV_LIBS)
EXTRA_DIST += bench/bench-source.sh
