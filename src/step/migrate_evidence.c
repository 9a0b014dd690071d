/* migrate_evidence.c: the evidence the migrate step gathers while a
 * migration runs, each piece from where upstream Forklift puts it
 * (../shared/reference/forklift-versions.md, sections 2 and 3):
 *
 * - xcopyUsed per disk: the DiskTransfer task annotation (2.12+, kept in
 *   the Plan status), else the VSphereXcopyVolumePopulator status once the
 *   copy completed (2.12+, deleted by the VM's cleanup), else the last
 *   xcopyUsed=N the populate pod logged before it ended (2.12+, deleted
 *   too). The populator logs xcopyUsed=0 on every poll until the clone
 *   writes show (task_executor.go updateTaskStatus): only a finished
 *   pod's last value counts; anything else is unknown, never 0.
 * - what copied at once: upstream never marks a DiskTransfer task Running
 *   (migration.go updatePopulatorCopyProgress), so the peak is taken from
 *   the populate pods in phase Pending or Running per sourceHost label,
 *   seen by a watch (a copy may last less than any poll), else from the
 *   populator CRs that started and did not complete.
 * - VMs held by controller_max_vm_inflight: the per-VM Pending condition
 *   (markSchedulerQueuedVMs), where the release has it.
 *
 * Pods and populator CRs are watched, each by a thread of its own, the
 * watch resumed round after round: what a migration costs in requests does
 * not grow with its length beyond one watch request per round. A pod's log
 * is read once, when the pod ends. Copy progress goes to progress_copy. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "step/migrate_evidence.h"
#include "util/progress.h"

#define MEV_POLL_MS 10000	/* pods and CRs without a watch this often */
#define MEV_WATCH_S 300		/* a watch round (one request) */
#define MEV_LOG_LINES 2000	/* the populate log tail read at its end */
#define MEV_MIB (1024LL * 1024)

struct mig_ev;

/* One watcher thread: the migration's objects of one kind. */
struct mev_watch {
	struct mig_ev *ev;
	const char *kind;	/* "Pod", "VSphereXcopyVolumePopulator" */
	const char *what;	/* for messages: "populate pods" */
	void (*seen)(struct mig_ev *ev, struct kube_client *k,
		     const char *type, json_object *obj);
	struct kube_client *k;
	pthread_t tid;
	bool running;
};

struct mig_ev {
	struct step_ctx *ctx;
	const char *plan;
	char *uid, *tns;
	bool copyoffload;
	pthread_mutex_t lock;	/* the watcher writes what follows */
	json_object *pods;	/* {name: {vm, host, disk, phase, gone,
				 * xcopyUsed (finished pods only)}} */
	json_object *crs;	/* {name: {vm, host, disk, xcopyUsed,
				 * cloneMethod, copying}} */
	json_object *peaks;	/* {host: most populate pods in flight} */
	int peak_pods, peak_pod_vms, peak_crs;
	int peak_tasks, peak_vms; /* from the Plan status (not copy-offload) */
	json_object *pending;	/* VMs seen held Pending by the limit */
	json_object *crflight;	/* {CR name: host} of CRs copying now */
	json_object *totals;	/* {disk: MB} from the Plan's tasks */
	json_object *vmnames;	/* {vm id: name} from the Plan status */
	json_object *shown;	/* {vm/disk: bytes} progress reported */
	char *secret;		/* the first populator CR's secretName */
	char *watch_error;	/* why the pods could not be watched */
	int refused;		/* pod logs the role refuses: said once */
	long long polled_ms;
	struct mev_watch pods_w, crs_w;
	volatile sig_atomic_t stop;
};

struct mig_ev *
mig_ev_new(struct step_ctx *ctx, const char *plan)
{
	struct mig_ev *ev = xcalloc(1, sizeof(*ev));

	ev->ctx = ctx;
	ev->plan = plan;
	pthread_mutex_init(&ev->lock, NULL);
	ev->pods = json_object_new_object();
	ev->crs = json_object_new_object();
	ev->peaks = json_object_new_object();
	ev->pending = json_object_new_array();
	ev->crflight = json_object_new_object();
	ev->totals = json_object_new_object();
	ev->vmnames = json_object_new_object();
	ev->shown = json_object_new_object();
	return ev;
}

void
mig_ev_free(struct mig_ev *ev)
{
	if (ev == NULL)
		return;
	mig_ev_stop(ev);
	free(ev->uid);
	free(ev->tns);
	free(ev->watch_error);
	free(ev->secret);
	json_object_put(ev->crflight);
	json_object_put(ev->totals);
	json_object_put(ev->vmnames);
	json_object_put(ev->shown);
	json_object_put(ev->pods);
	json_object_put(ev->crs);
	json_object_put(ev->peaks);
	json_object_put(ev->pending);
	pthread_mutex_destroy(&ev->lock);
	free(ev);
}

/* ---- populate pods ---- */

/* The value of "--name=" in the pod's populate container args, or NULL. */
static const char *
pod_arg(json_object *pod, const char *name)
{
	json_object *cs = jget(jget(pod, "spec"), "containers");
	size_t i, j, n = strlen(name);

	for (i = 0; i < jlen(cs); i++) {
		json_object *args = jget(json_object_array_get_idx(cs, i),
					 "args");

		for (j = 0; j < jlen(args); j++) {
			const char *a = json_object_get_string(
			    json_object_array_get_idx(args, j));

			if (a && strncmp(a, name, n) == 0 && a[n] == '=')
				return a + n + 1;
		}
	}
	return NULL;
}

static bool
phase_in_flight(const char *phase)
{
	return phase == NULL || str_eq(phase, "Pending") ||
	       str_eq(phase, "Running");
}

static bool
phase_ended(const char *phase)
{
	return str_eq(phase, "Succeeded") || str_eq(phase, "Failed");
}

/* Record a watch event (or a listed pod: "ADDED") of a populate pod in
 * pods; true when the pod has just ended and its log is to be read. */
MTV_STATIC bool mev_pod_event(json_object *pods, const char *type,
			      json_object *pod);

MTV_STATIC bool
mev_pod_event(json_object *pods, const char *type, json_object *pod)
{
	json_object *labels = jget(jget(pod, "metadata"), "labels"), *rec;
	const char *name = cl_name(pod), *phase;

	if (name == NULL || !str_startswith(name, "populate-"))
		return false;
	rec = jget(pods, name);
	if (rec == NULL) {
		rec = json_object_new_object();
		/* the vmID label comes with 2.12; the args have it always */
		jputs(rec, "vm", jstr(labels, "vmID") ? jstr(labels, "vmID") :
		      pod_arg(pod, "--source-vm-id"));
		jputs(rec, "host", jstr(labels, "sourceHost"));
		jputs(rec, "disk", pod_arg(pod, "--source-vmdk"));
		jput(pods, name, rec);
	}
	if (str_eq(type, "DELETED")) {
		jputb(rec, "gone", true);
		return false;
	}
	phase = jstr(jget(pod, "status"), "phase");
	jputs(rec, "phase", phase ? phase : "Pending");
	return phase_ended(phase) && !jbool(rec, "read");
}

/* How many populate pods are in flight now, per host: the peaks per host
 * grow in peaks; *pods and *vms (VMs with a pod in flight on one host)
 * keep their maximum. */
MTV_STATIC void mev_pods_in_flight(json_object *pods, json_object *peaks,
				   int *npods, int *nvms);

MTV_STATIC void
mev_pods_in_flight(json_object *pods, json_object *peaks, int *npods,
		   int *nvms)
{
	json_object *now = json_object_new_object(),
		    *vms = json_object_new_object();

	json_object_object_foreach(pods, name, rec) {
		const char *h = jstr(rec, "host") ? jstr(rec, "host") : "";
		json_object *hv = jget(vms, h);
		char *key;

		(void)name;
		if (jbool(rec, "gone") || !phase_in_flight(jstr(rec, "phase")))
			continue;
		jputi(now, h, jint(now, h) + 1);
		if (hv == NULL) {
			hv = json_object_new_object();
			jput(vms, h, hv);
		}
		key = xstrdup(jstr(rec, "vm") ? jstr(rec, "vm") : "?");
		jputb(hv, key, true);
		free(key);
	}
	json_object_object_foreach(now, host, n) {
		int c = json_object_get_int(n),
		    v = json_object_object_length(jget(vms, host));

		if (c > jint(peaks, host))
			jputi(peaks, host, c);
		if (c > *npods)
			*npods = c;
		if (v > *nvms)
			*nvms = v;
	}
	json_object_put(now);
	json_object_put(vms);
}

/* How many populator CRs copy now per host (crflight: {CR: host}); *peak
 * keeps the most on one host. */
MTV_STATIC void mev_crs_in_flight(json_object *crflight, int *peak);

MTV_STATIC void
mev_crs_in_flight(json_object *crflight, int *peak)
{
	json_object *now = json_object_new_object();

	json_object_object_foreach(crflight, name, host) {
		const char *h = json_object_get_string(host);

		(void)name;
		jputi(now, h, jint(now, h) + 1);
		if (jint(now, h) > *peak)
			*peak = (int)jint(now, h);
	}
	json_object_put(now);
}

/* The last xcopyUsed of a pod that ended, from its log (kept with the
 * record; a log without one leaves it unknown). */
static void
read_pod_log(struct mig_ev *ev, struct kube_client *k, const char *name)
{
	struct mtv_err e = { 0 };
	char *log = NULL, *disk = NULL;
	json_object *rec;
	int used = -1;
	bool found;

	if (kube_pod_log_tail(k, ev->tns, name, NULL, MEV_LOG_LINES, &log,
			      &e) != 0) {
		if (e.code == MTV_EAUTH && !ev->refused++)
			log_warn("migration evidence not read: %s", e.msg);
		log_debug("plan '%s': log of pod '%s': %s", ev->plan, name,
			  e.msg);
		return;
	}
	found = cl_pod_log_xcopy(log, &disk, &used);
	pthread_mutex_lock(&ev->lock);
	rec = jget(ev->pods, name);
	if (rec) {
		jputb(rec, "read", true);
		if (found)
			jputi(rec, "xcopyUsed", used);
		if (jstr(rec, "disk") == NULL && disk)
			jputs(rec, "disk", disk);
	}
	pthread_mutex_unlock(&ev->lock);
	if (found)
		log_verbose("plan '%s': pod '%s' ended with xcopyUsed=%d",
			    ev->plan, name, used);
	free(disk);
	free(log);
}

/* One pod seen (watched or listed). */
static void
pod_seen(struct mig_ev *ev, struct kube_client *k, const char *type,
	 json_object *pod)
{
	bool ended;

	pthread_mutex_lock(&ev->lock);
	ended = mev_pod_event(ev->pods, type, pod);
	mev_pods_in_flight(ev->pods, ev->peaks, &ev->peak_pods,
			   &ev->peak_pod_vms);
	pthread_mutex_unlock(&ev->lock);
	if (ended)
		read_pod_log(ev, k, cl_name(pod));
}

/* ---- populator CRs ---- */

/* Copy progress of a disk, reported when it went forward. */
static void
show_progress(struct mig_ev *ev, const char *vm, const char *disk,
	      long long done, long long total)
{
	char *key = xasprintf("%s/%s", vm ? vm : "?", disk ? disk : "?"),
	     *name = NULL;
	bool same;

	pthread_mutex_lock(&ev->lock);
	/* the Plan's MB and the CR's percentage differ a little: only
	 * what goes forward is news */
	same = jget(ev->shown, key) && jint(ev->shown, key) >= done;
	if (!same) {
		json_object_object_add(ev->shown, key,
				       json_object_new_int64(done));
		name = xstrdup(jstr(ev->vmnames, vm ? vm : "") ?
			       jstr(ev->vmnames, vm ? vm : "") :
			       vm ? vm : "?");
	}
	pthread_mutex_unlock(&ev->lock);
	if (name)
		progress_copy(name, disk ? disk : "?", done, total);
	free(name);
	free(key);
}

/* One populator CR seen: its xcopyUsed and clone method once it completed,
 * whether it copies now (started, not completed: the peak per host), its
 * secret, its progress. */
static void
cr_seen(struct mig_ev *ev, struct kube_client *k, const char *type,
	json_object *cr)
{
	json_object *st = jget(cr, "status"), *sp = jget(cr, "spec"), *rec;
	const char *h = jstr(jget(jget(cr, "metadata"), "labels"),
			     "sourceHost"), *name = cl_name(cr);
	bool done = jstr(st, "result") != NULL, gone = str_eq(type, "DELETED");
	long long total;

	(void)k;
	if (name == NULL)
		return;
	pthread_mutex_lock(&ev->lock);
	if (!done && !gone && jstr(st, "progress"))
		jputs(ev->crflight, name, h ? h : "");
	else
		json_object_object_del(ev->crflight, name);
	mev_crs_in_flight(ev->crflight, &ev->peak_crs);
	if (ev->secret == NULL && jstr(sp, "secretName")) {
		ev->secret = xstrdup(jstr(sp, "secretName"));
		log_verbose("plan '%s': populator secret '%s' is there",
			    ev->plan, ev->secret);
	}
	total = jint(ev->totals, jstr(sp, "vmdkPath") ?
		     jstr(sp, "vmdkPath") : "");
	if (done && jstr(st, "xcopyUsed")) {
		rec = json_object_new_object();
		jputs(rec, "vm", jstr(sp, "vmId"));
		jputs(rec, "disk", jstr(sp, "vmdkPath"));
		jputi(rec, "xcopyUsed", atoi(jstr(st, "xcopyUsed")));
		jputs(rec, "cloneMethod", jstr(st, "cloneMethod"));
		jput(ev->crs, name, rec);
	}
	pthread_mutex_unlock(&ev->lock);
	/* a percentage: bytes when the Plan status told the disk's size */
	if (!gone && jstr(st, "progress") && total > 0)
		show_progress(ev, jstr(sp, "vmId"), jstr(sp, "vmdkPath"),
			      atoll(jstr(st, "progress")) * total * MEV_MIB /
			      100, total * MEV_MIB);
}

/* ---- the watchers ---- */

static int
watch_fn(const char *type, json_object *obj, void *arg, struct mtv_err *err)
{
	struct mev_watch *w = arg;

	(void)err;
	if (w->ev->stop || *w->ev->ctx->canceled)
		return 1;
	w->seen(w->ev, w->k, type, obj);
	return 0;
}

/* A watcher thread: every event of the migration's objects of one kind
 * until stop, resumed round after round (a 410 lists again). */
static void *
watch_main(void *arg)
{
	struct mev_watch *w = arg;
	struct mig_ev *ev = w->ev;
	struct mtv_err e = { 0 };
	char *path = kube_path(w->kind, ev->tns, NULL),
	     *sel = xasprintf("migration=%s", ev->uid), *rv = NULL;
	int r = 0;

	if (step_kube(ev->ctx, &w->k, &e) != 0)
		goto out;
	/* the migrate thread ends the watch at once through this flag */
	kube_set_cancel(w->k, &ev->stop);
	while (!ev->stop && !*ev->ctx->canceled) {
		r = kube_wait_resume(w->k, path, NULL, sel, MEV_WATCH_S,
				     watch_fn, w, &rv, &e);
		if (r != 0 && r != MTV_ETIMEOUT)
			break;
		err_clear(&e);
	}
	kube_set_cancel(w->k, ev->ctx->canceled);
out:
	if (e.code && e.code != MTV_ECANCELED && !ev->stop) {
		log_warn("plan '%s': %s not watched: %s", ev->plan, w->what,
			 e.msg);
		pthread_mutex_lock(&ev->lock);
		if (ev->watch_error == NULL)
			ev->watch_error = xasprintf("%s: %s", w->what, e.msg);
		pthread_mutex_unlock(&ev->lock);
	}
	free(rv);
	free(sel);
	free(path);
	return NULL;
}

static void
watch_start(struct mig_ev *ev, struct mev_watch *w, const char *kind,
	    const char *what,
	    void (*seen)(struct mig_ev *, struct kube_client *, const char *,
			 json_object *))
{
	w->ev = ev;
	w->kind = kind;
	w->what = what;
	w->seen = seen;
	w->running = pthread_create(&w->tid, NULL, watch_main, w) == 0;
}

/* Without a watch: the objects listed now. */
static void
poll_kind(struct mig_ev *ev, struct kube_client *k, const char *kind,
	  void (*seen)(struct mig_ev *, struct kube_client *, const char *,
		       json_object *))
{
	struct mtv_err e = { 0 };
	json_object *items = NULL;
	char *path = kube_path(kind, ev->tns, NULL),
	     *sel = xasprintf("migration=%s", ev->uid);
	size_t i;

	if (kube_list(k, path, sel, &items, &e) == 0)
		for (i = 0; i < jlen(items); i++)
			seen(ev, k, "ADDED",
			     json_object_array_get_idx(items, i));
	else
		log_debug("%s: %s", kind, e.msg);
	json_object_put(items);
	free(sel);
	free(path);
}

void
mig_ev_start(struct mig_ev *ev, const char *uid, const char *tns,
	     bool copyoffload)
{
	ev->uid = xstrdup(uid);
	ev->tns = xstrdup(tns);
	ev->copyoffload = copyoffload;
	if (!copyoffload || !*uid)
		return;
	watch_start(ev, &ev->pods_w, "Pod", "populate pods", pod_seen);
	watch_start(ev, &ev->crs_w, "VSphereXcopyVolumePopulator",
		    "populator CRs", cr_seen);
}

void
mig_ev_stop(struct mig_ev *ev)
{
	ev->stop = 1;
	if (ev->pods_w.running)
		pthread_join(ev->pods_w.tid, NULL);
	if (ev->crs_w.running)
		pthread_join(ev->crs_w.tid, NULL);
	ev->pods_w.running = ev->crs_w.running = false;
}

const char *
mig_ev_secret(struct mig_ev *ev)
{
	return ev->secret;
}

/* ---- the Plan status ---- */

static json_object *
pipeline_step_named(json_object *vm, const char *name)
{
	json_object *pl = jget(vm, "pipeline");
	size_t i;

	for (i = 0; i < jlen(pl); i++) {
		json_object *st = json_object_array_get_idx(pl, i);

		if (str_eq(jstr(st, "name"), name))
			return st;
	}
	return NULL;
}

/* What one Plan status shows: VMs whose DiskTransfer is Running (the
 * peak kept in *vms), DiskTransfer tasks Running (in *tasks: none
 * upstream, counted only to say so), and the ids of VMs with a Pending
 * condition (held by controller_max_vm_inflight, main only) added to
 * pending (may be NULL). */
MTV_STATIC void migrate_inflight(json_object *plan, int *tasks, int *vms,
				 json_object *pending);

MTV_STATIC void
migrate_inflight(json_object *plan, int *tasks, int *vms, json_object *pending)
{
	json_object *list =
	    jget(jget(jget(plan, "status"), "migration"), "vms");
	int nt = 0, nv = 0;
	size_t i, j;

	for (i = 0; i < jlen(list); i++) {
		json_object *vm = json_object_array_get_idx(list, i);
		json_object *dt = pipeline_step_named(vm, "DiskTransfer"),
			    *ts = jget(dt, "tasks"),
			    *cs = jget(vm, "conditions");
		const char *id = jstr(vm, "id") ? jstr(vm, "id")
						: jstr(vm, "name");

		for (j = 0; j < jlen(ts); j++)
			nt += str_eq(jstr(json_object_array_get_idx(ts, j),
					  "phase"), "Running");
		nv += dt && str_eq(jstr(dt, "phase"), "Running");
		for (j = 0; pending && id && j < jlen(cs); j++) {
			json_object *c = json_object_array_get_idx(cs, j);

			if (str_eq(jstr(c, "type"), "Pending") &&
			    !str_eq(jstr(c, "status"), "False") &&
			    !jarr_has(pending, id))
				jarr_adds(pending, id);
		}
	}
	if (nt > *tasks)
		*tasks = nt;
	if (nv > *vms)
		*vms = nv;
}

/* Per-disk copy progress of the Plan status (DiskTransfer tasks, MB),
 * and what the CRs' percentages need: the disks' sizes, the VMs' names. */
static void
plan_progress(struct mig_ev *ev, json_object *plan)
{
	json_object *list =
	    jget(jget(jget(plan, "status"), "migration"), "vms");
	size_t i, j;

	for (i = 0; i < jlen(list); i++) {
		json_object *vm = json_object_array_get_idx(list, i);
		json_object *ts = jget(pipeline_step_named(vm, "DiskTransfer"),
				       "tasks");
		const char *id = jstr(vm, "id");

		pthread_mutex_lock(&ev->lock);
		if (id && jstr(vm, "name"))
			jputs(ev->vmnames, id, jstr(vm, "name"));
		for (j = 0; j < jlen(ts); j++) {
			json_object *t = json_object_array_get_idx(ts, j);
			long long tot = jint(jget(t, "progress"), "total");

			if (jstr(t, "name") && tot > 0)
				jputi(ev->totals, jstr(t, "name"), tot);
		}
		pthread_mutex_unlock(&ev->lock);
		for (j = 0; j < jlen(ts); j++) {
			json_object *t = json_object_array_get_idx(ts, j),
				    *pg = jget(t, "progress");

			if (jstr(t, "name") && pg)
				show_progress(ev, id, jstr(t, "name"),
					      jint(pg, "completed") * MEV_MIB,
					      jint(pg, "total") * MEV_MIB);
		}
	}
}

void
mig_ev_plan(struct mig_ev *ev, struct kube_client *k, json_object *plan,
	    bool now)
{
	migrate_inflight(plan, &ev->peak_tasks, &ev->peak_vms, ev->pending);
	plan_progress(ev, plan);
	if (!ev->copyoffload || ev->uid == NULL || !*ev->uid)
		return;
	/* the watchers see every change; a thread that did not start
	 * leaves polling */
	if (ev->pods_w.running && ev->crs_w.running)
		return;
	if (!now && clock_ms() - ev->polled_ms < MEV_POLL_MS)
		return;
	ev->polled_ms = clock_ms();
	if (!ev->pods_w.running)
		poll_kind(ev, k, "Pod", pod_seen);
	if (!ev->crs_w.running)
		poll_kind(ev, k, "VSphereXcopyVolumePopulator", cr_seen);
}

/* ---- the record ---- */

static bool
same_disk(json_object *rec, json_object *e)
{
	return str_eq(jstr(rec, "disk"), jstr(e, "disk")) &&
	       (jstr(rec, "vm") == NULL || str_eq(jstr(rec, "vm"),
						  jstr(e, "vm")));
}

/* Fill e's xcopyUsed (and clone method) from the first record of recs
 * about its disk that has one; true when it did. */
static bool
fill_from(json_object *e, json_object *recs, const char *source)
{
	json_object_object_foreach(recs, name, rec) {
		(void)name;
		if (!same_disk(rec, e) || jget(rec, "xcopyUsed") == NULL)
			continue;
		jputi(e, "xcopyUsed", jint(rec, "xcopyUsed"));
		if (!jget(e, "cloneMethod") && jstr(rec, "cloneMethod"))
			jputs(e, "cloneMethod", jstr(rec, "cloneMethod"));
		jputs(e, "source", source);
		return true;
	}
	return false;
}

/* A disk the Plan status does not list but a pod or CR told about. */
static void
add_untasked(json_object *x, json_object *recs, const char *source)
{
	size_t i;

	json_object_object_foreach(recs, name, rec) {
		json_object *e;
		bool have = false;

		(void)name;
		for (i = 0; i < jlen(x); i++)
			have |= same_disk(rec, json_object_array_get_idx(x, i));
		if (have || jstr(rec, "disk") == NULL ||
		    jget(rec, "xcopyUsed") == NULL)
			continue;
		e = json_object_new_object();
		jputs(e, "vm", jstr(rec, "vm"));
		jputs(e, "disk", jstr(rec, "disk"));
		jputi(e, "xcopyUsed", jint(rec, "xcopyUsed"));
		jputs(e, "cloneMethod", jstr(rec, "cloneMethod"));
		jputs(e, "source", source);
		json_object_array_add(x, e);
	}
}

/* Per-disk evidence: the task annotations, else the completed CRs, else
 * the pods' last log value; "source" says which, null: none. */
MTV_STATIC json_object *mev_xcopy(json_object *plan, json_object *crs,
				  json_object *pods);

MTV_STATIC json_object *
mev_xcopy(json_object *plan, json_object *crs, json_object *pods)
{
	json_object *x = cl_xcopy_from_status(plan);
	size_t i;

	for (i = 0; i < jlen(x); i++) {
		json_object *e = json_object_array_get_idx(x, i);

		if (jget(e, "xcopyUsed"))
			jputs(e, "source", "task annotation");
		else if (!fill_from(e, crs, "populator CR status") &&
			 !fill_from(e, pods, "populate pod log"))
			jput(e, "source", NULL);
	}
	add_untasked(x, crs, "populator CR status");
	add_untasked(x, pods, "populate pod log");
	return x;
}

static json_object *
inflight_record(struct mig_ev *ev)
{
	json_object *in = json_object_new_object();
	bool pods = json_object_object_length(ev->pods) > 0;
	const char *from = pods ? "populate pods" :
			   ev->peak_crs ? "populator CRs" : NULL;

	/* the in-flight copies upstream shows: never its task phases */
	jputi(in, "peak_populators", pods ? ev->peak_pods : ev->peak_crs);
	jputs(in, "populator_evidence", from);
	jput(in, "populators_by_host", json_object_get(ev->peaks));
	jputi(in, "peak_vms", pods ? ev->peak_pod_vms : ev->peak_vms);
	jputs(in, "vm_evidence", pods ? "populate pods" : "Plan status");
	jputi(in, "running_tasks", ev->peak_tasks);
	jput(in, "pending_vms", json_object_get(ev->pending));
	if (ev->watch_error)
		jputs(in, "watch_error", ev->watch_error);
	return in;
}

void
mig_ev_record(struct mig_ev *ev, json_object *st, json_object *plan)
{
	pthread_mutex_lock(&ev->lock);
	jput(st, "xcopy", mev_xcopy(plan, ev->crs, ev->pods));
	jput(st, "inflight", inflight_record(ev));
	pthread_mutex_unlock(&ev->lock);
}
