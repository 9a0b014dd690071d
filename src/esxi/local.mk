libmtv_a_SOURCES += \
	src/esxi/esxi.h \
	src/esxi/esxi.c \
	src/step/cluster.h \
	src/step/cluster.c

# unit tests of the ESXi client and the cluster-side steps (a runner of
# their own: tests/local.mk sets tests_unit_unit_SOURCES with '=' after
# this fragment is included)
if HAVE_CUNIT
check_PROGRAMS += tests/unit/unit_cluster
TESTS += tests/unit/unit_cluster
endif
tests_unit_unit_cluster_SOURCES = tests/unit/unit.h tests/unit/runner.c \
	tests/unit/test_esxi.c tests/unit/test_steps.c
tests_unit_unit_cluster_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit -DMTV_TESTING
tests_unit_unit_cluster_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_unit_cluster_LDADD = libmtv_test.a $(CUNIT_LIBS) $(MTV_LIBS)

LAB_TESTS += tests/t_negative.sh tests/t_cluster.sh tests/t_cluster_faults.sh
EXTRA_DIST += tests/t_negative.sh tests/t_cluster.sh tests/t_cluster_faults.sh tests/neg

# driver of the cluster-side steps and the ESXi client for shell tests
check_PROGRAMS += tests/clustertool
tests_clustertool_SOURCES = tests/clustertool.c
tests_clustertool_LDADD = libmtv.a $(MTV_LIBS)
