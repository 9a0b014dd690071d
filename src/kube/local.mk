libmtv_a_SOURCES += \
	src/kube/kube.h \
	src/kube/kube_int.h \
	src/kube/kube.c \
	src/kube/kubeconfig.c
# OpenSSL's SHA-256 names OAuth tokens for revocation (libcurl links it
# already; configure.ac should check libcrypto with PKG_CHECK_MODULES).
LIBS += -lcrypto

# tests: unit tests, the client driver for shell tests and the benchmark
# (a runner of its own: tests/local.mk sets tests_unit_unit_SOURCES with '='
# after this fragment is included, so '+=' cannot be used here yet)
if HAVE_CUNIT
check_PROGRAMS += tests/unit/unit_kube
TESTS += tests/unit/unit_kube
endif
tests_unit_unit_kube_SOURCES = tests/unit/unit.h tests/unit/runner.c tests/unit/test_kube.c
tests_unit_unit_kube_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit -DMTV_TESTING
tests_unit_unit_kube_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_unit_kube_LDADD = libmtv_test.a $(CUNIT_LIBS) $(MTV_LIBS)
check_PROGRAMS += tests/kubetool
tests_kubetool_SOURCES = tests/kubetool.c
tests_kubetool_LDADD = libmtv.a $(MTV_LIBS)
LAB_TESTS += tests/t_kube_client.sh
EXTRA_DIST += tests/t_kube_client.sh bench/bench-kube.sh
