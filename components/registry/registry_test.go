package registry_test

import (
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/registry"
	"github.com/securestack/platform/proof/engine/recorder"
)

const (
	nodes  = "arn:aws:iam::123456789012:role/platform-dev-node"
	pusher = "arn:aws:iam::123456789012:role/platform-dev-uploader-push"
)

// TestRepositoryPolicyLetsOnlyTheNodesPullAndTheCIRolePush pins the whole document: the allows,
// and the denies that make them the only ones (an ECR read-only identity policy elsewhere in the
// account cannot pull; an administrator cannot push).
func TestRepositoryPolicyLetsOnlyTheNodesPullAndTheCIRolePush(t *testing.T) {
	text, err := registry.RepositoryPolicy("aws", "123456789012", []string{nodes}, pusher).JSON()
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"NodesPull","Effect":"Allow","Principal":{"AWS":["` + nodes + `"]},"Action":["ecr:BatchCheckLayerAvailability","ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"]},` +
		`{"Sid":"CIRolePushes","Effect":"Allow","Principal":{"AWS":["` + pusher + `"]},"Action":["ecr:BatchCheckLayerAvailability","ecr:CompleteLayerUpload","ecr:InitiateLayerUpload","ecr:PutImage","ecr:UploadLayerPart"]},` +
		`{"Sid":"OnlyNodesAndCIRolePull","Effect":"Deny","Principal":{"AWS":["*"]},"Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],` +
		`"Condition":{"ArnNotLike":{"aws:PrincipalArn":["` + nodes + `","` + pusher + `","arn:aws:iam::123456789012:role/aws-service-role/*"]}}},` +
		`{"Sid":"OnlyCIRoleWrites","Effect":"Deny","Principal":{"AWS":["*"]},"Action":["ecr:BatchDeleteImage","ecr:CompleteLayerUpload","ecr:InitiateLayerUpload","ecr:PutImage","ecr:UploadLayerPart"],` +
		`"Condition":{"ArnNotEquals":{"aws:PrincipalArn":["` + pusher + `"]}}}]}`
	if err != nil || text != want {
		t.Errorf("policy\n got  %s\n want %s", text, want)
	}
	// Without a push source the repository is frozen: the write deny has no exception.
	frozen := registry.RepositoryPolicy("aws", "123456789012", []string{nodes}, "")
	last := frozen.Statements[len(frozen.Statements)-1]
	if len(frozen.Statements) != 3 || last.Sid != "OnlyCIRoleWrites" || len(last.Conditions) != 0 {
		t.Errorf("a repository without a pusher must deny every write unconditionally: %+v", frozen.Statements)
	}
}

func TestLifecycleExpiresUntaggedThenBoundsTheCount(t *testing.T) {
	text, err := registry.LifecyclePolicy(50, 7)
	want := `{"rules":[{"rulePriority":1,"description":"expire untagged images 7 days after push","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":7},"action":{"type":"expire"}},` +
		`{"rulePriority":2,"description":"keep the 50 most recent images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":50},"action":{"type":"expire"}}]}`
	if err != nil || text != want {
		t.Errorf("lifecycle\n got  %s\n want %s", text, want)
	}
	if _, err := registry.LifecyclePolicy(0, 7); err == nil {
		t.Error("keeping 0 images accepted")
	}
}

// TestPushTrustIsOneRepositoryAndOneRef: exact sub and aud, for a branch or an environment.
func TestPushTrustIsOneRepositoryAndOneRef(t *testing.T) {
	provider := registry.GitHubProviderArn("aws", "123456789012")
	for _, tc := range []struct {
		source registry.Source
		sub    string
	}{
		{registry.Source{Repository: "example-org/uploader", Ref: "refs/heads/main"}, "repo:example-org/uploader:ref:refs/heads/main"},
		{registry.Source{Repository: "example-org/uploader", Environment: "production"}, "repo:example-org/uploader:environment:production"},
		// A customised sub claim (repo, context, job_workflow_ref): only jobs running the gate.
		{registry.Source{Repository: "example-org/uploader", Environment: "production", Workflow: "securestack/platform/.github/workflows/image.yml@refs/heads/main"},
			"repo:example-org/uploader:environment:production:job_workflow_ref:securestack/platform/.github/workflows/image.yml@refs/heads/main"},
	} {
		text, err := registry.PushTrust(provider, tc.source).JSON()
		want := `{"Version":"2012-10-17","Statement":[{"Sid":"GitHubActionsOfOneRepositoryAndRef","Effect":"Allow",` +
			`"Principal":{"Federated":["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]},"Action":["sts:AssumeRoleWithWebIdentity"],` +
			`"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":["sts.amazonaws.com"],"token.actions.githubusercontent.com:sub":["` + tc.sub + `"]}}}]}`
		if err != nil || text != want {
			t.Errorf("trust\n got  %s\n want %s", text, want)
		}
	}
}

func TestPushPolicyIsLoginAndOneRepository(t *testing.T) {
	arn := registry.RepositoryArn("aws", "eu-west-1", "123456789012", "platform/dev/uploader")
	text, err := registry.PushPolicy(arn).JSON()
	want := `{"Version":"2012-10-17","Statement":[{"Sid":"RegistryLogin","Effect":"Allow","Action":["ecr:GetAuthorizationToken"],"Resource":["*"]},` +
		`{"Sid":"PushToOneRepository","Effect":"Allow","Action":["ecr:BatchGetImage","ecr:DescribeImages","ecr:BatchCheckLayerAvailability","ecr:CompleteLayerUpload","ecr:InitiateLayerUpload","ecr:PutImage","ecr:UploadLayerPart"],` +
		`"Resource":["arn:aws:ecr:eu-west-1:123456789012:repository/platform/dev/uploader"]}]}`
	if err != nil || text != want {
		t.Errorf("push policy\n got  %s\n want %s", text, want)
	}
}

func TestSourceProblemsAreReportedWithTheirPath(t *testing.T) {
	for _, tc := range []struct {
		source registry.Source
		want   string
	}{
		{registry.Source{Repository: "uploader", Ref: "refs/heads/main"}, `push.repository: "uploader" is not a GitHub repository (<owner>/<name>)`},
		{registry.Source{Repository: "o/r"}, "push: neither ref nor environment is set: name the branch (refs/heads/<name>) or the deployment environment allowed to push"},
		{registry.Source{Repository: "o/r", Ref: "refs/heads/main", Environment: "prod"}, `push: ref "refs/heads/main" and environment "prod" are both set: GitHub's token names one of them, so set exactly one`},
		{registry.Source{Repository: "o/r", Ref: "refs/heads/*"}, `push.ref: "refs/heads/*" is not an exact ref (refs/heads/<branch> or refs/tags/<tag>, no wildcard)`},
		{registry.Source{Repository: "o/r", Ref: "main"}, `push.ref: "main" is not an exact ref (refs/heads/<branch> or refs/tags/<tag>, no wildcard)`},
		{registry.Source{Repository: "o/r", Environment: "prod env"}, `push.environment: "prod env" is not an environment name (letters, digits, '.', '_', '-')`},
		{registry.Source{Repository: "o/r", Ref: "refs/heads/main", Workflow: "securestack/platform/.github/workflows/image.yml@main"},
			`push.workflow: "securestack/platform/.github/workflows/image.yml@main" is not a reusable workflow at an exact ref (<owner>/<repo>/.github/workflows/<file>.yml@refs/heads/<branch>, @refs/tags/<tag> or @<commit SHA>)`},
	} {
		if got := strings.Join(tc.source.Validate("push"), "\n"); got != tc.want {
			t.Errorf("%+v:\n got  %s\n want %s", tc.source, got, tc.want)
		}
	}
}

func TestRepositoryArgsReportEveryProblemAtOnce(t *testing.T) {
	err := (&registry.RepositoryArgs{Name: "Platform/Dev", KeepImages: 20000, UntaggedDays: -1}).Validate()
	want := []string{
		`name: "Platform/Dev" is not an ECR repository name (lowercase letters and digits, joined by '.', '_', '-' or '/'; 2 to 256 characters)`,
		"partition and accountId: required (the policy names the account's roles)",
		"kmsKeyArn: required (images are encrypted with a customer key)",
		"pullerRoleArns: at least one role (the nodes') must be able to pull",
		"keepImages: 20000 is outside 1 to 10000",
		"untaggedDays: -1 is outside 1 to 3650",
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("errors:\n got  %v\n want %s", err, strings.Join(want, "\n"))
	}
}

// TestRepositoryRegistersWhatTheControlsJudge: the repository's fixed settings, and its two
// policies on it by name.
func TestRepositoryRegistersWhatTheControlsJudge(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := registry.NewRepository(ctx, "uploader", &registry.RepositoryArgs{
			Name: "platform/dev/uploader", Partition: "aws", AccountID: "123456789012",
			KmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:123456789012:key/k"), PullerRoleArns: []pulumi.StringInput{pulumi.String(nodes)},
			PusherRoleArn: pulumi.String(pusher), Protect: true, RetainOnDelete: true,
		})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := g.Named("aws:ecr/repository:Repository", "uploader")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"name": "platform/dev/uploader", "imageTagMutability": "IMMUTABLE",
		"encryptionConfigurations[0].encryptionType": "KMS", "encryptionConfigurations[0].kmsKey": "arn:aws:kms:eu-west-1:123456789012:key/k"} {
		if got, _ := repo.String(path); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}
	if scan, _ := repo.Bool("imageScanningConfiguration.scanOnPush"); !scan || !repo.Protect || !repo.RetainOnDelete {
		t.Errorf("scanOnPush %v protect %v retain %v", scan, repo.Protect, repo.RetainOnDelete)
	}
	for _, typ := range []string{"aws:ecr/repositoryPolicy:RepositoryPolicy", "aws:ecr/lifecyclePolicy:LifecyclePolicy"} {
		p, err := g.Named(typ, "uploader")
		if err != nil {
			t.Fatal(err)
		}
		if name, _ := p.String("repository"); name != "platform/dev/uploader" {
			t.Errorf("%s is on repository %q", typ, name)
		}
	}
}
