# kube: the Kubernetes REST + watch client and kubeconfig.
libmtv_a_SOURCES += \
	src/kube/kube.h \
	src/kube/kube_int.h \
	src/kube/kube.c \
	src/kube/kube_http.c \
	src/kube/kube_auth.c \
	src/kube/kube_watch.c \
	src/kube/kubeconfig.c \
	src/kube/kube_portforward.c
