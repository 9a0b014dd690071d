# doc: YAML/JSON documents with positions, and schema validation.
libmtv_a_SOURCES += \
	src/doc/doc.h \
	src/doc/load.c \
	src/doc/schema.c \
	src/doc/schema_value.h \
	src/doc/schema_value.c
