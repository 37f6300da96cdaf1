package controls

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/lib/iprange"
	"github.com/securestack/platform/proof/engine/graph"
)

// Resource types the cluster controls inspect.
const (
	typeEKSCluster     = "eks:index:Cluster"
	typeNodeGroup      = "aws:eks/nodeGroup:NodeGroup"
	typeAddon          = "aws:eks/addon:Addon"
	typeAccessEntry    = "aws:eks/accessEntry:AccessEntry"
	typeAccessPolicy   = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
	typeLaunchTemplate = "aws:ec2/launchTemplate:LaunchTemplate"
	typeRoleAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
)

// personaByGroup indexes the personas by their Kubernetes group.
func personaByGroup() map[string]eksspec.Persona {
	out := map[string]eksspec.Persona{}
	for _, p := range eksspec.Personas {
		out[p.Group] = p
	}
	return out
}

var clusterControls = []*Control{
	{ID: "EKS-001", Title: "API endpoint private; public access off, or on only for an allow-list (never in prod)",
		Section: section1, Supports: []string{reqVPC}, Severity: Critical,
		Types: []string{typeEKSCluster}, Resource: checkEndpoint, Graph: checkProdEndpointPrivate},
	{ID: "EKS-002", Title: "All five control-plane log types are enabled",
		Section: section5, Requirement: reqAuditLogs, Severity: High,
		Types: []string{typeEKSCluster}, Resource: checkLogTypes},
	{ID: "EKS-003", Title: "Control-plane log group exists before the cluster, KMS-encrypted and retained",
		Section: section5, Supports: []string{reqAuditLogs}, Severity: High, Graph: checkControlPlaneLogGroup},
	{ID: "EKS-004", Title: "Kubernetes Secrets are envelope-encrypted with a rotating customer key of this stack",
		Section: section4, Supports: []string{reqEncryption, reqSecrets}, Severity: High, Graph: checkSecretsEncryption},
	{ID: "EKS-005", Title: "OIDC provider on (IRSA)",
		Section: section3, Supports: []string{reqIRSA}, Severity: High,
		Types: []string{typeEKSCluster}, Resource: checkBoolInput("createOidcProvider", true, "IRSA needs the cluster's OIDC provider")},
	{ID: "EKS-006", Title: "Authentication mode API (access entries, no aws-auth ConfigMap)",
		Section: section3, Supports: []string{reqRBAC}, Severity: High,
		Types: []string{typeEKSCluster}, Resource: checkAuthMode},
	{ID: "EKS-007", Title: "Access entries map principals to one persona group, with that persona's policy and scope",
		Section: section3, Supports: []string{reqRBAC}, Severity: Critical, Graph: checkAccessEntries},
	{ID: "EKS-008", Title: "No default (self-managed) node group",
		Section: section1, Supports: []string{reqVPC}, Severity: High,
		Types: []string{typeEKSCluster}, Resource: checkBoolInput("skipDefaultNodeGroup", true, "the default node group is self-managed, with public IPs and unencrypted volumes")},
	{ID: "EKS-009", Title: "Node groups run only in private subnets and allow no SSH",
		Section: section1, Requirement: reqVPC, Severity: Critical, Graph: checkNodePlacement},
	{ID: "EKS-010", Title: "Nodes require IMDSv2 with hop limit 1",
		Section: section3, Requirement: reqIRSA, Severity: High, Graph: checkNodeMetadata},
	{ID: "EKS-011", Title: "Node volumes are encrypted with a customer key",
		Section: section4, Requirement: reqKMS, Severity: High, Graph: checkNodeVolumes},
	{ID: "EKS-012", Title: "Node role carries exactly the worker-node and ECR read-only policies",
		Section: section3, Supports: []string{reqIRSA}, Severity: High, Graph: checkNodeRole},
	{ID: "EKS-013", Title: "VPC CNI managed add-on enforces NetworkPolicies, and nodes wait for it",
		Section: section1, Supports: []string{reqNetPol}, Severity: Critical, Graph: checkCNINetworkPolicy},
	{ID: "EKS-014", Title: "VPC CNI runs on its own IRSA role, not the node role",
		Section: section3, Supports: []string{reqIRSA}, Severity: High, Graph: checkCNIRole},
	{ID: "IAM-003", Title: "IRSA trust is pinned to exact service accounts (sub, no wildcard) and the STS audience",
		Section: section3, Requirement: reqIRSA, Severity: Critical,
		Types: []string{typeRole}, Resource: checkIRSATrust},
}

// checkNoBuiltInAddons: pulumi-eks v3 creates a kube-proxy add-on unless told not to (and CoreDNS
// with a default node group), while the cluster component manages both, pinned to the cluster's
// release. EKS refuses a second add-on of one name, so the update would fail at apply.
func checkNoBuiltInAddons(_ string, props property.Map) []Violation {
	var vs []Violation
	for _, path := range []string{"kubeProxyAddonOptions.enabled", "corednsAddonOptions.enabled"} {
		vs = append(vs, checkBoolInput(path, false, "the component manages this add-on; EKS refuses a second add-on of one name")("", props)...)
	}
	return vs
}

func checkBoolInput(path string, want bool, why string) ResourceCheck {
	return func(_ string, props property.Map) []Violation {
		v, err := graph.Lookup(props, path, "")
		if err == nil && v.IsBool() && v.AsBool() == want {
			return nil
		}
		return []Violation{{Path: path, Value: describe(props, path), Message: fmt.Sprintf("must be %v: %s", want, why)}}
	}
}

func checkEndpoint(_ string, props property.Map) []Violation {
	var vs []Violation
	if v, err := graph.Lookup(props, "endpointPrivateAccess", ""); err != nil || !v.IsBool() || !v.AsBool() {
		vs = append(vs, Violation{Path: "endpointPrivateAccess", Value: describe(props, "endpointPrivateAccess"), Message: "the private endpoint must be on"})
	}
	public, err := graph.Lookup(props, "endpointPublicAccess", "")
	if err != nil || !public.IsBool() {
		// pulumi-eks defaults the public endpoint to on: it must be set explicitly.
		return append(vs, Violation{Path: "endpointPublicAccess", Value: describe(props, "endpointPublicAccess"), Message: "set it explicitly (the pulumi-eks default is a public endpoint)"})
	}
	if !public.AsBool() {
		return vs
	}
	cidrs, err := graph.Lookup(props, "publicAccessCidrs", "")
	if err != nil || !cidrs.IsArray() || cidrs.AsArray().Len() == 0 {
		return append(vs, Violation{Path: "publicAccessCidrs", Value: describe(props, "publicAccessCidrs"), Message: "a public endpoint needs an allow-list (the default is 0.0.0.0/0)"})
	}
	var list []string
	for _, c := range cidrs.AsArray().All {
		if c.IsString() {
			list = append(list, c.AsString())
		}
	}
	// Judged by the union: [0.0.0.0/1, 128.0.0.0/1] is the whole internet too.
	if iprange.InternetShare(list) >= 1 {
		vs = append(vs, Violation{Path: "publicAccessCidrs", Value: fmt.Sprint(list), Message: "together these ranges open the API endpoint to the whole internet"})
	}
	return vs
}

func checkProdEndpointPrivate(t Target) (int, []Finding) {
	if t.Environment != "prod" {
		return 0, nil
	}
	var fs []Finding
	clusters := t.Graph.OfType(typeEKSCluster)
	for _, c := range clusters {
		if v, _ := c.Bool("endpointPublicAccess"); v {
			fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: "endpointPublicAccess", Value: "true", Message: "prod's API endpoint is private only"}})
		}
	}
	return len(clusters), fs
}

func checkLogTypes(_ string, props property.Map) []Violation {
	v, err := graph.Lookup(props, "enabledClusterLogTypes", "")
	var have []string
	if err == nil && v.IsArray() {
		for _, e := range v.AsArray().All {
			if e.IsString() {
				have = append(have, e.AsString())
			}
		}
	}
	var missing []string
	for _, lt := range eksspec.LogTypes {
		if !slices.Contains(have, lt) {
			missing = append(missing, lt)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []Violation{{Path: "enabledClusterLogTypes", Value: describe(props, "enabledClusterLogTypes"), Message: fmt.Sprintf("missing %v", missing)}}
}

func clusterName(c *graph.Resource) string {
	name, _ := c.String("name")
	return name
}

func checkControlPlaneLogGroup(t Target) (int, []Finding) {
	var fs []Finding
	clusters := t.Graph.OfType(typeEKSCluster)
	minDays := 1
	if t.Environment == "prod" {
		minDays = 365
	}
	for _, c := range clusters {
		want := fmt.Sprintf("/aws/eks/%s/cluster", clusterName(c))
		var group *graph.Resource
		for _, lg := range t.Graph.OfType(typeLogGroup) {
			if n, _ := lg.String("name"); n == want {
				group = lg
			}
		}
		if group == nil {
			fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: "logGroup", Value: want, Message: "pre-create the control-plane log group, or EKS creates it unencrypted and never expiring"}})
			continue
		}
		if !t.Graph.DependsOn(c, group.URN) {
			fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: "dependsOn", Value: want, Message: "the cluster must be created after its log group"}})
		}
		if k, _ := group.String("kmsKeyId"); k == "" {
			fs = append(fs, Finding{URN: group.URN, Violation: Violation{Path: "kmsKeyId", Value: describe(group.Inputs, "kmsKeyId"), Message: "control-plane logs must be KMS-encrypted"}})
		}
		if d, err := group.Int("retentionInDays"); err != nil || d < minDays {
			fs = append(fs, Finding{URN: group.URN, Violation: Violation{Path: "retentionInDays", Value: describe(group.Inputs, "retentionInDays"), Message: fmt.Sprintf("retain control-plane logs at least %d days here", minDays)}})
		}
	}
	return len(clusters), fs
}

// keysByArn maps the ARN output of every KMS key to the key.
func keysByArn(g *graph.Graph) map[string]*graph.Resource {
	out := map[string]*graph.Resource{}
	for _, k := range g.OfType(typeKey) {
		if arn, ok := k.Outputs.GetOk("arn"); ok && arn.IsString() {
			out[arn.AsString()] = k
		}
	}
	return out
}

func checkSecretsEncryption(t Target) (int, []Finding) {
	var fs []Finding
	clusters := t.Graph.OfType(typeEKSCluster)
	for _, c := range clusters {
		key, ok := t.refOne(c, "encryptionConfigKeyArn", byArn, typeKey)
		switch {
		case !ok:
			fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: "encryptionConfigKeyArn", Value: describe(c.Inputs, "encryptionConfigKeyArn"), Message: "Secrets must be envelope-encrypted with a customer key of this stack"}})
		case len(checkKeyRotation(typeKey, key.Inputs)) > 0:
			fs = append(fs, Finding{URN: key.URN, Violation: Violation{Path: "enableKeyRotation", Value: describe(key.Inputs, "enableKeyRotation"), Message: "the Secrets key must rotate"}})
		}
	}
	return len(clusters), fs
}

func checkAuthMode(_ string, props property.Map) []Violation {
	if m, _ := str(props, "authenticationMode"); m == "API" {
		return nil
	}
	return []Violation{{Path: "authenticationMode", Value: describe(props, "authenticationMode"), Message: "use API: access entries are auditable AWS resources; the aws-auth ConfigMap is not"}}
}

func checkAccessEntries(t Target) (int, []Finding) {
	var fs []Finding
	personas := personaByGroup()
	groupOf := map[string]string{} // principal → persona group
	entries := t.Graph.OfType(typeAccessEntry)
	for _, e := range entries {
		principal, _ := e.String("principalArn")
		groups, _ := e.Strings("kubernetesGroups")
		if len(groups) != 1 {
			fs = append(fs, Finding{URN: e.URN, Violation: Violation{Path: "kubernetesGroups", Value: fmt.Sprint(groups), Message: "map a principal to exactly one persona group"}})
			continue
		}
		if _, ok := personas[groups[0]]; !ok {
			fs = append(fs, Finding{URN: e.URN, Violation: Violation{Path: "kubernetesGroups[0]", Value: groups[0], Message: fmt.Sprintf("not a persona group (allowed: %v)", slices.Sorted(maps.Keys(personas)))}})
			continue
		}
		groupOf[principal] = groups[0]
	}
	for _, a := range t.Graph.OfType(typeAccessPolicy) {
		principal, _ := a.String("principalArn")
		policy, _ := a.String("policyArn")
		policy = policy[strings.LastIndex(policy, "/")+1:]
		scope, _ := a.String("accessScope.type")
		group, ok := groupOf[principal]
		if !ok {
			fs = append(fs, Finding{URN: a.URN, Violation: Violation{Path: "principalArn", Value: principal, Message: "an access policy for a principal without a persona access entry"}})
			continue
		}
		want := personas[group]
		switch {
		case want.AccessPolicy == "":
			fs = append(fs, Finding{URN: a.URN, Violation: Violation{Path: "policyArn", Value: policy,
				Message: fmt.Sprintf("persona %s is authorised by in-cluster RBAC only: an EKS access policy would grant it more than its Roles", group)}})
		case policy != want.AccessPolicy:
			fs = append(fs, Finding{URN: a.URN, Violation: Violation{Path: "policyArn", Value: policy, Message: fmt.Sprintf("persona %s may only have %s", group, want.AccessPolicy)}})
		case scope != "cluster":
			fs = append(fs, Finding{URN: a.URN, Violation: Violation{Path: "accessScope.type", Value: scope, Message: fmt.Sprintf("persona %s has %s cluster-wide", group, want.AccessPolicy)}})
		}
	}
	return len(entries), fs
}

// privateSubnetIDs are the ids of the subnets tagged for internal load balancers.
func privateSubnetIDs(g *graph.Graph) map[string]bool {
	out := map[string]bool{}
	for _, s := range subnets(g) {
		if s.tier == "private" {
			out[s.res.ID] = true
		}
	}
	return out
}

func checkNodePlacement(t Target) (int, []Finding) {
	private := privateSubnetIDs(t.Graph)
	var fs []Finding
	groups := t.Graph.OfType(typeNodeGroup)
	for _, ng := range groups {
		if v, err := ng.Get("subnetIds"); err == nil && v.HasComputed() {
			// a preview: the subnets are the ones the node group depends on
			subs := t.ref(ng, "subnetIds", byID, typeSubnet)
			if len(subs) == 0 {
				fs = append(fs, Finding{URN: ng.URN, Violation: Violation{Path: "subnetIds", Value: describe(ng.Inputs, "subnetIds"), Message: "node subnets must be known private subnets"}})
			}
			for _, s := range subs {
				if !private[s.ID] {
					fs = append(fs, Finding{URN: ng.URN, Violation: Violation{Path: "subnetIds", Value: s.Name, Message: "nodes may run only in private subnets"}})
				}
			}
		} else {
			ids, err := ng.Strings("subnetIds")
			if err != nil || len(ids) == 0 {
				fs = append(fs, Finding{URN: ng.URN, Violation: Violation{Path: "subnetIds", Value: describe(ng.Inputs, "subnetIds"), Message: "node subnets must be known private subnets"}})
			}
			for i, id := range ids {
				if !private[id] {
					fs = append(fs, Finding{URN: ng.URN, Violation: Violation{Path: fmt.Sprintf("subnetIds[%d]", i), Value: id, Message: "nodes may run only in private subnets"}})
				}
			}
		}
		if ng.Has("remoteAccess") {
			fs = append(fs, Finding{URN: ng.URN, Violation: Violation{Path: "remoteAccess", Value: describe(ng.Inputs, "remoteAccess"), Message: "no SSH access to nodes (use SSM if shell access is ever needed)"}})
		}
	}
	for _, lt := range launchTemplates(t) {
		if lt.Has("keyName") {
			fs = append(fs, Finding{URN: lt.URN, Violation: Violation{Path: "keyName", Value: describe(lt.Inputs, "keyName"), Message: "no SSH key on nodes"}})
		}
	}
	return len(groups), fs
}

// launchTemplates are the launch templates node groups use.
func launchTemplates(t Target) []*graph.Resource {
	var out []*graph.Resource
	for _, ng := range t.Graph.OfType(typeNodeGroup) {
		if lt, ok := t.refOne(ng, "launchTemplate.id", byID, typeLaunchTemplate); ok && !slices.Contains(out, lt) {
			out = append(out, lt)
		}
	}
	return out
}

// nodeGroupsWithoutTemplate reports node groups that use no launch template of this stack: their
// metadata and volume settings are EKS defaults, which these controls cannot vouch for.
func nodeGroupsWithoutTemplate(t Target) []Finding {
	var fs []Finding
	for _, ng := range t.Graph.OfType(typeNodeGroup) {
		if _, ok := t.refOne(ng, "launchTemplate.id", byID, typeLaunchTemplate); !ok {
			fs = append(fs, Finding{URN: ng.URN, Violation: Violation{Path: "launchTemplate.id", Value: describe(ng.Inputs, "launchTemplate"), Message: "node groups must use a launch template of this stack"}})
		}
	}
	return fs
}

func checkNodeMetadata(t Target) (int, []Finding) {
	fs := nodeGroupsWithoutTemplate(t)
	lts := launchTemplates(t)
	for _, lt := range lts {
		if tokens, _ := lt.String("metadataOptions.httpTokens"); tokens != "required" {
			fs = append(fs, Finding{URN: lt.URN, Violation: Violation{Path: "metadataOptions.httpTokens", Value: describe(lt.Inputs, "metadataOptions.httpTokens"), Message: "require IMDSv2 (session tokens)"}})
		}
		if hops, err := lt.Int("metadataOptions.httpPutResponseHopLimit"); err != nil || hops != 1 {
			fs = append(fs, Finding{URN: lt.URN, Violation: Violation{Path: "metadataOptions.httpPutResponseHopLimit", Value: describe(lt.Inputs, "metadataOptions.httpPutResponseHopLimit"), Message: "hop limit 1 keeps pods from the node's credentials"}})
		}
	}
	return len(t.Graph.OfType(typeNodeGroup)), fs
}

func checkNodeVolumes(t Target) (int, []Finding) {
	fs := nodeGroupsWithoutTemplate(t)
	for _, lt := range launchTemplates(t) {
		n := lt.Len("blockDeviceMappings")
		if n == 0 {
			fs = append(fs, Finding{URN: lt.URN, Violation: Violation{Path: "blockDeviceMappings", Value: "none", Message: "declare the root volume, encrypted"}})
		}
		for i := range n {
			p := fmt.Sprintf("blockDeviceMappings[%d].ebs", i)
			if enc, _ := lt.String(p + ".encrypted"); enc != "true" {
				fs = append(fs, Finding{URN: lt.URN, Violation: Violation{Path: p + ".encrypted", Value: describe(lt.Inputs, p+".encrypted"), Message: "node volumes must be encrypted"}})
			}
			if k, _ := lt.String(p + ".kmsKeyId"); k == "" {
				fs = append(fs, Finding{URN: lt.URN, Violation: Violation{Path: p + ".kmsKeyId", Value: describe(lt.Inputs, p+".kmsKeyId"), Message: "encrypt node volumes with the customer data key"}})
			}
		}
	}
	return len(t.Graph.OfType(typeNodeGroup)), fs
}

// roleByArn maps role ARN outputs to roles.
func roleByArn(g *graph.Graph) map[string]*graph.Resource {
	out := map[string]*graph.Resource{}
	for _, r := range g.OfType(typeRole) {
		if arn, ok := r.Outputs.GetOk("arn"); ok && arn.IsString() {
			out[arn.AsString()] = r
		}
	}
	return out
}

// roleName is the name output of a role, which attachments and inline policies refer to.
func roleName(r *graph.Resource) string {
	if n, ok := r.Outputs.GetOk("name"); ok && n.IsString() {
		return n.AsString()
	}
	return ""
}

func checkNodeRole(t Target) (int, []Finding) {
	var fs []Finding
	checked := map[string]bool{}
	for _, ng := range t.Graph.OfType(typeNodeGroup) {
		role, ok := t.refOne(ng, "nodeRoleArn", byArn, typeRole)
		if !ok {
			fs = append(fs, Finding{URN: ng.URN, Violation: Violation{Path: "nodeRoleArn", Value: describe(ng.Inputs, "nodeRoleArn"), Message: "the node role must be a role of this stack"}})
			continue
		}
		if checked[role.URN] {
			continue
		}
		checked[role.URN] = true
		var have []string
		for _, a := range t.Graph.OfType(typeRoleAttachment) {
			if r, ok := t.refOne(a, "role", byRoleName, typeRole); ok && r == role {
				p, _ := a.String("policyArn")
				have = append(have, p[strings.LastIndex(p, "/")+1:])
			}
		}
		slices.Sort(have)
		if !slices.Equal(have, eksspec.NodeRolePolicies) {
			fs = append(fs, Finding{URN: role.URN, Violation: Violation{Path: "attachedPolicies", Value: fmt.Sprint(have), Message: fmt.Sprintf("the node role must carry exactly %v (the CNI policy belongs on the CNI's IRSA role)", eksspec.NodeRolePolicies)}})
		}
		for _, p := range t.Graph.OfType(typeRolePolicy) {
			if r, ok := t.refOne(p, "role", byRoleName, typeRole); ok && r == role {
				fs = append(fs, Finding{URN: p.URN, Violation: Violation{Path: "role", Value: describe(p.Inputs, "role"), Message: "no inline policies on the node role"}})
			}
		}
	}
	return len(checked), fs
}

// cniAddons returns the vpc-cni add-ons.
func cniAddons(g *graph.Graph) []*graph.Resource {
	var out []*graph.Resource
	for _, a := range g.OfType(typeAddon) {
		if n, _ := a.String("addonName"); n == "vpc-cni" {
			out = append(out, a)
		}
	}
	return out
}

func checkCNINetworkPolicy(t Target) (int, []Finding) {
	var fs []Finding
	clusters := t.Graph.OfType(typeEKSCluster)
	addons := cniAddons(t.Graph)
	for _, c := range clusters {
		var addon *graph.Resource
		for _, a := range addons {
			if n, _ := a.String("clusterName"); n == clusterName(c) {
				addon = a
			}
		}
		if addon == nil {
			fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: "addons", Value: "no vpc-cni", Message: "manage the VPC CNI as an add-on with enableNetworkPolicy, or NetworkPolicies are not enforced"}})
			continue
		}
		text, _ := addon.String("configurationValues")
		var values map[string]any
		if err := json.Unmarshal([]byte(text), &values); err != nil || fmt.Sprint(values["enableNetworkPolicy"]) != "true" {
			fs = append(fs, Finding{URN: addon.URN, Violation: Violation{Path: "configurationValues", Value: describe(addon.Inputs, "configurationValues"), Message: `set {"enableNetworkPolicy":"true"}: EKS does not enforce NetworkPolicies otherwise`}})
		}
		for _, ng := range t.Graph.OfType(typeNodeGroup) {
			if n, _ := ng.String("clusterName"); n == clusterName(c) && !t.Graph.DependsOn(ng, addon.URN) {
				fs = append(fs, Finding{URN: ng.URN, Violation: Violation{Path: "dependsOn", Value: "no vpc-cni", Message: "nodes must not start before the policy-enforcing CNI"}})
			}
		}
	}
	return len(clusters), fs
}

func checkCNIRole(t Target) (int, []Finding) {
	nodeRoles := map[*graph.Resource]bool{}
	for _, ng := range t.Graph.OfType(typeNodeGroup) {
		if role, ok := t.refOne(ng, "nodeRoleArn", byArn, typeRole); ok {
			nodeRoles[role] = true
		}
	}
	var fs []Finding
	addons := cniAddons(t.Graph)
	for _, a := range addons {
		role, ok := t.refOne(a, "serviceAccountRoleArn", byArn, typeRole)
		switch {
		case !ok || nodeRoles[role]:
			fs = append(fs, Finding{URN: a.URN, Violation: Violation{Path: "serviceAccountRoleArn", Value: describe(a.Inputs, "serviceAccountRoleArn"), Message: "the CNI needs its own IRSA role, not the node role"}})
		default:
			text, _ := role.String("assumeRolePolicy")
			doc, err := iampolicy.Parse(text)
			if err != nil || !trustsServiceAccount(doc, eksspec.CNIServiceAccountNamespace, eksspec.CNIServiceAccount) {
				fs = append(fs, Finding{URN: role.URN, Violation: Violation{Path: "assumeRolePolicy", Value: "not kube-system/aws-node", Message: "the CNI role must trust exactly the aws-node service account"}})
			}
		}
	}
	return len(addons), fs
}

// trustsServiceAccount reports whether a trust policy admits the service account by exact sub.
func trustsServiceAccount(doc iampolicy.Document, namespace, sa string) bool {
	for _, s := range doc.Statements {
		if s.Effect != iampolicy.Allow || !s.CoversAction(iampolicy.AssumeRoleWithWebIdentity) {
			continue
		}
		for key, values := range s.Conditions["StringEquals"] {
			if strings.HasSuffix(key, ":sub") && slices.Equal(values, []string{"system:serviceaccount:" + namespace + ":" + sa}) {
				return true
			}
		}
	}
	return false
}

func checkIRSATrust(_ string, props property.Map) []Violation {
	text, ok := str(props, "assumeRolePolicy")
	if !ok {
		return nil // IAM-001 reports unknown trust policies
	}
	doc, err := iampolicy.Parse(text)
	if err != nil {
		return nil
	}
	var vs []Violation
	for i, s := range doc.Statements {
		if s.Effect != iampolicy.Allow || !s.CoversAction(iampolicy.AssumeRoleWithWebIdentity) {
			continue
		}
		if s.Principal != nil && trustsGitHub(s.Principal.Federated) {
			continue // a push role: REG-005 judges GitHub's trusts
		}
		path := fmt.Sprintf("assumeRolePolicy.Statement[%d].Condition", i)
		var sub, aud []string
		for key, values := range s.Conditions["StringEquals"] {
			switch {
			case strings.HasSuffix(key, ":sub"):
				sub = values
			case strings.HasSuffix(key, ":aud"):
				aud = values
			}
		}
		exact := len(sub) > 0
		for _, v := range sub {
			exact = exact && !strings.ContainsAny(v, "*?") && strings.Count(v, ":") == 3 && strings.HasPrefix(v, "system:serviceaccount:")
		}
		if !exact {
			vs = append(vs, Violation{Path: path + ".StringEquals.sub", Value: fmt.Sprint(sub), Message: "pin the trust to exact service accounts (StringEquals on :sub, system:serviceaccount:<namespace>:<name>)"})
		}
		if !slices.Equal(aud, []string{iampolicy.STSAudience}) {
			vs = append(vs, Violation{Path: path + ".StringEquals.aud", Value: fmt.Sprint(aud), Message: "pin the audience to sts.amazonaws.com"})
		}
		if len(s.Conditions["StringLike"]) > 0 {
			vs = append(vs, Violation{Path: path + ".StringLike", Value: fmt.Sprint(s.Conditions["StringLike"]), Message: "no wildcard conditions on an IRSA trust"})
		}
	}
	return vs
}
