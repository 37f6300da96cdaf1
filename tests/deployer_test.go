package tests

import (
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/securestack/platform/deploy/deployrole"
	"github.com/securestack/platform/proof/engine/recorder"
)

var updateIAM = flag.Bool("update-iam", false, "rewrite deploy/iam/*.json from the recorded stacks")

// TestDeployAndPreviewPoliciesArePublishedForWhatTheStacksUse: deploy/iam holds the least-privilege
// policies of the roles CI assumes — the deploy role (one managed policy per area) and the preview
// role — generated from every resource type and invoke the committed stacks use. A new resource
// type without its permissions fails here (deployrole names it); a change of the policies shows as
// a reviewed diff (go test ./tests -run TestDeployAndPreview -update-iam).
func TestDeployAndPreviewPoliciesArePublishedForWhatTheStacksUse(t *testing.T) {
	types, invokes := map[string]bool{}, map[string]bool{}
	for _, stack := range Stacks {
		for _, dryRun := range []bool{false, true} {
			g, err := recorder.Record(recorder.Options{Stack: stack, DryRun: dryRun})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range g.Resources() {
				types[r.Type] = true
			}
			for _, i := range g.Invokes {
				invokes[i] = true
			}
		}
	}
	in := deployrole.Input{Partition: "aws", Project: "platform", Types: slices.Sorted(maps.Keys(types)), Invokes: slices.Sorted(maps.Keys(invokes))}
	deploy, err := deployrole.Policy(in)
	if err != nil {
		t.Fatal(err)
	}
	preview, err := deployrole.PreviewPolicy(in)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]any{"previewer.json": preview.Document}
	for _, p := range deploy {
		files["deployer-"+p.Area+".json"] = p.Document
	}
	dir := filepath.Join(projectDir(t), "deploy", "iam")
	if *updateIAM {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			t.Fatal(err)
		}
	}
	for name, doc := range files {
		want, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		path := filepath.Join(dir, name)
		if *updateIAM {
			if err := os.WriteFile(path, want, 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path) // #nosec G304 -- a file of this repository
		if err != nil || string(got) != string(want) {
			t.Errorf("%s is not the policy the stacks need (%v): review, then run go test ./tests -run TestDeployAndPreview -update-iam", path, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != len(files) && !*updateIAM {
		t.Errorf("deploy/iam holds %d files, want exactly the %d generated ones", len(entries), len(files))
	}
}
