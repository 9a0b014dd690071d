# vsphere: the vim25 SOAP client.
libmtv_a_SOURCES += \
	src/vsphere/vsphere.h \
	src/vsphere/vs_int.h \
	src/vsphere/vsphere.c
