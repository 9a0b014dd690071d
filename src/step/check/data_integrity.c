/* data_integrity: the data the guest-data step wrote into the source
 * guest before the migration (after the snapshots) arrived: over SSH
 * through KubeVirt's port-forward, with the host key read from the source
 * guest, the marker file reads "mtv-data-integrity-<run id>" and
 * sha256sum of the random data gives the checksum written beside it (and
 * the checksum file still says so). The VM is started for it when it is
 * off and stopped again after the checks. On by default for the VMs with
 * snapshots, as the pytest suite's snapshot classes check it; a scenario
 * may name others (step_guest_data_wanted). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/check/check.h"

static void
plan_data(struct check_build *b)
{
	const struct check_model *m = b->m;

	if (m->vms[m->plans[b->plan].vms[b->vm]].guest_data)
		check_guest_entry(b, "data_integrity");
}

/* The VMs it selects have a guest-data step and so an entry already. */
static void
listed_data(struct check_build *b, json_object *e, size_t at)
{
	int plan, vm;

	if (check_needs_vms(b, e, at))
		check_select(b, e, at, &plan, &vm);
}

/* s up to its first white space (in place). */
static char *
first_word(char *s)
{
	if (s)
		s[strcspn(s, " \t\r\n")] = '\0';
	return s;
}

/* Run cmd in the guest; its output (caller frees) or NULL after
 * check_fail. */
static char *
guest_read(struct check_run *r, json_object *c, const char *ns,
	   const char *name, const char *key, const char *cmd)
{
	struct mtv_err e = { 0 };
	char *out = NULL;
	int status = -1;

	if (check_guest_ssh(r, ns, name, key, cmd, (int)jint(c, "timeout"),
			    &out, &status, NULL, &e) != 0)
		check_fail(r, "vm '%s': '%s' over SSH: %s", name, cmd, e.msg);
	else if (status != 0)
		check_fail(r, "vm '%s': '%s' over SSH exited with %d", name,
			   cmd, status);
	else
		return out;
	free(out);
	return NULL;
}

/* Compare what the guest holds with rec (state.vms[].guest_data); bad:
 * the failures before. */
static void
compare(struct check_run *r, json_object *c, const char *ns,
	const char *name, json_object *rec, int bad)
{
	const char *key = jstr(rec, "host_key"), *want = jstr(rec, "marker"),
		   *sum = jstr(rec, "sha256");
	char *cmd = xasprintf("cat %s", jstr(rec, "marker_file")),
	     *marker = guest_read(r, c, ns, name, key, cmd), *found = NULL,
	     *line = NULL;

	free(cmd);
	if (marker) {
		marker[strcspn(marker, "\r\n")] = '\0';
		cmd = xasprintf("sha256sum %s", jstr(rec, "data_file"));
		found = first_word(guest_read(r, c, ns, name, key, cmd));
		free(cmd);
	}
	if (found) {
		cmd = xasprintf("cat %s", jstr(rec, "checksum_file"));
		line = first_word(guest_read(r, c, ns, name, key, cmd));
		free(cmd);
	}
	check_evidence(r, "marker", json_object_new_string(want));
	check_evidence(r, "marker_found", marker ?
		       json_object_new_string(marker) : NULL);
	check_evidence(r, "sha256", json_object_new_string(sum));
	check_evidence(r, "sha256_found", found ?
		       json_object_new_string(found) : NULL);
	check_evidence(r, "checksum_file_says", line ?
		       json_object_new_string(line) : NULL);
	check_evidence(r, "data_bytes", json_object_get(jget(rec,
		       "data_bytes")));
	if (marker && !str_eq(marker, want))
		check_fail(r, "vm '%s': %s reads '%.80s', expected '%s'", name,
			   jstr(rec, "marker_file"), marker, want);
	if (found && !str_eq(found, sum))
		check_fail(r, "vm '%s': sha256 of %s is %s, written %s", name,
			   jstr(rec, "data_file"), found, sum);
	if (line && !str_eq(line, sum))
		check_fail(r, "vm '%s': %s says %.64s, written %s", name,
			   jstr(rec, "checksum_file"), line, sum);
	if (r->nfail == bad)
		check_pass(r, "vm '%s': the data marker and %lld bytes of "
			   "random data (sha256 %.12s...) are intact", name,
			   (long long)jint(rec, "data_bytes"), sum);
	free(line);
	free(found);
	free(marker);
}

static void
run_data(struct check_run *r, json_object *c)
{
	json_object *rec = jget(check_vm_state(r, jstr(c, "vm_ref")),
				"guest_data");
	char *ns = NULL, *name = NULL;
	int bad = r->nfail;

	if (rec == NULL && r->ctx->opts &&
	    str_eq(r->ctx->opts->only, "cluster")) {
		check_skip(r, "data_integrity", jstr(c, "source"), "--only "
			   "cluster left out the guest-data step");
		return;
	}
	if (rec == NULL) {
		check_fail(r, "vm '%s': no data was written into its guest "
			   "before the migration (no guest-data step ran)",
			   jstr(c, "source"));
		return;
	}
	check_evidence(r, "host_key", json_object_get(jget(rec, "host_key")));
	if (!check_guest_up(r, c, &ns, &name))
		return;
	compare(r, c, ns, name, rec, bad);
	free(ns);
	free(name);
}

const struct check_kind check_data_integrity = {
	.name = "data_integrity",
	.summary = "the data written into the guest before the migration "
		   "arrived intact",
	.when = CHECK_PER_VM,
	.plan = plan_data,
	.listed = listed_data,
	.run = run_data,
};
