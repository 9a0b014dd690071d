libmtv_a_SOURCES += \
	src/kube/kube.h \
	src/kube/kube_int.h \
	src/kube/kube.c \
	src/kube/kubeconfig.c
# OpenSSL's SHA-256 names OAuth tokens for revocation (libcurl links it
# already; configure.ac should check libcrypto with PKG_CHECK_MODULES).
LIBS += -lcrypto
