package main

// Request bodies in application/vnd.kubernetes.protobuf. A real API server
// decodes protobuf for every built-in kind and refuses it (415) for custom
// resources; client-go does not fall back to JSON on a 415 for protobuf, and
// kubectl 1.32+ sends protobuf for what its typed clients create (kubectl
// create namespace/configmap/secret/serviceaccount, auth can-i, auth whoami,
// deletions by typed clients). The lab decodes the built-in kinds it stores
// as they come (below, field numbers of k8s.io/api's generated.proto) and
// answers 415 with a message naming them for any other built-in kind.
// Answers are JSON: every client that sends protobuf lists application/json
// in Accept too (kbAcceptsJSON; otherwise 406).

import (
	"encoding/base64"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strings"
	"time"
)

const kbProtobuf = "application/vnd.kubernetes.protobuf"

type kbPBKind byte

const (
	kbPBStr kbPBKind = iota
	kbPBBytes
	kbPBInt
	kbPBBool
	kbPBMsg
	kbPBTime
	kbPBMapStr
	kbPBMapBytes
)

type kbPBField struct {
	name string
	kind kbPBKind
	msg  kbPBDesc // kbPBMsg
	rep  bool
	keep bool // a pointer in the Go type: a zero value is still a value
}

type kbPBDesc map[int]kbPBField

func kbPBf(name string, kind kbPBKind) kbPBField { return kbPBField{name: name, kind: kind} }
func kbPBm(name string, d kbPBDesc) kbPBField    { return kbPBField{name: name, kind: kbPBMsg, msg: d} }
func kbPBrep(f kbPBField) kbPBField              { f.rep = true; return f }
func kbPBkeep(f kbPBField) kbPBField             { f.keep = true; return f }

func kbPBObjectMeta() kbPBDesc {
	owner := kbPBDesc{1: kbPBf("kind", kbPBStr), 3: kbPBf("name", kbPBStr), 4: kbPBf("uid", kbPBStr),
		5: kbPBf("apiVersion", kbPBStr), 6: kbPBkeep(kbPBf("controller", kbPBBool)),
		7: kbPBkeep(kbPBf("blockOwnerDeletion", kbPBBool))}
	return kbPBDesc{1: kbPBf("name", kbPBStr), 2: kbPBf("generateName", kbPBStr), 3: kbPBf("namespace", kbPBStr),
		4: kbPBf("selfLink", kbPBStr), 5: kbPBf("uid", kbPBStr), 6: kbPBf("resourceVersion", kbPBStr),
		7: kbPBf("generation", kbPBInt), 8: kbPBf("creationTimestamp", kbPBTime), 9: kbPBf("deletionTimestamp", kbPBTime),
		10: kbPBkeep(kbPBf("deletionGracePeriodSeconds", kbPBInt)), 11: kbPBf("labels", kbPBMapStr),
		12: kbPBf("annotations", kbPBMapStr), 13: kbPBrep(kbPBm("ownerReferences", owner)),
		14: kbPBrep(kbPBf("finalizers", kbPBStr))}
}

// kbPBKinds: the message of each kind the lab decodes, by "apiVersion/Kind".
func kbPBKinds() map[string]kbPBDesc {
	meta := kbPBm("metadata", kbPBObjectMeta())
	objRef := kbPBDesc{1: kbPBf("kind", kbPBStr), 2: kbPBf("namespace", kbPBStr), 3: kbPBf("name", kbPBStr),
		4: kbPBf("uid", kbPBStr), 5: kbPBf("apiVersion", kbPBStr), 6: kbPBf("resourceVersion", kbPBStr),
		7: kbPBf("fieldPath", kbPBStr)}
	nsCond := kbPBDesc{1: kbPBf("type", kbPBStr), 2: kbPBf("status", kbPBStr), 4: kbPBf("lastTransitionTime", kbPBTime),
		5: kbPBf("reason", kbPBStr), 6: kbPBf("message", kbPBStr)}
	delOpts := kbPBDesc{1: kbPBkeep(kbPBf("gracePeriodSeconds", kbPBInt)),
		2: kbPBkeep(kbPBm("preconditions", kbPBDesc{1: kbPBkeep(kbPBf("uid", kbPBStr)), 2: kbPBkeep(kbPBf("resourceVersion", kbPBStr))})),
		3: kbPBkeep(kbPBf("orphanDependents", kbPBBool)), 4: kbPBkeep(kbPBf("propagationPolicy", kbPBStr)),
		5: kbPBrep(kbPBf("dryRun", kbPBStr)), 6: kbPBkeep(kbPBf("ignoreStoreReadErrorWithClusterBreakingPotential", kbPBBool))}
	return map[string]kbPBDesc{
		"v1/ConfigMap": {1: meta, 2: kbPBf("data", kbPBMapStr), 3: kbPBf("binaryData", kbPBMapBytes),
			4: kbPBkeep(kbPBf("immutable", kbPBBool))},
		"v1/Secret": {1: meta, 2: kbPBf("data", kbPBMapBytes), 3: kbPBf("type", kbPBStr),
			4: kbPBf("stringData", kbPBMapStr), 5: kbPBkeep(kbPBf("immutable", kbPBBool))},
		"v1/Namespace": {1: meta, 2: kbPBm("spec", kbPBDesc{1: kbPBrep(kbPBf("finalizers", kbPBStr))}),
			3: kbPBm("status", kbPBDesc{1: kbPBf("phase", kbPBStr), 2: kbPBrep(kbPBm("conditions", nsCond))})},
		"v1/ServiceAccount": {1: meta, 2: kbPBrep(kbPBm("secrets", objRef)),
			3: kbPBrep(kbPBm("imagePullSecrets", kbPBDesc{1: kbPBf("name", kbPBStr)})),
			4: kbPBkeep(kbPBf("automountServiceAccountToken", kbPBBool))},
		"authorization.k8s.io/v1/SelfSubjectAccessReview": {1: meta,
			2: kbPBm("spec", kbPBDesc{
				1: kbPBkeep(kbPBm("resourceAttributes", kbPBDesc{1: kbPBf("namespace", kbPBStr), 2: kbPBf("verb", kbPBStr),
					3: kbPBf("group", kbPBStr), 4: kbPBf("version", kbPBStr), 5: kbPBf("resource", kbPBStr),
					6: kbPBf("subresource", kbPBStr), 7: kbPBf("name", kbPBStr)})),
				2: kbPBkeep(kbPBm("nonResourceAttributes", kbPBDesc{1: kbPBf("path", kbPBStr), 2: kbPBf("verb", kbPBStr)}))}),
			3: kbPBm("status", kbPBDesc{1: kbPBf("allowed", kbPBBool), 2: kbPBf("reason", kbPBStr),
				3: kbPBf("evaluationError", kbPBStr), 4: kbPBf("denied", kbPBBool)})},
		// kubectl create token (TokenRequest, kube_rbac.go)
		"authentication.k8s.io/v1/TokenRequest": {1: meta, 2: kbPBm("spec", kbPBDesc{
			1: kbPBrep(kbPBf("audiences", kbPBStr)), 4: kbPBkeep(kbPBf("expirationSeconds", kbPBInt)),
			3: kbPBkeep(kbPBm("boundObjectRef", kbPBDesc{1: kbPBf("kind", kbPBStr), 2: kbPBf("apiVersion", kbPBStr),
				3: kbPBf("name", kbPBStr), 4: kbPBf("uid", kbPBStr)}))}),
			3: kbPBm("status", kbPBDesc{1: kbPBf("token", kbPBStr), 2: kbPBf("expirationTimestamp", kbPBTime)})},
		"authentication.k8s.io/v1/SelfSubjectReview": {1: meta, 2: kbPBm("status", kbPBDesc{})},
		"v1/DeleteOptions":                           delOpts,
		"meta.k8s.io/v1/DeleteOptions":               delOpts,
	}
}

// kbPBReader reads protobuf wire format.
type kbPBReader struct {
	b   []byte
	err error
}

func (r *kbPBReader) varint() uint64 {
	var v uint64
	for s := uint(0); s < 64; s += 7 {
		if len(r.b) == 0 {
			r.err = fmt.Errorf("truncated varint")
			return 0
		}
		c := r.b[0]
		r.b = r.b[1:]
		v |= uint64(c&0x7f) << s
		if c < 0x80 {
			return v
		}
	}
	r.err = fmt.Errorf("varint overflow")
	return 0
}

func (r *kbPBReader) next(n uint64) []byte {
	if uint64(len(r.b)) < n {
		r.err = fmt.Errorf("truncated field")
		return nil
	}
	p := r.b[:n]
	r.b = r.b[n:]
	return p
}

// kbPBFields splits a message into (field number, wire type, varint or bytes).
func kbPBFields(b []byte, fn func(num int, wt int, v uint64, p []byte) error) error {
	r := &kbPBReader{b: b}
	for len(r.b) > 0 && r.err == nil {
		tag := r.varint()
		num, wt := int(tag>>3), int(tag&7)
		var v uint64
		var p []byte
		switch wt {
		case 0:
			v = r.varint()
		case 1:
			p = r.next(8)
		case 2:
			p = r.next(r.varint())
		case 5:
			p = r.next(4)
		default:
			return fmt.Errorf("wire type %d of field %d not supported", wt, num)
		}
		if r.err != nil {
			break
		}
		if err := fn(num, wt, v, p); err != nil {
			return err
		}
	}
	return r.err
}

func kbPBDecodeMsg(b []byte, d kbPBDesc, path string) (Obj, error) {
	o := Obj{}
	err := kbPBFields(b, func(num, wt int, v uint64, p []byte) error {
		f, ok := d[num]
		if !ok {
			return fmt.Errorf("field %d of %s is not modelled by the lab", num, path)
		}
		want := 2
		if f.kind == kbPBInt || f.kind == kbPBBool {
			want = 0
		}
		if wt != want {
			return fmt.Errorf("field %s.%s: wire type %d, expected %d", path, f.name, wt, want)
		}
		var val interface{}
		switch f.kind {
		case kbPBStr:
			val = string(p)
		case kbPBBytes:
			val = base64.StdEncoding.EncodeToString(p)
		case kbPBInt:
			val = float64(int64(v))
		case kbPBBool:
			val = v != 0
		case kbPBTime:
			t, err := kbPBDecodeMsg(p, kbPBDesc{1: kbPBf("seconds", kbPBInt), 2: kbPBf("nanos", kbPBInt)}, path+"."+f.name)
			if err != nil {
				return err
			}
			sec, _ := t["seconds"].(float64)
			if sec != 0 {
				val = time.Unix(int64(sec), 0).UTC().Format(time.RFC3339)
			}
		case kbPBMsg:
			m, err := kbPBDecodeMsg(p, f.msg, path+"."+f.name)
			if err != nil {
				return err
			}
			val = m
		case kbPBMapStr, kbPBMapBytes:
			ek := kbPBStr
			if f.kind == kbPBMapBytes {
				ek = kbPBBytes
			}
			e, err := kbPBDecodeMsg(p, kbPBDesc{1: kbPBf("key", kbPBStr), 2: kbPBkeep(kbPBf("value", ek))}, path+"."+f.name)
			if err != nil {
				return err
			}
			m, _ := o[f.name].(map[string]interface{})
			if m == nil {
				m = map[string]interface{}{}
				o[f.name] = m
			}
			if _, ok := e["value"]; !ok {
				e["value"] = ""
			}
			key, _ := e["key"].(string)
			m[key] = e["value"]
			return nil
		}
		if f.rep {
			if val == nil {
				val = Obj{}
			}
			l, _ := o[f.name].([]interface{})
			o[f.name] = append(l, val)
			return nil
		}
		if !f.keep && kbPBZero(val) {
			delete(o, f.name)
			return nil
		}
		o[f.name] = val
		return nil
	})
	return o, err
}

// kbPBZero: what encoding/json's omitempty leaves out of a Go value.
func kbPBZero(v interface{}) bool {
	switch t := v.(type) {
	case nil:
		return true
	case string:
		return t == ""
	case float64:
		return t == 0
	case bool:
		return !t
	case map[string]interface{}:
		return len(t) == 0
	}
	return false
}

// kbPBDecode decodes the k8s protobuf envelope (magic "k8s\0", then
// runtime.Unknown{typeMeta{apiVersion, kind}, raw}) into a JSON object.
func kbPBDecode(b []byte) (Obj, *StatusError) {
	bad := func(msg string) *StatusError {
		return &StatusError{Code: 400, Reason: "BadRequest", Message: "the body of the request could not be decoded as protobuf: " + msg}
	}
	if len(b) < 4 || string(b[:4]) != "k8s\x00" {
		return nil, bad("missing the k8s protobuf envelope")
	}
	env, err := kbPBDecodeMsg(b[4:], kbPBDesc{
		1: kbPBm("typeMeta", kbPBDesc{1: kbPBf("apiVersion", kbPBStr), 2: kbPBf("kind", kbPBStr)}),
		2: kbPBf("raw", kbPBBytes), 3: kbPBf("contentEncoding", kbPBStr), 4: kbPBf("contentType", kbPBStr)}, "Unknown")
	if err != nil {
		return nil, bad(err.Error())
	}
	if kbStr(env, "contentEncoding") != "" {
		return nil, bad("content encoding " + kbStr(env, "contentEncoding") + " is not supported")
	}
	tm, _ := env["typeMeta"].(map[string]interface{})
	av, kind := kbStr(tm, "apiVersion"), kbStr(tm, "kind")
	kinds := kbPBKinds()
	d, ok := kinds[av+"/"+kind]
	if !ok {
		var names []string
		for k := range kinds {
			names = append(names, k)
		}
		sort.Strings(names)
		return nil, &StatusError{Code: 415, Reason: "UnsupportedMediaType",
			Message: fmt.Sprintf("the lab's API server decodes %s only for %s; send %s %s as application/json",
				kbProtobuf, strings.Join(names, ", "), av, kind)}
	}
	raw, _ := base64.StdEncoding.DecodeString(kbStr(env, "raw"))
	o, err := kbPBDecodeMsg(raw, d, kind)
	if err != nil {
		return nil, bad(err.Error())
	}
	o["apiVersion"], o["kind"] = av, kind
	return o, nil
}

// kbMediaType is the request's Content-Type without parameters.
func kbMediaType(r *http.Request) string {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return strings.TrimSpace(strings.Split(r.Header.Get("Content-Type"), ";")[0])
	}
	return mt
}

// kbDecodeBody decodes a create/update/review body by its Content-Type;
// custom resources have no protobuf form (415, as on a real server).
func kbDecodeBody(r *http.Request, b []byte, custom bool) (Obj, *StatusError) {
	if kbMediaType(r) != kbProtobuf {
		return kbDecodeObj(b)
	}
	if custom {
		return nil, &StatusError{Code: 415, Reason: "UnsupportedMediaType",
			Message: "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"}
	}
	return kbPBDecode(b)
}
