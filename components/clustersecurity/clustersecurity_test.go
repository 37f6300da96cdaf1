package clustersecurity_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/securestack/platform/components/clustersecurity"
	"github.com/securestack/platform/proof/engine/recorder"
)

func apps() *clustersecurity.NamespaceArgs {
	return &clustersecurity.NamespaceArgs{Name: "apps", PodSecurityVersion: "v1.34", Roles: []clustersecurity.Role{
		{Name: "gitops", Group: "platform:gitops", Rules: clustersecurity.GitopsRules()},
		{Name: "developer", Group: "platform:developers", Rules: clustersecurity.DeveloperRules()},
	}}
}

// TestNamespaceIsRestrictedAndDeniesByDefault: the six Pod Security labels, and a default deny
// selecting every pod for both directions with no rule.
func TestNamespaceIsRestrictedAndDeniesByDefault(t *testing.T) {
	o := clustersecurity.Build(apps())
	want := map[string]string{
		"pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "v1.34",
		"pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/audit-version": "v1.34",
		"pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "v1.34",
	}
	if fmt.Sprint(o.Namespace.Labels) != fmt.Sprint(want) {
		t.Errorf("labels %v, want %v", o.Namespace.Labels, want)
	}
	d := o.DefaultDeny.Spec
	if o.DefaultDeny.Name != "default-deny-all" || len(d.PodSelector.MatchLabels)+len(d.PodSelector.MatchExpressions) != 0 ||
		fmt.Sprint(d.PolicyTypes) != "[Ingress Egress]" || d.Ingress != nil || d.Egress != nil {
		t.Errorf("default deny %+v", o.DefaultDeny)
	}
	if len(o.RoleBindings) != 2 || o.RoleBindings[0].Subjects[0].Name != "platform:gitops" || o.RoleBindings[0].RoleRef.Name != "gitops" {
		t.Errorf("bindings %+v", o.RoleBindings)
	}
}

// TestPersonaRulesHaveNoWildcardAndNothingDangerous pins what the Roles never list.
func TestPersonaRulesHaveNoWildcardAndNothingDangerous(t *testing.T) {
	forbidden := []string{"*", "secrets", "pods/exec", "pods/attach", "pods/portforward", "serviceaccounts/token",
		"roles", "rolebindings", "clusterroles", "clusterrolebindings", "escalate", "bind", "impersonate"}
	for name, rules := range map[string][]rbacv1.PolicyRule{"gitops": clustersecurity.GitopsRules(), "developer": clustersecurity.DeveloperRules()} {
		for _, r := range rules {
			for _, v := range append(append(append([]string{}, r.Verbs...), r.Resources...), r.APIGroups...) {
				for _, f := range forbidden {
					if v == f {
						t.Errorf("%s rule %+v lists %s", name, r, f)
					}
				}
			}
			if name == "developer" && fmt.Sprint(r.Verbs) != "[get list watch]" {
				t.Errorf("developer rule %+v writes", r)
			}
		}
	}
}

func TestNamespaceArgsReportEveryProblemAndRegisterNothing(t *testing.T) {
	args := &clustersecurity.NamespaceArgs{Name: "kube-system", PodSecurityVersion: "latest", Roles: []clustersecurity.Role{
		{Name: "Ops", Rules: []rbacv1.PolicyRule{{Verbs: []string{"*"}, APIGroups: []string{""}, Resources: []string{"pods"}}}}}}
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := clustersecurity.NewNamespace(ctx, "ns", args)
		return err
	}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`clustersecurity.NewNamespace "ns"`,
		`name: "kube-system" belongs to Kubernetes`,
		`podSecurityVersion: "latest" is not a pinned Kubernetes minor version such as v1.34`,
		`roles[0].name: "Ops" is not a DNS-1123 label`,
		"roles[0].group: required",
		"roles[0].rules[0]: wildcards are not allowed",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered, want only the stack", g.Len())
	}
}

func TestNamespaceRegistersItsObjectsUnderItsName(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := clustersecurity.NewNamespace(ctx, "p-apps", apps())
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range g.Resources() {
		got = append(got, r.Type+" "+r.Name)
	}
	// In URN order.
	want := "kubernetes:core/v1:Namespace p-apps|kubernetes:networking.k8s.io/v1:NetworkPolicy p-apps-default-deny-all|" +
		"kubernetes:rbac.authorization.k8s.io/v1:Role p-apps-developer|kubernetes:rbac.authorization.k8s.io/v1:Role p-apps-gitops|" +
		"kubernetes:rbac.authorization.k8s.io/v1:RoleBinding p-apps-developer|kubernetes:rbac.authorization.k8s.io/v1:RoleBinding p-apps-gitops|" +
		"platform:clustersecurity:Namespace p-apps|pulumi:pulumi:Stack platform-dev"
	if strings.Join(got, "|") != want {
		t.Errorf("registered\n got  %s\n want %s", strings.Join(got, "|"), want)
	}
}

// TestOnlyFalcosNamespaceMayBePrivileged: the one exception is asked for by name, and then every
// mode is privileged (enforce, audit and warn at the same pinned version).
func TestOnlyFalcosNamespaceMayBePrivileged(t *testing.T) {
	err := (&clustersecurity.NamespaceArgs{Name: "apps", PodSecurityVersion: "v1.34", Privileged: true}).Validate()
	if err == nil || err.Error() != `privileged: only namespace "falco" (Falco's sensor) may be privileged, not "apps"` {
		t.Errorf("a privileged application namespace: %v", err)
	}
	args := &clustersecurity.NamespaceArgs{Name: "falco", PodSecurityVersion: "v1.34", Privileged: true}
	if err := args.Validate(); err != nil {
		t.Fatal(err)
	}
	labels := clustersecurity.Build(args).Namespace.Labels
	want := map[string]string{
		"pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/enforce-version": "v1.34",
		"pod-security.kubernetes.io/audit": "privileged", "pod-security.kubernetes.io/audit-version": "v1.34",
		"pod-security.kubernetes.io/warn": "privileged", "pod-security.kubernetes.io/warn-version": "v1.34",
	}
	if len(labels) != len(want) {
		t.Errorf("labels %v", labels)
	}
	for k, v := range want {
		if labels[k] != v {
			t.Errorf("%s = %q, want %q", k, labels[k], v)
		}
	}
}
