package main

// The guests on the lab's vCenter: each template's boot disk holds a guest
// file system (guest_fs.go) formatted at lab start; a clone gets the bytes
// by cloning, so its guest is the template's. VMware Tools guest info is
// read from the running guest, and vSphere's Guest Operations API
// (GuestProcessManager, GuestFileManager: the calls the pytest suite's
// data-integrity marker uses) runs on the VM's current disk bytes.
//
// Upstream references: govmomi simulator/guest_operations_manager.go and
// simulator/container.go (prepareGuestOperation: InvalidPowerState when the
// VM is not on, InvalidGuestLogin for bad credentials; the transfer URL's
// host "*", see govmomi guest/file_manager.go TransferURL), vSphere API
// reference vim.vm.guest.ProcessManager / FileManager.

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"io"
	"io/ioutil"
	"net"
	"net/http"
	"net/url"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// The guest account of every lab template (the providers file's
// guest_vm_linux_user / guest_vm_linux_password).
const (
	labGuestUser     = "root"
	labGuestPassword = "lab-guest"
)

// guestHostName turns a VM name into a host name ([a-z0-9-], at most 63).
func guestHostName(name string) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		} else {
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 63 {
		s = strings.TrimRight(s[:63], "-")
	}
	if s == "" {
		s = "localhost"
	}
	return s
}

// guestInstall formats the guest file system on a template's boot disk.
func (v *vsphere) guestInstall(vm *simulator.VirtualMachine) error {
	dev, err := v.bootDev(vm)
	if err != nil {
		return err
	}
	defer dev.Close()
	_, err = guestFormat(dev, guestIdentity{
		Hostname:   guestHostName(vm.Name),
		InstanceID: vm.Config.Uuid,
		Users:      []guestUser{{Name: labGuestUser, Password: labGuestPassword}},
	})
	return err
}

// guestInstallTemplates gives every lab template its guest.
func (v *vsphere) guestInstallTemplates() error {
	for _, o := range simulator.Map.All("VirtualMachine") {
		vm, ok := o.(*simulator.VirtualMachine)
		if !ok || vm.Config == nil || !vm.Config.Template {
			continue
		}
		if err := v.guestInstall(vm); err != nil {
			return fmt.Errorf("guest of %s: %v", vm.Name, err)
		}
	}
	return nil
}

// vmNICs lists the VM's network cards as the guest names them (vmxnet3
// in RHEL: ens192, ens224, ...), with the IP each one gets by DHCP.
func vmNICs(vm *simulator.VirtualMachine) []guestNIC {
	var out []guestNIC
	if vm.Config == nil {
		return nil
	}
	for _, d := range vm.Config.Hardware.Device {
		c, ok := d.(types.BaseVirtualEthernetCard)
		if !ok {
			continue
		}
		card := c.GetVirtualEthernetCard()
		i := len(out)
		ip := guestIP(vm)
		if i > 0 {
			h := fnv.New32a()
			fmt.Fprintf(h, "%s/%d", vm.Config.Uuid, i)
			n := h.Sum32()
			ip = fmt.Sprintf("10.%d.%d.%d", 200+i%50, (n>>8)&0xff, 2+(n&0xff)%250)
		}
		out = append(out, guestNIC{Name: fmt.Sprintf("ens%d", 192+32*i), MAC: card.MacAddress, IPs: []string{ip}})
	}
	return out
}

// guestOpenVM opens the guest file system on the VM's boot disk's current
// bytes (through its snapshot chain) with the VM's hardware as runtime.
func (v *vsphere) guestOpenVM(vm *simulator.VirtualMachine) (*guestFS, error) {
	dev, err := v.bootDev(vm)
	if err != nil {
		return nil, err
	}
	fs, err := guestOpen(dev)
	if err != nil {
		dev.Close()
		return nil, err
	}
	fs.Run = guestRuntime{Hypervisor: "vmware", NICs: vmNICs(vm)}
	return fs, nil
}

// guestBootFacts is what VMware Tools reports once the guest is up: its
// host name from /etc/hostname; ok is false when the boot disk holds no
// bootable guest (the tools never start then).
func (v *vsphere) guestBootFacts(vm *simulator.VirtualMachine) (host string, ok bool) {
	fs, err := v.guestOpenVM(vm)
	if err != nil {
		v.l.Logf("vsphere: %s does not boot: %v", vm.Name, err)
		return "", false
	}
	defer fs.Close()
	return guestHostname(fs), true
}

// guestNetInfo is guest.net as VMware Tools reports it.
func guestNetInfo(vm *simulator.VirtualMachine, nics []guestNIC) []types.GuestNicInfo {
	var keys []int32
	var nets []string
	for _, d := range vm.Config.Hardware.Device {
		if c, ok := d.(types.BaseVirtualEthernetCard); ok {
			card := c.GetVirtualEthernetCard()
			keys = append(keys, card.Key)
			name := ""
			if b, ok := card.Backing.(*types.VirtualEthernetCardNetworkBackingInfo); ok {
				name = b.DeviceName
			}
			nets = append(nets, name)
		}
	}
	var out []types.GuestNicInfo
	for i, n := range nics {
		info := types.GuestNicInfo{MacAddress: n.MAC, Connected: true, IpAddress: n.IPs, DeviceConfigId: -1}
		if i < len(keys) {
			info.DeviceConfigId, info.Network = keys[i], nets[i]
		}
		var addrs []types.NetIpConfigInfoIpAddress
		for _, ip := range n.IPs {
			addrs = append(addrs, types.NetIpConfigInfoIpAddress{IpAddress: ip, PrefixLength: 24, State: "preferred"})
		}
		info.IpConfig = &types.NetIpConfigInfo{IpAddress: addrs}
		out = append(out, info)
	}
	return out
}

// ---- Guest Operations state

type guestProc struct {
	pid        int64
	name, cmd  string
	owner      string
	start, end time.Time
	code       int
	killed     bool
}

type guestXfer struct {
	id       int
	vm       types.ManagedObjectReference
	path     string
	put      bool
	user     string
	expires  time.Time
	overwite bool
}

type guestOps struct {
	mu      sync.Mutex
	procs   map[string][]*guestProc // by VM MoID, cleared at power-off
	nextPid map[string]int64
	xfers   map[string]*guestXfer // by token, one-shot
	nextID  int
}

var guestOpsOf = struct {
	sync.Mutex
	m map[*vsphere]*guestOps
}{m: map[*vsphere]*guestOps{}}

func (v *vsphere) gops() *guestOps {
	guestOpsOf.Lock()
	defer guestOpsOf.Unlock()
	g := guestOpsOf.m[v]
	if g == nil {
		g = &guestOps{procs: map[string][]*guestProc{}, nextPid: map[string]int64{}, xfers: map[string]*guestXfer{}}
		guestOpsOf.m[v] = g
	}
	return g
}

// guestProcsReset forgets the processes of a VM that went off.
func (v *vsphere) guestProcsReset(vm *simulator.VirtualMachine) {
	g := v.gops()
	g.mu.Lock()
	delete(g.procs, vm.Self.Value)
	g.mu.Unlock()
}

// ---- SOAP replies

type guestResponse struct{ body soap.HasFault }

func valueOfRes(body soap.HasFault) reflect.Value {
	return reflect.ValueOf(body).Elem().FieldByName("Res")
}

func (r *guestResponse) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	val := valueOfRes(r.body)
	res := xml.StartElement{Name: xml.Name{Space: "urn:vim25", Local: val.Elem().Type().Name()}}
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if err := e.EncodeElement(val.Interface(), res); err != nil {
		return err
	}
	return e.EncodeToken(start.End())
}

// writeResult writes a method's reply as the simulator does.
func writeResult(w http.ResponseWriter, body soap.HasFault) {
	var out bytes.Buffer
	out.WriteString(xml.Header)
	enc := xml.NewEncoder(&out)
	err := enc.Encode(&struct {
		XMLName xml.Name    `xml:"soapenv:Envelope"`
		Enc     string      `xml:"xmlns:soapenc,attr"`
		Env     string      `xml:"xmlns:soapenv,attr"`
		XSD     string      `xml:"xmlns:xsd,attr"`
		XSI     string      `xml:"xmlns:xsi,attr"`
		Body    interface{} `xml:"soapenv:Body"`
	}{Enc: "http://schemas.xmlsoap.org/soap/encoding/", Env: "http://schemas.xmlsoap.org/soap/envelope/",
		XSD: "http://www.w3.org/2001/XMLSchema", XSI: "http://www.w3.org/2001/XMLSchema-instance",
		Body: &guestResponse{body}})
	if err == nil {
		err = enc.Flush()
	}
	if err != nil {
		writeFault(w, err.Error(), &types.SystemError{Reason: "encoding"})
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(out.Bytes())
}

func writeEmpty(w http.ResponseWriter, method string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprintf(w, `%s<%sResponse xmlns="urn:vim25"></%sResponse>%s`, envHead, method, method, envTail)
}

// ---- faults as vSphere gives them

func faultFileNotFound(w http.ResponseWriter, p string) {
	writeFault(w, fmt.Sprintf("File %s was not found", p), &types.FileNotFound{FileFault: types.FileFault{File: p}})
}

func (v *vsphere) guestFault(w http.ResponseWriter, p string, err error) {
	switch errText(err) {
	case "No such file or directory":
		faultFileNotFound(w, p)
	case "File exists":
		writeFault(w, fmt.Sprintf("File %s already exists", p), &types.FileAlreadyExists{FileFault: types.FileFault{File: p}})
	case "Not a directory":
		writeFault(w, fmt.Sprintf("%s is not a directory", p), &types.NotADirectory{FileFault: types.FileFault{File: p}})
	case "Is a directory":
		writeFault(w, fmt.Sprintf("%s is not a file", p), &types.NotAFile{FileFault: types.FileFault{File: p}})
	case "Directory not empty":
		writeFault(w, fmt.Sprintf("Directory %s is not empty", p), &types.DirectoryNotEmpty{FileFault: types.FileFault{File: p}})
	case "No space left on device":
		writeFault(w, "No space left on device", &types.NoDiskSpace{FileFault: types.FileFault{File: p}})
	default:
		writeFault(w, fmt.Sprintf("A general system error occurred: %v", err), &types.GuestOperationsFault{})
	}
}

// guestGate checks what every Guest Operations call needs: the VM, on,
// with tools running, and the guest's credentials. It returns the open
// guest file system and the user.
func (v *vsphere) guestGate(w http.ResponseWriter, ref types.ManagedObjectReference, auth types.BaseGuestAuthentication) (*simulator.VirtualMachine, *guestFS, string) {
	vm := vmOf(ref)
	if vm == nil || ref.Type != "VirtualMachine" {
		notFound(w, &ref)
		return nil, nil, ""
	}
	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
		writeFault(w, fmt.Sprintf("The attempted operation cannot be performed in the current state (%s).", powerWords(vm.Runtime.PowerState)),
			&types.InvalidPowerState{RequestedState: types.VirtualMachinePowerStatePoweredOn, ExistingState: vm.Runtime.PowerState})
		return nil, nil, ""
	}
	if vm.Guest == nil || vm.Guest.ToolsRunningStatus != string(types.VirtualMachineToolsRunningStatusGuestToolsRunning) {
		writeFault(w, "The guest operations agent could not be contacted.", &types.GuestOperationsUnavailable{})
		return nil, nil, ""
	}
	fs, err := v.guestOpenVM(vm)
	if err != nil {
		v.l.Logf("vsphere: guest of %s: %v", vm.Name, err)
		writeFault(w, "The guest operations agent could not be contacted.", &types.GuestOperationsUnavailable{})
		return nil, nil, ""
	}
	creds, ok := auth.(*types.NamePasswordAuthentication)
	if !ok || creds.Username == "" || !guestAuth(fs, creds.Username, creds.Password) {
		fs.Close()
		writeFault(w, "Failed to authenticate with the guest operating system using the supplied credentials.", &types.InvalidGuestLogin{})
		return nil, nil, ""
	}
	return vm, fs, creds.Username
}

func powerWords(s types.VirtualMachinePowerState) string {
	switch s {
	case types.VirtualMachinePowerStatePoweredOff:
		return "Powered off"
	case types.VirtualMachinePowerStateSuspended:
		return "Suspended"
	}
	return string(s)
}

// guestOpMethods are the Guest Operations calls the lab answers.
var guestOpMethods = map[string]bool{
	"StartProgramInGuest": true, "ListProcessesInGuest": true, "TerminateProcessInGuest": true,
	"CreateTemporaryFileInGuest": true, "CreateTemporaryDirectoryInGuest": true,
	"MakeDirectoryInGuest": true, "DeleteFileInGuest": true, "DeleteDirectoryInGuest": true,
	"ListFilesInGuest": true, "InitiateFileTransferToGuest": true, "InitiateFileTransferFromGuest": true,
}

// fixGuestOps answers the Guest Operations calls (the simulator's own need
// a Docker container per VM and have no process manager).
func (v *vsphere) fixGuestOps(w http.ResponseWriter, r *http.Request, body []byte, m *simulator.Method) {
	var vmRef types.ManagedObjectReference
	var auth types.BaseGuestAuthentication
	switch req := m.Body.(type) {
	case *types.StartProgramInGuest:
		vmRef, auth = req.Vm, req.Auth
	case *types.ListProcessesInGuest:
		vmRef, auth = req.Vm, req.Auth
	case *types.TerminateProcessInGuest:
		vmRef, auth = req.Vm, req.Auth
	case *types.CreateTemporaryFileInGuest:
		vmRef, auth = req.Vm, req.Auth
	case *types.CreateTemporaryDirectoryInGuest:
		vmRef, auth = req.Vm, req.Auth
	case *types.MakeDirectoryInGuest:
		vmRef, auth = req.Vm, req.Auth
	case *types.DeleteFileInGuest:
		vmRef, auth = req.Vm, req.Auth
	case *types.DeleteDirectoryInGuest:
		vmRef, auth = req.Vm, req.Auth
	case *types.ListFilesInGuest:
		vmRef, auth = req.Vm, req.Auth
	case *types.InitiateFileTransferToGuest:
		vmRef, auth = req.Vm, req.Auth
	case *types.InitiateFileTransferFromGuest:
		vmRef, auth = req.Vm, req.Auth
	default:
		v.shielded(w, r, body, m)
		return
	}
	if simulator.Map.Get(m.This) == nil {
		notFound(w, &m.This)
		return
	}
	vm, fs, user := v.guestGate(w, vmRef, auth)
	if fs == nil {
		return
	}
	defer fs.Close()
	switch req := m.Body.(type) {
	case *types.StartProgramInGuest:
		v.guestStart(w, vm, fs, user, req.Spec.GetGuestProgramSpec())
	case *types.ListProcessesInGuest:
		v.guestList(w, vm, req.Pids)
	case *types.TerminateProcessInGuest:
		v.guestTerminate(w, vm, req.Pid)
	case *types.CreateTemporaryFileInGuest:
		v.guestTemp(w, fs, req.Prefix, req.Suffix, req.DirectoryPath, false)
	case *types.CreateTemporaryDirectoryInGuest:
		v.guestTemp(w, fs, req.Prefix, req.Suffix, req.DirectoryPath, true)
	case *types.MakeDirectoryInGuest:
		v.guestMkdir(w, fs, req.DirectoryPath, req.CreateParentDirectories)
	case *types.DeleteFileInGuest:
		st, err := fs.Stat(req.FilePath)
		if err == nil && st.Dir {
			v.guestFault(w, req.FilePath, gfsErr("remove", req.FilePath, errIsDir))
			return
		}
		if err == nil {
			err = fs.Remove(req.FilePath)
		}
		if err != nil {
			v.guestFault(w, req.FilePath, err)
			return
		}
		writeEmpty(w, "DeleteFileInGuest")
	case *types.DeleteDirectoryInGuest:
		st, err := fs.Stat(req.DirectoryPath)
		if err == nil && !st.Dir {
			v.guestFault(w, req.DirectoryPath, gfsErr("remove", req.DirectoryPath, errNotDir))
			return
		}
		if err == nil && req.Recursive {
			err = fs.RemoveAll(req.DirectoryPath)
		} else if err == nil {
			err = fs.Remove(req.DirectoryPath)
		}
		if err != nil {
			v.guestFault(w, req.DirectoryPath, err)
			return
		}
		writeEmpty(w, "DeleteDirectoryInGuest")
	case *types.ListFilesInGuest:
		v.guestListFiles(w, fs, req)
	case *types.InitiateFileTransferToGuest:
		v.guestXferTo(w, r, vm, fs, user, req)
	case *types.InitiateFileTransferFromGuest:
		v.guestXferFrom(w, r, vm, fs, user, req.GuestFilePath)
	}
}

// guestPrograms are the programs StartProgramInGuest finds.
func guestProgram(p string) bool {
	dir, name := path.Split(p)
	switch dir {
	case "/bin/", "/usr/bin/", "/sbin/", "/usr/sbin/":
	default:
		return false
	}
	_, ok := guestCommands[name]
	return ok
}

// guestStart runs the program at once through the guest shell; its output
// goes only where the command line redirects it (Guest Operations has no
// stdout). The process is listed as running for the time it slept.
func (v *vsphere) guestStart(w http.ResponseWriter, vm *simulator.VirtualMachine, fs *guestFS, user string, spec *types.GuestProgramSpec) {
	if !guestProgram(spec.ProgramPath) {
		faultFileNotFound(w, spec.ProgramPath)
		return
	}
	if spec.WorkingDirectory != "" {
		if st, err := fs.Stat(spec.WorkingDirectory); err != nil || !st.Dir {
			faultFileNotFound(w, spec.WorkingDirectory)
			return
		}
	}
	start := time.Now()
	res := guestRunIn(fs, user, spec.WorkingDirectory, shellQuote(spec.ProgramPath)+" "+spec.Arguments, nil)
	g := v.gops()
	g.mu.Lock()
	if g.nextPid[vm.Self.Value] == 0 {
		g.nextPid[vm.Self.Value] = 4100
	}
	g.nextPid[vm.Self.Value]++
	p := &guestProc{pid: g.nextPid[vm.Self.Value], name: path.Base(spec.ProgramPath),
		cmd:   fmt.Sprintf("\"%s\" %s", spec.ProgramPath, spec.Arguments),
		owner: user, start: start, end: time.Now().Add(res.Slept), code: res.Code}
	g.procs[vm.Self.Value] = append(g.procs[vm.Self.Value], p)
	g.mu.Unlock()
	v.l.Logf("vsphere: guest %s: pid %d exit %d", vm.Name, p.pid, res.Code)
	writeResult(w, &methods.StartProgramInGuestBody{Res: &types.StartProgramInGuestResponse{Returnval: p.pid}})
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func xmlTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

// guestList answers ListProcessesInGuest. It is written by hand: a
// finished process's exitCode 0 must be sent (govmomi's type omits zero).
func (v *vsphere) guestList(w http.ResponseWriter, vm *simulator.VirtualMachine, pids []int64) {
	boot := time.Now().Add(-time.Minute)
	if vm.Runtime.BootTime != nil {
		boot = *vm.Runtime.BootTime
	}
	sys := []*guestProc{
		{pid: 1, name: "systemd", cmd: "/usr/lib/systemd/systemd --switched-root --system --deserialize 31", owner: "root", start: boot},
		{pid: 812, name: "sshd", cmd: "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", owner: "root", start: boot},
		{pid: 835, name: "vmtoolsd", cmd: "/usr/bin/vmtoolsd", owner: "root", start: boot},
	}
	g := v.gops()
	g.mu.Lock()
	all := append(sys, g.procs[vm.Self.Value]...)
	g.mu.Unlock()
	want := map[int64]bool{}
	for _, p := range pids {
		want[p] = true
	}
	now := time.Now()
	var b strings.Builder
	for _, p := range all {
		if len(want) > 0 && !want[p.pid] {
			continue
		}
		fmt.Fprintf(&b, `<returnval><name>%s</name><pid>%d</pid><owner>%s</owner><cmdLine>%s</cmdLine><startTime>%s</startTime>`,
			xmlEsc(p.name), p.pid, xmlEsc(p.owner), xmlEsc(p.cmd), xmlTime(p.start))
		if p.pid > 1000 && (p.killed || !now.Before(p.end)) {
			fmt.Fprintf(&b, `<endTime>%s</endTime><exitCode>%d</exitCode>`, xmlTime(p.end), p.code)
		}
		b.WriteString(`</returnval>`)
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	fmt.Fprintf(w, `%s<ListProcessesInGuestResponse xmlns="urn:vim25">%s</ListProcessesInGuestResponse>%s`, envHead, b.String(), envTail)
}

func (v *vsphere) guestTerminate(w http.ResponseWriter, vm *simulator.VirtualMachine, pid int64) {
	g := v.gops()
	g.mu.Lock()
	var found *guestProc
	for _, p := range g.procs[vm.Self.Value] {
		if p.pid == pid {
			found = p
		}
	}
	if found != nil && time.Now().Before(found.end) {
		found.end, found.code, found.killed = time.Now(), 143, true
	}
	g.mu.Unlock()
	if found == nil {
		writeFault(w, fmt.Sprintf("The process %d was not found", pid), &types.GuestProcessNotFound{Pid: pid})
		return
	}
	writeEmpty(w, "TerminateProcessInGuest")
}

var (
	errIsDir  = fmt.Errorf("is a directory")
	errNotDir = fmt.Errorf("not a directory")
)

func (v *vsphere) guestTemp(w http.ResponseWriter, fs *guestFS, prefix, suffix, dir string, isDir bool) {
	if dir == "" {
		dir = "/tmp"
	}
	if st, err := fs.Stat(dir); err != nil || !st.Dir {
		faultFileNotFound(w, dir)
		return
	}
	p := path.Join(dir, prefix+randomHex(3)+suffix) // no "/" in the random part
	var err error
	if isDir {
		err = fs.Mkdir(p, 0700)
	} else {
		err = fs.WriteFile(p, nil, 0600)
	}
	if err != nil {
		v.guestFault(w, p, err)
		return
	}
	if isDir {
		writeResult(w, &methods.CreateTemporaryDirectoryInGuestBody{Res: &types.CreateTemporaryDirectoryInGuestResponse{Returnval: p}})
		return
	}
	writeResult(w, &methods.CreateTemporaryFileInGuestBody{Res: &types.CreateTemporaryFileInGuestResponse{Returnval: p}})
}

func (v *vsphere) guestMkdir(w http.ResponseWriter, fs *guestFS, p string, parents bool) {
	if st, err := fs.Stat(p); err == nil {
		if st.Dir {
			v.guestFault(w, p, gfsErr("mkdir", p, errExist))
		} else {
			v.guestFault(w, p, gfsErr("mkdir", p, errNotDir))
		}
		return
	}
	var err error
	if parents {
		err = fs.MkdirAll(p, 0755)
	} else {
		err = fs.Mkdir(p, 0755)
	}
	if err != nil {
		v.guestFault(w, p, err)
		return
	}
	writeEmpty(w, "MakeDirectoryInGuest")
}

var errExist = fmt.Errorf("file exists")

func posixAttrs(st guestFileInfo) *types.GuestPosixFileAttributes {
	t := st.MTime
	uid, gid := int32(st.UID), int32(st.GID)
	return &types.GuestPosixFileAttributes{
		GuestFileAttributes: types.GuestFileAttributes{ModificationTime: &t, AccessTime: &t},
		OwnerId:             &uid, GroupId: &gid, Permissions: int64(st.Mode),
	}
}

func (v *vsphere) guestListFiles(w http.ResponseWriter, fs *guestFS, req *types.ListFilesInGuest) {
	st, err := fs.Stat(req.FilePath)
	if err != nil {
		v.guestFault(w, req.FilePath, err)
		return
	}
	list := []guestFileInfo{st}
	if st.Dir {
		if list, err = fs.List(req.FilePath); err != nil {
			v.guestFault(w, req.FilePath, err)
			return
		}
	}
	var files []types.GuestFileInfo
	for _, e := range list {
		if req.MatchPattern != "" {
			if ok, _ := path.Match(req.MatchPattern, e.Name); !ok {
				continue
			}
		}
		kind := "file"
		if e.Dir {
			kind = "directory"
		}
		files = append(files, types.GuestFileInfo{Path: e.Name, Type: kind, Size: e.Size, Attributes: posixAttrs(e)})
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	start := int(req.Index)
	if start > len(files) {
		start = len(files)
	}
	files = files[start:]
	remaining := 0
	if req.MaxResults > 0 && len(files) > int(req.MaxResults) {
		remaining = len(files) - int(req.MaxResults)
		files = files[:req.MaxResults]
	}
	writeResult(w, &methods.ListFilesInGuestBody{Res: &types.ListFilesInGuestResponse{
		Returnval: types.GuestListFileInfo{Files: files, Remaining: int32(remaining)}}})
}

// guestURL is a transfer URL as vCenter gives it: host "*" (the client
// puts in the host it connected to) with the port it connected to.
func (v *vsphere) guestURL(r *http.Request, x *guestXfer, token string) string {
	_, port, err := net.SplitHostPort(r.Host)
	if err != nil {
		port = "443"
	}
	q := url.Values{"id": {strconv.Itoa(x.id)}, "token": {token}}
	return "https://*:" + port + "/guestFile?" + q.Encode()
}

func (v *vsphere) newXfer(vm *simulator.VirtualMachine, p, user string, put, overwrite bool) (*guestXfer, string) {
	g := v.gops()
	g.mu.Lock()
	defer g.mu.Unlock()
	g.nextID++
	x := &guestXfer{id: g.nextID, vm: vm.Self, path: cleanPath(p), put: put, user: user,
		expires: time.Now().Add(10 * time.Minute), overwite: overwrite}
	token := randHex(16)
	g.xfers[token] = x
	return x, token
}

func (v *vsphere) guestXferTo(w http.ResponseWriter, r *http.Request, vm *simulator.VirtualMachine, fs *guestFS, user string, req *types.InitiateFileTransferToGuest) {
	p := req.GuestFilePath
	if st, err := fs.Stat(p); err == nil {
		if st.Dir {
			v.guestFault(w, p, gfsErr("open", p, errIsDir))
			return
		}
		if !req.Overwrite {
			v.guestFault(w, p, gfsErr("open", p, errExist))
			return
		}
	}
	if st, err := fs.Stat(path.Dir(cleanPath(p))); err != nil || !st.Dir {
		faultFileNotFound(w, p)
		return
	}
	x, token := v.newXfer(vm, p, user, true, req.Overwrite)
	writeResult(w, &methods.InitiateFileTransferToGuestBody{Res: &types.InitiateFileTransferToGuestResponse{Returnval: v.guestURL(r, x, token)}})
}

func (v *vsphere) guestXferFrom(w http.ResponseWriter, r *http.Request, vm *simulator.VirtualMachine, fs *guestFS, user, p string) {
	st, err := fs.Stat(p)
	if err == nil && st.Dir {
		err = gfsErr("open", p, errIsDir)
	}
	if err != nil {
		v.guestFault(w, p, err)
		return
	}
	x, token := v.newXfer(vm, p, user, false, false)
	writeResult(w, &methods.InitiateFileTransferFromGuestBody{Res: &types.InitiateFileTransferFromGuestResponse{
		Returnval: types.FileTransferInformation{Attributes: posixAttrs(st), Size: st.Size, Url: v.guestURL(r, x, token)}}})
}

// serveGuestFile serves the transfer URLs: GET downloads a file from the
// guest, PUT uploads one; each token works once.
func (v *vsphere) serveGuestFile(w http.ResponseWriter, r *http.Request) {
	v.ctl.Lock()
	v.counts["guestFile "+r.Method]++
	v.ctl.Unlock()
	token, id := r.URL.Query().Get("token"), r.URL.Query().Get("id")
	g := v.gops()
	g.mu.Lock()
	x := g.xfers[token]
	if x != nil && strconv.Itoa(x.id) == id {
		delete(g.xfers, token)
	} else {
		x = nil
	}
	g.mu.Unlock()
	if x == nil || time.Now().After(x.expires) || (r.Method == http.MethodPut) != x.put ||
		(r.Method != http.MethodPut && r.Method != http.MethodGet) {
		http.Error(w, "invalid or used guest file transfer token", http.StatusNotFound)
		return
	}
	var data []byte
	if x.put {
		var err error
		if data, err = ioutil.ReadAll(io.LimitReader(r.Body, 1<<30)); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	vm := vmOf(x.vm)
	if vm == nil || vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOn {
		http.Error(w, "the virtual machine is not running", http.StatusServiceUnavailable)
		return
	}
	fs, err := v.guestOpenVM(vm)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer fs.Close()
	if x.put {
		if err := fs.WriteFile(x.path, data, 0644); err != nil {
			http.Error(w, errText(err), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	b, err := fs.ReadFile(x.path)
	if err != nil {
		http.Error(w, errText(err), http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}
