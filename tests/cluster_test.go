package tests

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

// TestAccessEntriesAreExactlyAsConfigured: one entry and one policy association per configured
// principal, and the runner's preview role as a read-only previewer, each in the persona's group,
// with the persona's policy and scope; nothing else.
func TestAccessEntriesAreExactlyAsConfigured(t *testing.T) {
	g := brokenBase(t)
	want := map[string]eksspec.Persona{adminArn: eksspec.Admin, gitopsArn: eksspec.Gitops, developerArn: eksspec.Developer,
		"arn:aws:iam::222222222222:role/ci-platform-preview": eksspec.Previewer}
	entries := g.OfType("aws:eks/accessEntry:AccessEntry")
	if len(entries) != len(want) {
		t.Fatalf("%d access entries, want %d", len(entries), len(want))
	}
	for _, e := range entries {
		arn, _ := e.String("principalArn")
		persona, ok := want[arn]
		if !ok {
			t.Errorf("unexpected access entry for %s", arn)
			continue
		}
		if groups, _ := e.Strings("kubernetesGroups"); !slices.Equal(groups, []string{persona.Group}) {
			t.Errorf("%s groups %v, want [%s]", arn, groups, persona.Group)
		}
		if name, _ := e.String("clusterName"); name != "platform-prod" {
			t.Errorf("%s cluster %q", arn, name)
		}
	}
	// Only the admin and the previewer have an EKS access policy, cluster-wide; gitops and
	// developers are authorised by their Roles in the application namespaces alone.
	wantPolicies := map[string]string{
		adminArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
		"arn:aws:iam::222222222222:role/ci-platform-preview": "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy",
	}
	assocs := g.OfType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
	if len(assocs) != 2 {
		t.Fatalf("%d policy associations, want 2", len(assocs))
	}
	for _, a := range assocs {
		arn, _ := a.String("principalArn")
		if policy, _ := a.String("policyArn"); policy != wantPolicies[arn] {
			t.Errorf("%s policy %s, want %q", arn, policy, wantPolicies[arn])
		}
		scope, _ := a.String("accessScope.type")
		if namespaces, _ := a.Strings("accessScope.namespaces"); scope != "cluster" || len(namespaces) != 0 {
			t.Errorf("%s scope %s %v, want cluster", arn, scope, namespaces)
		}
	}
}

// TestClusterInputsAreSetExplicitly pins every security-relevant input of the pulumi-eks cluster,
// because its defaults are not secure.
func TestClusterInputsAreSetExplicitly(t *testing.T) {
	for _, stack := range Stacks {
		g := record(t, stack)
		c := named(t, g, "eks:index:Cluster", "platform-"+stack)
		want := map[string]any{
			"name": "platform-" + stack, "version": "1.34", "endpointPrivateAccess": true,
			"endpointPublicAccess": false, "createOidcProvider": true, "authenticationMode": "API",
			"skipDefaultNodeGroup": true, "nodeAssociatePublicIpAddress": false, "useDefaultVpcCni": true,
			// the component's own kube-proxy and CoreDNS add-ons are the only ones: EKS refuses two
			// add-ons of one name, and pulumi-eks creates kube-proxy unless told not to
			"kubeProxyAddonOptions.enabled": false, "corednsAddonOptions.enabled": false,
		}
		for path, v := range want {
			got, err := c.Get(path)
			if err != nil {
				t.Errorf("%s: %v", stack, err)
				continue
			}
			if graph.Plain(got) != v {
				t.Errorf("%s: %s = %v, want %v", stack, path, graph.Plain(got), v)
			}
		}
		if logs, _ := c.Strings("enabledClusterLogTypes"); !slices.Equal(logs, eksspec.LogTypes) {
			t.Errorf("%s: log types %v", stack, logs)
		}
		// Every environment's endpoint is private: no allow-list, and no public or private subnet
		// lists (pulumi-eks would put the control plane in all of them).
		for _, absent := range []string{"publicAccessCidrs", "publicSubnetIds", "privateSubnetIds"} {
			if c.Has(absent) {
				t.Errorf("%s: %s = %s, want unset", stack, absent, graph.Describe(propertyAt(t, c, absent)))
			}
		}
		if c.Protect != (stack == "prod") {
			t.Errorf("%s: cluster protect=%v", stack, c.Protect)
		}
	}
}

// TestNodeGroupsDependOnTheCNIAndTheClusterOnItsLogGroup pins the creation order the controls
// also check: log group → cluster → vpc-cni add-on → node groups → EBS CSI, EFS CSI, kube-proxy
// and CoreDNS add-ons.
func TestNodeGroupsDependOnTheCNIAndTheClusterOnItsLogGroup(t *testing.T) {
	g := record(t, "dev")
	c := named(t, g, "eks:index:Cluster", "platform-dev")
	lg := named(t, g, "aws:cloudwatch/logGroup:LogGroup", "platform-dev-control-plane")
	cni := named(t, g, "aws:eks/addon:Addon", "platform-dev-vpc-cni")
	ng := named(t, g, "aws:eks/nodeGroup:NodeGroup", "platform-dev-system")
	edges := []struct{ from, to *graph.Resource }{{c, lg}, {cni, c}, {ng, cni}}
	for _, addon := range []string{"ebs-csi", "efs-csi", "kube-proxy", "coredns"} {
		edges = append(edges, struct{ from, to *graph.Resource }{named(t, g, "aws:eks/addon:Addon", "platform-dev-"+addon), ng})
	}
	for _, edge := range edges {
		if !g.DependsOn(edge.from, edge.to.URN) {
			t.Errorf("%s does not wait for %s", edge.from.Name, edge.to.Name)
		}
	}
	// Every add-on is pinned to the default release of the cluster's Kubernetes version (the mock
	// answers v<minor>.0-eksbuild.1), so that a cluster upgrade upgrades it.
	for _, a := range g.OfType("aws:eks/addon:Addon") {
		if v, _ := a.String("addonVersion"); v != "v34.0-eksbuild.1" {
			t.Errorf("%s addonVersion %q, want v34.0-eksbuild.1", a.Name, v)
		}
	}
	var cfg map[string]string
	text, _ := cni.String("configurationValues")
	if err := json.Unmarshal([]byte(text), &cfg); err != nil || cfg["enableNetworkPolicy"] != "true" {
		t.Errorf("vpc-cni configuration %s", text)
	}
}

// TestPublicEndpointWithoutAllowListIsRejected: the config refuses it before anything registers.
func TestPublicEndpointWithoutAllowListIsRejected(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Edit: func(c map[string]string) {
		c["platform:cluster"] = `{"endpointPublicAccess":true,"publicAccessCidrs":["0.0.0.0/0"]}`
	}})
	var ce *infra.ConfigError
	if !errors.As(err, &ce) || len(ce.Problems) != 1 || !strings.Contains(ce.Problems[0], `platform:cluster.publicAccessCidrs[0]: "0.0.0.0/0" opens the API endpoint to the whole internet`) {
		t.Fatalf("got %v", err)
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered", g.Len())
	}
}

// TestKubeconfigStaysSecret: the in-cluster provider gets the kubeconfig as a secret, so it never
// appears in plain text in state or in plan.json.
func TestKubeconfigStaysSecret(t *testing.T) {
	g := record(t, "prod")
	provider := named(t, g, "pulumi:providers:kubernetes", "platform-prod-k8s")
	v, err := provider.Get("kubeconfig")
	if err != nil {
		t.Fatal(err)
	}
	if !v.Secret() {
		t.Errorf("kubeconfig input is %s, want a secret", graph.Describe(v))
	}
	if got := graph.Plain(v); got != "[secret]" {
		t.Errorf("plan.json would show %v", got)
	}
}

func propertyAt(t *testing.T, r *graph.Resource, path string) property.Value {
	t.Helper()
	v, err := r.Get(path)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
