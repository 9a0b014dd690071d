package main

// HTTP side of the lab's Kubernetes API server: routing, discovery, CRUD,
// patch, watch, pod logs, authentication and fault injection.

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// kbServerVersion: the Kubernetes release the lab's API server answers as.
const kbServerVersion = "v1.31.6"

type kbServer struct {
	l     *Lab
	s     *Store
	url   string
	done  chan struct{}
	mu    sync.Mutex
	admin string
	view  string
	sa    string // service account token (DIR/serviceaccount/token)
	saDir string
	user  string // OAuth login name
	pass  string
	oauth map[string]*kbToken // by token object name (sha256~...)
	// service-account tokens from TokenRequest (kube_rbac.go)
	saTokens map[string]*kbSAToken
	// control
	counts     map[string]int
	faults     []*kbFault
	expireN    int // next N requests with the admin token get 401
	bookmarkMS int
	kubeconfig string
}

type kbToken struct {
	Name    string
	User    string
	Created time.Time
	Expires time.Time
}

type kbUser struct {
	Name   string
	Groups []string
	Admin  bool
	RBAC   bool // a service account: RBAC decides (kube_rbac.go)
}

type kbFault struct {
	Verb       string `json:"verb"`
	Resource   string `json:"resource"`
	Count      int    `json:"count"`
	Kind       string `json:"kind"`
	Status     int    `json:"status"`
	RetryAfter int    `json:"retry_after"`
	DelayMS    int    `json:"delay_ms"`
}

// ---------------------------------------------------------------- responses

func kbWriteJSON(w http.ResponseWriter, code int, v interface{}) {
	b, err := json.Marshal(v)
	if err != nil {
		code = 500
		b = []byte(`{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"InternalError","code":500}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache, private")
	w.WriteHeader(code)
	w.Write(b)
	w.Write([]byte("\n"))
}

func kbWriteErr(w http.ResponseWriter, err error) {
	se, ok := err.(*StatusError)
	if !ok {
		se = &StatusError{Code: 500, Reason: "InternalError", Message: err.Error()}
	}
	kbWriteJSON(w, se.Code, se.Status())
}

// ---------------------------------------------------------------- routing

type kbReqInfo struct {
	ri        *kbRes
	ns, name  string
	sub       string
	verb      string
	resString string // "plans", "pods/log"
}

func (k *kbServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if p == "/version" || p == "/healthz" || p == "/readyz" || p == "/livez" {
		// public (system:public-info-viewer), but a bad token is still a 401
		if r.Header.Get("Authorization") != "" {
			u, aerr := k.authenticate(r)
			if aerr == nil {
				aerr = k.rbacAllowPath(u, r)
			}
			if aerr != nil {
				kbWriteErr(w, aerr)
				return
			}
		}
	}
	switch {
	case p == "/version":
		kbWriteJSON(w, 200, Obj{"major": "1", "minor": "31", "gitVersion": kbServerVersion, "gitCommit": "mtv-lab",
			"gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.19", "compiler": "gc", "platform": "linux/amd64"})
		return
	case p == "/healthz" || p == "/readyz" || p == "/livez":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "ok")
		return
	case p == "/.well-known/oauth-authorization-server":
		kbWriteJSON(w, 200, Obj{"issuer": k.url,
			"authorization_endpoint":           k.url + "/oauth/authorize",
			"token_endpoint":                   k.url + "/oauth/token",
			"scopes_supported":                 []string{"user:check-access", "user:full", "user:info", "user:list-projects", "user:list-scoped-projects"},
			"response_types_supported":         []string{"code", "token"},
			"grant_types_supported":            []string{"authorization_code", "implicit"},
			"code_challenge_methods_supported": []string{}})
		return
	case strings.HasPrefix(p, "/oauth/"):
		k.serveOAuth(w, r)
		return
	}
	user, aerr := k.authenticate(r)
	anonymous := aerr != nil && aerr.Code == 403
	if aerr != nil && !anonymous {
		kbWriteErr(w, aerr)
		return
	}
	if kbIsDiscovery(p) {
		if se := k.rbacAllowPath(user, r); se != nil {
			kbWriteErr(w, se)
			return
		}
		k.serveDiscovery(w, r)
		return
	}
	if se := k.rbacSpecial(user, r); se != nil {
		kbWriteErr(w, se)
		return
	}
	if anonymous && !strings.HasPrefix(p, "/api/") && !strings.HasPrefix(p, "/apis/") {
		kbWriteErr(w, aerr)
		return
	}
	if anonymous && (p == "/apis/user.openshift.io/v1/users/~" || strings.HasPrefix(p, "/apis/oauth.openshift.io/")) {
		kbWriteErr(w, aerr)
		return
	}
	if p == "/apis/user.openshift.io/v1/users/~" {
		kbWriteJSON(w, 200, Obj{"kind": "User", "apiVersion": "user.openshift.io/v1",
			"metadata": Obj{"name": user.Name}, "groups": user.Groups, "identities": []string{}})
		return
	}
	if p == "/apis/authentication.k8s.io/v1/selfsubjectreviews" && r.Method == "POST" && user.Name != "system:anonymous" {
		k.count("create selfsubjectreviews")
		kbWriteJSON(w, 201, Obj{"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview",
			"metadata": Obj{"creationTimestamp": nil}, "status": Obj{"userInfo": Obj{"username": user.Name, "groups": user.Groups}}})
		return
	}
	if p == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews" {
		k.serveSSAR(w, r, user)
		return
	}
	if strings.HasPrefix(p, "/apis/oauth.openshift.io/v1/oauthaccesstokens") {
		k.serveOAuthTokens(w, r, user)
		return
	}
	if k.serveKubeVirtSub(w, r, user) {
		return
	}
	ri, err := k.parse(r)
	if err != nil {
		if se := k.rbacAllowUnknown(user, r); se != nil && err.Code == 404 {
			err = se
		}
		kbWriteErr(w, err)
		return
	}
	k.count(ri.verb + " " + ri.resString)
	if f := k.fault(ri); f != nil {
		if k.applyFault(w, r, ri, f, user) {
			return
		}
	}
	if se := k.authorize(user, ri); se != nil {
		kbWriteErr(w, se)
		return
	}
	if !kbAcceptsJSON(r.Header.Get("Accept")) {
		kbWriteErr(w, kbNotAcceptable())
		return
	}
	switch {
	case ri.ri.GVR == kbGVRCRDs:
		k.serveCRDs(w, r, ri)
	case ri.sub == "log":
		k.servePodLog(w, r, ri)
	case ri.sub == "token":
		k.serveTokenRequest(w, r, ri)
	default:
		k.serveResource(w, r, ri)
	}
}

func kbIsDiscovery(p string) bool {
	if p == "/api" || p == "/api/v1" || p == "/apis" || strings.HasPrefix(p, "/openapi/") {
		return true
	}
	if strings.HasPrefix(p, "/apis/") {
		n := len(strings.Split(strings.Trim(p, "/"), "/"))
		return n == 2 || n == 3
	}
	return false
}

func (k *kbServer) parse(r *http.Request) (*kbReqInfo, *StatusError) {
	notFound := &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	var gv GVR
	var rest []string
	switch {
	case len(parts) >= 3 && parts[0] == "api" && parts[1] == "v1":
		gv, rest = GVR{"", "v1", ""}, parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		gv, rest = GVR{parts[1], parts[2], ""}, parts[3:]
	default:
		return nil, notFound
	}
	ri := &kbReqInfo{}
	if rest[0] == "namespaces" && len(rest) >= 3 && rest[2] != "status" && rest[2] != "finalize" {
		ri.ns = rest[1]
		rest = rest[2:]
	}
	gv.Resource = rest[0]
	if len(rest) > 1 {
		ri.name = rest[1]
	}
	if len(rest) > 2 {
		ri.sub = rest[2]
	}
	if len(rest) > 3 {
		return nil, notFound
	}
	ri.ri = k.s.resource(gv)
	if ri.ri == nil {
		return nil, notFound
	}
	if !ri.ri.Namespaced && ri.ns != "" {
		return nil, notFound
	}
	switch ri.sub {
	case "":
	case "status":
		if !ri.ri.Status {
			return nil, notFound
		}
	case "log":
		if ri.ri.GVR != kbGVRPods {
			return nil, notFound
		}
	case "token":
		if ri.ri.GVR != kbGVRServiceAccounts || r.Method != "POST" {
			return nil, notFound
		}
	default:
		if !(ri.ri.GVR == kbGVRNamespaces && ri.sub == "finalize") {
			return nil, notFound
		}
	}
	ri.resString = gv.Resource
	if ri.sub != "" {
		ri.resString += "/" + ri.sub
	}
	q := r.URL.Query()
	switch r.Method {
	case "GET", "HEAD":
		switch {
		case kbQueryBool(q, "watch"):
			ri.verb = "watch"
		case ri.name == "":
			ri.verb = "list"
		default:
			ri.verb = "get"
		}
	case "POST":
		ri.verb = "create"
		if ri.name != "" && ri.sub != "token" {
			return nil, &StatusError{Code: 405, Reason: "MethodNotAllowed", Message: "the server does not allow this method on the requested resource"}
		}
	case "PUT":
		ri.verb = "update"
	case "PATCH":
		ri.verb = "patch"
	case "DELETE":
		ri.verb = "delete"
		if ri.name == "" {
			ri.verb = "deletecollection"
		}
	default:
		return nil, &StatusError{Code: 405, Reason: "MethodNotAllowed", Message: "the server does not allow this method on the requested resource"}
	}
	if (ri.verb == "update" || ri.verb == "patch") && ri.name == "" {
		return nil, &StatusError{Code: 405, Reason: "MethodNotAllowed", Message: "the server does not allow this method on the requested resource"}
	}
	if ri.ri.ReadOnly && ri.verb != "get" && ri.verb != "list" && ri.verb != "watch" {
		return nil, &StatusError{Code: 405, Reason: "MethodNotAllowed", Message: "the server does not allow this method on the requested resource"}
	}
	return ri, nil
}

// ---------------------------------------------------------------- auth

func (k *kbServer) authenticate(r *http.Request) (*kbUser, *StatusError) {
	unauth := &StatusError{Code: 401, Reason: "Unauthorized", Message: "Unauthorized"}
	h := r.Header.Get("Authorization")
	if h == "" {
		return &kbUser{Name: "system:anonymous", Groups: []string{"system:unauthenticated"}},
			&StatusError{Code: 403, Reason: "Forbidden", Message: fmt.Sprintf("forbidden: User \"system:anonymous\" cannot get path %q", r.URL.Path)}
	}
	if !strings.HasPrefix(h, "Bearer ") {
		return nil, unauth
	}
	tok := strings.TrimSpace(h[len("Bearer "):])
	k.mu.Lock()
	defer k.mu.Unlock()
	switch {
	case tok == "":
		return nil, unauth
	case tok == k.admin:
		if k.expireN > 0 {
			k.expireN--
			return nil, unauth
		}
		return &kbUser{Name: "kube:admin", Groups: []string{"system:cluster-admins", "system:authenticated"}, Admin: true}, nil
	case tok == k.sa:
		return &kbUser{Name: "system:serviceaccount:default:mtv-scenario",
			Groups: []string{"system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"}, Admin: true}, nil
	case tok == k.view:
		return &kbUser{Name: "viewer", Groups: []string{"system:authenticated"}}, nil
	case strings.HasPrefix(tok, "sha256~"):
		t := k.oauth[kbTokenName(tok)]
		if t == nil || time.Now().After(t.Expires) {
			return nil, unauth
		}
		return &kbUser{Name: t.User, Groups: []string{"system:cluster-admins", "system:authenticated:oauth", "system:authenticated"}, Admin: true}, nil
	}
	if u := k.saTokenUser(tok); u != nil {
		return u, nil
	}
	return nil, unauth
}

func (k *kbServer) authorize(u *kbUser, ri *kbReqInfo) *StatusError {
	if u.Admin {
		return nil
	}
	if u.RBAC {
		return k.rbacAuthorize(u, ri)
	}
	read := ri.verb == "get" || ri.verb == "list" || ri.verb == "watch"
	if u.Name != "system:anonymous" && read && ri.ri.GVR != kbGVRSecrets {
		return nil
	}
	res := ri.ri.Resource
	if ri.ri.Group != "" {
		res += "." + ri.ri.Group
	}
	msg := fmt.Sprintf("%s is forbidden: User %q cannot %s resource %q in API group %q", res, u.Name, ri.verb, ri.resString, ri.ri.Group)
	if ri.name != "" {
		msg = fmt.Sprintf("%s %q is forbidden: User %q cannot %s resource %q in API group %q", res, ri.name, u.Name, ri.verb, ri.resString, ri.ri.Group)
	}
	if ri.ns != "" {
		msg += fmt.Sprintf(" in the namespace %q", ri.ns)
	} else {
		msg += " at the cluster scope"
	}
	return &StatusError{Code: 403, Reason: "Forbidden", Message: msg,
		Details: map[string]interface{}{"name": ri.name, "group": ri.ri.Group, "kind": ri.ri.Resource}}
}

// serveSSAR answers SelfSubjectAccessReview (what `kubectl auth can-i` and
// preflight checks use) with the same rules as authorize.
func (k *kbServer) serveSSAR(w http.ResponseWriter, r *http.Request, u *kbUser) {
	if r.Method != "POST" {
		kbWriteErr(w, &StatusError{Code: 405, Reason: "MethodNotAllowed", Message: "the server does not allow this method on the requested resource"})
		return
	}
	k.count("create selfsubjectaccessreviews")
	if u.Name == "system:anonymous" {
		kbWriteErr(w, &StatusError{Code: 403, Reason: "Forbidden", Message: "selfsubjectaccessreviews.authorization.k8s.io is forbidden: User \"system:anonymous\" cannot create resource \"selfsubjectaccessreviews\" in API group \"authorization.k8s.io\" at the cluster scope"})
		return
	}
	b, se := kbReadBody(r)
	if se != nil {
		kbWriteErr(w, se)
		return
	}
	o, se := kbDecodeBody(r, b, false)
	if se != nil {
		kbWriteErr(w, se)
		return
	}
	ra, _ := kbPath(o, "spec.resourceAttributes")
	am, _ := ra.(map[string]interface{})
	allowed, reason := u.Admin, ""
	if u.RBAC {
		spec, _ := o["spec"].(map[string]interface{})
		allowed, reason = k.rbacReview(u, spec)
	} else if !allowed && am != nil {
		ri := &kbReqInfo{ns: kbStr(am, "namespace"), name: kbStr(am, "name"), verb: kbStr(am, "verb"),
			resString: kbStr(am, "resource")}
		for _, res := range k.s.resList {
			if res.Group == kbStr(am, "group") && res.Resource == kbStr(am, "resource") {
				ri.ri = res
			}
		}
		if ri.ri != nil {
			allowed = k.authorize(u, ri) == nil
		}
	}
	if allowed && !u.RBAC {
		reason = "RBAC: allowed by ClusterRoleBinding"
		if !u.Admin {
			reason = "RBAC: allowed by ClusterRoleBinding \"lab-viewer\" of ClusterRole \"view\""
		}
	}
	o["apiVersion"], o["kind"] = "authorization.k8s.io/v1", "SelfSubjectAccessReview"
	o["status"] = Obj{"allowed": allowed, "reason": reason}
	kbWriteJSON(w, 201, o)
}

// ---------------------------------------------------------------- control hooks

func (k *kbServer) count(key string) {
	k.mu.Lock()
	k.counts[key]++
	k.mu.Unlock()
}

func (k *kbServer) fault(ri *kbReqInfo) *kbFault {
	k.mu.Lock()
	defer k.mu.Unlock()
	for i, f := range k.faults {
		if f.Verb != "*" && f.Verb != "" && f.Verb != ri.verb {
			continue
		}
		if f.Resource != "*" && f.Resource != "" && f.Resource != ri.ri.Resource && f.Resource != ri.resString {
			continue
		}
		if (f.Kind == "drop-watch" || f.Kind == "410-watch") && ri.verb != "watch" {
			continue
		}
		c := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				k.faults = append(k.faults[:i], k.faults[i+1:]...)
			}
		}
		return &c
	}
	return nil
}

// applyFault reports whether the request was answered by the fault.
func (k *kbServer) applyFault(w http.ResponseWriter, r *http.Request, ri *kbReqInfo, f *kbFault, u *kbUser) bool {
	k.l.Logf("kube: fault %s on %s %s", f.Kind, ri.verb, ri.resString)
	switch f.Kind {
	case "slow":
		select {
		case <-time.After(time.Duration(f.DelayMS) * time.Millisecond):
		case <-r.Context().Done():
		case <-k.done:
		}
		return false
	case "429":
		ra := f.RetryAfter
		if ra <= 0 {
			ra = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(ra))
		kbWriteErr(w, &StatusError{Code: 429, Reason: "TooManyRequests",
			Message: "Too many requests, please try again later.",
			Details: map[string]interface{}{"retryAfterSeconds": ra}})
		return true
	case "5xx":
		code := f.Status
		if code < 500 || code > 599 {
			code = 503
		}
		reason := "InternalError"
		if code == 503 {
			reason = "ServiceUnavailable"
		} else if code == 504 {
			reason = "Timeout"
		}
		if f.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
		}
		kbWriteErr(w, &StatusError{Code: code, Reason: reason, Message: "injected server error"})
		return true
	case "expire-token":
		kbWriteErr(w, &StatusError{Code: 401, Reason: "Unauthorized", Message: "Unauthorized"})
		return true
	case "410-watch":
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		rv, _ := k.s.current()
		k.writeEvent(w, "ERROR", (&StatusError{Code: 410, Reason: "Expired",
			Message: fmt.Sprintf("too old resource version: %s (%d)", r.URL.Query().Get("resourceVersion"), rv)}).Status())
		return true
	case "drop-watch":
		r.Header.Set("X-Lab-Drop", "1")
		return false
	}
	return false
}

// ---------------------------------------------------------------- discovery

func (k *kbServer) groups() map[string][]string {
	g := map[string][]string{}
	for _, r := range k.s.resList {
		if r.Group == "" {
			continue
		}
		if !kbHasStr(g[r.Group], r.Version) {
			g[r.Group] = append(g[r.Group], r.Version)
		}
	}
	g["user.openshift.io"] = []string{"v1"}
	g["authorization.k8s.io"] = []string{"v1"}
	g["authentication.k8s.io"] = []string{"v1"}
	g["oauth.openshift.io"] = []string{"v1"}
	return g
}

func kbHasStr(a []string, s string) bool {
	for _, x := range a {
		if x == s {
			return true
		}
	}
	return false
}

func (k *kbServer) resourceList(group, version string) (Obj, bool) {
	var res []interface{}
	found := false
	for _, r := range k.s.resList {
		if r.Group != group || r.Version != version {
			continue
		}
		found = true
		e := Obj{"name": r.Resource, "singularName": r.Singular, "namespaced": r.Namespaced,
			"kind": r.Kind, "verbs": r.verbs()}
		if len(r.Short) > 0 {
			e["shortNames"] = r.Short
		}
		if len(r.Categories) > 0 {
			e["categories"] = r.Categories
		}
		res = append(res, e)
		if r.Status {
			res = append(res, Obj{"name": r.Resource + "/status", "singularName": "", "namespaced": r.Namespaced,
				"kind": r.Kind, "verbs": []string{"get", "patch", "update"}})
		}
		if r.GVR == kbGVRPods {
			res = append(res, Obj{"name": "pods/log", "singularName": "", "namespaced": true, "kind": "Pod", "verbs": []string{"get"}})
		}
		if r.GVR == kbGVRServiceAccounts {
			res = append(res, Obj{"name": "serviceaccounts/token", "singularName": "", "namespaced": true,
				"group": "authentication.k8s.io", "version": "v1", "kind": "TokenRequest", "verbs": []string{"create"}})
		}
	}
	switch group {
	case "user.openshift.io":
		found = true
		res = append(res, Obj{"name": "users", "singularName": "user", "namespaced": false, "kind": "User", "verbs": []string{"get"}})
	case "authentication.k8s.io":
		found = true
		res = append(res, Obj{"name": "selfsubjectreviews", "singularName": "selfsubjectreview", "namespaced": false,
			"kind": "SelfSubjectReview", "verbs": []string{"create"}})
	case "authorization.k8s.io":
		found = true
		res = append(res, Obj{"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview", "namespaced": false,
			"kind": "SelfSubjectAccessReview", "verbs": []string{"create"}})
	case "oauth.openshift.io":
		found = true
		res = append(res, Obj{"name": "oauthaccesstokens", "singularName": "oauthaccesstoken", "namespaced": false,
			"kind": "OAuthAccessToken", "verbs": []string{"delete", "get", "list"}})
	}
	gv := version
	if group != "" {
		gv = group + "/" + version
	}
	return Obj{"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": res}, found
}

func (k *kbServer) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	p := strings.Trim(r.URL.Path, "/")
	parts := strings.Split(p, "/")
	groups := k.groups()
	apiGroup := func(name string) Obj {
		var vs []interface{}
		for _, v := range groups[name] {
			vs = append(vs, Obj{"groupVersion": name + "/" + v, "version": v})
		}
		return Obj{"name": name, "versions": vs, "preferredVersion": vs[0]}
	}
	switch {
	case p == "api":
		kbWriteJSON(w, 200, Obj{"kind": "APIVersions", "versions": []string{"v1"},
			"serverAddressByClientCIDRs": []interface{}{Obj{"clientCIDR": "0.0.0.0/0", "serverAddress": strings.TrimPrefix(k.url, "https://")}}})
	case p == "api/v1":
		rl, _ := k.resourceList("", "v1")
		kbWriteJSON(w, 200, rl)
	case p == "apis":
		var names []string
		for g := range groups {
			names = append(names, g)
		}
		sort.Strings(names)
		var gs []interface{}
		for _, g := range names {
			gs = append(gs, apiGroup(g))
		}
		kbWriteJSON(w, 200, Obj{"kind": "APIGroupList", "apiVersion": "v1", "groups": gs})
	case parts[0] == "apis" && len(parts) == 2:
		if _, ok := groups[parts[1]]; !ok {
			kbWriteErr(w, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"})
			return
		}
		g := apiGroup(parts[1])
		g["kind"], g["apiVersion"] = "APIGroup", "v1"
		kbWriteJSON(w, 200, g)
	case parts[0] == "apis" && len(parts) == 3:
		rl, ok := k.resourceList(parts[1], parts[2])
		if !ok {
			kbWriteErr(w, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"})
			return
		}
		kbWriteJSON(w, 200, rl)
	case p == "openapi/v2":
		k.serveOpenAPIv2(w, r)
	case p == "openapi/v3":
		paths := Obj{}
		add := func(gvp string) {
			if doc := kbOpenAPIv3Doc(k.s.resList, gvp); doc != nil {
				paths[gvp] = Obj{"serverRelativeURL": "/openapi/v3/" + gvp + "?hash=" + kbOpenAPIv3Hash(doc)}
			}
		}
		add("api/v1")
		for g, vs := range groups {
			for _, v := range vs {
				add("apis/" + g + "/" + v)
			}
		}
		kbWriteJSON(w, 200, Obj{"paths": paths})
	case strings.HasPrefix(p, "openapi/v3/"):
		doc := kbOpenAPIv3Doc(k.s.resList, strings.TrimPrefix(p, "openapi/v3/"))
		switch {
		case doc == nil:
			kbWriteErr(w, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"})
		case !kbAcceptsJSON(r.Header.Get("Accept")):
			kbWriteErr(w, kbNotAcceptable())
		default:
			kbWriteJSON(w, 200, doc)
		}
	default:
		kbWriteErr(w, &StatusError{Code: 404, Reason: "NotFound", Message: "the server could not find the requested resource"})
	}
}

func (k *kbServer) serveCRDs(w http.ResponseWriter, r *http.Request, ri *kbReqInfo) {
	var items []interface{}
	var one Obj
	for _, res := range k.s.resList {
		if !res.CRD {
			continue
		}
		name := res.Resource + "." + res.Group
		scope := "Namespaced"
		if !res.Namespaced {
			scope = "Cluster"
		}
		ver := Obj{"name": res.Version, "served": true, "storage": true,
			"schema": Obj{"openAPIV3Schema": kbCRDSchema(res)}}
		if res.Status {
			ver["subresources"] = Obj{"status": Obj{}}
		}
		names := Obj{"plural": res.Resource, "singular": res.Singular, "kind": res.Kind, "listKind": res.Kind + "List"}
		if len(res.Short) > 0 {
			names["shortNames"] = res.Short
		}
		o := Obj{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
			"metadata": Obj{"name": name, "uid": "00000000-0000-4000-8000-" + fmt.Sprintf("%012x", len(items)+1),
				"resourceVersion": "1", "generation": 1, "creationTimestamp": "2026-01-01T00:00:00Z"},
			"spec": Obj{"group": res.Group, "names": names, "scope": scope, "versions": []interface{}{ver}},
			"status": Obj{"acceptedNames": names, "storedVersions": []string{res.Version},
				"conditions": []interface{}{Obj{"type": "Established", "status": "True", "reason": "InitialNamesAccepted"}}}}
		items = append(items, o)
		if name == ri.name {
			one = o
		}
	}
	switch ri.verb {
	case "get":
		if one == nil {
			kbWriteErr(w, kbNotFound(ri.ri, ri.name))
			return
		}
		kbWriteJSON(w, 200, one)
	case "list":
		kbWriteJSON(w, 200, Obj{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinitionList",
			"metadata": Obj{"resourceVersion": "1"}, "items": items})
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(200)
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		select {
		case <-r.Context().Done():
		case <-k.done:
		case <-time.After(k.watchTimeout(r)):
		}
	}
}

// ---------------------------------------------------------------- resources

// kbReqMode: dryRun=All makes a request a dry run.
func kbReqMode(r *http.Request) kbMode {
	if r.URL.Query().Get("dryRun") == "All" {
		return kbDry
	}
	return kbAdmitted
}

// fieldCheck applies ?fieldValidation= to unknown fields of obj: Strict
// refuses the request (400), Warn (the default) adds Warning headers, Ignore
// says nothing; the store prunes them in every case.
func (k *kbServer) fieldCheck(w http.ResponseWriter, r *http.Request, ri *kbReqInfo, obj Obj) bool {
	unknown := kbUnknownFields(ri.ri, obj)
	if len(unknown) == 0 {
		return true
	}
	switch r.URL.Query().Get("fieldValidation") {
	case "Strict":
		msgs := make([]string, len(unknown))
		for i, f := range unknown {
			msgs[i] = fmt.Sprintf("unknown field %q", f)
		}
		kbWriteErr(w, &StatusError{Code: 400, Reason: "BadRequest",
			Message: fmt.Sprintf("%s in version %q cannot be handled as a %s: strict decoding error: %s",
				ri.ri.Kind, ri.ri.Version, ri.ri.Kind, strings.Join(msgs, ", "))})
		return false
	case "Ignore":
	default:
		for _, f := range unknown {
			w.Header().Add("Warning", fmt.Sprintf("299 - \"unknown field \\\"%s\\\"\"", f))
		}
	}
	return true
}

func kbReadBody(r *http.Request) ([]byte, *StatusError) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return nil, &StatusError{Code: 400, Reason: "BadRequest", Message: err.Error()}
	}
	return b, nil
}

func kbDecodeObj(b []byte) (Obj, *StatusError) {
	var o Obj
	if err := json.Unmarshal(b, &o); err != nil || o == nil {
		return nil, &StatusError{Code: 400, Reason: "BadRequest",
			Message: fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml")}
	}
	return o, nil
}

func (k *kbServer) serveResource(w http.ResponseWriter, r *http.Request, ri *kbReqInfo) {
	q := r.URL.Query()
	gvr := ri.ri.GVR
	switch ri.verb {
	case "get":
		o, err := k.s.get(gvr, ri.ns, ri.name)
		if err != nil {
			kbWriteErr(w, err)
			return
		}
		if kbWantsTable(r) {
			kbWriteJSON(w, 200, kbTable(ri.ri, r, []Obj{o}, Obj{"resourceVersion": kbStr(kbMeta(o), "resourceVersion")}, true))
			return
		}
		kbWriteJSON(w, 200, o)
	case "list":
		k.serveList(w, r, ri)
	case "watch":
		k.serveWatch(w, r, ri)
	case "create":
		b, se := kbReadBody(r)
		if se != nil {
			kbWriteErr(w, se)
			return
		}
		o, se := kbDecodeBody(r, b, ri.ri.CRD)
		if se != nil {
			kbWriteErr(w, se)
			return
		}
		if kbStr(kbMeta(o), "resourceVersion") != "" {
			kbWriteErr(w, &StatusError{Code: 500, Reason: "InternalError",
				Message: "Internal error occurred: resourceVersion should not be set on objects to be created"})
			return
		}
		if !k.fieldCheck(w, r, ri, o) {
			return
		}
		res, err := k.s.create(gvr, ri.ns, o, kbReqMode(r))
		if err != nil {
			kbWriteErr(w, err)
			return
		}
		kbWriteJSON(w, 201, res)
	case "update":
		b, se := kbReadBody(r)
		if se != nil {
			kbWriteErr(w, se)
			return
		}
		o, se := kbDecodeBody(r, b, ri.ri.CRD)
		if se != nil {
			kbWriteErr(w, se)
			return
		}
		if n := kbStr(kbMeta(o), "name"); n != "" && n != ri.name {
			kbWriteErr(w, &StatusError{Code: 400, Reason: "BadRequest", Message: "the name of the object (" + n + ") does not match the name on the URL (" + ri.name + ")"})
			return
		}
		kbMeta(o)["name"] = ri.name
		if ri.ri.CRD && kbStr(kbMeta(o), "resourceVersion") == "" {
			// custom resources do not allow unconditional updates
			kbWriteErr(w, &StatusError{Code: 422, Reason: "Invalid",
				Message: fmt.Sprintf("%s.%s %q is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", ri.ri.Kind, ri.ri.Group, ri.name),
				Causes:  []map[string]interface{}{kbCause("FieldValueInvalid", "metadata.resourceVersion", "Invalid value: 0x0: must be specified for an update")},
				Details: map[string]interface{}{"name": ri.name, "group": ri.ri.Group, "kind": ri.ri.Kind}})
			return
		}
		if ri.sub == "" && !k.fieldCheck(w, r, ri, o) {
			return
		}
		res, err := k.s.update(gvr, ri.ns, o, ri.sub == "status", kbReqMode(r))
		if err != nil {
			kbWriteErr(w, err)
			return
		}
		kbWriteJSON(w, 200, res)
	case "patch":
		k.servePatch(w, r, ri)
	case "delete":
		opt := kbDelOpts{Propagation: q.Get("propagationPolicy"), Dry: kbReqMode(r) == kbDry}
		if kbQueryBool(q, "orphanDependents") {
			opt.Propagation = "Orphan"
		}
		b, _ := kbReadBody(r)
		if len(b) > 0 && kbMediaType(r) == kbProtobuf {
			o, se := kbPBDecode(b)
			if se != nil {
				kbWriteErr(w, se)
				return
			}
			b, _ = json.Marshal(o)
		}
		if len(strings.TrimSpace(string(b))) > 0 {
			var d struct {
				PropagationPolicy string `json:"propagationPolicy"`
				OrphanDependents  *bool  `json:"orphanDependents"`
				Preconditions     struct {
					UID             string `json:"uid"`
					ResourceVersion string `json:"resourceVersion"`
				} `json:"preconditions"`
			}
			if err := json.Unmarshal(b, &d); err != nil {
				kbWriteErr(w, &StatusError{Code: 400, Reason: "BadRequest", Message: "invalid DeleteOptions: " + err.Error()})
				return
			}
			if d.PropagationPolicy != "" {
				opt.Propagation = d.PropagationPolicy
			}
			if d.OrphanDependents != nil && *d.OrphanDependents {
				opt.Propagation = "Orphan"
			}
			opt.UID, opt.RV = d.Preconditions.UID, d.Preconditions.ResourceVersion
		}
		switch opt.Propagation {
		case "", "Background", "Foreground", "Orphan":
		default:
			kbWriteErr(w, &StatusError{Code: 422, Reason: "Invalid", Message: "propagationPolicy: Unsupported value: \"" + opt.Propagation + "\": supported values: \"Foreground\", \"Background\", \"Orphan\""})
			return
		}
		res, err := k.s.delete(gvr, ri.ns, ri.name, opt)
		if err != nil {
			kbWriteErr(w, err)
			return
		}
		code := 200
		if kbStr(kbMeta(res), "deletionTimestamp") != "" {
			code = 202
			if gvr == kbGVRNamespaces {
				code = 200
			}
		}
		kbWriteJSON(w, code, res)
	case "deletecollection":
		items, _, err := k.s.list(gvr, ri.ns, q.Get("labelSelector"), q.Get("fieldSelector"))
		if err != nil {
			kbWriteErr(w, err)
			return
		}
		var out []interface{}
		for _, o := range items {
			m := kbMeta(o)
			if res, err := k.s.delete(gvr, kbStr(m, "namespace"), kbStr(m, "name"), kbDelOpts{Propagation: q.Get("propagationPolicy"), Dry: kbReqMode(r) == kbDry}); err == nil {
				out = append(out, res)
			}
		}
		if out == nil {
			out = []interface{}{}
		}
		rv, _ := k.s.current()
		kbWriteJSON(w, 200, Obj{"apiVersion": gvr.APIVersion(), "kind": ri.ri.Kind + "List",
			"metadata": Obj{"resourceVersion": strconv.FormatInt(rv, 10)}, "items": out})
	}
}

type kbContinue struct {
	RV   int64  `json:"rv"`
	Last string `json:"start"`
}

func (k *kbServer) serveList(w http.ResponseWriter, r *http.Request, ri *kbReqInfo) {
	q := r.URL.Query()
	items, rv, err := k.s.list(ri.ri.GVR, ri.ns, q.Get("labelSelector"), q.Get("fieldSelector"))
	if err != nil {
		kbWriteErr(w, err)
		return
	}
	meta := Obj{"resourceVersion": strconv.FormatInt(rv, 10)}
	if c := q.Get("continue"); c != "" {
		var ct kbContinue
		b, err := base64.RawURLEncoding.DecodeString(c)
		if err == nil {
			err = json.Unmarshal(b, &ct)
		}
		if err != nil {
			kbWriteErr(w, &StatusError{Code: 400, Reason: "BadRequest", Message: "continue key is not valid: " + c})
			return
		}
		if _, comp := k.s.current(); ct.RV < comp {
			kbWriteErr(w, &StatusError{Code: 410, Reason: "Expired",
				Message: "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter."})
			return
		}
		i := sort.Search(len(items), func(i int) bool { return kbObjKey(items[i]) > ct.Last })
		items = items[i:]
		meta["resourceVersion"] = strconv.FormatInt(ct.RV, 10)
		rv = ct.RV
	}
	if lim, _ := strconv.Atoi(q.Get("limit")); lim > 0 && len(items) > lim {
		rest := len(items) - lim
		items = items[:lim]
		b, _ := json.Marshal(kbContinue{RV: rv, Last: kbObjKey(items[lim-1])})
		meta["continue"] = base64.RawURLEncoding.EncodeToString(b)
		meta["remainingItemCount"] = rest
	}
	if kbWantsTable(r) {
		kbWriteJSON(w, 200, kbTable(ri.ri, r, items, meta, true))
		return
	}
	out := make([]interface{}, len(items))
	for i, o := range items {
		out[i] = o
	}
	kbWriteJSON(w, 200, Obj{"apiVersion": ri.ri.GVR.APIVersion(), "kind": ri.ri.Kind + "List", "metadata": meta, "items": out})
}

func kbObjKey(o Obj) string {
	m := kbMeta(o)
	return kbKey(kbStr(m, "namespace"), kbStr(m, "name"))
}

func (k *kbServer) servePatch(w http.ResponseWriter, r *http.Request, ri *kbReqInfo) {
	ct := r.Header.Get("Content-Type")
	if i := strings.Index(ct, ";"); i >= 0 {
		ct = ct[:i]
	}
	ct = strings.TrimSpace(ct)
	unsupported := func() {
		accepted := "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml"
		if !ri.ri.CRD {
			accepted += ", application/strategic-merge-patch+json"
		}
		kbWriteErr(w, &StatusError{Code: 415, Reason: "UnsupportedMediaType",
			Message: "the body of the request was in an unknown format - accepted media types include: " + accepted})
	}
	switch ct {
	case "application/merge-patch+json", "application/json-patch+json", "application/apply-patch+yaml":
	case "application/strategic-merge-patch+json":
		if ri.ri.CRD {
			unsupported()
			return
		}
	default:
		unsupported()
		return
	}
	b, se := kbReadBody(r)
	if se != nil {
		kbWriteErr(w, se)
		return
	}
	var patch interface{}
	if err := json.Unmarshal(b, &patch); err != nil {
		kbWriteErr(w, &StatusError{Code: 400, Reason: "BadRequest", Message: "error decoding patch: " + err.Error()})
		return
	}
	gvr := ri.ri.GVR
	status := ri.sub == "status"
	for attempt := 0; attempt < 5; attempt++ {
		cur, err := k.s.get(gvr, ri.ns, ri.name)
		if err != nil {
			if IsStatus(err, 404) && ct == "application/apply-patch+yaml" {
				po, ok := patch.(map[string]interface{})
				if !ok {
					kbWriteErr(w, &StatusError{Code: 400, Reason: "BadRequest", Message: "apply patch must be an object"})
					return
				}
				kbMeta(po)["name"] = ri.name
				res, err := k.s.create(gvr, ri.ns, po, kbReqMode(r))
				if err != nil {
					kbWriteErr(w, err)
					return
				}
				kbWriteJSON(w, 201, res)
				return
			}
			kbWriteErr(w, err)
			return
		}
		var res Obj
		switch ct {
		case "application/json-patch+json":
			ops, ok := patch.([]interface{})
			if !ok {
				kbWriteErr(w, &StatusError{Code: 400, Reason: "BadRequest", Message: "json patch must be an array of operations"})
				return
			}
			res, err = kbJSONPatch(cur, ops)
			if err != nil {
				kbWriteErr(w, &StatusError{Code: 422, Reason: "Invalid", Message: err.Error()})
				return
			}
		case "application/strategic-merge-patch+json":
			m, _ := kbStrategicPatch(cur, patch).(map[string]interface{})
			res = m
		default:
			m, _ := kbMergePatch(cur, patch).(map[string]interface{})
			res = m
		}
		if res == nil {
			kbWriteErr(w, &StatusError{Code: 422, Reason: "Invalid", Message: "patch result is not an object"})
			return
		}
		m := kbMeta(res)
		if kbStr(m, "name") != ri.name {
			kbWriteErr(w, &StatusError{Code: 400, Reason: "BadRequest", Message: "the name of the object does not match the name on the URL"})
			return
		}
		if kbStr(m, "resourceVersion") == "" {
			m["resourceVersion"] = kbStr(kbMeta(cur), "resourceVersion")
		}
		pinned := false
		if pm, ok := patch.(map[string]interface{}); ok {
			if pmeta, ok := pm["metadata"].(map[string]interface{}); ok && kbStr(pmeta, "resourceVersion") != "" {
				pinned = true
			}
		}
		if ct == "application/apply-patch+yaml" {
			m["resourceVersion"] = kbStr(kbMeta(cur), "resourceVersion")
		}
		if !status && attempt == 0 && !k.fieldCheck(w, r, ri, res) {
			return
		}
		out, err := k.s.update(gvr, ri.ns, res, status, kbReqMode(r))
		if err != nil {
			if IsStatus(err, 409) && !pinned {
				continue
			}
			kbWriteErr(w, err)
			return
		}
		kbWriteJSON(w, 200, out)
		return
	}
	kbWriteErr(w, kbConflict(gvr, ri.name))
}

// ---------------------------------------------------------------- watch

func (k *kbServer) watchTimeout(r *http.Request) time.Duration {
	if t, err := strconv.Atoi(r.URL.Query().Get("timeoutSeconds")); err == nil && t > 0 {
		return time.Duration(t) * time.Second
	}
	return 30 * time.Minute
}

func (k *kbServer) writeEvent(w http.ResponseWriter, typ string, obj Obj) {
	b, _ := json.Marshal(Obj{"type": typ, "object": obj})
	w.Write(append(b, '\n'))
}

func (k *kbServer) serveWatch(w http.ResponseWriter, r *http.Request, ri *kbReqInfo) {
	q := r.URL.Query()
	gvr := ri.ri.GVR
	ls, err := kbParseLabelSelector(q.Get("labelSelector"))
	if err != nil {
		kbWriteErr(w, err)
		return
	}
	fsel := q.Get("fieldSelector")
	if ri.name != "" {
		if fsel != "" {
			fsel += ","
		}
		fsel += "metadata.name=" + ri.name
	}
	fs, err := kbParseFieldSelector(ri.ri, fsel)
	if err != nil {
		kbWriteErr(w, err)
		return
	}
	match := func(o Obj) bool {
		if o == nil {
			return false
		}
		if ri.ns != "" && kbStr(kbMeta(o), "namespace") != ri.ns {
			return false
		}
		return ls.match(o) && fs.match(o)
	}
	rvs := q.Get("resourceVersion")
	var cursor int64
	if rvs != "" && rvs != "0" {
		cursor, err = strconv.ParseInt(rvs, 10, 64)
		if err != nil || cursor < 0 {
			kbWriteErr(w, &StatusError{Code: 400, Reason: "BadRequest", Message: fmt.Sprintf("invalid resource version: %q", rvs)})
			return
		}
	}
	bookmarks := kbQueryBool(q, "allowWatchBookmarks")
	table := kbWantsTable(r)
	headers := true
	emit := func(typ string, o Obj) {
		if table {
			o = kbTable(ri.ri, r, []Obj{o}, Obj{"resourceVersion": kbStr(kbMeta(o), "resourceVersion")}, headers)
			headers = false
		}
		k.writeEvent(w, typ, o)
	}
	drop := r.Header.Get("X-Lab-Drop") == "1"
	fl, _ := w.(http.Flusher)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache, private")
	w.WriteHeader(200)
	if rvs == "" || rvs == "0" {
		items, rv, _ := k.s.list(gvr, ri.ns, "", "")
		for _, o := range items {
			if match(o) {
				emit("ADDED", o)
			}
		}
		cursor = rv
	}
	if fl != nil {
		fl.Flush()
	}
	// Bookmarks as the watch cache sends them
	// (staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go,
	// cacheWatcher.nextBookmarkTime): every bookmarkFrequency (a minute)
	// and once about 2 s before the watch's deadline, so that a client
	// resumes from a current resourceVersion.
	wt := k.watchTimeout(r)
	timeout := time.NewTimer(wt)
	defer timeout.Stop()
	var preTimeout <-chan time.Time
	if wt > 2*time.Second {
		pt := time.NewTimer(wt - 2*time.Second)
		defer pt.Stop()
		preTimeout = pt.C
	}
	k.mu.Lock()
	bi := k.bookmarkMS
	k.mu.Unlock()
	if bi <= 0 {
		bi = 60000
	}
	bt := time.NewTicker(time.Duration(bi) * time.Millisecond)
	defer bt.Stop()
	bookmark := func() {
		if !bookmarks {
			return
		}
		k.writeEvent(w, "BOOKMARK", Obj{"kind": ri.ri.Kind, "apiVersion": gvr.APIVersion(),
			"metadata": Obj{"resourceVersion": strconv.FormatInt(cursor, 10)}})
		if fl != nil {
			fl.Flush()
		}
	}
	var dropC <-chan time.Time
	if drop {
		dropC = time.After(200 * time.Millisecond)
	}
	for {
		evs, ch, gone := k.s.since(cursor)
		if gone {
			cur, _ := k.s.current()
			k.writeEvent(w, "ERROR", (&StatusError{Code: 410, Reason: "Expired",
				Message: fmt.Sprintf("too old resource version: %d (%d)", cursor, cur)}).Status())
			return
		}
		sent := false
		for _, ev := range evs {
			cursor = ev.RV
			if ev.GVR != gvr {
				continue
			}
			typ := ev.Type
			nm, om := match(ev.Obj), match(ev.Old)
			if typ == "MODIFIED" {
				switch {
				case nm && !om:
					typ = "ADDED"
				case !nm && om:
					typ, nm = "DELETED", true
				}
			}
			if !nm {
				continue
			}
			emit(typ, ev.Obj)
			sent = true
		}
		if sent && fl != nil {
			fl.Flush()
		}
		if sent && drop {
			panic(http.ErrAbortHandler)
		}
		select {
		case <-ch:
		case <-bt.C:
			bookmark()
		case <-preTimeout:
			preTimeout = nil
			bookmark()
		case <-dropC:
			panic(http.ErrAbortHandler)
		case <-timeout.C:
			return
		case <-r.Context().Done():
			return
		case <-k.done:
			return
		}
	}
}

// ---------------------------------------------------------------- pod logs

func (k *kbServer) servePodLog(w http.ResponseWriter, r *http.Request, ri *kbReqInfo) {
	q := r.URL.Query()
	if _, err := k.s.get(kbGVRPods, ri.ns, ri.name); err != nil {
		kbWriteErr(w, err)
		return
	}
	text, ch := k.s.podLog(ri.ns, ri.name)
	tail := func(t string) string {
		n, err := strconv.Atoi(q.Get("tailLines"))
		if err != nil || n < 0 {
			return t
		}
		lines := strings.SplitAfter(t, "\n")
		if len(lines) > 0 && lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		if len(lines) > n {
			lines = lines[len(lines)-n:]
		}
		return strings.Join(lines, "")
	}
	// limitBytes: the kubelet stops after that many bytes, even mid-line
	// (k8s.io/api core/v1 PodLogOptions.LimitBytes); sinceTime is not
	// modelled: the lab's log lines carry no kubelet timestamps
	limit := func(t string) string {
		n, err := strconv.Atoi(q.Get("limitBytes"))
		if err != nil || n <= 0 || len(t) <= n {
			return t
		}
		return t[:n]
	}
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(200)
	io.WriteString(w, limit(tail(text)))
	if !kbQueryBool(q, "follow") {
		return
	}
	fl, _ := w.(http.Flusher)
	sent := len(text)
	deadline := time.After(k.watchTimeout(r))
	for {
		if fl != nil {
			fl.Flush()
		}
		pod, err := k.s.get(kbGVRPods, ri.ns, ri.name)
		if err != nil {
			return
		}
		if ph, _ := kbPath(pod, "status.phase"); ph == "Succeeded" || ph == "Failed" {
			t, _ := k.s.podLog(ri.ns, ri.name)
			if len(t) > sent {
				io.WriteString(w, t[sent:])
			}
			return
		}
		select {
		case <-ch:
		case <-deadline:
			return
		case <-r.Context().Done():
			return
		case <-k.done:
			return
		}
		var t string
		t, ch = k.s.podLog(ri.ns, ri.name)
		if len(t) > sent {
			io.WriteString(w, t[sent:])
			sent = len(t)
		}
	}
}

// ---------------------------------------------------------------- helpers for tests

func kbQueryBool(q url.Values, k string) bool {
	b, _ := strconv.ParseBool(q.Get(k))
	return b
}
