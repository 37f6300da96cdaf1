package runner_test

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/runner"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

// The runner of the tests lives in the dev account, 111111111111, which the recorded dev stack's
// mocked caller is in (the first of its aws:allowedAccountIds).
const (
	name               = "runner"
	accountID          = "111111111111"
	prefix             = "platform-dev-runner"
	vpcID              = "vpc-0test"
	bucketName         = "platform-dev-runner-src"
	bucketArn          = "arn:aws:s3:::platform-dev-runner-src"
	logsKey            = "arn:aws:kms:eu-west-1:111111111111:key/logs"
	tokenSecret        = "platform/pulumi-access-token"
	previewTokenSecret = "platform/pulumi-preview-token"
	deployRole         = "arn:aws:iam::111111111111:role/platform-deploy"
	previewRole        = "arn:aws:iam::111111111111:role/platform-preview"
	logGroup           = "/aws/codebuild/platform-dev-runner"
	logGroupArn        = "arn:aws:logs:eu-west-1:111111111111:log-group:/aws/codebuild/platform-dev-runner"

	tSG         = "aws:ec2/securityGroup:SecurityGroup"
	tLogGroup   = "aws:cloudwatch/logGroup:LogGroup"
	tRole       = "aws:iam/role:Role"
	tRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	tProject    = "aws:codebuild/project:Project"
)

var subnets = []string{"subnet-0a", "subnet-0b"}

// assumed are the roles each kind's builds assume.
var assumed = map[runner.Kind]string{runner.Deploy: deployRole, runner.Preview: previewRole}

func validArgs() *runner.RunnerArgs {
	return &runner.RunnerArgs{
		Account:          runner.Account{ID: accountID, Region: "eu-west-1", Partition: "aws"},
		ProjectPrefix:    prefix,
		Stack:            "dev",
		VpcID:            pulumi.String(vpcID),
		SubnetIDs:        []pulumi.StringInput{pulumi.String(subnets[0]), pulumi.String(subnets[1])},
		SourceBucketName: pulumi.String(bucketName),
		SourceBucketArn:  pulumi.String(bucketArn),
		AssumeRoleArns:   maps.Clone(assumed),
		TokenSecretNames: map[runner.Kind]string{runner.Deploy: tokenSecret, runner.Preview: previewTokenSecret},
		LogsKeyArn:       pulumi.String(logsKey),
		PulumiVersion:    "3.274.1",
	}
}

// recordRunner records a program that builds only one Runner with args.
func recordRunner(t *testing.T, args *runner.RunnerArgs) (*graph.Graph, error) {
	t.Helper()
	return recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := runner.NewRunner(ctx, name, args)
		return err
	}})
}

func mustRecord(t *testing.T, edit func(a *runner.RunnerArgs)) *graph.Graph {
	t.Helper()
	a := validArgs()
	if edit != nil {
		edit(a)
	}
	g, err := recordRunner(t, a)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func named(t *testing.T, g *graph.Graph, typ, logical string) *graph.Resource {
	t.Helper()
	r, err := g.Named(typ, logical)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func wantString(t *testing.T, r *graph.Resource, path, want string) {
	t.Helper()
	if got, err := r.String(path); err != nil || got != want {
		t.Errorf("%s %s = %q, %v; want %q", r.Name, path, got, err, want)
	}
}

func wantInt(t *testing.T, r *graph.Resource, path string, want int) {
	t.Helper()
	if got, err := r.Int(path); err != nil || got != want {
		t.Errorf("%s %s = %d, %v; want %d", r.Name, path, got, err, want)
	}
}

func wantBool(t *testing.T, r *graph.Resource, path string, want bool) {
	t.Helper()
	if got, err := r.Bool(path); err != nil || got != want {
		t.Errorf("%s %s = %v, %v; want an explicit %v", r.Name, path, got, err, want)
	}
}

func wantStrings(t *testing.T, r *graph.Resource, path string, want []string) {
	t.Helper()
	if got, err := r.Strings(path); err != nil || !slices.Equal(got, want) {
		t.Errorf("%s %s = %q, %v; want %q", r.Name, path, got, err, want)
	}
}

func TestRunnerArgsReportEveryProblemAtOnceAndRegisterNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		args *runner.RunnerArgs
		want []string
	}{
		{"nil args", nil, []string{
			"account: a 12-digit id, a region and a partition are required (got {ID: Region: Partition:})",
			`projectPrefix: "" must be 2 to 241 letters, digits, '-' and '_', starting with a letter or digit`,
			"stack: required (the stack the builds run on)",
			"vpcId and subnetIds (at least two private subnets): required",
			"sourceBucketName, sourceBucketArn and logsKeyArn: required",
			`tokenSecretNames[deploy]: "" must be 1 to 512 characters of A-Z a-z 0-9 / _ + = . @ -`,
			`tokenSecretNames[preview]: "" must be 1 to 512 characters of A-Z a-z 0-9 / _ + = . @ -`,
			`assumeRoleArns[deploy]: "" is not an IAM role ARN`,
			`assumeRoleArns[preview]: "" is not an IAM role ARN`,
			`pulumiVersion: "" is not a version such as 3.274.1`,
		}},
		{"everything else wrong", &runner.RunnerArgs{
			Account:          runner.Account{ID: "1234", Region: "eu-west-1", Partition: "aws"},
			ProjectPrefix:    "-runner",
			Stack:            "dev",
			VpcID:            pulumi.String(vpcID),
			SubnetIDs:        []pulumi.StringInput{pulumi.String("subnet-0a"), nil},
			SourceBucketName: pulumi.String(bucketName),
			SourceBucketArn:  pulumi.String(bucketArn),
			LogsKeyArn:       pulumi.String(logsKey),
			TokenSecretNames: map[runner.Kind]string{runner.Deploy: "pulumi token", runner.Preview: "pulumi token"},
			AssumeRoleArns:   map[runner.Kind]string{runner.Deploy: "arn:aws:iam::111111111111:user/deployer", runner.Preview: previewRole},
			PulumiVersion:    "latest",
			ComputeType:      "BUILD_GENERAL1_HUGE",
			TimeoutMinutes:   4,
		}, []string{
			"account: a 12-digit id, a region and a partition are required (got {ID:1234 Region:eu-west-1 Partition:aws})",
			`projectPrefix: "-runner" must be 2 to 241 letters, digits, '-' and '_', starting with a letter or digit`,
			"vpcId and subnetIds (at least two private subnets): required",
			`tokenSecretNames[deploy]: "pulumi token" must be 1 to 512 characters of A-Z a-z 0-9 / _ + = . @ -`,
			`tokenSecretNames[preview]: "pulumi token" must be 1 to 512 characters of A-Z a-z 0-9 / _ + = . @ -`,
			"tokenSecretNames: preview and deploy read the same token; previews run pull-request code and must not hold the deploy token",
			`assumeRoleArns[deploy]: "arn:aws:iam::111111111111:user/deployer" is not an IAM role ARN`,
			`pulumiVersion: "latest" is not a version such as 3.274.1`,
			`computeType: "BUILD_GENERAL1_HUGE" is not one of [BUILD_GENERAL1_SMALL BUILD_GENERAL1_MEDIUM BUILD_GENERAL1_LARGE BUILD_GENERAL1_XLARGE BUILD_GENERAL1_2XLARGE]`,
			"timeoutMinutes: 4 is outside 5 to 60",
		}},
		// Previews run pull-request code: they must never hold the deploy role.
		{"one role for both", func() *runner.RunnerArgs {
			a := validArgs()
			a.AssumeRoleArns[runner.Preview] = deployRole
			a.TimeoutMinutes = 481
			return a
		}(), []string{
			"assumeRoleArns: preview and deploy assume the same role; previews run pull-request code and must not hold deploy rights",
			"timeoutMinutes: 481 is outside 5 to 60",
		}},
		{"one subnet", func() *runner.RunnerArgs {
			a := validArgs()
			a.SubnetIDs = a.SubnetIDs[:1]
			return a
		}(), []string{"vpcId and subnetIds (at least two private subnets): required"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := strings.Join(tc.want, "\n")
			if tc.args != nil {
				if err := tc.args.Validate(); err == nil || err.Error() != want {
					t.Errorf("Validate:\n got  %v\n want %s", err, want)
				}
			}
			g, err := recordRunner(t, tc.args)
			if err == nil || !strings.Contains(err.Error(), `runner.NewRunner "runner": `+want+"\n") {
				t.Errorf("NewRunner error:\n%v\nwant it to hold:\n%s", err, want)
			}
			if g.Len() != 1 {
				t.Errorf("%d resources registered, want only the stack", g.Len())
			}
		})
	}
	if err := validArgs().Validate(); err != nil {
		t.Errorf("valid args rejected: %v", err)
	}
}

func TestRunnerHasExactlyItsChildrenAllParentedToIt(t *testing.T) {
	g := mustRecord(t, nil)
	want := map[string]int{graph.StackType: 1, runner.TypeToken: 1, tSG: 1, tLogGroup: 1, tRole: 2, tRolePolicy: 2, tProject: 2}
	if got := g.CountByType(); !maps.Equal(got, want) {
		t.Errorf("resources by type:\n got  %v\n want %v", got, want)
	}
	comp := named(t, g, runner.TypeToken, name)
	var children []string
	for _, r := range g.Children(comp.URN) {
		children = append(children, r.Type+" "+r.Name)
	}
	slices.Sort(children)
	wantChildren := []string{
		tProject + " runner-deploy", tProject + " runner-preview",
		tLogGroup + " runner", tSG + " runner",
		tRole + " runner-deploy", tRole + " runner-preview",
		tRolePolicy + " runner-deploy", tRolePolicy + " runner-preview",
	}
	slices.Sort(wantChildren)
	if !slices.Equal(children, wantChildren) {
		t.Errorf("children %v, want %v", children, wantChildren)
	}
}

func TestSecurityGroupAdmitsNothingAndReachesHTTPSOnly(t *testing.T) {
	sg := named(t, mustRecord(t, nil), tSG, name)
	wantString(t, sg, "vpcId", vpcID)
	wantString(t, sg, "description", "In-VPC deploy runner: no ingress; HTTPS out only")
	// Ingress is an explicit empty list: no rule admits anything.
	if v, err := sg.Get("ingress"); err != nil || !v.IsArray() || v.AsArray().Len() != 0 {
		t.Errorf("ingress = %v, %v; want []", v, err)
	}
	if n := sg.Len("egress"); n != 1 {
		t.Fatalf("%d egress rules, want exactly 1", n)
	}
	wantString(t, sg, "egress[0].protocol", "tcp")
	wantInt(t, sg, "egress[0].fromPort", 443)
	wantInt(t, sg, "egress[0].toPort", 443)
	wantStrings(t, sg, "egress[0].cidrBlocks", []string{"0.0.0.0/0"})
	wantString(t, sg, "egress[0].description", "HTTPS: Pulumi Cloud, the Go module proxy, AWS APIs, the cluster endpoint")
	for _, p := range []string{"egress[0].ipv6CidrBlocks", "egress[0].securityGroups", "egress[0].prefixListIds"} {
		if sg.Has(p) {
			t.Errorf("%s is set", p)
		}
	}
	wantString(t, sg, `tags["Name"]`, name)
}

func TestLogGroupIsEncryptedRetainedAndProtectedOnlyWhenAsked(t *testing.T) {
	lg := named(t, mustRecord(t, nil), tLogGroup, name)
	wantString(t, lg, "name", logGroup)
	wantString(t, lg, "kmsKeyId", logsKey)
	wantInt(t, lg, "retentionInDays", 365)
	if lg.Protect || lg.RetainOnDelete {
		t.Errorf("protect %v, retainOnDelete %v with zero args; want both off", lg.Protect, lg.RetainOnDelete)
	}
	lg = named(t, mustRecord(t, func(a *runner.RunnerArgs) { a.Protect, a.RetainOnDelete, a.LogRetentionDays = true, true, 90 }), tLogGroup, name)
	wantInt(t, lg, "retentionInDays", 90)
	if !lg.Protect || !lg.RetainOnDelete {
		t.Errorf("protect %v, retainOnDelete %v; want both as asked", lg.Protect, lg.RetainOnDelete)
	}
}

// trustJSON is Trust written out literally: CodeBuild, for this account's project only.
func trustJSON(project string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"CodeBuildProjectOfThisAccount","Effect":"Allow",` +
		`"Principal":{"Service":["codebuild.amazonaws.com"]},"Action":["sts:AssumeRole"],"Condition":{` +
		`"ArnLike":{"aws:SourceArn":["arn:aws:codebuild:eu-west-1:111111111111:project/` + project + `"]},` +
		`"StringEquals":{"aws:SourceAccount":["111111111111"]}}}]}`
}

// policyJSON is Policy of a kind written out literally.
func policyJSON(kind, assume string) string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"WriteOwnLogs","Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":["` + logGroupArn + `:log-stream:` + kind + `*"]},` +
		`{"Sid":"ManageBuildNetworkInterfaces","Effect":"Allow","Action":["ec2:CreateNetworkInterface","ec2:DeleteNetworkInterface","ec2:DescribeDhcpOptions",` +
		`"ec2:DescribeNetworkInterfaces","ec2:DescribeSecurityGroups","ec2:DescribeSubnets","ec2:DescribeVpcs"],"Resource":["*"]},` +
		`{"Sid":"AttachInterfacesInRunnerSubnets","Effect":"Allow","Action":["ec2:CreateNetworkInterfacePermission"],` +
		`"Resource":["arn:aws:ec2:eu-west-1:111111111111:network-interface/*"],"Condition":{` +
		`"ArnEquals":{"ec2:Subnet":["arn:aws:ec2:eu-west-1:111111111111:subnet/subnet-0a","arn:aws:ec2:eu-west-1:111111111111:subnet/subnet-0b"]},` +
		`"StringEquals":{"ec2:AuthorizedService":["codebuild.amazonaws.com"]}}},` +
		`{"Sid":"ReadOwnSources","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],"Resource":["` + bucketArn + `/` + kind + `/*"]},` +
		`{"Sid":"LocateSourceBucket","Effect":"Allow","Action":["s3:GetBucketAcl","s3:GetBucketLocation"],"Resource":["` + bucketArn + `"]},` +
		`{"Sid":"ReadPulumiToken","Effect":"Allow","Action":["secretsmanager:GetSecretValue"],` +
		`"Resource":["arn:aws:secretsmanager:eu-west-1:111111111111:secret:` + map[string]string{"deploy": tokenSecret, "preview": previewTokenSecret}[kind] + `-??????"]},` +
		`{"Sid":"AssumeOwnRole","Effect":"Allow","Action":["sts:AssumeRole"],"Resource":["` + assume + `"]}]}`
}

func TestEachProjectRoleIsTrustedByItsProjectOnlyAndAssumesExactlyItsKindsRole(t *testing.T) {
	g := mustRecord(t, nil)
	for _, kind := range runner.Kinds {
		project := prefix + "-" + string(kind)
		role := named(t, g, tRole, "runner-"+string(kind))
		wantString(t, role, "assumeRolePolicy", trustJSON(project))
		wantString(t, role, "description", "CodeBuild project "+project+" (in-VPC "+string(kind)+" runner)")

		policy := named(t, g, tRolePolicy, "runner-"+string(kind))
		wantString(t, policy, "role", role.ID)
		text, err := policy.String("policy")
		if err != nil {
			t.Fatal(err)
		}
		if want := policyJSON(string(kind), assumed[kind]); text != want {
			t.Errorf("%s policy:\n got  %s\n want %s", kind, text, want)
		}
		doc, err := iampolicy.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		// One role to assume, exactly the kind's: the preview build can never become the deployer.
		assumes := doc.Allows("sts:AssumeRole")
		if len(assumes) != 1 || !slices.Equal(assumes[0].Resources, []string{assumed[kind]}) {
			t.Errorf("%s: sts:AssumeRole statements %+v; want one on %s only", kind, assumes, assumed[kind])
		}
		for other, arn := range assumed {
			if other != kind && slices.ContainsFunc(assumes, func(s iampolicy.Statement) bool { return s.CoversResource(arn) }) {
				t.Errorf("%s may assume the %s role %s", kind, other, arn)
			}
		}
		// Sources of its own prefix only.
		for other := range assumed {
			if other != kind && slices.ContainsFunc(doc.Allows("s3:GetObject"), func(s iampolicy.Statement) bool {
				return s.CoversResource(bucketArn + "/" + string(other) + "/x.zip")
			}) {
				t.Errorf("%s may read the %s sources", kind, other)
			}
		}
	}
	if got := runner.ProjectArn(runner.Account{ID: accountID, Region: "eu-west-1", Partition: "aws"}, "p"); got != "arn:aws:codebuild:eu-west-1:111111111111:project/p" {
		t.Errorf("ProjectArn = %s", got)
	}
}

func TestProjectsRunTheEmbeddedBuildspecUnprivilegedOneAtATimeInTheVPC(t *testing.T) {
	g := mustRecord(t, nil)
	sg := named(t, g, tSG, name)
	for _, kind := range runner.Kinds {
		p := named(t, g, tProject, "runner-"+string(kind))
		role := named(t, g, tRole, "runner-"+string(kind))
		policy := named(t, g, tRolePolicy, "runner-"+string(kind))
		wantString(t, p, "name", prefix+"-"+string(kind))
		wantString(t, p, "serviceRole", role.Outputs.Get("arn").AsString())
		// An S3 source per build, under the kind's prefix; the buildspec is the project's own.
		wantString(t, p, "source.type", "S3")
		wantString(t, p, "source.location", bucketName+"/"+string(kind)+"/latest.zip")
		wantString(t, p, "source.buildspec", runner.Buildspec)
		wantString(t, p, "artifacts.type", "NO_ARTIFACTS")
		wantInt(t, p, "buildTimeout", 60)
		wantInt(t, p, "concurrentBuildLimit", 1)
		wantString(t, p, "environment.computeType", "BUILD_GENERAL1_MEDIUM")
		wantString(t, p, "environment.image", "aws/codebuild/amazonlinux-x86_64-standard:5.0")
		wantString(t, p, "environment.type", "LINUX_CONTAINER")
		wantString(t, p, "environment.imagePullCredentialsType", "CODEBUILD")
		wantBool(t, p, "environment.privilegedMode", false)
		wantString(t, p, "vpcConfig.vpcId", vpcID)
		wantStrings(t, p, "vpcConfig.subnets", subnets)
		wantStrings(t, p, "vpcConfig.securityGroupIds", []string{sg.ID})
		wantString(t, p, "logsConfig.cloudwatchLogs.groupName", logGroup)
		wantString(t, p, "logsConfig.cloudwatchLogs.streamName", string(kind))
		wantString(t, p, "logsConfig.cloudwatchLogs.status", "ENABLED")
		wantString(t, p, "logsConfig.s3Logs.status", "DISABLED")
		// The build starts only once its role may act.
		if !g.DependsOn(p, policy.URN) {
			t.Errorf("%s does not wait for its role policy", p.Name)
		}

		type variable struct{ Name, Value, Type string }
		var got []variable
		v, err := p.Get("environment.environmentVariables")
		if err != nil || !v.IsArray() {
			t.Fatalf("environment variables %v, %v", v, err)
		}
		for _, e := range v.AsArray().All {
			m := e.AsMap()
			got = append(got, variable{m.Get("name").AsString(), m.Get("value").AsString(), m.Get("type").AsString()})
		}
		want := []variable{
			{"PULUMI_STACK", "dev", "PLAINTEXT"},
			{"PULUMI_VERSION", "3.274.1", "PLAINTEXT"},
			{"PLATFORM_COMMAND", map[runner.Kind]string{runner.Deploy: "up", runner.Preview: "preview"}[kind], "PLAINTEXT"},
			{"PLATFORM_ASSUME_ROLE_ARN", assumed[kind], "PLAINTEXT"},
			// The token is fetched by CodeBuild from Secrets Manager, never stored in the project.
			{"PULUMI_ACCESS_TOKEN", map[runner.Kind]string{runner.Deploy: tokenSecret, runner.Preview: previewTokenSecret}[kind], "SECRETS_MANAGER"},
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s environment variables:\n got  %+v\n want %+v", kind, got, want)
		}
	}
	if runner.Deploy.Command() != "up" || runner.Preview.Command() != "preview" {
		t.Errorf("commands %q, %q; want up, preview", runner.Deploy.Command(), runner.Preview.Command())
	}
	if !slices.Equal(runner.Kinds, []runner.Kind{"deploy", "preview"}) {
		t.Errorf("Kinds = %v, want [deploy preview]", runner.Kinds)
	}
	if got := runner.SourceKey(runner.Preview, "pr-42"); got != "preview/pr-42.zip" {
		t.Errorf("SourceKey = %q, want preview/pr-42.zip", got)
	}
}

func TestComputeTypeTimeoutAndTagsReachTheProjects(t *testing.T) {
	g := mustRecord(t, func(a *runner.RunnerArgs) {
		a.ComputeType, a.TimeoutMinutes, a.Tags = "BUILD_GENERAL1_LARGE", 45, map[string]string{"team": "platform"}
	})
	for _, kind := range runner.Kinds {
		p := named(t, g, tProject, "runner-"+string(kind))
		wantString(t, p, "environment.computeType", "BUILD_GENERAL1_LARGE")
		wantInt(t, p, "buildTimeout", 45)
		wantString(t, p, `tags["team"]`, "platform")
		wantString(t, p, `tags["Name"]`, "runner-"+string(kind))
	}
}

// buildspec is the shape of a CodeBuild buildspec the runner relies on.
type buildspec struct {
	Version float64 `yaml:"version"`
	Env     struct {
		Shell string `yaml:"shell"`
	} `yaml:"env"`
	Phases map[string]struct {
		Commands []string `yaml:"commands"`
	} `yaml:"phases"`
}

func TestBuildspecIsABuildspecThatAssumesTheProjectsRoleAndPinsPulumi(t *testing.T) {
	var b buildspec
	if err := yaml.UnmarshalWithOptions([]byte(runner.Buildspec), &b, yaml.Strict()); err != nil {
		t.Fatalf("Buildspec is not YAML of a buildspec: %v", err)
	}
	if b.Version != 0.2 || b.Env.Shell != "bash" {
		t.Errorf("version %v, shell %q; want 0.2 and bash", b.Version, b.Env.Shell)
	}
	if got := slices.Sorted(maps.Keys(b.Phases)); !slices.Equal(got, []string{"build", "install", "pre_build"}) {
		t.Errorf("phases %v, want install, pre_build and build", got)
	}
	phase := func(name string) string { return strings.Join(b.Phases[name].Commands, "\n") }
	for name, p := range b.Phases {
		if len(p.Commands) == 0 || p.Commands[0] != "set -euo pipefail" {
			t.Errorf("phase %s does not start with set -euo pipefail: a failing command would not fail the build", name)
		}
	}
	for _, tc := range []struct{ phase, want string }{
		{"install", `--version "$PULUMI_VERSION"`},
		{"pre_build", `--role-arn "$PLATFORM_ASSUME_ROLE_ARN"`},
		{"build", `"$PLATFORM_COMMAND"`},
		{"build", `--stack "$PULUMI_STACK"`},
	} {
		if !strings.Contains(phase(tc.phase), tc.want) {
			t.Errorf("phase %s lacks %s:\n%s", tc.phase, tc.want, phase(tc.phase))
		}
	}
	// The role is assumed before anything runs Pulumi.
	if strings.Contains(phase("install")+phase("pre_build"), "pulumi up") || strings.Contains(phase("install")+phase("pre_build"), "pulumi preview") {
		t.Error("Pulumi runs before the project's role is assumed")
	}
	// Every PLATFORM_ and PULUMI_ variable the buildspec reads is one the projects set.
	g := mustRecord(t, nil)
	v, _ := named(t, g, tProject, "runner-deploy").Get("environment.environmentVariables")
	set := map[string]bool{}
	for _, e := range v.AsArray().All {
		set[e.AsMap().Get("name").AsString()] = true
	}
	for _, m := range regexp.MustCompile(`\$\{?((?:PLATFORM|PULUMI)_[A-Z_]+)`).FindAllStringSubmatch(runner.Buildspec, -1) {
		if !set[m[1]] {
			t.Errorf("the buildspec reads $%s, which no project sets", m[1])
		}
	}
}
