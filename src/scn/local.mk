libmtv_a_SOURCES += \
	src/scn/scn.h \
	src/scn/load.c \
	src/scn/schema.c \
	src/scn/scenario.c
