package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io/ioutil"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

func fatalf(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "mtv-lab: "+format+"\n", args...)
	os.Exit(1)
}

// labCA creates the lab CA and returns a leaf issuer. One leaf key is
// generated once and reused for every leaf so that start-up stays fast.
func labCA(l *Lab) error {
	var caKey, leafKey *rsa.PrivateKey
	var e1, e2 error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); caKey, e1 = rsa.GenerateKey(rand.Reader, 2048) }()
	go func() { defer wg.Done(); leafKey, e2 = rsa.GenerateKey(rand.Reader, 2048) }()
	wg.Wait()
	if e1 != nil {
		return e1
	}
	if e2 != nil {
		return e2
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mtv-lab CA", Organization: []string{"mtv-scenario lab"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	l.CACertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	l.CAFile = filepath.Join(l.Dir, "ca.pem")
	if err := ioutil.WriteFile(l.CAFile, l.CACertPEM, 0644); err != nil {
		return err
	}
	var serialMu sync.Mutex
	serial := int64(1)
	l.IssueCert = func(hosts ...string) (tls.Certificate, error) {
		serialMu.Lock()
		serial++
		sn := serial
		serialMu.Unlock()
		if len(hosts) == 0 {
			hosts = []string{"127.0.0.1", "localhost"}
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(sn),
			Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"mtv-scenario lab"}},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(5 * 365 * 24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		seen := map[string]bool{}
		for _, h := range append(hosts, "127.0.0.1", "localhost") {
			if seen[h] {
				continue
			}
			seen[h] = true
			if ip := net.ParseIP(h); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, h)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &leafKey.PublicKey, caKey)
		if err != nil {
			return tls.Certificate{}, err
		}
		leaf, _ := x509.ParseCertificate(der)
		return tls.Certificate{Certificate: [][]byte{der, caDER}, PrivateKey: leafKey, Leaf: leaf}, nil
	}
	return nil
}

// startControl serves the control mux on a loopback port.
func startControl(l *Lab) (func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	l.Control.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]interface{}{"ok": true})
	})
	srv := &http.Server{Handler: l.Control}
	go srv.Serve(ln)
	l.ControlURL = "http://" + ln.Addr().String()
	return func() { ln.Close() }, nil
}

func writeJSON(w http.ResponseWriter, code int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", " ")
	_ = enc.Encode(v)
}

func yamlQuote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// writeProviders writes DIR/providers.yaml with the vsphere-lab profile.
func writeProviders(l *Lab, path string) error {
	var b strings.Builder
	inv := &l.Inv
	host := strings.TrimPrefix(strings.TrimSuffix(l.VSphere.URL, "/sdk"), "https://")
	kv := func(indent, k, v string) {
		fmt.Fprintf(&b, "%s%s: %s\n", indent, k, yamlQuote(v))
	}
	b.WriteString("# written by mtv-lab; every id below is a real MoID of the lab inventory\n")
	b.WriteString("vsphere-lab:\n")
	kv("  ", "type", "vsphere")
	kv("  ", "version", "7.0.3")
	kv("  ", "fqdn", host)
	kv("  ", "api_url", l.VSphere.URL)
	kv("  ", "username", l.VSphere.Username)
	kv("  ", "password", l.VSphere.Password)
	kv("  ", "ca_file", l.CAFile)
	kv("  ", "thumbprint", l.VSphere.Thumbprint)
	kv("  ", "guest_vm_linux_user", labGuestUser)
	kv("  ", "guest_vm_linux_password", labGuestPassword)
	// warm copy-offload needs a VDDK image (the model only checks it is set)
	kv("  ", "vddk_init_image", "registry.lab.local/vddk:8.0.3")
	var extra []string
	for k := range l.ProviderExtra {
		extra = append(extra, k)
	}
	sort.Strings(extra)
	for _, k := range extra {
		kv("  ", k, l.ProviderExtra[k])
	}
	b.WriteString("  copyoffload:\n")
	in := "    "
	kv(in, "storage_vendor_product", "ontap")
	kv(in, "ontap_svm", "lab-svm")
	kv(in, "datastore_id", inv.PrimaryDS)
	kv(in, "secondary_datastore_id", inv.SecondaryDS)
	kv(in, "non_xcopy_datastore_id", inv.NonXcopyDS)
	kv(in, "nfs_datastore_id", inv.NFSDS)
	kv(in, "default_vm_name", "xcopy-template-test")
	kv(in, "storage_hostname", "ontap.lab.local")
	kv(in, "storage_username", "lab-admin")
	kv(in, "storage_password", "lab-array-secret")
	kv(in, "esxi_clone_method", "ssh")
	kv(in, "esxi_host", l.ESXi.Host)
	fmt.Fprintf(&b, "%sesxi_port: %d\n", in, l.ESXi.Port)
	kv(in, "esxi_user", l.ESXi.User)
	if l.ESXi.Password != "" {
		kv(in, "esxi_password", l.ESXi.Password)
	}
	if l.ESXi.PrivateKeyFile != "" {
		kv(in, "esxi_private_key_file", l.ESXi.PrivateKeyFile)
	}
	kv(in, "esxi_known_hosts", l.ESXi.KnownHosts)
	kv(in, "esxi_authorized_keys_path", l.ESXi.AuthorizedKeys)
	kv(in, "rdm_lun_uuid", inv.RDMLunNAA)
	return ioutil.WriteFile(path, []byte(b.String()), 0600)
}

func main() {
	start := time.Now()
	// a signal during start-up is handled once the lab is up
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	dir := flag.String("dir", "", "lab directory (created if missing)")
	bootMS := flag.Int("guest-boot-ms", 200, "guest tools/IP delay after power-on, in ms")
	mtv := flag.String("mtv", mtvDefaultRelease, "MTV release to behave as ("+mtvReleaseNames()+")")
	flag.Parse()
	if *dir == "" {
		fatalf("usage: mtv-lab --dir DIR [--mtv VERSION]")
	}
	rel, err := mtvReleaseLookup(*mtv)
	if err != nil {
		fatalf("%v", err)
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		fatalf("%v", err)
	}
	if err := os.MkdirAll(abs, 0755); err != nil {
		fatalf("%v", err)
	}
	logf, err := os.OpenFile(filepath.Join(abs, "lab.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0644)
	if err != nil {
		fatalf("%v", err)
	}
	logger := log.New(logf, "", log.LstdFlags|log.Lmicroseconds)
	log.SetOutput(logf) // the simulator logs through the standard logger
	l := &Lab{Dir: abs, Control: http.NewServeMux(), ProviderExtra: map[string]string{}, MTV: rel}
	l.Logf = func(format string, args ...interface{}) { logger.Printf(format, args...) }

	var stops []func()
	cleanup := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	die := func(format string, args ...interface{}) {
		l.Logf(format, args...)
		cleanup()
		fatalf(format, args...)
	}

	// The CA, the simulator inventory and sshd keys are independent: prepare them in parallel.
	var wg sync.WaitGroup
	var caErr, esxiErr error
	var esxiPrep *esxiPrepared
	wg.Add(2)
	go func() { defer wg.Done(); caErr = labCA(l) }()
	go func() { defer wg.Done(); esxiPrep, esxiErr = esxiPrepare(l) }()
	vs, vsErr := vsphereBuild(l, time.Duration(*bootMS)*time.Millisecond)
	wg.Wait()
	if caErr != nil {
		die("lab CA: %v", caErr)
	}
	stops = append(stops, func() { os.Remove(l.CAFile) })
	if vsErr != nil {
		die("vsphere: %v", vsErr)
	}
	stops = append(stops, vs.stop)
	if esxiErr != nil {
		die("esxi: %v", esxiErr)
	}
	stops = append(stops, esxiPrep.cleanup)

	stopControl, err := startControl(l)
	if err != nil {
		die("control: %v", err)
	}
	stops = append(stops, stopControl)
	if err := vs.serve(); err != nil {
		die("vsphere: %v", err)
	}
	stopSSHD, err := esxiStart(l, esxiPrep)
	if err != nil {
		die("esxi sshd: %v", err)
	}
	stops = append(stops, stopSSHD)

	ready := map[string]interface{}{}
	for _, svc := range labServices {
		fields, stop, err := svc(l)
		if err != nil {
			die("service: %v", err)
		}
		if stop != nil {
			stops = append(stops, stop)
		}
		for k, v := range fields {
			ready[k] = v
		}
	}

	providers := filepath.Join(abs, "providers.yaml")
	if err := writeProviders(l, providers); err != nil {
		die("providers.yaml: %v", err)
	}
	stops = append(stops, func() { os.Remove(providers) })

	inv := l.Inv
	ready["vsphere"] = map[string]interface{}{
		"url":        l.VSphere.URL,
		"username":   l.VSphere.Username,
		"password":   l.VSphere.Password,
		"thumbprint": l.VSphere.Thumbprint,
		"ca_file":    l.CAFile,
	}
	ready["esxi"] = map[string]interface{}{
		"host":             l.ESXi.Host,
		"port":             l.ESXi.Port,
		"user":             l.ESXi.User,
		"password":         l.ESXi.Password,
		"known_hosts":      l.ESXi.KnownHosts,
		"authorized_keys":  l.ESXi.AuthorizedKeys,
		"fingerprint":      l.ESXi.Fingerprint,
		"private_key_file": l.ESXi.PrivateKeyFile,
		"addresses":        l.ESXi.Addresses,
	}
	ready["inventory"] = map[string]interface{}{
		"datacenter":      inv.Datacenter,
		"cluster":         inv.Cluster,
		"resource_pool":   inv.ResourcePool,
		"network":         inv.Network,
		"hosts":           inv.Hosts,
		"host_names":      inv.HostNames,
		"primary_ds":      inv.PrimaryDS,
		"secondary_ds":    inv.SecondaryDS,
		"non_xcopy_ds":    inv.NonXcopyDS,
		"nfs_ds":          inv.NFSDS,
		"datastore_names": inv.DatastoreNames,
		"templates":       inv.Templates,
		"rdm_lun_uuid":    inv.RDMLunUUID,
		"rdm_lun_naa":     inv.RDMLunNAA,
		"vm_folder":       vs.vmFolder,
	}
	ready["providers_file"] = providers
	ready["provider"] = "vsphere-lab"
	ready["control_url"] = l.ControlURL
	ready["ca_file"] = l.CAFile
	ready["dir"] = abs
	ready["pid"] = os.Getpid()
	ready["mtv"] = rel.Name
	if _, ok := ready["storage_class"]; !ok {
		ready["storage_class"] = "lab-xcopy-block"
	}
	ready["startup_ms"] = time.Since(start).Milliseconds()
	line, err := json.Marshal(ready)
	if err != nil {
		die("ready line: %v", err)
	}
	l.Logf("ready in %v", time.Since(start))
	vs.markBaseline()

	os.Stdout.Write(append(line, '\n'))

	s := <-sig
	l.Logf("signal %v: stopping", s)
	done := make(chan struct{})
	go func() { cleanup(); close(done) }()
	select {
	case <-done:
	case <-time.After(900 * time.Millisecond):
		l.Logf("cleanup took too long; exiting")
	}
	logf.Close()
	os.Exit(0)
}
