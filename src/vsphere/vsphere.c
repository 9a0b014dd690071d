/* vsphere.c: vim25 SOAP client (stub, replaced). */
#include "config.h"
#include "vsphere/vsphere.h"
int vs_connect(struct vs_client **out, const struct vs_opts *o, struct mtv_err *err) { return err_set(err, MTV_EINTERNAL, "vSphere client not implemented yet"); }
void vs_free(struct vs_client *vs) { }
int vs_vm_info(struct vs_client *vs, const char *name, json_object **out, struct mtv_err *err) { return MTV_EINTERNAL; }
int vs_opts_from_profile(struct vs_opts *o, const struct mtv_profile *p, struct mtv_err *err) { return err_set(err, MTV_EINTERNAL, "not implemented yet"); }
