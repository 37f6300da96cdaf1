package network_test

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/network"
)

// The gateway endpoint policies, written out literally for account 123456789012 in eu-west-1.
const (
	s3EndpointPolicy = `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"ResourcesOfThisAccount","Effect":"Allow","Principal":"*","Action":["s3:*"],"Resource":["*"],"Condition":{"StringEquals":{"aws:ResourceAccount":["123456789012"]}}},` +
		`{"Sid":"AWSOwnedBucketsNodesRead","Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":[` +
		`"arn:aws:s3:::prod-eu-west-1-starport-layer-bucket/*",` +
		`"arn:aws:s3:::al2023-repos-eu-west-1-de612dc2/*",` +
		`"arn:aws:s3:::amazonlinux-2-repos-eu-west-1/*"]}]}`
	dynamodbEndpointPolicy = `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"ResourcesOfThisAccount","Effect":"Allow","Principal":"*","Action":["dynamodb:*"],"Resource":["*"],"Condition":{"StringEquals":{"aws:ResourceAccount":["123456789012"]}}}]}`
)

func TestGatewayEndpointPolicyReachesOnlyThisAccountAndTheAWSOwnedBucketsNodesRead(t *testing.T) {
	for svc, want := range map[string]string{"s3": s3EndpointPolicy, "dynamodb": dynamodbEndpointPolicy} {
		doc, err := network.GatewayEndpointPolicy(svc, account)
		if err != nil {
			t.Fatalf("%s: %v", svc, err)
		}
		if got, err := doc.JSON(); err != nil || got != want {
			t.Errorf("%s endpoint policy:\n got  %s, %v\n want %s", svc, got, err, want)
		}
		// Every statement is conditioned on this account, or names the objects it allows.
		for _, s := range doc.Statements {
			if s.Effect != iampolicy.Allow {
				t.Errorf("%s: %s is a %s; an endpoint policy only narrows by allowing", svc, s.Sid, s.Effect)
			}
			if slices.Contains(s.Resources, "*") && !slices.Equal(s.ConditionValues("StringEquals", "aws:ResourceAccount"), []string{account.ID}) {
				t.Errorf("%s: %s allows every resource of any account", svc, s.Sid)
			}
		}
	}
	if _, err := network.GatewayEndpointPolicy("sqs", account); err == nil || err.Error() != `network: no gateway endpoint policy for "sqs" (allowed: dynamodb, s3)` {
		t.Errorf("unknown service: %v", err)
	}
	// Every gateway service has a policy.
	for _, svc := range network.GatewayEndpointServices {
		if _, err := network.GatewayEndpointPolicy(svc, account); err != nil {
			t.Errorf("%s: %v", svc, err)
		}
	}
}

func TestAWSOwnedBucketObjectsFollowThePartitionAndRegion(t *testing.T) {
	got := network.AWSOwnedBucketObjects(network.Account{ID: "123456789012", Region: "us-gov-west-1", Partition: "aws-us-gov"})
	want := iampolicy.StringList{
		"arn:aws-us-gov:s3:::prod-us-gov-west-1-starport-layer-bucket/*",
		"arn:aws-us-gov:s3:::al2023-repos-us-gov-west-1-de612dc2/*",
		"arn:aws-us-gov:s3:::amazonlinux-2-repos-us-gov-west-1/*",
	}
	if !slices.Equal(got, want) {
		t.Errorf("AWSOwnedBucketObjects = %v, want %v", got, want)
	}
}

func TestGatewayEndpointsCarryTheirPolicyOnThePrivateRouteTables(t *testing.T) {
	g, err := recordVpc(t, &network.VpcArgs{Account: account, AvailabilityZones: zones[:2],
		FlowLogKmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/k")})
	if err != nil {
		t.Fatal(err)
	}
	var privateRTs []string
	for _, az := range zones[:2] {
		rt, err := g.Named("aws:ec2/routeTable:RouteTable", "net-private-"+az)
		if err != nil {
			t.Fatal(err)
		}
		privateRTs = append(privateRTs, rt.ID)
	}
	for svc, want := range map[string]string{"s3": s3EndpointPolicy, "dynamodb": dynamodbEndpointPolicy} {
		ep, err := g.Named("aws:ec2/vpcEndpoint:VpcEndpoint", "net-"+svc)
		if err != nil {
			t.Fatal(err)
		}
		for path, w := range map[string]string{"policy": want, "vpcEndpointType": "Gateway", "serviceName": "com.amazonaws.eu-west-1." + svc} {
			if got, err := ep.String(path); err != nil || got != w {
				t.Errorf("%s %s = %q, %v; want %q", ep.Name, path, got, err, w)
			}
		}
		if got, err := ep.Strings("routeTableIds"); err != nil || !slices.Equal(got, privateRTs) {
			t.Errorf("%s routeTableIds = %v, %v; want the private route tables %v", ep.Name, got, err, privateRTs)
		}
	}
	// Without gateway endpoints, none is created.
	g, err = recordVpc(t, &network.VpcArgs{Account: account, AvailabilityZones: zones[:2], NoGatewayEndpoints: true,
		FlowLogKmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/k")})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(g.OfType("aws:ec2/vpcEndpoint:VpcEndpoint")); n != 0 {
		t.Errorf("%d endpoints with NoGatewayEndpoints, want 0", n)
	}
}

func TestFlowLogsPolicyWritesToItsOwnGroupAndListsGroups(t *testing.T) {
	const group = "arn:aws:logs:eu-west-1:123456789012:log-group:/vpc/flow"
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"WriteFlowLogsToOwnGroup","Effect":"Allow","Action":["logs:CreateLogStream","logs:DescribeLogStreams","logs:PutLogEvents"],"Resource":["` + group + `","` + group + `:*"]},` +
		`{"Sid":"ListLogGroups","Effect":"Allow","Action":["logs:DescribeLogGroups"],"Resource":["*"]}]}`
	doc := network.FlowLogsPolicy(group)
	if got, err := doc.JSON(); err != nil || got != want {
		t.Errorf("FlowLogsPolicy:\n got  %s, %v\n want %s", got, err, want)
	}
	// Only DescribeLogGroups, which has no resource-level permission, takes "*"; it never writes.
	for _, s := range doc.Statements {
		if slices.Contains(s.Resources, "*") && !slices.Equal(s.Actions, []string{"logs:DescribeLogGroups"}) {
			t.Errorf("%s: actions %v on every resource", s.Sid, s.Actions)
		}
		if s.Sid != "WriteFlowLogsToOwnGroup" && (s.CoversAction("logs:PutLogEvents") || s.CoversAction("logs:CreateLogGroup")) {
			t.Errorf("%s writes outside the flow-log group", s.Sid)
		}
	}
	if len(doc.Allows("logs:CreateLogGroup")) != 0 || len(doc.Allows("logs:DeleteLogGroup")) != 0 {
		t.Error("the flow-log role may create or delete log groups")
	}
}
