# Providers file, profiles and expansion into the plan (engineer E), plus
# the plan command's profile helper (src/cmd/profile.c).
libmtv_a_SOURCES += \
	src/scn/profile.c \
	src/scn/profile_vendor.h \
	src/scn/plan.c \
	src/scn/plan_print.c \
	src/cmd/profile.c
