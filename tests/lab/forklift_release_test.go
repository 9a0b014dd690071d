package main

import "testing"

// The scheduler's cost (scheduler/vsphere/scheduler.go) and its per-host,
// per-source-Provider counting.
func TestForkliftSchedulerCost(t *testing.T) {
	offload := Obj{"spec": Obj{"map": []interface{}{Obj{"offloadPlugin": Obj{"vsphereXcopyConfig": Obj{"secretRef": "s"}}}}}}
	vddk := Obj{"spec": Obj{"map": []interface{}{Obj{"destination": Obj{"storageClass": "sc"}}}}}
	mkVM := func(phase string, done int) *fkVMRun {
		v := &fkVMRun{vm: &fkVM{Host: "host-1", Disks: make([]fkDisk, 3)},
			st: &fkVMSt{Phase: phase, Pipeline: fkPipeline(false, false, 3)}}
		step := v.step("DiskTransfer")
		for i := 0; i < 3; i++ {
			ph := "Pending"
			if i < done {
				ph = "Completed"
			}
			step.Tasks = append(step.Tasks, &fkTaskSt{Phase: ph})
		}
		return v
	}
	src := func(name string) Obj { return Obj{"metadata": Obj{"name": name, "namespace": "ns"}} }
	cases := []struct {
		smap  Obj
		phase string
		done  int
		want  int
	}{
		{offload, "CopyDisks", 0, 1}, {offload, "CopyDisks", 2, 1}, {offload, "CreateGuestConversionPod", 3, 0},
		{vddk, "CopyDisks", 0, 3}, {vddk, "CopyDisks", 2, 1}, {vddk, "CopyingPaused", 0, 0}, {vddk, "ConvertGuest", 3, 0},
	}
	for i, c := range cases {
		r := &fkRun{smap: c.smap, src: src("vsphere")}
		if got := r.cost(mkVM(c.phase, c.done), true); got != c.want {
			t.Errorf("case %d (%s, %d done): cost %d, want %d", i, c.phase, c.done, got, c.want)
		}
	}
	f := &fkForklift{runs: map[string]*fkRun{}}
	a := &fkRun{smap: offload, src: src("vsphere"), vms: []*fkVMRun{mkVM("CopyDisks", 0)}}
	b := &fkRun{smap: vddk, src: src("vsphere2"), vms: []*fkVMRun{mkVM("CopyDisks", 1)}}
	for _, r := range []*fkRun{a, b} {
		r.vms[0].started = true
	}
	f.runs["a"], f.runs["b"] = a, b
	if got := f.inFlight(a.schedKey(a.vms[0])); got != 1 {
		t.Errorf("provider vsphere on host-1: in flight %d, want 1 (the other provider's VM does not count)", got)
	}
	if got := f.inFlight(b.schedKey(b.vms[0])); got != 2 {
		t.Errorf("provider vsphere2 on host-1: in flight %d, want 2 (disks left)", got)
	}
}

func TestForkliftVddkImageRule(t *testing.T) {
	for img, want := range map[string]bool{"registry.lab.local/vddk:8.0.3": true, "quay.io/lab/vddk:8": true,
		"quay.io/lab/busybox:1.36": false, "quay.io/vddk-images/busybox:1": false, "vddk@sha256:00": true} {
		if got := fkVddkImageValid(img); got != want {
			t.Errorf("fkVddkImageValid(%q) = %v, want %v", img, got, want)
		}
	}
}

func TestForkliftReleaseTable(t *testing.T) {
	for name, r := range mtvReleases {
		if r.Name != name {
			t.Errorf("release %s named %s", name, r.Name)
		}
		if r.ThrottleMigrationHost && !r.PopulatorInflight || r.OffloadDetails && !r.XcopyEvidence {
			t.Errorf("release %s: inconsistent flags %+v", name, r)
		}
	}
	if !mtvReleases["main"].PendingCondition || mtvReleases["2.12"].PendingCondition {
		t.Error("Pending is main only")
	}
	if mtvReleases["2.11"].XcopyEvidence || !mtvReleases["2.12"].XcopyEvidence {
		t.Error("xcopyUsed evidence from 2.12")
	}
	for _, v := range []string{"pureFlashArray", "primera3par", "flashsystem", "vantara"} {
		if !fkRDMVendors[v] {
			t.Errorf("%s has the rdm path", v)
		}
	}
	if fkRDMVendors["ontap"] {
		t.Error("ontap has no rdm path")
	}
}
