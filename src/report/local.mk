# report: JSON and JUnit reports.
libmtv_a_SOURCES += \
	src/report/report.h \
	src/report/report.c \
	src/report/report_json.c \
	src/report/junit.c
