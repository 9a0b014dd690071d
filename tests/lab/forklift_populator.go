package main

// Copy-offload populator model: per-VM/per-disk secrets, populator PVCs,
// VSphereXcopyVolumePopulator CRs, populate-<pvcUID> pods with their logs,
// PVs; and CDI DataVolumes for VDDK plans.

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fkDiskJob is the copy of one disk.
type fkDiskJob struct {
	idx        int
	disk       fkDisk
	ds         *fkDatastore
	file       string
	pvcName    string
	pvcUID     string
	secretName string
	vendor     string
	sc         string
	volumeMode string
	accessMode string
	offload    bool
	host       string // ESXi host MoID doing the copy
	vendorData map[string]string
	task       *fkTaskSt
}

// fkQuantity renders a byte count as a Kubernetes quantity.
func fkQuantity(b int64) string {
	for _, u := range []struct {
		s string
		n int64
	}{{"Ti", 1 << 40}, {"Gi", 1 << 30}, {"Mi", 1 << 20}, {"Ki", 1 << 10}} {
		if b >= u.n && b%u.n == 0 {
			return fmt.Sprintf("%d%s", b/u.n, u.s)
		}
	}
	return strconv.FormatInt(b, 10)
}

// scSupports reports whether the storage class can provision the mode.
func (f *fkForklift) scSupports(sc, volumeMode, accessMode string) (bool, string) {
	if _, err := f.s.Get(fkSCs, "", sc); err != nil {
		return false, fmt.Sprintf("storageclass.storage.k8s.io %q not found", sc)
	}
	prof, err := f.s.Get(kbGVRStorageProfiles, "", sc)
	if err != nil {
		return true, "" // no profile: trust the class
	}
	for _, cps := range fkSlice(prof, "status", "claimPropertySets") {
		m, _ := cps.(map[string]interface{})
		if fkStr(m, "volumeMode") != volumeMode {
			continue
		}
		for _, am := range fkSlice(m, "accessModes") {
			if s, _ := am.(string); s == accessMode {
				return true, ""
			}
		}
	}
	return false, fmt.Sprintf("failed to provision volume with StorageClass %q: volume mode %q with access mode %q is not supported by the storage class",
		sc, volumeMode, accessMode)
}

// fkVendorKeys are the keys each storage vendor's populator requires
// beyond STORAGE_HOSTNAME and the credentials, with its failure message.
var fkVendorKeys = map[string][]struct{ key, msg string }{
	"ontap":          {{"ONTAP_SVM", "failed to initialize Ontap client: cannot derive SVM to use; please specify ONTAP_SVM"}},
	"vantara":        {{"STORAGE_PORT", "STORAGE_PORT is required for vantara"}, {"STORAGE_ID", "STORAGE_ID is required for vantara"}, {"HOSTGROUP_ID_LIST", "HOSTGROUP_ID_LIST is required for vantara"}},
	"pureFlashArray": {{"PURE_CLUSTER_PREFIX", "PURE_CLUSTER_PREFIX is required for pureFlashArray (px_<8 chars of the StorageCluster clusterUid>)"}},
	"powerflex":      {{"POWERFLEX_SYSTEM_ID", "Please set POWERFLEX_SYSTEM_ID in the storage secret"}},
	"powermax":       {{"POWERMAX_SYMMETRIX_ID", "Please set POWERMAX_SYMMETRIX_ID in the storage secret"}, {"POWERMAX_PORT_GROUP_NAME", "Please set POWERMAX_PORT_GROUP_NAME in the storage secret"}},
}

// fkVendorCheck returns the populator's start-up error for a vendor secret.
func fkVendorCheck(vendor string, d map[string]string) string {
	known := false
	for _, v := range kbVendors {
		known = known || v == vendor
	}
	if !known {
		return fmt.Sprintf("Unsupported storage vendor %q", vendor)
	}
	if d["STORAGE_HOSTNAME"] == "" {
		return "STORAGE_HOSTNAME is required"
	}
	if d["STORAGE_TOKEN"] == "" && (d["STORAGE_USERNAME"] == "" || d["STORAGE_PASSWORD"] == "") {
		return "either STORAGE_TOKEN or both STORAGE_USERNAME and STORAGE_PASSWORD must be provided"
	}
	for _, k := range fkVendorKeys[vendor] {
		if d[k.key] == "" {
			return k.msg
		}
	}
	return ""
}

// fkMergeVendor applies the CSI-secret aliases of mergeSecrets.
func fkMergeVendor(d map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range d {
		out[k] = v
	}
	for from, to := range map[string]string{"management_address": "STORAGE_HOSTNAME", "username": "STORAGE_USERNAME", "password": "STORAGE_PASSWORD"} {
		if v := d[from]; v != "" && out[to] == "" {
			out[to] = v
		}
	}
	return out
}

func (r *fkRun) labels(v *fkVMRun) Obj {
	return Obj{"migration": r.migUID, "plan": r.planUID, "vmID": v.vm.ID}
}

// createVolumes is the CreateDataVolumes phase.
func (r *fkRun) createVolumes(v *fkVMRun, warm bool) ([]*fkDiskJob, error) {
	f := r.f
	offload := fkUsesOffload(r.smap) && f.copyOffloadFeature() // forklift_operator.go
	srcSec, err := f.s.Get(fkSecrets, fkStr(r.src, "spec", "secret", "namespace"), fkStr(r.src, "spec", "secret", "name"))
	if err != nil {
		return nil, fmt.Errorf("failed to get provider secret: %v", err)
	}
	provData := fkSecretData(srcSec)
	tname := fkTargetVMName(v.vm.Name, fkStr(v.spec, "targetName"))
	tpl := f.pvcTemplate(r.plan, v.spec)
	var jobs []*fkDiskJob
	for i, d := range v.vm.Disks {
		ds := r.inv.Datastores[d.Datastore]
		entry := fkStorageEntry(r.smap, ds)
		if entry == nil {
			return nil, fmt.Errorf("datastore of disk %q is not mapped", d.File)
		}
		j := &fkDiskJob{idx: i, disk: d, ds: ds, file: d.File, sc: fkStr(entry, "destination", "storageClass"),
			accessMode: fkStr(entry, "destination", "accessMode"), volumeMode: fkStr(entry, "destination", "volumeMode")}
		if warm {
			j.file = d.BaseFile
		}
		data := fkPVCTemplateData{VmName: v.vm.Name, TargetVmName: fkResolveTargetVmName(tname), PlanName: r.planName,
			DiskIndex: i, VmId: v.vm.ID, FileName: fkBaseName(d.File), Shared: d.Shared}
		base, err := fkPVCBaseName(tpl, data)
		if err != nil {
			return nil, fmt.Errorf("VM PVC name template is invalid: %v", err)
		}
		if offload {
			cfg := fkMap(entry, "offloadPlugin", "vsphereXcopyConfig")
			j.offload = true
			j.vendor = fkStr(cfg, "storageVendorProduct")
			secName := fkStr(cfg, "secretRef")
			vs, err := f.s.Get(fkSecrets, fkNS(r.src), secName)
			if err != nil {
				return nil, fmt.Errorf("failed to get storage secret %s/%s: %v", fkNS(r.src), secName, err)
			}
			j.vendorData = fkMergeVendor(fkSecretData(vs))
			j.volumeMode = "Block"
			if j.accessMode == "" {
				j.accessMode = "ReadWriteMany"
			}
			j.pvcName = fkPopulatorPVCName(base, fkPopulatorSuffix(r.migUID, v.vm.ID, d.Key, j.file, i))
		} else {
			if j.accessMode == "" {
				j.accessMode = "ReadWriteOnce"
			}
			if j.volumeMode == "" {
				j.volumeMode = "Filesystem"
			}
			j.pvcName = fkPopulatorPVCName(base, fkRandSuffix(5))
		}
		jobs = append(jobs, j)
	}
	if offload {
		if err := r.createPopulatorObjects(v, jobs, provData); err != nil {
			return nil, err
		}
	} else {
		if err := r.createDataVolumes(v, jobs); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	step := v.step("DiskTransfer")
	for _, j := range jobs {
		j.task = &fkTaskSt{Name: j.file, Phase: "Pending", Progress: fkProg{Total: fkMB(j.disk.Capacity)},
			Annotations: map[string]string{"unit": "MB"}}
		step.Tasks = append(step.Tasks, j.task)
	}
	r.mu.Unlock()
	r.flush()
	return jobs, nil
}

func (r *fkRun) createPopulatorObjects(v *fkVMRun, jobs []*fkDiskJob, provData map[string]string) error {
	f := r.f
	tns := fkStr(r.plan, "spec", "targetNamespace")
	if _, err := f.s.Create(fkSAs, tns, Obj{"apiVersion": "v1", "kind": "ServiceAccount",
		"metadata": Obj{"name": "populator", "namespace": tns}}); err != nil && !IsStatus(err, 409) {
		return err
	}
	baseLabels := r.labels(v)
	baseLabels["plan-name"] = r.planName
	baseLabels["plan-namespace"] = r.planNS
	baseLabels["resource"] = "vm-config"
	baseLabels["isPopulator"] = "true"
	base, err := f.s.Create(fkSecrets, tns, Obj{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": Obj{"generateName": r.planName + "-" + v.vm.ID + "-", "namespace": tns, "labels": baseLabels},
		"data":     fkEncodeData(provData)})
	if err != nil {
		return fmt.Errorf("failed to create the plan secret: %v", err)
	}
	v.baseSec = fkName(base)
	u, _ := url.Parse(fkStr(r.src, "spec", "url"))
	host := ""
	if u != nil {
		host = u.Host
	}
	method := fkStr(r.src, "spec", "settings", "esxiCloneMethod")
	if method == "" {
		method = "vib"
	}
	var sshPriv, sshPub string
	if method == "ssh" {
		ns, sb := fkNS(r.src), fkSSHSecretBase(fkName(r.src))
		if s, err := f.s.Get(fkSecrets, ns, sb+"-private"); err == nil {
			sshPriv = fkSecretData(s)["private-key"]
		}
		if s, err := f.s.Get(fkSecrets, ns, sb+"-public"); err == nil {
			sshPub = fkSecretData(s)["public-key"]
		}
	}
	for i, j := range jobs {
		labels := r.labels(v)
		labels["vmdkKey"] = strconv.Itoa(int(j.disk.Key))
		if v.vm.Host != "" && f.mtv().PopulatorInflight {
			labels["sourceHost"] = v.vm.Host // builder.go, 2.11+
		}
		pvc := Obj{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
			"metadata": Obj{"name": j.pvcName, "namespace": tns, "labels": labels,
				"annotations": Obj{"forklift.konveyor.io/disk-source": j.file, "copy-offload": j.file,
					"cdi.kubevirt.io/storage.import.secretName": v.baseSec + "-" + strconv.Itoa(i)}},
			"spec": Obj{"accessModes": []interface{}{j.accessMode}, "volumeMode": "Block", "storageClassName": j.sc,
				"resources":     Obj{"requests": Obj{"storage": fkQuantity(j.disk.Capacity)}},
				"dataSourceRef": Obj{"apiGroup": fkGroup, "kind": "VSphereXcopyVolumePopulator", "name": j.pvcName}}}
		created, err := f.s.Create(fkPVCs, tns, pvc)
		if IsStatus(err, 409) {
			created, err = f.s.Get(fkPVCs, tns, j.pvcName)
		}
		if err != nil {
			return fmt.Errorf("failed to create PVC %s: %v", j.pvcName, err)
		}
		_, _ = f.s.Mutate(fkPVCs, tns, j.pvcName, func(o Obj) error {
			fkSet(o, Obj{"phase": "Pending"}, "status")
			return nil
		}, true)
		j.pvcUID = fkUID(created)
		v.pvcs = append(v.pvcs, j.pvcName)
		if i == 0 {
			_, _ = f.s.Mutate(fkSecrets, tns, v.baseSec, func(o Obj) error {
				fkSet(o, []interface{}{fkOwnerRef(created, false)}, "metadata", "ownerReferences")
				return nil
			}, false)
		}
		data := map[string]string{}
		for k, val := range provData {
			data[k] = val
		}
		for k, val := range j.vendorData {
			data[k] = val
		}
		data["GOVMOMI_USERNAME"] = provData["user"]
		data["GOVMOMI_PASSWORD"] = provData["password"]
		data["GOVMOMI_HOSTNAME"] = host
		data["GOVMOMI_INSECURE"] = provData["insecureSkipVerify"]
		data["ESXI_CLONE_METHOD"] = method
		data["HOST_LEASE_NAMESPACE"] = "openshift-mtv"
		data["HOST_LEASE_DURATION_SECONDS"] = "10"
		if method == "ssh" {
			data["SSH_PRIVATE_KEY"] = sshPriv
			data["SSH_PUBLIC_KEY"] = sshPub
		}
		j.secretName = v.baseSec + "-" + strconv.Itoa(i)
		if _, err := f.s.Create(fkSecrets, tns, Obj{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
			"metadata": Obj{"name": j.secretName, "namespace": tns, "labels": r.labels(v),
				"ownerReferences": []interface{}{fkOwnerRef(created, true)}},
			"data": fkEncodeData(data)}); err != nil && !IsStatus(err, 409) {
			return fmt.Errorf("failed to create the disk secret %s: %v", j.secretName, err)
		}
		spec := Obj{"vmId": v.vm.ID, "vmdkPath": j.file, "secretName": j.secretName, "storageVendorProduct": j.vendor}
		j.host = v.vm.Host
		if hosts := fkSlice(fkMap(fkStorageEntry(r.smap, j.ds), "offloadPlugin", "vsphereXcopyConfig"), "dedicatedMigrationHosts"); len(hosts) > 0 {
			if h, _ := hosts[i%len(hosts)].(string); h != "" {
				spec["migrationHost"] = h
				j.host = h
			}
		}
		if _, err := f.s.Create(fkPopulators, tns, Obj{"apiVersion": fkGroup + "/v1beta1", "kind": "VSphereXcopyVolumePopulator",
			"metadata": Obj{"name": j.pvcName, "namespace": tns, "labels": labels,
				"ownerReferences": []interface{}{fkOwnerRef(created, true)}},
			"spec": spec}); err != nil && !IsStatus(err, 409) {
			return fmt.Errorf("failed to create the populator CR %s: %v", j.pvcName, err)
		}
	}
	return nil
}

func (r *fkRun) createDataVolumes(v *fkVMRun, jobs []*fkDiskJob) error {
	f := r.f
	tns := fkStr(r.plan, "spec", "targetNamespace")
	for _, j := range jobs {
		labels := r.labels(v)
		labels["vmdkKey"] = strconv.Itoa(int(j.disk.Key))
		dv := Obj{"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
			"metadata": Obj{"name": j.pvcName, "namespace": tns, "labels": labels,
				"annotations": Obj{"forklift.konveyor.io/disk-source": j.file, "cdi.kubevirt.io/storage.bind.immediate.requested": "true"}},
			"spec": Obj{"source": Obj{"vddk": Obj{"backingFile": j.file, "url": fkStr(r.src, "spec", "url"), "uuid": v.vm.UUID,
				"thumbprint": fkStr(r.src, "status", "fingerprint"), "secretRef": v.baseSec,
				"initImageURL": f.vddkImage(r.src)}},
				"storage": Obj{"storageClassName": j.sc, "accessModes": []interface{}{j.accessMode}, "volumeMode": j.volumeMode,
					"resources": Obj{"requests": Obj{"storage": fkQuantity(j.disk.Capacity)}}}}}
		created, err := f.s.Create(fkDVs, tns, dv)
		if err != nil && !IsStatus(err, 409) {
			return fmt.Errorf("failed to create DataVolume %s: %v", j.pvcName, err)
		}
		if created == nil {
			created, _ = f.s.Get(fkDVs, tns, j.pvcName)
		}
		pvc, err := f.s.Create(fkPVCs, tns, Obj{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
			"metadata": Obj{"name": j.pvcName, "namespace": tns, "labels": labels,
				"annotations":     Obj{"forklift.konveyor.io/disk-source": j.file, "cdi.kubevirt.io/storage.contentType": "kubevirt"},
				"ownerReferences": []interface{}{fkOwnerRef(created, true)}},
			"spec": Obj{"accessModes": []interface{}{j.accessMode}, "volumeMode": j.volumeMode, "storageClassName": j.sc,
				"resources": Obj{"requests": Obj{"storage": fkQuantity(j.disk.Capacity)}}}})
		if IsStatus(err, 409) {
			pvc, err = f.s.Get(fkPVCs, tns, j.pvcName)
		}
		if err != nil {
			return err
		}
		j.pvcUID = fkUID(pvc)
		v.pvcs = append(v.pvcs, j.pvcName)
		_, _ = f.s.Mutate(fkDVs, tns, j.pvcName, func(o Obj) error {
			fkSet(o, Obj{"phase": "ImportScheduled", "progress": "N/A"}, "status")
			return nil
		}, true)
	}
	return nil
}

// fkKlog formats one populator log line like klog's structured output.
func fkKlog(sev byte, line int, msg string, kv ...string) string {
	var b strings.Builder
	now := time.Now().UTC()
	fmt.Fprintf(&b, "%c%s %7d populator.go:%d] %q", sev, now.Format("0102 15:04:05.000000"), 1, line, msg)
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		if strings.ContainsAny(v, " \"[]=") || v == "" {
			v = strconv.Quote(v)
		}
		fmt.Fprintf(&b, " %s=%s", kv[i], v)
	}
	b.WriteByte('\n')
	return b.String()
}

// copyDisks runs every disk copy of the VM and waits for all.
func (r *fkRun) copyDisks(v *fkVMRun, jobs []*fkDiskJob) bool {
	var wg sync.WaitGroup
	reasons := make([]string, len(jobs))
	for i, j := range jobs {
		wg.Add(1)
		go func(i int, j *fkDiskJob) {
			defer wg.Done()
			if j.offload {
				reasons[i] = r.populate(v, j)
			} else {
				reasons[i] = r.importDV(v, j)
			}
		}(i, j)
	}
	wg.Wait()
	if r.isStopped() {
		return false
	}
	if r.canceled(v) {
		r.cancelVM(v)
		return false
	}
	var errs []string
	for _, s := range reasons {
		if s != "" {
			errs = append(errs, s)
		}
	}
	if len(errs) > 0 {
		r.failVM(v, "CopyDisks", errs...)
		return false
	}
	return true
}

// progress updates one task and the DiskTransfer step.
func (r *fkRun) progress(v *fkVMRun, j *fkDiskJob, doneMB int64) {
	r.mu.Lock()
	j.task.Progress.Completed = doneMB
	step := v.step("DiskTransfer")
	var sum int64
	for _, t := range step.Tasks {
		sum += t.Progress.Completed
	}
	step.Progress.Completed = sum
	r.mu.Unlock()
	r.flush()
}

func (r *fkRun) taskFail(v *fkVMRun, j *fkDiskJob, msg string) {
	r.mu.Lock()
	j.task.Phase = "Completed"
	j.task.Completed = fkNow()
	j.task.Error = &fkErr{Phase: "Failed", Reasons: []string{msg}}
	r.mu.Unlock()
}

// waitPVCProvisioning models the provisioner: a class that cannot give the
// PVC's mode leaves it Pending with ProvisioningFailed events.
func (r *fkRun) waitPVCProvisioning(v *fkVMRun, j *fkDiskJob) string {
	f := r.f
	tns := fkStr(r.plan, "spec", "targetNamespace")
	ok, why := f.scSupports(j.sc, j.volumeMode, j.accessMode)
	if ok {
		return ""
	}
	if pvc, err := f.s.Get(fkPVCs, tns, j.pvcName); err == nil {
		f.s.Event(tns, pvc, "Warning", "ProvisioningFailed", why)
	}
	rates := f.getRates()
	if !r.wait(time.Duration(rates.PVCPendingS*float64(time.Second)), func() bool { return r.canceled(v) }) {
		return "stopped"
	}
	msg := fmt.Sprintf("PVC %s/%s is Pending: %s", tns, j.pvcName, why)
	r.taskFail(v, j, msg)
	return msg
}

// fkRDMVendors are the vendors whose populator has the RDM path (clone
// method rdm, the array copies the LUN, xcopyUsed 0 by design); any other
// vendor copies an RDM disk through vmkfstools like a VMDK
// (cmd/vsphere-copy-offload-populator/internal/populator/factory.go, the
// vendors implementing RDMCapable).
var fkRDMVendors = map[string]bool{"pureFlashArray": true, "primera3par": true, "flashsystem": true, "vantara": true}

// throttleHost is the ESXi host the populator controller throttles a
// PVC's pod on (populator-machinery/controller.go syncPvc): the CR's
// spec.migrationHost where the release reads it, else its sourceHost label.
func (f *fkForklift) throttleHost(v *fkVMRun, j *fkDiskJob) string {
	if f.mtv().ThrottleMigrationHost && j.host != "" {
		return j.host
	}
	return v.vm.Host
}

// activePopulators counts the populate pods labelled sourceHost=host in
// phase Pending or Running, in every namespace
// (countActivePopulatorPodsForHost).
func (f *fkForklift) activePopulators(host string) int {
	pods, err := f.s.List(fkPods, "", "sourceHost="+host)
	if err != nil {
		return 0
	}
	n := 0
	for _, p := range pods {
		if ph := fkStr(p, "status", "phase"); ph == "Pending" || ph == "Running" {
			n++
		}
	}
	return n
}

// startPopulatePod is the populator controller's decision for one PVC:
// while MAX_POPULATOR_INFLIGHT pods are in flight on the PVC's host
// (2.11+), the PVC waits with a PopulatorThrottled event (Normal, repeated
// on every re-check, which upstream does every 10 s); then the prime PVC
// and the pod populate-<pvcUID> are created, Pending first.
func (r *fkRun) startPopulatePod(v *fkVMRun, j *fkDiskJob, pvc Obj) (string, string) {
	f := r.f
	rel := f.mtv()
	tns := fkStr(r.plan, "spec", "targetNamespace")
	host := f.throttleHost(v, j)
	limit := 0
	if rel.PopulatorInflight {
		limit = 20
		if n := f.forkliftSetting("controller_max_populator_inflight"); n != "" {
			fmt.Sscanf(n, "%d", &limit)
		}
	}
	var lastEvent time.Time
	for i := 0; ; i++ {
		if r.isStopped() {
			return "", "stopped"
		}
		if r.canceled(v) {
			return "", "canceled"
		}
		f.popMu.Lock()
		active := 0
		if limit > 0 && host != "" {
			active = f.activePopulators(host)
		}
		if limit <= 0 || host == "" || active < limit {
			break // popMu stays held until the pod exists
		}
		f.popMu.Unlock()
		if time.Since(lastEvent) >= 10*time.Second {
			lastEvent = time.Now()
			f.s.Event(tns, pvc, "Normal", "PopulatorThrottled",
				fmt.Sprintf("Waiting for available populator slot on host %s (%d/%d in-flight)", host, active, limit))
		}
		f.schedWait(r, 100*time.Millisecond)
	}
	defer f.popMu.Unlock()
	prime := "prime-" + j.pvcUID
	_, _ = f.s.Create(fkPVCs, tns, Obj{"apiVersion": "v1", "kind": "PersistentVolumeClaim",
		"metadata": Obj{"name": prime, "namespace": tns, "labels": r.labels(v),
			"ownerReferences": []interface{}{fkOwnerRef(pvc, false)}},
		"spec": Obj{"accessModes": []interface{}{j.accessMode}, "volumeMode": "Block", "storageClassName": j.sc,
			"resources": Obj{"requests": Obj{"storage": fkQuantity(j.disk.Capacity)}}}})
	pod := "populate-" + j.pvcUID
	// Pod labels per release: pvcName and migration always; sourceHost
	// from 2.11; vmID and plan from 2.12.
	podLabels := Obj{"pvcName": j.pvcName, "migration": r.migUID}
	if rel.PopulatorInflight && host != "" {
		podLabels["sourceHost"] = host
	}
	if rel.ThrottleMigrationHost {
		podLabels["vmID"] = v.vm.ID
		podLabels["plan"] = r.planUID
	}
	args := []interface{}{"--source-vm-id=" + v.vm.ID, "--source-vmdk=" + j.file, "--target-namespace=" + tns,
		"--cr-name=" + j.pvcName, "--cr-namespace=" + tns, "--owner-name=" + j.pvcName, "--secret-name=" + j.secretName,
		"--storage-vendor-product=" + j.vendor, "--pvc-size=" + strconv.FormatInt(j.disk.Capacity, 10), "--owner-uid=" + j.pvcUID}
	if _, err := f.s.Create(fkPods, tns, Obj{"apiVersion": "v1", "kind": "Pod",
		"metadata": Obj{"name": pod, "namespace": tns, "labels": podLabels,
			"ownerReferences": []interface{}{fkOwnerRef(pvc, false)}},
		"spec": Obj{"serviceAccountName": "populator", "restartPolicy": "Never",
			"containers": []interface{}{Obj{"name": "populate", "image": "quay.io/kubev2v/vsphere-copy-offload-populator:lab",
				"args": args, "envFrom": []interface{}{Obj{"secretRef": Obj{"name": j.secretName}}}}}},
		"status": Obj{"phase": "Pending"}}); err != nil && !IsStatus(err, 409) {
		return "", fmt.Sprintf("failed to create populator pod: %v", err)
	}
	f.setPodPhase(tns, pod, "Pending")
	f.s.Event(tns, pvc, "Normal", "PopulatorCreated", "Populator started")
	return pod, ""
}

// populate simulates the populator controller and pod for one disk. The
// DiskTransfer task is never Running: updatePopulatorCopyProgress
// (pkg/controller/plan/migration.go) copies progress (and, by release,
// the CR's offload info) into it and marks it Completed once the PVC is
// Bound.
func (r *fkRun) populate(v *fkVMRun, j *fkDiskJob) string {
	f := r.f
	rel := f.mtv()
	tns := fkStr(r.plan, "spec", "targetNamespace")
	if msg := r.waitPVCProvisioning(v, j); msg != "" {
		return msg
	}
	pvc, err := f.s.Get(fkPVCs, tns, j.pvcName)
	if err != nil {
		return err.Error()
	}
	pod, why := r.startPopulatePod(v, j, pvc)
	if why != "" {
		return why
	}
	defer f.schedPoke()
	if !r.wait(20*time.Millisecond, nil) {
		return "stopped"
	}
	f.setPodPhase(tns, pod, "Running")

	method := fkStr(r.src, "spec", "settings", "esxiCloneMethod")
	if method == "" {
		method = "vib"
	}
	var log strings.Builder
	emit := func(s string) {
		log.WriteString(s)
		f.s.SetPodLog(tns, pod, log.String())
	}
	emit(fkKlog('I', 88, "copy-offload started", "source_vmdk", j.file, "target_pvc", tns+"/"+j.pvcName,
		"storage_vendor", j.vendor, "clone_method", method))
	start := time.Now()
	// crStatus merges fields into the CR status: what the populator
	// controller scrapes from the pod's metrics (progress always; xcopyUsed
	// and vibVersion from 2.12; the offload details on main).
	crStatus := func(st Obj) {
		_, _ = f.s.Mutate(fkPopulators, tns, j.pvcName, func(o Obj) error {
			cur := fkMap(o, "status")
			if cur == nil {
				cur = Obj{}
			}
			for k, val := range st {
				cur[k] = val
			}
			o["status"] = cur
			return nil
		}, false)
	}
	failPod := func(msg string) string {
		emit(fkKlog('E', 131, "copy-offload failed", "err", msg))
		f.setPodPhase(tns, pod, "Failed")
		if rel.OffloadDetails {
			crStatus(Obj{"result": "failure", "storageVendor": j.vendor, "cloneMethod": method,
				"copyDurationSeconds": fmt.Sprintf("%.1f", time.Since(start).Seconds())})
		}
		if cur, err := f.s.Get(fkPVCs, tns, j.pvcName); err == nil {
			f.s.Event(tns, cur, "Warning", "PopulatorFailed",
				fmt.Sprintf("VSphere xcopy populator failed (no retry): Please check the logs of the populator pod, %s/%s", tns, pod))
			// and the populator controller logs it
			// (pkg/lib-volume-populator/populator-machinery/controller.go)
			f.s.AppendPodLog("openshift-mtv", kbControllerPod("forklift-volume-populator-controller"),
				fkKlog('E', 1, "VSphere xcopy populator failed (no retry)", "pod", tns+"/"+pod, "pvc", tns+"/"+j.pvcName))
		}
		f.count("disk_failed")
		reason := fmt.Sprintf("populator pod failed for PVC %s. Please check the pod logs", j.pvcUID)
		if rel.OffloadDetails {
			r.mu.Lock()
			j.task.Annotations["result"] = "failure"
			r.mu.Unlock()
		}
		r.taskFail(v, j, reason)
		return reason
	}
	if msg := fkVendorCheck(j.vendor, j.vendorData); msg != "" {
		return failPod(msg)
	}
	xcopy := false
	rates := f.getRates()
	rate := rates.FallbackMiBs
	switch {
	case j.disk.RDM && fkRDMVendors[j.vendor]:
		method, rate = "rdm", rates.XcopyMiBs
	case j.ds == nil || !strings.EqualFold(j.ds.Type, "VMFS"):
		name := j.disk.DSName
		if j.ds != nil {
			name = j.ds.Name
		}
		return failPod(fmt.Sprintf("could not determine underlying device for datastore %s (likely not VMFS)", name))
	default:
		if method == "ssh" {
			switch f.sshState(r.src) {
			case "ok":
			case "legacy":
				return failPod("Version mismatch detected! This indicates the SSH key is executing a different script file. " +
					"Most likely cause: You are using the old Python-based SSH key format which executes a file with .py extension. " +
					"The new shell-based format executes: /vmfs/volumes/" + j.ds.Name + "/secure-vmkfstools-wrapper (no extension)")
			default:
				return failPod("manual SSH key configuration required: add the restricted copy-offload key of provider " +
					fkName(r.src) + " to /etc/ssh/keys-root/authorized_keys on host " + v.vm.HostName)
			}
		} else {
			emit(fkKlog('I', 97, "VIB version validated", "version", "0.4.2"))
			if rel.XcopyEvidence {
				crStatus(Obj{"vibVersion": "0.4.2"})
			}
		}
		if j.ds.Xcopy && v.vm.Snapshots == 0 {
			xcopy, rate = true, rates.XcopyMiBs
		}
	}
	fault := f.takeFault("disk-copy")
	totalMB := fkMB(j.disk.Capacity)
	dur := time.Duration(float64(totalMB) / rate * float64(time.Second))
	const ticks = 10
	// The populator polls the ESXi clone task and reports xcopyUsed on
	// every poll (task_executor.go updateTaskStatus): 0 until the target
	// LUN shows clone writes, then 1; the rdm path reports 0 once
	// (rdm_populator.go). Only the last value means anything.
	used := "0"
	for t := 1; t <= ticks; t++ {
		if !r.wait(dur/ticks, nil) {
			return "stopped"
		}
		if r.canceled(v) {
			f.setPodPhase(tns, pod, "Failed")
			return "canceled"
		}
		if fault != nil && t == ticks/2 {
			return failPod(fault.Message)
		}
		pct := t * 100 / ticks
		emit(fkKlog('I', 215, "clone progress", "progress", strconv.Itoa(pct)))
		st := Obj{"progress": strconv.Itoa(pct)}
		if method != "rdm" || t == 1 {
			if xcopy && t > ticks/2 {
				used = "1"
			}
			if rel.XcopyEvidence {
				emit(fkKlog('I', 166, "xcopy", "xcopyUsed", used))
				st["xcopyUsed"] = used
			}
		}
		crStatus(st)
		r.progressFromCR(v, j, totalMB*int64(t)/ticks, st)
	}
	if err := r.copyBytes(v, j.disk, j.pvcName); err != nil {
		return failPod(err.Error())
	}
	secs := fmt.Sprintf("%.1f", time.Since(start).Seconds())
	emit(fkKlog('I', 171, "copy-offload finished", "duration", secs+"s"))
	f.setPodPhase(tns, pod, "Succeeded")
	prov := strconv.FormatFloat(float64(j.disk.Capacity), 'g', 4, 64)
	alloc := prov
	if j.disk.Thin {
		alloc = strconv.FormatFloat(float64(j.disk.Capacity)/4, 'g', 4, 64)
	}
	final := Obj{"progress": "100"}
	if rel.XcopyEvidence {
		final["xcopyUsed"] = used
	}
	if rel.OffloadDetails {
		for k, val := range map[string]string{"result": "success", "storageVendor": j.vendor, "cloneMethod": method,
			"storageProtocol": "iscsi", "copyDurationSeconds": secs, "provisionedBytes": prov, "allocatedBytes": alloc} {
			final[k] = val
		}
	}
	crStatus(final)
	if rel.OffloadDetails {
		_, _ = f.s.Mutate(fkPopulators, tns, j.pvcName, func(o Obj) error {
			l := fkMap(o, "metadata", "labels")
			if l == nil {
				l = Obj{}
			}
			l["forklift.konveyor.io/offload-completed"] = "true"
			fkSet(o, l, "metadata", "labels")
			return nil
		}, false)
	}
	f.bindPVC(tns, j)
	_ = f.s.Delete(fkPVCs, tns, "prime-"+j.pvcUID)
	if cur, err := f.s.Get(fkPVCs, tns, j.pvcName); err == nil {
		f.s.Event(tns, cur, "Normal", "PopulatorFinished", "Populator finished")
	}
	if xcopy {
		f.count("disk_xcopy")
	} else {
		f.count("disk_fallback")
	}
	r.mu.Lock()
	j.task.Phase = "Completed"
	j.task.Reason = "Transfer completed."
	j.task.Completed = fkNow()
	j.task.Progress.Completed = totalMB
	r.offloadInfo(j, final)
	r.mu.Unlock()
	r.flush()
	return ""
}

// offloadInfo copies the CR status fields PopulatorOffloadInfo reads into
// the task annotations (xcopyUsed from 2.12, every detail on main). r.mu held.
func (r *fkRun) offloadInfo(j *fkDiskJob, st Obj) {
	rel := r.f.mtv()
	for k, val := range st {
		s, _ := val.(string)
		switch {
		case k == "progress" || k == "vibVersion":
		case k == "xcopyUsed" && rel.XcopyEvidence, rel.OffloadDetails:
			j.task.Annotations[k] = s
		}
	}
}

// progressFromCR is updatePopulatorCopyProgress while the PVC is not
// Bound: the task keeps its phase, takes the CR's progress and offload info.
func (r *fkRun) progressFromCR(v *fkVMRun, j *fkDiskJob, doneMB int64, st Obj) {
	r.mu.Lock()
	r.offloadInfo(j, st)
	r.mu.Unlock()
	r.progress(v, j, doneMB)
}

// importDV simulates CDI importing one VDDK DataVolume.
func (r *fkRun) importDV(v *fkVMRun, j *fkDiskJob) string {
	f := r.f
	tns := fkStr(r.plan, "spec", "targetNamespace")
	if msg := r.waitPVCProvisioning(v, j); msg != "" {
		return msg
	}
	r.mu.Lock()
	j.task.Phase = "Running"
	j.task.Started = fkNow()
	r.mu.Unlock()
	rates := f.getRates()
	totalMB := fkMB(j.disk.Capacity)
	dur := time.Duration(float64(totalMB) / rates.VddkMiBs * float64(time.Second))
	const ticks = 10
	for t := 1; t <= ticks; t++ {
		if !r.wait(dur/ticks, nil) {
			return "stopped"
		}
		if r.canceled(v) {
			return "canceled"
		}
		pct := fmt.Sprintf("%.2f%%", float64(t*100)/ticks)
		_, _ = f.s.Mutate(fkDVs, tns, j.pvcName, func(o Obj) error {
			fkSet(o, Obj{"phase": "ImportInProgress", "progress": pct}, "status")
			return nil
		}, true)
		r.progress(v, j, totalMB*int64(t)/ticks)
	}
	if err := r.copyBytes(v, j.disk, j.pvcName); err != nil {
		r.taskFail(v, j, err.Error())
		return err.Error()
	}
	f.bindPVC(tns, j)
	_, _ = f.s.Mutate(fkDVs, tns, j.pvcName, func(o Obj) error {
		fkSet(o, Obj{"phase": "Succeeded", "progress": "100.0%"}, "status")
		return nil
	}, true)
	r.mu.Lock()
	j.task.Phase = "Completed"
	j.task.Reason = "Transfer completed."
	j.task.Completed = fkNow()
	r.mu.Unlock()
	r.flush()
	return ""
}

func (f *fkForklift) setPodPhase(ns, name, phase string) {
	_, _ = f.s.Mutate(fkPods, ns, name, func(o Obj) error {
		st := Obj{"phase": phase, "startTime": fkStr(o, "status", "startTime")}
		if st["startTime"] == "" {
			st["startTime"] = fkNow()
		}
		cs := Obj{"name": "populate", "ready": phase == "Running", "restartCount": 0}
		if c := fkSlice(o, "spec", "containers"); len(c) > 0 {
			cs["name"] = fkStr(c[0].(map[string]interface{}), "name")
		}
		switch phase {
		case "Running":
			cs["state"] = Obj{"running": Obj{"startedAt": fkNow()}}
		case "Succeeded":
			cs["state"] = Obj{"terminated": Obj{"exitCode": 0, "reason": "Completed", "finishedAt": fkNow()}}
		case "Failed":
			cs["state"] = Obj{"terminated": Obj{"exitCode": 1, "reason": "Error", "finishedAt": fkNow()}}
		}
		st["containerStatuses"] = []interface{}{cs}
		o["status"] = st
		return nil
	}, true)
}

// bindPVC creates the PV of a populated PVC and binds both.
func (f *fkForklift) bindPVC(ns string, j *fkDiskJob) {
	pv := "pvc-" + j.pvcUID
	_, err := f.s.Create(fkPVs, "", Obj{"apiVersion": "v1", "kind": "PersistentVolume",
		"metadata": Obj{"name": pv, "annotations": Obj{"pv.kubernetes.io/provisioned-by": j.sc + ".csi.mtv-lab.local"}},
		"spec": Obj{"capacity": Obj{"storage": fkQuantity(j.disk.Capacity)}, "accessModes": []interface{}{j.accessMode},
			"volumeMode": j.volumeMode, "storageClassName": j.sc, "persistentVolumeReclaimPolicy": "Delete",
			"claimRef": Obj{"kind": "PersistentVolumeClaim", "namespace": ns, "name": j.pvcName, "uid": j.pvcUID},
			"csi":      Obj{"driver": j.sc + ".csi.mtv-lab.local", "volumeHandle": "lun-" + j.pvcUID}}})
	if err != nil && !IsStatus(err, 409) {
		f.logf("pv %s: %v", pv, err)
	}
	_, _ = f.s.Mutate(fkPVs, "", pv, func(o Obj) error {
		fkSet(o, Obj{"phase": "Bound"}, "status")
		return nil
	}, true)
	_, _ = f.s.Mutate(fkPVCs, ns, j.pvcName, func(o Obj) error {
		fkSet(o, pv, "spec", "volumeName")
		return nil
	}, false)
	_, _ = f.s.Mutate(fkPVCs, ns, j.pvcName, func(o Obj) error {
		fkSet(o, Obj{"phase": "Bound", "accessModes": []interface{}{j.accessMode},
			"capacity": Obj{"storage": fkQuantity(j.disk.Capacity)}}, "status")
		return nil
	}, true)
}

// adoptDataVolumes creates the warm-migration DataVolumes that adopt the
// populated PVCs (same names, cdi.kubevirt.io/allowClaimAdoption) for the
// delta copies through CDI's VDDK importer; spec.checkpoints starts with
// the initial snapshot the populator copied (builder.go, kubevirt.go).
func (f *fkForklift) adoptDataVolumes(r *fkRun, v *fkVMRun, snapshot string) error {
	tns := fkStr(r.plan, "spec", "targetNamespace")
	for _, name := range v.pvcs {
		pvc, err := f.s.Get(fkPVCs, tns, name)
		if err != nil {
			return err
		}
		dv := Obj{"apiVersion": "cdi.kubevirt.io/v1beta1", "kind": "DataVolume",
			"metadata": Obj{"name": name, "namespace": tns, "labels": r.labels(v),
				"annotations": Obj{"cdi.kubevirt.io/storage.import.importPod": "xcopy-initial-offload",
					"cdi.kubevirt.io/allowClaimAdoption": "true",
					"forklift.konveyor.io/disk-source":   fkStr(pvc, "metadata", "annotations", "forklift.konveyor.io/disk-source")}},
			"spec": Obj{"source": Obj{"vddk": Obj{"backingFile": fkStr(pvc, "metadata", "annotations", "forklift.konveyor.io/disk-source"),
				"url": fkStr(r.src, "spec", "url"), "uuid": v.vm.UUID, "thumbprint": fkStr(r.src, "status", "fingerprint"),
				"secretRef": v.baseSec, "initImageURL": f.vddkImage(r.src)}},
				"checkpoints":     []interface{}{Obj{"previous": "", "current": snapshot}},
				"finalCheckpoint": false,
				"storage":         Obj{"storageClassName": fkStr(pvc, "spec", "storageClassName"), "volumeMode": "Block"}}}
		if _, err := f.s.Create(fkDVs, tns, dv); err != nil && !IsStatus(err, 409) {
			return err
		}
		_, _ = f.s.Mutate(fkDVs, tns, name, func(o Obj) error {
			fkSet(o, Obj{"phase": "Paused", "progress": "100.0%"}, "status")
			return nil
		}, true)
	}
	return nil
}

// addCheckpoint is AddCheckpoint/AddFinalCheckpoint: each adopted
// DataVolume gets the checkpoint {previous, current} of the new snapshot
// and CDI's VDDK importer copies the changed blocks (CBT) since previous,
// ImportInProgress then Paused (Succeeded after the final one).
func (f *fkForklift) addCheckpoint(r *fkRun, v *fkVMRun, previous, current string, final bool) bool {
	tns := fkStr(r.plan, "spec", "targetNamespace")
	for _, name := range v.pvcs {
		_, _ = f.s.Mutate(fkDVs, tns, name, func(o Obj) error {
			cps := fkSlice(o, "spec", "checkpoints")
			cps = append(cps, Obj{"previous": previous, "current": current})
			fkSet(o, cps, "spec", "checkpoints")
			fkSet(o, final, "spec", "finalCheckpoint")
			return nil
		}, false)
		_, _ = f.s.Mutate(fkDVs, tns, name, func(o Obj) error {
			fkSet(o, Obj{"phase": "ImportInProgress", "progress": "0.00%"}, "status")
			return nil
		}, true)
	}
	if !r.wait(50*time.Millisecond, nil) {
		return false
	}
	// CDI's importer copies the changed blocks; the PVC then holds the
	// disk's current bytes (forklift_bytes.go)
	for i, name := range v.pvcs {
		if i < len(v.vm.Disks) {
			if err := r.copyBytes(v, v.vm.Disks[i], name); err != nil {
				r.failVM(v, "CopyDisks", err.Error())
				return false
			}
		}
	}
	phase := "Paused"
	if final {
		phase = "Succeeded"
	}
	for _, name := range v.pvcs {
		_, _ = f.s.Mutate(fkDVs, tns, name, func(o Obj) error {
			fkSet(o, Obj{"phase": phase, "progress": "100.0%"}, "status")
			return nil
		}, true)
	}
	return true
}

// cleanupVM removes the transient objects of a VM: populator CRs and pods,
// prime PVCs, the base secret, the conversion pod; on cancel also its PVCs.
func (r *fkRun) cleanupVM(v *fkVMRun, canceled bool) {
	f := r.f
	tns := fkStr(r.plan, "spec", "targetNamespace")
	sel := "migration=" + r.migUID + ",vmID=" + v.vm.ID
	if crs, err := f.s.List(fkPopulators, tns, sel); err == nil {
		for _, o := range crs {
			_ = f.s.Delete(fkPopulators, tns, fkName(o))
		}
	}
	// populate pods carry vmID only from 2.12: find them by pvcName
	mine := map[string]bool{}
	for _, n := range v.pvcs {
		mine[n] = true
	}
	if pods, err := f.s.List(fkPods, tns, "migration="+r.migUID); err == nil && (canceled || f.forkliftSetting("controller_retain_populator_pods") != "true") {
		for _, o := range pods {
			if strings.HasPrefix(fkName(o), "populate-") && mine[fkLabels(o)["pvcName"]] {
				_ = f.s.Delete(fkPods, tns, fkName(o))
			}
		}
	}
	if pvcs, err := f.s.List(fkPVCs, tns, sel); err == nil {
		for _, o := range pvcs {
			if strings.HasPrefix(fkName(o), "prime-") || canceled {
				_ = f.s.Delete(fkPVCs, tns, fkName(o))
			}
		}
	}
	if canceled {
		if dvs, err := f.s.List(fkDVs, tns, sel); err == nil {
			for _, o := range dvs {
				_ = f.s.Delete(fkDVs, tns, fkName(o))
			}
		}
	}
	if v.baseSec != "" {
		_ = f.s.Delete(fkSecrets, tns, v.baseSec)
	}
}
