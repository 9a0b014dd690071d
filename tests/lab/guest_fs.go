package main

// The guest model's file system. A template's guest is a small Linux-like
// machine whose files live inside its boot disk's bytes: this file system is
// read and written only through a labDev's ReadAt/WriteAt, so the files
// travel with every byte-level copy of the disk (clone, snapshot chain,
// populator or VDDK copy into a PVC) and the guest SSH server on the PVC
// copy serves what the vSphere guest wrote.
//
// On-disk format (little-endian), starting 1 MiB into the disk where a
// partitioned boot disk's first partition starts:
//
//	block 0      superblock: magic "LABGFS01", version, block size, entry
//	             count, table and data offsets, data blocks, creation time,
//	             uuid; CRC-32 over its first 124 bytes at 124.
//	table        guestFSEntries entries of 512 bytes: kind (file, dir),
//	             mode, uid, gid, mtime, size, first data block, blocks, full
//	             path; CRC-32 over bytes 0..507 at 508. A free entry is all
//	             zeros.
//	data         4 KiB blocks; each file is one contiguous extent.
//
// File data carries no checksum, as on ext4: a flipped byte in a file is
// read back as the flipped byte (sha256sum then disagrees). A damaged
// superblock makes open fail; a damaged table entry is reported by name
// ("entry N fails its checksum") and makes the file system read-only, as a
// kernel remounts one read-only on errors.

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/crypto/ssh"
)

const (
	guestFSOffset    = 1 << 20 // where the file system starts on the disk
	guestFSMagic     = "LABGFS01"
	guestFSBlock     = 4096
	guestFSEntries   = 1024
	guestFSEntrySize = 512
	guestFSPathMax   = 460
	guestFSMaxData   = 8 << 30 // data area at most (the rest of a big disk stays unused)

	gfsFile = 1
	gfsDir  = 2
)

// guestFSMu serializes every file system operation in the lab: the SSH
// server, Guest Operations and the shell may reach one disk at once.
var guestFSMu sync.Mutex

// guestNIC is one network interface as the running guest sees it.
type guestNIC struct {
	Name string   // eth0
	MAC  string   // 00:50:56:...
	IPs  []string // "10.1.2.3/24"
}

// guestRuntime is the running machine's state that is not on its disk:
// the virtual hardware's NICs and which hypervisor it runs on ("vmware":
// VMware Tools active; "kvm": qemu-guest-agent active unless AgentDown).
type guestRuntime struct {
	Hypervisor string
	NICs       []guestNIC
	AgentDown  bool
}

// guestFS is an open guest file system on a disk. Every operation reads the
// disk anew, so it always sees the disk's current bytes.
type guestFS struct {
	dev       labDev
	blocks    int64 // data blocks
	tableOff  int64 // absolute
	dataOff   int64 // absolute
	Run       guestRuntime
	UUID      string
	Created   time.Time
	readOnly  string // why, when the table is damaged
	badEntry  int    // first damaged entry, -1 if none
	entries   []gfsEntry
	entryUsed []bool
}

type gfsEntry struct {
	kind   uint8
	mode   uint32
	uid    uint32
	gid    uint32
	mtime  int64
	size   int64
	start  int64
	nblock int64
	path   string
}

// guestFileInfo is what stat and list return.
type guestFileInfo struct {
	Name  string // base name
	Path  string
	Dir   bool
	Mode  uint32
	UID   uint32
	GID   uint32
	Size  int64
	MTime time.Time
}

// guestUser is a guest account.
type guestUser struct {
	Name           string
	UID            int
	Password       string   // clear text, stored hashed ($6$)
	AuthorizedKeys []string // authorized_keys lines
}

// guestIdentity is what format writes into a new guest.
type guestIdentity struct {
	Hostname   string
	MachineID  string // 32 hex digits; random when empty
	InstanceID string // cloud-init instance id (the VM's uuid)
	Users      []guestUser
	HostKey    ed25519.PrivateKey // generated when nil
}

func gfsErr(op, p string, err error) error {
	return &os.PathError{Op: op, Path: p, Err: err}
}

// ---- superblock and table

func le64(b []byte) int64     { return int64(binary.LittleEndian.Uint64(b)) }
func put64(b []byte, v int64) { binary.LittleEndian.PutUint64(b, uint64(v)) }

// guestFormat makes a new guest file system on dev with the identity's
// files: hostname, machine-id, SSH host key pair, accounts, shadow,
// authorized_keys and a few usual directories.
func guestFormat(dev labDev, id guestIdentity) (*guestFS, error) {
	tableOff := int64(guestFSOffset + guestFSBlock)
	dataOff := tableOff + guestFSEntries*guestFSEntrySize
	avail := dev.Size() - dataOff
	if avail > guestFSMaxData {
		avail = guestFSMaxData
	}
	blocks := avail / guestFSBlock
	if blocks < 256 {
		return nil, fmt.Errorf("guest fs: disk of %d bytes is too small", dev.Size())
	}
	sb := make([]byte, guestFSBlock)
	copy(sb, guestFSMagic)
	binary.LittleEndian.PutUint32(sb[8:], 1)
	binary.LittleEndian.PutUint32(sb[12:], guestFSBlock)
	binary.LittleEndian.PutUint32(sb[16:], guestFSEntries)
	binary.LittleEndian.PutUint32(sb[20:], guestFSEntrySize)
	put64(sb[24:], tableOff-guestFSOffset)
	put64(sb[32:], dataOff-guestFSOffset)
	put64(sb[40:], blocks)
	put64(sb[48:], time.Now().Unix())
	rand.Read(sb[56:72])
	binary.LittleEndian.PutUint32(sb[124:], crc32.ChecksumIEEE(sb[:124]))
	guestFSMu.Lock()
	_, err := dev.WriteAt(sb, guestFSOffset)
	if err == nil {
		_, err = dev.WriteAt(make([]byte, guestFSEntries*guestFSEntrySize), tableOff)
	}
	guestFSMu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("guest fs: format: %v", err)
	}
	fs, err := guestOpen(dev)
	if err != nil {
		return nil, err
	}
	if err := fs.writeIdentity(id); err != nil {
		return nil, err
	}
	return fs, nil
}

// guestOpen opens the guest file system on dev.
func guestOpen(dev labDev) (*guestFS, error) {
	sb := make([]byte, 128)
	if _, err := dev.ReadAt(sb, guestFSOffset); err != nil {
		return nil, fmt.Errorf("guest fs: reading the superblock: %v", err)
	}
	if string(sb[:8]) != guestFSMagic {
		return nil, errors.New("guest fs: no file system on this disk (bad superblock magic)")
	}
	if crc32.ChecksumIEEE(sb[:124]) != binary.LittleEndian.Uint32(sb[124:]) {
		return nil, errors.New("guest fs: superblock fails its checksum (disk damaged)")
	}
	if binary.LittleEndian.Uint32(sb[12:]) != guestFSBlock ||
		binary.LittleEndian.Uint32(sb[16:]) != guestFSEntries ||
		binary.LittleEndian.Uint32(sb[20:]) != guestFSEntrySize {
		return nil, errors.New("guest fs: unsupported layout in superblock")
	}
	fs := &guestFS{
		dev:      dev,
		tableOff: guestFSOffset + le64(sb[24:]),
		dataOff:  guestFSOffset + le64(sb[32:]),
		blocks:   le64(sb[40:]),
		Created:  time.Unix(le64(sb[48:]), 0),
		UUID:     hex.EncodeToString(sb[56:72]),
		badEntry: -1,
	}
	if fs.dataOff+fs.blocks*guestFSBlock > dev.Size() {
		return nil, errors.New("guest fs: superblock says the data area is larger than the disk")
	}
	return fs, nil
}

// load reads the entry table (called with guestFSMu held).
func (fs *guestFS) load() error {
	buf := make([]byte, guestFSEntries*guestFSEntrySize)
	if _, err := fs.dev.ReadAt(buf, fs.tableOff); err != nil {
		return fmt.Errorf("guest fs: reading the file table: %v", err)
	}
	fs.entries = make([]gfsEntry, guestFSEntries)
	fs.entryUsed = make([]bool, guestFSEntries)
	fs.badEntry, fs.readOnly = -1, ""
	zero := make([]byte, guestFSEntrySize)
	for i := 0; i < guestFSEntries; i++ {
		b := buf[i*guestFSEntrySize : (i+1)*guestFSEntrySize]
		if string(b) == string(zero) {
			continue
		}
		e, ok := fs.decode(b)
		if !ok {
			if fs.badEntry < 0 {
				fs.badEntry = i
				fs.readOnly = fmt.Sprintf("file table entry %d fails its checksum", i)
			}
			continue
		}
		fs.entries[i], fs.entryUsed[i] = e, true
	}
	return nil
}

func (fs *guestFS) decode(b []byte) (gfsEntry, bool) {
	if crc32.ChecksumIEEE(b[:508]) != binary.LittleEndian.Uint32(b[508:]) {
		return gfsEntry{}, false
	}
	n := int(binary.LittleEndian.Uint16(b[2:]))
	e := gfsEntry{
		kind:   b[0],
		mode:   binary.LittleEndian.Uint32(b[4:]),
		uid:    binary.LittleEndian.Uint32(b[8:]),
		gid:    binary.LittleEndian.Uint32(b[12:]),
		mtime:  le64(b[16:]),
		size:   le64(b[24:]),
		start:  le64(b[32:]),
		nblock: le64(b[40:]),
	}
	if n > guestFSPathMax || (e.kind != gfsFile && e.kind != gfsDir) ||
		e.size < 0 || e.start < 0 || e.nblock < 0 ||
		e.start+e.nblock > fs.blocks || e.size > e.nblock*guestFSBlock {
		return gfsEntry{}, false
	}
	e.path = string(b[48 : 48+n])
	return e, true
}

func (fs *guestFS) store(i int, e *gfsEntry) error {
	b := make([]byte, guestFSEntrySize)
	if e != nil {
		b[0] = e.kind
		binary.LittleEndian.PutUint16(b[2:], uint16(len(e.path)))
		binary.LittleEndian.PutUint32(b[4:], e.mode)
		binary.LittleEndian.PutUint32(b[8:], e.uid)
		binary.LittleEndian.PutUint32(b[12:], e.gid)
		put64(b[16:], e.mtime)
		put64(b[24:], e.size)
		put64(b[32:], e.start)
		put64(b[40:], e.nblock)
		copy(b[48:], e.path)
		binary.LittleEndian.PutUint32(b[508:], crc32.ChecksumIEEE(b[:508]))
		fs.entries[i], fs.entryUsed[i] = *e, true
	} else {
		fs.entries[i], fs.entryUsed[i] = gfsEntry{}, false
	}
	_, err := fs.dev.WriteAt(b, fs.tableOff+int64(i)*guestFSEntrySize)
	return err
}

func (fs *guestFS) find(p string) int {
	for i, u := range fs.entryUsed {
		if u && fs.entries[i].path == p {
			return i
		}
	}
	return -1
}

// cleanPath makes p absolute and clean ("" and relative paths are taken
// from /, as the shell runs in /root and resolves them itself).
func cleanPath(p string) string {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return path.Clean(p)
}

// lookup finds p; a missing path in a damaged table says so.
func (fs *guestFS) lookup(op, p string) (int, error) {
	if p == "/" {
		return -2, nil
	}
	if i := fs.find(p); i >= 0 {
		return i, nil
	}
	if fs.badEntry >= 0 {
		return -1, gfsErr(op, p, fmt.Errorf("no such file or directory (%s)", fs.readOnly))
	}
	return -1, gfsErr(op, p, syscall.ENOENT)
}

func (fs *guestFS) writable(op, p string) error {
	if fs.readOnly != "" {
		return gfsErr(op, p, fmt.Errorf("read-only file system (%s)", fs.readOnly))
	}
	return nil
}

// parentDir checks that p's parent exists and is a directory.
func (fs *guestFS) parentDir(op, p string) error {
	dir := path.Dir(p)
	if dir == "/" {
		return nil
	}
	i, err := fs.lookup(op, dir)
	if err != nil {
		return gfsErr(op, p, syscall.ENOENT)
	}
	if fs.entries[i].kind != gfsDir {
		return gfsErr(op, p, syscall.ENOTDIR)
	}
	return nil
}

func (fs *guestFS) freeEntry(op, p string) (int, error) {
	for i, u := range fs.entryUsed {
		if !u {
			return i, nil
		}
	}
	return -1, gfsErr(op, p, syscall.ENOSPC)
}

// alloc finds n contiguous free data blocks (first fit), skipping entry skip.
func (fs *guestFS) alloc(n int64, skip int) (int64, bool) {
	type ext struct{ s, n int64 }
	var used []ext
	for i, u := range fs.entryUsed {
		if u && i != skip && fs.entries[i].nblock > 0 {
			used = append(used, ext{fs.entries[i].start, fs.entries[i].nblock})
		}
	}
	sort.Slice(used, func(a, b int) bool { return used[a].s < used[b].s })
	at := int64(0)
	for _, u := range used {
		if u.s-at >= n {
			return at, true
		}
		if u.s+u.n > at {
			at = u.s + u.n
		}
	}
	return at, fs.blocks-at >= n
}

// ---- file operations

// ReadFile returns a file's bytes as they are on the disk now.
func (fs *guestFS) ReadFile(p string) ([]byte, error) {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	return fs.readFile(cleanPath(p))
}

func (fs *guestFS) readFile(p string) ([]byte, error) {
	if err := fs.load(); err != nil {
		return nil, err
	}
	i, err := fs.lookup("open", p)
	if err != nil {
		return nil, err
	}
	if i == -2 || fs.entries[i].kind == gfsDir {
		return nil, gfsErr("read", p, syscall.EISDIR)
	}
	e := fs.entries[i]
	buf := make([]byte, e.size)
	if _, err := fs.dev.ReadAt(buf, fs.dataOff+e.start*guestFSBlock); err != nil {
		return nil, gfsErr("read", p, err)
	}
	return buf, nil
}

// WriteFile creates or truncates p (its directory must exist) and writes
// data; mode applies to a new file.
func (fs *guestFS) WriteFile(p string, data []byte, mode uint32) error {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	return fs.put(cleanPath(p), data, mode, false)
}

// AppendFile appends data to p, creating it (mode 0644) when missing.
func (fs *guestFS) AppendFile(p string, data []byte) error {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	return fs.put(cleanPath(p), data, 0644, true)
}

func blocksFor(n int64) int64 { return (n + guestFSBlock - 1) / guestFSBlock }

func (fs *guestFS) put(p string, data []byte, mode uint32, appendTo bool) error {
	if err := fs.load(); err != nil {
		return err
	}
	if err := fs.writable("open", p); err != nil {
		return err
	}
	if p == "/" {
		return gfsErr("open", p, syscall.EISDIR)
	}
	i := fs.find(p)
	var e gfsEntry
	if i >= 0 {
		e = fs.entries[i]
		if e.kind == gfsDir {
			return gfsErr("open", p, syscall.EISDIR)
		}
	} else {
		if err := fs.parentDir("open", p); err != nil {
			return err
		}
		if len(p) > guestFSPathMax {
			return gfsErr("open", p, syscall.ENAMETOOLONG)
		}
		var err error
		if i, err = fs.freeEntry("open", p); err != nil {
			return err
		}
		e = gfsEntry{kind: gfsFile, mode: mode, path: p}
	}
	off := int64(0)
	if appendTo {
		off = e.size
	}
	need := off + int64(len(data))
	if blocksFor(need) > e.nblock {
		// move to a larger extent; appends double so a growing log stays cheap
		n := blocksFor(need)
		if appendTo && n < 2*e.nblock {
			n = 2 * e.nblock
		}
		start, ok := fs.alloc(n, i)
		if !ok {
			return gfsErr("write", p, syscall.ENOSPC)
		}
		if off > 0 {
			old := make([]byte, off)
			if _, err := fs.dev.ReadAt(old, fs.dataOff+e.start*guestFSBlock); err != nil {
				return gfsErr("write", p, err)
			}
			if _, err := fs.dev.WriteAt(old, fs.dataOff+start*guestFSBlock); err != nil {
				return gfsErr("write", p, err)
			}
		}
		e.start, e.nblock = start, n
	}
	if len(data) > 0 {
		if _, err := fs.dev.WriteAt(data, fs.dataOff+e.start*guestFSBlock+off); err != nil {
			return gfsErr("write", p, err)
		}
	}
	e.size = need
	e.mtime = time.Now().UnixNano()
	return fs.store(i, &e)
}

// Remove removes a file or an empty directory.
func (fs *guestFS) Remove(p string) error {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	p = cleanPath(p)
	if err := fs.load(); err != nil {
		return err
	}
	i, err := fs.lookup("remove", p)
	if err != nil {
		return err
	}
	if err := fs.writable("remove", p); err != nil {
		return err
	}
	if i == -2 {
		return gfsErr("remove", p, syscall.EBUSY)
	}
	if fs.entries[i].kind == gfsDir && len(fs.children(p)) > 0 {
		return gfsErr("remove", p, syscall.ENOTEMPTY)
	}
	return fs.store(i, nil)
}

// RemoveAll removes p and everything below it; a missing p is no error.
func (fs *guestFS) RemoveAll(p string) error {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	p = cleanPath(p)
	if err := fs.load(); err != nil {
		return err
	}
	if p == "/" {
		return gfsErr("remove", p, syscall.EBUSY)
	}
	i := fs.find(p)
	if i < 0 {
		return nil
	}
	if err := fs.writable("remove", p); err != nil {
		return err
	}
	for j, u := range fs.entryUsed {
		if u && strings.HasPrefix(fs.entries[j].path, p+"/") {
			if err := fs.store(j, nil); err != nil {
				return err
			}
		}
	}
	return fs.store(i, nil)
}

// Mkdir makes one directory (its parent must exist).
func (fs *guestFS) Mkdir(p string, mode uint32) error {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	p = cleanPath(p)
	if err := fs.load(); err != nil {
		return err
	}
	if p == "/" || fs.find(p) >= 0 {
		return gfsErr("mkdir", p, syscall.EEXIST)
	}
	if err := fs.writable("mkdir", p); err != nil {
		return err
	}
	if err := fs.parentDir("mkdir", p); err != nil {
		return err
	}
	return fs.mkdir(p, mode)
}

func (fs *guestFS) mkdir(p string, mode uint32) error {
	if len(p) > guestFSPathMax {
		return gfsErr("mkdir", p, syscall.ENAMETOOLONG)
	}
	i, err := fs.freeEntry("mkdir", p)
	if err != nil {
		return err
	}
	return fs.store(i, &gfsEntry{kind: gfsDir, mode: mode, mtime: time.Now().UnixNano(), path: p})
}

// MkdirAll is mkdir -p.
func (fs *guestFS) MkdirAll(p string, mode uint32) error {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	p = cleanPath(p)
	if err := fs.load(); err != nil {
		return err
	}
	return fs.mkdirAll(p, mode)
}

func (fs *guestFS) mkdirAll(p string, mode uint32) error {
	if p == "/" {
		return nil
	}
	if i := fs.find(p); i >= 0 {
		if fs.entries[i].kind != gfsDir {
			return gfsErr("mkdir", p, syscall.ENOTDIR)
		}
		return nil
	}
	if err := fs.mkdirAll(path.Dir(p), mode); err != nil {
		return err
	}
	if err := fs.writable("mkdir", p); err != nil {
		return err
	}
	return fs.mkdir(p, mode)
}

func (fs *guestFS) children(dir string) []int {
	pre := dir + "/"
	if dir == "/" {
		pre = "/"
	}
	var out []int
	for i, u := range fs.entryUsed {
		if !u {
			continue
		}
		q := fs.entries[i].path
		if q != "/" && strings.HasPrefix(q, pre) && !strings.Contains(q[len(pre):], "/") {
			out = append(out, i)
		}
	}
	return out
}

func (fs *guestFS) info(i int, p string) guestFileInfo {
	if i == -2 {
		return guestFileInfo{Name: "/", Path: "/", Dir: true, Mode: 0755, MTime: fs.Created}
	}
	e := fs.entries[i]
	return guestFileInfo{Name: path.Base(e.path), Path: e.path, Dir: e.kind == gfsDir,
		Mode: e.mode, UID: e.uid, GID: e.gid, Size: e.size, MTime: time.Unix(0, e.mtime)}
}

// Stat describes p.
func (fs *guestFS) Stat(p string) (guestFileInfo, error) {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	p = cleanPath(p)
	if err := fs.load(); err != nil {
		return guestFileInfo{}, err
	}
	i, err := fs.lookup("stat", p)
	if err != nil {
		return guestFileInfo{}, err
	}
	return fs.info(i, p), nil
}

// List returns a directory's entries sorted by name.
func (fs *guestFS) List(dir string) ([]guestFileInfo, error) {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	dir = cleanPath(dir)
	if err := fs.load(); err != nil {
		return nil, err
	}
	i, err := fs.lookup("open", dir)
	if err != nil {
		return nil, err
	}
	if i >= 0 && fs.entries[i].kind != gfsDir {
		return nil, gfsErr("open", dir, syscall.ENOTDIR)
	}
	var out []guestFileInfo
	for _, j := range fs.children(dir) {
		out = append(out, fs.info(j, ""))
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Name < out[b].Name })
	return out, nil
}

// FileExtent is where a file's data lies on the disk (absolute offset and
// size): for a fault that damages a file's bytes in a copy.
func (fs *guestFS) FileExtent(p string) (off, size int64, err error) {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	p = cleanPath(p)
	if err := fs.load(); err != nil {
		return 0, 0, err
	}
	i, err := fs.lookup("open", p)
	if err != nil {
		return 0, 0, err
	}
	if i == -2 || fs.entries[i].kind == gfsDir {
		return 0, 0, gfsErr("open", p, syscall.EISDIR)
	}
	e := fs.entries[i]
	return fs.dataOff + e.start*guestFSBlock, e.size, nil
}

// Close closes the disk the file system is on.
func (fs *guestFS) Close() error { return fs.dev.Close() }

// Damage says why the file system is read-only ("" when it is sound).
func (fs *guestFS) Damage() string {
	guestFSMu.Lock()
	defer guestFSMu.Unlock()
	if err := fs.load(); err != nil {
		return err.Error()
	}
	return fs.readOnly
}

// ---- identity

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func (fs *guestFS) writeIdentity(id guestIdentity) error {
	if id.Hostname == "" {
		id.Hostname = "localhost"
	}
	if id.MachineID == "" {
		id.MachineID = randomHex(16)
	}
	if len(id.Users) == 0 {
		id.Users = []guestUser{{Name: "root"}}
	}
	for _, d := range []string{"/etc/ssh", "/root/.ssh", "/tmp", "/opt", "/home", "/var/tmp",
		"/var/lib/cloud/instance", "/var/lib/cloud/data", "/usr/bin"} {
		if err := fs.MkdirAll(d, 0755); err != nil {
			return err
		}
	}
	files := []struct {
		p    string
		data string
		mode uint32
	}{
		{"/etc/hostname", id.Hostname + "\n", 0644},
		{"/etc/machine-id", id.MachineID + "\n", 0444},
		{"/etc/os-release", "NAME=\"CentOS Stream\"\nVERSION=\"9\"\nID=\"centos\"\n" +
			"VERSION_ID=\"9\"\nPRETTY_NAME=\"CentOS Stream 9\"\n", 0644},
		{"/var/lib/cloud/instance/boot-finished", "lab guest boot finished\n", 0644},
		{"/var/lib/cloud/data/instance-id", id.InstanceID + "\n", 0644},
	}
	for _, f := range files {
		if err := fs.WriteFile(f.p, []byte(f.data), f.mode); err != nil {
			return err
		}
	}
	if err := fs.writeAccounts(id.Users); err != nil {
		return err
	}
	return fs.writeHostKey(id.HostKey, "root@"+id.Hostname)
}

func (fs *guestFS) writeAccounts(users []guestUser) error {
	var passwd, shadow, group strings.Builder
	days := time.Now().Unix() / 86400
	for _, u := range users {
		home := "/home/" + u.Name
		if u.UID == 0 {
			home = "/root"
		}
		fmt.Fprintf(&passwd, "%s:x:%d:%d:%s:%s:/bin/bash\n", u.Name, u.UID, u.UID, u.Name, home)
		fmt.Fprintf(&group, "%s:x:%d:\n", u.Name, u.UID)
		hash := "!"
		if u.Password != "" {
			hash = sha512Crypt(u.Password, randomSalt(), 5000)
		}
		fmt.Fprintf(&shadow, "%s:%s:%d:0:99999:7:::\n", u.Name, hash, days)
		if err := fs.MkdirAll(home+"/.ssh", 0700); err != nil {
			return err
		}
		keys := strings.Join(u.AuthorizedKeys, "\n")
		if keys != "" && !strings.HasSuffix(keys, "\n") {
			keys += "\n"
		}
		if err := fs.WriteFile(home+"/.ssh/authorized_keys", []byte(keys), 0600); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		p, data string
		mode    uint32
	}{{"/etc/passwd", passwd.String(), 0644}, {"/etc/group", group.String(), 0644},
		{"/etc/shadow", shadow.String(), 0000}} {
		if err := fs.WriteFile(f.p, []byte(f.data), f.mode); err != nil {
			return err
		}
	}
	return nil
}

func (fs *guestFS) writeHostKey(key ed25519.PrivateKey, comment string) error {
	if key == nil {
		var err error
		if _, key, err = ed25519.GenerateKey(rand.Reader); err != nil {
			return err
		}
	}
	pub, err := ssh.NewPublicKey(key.Public())
	if err != nil {
		return err
	}
	line := strings.TrimSuffix(string(ssh.MarshalAuthorizedKey(pub)), "\n") + " " + comment + "\n"
	if err := fs.WriteFile("/etc/ssh/ssh_host_ed25519_key", marshalOpenSSHEd25519(key, comment), 0600); err != nil {
		return err
	}
	return fs.WriteFile("/etc/ssh/ssh_host_ed25519_key.pub", []byte(line), 0644)
}

// marshalOpenSSHEd25519 writes an unencrypted "openssh-key-v1" private key
// (OpenSSH's PROTOCOL.key; Debian's x/crypto can parse but not write it).
func marshalOpenSSHEd25519(key ed25519.PrivateKey, comment string) []byte {
	str := func(b []byte) []byte {
		out := make([]byte, 4+len(b))
		binary.BigEndian.PutUint32(out, uint32(len(b)))
		copy(out[4:], b)
		return out
	}
	u32 := func(v uint32) []byte {
		b := make([]byte, 4)
		binary.BigEndian.PutUint32(b, v)
		return b
	}
	pub := key.Public().(ed25519.PublicKey)
	pubBlob := append(str([]byte("ssh-ed25519")), str(pub)...)
	check := make([]byte, 4)
	rand.Read(check)
	var priv []byte
	priv = append(priv, check...)
	priv = append(priv, check...)
	priv = append(priv, str([]byte("ssh-ed25519"))...)
	priv = append(priv, str(pub)...)
	priv = append(priv, str(key)...)
	priv = append(priv, str([]byte(comment))...)
	for i := byte(1); len(priv)%8 != 0; i++ {
		priv = append(priv, i)
	}
	var b []byte
	b = append(b, "openssh-key-v1\x00"...)
	b = append(b, str([]byte("none"))...)
	b = append(b, str([]byte("none"))...)
	b = append(b, str(nil)...)
	b = append(b, u32(1)...)
	b = append(b, str(pubBlob)...)
	b = append(b, str(priv)...)
	return pem.EncodeToMemory(&pem.Block{Type: "OPENSSH PRIVATE KEY", Bytes: b})
}

// guestHostKey is the guest's SSH host key, read from
// /etc/ssh/ssh_host_ed25519_key on its disk.
func guestHostKey(fs *guestFS) (ssh.Signer, error) {
	b, err := fs.ReadFile("/etc/ssh/ssh_host_ed25519_key")
	if err != nil {
		return nil, err
	}
	return ssh.ParsePrivateKey(b)
}

// guestHostname is /etc/hostname's first line.
func guestHostname(fs *guestFS) string {
	b, err := fs.ReadFile("/etc/hostname")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
}

// guestFirstBoot models cloud-init on a new instance: when instanceID
// differs from /var/lib/cloud/data/instance-id, the guest takes hostname,
// a new machine-id and new SSH host keys (cloud-init's set_hostname and
// ssh modules, ssh_deletekeys being on by default). It reports whether
// anything changed. An empty instanceID changes nothing.
func guestFirstBoot(fs *guestFS, instanceID, hostname string) (bool, error) {
	if instanceID == "" {
		return false, nil
	}
	b, err := fs.ReadFile("/var/lib/cloud/data/instance-id")
	if err == nil && strings.TrimSpace(string(b)) == instanceID {
		return false, nil
	}
	if err := fs.MkdirAll("/var/lib/cloud/data", 0755); err != nil {
		return false, err
	}
	for _, f := range [][2]string{{"/var/lib/cloud/data/instance-id", instanceID},
		{"/etc/hostname", hostname}, {"/etc/machine-id", randomHex(16)}} {
		if err := fs.WriteFile(f[0], []byte(f[1]+"\n"), 0644); err != nil {
			return false, err
		}
	}
	return true, fs.writeHostKey(nil, "root@"+hostname)
}

// ---- accounts

func guestShadowHash(fs *guestFS, user string) string {
	b, err := fs.ReadFile("/etc/shadow")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, ":")
		if len(f) >= 2 && f[0] == user {
			return f[1]
		}
	}
	return ""
}

// guestAuth checks user's password against /etc/shadow on the guest's disk.
func guestAuth(fs *guestFS, user, password string) bool {
	h := guestShadowHash(fs, user)
	if !strings.HasPrefix(h, "$6$") {
		return false // locked ("!", "*") or unknown
	}
	rest := h[3:]
	rounds := 5000
	if strings.HasPrefix(rest, "rounds=") {
		j := strings.IndexByte(rest, '$')
		if j < 0 {
			return false
		}
		n, err := strconv.Atoi(rest[7:j])
		if err != nil {
			return false
		}
		rounds, rest = n, rest[j+1:]
	}
	j := strings.IndexByte(rest, '$')
	if j < 0 {
		return false
	}
	got := sha512Crypt(password, rest[:j], rounds)
	// compare the digests: "rounds=5000$" may be spelled out or not
	return got[strings.LastIndexByte(got, '$'):] == h[strings.LastIndexByte(h, '$'):]
}

// guestHome is user's home directory from /etc/passwd.
func guestHome(fs *guestFS, user string) string {
	b, err := fs.ReadFile("/etc/passwd")
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, ":")
		if len(f) >= 7 && f[0] == user {
			return f[5]
		}
	}
	return ""
}

// guestAuthKey checks key against user's ~/.ssh/authorized_keys.
func guestAuthKey(fs *guestFS, user string, key ssh.PublicKey) bool {
	home := guestHome(fs, user)
	if home == "" {
		return false
	}
	rest, err := fs.ReadFile(home + "/.ssh/authorized_keys")
	if err != nil {
		return false
	}
	want := key.Marshal()
	for len(rest) > 0 {
		k, _, _, r, err := ssh.ParseAuthorizedKey(rest)
		if err != nil {
			return false
		}
		if string(k.Marshal()) == string(want) {
			return true
		}
		rest = r
	}
	return false
}

// guestUserID is user's uid from /etc/passwd (-1 when unknown).
func guestUserID(fs *guestFS, user string) int {
	b, err := fs.ReadFile("/etc/passwd")
	if err != nil {
		return -1
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, ":")
		if len(f) >= 7 && f[0] == user {
			if n, err := strconv.Atoi(f[2]); err == nil {
				return n
			}
		}
	}
	return -1
}

// ---- SHA-512 crypt ("$6$", Ulrich Drepper's specification, as glibc's
// crypt(3) and /etc/shadow use it)

const cryptB64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

func randomSalt() string {
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = cryptB64[int(b[i])%64]
	}
	return string(b)
}

func sha512Crypt(password, salt string, rounds int) string {
	if len(salt) > 16 {
		salt = salt[:16]
	}
	pw, s := []byte(password), []byte(salt)
	repeat := func(d []byte, n int) []byte {
		out := make([]byte, 0, n)
		for len(out) < n {
			k := n - len(out)
			if k > len(d) {
				k = len(d)
			}
			out = append(out, d[:k]...)
		}
		return out
	}
	hb := sha512.New()
	hb.Write(pw)
	hb.Write(s)
	hb.Write(pw)
	B := hb.Sum(nil)
	ha := sha512.New()
	ha.Write(pw)
	ha.Write(s)
	ha.Write(repeat(B, len(pw)))
	for i := len(pw); i > 0; i >>= 1 {
		if i&1 != 0 {
			ha.Write(B)
		} else {
			ha.Write(pw)
		}
	}
	A := ha.Sum(nil)
	hp := sha512.New()
	for range pw {
		hp.Write(pw)
	}
	P := repeat(hp.Sum(nil), len(pw))
	hs := sha512.New()
	for i := 0; i < 16+int(A[0]); i++ {
		hs.Write(s)
	}
	S := repeat(hs.Sum(nil), len(s))
	C := A
	for r := 0; r < rounds; r++ {
		h := sha512.New()
		if r&1 != 0 {
			h.Write(P)
		} else {
			h.Write(C)
		}
		if r%3 != 0 {
			h.Write(S)
		}
		if r%7 != 0 {
			h.Write(P)
		}
		if r&1 != 0 {
			h.Write(C)
		} else {
			h.Write(P)
		}
		C = h.Sum(nil)
	}
	var out strings.Builder
	out.WriteString("$6$")
	if rounds != 5000 {
		fmt.Fprintf(&out, "rounds=%d$", rounds)
	}
	out.WriteString(salt)
	out.WriteByte('$')
	enc := func(b2, b1, b0 byte, n int) {
		w := uint(b2)<<16 | uint(b1)<<8 | uint(b0)
		for ; n > 0; n-- {
			out.WriteByte(cryptB64[w&0x3f])
			w >>= 6
		}
	}
	for i := 0; i < 21; i++ {
		a, b, c := i*22%63, (i*22+21)%63, (i*22+42)%63
		enc(C[a], C[b], C[c], 4)
	}
	enc(0, 0, C[63], 2)
	return out.String()
}
