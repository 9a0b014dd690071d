package main

// Disk bytes: the one interface through which the lab reads and writes a
// disk's current contents. A vSphere virtual disk is a chain (base file and
// snapshot deltas, disk_bytes.go); a PVC is one sparse file under
// DIR/pvc/NAMESPACE/NAME.img. The guest model (guest_fs.go) and the guest
// SSH server read and write files through it, so a guest's files travel
// with the copied bytes.

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"syscall"
)

// labDev is a disk's current bytes: reads of unwritten ranges return
// zeros; Size is the capacity in bytes.
type labDev interface {
	ReadAt(p []byte, off int64) (int, error)
	WriteAt(p []byte, off int64) (int, error)
	Size() int64
	Close() error
}

// fileDev is a labDev over one sparse file (a PVC, a flat base disk).
type fileDev struct {
	f    *os.File
	size int64
}

// openFileDev opens path (created sparse at size when missing; size 0
// keeps the file's own size).
func openFileDev(path string, size int64) (*fileDev, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0644)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if size > 0 && st.Size() < size {
		if err := f.Truncate(size); err != nil {
			f.Close()
			return nil, err
		}
	} else {
		size = st.Size()
	}
	return &fileDev{f: f, size: size}, nil
}

func (d *fileDev) ReadAt(p []byte, off int64) (int, error) {
	n, err := d.f.ReadAt(p, off)
	if err != nil && off+int64(len(p)) <= d.size {
		// past the written end of a sparse file: zeros
		for i := n; i < len(p); i++ {
			p[i] = 0
		}
		return len(p), nil
	}
	return n, err
}

func (d *fileDev) WriteAt(p []byte, off int64) (int, error) { return d.f.WriteAt(p, off) }
func (d *fileDev) Size() int64                              { return d.size }
func (d *fileDev) Close() error                             { return d.f.Close() }

// labPVCPath is the backing file of PVC ns/name in the lab directory.
func labPVCPath(dir, ns, name string) string {
	return filepath.Join(dir, "pvc", ns, name+".img")
}

// sparseDev is a labDev that knows where its data may be: Extents lists
// sorted, disjoint ranges outside of which it reads zeros. Copies use it
// to skip what was never written (copyDev, disk_bytes.go).
type sparseDev interface {
	labDev
	Extents() ([][2]int64, error)
}

// Extents: the file's data ranges (SEEK_DATA/SEEK_HOLE).
func (d *fileDev) Extents() ([][2]int64, error) { return fileExtents(d.f, d.size) }

// Truncate resizes the file (0 then the size: all zeros again).
func (d *fileDev) Truncate(size int64) error { return d.f.Truncate(size) }

const (
	seekData = 3 // SEEK_DATA (Linux)
	seekHole = 4 // SEEK_HOLE
)

// fileExtents lists the data ranges of a sparse file below size; a file
// system without SEEK_DATA is treated as all data.
func fileExtents(f *os.File, size int64) ([][2]int64, error) {
	var out [][2]int64
	for off := int64(0); off < size; {
		start, err := f.Seek(off, seekData)
		if err != nil {
			if errors.Is(err, syscall.ENXIO) {
				break
			}
			if errors.Is(err, syscall.EINVAL) {
				return [][2]int64{{0, size}}, nil
			}
			return nil, err
		}
		end, err := f.Seek(start, seekHole)
		if err != nil {
			return nil, err
		}
		if start >= size {
			break
		}
		if end > size {
			end = size
		}
		out = append(out, [2]int64{start, end})
		off = end
	}
	return out, nil
}

// mergeExtents sorts ranges, clips them to size and joins overlapping or
// touching ones.
func mergeExtents(in [][2]int64, size int64) [][2]int64 {
	sort.Slice(in, func(i, j int) bool { return in[i][0] < in[j][0] })
	var out [][2]int64
	for _, e := range in {
		if e[1] > size {
			e[1] = size
		}
		if e[0] >= e[1] {
			continue
		}
		if n := len(out); n > 0 && e[0] <= out[n-1][1] {
			if e[1] > out[n-1][1] {
				out[n-1][1] = e[1]
			}
			continue
		}
		out = append(out, e)
	}
	return out
}
