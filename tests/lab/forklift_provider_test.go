package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestForkliftKeyState(t *testing.T) {
	_, pub, err := fkGenKeyPair("test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(pub, "ssh-rsa AAAAB3NzaC1yc2E") {
		t.Fatalf("public key not in OpenSSH format: %.40s", pub)
	}
	_, other, _ := fkGenKeyPair("other")
	file := filepath.Join(t.TempDir(), "authorized_keys")
	cases := []struct{ content, want string }{
		{"", "missing"},
		{fkRestrictedKeyLine(other) + "\n", "missing"},
		{pub + "\n", "unrestricted"},
		{fkLegacyKeyLine(pub, "ds1") + "\n", "legacy"},
		{fkLegacyKeyLine(pub, "ds1") + "\n" + fkRestrictedKeyLine(pub) + "\n", "legacy"}, // sshd: the first line decides
		{fkRestrictedKeyLine(pub) + "\n" + fkLegacyKeyLine(pub, "ds1") + "\n", "ok"},
		{"# comment\n" + fkRestrictedKeyLine(pub) + "\n", "ok"},
	}
	for i, c := range cases {
		if err := os.WriteFile(file, []byte(c.content), 0600); err != nil {
			t.Fatal(err)
		}
		if got := fkKeyState(file, pub); got != c.want {
			t.Errorf("case %d: state %q, want %q", i, got, c.want)
		}
	}
}

func TestForkliftVendorCheck(t *testing.T) {
	base := map[string]string{"STORAGE_HOSTNAME": "h", "STORAGE_USERNAME": "u", "STORAGE_PASSWORD": "p"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range base {
			m[a] = b
		}
		m[k] = v
		return m
	}
	if msg := fkVendorCheck("ontap", base); !strings.Contains(msg, "ONTAP_SVM") {
		t.Errorf("ontap without SVM: %q", msg)
	}
	if msg := fkVendorCheck("ontap", with("ONTAP_SVM", "svm0")); msg != "" {
		t.Errorf("ontap with SVM: %q", msg)
	}
	if msg := fkVendorCheck("primera3par", base); msg != "" {
		t.Errorf("primera3par: %q", msg)
	}
	if msg := fkVendorCheck("pureFlashArray", map[string]string{"STORAGE_HOSTNAME": "h", "STORAGE_TOKEN": "t", "PURE_CLUSTER_PREFIX": "px_1"}); msg != "" {
		t.Errorf("pure with token: %q", msg)
	}
	if msg := fkVendorCheck("powerstore", map[string]string{"STORAGE_HOSTNAME": "h"}); !strings.Contains(msg, "either STORAGE_TOKEN") {
		t.Errorf("missing credentials: %q", msg)
	}
	if msg := fkVendorCheck("netapp", base); !strings.Contains(msg, "Unsupported storage vendor") {
		t.Errorf("unknown vendor: %q", msg)
	}
	m := fkMergeVendor(map[string]string{"management_address": "a", "username": "u", "password": "p"})
	if m["STORAGE_HOSTNAME"] != "a" || m["STORAGE_USERNAME"] != "u" || m["STORAGE_PASSWORD"] != "p" {
		t.Errorf("aliases not applied: %v", m)
	}
}

func TestForkliftQuantity(t *testing.T) {
	for in, want := range map[int64]string{2 << 40: "2Ti", 16 << 30: "16Gi", 1536 << 20: "1536Mi", 1000: "1000"} {
		if got := fkQuantity(in); got != want {
			t.Errorf("fkQuantity(%d) = %q, want %q", in, got, want)
		}
	}
}
