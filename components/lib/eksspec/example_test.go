package eksspec_test

import (
	"fmt"

	"github.com/securestack/platform/components/lib/eksspec"
)

// Each persona maps principals into its Kubernetes group; only the admins and the previewers get
// an EKS access policy, the others are authorised by the Roles bound to their group.
func ExamplePersona_PolicyArn() {
	for _, p := range eksspec.Personas {
		policy := "none: in-cluster RBAC only"
		if p.AccessPolicy != "" {
			policy = p.PolicyArn("aws")
		}
		fmt.Println(p.Name, p.Group, policy)
	}
	// Output:
	// admin platform:admins arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy
	// gitops platform:gitops none: in-cluster RBAC only
	// developer platform:developers none: in-cluster RBAC only
	// previewer platform:previewers arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy
}
