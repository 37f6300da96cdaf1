package network_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/network"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

var account = network.Account{ID: "123456789012", Region: "eu-west-1", Partition: "aws"}
var zones = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}

// recordVpc records a program that builds only one Vpc with args.
func recordVpc(t *testing.T, args *network.VpcArgs) (*graph.Graph, error) {
	t.Helper()
	return recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := network.NewVpc(ctx, "net", args)
		return err
	}})
}

func TestThreeZonesPerAzGiveExactlyThreeNatGatewaysAndSixSubnets(t *testing.T) {
	g, err := recordVpc(t, &network.VpcArgs{Account: account, AvailabilityZones: zones,
		FlowLogKmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/k")})
	if err != nil {
		t.Fatal(err)
	}
	counts := g.CountByType()
	for typ, want := range map[string]int{"aws:ec2/natGateway:NatGateway": 3, "aws:ec2/eip:Eip": 3, "aws:ec2/subnet:Subnet": 6,
		"aws:ec2/routeTable:RouteTable": 4, "aws:ec2/vpcEndpoint:VpcEndpoint": 2, "aws:ec2/securityGroup:SecurityGroup": 0} {
		if counts[typ] != want {
			t.Errorf("%s: %d, want %d", typ, counts[typ], want)
		}
	}
	// Exact inputs of one subnet of each tier.
	for _, tc := range []struct{ name, cidr, roleTag string }{
		{"net-private-eu-west-1b", "10.0.32.0/19", "kubernetes.io/role/internal-elb"},
		{"net-public-eu-west-1b", "10.0.228.0/22", "kubernetes.io/role/elb"},
	} {
		s, err := g.Named("aws:ec2/subnet:Subnet", tc.name)
		if err != nil {
			t.Fatal(err)
		}
		if cidr, _ := s.String("cidrBlock"); cidr != tc.cidr {
			t.Errorf("%s cidr %s, want %s", tc.name, cidr, tc.cidr)
		}
		if v, err := s.Bool("mapPublicIpOnLaunch"); err != nil || v {
			t.Errorf("%s mapPublicIpOnLaunch = %v, %v; want an explicit false", tc.name, v, err)
		}
		if v, _ := s.String(fmt.Sprintf("tags[%q]", tc.roleTag)); v != "1" {
			t.Errorf("%s lacks tag %s", tc.name, tc.roleTag)
		}
	}
	// Each private route table targets the NAT gateway of its own zone.
	for _, az := range zones {
		rt, _ := g.Named("aws:ec2/routeTable:RouteTable", "net-private-"+az)
		nat, _ := g.Named("aws:ec2/natGateway:NatGateway", "net-nat-"+az)
		if got, _ := rt.String("routes[0].natGatewayId"); got != nat.ID {
			t.Errorf("private route table of %s targets %s, want %s", az, got, nat.ID)
		}
		if rt.Has("routes[0].gatewayId") {
			t.Errorf("private route table of %s has a gatewayId", az)
		}
	}
}

func TestSingleNatServesEveryZoneFromTheFirst(t *testing.T) {
	g, err := recordVpc(t, &network.VpcArgs{Account: account, AvailabilityZones: zones[:2], NatGateways: network.NatSingle,
		FlowLogKmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/k")})
	if err != nil {
		t.Fatal(err)
	}
	nat, err := g.Named("aws:ec2/natGateway:NatGateway", "net-nat-eu-west-1a")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(g.OfType("aws:ec2/natGateway:NatGateway")); n != 1 {
		t.Errorf("%d NAT gateways, want 1", n)
	}
	rt, _ := g.Named("aws:ec2/routeTable:RouteTable", "net-private-eu-west-1b")
	if got, _ := rt.String("routes[0].natGatewayId"); got != nat.ID {
		t.Errorf("zone b routes to %s, want the single NAT %s", got, nat.ID)
	}
}

func TestFlowLogsGoToAnEncryptedRetainedGroupThroughALeastPrivilegeRole(t *testing.T) {
	g, err := recordVpc(t, &network.VpcArgs{Account: account, AvailabilityZones: zones[:2], FlowLogRetentionDays: 90,
		FlowLogKmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/k")})
	if err != nil {
		t.Fatal(err)
	}
	lg, _ := g.Named("aws:cloudwatch/logGroup:LogGroup", "net-flow-logs")
	if d, _ := lg.Int("retentionInDays"); d != 90 {
		t.Errorf("retention %d, want 90", d)
	}
	if k, _ := lg.String("kmsKeyId"); k != "arn:aws:kms:eu-west-1:123456789012:key/k" {
		t.Errorf("kmsKeyId %q", k)
	}
	fl, _ := g.Named("aws:ec2/flowLog:FlowLog", "net")
	if tt, _ := fl.String("trafficType"); tt != "ALL" {
		t.Errorf("trafficType %q", tt)
	}
	policy, _ := g.Named("aws:iam/rolePolicy:RolePolicy", "net-flow-logs")
	text, _ := policy.String("policy")
	arn, _ := lg.Outputs.GetOk("arn")
	want, _ := network.FlowLogsPolicy(arn.AsString()).JSON()
	if text != want {
		t.Errorf("flow-log role policy:\n got  %s\n want %s", text, want)
	}
}

func TestVpcArgsReportEveryProblemAndRegisterNothing(t *testing.T) {
	g, err := recordVpc(t, &network.VpcArgs{AvailabilityZones: []string{"eu-west-1a"}, NatGateways: "some", CidrBlock: "10.0.0.0/12"})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`network.NewVpc "net"`,
		"account: id, region and partition are required",
		`natGateways: "some" is not a strategy (allowed: perAz, single)`,
		"flowLogKmsKeyArn: required",
		`vpcCidr: "10.0.0.0/12" prefix /12 is outside the allowed range /16 to /22`,
		"azs: 1 zone is below the minimum of 2 (multi-AZ is required)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered, want only the stack", g.Len())
	}
}
