# esxi: the ESXi SSH client (libssh2).
libmtv_a_SOURCES += \
	src/esxi/esxi.h \
	src/esxi/esxi.c
