package main

// The simulated vCenter: govmomi's simulator with a copy-offload inventory.
// The stock simulator's bugs are corrected by a request-level layer
// (vsphere_soap.go, vsphere_fix.go); the library itself is used unmodified.

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/find"
	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/simulator/esx"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	gib          = int64(1) << 30
	dsCapacity   = 2 << 40 // 2 TiB per datastore
	templateDisk = 16 * gib
)

// dsSpec describes one lab datastore.
type dsSpec struct {
	key   string // primary, secondary, non_xcopy, nfs
	name  string
	moid  string
	naa   string // backing LUN (VMFS)
	xcopy bool
	nfs   bool
}

var labDatastores = []dsSpec{
	{key: "primary", name: "xcopy-ds", moid: "datastore-1001", naa: "naa.600a098038304437415d4b6a59684a51", xcopy: true},
	{key: "secondary", name: "xcopy-ds-2", moid: "datastore-1002", naa: "naa.600a098038304437415d4b6a59684a52", xcopy: true},
	{key: "non_xcopy", name: "plain-ds", moid: "datastore-1003", naa: "naa.6000c29a1b2c3d4e5f60718293a4b5c3"},
	{key: "nfs", name: "nfs-ds", moid: "datastore-1004", nfs: true},
}

const rdmNAA = "naa.600a098038304437415d4b6a59684a99"

var labTemplates = []string{"xcopy-template-test", "rhel9-template"}

type vsphere struct {
	l        *Lab
	model    *simulator.Model
	server   *simulator.Server
	inner    http.Handler
	client   *vim25.Client
	dsDir    string
	vmFolder string
	host0    string
	user     string
	pass     string

	// mu serializes every SOAP call except the property collector's
	// long polls, so that the corrections below see a stable registry.
	mu sync.Mutex

	ctl       sync.Mutex // guards the control state below
	counts    map[string]int
	faults    map[string][]faultRule
	idle      time.Duration
	seen      map[string]time.Time
	dead      map[string]bool
	boot      time.Duration
	shutdown  time.Duration
	taskDur   map[string]time.Duration // simulated durations per *_Task method
	guestGen  map[string]int
	baseline  []byte
	baseFiles map[string]bool
	stock     bool              // tests only: serve the unmodified simulator
	snapSeq   map[string]int32  // last snapshot id per VM (ids are never reused)
	snapVmsn  map[string]string // snapshot MoID -> its .vmsn file name
}

func lunUUID(naa string) string {
	return "0200000000" + strings.TrimPrefix(naa, "naa.") + "4c554e20202020"
}

func labLun(naa, vstorage string, size int64) *types.HostScsiDisk {
	uuid := lunUUID(naa)
	return &types.HostScsiDisk{
		ScsiLun: types.ScsiLun{
			HostDevice:       types.HostDevice{DeviceName: "/vmfs/devices/disks/" + naa, DeviceType: "disk"},
			Key:              "key-vim.host.ScsiDisk-" + uuid,
			Uuid:             uuid,
			CanonicalName:    naa,
			DisplayName:      "NETAPP Fibre Channel Disk (" + naa + ")",
			LunType:          "disk",
			Vendor:           "NETAPP  ",
			Model:            "LUN C-Mode      ",
			Revision:         "9140",
			OperationalState: []string{"ok"},
			VStorageSupport:  vstorage,
		},
		Capacity:   types.HostDiskDimensionsLba{BlockSize: 512, Block: size / 512},
		DevicePath: "/vmfs/devices/disks/" + naa,
		Ssd:        types.NewBool(true),
		LocalDisk:  types.NewBool(false),
	}
}

func vstorage(ok bool) string {
	if ok {
		return string(types.FileSystemMountInfoVStorageSupportStatusVStorageSupported)
	}
	return string(types.FileSystemMountInfoVStorageSupportStatusVStorageUnsupported)
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// vsphereBuild creates the inventory in-process; serve() starts HTTPS.
func vsphereBuild(l *Lab, boot time.Duration) (*vsphere, error) {
	v := &vsphere{
		l:        l,
		counts:   map[string]int{},
		faults:   map[string][]faultRule{},
		seen:     map[string]time.Time{},
		dead:     map[string]bool{},
		guestGen: map[string]int{},
		taskDur:  map[string]time.Duration{},
		boot:     boot,
		shutdown: 100 * time.Millisecond,
		user:     "administrator@vsphere.local",
		pass:     "lab-" + randHex(8),
		dsDir:    filepath.Join(l.Dir, "vsphere"),
	}
	os.RemoveAll(v.dsDir)
	os.RemoveAll(filepath.Join(l.Dir, "luns")) // LUN bytes (disk_bytes.go)
	if err := os.MkdirAll(v.dsDir, 0755); err != nil {
		return nil, err
	}
	found := false
	for _, g := range simulator.GuestID {
		if g == types.VirtualMachineGuestOsIdentifierRhel9_64Guest {
			found = true
		}
	}
	if !found {
		simulator.GuestID = append(simulator.GuestID, types.VirtualMachineGuestOsIdentifierRhel9_64Guest)
	}

	// Host-level facts, copied into every host by Create().
	esx.Setting = append(esx.Setting,
		&types.OptionValue{Key: "DataMover.HardwareAcceleratedMove", Value: int64(1)},
		&types.OptionValue{Key: "DataMover.HardwareAcceleratedInit", Value: int64(1)},
		&types.OptionValue{Key: "VMFS3.HardwareAcceleratedLocking", Value: int64(1)},
	)
	for _, d := range labDatastores {
		if d.naa != "" {
			esx.HostStorageDeviceInfo.ScsiLun = append(esx.HostStorageDeviceInfo.ScsiLun, labLun(d.naa, vstorage(d.xcopy), dsCapacity))
		}
	}
	esx.HostStorageDeviceInfo.ScsiLun = append(esx.HostStorageDeviceInfo.ScsiLun, labLun(rdmNAA, vstorage(true), 10*gib))

	m := simulator.VPX()
	m.Datastore = 0
	m.Machine = 0
	m.Host = 0
	m.ClusterHost = 2
	m.Portgroup = 0
	m.Autostart = false
	if err := m.Create(); err != nil {
		return nil, fmt.Errorf("create model: %v", err)
	}
	v.model = m
	l.DiskDev = v.diskDevByID
	si := simulator.Map.Get(vim25.ServiceInstance).(*simulator.ServiceInstance)
	si.Content.About.ApiVersion = "7.0.3.0"
	si.Content.About.Version = "7.0.3"
	si.Content.About.FullName = "VMware vCenter Server 7.0.3 build-lab (mtv-lab)"

	ctx := context.Background()
	c, err := vim25.NewClient(ctx, m.Service)
	if err != nil {
		return nil, err
	}
	v.client = c
	finder := find.NewFinder(c, true)
	dc, err := finder.Datacenter(ctx, "DC0")
	if err != nil {
		return nil, err
	}
	finder.SetDatacenter(dc)
	folders, err := dc.Folders(ctx)
	if err != nil {
		return nil, err
	}
	v.vmFolder = folders.VmFolder.Reference().Value
	cluster, err := finder.ClusterComputeResource(ctx, "*")
	if err != nil {
		return nil, err
	}
	hosts, err := cluster.Hosts(ctx)
	if err != nil {
		return nil, err
	}
	pool, err := cluster.ResourcePool(ctx)
	if err != nil {
		return nil, err
	}
	netw, err := finder.Network(ctx, "VM Network")
	if err != nil {
		return nil, err
	}
	inv := &l.Inv
	inv.Datacenter = dc.Reference().Value
	inv.Cluster = cluster.Reference().Value
	inv.ResourcePool = pool.Reference().Value
	inv.Network = netw.Reference().Value
	inv.DatastoreNames = map[string]string{}
	// ESXi hosts are named by the addresses their SSH service answers on,
	// as hosts added to vCenter by IP are, so that one esxi_host value is
	// both the placement name and the SSH address.
	addrs := esxiAddresses()
	for i, h := range hosts {
		name := fmt.Sprintf("esxi-%d.lab.local", i+1)
		if i < len(addrs) {
			name = addrs[i]
		}
		hs := simulator.Map.Get(h.Reference()).(*simulator.HostSystem)
		hs.Name = name
		hs.Summary.Config.Name = name
		inv.Hosts = append(inv.Hosts, h.Reference().Value)
		inv.HostNames = append(inv.HostNames, name)
	}
	v.host0 = inv.Hosts[0]
	inv.RDMLunNAA = rdmNAA
	inv.RDMLunUUID = lunUUID(rdmNAA)

	// Datastores, mounted on every host.
	for _, d := range labDatastores {
		dir := filepath.Join(v.dsDir, d.name)
		if err := os.MkdirAll(dir, 0755); err != nil {
			return nil, err
		}
		var ref types.ManagedObjectReference
		for _, h := range hosts {
			dss, err := h.ConfigManager().DatastoreSystem(ctx)
			if err != nil {
				return nil, err
			}
			var ds *object.Datastore
			if d.nfs {
				ds, err = dss.CreateNasDatastore(ctx, types.HostNasVolumeSpec{
					RemoteHost: "nfs.lab.local", RemotePath: "/export/" + d.name,
					LocalPath: dir, AccessMode: string(types.HostMountModeReadWrite), Type: "NFS",
				})
			} else {
				ds, err = dss.CreateLocalDatastore(ctx, d.name, dir)
			}
			if err != nil {
				return nil, fmt.Errorf("datastore %s: %v", d.name, err)
			}
			ref = ds.Reference()
		}
		if err := v.shapeDatastore(ref, d, dir, hosts); err != nil {
			return nil, err
		}
		inv.DatastoreNames[d.moid] = d.name
		switch d.key {
		case "primary":
			inv.PrimaryDS = d.moid
		case "secondary":
			inv.SecondaryDS = d.moid
		case "non_xcopy":
			inv.NonXcopyDS = d.moid
		case "nfs":
			inv.NFSDS = d.moid
		}
	}
	v.hostMounts(hosts)

	// Templates.
	for i, name := range labTemplates {
		if err := v.makeTemplate(ctx, folders.VmFolder, pool, hosts[i%len(hosts)], name); err != nil {
			return nil, fmt.Errorf("template %s: %v", name, err)
		}
		inv.Templates = append(inv.Templates, name)
	}
	if err := v.guestInstallTemplates(); err != nil {
		return nil, err
	}
	v.recomputeSpace()
	return v, nil
}

// shapeDatastore turns a simulator local/NAS datastore into a VMFS (or NFS)
// datastore that looks like a real one, and gives it a vCenter-like MoID.
func (v *vsphere) shapeDatastore(ref types.ManagedObjectReference, d dsSpec, dir string, hosts []*object.HostSystem) error {
	ds, ok := simulator.Map.Get(ref).(*simulator.Datastore)
	if !ok {
		return fmt.Errorf("datastore %s not found", ref.Value)
	}
	uuid := randHex(4) + "-" + randHex(4) + "-" + randHex(2) + "-" + randHex(6)
	if d.nfs {
		ds.Summary.Type = "NFS"
		ds.Info = &types.NasDatastoreInfo{
			DatastoreInfo: types.DatastoreInfo{Name: d.name, Url: dir, FreeSpace: dsCapacity, MaxFileSize: dsCapacity},
			Nas: &types.HostNasVolume{
				HostFileSystemVolume: types.HostFileSystemVolume{Type: "NFS", Name: d.name, Capacity: dsCapacity},
				RemoteHost:           "nfs.lab.local", RemotePath: "/export/" + d.name,
			},
		}
	} else {
		ds.Summary.Type = "VMFS"
		ds.Info = &types.VmfsDatastoreInfo{
			DatastoreInfo:          types.DatastoreInfo{Name: d.name, Url: dir, FreeSpace: dsCapacity, MaxFileSize: 62 << 40},
			MaxPhysicalRDMFileSize: 64 << 40, MaxVirtualRDMFileSize: 62 << 40,
			Vmfs: &types.HostVmfsVolume{
				HostFileSystemVolume: types.HostFileSystemVolume{Type: "VMFS", Name: d.name, Capacity: dsCapacity},
				BlockSizeMb:          1, BlockSize: 1024, MaxBlocks: 63963136, MajorVersion: 6, Version: "6.82",
				Uuid: uuid, Extent: []types.HostScsiDiskPartition{{DiskName: d.naa, Partition: 1}},
				Local: types.NewBool(false), Ssd: types.NewBool(true),
			},
		}
		ds.Capability.RawDiskMappingsSupported = true
	}
	ds.Summary.Capacity = dsCapacity
	ds.Summary.FreeSpace = dsCapacity
	ds.Summary.MultipleHostAccess = types.NewBool(true)
	ds.Host = nil
	for _, h := range hosts {
		ds.Host = append(ds.Host, types.DatastoreHostMount{
			Key: h.Reference(),
			MountInfo: types.HostMountInfo{
				Path: dir, AccessMode: string(types.HostMountModeReadWrite),
				Mounted: types.NewBool(true), Accessible: types.NewBool(true),
			},
		})
	}
	return renameRef(ref, types.ManagedObjectReference{Type: "Datastore", Value: d.moid})
}

// hostMounts fills config.fileSystemVolume (with vStorageSupport) on every host.
func (v *vsphere) hostMounts(hosts []*object.HostSystem) {
	for _, h := range hosts {
		hs := simulator.Map.Get(h.Reference()).(*simulator.HostSystem)
		var mounts []types.HostFileSystemMountInfo
		for _, d := range labDatastores {
			ds := simulator.Map.Get(types.ManagedObjectReference{Type: "Datastore", Value: d.moid}).(*simulator.Datastore)
			var vol types.BaseHostFileSystemVolume
			switch info := ds.Info.(type) {
			case *types.VmfsDatastoreInfo:
				vol = info.Vmfs
			case *types.NasDatastoreInfo:
				vol = info.Nas
			}
			vs := vstorage(d.xcopy)
			mounts = append(mounts, types.HostFileSystemMountInfo{
				MountInfo: types.HostMountInfo{
					Path: ds.Info.GetDatastoreInfo().Url, AccessMode: "readWrite",
					Mounted: types.NewBool(true), Accessible: types.NewBool(true),
				},
				Volume:          vol,
				VStorageSupport: vs,
			})
		}
		fsv := types.HostFileSystemVolumeInfo{MountInfo: mounts}
		hs.Config.FileSystemVolume = &fsv
		if ss, ok := simulator.Map.Get(*hs.ConfigManager.StorageSystem).(*simulator.HostStorageSystem); ok {
			ss.FileSystemVolumeInfo = fsv
		}
	}
}

func (v *vsphere) makeTemplate(ctx context.Context, folder *object.Folder, pool *object.ResourcePool, host *object.HostSystem, name string) error {
	ctrlKey := int32(-100)
	unit0 := int32(0)
	spec := types.VirtualMachineConfigSpec{
		Name:       name,
		GuestId:    string(types.VirtualMachineGuestOsIdentifierRhel9_64Guest),
		NumCPUs:    2,
		MemoryMB:   2048,
		Files:      &types.VirtualMachineFileInfo{VmPathName: "[xcopy-ds]"},
		Annotation: "mtv-lab template",
		DeviceChange: []types.BaseVirtualDeviceConfigSpec{
			&types.VirtualDeviceConfigSpec{
				Operation: types.VirtualDeviceConfigSpecOperationAdd,
				Device: &types.ParaVirtualSCSIController{VirtualSCSIController: types.VirtualSCSIController{
					VirtualController: types.VirtualController{VirtualDevice: types.VirtualDevice{Key: ctrlKey}, BusNumber: 0},
					SharedBus:         types.VirtualSCSISharingNoSharing, ScsiCtlrUnitNumber: 7,
				}},
			},
			&types.VirtualDeviceConfigSpec{
				Operation:     types.VirtualDeviceConfigSpecOperationAdd,
				FileOperation: types.VirtualDeviceConfigSpecFileOperationCreate,
				Device: &types.VirtualDisk{
					VirtualDevice: types.VirtualDevice{
						Key: -101,
						Backing: &types.VirtualDiskFlatVer2BackingInfo{
							VirtualDeviceFileBackingInfo: types.VirtualDeviceFileBackingInfo{FileName: "[xcopy-ds]"},
							DiskMode:                     string(types.VirtualDiskModePersistent),
							ThinProvisioned:              types.NewBool(true),
							EagerlyScrub:                 types.NewBool(false),
						},
						ControllerKey: ctrlKey,
						UnitNumber:    &unit0,
					},
					CapacityInKB:    templateDisk / 1024,
					CapacityInBytes: templateDisk,
				},
			},
			&types.VirtualDeviceConfigSpec{
				Operation: types.VirtualDeviceConfigSpecOperationAdd,
				Device: &types.VirtualVmxnet3{VirtualVmxnet: types.VirtualVmxnet{VirtualEthernetCard: types.VirtualEthernetCard{
					VirtualDevice: types.VirtualDevice{
						Key:     -102,
						Backing: &types.VirtualEthernetCardNetworkBackingInfo{VirtualDeviceDeviceBackingInfo: types.VirtualDeviceDeviceBackingInfo{DeviceName: "VM Network"}},
					},
					AddressType: string(types.VirtualEthernetCardMacTypeGenerated),
				}}},
			},
		},
	}
	task, err := folder.CreateVM(ctx, spec, pool, host)
	if err != nil {
		return err
	}
	info, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return err
	}
	ref := info.Result.(types.ManagedObjectReference)
	vm := object.NewVirtualMachine(v.client, ref)
	if err := vm.MarkAsTemplate(ctx); err != nil {
		return err
	}
	sim := simulator.Map.Get(ref).(*simulator.VirtualMachine)
	simulator.Map.WithLock(sim, func() {
		sim.Guest.GuestId = spec.GuestId
		sim.Guest.GuestFullName = "Red Hat Enterprise Linux 9 (64-bit)"
		sim.Guest.ToolsVersion = "12352"
		sim.Guest.ToolsVersionStatus2 = string(types.VirtualMachineToolsVersionStatusGuestToolsCurrent)
		sim.Guest.ToolsRunningStatus = string(types.VirtualMachineToolsRunningStatusGuestToolsNotRunning)
		sim.Guest.ToolsStatus = types.VirtualMachineToolsStatusToolsNotRunning
		sim.Guest.GuestState = "notRunning"
	})
	return nil
}

// serve starts the HTTPS endpoint (RSA-2048 leaf signed by the lab CA).
func (v *vsphere) serve() error {
	cert, err := v.l.IssueCert("127.0.0.1", "localhost")
	if err != nil {
		return err
	}
	m := v.model
	m.Service.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	m.Service.Listen = &url.URL{Host: "127.0.0.1:0", User: url.UserPassword(v.user, v.pass)}
	s := m.Service.NewServer()
	v.server = s
	v.inner = s.Config.Handler
	if !v.stock {
		s.Config.Handler = v
	}
	s.Config.ErrorLog = log.New(logWriter{v.l}, "vsphere http: ", 0)
	sum := sha1.Sum(cert.Certificate[0])
	var parts []string
	for _, b := range sum {
		parts = append(parts, fmt.Sprintf("%02X", b))
	}
	u := *s.URL
	u.User = nil
	v.l.VSphere = VSphereInfo{URL: u.String(), Username: v.user, Password: v.pass, Thumbprint: strings.Join(parts, ":")}
	v.registerControl()
	v.l.Logf("vsphere: listening on %s", u.String())
	return nil
}

type logWriter struct{ l *Lab }

func (w logWriter) Write(p []byte) (int, error) {
	w.l.Logf("%s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func (v *vsphere) stop() {
	defer os.RemoveAll(filepath.Join(v.l.Dir, "luns"))
	if v.server != nil {
		v.server.Listener.Close()
	}
	os.RemoveAll(v.dsDir)
}

// renameRef gives a registry object a new MoID and rewrites every
// reference to it held by other objects of the registry.
func renameRef(old, nu types.ManagedObjectReference) error {
	obj := simulator.Map.Get(old)
	if obj == nil {
		return fmt.Errorf("%s not found", old.Value)
	}
	simulator.Map.Remove(old)
	var targets []interface{}
	for _, e := range simulator.Map.All("") {
		targets = append(targets, e)
		if h, ok := e.(*simulator.HostSystem); ok {
			if h.ConfigManager.DatastoreSystem != nil {
				targets = append(targets, simulator.Map.Get(*h.ConfigManager.DatastoreSystem))
			}
		}
	}
	if ds, ok := obj.(*simulator.Datastore); ok {
		if b := simulator.Map.Get(ds.Browser); b != nil {
			targets = append(targets, b)
		}
	}
	targets = append(targets, obj)
	seen := map[seenKey]bool{}
	for _, t := range targets {
		replaceRefs(reflect.ValueOf(t), old, nu, seen, 0)
	}
	simulator.Map.Put(obj)
	return nil
}

var morefType = reflect.TypeOf(types.ManagedObjectReference{})

type seenKey struct {
	p uintptr
	t reflect.Type
}

func replaceRefs(v reflect.Value, old, nu types.ManagedObjectReference, seen map[seenKey]bool, depth int) {
	if !v.IsValid() {
		return
	}
	switch v.Kind() {
	case reflect.Ptr:
		if v.IsNil() {
			return
		}
		k := seenKey{v.Pointer(), v.Type()}
		if seen[k] {
			return
		}
		seen[k] = true
		replaceRefs(v.Elem(), old, nu, seen, depth+1)
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		replaceRefs(v.Elem(), old, nu, seen, depth+1)
	case reflect.Struct:
		if v.Type() == morefType {
			if v.CanSet() && v.Interface().(types.ManagedObjectReference) == old {
				v.Set(reflect.ValueOf(nu))
			}
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if v.Type().Field(i).PkgPath != "" { // unexported
				continue
			}
			replaceRefs(f, old, nu, seen, depth+1)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			replaceRefs(v.Index(i), old, nu, seen, depth+1)
		}
	}
}

// dsByName maps datastore names to simulator objects.
func dsByName(name string) *simulator.Datastore {
	for _, e := range simulator.Map.All("Datastore") {
		if ds, ok := e.(*simulator.Datastore); ok && ds.Name == name {
			return ds
		}
	}
	return nil
}
