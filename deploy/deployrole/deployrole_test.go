package deployrole

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// platformTypes are the type tokens the stacks register (and pulumi-eks's remote component).
var platformTypes = []string{
	"aws:cloudwatch/logGroup:LogGroup",
	"aws:codebuild/project:Project",
	"aws:dynamodb/table:Table",
	"aws:ebs/defaultKmsKey:DefaultKmsKey",
	"aws:ebs/encryptionByDefault:EncryptionByDefault",
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
	"aws:ec2/eip:Eip",
	"aws:ec2/flowLog:FlowLog",
	"aws:ec2/internetGateway:InternetGateway",
	"aws:ec2/launchTemplate:LaunchTemplate",
	"aws:ec2/natGateway:NatGateway",
	"aws:ec2/routeTable:RouteTable",
	"aws:ec2/routeTableAssociation:RouteTableAssociation",
	"aws:ec2/securityGroup:SecurityGroup",
	"aws:ec2/subnet:Subnet",
	"aws:ec2/vpc:Vpc",
	"aws:ec2/vpcEndpoint:VpcEndpoint",
	"aws:efs/accessPoint:AccessPoint",
	"aws:efs/backupPolicy:BackupPolicy",
	"aws:efs/fileSystem:FileSystem",
	"aws:efs/fileSystemPolicy:FileSystemPolicy",
	"aws:efs/mountTarget:MountTarget",
	"aws:eks/accessEntry:AccessEntry",
	"aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
	"aws:eks/addon:Addon",
	"aws:eks/nodeGroup:NodeGroup",
	"aws:iam/role:Role",
	"aws:iam/rolePolicy:RolePolicy",
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment",
	"aws:kms/alias:Alias",
	"aws:kms/key:Key",
	"aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
	"aws:s3/bucketLoggingV2:BucketLoggingV2",
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls",
	"aws:s3/bucketPolicy:BucketPolicy",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
	"aws:s3/bucketV2:BucketV2",
	"aws:s3/bucketVersioningV2:BucketVersioningV2",
	"aws:secretsmanager/secret:Secret",
	"aws:secretsmanager/secretPolicy:SecretPolicy",
	"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
	"aws:ecr/lifecyclePolicy:LifecyclePolicy",
	"aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
	"aws:ecr/repository:Repository",
	"aws:ecr/repositoryPolicy:RepositoryPolicy",
	"aws:guardduty/detector:Detector",
	"aws:guardduty/detectorFeature:DetectorFeature",
	"aws:cloudwatch/eventRule:EventRule",
	"aws:cloudwatch/eventTarget:EventTarget",
	"aws:sns/topic:Topic",
	"aws:sns/topicPolicy:TopicPolicy",
	"aws:sns/topicSubscription:TopicSubscription",
	"eks:index:Cluster",
	"kubernetes:core/v1:PersistentVolume",
	"kubernetes:storage.k8s.io/v1:StorageClass",
	"platform:account:Guardrails",
	"platform:cluster:Cluster",
	"platform:database:Table",
	"platform:encryption:Keyring",
	"platform:filesystem:FileSystem",
	"platform:identity:ServiceRole",
	"platform:network:Vpc",
	"platform:secrets:Secret",
	"platform:storage:Bucket",
	"pulumi:providers:aws",
	"pulumi:providers:kubernetes",
	"pulumi:pulumi:Stack",
	"pulumi:pulumi:StackReference",
}

var platformInvokes = []string{
	"aws:eks/getAddonVersion:getAddonVersion",
	"aws:index/getAvailabilityZones:getAvailabilityZones",
	"aws:index/getCallerIdentity:getCallerIdentity",
	"aws:index/getPartition:getPartition",
	"aws:guardduty/getDetector:getDetector",
	"aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider",
}

func fullInput(partition string) Input {
	return Input{Partition: partition, Project: "platform", Types: platformTypes, Invokes: platformInvokes}
}

func mustPolicy(t *testing.T, in Input) []ManagedPolicy {
	t.Helper()
	out, err := Policy(in)
	if err != nil {
		t.Fatalf("Policy: %v", err)
	}
	return out
}

// allStatements flattens the managed policies.
func allStatements(ps []ManagedPolicy) []iampolicy.Statement {
	var out []iampolicy.Statement
	for _, p := range ps {
		out = append(out, p.Document.Statements...)
	}
	return out
}

func statementBySid(t *testing.T, ps []ManagedPolicy, sid string) iampolicy.Statement {
	t.Helper()
	for _, s := range allStatements(ps) {
		if s.Sid == sid {
			return s
		}
	}
	t.Fatalf("no statement %s", sid)
	return iampolicy.Statement{}
}

func TestEveryTokenOfThePlatformIsKnown(t *testing.T) {
	for _, p := range Partitions {
		ps := mustPolicy(t, fullInput(p))
		var areas []string
		for _, mp := range ps {
			areas = append(areas, mp.Area)
		}
		if !reflect.DeepEqual(areas, Areas) {
			t.Errorf("%s: areas %v, want %v", p, areas, Areas)
		}
	}
}

func TestUnknownTokensAreAllNamedInOneError(t *testing.T) {
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{"unknown types and invokes, each once, sorted",
			Input{Partition: "aws", Project: "platform",
				Types:   []string{"aws:rds/instance:Instance", "aws:ec2/vpc:Vpc", "aws:lambda/function:Function", "aws:rds/instance:Instance"},
				Invokes: []string{"aws:ec2/getAmi:getAmi"}},
			"deployrole: no permissions known for 3 token(s): aws:ec2/getAmi:getAmi, aws:lambda/function:Function, aws:rds/instance:Instance (add them to the table in deployrole.go)"},
		{"an invoke given as a type and a type given as an invoke",
			Input{Partition: "aws", Project: "platform",
				Types:   []string{"aws:eks/getAddonVersion:getAddonVersion"},
				Invokes: []string{"aws:ec2/vpc:Vpc"}},
			"deployrole: no permissions known for 2 token(s): aws:ec2/vpc:Vpc, aws:eks/getAddonVersion:getAddonVersion (add them to the table in deployrole.go)"},
		{"bad partition and project reported with the tokens",
			Input{Partition: "aws-iso", Project: "Platform*", Types: []string{"aws:sqs/queue:Queue"}},
			`deployrole: partition "aws-iso" is not one of aws, aws-cn, aws-us-gov; project "Platform*" is not 1 to 63 lowercase letters, digits and '-', starting with a letter or digit; no permissions known for 1 token(s): aws:sqs/queue:Queue (add them to the table in deployrole.go)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Policy(tt.in)
			if err == nil || err.Error() != tt.want {
				t.Errorf("error\n got %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestTokensWithoutAWSPermissionsYieldNoStatements(t *testing.T) {
	ps := mustPolicy(t, Input{Partition: "aws", Project: "platform",
		Types: []string{"kubernetes:storage.k8s.io/v1:StorageClass", "kubernetes:helm.sh/v4:Chart", "platform:network:Vpc",
			"pulumi:providers:aws", "pulumi:providers:kubernetes", "pulumi:pulumi:Stack", "pulumi:pulumi:StackReference"},
		Invokes: []string{"aws:index/getCallerIdentity:getCallerIdentity", "aws:index/getPartition:getPartition"}})
	if len(ps) != 0 {
		t.Errorf("got %d policies, want none: %+v", len(ps), ps)
	}
}

func TestNoStatementHasAWildcardAction(t *testing.T) {
	for _, s := range allStatements(mustPolicy(t, fullInput("aws"))) {
		if len(s.NotActions) > 0 {
			t.Errorf("%s uses NotAction %v", s.Sid, s.NotActions)
		}
		for _, a := range s.Actions {
			if strings.ContainsAny(a, "*?") {
				t.Errorf("%s: action %q is a wildcard", s.Sid, a)
			}
			if !regexp.MustCompile(`^[a-z0-9-]+:[A-Z][A-Za-z0-9]+$`).MatchString(a) {
				t.Errorf("%s: action %q is not service:Action", s.Sid, a)
			}
		}
	}
}

// accountLevel are the only non-read actions allowed on Resource "*": AWS defines no resource
// type for them.
var accountLevel = []string{
	"ec2:DisableEbsEncryptionByDefault",
	"ec2:EnableEbsEncryptionByDefault",
	"ec2:ModifyEbsDefaultKmsKeyId",
	"ec2:ResetEbsDefaultKmsKeyId",
	"ecr:PutRegistryScanningConfiguration",
	"guardduty:CreateDetector", // conditioned on the Project request tag
	"guardduty:TagResource",    // the same statement: tags on create
	"inspector2:Enable",
	"kms:CreateKey",
	"s3:PutAccountPublicAccessBlock",
}

func TestResourceStarIsAllowedOnlyForReadsAndAccountLevelActions(t *testing.T) {
	var found []string
	for _, s := range allStatements(mustPolicy(t, fullInput("aws"))) {
		if s.Effect != iampolicy.Allow || !slices.Contains(s.Resources, "*") {
			continue
		}
		if len(s.Resources) != 1 {
			t.Errorf("%s mixes * with other resources: %v", s.Sid, s.Resources)
		}
		for _, a := range s.Actions {
			name := a[strings.Index(a, ":")+1:]
			if strings.HasPrefix(name, "Describe") || strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List") {
				continue
			}
			found = append(found, a)
		}
	}
	slices.Sort(found)
	if !reflect.DeepEqual(found, accountLevel) {
		t.Errorf("non-read actions on Resource *:\n got %v\nwant %v", found, accountLevel)
	}
	ps := mustPolicy(t, fullInput("aws"))
	for _, sid := range []string{"KMSCreateKey", "GuardDutyCreateTagged"} {
		if got := statementBySid(t, ps, sid).ConditionValues("StringEquals", "aws:RequestTag/Project"); !reflect.DeepEqual(got, []string{"platform"}) {
			t.Errorf("%s not conditioned on the Project request tag: %v", sid, got)
		}
	}
}

func TestPassRoleIsOnlyForProjectRolesAndConditionedOnPassedToService(t *testing.T) {
	tests := []struct {
		types    []string
		services []string
	}{
		{[]string{"aws:ec2/flowLog:FlowLog"}, []string{"vpc-flow-logs.amazonaws.com"}},
		{[]string{"eks:index:Cluster"}, []string{"eks.amazonaws.com"}},
		{[]string{"aws:eks/nodeGroup:NodeGroup"}, []string{"eks.amazonaws.com"}},
		{[]string{"aws:codebuild/project:Project"}, []string{"codebuild.amazonaws.com"}},
		{platformTypes, []string{"codebuild.amazonaws.com", "eks.amazonaws.com", "vpc-flow-logs.amazonaws.com"}},
	}
	for _, tt := range tests {
		ps := mustPolicy(t, Input{Partition: "aws", Project: "platform", Types: tt.types})
		var passing []iampolicy.Statement
		for _, s := range allStatements(ps) {
			if s.Effect == iampolicy.Allow && s.HasAction("iam:PassRole") {
				passing = append(passing, s)
			}
		}
		want := iampolicy.Statement{Sid: "IAMPassRoleToServices", Effect: iampolicy.Allow,
			Actions:    iampolicy.StringList{"iam:PassRole"},
			Resources:  iampolicy.StringList{"arn:aws:iam::*:role/platform-*"},
			Conditions: iampolicy.Conditions{"StringEquals": {"iam:PassedToService": tt.services}}}
		if len(passing) != 1 || !reflect.DeepEqual(passing[0], want) {
			t.Errorf("%v: PassRole statements\n got %+v\nwant [%+v]", tt.types, passing, want)
		}
	}
}

func TestServiceLinkedRolesOnlyForTheServicesThatCreateThem(t *testing.T) {
	s := statementBySid(t, mustPolicy(t, fullInput("aws")), "IAMServiceLinkedRoles")
	want := iampolicy.Statement{Sid: "IAMServiceLinkedRoles", Effect: iampolicy.Allow,
		Actions:   iampolicy.StringList{"iam:CreateServiceLinkedRole"},
		Resources: iampolicy.StringList{"arn:aws:iam::*:role/aws-service-role/*"},
		Conditions: iampolicy.Conditions{"StringEquals": {"iam:AWSServiceName": {
			"eks-nodegroup.amazonaws.com", "eks.amazonaws.com", "elasticfilesystem.amazonaws.com", "guardduty.amazonaws.com",
			"inspector2.amazonaws.com", "malware-protection.guardduty.amazonaws.com"}}}}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
}

func TestProjectKeysAllowCreateGrantAndDescribeKeyForEKSEnvelopeEncryption(t *testing.T) {
	ps := mustPolicy(t, Input{Partition: "aws", Project: "platform", Types: []string{"eks:index:Cluster"}})
	key := "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	for _, action := range []string{"kms:CreateGrant", "kms:DescribeKey"} {
		var ok bool
		for _, s := range allStatements(ps) {
			if s.Effect == iampolicy.Allow && s.HasAction(action) && s.CoversResource(key) &&
				reflect.DeepEqual(s.ConditionValues("StringEquals", "aws:ResourceTag/Project"), []string{"platform"}) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("%s is not allowed on the project's keys (tagged Project=platform)", action)
		}
	}
	if got := statementBySid(t, ps, "KMSProjectKeysForServices").Actions; !reflect.DeepEqual(got, iampolicy.StringList{"kms:CreateGrant", "kms:DescribeKey"}) {
		t.Errorf("KMSProjectKeysForServices actions %v", got)
	}
}

func TestEKSClusterComponentCoversWhatPulumiEKSCreates(t *testing.T) {
	ps := mustPolicy(t, Input{Partition: "aws", Project: "platform", Types: []string{"eks:index:Cluster"}})
	tests := []struct{ action, resource string }{
		{"eks:CreateCluster", "arn:aws:eks:eu-west-1:123456789012:cluster/platform-prod"},
		{"eks:DescribeCluster", "arn:aws:eks:eu-west-1:123456789012:cluster/platform-prod"},
		{"eks:UpdateClusterConfig", "arn:aws:eks:eu-west-1:123456789012:cluster/platform-prod"},
		{"eks:UpdateClusterVersion", "arn:aws:eks:eu-west-1:123456789012:cluster/platform-prod"},
		{"eks:TagResource", "arn:aws:eks:eu-west-1:123456789012:cluster/platform-prod"},
		{"eks:ListTagsForResource", "arn:aws:eks:eu-west-1:123456789012:cluster/platform-prod"},
		{"eks:DeleteCluster", "arn:aws:eks:eu-west-1:123456789012:cluster/platform-prod"},
		{"eks:CreateAddon", "arn:aws:eks:eu-west-1:123456789012:addon/platform-prod/kube-proxy/abc"},
		{"eks:DescribeAddonVersions", "*"},
		{"iam:CreateRole", "arn:aws:iam::123456789012:role/platform-prod-eksRole-role-1a2b3c4"},
		{"iam:AttachRolePolicy", "arn:aws:iam::123456789012:role/platform-prod-eksRole-role-1a2b3c4"},
		{"iam:PassRole", "arn:aws:iam::123456789012:role/platform-prod-eksRole-role-1a2b3c4"},
		{"iam:CreateOpenIDConnectProvider", "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
		{"iam:TagOpenIDConnectProvider", "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},
		{"iam:CreateServiceLinkedRole", "arn:aws:iam::123456789012:role/aws-service-role/eks.amazonaws.com/AWSServiceRoleForAmazonEKS"},
		{"ec2:CreateSecurityGroup", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0"},
		{"ec2:AuthorizeSecurityGroupIngress", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0"},
		{"ec2:RevokeSecurityGroupEgress", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0"},
		{"ec2:DeleteSecurityGroup", "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0"},
		{"ec2:DescribeSecurityGroupRules", "*"},
	}
	for _, tt := range tests {
		var ok bool
		for _, s := range allStatements(ps) {
			if s.Effect == iampolicy.Allow && s.HasAction(tt.action) && s.CoversResource(tt.resource) {
				ok = true
			}
		}
		if !ok {
			t.Errorf("eks:index:Cluster does not allow %s on %s", tt.action, tt.resource)
		}
	}
	attach := statementBySid(t, ps, "IAMAttachManagedPolicies")
	if !slices.Contains(attach.ConditionValues("ArnEquals", "iam:PolicyARN"), "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy") {
		t.Errorf("AmazonEKSClusterPolicy cannot be attached: %v", attach.Conditions)
	}
	for _, sid := range []string{"EKSClusters", "IAMOIDCProvider", "IAMRoles", "EC2CreateTagged", "EC2ModifyOwned"} {
		s := statementBySid(t, ps, sid)
		for _, r := range s.Resources {
			if r == "*" || !strings.Contains(r, "platform-") && !strings.Contains(r, "oidc.eks.") && !strings.HasPrefix(r, "arn:aws:ec2:") {
				t.Errorf("%s: resource %q is not scoped to the project", sid, r)
			}
		}
	}
}

// TestEC2CreatesAreTaggedOnCreateAndChangesOnlyOwnedResources pins the three ways EC2 is
// scoped: creates need the Project request tag, ec2:CreateTags is tied to the create actions
// (or changes non-Project tags of owned resources, or adopts the default security group), and
// everything else needs the Project resource tag.
func TestEC2CreatesAreTaggedOnCreateAndChangesOnlyOwnedResources(t *testing.T) {
	ps := mustPolicy(t, fullInput("aws"))
	create := statementBySid(t, ps, "EC2CreateTagged")
	wantCreate := iampolicy.StringList{"ec2:AllocateAddress", "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateFlowLogs", "ec2:CreateInternetGateway",
		"ec2:CreateLaunchTemplate", "ec2:CreateNatGateway", "ec2:CreateRouteTable", "ec2:CreateSecurityGroup", "ec2:CreateSubnet", "ec2:CreateVpc", "ec2:CreateVpcEndpoint"}
	if !reflect.DeepEqual(create.Actions, wantCreate) {
		t.Errorf("EC2CreateTagged actions\n got %v\nwant %v", create.Actions, wantCreate)
	}
	if got := create.ConditionValues("StringEquals", "aws:RequestTag/Project"); !reflect.DeepEqual(got, []string{"platform"}) {
		t.Errorf("EC2CreateTagged condition %v", create.Conditions)
	}
	tagOnCreate := statementBySid(t, ps, "EC2TagOnCreate")
	var wantCreateActions []string
	for _, a := range wantCreate {
		wantCreateActions = append(wantCreateActions, strings.TrimPrefix(a, "ec2:"))
	}
	if got := tagOnCreate.ConditionValues("StringEquals", "ec2:CreateAction"); !reflect.DeepEqual(got, wantCreateActions) {
		t.Errorf("ec2:CreateAction\n got %v\nwant %v", got, wantCreateActions)
	}
	if !reflect.DeepEqual(tagOnCreate.Resources, create.Resources) {
		t.Errorf("EC2TagOnCreate resources %v differ from the created types %v", tagOnCreate.Resources, create.Resources)
	}

	wantCreateTags := map[string]iampolicy.Conditions{
		"EC2TagOnCreate": {"StringEquals": {"aws:RequestTag/Project": {"platform"}, "ec2:CreateAction": wantCreateActions}},
		"EC2RetagOwned": {"StringEquals": {"aws:ResourceTag/Project": {"platform"}},
			"ForAllValues:StringNotEquals": {"aws:TagKeys": {"Project"}}},
		"EC2AdoptDefaultSecurityGroup": {"StringEquals": {"aws:RequestTag/Project": {"platform"}}},
	}
	for _, s := range allStatements(ps) {
		if !s.HasAction("ec2:CreateTags") {
			continue
		}
		want, ok := wantCreateTags[s.Sid]
		if !ok {
			t.Errorf("%s allows ec2:CreateTags", s.Sid)
			continue
		}
		if !reflect.DeepEqual(s.Conditions, want) {
			t.Errorf("%s: ec2:CreateTags conditions\n got %v\nwant %v", s.Sid, s.Conditions, want)
		}
		delete(wantCreateTags, s.Sid)
	}
	if len(wantCreateTags) > 0 {
		t.Errorf("missing ec2:CreateTags statements %v", wantCreateTags)
	}
	if got := statementBySid(t, ps, "EC2AdoptDefaultSecurityGroup").Resources; !reflect.DeepEqual(got, iampolicy.StringList{"arn:aws:ec2:*:*:security-group/*"}) {
		t.Errorf("adopting the default security group is not limited to security groups: %v", got)
	}

	// Every other EC2 write is on owned resources (or, for EFS's network interfaces, only via EFS).
	for _, s := range allStatements(ps) {
		if s.Effect != iampolicy.Allow || slices.Contains(s.Resources, "*") {
			continue
		}
		for _, a := range s.Actions {
			if !strings.HasPrefix(a, "ec2:") {
				continue
			}
			switch s.Sid {
			case "EC2CreateTagged", "EC2TagOnCreate", "EC2RetagOwned", "EC2AdoptDefaultSecurityGroup":
			case "EC2ModifyOwned":
				if got := s.ConditionValues("StringEquals", "aws:ResourceTag/Project"); !reflect.DeepEqual(got, []string{"platform"}) {
					t.Errorf("EC2ModifyOwned condition %v", s.Conditions)
				}
			case "EC2EndpointsToAWSServices":
				if !reflect.DeepEqual(s.Conditions, iampolicy.Conditions{"StringEquals": {"ec2:VpceServiceOwner": {"amazon"}}}) {
					t.Errorf("EC2EndpointsToAWSServices condition %v", s.Conditions)
				}
			case "EC2NetworkInterfacesViaEFS":
				if !reflect.DeepEqual(s.Conditions, iampolicy.Conditions{"Bool": {"aws:ViaAWSService": {"true"}}}) {
					t.Errorf("EC2NetworkInterfacesViaEFS condition %v", s.Conditions)
				}
			default:
				t.Errorf("%s allows %s outside the EC2 statements", s.Sid, a)
			}
		}
	}
}

func TestStartInVpcDeployBuild(t *testing.T) {
	ps := mustPolicy(t, Input{Partition: "aws-cn", Project: "platform", Types: []string{"aws:codebuild/project:Project"}})
	want := iampolicy.Statement{Sid: "StartInVpcDeployBuild", Effect: iampolicy.Allow,
		Actions: iampolicy.StringList{"codebuild:BatchGetBuilds", "codebuild:StartBuild", "logs:GetLogEvents", "s3:PutObject"},
		Resources: iampolicy.StringList{
			"arn:aws-cn:codebuild:*:*:project/platform-*-deploy",
			"arn:aws-cn:logs:*:*:log-group:/aws/codebuild/platform-*",
			"arn:aws-cn:s3:::platform-*-runner-*/deploy/*",
		}}
	if got := statementBySid(t, ps, "StartInVpcDeployBuild"); !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestFlowLogPolicyLiteral pins the whole output for one token.
func TestFlowLogPolicyLiteral(t *testing.T) {
	ps := mustPolicy(t, Input{Partition: "aws", Project: "platform", Types: []string{"aws:ec2/flowLog:FlowLog"}})
	want := map[string]string{
		AreaNetwork: `{"Version":"2012-10-17","Statement":[` +
			`{"Sid":"EC2CreateTagged","Effect":"Allow","Action":["ec2:CreateFlowLogs"],"Resource":["arn:aws:ec2:*:*:vpc-flow-log/*"],"Condition":{"StringEquals":{"aws:RequestTag/Project":["platform"]}}},` +
			`{"Sid":"EC2ModifyOwned","Effect":"Allow","Action":["ec2:CreateFlowLogs","ec2:DeleteFlowLogs"],"Resource":["arn:aws:ec2:*:*:*"],"Condition":{"StringEquals":{"aws:ResourceTag/Project":["platform"]}}},` +
			`{"Sid":"EC2RetagOwned","Effect":"Allow","Action":["ec2:CreateTags","ec2:DeleteTags"],"Resource":["arn:aws:ec2:*:*:*"],"Condition":{"ForAllValues:StringNotEquals":{"aws:TagKeys":["Project"]},"StringEquals":{"aws:ResourceTag/Project":["platform"]}}},` +
			`{"Sid":"EC2TagOnCreate","Effect":"Allow","Action":["ec2:CreateTags"],"Resource":["arn:aws:ec2:*:*:vpc-flow-log/*"],"Condition":{"StringEquals":{"aws:RequestTag/Project":["platform"],"ec2:CreateAction":["CreateFlowLogs"]}}},` +
			`{"Sid":"NetworkRead","Effect":"Allow","Action":["ec2:DescribeFlowLogs"],"Resource":["*"]}]}`,
		AreaIdentity: `{"Version":"2012-10-17","Statement":[` +
			`{"Sid":"IAMPassRoleToServices","Effect":"Allow","Action":["iam:PassRole"],"Resource":["arn:aws:iam::*:role/platform-*"],"Condition":{"StringEquals":{"iam:PassedToService":["vpc-flow-logs.amazonaws.com"]}}}]}`,
	}
	if len(ps) != len(want) {
		t.Fatalf("got %d policies, want %d", len(ps), len(want))
	}
	for _, p := range ps {
		got, err := p.Document.JSON()
		if err != nil {
			t.Fatal(err)
		}
		if got != want[p.Area] {
			t.Errorf("%s policy\n got %s\nwant %s", p.Area, got, want[p.Area])
		}
	}
}

func TestEveryAreaFitsTheManagedPolicySizeLimit(t *testing.T) {
	for _, partition := range Partitions {
		total := 0
		for _, p := range mustPolicy(t, fullInput(partition)) {
			size, err := Size(p.Document)
			if err != nil {
				t.Fatal(err)
			}
			total += size
			if size > MaxPolicySize {
				t.Errorf("%s/%s: %d characters, limit %d", partition, p.Area, size, MaxPolicySize)
			}
			if size > MaxPolicySize*9/10 {
				t.Logf("%s/%s: %d characters, within 10%% of the limit", partition, p.Area, size)
			}
		}
		// All together they would not fit one managed policy: the reason for the split.
		if total <= MaxPolicySize {
			t.Errorf("%s: %d characters in all: one managed policy would do", partition, total)
		}
	}
}

func TestSizeCountsNonWhitespaceCharacters(t *testing.T) {
	doc, err := iampolicy.Parse("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Sid\": \"A\", \"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]\n}")
	if err != nil {
		t.Fatal(err)
	}
	const compact = `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":["s3:GetObject"],"Resource":["*"]}]}`
	if got, err := Size(doc); err != nil || got != len(compact) {
		t.Errorf("Size = %d, %v; want %d", got, err, len(compact))
	}
}

func TestPolicyIsDeterministic(t *testing.T) {
	render := func(in Input) string {
		b, err := json.Marshal(mustPolicy(t, in))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first := render(fullInput("aws"))
	reversed := fullInput("aws")
	reversed.Types = slices.Clone(platformTypes)
	slices.Reverse(reversed.Types)
	reversed.Types = append(reversed.Types, platformTypes...) // duplicates change nothing
	for i := 0; i < 5; i++ {
		if again := render(fullInput("aws")); again != first {
			t.Fatalf("call %d differs", i)
		}
	}
	if got := render(reversed); got != first {
		t.Error("token order or duplicates change the policy")
	}
	for _, p := range mustPolicy(t, fullInput("aws")) {
		if !slices.IsSortedFunc(p.Document.Statements, func(a, b iampolicy.Statement) int { return strings.Compare(a.Sid, b.Sid) }) {
			t.Errorf("%s: statements not sorted by Sid", p.Area)
		}
		for _, s := range p.Document.Statements {
			if !slices.IsSorted(s.Actions) || !slices.IsSorted(s.Resources) {
				t.Errorf("%s: actions or resources not sorted", s.Sid)
			}
		}
	}
}

func TestDeployerCannotChangeItsOwnRole(t *testing.T) {
	ps := mustPolicy(t, fullInput("aws"))
	deny := statementBySid(t, ps, "DenyChangingOwnRole")
	if deny.Effect != iampolicy.Deny || !reflect.DeepEqual(deny.Resources, iampolicy.StringList{"${aws:PrincipalArn}"}) {
		t.Fatalf("got %+v", deny)
	}
	// Every role-changing action the policy allows is denied on the deployer's own role.
	for _, s := range allStatements(ps) {
		if s.Effect != iampolicy.Allow || !slices.Contains(s.Resources, "arn:aws:iam::*:role/platform-*") {
			continue
		}
		for _, a := range s.Actions {
			name := strings.TrimPrefix(a, "iam:")
			readOrPass := strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List") || name == "PassRole" || name == "CreateRole"
			if !readOrPass && !deny.HasAction(a) {
				t.Errorf("%s allows %s on roles named platform-*, which the deployer's own role may be, and it is not denied on it", s.Sid, a)
			}
		}
	}
}

// TestTableIsConsistent checks the table itself, so that a typo shows here and not as an
// AccessDenied during a deployment.
func TestTableIsConsistent(t *testing.T) {
	sidPattern := regexp.MustCompile(`^[A-Za-z0-9]+$`)
	used := map[string]bool{}
	shapes := map[string]bool{}
	for _, s := range statements {
		if shapes[s.sid] {
			t.Errorf("statement %s defined twice", s.sid)
		}
		shapes[s.sid] = true
		if !sidPattern.MatchString(s.sid) || s.reason == "" || !slices.Contains(Areas, s.area) {
			t.Errorf("statement %q: Sid must be alphanumeric, with a reason and a known area (%q)", s.sid, s.area)
		}
	}
	tokens := map[string]bool{}
	for _, e := range table {
		if tokens[e.pulumiType] {
			t.Errorf("token %s listed twice", e.pulumiType)
		}
		tokens[e.pulumiType] = true
		if e.reason == "" {
			t.Errorf("token %s has no reason", e.pulumiType)
		}
		for _, gr := range e.grants {
			used[gr.sid] = true
			if !shapes[gr.sid] {
				t.Errorf("token %s grants to unknown statement %s", e.pulumiType, gr.sid)
			}
			if len(gr.actions) == 0 || !slices.IsSorted(gr.actions) {
				t.Errorf("token %s: actions for %s empty or not sorted: %v", e.pulumiType, gr.sid, gr.actions)
			}
		}
		for _, inc := range e.includes {
			if _, ok := lookup(inc); !ok {
				t.Errorf("token %s includes unknown %s", e.pulumiType, inc)
			}
		}
	}
	for sid := range shapes {
		if !used[sid] {
			t.Errorf("statement %s is granted by no token", sid)
		}
	}
	if !slices.IsSorted(Known()) || len(Known()) != len(table) {
		t.Errorf("Known() not sorted or incomplete")
	}
	// The build checks (open condition keys filled, fixed resources not extended) hold for the
	// whole table.
	all := append([]entry(nil), table...)
	if _, err := build(all, strings.NewReplacer(partitionVar, "aws", projectVar, "platform")); err != nil {
		t.Error(err)
	}
}

// TestPreviewPolicyReadsOnlyWhatAPreviewNeeds: the preview role (pull-request code) gets the
// invokes' read permissions and the in-VPC preview job, and nothing that writes but its own
// uploads under preview/.
func TestPreviewPolicyReadsOnlyWhatAPreviewNeeds(t *testing.T) {
	p, err := PreviewPolicy(Input{Partition: "aws", Project: "platform",
		Invokes: []string{"aws:eks/getAddonVersion:getAddonVersion", "aws:index/getAvailabilityZones:getAvailabilityZones"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range p.Document.Statements {
		got = append(got, fmt.Sprintf("%s %v %v", s.Sid, s.Actions, s.Resources))
	}
	want := []string{
		"ClusterRead [eks:DescribeAddonVersions] [*]",
		"NetworkRead [ec2:DescribeAvailabilityZones] [*]",
		"StartInVpcPreviewBuild [codebuild:BatchGetBuilds codebuild:StartBuild logs:GetLogEvents s3:PutObject] " +
			"[arn:aws:codebuild:*:*:project/platform-*-preview arn:aws:logs:*:*:log-group:/aws/codebuild/platform-* arn:aws:s3:::platform-*-runner-*/preview/*]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("preview policy:\n got  %q\n want %q", got, want)
	}
	if _, err := PreviewPolicy(Input{Partition: "aws", Project: "platform", Invokes: []string{"aws:rds/getInstance:getInstance"}}); err == nil {
		t.Error("an unknown invoke is accepted")
	}
}
