/* release.h: the MTV releases the tool knows, one row each, and what each
 * release's API knows and shows (forklift-versions.md, read from
 * kubev2v/forklift at each release tag). The plan asks it which fields a
 * release takes; the checks ask it which evidence a release gives. A
 * version the table does not hold is read as the newest row at or below
 * it. */
#ifndef MTV_RELEASE_H
#define MTV_RELEASE_H

#include <stdbool.h>
#include <stddef.h>

struct mtv_release {
	const char *name;		/* "2.9" ... "2.12", "main" */
	int major, minor;		/* main: 2.13, the next release */
	bool plan_spec_type;		/* Plan.spec.type; else spec.warm */
	bool plan_rdm_as_lun;		/* Plan.spec.rdmAsLun */
	bool populator_inflight;	/* controller_max_populator_inflight */
	bool xcopy_evidence;		/* task annotation, CR status, pod log */
	bool pending_condition;		/* per-VM Pending (scheduler queue) */
	/* the operator turns copy-offload on without feature_copy_offload
	 * (operator/roles/forkliftcontroller/defaults/main.yml: false up to
	 * 2.10, true from 2.11) */
	bool copy_offload_default;
	/* firmware.serial in the VMware form ("VMware-42 2c ...-...") on
	 * OpenShift 4.20 and newer (builder.go getSystemSerial,
	 * settings/features.go FEATURE_VMWARE_SYSTEM_SERIAL_NUMBER); 2.10+.
	 * Else the plain config.uuid. */
	bool vmware_serial;
};

/* Every release, oldest first (end: NULL name). */
extern const struct mtv_release mtv_releases[];

/* The newest release: what plans are made for when none is named. */
const struct mtv_release *release_default(void);
/* The row of name ("2.11", "main") or of a full version ("2.11.7",
 * "v2.12.5"): the newest row at or below it; NULL when older than every
 * row or not a version. */
const struct mtv_release *release_find(const char *version);
/* The names of every release, ", "-separated (static). */
const char *release_names(void);
/* The oldest release whose bool capability at offset off (use
 * RELEASE_SINCE(field)) is true; NULL when none has it. */
const struct mtv_release *release_since_off(size_t off);
#define RELEASE_SINCE(field) \
	release_since_off(offsetof(struct mtv_release, field))
/* What a Plan CRD schema shows (Plan.spec.type, Plan.spec.rdmAsLun) read
 * against the table: the newest release at or below ceiling (NULL: the
 * oldest release) that has exactly these two fields; NULL when none. */
const struct mtv_release *release_match(const struct mtv_release *ceiling,
					bool spec_type, bool rdm_as_lun);

#endif
