package main

// Server-side printing (meta.k8s.io/v1 Table), as kubectl get asks for it,
// with the columns the real API server and the Forklift CRDs print.

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

type kbCol struct {
	Name, Type, Desc string
	Priority         int
	Cell             func(o Obj) interface{}
}

func kbWantsTable(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "as=Table")
}

func kbAge(o Obj) interface{} {
	t, err := time.Parse(time.RFC3339, kbStr(kbMeta(o), "creationTimestamp"))
	if err != nil {
		return "<unknown>"
	}
	d := time.Since(t)
	switch {
	case d < 2*time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds()))
	case d < 2*time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

func kbField(path string) func(o Obj) interface{} {
	return func(o Obj) interface{} {
		v, ok := kbPath(o, path)
		if !ok || v == nil {
			return ""
		}
		switch t := v.(type) {
		case string:
			return t
		case float64:
			return fmt.Sprintf("%v", t)
		case bool:
			return fmt.Sprint(t)
		}
		return fmt.Sprint(v)
	}
}

// kbCond prints the status of condition typ (Forklift conditions exist only when true).
func kbCond(typ string) func(o Obj) interface{} {
	return func(o Obj) interface{} {
		cs, _ := kbPath(o, "status.conditions")
		for _, c := range kbList(cs) {
			if cm, ok := c.(map[string]interface{}); ok && cm["type"] == typ {
				return kbStr(cm, "status")
			}
		}
		return ""
	}
}

func kbCount(path string) func(o Obj) interface{} {
	return func(o Obj) interface{} {
		v, _ := kbPath(o, path)
		if m, ok := v.(map[string]interface{}); ok {
			return len(m)
		}
		return 0
	}
}

func kbColumns(ri *kbRes) []kbCol {
	name := kbCol{Name: "Name", Type: "string", Desc: "Name must be unique within a namespace.", Cell: func(o Obj) interface{} { return kbStr(kbMeta(o), "name") }}
	age := kbCol{Name: "Age", Type: "date", Desc: "CreationTimestamp", Cell: kbAge}
	s := func(n, path string) kbCol { return kbCol{Name: n, Type: "string", Cell: kbField(path)} }
	c := func(n, typ string) kbCol { return kbCol{Name: n, Type: "string", Cell: kbCond(typ)} }
	var mid []kbCol
	switch ri.Resource {
	case "namespaces":
		mid = []kbCol{s("Status", "status.phase")}
	case "configmaps":
		mid = []kbCol{{Name: "Data", Type: "integer", Cell: kbCount("data")}}
	case "secrets":
		mid = []kbCol{s("Type", "type"), {Name: "Data", Type: "integer", Cell: kbCount("data")}}
	case "pods":
		mid = []kbCol{s("Status", "status.phase")}
	case "persistentvolumeclaims":
		mid = []kbCol{s("Status", "status.phase"), s("Volume", "spec.volumeName"),
			s("Capacity", "status.capacity.storage"), s("StorageClass", "spec.storageClassName"), s("VolumeMode", "spec.volumeMode")}
	case "persistentvolumes":
		mid = []kbCol{s("Capacity", "spec.capacity.storage"), s("Status", "status.phase"), s("StorageClass", "spec.storageClassName")}
	case "storageclasses":
		mid = []kbCol{s("Provisioner", "provisioner"), s("ReclaimPolicy", "reclaimPolicy"),
			s("VolumeBindingMode", "volumeBindingMode"), s("AllowVolumeExpansion", "allowVolumeExpansion")}
	case "events":
		mid = []kbCol{s("Type", "type"), s("Reason", "reason"), s("Object", "involvedObject.name"), s("Message", "message")}
	case "providers":
		mid = []kbCol{s("Type", "spec.type"), s("Status", "status.phase"), c("Ready", "Ready"),
			c("Connected", "ConnectionTestSucceeded"), c("Inventory", "InventoryCreated"), s("URL", "spec.url")}
	case "plans":
		mid = []kbCol{c("Ready", "Ready"), c("Executing", "Executing"), c("Succeeded", "Succeeded"), c("Failed", "Failed")}
	case "migrations":
		mid = []kbCol{c("Ready", "Ready"), c("Running", "Running"), c("Succeeded", "Succeeded"), c("Failed", "Failed")}
	case "storagemaps", "networkmaps", "hooks", "hosts":
		mid = []kbCol{c("Ready", "Ready")}
	case "virtualmachines":
		mid = []kbCol{s("Status", "status.printableStatus"), c("Ready", "Ready")}
	case "virtualmachineinstances":
		// KubeVirt's printer columns without IP (a list index): Phase, NodeName, Ready
		mid = []kbCol{s("Phase", "status.phase"), s("NodeName", "status.nodeName"), c("Ready", "Ready")}
	case "datavolumes":
		mid = []kbCol{s("Phase", "status.phase"), s("Progress", "status.progress")}
	case "clusterserviceversions":
		mid = []kbCol{s("Display", "spec.displayName"), s("Version", "spec.version"), s("Replaces", "spec.replaces"), s("Phase", "status.phase")}
	case "vspherexcopyvolumepopulators":
		mid = []kbCol{s("VM", "spec.vmId"), s("Progress", "status.progress"), s("XcopyUsed", "status.xcopyUsed")}
	}
	out := []kbCol{name}
	out = append(out, mid...)
	return append(out, age)
}

func kbTableRow(o Obj, cols []kbCol, include string) Obj {
	cells := make([]interface{}, len(cols))
	for i, c := range cols {
		cells[i] = c.Cell(o)
	}
	row := Obj{"cells": cells}
	switch include {
	case "None":
	case "Object":
		row["object"] = o
	default:
		row["object"] = Obj{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": kbMeta(o)}
	}
	return row
}

func kbTable(ri *kbRes, r *http.Request, items []Obj, meta Obj, headers bool) Obj {
	cols := kbColumns(ri)
	var defs []interface{}
	if headers {
		for _, c := range cols {
			f := ""
			if c.Name == "Name" {
				f = "name"
			}
			defs = append(defs, Obj{"name": c.Name, "type": c.Type, "format": f, "description": c.Desc, "priority": c.Priority})
		}
	}
	if defs == nil {
		defs = []interface{}{}
	}
	include := r.URL.Query().Get("includeObject")
	rows := []interface{}{}
	for _, o := range items {
		rows = append(rows, kbTableRow(o, cols, include))
	}
	return Obj{"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta, "columnDefinitions": defs, "rows": rows}
}
