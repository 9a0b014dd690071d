# util: errors, logging, redaction, memory, strings, JSON members (the bottom layer).
libmtv_a_SOURCES += \
	src/util/util.h \
	src/util/json.h \
	src/util/err.c \
	src/util/diag.c \
	src/util/xmem.c \
	src/util/strbuf.c \
	src/util/str.c \
	src/util/log.c \
	src/util/progress.h \
	src/util/progress.c \
	src/util/redact.c \
	src/util/json.c \
	src/util/yaml_out.c
