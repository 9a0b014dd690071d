# guest: a shell in a migrated guest over SSH (libssh2) on a forwarded stream.
libmtv_a_SOURCES += \
	src/guest/guest.h \
	src/guest/guest_ssh.c
