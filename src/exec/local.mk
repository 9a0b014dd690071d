# exec: the runner (through step_table only).
libmtv_a_SOURCES += \
	src/exec/exec.h \
	src/exec/run.c \
	src/exec/graph.h \
	src/exec/graph.c \
	src/exec/cleanup.c \
	src/exec/artifacts.c \
	src/exec/result.c \
	src/exec/jobs.h \
	src/exec/jobs.c
