/* vsphere.h: vim25 SOAP client (libcurl + libxml2) and the source-side
 * operations the steps use. */
#ifndef MTV_VSPHERE_H
#define MTV_VSPHERE_H

#include <json-c/json.h>

#include "util/util.h"

struct vs_client;

struct vs_opts {
	const char *url;		/* https://host/sdk; GOVC_URL */
	const char *username;		/* GOVC_USERNAME */
	const struct secret *password;	/* GOVC_PASSWORD */
	const char *ca_file;		/* GOVC_TLS_CA_CERTS */
	const char *thumbprint;		/* SHA-1 or SHA-256 pin, govc syntax */
	bool insecure;			/* GOVC_INSECURE; warned about */
};

struct mtv_profile;
/* Fill o from the profile (api_url, username, password, ca_file, thumbprint,
 * insecure) with GOVC_* environment variables as defaults. Strings are
 * borrowed from the profile; o->password is owned by o (secret_free). */
int vs_opts_from_profile(struct vs_opts *o, const struct mtv_profile *p, struct mtv_err *err);

/* Connect and log in. *out belongs to the caller. */
int vs_connect(struct vs_client **out, const struct vs_opts *o, struct mtv_err *err);
/* Log out and free; accepts NULL. */
void vs_free(struct vs_client *vs);

/* Facts about a VM by name: {"moid","name","power":"poweredOn|poweredOff",
 * "template":bool,"cbt":bool,"host":"host-..","datastores":[..],
 * "snapshots":N,"tools":"...","ip":"...",
 * "disks":[{"key","label","file","datastore","capacity_kb","thin","eager",
 *           "mode","rdm":null|"virtual"|"physical","controller_bus",
 *           "unit","cbt"}]}. MTV_ENOTFOUND when absent. */
int vs_vm_info(struct vs_client *vs, const char *name, json_object **out, struct mtv_err *err);

#endif
