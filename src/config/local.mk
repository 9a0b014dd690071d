# config: the providers file and the provider profile.
libmtv_a_SOURCES += \
	src/config/profile.h \
	src/config/vendor.h \
	src/config/vendor.c \
	src/config/release.h \
	src/config/release.c \
	src/config/profile.c
