package main

// The resources the lab's API server knows, with their discovery data and
// the validation the real API server (CRD schemas, core validation) applies.

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

type kbRes struct {
	GVR
	Kind       string
	Singular   string
	Namespaced bool
	Status     bool // has a /status subresource
	CRD        bool // custom resource: strategic merge patch is refused
	ReadOnly   bool // only get/list/watch
	Short      []string
	Categories []string
	Fields     []string // extra field selector keys
	NameRule   string   // "label" or "subdomain"
	Schema     *kbSch
}

var (
	kbGVRNamespaces      = GVR{"", "v1", "namespaces"}
	kbGVRServiceAccounts = GVR{"", "v1", "serviceaccounts"}
	kbGVRPods            = GVR{"", "v1", "pods"}
	kbGVREvents          = GVR{"", "v1", "events"}
	kbGVRSecrets         = GVR{"", "v1", "secrets"}
	kbGVRStorageClasses  = GVR{"storage.k8s.io", "v1", "storageclasses"}
	kbGVRCRDs            = GVR{"apiextensions.k8s.io", "v1", "customresourcedefinitions"}
	kbGVRForkliftCtl     = GVR{"forklift.konveyor.io", "v1beta1", "forkliftcontrollers"}
	kbGVRDeployments     = GVR{"apps", "v1", "deployments"}
	kbGVRStorageProfiles = GVR{"cdi.kubevirt.io", "v1beta1", "storageprofiles"}
	kbGVRCSVs            = GVR{"operators.coreos.com", "v1alpha1", "clusterserviceversions"}
)

const kbFK = "forklift.konveyor.io"

var kbVendors = []string{"flashsystem", "vantara", "ontap", "primera3par", "pureFlashArray", "powerflex", "powermax", "powerstore", "infinibox"}

// kbSch is a small subset of an OpenAPI v3 schema.
type kbSch struct {
	Type   string // object, array, string, boolean, integer, "" = any
	Closed bool   // object whose unknown fields the API server prunes (structural schema)
	Req    []string
	Props  map[string]*kbSch
	Items  *kbSch
	Enum   []string
	Values *kbSch // a map's value schema (additionalProperties; OpenAPI only)
	Format string // OpenAPI format (date-time, byte, int64); documentation only
	Desc   string // OpenAPI description (kubectl explain)
	Ref    string // OpenAPI definition this schema is (ObjectMeta)

	// Structural-schema details of the Forklift CRDs (forklift_crds.go).
	Default  interface{} // filled in when the field is absent (CRD defaulting)
	IntOrStr bool        // x-kubernetes-int-or-string
	Min      *float64    // minimum of an integer
	AnyExtra bool        // additionalProperties: true next to properties: unknown keys kept
}

func kbO(req []string, props map[string]*kbSch) *kbSch {
	return &kbSch{Type: "object", Req: req, Props: props}
}
func kbA(items *kbSch) *kbSch   { return &kbSch{Type: "array", Items: items} }
func kbE(vals ...string) *kbSch { return &kbSch{Type: "string", Enum: vals} }
func kbS() *kbSch               { return &kbSch{Type: "string"} }
func kbRefSch() *kbSch {
	return kbO(nil, map[string]*kbSch{"id": kbS(), "name": kbS(), "namespace": kbS()})
}
func kbProvPair() *kbSch {
	return kbO([]string{"source", "destination"}, map[string]*kbSch{"source": kbRefSch(), "destination": kbRefSch()})
}
func kbSpec(s *kbSch) *kbSch   { return kbO([]string{"spec"}, map[string]*kbSch{"spec": s}) }
func kbClosed(s *kbSch) *kbSch { s.Closed = true; return s }

// kbInvRef is forklift's ref.Ref (inventory reference), extra for networks: vlan.
func kbInvRef(extra ...string) *kbSch {
	p := map[string]*kbSch{"id": kbS(), "name": kbS(), "namespace": kbS(), "type": kbS()}
	for _, e := range extra {
		p[e] = kbS()
	}
	return kbClosed(kbO(nil, p))
}

// kbSchemas: the schemas the API server validates with; the Forklift
// kinds follow release rel (forklift_crds.go).
func kbSchemas(rel *MTVRelease) map[string]*kbSch {
	m := fkCRDSchemas(rel)
	m["persistentvolumeclaims"] = kbSpec(kbO(nil, map[string]*kbSch{
		"accessModes":      kbA(kbE("ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod")),
		"volumeMode":       kbE("Filesystem", "Block"),
		"storageClassName": kbS(),
	}))
	m["pods"] = kbSpec(kbO([]string{"containers"}, map[string]*kbSch{
		"containers": kbA(kbO([]string{"name"}, map[string]*kbSch{"name": kbS(), "image": kbS()})),
	}))
	return m
}

// kbResources: the resources of the lab's API server, with the schemas
// of release rel (nil: the default release).
func kbResources(rel *MTVRelease) []*kbRes {
	core := func(res, kind string, ns, status bool, short ...string) *kbRes {
		return &kbRes{GVR: GVR{"", "v1", res}, Kind: kind, Namespaced: ns, Status: status, Short: short}
	}
	cr := func(g, v, res, kind string, status bool, short ...string) *kbRes {
		return &kbRes{GVR: GVR{g, v, res}, Kind: kind, Namespaced: true, Status: status, CRD: true, Short: short}
	}
	rs := []*kbRes{
		core("namespaces", "Namespace", false, true, "ns"),
		core("secrets", "Secret", true, false),
		core("configmaps", "ConfigMap", true, false, "cm"),
		core("events", "Event", true, false, "ev"),
		core("pods", "Pod", true, true, "po"),
		core("serviceaccounts", "ServiceAccount", true, false, "sa"),
		core("persistentvolumeclaims", "PersistentVolumeClaim", true, true, "pvc"),
		core("persistentvolumes", "PersistentVolume", false, true, "pv"),
		core("services", "Service", true, true, "svc"),
		{GVR: kbGVRStorageClasses, Kind: "StorageClass", Short: []string{"sc"}},
		{GVR: GVR{"coordination.k8s.io", "v1", "leases"}, Kind: "Lease", Namespaced: true},
		{GVR: kbGVRDeployments, Kind: "Deployment", Namespaced: true, Status: true, Short: []string{"deploy"}},
		{GVR: kbGVRCRDs, Kind: "CustomResourceDefinition", Short: []string{"crd", "crds"}, ReadOnly: true},
		cr(kbFK, "v1beta1", "providers", "Provider", true),
		cr(kbFK, "v1beta1", "networkmaps", "NetworkMap", true),
		cr(kbFK, "v1beta1", "storagemaps", "StorageMap", true),
		cr(kbFK, "v1beta1", "plans", "Plan", true),
		cr(kbFK, "v1beta1", "migrations", "Migration", true),
		cr(kbFK, "v1beta1", "hooks", "Hook", true),
		cr(kbFK, "v1beta1", "hosts", "Host", true),
		cr(kbFK, "v1beta1", "forkliftcontrollers", "ForkliftController", true),
		cr(kbFK, "v1beta1", "vspherexcopyvolumepopulators", "VSphereXcopyVolumePopulator", false, "vxvp", "vxvps"),
		{GVR: kbGVRCSVs, Kind: "ClusterServiceVersion", Namespaced: true, Status: true, CRD: true, Short: []string{"csv", "csvs"}},
		cr("kubevirt.io", "v1", "virtualmachines", "VirtualMachine", true, "vm", "vms"),
		cr("kubevirt.io", "v1", "virtualmachineinstances", "VirtualMachineInstance", true, "vmi", "vmis"),
		cr("cdi.kubevirt.io", "v1beta1", "datavolumes", "DataVolume", true, "dv", "dvs"),
		cr("k8s.cni.cncf.io", "v1", "network-attachment-definitions", "NetworkAttachmentDefinition", false, "net-attach-def"),
		{GVR: kbGVRStorageProfiles, Kind: "StorageProfile", Status: true, CRD: true},
		{GVR: GVR{"config.openshift.io", "v1", "clusterversions"}, Kind: "ClusterVersion", Status: true, CRD: true, ReadOnly: true},
	}
	rs = append(rs, kbRBACResources()...)
	sch := kbSchemas(rel)
	for _, r := range rs {
		r.Singular = strings.ToLower(r.Kind)
		r.NameRule = "subdomain"
		if r.GVR == kbGVRNamespaces {
			r.NameRule = "label"
		}
		if r.Group == kbRBAC {
			r.NameRule = "path" // system:discovery (rbac validation: ValidateRBACName)
		}
		if r.Group == kbFK {
			r.Categories = []string{"forklift"}
		}
		if r.Resource == "pods" || r.Resource == "services" {
			r.Categories = []string{"all"}
		}
		r.Schema = sch[r.Resource]
		switch r.Resource {
		case "events":
			r.Fields = []string{"involvedObject.kind", "involvedObject.name", "involvedObject.namespace",
				"involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
				"involvedObject.fieldPath", "reason", "type", "source", "reportingComponent"}
		case "pods":
			r.Fields = []string{"spec.nodeName", "status.phase", "spec.restartPolicy", "spec.serviceAccountName"}
		case "secrets":
			r.Fields = []string{"type"}
		case "namespaces":
			r.Fields = []string{"status.phase"}
		case "persistentvolumeclaims", "persistentvolumes":
			r.Fields = []string{"status.phase"}
		}
	}
	return rs
}

func (r *kbRes) verbs() []string {
	if r.ReadOnly {
		return []string{"get", "list", "watch"}
	}
	return []string{"create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"}
}

// ---------------------------------------------------------------- validation

var (
	kbLabelRe     = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	kbSubdomainRe = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	kbQualNameRe  = regexp.MustCompile(`^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$`)
	kbLabelValRe  = regexp.MustCompile(`^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$`)
)

func kbCause(reason, field, msg string) map[string]interface{} {
	return map[string]interface{}{"reason": reason, "field": field, "message": msg}
}

func kbJSONType(v interface{}) string {
	switch v.(type) {
	case map[string]interface{}:
		return "object"
	case []interface{}:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case float64:
		return "number"
	case nil:
		return "null"
	}
	return "unknown"
}

func kbCheck(s *kbSch, v interface{}, path string, out *[]map[string]interface{}) {
	if s == nil || v == nil {
		return
	}
	if s.IntOrStr {
		if jt := kbJSONType(v); jt != "number" && jt != "string" {
			*out = append(*out, kbCause("FieldValueTypeInvalid", path,
				fmt.Sprintf("Invalid value: %q: %s in body must be of type integer or string: %q", jt, path, jt)))
		}
		return
	}
	if f, ok := v.(float64); ok && s.Min != nil && f < *s.Min {
		*out = append(*out, kbCause("FieldValueInvalid", path,
			fmt.Sprintf("Invalid value: %v: %s in body should be greater than or equal to %v", f, path, *s.Min)))
	}
	if s.Type != "" {
		jt := kbJSONType(v)
		ok := jt == s.Type || (s.Type == "integer" && jt == "number")
		if !ok {
			*out = append(*out, kbCause("FieldValueTypeInvalid", path,
				fmt.Sprintf("Invalid value: %q: %s in body must be of type %s: %q", jt, path, s.Type, jt)))
			return
		}
	}
	switch t := v.(type) {
	case map[string]interface{}:
		for _, k := range s.Req {
			if _, ok := t[k]; !ok {
				*out = append(*out, kbCause("FieldValueRequired", path+"."+k, "Required value"))
			}
		}
		keys := make([]string, 0, len(s.Props))
		for k := range s.Props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if x, ok := t[k]; ok {
				kbCheck(s.Props[k], x, path+"."+k, out)
			}
		}
		if s.Values != nil {
			vk := make([]string, 0, len(t))
			for k := range t {
				vk = append(vk, k)
			}
			sort.Strings(vk)
			for _, k := range vk {
				kbCheck(s.Values, t[k], path+"."+k, out)
			}
		}
	case []interface{}:
		for i, x := range t {
			kbCheck(s.Items, x, fmt.Sprintf("%s[%d]", path, i), out)
		}
	case string:
		if len(s.Enum) > 0 {
			found := false
			for _, e := range s.Enum {
				if e == t {
					found = true
				}
			}
			if !found {
				q := make([]string, len(s.Enum))
				for i, e := range s.Enum {
					q[i] = fmt.Sprintf("%q", e)
				}
				*out = append(*out, kbCause("FieldValueNotSupported", path,
					fmt.Sprintf("Unsupported value: %q: supported values: %s", t, strings.Join(q, ", "))))
			}
		}
	}
}

// kbPrune drops the fields a structural schema does not know (what the API
// server does with unknown fields of custom resources) and returns their paths.
func kbPrune(s *kbSch, v interface{}, path string, out *[]string) {
	if s == nil {
		return
	}
	switch t := v.(type) {
	case map[string]interface{}:
		for k, x := range t {
			sub, known := s.Props[k]
			if !known && s.Values != nil {
				sub, known = s.Values, true
			}
			if !known && s.AnyExtra {
				// additionalProperties: true keeps the key; an object
				// under it has no schema, so its members go
				// (apiextensions-apiserver pruning/algorithm.go)
				if m, ok := x.(map[string]interface{}); ok {
					for mk := range m {
						*out = append(*out, strings.TrimPrefix(path+"."+k+"."+mk, "."))
						delete(m, mk)
					}
				}
				continue
			}
			if !known && s.Closed {
				*out = append(*out, strings.TrimPrefix(path+"."+k, "."))
				delete(t, k)
				continue
			}
			kbPrune(sub, x, path+"."+k, out)
		}
	case []interface{}:
		for i, x := range t {
			kbPrune(s.Items, x, fmt.Sprintf("%s[%d]", path, i), out)
		}
	}
}

// kbDefault fills in the defaults of absent fields, as the API server does
// for custom resources on every write (and read) of an object.
func kbDefault(s *kbSch, v interface{}) {
	if s == nil {
		return
	}
	switch t := v.(type) {
	case map[string]interface{}:
		for k, sub := range s.Props {
			if _, ok := t[k]; !ok && sub.Default != nil {
				t[k] = kbCopyVal(sub.Default)
			}
			if x, ok := t[k]; ok {
				kbDefault(sub, x)
			}
		}
	case []interface{}:
		for _, x := range t {
			kbDefault(s.Items, x)
		}
	}
}

// kbUnknownFields reports, without changing obj, the fields pruning would drop.
func kbUnknownFields(ri *kbRes, obj Obj) []string {
	var out []string
	c := kbCopy(obj)
	if ri.Schema != nil {
		kbPrune(ri.Schema, c, "", &out)
	}
	kbPruneMeta(c, &out)
	sort.Strings(out)
	return out
}

// kbPruneMeta drops the members of metadata that ObjectMeta does not have,
// as the API server's decoding does for every kind.
func kbPruneMeta(obj Obj, out *[]string) {
	if m, ok := obj["metadata"].(map[string]interface{}); ok {
		kbPrune(kbObjectMetaSchema(), m, ".metadata", out)
	}
}

func kbCheckName(rule, name string) string {
	if rule == "path" {
		if name == "." || name == ".." {
			return fmt.Sprintf("may not be '%s'", name)
		}
		if strings.ContainsAny(name, "/%") {
			return "may not contain '/' or '%'"
		}
		return ""
	}
	if rule == "label" {
		if len(name) > 63 {
			return "must be no more than 63 characters"
		}
		if !kbLabelRe.MatchString(name) {
			return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
		}
		return ""
	}
	if len(name) > 253 {
		return "must be no more than 253 characters"
	}
	if !kbSubdomainRe.MatchString(name) {
		return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
	}
	return ""
}

func kbCheckLabelKey(k string) bool {
	prefix, name, found := strings.Cut(k, "/")
	if !found {
		name, prefix = prefix, ""
	} else if prefix == "" || len(prefix) > 253 || !kbSubdomainRe.MatchString(prefix) {
		return false
	}
	return len(name) > 0 && len(name) <= 63 && kbQualNameRe.MatchString(name)
}

// kbValidate applies the checks a real API server makes on create/update.
func kbValidate(ri *kbRes, obj, old Obj) *StatusError {
	var causes []map[string]interface{}
	meta := kbMeta(obj)
	name := kbStr(meta, "name")
	if name == "" {
		causes = append(causes, kbCause("FieldValueRequired", "metadata.name", "Required value: name or generateName is required"))
	} else if msg := kbCheckName(ri.NameRule, name); msg != "" {
		causes = append(causes, kbCause("FieldValueInvalid", "metadata.name", fmt.Sprintf("Invalid value: %q: %s", name, msg)))
	}
	if l, ok := meta["labels"]; ok && l != nil {
		lm, ok := l.(map[string]interface{})
		if !ok {
			causes = append(causes, kbCause("FieldValueTypeInvalid", "metadata.labels", "Invalid value: labels must be a map of strings"))
		}
		for k, v := range lm {
			vs, isStr := v.(string)
			if !kbCheckLabelKey(k) {
				causes = append(causes, kbCause("FieldValueInvalid", "metadata.labels", fmt.Sprintf("Invalid value: %q: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", k)))
			} else if !isStr || len(vs) > 63 || !kbLabelValRe.MatchString(vs) {
				causes = append(causes, kbCause("FieldValueInvalid", "metadata.labels", fmt.Sprintf("Invalid value: %q: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", fmt.Sprint(v))))
			}
		}
	}
	var pruned []string
	kbPruneMeta(obj, &pruned)
	if ri.Schema != nil {
		kbPrune(ri.Schema, obj, "", &pruned)
		kbDefault(ri.Schema, obj)
		kbCheck(ri.Schema, obj, "", &causes)
		for _, c := range causes {
			if f, _ := c["field"].(string); strings.HasPrefix(f, ".") {
				c["field"] = f[1:]
				c["message"] = strings.Replace(c["message"].(string), " "+f+" in body", " "+f[1:]+" in body", 1)
			}
		}
	}
	if ri.GVR == kbGVRSecrets {
		if d, ok := obj["data"].(map[string]interface{}); ok {
			for k, v := range d {
				s, _ := v.(string)
				if _, err := base64.StdEncoding.DecodeString(s); err != nil {
					causes = append(causes, kbCause("FieldValueInvalid", "data["+k+"]", "Invalid value: illegal base64 data"))
				}
			}
		}
	}
	if old != nil && ri.Resource == "persistentvolumeclaims" {
		os, _ := kbPath(old, "spec.volumeMode")
		ns, _ := kbPath(obj, "spec.volumeMode")
		if fmt.Sprint(os) != fmt.Sprint(ns) {
			causes = append(causes, kbCause("FieldValueForbidden", "spec", "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims"))
		}
	}
	if len(causes) == 0 {
		return nil
	}
	msgs := make([]string, len(causes))
	for i, c := range causes {
		msgs[i] = fmt.Sprintf("%s: %s", c["field"], c["message"])
	}
	all := msgs[0]
	if len(msgs) > 1 {
		all = "[" + strings.Join(msgs, ", ") + "]"
	}
	kind := ri.Kind
	if ri.Group != "" {
		kind += "." + ri.Group
	}
	return &StatusError{Code: 422, Reason: "Invalid",
		Message: fmt.Sprintf("%s %q is invalid: %s", kind, name, all),
		Causes:  causes,
		Details: map[string]interface{}{"name": name, "group": ri.Group, "kind": ri.Kind}}
}

// kbPrepare applies defaulting (Secret stringData folding, Secret type).
func kbPrepare(ri *kbRes, obj, old Obj) {
	switch ri.GVR {
	case kbGVRSecrets:
		if sd, ok := obj["stringData"].(map[string]interface{}); ok {
			d, _ := obj["data"].(map[string]interface{})
			if d == nil {
				d = Obj{}
			}
			for k, v := range sd {
				d[k] = base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(v)))
			}
			obj["data"] = d
		}
		delete(obj, "stringData")
		if kbStr(obj, "type") == "" {
			obj["type"] = "Opaque"
		}
	case GVR{"", "v1", "persistentvolumeclaims"}:
		if spec, ok := obj["spec"].(map[string]interface{}); ok {
			if _, ok := spec["volumeMode"]; !ok {
				spec["volumeMode"] = "Filesystem"
			}
		}
		kbDefaultPhase(obj, old)
	case kbGVRPods:
		kbDefaultPhase(obj, old)
	}
}

// kbDefaultPhase gives new pods and claims status.phase Pending.
func kbDefaultPhase(obj, old Obj) {
	if old != nil {
		return
	}
	st, ok := obj["status"].(map[string]interface{})
	if !ok {
		st = Obj{}
		obj["status"] = st
	}
	if kbStr(st, "phase") == "" {
		st["phase"] = "Pending"
	}
}

// ---------------------------------------------------------------- selectors

type kbReq struct {
	key, op string // op: = != in notin exists !exists
	vals    []string
}

type kbSelector []kbReq

func (sel kbSelector) match(o Obj) bool {
	labels := kbStringMap(kbMeta(o)["labels"])
	for _, r := range sel {
		v, has := labels[r.key]
		switch r.op {
		case "=", "in":
			if !has || !kbIn(v, r.vals) {
				return false
			}
		case "!=", "notin":
			if has && kbIn(v, r.vals) {
				return false
			}
		case "exists":
			if !has {
				return false
			}
		case "!exists":
			if has {
				return false
			}
		}
	}
	return true
}

func kbIn(v string, vals []string) bool {
	for _, x := range vals {
		if x == v {
			return true
		}
	}
	return false
}

func kbSplitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func kbBadSel(msg string) *StatusError {
	return &StatusError{Code: 400, Reason: "BadRequest", Message: msg}
}

func kbParseLabelSelector(s string) (kbSelector, error) {
	var sel kbSelector
	if strings.TrimSpace(s) == "" {
		return sel, nil
	}
	setRe := regexp.MustCompile(`^\s*([^\s!=(),]+)\s+(in|notin)\s*\(([^)]*)\)\s*$`)
	for _, part := range kbSplitTop(s) {
		p := strings.TrimSpace(part)
		if p == "" {
			return nil, kbBadSel(fmt.Sprintf("unable to parse requirement: found '', expected: identifier in %q", s))
		}
		var r kbReq
		if m := setRe.FindStringSubmatch(p); m != nil {
			r = kbReq{key: m[1], op: m[2]}
			for _, v := range strings.Split(m[3], ",") {
				r.vals = append(r.vals, strings.TrimSpace(v))
			}
		} else if strings.Contains(p, "!=") {
			k, v, _ := strings.Cut(p, "!=")
			r = kbReq{key: strings.TrimSpace(k), op: "!=", vals: []string{strings.TrimSpace(v)}}
		} else if strings.Contains(p, "==") {
			k, v, _ := strings.Cut(p, "==")
			r = kbReq{key: strings.TrimSpace(k), op: "=", vals: []string{strings.TrimSpace(v)}}
		} else if strings.Contains(p, "=") {
			k, v, _ := strings.Cut(p, "=")
			r = kbReq{key: strings.TrimSpace(k), op: "=", vals: []string{strings.TrimSpace(v)}}
		} else if strings.HasPrefix(p, "!") {
			r = kbReq{key: strings.TrimSpace(p[1:]), op: "!exists"}
		} else {
			r = kbReq{key: p, op: "exists"}
		}
		if !kbCheckLabelKey(r.key) || strings.ContainsAny(r.key, " ()") {
			return nil, kbBadSel(fmt.Sprintf("unable to parse requirement: invalid label key %q", r.key))
		}
		for _, v := range r.vals {
			if len(v) > 63 || !kbLabelValRe.MatchString(v) {
				return nil, kbBadSel(fmt.Sprintf("unable to parse requirement: invalid label value: %q", v))
			}
		}
		sel = append(sel, r)
	}
	return sel, nil
}

type kbFieldReq struct {
	path, val string
	neg       bool
}

type kbFieldSel []kbFieldReq

func (fs kbFieldSel) match(o Obj) bool {
	for _, r := range fs {
		v, _ := kbPath(o, r.path)
		s := ""
		if v != nil {
			s = fmt.Sprint(v)
		}
		if r.path == "source" {
			v, _ = kbPath(o, "source.component")
			s = fmt.Sprint(v)
		}
		if (s == r.val) == r.neg {
			return false
		}
	}
	return true
}

func kbParseFieldSelector(ri *kbRes, s string) (kbFieldSel, error) {
	var fs kbFieldSel
	if strings.TrimSpace(s) == "" {
		return fs, nil
	}
	for _, part := range strings.Split(s, ",") {
		var r kbFieldReq
		var k, v string
		if a, b, ok := strings.Cut(part, "!="); ok {
			k, v, r.neg = a, b, true
		} else if a, b, ok := strings.Cut(part, "=="); ok {
			k, v = a, b
		} else if a, b, ok := strings.Cut(part, "="); ok {
			k, v = a, b
		} else {
			return nil, kbBadSel(fmt.Sprintf("invalid selector: '%s'; can't understand '%s'", s, part))
		}
		k = strings.TrimSpace(k)
		ok := k == "metadata.name" || k == "metadata.namespace"
		for _, f := range ri.Fields {
			if f == k {
				ok = true
			}
		}
		if !ok {
			return nil, kbBadSel(fmt.Sprintf("field label not supported: %s", k))
		}
		r.path, r.val = k, strings.TrimSpace(v)
		fs = append(fs, r)
	}
	return fs, nil
}
