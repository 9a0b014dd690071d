/* vs_step.h: what the source-side steps share (src/step/step_*.c). */
#ifndef MTV_VS_STEP_H
#define MTV_VS_STEP_H

#include "step/step.h"
#include "vsphere/vsphere.h"

/* The VM of a step's params: state.vms[vm_ref].moid, else found by the
 * name in "vm". *out belongs to the caller; MTV_ENOTFOUND when absent. */
int vstep_vm(struct step_ctx *ctx, struct vs_client *vs, json_object *params,
	     char **out, struct mtv_err *err);
/* Name of a datastore MoID (owned by the caller). */
int vstep_ds_name(struct vs_client *vs, const char *moid, char **out,
		  struct mtv_err *err);
/* Power a VM off when it is on (absent VM: 0). */
int vstep_power_off(struct vs_client *vs, const char *moid, const char *what,
		    int timeout, struct mtv_err *err);
/* Run a ReconfigVM_Task with spec (inner XML). */
int vstep_reconfig(struct vs_client *vs, const char *moid, const char *spec,
		   const char *what, int timeout, struct mtv_err *err);
/* Remove (fileOperation destroy) the disks with the given device keys;
 * keys already gone are skipped. With folders ([{"path": "[ds] dir"}]),
 * only disks whose file lies in one of them. */
int vstep_remove_disks(struct vs_client *vs, const char *moid,
		       json_object *keys, json_object *folders,
		       const char *what, int timeout, struct mtv_err *err);
/* Detach (no file operation) the disks of VM moid (named name) whose
 * files other VMs use too, so that destroying it leaves them. */
int vstep_detach_shared(struct vs_client *vs, const char *moid,
			const char *name, int timeout, struct mtv_err *err);
/* Power off, remove snapshots, detach shared disks and destroy a VM;
 * a VM already gone is fine. */
int vstep_vm_destroy(struct vs_client *vs, const char *moid, const char *name,
		     int timeout, struct mtv_err *err);
/* Delete "[ds] path" in datacenter dc; missing is fine. */
int vstep_delete_file(struct vs_client *vs, const char *dc, const char *path,
		      int timeout, struct mtv_err *err);

#endif
