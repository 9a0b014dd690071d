# The JSON Schemas: installed for editors and embedded into the program
# (src/doc/schema_data.c), which validates against them at run time.
schemadir = $(pkgdatadir)/schema
dist_schema_DATA = schema/scenario.schema.json schema/providers.schema.json \
	schema/report.schema.json

nodist_libmtv_a_SOURCES = src/doc/schema_data.c
nodist_libmtv_test_a_SOURCES = src/doc/schema_data.c
BUILT_SOURCES += src/doc/schema_data.c
CLEANFILES += src/doc/schema_data.c

src/doc/schema_data.c: $(top_srcdir)/schema/scenario.schema.json \
		$(top_srcdir)/schema/providers.schema.json \
		$(top_srcdir)/schema/report.schema.json $(top_srcdir)/build-aux/embed.sh
	$(AM_V_GEN)$(MKDIR_P) src/doc && \
	{ $(SHELL) $(top_srcdir)/build-aux/embed.sh mtv_schema_scenario \
		$(top_srcdir)/schema/scenario.schema.json && \
	  $(SHELL) $(top_srcdir)/build-aux/embed.sh mtv_schema_providers \
		$(top_srcdir)/schema/providers.schema.json && \
	  $(SHELL) $(top_srcdir)/build-aux/embed.sh mtv_schema_report \
		$(top_srcdir)/schema/report.schema.json; } >$@.tmp && mv $@.tmp $@
