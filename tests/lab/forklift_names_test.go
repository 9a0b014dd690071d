package main

import (
	"strings"
	"testing"
)

func TestForkliftChangeVmName(t *testing.T) {
	cases := map[string]string{
		"vm with spaces in name":                             "vm-with-spaces-in-name",
		"vm---with----multiple-----dashes":                   "vm-with-multiple-dashes",
		"mtv.func.-.rhel.-...8.8":                            "mtv.func.rhel.8.8",
		"----Vm!@#$%^&*()_+-Name/.is,';[]-CorREct-<>123----": "vm-name.is-correct-123",
		"My_VM":              "my-vm",
		"XCopy_Test_VM_CAPS": "xcopy-test-vm-caps",
	}
	for in, want := range cases {
		if got := fkChangeVmName(in); got != want {
			t.Errorf("fkChangeVmName(%q) = %q, want %q", in, got, want)
		}
	}
	long := fkChangeVmName(strings.Repeat("a", 80))
	if len(long) != 63 {
		t.Errorf("long name not cut to 63: %d", len(long))
	}
	if got := fkChangeVmName("!!!"); !strings.HasPrefix(got, "vm-") || len(got) != 7 {
		t.Errorf("empty result should be vm-XXXX, got %q", got)
	}
}

func TestForkliftTargetVMName(t *testing.T) {
	if got := fkTargetVMName("rhel9.example", ""); got != "rhel9.example" {
		t.Errorf("valid subdomain renamed: %q", got)
	}
	if got := fkTargetVMName("My_VM", "custom"); got != "custom" {
		t.Errorf("targetName ignored: %q", got)
	}
	if got := fkResolveTargetVmName("rhel9.example"); got != "rhel9.example" {
		t.Errorf("resolve: %q", got)
	}
}

func TestForkliftPVCTemplate(t *testing.T) {
	d := fkPVCTemplateData{VmName: "My_VM", TargetVmName: "my-vm", PlanName: "a-very-long-plan-name-here", DiskIndex: 1, VmId: "vm-42", FileName: "My_VM_1.vmdk"}
	cases := map[string]string{
		"pvc":                      "pvc",
		"":                         "a-very-long-pla-my-vm-disk-1",
		"{{.VmId}}-{{.DiskIndex}}": "vm-42-1",
		`{{.FileName | trimSuffix ".vmdk" | lower | replace "_" "-"}}`: "my-vm-1",
		"{{.TargetVmName | trunc 3}}-x":                                "my--x",
		`{{mustRegexReplaceAll "[^a-z]" (lower .VmName) ""}}`:          "myvm",
	}
	for tpl, want := range cases {
		got, err := fkPVCBaseName(tpl, d)
		if err != nil || got != want {
			t.Errorf("template %q = %q, %v; want %q", tpl, got, err, want)
		}
	}
	for _, bad := range []string{"{{.VmName}}", "{{.Nope}}", "{{", "a.b"} {
		if _, err := fkPVCBaseName(bad, d); err == nil {
			t.Errorf("template %q should be invalid", bad)
		}
	}
}

func TestForkliftPopulatorSuffix(t *testing.T) {
	a := fkPopulatorSuffix("uid", "vm-1", 2000, "[ds] vm/vm.vmdk", 0)
	b := fkPopulatorSuffix("uid", "vm-1", 2000, "[ds] vm/vm.vmdk", 0)
	c := fkPopulatorSuffix("uid", "vm-1", 2001, "[ds] vm/vm_1.vmdk", 1)
	if a != b || a == c || len(a) != 8 {
		t.Errorf("suffix not deterministic/unique: %s %s %s", a, b, c)
	}
	if got := fkPopulatorPVCName("pvc", a); got != "pvc-"+a {
		t.Errorf("pvc name %q", got)
	}
	if got := fkPopulatorPVCName(strings.Repeat("x", 70), a); len(got) > 63 || !fkIsDNSLabel(got) {
		t.Errorf("long pvc name %q", got)
	}
}
