# cmd: subcommands, the option table, scenario collection.
libmtv_a_SOURCES += \
	src/cmd/cmd.h \
	src/cmd/options.c \
	src/cmd/profile.c \
	src/cmd/overrides.c \
	src/cmd/collect.c \
	src/cmd/run.h \
	src/cmd/cmd_run.c \
	src/cmd/run_jobs.c \
	src/cmd/run_rates.c \
	src/cmd/cmd_cleanup.c \
	src/cmd/cmd_job.c \
	src/cmd/cmd_plan.c \
	src/cmd/cmd_validate.c \
	src/cmd/cmd_list.c \
	src/cmd/cmd_report.c \
	src/cmd/cmd_version.c \
	src/cmd/cmd_help.c

# Where the installed scenarios.d/ lives (collect.c's default), and where
# the program is installed (to recognise a staged copy).
AM_CPPFLAGS += -DMTV_PKGDATADIR='"$(pkgdatadir)"' -DMTV_BINDIR='"$(bindir)"'
