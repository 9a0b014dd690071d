package main

// The SSH server of a migrated guest, as its own sshd would answer on port
// 22 behind KubeVirt's port-forward (kubevirt_portforward.go): one server
// per forwarded stream (golang.org/x/crypto/ssh), serving the guest whose
// boot disk is the VMI's boot PVC (DIR/pvc/NS/NAME.img, lab_dev.go). Every
// answer comes from the PVC's bytes as the copy left them: the host key is
// the guest's own /etc/ssh/ssh_host_ed25519_key (so it equals the source
// VM's), passwords are checked against its /etc/shadow and keys against
// ~/.ssh/authorized_keys (guest_fs.go), and "exec" runs the guest's shell
// (guest_shell.go) as the logged-in user.
//
// As OpenSSH's sshd (sshd_config defaults of RHEL 9): password and
// public-key authentication, MaxAuthTries 6, a failed password answered
// after a delay; "session" channels only; exec and a shell without a pty
// (a shell reads commands from stdin); exit-status, then EOF and close;
// env and pty-req refused politely. A disk that holds no guest file
// system (not copied, or corrupted past its superblock) has no sshd: the
// connection is closed at once, as a guest that did not boot would refuse
// it.

import (
	"fmt"
	"io"
	"io/ioutil"
	"net"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

func init() {
	kvGuestSSH = guestServeSSH
	kvGuestOSRelease = guestOSReleaseOf
}

// guestBootPVC is the claim of the VMI's boot disk: the disk with the
// lowest bootOrder (the first disk when none has one), through its volume.
func guestBootPVC(vmi Obj) string {
	best, bestOrder := "", 1<<30
	for i, d := range fkSlice(vmi, "spec", "domain", "devices", "disks") {
		m, _ := d.(map[string]interface{})
		order := kvInt(m["bootOrder"], 1<<29+i)
		if order < bestOrder {
			best, bestOrder = fkStr(m, "name"), order
		}
	}
	for _, v := range fkSlice(vmi, "spec", "volumes") {
		m, _ := v.(map[string]interface{})
		if fkStr(m, "name") != best {
			continue
		}
		if c := fkStr(m, "persistentVolumeClaim", "claimName"); c != "" {
			return c
		}
		return fkStr(m, "dataVolume", "name")
	}
	return ""
}

// guestOpenVMI opens the guest file system on the VMI's boot PVC, with the
// runtime of a KubeVirt guest (its NICs as the VMI reports them).
func guestOpenVMI(l *Lab, vmi Obj, agentDown bool) (*guestFS, func(), error) {
	pvc := guestBootPVC(vmi)
	if pvc == "" {
		return nil, nil, fmt.Errorf("no boot disk")
	}
	dev, err := openFileDev(labPVCPath(l.Dir, fkNS(vmi), pvc), 0)
	if err != nil {
		return nil, nil, err
	}
	fs, err := guestOpen(dev)
	if err != nil {
		dev.Close()
		return nil, nil, err
	}
	fs.Run = guestRuntime{Hypervisor: "kvm", AgentDown: agentDown}
	for i, x := range fkSlice(vmi, "status", "interfaces") {
		m, _ := x.(map[string]interface{})
		nic := guestNIC{Name: fmt.Sprintf("eth%d", i), MAC: fkStr(m, "mac")}
		if ip := fkStr(m, "ipAddress"); ip != "" {
			nic.IPs = []string{ip + "/23"}
		}
		fs.Run.NICs = append(fs.Run.NICs, nic)
	}
	return fs, func() { dev.Close() }, nil
}

// guestOSReleaseOf reads /etc/os-release of a KubeVirt guest (for the
// agent's guestOSInfo).
func guestOSReleaseOf(l *Lab, g *kvGuest) map[string]string {
	kv := kvOfLab(l)
	if kv == nil {
		return nil
	}
	vmi, err := kv.s.Get(kvVMIs, g.ns, g.name)
	if err != nil {
		return nil
	}
	fs, closeFS, err := guestOpenVMI(l, vmi, false)
	if err != nil {
		return nil
	}
	defer closeFS()
	b, err := fs.ReadFile("/etc/os-release")
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if i := strings.IndexByte(line, '='); i > 0 {
			out[line[:i]] = strings.Trim(line[i+1:], `"`)
		}
	}
	return out
}

// guestServeSSH serves one SSH connection on c for the guest of vmi.
func guestServeSSH(l *Lab, vmi Obj, c net.Conn) {
	defer c.Close()
	name := fkNS(vmi) + "/" + fkName(vmi)
	agentDown := false
	if kv := kvOfLab(l); kv != nil {
		kv.mu.Lock()
		if g := kv.guests[kbKey(fkNS(vmi), fkName(vmi))]; g != nil {
			agentDown = g.fault == "guest-agent-down"
		}
		kv.mu.Unlock()
	}
	fs, closeFS, err := guestOpenVMI(l, vmi, agentDown)
	if err != nil {
		l.Logf("guest sshd %s: no guest on the boot disk: %v", name, err)
		return
	}
	defer closeFS()
	signer, err := guestHostKey(fs)
	if err != nil {
		l.Logf("guest sshd %s: host key: %v", name, err)
		return
	}
	cfg := &ssh.ServerConfig{
		MaxAuthTries:  6,
		ServerVersion: "SSH-2.0-OpenSSH_8.7",
		PasswordCallback: func(m ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			ok := guestAuth(fs, m.User(), string(pw))
			if ok {
				return &ssh.Permissions{}, nil
			}
			time.Sleep(50 * time.Millisecond) // sshd's failed-password delay, shortened
			return nil, fmt.Errorf("password rejected for %s", m.User())
		},
		PublicKeyCallback: func(m ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			ok := guestAuthKey(fs, m.User(), key)
			if ok {
				return &ssh.Permissions{}, nil
			}
			return nil, fmt.Errorf("key rejected for %s", m.User())
		},
	}
	cfg.AddHostKey(signer)
	_ = c.SetDeadline(time.Now().Add(2 * time.Minute)) // LoginGraceTime-like bound on a stuck client
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		l.Logf("guest sshd %s: %v", name, err)
		return
	}
	_ = c.SetDeadline(time.Time{})
	defer sc.Close()
	l.Logf("guest sshd %s: accepted %s", name, sc.User())
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "unknown channel type")
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			continue
		}
		go guestSession(fs, sc.User(), ch, creqs)
	}
}

// guestSession runs one session channel: the first exec (or shell) request
// runs; its output, exit-status, EOF and close follow.
func guestSession(fs *guestFS, user string, ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		switch req.Type {
		case "exec", "shell":
			cmd := ""
			if req.Type == "exec" {
				var p struct{ Command string }
				if ssh.Unmarshal(req.Payload, &p) != nil {
					req.Reply(false, nil)
					continue
				}
				cmd = p.Command
			}
			req.Reply(true, nil)
			go ssh.DiscardRequests(reqs)
			code := guestSessionRun(fs, user, cmd, req.Type == "shell", ch)
			ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(code)}))
			ch.CloseWrite()
			return
		case "env", "pty-req", "window-change":
			req.Reply(req.Type == "env", nil) // no pty: ssh -t falls back to none
		default:
			req.Reply(false, nil)
		}
	}
}

// guestSessionRun reads stdin (to EOF: the lab's shell takes its input at
// once) and runs cmd, or for a shell each line of stdin.
func guestSessionRun(fs *guestFS, user, cmd string, shell bool, ch ssh.Channel) int {
	var stdin []byte
	if shell || guestReadsStdin(cmd) {
		stdin, _ = ioutil.ReadAll(io.LimitReader(ch, 64<<20))
	}
	if shell {
		cmd, stdin = string(stdin), nil
	}
	r := guestRun(fs, user, cmd, stdin)
	if r.Slept > 0 {
		time.Sleep(r.Slept)
	}
	ch.Write(r.Stdout)
	ch.Stderr().Write(r.Stderr)
	return r.Code
}

// guestReadsStdin: whether a command line may read its standard input (its
// first command is a filter given no file argument); others do not wait
// for the client's EOF, or `ssh host hostname` without -n would hang.
func guestReadsStdin(cmd string) bool {
	f := strings.Fields(cmd)
	if len(f) == 0 {
		return false
	}
	files := 0
	switch f[0] {
	case "cat", "sha256sum", "md5sum", "wc", "head", "tail", "base64", "sort":
	case "grep":
		files = -1 // the pattern
	case "tee", "bash", "sh", "dd":
		files = -1 << 20 // arguments are not inputs
	default:
		return false
	}
	for i := 1; i < len(f); i++ {
		a := f[i]
		switch {
		case a == "|" || a == "&&" || a == ";" || a == "||":
			return files <= 0
		case strings.HasPrefix(a, "<"):
			return false
		case a == ">" || a == ">>" || a == "2>":
			i++
		case strings.HasPrefix(a, ">") || strings.HasPrefix(a, "2>") || strings.HasPrefix(a, "-"):
		default:
			files++
		}
	}
	return files <= 0
}
