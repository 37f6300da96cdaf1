// Package pack turns the per-resource checks of the controls catalog into a Pulumi policy pack
// (github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx), so that the very functions the offline plan
// and the tests run also run inside `pulumi preview --policy-pack`, where they see the children of
// remote components (pulumi-eks's cluster, security groups, roles) that mocks never show. Rules of
// its own (ChildRules) judge those children, identified by eks:index:Cluster in their URN's type
// chain.
//
// Only the per-resource part of a control runs in the pack. The graph checks need what this SDK's
// analyzer does not hand a resource policy: the AnalyzeRequest carries no dependencies (policyx's
// convertAnalyzerResource leaves Dependencies empty), its AnalyzerResourceOptions has no
// retainOnDelete field, and ids of not-yet-created resources are unknown in a preview. They stay in
// the offline plan and the tests.
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
var Version = semver.MustParse("0.2.0")

// PolicyName is the policy name of a control: its id, lower-cased ("NET-002" → "net-002").
func PolicyName(c *controls.Control) string { return strings.ToLower(c.ID) }

// Policies are the per-resource checks of the catalog, one mandatory policy per control that has
// one, then one mandatory policy per child rule; each reports a violation as "<id>: <property path>
// = <value>: <message>".
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
	for _, r := range ChildRules() {
		r := r
		out = append(out, policyx.NewResourceValidationPolicy(strings.ToLower(r.ID), policyx.ResourceValidationPolicyArgs{
			Description:      r.ID + ": " + r.Title + " (inside pulumi-eks's " + EKSComponentType + "; offline: " + r.Offline + ")",
			EnforcementLevel: policyx.EnforcementLevelMandatory,
			ValidateResource: func(_ context.Context, args policyx.ResourceValidationArgs) error {
				if !slices.Contains(r.Types, args.Resource.Type) || !InsideEKSCluster(args.Resource.URN) {
					return nil
				}
				for _, v := range r.Check(args.Resource.Type, args.Resource.Properties) {
					args.Manager.ReportViolation(r.ID+": "+v.Path+" = "+v.Value+": "+v.Message, args.Resource.URN)
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
