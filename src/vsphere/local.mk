libmtv_a_SOURCES += \
	src/vsphere/vsphere.h \
	src/vsphere/vs_int.h \
	src/vsphere/vsphere.c
libmtv_a_SOURCES += \
	src/vsphere/vs_step.h \
	src/vsphere/vs_step.c
