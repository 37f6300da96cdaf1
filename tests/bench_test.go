package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/planner"
	"github.com/securestack/platform/proof/engine/recorder"
	"github.com/securestack/platform/proof/engine/stackconfig"
)

// The benchmarks measure the offline plan (record under mocks, evaluate every control, render
// plan.json): the README's first command and the pull-request gate, run once per stack. They are
// benchmarks, not timed tests: a shared CI machine's speed is no verdict. The README's
// performance section records their figures and the commands.

// BenchmarkOfflinePlan is the offline plan of each committed stack.
func BenchmarkOfflinePlan(b *testing.B) {
	for _, stack := range Stacks {
		b.Run(stack, func(b *testing.B) { benchmarkPlan(b, stack) })
	}
}

func benchmarkPlan(b *testing.B, stack string) {
	b.ReportAllocs()
	for b.Loop() {
		p, err := planner.Make(planner.Options{Stack: stack})
		if err != nil {
			b.Fatal(err)
		}
		if p.Failed() {
			b.Fatalf("%s: controls fail: the benchmark would time a broken plan", stack)
		}
		if _, err := p.JSON(); err != nil {
			b.Fatal(err)
		}
	}
}

// CatalogSizes are the catalog sizes the catalog benchmark plans: the cost per service is the
// slope between them, which stays flat if the plan grows linearly with the catalog.
var CatalogSizes = []int{1, 10, 50, 200}

// BenchmarkOfflinePlanByCatalogSize is dev's offline plan with 1, 10, 50 and 200 enabled catalog
// services: the committed three, trimmed to the processor (load-balanced) for 1, or followed by generated services
// (an image and push source of their own, the frontend as caller, a read of the processed bucket
// and of the application secret: a role, a repository, a push role, the workload's objects and
// their NetworkPolicies each).
func BenchmarkOfflinePlanByCatalogSize(b *testing.B) {
	for _, n := range CatalogSizes {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			edit := func(c map[string]string) { c["platform:services"] = catalogOf(b, n) }
			// Once, untimed: the plan is what we think it is (n Deployments, every control passing).
			if got := len(planWith(b, "dev", edit).Graph.OfType("kubernetes:apps/v1:Deployment")); got != n {
				b.Fatalf("%d Deployments, want %d", got, n)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if _, err := planWith(b, "dev", edit).JSON(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// catalogOf is a platform:services value of dev with n enabled services.
func catalogOf(b *testing.B, n int) string {
	const registry = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/dev/"
	services := map[string]map[string]any{}
	for _, s := range []string{"frontend", "uploader", "processor"} {
		services[s] = map[string]any{"image": registry + s + ":1.0.0",
			"push": map[string]any{"repository": "example-org/" + s, "ref": "refs/heads/main"}}
	}
	if n == 1 {
		// The processor alone: it holds the file system's only mount (without one, EFS-005 fails),
		// and takes the load balancer the stack's platform:edge is for.
		services["frontend"] = map[string]any{"enabled": false}
		services["uploader"] = map[string]any{"enabled": false}
		services["processor"]["loadBalancer"] = true
	}
	for i := 1; i <= n-3; i++ {
		name := fmt.Sprintf("svc-%03d", i)
		services[name] = map[string]any{
			"port": 8000, "image": registry + name + ":1.0.0", "callers": []string{"frontend"},
			"push": map[string]any{"repository": "example-org/" + name, "ref": "refs/heads/main"},
			"aws": []any{
				map[string]any{"s3": map[string]any{"bucket": "processed", "actions": []string{"read"}}},
				map[string]any{"secret": "app-credentials"},
			},
		}
	}
	text, err := json.Marshal(services)
	if err != nil {
		b.Fatal(err)
	}
	return string(text)
}

// planWith is planner.Make with the stack's config edited first: the same steps (load, parse,
// record, evaluate with the stack's waivers), so that it costs what the offline plan costs.
func planWith(b *testing.B, stack string, edit func(map[string]string)) *planner.Plan {
	dir, err := recorder.FindProjectDir()
	if err != nil {
		b.Fatal(err)
	}
	st, err := stackconfig.Load(dir, stack)
	if err != nil {
		b.Fatal(err)
	}
	edit(st.Config)
	cfg, err := infra.ParseConfig(infra.Raw{Project: st.Project, Stack: st.Name, Values: st.Config,
		SecretKeys: st.SecretKeys, KnownControls: controls.IDs()})
	if err != nil {
		b.Fatal(err)
	}
	g, err := recorder.Record(recorder.Options{Dir: dir, Stack: stack, Edit: edit})
	if err != nil {
		b.Fatal(err)
	}
	waivers := map[string]string{}
	for _, w := range cfg.Waivers {
		waivers[w.Control] = w.Reason
	}
	p := &planner.Plan{Graph: g, Config: cfg,
		Results: controls.Evaluate(controls.Target{Graph: g, Environment: string(cfg.Environment), Repository: os.DirFS(dir)}, waivers)}
	if failed := controls.Failed(p.Results); len(failed) > 0 {
		b.Fatalf("%s: %s fails: %v", stack, failed[0].Control.ID, failed[0].Findings)
	}
	return p
}
