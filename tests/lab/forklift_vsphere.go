package main

// The source side of the Forklift model: a govmomi client per Provider
// and the inventory the controller reads from the lab's vCenter.

import (
	"context"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/property"
	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/view"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// fkDisk is one virtual disk of a source VM.
type fkDisk struct {
	Key        int32
	File       string // current backing file "[ds] dir/file.vmdk"
	BaseFile   string // base of the snapshot chain
	Datastore  string // MoID
	DSName     string
	Capacity   int64
	Thin       bool
	Eager      bool
	Mode       string
	RDM        bool
	LunUUID    string
	Bus        string // scsi, sata, ide, nvme
	BusNumber  int32
	Unit       int32
	Shared     bool
	ChangeID   string
	Controller int32
}

// fkNIC is one network adapter of a source VM.
type fkNIC struct {
	MAC     string
	Network string // network / portgroup MoID
	NetName string
}

// fkVM is the model's view of a source VM.
type fkVM struct {
	ID, Name, UUID   string
	PowerState       string // poweredOn, poweredOff, suspended
	Host, HostName   string
	CPU, Cores       int32
	MemoryMB         int32
	Firmware         string
	SecureBoot       bool // config.bootOptions.efiSecureBootEnabled
	TPM              bool // a VirtualTPM device (summary.config.tpmPresent)
	CBT              bool
	Snapshots        int
	Template         bool
	GuestID          string
	Disks            []fkDisk
	NICs             []fkNIC
	ConnectionState  string
	HostInMaintMode  bool
	GuestToolsStatus string
}

// fkDatastore is a datastore as the model sees it.
type fkDatastore struct {
	ID, Name, Type string
	Xcopy          bool // VMFS with hardware-accelerated move on its hosts
}

// fkInventory is one snapshot of the source inventory.
type fkInventory struct {
	VMs        []*fkVM
	Datastores map[string]*fkDatastore
	Networks   map[string]string // MoID -> name
	Hosts      map[string]string // MoID -> name
	at         time.Time
}

// fkVC is a logged-in vSphere client of one Provider.
type fkVC struct {
	key    string
	client *vim25.Client
	mu     sync.Mutex
	inv    *fkInventory
}

var errFkAuth = errors.New("authentication failed")

// fkThumbprint returns the SHA-1 fingerprint of the server certificate.
func fkThumbprint(u *url.URL) (string, error) {
	host := u.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "443")
	}
	d := &net.Dialer{Timeout: 5 * time.Second}
	conn, err := tls.DialWithDialer(d, "tcp", host, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		return "", err
	}
	defer conn.Close()
	certs := conn.ConnectionState().PeerCertificates
	if len(certs) == 0 {
		return "", fmt.Errorf("no server certificate")
	}
	sum := sha1.Sum(certs[0].Raw)
	hexs := make([]string, len(sum))
	for i, b := range sum {
		hexs[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(hexs, ":"), nil
}

// fkConnect logs in to the vCenter at rawURL. insecure skips TLS checks;
// otherwise caPEM must verify the server certificate.
func fkConnect(ctx context.Context, rawURL, user, password string, insecure bool, caPEM []byte) (*vim25.Client, error) {
	u, err := soap.ParseURL(rawURL)
	if err != nil || u == nil {
		return nil, fmt.Errorf("invalid URL %q", rawURL)
	}
	sc := soap.NewClient(u, insecure)
	if !insecure {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, fmt.Errorf("the CA certificate is not valid PEM")
		}
		sc.DefaultTransport().TLSClientConfig.RootCAs = pool
	}
	sc.Timeout = 20 * time.Second
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		return nil, err
	}
	m := session.NewManager(vc)
	if err := m.Login(ctx, url.UserPassword(user, password)); err != nil {
		if soap.IsSoapFault(err) {
			if _, ok := soap.ToSoapFault(err).VimFault().(types.InvalidLogin); ok {
				return nil, errFkAuth
			}
		}
		if strings.Contains(err.Error(), "InvalidLogin") || strings.Contains(strings.ToLower(err.Error()), "incorrect user name or password") {
			return nil, errFkAuth
		}
		return nil, err
	}
	return vc, nil
}

// fkDiskBus maps a controller device to its bus name.
func fkDiskBus(dev types.BaseVirtualDevice) string {
	switch dev.(type) {
	case types.BaseVirtualSCSIController:
		return "scsi"
	case types.BaseVirtualSATAController:
		return "sata"
	case *types.VirtualIDEController:
		return "ide"
	case *types.VirtualNVMEController:
		return "nvme"
	}
	return ""
}

func fkBusOrder(bus string) int {
	switch bus {
	case "scsi":
		return 0
	case "sata":
		return 1
	case "ide":
		return 2
	case "nvme":
		return 3
	}
	return 4
}

// fkLoadInventory reads VMs, datastores, networks and hosts.
func fkLoadInventory(ctx context.Context, c *vim25.Client, l *Lab) (*fkInventory, error) {
	m := view.NewManager(c)
	cv, err := m.CreateContainerView(ctx, c.ServiceContent.RootFolder, nil, true)
	if err != nil {
		return nil, err
	}
	defer cv.Destroy(context.Background())
	inv := &fkInventory{Datastores: map[string]*fkDatastore{}, Networks: map[string]string{}, Hosts: map[string]string{}, at: time.Now()}

	var hosts []mo.HostSystem
	if err := cv.Retrieve(ctx, []string{"HostSystem"}, []string{"name", "runtime", "config.fileSystemVolume"}, &hosts); err != nil {
		return nil, err
	}
	maint := map[string]bool{}
	vstorage := map[string]string{} // volume name -> vStorageSupport, from the host mounts
	for _, h := range hosts {
		inv.Hosts[h.Self.Value] = h.Name
		maint[h.Self.Value] = h.Runtime.InMaintenanceMode
		if h.Config == nil || h.Config.FileSystemVolume == nil {
			continue
		}
		for _, mi := range h.Config.FileSystemVolume.MountInfo {
			if mi.Volume == nil || mi.VStorageSupport == "" {
				continue
			}
			name := mi.Volume.GetHostFileSystemVolume().Name
			if vstorage[name] != "vStorageSupported" {
				vstorage[name] = mi.VStorageSupport
			}
		}
	}
	var nets []mo.Network
	if err := cv.Retrieve(ctx, []string{"Network"}, []string{"name"}, &nets); err != nil {
		return nil, err
	}
	for _, n := range nets {
		inv.Networks[n.Self.Value] = n.Name
	}
	var pgs []mo.DistributedVirtualPortgroup
	if err := cv.Retrieve(ctx, []string{"DistributedVirtualPortgroup"}, []string{"name", "key"}, &pgs); err == nil {
		for _, p := range pgs {
			inv.Networks[p.Self.Value] = p.Name
		}
	}
	var dss []mo.Datastore
	if err := cv.Retrieve(ctx, []string{"Datastore"}, []string{"name", "summary", "host"}, &dss); err != nil {
		return nil, err
	}
	for _, d := range dss {
		ds := &fkDatastore{ID: d.Self.Value, Name: d.Summary.Name, Type: d.Summary.Type}
		if ds.Name == "" {
			ds.Name = d.Name
		}
		support, known := vstorage[ds.Name]
		ds.Xcopy = support == "vStorageSupported"
		if !known && l != nil {
			// The mounts say nothing: fall back to the lab's own inventory.
			ds.Xcopy = d.Self.Value == l.Inv.PrimaryDS || d.Self.Value == l.Inv.SecondaryDS
			if d.Self.Value == l.Inv.NFSDS && !strings.HasPrefix(ds.Type, "NFS") {
				ds.Type = "NFS"
			}
		}
		if !strings.EqualFold(ds.Type, "VMFS") {
			ds.Xcopy = false
		}
		inv.Datastores[ds.ID] = ds
	}

	var vms []mo.VirtualMachine
	props := []string{"name", "config", "runtime", "snapshot", "guest"}
	if err := cv.Retrieve(ctx, []string{"VirtualMachine"}, props, &vms); err != nil {
		return nil, err
	}
	for i := range vms {
		v := &vms[i]
		vm := &fkVM{ID: v.Self.Value, Name: v.Name, PowerState: string(v.Runtime.PowerState), ConnectionState: string(v.Runtime.ConnectionState)}
		if v.Runtime.Host != nil {
			vm.Host = v.Runtime.Host.Value
			vm.HostName = inv.Hosts[vm.Host]
			vm.HostInMaintMode = maint[vm.Host]
		}
		if v.Guest != nil {
			vm.GuestToolsStatus = string(v.Guest.ToolsRunningStatus)
		}
		vm.Snapshots = fkCountSnapshots(v.Snapshot)
		if cfg := v.Config; cfg != nil {
			vm.UUID = cfg.Uuid
			vm.Template = cfg.Template
			vm.GuestID = cfg.GuestId
			vm.CPU = cfg.Hardware.NumCPU
			vm.Cores = cfg.Hardware.NumCoresPerSocket
			vm.MemoryMB = cfg.Hardware.MemoryMB
			vm.Firmware = cfg.Firmware
			if cfg.ChangeTrackingEnabled != nil {
				vm.CBT = *cfg.ChangeTrackingEnabled
			}
			if cfg.BootOptions != nil && cfg.BootOptions.EfiSecureBootEnabled != nil {
				vm.SecureBoot = *cfg.BootOptions.EfiSecureBootEnabled
			}
			for _, d := range cfg.Hardware.Device {
				if _, ok := d.(*types.VirtualTPM); ok {
					vm.TPM = true
				}
			}
			fkReadDevices(vm, cfg.Hardware.Device, inv)
		}
		inv.VMs = append(inv.VMs, vm)
	}
	return inv, nil
}

func fkCountSnapshots(info *types.VirtualMachineSnapshotInfo) int {
	if info == nil {
		return 0
	}
	var count func(l []types.VirtualMachineSnapshotTree) int
	count = func(l []types.VirtualMachineSnapshotTree) int {
		n := 0
		for _, t := range l {
			n += 1 + count(t.ChildSnapshotList)
		}
		return n
	}
	return count(info.RootSnapshotList)
}

// fkDSFromFile returns the datastore name in "[ds] path".
func fkDSFromFile(file string) string {
	if strings.HasPrefix(file, "[") {
		if i := strings.Index(file, "]"); i > 0 {
			return file[1:i]
		}
	}
	return ""
}

func fkReadDevices(vm *fkVM, devs []types.BaseVirtualDevice, inv *fkInventory) {
	ctrl := map[int32]types.BaseVirtualDevice{}
	for _, d := range devs {
		ctrl[d.GetVirtualDevice().Key] = d
	}
	for _, d := range devs {
		switch dev := d.(type) {
		case *types.VirtualDisk:
			disk := fkDisk{Key: dev.Key, Capacity: dev.CapacityInBytes, Controller: dev.ControllerKey}
			if disk.Capacity == 0 {
				disk.Capacity = dev.CapacityInKB * 1024
			}
			if dev.UnitNumber != nil {
				disk.Unit = *dev.UnitNumber
			}
			if c, ok := ctrl[dev.ControllerKey]; ok {
				disk.Bus = fkDiskBus(c)
				disk.BusNumber = c.GetVirtualDevice().Key
				if bc, ok := c.(types.BaseVirtualController); ok {
					disk.BusNumber = bc.GetVirtualController().BusNumber
				}
				if sc, ok := c.(types.BaseVirtualSCSIController); ok {
					disk.Shared = sc.GetVirtualSCSIController().SharedBus != "" && sc.GetVirtualSCSIController().SharedBus != types.VirtualSCSISharingNoSharing
				}
			}
			switch b := dev.Backing.(type) {
			case *types.VirtualDiskFlatVer2BackingInfo:
				disk.File = b.FileName
				if b.Datastore != nil {
					disk.Datastore = b.Datastore.Value
				}
				if b.ThinProvisioned != nil {
					disk.Thin = *b.ThinProvisioned
				}
				if b.EagerlyScrub != nil {
					disk.Eager = *b.EagerlyScrub
				}
				disk.Mode = b.DiskMode
				disk.ChangeID = b.ChangeId
				base := b
				for base.Parent != nil {
					base = base.Parent
				}
				disk.BaseFile = base.FileName
				if b.Sharing == "sharingMultiWriter" {
					disk.Shared = true
				}
			case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
				disk.File = b.FileName
				disk.BaseFile = b.FileName
				disk.RDM = true
				disk.LunUUID = b.LunUuid
				disk.Mode = b.DiskMode
				if b.Datastore != nil {
					disk.Datastore = b.Datastore.Value
				}
			case types.BaseVirtualDeviceFileBackingInfo:
				fb := b.GetVirtualDeviceFileBackingInfo()
				disk.File = fb.FileName
				disk.BaseFile = fb.FileName
				if fb.Datastore != nil {
					disk.Datastore = fb.Datastore.Value
				}
			}
			if disk.Datastore == "" {
				name := fkDSFromFile(disk.File)
				for id, ds := range inv.Datastores {
					if ds.Name == name {
						disk.Datastore = id
					}
				}
			}
			if ds := inv.Datastores[disk.Datastore]; ds != nil {
				disk.DSName = ds.Name
			}
			vm.Disks = append(vm.Disks, disk)
		case types.BaseVirtualEthernetCard:
			card := dev.GetVirtualEthernetCard()
			nic := fkNIC{MAC: card.MacAddress}
			switch b := card.Backing.(type) {
			case *types.VirtualEthernetCardNetworkBackingInfo:
				if b.Network != nil {
					nic.Network = b.Network.Value
				}
				nic.NetName = b.DeviceName
			case *types.VirtualEthernetCardDistributedVirtualPortBackingInfo:
				nic.Network = b.Port.PortgroupKey
			}
			if nic.NetName == "" {
				nic.NetName = inv.Networks[nic.Network]
			}
			vm.NICs = append(vm.NICs, nic)
		}
	}
	fkSortDisks(vm.Disks)
}

// fkSortDisks orders disks like SortedDisksAsVmware: bus, controller, unit.
func fkSortDisks(d []fkDisk) {
	less := func(a, b fkDisk) bool {
		if fkBusOrder(a.Bus) != fkBusOrder(b.Bus) {
			return fkBusOrder(a.Bus) < fkBusOrder(b.Bus)
		}
		if a.BusNumber != b.BusNumber {
			return a.BusNumber < b.BusNumber
		}
		return a.Unit < b.Unit
	}
	for i := 1; i < len(d); i++ {
		for j := i; j > 0 && less(d[j], d[j-1]); j-- {
			d[j], d[j-1] = d[j-1], d[j]
		}
	}
}

// findVM resolves a plan VM reference: id first, then name.
func (inv *fkInventory) findVM(id, name string) (*fkVM, int) {
	if id != "" {
		for _, v := range inv.VMs {
			if v.ID == id {
				return v, 1
			}
		}
		return nil, 0
	}
	var found *fkVM
	n := 0
	if strings.Contains(name, "/") {
		name = path.Base(name)
	}
	for _, v := range inv.VMs {
		if v.Name == name {
			found = v
			n++
		}
	}
	return found, n
}

// fkPowerOff powers the VM off and waits for the task.
func fkPowerOff(ctx context.Context, c *vim25.Client, id string) error {
	vm := object.NewVirtualMachine(c, types.ManagedObjectReference{Type: "VirtualMachine", Value: id})
	state, err := vm.PowerState(ctx)
	if err != nil {
		return err
	}
	if state == types.VirtualMachinePowerStatePoweredOff {
		return nil
	}
	task, err := vm.PowerOff(ctx)
	if err != nil {
		return err
	}
	return task.Wait(ctx)
}

// fkPowerState reads the power state of a VM.
func fkPowerState(ctx context.Context, c *vim25.Client, id string) (string, error) {
	var v mo.VirtualMachine
	pc := property.DefaultCollector(c)
	err := pc.RetrieveOne(ctx, types.ManagedObjectReference{Type: "VirtualMachine", Value: id}, []string{"runtime.powerState"}, &v)
	return string(v.Runtime.PowerState), err
}

// fkSnapshot creates a snapshot (warm migration) and returns its MoID.
func fkSnapshot(ctx context.Context, c *vim25.Client, id, name string) (string, error) {
	vm := object.NewVirtualMachine(c, types.ManagedObjectReference{Type: "VirtualMachine", Value: id})
	task, err := vm.CreateSnapshot(ctx, name, "Forklift Operator warm migration precopy", false, false)
	if err != nil {
		return "", err
	}
	res, err := task.WaitForResult(ctx, nil)
	if err != nil {
		return "", err
	}
	if ref, ok := res.Result.(types.ManagedObjectReference); ok {
		return ref.Value, nil
	}
	return "", nil
}

// fkRemoveSnapshot removes a snapshot by MoID.
func fkRemoveSnapshot(ctx context.Context, c *vim25.Client, snap string) error {
	consolidate := true
	req := types.RemoveSnapshot_Task{This: types.ManagedObjectReference{Type: "VirtualMachineSnapshot", Value: snap}, RemoveChildren: false, Consolidate: &consolidate}
	res, err := methods.RemoveSnapshot_Task(ctx, c, &req)
	if err != nil {
		return err
	}
	return object.NewTask(c, res.Returnval).Wait(ctx)
}
