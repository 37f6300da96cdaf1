package controls

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/engine/graph"
)

// Unknown values in a preview.
//
// In a `pulumi preview` the ids and ARNs of resources not yet created are unknown, and so is every
// input built from them (a policy document naming an ARN). The engine hands them to a policy pack as
// property.Computed; the recorder records a preview the same way (graph.Resource.Inputs). One rule
// decides what a control does with them, written once here and applied to every control:
//
//   - an unknown value at one of the control's Refs (a reference to another resource, or a document
//     built from references) is deferred: the subject passes, "checked at apply", and the result
//     lists it (Result.Deferred). At apply the values are known and the same checks run on them
//     (the policy pack runs on `pulumi up` too). Graph checks follow an unknown reference through
//     the resource's dependencies (Target.ref), so a resource that must exist is still required;
//   - an unknown value at one of the control's Literals (a security setting that must be a literal:
//     a boolean, a CIDR list, log types, a TLS policy) fails the control: the unknown is the risk;
//   - any other unknown value is judged by the check itself, which fails on what it cannot read.
//
// In an update (every value known) the rule changes nothing.

// UnknownRule is a control's decision for inputs unknown at plan time. Paths use graph.Lookup's
// syntax with [*] for any list index; a path covers the values under it, and the longest path that
// covers an unknown value decides.
type UnknownRule struct {
	// Refs are input paths holding references to resources (ids, ARNs, names) or documents built
	// from them: unknown there, the subject is deferred to apply.
	Refs []string
	// Literals are input paths that must be literals known at plan time: unknown there, it fails.
	Literals []string
}

// Policy documents that name ARNs of resources created in the same update are references.
const (
	refPolicy      = "policy"
	refTrustPolicy = "assumeRolePolicy"
	refKmsKeyID    = "kmsKeyId"
	refRole        = "role"
)

// unknownRules are the decisions, per control id. A control not listed defers nothing.
var unknownRules = map[string]UnknownRule{
	"NET-002": {Literals: []string{"mapPublicIpOnLaunch", "assignIpv6AddressOnCreation"}},
	"NET-004": {Refs: []string{"subnetId", "routeTableId", "routes[*].natGatewayId", "routes[*].gatewayId"}, Literals: []string{"routes[*].cidrBlock"}},
	"NET-005": {Refs: []string{"subnetId", "routeTableId", "routes[*].natGatewayId"}},
	"NET-006": {Refs: []string{"vpcId"}, Literals: []string{"ingress", "egress"}},
	"NET-007": {Refs: []string{"vpcId", "logDestination", "iamRoleArn", refKmsKeyID}, Literals: []string{"trafficType", "retentionInDays"}},
	"NET-008": {Refs: []string{"ingress[*].securityGroups", "securityGroupId", "sourceSecurityGroupId", "referencedSecurityGroupId", "vpcId"},
		Literals: []string{"ingress", "cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6"}},
	"NET-009": {Refs: []string{"vpcId", "routeTableIds", "subnetIds", "securityGroupIds"}, Literals: []string{"policy", "vpcEndpointType"}},
	"KMS-001": {Literals: []string{"enableKeyRotation"}},
	"KMS-002": {Refs: []string{refPolicy}},
	"KMS-003": {Refs: []string{"targetKeyId"}, Literals: []string{"deletionWindowInDays"}},
	"LOG-001": {Refs: []string{refKmsKeyID}, Literals: []string{"retentionInDays"}},
	"IAM-001": {Refs: []string{refTrustPolicy}},
	"IAM-002": {Refs: []string{refPolicy, refRole}},
	"IAM-003": {Refs: []string{refTrustPolicy}},
	"IAM-004": {Refs: []string{refPolicy, refRole, "bucket"}},
	"EKS-001": {Literals: []string{"endpointPrivateAccess", "endpointPublicAccess", "publicAccessCidrs"}},
	"EKS-002": {Literals: []string{"enabledClusterLogTypes"}},
	"EKS-003": {Refs: []string{refKmsKeyID}, Literals: []string{"name", "retentionInDays"}},
	"EKS-004": {Refs: []string{"encryptionConfigKeyArn"}},
	"EKS-009": {Refs: []string{"subnetIds", "launchTemplate.id"}, Literals: []string{"remoteAccess", "keyName"}},
	"EKS-010": {Refs: []string{"launchTemplate.id", "launchTemplate.version"}, Literals: []string{"metadataOptions"}},
	"EKS-011": {Refs: []string{"launchTemplate.id", "launchTemplate.version", "blockDeviceMappings[*].ebs.kmsKeyId"}, Literals: []string{"blockDeviceMappings[*].ebs.encrypted"}},
	"EKS-012": {Refs: []string{"nodeRoleArn", refRole}, Literals: []string{"policyArn"}},
	"EKS-014": {Refs: []string{"serviceAccountRoleArn", "nodeRoleArn", refTrustPolicy}},
	"EKS-016": {Refs: []string{"subnetIds"}},
	"RUN-001": {Refs: []string{"vpcConfig.subnets", "vpcConfig.securityGroupIds", "vpcConfig.vpcId", "serviceRole", refRole, refPolicy},
		Literals: []string{"ingress", "environment.privilegedMode"}},
	"RUN-002": {Refs: []string{"vpcConfig.subnets", "vpcConfig.securityGroupIds", "vpcConfig.vpcId", "serviceRole", refRole, refPolicy},
		Literals: []string{"environment.privilegedMode", "source.location", "filterGroups"}},
	"EDGE-001": {Refs: []string{`metadata.annotations["alb.ingress.kubernetes.io/certificate-arn"]`}},
	"EDGE-006": {Refs: []string{refPolicy, "bucket"}},
	"GD-002":   {Refs: []string{"rule", "arn", "kmsMasterKeyId", refPolicy}, Literals: []string{"eventPattern"}},
	"REG-003":  {Refs: []string{"encryptionConfigurations[*].kmsKey"}, Literals: []string{"encryptionConfigurations[*].encryptionType"}},
	"REG-004":  {Refs: []string{"repository", refPolicy}},
	"STO-001":  {Refs: []string{"parameters.kmsKeyId"}, Literals: []string{"parameters.encrypted", "parameters.type"}},
	"S3-005":   {Refs: []string{refPolicy, "bucket"}},
	"DDB-001":  {Refs: []string{"serverSideEncryption.kmsKeyArn"}, Literals: []string{"serverSideEncryption.enabled"}},
	"EFS-001":  {Refs: []string{refKmsKeyID}, Literals: []string{"encrypted"}},
	"EFS-002":  {Refs: []string{"fileSystemId", refPolicy}},
	"EFS-003": {Refs: []string{"subnetId", "securityGroups", "securityGroupId", "sourceSecurityGroupId", "referencedSecurityGroupId", "fileSystemId"},
		Literals: []string{"ingress", "cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6"}},
	"EFS-004": {Refs: []string{"fileSystemId"}, Literals: []string{"backupPolicy.status"}},
	"EFS-005": {Refs: []string{"fileSystemId", refPolicy, refRole, "serviceAccountRoleArn"}},
	"SEC-001": {Refs: []string{refKmsKeyID}, Literals: []string{"recoveryWindowInDays"}},
	"SEC-002": {Refs: []string{"secretArn", refPolicy}, Literals: []string{"blockPublicPolicy"}},
	"ACC-001": {Refs: []string{"keyArn"}, Literals: []string{"enabled"}},
}

// RuleFor returns the rule of the control with the id (the zero rule for a control that lists none).
func RuleFor(id string) UnknownRule { return unknownRules[id] }

// RuleIDs are the ids of the controls with a rule for unknown values, sorted.
func RuleIDs() []string { return slices.Sorted(maps.Keys(unknownRules)) }

// Deferral is an input of a resource that a control could not judge at plan time because it
// references a resource not yet created: the check runs at apply.
type Deferral struct {
	URN  string
	Path string
}

func (d Deferral) String() string { return d.URN + ": " + d.Path + " (checked at apply)" }

// unknownKind is what a rule says about one unknown value.
type unknownKind int

const (
	unlisted unknownKind = iota // the check judges it
	deferred                    // a reference: checked at apply
	literal                     // must be known: fails
)

var listIndex = regexp.MustCompile(`\[[0-9]+\]`)

// covers reports whether pattern covers path (a concrete path, list indexes as [*]), and how
// specifically (the pattern's length), 0 if not.
func covers(pattern, path string) int {
	if path == pattern || strings.HasPrefix(path, pattern+".") || strings.HasPrefix(path, pattern+"[") {
		return len(pattern)
	}
	return 0
}

// classify applies the rule to the path of an unknown value.
func (u UnknownRule) classify(path string) unknownKind {
	norm := listIndex.ReplaceAllString(path, "[*]")
	best, kind := 0, unlisted
	for _, p := range u.Refs {
		if n := covers(p, norm); n > best {
			best, kind = n, deferred
		}
	}
	for _, p := range u.Literals {
		if n := covers(p, norm); n > best {
			best, kind = n, literal
		}
	}
	return kind
}

// UnknownPaths returns the paths (graph.Lookup syntax) of the unknown values in props, sorted.
// A value that is unknown as a whole is listed once, not its (absent) insides.
func UnknownPaths(props property.Map) []string {
	var out []string
	var walk func(path string, v property.Value)
	walk = func(path string, v property.Value) {
		switch {
		case v.IsComputed():
			out = append(out, path)
		case v.IsArray():
			for i, e := range v.AsArray().All {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case v.IsMap():
			for k, e := range v.AsMap().AllStable {
				walk(joinKey(path, k), e)
			}
		}
	}
	for k, v := range props.AllStable {
		walk(joinKey("", k), v)
	}
	slices.Sort(out)
	return out
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$-]*$`)

// joinKey appends a map key to a path, bracketed and quoted when it is not a plain name.
func joinKey(path, key string) string {
	if !plainKey.MatchString(key) {
		return fmt.Sprintf("%s[%q]", path, key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

// related reports whether a finding at path a concerns the value at path b: the same value, or
// one holds the other.
func related(a, b string) bool {
	return covers(a, b) > 0 || covers(b, a) > 0
}

// unknownValue is the rendering of an unknown value in findings.
const unknownValue = "[unknown until apply]"

// settle applies the rule to what a check found on one resource's inputs: a finding that concerns
// an unknown reference is deferred instead; an unknown literal always fails; an unknown reference
// the check accepted silently is deferred too, so that the result shows it.
func (u UnknownRule) settle(props property.Map, vs []Violation) (kept []Violation, deferredPaths []string) {
	unknown := UnknownPaths(props)
	if len(unknown) == 0 {
		return vs, nil
	}
	literals := map[string]bool{}
	for _, p := range unknown {
		switch u.classify(p) {
		case deferred:
			deferredPaths = append(deferredPaths, p)
		case literal:
			literals[p] = true
		}
	}
	for _, v := range vs {
		if slices.ContainsFunc(deferredPaths, func(p string) bool { return related(v.Path, p) }) &&
			!slices.ContainsFunc(slices.Collect(maps.Keys(literals)), func(p string) bool { return related(v.Path, p) }) {
			continue
		}
		if literals[v.Path] {
			delete(literals, v.Path) // the check's own finding says it
		}
		kept = append(kept, v)
	}
	for _, p := range slices.Sorted(maps.Keys(literals)) {
		kept = append(kept, Violation{Path: p, Value: unknownValue,
			Message: "must be known at plan time: a security setting unknown until apply cannot be checked"})
	}
	return kept, deferredPaths
}

// JudgeResource runs the control's per-resource check on one resource under the control's rule for
// unknown values: the violations, and the paths deferred to apply. The policy pack's Resource is
// this without the deferred paths.
func (c *Control) JudgeResource(typ string, props property.Map) ([]Violation, []string) {
	check := c.rawResource
	if check == nil {
		check = c.Resource
	}
	return RuleFor(c.ID).settle(props, check(typ, props))
}

// applyUnknownRules makes every control's Resource apply the rule, so that the policy pack (which
// calls Resource) and Run judge unknown values alike.
func applyUnknownRules(cs []*Control) {
	for _, c := range cs {
		if c.Resource == nil || c.rawResource != nil {
			continue
		}
		c.rawResource = c.Resource
		c.Resource = func(typ string, props property.Map) []Violation {
			vs, _ := c.JudgeResource(typ, props)
			return vs
		}
	}
}

func init() { applyUnknownRules(Catalog()) }

// unknownState collects a run's deferrals; Run gives each graph check one through its Target.
type unknownState struct {
	rule     UnknownRule
	deferred map[Deferral]bool
	// handled are the unknown inputs a graph check judged itself (deferrable, ref): its findings
	// there stand, since it followed the reference to the resources it names.
	handled map[string][]string // URN → paths
}

func (s *unknownState) add(urn, path string) {
	if s != nil {
		s.deferred[Deferral{URN: urn, Path: path}] = true
	}
}

func (s *unknownState) list() []Deferral {
	if s == nil || len(s.deferred) == 0 {
		return nil
	}
	out := slices.Collect(maps.Keys(s.deferred))
	slices.SortFunc(out, func(a, b Deferral) int { return strings.Compare(a.URN+" "+a.Path, b.URN+" "+b.Path) })
	return out
}

// deferrable reports whether the value at path of r is unknown (or holds an unknown) and the
// control's rule defers it there; if so the deferral is recorded. Without a rule (a Target built
// by hand) nothing is deferrable.
func (t Target) deferrable(r *graph.Resource, path string) bool {
	if t.unknowns == nil {
		return false
	}
	v, err := r.Get(path)
	if err != nil || !v.HasComputed() {
		return false
	}
	if t.unknowns.rule.classify(path) != deferred {
		return false
	}
	t.unknowns.add(r.URN, path)
	if t.unknowns.handled == nil {
		t.unknowns.handled = map[string][]string{}
	}
	t.unknowns.handled[r.URN] = append(t.unknowns.handled[r.URN], path)
	return true
}

// ref resolves the reference input at path of r (a string, or a list of strings) to the resources
// of the types it names: known values through match (the id, ARN or name the input holds), an
// unknown one — deferrable by the control's rule — through r's dependencies on resources of the
// types, since the engine only knows the value once the referenced resource exists. A reference
// that resolves to nothing returns nil: the check reports it.
func (t Target) ref(r *graph.Resource, path string, match refMatch, types ...string) []*graph.Resource {
	v, err := r.Get(path)
	if err != nil {
		return nil
	}
	var candidates []*graph.Resource
	for _, typ := range types {
		candidates = append(candidates, t.Graph.OfType(typ)...)
	}
	var out []*graph.Resource
	values := []property.Value{v}
	if v.IsArray() {
		values = v.AsArray().AsSlice()
	}
	unknown := false
	for _, e := range values {
		switch {
		case e.IsComputed():
			unknown = true
		case e.IsString():
			for _, c := range candidates {
				if match(c, e.AsString()) && !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
		}
	}
	if unknown && t.deferrable(r, path) {
		for _, c := range candidates {
			if slices.Contains(r.Dependencies, c.URN) && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// refOne is ref for a single reference: the one resource it names, or false.
func (t Target) refOne(r *graph.Resource, path string, match refMatch, types ...string) (*graph.Resource, bool) {
	rs := t.ref(r, path, match, types...)
	if len(rs) != 1 {
		return nil, false
	}
	return rs[0], true
}

// byRef groups the resources of typ by the URN of the resource of targetType their reference at
// path names.
func (t Target) byRef(typ, path string, match refMatch, targetType string) map[string][]*graph.Resource {
	out := map[string][]*graph.Resource{}
	for _, r := range t.Graph.OfType(typ) {
		if target, ok := t.refOne(r, path, match, targetType); ok {
			out[target.URN] = append(out[target.URN], r)
		}
	}
	return out
}

// refMatch reports whether a known reference value names the candidate.
type refMatch func(candidate *graph.Resource, value string) bool

func byID(c *graph.Resource, v string) bool { return c.ID != "" && c.ID == v }

func byOutput(name string) refMatch {
	return func(c *graph.Resource, v string) bool {
		o, ok := c.Outputs.GetOk(name)
		return ok && o.IsString() && o.AsString() != "" && o.AsString() == v
	}
}

var (
	byArn = byOutput("arn")
	// byRoleName: IAM attachments and inline policies name their role by name or id.
	byRoleName refMatch = func(c *graph.Resource, v string) bool { return byID(c, v) || byOutput("name")(c, v) || c.Name == v }
)

// settleFindings applies the rule to a graph check's findings, resource by resource.
func (t Target) settleFindings(fs []Finding) []Finding {
	if t.unknowns == nil {
		return fs
	}
	var out []Finding
	for _, f := range fs {
		r, ok := t.Graph.Lookup(f.URN)
		if !ok {
			out = append(out, f)
			continue
		}
		kept, paths := t.unknowns.rule.settleFinding(r.Inputs, f.Violation, t.unknowns.handled[r.URN])
		for _, p := range paths {
			t.unknowns.add(r.URN, p)
		}
		if kept {
			out = append(out, f)
		}
	}
	return out
}

// settleFinding decides one graph finding: it is dropped (deferred) only when it concerns an
// unknown reference, no unknown literal, and no reference the check followed itself (handled).
func (u UnknownRule) settleFinding(props property.Map, v Violation, handled []string) (bool, []string) {
	var refs []string
	for _, p := range UnknownPaths(props) {
		if !related(v.Path, p) {
			continue
		}
		switch {
		case slices.ContainsFunc(handled, func(h string) bool { return related(h, p) }):
			return true, nil
		case u.classify(p) == deferred:
			refs = append(refs, p)
		default:
			return true, nil
		}
	}
	return len(refs) == 0, refs
}
