package main

import (
	"strings"
	"testing"
)

// TestForkliftReleaseCRDs: each release's API server prunes what its CRDs
// do not know, in step with the capability flags of mtv_release.go, and
// its operator seed reports the release and renders the copy-offload gate.
func TestForkliftReleaseCRDs(t *testing.T) {
	for _, name := range fkRelOrder {
		rel := mtvReleases[name]
		t.Run(name, func(t *testing.T) {
			s := NewStoreFor(t.Logf, rel)
			defer s.Close()
			if err := kbSeed(s); err != nil {
				t.Fatal(err)
			}
			ref := Obj{"name": "x", "namespace": "default"}
			plan, err := s.Create(fkPlans, "default", Obj{"metadata": Obj{"name": "p"}, "spec": Obj{
				"provider": Obj{"source": ref, "destination": ref}, "map": Obj{"network": ref, "storage": ref},
				"targetNamespace": "default", "type": "warm", "warm": true, "rdmAsLun": true, "foo": "bar",
				"vms": []interface{}{Obj{"id": "vm-1", "bogus": 1.0}}}})
			if err != nil {
				t.Fatal(err)
			}
			has := func(o Obj, path ...string) bool { return fkGet(o, path...) != nil }
			if has(plan, "spec", "foo") || fkStr(plan, "spec", "warm") != "true" {
				t.Errorf("plan spec %v: foo must go, warm stay", plan["spec"])
			}
			if has(plan, "spec", "type") != rel.PlanSpecType || has(plan, "spec", "rdmAsLun") != rel.PlanRdmAsLun {
				t.Errorf("plan spec %v: type kept must be %v, rdmAsLun kept %v", plan["spec"], rel.PlanSpecType, rel.PlanRdmAsLun)
			}
			pop, err := s.Create(fkPopulators, "default", Obj{"metadata": Obj{"name": "v"},
				"spec":   Obj{"vmId": "vm-1", "vmdkPath": "[ds] a.vmdk", "secretName": "s", "storageVendorProduct": "ontap"},
				"status": Obj{"progress": "100", "xcopyUsed": "1", "cloneMethod": "vib"}})
			if err != nil {
				t.Fatal(err)
			}
			if has(pop, "status", "xcopyUsed") != rel.XcopyEvidence || !has(pop, "status", "progress") ||
				has(pop, "status", "cloneMethod") != rel.Since("main") {
				t.Errorf("populator status %v", pop["status"])
			}
			fc, _ := s.Get(fkControllers, fkOperatorNS, "forklift-controller")
			fc["spec"].(map[string]interface{})["controller_max_populator_inflight"] = 5.0
			if fc, err = s.Update(fkControllers, fkOperatorNS, fc); err != nil || fkStr(fc, "spec", "controller_max_populator_inflight") != "5" {
				t.Errorf("ForkliftController keeps the knob in every release: %v %v", err, fc["spec"])
			}
			csvs, _ := s.List(kbGVRCSVs, fkOperatorNS, "")
			if len(csvs) != 1 || fkStr(csvs[0], "spec", "version") != rel.OperatorVersion ||
				!strings.HasPrefix(fkMetaStr(csvs[0], "name"), "mtv-operator.v") {
				t.Errorf("CSVs %v", csvs)
			}
			deps, _ := s.List(kbGVRDeployments, fkOperatorNS, "")
			gate, popLimit := false, false
			for _, d := range deps {
				for _, c := range fkSlice(d, "spec", "template", "spec", "containers") {
					for _, e := range fkSlice(c.(map[string]interface{}), "env") {
						switch fkStr(e.(map[string]interface{}), "name") {
						case "FEATURE_COPY_OFFLOAD":
							gate = true
						case "MAX_POPULATOR_INFLIGHT":
							popLimit = true
						}
					}
				}
			}
			if gate != rel.CopyOffloadDefault || popLimit != rel.PopulatorInflight {
				t.Errorf("deployments: FEATURE_COPY_OFFLOAD %v, MAX_POPULATOR_INFLIGHT %v", gate, popLimit)
			}
		})
	}
}
