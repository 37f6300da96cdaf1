package network

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// TypeToken is the Pulumi type of the Vpc component. It is in users' state: never change it.
const TypeToken = "platform:network:Vpc"

// NatStrategy says how many NAT gateways the VPC has.
type NatStrategy string

const (
	// NatPerAz puts a NAT gateway in every zone: a zone outage takes no other zone's egress down.
	NatPerAz NatStrategy = "perAz"
	// NatSingle puts one NAT gateway in the first zone: cheaper, for dev.
	NatSingle NatStrategy = "single"
)

// Defaults of VpcArgs.
const (
	DefaultCidr                 = "10.0.0.0/16"
	DefaultFlowLogRetentionDays = 365
	// AnyIPv4 is the default route.
	AnyIPv4 = "0.0.0.0/0"
	// HTTPS is the port interface endpoints listen on.
	HTTPS = 443
)

// GatewayEndpointServices are reached through free gateway endpoints by default.
var GatewayEndpointServices = []string{"dynamodb", "s3"}

// Account identifies where the VPC lives (policies and service names are derived from it).
type Account struct {
	// ID is the 12-digit account id, Region e.g. eu-west-1, Partition aws, aws-cn or aws-us-gov.
	ID, Region, Partition string
}

// VpcArgs configures a Vpc. The zero value of each optional field is the secure default.
type VpcArgs struct {
	// Account is required.
	Account Account
	// CidrBlock is the VPC's IPv4 range, /16 to /22 (see Plan); "" means DefaultCidr (a /16),
	// room for private subnets large enough for one pod IP each (the VPC CNI gives pods VPC IPs).
	CidrBlock string
	// AvailabilityZones are the zones to use, at least MinAZs; required. Append new zones at the
	// end: a zone's subnets are derived from its position.
	AvailabilityZones []string
	// NatGateways is NatPerAz or NatSingle; "" means NatPerAz, so that a zone's outage takes no
	// other zone's egress down. NatSingle is the cheaper choice for dev.
	NatGateways NatStrategy
	// FlowLogKmsKeyArn encrypts the flow-log group; required (flow logs are always on).
	FlowLogKmsKeyArn pulumi.StringInput
	// FlowLogRetentionDays keeps flow logs; 0 means DefaultFlowLogRetentionDays (365), a year of
	// evidence for an investigation; never "forever" by accident.
	FlowLogRetentionDays int
	// NoGatewayEndpoints leaves out the S3 and DynamoDB gateway endpoints. False (the default)
	// keeps that traffic off the NAT gateways and the internet path; gateway endpoints are free.
	NoGatewayEndpoints bool
	// InterfaceEndpoints are services (e.g. "sts", "ecr.api") reached through interface endpoints
	// in the private subnets, behind a security group that admits HTTPS from the VPC only. Nil
	// (the default) creates none: each is billed per zone and hour, so the caller chooses.
	InterfaceEndpoints []string
	// ClusterName, if set, tags the subnets "kubernetes.io/cluster/<name>: shared", so load
	// balancers of that cluster find them. "" tags none.
	ClusterName string
	// Protect and RetainOnDelete apply to the flow-log group (audit evidence). False (the
	// default) lets a dev stack be torn down.
	Protect, RetainOnDelete bool
}

// Vpc is a multi-AZ VPC with public and private subnets per zone.
type Vpc struct {
	pulumi.ResourceState

	// VpcID is the VPC's id.
	VpcID pulumi.IDOutput
	// CidrBlock is the VPC's IPv4 range.
	CidrBlock pulumi.StringOutput
	// PublicSubnetIDs by zone: for load balancers and NAT gateways only.
	PublicSubnetIDs map[string]pulumi.IDOutput
	// PrivateSubnetIDs by zone: for nodes, pods and everything else.
	PrivateSubnetIDs map[string]pulumi.IDOutput
	// PrivateRouteTableIDs by zone (gateway endpoints attach to them).
	PrivateRouteTableIDs map[string]pulumi.IDOutput
	// PublicRouteTableID is the one route table of the public subnets.
	PublicRouteTableID pulumi.IDOutput
	// Layout is the subnet plan the VPC was built from.
	Layout SubnetPlan
}

// PrivateSubnetIDList returns the private subnet ids in zone order.
func (v *Vpc) PrivateSubnetIDList() pulumi.StringArray {
	return v.idList(TierPrivate, v.PrivateSubnetIDs)
}

// PublicSubnetIDList returns the public subnet ids in zone order.
func (v *Vpc) PublicSubnetIDList() pulumi.StringArray {
	return v.idList(TierPublic, v.PublicSubnetIDs)
}

func (v *Vpc) idList(tier Tier, ids map[string]pulumi.IDOutput) pulumi.StringArray {
	var out pulumi.StringArray
	for _, s := range v.Layout.ByTier(tier) {
		out = append(out, ids[s.AZ].ToStringOutput())
	}
	return out
}

func (a *VpcArgs) withDefaults() VpcArgs {
	out := *a
	if out.CidrBlock == "" {
		out.CidrBlock = DefaultCidr
	}
	if out.NatGateways == "" {
		out.NatGateways = NatPerAz
	}
	if out.FlowLogRetentionDays == 0 {
		out.FlowLogRetentionDays = DefaultFlowLogRetentionDays
	}
	return out
}

// plan validates the args (all problems at once) and computes the subnet layout.
func (a *VpcArgs) plan() (SubnetPlan, error) {
	var errs []error
	if a.Account.ID == "" || a.Account.Region == "" || a.Account.Partition == "" {
		errs = append(errs, fmt.Errorf("account: id, region and partition are required (got %+v)", a.Account))
	}
	if a.NatGateways != NatPerAz && a.NatGateways != NatSingle {
		errs = append(errs, fmt.Errorf("natGateways: %q is not a strategy (allowed: %s, %s)", a.NatGateways, NatPerAz, NatSingle))
	}
	if a.FlowLogKmsKeyArn == nil {
		errs = append(errs, errors.New("flowLogKmsKeyArn: required (flow logs are always encrypted)"))
	}
	seen := map[string]bool{}
	for i, svc := range a.InterfaceEndpoints {
		if svc == "" || strings.ContainsAny(svc, " /:") || seen[svc] {
			errs = append(errs, fmt.Errorf("interfaceEndpoints[%d]: %q is empty, malformed or repeated", i, svc))
		}
		seen[svc] = true
	}
	prefix, err := netip.ParsePrefix(a.CidrBlock)
	if err != nil {
		errs = append(errs, fmt.Errorf("vpcCidr: %q is not a CIDR block", a.CidrBlock))
	} else {
		var layout SubnetPlan
		if layout, err = Plan(PlanInput{VpcCIDR: prefix, AZs: a.AvailabilityZones}); err == nil && len(errs) == 0 {
			return layout, nil
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return SubnetPlan{}, errors.Join(errs...)
}

// NewVpc builds the VPC. Args are validated before anything is registered.
func NewVpc(ctx *pulumi.Context, name string, args *VpcArgs, opts ...pulumi.ResourceOption) (*Vpc, error) {
	if args == nil {
		args = &VpcArgs{}
	}
	a := args.withDefaults()
	layout, err := a.plan()
	if err != nil {
		return nil, fmt.Errorf("network.NewVpc %q: %w", name, err)
	}
	v := &Vpc{
		Layout:               layout,
		PublicSubnetIDs:      map[string]pulumi.IDOutput{},
		PrivateSubnetIDs:     map[string]pulumi.IDOutput{},
		PrivateRouteTableIDs: map[string]pulumi.IDOutput{},
	}
	if err := ctx.RegisterComponentResource(TypeToken, name, v, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, args: a, vpc: v, parent: pulumi.Parent(v)}
	steps := []func() error{b.core, b.subnets, b.natGateways, b.routes, b.flowLogs, b.endpoints}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	outputs := pulumi.Map{
		"vpcId":              v.VpcID,
		"cidrBlock":          v.CidrBlock,
		"publicRouteTableId": v.PublicRouteTableID,
	}
	for _, s := range layout.Subnets {
		ids := v.PublicSubnetIDs
		if s.Tier == TierPrivate {
			ids = v.PrivateSubnetIDs
		}
		outputs[s.Key+"SubnetId"] = ids[s.AZ]
	}
	if err := ctx.RegisterResourceOutputs(v, outputs); err != nil {
		return nil, err
	}
	return v, nil
}

// builder registers the children of one Vpc; each method is one group of resources.
type builder struct {
	ctx    *pulumi.Context
	name   string
	args   VpcArgs
	vpc    *Vpc
	parent pulumi.ResourceOption

	ec2Vpc      *ec2.Vpc
	igw         *ec2.InternetGateway
	publicRT    *ec2.RouteTable
	subnetByKey map[string]*ec2.Subnet // by SubnetSpec.Key
	nats        map[string]*ec2.NatGateway
	privateRT   map[string]*ec2.RouteTable
}

func (b *builder) child(key string) string { return b.name + "-" + key }

func (b *builder) tags(name string, extra map[string]string) pulumi.StringMap {
	t := pulumi.StringMap{"Name": pulumi.String(name)}
	for k, v := range extra {
		t[k] = pulumi.String(v)
	}
	return t
}

func (b *builder) core() error {
	var err error
	b.ec2Vpc, err = ec2.NewVpc(b.ctx, b.name, &ec2.VpcArgs{
		CidrBlock:          pulumi.String(b.args.CidrBlock),
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               b.tags(b.name, nil),
	}, b.parent)
	if err != nil {
		return err
	}
	b.vpc.VpcID, b.vpc.CidrBlock = b.ec2Vpc.ID(), b.ec2Vpc.CidrBlock
	// Adopt the default security group and leave it without rules: nothing can use it by accident.
	if _, err = ec2.NewDefaultSecurityGroup(b.ctx, b.child("default"), &ec2.DefaultSecurityGroupArgs{
		VpcId:   b.ec2Vpc.ID(),
		Ingress: ec2.DefaultSecurityGroupIngressArray{},
		Egress:  ec2.DefaultSecurityGroupEgressArray{},
		Tags:    b.tags(b.child("default"), nil),
	}, b.parent); err != nil {
		return err
	}
	b.igw, err = ec2.NewInternetGateway(b.ctx, b.name, &ec2.InternetGatewayArgs{
		VpcId: b.ec2Vpc.ID(),
		Tags:  b.tags(b.name, nil),
	}, b.parent)
	return err
}

func (b *builder) subnets() error {
	b.subnetByKey = map[string]*ec2.Subnet{}
	for _, s := range b.vpc.Layout.Subnets {
		tags := map[string]string{"tier": string(s.Tier)}
		if s.Tier == TierPublic {
			tags["kubernetes.io/role/elb"] = "1"
		} else {
			tags["kubernetes.io/role/internal-elb"] = "1"
		}
		if b.args.ClusterName != "" {
			tags["kubernetes.io/cluster/"+b.args.ClusterName] = "shared"
		}
		sub, err := ec2.NewSubnet(b.ctx, b.child(s.Key), &ec2.SubnetArgs{
			VpcId:               b.ec2Vpc.ID(),
			CidrBlock:           pulumi.String(s.CIDR.String()),
			AvailabilityZone:    pulumi.String(s.AZ),
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                b.tags(b.child(s.Key), tags),
		}, b.parent)
		if err != nil {
			return err
		}
		b.subnetByKey[s.Key] = sub
		if s.Tier == TierPublic {
			b.vpc.PublicSubnetIDs[s.AZ] = sub.ID()
		} else {
			b.vpc.PrivateSubnetIDs[s.AZ] = sub.ID()
		}
	}
	return nil
}

// natZones are the zones that get a NAT gateway.
func (b *builder) natZones() []SubnetSpec {
	public := b.vpc.Layout.ByTier(TierPublic)
	if b.args.NatGateways == NatSingle {
		return public[:1]
	}
	return public
}

func (b *builder) natGateways() error {
	b.nats = map[string]*ec2.NatGateway{}
	for _, s := range b.natZones() {
		key := "nat-" + s.AZ
		eip, err := ec2.NewEip(b.ctx, b.child(key), &ec2.EipArgs{
			Domain: pulumi.String("vpc"),
			Tags:   b.tags(b.child(key), nil),
		}, b.parent)
		if err != nil {
			return err
		}
		nat, err := ec2.NewNatGateway(b.ctx, b.child(key), &ec2.NatGatewayArgs{
			AllocationId:     eip.ID(),
			SubnetId:         b.subnetByKey[s.Key].ID(),
			ConnectivityType: pulumi.String("public"),
			Tags:             b.tags(b.child(key), nil),
		}, b.parent, pulumi.DependsOn([]pulumi.Resource{b.igw}))
		if err != nil {
			return err
		}
		b.nats[s.AZ] = nat
	}
	return nil
}

// natFor returns the NAT gateway that serves a zone: its own, or the single one.
func (b *builder) natFor(az string) *ec2.NatGateway {
	if nat, ok := b.nats[az]; ok {
		return nat
	}
	return b.nats[b.natZones()[0].AZ]
}

func (b *builder) routes() error {
	var err error
	b.publicRT, err = ec2.NewRouteTable(b.ctx, b.child("public"), &ec2.RouteTableArgs{
		VpcId: b.ec2Vpc.ID(),
		Routes: ec2.RouteTableRouteArray{&ec2.RouteTableRouteArgs{
			CidrBlock: pulumi.String(AnyIPv4),
			GatewayId: b.igw.ID(),
		}},
		Tags: b.tags(b.child("public"), map[string]string{"tier": string(TierPublic)}),
	}, b.parent)
	if err != nil {
		return err
	}
	b.vpc.PublicRouteTableID = b.publicRT.ID()
	b.privateRT = map[string]*ec2.RouteTable{}
	for _, s := range b.vpc.Layout.Subnets {
		rt := b.publicRT
		if s.Tier == TierPrivate {
			rt, err = ec2.NewRouteTable(b.ctx, b.child(s.Key), &ec2.RouteTableArgs{
				VpcId: b.ec2Vpc.ID(),
				Routes: ec2.RouteTableRouteArray{&ec2.RouteTableRouteArgs{
					CidrBlock:    pulumi.String(AnyIPv4),
					NatGatewayId: b.natFor(s.AZ).ID(),
				}},
				Tags: b.tags(b.child(s.Key), map[string]string{"tier": string(TierPrivate)}),
			}, b.parent)
			if err != nil {
				return err
			}
			b.privateRT[s.AZ] = rt
			b.vpc.PrivateRouteTableIDs[s.AZ] = rt.ID()
		}
		if _, err = ec2.NewRouteTableAssociation(b.ctx, b.child(s.Key), &ec2.RouteTableAssociationArgs{
			SubnetId:     b.subnetByKey[s.Key].ID(),
			RouteTableId: rt.ID(),
		}, b.parent); err != nil {
			return err
		}
	}
	return nil
}

// FlowLogsPolicy is the flow-log role's permission policy: write to its own log group only, and
// list log groups, which AWS's documented delivery policy includes (DescribeLogGroups has no
// resource-level permission, so it takes "*"). logs:CreateLogGroup is left out: the group exists.
func FlowLogsPolicy(logGroupArn string) iampolicy.Document {
	return iampolicy.New(
		iampolicy.Statement{
			Sid:       "WriteFlowLogsToOwnGroup",
			Effect:    iampolicy.Allow,
			Actions:   iampolicy.StringList{"logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
			Resources: iampolicy.StringList{logGroupArn, logGroupArn + ":*"},
		},
		iampolicy.Statement{
			Sid:       "ListLogGroups",
			Effect:    iampolicy.Allow,
			Actions:   iampolicy.StringList{"logs:DescribeLogGroups"},
			Resources: iampolicy.StringList{"*"},
		},
	)
}

// GatewayEndpointPolicy is the policy of a gateway endpoint (s3 or dynamodb): requests through it
// may reach only resources of this account — and, for S3, the AWS-owned buckets nodes read: the
// ECR image-layer bucket of the region and the Amazon Linux package repositories. Anything else
// (an attacker's bucket, another account's table) is refused at the endpoint, so credentials
// taken from a pod cannot exfiltrate through it.
func GatewayEndpointPolicy(service string, a Account) (iampolicy.Document, error) {
	thisAccount := iampolicy.Statement{
		Sid:        "ResourcesOfThisAccount",
		Effect:     iampolicy.Allow,
		Principal:  &iampolicy.Principal{Wildcard: true},
		Resources:  iampolicy.StringList{"*"},
		Conditions: iampolicy.Conditions{"StringEquals": {"aws:ResourceAccount": {a.ID}}},
	}
	switch service {
	case "s3":
		thisAccount.Actions = iampolicy.StringList{"s3:*"}
		return iampolicy.New(thisAccount, iampolicy.Statement{
			Sid:       "AWSOwnedBucketsNodesRead",
			Effect:    iampolicy.Allow,
			Principal: &iampolicy.Principal{Wildcard: true},
			Actions:   iampolicy.StringList{"s3:GetObject"},
			Resources: AWSOwnedBucketObjects(a),
		}), nil
	case "dynamodb":
		thisAccount.Actions = iampolicy.StringList{"dynamodb:*"}
		return iampolicy.New(thisAccount), nil
	}
	return iampolicy.Document{}, fmt.Errorf("network: no gateway endpoint policy for %q (allowed: %s)", service, strings.Join(GatewayEndpointServices, ", "))
}

// AWSOwnedBucketObjects are the objects of the AWS-owned buckets nodes read through the S3
// endpoint: ECR image layers (the documented minimum for ECR through a gateway endpoint) and the
// Amazon Linux 2023 and Amazon Linux 2 package repositories.
func AWSOwnedBucketObjects(a Account) iampolicy.StringList {
	return iampolicy.StringList{
		fmt.Sprintf("arn:%s:s3:::prod-%s-starport-layer-bucket/*", a.Partition, a.Region),
		fmt.Sprintf("arn:%s:s3:::al2023-repos-%s-de612dc2/*", a.Partition, a.Region),
		fmt.Sprintf("arn:%s:s3:::amazonlinux-2-repos-%s/*", a.Partition, a.Region),
	}
}

// FlowLogsTrust lets only the flow-logs service assume the role, for flow logs of this account.
func FlowLogsTrust(a Account) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Sid:       "FlowLogsServiceOfThisAccount",
		Effect:    iampolicy.Allow,
		Principal: &iampolicy.Principal{Service: iampolicy.StringList{"vpc-flow-logs.amazonaws.com"}},
		Actions:   iampolicy.StringList{"sts:AssumeRole"},
		Conditions: iampolicy.Conditions{
			"StringEquals": {"aws:SourceAccount": {a.ID}},
			"ArnLike":      {"aws:SourceArn": {fmt.Sprintf("arn:%s:ec2:%s:%s:vpc-flow-log/*", a.Partition, a.Region, a.ID)}},
		},
	})
}

func (b *builder) flowLogs() error {
	key := "flow-logs"
	group, err := cloudwatch.NewLogGroup(b.ctx, b.child(key), &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("/aws/vpc/%s/flow-logs", b.name),
		RetentionInDays: pulumi.Int(b.args.FlowLogRetentionDays),
		KmsKeyId:        b.args.FlowLogKmsKeyArn,
		Tags:            b.tags(b.child(key), nil),
	}, b.parent, pulumi.Protect(b.args.Protect), pulumi.RetainOnDelete(b.args.RetainOnDelete))
	if err != nil {
		return err
	}
	trust, err := FlowLogsTrust(b.args.Account).JSON()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(b.ctx, b.child(key), &iam.RoleArgs{
		Description:      pulumi.Sprintf("VPC flow logs of %s", b.name),
		AssumeRolePolicy: pulumi.String(trust),
		Tags:             b.tags(b.child(key), nil),
	}, b.parent)
	if err != nil {
		return err
	}
	policy := group.Arn.ApplyT(func(arn string) (string, error) { return FlowLogsPolicy(arn).JSON() }).(pulumi.StringOutput)
	rolePolicy, err := iam.NewRolePolicy(b.ctx, b.child(key), &iam.RolePolicyArgs{
		Role:   role.ID(),
		Policy: policy,
	}, b.parent)
	if err != nil {
		return err
	}
	_, err = ec2.NewFlowLog(b.ctx, b.name, &ec2.FlowLogArgs{
		VpcId:                  b.ec2Vpc.ID(),
		TrafficType:            pulumi.String("ALL"),
		LogDestinationType:     pulumi.String("cloud-watch-logs"),
		LogDestination:         group.Arn,
		IamRoleArn:             role.Arn,
		MaxAggregationInterval: pulumi.Int(60),
		Tags:                   b.tags(b.name, nil),
	}, b.parent, pulumi.DependsOn([]pulumi.Resource{rolePolicy}))
	return err
}

func (b *builder) endpoints() error {
	var privateRTs pulumi.StringArray
	var privateSubnets pulumi.StringArray
	for _, s := range b.vpc.Layout.ByTier(TierPrivate) {
		privateRTs = append(privateRTs, b.privateRT[s.AZ].ID().ToStringOutput())
		privateSubnets = append(privateSubnets, b.subnetByKey[s.Key].ID().ToStringOutput())
	}
	if !b.args.NoGatewayEndpoints {
		for _, svc := range GatewayEndpointServices {
			doc, err := GatewayEndpointPolicy(svc, b.args.Account)
			if err != nil {
				return err
			}
			policy, err := doc.JSON()
			if err != nil {
				return err
			}
			if _, err := ec2.NewVpcEndpoint(b.ctx, b.child(svc), &ec2.VpcEndpointArgs{
				VpcId:           b.ec2Vpc.ID(),
				ServiceName:     pulumi.String(b.serviceName(svc)),
				VpcEndpointType: pulumi.String("Gateway"),
				RouteTableIds:   privateRTs,
				Policy:          pulumi.String(policy),
				Tags:            b.tags(b.child(svc), nil),
			}, b.parent); err != nil {
				return err
			}
		}
	}
	if len(b.args.InterfaceEndpoints) == 0 {
		return nil
	}
	sg, err := ec2.NewSecurityGroup(b.ctx, b.child("endpoints"), &ec2.SecurityGroupArgs{
		VpcId:       b.ec2Vpc.ID(),
		Description: pulumi.String("HTTPS from the VPC to interface endpoints"),
		Ingress: ec2.SecurityGroupIngressArray{&ec2.SecurityGroupIngressArgs{
			Description: pulumi.String("HTTPS from the VPC"),
			Protocol:    pulumi.String("tcp"),
			FromPort:    pulumi.Int(HTTPS),
			ToPort:      pulumi.Int(HTTPS),
			CidrBlocks:  pulumi.StringArray{pulumi.String(b.args.CidrBlock)},
		}},
		Egress: ec2.SecurityGroupEgressArray{},
		Tags:   b.tags(b.child("endpoints"), nil),
	}, b.parent)
	if err != nil {
		return err
	}
	for _, svc := range slices.Sorted(slices.Values(b.args.InterfaceEndpoints)) {
		key := strings.ReplaceAll(svc, ".", "-")
		if _, err := ec2.NewVpcEndpoint(b.ctx, b.child(key), &ec2.VpcEndpointArgs{
			VpcId:             b.ec2Vpc.ID(),
			ServiceName:       pulumi.String(b.serviceName(svc)),
			VpcEndpointType:   pulumi.String("Interface"),
			SubnetIds:         privateSubnets,
			SecurityGroupIds:  pulumi.StringArray{sg.ID().ToStringOutput()},
			PrivateDnsEnabled: pulumi.Bool(true),
			Tags:              b.tags(b.child(key), nil),
		}, b.parent); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) serviceName(svc string) string {
	return fmt.Sprintf("com.amazonaws.%s.%s", b.args.Account.Region, svc)
}
