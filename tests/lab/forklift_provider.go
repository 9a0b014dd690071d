package main

// Provider model: vSphere connection test with the provider secret, SSH key
// secrets for copy-offload and the ESXi authorized_keys check.

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

func fkCtx() context.Context { return context.Background() }

const fkSSHKeysPrefix = "offload-ssh-keys"

// fkRestrictedCommand is the forced command of the copy-offload SSH key:
// an empty DS answers the connectivity probe, anything else runs the
// shell wrapper uploaded to the datastore.
const fkRestrictedCommand = `sh -c 'DS=$(echo "$SSH_ORIGINAL_COMMAND" | sed -n "s/^DS=\([^;]*\);.*/\1/p"); ` +
	`CMD=$(echo "$SSH_ORIGINAL_COMMAND" | sed -n "s/^DS=[^;]*;CMD=//p"); ` +
	`if [ -z "$DS" ]; then echo "SSH_OK"; else SSH_ORIGINAL_COMMAND="$CMD" exec sh /vmfs/volumes/$DS/secure-vmkfstools-wrapper; fi'`

const fkKeyOptions = "no-port-forwarding,no-agent-forwarding,no-X11-forwarding"

// fkRestrictedKeyLine is the authorized_keys line the provider's key needs.
func fkRestrictedKeyLine(pub string) string {
	return `command="` + strings.ReplaceAll(fkRestrictedCommand, `"`, `\"`) + `",` + fkKeyOptions + " " + strings.TrimSpace(pub)
}

// fkLegacyKeyLine is the old Python-wrapper format (now a version mismatch).
func fkLegacyKeyLine(pub, ds string) string {
	return `command="python /vmfs/volumes/` + ds + `/secure-vmkfstools-wrapper.py",` + fkKeyOptions + " " + strings.TrimSpace(pub)
}

func fkSSHString(b []byte) []byte {
	out := make([]byte, 4+len(b))
	binary.BigEndian.PutUint32(out, uint32(len(b)))
	copy(out[4:], b)
	return out
}

func fkSSHMpint(n *big.Int) []byte {
	b := n.Bytes()
	if len(b) > 0 && b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return fkSSHString(b)
}

// fkGenKeyPair makes a 2048-bit RSA pair: PEM private key, OpenSSH public key.
func fkGenKeyPair(comment string) (priv, pub string, err error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", "", err
	}
	privPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
	var blob bytes.Buffer
	blob.Write(fkSSHString([]byte("ssh-rsa")))
	blob.Write(fkSSHMpint(big.NewInt(int64(k.PublicKey.E))))
	blob.Write(fkSSHMpint(k.PublicKey.N))
	pub = "ssh-rsa " + base64.StdEncoding.EncodeToString(blob.Bytes()) + " " + comment
	return string(privPEM), pub, nil
}

func fkSSHSecretBase(provider string) string {
	if len(provider) > 228 {
		provider = provider[:228]
	}
	return fkSSHKeysPrefix + "-" + provider
}

// ensureSSHKeys creates the offload-ssh-keys-<provider>-{private,public}
// secrets once and returns the public key.
func (f *fkForklift) ensureSSHKeys(p Obj) (string, error) {
	ns, base := fkNS(p), fkSSHSecretBase(fkName(p))
	pubSec, perr := f.s.Get(fkSecrets, ns, base+"-public")
	_, qerr := f.s.Get(fkSecrets, ns, base+"-private")
	if perr == nil && qerr == nil {
		return fkSecretData(pubSec)["public-key"], nil
	}
	priv, pub, err := fkGenKeyPair("forklift-" + fkName(p))
	if err != nil {
		return "", err
	}
	labels := Obj{"app.kubernetes.io/component": "ssh-keys", "forklift.konveyor.io/provider": fkName(p)}
	mk := func(name, key, val string) error {
		_, err := f.s.Create(fkSecrets, ns, Obj{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
			"metadata": Obj{"name": name, "namespace": ns, "labels": labels,
				"ownerReferences": []interface{}{fkOwnerRef(p, false)}},
			"data": fkEncodeData(map[string]string{key: val})})
		if IsStatus(err, 409) {
			return nil
		}
		return err
	}
	if perr != nil {
		_ = f.s.Delete(fkSecrets, ns, base+"-private")
		if err := mk(base+"-private", "private-key", priv); err != nil {
			return "", err
		}
		if err := mk(base+"-public", "public-key", pub); err != nil {
			return "", err
		}
		return pub, nil
	}
	// Public exists, private lost: regenerate both.
	_ = f.s.Delete(fkSecrets, ns, base+"-public")
	if err := mk(base+"-private", "private-key", priv); err != nil {
		return "", err
	}
	return pub, mk(base+"-public", "public-key", pub)
}

// publicKey returns the provider's public SSH key, if created.
func (f *fkForklift) publicKey(p Obj) string {
	sec, err := f.s.Get(fkSecrets, fkNS(p), fkSSHSecretBase(fkName(p))+"-public")
	if err != nil {
		return ""
	}
	return fkSecretData(sec)["public-key"]
}

// fkKeyState classifies the authorized_keys entry of a public key:
// "ok", "legacy", "unrestricted" or "missing". As sshd does, the first
// line holding the key decides.
func fkKeyState(authorizedKeys, pub string) string {
	fields := strings.Fields(pub)
	if len(fields) < 2 {
		return "missing"
	}
	blob := fields[1]
	data, err := os.ReadFile(authorizedKeys)
	if err != nil {
		return "missing"
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") || !strings.Contains(line, " "+blob) {
			continue
		}
		if !strings.Contains(line, `command="`) {
			return "unrestricted"
		}
		if strings.Contains(line, "secure-vmkfstools-wrapper.py") || strings.Contains(line, "python ") {
			return "legacy"
		}
		if strings.Contains(line, "/vmfs/volumes/$DS/secure-vmkfstools-wrapper") && strings.Contains(line, `echo \"SSH_OK\"`) &&
			strings.Contains(line, "no-port-forwarding") {
			return "ok"
		}
		return "unrestricted"
	}
	return "missing"
}

// fkSSHProbe is the command Forklift runs on each ESXi host to test the
// provider's key (pkg/lib/util/sshutils.go): the restricted key line
// answers SSH_OK when DS is empty.
const fkSSHProbe = "DS=;CMD=status test-task-id"

// sshHosts lists the hosts Forklift tests: "id|name|ip" with the host's
// management address (for the lab, the address its sshd listens on for
// that host name; all hosts share one address when 127.0.0.2 was not
// available).
func (f *fkForklift) sshHosts() []string {
	var items []string
	if f.l == nil {
		return nil
	}
	for i, h := range f.l.Inv.Hosts {
		name := h
		if i < len(f.l.Inv.HostNames) {
			name = f.l.Inv.HostNames[i]
		}
		ip := f.l.ESXi.Host
		for _, a := range f.l.ESXi.Addresses {
			if a == name {
				ip = a
			}
		}
		items = append(items, h+"|"+name+"|"+ip)
	}
	return items
}

// sshTest runs Forklift's connectivity test against one host: an SSH
// login with the provider's private key running fkSSHProbe, passed when
// the output is SSH_OK (testSSHConnectivity). Forklift dials root@IP:22;
// the lab's sshd listens on its own port and logs in the user running the
// lab (root in CI), so the lab maps port 22 to that port and root to that
// user: the key, the authorized_keys line and its forced command are
// checked for real by sshd. The probe runs in the background (a loaded
// machine makes an SSH login take seconds, which must not stall the other
// controllers); until it answers, the host keeps its last result. Results
// are cached until authorized_keys or the key changes.
func (f *fkForklift) sshTest(ip, priv string) bool {
	if f.l == nil || f.l.ESXi.Port == 0 || priv == "" {
		return false
	}
	key := fmt.Sprintf("%x", sha256.Sum256([]byte(priv)))
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sshCache == nil || len(f.sshCache) > 256 {
		f.sshCache = map[string]bool{}
	}
	if f.sshLast == nil {
		f.sshLast = map[string]bool{}
	}
	full := f.sshSeen + "|" + ip + "|" + key
	if v, ok := f.sshCache[full]; ok {
		return v
	}
	last := f.sshLast[ip+"|"+key]
	if f.sshBusy[full] {
		return last
	}
	if f.sshBusy == nil {
		f.sshBusy = map[string]bool{}
	}
	f.sshBusy[full] = true
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		ok := f.sshProbe(ip, priv)
		f.mu.Lock()
		delete(f.sshBusy, full)
		f.sshCache[full] = ok
		f.sshLast[ip+"|"+key] = ok
		f.mu.Unlock()
		f.kick()
	}()
	return last
}

// sshProbe is one login running fkSSHProbe (see sshTest).
func (f *fkForklift) sshProbe(ip, priv string) bool {
	dir, err := os.MkdirTemp(f.l.Dir, "ssh-probe-")
	if err != nil {
		return false
	}
	defer os.RemoveAll(dir)
	kf := filepath.Join(dir, "id")
	if os.WriteFile(kf, []byte(priv), 0600) != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	go func() {
		select {
		case <-f.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "ssh", "-F", "/dev/null", "-o", "BatchMode=yes",
		"-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
		"-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=10", "-i", kf,
		"-p", strconv.Itoa(f.l.ESXi.Port), f.l.ESXi.User+"@"+ip, fkSSHProbe)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	ok := strings.TrimSpace(string(out)) == "SSH_OK"
	if !ok {
		f.logf("ssh readiness probe of %s: %v %q %q", ip, err, strings.TrimSpace(string(out)),
			strings.TrimSpace(stderr.String()))
	}
	return ok
}

// sshConditions is ValidateSSHReadiness (pkg/controller/provider/
// validation.go, the same in 2.10 to main) for esxiCloneMethod ssh: keys
// not there yet give SSHKeysNotFound; otherwise every host is tested;
// all passing removes both SSHReady and SSHNotReady; some passing gives
// SSHReady (SSHConnectivityValidated) next to SSHNotReady
// (SSHConnectivityFailed).
func (f *fkForklift) sshConditions(p Obj, keysExisted bool) []fkCond {
	const why = "(checked because 'esxiCloneMethod' setting is set to 'ssh')"
	base := fkSSHSecretBase(fkName(p))
	if !keysExisted {
		return []fkCond{{Type: "SSHNotReady", Reason: "SSHKeysNotFound", Category: fkWarn,
			Message: fmt.Sprintf("SSH keys are being generated %s. After keys are created, you must manually install the "+
				"public key on each ESXi host. Expected secrets: %s, %s", why, base+"-private", base+"-public")}}
	}
	var priv string
	if sec, err := f.s.Get(fkSecrets, fkNS(p), base+"-private"); err == nil {
		priv = fkSecretData(sec)["private-key"]
	}
	pub := f.publicKey(p)
	var okHosts, badHosts []string
	for _, item := range f.sshHosts() {
		parts := strings.Split(item, "|")
		if f.sshTest(parts[2], priv) {
			okHosts = append(okHosts, item)
		} else {
			badHosts = append(badHosts, item)
		}
	}
	if len(badHosts) == 0 {
		return nil
	}
	list := func(items []string) string {
		var b strings.Builder
		for _, it := range items {
			parts := strings.Split(it, "|")
			fmt.Fprintf(&b, "  - %s (%s)\n", parts[1], parts[2])
		}
		return b.String()
	}
	var out []fkCond
	if len(okHosts) > 0 {
		out = append(out, fkCond{Type: "SSHReady", Reason: "SSHConnectivityValidated", Category: fkAdvisory, Items: okHosts,
			Message: "SSH connectivity validated " + why + ". See the suggestion field in the Provider's YAML for the list of available ESXi hosts.",
			Suggestion: "ESXi hosts with SSH connectivity validated:\n\n" + list(okHosts) +
				"\nTo use the xcopy volume populator, ensure your VMs are located on these ESXi hosts before starting the migration.\n"})
	}
	out = append(out, fkCond{Type: "SSHNotReady", Reason: "SSHConnectivityFailed", Category: fkWarn, Items: badHosts,
		Message: "SSH readiness validation issue " + why + ". See the suggestion field in the Provider's YAML for details.",
		Suggestion: "HOSTS REQUIRING SSH SETUP:\n\n" + list(badHosts) + "\nSETUP INSTRUCTIONS:\n\n" +
			"1. Enable SSH on each ESXi host:\n   vim-cmd hostsvc/enable_ssh\n   vim-cmd hostsvc/start_ssh\n\n" +
			"2. Add the following line to /etc/ssh/keys-root/authorized_keys on each ESXi host:\n\n" +
			fkRestrictedKeyLine(pub) + "\n\n"})
	return out
}

// sshState is the SSH key state of a provider using esxiCloneMethod ssh.
func (f *fkForklift) sshState(p Obj) string {
	pub := f.publicKey(p)
	if pub == "" || f.l == nil {
		return "missing"
	}
	return fkKeyState(f.l.ESXi.AuthorizedKeys, pub)
}

func (f *fkForklift) reconcileProvider(p Obj) {
	switch fkStr(p, "spec", "type") {
	case "openshift":
		conds := []fkCond{
			{Type: "ConnectionTestSucceeded", Reason: "Tested", Category: fkRequired, Message: "Connection test, succeeded."},
			{Type: "Validated", Reason: "Completed", Category: fkAdvisory, Message: "Validation has been completed."},
			{Type: "InventoryCreated", Reason: "Completed", Category: fkRequired, Message: "The inventory has been loaded."},
			{Type: "Ready", Category: fkRequired, Message: "The provider is ready."},
		}
		f.writeConditions(fkProviders, p, conds, nil, func(st Obj) { st["phase"] = "Ready" })
	case "vsphere":
		f.reconcileVSphere(p)
	default:
		f.writeConditions(fkProviders, p, []fkCond{{Type: "ProviderTypeNotSupported", Reason: "NotSupported",
			Category: fkCritical, Message: "The `type` is not supported by this lab."}}, nil,
			func(st Obj) { st["phase"] = "ValidationFailed" })
	}
}

func (f *fkForklift) dropClient(uid string) {
	f.mu.Lock()
	delete(f.vcs, uid)
	f.mu.Unlock()
}

func (f *fkForklift) reconcileVSphere(p Obj) {
	uid := fkUID(p)
	gen := fkGeneration(p)
	fail := func(phase string, c fkCond) {
		f.dropClient(uid)
		f.writeConditions(fkProviders, p, []fkCond{c}, nil, func(st Obj) { st["phase"] = phase })
	}
	rawURL := fkStr(p, "spec", "url")
	if rawURL == "" {
		fail("ValidationFailed", fkCond{Type: "UrlNotValid", Reason: "NotSet", Category: fkCritical, Message: "The `url` is not valid."})
		return
	}
	ep := fkStr(p, "spec", "settings", "sdkEndpoint")
	if ep != "" && ep != "vcenter" && ep != "esxi" {
		fail("ValidationFailed", fkCond{Type: "SettingsNotValid", Reason: "NotValid", Category: fkCritical,
			Message: "vSphere provider is set with an invalid SDK endpoint type"})
		return
	}
	secNS, secName := fkStr(p, "spec", "secret", "namespace"), fkStr(p, "spec", "secret", "name")
	secretNotValid := fkCond{Type: "SecretNotValid", Category: fkCritical, Message: "The `spec.secret` is not valid."}
	if secNS == "" || secName == "" {
		secretNotValid.Reason = "NotSet"
		fail("ValidationFailed", secretNotValid)
		return
	}
	sec, err := f.s.Get(fkSecrets, secNS, secName)
	if err != nil {
		secretNotValid.Reason = "NotFound"
		fail("ValidationFailed", secretNotValid)
		return
	}
	data := fkSecretData(sec)
	var missing []string
	for _, k := range []string{"user", "password"} {
		if data[k] == "" {
			missing = append(missing, k)
		}
	}
	insecure := data["insecureSkipVerify"] == "true"
	ca := data["ca.crt"]
	if ca == "" {
		ca = data["cacert"]
	}
	if !insecure && ca == "" {
		missing = append(missing, "ca.crt")
	}
	if len(missing) > 0 {
		secretNotValid.Reason = "DataErr"
		secretNotValid.Items = missing
		fail("ValidationFailed", secretNotValid)
		return
	}
	key := fmt.Sprintf("%s/%v/%s", fkMetaStr(sec, "resourceVersion"), gen, rawURL)
	f.mu.Lock()
	authKey := f.authRV[uid]
	vc := f.vcs[uid]
	f.mu.Unlock()
	if authKey == key {
		return // ConnectionAuthFailed: no retry until the secret or the provider changes
	}
	fingerprint := fkStr(p, "status", "fingerprint")
	if vc == nil || vc.key != key {
		client, err := fkConnect(fkCtx(), rawURL, data["user"], data["password"], insecure, []byte(ca))
		if err == errFkAuth {
			f.mu.Lock()
			f.authRV[uid] = key
			f.mu.Unlock()
			fail("ConnectionFailed", fkCond{Type: "ConnectionAuthFailed", Reason: "Unauthorized", Category: fkCritical,
				Message:    "Authentication failed. Check the credentials in the provider secret.",
				Suggestion: "The controller stops retrying to avoid locking the account; fix the secret to retry."})
			return
		}
		if err != nil {
			fail("ConnectionFailed", fkCond{Type: "ConnectionTestFailed", Reason: "Tested", Category: fkCritical,
				Message: "Connection test, failed: " + err.Error()})
			return
		}
		if ep == "vcenter" || ep == "" {
			if !client.IsVC() {
				fail("ConnectionFailed", fkCond{Type: "ConnectionTestFailed", Reason: "Tested", Category: fkCritical,
					Message: "provider sdkEndpoint is set to vCenter but the URL points to an ESXi host"})
				return
			}
		} else if client.IsVC() {
			fail("ConnectionFailed", fkCond{Type: "ConnectionTestFailed", Reason: "Tested", Category: fkCritical,
				Message: "provider sdkEndpoint is set to ESXi but the URL points to a vCenter"})
			return
		}
		if u := client.URL(); u != nil {
			if fp, err := fkThumbprint(u); err == nil {
				fingerprint = fp
			}
		}
		f.mu.Lock()
		delete(f.authRV, uid)
		f.vcs[uid] = &fkVC{key: key, client: client}
		f.mu.Unlock()
		f.logf("provider %s/%s connected to %s", fkNS(p), fkName(p), client.URL().Host)
	}
	conds := []fkCond{
		{Type: "ConnectionTestSucceeded", Reason: "Tested", Category: fkRequired, Message: "Connection test, succeeded."},
		{Type: "Validated", Reason: "Completed", Category: fkAdvisory, Message: "Validation has been completed."},
		{Type: "InventoryCreated", Reason: "Completed", Category: fkRequired, Message: "The inventory has been loaded."},
	}
	if insecure {
		conds = append(conds, fkCond{Type: "ConnectionInsecure", Reason: "SkipTLSVerification", Category: fkWarn,
			Message: "TLS is susceptible to machine-in-the-middle attacks when certificate verification is skipped."})
	}
	// Forklift validates SSH readiness before it ensures the keys: on the
	// first pass the secrets are not there yet.
	keysExisted := f.publicKey(p) != ""
	if _, err := f.ensureSSHKeys(p); err != nil {
		f.logf("provider %s/%s: ssh keys: %v", fkNS(p), fkName(p), err)
	}
	if fkStr(p, "spec", "settings", "esxiCloneMethod") == "ssh" {
		conds = append(conds, f.sshConditions(p, keysExisted)...)
	}
	if !fkBlocker(conds) {
		conds = append(conds, fkCond{Type: "Ready", Category: fkRequired, Message: "The provider is ready."})
	}
	secretRV := fkMetaStr(sec, "resourceVersion")
	f.writeConditions(fkProviders, p, conds, nil, func(st Obj) {
		st["phase"] = "Ready"
		st["fingerprint"] = fingerprint
		st["secretResourceVersion"] = secretRV
	})
}
