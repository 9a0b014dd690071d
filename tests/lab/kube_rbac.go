package main

// RBAC for service-account tokens, as the real API server does it:
// ServiceAccounts, Roles, ClusterRoles, RoleBindings and ClusterRoleBindings
// (rbac.authorization.k8s.io/v1) are stored objects; tokens come from the
// TokenRequest subresource (`kubectl create token SA`) or from legacy
// kubernetes.io/service-account-token Secrets that a token controller fills;
// a request with such a token is allowed only when a rule of a role bound to
// the account, one of its groups or system:authenticated matches it, and is
// refused with the real server's 403 Status otherwise. The admin token,
// OAuth tokens and DIR/serviceaccount/token keep full access (cluster-admin).
//
// Upstream models:
//   kubernetes/pkg/apis/rbac/v1/evaluation_helpers.go      rule matching
//   kubernetes/plugin/pkg/auth/authorizer/rbac/rbac.go      bindings, reasons
//   kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go
//                                                           system:discovery etc.
//   kubernetes/staging/src/k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go
//                                                           forbiddenMessage
//   kubernetes/pkg/registry/core/serviceaccount/storage/token.go  TokenRequest
//   kubernetes/pkg/controller/serviceaccount/tokens_controller.go legacy Secrets

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

const kbRBAC = "rbac.authorization.k8s.io"

var (
	kbGVRRoles               = GVR{kbRBAC, "v1", "roles"}
	kbGVRClusterRoles        = GVR{kbRBAC, "v1", "clusterroles"}
	kbGVRRoleBindings        = GVR{kbRBAC, "v1", "rolebindings"}
	kbGVRClusterRoleBindings = GVR{kbRBAC, "v1", "clusterrolebindings"}
	kbGVRJobs                = GVR{"batch", "v1", "jobs"}
)

const kbSATokenType = "kubernetes.io/service-account-token"

// kbRBACResources: the kinds this file adds to the API server (and Jobs,
// which `mtv-scenario job` manifests create).
func kbRBACResources() []*kbRes {
	return []*kbRes{
		{GVR: kbGVRRoles, Kind: "Role", Namespaced: true},
		{GVR: kbGVRClusterRoles, Kind: "ClusterRole"},
		{GVR: kbGVRRoleBindings, Kind: "RoleBinding", Namespaced: true},
		{GVR: kbGVRClusterRoleBindings, Kind: "ClusterRoleBinding"},
		{GVR: kbGVRJobs, Kind: "Job", Namespaced: true, Status: true},
	}
}

// kbSAToken is a token issued through TokenRequest.
type kbSAToken struct {
	NS, Name, UID string
	Expires       time.Time
}

func init() {
	kubeControllers = append(kubeControllers, kbTokenController)
}

// ---------------------------------------------------------------- seed

func kbRule(verbs, groups, resources []string) Obj {
	return Obj{"verbs": kbAnyList(verbs), "apiGroups": kbAnyList(groups), "resources": kbAnyList(resources)}
}

func kbAnyList(a []string) []interface{} {
	out := make([]interface{}, len(a))
	for i, s := range a {
		out[i] = s
	}
	return out
}

// kbSeedRBAC creates the bootstrap roles every cluster has (policy.go):
// cluster-admin, and system:discovery, system:basic-user and
// system:public-info-viewer bound to every authenticated user.
func kbSeedRBAC(s *Store) error {
	boot := Obj{"kubernetes.io/bootstrapping": "rbac-defaults"}
	auto := Obj{"rbac.authorization.kubernetes.io/autoupdate": "true"}
	roles := []struct {
		name  string
		rules []interface{}
	}{
		{"cluster-admin", []interface{}{kbRule([]string{"*"}, []string{"*"}, []string{"*"}),
			Obj{"verbs": kbAnyList([]string{"*"}), "nonResourceURLs": kbAnyList([]string{"*"})}}},
		{"system:discovery", []interface{}{Obj{"verbs": kbAnyList([]string{"get"}),
			"nonResourceURLs": kbAnyList([]string{"/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez",
				"/openapi", "/openapi/*", "/readyz", "/version", "/version/"})}}},
		{"system:public-info-viewer", []interface{}{Obj{"verbs": kbAnyList([]string{"get"}),
			"nonResourceURLs": kbAnyList([]string{"/healthz", "/livez", "/readyz", "/version", "/version/"})}}},
		{"system:basic-user", []interface{}{
			kbRule([]string{"create"}, []string{"authorization.k8s.io"}, []string{"selfsubjectaccessreviews", "selfsubjectrulesreviews"}),
			kbRule([]string{"create"}, []string{"authentication.k8s.io"}, []string{"selfsubjectreviews"}),
			kbRule([]string{"get"}, []string{"user.openshift.io"}, []string{"users"})}},
	}
	for _, r := range roles {
		o := Obj{"metadata": Obj{"name": r.name, "labels": boot, "annotations": auto}, "rules": r.rules}
		if _, err := s.create(kbGVRClusterRoles, "", o, kbInternal); err != nil {
			return err
		}
	}
	binds := []struct {
		name   string
		groups []string
	}{
		{"cluster-admin", []string{"system:masters"}},
		{"system:discovery", []string{"system:authenticated"}},
		{"system:basic-user", []string{"system:authenticated"}},
		{"system:public-info-viewer", []string{"system:authenticated", "system:unauthenticated"}},
	}
	for _, b := range binds {
		var subj []interface{}
		for _, g := range b.groups {
			subj = append(subj, Obj{"kind": "Group", "apiGroup": kbRBAC, "name": g})
		}
		o := Obj{"metadata": Obj{"name": b.name, "labels": boot, "annotations": auto},
			"roleRef":  Obj{"apiGroup": kbRBAC, "kind": "ClusterRole", "name": b.name},
			"subjects": subj}
		if _, err := s.create(kbGVRClusterRoleBindings, "", o, kbInternal); err != nil {
			return err
		}
	}
	return nil
}

// ---------------------------------------------------------------- authentication

// kbSAUser is the user a service-account token stands for.
func kbSAUser(ns, name string) *kbUser {
	return &kbUser{Name: "system:serviceaccount:" + ns + ":" + name, RBAC: true,
		Groups: []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"}}
}

// saTokenUser finds the account of a TokenRequest or legacy Secret token;
// the account must still exist (with the same uid for bound tokens).
// Called with k.mu held.
func (k *kbServer) saTokenUser(tok string) *kbUser {
	if t := k.saTokens[tok]; t != nil {
		if time.Now().After(t.Expires) {
			return nil
		}
		sa, err := k.s.get(kbGVRServiceAccounts, t.NS, t.Name)
		if err != nil || kbStr(kbMeta(sa), "uid") != t.UID {
			return nil
		}
		return kbSAUser(t.NS, t.Name)
	}
	secrets, _, err := k.s.list(kbGVRSecrets, "", "", "type="+kbSATokenType)
	if err != nil {
		return nil
	}
	enc := base64.StdEncoding.EncodeToString([]byte(tok))
	for _, sec := range secrets {
		if d, _ := sec["data"].(map[string]interface{}); d == nil || d["token"] != enc {
			continue
		}
		m := kbMeta(sec)
		ns := kbStr(m, "namespace")
		sa := kbStringMap(m["annotations"])["kubernetes.io/service-account.name"]
		if _, err := k.s.get(kbGVRServiceAccounts, ns, sa); err != nil {
			return nil
		}
		return kbSAUser(ns, sa)
	}
	return nil
}

// kbJWT makes a token shaped like the API server's (a signed JWT); the
// lab never parses it, it looks it up.
func kbJWT(ns, name, uid string, aud []interface{}, iat, exp time.Time) string {
	enc := func(v interface{}) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	hdr := enc(Obj{"alg": "RS256", "kid": "mtv-lab"})
	pay := enc(Obj{"aud": aud, "exp": exp.Unix(), "iat": iat.Unix(), "nbf": iat.Unix(),
		"iss": "https://kubernetes.default.svc", "sub": "system:serviceaccount:" + ns + ":" + name,
		"kubernetes.io": Obj{"namespace": ns, "serviceaccount": Obj{"name": name, "uid": uid}}})
	return hdr + "." + pay + "." + kbRandToken(64)
}

// serveTokenRequest answers POST .../serviceaccounts/NAME/token.
func (k *kbServer) serveTokenRequest(w http.ResponseWriter, r *http.Request, ri *kbReqInfo) {
	sa, err := k.s.get(kbGVRServiceAccounts, ri.ns, ri.name)
	if err != nil {
		kbWriteErr(w, err)
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
	if kbStr(o, "kind") != "" && kbStr(o, "kind") != "TokenRequest" {
		kbWriteErr(w, &StatusError{Code: 400, Reason: "BadRequest", Message: fmt.Sprintf("the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (kind %q is not TokenRequest)", kbStr(o, "kind"))})
		return
	}
	spec, _ := o["spec"].(map[string]interface{})
	if spec == nil {
		spec = Obj{}
	}
	secs := int64(3600)
	if v, ok := spec["expirationSeconds"].(float64); ok && v > 0 {
		if v < 600 {
			kbWriteErr(w, &StatusError{Code: 422, Reason: "Invalid",
				Message: fmt.Sprintf("TokenRequest.authentication.k8s.io %q is invalid: spec.expirationSeconds: Invalid value: %d: may not specify a duration less than 10 minutes", ri.name, int64(v))})
			return
		}
		secs = int64(v)
	}
	aud, _ := spec["audiences"].([]interface{})
	if len(aud) == 0 {
		aud = []interface{}{"https://kubernetes.default.svc"}
	}
	now := time.Now()
	exp := now.Add(time.Duration(secs) * time.Second)
	uid := kbStr(kbMeta(sa), "uid")
	tok := kbJWT(ri.ns, ri.name, uid, aud, now, exp)
	k.mu.Lock()
	if k.saTokens == nil {
		k.saTokens = map[string]*kbSAToken{}
	}
	k.saTokens[tok] = &kbSAToken{NS: ri.ns, Name: ri.name, UID: uid, Expires: exp}
	k.mu.Unlock()
	k.l.Logf("kube: token issued for system:serviceaccount:%s:%s", ri.ns, ri.name)
	spec["audiences"], spec["expirationSeconds"] = aud, secs
	kbWriteJSON(w, 201, Obj{"kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
		"metadata": Obj{"name": ri.name, "namespace": ri.ns, "creationTimestamp": nil},
		"spec":     spec,
		"status":   Obj{"token": tok, "expirationTimestamp": exp.UTC().Format(time.RFC3339)}})
}

// kbTokenController fills legacy service-account-token Secrets with a
// token, the cluster CA and the namespace, as the token controller does.
func kbTokenController(l *Lab, s *Store) func() {
	fill := func(o Obj) {
		if kbStr(o, "type") != kbSATokenType {
			return
		}
		if d, _ := o["data"].(map[string]interface{}); d != nil && d["token"] != nil {
			return
		}
		m := kbMeta(o)
		ns, name := kbStr(m, "namespace"), kbStr(m, "name")
		sa := kbStringMap(m["annotations"])["kubernetes.io/service-account.name"]
		if _, err := s.get(kbGVRServiceAccounts, ns, sa); err != nil {
			return
		}
		s.Mutate(kbGVRSecrets, ns, name, func(o Obj) error {
			d, _ := o["data"].(map[string]interface{})
			if d == nil {
				d = Obj{}
				o["data"] = d
			}
			e := base64.StdEncoding.EncodeToString
			d["token"] = e([]byte(kbRandToken(48)))
			d["ca.crt"] = e(l.CACertPEM)
			d["namespace"] = e([]byte(ns))
			return nil
		}, false)
	}
	s.Watch(func(ev string, gvr GVR, o Obj) {
		if gvr == kbGVRSecrets && ev == "ADDED" {
			fill(o)
		}
	})
	return nil
}

// ---------------------------------------------------------------- authorization

// kbAttrs is what the authorizer decides on (authorizer.Attributes).
type kbAttrs struct {
	verb, group, resource, sub, ns, name string
	path                                 string // non-resource requests
}

func kbStrs(v interface{}) []string {
	a, _ := v.([]interface{})
	out := make([]string, 0, len(a))
	for _, x := range a {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// kbRuleAllows is rbac/v1 RuleAllows.
func kbRuleAllows(rule Obj, a *kbAttrs) bool {
	has := func(list []string, v string) bool {
		for _, x := range list {
			if x == "*" || x == v {
				return true
			}
		}
		return false
	}
	if !has(kbStrs(rule["verbs"]), a.verb) {
		return false
	}
	if a.path != "" {
		for _, u := range kbStrs(rule["nonResourceURLs"]) {
			if u == "*" || u == a.path || (strings.HasSuffix(u, "*") && strings.HasPrefix(a.path, strings.TrimSuffix(u, "*"))) {
				return true
			}
		}
		return false
	}
	if !has(kbStrs(rule["apiGroups"]), a.group) {
		return false
	}
	res := a.resource
	if a.sub != "" {
		res += "/" + a.sub
	}
	ok := false
	for _, r := range kbStrs(rule["resources"]) {
		if r == "*" || r == res || (a.sub != "" && r == "*/"+a.sub) {
			ok = true
		}
	}
	if !ok {
		return false
	}
	names := kbStrs(rule["resourceNames"])
	if len(names) == 0 {
		return true
	}
	for _, n := range names {
		if n == a.name {
			return true
		}
	}
	return false
}

func kbSubjectMatches(subj Obj, u *kbUser, bindingNS string) bool {
	switch kbStr(subj, "kind") {
	case "ServiceAccount":
		ns := kbStr(subj, "namespace")
		if ns == "" {
			ns = bindingNS
		}
		return u.Name == "system:serviceaccount:"+ns+":"+kbStr(subj, "name")
	case "User":
		return u.Name == kbStr(subj, "name")
	case "Group":
		return kbHasStr(u.Groups, kbStr(subj, "name"))
	}
	return false
}

// rbacAllows reports whether a role bound to u allows a, and which
// binding did (for SelfSubjectAccessReview's reason).
func (k *kbServer) rbacAllows(u *kbUser, a *kbAttrs) (bool, string) {
	check := func(b Obj, bindingNS string) (bool, string) {
		matched := false
		for _, s := range kbList(b["subjects"]) {
			if sm, ok := s.(map[string]interface{}); ok && kbSubjectMatches(sm, u, bindingNS) {
				matched = true
			}
		}
		if !matched {
			return false, ""
		}
		ref, _ := b["roleRef"].(map[string]interface{})
		var role Obj
		var err error
		if kbStr(ref, "kind") == "Role" {
			role, err = k.s.get(kbGVRRoles, bindingNS, kbStr(ref, "name"))
		} else {
			role, err = k.s.get(kbGVRClusterRoles, "", kbStr(ref, "name"))
		}
		if err != nil {
			return false, ""
		}
		for _, r := range kbList(role["rules"]) {
			if rm, ok := r.(map[string]interface{}); ok && kbRuleAllows(rm, a) {
				kind := "ClusterRoleBinding"
				if bindingNS != "" {
					kind = "RoleBinding"
				}
				return true, fmt.Sprintf("RBAC: allowed by %s %q of %s %q to %s", kind, kbStr(kbMeta(b), "name"),
					kbStr(ref, "kind"), kbStr(ref, "name"), u.Name)
			}
		}
		return false, ""
	}
	crbs, _, _ := k.s.list(kbGVRClusterRoleBindings, "", "", "")
	for _, b := range crbs {
		if ok, why := check(b, ""); ok {
			return true, why
		}
	}
	if a.ns == "" || a.path != "" {
		return false, ""
	}
	rbs, _, _ := k.s.list(kbGVRRoleBindings, a.ns, "", "")
	for _, b := range rbs {
		if ok, why := check(b, a.ns); ok {
			return true, why
		}
	}
	return false, ""
}

// kbForbidden is the API server's 403 (responsewriters.forbiddenMessage
// wrapped in NewForbidden).
func kbForbidden(u *kbUser, a *kbAttrs) *StatusError {
	if a.path != "" {
		return &StatusError{Code: 403, Reason: "Forbidden",
			Message: fmt.Sprintf("forbidden: User %q cannot %s path %q", u.Name, a.verb, a.path)}
	}
	res := a.resource
	if a.sub != "" {
		res += "/" + a.sub
	}
	msg := fmt.Sprintf("User %q cannot %s resource %q in API group %q", u.Name, a.verb, res, a.group)
	if a.ns != "" {
		msg += fmt.Sprintf(" in the namespace %q", a.ns)
	} else {
		msg += " at the cluster scope"
	}
	qual := a.resource
	if a.group != "" {
		qual += "." + a.group
	}
	if a.name != "" {
		msg = fmt.Sprintf("%s %q is forbidden: %s", qual, a.name, msg)
	} else {
		msg = fmt.Sprintf("%s is forbidden: %s", qual, msg)
	}
	return &StatusError{Code: 403, Reason: "Forbidden", Message: msg,
		Details: map[string]interface{}{"name": a.name, "group": a.group, "kind": a.resource}}
}

// rbacAuthorize decides a resource request of an RBAC user.
func (k *kbServer) rbacAuthorize(u *kbUser, ri *kbReqInfo) *StatusError {
	a := &kbAttrs{verb: ri.verb, group: ri.ri.Group, resource: ri.ri.Resource, sub: ri.sub, ns: ri.ns, name: ri.name}
	if ok, _ := k.rbacAllows(u, a); ok {
		return nil
	}
	k.l.Logf("kube: rbac: denied %s %s %s/%s to %s", a.verb, ri.resString, a.ns, a.name, u.Name)
	return kbForbidden(u, a)
}

// rbacAllowPath decides a non-resource request (discovery, /version) of an
// RBAC user: nil when a nonResourceURLs rule allows it.
func (k *kbServer) rbacAllowPath(u *kbUser, r *http.Request) *StatusError {
	if u == nil || !u.RBAC {
		return nil
	}
	verb := strings.ToLower(r.Method)
	if verb == "head" {
		verb = "get"
	}
	a := &kbAttrs{verb: verb, path: r.URL.Path}
	if ok, _ := k.rbacAllows(u, a); ok {
		return nil
	}
	return kbForbidden(u, a)
}

// rbacReview answers a SelfSubjectAccessReview spec for an RBAC user.
func (k *kbServer) rbacReview(u *kbUser, spec map[string]interface{}) (bool, string) {
	a := &kbAttrs{}
	if ra, ok := spec["resourceAttributes"].(map[string]interface{}); ok {
		a.verb, a.group, a.resource = kbStr(ra, "verb"), kbStr(ra, "group"), kbStr(ra, "resource")
		a.sub, a.ns, a.name = kbStr(ra, "subresource"), kbStr(ra, "namespace"), kbStr(ra, "name")
	} else if na, ok := spec["nonResourceAttributes"].(map[string]interface{}); ok {
		a.verb, a.path = kbStr(na, "verb"), kbStr(na, "path")
		if a.path == "" {
			return false, ""
		}
	} else {
		return false, ""
	}
	return k.rbacAllows(u, a)
}

// rbacSpecial decides, for an RBAC user, the requests ServeHTTP answers
// before resource routing: users/~, self reviews, oauthaccesstokens.
func (k *kbServer) rbacSpecial(u *kbUser, r *http.Request) *StatusError {
	if u == nil || !u.RBAC {
		return nil
	}
	p := r.URL.Path
	a := &kbAttrs{verb: "create"}
	switch {
	case p == "/apis/user.openshift.io/v1/users/~":
		a.verb, a.group, a.resource, a.name = "get", "user.openshift.io", "users", "~"
	case p == "/apis/authentication.k8s.io/v1/selfsubjectreviews":
		a.group, a.resource = "authentication.k8s.io", "selfsubjectreviews"
	case p == "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews":
		a.group, a.resource = "authorization.k8s.io", "selfsubjectaccessreviews"
	case strings.HasPrefix(p, "/apis/oauth.openshift.io/v1/oauthaccesstokens"):
		a.group, a.resource = "oauth.openshift.io", "oauthaccesstokens"
		a.name = strings.Trim(strings.TrimPrefix(p, "/apis/oauth.openshift.io/v1/oauthaccesstokens"), "/")
		a.verb = map[string]string{"GET": "get", "DELETE": "delete"}[r.Method]
		if a.verb == "get" && a.name == "" {
			a.verb = "list"
		}
	default:
		return nil
	}
	if ok, _ := k.rbacAllows(u, a); ok {
		return nil
	}
	return kbForbidden(u, a)
}

// kbPathAttrs: the attributes of a resource request read from its URL
// alone, as the API server's RequestInfoFactory does before any handler
// knows whether the resource exists (k8s.io/apiserver
// pkg/endpoints/request/requestinfo.go); nil for a non-resource path.
func kbPathAttrs(r *http.Request) *kbAttrs {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	a := &kbAttrs{}
	var rest []string
	switch {
	case len(parts) >= 3 && parts[0] == "api":
		rest = parts[2:]
	case len(parts) >= 4 && parts[0] == "apis":
		a.group, rest = parts[1], parts[3:]
	default:
		return nil
	}
	if rest[0] == "namespaces" && len(rest) >= 3 {
		a.ns, rest = rest[1], rest[2:]
	}
	a.resource = rest[0]
	if len(rest) > 1 {
		a.name = rest[1]
	}
	if len(rest) > 2 {
		a.sub = rest[2]
	}
	switch r.Method {
	case "GET", "HEAD":
		switch {
		case a.name != "":
			a.verb = "get"
		case r.URL.Query().Get("watch") == "true" || r.URL.Query().Get("watch") == "1":
			a.verb = "watch"
		default:
			a.verb = "list"
		}
	case "POST":
		a.verb = "create"
	case "PUT":
		a.verb = "update"
	case "PATCH":
		a.verb = "patch"
	case "DELETE":
		a.verb = "delete"
		if a.name == "" {
			a.verb = "deletecollection"
		}
	default:
		return nil
	}
	return a
}

// rbacAllowUnknown decides, for an RBAC user, a request for a resource the
// lab does not serve: authorization comes before routing on a real server,
// so a user without a rule for it gets 403, not 404.
func (k *kbServer) rbacAllowUnknown(u *kbUser, r *http.Request) *StatusError {
	if u == nil || !u.RBAC {
		return nil
	}
	a := kbPathAttrs(r)
	if a == nil {
		return nil
	}
	if ok, _ := k.rbacAllows(u, a); ok {
		return nil
	}
	k.l.Logf("kube: rbac: denied %s %s/%s %s/%s to %s", a.verb, a.group, a.resource, a.ns, a.name, u.Name)
	return kbForbidden(u, a)
}
