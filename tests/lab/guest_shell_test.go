package main

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

func TestGuestShell(t *testing.T) {
	_, fs, _ := newGuestDisk(t, guestIdentity{Hostname: "clone-7", MachineID: "0123456789abcdef0123456789abcdef",
		Users: []guestUser{{Name: "root", Password: "lab-guest"}}})
	fs.Run = guestRuntime{Hypervisor: "vmware", NICs: []guestNIC{{Name: "ens192", MAC: "00:50:56:AA:BB:CC", IPs: []string{"10.1.2.3"}}}}
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	cases := []struct {
		cmd, stdin, out, err string
		code                 int
	}{
		// the pytest suite's data-integrity write and read (mtv-api-tests)
		{"mkdir -p /opt/mtv_data_integrity && echo mtv-data-integrity-abc | tee /opt/mtv_data_integrity/marker.txt", "",
			"mtv-data-integrity-abc\n", "", 0},
		{"cat /opt/mtv_data_integrity/marker.txt", "", "mtv-data-integrity-abc\n", "", 0},
		{"sha256sum /opt/mtv_data_integrity/marker.txt", "",
			sum("mtv-data-integrity-abc\n") + "  /opt/mtv_data_integrity/marker.txt\n", "", 0},
		{"cd /opt/mtv_data_integrity && sha256sum marker.txt > marker.sha256 && sha256sum -c marker.sha256", "",
			"marker.txt: OK\n", "", 0},
		{"echo changed >> /opt/mtv_data_integrity/marker.txt; sha256sum -c /opt/mtv_data_integrity/marker.sha256", "",
			"marker.txt: FAILED open or read\n", "sha256sum: marker.txt: No such file or directory\nsha256sum: WARNING: 1 listed file could not be read\n", 1},
		{"cd /opt/mtv_data_integrity; sha256sum -c marker.sha256", "",
			"marker.txt: FAILED\n", "sha256sum: WARNING: 1 computed checksum did NOT match\n", 1},
		{"sha256sum --status -c /nonexistent", "", "", "sha256sum: /nonexistent: No such file or directory\n", 1},
		// quoting, lists, redirections
		{`echo 'a  b' "c  $HOME" d\ e`, "", "a  b c  /root d e\n", "", 0},
		{`printf '%s=%d\n' x 1 y 2`, "", "x=1\ny=2\n", "", 0},
		{"false && echo no || echo yes; true || echo no", "", "yes\n", "", 0},
		{"cat /nope 2>&1; echo $?", "", "cat: /nope: No such file or directory\n1\n", "", 0},
		{"cat /nope > /tmp/o 2>&1; cat /tmp/o", "", "cat: /nope: No such file or directory\n", "", 0},
		{"cat /nope 2>/dev/null", "", "", "", 1},
		{"cat < /etc/hostname", "", "clone-7\n", "", 0},
		{"tee -a /tmp/t > /dev/null; tee -a /tmp/t < /etc/hostname >/dev/null; cat /tmp/t", "in\n", "in\nclone-7\n", "", 0},
		{"cat - | cat", "piped", "piped", "", 0},
		{"echo x > /no/such/file", "", "", "bash: /no/such/file: No such file or directory\n", 1},
		{"frobnicate --now", "", "", "bash: frobnicate: command not found\n", 127},
		{"echo 'unterminated", "", "", "bash: -c: unexpected EOF while looking for matching `''\n", 2},
		{"! test -f /etc/hostname", "", "", "", 1},
		{"( echo a; cat /nope ) > /tmp/g 2>&1; cat /tmp/g", "", "a\ncat: /nope: No such file or directory\n", "", 0},
		{"{ echo a; false; } 2>&1 || echo failed", "", "a\nfailed\n", "", 0},
		{"cd /tmp && ( cd /opt ); pwd; { cd /etc; }; pwd", "", "/tmp\n/etc\n", "", 0},
		{"echo {a} } '{'", "", "{a} } {\n", "", 0},
		{"echo (x)", "", "", "bash: -c: line 1: syntax error near unexpected token `('\n", 2},
		{"bash -c 'echo in; exit 3; echo no'; echo $?; sh -c \"echo \\\"q\\\"\"; { exit 4; }; echo no", "", "in\n3\nq\n", "", 4},
		{"test -d /etc && [ -f /etc/machine-id ] && test ! -e /nope", "", "", "", 0},
		// random data and checksums as data_integrity writes them
		{"head -c 2M /dev/urandom > /opt/r.bin && dd if=/dev/urandom of=/opt/d.bin bs=1M count=3 status=none && " +
			"cd /opt && sha256sum r.bin d.bin > sums && sha256sum -c sums && wc -c < r.bin", "",
			"r.bin: OK\nd.bin: OK\n2097152\n", "", 0},
		{"head -c 5 /dev/zero | wc -c", "", "5\n", "", 0},
		{"dd if=/dev/zero of=/tmp/z bs=1M count=1", "", "",
			"1+0 records in\n1+0 records out\n1048576 bytes (1.0 MB, 1.0 MiB) copied, 0.0100 s, 104.9 MB/s\n", 0},
		{"rm -f /tmp/z /tmp/none && test ! -e /tmp/z; rm /tmp/none", "", "", "rm: cannot remove '/tmp/none': No such file or directory\n", 1},
		{"mkdir /opt", "", "", "mkdir: cannot create directory '/opt': File exists\n", 1},
		{"ls /opt/mtv_data_integrity", "", "marker.sha256\nmarker.txt\n", "", 0},
		{"ls /opt/mtv_data_integrity/*.txt", "", "/opt/mtv_data_integrity/marker.txt\n", "", 0},
		// identity and machine
		{"hostname; cat /etc/machine-id; id -u; sync; sleep 1", "", "clone-7\n0123456789abcdef0123456789abcdef\n0\n", "", 0},
		{"uname -a", "", "Linux clone-7 " + guestKernel + " #1 SMP PREEMPT_DYNAMIC Wed Apr 24 00:00:00 UTC 2024 x86_64 x86_64 x86_64 GNU/Linux\n", "", 0},
		{"ip -o link | grep ens192", "", "2: ens192: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group default qlen 1000\\    link/ether 00:50:56:aa:bb:cc brd ff:ff:ff:ff:ff:ff\n", "", 0},
		{"ip -o addr | grep -c 'inet 10.1.2.3/24'", "", "1\n", "", 0},
		{"systemctl is-active sshd vmtoolsd", "", "active\nactive\n", "", 0},
		{"systemctl is-active qemu-guest-agent sshd", "", "inactive\nactive\n", "", 3},
	}
	for _, c := range cases {
		out, errb, code := guestExec(fs, c.cmd, []byte(c.stdin))
		if string(out) != c.out || string(errb) != c.err || code != c.code {
			t.Errorf("%s\n got  %q %q %d\n want %q %q %d", c.cmd, out, errb, code, c.out, c.err, c.code)
		}
	}
	fs.Run.Hypervisor = "kvm"
	if out, _, code := guestExec(fs, "systemctl is-active qemu-guest-agent sshd", nil); code != 0 || string(out) != "active\nactive\n" {
		t.Errorf("agent on kvm: %q %d", out, code)
	}
	fs.Run.AgentDown = true
	if _, _, code := guestExec(fs, "systemctl is-active qemu-guest-agent", nil); code != 3 {
		t.Errorf("agent down: %d", code)
	}
	if r := guestRun(fs, "root", "sleep 2; sleep 0.5", nil); r.Slept.Seconds() != 2.5 || r.Code != 0 {
		t.Errorf("sleep: %v", r.Slept)
	}
	// the file the shell wrote is in the disk's bytes
	b, err := fs.ReadFile("/opt/mtv_data_integrity/marker.txt")
	if err != nil || !strings.HasPrefix(string(b), "mtv-data-integrity-abc\n") {
		t.Errorf("marker: %q %v", b, err)
	}
}
