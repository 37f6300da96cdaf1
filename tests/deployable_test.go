package tests

import (
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/components/clustersecurity"
	"github.com/securestack/platform/components/detection"
	"github.com/securestack/platform/components/edge"
	"github.com/securestack/platform/components/workload"
	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/planner"
	"github.com/securestack/platform/proof/engine/recorder"
	"github.com/securestack/platform/proof/engine/stackconfig"
	"github.com/securestack/platform/proof/requirements"
)

// TestCredentialsForAnotherAccountAreRefusedBeforeAnythingIsRegistered: with aws:allowedAccountIds
// set, the program compares the caller's account before registering anything (the provider would
// refuse too, but only once resources are on their way).
func TestCredentialsForAnotherAccountAreRefusedBeforeAnythingIsRegistered(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "prod", CallerAccount: "999999999999"})
	var ce *infra.ConfigError
	if !errors.As(err, &ce) || len(ce.Problems) != 1 ||
		ce.Problems[0] != "aws:allowedAccountIds: the credentials are for account 999999999999 (arn:aws:iam::999999999999:user/offline-planner), which is not allowed (allowed: [222222222222]): use credentials for the stack's account" {
		t.Fatalf("got %v", err)
	}
	if n := len(g.OfType("aws:kms/key:Key")); n != 0 {
		t.Errorf("%d keys registered before the account was checked", n)
	}
}

// TestTheProviderCarriesTheAccountAllowListAndProfile: the explicit provider is built from them,
// so the provider itself refuses credentials for another account.
func TestTheProviderCarriesTheAccountAllowListAndProfile(t *testing.T) {
	g := recordWith(t, "prod", func(c map[string]string) { c["aws:profile"] = "platform-prod" })
	p := named(t, g, "pulumi:providers:aws", "aws")
	if ids, _ := p.Strings("allowedAccountIds"); !slices.Equal(ids, []string{"222222222222"}) {
		t.Errorf("allowedAccountIds %v", ids)
	}
	if profile, _ := p.String("profile"); profile != "platform-prod" {
		t.Errorf("profile %q", profile)
	}
}

// TestOneBaselineOwnerPerAccountAndRegion: among the committed stacks, every account and region has
// exactly one owner of its baseline, and every other stack there names that owner.
func TestOneBaselineOwnerPerAccountAndRegion(t *testing.T) {
	type place struct{ account, region string }
	owners := map[place][]string{}
	named := map[string]string{} // stack → the owner it names
	at := map[string]place{}
	for _, stack := range Stacks {
		st, err := stackconfig.Load(projectDir(t), stack)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		if err := json.Unmarshal([]byte(st.Config["aws:allowedAccountIds"]), &ids); err != nil || len(ids) != 1 {
			t.Fatalf("%s: committed stacks name exactly one account: %q", stack, st.Config["aws:allowedAccountIds"])
		}
		var acct struct {
			BaselineOwner string `json:"baselineOwner"`
		}
		_ = json.Unmarshal([]byte(st.Config["platform:account"]), &acct)
		p := place{ids[0], st.Config["aws:region"]}
		at[stack] = p
		if acct.BaselineOwner == "" || acct.BaselineOwner == stack {
			owners[p] = append(owners[p], stack)
		} else {
			named[stack] = acct.BaselineOwner
		}
	}
	for p, o := range owners {
		if len(o) != 1 {
			t.Errorf("account %s in %s has owners %v, want exactly one", p.account, p.region, o)
		}
	}
	for stack, owner := range named {
		if o := owners[at[stack]]; len(o) != 1 || o[0] != owner {
			t.Errorf("%s names %s as its baseline owner; the owner of its account and region is %v", stack, owner, o)
		}
	}
	if want := map[string]string{"dev": "staging"}; fmt.Sprint(named) != fmt.Sprint(want) {
		t.Errorf("referencing stacks %v, want %v", named, want)
	}
}

// TestAReferenceToAnOwnerOfAnotherAccountFailsTheDeployment: the owner's output is checked against
// this stack's account and region.
func TestAReferenceToAnOwnerOfAnotherAccountFailsTheDeployment(t *testing.T) {
	_, err := recorder.Record(recorder.Options{Stack: "dev", StackOutputs: map[string]map[string]any{
		"staging": {"accountBaseline": map[string]any{"accountId": "333333333333", "region": "eu-west-1"}},
	}})
	if err == nil || !strings.Contains(err.Error(), "stack organization/platform/staging owns the baseline of account 333333333333 in eu-west-1, not of this stack's account 111111111111 in eu-west-1") {
		t.Fatalf("got %v", err)
	}
	_, err = recorder.Record(recorder.Options{Stack: "dev", StackOutputs: map[string]map[string]any{"staging": {}}})
	if err == nil || !strings.Contains(err.Error(), "stack organization/platform/staging has no accountBaseline output") {
		t.Fatalf("got %v", err)
	}
}

// inClusterLayer reports whether a resource belongs to the in-cluster layer: a Kubernetes object,
// the Kubernetes provider, or anything inside a component of that layer (the load balancer's
// security group and the controller's role are AWS resources of that layer).
func inClusterLayer(g *graph.Graph, r *graph.Resource) bool {
	layer := []string{clustersecurity.TypeToken, workload.TypeToken, edge.ControllerTypeToken, edge.LoadBalancerTypeToken, detection.FalcoTypeToken}
	if strings.HasPrefix(r.Type, "kubernetes:") || r.Type == "pulumi:providers:kubernetes" || slices.Contains(layer, r.Type) {
		return true
	}
	for _, a := range g.Ancestors(r) {
		if slices.Contains(layer, a.Type) {
			return true
		}
	}
	return false
}

// TestBootstrapDeploysTheCloudLayerOnly: a stack's first deploy, before anything can reach its
// private API endpoint, registers every cloud resource of the full deploy (same URNs) and nothing
// applied through the Kubernetes API.
func TestBootstrapDeploysTheCloudLayerOnly(t *testing.T) {
	for _, stack := range Stacks {
		boot := recordWith(t, stack, func(c map[string]string) { c["platform:bootstrap"] = "true" })
		full := record(t, stack)
		var want []string
		for _, r := range full.Resources() {
			if !inClusterLayer(full, r) {
				want = append(want, r.URN)
			}
		}
		var got []string
		for _, r := range boot.Resources() {
			if r.Name != "platform-"+stack+"-previous" { // the bootstrap guard's reference to the stack itself
				got = append(got, r.URN)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: bootstrap registers %d resources, the full deploy %d without its in-cluster layer", stack, len(got), len(want))
		}
		if r := mustRun(t, "EKS-015", boot, stack); r.Status != controls.NotApplicable {
			t.Errorf("%s: EKS-015 %s on a bootstrap; with no in-cluster resource it has nothing to check", stack, r.Status)
		}
	}
}

// TestBootstrapRefusesToDeleteAnAppliedInClusterLayer: once a full deploy has applied the
// in-cluster layer, a bootstrap run (which would delete it) fails.
func TestBootstrapRefusesToDeleteAnAppliedInClusterLayer(t *testing.T) {
	_, err := recorder.Record(recorder.Options{Stack: "staging",
		Edit:         func(c map[string]string) { c["platform:bootstrap"] = "true" },
		StackOutputs: map[string]map[string]any{"staging": {infra.InClusterOutput: true}}})
	if err == nil || !strings.Contains(err.Error(), "platform:bootstrap: stack organization/platform/staging already has its in-cluster layer; a bootstrap run would delete it") {
		t.Fatalf("got %v", err)
	}
}

// TestProdGrowingToFourZonesKeepsTheControlPlane: the committed prod (control plane in three zones)
// adds a fourth zone without touching the cluster's subnets.
func TestProdGrowingToFourZonesKeepsTheControlPlane(t *testing.T) {
	three := record(t, "prod")
	four := recordWith(t, "prod", func(c map[string]string) {
		c["platform:network"] = `{"cidr":"10.30.0.0/16","azCount":4,"natGateways":"perAz","interfaceEndpoints":["ecr.api","ecr.dkr","logs","sts"]}`
	})
	before, _ := named(t, three, "eks:index:Cluster", "platform-prod").Strings("subnetIds")
	after, _ := named(t, four, "eks:index:Cluster", "platform-prod").Strings("subnetIds")
	if len(before) != 3 || !slices.Equal(before, after) {
		t.Errorf("control-plane subnets %v → %v; want the same three", before, after)
	}
}

// TestDerivedNameLimitsMatchTheRecordedStacks pins the constants validation relies on against what
// the program really registers: the longest role suffix, and the most tags a component adds.
func TestDerivedNameLimitsMatchTheRecordedStacks(t *testing.T) {
	longest, mostTags := 0, 0
	for _, stack := range Stacks {
		g := record(t, stack)
		prefix := "platform-" + stack
		for _, r := range g.OfType("aws:iam/role:Role") {
			if !strings.HasPrefix(r.Name, prefix) {
				t.Errorf("%s: role %s does not start with %s", stack, r.Name, prefix)
			}
			longest = max(longest, len(r.Name)-len(prefix))
		}
		for _, r := range g.Resources() {
			if v, err := r.Get("tags"); err == nil && v.IsMap() {
				mostTags = max(mostTags, v.AsMap().Len())
			}
		}
	}
	if longest != infra.LongestRoleSuffix {
		t.Errorf("the longest role suffix is %d characters, infra.LongestRoleSuffix says %d", longest, infra.LongestRoleSuffix)
	}
	if mostTags != infra.MaxComponentTags {
		t.Errorf("a component puts up to %d tags on a resource, infra.MaxComponentTags says %d", mostTags, infra.MaxComponentTags)
	}
}

func mustRun(t *testing.T, id string, g *graph.Graph, env string) controls.Result {
	t.Helper()
	c, ok := controls.Lookup(id)
	if !ok {
		t.Fatalf("no control %s", id)
	}
	return c.Run(controls.Target{Graph: g, Environment: env})
}

func projectDir(t *testing.T) string {
	t.Helper()
	dir, err := recorder.FindProjectDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestCoverageTableListsEveryRequirementLine: the report's coverage table has a row for every line
// of the requirements, and exactly these lines are proven on every stack today (the rest say "not
// implemented" until their capability lands).
func TestCoverageTableListsEveryRequirementLine(t *testing.T) {
	wantProven := []string{"VPC", "Network Policies", "TLS", "Image scanning", "IRSA (IAM Roles for Service Accounts)", "RBAC", "Encryption at Rest",
		"S3 Buckets", "DynamoDB", "EBS/EFS", "Secrets Management", "GuardDuty", "Audit Logs"}
	for _, stack := range Stacks {
		wantProven := wantProven
		if stack == "prod" { // Falco is asked for in prod; elsewhere its line is not applicable
			wantProven = append(slices.Clone(wantProven), "Falco")
		}
		p, err := planner.Make(planner.Options{Stack: stack})
		if err != nil {
			t.Fatal(err)
		}
		report := p.Report()
		var proven []string
		for _, c := range p.Coverage() {
			row := "| " + c.Line.Section + " | " + strings.ReplaceAll(c.Line.Text, "|", "\\|") + " | "
			if !strings.Contains(report, row) {
				t.Errorf("%s: report.md has no coverage row for %q", stack, c.Line.Text)
			}
			switch c.Status() {
			case "proven":
				proven = append(proven, c.Line.Name)
			case "failing":
				t.Errorf("%s: %q is failing", stack, c.Line.Name)
			}
		}
		if len(p.Coverage()) != len(requirements.Lines()) || !slices.Equal(proven, wantProven) {
			t.Errorf("%s: proven lines %q, want %q", stack, proven, wantProven)
		}
	}
}

// TestReimportScriptAdoptsEveryRetainedStore: prod's generated re-import script adopts every
// stateful resource a destroy leaves behind (all but the cluster, which it says to delete), by
// the fixed name or a lookup by what the program fixed; dev retains nothing and has no script.
func TestReimportScriptAdoptsEveryRetainedStore(t *testing.T) {
	p, err := planner.Make(planner.Options{Stack: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	script := p.ReimportScript()
	n := 0
	for _, r := range p.Graph.Resources() {
		if !r.RetainOnDelete || !slices.Contains(controls.StatefulTypes, r.Type) || r.Remote {
			continue
		}
		n++
		if !strings.Contains(script, `"logicalName": "`+r.Name+`"`) {
			t.Errorf("the script does not adopt %s", r.URN)
		}
	}
	// 4 keys (prod owns its account's baseline, so routes findings with the alerts key), 3 log
	// groups, 5 buckets, the table, the file system, 3 secrets, 3 image repositories
	if n != 20 {
		t.Errorf("%d retained stores, want 20", n)
	}
	for _, want := range []string{
		`"id": "platform-prod-uploads-222222222222-eu-west-1"`,
		`"id": "platform/prod/uploader"`,
		`id_r8=$(key_with_description 'platform-prod: data')`,
		`"id": "${id_r8}"`,
		`aws eks delete-cluster --name platform-prod`,
		"pulumi import --stack prod --file import-prod.json --generate-code=false --yes",
	} {
		if !strings.Contains(script, want) {
			t.Errorf("the script lacks %q", want)
		}
	}
	cmd := exec.Command("bash", "-n")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("the script is not valid bash: %v %s", err, out)
	}
	dev, err := planner.Make(planner.Options{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if s := dev.ReimportScript(); s != "" {
		t.Errorf("dev retains nothing, yet has a re-import script")
	}
}
