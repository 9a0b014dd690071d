/* vsphere.h: vim25 SOAP client (libcurl + libxml2) and the source-side
 * operations the steps use. One struct vs_client per thread. */
#ifndef MTV_VSPHERE_H
#define MTV_VSPHERE_H

#include <signal.h>

#include <json-c/json.h>

#include "util/util.h"

struct vs_client;

/* Connection options (the step layer fills them from the profile and the
 * GOVC_* environment). */
struct vs_opts {
	const char *url;		/* https://host/sdk, host or host/path */
	const char *username;
	const struct secret *password;
	const char *ca_file;
	const char *thumbprint;		/* SHA-1 or SHA-256 pin, govc syntax */
	bool insecure;			/* warned about */
};

/* Connect and log in. *out belongs to the caller. */
int vs_connect(struct vs_client **out, const struct vs_opts *o,
	       struct mtv_err *err);
/* Log out and free; accepts NULL. */
void vs_free(struct vs_client *vs);
/* The server's leaf certificate (PEM, borrowed) once it matched the
 * thumbprint of vs_opts, else NULL. */
const char *vs_pinned_cert(const struct vs_client *vs);
/* While *cancel (borrowed; NULL: never) is set, task and property waits
 * end within a second with MTV_ECANCELED, and a task this client started is
 * canceled (CancelTask) and waited for (60 s at most, or until *abandon is
 * set; may be NULL), so that what it made can be removed. */
void vs_set_cancel(struct vs_client *vs, volatile sig_atomic_t *cancel,
		   volatile sig_atomic_t *abandon);

/* Facts about a VM by name: {"moid","name","power":"poweredOn|poweredOff",
 * "template":bool,"cbt":bool,"host":"host-..","datastores":[..],
 * "snapshots":N,"tools":"...","ip":"...",
 * "disks":[{"key","label","file","datastore","capacity_kb","thin","eager",
 *           "mode","rdm":null|"virtual"|"physical","controller_bus",
 *           "unit","cbt"}]}. MTV_ENOTFOUND when absent. */
int vs_vm_info(struct vs_client *vs, const char *name, json_object **out,
	       struct mtv_err *err);

/* The endpoint's ServiceContent.about as {name, fullName, version, build,
 * apiType, apiVersion} (borrowed; NULL before vs_connect), read with the
 * service content at connect time, no request of its own. */
json_object *vs_about(const struct vs_client *vs);
/* ---- lower-level calls the source steps use ---- */

/* SOAP round trips made by this client so far (benchmarks). */
long vs_calls(const struct vs_client *vs);

/* MoID of the object of managed type (VirtualMachine, HostSystem,
 * Datastore, Datacenter, ResourcePool, ClusterComputeResource) named name,
 * found through a container view; *out belongs to the caller.
 * MTV_ENOTFOUND when absent. */
int vs_find(struct vs_client *vs, const char *type, const char *name,
	    char **out, struct mtv_err *err);

/* Properties of one object as JSON {path: value}: leaves are strings,
 * MoRefs their MoID, data objects objects with "_type", arrays arrays;
 * unset properties are absent. *out belongs to the caller.
 * MTV_ENOTFOUND when the object is gone. */
int vs_props(struct vs_client *vs, const char *type, const char *moid,
	     const char *const *paths, json_object **out, struct mtv_err *err);

/* Call method on _this (type, moid) with args (XML, WSDL order); when it
 * returns a Task, wait for it (WaitForUpdatesEx, timeout seconds) and give
 * its result MoID in *result (may be NULL). what names the object in
 * messages. Faults become "METHOD of 'what' failed: Type: text". */
int vs_invoke(struct vs_client *vs, const char *method, const char *type,
	      const char *moid, const char *args, const char *what,
	      int timeout, char **result, struct mtv_err *err);

/* Datacenter that holds a managed entity (walks parents). */
int vs_datacenter_of(struct vs_client *vs, const char *type, const char *moid,
		     char **out, struct mtv_err *err);

/* Wait until a VM's guest tools run and it has an IP (timeout seconds),
 * through WaitForUpdatesEx; *ip (may be NULL) belongs to the caller. */
int vs_wait_guest(struct vs_client *vs, const char *moid, const char *what,
		  int timeout, char **ip, struct mtv_err *err);

/* ---- Guest Operations (GuestOperationsManager; vsphere-soap.md) ----
 * Credentials of a guest account (NamePasswordAuthentication). A refused
 * login (InvalidGuestLogin) is MTV_EAUTH and is not retried. */
struct vs_guest_auth {
	const char *user;
	const struct secret *password;
};

/* Run program with arguments in the guest of VM moid
 * (StartProgramInGuest), wait until it ends (ListProcessesInGuest, within
 * timeout seconds) and give its exit code. */
int vs_guest_run(struct vs_client *vs, const char *moid,
		 const struct vs_guest_auth *a, const char *program,
		 const char *arguments, int timeout, int *exit_code,
		 struct mtv_err *err);
/* Write data to path in the guest (InitiateFileTransferToGuest, then an
 * HTTPS PUT to the URL it gives, verified as the SOAP connection is). */
int vs_guest_upload(struct vs_client *vs, const char *moid,
		    const struct vs_guest_auth *a, const char *path,
		    const void *data, size_t len, struct mtv_err *err);
/* Read path from the guest (InitiateFileTransferFromGuest, HTTPS GET);
 * *data (NUL-terminated, len bytes) belongs to the caller. */
int vs_guest_download(struct vs_client *vs, const char *moid,
		      const struct vs_guest_auth *a, const char *path,
		      char **data, size_t *len, struct mtv_err *err);
/* A new empty file in the guest's temporary folder
 * (CreateTemporaryFileInGuest); *path belongs to the caller. */
int vs_guest_temp(struct vs_client *vs, const char *moid,
		  const struct vs_guest_auth *a, const char *prefix,
		  const char *suffix, char **path, struct mtv_err *err);
/* Delete path in the guest (DeleteFileInGuest); a missing file is 0. */
int vs_guest_delete(struct vs_client *vs, const char *moid,
		    const struct vs_guest_auth *a, const char *path,
		    struct mtv_err *err);

/* Type of the last SOAP fault or task error ("" when none). */
const char *vs_last_fault(const struct vs_client *vs);
/* {moid: name} of every object of a managed type; *out belongs to the
 * caller. */
int vs_names(struct vs_client *vs, const char *type, json_object **out,
	     struct mtv_err *err);
/* {moid: value of path} of every object of a managed type (one property
 * collector call per page); *out belongs to the caller. */
int vs_list(struct vs_client *vs, const char *type, const char *path,
	    json_object **out, struct mtv_err *err);
/* vs_vm_info by MoID. */
int vs_vm_info_moid(struct vs_client *vs, const char *moid, json_object **out,
		    struct mtv_err *err);
/* MoID of the FileManager. */
const char *vs_file_manager(const struct vs_client *vs);
/* Element i of a value that is an array or, for i == 0, a single value. */
json_object *vs_jlist(json_object *o, size_t i);

/* The MoRef held by property path of (type, moid): its type and MoID
 * (owned by the caller); MTV_ENOTFOUND when unset. */
int vs_prop_ref(struct vs_client *vs, const char *type, const char *moid,
		const char *path, char **rtype, char **rmoid,
		struct mtv_err *err);

/* History of one entity (vs_history.c), oldest first, each item a vim25
 * data object as JSON (see vs_props) with its "_type": at most max events
 * of EventManager.QueryEvents, and the tasks of a TaskHistoryCollector
 * (CreateCollectorForTasks), or where the endpoint has none (govmomi's
 * simulator) the TaskManager's recentTask whose info.entity is the entity
 * (*from_recent set). *out belongs to the caller. */
int vs_events(struct vs_client *vs, const char *type, const char *moid,
	      int max, json_object **out, struct mtv_err *err);
int vs_tasks(struct vs_client *vs, const char *type, const char *moid,
	     int max, json_object **out, bool *from_recent,
	     struct mtv_err *err);

/* ---- spec builders (pure; unit-tested) ---- */

struct vs_disk_spec {
	long long size_kb;
	const char *provision;		/* thin, thick-lazy, thick-eager */
	const char *mode;		/* persistent, independent_... */
	const char *file;		/* "[ds]" or "[ds] folder/name.vmdk" */
	const char *datastore;		/* MoID */
	int controller_key;		/* negative: a controller in the spec */
	int unit;
	int key;			/* negative temporary key */
	const char *label;		/* deviceInfo label (edits) or NULL */
	const char *operation;		/* NULL: add a new file; "edit",
					 * "remove" (keep file), "destroy" */
	/* RDM: lun uuid and device name; compat "virtual"|"physical" */
	const char *rdm_uuid, *rdm_device, *rdm_compat;
};

/* Append one <deviceChange> adding a disk. */
void vs_xml_disk_add(struct strbuf *sb, const struct vs_disk_spec *d);
/* Append one <deviceChange> adding a ParaVirtualSCSIController. */
void vs_xml_controller_add(struct strbuf *sb, int key, int bus);
/* Build a SOAP envelope around body (method call); caller frees. */
char *vs_envelope(const char *method, const char *type, const char *moid,
		  const char *args);

/* Parse a SOAP fault (fault type and text); 0 when body is a fault. */
int vs_fault_parse(const char *body, size_t len, char **type, char **text);

/* Parse a thumbprint ("AA:BB:.." SHA-1 or SHA-256, any case, colons
 * optional) into raw bytes; returns the length (20 or 32) or -1. */
int vs_thumbprint_parse(const char *s, unsigned char out[32]);

/* Free unit on a SCSI controller: the lowest 0..15 not 7 and not in
 * used[0..n); -1 when full. */
int vs_unit_free(const int *used, size_t n);

/* The certificate pin's hash of data: SHA-1 when n is 20, SHA-256 when n
 * is 32 (libcrypto); -1 for another n. */
int vs_pin_digest(unsigned char out[32], const void *data, size_t len, int n);

#endif
