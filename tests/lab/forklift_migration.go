package main

// Migration model: the Migration controller and one runner per running
// Migration walking every VM through Forklift's itinerary.

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/vim25"
)

// Status shapes of plan.status.migration.vms[] (JSON as Forklift writes it).
type fkProg struct {
	Completed int64 `json:"completed"`
	Total     int64 `json:"total"`
}

type fkErr struct {
	Phase   string   `json:"phase"`
	Reasons []string `json:"reasons"`
}

type fkTaskSt struct {
	Name        string            `json:"name"`
	Phase       string            `json:"phase,omitempty"`
	Reason      string            `json:"reason,omitempty"`
	Progress    fkProg            `json:"progress"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Started     string            `json:"started,omitempty"`
	Completed   string            `json:"completed,omitempty"`
	Error       *fkErr            `json:"error,omitempty"`
}

type fkStepSt struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Phase       string            `json:"phase"`
	Progress    fkProg            `json:"progress"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Tasks       []*fkTaskSt       `json:"tasks,omitempty"`
	Started     string            `json:"started,omitempty"`
	Completed   string            `json:"completed,omitempty"`
	Error       *fkErr            `json:"error,omitempty"`
}

type fkPrecopy struct {
	Start    string `json:"start"`
	End      string `json:"end,omitempty"`
	Snapshot string `json:"snapshot,omitempty"`
}

type fkWarmSt struct {
	Successes           int         `json:"successes"`
	Failures            int         `json:"failures"`
	ConsecutiveFailures int         `json:"consecutiveFailures"`
	NextPrecopyAt       string      `json:"nextPrecopyAt,omitempty"`
	Precopies           []fkPrecopy `json:"precopies,omitempty"`
}

type fkVMSt struct {
	ID                string      `json:"id"`
	Name              string      `json:"name"`
	Phase             string      `json:"phase"`
	Started           string      `json:"started,omitempty"`
	Completed         string      `json:"completed,omitempty"`
	NewName           string      `json:"newName,omitempty"`
	RestorePowerState string      `json:"restorePowerState,omitempty"`
	OperatingSystem   string      `json:"operatingSystem,omitempty"`
	Firmware          string      `json:"firmware,omitempty"`
	TargetName        string      `json:"targetName,omitempty"`
	Error             *fkErr      `json:"error,omitempty"`
	Warm              *fkWarmSt   `json:"warm,omitempty"`
	Conditions        []Obj       `json:"conditions,omitempty"`
	Pipeline          []*fkStepSt `json:"pipeline"`
}

// fkRun is one running Migration.
type fkRun struct {
	f                         *fkForklift
	migNS, migName, migUID    string
	planNS, planName, planUID string
	plan, src, smap, nmap     Obj
	vc                        *vim25.Client
	inv                       *fkInventory
	started                   string

	mu      sync.Mutex
	vms     []*fkVMRun
	changed chan struct{} // closed and replaced on every poke
	stopped bool
	done    chan struct{}
}

// fkVMRun is one VM of a running Migration.
type fkVMRun struct {
	st       *fkVMSt
	vm       *fkVM
	spec     Obj
	skip     bool // already migrated by an earlier Migration
	pvcs     []string
	baseSec  string
	canceled bool
	started  bool   // admitted by the scheduler
	done     bool   // runVM returned
	target   string // target VM name, chosen when the VM starts

	// the bytes faults of this run by disk key (forklift_bytes.go)
	faults map[int32]string
}

func (r *fkRun) cancel() {
	r.mu.Lock()
	if !r.stopped {
		r.stopped = true
		close(r.changed)
		r.changed = make(chan struct{})
	}
	r.mu.Unlock()
}

// poke wakes every wait of the runner (the Migration changed).
func (r *fkRun) poke() {
	r.mu.Lock()
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
}

func (r *fkRun) isStopped() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stopped
}

// wait sleeps d, returning early (false) when the runner stops; pokes
// re-check the condition cond (true ends the wait early too).
func (r *fkRun) wait(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for i := 0; i < 100000; i++ {
		if r.isStopped() {
			return false
		}
		if cond != nil && cond() {
			return true
		}
		left := time.Until(deadline)
		if left <= 0 {
			return true
		}
		r.mu.Lock()
		ch := r.changed
		r.mu.Unlock()
		t := time.NewTimer(left)
		select {
		case <-ch:
		case <-t.C:
		case <-r.f.stop:
			t.Stop()
			return false
		}
		t.Stop()
	}
	return true
}

// reconcileMigration starts a runner for a Migration whose Plan is Ready.
func (f *fkForklift) reconcileMigration(m Obj) {
	uid := fkUID(m)
	if fkStr(m, "status", "completed") != "" {
		return
	}
	f.mu.Lock()
	run := f.runs[uid]
	f.mu.Unlock()
	if run != nil {
		run.poke()
		return
	}
	if _, done := fkConditions(m)["Succeeded"]; done {
		return
	}
	ns, name := fkStr(m, "spec", "plan", "namespace"), fkStr(m, "spec", "plan", "name")
	if ns == "" {
		ns = fkNS(m)
	}
	plan, err := f.s.Get(fkPlans, ns, name)
	if err != nil || name == "" {
		reason := "NotFound"
		if name == "" {
			reason = "NotSet"
		}
		f.writeConditions(fkMigrations, m, []fkCond{{Type: "PlanNotValid", Reason: reason, Category: fkCritical,
			Message: "The `plan` is not valid."}}, nil, nil)
		return
	}
	if !fkIsReady(plan) {
		f.writeConditions(fkMigrations, m, []fkCond{{Type: "PlanNotReady", Reason: "NotReady", Category: fkCritical,
			Message: "The migration plan is not ready."}}, nil, nil)
		return
	}
	f.mu.Lock()
	for _, r := range f.runs {
		if r.planUID == fkUID(plan) {
			f.mu.Unlock()
			return // one Migration at a time per Plan; this one waits
		}
	}
	f.mu.Unlock()
	src, err := f.s.Get(fkProviders, fkStr(plan, "spec", "provider", "source", "namespace"), fkStr(plan, "spec", "provider", "source", "name"))
	if err != nil {
		return
	}
	smap, _ := f.s.Get(fkStorMaps, fkStr(plan, "spec", "map", "storage", "namespace"), fkStr(plan, "spec", "map", "storage", "name"))
	nmap, _ := f.s.Get(fkNetMaps, fkStr(plan, "spec", "map", "network", "namespace"), fkStr(plan, "spec", "map", "network", "name"))
	inv, vc, err := f.inventory(src)
	if err != nil {
		f.logf("migration %s/%s: %v", fkNS(m), fkName(m), err)
		return
	}
	// The Plan owns its Migrations (deleting the Plan deletes them).
	owned := false
	for _, o := range fkSlice(m, "metadata", "ownerReferences") {
		if om, _ := o.(map[string]interface{}); fkStr(om, "uid") == fkUID(plan) {
			owned = true
		}
	}
	if !owned {
		if _, err := f.s.Mutate(fkMigrations, fkNS(m), fkName(m), func(o Obj) error {
			refs := fkSlice(o, "metadata", "ownerReferences")
			refs = append(refs, fkOwnerRef(plan, false))
			fkSet(o, refs, "metadata", "ownerReferences")
			return nil
		}, false); err != nil {
			return
		}
	}
	r := &fkRun{f: f, migNS: fkNS(m), migName: fkName(m), migUID: uid, planNS: fkNS(plan), planName: fkName(plan),
		planUID: fkUID(plan), plan: plan, src: src, smap: smap, nmap: nmap, vc: vc, inv: inv, started: fkNow(),
		changed: make(chan struct{}), done: make(chan struct{})}
	f.mu.Lock()
	f.runs[uid] = r
	f.mu.Unlock()
	f.wg.Add(1)
	ended := fkHist.runStart(r)
	go func() {
		defer f.wg.Done()
		defer func() {
			ended()
			if p := recover(); p != nil {
				f.logf("migration %s/%s runner panic: %v", r.migNS, r.migName, p)
			}
			f.mu.Lock()
			delete(f.runs, uid)
			f.mu.Unlock()
			close(r.done)
			f.kick()
		}()
		r.run()
	}()
}

// fkPipeline builds the pipeline of a VM.
func fkPipeline(warm, skipConversion bool, diskTotal int64) []*fkStepSt {
	steps := []*fkStepSt{{Name: "Initialize", Description: "Initialize migration.", Progress: fkProg{Total: 1}}}
	if warm {
		steps = append(steps, &fkStepSt{Name: "PreflightInspection", Description: "Preflight inspection of the source VM.", Progress: fkProg{Total: 1}})
	}
	steps = append(steps, &fkStepSt{Name: "DiskTransfer", Description: "Transfer disks.", Progress: fkProg{Total: diskTotal},
		Annotations: map[string]string{"unit": "MB"}})
	if warm {
		steps = append(steps, &fkStepSt{Name: "Cutover", Description: "Finalize disk transfer.", Progress: fkProg{Total: 1}})
	}
	if !skipConversion {
		steps = append(steps, &fkStepSt{Name: "ImageConversion", Description: "Convert image to kubevirt.", Progress: fkProg{Total: 1}})
	}
	steps = append(steps, &fkStepSt{Name: "VirtualMachineCreation", Description: "Create VM.", Progress: fkProg{Total: 1}})
	for _, s := range steps {
		s.Phase = "Pending"
	}
	return steps
}

func (v *fkVMRun) step(name string) *fkStepSt {
	for _, s := range v.st.Pipeline {
		if s.Name == name {
			return s
		}
	}
	return nil
}

func fkMB(bytes int64) int64 { return bytes / (1 << 20) }

func (r *fkRun) run() {
	warm := fkPlanWarm(r.plan)
	skipConv, _ := fkBool(r.plan, "spec", "skipGuestConversion")
	for _, e := range fkSlice(r.plan, "spec", "vms") {
		pvm, _ := e.(map[string]interface{})
		vm, _ := r.inv.findVM(fkRefOf(pvm))
		if vm == nil {
			continue
		}
		prev := fkPlanVMStatus(r.plan, vm.ID)
		v := &fkVMRun{vm: vm, spec: pvm}
		if prev != nil && fkVMSucceeded(prev) {
			v.skip = true
			st := &fkVMSt{}
			_ = fkFromObj(prev, st)
			v.st = st
		} else {
			var total int64
			for _, d := range vm.Disks {
				total += fkMB(d.Capacity)
			}
			v.st = &fkVMSt{ID: vm.ID, Name: vm.Name, Phase: "Started", Pipeline: fkPipeline(warm, skipConv, total),
				OperatingSystem: vm.GuestID, Firmware: fkFirmware(vm)}
			if warm {
				v.st.Warm = &fkWarmSt{}
			}
		}
		r.vms = append(r.vms, v)
	}
	r.begin()
	r.schedule(skipConv, warm)
	r.end()
}

// schedule starts the VMs of the run as the vSphere scheduler does
// (pkg/controller/plan/scheduler/vsphere/scheduler.go): the limit
// controller_max_vm_inflight (env MAX_VM_INFLIGHT) holds per ESXi host,
// counting the started VMs of every running plan with the same source
// Provider; a VM starts when its cost fits what is left on its host, or
// alone on an idle host when it costs more than the limit. Queued VMs get
// the condition Pending only where the release sets it
// (markSchedulerQueuedVMs, main).
func (r *fkRun) schedule(skipConv, warm bool) {
	f := r.f
	maxInflight := 20
	if n := f.forkliftSetting("controller_max_vm_inflight"); n != "" {
		fmt.Sscanf(n, "%d", &maxInflight)
	}
	if maxInflight < 1 {
		maxInflight = 1
	}
	var queue []*fkVMRun
	for _, v := range r.vms {
		if !v.skip {
			queue = append(queue, v)
		}
	}
	var wg sync.WaitGroup
	start := func(v *fkVMRun) {
		r.mu.Lock()
		v.started = true
		v.st.Conditions = fkDropCond(v.st.Conditions, "Pending")
		r.mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if p := recover(); p != nil {
					r.failVM(v, v.st.Phase, fmt.Sprintf("internal error: %v", p))
				}
				r.mu.Lock()
				v.done = true
				r.mu.Unlock()
				f.schedPoke()
			}()
			r.runVM(v, warm, skipConv)
		}()
	}
	marked := false
	for i := 0; len(queue) > 0 && i < 1000000; i++ {
		if r.isStopped() {
			break
		}
		f.schedMu.Lock()
		var left []*fkVMRun
		for _, v := range queue {
			if r.canceled(v) {
				r.cancelVM(v)
				continue
			}
			cost := r.cost(v, true)
			in := f.inFlight(r.schedKey(v))
			if in+cost <= maxInflight || (cost > maxInflight && in == 0) {
				start(v)
				continue
			}
			left = append(left, v)
		}
		f.schedMu.Unlock()
		if len(left) < len(queue) {
			r.flush()
		}
		queue = left
		if len(queue) == 0 {
			break
		}
		if !marked && f.mtv().PendingCondition {
			marked = true
			r.mu.Lock()
			for _, v := range queue {
				v.st.Conditions = append(fkDropCond(v.st.Conditions, "Pending"), fkCond{Type: "Pending", Category: fkAdvisory,
					Message: fmt.Sprintf("Waiting to start migration: in-flight limit reached (max %d).", maxInflight),
					Durable: true}.obj(fkNow()))
			}
			r.mu.Unlock()
			r.flush()
		}
		f.schedWait(r, 100*time.Millisecond)
	}
	wg.Wait()
}

// fkDropCond removes the conditions of one type.
func fkDropCond(cs []Obj, typ string) []Obj {
	var out []Obj
	for _, c := range cs {
		if fkStr(c, "type") != typ {
			out = append(out, c)
		}
	}
	return out
}

// schedKey is what the scheduler counts together: the source Provider
// and the ESXi host of the VM.
func (r *fkRun) schedKey(v *fkVMRun) string {
	return fkNS(r.src) + "/" + fkName(r.src) + "|" + v.vm.Host
}

// cost is the scheduler's cost of a VM (scheduler.go cost): with an
// offload plugin 1 until the disks are copied (0 from
// CreateGuestConversionPod on); otherwise one per disk not yet
// transferred (0 once CopyingPaused or converting). locked: r.mu is not
// held by the caller.
func (r *fkRun) cost(v *fkVMRun, lock bool) int {
	if lock {
		r.mu.Lock()
		defer r.mu.Unlock()
	}
	switch v.st.Phase {
	case "CreateVM", "PostHook", "Completed", "ConvertGuest", "CreateGuestConversionPod":
		return 0
	}
	if fkUsesOffload(r.smap) {
		return 1
	}
	if v.st.Phase == "CopyingPaused" {
		return 0
	}
	n := len(v.vm.Disks)
	if s := v.step("DiskTransfer"); s != nil {
		for _, t := range s.Tasks {
			if t.Phase == "Completed" {
				n--
			}
		}
	}
	return n
}

// inFlight sums the cost of the started, unfinished VMs of every run
// under one scheduler key.
func (f *fkForklift) inFlight(key string) int {
	f.mu.Lock()
	runs := make([]*fkRun, 0, len(f.runs))
	for _, r := range f.runs {
		runs = append(runs, r)
	}
	f.mu.Unlock()
	n := 0
	for _, r := range runs {
		r.mu.Lock()
		for _, v := range r.vms {
			if v.started && !v.done && !v.skip && r.schedKey(v) == key {
				n += r.cost(v, false)
			}
		}
		r.mu.Unlock()
	}
	return n
}

// schedPoke wakes the schedulers of every run (a VM changed phase or ended).
func (f *fkForklift) schedPoke() {
	f.mu.Lock()
	close(f.slotFreed)
	f.slotFreed = make(chan struct{})
	f.mu.Unlock()
}

// schedWait waits for a poke, the runner's change or d.
func (f *fkForklift) schedWait(r *fkRun, d time.Duration) {
	f.mu.Lock()
	ch := f.slotFreed
	f.mu.Unlock()
	r.mu.Lock()
	stopCh := r.changed
	r.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
	case <-stopCh:
	case <-t.C:
	case <-f.stop:
	}
}

// fkFirmware maps the vSphere firmware to Forklift's value.
func fkFirmware(vm *fkVM) string {
	if vm.Firmware == "efi" {
		return "efi"
	}
	return "bios"
}

// ---- status writing ----

func (r *fkRun) vmsObj() []interface{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []interface{}{}
	for _, v := range r.vms {
		out = append(out, fkNormalize(v.st))
	}
	return out
}

// flush writes plan.status.migration and the Migration's status.vms.
func (r *fkRun) flush() {
	vms := r.vmsObj()
	_, err := r.f.s.Mutate(fkPlans, r.planNS, r.planName, func(o Obj) error {
		if fkUID(o) != r.planUID {
			return fmt.Errorf("plan replaced")
		}
		mig := fkMap(o, "status", "migration")
		if mig == nil {
			mig = Obj{}
		}
		mig["vms"] = vms
		fkSet(o, mig, "status", "migration")
		return nil
	}, true)
	if err != nil {
		r.cancel()
		return
	}
	_, _ = r.f.s.Mutate(fkMigrations, r.migNS, r.migName, func(o Obj) error {
		fkSet(o, vms, "status", "vms")
		return nil
	}, true)
}

// setExec replaces the execution conditions of the Plan and the Migration.
func (r *fkRun) setExec(planCond, migCond *fkCond, migRemove []string, final bool) {
	f := r.f
	now := fkNow()
	var planObj, migObj Obj
	planObj, err := f.s.Mutate(fkPlans, r.planNS, r.planName, func(o Obj) error {
		if fkUID(o) != r.planUID {
			return fmt.Errorf("plan replaced")
		}
		var list []interface{}
		for _, c := range fkSlice(o, "status", "conditions") {
			m, _ := c.(map[string]interface{})
			if m != nil && fkExecTypes[fkStr(m, "type")] {
				continue
			}
			list = append(list, c)
		}
		if planCond != nil {
			list = append(list, planCond.obj(now))
		}
		fkSet(o, list, "status", "conditions")
		mig := fkMap(o, "status", "migration")
		if mig == nil {
			mig = Obj{}
		}
		if _, ok := mig["started"]; !ok || !final && len(fkSlice(mig, "history")) == 0 {
			mig["started"] = r.started
		}
		hist := fkSlice(mig, "history")
		idx := -1
		for i, h := range hist {
			if fkStr(h.(map[string]interface{}), "migration", "uid") == r.migUID {
				idx = i
			}
		}
		entry := Obj{"migration": Obj{"name": r.migName, "namespace": r.migNS, "uid": r.migUID},
			"plan":     Obj{"name": r.planName, "namespace": r.planNS, "uid": r.planUID, "generation": fkGeneration(o)},
			"provider": fkMap(o, "spec", "provider"), "map": fkMap(o, "spec", "map")}
		if planCond != nil {
			entry["conditions"] = []interface{}{planCond.obj(now)}
		}
		if idx < 0 {
			hist = append(hist, entry)
		} else {
			hist[idx] = entry
		}
		mig["history"] = hist
		if final {
			mig["completed"] = now
		} else {
			delete(mig, "completed")
			mig["started"] = r.started
		}
		fkSet(o, mig, "status", "migration")
		return nil
	}, true)
	if err == nil && planCond != nil {
		f.event(planObj, *planCond)
	}
	migObj, err = f.s.Mutate(fkMigrations, r.migNS, r.migName, func(o Obj) error {
		var list []interface{}
		drop := map[string]bool{"PlanNotReady": true, "PlanNotValid": true}
		for _, t := range migRemove {
			drop[t] = true
		}
		for _, c := range fkSlice(o, "status", "conditions") {
			m, _ := c.(map[string]interface{})
			if m != nil && drop[fkStr(m, "type")] {
				continue
			}
			list = append(list, c)
		}
		if migCond != nil {
			list = append(list, migCond.obj(now))
		}
		fkSet(o, list, "status", "conditions")
		fkSet(o, r.started, "status", "started")
		if final {
			fkSet(o, now, "status", "completed")
		}
		fkSet(o, fkGeneration(o), "status", "observedGeneration")
		return nil
	}, true)
	if err == nil && migCond != nil {
		f.event(migObj, *migCond)
	}
}

func (r *fkRun) begin() {
	r.setExec(&fkCond{Type: "Executing", Reason: "Started", Category: fkAdvisory, Message: "The plan is EXECUTING."},
		&fkCond{Type: "Running", Reason: "Started", Category: fkAdvisory, Message: "The migration is RUNNING."}, nil, false)
	_, _ = r.f.s.Mutate(fkMigrations, r.migNS, r.migName, func(o Obj) error {
		list := fkSlice(o, "status", "conditions")
		list = append(list, fkCond{Type: "Ready", Category: fkRequired, Message: "The migration is ready."}.obj(fkNow()))
		fkSet(o, list, "status", "conditions")
		return nil
	}, true)
	r.flush()
}

func (r *fkRun) end() {
	if r.isStopped() {
		select {
		case <-r.f.stop:
			return // the lab is shutting down
		default:
		}
		// Migration or Plan deleted: unfinished VMs are canceled and cleaned up.
		for _, v := range r.vms {
			r.mu.Lock()
			done := v.skip || v.st.Phase == "Completed"
			r.mu.Unlock()
			if !done {
				r.cancelVM(v)
			}
		}
	}
	failed, succeeded := false, false
	r.mu.Lock()
	for _, v := range r.vms {
		for _, c := range v.st.Conditions {
			switch fkStr(c, "type") {
			case "Failed":
				failed = true
			case "Succeeded":
				succeeded = true
			}
		}
	}
	r.mu.Unlock()
	r.flush()
	var pc, mc fkCond
	switch {
	case failed:
		pc = fkCond{Type: "Failed", Reason: "Completed", Category: fkAdvisory, Message: "The plan execution has FAILED.", Durable: true}
		mc = fkCond{Type: "Failed", Reason: "Completed", Category: fkAdvisory, Message: "The migration has FAILED.", Durable: true}
	case succeeded:
		pc = fkCond{Type: "Succeeded", Reason: "Completed", Category: fkAdvisory, Message: "The plan execution has SUCCEEDED.", Durable: true}
		mc = fkCond{Type: "Succeeded", Reason: "Completed", Category: fkAdvisory, Message: "The migration has SUCCEEDED.", Durable: true}
	default:
		pc = fkCond{Type: "Canceled", Reason: "UserRequested", Category: fkAdvisory, Message: "The plan execution has been CANCELED.", Durable: true}
		mc = fkCond{Type: "Canceled", Reason: "UserRequested", Category: fkAdvisory, Message: "The migration has been CANCELED.", Durable: true}
	}
	r.setExec(&pc, &mc, []string{"Running"}, true)
}

// ---- per-VM itinerary ----

func (r *fkRun) setPhase(v *fkVMRun, phase string) {
	r.mu.Lock()
	v.st.Phase = phase
	r.mu.Unlock()
	r.flush()
	r.f.schedPoke()
}

func (r *fkRun) startStep(v *fkVMRun, name string) {
	r.mu.Lock()
	if s := v.step(name); s != nil {
		s.Phase = "Running"
		s.Started = fkNow()
	}
	r.mu.Unlock()
}

func (r *fkRun) endStep(v *fkVMRun, name string) {
	r.mu.Lock()
	if s := v.step(name); s != nil {
		s.Phase = "Completed"
		s.Completed = fkNow()
		s.Progress.Completed = s.Progress.Total
	}
	r.mu.Unlock()
}

// canceled reports whether the Migration's spec.cancel names the VM.
func (r *fkRun) canceled(v *fkVMRun) bool {
	m, err := r.f.s.Get(fkMigrations, r.migNS, r.migName)
	if err != nil {
		r.cancel()
		return true
	}
	for _, c := range fkSlice(m, "spec", "cancel") {
		cm, _ := c.(map[string]interface{})
		id, name := fkRefOf(cm)
		if (id != "" && id == v.vm.ID) || (id == "" && name != "" && name == v.vm.Name) {
			return true
		}
	}
	return false
}

// checkpoint ends the VM early when it was canceled or the run stopped.
func (r *fkRun) checkpoint(v *fkVMRun) bool {
	if r.isStopped() {
		return false
	}
	if r.canceled(v) {
		r.cancelVM(v)
		return false
	}
	return true
}

func (r *fkRun) finishVM(v *fkVMRun, c fkCond) {
	r.mu.Lock()
	v.st.Phase = "Completed"
	v.st.Completed = fkNow()
	v.st.Conditions = append(v.st.Conditions, c.obj(fkNow()))
	r.mu.Unlock()
	r.flush()
}

func (r *fkRun) cancelVM(v *fkVMRun) {
	if v.canceled {
		return
	}
	v.canceled = true
	r.cleanupVM(v, true)
	r.finishVM(v, fkCond{Type: "Canceled", Reason: "UserRequested", Category: fkAdvisory, Message: "The VM migration was CANCELED.", Durable: true})
}

// failVM records the error on the VM, its running step and task.
func (r *fkRun) failVM(v *fkVMRun, phase string, reasons ...string) {
	r.mu.Lock()
	e := &fkErr{Phase: phase, Reasons: reasons}
	v.st.Error = e
	for _, s := range v.st.Pipeline {
		if s.Phase == "Running" {
			s.Error = e
			s.Phase = "Completed"
			s.Completed = fkNow()
		}
	}
	r.mu.Unlock()
	r.f.count("vm_failed")
	r.f.logf("migration %s/%s: VM %s failed in %s: %s", r.migNS, r.migName, v.vm.ID, phase, strings.Join(reasons, "; "))
	// the controller's own log line for it (zap JSON, as
	// pkg/controller/plan/migration.go logs a failed VM step)
	rs, _ := json.Marshal(reasons)
	r.f.s.AppendPodLog("openshift-mtv", kbControllerPod("forklift-controller"), fmt.Sprintf(
		"{\"level\":\"error\",\"ts\":%q,\"logger\":\"plan|%s/%s\",\"msg\":\"VM migration failed.\",\"vm\":%q,\"phase\":%q,\"reasons\":%s}\n",
		time.Now().UTC().Format(time.RFC3339Nano), r.migNS, r.migName, v.vm.ID, phase, rs))
	r.finishVM(v, fkCond{Type: "Failed", Reason: "Failed", Category: fkAdvisory, Message: "The VM migration has FAILED.", Durable: true})
}

func (r *fkRun) runVM(v *fkVMRun, warm, skipConv bool) {
	f := r.f
	tns := fkStr(r.plan, "spec", "targetNamespace")
	r.mu.Lock()
	v.st.Started = fkNow()
	r.mu.Unlock()
	r.startStep(v, "Initialize")
	r.setPhase(v, "Started")
	if err := f.ensureNamespace(tns); err != nil {
		r.failVM(v, "Started", err.Error())
		return
	}
	if err := r.chooseTargetName(v); err != nil {
		r.failVM(v, "Started", err.Error())
		return
	}
	if !r.checkpoint(v) {
		return
	}
	if warm {
		r.runWarm(v, skipConv)
		return
	}
	if !r.powerOff(v) {
		return
	}
	r.endStep(v, "Initialize")
	if !r.checkpoint(v) {
		return
	}
	r.startStep(v, "DiskTransfer")
	r.setPhase(v, "CreateDataVolumes")
	jobs, err := r.createVolumes(v, false)
	if err != nil {
		r.failVM(v, "CreateDataVolumes", err.Error())
		return
	}
	r.setPhase(v, "CopyDisks")
	if !r.copyDisks(v, jobs) {
		return
	}
	r.endStep(v, "DiskTransfer")
	r.finishVM2(v, skipConv)
}

// finishVM2 runs conversion and VM creation, the common tail of cold and warm.
func (r *fkRun) finishVM2(v *fkVMRun, skipConv bool) {
	if !r.checkpoint(v) {
		return
	}
	if !skipConv {
		r.startStep(v, "ImageConversion")
		r.setPhase(v, "CreateGuestConversionPod")
		pod, err := r.f.conversionPod(r, v)
		if err != nil {
			r.failVM(v, "CreateGuestConversionPod", err.Error())
			return
		}
		r.setPhase(v, "ConvertGuest")
		rates := r.f.getRates()
		if !r.wait(time.Duration(rates.ConversionS*float64(time.Second)), nil) {
			return
		}
		r.f.setPodPhase(fkStr(r.plan, "spec", "targetNamespace"), pod, "Succeeded")
		r.endStep(v, "ImageConversion")
	}
	if !r.checkpoint(v) {
		return
	}
	r.startStep(v, "VirtualMachineCreation")
	r.setPhase(v, "CreateVM")
	if err := r.f.createKubeVirtVM(r, v, !skipConv); err != nil {
		r.failVM(v, "CreateVM", err.Error())
		return
	}
	r.endStep(v, "VirtualMachineCreation")
	r.cleanupVM(v, false)
	r.f.count("vm_succeeded")
	r.finishVM(v, fkCond{Type: "Succeeded", Reason: "Completed", Category: fkAdvisory, Message: "The VM migration has SUCCEEDED.", Durable: true})
}

// powerOff stores the power state and powers the source VM off.
func (r *fkRun) powerOff(v *fkVMRun) bool {
	r.setPhase(v, "StorePowerState")
	state, err := fkPowerState(fkCtx(), r.vc, v.vm.ID)
	if err != nil {
		r.failVM(v, "StorePowerState", err.Error())
		return false
	}
	r.mu.Lock()
	if state == "poweredOn" {
		v.st.RestorePowerState = "On"
	} else {
		v.st.RestorePowerState = "Off"
	}
	r.mu.Unlock()
	r.setPhase(v, "PowerOffSource")
	if err := fkPowerOff(fkCtx(), r.vc, v.vm.ID); err != nil {
		r.failVM(v, "PowerOffSource", err.Error())
		return false
	}
	r.setPhase(v, "WaitForPowerOff")
	rates := r.f.getRates()
	if !r.wait(time.Duration(rates.PowerOffS*float64(time.Second)), nil) {
		return false
	}
	r.f.invalidate(r.src)
	return true
}

// cutoverTime reads spec.vmCutover / spec.cutover of the Migration.
func (r *fkRun) cutoverTime(v *fkVMRun) (time.Time, bool) {
	m, err := r.f.s.Get(fkMigrations, r.migNS, r.migName)
	if err != nil {
		return time.Time{}, false
	}
	raw := fkStr(m, "spec", "cutover")
	for _, c := range fkSlice(m, "spec", "vmCutover") {
		cm, _ := c.(map[string]interface{})
		if fkStr(cm, "id") == v.vm.ID && fkStr(cm, "cutover") != "" {
			raw = fkStr(cm, "cutover")
		}
	}
	if raw == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}

func (r *fkRun) runWarm(v *fkVMRun, skipConv bool) {
	f := r.f
	var snaps []string
	snap := func(phase string) bool {
		r.setPhase(v, phase)
		id, err := fkSnapshot(fkCtx(), r.vc, v.vm.ID, fmt.Sprintf("forklift-migration-precopy-%d", len(snaps)+1))
		if err != nil {
			r.failVM(v, phase, err.Error())
			return false
		}
		snaps = append(snaps, id)
		return true
	}
	if !snap("CreateInitialSnapshot") {
		return
	}
	r.setPhase(v, "WaitForInitialSnapshot")
	r.setPhase(v, "StoreInitialSnapshotDeltas")
	r.endStep(v, "Initialize")
	r.startStep(v, "PreflightInspection")
	r.setPhase(v, "PreflightInspection")
	r.endStep(v, "PreflightInspection")
	if !r.checkpoint(v) {
		return
	}
	r.startStep(v, "DiskTransfer")
	r.setPhase(v, "CreateDataVolumes")
	start := fkNow()
	jobs, err := r.createVolumes(v, true)
	if err != nil {
		r.failVM(v, "CreateDataVolumes", err.Error())
		return
	}
	r.setPhase(v, "CopyDisks")
	if !r.copyDisks(v, jobs) {
		return
	}
	r.mu.Lock()
	v.st.Warm.Successes++
	v.st.Warm.Precopies = append(v.st.Warm.Precopies, fkPrecopy{Start: start, End: fkNow(), Snapshot: snaps[len(snaps)-1]})
	r.mu.Unlock()
	if err := f.adoptDataVolumes(r, v, snaps[len(snaps)-1]); err != nil {
		r.failVM(v, "CopyDisks", err.Error())
		return
	}
	for i := 0; i < 10000; i++ {
		rates := f.getRates()
		interval := time.Duration(rates.PrecopyS * float64(time.Second))
		next := time.Now().Add(interval)
		r.mu.Lock()
		v.st.Warm.NextPrecopyAt = next.UTC().Format(time.RFC3339)
		r.mu.Unlock()
		r.setPhase(v, "CopyingPaused")
		cutNow := func() bool {
			t, ok := r.cutoverTime(v)
			return ok && !t.After(time.Now())
		}
		if !r.wait(interval, func() bool { return cutNow() || r.canceled(v) }) {
			return
		}
		if !r.checkpoint(v) {
			return
		}
		if cutNow() {
			break
		}
		start := fkNow()
		r.setPhase(v, "RemovePreviousSnapshot")
		if len(snaps) > 1 {
			if err := fkRemoveSnapshot(fkCtx(), r.vc, snaps[len(snaps)-2]); err != nil {
				r.failVM(v, "RemovePreviousSnapshot", err.Error())
				return
			}
		}
		r.setPhase(v, "WaitForPreviousSnapshotRemoval")
		if !snap("CreateSnapshot") {
			return
		}
		r.setPhase(v, "WaitForSnapshot")
		r.setPhase(v, "StoreSnapshotDeltas")
		r.setPhase(v, "AddCheckpoint")
		r.mu.Lock()
		for _, t := range v.step("DiskTransfer").Tasks {
			t.Annotations["Precopy"] = fmt.Sprint(len(v.st.Warm.Precopies)) // resetPrecopyTasks
		}
		r.mu.Unlock()
		r.setPhase(v, "CopyDisks")
		if !f.addCheckpoint(r, v, snaps[len(snaps)-2], snaps[len(snaps)-1], false) {
			return
		}
		r.mu.Lock()
		v.st.Warm.Successes++
		v.st.Warm.Precopies = append(v.st.Warm.Precopies, fkPrecopy{Start: start, End: fkNow(), Snapshot: snaps[len(snaps)-1]})
		r.mu.Unlock()
	}
	r.mu.Lock()
	v.st.Warm.NextPrecopyAt = ""
	r.mu.Unlock()
	r.endStep(v, "DiskTransfer")
	r.startStep(v, "Cutover")
	if !r.powerOff(v) {
		return
	}
	for _, ph := range []string{"RemovePenultimateSnapshot", "WaitForPenultimateSnapshotRemoval"} {
		r.setPhase(v, ph)
	}
	if len(snaps) > 1 {
		if err := fkRemoveSnapshot(fkCtx(), r.vc, snaps[len(snaps)-2]); err != nil {
			r.failVM(v, "RemovePenultimateSnapshot", err.Error())
			return
		}
	}
	if !snap("CreateFinalSnapshot") {
		return
	}
	r.setPhase(v, "WaitForFinalSnapshot")
	r.setPhase(v, "AddFinalCheckpoint")
	if !f.addCheckpoint(r, v, snaps[len(snaps)-2], snaps[len(snaps)-1], true) {
		return
	}
	for _, ph := range []string{"Finalize", "RemoveFinalSnapshot"} {
		r.setPhase(v, ph)
	}
	for _, s := range snaps[max0(len(snaps)-2):] {
		_ = fkRemoveSnapshot(fkCtx(), r.vc, s)
	}
	f.invalidate(r.src)
	r.endStep(v, "Cutover")
	r.finishVM2(v, skipConv)
}

func max0(n int) int {
	if n < 0 {
		return 0
	}
	return n
}

// fkFromObj decodes a stored object into a Go value.
func fkFromObj(o Obj, v interface{}) error {
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// ensureNamespace creates the target namespace if it is missing.
func (f *fkForklift) ensureNamespace(ns string) error {
	if _, err := f.s.Get(fkNamespaces, "", ns); err == nil {
		return nil
	}
	_, err := f.s.Create(fkNamespaces, "", Obj{"apiVersion": "v1", "kind": "Namespace", "metadata": Obj{"name": ns}})
	if IsStatus(err, 409) {
		return nil
	}
	return err
}
