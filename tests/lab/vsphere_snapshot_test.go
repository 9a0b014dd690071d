package main

// Snapshot scenarios (vsphere_snapshot.go), run by TestVsphereFixes against
// the lab and the stock simulator like every other correction.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

func rdmDiskAdd(e *testEnv, ctrl, unit int32, compat string) *types.VirtualDeviceConfigSpec {
	u := unit
	mode := "persistent"
	if compat == "physicalMode" {
		mode = "independent_persistent"
	}
	return &types.VirtualDeviceConfigSpec{
		Operation: types.VirtualDeviceConfigSpecOperationAdd, FileOperation: types.VirtualDeviceConfigSpecFileOperationCreate,
		Device: &types.VirtualDisk{VirtualDevice: types.VirtualDevice{Key: -20 - unit, ControllerKey: ctrl, UnitNumber: &u,
			Backing: &types.VirtualDiskRawDiskMappingVer1BackingInfo{
				VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: "[xcopy-ds]"},
				LunUuid:                      e.l.Inv.RDMLunUUID, DeviceName: "/vmfs/devices/disks/" + e.l.Inv.RDMLunNAA,
				CompatibilityMode: compat, DiskMode: mode,
			}}, CapacityInKB: 10 << 20},
	}
}

func (e *testEnv) snapshot(vm *object.VirtualMachine, name string) (types.ManagedObjectReference, error) {
	ctx := context.Background()
	t, err := vm.CreateSnapshot(ctx, name, "", false, false)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	info, err := t.WaitForResult(ctx, nil)
	if err != nil {
		return types.ManagedObjectReference{}, err
	}
	return info.Result.(types.ManagedObjectReference), nil
}

func (e *testEnv) removeSnapshot(ref types.ManagedObjectReference) error {
	ctx := context.Background()
	res, err := methods.RemoveSnapshot_Task(ctx, e.c, &types.RemoveSnapshot_Task{This: ref, Consolidate: types.NewBool(true)})
	if err != nil {
		return err
	}
	return object.NewTask(e.c, res.Returnval).Wait(ctx)
}

// vmFolderFiles lists the VM's folder on the primary datastore.
func (e *testEnv) vmFolderFiles(name string) []string {
	ents, _ := os.ReadDir(filepath.Join(e.v.dsDir, "xcopy-ds", name))
	var out []string
	for _, x := range ents {
		out = append(out, x.Name())
	}
	sort.Strings(out)
	return out
}

func withSuffix(list []string, suffix string) []string {
	var out []string
	for _, f := range list {
		if strings.HasSuffix(f, suffix) {
			out = append(out, f)
		}
	}
	return out
}

func diskByKey(m mo.VirtualMachine, key int32) *types.VirtualDisk {
	for _, d := range vmDisks(m) {
		if d.Key == key {
			return d
		}
	}
	return nil
}

func init() {
	// A VM with a flat disk, a virtual-mode and a physical-mode RDM goes
	// through CreateSnapshot, RemoveSnapshot, CreateSnapshot,
	// RevertToSnapshot and RemoveAllSnapshots like on vSphere: the flat disk
	// and the virtual RDM get delta disks, the physical RDM is left out.
	scenarios["snapshot-rdm"] = func(e *testEnv, name string) error {
		ctx := context.Background()
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if err != nil {
			return err
		}
		m, _ := e.vmProps(vm)
		ctrl := scsiKey(m)
		if err := e.reconfig(vm, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{
			rdmDiskAdd(e, ctrl, 3, "virtualMode"), rdmDiskAdd(e, ctrl, 4, "physicalMode")}}); err != nil {
			return fmt.Errorf("add RDMs: %v", err)
		}
		m, _ = e.vmProps(vm)
		base := map[int32]string{}
		var virt, phys int32
		for _, d := range vmDisks(m) {
			base[d.Key] = d.Backing.(types.BaseVirtualDeviceFileBackingInfo).GetVirtualDeviceFileBackingInfo().FileName
			if b, ok := d.Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo); ok {
				if b.CompatibilityMode == "physicalMode" {
					phys = d.Key
				} else {
					virt = d.Key
				}
			}
		}
		if virt == 0 || phys == 0 || len(base) != 3 {
			return fmt.Errorf("disks after adding the RDMs: %v", base)
		}
		s1, err := e.snapshot(vm, "s1")
		if err != nil {
			return fmt.Errorf("CreateSnapshot: %v", err)
		}
		m, _ = e.vmProps(vm)
		for key, file := range base {
			d := diskByKey(m, key)
			switch b := d.Backing.(type) {
			case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
				if key == phys {
					if b.FileName != file || b.Parent != nil {
						return fmt.Errorf("physical RDM was snapshotted: %s", b.FileName)
					}
					continue
				}
				if b.Parent == nil || b.Parent.FileName != file || !strings.HasSuffix(b.FileName, "-000001.vmdk") ||
					b.LunUuid != e.l.Inv.RDMLunUUID || b.CompatibilityMode != "virtualMode" {
					return fmt.Errorf("virtual RDM after a snapshot: %s (parent %v)", b.FileName, b.Parent)
				}
			case *types.VirtualDiskFlatVer2BackingInfo:
				if b.Parent == nil || b.Parent.FileName != file {
					return fmt.Errorf("flat disk after a snapshot: %s (parent %v)", b.FileName, b.Parent)
				}
			}
		}
		if err := e.removeSnapshot(s1); err != nil {
			return fmt.Errorf("RemoveSnapshot: %v", err)
		}
		m, _ = e.vmProps(vm)
		for key, file := range base {
			if got := diskByKey(m, key).Backing.(types.BaseVirtualDeviceFileBackingInfo).GetVirtualDeviceFileBackingInfo().FileName; got != file {
				return fmt.Errorf("disk %d after removing the only snapshot: %s, want %s", key, got, file)
			}
		}
		s2, err := e.snapshot(vm, "s2")
		if err != nil {
			return fmt.Errorf("second CreateSnapshot: %v", err)
		}
		if _, err := e.snapshot(vm, "s3"); err != nil {
			return fmt.Errorf("third CreateSnapshot: %v", err)
		}
		res, err := methods.RevertToSnapshot_Task(ctx, e.c, &types.RevertToSnapshot_Task{This: s2})
		if err != nil {
			return err
		}
		if err := object.NewTask(e.c, res.Returnval).Wait(ctx); err != nil {
			return fmt.Errorf("RevertToSnapshot: %v", err)
		}
		t, err := vm.RemoveAllSnapshot(ctx, types.NewBool(true))
		if err == nil {
			err = t.Wait(ctx)
		}
		if err != nil {
			return fmt.Errorf("RemoveAllSnapshots: %v", err)
		}
		m, _ = e.vmProps(vm)
		for key, file := range base {
			d := diskByKey(m, key)
			if got := d.Backing.(types.BaseVirtualDeviceFileBackingInfo).GetVirtualDeviceFileBackingInfo().FileName; got != file {
				return fmt.Errorf("disk %d after RemoveAllSnapshots: %s, want %s", key, got, file)
			}
		}
		if _, ok := diskByKey(m, virt).Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo); !ok {
			return fmt.Errorf("virtual RDM lost its backing type")
		}
		if left := withSuffix(e.vmFolderFiles(name), "-000001.vmdk"); len(left) > 0 {
			return fmt.Errorf("delta disks left: %v", left)
		}
		if left := withSuffix(e.vmFolderFiles(name), ".vmsn"); len(left) > 0 {
			return fmt.Errorf("snapshot files left: %v", left)
		}
		if t, err = vm.Destroy(ctx); err == nil {
			err = t.Wait(ctx)
		}
		return err
	}

	// Removing a snapshot and taking another must not reuse the removed
	// snapshot's .vmsn name, and later removals delete their own files only.
	scenarios["snapshot-files-unique"] = func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if err != nil {
			return err
		}
		a, err := e.snapshot(vm, "a")
		if err != nil {
			return err
		}
		b, err := e.snapshot(vm, "b")
		if err != nil {
			return err
		}
		if err := e.removeSnapshot(a); err != nil {
			return err
		}
		before := withSuffix(e.vmFolderFiles(name), ".vmsn")
		c, err := e.snapshot(vm, "c")
		if err != nil {
			return err
		}
		after := withSuffix(e.vmFolderFiles(name), ".vmsn")
		want := []string{name + "-Snapshot2.vmsn", name + "-Snapshot3.vmsn"}
		if fmt.Sprint(after) != fmt.Sprint(want) {
			return fmt.Errorf("snapshot files %v after removing the first of two and taking another (before: %v), want %v", after, before, want)
		}
		var m mo.VirtualMachine
		if err := vm.Properties(context.Background(), vm.Reference(), []string{"layoutEx"}, &m); err != nil {
			return err
		}
		for _, s := range m.LayoutEx.Snapshot {
			if s.Key != c {
				continue
			}
			for _, f := range m.LayoutEx.File {
				if f.Key == s.DataKey && !strings.HasSuffix(f.Name, name+"-Snapshot3.vmsn") {
					return fmt.Errorf("layoutEx: snapshot c's data file is %s", f.Name)
				}
			}
		}
		for _, s := range []types.ManagedObjectReference{b, c} {
			if err := e.removeSnapshot(s); err != nil {
				return err
			}
		}
		files := e.vmFolderFiles(name)
		if left := withSuffix(files, ".vmsn"); len(left) > 0 {
			return fmt.Errorf("snapshot files left: %v", left)
		}
		for _, f := range []string{name + ".vmx", name + ".vmdk"} {
			found := false
			for _, x := range files {
				found = found || x == f
			}
			if !found {
				return fmt.Errorf("%s deleted by a snapshot removal (folder: %v)", f, files)
			}
		}
		return nil
	}

	// A clone spec may add an RDM disk.
	scenarios["clone-adds-rdm"] = func(e *testEnv, name string) error {
		m, err := e.vmProps(e.tmpl)
		if err != nil {
			return err
		}
		spec := types.VirtualMachineCloneSpec{Config: &types.VirtualMachineConfigSpec{
			DeviceChange: []types.BaseVirtualDeviceConfigSpec{rdmDiskAdd(e, scsiKey(m), 3, "virtualMode")}}}
		vm, err := e.clone(name, spec)
		if err != nil {
			return err
		}
		if m, err = e.vmProps(vm); err != nil {
			return err
		}
		for _, d := range vmDisks(m) {
			if b, ok := d.Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo); ok && b.LunUuid == e.l.Inv.RDMLunUUID && b.FileName != "" {
				if _, err := e.snapshot(vm, "s"); err != nil {
					return fmt.Errorf("snapshot of the clone: %v", err)
				}
				return nil
			}
		}
		return fmt.Errorf("no RDM disk on the clone")
	}
}
