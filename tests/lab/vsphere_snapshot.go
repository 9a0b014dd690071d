package main

// Snapshots. The stock simulator (govmomi 0.24.2) gets them wrong in ways
// that break warm migrations:
//   - RemoveSnapshot_Task and RemoveAllSnapshots_Task call
//     RefreshStorageInfo -> updateDiskLayouts, which type-asserts every disk
//     backing to FlatVer2: a VM with an RDM disk panics (and RemoveSnapshot
//     runs on the VirtualMachineSnapshot, which the RDM shield never saw);
//   - no delta disks: a disk never changes its backing file;
//   - the snapshot shares the VM's device objects (its config follows the VM);
//   - the .vmsn is named after the first free index: existing files are
//     probed (FileAlreadyExists in the log) and numbers are reused;
//   - RefreshStorageInfo re-keys layoutEx.file, so a later RemoveSnapshot
//     deletes whatever file now carries the snapshot's old data key.
// The lab serves the snapshot methods itself, as vSphere does: each
// snapshottable disk (not independent, not a physical-mode RDM) gets a delta
// "<base>-00000N.vmdk" in the VM's snapshot directory whose parent is the
// previous file (virtual-mode RDM deltas stay RDM backings with the mapping
// file as parent); the .vmsn is "<vm>-Snapshot<id>.vmsn" with the
// snapshot's never-reused id; removing a snapshot merges the delta that
// follows it into its file; RemoveAllSnapshots returns every disk to its
// base; reverting discards the running delta and starts a new one on the
// snapshot's file.

import (
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// ---- backing chains (leaf first), for FlatVer2 and RDM backings

func backingFile(b types.BaseVirtualDeviceBackingInfo) string {
	if fb, ok := b.(types.BaseVirtualDeviceFileBackingInfo); ok {
		return fb.GetVirtualDeviceFileBackingInfo().FileName
	}
	return ""
}

func backingParent(b types.BaseVirtualDeviceBackingInfo) types.BaseVirtualDeviceBackingInfo {
	switch x := b.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		if x.Parent != nil {
			return x.Parent
		}
	case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
		if x.Parent != nil {
			return x.Parent
		}
	}
	return nil
}

func chainOf(b types.BaseVirtualDeviceBackingInfo) []types.BaseVirtualDeviceBackingInfo {
	var out []types.BaseVirtualDeviceBackingInfo
	for b != nil && len(out) < 512 {
		out = append(out, b)
		b = backingParent(b)
	}
	return out
}

func chainFiles(b types.BaseVirtualDeviceBackingInfo) []string {
	var out []string
	for _, x := range chainOf(b) {
		out = append(out, backingFile(x))
	}
	return out
}

// withParent returns a shallow copy of b whose parent is p (nil: none).
func withParent(b, p types.BaseVirtualDeviceBackingInfo) types.BaseVirtualDeviceBackingInfo {
	switch x := b.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		n := *x
		n.Parent, _ = p.(*types.VirtualDiskFlatVer2BackingInfo)
		return &n
	case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
		n := *x
		n.Parent, _ = p.(*types.VirtualDiskRawDiskMappingVer1BackingInfo)
		return &n
	}
	return b
}

// relink builds a chain from a leaf-first list.
func relink(list []types.BaseVirtualDeviceBackingInfo) types.BaseVirtualDeviceBackingInfo {
	if len(list) == 0 {
		return nil
	}
	cur := list[len(list)-1]
	for i := len(list) - 2; i >= 0; i-- {
		cur = withParent(list[i], cur)
	}
	return cur
}

// dropFromChain removes file from a chain (never the chain's last file).
func dropFromChain(b types.BaseVirtualDeviceBackingInfo, file string) types.BaseVirtualDeviceBackingInfo {
	list := chainOf(b)
	var keep []types.BaseVirtualDeviceBackingInfo
	found := false
	for i, x := range list {
		if backingFile(x) == file && i < len(list)-1 {
			found = true
			continue
		}
		keep = append(keep, x)
	}
	if !found {
		return b
	}
	return relink(keep)
}

// renameInChain rewrites file names (and datastores) along a chain.
func renameInChain(b types.BaseVirtualDeviceBackingInfo, moved map[string]string) {
	for _, x := range chainOf(b) {
		fb, ok := x.(types.BaseVirtualDeviceFileBackingInfo)
		if !ok {
			continue
		}
		info := fb.GetVirtualDeviceFileBackingInfo()
		if nu, ok := moved[info.FileName]; ok {
			info.FileName = nu
			name, _ := dsPathSplit(nu)
			if ds := dsByName(name); ds != nil {
				ref := ds.Self
				info.Datastore = &ref
			}
		}
	}
}

// snapshottable: vSphere leaves independent disks and physical-mode RDMs
// out of snapshots.
func snapshottable(d *types.VirtualDisk) bool {
	switch b := d.Backing.(type) {
	case *types.VirtualDiskFlatVer2BackingInfo:
		return !strings.HasPrefix(b.DiskMode, "independent")
	case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
		return b.CompatibilityMode != string(types.VirtualDiskCompatibilityModePhysicalMode) &&
			!strings.HasPrefix(b.DiskMode, "independent")
	}
	return false
}

// dsLocal maps "[ds] rel" to the local path.
func dsLocal(p string) string {
	name, rel := dsPathSplit(p)
	ds := dsByName(name)
	if ds == nil || rel == "" {
		return ""
	}
	return filepath.Join(ds.Info.GetDatastoreInfo().Url, rel)
}

func removeDiskFile(p string) {
	if l := dsLocal(p); l != "" {
		os.Remove(l)
		for _, ext := range diskExtentSuffixes {
			os.Remove(strings.TrimSuffix(l, ".vmdk") + ext)
		}
	}
}

// snapDir is the VM's snapshot directory as "[ds] dir".
func snapDir(vm *simulator.VirtualMachine) string {
	d := vm.Config.Files.SnapshotDirectory
	if d == "" || strings.HasSuffix(d, ".vmx") {
		d = vm.Config.Files.VmPathName
		if strings.HasSuffix(d, ".vmx") {
			ds, rel := dsPathSplit(d)
			d = fmt.Sprintf("[%s] %s", ds, path.Dir(rel))
		}
	}
	return strings.TrimSuffix(d, "/")
}

func dsJoin(dir, name string) string {
	ds, rel := dsPathSplit(dir)
	return fmt.Sprintf("[%s] %s", ds, path.Join(rel, name))
}

// newDelta creates the next delta file of a chain and returns the new leaf.
func newDelta(vm *simulator.VirtualMachine, b types.BaseVirtualDeviceBackingInfo, inUse map[string]bool) (types.BaseVirtualDeviceBackingInfo, error) {
	files := chainFiles(b)
	base := strings.TrimSuffix(path.Base(files[len(files)-1]), ".vmdk")
	dir := snapDir(vm)
	dsName, _ := dsPathSplit(dir)
	ds := dsByName(dsName)
	if ds == nil {
		return nil, fmt.Errorf("no datastore %q", dsName)
	}
	for n := 1; n < 1000000; n++ {
		p := dsJoin(dir, fmt.Sprintf("%s-%06d.vmdk", base, n))
		l := dsLocal(p)
		if inUse[p] || l == "" {
			continue
		}
		if _, err := os.Stat(l); err == nil {
			continue
		}
		os.MkdirAll(filepath.Dir(l), 0755)
		os.Remove(deltaPath(p)) // no stale grains under a new delta
		desc := fmt.Sprintf("# Disk DescriptorFile\nversion=1\ncreateType=\"seSparse\"\nparentFileNameHint=\"%s\"\n", files[0])
		if err := os.WriteFile(l, []byte(desc), 0600); err != nil {
			return nil, err
		}
		inUse[p] = true
		leaf := withParent(b, b)
		info := leaf.(types.BaseVirtualDeviceFileBackingInfo).GetVirtualDeviceFileBackingInfo()
		info.FileName = p
		ref := ds.Self
		info.Datastore = &ref
		return leaf, nil
	}
	return nil, fmt.Errorf("no free delta name for %s", files[0])
}

// ---- snapshot tree helpers (the simulator's are unexported)

func snapFind(tree []types.VirtualMachineSnapshotTree, ref types.ManagedObjectReference) *types.VirtualMachineSnapshotTree {
	for i := range tree {
		if tree[i].Snapshot == ref {
			return &tree[i]
		}
		if t := snapFind(tree[i].ChildSnapshotList, ref); t != nil {
			return t
		}
	}
	return nil
}

func snapParent(tree []types.VirtualMachineSnapshotTree, ref types.ManagedObjectReference, parent *types.ManagedObjectReference) (*types.ManagedObjectReference, bool) {
	for i := range tree {
		if tree[i].Snapshot == ref {
			return parent, true
		}
		self := tree[i].Snapshot
		if p, ok := snapParent(tree[i].ChildSnapshotList, ref, &self); ok {
			return p, true
		}
	}
	return nil, false
}

func snapRemove(tree []types.VirtualMachineSnapshotTree, ref types.ManagedObjectReference, children bool) []types.VirtualMachineSnapshotTree {
	var out []types.VirtualMachineSnapshotTree
	for _, t := range tree {
		if t.Snapshot == ref {
			if !children {
				out = append(out, t.ChildSnapshotList...)
			}
			continue
		}
		t.ChildSnapshotList = snapRemove(t.ChildSnapshotList, ref, children)
		out = append(out, t)
	}
	return out
}

// snapPostOrder lists a subtree's snapshots, children first.
func snapPostOrder(t *types.VirtualMachineSnapshotTree) []types.ManagedObjectReference {
	var out []types.ManagedObjectReference
	for i := range t.ChildSnapshotList {
		out = append(out, snapPostOrder(&t.ChildSnapshotList[i])...)
	}
	return append(out, t.Snapshot)
}

func snapAll(tree []types.VirtualMachineSnapshotTree) []types.ManagedObjectReference {
	var out []types.ManagedObjectReference
	for i := range tree {
		out = append(out, tree[i].Snapshot)
		out = append(out, snapAll(tree[i].ChildSnapshotList)...)
	}
	return out
}

func snapObj(ref types.ManagedObjectReference) *simulator.VirtualMachineSnapshot {
	s, _ := simulator.Map.Get(ref).(*simulator.VirtualMachineSnapshot)
	return s
}

func snapDisk(s *simulator.VirtualMachineSnapshot, key int32) *types.VirtualDisk {
	for _, d := range diskList(s.Config.Hardware.Device) {
		if d.Key == key {
			return d
		}
	}
	return nil
}

// vmSnapshots returns the VM's snapshot objects.
func vmSnapshots(vm *simulator.VirtualMachine) []*simulator.VirtualMachineSnapshot {
	if vm.Snapshot == nil {
		return nil
	}
	var out []*simulator.VirtualMachineSnapshot
	for _, ref := range snapAll(vm.Snapshot.RootSnapshotList) {
		if s := snapObj(ref); s != nil {
			out = append(out, s)
		}
	}
	return out
}

// chainsInUse: every disk file of the VM and of its snapshots.
func chainsInUse(vm *simulator.VirtualMachine, skip *simulator.VirtualMachineSnapshot) map[string]bool {
	use := map[string]bool{}
	for _, d := range diskList(vm.Config.Hardware.Device) {
		for _, f := range chainFiles(d.Backing) {
			use[f] = true
		}
	}
	for _, s := range vmSnapshots(vm) {
		if s == skip {
			continue
		}
		for _, d := range diskList(s.Config.Hardware.Device) {
			for _, f := range chainFiles(d.Backing) {
				use[f] = true
			}
		}
	}
	return use
}

func vmsnName(vm *simulator.VirtualMachine, id int32) string {
	return fmt.Sprintf("%s-Snapshot%d.vmsn", vm.Name, id)
}

// ---- the methods

func (v *vsphere) fixSnapshot(w http.ResponseWriter, r *http.Request, body []byte, m *simulator.Method) {
	var vm *simulator.VirtualMachine
	var snap *simulator.VirtualMachineSnapshot
	switch m.This.Type {
	case "VirtualMachine":
		vm = vmOf(m.This)
	case "VirtualMachineSnapshot":
		if snap = snapObj(m.This); snap != nil {
			vm = vmOf(snap.Vm)
		}
	}
	if vm == nil || vm.Config == nil {
		v.shielded(w, r, body, m)
		return
	}
	var run func() (types.AnyType, types.BaseMethodFault)
	switch req := m.Body.(type) {
	case *types.CreateSnapshot_Task:
		run = func() (types.AnyType, types.BaseMethodFault) { return v.createSnapshot(vm, req) }
	case *types.RemoveSnapshot_Task:
		run = func() (types.AnyType, types.BaseMethodFault) {
			return nil, v.removeSnapshot(vm, snap, req.RemoveChildren)
		}
	case *types.RemoveAllSnapshots_Task:
		run = func() (types.AnyType, types.BaseMethodFault) { return nil, v.removeAllSnapshots(vm) }
	case *types.RevertToSnapshot_Task:
		run = func() (types.AnyType, types.BaseMethodFault) { return nil, v.revertSnapshot(vm, snap) }
	case *types.RevertToCurrentSnapshot_Task:
		if vm.Snapshot == nil || vm.Snapshot.CurrentSnapshot == nil {
			writeFault(w, "snapshot not found", &types.NotFound{})
			return
		}
		cur := snapObj(*vm.Snapshot.CurrentSnapshot)
		run = func() (types.AnyType, types.BaseMethodFault) { return nil, v.revertSnapshot(vm, cur) }
	default:
		v.shielded(w, r, body, m)
		return
	}
	if vm.Config.Template {
		writeTaskReturn(w, m.Name, failTask(m.This, m.Name, &types.NotSupported{}))
		return
	}
	ref := runTask(m.This, m.Name, func(*simulator.Task) (res types.AnyType, f types.BaseMethodFault) {
		simulator.Map.WithLock(vm, func() { res, f = run() })
		return
	})
	writeTaskReturn(w, m.Name, ref)
}

// runTask runs fn as a task on obj named like the SOAP method.
func runTask(obj types.ManagedObjectReference, method string, fn func(*simulator.Task) (types.AnyType, types.BaseMethodFault)) types.ManagedObjectReference {
	ref := simulator.Map.Get(obj)
	t := simulator.CreateTask(ref, strings.TrimSuffix(method, "_Task"), fn)
	t.Info.Name = method
	if e, ok := ref.(mo.Entity); ok {
		t.Info.EntityName = e.Entity().Name
	} else if s, ok := ref.(*simulator.VirtualMachineSnapshot); ok {
		if vm := vmOf(s.Vm); vm != nil {
			t.Info.EntityName = vm.Name
		}
	}
	return t.Run()
}

func (v *vsphere) createSnapshot(vm *simulator.VirtualMachine, req *types.CreateSnapshot_Task) (types.AnyType, types.BaseMethodFault) {
	if v.snapSeq == nil {
		v.snapSeq = map[string]int32{}
	}
	v.snapSeq[vm.Self.Value]++
	id := v.snapSeq[vm.Self.Value]

	vmsn := dsJoin(snapDir(vm), vmsnName(vm, id))
	l := dsLocal(vmsn)
	if l == "" {
		return nil, &types.InvalidDatastorePath{DatastorePath: vmsn}
	}
	os.MkdirAll(filepath.Dir(l), 0755)
	if err := os.WriteFile(l, nil, 0600); err != nil {
		return nil, &types.FileFault{File: vmsn}
	}

	v.snapshotWrites(vm, id, false) // disk_control.go

	snap := &simulator.VirtualMachineSnapshot{}
	snap.Vm = vm.Self
	// the snapshot's config is the VM's as it is now, not shared with it
	snap.Config = deepCopy(*vm.Config).(types.VirtualMachineConfigInfo)
	simulator.Map.Put(snap)

	// deltas: the VM writes into a new file on top of each snapshottable disk
	inUse := chainsInUse(vm, nil)
	for _, d := range diskList(vm.Config.Hardware.Device) {
		if !snapshottable(d) {
			continue
		}
		leaf, err := newDelta(vm, d.Backing, inUse)
		if err != nil {
			v.l.Logf("vsphere: snapshot %s: %v", vm.Name, err)
			return nil, &types.FileFault{File: backingFile(d.Backing)}
		}
		d.Backing = leaf
	}

	if vm.Snapshot == nil {
		vm.Snapshot = &types.VirtualMachineSnapshotInfo{}
	}
	item := types.VirtualMachineSnapshotTree{
		Snapshot: snap.Self, Vm: vm.Self, Name: req.Name, Description: req.Description,
		Id: id, CreateTime: time.Now(), State: vm.Runtime.PowerState, Quiesced: req.Quiesce,
		ReplaySupported: types.NewBool(false),
	}
	info := *vm.Snapshot
	info.RootSnapshotList = deepCopy(info.RootSnapshotList).([]types.VirtualMachineSnapshotTree)
	if info.CurrentSnapshot != nil {
		if p := snapObj(*info.CurrentSnapshot); p != nil {
			p.ChildSnapshot = append(p.ChildSnapshot, snap.Self)
		}
		if t := snapFind(info.RootSnapshotList, *info.CurrentSnapshot); t != nil {
			t.ChildSnapshotList = append(t.ChildSnapshotList, item)
		} else {
			info.RootSnapshotList = append(info.RootSnapshotList, item)
		}
	} else {
		info.RootSnapshotList = append(info.RootSnapshotList, item)
	}
	ref := snap.Self
	info.CurrentSnapshot = &ref
	v.snapFiles()[snap.Self.Value] = vmsnName(vm, id)
	v.snapUpdate(vm, &info)
	v.snapshotWrites(vm, id, true)
	return snap.Self, nil
}

func (v *vsphere) snapFiles() map[string]string {
	if v.snapVmsn == nil {
		v.snapVmsn = map[string]string{}
	}
	return v.snapVmsn
}

// snapUpdate publishes the snapshot info, the devices and the layouts.
func (v *vsphere) snapUpdate(vm *simulator.VirtualMachine, info *types.VirtualMachineSnapshotInfo) {
	var snapVal interface{}
	if info != nil && len(info.RootSnapshotList) > 0 {
		snapVal = *info
	} else {
		info = nil
	}
	vm.Snapshot = info
	v.relayout(vm)
	changes := []types.PropertyChange{
		{Name: "snapshot", Val: snapVal},
		{Name: "config.hardware.device", Val: vm.Config.Hardware.Device},
		{Name: "layout", Val: vm.Layout},
		{Name: "layoutEx", Val: vm.LayoutEx},
		{Name: "datastore", Val: vmDatastores(vm)},
	}
	if info != nil {
		changes = append(changes, types.PropertyChange{Name: "rootSnapshot", Val: snapRoots(info)})
	} else {
		changes = append(changes, types.PropertyChange{Name: "rootSnapshot", Val: nil})
	}
	simulator.Map.Update(vm, changes)
	vm.Snapshot = info
	if info == nil {
		vm.RootSnapshot = nil
	}
}

func snapRoots(info *types.VirtualMachineSnapshotInfo) []types.ManagedObjectReference {
	var out []types.ManagedObjectReference
	for _, t := range info.RootSnapshotList {
		out = append(out, t.Snapshot)
	}
	return out
}

// mergeAfter drops snapshot s: for each disk the delta that follows s's
// file is merged into it (when exactly one does), and a delta nobody uses
// any more is deleted.
func (v *vsphere) mergeAfter(vm *simulator.VirtualMachine, s *simulator.VirtualMachineSnapshot) {
	others := []*simulator.VirtualMachineSnapshot{}
	for _, o := range vmSnapshots(vm) {
		if o != s {
			others = append(others, o)
		}
	}
	for _, sd := range diskList(s.Config.Hardware.Device) {
		f := backingFile(sd.Backing)
		var chains []*types.VirtualDisk
		for _, d := range diskList(vm.Config.Hardware.Device) {
			if d.Key == sd.Key {
				chains = append(chains, d)
			}
		}
		for _, o := range others {
			if d := snapDisk(o, sd.Key); d != nil {
				chains = append(chains, d)
			}
		}
		children := map[string]bool{}
		used := false
		for _, d := range chains {
			files := chainFiles(d.Backing)
			for i, x := range files {
				if x == f {
					used = true
					if i > 0 {
						children[files[i-1]] = true
					}
				}
			}
		}
		switch {
		case len(children) == 1:
			for c := range children {
				// the child's grains go into s's file first
				for _, d := range chains {
					files := chainFiles(d.Backing)
					if len(files) > 1 && files[0] != f && containsFile(files, c) {
						v.mergeDelta(d.Backing, diskBytes(d), c)
						break
					}
				}
				for _, d := range chains {
					d.Backing = dropFromChain(d.Backing, c)
				}
				removeDiskFile(c)
			}
		case !used && backingParent(sd.Backing) != nil:
			removeDiskFile(f)
		}
	}
	if n := v.snapFiles()[s.Self.Value]; n != "" {
		os.Remove(dsLocal(dsJoin(snapDir(vm), n)))
		delete(v.snapFiles(), s.Self.Value)
	}
}

func (v *vsphere) removeSnapshot(vm *simulator.VirtualMachine, s *simulator.VirtualMachineSnapshot, children bool) types.BaseMethodFault {
	if vm.Snapshot == nil {
		return &types.NotFound{}
	}
	t := snapFind(vm.Snapshot.RootSnapshotList, s.Self)
	if t == nil {
		return &types.NotFound{}
	}
	gone := []types.ManagedObjectReference{s.Self}
	if children {
		gone = snapPostOrder(t)
	}
	info := *vm.Snapshot
	info.RootSnapshotList = deepCopy(info.RootSnapshotList).([]types.VirtualMachineSnapshotTree)
	parent, _ := snapParent(info.RootSnapshotList, s.Self, nil)
	for _, ref := range gone {
		o := snapObj(ref)
		if o == nil {
			continue
		}
		v.mergeAfter(vm, o)
		// drop it from the tree now, so that the next merge no longer sees it
		info.RootSnapshotList = snapRemove(info.RootSnapshotList, ref, false)
		vm.Snapshot = &info
		if info.CurrentSnapshot != nil && *info.CurrentSnapshot == ref {
			if p, ok := snapParent(info.RootSnapshotList, ref, nil); ok {
				info.CurrentSnapshot = p
			} else {
				info.CurrentSnapshot = parent
			}
		}
	}
	// the parent no longer lists the removed snapshot as a child
	if parent != nil {
		if p := snapObj(*parent); p != nil {
			var keep []types.ManagedObjectReference
			for _, c := range p.ChildSnapshot {
				if c != s.Self {
					keep = append(keep, c)
				}
			}
			if !children {
				keep = append(keep, s.ChildSnapshot...)
			}
			p.ChildSnapshot = keep
		}
	}
	if info.CurrentSnapshot != nil {
		if snapFind(info.RootSnapshotList, *info.CurrentSnapshot) == nil {
			info.CurrentSnapshot = parent
		}
	}
	v.snapUpdate(vm, &info)
	for _, ref := range gone {
		simulator.Map.Remove(ref)
	}
	return nil
}

func (v *vsphere) removeAllSnapshots(vm *simulator.VirtualMachine) types.BaseMethodFault {
	snaps := vmSnapshots(vm)
	if len(snaps) == 0 {
		return nil
	}
	keep := map[string]bool{}
	all := chainsInUse(vm, nil)
	for _, d := range diskList(vm.Config.Hardware.Device) {
		list := chainOf(d.Backing)
		base := list[len(list)-1]
		// the current state goes into the base (consolidation)
		if len(list) > 1 {
			v.consolidate(d.Backing, diskBytes(d))
		}
		d.Backing = base
		keep[backingFile(base)] = true
	}
	for f := range all {
		if !keep[f] {
			removeDiskFile(f)
		}
	}
	for _, s := range snaps {
		if n := v.snapFiles()[s.Self.Value]; n != "" {
			os.Remove(dsLocal(dsJoin(snapDir(vm), n)))
			delete(v.snapFiles(), s.Self.Value)
		}
	}
	v.snapUpdate(vm, nil)
	for _, s := range snaps {
		simulator.Map.Remove(s.Self)
	}
	return nil
}

func (v *vsphere) revertSnapshot(vm *simulator.VirtualMachine, s *simulator.VirtualMachineSnapshot) types.BaseMethodFault {
	if s == nil || vm.Snapshot == nil || snapFind(vm.Snapshot.RootSnapshotList, s.Self) == nil {
		return &types.NotFound{}
	}
	snapUse := map[string]bool{}
	for _, o := range vmSnapshots(vm) {
		for _, d := range diskList(o.Config.Hardware.Device) {
			for _, f := range chainFiles(d.Backing) {
				snapUse[f] = true
			}
		}
	}
	inUse := chainsInUse(vm, nil)
	for _, d := range diskList(vm.Config.Hardware.Device) {
		sd := snapDisk(s, d.Key)
		if sd == nil || !snapshottable(d) {
			continue
		}
		leaf := backingFile(d.Backing)
		if leaf == backingFile(sd.Backing) {
			continue
		}
		if !snapUse[leaf] {
			removeDiskFile(leaf)
			delete(inUse, leaf)
		}
		nu, err := newDelta(vm, deepCopy(sd.Backing).(types.BaseVirtualDeviceBackingInfo), inUse)
		if err != nil {
			return &types.FileFault{File: leaf}
		}
		d.Backing = nu
	}
	info := *vm.Snapshot
	ref := s.Self
	info.CurrentSnapshot = &ref
	v.snapUpdate(vm, &info)
	return nil
}

// forgetSnapshots drops the snapshot objects of a destroyed VM.
func (v *vsphere) forgetSnapshots(snaps []*simulator.VirtualMachineSnapshot) {
	for _, s := range snaps {
		delete(v.snapFiles(), s.Self.Value)
		simulator.Map.Remove(s.Self)
	}
}

// renameSnapshotFiles applies moved files (relocation) to the snapshots.
func renameSnapshotFiles(vm *simulator.VirtualMachine, moved map[string]string) {
	if len(moved) == 0 {
		return
	}
	for _, s := range vmSnapshots(vm) {
		for _, d := range diskList(s.Config.Hardware.Device) {
			renameInChain(d.Backing, moved)
		}
	}
}

// ---- layouts, rebuilt from the files (keys are kept for known files)

func (v *vsphere) relayout(vm *simulator.VirtualMachine) {
	if vm.LayoutEx == nil {
		vm.LayoutEx = &types.VirtualMachineFileLayoutEx{}
	}
	if vm.Layout == nil {
		vm.Layout = &types.VirtualMachineFileLayout{}
	}
	exists := func(p string) (int64, bool) {
		l := dsLocal(p)
		if l == "" {
			return 0, false
		}
		fi, err := os.Stat(l)
		if err != nil {
			return 0, false
		}
		return fi.Size(), true
	}
	var files []types.VirtualMachineFileLayoutExFileInfo
	next := int32(0)
	keys := map[string]int32{}
	for _, f := range vm.LayoutEx.File {
		if f.Key >= next {
			next = f.Key + 1
		}
		if size, ok := exists(f.Name); ok {
			f.Size, f.UniqueSize = size, size
			files = append(files, f)
			keys[f.Name] = f.Key
		}
	}
	key := func(p, kind string) int32 {
		if k, ok := keys[p]; ok {
			return k
		}
		size, _ := exists(p)
		k := next
		next++
		keys[p] = k
		files = append(files, types.VirtualMachineFileLayoutExFileInfo{
			Key: k, Name: p, Type: kind, Size: size, UniqueSize: size, Accessible: types.NewBool(true)})
		return k
	}
	diskLayouts := func(devices []types.BaseVirtualDevice) ([]types.VirtualMachineFileLayoutDiskLayout, []types.VirtualMachineFileLayoutExDiskLayout) {
		var dl []types.VirtualMachineFileLayoutDiskLayout
		var dx []types.VirtualMachineFileLayoutExDiskLayout
		for _, d := range diskList(devices) {
			l := types.VirtualMachineFileLayoutDiskLayout{Key: d.Key}
			x := types.VirtualMachineFileLayoutExDiskLayout{Key: d.Key}
			for _, f := range chainFiles(d.Backing) {
				l.DiskFile = append(l.DiskFile, f)
				unit := types.VirtualMachineFileLayoutExDiskUnit{FileKey: []int32{key(f, string(types.VirtualMachineFileLayoutExFileTypeDiskDescriptor))}}
				flat := strings.TrimSuffix(f, ".vmdk") + "-flat.vmdk"
				if _, ok := exists(flat); ok {
					unit.FileKey = append(unit.FileKey, key(flat, string(types.VirtualMachineFileLayoutExFileTypeDiskExtent)))
				}
				x.Chain = append(x.Chain, unit)
			}
			dl = append(dl, l)
			dx = append(dx, x)
		}
		return dl, dx
	}
	vm.Layout.Disk, vm.LayoutEx.Disk = diskLayouts(vm.Config.Hardware.Device)
	vm.Layout.Snapshot = nil
	vm.LayoutEx.Snapshot = nil
	for _, s := range vmSnapshots(vm) {
		n := v.snapFiles()[s.Self.Value]
		dk := int32(-1)
		var sfiles []string
		if n != "" {
			p := dsJoin(snapDir(vm), n)
			dk = key(p, string(types.VirtualMachineFileLayoutExFileTypeSnapshotData))
			sfiles = append(sfiles, p)
		}
		dl, dx := diskLayouts(s.Config.Hardware.Device)
		for _, d := range dl {
			sfiles = append(sfiles, d.DiskFile...)
		}
		vm.Layout.Snapshot = append(vm.Layout.Snapshot, types.VirtualMachineFileLayoutSnapshotLayout{Key: s.Self, SnapshotFile: sfiles})
		vm.LayoutEx.Snapshot = append(vm.LayoutEx.Snapshot, types.VirtualMachineFileLayoutExSnapshotLayout{
			Key: s.Self, DataKey: dk, MemoryKey: -1, Disk: dx})
	}
	vm.LayoutEx.File = files
	vm.LayoutEx.Timestamp = time.Now()
}

func containsFile(files []string, f string) bool {
	for _, x := range files {
		if x == f {
			return true
		}
	}
	return false
}
