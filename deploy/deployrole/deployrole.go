package deployrole

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// Input says what the deployer deploys.
type Input struct {
	// Partition is the AWS partition: aws, aws-cn or aws-us-gov.
	Partition string
	// Project is the Pulumi project name, e.g. "platform". Every resource the stacks name
	// starts with "<project>-" (secrets with "<project>/"), and every taggable resource
	// carries the tag Project=<project> (provider default tags).
	Project string
	// Types are the Pulumi type tokens the stacks register, e.g. "aws:ec2/vpc:Vpc".
	Types []string
	// Invokes are the invoke tokens the program calls, e.g. "aws:eks/getAddonVersion:getAddonVersion".
	Invokes []string
}

// ManagedPolicy is one customer managed policy of the deployer role: the statements of one area.
type ManagedPolicy struct {
	// Area names the policy: one of [Areas].
	Area string
	// Document holds the area's statements, sorted by Sid.
	Document iampolicy.Document
}

// MaxPolicySize is IAM's limit on the size of a customer managed policy: 6,144 characters,
// whitespace not counted.
const MaxPolicySize = 6144

// The areas the statements are grouped by, one managed policy each.
const (
	AreaNetwork  = "network"
	AreaCluster  = "cluster"
	AreaIdentity = "identity"
	AreaKeys     = "keys"
	AreaData     = "data"
	AreaCI       = "ci"
	// AreaDetection holds the image registry and threat detection: ECR, GuardDuty, EventBridge, SNS.
	AreaDetection = "detection"
)

// Areas are every area, in the order [Policy] returns their policies.
var Areas = []string{AreaNetwork, AreaCluster, AreaIdentity, AreaKeys, AreaData, AreaCI, AreaDetection}

// Placeholders in the statement templates below. They are deliberately not IAM policy
// variables (${...}), which pass through unchanged.
const (
	partitionVar = "<partition>"
	projectVar   = "<project>"
)

// statement is the shape of one statement of the policy: everything but its actions, which
// the tokens contribute. Resources nil means the resources are the union of the tokens'
// grants (tag-on-create statements); a condition key with no values gets the union of the
// values the tokens' grants give it.
type statement struct {
	sid, area  string
	effect     iampolicy.Effect
	resources  []string
	conditions iampolicy.Conditions
	reason     string
}

// ec2ARN is the ARN pattern of an EC2 resource type in any region and account.
func ec2ARN(resourceType string) string {
	return "arn:" + partitionVar + ":ec2:*:*:" + resourceType + "/*"
}

var projectTag = map[string]iampolicy.StringList{"aws:RequestTag/Project": {projectVar}}
var ownedTag = map[string]iampolicy.StringList{"aws:ResourceTag/Project": {projectVar}}

// The statements, by Sid. Reasons say why the statement exists and why it is scoped as it is.
var statements = []statement{
	// --- network ---
	{sid: "NetworkRead", area: AreaNetwork, resources: []string{"*"},
		reason: `EC2 Describe* and Get* calls the provider makes to read and wait for network resources; EC2 has no resource-level permission for them, so Resource "*" (read only)`},
	{sid: "EC2CreateTagged", area: AreaNetwork,
		conditions: iampolicy.Conditions{"StringEquals": projectTag},
		reason:     "create EC2 resources only when the request tags them Project=<project> (tag-on-create, provider default tags)"},
	{sid: "EC2TagOnCreate", area: AreaNetwork,
		conditions: iampolicy.Conditions{"StringEquals": {"aws:RequestTag/Project": {projectVar}, "ec2:CreateAction": nil}},
		reason:     "ec2:CreateTags only as part of the create actions used, and only with Project=<project>"},
	{sid: "EC2ModifyOwned", area: AreaNetwork, resources: []string{"arn:" + partitionVar + ":ec2:*:*:*"},
		conditions: iampolicy.Conditions{"StringEquals": ownedTag},
		reason:     "change and delete EC2 resources tagged Project=<project>, and name them (VPC, subnets, security groups, route tables) in create calls"},
	{sid: "EC2RetagOwned", area: AreaNetwork, resources: []string{"arn:" + partitionVar + ":ec2:*:*:*"},
		conditions: iampolicy.Conditions{
			"StringEquals":                 ownedTag,
			"ForAllValues:StringNotEquals": {"aws:TagKeys": {"Project"}},
		},
		reason: "update the tags of EC2 resources tagged Project=<project>, never the Project tag itself"},
	{sid: "EC2AdoptDefaultSecurityGroup", area: AreaNetwork, resources: []string{ec2ARN("security-group")},
		conditions: iampolicy.Conditions{"StringEquals": projectTag},
		reason:     "the VPC's default security group exists before it is adopted, so it is tagged Project=<project> by CreateTags outside a create action; only security groups, only to set the Project tag"},
	{sid: "EC2EndpointsToAWSServices", area: AreaNetwork, resources: []string{ec2ARN("vpc-endpoint-service")},
		conditions: iampolicy.Conditions{"StringEquals": {"ec2:VpceServiceOwner": {"amazon"}}},
		reason:     "VPC endpoints only to AWS services; assumption (unverified): EC2 authorizes the endpoint service in CreateVpcEndpoint"},
	{sid: "EC2NetworkInterfacesViaEFS", area: AreaNetwork, resources: []string{ec2ARN("network-interface")},
		conditions: iampolicy.Conditions{"Bool": {"aws:ViaAWSService": {"true"}}},
		reason:     "EFS creates, modifies and deletes mount-target network interfaces with the caller's credentials (EFS API reference); they carry no tag, so only through an AWS service; assumption (unverified): EFS calls EC2 with forward access sessions"},
	// --- the edge (in the network policy) ---
	{sid: "ACMRequestTagged", area: AreaNetwork, resources: []string{"*"},
		conditions: iampolicy.Conditions{"StringEquals": projectTag},
		reason:     "request ACM certificates only when the request tags them Project=<project> (a new certificate has no ARN yet)"},
	{sid: "ACMOwned", area: AreaNetwork, resources: []string{"arn:" + partitionVar + ":acm:*:*:certificate/*"},
		conditions: iampolicy.Conditions{"StringEquals": ownedTag},
		reason:     "read, wait for validation, retag and delete certificates tagged Project=<project>"},
	{sid: "Route53ValidationRecords", area: AreaNetwork, resources: []string{"arn:" + partitionVar + ":route53:::hostedzone/*"},
		conditions: iampolicy.Conditions{
			"ForAllValues:StringEquals": {"route53:ChangeResourceRecordSetsRecordTypes": {"CNAME"}},
			"ForAllValues:StringLike":   {"route53:ChangeResourceRecordSetsNormalizedRecordNames": {"_*"}},
		},
		reason: "only the CNAME records of ACM's DNS validation (their names start with an underscore), in any zone the stacks name"},
	{sid: "Route53Read", area: AreaNetwork, resources: []string{"arn:" + partitionVar + ":route53:::hostedzone/*", "arn:" + partitionVar + ":route53:::change/*"},
		reason: "read the zone and its records, and wait for a change to propagate"},
	{sid: "WAFWebACLs", area: AreaNetwork, resources: []string{
		"arn:" + partitionVar + ":wafv2:*:*:regional/webacl/" + projectVar + "-*/*",
		"arn:" + partitionVar + ":wafv2:*:*:regional/managedruleset/*/*",
	}, reason: "regional web ACLs named <project>-*, built from AWS managed rule groups"},
	// --- cluster ---
	{sid: "ClusterRead", area: AreaCluster, resources: []string{"*"},
		reason: `eks:DescribeAddonVersions has no resource-level permission, so Resource "*" (read only)`},
	{sid: "EKSClusters", area: AreaCluster, resources: []string{
		"arn:" + partitionVar + ":eks:*:*:cluster/" + projectVar + "-*",
		"arn:" + partitionVar + ":eks:*:*:nodegroup/" + projectVar + "-*",
		"arn:" + partitionVar + ":eks:*:*:addon/" + projectVar + "-*",
		"arn:" + partitionVar + ":eks:*:*:access-entry/" + projectVar + "-*",
	}, reason: "EKS clusters named <project>-* and their node groups, add-ons and access entries (their ARNs start with the cluster name)"},
	{sid: "IAMOIDCProvider", area: AreaCluster, resources: []string{"arn:" + partitionVar + ":iam::*:oidc-provider/oidc.eks.*"},
		reason: "the cluster's IAM OIDC provider for IRSA (pulumi-eks createOidcProvider); its name is the EKS issuer, so only EKS issuers"},
	// --- identity ---
	{sid: "IAMGitHubOIDCProvider", area: AreaIdentity, resources: []string{"arn:" + partitionVar + ":iam::*:oidc-provider/token.actions.githubusercontent.com"},
		reason: "the account's GitHub Actions OIDC provider, which the services' push roles trust: created by the baseline's owner (githubOidcProvider: manage) or looked up when adopted"},
	{sid: "IAMRoles", area: AreaIdentity, resources: []string{"arn:" + partitionVar + ":iam::*:role/" + projectVar + "-*"},
		reason: "roles named <project>-* (Pulumi auto-names append a suffix to the logical name, which starts with <project>-<stack>) and their inline policies"},
	{sid: "IAMAttachManagedPolicies", area: AreaIdentity, resources: []string{"arn:" + partitionVar + ":iam::*:role/" + projectVar + "-*"},
		conditions: iampolicy.Conditions{"ArnEquals": {"iam:PolicyARN": {
			"arn:" + partitionVar + ":iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
			"arn:" + partitionVar + ":iam::aws:policy/AmazonEKSClusterPolicy",
			"arn:" + partitionVar + ":iam::aws:policy/AmazonEKSWorkerNodePolicy",
			"arn:" + partitionVar + ":iam::aws:policy/AmazonEKS_CNI_Policy",
			"arn:" + partitionVar + ":iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
		}}},
		reason: "attach only the AWS managed policies the program attaches: the cluster role's (pulumi-eks), the node role's (eksspec.NodeRolePolicies), the VPC CNI's and the EBS CSI driver's IRSA roles"},
	{sid: "IAMPassRoleToServices", area: AreaIdentity, resources: []string{"arn:" + partitionVar + ":iam::*:role/" + projectVar + "-*"},
		conditions: iampolicy.Conditions{"StringEquals": {"iam:PassedToService": nil}},
		reason:     "pass roles named <project>-* only to the services that receive one; EKS passes the node role to EC2 itself (AWSServiceRoleForAmazonEKSNodegroup allows iam:PassRole to ec2 and autoscaling), so ec2.amazonaws.com is not needed"},
	{sid: "IAMServiceLinkedRoles", area: AreaIdentity, resources: []string{"arn:" + partitionVar + ":iam::*:role/aws-service-role/*"},
		conditions: iampolicy.Conditions{"StringEquals": {"iam:AWSServiceName": nil}},
		reason:     "the service-linked roles the services create on first use with the caller's credentials; autoscaling's is created by EKS's node-group role (AWSServiceRoleForAmazonEKSNodegroup allows it), so it is not needed"},
	{sid: "DenyChangingOwnRole", area: AreaIdentity, effect: iampolicy.Deny, resources: []string{"${aws:PrincipalArn}"},
		reason: "the deployer's own role matches role/<project>-* if named so: it must not widen its own permissions; assumption (unverified): aws:PrincipalArn works as a policy variable in Resource (if not, this Deny matches nothing)"},
	// --- keys ---
	{sid: "KMSCreateKey", area: AreaKeys, resources: []string{"*"},
		conditions: iampolicy.Conditions{"StringEquals": projectTag},
		reason:     `kms:CreateKey has no resource-level permission, so Resource "*", only for keys tagged Project=<project> at creation`},
	{sid: "KMSTagNewKeys", area: AreaKeys, resources: []string{"arn:" + partitionVar + ":kms:*:*:key/*"},
		conditions: iampolicy.Conditions{"StringEquals": projectTag, "Null": {"aws:ResourceTag/Project": {"true"}}},
		reason:     "CreateKey with tags also needs kms:TagResource on all keys (KMS developer guide); only to set Project=<project> on keys not yet tagged; assumption (unverified): the Null condition holds during CreateKey"},
	{sid: "KMSAdministerProjectKeys", area: AreaKeys, resources: []string{"arn:" + partitionVar + ":kms:*:*:key/*"},
		conditions: iampolicy.Conditions{"StringEquals": ownedTag},
		reason:     "administer keys tagged Project=<project> (their key policies delegate to IAM: the account root administers); assumption (unverified): the key-policy lockout check at CreateKey accepts this tag-scoped kms:PutKeyPolicy"},
	{sid: "KMSProjectKeysForServices", area: AreaKeys, resources: []string{"arn:" + partitionVar + ":kms:*:*:key/*"},
		conditions: iampolicy.Conditions{"StringEquals": ownedTag},
		reason:     "services that encrypt with the project's keys (EKS envelope encryption at CreateCluster, DynamoDB, EFS, Secrets Manager) create grants and describe the key with the caller's credentials"},
	{sid: "KMSAliases", area: AreaKeys, resources: []string{"arn:" + partitionVar + ":kms:*:*:alias/" + projectVar + "-*"},
		reason: "aliases alias/<project>-*; the key side of the alias calls is in KMSAdministerProjectKeys"},
	// --- data ---
	{sid: "DataRead", area: AreaData, resources: []string{"*"},
		reason: `Describe/List calls without resource-level permission (KMS aliases, log groups, EFS), so Resource "*" (read only)`},
	{sid: "LogGroups", area: AreaData, resources: []string{
		"arn:" + partitionVar + ":logs:*:*:log-group:/aws/codebuild/" + projectVar + "-*",
		"arn:" + partitionVar + ":logs:*:*:log-group:/aws/eks/" + projectVar + "-*",
		"arn:" + partitionVar + ":logs:*:*:log-group:/aws/vpc/" + projectVar + "-*",
	}, reason: "the flow-log, EKS control-plane and CodeBuild log groups, named after <project>-<stack>"},
	{sid: "S3Buckets", area: AreaData, resources: []string{"arn:" + partitionVar + ":s3:::" + projectVar + "-*"},
		reason: "buckets named <project>-*: the provider reads every bucket sub-resource on refresh"},
	{sid: "S3EmptyBucketsOnDestroy", area: AreaData, resources: []string{"arn:" + partitionVar + ":s3:::" + projectVar + "-*/*"},
		reason: "forceDestroy (dev) deletes every object version before deleting a bucket; assumption (unverified): the provider deletes by version only, so s3:DeleteObject is not needed"},
	{sid: "DynamoDBTables", area: AreaData, resources: []string{"arn:" + partitionVar + ":dynamodb:*:*:table/" + projectVar + "-*"},
		reason: "tables named <project>-*"},
	{sid: "EFSCreateTagged", area: AreaData, resources: []string{
		"arn:" + partitionVar + ":elasticfilesystem:*:*:access-point/*",
		"arn:" + partitionVar + ":elasticfilesystem:*:*:file-system/*",
	}, conditions: iampolicy.Conditions{"StringEquals": projectTag},
		reason: "create file systems and access points only when tagged Project=<project>"},
	{sid: "EFSTagOnCreate", area: AreaData, resources: []string{
		"arn:" + partitionVar + ":elasticfilesystem:*:*:access-point/*",
		"arn:" + partitionVar + ":elasticfilesystem:*:*:file-system/*",
	}, conditions: iampolicy.Conditions{"StringEquals": {"aws:RequestTag/Project": {projectVar}, "elasticfilesystem:CreateAction": nil}},
		reason: "tags at creation need elasticfilesystem:TagResource; only as part of the create actions used; assumption (unverified): the elasticfilesystem:CreateAction key is set as ec2:CreateAction is"},
	{sid: "EFSOwned", area: AreaData, resources: []string{
		"arn:" + partitionVar + ":elasticfilesystem:*:*:access-point/*",
		"arn:" + partitionVar + ":elasticfilesystem:*:*:file-system/*",
	}, conditions: iampolicy.Conditions{"StringEquals": ownedTag},
		reason: "change and delete file systems and access points tagged Project=<project>"},
	{sid: "SecretsManagerSecrets", area: AreaData, resources: []string{"arn:" + partitionVar + ":secretsmanager:*:*:secret:" + projectVar + "/*"},
		reason: "secrets named <project>/*; never their value (Pulumi does not set it), so no GetSecretValue or PutSecretValue"},
	{sid: "AccountGuardrails", area: AreaData, resources: []string{"*"},
		reason: `account-level singletons (EBS encryption by default and its key, S3 account public access block) have no resource ARN, so Resource "*"; Disable/Reset and Put are also how the provider deletes them`},
	// --- registry and detection ---
	{sid: "ECRRepositories", area: AreaDetection, resources: []string{"arn:" + partitionVar + ":ecr:*:*:repository/" + projectVar + "/*"},
		reason: "the services' repositories, named <project>/<stack>/<service>: create with scan on push, immutable tags and the data key, their lifecycle and repository policies; pushing and pulling images is not the deployer's (the repository policies deny it)"},
	{sid: "ECRRegistry", area: AreaDetection, resources: []string{"*"},
		reason: `the registry's scanning configuration (owner of the account baseline) has no resource ARN, so Resource "*"; enhanced scanning turns on Amazon Inspector for ECR (assumption, unverified: PutRegistryScanningConfiguration calls inspector2:Enable with the caller's credentials)`},
	{sid: "GuardDutyCreateTagged", area: AreaDetection, resources: []string{"*"},
		conditions: iampolicy.Conditions{"StringEquals": projectTag},
		reason:     "create the region's detector only tagged Project=<project> (a new detector has no ARN yet)"},
	{sid: "GuardDutyDetectors", area: AreaDetection, resources: []string{"arn:" + partitionVar + ":guardduty:*:*:detector/*"},
		reason: "read the detector and set its features; assumption (unverified): an adopted detector is untagged, so no tag condition"},
	{sid: "FindingsRules", area: AreaDetection, resources: []string{"arn:" + partitionVar + ":events:*:*:rule/" + projectVar + "-*"},
		reason: "the findings rule on the default bus, named <project>-*, and its target"},
	{sid: "FindingsTopics", area: AreaDetection, resources: []string{"arn:" + partitionVar + ":sns:*:*:" + projectVar + "-*"},
		reason: "the findings topic <project>-<stack>-security-findings, its policy and subscriptions"},
	// --- ci ---
	{sid: "CodeBuildProjects", area: AreaCI, resources: []string{"arn:" + partitionVar + ":codebuild:*:*:project/" + projectVar + "-*"},
		reason: "the in-VPC runner's CodeBuild projects, named <project>-<stack>-deploy and -preview"},
	{sid: "StartInVpcDeployBuild", area: AreaCI, resources: []string{
		"arn:" + partitionVar + ":codebuild:*:*:project/" + projectVar + "-*-deploy",
		"arn:" + partitionVar + ":logs:*:*:log-group:/aws/codebuild/" + projectVar + "-*",
		"arn:" + partitionVar + ":s3:::" + projectVar + "-*-runner-*/deploy/*",
	}, reason: "CI drives the in-VPC deploy job: uploads the source, starts the build, follows it and its log"},
	{sid: "HandTheRunnerItsPulumiToken", area: AreaCI, resources: []string{
		"arn:" + partitionVar + ":secretsmanager:*:*:secret:" + projectVar + "/*/pulumi-access-token-*",
		"arn:" + partitionVar + ":secretsmanager:*:*:secret:" + projectVar + "/*/pulumi-preview-token-*",
	}, reason: "the bootstrap puts CI's Pulumi tokens into the runner's secrets (their values are never in Pulumi state); no other secret's value"},
}

// kind says whether a token is a resource type or an invoke.
type kind int

const (
	resourceType kind = iota
	invoke
)

// grant is what one token adds to one statement: actions, and for statements whose
// resources or condition values come from the tokens, those.
type grant struct {
	sid       string
	actions   []string
	resources []string
	values    map[string][]string
}

// entry is one row of the token table.
type entry struct {
	// pulumiType is a type or invoke token; one ending in "*" matches every token with that prefix.
	pulumiType string
	kind       kind
	reason     string
	grants     []grant
	// includes are the tokens whose permissions this one needs too: the children a remote
	// component creates, which the program's recorded types do not show.
	includes []string
}

func g(sid string, actions ...string) grant { return grant{sid: sid, actions: actions} }

// ec2Create is what creating an EC2 resource of resourceType with action needs: the action
// on the new resource with the Project request tag, and ec2:CreateTags as part of that action.
// A create action that names existing resources (the VPC of a subnet, the subnet of a NAT
// gateway...) also needs the action on them, granted by the entry in EC2ModifyOwned.
func ec2Create(action, resourceType string) []grant {
	return []grant{
		{sid: "EC2CreateTagged", actions: []string{action}, resources: []string{ec2ARN(resourceType)}},
		{sid: "EC2TagOnCreate", actions: []string{"ec2:CreateTags"}, resources: []string{ec2ARN(resourceType)},
			values: map[string][]string{"ec2:CreateAction": {strings.TrimPrefix(action, "ec2:")}}},
	}
}

// efsCreate is ec2Create for EFS resources.
func efsCreate(action string) []grant {
	return []grant{
		g("EFSCreateTagged", action),
		{sid: "EFSTagOnCreate", actions: []string{"elasticfilesystem:TagResource"},
			values: map[string][]string{"elasticfilesystem:CreateAction": {strings.TrimPrefix(action, "elasticfilesystem:")}}},
	}
}

func passRoleTo(service string) grant {
	return grant{sid: "IAMPassRoleToServices", actions: []string{"iam:PassRole"},
		values: map[string][]string{"iam:PassedToService": {service}}}
}

func serviceLinkedRole(service string) grant {
	return grant{sid: "IAMServiceLinkedRoles", actions: []string{"iam:CreateServiceLinkedRole"},
		values: map[string][]string{"iam:AWSServiceName": {service}}}
}

func join(groups ...[]grant) []grant { return slices.Concat(groups...) }

var ec2Retag = g("EC2RetagOwned", "ec2:CreateTags", "ec2:DeleteTags")

// table maps every token the stacks may register or call to the permissions it needs.
var table = []entry{
	// --- network ---
	{pulumiType: "aws:ec2/vpc:Vpc", reason: "VPC: created tagged; DNS attributes modified; reads its default network ACL, route table and security group",
		grants: join(ec2Create("ec2:CreateVpc", "vpc"), []grant{ec2Retag,
			g("EC2ModifyOwned", "ec2:DeleteVpc", "ec2:ModifyVpcAttribute"),
			g("NetworkRead", "ec2:DescribeNetworkAcls", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcAttribute", "ec2:DescribeVpcs")})},
	{pulumiType: "aws:ec2/subnet:Subnet", reason: "subnets in the project's VPC; on delete the provider looks for lingering network interfaces",
		grants: join(ec2Create("ec2:CreateSubnet", "subnet"), []grant{ec2Retag,
			g("EC2ModifyOwned", "ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:ModifySubnetAttribute"),
			g("NetworkRead", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets")})},
	{pulumiType: "aws:ec2/internetGateway:InternetGateway", reason: "internet gateway attached to the project's VPC",
		grants: join(ec2Create("ec2:CreateInternetGateway", "internet-gateway"), []grant{ec2Retag,
			g("EC2ModifyOwned", "ec2:AttachInternetGateway", "ec2:DeleteInternetGateway", "ec2:DetachInternetGateway"),
			g("NetworkRead", "ec2:DescribeInternetGateways")})},
	{pulumiType: "aws:ec2/eip:Eip", reason: "elastic IPs of the NAT gateways; the provider disassociates before releasing",
		grants: join(ec2Create("ec2:AllocateAddress", "elastic-ip"), []grant{ec2Retag,
			g("EC2ModifyOwned", "ec2:DisassociateAddress", "ec2:ReleaseAddress"),
			g("NetworkRead", "ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute")})},
	{pulumiType: "aws:ec2/natGateway:NatGateway", reason: "NAT gateways in the project's public subnets with the project's elastic IPs",
		grants: join(ec2Create("ec2:CreateNatGateway", "natgateway"), []grant{ec2Retag,
			g("EC2ModifyOwned", "ec2:CreateNatGateway", "ec2:DeleteNatGateway"),
			g("NetworkRead", "ec2:DescribeNatGateways")})},
	{pulumiType: "aws:ec2/routeTable:RouteTable", reason: "route tables with inline routes to the NAT and internet gateways",
		grants: join(ec2Create("ec2:CreateRouteTable", "route-table"), []grant{ec2Retag,
			g("EC2ModifyOwned", "ec2:CreateRoute", "ec2:CreateRouteTable", "ec2:DeleteRoute", "ec2:DeleteRouteTable", "ec2:ReplaceRoute"),
			g("NetworkRead", "ec2:DescribeRouteTables")})},
	{pulumiType: "aws:ec2/routeTableAssociation:RouteTableAssociation", reason: "associations of the project's route tables and subnets (not taggable)",
		grants: []grant{
			g("EC2ModifyOwned", "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable", "ec2:ReplaceRouteTableAssociation"),
			g("NetworkRead", "ec2:DescribeRouteTables")}},
	{pulumiType: "aws:ec2/securityGroup:SecurityGroup", reason: "security groups with inline rules; the provider revokes the default egress rule after creating one and looks for lingering network interfaces on delete",
		grants: join(ec2Create("ec2:CreateSecurityGroup", "security-group"), []grant{ec2Retag,
			g("EC2ModifyOwned", "ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress", "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup",
				"ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
				"ec2:UpdateSecurityGroupRuleDescriptionsEgress", "ec2:UpdateSecurityGroupRuleDescriptionsIngress"),
			g("NetworkRead", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups")})},
	{pulumiType: "aws:ec2/securityGroupRule:SecurityGroupRule", reason: "legacy rules pulumi-eks puts on its security groups (untagged); assumption (unverified): an untagged rule is authorized on its security group only",
		grants: []grant{
			g("EC2ModifyOwned", "ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
				"ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress",
				"ec2:UpdateSecurityGroupRuleDescriptionsEgress", "ec2:UpdateSecurityGroupRuleDescriptionsIngress"),
			g("NetworkRead", "ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups")}},
	{pulumiType: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", reason: "tagged ingress rules: AuthorizeSecurityGroupIngress creates a security-group-rule resource with tags",
		grants: join(ec2Create("ec2:AuthorizeSecurityGroupIngress", "security-group-rule"), []grant{ec2Retag,
			g("EC2ModifyOwned", "ec2:AuthorizeSecurityGroupIngress", "ec2:ModifySecurityGroupRules", "ec2:RevokeSecurityGroupIngress"),
			g("NetworkRead", "ec2:DescribeSecurityGroupRules")})},
	{pulumiType: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", reason: "the VPC's default security group is adopted (tagged), then emptied",
		grants: []grant{ec2Retag,
			g("EC2AdoptDefaultSecurityGroup", "ec2:CreateTags"),
			g("EC2ModifyOwned", "ec2:AuthorizeSecurityGroupEgress", "ec2:AuthorizeSecurityGroupIngress",
				"ec2:RevokeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress"),
			g("NetworkRead", "ec2:DescribeSecurityGroups")}},
	{pulumiType: "aws:ec2/vpcEndpoint:VpcEndpoint", reason: "gateway (S3, DynamoDB) and interface endpoints to AWS services; the provider reads gateway prefix lists; private DNS needs no route53 permission (AmazonVPCFullAccess has none)",
		grants: join(ec2Create("ec2:CreateVpcEndpoint", "vpc-endpoint"), []grant{ec2Retag,
			g("EC2EndpointsToAWSServices", "ec2:CreateVpcEndpoint"),
			g("EC2ModifyOwned", "ec2:CreateVpcEndpoint", "ec2:DeleteVpcEndpoints", "ec2:ModifyVpcEndpoint"),
			g("NetworkRead", "ec2:DescribePrefixLists", "ec2:DescribeVpcEndpointServices", "ec2:DescribeVpcEndpoints")})},
	{pulumiType: "aws:ec2/flowLog:FlowLog", reason: "VPC flow logs to CloudWatch Logs through the flow-logs role, which is passed to vpc-flow-logs.amazonaws.com",
		grants: join(ec2Create("ec2:CreateFlowLogs", "vpc-flow-log"), []grant{ec2Retag,
			g("EC2ModifyOwned", "ec2:CreateFlowLogs", "ec2:DeleteFlowLogs"),
			passRoleTo("vpc-flow-logs.amazonaws.com"),
			g("NetworkRead", "ec2:DescribeFlowLogs")})},
	{pulumiType: "aws:ec2/launchTemplate:LaunchTemplate", reason: "node launch templates; updates create a version and set it as default",
		grants: join(ec2Create("ec2:CreateLaunchTemplate", "launch-template"), []grant{ec2Retag,
			g("EC2ModifyOwned", "ec2:CreateLaunchTemplateVersion", "ec2:DeleteLaunchTemplate", "ec2:ModifyLaunchTemplate"),
			g("NetworkRead", "ec2:DescribeLaunchTemplateVersions", "ec2:DescribeLaunchTemplates")})},
	{pulumiType: "aws:index/getAvailabilityZones:getAvailabilityZones", kind: invoke, reason: "lists the region's zones",
		grants: []grant{g("NetworkRead", "ec2:DescribeAvailabilityZones")}},
	{pulumiType: "aws:ebs/encryptionByDefault:EncryptionByDefault", reason: "account-level EBS encryption by default",
		grants: []grant{g("AccountGuardrails", "ec2:DisableEbsEncryptionByDefault", "ec2:EnableEbsEncryptionByDefault", "ec2:GetEbsEncryptionByDefault")}},
	{pulumiType: "aws:ebs/defaultKmsKey:DefaultKmsKey", reason: "account-level default EBS key (the data key); assumption (unverified): EC2 does not check the caller's KMS permissions when it is set",
		grants: []grant{g("AccountGuardrails", "ec2:GetEbsDefaultKmsKeyId", "ec2:ModifyEbsDefaultKmsKeyId", "ec2:ResetEbsDefaultKmsKeyId")}},

	// --- cluster ---
	{pulumiType: "eks:index:Cluster", reason: "pulumi-eks v3 component: with skipDefaultNodeGroup and authenticationMode API it creates the EKS cluster, its service role with AmazonEKSClusterPolicy, the cluster and node security groups with their rules, the IAM OIDC provider and the kube-proxy add-on (version from getAddonVersion); EKS adds the creator's access entry itself",
		includes: []string{
			"aws:ec2/securityGroup:SecurityGroup",
			"aws:ec2/securityGroupRule:SecurityGroupRule",
			"aws:eks/addon:Addon",
			"aws:eks/cluster:Cluster",
			"aws:eks/getAddonVersion:getAddonVersion",
			"aws:iam/openIdConnectProvider:OpenIdConnectProvider",
			"aws:iam/role:Role",
			"aws:iam/rolePolicyAttachment:RolePolicyAttachment",
			"aws:index/getPartition:getPartition",
			"aws:index/getRegion:getRegion",
			"pulumi:providers:kubernetes",
		}},
	{pulumiType: "aws:eks/cluster:Cluster", reason: "the EKS cluster (inside eks:index:Cluster): created with the service role passed to EKS, envelope encryption with the cluster key (kms:CreateGrant, kms:DescribeKey), EKS's service-linked role on first use; DescribeCluster also serves the kubeconfig",
		grants: []grant{
			g("EKSClusters", "eks:AssociateEncryptionConfig", "eks:CreateCluster", "eks:DeleteCluster", "eks:DescribeCluster", "eks:DescribeUpdate",
				"eks:ListTagsForResource", "eks:TagResource", "eks:UntagResource", "eks:UpdateClusterConfig", "eks:UpdateClusterVersion"),
			passRoleTo("eks.amazonaws.com"),
			serviceLinkedRole("eks.amazonaws.com"),
			g("KMSProjectKeysForServices", "kms:CreateGrant", "kms:DescribeKey")}},
	{pulumiType: "aws:iam/openIdConnectProvider:OpenIdConnectProvider", reason: "the cluster's OIDC provider (inside eks:index:Cluster) and the account's GitHub Actions provider (the baseline's owner)",
		grants: []grant{
			g("IAMOIDCProvider", "iam:AddClientIDToOpenIDConnectProvider", "iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider",
				"iam:GetOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:TagOpenIDConnectProvider",
				"iam:UntagOpenIDConnectProvider", "iam:UpdateOpenIDConnectProviderThumbprint"),
			g("IAMGitHubOIDCProvider", "iam:AddClientIDToOpenIDConnectProvider", "iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider",
				"iam:GetOpenIDConnectProvider", "iam:RemoveClientIDFromOpenIDConnectProvider", "iam:TagOpenIDConnectProvider",
				"iam:UntagOpenIDConnectProvider")}},
	{pulumiType: "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider", kind: invoke, reason: "checks that an adopted GitHub provider exists and lists the STS audience",
		grants: []grant{g("IAMGitHubOIDCProvider", "iam:GetOpenIDConnectProvider")}},
	{pulumiType: "aws:eks/nodeGroup:NodeGroup", reason: "managed node groups: the node role is passed to EKS (assumption, unverified: iam:PassedToService is eks.amazonaws.com for CreateNodegroup); EKS's node-group service-linked role on first use; the launch template is read by that role, not the caller",
		grants: []grant{
			g("EKSClusters", "eks:CreateNodegroup", "eks:DeleteNodegroup", "eks:DescribeNodegroup", "eks:DescribeUpdate",
				"eks:TagResource", "eks:UntagResource", "eks:UpdateNodegroupConfig", "eks:UpdateNodegroupVersion"),
			passRoleTo("eks.amazonaws.com"),
			serviceLinkedRole("eks-nodegroup.amazonaws.com")}},
	{pulumiType: "aws:eks/addon:Addon", reason: "managed add-ons (vpc-cni, aws-ebs-csi-driver, pulumi-eks's kube-proxy); assumption (unverified): an IRSA serviceAccountRoleArn needs no iam:PassRole",
		grants: []grant{g("EKSClusters", "eks:CreateAddon", "eks:DeleteAddon", "eks:DescribeAddon", "eks:DescribeUpdate",
			"eks:TagResource", "eks:UntagResource", "eks:UpdateAddon")}},
	{pulumiType: "aws:eks/accessEntry:AccessEntry", reason: "access entries of the personas",
		grants: []grant{g("EKSClusters", "eks:CreateAccessEntry", "eks:DeleteAccessEntry", "eks:DescribeAccessEntry",
			"eks:TagResource", "eks:UntagResource", "eks:UpdateAccessEntry")}},
	{pulumiType: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation", reason: "access policies of the personas' entries",
		grants: []grant{g("EKSClusters", "eks:AssociateAccessPolicy", "eks:DisassociateAccessPolicy", "eks:ListAssociatedAccessPolicies")}},
	{pulumiType: "aws:eks/getAddonVersion:getAddonVersion", kind: invoke, reason: "looks up an add-on's version (pulumi-eks, for kube-proxy)",
		grants: []grant{g("ClusterRead", "eks:DescribeAddonVersions")}},

	// --- identity ---
	{pulumiType: "aws:iam/role:Role", reason: "roles named <project>-*: on read the provider lists inline and attached policies, on delete instance profiles",
		grants: []grant{
			g("IAMRoles", "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies",
				"iam:ListInstanceProfilesForRole", "iam:ListRolePolicies", "iam:TagRole", "iam:UntagRole",
				"iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription"),
			g("DenyChangingOwnRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription")}},
	{pulumiType: "aws:iam/rolePolicy:RolePolicy", reason: "inline policies of roles named <project>-*",
		grants: []grant{
			g("IAMRoles", "iam:DeleteRolePolicy", "iam:GetRolePolicy", "iam:PutRolePolicy"),
			g("DenyChangingOwnRole", "iam:DeleteRolePolicy", "iam:PutRolePolicy")}},
	{pulumiType: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", reason: "AWS managed policies attached to roles named <project>-* (only the listed ones)",
		grants: []grant{
			g("IAMAttachManagedPolicies", "iam:AttachRolePolicy", "iam:DetachRolePolicy"),
			g("IAMRoles", "iam:ListAttachedRolePolicies"),
			g("DenyChangingOwnRole", "iam:AttachRolePolicy", "iam:DetachRolePolicy")}},

	// --- keys ---
	{pulumiType: "aws:kms/key:Key", reason: "customer managed keys tagged Project=<project> at creation, administered through their tag",
		grants: []grant{
			g("KMSCreateKey", "kms:CreateKey"),
			g("KMSTagNewKeys", "kms:TagResource"),
			g("KMSAdministerProjectKeys", "kms:DescribeKey", "kms:DisableKey", "kms:DisableKeyRotation", "kms:EnableKey", "kms:EnableKeyRotation",
				"kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion",
				"kms:TagResource", "kms:UntagResource", "kms:UpdateKeyDescription")}},
	{pulumiType: "aws:kms/alias:Alias", reason: "aliases alias/<project>-* of the project's keys: alias calls are authorized on both the alias and the key",
		grants: []grant{
			g("KMSAliases", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"),
			g("KMSAdministerProjectKeys", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"),
			g("DataRead", "kms:ListAliases")}},

	// --- data ---
	{pulumiType: "aws:cloudwatch/logGroup:LogGroup", reason: "log groups encrypted with the logs key (the key policy admits CloudWatch Logs; the caller needs no KMS permission)",
		grants: []grant{
			g("LogGroups", "logs:AssociateKmsKey", "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteRetentionPolicy", "logs:DisassociateKmsKey",
				"logs:ListTagsForResource", "logs:PutRetentionPolicy", "logs:TagResource", "logs:UntagResource"),
			g("DataRead", "logs:DescribeLogGroups")}},
	{pulumiType: "aws:s3/bucketV2:BucketV2", reason: "buckets named <project>-*: refresh reads ACL, CORS, website, versioning, acceleration, request payment, logging, lifecycle, replication, encryption, object lock and tags; forceDestroy empties them",
		grants: []grant{
			g("S3Buckets", "s3:CreateBucket", "s3:DeleteBucket", "s3:GetAccelerateConfiguration", "s3:GetBucketAcl", "s3:GetBucketCORS",
				"s3:GetBucketLogging", "s3:GetBucketObjectLockConfiguration", "s3:GetBucketPolicy", "s3:GetBucketRequestPayment",
				"s3:GetBucketTagging", "s3:GetBucketVersioning", "s3:GetBucketWebsite", "s3:GetEncryptionConfiguration",
				"s3:GetLifecycleConfiguration", "s3:GetReplicationConfiguration", "s3:ListBucket", "s3:ListBucketVersions", "s3:PutBucketTagging"),
			g("S3EmptyBucketsOnDestroy", "s3:DeleteObjectVersion")}},
	{pulumiType: "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", reason: "lifecycle rules (delete is s3:PutLifecycleConfiguration)",
		grants: []grant{g("S3Buckets", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration")}},
	{pulumiType: "aws:s3/bucketLoggingV2:BucketLoggingV2", reason: "server access logging to the project's log bucket",
		grants: []grant{g("S3Buckets", "s3:GetBucketLogging", "s3:PutBucketLogging")}},
	{pulumiType: "aws:s3/bucketOwnershipControls:BucketOwnershipControls", reason: "BucketOwnerEnforced (delete is s3:PutBucketOwnershipControls)",
		grants: []grant{g("S3Buckets", "s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls")}},
	{pulumiType: "aws:s3/bucketPolicy:BucketPolicy", reason: "TLS-only and deny-delete bucket policies",
		grants: []grant{g("S3Buckets", "s3:DeleteBucketPolicy", "s3:GetBucketPolicy", "s3:PutBucketPolicy")}},
	{pulumiType: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", reason: "the four public-access-block settings (delete is s3:PutBucketPublicAccessBlock)",
		grants: []grant{g("S3Buckets", "s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock")}},
	{pulumiType: "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", reason: "default encryption, SSE-S3 or SSE-KMS with the data key (setting it needs no KMS permission)",
		grants: []grant{g("S3Buckets", "s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration")}},
	{pulumiType: "aws:s3/bucketVersioningV2:BucketVersioningV2", reason: "versioning",
		grants: []grant{g("S3Buckets", "s3:GetBucketVersioning", "s3:PutBucketVersioning")}},
	{pulumiType: "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock", reason: "account-level S3 public access block (delete is s3:PutAccountPublicAccessBlock)",
		grants: []grant{g("AccountGuardrails", "s3:GetAccountPublicAccessBlock", "s3:PutAccountPublicAccessBlock")}},
	{pulumiType: "aws:dynamodb/table:Table", reason: "tables named <project>-* with point-in-time recovery and the data key (DynamoDB creates a grant with the caller's credentials)",
		grants: []grant{
			g("DynamoDBTables", "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeContinuousBackups", "dynamodb:DescribeTable",
				"dynamodb:DescribeTimeToLive", "dynamodb:ListTagsOfResource", "dynamodb:TagResource", "dynamodb:UntagResource",
				"dynamodb:UpdateContinuousBackups", "dynamodb:UpdateTable", "dynamodb:UpdateTimeToLive"),
			g("KMSProjectKeysForServices", "kms:CreateGrant", "kms:DescribeKey")}},
	{pulumiType: "aws:efs/fileSystem:FileSystem", reason: "file systems encrypted with the data key (EFS creates a grant with the caller's credentials); EFS's service-linked role on first use",
		grants: join(efsCreate("elasticfilesystem:CreateFileSystem"), []grant{
			g("EFSOwned", "elasticfilesystem:DeleteFileSystem", "elasticfilesystem:PutLifecycleConfiguration", "elasticfilesystem:TagResource",
				"elasticfilesystem:UntagResource", "elasticfilesystem:UpdateFileSystem", "elasticfilesystem:UpdateFileSystemProtection"),
			g("DataRead", "elasticfilesystem:DescribeFileSystems", "elasticfilesystem:DescribeLifecycleConfiguration"),
			serviceLinkedRole("elasticfilesystem.amazonaws.com"),
			g("KMSProjectKeysForServices", "kms:CreateGrant", "kms:DescribeKey")})},
	{pulumiType: "aws:efs/mountTarget:MountTarget", reason: "mount targets in the project's private subnets: EFS creates, modifies and deletes their network interfaces with the caller's credentials (EFS API reference)",
		grants: []grant{
			g("EFSOwned", "elasticfilesystem:CreateMountTarget", "elasticfilesystem:DeleteMountTarget", "elasticfilesystem:ModifyMountTargetSecurityGroups"),
			g("EC2ModifyOwned", "ec2:CreateNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute"),
			g("EC2NetworkInterfacesViaEFS", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:ModifyNetworkInterfaceAttribute"),
			g("DataRead", "elasticfilesystem:DescribeMountTargetSecurityGroups", "elasticfilesystem:DescribeMountTargets"),
			g("NetworkRead", "ec2:DescribeNetworkInterfaceAttribute", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets")}},
	{pulumiType: "aws:efs/accessPoint:AccessPoint", reason: "access points of the project's file systems, tagged at creation",
		grants: join(efsCreate("elasticfilesystem:CreateAccessPoint"), []grant{
			g("EFSOwned", "elasticfilesystem:CreateAccessPoint", "elasticfilesystem:DeleteAccessPoint", "elasticfilesystem:TagResource", "elasticfilesystem:UntagResource"),
			g("DataRead", "elasticfilesystem:DescribeAccessPoints")})},
	{pulumiType: "aws:efs/fileSystemPolicy:FileSystemPolicy", reason: "TLS-only file-system policies",
		grants: []grant{
			g("EFSOwned", "elasticfilesystem:DeleteFileSystemPolicy", "elasticfilesystem:PutFileSystemPolicy"),
			g("DataRead", "elasticfilesystem:DescribeFileSystemPolicy")}},
	{pulumiType: "aws:efs/backupPolicy:BackupPolicy", reason: "automatic backups: EFS's service-linked role drives AWS Backup, so no backup:* permission (AmazonElasticFileSystemFullAccess has none)",
		grants: []grant{
			g("EFSOwned", "elasticfilesystem:PutBackupPolicy"),
			g("DataRead", "elasticfilesystem:DescribeBackupPolicy")}},
	{pulumiType: "aws:secretsmanager/secret:Secret", reason: "secrets named <project>/* encrypted with the data key; no value is stored, so no kms:GenerateDataKey (assumption, unverified: CreateSecret without a value and UpdateSecret of a key without versions call no other KMS operation)",
		grants: []grant{
			g("SecretsManagerSecrets", "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret",
				"secretsmanager:GetResourcePolicy", "secretsmanager:TagResource", "secretsmanager:UntagResource", "secretsmanager:UpdateSecret"),
			g("KMSProjectKeysForServices", "kms:DescribeKey")}},
	{pulumiType: "aws:secretsmanager/secretPolicy:SecretPolicy", reason: "resource policies of the project's secrets",
		grants: []grant{g("SecretsManagerSecrets", "secretsmanager:DeleteResourcePolicy", "secretsmanager:GetResourcePolicy", "secretsmanager:PutResourcePolicy")}},

	// --- ci ---
	{pulumiType: "aws:codebuild/project:Project", reason: "the in-VPC runner's projects run as a role passed to CodeBuild; CI starts the deploy project's builds",
		grants: []grant{
			g("CodeBuildProjects", "codebuild:BatchGetProjects", "codebuild:CreateProject", "codebuild:DeleteProject", "codebuild:UpdateProject"),
			passRoleTo("codebuild.amazonaws.com"),
			g("StartInVpcDeployBuild", "codebuild:BatchGetBuilds", "codebuild:StartBuild", "logs:GetLogEvents", "s3:PutObject"),
			g("HandTheRunnerItsPulumiToken", "secretsmanager:PutSecretValue")}},
	{pulumiType: "aws:codebuild/webhook:Webhook", reason: "the GitHub Actions runner's webhook, which CodeBuild creates in the repository through the project's connection; assumption (unverified): the caller needs no codeconnections permission, CodeBuild uses the connection with the project's role",
		grants: []grant{g("CodeBuildProjects", "codebuild:BatchGetProjects", "codebuild:CreateWebhook", "codebuild:DeleteWebhook", "codebuild:UpdateWebhook")}},

	// --- no AWS permission ---
	// --- the edge ---
	{pulumiType: "aws:acm/certificate:Certificate", reason: "the edge certificate, requested with DNS validation and tagged",
		grants: []grant{
			g("ACMRequestTagged", "acm:AddTagsToCertificate", "acm:RequestCertificate"),
			g("ACMOwned", "acm:AddTagsToCertificate", "acm:DeleteCertificate", "acm:DescribeCertificate", "acm:ListTagsForCertificate",
				"acm:RemoveTagsFromCertificate")}},
	{pulumiType: "aws:acm/certificateValidation:CertificateValidation", reason: "waits until ACM has validated the certificate (no AWS resource of its own)",
		grants: []grant{g("ACMOwned", "acm:DescribeCertificate")}},
	{pulumiType: "aws:route53/record:Record", reason: "the certificate's DNS validation record",
		grants: []grant{
			g("Route53ValidationRecords", "route53:ChangeResourceRecordSets"),
			g("Route53Read", "route53:GetChange", "route53:GetHostedZone", "route53:ListResourceRecordSets")}},
	{pulumiType: "aws:wafv2/webAcl:WebAcl", reason: "the optional web ACL of the load balancer",
		grants: []grant{g("WAFWebACLs", "wafv2:CreateWebACL", "wafv2:DeleteWebACL", "wafv2:GetWebACL", "wafv2:ListTagsForResource",
			"wafv2:TagResource", "wafv2:UntagResource", "wafv2:UpdateWebACL")}},
	{pulumiType: "aws:ecr/repository:Repository", reason: "the services' repositories, encrypted with the data key (ECR creates a grant with the caller's credentials, and retires it on delete); forceDelete (dev) deletes a repository that holds images",
		grants: []grant{
			g("ECRRepositories", "ecr:CreateRepository", "ecr:DeleteRepository", "ecr:DescribeRepositories", "ecr:ListTagsForResource",
				"ecr:PutImageScanningConfiguration", "ecr:PutImageTagMutability", "ecr:TagResource", "ecr:UntagResource"),
			g("KMSProjectKeysForServices", "kms:CreateGrant", "kms:DescribeKey", "kms:RetireGrant")}},
	{pulumiType: "aws:ecr/lifecyclePolicy:LifecyclePolicy", reason: "the repositories' lifecycle policies",
		grants: []grant{g("ECRRepositories", "ecr:DeleteLifecyclePolicy", "ecr:GetLifecyclePolicy", "ecr:PutLifecyclePolicy")}},
	{pulumiType: "aws:ecr/repositoryPolicy:RepositoryPolicy", reason: "the repositories' policies",
		grants: []grant{g("ECRRepositories", "ecr:DeleteRepositoryPolicy", "ecr:GetRepositoryPolicy", "ecr:SetRepositoryPolicy")}},
	{pulumiType: "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration", reason: "enhanced scanning of the account's registry (the baseline's owner); Amazon Inspector's service-linked role on first use",
		grants: []grant{
			g("ECRRegistry", "ecr:GetRegistryScanningConfiguration", "ecr:PutRegistryScanningConfiguration", "inspector2:Enable", "inspector2:ListAccountPermissions"),
			serviceLinkedRole("inspector2.amazonaws.com")}},
	{pulumiType: "aws:guardduty/detector:Detector", reason: "the region's detector (the baseline's owner); GuardDuty's service-linked roles on first use (detection, and EBS malware protection)",
		grants: []grant{
			g("GuardDutyCreateTagged", "guardduty:CreateDetector", "guardduty:TagResource"),
			g("GuardDutyDetectors", "guardduty:DeleteDetector", "guardduty:GetDetector", "guardduty:ListTagsForResource", "guardduty:TagResource",
				"guardduty:UntagResource", "guardduty:UpdateDetector"),
			serviceLinkedRole("guardduty.amazonaws.com"), serviceLinkedRole("malware-protection.guardduty.amazonaws.com")}},
	{pulumiType: "aws:guardduty/detectorFeature:DetectorFeature", reason: "the detector's features, set with UpdateDetector (created or adopted)",
		grants: []grant{g("GuardDutyDetectors", "guardduty:GetDetector", "guardduty:UpdateDetector")}},
	{pulumiType: "aws:guardduty/getDetector:getDetector", kind: invoke, reason: "checks that an adopted detector exists and is enabled",
		grants: []grant{g("GuardDutyDetectors", "guardduty:GetDetector")}},
	{pulumiType: "aws:cloudwatch/eventRule:EventRule", reason: "the findings rule",
		grants: []grant{g("FindingsRules", "events:DeleteRule", "events:DescribeRule", "events:ListTagsForResource", "events:PutRule",
			"events:TagResource", "events:UntagResource")}},
	{pulumiType: "aws:cloudwatch/eventTarget:EventTarget", reason: "the findings rule's target, the topic (SNS targets need no role: the topic's policy admits the rule)",
		grants: []grant{g("FindingsRules", "events:ListTargetsByRule", "events:PutTargets", "events:RemoveTargets")}},
	{pulumiType: "aws:sns/topic:Topic", reason: "the findings topic, encrypted with the alerts key",
		grants: []grant{
			g("FindingsTopics", "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:ListTagsForResource",
				"sns:SetTopicAttributes", "sns:TagResource", "sns:UntagResource"),
			g("KMSProjectKeysForServices", "kms:DescribeKey")}},
	{pulumiType: "aws:sns/topicPolicy:TopicPolicy", reason: "the findings topic's policy",
		grants: []grant{g("FindingsTopics", "sns:GetTopicAttributes", "sns:SetTopicAttributes")}},
	{pulumiType: "aws:sns/topicSubscription:TopicSubscription", reason: "the findings topic's subscriptions (platform:account.findings.subscriptions)",
		grants: []grant{g("FindingsTopics", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:Subscribe", "sns:Unsubscribe")}},
	{pulumiType: "aws:elb/getServiceAccount:getServiceAccount", kind: invoke, reason: "answered by the provider from its table of regional Elastic Load Balancing accounts, without an AWS call"},
	{pulumiType: "aws:index/getCallerIdentity:getCallerIdentity", kind: invoke, reason: "sts:GetCallerIdentity needs no permission"},
	{pulumiType: "aws:index/getPartition:getPartition", kind: invoke, reason: "answered by the provider without an AWS call"},
	{pulumiType: "aws:index/getRegion:getRegion", kind: invoke, reason: "answered by the provider without an AWS call (pulumi-eks calls it)"},
	{pulumiType: "kubernetes:*", reason: "in-cluster resources: authorized by Kubernetes RBAC (the deployer is the cluster creator's admin access entry), not IAM"},
	{pulumiType: "platform:*", reason: "this program's component resources: their children carry the permissions"},
	{pulumiType: "pulumi:providers:*", reason: "provider resources: configuring them calls nothing AWS authorizes (sts:GetCallerIdentity needs no permission)"},
	{pulumiType: "pulumi:pulumi:Stack", reason: "the stack itself"},
	{pulumiType: "pulumi:pulumi:StackReference", reason: "reads another stack's outputs from the Pulumi backend, not AWS"},
}

// Known returns the type and invoke tokens the table covers, sorted. A token ending in "*"
// stands for every token with that prefix.
func Known() []string {
	out := make([]string, 0, len(table))
	for _, e := range table {
		out = append(out, e.pulumiType)
	}
	slices.Sort(out)
	return out
}

var projectPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// Partitions are the AWS partitions [Policy] accepts.
var Partitions = []string{"aws", "aws-cn", "aws-us-gov"}

// Policy returns the deployer's permission policy for in: one managed policy per area that
// has statements, in the order of [Areas], each at most [MaxPolicySize]. The error lists every
// problem at once: an unknown partition, a project name that is not a lowercase DNS-style
// label, and every type or invoke token the table has no permissions for.
func Policy(in Input) ([]ManagedPolicy, error) {
	var problems []string
	if !slices.Contains(Partitions, in.Partition) {
		problems = append(problems, fmt.Sprintf("partition %q is not one of %s", in.Partition, strings.Join(Partitions, ", ")))
	}
	if !projectPattern.MatchString(in.Project) {
		problems = append(problems, fmt.Sprintf("project %q is not 1 to 63 lowercase letters, digits and '-', starting with a letter or digit", in.Project))
	}
	entries, unknown := resolve(in)
	if len(unknown) > 0 {
		problems = append(problems, fmt.Sprintf("no permissions known for %d token(s): %s (add them to the table in deployrole.go)",
			len(unknown), strings.Join(unknown, ", ")))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("deployrole: %s", strings.Join(problems, "; "))
	}
	stmts, err := build(entries, strings.NewReplacer(partitionVar, in.Partition, projectVar, in.Project))
	if err != nil {
		return nil, err
	}
	var out []ManagedPolicy
	for _, area := range Areas {
		var docStmts []iampolicy.Statement
		for _, s := range stmts {
			if shapeOf(s.Sid).area == area {
				docStmts = append(docStmts, s)
			}
		}
		if len(docStmts) == 0 {
			continue
		}
		doc := iampolicy.New(docStmts...)
		size, err := Size(doc)
		if err != nil {
			return nil, err
		}
		if size > MaxPolicySize {
			return nil, fmt.Errorf("deployrole: the %s policy is %d characters, more than the %d of a managed policy: split the area", area, size, MaxPolicySize)
		}
		out = append(out, ManagedPolicy{Area: area, Document: doc})
	}
	return out, nil
}

// Size is what IAM counts against [MaxPolicySize]: the characters of the policy's JSON that
// are not whitespace.
func Size(d iampolicy.Document) (int, error) {
	text, err := d.JSON()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range text {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n, nil
}

// lookup finds the table entry for token: an exact entry, or else the pattern entry with the
// longest matching prefix.
func lookup(token string) (entry, bool) {
	var best entry
	found := false
	for _, e := range table {
		if e.pulumiType == token {
			return e, true
		}
		if prefix, ok := strings.CutSuffix(e.pulumiType, "*"); ok && strings.HasPrefix(token, prefix) &&
			(!found || len(e.pulumiType) > len(best.pulumiType)) {
			best, found = e, true
		}
	}
	return best, found
}

// resolve finds the entries of in's tokens and of everything they include, each once, in
// token order, and the tokens it does not know (sorted, each once). A type token given as an
// invoke, or the reverse, is unknown.
func resolve(in Input) ([]entry, []string) {
	seen := map[string]bool{}
	unknownSet := map[string]bool{}
	var entries []entry
	var visit func(token string, want kind, checkKind bool)
	visit = func(token string, want kind, checkKind bool) {
		e, ok := lookup(token)
		if !ok || (checkKind && e.kind != want) {
			unknownSet[token] = true
			return
		}
		if seen[e.pulumiType] {
			return
		}
		seen[e.pulumiType] = true
		entries = append(entries, e)
		for _, inc := range e.includes {
			visit(inc, 0, false)
		}
	}
	for _, t := range in.Types {
		visit(t, resourceType, true)
	}
	for _, t := range in.Invokes {
		visit(t, invoke, true)
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.pulumiType, b.pulumiType) })
	return entries, slices.Sorted(maps.Keys(unknownSet))
}

// shapeOf returns the statement shape of sid (the zero statement if there is none).
func shapeOf(sid string) statement {
	for _, s := range statements {
		if s.sid == sid {
			return s
		}
	}
	return statement{}
}

// build merges the entries' grants per Sid into statements sorted by Sid, with sorted
// actions, resources and condition values, and the placeholders replaced.
func build(entries []entry, vars *strings.Replacer) ([]iampolicy.Statement, error) {
	type acc struct {
		actions, resources map[string]bool
		values             map[string]map[string]bool
	}
	merged := map[string]*acc{}
	for _, e := range entries {
		for _, gr := range e.grants {
			a := merged[gr.sid]
			if a == nil {
				a = &acc{actions: map[string]bool{}, resources: map[string]bool{}, values: map[string]map[string]bool{}}
				merged[gr.sid] = a
			}
			for _, x := range gr.actions {
				a.actions[x] = true
			}
			for _, r := range gr.resources {
				a.resources[vars.Replace(r)] = true
			}
			for k, vs := range gr.values {
				if a.values[k] == nil {
					a.values[k] = map[string]bool{}
				}
				for _, v := range vs {
					a.values[k][vars.Replace(v)] = true
				}
			}
		}
	}
	var out []iampolicy.Statement
	var errs []error
	for _, sid := range slices.Sorted(maps.Keys(merged)) {
		a := merged[sid]
		shape := shapeOf(sid)
		if shape.sid == "" {
			errs = append(errs, fmt.Errorf("deployrole: table: no statement %q", sid))
			continue
		}
		s := iampolicy.Statement{Sid: sid, Effect: shape.effect, Actions: slices.Sorted(maps.Keys(a.actions))}
		if s.Effect == "" {
			s.Effect = iampolicy.Allow
		}
		if shape.resources != nil {
			if len(a.resources) > 0 {
				errs = append(errs, fmt.Errorf("deployrole: table: statement %q has fixed resources, a grant adds %v", sid, slices.Sorted(maps.Keys(a.resources))))
			}
			for _, r := range shape.resources {
				s.Resources = append(s.Resources, vars.Replace(r))
			}
			slices.Sort(s.Resources)
		} else {
			s.Resources = slices.Sorted(maps.Keys(a.resources))
		}
		if len(s.Resources) == 0 {
			errs = append(errs, fmt.Errorf("deployrole: table: statement %q has no resources", sid))
		}
		used := map[string]bool{}
		if shape.conditions != nil {
			s.Conditions = iampolicy.Conditions{}
			for op, keys := range shape.conditions {
				s.Conditions[op] = map[string]iampolicy.StringList{}
				for key, vals := range keys {
					var list iampolicy.StringList
					if vals == nil {
						used[key] = true
						list = slices.Sorted(maps.Keys(a.values[key]))
					} else {
						for _, v := range vals {
							list = append(list, vars.Replace(v))
						}
						slices.Sort(list)
					}
					if len(list) == 0 {
						errs = append(errs, fmt.Errorf("deployrole: table: statement %q condition %s %s has no values", sid, op, key))
					}
					s.Conditions[op][key] = list
				}
			}
		}
		for key := range a.values {
			if !used[key] {
				errs = append(errs, fmt.Errorf("deployrole: table: statement %q has no open condition key %q", sid, key))
			}
		}
		out = append(out, s)
	}
	return out, errors.Join(errs...)
}
