package main

// control_url handlers of the Kubernetes part, under /kube/.

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
)

func (k *kbServer) registerControl(mux *http.ServeMux) {
	if mux == nil {
		return
	}
	mux.HandleFunc("/kube/counts", k.ctlCounts)
	mux.HandleFunc("/kube/counts/reset", k.ctlCountsReset)
	mux.HandleFunc("/kube/fault", k.ctlFault)
	mux.HandleFunc("/kube/objects", k.ctlObjects)
	mux.HandleFunc("/kube/expire-token", k.ctlExpire)
	mux.HandleFunc("/kube/config", k.ctlConfig)
}

func kbCtlErr(w http.ResponseWriter, code int, msg string) {
	kbWriteJSON(w, code, Obj{"error": msg})
}

func (k *kbServer) ctlCounts(w http.ResponseWriter, r *http.Request) {
	if r.Method == "POST" || r.Method == "DELETE" {
		k.ctlCountsReset(w, r)
		return
	}
	k.mu.Lock()
	c := map[string]int{}
	for key, v := range k.counts {
		c[key] = v
	}
	k.mu.Unlock()
	kbWriteJSON(w, 200, c)
}

func (k *kbServer) ctlCountsReset(w http.ResponseWriter, r *http.Request) {
	if r.Method != "POST" && r.Method != "DELETE" {
		kbCtlErr(w, 405, "use POST")
		return
	}
	k.mu.Lock()
	k.counts = map[string]int{}
	k.mu.Unlock()
	kbWriteJSON(w, 200, Obj{"reset": true})
}

var kbFaultKinds = map[string]bool{"5xx": true, "429": true, "drop-watch": true, "410-watch": true, "expire-token": true, "slow": true}

func (k *kbServer) ctlFault(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case "GET":
		k.mu.Lock()
		fs := append([]*kbFault{}, k.faults...)
		k.mu.Unlock()
		kbWriteJSON(w, 200, Obj{"faults": fs})
	case "DELETE":
		k.mu.Lock()
		k.faults = nil
		k.expireN = 0
		k.mu.Unlock()
		kbWriteJSON(w, 200, Obj{"cleared": true})
	case "POST":
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		var f kbFault
		if err := json.Unmarshal(b, &f); err != nil {
			kbCtlErr(w, 400, "bad fault JSON: "+err.Error())
			return
		}
		if !kbFaultKinds[f.Kind] {
			kbCtlErr(w, 400, "kind must be one of 5xx, 429, drop-watch, 410-watch, expire-token, slow")
			return
		}
		if f.Verb == "" {
			f.Verb = "*"
		}
		if f.Resource == "" {
			f.Resource = "*"
		}
		if f.Count == 0 {
			f.Count = 1
		}
		k.mu.Lock()
		k.faults = append(k.faults, &f)
		k.mu.Unlock()
		kbWriteJSON(w, 200, f)
	default:
		kbCtlErr(w, 405, "use GET, POST or DELETE")
	}
}

// ctlObjects dumps every stored object; optional ?labelSelector= and ?namespace=.
func (k *kbServer) ctlObjects(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	sel, err := kbParseLabelSelector(q.Get("labelSelector"))
	if err != nil {
		kbCtlErr(w, 400, err.Error())
		return
	}
	ns := q.Get("namespace")
	all, rv := k.s.all()
	items := []interface{}{}
	for _, o := range all {
		if ns != "" && kbStr(kbMeta(o), "namespace") != ns {
			continue
		}
		if sel.match(o) {
			items = append(items, o)
		}
	}
	kbWriteJSON(w, 200, Obj{"resourceVersion": rv, "count": len(items), "items": items})
}

// ctlExpire: body {"which":"admin"|"oauth"|"serviceaccount"|"all","count":N}.
//
//	count > 0: the next N requests with the admin token get 401, then it works again;
//	otherwise "oauth" revokes every OAuth token, "admin" rotates the admin
//	token (DIR/kubeconfig is rewritten with the new one), "serviceaccount"
//	rewrites DIR/serviceaccount/token, "all" does all three.
func (k *kbServer) ctlExpire(w http.ResponseWriter, r *http.Request) {
	if r.Method != "POST" {
		kbCtlErr(w, 405, "use POST")
		return
	}
	var req struct {
		Which string `json:"which"`
		Count int    `json:"count"`
	}
	b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if len(strings.TrimSpace(string(b))) > 0 {
		if err := json.Unmarshal(b, &req); err != nil {
			kbCtlErr(w, 400, "bad JSON: "+err.Error())
			return
		}
	}
	if req.Which == "" {
		req.Which = "all"
	}
	if req.Count > 0 {
		k.mu.Lock()
		k.expireN = req.Count
		k.mu.Unlock()
		kbWriteJSON(w, 200, Obj{"admin_401_next": req.Count})
		return
	}
	res := Obj{}
	k.mu.Lock()
	if req.Which == "oauth" || req.Which == "all" {
		res["oauth_revoked"] = len(k.oauth)
		k.oauth = map[string]*kbToken{}
	}
	rotate := req.Which == "admin" || req.Which == "all"
	if rotate {
		k.admin = kbRandToken(32)
	}
	rotateSA := req.Which == "serviceaccount" || req.Which == "all"
	if rotateSA {
		k.sa = kbRandToken(32)
	}
	k.mu.Unlock()
	if rotateSA {
		if err := k.writeServiceAccount(); err != nil {
			kbCtlErr(w, 500, err.Error())
			return
		}
		res["serviceaccount_rotated"] = true
	}
	if rotate {
		if err := k.writeKubeconfig(); err != nil {
			kbCtlErr(w, 500, err.Error())
			return
		}
		res["admin_rotated"] = true
		res["kubeconfig"] = k.kubeconfig
	}
	k.l.Logf("kube: tokens expired (%s)", req.Which)
	kbWriteJSON(w, 200, res)
}

func (k *kbServer) ctlConfig(w http.ResponseWriter, r *http.Request) {
	if r.Method == "POST" {
		var req struct {
			Window     *int `json:"watch_window"`
			BookmarkMS *int `json:"bookmark_interval_ms"`
		}
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err := json.Unmarshal(b, &req); err != nil {
			kbCtlErr(w, 400, "bad JSON: "+err.Error())
			return
		}
		if req.Window != nil {
			k.s.SetWindow(*req.Window)
		}
		if req.BookmarkMS != nil {
			k.mu.Lock()
			k.bookmarkMS = *req.BookmarkMS
			k.mu.Unlock()
		}
	}
	k.s.mu.Lock()
	win := k.s.window
	k.s.mu.Unlock()
	k.mu.Lock()
	bm := k.bookmarkMS
	k.mu.Unlock()
	kbWriteJSON(w, 200, Obj{"watch_window": win, "bookmark_interval_ms": bm})
}

func kbWriteFile(path, data string, mode os.FileMode) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(data), mode); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
