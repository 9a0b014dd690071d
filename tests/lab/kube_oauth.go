package main

// OpenShift OAuth as `oc login` uses it: the challenging client's implicit
// flow with Basic credentials, sha256~ tokens, and token revocation through
// oauthaccesstokens (name = "sha256~" + base64url(sha256(token body))).

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const kbTokenLifetime = 86400

func kbTokenName(tok string) string {
	sum := sha256.Sum256([]byte(strings.TrimPrefix(tok, "sha256~")))
	return "sha256~" + base64.RawURLEncoding.EncodeToString(sum[:])
}

func kbRandToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (k *kbServer) serveOAuth(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/oauth/token/implicit", "/oauth/token/display":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io := "<html><body>Access token received. You may close this page.</body></html>\n"
		w.Write([]byte(io))
		return
	case "/oauth/token":
		kbWriteJSON(w, 400, Obj{"error": "unsupported_grant_type",
			"error_description": "the lab supports only the implicit token flow of openshift-challenging-client"})
		return
	case "/oauth/authorize":
	default:
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	redirect := k.url + "/oauth/token/implicit"
	if q.Get("client_id") != "openshift-challenging-client" {
		http.Redirect(w, r, redirect+"?error=unauthorized_client&error_description="+url.QueryEscape("the client is not authorized to request a token"), http.StatusFound)
		return
	}
	if q.Get("response_type") != "token" {
		http.Redirect(w, r, redirect+"?error=unsupported_response_type&error_description="+url.QueryEscape("only response_type=token is supported"), http.StatusFound)
		return
	}
	challenge := func(msg string) {
		w.Header().Set("WWW-Authenticate", `Basic realm="openshift"`)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(msg + "\n"))
	}
	user, pass, ok := r.BasicAuth()
	good := false
	if ok {
		k.mu.Lock()
		good = subtle.ConstantTimeCompare([]byte(user), []byte(k.user)) == 1 &&
			subtle.ConstantTimeCompare([]byte(pass), []byte(k.pass)) == 1
		k.mu.Unlock()
		if !good {
			k.l.Logf("kube: oauth login failed for user %q", user)
		}
	}
	if !good {
		// challenges go only to clients that say they are not a browser
		if r.Header.Get("X-CSRF-Token") == "" {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte("A non-empty X-CSRF-Token header is required to receive basic-auth challenges\n"))
			return
		}
		challenge("Unauthorized")
		return
	}
	tok := "sha256~" + kbRandToken(32)
	now := time.Now()
	t := &kbToken{Name: kbTokenName(tok), User: "kube:admin", Created: now, Expires: now.Add(kbTokenLifetime * time.Second)}
	k.mu.Lock()
	k.oauth[t.Name] = t
	k.mu.Unlock()
	k.count("create oauthaccesstokens")
	k.l.Logf("kube: oauth token %s issued", t.Name)
	frag := "access_token=" + tok + "&expires_in=86400&scope=user%3Afull&token_type=Bearer"
	w.Header().Set("Location", redirect+"#"+frag)
	w.Header().Set("Cache-Control", "no-cache, no-store, max-age=0, must-revalidate")
	w.WriteHeader(http.StatusFound)
}

func (k *kbServer) tokenObj(t *kbToken) Obj {
	return Obj{"kind": "OAuthAccessToken", "apiVersion": "oauth.openshift.io/v1",
		"metadata":   Obj{"name": t.Name, "creationTimestamp": t.Created.UTC().Format(time.RFC3339)},
		"clientName": "openshift-challenging-client", "expiresIn": kbTokenLifetime, "scopes": []string{"user:full"},
		"redirectURI": k.url + "/oauth/token/implicit", "userName": t.User}
}

func (k *kbServer) serveOAuthTokens(w http.ResponseWriter, r *http.Request, u *kbUser) {
	name := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/apis/oauth.openshift.io/v1/oauthaccesstokens"), "/")
	verb := map[string]string{"GET": "get", "DELETE": "delete"}[r.Method]
	if verb == "get" && name == "" {
		verb = "list"
	}
	if verb == "" {
		kbWriteErr(w, &StatusError{Code: 405, Reason: "MethodNotAllowed", Message: "the server does not allow this method on the requested resource"})
		return
	}
	k.count(verb + " oauthaccesstokens")
	if !u.Admin && verb == "delete" {
		kbWriteErr(w, &StatusError{Code: 403, Reason: "Forbidden", Message: "oauthaccesstokens.oauth.openshift.io is forbidden: User \"" + u.Name + "\" cannot delete resource \"oauthaccesstokens\" in API group \"oauth.openshift.io\" at the cluster scope"})
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if verb == "list" {
		var items []interface{}
		for _, t := range k.oauth {
			items = append(items, k.tokenObj(t))
		}
		if items == nil {
			items = []interface{}{}
		}
		kbWriteJSON(w, 200, Obj{"kind": "OAuthAccessTokenList", "apiVersion": "oauth.openshift.io/v1", "metadata": Obj{}, "items": items})
		return
	}
	t := k.oauth[name]
	if t == nil {
		kbWriteErr(w, &StatusError{Code: 404, Reason: "NotFound", Message: "oauthaccesstokens.oauth.openshift.io \"" + name + "\" not found",
			Details: map[string]interface{}{"name": name, "group": "oauth.openshift.io", "kind": "oauthaccesstokens"}})
		return
	}
	if verb == "get" {
		kbWriteJSON(w, 200, k.tokenObj(t))
		return
	}
	delete(k.oauth, name)
	k.l.Logf("kube: oauth token %s revoked", name)
	kbWriteJSON(w, 200, Obj{"kind": "Status", "apiVersion": "v1", "metadata": Obj{}, "status": "Success",
		"details": Obj{"name": name, "group": "oauth.openshift.io", "kind": "oauthaccesstokens"}})
}
