package main

// Disk bytes: the one interface through which the lab reads and writes a
// disk's current contents. A vSphere virtual disk is a chain (base file and
// snapshot deltas, disk_bytes.go); a PVC is one sparse file under
// DIR/pvc/NAMESPACE/NAME.img. The guest model (guest_fs.go) and the guest
// SSH server read and write files through it, so a guest's files travel
// with the copied bytes.

import (
	"os"
	"path/filepath"
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
