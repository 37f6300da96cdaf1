// Command policypack is the platform's Pulumi policy pack: the per-resource security controls and
// the rules on pulumi-eks's children (proof/controls/pack), enforced during a real
// `pulumi preview --policy-pack ./cmd/policypack` (see README).
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/securestack/platform/proof/controls/pack"
)

func main() {
	if err := policyx.Main(func(*pulumi.Context) (policyx.PolicyPack, error) { return pack.Pack() }); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
