/* esxi.c: ESXi SSH (stub, replaced). */
#include "config.h"
#include "esxi/esxi.h"
int esxi_key_add(const struct esxi_opts *o, const char *line, bool *added, struct mtv_err *err) { return err_set(err, MTV_EINTERNAL, "ESXi SSH not implemented yet"); }
int esxi_key_remove(const struct esxi_opts *o, const char *line, struct mtv_err *err) { return 0; }
