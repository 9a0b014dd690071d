package main

import (
	"bytes"
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"golang.org/x/crypto/ssh"
)

// kvtStart: a store with the KubeVirt model, short delays.
func kvtStart(t *testing.T) (*Store, *kvKubeVirt) {
	s := kbtStore(t)
	l := &Lab{Logf: t.Logf, Dir: t.TempDir()}
	stop := startKubeVirt(l, s)
	t.Cleanup(stop)
	kv := kvFor(s)
	kv.boot, kv.agent = 40*time.Millisecond, 40*time.Millisecond
	if _, err := s.create(kbGVRNamespaces, "", Obj{"metadata": Obj{"name": "ns"}}, kbInternal); err != nil {
		t.Fatal(err)
	}
	return s, kv
}

func kvtVM(t *testing.T, s *Store, name, rs string) Obj {
	vm, err := s.Create(kvVMs, "ns", Obj{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
		"metadata": Obj{"name": name, "namespace": "ns"},
		"spec": Obj{"runStrategy": rs, "template": Obj{"spec": Obj{
			"domain": Obj{"cpu": Obj{"cores": 2, "sockets": 1}, "memory": Obj{"guest": "2Gi"},
				"devices": Obj{"interfaces": []interface{}{Obj{"name": "net-0", "macAddress": "00:50:56:AA:BB:CC", "masquerade": Obj{}}}}},
			"networks": []interface{}{Obj{"name": "net-0", "pod": Obj{}}}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return vm
}

// kvtWait polls VMI ns/name until cond holds (2 s).
func kvtWait(t *testing.T, s *Store, name, what string, cond func(vmi Obj, err error) bool) Obj {
	deadline := time.Now().Add(2 * time.Second)
	for {
		vmi, err := s.Get(kvVMIs, "ns", name)
		if cond(vmi, err) {
			return vmi
		}
		if time.Now().After(deadline) {
			t.Fatalf("VMI %s: %s: not within 2 s (last %v %v)", name, what, fkMap(vmi, "status"), err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func kvtCond(vmi Obj, typ string) string { return fkStr(fkConditionOf(vmi, typ), "status") }

// TestKubeVirtLifecycle: runStrategy Always makes a VMI that runs, the
// agent connects, stop deletes it, start makes a new one; faults.
func TestKubeVirtLifecycle(t *testing.T) {
	s, kv := kvtStart(t)
	kvtVM(t, s, "a", "Always")
	vmi := kvtWait(t, s, "a", "agent connected", func(o Obj, err error) bool {
		return err == nil && kvtCond(o, "AgentConnected") == "True"
	})
	if fkStr(vmi, "status", "phase") != "Running" || fkStr(vmi, "status", "nodeName") == "" ||
		fkStr(vmi, "status", "guestOSInfo", "id") != "rhel" {
		t.Errorf("running VMI status: %v", vmi["status"])
	}
	ifs := fkSlice(vmi, "status", "interfaces")
	if len(ifs) != 1 || fkStr(ifs[0].(Obj), "mac") != "00:50:56:aa:bb:cc" || fkStr(ifs[0].(Obj), "interfaceName") != "eth0" ||
		!strings.Contains(fkStr(ifs[0].(Obj), "infoSource"), "guest-agent") || fkStr(ifs[0].(Obj), "ipAddress") == "" {
		t.Errorf("interfaces: %v", ifs)
	}
	if kvFirstOwner(vmi) != "a" {
		t.Errorf("VMI owner: %v", vmi["metadata"])
	}
	vm, _ := s.Get(kvVMs, "ns", "a")
	if fkStr(vm, "status", "printableStatus") != "Running" {
		t.Errorf("VM status %v", vm["status"])
	}
	if se := kv.startVM("ns", "a"); se == nil || se.Code != 409 || !strings.Contains(se.Message, "VM is already running") {
		t.Errorf("start of a running VM: %v", se)
	}
	if se := kv.stopVM("ns", "a"); se != nil {
		t.Fatal(se)
	}
	kvtWait(t, s, "a", "gone", func(o Obj, err error) bool { return IsStatus(err, 404) })
	vm, _ = s.Get(kvVMs, "ns", "a")
	if fkStr(vm, "spec", "runStrategy") != "Halted" || fkStr(vm, "status", "printableStatus") != "Stopped" {
		t.Errorf("stopped VM: %v %v", vm["spec"].(Obj)["runStrategy"], vm["status"])
	}
	if se := kv.stopVM("ns", "a"); se == nil || se.Code != 409 || !strings.Contains(se.Message, "VM is not running") {
		t.Errorf("stop of a stopped VM: %v", se)
	}
	if se := kv.startVM("ns", "a"); se != nil {
		t.Fatal(se)
	}
	kvtWait(t, s, "a", "running again", func(o Obj, err error) bool { return err == nil && fkStr(o, "status", "phase") == "Running" })

	// faults
	kv.ArmFault("ns", "b", "guest-agent-down")
	kvtVM(t, s, "b", "Halted")
	kv.ArmFault("ns", "c", "no-boot")
	kvtVM(t, s, "c", "Halted")
	for _, n := range []string{"b", "c"} {
		if se := kv.startVM("ns", n); se != nil {
			t.Fatal(se)
		}
	}
	kvtWait(t, s, "b", "running", func(o Obj, err error) bool { return err == nil && fkStr(o, "status", "phase") == "Running" })
	time.Sleep(150 * time.Millisecond)
	vb, _ := s.Get(kvVMIs, "ns", "b")
	vc, _ := s.Get(kvVMIs, "ns", "c")
	if kvtCond(vb, "AgentConnected") != "" || len(fkMap(vb, "status", "guestOSInfo")) != 0 {
		t.Errorf("guest-agent-down: %v", vb["status"])
	}
	if fkStr(vc, "status", "phase") != "Scheduling" || fkStr(fkConditionOf(vc, "PodScheduled"), "reason") != "Unschedulable" {
		t.Errorf("no-boot: %v", vc["status"])
	}
	vmc, _ := s.Get(kvVMs, "ns", "c")
	if fkStr(vmc, "status", "printableStatus") != "ErrorUnschedulable" {
		t.Errorf("no-boot VM: %v", vmc["status"])
	}
}

func kvFirstOwner(o Obj) string {
	for _, r := range fkSlice(o, "metadata", "ownerReferences") {
		return fkStr(r.(Obj), "name")
	}
	return ""
}

// TestKubeVirtPortForward: the WebSocket path of the port-forward
// subresource (a stand-in guest service echoes): subprotocol, binary frames
// both ways, text frames skipped, close; the errors before the upgrade.
func TestKubeVirtPortForward(t *testing.T) {
	s, _ := kvtStart(t)
	k := &kbServer{s: s, l: &Lab{Logf: t.Logf}, counts: map[string]int{}}
	saved := kvGuestSSH
	t.Cleanup(func() { kvGuestSSH = saved })
	kvGuestSSH = func(l *Lab, vmi Obj, c net.Conn) {
		defer c.Close()
		io.Copy(c, c) // echo
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !k.serveKubeVirtSub(w, r, &kbUser{Name: "kube:admin", Admin: true}) {
			w.WriteHeader(404)
		}
	}))
	defer srv.Close()
	base := "wss" + strings.TrimPrefix(srv.URL, "https") + "/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/"
	d := &websocket.Dialer{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, Subprotocols: []string{"plain.kubevirt.io"}}
	status := func(path string) (int, string) {
		c, resp, err := d.Dial(base+path, nil)
		if err == nil {
			c.Close()
			return 101, ""
		}
		if resp == nil {
			return 0, err.Error()
		}
		var st Obj
		json.NewDecoder(resp.Body).Decode(&st)
		return resp.StatusCode, fkStr(st, "message")
	}
	if code, msg := status("none/portforward/22"); code != 404 || msg != `virtualmachineinstance.kubevirt.io "none" not found` {
		t.Errorf("missing VMI: %d %q", code, msg)
	}
	kvtVM(t, s, "a", "Always")
	kvtWait(t, s, "a", "scheduling", func(o Obj, err error) bool { return err == nil })
	if code, msg := status("a/portforward/22"); code != 400 || msg != "no network interfaces are present" {
		t.Errorf("VMI not running: %d %q", code, msg)
	}
	kvtWait(t, s, "a", "agent", func(o Obj, err error) bool { return err == nil && kvtCond(o, "AgentConnected") == "True" })
	if code, msg := status("a/portforward/80/tcp"); code != 500 || !strings.Contains(msg, "dialing VM: dial tcp 10.") ||
		!strings.Contains(msg, ":80: connect: connection refused") {
		t.Errorf("port 80: %d %q", code, msg)
	}
	c, resp, err := d.Dial(base+"a/portforward/22/tcp", nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	if resp.StatusCode != 101 || c.Subprotocol() != "plain.kubevirt.io" {
		t.Errorf("upgrade: %d %q", resp.StatusCode, c.Subprotocol())
	}
	c.WriteMessage(websocket.TextMessage, []byte("skipped"))
	c.WriteMessage(websocket.BinaryMessage, []byte("hello "))
	c.WriteMessage(websocket.BinaryMessage, []byte("guest"))
	var got []byte
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	for len(got) < len("hello guest") {
		typ, p, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("read: %v (got %q)", err, got)
		}
		if typ != websocket.BinaryMessage {
			t.Errorf("message type %d", typ)
		}
		got = append(got, p...)
	}
	if !bytes.Equal(got, []byte("hello guest")) {
		t.Errorf("echo %q", got)
	}
	c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""))
	if _, _, err := c.ReadMessage(); err == nil {
		t.Error("stream still open after close")
	}
	// a plain GET (no upgrade) is refused after the dial, as virt-api does
	req, _ := http.NewRequest("GET", srv.URL+"/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/a/portforward/22", nil)
	r2, err := srv.Client().Do(req)
	if err != nil || r2.StatusCode != 400 {
		t.Errorf("plain GET: %v %v", r2, err)
	}
}

// kvtWSConn is a net.Conn over a port-forward WebSocket (what virtctl's
// stream.AsConn does): binary messages both ways.
type kvtWSConn struct {
	net.Conn
	c *websocket.Conn
	r *kvBinaryReader
	w *kvBinaryWriter
}

func (x *kvtWSConn) Read(p []byte) (int, error)  { return x.r.Read(p) }
func (x *kvtWSConn) Write(p []byte) (int, error) { return x.w.Write(p) }
func (x *kvtWSConn) Close() error                { return x.c.Close() }
func (x *kvtWSConn) LocalAddr() net.Addr         { return x.c.LocalAddr() }
func (x *kvtWSConn) RemoteAddr() net.Addr        { return x.c.RemoteAddr() }

// TestKubeVirtGuestSSH: the guest's SSH server on the VM's boot PVC behind
// the port-forward: its own host key, its passwords, exec of its shell.
func TestKubeVirtGuestSSH(t *testing.T) {
	s, kv := kvtStart(t)
	k := &kbServer{s: s, l: kv.l, counts: map[string]int{}}
	dev, err := openFileDev(labPVCPath(kv.l.Dir, "ns", "boot-pvc"), 64<<20)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := guestFormat(dev, guestIdentity{Hostname: "rhel9-guest",
		Users: []guestUser{{Name: "root", Password: "lab-guest"}}})
	if err != nil {
		t.Fatal(err)
	}
	fs.WriteFile("/root/marker", []byte("data-integrity\n"), 0644)
	hostKey, err := guestHostKey(fs)
	dev.Close()
	if err != nil {
		t.Fatal(err)
	}
	vm := kvtVM(t, s, "g", "Halted")
	_, err = s.Mutate(kvVMs, "ns", "g", func(o Obj) error {
		spec := fkMap(o, "spec", "template", "spec")
		fkSet(spec, []interface{}{Obj{"name": "vol-0", "bootOrder": 1, "disk": Obj{"bus": "virtio"}}}, "domain", "devices", "disks")
		spec["volumes"] = []interface{}{Obj{"name": "vol-0", "persistentVolumeClaim": Obj{"claimName": "boot-pvc"}}}
		return nil
	}, false)
	if err != nil {
		t.Fatal(err)
	}
	_ = vm
	if se := kv.startVM("ns", "g"); se != nil {
		t.Fatal(se)
	}
	vmi := kvtWait(t, s, "g", "agent", func(o Obj, err error) bool { return err == nil && kvtCond(o, "AgentConnected") == "True" })
	if fkStr(vmi, "status", "guestOSInfo", "id") == "" {
		t.Errorf("guestOSInfo %v", fkMap(vmi, "status", "guestOSInfo"))
	}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k.serveKubeVirtSub(w, r, &kbUser{Name: "kube:admin", Admin: true})
	}))
	defer srv.Close()
	url := "wss" + strings.TrimPrefix(srv.URL, "https") + "/apis/subresources.kubevirt.io/v1/namespaces/ns/virtualmachineinstances/g/portforward/22/tcp"
	d := &websocket.Dialer{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, Subprotocols: []string{"plain.kubevirt.io"}}
	login := func(pw string) (*ssh.Client, error) {
		c, _, err := d.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		conn := &kvtWSConn{c: c, r: &kvBinaryReader{conn: c}, w: &kvBinaryWriter{conn: c}}
		cfg := &ssh.ClientConfig{User: "root", Auth: []ssh.AuthMethod{ssh.Password(pw)},
			HostKeyCallback: ssh.FixedHostKey(hostKey.PublicKey()), Timeout: 5 * time.Second}
		sc, chans, reqs, err := ssh.NewClientConn(conn, "vmi/g", cfg)
		if err != nil {
			c.Close()
			return nil, err
		}
		return ssh.NewClient(sc, chans, reqs), nil
	}
	if _, err := login("wrong"); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("wrong password: %v", err)
	}
	cl, err := login("lab-guest")
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for cmd, want := range map[string]string{"hostname": "rhel9-guest\n", "cat /root/marker": "data-integrity\n"} {
		sess, err := cl.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out, err := sess.Output(cmd)
		if err != nil || string(out) != want {
			t.Errorf("%s: %q %v", cmd, out, err)
		}
	}
	sess, _ := cl.NewSession()
	if err := sess.Run("cat /nonexistent"); err == nil {
		t.Error("cat of a missing file exits 0")
	} else if ee, ok := err.(*ssh.ExitError); !ok || ee.ExitStatus() != 1 {
		t.Errorf("exit status: %v", err)
	}
}

// TestKubeVirtForkliftSerial: getSystemSerial per release and OpenShift
// version, UUIDToVMwareSerial's own example, memory quantities.
func TestKubeVirtForkliftSerial(t *testing.T) {
	const uuid = "422c6a2a-5ea9-1083-39f3-3b140fffb444"
	if got := fkUUIDToVMwareSerial(uuid); got != "VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44" {
		t.Errorf("UUIDToVMwareSerial: %q", got)
	}
	if got := fkUUIDToVMwareSerial("not-a-uuid"); got != "not-a-uuid" {
		t.Errorf("fallback: %q", got)
	}
	for rel, vmware := range map[string]bool{"2.9": false, "2.10": false, "2.11": true, "2.12": true, "main": true} {
		f := &fkForklift{l: &Lab{MTV: mtvReleases[rel]}}
		got := f.systemSerial(uuid)
		if strings.HasPrefix(got, "VMware-") != vmware {
			t.Errorf("release %s (OpenShift %s): serial %q", rel, mtvReleases[rel].OCPVersion, got)
		}
	}
	for mib, want := range map[int64]string{4096: "4Gi", 1536: "1536Mi", 2048: "2Gi", 1 << 20: "1Ti", 100: "100Mi"} {
		if got := fkQuantityMiB(mib); got != want {
			t.Errorf("quantity %d MiB: %s, want %s", mib, got, want)
		}
	}
	if !fkVersionAtLeast("4.20.8", "4.20.0") || fkVersionAtLeast("4.19.21", "4.20.0") || !fkVersionAtLeast("4.21.0", "4.20.0") {
		t.Error("fkVersionAtLeast")
	}
}

// TestKubeVirtRBAC: the subresources are authorized as
// subresources.kubevirt.io virtualmachineinstances/portforward (get) and
// virtualmachines/start (update); kubevirt.io:edit grants them, view not.
func TestKubeVirtRBAC(t *testing.T) {
	s, _ := kvtStart(t)
	k := &kbServer{s: s, l: &Lab{Logf: t.Logf}, counts: map[string]int{}}
	bind := func(sa, role string) {
		rb := Obj{"metadata": Obj{"name": sa, "namespace": "ns"},
			"roleRef":  Obj{"apiGroup": kbRBAC, "kind": "ClusterRole", "name": role},
			"subjects": []interface{}{Obj{"kind": "ServiceAccount", "name": sa, "namespace": "ns"}}}
		if _, err := s.create(kbGVRRoleBindings, "ns", rb, kbInternal); err != nil {
			t.Fatal(err)
		}
	}
	bind("editor", "kubevirt.io:edit")
	bind("viewer", "kubevirt.io:view")
	kvtVM(t, s, "a", "Halted")
	do := func(u *kbUser, method, path string) (int, string) {
		r := httptest.NewRequest(method, "https://lab/apis/subresources.kubevirt.io/v1/namespaces/ns/"+path, nil)
		w := httptest.NewRecorder()
		k.serveKubeVirtSub(w, r, u)
		var st Obj
		json.Unmarshal(w.Body.Bytes(), &st)
		return w.Code, fkStr(st, "message")
	}
	viewer, editor := kbSAUser("ns", "viewer"), kbSAUser("ns", "editor")
	if code, msg := do(viewer, "GET", "virtualmachineinstances/a/portforward/22"); code != 403 ||
		msg != `virtualmachineinstances.subresources.kubevirt.io "a" is forbidden: User "system:serviceaccount:ns:viewer" cannot get resource "virtualmachineinstances/portforward" in API group "subresources.kubevirt.io" in the namespace "ns"` {
		t.Errorf("viewer portforward: %d %q", code, msg)
	}
	if code, _ := do(viewer, "PUT", "virtualmachines/a/start"); code != 403 {
		t.Errorf("viewer start: %d", code)
	}
	if code, msg := do(editor, "PUT", "virtualmachines/a/start"); code != 202 {
		t.Errorf("editor start: %d %q", code, msg)
	}
	if code, msg := do(editor, "GET", "virtualmachineinstances/none/portforward/22"); code != 404 {
		t.Errorf("editor portforward of a missing VMI: %d %q", code, msg)
	}
	if code, _ := do(&kbUser{Name: "viewer", Groups: []string{"system:authenticated"}}, "GET", "virtualmachineinstances/a/portforward/22"); code != 403 {
		t.Errorf("the read-only viewer token: %d", code)
	}
	// the VM's deletion takes its VMI (ownerReference)
	kvtWait(t, s, "a", "created", func(o Obj, err error) bool { return err == nil })
	if err := s.Delete(kvVMs, "ns", "a"); err != nil {
		t.Fatal(err)
	}
	kvtWait(t, s, "a", "garbage-collected", func(o Obj, err error) bool { return IsStatus(err, 404) })
}
