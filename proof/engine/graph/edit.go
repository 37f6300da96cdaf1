package graph

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// With returns a copy of g in which the resource with the URN is changed by edit; the other
// resources are shared, unchanged. Negative tests use it to break one thing in a recorded graph.
func (g *Graph) With(urn string, edit func(r *Resource)) (*Graph, error) {
	if _, ok := g.byURN[urn]; !ok {
		return nil, fmt.Errorf("graph: no resource %s", urn)
	}
	rs := make([]*Resource, 0, len(g.resources))
	for _, r := range g.resources {
		if r.URN == urn {
			c := *r
			edit(&c)
			r = &c
		}
		rs = append(rs, r)
	}
	return g.rebuilt(rs)
}

// Without returns a copy of g without the resource with the URN.
func (g *Graph) Without(urn string) (*Graph, error) {
	if _, ok := g.byURN[urn]; !ok {
		return nil, fmt.Errorf("graph: no resource %s", urn)
	}
	rs := make([]*Resource, 0, len(g.resources))
	for _, r := range g.resources {
		if r.URN != urn {
			rs = append(rs, r)
		}
	}
	return g.rebuilt(rs)
}

func (g *Graph) rebuilt(rs []*Resource) (*Graph, error) {
	out, err := New(g.Project, g.Stack, rs)
	if err != nil {
		return nil, err
	}
	out.DryRun, out.Placeholders = g.DryRun, g.Placeholders
	return out, nil
}

// SetInput returns a copy of m with the value at path ("a.b[0]", `tags["k"]`) set; every segment
// but the last must exist.
func SetInput(m property.Map, path string, v property.Value) (property.Map, error) {
	var p property.Path
	if err := p.UnmarshalText([]byte(path)); err != nil {
		return property.Map{}, fmt.Errorf("graph: bad property path %q: %w", path, err)
	}
	out, err := p.Set(property.New(m), v)
	if err != nil {
		return property.Map{}, fmt.Errorf("graph: setting %q: %w", path, err)
	}
	return out.AsMap(), nil
}
