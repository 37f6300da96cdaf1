package tests

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/plandiff"
	"github.com/securestack/platform/proof/engine/planner"
)

// planOf makes the offline plan of dev as the config edit changes it (nil: as committed) and
// reads it back from its plan.json, as cmd/plandiff does.
func planOf(t *testing.T, edit func(map[string]string)) (*planner.Plan, *plandiff.Plan) {
	t.Helper()
	p, err := planner.Make(planner.Options{Stack: "dev", Edit: edit})
	if err != nil {
		t.Fatal(err)
	}
	return p, jsonOf(t, p)
}

func jsonOf(t *testing.T, p *planner.Plan) *plandiff.Plan {
	t.Helper()
	data, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	out, err := plandiff.Parse(data, "plan.json")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func diffOf(t *testing.T, base, head *plandiff.Plan) plandiff.StackDiff {
	t.Helper()
	d, err := plandiff.Compare(base, head)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// lossLines are the data losses as "<URN>: <reason> [<path>: <old> → <new>]".
func lossLines(d plandiff.StackDiff) []string {
	var out []string
	for _, l := range d.DataLoss {
		s := l.Resource.URN + ": " + l.Reason
		if l.Input != nil {
			s += " [" + l.Input.Path + ": " + l.Input.Old + " → " + l.Input.New + "]"
		}
		out = append(out, s)
	}
	return out
}

// TestPlanDiffOfAnUnchangedStackIsEmpty: two recordings of the committed dev stack diff empty —
// no resource added, removed or changed, no data loss — and the gate passes.
func TestPlanDiffOfAnUnchangedStackIsEmpty(t *testing.T) {
	_, base := planOf(t, nil)
	_, head := planOf(t, nil)
	d := diffOf(t, base, head)
	if !d.Empty() || len(d.DataLoss) != 0 {
		t.Fatalf("dev against itself: added %d, removed %d, modified %d, losses %v", len(d.Added), len(d.Removed), len(d.Modified), lossLines(d))
	}
	report := plandiff.Report{d}
	md := report.Markdown(false)
	if report.Fails(false) || !strings.Contains(md, "✅ No stateful resource loses its data.\n") ||
		!strings.Contains(md, "## Stack `dev`\n\nNo change: the same ") {
		t.Errorf("unchanged dev:\n%s", md)
	}
}

// TestPlanDiffFlagsStoresADisabledRunnerDeletes: turning the in-VPC runner off (the API reached
// from a listed network instead) deletes its log group, its source bucket and its two token
// secrets: four stateful URNs leave the stack, the gate fails, and the override passes it.
func TestPlanDiffFlagsStoresADisabledRunnerDeletes(t *testing.T) {
	_, base := planOf(t, nil)
	_, head := planOf(t, func(c map[string]string) {
		c["platform:runner"] = `{"enabled": false}`
		c["platform:cluster"] = `{"apiAccess": {"cidrs": ["10.99.0.0/24"]}}`
	})
	d := diffOf(t, base, head)
	want := []string{
		"urn:pulumi:dev::platform::platform:runner:Runner$aws:cloudwatch/logGroup:LogGroup::platform-dev-runner: deleted: its URN leaves the stack",
		"urn:pulumi:dev::platform::platform:secrets:Secret$aws:secretsmanager/secret:Secret::platform-dev-pulumi-access-token: deleted: its URN leaves the stack",
		"urn:pulumi:dev::platform::platform:secrets:Secret$aws:secretsmanager/secret:Secret::platform-dev-pulumi-preview-token: deleted: its URN leaves the stack",
		"urn:pulumi:dev::platform::platform:storage:Bucket$aws:s3/bucketV2:BucketV2::platform-dev-runner: deleted: its URN leaves the stack",
	}
	if got := lossLines(d); !slices.Equal(got, want) {
		t.Errorf("data loss:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	report := plandiff.Report{d}
	if !report.Fails(false) || report.Fails(true) {
		t.Errorf("Fails(false) = %v, Fails(true) = %v: want the gate to fail without the override only", report.Fails(false), report.Fails(true))
	}
	md := report.Markdown(false)
	for _, line := range []string{
		"❌ **4 stateful resource(s) lose their data**: the gate fails. If that is intended, a maintainer adds the label `allow-data-loss` to the pull request.\n",
		"| `urn:pulumi:dev::platform::platform:storage:Bucket$aws:s3/bucketV2:BucketV2::platform-dev-runner` | `aws:s3/bucketV2:BucketV2` | deleted: its URN leaves the stack |  | deleted with its data |\n",
		"| `aws:ec2/securityGroupRule:SecurityGroupRule` | `platform-dev-api-from-10-99-0-0-24` | `platform:cluster:Cluster` |\n",
	} {
		if !strings.Contains(md, line) {
			t.Errorf("the diff lacks %q", line)
		}
	}
	if accepted := report.Markdown(true); !strings.Contains(accepted, "⚠️ **4 stateful resource(s) lose their data**, accepted by the label `allow-data-loss`.\n") {
		t.Errorf("the accepted diff does not say so:\n%s", accepted[:400])
	}
}

// TestPlanDiffFlagsFixedInputsAMoveToAnotherRegionChanges: the same URNs in another region are new
// resources: every bucket's name (it holds the region) and every input that names a key (a key of
// the new region) are fixed at creation, so each of those stores is replaced, and lost.
func TestPlanDiffFlagsFixedInputsAMoveToAnotherRegionChanges(t *testing.T) {
	_, base := planOf(t, nil)
	_, head := planOf(t, func(c map[string]string) {
		c["aws:region"] = "eu-central-1"
		delete(c, "platform:account") // staging owns the baseline of eu-west-1 only: dev owns its own there
		c["platform:services"] = strings.ReplaceAll(c["platform:services"], "eu-west-1", "eu-central-1")
		c["platform:runner"] = strings.ReplaceAll(c["platform:runner"], "eu-west-1", "eu-central-1")
	})
	d := diffOf(t, base, head)
	const (
		prefix   = "urn:pulumi:dev::platform::platform:"
		bucket   = "replaced: `bucket` is fixed at creation; a bucket's name is fixed at creation: a new name is a new, empty bucket"
		ecr      = "replaced: `encryptionConfigurations` is fixed at creation; a repository's encryption is fixed at creation"
		dataKey  = `"arn:aws:kms:eu-west-1:111111111111:key/2f2e0658-2172-a8b8-18e0-648315b81d57" → "arn:aws:kms:eu-central-1:111111111111:key/2f2e0658-2172-a8b8-18e0-648315b81d57"]`
		repoPath = " [encryptionConfigurations[0].kmsKey: "
	)
	buckets := func(purpose string) string {
		return prefix + "storage:Bucket$aws:s3/bucketV2:BucketV2::platform-dev-" + purpose + ": " + bucket +
			` [bucket: "platform-dev-` + purpose + `-111111111111-eu-west-1" → "platform-dev-` + purpose + `-111111111111-eu-central-1"]`
	}
	want := []string{
		prefix + "cluster:Cluster$eks:index:Cluster::platform-dev: replaced: `encryptionConfigKeyArn` is fixed at creation; secrets encryption cannot be turned off or moved to another key: EKS replaces the cluster" +
			` [encryptionConfigKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/14ef398b-b25b-1ff9-21ac-ee6b40e58f90" → "arn:aws:kms:eu-central-1:111111111111:key/14ef398b-b25b-1ff9-21ac-ee6b40e58f90"]`,
		prefix + "filesystem:FileSystem$aws:efs/fileSystem:FileSystem::platform-dev-scratch: replaced: `kmsKeyId` is fixed at creation; a file system's key is fixed at creation [kmsKeyId: " + dataKey,
		prefix + "registry:Repository$aws:ecr/repository:Repository::platform-dev-frontend-repository: " + ecr + repoPath + dataKey,
		prefix + "registry:Repository$aws:ecr/repository:Repository::platform-dev-processor-repository: " + ecr + repoPath + dataKey,
		prefix + "registry:Repository$aws:ecr/repository:Repository::platform-dev-uploader-repository: " + ecr + repoPath + dataKey,
		buckets("access-logs"), buckets("alb-logs"), buckets("processed"), buckets("runner"), buckets("uploads"),
	}
	if got := lossLines(d); !slices.Equal(got, want) {
		t.Errorf("data loss:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// The table keeps its name; DynamoDB moves its encryption to the new key in place: a change,
	// not a loss.
	for _, m := range d.Modified {
		if m.Resource.Name != "platform-dev-media" {
			continue
		}
		for _, c := range m.Changes {
			if c.Path == "serverSideEncryption.kmsKeyArn" {
				return
			}
		}
	}
	t.Error("the media table's new key is not listed as a changed input")
}

// TestPlanDiffShowsASecretInputMasked: an input that becomes secret shows as [secret], its value
// never; a secret whose value changes is invisible offline (plan.json holds [secret] on both
// sides), which the diff says rather than guesses.
func TestPlanDiffShowsASecretInputMasked(t *testing.T) {
	p, base := planOf(t, nil)
	secretValue := "s3cr3t-value-never-printed"
	g := p.Graph
	for _, edit := range []struct{ typ, name, path string }{
		{"aws:secretsmanager/secret:Secret", "platform-dev-app-credentials", "description"},
		{"pulumi:providers:kubernetes", "platform-dev-k8s", "kubeconfig"},
	} {
		g = mutated(t, g, edit.typ, edit.name, func(r *graph.Resource) {
			r.Inputs = set(t, r.Inputs, edit.path, property.New(secretValue).WithSecret(true))
		})
	}
	head := jsonOf(t, &planner.Plan{Graph: g, Config: p.Config, Results: p.Results})
	d := diffOf(t, base, head)
	md := plandiff.Report{d}.Markdown(false)
	if strings.Contains(md, secretValue) {
		t.Fatalf("the diff prints the secret:\n%s", md)
	}
	var got []string
	for _, m := range d.Modified {
		for _, c := range m.Changes {
			got = append(got, m.Resource.Name+" "+c.Path+": "+c.Old+" → "+c.New)
		}
	}
	want := []string{`platform-dev-app-credentials description: "High-value application credentials; the value is set out of band, never by Pulumi" → [secret]`}
	if !slices.Equal(got, want) || len(d.DataLoss) != 0 {
		t.Errorf("changes %q, losses %v; want %q and none", got, lossLines(d), want)
	}
	if !strings.Contains(md, "| `description` | `\"High-value application credentials; the value is set out of band, never by Pulumi\"` | `[secret]` |\n") {
		t.Errorf("the masked change is not shown:\n%s", md)
	}
}
