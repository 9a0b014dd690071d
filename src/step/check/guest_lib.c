/* guest_lib.c: what the checks of a migrated guest share: the target VM
 * running (KubeVirt's start subresource, a watch of its
 * VirtualMachineInstance), a command over SSH through KubeVirt's
 * port-forward, and stopping again the VMs they started, as the pytest
 * suite's check_vms does (start the VM, check, stop it if it was off). */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "guest/guest.h"
#include "step/check/check.h"
#include "step/cluster.h"

#define KV_SUB "/apis/subresources.kubevirt.io/v1/namespaces"

/* The namespace of the entry's target VM (caller frees). */
static char *
entry_ns(struct check_run *r, json_object *c)
{
	json_object *st = check_plan_state(r, jstr(c, "plan"));

	if (jstr(c, "namespace"))
		return xstrdup(jstr(c, "namespace"));
	return xstrdup(jstr(st, "target_namespace") ?
		       jstr(st, "target_namespace") : r->ctx->ns);
}

/* PUT .../virtualmachines/NAME/start or /stop (KubeVirt's subresources);
 * 409 (already in that state) is fine. */
static int
vm_action(struct check_run *r, const char *ns, const char *name,
	  const char *action, struct mtv_err *err)
{
	char *path = xasprintf("%s/%s/virtualmachines/%s/%s", KV_SUB, ns, name,
			       action);
	json_object *body = json_object_new_object(), *out = NULL;
	long status = 0;
	int rc;

	rc = kube_request(r->k, "PUT", path, "application/json", body,
			  &status, &out, err);
	if (rc == 0 && status != 409 && (status < 200 || status >= 300))
		rc = err_set(err, status == 404 ? MTV_ENOTFOUND : MTV_EPROTO,
			     "%s of VirtualMachine '%s': HTTP %ld%s%s", action,
			     name, status, jstr(out, "message") ? ": " : "",
			     jstr(out, "message") ? jstr(out, "message") : "");
	json_object_put(out);
	json_object_put(body);
	free(path);
	return rc;
}

struct vmi_wait {
	json_object *last;
};

/* Done when the VMI is Running. */
static int
vmi_running(const char *type, json_object *obj, void *arg,
	    struct mtv_err *err)
{
	struct vmi_wait *w = arg;

	(void)err;
	if (str_eq(type, "DELETED"))
		return 0;
	json_object_put(w->last);
	w->last = json_object_get(obj);
	return str_eq(jstr(jget(obj, "status"), "phase"), "Running");
}

/* Why a VMI (last seen, may be NULL) is not Running (caller frees). */
static char *
vmi_why(json_object *vmi)
{
	json_object *st = jget(vmi, "status"), *conds = jget(st, "conditions");
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	if (vmi == NULL)
		return xstrdup("no VirtualMachineInstance");
	strbuf_addf(&sb, "phase '%s'", jstr(st, "phase") ? jstr(st, "phase")
		    : "none");
	for (i = 0; i < jlen(conds); i++) {
		json_object *k = json_object_array_get_idx(conds, i);

		if (str_eq(jstr(k, "status"), "False") && jstr(k, "message"))
			strbuf_addf(&sb, "; %s: %s", jstr(k, "type"),
				    jstr(k, "message"));
	}
	return strbuf_detach(&sb);
}

/* Start VM ns/name when it has no VMI (it is off; a VMI that is still
 * scheduling or booting is waited for, not started again), and wait for
 * Running; g gets "started". */
static int
guest_start(struct check_run *r, const char *ns, const char *name,
	    int timeout, json_object *g, struct mtv_err *err)
{
	char *path = kube_path("VirtualMachineInstance", ns, NULL),
	     *one = kube_path("VirtualMachineInstance", ns, name),
	     *sel = xasprintf("metadata.name=%s", name), *why;
	struct vmi_wait w = { NULL };
	json_object *vmi = NULL;
	struct mtv_err e2 = { 0 };
	int rc = 0;

	if (kube_get(r->k, one, &vmi, &e2) == MTV_ENOTFOUND) {
		rc = vm_action(r, ns, name, "start", err);
		jputb(g, "started", rc == 0);
	}
	if (rc == 0)
		rc = cl_wait(r->ctx, r->k, path, sel, NULL, timeout,
			     vmi_running, &w, err);
	if (rc == MTV_ETIMEOUT) {
		why = vmi_why(w.last);
		rc = err_set(err, MTV_ETIMEOUT, "VirtualMachineInstance '%s' "
			     "not Running within %d s (%s)", name, timeout,
			     why);
		free(why);
	}
	json_object_put(w.last);
	json_object_put(vmi);
	free(sel);
	free(one);
	free(path);
	return rc;
}

bool
check_guest_up(struct check_run *r, json_object *c, char **ns, char **name)
{
	json_object *vm, *g;
	struct mtv_err e = { 0 };
	char *key;
	int t = (int)jint(c, "timeout");

	*ns = NULL;
	vm = check_target_vm(r, c, name);
	if (vm == NULL)
		goto fail;
	json_object_put(vm);
	*ns = entry_ns(r, c);
	if (r->guests == NULL)
		r->guests = json_object_new_object();
	key = xasprintf("%s/%s", *ns, *name);
	g = jget(r->guests, key);
	if (g == NULL) {
		g = json_object_new_object();
		jput(r->guests, key, g);
		if (t <= 0 || t > step_time_left(r->ctx))
			t = step_time_left(r->ctx);
		if (guest_start(r, *ns, *name, t, g, &e) != 0)
			jputs(g, "error", e.msg);
		jputb(g, "running", jget(g, "error") == NULL);
	}
	free(key);
	check_evidence(r, "target", json_object_new_string(*name));
	check_evidence(r, "started_by_check", json_object_new_boolean(
		       jbool(g, "started")));
	if (jstr(g, "error") == NULL)
		return true;
	check_fail(r, "vm '%s': %s", *name, jstr(g, "error"));
fail:
	free(*ns);
	free(*name);
	*ns = *name = NULL;
	return false;
}

/* One login and command over a new port-forward. */
static int
ssh_once(struct check_run *r, const char *ns, const char *name,
	 const struct guest_ssh_opts *o, const char *command, char **out,
	 int *status, char **presented, struct mtv_err *err)
{
	size_t len = 0;
	int fd = -1, rc;

	rc = kube_portforward(r->k, ns, name, 22, &fd, err);
	if (rc == 0)
		rc = guest_ssh_exec(fd, o, command, out, &len, status,
				    presented, err);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A port-forward refused with 403: the API server's reason (a plain GET
 * of the same path is authorized the same way and answers with a Status
 * naming the user, the verb and the resource, which the WebSocket
 * handshake does not carry) added to err. */
static void
forbidden_why(struct check_run *r, const char *ns, const char *name,
	      struct mtv_err *err)
{
	char *path = xasprintf("%s/%s/virtualmachineinstances/%s/portforward/"
			       "22/tcp", KV_SUB, ns, name), *was;
	json_object *out = NULL;
	struct mtv_err e2 = { 0 };
	long status = 0;

	if (kube_request(r->k, "GET", path, NULL, NULL, &status, &out,
			 &e2) == 0 && status == 403 && jstr(out, "message")) {
		was = xstrdup(err->msg);
		err_set(err, MTV_EAUTH, "%s: %s", was, jstr(out, "message"));
		free(was);
	}
	json_object_put(out);
	free(path);
}

int
check_guest_ssh(struct check_run *r, const char *ns, const char *name,
		const char *host_key, const char *command, int timeout,
		char **out, int *status, char **presented,
		struct mtv_err *err)
{
	struct guest_ssh_opts o;
	struct secret *pw = NULL;
	time_t end = time(NULL) + (timeout > 0 ? timeout : 300);
	int rc, tries = 0;

	*out = NULL;
	if (presented)
		*presented = NULL;
	memset(&o, 0, sizeof(o));
	rc = step_guest_creds(r->ctx->profile, &o.user, &pw, err);
	if (rc != 0)
		return rc;
	o.password = pw;
	o.host_key = host_key;
	o.accept_unknown = host_key == NULL;
	o.timeout_s = timeout > 0 && timeout < 60 ? timeout : 60;
	/* a guest still booting refuses or drops the connection: retried
	 * (pytest: 300 s, every 15 s); a refused login or another host key
	 * is an answer */
	for (;;) {
		tries++;
		free(*out);
		*out = NULL;
		if (presented) {
			free(*presented);
			*presented = NULL;
		}
		rc = ssh_once(r, ns, name, &o, command, out, status,
			      presented, err);
		if (rc == MTV_EAUTH && strstr(err->msg, "HTTP 403"))
			forbidden_why(r, ns, name, err);
		if (rc == 0 || rc == MTV_EAUTH || rc == MTV_ECANCELED ||
		    time(NULL) + 5 > end || step_should_stop(r->ctx, err))
			break;
		log_verbose("verify: ssh to '%s' (try %d): %s; again in 5 s",
			    name, tries, err->msg);
		sleep(5);
	}
	check_evidence(r, "ssh_tries", json_object_new_int(tries));
	secret_free(pw);
	return rc;
}

void
check_guests_stop(struct check_run *r)
{
	struct mtv_err e = { 0 };

	if (r->guests == NULL)
		return;
	json_object_object_foreach(r->guests, key, g) {
		char *ns = xstrdup(key), *name = strchr(ns, '/'), *path;

		if (!jbool(g, "started") || name == NULL) {
			free(ns);
			continue;
		}
		*name++ = '\0';
		path = kube_path("VirtualMachineInstance", ns, name);
		if (vm_action(r, ns, name, "stop", &e) != 0 ||
		    kube_wait_gone(r->k, path, 120, &e) != 0)
			log_warn("verify: stopping VM '%s' again: %s", name,
				 e.msg);
		else
			log_verbose("verify: VM '%s' stopped again (the "
				    "checks started it)", name);
		free(path);
		free(ns);
	}
	json_object_put(r->guests);
	r->guests = NULL;
}
