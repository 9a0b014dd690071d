package main

// The object store behind the lab's Kubernetes API server. Every object is
// kept as a JSON-normalised map (numbers are float64); stored objects are
// never modified in place, callers always get deep copies.

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Obj is one Kubernetes object as decoded JSON.
type Obj = map[string]interface{}

// GVR names a resource; the core group is "".
type GVR struct{ Group, Version, Resource string }

func (g GVR) String() string {
	if g.Group == "" {
		return g.Resource
	}
	return g.Resource + "." + g.Group
}

// APIVersion is the apiVersion string of objects of this resource.
func (g GVR) APIVersion() string {
	if g.Group == "" {
		return g.Version
	}
	return g.Group + "/" + g.Version
}

// StatusError is a failed API call, rendered as a metav1.Status.
type StatusError struct {
	Code    int
	Reason  string
	Message string
	Causes  []map[string]interface{}
	Details map[string]interface{} // name, group, kind (filled by the store)
}

func (e *StatusError) Error() string { return e.Message }

// Status renders the error as the API server's Status object.
func (e *StatusError) Status() Obj {
	st := Obj{"kind": "Status", "apiVersion": "v1", "metadata": Obj{},
		"status": "Failure", "message": e.Message, "reason": e.Reason, "code": e.Code}
	d := Obj{}
	for k, v := range e.Details {
		d[k] = v
	}
	if len(e.Causes) > 0 {
		cs := []interface{}{}
		for _, c := range e.Causes {
			cs = append(cs, c)
		}
		d["causes"] = cs
	}
	if len(d) > 0 {
		st["details"] = d
	}
	return st
}

// IsStatus reports whether err is a *StatusError with the given code.
func IsStatus(err error, code int) bool {
	se, ok := err.(*StatusError)
	return ok && se.Code == code
}

func kbNotFound(ri *kbRes, name string) *StatusError {
	return &StatusError{Code: 404, Reason: "NotFound",
		Message: fmt.Sprintf("%s %q not found", ri.GVR.String(), name),
		Details: map[string]interface{}{"name": name, "group": ri.Group, "kind": ri.Resource}}
}

type kbEvent struct {
	RV   int64
	Type string
	GVR  GVR
	Obj  Obj
	Old  Obj // previous state for MODIFIED, nil otherwise
}

type kbAdmit func(op string, gvr GVR, obj, old Obj) *StatusError

// kbMode says how a write is processed: internal writes skip admission,
// API writes run it, dry runs run everything but store nothing.
type kbMode int

const (
	kbInternal kbMode = iota
	kbAdmitted
	kbDry
)

// Store holds every object of the lab's API server.
type Store struct {
	mu        sync.Mutex
	rv        int64
	data      map[GVR]map[string]Obj // key "ns/name" ("/name" when cluster-scoped)
	res       map[GVR]*kbRes
	resList   []*kbRes    // in discovery order
	rel       *MTVRelease // the MTV release whose CRDs the server has
	log       []kbEvent
	compacted int64 // highest resourceVersion no longer in log
	window    int
	changed   chan struct{} // closed and replaced on every change
	subs      []func(evType string, gvr GVR, obj Obj)
	queue     []kbEvent
	qcond     *sync.Cond
	admission []kbAdmit
	podLogs   map[string]string
	gcKick    chan struct{}
	closed    bool
	logf      func(format string, args ...interface{})
}

// NewStore returns an empty store knowing the lab's resources, with the
// CRDs of the default MTV release.
func NewStore(logf func(string, ...interface{})) *Store { return NewStoreFor(logf, nil) }

// NewStoreFor returns an empty store with the CRDs of MTV release rel.
func NewStoreFor(logf func(string, ...interface{}), rel *MTVRelease) *Store {
	s := &Store{data: map[GVR]map[string]Obj{}, res: map[GVR]*kbRes{}, rel: fkRelease(rel),
		window: 1000, changed: make(chan struct{}), podLogs: map[string]string{},
		gcKick: make(chan struct{}, 1), logf: logf}
	if s.logf == nil {
		s.logf = func(string, ...interface{}) {}
	}
	s.qcond = sync.NewCond(&s.mu)
	s.resList = kbResources(s.rel)
	for _, r := range s.resList {
		s.res[r.GVR] = r
		s.data[r.GVR] = map[string]Obj{}
	}
	go s.dispatch()
	go s.gcLoop()
	return s
}

// Close stops the store's goroutines.
func (s *Store) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.gcKick)
		close(s.changed)
		s.changed = make(chan struct{})
	}
	s.qcond.Broadcast()
	s.mu.Unlock()
}

// Resource returns the description of gvr or nil.
func (s *Store) resource(gvr GVR) *kbRes { return s.res[gvr] }

// SetWindow sets how many change events are kept for watch resumption.
func (s *Store) SetWindow(n int) {
	if n < 1 {
		n = 1
	}
	s.mu.Lock()
	s.window = n
	s.trim()
	s.mu.Unlock()
}

func (s *Store) trim() {
	if len(s.log) > s.window {
		drop := len(s.log) - s.window
		s.compacted = s.log[drop-1].RV
		for i := 0; i < drop; i++ {
			s.log[i] = kbEvent{} // let the objects go
		}
		s.log = s.log[drop:] // append reallocates (copying only the live part) when full
	}
}

// ---------------------------------------------------------------- helpers

func kbNow() string { return time.Now().UTC().Format(time.RFC3339) }

func kbUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

const kbNameChars = "bcdfghjklmnpqrstvwxz2456789"

func kbSuffix(n int) string {
	out := make([]byte, n)
	for i := range out {
		v, _ := rand.Int(rand.Reader, big.NewInt(int64(len(kbNameChars))))
		out[i] = kbNameChars[v.Int64()]
	}
	return string(out)
}

func kbNorm(o Obj) (Obj, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, err
	}
	var out Obj
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = Obj{}
	}
	return out, nil
}

func kbCopyVal(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, x := range t {
			m[k] = kbCopyVal(x)
		}
		return m
	case []interface{}:
		a := make([]interface{}, len(t))
		for i, x := range t {
			a[i] = kbCopyVal(x)
		}
		return a
	default:
		return v
	}
}

// kbCopy deep-copies an object.
func kbCopy(o Obj) Obj {
	if o == nil {
		return nil
	}
	return kbCopyVal(o).(map[string]interface{})
}

func kbMeta(o Obj) Obj {
	m, ok := o["metadata"].(map[string]interface{})
	if !ok {
		m = Obj{}
		o["metadata"] = m
	}
	return m
}

func kbStr(m Obj, k string) string {
	if m == nil {
		return ""
	}
	s, _ := m[k].(string)
	return s
}

func kbKey(ns, name string) string { return ns + "/" + name }

func kbRVOf(o Obj) int64 {
	n, _ := strconv.ParseInt(kbStr(kbMeta(o), "resourceVersion"), 10, 64)
	return n
}

// kbPath walks a dotted path (e.g. "spec.map") through nested maps.
func kbPath(o Obj, path string) (interface{}, bool) {
	var cur interface{} = o
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]interface{})
		if !ok {
			return nil, false
		}
		cur, ok = m[p]
		if !ok {
			return nil, false
		}
	}
	return cur, true
}

func kbStringMap(v interface{}) map[string]string {
	out := map[string]string{}
	if m, ok := v.(map[string]interface{}); ok {
		for k, x := range m {
			if s, ok := x.(string); ok {
				out[k] = s
			}
		}
	}
	return out
}

// commit records a change; caller holds s.mu and has already stored obj.
func (s *Store) commit(typ string, gvr GVR, obj, old Obj) {
	ev := kbEvent{RV: s.rv, Type: typ, GVR: gvr, Obj: obj, Old: old}
	s.log = append(s.log, ev)
	s.trim()
	if len(s.subs) > 0 {
		s.queue = append(s.queue, ev)
		s.qcond.Signal()
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Store) kickGC() {
	if s.closed {
		return
	}
	select {
	case s.gcKick <- struct{}{}:
	default:
	}
}

// ---------------------------------------------------------------- create

// Create stores a new object; fills uid, resourceVersion, creationTimestamp, generation.
func (s *Store) Create(gvr GVR, ns string, obj Obj) (Obj, error) {
	return s.create(gvr, ns, obj, kbAdmitted)
}

func (s *Store) create(gvr GVR, ns string, in Obj, mode kbMode) (Obj, error) {
	ri := s.res[gvr]
	if ri == nil {
		return nil, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"}
	}
	obj, err := kbNorm(in)
	if err != nil {
		return nil, &StatusError{Code: 400, Reason: "BadRequest", Message: err.Error()}
	}
	if err := kbTypeMeta(ri, obj); err != nil {
		return nil, err
	}
	meta := kbMeta(obj)
	if ri.Namespaced {
		ons := kbStr(meta, "namespace")
		if ns == "" {
			ns = ons
		}
		if ons != "" && ons != ns {
			return nil, &StatusError{Code: 400, Reason: "BadRequest",
				Message: "the namespace of the provided object does not match the namespace sent on the request"}
		}
		if ns == "" {
			ns = "default"
		}
		meta["namespace"] = ns
	} else {
		ns = ""
		delete(meta, "namespace")
	}
	for _, k := range []string{"uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "generation", "managedFields", "selfLink"} {
		delete(meta, k)
	}
	genName := kbStr(meta, "name") == "" && kbStr(meta, "generateName") != ""
	if genName {
		meta["name"] = kbStr(meta, "generateName") + kbSuffix(5)
	}
	if ri.CRD && ri.Status {
		delete(obj, "status")
	}
	kbPrepare(ri, obj, nil)
	if se := kbValidate(ri, obj, nil); se != nil {
		return nil, se
	}
	if mode >= kbAdmitted {
		if se := s.runAdmission("CREATE", gvr, obj, nil); se != nil {
			return nil, se
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, &StatusError{Code: 503, Reason: "ServiceUnavailable", Message: "the server is shutting down"}
	}
	if ri.Namespaced {
		nso := s.data[kbGVRNamespaces][kbKey("", ns)]
		if nso == nil {
			return nil, &StatusError{Code: 404, Reason: "NotFound",
				Message: fmt.Sprintf("namespaces %q not found", ns),
				Details: map[string]interface{}{"name": ns, "kind": "namespaces"}}
		}
		if kbStr(kbMeta(nso), "deletionTimestamp") != "" {
			return nil, &StatusError{Code: 403, Reason: "Forbidden",
				Message: fmt.Sprintf("%s %q is forbidden: unable to create new content in namespace %s because it is being terminated",
					gvr.String(), kbStr(meta, "name"), ns)}
		}
	}
	name := kbStr(meta, "name")
	for i := 0; genName && i < 8 && s.data[gvr][kbKey(ns, name)] != nil; i++ {
		name = kbStr(meta, "generateName") + kbSuffix(5)
		meta["name"] = name
	}
	if s.data[gvr][kbKey(ns, name)] != nil {
		return nil, &StatusError{Code: 409, Reason: "AlreadyExists",
			Message: fmt.Sprintf("%s %q already exists", gvr.String(), name),
			Details: map[string]interface{}{"name": name, "group": gvr.Group, "kind": gvr.Resource}}
	}
	if mode == kbDry {
		meta["uid"] = kbUID()
		meta["creationTimestamp"] = kbNow()
		if ri.CRD {
			meta["generation"] = float64(1)
		}
		return kbCopy(obj), nil
	}
	s.insert(ri, ns, obj)
	if gvr == kbGVRNamespaces {
		sa := Obj{"apiVersion": "v1", "kind": "ServiceAccount",
			"metadata": Obj{"name": "default", "namespace": name}}
		s.insert(s.res[kbGVRServiceAccounts], name, sa)
	}
	if _, ok := meta["ownerReferences"]; ok {
		s.kickGC()
	}
	return kbCopy(obj), nil
}

// insert stores a prepared object; caller holds s.mu.
func (s *Store) insert(ri *kbRes, ns string, obj Obj) {
	meta := kbMeta(obj)
	s.rv++
	meta["uid"] = kbUID()
	meta["resourceVersion"] = strconv.FormatInt(s.rv, 10)
	meta["creationTimestamp"] = kbNow()
	if ri.CRD {
		meta["generation"] = float64(1)
	}
	if ri.GVR == kbGVRNamespaces {
		obj["spec"] = Obj{"finalizers": []interface{}{"kubernetes"}}
		obj["status"] = Obj{"phase": "Active"}
	}
	s.data[ri.GVR][kbKey(ns, kbStr(meta, "name"))] = obj
	s.commit("ADDED", ri.GVR, obj, nil)
}

func kbTypeMeta(ri *kbRes, obj Obj) *StatusError {
	av, _ := obj["apiVersion"].(string)
	k, _ := obj["kind"].(string)
	if (av != "" && av != ri.GVR.APIVersion()) || (k != "" && k != ri.Kind) {
		return &StatusError{Code: 400, Reason: "BadRequest",
			Message: fmt.Sprintf("the API version in the data (%s) does not match the expected API version (%s) or kind %q is not %q",
				av, ri.GVR.APIVersion(), k, ri.Kind)}
	}
	obj["apiVersion"] = ri.GVR.APIVersion()
	obj["kind"] = ri.Kind
	return nil
}

func (s *Store) runAdmission(op string, gvr GVR, obj, old Obj) *StatusError {
	s.mu.Lock()
	fns := append([]kbAdmit(nil), s.admission...)
	s.mu.Unlock()
	for _, fn := range fns {
		if se := fn(op, gvr, kbCopy(obj), kbCopy(old)); se != nil {
			if se.Code == 0 {
				se.Code = 400
			}
			if se.Reason == "" {
				se.Reason = "BadRequest"
			}
			return se
		}
	}
	return nil
}

// AddAdmission registers extra validation for CREATE and UPDATE.
func (s *Store) AddAdmission(fn func(op string, gvr GVR, obj, old Obj) *StatusError) {
	s.mu.Lock()
	s.admission = append(s.admission, fn)
	s.mu.Unlock()
}

// ---------------------------------------------------------------- read

// Get returns a copy of one object or a 404 *StatusError.
func (s *Store) Get(gvr GVR, ns, name string) (Obj, error) {
	o, err := s.get(gvr, ns, name)
	return kbCopy(o), err
}

func (s *Store) get(gvr GVR, ns, name string) (Obj, error) {
	ri := s.res[gvr]
	if ri == nil {
		return nil, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"}
	}
	if !ri.Namespaced {
		ns = ""
	}
	s.mu.Lock()
	o := s.data[gvr][kbKey(ns, name)]
	s.mu.Unlock()
	if o == nil {
		return nil, kbNotFound(ri, name)
	}
	return o, nil
}

// List returns copies of the objects of gvr in ns ("" = all) matching labelSelector.
func (s *Store) List(gvr GVR, ns, labelSelector string) ([]Obj, error) {
	items, _, err := s.list(gvr, ns, labelSelector, "")
	if err != nil {
		return nil, err
	}
	out := make([]Obj, len(items))
	for i, o := range items {
		out[i] = kbCopy(o)
	}
	return out, nil
}

// list returns shared (read-only) objects sorted by namespace/name and the store version.
func (s *Store) list(gvr GVR, ns, labelSel, fieldSel string) ([]Obj, int64, error) {
	ri := s.res[gvr]
	if ri == nil {
		return nil, 0, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"}
	}
	ls, err := kbParseLabelSelector(labelSel)
	if err != nil {
		return nil, 0, err
	}
	fs, err := kbParseFieldSelector(ri, fieldSel)
	if err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	rv := s.rv
	var keys []string
	for k, o := range s.data[gvr] {
		if ri.Namespaced && ns != "" && kbStr(kbMeta(o), "namespace") != ns {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Obj
	for _, k := range keys {
		o := s.data[gvr][k]
		if ls.match(o) && fs.match(o) {
			out = append(out, o)
		}
	}
	s.mu.Unlock()
	return out, rv, nil
}

// ---------------------------------------------------------------- update

// Update replaces the main resource (status is kept for resources with a status subresource).
func (s *Store) Update(gvr GVR, ns string, obj Obj) (Obj, error) {
	o, err := s.update(gvr, ns, obj, false, kbAdmitted)
	return kbCopy(o), err
}

// UpdateStatus replaces only .status.
func (s *Store) UpdateStatus(gvr GVR, ns string, obj Obj) (Obj, error) {
	o, err := s.update(gvr, ns, obj, true, kbAdmitted)
	return kbCopy(o), err
}

// Mutate applies fn to a fresh copy and writes it back, retrying on conflicts.
func (s *Store) Mutate(gvr GVR, ns, name string, fn func(o Obj) error, status bool) (Obj, error) {
	var last error
	for i := 0; i < 20; i++ {
		cur, err := s.Get(gvr, ns, name)
		if err != nil {
			return nil, err
		}
		if err := fn(cur); err != nil {
			return nil, err
		}
		kbMeta(cur)["resourceVersion"] = kbStr(kbMeta(cur), "resourceVersion")
		o, err := s.update(gvr, ns, cur, status, kbAdmitted)
		if err == nil {
			return kbCopy(o), nil
		}
		if !IsStatus(err, 409) {
			return nil, err
		}
		last = err
	}
	return nil, last
}

func kbStripForGen(o Obj, status bool) Obj {
	c := Obj{}
	for k, v := range o {
		if k == "metadata" || (status && k == "status") {
			continue
		}
		c[k] = v
	}
	return c
}

func (s *Store) update(gvr GVR, ns string, in Obj, status bool, mode kbMode) (Obj, error) {
	ri := s.res[gvr]
	if ri == nil {
		return nil, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"}
	}
	if !ri.Namespaced {
		ns = ""
	}
	nobj, err := kbNorm(in)
	if err != nil {
		return nil, &StatusError{Code: 400, Reason: "BadRequest", Message: err.Error()}
	}
	if se := kbTypeMeta(ri, nobj); se != nil {
		return nil, se
	}
	nmeta := kbMeta(nobj)
	name := kbStr(nmeta, "name")
	if name == "" {
		return nil, &StatusError{Code: 422, Reason: "Invalid", Message: fmt.Sprintf("%s.%s \"\" is invalid: metadata.name: Required value: name is required", ri.Kind, ri.Group),
			Causes: []map[string]interface{}{{"reason": "FieldValueRequired", "message": "Required value: name is required", "field": "metadata.name"}}}
	}
	if ri.Namespaced {
		if ons := kbStr(nmeta, "namespace"); ons != "" && ns != "" && ons != ns {
			return nil, &StatusError{Code: 400, Reason: "BadRequest",
				Message: "the namespace of the provided object does not match the namespace sent on the request"}
		}
		if ns == "" {
			ns = kbStr(nmeta, "namespace")
		}
	}
	wantRV := kbStr(nmeta, "resourceVersion")
	for attempt := 0; attempt < 10; attempt++ {
		old, err := s.get(gvr, ns, name)
		if err != nil {
			return nil, err
		}
		ometa := kbMeta(old)
		if wantRV != "" && wantRV != kbStr(ometa, "resourceVersion") {
			return nil, kbConflict(gvr, name)
		}
		var res Obj
		if status {
			res = kbCopy(old)
			if st, ok := nobj["status"]; ok {
				res["status"] = kbCopyVal(st)
			} else {
				delete(res, "status")
			}
		} else {
			res = kbCopy(nobj)
			m := kbMeta(res)
			for _, k := range []string{"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp", "generation", "resourceVersion"} {
				if v, ok := ometa[k]; ok {
					m[k] = v
				} else {
					delete(m, k)
				}
			}
			delete(m, "managedFields")
			if ri.Status || gvr == kbGVRNamespaces {
				if st, ok := old["status"]; ok {
					res["status"] = kbCopyVal(st)
				} else {
					delete(res, "status")
				}
			}
			kbPrepare(ri, res, old)
			if se := kbValidate(ri, res, old); se != nil {
				return nil, se
			}
			if mode >= kbAdmitted {
				if se := s.runAdmission("UPDATE", gvr, res, old); se != nil {
					return nil, se
				}
			}
		}
		if reflect.DeepEqual(res, old) {
			return old, nil
		}
		if ri.CRD && !reflect.DeepEqual(kbStripForGen(res, ri.Status), kbStripForGen(old, ri.Status)) {
			g, _ := ometa["generation"].(float64)
			kbMeta(res)["generation"] = g + 1
		}
		if mode == kbDry {
			return res, nil
		}
		s.mu.Lock()
		cur := s.data[gvr][kbKey(ns, name)]
		if cur == nil {
			s.mu.Unlock()
			return nil, kbNotFound(ri, name)
		}
		if kbStr(kbMeta(cur), "resourceVersion") != kbStr(ometa, "resourceVersion") {
			s.mu.Unlock()
			if wantRV != "" {
				return nil, kbConflict(gvr, name)
			}
			continue
		}
		s.rv++
		rm := kbMeta(res)
		rm["resourceVersion"] = strconv.FormatInt(s.rv, 10)
		if kbStr(rm, "deletionTimestamp") != "" && len(kbList(rm["finalizers"])) == 0 {
			s.removeLocked(gvr, ns, name, res)
			s.mu.Unlock()
			return res, nil
		}
		s.data[gvr][kbKey(ns, name)] = res
		s.commit("MODIFIED", gvr, res, old)
		if _, ok := rm["ownerReferences"]; ok {
			s.kickGC()
		}
		s.mu.Unlock()
		return res, nil
	}
	return nil, kbConflict(gvr, name)
}

func kbConflict(gvr GVR, name string) *StatusError {
	return &StatusError{Code: 409, Reason: "Conflict",
		Message: fmt.Sprintf("Operation cannot be fulfilled on %s %q: the object has been modified; please apply your changes to the latest version and try again", gvr.String(), name),
		Details: map[string]interface{}{"name": name, "group": gvr.Group, "kind": gvr.Resource}}
}

func kbList(v interface{}) []interface{} {
	a, _ := v.([]interface{})
	return a
}

// ---------------------------------------------------------------- delete

type kbDelOpts struct {
	Propagation string // Background (default), Foreground, Orphan
	UID, RV     string // preconditions
	Dry         bool
}

// Delete removes an object (objects with finalizers get a deletionTimestamp);
// dependents are garbage-collected in the background.
func (s *Store) Delete(gvr GVR, ns, name string) error {
	_, err := s.delete(gvr, ns, name, kbDelOpts{})
	return err
}

// removeLocked drops an object for good; caller holds s.mu.
func (s *Store) removeLocked(gvr GVR, ns, name string, last Obj) {
	delete(s.data[gvr], kbKey(ns, name))
	if gvr == kbGVRPods {
		delete(s.podLogs, kbKey(ns, name))
	}
	s.commit("DELETED", gvr, last, nil)
	s.kickGC()
}

func (s *Store) delete(gvr GVR, ns, name string, opt kbDelOpts) (Obj, error) {
	ri := s.res[gvr]
	if ri == nil {
		return nil, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"}
	}
	if !ri.Namespaced {
		ns = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.data[gvr][kbKey(ns, name)]
	if old == nil {
		return nil, kbNotFound(ri, name)
	}
	ometa := kbMeta(old)
	if (opt.UID != "" && opt.UID != kbStr(ometa, "uid")) || (opt.RV != "" && opt.RV != kbStr(ometa, "resourceVersion")) {
		return nil, &StatusError{Code: 409, Reason: "Conflict",
			Message: fmt.Sprintf("Operation cannot be fulfilled on %s %q: the precondition failed", gvr.String(), name)}
	}
	if opt.Dry {
		return kbCopy(old), nil
	}
	uid := kbStr(ometa, "uid")
	if opt.Propagation == "Orphan" {
		s.orphanLocked(uid)
	}
	fins := kbList(ometa["finalizers"])
	if gvr == kbGVRNamespaces || len(fins) > 0 || opt.Propagation == "Foreground" {
		if kbStr(ometa, "deletionTimestamp") != "" && opt.Propagation != "Foreground" {
			return kbCopy(old), nil
		}
		res := kbCopy(old)
		m := kbMeta(res)
		if kbStr(m, "deletionTimestamp") == "" {
			m["deletionTimestamp"] = kbNow()
			m["deletionGracePeriodSeconds"] = float64(0)
		}
		if opt.Propagation == "Foreground" && !kbHas(kbList(m["finalizers"]), "foregroundDeletion") {
			m["finalizers"] = append(kbList(m["finalizers"]), "foregroundDeletion")
		}
		if gvr == kbGVRNamespaces {
			res["status"] = Obj{"phase": "Terminating"}
		}
		s.rv++
		m["resourceVersion"] = strconv.FormatInt(s.rv, 10)
		s.data[gvr][kbKey(ns, name)] = res
		s.commit("MODIFIED", gvr, res, old)
		s.kickGC()
		return kbCopy(res), nil
	}
	res := kbCopy(old)
	s.rv++
	kbMeta(res)["resourceVersion"] = strconv.FormatInt(s.rv, 10)
	s.removeLocked(gvr, ns, name, res)
	return kbCopy(res), nil
}

func kbHas(a []interface{}, s string) bool {
	for _, x := range a {
		if x == s {
			return true
		}
	}
	return false
}

// orphanLocked drops ownerReferences to uid from every object.
func (s *Store) orphanLocked(uid string) {
	for gvr, m := range s.data {
		for k, o := range m {
			refs := kbList(kbMeta(o)["ownerReferences"])
			var keep []interface{}
			for _, r := range refs {
				if rm, ok := r.(map[string]interface{}); ok && rm["uid"] == uid {
					continue
				}
				keep = append(keep, r)
			}
			if len(keep) == len(refs) {
				continue
			}
			n := kbCopy(o)
			if len(keep) == 0 {
				delete(kbMeta(n), "ownerReferences")
			} else {
				kbMeta(n)["ownerReferences"] = kbCopyVal(keep)
			}
			s.rv++
			kbMeta(n)["resourceVersion"] = strconv.FormatInt(s.rv, 10)
			m[k] = n
			s.commit("MODIFIED", gvr, n, o)
		}
	}
}

// ---------------------------------------------------------------- garbage collector

type kbRef struct {
	gvr      GVR
	ns, name string
}

func (s *Store) gcLoop() {
	for range s.gcKick {
		for i := 0; i < 100 && s.gcPass(); i++ {
		}
	}
}

// gcPass deletes orphaned dependents, finishes foreground deletions and
// empties terminating namespaces. It reports whether it changed anything.
func (s *Store) gcPass() bool {
	s.mu.Lock()
	uids := map[string]bool{}
	deps := map[string][]kbRef{}
	for gvr, m := range s.data {
		for _, o := range m {
			meta := kbMeta(o)
			uids[kbStr(meta, "uid")] = true
			for _, r := range kbList(meta["ownerReferences"]) {
				if rm, ok := r.(map[string]interface{}); ok {
					u := kbStr(rm, "uid")
					deps[u] = append(deps[u], kbRef{gvr, kbStr(meta, "namespace"), kbStr(meta, "name")})
				}
			}
		}
	}
	var del []kbRef
	var unfin []kbRef
	var nsGone []kbRef
	for gvr, m := range s.data {
		for _, o := range m {
			meta := kbMeta(o)
			ref := kbRef{gvr, kbStr(meta, "namespace"), kbStr(meta, "name")}
			if refs := kbList(meta["ownerReferences"]); len(refs) > 0 {
				alive := false
				for _, r := range refs {
					if rm, ok := r.(map[string]interface{}); ok && uids[kbStr(rm, "uid")] {
						alive = true
					}
				}
				if !alive {
					del = append(del, ref)
					continue
				}
			}
			if kbStr(meta, "deletionTimestamp") == "" {
				continue
			}
			if kbHas(kbList(meta["finalizers"]), "foregroundDeletion") {
				if d := deps[kbStr(meta, "uid")]; len(d) > 0 {
					del = append(del, d...)
				} else {
					unfin = append(unfin, ref)
				}
			}
			if gvr == kbGVRNamespaces {
				n := 0
				for g2, m2 := range s.data {
					if !s.res[g2].Namespaced {
						continue
					}
					for _, o2 := range m2 {
						if kbStr(kbMeta(o2), "namespace") == ref.name {
							n++
							if kbStr(kbMeta(o2), "deletionTimestamp") == "" {
								del = append(del, kbRef{g2, ref.name, kbStr(kbMeta(o2), "name")})
							}
						}
					}
				}
				if n == 0 {
					nsGone = append(nsGone, ref)
				}
			}
		}
	}
	for _, r := range nsGone {
		o := kbCopy(s.data[r.gvr][kbKey("", r.name)])
		s.rv++
		kbMeta(o)["resourceVersion"] = strconv.FormatInt(s.rv, 10)
		s.removeLocked(r.gvr, "", r.name, o)
	}
	s.mu.Unlock()
	changed := len(nsGone) > 0
	for _, r := range del {
		if _, err := s.delete(r.gvr, r.ns, r.name, kbDelOpts{}); err == nil {
			changed = true
		}
	}
	for _, r := range unfin {
		_, err := s.Mutate(r.gvr, r.ns, r.name, func(o Obj) error {
			var keep []interface{}
			for _, f := range kbList(kbMeta(o)["finalizers"]) {
				if f != "foregroundDeletion" {
					keep = append(keep, f)
				}
			}
			if len(keep) == 0 {
				delete(kbMeta(o), "finalizers")
			} else {
				kbMeta(o)["finalizers"] = keep
			}
			return nil
		}, false)
		if err == nil {
			changed = true
		}
	}
	return changed
}

// ---------------------------------------------------------------- watch

// Watch subscribes fn to every change after this call; fn runs on one
// dispatcher goroutine, never under the store lock, and gets its own copy.
func (s *Store) Watch(fn func(evType string, gvr GVR, obj Obj)) {
	s.mu.Lock()
	s.subs = append(s.subs, fn)
	s.mu.Unlock()
}

func (s *Store) dispatch() {
	s.mu.Lock()
	for {
		for len(s.queue) == 0 && !s.closed {
			s.qcond.Wait()
		}
		if s.closed {
			s.mu.Unlock()
			return
		}
		ev := s.queue[0]
		s.queue = s.queue[1:]
		subs := append([]func(string, GVR, Obj){}, s.subs...)
		s.mu.Unlock()
		for _, fn := range subs {
			func() {
				defer func() {
					if r := recover(); r != nil {
						s.logf("kube: watch subscriber panic: %v", r)
					}
				}()
				fn(ev.Type, ev.GVR, kbCopy(ev.Obj))
			}()
		}
		s.mu.Lock()
	}
}

// since returns the events after rv, the channel closed at the next change,
// and gone=true when rv is older than the retained window.
func (s *Store) since(rv int64) (evs []kbEvent, ch chan struct{}, gone bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if rv < s.compacted {
		return nil, s.changed, true
	}
	i := sort.Search(len(s.log), func(i int) bool { return s.log[i].RV > rv })
	evs = append(evs, s.log[i:]...)
	return evs, s.changed, false
}

func (s *Store) current() (int64, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rv, s.compacted
}

// ---------------------------------------------------------------- pods, events

// SetPodLog sets the text served by GET .../pods/NAME/log.
func (s *Store) SetPodLog(ns, name, text string) {
	s.mu.Lock()
	s.podLogs[kbKey(ns, name)] = text
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

func (s *Store) podLog(ns, name string) (string, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.podLogs[kbKey(ns, name)], s.changed
}

// Event records a core/v1 Event about an object.
func (s *Store) Event(ns string, involved Obj, typ, reason, msg string) {
	meta := kbMeta(kbCopy(involved))
	if ns == "" {
		ns = kbStr(meta, "namespace")
	}
	if ns == "" {
		ns = "default"
	}
	av, _ := involved["apiVersion"].(string)
	comp := "mtv-lab"
	switch {
	case strings.HasPrefix(av, "forklift.konveyor.io"):
		comp = "forklift-controller"
	case strings.HasPrefix(av, "kubevirt.io"):
		comp = "virt-controller"
	case strings.HasPrefix(av, "cdi.kubevirt.io"):
		comp = "datavolume-controller"
	}
	now := time.Now().UTC()
	// like client-go's recorder: a repeat of the same event bumps count and lastTimestamp
	uid := kbStr(meta, "uid")
	s.mu.Lock()
	var repeat string
	for _, e := range s.data[kbGVREvents] {
		io, _ := e["involvedObject"].(map[string]interface{})
		if kbStr(kbMeta(e), "namespace") == ns && kbStr(io, "uid") == uid && kbStr(io, "name") == kbStr(meta, "name") &&
			kbStr(e, "reason") == reason && kbStr(e, "message") == msg && kbStr(e, "type") == typ {
			repeat = kbStr(kbMeta(e), "name")
			break
		}
	}
	s.mu.Unlock()
	if repeat != "" {
		_, err := s.Mutate(kbGVREvents, ns, repeat, func(o Obj) error {
			c, _ := o["count"].(float64)
			o["count"] = c + 1
			o["lastTimestamp"] = now.Format(time.RFC3339)
			return nil
		}, false)
		if err == nil {
			return
		}
	}
	ev := Obj{"apiVersion": "v1", "kind": "Event",
		"metadata": Obj{"name": fmt.Sprintf("%s.%x", kbStr(meta, "name"), now.UnixNano()), "namespace": ns},
		"involvedObject": Obj{"apiVersion": av, "kind": involved["kind"], "name": kbStr(meta, "name"),
			"namespace": kbStr(meta, "namespace"), "uid": kbStr(meta, "uid"), "resourceVersion": kbStr(meta, "resourceVersion")},
		"type": typ, "reason": reason, "message": msg, "count": 1,
		"firstTimestamp": now.Format(time.RFC3339), "lastTimestamp": now.Format(time.RFC3339),
		"source": Obj{"component": comp}, "reportingComponent": comp}
	if _, err := s.create(kbGVREvents, ns, ev, kbInternal); err != nil {
		s.logf("kube: event %s on %s: %v", reason, kbStr(meta, "name"), err)
	}
}

// all returns every object (shared, read-only) for dumps.
func (s *Store) all() ([]Obj, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Obj
	var keys []string
	idx := map[string]Obj{}
	for gvr, m := range s.data {
		for k, o := range m {
			kk := gvr.String() + " " + k
			keys = append(keys, kk)
			idx[kk] = o
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, idx[k])
	}
	return out, s.rv
}
