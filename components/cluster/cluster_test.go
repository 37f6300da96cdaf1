package cluster_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/eksspec"
	"github.com/securestack/platform/recorder"
)

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
		"vpcId, privateSubnetIds and publicSubnetIds: required",
		"secretsKeyArn, logsKeyArn and dataKeyArn: required",
		`publicAccessCidrs[0]: "0.0.0.0/0" opens the API endpoint to the whole internet`,
		`nodeGroups[0].name: "System" must match`,
		"nodeGroups[0].instanceTypes: at least one is required",
		"nodeGroups[0]: sizes min 3, desired 2, max 2",
		`access[0].principalArn: "admin" is not an IAM role or user ARN`,
		"appNamespaces: required for namespace-scoped personas",
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
