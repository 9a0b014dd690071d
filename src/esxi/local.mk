libmtv_a_SOURCES += \
	src/esxi/esxi.h \
	src/esxi/esxi.c

# unit tests of the ESXi client and the cluster-side steps
tests_unit_unit_SOURCES += tests/unit/test_esxi.c tests/unit/test_steps.c

LAB_TESTS += tests/t_negative.sh tests/t_cluster.sh tests/t_cluster_faults.sh
EXTRA_DIST += tests/t_negative.sh tests/t_cluster.sh tests/t_cluster_faults.sh tests/neg

# driver of the cluster-side steps and the ESXi client for shell tests
check_PROGRAMS += tests/clustertool
tests_clustertool_SOURCES = tests/clustertool.c
tests_clustertool_LDADD = libmtv.a $(MTV_LIBS)
