package main

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// kbtPBConfigMap is what kubectl 1.33 sends for
// `kubectl -n x1 create cm pbcap --from-literal=k=v` (from kubectl -v=9).
var kbtPBConfigMap = []byte("k8s\x00\x0a\x0f\x0a\x02v1\x12\x09ConfigMap\x12\x21\x0a\x17\x0a\x05pbcap" +
	"\x12\x00\x1a\x02x1\x22\x00\x2a\x00\x32\x00\x38\x00\x42\x00" +
	"\x12\x06\x0a\x01k\x12\x01v\x1a\x00\x22\x00")

func TestKubeProtobufConfigMap(t *testing.T) {
	o, se := kbPBDecode(kbtPBConfigMap)
	if se != nil {
		t.Fatal(se)
	}
	want := Obj{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]interface{}{"name": "pbcap", "namespace": "x1"},
		"data":     map[string]interface{}{"k": "v"}}
	if !reflect.DeepEqual(o, want) {
		got, _ := json.Marshal(o)
		t.Fatalf("decoded %s", got)
	}
}

// kbtEnvelope wraps raw in the k8s protobuf envelope.
func kbtEnvelope(apiVersion, kind string, raw []byte) []byte {
	var tm, u kbPB
	tm.str(1, apiVersion)
	tm.str(2, kind)
	u.bytes(1, tm)
	u.bytes(2, raw)
	return append([]byte("k8s\x00"), u...)
}

func TestKubeProtobufKinds(t *testing.T) {
	// SelfSubjectAccessReview with resourceAttributes, a Secret's bytes
	var ra, spec, ssar kbPB
	ra.str(2, "create")
	ra.str(3, "forklift.konveyor.io")
	ra.str(5, "plans")
	spec.bytes(1, ra)
	ssar.bytes(2, spec)
	o, se := kbPBDecode(kbtEnvelope("authorization.k8s.io/v1", "SelfSubjectAccessReview", ssar))
	if se != nil {
		t.Fatal(se)
	}
	if v, _ := kbPath(o, "spec.resourceAttributes.resource"); v != "plans" {
		t.Fatalf("SSAR %v", o)
	}
	var entry, sec kbPB
	entry.str(1, "password")
	entry.bytes(2, []byte{0, 1, 2})
	sec.bytes(2, entry)
	sec.str(3, "Opaque")
	if o, se = kbPBDecode(kbtEnvelope("v1", "Secret", sec)); se != nil {
		t.Fatal(se)
	}
	if v, _ := kbPath(o, "data.password"); v != "AAEC" || o["type"] != "Opaque" {
		t.Fatalf("Secret %v", o)
	}
	// a kind the lab does not decode: 415 naming the decoded ones
	if _, se = kbPBDecode(kbtEnvelope("v1", "Pod", nil)); se == nil || se.Code != 415 ||
		!strings.Contains(se.Message, "v1/ConfigMap") {
		t.Fatalf("Pod: %v", se)
	}
	// a field the lab does not model: 400, never silently dropped
	var cm kbPB
	cm.str(9, "x")
	if _, se = kbPBDecode(kbtEnvelope("v1", "ConfigMap", cm)); se == nil || se.Code != 400 ||
		!strings.Contains(se.Message, "field 9 of ConfigMap") {
		t.Fatalf("unknown field: %v", se)
	}
	if _, se = kbPBDecode([]byte("{}")); se == nil || se.Code != 400 {
		t.Fatalf("no envelope: %v", se)
	}
	// custom resources have no protobuf form
	r := httptest.NewRequest("POST", "/apis/forklift.konveyor.io/v1beta1/namespaces/x/plans", nil)
	r.Header.Set("Content-Type", kbProtobuf)
	if _, se = kbDecodeBody(r, kbtPBConfigMap, true); se == nil || se.Code != 415 {
		t.Fatalf("custom resource: %v", se)
	}
}

func TestKubeOpenAPI(t *testing.T) {
	v2 := kbOpenAPIDefs(kbResources(nil), "", false)
	plan, ok := v2["io.konveyor.forklift.v1beta1.Plan"].(Obj)
	if !ok {
		t.Fatal("no Plan definition")
	}
	gvk, _ := json.Marshal(plan["x-kubernetes-group-version-kind"])
	if string(gvk) != `[{"group":"forklift.konveyor.io","kind":"Plan","version":"v1beta1"}]` {
		t.Fatalf("Plan gvk %s", gvk)
	}
	spec := plan["properties"].(Obj)["spec"].(Obj)
	if _, has := spec["properties"].(Obj)["targetNamespace"]; !has {
		t.Fatal("v2: the structural Plan spec lists its properties")
	}
	fc := v2["io.konveyor.forklift.v1beta1.ForkliftController"].(Obj)["properties"].(Obj)["spec"].(Obj)
	if _, has := fc["properties"]; has {
		t.Fatal("v2: the ForkliftController spec keeps unknown fields (2.12), so it must not list its properties")
	}
	v3 := kbOpenAPIv3Doc(kbResources(nil), "apis/forklift.konveyor.io/v1beta1")["components"].(Obj)["schemas"].(Obj)
	spec3 := v3["io.konveyor.forklift.v1beta1.Plan"].(Obj)["properties"].(Obj)["spec"].(Obj)
	if spec3["x-kubernetes-preserve-unknown-fields"] != nil || spec3["properties"] == nil {
		t.Fatalf("v3 Plan spec %v", spec3)
	}
	fc3 := v3["io.konveyor.forklift.v1beta1.ForkliftController"].(Obj)["properties"].(Obj)["spec"].(Obj)
	if fc3["additionalProperties"] != true || fc3["properties"] == nil {
		t.Fatalf("v3 ForkliftController spec %v", fc3)
	}
	sm := v2["io.konveyor.forklift.v1beta1.StorageMap"].(Obj)["properties"].(Obj)["spec"].(Obj)
	if _, has := sm["properties"].(Obj)["map"]; !has {
		t.Fatal("v2: the closed StorageMap spec lists its properties")
	}
	if kbOpenAPIv3Doc(kbResources(nil), "apis/user.openshift.io/v1") != nil {
		t.Fatal("no document for a group-version without resources")
	}
	// the protobuf form names every definition
	b := kbPBDocument(Obj{"swagger": "2.0", "paths": Obj{}, "definitions": v2})
	names := map[string]bool{}
	err := kbPBFields(b, func(num, wt int, v uint64, p []byte) error {
		if num != 9 {
			return nil
		}
		return kbPBFields(p, func(num, wt int, v uint64, p []byte) error {
			return kbPBFields(p, func(num, wt int, v uint64, p []byte) error {
				if num == 1 {
					names[string(p)] = true
				}
				return nil
			})
		})
	})
	if err != nil || len(names) != len(v2) || !names[kbObjectMeta] {
		t.Fatalf("protobuf definitions %v (%v)", names, err)
	}
}
