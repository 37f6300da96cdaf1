package tests

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
	"github.com/securestack/platform/proof/engine/stackconfig"
)

// tPreviewVpc is the VPC type, which only these tests name.
const tPreviewVpc = "aws:ec2/vpc:Vpc"

// evaluate runs the whole catalog on g as the planner does: the stack's environment and waivers
// from its config, the repository for the controls that read files.
func evaluate(t testing.TB, stack string, g *graph.Graph) []controls.Result {
	t.Helper()
	dir, err := recorder.FindProjectDir()
	if err != nil {
		t.Fatal(err)
	}
	st, err := stackconfig.Load(dir, stack)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := infra.ParseConfig(infra.Raw{Project: st.Project, Stack: st.Name, Values: st.Config,
		SecretKeys: st.SecretKeys, KnownControls: controls.IDs()})
	if err != nil {
		t.Fatal(err)
	}
	waivers := map[string]string{}
	for _, w := range cfg.Waivers {
		waivers[w.Control] = w.Reason
	}
	return controls.Evaluate(controls.Target{Graph: g, Environment: string(cfg.Environment), Repository: os.DirFS("..")}, waivers)
}

func deferring(results []controls.Result) []string {
	var ids []string
	for _, r := range results {
		if len(r.Deferred) > 0 {
			ids = append(ids, r.Control.ID)
		}
	}
	return ids
}

// TestEveryControlHoldsInPreview: the first `pulumi preview` of every stack, where the ids and ARNs
// of resources not yet created are unknown, fails no control; what is unknown only because it
// names such a resource is deferred to apply, and the number of controls that defer something is
// pinned per stack. An update defers nothing.
func TestEveryControlHoldsInPreview(t *testing.T) {
	want := map[string]int{"dev": 33, "staging": 35, "prod": 36}
	for _, stack := range Stacks {
		results := evaluate(t, stack, preview(t, stack))
		for _, r := range controls.Failed(results) {
			t.Errorf("%s preview: %s fails: %v", stack, r.Control.ID, r.Findings)
		}
		if got := deferring(results); len(got) != want[stack] {
			t.Errorf("%s preview: %d controls defer inputs to apply, want %d: %v", stack, len(got), want[stack], got)
		}
		if got := deferring(evaluate(t, stack, record(t, stack))); len(got) != 0 {
			t.Errorf("%s update: controls defer inputs although every value is known: %v", stack, got)
		}
	}
}

// previewFails evaluates the prod preview changed by edit and returns the findings of the control.
func previewFails(t *testing.T, id string, g *graph.Graph) []controls.Finding {
	t.Helper()
	for _, r := range evaluate(t, "prod", g) {
		if r.Control.ID == id {
			if r.Status != controls.Fail {
				t.Errorf("%s passes (%s) on the broken preview; deferred: %v", id, r.Status, r.Deferred)
			}
			return r.Findings
		}
	}
	t.Fatalf("no control %s", id)
	return nil
}

func hasFinding(fs []controls.Finding, name, path, value string) bool {
	return slices.ContainsFunc(fs, func(f controls.Finding) bool {
		return strings.HasSuffix(f.URN, "::"+name) && f.Path == path && (value == "" || f.Value == value)
	})
}

// TestAnUnknownSecuritySettingFailsInPreview: where the unknown itself is the risk (a literal the
// control needs), the preview fails.
func TestAnUnknownSecuritySettingFailsInPreview(t *testing.T) {
	unknown := property.New(property.Computed)
	cases := []struct {
		id, typ, name, path string
	}{
		{"EKS-001", tEKS, "platform-prod", "endpointPublicAccess"},
		{"EKS-002", tEKS, "platform-prod", "enabledClusterLogTypes"},
		{"LOG-001", tLogGroup, "platform-prod-control-plane", "retentionInDays"},
		{"KMS-001", tKey, "platform-prod-data", "enableKeyRotation"},
		{"EFS-001", tFS, "platform-prod-scratch", "encrypted"},
	}
	for _, tc := range cases {
		g := mutated(t, preview(t, "prod"), tc.typ, tc.name, func(r *graph.Resource) { r.Inputs = set(t, r.Inputs, tc.path, unknown) })
		if fs := previewFails(t, tc.id, g); !hasFinding(fs, tc.name, tc.path, "[unknown until apply]") {
			t.Errorf("%s: no finding %s = [unknown until apply] on %s: %v", tc.id, tc.path, tc.name, fs)
		}
	}
}

// TestAMissingResourceFailsInPreview: a resource that must exist is required in a preview too —
// its unknown reference is followed through its dependencies, never assumed.
func TestAMissingResourceFailsInPreview(t *testing.T) {
	cases := []struct {
		id, typ, name, subjectType, subject, path string
	}{
		{"NET-007", "aws:ec2/flowLog:FlowLog", "platform-prod", tPreviewVpc, "platform-prod", "flowLog"},
		{"EFS-004", "aws:efs/backupPolicy:BackupPolicy", "platform-prod-scratch-backup", tFS, "platform-prod-scratch", "backupPolicy"},
		{"SEC-002", "aws:secretsmanager/secretPolicy:SecretPolicy", "platform-prod-app-credentials-policy", "aws:secretsmanager/secret:Secret", "platform-prod-app-credentials", "policy"},
		{"KMS-003", "aws:kms/alias:Alias", "platform-prod-data", tKey, "platform-prod-data", "alias"},
		{"NET-006", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "platform-prod-default", tPreviewVpc, "platform-prod", "defaultSecurityGroupId"},
	}
	for _, tc := range cases {
		g := without(t, preview(t, "prod"), tc.typ, tc.name)
		if fs := previewFails(t, tc.id, g); !hasFinding(fs, tc.subject, tc.path, "") {
			t.Errorf("%s: without %s no finding %s on %s: %v", tc.id, tc.name, tc.path, tc.subject, fs)
		}
	}
}

// TestABrokenKnownValueFailsInPreview: what a preview knows is judged as in an update, also on the
// resources an unknown reference leads to.
func TestABrokenKnownValueFailsInPreview(t *testing.T) {
	g := preview(t, "prod")
	// The launch template is found through the node group's dependency (its id is unknown).
	broken := mutated(t, g, "aws:ec2/launchTemplate:LaunchTemplate", "platform-prod-system", func(r *graph.Resource) {
		r.Inputs = set(t, r.Inputs, "metadataOptions.httpTokens", str("optional"))
	})
	if fs := previewFails(t, "EKS-010", broken); !hasFinding(fs, "platform-prod-system", "metadataOptions.httpTokens", `"optional"`) {
		t.Errorf("EKS-010: %v", fs)
	}
	// The Secrets key is found through the cluster's dependency (its ARN is unknown).
	broken = mutated(t, g, tKey, "platform-prod-cluster", func(r *graph.Resource) {
		r.Inputs = set(t, r.Inputs, "enableKeyRotation", property.New(false))
	})
	if fs := previewFails(t, "EKS-004", broken); !hasFinding(fs, "platform-prod-cluster", "enableKeyRotation", "false") {
		t.Errorf("EKS-004: %v", fs)
	}
	// Nodes placed in a public subnet: the node group depends on it.
	public := named(t, g, tSubnet, "platform-prod-public-eu-west-1a")
	broken = mutated(t, g, "aws:eks/nodeGroup:NodeGroup", "platform-prod-system", func(r *graph.Resource) {
		r.Dependencies = append(slices.Clone(r.Dependencies), public.URN)
	})
	if fs := previewFails(t, "EKS-009", broken); !hasFinding(fs, "platform-prod-system", "subnetIds", public.Name) {
		t.Errorf("EKS-009: %v", fs)
	}
	// A known empty key id beside unknown ones.
	broken = mutated(t, g, tLogGroup, "platform-prod-control-plane", func(r *graph.Resource) {
		r.Inputs = set(t, r.Inputs, "kmsKeyId", str(""))
	})
	if fs := previewFails(t, "LOG-001", broken); !hasFinding(fs, "platform-prod-control-plane", "kmsKeyId", `""`) {
		t.Errorf("LOG-001: %v", fs)
	}
}

// TestReadmeStatesTheRuleForUnknowns: README's "Unknown values in a preview" lists, per control,
// exactly the rule the code applies.
func TestReadmeStatesTheRuleForUnknowns(t *testing.T) {
	text, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("| Control | Deferred to apply when unknown | Fails when unknown |\n|---|---|---|\n")
	for _, id := range controls.RuleIDs() {
		r := controls.RuleFor(id)
		fmt.Fprintf(&b, "| %s | %s | %s |\n", id, codeList(r.Refs), codeList(r.Literals))
	}
	if !strings.Contains(string(text), b.String()) {
		t.Errorf("README.md's \"Unknown values in a preview\" table differs from the rules; it should read:\n%s", b.String())
	}
}

func codeList(paths []string) string {
	if len(paths) == 0 {
		return "—"
	}
	return "`" + strings.Join(paths, "`, `") + "`"
}
