/* source_preflight.c: the source side of the preflight step: templates,
 * datastores (VMFS, XCOPY as the scenario assumes, free space), hosts and
 * the RDM LUN, every problem reported at once before anything is made. */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "step/step.h"
#include "step/vs_step.h"

static void
finding(json_object *params, struct strbuf *pb, int *n, const char *predicts,
	const char *fmt, ...) MTV_PRINTF(5, 6);

/* One problem: one more line of pb, unless the scenario expects it
 * (predicts: the failure Forklift reports for it, or NULL). */
static void
finding(json_object *params, struct strbuf *pb, int *n, const char *predicts,
	const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	if (!preflight_expected(params, NULL, predicts, text)) {
		strbuf_addf(pb, "\n  %s", text);
		(*n)++;
	}
	free(text);
}

/* vStorageSupport of the datastore's mount on its first host, or NULL. */
static char *
mount_vstorage(struct vs_client *vs, json_object *dp, struct mtv_err *err)
{
	static const char *const hpaths[] = {
		"config.fileSystemVolume.mountInfo", NULL
	};
	json_object *mounts = jget(dp, "host"), *hp = NULL, *mi;
	const char *host = jstr(vs_jlist(mounts, 0), "key");
	char *res = NULL;
	size_t i;

	if (host == NULL ||
	    vs_props(vs, "HostSystem", host, hpaths, &hp, err) != 0)
		return NULL;
	mi = jget(hp, "config.fileSystemVolume.mountInfo");
	for (i = 0; vs_jlist(mi, i); i++) {
		json_object *m = vs_jlist(mi, i);

		if (str_eq(jstr(jget(m, "volume"), "name"), jstr(dp, "name")) &&
		    jstr(m, "vStorageSupport"))
			res = xstrdup(jstr(m, "vStorageSupport"));
	}
	json_object_put(hp);
	return res;
}

static void
check_datastore(struct vs_client *vs, json_object *d, json_object *params,
		struct strbuf *pb, int *n)
{
	static const char *const paths[] = { "name", "summary.type",
					     "summary.freeSpace", "host",
					     NULL };
	const char *moid = jstr(d, "moid"), *key = jstr(d, "key");
	json_object *dp = NULL, *x = jget(d, "xcopy"), *tg;
	struct mtv_err e = { 0 };
	const char *type;
	char *vst = NULL, *nfs = NULL;
	long long need, free_b;

	if (vs_props(vs, "Datastore", moid, paths, &dp, &e) != 0 ||
	    jstr(dp, "name") == NULL) {
		finding(params, pb, n, NULL, "datastore '%s' (%s) not found",
			moid, key);
		goto out;
	}
	type = jstr(dp, "summary.type");
	if (jbool(params, "copyoffload") && str_eq(type, "NFS")) {
		/* XCOPY is SCSI only: the populator finds no device under
		 * an NFS datastore (forklift-api.md 3.6, vmware/client.go) */
		nfs = xasprintf("could not determine underlying device for "
				"datastore %s (likely not VMFS)",
				jstr(dp, "name"));
		finding(params, pb, n, nfs,
			"datastore '%s' (%s) is NFS: copy-offload needs VMFS",
			jstr(dp, "name"), key);
	} else if (x && !str_eq(type, "VMFS")) {
		finding(params, pb, n, NULL,
			"datastore '%s' (%s) is %s, not VMFS", jstr(dp, "name"),
			key, type ? type : "of unknown type");
	} else if (x) {
		bool want = json_object_get_boolean(x);
		bool has;

		vst = mount_vstorage(vs, dp, &e);
		has = str_eq(vst, "vStorageSupported");
		if (want && !has)
			finding(params, pb, n, NULL,
				"datastore '%s' (%s) does not report XCOPY "
				"(vStorageSupport %s)", jstr(dp, "name"), key,
				vst ? vst : "unknown");
		else if (!want && has)
			finding(params, pb, n, NULL,
				"datastore '%s' (%s) supports XCOPY, the "
				"scenario needs one without it",
				jstr(dp, "name"), key);
	}
	tg = jget(params, "thick_gb");
	need = tg && jget(tg, moid) ? jint(tg, moid) : 0;
	free_b = atoll(jstr(dp, "summary.freeSpace") ?
		       jstr(dp, "summary.freeSpace") : "0");
	if (need > 0 && free_b < (need << 30))
		finding(params, pb, n, NULL,
			"datastore '%s' (%s) has %lld GiB free, the thick "
			"disks need %lld GiB", jstr(dp, "name"), key,
			free_b >> 30, need);
out:
	free(nfs);
	free(vst);
	json_object_put(dp);
}

static void
check_lun(struct vs_client *vs, json_object *params, struct strbuf *pb,
	  int *n)
{
	const char *lun = jstr(params, "rdm_lun_uuid");
	static const char *const paths[] = { "config.storageDevice.scsiLun",
					     NULL };
	json_object *hosts = NULL, *hp = NULL;
	struct mtv_err e = { 0 };
	bool found = false;
	struct json_object_iterator it, end;

	if (vs_names(vs, "HostSystem", &hosts, &e) != 0) {
		finding(params, pb, n, NULL, "cannot list hosts: %s", e.msg);
		return;
	}
	it = json_object_iter_begin(hosts);
	end = json_object_iter_end(hosts);
	for (; !found && !json_object_iter_equal(&it, &end);
	     json_object_iter_next(&it)) {
		json_object *l;
		size_t i;

		if (vs_props(vs, "HostSystem", json_object_iter_peek_name(&it),
			     paths, &hp, &e) != 0)
			continue;
		l = jget(hp, "config.storageDevice.scsiLun");
		for (i = 0; vs_jlist(l, i); i++)
			found |= str_eq(jstr(vs_jlist(l, i), "canonicalName"),
					lun) ||
				 str_eq(jstr(vs_jlist(l, i), "uuid"), lun);
		json_object_put(hp);
		hp = NULL;
	}
	json_object_put(hosts);
	if (!found)
		finding(params, pb, n, NULL,
			"RDM LUN '%s' not found on any host", lun);
}

int
preflight_source(struct step_ctx *ctx, json_object *params, struct mtv_err *err)
{
	struct vs_client *vs = NULL;
	struct strbuf pb = STRBUF_INIT;
	json_object *a;
	size_t i;
	int r, n = 0;

	r = step_vsphere(ctx, &vs, err);
	if (r != 0)
		return r;
	a = jget(params, "templates");
	for (i = 0; a && i < json_object_array_length(a); i++) {
		const char *t =
			json_object_get_string(json_object_array_get_idx(a, i));
		struct mtv_err e = { 0 };
		char *m = NULL;

		if (vs_find(vs, "VirtualMachine", t, &m, &e) != 0)
			finding(params, &pb, &n, NULL,
				"template '%s' not found", t);
		free(m);
	}
	a = jget(params, "datastores");
	for (i = 0; a && i < json_object_array_length(a); i++)
		check_datastore(vs, json_object_array_get_idx(a, i), params,
				&pb, &n);
	a = jget(params, "hosts");
	for (i = 0; a && i < json_object_array_length(a); i++) {
		const char *h =
			json_object_get_string(json_object_array_get_idx(a, i));
		struct mtv_err e = { 0 };
		char *m = NULL;

		if (h && vs_find(vs, "HostSystem", h, &m, &e) != 0)
			finding(params, &pb, &n, NULL,
				"ESXi host '%s' not found", h);
		free(m);
	}
	if (jstr(params, "rdm_lun_uuid"))
		check_lun(vs, params, &pb, &n);
	step_env_source(ctx, vs, params);
	if (n > 0)
		r = err_set(err, MTV_EINVAL,
			    "source preflight found %d problem%s:%s", n,
			    n == 1 ? "" : "s", strbuf_str(&pb));
	strbuf_release(&pb);
	return r;
}
