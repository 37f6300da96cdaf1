package tests

import (
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/requirements"
)

const (
	tSubnet    = "aws:ec2/subnet:Subnet"
	tRT        = "aws:ec2/routeTable:RouteTable"
	tDefaultSG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	tSG        = "aws:ec2/securityGroup:SecurityGroup"
	tFlowLog   = "aws:ec2/flowLog:FlowLog"
	tLogGroup  = "aws:cloudwatch/logGroup:LogGroup"
	tEndpoint  = "aws:ec2/vpcEndpoint:VpcEndpoint"
	tKey       = "aws:kms/key:Key"
	tAlias     = "aws:kms/alias:Alias"
	tRole      = "aws:iam/role:Role"
	tRolePol   = "aws:iam/rolePolicy:RolePolicy"
	tEKS       = "eks:index:Cluster"
	tNodeGroup = "aws:eks/nodeGroup:NodeGroup"
	tLT        = "aws:ec2/launchTemplate:LaunchTemplate"
	tAddon     = "aws:eks/addon:Addon"
	tAttach    = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	tEntry     = "aws:eks/accessEntry:AccessEntry"
	tAssoc     = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
	tSC        = "kubernetes:storage.k8s.io/v1:StorageClass"
)

// Principals mapped in the broken-input base graph, one per persona.
const (
	adminArn     = "arn:aws:iam::123456789012:role/platform-admins"
	gitopsArn    = "arn:aws:iam::123456789012:role/argocd"
	developerArn = "arn:aws:iam::123456789012:role/developers"
)

// brokenBase is prod as committed plus one principal per persona, so every control has subjects.
func brokenBase(t *testing.T) *graph.Graph {
	return recordWith(t, "prod", func(c map[string]string) {
		c["platform:access"] = `{"admins":["` + adminArn + `"],"gitops":["` + gitopsArn + `"],"developers":["` + developerArn + `"]}`
	})
}

// ofTypeNamed finds the one resource of a type whose name contains part.
func ofTypeNamed(t *testing.T, g *graph.Graph, typ, part string) *graph.Resource {
	t.Helper()
	var found []*graph.Resource
	for _, r := range g.OfType(typ) {
		if strings.Contains(r.Name, part) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d %s named like %q", len(found), typ, part)
	}
	return found[0]
}

// brokenCase breaks one thing in the recorded prod graph; the control must fail on exactly the
// named resource.
type brokenCase struct {
	name       string
	control    string
	breakGraph func(t *testing.T, g *graph.Graph) *graph.Graph
	// breakWorkflow, instead, breaks the repository's image workflow (SUP-001).
	breakWorkflow func(t *testing.T, text string) string
	wantURN       string // suffix of the URN the finding must name
	wantPath      string
}

func editInputs(typ, name string, edit func(t *testing.T, in property.Map) property.Map) func(*testing.T, *graph.Graph) *graph.Graph {
	return func(t *testing.T, g *graph.Graph) *graph.Graph {
		return mutated(t, g, typ, name, func(r *graph.Resource) { r.Inputs = edit(t, r.Inputs) })
	}
}

func setInput(typ, name, path string, v property.Value) func(*testing.T, *graph.Graph) *graph.Graph {
	return editInputs(typ, name, func(t *testing.T, in property.Map) property.Map { return set(t, in, path, v) })
}

func deleteInput(typ, name, key string) func(*testing.T, *graph.Graph) *graph.Graph {
	return editInputs(typ, name, func(_ *testing.T, in property.Map) property.Map { return in.Delete(key) })
}

func idOf(t *testing.T, g *graph.Graph, typ, name string) property.Value {
	return str(named(t, g, typ, name).ID)
}

const p = "platform-prod"

var brokenCases = []brokenCase{
	{name: "two private subnets in one zone", control: "NET-001",
		breakGraph: setInput(tSubnet, p+"-private-eu-west-1b", "availabilityZone", str("eu-west-1a")),
		wantURN:    "::" + p + "-private-eu-west-1a", wantPath: "availabilityZone"},
	{name: "subnet without a tier tag", control: "NET-001",
		breakGraph: setInput(tSubnet, p+"-public-eu-west-1c", "tags", property.New(map[string]property.Value{"Name": str("x")})),
		wantURN:    "::" + p + "-public-eu-west-1c", wantPath: "tags"},
	{name: "public IPs on launch", control: "NET-002",
		breakGraph: setInput(tSubnet, p+"-public-eu-west-1a", "mapPublicIpOnLaunch", property.New(true)),
		wantURN:    "::" + p + "-public-eu-west-1a", wantPath: "mapPublicIpOnLaunch"},
	{name: "interface endpoint placed in a public subnet", control: "NET-003",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			pub := idOf(t, g, tSubnet, p+"-public-eu-west-1a")
			return setInput(tEndpoint, p+"-sts", "subnetIds[0]", pub)(t, g)
		},
		wantURN: "::" + p + "-sts", wantPath: "subnetIds"},
	{name: "private default route to the internet gateway", control: "NET-004",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			igw := idOf(t, g, "aws:ec2/internetGateway:InternetGateway", p)
			route := property.New(map[string]property.Value{"cidrBlock": str("0.0.0.0/0"), "gatewayId": igw})
			return setInput(tRT, p+"-private-eu-west-1b", "routes[0]", route)(t, g)
		},
		wantURN: "::" + p + "-private-eu-west-1b", wantPath: "routes[0].gatewayId"},
	{name: "prod zone routed through another zone's NAT", control: "NET-005",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			nat := idOf(t, g, "aws:ec2/natGateway:NatGateway", p+"-nat-eu-west-1a")
			return setInput(tRT, p+"-private-eu-west-1c", "routes[0].natGatewayId", nat)(t, g)
		},
		wantURN: "::" + p + "-private-eu-west-1c", wantPath: "routes[0].natGatewayId"},
	{name: "default security group keeps a rule", control: "NET-006",
		breakGraph: setInput(tDefaultSG, p+"-default", "ingress", property.New([]property.Value{
			property.New(map[string]property.Value{"protocol": str("-1"), "self": property.New(true)})})),
		wantURN: "::" + p + "-default", wantPath: "ingress"},
	{name: "default security group not adopted", control: "NET-006",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			return without(t, g, tDefaultSG, p+"-default")
		},
		wantURN: "aws:ec2/vpc:Vpc::" + p, wantPath: "defaultSecurityGroupId"},
	{name: "flow log of rejected traffic only", control: "NET-007",
		breakGraph: setInput(tFlowLog, p, "trafficType", str("REJECT")),
		wantURN:    "aws:ec2/flowLog:FlowLog::" + p, wantPath: "trafficType"},
	{name: "no flow log", control: "NET-007",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tFlowLog, p) },
		wantURN:    "aws:ec2/vpc:Vpc::" + p, wantPath: "flowLog"},
	{name: "flow-log group kept 30 days in prod", control: "NET-007",
		breakGraph: setInput(tLogGroup, p+"-flow-logs", "retentionInDays", property.New(30.0)),
		wantURN:    "::" + p + "-flow-logs", wantPath: "retentionInDays"},
	{name: "endpoint security group open to the world", control: "NET-008",
		breakGraph: setInput(tSG, p+"-endpoints", "ingress[0].cidrBlocks[0]", str("0.0.0.0/0")),
		wantURN:    "::" + p + "-endpoints", wantPath: "ingress[0].cidrBlocks"},
	{name: "key rotation off", control: "KMS-001",
		breakGraph: setInput(tKey, p+"-data", "enableKeyRotation", property.New(false)),
		wantURN:    "::" + p + "-data", wantPath: "enableKeyRotation"},
	{name: "key without a policy", control: "KMS-002",
		breakGraph: deleteInput(tKey, p+"-logs", "policy"),
		wantURN:    "::" + p + "-logs", wantPath: "policy"},
	{name: "key policy open to everyone", control: "KMS-002",
		breakGraph: setInput(tKey, p+"-cluster", "policy", str(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"},
			{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`)),
		wantURN: "::" + p + "-cluster", wantPath: "policy.Statement[1]"},
	{name: "key policy without the account root", control: "KMS-002",
		breakGraph: setInput(tKey, p+"-cluster", "policy", str(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/admin"},"Action":"kms:*","Resource":"*"}]}`)),
		wantURN: "::" + p + "-cluster", wantPath: "policy"},
	{name: "key deletion window left to the default", control: "KMS-003",
		breakGraph: deleteInput(tKey, p+"-data", "deletionWindowInDays"),
		wantURN:    "::" + p + "-data", wantPath: "deletionWindowInDays"},
	{name: "key without an alias", control: "KMS-003",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tAlias, p+"-logs") },
		wantURN:    "aws:kms/key:Key::" + p + "-logs", wantPath: "alias"},
	{name: "log group not encrypted", control: "LOG-001",
		breakGraph: deleteInput(tLogGroup, p+"-flow-logs", "kmsKeyId"),
		wantURN:    "::" + p + "-flow-logs", wantPath: "kmsKeyId"},
	{name: "role anyone may assume", control: "IAM-001",
		breakGraph: setInput(tRole, p+"-flow-logs", "assumeRolePolicy", str(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`)),
		wantURN: "::" + p + "-flow-logs", wantPath: "assumeRolePolicy.Statement[0].Principal"},
	{name: "role policy with a wildcard action", control: "IAM-002",
		breakGraph: setInput(tRolePol, p+"-flow-logs", "policy", str(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`)),
		wantURN: "::" + p + "-flow-logs", wantPath: "policy.Statement[0].Action[0]"},
	{name: "private endpoint off", control: "EKS-001",
		breakGraph: setInput(tEKS, p, "endpointPrivateAccess", property.New(false)),
		wantURN:    "eks:index:Cluster::" + p, wantPath: "endpointPrivateAccess"},
	{name: "public endpoint open to the internet", control: "EKS-001",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			g = setInput(tEKS, p, "endpointPublicAccess", property.New(true))(t, g)
			return editInputs(tEKS, p, func(_ *testing.T, in property.Map) property.Map {
				return in.Set("publicAccessCidrs", property.New([]property.Value{str("0.0.0.0/0")}))
			})(t, g)
		},
		wantURN: "eks:index:Cluster::" + p, wantPath: "publicAccessCidrs"},
	{name: "public endpoint open to the internet in two halves", control: "EKS-001",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			g = setInput(tEKS, p, "endpointPublicAccess", property.New(true))(t, g)
			return editInputs(tEKS, p, func(_ *testing.T, in property.Map) property.Map {
				return in.Set("publicAccessCidrs", property.New([]property.Value{str("0.0.0.0/1"), str("128.0.0.0/1")}))
			})(t, g)
		},
		wantURN: "eks:index:Cluster::" + p, wantPath: "publicAccessCidrs"},
	{name: "audit log off", control: "EKS-002",
		breakGraph: setInput(tEKS, p, "enabledClusterLogTypes", property.New([]property.Value{str("api"), str("authenticator")})),
		wantURN:    "eks:index:Cluster::" + p, wantPath: "enabledClusterLogTypes"},
	{name: "no pre-created control-plane log group", control: "EKS-003",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tLogGroup, p+"-control-plane") },
		wantURN:    "eks:index:Cluster::" + p, wantPath: "logGroup"},
	{name: "control-plane logs kept 30 days in prod", control: "EKS-003",
		breakGraph: setInput(tLogGroup, p+"-control-plane", "retentionInDays", property.New(30.0)),
		wantURN:    "::" + p + "-control-plane", wantPath: "retentionInDays"},
	{name: "secrets not envelope-encrypted", control: "EKS-004",
		breakGraph: deleteInput(tEKS, p, "encryptionConfigKeyArn"),
		wantURN:    "eks:index:Cluster::" + p, wantPath: "encryptionConfigKeyArn"},
	{name: "no OIDC provider", control: "EKS-005",
		breakGraph: setInput(tEKS, p, "createOidcProvider", property.New(false)),
		wantURN:    "eks:index:Cluster::" + p, wantPath: "createOidcProvider"},
	{name: "aws-auth ConfigMap authentication", control: "EKS-006",
		breakGraph: setInput(tEKS, p, "authenticationMode", str("CONFIG_MAP")),
		wantURN:    "eks:index:Cluster::" + p, wantPath: "authenticationMode"},
	{name: "principal mapped to system:masters", control: "EKS-007",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			e := ofTypeNamed(t, g, tEntry, "-developer-")
			return setInput(tEntry, e.Name, "kubernetesGroups[0]", str("system:masters"))(t, g)
		},
		wantURN: "-developer-", wantPath: "kubernetesGroups[0]"},
	{name: "gitops given an EKS access policy", control: "EKS-007",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			a := ofTypeNamed(t, g, tAssoc, "-admin-")
			return setInput(tAssoc, a.Name, "principalArn", str(gitopsArn))(t, g)
		},
		wantURN: "-admin-", wantPath: "policyArn"},
	{name: "previewer given the admin policy", control: "EKS-007",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			a := ofTypeNamed(t, g, tAssoc, "-previewer-")
			return setInput(tAssoc, a.Name, "policyArn", str("arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"))(t, g)
		},
		wantURN: "-previewer-", wantPath: "policyArn"},
	{name: "admin policy scoped to a namespace", control: "EKS-007",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			a := ofTypeNamed(t, g, tAssoc, "-admin-")
			return setInput(tAssoc, a.Name, "accessScope.type", str("namespace"))(t, g)
		},
		wantURN: "-admin-", wantPath: "accessScope.type"},
	{name: "default node group kept", control: "EKS-008",
		breakGraph: setInput(tEKS, p, "skipDefaultNodeGroup", property.New(false)),
		wantURN:    "eks:index:Cluster::" + p, wantPath: "skipDefaultNodeGroup"},
	{name: "pulumi-eks's own kube-proxy add-on left on", control: "EKS-017",
		breakGraph: setInput(tEKS, p, "kubeProxyAddonOptions.enabled", property.New(true)),
		wantURN:    "eks:index:Cluster::" + p, wantPath: "kubeProxyAddonOptions.enabled"},
	{name: "pulumi-eks's CoreDNS add-on not stated off", control: "EKS-017",
		breakGraph: deleteInput(tEKS, p, "corednsAddonOptions"),
		wantURN:    "eks:index:Cluster::" + p, wantPath: "corednsAddonOptions.enabled"},
	{name: "nodes in a public subnet", control: "EKS-009",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			return setInput(tNodeGroup, p+"-system", "subnetIds[1]", idOf(t, g, tSubnet, p+"-public-eu-west-1b"))(t, g)
		},
		wantURN: "aws:eks/nodeGroup:NodeGroup::" + p + "-system", wantPath: "subnetIds[1]"},
	{name: "SSH to nodes", control: "EKS-009",
		breakGraph: editInputs(tNodeGroup, p+"-system", func(_ *testing.T, in property.Map) property.Map {
			return in.Set("remoteAccess", property.New(map[string]property.Value{"ec2SshKey": str("ops")}))
		}),
		wantURN: "aws:eks/nodeGroup:NodeGroup::" + p + "-system", wantPath: "remoteAccess"},
	{name: "IMDSv1 allowed", control: "EKS-010",
		breakGraph: setInput(tLT, p+"-system", "metadataOptions.httpTokens", str("optional")),
		wantURN:    "aws:ec2/launchTemplate:LaunchTemplate::" + p + "-system", wantPath: "metadataOptions.httpTokens"},
	{name: "metadata reachable from pods", control: "EKS-010",
		breakGraph: setInput(tLT, p+"-system", "metadataOptions.httpPutResponseHopLimit", property.New(2.0)),
		wantURN:    "aws:ec2/launchTemplate:LaunchTemplate::" + p + "-system", wantPath: "metadataOptions.httpPutResponseHopLimit"},
	{name: "unencrypted root volume", control: "EKS-011",
		breakGraph: setInput(tLT, p+"-system", "blockDeviceMappings[0].ebs.encrypted", str("false")),
		wantURN:    "aws:ec2/launchTemplate:LaunchTemplate::" + p + "-system", wantPath: "blockDeviceMappings[0].ebs.encrypted"},
	{name: "node role made administrator", control: "EKS-012",
		breakGraph: setInput(tAttach, p+"-node-AmazonEKSWorkerNodePolicy", "policyArn", str("arn:aws:iam::aws:policy/AdministratorAccess")),
		wantURN:    "aws:iam/role:Role::" + p + "-node", wantPath: "attachedPolicies"},
	{name: "network policy enforcement off", control: "EKS-013",
		breakGraph: setInput(tAddon, p+"-vpc-cni", "configurationValues", str(`{"enableNetworkPolicy":"false"}`)),
		wantURN:    "aws:eks/addon:Addon::" + p + "-vpc-cni", wantPath: "configurationValues"},
	{name: "nodes start before the CNI", control: "EKS-013",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			cni := named(t, g, tAddon, p+"-vpc-cni")
			return mutated(t, g, tNodeGroup, p+"-system", func(r *graph.Resource) {
				r.Dependencies = slices.DeleteFunc(slices.Clone(r.Dependencies), func(d string) bool { return d == cni.URN })
			})
		},
		wantURN: "aws:eks/nodeGroup:NodeGroup::" + p + "-system", wantPath: "dependsOn"},
	{name: "CNI on the node role", control: "EKS-014",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			nodeRole, _ := named(t, g, tRole, p+"-node").Outputs.GetOk("arn")
			return setInput(tAddon, p+"-vpc-cni", "serviceAccountRoleArn", nodeRole)(t, g)
		},
		wantURN: "aws:eks/addon:Addon::" + p + "-vpc-cni", wantPath: "serviceAccountRoleArn"},
	{name: "IRSA trust for any service account of a namespace", control: "IAM-003",
		breakGraph: setInput(tRole, p+"-vpc-cni", "assumeRolePolicy", str(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
			"Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X"},
			"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"oidc.eks.eu-west-1.amazonaws.com/id/X:sub":"system:serviceaccount:kube-system:*"}}}]}`)),
		wantURN: "aws:iam/role:Role::" + p + "-vpc-cni", wantPath: "assumeRolePolicy.Statement[0].Condition.StringEquals.sub"},
	{name: "unencrypted default StorageClass", control: "STO-001",
		breakGraph: setInput(tSC, p+"-encrypted-gp3", `parameters["encrypted"]`, str("false")),
		wantURN:    "::" + p + "-encrypted-gp3", wantPath: "parameters.encrypted"},
	{name: "prod key not protected, only retained", control: "STATE-001",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			return mutated(t, g, tKey, p+"-data", func(r *graph.Resource) { r.Protect = false })
		},
		wantURN: "aws:kms/key:Key::" + p + "-data", wantPath: "options.protect"},
	{name: "prod table protected but not retained", control: "STATE-001",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			return mutated(t, g, "aws:dynamodb/table:Table", p+"-media", func(r *graph.Resource) { r.RetainOnDelete = false })
		},
		wantURN: "aws:dynamodb/table:Table::" + p + "-media", wantPath: "options.retainOnDelete"},
	{name: "gateway endpoint without a policy", control: "NET-009",
		breakGraph: deleteInput(tEndpoint, p+"-s3", "policy"),
		wantURN:    "aws:ec2/vpcEndpoint:VpcEndpoint::" + p + "-s3", wantPath: "policy"},
	{name: "gateway endpoint open to every account's tables", control: "NET-009",
		breakGraph: setInput(tEndpoint, p+"-dynamodb", "policy", str(`{"Version":"2012-10-17","Statement":[
			{"Sid":"Any","Effect":"Allow","Principal":"*","Action":"dynamodb:*","Resource":"*"}]}`)),
		wantURN: "aws:ec2/vpcEndpoint:VpcEndpoint::" + p + "-dynamodb", wantPath: "policy.Statement[0]"},
	{name: "key policy names the Auto Scaling service-linked role", control: "KMS-004",
		breakGraph: setInput(tKey, p+"-data", "policy", str(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kms:*","Resource":"*"},
			{"Sid":"AutoScaling","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"},"Action":"kms:Decrypt","Resource":"*"}]}`)),
		wantURN: "aws:kms/key:Key::" + p + "-data", wantPath: "policy.Statement[1].Principal"},
	{name: "uploader may overwrite objects", control: "IAM-004",
		breakGraph: setInput(tRolePol, p+"-uploader", "policy", str(`{"Version":"2012-10-17","Statement":[
			{"Sid":"PutUploads","Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::uploads/*"}]}`)),
		wantURN: "aws:iam/rolePolicy:RolePolicy::" + p + "-uploader", wantPath: "policy.Statement[0].Condition"},
	{name: "uploader may delete objects", control: "IAM-004",
		breakGraph: setInput(tRolePol, p+"-uploader", "policy", str(`{"Version":"2012-10-17","Statement":[
			{"Sid":"Delete","Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::uploads/*"}]}`)),
		wantURN: "aws:iam/rolePolicy:RolePolicy::" + p + "-uploader", wantPath: "policy.Statement[0]"},
	{name: "uploads bucket no longer denies the uploader overwrites", control: "IAM-004",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			pol := named(t, g, "aws:s3/bucketPolicy:BucketPolicy", p+"-uploads-policy")
			text, _ := pol.String("policy")
			return setInput("aws:s3/bucketPolicy:BucketPolicy", p+"-uploads-policy", "policy",
				str(strings.Replace(text, "DenyWritesThatCouldOverwrite", "SomethingElse", 1)))(t, g)
		},
		wantURN: "aws:iam/role:Role::" + p + "-uploader", wantPath: "bucketPolicy"},
	{name: "private endpoint that nothing but the nodes may reach", control: "EKS-015",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			return without(t, g, "aws:ec2/securityGroupRule:SecurityGroupRule", p+"-api-from-runner")
		},
		wantURN: "eks:index:Cluster::" + p, wantPath: "clusterSecurityGroupId"},
	{name: "API endpoint admitting a public network", control: "EKS-015",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			return editInputs("aws:ec2/securityGroupRule:SecurityGroupRule", p+"-api-from-runner", func(_ *testing.T, in property.Map) property.Map {
				return in.Delete("sourceSecurityGroupId").Set("cidrBlocks", property.New([]property.Value{str("203.0.113.0/24")}))
			})(t, g)
		},
		wantURN: "::" + p + "-api-from-runner", wantPath: "cidrBlocks[0]"},
	{name: "control plane given public and private subnets", control: "EKS-016",
		breakGraph: editInputs(tEKS, p, func(_ *testing.T, in property.Map) property.Map {
			return in.Delete("subnetIds").Set("publicSubnetIds", property.New([]property.Value{str("subnet-a")}))
		}),
		wantURN: "eks:index:Cluster::" + p, wantPath: "publicSubnetIds"},
	{name: "control plane in a public subnet", control: "EKS-016",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			return setInput(tEKS, p, "subnetIds[0]", idOf(t, g, tSubnet, p+"-public-eu-west-1a"))(t, g)
		},
		wantURN: "eks:index:Cluster::" + p, wantPath: "subnetIds[0]"},
	{name: "CoreDNS left self-managed", control: "EKS-017",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tAddon, p+"-coredns") },
		wantURN:    "eks:index:Cluster::" + p, wantPath: "addons"},
	{name: "add-on version left to whatever EKS installed", control: "EKS-017",
		breakGraph: deleteInput(tAddon, p+"-kube-proxy", "addonVersion"),
		wantURN:    "aws:eks/addon:Addon::" + p + "-kube-proxy", wantPath: "addonVersion"},
	{name: "CoreDNS created before the nodes", control: "EKS-017",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			ng := named(t, g, tNodeGroup, p+"-system")
			return mutated(t, g, tAddon, p+"-coredns", func(r *graph.Resource) {
				r.Dependencies = slices.DeleteFunc(slices.Clone(r.Dependencies), func(d string) bool { return d == ng.URN })
			})
		},
		wantURN: "aws:eks/addon:Addon::" + p + "-coredns", wantPath: "dependsOn"},
	{name: "preview project assumes the deploy role", control: "RUN-001",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			deploy := named(t, g, tProject, p+"-runner-deploy")
			return setInput(tProject, p+"-runner-preview", "environment.environmentVariables[3].value",
				str(envValue(t, deploy, "PLATFORM_ASSUME_ROLE_ARN")))(t, g)
		},
		wantURN: "aws:codebuild/project:Project::" + p + "-runner-preview", wantPath: "PLATFORM_ASSUME_ROLE_ARN"},
	{name: "GitHub Actions runner assumes the deploy role", control: "RUN-001",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			deploy := named(t, g, tProject, p+"-runner-deploy")
			return setInput(tProject, p+"-runner-actions", "environment.environmentVariables[2].value",
				str(envValue(t, deploy, "PLATFORM_ASSUME_ROLE_ARN")))(t, g)
		},
		wantURN: "aws:codebuild/project:Project::" + p + "-runner-actions", wantPath: "PLATFORM_ASSUME_ROLE_ARN"},
	{name: "runner role may assume any role", control: "RUN-001",
		breakGraph: setInput(tRolePol, p+"-runner-deploy", "policy", str(`{"Version":"2012-10-17","Statement":[
			{"Sid":"Any","Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)),
		wantURN: "aws:iam/role:Role::" + p + "-runner-deploy", wantPath: "policy.sts:AssumeRole"},
	{name: "runner reachable from the VPC", control: "RUN-001",
		breakGraph: setInput(tSG, p+"-runner", "ingress", property.New([]property.Value{property.New(map[string]property.Value{
			"protocol": str("tcp"), "fromPort": property.New(22.0), "toPort": property.New(22.0), "cidrBlocks": property.New([]property.Value{str("10.30.0.0/16")})})})),
		wantURN: "aws:ec2/securityGroup:SecurityGroup::" + p + "-runner", wantPath: "ingress"},
	{name: "privileged builds", control: "RUN-001",
		breakGraph: setInput(tProject, p+"-runner-deploy", "environment.privilegedMode", property.New(true)),
		wantURN:    "aws:codebuild/project:Project::" + p + "-runner-deploy", wantPath: "environment.privilegedMode"},
	{name: "file system mountable outside access points", control: "EFS-005",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			pol := named(t, g, "aws:efs/fileSystemPolicy:FileSystemPolicy", p+"-scratch-policy")
			text, _ := pol.String("policy")
			return setInput("aws:efs/fileSystemPolicy:FileSystemPolicy", p+"-scratch-policy", "policy",
				str(strings.Replace(text, `"Null":{"elasticfilesystem:AccessPointArn":["true"]}`, `"Bool":{"aws:SecureTransport":["false"]}`, 1)))(t, g)
		},
		wantURN: "aws:efs/fileSystem:FileSystem::" + p + "-scratch", wantPath: "fileSystemPolicy"},
	{name: "mount grant for any access point", control: "EFS-005",
		breakGraph: setInput(tRolePol, p+"-scratch-processor-mount", "policy", str(`{"Version":"2012-10-17","Statement":[
			{"Sid":"Mount","Effect":"Allow","Action":["elasticfilesystem:ClientMount","elasticfilesystem:ClientWrite"],"Resource":"*"}]}`)),
		wantURN: "aws:iam/rolePolicy:RolePolicy::" + p + "-scratch-processor-mount", wantPath: "policy.Statement[0].Condition"},
	{name: "CSI driver without a mount grant", control: "EFS-005",
		breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
			return without(t, g, tRolePol, p+"-scratch-processor-mount")
		},
		wantURN: "aws:eks/addon:Addon::" + p + "-efs-csi", wantPath: "serviceAccountRoleArn"},
}

const tProject = "aws:codebuild/project:Project"

// envValue is a CodeBuild project's environment variable.
func envValue(t *testing.T, project *graph.Resource, name string) string {
	t.Helper()
	for i := range project.Len("environment.environmentVariables") {
		if k, _ := project.String(fmt.Sprintf("environment.environmentVariables[%d].name", i)); k == name {
			v, _ := project.String(fmt.Sprintf("environment.environmentVariables[%d].value", i))
			return v
		}
	}
	t.Fatalf("%s has no environment variable %s", project.URN, name)
	return ""
}

// TestEachControlFailsOnABrokenInput proves that no control passes whatever it is given: each
// broken prod graph makes its control fail, on the broken resource and property.
func TestEachControlFailsOnABrokenInput(t *testing.T) {
	base := brokenBase(t)
	for _, tc := range brokenCases {
		t.Run(tc.control+" "+tc.name, func(t *testing.T) {
			c, ok := controls.Lookup(tc.control)
			if !ok {
				t.Fatalf("no control %s", tc.control)
			}
			repo := os.DirFS(projectDir(t))
			if r := c.Run(controls.Target{Graph: base, Environment: "prod", Repository: repo}); r.Status != controls.Pass {
				t.Fatalf("%s does not pass on the unbroken graph: %v %v", tc.control, r.Status, r.Findings)
			}
			broken := controls.Target{Graph: base, Environment: "prod", Repository: repo}
			if tc.breakGraph != nil {
				broken.Graph = tc.breakGraph(t, base)
			}
			if tc.breakWorkflow != nil {
				text, err := fs.ReadFile(repo, controls.ImageWorkflowPath)
				if err != nil {
					t.Fatal(err)
				}
				broken.Repository = fstest.MapFS{controls.ImageWorkflowPath: {Data: []byte(tc.breakWorkflow(t, string(text)))}}
			}
			r := c.Run(broken)
			if r.Status != controls.Fail {
				t.Fatalf("%s status %s on a broken graph, want fail", tc.control, r.Status)
			}
			found := false
			for _, f := range r.Findings {
				// A URN suffix, or for access entries (hash-suffixed names) a "-persona-" part.
				urnMatches := strings.HasSuffix(f.URN, tc.wantURN) ||
					(strings.HasPrefix(tc.wantURN, "-") && strings.Contains(f.URN, tc.wantURN))
				if urnMatches && f.Path == tc.wantPath {
					found = true
				}
			}
			if !found {
				t.Errorf("%s findings do not name %s at %s: %v", tc.control, tc.wantURN, tc.wantPath, r.Findings)
			}
		})
	}
}

// TestEveryControlHasANegativeCase keeps the table above complete as controls are added.
func TestEveryControlHasANegativeCase(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range brokenCases {
		covered[tc.control] = true
	}
	for _, id := range controls.IDs() {
		if !covered[id] {
			t.Errorf("control %s has no broken-input case in brokenCases", id)
		}
	}
}

func TestWaiverTurnsAFailureIntoAWaiverWithItsReason(t *testing.T) {
	broken := setInput(tKey, p+"-data", "enableKeyRotation", property.New(false))(t, record(t, "prod"))
	results := controls.Evaluate(controls.Target{Graph: broken, Environment: "prod"},
		map[string]string{"KMS-001": "imported key rotated by the HSM team"})
	i := slices.IndexFunc(results, func(r controls.Result) bool { return r.Control.ID == "KMS-001" })
	if r := results[i]; r.Status != controls.Waived || r.Waiver != "imported key rotated by the HSM team" || len(r.Findings) != 1 {
		t.Errorf("KMS-001 = %s %q with %d findings; want waived with the reason and the finding kept", r.Status, r.Waiver, len(r.Findings))
	}
	if n := len(controls.Failed(results)); n != 0 {
		t.Errorf("%d controls fail; want 0 after the waiver", n)
	}
}

// TestControlIDsAreUniqueAndQuoteTheRequirements: every control quotes, as the line it proves or
// the lines it supports, only exact lines of the requirements document.
func TestControlIDsAreUniqueAndQuoteTheRequirements(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range controls.Catalog() {
		if seen[c.ID] {
			t.Errorf("duplicate control id %s", c.ID)
		}
		seen[c.ID] = true
		if c.Section == "" || c.Severity == "" || (c.Resource == nil && c.Graph == nil) {
			t.Errorf("%s is incomplete: %+v", c.ID, c)
		}
		for _, quote := range append([]string{c.Requirement}, c.Supports...) {
			if quote != "" && !requirements.Has(quote) {
				t.Errorf("%s quotes %q, which is not a line of the requirements", c.ID, quote)
			}
		}
		if slices.Contains(c.Supports, c.Requirement) {
			t.Errorf("%s both proves and supports %q", c.ID, c.Requirement)
		}
		// A heading is met when the lines under it are: no control proves it on its own.
		for _, l := range requirements.Lines() {
			if l.Text == c.Requirement && l.IsHeading(requirements.Lines()) {
				t.Errorf("%s proves the heading %q, which only the lines under it can", c.ID, l.Text)
			}
		}
		if c.Resource != nil && len(c.Types) == 0 {
			t.Errorf("%s has a resource check but no types", c.ID)
		}
	}
}
