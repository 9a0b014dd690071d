/* test_steps.c: the pure parts of the cluster-side steps: condition
 * evaluation, blocker detection, xcopy evidence from a Plan status,
 * ChangeVmName-expected names, vendor keys, quantities and times. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "step/cluster.h"
#include "step/check/check.h"
#include "step/step.h"
#include "kube/kube.h"
#include "vsphere/vsphere.h"

static json_object *
J(const char *s)
{
	json_object *o = json_tokener_parse(s);

	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	return o;
}

static void
test_eval_ready(void)
{
	json_object *o;
	char *why;

	o = J("{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\","
	      "\"category\":\"Required\"}]}}");
	CU_ASSERT_EQUAL(cl_eval(o, "Ready", &why), CL_DONE);
	json_object_put(o);
	/* no conditions yet: wait */
	o = J("{\"status\":{}}");
	CU_ASSERT_EQUAL(cl_eval(o, "Ready", &why), CL_WAIT);
	CU_ASSERT_PTR_NULL(why);
	json_object_put(o);
	/* the controller has not seen our spec yet */
	o = J("{\"metadata\":{\"generation\":2},\"status\":{\"observedGeneration\":1,"
	      "\"conditions\":[{\"type\":\"ConnectionAuthFailed\",\"status\":\"True\","
	      "\"category\":\"Critical\",\"message\":\"old\"}]}}");
	CU_ASSERT_EQUAL(cl_eval(o, "Ready", &why), CL_WAIT);
	json_object_put(o);
}

static void
test_eval_blockers(void)
{
	json_object *o;
	char *why = NULL;
	struct strbuf sb = STRBUF_INIT;

	o = J("{\"status\":{\"conditions\":["
	      "{\"type\":\"ConnectionAuthFailed\",\"status\":\"True\",\"category\":\"Critical\","
	      "\"message\":\"Authentication failed.\",\"suggestion\":\"Fix the secret.\"},"
	      "{\"type\":\"ConnectionInsecure\",\"status\":\"True\",\"category\":\"Warn\"}]}}");
	CU_ASSERT_EQUAL(cl_eval(o, "Ready", &why), CL_BLOCKED);
	CU_ASSERT_STRING_EQUAL(why, "ConnectionAuthFailed: Authentication failed. (Fix the secret.)");
	free(why);
	CU_ASSERT_EQUAL(cl_blockers(o, &sb), 1);
	CU_ASSERT_STRING_EQUAL(strbuf_str(&sb), "ConnectionAuthFailed: Authentication failed. "
			       "(Fix the secret.)");
	strbuf_release(&sb);
	json_object_put(o);
	/* *NotReady blockers clear by themselves */
	o = J("{\"status\":{\"conditions\":[{\"type\":\"SourceProviderNotReady\","
	      "\"status\":\"True\",\"category\":\"Critical\"}]}}");
	CU_ASSERT_EQUAL(cl_eval(o, "Ready", &why), CL_WAIT);
	json_object_put(o);
	/* VMNotFound may be inventory lag: soft */
	o = J("{\"status\":{\"conditions\":[{\"type\":\"VMNotFound\",\"status\":\"True\","
	      "\"category\":\"Critical\",\"items\":[\" id:vm-1 \"]}]}}");
	CU_ASSERT_EQUAL(cl_eval(o, "Ready", &why), CL_BLOCKED_SOFT);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "[ id:vm-1 ]"));
	free(why);
	json_object_put(o);
	/* status False is not a condition */
	o = J("{\"status\":{\"conditions\":[{\"type\":\"VDDKAndOffloadMixedUsage\","
	      "\"status\":\"False\",\"category\":\"Critical\"}]}}");
	CU_ASSERT_EQUAL(cl_eval(o, "Ready", &why), CL_WAIT);
	CU_ASSERT_PTR_NULL(cl_cond(o, "VDDKAndOffloadMixedUsage"));
	json_object_put(o);
}

static void
test_eval_expected_condition(void)
{
	json_object *o;
	char *why = NULL;

	o = J("{\"status\":{\"conditions\":[{\"type\":\"VDDKAndOffloadMixedUsage\","
	      "\"status\":\"True\",\"category\":\"Critical\",\"message\":\"mixed\"}]}}");
	CU_ASSERT_EQUAL(cl_eval(o, "VDDKAndOffloadMixedUsage", &why), CL_DONE);
	CU_ASSERT_EQUAL(cl_eval(o, "Ready", &why), CL_BLOCKED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "VDDKAndOffloadMixedUsage: mixed"));
	free(why);
	json_object_put(o);
	/* Ready while a blocker was expected is a failure */
	o = J("{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}");
	CU_ASSERT_EQUAL(cl_eval(o, "VDDKAndOffloadMixedUsage", &why), CL_BLOCKED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "became Ready"));
	free(why);
	json_object_put(o);
}

static const char plan_status[] =
	"{\"kind\":\"Plan\",\"metadata\":{\"name\":\"p\",\"uid\":\"pu\"},\"status\":{"
	"\"conditions\":[{\"type\":\"Failed\",\"status\":\"True\",\"category\":\"Advisory\"}],"
	"\"migration\":{\"history\":[{\"migration\":{\"uid\":\"old\"}},{\"migration\":{\"uid\":\"m1\"}}],"
	"\"vms\":[{\"id\":\"vm-1\",\"name\":\"My_VM\",\"newName\":\"my-vm\",\"phase\":\"CopyDisks\","
	"\"error\":{\"phase\":\"CopyDisks\",\"reasons\":[\"populator pod failed for PVC u1\"]},"
	"\"pipeline\":[{\"name\":\"Initialize\",\"phase\":\"Completed\"},"
	"{\"name\":\"DiskTransfer\",\"phase\":\"Running\",\"started\":\"2026-01-01T00:00:10Z\","
	"\"completed\":\"2026-01-01T00:01:00Z\",\"progress\":{\"completed\":512,\"total\":2048},"
	"\"tasks\":[{\"name\":\"[xcopy-ds] My_VM/My_VM.vmdk\",\"phase\":\"Completed\","
	"\"annotations\":{\"unit\":\"MB\",\"xcopyUsed\":\"1\",\"cloneMethod\":\"vib\"}},"
	"{\"name\":\"[plain-ds] My_VM/My_VM_1.vmdk\",\"phase\":\"Running\","
	"\"annotations\":{\"xcopyUsed\":\"0\",\"cloneMethod\":\"ssh\"}},"
	"{\"name\":\"[xcopy-ds] My_VM/My_VM_2.vmdk\",\"phase\":\"Pending\","
	"\"error\":{\"reasons\":[\"clone failed\"]}}]}]}]}}}";

static void
test_xcopy_evidence(void)
{
	json_object *o = J(plan_status), *x, *e;

	x = cl_xcopy_from_status(o);
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(x), 3);
	e = json_object_array_get_idx(x, 0);
	CU_ASSERT_STRING_EQUAL(jstr(e, "vm"), "vm-1");
	CU_ASSERT_STRING_EQUAL(jstr(e, "datastore_name"), "xcopy-ds");
	CU_ASSERT_EQUAL(jint(e, "xcopyUsed"), 1);
	CU_ASSERT_STRING_EQUAL(jstr(e, "cloneMethod"), "vib");
	e = json_object_array_get_idx(x, 1);
	CU_ASSERT_STRING_EQUAL(jstr(e, "datastore_name"), "plain-ds");
	CU_ASSERT_PTR_NOT_NULL(jget(e, "xcopyUsed"));
	CU_ASSERT_EQUAL(jint(e, "xcopyUsed"), 0);
	/* no annotation: unknown, not 0 */
	e = json_object_array_get_idx(x, 2);
	CU_ASSERT_PTR_NULL(jget(e, "xcopyUsed"));
	json_object_put(x);
	x = cl_disk_transfer_from_status(o);
	CU_ASSERT_EQUAL_FATAL(json_object_array_length(x), 1);
	CU_ASSERT_STRING_EQUAL(jstr(json_object_array_get_idx(x, 0), "started"),
			       "2026-01-01T00:00:10Z");
	json_object_put(x);
	json_object_put(o);
}

static void
test_terminal_and_failure(void)
{
	json_object *o = J(plan_status);
	char *s;

	CU_ASSERT_STRING_EQUAL(cl_terminal(o, "m1"), "Failed");
	/* an older migration's end is not ours */
	CU_ASSERT_PTR_NULL(cl_terminal(o, "old"));
	CU_ASSERT_STRING_EQUAL(cl_terminal(o, NULL), "Failed");
	s = cl_failure(o);
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "vm 'My_VM' (phase CopyDisks): populator pod failed for PVC u1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(s, "vm 'My_VM' step DiskTransfer task "
				      "'[xcopy-ds] My_VM/My_VM_2.vmdk': clone failed"));
	free(s);
	s = cl_progress(o);
	CU_ASSERT_STRING_EQUAL(s, "vm 'My_VM': CopyDisks, step DiskTransfer, 512/2048 MB");
	free(s);
	json_object_put(o);
}

static void
test_map_offload(void)
{
	json_object *o;

	o = J("{\"spec\":{\"map\":[{\"offloadPlugin\":{\"vsphereXcopyConfig\":{}}},"
	      "{\"offloadPlugin\":{\"vsphereXcopyConfig\":{}}}]}}");
	CU_ASSERT_EQUAL(map_offload(o), 1);
	json_object_put(o);
	o = J("{\"spec\":{\"map\":[{\"source\":{}}]}}");
	CU_ASSERT_EQUAL(map_offload(o), 0);
	json_object_put(o);
	o = J("{\"spec\":{\"map\":[{\"source\":{}},{\"offloadPlugin\":{\"vsphereXcopyConfig\":{}}}]}}");
	CU_ASSERT_EQUAL(map_offload(o), -1);
	json_object_put(o);
}

static void
test_quantities_times(void)
{
	CU_ASSERT_EQUAL(verify_quantity("16Gi"), 16LL << 30);
	CU_ASSERT_EQUAL(verify_quantity("1073741824"), 1073741824LL);
	CU_ASSERT_EQUAL(verify_quantity("10G"), 10000000000LL);
	CU_ASSERT_EQUAL(verify_quantity("1.5Gi"), 3LL << 29);
	CU_ASSERT_EQUAL(verify_quantity("x"), -1);
	CU_ASSERT_EQUAL(verify_time("1970-01-01T00:01:00Z"), 60);
	CU_ASSERT_EQUAL(verify_time("1970-01-01T00:01:00.123Z"), 60);
	CU_ASSERT_EQUAL(verify_time("1970-01-01T01:01:00+01:00"), 60);
	CU_ASSERT_EQUAL(verify_time("nope"), -1);
}

static void
test_profile_block(void)
{
	json_object *o;

	o = J("{\"status\":{\"claimPropertySets\":[{\"volumeMode\":\"Filesystem\"},"
	      "{\"volumeMode\":\"Block\",\"accessModes\":[\"ReadWriteOnce\"]}]}}");
	CU_ASSERT_EQUAL(preflight_profile_block(o), 1);
	json_object_put(o);
	o = J("{\"status\":{\"claimPropertySets\":[{\"volumeMode\":\"Filesystem\"}]}}");
	CU_ASSERT_EQUAL(preflight_profile_block(o), 0);
	json_object_put(o);
	o = J("{\"status\":{}}");
	CU_ASSERT_EQUAL(preflight_profile_block(o), -1);
	json_object_put(o);
}

static void
test_pod_log(void)
{
	const char *log =
		"I1129 02:40:51.000000       1 populator.go:88] \"copy-offload started\" "
		"source_vmdk=\"[xcopy-ds] vm/vm_1.vmdk\" target_pvc=ns/pvc-1\n"
		"I1129 02:40:52.000000       1 populator.go:166] \"xcopy\" xcopyUsed=0\n"
		"I1129 02:40:57.000000       1 populator.go:166] \"xcopy\" xcopyUsed=0\n"
		"I1129 02:41:02.000000       1 populator.go:166] \"xcopy\" xcopyUsed=1\n";
	char *disk = NULL;
	int used;

	CU_ASSERT(cl_pod_log_xcopy(log, &disk, &used));
	CU_ASSERT_STRING_EQUAL(disk, "[xcopy-ds] vm/vm_1.vmdk");
	CU_ASSERT_EQUAL(used, 1);
	free(disk);
	CU_ASSERT(!cl_pod_log_xcopy("\"copy-offload failed\" err=x", &disk, &used));
	CU_ASSERT_PTR_NULL(disk);
	CU_ASSERT_EQUAL(used, -1);
}

/* migrate_evidence.c */
void migrate_inflight(json_object *plan, int *tasks, int *vms,
		      json_object *pending);
bool mev_pod_event(json_object *pods, const char *type, json_object *pod);
void mev_pods_in_flight(json_object *pods, json_object *peaks, int *npods,
			int *nvms);
json_object *mev_xcopy(json_object *plan, json_object *crs,
		       json_object *pods);

/* Two VMs: one with its DiskTransfer Running, one held Pending by the VM
 * in-flight limit; the peaks only grow. Running tasks are counted apart
 * (upstream never shows one). */
static void
test_inflight(void)
{
	json_object *o = J(
	    "{\"status\":{\"migration\":{\"vms\":["
	    "{\"id\":\"vm-1\",\"pipeline\":[{\"name\":\"Initialize\","
	    "\"phase\":\"Completed\"},{\"name\":\"DiskTransfer\","
	    "\"phase\":\"Running\",\"tasks\":[{\"phase\":\"Running\"},"
	    "{\"phase\":\"Running\"},{\"phase\":\"Pending\"},"
	    "{\"phase\":\"Completed\"}]}]},"
	    "{\"id\":\"vm-2\",\"conditions\":[{\"type\":\"Pending\","
	    "\"status\":\"True\"}],\"pipeline\":[{\"name\":"
	    "\"DiskTransfer\",\"phase\":\"Pending\",\"tasks\":["
	    "{\"phase\":\"Pending\"}]}]}]}}}");
	json_object *empty = J("{\"status\":{}}"), *pending =
	    json_object_new_array();
	int tasks = 0, vms = 0;

	migrate_inflight(o, &tasks, &vms, pending);
	CU_ASSERT_EQUAL(tasks, 2);
	CU_ASSERT_EQUAL(vms, 1);
	CU_ASSERT_EQUAL(json_object_array_length(pending), 1);
	CU_ASSERT_STRING_EQUAL(json_object_get_string(
	    json_object_array_get_idx(pending, 0)), "vm-2");
	/* seen again: no duplicate; a later, quieter status keeps the peak */
	migrate_inflight(o, &tasks, &vms, pending);
	migrate_inflight(empty, &tasks, &vms, NULL);
	CU_ASSERT_EQUAL(json_object_array_length(pending), 1);
	CU_ASSERT_EQUAL(tasks, 2);
	CU_ASSERT_EQUAL(vms, 1);
	json_object_put(pending);
	json_object_put(empty);
	json_object_put(o);
}

/* A populate pod of VM vm on host (NULL: no label) in phase (NULL: none
 * yet) copying disk. */
static json_object *
pod(const char *name, const char *vm, const char *host, const char *phase,
    const char *disk)
{
	json_object *p = J("{\"metadata\":{\"labels\":{}},\"spec\":"
			   "{\"containers\":[{\"name\":\"populate\","
			   "\"args\":[\"--source-vm-id=x\"]}]}}"), *args;
	char *a = xasprintf("--source-vmdk=%s", disk);

	jputs(jget(p, "metadata"), "name", name);
	jputs(jget(jget(p, "metadata"), "labels"), "vmID", vm);
	if (host)
		jputs(jget(jget(p, "metadata"), "labels"), "sourceHost", host);
	if (phase) {
		jput(p, "status", json_object_new_object());
		jputs(jget(p, "status"), "phase", phase);
	}
	args = jget(json_object_array_get_idx(jget(jget(p, "spec"),
					      "containers"), 0), "args");
	jarr_adds(args, a);
	free(a);
	return p;
}

/* Feed one event; the in-flight peaks after it. */
static bool
feed(json_object *pods, json_object *peaks, const char *type,
     json_object *p, int *np, int *nv)
{
	bool ended = mev_pod_event(pods, type, p);

	mev_pods_in_flight(pods, peaks, np, nv);
	json_object_put(p);
	return ended;
}

/* The populator peak comes from the pods Pending or Running per
 * sourceHost, VMs with a pod in flight per host; an ended pod asks for its
 * log once; a deleted one no longer counts; other pods are ignored. */
static void
test_pods_in_flight(void)
{
	json_object *pods = json_object_new_object(),
		    *peaks = json_object_new_object();
	int np = 0, nv = 0;

	CU_ASSERT(!feed(pods, peaks, "ADDED", pod("populate-1", "vm-1", "h1",
		  NULL, "[ds] a/a.vmdk"), &np, &nv));
	feed(pods, peaks, "ADDED", pod("populate-2", "vm-1", "h1", "Running",
	     "[ds] a/a_1.vmdk"), &np, &nv);
	feed(pods, peaks, "ADDED", pod("populate-3", "vm-2", "h2", "Running",
	     "[ds] b/b.vmdk"), &np, &nv);
	feed(pods, peaks, "ADDED", pod("other", "vm-2", "h2", "Running",
	     "[ds] b/b.vmdk"), &np, &nv);
	CU_ASSERT_EQUAL(np, 2);
	CU_ASSERT_EQUAL(nv, 1);
	CU_ASSERT_EQUAL(jint(peaks, "h1"), 2);
	CU_ASSERT_EQUAL(jint(peaks, "h2"), 1);
	CU_ASSERT_PTR_NULL(jget(pods, "other"));
	CU_ASSERT(feed(pods, peaks, "MODIFIED", pod("populate-1", "vm-1", "h1",
		  "Succeeded", "[ds] a/a.vmdk"), &np, &nv));
	jputb(jget(pods, "populate-1"), "read", true);
	CU_ASSERT(!feed(pods, peaks, "MODIFIED", pod("populate-1", "vm-1",
		  "h1", "Succeeded", "[ds] a/a.vmdk"), &np, &nv));
	feed(pods, peaks, "DELETED", pod("populate-2", "vm-1", "h1", "Running",
	     "[ds] a/a_1.vmdk"), &np, &nv);
	/* a pod of vm-3 on h2 next to vm-2's: two VMs on one host */
	feed(pods, peaks, "ADDED", pod("populate-4", "vm-3", "h2", "Pending",
	     "[ds] c/c.vmdk"), &np, &nv);
	CU_ASSERT_EQUAL(np, 2);
	CU_ASSERT_EQUAL(nv, 2);
	CU_ASSERT_EQUAL(jint(peaks, "h2"), 2);
	CU_ASSERT_STRING_EQUAL(jstr(jget(pods, "populate-1"), "disk"),
			       "[ds] a/a.vmdk");
	CU_ASSERT(jbool(jget(pods, "populate-2"), "gone"));
	json_object_put(peaks);
	json_object_put(pods);
}

/* xcopyUsed per disk: the task annotation, else a completed CR, else a
 * finished pod's last log value; none: null, never 0. */
static void
test_xcopy_sources(void)
{
	json_object *plan = J(
	    "{\"status\":{\"migration\":{\"vms\":[{\"id\":\"vm-1\","
	    "\"pipeline\":[{\"name\":\"DiskTransfer\",\"tasks\":["
	    "{\"name\":\"[ds] a/a.vmdk\",\"annotations\":{\"xcopyUsed\":"
	    "\"1\",\"cloneMethod\":\"vib\"}},"
	    "{\"name\":\"[ds] a/a_1.vmdk\"},"
	    "{\"name\":\"[ds] a/a_2.vmdk\"},"
	    "{\"name\":\"[ds] a/a_3.vmdk\"}]}]}]}}}");
	json_object *crs = J("{\"cr-1\":{\"vm\":\"vm-1\",\"disk\":"
			     "\"[ds] a/a_1.vmdk\",\"xcopyUsed\":0,"
			     "\"cloneMethod\":\"ssh\"}}");
	json_object *pods = J("{\"populate-2\":{\"vm\":\"vm-1\",\"disk\":"
			      "\"[ds] a/a_2.vmdk\",\"xcopyUsed\":1},"
			      "\"populate-3\":{\"vm\":\"vm-1\",\"disk\":"
			      "\"[ds] a/a_3.vmdk\",\"phase\":\"Running\"}}");
	json_object *x = mev_xcopy(plan, crs, pods), *e;

	CU_ASSERT_EQUAL_FATAL(jlen(x), 4);
	e = json_object_array_get_idx(x, 0);
	CU_ASSERT_EQUAL(jint(e, "xcopyUsed"), 1);
	CU_ASSERT_STRING_EQUAL(jstr(e, "source"), "task annotation");
	e = json_object_array_get_idx(x, 1);
	CU_ASSERT_EQUAL(jint(e, "xcopyUsed"), 0);
	CU_ASSERT_STRING_EQUAL(jstr(e, "cloneMethod"), "ssh");
	CU_ASSERT_STRING_EQUAL(jstr(e, "source"), "populator CR status");
	e = json_object_array_get_idx(x, 2);
	CU_ASSERT_EQUAL(jint(e, "xcopyUsed"), 1);
	CU_ASSERT_STRING_EQUAL(jstr(e, "source"), "populate pod log");
	e = json_object_array_get_idx(x, 3);
	CU_ASSERT_PTR_NULL(jget(e, "xcopyUsed"));
	CU_ASSERT(json_object_object_get_ex(e, "source", NULL));
	CU_ASSERT_PTR_NULL(jget(e, "source"));
	json_object_put(x);
	/* no task lists the disks (a status without tasks): the pods do */
	json_object_put(plan);
	plan = J("{\"status\":{}}");
	x = mev_xcopy(plan, crs, pods);
	CU_ASSERT_EQUAL(jlen(x), 2);
	json_object_put(x);
	json_object_put(plan);
	json_object_put(crs);
	json_object_put(pods);
}

/* vSphere options: GOVC_* when there is no profile. */
static void
test_vs_opts_env(void)
{
	struct vs_opts o;

	setenv("GOVC_URL", "vc.example.com", 1);
	setenv("GOVC_USERNAME", "u", 1);
	setenv("GOVC_PASSWORD", "pw-from-env", 1);
	setenv("GOVC_INSECURE", "1", 1);
	setenv("GOVC_TLS_CA_CERTS", "/ca.pem", 1);
	step_vs_opts(&o, NULL);
	CU_ASSERT_STRING_EQUAL(o.url, "vc.example.com");
	CU_ASSERT_STRING_EQUAL(o.username, "u");
	CU_ASSERT_STRING_EQUAL(secret_value(o.password), "pw-from-env");
	CU_ASSERT_STRING_EQUAL(o.ca_file, "/ca.pem");
	CU_ASSERT(o.insecure);
	secret_free((struct secret *)o.password);
	unsetenv("GOVC_URL");
	unsetenv("GOVC_USERNAME");
	unsetenv("GOVC_PASSWORD");
	unsetenv("GOVC_INSECURE");
	unsetenv("GOVC_TLS_CA_CERTS");
}

/* Cluster options: CLUSTER_* and the flags when there is no profile. */
static void
test_kube_opts_env(void)
{
	struct kube_opts o;
	char *r;

	redact_reset();
	setenv("CLUSTER_HOST", "https://api.example:6443", 1);
	setenv("CLUSTER_USERNAME", "kubeadmin", 1);
	setenv("CLUSTER_PASSWORD", "Cluster-Pa55word", 1);
	setenv("KUBECONFIG", "/k1:/k2", 1);
	step_kube_opts(&o, NULL, NULL, "ctx");
	CU_ASSERT_PTR_NOT_NULL(o.load);
	CU_ASSERT_STRING_EQUAL(o.server, "https://api.example:6443");
	CU_ASSERT_STRING_EQUAL(o.username, "kubeadmin");
	CU_ASSERT_STRING_EQUAL(secret_value(o.password), "Cluster-Pa55word");
	CU_ASSERT_PTR_NULL(o.kubeconfig); /* kube_connect reads the list */
	CU_ASSERT_STRING_EQUAL(o.context, "ctx");
	r = redact("pw Cluster-Pa55word");
	CU_ASSERT_PTR_NULL(strstr(r, "Pa55"));
	free(r);
	secret_free((struct secret *)o.password);
	/* the flag beats KUBECONFIG */
	step_kube_opts(&o, NULL, "/flag", NULL);
	CU_ASSERT_STRING_EQUAL(o.kubeconfig, "/flag");
	secret_free((struct secret *)o.password);
	unsetenv("CLUSTER_HOST");
	unsetenv("CLUSTER_USERNAME");
	unsetenv("CLUSTER_PASSWORD");
	unsetenv("KUBECONFIG");
	redact_reset();
}

/* The profile beats GOVC_*; CLUSTER_* beat the profile's cluster_* keys. */
static void
test_driver_opts_profile(void)
{
	struct mtv_profile p = { 0 };
	struct vs_opts v;
	struct kube_opts k;

	p.data = J("{\"api_url\":\"vc.profile\",\"password\":"
		   "\"((secret:copyoffload.pw))\",\"insecure\":false,"
		   "\"copyoffload\":{\"pw\":\"pw-from-secret\"},"
		   "\"cluster_host\":\"https://api.profile\","
		   "\"cluster_username\":\"u\","
		   "\"insecure_verify_skip\":true}");
	setenv("GOVC_URL", "vc.env", 1);
	setenv("GOVC_INSECURE", "1", 1);
	setenv("GOVC_USERNAME", "env-user", 1);
	step_vs_opts(&v, &p);
	CU_ASSERT_STRING_EQUAL(v.url, "vc.profile");
	CU_ASSERT_STRING_EQUAL(v.username, "env-user");
	CU_ASSERT_STRING_EQUAL(secret_value(v.password), "pw-from-secret");
	CU_ASSERT(!v.insecure);
	secret_free((struct secret *)v.password);
	unsetenv("GOVC_URL");
	unsetenv("GOVC_INSECURE");
	unsetenv("GOVC_USERNAME");
	setenv("CLUSTER_HOST", "https://api.env", 1);
	step_kube_opts(&k, &p, NULL, NULL);
	CU_ASSERT_STRING_EQUAL(k.server, "https://api.env");
	CU_ASSERT_STRING_EQUAL(k.username, "u");
	CU_ASSERT_PTR_NULL(k.password);
	CU_ASSERT(k.insecure);
	unsetenv("CLUSTER_HOST");
	json_object_put(p.data);
}

/* A wait the run's deadline cut short names the scenario's timeout (the
 * --timeout given), not the seconds that were left of it. */
static void
test_wait_limit(void)
{
	struct run_opts o = { .timeout = 4 };
	struct step_ctx ctx;
	char *s;

	memset(&ctx, 0, sizeof(ctx));
	ctx.opts = &o;
	ctx.deadline_ms = clock_ms() + 2000;
	s = cl_wait_limit(&ctx, 3600, 2);
	CU_ASSERT_STRING_EQUAL(s, "the scenario's timeout (4 s)");
	free(s);
	s = cl_wait_limit(&ctx, 0, 2);
	CU_ASSERT_STRING_EQUAL(s, "the scenario's timeout (4 s)");
	free(s);
	s = cl_wait_limit(&ctx, 30, 30);
	CU_ASSERT_STRING_EQUAL(s, "30 s");
	free(s);
	ctx.deadline_ms = 0;
	ctx.opts = NULL;
	s = cl_wait_limit(&ctx, 3600, 3600);
	CU_ASSERT_STRING_EQUAL(s, "3600 s");
	free(s);
}

static CU_TestInfo tests_steps[] = {
	{ "a wait cut short by --timeout names it", test_wait_limit },
	{ "populators and VMs in flight from a Plan status", test_inflight },
	{ "xcopyUsed and disk from a populate pod log", test_pod_log },
	{ "populators in flight from populate pods per host",
	  test_pods_in_flight },
	{ "xcopyUsed per disk with its source", test_xcopy_sources },
	{ "condition evaluation: Ready, waiting, generations", test_eval_ready },
	{ "blockers: hard, transient, soft", test_eval_blockers },
	{ "an expected blocking condition", test_eval_expected_condition },
	{ "xcopyUsed evidence and DiskTransfer times from a Plan", test_xcopy_evidence },
	{ "end of our migration, failure message, progress", test_terminal_and_failure },
	{ "StorageMap offload plugin on every entry", test_map_offload },
	{ "quantities and RFC 3339 times", test_quantities_times },
	{ "StorageProfile offers Block", test_profile_block },
	{ "vSphere options: GOVC_* defaults", test_vs_opts_env },
	{ "cluster options: CLUSTER_* and the flags", test_kube_opts_env },
	{ "driver options: profile and environment", test_driver_opts_profile },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites_steps[] = {
	{ "steps", NULL, NULL, NULL, NULL, tests_steps },
	CU_SUITE_INFO_NULL,
};

UNIT_SUITES(suites_steps)
