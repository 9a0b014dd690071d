package main

// The Forklift model: a controller running inside mtv-lab against the lab's
// object store. It reconciles Providers, Maps, Plans and Migrations the way
// Forklift does (see ../shared/reference/forklift-api.md) and simulates the
// copy-offload populator and KubeVirt.
//
// control_url endpoints (JSON):
//   GET/POST /forklift/rates      {"xcopy_mib_s","fallback_mib_s","vddk_mib_s","conversion_s",
//                                  "precopy_interval_s","pvc_pending_timeout_s","power_off_s",
//                                  "vddk_validate_s"}
//   POST /forklift/fail-next      {"kind":"disk-copy","message":"..."}: the next disk copy fails half-way;
//                                 "guest-agent-down", "mac-change", "no-boot": the next migrated VM's
//                                 agent never connects / first NIC gets a new MAC / VMI never runs
//                                 {"kind":"corrupt-copy"[,"vm":NAME]}: the next VM's (or VM NAME's)
//                                 first disk is copied with bytes flipped;
//                                 {"kind":"stale-snapshot-copy"[,"vm":NAME]}: it is copied without
//                                 its snapshot deltas (forklift_bytes.go)
//   POST /forklift/ignore-settings {"keys":["controller_max_populator_inflight",...]}: the model acts
//                                 as if these ForkliftController spec keys were unset (an operator
//                                 that does not roll a knob out); [] honours them all again
//   POST /forklift/reset          default rates, no armed faults, every setting honoured
//   GET  /forklift/stats          runs in flight, disk_xcopy/disk_fallback/disk_failed, vm_succeeded/vm_failed
//   GET  /forklift/history        ForkliftController knob changes and Migration run spans
//                                 (forklift_history.go); POST /forklift/history/reset
//   GET  /forklift/ssh-key-line?namespace=NS&provider=NAME
//                                 {"line": restricted authorized_keys line, "legacy_line": old .py format}
//
// Where the lab decides what the reference leaves open: a storage secret
// missing from the provider namespace fails the VM in CreateDataVolumes
// ("failed to get storage secret ..."); vendor keys missing, or for the ssh
// clone method a missing/legacy key line, fail the populate pod (as the
// populator does) instead of falling back; a storage class whose CDI
// StorageProfile lacks the PVC's volume/access mode leaves the PVC Pending
// (ProvisioningFailed events) and fails the VM after pvc_pending_timeout_s.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25"
)

func init() { kubeControllers = append(kubeControllers, startForklift) }

const fkGroup = kbFK

// Resources the model uses; the API server's own names where it has them.
var (
	fkProviders   = GVR{fkGroup, "v1beta1", "providers"}
	fkNetMaps     = GVR{fkGroup, "v1beta1", "networkmaps"}
	fkStorMaps    = GVR{fkGroup, "v1beta1", "storagemaps"}
	fkPlans       = GVR{fkGroup, "v1beta1", "plans"}
	fkMigrations  = GVR{fkGroup, "v1beta1", "migrations"}
	fkHooks       = GVR{fkGroup, "v1beta1", "hooks"}
	fkPopulators  = GVR{fkGroup, "v1beta1", "vspherexcopyvolumepopulators"}
	fkControllers = kbGVRForkliftCtl
	fkSecrets     = kbGVRSecrets
	fkPods        = kbGVRPods
	fkNamespaces  = kbGVRNamespaces
	fkSAs         = kbGVRServiceAccounts
	fkSCs         = kbGVRStorageClasses
	fkPVCs        = GVR{"", "v1", "persistentvolumeclaims"}
	fkPVs         = GVR{"", "v1", "persistentvolumes"}
	fkKVMs        = GVR{"kubevirt.io", "v1", "virtualmachines"}
	fkDVs         = GVR{"cdi.kubevirt.io", "v1beta1", "datavolumes"}
)

// Condition categories.
const (
	fkRequired = "Required"
	fkAdvisory = "Advisory"
	fkCritical = "Critical"
	fkError    = "Error"
	fkWarn     = "Warn"
)

// fkCond is one Forklift condition (present only when true).
type fkCond struct {
	Type, Reason, Category, Message, Suggestion string
	Items                                       []string
	Durable                                     bool
}

func (c fkCond) obj(ltt string) Obj {
	o := Obj{"type": c.Type, "status": "True", "category": c.Category, "message": c.Message,
		"lastTransitionTime": ltt}
	if c.Reason != "" {
		o["reason"] = c.Reason
	}
	if c.Suggestion != "" {
		o["suggestion"] = c.Suggestion
	}
	if len(c.Items) > 0 {
		items := make([]interface{}, len(c.Items))
		for i, s := range c.Items {
			items[i] = s
		}
		o["items"] = items
	}
	if c.Durable {
		o["durable"] = true
	}
	return o
}

func fkBlocker(cs []fkCond) bool {
	for _, c := range cs {
		if c.Category == fkCritical || c.Category == fkError {
			return true
		}
	}
	return false
}

func fkHasCond(cs []fkCond, typ string) bool {
	for _, c := range cs {
		if c.Type == typ {
			return true
		}
	}
	return false
}

// fkForklift is the controller state.
type fkForklift struct {
	l *Lab
	s *Store

	mu        sync.Mutex
	dirty     bool
	wake      chan struct{}
	stop      chan struct{}
	wg        sync.WaitGroup
	vcs       map[string]*fkVC     // provider uid -> client
	runs      map[string]*fkRun    // migration uid -> runner
	sshSeen   string               // authorized_keys mtime/size signature
	sshCache  map[string]bool      // SSH connectivity test results (see sshTest)
	sshLast   map[string]bool      // last result per host address and key
	sshBusy   map[string]bool      // probes running
	keys      map[string][2]string // provider uid -> cached ssh key pair
	authRV    map[string]string    // provider uid -> secret rv that failed auth
	rates     fkRates
	faults    []fkFault
	counts    map[string]int        // xcopy/fallback/failed disk counts
	slotFreed chan struct{}         // closed and replaced when a VM or a populate pod changes
	ignored   map[string]bool       // ForkliftController keys not honoured (control_url)
	schedMu   sync.Mutex            // one scheduler decision at a time (the controller's queue)
	popMu     sync.Mutex            // one populator decision at a time (its work queue)
	vddkJobs  map[string]*fkVddkJob // VDDK image validation per plan uid/image md5
}

// mtv is the release the model behaves as (the default one without a Lab).
func (f *fkForklift) mtv() *MTVRelease {
	if f.l != nil && f.l.MTV != nil {
		return f.l.MTV
	}
	return mtvReleases[mtvDefaultRelease]
}

// fkRates holds the simulated durations, settable through control_url.
type fkRates struct {
	XcopyMiBs     float64 `json:"xcopy_mib_s"`
	FallbackMiBs  float64 `json:"fallback_mib_s"`
	VddkMiBs      float64 `json:"vddk_mib_s"`
	ConversionS   float64 `json:"conversion_s"`
	PrecopyS      float64 `json:"precopy_interval_s"`
	PVCPendingS   float64 `json:"pvc_pending_timeout_s"`
	PowerOffS     float64 `json:"power_off_s"`
	VddkValidateS float64 `json:"vddk_validate_s"` // how long the VDDK image validation Job runs
}

// fkDefaultRates: 2 TiB copies in half a second by XCOPY, two by fallback.
var fkDefaultRates = fkRates{XcopyMiBs: 4 << 20, FallbackMiBs: 1 << 20, VddkMiBs: 1 << 20,
	ConversionS: 0.2, PrecopyS: 1, PVCPendingS: 2, PowerOffS: 0, VddkValidateS: 0.2}

// fkFaultKinds: what POST /forklift/fail-next arms. disk-copy fails the
// next disk copy; the others mark the next VirtualMachine the model
// creates (forklift_kubevirt.go, kubevirt.go): guest-agent-down (its
// agent never connects), mac-change (its first interface gets another
// MAC than the source NIC), no-boot (its VMI never reaches Running).
var fkFaultKinds = map[string]bool{"disk-copy": true, "guest-agent-down": true, "mac-change": true, "no-boot": true}

// fkFault is a one-shot failure armed through POST /forklift/fail-next.
type fkFault struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	VM      string `json:"vm,omitempty"` // bytes faults: only this source VM (name)
}

func startForklift(l *Lab, s *Store) func() {
	f := &fkForklift{l: l, s: s, wake: make(chan struct{}, 1), stop: make(chan struct{}),
		vcs: map[string]*fkVC{}, runs: map[string]*fkRun{}, keys: map[string][2]string{},
		authRV: map[string]string{}, rates: fkDefaultRates, counts: map[string]int{},
		slotFreed: make(chan struct{})}
	s.AddAdmission(f.admit)
	s.Watch(f.onEvent)
	if l.Control != nil {
		l.Control.HandleFunc("/forklift/", f.serveControl)
	}
	f.ensureHostProvider()
	f.wg.Add(2)
	go f.loop()
	go f.poll()
	f.kick()
	return func() {
		start := time.Now()
		defer func() { f.logf("stopped in %v", time.Since(start).Round(time.Millisecond)) }()
		close(f.stop)
		f.mu.Lock()
		runs := make([]*fkRun, 0, len(f.runs))
		for _, r := range f.runs {
			runs = append(runs, r)
		}
		f.mu.Unlock()
		for _, r := range runs {
			r.cancel()
		}
		f.wg.Wait()
	}
}

func (f *fkForklift) logf(format string, args ...interface{}) {
	if f.l != nil && f.l.Logf != nil {
		f.l.Logf("forklift: "+format, args...)
	}
}

func (f *fkForklift) kick() {
	f.mu.Lock()
	f.dirty = true
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// onEvent decides which store changes the controllers care about.
// A running Migration only needs its runner woken; the runner's own status
// writes on its Plan need no reconcile (the periodic resync covers them).
func (f *fkForklift) onEvent(ev string, gvr GVR, o Obj) {
	if ev == "DELETED" && (gvr == fkPVCs || gvr == fkNamespaces) {
		f.pvcBytesGone(gvr, o) // forklift_bytes.go
	}
	switch gvr {
	case fkMigrations:
		f.mu.Lock()
		r := f.runs[fkUID(o)]
		f.mu.Unlock()
		if r == nil {
			f.kick()
		} else if ev == "DELETED" {
			r.cancel()
		} else {
			r.poke()
		}
	case fkPlans:
		var planRuns []*fkRun
		f.mu.Lock()
		for _, r := range f.runs {
			if r.planUID == fkUID(o) {
				planRuns = append(planRuns, r)
			}
		}
		f.mu.Unlock()
		for _, r := range planRuns {
			if ev == "DELETED" {
				r.cancel()
			}
		}
		if len(planRuns) == 0 || ev != "MODIFIED" {
			f.kick()
		}
	case fkProviders:
		if ev == "DELETED" {
			f.dropClient(fkUID(o))
			f.mu.Lock()
			delete(f.authRV, fkUID(o))
			f.mu.Unlock()
		}
		f.kick()
	case fkControllers:
		fkHist.controller(ev, o)
		f.kick()
	case fkNetMaps, fkStorMaps, fkHooks, fkSCs, fkKVMs, fkNamespaces:
		f.kick()
	case fkSecrets:
		labels := fkLabels(o)
		if labels["migration"] != "" || labels["app.kubernetes.io/component"] == "ssh-keys" {
			return
		}
		f.kick()
	}
}

// ensureHostProvider creates the destination provider "host" in the
// operator namespace, as the operator does on a real cluster.
func (f *fkForklift) ensureHostProvider() {
	const ns = "openshift-mtv"
	if _, err := f.s.Get(fkNamespaces, "", ns); err != nil {
		return
	}
	_, err := f.s.Create(fkProviders, ns, Obj{"apiVersion": fkGroup + "/v1beta1", "kind": "Provider",
		"metadata": Obj{"name": "host", "namespace": ns},
		"spec":     Obj{"type": "openshift", "url": "", "secret": Obj{}}})
	if err != nil && !IsStatus(err, 409) {
		f.logf("host provider: %v", err)
	}
}

func (f *fkForklift) loop() {
	defer f.wg.Done()
	resync := time.NewTicker(2 * time.Second)
	defer resync.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-f.wake:
		case <-resync.C:
			f.mu.Lock()
			f.dirty = true
			f.mu.Unlock()
		}
		for i := 0; i < 5; i++ {
			f.mu.Lock()
			d := f.dirty
			f.dirty = false
			f.mu.Unlock()
			if !d {
				break
			}
			f.reconcileAll()
		}
	}
}

// poll watches the ESXi authorized_keys file (the controller's periodic
// SSH check) at 100 ms.
func (f *fkForklift) poll() {
	defer f.wg.Done()
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-f.stop:
			return
		case <-t.C:
		}
		sig := ""
		if f.l != nil && f.l.ESXi.AuthorizedKeys != "" {
			if st, err := os.Stat(f.l.ESXi.AuthorizedKeys); err == nil {
				sig = fmt.Sprintf("%d/%d", st.ModTime().UnixNano(), st.Size())
			}
		}
		f.mu.Lock()
		changed := sig != f.sshSeen
		f.sshSeen = sig
		f.mu.Unlock()
		if changed {
			f.kick()
		}
	}
}

// rolloutSettings plays the operator: the in-flight knobs of the
// ForkliftController become env of the Deployments that read them (default
// 20), which then report every replica updated and available.
func (f *fkForklift) rolloutSettings() {
	fcs, _ := f.s.List(fkControllers, "", "")
	for _, fc := range fcs {
		ns := fkMetaStr(fc, "namespace")
		for _, k := range [][3]string{{"controller_max_vm_inflight", "forklift-controller", "MAX_VM_INFLIGHT"},
			{"controller_max_populator_inflight", "forklift-volume-populator-controller", "MAX_POPULATOR_INFLIGHT"}} {
			want := fkStr(fc, "spec", k[0])
			if want == "" {
				want = "20"
			}
			changed := false
			_, err := f.s.Mutate(kbGVRDeployments, ns, k[1], func(o Obj) error {
				changed = false
				for _, c := range fkSlice(o, "spec", "template", "spec", "containers") {
					cm, _ := c.(map[string]interface{})
					for _, e := range fkSlice(cm, "env") {
						if em, ok := e.(map[string]interface{}); ok && fkStr(em, "name") == k[2] && fkStr(em, "value") != want {
							em["value"] = want
							changed = true
						}
					}
				}
				if !changed {
					return errUnchanged
				}
				return nil
			}, false)
			if err == nil && changed {
				_, _ = f.s.Mutate(kbGVRDeployments, ns, k[1], func(o Obj) error {
					fkSet(o, Obj{"replicas": 1, "updatedReplicas": 1, "availableReplicas": 1, "readyReplicas": 1}, "status")
					return nil
				}, true)
			}
		}
	}
}

var errUnchanged = fmt.Errorf("unchanged")

func (f *fkForklift) reconcileAll() {
	defer func() {
		if r := recover(); r != nil {
			f.logf("reconcile panic: %v", r)
		}
	}()
	f.rolloutSettings()
	for _, gvr := range []GVR{fkProviders, fkStorMaps, fkNetMaps, fkPlans, fkMigrations} {
		objs, err := f.s.List(gvr, "", "")
		if err != nil {
			continue
		}
		sort.Slice(objs, func(i, j int) bool { return fkName(objs[i]) < fkName(objs[j]) })
		for _, o := range objs {
			if fkMetaStr(o, "deletionTimestamp") != "" {
				continue
			}
			switch gvr {
			case fkProviders:
				f.reconcileProvider(o)
			case fkStorMaps:
				f.reconcileStorageMap(o)
			case fkNetMaps:
				f.reconcileNetworkMap(o)
			case fkPlans:
				f.reconcilePlan(o)
			case fkMigrations:
				f.reconcileMigration(o)
			}
		}
	}
}

// ---- object helpers ----

func fkGet(o Obj, path ...string) interface{} {
	var cur interface{} = o
	for _, p := range path {
		m, ok := cur.(map[string]interface{})
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func fkStr(o Obj, path ...string) string {
	switch v := fkGet(o, path...).(type) {
	case string:
		return v
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

func fkBool(o Obj, path ...string) (bool, bool) {
	switch v := fkGet(o, path...).(type) {
	case bool:
		return v, true
	case string:
		return v == "true", v != ""
	}
	return false, false
}

func fkMap(o Obj, path ...string) Obj {
	m, _ := fkGet(o, path...).(map[string]interface{})
	return m
}

func fkSlice(o Obj, path ...string) []interface{} {
	s, _ := fkGet(o, path...).([]interface{})
	return s
}

func fkSet(o Obj, v interface{}, path ...string) {
	cur := o
	for _, p := range path[:len(path)-1] {
		next, ok := cur[p].(map[string]interface{})
		if !ok {
			next = Obj{}
			cur[p] = next
		}
		cur = next
	}
	cur[path[len(path)-1]] = v
}

func fkName(o Obj) string              { return fkStr(o, "metadata", "name") }
func fkNS(o Obj) string                { return fkStr(o, "metadata", "namespace") }
func fkUID(o Obj) string               { return fkStr(o, "metadata", "uid") }
func fkMetaStr(o Obj, k string) string { return fkStr(o, "metadata", k) }
func fkGeneration(o Obj) float64 {
	g, _ := fkGet(o, "metadata", "generation").(float64)
	return g
}

func fkLabels(o Obj) map[string]string {
	out := map[string]string{}
	for k, v := range fkMap(o, "metadata", "labels") {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func fkNotFound(err error) bool { return IsStatus(err, 404) }

// fkSecretData decodes a secret's data (and stringData, if any).
func fkSecretData(o Obj) map[string]string {
	out := map[string]string{}
	for k, v := range fkMap(o, "data") {
		if s, ok := v.(string); ok {
			if b, err := base64.StdEncoding.DecodeString(s); err == nil {
				out[k] = string(b)
			}
		}
	}
	for k, v := range fkMap(o, "stringData") {
		if s, ok := v.(string); ok {
			out[k] = s
		}
	}
	return out
}

func fkEncodeData(m map[string]string) Obj {
	out := Obj{}
	for k, v := range m {
		out[k] = base64.StdEncoding.EncodeToString([]byte(v))
	}
	return out
}

func fkNow() string { return time.Now().UTC().Format(time.RFC3339) }

func fkOwnerRef(o Obj, controller bool) Obj {
	ref := Obj{"apiVersion": o["apiVersion"], "kind": o["kind"], "name": fkName(o), "uid": fkUID(o)}
	if controller {
		ref["controller"] = true
		ref["blockOwnerDeletion"] = true
	}
	return ref
}

// fkRefString renders a VM reference the way Forklift lists condition items.
func fkRefString(id, name string) string {
	s := " "
	if id != "" {
		s += "id:" + id + " "
	}
	if name != "" {
		s += "name:'" + name + "' "
	}
	return s
}

// writeConditions replaces the conditions of an object's status, keeping
// those whose type keep() accepts (owned by another writer), and emits an
// Event per added or changed condition. extra sets other status fields.
// It writes only on change, and reads the kept ones fresh under Mutate.
func (f *fkForklift) writeConditions(gvr GVR, o Obj, conds []fkCond, keep func(string) bool, extra func(st Obj)) {
	if keep == nil {
		keep = func(string) bool { return false }
	}
	oldBy := map[string]Obj{}
	for _, c := range fkSlice(o, "status", "conditions") {
		if m, ok := c.(map[string]interface{}); ok {
			oldBy[fkStr(m, "type")] = m
		}
	}
	var mine []interface{}
	var added []fkCond
	now := fkNow()
	seen := map[string]bool{}
	for _, c := range conds {
		if seen[c.Type] || keep(c.Type) {
			continue
		}
		seen[c.Type] = true
		ltt := now
		if prev := oldBy[c.Type]; prev != nil {
			ltt = fkStr(prev, "lastTransitionTime")
			if fkStr(prev, "message") != c.Message || fkStr(prev, "category") != c.Category {
				added = append(added, c)
			}
		} else {
			added = append(added, c)
		}
		mine = append(mine, c.obj(ltt))
	}
	apply := func(st Obj) {
		var list []interface{}
		list = append(list, mine...)
		for _, c := range fkSlice(st, "conditions") {
			if m, _ := c.(map[string]interface{}); m != nil && keep(fkStr(m, "type")) {
				list = append(list, m)
			}
		}
		if list == nil {
			delete(st, "conditions")
		} else {
			st["conditions"] = list
		}
		st["observedGeneration"] = fkGeneration(o)
		if extra != nil {
			extra(st)
		}
	}
	probe := Obj{}
	for k, v := range fkMap(o, "status") {
		probe[k] = v
	}
	apply(probe)
	if reflect.DeepEqual(fkNormalize(probe), fkNormalize(fkMap(o, "status"))) {
		return
	}
	_, err := f.s.Mutate(gvr, fkNS(o), fkName(o), func(cur Obj) error {
		st := fkMap(cur, "status")
		if st == nil {
			st = Obj{}
		}
		apply(st)
		cur["status"] = st
		return nil
	}, true)
	if err != nil {
		if !fkNotFound(err) {
			f.logf("status of %s %s/%s: %v", gvr.Resource, fkNS(o), fkName(o), err)
		}
		return
	}
	for _, c := range added {
		f.event(o, c)
	}
}

// event records a condition as an Event on the object.
func (f *fkForklift) event(o Obj, c fkCond) {
	typ := "Normal"
	if c.Category == fkCritical || c.Category == fkError || c.Category == fkWarn {
		typ = "Warning"
	}
	f.s.Event(fkNS(o), o, typ, c.Type, c.Message)
}

// fkNormalize round-trips a value through JSON so comparisons see what
// the store keeps.
func fkNormalize(v interface{}) Obj {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out Obj
	_ = json.Unmarshal(b, &out)
	return out
}

// fkConditions reads the conditions of an object's status.
func fkConditions(o Obj) map[string]Obj {
	out := map[string]Obj{}
	for _, c := range fkSlice(o, "status", "conditions") {
		if m, ok := c.(map[string]interface{}); ok && fkStr(m, "status") == "True" {
			out[fkStr(m, "type")] = m
		}
	}
	return out
}

func fkIsReady(o Obj) bool {
	_, ok := fkConditions(o)["Ready"]
	return ok
}

// ---- control_url ----

func (f *fkForklift) serveControl(w http.ResponseWriter, r *http.Request) {
	reply := func(code int, v interface{}) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(v)
	}
	switch strings.TrimPrefix(r.URL.Path, "/forklift/") {
	case "rates":
		if r.Method == http.MethodPost {
			f.mu.Lock()
			nr := f.rates
			f.mu.Unlock()
			if err := json.NewDecoder(r.Body).Decode(&nr); err != nil {
				reply(400, map[string]string{"error": err.Error()})
				return
			}
			if nr.XcopyMiBs <= 0 || nr.FallbackMiBs <= 0 || nr.VddkMiBs <= 0 {
				reply(400, map[string]string{"error": "rates must be positive"})
				return
			}
			f.mu.Lock()
			f.rates = nr
			f.mu.Unlock()
		}
		f.mu.Lock()
		cur := f.rates
		f.mu.Unlock()
		reply(200, cur)
	case "fail-next":
		if r.Method != http.MethodPost {
			reply(405, map[string]string{"error": "POST only"})
			return
		}
		var ft fkFault
		if err := json.NewDecoder(r.Body).Decode(&ft); err != nil || !(fkFaultKinds[ft.Kind] || fkFaultKind(ft.Kind)) {
			reply(400, map[string]string{"error": `body must be {"kind":"disk-copy|corrupt-copy|stale-snapshot-copy|guest-agent-down|mac-change|no-boot","message":"..."}`})
			return
		}
		if ft.Message == "" {
			ft.Message = "clone task failed: simulated storage error"
		}
		f.mu.Lock()
		f.faults = append(f.faults, ft)
		n := len(f.faults)
		f.mu.Unlock()
		reply(200, map[string]interface{}{"armed": n})
	case "ignore-settings":
		var body struct {
			Keys []string `json:"keys"`
		}
		if r.Method != http.MethodPost {
			reply(405, map[string]string{"error": "POST only"})
			return
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			reply(400, map[string]string{"error": `body must be {"keys":["controller_..."]}`})
			return
		}
		f.mu.Lock()
		f.ignored = map[string]bool{}
		for _, k := range body.Keys {
			f.ignored[k] = true
		}
		f.mu.Unlock()
		reply(200, map[string]interface{}{"ignored": body.Keys})
	case "reset":
		f.mu.Lock()
		f.rates = fkDefaultRates
		f.faults = nil
		f.ignored = nil
		f.mu.Unlock()
		reply(200, map[string]string{"status": "ok"})
	case "stats":
		f.mu.Lock()
		out := map[string]interface{}{"runs": len(f.runs)}
		for k, v := range f.counts {
			out[k] = v
		}
		f.mu.Unlock()
		reply(200, out)
	case "history":
		reply(200, fkHist.snapshot())
	case "history/reset":
		if r.Method != http.MethodPost {
			reply(405, map[string]string{"error": "POST only"})
			return
		}
		fkHist.reset()
		reply(200, map[string]string{"status": "ok"})
	case "ssh-key-line":
		ns, name := r.URL.Query().Get("namespace"), r.URL.Query().Get("provider")
		p, err := f.s.Get(fkProviders, ns, name)
		if err != nil {
			reply(404, map[string]string{"error": "provider not found"})
			return
		}
		pub := f.publicKey(p)
		if pub == "" {
			reply(404, map[string]string{"error": "provider has no SSH keys yet"})
			return
		}
		reply(200, map[string]string{"line": fkRestrictedKeyLine(pub), "legacy_line": fkLegacyKeyLine(pub, "datastore1")})
	default:
		reply(404, map[string]string{"error": "unknown forklift control endpoint"})
	}
}

// fkFaultKind: the kinds fail-next arms.
func fkFaultKind(k string) bool {
	if k == "disk-copy" {
		return true
	}
	for _, b := range fkBytesFaults {
		if k == b {
			return true
		}
	}
	return false
}

// takeFault pops an armed fault of the given kind.
func (f *fkForklift) takeFault(kind string) *fkFault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.faults {
		if ft.Kind == kind {
			f.faults = append(f.faults[:i], f.faults[i+1:]...)
			return &ft
		}
	}
	return nil
}

// takeFaultOf pops the earliest armed fault of any of the kinds.
func (f *fkForklift) takeFaultOf(kinds ...string) *fkFault {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.faults {
		for _, k := range kinds {
			if ft.Kind == k {
				f.faults = append(f.faults[:i], f.faults[i+1:]...)
				return &ft
			}
		}
	}
	return nil
}

func (f *fkForklift) getRates() fkRates {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.rates
}

func (f *fkForklift) count(k string) {
	f.mu.Lock()
	f.counts[k]++
	f.mu.Unlock()
}

// client returns the cached vSphere client of a Ready provider.
func (f *fkForklift) client(p Obj) *fkVC {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.vcs[fkUID(p)]
}

// inventory returns a fresh-enough inventory of a provider (200 ms cache).
func (f *fkForklift) inventory(p Obj) (*fkInventory, *vim25.Client, error) {
	vc := f.client(p)
	if vc == nil {
		return nil, nil, fmt.Errorf("provider %s/%s is not connected", fkNS(p), fkName(p))
	}
	vc.mu.Lock()
	defer vc.mu.Unlock()
	if vc.inv != nil && time.Since(vc.inv.at) < 200*time.Millisecond {
		return vc.inv, vc.client, nil
	}
	inv, err := fkLoadInventory(fkCtx(), vc.client, f.l)
	if err != nil {
		return nil, nil, err
	}
	vc.inv = inv
	return inv, vc.client, nil
}

// invalidate drops the cached inventory (after power or snapshot changes).
func (f *fkForklift) invalidate(p Obj) {
	if vc := f.client(p); vc != nil {
		vc.mu.Lock()
		vc.inv = nil
		vc.mu.Unlock()
	}
}
