package pack_test

import (
	"context"
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

func TestThePackHasOneMandatoryPolicyPerResourceCheck(t *testing.T) {
	want := 0
	for _, c := range controls.Catalog() {
		if c.Resource != nil {
			want++
		}
	}
	p, err := pack.Pack()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Policies()); got != want || want == 0 {
		t.Errorf("%d policies, want %d", got, want)
	}
	for _, policy := range p.Policies() {
		if policy.EnforcementLevel() != policyx.EnforcementLevelMandatory {
			t.Errorf("%s is not mandatory", policy.Name())
		}
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
