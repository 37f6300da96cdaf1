package controls

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/component-helpers/auth/rbac/validation"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/proof/engine/graph"
)

// Request is one authorisation question: may the group do Verb on Resource (of APIGroup) in
// Namespace ("" for cluster-scoped)?
type Request struct{ Verb, APIGroup, Resource, Namespace string }

func (r Request) String() string {
	group := r.APIGroup
	if group == "" {
		group = "core"
	}
	where := "cluster-wide"
	if r.Namespace != "" {
		where = "in " + r.Namespace
	}
	return fmt.Sprintf("%s %s/%s %s", r.Verb, group, r.Resource, where)
}

// RBAC is what the recorded Roles, ClusterRoles and bindings grant.
type RBAC struct{ o rbacObjects }

// RBACOf reads the recorded RBAC objects.
func RBACOf(g *graph.Graph) (*RBAC, []Finding) {
	o, fs := rbacOf(g)
	return &RBAC{o: o}, fs
}

// rulesFor are the rules a group holds in a namespace: its RoleBindings there and its
// ClusterRoleBindings. Bindings to roles this plan does not create grant nothing here.
func (r *RBAC) rulesFor(group, namespace string) []rbacv1.PolicyRule {
	bound := func(subjects []rbacv1.Subject) bool {
		return slices.ContainsFunc(subjects, func(s rbacv1.Subject) bool { return s.Kind == rbacv1.GroupKind && s.Name == group })
	}
	var rules []rbacv1.PolicyRule
	for _, b := range r.o.clusterRoleBindings {
		if bound(b.Subjects) {
			if cr, ok := r.o.clusterRoles[b.RoleRef.Name]; ok {
				rules = append(rules, cr.Rules...)
			}
		}
	}
	if namespace == "" {
		return rules
	}
	for _, b := range r.o.roleBindings {
		if b.Namespace != namespace || !bound(b.Subjects) {
			continue
		}
		switch b.RoleRef.Kind {
		case "Role":
			if role, ok := r.o.roles[namespace+"/"+b.RoleRef.Name]; ok {
				rules = append(rules, role.Rules...)
			}
		case "ClusterRole":
			if cr, ok := r.o.clusterRoles[b.RoleRef.Name]; ok {
				rules = append(rules, cr.Rules...)
			}
		}
	}
	return rules
}

// Allows decides a request with the upstream RBAC rule-coverage helper: the group's rules cover
// the request's single rule.
func (r *RBAC) Allows(group string, req Request) bool {
	covered, _ := validation.Covers(r.rulesFor(group, req.Namespace), []rbacv1.PolicyRule{{
		Verbs: []string{req.Verb}, APIGroups: []string{req.APIGroup}, Resources: []string{req.Resource},
	}})
	return covered
}

// The requests no RBAC-only persona may make anywhere: RBAC changes (so no escalate, bind or
// impersonate), Secrets, shells and tunnels into pods, ServiceAccount tokens, nodes.
var forbiddenEverywhere = []Request{
	{Verb: "escalate", APIGroup: "rbac.authorization.k8s.io", Resource: "roles"},
	{Verb: "escalate", APIGroup: "rbac.authorization.k8s.io", Resource: "clusterroles"},
	{Verb: "bind", APIGroup: "rbac.authorization.k8s.io", Resource: "roles"},
	{Verb: "bind", APIGroup: "rbac.authorization.k8s.io", Resource: "clusterroles"},
	{Verb: "create", APIGroup: "rbac.authorization.k8s.io", Resource: "roles"},
	{Verb: "update", APIGroup: "rbac.authorization.k8s.io", Resource: "roles"},
	{Verb: "create", APIGroup: "rbac.authorization.k8s.io", Resource: "rolebindings"},
	{Verb: "update", APIGroup: "rbac.authorization.k8s.io", Resource: "rolebindings"},
	{Verb: "create", APIGroup: "rbac.authorization.k8s.io", Resource: "clusterrolebindings"},
	{Verb: "impersonate", APIGroup: "", Resource: "users"},
	{Verb: "impersonate", APIGroup: "", Resource: "groups"},
	{Verb: "impersonate", APIGroup: "", Resource: "serviceaccounts"},
	{Verb: "get", APIGroup: "", Resource: "secrets"},
	{Verb: "list", APIGroup: "", Resource: "secrets"},
	{Verb: "watch", APIGroup: "", Resource: "secrets"},
	{Verb: "create", APIGroup: "", Resource: "pods/exec"},
	{Verb: "create", APIGroup: "", Resource: "pods/attach"},
	{Verb: "create", APIGroup: "", Resource: "pods/portforward"},
	{Verb: "create", APIGroup: "", Resource: "serviceaccounts/token"},
	{Verb: "get", APIGroup: "", Resource: "nodes"},
}

// Writes a read-only persona may not make.
var developerWrites = []Request{
	{Verb: "create", APIGroup: "apps", Resource: "deployments"},
	{Verb: "update", APIGroup: "apps", Resource: "deployments"},
	{Verb: "patch", APIGroup: "apps", Resource: "deployments"},
	{Verb: "delete", APIGroup: "apps", Resource: "deployments"},
	{Verb: "delete", APIGroup: "", Resource: "pods"},
	{Verb: "create", APIGroup: "", Resource: "pods"},
	{Verb: "create", APIGroup: "", Resource: "configmaps"},
	{Verb: "update", APIGroup: "", Resource: "services"},
	{Verb: "create", APIGroup: "networking.k8s.io", Resource: "networkpolicies"},
	{Verb: "delete", APIGroup: "networking.k8s.io", Resource: "networkpolicies"},
	{Verb: "update", APIGroup: "", Resource: "serviceaccounts"},
}

// What the personas authorised by RBAC alone must be able to do in each application namespace,
// so that the control also fails when their Roles are missing.
var personaNeeds = map[string][]Request{
	eksspec.Gitops.Group:    {{Verb: "update", APIGroup: "apps", Resource: "deployments"}, {Verb: "create", APIGroup: "networking.k8s.io", Resource: "networkpolicies"}},
	eksspec.Developer.Group: {{Verb: "get", APIGroup: "", Resource: "pods/log"}, {Verb: "list", APIGroup: "apps", Resource: "deployments"}},
}

var rbacControls = []*Control{
	{ID: "RBAC-001", Title: "The gitops and developer personas hold only their Roles in the application namespaces: no RBAC changes, Secrets, exec, kube-system, and developers no writes; no wildcard rules",
		Section: section3, Requirement: reqRBAC, Severity: Critical,
		Types: []string{typeRoleK8s, typeClusterRole}, Resource: checkNoWildcardRules, Graph: checkPersonaRBAC},
}

// checkNoWildcardRules: a Role or ClusterRole lists its verbs, groups and resources.
func checkNoWildcardRules(_ string, props property.Map) []Violation {
	role, err := decodeProps[rbacv1.ClusterRole](props) // a Role's rules have the same shape
	if err != nil {
		return []Violation{{Path: "rules", Value: "undecodable", Message: err.Error()}}
	}
	var vs []Violation
	for i, rule := range role.Rules {
		for _, list := range [][]string{rule.Verbs, rule.Resources, rule.APIGroups} {
			if slices.Contains(list, "*") {
				vs = append(vs, Violation{Path: fmt.Sprintf("rules[%d]", i), Value: fmt.Sprintf("%+v", rule),
					Message: "list verbs, groups and resources explicitly: a wildcard grants what does not exist yet"})
				break
			}
		}
	}
	return vs
}

func checkPersonaRBAC(t Target) (int, []Finding) {
	g := t.Graph
	rbac, fs := RBACOf(g)
	workloads, wfs := Workloads(g)
	fs = append(fs, wfs...)
	namespaces := workloadNamespaces(workloads)
	scopes := append([]string{"", "kube-system"}, namespaces...)
	checked := 0
	for _, persona := range eksspec.Personas {
		if persona.AccessPolicy != "" {
			continue // authorised by its EKS access policy (EKS-007)
		}
		checked++
		at := "persona " + persona.Name
		deny := func(req Request) {
			if rbac.Allows(persona.Group, req) {
				fs = append(fs, Finding{URN: at, Violation: Violation{Path: persona.Group, Value: req.String(), Message: "must not be allowed"}})
			}
		}
		for _, ns := range scopes {
			for _, req := range forbiddenEverywhere {
				req.Namespace = ns
				deny(req)
			}
			if persona == eksspec.Developer {
				for _, req := range developerWrites {
					req.Namespace = ns
					deny(req)
				}
			}
		}
		// Nothing at all in kube-system or cluster-wide.
		if rules := rbac.rulesFor(persona.Group, "kube-system"); len(rules) > 0 {
			fs = append(fs, Finding{URN: at, Violation: Violation{Path: persona.Group, Value: fmt.Sprintf("%d rules in kube-system", len(rules)), Message: "personas act only in application namespaces"}})
		}
		for _, ns := range namespaces {
			for _, req := range personaNeeds[persona.Group] {
				req.Namespace = ns
				if !rbac.Allows(persona.Group, req) {
					fs = append(fs, Finding{URN: at, Violation: Violation{Path: persona.Group, Value: req.String(),
						Message: "the persona has no Role here: bind its Role in every application namespace"}})
				}
			}
		}
	}
	if len(namespaces) == 0 {
		return 0, fs
	}
	slices.SortFunc(fs, func(a, b Finding) int { return strings.Compare(a.String(), b.String()) })
	return checked, fs
}
