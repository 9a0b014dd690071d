package main

// KubeVirt's subresource API (virt-api, group subresources.kubevirt.io) on
// the lab's API server, with the same authentication and RBAC as every
// other request (the real kube-apiserver proxies the aggregated API after
// authorizing it; attributes: verb get/update, group
// subresources.kubevirt.io, resource virtualmachineinstances or
// virtualmachines, subresource portforward/start/stop):
//
//   GET .../namespaces/NS/virtualmachineinstances/NAME/portforward/PORT[/tcp|udp]
//   GET .../namespaces/NS/virtualmachines/NAME/portforward/PORT[/tcp|udp]
//   PUT .../namespaces/NS/virtualmachines/NAME/start | stop   -> 202
//
// Port-forward (kubevirt v1.6.0 pkg/virt-api/rest/portforward.go,
// streamer.go, dialers.go netDial): virt-api first fetches the VMI
// (404 when missing; for the VM route 409 "VMI is not started" when the VM
// has no VMI), then dials interfaces[0].ipAddress:PORT itself (400 "no
// network interfaces are present" before the domain runs, 500 "dialing VM:
// ..." when nothing listens), and only then upgrades the request to a
// WebSocket with subprotocol "plain.kubevirt.io"
// (staging/src/kubevirt.io/client-go/subresources/constants.go
// PlainStreamProtocolName). The TCP stream travels as binary messages in
// both directions (client-go kubevirt/typed/core/v1/websocket.go
// binaryReader/binaryWriter: other message types are skipped, a close
// frame is EOF); the server pings the client every second
// (keepAliveClientStream). virtctl port-forward (pkg/virtctl/portforward)
// opens one such WebSocket per accepted local connection.
//
// In the lab the "pod IP" is a name: port 22 of a booted guest is the
// guest's SSH server (guest_sshd.go), served on one end of an in-memory
// pipe per stream; any other port, or a guest still booting, refuses.

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

const (
	kvSubGroup            = "subresources.kubevirt.io"
	kvPlainStreamProtocol = "plain.kubevirt.io"
	kvWSBufferSize        = 10240 // WebsocketMessageBufferSize
)

// kvGuestSSH serves the guest SSH server of VMI ns/name on c (set by
// guest_sshd.go); nil: port 22 refuses like any other.
var kvGuestSSH func(l *Lab, vmi Obj, c net.Conn)

// kvConflict is errors.NewConflict(v1.Resource(kind), name, err).
func kvConflict(kind, name, msg string) *StatusError {
	return &StatusError{Code: 409, Reason: "Conflict",
		Message: fmt.Sprintf("Operation cannot be fulfilled on %s.kubevirt.io %q: %s", kind, name, msg),
		Details: map[string]interface{}{"name": name, "group": "kubevirt.io", "kind": kind}}
}

func kvNotFound(kind, name string) *StatusError {
	return &StatusError{Code: 404, Reason: "NotFound",
		Message: fmt.Sprintf("%s.kubevirt.io %q not found", kind, name),
		Details: map[string]interface{}{"name": name, "group": "kubevirt.io", "kind": kind}}
}

func kvBadRequest(msg string) *StatusError {
	return &StatusError{Code: 400, Reason: "BadRequest", Message: msg}
}

func kvInternal(msg string) *StatusError {
	return &StatusError{Code: 500, Reason: "InternalError",
		Message: "Internal error occurred: " + msg,
		Details: map[string]interface{}{"causes": []interface{}{Obj{"message": msg}}}}
}

// serveKubeVirtSub answers /apis/subresources.kubevirt.io/v1/...; true
// when the path was one.
func (k *kbServer) serveKubeVirtSub(w http.ResponseWriter, r *http.Request, u *kbUser) bool {
	const prefix = "/apis/" + kvSubGroup + "/v1/namespaces/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		return false
	}
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, prefix), "/")
	if len(parts) < 4 || parts[0] == "" || parts[2] == "" {
		kbWriteErr(w, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"})
		return true
	}
	ns, res, name, sub := parts[0], parts[1], parts[2], parts[3]
	a := &kbAttrs{group: kvSubGroup, resource: res, sub: sub, ns: ns, name: name}
	switch r.Method {
	case "GET":
		a.verb = "get"
	case "PUT":
		a.verb = "update"
	default:
		kbWriteErr(w, &StatusError{Code: 405, Reason: "MethodNotAllowed", Message: "the server does not allow this method on the requested resource"})
		return true
	}
	k.count(a.verb + " " + res + "/" + sub)
	if !u.Admin {
		if ok, _ := k.rbacAllows(u, a); !ok || !u.RBAC {
			k.l.Logf("kube: rbac: denied %s %s/%s %s/%s to %s", a.verb, res, sub, ns, name, u.Name)
			kbWriteErr(w, kbForbidden(u, a))
			return true
		}
	}
	kv := kvFor(k.s)
	if kv == nil {
		kbWriteErr(w, &StatusError{Code: 503, Reason: "ServiceUnavailable", Message: "the server is currently unable to handle the request"})
		return true
	}
	switch {
	case sub == "portforward" && r.Method == "GET" && (res == "virtualmachineinstances" || res == "virtualmachines") &&
		(len(parts) == 5 || len(parts) == 6):
		proto := "tcp"
		if len(parts) == 6 {
			proto = parts[5]
		}
		kv.servePortForward(w, r, ns, name, res == "virtualmachines", parts[4], proto)
	case res == "virtualmachines" && r.Method == "PUT" && len(parts) == 4 && (sub == "start" || sub == "stop"):
		var err *StatusError
		if sub == "start" {
			err = kv.startVM(ns, name)
		} else {
			err = kv.stopVM(ns, name)
		}
		if err != nil {
			kbWriteErr(w, err)
			return true
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		kbWriteErr(w, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"})
	}
	return true
}

// vmiFinal: Succeeded or Failed (vmi.IsFinal).
func kvVMIFinal(vmi Obj) bool {
	p := fkStr(vmi, "status", "phase")
	return p == "Succeeded" || p == "Failed"
}

// startVM is StartVMRequestHandler (lifecycle.go).
func (kv *kvKubeVirt) startVM(ns, name string) *StatusError {
	vm, err := kv.s.Get(kvVMs, ns, name)
	if err != nil {
		return kvNotFound("virtualmachine", name)
	}
	if vmi, err := kv.s.Get(kvVMIs, ns, name); err == nil && !kvVMIFinal(vmi) && fkStr(vmi, "status", "phase") != "Unknown" {
		return kvConflict("virtualmachine", name, "VM is already running")
	}
	_, rs := kvWantsRun(vm)
	switch rs {
	case "Halted":
		if err := kv.setRunning(ns, name, true); err != nil {
			return kvInternal(err.Error())
		}
	case "Manual", "RerunOnFailure":
		if _, err := kv.createVMI(vm); err != nil {
			return kvInternal(err.Error())
		}
		kv.Reconcile(ns, name)
	default:
		return kvConflict("virtualmachine", name, rs+" does not support manual start requests")
	}
	return nil
}

// stopVM is StopVMRequestHandler (lifecycle.go), without grace periods.
func (kv *kvKubeVirt) stopVM(ns, name string) *StatusError {
	vm, err := kv.s.Get(kvVMs, ns, name)
	if err != nil {
		return kvNotFound("virtualmachine", name)
	}
	vmi, err := kv.s.Get(kvVMIs, ns, name)
	has := err == nil && !kvVMIFinal(vmi)
	_, rs := kvWantsRun(vm)
	switch rs {
	case "Halted":
		if !has {
			return kvConflict("virtualmachine", name, "VM is not running")
		}
		return kvConflict("virtualmachine", name, "Halted only supports manual stop requests with a shorter graceperiod")
	case "Manual", "RerunOnFailure":
		if !has {
			return kvConflict("virtualmachine", name, "VM is not running")
		}
		_ = kv.s.Delete(kvVMIs, ns, name)
	default:
		if err := kv.setRunning(ns, name, false); err != nil {
			return kvInternal(err.Error())
		}
	}
	return nil
}

// setRunning is getRunningPatch: spec.runStrategy Always/Halted when the VM
// has one, else spec.running.
func (kv *kvKubeVirt) setRunning(ns, name string, run bool) error {
	_, err := kv.s.Mutate(kvVMs, ns, name, func(o Obj) error {
		spec := fkMap(o, "spec")
		if _, ok := spec["runStrategy"]; ok || spec["running"] == nil {
			rs := "Halted"
			if run {
				rs = "Always"
			}
			spec["runStrategy"] = rs
			delete(spec, "running")
		} else {
			spec["running"] = run
		}
		return nil
	}, false)
	if err == nil {
		kv.Reconcile(ns, name)
	}
	return err
}

// dial is netDial.DialUnderlying: interfaces[0]'s IP, PORT, protocol.
func (kv *kvKubeVirt) dial(vmi Obj, port, proto string) (net.Conn, *StatusError) {
	ifs := fkSlice(vmi, "status", "interfaces")
	if len(ifs) < 1 {
		return nil, kvBadRequest("no network interfaces are present")
	}
	first, _ := ifs[0].(map[string]interface{})
	ip := fkStr(first, "ipAddress")
	if port == "" {
		return nil, kvBadRequest("port must not be empty")
	}
	addr := net.JoinHostPort(ip, port)
	if proto != "tcp" && proto != "udp" {
		return nil, kvInternal(fmt.Sprintf("dialing VM: dial %s %s: unknown network %s", proto, addr, proto))
	}
	refused := kvInternal(fmt.Sprintf("dialing VM: dial %s %s: connect: connection refused", proto, addr))
	kv.mu.Lock()
	g := kv.guests[kbKey(fkNS(vmi), fkName(vmi))]
	up := g != nil && g.uid == fkUID(vmi) && g.up && ip == g.podIP
	kv.mu.Unlock()
	if proto == "udp" {
		// a UDP "dial" always succeeds; the lab's guests serve no UDP
		c, peer := net.Pipe()
		go io.Copy(io.Discard, peer)
		return c, nil
	}
	if _, err := strconv.Atoi(port); err != nil {
		return nil, kvInternal(fmt.Sprintf("dialing VM: dial tcp %s: lookup port %s: unknown port", addr, port))
	}
	if !up || port != "22" || kvGuestSSH == nil {
		return nil, refused
	}
	c, peer := net.Pipe()
	go kvGuestSSH(kv.l, vmi, peer)
	return c, nil
}

func (kv *kvKubeVirt) servePortForward(w http.ResponseWriter, r *http.Request, ns, name string, forVM bool, port, proto string) {
	if forVM {
		vm, err := kv.s.Get(kvVMs, ns, name)
		if err != nil {
			kbWriteErr(w, kvNotFound("virtualmachine", name))
			return
		}
		if c, _ := fkBool(vm, "status", "created"); !c {
			kbWriteErr(w, kvConflict("virtualmachine", name, "VMI is not started"))
			return
		}
	}
	vmi, err := kv.s.Get(kvVMIs, ns, name)
	if err != nil {
		kbWriteErr(w, kvNotFound("virtualmachineinstance", name))
		return
	}
	if fkConditionOf(vmi, "Paused") != nil && fkStr(fkConditionOf(vmi, "Paused"), "status") == "True" {
		kbWriteErr(w, kvConflict("virtualmachineinstance", name, "VMI is paused"))
		return
	}
	server, se := kv.dial(vmi, port, proto)
	if se != nil {
		kv.l.Logf("kubevirt: portforward %s/%s:%s/%s: %s", ns, name, port, proto, se.Message)
		kbWriteErr(w, se)
		return
	}
	up := &websocket.Upgrader{ReadBufferSize: kvWSBufferSize, WriteBufferSize: kvWSBufferSize,
		HandshakeTimeout: 10 * time.Second, CheckOrigin: func(*http.Request) bool { return true },
		Subprotocols: []string{kvPlainStreamProtocol},
		Error: func(w http.ResponseWriter, r *http.Request, status int, reason error) {
			kbWriteErr(w, kvBadRequest(reason.Error()))
		}}
	client, err := up.Upgrade(w, r, nil)
	if err != nil {
		server.Close()
		return
	}
	kv.l.Logf("kubevirt: portforward %s/%s:%s/%s opened", ns, name, port, proto)
	kvPump(client, server)
	kv.l.Logf("kubevirt: portforward %s/%s:%s/%s closed", ns, name, port, proto)
}

// kvPump is Streamer.Handle with the WebSocket streamer: binary messages
// to and from the server connection, a ping a second, both ends closed
// when either direction ends.
func kvPump(client *websocket.Conn, server net.Conn) {
	done := make(chan struct{})
	results := make(chan error, 2)
	go func() {
		_, err := io.Copy(server, &kvBinaryReader{conn: client})
		results <- err
	}()
	go func() {
		_, err := io.Copy(&kvBinaryWriter{conn: client}, server)
		results <- err
	}()
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if client.WriteControl(websocket.PingMessage, []byte("keep alive"), time.Now().Add(time.Minute)) != nil {
					return
				}
			}
		}
	}()
	<-results
	close(done)
	server.Close()
	client.Close()
	<-results
}

// kvBinaryWriter writes each chunk as one binary message (binaryWriter).
type kvBinaryWriter struct{ conn *websocket.Conn }

func (s *kvBinaryWriter) Write(p []byte) (int, error) {
	w, err := s.conn.NextWriter(websocket.BinaryMessage)
	if err != nil {
		return 0, kvConvert(err)
	}
	defer w.Close()
	return w.Write(p)
}

// kvBinaryReader reads the payload of binary messages, skips others, and
// ends at a close frame (binaryReader).
type kvBinaryReader struct {
	conn   *websocket.Conn
	reader io.Reader
}

func (s *kvBinaryReader) Read(p []byte) (int, error) {
	for {
		if s.reader == nil {
			typ, rd, err := s.conn.NextReader()
			if err != nil {
				return 0, kvConvert(err)
			}
			if typ != websocket.BinaryMessage {
				continue
			}
			s.reader = rd
		}
		n, err := s.reader.Read(p)
		if err == io.EOF {
			s.reader = nil
			if n == 0 {
				continue
			}
			return n, nil
		}
		return n, err
	}
}

func kvConvert(err error) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) && ce.Code == websocket.CloseNormalClosure {
		return io.EOF
	}
	return err
}
