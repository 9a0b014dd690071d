libmtv_a_SOURCES += \
	src/kube/kube.h \
	src/kube/kube_int.h \
	src/kube/kube.c \
	src/kube/kubeconfig.c

# tests: unit tests, the client driver for shell tests and the benchmark
tests_unit_unit_SOURCES += tests/unit/test_kube.c
check_PROGRAMS += tests/kubetool
tests_kubetool_SOURCES = tests/kubetool.c
tests_kubetool_LDADD = libmtv.a $(MTV_LIBS)
LAB_TESTS += tests/t_kube_client.sh
EXTRA_DIST += tests/t_kube_client.sh bench/bench-kube.sh
