package main

// The bytes a disk copy moves. When the populator (copy offload, xcopy or
// its fallback), CDI's VDDK importer or a warm checkpoint finishes a disk,
// the PVC's backing file labPVCPath(DIR, ns, pvc) gets the source disk's
// current bytes, read through its snapshot chain (disk_bytes.go), as
// vmkfstools clones a disk's chain into one target (vsphere-xcopy-volume-
// populator) and the VDDK importer reads a disk at its latest snapshot
// (forklift-api.md, populator and PVC). The copy is sparse-aware, so a
// 2 TiB disk with 1 MiB of data copies at once; the simulated time still
// comes from the copy rates. Every copy of a warm migration writes the
// whole current state, so the cutover copy ends with the current bytes.
//
// Faults (POST /forklift/fail-next, forklift_ctrl.go), armed for the first
// disk of the next VM whose copy starts (with "vm": of that source VM) and
// kept for every copy of that disk in the run (a warm migration's
// checkpoints do not heal them):
//   corrupt-copy          flips bytes in the middle of every data range of
//                         the copied disk;
//   stale-snapshot-copy   copies the disk's base file without its snapshot
//                         deltas.
// A PVC's file goes when the PVC (or its namespace) is deleted.

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// fkBytesFaults are the fail-next kinds this file serves.
var fkBytesFaults = []string{"corrupt-copy", "stale-snapshot-copy"}

// fkBytesMu guards fkVMRun.faults (never taken under fkForklift.mu).
var fkBytesMu sync.Mutex

// bytesFault is the fault of disk d in this run, taken from the armed
// faults when the VM's first disk starts its first copy.
func (r *fkRun) bytesFault(v *fkVMRun, d fkDisk) string {
	fkBytesMu.Lock()
	defer fkBytesMu.Unlock()
	if v.faults == nil {
		v.faults = map[int32]string{}
		if len(v.vm.Disks) > 0 {
			if k := r.f.takeBytesFault(v.vm.Name); k != "" {
				v.faults[v.vm.Disks[0].Key] = k
			}
		}
	}
	return v.faults[d.Key]
}

// takeBytesFault pops the first armed bytes fault for VM name (one
// without a VM is for any).
func (f *fkForklift) takeBytesFault(name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.faults {
		for _, k := range fkBytesFaults {
			if ft.Kind == k && (ft.VM == "" || ft.VM == name) {
				f.faults = append(f.faults[:i], f.faults[i+1:]...)
				return k
			}
		}
	}
	return ""
}

// copyBytes writes source disk d's bytes into PVC pvc of the target
// namespace. A lab without vSphere disks (Go tests of the model) copies
// nothing.
func (r *fkRun) copyBytes(v *fkVMRun, d fkDisk, pvc string) error {
	f := r.f
	if f.l == nil || f.l.DiskDev == nil {
		return nil
	}
	fault := r.bytesFault(v, d)
	src, err := f.l.DiskDev(v.vm.ID, d.Key, fault == "stale-snapshot-copy")
	if err != nil {
		return fmt.Errorf("read disk %d of %s: %v", d.Key, v.vm.Name, err)
	}
	defer src.Close()
	size := d.Capacity
	if size <= 0 {
		size = src.Size()
	}
	tns := fkStr(r.plan, "spec", "targetNamespace")
	dst, err := openFileDev(labPVCPath(f.l.Dir, tns, pvc), size)
	if err != nil {
		return err
	}
	defer dst.Close()
	n, err := copyDev(dst, src)
	if err != nil {
		return fmt.Errorf("copy disk %d of %s into %s/%s: %v", d.Key, v.vm.Name, tns, pvc, err)
	}
	if fault == "corrupt-copy" {
		if err := corruptDev(dst); err != nil {
			return err
		}
	}
	f.logf("bytes: disk %d of %s -> %s/%s: %d bytes of data%s", d.Key, v.vm.Name, tns, pvc, n, map[bool]string{true: " (" + fault + ")", false: ""}[fault != ""])
	return nil
}

// corruptDev flips a 512-byte sector in the middle of every data range of
// d (a disk without data gets its first sector flipped).
func corruptDev(d *fileDev) error {
	ex, err := d.Extents()
	if err != nil {
		return err
	}
	if len(ex) == 0 {
		ex = [][2]int64{{0, 512}}
	}
	buf := make([]byte, 512)
	for _, e := range ex {
		off := (e[0] + (e[1]-e[0])/2) &^ 511
		if off+512 > d.Size() {
			off = d.Size() - 512
		}
		if _, err := d.ReadAt(buf, off); err != nil {
			return err
		}
		for i := range buf {
			buf[i] ^= 0xa5
		}
		if _, err := d.WriteAt(buf, off); err != nil {
			return err
		}
	}
	return nil
}

// pvcBytesGone drops the backing file of a deleted PVC, or the folder of a
// deleted namespace (store watch, forklift_ctrl.go onEvent).
func (f *fkForklift) pvcBytesGone(gvr GVR, o Obj) {
	if f.l == nil || f.l.Dir == "" {
		return
	}
	switch gvr {
	case fkPVCs:
		ns, name := fkStr(o, "metadata", "namespace"), fkName(o)
		if _, err := f.s.Get(fkPVCs, ns, name); err == nil {
			return // created again meanwhile
		}
		p := labPVCPath(f.l.Dir, ns, name)
		os.Remove(p)
		removeIfEmpty(filepath.Dir(p))
	case fkNamespaces:
		dir := filepath.Dir(labPVCPath(f.l.Dir, fkName(o), "x"))
		if _, err := f.s.Get(fkNamespaces, "", fkName(o)); err == nil {
			return
		}
		os.RemoveAll(dir)
	}
}
