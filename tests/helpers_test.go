package tests

import (
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

// Stacks are the stacks in stacks/, each with its environment.
var Stacks = []string{"dev", "staging", "prod"}

var (
	cacheMu sync.Mutex
	cache   = map[cacheKey]*graph.Graph{}
)

// record returns the recorded graph of a stack as committed (cached: graphs are read-only).
func record(t testing.TB, stack string) *graph.Graph {
	t.Helper()
	return recordCached(t, recorder.Options{Stack: stack})
}

// preview returns the graph of a stack recorded as `pulumi preview` records it (cached).
func preview(t testing.TB, stack string) *graph.Graph {
	t.Helper()
	return recordCached(t, recorder.Options{Stack: stack, DryRun: true})
}

type cacheKey struct {
	stack   string
	preview bool
}

func recordCached(t testing.TB, opts recorder.Options) *graph.Graph {
	t.Helper()
	key := cacheKey{opts.Stack, opts.DryRun}
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if g, ok := cache[key]; ok {
		return g
	}
	g, err := recorder.Record(opts)
	if err != nil {
		t.Fatalf("recording stack %s (preview %v): %v", opts.Stack, opts.DryRun, err)
	}
	cache[key] = g
	return g
}

// recordWith records a stack with its config edited.
func recordWith(t testing.TB, stack string, edit func(map[string]string)) *graph.Graph {
	t.Helper()
	g, err := recorder.Record(recorder.Options{Stack: stack, Edit: edit})
	if err != nil {
		t.Fatalf("recording stack %s: %v", stack, err)
	}
	return g
}

// named returns the resource of a type and logical name, failing the test if absent.
func named(t testing.TB, g *graph.Graph, typ, name string) *graph.Resource {
	t.Helper()
	r, err := g.Named(typ, name)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// mutated returns a copy of g in which the resource (typ, name) is changed by edit.
func mutated(t testing.TB, g *graph.Graph, typ, name string, edit func(r *graph.Resource)) *graph.Graph {
	t.Helper()
	out, err := g.With(named(t, g, typ, name).URN, edit)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// without returns a copy of g without the resource (typ, name).
func without(t testing.TB, g *graph.Graph, typ, name string) *graph.Graph {
	t.Helper()
	out, err := g.Without(named(t, g, typ, name).URN)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// set returns inputs with the value at path replaced (the path must exist up to its last segment).
func set(t testing.TB, inputs property.Map, path string, v property.Value) property.Map {
	t.Helper()
	out, err := graph.SetInput(inputs, path, v)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func str(s string) property.Value { return property.New(s) }

func propertyOf(r *graph.Resource) property.Value { return property.New(r.Inputs) }
