package main

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

// baseline are the account-wide controls this program leaves to the stack that owns the account's
// baseline (the platform's own stack, in the platform's account layout): a waiver names where each
// is enforced instead, and the report shows it as waived, never as passed.
var baseline = map[string]string{
	"ACC-001": "EBS encryption by default is managed by the platform stack that owns this account's baseline",
	"ACC-002": "the account's S3 public access block is managed by the platform stack that owns this account's baseline",
	"GD-001":  "GuardDuty is managed by the platform stack that owns this account's baseline",
	"GD-002":  "GuardDuty findings are routed by the platform stack that owns this account's baseline",
}

// record records the program (or another) for the prod stack of this folder, under mocks.
func record(t *testing.T, program pulumi.RunFunc, edit func(map[string]string)) *graph.Graph {
	t.Helper()
	g, err := recorder.Record(recorder.Options{Dir: ".", Stack: "prod", Program: program, Edit: edit})
	if err != nil {
		t.Fatalf("recording: %v", err)
	}
	return g
}

// evaluate runs every control of the catalog on g as a prod stack, with the baseline waivers.
func evaluate(g *graph.Graph) map[string]controls.Result {
	out := map[string]controls.Result{}
	for _, r := range controls.Evaluate(controls.Target{Graph: g, Environment: "prod"}, baseline) {
		out[r.Control.ID] = r
	}
	return out
}

// TestTheProgramPassesEveryControlThatAppliesToIt: the keys, buckets and secret pass every control
// on them, with the number of resources each examined; the baseline controls are waived with their
// reasons; every other control of the catalog (the network, the cluster, workloads…) finds
// nothing to examine. A control added to the catalog that applies here shows up as a difference.
func TestTheProgramPassesEveryControlThatAppliesToIt(t *testing.T) {
	results := evaluate(record(t, program, nil))
	want := map[string]struct {
		status  controls.Status
		checked int
	}{
		"KMS-001":   {controls.Pass, 1}, // the data key rotates
		"KMS-002":   {controls.Pass, 1}, // an explicit key policy
		"KMS-003":   {controls.Pass, 2}, // a deletion window and an alias: the key and the alias
		"KMS-004":   {controls.Pass, 1}, // the key policy names only principals that exist
		"S3-001":    {controls.Pass, 4}, // encryption: SSE-KMS for the data, SSE-S3 for the logs
		"S3-002":    {controls.Pass, 4}, // public access blocked
		"S3-003":    {controls.Pass, 4}, // ACLs disabled
		"S3-004":    {controls.Pass, 4}, // versioned
		"S3-005":    {controls.Pass, 4}, // TLS only
		"S3-006":    {controls.Pass, 2}, // the data bucket logs to the log bucket
		"SEC-001":   {controls.Pass, 2}, // the secret uses the data key and is recoverable
		"SEC-002":   {controls.Pass, 2}, // one resource policy denying all but its readers
		"STATE-001": {controls.Pass, 4}, // key, buckets and secret protected and retained
		"STATE-002": {controls.Pass, 2}, // no bucket is force-destroyed
		"ACC-001":   {controls.Waived, 1},
		"ACC-002":   {controls.Waived, 1},
		"GD-001":    {controls.Waived, 1},
		"GD-002":    {controls.Waived, 1},
	}
	for _, id := range slices.Sorted(maps.Keys(results)) {
		r := results[id]
		w, listed := want[id]
		if !listed {
			w.status = controls.NotApplicable
		}
		if r.Status != w.status || (listed && r.Checked != w.checked) {
			t.Errorf("%s (%s): %s after examining %d, want %s after %d; findings %v",
				id, r.Control.Title, r.Status, r.Checked, w.status, w.checked, r.Findings)
		}
		if r.Status == controls.Waived && r.Waiver != baseline[id] {
			t.Errorf("%s waived for %q, want %q", id, r.Waiver, baseline[id])
		}
	}
	for id := range want {
		if _, ok := controls.Lookup(id); !ok {
			t.Errorf("%s is not a control of the catalog", id)
		}
	}
}

// TestUnprotectedStoresFailInProd: the stack setting adopter:protect: false leaves the key, both
// buckets and the secret unprotected and not retained; STATE-001 fails on each, twice.
func TestUnprotectedStoresFailInProd(t *testing.T) {
	results := evaluate(record(t, program, func(c map[string]string) { c["adopter:protect"] = "false" }))
	r := results["STATE-001"]
	if r.Status != controls.Fail || len(r.Findings) != 8 {
		t.Fatalf("STATE-001: %s with %d findings, want fail with 8: %v", r.Status, len(r.Findings), r.Findings)
	}
	paths := map[string]int{}
	for _, f := range r.Findings {
		paths[f.Path]++
	}
	if want := map[string]int{"options.protect": 4, "options.retainOnDelete": 4}; !maps.Equal(paths, want) {
		t.Errorf("STATE-001 findings by path %v, want %v", paths, want)
	}
	if failed := failedIDs(results); !slices.Equal(failed, []string{"STATE-001"}) {
		t.Errorf("failing controls %v, want only STATE-001", failed)
	}
}

// TestStoresBuiltWithoutTheComponentsFail: beside the program, a bucket and a key made directly
// with pulumi-aws (what the components exist to prevent) fail the controls that check each rule.
func TestStoresBuiltWithoutTheComponentsFail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		extra  func(ctx *pulumi.Context) error
		failed []string
	}{
		{"a bare bucket", func(ctx *pulumi.Context) error {
			_, err := s3.NewBucketV2(ctx, "bare", &s3.BucketV2Args{}, pulumi.Protect(true), pulumi.RetainOnDelete(true))
			return err
		}, []string{"S3-001", "S3-002", "S3-003", "S3-004", "S3-005", "S3-006"}},
		{"a key without rotation", func(ctx *pulumi.Context) error {
			_, err := kms.NewKey(ctx, "bare", &kms.KeyArgs{EnableKeyRotation: pulumi.Bool(false)},
				pulumi.Protect(true), pulumi.RetainOnDelete(true))
			return err
		}, []string{"KMS-001", "KMS-002", "KMS-003"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := record(t, func(ctx *pulumi.Context) error {
				if err := program(ctx); err != nil {
					return err
				}
				return tc.extra(ctx)
			}, nil)
			results := evaluate(g)
			if failed := failedIDs(results); !slices.Equal(failed, tc.failed) {
				t.Errorf("failing controls %v, want %v", failed, tc.failed)
			}
			for _, id := range tc.failed {
				for _, f := range results[id].Findings {
					if !strings.HasSuffix(f.URN, "::bare") {
						t.Errorf("%s faults %s, want only the bare resource", id, f)
					}
				}
			}
		})
	}
}

// TestABadSettingIsRefusedBeforeAnythingIsRegistered: a setting that is not a boolean is an error
// that names the key, the value and what is allowed, and no store is registered.
func TestABadSettingIsRefusedBeforeAnythingIsRegistered(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Dir: ".", Stack: "prod", Program: program,
		Edit: func(c map[string]string) { c["adopter:protect"] = "yes please" }})
	if err == nil || !strings.Contains(err.Error(), `adopter:protect: "yes please" is not a boolean (allowed: true, false)`) {
		t.Fatalf("got %v", err)
	}
	if n := g.Len(); n != 1 {
		t.Errorf("%d resources registered, want 1 (the stack itself)", n)
	}
}

func failedIDs(results map[string]controls.Result) []string {
	var out []string
	for id, r := range results {
		if r.Status == controls.Fail {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
