package main

// Naming rules of the Forklift model: DNS-1123 checks, the VM name
// sanitiser (ChangeVmName) and the PVC name template engine.

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"text/template"
)

var (
	fkLabelRe     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	fkSubdomainRe = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
)

// fkIsDNSLabel reports whether s is a DNS-1123 label (RFC 1123, 63 chars).
func fkIsDNSLabel(s string) bool { return len(s) <= 63 && fkLabelRe.MatchString(s) }

// fkIsDNSSubdomain reports whether s is a DNS-1123 subdomain (253 chars).
func fkIsDNSSubdomain(s string) bool { return len(s) <= 253 && fkSubdomainRe.MatchString(s) }

// fkRandSuffix returns n random characters from [a-z0-9].
func fkRandSuffix(n int) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			b[i] = 'x'
			continue
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

// fkCollapseDashes removes empty runs between dashes ("a--b" -> "a-b").
func fkCollapseDashes(s string) string {
	var parts []string
	for _, p := range strings.Split(s, "-") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "-")
}

// fkChangeVmName turns any vSphere VM name into a DNS-1123 subdomain the
// way Forklift does: lower case, per dot-separated part map "_+* /\" to
// '-', drop other characters, collapse dashes, 63 characters at most.
func fkChangeVmName(name string) string {
	s := strings.Trim(strings.ToLower(name), ".-")
	var kept []string
	for _, part := range strings.Split(s, ".") {
		var b strings.Builder
		for _, r := range part {
			switch {
			case strings.ContainsRune("_+* /\\", r):
				b.WriteByte('-')
			case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
				b.WriteRune(r)
			}
		}
		p := fkCollapseDashes(strings.Trim(b.String(), "-."))
		if len(p) > 63 {
			p = strings.Trim(p[:63], "-")
		}
		if p != "" {
			kept = append(kept, p)
		}
	}
	out := strings.Join(kept, ".")
	if len(out) > 63 {
		out = strings.Trim(out[:63], ".-")
	}
	if out == "" {
		out = "vm-" + fkRandSuffix(4)
	}
	return out
}

// fkTargetVMName is the KubeVirt VM name for a source VM: targetName when
// set, the source name when it is a DNS-1123 subdomain, else the sanitised one.
func fkTargetVMName(sourceName, targetName string) string {
	if targetName != "" {
		return targetName
	}
	if fkIsDNSSubdomain(sourceName) {
		return sourceName
	}
	return fkChangeVmName(sourceName)
}

// fkResolveTargetVmName is the .TargetVmName of PVC templates: sanitised
// only when the name is not a DNS-1123 label (dots survive).
func fkResolveTargetVmName(name string) string {
	if fkIsDNSLabel(name) {
		return name
	}
	return fkChangeVmName(name)
}

// fkPVCTemplateData holds the variables of a PVC name template.
type fkPVCTemplateData struct {
	VmName         string
	TargetVmName   string
	PlanName       string
	DiskIndex      int
	RootDiskIndex  int
	VmId           string
	FileName       string
	Shared         bool
	WinDriveLetter string
}

// fkDefaultPVCTemplate is Forklift's default PVC name template.
const fkDefaultPVCTemplate = "{{trunc 15 .PlanName}}-{{trunc 15 .TargetVmName}}-disk-{{.DiskIndex}}"

func fkTrunc(n int, s string) string {
	if n < 0 {
		if -n >= len(s) {
			return s
		}
		return s[len(s)+n:]
	}
	if n >= len(s) {
		return s
	}
	return s[:n]
}

var fkTemplateFuncs = template.FuncMap{
	"trunc":      fkTrunc,
	"lower":      strings.ToLower,
	"upper":      strings.ToUpper,
	"trim":       strings.TrimSpace,
	"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
	"trimPrefix": func(prefix, s string) string { return strings.TrimPrefix(s, prefix) },
	"replace":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
	"mustRegexReplaceAll": func(re, s, repl string) (string, error) {
		r, err := regexp.Compile(re)
		if err != nil {
			return "", err
		}
		return r.ReplaceAllString(s, repl), nil
	},
	"regexReplaceAll": func(re, s, repl string) string {
		r, err := regexp.Compile(re)
		if err != nil {
			return s
		}
		return r.ReplaceAllString(s, repl)
	},
	"add":      func(a, b int) int { return a + b },
	"sub":      func(a, b int) int { return a - b },
	"mul":      func(a, b int) int { return a * b },
	"toString": func(v interface{}) string { return fmt.Sprint(v) },
}

// fkExecTemplate renders a PVC/volume name template.
func fkExecTemplate(text string, data interface{}) (string, error) {
	t, err := template.New("name").Option("missingkey=error").Funcs(fkTemplateFuncs).Parse(text)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", err
	}
	return strings.TrimSpace(buf.String()), nil
}

// fkPVCBaseName renders the template and checks that the result is a
// DNS-1123 label; the error text is what the plan condition reports.
func fkPVCBaseName(text string, data fkPVCTemplateData) (string, error) {
	if text == "" {
		text = fkDefaultPVCTemplate
	}
	out, err := fkExecTemplate(text, data)
	if err != nil {
		return "", err
	}
	if out == "" {
		return "", fmt.Errorf("template output is empty")
	}
	if !fkIsDNSLabel(strings.TrimSuffix(out, "-")) {
		return "", fmt.Errorf("template output %q is not a valid DNS-1123 label", out)
	}
	return out, nil
}

// fkPopulatorSuffix is the deterministic 8-hex suffix of populator PVC names.
func fkPopulatorSuffix(migUID, vmID string, diskKey int32, diskFile string, diskIndex int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s-%s-%d-%s-%d", migUID, vmID, diskKey, diskFile, diskIndex)))
	return hex.EncodeToString(sum[:])[:8]
}

// fkPopulatorPVCName joins the template output and the suffix, keeping
// the result a DNS-1123 label.
func fkPopulatorPVCName(base, suffix string) string {
	base = strings.TrimSuffix(base, "-")
	if len(base) > 63-9 {
		base = strings.TrimRight(base[:63-9], "-")
	}
	return base + "-" + suffix
}
