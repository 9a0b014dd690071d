package main

// The Forklift CRDs of each MTV release the lab can be (mtv-lab --mtv),
// written from upstream's Go types (pkg/apis/forklift/v1beta1/*.go) as the
// generated operator/config/crd/bases/forklift.konveyor.io_*.yaml show them
// at the tags v2.9.2, v2.10.6, v2.11.7, v2.12.5 and main (d42511b); see
// ../shared/reference/forklift-versions.md section 1. The API server prunes
// what a release does not know (kbPrune), fills in CRD defaults (kbDefault),
// honours ?fieldValidation= (kube_server.go fieldCheck), publishes the same
// schemas in /openapi/v2, /openapi/v3 and the CustomResourceDefinition
// objects, so that kubectl's client-side validation agrees with the server.
//
// Where the lab is coarser than upstream: core.Affinity (targetAffinity,
// convertorAffinity) is kept as written; status is kept as the controllers
// write it, except VSphereXcopyVolumePopulator's, whose schema is small and
// says which evidence a release has (no status subresource there).

import (
	"fmt"
	"strings"
)

// fkRelOrder: the releases, oldest first; a field's "first release" is
// compared along it (nowhere else in the lab).
var fkRelOrder = []string{"2.9", "2.10", "2.11", "2.12", "main"}

// Since reports whether release r knows what came with release first.
func (r *MTVRelease) Since(first string) bool {
	ri, fi := -1, -1
	for i, n := range fkRelOrder {
		if n == r.Name {
			ri = i
		}
		if n == first {
			fi = i
		}
	}
	if ri < 0 || fi < 0 {
		panic(fmt.Sprintf("mtv release order: %q or %q unknown", r.Name, first))
	}
	return ri >= fi
}

// fkRelease is rel, or the default release when rel is nil.
func fkRelease(rel *MTVRelease) *MTVRelease {
	if rel == nil {
		return mtvReleases[mtvDefaultRelease]
	}
	return rel
}

func kbBool() *kbSch                       { return &kbSch{Type: "boolean"} }
func kbInt() *kbSch                        { return &kbSch{Type: "integer"} }
func kbDef(s *kbSch, d interface{}) *kbSch { s.Default = d; return s }

// fkObjRef is core.ObjectReference, as every Forklift reference is.
func fkObjRef() *kbSch {
	return kbClosed(kbO(nil, map[string]*kbSch{"apiVersion": kbS(), "fieldPath": kbS(), "kind": kbS(),
		"name": kbS(), "namespace": kbS(), "resourceVersion": kbS(), "uid": kbS()}))
}

// fkProvPair is provider.Pair (source and destination Provider).
func fkProvPair() *kbSch {
	return kbClosed(kbO([]string{"destination", "source"}, map[string]*kbSch{
		"source": fkObjRef(), "destination": fkObjRef()}))
}

// fkInvRef is ref.Ref, an inventory reference (plus NetworkMap's vlan, 2.12+).
func fkInvRef(vlan bool) *kbSch {
	p := map[string]*kbSch{"id": kbS(), "name": kbS(), "namespace": kbS(), "type": kbS()}
	if vlan {
		p["vlan"] = kbS()
	}
	return kbClosed(kbO(nil, p))
}

// fkTop is a Forklift kind's top level: apiVersion, kind, metadata, spec,
// status (kept as written unless given).
func fkTop(spec, status *kbSch, req ...string) *kbSch {
	if status == nil {
		status = &kbSch{Type: "object"}
	}
	return kbClosed(kbO(req, map[string]*kbSch{"apiVersion": kbS(), "kind": kbS(),
		"metadata": &kbSch{Type: "object"}, "spec": spec, "status": status}))
}

// fkAdd adds the fields of props to s when cond holds.
func fkAdd(s *kbSch, cond bool, props map[string]*kbSch) {
	if cond {
		for k, v := range props {
			s.Props[k] = v
		}
	}
}

// fkCRDSchemas: the schemas of the Forklift kinds in release rel.
func fkCRDSchemas(rel *MTVRelease) map[string]*kbSch {
	r := fkRelease(rel)
	return map[string]*kbSch{
		"providers":                    fkTop(fkProviderSpec(), nil),
		"networkmaps":                  fkTop(fkNetworkMapSpec(r), nil),
		"storagemaps":                  fkTop(fkStorageMapSpec(r), nil),
		"plans":                        fkTop(fkPlanSpec(r), nil),
		"migrations":                   fkTop(fkMigrationSpec(r), nil),
		"hooks":                        fkTop(fkHookSpec(r), nil),
		"hosts":                        fkTop(fkHostSpec(), nil),
		"forkliftcontrollers":          fkTop(fkControllerSpec(r), &kbSch{Type: "object"}),
		"vspherexcopyvolumepopulators": fkTop(fkPopulatorSpec(r), fkPopulatorStatus(r), "spec"),
	}
}

// provider.go ProviderSpec: the same in every release; settings is a map
// of strings (so esxiCloneMethod is never pruned), type has no enum.
func fkProviderSpec() *kbSch {
	return kbClosed(kbO([]string{"secret", "type"}, map[string]*kbSch{
		"type": kbS(), "url": kbS(), "secret": fkObjRef(), "settings": kbMapOf(kbS()),
	}))
}

// mapping.go NetworkPair; source.vlan from 2.12.
func fkNetworkMapSpec(r *MTVRelease) *kbSch {
	return kbClosed(kbO([]string{"map", "provider"}, map[string]*kbSch{
		"provider": fkProvPair(),
		"map": kbA(kbClosed(kbO([]string{"destination", "source"}, map[string]*kbSch{
			"source": fkInvRef(r.Since("2.12")),
			"destination": kbClosed(kbO([]string{"type"}, map[string]*kbSch{
				"type": kbE("pod", "multus", "ignored"), "name": kbS(), "namespace": kbS()})),
		}))),
	}))
}

// mapping.go StoragePair / OffloadPlugin: four more vendors from 2.10,
// csiVolumeImport from 2.12 (with it, vsphereXcopyConfig is no longer
// required), dedicatedMigrationHosts in main only.
func fkStorageMapSpec(r *MTVRelease) *kbSch {
	vendors := kbVendors
	if !r.Since("2.10") {
		vendors = []string{"vantara", "ontap", "primera3par", "pureFlashArray", "powerflex"}
	}
	xcopy := kbClosed(kbO([]string{"secretRef", "storageVendorProduct"}, map[string]*kbSch{
		"secretRef": kbS(), "storageVendorProduct": kbE(vendors...)}))
	fkAdd(xcopy, r.Since("main"), map[string]*kbSch{"dedicatedMigrationHosts": kbA(kbS())})
	plugin := kbClosed(kbO([]string{"vsphereXcopyConfig"}, map[string]*kbSch{"vsphereXcopyConfig": xcopy}))
	if r.Since("2.12") {
		csi := []string{"primera3par"}
		if r.Since("main") {
			csi = append(csi, "ontap")
		}
		plugin.Req = nil
		plugin.Props["csiVolumeImport"] = kbClosed(kbO([]string{"secretRef", "storageVendorProduct"},
			map[string]*kbSch{"secretRef": kbS(), "storageVendorProduct": kbE(csi...)}))
	}
	return kbClosed(kbO([]string{"map", "provider"}, map[string]*kbSch{
		"provider": fkProvPair(),
		"map": kbA(kbClosed(kbO([]string{"destination", "source"}, map[string]*kbSch{
			"source": fkInvRef(false),
			"destination": kbClosed(kbO([]string{"storageClass"}, map[string]*kbSch{
				"storageClass": kbS(),
				"volumeMode":   kbE("Filesystem", "Block"),
				"accessMode":   kbE("ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"),
			})),
			"offloadPlugin": plugin,
		}))),
	}))
}

// plan.go PlanSpec and plan/vm.go VM, release by release.
func fkPlanSpec(r *MTVRelease) *kbSch {
	strMap := func() *kbSch { return kbMapOf(kbS()) }
	affinity := func() *kbSch { return &kbSch{Type: "object", Desc: "core.Affinity (kept as written by the lab)"} }
	power := func() *kbSch { return kbE("on", "off", "auto") }
	vm := kbClosed(kbO(nil, map[string]*kbSch{
		"id": kbS(), "name": kbS(), "namespace": kbS(), "type": kbS(),
		"hooks": kbA(kbClosed(kbO([]string{"hook", "step"}, map[string]*kbSch{"hook": fkObjRef(), "step": kbS()}))),
		"luks":  fkObjRef(), "rootDisk": kbS(), "instanceType": kbS(), "targetName": kbS(),
		"pvcNameTemplate": kbS(), "volumeNameTemplate": kbS(), "networkNameTemplate": kbS(),
	}))
	spec := kbClosed(kbO([]string{"map", "provider", "targetNamespace", "vms"}, map[string]*kbSch{
		"description": kbS(), "targetNamespace": kbS(), "provider": fkProvPair(),
		"map": kbClosed(kbO([]string{"network", "storage"}, map[string]*kbSch{
			"network": fkObjRef(), "storage": fkObjRef()})),
		"vms": kbA(vm), "warm": kbBool(), "transferNetwork": fkObjRef(), "archived": kbBool(),
		"preserveClusterCpuModel": kbBool(), "preserveStaticIPs": kbBool(),
		"pvcNameTemplate": kbS(), "volumeNameTemplate": kbS(), "networkNameTemplate": kbS(),
		"migrateSharedDisks": kbDef(kbBool(), true), "deleteGuestConversionPod": kbBool(),
		"installLegacyDrivers": kbBool(), "diskBus": kbS(),
		"skipGuestConversion": kbDef(kbBool(), false), "useCompatibilityMode": kbDef(kbBool(), true),
		"pvcNameTemplateUseGenerateName": kbBool(),
	}))
	if r.Since("2.10") {
		spec.Props["preserveStaticIPs"] = kbDef(kbBool(), true)
		fkAdd(spec, true, map[string]*kbSch{
			"type": kbE("cold", "warm", "live", "conversion"), "targetPowerState": power(),
			"targetAffinity": affinity(), "targetLabels": strMap(), "targetNodeSelector": strMap(),
			"convertorAffinity": affinity(), "convertorLabels": strMap(), "convertorNodeSelector": strMap(),
			"deleteVmOnFailMigration": kbBool(), "enableNestedVirtualization": kbBool(),
			"runPreflightInspection": kbDef(kbBool(), true), "virtV2vImage": kbS(),
			"xfsCompatibility": kbDef(kbBool(), false),
		})
		fkAdd(vm, true, map[string]*kbSch{
			"deleteVmOnFailMigration": kbBool(), "enableNestedVirtualization": kbBool(),
			"migrateSharedDisks": kbBool(), "nbdeClevis": kbBool(), "targetPowerState": power(),
		})
	}
	if r.Since("2.11") {
		fkAdd(spec, true, map[string]*kbSch{
			"rdmAsLun": kbBool(), "deleteVmOnFailMigration": kbDef(kbBool(), true),
			"conversionTempStorageClass": kbS(), "conversionTempStorageSize": kbS(),
			"customizationScripts": fkObjRef(), "serviceAccount": kbS(), "skipZoneNodeSelector": kbBool(),
		})
		vm.Props["rdmAsLun"] = kbBool()
	}
	if r.Since("2.12") {
		fkAdd(spec, true, map[string]*kbSch{
			"scsiReservation": kbBool(),
			"tagMapping":      kbClosed(kbO(nil, map[string]*kbSch{"disabled": kbBool(), "labelTags": kbA(kbS())})),
		})
		vm.Props["scsiReservation"] = kbBool()
	}
	if r.Name == "2.12" {
		// the default was dropped again after 2.12
		spec.Props["pvcNameTemplateUseGenerateName"] = kbDef(kbBool(), true)
	}
	return spec
}

// migration.go MigrationSpec: vmCutover and resumeConversion in main only.
func fkMigrationSpec(r *MTVRelease) *kbSch {
	s := kbClosed(kbO([]string{"plan"}, map[string]*kbSch{
		"plan": fkObjRef(), "cutover": kbS(),
		"cancel": kbA(fkInvRef(false)),
	}))
	fkAdd(s, r.Since("main"), map[string]*kbSch{
		"vmCutover":        kbA(kbClosed(kbO([]string{"cutover", "id"}, map[string]*kbSch{"id": kbS(), "cutover": kbS()}))),
		"resumeConversion": kbBool(),
	})
	return s
}

// hook.go HookSpec: aap from 2.12, when image stopped being required.
func fkHookSpec(r *MTVRelease) *kbSch {
	s := kbClosed(kbO([]string{"image"}, map[string]*kbSch{
		"image": kbS(), "playbook": kbS(), "serviceAccount": kbS(), "deadline": kbInt(),
	}))
	if r.Since("2.12") {
		s.Req = nil
		s.Props["aap"] = kbClosed(kbO([]string{"jobTemplateId"}, map[string]*kbSch{
			"jobTemplateId": kbInt(), "timeout": kbInt(), "url": kbS(), "tokenSecret": fkObjRef()}))
	}
	return s
}

// host.go HostSpec.
func fkHostSpec() *kbSch {
	return kbClosed(kbO([]string{"ipAddress", "provider", "secret"}, map[string]*kbSch{
		"id": kbS(), "name": kbS(), "namespace": kbS(), "type": kbS(),
		"ipAddress": kbS(), "provider": fkObjRef(), "secret": fkObjRef(),
	}))
}

// vsphere_xcopy_volumepopulator.go: spec.migrationHost in main only.
func fkPopulatorSpec(r *MTVRelease) *kbSch {
	s := kbClosed(kbO([]string{"secretName", "storageVendorProduct", "vmId", "vmdkPath"}, map[string]*kbSch{
		"vmId": kbS(), "vmdkPath": kbS(), "secretName": kbS(), "storageVendorProduct": kbS(),
	}))
	fkAdd(s, r.Since("main"), map[string]*kbSch{"migrationHost": kbS()})
	return s
}

// The populator CR's status: progress only before 2.12, vibVersion and
// xcopyUsed from 2.12, the copy details in main (section 2 of the
// reference: no xcopyUsed evidence before 2.12).
func fkPopulatorStatus(r *MTVRelease) *kbSch {
	s := kbClosed(kbO(nil, map[string]*kbSch{"progress": kbS()}))
	fkAdd(s, r.XcopyEvidence, map[string]*kbSch{"vibVersion": kbS(), "xcopyUsed": kbS()})
	if r.Since("main") {
		for _, k := range []string{"allocatedBytes", "cloneMethod", "copyDurationSeconds", "provisionedBytes",
			"result", "storageProtocol", "storageVendor"} {
			s.Props[k] = kbS()
		}
	}
	return s
}

// ForkliftController spec. 2.9: x-kubernetes-preserve-unknown-fields (any
// key kept). 2.10 to 2.12: listed properties (x-kubernetes-int-or-string
// numbers) plus additionalProperties: true, so an unknown key is kept too
// (controller_max_populator_inflight on 2.10 stays in the CR, and the
// operator ignores it: forklift_operator.go). main: a typed struct
// (forkliftcontroller.go), closed, integers with minimums and defaults.
func fkControllerSpec(r *MTVRelease) *kbSch {
	if r.Since("main") {
		return fkControllerMain()
	}
	s := &kbSch{Type: "object", Props: map[string]*kbSch{}}
	if !r.Since("2.10") {
		return s
	}
	s.AnyExtra = true
	tf := func() *kbSch { return kbE("true", "false") }
	ios := func() *kbSch { return &kbSch{IntOrStr: true} }
	for _, k := range []string{"feature_ui_plugin", "feature_validation", "feature_volume_populator",
		"feature_copy_offload", "feature_ocp_live_migration", "feature_auth_required", "controller_vsphere_incremental_backup"} {
		s.Props[k] = tf()
	}
	for _, k := range []string{"controller_max_vm_inflight", "controller_precopy_interval",
		"controller_host_lease_duration_seconds", "controller_log_level", "controller_vddk_job_active_deadline_sec"} {
		s.Props[k] = ios()
	}
	for _, k := range []string{"vddk_image", "controller_host_lease_namespace", "controller_image_fqin",
		"populator_controller_image_fqin", "virt_v2v_image_fqin", "must_gather_image_fqin"} {
		s.Props[k] = kbS()
	}
	if r.Since("2.11") {
		s.Props["controller_max_populator_inflight"] = ios()
		s.Props["controller_retain_populator_pods"] = tf()
	}
	if r.Since("2.12") {
		s.Props["populator_vsphere_copy_offload_image_fqin"] = kbS()
		s.Props["controller_blocker_grace_period_minutes"] = ios()
	} else {
		s.Props["populator_vsphere_xcopy_volume_image_fqin"] = kbS()
	}
	return s
}

// fkControllerMainFields: main's ForkliftControllerSpec, "name:type:default"
// (type s string, i integer >= 0, i1 integer >= 1, tf "true"/"false",
// eA,B,C enum).
const fkControllerMainFields = "" +
	"aap_ca_secret_name:s: aap_insecure_skip_verify:tf:false aap_timeout:i1: aap_token_secret_name:s: " +
	"aap_url:s: api_container_limits_cpu:s:1000m api_container_limits_memory:s:1Gi " +
	"api_container_requests_cpu:s:100m api_container_requests_memory:s:150Mi api_image_fqin:s: " +
	"cli_download_container_limits_cpu:s:1000m cli_download_container_limits_memory:s:1Gi " +
	"cli_download_container_requests_cpu:s:100m cli_download_container_requests_memory:s:512Mi " +
	"cli_download_image_fqin:s: controller_block_overhead:i:0 " +
	"controller_blocker_grace_period_minutes:i1:5 controller_cleanup_retries:i1:10 " +
	"controller_container_limits_cpu:s:2 controller_container_limits_memory:s:800Mi " +
	"controller_container_requests_cpu:s:100m controller_container_requests_memory:s:350Mi " +
	"controller_filesystem_overhead:i:10 controller_host_lease_duration_seconds:i1:10 " +
	"controller_host_lease_namespace:s:openshift-mtv controller_hyperv_refresh_interval:s:10s " +
	"controller_hyperv_validation_timeout:s:30s controller_image_fqin:s: controller_log_level:i:3 " +
	"controller_max_concurrent_reconciles:i1:10 controller_max_parent_backing_retries:i1:10 " +
	"controller_max_populator_inflight:i1:20 controller_max_vm_inflight:i1:20 " +
	"controller_migration_service_account:s: controller_ocp_pvc_name_template:s: " +
	"controller_ovirt_warm_migration:tf:true controller_precopy_interval:i1:60 " +
	"controller_pvc_name_template:s: controller_retain_populator_pods:tf:false " +
	"controller_retain_precopy_importer_pods:tf:false controller_snapshot_removal_check_retries:i1:20 " +
	"controller_snapshot_removal_timeout_minuts:i1:120 " +
	"controller_snapshot_status_check_rate_seconds:i1:10 controller_static_udn_ip_addresses:tf:true " +
	"controller_tls_connection_timeout_sec:i1:5 controller_transfer_network:s: " +
	"controller_vddk_job_active_deadline_sec:i1:300 controller_vsphere_incremental_backup:tf:true " +
	"controller_windows_reboot_timeout:i1:1800 deep_inspection_image_fqin:s: " +
	"deep_inspection_image_xfs_fqin:s: feature_auth_required:tf:true feature_cli_download:tf:true " +
	"feature_copy_offload:tf:true feature_mcp_server:tf:false feature_ocp_live_migration:tf:true " +
	"feature_ova_appliance_management:tf:true feature_ui_plugin:tf:true " +
	"feature_use_conversion_cr:tf:true feature_validation:tf:true " +
	"feature_vmware_system_serial_number:tf:true feature_volume_populator:tf:true " +
	"feature_vsphere_vmware_driver_removal:tf:false feature_windows_registry_network_config:tf:false " +
	"feature_windows_wait_for_reboot:tf:true feature_xfs_repair_ignore:tf:false " +
	"hooks_container_limits_cpu:s:1000m hooks_container_limits_memory:s:1Gi " +
	"hooks_container_requests_cpu:s:100m hooks_container_requests_memory:s:150Mi " +
	"hyperv_container_limits_cpu:s:1000m hyperv_container_limits_memory:s:1Gi " +
	"hyperv_container_requests_cpu:s:100m hyperv_container_requests_memory:s:512Mi " +
	"hyperv_provider_server_fqin:s: image_pull_policy:eAlways,IfNotPresent,Never:Always " +
	"inventory_container_limits_cpu:s:2 inventory_container_limits_memory:s:1Gi " +
	"inventory_container_requests_cpu:s:500m inventory_container_requests_memory:s:500Mi " +
	"inventory_route_timeout:s:360s k8s_cluster:tf:false mcp_server_container_limits_cpu:s:1000m " +
	"mcp_server_container_limits_memory:s:512Mi mcp_server_container_requests_cpu:s:100m " +
	"mcp_server_container_requests_memory:s:256Mi mcp_server_kube_insecure:tf:true " +
	"mcp_server_lightspeed_integration:tf:true mcp_server_lightspeed_set_mcp_gate:tf:false " +
	"mcp_server_max_response_chars:i:0 mcp_server_output_format:emarkdown,text,json:markdown " +
	"mcp_server_read_only:tf:false mcp_server_verbose:i:2 metric_interval:s:30s " +
	"must_gather_image_fqin:s: naa_oui_map_configmap_name:s:forklift-naa-oui-map " +
	"ova_container_limits_cpu:s:1000m ova_container_limits_memory:s:1Gi " +
	"ova_container_requests_cpu:s:100m ova_container_requests_memory:s:512Mi " +
	"ova_provider_server_fqin:s: ova_proxy_container_limits_cpu:s:1000m " +
	"ova_proxy_container_limits_memory:s:1Gi ova_proxy_container_requests_cpu:s:250m " +
	"ova_proxy_container_requests_memory:s:512Mi ova_proxy_fqin:s: ova_proxy_route_timeout:s:360s " +
	"ovirt_osmap_configmap_name:s:forklift-ovirt-osmap populator_container_limits_cpu:s:1000m " +
	"populator_container_limits_memory:s:1Gi populator_container_requests_cpu:s:100m " +
	"populator_container_requests_memory:s:512Mi populator_controller_image_fqin:s: " +
	"populator_openstack_image_fqin:s: populator_ovirt_image_fqin:s: " +
	"populator_vsphere_copy_offload_image_fqin:s: ui_plugin_container_limits_cpu:s:100m " +
	"ui_plugin_container_limits_memory:s:800Mi ui_plugin_container_requests_cpu:s:100m " +
	"ui_plugin_container_requests_memory:s:150Mi ui_plugin_image_fqin:s: " +
	"validation_container_limits_cpu:s:1000m validation_container_limits_memory:s:300Mi " +
	"validation_container_requests_cpu:s:400m validation_container_requests_memory:s:50Mi " +
	"validation_extra_volume_mountpath:s:/usr/share/opa/policies/extra " +
	"validation_extra_volume_name:s:validation-extra-rules validation_image_fqin:s: " +
	"validation_policy_agent_search_interval:i1:120 vddk_image:s: " +
	"virt_customize_configmap_name:s:forklift-virt-customize virt_v2v_container_limits_cpu:s:4000m " +
	"virt_v2v_container_limits_memory:s:8Gi virt_v2v_container_requests_cpu:s:1000m " +
	"virt_v2v_container_requests_memory:s:1Gi virt_v2v_dont_request_kvm:tf: virt_v2v_extra_args:s: " +
	"virt_v2v_extra_conf_config_map:s: virt_v2v_image_fqin:s: virt_v2v_image_xfs_fqin:s: " +
	"virt_v2v_inspector_extra_args:s: virt_v2v_memsize:i1: virt_v2v_smp:i1: " +
	"vsphere_osmap_configmap_name:s:forklift-vsphere-osmap " +
	"wait_for_final_snapshot_consolidation:tf:true"

func fkControllerMain() *kbSch {
	s := kbClosed(&kbSch{Type: "object", Props: map[string]*kbSch{}})
	zero, one := 0.0, 1.0
	for _, f := range strings.Fields(fkControllerMainFields) {
		p := strings.SplitN(f, ":", 3)
		var sch *kbSch
		switch {
		case p[1] == "s":
			sch = kbS()
		case p[1] == "i":
			sch = &kbSch{Type: "integer", Format: "int32", Min: &zero}
		case p[1] == "i1":
			sch = &kbSch{Type: "integer", Format: "int32", Min: &one}
		case p[1] == "tf":
			sch = kbE("true", "false")
		default:
			sch = kbE(strings.Split(p[1][1:], ",")...)
		}
		if p[2] != "" {
			if sch.Type == "integer" {
				var n float64
				fmt.Sscan(p[2], &n)
				sch.Default = n
			} else {
				sch.Default = p[2]
			}
		}
		s.Props[p[0]] = sch
	}
	return s
}

// kbCRDSchema is the openAPIV3Schema of a CustomResourceDefinition object:
// the schema the server validates with (metadata is a plain object there),
// or an object that keeps every field when the lab does not model the kind.
func kbCRDSchema(r *kbRes) Obj {
	if r.Schema == nil {
		return Obj{"type": "object", "x-kubernetes-preserve-unknown-fields": true}
	}
	o := kbOpenAPISchema(kbKindSchema(r), true)
	if p, ok := o["properties"].(Obj); ok {
		p["metadata"] = Obj{"type": "object"}
	}
	return o
}
