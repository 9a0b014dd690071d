package main

// KubeVirt side of the Forklift model: the virt-v2v conversion pod and the
// VirtualMachine created from the copied disks.

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strconv"
	"strings"
)

// conversionPod creates the virt-v2v in-place conversion pod of a VM.
func (f *fkForklift) conversionPod(r *fkRun, v *fkVMRun) (string, error) {
	tns := fkStr(r.plan, "spec", "targetNamespace")
	labels := r.labels(v)
	labels["forklift.app"] = "virt-v2v"
	labels["plan-name"] = r.planName
	labels["plan-namespace"] = r.planNS
	var vols, mounts []interface{}
	for i, pvc := range v.pvcs {
		name := "vol-" + strconv.Itoa(i)
		vols = append(vols, Obj{"name": name, "persistentVolumeClaim": Obj{"claimName": pvc}})
		mounts = append(mounts, Obj{"name": name, "devicePath": "/dev/block" + strconv.Itoa(i)})
	}
	pod, err := f.s.Create(fkPods, tns, Obj{"apiVersion": "v1", "kind": "Pod",
		"metadata": Obj{"generateName": r.planName + "-" + v.vm.ID + "-", "namespace": tns, "labels": labels},
		"spec": Obj{"restartPolicy": "Never", "volumes": vols,
			"containers": []interface{}{Obj{"name": "virt-v2v", "image": "quay.io/kubev2v/forklift-virt-v2v:lab",
				"args": []interface{}{"--in-place"}, "volumeDevices": mounts}}}})
	if err != nil {
		return "", fmt.Errorf("failed to create the guest conversion pod: %v", err)
	}
	name := fkName(pod)
	f.setPodPhase(tns, name, "Running")
	f.s.SetPodLog(tns, name, "virt-v2v: Opening the source\nvirt-v2v: Inspecting the source\nvirt-v2v: Converting "+v.vm.GuestID+" to run on KVM\nvirt-v2v: Finishing off\n")
	return name, nil
}

// chooseTargetName fixes the target VM name when the VM starts, as
// Forklift does at the start of the migration (migration.go,
// vm_name_handler.go), not when it creates the VM: targetName as given,
// else the source name (sanitised), with a random suffix when another
// plan's VM holds it. newName records a name that differs.
func (r *fkRun) chooseTargetName(v *fkVMRun) error {
	tns := fkStr(r.plan, "spec", "targetNamespace")
	targetName := fkStr(v.spec, "targetName")
	name := fkTargetVMName(v.vm.Name, targetName)
	if existing, err := r.f.s.Get(fkKVMs, tns, name); err == nil && fkLabels(existing)["plan"] != r.planUID {
		if targetName != "" {
			return fmt.Errorf("target VM %s/%s already exists", tns, name)
		}
		base := name
		if len(base) > 58 {
			base = strings.TrimRight(base[:58], "-.")
		}
		name = base + "-" + fkRandSuffix(4)
	}
	r.mu.Lock()
	v.target = name
	if name != v.vm.Name {
		v.st.NewName = name
	}
	r.mu.Unlock()
	r.flush()
	return nil
}

// createKubeVirtVM creates the VirtualMachine and hands the PVCs to it.
func (f *fkForklift) createKubeVirtVM(r *fkRun, v *fkVMRun, converted bool) error {
	tns := fkStr(r.plan, "spec", "targetNamespace")
	r.mu.Lock()
	name := v.target
	restore := v.st.RestorePowerState
	r.mu.Unlock()
	run := "Halted"
	switch fkStr(r.plan, "spec", "targetPowerState") {
	case "on":
		run = "Always"
	case "off":
	default:
		if restore == "On" {
			run = "Always"
		}
	}
	labels := r.labels(v)
	labels["plan-name"] = r.planName
	labels["plan-namespace"] = r.planNS
	labels["resource"] = "vm-config"
	labels["guestConverted"] = strconv.FormatBool(converted)
	annotations := Obj{}
	if name != v.vm.Name {
		annotations["openshift.io/display-name"] = v.vm.Name
		annotations["original-ID"] = v.vm.ID
	}
	rdmAsLun, _ := fkBool(r.plan, "spec", "rdmAsLun")
	// at most one VM fault per VM, the earliest armed (fail-next)
	fault := ""
	if ft := f.takeFaultOf("guest-agent-down", "mac-change", "no-boot"); ft != nil {
		fault = ft.Kind
	}
	var disks, volumes, ifaces, nets []interface{}
	for i, pvc := range v.pvcs {
		vol := "vol-" + strconv.Itoa(i)
		d := Obj{"name": vol, "disk": Obj{"bus": "virtio"}}
		if i < len(v.vm.Disks) && v.vm.Disks[i].RDM && rdmAsLun {
			d = Obj{"name": vol, "lun": Obj{"bus": "scsi"}}
		}
		if i == 0 {
			d["bootOrder"] = 1
		}
		disks = append(disks, d)
		volumes = append(volumes, Obj{"name": vol, "persistentVolumeClaim": Obj{"claimName": pvc}})
	}
	for i, nic := range v.vm.NICs {
		entry := fkNetworkEntry(r.nmap, nic)
		if entry == nil || fkStr(entry, "destination", "type") == "ignored" {
			continue
		}
		nname := "net-" + strconv.Itoa(i)
		mac := nic.MAC
		if len(ifaces) == 0 && fault == "mac-change" {
			mac = fkNewMAC(mac)
			f.l.Logf("forklift: fault mac-change: %s gets %s instead of %s", v.vm.Name, mac, nic.MAC)
		}
		iface := Obj{"name": nname, "macAddress": mac, "model": "virtio"}
		if fkStr(entry, "destination", "type") == "pod" {
			iface["masquerade"] = Obj{}
			nets = append(nets, Obj{"name": nname, "pod": Obj{}})
		} else {
			iface["bridge"] = Obj{}
			ns := fkStr(entry, "destination", "namespace")
			if ns == "" {
				ns = tns
			}
			nets = append(nets, Obj{"name": nname, "multus": Obj{"networkName": ns + "/" + fkStr(entry, "destination", "name")}})
		}
		ifaces = append(ifaces, iface)
	}
	// mapCPU, mapMemory, mapFirmware, mapTpm (adapter/vsphere/builder.go)
	cores, sockets := v.vm.Cores, int32(1)
	if cores <= 0 {
		cores = 1
	}
	if v.vm.CPU > 0 {
		sockets = v.vm.CPU / cores
		if sockets < 1 {
			sockets = 1
		}
	}
	firmware := Obj{"bootloader": Obj{"bios": Obj{}}, "serial": f.systemSerial(v.vm.UUID)}
	domain := Obj{}
	if v.vm.Firmware == "efi" {
		firmware["bootloader"] = Obj{"efi": Obj{"secureBoot": v.vm.SecureBoot}}
		if v.vm.SecureBoot {
			domain["features"] = Obj{"smm": Obj{"enabled": true}}
		}
	}
	mem := v.vm.MemoryMB
	if mem <= 0 {
		mem = 1024
	}
	devices := Obj{"disks": disks, "tpm": Obj{"enabled": false}}
	if v.vm.TPM {
		devices["tpm"] = Obj{"persistent": true}
	}
	if ifaces != nil {
		devices["interfaces"] = ifaces
	}
	domain["cpu"] = Obj{"cores": cores, "sockets": sockets}
	domain["memory"] = Obj{"guest": fkQuantityMiB(int64(mem))}
	domain["firmware"] = firmware
	domain["devices"] = devices
	tspec := Obj{"domain": domain, "volumes": volumes}
	if nets != nil {
		tspec["networks"] = nets
	}
	// armed before the VM exists: the KubeVirt model may start its VMI
	// as soon as the store has it
	kv := kvFor(f.s)
	if kv != nil && (fault == "guest-agent-down" || fault == "no-boot") {
		f.l.Logf("forklift: %s/%s: armed fault %s", tns, name, fault)
		kv.ArmFault(tns, name, fault)
	}
	kvm, err := f.s.Create(fkKVMs, tns, Obj{"apiVersion": "kubevirt.io/v1", "kind": "VirtualMachine",
		"metadata": Obj{"name": name, "namespace": tns, "labels": labels, "annotations": annotations},
		"spec": Obj{"runStrategy": run,
			"template": Obj{"metadata": Obj{"labels": Obj{"app": name, "vmID": v.vm.ID}}, "spec": tspec}}})
	if IsStatus(err, 409) {
		kvm, err = f.s.Get(fkKVMs, tns, name)
	}
	if err != nil {
		return fmt.Errorf("failed to create the VirtualMachine: %v", err)
	}
	if kv != nil {
		kv.Reconcile(tns, name) // virt-controller sees the VM at once
	}
	owner := []interface{}{fkOwnerRef(kvm, false)}
	for _, pvc := range v.pvcs {
		gvr := fkPVCs
		if _, err := f.s.Get(fkDVs, tns, pvc); err == nil {
			gvr = fkDVs // the DataVolume owns the PVC; the VM owns the DataVolume
		}
		_, _ = f.s.Mutate(gvr, tns, pvc, func(o Obj) error {
			fkSet(o, owner, "metadata", "ownerReferences")
			return nil
		}, false)
		if gvr == fkDVs {
			_, _ = f.s.Mutate(fkPVCs, tns, pvc, func(o Obj) error {
				fkSet(o, owner, "metadata", "ownerReferences")
				return nil
			}, false)
		}
	}
	if pods, err := f.s.List(fkPods, tns, "forklift.app=virt-v2v,migration="+r.migUID+",vmID="+v.vm.ID); err == nil {
		for _, p := range pods {
			_ = f.s.Delete(fkPods, tns, fkName(p))
		}
	}
	return nil
}

// systemSerial is getSystemSerial (builder.go): the VMware form of the
// source UUID when the release has FEATURE_VMWARE_SYSTEM_SERIAL_NUMBER and
// the cluster runs OpenShift 4.20 or newer (settings/features.go), else
// config.uuid as is.
func (f *fkForklift) systemSerial(uuid string) string {
	rel := fkRelease(f.l.MTV)
	if rel.VMwareSerial && fkVersionAtLeast(rel.OCPVersion, "4.20.0") {
		return fkUUIDToVMwareSerial(uuid)
	}
	return uuid
}

var fkUUIDRe = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// fkUUIDToVMwareSerial is UUIDToVMwareSerial (uuid_to_vmware_serial.go):
// "422c6a2a-5ea9-1083-39f3-3b140fffb444" ->
// "VMware-42 2c 6a 2a 5e a9 10 83-39 f3 3b 14 0f ff b4 44" (lower case);
// anything else is returned unchanged.
func fkUUIDToVMwareSerial(uuid string) string {
	if !fkUUIDRe.MatchString(uuid) {
		return uuid
	}
	hex := strings.ToLower(strings.ReplaceAll(uuid, "-", ""))
	var b strings.Builder
	for i := 0; i < len(hex); i += 2 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(hex[i : i+2])
	}
	sp := b.String()
	return "VMware-" + sp[:23] + "-" + sp[24:]
}

// fkVersionAtLeast compares dotted numeric versions ("4.20.8" >= "4.20.0").
func fkVersionAtLeast(v, min string) bool {
	a, b := strings.Split(v, "."), strings.Split(min, ".")
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x, _ = strconv.Atoi(a[i])
		}
		if i < len(b) {
			y, _ = strconv.Atoi(b[i])
		}
		if x != y {
			return x > y
		}
	}
	return true
}

// fkQuantityMiB is resource.NewQuantity(MiB<<20, BinarySI).String(): the
// largest binary unit that divides it exactly.
func fkQuantityMiB(mib int64) string {
	units := []string{"Mi", "Gi", "Ti", "Pi"}
	u := 0
	for u < len(units)-1 && mib%1024 == 0 && mib > 0 {
		mib /= 1024
		u++
	}
	return strconv.FormatInt(mib, 10) + units[u]
}

// fkNewMAC is another MAC on the same vendor prefix (the mac-change fault).
func fkNewMAC(mac string) string {
	p := strings.Split(strings.ToLower(mac), ":")
	if len(p) != 6 {
		p = []string{"00", "50", "56", "00", "00", "00"}
	}
	r := fkRandSuffix(6)
	h := fnv.New32a()
	h.Write([]byte(mac + r))
	n := h.Sum32()
	return fmt.Sprintf("%s:%s:%s:%02x:%02x:%02x", p[0], p[1], p[2], (n>>16)&0xff, (n>>8)&0xff, n&0xff)
}
