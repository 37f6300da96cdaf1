package edge_test

import (
	"fmt"

	"github.com/securestack/platform/components/edge"
)

// ExampleControllerPolicy lists the statements of the load balancer controller's policy: reads on
// "*", writes scoped to the controller's own tagged resources or to this account's ARNs.
func ExampleControllerPolicy() {
	for _, s := range edge.ControllerPolicy("aws", "eu-west-1", "123456789012").Statements {
		fmt.Println(s.Sid, len(s.Actions), len(s.Conditions) > 0)
	}
	// Output:
	// CreateELBServiceLinkedRole 1 true
	// Describe 27 false
	// CertificatesWafShield 17 false
	// CreateSecurityGroups 1 false
	// TagSecurityGroupsAtCreation 1 true
	// RetagOwnSecurityGroups 2 true
	// ChangeOwnSecurityGroups 3 true
	// CreateTaggedLoadBalancersAndTargetGroups 2 true
	// TagAtCreation 1 true
	// RetagOwnLoadBalancersAndTargetGroups 2 true
	// TagListenersAndRules 2 false
	// ChangeOwnLoadBalancersAndTargetGroups 8 true
	// RegisterTargets 2 false
	// ListenersAndRules 10 false
}
