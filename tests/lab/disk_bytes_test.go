package main

// Disk bytes (disk_bytes.go): the chain through snapshots, reverts and
// consolidations, clones that carry the template's bytes, eager-zeroed
// and RDM disks, and sparse copies.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

func simVM(vm *object.VirtualMachine) *simulator.VirtualMachine { return vmOf(vm.Reference()) }

func devRead(t *testing.T, d labDev, off int64, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := d.ReadAt(b, off); err != nil {
		t.Fatalf("read %d+%d: %v", off, n, err)
	}
	return b
}

func devWrite(t *testing.T, d labDev, off int64, s string) {
	t.Helper()
	if _, err := d.WriteAt([]byte(s), off); err != nil {
		t.Fatalf("write %d: %v", off, err)
	}
}

// devSum digests the device's non-zero 64 KiB blocks with their offsets
// (a sha256 of all of a 16 GiB disk takes too long for a unit test).
func devSum(t *testing.T, d labDev) string {
	t.Helper()
	ex, err := d.(sparseDev).Extents()
	if err != nil {
		t.Fatalf("extents: %v", err)
	}
	h := sha256.New()
	buf := make([]byte, grainSize)
	zero := make([]byte, grainSize)
	for _, e := range ex {
		for off := e[0] / grainSize * grainSize; off < e[1]; off += grainSize {
			n := grainSize
			if off+n > d.Size() {
				n = d.Size() - off
			}
			if _, err := d.ReadAt(buf[:n], off); err != nil {
				t.Fatalf("sum: %v", err)
			}
			if !bytes.Equal(buf[:n], zero[:n]) {
				fmt.Fprintf(h, "%d:", off)
				h.Write(buf[:n])
			}
		}
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// allocated is the space a file takes on the lab's disk.
func allocated(t *testing.T, path string) int64 {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	return st.Blocks * 512
}

func TestVsphereDiskBytes(t *testing.T) {
	e := labEnv(t)
	if e.v.stock {
		t.Skip("lab only")
	}
	ctx := context.Background()

	// the template's boot disk carries a marker into its clones
	tdev, err := e.v.bootDev(simVM(e.tmpl))
	if err != nil {
		t.Fatal(err)
	}
	marker := fmt.Sprintf("template-bytes-%d", time.Now().UnixNano())
	devWrite(t, tdev, 5<<20, marker)

	vm, err := e.clone("bytes-1", types.VirtualMachineCloneSpec{})
	if err != nil {
		t.Fatal(err)
	}
	sim := simVM(vm)
	m, _ := e.vmProps(vm)
	key := vmDisks(m)[0].Key
	d, err := e.v.diskDev(sim, key)
	if err != nil {
		t.Fatal(err)
	}
	if got := devRead(t, d, 5<<20, len(marker)); string(got) != marker {
		t.Fatalf("clone's boot disk: %q, want the template's %q", got, marker)
	}
	if d.Size() != templateDisk {
		t.Fatalf("size %d, want %d", d.Size(), templateDisk)
	}

	// write, snapshot, write across a grain boundary, snapshot, write
	edge := grainSize - 3
	devWrite(t, d, 100, "base-one")
	devWrite(t, d, edge, "base-edge")
	s1, err := e.snapshot(vm, "s1")
	if err != nil {
		t.Fatal(err)
	}
	devWrite(t, d, 104, "DELTA1")
	devWrite(t, d, edge+2, "XY")
	s2, err := e.snapshot(vm, "s2")
	if err != nil {
		t.Fatal(err)
	}
	devWrite(t, d, 1<<30, "delta-two")
	if got := string(devRead(t, d, 100, 10)); got != "baseDELTA1" {
		t.Fatalf("through the chain: %q", got)
	}
	if got := string(devRead(t, d, edge, 9)); got != "baXY-edge" {
		t.Fatalf("grain edge through the chain: %q", got)
	}
	base, err := e.v.diskBaseDev(sim, key)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(devRead(t, base, 100, 8)); got != "base-one" {
		t.Fatalf("base view: %q", got)
	}
	if got := devRead(t, base, 1<<30, 9); !bytes.Equal(got, make([]byte, 9)) {
		t.Fatalf("base view sees the top's writes: %q", got)
	}
	if _, err := base.WriteAt([]byte("x"), 0); err == nil {
		t.Fatalf("the base view is writable")
	}
	before := devSum(t, d)

	// sparse copy into a PVC file: same bytes, little space
	pvc := labPVCPath(e.l.Dir, "ns1", "pvc-bytes-1")
	fd, err := openFileDev(pvc, d.Size())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := copyDev(fd, d); err != nil {
		t.Fatal(err)
	}
	if devSum(t, fd) != before {
		t.Fatalf("the copy differs from the disk")
	}
	if a := allocated(t, pvc); a > 4<<20 {
		t.Fatalf("the copy takes %d bytes", a)
	}
	fd.Close()
	os.RemoveAll(filepath.Dir(filepath.Dir(pvc)))
	t.Logf("16 GiB disk copied in %v", time.Since(start))

	// revert to s2 drops the top's write
	task, err := vm.RevertToSnapshot(ctx, s2.Value, true)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	if got := devRead(t, d, 1<<30, 9); !bytes.Equal(got, make([]byte, 9)) {
		t.Fatalf("after revert: %q", got)
	}
	devWrite(t, d, 1<<30, "delta-two")
	if devSum(t, d) != before {
		t.Fatalf("rewritten after revert: differs")
	}

	// removing s1 merges, removing all consolidates: the state stays
	if err := e.removeSnapshot(s1); err != nil {
		t.Fatal(err)
	}
	if devSum(t, d) != before {
		t.Fatalf("after removing s1 the disk changed")
	}
	if got := string(devRead(t, base, 100, 10)); got != "baseDELTA1" {
		t.Fatalf("s1's delta is not in the base: %q", got)
	}
	task, err = vm.RemoveAllSnapshot(ctx, types.NewBool(true))
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	if devSum(t, d) != before || devSum(t, base) != before {
		t.Fatalf("after consolidation the disk changed")
	}
	home := filepath.Join(e.v.dsDir, "xcopy-ds", "bytes-1")
	if f := withSuffix(e.vmFolderFiles("bytes-1"), "-sesparse.vmdk"); len(f) != 0 {
		t.Fatalf("deltas left after consolidation: %v", f)
	}

	// a 2 TiB eager-zeroed disk reads zeros and costs nothing; an RDM
	// disk writes into its LUN
	ctrl := scsiKey(m)
	eager := diskAdd(ctrl, 1, 2048, false)
	eager.Device.(*types.VirtualDisk).Backing.(*types.VirtualDiskFlatVer2BackingInfo).EagerlyScrub = types.NewBool(true)
	if err := e.reconfig(vm, types.VirtualMachineConfigSpec{DeviceChange: []types.BaseVirtualDeviceConfigSpec{
		eager, rdmDiskAdd(e, ctrl, 2, "physicalMode")}}); err != nil {
		t.Fatal(err)
	}
	m, _ = e.vmProps(vm)
	var eagerKey, rdmKey int32
	for _, x := range vmDisks(m) {
		switch x.Backing.(type) {
		case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
			rdmKey = x.Key
		case *types.VirtualDiskFlatVer2BackingInfo:
			if x.Key != key {
				eagerKey = x.Key
			}
		}
	}
	ed, err := e.v.diskDev(sim, eagerKey)
	if err != nil {
		t.Fatal(err)
	}
	if ed.Size() != 2<<40 {
		t.Fatalf("eager disk size %d", ed.Size())
	}
	if got := devRead(t, ed, 1<<40, 4096); !bytes.Equal(got, make([]byte, 4096)) {
		t.Fatalf("eager-zeroed disk does not read zeros")
	}
	devWrite(t, ed, (2<<40)-4, "last")
	start = time.Now()
	pvc = labPVCPath(e.l.Dir, "ns1", "pvc-eager")
	fd, err = openFileDev(pvc, ed.Size())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := copyDev(fd, ed); err != nil {
		t.Fatal(err)
	}
	if got := string(devRead(t, fd, (2<<40)-4, 4)); got != "last" {
		t.Fatalf("2 TiB copy: %q", got)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("a 2 TiB disk with 4 bytes copies in %v", time.Since(start))
	}
	fd.Close()
	os.RemoveAll(filepath.Join(e.l.Dir, "pvc"))
	rd, err := e.v.diskDev(sim, rdmKey)
	if err != nil {
		t.Fatal(err)
	}
	devWrite(t, rd, 4096, "on-the-lun")
	lun := e.v.lunPath(e.l.Inv.RDMLunNAA)
	b := make([]byte, 8192)
	if f, err := os.Open(lun); err != nil {
		t.Fatal(err)
	} else {
		f.ReadAt(b, 0)
		f.Close()
	}
	if !bytes.Contains(b, []byte("on-the-lun")) {
		t.Fatalf("the RDM write is not in %s", lun)
	}

	// destroying the VM leaves nothing in its folder (the LUN stays)
	task, err = vm.PowerOff(ctx)
	if err == nil {
		task.Wait(ctx)
	}
	task, err = vm.Destroy(ctx)
	if err == nil {
		err = task.Wait(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(home); err == nil {
		ents, _ := os.ReadDir(home)
		var names []string
		for _, x := range ents {
			names = append(names, x.Name())
		}
		t.Fatalf("left after destroy: %s", strings.Join(names, " "))
	}
	if _, err := os.Stat(lun); err != nil {
		t.Fatalf("the LUN went with the VM: %v", err)
	}
	if a := allocated(t, lun); a > 1<<20 {
		t.Fatalf("LUN takes %d bytes", a)
	}
}

// TestVsphereDiskHashes: the control endpoints' sha256 is that of all the
// bytes, and the block digest does not depend on where the holes are.
func TestVsphereDiskHashes(t *testing.T) {
	dir := t.TempDir()
	a, err := openFileDev(filepath.Join(dir, "a.img"), 3<<20)
	if err != nil {
		t.Fatal(err)
	}
	b, err := openFileDev(filepath.Join(dir, "b.img"), 3<<20)
	if err != nil {
		t.Fatal(err)
	}
	devWrite(t, a, 70000, "data")
	devWrite(t, b, 70000, "data")
	devWrite(t, b, 2<<20, "\x00\x00") // allocated zeros
	all := make([]byte, 3<<20)
	copy(all[70000:], "data")
	want := fmt.Sprintf("%x", sha256.Sum256(all))
	sa, da, err := devHashes(a, false)
	if err != nil {
		t.Fatal(err)
	}
	sb, db, _ := devHashes(b, false)
	_, dsparse, _ := devHashes(b, true)
	if sa != want || sb != want {
		t.Fatalf("sha256 %s %s, want %s", sa, sb, want)
	}
	if da != db || db != dsparse {
		t.Fatalf("digests differ: %s %s %s", da, db, dsparse)
	}
	devWrite(t, b, 3<<20-1, "x")
	if _, d, _ := devHashes(b, true); d == da {
		t.Fatalf("the digest misses a changed byte")
	}
}
