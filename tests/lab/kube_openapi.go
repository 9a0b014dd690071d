package main

// OpenAPI documents of the lab's API server, built from the same schemas
// the server validates with (kbSchemas) plus documentation-only schemas of
// the built-in kinds whose fields the lab stores as they come:
//   - GET /openapi/v2: Swagger 2.0, as JSON or, when asked for
//     application/com.github.proto-openapi.spec.v2@v1.0+protobuf (kubectl
//     up to 1.26 asks only for that and parses the answer as protobuf), as
//     gnostic's openapi_v2.Document message; kubectl validates manifests on
//     the client side with it and `kubectl explain` reads it;
//   - GET /openapi/v3 (index) and /openapi/v3/<group-version>: OpenAPI 3.0
//     per group-version (kubectl 1.27+ explain, field validation detection).
// Definitions carry x-kubernetes-group-version-kind as a real server's do.
// Objects that keep unknown fields (x-kubernetes-preserve-unknown-fields)
// are published in v2 without their properties, as the API server does
// for custom resources, so that client-side validation never refuses what
// the server accepts.

import (
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

const (
	kbOpenAPIv2PB  = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
	kbObjectMeta   = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
	kbOpenAPITitle = "Kubernetes"
)

// kbMapOf is an object whose values all follow v (labels, ConfigMap data).
func kbMapOf(v *kbSch) *kbSch { return &kbSch{Type: "object", Values: v} }

func kbDesc(s *kbSch, d string) *kbSch { s.Desc = d; return s }

// kbObjectMetaSchema is metav1.ObjectMeta as the lab stores it.
func kbObjectMetaSchema() *kbSch {
	str := func(d string) *kbSch { return kbDesc(kbS(), d) }
	ts := func(d string) *kbSch { return &kbSch{Type: "string", Format: "date-time", Desc: d} }
	i64 := func(d string) *kbSch { return &kbSch{Type: "integer", Format: "int64", Desc: d} }
	owner := kbClosed(kbO([]string{"apiVersion", "kind", "name", "uid"}, map[string]*kbSch{
		"apiVersion": str("API version of the referent."), "kind": str("Kind of the referent."),
		"name": str("Name of the referent."), "uid": str("UID of the referent."),
		"controller":         &kbSch{Type: "boolean", Desc: "If true, this reference points to the managing controller."},
		"blockOwnerDeletion": &kbSch{Type: "boolean", Desc: "If true, the owner cannot be deleted from the key-value store until this reference is removed."},
	}))
	m := kbClosed(kbO(nil, map[string]*kbSch{
		"name":                       str("Name must be unique within a namespace."),
		"generateName":               str("Prefix the server uses to generate a unique name when name is empty."),
		"namespace":                  str("Namespace defines the space within which each name must be unique."),
		"selfLink":                   str("Deprecated."),
		"uid":                        str("UID is the unique in time and space value for this object, set by the server."),
		"resourceVersion":            str("An opaque value that represents the internal version of this object, set by the server."),
		"generation":                 i64("A sequence number representing a specific generation of the desired state, set by the server."),
		"creationTimestamp":          ts("Time when this object was created, set by the server."),
		"deletionTimestamp":          ts("Time at which this object will be deleted, set by the server."),
		"deletionGracePeriodSeconds": i64("Seconds allowed for this object to gracefully terminate."),
		"labels":                     kbDesc(kbMapOf(kbS()), "Map of string keys and values used to organize and select objects."),
		"annotations":                kbDesc(kbMapOf(kbS()), "Unstructured key value map stored with a resource."),
		"ownerReferences":            kbDesc(kbA(owner), "Objects this object depends on; the garbage collector removes it with its owners."),
		"finalizers":                 kbDesc(kbA(kbS()), "Must be empty before the object is deleted from the registry."),
		"managedFields":              kbDesc(kbA(&kbSch{Type: "object"}), "Maps workflow-id and version to the set of fields managed by that workflow."),
	}))
	m.Desc = "ObjectMeta is metadata that all persisted resources must have."
	return m
}

// kbDocSchemas: built-in kinds whose whole schema the lab knows but does
// not validate (the API server checks them only through kbValidate).
func kbDocSchemas() map[string]*kbSch {
	cond := kbO(nil, map[string]*kbSch{"type": kbS(), "status": kbS(),
		"lastTransitionTime": &kbSch{Type: "string", Format: "date-time"}, "reason": kbS(), "message": kbS()})
	bytes := &kbSch{Type: "string", Format: "byte"}
	return map[string]*kbSch{
		"configmaps": kbDesc(kbClosed(kbO(nil, map[string]*kbSch{
			"data":       kbDesc(kbMapOf(kbS()), "Configuration data (UTF-8)."),
			"binaryData": kbDesc(kbMapOf(bytes), "Binary configuration data (base64)."),
			"immutable":  &kbSch{Type: "boolean", Desc: "If true, data cannot be updated."},
		})), "ConfigMap holds configuration data for pods to consume."),
		"secrets": kbDesc(kbClosed(kbO(nil, map[string]*kbSch{
			"data":       kbDesc(kbMapOf(bytes), "Secret data, base64-encoded values."),
			"stringData": kbDesc(kbMapOf(kbS()), "Write-only convenience field: merged into data on write."),
			"type":       kbDesc(kbS(), "Used to facilitate programmatic handling of secret data."),
			"immutable":  &kbSch{Type: "boolean", Desc: "If true, data cannot be updated."},
		})), "Secret holds secret data of a certain type."),
		"namespaces": kbDesc(kbClosed(kbO(nil, map[string]*kbSch{
			"spec":   kbClosed(kbO(nil, map[string]*kbSch{"finalizers": kbA(kbS())})),
			"status": kbClosed(kbO(nil, map[string]*kbSch{"phase": kbE("Active", "Terminating"), "conditions": kbA(cond)})),
		})), "Namespace provides a scope for Names."),
		"serviceaccounts": kbDesc(kbClosed(kbO(nil, map[string]*kbSch{
			"secrets": kbA(kbO(nil, map[string]*kbSch{"kind": kbS(), "namespace": kbS(), "name": kbS(),
				"uid": kbS(), "apiVersion": kbS(), "resourceVersion": kbS(), "fieldPath": kbS()})),
			"imagePullSecrets":             kbA(kbO(nil, map[string]*kbSch{"name": kbS()})),
			"automountServiceAccountToken": &kbSch{Type: "boolean"},
		})), "ServiceAccount binds together a name, a principal and a set of secrets."),
	}
}

// kbDefName is the OpenAPI definition name of a kind, as the API server
// names it (io.k8s.api.core.v1.ConfigMap, io.konveyor.forklift.v1beta1.Plan).
func kbDefName(r *kbRes) string {
	switch {
	case r.GVR == kbGVRCRDs:
		return "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition"
	case !r.CRD:
		g := r.Group
		if g == "" {
			g = "core"
		}
		return "io.k8s.api." + strings.Split(g, ".")[0] + "." + r.Version + "." + r.Kind
	}
	parts := strings.Split(r.Group, ".")
	for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
		parts[i], parts[j] = parts[j], parts[i]
	}
	return strings.Join(parts, ".") + "." + r.Version + "." + r.Kind
}

// kbKindSchema is the top-level schema of a resource, or nil when the lab
// does not know all of its top-level fields (then clients skip validation).
func kbKindSchema(r *kbRes) *kbSch {
	doc := kbDocSchemas()[r.Resource]
	var top *kbSch
	switch {
	case doc != nil:
		top = doc
	case r.Schema != nil:
		top = r.Schema
	case r.CRD || r.GVR == kbGVRPods || r.GVR == kbGVRDeployments || r.Resource == "persistentvolumeclaims" ||
		r.Resource == "persistentvolumes" || r.Resource == "services" || r.Resource == "leases":
		// apiVersion, kind, metadata, spec, status: the lab keeps spec and status as they come
		top = kbO(nil, nil)
	default:
		return nil
	}
	props := map[string]*kbSch{
		"apiVersion": kbDesc(kbS(), "APIVersion defines the versioned schema of this representation of an object."),
		"kind":       kbDesc(kbS(), "Kind is a string value representing the REST resource this object represents."),
		"metadata":   &kbSch{Ref: kbObjectMeta, Desc: "Standard object's metadata."},
	}
	for k, v := range top.Props {
		props[k] = v
	}
	open := &kbSch{Type: "object"}
	if _, ok := props["spec"]; !ok && doc == nil {
		props["spec"] = kbDesc(open, "Desired state (kept as written: the lab does not model this schema).")
	}
	if _, ok := props["status"]; !ok && (r.Status || r.CRD) && doc == nil {
		props["status"] = kbDesc(&kbSch{Type: "object"}, "Observed state, written by the controllers.")
	}
	s := kbClosed(kbO(top.Req, props))
	s.Desc = top.Desc
	if s.Desc == "" {
		s.Desc = fmt.Sprintf("%s (%s) as the lab's API server models it.", r.Kind, r.GVR.APIVersion())
	}
	return s
}

// kbOpenAPISchema renders s as OpenAPI (v3: true; Swagger 2.0: false),
// with Ref naming a definition.
func kbOpenAPISchema(s *kbSch, v3 bool) Obj {
	refBase := "#/definitions/"
	if v3 {
		refBase = "#/components/schemas/"
	}
	o := Obj{}
	if s.Ref != "" {
		o["$ref"] = refBase + s.Ref
		if v3 && s.Desc != "" {
			o = Obj{"allOf": []interface{}{o}, "description": s.Desc}
		}
		return o
	}
	if s.Desc != "" {
		o["description"] = s.Desc
	}
	if s.Type != "" {
		o["type"] = s.Type
	}
	if s.Format != "" {
		o["format"] = s.Format
	}
	if len(s.Enum) > 0 {
		o["enum"] = s.Enum
	}
	if v3 && s.Default != nil {
		o["default"] = s.Default
	}
	if v3 && s.Min != nil {
		o["minimum"] = *s.Min
	}
	switch {
	case s.IntOrStr:
		if v3 {
			o["x-kubernetes-int-or-string"] = true
		}
	case s.Type == "":
		if v3 {
			o["x-kubernetes-preserve-unknown-fields"] = true
		}
	case s.Type == "array" && s.Items != nil:
		o["items"] = kbOpenAPISchema(s.Items, v3)
	case s.Type == "object" && s.Values != nil:
		o["additionalProperties"] = kbOpenAPISchema(s.Values, v3)
	case s.Type == "object":
		if len(s.Req) > 0 {
			req := append([]string(nil), s.Req...)
			sort.Strings(req)
			o["required"] = req
		}
		if !s.Closed {
			if v3 && s.AnyExtra {
				o["additionalProperties"] = true
			} else if v3 {
				o["x-kubernetes-preserve-unknown-fields"] = true
			} else {
				// v2 cannot say "known fields plus any other": like the API
				// server for custom resources, publish it as a free object.
				return o
			}
		}
		if len(s.Props) > 0 {
			props := Obj{}
			for k, v := range s.Props {
				props[k] = kbOpenAPISchema(v, v3)
			}
			o["properties"] = props
		}
	}
	return o
}

// kbOpenAPIDefs: the definitions of the kinds in group-version gv ("" = all).
func kbOpenAPIDefs(rs []*kbRes, gv string, v3 bool) Obj {
	defs := Obj{}
	for _, r := range rs {
		if gv != "" && r.GVR.APIVersion() != gv {
			continue
		}
		s := kbKindSchema(r)
		if s == nil {
			continue
		}
		d := kbOpenAPISchema(s, v3)
		d["x-kubernetes-group-version-kind"] = []interface{}{Obj{"group": r.Group, "version": r.Version, "kind": r.Kind}}
		defs[kbDefName(r)] = d
	}
	if len(defs) > 0 {
		defs[kbObjectMeta] = kbOpenAPISchema(kbObjectMetaSchema(), v3)
	}
	return defs
}

func kbOpenAPIInfo() Obj { return Obj{"title": kbOpenAPITitle, "version": kbServerVersion} }

// kbAcceptsJSON: the Accept header admits a JSON answer.
func kbAcceptsJSON(accept string) bool {
	if strings.TrimSpace(accept) == "" {
		return true
	}
	for _, a := range strings.Split(accept, ",") {
		mt := strings.TrimSpace(strings.Split(a, ";")[0])
		if mt == "application/json" || mt == "*/*" || mt == "application/*" {
			return true
		}
	}
	return false
}

func (k *kbServer) serveOpenAPIv2(w http.ResponseWriter, r *http.Request) {
	paths, _ := kbOpenAPIPaths(k.s.resList, "", false)
	doc := Obj{"swagger": "2.0", "info": kbOpenAPIInfo(), "paths": paths, "definitions": kbOpenAPIDefs(k.s.resList, "", false)}
	accept := r.Header.Get("Accept")
	if strings.Contains(accept, kbOpenAPIv2PB) {
		b := kbPBDocument(doc)
		// '@' is not valid in a returned media type: servers answer with
		// the ".v1.0" spelling
		w.Header().Set("Content-Type", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf")
		w.Header().Set("Cache-Control", "no-cache, private")
		w.Header().Set("Etag", fmt.Sprintf("\"%X\"", sha512.Sum512(b)))
		w.WriteHeader(200)
		w.Write(b)
		return
	}
	if !kbAcceptsJSON(accept) {
		kbWriteErr(w, kbNotAcceptable())
		return
	}
	kbWriteJSON(w, 200, doc)
}

func kbNotAcceptable() *StatusError {
	return &StatusError{Code: 406, Reason: "NotAcceptable",
		Message: "only the following media types are accepted: application/json"}
}

// kbOpenAPIPaths: an item per resource of group-version path gvp (api/v1,
// apis/G/V; "" = all) with the patch operation's query parameters, which
// is how clients learn that the server does dry runs (kubectl 1.20-1.22
// looks for dryRun in v2) and field validation (kubectl 1.25+). Also
// returns the group-version ("" when the lab serves no resource there).
func kbOpenAPIPaths(rs []*kbRes, gvp string, v3 bool) (Obj, string) {
	paths := Obj{}
	gv := ""
	for _, r := range rs {
		base := "api/v1"
		if r.Group != "" {
			base = "apis/" + r.Group + "/" + r.Version
		}
		if gvp != "" && base != gvp {
			continue
		}
		gv = r.GVR.APIVersion()
		p := "/" + base + "/"
		if r.Namespaced {
			p += "namespaces/{namespace}/"
		}
		p += r.Resource + "/{name}"
		gvk := Obj{"group": r.Group, "version": r.Version, "kind": r.Kind}
		var params []interface{}
		for _, q := range []string{"dryRun", "fieldManager", "fieldValidation"} {
			if v3 {
				params = append(params, Obj{"name": q, "in": "query", "schema": Obj{"type": "string", "uniqueItems": true}})
			} else {
				params = append(params, Obj{"name": q, "in": "query", "type": "string", "uniqueItems": true})
			}
		}
		ok := Obj{"200": Obj{"description": "OK"}}
		if s := kbKindSchema(r); s != nil && v3 {
			ok = Obj{"200": Obj{"description": "OK", "content": Obj{"application/json": Obj{"schema": Obj{"$ref": "#/components/schemas/" + kbDefName(r)}}}}}
		}
		item := Obj{"patch": Obj{"x-kubernetes-group-version-kind": gvk, "parameters": params, "responses": ok}}
		if v3 {
			item["get"] = Obj{"x-kubernetes-group-version-kind": gvk, "responses": ok}
		}
		paths[p] = item
	}
	return paths, gv
}

// kbOpenAPIv3Doc is the document of one group-version path, nil when the
// lab serves no resource there.
func kbOpenAPIv3Doc(rs []*kbRes, gvp string) Obj {
	paths, gv := kbOpenAPIPaths(rs, gvp, true)
	if gv == "" {
		return nil
	}
	return Obj{"openapi": "3.0.0", "info": kbOpenAPIInfo(), "paths": paths,
		"components": Obj{"schemas": kbOpenAPIDefs(rs, gv, true)}}
}

// kbOpenAPIv3Hash is the content hash a real server puts in the index's
// URLs (clients cache documents by URL).
func kbOpenAPIv3Hash(doc Obj) string {
	b, _ := json.Marshal(doc)
	return fmt.Sprintf("%X", sha512.Sum512(b))
}

// ---------------------------------------------------------------- protobuf

// kbPB writes protobuf wire format.
type kbPB []byte

func (b *kbPB) varint(v uint64) {
	for v >= 0x80 {
		*b = append(*b, byte(v)|0x80)
		v >>= 7
	}
	*b = append(*b, byte(v))
}
func (b *kbPB) bytes(num int, p []byte) {
	b.varint(uint64(num)<<3 | 2)
	b.varint(uint64(len(p)))
	*b = append(*b, p...)
}
func (b *kbPB) str(num int, s string) {
	if s != "" {
		b.bytes(num, []byte(s))
	}
}

// kbPBDocument encodes the Swagger document built above (only the members
// kbOpenAPISchema writes) as gnostic's openapi_v2.Document.
func kbPBDocument(doc Obj) []byte {
	var b kbPB
	b.str(1, doc["swagger"].(string))
	var info kbPB
	info.str(1, kbOpenAPITitle)
	info.str(2, kbServerVersion)
	b.bytes(2, info)
	b.bytes(8, kbPBPaths(doc["paths"].(Obj)))
	b.bytes(9, kbPBNamedSchemas(doc["definitions"].(Obj)))
	return b
}

// kbPBPaths encodes Paths{repeated NamedPathItem path = 2}; each item has
// only its patch Operation (parameters 8, responses 9, extensions 13).
func kbPBPaths(paths Obj) []byte {
	var b kbPB
	for _, p := range kbSortedKeys(paths) {
		op := paths[p].(Obj)["patch"].(Obj)
		var o kbPB
		for _, x := range op["parameters"].([]interface{}) {
			q := x.(Obj)
			var sub kbPB // QueryParameterSubSchema
			sub.str(2, q["in"].(string))
			sub.str(4, q["name"].(string))
			sub.str(6, q["type"].(string))
			sub.varint(20<<3 | 0)
			sub.varint(1) // unique_items
			var nb, par, item kbPB
			nb.bytes(3, sub)   // NonBodyParameter.query_parameter_sub_schema
			par.bytes(2, nb)   // Parameter.non_body_parameter
			item.bytes(1, par) // ParametersItem.parameter
			o.bytes(8, item)
		}
		var resp, rv, nrv, rs kbPB
		resp.str(1, "OK") // Response.description
		rv.bytes(1, resp) // ResponseValue.response
		nrv.str(1, "200") // NamedResponseValue
		nrv.bytes(2, rv)
		rs.bytes(1, nrv) // Responses.response_code
		o.bytes(9, rs)
		var ext kbPB
		ext.str(1, "x-kubernetes-group-version-kind")
		ext.bytes(2, kbPBAny(op["x-kubernetes-group-version-kind"]))
		o.bytes(13, ext)
		var pi, npi kbPB
		pi.bytes(8, o) // PathItem.patch
		npi.str(1, p)
		npi.bytes(2, pi)
		b.bytes(2, npi)
	}
	return b
}

func kbSortedKeys(m Obj) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// kbPBNamedSchemas: Definitions and Properties are both "repeated NamedSchema
// additional_properties = 1", sorted by name.
func kbPBNamedSchemas(m Obj) []byte {
	var b kbPB
	for _, k := range kbSortedKeys(m) {
		var ns kbPB
		ns.str(1, k)
		ns.bytes(2, kbPBSchema(m[k].(Obj)))
		b.bytes(1, ns)
	}
	return b
}

// kbPBAny is openapi_v2.Any with its yaml member (JSON is YAML).
func kbPBAny(v interface{}) []byte {
	y, _ := json.Marshal(v)
	var a kbPB
	a.str(2, string(y))
	return a
}

func kbPBSchema(s Obj) []byte {
	var b kbPB
	if v, ok := s["$ref"].(string); ok {
		b.str(1, v)
	}
	if v, ok := s["format"].(string); ok {
		b.str(2, v)
	}
	if v, ok := s["description"].(string); ok {
		b.str(4, v)
	}
	if v, ok := s["required"].([]string); ok {
		for _, r := range v {
			b.bytes(19, []byte(r))
		}
	}
	if v, ok := s["enum"].([]string); ok {
		for _, e := range v {
			b.bytes(20, kbPBAny(e))
		}
	}
	if v, ok := s["additionalProperties"].(Obj); ok {
		var ap kbPB
		ap.bytes(1, kbPBSchema(v))
		b.bytes(21, ap)
	}
	if v, ok := s["type"].(string); ok {
		var t kbPB
		t.str(1, v)
		b.bytes(22, t)
	}
	if v, ok := s["items"].(Obj); ok {
		var it kbPB
		it.bytes(1, kbPBSchema(v))
		b.bytes(23, it)
	}
	if v, ok := s["properties"].(Obj); ok {
		b.bytes(25, kbPBNamedSchemas(v))
	}
	var ext []string
	for k := range s {
		if strings.HasPrefix(k, "x-") {
			ext = append(ext, k)
		}
	}
	sort.Strings(ext)
	for _, k := range ext {
		var na kbPB
		na.str(1, k)
		na.bytes(2, kbPBAny(s[k]))
		b.bytes(31, na)
	}
	return b
}
