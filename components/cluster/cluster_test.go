package cluster_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

// The test cluster lives in the dev account, 111111111111, which the recorded dev stack's mocked
// caller is in (the first of its aws:allowedAccountIds).
const (
	accountID = "111111111111"
	vpcID     = "vpc-0test"
	name      = "c"

	tCluster     = "eks:index:Cluster"
	tAddon       = "aws:eks/addon:Addon"
	tRole        = "aws:iam/role:Role"
	tRolePolicy  = "aws:iam/rolePolicy:RolePolicy"
	tAttachment  = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	tIngressRule = "aws:ec2/securityGroupRule:SecurityGroupRule"
	tNodeGroup   = "aws:eks/nodeGroup:NodeGroup"
	tSG          = "aws:ec2/securityGroup:SecurityGroup"
)

var (
	controlPlaneSubnets = []string{"subnet-0a", "subnet-0b"}
	nodeSubnets         = []string{"subnet-0a", "subnet-0b", "subnet-0c"}
)

// validArgs are the smallest valid args: one node group, no access, no API access sources.
func validArgs() *cluster.ClusterArgs {
	return &cluster.ClusterArgs{
		Account:               cluster.Account{ID: accountID, Region: "eu-west-1", Partition: "aws"},
		ClusterName:           "platform-dev",
		Version:               "1.34",
		VpcID:                 pulumi.String(vpcID),
		ControlPlaneSubnetIDs: pulumi.ToStringArray(controlPlaneSubnets),
		NodeSubnetIDs:         pulumi.ToStringArray(nodeSubnets),
		SecretsKeyArn:         pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/secrets"),
		LogsKeyArn:            pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/logs"),
		DataKeyArn:            pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/data"),
		NodeGroups:            []cluster.NodeGroup{{Name: "system", InstanceTypes: []string{"m7i.large"}, MinSize: 2, MaxSize: 4, DesiredSize: 2}},
	}
}

// record records a program that creates a security group "runner" in the VPC (a source for API
// access) and a Cluster named "c" with validArgs edited by edit, which gets the runner's group.
func record(t *testing.T, edit func(a *cluster.ClusterArgs, runnerSG pulumi.StringInput)) *graph.Graph {
	t.Helper()
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		sg, err := ec2.NewSecurityGroup(ctx, "runner", &ec2.SecurityGroupArgs{VpcId: pulumi.String(vpcID)})
		if err != nil {
			return err
		}
		args := validArgs()
		if edit != nil {
			edit(args, sg.ID().ToStringOutput())
		}
		_, err = cluster.NewCluster(ctx, name, args)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func named(t *testing.T, g *graph.Graph, typ, logical string) *graph.Resource {
	t.Helper()
	r, err := g.Named(typ, logical)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantString(t *testing.T, r *graph.Resource, path, want string) {
	t.Helper()
	if got, err := r.String(path); err != nil || got != want {
		t.Errorf("%s %s = %q, %v; want %q", r.Name, path, got, err, want)
	}
}

func wantInt(t *testing.T, r *graph.Resource, path string, want int) {
	t.Helper()
	if got, err := r.Int(path); err != nil || got != want {
		t.Errorf("%s %s = %d, %v; want %d", r.Name, path, got, err, want)
	}
}

func wantAbsent(t *testing.T, r *graph.Resource, path string) {
	t.Helper()
	if r.Has(path) {
		v, _ := r.Get(path)
		t.Errorf("%s %s = %s; want it unset", r.Name, path, graph.Describe(v))
	}
}

// validateErr is the error of Validate, "" for none.
func validateErr(a *cluster.ClusterArgs) string {
	if err := a.Validate(); err != nil {
		return err.Error()
	}
	return ""
}

func TestClusterArgsReportEveryProblemAndRegisterNothing(t *testing.T) {
	args := &cluster.ClusterArgs{
		Version:              "v1.34",
		EndpointPublicAccess: true,
		PublicAccessCidrs:    []string{"0.0.0.0/0"},
		NodeGroups:           []cluster.NodeGroup{{Name: "System", MinSize: 3, MaxSize: 2, DesiredSize: 2}},
		Access:               []cluster.AccessPrincipal{{Persona: eksspec.Gitops, PrincipalArn: "admin"}},
	}
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := cluster.NewCluster(ctx, "c", args)
		return err
	}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`cluster.NewCluster "c"`,
		"account: id, region and partition are required",
		`clusterName: "" must be 1 to 100 characters`,
		`version: "v1.34" is not a Kubernetes minor version such as 1.34`,
		"vpcId, controlPlaneSubnetIds and nodeSubnetIds: required",
		"secretsKeyArn, logsKeyArn and dataKeyArn: required",
		`publicAccessCidrs[0]: "0.0.0.0/0" opens the API endpoint to the whole internet`,
		`nodeGroups[0].name: "System" must match`,
		"nodeGroups[0].instanceTypes: at least one is required",
		"nodeGroups[0]: sizes min 3, desired 2, max 2",
		`access[0].principalArn: "admin" is not an IAM role or user ARN`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q", want)
		}
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered, want only the stack", g.Len())
	}
}

func TestEBSCSIKeyPolicyGrantsOnlyForAWSResourcesOnTheDataKey(t *testing.T) {
	doc := cluster.EBSCSIKeyPolicy("arn:aws:kms:eu-west-1:123456789012:key/k")
	grants := doc.Allows("kms:CreateGrant")
	if len(grants) != 1 || !single(grants[0].ConditionValues("Bool", "kms:GrantIsForAWSResource"), "true") {
		t.Errorf("CreateGrant statements %+v: want one, conditioned on kms:GrantIsForAWSResource", grants)
	}
	for _, s := range doc.Statements {
		if !s.CoversResource("arn:aws:kms:eu-west-1:123456789012:key/k") || s.CoversResource("arn:aws:kms:eu-west-1:123456789012:key/other") {
			t.Errorf("statement %s is not limited to the data key", s.Sid)
		}
	}
	if len(doc.Allows("kms:ScheduleKeyDeletion")) != 0 {
		t.Error("the EBS CSI driver may delete the key")
	}
}

func single(got []string, want string) bool { return len(got) == 1 && got[0] == want }
