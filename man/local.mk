# Manual pages: the command (section 1) and the file formats (section 5).
dist_man_MANS = man/mtv-scenario.1 man/mtv-scenario.5

# The pages name the default data folder; the installed copies name the
# configured one.
install-data-hook: install-man-datadir
install-man-datadir:
	@for m in '$(DESTDIR)$(man1dir)/mtv-scenario.1' \
		  '$(DESTDIR)$(man5dir)/mtv-scenario.5'; do \
		sed 's|/usr/local/share/mtv-scenario|$(pkgdatadir)|g' "$$m" >"$$m.tmp" && \
		cat "$$m.tmp" >"$$m" && rm -f "$$m.tmp" || exit 1; \
	done
.PHONY: install-man-datadir

# The man pages are lint clean.
if HAVE_MANDOC
TESTS += tests/t_man5.sh
endif
EXTRA_DIST += tests/t_man5.sh tests/man5_schema.py
