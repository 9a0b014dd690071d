package main

// Corrections of the stock simulator (govmomi 0.24.2), made around its
// handlers: the request is validated or rewritten before the simulator sees
// it, and the registry objects are corrected before the reply goes out.

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/types"
)

type fixFunc func(w http.ResponseWriter, r *http.Request, body []byte, m *simulator.Method)

func (v *vsphere) fixFor(name string) fixFunc {
	if guestOpMethods[name] {
		return v.fixGuestOps
	}
	switch name {
	case "CloneVM_Task":
		return v.fixClone
	case "RelocateVM_Task":
		return v.fixRelocate
	case "ReconfigVM_Task":
		return v.fixReconfig
	case "Destroy_Task":
		return v.fixDestroy
	case "QueryConfigTarget":
		return v.fixConfigTarget
	case "CreateSnapshot_Task", "RemoveSnapshot_Task", "RemoveAllSnapshots_Task", "RevertToSnapshot_Task", "RevertToCurrentSnapshot_Task":
		return v.fixSnapshot
	case "PowerOnVM_Task", "PowerOffVM_Task", "ResetVM_Task", "SuspendVM_Task", "ShutdownGuest", "RebootGuest":
		return v.fixPower
	}
	return v.shielded
}

func vmOf(ref types.ManagedObjectReference) *simulator.VirtualMachine {
	if ref.Type == "VirtualMachineSnapshot" {
		// a snapshot's methods work on its VM
		if s, ok := simulator.Map.Get(ref).(*simulator.VirtualMachineSnapshot); ok && s.Vm.Type == "VirtualMachine" {
			ref = s.Vm
		}
	}
	if ref.Type != "VirtualMachine" {
		return nil
	}
	vm, _ := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	return vm
}

// missingRef returns the first reference that does not resolve.
func missingRef(refs ...*types.ManagedObjectReference) *types.ManagedObjectReference {
	for _, r := range refs {
		if r != nil && simulator.Map.Get(*r) == nil {
			return r
		}
	}
	return nil
}

func notFound(w http.ResponseWriter, ref *types.ManagedObjectReference) {
	writeFault(w, fmt.Sprintf("The object '%s:%s' has already been deleted or has not been completely created", ref.Type, ref.Value),
		&types.ManagedObjectNotFound{Obj: *ref})
}

func taskOK(t *simulator.Task) bool {
	return t != nil && t.Info.State == types.TaskInfoStateSuccess
}

// ---- RDM shield: the stock simulator type-asserts every disk backing to
// FlatVer2 (updateDiskLayouts) and panics on RDM. While a VM call runs, RDM
// backings are replaced by flat stand-ins and put back afterwards.

type rdmSwap struct {
	disk *types.VirtualDisk
	rdm  *types.VirtualDiskRawDiskMappingVer1BackingInfo
	flat *types.VirtualDiskFlatVer2BackingInfo
}

func shieldRDM(vm *simulator.VirtualMachine) []rdmSwap {
	if vm == nil || vm.Config == nil {
		return nil
	}
	var swaps []rdmSwap
	simulator.Map.WithLock(vm, func() {
		for _, d := range vm.Config.Hardware.Device {
			disk, ok := d.(*types.VirtualDisk)
			if !ok {
				continue
			}
			if rdm, ok := disk.Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo); ok {
				flat := rdmAsFlat(rdm)
				rdmShield.Store(flat, rdm)
				disk.Backing = flat
				swaps = append(swaps, rdmSwap{disk, rdm, flat})
			}
		}
	})
	return swaps
}

// rdmAsFlat is the flat stand-in of an RDM backing, with its delta chain
// (the simulator's disk layouts walk the parents).
func rdmAsFlat(rdm *types.VirtualDiskRawDiskMappingVer1BackingInfo) *types.VirtualDiskFlatVer2BackingInfo {
	flat := &types.VirtualDiskFlatVer2BackingInfo{
		VirtualDeviceFileBackingInfo: rdm.VirtualDeviceFileBackingInfo,
		DiskMode:                     rdm.DiskMode,
		ThinProvisioned:              types.NewBool(false),
		EagerlyScrub:                 types.NewBool(false),
	}
	if rdm.Parent != nil {
		flat.Parent = rdmAsFlat(rdm.Parent)
	}
	return flat
}

func unshieldRDM(vm *simulator.VirtualMachine, swaps []rdmSwap) {
	if len(swaps) == 0 {
		return
	}
	simulator.Map.WithLock(vm, func() {
		for _, s := range swaps {
			rdmShield.Delete(s.flat)
			if s.disk.Backing == types.BaseVirtualDeviceBackingInfo(s.flat) {
				s.rdm.FileName = s.flat.FileName
				s.rdm.Datastore = s.flat.Datastore
				s.disk.Backing = s.rdm
			}
		}
	})
}

func (v *vsphere) shielded(w http.ResponseWriter, r *http.Request, body []byte, m *simulator.Method) {
	vm := vmOf(m.This)
	swaps := shieldRDM(vm)
	rec := v.passThrough(r, body)
	unshieldRDM(vm, swaps)
	v.noteCookies(rec)
	copyReply(w, rec)
}

// localDir maps "[ds] dir/file" to the local directory holding the file.
func localDir(p string) string {
	name, rel := dsPathSplit(p)
	ds := dsByName(name)
	if ds == nil || rel == "" {
		return ""
	}
	return filepath.Dir(filepath.Join(ds.Info.GetDatastoreInfo().Url, rel))
}

// fixDestroy: the VM's folders go away with it when they are empty (the
// simulator leaves the VM folders of disks kept on other datastores).
func (v *vsphere) fixDestroy(w http.ResponseWriter, r *http.Request, body []byte, m *simulator.Method) {
	vm := vmOf(m.This)
	if m.This.Type != "VirtualMachine" {
		vm = nil
	}
	var dirs, chain []string
	var snaps []*simulator.VirtualMachineSnapshot
	if vm != nil && vm.Config != nil {
		dirs = append(dirs, localDir(vm.Config.Files.VmPathName))
		for _, d := range diskList(vm.Config.Hardware.Device) {
			for _, f := range chainFiles(d.Backing) {
				dirs = append(dirs, localDir(f))
			}
		}
		// snapshot deltas go with the VM (the simulator deletes only
		// each disk's current file), unless another VM uses them
		snaps = vmSnapshots(vm)
		others := map[string]bool{}
		for _, e := range simulator.Map.All("VirtualMachine") {
			if o, ok := e.(*simulator.VirtualMachine); ok && o != vm && o.Config != nil {
				for f := range chainsInUse(o, nil) {
					others[f] = true
				}
			}
		}
		for f := range chainsInUse(vm, nil) {
			if !others[f] {
				chain = append(chain, f)
			}
		}
	}
	swaps := shieldRDM(vm)
	rec := v.passThrough(r, body)
	if t := taskOf(rec); taskOK(t) && len(dirs) > 0 {
		for _, f := range chain {
			removeDiskFile(f)
		}
		v.forgetSnapshots(snaps)
		// only the VM's own folders (named like its home folder), never
		// folders such as shared_disks that the VM merely used
		home := filepath.Base(dirs[0])
		for _, d := range dirs {
			if d != "" && filepath.Base(d) == home {
				removeIfEmpty(d)
			}
		}
	} else {
		unshieldRDM(vm, swaps)
	}
	v.noteCookies(rec)
	copyReply(w, rec)
}

var configTargetDS = regexp.MustCompile(`(?s)(<datastore type="Datastore">([^<]+)</datastore>.*?<vStorageSupport>)([A-Za-z]+)(</vStorageSupport>)`)

// fixConfigTarget: EnvironmentBrowser.QueryConfigTarget reports the host
// mount's vStorageSupport (the simulator hard-codes vStorageUnsupported).
func (v *vsphere) fixConfigTarget(w http.ResponseWriter, r *http.Request, body []byte, m *simulator.Method) {
	rec := v.passThrough(r, body)
	if rec.Code == http.StatusOK {
		support := map[string]string{}
		for _, d := range labDatastores {
			support[d.moid] = vstorage(d.xcopy)
		}
		out := configTargetDS.ReplaceAllFunc(rec.Body.Bytes(), func(b []byte) []byte {
			sm := configTargetDS.FindSubmatch(b)
			if vs, ok := support[string(sm[2])]; ok {
				return []byte(string(sm[1]) + vs + string(sm[4]))
			}
			return b
		})
		rec.Body.Reset()
		rec.Body.Write(out)
		rec.Header().Del("Content-Length")
	}
	v.noteCookies(rec)
	copyReply(w, rec)
}

// ---- device validation (units, controllers)

type ctrlInfo struct {
	scsi     bool
	reserved int32
	max      int32
}

func controllerInfo(d types.BaseVirtualDevice) (ctrlInfo, bool) {
	switch c := d.(type) {
	case *types.ParaVirtualSCSIController:
		return ctrlInfo{true, scsiReserved(c.ScsiCtlrUnitNumber), 63}, true
	case types.BaseVirtualSCSIController:
		return ctrlInfo{true, scsiReserved(c.GetVirtualSCSIController().ScsiCtlrUnitNumber), 15}, true
	case *types.VirtualIDEController:
		return ctrlInfo{false, -1, 1}, true
	case *types.VirtualAHCIController, *types.VirtualSATAController:
		return ctrlInfo{false, -1, 29}, true
	case *types.VirtualNVMEController:
		return ctrlInfo{false, -1, 14}, true
	case types.BaseVirtualController:
		return ctrlInfo{false, -1, 1 << 20}, true
	}
	return ctrlInfo{}, false
}

func scsiReserved(n int32) int32 {
	if n == 0 {
		return 7
	}
	return n
}

// validateDevices rejects disk adds on a unit the controller reserves or
// does not have, and on controllers that do not exist.
func validateDevices(devices []types.BaseVirtualDevice, changes []types.BaseVirtualDeviceConfigSpec) types.BaseMethodFault {
	ctrls := map[int32]ctrlInfo{}
	for _, d := range devices {
		if ci, ok := controllerInfo(d); ok {
			ctrls[d.GetVirtualDevice().Key] = ci
		}
	}
	for _, ch := range changes {
		s := ch.GetVirtualDeviceConfigSpec()
		if s.Operation == types.VirtualDeviceConfigSpecOperationAdd && s.Device != nil {
			if ci, ok := controllerInfo(s.Device); ok {
				ctrls[s.Device.GetVirtualDevice().Key] = ci
			}
		}
	}
	for i, ch := range changes {
		s := ch.GetVirtualDeviceConfigSpec()
		if s.Operation != types.VirtualDeviceConfigSpecOperationAdd {
			continue
		}
		disk, ok := s.Device.(*types.VirtualDisk)
		if !ok {
			continue
		}
		spec := types.InvalidDeviceSpec{DeviceIndex: int32(i)}
		ci, ok := ctrls[disk.ControllerKey]
		if !ok {
			return &types.InvalidController{InvalidDeviceSpec: spec, ControllerKey: disk.ControllerKey}
		}
		if disk.UnitNumber == nil {
			continue
		}
		u := *disk.UnitNumber
		if u < 0 || u > ci.max || (ci.scsi && u == ci.reserved) {
			return &spec
		}
	}
	return nil
}

// checkDiskFiles finds disk adds whose backing names a datastore that does
// not exist (the simulator dereferences a nil datastore for those).
func checkDiskFiles(changes []types.BaseVirtualDeviceConfigSpec) (*types.ManagedObjectReference, types.BaseMethodFault) {
	for _, ch := range changes {
		s := ch.GetVirtualDeviceConfigSpec()
		disk, ok := s.Device.(*types.VirtualDisk)
		if !ok || s.Operation == types.VirtualDeviceConfigSpecOperationRemove {
			continue
		}
		fb, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo)
		if !ok {
			continue
		}
		info := fb.GetVirtualDeviceFileBackingInfo()
		if miss := missingRef(info.Datastore); miss != nil {
			return miss, nil
		}
		if name, _ := dsPathSplit(info.FileName); name != "" && dsByName(name) == nil {
			return nil, &types.InvalidDatastorePath{DatastorePath: info.FileName}
		}
		if info.FileName != "" && !strings.HasPrefix(info.FileName, "[") {
			return nil, &types.InvalidDatastorePath{DatastorePath: info.FileName}
		}
	}
	return nil, nil
}

// ---- ReconfigVM_Task: validation, RDM adds, controller unit 7

func (v *vsphere) fixReconfig(w http.ResponseWriter, r *http.Request, body []byte, m *simulator.Method) {
	req := m.Body.(*types.ReconfigVM_Task)
	vm := vmOf(req.This)
	if vm == nil {
		v.shielded(w, r, body, m)
		return
	}
	if miss, f := checkDiskFiles(req.Spec.DeviceChange); miss != nil {
		notFound(w, miss)
		return
	} else if f != nil {
		writeTaskReturn(w, "ReconfigVM_Task", failTask(req.This, "ReconfigVM_Task", f))
		return
	}
	if f := validateDevices(vm.Config.Hardware.Device, req.Spec.DeviceChange); f != nil && !vm.Config.Template {
		writeTaskReturn(w, "ReconfigVM_Task", failTask(req.This, "ReconfigVM_Task", f))
		return
	}
	// RDM adds: the simulator gets a flat stand-in; the backing is put in afterwards.
	var diskAdds []*types.VirtualDiskRawDiskMappingVer1BackingInfo
	rewritten := false
	for _, ch := range req.Spec.DeviceChange {
		s := ch.GetVirtualDeviceConfigSpec()
		disk, ok := s.Device.(*types.VirtualDisk)
		if !ok || s.Operation != types.VirtualDeviceConfigSpecOperationAdd {
			continue
		}
		rdm, isRDM := disk.Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo)
		if !isRDM {
			diskAdds = append(diskAdds, nil)
			continue
		}
		if f := v.checkLun(vm, rdm); f != nil {
			writeTaskReturn(w, "ReconfigVM_Task", failTask(req.This, "ReconfigVM_Task", f))
			return
		}
		mode := rdm.DiskMode
		if mode == "" {
			mode = string(types.VirtualDiskModePersistent)
		}
		disk.Backing = &types.VirtualDiskFlatVer2BackingInfo{
			VirtualDeviceFileBackingInfo: rdm.VirtualDeviceFileBackingInfo,
			DiskMode:                     mode,
			ThinProvisioned:              types.NewBool(true),
		}
		diskAdds = append(diskAdds, rdm)
		rewritten = true
	}
	if rewritten {
		b, err := encodeRequest(&methods.ReconfigVM_TaskBody{Req: req})
		if err != nil {
			writeFault(w, err.Error(), &types.SystemError{Reason: err.Error()})
			return
		}
		body = b
	}
	before := map[int32]bool{}
	for _, d := range vm.Config.Hardware.Device {
		before[d.GetVirtualDevice().Key] = true
	}
	gone := destroyedChains(vm, req.Spec.DeviceChange)
	swaps := shieldRDM(vm)
	rec := v.passThrough(r, body)
	unshieldRDM(vm, swaps)
	if t := taskOf(rec); taskOK(t) {
		// a destroyed disk's deltas and extents go with it (the
		// simulator deletes the current descriptor and flat extent only)
		simulator.Map.WithLock(vm, func() {
			use := chainsInUse(vm, nil)
			for _, f := range gone {
				if !use[f] {
					removeDiskFile(f)
				}
			}
		})
		simulator.Map.WithLock(vm, func() {
			k := 0
			for _, d := range vm.Config.Hardware.Device {
				if before[d.GetVirtualDevice().Key] {
					continue
				}
				if c, ok := d.(types.BaseVirtualSCSIController); ok {
					if c.GetVirtualSCSIController().ScsiCtlrUnitNumber == 0 {
						c.GetVirtualSCSIController().ScsiCtlrUnitNumber = 7
					}
				}
				disk, ok := d.(*types.VirtualDisk)
				if !ok {
					continue
				}
				if k < len(diskAdds) && diskAdds[k] != nil {
					rdm := diskAdds[k]
					if flat, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
						rdm.FileName = flat.FileName
						rdm.Datastore = flat.Datastore
						rdm.DiskMode = flat.DiskMode
					}
					if rdm.CompatibilityMode == "" {
						rdm.CompatibilityMode = string(types.VirtualDiskCompatibilityModeVirtualMode)
					}
					disk.Backing = rdm
				}
				k++
			}
			simulator.Map.Update(vm, []types.PropertyChange{
				{Name: "config.hardware.device", Val: vm.Config.Hardware.Device},
			})
		})
	}
	v.noteCookies(rec)
	copyReply(w, rec)
}

// checkLun rejects an RDM whose LUN the VM's host does not see.
func (v *vsphere) checkLun(vm *simulator.VirtualMachine, rdm *types.VirtualDiskRawDiskMappingVer1BackingInfo) types.BaseMethodFault {
	return v.checkLunOn(vm.Runtime.Host, rdm)
}

// checkLunOn rejects an RDM whose LUN the host does not see.
func (v *vsphere) checkLunOn(host *types.ManagedObjectReference, rdm *types.VirtualDiskRawDiskMappingVer1BackingInfo) types.BaseMethodFault {
	if host == nil {
		return nil
	}
	hs, ok := simulator.Map.Get(*host).(*simulator.HostSystem)
	if !ok || hs.Config == nil || hs.Config.StorageDevice == nil {
		return nil
	}
	for _, l := range hs.Config.StorageDevice.ScsiLun {
		sl := l.GetScsiLun()
		if (rdm.LunUuid != "" && sl.Uuid == rdm.LunUuid) ||
			(rdm.LunUuid == "" && rdm.DeviceName != "" && sl.DeviceName == rdm.DeviceName) {
			if rdm.DeviceName == "" {
				rdm.DeviceName = sl.DeviceName
			}
			return nil
		}
	}
	return &types.InvalidDeviceBacking{InvalidDeviceSpec: types.InvalidDeviceSpec{}}
}

// ---- CloneVM_Task

func deepCopy(v interface{}) interface{} {
	return copyValue(reflect.ValueOf(v)).Interface()
}

func copyValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Ptr:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Elem().Type())
		n.Elem().Set(copyValue(v.Elem()))
		return n
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		n := reflect.New(v.Type()).Elem()
		n.Set(copyValue(v.Elem()))
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).PkgPath != "" {
				continue
			}
			n.Field(i).Set(copyValue(v.Field(i)))
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			n.Index(i).Set(copyValue(v.Index(i)))
		}
		return n
	}
	return v
}

func diskList(devices []types.BaseVirtualDevice) []*types.VirtualDisk {
	var out []*types.VirtualDisk
	for _, d := range devices {
		if disk, ok := d.(*types.VirtualDisk); ok {
			out = append(out, disk)
		}
	}
	return out
}

func childVM(folder types.ManagedObjectReference, name string) *types.ManagedObjectReference {
	f, ok := simulator.Map.Get(folder).(*simulator.Folder)
	if !ok {
		return nil
	}
	for _, c := range f.ChildEntity {
		if c.Type != "VirtualMachine" {
			continue
		}
		if vm := vmOf(c); vm != nil && vm.Name == name {
			ref := c
			return &ref
		}
	}
	return nil
}

func (v *vsphere) fixClone(w http.ResponseWriter, r *http.Request, body []byte, m *simulator.Method) {
	req := m.Body.(*types.CloneVM_Task)
	src := vmOf(req.This)
	if src == nil {
		v.shielded(w, r, body, m)
		return
	}
	loc := &req.Spec.Location
	refs := []*types.ManagedObjectReference{&req.Folder, loc.Datastore, loc.Pool, loc.Host}
	for i := range loc.Disk {
		refs = append(refs, &loc.Disk[i].Datastore)
	}
	if miss := missingRef(refs...); miss != nil {
		notFound(w, miss)
		return
	}
	if _, ok := simulator.Map.Get(req.Folder).(*simulator.Folder); !ok {
		writeFault(w, "folder is not a Folder", &types.InvalidArgument{InvalidProperty: "folder"})
		return
	}
	for _, ref := range []*types.ManagedObjectReference{loc.Datastore} {
		if ref != nil && ref.Type != "Datastore" {
			writeFault(w, "not a datastore", &types.InvalidArgument{InvalidProperty: "spec.location.datastore"})
			return
		}
	}
	if dup := childVM(req.Folder, req.Name); dup != nil {
		writeTaskReturn(w, "CloneVM_Task", failTask(req.This, "CloneVM_Task", &types.DuplicateName{Name: req.Name, Object: *dup}))
		return
	}
	if req.Spec.Config != nil {
		if miss, f := checkDiskFiles(req.Spec.Config.DeviceChange); miss != nil {
			notFound(w, miss)
			return
		} else if f != nil {
			writeTaskReturn(w, "CloneVM_Task", failTask(req.This, "CloneVM_Task", f))
			return
		}
		if f := validateDevices(src.Config.Hardware.Device, req.Spec.Config.DeviceChange); f != nil {
			writeTaskReturn(w, "CloneVM_Task", failTask(req.This, "CloneVM_Task", f))
			return
		}
	}
	// RDM adds in the clone spec: the simulator gets flat stand-ins (it
	// panics on RDM backings); the backings are put in on the clone after.
	var rdmAdds []*types.VirtualDiskRawDiskMappingVer1BackingInfo
	if req.Spec.Config != nil {
		rewritten := false
		host := src.Runtime.Host
		if loc.Host != nil {
			host = loc.Host
		}
		for _, ch := range req.Spec.Config.DeviceChange {
			s := ch.GetVirtualDeviceConfigSpec()
			disk, ok := s.Device.(*types.VirtualDisk)
			if !ok || s.Operation != types.VirtualDeviceConfigSpecOperationAdd {
				continue
			}
			rdm, isRDM := disk.Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo)
			if !isRDM {
				rdmAdds = append(rdmAdds, nil)
				continue
			}
			if f := v.checkLunOn(host, rdm); f != nil {
				writeTaskReturn(w, "CloneVM_Task", failTask(req.This, "CloneVM_Task", f))
				return
			}
			if rdm.DiskMode == "" {
				rdm.DiskMode = string(types.VirtualDiskModePersistent)
			}
			disk.Backing = &types.VirtualDiskFlatVer2BackingInfo{
				VirtualDeviceFileBackingInfo: rdm.VirtualDeviceFileBackingInfo,
				DiskMode:                     rdm.DiskMode,
				ThinProvisioned:              types.NewBool(true),
			}
			rdmAdds = append(rdmAdds, rdm)
			rewritten = true
		}
		if rewritten {
			b, err := encodeRequest(&methods.CloneVM_TaskBody{Req: req})
			if err != nil {
				writeFault(w, err.Error(), &types.SystemError{Reason: err.Error()})
				return
			}
			body = b
		}
	}
	// The simulator hands the source's own device objects to the clone
	// (and rewrites their file names); give it copies, with RDM disks as
	// flat disks, and keep the source's objects untouched.
	var saved []types.BaseVirtualDevice
	simulator.Map.WithLock(src, func() {
		saved = src.Config.Hardware.Device
		copies := deepCopy(saved).([]types.BaseVirtualDevice)
		for _, d := range copies {
			if disk, ok := d.(*types.VirtualDisk); ok {
				if rdm, ok := disk.Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo); ok {
					disk.Backing = &types.VirtualDiskFlatVer2BackingInfo{
						VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: rdm.FileName},
						DiskMode:                     string(types.VirtualDiskModePersistent),
						ThinProvisioned:              types.NewBool(false),
						EagerlyScrub:                 types.NewBool(false),
					}
				}
			}
		}
		src.Config.Hardware.Device = copies
	})
	rec := v.passThrough(r, body)
	simulator.Map.WithLock(src, func() { src.Config.Hardware.Device = saved })
	t := taskOf(rec)
	if taskOK(t) {
		if ref, ok := t.Info.Result.(types.ManagedObjectReference); ok {
			if clone := vmOf(ref); clone != nil {
				restoreRDMAdds(clone, len(diskList(saved)), rdmAdds)
				v.applyClone(r, saved, clone, req)
			}
		}
	}
	v.noteCookies(rec)
	copyReply(w, rec)
}

// restoreRDMAdds puts the RDM backings of a clone spec's disk adds (the
// clone's disks after the first n) in place of their flat stand-ins.
func restoreRDMAdds(clone *simulator.VirtualMachine, n int, adds []*types.VirtualDiskRawDiskMappingVer1BackingInfo) {
	if len(adds) == 0 {
		return
	}
	simulator.Map.WithLock(clone, func() {
		disks := diskList(clone.Config.Hardware.Device)
		for k := 0; n+k < len(disks) && k < len(adds); k++ {
			rdm, disk := adds[k], disks[n+k]
			if rdm == nil {
				continue
			}
			if flat, ok := disk.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
				rdm.FileName = flat.FileName
				rdm.Datastore = flat.Datastore
				rdm.DiskMode = flat.DiskMode
			}
			if rdm.CompatibilityMode == "" {
				rdm.CompatibilityMode = string(types.VirtualDiskCompatibilityModeVirtualMode)
			}
			disk.Backing = rdm
		}
		simulator.Map.Update(clone, []types.PropertyChange{
			{Name: "config.hardware.device", Val: clone.Config.Hardware.Device},
		})
	})
}

func dsPathSplit(p string) (ds, rel string) {
	var dp object.DatastorePath
	if dp.FromString(p) {
		return dp.Datastore, dp.Path
	}
	return "", p
}

func dsName(ref *types.ManagedObjectReference) string {
	if ref == nil {
		return ""
	}
	if ds, ok := simulator.Map.Get(*ref).(*simulator.Datastore); ok {
		return ds.Name
	}
	return ""
}

// moveDisk moves a disk's files to another datastore folder and returns
// the new datastore path.
func moveDisk(file, toDS, dir string) (string, error) {
	fromDS, rel := dsPathSplit(file)
	src := dsByName(fromDS)
	dst := dsByName(toDS)
	if src == nil || dst == nil {
		return file, fmt.Errorf("datastore not found")
	}
	base := path.Base(rel)
	if dir == "" {
		dir = path.Dir(rel)
	}
	nu := fmt.Sprintf("[%s] %s", toDS, path.Join(dir, base))
	if nu == file {
		return file, nil
	}
	srcDir := filepath.Join(src.Info.GetDatastoreInfo().Url, path.Dir(rel))
	dstDir := filepath.Join(dst.Info.GetDatastoreInfo().Url, dir)
	if err := os.MkdirAll(dstDir, 0755); err != nil {
		return file, err
	}
	names := []string{base}
	for _, ext := range diskExtentSuffixes {
		names = append(names, strings.TrimSuffix(base, ".vmdk")+ext)
	}
	for _, n := range names {
		from := filepath.Join(srcDir, n)
		if _, err := os.Stat(from); err == nil {
			if err := os.Rename(from, filepath.Join(dstDir, n)); err != nil {
				return file, err
			}
		}
	}
	removeIfEmpty(srcDir)
	return nu, nil
}

func removeIfEmpty(dir string) {
	if ents, err := os.ReadDir(dir); err == nil && len(ents) == 0 {
		os.Remove(dir)
	}
}

func applyBacking(b *types.VirtualDiskFlatVer2BackingInfo, want types.BaseVirtualDeviceBackingInfo, transform types.VirtualMachineRelocateTransformation) {
	switch transform {
	case types.VirtualMachineRelocateTransformationFlat:
		b.ThinProvisioned = types.NewBool(false)
	case types.VirtualMachineRelocateTransformationSparse:
		b.ThinProvisioned = types.NewBool(true)
		b.EagerlyScrub = types.NewBool(false)
	}
	fb, ok := want.(*types.VirtualDiskFlatVer2BackingInfo)
	if !ok {
		return
	}
	if fb.ThinProvisioned != nil {
		b.ThinProvisioned = types.NewBool(*fb.ThinProvisioned)
	}
	if fb.EagerlyScrub != nil {
		b.EagerlyScrub = types.NewBool(*fb.EagerlyScrub)
	}
	if b.ThinProvisioned != nil && *b.ThinProvisioned {
		b.EagerlyScrub = types.NewBool(false)
	}
	if fb.DiskMode != "" {
		b.DiskMode = fb.DiskMode
	}
	if fb.Sharing != "" {
		b.Sharing = fb.Sharing
	}
}

func vmDatastores(vm *simulator.VirtualMachine) []types.ManagedObjectReference {
	set := map[string]bool{}
	if ds, _ := dsPathSplit(vm.Config.Files.VmPathName); ds != "" {
		set[ds] = true
	}
	for _, d := range diskList(vm.Config.Hardware.Device) {
		if fb, ok := d.Backing.(types.BaseVirtualDeviceFileBackingInfo); ok {
			if ds, _ := dsPathSplit(fb.GetVirtualDeviceFileBackingInfo().FileName); ds != "" {
				set[ds] = true
			}
		}
	}
	var out []types.ManagedObjectReference
	for name := range set {
		if ds := dsByName(name); ds != nil {
			out = append(out, ds.Self)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

func (v *vsphere) applyClone(r *http.Request, srcDevices []types.BaseVirtualDevice, clone *simulator.VirtualMachine, req *types.CloneVM_Task) {
	loc := &req.Spec.Location
	srcDisks := diskList(srcDevices)
	locators := map[int32]*types.VirtualMachineRelocateSpecDiskLocator{}
	for i := range loc.Disk {
		locators[loc.Disk[i].DiskId] = &loc.Disk[i]
	}
	simulator.Map.WithLock(clone, func() {
		cloneDisks := diskList(clone.Config.Hardware.Device)
		for i, sd := range srcDisks {
			if i >= len(cloneDisks) {
				break
			}
			cd := cloneDisks[i]
			b, ok := cd.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
			if !ok {
				continue
			}
			l := locators[sd.Key]
			var want types.BaseVirtualDeviceBackingInfo
			if l != nil {
				want = l.DiskBackingInfo
				if to := dsName(&l.Datastore); to != "" {
					if from, _ := dsPathSplit(b.FileName); from != to {
						_, rel := dsPathSplit(b.FileName)
						if nu, err := moveDisk(b.FileName, to, path.Dir(rel)); err == nil {
							b.FileName = nu
							ref := l.Datastore
							b.Datastore = &ref
						} else {
							v.l.Logf("vsphere: clone: move %s: %v", b.FileName, err)
						}
					}
				}
			}
			applyBacking(b, want, loc.Transform)
		}
		changes := []types.PropertyChange{
			{Name: "config.hardware.device", Val: clone.Config.Hardware.Device},
			{Name: "datastore", Val: vmDatastores(clone)},
		}
		if req.Spec.Config != nil && req.Spec.Config.ChangeTrackingEnabled != nil {
			changes = append(changes, types.PropertyChange{Name: "config.changeTrackingEnabled", Val: *req.Spec.Config.ChangeTrackingEnabled})
		}
		// The simulator keeps the clone on the source's host.
		if loc.Host != nil {
			changes = append(changes,
				types.PropertyChange{Name: "runtime.host", Val: *loc.Host},
				types.PropertyChange{Name: "summary.runtime.host", Val: *loc.Host})
		}
		simulator.Map.Update(clone, changes)
		if req.Spec.Config != nil && req.Spec.Config.ChangeTrackingEnabled != nil {
			clone.Config.ChangeTrackingEnabled = types.NewBool(*req.Spec.Config.ChangeTrackingEnabled)
		}
	})
	// the clone's disks get the source's current bytes
	var keys []int32
	for _, d := range srcDisks {
		keys = append(keys, d.Key)
	}
	v.cloneDiskBytes(vmOf(req.This), clone, keys)
	if req.Spec.PowerOn && !req.Spec.Template {
		b, err := encodeRequest(&methods.PowerOnVM_TaskBody{Req: &types.PowerOnVM_Task{This: clone.Self}})
		if err == nil {
			rec := v.passThrough(r, b)
			if taskOK(taskOf(rec)) {
				v.guestBoot(clone)
			}
		}
	}
}

// delayTask makes a finished task look running for a simulated duration,
// so that a client waiting on it really waits.
func (v *vsphere) delayTask(t *simulator.Task, d time.Duration) {
	if d <= 0 || t == nil || t.Info.State != types.TaskInfoStateSuccess {
		return
	}
	var result types.AnyType
	simulator.Map.WithLock(t, func() {
		result = t.Info.Result
		t.Info.Result = nil
		t.Info.CompleteTime = nil
		simulator.Map.Update(t, []types.PropertyChange{
			{Name: "info.state", Val: types.TaskInfoStateRunning},
			{Name: "info.progress", Val: int32(5)},
		})
	})
	time.AfterFunc(d, func() {
		simulator.Map.WithLock(t, func() {
			now := time.Now()
			simulator.Map.Update(t, []types.PropertyChange{
				{Name: "info.progress", Val: int32(100)},
				{Name: "info.result", Val: result},
				{Name: "info.completeTime", Val: now},
				{Name: "info.state", Val: types.TaskInfoStateSuccess},
			})
		})
	})
}

// ---- RelocateVM_Task: move the home and the disks

func (v *vsphere) fixRelocate(w http.ResponseWriter, r *http.Request, body []byte, m *simulator.Method) {
	req := m.Body.(*types.RelocateVM_Task)
	vm := vmOf(req.This)
	if vm == nil {
		v.shielded(w, r, body, m)
		return
	}
	spec := &req.Spec
	refs := []*types.ManagedObjectReference{spec.Datastore, spec.Pool, spec.Host, spec.Folder}
	for i := range spec.Disk {
		refs = append(refs, &spec.Disk[i].Datastore)
	}
	if miss := missingRef(refs...); miss != nil {
		notFound(w, miss)
		return
	}
	swaps := shieldRDM(vm)
	rec := v.passThrough(r, body)
	unshieldRDM(vm, swaps)
	if taskOK(taskOf(rec)) {
		v.applyRelocate(vm, spec)
	}
	v.noteCookies(rec)
	copyReply(w, rec)
}

func (v *vsphere) applyRelocate(vm *simulator.VirtualMachine, spec *types.VirtualMachineRelocateSpec) {
	locators := map[int32]*types.VirtualMachineRelocateSpecDiskLocator{}
	for i := range spec.Disk {
		locators[spec.Disk[i].DiskId] = &spec.Disk[i]
	}
	simulator.Map.WithLock(vm, func() {
		homeDS, homeRel := dsPathSplit(vm.Config.Files.VmPathName)
		homeDir := path.Dir(homeRel)
		var changes []types.PropertyChange
		if to := dsName(spec.Datastore); to != "" && to != homeDS {
			src, dst := dsByName(homeDS), dsByName(to)
			if src != nil && dst != nil {
				from := filepath.Join(src.Info.GetDatastoreInfo().Url, homeDir)
				into := filepath.Join(dst.Info.GetDatastoreInfo().Url, homeDir)
				os.MkdirAll(into, 0755)
				if ents, err := os.ReadDir(from); err == nil {
					for _, e := range ents {
						if strings.HasSuffix(e.Name(), ".vmdk") {
							continue // disks follow their own rule below
						}
						os.Rename(filepath.Join(from, e.Name()), filepath.Join(into, e.Name()))
					}
				}
				nu := fmt.Sprintf("[%s] %s", to, homeRel)
				vm.Config.Files.VmPathName = nu
				if vm.Config.Files.LogDirectory != "" {
					vm.Config.Files.LogDirectory = fmt.Sprintf("[%s] %s", to, homeDir)
				}
				vm.Config.Files.SnapshotDirectory = fmt.Sprintf("[%s] %s", to, homeDir)
				vm.Config.Files.SuspendDirectory = fmt.Sprintf("[%s] %s", to, homeDir)
				changes = append(changes,
					types.PropertyChange{Name: "config.files", Val: vm.Config.Files},
					types.PropertyChange{Name: "summary.config.vmPathName", Val: nu})
				defer removeIfEmpty(from)
			}
		}
		moved := map[string]string{}
		for _, d := range diskList(vm.Config.Hardware.Device) {
			if _, ok := d.Backing.(types.BaseVirtualDeviceFileBackingInfo); !ok {
				continue
			}
			l := locators[d.Key]
			var target *types.ManagedObjectReference
			if l != nil {
				target = &l.Datastore
			} else if spec.Datastore != nil {
				target = spec.Datastore
			}
			// the whole delta chain moves with the disk
			for _, b := range chainOf(d.Backing) {
				info := b.(types.BaseVirtualDeviceFileBackingInfo).GetVirtualDeviceFileBackingInfo()
				to := dsName(target)
				if to == "" {
					break
				}
				if from, _ := dsPathSplit(info.FileName); from == to {
					continue
				}
				_, rel := dsPathSplit(info.FileName)
				dir := path.Dir(rel)
				if dir == "." || dir == "" {
					dir = homeDir
				}
				if nu, err := moveDisk(info.FileName, to, dir); err == nil {
					moved[info.FileName] = nu
					info.FileName = nu
					ref := *target
					info.Datastore = &ref
				} else {
					v.l.Logf("vsphere: relocate: move %s: %v", info.FileName, err)
				}
			}
			if flat, ok := d.Backing.(*types.VirtualDiskFlatVer2BackingInfo); ok {
				var want types.BaseVirtualDeviceBackingInfo
				if l != nil {
					want = l.DiskBackingInfo
				}
				applyBacking(flat, want, spec.Transform)
			}
		}
		changes = append(changes,
			types.PropertyChange{Name: "config.hardware.device", Val: vm.Config.Hardware.Device},
			types.PropertyChange{Name: "datastore", Val: vmDatastores(vm)})
		if vm.Snapshot != nil {
			renameSnapshotFiles(vm, moved)
			v.relayout(vm)
			changes = append(changes,
				types.PropertyChange{Name: "layout", Val: vm.Layout},
				types.PropertyChange{Name: "layoutEx", Val: vm.LayoutEx})
		}
		simulator.Map.Update(vm, changes)
	})
}

// ---- power and guest tools

func (v *vsphere) fixPower(w http.ResponseWriter, r *http.Request, body []byte, m *simulator.Method) {
	vm := vmOf(m.This)
	if vm == nil {
		v.shielded(w, r, body, m)
		return
	}
	name := m.Name
	if name == "ShutdownGuest" || name == "RebootGuest" {
		if vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn &&
			(vm.Guest == nil || vm.Guest.ToolsRunningStatus != string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)) {
			writeFault(w, "Cannot complete operation because VMware Tools is not running in this virtual machine.", &types.ToolsUnavailable{})
			return
		}
	}
	if name == "RebootGuest" && vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
		v.guestReset(vm)
		v.guestBoot(vm)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		fmt.Fprintf(w, `%s<RebootGuestResponse xmlns="urn:vim25"></RebootGuestResponse>%s`, envHead, envTail)
		return
	}
	if name == "ShutdownGuest" && vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
		// As on vCenter the call returns at once; the guest stops its
		// tools and the VM powers off after the shutdown delay.
		v.guestReset(vm)
		v.ctl.Lock()
		d := v.shutdown
		gen := v.guestGen[vm.Self.Value]
		v.ctl.Unlock()
		ref := vm.Self
		time.AfterFunc(d, func() {
			v.ctl.Lock()
			cur := v.guestGen[ref.Value]
			v.ctl.Unlock()
			if cur != gen {
				return // powered on/off again meanwhile
			}
			v.mu.Lock()
			defer v.mu.Unlock()
			if vmOf(ref) == nil || vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
				return
			}
			swaps := shieldRDM(vm)
			if t, err := object.NewVirtualMachine(v.client, ref).PowerOff(context.Background()); err == nil {
				_ = t.Wait(context.Background())
			}
			unshieldRDM(vm, swaps)
		})
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		fmt.Fprintf(w, `%s<ShutdownGuestResponse xmlns="urn:vim25"></ShutdownGuestResponse>%s`, envHead, envTail)
		return
	}
	swaps := shieldRDM(vm)
	rec := v.passThrough(r, body)
	unshieldRDM(vm, swaps)
	ok := rec.Code == http.StatusOK
	if t := taskOf(rec); t != nil {
		ok = taskOK(t)
	}
	if ok {
		switch name {
		case "PowerOnVM_Task":
			v.guestBoot(vm)
		case "ResetVM_Task":
			v.guestReset(vm)
			v.guestBoot(vm)
		default:
			v.guestReset(vm)
		}
	}
	v.noteCookies(rec)
	copyReply(w, rec)
}

func guestIP(vm *simulator.VirtualMachine) string {
	for _, o := range vm.Config.ExtraConfig {
		ov := o.GetOptionValue()
		if ov.Key == "guestinfo.ip" {
			if s, ok := ov.Value.(string); ok && s != "" {
				return s
			}
		}
	}
	h := fnv.New32a()
	h.Write([]byte(vm.Self.Value + vm.Config.Uuid))
	n := h.Sum32()
	return fmt.Sprintf("10.%d.%d.%d", 100+(n>>16)%100, (n>>8)&0xff, 2+(n&0xff)%250)
}

// guestBoot reports running tools and an IP after the guest boot delay.
func (v *vsphere) guestBoot(vm *simulator.VirtualMachine) {
	v.ctl.Lock()
	v.guestGen[vm.Self.Value]++
	gen := v.guestGen[vm.Self.Value]
	d := v.boot
	v.ctl.Unlock()
	time.AfterFunc(d, func() {
		v.ctl.Lock()
		cur := v.guestGen[vm.Self.Value]
		v.ctl.Unlock()
		if cur != gen {
			return
		}
		// the guest boots from its disk: no guest, no tools
		v.mu.Lock()
		host, booted := "", false
		var nics []guestNIC
		if vmOf(vm.Self) != nil && vm.Runtime.PowerState == types.VirtualMachinePowerStatePoweredOn {
			host, booted = v.guestBootFacts(vm)
			nics = vmNICs(vm)
		}
		v.mu.Unlock()
		if !booted {
			return
		}
		simulator.Map.WithLock(vm, func() {
			if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn || vm.Guest == nil {
				return
			}
			ip := guestIP(vm)
			g := vm.Guest
			g.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsRunning)
			g.ToolsStatus = types.VirtualMachineToolsStatusToolsOk
			g.GuestState = "running"
			g.IpAddress = ip
			g.HostName = host
			g.GuestFamily = string(types.VirtualMachineGuestOsFamilyLinuxGuest)
			if g.GuestId == "" {
				g.GuestId = vm.Config.GuestId
			}
			if g.GuestFullName == "" {
				g.GuestFullName = vm.Config.GuestFullName
			}
			g.Net = guestNetInfo(vm, nics)
			ready := true
			g.GuestOperationsReady = &ready
			changes := []types.PropertyChange{
				{Name: "guest.toolsRunningStatus", Val: g.ToolsRunningStatus},
				{Name: "guest.toolsStatus", Val: g.ToolsStatus},
				{Name: "guest.guestState", Val: g.GuestState},
				{Name: "guest.ipAddress", Val: ip},
				{Name: "guest.hostName", Val: host},
				{Name: "guest.guestFamily", Val: g.GuestFamily},
				{Name: "guest.guestOperationsReady", Val: ready},
				{Name: "guest.net", Val: g.Net},
			}
			if vm.Summary.Guest != nil {
				vm.Summary.Guest.ToolsRunningStatus = g.ToolsRunningStatus
				vm.Summary.Guest.ToolsStatus = g.ToolsStatus
				vm.Summary.Guest.IpAddress = ip
				vm.Summary.Guest.HostName = host
				vm.Summary.Guest.GuestFullName = g.GuestFullName
				vm.Summary.Guest.GuestId = g.GuestId
				changes = append(changes, types.PropertyChange{Name: "summary.guest", Val: *vm.Summary.Guest})
			}
			simulator.Map.Update(vm, changes)
		})
	})
}

// guestReset: tools stop and the IP goes away when the guest is off.
func (v *vsphere) guestReset(vm *simulator.VirtualMachine) {
	v.ctl.Lock()
	v.guestGen[vm.Self.Value]++
	v.ctl.Unlock()
	v.guestProcsReset(vm)
	simulator.Map.WithLock(vm, func() {
		g := vm.Guest
		if g == nil {
			return
		}
		g.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
		g.ToolsStatus = types.VirtualMachineToolsStatusToolsNotRunning
		g.GuestState = "notRunning"
		g.IpAddress = ""
		notReady := false
		g.GuestOperationsReady = &notReady
		for i := range g.Net {
			g.Net[i].IpAddress = nil
			g.Net[i].IpConfig = nil
		}
		changes := []types.PropertyChange{
			{Name: "guest.guestOperationsReady", Val: notReady},
			{Name: "guest.toolsRunningStatus", Val: g.ToolsRunningStatus},
			{Name: "guest.toolsStatus", Val: g.ToolsStatus},
			{Name: "guest.guestState", Val: g.GuestState},
			{Name: "guest.ipAddress", Val: ""},
			{Name: "guest.net", Val: g.Net},
		}
		if vm.Summary.Guest != nil {
			vm.Summary.Guest.ToolsRunningStatus = g.ToolsRunningStatus
			vm.Summary.Guest.ToolsStatus = g.ToolsStatus
			vm.Summary.Guest.IpAddress = ""
			changes = append(changes, types.PropertyChange{Name: "summary.guest", Val: *vm.Summary.Guest})
		}
		simulator.Map.Update(vm, changes)
	})
}

// ---- datastore space: thick disks take their capacity, thin ones nothing

func diskBytes(d *types.VirtualDisk) int64 {
	if d.CapacityInBytes > 0 {
		return d.CapacityInBytes
	}
	return d.CapacityInKB * 1024
}

func (v *vsphere) recomputeSpace() {
	used := map[string]int64{}
	vms := map[string][]types.ManagedObjectReference{}
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm, ok := e.(*simulator.VirtualMachine)
		if !ok || vm.Config == nil {
			continue
		}
		for _, ds := range vmDatastores(vm) {
			vms[ds.Value] = append(vms[ds.Value], vm.Self)
		}
		for _, d := range diskList(vm.Config.Hardware.Device) {
			fb, ok := d.Backing.(*types.VirtualDiskFlatVer2BackingInfo)
			if !ok {
				continue
			}
			if fb.ThinProvisioned != nil && *fb.ThinProvisioned {
				continue
			}
			name, _ := dsPathSplit(fb.FileName)
			used[name] += diskBytes(d)
		}
	}
	for _, e := range simulator.Map.All("Datastore") {
		ds, ok := e.(*simulator.Datastore)
		if !ok {
			continue
		}
		free := ds.Summary.Capacity - used[ds.Name]
		list := vms[ds.Self.Value]
		sort.Slice(list, func(i, j int) bool { return list[i].Value < list[j].Value })
		simulator.Map.WithLock(ds, func() {
			ds.Info.GetDatastoreInfo().FreeSpace = free
			changes := []types.PropertyChange{}
			if ds.Summary.FreeSpace != free {
				changes = append(changes, types.PropertyChange{Name: "summary.freeSpace", Val: free})
			}
			if !reflect.DeepEqual(ds.Vm, list) {
				changes = append(changes, types.PropertyChange{Name: "vm", Val: list})
			}
			if len(changes) > 0 {
				simulator.Map.Update(ds, changes)
			}
		})
	}
}

// destroyedChains lists the files of the disks a spec removes with
// fileOperation destroy.
func destroyedChains(vm *simulator.VirtualMachine, changes []types.BaseVirtualDeviceConfigSpec) []string {
	var out []string
	simulator.Map.WithLock(vm, func() {
		for _, ch := range changes {
			s := ch.GetVirtualDeviceConfigSpec()
			if s.Operation != types.VirtualDeviceConfigSpecOperationRemove ||
				s.FileOperation != types.VirtualDeviceConfigSpecFileOperationDestroy || s.Device == nil {
				continue
			}
			if d := vmDisk(vm, s.Device.GetVirtualDevice().Key); d != nil {
				out = append(out, chainFiles(d.Backing)...)
			}
		}
	})
	return out
}
