package controls

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/engine/graph"
)

// The Pulumi type tokens of the Kubernetes kinds the in-cluster controls read.
const (
	typeNamespace          = "kubernetes:core/v1:Namespace"
	typeServiceAccount     = "kubernetes:core/v1:ServiceAccount"
	typeK8sService         = "kubernetes:core/v1:Service"
	typeDeployment         = "kubernetes:apps/v1:Deployment"
	typeStatefulSet        = "kubernetes:apps/v1:StatefulSet"
	typeDaemonSet          = "kubernetes:apps/v1:DaemonSet"
	typeNetworkPolicy      = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	typeRoleK8s            = "kubernetes:rbac.authorization.k8s.io/v1:Role"
	typeClusterRole        = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
	typeRoleBinding        = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
	typeClusterRoleBinding = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
)

// workloadTypes are the kinds whose pod templates the workload controls evaluate.
var workloadTypes = []string{typeDeployment, typeStatefulSet, typeDaemonSet}

// decode reads a recorded Kubernetes resource back into its upstream k8s.io/api type, so that the
// upstream evaluators judge exactly what the program asked for.
func decode[T any](r *graph.Resource) (*T, error) { return decodeProps[T](r.Inputs) }

// decodeProps is decode for a resource's inputs alone (a per-resource check, a policy pack).
func decodeProps[T any](props property.Map) (*T, error) {
	b, err := json.Marshal(graph.PlainMap(props))
	if err != nil {
		return nil, err
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("not a valid %T: %w", out, err)
	}
	return &out, nil
}

func decodeFinding(r *graph.Resource, err error) Finding {
	return Finding{URN: r.URN, Violation: Violation{Path: "spec", Value: "undecodable", Message: err.Error()}}
}

// PodTemplate is a workload's pod template with where it came from.
type PodTemplate struct {
	URN, Kind, Namespace, Name string
	Labels                     map[string]string
	Spec                       corev1.PodSpec
}

// PodTemplates are the pod templates of the recorded Deployments, StatefulSets and DaemonSets.
func PodTemplates(g *graph.Graph) ([]PodTemplate, []Finding) {
	var out []PodTemplate
	var fs []Finding
	for _, r := range g.Resources() {
		if !slices.Contains(workloadTypes, r.Type) {
			continue
		}
		// The three kinds share the template's shape: read it through Deployment.
		d, err := decode[appsv1.Deployment](r)
		if err != nil {
			fs = append(fs, decodeFinding(r, err))
			continue
		}
		ns := d.Namespace
		if ns == "" {
			ns = "default"
		}
		out = append(out, PodTemplate{URN: r.URN, Kind: r.Type[strings.LastIndex(r.Type, ":")+1:], Namespace: ns, Name: d.Name,
			Labels: d.Spec.Template.Labels, Spec: d.Spec.Template.Spec})
	}
	return out, fs
}

// Namespaces are the recorded namespaces by name.
func Namespaces(g *graph.Graph) (map[string]*corev1.Namespace, []Finding) {
	out := map[string]*corev1.Namespace{}
	var fs []Finding
	for _, r := range g.OfType(typeNamespace) {
		ns, err := decode[corev1.Namespace](r)
		if err != nil {
			fs = append(fs, decodeFinding(r, err))
			continue
		}
		out[ns.Name] = ns
	}
	return out, fs
}

// Workload is a set of pods the plan runs or will run: a workload's template, or, for a Service
// whose workload is not deployed yet, its selector.
type Workload struct {
	URN, Namespace, Name string
	Labels               map[string]string
}

// Workloads are the pods of the recorded workloads and Services, by namespace and name.
func Workloads(g *graph.Graph) ([]Workload, []Finding) {
	seen := map[string]bool{}
	var out []Workload
	templates, fs := PodTemplates(g)
	for _, t := range templates {
		seen[t.Namespace+"/"+t.Name] = true
		out = append(out, Workload{URN: t.URN, Namespace: t.Namespace, Name: t.Name, Labels: t.Labels})
	}
	for _, r := range g.OfType(typeK8sService) {
		svc, err := decode[corev1.Service](r)
		if err != nil {
			fs = append(fs, decodeFinding(r, err))
			continue
		}
		if len(svc.Spec.Selector) == 0 || seen[svc.Namespace+"/"+svc.Name] {
			continue
		}
		seen[svc.Namespace+"/"+svc.Name] = true
		out = append(out, Workload{URN: r.URN, Namespace: svc.Namespace, Name: svc.Name, Labels: svc.Spec.Selector})
	}
	slices.SortFunc(out, func(a, b Workload) int { return strings.Compare(a.Namespace+"/"+a.Name, b.Namespace+"/"+b.Name) })
	return out, fs
}

// namespaceSubject is what a finding about a namespace names: the recorded Namespace's URN, or
// "namespace <name>" for one this plan does not create.
func namespaceSubject(g *graph.Graph, name string) string {
	for _, r := range g.OfType(typeNamespace) {
		if n, _ := r.String("metadata.name"); n == name {
			return r.URN
		}
	}
	return "namespace " + name
}

// workloadNamespaces are the namespaces holding workloads, sorted.
func workloadNamespaces(ws []Workload) []string {
	set := map[string]bool{}
	for _, w := range ws {
		set[w.Namespace] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// networkPolicies decodes the recorded NetworkPolicies.
func networkPolicies(g *graph.Graph) ([]*networkingv1.NetworkPolicy, map[*networkingv1.NetworkPolicy]string, []Finding) {
	var out []*networkingv1.NetworkPolicy
	urns := map[*networkingv1.NetworkPolicy]string{}
	var fs []Finding
	for _, r := range g.OfType(typeNetworkPolicy) {
		np, err := decode[networkingv1.NetworkPolicy](r)
		if err != nil {
			fs = append(fs, decodeFinding(r, err))
			continue
		}
		out = append(out, np)
		urns[np] = r.URN
	}
	return out, urns, fs
}

// rbacObjects are the recorded Roles, ClusterRoles and their bindings.
type rbacObjects struct {
	roles               map[string]*rbacv1.Role // namespace/name
	clusterRoles        map[string]*rbacv1.ClusterRole
	roleBindings        []*rbacv1.RoleBinding
	clusterRoleBindings []*rbacv1.ClusterRoleBinding
	urns                map[any]string
}

func rbacOf(g *graph.Graph) (rbacObjects, []Finding) {
	o := rbacObjects{roles: map[string]*rbacv1.Role{}, clusterRoles: map[string]*rbacv1.ClusterRole{}, urns: map[any]string{}}
	var fs []Finding
	for _, r := range g.Resources() {
		var err error
		switch r.Type {
		case typeRoleK8s:
			var v *rbacv1.Role
			if v, err = decode[rbacv1.Role](r); err == nil {
				o.roles[v.Namespace+"/"+v.Name], o.urns[v] = v, r.URN
			}
		case typeClusterRole:
			var v *rbacv1.ClusterRole
			if v, err = decode[rbacv1.ClusterRole](r); err == nil {
				o.clusterRoles[v.Name], o.urns[v] = v, r.URN
			}
		case typeRoleBinding:
			var v *rbacv1.RoleBinding
			if v, err = decode[rbacv1.RoleBinding](r); err == nil {
				o.roleBindings, o.urns[v] = append(o.roleBindings, v), r.URN
			}
		case typeClusterRoleBinding:
			var v *rbacv1.ClusterRoleBinding
			if v, err = decode[rbacv1.ClusterRoleBinding](r); err == nil {
				o.clusterRoleBindings, o.urns[v] = append(o.clusterRoleBindings, v), r.URN
			}
		}
		if err != nil {
			fs = append(fs, decodeFinding(r, err))
		}
	}
	return o, fs
}
