package pack_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/controls/pack"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

type violations []string

func (v *violations) ReportViolation(message, urn string) { *v = append(*v, urn+" "+message) }

// analyze runs every policy of the pack on every resource of g, as the policy engine would.
func analyze(t *testing.T, g *graph.Graph) violations {
	t.Helper()
	var got violations
	for _, r := range g.Resources() {
		for _, p := range pack.Policies() {
			err := p.(policyx.ResourceValidationPolicy).Validate(context.Background(), policyx.ResourceValidationArgs{
				Manager:  &got,
				Resource: policyx.AnalyzerResource{Type: r.Type, URN: r.URN, Name: r.Name, Properties: r.Inputs},
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	return got
}

// TestThePackHasOneMandatoryPolicyPerResourceCheck: one policy per catalog control with a
// per-resource check, in catalog order, then one per child rule.
func TestThePackHasOneMandatoryPolicyPerResourceCheck(t *testing.T) {
	var want []string
	for _, c := range controls.Catalog() {
		if c.Resource != nil {
			want = append(want, pack.PolicyName(c))
		}
	}
	if len(want) == 0 {
		t.Fatal("the catalog has no per-resource check")
	}
	want = append(want, "eksc-001", "eksc-002", "eksc-003", "eksc-004", "eksc-005", "eksc-006", "eksc-007")
	p, err := pack.Pack()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, policy := range p.Policies() {
		got = append(got, policy.Name())
		if policy.EnforcementLevel() != policyx.EnforcementLevelMandatory {
			t.Errorf("%s is not mandatory", policy.Name())
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("policies %v, want %v", got, want)
	}
	if p.Name() != "platform-security" || p.Version().String() != "0.2.0" {
		t.Errorf("pack %s %s, want platform-security 0.2.0", p.Name(), p.Version())
	}
}

// TestThePackAgreesWithTheOfflinePlan: the committed prod stack passes the pack, and breaking a
// resource makes the pack report the same control on the same resource.
func TestThePackAgreesWithTheOfflinePlan(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	if got := analyze(t, g); len(got) != 0 {
		t.Fatalf("prod violates the pack: %v", got)
	}
	key, err := g.Named("aws:kms/key:Key", "platform-prod-data")
	if err != nil {
		t.Fatal(err)
	}
	broken, err := g.With(key.URN, func(r *graph.Resource) { r.Inputs = r.Inputs.Set("enableKeyRotation", property.New(false)) })
	if err != nil {
		t.Fatal(err)
	}
	got := analyze(t, broken)
	if len(got) != 1 || !strings.HasPrefix(got[0], key.URN+" KMS-001: enableKeyRotation = false") {
		t.Errorf("violations %v; want one KMS-001 on %s", got, key.URN)
	}
}
