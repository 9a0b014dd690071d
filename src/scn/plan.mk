libmtv_a_SOURCES += \
	src/scn/profile.c \
	src/scn/plan.c
