package pack

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/urn"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/lib/iprange"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
)

// EKSComponentType is the type token of pulumi-eks's cluster component. The offline recorder sees
// it once, with its inputs; the resources pulumi-eks creates inside it exist only in a real
// preview, where their URNs carry this type in their type chain.
const EKSComponentType = "eks:index:Cluster"

// InsideEKSCluster reports whether a URN names a resource that pulumi-eks created inside its
// cluster component: eks:index:Cluster is one of the parent types in the URN's type chain
// (urn:pulumi:<stack>::<project>::...$eks:index:Cluster$...$<type>::<name>). The child rules judge
// only those, so they never judge what the offline controls already judge.
func InsideEKSCluster(u string) bool {
	parsed, err := urn.Parse(u)
	if err != nil {
		return false
	}
	chain := strings.Split(string(parsed.QualifiedType()), urn.TypeDelimiter)
	return slices.Contains(chain[:len(chain)-1], EKSComponentType)
}

// ChildRule is a check on one kind of resource that pulumi-eks (v3.9.1, nodejs/eks/cluster/cluster.ts
// and nodes/securitygroup.ts) creates inside eks:index:Cluster, written against the properties it
// sets there for the inputs components/cluster passes.
type ChildRule struct {
	// ID is the rule's id ("EKSC-001"); its policy name is the id lower-cased.
	ID    string
	Title string
	// Offline is the catalog control that judges the same setting in the offline plan: on the inputs
	// components/cluster passes to pulumi-eks (EKS-001, -002, -004, -005), or on the product's own
	// resources of the kind (NET-008, IAM-001, IAM-002), which is all the offline plan can see.
	Offline string
	// Types are the resource types the rule applies to, inside eks:index:Cluster only.
	Types []string
	// Check judges one resource's properties as a preview shows them: a value unknown only because
	// it names a resource not created yet (a key ARN, an issuer URL) passes, as apply checks it; an
	// unknown security setting (a boolean, a CIDR list, the log types) is a violation.
	Check controls.ResourceCheck
}

// Resource types pulumi-eks creates inside its cluster component.
const (
	typeAWSCluster   = "aws:eks/cluster:Cluster"
	typeSG           = "aws:ec2/securityGroup:SecurityGroup"
	typeSGRule       = "aws:ec2/securityGroupRule:SecurityGroupRule"
	typeOIDCProvider = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
	typeRole         = "aws:iam/role:Role"
	typeAttachment   = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	typeRolePolicy   = "aws:iam/rolePolicy:RolePolicy"
)

// ChildRules are the rules on pulumi-eks's children, in id order.
func ChildRules() []ChildRule {
	return []ChildRule{
		{ID: "EKSC-001", Title: "The EKS cluster's API endpoint is private; a public endpoint only for an allow-list short of the internet",
			Offline: "EKS-001", Types: []string{typeAWSCluster}, Check: checkEndpoint},
		{ID: "EKSC-002", Title: "The EKS cluster sends all five control-plane log types",
			Offline: "EKS-002", Types: []string{typeAWSCluster}, Check: checkLogTypes},
		{ID: "EKSC-003", Title: "The EKS cluster envelope-encrypts Secrets with a customer KMS key",
			Offline: "EKS-004", Types: []string{typeAWSCluster}, Check: checkSecretsEncryption},
		{ID: "EKSC-004", Title: "pulumi-eks's security groups and rules admit nothing from 0.0.0.0/0 or ::/0",
			Offline: "NET-008", Types: []string{typeSG, typeSGRule}, Check: checkIngress},
		{ID: "EKSC-005", Title: "The cluster's OIDC provider trusts the EKS issuer for the STS audience only",
			Offline: "EKS-005", Types: []string{typeOIDCProvider}, Check: checkOIDCProvider},
		{ID: "EKSC-006", Title: "pulumi-eks's only role is the cluster's service role, trusted by eks.amazonaws.com alone",
			Offline: "IAM-001", Types: []string{typeRole}, Check: checkServiceRoleTrust},
		{ID: "EKSC-007", Title: "The service role holds AmazonEKSClusterPolicy and nothing else",
			Offline: "IAM-002", Types: []string{typeRole, typeAttachment, typeRolePolicy}, Check: checkServiceRolePolicies},
	}
}

// state says whether a property path holds a known value, an unknown one or nothing.
type state int

const (
	absent state = iota
	unknown
	known
)

// at walks a dotted path of map keys. A computed value on the way makes the path unknown (pulumi-eks
// builds whole objects in applies); a missing key, a null or a non-map on the way makes it absent.
func at(m property.Map, path string) (property.Value, state) {
	v := property.New(m)
	for _, key := range strings.Split(path, ".") {
		if v.IsComputed() {
			return v, unknown
		}
		if !v.IsMap() {
			return property.Value{}, absent
		}
		next, ok := v.AsMap().GetOk(key)
		if !ok || next.IsNull() {
			return property.Value{}, absent
		}
		v = next
	}
	if v.IsComputed() {
		return v, unknown
	}
	return v, known
}

// stringList reads a known list of known strings; ok is false if the value is not a list, or an
// element is unknown or not a string.
func stringList(v property.Value) (out []string, ok bool) {
	if !v.IsArray() {
		return nil, false
	}
	for _, e := range v.AsArray().All {
		if !e.IsString() {
			return nil, false
		}
		out = append(out, e.AsString())
	}
	return out, true
}

func violation(path string, v property.Value, s state, message string) controls.Violation {
	value := "absent"
	if s != absent {
		value = graph.Describe(v)
	}
	return controls.Violation{Path: path, Value: value, Message: message}
}

func checkEndpoint(_ string, props property.Map) []controls.Violation {
	var vs []controls.Violation
	const privatePath, publicPath, cidrPath = "vpcConfig.endpointPrivateAccess", "vpcConfig.endpointPublicAccess", "vpcConfig.publicAccessCidrs"
	private, s := at(props, privatePath)
	if s != known || !private.IsBool() || !private.AsBool() {
		vs = append(vs, violation(privatePath, private, s, "the private endpoint must be on, and known at preview"))
	}
	public, s := at(props, publicPath)
	switch {
	case s == unknown:
		return append(vs, violation(publicPath, public, s, "whether the endpoint is public must be known at preview"))
	case s == absent || !public.IsBool():
		return append(vs, violation(publicPath, public, s, "set it explicitly: EKS's default is a public endpoint"))
	case !public.AsBool():
		return vs
	}
	cidrs, s := at(props, cidrPath)
	list, ok := stringList(cidrs)
	switch {
	case s == unknown || (s == known && cidrs.HasComputed()):
		return append(vs, violation(cidrPath, cidrs, s, "a public endpoint's allow-list must be known at preview"))
	case s == absent || !ok || len(list) == 0:
		return append(vs, violation(cidrPath, cidrs, s, "a public endpoint needs an allow-list (EKS's default is 0.0.0.0/0)"))
	}
	whole := false
	for i, c := range list {
		p, err := netip.ParsePrefix(c)
		switch {
		case err != nil || !p.Addr().Is4():
			vs = append(vs, violation(fmt.Sprintf("%s[%d]", cidrPath, i), property.New(c), known, "not an IPv4 CIDR block"))
		case p.Bits() == 0:
			whole = true
			vs = append(vs, violation(fmt.Sprintf("%s[%d]", cidrPath, i), property.New(c), known, "opens the API endpoint to the whole internet"))
		}
	}
	// Judged by the union too: [0.0.0.0/1, 128.0.0.0/1] is the whole internet as well.
	if !whole && iprange.InternetShare(list) >= 1 {
		vs = append(vs, violation(cidrPath, cidrs, known, "together these ranges open the API endpoint to the whole internet"))
	}
	return vs
}

func checkLogTypes(_ string, props property.Map) []controls.Violation {
	const path = "enabledClusterLogTypes"
	v, s := at(props, path)
	if s == unknown || (s == known && v.HasComputed()) {
		return []controls.Violation{violation(path, v, s, "the log types must be known at preview")}
	}
	have, _ := stringList(v)
	var missing []string
	for _, lt := range eksspec.LogTypes {
		if !slices.Contains(have, lt) {
			missing = append(missing, lt)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return []controls.Violation{violation(path, v, s, fmt.Sprintf("missing %v: all of %v are required", missing, eksspec.LogTypes))}
}

var (
	// customerKeyArn is a KMS key's ARN: a key id (UUID or multi-Region mrk-) in an account.
	customerKeyArn = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:[0-9]{12}:key/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$`)
	// awsManagedAlias is the alias of a key AWS manages (alias/aws/...): not a customer key.
	awsManagedAlias = regexp.MustCompile(`^(arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:[0-9]{12}:)?alias/aws/`)
)

// checkSecretsEncryption: pulumi-eks sets encryptionConfig = {provider: {keyArn}, resources:
// ["secrets"]} in an apply on encryptionConfigKeyArn (createCore, cluster.ts), so the whole object
// is unknown exactly when the key ARN is: a key created in the same update. That is not reported;
// apply checks it and EKS-004 proves offline that the key is this stack's rotating key.
func checkSecretsEncryption(_ string, props property.Map) []controls.Violation {
	const path, resourcesPath, keyPath = "encryptionConfig", "encryptionConfig.resources", "encryptionConfig.provider.keyArn"
	enc, s := at(props, path)
	switch {
	case s == absent || (s == known && !enc.IsMap()):
		return []controls.Violation{violation(path, enc, s, "Kubernetes Secrets must be envelope-encrypted with a customer KMS key")}
	case s == unknown:
		return nil
	}
	var vs []controls.Violation
	resources, s := at(props, resourcesPath)
	list, ok := stringList(resources)
	if s != known || !ok || !slices.Contains(list, "secrets") {
		vs = append(vs, violation(resourcesPath, resources, s, `must be ["secrets"], known at preview`))
	}
	key, s := at(props, keyPath)
	switch {
	case s == unknown:
		// The ARN of a key not created yet: checked at apply.
	case s == absent || !key.IsString():
		vs = append(vs, violation(keyPath, key, s, "name the customer KMS key by its ARN"))
	case awsManagedAlias.MatchString(key.AsString()):
		vs = append(vs, violation(keyPath, key, s, "an AWS managed key: use a customer key, whose policy and rotation this stack controls"))
	case !customerKeyArn.MatchString(key.AsString()):
		vs = append(vs, violation(keyPath, key, s, "not a KMS key ARN (arn:<partition>:kms:<region>:<account>:key/<id>): an alias can be repointed"))
	}
	return vs
}

// checkIngress: pulumi-eks's groups have no inline rules; its ingress rules name a source group or
// self. An unknown rule kind or CIDR list could be anything, so it is reported.
func checkIngress(typ string, props property.Map) []controls.Violation {
	if typ == typeSG {
		rules, s := at(props, "ingress")
		switch {
		case s == absent:
			return nil
		case s == unknown || !rules.IsArray():
			return []controls.Violation{violation("ingress", rules, s, "inline ingress rules must be known at preview")}
		}
		var vs []controls.Violation
		for i, rule := range rules.AsArray().All {
			path := fmt.Sprintf("ingress[%d]", i)
			if !rule.IsMap() {
				vs = append(vs, violation(path, rule, unknown, "inline ingress rules must be known at preview"))
				continue
			}
			vs = append(vs, checkSources(path+".", rule.AsMap())...)
		}
		return vs
	}
	kind, s := at(props, "type")
	switch {
	case s != known || !kind.IsString():
		return []controls.Violation{violation("type", kind, s, "whether the rule is ingress must be known at preview")}
	case kind.AsString() != "ingress":
		return nil
	}
	return checkSources("", props)
}

// checkSources judges the CIDR sources of one ingress rule.
func checkSources(prefix string, rule property.Map) []controls.Violation {
	var vs []controls.Violation
	for _, key := range []string{"cidrBlocks", "ipv6CidrBlocks"} {
		v, s := at(rule, key)
		if s == absent {
			continue
		}
		list, ok := stringList(v)
		if !ok {
			vs = append(vs, violation(prefix+key, v, s, "the sources of an ingress rule must be known at preview"))
			continue
		}
		var open []string
		for _, c := range list {
			if p, err := netip.ParsePrefix(c); err == nil && p.Bits() == 0 {
				open = append(open, c)
			}
		}
		if len(open) == 0 && key == "cidrBlocks" && iprange.InternetShare(list) >= 1 {
			open = list
		}
		if len(open) > 0 {
			vs = append(vs, controls.Violation{Path: prefix + key, Value: fmt.Sprint(open), Message: "ingress from the whole internet"})
		}
	}
	return vs
}

var (
	// thumbprint is how pulumi-eks writes the issuer CA's SHA-1 fingerprint (cert-thumprint.ts:
	// colons removed, lower case).
	thumbprint = regexp.MustCompile(`^[0-9a-f]{40}$`)
	// eksIssuer is the cluster's OIDC issuer, which pulumi-eks passes as the provider's url.
	eksIssuer = regexp.MustCompile(`^https://oidc\.eks\.[a-z]{2}(-[a-z]+)+-[0-9]+\.amazonaws\.com(\.cn)?/id/[0-9A-F]{32}$`)
)

func checkOIDCProvider(_ string, props property.Map) []controls.Violation {
	var vs []controls.Violation
	clients, s := at(props, "clientIdLists")
	if list, ok := stringList(clients); s != known || !ok || !slices.Equal(list, []string{iampolicy.STSAudience}) {
		vs = append(vs, violation("clientIdLists", clients, s, "the only audience is "+iampolicy.STSAudience+", known at preview"))
	}
	prints, s := at(props, "thumbprintLists")
	list, ok := stringList(prints)
	if s != known || !ok || len(list) == 0 || slices.ContainsFunc(list, func(p string) bool { return !thumbprint.MatchString(p) }) {
		vs = append(vs, violation("thumbprintLists", prints, s, "the issuer CA's SHA-1 thumbprints, 40 lower-case hex digits each, known at preview"))
	}
	// The issuer is the cluster's output: unknown until the cluster exists, then checked here.
	if u, s := at(props, "url"); s == absent || (s == known && (!u.IsString() || !eksIssuer.MatchString(u.AsString()))) {
		vs = append(vs, violation("url", u, s, "must be the cluster's issuer, https://oidc.eks.<region>.amazonaws.com/id/<id>"))
	}
	return vs
}

// eksService is the only principal of the cluster's service role; pulumi-eks lets it assume the
// role and tag the session (ServiceRole, servicerole.ts, assumeRoleActions).
const eksService = "eks.amazonaws.com"

var serviceRoleActions = []string{"sts:AssumeRole", "sts:TagSession"}

// checkServiceRoleTrust: with skipDefaultNodeGroup, no Fargate and no auto mode (what
// components/cluster asks for), the cluster's service role is the only role pulumi-eks creates, so
// any other trust inside the component is a configuration this product never asked for.
func checkServiceRoleTrust(_ string, props property.Map) []controls.Violation {
	const path = "assumeRolePolicy"
	v, s := at(props, path)
	if s != known || !v.IsString() {
		return []controls.Violation{violation(path, v, s, "the trust policy must be known at preview")}
	}
	doc, err := iampolicy.Parse(v.AsString())
	if err != nil {
		return []controls.Violation{{Path: path, Value: "unparseable", Message: err.Error()}}
	}
	var vs []controls.Violation
	for i, st := range doc.Statements {
		if st.Effect != iampolicy.Allow {
			continue
		}
		p := st.Principal
		if st.NotPrincipal != nil || p == nil || p.Wildcard || len(p.AWS) > 0 || len(p.Federated) > 0 || !slices.Equal(p.Service, []string{eksService}) {
			vs = append(vs, controls.Violation{Path: fmt.Sprintf("%s.Statement[%d].Principal", path, i), Value: principal(st),
				Message: "only " + eksService + " may assume the cluster's service role"})
		}
		if len(st.NotActions) > 0 || slices.ContainsFunc(st.Actions, func(a string) bool { return !slices.Contains(serviceRoleActions, a) }) {
			vs = append(vs, controls.Violation{Path: fmt.Sprintf("%s.Statement[%d].Action", path, i), Value: fmt.Sprint(st.Actions) + notActions(st),
				Message: fmt.Sprintf("the service allows only %v", serviceRoleActions)})
		}
	}
	return vs
}

// principal renders a statement's principal for evidence.
func principal(st iampolicy.Statement) string {
	p := st.Principal
	switch {
	case st.NotPrincipal != nil:
		return "NotPrincipal"
	case p == nil:
		return "absent"
	case p.Wildcard:
		return "*"
	}
	var parts []string
	for _, f := range []struct {
		key  string
		list []string
	}{{"AWS", p.AWS}, {"Federated", p.Federated}, {"Service", p.Service}} {
		if len(f.list) > 0 {
			parts = append(parts, fmt.Sprintf("%s %v", f.key, f.list))
		}
	}
	return strings.Join(parts, ", ")
}

func notActions(st iampolicy.Statement) string {
	if len(st.NotActions) == 0 {
		return ""
	}
	return fmt.Sprintf(" NotAction %v", st.NotActions)
}

// clusterPolicy is the one managed policy pulumi-eks attaches to the service role without auto mode
// (createCore's managedPolicies), in any partition.
var clusterPolicy = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::aws:policy/AmazonEKSClusterPolicy$`)

// checkServiceRolePolicies: pulumi-eks attaches AmazonEKSClusterPolicy with a RolePolicyAttachment
// (ServiceRole) and writes no inline policy for this configuration (it does only for the deprecated
// customInstanceRolePolicy and a creation role provider, neither of which the product uses).
func checkServiceRolePolicies(typ string, props property.Map) []controls.Violation {
	switch typ {
	case typeRolePolicy:
		return []controls.Violation{{Path: "policy", Value: "inline policy", Message: "pulumi-eks's roles take no inline policy here: only AmazonEKSClusterPolicy, attached"}}
	case typeAttachment:
		arn, s := at(props, "policyArn")
		if s != known || !arn.IsString() || !clusterPolicy.MatchString(arn.AsString()) {
			return []controls.Violation{violation("policyArn", arn, s, "the service role holds AmazonEKSClusterPolicy only, known at preview")}
		}
		return nil
	}
	var vs []controls.Violation
	if arns, s := at(props, "managedPolicyArns"); s != absent {
		list, ok := stringList(arns)
		if !ok || slices.ContainsFunc(list, func(a string) bool { return !clusterPolicy.MatchString(a) }) {
			vs = append(vs, violation("managedPolicyArns", arns, s, "the service role holds AmazonEKSClusterPolicy only, known at preview"))
		}
	}
	if inline, s := at(props, "inlinePolicies"); s != absent && !noInlinePolicy(inline) {
		vs = append(vs, violation("inlinePolicies", inline, s, "pulumi-eks's roles take no inline policy here: only AmazonEKSClusterPolicy, attached"))
	}
	return vs
}

// noInlinePolicy reports whether a role's inlinePolicies hold no policy text: a list whose
// entries, if any, have an empty or no policy.
func noInlinePolicy(v property.Value) bool {
	if !v.IsArray() {
		return false
	}
	for _, e := range v.AsArray().All {
		if !e.IsMap() {
			return false
		}
		if policy, s := at(e.AsMap(), "policy"); s == unknown || (s == known && (!policy.IsString() || policy.AsString() != "")) {
			return false
		}
	}
	return true
}
