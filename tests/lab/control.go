package main

// Control endpoint of the vSphere part (plain HTTP on loopback, JSON):
//   GET  /vsphere/counts            per SOAP method request counts
//   POST /vsphere/counts/reset
//   POST /vsphere/fault             {"method","count","kind":"fault|taskerror|notauthenticated|delay|drop","delay_ms","message"}
//   GET  /vsphere/fault             pending rules;  DELETE /vsphere/fault clears them
//   POST /vsphere/session-timeout   {"seconds":N}   (0 = never)
//   POST /vsphere/guest-boot-delay  {"ms":N}
//   POST /vsphere/guest-shutdown-delay {"ms":N}    ShutdownGuest: power-off this long after the call
//   POST /vsphere/clone-duration    {"ms":N}        CloneVM_Task stays "running" this long
//   POST /vsphere/task-duration     {"method":"RelocateVM_Task","ms":N}  the same for any *_Task method
//   GET  /vsphere/inventory         VMs, disks, snapshots and datastore files
//   GET  /vsphere/inventory/diff    {"equal":bool,"baseline":…,"now":…} against the dump at start
//   GET  /vsphere/disk-sha256, POST /vsphere/disk-write, GET /kube/pvc-sha256: disk bytes (disk_control.go)

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func readJSON(r *http.Request, v interface{}) error {
	defer r.Body.Close()
	return json.NewDecoder(r.Body).Decode(v)
}

func (v *vsphere) registerControl() {
	mux := v.l.Control
	v.registerDiskControl() // disk_control.go
	mux.HandleFunc("/vsphere/counts", func(w http.ResponseWriter, r *http.Request) {
		v.ctl.Lock()
		out := map[string]int{}
		for k, n := range v.counts {
			out[k] = n
		}
		v.ctl.Unlock()
		writeJSON(w, http.StatusOK, out)
	})
	mux.HandleFunc("/vsphere/counts/reset", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
			return
		}
		v.ctl.Lock()
		v.counts = map[string]int{}
		v.ctl.Unlock()
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	mux.HandleFunc("/vsphere/fault", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			v.ctl.Lock()
			defer v.ctl.Unlock()
			writeJSON(w, http.StatusOK, v.faults)
		case http.MethodDelete:
			v.ctl.Lock()
			v.faults = map[string][]faultRule{}
			v.ctl.Unlock()
			writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
		case http.MethodPost:
			var f faultRule
			if err := readJSON(r, &f); err != nil || f.Method == "" {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {\"method\",\"count\",\"kind\",\"delay_ms\",\"message\"}"})
				return
			}
			switch f.Kind {
			case "":
				f.Kind = "fault"
			case "fault", "taskerror", "notauthenticated", "delay", "drop":
			default:
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "kind must be fault, taskerror, notauthenticated, delay or drop"})
				return
			}
			if f.Count <= 0 {
				f.Count = 1
			}
			v.ctl.Lock()
			v.faults[f.Method] = append(v.faults[f.Method], f)
			v.ctl.Unlock()
			writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
		default:
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "GET, POST or DELETE"})
		}
	})
	mux.HandleFunc("/vsphere/session-timeout", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Seconds float64 `json:"seconds"`
		}
		if err := readJSON(r, &in); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		v.ctl.Lock()
		v.idle = time.Duration(in.Seconds * float64(time.Second))
		v.ctl.Unlock()
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	})
	setDelay := func(p *time.Duration) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			var in struct {
				MS int `json:"ms"`
			}
			if err := readJSON(r, &in); err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			v.ctl.Lock()
			*p = time.Duration(in.MS) * time.Millisecond
			v.ctl.Unlock()
			writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
		}
	}
	mux.HandleFunc("/vsphere/guest-boot-delay", setDelay(&v.boot))
	mux.HandleFunc("/vsphere/guest-shutdown-delay", setDelay(&v.shutdown))
	taskDuration := func(w http.ResponseWriter, r *http.Request, method string) {
		var in struct {
			Method string `json:"method"`
			MS     int    `json:"ms"`
		}
		if err := readJSON(r, &in); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		if method == "" {
			method = in.Method
		}
		if !strings.HasSuffix(method, "_Task") {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "method must be a *_Task method"})
			return
		}
		v.ctl.Lock()
		v.taskDur[method] = time.Duration(in.MS) * time.Millisecond
		v.ctl.Unlock()
		writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	}
	mux.HandleFunc("/vsphere/clone-duration", func(w http.ResponseWriter, r *http.Request) {
		taskDuration(w, r, "CloneVM_Task")
	})
	mux.HandleFunc("/vsphere/task-duration", func(w http.ResponseWriter, r *http.Request) {
		taskDuration(w, r, "")
	})
	mux.HandleFunc("/vsphere/inventory", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, v.inventory())
	})
	mux.HandleFunc("/vsphere/inventory/diff", func(w http.ResponseWriter, r *http.Request) {
		now, _ := json.Marshal(v.inventory())
		v.ctl.Lock()
		base := v.baseline
		v.ctl.Unlock()
		writeJSON(w, http.StatusOK, map[string]interface{}{
			"equal":    string(now) == string(base),
			"baseline": json.RawMessage(base),
			"now":      json.RawMessage(now),
		})
	})
}

func (v *vsphere) markBaseline() {
	inv := v.inventory()
	b, _ := json.Marshal(inv)
	v.ctl.Lock()
	v.baseline = b
	v.baseFiles = map[string]bool{}
	for ds, files := range inv["datastore_files"].(map[string][]string) {
		for _, f := range files {
			v.baseFiles[ds+" "+f] = true
		}
	}
	v.ctl.Unlock()
}

type invDisk struct {
	File          string `json:"file"`
	Backing       string `json:"backing"`
	SizeBytes     int64  `json:"size_bytes"`
	Thin          bool   `json:"thin"`
	Eager         bool   `json:"eager"`
	Mode          string `json:"mode"`
	Sharing       string `json:"sharing,omitempty"`
	Datastore     string `json:"datastore"`
	ControllerKey int32  `json:"controller_key"`
	Unit          int32  `json:"unit"`
	LunUUID       string `json:"lun_uuid,omitempty"`
	Compatibility string `json:"compatibility_mode,omitempty"`
}

type invVM struct {
	Name       string    `json:"name"`
	MoID       string    `json:"moid"`
	Template   bool      `json:"template"`
	PowerState string    `json:"power_state"`
	Host       string    `json:"host"`
	VmxPath    string    `json:"vmx_path"`
	CBT        bool      `json:"cbt"`
	Snapshots  int       `json:"snapshots"`
	Disks      []invDisk `json:"disks"`
}

func countSnapshots(tree []types.VirtualMachineSnapshotTree) int {
	n := 0
	for _, t := range tree {
		n += 1 + countSnapshots(t.ChildSnapshotList)
	}
	return n
}

// inventory dumps what a leak check compares: VMs with their disks and
// every file on every datastore.
func (v *vsphere) inventory() map[string]interface{} {
	v.mu.Lock()
	defer v.mu.Unlock()
	var vms []invVM
	for _, e := range simulator.Map.All("VirtualMachine") {
		vm, ok := e.(*simulator.VirtualMachine)
		if !ok || vm.Config == nil {
			continue
		}
		iv := invVM{Name: vm.Name, MoID: vm.Self.Value, Template: vm.Config.Template,
			PowerState: string(vm.Runtime.PowerState), VmxPath: vm.Config.Files.VmPathName}
		if vm.Runtime.Host != nil {
			iv.Host = vm.Runtime.Host.Value
		}
		if vm.Config.ChangeTrackingEnabled != nil {
			iv.CBT = *vm.Config.ChangeTrackingEnabled
		}
		if vm.Snapshot != nil {
			iv.Snapshots = countSnapshots(vm.Snapshot.RootSnapshotList)
		}
		for _, d := range diskList(vm.Config.Hardware.Device) {
			id := invDisk{SizeBytes: diskBytes(d), ControllerKey: d.ControllerKey}
			if d.UnitNumber != nil {
				id.Unit = *d.UnitNumber
			}
			switch b := d.Backing.(type) {
			case *types.VirtualDiskFlatVer2BackingInfo:
				id.Backing = "flat"
				id.File = b.FileName
				id.Thin = b.ThinProvisioned != nil && *b.ThinProvisioned
				id.Eager = b.EagerlyScrub != nil && *b.EagerlyScrub
				id.Mode = b.DiskMode
				id.Sharing = b.Sharing
				if b.Datastore != nil {
					id.Datastore = b.Datastore.Value
				}
			case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
				id.Backing = "rdm"
				id.File = b.FileName
				id.Mode = b.DiskMode
				id.LunUUID = b.LunUuid
				id.Compatibility = b.CompatibilityMode
				if b.Datastore != nil {
					id.Datastore = b.Datastore.Value
				}
			default:
				id.Backing = "other"
			}
			iv.Disks = append(iv.Disks, id)
		}
		vms = append(vms, iv)
	}
	sort.Slice(vms, func(i, j int) bool { return vms[i].Name+vms[i].MoID < vms[j].Name+vms[j].MoID })
	files := map[string][]string{}
	free := map[string]int64{}
	for _, d := range labDatastores {
		ds, ok := simulator.Map.Get(types.ManagedObjectReference{Type: "Datastore", Value: d.moid}).(*simulator.Datastore)
		if !ok {
			continue
		}
		root := ds.Info.GetDatastoreInfo().Url
		list := []string{}
		filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
			if err != nil || p == root {
				return nil
			}
			rel, _ := filepath.Rel(root, p)
			if fi.IsDir() {
				rel += "/"
			}
			list = append(list, strings.ReplaceAll(rel, string(filepath.Separator), "/"))
			return nil
		})
		sort.Strings(list)
		files[d.moid] = list
		free[d.moid] = ds.Summary.FreeSpace
	}
	// files and folders that were not there when the lab became ready
	extra := map[string][]string{}
	v.ctl.Lock()
	if v.baseFiles != nil {
		for ds, list := range files {
			for _, f := range list {
				if !v.baseFiles[ds+" "+f] {
					extra[ds] = append(extra[ds], f)
				}
			}
		}
	}
	v.ctl.Unlock()
	return map[string]interface{}{"vms": vms, "datastore_files": files, "datastore_free": free, "extra_files": extra}
}
