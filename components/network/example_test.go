package network_test

import (
	"fmt"
	"net/netip"

	"github.com/securestack/platform/components/network"
)

// ExamplePlan lays out a /16 over two zones: private subnets are large (/19, for pods), public
// ones small (/22, for NAT gateways and load balancers), and each zone's place is fixed.
func ExamplePlan() {
	plan, err := network.Plan(network.PlanInput{
		VpcCIDR: netip.MustParsePrefix("10.0.0.0/16"),
		AZs:     []string{"eu-west-1a", "eu-west-1b"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range plan.Subnets {
		fmt.Println(s.Key, s.CIDR)
	}
	// Output:
	// public-eu-west-1a 10.0.224.0/22
	// private-eu-west-1a 10.0.0.0/19
	// public-eu-west-1b 10.0.228.0/22
	// private-eu-west-1b 10.0.32.0/19
}
