package cluster_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/proof/engine/recorder"
)

func TestAPIAccessArgsReportEveryProblemAndRegisterNothing(t *testing.T) {
	a := validArgs()
	a.APIAccess = []cluster.APIAccessSource{
		{Key: "runner", Description: "the in-VPC runner", SecurityGroupID: pulumi.String("sg-0runner")}, // valid
		{Key: "Runner", Description: "not a DNS label", Cidr: "10.0.0.0/16"},
		{Key: "both", Cidr: "10.8.0.0/16", SecurityGroupID: pulumi.String("sg-0both")},
		{Key: "neither"},
		{Key: "runner", Description: "a second runner", Cidr: "10.9.0.0/16"},
		{Key: "office", Cidr: "203.0.113.0/24"},
		{Key: "world", Cidr: "0.0.0.0/0"},
		{Key: "wide", Cidr: "10.0.0.0/7"}, // wider than 10.0.0.0/8: holds public addresses
		{Key: "v6", Cidr: "fd00::/8"},
		{Key: "junk", Cidr: "10.0.0.0/33"},
		{Key: "host-bits", Cidr: "10.1.2.3/8"},
	}
	want := strings.Join([]string{
		`apiAccess[1].key: "Runner" must be a DNS label, unique`,
		"apiAccess[2] (both): set exactly one of cidr and securityGroupId",
		"apiAccess[3] (neither): set exactly one of cidr and securityGroupId",
		`apiAccess[4].key: "runner" must be a DNS label, unique`,
		`apiAccess[5].cidr: "203.0.113.0/24" is not a private IPv4 network address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; no host bits)`,
		`apiAccess[6].cidr: "0.0.0.0/0" is not a private IPv4 network address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; no host bits)`,
		`apiAccess[7].cidr: "10.0.0.0/7" is not a private IPv4 network address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; no host bits)`,
		`apiAccess[8].cidr: "fd00::/8" is not a private IPv4 network address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; no host bits)`,
		`apiAccess[9].cidr: "10.0.0.0/33" is not a private IPv4 network address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; no host bits)`,
		`apiAccess[10].cidr: "10.1.2.3/8" is not a private IPv4 network address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; no host bits)`,
	}, "\n")
	if got := validateErr(a); got != want {
		t.Errorf("Validate:\n got  %s\n want %s", got, want)
	}
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := cluster.NewCluster(ctx, name, a)
		return err
	}})
	if err == nil || !strings.Contains(err.Error(), `cluster.NewCluster "c": `+want) {
		t.Errorf("NewCluster error:\n%v\nwant it to hold:\n%s", err, want)
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered, want only the stack", g.Len())
	}
	// Each private range, whole or in part, is accepted.
	for _, cidr := range []string{"10.0.0.0/8", "172.16.0.0/12", "172.31.5.0/24", "192.168.0.0/16", "192.168.10.0/24"} {
		ok := validArgs()
		ok.APIAccess = []cluster.APIAccessSource{{Key: "vpn", Cidr: cidr}}
		if got := validateErr(ok); got != "" {
			t.Errorf("%s rejected: %s", cidr, got)
		}
	}
}

func TestAPIAccessAdmitsExactlyTheSourcesOn443OfTheClusterSecurityGroup(t *testing.T) {
	g := record(t, func(a *cluster.ClusterArgs, sg pulumi.StringInput) {
		a.APIAccess = []cluster.APIAccessSource{
			{Key: "runner", Description: "the in-VPC runner", SecurityGroupID: sg},
			{Key: "vpn", Description: "the VPN", Cidr: "10.8.0.0/16"},
		}
	})
	runnerSG := named(t, g, tSG, "runner").ID
	comp := named(t, g, cluster.TypeToken, name)
	eks := named(t, g, tCluster, name)
	clusterSG := eks.Outputs.Get("clusterSecurityGroupId").AsString()
	if clusterSG == "" || clusterSG == eks.Outputs.Get("nodeSecurityGroupId").AsString() {
		t.Fatalf("cluster security group %q: want the control plane's, not the nodes'", clusterSG)
	}
	var names []string
	for _, r := range g.OfType(tIngressRule) {
		names = append(names, r.Name)
	}
	if want := []string{"c-api-from-runner", "c-api-from-vpn"}; !slices.Equal(names, want) {
		t.Fatalf("ingress rules %v, want exactly %v", names, want)
	}
	for _, tc := range []struct {
		key, description, sourcePath, source string
	}{
		{"runner", "Kubernetes API from the in-VPC runner", "sourceSecurityGroupId", runnerSG},
		{"vpn", "Kubernetes API from the VPN", "cidrBlocks", "10.8.0.0/16"},
	} {
		r := named(t, g, tIngressRule, "c-api-from-"+tc.key)
		if r.Parent != comp.URN {
			t.Errorf("%s parent %s, want the component", r.Name, r.Parent)
		}
		wantString(t, r, "type", "ingress")
		wantString(t, r, "securityGroupId", clusterSG)
		wantString(t, r, "description", tc.description)
		wantString(t, r, "protocol", "tcp")
		wantInt(t, r, "fromPort", 443)
		wantInt(t, r, "toPort", 443)
		if tc.sourcePath == "cidrBlocks" {
			if got, _ := r.Strings("cidrBlocks"); !slices.Equal(got, []string{tc.source}) {
				t.Errorf("%s cidrBlocks %v, want [%s]", r.Name, got, tc.source)
			}
		} else {
			wantString(t, r, tc.sourcePath, tc.source)
		}
		// Exactly one source: no other address range, group or prefix list.
		keys := slices.Sorted(maps.Keys(r.Inputs.AsMap()))
		want := slices.Sorted(slices.Values([]string{"description", "fromPort", "protocol", "securityGroupId", "toPort", "type", tc.sourcePath}))
		if !slices.Equal(keys, want) {
			t.Errorf("%s inputs %v, want exactly %v", r.Name, keys, want)
		}
	}
	if cluster.HTTPS != 443 {
		t.Errorf("HTTPS = %d, want 443", cluster.HTTPS)
	}
}

func TestNoAPIAccessSourcesNoRules(t *testing.T) {
	if n := len(record(t, nil).OfType(tIngressRule)); n != 0 {
		t.Errorf("%d ingress rules without API access sources, want 0: the private endpoint admits only the nodes", n)
	}
}

func TestControlPlaneGetsOnlyItsSubnetsAndNodesTheirs(t *testing.T) {
	g := record(t, nil)
	eks := named(t, g, tCluster, name)
	if got, err := eks.Strings("subnetIds"); err != nil || !slices.Equal(got, controlPlaneSubnets) {
		t.Errorf("control plane subnetIds = %v, %v; want %v", got, err, controlPlaneSubnets)
	}
	// Given as subnetIds only: pulumi-eks would otherwise pass every public and private subnet.
	for _, p := range []string{"privateSubnetIds", "publicSubnetIds"} {
		wantAbsent(t, eks, p)
	}
	ng := named(t, g, tNodeGroup, "c-system")
	if got, err := ng.Strings("subnetIds"); err != nil || !slices.Equal(got, nodeSubnets) {
		t.Errorf("node group subnetIds = %v, %v; want %v", got, err, nodeSubnets)
	}
}
