package network_test

import (
	"fmt"
	"net/netip"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/network"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExamplePlan lays out a /16 over two zones: private subnets are large (/19, for pods), public
// ones small (/22, for NAT gateways and load balancers), and each zone's place is fixed.
func ExamplePlan() {
	plan, err := network.Plan(network.PlanInput{
		VpcCIDR: netip.MustParsePrefix("10.0.0.0/16"),
		AZs:     []string{"eu-west-1a", "eu-west-1b"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range plan.Subnets {
		fmt.Println(s.Key, s.CIDR)
	}
	// Output:
	// public-eu-west-1a 10.0.224.0/22
	// private-eu-west-1a 10.0.0.0/19
	// public-eu-west-1b 10.0.228.0/22
	// private-eu-west-1b 10.0.32.0/19
}

// ExampleNewVpc records, under mocks, a two-zone VPC with one NAT gateway (dev): every child is
// keyed by zone and tier, never by position, and no subnet maps public IPs on launch.
func ExampleNewVpc() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := network.NewVpc(ctx, "platform-dev", &network.VpcArgs{
			Account:           network.Account{ID: "111111111111", Region: "eu-west-1", Partition: "aws"},
			CidrBlock:         "10.10.0.0/16",
			AvailabilityZones: []string{"eu-west-1a", "eu-west-1b"},
			NatGateways:       network.NatSingle,
			FlowLogKmsKeyArn:  pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/logs"),
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	for _, s := range g.OfType("aws:ec2/subnet:Subnet") {
		public, _ := s.Bool("mapPublicIpOnLaunch")
		fmt.Println(s.Name, "maps public IPs:", public)
	}
	// Output:
	// platform-dev-flow-logs aws:cloudwatch/logGroup:LogGroup
	// platform-dev-default aws:ec2/defaultSecurityGroup:DefaultSecurityGroup
	// platform-dev-nat-eu-west-1a aws:ec2/eip:Eip
	// platform-dev aws:ec2/flowLog:FlowLog
	// platform-dev aws:ec2/internetGateway:InternetGateway
	// platform-dev-nat-eu-west-1a aws:ec2/natGateway:NatGateway
	// platform-dev-private-eu-west-1a aws:ec2/routeTable:RouteTable
	// platform-dev-private-eu-west-1b aws:ec2/routeTable:RouteTable
	// platform-dev-public aws:ec2/routeTable:RouteTable
	// platform-dev-private-eu-west-1a aws:ec2/routeTableAssociation:RouteTableAssociation
	// platform-dev-private-eu-west-1b aws:ec2/routeTableAssociation:RouteTableAssociation
	// platform-dev-public-eu-west-1a aws:ec2/routeTableAssociation:RouteTableAssociation
	// platform-dev-public-eu-west-1b aws:ec2/routeTableAssociation:RouteTableAssociation
	// platform-dev-private-eu-west-1a aws:ec2/subnet:Subnet
	// platform-dev-private-eu-west-1b aws:ec2/subnet:Subnet
	// platform-dev-public-eu-west-1a aws:ec2/subnet:Subnet
	// platform-dev-public-eu-west-1b aws:ec2/subnet:Subnet
	// platform-dev aws:ec2/vpc:Vpc
	// platform-dev-dynamodb aws:ec2/vpcEndpoint:VpcEndpoint
	// platform-dev-s3 aws:ec2/vpcEndpoint:VpcEndpoint
	// platform-dev-flow-logs aws:iam/role:Role
	// platform-dev-flow-logs aws:iam/rolePolicy:RolePolicy
	// platform-dev platform:network:Vpc
	// platform-dev-private-eu-west-1a maps public IPs: false
	// platform-dev-private-eu-west-1b maps public IPs: false
	// platform-dev-public-eu-west-1a maps public IPs: false
	// platform-dev-public-eu-west-1b maps public IPs: false
}
