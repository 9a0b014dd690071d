package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

// newGuestDisk formats a guest on a fresh sparse 64 MiB file.
func newGuestDisk(t *testing.T, id guestIdentity) (*fileDev, *guestFS, string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "disk.img")
	dev, err := openFileDev(p, 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dev.Close() })
	fs, err := guestFormat(dev, id)
	if err != nil {
		t.Fatal(err)
	}
	return dev, fs, p
}

func TestGuestSha512Crypt(t *testing.T) {
	// the specification's example, as `openssl passwd -6 -salt saltstring` gives it
	want := "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"
	if got := sha512Crypt("Hello world!", "saltstring", 5000); got != want {
		t.Fatalf("sha512Crypt = %s", got)
	}
	want = "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v."
	if got := sha512Crypt("Hello world!", "saltstringsaltstring", 10000); got != want {
		t.Fatalf("sha512Crypt rounds = %s", got)
	}
}

func TestGuestFSIdentity(t *testing.T) {
	cpub, _, _ := ed25519.GenerateKey(rand.Reader)
	client, _ := ssh.NewPublicKey(cpub)
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(client))) + " tool@lab"
	_, fs, _ := newGuestDisk(t, guestIdentity{Hostname: "rhel9-template", InstanceID: "uuid-1",
		Users: []guestUser{{Name: "root", Password: "lab-guest", AuthorizedKeys: []string{line}},
			{Name: "cloud-user", UID: 1000, Password: "other"}}})
	if h := guestHostname(fs); h != "rhel9-template" {
		t.Fatalf("hostname %q", h)
	}
	mid, err := fs.ReadFile("/etc/machine-id")
	if err != nil || len(strings.TrimSpace(string(mid))) != 32 {
		t.Fatalf("machine-id %q %v", mid, err)
	}
	if !guestAuth(fs, "root", "lab-guest") || guestAuth(fs, "root", "lab-guesT") ||
		guestAuth(fs, "nobody", "lab-guest") || !guestAuth(fs, "cloud-user", "other") ||
		guestAuth(fs, "cloud-user", "lab-guest") {
		t.Fatal("guestAuth")
	}
	shadow, _ := fs.ReadFile("/etc/shadow")
	if bytes.Contains(shadow, []byte("lab-guest")) || !bytes.Contains(shadow, []byte("root:$6$")) {
		t.Fatalf("shadow holds no $6$ hash: %s", shadow)
	}
	if !guestAuthKey(fs, "root", client) {
		t.Fatal("authorized key refused")
	}
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	okey, _ := ssh.NewPublicKey(other)
	if guestAuthKey(fs, "root", okey) || guestAuthKey(fs, "cloud-user", client) {
		t.Fatal("unknown key accepted")
	}
	signer, err := guestHostKey(fs)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := fs.ReadFile("/etc/ssh/ssh_host_ed25519_key.pub")
	pk, _, _, _, err := ssh.ParseAuthorizedKey(pub)
	if err != nil || !bytes.Equal(pk.Marshal(), signer.PublicKey().Marshal()) {
		t.Fatalf("host key pair does not match: %v", err)
	}
	st, _ := fs.Stat("/etc/ssh/ssh_host_ed25519_key")
	if st.Mode != 0600 {
		t.Fatalf("host key mode %o", st.Mode)
	}
	// a clone's first boot on a new instance: new identity, same accounts
	changed, err := guestFirstBoot(fs, "uuid-2", "clone-1")
	if err != nil || !changed || guestHostname(fs) != "clone-1" {
		t.Fatalf("first boot: %v %v %q", changed, err, guestHostname(fs))
	}
	s2, _ := guestHostKey(fs)
	mid2, _ := fs.ReadFile("/etc/machine-id")
	if bytes.Equal(s2.PublicKey().Marshal(), signer.PublicKey().Marshal()) || bytes.Equal(mid, mid2) {
		t.Fatal("first boot kept the template's host key or machine-id")
	}
	if changed, _ := guestFirstBoot(fs, "uuid-2", "clone-1"); changed || !guestAuth(fs, "root", "lab-guest") {
		t.Fatal("second boot changed the identity or lost the account")
	}
}

func TestGuestFSFiles(t *testing.T) {
	dev, fs, p := newGuestDisk(t, guestIdentity{Hostname: "g"})
	if err := fs.MkdirAll("/opt/mtv_data_integrity/sub", 0755); err != nil {
		t.Fatal(err)
	}
	if err := fs.WriteFile("/opt/mtv_data_integrity/marker.txt", []byte("m1\n"), 0644); err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 3<<20+17)
	rand.Read(big)
	for i := 0; i < 3; i++ { // grows by appends: moves to larger extents
		if err := fs.AppendFile("/opt/big", big[i*len(big)/3:(i+1)*len(big)/3]); err != nil {
			t.Fatal(err)
		}
	}
	if err := fs.WriteFile("/nodir/x", nil, 0644); !os.IsNotExist(err) {
		t.Fatalf("write under a missing dir: %v", err)
	}
	if err := fs.WriteFile("/opt", nil, 0644); err == nil {
		t.Fatal("wrote over a directory")
	}
	if err := fs.Remove("/opt/mtv_data_integrity"); err == nil {
		t.Fatal("removed a non-empty directory")
	}
	list, err := fs.List("/opt")
	if err != nil || len(list) != 2 || list[0].Name != "big" || list[1].Name != "mtv_data_integrity" || !list[1].Dir {
		t.Fatalf("list %+v %v", list, err)
	}
	// the files are in the disk's bytes: a byte-level copy has them
	dev.Close()
	src, _ := os.Open(p)
	cp := filepath.Join(t.TempDir(), "copy.img")
	dst, _ := os.Create(cp)
	io.Copy(dst, src)
	src.Close()
	dst.Close()
	dev2, err := openFileDev(cp, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer dev2.Close()
	fs2, err := guestOpen(dev2)
	if err != nil {
		t.Fatal(err)
	}
	got, err := fs2.ReadFile("/opt/big")
	if err != nil || !bytes.Equal(got, big) {
		t.Fatalf("big file after copy: %d bytes, %v", len(got), err)
	}
	if st, err := fs2.Stat("/opt/mtv_data_integrity/marker.txt"); err != nil || st.Size != 3 {
		t.Fatalf("stat %+v %v", st, err)
	}
	if err := fs2.RemoveAll("/opt"); err != nil {
		t.Fatal(err)
	}
	if _, err := fs2.Stat("/opt/mtv_data_integrity/sub"); !os.IsNotExist(err) {
		t.Fatalf("after rm -r: %v", err)
	}
	// freed space is reused
	if err := fs2.WriteFile("/root/again", big, 0644); err != nil {
		t.Fatal(err)
	}
}

func TestGuestFSCorruption(t *testing.T) {
	dev, fs, _ := newGuestDisk(t, guestIdentity{Hostname: "g"})
	fs.WriteFile("/root/data", []byte("hello world\n"), 0644)
	// flip a byte of the file's data: reads give the changed byte
	off, size, err := fs.FileExtent("/root/data")
	if err != nil || size != 12 {
		t.Fatalf("extent: %d %d %v", off, size, err)
	}
	dev.WriteAt([]byte{'O'}, off+4)
	if b, err := fs.ReadFile("/root/data"); err != nil || string(b) != "hellO world\n" {
		t.Fatalf("flipped data: %q %v", b, err)
	}
	// a damaged table entry: named in errors; the fs goes read-only
	fs.load()
	i := fs.find("/etc/hostname")
	dev.WriteAt([]byte{0xff}, fs.tableOff+int64(i)*guestFSEntrySize+50)
	if _, err := fs.ReadFile("/etc/hostname"); err == nil || !strings.Contains(err.Error(), "fails its checksum") {
		t.Fatalf("damaged entry: %v", err)
	}
	if _, err := fs.ReadFile("/root/data"); err != nil {
		t.Fatalf("a sound file is still readable: %v", err)
	}
	if err := fs.WriteFile("/root/new", []byte("x"), 0644); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Fatalf("write on a damaged fs: %v", err)
	}
	// a damaged superblock: open fails clearly
	dev.WriteAt([]byte{0x55}, guestFSOffset+40)
	if _, err := guestOpen(dev); err == nil || !strings.Contains(err.Error(), "superblock") {
		t.Fatalf("damaged superblock: %v", err)
	}
	zero, _ := openFileDev(filepath.Join(t.TempDir(), "z.img"), 8<<20)
	defer zero.Close()
	if _, err := guestOpen(zero); err == nil || !strings.Contains(err.Error(), "no file system") {
		t.Fatalf("blank disk: %v", err)
	}
}
