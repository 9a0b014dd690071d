package main

// The Kubernetes/OpenShift API server service of mtv-lab.
//
// Ready line: "kube": {server, token, viewer_token, ca_file, kubeconfig,
// username, password, serviceaccount_dir}, "storage_class": "lab-block" (Block+Filesystem),
// "fs_storage_class": "lab-fs" (Filesystem only; CDI StorageProfiles say so).
// Tokens: the admin token (cluster-admin, user "kube:admin"), the viewer
// token (get/list/watch except secrets; 403 otherwise) and OAuth tokens
// "sha256~..." from /oauth/authorize (Basic kubeadmin:password), revoked by
// DELETE /apis/oauth.openshift.io/v1/oauthaccesstokens/<sha256~b64url(sha256(body))>.
//
// control_url:
//   GET  /kube/counts              {"create plans": 3, "watch plans": 2, "get pods/log": 1, ...}
//   POST /kube/counts/reset
//   POST /kube/fault               {"verb","resource","count","kind","status","retry_after","delay_ms"}
//        kind: 5xx | 429 | drop-watch | 410-watch | expire-token (that request gets 401) | slow;
//        verb/resource "*" or omitted = any; count default 1, negative = forever.
//   GET|DELETE /kube/fault         list / clear pending faults
//   GET  /kube/objects[?namespace=&labelSelector=]  {"resourceVersion","count","items":[...]}
//   POST /kube/expire-token        {"count":N}: next N admin-token requests get 401;
//        {"which":"oauth"|"admin"|"all"}: revoke OAuth tokens / rotate the admin
//        token and rewrite DIR/kubeconfig (a client recovers by re-reading the
//        kubeconfig or logging in again with username/password);
//        {"which":"serviceaccount"}: rewrite DIR/serviceaccount/token.
// DIR/serviceaccount/{token,ca.crt,namespace} mimic a pod's in-cluster files
// (user system:serviceaccount:default:mtv-scenario, cluster-admin).
// Other service accounts get tokens from TokenRequest or legacy token
// Secrets and are authorized by RBAC (kube_rbac.go).
//   GET|POST /kube/config          {"watch_window":1000,"bookmark_interval_ms":60000}

import (
	"crypto/tls"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// kubeControllers are started once the API server is up (Forklift model etc.).
var kubeControllers []func(l *Lab, s *Store) (stop func())

func init() { labServices = append(labServices, startKube) }

type kbLogWriter struct{ l *Lab }

func (w kbLogWriter) Write(p []byte) (int, error) {
	w.l.Logf("kube: http: %s", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func startKube(l *Lab) (map[string]interface{}, func(), error) {
	logf := l.Logf
	if logf == nil {
		logf = func(string, ...interface{}) {}
		l.Logf = logf
	}
	cert, err := l.IssueCert("127.0.0.1", "localhost")
	if err != nil {
		return nil, nil, fmt.Errorf("kube: certificate: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, fmt.Errorf("kube: listen: %v", err)
	}
	s := NewStoreFor(logf, l.MTV)
	k := &kbServer{l: l, s: s, done: make(chan struct{}),
		url:   fmt.Sprintf("https://127.0.0.1:%d", ln.Addr().(*net.TCPAddr).Port),
		admin: kbRandToken(32), view: kbRandToken(32), sa: kbRandToken(32),
		saDir: filepath.Join(l.Dir, "serviceaccount"),
		user:  "kubeadmin", pass: kbPassword(),
		oauth: map[string]*kbToken{}, counts: map[string]int{}, bookmarkMS: 60000,
		kubeconfig: filepath.Join(l.Dir, "kubeconfig")}
	if err := kbSeed(s); err != nil {
		ln.Close()
		s.Close()
		return nil, nil, fmt.Errorf("kube: seed: %v", err)
	}
	err = k.writeServiceAccount()
	if err == nil {
		err = k.writeKubeconfig()
	}
	if err != nil {
		ln.Close()
		s.Close()
		return nil, nil, fmt.Errorf("kube: kubeconfig: %v", err)
	}
	srv := &http.Server{Handler: k, ErrorLog: log.New(kbLogWriter{l}, "", 0),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 30 * time.Second}
	go func() {
		if err := srv.ServeTLS(ln, "", ""); err != nil && err != http.ErrServerClosed {
			logf("kube: serve: %v", err)
		}
	}()
	k.registerControl(l.Control)
	var stops []func()
	for _, start := range kubeControllers {
		if stop := start(l, s); stop != nil {
			stops = append(stops, stop)
		}
	}
	logf("kube: API server on %s", k.url)
	// the profile names the block class, so `run -p DIR/providers.yaml` works as is
	l.ProviderExtra["storage_class"] = "lab-block"
	ready := map[string]interface{}{
		"kube": map[string]interface{}{
			"server": k.url, "token": k.admin, "viewer_token": k.view,
			"ca_file": l.CAFile, "kubeconfig": k.kubeconfig,
			"username": k.user, "password": k.pass,
			"serviceaccount_dir": k.saDir,
		},
		"storage_class":    "lab-block",
		"fs_storage_class": "lab-fs",
	}
	stop := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
		close(k.done)
		srv.Close()
		s.Close()
		os.Remove(k.kubeconfig)
		os.RemoveAll(k.saDir)
	}
	return ready, stop, nil
}

func kbPassword() string {
	t := kbRandToken(15)
	return strings.NewReplacer("-", "x", "_", "y").Replace(t)
}

func (k *kbServer) writeKubeconfig() error {
	k.mu.Lock()
	tok := k.admin
	k.mu.Unlock()
	ca, err := filepath.Abs(k.l.CAFile)
	if err != nil {
		return err
	}
	cfg := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: mtv-lab
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: kubeadmin/mtv-lab
  user:
    token: %s
contexts:
- name: default/mtv-lab/kubeadmin
  context:
    cluster: mtv-lab
    user: kubeadmin/mtv-lab
    namespace: default
current-context: default/mtv-lab/kubeadmin
preferences: {}
`, k.url, ca, tok)
	return kbWriteFile(k.kubeconfig, cfg, 0600)
}

// writeServiceAccount writes what a pod sees in
// /var/run/secrets/kubernetes.io/serviceaccount: token, ca.crt, namespace.
// The token belongs to system:serviceaccount:default:mtv-scenario (cluster-admin).
func (k *kbServer) writeServiceAccount() error {
	if err := os.MkdirAll(k.saDir, 0700); err != nil {
		return err
	}
	k.mu.Lock()
	tok := k.sa
	k.mu.Unlock()
	if err := kbWriteFile(filepath.Join(k.saDir, "token"), tok, 0600); err != nil {
		return err
	}
	if err := kbWriteFile(filepath.Join(k.saDir, "ca.crt"), string(k.l.CACertPEM), 0644); err != nil {
		return err
	}
	return kbWriteFile(filepath.Join(k.saDir, "namespace"), "default", 0644)
}

// kbSeed creates what a fresh MTV cluster has: namespaces, storage classes
// with their CDI storage profiles, and what the MTV operator installs.
func kbSeed(s *Store) error {
	for _, ns := range []string{"default", "kube-system", "kube-public", "openshift-mtv", "openshift-cnv"} {
		if _, err := s.create(kbGVRNamespaces, "", Obj{"metadata": Obj{"name": ns}}, kbInternal); err != nil {
			return err
		}
	}
	scs := []struct {
		name, prov string
		def        bool
		sets       []interface{}
	}{
		{"lab-block", "block.csi.mtv-lab.local", true, []interface{}{
			Obj{"accessModes": []interface{}{"ReadWriteMany"}, "volumeMode": "Block"},
			Obj{"accessModes": []interface{}{"ReadWriteOnce"}, "volumeMode": "Block"},
			Obj{"accessModes": []interface{}{"ReadWriteOnce"}, "volumeMode": "Filesystem"}}},
		{"lab-fs", "fs.csi.mtv-lab.local", false, []interface{}{
			Obj{"accessModes": []interface{}{"ReadWriteOnce"}, "volumeMode": "Filesystem"}}},
	}
	for _, sc := range scs {
		o := Obj{"metadata": Obj{"name": sc.name, "annotations": Obj{
			"storageclass.kubernetes.io/is-default-class": fmt.Sprint(sc.def)}},
			"provisioner": sc.prov, "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate",
			"allowVolumeExpansion": true}
		if _, err := s.create(kbGVRStorageClasses, "", o, kbInternal); err != nil {
			return err
		}
		p := Obj{"metadata": Obj{"name": sc.name}, "spec": Obj{}}
		po, err := s.create(kbGVRStorageProfiles, "", p, kbInternal)
		if err != nil {
			return err
		}
		po["status"] = Obj{"storageClass": sc.name, "provisioner": sc.prov, "claimPropertySets": sc.sets}
		if _, err := s.UpdateStatus(kbGVRStorageProfiles, "", po); err != nil {
			return err
		}
	}
	if _, err := s.create(kbGVRServiceAccounts, "default", Obj{"metadata": Obj{"name": "mtv-scenario", "namespace": "default"}}, kbInternal); err != nil {
		return err
	}
	// the operator's CSV, ForkliftController and Deployments
	// (forklift_operator.go)
	if err := kbSeedRBAC(s); err != nil {
		return err
	}
	return fkSeedOperator(s)
}

// kbControllerPod is the name of the pod of an operator Deployment in
// openshift-mtv (a ReplicaSet hash and a suffix, as the cluster names it).
func kbControllerPod(deployment string) string {
	return deployment + "-5f7c9d8b6c-lab01"
}
