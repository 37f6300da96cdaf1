package clustersecurity_test

import (
	"fmt"

	"github.com/securestack/platform/components/clustersecurity"
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
