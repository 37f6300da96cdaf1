package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const bucketURN = "urn:pulumi:dev::platform::platform:storage:Bucket$aws:s3/bucketV2:BucketV2::platform-dev-uploads"

// plans writes <dir>/<stack>/plan.json for each stack and returns dir.
func plans(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for stack, text := range files {
		if err := os.MkdirAll(filepath.Join(dir, stack), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, stack, "plan.json"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func bucketPlan(stack, name string) string {
	urn := strings.Replace(bucketURN, "dev", stack, 1)
	return `{"project":"platform","stack":"` + stack + `","resources":[{"urn":"` + urn + `","type":"aws:s3/bucketV2:BucketV2","name":"b","custom":true,"inputs":{"bucket":"` + name + `"}}]}`
}

// TestExitCodes: 0 without data loss, 1 on data loss, 0 again with -allow-data-loss, 2 on every
// usage error, each with a message that names the flag, the file or the key.
func TestExitCodes(t *testing.T) {
	base := plans(t, map[string]string{"dev": bucketPlan("dev", "uploads"), "prod": bucketPlan("prod", "uploads")})
	same := plans(t, map[string]string{"dev": bucketPlan("dev", "uploads"), "prod": bucketPlan("prod", "uploads")})
	renamed := plans(t, map[string]string{"dev": bucketPlan("dev", "uploads-2"), "prod": bucketPlan("prod", "uploads")})
	misplaced := plans(t, map[string]string{"staging": bucketPlan("dev", "uploads")})
	broken := plans(t, map[string]string{"dev": `{"stack":"dev","resources":[{"urn":"bad","type":"t"}]}`})
	withPreview := plans(t, map[string]string{"dev": bucketPlan("dev", "uploads"), "prod": bucketPlan("prod", "uploads"),
		"dev-preview": strings.Replace(bucketPlan("dev", "uploads"), `"stack"`, `"preview":true,"stack"`, 1)})
	empty := t.TempDir()
	cases := []struct {
		name     string
		args     []string
		code     int
		stdout   string // a line the Markdown must hold
		stderrIs string // the whole of stderr
	}{
		{"unchanged", []string{"-base", base, "-head", same}, 0, "✅ No stateful resource loses its data.\n", ""},
		{"data loss", []string{"-base", base, "-head", renamed}, 1, "| `dev` | 1 → 1 | 0 | 0 | 1 in 1 resources | 1 |\n",
			"plandiff: 1 stateful resource(s) would lose their data; rerun with -allow-data-loss (the label allow-data-loss) to accept\n"},
		{"data loss accepted", []string{"-base", base, "-head", renamed, "-allow-data-loss"}, 0, "accepted by the label `allow-data-loss`", ""},
		{"a preview plan is skipped", []string{"-base", base, "-head", withPreview}, 0, "| `dev` | 1 → 1 | 0 | 0 | 0 in 0 resources | 0 |\n",
			"plandiff: " + filepath.Join(withPreview, "dev-preview", "plan.json") + ": a preview plan, skipped (the diff compares update plans)\n"},
		{"no flags", nil, 2, "", "plandiff: -base and -head are both required: folders holding <stack>/plan.json\n"},
		{"stray argument", []string{"-base", base, "-head", same, "extra"}, 2, "", "plandiff: unexpected arguments [\"extra\"]: give the folders as -base and -head\n"},
		{"missing folder", []string{"-base", filepath.Join(empty, "none"), "-head", same}, 2, "", "plandiff: -base " + filepath.Join(empty, "none") + ": open " + filepath.Join(empty, "none") + ": no such file or directory\n"},
		{"no plans", []string{"-base", base, "-head", empty}, 2, "", "plandiff: -head " + empty + ": no <stack>/plan.json in it (write them with go run ./cmd/plan -stack <stack> -out " + empty + "/<stack>)\n"},
		{"stack in the wrong folder", []string{"-base", base, "-head", misplaced}, 2, "", "plandiff: " + filepath.Join(misplaced, "staging", "plan.json") + ": stack: \"dev\", but the folder is \"staging\": a stack's plan goes in <dir>/<stack>/plan.json\n"},
		{"not a plan", []string{"-base", base, "-head", broken}, 2, "", "plandiff: " + filepath.Join(broken, "dev", "plan.json") + ": resources[0].urn: \"bad\" is not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)\n"},
		{"unknown flag", []string{"-bse", base}, 2, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr strings.Builder
			code := run(tc.args, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr: %s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tc.stdout, stdout.String())
			}
			if tc.name == "unknown flag" {
				if !strings.Contains(stderr.String(), "flag provided but not defined: -bse") {
					t.Errorf("stderr: %s", stderr.String())
				}
				return
			}
			if stderr.String() != tc.stderrIs {
				t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), tc.stderrIs)
			}
		})
	}
}
