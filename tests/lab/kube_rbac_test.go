package main

import (
	"testing"
)

// TestKubeRBAC: rule matching as rbac/v1 RuleAllows, bindings by subject
// and namespace, and the 403 message of a real server.
func TestKubeRBAC(t *testing.T) {
	s := kbtStore(t)
	k := &kbServer{s: s, l: &Lab{Logf: t.Logf}}
	if _, err := s.create(kbGVRNamespaces, "", Obj{"metadata": Obj{"name": "ns"}}, kbInternal); err != nil {
		t.Fatal(err)
	}
	role := Obj{"metadata": Obj{"name": "r", "namespace": "ns"}, "rules": []interface{}{
		kbRule([]string{"get", "list"}, []string{""}, []string{"pods", "pods/log"}),
		Obj{"verbs": kbAnyList([]string{"get"}), "apiGroups": kbAnyList([]string{""}),
			"resources": kbAnyList([]string{"configmaps"}), "resourceNames": kbAnyList([]string{"one"})},
		kbRule([]string{"patch"}, []string{kbFK}, []string{"*/status"})}}
	if _, err := s.create(kbGVRRoles, "ns", role, kbInternal); err != nil {
		t.Fatal(err)
	}
	rb := Obj{"metadata": Obj{"name": "r", "namespace": "ns"},
		"roleRef":  Obj{"apiGroup": kbRBAC, "kind": "Role", "name": "r"},
		"subjects": []interface{}{Obj{"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}}}
	if _, err := s.create(kbGVRRoleBindings, "ns", rb, kbInternal); err != nil {
		t.Fatal(err)
	}
	u, other := kbSAUser("ns", "sa"), kbSAUser("ns", "other")
	cases := []struct {
		u    *kbUser
		a    kbAttrs
		want bool
	}{
		{u, kbAttrs{verb: "list", resource: "pods", ns: "ns"}, true},
		{u, kbAttrs{verb: "get", resource: "pods", sub: "log", ns: "ns", name: "p"}, true},
		{u, kbAttrs{verb: "delete", resource: "pods", ns: "ns", name: "p"}, false},
		{u, kbAttrs{verb: "list", resource: "pods", ns: "elsewhere"}, false},
		{u, kbAttrs{verb: "get", resource: "configmaps", ns: "ns", name: "one"}, true},
		{u, kbAttrs{verb: "get", resource: "configmaps", ns: "ns", name: "two"}, false},
		{u, kbAttrs{verb: "patch", group: kbFK, resource: "plans", sub: "status", ns: "ns", name: "x"}, true},
		{u, kbAttrs{verb: "patch", group: kbFK, resource: "plans", ns: "ns", name: "x"}, false},
		{other, kbAttrs{verb: "list", resource: "pods", ns: "ns"}, false},
		// system:discovery, bound to system:authenticated
		{other, kbAttrs{verb: "get", path: "/apis/kubevirt.io/v1"}, true},
		{other, kbAttrs{verb: "get", path: "/metrics"}, false},
	}
	for i, c := range cases {
		if got, _ := k.rbacAllows(c.u, &c.a); got != c.want {
			t.Errorf("case %d %+v: allowed %v, want %v", i, c.a, got, c.want)
		}
	}
	se := kbForbidden(u, &kbAttrs{verb: "get", resource: "pods", ns: "ns", name: "x"})
	want := `pods "x" is forbidden: User "system:serviceaccount:ns:sa" cannot get resource "pods" in API group "" in the namespace "ns"`
	if se.Code != 403 || se.Reason != "Forbidden" || se.Message != want {
		t.Errorf("403: %d %s %q", se.Code, se.Reason, se.Message)
	}
	se = kbForbidden(u, &kbAttrs{verb: "list", group: "storage.k8s.io", resource: "storageclasses"})
	want = `storageclasses.storage.k8s.io is forbidden: User "system:serviceaccount:ns:sa" cannot list resource "storageclasses" in API group "storage.k8s.io" at the cluster scope`
	if se.Message != want {
		t.Errorf("403 at the cluster scope: %q", se.Message)
	}
}
