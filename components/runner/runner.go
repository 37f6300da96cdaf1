package runner

import (
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/codebuild"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/secrets"
)

// TypeToken is the Pulumi type of the Runner component. It is in users' state: never change it.
const TypeToken = "platform:runner:Runner"

// Buildspec is the build both projects run (buildspec.yml): the command and the role come from the
// project's environment.
//
//go:embed buildspec.yml
var Buildspec string

// Kind is what a runner project runs.
type Kind string

// The runner's projects.
const (
	// Preview runs `pulumi preview` for pull requests, as the preview role (read-only).
	Preview Kind = "preview"
	// Deploy runs `pulumi up`, as the deploy role.
	Deploy Kind = "deploy"
	// Actions is the optional CodeBuild-hosted GitHub Actions runner (RunnerArgs.GitHubActions):
	// pull-request jobs of one repository run on it, in the VPC, with at most the preview role.
	Actions Kind = "actions"
)

// Kinds are the runner's projects, in a fixed order.
var Kinds = []Kind{Deploy, Preview}

// Command is the Pulumi command the project of a kind runs.
func (k Kind) Command() string {
	if k == Deploy {
		return "up"
	}
	return "preview"
}

// Defaults and fixed settings of a Runner.
const (
	// Image is the CodeBuild-managed build image: Amazon Linux 2023 with the AWS CLI and Go.
	Image = "aws/codebuild/amazonlinux-x86_64-standard:5.0"
	// DefaultComputeType fits a cold build of the Pulumi AWS SDK (about 4 GB).
	DefaultComputeType    = "BUILD_GENERAL1_MEDIUM"
	DefaultTimeoutMinutes = 60
	// HTTPS is the only port the runner may reach (Pulumi Cloud, the Go module proxy, AWS APIs, the
	// cluster endpoint).
	HTTPS = 443
	// AnyIPv4 is where it may reach it.
	AnyIPv4 = "0.0.0.0/0"
	// CodeBuildService is the service principal of the projects' roles.
	CodeBuildService = "codebuild.amazonaws.com"
)

// Account identifies where the runner lives.
type Account struct {
	// ID is the 12-digit account id, Region e.g. eu-west-1, Partition aws, aws-cn or aws-us-gov.
	ID, Region, Partition string
}

// RunnerArgs configures a Runner. The zero value of each optional field is the secure default.
type RunnerArgs struct {
	// Account is required: the roles' trust and the subnet ARNs name it.
	Account Account
	// ProjectPrefix names the projects "<ProjectPrefix>-preview" and "<ProjectPrefix>-deploy";
	// required (their roles' trust pins the project ARNs, known before they exist).
	ProjectPrefix string
	// Stack is the Pulumi stack the builds run on; required.
	Stack string
	// VpcID and SubnetIDs (private, at least two) place the builds; required.
	VpcID pulumi.StringInput
	// SubnetIDs are the private subnets the builds' network interfaces go in (see VpcID).
	SubnetIDs []pulumi.StringInput
	// SourceBucketName and SourceBucketArn are the bucket CI uploads sources to, under <kind>/;
	// required. Keep it private and write-once.
	SourceBucketName, SourceBucketArn pulumi.StringInput
	// AssumeRoleArns are the roles the builds of each kind assume; both required.
	AssumeRoleArns map[Kind]string
	// TokenSecretNames are the Secrets Manager secrets holding each kind's PULUMI_ACCESS_TOKEN; both
	// required and different: preview builds run pull-request code, so their token should be one
	// that cannot change the stacks' state (a Pulumi team token limited to reading). Names, not
	// ARNs: each secret admits its project's role as reader, so it is created after it.
	TokenSecretNames map[Kind]string
	// LogsKeyArn encrypts the build logs; required.
	LogsKeyArn pulumi.StringInput
	// LogRetentionDays keeps the build logs; 0 means 365, a year of deploy history as evidence.
	LogRetentionDays int
	// PulumiVersion is the Pulumi CLI the builds install; required, e.g. "3.274.1".
	PulumiVersion string
	// ComputeType of the builds, one of ComputeTypes; "" means DefaultComputeType, which fits a
	// cold build of the Pulumi AWS SDK.
	ComputeType string
	// TimeoutMinutes of a build, MinTimeoutMinutes to MaxTimeoutMinutes; 0 means
	// DefaultTimeoutMinutes (60), no longer than the assumed role's chained session lasts.
	TimeoutMinutes int
	// Protect and RetainOnDelete apply to the log group (deploy history is audit evidence). False
	// (the default) lets a dev stack be torn down.
	Protect, RetainOnDelete bool
	// Tags are added to every taggable child; nil adds none.
	Tags map[string]string
	// GitHubActions, when set, adds a third project, "<ProjectPrefix>-actions": a CodeBuild-hosted
	// GitHub Actions runner in the same subnets, behind the same security group, for the
	// pull-request jobs of one repository. Nil (the default) creates none, and then nothing in the
	// AWS account holds a credential of GitHub.
	GitHubActions *GitHubActionsArgs
}

// GitHubActionsArgs configures the CodeBuild-hosted GitHub Actions runner: a project with a
// GitHub source and a webhook that starts a build for each queued workflow job that names it
// (`runs-on: codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`).
//
// The connection is a credential of GitHub that AWS holds: CodeBuild uses it to create the
// repository's webhook and to register each build as a runner, and the project's role may fetch
// its token (codeconnections:GetConnectionToken). Pull-request code on the runner can reach that
// role's credentials (CodeBuild's container credentials): install the connection's GitHub App on
// this repository only, and do not enable this for a public repository, whose fork pull requests
// could point a workflow job at the runner.
//
// The connection is given per project (source auth CODECONNECTIONS), never as an account-wide
// codebuild.SourceCredential: CodeBuild keeps one source credential per server type per account
// and region, which every GitHub project of the account would then use, and stacks that share an
// account (dev and staging) would fight over it.
type GitHubActionsArgs struct {
	// Repository is the one repository whose workflow jobs run here: https://github.com/<owner>/<repo>.
	Repository string
	// ConnectionArn is a CodeConnections (or CodeStar Connections) connection of the runner's
	// account to GitHub, whose GitHub App may read Repository. It must be AVAILABLE before the
	// runner is deployed: a connection is created PENDING and only completed in the AWS console,
	// and CodeBuild refuses a project or webhook whose connection is not available.
	ConnectionArn string
	// WorkflowName is the name of the workflow whose jobs may use the runner (the webhook's
	// WORKFLOW_NAME filter, matched exactly). Default DefaultWorkflowName.
	WorkflowName string
}

// DefaultWorkflowName is the workflow whose jobs use the GitHub Actions runner by default: the
// pull-request workflow (.github/workflows/pull-request.yml).
const DefaultWorkflowName = "pull-request"

// WorkflowJobQueued is the webhook event of a CodeBuild-hosted GitHub Actions runner: GitHub's
// workflow_job event with action queued. It is the only event the runner's webhook accepts: a
// PUSH or PULL_REQUEST_* event would run the repository's buildspec instead, outside any workflow.
const WorkflowJobQueued = "WORKFLOW_JOB_QUEUED"

// Runner is the in-VPC deploy runner.
type Runner struct {
	pulumi.ResourceState

	// SecurityGroupID is the builds' security group: admit it where the builds must reach.
	SecurityGroupID pulumi.IDOutput
	// ProjectNames are the projects' names by kind: what CI starts builds of.
	ProjectNames map[Kind]pulumi.StringOutput
	// RoleArns are the projects' service roles by kind: what the deploy and preview roles' trust
	// policies name.
	RoleArns map[Kind]pulumi.StringOutput
	// LogGroupName holds the projects' logs, one stream per kind.
	LogGroupName pulumi.StringOutput
}

var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	roleArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,64}$`)
	projectPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{1,240}$`)
	versionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
	// GitHub: owners are 1 to 39 letters, digits and single hyphens, not at either end;
	// repositories 1 to 100 letters, digits, '.', '-' and '_'.
	repositoryPattern = regexp.MustCompile(`^https://github\.com/([A-Za-z0-9](?:[A-Za-z0-9]|-[A-Za-z0-9]){0,38})/([A-Za-z0-9._-]{1,100})$`)
	connectionPattern = regexp.MustCompile(`^arn:(aws|aws-cn|aws-us-gov):(codeconnections|codestar-connections):([a-z]{2}(?:-[a-z]+)+-[0-9]):([0-9]{12}):connection/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// CheckRepository checks a GitHub repository URL of the GitHub Actions runner.
func CheckRepository(url string) error {
	m := repositoryPattern.FindStringSubmatch(url)
	if m == nil || len(m[1]) > 39 || m[2] == "." || m[2] == ".." || strings.HasSuffix(m[2], ".git") {
		return fmt.Errorf("%q is not a GitHub repository URL (allowed: https://github.com/<owner>/<repo>, without .git or a trailing slash)", url)
	}
	return nil
}

// Connection is a parsed connection ARN.
type Connection struct {
	// Partition, Service (codeconnections or codestar-connections), Region and Account of the ARN.
	Partition, Service, Region, Account string
}

// ParseConnectionArn checks a connection ARN of the GitHub Actions runner and returns its parts.
func ParseConnectionArn(arn string) (Connection, error) {
	m := connectionPattern.FindStringSubmatch(arn)
	if m == nil {
		return Connection{}, fmt.Errorf("%q is not a connection ARN (allowed: arn:<partition>:codeconnections:<region>:<12-digit account>:connection/<uuid>, or the older codestar-connections service)", arn)
	}
	return Connection{Partition: m[1], Service: m[2], Region: m[3], Account: m[4]}, nil
}

// CheckWorkflowName checks the name of the workflow whose jobs may use the runner: GitHub shows at
// most 255 characters of it, and a line break would not survive the webhook's filter.
func CheckWorkflowName(name string) error {
	if name == "" || len(name) > 255 || strings.ContainsAny(name, "\r\n") {
		return fmt.Errorf("%q must be 1 to 255 characters on one line (the workflow's name:)", name)
	}
	return nil
}

// Validate reports every problem with the GitHub Actions runner's args at once; a is the account
// the runner lives in, whose connections alone its project can use.
func (g *GitHubActionsArgs) Validate(a Account) error {
	var errs []error
	if err := CheckRepository(g.Repository); err != nil {
		errs = append(errs, fmt.Errorf("githubActions.repository: %w", err))
	}
	if c, err := ParseConnectionArn(g.ConnectionArn); err != nil {
		errs = append(errs, fmt.Errorf("githubActions.connectionArn: %w", err))
	} else {
		if a.ID != "" && c.Account != a.ID {
			errs = append(errs, fmt.Errorf("githubActions.connectionArn: %q is a connection of account %s; the runner's project can use only a connection of its own account, %s", g.ConnectionArn, c.Account, a.ID))
		}
		if a.Partition != "" && c.Partition != a.Partition {
			errs = append(errs, fmt.Errorf("githubActions.connectionArn: %q is in partition %s, the runner in %s", g.ConnectionArn, c.Partition, a.Partition))
		}
	}
	if g.WorkflowName != "" {
		if err := CheckWorkflowName(g.WorkflowName); err != nil {
			errs = append(errs, fmt.Errorf("githubActions.workflowName: %w", err))
		}
	}
	return errors.Join(errs...)
}

// WebhookFilter is one filter of a webhook's filter group.
type WebhookFilter struct {
	// Type is CodeBuild's filter type (EVENT, WORKFLOW_NAME); Pattern what it must match.
	Type, Pattern string
}

// WebhookFilters are the runner's only filter group: a queued workflow job of the named workflow.
// The repository is the project's source, whose webhook it is (a repository webhook: no scope
// configuration, so never an organisation's or a global one). CodeBuild then starts a build only for
// a job whose runs-on label names the project.
func WebhookFilters(workflowName string) []WebhookFilter {
	return []WebhookFilter{
		{Type: "EVENT", Pattern: WorkflowJobQueued},
		{Type: "WORKFLOW_NAME", Pattern: "^" + regexp.QuoteMeta(workflowName) + "$"},
	}
}

// RunsOnLabel is the runs-on label of a workflow job that runs on the project: its run id and
// attempt are the job's own expressions.
func RunsOnLabel(projectName string) string {
	return "codebuild-" + projectName + "-${{ github.run_id }}-${{ github.run_attempt }}"
}

// ComputeTypes are the CodeBuild Linux container sizes a runner may use, smallest first.
var ComputeTypes = []string{"BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_XLARGE", "BUILD_GENERAL1_2XLARGE"}

// The limits of TimeoutMinutes. CodeBuild accepts 5 minutes and more, but a build's credentials
// come from assuming a role from its service role's session: role chaining, which AWS caps at one
// hour whatever the role's maximum session duration. A longer build would lose its credentials
// halfway through a deploy.
const (
	MinTimeoutMinutes = 5
	MaxTimeoutMinutes = 60
)

// CheckProjectPrefix checks what the projects' names ("<prefix>-deploy", "<prefix>-preview") start
// with against CodeBuild's naming rule.
func CheckProjectPrefix(prefix string) error {
	if !projectPattern.MatchString(prefix) {
		return fmt.Errorf("%q must be 2 to 241 letters, digits, '-' and '_', starting with a letter or digit", prefix)
	}
	return nil
}

// Validate reports every problem with the args at once.
func (a *RunnerArgs) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if !accountPattern.MatchString(a.Account.ID) || a.Account.Region == "" || a.Account.Partition == "" {
		bad("account: a 12-digit id, a region and a partition are required (got %+v)", a.Account)
	}
	if err := CheckProjectPrefix(a.ProjectPrefix); err != nil {
		bad("projectPrefix: %w", err)
	}
	if a.Stack == "" {
		bad("stack: required (the stack the builds run on)")
	}
	if a.VpcID == nil || len(a.SubnetIDs) < 2 || slices.Contains(a.SubnetIDs, nil) {
		bad("vpcId and subnetIds (at least two private subnets): required")
	}
	if a.SourceBucketName == nil || a.SourceBucketArn == nil || a.LogsKeyArn == nil {
		bad("sourceBucketName, sourceBucketArn and logsKeyArn: required")
	}
	for _, k := range Kinds {
		if err := secrets.CheckSecretName(a.TokenSecretNames[k]); err != nil {
			bad("tokenSecretNames[%s]: %w", k, err)
		}
	}
	if a.TokenSecretNames[Deploy] != "" && a.TokenSecretNames[Deploy] == a.TokenSecretNames[Preview] {
		bad("tokenSecretNames: preview and deploy read the same token; previews run pull-request code and must not hold the deploy token")
	}
	for _, k := range Kinds {
		if !roleArnPattern.MatchString(a.AssumeRoleArns[k]) {
			bad("assumeRoleArns[%s]: %q is not an IAM role ARN", k, a.AssumeRoleArns[k])
		}
	}
	if a.AssumeRoleArns[Deploy] != "" && a.AssumeRoleArns[Deploy] == a.AssumeRoleArns[Preview] {
		bad("assumeRoleArns: preview and deploy assume the same role; previews run pull-request code and must not hold deploy rights")
	}
	if !versionPattern.MatchString(a.PulumiVersion) {
		bad("pulumiVersion: %q is not a version such as 3.274.1", a.PulumiVersion)
	}
	if a.ComputeType != "" && !slices.Contains(ComputeTypes, a.ComputeType) {
		bad("computeType: %q is not one of %v", a.ComputeType, ComputeTypes)
	}
	if t := a.TimeoutMinutes; t != 0 && (t < MinTimeoutMinutes || t > MaxTimeoutMinutes) {
		bad("timeoutMinutes: %d is outside %d to %d", t, MinTimeoutMinutes, MaxTimeoutMinutes)
	}
	if a.GitHubActions != nil {
		if err := a.GitHubActions.Validate(a.Account); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (a *RunnerArgs) withDefaults() RunnerArgs {
	out := *a
	if out.ComputeType == "" {
		out.ComputeType = DefaultComputeType
	}
	if out.TimeoutMinutes == 0 {
		out.TimeoutMinutes = DefaultTimeoutMinutes
	}
	if out.LogRetentionDays == 0 {
		out.LogRetentionDays = 365
	}
	if out.GitHubActions != nil {
		gh := *out.GitHubActions
		if gh.WorkflowName == "" {
			gh.WorkflowName = DefaultWorkflowName
		}
		out.GitHubActions = &gh
	}
	return out
}

// SourceKey is where CI uploads a build's source: under the kind's prefix, one object per build
// (the bucket is write-once).
func SourceKey(kind Kind, build string) string { return string(kind) + "/" + build + ".zip" }

// ProjectArn is the ARN of a project of the runner, known before it exists.
func ProjectArn(a Account, projectName string) string {
	return fmt.Sprintf("arn:%s:codebuild:%s:%s:project/%s", a.Partition, a.Region, a.ID, projectName)
}

// Trust lets CodeBuild assume a project's role for that project only (the confused-deputy
// conditions AWS documents: source account and source ARN).
func Trust(a Account, projectName string) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Sid:       "CodeBuildProjectOfThisAccount",
		Effect:    iampolicy.Allow,
		Principal: &iampolicy.Principal{Service: iampolicy.StringList{CodeBuildService}},
		Actions:   iampolicy.StringList{"sts:AssumeRole"},
		Conditions: iampolicy.Conditions{
			"StringEquals": {"aws:SourceAccount": {a.ID}},
			"ArnLike":      {"aws:SourceArn": {ProjectArn(a, projectName)}},
		},
	})
}

// PolicyInput is what a project's role policy is written against, resolved.
type PolicyInput struct {
	// Account is the runner's account.
	Account Account
	// Kind is the project the policy is for: it may read only its own source prefix and logs.
	Kind Kind
	// LogGroupArn is the runner's log group.
	LogGroupArn string
	// SourceBucketArn is the bucket CI uploads sources to.
	SourceBucketArn string
	// TokenSecretName is the secret of the project's Pulumi token; AssumeRole the one role it may
	// assume.
	TokenSecretName, AssumeRole string
	// SubnetIDs are the runner's subnets: the only ones it may attach network interfaces in.
	SubnetIDs []string
}

// Policy is a project's role policy: its logs, its network interfaces (the statements AWS documents
// for CodeBuild in a VPC, limited to the runner's subnets), its own source prefix, the token, and
// one role to assume.
func Policy(in PolicyInput) iampolicy.Document {
	a := in.Account
	stmts := buildStatements(a, in.Kind, in.LogGroupArn, in.SubnetIDs)
	stmts = append(stmts,
		iampolicy.Statement{Sid: "ReadOwnSources", Effect: iampolicy.Allow,
			Actions:   iampolicy.StringList{"s3:GetObject", "s3:GetObjectVersion"},
			Resources: iampolicy.StringList{in.SourceBucketArn + "/" + string(in.Kind) + "/*"}},
		// CodeBuild checks the source bucket before it reads the object (documented for S3 sources).
		iampolicy.Statement{Sid: "LocateSourceBucket", Effect: iampolicy.Allow,
			Actions:   iampolicy.StringList{"s3:GetBucketAcl", "s3:GetBucketLocation"},
			Resources: iampolicy.StringList{in.SourceBucketArn}},
		// A secret's ARN ends in six random characters: "-??????" matches exactly those.
		iampolicy.Statement{Sid: "ReadPulumiToken", Effect: iampolicy.Allow,
			Actions:   iampolicy.StringList{"secretsmanager:GetSecretValue"},
			Resources: iampolicy.StringList{fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s-??????", a.Partition, a.Region, a.ID, in.TokenSecretName)}},
		assumeOwnRole(in.AssumeRole),
	)
	return iampolicy.New(stmts...)
}

// ActionsPolicyInput is what the GitHub Actions runner's role policy is written against, resolved.
type ActionsPolicyInput struct {
	// Account is the runner's account.
	Account Account
	// LogGroupArn is the runner's log group.
	LogGroupArn string
	// SubnetIDs are the runner's subnets: the only ones it may attach network interfaces in.
	SubnetIDs []string
	// ConnectionArn is the GitHub connection whose token the role may fetch.
	ConnectionArn string
	// PreviewRole is the one role the role may assume.
	PreviewRole string
}

// ActionsPolicy is the GitHub Actions runner's role policy: its logs and network interfaces like
// the other projects, the connection (CodeBuild registers each build as a runner with its token:
// the statement AWS documents for GitHub App connections), and assuming the preview role only —
// no source bucket and no Pulumi token, which the workflow brings. Pull-request code on the runner
// can reach these credentials, so this is all it can ever hold; the workflow itself gets the
// preview role through GitHub's OIDC token, and the preview role's trust need not admit this role.
func ActionsPolicy(in ActionsPolicyInput) iampolicy.Document {
	stmts := buildStatements(in.Account, Actions, in.LogGroupArn, in.SubnetIDs)
	service := "codeconnections"
	if c, err := ParseConnectionArn(in.ConnectionArn); err == nil {
		service = c.Service // IAM matches the action's prefix to the ARN's service
	}
	stmts = append(stmts,
		iampolicy.Statement{Sid: "UseGitHubConnection", Effect: iampolicy.Allow,
			Actions:   iampolicy.StringList{service + ":GetConnection", service + ":GetConnectionToken", service + ":UseConnection"},
			Resources: iampolicy.StringList{in.ConnectionArn}},
		assumeOwnRole(in.PreviewRole),
	)
	return iampolicy.New(stmts...)
}

func assumeOwnRole(role string) iampolicy.Statement {
	return iampolicy.Statement{Sid: "AssumeOwnRole", Effect: iampolicy.Allow,
		Actions:   iampolicy.StringList{"sts:AssumeRole"},
		Resources: iampolicy.StringList{role}}
}

// buildStatements are what every project's builds need: their own log streams and their network
// interfaces in the runner's subnets.
func buildStatements(a Account, kind Kind, logGroupArn string, subnetIDs []string) []iampolicy.Statement {
	var subnets iampolicy.StringList
	for _, id := range subnetIDs {
		subnets = append(subnets, fmt.Sprintf("arn:%s:ec2:%s:%s:subnet/%s", a.Partition, a.Region, a.ID, id))
	}
	return []iampolicy.Statement{
		{Sid: "WriteOwnLogs", Effect: iampolicy.Allow,
			Actions:   iampolicy.StringList{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resources: iampolicy.StringList{logGroupArn + ":log-stream:" + string(kind) + "*"}},
		// CodeBuild creates, inspects and deletes the build's interfaces; these calls have no
		// resource-level permissions (AWS's documented statement).
		{Sid: "ManageBuildNetworkInterfaces", Effect: iampolicy.Allow,
			Actions: iampolicy.StringList{"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeDhcpOptions",
				"ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"},
			Resources: iampolicy.StringList{"*"}},
		{Sid: "AttachInterfacesInRunnerSubnets", Effect: iampolicy.Allow,
			Actions:   iampolicy.StringList{"ec2:CreateNetworkInterfacePermission"},
			Resources: iampolicy.StringList{fmt.Sprintf("arn:%s:ec2:%s:%s:network-interface/*", a.Partition, a.Region, a.ID)},
			Conditions: iampolicy.Conditions{
				"StringEquals": {"ec2:AuthorizedService": {CodeBuildService}},
				"ArnEquals":    {"ec2:Subnet": subnets},
			}},
	}
}

// NewRunner builds the runner. The args are validated before anything is registered.
func NewRunner(ctx *pulumi.Context, name string, args *RunnerArgs, opts ...pulumi.ResourceOption) (*Runner, error) {
	if args == nil {
		args = &RunnerArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("runner.NewRunner %q: %w", name, err)
	}
	a := args.withDefaults()
	r := &Runner{ProjectNames: map[Kind]pulumi.StringOutput{}, RoleArns: map[Kind]pulumi.StringOutput{}}
	if err := ctx.RegisterComponentResource(TypeToken, name, r, opts...); err != nil {
		return nil, err
	}
	parent := pulumi.Parent(r)
	tags := func(n string) pulumi.StringMap {
		t := pulumi.ToStringMap(maps.Clone(a.Tags))
		t["Name"] = pulumi.String(n)
		return t
	}
	sg, err := ec2.NewSecurityGroup(ctx, name, &ec2.SecurityGroupArgs{
		VpcId:       a.VpcID,
		Description: pulumi.String("In-VPC deploy runner: no ingress; HTTPS out only"),
		Ingress:     ec2.SecurityGroupIngressArray{},
		Egress: ec2.SecurityGroupEgressArray{&ec2.SecurityGroupEgressArgs{
			Description: pulumi.String("HTTPS: Pulumi Cloud, the Go module proxy, AWS APIs, the cluster endpoint"),
			Protocol:    pulumi.String("tcp"),
			FromPort:    pulumi.Int(HTTPS),
			ToPort:      pulumi.Int(HTTPS),
			CidrBlocks:  pulumi.StringArray{pulumi.String(AnyIPv4)},
		}},
		Tags: tags(name),
	}, parent)
	if err != nil {
		return nil, err
	}
	r.SecurityGroupID = sg.ID()
	logs, err := cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("/aws/codebuild/%s", a.ProjectPrefix),
		RetentionInDays: pulumi.Int(a.LogRetentionDays),
		KmsKeyId:        a.LogsKeyArn,
		Tags:            tags(name),
	}, parent, pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.RetainOnDelete))
	if err != nil {
		return nil, err
	}
	r.LogGroupName = logs.Name
	subnets := pulumi.StringArray{}
	for _, s := range a.SubnetIDs {
		subnets = append(subnets, s.ToStringOutput())
	}
	for _, kind := range Kinds {
		project := a.ProjectPrefix + "-" + string(kind)
		child := name + "-" + string(kind)
		trust, err := Trust(a.Account, project).JSON()
		if err != nil {
			return nil, err
		}
		role, err := iam.NewRole(ctx, child, &iam.RoleArgs{
			Description:      pulumi.Sprintf("CodeBuild project %s (in-VPC %s runner)", project, kind),
			AssumeRolePolicy: pulumi.String(trust),
			Tags:             tags(child),
		}, parent)
		if err != nil {
			return nil, err
		}
		kind, assume := kind, a.AssumeRoleArns[kind]
		doc := pulumi.All(logs.Arn, a.SourceBucketArn, subnets).ApplyT(func(v []any) (string, error) {
			return Policy(PolicyInput{Account: a.Account, Kind: kind, LogGroupArn: v[0].(string), SourceBucketArn: v[1].(string),
				TokenSecretName: a.TokenSecretNames[kind], AssumeRole: assume, SubnetIDs: v[2].([]string)}).JSON()
		}).(pulumi.StringOutput)
		policy, err := iam.NewRolePolicy(ctx, child, &iam.RolePolicyArgs{Role: role.ID(), Policy: doc}, parent)
		if err != nil {
			return nil, err
		}
		env := codebuild.ProjectEnvironmentEnvironmentVariableArray{}
		for _, v := range []struct{ name, value, typ string }{
			{"PULUMI_STACK", a.Stack, "PLAINTEXT"},
			{"PULUMI_VERSION", a.PulumiVersion, "PLAINTEXT"},
			{"PLATFORM_COMMAND", kind.Command(), "PLAINTEXT"},
			{"PLATFORM_ASSUME_ROLE_ARN", assume, "PLAINTEXT"},
		} {
			env = append(env, &codebuild.ProjectEnvironmentEnvironmentVariableArgs{
				Name: pulumi.String(v.name), Value: pulumi.String(v.value), Type: pulumi.String(v.typ)})
		}
		env = append(env, &codebuild.ProjectEnvironmentEnvironmentVariableArgs{
			Name: pulumi.String("PULUMI_ACCESS_TOKEN"), Value: pulumi.String(a.TokenSecretNames[kind]), Type: pulumi.String("SECRETS_MANAGER")})
		p, err := codebuild.NewProject(ctx, child, &codebuild.ProjectArgs{
			Name:        pulumi.String(project),
			Description: pulumi.Sprintf("pulumi %s of stack %s from inside the VPC", kind.Command(), a.Stack),
			ServiceRole: role.Arn,
			// An S3 source whose object CI names per build (--source-location-override); the
			// buildspec is the project's own, never read from the upload.
			Source: &codebuild.ProjectSourceArgs{
				Type:      pulumi.String("S3"),
				Location:  pulumi.Sprintf("%s/%s", a.SourceBucketName, SourceKey(kind, "latest")),
				Buildspec: pulumi.String(Buildspec),
			},
			Artifacts:    &codebuild.ProjectArtifactsArgs{Type: pulumi.String("NO_ARTIFACTS")},
			BuildTimeout: pulumi.Int(a.TimeoutMinutes),
			// One build at a time: two updates of one stack would only wait on its lock.
			ConcurrentBuildLimit: pulumi.Int(1),
			Environment:          buildEnvironment(&a, env),
			VpcConfig:            inVPC(&a, subnets, sg),
			LogsConfig:           logsTo(logs, kind),
			Tags:                 tags(child),
		}, parent, pulumi.DependsOn([]pulumi.Resource{policy}))
		if err != nil {
			return nil, err
		}
		r.ProjectNames[kind] = p.Name
		r.RoleArns[kind] = role.Arn
	}
	outputs := pulumi.Map{
		"securityGroupId":    r.SecurityGroupID,
		"deployProjectName":  r.ProjectNames[Deploy],
		"previewProjectName": r.ProjectNames[Preview],
		"logGroupName":       r.LogGroupName,
	}
	if a.GitHubActions != nil {
		if err := newActionsProject(ctx, name, &a, r, sg, logs, subnets, tags, parent); err != nil {
			return nil, err
		}
		outputs["actionsProjectName"] = r.ProjectNames[Actions]
	}
	return r, ctx.RegisterResourceOutputs(r, outputs)
}

// newActionsProject adds the GitHub Actions runner: its role, the project (a GitHub source through
// the connection, in the runner's subnets behind its security group, unprivileged) and the webhook
// that starts it for the configured workflow's queued jobs.
// buildEnvironment is every project's: the pinned CodeBuild image, never privileged (no Docker
// daemon, so no way to the host).
func buildEnvironment(a *RunnerArgs, env codebuild.ProjectEnvironmentEnvironmentVariableArray) *codebuild.ProjectEnvironmentArgs {
	return &codebuild.ProjectEnvironmentArgs{
		ComputeType:              pulumi.String(a.ComputeType),
		Image:                    pulumi.String(Image),
		Type:                     pulumi.String("LINUX_CONTAINER"),
		ImagePullCredentialsType: pulumi.String("CODEBUILD"),
		PrivilegedMode:           pulumi.Bool(false),
		EnvironmentVariables:     env,
	}
}

// inVPC puts a project in the runner's private subnets behind its security group.
func inVPC(a *RunnerArgs, subnets pulumi.StringArray, sg *ec2.SecurityGroup) *codebuild.ProjectVpcConfigArgs {
	return &codebuild.ProjectVpcConfigArgs{VpcId: a.VpcID, Subnets: subnets, SecurityGroupIds: pulumi.StringArray{sg.ID().ToStringOutput()}}
}

// logsTo sends a project's build logs to the runner's encrypted log group, a stream per project.
func logsTo(logs *cloudwatch.LogGroup, kind Kind) *codebuild.ProjectLogsConfigArgs {
	return &codebuild.ProjectLogsConfigArgs{
		CloudwatchLogs: &codebuild.ProjectLogsConfigCloudwatchLogsArgs{
			GroupName: logs.Name, StreamName: pulumi.String(string(kind)), Status: pulumi.String("ENABLED")},
		S3Logs: &codebuild.ProjectLogsConfigS3LogsArgs{Status: pulumi.String("DISABLED")},
	}
}

func newActionsProject(ctx *pulumi.Context, name string, a *RunnerArgs, r *Runner, sg *ec2.SecurityGroup, logs *cloudwatch.LogGroup,
	subnets pulumi.StringArray, tags func(string) pulumi.StringMap, parent pulumi.ResourceOption) error {
	gh := a.GitHubActions
	project := a.ProjectPrefix + "-" + string(Actions)
	child := name + "-" + string(Actions)
	trust, err := Trust(a.Account, project).JSON()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(ctx, child, &iam.RoleArgs{
		Description:      pulumi.Sprintf("CodeBuild project %s (in-VPC GitHub Actions runner of %s)", project, gh.Repository),
		AssumeRolePolicy: pulumi.String(trust),
		Tags:             tags(child),
	}, parent)
	if err != nil {
		return err
	}
	previewRole := a.AssumeRoleArns[Preview]
	doc := pulumi.All(logs.Arn, subnets).ApplyT(func(v []any) (string, error) {
		return ActionsPolicy(ActionsPolicyInput{Account: a.Account, LogGroupArn: v[0].(string), SubnetIDs: v[1].([]string),
			ConnectionArn: gh.ConnectionArn, PreviewRole: previewRole}).JSON()
	}).(pulumi.StringOutput)
	// CodeBuild checks the connection with the project's role when the project is created, so the
	// policy must exist first.
	policy, err := iam.NewRolePolicy(ctx, child, &iam.RolePolicyArgs{Role: role.ID(), Policy: doc}, parent)
	if err != nil {
		return err
	}
	env := codebuild.ProjectEnvironmentEnvironmentVariableArray{}
	// The same variables as the preview project's: what the job runs and the one role it may hold.
	for _, v := range []struct{ name, value string }{
		{"PULUMI_STACK", a.Stack},
		{"PLATFORM_COMMAND", Preview.Command()},
		{"PLATFORM_ASSUME_ROLE_ARN", previewRole},
	} {
		env = append(env, &codebuild.ProjectEnvironmentEnvironmentVariableArgs{
			Name: pulumi.String(v.name), Value: pulumi.String(v.value), Type: pulumi.String("PLAINTEXT")})
	}
	p, err := codebuild.NewProject(ctx, child, &codebuild.ProjectArgs{
		Name:        pulumi.String(project),
		Description: pulumi.Sprintf("GitHub Actions runner of %s (workflow %q) for stack %s, inside the VPC", gh.Repository, gh.WorkflowName, a.Stack),
		ServiceRole: role.Arn,
		// The runner's builds run the GitHub Actions runner, not a buildspec: the job's steps come
		// from the workflow.
		Source: &codebuild.ProjectSourceArgs{
			Type:     pulumi.String("GITHUB"),
			Location: pulumi.String(gh.Repository),
			Auth: &codebuild.ProjectSourceAuthArgs{
				Type:     pulumi.String("CODECONNECTIONS"),
				Resource: pulumi.String(gh.ConnectionArn),
			},
		},
		Artifacts:    &codebuild.ProjectArtifactsArgs{Type: pulumi.String("NO_ARTIFACTS")},
		BuildTimeout: pulumi.Int(a.TimeoutMinutes),
		Environment:  buildEnvironment(a, env),
		VpcConfig:    inVPC(a, subnets, sg),
		LogsConfig:   logsTo(logs, Actions),
		Tags:         tags(child),
	}, parent, pulumi.DependsOn([]pulumi.Resource{policy}))
	if err != nil {
		return err
	}
	filters := codebuild.WebhookFilterGroupFilterArray{}
	for _, f := range WebhookFilters(gh.WorkflowName) {
		filters = append(filters, &codebuild.WebhookFilterGroupFilterArgs{Type: pulumi.String(f.Type), Pattern: pulumi.String(f.Pattern)})
	}
	// A repository webhook (no scope configuration): CodeBuild creates it in the project's
	// repository through the connection.
	if _, err := codebuild.NewWebhook(ctx, child, &codebuild.WebhookArgs{
		ProjectName:  p.Name,
		BuildType:    pulumi.String("BUILD"),
		FilterGroups: codebuild.WebhookFilterGroupArray{&codebuild.WebhookFilterGroupArgs{Filters: filters}},
	}, parent); err != nil {
		return err
	}
	r.ProjectNames[Actions] = p.Name
	r.RoleArns[Actions] = role.Arn
	return nil
}
