package main

// Each correction of the stock simulator has a scenario here. A scenario
// must pass against the lab and must fail against the stock simulator: the
// test re-runs itself in a child process (its own registry) with
// MTV_LAB_STOCK=1, where the lab's request layer is left out.

import (
	"context"
	"errors"
	"fmt"
	"io/ioutil"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/task"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

type testEnv struct {
	l      *Lab
	v      *vsphere
	c      *vim25.Client
	finder *find.Finder
	folder *object.Folder
	pool   *object.ResourcePool
	tmpl   *object.VirtualMachine
}

var (
	envOnce sync.Once
	envVal  *testEnv
	envErr  error
)

func labEnv(t *testing.T) *testEnv {
	envOnce.Do(func() { envVal, envErr = newTestEnv() })
	if envErr != nil {
		t.Fatalf("lab: %v", envErr)
	}
	return envVal
}

func newTestEnv() (*testEnv, error) {
	dir, err := ioutil.TempDir("", "mtv-lab-gotest")
	if err != nil {
		return nil, err
	}
	l := &Lab{Dir: dir, Control: http.NewServeMux(), Logf: func(string, ...interface{}) {}}
	if err := labCA(l); err != nil {
		return nil, err
	}
	v, err := vsphereBuild(l, 100*time.Millisecond)
	if err != nil {
		return nil, err
	}
	v.stock = os.Getenv("MTV_LAB_STOCK") == "1"
	if err := v.serve(); err != nil {
		return nil, err
	}
	ctx := context.Background()
	u, err := soap.ParseURL(l.VSphere.URL)
	if err != nil {
		return nil, err
	}
	sc := soap.NewClient(u, false)
	if err := sc.SetRootCAs(l.CAFile); err != nil {
		return nil, err
	}
	c, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, err
	}
	if err := session.NewManager(c).Login(ctx, url.UserPassword(l.VSphere.Username, l.VSphere.Password)); err != nil {
		return nil, err
	}
	e := &testEnv{l: l, v: v, c: c, finder: find.NewFinder(c, true)}
	dc, err := e.finder.Datacenter(ctx, "DC0")
	if err != nil {
		return nil, err
	}
	e.finder.SetDatacenter(dc)
	f, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	e.folder = f.VmFolder
	e.pool = object.NewResourcePool(c, types.ManagedObjectReference{Type: "ResourcePool", Value: l.Inv.ResourcePool})
	e.tmpl, err = e.finder.VirtualMachine(ctx, "xcopy-template-test")
	return e, err
}

func (e *testEnv) ds(moid string) types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "Datastore", Value: moid}
}

func (e *testEnv) vmProps(vm *object.VirtualMachine) (mo.VirtualMachine, error) {
	var m mo.VirtualMachine
	err := vm.Properties(context.Background(), vm.Reference(), []string{"name", "config", "runtime", "guest", "datastore"}, &m)
	return m, err
}

func vmDisks(m mo.VirtualMachine) []*types.VirtualDisk {
	return diskList(m.Config.Hardware.Device)
}

func (e *testEnv) clone(name string, spec types.VirtualMachineCloneSpec) (*object.VirtualMachine, error) {
	ctx := context.Background()
	if spec.Location.Pool == nil {
		p := e.pool.Reference()
		spec.Location.Pool = &p
	}
	t, err := e.tmpl.Clone(ctx, e.folder, name, spec)
	if err != nil {
		return nil, err
	}
	info, err := t.WaitForResult(ctx, nil)
	if err != nil {
		return nil, err
	}
	return object.NewVirtualMachine(e.c, info.Result.(types.ManagedObjectReference)), nil
}

func (e *testEnv) tmplDiskKey() (int32, string, error) {
	m, err := e.vmProps(e.tmpl)
	if err != nil {
		return 0, "", err
	}
	d := vmDisks(m)
	return d[0].Key, d[0].Backing.(*types.VirtualDiskFlatVer2BackingInfo).FileName, nil
}

func diskAdd(ctrl, unit int32, sizeGB int64, thin bool) *types.VirtualDeviceConfigSpec {
	u := unit
	return &types.VirtualDeviceConfigSpec{
		Operation:     types.VirtualDeviceConfigSpecOperationAdd,
		FileOperation: types.VirtualDeviceConfigSpecFileOperationCreate,
		Device: &types.VirtualDisk{
			VirtualDevice: types.VirtualDevice{
				Key: -1000 - unit, ControllerKey: ctrl, UnitNumber: &u,
				Backing: &types.VirtualDiskFlatVer2BackingInfo{
					VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: "[xcopy-ds]"},
					DiskMode:                     "persistent", ThinProvisioned: types.NewBool(thin), EagerlyScrub: types.NewBool(false),
				},
			},
			CapacityInKB: sizeGB << 20,
		},
	}
}

func scsiKey(m mo.VirtualMachine) int32 {
	for _, d := range m.Config.Hardware.Device {
		if _, ok := d.(types.BaseVirtualSCSIController); ok {
			return d.GetVirtualDevice().Key
		}
	}
	return -1
}

func (e *testEnv) reconfig(vm *object.VirtualMachine, spec types.VirtualMachineConfigSpec) error {
	t, err := vm.Reconfigure(context.Background(), spec)
	if err != nil {
		return err
	}
	return t.Wait(context.Background())
}

func faultIs(err error, want interface{}) bool {
	if err == nil {
		return false
	}
	var f interface{}
	if soap.IsSoapFault(err) {
		f = soap.ToSoapFault(err).VimFault()
	} else if soap.IsVimFault(err) {
		f = soap.ToVimFault(err)
	} else {
		var te task.Error
		if errors.As(err, &te) {
			f = te.Fault()
		}
	}
	name := func(x interface{}) string { return strings.TrimPrefix(fmt.Sprintf("%T", x), "*") }
	return f != nil && name(f) == name(want)
}

// scenarios: nil error = behaves like vCenter.
var scenarios = map[string]func(e *testEnv, name string) error{
	"clone-keeps-template": func(e *testEnv, name string) error {
		_, before, err := e.tmplDiskKey()
		if err != nil {
			return err
		}
		if _, err := e.clone(name, types.VirtualMachineCloneSpec{}); err != nil {
			return err
		}
		_, after, err := e.tmplDiskKey()
		if err != nil {
			return err
		}
		if after != before {
			return fmt.Errorf("template disk became %q (was %q)", after, before)
		}
		return nil
	},
	"clone-disk-locator": func(e *testEnv, name string) error {
		key, _, err := e.tmplDiskKey()
		if err != nil {
			return err
		}
		spec := types.VirtualMachineCloneSpec{Location: types.VirtualMachineRelocateSpec{Disk: []types.VirtualMachineRelocateSpecDiskLocator{{
			DiskId: key, Datastore: e.ds(e.l.Inv.SecondaryDS),
			DiskBackingInfo: &types.VirtualDiskFlatVer2BackingInfo{DiskMode: "persistent", ThinProvisioned: types.NewBool(false), EagerlyScrub: types.NewBool(true)},
		}}}}
		vm, err := e.clone(name, spec)
		if err != nil {
			return err
		}
		m, err := e.vmProps(vm)
		if err != nil {
			return err
		}
		b := vmDisks(m)[0].Backing.(*types.VirtualDiskFlatVer2BackingInfo)
		if *b.ThinProvisioned || !*b.EagerlyScrub {
			return fmt.Errorf("clone disk thin=%v eager=%v", *b.ThinProvisioned, *b.EagerlyScrub)
		}
		if b.Datastore == nil || b.Datastore.Value != e.l.Inv.SecondaryDS {
			return fmt.Errorf("clone disk on %v (%s)", b.Datastore, b.FileName)
		}
		return nil
	},
	"clone-poweron-cbt": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{PowerOn: true, Config: &types.VirtualMachineConfigSpec{ChangeTrackingEnabled: types.NewBool(true)}})
		if err != nil {
			return err
		}
		m, err := e.vmProps(vm)
		if err != nil {
			return err
		}
		if m.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
			return fmt.Errorf("power state %s", m.Runtime.PowerState)
		}
		if m.Config.ChangeTrackingEnabled == nil || !*m.Config.ChangeTrackingEnabled {
			return fmt.Errorf("CBT not enabled")
		}
		return nil
	},
	"clone-transform-flat": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{Location: types.VirtualMachineRelocateSpec{Transform: types.VirtualMachineRelocateTransformationFlat}})
		if err != nil {
			return err
		}
		m, err := e.vmProps(vm)
		if err != nil {
			return err
		}
		if *vmDisks(m)[0].Backing.(*types.VirtualDiskFlatVer2BackingInfo).ThinProvisioned {
			return fmt.Errorf("transform flat left the disk thin")
		}
		return nil
	},
	"clone-duplicate-name": func(e *testEnv, name string) error {
		if _, err := e.clone(name, types.VirtualMachineCloneSpec{}); err != nil {
			return err
		}
		_, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if !faultIs(err, &types.DuplicateName{}) {
			return fmt.Errorf("second clone: %v", err)
		}
		return nil
	},
	"clone-bad-datastore": func(e *testEnv, name string) error {
		bad := e.ds("datastore-999999")
		_, err := e.clone(name, types.VirtualMachineCloneSpec{Location: types.VirtualMachineRelocateSpec{Datastore: &bad}})
		if !faultIs(err, &types.ManagedObjectNotFound{}) {
			return fmt.Errorf("got %v", err)
		}
		return nil
	},
	"rdm-add": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if err != nil {
			return err
		}
		m, err := e.vmProps(vm)
		if err != nil {
			return err
		}
		unit := int32(3)
		add := &types.VirtualDeviceConfigSpec{
			Operation: types.VirtualDeviceConfigSpecOperationAdd, FileOperation: types.VirtualDeviceConfigSpecFileOperationCreate,
			Device: &types.VirtualDisk{VirtualDevice: types.VirtualDevice{Key: -9, ControllerKey: scsiKey(m), UnitNumber: &unit,
				Backing: &types.VirtualDiskRawDiskMappingVer1BackingInfo{
					VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: "[xcopy-ds]"},
					LunUuid:                      e.l.Inv.RDMLunUUID, DeviceName: "/vmfs/devices/disks/" + e.l.Inv.RDMLunNAA,
					CompatibilityMode: "physicalMode", DiskMode: "independent_persistent",
				}}, CapacityInKB: 10 << 20},
		}
		if err := e.reconfig(vm, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{add}}); err != nil {
			return err
		}
		m, err = e.vmProps(vm)
		if err != nil {
			return err
		}
		for _, d := range vmDisks(m) {
			if b, ok := d.Backing.(*types.VirtualDiskRawDiskMappingVer1BackingInfo); ok && b.LunUuid == e.l.Inv.RDMLunUUID {
				return nil
			}
		}
		return fmt.Errorf("no RDM disk after reconfigure")
	},
	"relocate-moves-files": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if err != nil {
			return err
		}
		sec := e.ds(e.l.Inv.SecondaryDS)
		t, err := vm.Relocate(context.Background(), types.VirtualMachineRelocateSpec{Datastore: &sec}, types.VirtualMachineMovePriorityDefaultPriority)
		if err != nil {
			return err
		}
		if err := t.Wait(context.Background()); err != nil {
			return err
		}
		m, err := e.vmProps(vm)
		if err != nil {
			return err
		}
		fn := vmDisks(m)[0].Backing.(*types.VirtualDiskFlatVer2BackingInfo).FileName
		if m.Config.Files.VmPathName[:len("[xcopy-ds-2]")] != "[xcopy-ds-2]" || fn[:len("[xcopy-ds-2]")] != "[xcopy-ds-2]" {
			return fmt.Errorf("after relocate: vmx %s disk %s", m.Config.Files.VmPathName, fn)
		}
		if _, err := os.Stat(filepath.Join(e.v.dsDir, "xcopy-ds-2", name)); err != nil {
			return fmt.Errorf("no folder on the secondary: %v", err)
		}
		return nil
	},
	"unit7-rejected": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if err != nil {
			return err
		}
		m, _ := e.vmProps(vm)
		err = e.reconfig(vm, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{diskAdd(scsiKey(m), 7, 1, true)}})
		if !faultIs(err, &types.InvalidDeviceSpec{}) {
			return fmt.Errorf("unit 7: %v", err)
		}
		return nil
	},
	"unit16-rejected": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if err != nil {
			return err
		}
		lsi := &types.VirtualDeviceConfigSpec{Operation: types.VirtualDeviceConfigSpecOperationAdd,
			Device: &types.VirtualLsiLogicController{VirtualSCSIController: types.VirtualSCSIController{
				VirtualController: types.VirtualController{VirtualDevice: types.VirtualDevice{Key: -50}, BusNumber: 1}}}}
		err = e.reconfig(vm, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{lsi, diskAdd(-50, 16, 1, true)}})
		if !faultIs(err, &types.InvalidDeviceSpec{}) {
			return fmt.Errorf("unit 16 on LSI: %v", err)
		}
		return nil
	},
	"disk-on-unknown-datastore": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if err != nil {
			return err
		}
		m, _ := e.vmProps(vm)
		add := diskAdd(scsiKey(m), 1, 1, true)
		add.Device.(*types.VirtualDisk).Backing.(*types.VirtualDiskFlatVer2BackingInfo).FileName = "[no-such-ds] x/x.vmdk"
		err = e.reconfig(vm, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{add}})
		if !faultIs(err, &types.InvalidDatastorePath{}) {
			return fmt.Errorf("disk on [no-such-ds]: %v", err)
		}
		return nil
	},
	"config-target-vstorage": func(e *testEnv, name string) error {
		ctx := context.Background()
		var cl mo.ClusterComputeResource
		ref := types.ManagedObjectReference{Type: "ClusterComputeResource", Value: e.l.Inv.Cluster}
		if err := property.DefaultCollector(e.c).RetrieveOne(ctx, ref, []string{"environmentBrowser"}, &cl); err != nil {
			return err
		}
		host := types.ManagedObjectReference{Type: "HostSystem", Value: e.l.Inv.Hosts[0]}
		res, err := methods.QueryConfigTarget(ctx, e.c, &types.QueryConfigTarget{This: *cl.EnvironmentBrowser, Host: &host})
		if err != nil {
			return err
		}
		for _, d := range res.Returnval.Datastore {
			if d.Datastore.Datastore != nil && d.Datastore.Datastore.Value == e.l.Inv.PrimaryDS {
				if d.VStorageSupport != "vStorageSupported" {
					return fmt.Errorf("primary datastore vStorageSupport %q", d.VStorageSupport)
				}
				return nil
			}
		}
		return fmt.Errorf("primary datastore not in the config target")
	},
	"unknown-controller-rejected": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if err != nil {
			return err
		}
		err = e.reconfig(vm, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{diskAdd(9999, 1, 1, true)}})
		if !faultIs(err, &types.InvalidController{}) {
			return fmt.Errorf("controller 9999: %v", err)
		}
		return nil
	},
	"guest-ip-after-poweron": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if err != nil {
			return err
		}
		ctx := context.Background()
		t, err := vm.PowerOn(ctx)
		if err != nil {
			return err
		}
		if err := t.Wait(ctx); err != nil {
			return err
		}
		wctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		pc := property.DefaultCollector(e.c)
		return property.Wait(wctx, pc, vm.Reference(), []string{"guest.ipAddress", "guest.toolsRunningStatus"}, func(ch []types.PropertyChange) bool {
			ip, tools := "", ""
			for _, c := range ch {
				switch c.Name {
				case "guest.ipAddress":
					ip, _ = c.Val.(string)
				case "guest.toolsRunningStatus":
					tools, _ = c.Val.(string)
				}
			}
			return ip != "" && tools == "guestToolsRunning"
		})
	},
	"shutdown-guest-is-asynchronous": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{PowerOn: true})
		if err != nil {
			return err
		}
		ctx := context.Background()
		bctx, bcancel := context.WithTimeout(ctx, 2*time.Second)
		defer bcancel()
		err = property.Wait(bctx, property.DefaultCollector(e.c), vm.Reference(), []string{"guest.toolsRunningStatus"}, func(ch []types.PropertyChange) bool {
			return len(ch) > 0 && ch[0].Val == "guestToolsRunning"
		})
		if err != nil {
			return fmt.Errorf("tools never ran: %v", err)
		}
		if err := vm.ShutdownGuest(ctx); err != nil {
			return fmt.Errorf("ShutdownGuest: %v", err)
		}
		m, err := e.vmProps(vm)
		if err != nil {
			return err
		}
		if m.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
			return fmt.Errorf("ShutdownGuest powered off synchronously")
		}
		wctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		defer cancel()
		return vm.WaitForPowerState(wctx, types.VirtualMachinePowerStatePoweredOff)
	},
	"file-task-entity-is-datacenter": func(e *testEnv, name string) error {
		ctx := context.Background()
		dc := object.NewDatacenter(e.c, types.ManagedObjectReference{Type: "Datacenter", Value: e.l.Inv.Datacenter})
		fm := object.NewFileManager(e.c)
		dir := "[xcopy-ds] " + name + "-dir"
		if err := fm.MakeDirectory(ctx, dir, dc, true); err != nil {
			return err
		}
		t, err := fm.DeleteDatastoreFile(ctx, dir, dc)
		if err != nil {
			return err
		}
		var m mo.Task
		if err := t.Properties(ctx, t.Reference(), []string{"info"}, &m); err != nil {
			return err
		}
		if m.Info.Entity == nil || m.Info.Entity.Type != "Datacenter" {
			return fmt.Errorf("task entity %v", m.Info.Entity)
		}
		return nil
	},
	"thin-disk-keeps-free-space": func(e *testEnv, name string) error {
		vm, err := e.clone(name, types.VirtualMachineCloneSpec{})
		if err != nil {
			return err
		}
		ds := object.NewDatastore(e.c, e.ds(e.l.Inv.PrimaryDS))
		free := func() int64 {
			var m mo.Datastore
			ds.Properties(context.Background(), ds.Reference(), []string{"summary"}, &m)
			return m.Summary.FreeSpace
		}
		m, _ := e.vmProps(vm)
		before := free()
		if err := e.reconfig(vm, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{diskAdd(scsiKey(m), 1, 4, true)}}); err != nil {
			return err
		}
		if after := free(); after != before {
			return fmt.Errorf("thin 4 GiB disk took %d bytes", before-after)
		}
		if err := e.reconfig(vm, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{diskAdd(scsiKey(m), 2, 4, false)}}); err != nil {
			return err
		}
		if used := before - free(); used != 4<<30 {
			return fmt.Errorf("thick 4 GiB disk took %d bytes", used)
		}
		return nil
	},
	"task-name-is-method": func(e *testEnv, name string) error {
		t, err := e.tmpl.Clone(context.Background(), e.folder, name, types.VirtualMachineCloneSpec{Location: types.VirtualMachineRelocateSpec{Pool: types.NewReference(e.pool.Reference())}})
		if err != nil {
			return err
		}
		var m mo.Task
		if err := t.Properties(context.Background(), t.Reference(), []string{"info"}, &m); err != nil {
			return err
		}
		if m.Info.Name != "CloneVM_Task" {
			return fmt.Errorf("task info.name %q", m.Info.Name)
		}
		return nil
	},
}

func TestVsphereFixes(t *testing.T) {
	e := labEnv(t)
	defer os.RemoveAll(e.l.Dir)
	inv := e.v.inventory()
	if files := inv["datastore_files"].(map[string][]string); len(files[e.l.Inv.PrimaryDS]) == 0 {
		t.Fatalf("no template files on the primary datastore")
	}
	if len(e.l.Inv.Hosts) < 2 {
		t.Fatalf("want at least two hosts, got %v", e.l.Inv.Hosts)
	}
	i := 0
	for name, sc := range scenarios {
		i++
		name, sc, vmName := name, sc, fmt.Sprintf("fix-%d", i)
		t.Run(name, func(t *testing.T) {
			if err := sc(e, vmName); err != nil {
				t.Fatalf("lab: %v", err)
			}
			if testing.Short() {
				return
			}
			cmd := exec.Command(os.Args[0], "-test.run", "^TestVsphereStockScenario$", "-test.count=1")
			cmd.Env = append(os.Environ(), "MTV_LAB_STOCK=1", "MTV_LAB_SCENARIO="+name)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("the stock simulator passes %q, so the test proves nothing:\n%s", name, out)
			}
		})
	}
}

// TestVsphereStockScenario runs one scenario against the stock simulator and
// passes when the scenario fails there (run by TestVsphereFixes).
func TestVsphereStockScenario(t *testing.T) {
	name := os.Getenv("MTV_LAB_SCENARIO")
	if name == "" || os.Getenv("MTV_LAB_STOCK") != "1" {
		t.Skip("run by TestVsphereFixes")
	}
	e := labEnv(t)
	defer os.RemoveAll(e.l.Dir)
	done := make(chan error, 1)
	go func() { done <- scenarios[name](e, "stock-1") }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatalf("scenario %s passes on the stock simulator", name)
		}
		t.Logf("stock simulator fails as expected: %v", err)
	case <-time.After(20 * time.Second):
		t.Logf("stock simulator hangs in %s", name)
	}
}
