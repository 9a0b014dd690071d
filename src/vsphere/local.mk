libmtv_a_SOURCES += \
	src/vsphere/vsphere.h \
	src/vsphere/vsphere.c
