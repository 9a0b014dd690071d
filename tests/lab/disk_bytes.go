package main

// Disk bytes on vSphere. Every virtual disk of the simulator has its bytes
// on the lab's disk:
//   - a base disk (FlatVer2) is its "-flat.vmdk" extent beside the
//     descriptor, a sparse file of the disk's capacity (the simulator
//     creates it empty; the first open sizes it);
//   - an RDM disk's base is the LUN itself: DIR/luns/<canonical name>.img,
//     a sparse file of the LUN's capacity, shared by every mapping of it
//     and never deleted with a VM (the array owns the LUN);
//   - a snapshot delta ("<base>-00000N.vmdk", vsphere_snapshot.go newDelta)
//     is copy-on-write over its parent with 64 KiB grains, as seSparse is
//     (vsphere-soap.md, snapshots): its extent "<delta>-sesparse.vmdk" holds
//     a header grain, then the grain bitmap, then the grains at dataOff +
//     their disk offset (sparse). A grain the delta has is read from it, any
//     other from the parent; a write to a grain the delta lacks first copies
//     the whole grain up the chain (copy-on-write), then sets its bit.
// Reads go through the chain top-down, writes go to the top. Reverting
// drops the top delta (and so its writes); removing a snapshot merges the
// following delta's grains into its parent, and RemoveAllSnapshots merges
// the current chain into the base, as vSphere consolidates.
//
// Thin and thick-lazy disks are sparse files. Thick eager-zeroed disks are
// zeroed at creation on VMware (every block written with zeros before the
// disk is usable). The lab models that zeroing with the sparse file's holes:
// a hole reads as zeros exactly as a zeroed block does, so a 2 TiB
// eager-zeroed disk reads all zeros and costs nothing on the lab's disk;
// the simulator creates a new base empty (os.Create), so no stale bytes.
//
// Locking: a device resolves the disk's chain and does its I/O under the
// simulator's lock of the VM (simulator.Map.WithLock), the lock the
// snapshot, clone, relocate and destroy corrections hold while they change
// backings and files; so a device may be used from any goroutine, but
// never while the caller holds that VM's lock.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/types"
)

const (
	grainSize  = int64(64 << 10)
	deltaMagic = "mtv-lab seSparse v1\n"
)

// rdmShield maps the flat stand-ins of shieldRDM (vsphere_fix.go) to the
// RDM backings they stand for while a simulator call runs, so a device
// resolved meanwhile still finds the LUN.
var rdmShield sync.Map // *types.VirtualDiskFlatVer2BackingInfo -> *types.VirtualDiskRawDiskMappingVer1BackingInfo

// ---- files

// flatPath is the local "-flat.vmdk" extent of a "[ds] x.vmdk" descriptor.
func flatPath(desc string) string {
	l := dsLocal(desc)
	if l == "" {
		return ""
	}
	return strings.TrimSuffix(l, ".vmdk") + "-flat.vmdk"
}

// deltaPath is the local "-sesparse.vmdk" extent of a delta descriptor.
func deltaPath(desc string) string {
	l := dsLocal(desc)
	if l == "" {
		return ""
	}
	return strings.TrimSuffix(l, ".vmdk") + "-sesparse.vmdk"
}

// diskExtentSuffixes are the extents that go with a descriptor when it is
// moved or deleted.
var diskExtentSuffixes = []string{"-flat.vmdk", "-sesparse.vmdk"}

// lunPath is the backing file of a LUN by canonical name.
func (v *vsphere) lunPath(naa string) string {
	return filepath.Join(v.l.Dir, "luns", naa+".img")
}

// lunOf finds an RDM's LUN: canonical name and capacity.
func lunOf(rdm *types.VirtualDiskRawDiskMappingVer1BackingInfo) (string, int64) {
	for _, e := range simulator.Map.All("HostSystem") {
		hs, ok := e.(*simulator.HostSystem)
		if !ok || hs.Config == nil || hs.Config.StorageDevice == nil {
			continue
		}
		for _, l := range hs.Config.StorageDevice.ScsiLun {
			sl := l.GetScsiLun()
			if (rdm.LunUuid != "" && sl.Uuid == rdm.LunUuid) ||
				(rdm.LunUuid == "" && rdm.DeviceName != "" && sl.DeviceName == rdm.DeviceName) {
				var size int64
				if d, ok := l.(*types.HostScsiDisk); ok {
					size = d.Capacity.Block * int64(d.Capacity.BlockSize)
				}
				return sl.CanonicalName, size
			}
		}
	}
	if strings.HasPrefix(rdm.LunUuid, "0200000000") && len(rdm.LunUuid) > 24 {
		return "naa." + strings.TrimSuffix(rdm.LunUuid[10:], "4c554e20202020"), 0
	}
	return "", 0
}

// ---- delta extents

type deltaFile struct {
	f    *os.File
	cap  int64 // capacity in bytes
	bmap int64 // offset of the grain bitmap
	data int64 // offset of grain 0
}

func deltaLayout(capacity int64) (bmap, data int64) {
	grains := (capacity + grainSize - 1) / grainSize
	bmap = grainSize
	data = bmap + ((grains+7)/8+grainSize-1)/grainSize*grainSize
	return
}

// openDelta opens a delta extent; create makes a missing one (capacity
// capacity), otherwise a missing extent is (nil, nil): a delta nobody
// wrote yet.
func openDelta(path string, capacity int64, create bool) (*deltaFile, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if os.IsNotExist(err) {
		if !create {
			return nil, nil
		}
		if f, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0600); err != nil {
			return nil, err
		}
		bmap, data := deltaLayout(capacity)
		hdr := make([]byte, 64)
		copy(hdr, deltaMagic)
		binary.LittleEndian.PutUint64(hdr[32:], uint64(capacity))
		binary.LittleEndian.PutUint64(hdr[40:], uint64(grainSize))
		if _, err := f.WriteAt(hdr, 0); err == nil {
			err = f.Truncate(data + capacity)
		}
		if err != nil {
			f.Close()
			os.Remove(path)
			return nil, err
		}
		return &deltaFile{f: f, cap: capacity, bmap: bmap, data: data}, nil
	}
	if err != nil {
		return nil, err
	}
	hdr := make([]byte, 64)
	if _, err := f.ReadAt(hdr, 0); err != nil || !bytes.HasPrefix(hdr, []byte(deltaMagic)) ||
		int64(binary.LittleEndian.Uint64(hdr[40:])) != grainSize {
		f.Close()
		return nil, fmt.Errorf("%s: not a lab seSparse extent", path)
	}
	c := int64(binary.LittleEndian.Uint64(hdr[32:]))
	bmap, data := deltaLayout(c)
	return &deltaFile{f: f, cap: c, bmap: bmap, data: data}, nil
}

func (d *deltaFile) has(g int64) (bool, error) {
	if g*grainSize >= d.cap {
		return false, nil
	}
	var b [1]byte
	if _, err := d.f.ReadAt(b[:], d.bmap+g/8); err != nil {
		return false, err
	}
	return b[0]&(1<<uint(g%8)) != 0, nil
}

func (d *deltaFile) mark(g int64) error {
	var b [1]byte
	if _, err := d.f.ReadAt(b[:], d.bmap+g/8); err != nil {
		return err
	}
	b[0] |= 1 << uint(g%8)
	_, err := d.f.WriteAt(b[:], d.bmap+g/8)
	return err
}

// grains lists the grains the delta holds.
func (d *deltaFile) grains() ([]int64, error) {
	n := (d.cap + grainSize - 1) / grainSize
	var out []int64
	buf := make([]byte, 64<<10)
	for base := int64(0); base < (n+7)/8; base += int64(len(buf)) {
		m := int64(len(buf))
		if base+m > (n+7)/8 {
			m = (n+7)/8 - base
		}
		if _, err := d.f.ReadAt(buf[:m], d.bmap+base); err != nil {
			return nil, err
		}
		for i := int64(0); i < m; i++ {
			if buf[i] == 0 {
				continue
			}
			for b := int64(0); b < 8; b++ {
				if buf[i]&(1<<uint(b)) != 0 && (base+i)*8+b < n {
					out = append(out, (base+i)*8+b)
				}
			}
		}
	}
	return out, nil
}

func (d *deltaFile) Close() error { return d.f.Close() }

// ---- a chain of layers

// diskLayer is one file of a chain: the base (flat extent or LUN) or a
// delta extent.
type diskLayer struct {
	path  string
	delta bool
	d     *deltaFile // open delta (nil: none written yet)
	f     *os.File   // open base
}

// diskChain is a disk's chain resolved at one moment (leaf first).
type diskChain struct {
	layers []*diskLayer
	size   int64
}

func (c *diskChain) close() {
	for _, l := range c.layers {
		if l.d != nil {
			l.d.Close()
		}
		if l.f != nil {
			l.f.Close()
		}
	}
}

// openChain opens the layers of a backing chain. The base is created
// (sparse, at its capacity) when missing; deltas are opened lazily.
func (v *vsphere) openChain(b types.BaseVirtualDeviceBackingInfo, capacity int64) (*diskChain, error) {
	if flat, ok := b.(*types.VirtualDiskFlatVer2BackingInfo); ok {
		if r, ok := rdmShield.Load(flat); ok {
			b = r.(*types.VirtualDiskRawDiskMappingVer1BackingInfo)
		}
	}
	list := chainOf(b)
	if len(list) == 0 {
		return nil, errors.New("disk has no backing")
	}
	c := &diskChain{size: capacity}
	for i, x := range list {
		file := backingFile(x)
		if i < len(list)-1 {
			p := deltaPath(file)
			if p == "" {
				return nil, fmt.Errorf("%s: no datastore", file)
			}
			c.layers = append(c.layers, &diskLayer{path: p, delta: true})
			continue
		}
		var p string
		size := capacity
		switch x := x.(type) {
		case *types.VirtualDiskRawDiskMappingVer1BackingInfo:
			naa, lsize := lunOf(x)
			if naa == "" {
				return nil, fmt.Errorf("%s: LUN not found", file)
			}
			p = v.lunPath(naa)
			if lsize > size {
				size = lsize
			}
			if c.size == 0 {
				c.size = lsize
			}
		default:
			p = flatPath(file)
		}
		if p == "" {
			return nil, fmt.Errorf("%s: no datastore", file)
		}
		fd, err := openFileDev(p, size)
		if err != nil {
			return nil, err
		}
		c.layers = append(c.layers, &diskLayer{path: p, f: fd.f})
	}
	for _, l := range c.layers {
		if l.delta {
			d, err := openDelta(l.path, c.size, false)
			if err != nil {
				c.close()
				return nil, err
			}
			l.d = d
		}
	}
	return c, nil
}

// readLayer reads [off, off+len(p)) (within one grain) as layer i sees it.
func (c *diskChain) readFrom(i int, p []byte, off int64) error {
	for ; i < len(c.layers); i++ {
		l := c.layers[i]
		if !l.delta {
			n, err := l.f.ReadAt(p, off)
			if err == io.EOF {
				for j := n; j < len(p); j++ {
					p[j] = 0
				}
				err = nil
			}
			return err
		}
		if l.d == nil {
			continue
		}
		ok, err := l.d.has(off / grainSize)
		if err != nil {
			return err
		}
		if ok {
			_, err := l.d.f.ReadAt(p, l.d.data+off)
			return err
		}
	}
	for j := range p {
		p[j] = 0
	}
	return nil
}

// grainSpans cuts [off, off+n) at grain boundaries.
func grainSpans(off int64, n int, fn func(off int64, lo, hi int) error) error {
	done := 0
	for done < n {
		o := off + int64(done)
		step := int(grainSize - o%grainSize)
		if step > n-done {
			step = n - done
		}
		if err := fn(o, done, done+step); err != nil {
			return err
		}
		done += step
	}
	return nil
}

func (c *diskChain) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > c.size {
		return 0, fmt.Errorf("read [%d,+%d) beyond the disk's %d bytes", off, len(p), c.size)
	}
	err := grainSpans(off, len(p), func(o int64, lo, hi int) error {
		return c.readFrom(0, p[lo:hi], o)
	})
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// writeLayer writes into layer i (a delta: copy-on-write of whole grains).
func (c *diskChain) writeLayer(i int, p []byte, off int64) error {
	l := c.layers[i]
	if !l.delta {
		_, err := l.f.WriteAt(p, off)
		return err
	}
	if l.d == nil {
		d, err := openDelta(l.path, c.size, true)
		if err != nil {
			return err
		}
		l.d = d
	}
	return grainSpans(off, len(p), func(o int64, lo, hi int) error {
		g := o / grainSize
		ok, err := l.d.has(g)
		if err != nil {
			return err
		}
		if !ok && (hi-lo) < int(grainSize) {
			full := make([]byte, grainSize)
			gs := g * grainSize
			end := gs + grainSize
			if end > c.size {
				end = c.size
			}
			if err := c.readFrom(i+1, full[:end-gs], gs); err != nil {
				return err
			}
			copy(full[o-gs:], p[lo:hi])
			if _, err := l.d.f.WriteAt(full[:end-gs], l.d.data+gs); err != nil {
				return err
			}
		} else if _, err := l.d.f.WriteAt(p[lo:hi], l.d.data+o); err != nil {
			return err
		}
		if !ok {
			return l.d.mark(g)
		}
		return nil
	})
}

func (c *diskChain) WriteAt(p []byte, off int64) (int, error) {
	if off < 0 || off+int64(len(p)) > c.size {
		return 0, fmt.Errorf("write [%d,+%d) beyond the disk's %d bytes", off, len(p), c.size)
	}
	if err := c.writeLayer(0, p, off); err != nil {
		return 0, err
	}
	return len(p), nil
}

// extents lists ranges that may hold non-zero bytes (sorted, merged).
func (c *diskChain) extents() ([][2]int64, error) {
	var all [][2]int64
	for _, l := range c.layers {
		if l.delta {
			if l.d == nil {
				continue
			}
			gs, err := l.d.grains()
			if err != nil {
				return nil, err
			}
			for _, g := range gs {
				all = append(all, [2]int64{g * grainSize, g*grainSize + grainSize})
			}
			continue
		}
		ex, err := fileExtents(l.f, c.size)
		if err != nil {
			return nil, err
		}
		all = append(all, ex...)
	}
	return mergeExtents(all, c.size), nil
}

// mergeAllInto writes layers [0, upto) into layer upto, oldest first, so
// that upto then reads what layer 0 read (snapshot consolidation).
func (c *diskChain) mergeInto(upto int) error {
	for i := upto - 1; i >= 0; i-- {
		l := c.layers[i]
		if l.d == nil {
			continue
		}
		gs, err := l.d.grains()
		if err != nil {
			return err
		}
		buf := make([]byte, grainSize)
		for _, g := range gs {
			gs := g * grainSize
			n := grainSize
			if gs+n > c.size {
				n = c.size - gs
			}
			if _, err := l.d.f.ReadAt(buf[:n], l.d.data+gs); err != nil {
				return err
			}
			if err := c.writeLayer(upto, buf[:n], gs); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- devices

// vmDisk finds a disk of a VM by key (under the VM's lock).
func vmDisk(vm *simulator.VirtualMachine, key int32) *types.VirtualDisk {
	if vm == nil || vm.Config == nil {
		return nil
	}
	for _, d := range diskList(vm.Config.Hardware.Device) {
		if d.Key == key {
			return d
		}
	}
	return nil
}

// vmDiskDev is a labDev over one disk of a VM: each call resolves the
// disk's chain again, so a device stays valid across snapshots, reverts,
// consolidations and relocations.
type vmDiskDev struct {
	v        *vsphere
	vm       types.ManagedObjectReference
	key      int32
	baseOnly bool
	size     int64
}

func (d *vmDiskDev) with(fn func(c *diskChain) error) error {
	obj := vmOf(d.vm)
	if obj == nil {
		return fmt.Errorf("vm %s is gone", d.vm.Value)
	}
	var err error
	simulator.Map.WithLock(obj, func() {
		disk := vmDisk(obj, d.key)
		if disk == nil {
			err = fmt.Errorf("vm %s has no disk %d", d.vm.Value, d.key)
			return
		}
		var c *diskChain
		c, err = d.v.openChain(disk.Backing, diskBytes(disk))
		if err != nil {
			return
		}
		defer c.close()
		if d.baseOnly {
			c.layers = c.layers[len(c.layers)-1:]
		}
		err = fn(c)
	})
	return err
}

func (d *vmDiskDev) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	err := d.with(func(c *diskChain) (e error) { n, e = c.ReadAt(p, off); return })
	return n, err
}

func (d *vmDiskDev) WriteAt(p []byte, off int64) (int, error) {
	if d.baseOnly {
		return 0, errors.New("a disk's base view is read-only")
	}
	n := 0
	err := d.with(func(c *diskChain) (e error) { n, e = c.WriteAt(p, off); return })
	return n, err
}

func (d *vmDiskDev) Size() int64  { return d.size }
func (d *vmDiskDev) Close() error { return nil }

// Extents lists the ranges that may hold data (sparseDev).
func (d *vmDiskDev) Extents() ([][2]int64, error) {
	var ex [][2]int64
	err := d.with(func(c *diskChain) (e error) { ex, e = c.extents(); return })
	return ex, err
}

func (v *vsphere) newDiskDev(vm *simulator.VirtualMachine, key int32, baseOnly bool) (labDev, error) {
	if vm == nil {
		return nil, errors.New("no vm")
	}
	dev := &vmDiskDev{v: v, vm: vm.Self, key: key, baseOnly: baseOnly}
	err := dev.with(func(c *diskChain) error { dev.size = c.size; return nil })
	if err != nil {
		return nil, err
	}
	return dev, nil
}

// diskDev is disk key of vm as the VM sees it now (through its snapshot
// chain), writable; writes go to the top of the chain.
func (v *vsphere) diskDev(vm *simulator.VirtualMachine, key int32) (labDev, error) {
	return v.newDiskDev(vm, key, false)
}

// diskBaseDev is disk key of vm without its snapshot deltas (the base
// file alone), read-only: what a copy that ignores the snapshots sees.
func (v *vsphere) diskBaseDev(vm *simulator.VirtualMachine, key int32) (labDev, error) {
	return v.newDiskDev(vm, key, true)
}

// bootDev is the VM's first disk by controller bus number and unit number.
func (v *vsphere) bootDev(vm *simulator.VirtualMachine) (labDev, error) {
	key, ok := int32(0), false
	if vm != nil {
		simulator.Map.WithLock(vm, func() { key, ok = bootDiskKey(vm) })
	}
	if !ok {
		return nil, errors.New("vm has no disk")
	}
	return v.diskDev(vm, key)
}

// bootDiskKey: the first disk by (controller bus, unit, key).
func bootDiskKey(vm *simulator.VirtualMachine) (int32, bool) {
	keys := diskOrder(vm)
	if len(keys) == 0 {
		return 0, false
	}
	return keys[0], true
}

// diskOrder lists a VM's disk keys by (controller bus, unit, key); the
// caller holds the VM's lock.
func diskOrder(vm *simulator.VirtualMachine) []int32 {
	if vm == nil || vm.Config == nil {
		return nil
	}
	bus := map[int32]int32{}
	for _, d := range vm.Config.Hardware.Device {
		if c, ok := d.(types.BaseVirtualController); ok {
			bus[d.GetVirtualDevice().Key] = c.GetVirtualController().BusNumber
		}
	}
	disks := diskList(vm.Config.Hardware.Device)
	unit := func(d *types.VirtualDisk) int32 {
		if d.UnitNumber != nil {
			return *d.UnitNumber
		}
		return 1 << 30
	}
	sort.SliceStable(disks, func(i, j int) bool {
		a, b := disks[i], disks[j]
		if bus[a.ControllerKey] != bus[b.ControllerKey] {
			return bus[a.ControllerKey] < bus[b.ControllerKey]
		}
		if unit(a) != unit(b) {
			return unit(a) < unit(b)
		}
		return a.Key < b.Key
	})
	var keys []int32
	for _, d := range disks {
		keys = append(keys, d.Key)
	}
	return keys
}

// ---- chain changes (called by the snapshot methods under the VM's lock)

// mergeDelta merges the delta descriptor child into its parent file
// within chain b (a chain holding both): the parent then reads what the
// child read. Errors are logged; the files stay as they are.
func (v *vsphere) mergeDelta(b types.BaseVirtualDeviceBackingInfo, capacity int64, child string) {
	c, err := v.openChain(b, capacity)
	if err != nil {
		v.l.Logf("vsphere: merge %s: %v", child, err)
		return
	}
	defer c.close()
	want := deltaPath(child)
	for i, l := range c.layers {
		if l.path == want && i+1 < len(c.layers) {
			// only the child itself goes into its parent
			sub := &diskChain{layers: c.layers[i:], size: c.size}
			if err := sub.mergeInto(1); err != nil {
				v.l.Logf("vsphere: merge %s: %v", child, err)
			}
			return
		}
	}
}

// consolidate writes the whole chain b into its base (RemoveAllSnapshots).
func (v *vsphere) consolidate(b types.BaseVirtualDeviceBackingInfo, capacity int64) {
	c, err := v.openChain(b, capacity)
	if err != nil {
		v.l.Logf("vsphere: consolidate %s: %v", backingFile(b), err)
		return
	}
	defer c.close()
	if err := c.mergeInto(len(c.layers) - 1); err != nil {
		v.l.Logf("vsphere: consolidate %s: %v", backingFile(b), err)
	}
}

// ---- copies

// copyDev copies src's bytes into dst, which is emptied first (so it reads
// exactly as src when the sizes agree); only ranges src may hold data in
// are read, and all-zero blocks are not written, so dst stays sparse.
// It returns the number of bytes written.
func copyDev(dst, src labDev) (int64, error) {
	n := src.Size()
	if dst.Size() < n {
		n = dst.Size()
	}
	if t, ok := dst.(interface{ Truncate(int64) error }); ok {
		if err := t.Truncate(0); err != nil {
			return 0, err
		}
		if err := t.Truncate(dst.Size()); err != nil {
			return 0, err
		}
	}
	ex := [][2]int64{{0, n}}
	if s, ok := src.(sparseDev); ok {
		e, err := s.Extents()
		if err != nil {
			return 0, err
		}
		ex = e
	}
	var written int64
	buf := make([]byte, 1<<20)
	zero := make([]byte, len(buf))
	for _, e := range ex {
		for off := e[0]; off < e[1] && off < n; {
			m := int64(len(buf))
			if off+m > e[1] {
				m = e[1] - off
			}
			if off+m > n {
				m = n - off
			}
			if _, err := src.ReadAt(buf[:m], off); err != nil {
				return written, err
			}
			if !bytes.Equal(buf[:m], zero[:m]) {
				if _, err := dst.WriteAt(buf[:m], off); err != nil {
					return written, err
				}
				written += m
			}
			off += m
		}
	}
	return written, nil
}

// cloneDiskBytes copies the current bytes of src's disks into the clone's
// disks of the same position (CloneVM_Task: the clone's files are new).
func (v *vsphere) cloneDiskBytes(src, clone *simulator.VirtualMachine, srcKeys []int32) {
	var cloneKeys []int32
	simulator.Map.WithLock(clone, func() {
		for _, d := range diskList(clone.Config.Hardware.Device) {
			cloneKeys = append(cloneKeys, d.Key)
		}
	})
	for i, k := range srcKeys {
		if i >= len(cloneKeys) {
			break
		}
		from, err := v.diskDev(src, k)
		if err != nil {
			v.l.Logf("vsphere: clone %s: disk %d: %v", clone.Name, k, err)
			continue
		}
		to, err := v.diskDev(clone, cloneKeys[i])
		if err == nil {
			_, err = copyDev(to, from)
		}
		if err != nil {
			v.l.Logf("vsphere: clone %s: disk %d: %v", clone.Name, k, err)
		}
	}
}

// Truncate empties or sizes the top of the disk (copies into a clone's
// fresh disk; a disk with snapshots is left as it is).
func (d *vmDiskDev) Truncate(size int64) error {
	return d.with(func(c *diskChain) error {
		if len(c.layers) != 1 || d.baseOnly {
			return nil
		}
		return c.layers[0].f.Truncate(size)
	})
}

// diskDevByID is diskDev (or diskBaseDev) by VM MoID (Lab.DiskDev).
func (v *vsphere) diskDevByID(id string, key int32, base bool) (labDev, error) {
	vm := vmOf(types.ManagedObjectReference{Type: "VirtualMachine", Value: id})
	if vm == nil {
		return nil, fmt.Errorf("vm %s not found", id)
	}
	return v.newDiskDev(vm, key, base)
}
