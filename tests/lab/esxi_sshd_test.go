package main

import (
	"io/ioutil"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The fingerprint in the ready line must be the one ssh-keygen prints.
func TestEsxiFingerprint(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen not installed")
	}
	dir, err := ioutil.TempDir("", "mtv-lab-esxi")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	l := &Lab{Dir: dir, Logf: func(string, ...interface{}) {}}
	p, err := esxiPrepare(l)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("ssh-keygen", "-lf", p.hostKey+".pub").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), l.ESXi.Fingerprint) {
		t.Fatalf("ssh-keygen says %q, lab says %q", out, l.ESXi.Fingerprint)
	}
	kh, _ := ioutil.ReadFile(l.ESXi.KnownHosts)
	if !strings.HasPrefix(string(kh), "[127.0.0.1]:") {
		t.Fatalf("known_hosts line %q", kh)
	}
	cfg, _ := ioutil.ReadFile(p.config)
	if !strings.Contains(string(cfg), "AuthorizedKeysFile "+l.ESXi.AuthorizedKeys+" ") {
		t.Fatalf("sshd_config does not use %s:\n%s", l.ESXi.AuthorizedKeys, cfg)
	}
}
