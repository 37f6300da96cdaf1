package tests

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/planner"
)

func flowLines(t *testing.T, g *graph.Graph) []string {
	t.Helper()
	flows, err := planner.Flows(g)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range flows {
		out = append(out, f.String())
	}
	return out
}

func edgeLines(edges []planner.Edge) []string {
	var out []string
	for _, e := range edges {
		out = append(out, e.String())
	}
	return out
}

// devFlows is what dev's NetworkPolicies allow: the load balancer reaches the frontend only, the
// frontend the uploader only, every service DNS, the uploader and processor AWS over HTTPS, and the
// processor its file system.
var devFlows = []string{
	"load balancer subnets → apps/frontend: TCP 8080",
	"apps/frontend → apps/uploader: TCP 8000",
	"apps/frontend → cluster DNS: UDP 53, TCP 53",
	"apps/processor → cluster DNS: UDP 53, TCP 53",
	"apps/processor → internet (AWS APIs): TCP 443",
	"apps/processor → EFS mount targets: TCP 2049",
	"apps/uploader → cluster DNS: UDP 53, TCP 53",
	"apps/uploader → internet (AWS APIs): TCP 443",
}

// TestReachabilityOfDevIsExactlyItsAllows: the diagram's edges are the recorded policies' allows,
// evaluated by cyclonus, and nothing else (no edge to the metadata service, none from the
// internet, none between services the policies do not pair).
func TestReachabilityOfDevIsExactlyItsAllows(t *testing.T) {
	if got := flowLines(t, record(t, "dev")); !slices.Equal(got, devFlows) {
		t.Errorf("dev flows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(devFlows, "\n"))
	}
}

// TestReachabilityEdgeDisappearsWithItsAllow: the edges come from the recorded policies, not from
// config: without the uploader's ingress policy the frontend no longer reaches it; without the
// processor's egress policy the processor reaches nothing.
func TestReachabilityEdgeDisappearsWithItsAllow(t *testing.T) {
	const np = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
	cases := []struct {
		policy string
		gone   []string
	}{
		{"platform-dev-uploader-ingress", []string{"apps/frontend → apps/uploader: TCP 8000"}},
		{"platform-dev-processor-egress", []string{
			"apps/processor → cluster DNS: UDP 53, TCP 53",
			"apps/processor → internet (AWS APIs): TCP 443",
			"apps/processor → EFS mount targets: TCP 2049",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.policy, func(t *testing.T) {
			want := slices.DeleteFunc(slices.Clone(devFlows), func(f string) bool { return slices.Contains(tc.gone, f) })
			if got := flowLines(t, without(t, record(t, "dev"), np, tc.policy)); !slices.Equal(got, want) {
				t.Errorf("flows without %s:\n%s\nwant:\n%s", tc.policy, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestComponentDiagramsFitGitHubsMermaid: every stack's component tree, reachability and chains
// are within the Mermaid limits GitHub renders with (prod is the largest), and a diagram over a
// limit is refused with the count.
func TestComponentDiagramsFitGitHubsMermaid(t *testing.T) {
	for _, stack := range Stacks {
		p := &planner.Plan{Graph: record(t, stack)}
		for _, d := range p.Diagrams() {
			if d.Err != nil {
				continue // a diagram the stack has nothing for (dev routes no findings)
			}
			if err := planner.MermaidFits(d.Text); err != nil {
				t.Errorf("%s %s: %v", stack, d.File, err)
			}
		}
	}
	edges := "flowchart TD\n" + strings.Repeat("  a --> b\n", planner.MermaidMaxEdges+1)
	if err := planner.MermaidFits(edges); err == nil || err.Error() != "501 edges, over Mermaid's limit of 500" {
		t.Errorf("501 edges: %v", err)
	}
	long := "flowchart TD\n  a[\"" + strings.Repeat("x", planner.MermaidMaxTextSize) + "\"]\n"
	if err := planner.MermaidFits(long); err == nil || err.Error() != "50021 characters, over Mermaid's limit of 50000" {
		t.Errorf("a long diagram: %v", err)
	}
}

// TestSupplyChainOfDev: each service's repository is pushed to by its push role only, which only
// its GitHub repository and branch may assume, and pulled by the nodes.
func TestSupplyChainOfDev(t *testing.T) {
	want := []string{
		"GitHub repo:example-org/frontend:ref:refs/heads/main -assumes (OIDC)-> role platform-dev-frontend-push",
		"GitHub repo:example-org/processor:ref:refs/heads/main -assumes (OIDC)-> role platform-dev-processor-push",
		"GitHub repo:example-org/uploader:ref:refs/heads/main -assumes (OIDC)-> role platform-dev-uploader-push",
		"nodes (role platform-dev-node) -pulls-> ECR platform/dev/frontend",
		"nodes (role platform-dev-node) -pulls-> ECR platform/dev/processor",
		"nodes (role platform-dev-node) -pulls-> ECR platform/dev/uploader",
		"role platform-dev-frontend-push -pushes-> ECR platform/dev/frontend",
		"role platform-dev-processor-push -pushes-> ECR platform/dev/processor",
		"role platform-dev-uploader-push -pushes-> ECR platform/dev/uploader",
	}
	g := record(t, "dev")
	if got := edgeLines(planner.SupplyChain(g)); !slices.Equal(got, want) {
		t.Errorf("supply chain:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Without the role's trust in the stack, the chain cannot say who pushes.
	less := without(t, g, "aws:iam/role:Role", "platform-dev-frontend-push")
	got := edgeLines(planner.SupplyChain(less))
	if slices.Contains(got, want[0]) || !slices.Contains(got, "role platform-dev-frontend-push (outside the stack) -pushes-> ECR platform/dev/frontend") {
		t.Errorf("supply chain without the frontend's push role:\n%s", strings.Join(got, "\n"))
	}
}

// TestDetectionRoute: staging, the owner of the non-prod baseline, routes findings of severity 4
// and up to its encrypted topic, which has no subscription unless the config adds one; dev routes
// none and its report says so.
func TestDetectionRoute(t *testing.T) {
	want := []string{
		"GuardDuty detector platform-staging-threat-detection -findings, severity >= 4-> EventBridge rule platform-staging-security-findings",
		"EventBridge rule platform-staging-security-findings -sends-> SNS topic platform-staging-security-findings (KMS-encrypted)",
		"SNS topic platform-staging-security-findings (KMS-encrypted) -notifies-> no subscription in the stack: subscribe the on-call channel",
	}
	if got := edgeLines(planner.DetectionRoute(record(t, "staging"))); !slices.Equal(got, want) {
		t.Errorf("staging detection:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	subscribed := recordWith(t, "staging", func(c map[string]string) {
		var account map[string]any
		if err := json.Unmarshal([]byte(c["platform:account"]), &account); err != nil {
			t.Fatal(err)
		}
		account["findings"] = map[string]any{"subscriptions": []any{map[string]any{"protocol": "email", "endpoint": "oncall@example.com"}}}
		text, _ := json.Marshal(account)
		c["platform:account"] = string(text)
	})
	got := edgeLines(planner.DetectionRoute(subscribed))
	if len(got) != 3 || got[2] != "SNS topic platform-staging-security-findings (KMS-encrypted) -notifies-> email oncall@example.com" {
		t.Errorf("staging with a subscription:\n%s", strings.Join(got, "\n"))
	}
	if got := planner.DetectionRoute(record(t, "dev")); len(got) != 0 {
		t.Errorf("dev routes findings: %v", got)
	}
}

// TestReportEmbedsTheDiagrams: report.md carries each diagram in a ```mermaid fence GitHub
// renders (or says why one is not drawn), and each is written as its own .mmd file.
func TestReportEmbedsTheDiagrams(t *testing.T) {
	p, err := planner.Make(planner.Options{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	var stdout strings.Builder
	if err := p.Write(&stdout, out); err != nil {
		t.Fatal(err)
	}
	report, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{
		"### Diagrams\n",
		"#### Components\n",
		"```mermaid\nflowchart TD\n  c0[\"platform-dev<br/>pulumi:pulumi:Stack<br/>",
		"#### Service reachability (NetworkPolicies)\n",
		"```mermaid\nflowchart LR\n  lb([\"load balancer subnets<br/>10.10.224.0/22, 10.10.228.0/22\"])\n",
		"  lb -->|\"TCP 8080\"| w1\n",
		"#### Image supply chain\n",
		"#### Detection route\n",
		"> Not drawn: the stack routes no GuardDuty findings (the account baseline's owner does)\n",
	} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	for _, file := range []string{"components.mmd", "reachability.mmd", "supplychain.mmd"} {
		data, err := os.ReadFile(filepath.Join(out, file))
		if err != nil || !strings.HasPrefix(string(data), "flowchart ") || !strings.Contains(string(report), "```mermaid\n"+string(data)+"```\n") {
			t.Errorf("%s: %v, or not the diagram embedded in report.md", file, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "detection.mmd")); err == nil {
		t.Error("dev has no detection route, yet detection.mmd is written")
	}
}
