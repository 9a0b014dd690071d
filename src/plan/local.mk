# plan: expansion of scenario + profile into the plan value, and its printing.
libmtv_a_SOURCES += \
	src/plan/plan.h \
	src/plan/plan.c \
	src/plan/plan_verify.c \
	src/plan/plan_graph.c \
	src/plan/plan_print.c
