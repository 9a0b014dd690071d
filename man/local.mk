# Manual pages: the command (section 1) and the file formats (section 5).
dist_man_MANS = man/mtv-scenario.1 man/mtv-scenario.5

# The man pages are lint clean.
if HAVE_MANDOC
TESTS += tests/t_man5.sh
endif
EXTRA_DIST += tests/t_man5.sh
