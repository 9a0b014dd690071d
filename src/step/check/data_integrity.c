/* data_integrity: the data marker written before the snapshots is intact.
 * It needs a guest to write and read the marker in, so it is reported as
 * not checked (a skipped result), never as passed. */
#include "config.h"

#include "step/check/check.h"

static bool
has_snapshots(const struct check_vm *v)
{
	return v->snapshots > 0;
}

/* The VMs with snapshots (else every VM). */
static void
listed_data_integrity(struct check_build *b, json_object *e, size_t at)
{
	check_skipped_entry(b, e, at, "data_integrity", has_snapshots);
}

const struct check_kind check_data_integrity = {
	.name = "data_integrity",
	.summary = "the data marker written before the snapshots is intact",
	.listed = listed_data_integrity,
	.run = check_run_skip,
	.skip = "needs guest access (not implemented)",
};
