// The MTV releases the lab can behave as (mtv-lab --mtv VERSION).
// Each flag follows ../shared/reference/forklift-versions.md, which reads
// kubev2v/forklift at the release tags v2.9.2, v2.10.6, v2.11.7, v2.12.5 and main.
package main

import (
	"fmt"
	"sort"
	"strings"
)

// MTVRelease says what one release knows and shows. Parts of the lab read
// it from Lab.MTV and never compare version strings themselves.
type MTVRelease struct {
	Name            string // "2.9", "2.10", "2.11", "2.12", "main"
	OperatorVersion string // the operator CSV mtv-operator.v<OperatorVersion> in openshift-mtv, spec.version (forklift_operator.go)

	// CRD fields (section 1): a field a release does not know is pruned.
	PlanSpecType      bool // Plan.spec.type (cold/warm/live); 2.10+
	PlanRdmAsLun      bool // Plan.spec.rdmAsLun; 2.11+
	PopulatorInflight bool // ForkliftController controller_max_populator_inflight; 2.11+

	// Operator (forklift_operator.go): feature_copy_offload when the
	// ForkliftController does not set it (roles/forkliftcontroller/defaults/main.yml:
	// false up to 2.10, true from 2.11; main: CRD default "true").
	CopyOffloadDefault bool

	// Copy-offload evidence (section 2).
	XcopyEvidence    bool // task annotation xcopyUsed, CR status.xcopyUsed, pod log xcopyUsed=N; 2.12+
	PendingCondition bool // per-VM condition Pending (markSchedulerQueuedVMs); main only
	// OffloadDetails: the populator CR status carries copyDurationSeconds,
	// result, storageVendor, cloneMethod, storageProtocol, provisioned and
	// allocated bytes (label forklift.konveyor.io/offload-completed), and
	// PopulatorOffloadInfo copies them into the task annotations; main only
	// (2.12 has xcopyUsed and vibVersion only; builder.go PopulatorOffloadInfo).
	OffloadDetails bool

	// Populator throttling (section 4, populator-machinery/controller.go).
	// PopulatorInflight above also means: populate pods carry the label
	// sourceHost and the controller holds a PVC (event PopulatorThrottled)
	// while the host has MAX_POPULATOR_INFLIGHT pods Pending or Running.
	// ThrottleMigrationHost: the host is spec.migrationHost when set
	// (dedicatedMigrationHosts), else the CR's sourceHost label, and the
	// pods also carry the labels vmID and plan; 2.12+ (2.11 keys on
	// sourceHost only).
	ThrottleMigrationHost bool

	// The OpenShift the lab's cluster runs with this release (ClusterVersion
	// "version", kubevirt.go), a version the release supports; the operator
	// hands it to the controller as OPENSHIFT_VERSION.
	OCPVersion string
	// VMwareSerial: firmware.serial in the VMware form
	// ("VMware-42 2c ...-..."; builder.go getSystemSerial,
	// uuid_to_vmware_serial.go) when the OpenShift is 4.20 or newer
	// (settings/features.go ocpMinForVmwareSystemSerial,
	// FEATURE_VMWARE_SYSTEM_SERIAL_NUMBER default true); 2.10+. Older: the
	// plain config.uuid.
	VMwareSerial bool
}

var mtvReleases = map[string]*MTVRelease{
	// 2.9 is older than what users mostly run; the lab keeps it to show what
	// an API server that does not know Plan.spec.type does to a warm plan.
	"2.9":  {Name: "2.9", OperatorVersion: "2.9.2", OCPVersion: "4.18.30"},
	"2.10": {Name: "2.10", OperatorVersion: "2.10.6", PlanSpecType: true, OCPVersion: "4.19.21", VMwareSerial: true},
	"2.11": {Name: "2.11", OperatorVersion: "2.11.7", PlanSpecType: true, PlanRdmAsLun: true,
		PopulatorInflight: true, CopyOffloadDefault: true, OCPVersion: "4.20.8", VMwareSerial: true},
	"2.12": {Name: "2.12", OperatorVersion: "2.12.5", PlanSpecType: true, PlanRdmAsLun: true,
		PopulatorInflight: true, XcopyEvidence: true, CopyOffloadDefault: true, ThrottleMigrationHost: true,
		OCPVersion: "4.20.8", VMwareSerial: true},
	"main": {Name: "main", OperatorVersion: "2.13.0", PlanSpecType: true, PlanRdmAsLun: true,
		PopulatorInflight: true, XcopyEvidence: true, PendingCondition: true, CopyOffloadDefault: true,
		OffloadDetails: true, ThrottleMigrationHost: true, OCPVersion: "4.21.0", VMwareSerial: true},
}

// mtvDefaultRelease is the newest release users run.
const mtvDefaultRelease = "2.12"

func mtvReleaseNames() string {
	var n []string
	for k := range mtvReleases {
		n = append(n, k)
	}
	sort.Strings(n)
	return strings.Join(n, ", ")
}

func mtvReleaseLookup(name string) (*MTVRelease, error) {
	if r, ok := mtvReleases[name]; ok {
		return r, nil
	}
	return nil, fmt.Errorf("--mtv %q: not a release the lab models (one of %s)", name, mtvReleaseNames())
}
