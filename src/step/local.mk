# step: the step kinds, their shared context and drivers, and the table.
libmtv_a_SOURCES += \
	src/step/step.h \
	src/step/ctx.c \
	src/step/journal.h \
	src/step/journal.c \
	src/step/sweep.c \
	src/step/vs_step.h \
	src/step/vs_step.c \
	src/step/cluster.h \
	src/step/cluster.c \
	src/step/cluster_status.c \
	src/step/cluster_sweep.c \
	src/step/cluster_wait.c \
	src/step/cluster_preflight.c \
	src/step/source_preflight.c \
	src/step/preflight_expected.c \
	src/step/step_clone.c \
	src/step/step_disk.c \
	src/step/step_esxi_key.c \
	src/step/step_guest_ready.c \
	src/step/step_map.c \
	src/step/step_migrate.c \
	src/step/step_plan.c \
	src/step/step_power.c \
	src/step/step_preflight.c \
	src/step/step_provider.c \
	src/step/step_rdm.c \
	src/step/step_secret.c \
	src/step/step_snapshot.c \
	src/step/step_table.c \
	src/step/rbac.h \
	src/step/step_rbac.c \
	src/step/step_verify.c
