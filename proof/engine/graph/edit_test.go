package graph_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/engine/graph"
)

func sample(t *testing.T) *graph.Graph {
	g, err := graph.New("p", "s", []*graph.Resource{
		{URN: "urn:a", Type: "t:a", Name: "a", Inputs: property.NewMap(map[string]property.Value{
			"tags": property.New(map[string]property.Value{"k": property.New("v")})})},
		{URN: "urn:b", Type: "t:b", Name: "b"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestWithChangesOnlyTheCopy(t *testing.T) {
	g := sample(t)
	var setErr error
	changed, err := g.With("urn:a", func(r *graph.Resource) {
		r.Inputs, setErr = graph.SetInput(r.Inputs, `tags["k"]`, property.New("w"))
	})
	if err != nil || setErr != nil {
		t.Fatal(err, setErr)
	}
	a, _ := changed.Lookup("urn:a")
	if v, _ := a.String(`tags["k"]`); v != "w" {
		t.Errorf("copy has %q, want w", v)
	}
	orig, _ := g.Lookup("urn:a")
	if v, _ := orig.String(`tags["k"]`); v != "v" {
		t.Errorf("original changed to %q", v)
	}
	if _, err := g.With("urn:none", func(*graph.Resource) {}); err == nil {
		t.Error("With on a missing URN did not fail")
	}
}

func TestWithoutDropsOneResource(t *testing.T) {
	g := sample(t)
	less, err := g.Without("urn:b")
	if err != nil {
		t.Fatal(err)
	}
	if less.Len() != 1 || g.Len() != 2 {
		t.Errorf("lengths %d and %d, want 1 and 2", less.Len(), g.Len())
	}
	if _, err := graph.SetInput(property.Map{}, "a.b", property.New(1.0)); err == nil {
		t.Error("SetInput through a missing key did not fail")
	}
}
