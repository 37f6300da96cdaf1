package clustersecurity

import (
	"errors"
	"fmt"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/securestack/platform/components/kube"
	"github.com/securestack/platform/components/lib/eksspec"
)

// TypeToken is the Pulumi type of the Namespace component. It is in users' state: never change it.
const TypeToken = "platform:clustersecurity:Namespace"

// The Pod Security Admission labels and the level every application namespace gets.
const (
	PodSecurityEnforce = eksspec.PodSecurityEnforce
	VersionSuffix      = eksspec.PodSecurityVersion
	Restricted         = eksspec.PodSecurityRestricted
)

// DefaultDenyName is the name of the namespace's default-deny NetworkPolicy, as the requirements
// call it.
const DefaultDenyName = "default-deny-all"

// Role is a Role written in the namespace and bound to one Kubernetes group.
type Role struct {
	// Name of the Role and its RoleBinding.
	Name string
	// Group is the Kubernetes group bound (an access entry's group).
	Group string
	// Rules: explicit verbs and resources, never "*".
	Rules []rbacv1.PolicyRule
}

// NamespaceArgs configure an application namespace.
type NamespaceArgs struct {
	// Name of the namespace: a DNS-1123 label, not one of Kubernetes' own (SystemNamespaces);
	// required.
	Name string
	// PodSecurityVersion pins the Pod Security standard's version, e.g. "v1.34" (the cluster's
	// minor version), so a cluster upgrade does not change what is admitted unreviewed. Required.
	PodSecurityVersion string
	// Roles are the personas' Roles in the namespace. Nil (the default) writes none: only the
	// cluster admins act in a namespace until a persona is given a Role in it.
	Roles []Role
	// Privileged sets the Pod Security level to privileged instead of restricted. Only the
	// namespace named eksspec.FalcoNamespace may be privileged: the one documented exception.
	// False (the default): restricted, the requirements' level for every application namespace.
	Privileged bool
	// Protect sets Pulumi's protect option on the namespace: deleting it deletes everything in it.
	// False (the default) lets a dev cluster be torn down.
	Protect bool
}

// Namespace is an application namespace.
type Namespace struct {
	pulumi.ResourceState
	// Name is the namespace's name (NamespaceArgs.Name), for workloads placed in it.
	Name string
	// Objects are its namespace, default deny, Roles and RoleBindings: what a workload in the
	// namespace depends on. (A dependency on the component itself would mean whatever is parented
	// to it when the dependency is resolved.)
	Objects []pulumi.Resource
}

var (
	dnsLabel       = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	versionPattern = regexp.MustCompile(`^v1\.[0-9]+$`)
)

// SystemNamespaces belong to Kubernetes: never an application namespace.
var SystemNamespaces = []string{"default", "kube-node-lease", "kube-public", "kube-system"}

// Validate reports every problem at once.
func (a *NamespaceArgs) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case len(a.Name) > 63 || !dnsLabel.MatchString(a.Name):
		bad("name: %q is not a DNS-1123 label", a.Name)
	case slices.Contains(SystemNamespaces, a.Name):
		bad("name: %q belongs to Kubernetes (reserved: %v)", a.Name, SystemNamespaces)
	}
	if a.Privileged && a.Name != eksspec.FalcoNamespace {
		bad("privileged: only namespace %q (Falco's sensor) may be privileged, not %q", eksspec.FalcoNamespace, a.Name)
	}
	if !versionPattern.MatchString(a.PodSecurityVersion) {
		bad("podSecurityVersion: %q is not a pinned Kubernetes minor version such as v1.34 (latest is not pinned)", a.PodSecurityVersion)
	}
	for i, r := range a.Roles {
		if !dnsLabel.MatchString(r.Name) {
			bad("roles[%d].name: %q is not a DNS-1123 label", i, r.Name)
		}
		if r.Group == "" {
			bad("roles[%d].group: required", i)
		}
		for j, rule := range r.Rules {
			if slices.Contains(rule.Verbs, rbacv1.VerbAll) || slices.Contains(rule.Resources, rbacv1.ResourceAll) || slices.Contains(rule.APIGroups, rbacv1.APIGroupAll) {
				bad("roles[%d].rules[%d]: wildcards are not allowed; list the verbs, groups and resources", i, j)
			}
		}
	}
	return errors.Join(errs...)
}

// Objects are the namespace's objects.
type Objects struct {
	// Namespace carries the Pod Security labels (enforce, audit and warn, version pinned).
	Namespace *corev1.Namespace
	// DefaultDeny selects every pod, for ingress and egress, with no rule.
	DefaultDeny *networkingv1.NetworkPolicy
	// Roles are the personas' Roles, in the order of NamespaceArgs.Roles.
	Roles []*rbacv1.Role
	// RoleBindings bind each Role to its group, in the same order.
	RoleBindings []*rbacv1.RoleBinding
}

// Build returns the objects of a namespace from validated args.
func Build(a *NamespaceArgs) Objects {
	labels := map[string]string{}
	level := Restricted
	if a.Privileged {
		level = eksspec.PodSecurityPrivileged
	}
	for _, mode := range eksspec.PodSecurityModes {
		labels[mode] = level
		labels[mode+VersionSuffix] = a.PodSecurityVersion
	}
	o := Objects{
		Namespace: &corev1.Namespace{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{Name: a.Name, Labels: labels},
		},
		// Every pod of the namespace, both directions, no rule: nothing flows unless another
		// policy allows it.
		DefaultDeny: &networkingv1.NetworkPolicy{
			TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
			ObjectMeta: metav1.ObjectMeta{Name: DefaultDenyName, Namespace: a.Name},
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{},
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress, networkingv1.PolicyTypeEgress},
			},
		},
	}
	for _, r := range a.Roles {
		o.Roles = append(o.Roles, &rbacv1.Role{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "Role"},
			ObjectMeta: metav1.ObjectMeta{Name: r.Name, Namespace: a.Name},
			Rules:      r.Rules,
		})
		o.RoleBindings = append(o.RoleBindings, &rbacv1.RoleBinding{
			TypeMeta:   metav1.TypeMeta{APIVersion: "rbac.authorization.k8s.io/v1", Kind: "RoleBinding"},
			ObjectMeta: metav1.ObjectMeta{Name: r.Name, Namespace: a.Name},
			Subjects:   []rbacv1.Subject{{Kind: rbacv1.GroupKind, APIGroup: rbacv1.GroupName, Name: r.Group}},
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: r.Name},
		})
	}
	return o
}

// NewNamespace registers the namespace, its default deny and its personas' Roles. The Kubernetes
// provider comes in through opts.
func NewNamespace(ctx *pulumi.Context, name string, args *NamespaceArgs, opts ...pulumi.ResourceOption) (*Namespace, error) {
	if args == nil {
		args = &NamespaceArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("clustersecurity.NewNamespace %q: %w", name, err)
	}
	n := &Namespace{Name: args.Name}
	if err := ctx.RegisterComponentResource(TypeToken, name, n, opts...); err != nil {
		return nil, err
	}
	o := Build(args)
	ns, err := kube.Register(ctx, name, o.Namespace, nil, pulumi.Parent(n), pulumi.Protect(args.Protect))
	if err != nil {
		return nil, err
	}
	n.Objects = []pulumi.Resource{ns}
	in := []pulumi.ResourceOption{pulumi.Parent(n), pulumi.DependsOn([]pulumi.Resource{ns})}
	deny, err := kube.Register(ctx, name+"-"+DefaultDenyName, o.DefaultDeny, nil, in...)
	if err != nil {
		return nil, err
	}
	n.Objects = append(n.Objects, deny)
	for i, r := range o.Roles {
		role, err := kube.Register(ctx, name+"-"+r.Name, r, nil, in...)
		if err != nil {
			return nil, err
		}
		binding, err := kube.Register(ctx, name+"-"+r.Name, o.RoleBindings[i], nil, pulumi.Parent(n), pulumi.DependsOn([]pulumi.Resource{role}))
		if err != nil {
			return nil, err
		}
		n.Objects = append(n.Objects, role, binding)
	}
	return n, ctx.RegisterResourceOutputs(n, pulumi.Map{"name": pulumi.String(args.Name)})
}
