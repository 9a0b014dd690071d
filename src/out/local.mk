libmtv_a_SOURCES +=
