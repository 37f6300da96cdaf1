package plandiff_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/plandiff"
)

const (
	stackURN = "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev"
	bucket   = "urn:pulumi:dev::platform::platform:storage:Bucket$aws:s3/bucketV2:BucketV2::platform-dev-uploads"
	table    = "urn:pulumi:dev::platform::platform:database:Table$aws:dynamodb/table:Table::platform-dev-media"
	role     = "urn:pulumi:dev::platform::platform:identity:Role$aws:iam/role:Role::platform-dev-uploader"
	cluster  = "urn:pulumi:dev::platform::platform:cluster:Cluster$eks:index:Cluster::platform-dev"
)

func plan(rs ...plandiff.Resource) *plandiff.Plan {
	return &plandiff.Plan{Project: "platform", Stack: "dev", Resources: rs}
}

func res(urn, typ string, inputs map[string]any) plandiff.Resource {
	name := urn[strings.LastIndex(urn, "::")+2:]
	return plandiff.Resource{URN: urn, Type: typ, Name: name, Custom: true, Parent: stackURN, Inputs: inputs}
}

func compare(t *testing.T, base, head *plandiff.Plan) plandiff.StackDiff {
	t.Helper()
	d, err := plandiff.Compare(base, head)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func changes(d plandiff.StackDiff) []string {
	var out []string
	for _, m := range d.Modified {
		for _, c := range m.Changes {
			out = append(out, m.Resource.Name+" "+c.Path+": "+c.Old+" → "+c.New)
		}
	}
	return out
}

func losses(d plandiff.StackDiff) []string {
	var out []string
	for _, l := range d.DataLoss {
		s := l.Resource.Name + ": " + l.Reason
		if l.ReplacedBy != "" {
			s += " [" + l.ReplacedBy + "]"
		}
		if l.Input != nil {
			s += " [" + l.Input.Path + ": " + l.Input.Old + " → " + l.Input.New + "]"
		}
		out = append(out, s)
	}
	return out
}

// TestEveryStatefulTypeHasItsFixedInputs: the table of inputs fixed at creation covers exactly the
// stateful types, so a type added to controls.StatefulTypes without its row fails here.
func TestEveryStatefulTypeHasItsFixedInputs(t *testing.T) {
	got := slices.Sorted(maps.Keys(plandiff.FixedInputs))
	want := slices.Sorted(slices.Values(controls.StatefulTypes))
	if !slices.Equal(got, want) {
		t.Errorf("FixedInputs has rows for %v, want exactly the stateful types %v", got, want)
	}
	for typ, fs := range plandiff.FixedInputs {
		if len(fs) == 0 {
			t.Errorf("%s: no fixed input", typ)
		}
		for _, f := range fs {
			if f.Path == "" || f.Why == "" {
				t.Errorf("%s: %+v lacks a path or a reason", typ, f)
			}
		}
	}
}

// TestUnchangedPlansDiffEmpty: the same plan on both sides is no change and no data loss.
func TestUnchangedPlansDiffEmpty(t *testing.T) {
	p := plan(res(bucket, "aws:s3/bucketV2:BucketV2", map[string]any{"bucket": "b", "tags": map[string]any{"a": "1"}}))
	d := compare(t, p, p)
	if !d.Empty() || len(d.DataLoss) != 0 || d.BaseCount != 1 || d.HeadCount != 1 {
		t.Errorf("diff of a plan with itself: %+v", d)
	}
	if md := (plandiff.Report{d}).Markdown(false); !strings.Contains(md, "## Stack `dev`\n\nNo change: the same 1 resources with the same inputs.\n") {
		t.Errorf("markdown of no change:\n%s", md)
	}
}

// TestInputChangesByPath: each changed leaf has its own path, written as graph paths are (a.b,
// list[i], map["key.with.dots"]); JSON documents in strings are compared inside (JSON Pointer);
// secrets and unknowns stay marks.
func TestInputChangesByPath(t *testing.T) {
	base := plan(res(role, "aws:iam/role:Role", map[string]any{
		"tags":               map[string]any{"kubernetes.io/role/elb": "1", "team": "a"},
		"managedPolicyArns":  []any{"arn:1", "arn:2"},
		"assumeRolePolicy":   `{"Statement":[{"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc/x:sub":"system:serviceaccount:apps:uploader"}}}]}`,
		"description":        "plain",
		"kubeconfig":         "[secret]",
		"maxSessionDuration": 3600,
	}))
	head := plan(res(role, "aws:iam/role:Role", map[string]any{
		"tags":               map[string]any{"kubernetes.io/role/elb": "2", "owner": "b"},
		"managedPolicyArns":  []any{"arn:1"},
		"assumeRolePolicy":   `{"Statement":[{"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc/x:sub":"system:serviceaccount:apps:*"}}}]}`,
		"description":        "[secret]",
		"kubeconfig":         "[secret]",
		"maxSessionDuration": 7200,
	}))
	d := compare(t, base, head)
	want := []string{
		`platform-dev-uploader assumeRolePolicy#/Statement/0/Condition/StringEquals/oidc~1x:sub: "system:serviceaccount:apps:uploader" → "system:serviceaccount:apps:*"`,
		`platform-dev-uploader description: "plain" → [secret]`,
		`platform-dev-uploader managedPolicyArns[1]: "arn:2" → (absent)`,
		`platform-dev-uploader maxSessionDuration: 3600 → 7200`,
		`platform-dev-uploader tags["kubernetes.io/role/elb"]: "1" → "2"`,
		`platform-dev-uploader tags.owner: (absent) → "b"`,
		`platform-dev-uploader tags.team: "a" → (absent)`,
	}
	if got := changes(d); !slices.Equal(got, want) {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(d.DataLoss) != 0 {
		t.Errorf("a role is not stateful, yet: %v", losses(d))
	}
}

// TestStatefulResourceLeavingTheStackIsDataLoss: a stateful URN that disappears is lost, deleted
// or replaced by a new URN (paired by name or by parent); a stateless one is not data loss.
func TestStatefulResourceLeavingTheStackIsDataLoss(t *testing.T) {
	renamed := "urn:pulumi:dev::platform::platform:storage:Bucket$aws:s3/bucketV2:BucketV2::platform-dev-incoming"
	moved := "urn:pulumi:dev::platform::platform:data:Store$aws:dynamodb/table:Table::platform-dev-media"
	base := plan(
		res(bucket, "aws:s3/bucketV2:BucketV2", map[string]any{"bucket": "uploads"}),
		res(table, "aws:dynamodb/table:Table", map[string]any{"name": "media"}),
		res(role, "aws:iam/role:Role", nil),
	)
	head := plan(
		res(renamed, "aws:s3/bucketV2:BucketV2", map[string]any{"bucket": "uploads"}),
		res(moved, "aws:dynamodb/table:Table", map[string]any{"name": "media"}),
	)
	head.Resources[1].Parent = "urn:pulumi:dev::platform::platform:data:Store::platform-dev-data"
	d := compare(t, base, head)
	want := []string{
		"platform-dev-media: replaced by a new URN: Pulumi creates the new resource and deletes this one (no alias is recorded) [" + moved + "]",
		"platform-dev-uploads: replaced by a new URN: Pulumi creates the new resource and deletes this one (no alias is recorded) [" + renamed + "]",
	}
	if got := losses(d); !slices.Equal(got, want) {
		t.Errorf("losses:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(d.Removed) != 3 || len(d.Added) != 2 {
		t.Errorf("removed %d, added %d; want 3 and 2", len(d.Removed), len(d.Added))
	}
	// Without a successor of its type, the bucket is simply deleted.
	d = compare(t, base, plan(res(table, "aws:dynamodb/table:Table", map[string]any{"name": "media"})))
	if got := losses(d); !slices.Equal(got, []string{"platform-dev-uploads: deleted: its URN leaves the stack"}) {
		t.Errorf("losses: %q", got)
	}
}

// TestFixedInputChangeIsDataLoss: a changed input fixed at creation replaces a stateful resource
// in place; an input updated in place does not; the EKS secrets key may be added but not removed.
func TestFixedInputChangeIsDataLoss(t *testing.T) {
	cases := []struct {
		name       string
		typ        string
		urn        string
		base, head map[string]any
		want       []string
	}{
		{"bucket renamed", "aws:s3/bucketV2:BucketV2", bucket, map[string]any{"bucket": "a"}, map[string]any{"bucket": "b"},
			[]string{"platform-dev-uploads: replaced: `bucket` is fixed at creation; a bucket's name is fixed at creation: a new name is a new, empty bucket [bucket: \"a\" → \"b\"]"}},
		{"bucket tags", "aws:s3/bucketV2:BucketV2", bucket, map[string]any{"bucket": "a", "tags": map[string]any{}}, map[string]any{"bucket": "a", "tags": map[string]any{"x": "y"}}, nil},
		{"table key schema", "aws:dynamodb/table:Table", table, map[string]any{"hashKey": "id"}, map[string]any{"hashKey": "mediaId"},
			[]string{"platform-dev-media: replaced: `hashKey` is fixed at creation; a table's key schema is fixed at creation [hashKey: \"id\" → \"mediaId\"]"}},
		{"table index added", "aws:dynamodb/table:Table", table, map[string]any{}, map[string]any{"localSecondaryIndexes": []any{map[string]any{"name": "i"}}},
			[]string{"platform-dev-media: replaced: `localSecondaryIndexes` is fixed at creation; local secondary indexes exist only from the table's creation [localSecondaryIndexes: (absent) → [{\"name\":\"i\"}]]"}},
		{"table PITR", "aws:dynamodb/table:Table", table, map[string]any{"pointInTimeRecovery": map[string]any{"enabled": false}}, map[string]any{"pointInTimeRecovery": map[string]any{"enabled": true}}, nil},
		{"cluster key added", "eks:index:Cluster", cluster, map[string]any{}, map[string]any{"encryptionConfigKeyArn": "arn:k"}, nil},
		{"cluster key removed", "eks:index:Cluster", cluster, map[string]any{"encryptionConfigKeyArn": "arn:k"}, map[string]any{},
			[]string{"platform-dev: replaced: `encryptionConfigKeyArn` is fixed at creation; secrets encryption cannot be turned off or moved to another key: EKS replaces the cluster [encryptionConfigKeyArn: \"arn:k\" → (absent)]"}},
		{"cluster key changed", "eks:index:Cluster", cluster, map[string]any{"encryptionConfigKeyArn": "arn:k"}, map[string]any{"encryptionConfigKeyArn": "arn:l"},
			[]string{"platform-dev: replaced: `encryptionConfigKeyArn` is fixed at creation; secrets encryption cannot be turned off or moved to another key: EKS replaces the cluster [encryptionConfigKeyArn: \"arn:k\" → \"arn:l\"]"}},
		{"role renamed (not stateful)", "aws:iam/role:Role", role, map[string]any{"name": "a"}, map[string]any{"name": "b"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := compare(t, plan(res(tc.urn, tc.typ, tc.base)), plan(res(tc.urn, tc.typ, tc.head)))
			if got := losses(d); !slices.Equal(got, tc.want) {
				t.Errorf("losses:\n%q\nwant:\n%q", got, tc.want)
			}
			if len(d.Modified) != 1 {
				t.Errorf("modified: %d resources, want 1", len(d.Modified))
			}
			report := plandiff.Report{d}
			if report.Fails(false) != (len(tc.want) > 0) || report.Fails(true) {
				t.Errorf("Fails(false) = %v, Fails(true) = %v with %d losses", report.Fails(false), report.Fails(true), len(tc.want))
			}
		})
	}
}

// TestNewAndRemovedStacks: a stack only the head plans is all added; one only the base plans is
// all removed and not data loss (deleting a stack file destroys nothing).
func TestNewAndRemovedStacks(t *testing.T) {
	p := plan(res(bucket, "aws:s3/bucketV2:BucketV2", map[string]any{"bucket": "b"}))
	added := compare(t, nil, p)
	removed := compare(t, p, nil)
	if !added.NewStack || len(added.Added) != 1 || removed.RemovedStack != true || len(removed.Removed) != 1 || len(removed.DataLoss) != 0 {
		t.Errorf("new %+v\nremoved %+v", added, removed)
	}
	if _, err := plandiff.Compare(nil, nil); err == nil {
		t.Error("comparing nothing with nothing did not fail")
	}
	other := plan()
	other.Stack = "prod"
	if _, err := plandiff.Compare(p, other); err == nil || err.Error() != `plandiff: the base plans stack "dev" and the head stack "prod": compare a stack with itself` {
		t.Errorf("two stacks: %v", err)
	}
}

// TestParseRejectsWhatIsNotAPlan: every problem at once, each with its key path and value.
func TestParseRejectsWhatIsNotAPlan(t *testing.T) {
	cases := []struct{ in, want string }{
		{`[]`, "a/plan.json: not a plan.json (json: cannot unmarshal array into Go value of type plandiff.Plan)"},
		{`{"stack":"dev"}`, "a/plan.json: resources: missing (a plan.json lists the recorded resources)"},
		{`{"resources":[{"urn":"x","type":""},{"urn":"urn:pulumi:a","type":"t"},{"urn":"urn:pulumi:a","type":"t"},{"type":"t"}]}`,
			`a/plan.json: stack: missing (a plan.json names its stack, e.g. "dev"); resources[0].urn: "x" is not a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>); resources[0].type: missing; resources[2].urn: "urn:pulumi:a" is also resources[1].urn (URNs are unique); resources[3].urn: missing`},
	}
	for _, tc := range cases {
		_, err := plandiff.Parse([]byte(tc.in), "a/plan.json")
		if err == nil || err.Error() != tc.want {
			t.Errorf("Parse(%s) = %v\nwant %s", tc.in, err, tc.want)
		}
	}
	p, err := plandiff.Parse([]byte(`{"stack":"dev","resources":[{"urn":"urn:pulumi:a","type":"t","inputs":{"n":1}}]}`), "ok")
	if err != nil || p.Resources[0].Inputs["n"].(fmt.Stringer).String() != "1" {
		t.Errorf("a valid plan: %v, %+v", err, p)
	}
}

// TestMarkdown: counts first, the verdict, data loss with the base's options, cells escaped, and
// the override turning the failure into an accepted warning.
func TestMarkdown(t *testing.T) {
	base := plan(res(bucket, "aws:s3/bucketV2:BucketV2", map[string]any{"bucket": "a|b"}))
	base.Resources[0].Protect, base.Resources[0].RetainOnDelete = true, true
	head := plan(res(bucket, "aws:s3/bucketV2:BucketV2", map[string]any{"bucket": "a`b"}))
	report := plandiff.Report{compare(t, base, head)}
	md := report.Markdown(false)
	for _, want := range []string{
		"❌ **1 stateful resource(s) lose their data**: the gate fails. If that is intended, a maintainer adds the label `allow-data-loss` to the pull request.\n",
		"| `dev` | 1 → 1 | 0 | 0 | 1 in 1 resources | 1 |\n",
		"0 added, 0 removed, 1 inputs changed in 1 resources; 1 data loss.\n",
		"### ❌ **Data loss** (fails the gate)\n",
		"| `" + bucket + "` | `aws:s3/bucketV2:BucketV2` | replaced: `bucket` is fixed at creation; a bucket's name is fixed at creation: a new name is a new, empty bucket | `bucket`: `\"a\\|b\"` → ``\"a`b\"`` | protected (`pulumi up` refuses to delete it); retained on delete (left in AWS, outside the stack) |\n",
		"| `bucket` | `\"a\\|b\"` | ``\"a`b\"`` |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	accepted := report.Markdown(true)
	if !strings.Contains(accepted, "⚠️ **1 stateful resource(s) lose their data**, accepted by the label `allow-data-loss`.\n") ||
		!strings.Contains(accepted, "### ⚠️ **Data loss** (accepted by `allow-data-loss`)\n") {
		t.Errorf("accepted markdown:\n%s", accepted)
	}
}

// TestMarkdownFoldsAndCutsLongLists: more than 10 added resources fold into <details>; more than
// MaxRows are cut with a count.
func TestMarkdownFoldsAndCutsLongLists(t *testing.T) {
	var rs []plandiff.Resource
	for i := range plandiff.MaxRows + 5 {
		rs = append(rs, res(fmt.Sprintf("urn:pulumi:dev::platform::aws:iam/role:Role::r%03d", i), "aws:iam/role:Role", nil))
	}
	md := plandiff.Report{compare(t, plan(), plan(rs...))}.Markdown(false)
	for _, want := range []string{"<details><summary><b>Added (205)</b></summary>\n", "| `aws:iam/role:Role` | `r199` | `pulumi:pulumi:Stack` |\n", "\n… and 5 more.\n"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
	if strings.Contains(md, "`r200`") {
		t.Error("row 201 is printed")
	}
	short := plandiff.Report{compare(t, plan(), plan(rs[:3]...))}.Markdown(false)
	if !strings.Contains(short, "### Added (3)\n") || strings.Contains(short, "<details>") {
		t.Errorf("three added resources are not shown open:\n%s", short)
	}
}
