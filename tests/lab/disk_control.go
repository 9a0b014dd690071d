package main

// Control endpoints for disk bytes (plain HTTP on loopback, JSON):
//   GET  /vsphere/disks?vm=NAME  {"vm","disks":[{"key","label","size"}]}:
//        the VM's disks by controller bus and unit (the first boots)
//   GET  /vsphere/disk-sha256?vm=NAME&disk=KEY|LABEL[&base=1]
//        {"vm","key","label","size","sha256","digest"}: the sha256 of the
//        disk's current bytes through its snapshot chain (base=1: its base
//        file); "digest" is the sha256 of the size and of every non-zero
//        64 KiB block with its offset: equal exactly when the bytes are,
//        and fast on a big sparse disk; sparse=1 computes only the digest
//   POST /vsphere/disk-write {"vm":NAME,"disk":"KEY|LABEL|all","offset":N,
//        "data":"text"|"data_base64":"..."}: writes into the disk's current
//        state (the top of its chain); "all": into every disk of the VM.
//        With "before_snapshot":N or "after_snapshot":N the write waits
//        (the VM need not exist yet) and is done just before or just after
//        the VM's Nth snapshot is taken (so it lands below or above that
//        snapshot's delta), the way a test writes between the snapshots a
//        run takes; {"armed": n} says how many writes wait
//   GET  /kube/pvc-sha256?namespace=NS&name=NAME
//        {"namespace","name","size","sha256","digest"}: the same for the
//        PVC's backing file DIR/pvc/NS/NAME.img (404 when it has none)
// A disk is named by its device key ("2000") or label ("Hard disk 1").

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"sync"

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

// disksNamed lists the disks of a VM named by key, label or "all" (the
// caller holds the VM's lock).
func disksNamed(vm *simulator.VirtualMachine, disk string) (keys []int32, labels []string) {
	if vm.Config == nil {
		return nil, nil
	}
	for _, d := range diskList(vm.Config.Hardware.Device) {
		l := ""
		if d.DeviceInfo != nil {
			l = d.DeviceInfo.GetDescription().Label
		}
		if disk == "all" || strconv.Itoa(int(d.Key)) == disk || (l != "" && l == disk) {
			keys = append(keys, d.Key)
			labels = append(labels, l)
		}
	}
	return keys, labels
}

// devHashes hashes a device: the sha256 of all its bytes (unless sparse;
// ranges outside its extents are hashed as zeros without being read) and
// the digest of its non-zero 64 KiB blocks (see above).
func devHashes(d labDev, sparse bool) (sum, digest string, err error) {
	h, g := sha256.New(), sha256.New()
	var sz [8]byte
	binary.BigEndian.PutUint64(sz[:], uint64(d.Size()))
	g.Write(sz[:])
	ex := [][2]int64{{0, d.Size()}}
	if s, ok := d.(sparseDev); ok {
		if ex, err = s.Extents(); err != nil {
			return "", "", err
		}
	}
	buf := make([]byte, grainSize)
	zero := make([]byte, 1<<20)
	zeros := func(n int64) {
		for !sparse && n > 0 {
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
		// whole blocks, so that the digest does not depend on extents
		start := e[0] / grainSize * grainSize
		if start < pos {
			start = pos
		}
		zeros(start - pos)
		for off := start; off < e[1]; {
			m := grainSize - off%grainSize
			if off+m > d.Size() {
				m = d.Size() - off
			}
			if _, err := d.ReadAt(buf[:m], off); err != nil {
				return "", "", err
			}
			if !sparse {
				h.Write(buf[:m])
			}
			if !bytes.Equal(buf[:m], zero[:m]) {
				binary.BigEndian.PutUint64(sz[:], uint64(off))
				g.Write(sz[:])
				g.Write(buf[:m])
			}
			off += m
			pos = off
		}
	}
	zeros(d.Size() - pos)
	if !sparse {
		sum = hex.EncodeToString(h.Sum(nil))
	}
	return sum, hex.EncodeToString(g.Sum(nil)), nil
}

// ---- writes that wait for a snapshot

type pendingWrite struct {
	vm, disk string
	off      int64
	data     []byte
	snap     int32
	after    bool
}

var (
	pendingMu     sync.Mutex
	pendingWrites []pendingWrite
)

// snapshotWrites does the waiting writes of vm's snapshot id (before or
// after it is taken); createSnapshot calls it under the VM's lock.
func (v *vsphere) snapshotWrites(vm *simulator.VirtualMachine, id int32, after bool) {
	pendingMu.Lock()
	var mine, keep []pendingWrite
	for _, w := range pendingWrites {
		if w.vm == vm.Name && w.snap == id && w.after == after {
			mine = append(mine, w)
		} else {
			keep = append(keep, w)
		}
	}
	pendingWrites = keep
	pendingMu.Unlock()
	for _, w := range mine {
		keys, _ := disksNamed(vm, w.disk)
		for _, k := range keys {
			if err := v.writeLocked(vm, k, w.data, w.off); err != nil {
				v.l.Logf("vsphere: write into %s disk %d at snapshot %d: %v", vm.Name, k, id, err)
			}
		}
	}
}

// writeLocked writes into a disk's current state; the caller holds the
// VM's lock.
func (v *vsphere) writeLocked(vm *simulator.VirtualMachine, key int32, p []byte, off int64) error {
	d := vmDisk(vm, key)
	if d == nil {
		return fmt.Errorf("no disk %d", key)
	}
	c, err := v.openChain(d.Backing, diskBytes(d))
	if err != nil {
		return err
	}
	defer c.close()
	_, err = c.WriteAt(p, off)
	return err
}

func (v *vsphere) registerDiskControl() {
	mux := v.l.Control
	mux.HandleFunc("/vsphere/disks", func(w http.ResponseWriter, r *http.Request) {
		vm := vmByName(r.URL.Query().Get("vm"))
		if vm == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no vm " + r.URL.Query().Get("vm")})
			return
		}
		var out []map[string]interface{}
		simulator.Map.WithLock(vm, func() {
			for _, k := range diskOrder(vm) {
				d := vmDisk(vm, k)
				l := ""
				if d.DeviceInfo != nil {
					l = d.DeviceInfo.GetDescription().Label
				}
				out = append(out, map[string]interface{}{"key": k, "label": l, "size": diskBytes(d)})
			}
		})
		writeJSON(w, http.StatusOK, map[string]interface{}{"vm": vm.Name, "disks": out})
	})
	mux.HandleFunc("/vsphere/disk-sha256", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		vm := vmByName(q.Get("vm"))
		if vm == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no vm " + q.Get("vm")})
			return
		}
		var keys []int32
		var labels []string
		simulator.Map.WithLock(vm, func() { keys, labels = disksNamed(vm, q.Get("disk")) })
		if len(keys) != 1 {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": fmt.Sprintf("vm %s has no disk %q", vm.Name, q.Get("disk"))})
			return
		}
		dev, err := v.newDiskDev(vm, keys[0], q.Get("base") == "1")
		var sum, digest string
		if err == nil {
			sum, digest, err = devHashes(dev, q.Get("sparse") == "1")
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"vm": vm.Name, "key": keys[0], "label": labels[0],
			"size": dev.Size(), "sha256": sum, "digest": digest})
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
			Before int32  `json:"before_snapshot"`
			After  int32  `json:"after_snapshot"`
		}
		if err := readJSON(r, &in); err != nil || in.VM == "" || in.Disk == "" || in.Offset < 0 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": `want {"vm","disk","offset","data"|"data_base64"[,"before_snapshot"|"after_snapshot"]}`})
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
		if in.Before > 0 || in.After > 0 {
			pw := pendingWrite{vm: in.VM, disk: in.Disk, off: in.Offset, data: data, snap: in.Before}
			if in.After > 0 {
				pw.snap, pw.after = in.After, true
			}
			pendingMu.Lock()
			pendingWrites = append(pendingWrites, pw)
			n := len(pendingWrites)
			pendingMu.Unlock()
			writeJSON(w, http.StatusOK, map[string]interface{}{"armed": n})
			return
		}
		vm := vmByName(in.VM)
		if vm == nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no vm " + in.VM})
			return
		}
		var err error
		n := 0
		simulator.Map.WithLock(vm, func() {
			keys, _ := disksNamed(vm, in.Disk)
			if len(keys) == 0 {
				err = fmt.Errorf("vm %s has no disk %q", in.VM, in.Disk)
			}
			for _, k := range keys {
				if err = v.writeLocked(vm, k, data, in.Offset); err != nil {
					return
				}
				n++
			}
		})
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"written": len(data), "disks": n})
	})
	mux.HandleFunc("/kube/pvc-sha256", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ns, name := q.Get("namespace"), q.Get("name")
		p := labPVCPath(v.l.Dir, ns, name)
		if _, err := os.Stat(p); ns == "" || name == "" || err != nil {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "no bytes for pvc " + ns + "/" + name})
			return
		}
		dev, err := openFileDev(p, 0)
		var sum, digest string
		if err == nil {
			defer dev.Close()
			sum, digest, err = devHashes(dev, q.Get("sparse") == "1")
		}
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]interface{}{"namespace": ns, "name": name, "size": dev.Size(),
			"sha256": sum, "digest": digest})
	})
}
