package clustersecurity_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/clustersecurity"
	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleBuild shows an application namespace: restricted, denying by default, with a Role per
// persona bound to its group.
func ExampleBuild() {
	o := clustersecurity.Build(&clustersecurity.NamespaceArgs{Name: "apps", PodSecurityVersion: "v1.34", Roles: []clustersecurity.Role{
		{Name: "developer", Group: "platform:developers", Rules: clustersecurity.DeveloperRules()},
	}})
	fmt.Println(o.Namespace.Labels[clustersecurity.PodSecurityEnforce], o.Namespace.Labels[clustersecurity.PodSecurityEnforce+clustersecurity.VersionSuffix])
	fmt.Println(o.DefaultDeny.Name, o.DefaultDeny.Spec.PolicyTypes)
	fmt.Println(o.RoleBindings[0].Subjects[0].Name, "→", o.RoleBindings[0].RoleRef.Kind, o.RoleBindings[0].RoleRef.Name)
	// Output:
	// restricted v1.34
	// default-deny-all [Ingress Egress]
	// platform:developers → Role developer
}

// ExampleNewNamespace records, under mocks, an application namespace with the gitops and
// developer personas: the namespace itself keeps the component's name, every other object is
// "<name>-<object>", and a Role and its RoleBinding share their persona's name.
func ExampleNewNamespace() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := clustersecurity.NewNamespace(ctx, "platform-dev-apps", &clustersecurity.NamespaceArgs{
			Name: "apps", PodSecurityVersion: "v1.34", Roles: []clustersecurity.Role{
				{Name: "gitops", Group: eksspec.Gitops.Group, Rules: clustersecurity.GitopsRules()},
				{Name: "developer", Group: eksspec.Developer.Group, Rules: clustersecurity.DeveloperRules()},
			}})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	// Output:
	// platform-dev-apps kubernetes:core/v1:Namespace
	// platform-dev-apps-default-deny-all kubernetes:networking.k8s.io/v1:NetworkPolicy
	// platform-dev-apps-developer kubernetes:rbac.authorization.k8s.io/v1:Role
	// platform-dev-apps-gitops kubernetes:rbac.authorization.k8s.io/v1:Role
	// platform-dev-apps-developer kubernetes:rbac.authorization.k8s.io/v1:RoleBinding
	// platform-dev-apps-gitops kubernetes:rbac.authorization.k8s.io/v1:RoleBinding
	// platform-dev-apps platform:clustersecurity:Namespace
}

// Kubernetes' own namespaces are never application namespaces, and only Falco's may be
// privileged: both are refused before anything is registered.
func ExampleNamespaceArgs_Validate() {
	fmt.Println((&clustersecurity.NamespaceArgs{Name: "kube-system", PodSecurityVersion: "v1.34", Privileged: true}).Validate())
	// Output:
	// name: "kube-system" belongs to Kubernetes (reserved: [default kube-node-lease kube-public kube-system])
	// privileged: only namespace "falco" (Falco's sensor) may be privileged, not "kube-system"
}
