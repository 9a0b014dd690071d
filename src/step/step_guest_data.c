/* step_guest_data.c: the 'guest-data' step: before the migration, after
 * the snapshots, the data the data_integrity check reads back from the
 * migrated VM is written into the source VM's guest through VMware Guest
 * Operations, as the pytest suite's snapshot classes do
 * (test_create_snapshots_and_data_marker): a marker file
 * "mtv-data-integrity-<run id>", a file of random bytes and its sha256sum
 * line. The step reads them back (the marker, the checksum file and what
 * sha256sum says in the guest) and the guest's SSH host key, into
 * state.vms[vm_ref].guest_data. Undone by deleting the files, unless the
 * VM is a clone the teardown destroys anyway. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "step/step.h"
#include "step/vs_step.h"

#define HOST_KEY "/etc/ssh/ssh_host_ed25519_key.pub"

/* ---- guest credentials ---- */

int
step_guest_creds(const struct mtv_profile *p, const char **user,
		 struct secret **password, struct mtv_err *err)
{
	const char *u = profile_str(p, "guest_vm_linux_user"),
		   *pw = profile_str(p, "guest_vm_linux_password");

	*user = NULL;
	*password = NULL;
	if (pw && str_startswith(pw, "((secret:"))
		pw = profile_secret(p, pw);
	/* without a profile (mtv-test-tool), the environment alone */
	if (p == NULL) {
		u = getenv("GUEST_VM_LINUX_USER");
		pw = getenv("GUEST_VM_LINUX_PASSWORD");
	}
	if (u == NULL || pw == NULL || *pw == '\0')
		return err_set(err, MTV_EINVAL, "no guest credentials: set "
			       "guest_vm_linux_user and "
			       "guest_vm_linux_password in profile '%s' (or "
			       "GUEST_VM_LINUX_USER and "
			       "GUEST_VM_LINUX_PASSWORD)",
			       p && p->name ? p->name : "?");
	*user = u;
	*password = secret_new(pw);
	return 0;
}

/* ---- planning ---- */

/* Does the scenario's expect.checks[] entry e (a data_integrity one)
 * select VM vi of m? Without a vm, the VMs with snapshots, else all. */
static bool
entry_selects(struct mtv_model *m, json_object *e, size_t vi)
{
	const struct model_vm *v = &m->vms[vi];
	json_object *sel = jget(e, "vm");
	const char *pk = jstr(e, "plan");
	size_t i;

	if (pk) {
		if (v->plan < 0 || (size_t)v->plan >= m->nplans ||
		    !(str_eq(m->plans[v->plan].key, pk) ||
		      str_eq(m->plans[v->plan].name, pk)))
			return false;
	}
	if (json_object_is_type(sel, json_type_int))
		return (size_t)json_object_get_int(sel) == vi;
	if (sel)
		return str_eq(jstr(v->node, "clone_name"),
			      json_object_get_string(sel)) ||
		       str_eq(jstr(v->node, "name"),
			      json_object_get_string(sel)) ||
		       str_eq(v->name, json_object_get_string(sel));
	for (i = 0; i < m->nvms; i++)
		if (m->vms[i].snapshots > 0)
			return v->snapshots > 0;
	return true;
}

bool
step_guest_data_wanted(struct mtv_model *m, size_t vi)
{
	json_object *ex = jget(m->root, "expect"), *xc = jget(ex, "checks");
	const char *res = jstr(ex, "result");
	size_t i;

	if (res && !str_eq(res, "succeeded"))
		return false;
	if (m->vms[vi].snapshots > 0)
		return true;
	for (i = 0; i < jlen(xc); i++) {
		json_object *e = json_object_array_get_idx(xc, i);

		if (str_eq(jstr(e, "check"), "data_integrity") &&
		    entry_selects(m, e, vi))
			return true;
	}
	return false;
}

/* For the VMs whose data_integrity is checked: after the snapshots. */
static void
plan_guest_data(struct mtv_model *m, const struct step_at *at)
{
	struct model_vm *v = &m->vms[at->vm];
	struct model_step st = { .plan = v->plan };
	json_object *pa;
	char *obj, *marker, *undo = NULL;

	if (!step_guest_data_wanted(m, (size_t)at->vm))
		return;
	if (!model_vm_ready(v))
		diags_add(m->d, m->s->path, 0, 0, "data_integrity of VM '%s' "
			  "needs its guest running before the migration: set "
			  "source_vm_power: on or guest_agent: true", v->name);
	marker = xasprintf("mtv-data-integrity-%s", m->run_id);
	pa = json_object_new_object();
	jputs(pa, "vm_ref", v->ref);
	jputs(pa, "vm", v->name);
	jputs(pa, "dir", "/opt/mtv_data_integrity");
	jputs(pa, "marker", marker);
	jputi(pa, "data_bytes", 4 << 20);
	jputi(pa, "timeout", 60);
	/* a clone goes with the teardown: nothing of its own to undo */
	if (!v->clone)
		undo = xasprintf("delete the data files from the guest of %s",
				 v->name);
	obj = xasprintf("vm/%s", v->name);
	st.object = obj;
	st.undo = undo;
	st.params = pa;
	step_plan_add(m, at->kind, &st, "write the data marker and 4 MiB of "
		      "random data into the guest of %s", v->name);
	free(undo);
	free(obj);
	free(marker);
}

/* ---- running ---- */

struct gd {
	struct vs_client *vs;
	char *moid;
	struct vs_guest_auth a;
	int timeout;
	const char *dir;
};

/* Lower-case hex SHA-256 of data (65 bytes out). */
static void
sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	out[64] = '\0';
}

/* Run "/bin/bash -c 'cmd'" in the guest; a non-zero exit is an error. */
static int
gd_run(struct gd *g, const char *cmd, struct mtv_err *err)
{
	char *args = xasprintf("-c \"%s\"", cmd);
	int code = -1, r;

	r = vs_guest_run(g->vs, g->moid, &g->a, "/bin/bash", args, g->timeout,
			 &code, err);
	if (r == 0 && code != 0)
		r = err_set(err, MTV_EPROTO, "guest command '%s' exited with "
			    "%d", cmd, code);
	free(args);
	return r;
}

/* The standard output of cmd, through the file out_file of the guest
 * (read back by a download, then deleted), as the pytest suite reads a
 * guest's output through a file. A file of the step's own folder, not
 * CreateTemporaryFileInGuest's: one call fewer, and a name the undo
 * knows. */
static int
gd_capture(struct gd *g, const char *cmd, const char *out_file, char **out,
	   struct mtv_err *err)
{
	char *full = xasprintf("%s > %s", cmd, out_file);
	struct mtv_err e2 = { 0 };
	size_t len = 0;
	int r;

	*out = NULL;
	r = gd_run(g, full, err);
	if (r == 0)
		r = vs_guest_download(g->vs, g->moid, &g->a, out_file, out,
				      &len, err);
	(void)vs_guest_delete(g->vs, g->moid, &g->a, out_file, &e2);
	free(full);
	return r;
}

/* s without trailing white space (in place). */
static char *
rtrim(char *s)
{
	size_t n = s ? strlen(s) : 0;

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
		s[--n] = '\0';
	return s;
}

/* The marker and the data with its checksum line, written (and listed in
 * files for the undo as they are). */
static int
gd_write(struct gd *g, json_object *params, json_object *files,
	 const unsigned char *data, size_t n, const char *sum,
	 struct mtv_err *err)
{
	char *mf = xasprintf("%s/marker.txt", g->dir),
	     *df = xasprintf("%s/data.bin", g->dir),
	     *sf = xasprintf("%s/data.bin.sha256", g->dir),
	     *cmd = xasprintf("mkdir -p %s && echo %s | tee %s", g->dir,
			      jstr(params, "marker"), mf),
	     *line = xasprintf("%s  %s\n", sum, df);
	int r;

	jarr_adds(files, mf);
	r = gd_run(g, cmd, err);
	if (r == 0) {
		jarr_adds(files, df);
		r = vs_guest_upload(g->vs, g->moid, &g->a, df, data, n, err);
	}
	if (r == 0) {
		jarr_adds(files, sf);
		r = vs_guest_upload(g->vs, g->moid, &g->a, sf, line,
				    strlen(line), err);
	}
	free(line);
	free(cmd);
	free(sf);
	free(df);
	free(mf);
	return r;
}

/* Read back what gd_write wrote; the record of state.vms[].guest_data. */
static int
gd_verify(struct gd *g, json_object *params, const char *sum,
	  json_object *rec, struct mtv_err *err)
{
	char *mf = xasprintf("%s/marker.txt", g->dir),
	     *df = xasprintf("%s/data.bin", g->dir),
	     *sf = xasprintf("%s/data.bin.sha256", g->dir),
	     *of = xasprintf("%s/sha256sum.out", g->dir),
	     *cmd = xasprintf("sha256sum %s", df), *marker = NULL,
	     *line = NULL, *found = NULL, *key = NULL;
	size_t len = 0;
	int r;

	r = vs_guest_download(g->vs, g->moid, &g->a, mf, &marker, &len, err);
	if (r == 0 && !str_eq(rtrim(marker), jstr(params, "marker")))
		r = err_set(err, MTV_EPROTO, "guest file '%s' reads '%.80s', "
			    "expected '%s'", mf, marker, jstr(params,
			    "marker"));
	if (r == 0)
		r = vs_guest_download(g->vs, g->moid, &g->a, sf, &line, &len,
				      err);
	if (r == 0)
		r = gd_capture(g, cmd, of, &found, err);
	if (r == 0 && (!str_startswith(line, sum) ||
		       !str_startswith(found, sum)))
		r = err_set(err, MTV_EPROTO, "guest file '%s': sha256sum "
			    "says '%.64s', its checksum file '%.64s', written "
			    "%s", df, found, line, sum);
	if (r == 0)
		r = vs_guest_download(g->vs, g->moid, &g->a, HOST_KEY, &key,
				      &len, err);
	if (r == 0) {
		jputs(rec, "marker_file", mf);
		jputs(rec, "marker", jstr(params, "marker"));
		jputs(rec, "data_file", df);
		jputs(rec, "checksum_file", sf);
		jputs(rec, "sha256", sum);
		jputi(rec, "data_bytes", jint(params, "data_bytes"));
		jputs(rec, "host_key", rtrim(key));
	}
	free(key);
	free(found);
	free(line);
	free(marker);
	free(cmd);
	free(of);
	free(sf);
	free(df);
	free(mf);
	return r;
}

/* state.vms[ref].guest_data = rec (taken). */
static void
gd_record(struct step_ctx *ctx, const char *ref, json_object *rec)
{
	json_object *st = ref ? state_get(ctx, "vms", ref) : NULL;

	if (st == NULL) {
		st = json_object_new_object();
		state_set(ctx, "vms", ref, st);
		st = state_get(ctx, "vms", ref);
	}
	pthread_mutex_lock(&ctx->lock);
	json_object_object_add(st, "guest_data", rec);
	pthread_mutex_unlock(&ctx->lock);
}

static int
exec_guest_data(struct step_ctx *ctx, json_object *step, json_object **undo,
		struct mtv_err *err)
{
	json_object *params = jget(step, "params"), *files, *rec;
	struct secret *pw = NULL;
	struct gd g = { 0 };
	size_t n = (size_t)jint(params, "data_bytes");
	unsigned char *data = NULL;
	char sum[65];
	int r;

	g.dir = jstr(params, "dir");
	g.timeout = (int)jint(params, "timeout");
	if (g.timeout <= 0 || g.timeout > step_time_left(ctx))
		g.timeout = step_time_left(ctx);
	r = step_guest_creds(ctx->profile, &g.a.user, &pw, err);
	g.a.password = pw;
	if (r == 0)
		r = step_vsphere(ctx, &g.vs, err);
	if (r == 0)
		r = vstep_vm(ctx, g.vs, params, &g.moid, err);
	if (r != 0)
		goto out;
	data = xmalloc(n ? n : 1);
	if (RAND_bytes(data, (int)n) != 1) {
		r = err_set(err, MTV_EINTERNAL, "no random bytes");
		goto out;
	}
	sha256_hex(data, n, sum);
	files = json_object_new_array();
	/* a clone's files go with it (the plan gives no undo) */
	if (jstr(step, "undo")) {
		*undo = json_object_new_object();
		jputs(*undo, "vm", g.moid);
		jput(*undo, "files", json_object_get(files));
	}
	r = gd_write(&g, params, files, data, n, sum, err);
	json_object_put(files);
	rec = json_object_new_object();
	if (r == 0)
		r = gd_verify(&g, params, sum, rec, err);
	if (r == 0) {
		gd_record(ctx, jstr(params, "vm_ref"), rec);
		log_verbose("data marker, %zu random bytes (sha256 %.12s...) "
			    "and their checksum in the guest of '%s'", n, sum,
			    jstr(params, "vm"));
	} else {
		json_object_put(rec);
		err_prefix(err, "guest of '%s'", jstr(params, "vm"));
	}
out:
	free(data);
	free(g.moid);
	secret_free(pw);
	return r;
}

/* Delete the files (a VM whose guest is not running keeps them, with a
 * warning: Guest Operations need running tools). */
static int
undo_guest_data(struct step_ctx *ctx, json_object *step, json_object *undo,
		struct mtv_err *err)
{
	static const char *const paths[] = { "guest.toolsRunningStatus",
					     NULL };
	json_object *files = jget(undo, "files"), *p = NULL;
	struct secret *pw = NULL;
	struct gd g = { 0 };
	size_t i;
	int r;

	if (jstr(step, "undo") == NULL || jstr(undo, "vm") == NULL ||
	    jlen(files) == 0)
		return 0;
	r = step_guest_creds(ctx->profile, &g.a.user, &pw, err);
	g.a.password = pw;
	if (r == 0)
		r = step_vsphere(ctx, &g.vs, err);
	if (r == 0)
		r = vs_props(g.vs, "VirtualMachine", jstr(undo, "vm"), paths,
			     &p, err);
	if (r == 0 && !str_eq(jstr(p, "guest.toolsRunningStatus"),
			      "guestToolsRunning")) {
		log_warn("the data files stay in the guest of '%s': its "
			 "tools do not run", jstr(jget(step, "params"), "vm"));
		goto out;
	}
	for (i = 0; r == 0 && i < jlen(files); i++)
		r = vs_guest_delete(g.vs, jstr(undo, "vm"), &g.a,
				    json_object_get_string(
				    json_object_array_get_idx(files, i)), err);
out:
	json_object_put(p);
	secret_free(pw);
	return r == MTV_ENOTFOUND ? 0 : r;
}

static const struct step_param guest_data_params[] = {
	{ "vm_ref", PT_STRING, true, "logical VM key" },
	{ "vm", PT_STRING, true, "source VM (clone) name" },
	{ "dir", PT_STRING, true, "folder of the files in the guest" },
	{ "marker", PT_STRING, true, "the marker, \"mtv-data-integrity-\" "
	  "and the run id" },
	{ "data_bytes", PT_INT, true, "bytes of random data" },
	{ "timeout", PT_INT, true, "seconds per guest program" },
	{ NULL, 0, false, NULL },
};

const struct step_kind step_guest_data = {
	.name = "guest-data",
	.summary = "write a data marker and random data into the guest "
		   "(Guest Operations)",
	.flags = STEP_SOURCE,
	.params = guest_data_params,
	.plan = plan_guest_data,
	.exec = exec_guest_data,
	.undo = undo_guest_data,
};
