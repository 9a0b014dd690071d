libmtv_a_SOURCES += \
	src/kube/kube.h \
	src/kube/kube.c
