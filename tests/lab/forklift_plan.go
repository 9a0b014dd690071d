package main

// Map and Plan validation of the Forklift model: the condition types,
// categories and messages Forklift uses.

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// fkExecTypes are Plan conditions owned by the migration runner.
var fkExecTypes = map[string]bool{"Executing": true, "Succeeded": true, "Failed": true, "Canceled": true}

func fkKeepExec(t string) bool { return fkExecTypes[t] }

// providerPair validates spec.provider.{source,destination}.
func (f *fkForklift) providerPair(o Obj) (src, dst Obj, conds []fkCond) {
	get := func(which, label string) (Obj, []fkCond) {
		ns, name := fkStr(o, "spec", "provider", which, "namespace"), fkStr(o, "spec", "provider", which, "name")
		notValid := fkCond{Type: label + "ProviderNotValid", Category: fkCritical,
			Message: fmt.Sprintf("The %s provider is not valid.", strings.ToLower(label))}
		if ns == "" || name == "" {
			notValid.Reason = "NotSet"
			return nil, []fkCond{notValid}
		}
		p, err := f.s.Get(fkProviders, ns, name)
		if err != nil {
			notValid.Reason = "NotFound"
			return nil, []fkCond{notValid}
		}
		if !fkIsReady(p) {
			return p, []fkCond{{Type: label + "ProviderNotReady", Reason: "NotReady", Category: fkCritical,
				Message: fmt.Sprintf("The %s provider does not have a Ready condition.", strings.ToLower(label))}}
		}
		return p, nil
	}
	src, c1 := get("source", "Source")
	dst, c2 := get("destination", "Destination")
	conds = append(c1, c2...)
	if dst != nil && fkStr(dst, "spec", "type") != "openshift" {
		conds = append(conds, fkCond{Type: "DestinationProviderNotValid", Reason: "TypeNotValid", Category: fkCritical,
			Message: "The destination provider is not valid."})
	}
	return src, dst, conds
}

func fkRefOf(m Obj) (id, name string) { return fkStr(m, "id"), fkStr(m, "name") }

// findDatastore resolves a map source to a datastore: (ds, matches).
func (inv *fkInventory) findDatastore(id, name string) (*fkDatastore, int) {
	if id != "" {
		ds := inv.Datastores[id]
		if ds == nil {
			return nil, 0
		}
		return ds, 1
	}
	var found *fkDatastore
	n := 0
	for _, ds := range inv.Datastores {
		if ds.Name == name {
			found = ds
			n++
		}
	}
	return found, n
}

func (f *fkForklift) reconcileStorageMap(m Obj) {
	src, _, conds := f.providerPair(m)
	if src != nil && fkIsReady(src) && fkStr(src, "spec", "type") == "vsphere" {
		inv, _, err := f.inventory(src)
		if err != nil {
			f.logf("storagemap %s/%s: inventory: %v", fkNS(m), fkName(m), err)
			return
		}
		notFound := fkCond{Type: "SourceStorageNotValid", Reason: "NotFound", Category: fkWarn, Message: "Source storage not found."}
		ambiguous := fkCond{Type: "SourceStorageNotValid", Reason: "Ambiguous", Category: fkCritical, Message: "Source storage reference is ambiguous."}
		notSet := fkCond{Type: "SourceStorageNotValid", Reason: "NotSet", Category: fkCritical, Message: "Source storage: either `id` or `name` required."}
		dstNotFound := fkCond{Type: "DestinationStorageNotValid", Reason: "NotFound", Category: fkCritical, Message: "Destination storage class not found."}
		dstNotSet := fkCond{Type: "DestinationStorageNotValid", Reason: "NotSet", Category: fkCritical, Message: "Destination storage class not specified."}
		for _, e := range fkSlice(m, "spec", "map") {
			entry, _ := e.(map[string]interface{})
			id, name := fkRefOf(fkMap(entry, "source"))
			ref := fkRefString(id, name)
			switch _, n := inv.findDatastore(id, name); {
			case id == "" && name == "":
				notSet.Items = append(notSet.Items, ref)
			case n == 0:
				notFound.Items = append(notFound.Items, ref)
			case n > 1:
				ambiguous.Items = append(ambiguous.Items, ref)
			}
			sc := fkStr(entry, "destination", "storageClass")
			if sc == "" {
				dstNotSet.Items = append(dstNotSet.Items, ref)
			} else if _, err := f.s.Get(fkSCs, "", sc); err != nil {
				dstNotFound.Items = append(dstNotFound.Items, sc)
			}
		}
		for _, c := range []fkCond{notSet, ambiguous, notFound, dstNotSet, dstNotFound} {
			if len(c.Items) > 0 {
				conds = append(conds, c)
			}
		}
	}
	if !fkBlocker(conds) {
		conds = append(conds, fkCond{Type: "Ready", Category: fkRequired, Message: "The storage map is ready."})
	}
	f.writeConditions(fkStorMaps, m, conds, nil, nil)
}

func (f *fkForklift) reconcileNetworkMap(m Obj) {
	src, _, conds := f.providerPair(m)
	if src != nil && fkIsReady(src) && fkStr(src, "spec", "type") == "vsphere" {
		inv, _, err := f.inventory(src)
		if err != nil {
			f.logf("networkmap %s/%s: inventory: %v", fkNS(m), fkName(m), err)
			return
		}
		notFound := fkCond{Type: "SourceNetworkNotValid", Reason: "NotFound", Category: fkWarn, Message: "Source network not found."}
		dstNotValid := fkCond{Type: "DestinationNetworkNotValid", Reason: "NotValid", Category: fkCritical, Message: "Destination network not valid."}
		for _, e := range fkSlice(m, "spec", "map") {
			entry, _ := e.(map[string]interface{})
			id, name := fkRefOf(fkMap(entry, "source"))
			found := false
			for nid, nname := range inv.Networks {
				if (id != "" && nid == id) || (id == "" && name != "" && nname == name) {
					found = true
				}
			}
			if !found {
				notFound.Items = append(notFound.Items, fkRefString(id, name))
			}
			if fkStr(entry, "destination", "type") == "multus" && fkStr(entry, "destination", "name") == "" {
				dstNotValid.Items = append(dstNotValid.Items, fkRefString(id, name))
			}
		}
		for _, c := range []fkCond{notFound, dstNotValid} {
			if len(c.Items) > 0 {
				conds = append(conds, c)
			}
		}
	}
	if !fkBlocker(conds) {
		conds = append(conds, fkCond{Type: "Ready", Category: fkRequired, Message: "The network map is ready."})
	}
	f.writeConditions(fkNetMaps, m, conds, nil, nil)
}

// fkPlanWarm reports whether a plan is a warm migration.
func fkPlanWarm(plan Obj) bool {
	w, _ := fkBool(plan, "spec", "warm")
	return w || fkStr(plan, "spec", "type") == "warm"
}

// fkStorageEntry finds the storage map entry of a datastore.
func fkStorageEntry(smap Obj, ds *fkDatastore) Obj {
	if smap == nil || ds == nil {
		return nil
	}
	for _, e := range fkSlice(smap, "spec", "map") {
		entry, _ := e.(map[string]interface{})
		id, name := fkRefOf(fkMap(entry, "source"))
		if (id != "" && id == ds.ID) || (id == "" && name != "" && name == ds.Name) {
			return entry
		}
	}
	return nil
}

// fkUsesOffload reports whether any storage map entry has an offload plugin.
func fkUsesOffload(smap Obj) bool {
	for _, e := range fkSlice(smap, "spec", "map") {
		entry, _ := e.(map[string]interface{})
		if fkMap(entry, "offloadPlugin", "vsphereXcopyConfig") != nil {
			return true
		}
	}
	return false
}

// fkNetworkEntry finds the network map entry of a NIC.
func fkNetworkEntry(nmap Obj, nic fkNIC) Obj {
	for _, e := range fkSlice(nmap, "spec", "map") {
		entry, _ := e.(map[string]interface{})
		id, name := fkRefOf(fkMap(entry, "source"))
		if (id != "" && id == nic.Network) || (id == "" && name != "" && name == nic.NetName) {
			return entry
		}
	}
	return nil
}

// forkliftSetting reads a ForkliftController spec key (any namespace).
func (f *fkForklift) forkliftSetting(key string) string {
	f.mu.Lock()
	ignored := f.ignored[key]
	f.mu.Unlock()
	if ignored {
		return ""
	}
	fcs, _ := f.s.List(fkControllers, "", "")
	for _, fc := range fcs {
		if v := fkStr(fc, "spec", key); v != "" {
			return v
		}
	}
	return ""
}

// vddkImage is the VDDK init image of a source provider.
func (f *fkForklift) vddkImage(src Obj) string {
	if v := fkStr(src, "spec", "settings", "vddkInitImage"); v != "" {
		return v
	}
	return f.forkliftSetting("vddk_image")
}

// pvcTemplate is the PVC name template in force for one plan VM.
func (f *fkForklift) pvcTemplate(plan, pvm Obj) string {
	if t := fkStr(pvm, "pvcNameTemplate"); t != "" {
		return t
	}
	if t := fkStr(plan, "spec", "pvcNameTemplate"); t != "" {
		return t
	}
	return f.forkliftSetting("controller_pvc_name_template")
}

func fkPlanVMStatus(plan Obj, id string) Obj {
	for _, v := range fkSlice(plan, "status", "migration", "vms") {
		m, _ := v.(map[string]interface{})
		if fkStr(m, "id") == id {
			return m
		}
	}
	return nil
}

func fkVMSucceeded(vs Obj) bool {
	for _, c := range fkSlice(vs, "conditions") {
		m, _ := c.(map[string]interface{})
		if fkStr(m, "type") == "Succeeded" && fkStr(m, "status") == "True" {
			return true
		}
	}
	return false
}

func (f *fkForklift) reconcilePlan(plan Obj) {
	src, _, conds := f.providerPair(plan)
	archived, _ := fkBool(plan, "spec", "archived")
	write := func() {
		if archived {
			conds = append(conds, fkCond{Type: "Archived", Reason: "UserRequested", Category: fkAdvisory,
				Message: "The migration plan has been archived.", Durable: true})
		} else if !fkBlocker(conds) && !fkHasCond(conds, "ValidatingVDDK") {
			conds = append(conds, fkCond{Type: "Ready", Category: fkRequired, Message: "The migration plan is ready."})
		}
		f.writeConditions(fkPlans, plan, conds, fkKeepExec, nil)
	}
	if src == nil || !fkIsReady(src) {
		write()
		return
	}
	tns := fkStr(plan, "spec", "targetNamespace")
	if tns == "" {
		conds = append(conds, fkCond{Type: "NamespaceNotValid", Reason: "NotSet", Category: fkCritical, Message: "Target namespace is not valid."})
	} else if !fkIsDNSLabel(tns) {
		conds = append(conds, fkCond{Type: "NamespaceNotValid", Reason: "NotValid", Category: fkCritical, Message: "Target namespace is not valid."})
	}
	refMap := func(key, refType, notReadyType, label string, gvr GVR) Obj {
		ns, name := fkStr(plan, "spec", "map", key, "namespace"), fkStr(plan, "spec", "map", key, "name")
		c := fkCond{Type: refType, Category: fkCritical, Message: fmt.Sprintf("Map.%s is not valid.", label)}
		if ns == "" || name == "" {
			c.Reason = "NotSet"
			conds = append(conds, c)
			return nil
		}
		m, err := f.s.Get(gvr, ns, name)
		if err != nil {
			c.Reason = "NotFound"
			conds = append(conds, c)
			return nil
		}
		if !fkIsReady(m) {
			conds = append(conds, fkCond{Type: notReadyType, Category: fkCritical,
				Message: fmt.Sprintf("Map.%s does not have Ready condition.", label)})
		}
		return m
	}
	nmap := refMap("network", "NetworkMapRefNotValid", "NetworkMapNotReady", "Network", fkNetMaps)
	smap := refMap("storage", "StorageRefNotValid", "StorageMapNotReady", "Storage", fkStorMaps)

	warm := fkPlanWarm(plan)
	switch t := fkStr(plan, "spec", "type"); t {
	case "", "cold", "warm":
	default:
		conds = append(conds, fkCond{Type: "MigrationTypeNotValid", Reason: "NotSupported", Category: fkCritical,
			Message: fmt.Sprintf("Migration type %q is not supported by the source provider.", t)})
	}
	if fkStr(src, "spec", "type") == "vsphere" && f.vddkImage(src) != "" && tns != "" {
		conds = append(conds, f.validateVddkImage(plan, f.vddkImage(src))...)
	}
	if fkStr(src, "spec", "type") == "vsphere" && warm && f.vddkImage(src) == "" {
		conds = append(conds, fkCond{Type: "VDDKInitImageUnavailable", Reason: "NotSet", Category: fkCritical,
			Message: "VDDK image not set on the provider, this is required for the warm migration"})
	}
	if _, executing := fkConditions(plan)["Executing"]; !executing && fkStr(src, "spec", "type") == "vsphere" {
		vc, err := f.validateVMs(plan, src, nmap, smap, warm)
		if err != nil {
			f.logf("plan %s/%s: %v", fkNS(plan), fkName(plan), err)
			return
		}
		conds = append(conds, vc...)
	} else if executing {
		// Keep the VM conditions of the last validation while executing.
		for t, c := range fkConditions(plan) {
			if fkExecTypes[t] || t == "Ready" || fkHasCond(conds, t) {
				continue
			}
			cond := fkCond{Type: t, Reason: fkStr(c, "reason"), Category: fkStr(c, "category"), Message: fkStr(c, "message"),
				Suggestion: fkStr(c, "suggestion")}
			for _, it := range fkSlice(c, "items") {
				if s, ok := it.(string); ok {
					cond.Items = append(cond.Items, s)
				}
			}
			conds = append(conds, cond)
		}
	}
	write()
}

// validateVMs checks every plan VM against the inventory and the maps.
func (f *fkForklift) validateVMs(plan, src, nmap, smap Obj, warm bool) ([]fkCond, error) {
	inv, _, err := f.inventory(src)
	if err != nil {
		return nil, err
	}
	mk := func(typ, reason, cat, msg string) *fkCond {
		return &fkCond{Type: typ, Reason: reason, Category: cat, Message: msg}
	}
	refNotValid := mk("VMRefNotValid", "NotSet", fkCritical, "Either `ID` or `Name` required.")
	notFound := mk("VMNotFound", "NotFound", fkCritical, "VM not found.")
	notUnique := mk("DuplicateVM", "NotUnique", fkCritical, "Duplicate (source) VM.")
	ambiguous := mk("DuplicateVM", "Ambiguous", fkCritical, "VM reference is ambiguous.")
	nameNotValid := mk("TargetNameNotValid", "NotValid", fkWarn, "Target VM name does not comply with DNS1123 RFC, will be automatically changed.")
	alreadyExists := mk("VMAlreadyExists", "NotUnique", fkCritical, "Target VM already exists.")
	unmappedNet := mk("VMNetworksNotMapped", "NotValid", fkCritical, "VM has unmapped networks.")
	unmappedStor := mk("VMStorageNotMapped", "NotValid", fkCritical, "VM has unmapped storage.")
	maint := mk("HostNotReady", "InMaintenanceMode", fkWarn, "VM host is in maintenance mode.")
	multiPod := mk("VMMultiplePodNetworkMappings", "NotValid", fkCritical, "VM has more than one interface mapped to the pod network.")
	noCBT := mk("VMMissingChangedBlockTracking", "MissingChangedBlockTracking", fkCritical,
		"Changed Block Tracking (CBT) has not been enabled on some VM. This feature is a prerequisite for VM warm migration.")
	snaps := mk("VMHasSnapshots", "NotValid", fkCritical, "VM has pre-existing snapshots which are incompatible with warm migration.")
	pvcInvalid := mk("NotValid", "", fkCritical, "VM PVC name template is invalid.")
	targetInvalid := mk("NotValid", "", fkCritical, "TargetName is invalid.")
	targetNotUnique := mk("DuplicateVM", "NotUnique", fkCritical, "Duplicate targetName.")
	mixed := mk("VDDKAndOffloadMixedUsage", "NotSupported", fkCritical,
		"Copy offload is enabled. MTV does not support mixed copy methods. Each migration plan can use one migration strategy, "+
			"either VDDK or copy offload. Check your storage map and VMs to ensure they are using the same migration strategy.")

	offload := smap != nil && fkUsesOffload(smap) && f.copyOffloadFeature() // forklift_operator.go
	tns := fkStr(plan, "spec", "targetNamespace")
	ids := map[string]bool{}
	targets := map[string]bool{}
	for _, e := range fkSlice(plan, "spec", "vms") {
		pvm, _ := e.(map[string]interface{})
		id, name := fkRefOf(pvm)
		ref := fkRefString(id, name)
		if id == "" && name == "" {
			refNotValid.Items = append(refNotValid.Items, ref)
			continue
		}
		vm, n := inv.findVM(id, name)
		if vm != nil && fkVMSucceeded(fkPlanVMStatus(plan, vm.ID)) {
			continue
		}
		if n == 0 {
			notFound.Items = append(notFound.Items, ref)
			continue
		}
		if n > 1 {
			ambiguous.Items = append(ambiguous.Items, ref)
			continue
		}
		targetName := fkStr(pvm, "targetName")
		if targetName == "" {
			if !fkIsDNSSubdomain(vm.Name) {
				nameNotValid.Items = append(nameNotValid.Items, ref)
			}
		} else {
			if !fkIsDNSSubdomain(targetName) {
				targetInvalid.Items = append(targetInvalid.Items, ref)
			}
			if targets[targetName] {
				targetNotUnique.Items = append(targetNotUnique.Items, ref)
			}
			targets[targetName] = true
		}
		if ids[vm.ID] {
			notUnique.Items = append(notUnique.Items, ref)
		}
		ids[vm.ID] = true
		if nmap != nil {
			pods := 0
			mapped := true
			for _, nic := range vm.NICs {
				entry := fkNetworkEntry(nmap, nic)
				if entry == nil {
					mapped = false
					continue
				}
				if fkStr(entry, "destination", "type") == "pod" {
					pods++
				}
			}
			if !mapped {
				unmappedNet.Items = append(unmappedNet.Items, ref)
			}
			if pods > 1 {
				multiPod.Items = append(multiPod.Items, ref)
			}
		}
		if smap != nil {
			mapped, vddk := true, false
			for _, d := range vm.Disks {
				entry := fkStorageEntry(smap, inv.Datastores[d.Datastore])
				if entry == nil {
					mapped = false
					vddk = true
					continue
				}
				if fkMap(entry, "offloadPlugin", "vsphereXcopyConfig") == nil {
					vddk = true
				}
			}
			if !mapped {
				unmappedStor.Items = append(unmappedStor.Items, ref)
			}
			if offload && vddk {
				mixed.Items = append(mixed.Items, ref)
			}
		}
		if vm.HostInMaintMode {
			maint.Items = append(maint.Items, ref)
		}
		if warm {
			if !vm.CBT {
				noCBT.Items = append(noCBT.Items, ref)
			}
			if vm.Snapshots > 0 {
				snaps.Items = append(snaps.Items, ref)
			}
		}
		tname := fkTargetVMName(vm.Name, targetName)
		tpl := f.pvcTemplate(plan, pvm)
		for i, d := range vm.Disks {
			data := fkPVCTemplateData{VmName: vm.Name, TargetVmName: fkResolveTargetVmName(tname), PlanName: fkName(plan),
				DiskIndex: i, VmId: vm.ID, FileName: fkBaseName(d.File), Shared: d.Shared}
			if _, err := fkPVCBaseName(tpl, data); err != nil {
				pvcInvalid.Items = append(pvcInvalid.Items, ref)
				break
			}
		}
		if tns != "" {
			if kvm, err := f.s.Get(fkKVMs, tns, tname); err == nil && fkLabels(kvm)["plan"] != fkUID(plan) {
				alreadyExists.Items = append(alreadyExists.Items, ref)
			}
		}
	}
	var out []fkCond
	for _, c := range []*fkCond{refNotValid, notFound, notUnique, alreadyExists, nameNotValid, ambiguous, unmappedNet,
		unmappedStor, maint, multiPod, noCBT, snaps, pvcInvalid, targetInvalid, targetNotUnique, mixed} {
		if len(c.Items) > 0 {
			out = append(out, *c)
		}
	}
	return out, nil
}

// fkBaseName is the file name of "[ds] dir/file.vmdk".
func fkBaseName(file string) string {
	if i := strings.LastIndex(file, "/"); i >= 0 {
		return file[i+1:]
	}
	if i := strings.Index(file, "] "); i >= 0 {
		return file[i+2:]
	}
	return file
}

// admit rejects what Forklift's validating webhooks reject.
func (f *fkForklift) admit(op string, gvr GVR, obj, old Obj) *StatusError {
	deny := func(hook, msg string) *StatusError {
		return &StatusError{Code: 400, Reason: "BadRequest",
			Message: fmt.Sprintf("admission webhook %q denied the request: %s", hook, msg)}
	}
	switch gvr {
	case fkProviders:
		if fkStr(obj, "spec", "type") == "vsphere" {
			ep := fkStr(obj, "spec", "settings", "sdkEndpoint")
			if ep != "" && ep != "vcenter" && ep != "esxi" {
				return deny("validate-providers.forklift.konveyor.io", "vSphere provider is set with an invalid SDK endpoint type")
			}
			if m := fkStr(obj, "spec", "settings", "esxiCloneMethod"); m != "" && m != "vib" && m != "ssh" {
				return deny("validate-providers.forklift.konveyor.io", fmt.Sprintf("invalid esxiCloneMethod %q: must be vib or ssh", m))
			}
		}
	case fkPlans:
		if op != "CREATE" {
			return nil
		}
		for _, which := range []string{"source", "destination"} {
			ns, name := fkStr(obj, "spec", "provider", which, "namespace"), fkStr(obj, "spec", "provider", which, "name")
			if ns == "" || name == "" {
				continue
			}
			if _, err := f.s.Get(fkProviders, ns, name); err != nil {
				return deny("validate-plans.forklift.konveyor.io",
					fmt.Sprintf("failed to get %s provider '%s/%s': %v", which, ns, name, err))
			}
		}
	}
	return nil
}

// fkVddkJob is the lab's record of one VDDK image validation Job.
type fkVddkJob struct {
	pod     string
	started time.Time
	done    bool
}

// fkVddkImageValid is what the lab's validator Job finds in an image: a
// pullable image holds the VDDK library when its repository name contains
// "vddk" (registry.lab.local/vddk:8.0.3, quay.io/lab/vddk:8); any other
// image (quay.io/lab/busybox:1.36) has none and the Job fails.
func fkVddkImageValid(image string) bool {
	repo := image
	if i := strings.LastIndex(repo, "/"); i >= 0 {
		repo = repo[i+1:]
	}
	if i := strings.IndexAny(repo, ":@"); i >= 0 {
		repo = repo[:i]
	}
	return strings.Contains(strings.ToLower(repo), "vddk")
}

// validateVddkImage is validateVddkImage/validateVddkImageJob
// (pkg/controller/plan/validation.go, 2.10 to main): one Job per plan and
// image (labels plan=<uid>, vddk=<md5 of the image>) in the target
// namespace, generateName vddk-validator-<plan>-; the lab models its pod
// (label job-name), which runs vddk_validate_s (control_url rates). While
// it runs the plan has ValidatingVDDK (so no Ready); a failed Job gives
// VDDKInvalid.
func (f *fkForklift) validateVddkImage(plan Obj, image string) []fkCond {
	tns := fkStr(plan, "spec", "targetNamespace")
	sum := md5.Sum([]byte(image))
	key := fkUID(plan) + "/" + hex.EncodeToString(sum[:])
	f.mu.Lock()
	job := f.vddkJobs[key]
	f.mu.Unlock()
	validating := fkCond{Type: "ValidatingVDDK", Reason: "Started", Category: fkAdvisory, Message: "Validating VDDK init image"}
	if job == nil {
		if err := f.ensureNamespace(tns); err != nil {
			return []fkCond{validating}
		}
		jobName := "vddk-validator-" + fkName(plan) + "-" + fkRandSuffix(5)
		pod, err := f.s.Create(fkPods, tns, Obj{"apiVersion": "v1", "kind": "Pod",
			"metadata": Obj{"name": jobName + "-" + fkRandSuffix(5), "namespace": tns,
				"labels": Obj{"job-name": jobName, "plan": fkUID(plan), "vddk": hex.EncodeToString(sum[:])}},
			"spec": Obj{"restartPolicy": "Never",
				"initContainers": []interface{}{Obj{"name": "vddk-side-car", "image": image}},
				"containers":     []interface{}{Obj{"name": "validator", "image": "quay.io/kubev2v/forklift-virt-v2v:lab"}}}})
		if err != nil {
			f.logf("plan %s/%s: vddk validation pod: %v", fkNS(plan), fkName(plan), err)
			return []fkCond{validating}
		}
		f.setPodPhase(tns, fkName(pod), "Running")
		job = &fkVddkJob{pod: fkName(pod), started: time.Now()}
		f.mu.Lock()
		if f.vddkJobs == nil {
			f.vddkJobs = map[string]*fkVddkJob{}
		}
		f.vddkJobs[key] = job
		d := time.Duration(f.rates.VddkValidateS * float64(time.Second))
		f.mu.Unlock()
		time.AfterFunc(d+10*time.Millisecond, f.kick)
	}
	rates := f.getRates()
	if !job.done && time.Since(job.started) < time.Duration(rates.VddkValidateS*float64(time.Second)) {
		return []fkCond{validating}
	}
	valid := fkVddkImageValid(image)
	if !job.done {
		job.done = true
		phase := "Succeeded"
		if !valid {
			phase = "Failed"
		}
		f.setPodPhase(tns, job.pod, phase)
	}
	if !valid {
		return []fkCond{{Type: "VDDKInvalid", Reason: "NotSet", Category: fkCritical, Message: "VDDK init image is invalid"}}
	}
	return nil
}
