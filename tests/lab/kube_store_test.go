package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var kbtCM = GVR{"", "v1", "configmaps"}
var kbtPlans = GVR{"forklift.konveyor.io", "v1beta1", "plans"}
var kbtHooks = GVR{"forklift.konveyor.io", "v1beta1", "hooks"}

func kbtStore(t *testing.T) *Store {
	s := NewStore(t.Logf)
	t.Cleanup(s.Close)
	if err := kbSeed(s); err != nil {
		t.Fatal(err)
	}
	return s
}

func kbtCode(err error) int {
	if se, ok := err.(*StatusError); ok {
		return se.Code
	}
	return 0
}

func TestKubeStoreCRUD(t *testing.T) {
	s := kbtStore(t)
	o, err := s.Create(kbtCM, "default", Obj{"metadata": Obj{"name": "a", "labels": Obj{"x": "1"}}, "data": Obj{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	m := kbMeta(o)
	if kbStr(m, "uid") == "" || kbStr(m, "resourceVersion") == "" || kbStr(m, "creationTimestamp") == "" {
		t.Fatalf("missing server fields: %v", m)
	}
	if o["apiVersion"] != "v1" || o["kind"] != "ConfigMap" {
		t.Fatalf("type meta not filled: %v", o)
	}
	if _, err := s.Create(kbtCM, "default", Obj{"metadata": Obj{"name": "a"}}); kbtCode(err) != 409 || err.(*StatusError).Reason != "AlreadyExists" {
		t.Fatalf("want 409 AlreadyExists, got %v", err)
	}
	if _, err := s.Get(kbtCM, "default", "nope"); kbtCode(err) != 404 {
		t.Fatalf("want 404, got %v", err)
	}
	if _, err := s.Create(kbtCM, "missing-ns", Obj{"metadata": Obj{"name": "a"}}); kbtCode(err) != 404 {
		t.Fatalf("want 404 for a missing namespace, got %v", err)
	}
	o["data"] = Obj{"k": "w"}
	o2, err := s.Update(kbtCM, "default", o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(kbtCM, "default", o); kbtCode(err) != 409 {
		t.Fatalf("stale update: want 409, got %v", err)
	}
	// a no-op update changes nothing
	o3, err := s.Update(kbtCM, "default", o2)
	if err != nil || kbStr(kbMeta(o3), "resourceVersion") != kbStr(kbMeta(o2), "resourceVersion") {
		t.Fatalf("no-op update bumped the version: %v %v", err, o3)
	}
	// callers own their copies
	o3["data"].(map[string]interface{})["k"] = "mutated"
	g, _ := s.Get(kbtCM, "default", "a")
	if g["data"].(map[string]interface{})["k"] != "w" {
		t.Fatal("store shares memory with callers")
	}
	l, err := s.List(kbtCM, "", "x in (1,2)")
	if err != nil || len(l) != 1 {
		t.Fatalf("list: %v %v", l, err)
	}
	if _, err := s.List(kbtCM, "", "x in (1"); kbtCode(err) != 400 {
		t.Fatalf("bad selector: want 400, got %v", err)
	}
}

func TestKubeStoreStatusGeneration(t *testing.T) {
	s := kbtStore(t)
	h, err := s.Create(kbtHooks, "default", Obj{"metadata": Obj{"name": "h"}, "spec": Obj{"image": "a"}, "status": Obj{"x": 1}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := h["status"]; ok {
		t.Fatal("status kept on create of a CR with a status subresource")
	}
	h, err = s.Mutate(kbtHooks, "default", "h", func(o Obj) error {
		o["status"] = Obj{"observedGeneration": 1}
		return nil
	}, true)
	if err != nil || kbMeta(h)["generation"] != float64(1) {
		t.Fatalf("status update: %v %v", err, h)
	}
	h, err = s.Mutate(kbtHooks, "default", "h", func(o Obj) error {
		o["spec"] = Obj{"image": "b"}
		o["status"] = Obj{"ignored": true}
		return nil
	}, false)
	if err != nil || kbMeta(h)["generation"] != float64(2) {
		t.Fatalf("spec update: %v %v", err, h)
	}
	if st := h["status"].(map[string]interface{}); st["observedGeneration"] != float64(1) || st["ignored"] != nil {
		t.Fatalf("main update touched status: %v", st)
	}
}

func TestKubeStoreValidation(t *testing.T) {
	s := kbtStore(t)
	_, err := s.Create(kbtPlans, "default", Obj{"metadata": Obj{"name": "p"},
		"spec": Obj{"type": "hot", "vms": []interface{}{Obj{"id": "vm-1", "targetPowerState": "up"}}}})
	se, ok := err.(*StatusError)
	if !ok || se.Code != 422 || se.Reason != "Invalid" {
		t.Fatalf("want 422, got %v", err)
	}
	var fields []string
	for _, c := range se.Causes {
		fields = append(fields, c["field"].(string))
	}
	// required fields in the order of the CRD's required list (sorted, as controller-gen writes it)
	want := "spec.map spec.provider spec.targetNamespace spec.type spec.vms[0].targetPowerState"
	if strings.Join(fields, " ") != want {
		t.Fatalf("causes %v, want %s", fields, want)
	}
	if !strings.HasPrefix(se.Message, `Plan.forklift.konveyor.io "p" is invalid: [`) {
		t.Fatalf("message %q", se.Message)
	}
}

func TestKubeStoreAdmissionAndWatch(t *testing.T) {
	s := kbtStore(t)
	s.AddAdmission(func(op string, gvr GVR, obj, old Obj) *StatusError {
		if gvr == kbtCM && kbStr(kbMeta(obj), "name") == "denied" {
			return &StatusError{Code: 400, Reason: "BadRequest", Message: "admission webhook denied the request"}
		}
		return nil
	})
	var mu sync.Mutex
	var seen []string
	done := make(chan struct{})
	s.Watch(func(typ string, gvr GVR, obj Obj) {
		if gvr != kbtCM {
			return
		}
		// callbacks may call back into the store
		s.List(kbtCM, "", "")
		mu.Lock()
		seen = append(seen, typ+" "+kbStr(kbMeta(obj), "name"))
		if len(seen) == 3 {
			close(done)
		}
		mu.Unlock()
	})
	if _, err := s.Create(kbtCM, "default", Obj{"metadata": Obj{"name": "denied"}}); kbtCode(err) != 400 {
		t.Fatalf("admission: want 400, got %v", err)
	}
	s.Create(kbtCM, "default", Obj{"metadata": Obj{"name": "w"}})
	s.Mutate(kbtCM, "default", "w", func(o Obj) error { o["data"] = Obj{"a": "b"}; return nil }, false)
	s.Delete(kbtCM, "default", "w")
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("watch callbacks not delivered")
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(seen, ",") != "ADDED w,MODIFIED w,DELETED w" {
		t.Fatalf("events %v", seen)
	}
}

func kbtWaitGone(t *testing.T, s *Store, gvr GVR, ns, name string) {
	t.Helper()
	for i := 0; i < 200; i++ {
		if _, err := s.Get(gvr, ns, name); kbtCode(err) == 404 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s/%s not garbage-collected", ns, name)
}

func TestKubeStoreGCAndFinalizers(t *testing.T) {
	s := kbtStore(t)
	p, _ := s.Create(kbtCM, "default", Obj{"metadata": Obj{"name": "parent"}})
	ref := Obj{"apiVersion": "v1", "kind": "ConfigMap", "name": "parent", "uid": kbStr(kbMeta(p), "uid")}
	s.Create(kbtCM, "default", Obj{"metadata": Obj{"name": "child", "ownerReferences": []interface{}{ref}}})
	s.Create(kbtCM, "default", Obj{"metadata": Obj{"name": "held", "finalizers": []interface{}{"lab/keep"}}})
	if err := s.Delete(kbtCM, "default", "parent"); err != nil {
		t.Fatal(err)
	}
	kbtWaitGone(t, s, kbtCM, "default", "child")
	if err := s.Delete(kbtCM, "default", "held"); err != nil {
		t.Fatal(err)
	}
	h, err := s.Get(kbtCM, "default", "held")
	if err != nil || kbStr(kbMeta(h), "deletionTimestamp") == "" {
		t.Fatalf("object with finalizers must stay with a deletionTimestamp: %v %v", err, h)
	}
	s.Mutate(kbtCM, "default", "held", func(o Obj) error { delete(kbMeta(o), "finalizers"); return nil }, false)
	kbtWaitGone(t, s, kbtCM, "default", "held")
}

func TestKubeStoreWatchWindow(t *testing.T) {
	s := kbtStore(t)
	rv, _ := s.current()
	s.SetWindow(3)
	for _, n := range []string{"a", "b", "c", "d", "e"} {
		s.Create(kbtCM, "default", Obj{"metadata": Obj{"name": n}})
	}
	if _, _, gone := s.since(rv); !gone {
		t.Fatal("old version must be gone")
	}
	cur, _ := s.current()
	if evs, _, gone := s.since(cur - 2); gone || len(evs) != 2 {
		t.Fatalf("recent version: gone=%v events=%d", gone, len(evs))
	}
}

func TestKubeStoreEventsAndLogs(t *testing.T) {
	s := kbtStore(t)
	p, _ := s.Create(kbtHooks, "default", Obj{"metadata": Obj{"name": "h"}, "spec": Obj{}})
	s.Event("", p, "Warning", "HookNotValid", "bad hook")
	s.Event("", p, "Warning", "HookNotValid", "bad hook")
	evs, _, err := s.list(kbGVREvents, "default", "", "involvedObject.name=h,involvedObject.kind=Hook,reason=HookNotValid")
	if err != nil || len(evs) != 1 || evs[0]["count"] != float64(2) {
		t.Fatalf("events %v %v", evs, err)
	}
	s.Create(kbGVRPods, "default", Obj{"metadata": Obj{"name": "pod"}, "spec": Obj{"containers": []interface{}{Obj{"name": "c"}}}})
	s.SetPodLog("default", "pod", "xcopyUsed=1\n")
	if l, _ := s.podLog("default", "pod"); l != "xcopyUsed=1\n" {
		t.Fatalf("log %q", l)
	}
	s.Delete(kbGVRPods, "default", "pod")
	if l, _ := s.podLog("default", "pod"); l != "" {
		t.Fatal("log kept after pod deletion")
	}
}

func TestKubePatch(t *testing.T) {
	doc := Obj{"a": Obj{"b": 1.0, "c": []interface{}{1.0, 2.0}}, "d": "x"}
	m := kbMergePatch(doc, map[string]interface{}{"a": map[string]interface{}{"b": nil, "e": true}, "d": "y"}).(map[string]interface{})
	if _, ok := m["a"].(map[string]interface{})["b"]; ok || m["d"] != "y" || doc["d"] != "x" {
		t.Fatalf("merge patch: %v (doc %v)", m, doc)
	}
	j, err := kbJSONPatch(doc, []interface{}{
		map[string]interface{}{"op": "add", "path": "/a/c/-", "value": 3.0},
		map[string]interface{}{"op": "add", "path": "/a/c/0", "value": 0.0},
		map[string]interface{}{"op": "move", "from": "/d", "path": "/f"},
		map[string]interface{}{"op": "test", "path": "/f", "value": "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := j["a"].(map[string]interface{})["c"].([]interface{}); len(c) != 4 || c[0] != 0.0 || c[3] != 3.0 {
		t.Fatalf("json patch array: %v", c)
	}
	if _, err := kbJSONPatch(doc, []interface{}{map[string]interface{}{"op": "test", "path": "/d", "value": "no"}}); err == nil {
		t.Fatal("failed test op accepted")
	}
}

func TestKubeTokenName(t *testing.T) {
	// sha256("abc") in base64url without padding
	if n := kbTokenName("sha256~abc"); n != "sha256~ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0" {
		t.Fatalf("token name %s", n)
	}
}

func kbtServer(t *testing.T) (*Store, *httptest.Server) {
	s := kbtStore(t)
	k := &kbServer{l: &Lab{Logf: t.Logf}, s: s, done: make(chan struct{}), admin: "adm", view: "view",
		user: "kubeadmin", pass: "pw", oauth: map[string]*kbToken{}, counts: map[string]int{}, bookmarkMS: 10000}
	ts := httptest.NewServer(k)
	k.url = ts.URL
	t.Cleanup(func() { close(k.done); ts.Close() })
	return s, ts
}

func TestKubePodLogFollow(t *testing.T) {
	s, ts := kbtServer(t)
	s.Create(kbGVRPods, "default", Obj{"metadata": Obj{"name": "populate-1"}, "spec": Obj{"containers": []interface{}{Obj{"name": "populate"}}}})
	s.SetPodLog("default", "populate-1", "start\n")
	req, _ := http.NewRequest("GET", ts.URL+"/api/v1/namespaces/default/pods/populate-1/log?follow=true&container=populate", nil)
	req.Header.Set("Authorization", "Bearer adm")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(resp.Body)
		got <- string(b)
	}()
	s.SetPodLog("default", "populate-1", "start\nxcopyUsed=1\n")
	s.Mutate(kbGVRPods, "default", "populate-1", func(o Obj) error {
		o["status"] = Obj{"phase": "Succeeded"}
		return nil
	}, true)
	select {
	case text := <-got:
		if text != "start\nxcopyUsed=1\n" {
			t.Fatalf("log %q", text)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("follow did not end when the pod succeeded")
	}
}

func TestKubeHTTPErrors(t *testing.T) {
	_, ts := kbtServer(t)
	do := func(method, path, tok, ct, body string) (int, string) {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct {
		method, path, tok, ct, body string
		code                        int
		text                        string
	}{
		{"GET", "/api/v1/namespaces", "bad", "", "", 401, `"reason":"Unauthorized"`},
		{"GET", "/api/v1/namespaces", "", "", "", 403, `system:anonymous`},
		{"GET", "/apis", "", "", "", 200, `forklift.konveyor.io`},
		{"POST", "/api/v1/namespaces/default/configmaps", "view", "application/json", `{"metadata":{"name":"x"}}`, 403, `cannot create resource \"configmaps\"`},
		{"GET", "/apis/forklift.konveyor.io/v1beta1/namespaces/default/plans/none", "adm", "", "", 404, `plans.forklift.konveyor.io \"none\" not found`},
		{"GET", "/apis/forklift.konveyor.io/v1beta1/namespaces/default/nothing", "adm", "", "", 404, `NotFound`},
		{"PATCH", "/apis/forklift.konveyor.io/v1beta1/namespaces/openshift-mtv/forkliftcontrollers/forklift-controller", "adm",
			"application/strategic-merge-patch+json", `{}`, 415, `UnsupportedMediaType`},
		{"PATCH", "/apis/forklift.konveyor.io/v1beta1/namespaces/openshift-mtv/forkliftcontrollers/forklift-controller", "adm",
			"application/merge-patch+json", `{"spec":{"controller_retain_populator_pods":"true"}}`, 200, `"generation":2`},
		{"GET", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=abc", "adm", "", "", 400, `invalid resource version`},
		{"PUT", "/apis/forklift.konveyor.io/v1beta1/namespaces/openshift-mtv/forkliftcontrollers/forklift-controller", "adm",
			"application/json", `{"metadata":{"name":"forklift-controller"},"spec":{}}`, 422, `must be specified for an update`},
		{"POST", "/api/v1/namespaces/default/configmaps", "adm", "application/json", `{"metadata":{"name":"rv","resourceVersion":"5"}}`, 500, `resourceVersion should not be set`},
		{"PUT", "/api/v1/namespaces/default", "adm", "application/json", `{"metadata":{"name":"default","labels":{"a":"b"}}}`, 200, `"a":"b"`},
		{"GET", "/api/v1/namespaces/default/configmaps?fieldSelector=data.x%3Dy", "adm", "", "", 400, `field label not supported`},
		{"GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/plans.forklift.konveyor.io", "adm", "", "", 200, `"Established"`},
		{"DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/plans.forklift.konveyor.io", "adm", "", "", 405, `MethodNotAllowed`},
	} {
		code, body := do(c.method, c.path, c.tok, c.ct, c.body)
		if code != c.code || !strings.Contains(body, c.text) {
			t.Errorf("%s %s: %d %s; want %d with %s", c.method, c.path, code, body, c.code, c.text)
		}
	}
}

// A watch with bookmarks gets one about 2 s before its timeoutSeconds ends,
// as the API server's watch cache sends it (cacher.go nextBookmarkTime),
// even when the periodic bookmark is far away; without
// allowWatchBookmarks, none.
func TestKubeWatchBookmarkBeforeTimeout(t *testing.T) {
	s, ts := kbtServer(t)
	s.Create(kbtCM, "default", Obj{"metadata": Obj{"name": "a"}})
	for _, allow := range []bool{true, false} {
		u := ts.URL + "/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=3&allowWatchBookmarks=" + strconv.FormatBool(allow)
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Authorization", "Bearer adm")
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if d := time.Since(start); d < 2500*time.Millisecond || d > 5*time.Second {
			t.Fatalf("watch ended after %v, want about 3 s", d)
		}
		n := strings.Count(string(b), `"type":"BOOKMARK"`)
		if allow && n != 1 || !allow && n != 0 {
			t.Fatalf("allowWatchBookmarks=%v: %d bookmarks in %s", allow, n, b)
		}
		if !strings.Contains(string(b), `"type":"ADDED"`) {
			t.Fatalf("no initial ADDED event: %s", b)
		}
	}
}
