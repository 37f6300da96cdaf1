package planner_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/planner"
)

func TestPlanWritesTreeReportDiagramAndJSON(t *testing.T) {
	p, err := planner.Make(planner.Options{Stack: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var stdout strings.Builder
	if err := p.Write(&stdout, out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Stack prod (project platform, environment prod):",
		"  platform:network:Vpc platform-prod (",
		"      3 × aws:ec2/natGateway:NatGateway",
		"    eks:index:Cluster platform-prod (remote component",
		"PASS  NET-004",
		// The preview role has an access entry on every stack: EKS-007 always has one to check.
		"PASS  EKS-007",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{"## Security report: stack `prod` (prod)", "| NET-004 | ✅ pass | critical |", "| EKS-007 | ✅ pass | critical |"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	diagram, _ := os.ReadFile(filepath.Join(out, "components.mmd"))
	if !strings.HasPrefix(string(diagram), "flowchart TD\n") || !strings.Contains(string(diagram), "-->|used by|") {
		t.Errorf("components.mmd is not a flowchart with dependencies:\n%s", diagram)
	}
	if _, err := os.Stat(filepath.Join(out, "plan.json")); err != nil {
		t.Error(err)
	}
	if p.Failed() {
		t.Error("prod fails its controls")
	}
}

// prodOnly are the controls that check prod only: on any other stack they have nothing to check.
var prodOnly = []string{"NET-005", "DDB-003", "STATE-001", "STATE-002", "EDGE-007", "FALCO-001"}

func TestProdHasNoNotApplicableControl(t *testing.T) {
	p, err := planner.Make(planner.Options{Stack: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range p.Results {
		if r.Status == controls.NotApplicable || r.Checked == 0 {
			t.Errorf("prod: %s is %s (checked %d): every control has something to check in prod", r.Control.ID, r.Status, r.Checked)
		}
	}
}

func TestDevPlanShowsExactlyTheProdOnlyControlsAsNotApplicable(t *testing.T) {
	p, err := planner.Make(planner.Options{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	var na []string
	for _, r := range p.Results {
		switch {
		case r.Status == controls.NotApplicable:
			na = append(na, r.Control.ID)
		case r.Status != controls.Pass:
			t.Errorf("dev: %s is %s, findings %v", r.Control.ID, r.Status, r.Findings)
		}
		if r.Control.ID == "EKS-007" && (r.Status != controls.Pass || r.Checked == 0) {
			t.Errorf("dev: EKS-007 %s on %d; want pass on the access entries (the preview role's at least)", r.Status, r.Checked)
		}
	}
	if !slices.Equal(na, prodOnly) {
		t.Errorf("n/a on dev: %v, want exactly %v", na, prodOnly)
	}
	var stdout strings.Builder
	out := t.TempDir()
	if err := p.Write(&stdout, out); err != nil {
		t.Fatal(err)
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []struct{ text, line string }{
		{stdout.String(), "N/A   NET-005    medium   Prod: a NAT gateway in every zone, serving its own zone\n"},
		{stdout.String(), "PASS  EKS-007    critical "},
		{string(report), "| NET-005 | ➖ n/a | medium | Prod: a NAT gateway in every zone, serving its own zone | "},
		{string(report), "| DDB-003 | ➖ n/a | medium |"},
		{string(report), "| EKS-007 | ✅ pass | critical |"},
	} {
		if !strings.Contains(want.text, want.line) {
			t.Errorf("dev output lacks %q", want.line)
		}
	}
	if p.Failed() {
		t.Error("dev fails its controls")
	}
}

func TestAFailingControlFailsThePlan(t *testing.T) {
	p, err := planner.Make(planner.Options{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	p.Results = append(p.Results, controls.Result{Control: &controls.Control{ID: "X-001", Title: "t"}, Status: controls.Fail,
		Findings: []controls.Finding{{URN: "urn:x", Violation: controls.Violation{Path: "p", Value: "v", Message: "m"}}}})
	if !p.Failed() {
		t.Error("a failing result does not fail the plan")
	}
	if !strings.Contains(p.ResultsText(), "FAIL  X-001") || !strings.Contains(p.ResultsText(), "urn:x: p = v: m") {
		t.Errorf("the failure and its evidence are not printed:\n%s", p.ResultsText())
	}
}
