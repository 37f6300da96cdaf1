package controls

import (
	"slices"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
)

// unknown is a value the engine does not know at plan time, as it hands it to a policy pack.
var unknown = property.New(property.Computed)

func props(kv map[string]property.Value) property.Map { return property.NewMap(kv) }

func mustControl(t *testing.T, id string) *Control {
	t.Helper()
	c, ok := Lookup(id)
	if !ok {
		t.Fatalf("no control %s", id)
	}
	return c
}

// TestAnUnknownKeyIDIsDeferredAlike: LOG-001 and EFS-001 judge an unknown key id (the ARN of a key
// created in the same update) the same way through the Resource function the policy pack calls:
// the resource passes and the key id is deferred to apply; an absent key id fails both.
func TestAnUnknownKeyIDIsDeferredAlike(t *testing.T) {
	cases := []struct {
		id, typ string
		known   map[string]property.Value // the other inputs, valid
	}{
		{"LOG-001", typeLogGroup, map[string]property.Value{"retentionInDays": property.New(365.0)}},
		{"EFS-001", typeEFSFileSystem, map[string]property.Value{"encrypted": property.New(true)}},
	}
	for _, tc := range cases {
		c := mustControl(t, tc.id)
		in := map[string]property.Value{"kmsKeyId": unknown}
		for k, v := range tc.known {
			in[k] = v
		}
		if vs := c.Resource(tc.typ, props(in)); len(vs) != 0 {
			t.Errorf("%s: an unknown kmsKeyId fails in the pack: %v", tc.id, vs)
		}
		vs, deferred := c.JudgeResource(tc.typ, props(in))
		if len(vs) != 0 || !slices.Equal(deferred, []string{"kmsKeyId"}) {
			t.Errorf("%s: unknown kmsKeyId: violations %v, deferred %q; want none and [kmsKeyId]", tc.id, vs, deferred)
		}
		// A secret unknown is as unknown.
		in["kmsKeyId"] = unknown.WithSecret(true)
		if _, deferred := c.JudgeResource(tc.typ, props(in)); !slices.Equal(deferred, []string{"kmsKeyId"}) {
			t.Errorf("%s: a secret unknown kmsKeyId: deferred %q, want [kmsKeyId]", tc.id, deferred)
		}
		delete(in, "kmsKeyId")
		vs, deferred = c.JudgeResource(tc.typ, props(in))
		if len(vs) != 1 || vs[0].Path != "kmsKeyId" || vs[0].Value != "absent" || len(deferred) != 0 {
			t.Errorf("%s: absent kmsKeyId: violations %v, deferred %q; want one at kmsKeyId = absent", tc.id, vs, deferred)
		}
	}
}

// TestAnUnknownSecuritySettingFails: where the unknown is the risk (a literal the control needs),
// the control fails in a preview, even where its own check would let an unknown through.
func TestAnUnknownSecuritySettingFails(t *testing.T) {
	cases := []struct {
		id, typ, path string
		in            map[string]property.Value
	}{
		// The check itself only fails a known true: without the rule an unknown would pass.
		{"NET-002", typeSubnet, "mapPublicIpOnLaunch", map[string]property.Value{"mapPublicIpOnLaunch": unknown}},
		{"EKS-001", typeEKSCluster, "endpointPublicAccess", map[string]property.Value{
			"endpointPrivateAccess": property.New(true), "endpointPublicAccess": unknown}},
		{"LOG-001", typeLogGroup, "retentionInDays", map[string]property.Value{
			"kmsKeyId": property.New("arn:aws:kms:eu-west-1:123456789012:key/k"), "retentionInDays": unknown}},
		{"NET-008", typeSG, "ingress[0].cidrBlocks[0]", map[string]property.Value{"ingress": property.New([]property.Value{
			property.New(map[string]property.Value{"cidrBlocks": property.New([]property.Value{unknown})})})}},
	}
	for _, tc := range cases {
		c := mustControl(t, tc.id)
		vs, deferred := c.JudgeResource(tc.typ, props(tc.in))
		if len(vs) != 1 || vs[0].Path != tc.path || vs[0].Value != unknownValue || len(deferred) != 0 {
			t.Errorf("%s: unknown %s: violations %v, deferred %q; want one failure at %s = %s", tc.id, tc.path, vs, deferred, tc.path, unknownValue)
		}
		if got := c.Resource(tc.typ, props(tc.in)); len(got) != 1 {
			t.Errorf("%s: the pack's Resource reports %d violations, want 1", tc.id, len(got))
		}
	}
	// NET-002's check as written passes an unknown: the failure is the rule's.
	if vs := mustControl(t, "NET-002").rawResource(typeSubnet, props(map[string]property.Value{"mapPublicIpOnLaunch": unknown})); len(vs) != 0 {
		t.Errorf("NET-002's own check: %v", vs)
	}
}

// TestAnUnknownReferenceDefersOnlyItsOwnFindings: an unknown reference defers the findings about
// it, not a broken known value beside it (a nested StorageClass key id here).
func TestAnUnknownReferenceDefersOnlyItsOwnFindings(t *testing.T) {
	c := mustControl(t, "STO-001")
	params := func(encrypted string) property.Map {
		return props(map[string]property.Value{"provisioner": property.New("ebs.csi.aws.com"),
			"parameters": property.New(map[string]property.Value{"encrypted": property.New(encrypted), "kmsKeyId": unknown})})
	}
	vs, deferred := c.JudgeResource(typeStorageClass, params("true"))
	if len(vs) != 0 || !slices.Equal(deferred, []string{"parameters.kmsKeyId"}) {
		t.Errorf("encrypted, unknown key: violations %v, deferred %q", vs, deferred)
	}
	vs, _ = c.JudgeResource(typeStorageClass, params("false"))
	if len(vs) != 1 || vs[0].Path != "parameters.encrypted" || vs[0].Value != `"false"` {
		t.Errorf("unencrypted, unknown key: violations %v; want one at parameters.encrypted", vs)
	}
}

// TestUnknownPaths: the paths of unknown values in graph.Lookup's syntax, keys with dots quoted.
func TestUnknownPaths(t *testing.T) {
	got := UnknownPaths(props(map[string]property.Value{
		"a":        unknown,
		"b":        property.New([]property.Value{property.New("x"), unknown}),
		"metadata": property.New(map[string]property.Value{"annotations": property.New(map[string]property.Value{"eks.amazonaws.com/role-arn": unknown})}),
		"known":    property.New("k"),
	}))
	want := []string{"a", "b[1]", `metadata.annotations["eks.amazonaws.com/role-arn"]`}
	if !slices.Equal(got, want) {
		t.Errorf("UnknownPaths = %q, want %q", got, want)
	}
}

// TestEveryRuleNamesAControlAndDecidesOnce: the rules are data about real controls, and no path is
// both deferred and required to be a literal.
func TestEveryRuleNamesAControlAndDecidesOnce(t *testing.T) {
	for _, id := range RuleIDs() {
		if _, ok := Lookup(id); !ok {
			t.Errorf("rule for unknown control %s", id)
		}
		r := RuleFor(id)
		for _, p := range r.Refs {
			if slices.Contains(r.Literals, p) {
				t.Errorf("%s: %s is both a reference and a literal", id, p)
			}
		}
	}
}
