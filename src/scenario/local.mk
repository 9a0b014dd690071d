# scenario: a checked scenario file, tag selection, the naming rules, and
# the scenario resolved against a profile (the model plan callbacks read).
libmtv_a_SOURCES += \
	src/scenario/scenario.h \
	src/scenario/scenario.c \
	src/scenario/names.h \
	src/scenario/names.c \
	src/scenario/model.h \
	src/scenario/model.c
