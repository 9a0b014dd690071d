package main

// The MTV operator as the lab plays it, release by release (mtv-lab --mtv):
//
//   - OLM's ClusterServiceVersion mtv-operator.v<OperatorVersion> in
//     openshift-mtv (operators.coreos.com/v1alpha1, spec.version, status
//     phase Succeeded): how a client reads the installed MTV release, as
//     `oc get csv -n openshift-mtv` and mtv-api-tests' get_mtv_version do;
//   - the ForkliftController the console creates from the CSV's
//     operatorframework.io/initialization-resource
//     (operator/config/manifests/bases/forklift-operator.clusterserviceversion.yaml:
//     feature_ui_plugin, feature_validation, feature_volume_populator "true"),
//     with the Ansible operator's status conditions (Running, Successful);
//   - the feature_copy_offload gate (operator/roles/forkliftcontroller):
//     defaults/main.yml has feature_copy_offload: false up to 2.10 and true
//     from 2.11 (main: CRD default "true"); when it is true the operator
//     gives deployment forklift-controller env FEATURE_COPY_OFFLOAD=true
//     (templates/controller/deployment-controller.yml.j2) and the populator
//     controller the copy-offload populator image
//     (templates/populator/deployment-populator-controller.yml.j2:
//     VSPHERE_XCOPY_VOLUME_POPULATOR_IMAGE, VSPHERE_COPY_OFFLOAD_POPULATOR_IMAGE
//     from 2.12). Without FEATURE_COPY_OFFLOAD the controller's
//     Builder.SupportsVolumePopulators() is false
//     (pkg/controller/plan/adapter/vsphere/builder.go): the StorageMap's
//     offloadPlugin is ignored, the disks go the DataVolume (VDDK) way, and
//     from 2.11 the VDDKAndOffloadMixedUsage check is off too
//     (pkg/controller/plan/validation.go checkMixedUsage);
//   - MAX_POPULATOR_INFLIGHT exists in the populator controller's template
//     from 2.11 only: before, controller_max_populator_inflight stays in the
//     CR (2.9 keeps unknown keys, 2.10 has additionalProperties: true) and
//     nothing reads it.
// The in-flight knobs' values are rolled out by the Forklift model
// (forklift_ctrl.go rolloutSettings), which only updates env entries that
// the release's Deployment has.

import (
	"sync"
	"time"
)

const fkOperatorNS = "openshift-mtv"

func init() { kubeControllers = append(kubeControllers, startOperator) }

// fkCSVName is the CSV of release r, as MTV names it.
func fkCSVName(r *MTVRelease) string { return "mtv-operator.v" + r.OperatorVersion }

// fkSeedOperator creates the CSV, the ForkliftController and the two
// Deployments a fresh install of release rel has (in kbSeed).
func fkSeedOperator(s *Store) error {
	r := s.rel
	csv := Obj{"apiVersion": "operators.coreos.com/v1alpha1", "kind": "ClusterServiceVersion",
		"metadata": Obj{"name": fkCSVName(r), "namespace": fkOperatorNS,
			"labels": Obj{"operators.coreos.com/mtv-operator." + fkOperatorNS: ""}},
		"spec": Obj{"displayName": "Migration Toolkit for Virtualization Operator", "version": r.OperatorVersion,
			"provider": Obj{"name": "Red Hat"}, "maturity": "stable"}}
	co, err := s.create(kbGVRCSVs, fkOperatorNS, csv, kbInternal)
	if err != nil {
		return err
	}
	co["status"] = Obj{"phase": "Succeeded", "reason": "InstallSucceeded", "message": "install strategy completed with no errors"}
	if _, err := s.UpdateStatus(kbGVRCSVs, fkOperatorNS, co); err != nil {
		return err
	}
	fc := Obj{"apiVersion": kbFK + "/v1beta1", "kind": "ForkliftController",
		"metadata": Obj{"name": "forklift-controller", "namespace": fkOperatorNS},
		"spec":     Obj{"feature_ui_plugin": "true", "feature_validation": "true", "feature_volume_populator": "true"}}
	if _, err := s.create(kbGVRForkliftCtl, fkOperatorNS, fc, kbInternal); err != nil {
		return err
	}
	popEnv := []interface{}{}
	if r.PopulatorInflight {
		popEnv = append(popEnv, Obj{"name": "MAX_POPULATOR_INFLIGHT", "value": "20"})
	}
	for _, d := range []struct {
		name string
		env  []interface{}
	}{{"forklift-controller", []interface{}{Obj{"name": "MAX_VM_INFLIGHT", "value": "20"}}},
		{"forklift-volume-populator-controller", popEnv}} {
		dep := Obj{"apiVersion": "apps/v1", "kind": "Deployment",
			"metadata": Obj{"name": d.name, "namespace": fkOperatorNS},
			"spec": Obj{"replicas": 1, "selector": Obj{"matchLabels": Obj{"app": d.name}},
				"template": Obj{"metadata": Obj{"labels": Obj{"app": d.name}},
					"spec": Obj{"containers": []interface{}{Obj{"name": "main",
						"image": "quay.io/kubev2v/" + d.name + ":lab", "env": d.env}}}}},
			"status": Obj{"replicas": 1, "updatedReplicas": 1, "availableReplicas": 1, "readyReplicas": 1}}
		if _, err := s.create(kbGVRDeployments, fkOperatorNS, dep, kbInternal); err != nil {
			return err
		}
	}
	fkOperatorSync(s)
	return nil
}

// fkCopyOffloadGate: the feature_copy_offload the operator renders for a
// ForkliftController spec ("true"/"false" string or bool, else the
// release's default).
func fkCopyOffloadGate(r *MTVRelease, fc Obj) bool {
	switch v := fkGet(fc, "spec", "feature_copy_offload").(type) {
	case bool:
		return v
	case string:
		return v == "true" || v == "True" || v == "yes"
	}
	return r.CopyOffloadDefault
}

// fkSetEnv makes env name=value present (present) or absent in every
// container of Deployment ns/dep; reports whether it changed anything.
func fkSetEnv(s *Store, ns, dep, name, value string, present bool) bool {
	changed := false
	_, err := s.Mutate(kbGVRDeployments, ns, dep, func(o Obj) error {
		changed = false
		for _, c := range fkSlice(o, "spec", "template", "spec", "containers") {
			cm, _ := c.(map[string]interface{})
			var env []interface{}
			found := false
			for _, e := range fkSlice(cm, "env") {
				em, _ := e.(map[string]interface{})
				if fkStr(em, "name") == name {
					found = true
					if !present {
						changed = true
						continue
					}
					if fkStr(em, "value") != value {
						em["value"] = value
						changed = true
					}
				}
				env = append(env, e)
			}
			if present && !found {
				env = append(env, Obj{"name": name, "value": value})
				changed = true
			}
			if env == nil {
				env = []interface{}{}
			}
			cm["env"] = env
		}
		if !changed {
			return errUnchanged
		}
		return nil
	}, false)
	return err == nil && changed
}

// fkOperatorSync plays one reconcile of the operator for every
// ForkliftController.
func fkOperatorSync(s *Store) {
	r := s.rel
	fcs, _ := s.List(kbGVRForkliftCtl, "", "")
	for _, fc := range fcs {
		ns := fkMetaStr(fc, "namespace")
		on := fkCopyOffloadGate(r, fc)
		img := "VSPHERE_XCOPY_VOLUME_POPULATOR_IMAGE"
		if r.Since("2.12") {
			img = "VSPHERE_COPY_OFFLOAD_POPULATOR_IMAGE"
		}
		for _, e := range []struct{ dep, name, value string }{
			{"forklift-controller", "FEATURE_COPY_OFFLOAD", "true"},
			{"forklift-volume-populator-controller", img, "quay.io/kubev2v/vsphere-copy-offload-populator:lab"}} {
			if fkSetEnv(s, ns, e.dep, e.name, e.value, on) {
				_, _ = s.Mutate(kbGVRDeployments, ns, e.dep, func(o Obj) error {
					fkSet(o, Obj{"replicas": 1, "updatedReplicas": 1, "availableReplicas": 1, "readyReplicas": 1}, "status")
					return nil
				}, true)
			}
		}
		gen := fkGet(fc, "metadata", "generation")
		if fkGet(fc, "status", "observedGeneration") == gen && gen != nil {
			continue
		}
		now := kbNow()
		_, _ = s.Mutate(kbGVRForkliftCtl, ns, fkMetaStr(fc, "name"), func(o Obj) error {
			o["status"] = Obj{"observedGeneration": gen, "conditions": []interface{}{
				Obj{"type": "Failure", "status": "False", "reason": "", "message": "", "lastTransitionTime": now},
				Obj{"type": "Running", "status": "True", "reason": "Successful",
					"message": "Awaiting next reconciliation", "lastTransitionTime": now},
				Obj{"type": "Successful", "status": "True", "reason": "Successful",
					"message": "Last reconciliation succeeded", "lastTransitionTime": now}}}
			return nil
		}, true)
	}
}

// startOperator re-renders on every ForkliftController change.
func startOperator(l *Lab, s *Store) func() {
	kick := make(chan struct{}, 1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	s.Watch(func(ev string, gvr GVR, o Obj) {
		if gvr == kbGVRForkliftCtl && ev != "DELETED" {
			select {
			case kick <- struct{}{}:
			default:
			}
		}
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			case <-kick:
				// the operator's reconcile is not instant
				time.Sleep(20 * time.Millisecond)
				fkOperatorSync(s)
			}
		}
	}()
	return func() { close(stop); wg.Wait() }
}

// copyOffloadFeature is the controller's settings.Features.CopyOffload:
// env FEATURE_COPY_OFFLOAD of its own Deployment (pkg/settings/features.go).
func (f *fkForklift) copyOffloadFeature() bool {
	deps, _ := f.s.List(kbGVRDeployments, "", "")
	for _, d := range deps {
		if fkMetaStr(d, "name") != "forklift-controller" {
			continue
		}
		for _, c := range fkSlice(d, "spec", "template", "spec", "containers") {
			cm, _ := c.(map[string]interface{})
			for _, e := range fkSlice(cm, "env") {
				em, _ := e.(map[string]interface{})
				if fkStr(em, "name") == "FEATURE_COPY_OFFLOAD" && fkStr(em, "value") == "true" {
					return true
				}
			}
		}
	}
	return false
}
