package planner_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/securestack/platform/controls"
	"github.com/securestack/platform/planner"
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
		"N/A   EKS-007",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{"## Security report: stack `prod` (prod)", "| NET-004 | ✅ pass | critical |", "| EKS-007 | ➖ n/a |"} {
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
