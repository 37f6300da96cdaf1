package graph

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// StackType is the type token of the root stack resource every program registers.
const StackType = "pulumi:pulumi:Stack"

// Resource is one registered resource (custom or component) as the engine was asked for it.
type Resource struct {
	URN            string       // full URN, unique in the graph
	Type           string       // type token, e.g. "aws:ec2/vpc:Vpc"
	Name           string       // logical name
	Custom         bool         // false for component resources (and the stack)
	Remote         bool         // a remote (provider-implemented) component: its children are not recorded
	Parent         string       // parent URN; empty only for the stack
	Dependencies   []string     // explicit and implicit dependency URNs, sorted
	Provider       string       // provider reference, if any
	Protect        bool         // the protect resource option
	RetainOnDelete bool         // the retainOnDelete resource option
	IgnoreChanges  []string     // the ignoreChanges resource option, sorted
	ImportID       string       // the import option or a read's id: an adopted resource
	Read           bool         // registered with Get/Read (an existing resource, not managed)
	Inputs         property.Map // the inputs, secrets and unknowns marked
	ID             string       // the id the mock returned
	Outputs        property.Map // the outputs the mock returned (for remote components, the plain outputs)
}

// Graph is the set of resources of one run, indexed by URN. It is safe for concurrent reads.
type Graph struct {
	Project string
	Stack   string
	DryRun  bool
	// Placeholders lists the config keys whose secure values could not be decrypted offline and
	// were replaced by a marked placeholder.
	Placeholders []string
	// Invokes are the invoke (data source) tokens the program called, sorted, each once.
	Invokes   []string
	resources []*Resource
	byURN     map[string]*Resource
}

// New builds a graph from resources; the order is normalised (by URN) so that output built from
// the graph is deterministic whatever the registration order was.
func New(project, stack string, resources []*Resource) (*Graph, error) {
	g := &Graph{Project: project, Stack: stack, byURN: make(map[string]*Resource, len(resources))}
	for _, r := range resources {
		if _, dup := g.byURN[r.URN]; dup {
			return nil, fmt.Errorf("graph: duplicate URN %s", r.URN)
		}
		g.byURN[r.URN] = r
		g.resources = append(g.resources, r)
	}
	slices.SortFunc(g.resources, func(a, b *Resource) int { return cmp.Compare(a.URN, b.URN) })
	return g, nil
}

// Resources returns every resource, sorted by URN.
func (g *Graph) Resources() []*Resource { return slices.Clone(g.resources) }

// Len is the number of resources, the stack included.
func (g *Graph) Len() int { return len(g.resources) }

// Lookup returns the resource with the URN.
func (g *Graph) Lookup(urn string) (*Resource, bool) {
	r, ok := g.byURN[urn]
	return r, ok
}

// OfType returns the resources of the type token, sorted by URN.
func (g *Graph) OfType(typ string) []*Resource {
	var out []*Resource
	for _, r := range g.resources {
		if r.Type == typ {
			out = append(out, r)
		}
	}
	return out
}

// Named returns the resource of the type with the logical name.
func (g *Graph) Named(typ, name string) (*Resource, error) {
	var found []*Resource
	for _, r := range g.OfType(typ) {
		if r.Name == name {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, fmt.Errorf("graph: no %s named %q (have %s)", typ, name, strings.Join(names(g.OfType(typ)), ", "))
	default:
		return nil, fmt.Errorf("graph: %d resources of type %s are named %q", len(found), typ, name)
	}
}

// Children returns the resources whose parent is urn, sorted by URN.
func (g *Graph) Children(urn string) []*Resource {
	var out []*Resource
	for _, r := range g.resources {
		if r.Parent == urn {
			out = append(out, r)
		}
	}
	return out
}

// Ancestors returns the chain of parents of r, nearest first, up to and including the stack.
func (g *Graph) Ancestors(r *Resource) []*Resource {
	var out []*Resource
	for seen := map[string]bool{}; r.Parent != "" && !seen[r.Parent]; {
		seen[r.Parent] = true
		p, ok := g.byURN[r.Parent]
		if !ok {
			break
		}
		out = append(out, p)
		r = p
	}
	return out
}

// Component returns the nearest ancestor that is a component resource (not the stack), if any.
func (g *Graph) Component(r *Resource) (*Resource, bool) {
	for _, a := range g.Ancestors(r) {
		if !a.Custom && a.Type != StackType {
			return a, true
		}
	}
	return nil, false
}

// CountByType returns how many resources there are of each type token.
func (g *Graph) CountByType() map[string]int {
	out := map[string]int{}
	for _, r := range g.resources {
		out[r.Type]++
	}
	return out
}

// DependsOn reports whether r depends on the resource with URN dep, directly or through any
// chain of dependencies or parents (a child waits for what its parent depends on).
func (g *Graph) DependsOn(r *Resource, dep string) bool {
	seen := map[string]bool{}
	var walk func(*Resource) bool
	walk = func(x *Resource) bool {
		if seen[x.URN] {
			return false
		}
		seen[x.URN] = true
		for _, d := range x.Dependencies {
			if d == dep {
				return true
			}
			if y, ok := g.byURN[d]; ok && walk(y) {
				return true
			}
		}
		return false
	}
	return walk(r)
}

func names(rs []*Resource) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.Name)
	}
	if len(out) == 0 {
		return []string{"none"}
	}
	return out
}

// Listing is one line per registered resource but the stack — its logical name and type token,
// in URN order: what a component registered, as the runnable Examples print it.
func (g *Graph) Listing() string {
	var b strings.Builder
	for _, r := range g.resources {
		if r.Type != StackType {
			b.WriteString(r.Name + " " + r.Type + "\n")
		}
	}
	return b.String()
}
