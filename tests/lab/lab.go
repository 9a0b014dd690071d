// mtv-lab: an offline stand-in for vCenter, ESXi (SSH) and OpenShift+Forklift.
// This file holds the types every part of the lab shares.
package main

import (
	"crypto/tls"
	"net/http"
)

// Lab is what every part of the lab can see.
type Lab struct {
	Dir        string         // --dir
	Control    *http.ServeMux // control_url mux (loopback HTTP); parts register under their prefix: "/vsphere/", "/kube/", "/forklift/"
	ControlURL string
	CACertPEM  []byte                                         // one lab CA; every TLS server certificate (RSA-2048) is signed by it
	CAFile     string                                         // DIR/ca.pem
	IssueCert  func(hosts ...string) (tls.Certificate, error) // leaf cert signed by the lab CA for 127.0.0.1/localhost
	VSphere    VSphereInfo
	ESXi       ESXiInfo
	Inv        Inventory
	MTV        *MTVRelease                              // --mtv: the release the Forklift model behaves as
	Logf       func(format string, args ...interface{}) // to DIR/lab.log, never stdout

	// DiskDev is a vSphere disk's bytes by VM MoID and disk key: its
	// current state, or with base its base file alone (disk_bytes.go).
	DiskDev func(vm string, key int32, base bool) (labDev, error)

	// ProviderExtra: extra top-level keys a part wants in the vsphere-lab
	// profile of DIR/providers.yaml (key -> scalar value). Unused by default.
	ProviderExtra map[string]string
}

// VSphereInfo is how clients reach the simulated vCenter.
type VSphereInfo struct {
	URL, Username, Password, Thumbprint /*SHA-1, AA:BB:..*/ string
}

// ESXiInfo is how clients reach the fake ESXi host (Debian's sshd).
type ESXiInfo struct {
	Host string
	Port int
	User, Password, AuthorizedKeys, KnownHosts, Fingerprint/*SHA256:...*/ string
	PrivateKeyFile string   /* a key the tool may use to log in when password login is impossible */
	Addresses      []string // every address sshd listens on (the ESXi host names that are IPs), same port
}

// Inventory holds the MoIDs of the copy-offload inventory.
type Inventory struct {
	Datacenter, Cluster, ResourcePool, Network string   // MoIDs
	Hosts                                      []string // host MoIDs; HostNames []string names
	HostNames                                  []string
	PrimaryDS, SecondaryDS, NonXcopyDS, NFSDS  string            // datastore MoIDs
	DatastoreNames                             map[string]string // MoID -> name
	Templates                                  []string          // "xcopy-template-test", "rhel9-template"
	RDMLunUUID, RDMLunNAA                      string
}

// Parts other than vSphere register a service started after vSphere and ESXi are up.
// Each returns the fields it adds to the ready JSON line (e.g. "kube": {...}, "storage_class": "...") and a stop func.
var labServices []func(l *Lab) (readyFields map[string]interface{}, stop func(), err error)
