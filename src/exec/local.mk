libmtv_a_SOURCES += \
	src/exec/exec.h \
	src/exec/exec_int.h \
	src/exec/ctx.c \
	src/exec/run.c
