# scenario: a checked scenario file, tag selection.
libmtv_a_SOURCES += \
	src/scenario/scenario.h \
	src/scenario/scenario.c
