package tests

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
)

// statefulDiff compares the stateful resources (controls.StatefulTypes) of base with after: gone
// are the URNs of base that after does not have (Pulumi would delete the resource and create
// another: data lost), changed the URNs whose inputs differ (Pulumi would update the resource, or
// replace it if a changed input forces that), each as "<URN> [keys]". kept counts the stateful
// resources of base that after has unchanged; added counts stateful resources new in after.
func statefulDiff(base, after *graph.Graph) (gone, changed []string, kept, added int) {
	for _, r := range base.Resources() {
		if !slices.Contains(controls.StatefulTypes, r.Type) {
			continue
		}
		a, ok := after.Lookup(r.URN)
		if !ok {
			gone = append(gone, r.URN)
			continue
		}
		// Equals compares secrets and unknowns too, which a rendering would hide.
		if !r.Inputs.Equals(a.Inputs) {
			var keys []string
			for _, k := range slices.Sorted(maps.Keys(keysOf(r.Inputs.AsMap(), a.Inputs.AsMap()))) {
				if !r.Inputs.Get(k).Equals(a.Inputs.Get(k)) {
					keys = append(keys, k)
				}
			}
			changed = append(changed, fmt.Sprintf("%s %v", r.URN, keys))
			continue
		}
		kept++
	}
	for _, r := range after.Resources() {
		if _, ok := base.Lookup(r.URN); !ok && slices.Contains(controls.StatefulTypes, r.Type) {
			added++
		}
	}
	return gone, changed, kept, added
}

func keysOf[V any](ms ...map[string]V) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			out[k] = true
		}
	}
	return out
}

// editJSON rewrites the structured config value of key (an object; absent means {}) with change.
func editJSON(t testing.TB, c map[string]string, key string, change func(v map[string]any)) {
	t.Helper()
	v := map[string]any{}
	if text := c[key]; text != "" {
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			t.Fatalf("%s: %v", key, err)
		}
	}
	change(v)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	c[key] = string(b)
}

// stackAccount is the stack's account, the first of aws:allowedAccountIds.
func stackAccount(t testing.TB, c map[string]string) string {
	t.Helper()
	var ids []string
	if err := json.Unmarshal([]byte(c["aws:allowedAccountIds"]), &ids); err != nil || len(ids) == 0 {
		t.Fatalf("aws:allowedAccountIds = %q: %v", c["aws:allowedAccountIds"], err)
	}
	return ids[0]
}

// growthEdits are the changes a platform grows by. Each must leave every stateful resource as it
// is: same URN, same inputs.
func growthEdits(t testing.TB, stack string) []struct {
	name string
	edit func(map[string]string)
} {
	principal := func(persona string) func(map[string]string) {
		return func(c map[string]string) {
			arn := "arn:aws:iam::" + stackAccount(t, c) + ":role/new-" + persona
			editJSON(t, c, "platform:access", func(v map[string]any) {
				list, _ := v[persona].([]any)
				v[persona] = append(list, arn)
			})
		}
	}
	return []struct {
		name string
		edit func(map[string]string)
	}{
		// A fourth service with an image, a push source, a caller and intents on existing stores
		// (so the stores' policies change, not the stores).
		{"a catalog service", func(c map[string]string) {
			account := stackAccount(t, c)
			editJSON(t, c, "platform:services", func(v map[string]any) {
				v["reports"] = map[string]any{
					"port":    8000,
					"image":   account + ".dkr.ecr.eu-west-1.amazonaws.com/platform/" + stack + "/reports:1.0.0",
					"push":    map[string]any{"repository": "example-org/reports", "ref": "refs/heads/main"},
					"callers": []string{"frontend"},
					"aws": []any{
						map[string]any{"s3": map[string]any{"bucket": "processed", "actions": []string{"read"}}},
						map[string]any{"secret": "app-credentials"},
					},
				}
			})
		}},
		{"a zone", func(c map[string]string) {
			editJSON(t, c, "platform:network", func(v map[string]any) {
				n, ok := v["azCount"].(float64)
				if !ok {
					t.Fatalf("%s: platform:network.azCount is not set: %v", stack, v)
				}
				v["azCount"] = n + 1
			})
		}},
		{"an admin", principal("admins")},
		{"a gitops principal", principal("gitops")},
		{"a developer", principal("developers")},
	}
}

// TestGrowthReplacesNoStatefulResource: adding a catalog service, a zone or an access principal
// to any stack changes no URN and no input of any existing stateful resource (keys, log groups,
// the cluster, buckets, the table, the file system, secrets, repositories), so `pulumi up` never
// replaces, nor even updates, a store of data to grow the platform.
func TestGrowthReplacesNoStatefulResource(t *testing.T) {
	// Stateful resources per stack, and how many each growth adds: a service adds its repository.
	want := map[string]struct{ stateful, byService int }{
		"dev": {20, 1}, "staging": {21, 1}, "prod": {21, 1},
	}
	for _, stack := range Stacks {
		base := record(t, stack)
		for _, e := range growthEdits(t, stack) {
			t.Run(stack+"/"+e.name, func(t *testing.T) {
				after := recordWith(t, stack, e.edit)
				if after.Len() <= base.Len() {
					t.Fatalf("the edit added nothing: %d resources before, %d after", base.Len(), after.Len())
				}
				gone, changed, kept, added := statefulDiff(base, after)
				for _, urn := range gone {
					t.Errorf("adding %s replaces %s", e.name, urn)
				}
				for _, c := range changed {
					t.Errorf("adding %s changes the inputs of %s", e.name, c)
				}
				wantAdded := 0
				if e.name == "a catalog service" {
					wantAdded = want[stack].byService
				}
				if kept != want[stack].stateful || added != wantAdded {
					t.Errorf("%d stateful resources kept, %d added; want %d and %d", kept, added, want[stack].stateful, wantAdded)
				}
			})
		}
	}
}

// TestTheStatefulDiffCatchesReplacementsAndChanges: the diff is not blind. Disabling a service
// deletes its repository; a shorter key deletion window changes every key's inputs; renaming a
// bucket in the graph is a deletion of the old URN; and a changed secret input is seen although
// every rendering of it reads "[secret]".
func TestTheStatefulDiffCatchesReplacementsAndChanges(t *testing.T) {
	base := record(t, "prod")
	cases := []struct {
		name                       string
		after                      *graph.Graph
		gone, changed, kept, added int
	}{
		{"the same stack", base, 0, 0, 21, 0},
		{"a service disabled", recordWith(t, "prod", func(c map[string]string) {
			editJSON(t, c, "platform:services", func(v map[string]any) { v["processor"] = map[string]any{"enabled": false} })
		}), 1, 0, 20, 0},
		{"a shorter key deletion window", recordWith(t, "prod", func(c map[string]string) {
			c["platform:keys"] = `{"deletionWindowDays":7}`
		}), 0, 4, 17, 0},
		{"a bucket renamed", mutated(t, base, "aws:s3/bucketV2:BucketV2", "platform-prod-uploads", func(r *graph.Resource) {
			r.Name += "-renamed"
			r.URN += "-renamed"
		}), 1, 0, 20, 1},
		{"a secret input changed", mutated(t, base, "aws:kms/key:Key", "platform-prod-data", func(r *graph.Resource) {
			r.Inputs = set(t, r.Inputs, "description", str("edited").WithSecret(true))
		}), 0, 1, 20, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			gone, changed, kept, added := statefulDiff(base, tc.after)
			if len(gone) != tc.gone || len(changed) != tc.changed || kept != tc.kept || added != tc.added {
				t.Errorf("gone %d %v, changed %d %v, kept %d, added %d; want %d, %d, %d, %d",
					len(gone), gone, len(changed), changed, kept, added, tc.gone, tc.changed, tc.kept, tc.added)
			}
		})
	}
}
