/* environment.c: what the report's "environment" says about the systems a
 * run used, gathered by the preflights into state["environment"]: the
 * vCenter (its ServiceContent.about, read at login), the ESXi hosts the
 * scenario names, Kubernetes (GET /version) and OpenShift (the
 * ClusterVersion, when the API has it), and the storage the profile
 * names. A fact that cannot be read stays null: the run goes on. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "step/cluster.h"
#include "step/vs_step.h"

/* {version, build, full_name} of a vSphere product (AboutInfo). */
static json_object *
product(json_object *p)
{
	json_object *o = json_object_new_object();

	jputs(o, "version", jstr(p, "version"));
	jputs(o, "build", jstr(p, "build"));
	jputs(o, "full_name", jstr(p, "fullName"));
	return o;
}

/* {name, version, build, full_name} of ESXi host name, or NULL. */
static json_object *
esxi_host(struct vs_client *vs, const char *name)
{
	static const char *const paths[] = { "summary.config.product", NULL };
	json_object *hp = NULL, *o = NULL;
	struct mtv_err e = { 0 };
	char *moid = NULL;

	if (vs_find(vs, "HostSystem", name, &moid, &e) != 0 ||
	    vs_props(vs, "HostSystem", moid, paths, &hp, &e) != 0) {
		log_verbose("environment: ESXi host '%s': %s", name, e.msg);
		goto out;
	}
	o = product(jget(hp, "summary.config.product"));
	json_object_object_add(o, "name", json_object_new_string(name));
out:
	json_object_put(hp);
	free(moid);
	return o;
}

void
step_env_source(struct step_ctx *ctx, struct vs_client *vs,
		json_object *params)
{
	json_object *about = vs_about(vs), *vc, *hosts = jget(params, "hosts"),
		    *esxi = json_object_new_array();
	size_t i;

	vc = product(about);
	jputs(vc, "api_version", jstr(about, "apiVersion"));
	state_set(ctx, "environment", "vcenter", vc);
	for (i = 0; i < jlen(hosts); i++) {
		const char *h = json_object_get_string(
		    json_object_array_get_idx(hosts, i));
		json_object *o = h ? esxi_host(vs, h) : NULL;

		if (o)
			json_object_array_add(esxi, o);
	}
	state_set(ctx, "environment", "esxi", esxi);
}

/* The OpenShift version of the ClusterVersion "version" (the desired
 * one, else the newest of its history), or NULL on plain Kubernetes. */
static json_object *
openshift_version(struct kube_client *k)
{
	json_object *cv = NULL, *o = NULL, *st, *hist;
	struct mtv_err e = { 0 };
	const char *v;

	if (kube_get(k, "/apis/config.openshift.io/v1/clusterversions/"
		     "version", &cv, &e) != 0) {
		if (e.code == MTV_EAUTH)
			log_warn("environment: the OpenShift version not read: "
				 "%s", e.msg);
		else
			log_verbose("environment: no ClusterVersion: %s",
				    e.msg);
		return NULL;
	}
	st = jget(cv, "status");
	hist = jget(st, "history");
	v = jstr(jget(st, "desired"), "version");
	if (v == NULL && jlen(hist))
		v = jstr(json_object_array_get_idx(hist, 0), "version");
	if (v) {
		o = json_object_new_object();
		jputs(o, "version", v);
		jputs(o, "channel", jstr(jget(cv, "spec"), "channel"));
	}
	json_object_put(cv);
	return o;
}

void
step_env_cluster(struct step_ctx *ctx, struct kube_client *k,
		 json_object *params)
{
	json_object *ver = NULL, *kv = NULL, *sto = json_object_new_object();
	struct mtv_err e = { 0 };

	if (kube_get(k, "/version", &ver, &e) == 0) {
		kv = json_object_new_object();
		jputs(kv, "version", jstr(ver, "gitVersion"));
		jputs(kv, "platform", jstr(ver, "platform"));
	} else {
		log_verbose("environment: GET /version: %s", e.msg);
	}
	json_object_put(ver);
	state_set(ctx, "environment", "kubernetes", kv);
	state_set(ctx, "environment", "openshift", openshift_version(k));
	jputs(sto, "storage_class", jstr(params, "storage_class"));
	jputs(sto, "vendor", ctx->profile ?
	      profile_co(ctx->profile, "storage_vendor_product") : NULL);
	state_set(ctx, "environment", "storage", sto);
}
