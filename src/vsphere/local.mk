# vsphere: the vim25 SOAP client.
libmtv_a_SOURCES += \
	src/vsphere/vsphere.h \
	src/vsphere/vs_int.h \
	src/vsphere/vs_xml.c \
	src/vsphere/vsphere.c \
	src/vsphere/vs_collector.c \
	src/vsphere/vs_vm.c \
	src/vsphere/vs_history.c \
	src/vsphere/vs_guest.c
