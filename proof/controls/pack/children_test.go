package pack_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/controls/pack"
	"github.com/securestack/platform/proof/engine/graph"
)

// The fixtures below are the resources pulumi-eks v3.9.1 registers inside eks:index:Cluster for the
// inputs components/cluster passes (skipDefaultNodeGroup, API authentication, createOidcProvider,
// encryptionConfigKeyArn, private endpoint, all log types), with the properties it sets, read from
// pulumi/pulumi-eks nodejs/eks/cluster/cluster.ts (createCore, createCluster), nodes/securitygroup.ts
// (createNodeGroupSecurityGroup) and servicerole.ts (ServiceRole).

const eksName = "platform-prod" // the component's name, which pulumi-eks prefixes every child with

var unknown = property.New(property.Computed)

func str(s string) property.Value { return property.New(s) }

func strs(ss ...string) property.Value {
	out := make([]property.Value, 0, len(ss))
	for _, s := range ss {
		out = append(out, property.New(s))
	}
	return property.New(out)
}

func obj(m map[string]property.Value) property.Value { return property.New(m) }

// eksChildURN is the URN of a resource pulumi-eks registers under eks:index:Cluster (and under
// the components named in between, such as eks:index:ServiceRole).
func eksChildURN(typ, name string, between ...string) string {
	chain := slices.Concat([]string{"platform:cluster:Cluster", pack.EKSComponentType}, between, []string{typ})
	return "urn:pulumi:prod::platform::" + strings.Join(chain, "$") + "::" + name
}

func resource(typ, name string, props map[string]property.Value, between ...string) policyx.AnalyzerResource {
	return policyx.AnalyzerResource{Type: typ, Name: name, URN: eksChildURN(typ, name, between...), Properties: property.NewMap(props)}
}

const (
	serviceRoleTrust = `{"Version":"2012-10-17","Statement":[{"Action":["sts:AssumeRole","sts:TagSession"],"Effect":"Allow","Principal":{"Service":["eks.amazonaws.com"]}}]}`
	secretsKeyArn    = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	issuer           = "https://oidc.eks.eu-west-1.amazonaws.com/id/5C9E0F3A8D2B4C6E9F1A2B3C4D5E6F70"
	caThumbprint     = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
)

// eksChildren are pulumi-eks's children as a preview shows them: on the first preview (firstRun)
// the ids, the key ARN (a key of the same update) and the issuer are unknown; on later previews
// they are known.
func eksChildren(firstRun bool) map[string]policyx.AnalyzerResource {
	id := func(known string) property.Value {
		if firstRun {
			return unknown
		}
		return str(known)
	}
	encryption := unknown // built in an apply on the key ARN: unknown while the key is
	url := unknown        // eksCluster.identities[0].oidcs[0].issuer
	if !firstRun {
		encryption = obj(map[string]property.Value{
			"provider":  obj(map[string]property.Value{"keyArn": str(secretsKeyArn)}),
			"resources": strs("secrets"),
		})
		url = str(issuer)
	}
	rule := func(name, description, kind string, from, to float64, protocol string, extra map[string]property.Value) policyx.AnalyzerResource {
		props := map[string]property.Value{
			"description": str(description), "type": str(kind), "fromPort": property.New(from), "toPort": property.New(to),
			"protocol": str(protocol),
		}
		for k, v := range extra {
			props[k] = v
		}
		return resource("aws:ec2/securityGroupRule:SecurityGroupRule", eksName+"-"+name, props)
	}
	return map[string]policyx.AnalyzerResource{
		"serviceRole": resource("aws:iam/role:Role", eksName+"-eksRole-role", map[string]property.Value{
			"description":      str("Allows EKS to manage clusters on your behalf."),
			"assumeRolePolicy": str(serviceRoleTrust),
		}, "eks:index:ServiceRole"),
		// ServiceRole names it <name>-<first 8 hex of sha1("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy")>.
		"clusterPolicy": resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", eksName+"-eksRole-4b490823", map[string]property.Value{
			"policyArn": str("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"),
			"role":      id("platform-prod-eksRole-role-1a2b3c4"),
		}, "eks:index:ServiceRole"),
		"clusterSG": resource("aws:ec2/securityGroup:SecurityGroup", eksName+"-eksClusterSecurityGroup", map[string]property.Value{
			"vpcId": id("vpc-0abc"), "revokeRulesOnDelete": property.New(true),
			"tags": obj(map[string]property.Value{"Name": str(eksName + "-eksClusterSecurityGroup")}),
		}),
		"clusterEgress": rule("eksClusterInternetEgressRule", "Allow internet access.", "egress", 0, 0, "-1", map[string]property.Value{
			"cidrBlocks": strs("0.0.0.0/0"), "securityGroupId": id("sg-0cluster"),
		}),
		"cluster": resource("aws:eks/cluster:Cluster", eksName+"-eksCluster", map[string]property.Value{
			"name":                       str(eksName),
			"roleArn":                    id("arn:aws:iam::111122223333:role/platform-prod-eksRole-role-1a2b3c4"),
			"bootstrapSelfManagedAddons": property.New(true),
			"vpcConfig": obj(map[string]property.Value{
				"securityGroupIds":      property.New([]property.Value{id("sg-0cluster")}),
				"subnetIds":             property.New([]property.Value{id("subnet-0a"), id("subnet-0b")}),
				"endpointPrivateAccess": property.New(true),
				"endpointPublicAccess":  property.New(false),
			}),
			"version":                str("1.34"),
			"enabledClusterLogTypes": strs("api", "audit", "authenticator", "controllerManager", "scheduler"),
			"tags":                   obj(map[string]property.Value{"Name": str(eksName + "-eksCluster")}),
			"encryptionConfig":       encryption,
			"accessConfig": obj(map[string]property.Value{
				"authenticationMode": str("API"), "bootstrapClusterCreatorAdminPermissions": property.New(true),
			}),
		}),
		"kubeProxy": resource("aws:eks/addon:Addon", eksName+"-kube-proxy", map[string]property.Value{
			"clusterName": str(eksName), "addonName": str("kube-proxy"), "preserve": property.New(true),
			"resolveConflictsOnCreate": str("OVERWRITE"), "resolveConflictsOnUpdate": str("OVERWRITE"), "addonVersion": str("v1.34.0-eksbuild.2"),
		}),
		"oidcProvider": resource("aws:iam/openIdConnectProvider:OpenIdConnectProvider", eksName+"-oidcProvider", map[string]property.Value{
			"clientIdLists": strs("sts.amazonaws.com"), "url": url, "thumbprintLists": strs(caThumbprint),
		}),
		"nodeSG": resource("aws:ec2/securityGroup:SecurityGroup", eksName+"-nodeSecurityGroup", map[string]property.Value{
			"vpcId": id("vpc-0abc"), "revokeRulesOnDelete": property.New(true),
			"tags": obj(map[string]property.Value{"Name": str(eksName + "-nodeSecurityGroup"), "kubernetes.io/cluster/" + eksName: str("owned")}),
		}),
		"nodeSelf": rule("eksNodeIngressRule", "Allow nodes to communicate with each other", "ingress", 0, 0, "-1", map[string]property.Value{
			"securityGroupId": id("sg-0node"), "self": property.New(true),
		}),
		"nodeFromCluster": rule("eksNodeClusterIngressRule", "Allow worker Kubelets and pods to receive communication from the cluster control plane", "ingress", 1025, 65535, "tcp", map[string]property.Value{
			"securityGroupId": id("sg-0node"), "sourceSecurityGroupId": id("sg-0cluster"),
		}),
		"nodeExtAPI": rule("eksExtApiServerClusterIngressRule", "Allow pods running extension API servers on port 443 to receive communication from cluster control plane", "ingress", 443, 443, "tcp", map[string]property.Value{
			"securityGroupId": id("sg-0node"), "sourceSecurityGroupId": id("sg-0cluster"),
		}),
		"nodeEgress": rule("eksNodeInternetEgressRule", "Allow internet access.", "egress", 0, 0, "-1", map[string]property.Value{
			"cidrBlocks": strs("0.0.0.0/0"), "securityGroupId": id("sg-0node"),
		}),
		"clusterFromNodes": rule("eksClusterIngressRule", "Allow pods to communicate with the cluster API Server", "ingress", 443, 443, "tcp", map[string]property.Value{
			"securityGroupId": id("sg-0cluster"), "sourceSecurityGroupId": id("sg-0node"),
		}),
	}
}

// validate runs every policy of the pack on one resource, as the engine's Analyze call does, and
// returns the messages it reports, each checked to name the resource.
func validate(t *testing.T, r policyx.AnalyzerResource) []string {
	t.Helper()
	var got violations
	for _, p := range pack.Policies() {
		if err := p.(policyx.ResourceValidationPolicy).Validate(context.Background(), policyx.ResourceValidationArgs{Manager: &got, Resource: r}); err != nil {
			t.Fatal(err)
		}
	}
	var out []string
	for _, v := range got {
		msg, ok := strings.CutPrefix(v, r.URN+" ")
		if !ok {
			t.Errorf("violation %q does not name %s", v, r.URN)
		}
		out = append(out, msg)
	}
	return out
}

// TestPulumiEKSChildrenOfTheProductPassThePack: what pulumi-eks creates for this product passes
// every policy of the pack, catalog and child rules alike, on the first preview (unknown ids, key
// ARN and issuer) and on later ones.
func TestPulumiEKSChildrenOfTheProductPassThePack(t *testing.T) {
	for _, firstRun := range []bool{true, false} {
		children := eksChildren(firstRun)
		if len(children) != 13 {
			t.Fatalf("%d fixtures, want 13", len(children))
		}
		for key, r := range children {
			if got := validate(t, r); len(got) != 0 {
				t.Errorf("first run %v, %s: %q", firstRun, key, got)
			}
		}
	}
}

func set(path string, v property.Value) func(*testing.T, property.Map) property.Map {
	return func(t *testing.T, m property.Map) property.Map {
		t.Helper()
		out, err := graph.SetInput(m, path, v)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

func unset(path string) func(*testing.T, property.Map) property.Map {
	return set(path, property.New(property.Null))
}

// TestEachChildRuleFailsOnItsBrokenSetting: every rule reports its setting when broken or unknown,
// with the exact path, value and message, and passes the unknowns that only name a resource not
// created yet. Only the child rules' messages are compared (the catalog's are its own tests').
func TestEachChildRuleFailsOnItsBrokenSetting(t *testing.T) {
	const (
		endpointPrivate = "EKSC-001: vpcConfig.endpointPrivateAccess = "
		endpointPublic  = "EKSC-001: vpcConfig.endpointPublicAccess = "
		cidrs           = "EKSC-001: vpcConfig.publicAccessCidrs"
		logs            = "EKSC-002: enabledClusterLogTypes = "
		allLogs         = "all of [api audit authenticator controllerManager scheduler] are required"
		keyArn          = "EKSC-003: encryptionConfig.provider.keyArn = "
		ingress         = "EKSC-004: "
		oidc            = "EKSC-005: "
		trust           = "EKSC-006: assumeRolePolicy"
		trustMessage    = ": only eks.amazonaws.com may assume the cluster's service role"
		policies        = "EKSC-007: "
		onlyClusterPol  = ": the service role holds AmazonEKSClusterPolicy only, known at preview"
	)
	public := set("vpcConfig.endpointPublicAccess", property.New(true))
	cases := []struct {
		name  string
		key   string
		first bool // the first preview's fixture (unknown key, issuer, ids)
		edits []func(*testing.T, property.Map) property.Map
		want  []string
	}{
		// EKSC-001: the endpoint.
		{name: "private endpoint off", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("vpcConfig.endpointPrivateAccess", property.New(false))},
			want: []string{endpointPrivate + "false: the private endpoint must be on, and known at preview"}},
		{name: "private endpoint unknown", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("vpcConfig.endpointPrivateAccess", unknown)},
			want: []string{endpointPrivate + "[unknown until apply]: the private endpoint must be on, and known at preview"}},
		{name: "whole vpcConfig unknown", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("vpcConfig", unknown)},
			want: []string{endpointPrivate + "[unknown until apply]: the private endpoint must be on, and known at preview",
				endpointPublic + "[unknown until apply]: whether the endpoint is public must be known at preview"}},
		{name: "public endpoint unknown", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("vpcConfig.endpointPublicAccess", unknown)},
			want: []string{endpointPublic + "[unknown until apply]: whether the endpoint is public must be known at preview"}},
		{name: "public endpoint left to EKS's default", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{unset("vpcConfig.endpointPublicAccess")},
			want: []string{endpointPublic + "absent: set it explicitly: EKS's default is a public endpoint"}},
		{name: "public endpoint without an allow-list", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{public},
			want: []string{cidrs + " = absent: a public endpoint needs an allow-list (EKS's default is 0.0.0.0/0)"}},
		{name: "public endpoint with an empty allow-list", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{public, set("vpcConfig.publicAccessCidrs", strs())},
			want: []string{cidrs + " = []: a public endpoint needs an allow-list (EKS's default is 0.0.0.0/0)"}},
		{name: "public endpoint for a runner's range passes", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{public, set("vpcConfig.publicAccessCidrs", strs("203.0.113.0/24"))}},
		{name: "public endpoint open to 0.0.0.0/0", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{public, set("vpcConfig.publicAccessCidrs", strs("203.0.113.0/24", "0.0.0.0/0"))},
			want: []string{cidrs + `[1] = "0.0.0.0/0": opens the API endpoint to the whole internet`}},
		{name: "public endpoint open to the internet in halves", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{public, set("vpcConfig.publicAccessCidrs", strs("0.0.0.0/1", "128.0.0.0/1"))},
			want: []string{cidrs + ` = ["0.0.0.0/1", "128.0.0.0/1"]: together these ranges open the API endpoint to the whole internet`}},
		{name: "public endpoint with an IPv6 or malformed range", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{public, set("vpcConfig.publicAccessCidrs", strs("::/0", "203.0.113.7"))},
			want: []string{cidrs + `[0] = "::/0": not an IPv4 CIDR block`, cidrs + `[1] = "203.0.113.7": not an IPv4 CIDR block`}},
		{name: "public endpoint with an unknown allow-list", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{public, set("vpcConfig.publicAccessCidrs", unknown)},
			want: []string{cidrs + " = [unknown until apply]: a public endpoint's allow-list must be known at preview"}},
		{name: "public endpoint with an unknown range", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{public, set("vpcConfig.publicAccessCidrs", property.New([]property.Value{str("203.0.113.0/24"), unknown}))},
			want: []string{cidrs + ` = ["203.0.113.0/24", [unknown until apply]]: a public endpoint's allow-list must be known at preview`}},

		// EKSC-002: the log types.
		{name: "two log types missing", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("enabledClusterLogTypes", strs("api", "authenticator", "controllerManager"))},
			want: []string{logs + `["api", "authenticator", "controllerManager"]: missing [audit scheduler]: ` + allLogs}},
		{name: "no log types", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{unset("enabledClusterLogTypes")},
			want: []string{logs + "absent: missing [api audit authenticator controllerManager scheduler]: " + allLogs}},
		{name: "log types unknown", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("enabledClusterLogTypes", unknown)},
			want: []string{logs + "[unknown until apply]: the log types must be known at preview"}},
		{name: "one log type unknown", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("enabledClusterLogTypes", property.New([]property.Value{str("api"), unknown}))},
			want: []string{logs + `["api", [unknown until apply]]: the log types must be known at preview`}},

		// EKSC-003: Secrets encryption.
		{name: "no envelope encryption", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{unset("encryptionConfig")},
			want: []string{"EKSC-003: encryptionConfig = absent: Kubernetes Secrets must be envelope-encrypted with a customer KMS key"}},
		{name: "no envelope encryption on the first preview", key: "cluster", first: true, edits: []func(*testing.T, property.Map) property.Map{unset("encryptionConfig")},
			want: []string{"EKSC-003: encryptionConfig = absent: Kubernetes Secrets must be envelope-encrypted with a customer KMS key"}},
		{name: "a key not created yet passes", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("encryptionConfig.provider.keyArn", unknown)}},
		{name: "encrypted resources unknown", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("encryptionConfig.resources", unknown)},
			want: []string{`EKSC-003: encryptionConfig.resources = [unknown until apply]: must be ["secrets"], known at preview`}},
		{name: "nothing encrypted", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("encryptionConfig.resources", strs())},
			want: []string{`EKSC-003: encryptionConfig.resources = []: must be ["secrets"], known at preview`}},
		{name: "the AWS managed key", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("encryptionConfig.provider.keyArn", str("arn:aws:kms:eu-west-1:111122223333:alias/aws/eks"))},
			want: []string{keyArn + `"arn:aws:kms:eu-west-1:111122223333:alias/aws/eks": an AWS managed key: use a customer key, whose policy and rotation this stack controls`}},
		{name: "a customer alias", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{set("encryptionConfig.provider.keyArn", str("arn:aws:kms:eu-west-1:111122223333:alias/platform-secrets"))},
			want: []string{keyArn + `"arn:aws:kms:eu-west-1:111122223333:alias/platform-secrets": not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>): an alias can be repointed`}},
		{name: "no key", key: "cluster", edits: []func(*testing.T, property.Map) property.Map{unset("encryptionConfig.provider")},
			want: []string{keyArn + "absent: name the customer KMS key by its ARN"}},

		// EKSC-004: ingress.
		{name: "inline ingress from anywhere", key: "nodeSG", edits: []func(*testing.T, property.Map) property.Map{set("ingress", property.New([]property.Value{obj(map[string]property.Value{
			"protocol": str("tcp"), "fromPort": property.New(22.0), "toPort": property.New(22.0), "cidrBlocks": strs("10.0.0.0/16", "0.0.0.0/0")})}))},
			want: []string{ingress + "ingress[0].cidrBlocks = [0.0.0.0/0]: ingress from the whole internet"}},
		{name: "inline ingress unknown", key: "clusterSG", edits: []func(*testing.T, property.Map) property.Map{set("ingress", unknown)},
			want: []string{ingress + "ingress = [unknown until apply]: inline ingress rules must be known at preview"}},
		{name: "inline ingress rule unknown", key: "clusterSG", edits: []func(*testing.T, property.Map) property.Map{set("ingress", property.New([]property.Value{unknown}))},
			want: []string{ingress + "ingress[0] = [unknown until apply]: inline ingress rules must be known at preview"}},
		{name: "rule from ::/0", key: "clusterFromNodes", edits: []func(*testing.T, property.Map) property.Map{unset("sourceSecurityGroupId"), set("ipv6CidrBlocks", strs("::/0"))},
			want: []string{ingress + "ipv6CidrBlocks = [::/0]: ingress from the whole internet"}},
		{name: "rule from the internet in halves", key: "nodeFromCluster", edits: []func(*testing.T, property.Map) property.Map{unset("sourceSecurityGroupId"), set("cidrBlocks", strs("0.0.0.0/1", "128.0.0.0/1"))},
			want: []string{ingress + "cidrBlocks = [0.0.0.0/1 128.0.0.0/1]: ingress from the whole internet"}},
		{name: "rule sources unknown", key: "nodeExtAPI", edits: []func(*testing.T, property.Map) property.Map{set("cidrBlocks", unknown)},
			want: []string{ingress + "cidrBlocks = [unknown until apply]: the sources of an ingress rule must be known at preview"}},
		{name: "rule kind unknown", key: "nodeEgress", edits: []func(*testing.T, property.Map) property.Map{set("type", unknown)},
			want: []string{ingress + "type = [unknown until apply]: whether the rule is ingress must be known at preview"}},
		{name: "a source group not created yet passes", key: "nodeFromCluster", first: true},

		// EKSC-005: the OIDC provider.
		{name: "another audience", key: "oidcProvider", edits: []func(*testing.T, property.Map) property.Map{set("clientIdLists", strs("sts.amazonaws.com", "my-app"))},
			want: []string{oidc + `clientIdLists = ["sts.amazonaws.com", "my-app"]: the only audience is sts.amazonaws.com, known at preview`}},
		{name: "audience unknown", key: "oidcProvider", edits: []func(*testing.T, property.Map) property.Map{set("clientIdLists", unknown)},
			want: []string{oidc + "clientIdLists = [unknown until apply]: the only audience is sts.amazonaws.com, known at preview"}},
		{name: "thumbprint not as pulumi-eks writes it", key: "oidcProvider", edits: []func(*testing.T, property.Map) property.Map{set("thumbprintLists", strs("9E:99:A4:8A:99:60:B1:49:26:BB:7F:3B:02:E2:2D:A2:B0:AB:72:80"))},
			want: []string{oidc + `thumbprintLists = ["9E:99:A4:8A:99:60:B1:49:26:BB:7F:3B:02:E2:2D:A2:B0:AB:72:80"]: the issuer CA's SHA-1 thumbprints, 40 lower-case hex digits each, known at preview`}},
		{name: "thumbprint unknown", key: "oidcProvider", edits: []func(*testing.T, property.Map) property.Map{set("thumbprintLists", unknown)},
			want: []string{oidc + "thumbprintLists = [unknown until apply]: the issuer CA's SHA-1 thumbprints, 40 lower-case hex digits each, known at preview"}},
		{name: "another issuer", key: "oidcProvider", edits: []func(*testing.T, property.Map) property.Map{set("url", str("https://token.actions.githubusercontent.com"))},
			want: []string{oidc + `url = "https://token.actions.githubusercontent.com": must be the cluster's issuer, https://oidc.eks.<region>.amazonaws.com/id/<id>`}},
		{name: "the issuer of a cluster not created yet passes", key: "oidcProvider", first: true},

		// EKSC-006: the service role's trust.
		{name: "role for EC2", key: "serviceRole", edits: []func(*testing.T, property.Map) property.Map{set("assumeRolePolicy", str(strings.Replace(serviceRoleTrust, "eks.amazonaws.com", "ec2.amazonaws.com", 1)))},
			want: []string{trust + ".Statement[0].Principal = Service [ec2.amazonaws.com]" + trustMessage}},
		{name: "role also for an account", key: "serviceRole", edits: []func(*testing.T, property.Map) property.Map{set("assumeRolePolicy", str(strings.Replace(serviceRoleTrust, `"Principal":{`, `"Principal":{"AWS":"arn:aws:iam::444455556666:root",`, 1)))},
			want: []string{trust + ".Statement[0].Principal = AWS [arn:aws:iam::444455556666:root], Service [eks.amazonaws.com]" + trustMessage}},
		{name: "role for anyone", key: "serviceRole", edits: []func(*testing.T, property.Map) property.Map{set("assumeRolePolicy", str(`{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":"*"}]}`))},
			want: []string{trust + ".Statement[0].Principal = *" + trustMessage}},
		{name: "role by web identity", key: "serviceRole", edits: []func(*testing.T, property.Map) property.Map{set("assumeRolePolicy", str(strings.Replace(serviceRoleTrust, `"sts:TagSession"`, `"sts:AssumeRoleWithWebIdentity"`, 1)))},
			want: []string{trust + ".Statement[0].Action = [sts:AssumeRole sts:AssumeRoleWithWebIdentity]: the service allows only [sts:AssumeRole sts:TagSession]"}},
		{name: "trust unknown", key: "serviceRole", edits: []func(*testing.T, property.Map) property.Map{set("assumeRolePolicy", unknown)},
			want: []string{trust + " = [unknown until apply]: the trust policy must be known at preview"}},

		// EKSC-007: the service role's policies.
		{name: "admin attached", key: "clusterPolicy", edits: []func(*testing.T, property.Map) property.Map{set("policyArn", str("arn:aws:iam::aws:policy/AdministratorAccess"))},
			want: []string{policies + `policyArn = "arn:aws:iam::aws:policy/AdministratorAccess"` + onlyClusterPol}},
		{name: "attached policy unknown", key: "clusterPolicy", edits: []func(*testing.T, property.Map) property.Map{set("policyArn", unknown)},
			want: []string{policies + "policyArn = [unknown until apply]" + onlyClusterPol}},
		{name: "the role of a cluster not created yet passes", key: "clusterPolicy", first: true},
		{name: "managed policies on the role", key: "serviceRole", edits: []func(*testing.T, property.Map) property.Map{set("managedPolicyArns", strs("arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", "arn:aws:iam::aws:policy/AmazonS3FullAccess"))},
			want: []string{policies + `managedPolicyArns = ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", "arn:aws:iam::aws:policy/AmazonS3FullAccess"]` + onlyClusterPol}},
		{name: "an inline policy on the role", key: "serviceRole", edits: []func(*testing.T, property.Map) property.Map{set("inlinePolicies", property.New([]property.Value{obj(map[string]property.Value{
			"name": str("extra"), "policy": str(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})}))},
			want: []string{policies + `inlinePolicies = [{name: "extra", policy: "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}"}]: pulumi-eks's roles take no inline policy here: only AmazonEKSClusterPolicy, attached`}},
		{name: "an empty inline policy entry passes", key: "serviceRole", edits: []func(*testing.T, property.Map) property.Map{set("inlinePolicies", property.New([]property.Value{obj(map[string]property.Value{"name": str(""), "policy": str("")})}))}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := eksChildren(c.first)[c.key]
			for _, edit := range c.edits {
				r.Properties = edit(t, r.Properties)
			}
			var got []string
			for _, msg := range validate(t, r) {
				if strings.HasPrefix(msg, "EKSC-") {
					got = append(got, msg)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("violations\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// TestAnInlinePolicyOnPulumiEKSRolesFails: pulumi-eks writes no inline policy for this product.
func TestAnInlinePolicyOnPulumiEKSRolesFails(t *testing.T) {
	r := resource("aws:iam/rolePolicy:RolePolicy", eksName+"-EKSWorkerCustomPolicy", map[string]property.Value{
		"role": unknown, "policy": str(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`),
	})
	want := []string{"EKSC-007: policy = inline policy: pulumi-eks's roles take no inline policy here: only AmazonEKSClusterPolicy, attached"}
	if got := validate(t, r); !slices.Equal(got, want) {
		t.Errorf("violations %q, want %q", got, want)
	}
}

// TestChildRulesJudgeOnlyPulumiEKSChildren: the same broken resources outside eks:index:Cluster
// (the offline controls' ground) draw nothing from the child rules.
func TestChildRulesJudgeOnlyPulumiEKSChildren(t *testing.T) {
	broken := eksChildren(false)["cluster"]
	broken.Properties = broken.Properties.Delete("enabledClusterLogTypes")
	outside := broken
	outside.URN = "urn:pulumi:prod::platform::platform:cluster:Cluster$aws:eks/cluster:Cluster::" + broken.Name
	if got := validate(t, outside); len(got) != 0 {
		t.Errorf("outside pulumi-eks: %q, want none", got)
	}
	if got := validate(t, broken); len(got) != 1 || !strings.HasPrefix(got[0], "EKSC-002: ") {
		t.Errorf("inside pulumi-eks: %q, want one EKSC-002", got)
	}

	for _, c := range []struct {
		urn  string
		want bool
	}{
		{eksChildURN("aws:eks/cluster:Cluster", "platform-prod-eksCluster"), true},
		{eksChildURN("aws:iam/role:Role", "platform-prod-eksRole-role", "eks:index:ServiceRole"), true},
		// The component itself is the offline controls' (EKS-001, -002, -005, -006, -008).
		{"urn:pulumi:prod::platform::platform:cluster:Cluster$eks:index:Cluster::platform-prod", false},
		// The product's own rule on pulumi-eks's group is parented to the product's component.
		{"urn:pulumi:prod::platform::platform:cluster:Cluster$aws:ec2/securityGroupRule:SecurityGroupRule::platform-prod-api-from-runner", false},
		{"urn:pulumi:prod::platform::aws:iam/role:Role::eks:index:Cluster", false},
		{"not a urn", false},
	} {
		if got := pack.InsideEKSCluster(c.urn); got != c.want {
			t.Errorf("InsideEKSCluster(%s) = %v, want %v", c.urn, got, c.want)
		}
	}
}

// TestChildRulesNameTheirOfflineControls: each rule names a control of the catalog that judges the
// same setting offline, and has a mandatory policy of its own.
func TestChildRulesNameTheirOfflineControls(t *testing.T) {
	var ids, offline []string
	for _, r := range pack.ChildRules() {
		ids = append(ids, r.ID)
		offline = append(offline, r.Offline)
		if _, ok := controls.Lookup(r.Offline); !ok {
			t.Errorf("%s names %s, not in the catalog", r.ID, r.Offline)
		}
	}
	if want := []string{"EKSC-001", "EKSC-002", "EKSC-003", "EKSC-004", "EKSC-005", "EKSC-006", "EKSC-007"}; !slices.Equal(ids, want) {
		t.Errorf("rules %v, want %v", ids, want)
	}
	if want := []string{"EKS-001", "EKS-002", "EKS-004", "NET-008", "EKS-005", "IAM-001", "IAM-002"}; !slices.Equal(offline, want) {
		t.Errorf("offline controls %v, want %v", offline, want)
	}
}
