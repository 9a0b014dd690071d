package main

// Control endpoints for disk bytes (plain HTTP on loopback, JSON):
//   GET  /vsphere/disk-sha256?vm=NAME&disk=KEY|LABEL[&base=1]
//        {"vm","key","label","size","sha256"}: the sha256 of the disk's
//        current bytes through its snapshot chain (base=1: its base file)
//   POST /vsphere/disk-write {"vm":NAME,"disk":"KEY|LABEL","offset":N,
//        "data":"text"|"data_base64":"..."}: writes into the disk's current
//        state (the top of its chain)
//   GET  /kube/pvc-sha256?namespace=NS&name=NAME
//        {"namespace","name","size","sha256"}: the sha256 of the PVC's
//        backing file DIR/pvc/NS/NAME.img (404 when it has none)
// A disk is named by its device key ("2000") or label ("Hard disk 1").

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/vmware/govmomi/simulator"
)

// vmByName finds a VM (or template) of the simulator by name.
func vmByName(name string) *simulator.VirtualMachine {
	for _, e := range simulator.Map.All("VirtualMachine") {
		if vm, ok := e.(*simulator.VirtualMachine); ok && vm.Name == name {
			return vm
		}
	}
	return nil
}

// diskNamed finds a disk key by key or label.
func diskNamed(vm *simulator.VirtualMachine, disk string) (int32, string, bool) {
	var key int32
	var label string
	found := false
	simulator.Map.WithLock(vm, func() {
		if vm.Config == nil {
			return
		}
		for _, d := range diskList(vm.Config.Hardware.Device) {
			l := ""
			if d.DeviceInfo != nil {
				l = d.DeviceInfo.GetDescription().Label
			}
			if strconv.Itoa(int(d.Key)) == disk || (l != "" && l == disk) {
				key, label, found = d.Key, l, true
				return
			}
		}
	})
	return key, label, found
}

// devSHA256 hashes all of a device; ranges outside its extents are
// hashed as zeros without being read.
func devSHA256(d labDev) (string, error) {
	h := sha256.New()
	ex := [][2]int64{{0, d.Size()}}
	if s, ok := d.(sparseDev); ok {
		e, err := s.Extents()
		if err != nil {
			return "", err
		}
		ex = e
	}
	buf := make([]byte, 1<<20)
	zero := make([]byte, 1<<20)
	zeros := func(n int64) {
		for n > 0 {
			m := int64(len(zero))
			if m > n {
				m = n
			}
			h.Write(zero[:m])
			n -= m
		}
	}
	pos := int64(0)
	for _, e := range ex {
		zeros(e[0] - pos)
		for off := e[0]; off < e[1]; {
			m := int64(len(buf))
			if off+m > e[1] {
				m = e[1] - off
			}
			if _, err := d.ReadAt(buf[:m], off); err != nil {
				return "", err
			}
			h.Write(buf[:m])
			off += m
		}
		pos = e[1]
	}
	zeros(d.Size() - pos)
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (v *vsphere) registerDiskControl() {
	mux := v.l.Control
	find := func(w http.ResponseWriter, name, disk string) (*simulator.VirtualMachine, int32, string, bool) {
		vm := vmByName(name)
		if vm == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no vm " + name})
			return nil, 0, "", false
		}
		key, label, ok := diskNamed(vm, disk)
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("vm %s has no disk %q", name, disk)})
			return nil, 0, "", false
		}
		return vm, key, label, true
	}
	mux.HandleFunc("/vsphere/disk-sha256", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		vm, key, label, ok := find(w, q.Get("vm"), q.Get("disk"))
		if !ok {
			return
		}
		dev, err := v.newDiskDev(vm, key, q.Get("base") == "1")
		var sum string
		if err == nil {
			sum, err = devSHA256(dev)
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"vm": vm.Name, "key": key, "label": label,
			"size": dev.Size(), "sha256": sum})
	})
	mux.HandleFunc("/vsphere/disk-write", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST only"})
			return
		}
		var in struct {
			VM     string `json:"vm"`
			Disk   string `json:"disk"`
			Offset int64  `json:"offset"`
			Data   string `json:"data"`
			Data64 string `json:"data_base64"`
		}
		if err := readJSON(r, &in); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `want {"vm","disk","offset","data"|"data_base64"}`})
			return
		}
		data := []byte(in.Data)
		if in.Data64 != "" {
			b, err := base64.StdEncoding.DecodeString(in.Data64)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "data_base64: " + err.Error()})
				return
			}
			data = b
		}
		vm, key, _, ok := find(w, in.VM, in.Disk)
		if !ok {
			return
		}
		dev, err := v.diskDev(vm, key)
		if err == nil {
			_, err = dev.WriteAt(data, in.Offset)
		}
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"written": len(data)})
	})
	mux.HandleFunc("/kube/pvc-sha256", func(w http.ResponseWriter, r *http.Request) {
		ns, name := r.URL.Query().Get("namespace"), r.URL.Query().Get("name")
		p := labPVCPath(v.l.Dir, ns, name)
		if _, err := os.Stat(p); ns == "" || name == "" || err != nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no bytes for pvc " + ns + "/" + name})
			return
		}
		dev, err := openFileDev(p, 0)
		var sum string
		if err == nil {
			defer dev.Close()
			sum, err = devSHA256(dev)
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"namespace": ns, "name": name, "size": dev.Size(), "sha256": sum})
	})
}
