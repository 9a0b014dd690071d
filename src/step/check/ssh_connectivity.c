/* ssh_connectivity: the migrated guest answers SSH through KubeVirt's
 * port-forward: the profile's guest user logs in and runs a command,
 * retried within the entry's timeout (guest_agent_timeout, default 301 s;
 * the pytest suite tries 300 s every 15 s). The host key is the one the
 * guest-data step read from the source VM when there is one; else any key
 * is taken and recorded. On by default for every migrated VM; without
 * guest credentials it is reported as not performed. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/check/check.h"

static void
plan_ssh(struct check_build *b)
{
	check_guest_entry(b, "ssh_connectivity");
}

static void
listed_ssh(struct check_build *b, json_object *e, size_t at)
{
	check_vm_listed(b, e, at, NULL, plan_ssh);
}

static void
run_ssh(struct check_run *r, json_object *c)
{
	const char *key = jstr(jget(check_vm_state(r, jstr(c, "vm_ref")),
				    "guest_data"), "host_key");
	const char *user = NULL;
	struct secret *pw = NULL;
	struct mtv_err e = { 0 };
	char *ns = NULL, *name = NULL, *out = NULL, *shown = NULL;
	int status = -1, rc;

	if (step_guest_creds(r->ctx->profile, &user, &pw, &e) != 0) {
		check_skip(r, "ssh_connectivity", jstr(c, "source"), e.msg);
		return;
	}
	secret_free(pw);
	if (!check_guest_up(r, c, &ns, &name))
		return;
	rc = check_guest_ssh(r, ns, name, key, "hostname", (int)jint(c,
			     "timeout"), &out, &status, &shown, &e);
	check_evidence(r, "user", json_object_new_string(user));
	check_evidence(r, "host_key", shown ? json_object_new_string(shown)
		       : NULL);
	check_evidence(r, "host_key_verified", json_object_new_boolean(
		       key != NULL));
	if (out)
		out[strcspn(out, "\r\n")] = '\0';
	check_evidence(r, "hostname", out ? json_object_new_string(out)
		       : NULL);
	if (rc != 0)
		check_fail(r, "vm '%s': no SSH through the port-forward: %s",
			   name, e.msg);
	else if (status != 0)
		check_fail(r, "vm '%s': 'hostname' over SSH exited with %d",
			   name, status);
	else
		check_pass(r, "vm '%s' answers SSH as '%s' (%s host key)",
			   name, out ? out : "", key ? "the source's" :
			   "an unverified");
	free(shown);
	free(out);
	free(ns);
	free(name);
}

const struct check_kind check_ssh_connectivity = {
	.name = "ssh_connectivity",
	.summary = "the migrated guest answers SSH through the port-forward",
	.when = CHECK_PER_VM,
	.plan = plan_ssh,
	.listed = listed_ssh,
	.run = run_ssh,
};
