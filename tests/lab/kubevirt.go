package main

// The KubeVirt model: virt-controller and virt-handler as far as a migrated
// VM needs them. A VirtualMachine whose run strategy says it runs gets a
// VirtualMachineInstance of the same name (owned by the VM) that goes
// Pending -> Scheduling -> Scheduled -> Running after the boot delay; the
// guest agent connects (condition AgentConnected, guestOSInfo, the guest's
// view of its interfaces) the agent delay later, and from then on the
// guest's SSH server answers on port 22 of the pod IP (kubevirt_portforward.go).
// Stopping deletes the VMI. The start/stop subresources are virt-api's
// (pkg/virt-api/rest/lifecycle.go at v1.6.0, the KubeVirt of OpenShift 4.20).
//
// Upstream models (kubevirt/kubevirt v1.6.0):
//   pkg/virt-controller/watch/vm/vm.go        run strategies, printableStatus
//   pkg/virt-controller/watch/vmi/vmi.go       phases, PodScheduled condition
//   pkg/virt-handler/vm.go, pkg/network/...    interfaces[], infoSource
//   staging/src/kubevirt.io/api/core/v1/types.go  VirtualMachineInstanceStatus
//
// Faults (armed by the Forklift model, forklift_ctrl.go fail-next, for the
// next VM it creates): guest-agent-down (the agent never connects; the
// guest still boots, its sshd answers) and no-boot (the launcher pod is
// never scheduled: phase stays Scheduling, PodScheduled False
// Unschedulable, the VM's printableStatus ErrorUnschedulable).

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

var (
	kvVMs            = GVR{"kubevirt.io", "v1", "virtualmachines"}
	kvVMIs           = GVR{"kubevirt.io", "v1", "virtualmachineinstances"}
	kvClusterVersion = GVR{"config.openshift.io", "v1", "clusterversions"}
)

// kvLauncherImage is what status.launcherContainerImageVersion says.
const kvLauncherImage = "registry.redhat.io/container-native-virtualization/virt-launcher-rhel9@sha256:5b1c8b5e6d7a4f0c2e9a1d3b8f6c4e2a0d9b7c5e3f1a8d6b4c2e0f9a7d5b3c1e"

// kvGuest is the in-memory state of one running guest (one VMI).
type kvGuest struct {
	ns, name, uid string // the VMI
	vmUID         string
	gen           int
	up            bool // booted: sshd listens
	podIP         string
	fault         string // "guest-agent-down", "no-boot"
}

type kvKubeVirt struct {
	l      *Lab
	s      *Store
	mu     sync.Mutex
	boot   time.Duration       // Pending -> Running
	agent  time.Duration       // Running -> AgentConnected, sshd up
	guests map[string]*kvGuest // ns/name of the VMI
	faults map[string]string   // VM "ns/name" -> fault kind
	gen    int
	timers map[*time.Timer]bool
	closed bool
}

var (
	kvRegMu sync.Mutex
	kvReg   = map[*Store]*kvKubeVirt{}
)

// kvFor is the KubeVirt model of store s (nil when not running).
func kvFor(s *Store) *kvKubeVirt {
	kvRegMu.Lock()
	defer kvRegMu.Unlock()
	return kvReg[s]
}

// kvOfLab is the KubeVirt model of lab l (nil when not running).
func kvOfLab(l *Lab) *kvKubeVirt {
	kvRegMu.Lock()
	defer kvRegMu.Unlock()
	for _, kv := range kvReg {
		if kv.l == l {
			return kv
		}
	}
	return nil
}

func init() { kubeControllers = append(kubeControllers, startKubeVirt) }

func startKubeVirt(l *Lab, s *Store) func() {
	kv := &kvKubeVirt{l: l, s: s, boot: 300 * time.Millisecond, agent: 300 * time.Millisecond,
		guests: map[string]*kvGuest{}, faults: map[string]string{}, timers: map[*time.Timer]bool{}}
	if err := kvSeed(s, l.MTV); err != nil {
		l.Logf("kubevirt: seed: %v", err)
	}
	kvRegMu.Lock()
	kvReg[s] = kv
	kvRegMu.Unlock()
	s.Watch(kv.onEvent)
	if l.Control != nil {
		l.Control.HandleFunc("/kubevirt/", kv.serveControl)
	}
	return func() {
		kv.mu.Lock()
		kv.closed = true
		for t := range kv.timers {
			t.Stop()
		}
		kv.mu.Unlock()
		kvRegMu.Lock()
		delete(kvReg, s)
		kvRegMu.Unlock()
	}
}

// kvSeed creates the ClusterVersion (the OpenShift the cluster runs,
// mtv_release.go OCPVersion; what the Forklift operator reads into
// OPENSHIFT_VERSION, roles/forkliftcontroller/tasks/main.yml) and the
// kubevirt.io ClusterRoles.
func kvSeed(s *Store, rel *MTVRelease) error {
	rel = fkRelease(rel)
	ver := rel.OCPVersion
	cv := Obj{"apiVersion": "config.openshift.io/v1", "kind": "ClusterVersion",
		"metadata": Obj{"name": "version"},
		"spec":     Obj{"channel": "stable-" + ver[:strings.LastIndex(ver, ".")], "clusterID": "6c1f0a8e-lab0-4c2b-9a7e-000000000001"},
		"status": Obj{"desired": Obj{"version": ver, "image": "quay.io/openshift-release-dev/ocp-release@sha256:lab"},
			"history": []interface{}{Obj{"state": "Completed", "version": ver, "verified": true,
				"startedTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:40:00Z"}},
			"conditions": []interface{}{Obj{"type": "Available", "status": "True"}, Obj{"type": "Progressing", "status": "False"}}}}
	st := cv["status"]
	o, err := s.create(kvClusterVersion, "", cv, kbInternal)
	if err != nil {
		return err
	}
	o["status"] = st
	if _, err := s.update(kvClusterVersion, "", o, true, kbInternal); err != nil {
		return err
	}
	return kvSeedRBAC(s)
}

// kvSeedRBAC: the ClusterRoles virt-operator installs
// (pkg/virt-operator/resource/generate/rbac/cluster.go, v1.6.0), with the
// subresources of the lab; aggregated into admin/edit/view upstream.
func kvSeedRBAC(s *Store) error {
	sub := "subresources.kubevirt.io"
	vmiGet := []string{"virtualmachineinstances/console", "virtualmachineinstances/vnc",
		"virtualmachineinstances/vnc/screenshot", "virtualmachineinstances/portforward",
		"virtualmachineinstances/guestosinfo", "virtualmachineinstances/filesystemlist",
		"virtualmachineinstances/userlist", "virtualmachines/portforward", "virtualmachines/expand-spec"}
	vmUpdate := []string{"virtualmachines/start", "virtualmachines/stop", "virtualmachines/restart",
		"virtualmachines/addvolume", "virtualmachines/removevolume", "virtualmachines/memorydump"}
	all := []string{"get", "delete", "create", "update", "patch", "list", "watch"}
	kinds := []string{"virtualmachines", "virtualmachineinstances", "virtualmachineinstancepresets", "virtualmachineinstancereplicasets"}
	roles := []struct {
		name, agg string
		rules     []interface{}
	}{
		{"kubevirt.io:admin", "admin", []interface{}{kbRule([]string{"get"}, []string{sub}, vmiGet),
			kbRule([]string{"update"}, []string{sub}, vmUpdate), kbRule(all, []string{"kubevirt.io"}, kinds)}},
		{"kubevirt.io:edit", "edit", []interface{}{kbRule([]string{"get"}, []string{sub}, vmiGet),
			kbRule([]string{"update"}, []string{sub}, vmUpdate), kbRule(all, []string{"kubevirt.io"}, kinds)}},
		{"kubevirt.io:view", "view", []interface{}{
			kbRule([]string{"get"}, []string{sub}, []string{"virtualmachines/expand-spec",
				"virtualmachineinstances/guestosinfo", "virtualmachineinstances/filesystemlist",
				"virtualmachineinstances/userlist"}),
			kbRule([]string{"get", "list", "watch"}, []string{"kubevirt.io"}, kinds)}},
	}
	for _, r := range roles {
		o := Obj{"metadata": Obj{"name": r.name, "labels": Obj{"kubevirt.io": "",
			"rbac.authorization.k8s.io/aggregate-to-" + r.agg: "true"}}, "rules": r.rules}
		if _, err := s.create(kbGVRClusterRoles, "", o, kbInternal); err != nil {
			return err
		}
	}
	return nil
}

// ArmFault marks VM ns/name for a guest fault ("guest-agent-down",
// "no-boot"), before the VM is created; every VMI of that VM has it.
func (kv *kvKubeVirt) ArmFault(ns, name, kind string) {
	kv.mu.Lock()
	kv.faults[kbKey(ns, name)] = kind
	kv.mu.Unlock()
}

func (kv *kvKubeVirt) after(d time.Duration, fn func()) {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if kv.closed {
		return
	}
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		kv.mu.Lock()
		delete(kv.timers, t)
		closed := kv.closed
		kv.mu.Unlock()
		if !closed {
			fn()
		}
	})
	kv.timers[t] = true
}

func (kv *kvKubeVirt) onEvent(typ string, gvr GVR, o Obj) {
	switch gvr {
	case kvVMs:
		if typ == "DELETED" {
			return // the garbage collector deletes the VMI it owns
		}
		kv.Reconcile(fkNS(o), fkName(o))
	case kvVMIs:
		if typ == "DELETED" {
			kv.mu.Lock()
			if g := kv.guests[kbKey(fkNS(o), fkName(o))]; g != nil && g.uid == fkUID(o) {
				delete(kv.guests, kbKey(fkNS(o), fkName(o)))
			}
			kv.mu.Unlock()
			kv.Reconcile(fkNS(o), fkName(o))
		}
	}
}

// kvWantsRun: whether the VM's spec asks for a running VMI (vm.go
// RunStrategy: spec.runStrategy, else spec.running).
func kvWantsRun(vm Obj) (bool, string) {
	rs := fkStr(vm, "spec", "runStrategy")
	if rs == "" {
		if b, _ := fkBool(vm, "spec", "running"); b {
			rs = "Always"
		} else {
			rs = "Halted"
		}
	}
	switch rs {
	case "Always", "RerunOnFailure", "Once":
		return true, rs
	}
	return false, rs
}

// Reconcile brings VM ns/name's VMI in line with its run strategy and
// writes the VM's status (virt-controller's sync).
func (kv *kvKubeVirt) Reconcile(ns, name string) {
	vm, err := kv.s.Get(kvVMs, ns, name)
	if err != nil {
		return
	}
	want, rs := kvWantsRun(vm)
	vmi, err := kv.s.Get(kvVMIs, ns, name)
	has := err == nil
	if has && !kvOwnedBy(vmi, vm) {
		return
	}
	switch {
	case want && !has && fkStr(vm, "metadata", "deletionTimestamp") == "":
		if vmi, err = kv.createVMI(vm); err != nil {
			kv.l.Logf("kubevirt: %s/%s: create VMI: %v", ns, name, err)
			return
		}
		has = true
	case !want && has && rs != "Manual":
		_ = kv.s.Delete(kvVMIs, ns, name)
		has = false
	}
	if !has {
		vmi = nil
	}
	kv.writeVMStatus(ns, name, vmi)
}

func kvOwnedBy(vmi, vm Obj) bool {
	for _, r := range fkSlice(vmi, "metadata", "ownerReferences") {
		if m, ok := r.(map[string]interface{}); ok && fkStr(m, "uid") == fkUID(vm) {
			return true
		}
	}
	return false
}

// writeVMStatus: printableStatus, ready, created and the Ready condition
// from the VMI (vm.go setPrintableStatus / updateStatus).
func (kv *kvKubeVirt) writeVMStatus(ns, name string, vmi Obj) {
	printable, ready, created := "Stopped", false, vmi != nil
	readyCond := Obj{"type": "Ready", "status": "False", "reason": "VMINotExists", "message": "VMI does not exist",
		"lastProbeTime": nil, "lastTransitionTime": fkNow()}
	if vmi != nil {
		phase := fkStr(vmi, "status", "phase")
		switch phase {
		case "Running":
			printable = "Running"
		case "Succeeded", "Failed":
			printable = "Stopped"
		default:
			printable = "Starting"
		}
		for _, c := range fkSlice(vmi, "status", "conditions") {
			if m, ok := c.(map[string]interface{}); ok && fkStr(m, "type") == "PodScheduled" && fkStr(m, "reason") == "Unschedulable" {
				printable = "ErrorUnschedulable"
			}
		}
		if fkStr(vmi, "metadata", "deletionTimestamp") != "" {
			printable = "Stopping"
		}
		if c := fkConditions(vmi)["Ready"]; c != nil {
			ready = true
			readyCond = Obj{"type": "Ready", "status": "True", "lastProbeTime": nil, "lastTransitionTime": fkNow()}
		} else {
			readyCond["reason"], readyCond["message"] = "GuestNotRunning", "Guest VM is not reported as running"
			if printable == "ErrorUnschedulable" {
				readyCond["reason"], readyCond["message"] = "Unschedulable", "0/3 nodes are available: 3 Insufficient memory."
			}
		}
	}
	_, _ = kv.s.Mutate(kvVMs, ns, name, func(o Obj) error {
		old := fkMap(o, "status")
		st := Obj{}
		for k, v := range old {
			st[k] = v
		}
		if c := fkConditionOf(o, "Ready"); c != nil && fkStr(c, "status") == fkStr(readyCond, "status") {
			readyCond["lastTransitionTime"] = c["lastTransitionTime"]
		}
		st["printableStatus"] = printable
		st["ready"] = ready
		st["created"] = created
		st["conditions"] = []interface{}{readyCond}
		if vmi != nil {
			st["desiredGeneration"] = fkGeneration(o)
			st["observedGeneration"] = fkGeneration(o)
		}
		if kvSameJSON(old, st) {
			return errKvUnchanged
		}
		o["status"] = st
		return nil
	}, true)
}

var errKvUnchanged = errors.New("unchanged")

func kvSameJSON(a, b interface{}) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func jsonDecode(r *http.Request, v interface{}) error { return json.NewDecoder(r.Body).Decode(v) }

func kvReply(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func fkConditionOf(o Obj, typ string) Obj {
	for _, c := range fkSlice(o, "status", "conditions") {
		if m, ok := c.(map[string]interface{}); ok && fkStr(m, "type") == typ {
			return m
		}
	}
	return nil
}

// kvPodIP is the launcher pod's IP on the pod network (10.128.0.0/14).
func kvPodIP(uid string) string {
	h := fnv.New32a()
	h.Write([]byte(uid))
	n := h.Sum32()
	return fmt.Sprintf("10.%d.%d.%d", 128+(n>>24)%4, (n>>8)&0xff, 2+(n&0xff)%250)
}

func (kv *kvKubeVirt) createVMI(vm Obj) (Obj, error) {
	ns, name := fkNS(vm), fkName(vm)
	tmpl := fkMap(vm, "spec", "template")
	spec := kbCopy(fkMap(tmpl, "spec"))
	if spec == nil {
		spec = Obj{}
	}
	labels := Obj{"kubevirt.io/vm": name}
	for k, v := range fkMap(tmpl, "metadata", "labels") {
		labels[k] = v
	}
	vmi := Obj{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachineInstance",
		"metadata": Obj{"name": name, "namespace": ns, "labels": labels,
			"annotations":     Obj{"kubevirt.io/vm-generation": strconv.Itoa(int(fkGeneration(vm)))},
			"ownerReferences": []interface{}{fkOwnerRef(vm, true)}},
		"spec": spec}
	o, err := kv.s.Create(kvVMIs, ns, vmi)
	if err != nil {
		return nil, err
	}
	kv.mu.Lock()
	kv.gen++
	g := &kvGuest{ns: ns, name: name, uid: fkUID(o), vmUID: fkUID(vm), gen: kv.gen,
		podIP: kvPodIP(fkUID(o)), fault: kv.faults[kbKey(ns, name)]}
	kv.guests[kbKey(ns, name)] = g
	boot, agent := kv.boot, kv.agent
	kv.mu.Unlock()
	o, _ = kv.setPhase(g, "Pending", nil)
	steps := []string{"Scheduling", "Scheduled", "Running", "Booted"}
	delays := []time.Duration{boot / 4, boot / 4, boot / 2, agent}
	if g.fault == "no-boot" {
		kv.l.Logf("kubevirt: %s/%s: fault no-boot: the launcher pod stays unschedulable", ns, name)
		steps = steps[:1]
	}
	// one step after the other, each its delay after the previous one
	var next func(i int)
	next = func(i int) {
		if i < len(steps) {
			kv.after(delays[i], func() {
				kv.step(g, steps[i])
				next(i + 1)
			})
		}
	}
	next(0)
	return o, nil
}

// current reports whether g is still the guest of its VMI.
func (kv *kvKubeVirt) current(g *kvGuest) bool {
	kv.mu.Lock()
	defer kv.mu.Unlock()
	return kv.guests[kbKey(g.ns, g.name)] == g
}

func (kv *kvKubeVirt) step(g *kvGuest, what string) {
	if !kv.current(g) {
		return
	}
	var vmi Obj
	switch what {
	case "Booted":
		kv.mu.Lock()
		g.up = true
		kv.mu.Unlock()
		if g.fault == "guest-agent-down" {
			kv.l.Logf("kubevirt: %s/%s: fault guest-agent-down: the agent does not connect", g.ns, g.name)
			return
		}
		vmi, _ = kv.setPhase(g, "Running", kv.agentStatus)
	case "Running":
		vmi, _ = kv.setPhase(g, "Running", kv.runningStatus)
	case "Scheduled":
		vmi, _ = kv.setPhase(g, "Scheduled", func(g *kvGuest, st Obj) {
			st["nodeName"] = "worker-0"
			st["launcherContainerImageVersion"] = kvLauncherImage
			st["activePods"] = Obj{kbUID(): "worker-0"}
			st["qosClass"] = "Burstable"
		})
	case "Scheduling":
		vmi, _ = kv.setPhase(g, "Scheduling", func(g *kvGuest, st Obj) {
			if g.fault == "no-boot" {
				kvSetCond(st, Obj{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
					"message":       "0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
					"lastProbeTime": nil, "lastTransitionTime": fkNow()})
			}
		})
	}
	if vmi != nil {
		kv.writeVMStatus(g.ns, g.name, vmi)
	}
}

func kvSetCond(st Obj, c Obj) {
	var out []interface{}
	for _, x := range kbList(st["conditions"]) {
		if m, ok := x.(map[string]interface{}); ok && fkStr(m, "type") == fkStr(c, "type") {
			continue
		}
		out = append(out, x)
	}
	st["conditions"] = append(out, c)
}

// setPhase writes the VMI's phase (with its phaseTransitionTimestamps)
// and lets fn fill the rest of the status.
func (kv *kvKubeVirt) setPhase(g *kvGuest, phase string, fn func(g *kvGuest, st Obj)) (Obj, error) {
	return kv.s.Mutate(kvVMIs, g.ns, g.name, func(o Obj) error {
		if fkUID(o) != g.uid {
			return fmt.Errorf("VMI replaced")
		}
		st := fkMap(o, "status")
		if st == nil {
			st = Obj{}
		}
		if fkStr(st, "phase") != phase {
			st["phaseTransitionTimestamps"] = append(kbList(st["phaseTransitionTimestamps"]),
				Obj{"phase": phase, "phaseTransitionTimestamp": time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")})
		}
		st["phase"] = phase
		if st["guestOSInfo"] == nil {
			st["guestOSInfo"] = Obj{}
		}
		if fn != nil {
			fn(g, st)
		}
		o["status"] = st
		return nil
	}, true)
}

// runningStatus: what virt-handler reports once the domain runs, before
// the agent: interfaces from the domain and the pod's network status
// (infoSource "domain, multus-status"); the pod network carries the pod IP,
// a bridged Multus network has no IP without the agent.
func (kv *kvKubeVirt) runningStatus(g *kvGuest, st Obj) {
	vmi, _ := kv.s.Get(kvVMIs, g.ns, g.name)
	st["interfaces"] = kvInterfaces(vmi, g, false)
	dom := fkMap(vmi, "spec", "domain")
	st["currentCPUTopology"] = Obj{"cores": kvInt(fkGet(dom, "cpu", "cores"), 1),
		"sockets": kvInt(fkGet(dom, "cpu", "sockets"), 1), "threads": 1}
	mem := fkStr(dom, "memory", "guest")
	st["memory"] = Obj{"guestAtBoot": mem, "guestCurrent": mem, "guestRequested": mem}
	st["machine"] = Obj{"type": "pc-q35-rhel9.6.0"}
	st["migrationMethod"] = "BlockMigration"
	st["migrationTransport"] = "Unix"
	st["runtimeUser"] = 107
	st["selinuxContext"] = "system_u:object_r:container_file_t:s0:c11,c22"
	st["virtualMachineRevisionName"] = "revision-start-vm-" + g.vmUID + "-1"
	var vs []interface{}
	for i, v := range fkSlice(vmi, "spec", "volumes") {
		m, _ := v.(map[string]interface{})
		e := Obj{"name": fkStr(m, "name"), "target": "vd" + string(rune('a'+i))}
		if c := fkStr(m, "persistentVolumeClaim", "claimName"); c != "" {
			e["persistentVolumeClaimInfo"] = Obj{"claimName": c, "accessModes": []interface{}{"ReadWriteOnce"}, "volumeMode": "Block"}
		}
		vs = append(vs, e)
	}
	st["volumeStatus"] = vs
	kvSetCond(st, Obj{"type": "Ready", "status": "True", "lastProbeTime": nil, "lastTransitionTime": fkNow()})
	kvSetCond(st, Obj{"type": "LiveMigratable", "status": "False", "reason": "DisksNotLiveMigratable",
		"message":       "cannot migrate VMI: PVC " + kvFirstClaim(vmi) + " is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)",
		"lastProbeTime": nil, "lastTransitionTime": nil})
	kvSetCond(st, Obj{"type": "StorageLiveMigratable", "status": "True", "lastProbeTime": nil, "lastTransitionTime": nil})
}

// agentStatus: the guest agent connected: AgentConnected, guestOSInfo and
// the guest's interface names and addresses ("domain, guest-agent, ...").
func (kv *kvKubeVirt) agentStatus(g *kvGuest, st Obj) {
	vmi, _ := kv.s.Get(kvVMIs, g.ns, g.name)
	st["interfaces"] = kvInterfaces(vmi, g, true)
	st["guestOSInfo"] = kvGuestOSInfo(kv.l, g)
	kvSetCond(st, Obj{"type": "AgentConnected", "status": "True", "lastProbeTime": nil, "lastTransitionTime": fkNow()})
}

func kvFirstClaim(vmi Obj) string {
	for _, v := range fkSlice(vmi, "spec", "volumes") {
		if m, ok := v.(map[string]interface{}); ok && fkStr(m, "persistentVolumeClaim", "claimName") != "" {
			return fkStr(m, "persistentVolumeClaim", "claimName")
		}
	}
	return ""
}

func kvInt(v interface{}, def int) int {
	switch n := v.(type) {
	case float64:
		return int(n)
	case int:
		return n
	case int32:
		return int(n)
	case int64:
		return int(n)
	}
	return def
}

// kvInterfaces: status.interfaces of a VMI (one per spec interface, in
// order; name = the network name).
func kvInterfaces(vmi Obj, g *kvGuest, agent bool) []interface{} {
	nets := map[string]Obj{}
	for _, n := range fkSlice(vmi, "spec", "networks") {
		if m, ok := n.(map[string]interface{}); ok {
			nets[fkStr(m, "name")] = m
		}
	}
	var out []interface{}
	for i, x := range fkSlice(vmi, "spec", "domain", "devices", "interfaces") {
		m, _ := x.(map[string]interface{})
		name := fkStr(m, "name")
		e := Obj{"name": name, "mac": strings.ToLower(fkStr(m, "macAddress")), "queueCount": 1, "linkState": "up",
			"infoSource": "domain, multus-status"}
		pod := fkMap(nets[name], "pod") != nil
		ip := ""
		switch {
		case pod:
			ip = g.podIP
		case agent:
			ip = kvPodIP(g.uid + "/" + name) // an address on the bridged network
		}
		if ip != "" {
			e["ipAddress"] = ip
			e["ipAddresses"] = []interface{}{ip}
		}
		if agent {
			e["infoSource"] = "domain, guest-agent, multus-status"
			e["interfaceName"] = "eth" + strconv.Itoa(i)
		}
		if !pod && !agent {
			e["infoSource"] = "domain"
		}
		out = append(out, e)
	}
	return out
}

// kvGuestOSInfo is what the agent reports (guest-get-osinfo); the guest's
// own /etc/os-release when its disk holds one.
func kvGuestOSInfo(l *Lab, g *kvGuest) Obj {
	info := Obj{"id": "rhel", "name": "Red Hat Enterprise Linux", "prettyName": "Red Hat Enterprise Linux 9.4 (Plow)",
		"version": "9.4", "versionId": "9.4", "kernelRelease": "5.14.0-427.13.1.el9_4.x86_64",
		"kernelVersion": "#1 SMP PREEMPT_DYNAMIC Wed Apr 10 10:29:16 EDT 2024", "machine": "x86_64"}
	if osr := kvGuestOSRelease(l, g); osr != nil {
		for k, key := range map[string]string{"id": "ID", "name": "NAME", "prettyName": "PRETTY_NAME", "version": "VERSION", "versionId": "VERSION_ID"} {
			if v, ok := osr[key]; ok {
				info[k] = v
			}
		}
	}
	return info
}

// ---- control_url ----

// serveControl: POST /kubevirt/delays {"boot_ms":N,"agent_ms":N}.
func (kv *kvKubeVirt) serveControl(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, "/kubevirt/") {
	case "delays":
		var body struct {
			BootMS  *int `json:"boot_ms"`
			AgentMS *int `json:"agent_ms"`
		}
		if r.Method == http.MethodPost {
			if err := jsonDecode(r, &body); err != nil {
				kvReply(w, 400, map[string]string{"error": `body must be {"boot_ms":N,"agent_ms":N}`})
				return
			}
			kv.mu.Lock()
			if body.BootMS != nil && *body.BootMS >= 0 {
				kv.boot = time.Duration(*body.BootMS) * time.Millisecond
			}
			if body.AgentMS != nil && *body.AgentMS >= 0 {
				kv.agent = time.Duration(*body.AgentMS) * time.Millisecond
			}
			kv.mu.Unlock()
		}
		kv.mu.Lock()
		out := map[string]int64{"boot_ms": kv.boot.Milliseconds(), "agent_ms": kv.agent.Milliseconds()}
		kv.mu.Unlock()
		kvReply(w, 200, out)
	default:
		kvReply(w, 404, map[string]string{"error": "unknown kubevirt control endpoint"})
	}
}

// kvGuestOSRelease reads /etc/os-release of the guest (its boot PVC);
// nil when the disk holds no guest file system.
var kvGuestOSRelease = func(l *Lab, g *kvGuest) map[string]string { return nil }
