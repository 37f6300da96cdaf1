// Package pack turns the per-resource checks of the controls catalog into a Pulumi policy pack
// (github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx), so that the very functions the offline plan
// and the tests run also run inside `pulumi preview --policy-pack`, where they see the children of
// remote components (pulumi-eks's cluster, security groups, roles) that mocks never show.
//
// Only the per-resource part of a control runs in the pack. The graph checks need what this SDK's
// analyzer does not hand a pack: resource dependencies and retainOnDelete are not passed to
// policies (policyx's convertAnalyzerResource fills neither), and ids of not-yet-created resources
// are unknown in a preview. They stay in the offline plan and the tests.
package pack

import (
	"context"
	"slices"
	"strings"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/securestack/platform/proof/controls"
)

// Name and Version of the policy pack.
const Name = "platform-security"

// Version of the pack; bump it when the policies change.
var Version = semver.MustParse("0.1.0")

// PolicyName is the policy name of a control: its id, lower-cased ("NET-002" → "net-002").
func PolicyName(c *controls.Control) string { return strings.ToLower(c.ID) }

// Policies are the per-resource checks of the catalog, one mandatory policy per control that has
// one, reporting each violation with its property path and value.
func Policies() []policyx.Policy {
	var out []policyx.Policy
	for _, c := range controls.Catalog() {
		if c.Resource == nil {
			continue
		}
		c := c
		out = append(out, policyx.NewResourceValidationPolicy(PolicyName(c), policyx.ResourceValidationPolicyArgs{
			Description:      c.ID + ": " + c.Title + " (requirement: " + c.Requirement + ")",
			EnforcementLevel: policyx.EnforcementLevelMandatory,
			ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
				if !slices.Contains(c.Types, args.Resource.Type) {
					return nil
				}
				for _, v := range c.Resource(args.Resource.Type, args.Resource.Properties) {
					args.Manager.ReportViolation(c.ID+": "+v.Path+" = "+v.Value+": "+v.Message, args.Resource.URN)
				}
				return nil
			},
		}))
	}
	return out
}

// Pack is the policy pack.
func Pack() (policyx.PolicyPack, error) {
	return policyx.NewPolicyPack(Name, Version, policyx.EnforcementLevelMandatory, Policies())
}
