package main

// Request-level layer in front of the simulator's /sdk handler: counts,
// fault injection, session idle expiry, and the corrections of vsphere_fix.go.

import (
	"bytes"
	"fmt"
	"io/ioutil"
	"net/http"
	"net/http/httptest"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
	"github.com/vmware/govmomi/vim25/xml"
)

// faultRule is one fault-injection entry for a SOAP method.
type faultRule struct {
	Method  string `json:"method"`
	Count   int    `json:"count"`
	Kind    string `json:"kind"` // fault | taskerror | notauthenticated | delay | drop
	DelayMS int    `json:"delay_ms"`
	Message string `json:"message"`
}

const sessionCookie = "vmware_soap_session"

var methodRe = regexp.MustCompile(`<(?:[A-Za-z0-9_]+:)?Body[^>]*>\s*<(?:[A-Za-z0-9_]+:)?([A-Za-z0-9_]+)`)

// soapMethodName finds the method element name in a request body.
func soapMethodName(body []byte) string {
	if m := methodRe.FindSubmatch(body); m != nil {
		return string(m[1])
	}
	return ""
}

const envHead = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>`
const envTail = `</soapenv:Body></soapenv:Envelope>`

func xmlEsc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// writeFault writes a SOAP fault (HTTP 500) the way the simulator does.
func writeFault(w http.ResponseWriter, msg string, fault types.BaseMethodFault) {
	var detail bytes.Buffer
	kind := fmt.Sprintf("%T", fault)
	kind = kind[strings.LastIndex(kind, ".")+1:]
	enc := xml.NewEncoder(&detail)
	start := xml.StartElement{
		Name: xml.Name{Local: kind + "Fault"},
		Attr: []xml.Attr{{Name: xml.Name{Local: "xmlns"}, Value: "urn:vim25"}, {Name: xml.Name{Local: "xsi:type"}, Value: kind}},
	}
	_ = enc.EncodeElement(fault, start)
	_ = enc.Flush()
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintf(w, "%s<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>%s</faultstring><detail>%s</detail></soapenv:Fault>%s",
		envHead, xmlEsc(msg), detail.String(), envTail)
}

// writeTaskReturn answers a *_Task call with a task MoRef.
func writeTaskReturn(w http.ResponseWriter, method string, task types.ManagedObjectReference) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, `%s<%sResponse xmlns="urn:vim25"><returnval type="Task">%s</returnval></%sResponse>%s`,
		envHead, method, xmlEsc(task.Value), method, envTail)
}

// failTask creates a task on obj that ends in error with fault.
func failTask(obj types.ManagedObjectReference, method string, fault types.BaseMethodFault) types.ManagedObjectReference {
	ref := simulator.Map.Get(obj)
	id := strings.TrimSuffix(method, "_Task")
	t := simulator.CreateTask(ref, id, func(*simulator.Task) (types.AnyType, types.BaseMethodFault) {
		return nil, fault
	})
	t.Info.Name = method
	return t.Run()
}

// fixTaskEntity: a task of a manager (FileManager, VirtualDiskManager) has
// the request's datacenter as its entity on vCenter; the simulator names the
// manager, which is no ManagedEntity, and pyVmomi cannot read such a task.
func fixTaskEntity(rec *httptest.ResponseRecorder, m *simulator.Method) {
	t := taskOf(rec)
	if t == nil || t.Info.Entity == nil {
		return
	}
	if _, ok := simulator.Map.Get(*t.Info.Entity).(mo.Entity); ok {
		return
	}
	var dc *types.ManagedObjectReference
	if f := reflect.ValueOf(m.Body).Elem().FieldByName("Datacenter"); f.IsValid() {
		if r, ok := f.Interface().(*types.ManagedObjectReference); ok && r != nil {
			dc = r
		}
	}
	simulator.Map.WithLock(t, func() {
		t.Info.Entity = dc
		t.Info.EntityName = ""
		if dc != nil {
			if e, ok := simulator.Map.Get(*dc).(mo.Entity); ok {
				t.Info.EntityName = e.Entity().Name
			}
		}
	})
}

// fixTaskName: vCenter reports the SOAP method name ("CloneVM_Task") in
// TaskInfo.name; the simulator reports "CloneVm", which clients such as
// pyVmomi cannot resolve to a method.
func fixTaskName(rec *httptest.ResponseRecorder, method string) {
	if !strings.HasSuffix(method, "_Task") {
		return
	}
	if t := taskOf(rec); t != nil {
		simulator.Map.WithLock(t, func() {
			t.Info.Name = method
			// vCenter reports the entity's name, the simulator its MoID
			if t.Info.Entity != nil {
				if e, ok := simulator.Map.Get(*t.Info.Entity).(mo.Entity); ok {
					t.Info.EntityName = e.Entity().Name
				}
			}
		})
	}
}

// encodeRequest re-encodes a (modified) request for the simulator.
func encodeRequest(req interface{}) ([]byte, error) {
	env := soap.Envelope{Body: req}
	b, err := xml.Marshal(env)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), b...), nil
}

// passThrough hands a body to the simulator and returns the recorded reply.
func (v *vsphere) passThrough(r *http.Request, body []byte) *httptest.ResponseRecorder {
	r2 := r.Clone(r.Context())
	r2.Body = ioutil.NopCloser(bytes.NewReader(body))
	r2.ContentLength = int64(len(body))
	rec := httptest.NewRecorder()
	func() {
		defer func() {
			if p := recover(); p != nil {
				v.l.Logf("vsphere: simulator panic: %v", p)
				rec = httptest.NewRecorder()
				writeFault(rec, fmt.Sprintf("internal error: %v", p), &types.SystemError{Reason: "simulator error"})
			}
		}()
		v.inner.ServeHTTP(rec, r2)
	}()
	fixTaskName(rec, soapMethodName(body))
	return rec
}

func copyReply(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, vals := range rec.Header() {
		for _, val := range vals {
			w.Header().Add(k, val)
		}
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

var taskRe = regexp.MustCompile(`<returnval type="Task">([^<]+)</returnval>`)

// taskOf returns the simulator task of a *_Task reply (nil if none).
func taskOf(rec *httptest.ResponseRecorder) *simulator.Task {
	m := taskRe.FindSubmatch(rec.Body.Bytes())
	if m == nil {
		return nil
	}
	t, _ := simulator.Map.Get(types.ManagedObjectReference{Type: "Task", Value: string(m[1])}).(*simulator.Task)
	return t
}

func (v *vsphere) takeFault(method string) *faultRule {
	v.ctl.Lock()
	defer v.ctl.Unlock()
	v.counts[method]++
	rules := v.faults[method]
	if len(rules) == 0 {
		rules = v.faults["*"]
		method = "*"
	}
	if len(rules) == 0 {
		return nil
	}
	r := rules[0]
	rules[0].Count--
	if rules[0].Count <= 0 {
		rules = rules[1:]
	}
	v.faults[method] = rules
	return &r
}

// sessionGate implements the session idle timeout: a cookie idle for longer
// than the timeout is dropped from the request, so the simulator sees no
// session (NotAuthenticated, and Login works again).
func (v *vsphere) sessionGate(r *http.Request) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return
	}
	v.ctl.Lock()
	defer v.ctl.Unlock()
	now := time.Now()
	last, ok := v.seen[c.Value]
	if v.dead[c.Value] || (v.idle > 0 && ok && now.Sub(last) > v.idle) {
		v.dead[c.Value] = true
		delete(v.seen, c.Value)
		var keep []string
		for _, ck := range r.Cookies() {
			if ck.Name != sessionCookie {
				keep = append(keep, ck.Name+"="+ck.Value)
			}
		}
		r.Header.Del("Cookie")
		if len(keep) > 0 {
			r.Header.Set("Cookie", strings.Join(keep, "; "))
		}
		return
	}
	v.seen[c.Value] = now
}

func (v *vsphere) noteCookies(rec *httptest.ResponseRecorder) {
	resp := http.Response{Header: rec.Header()}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			v.ctl.Lock()
			v.seen[c.Value] = time.Now()
			v.ctl.Unlock()
		}
	}
}

func (v *vsphere) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/guestFile" {
		v.serveGuestFile(w, r) // Guest Operations file transfers
		return
	}
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/sdk") {
		v.inner.ServeHTTP(w, r)
		return
	}
	body, err := ioutil.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	name := soapMethodName(body)
	if rule := v.takeFault(name); rule != nil {
		v.l.Logf("vsphere: injecting %s into %s", rule.Kind, name)
		switch rule.Kind {
		case "delay":
			time.Sleep(time.Duration(rule.DelayMS) * time.Millisecond)
		case "drop":
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		case "taskerror":
			if m, err := simulator.UnmarshalBody(typeFunc, body); err == nil && strings.HasSuffix(name, "_Task") && simulator.Map.Get(m.This) != nil {
				msg := rule.Message
				if msg == "" {
					msg = "injected task failure"
				}
				v.mu.Lock()
				ref := failTask(m.This, name, &types.SystemError{Reason: msg})
				v.mu.Unlock()
				writeTaskReturn(w, name, ref)
				return
			}
			writeFault(w, "taskerror needs a *_Task method on an existing object", &types.SystemError{Reason: "injected"})
			return
		case "notauthenticated":
			writeFault(w, "", &types.NotAuthenticated{NoPermission: types.NoPermission{
				Object: types.ManagedObjectReference{Type: "SessionManager", Value: "SessionManager"}, PrivilegeId: "System.View"}})
			return
		default:
			msg := rule.Message
			if msg == "" {
				msg = "injected fault"
			}
			writeFault(w, msg, &types.SystemError{RuntimeFault: types.RuntimeFault{}, Reason: msg})
			return
		}
	}
	v.sessionGate(r)

	switch name {
	case "WaitForUpdates", "WaitForUpdatesEx", "CheckForUpdates":
		// long polls must not block other calls
		rec := v.passThrough(r, body)
		copyReply(w, rec)
		return
	}

	v.mu.Lock()
	defer v.mu.Unlock()
	method, err := simulator.UnmarshalBody(typeFunc, body)
	if err != nil {
		rec := v.passThrough(r, body)
		copyReply(w, rec)
		return
	}
	rec := httptest.NewRecorder()
	v.fixFor(name)(rec, r, body, method)
	fixTaskEntity(rec, method)
	if mutating(name) {
		v.recomputeSpace()
	}
	v.ctl.Lock()
	d := v.taskDur[name]
	v.ctl.Unlock()
	if d > 0 {
		v.delayTask(taskOf(rec), d)
	}
	copyReply(w, rec)
}

// mutating reports whether a method can change disks or files.
func mutating(name string) bool {
	if strings.HasSuffix(name, "_Task") {
		return true
	}
	switch name {
	case "MakeDirectory", "DeleteDatastoreFile", "MarkAsTemplate", "MarkAsVirtualMachine", "ShutdownGuest", "DeleteFile":
		return true
	}
	return false
}

var typeFunc = types.TypeFunc()
