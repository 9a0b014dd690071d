libmtv_a_SOURCES += \
	src/esxi/esxi.h \
	src/esxi/esxi.c
