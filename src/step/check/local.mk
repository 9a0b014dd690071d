# step/check: the verify checks, one file each, and their table.
libmtv_a_SOURCES += \
	src/step/check/check.h \
	src/step/check/check_lib.c \
	src/step/check/check_table.c \
	src/step/check/concurrent.c \
	src/step/check/data_integrity.c \
	src/step/check/disk_count.c \
	src/step/check/guest_agent.c \
	src/step/check/guest_lib.c \
	src/step/check/offload_plugin.c \
	src/step/check/populator_throttling.c \
	src/step/check/power_state.c \
	src/step/check/pvc.c \
	src/step/check/rdm_lun_bus.c \
	src/step/check/result.c \
	src/step/check/snapshots.c \
	src/step/check/ssh_connectivity.c \
	src/step/check/ssl_verification.c \
	src/step/check/vm.c \
	src/step/check/vm_identity.c \
	src/step/check/vm_name.c \
	src/step/check/xcopy_used.c
