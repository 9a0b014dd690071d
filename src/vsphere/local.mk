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

# unit tests
tests_unit_unit_SOURCES += tests/unit/test_vsphere.c
EXTRA_DIST += bench/bench-source.sh
