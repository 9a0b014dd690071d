libmtv_a_SOURCES += \
	src/out/out.h \
	src/out/report.c
