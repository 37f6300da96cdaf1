package runner

import (
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"

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
	VpcID     pulumi.StringInput
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
	// LogsKeyArn encrypts the build logs; required. LogRetentionDays keeps them; 0 means 365.
	LogsKeyArn       pulumi.StringInput
	LogRetentionDays int
	// PulumiVersion is the Pulumi CLI the builds install; required, e.g. "3.274.1".
	PulumiVersion string
	// ComputeType and TimeoutMinutes of the builds; "" and 0 mean the defaults.
	ComputeType    string
	TimeoutMinutes int
	// Protect and RetainOnDelete apply to the log group (deploy history is audit evidence).
	Protect, RetainOnDelete bool
	// Tags are added to every taggable child.
	Tags map[string]string
}

// Runner is the in-VPC deploy runner.
type Runner struct {
	pulumi.ResourceState

	// SecurityGroupID is the builds' security group: admit it where the builds must reach.
	SecurityGroupID pulumi.IDOutput
	// ProjectNames and RoleArns (the projects' service roles) by kind.
	ProjectNames map[Kind]pulumi.StringOutput
	RoleArns     map[Kind]pulumi.StringOutput
	// LogGroupName holds both projects' logs, one stream per kind.
	LogGroupName pulumi.StringOutput
}

var (
	accountPattern = regexp.MustCompile(`^[0-9]{12}$`)
	roleArnPattern = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,64}$`)
	projectPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{1,240}$`)
	versionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
)

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
	Account                     Account
	Kind                        Kind
	LogGroupArn                 string
	SourceBucketArn             string
	TokenSecretName, AssumeRole string
	SubnetIDs                   []string
}

// Policy is a project's role policy: its logs, its network interfaces (the statements AWS documents
// for CodeBuild in a VPC, limited to the runner's subnets), its own source prefix, the token, and
// one role to assume.
func Policy(in PolicyInput) iampolicy.Document {
	a := in.Account
	var subnets iampolicy.StringList
	for _, id := range in.SubnetIDs {
		subnets = append(subnets, fmt.Sprintf("arn:%s:ec2:%s:%s:subnet/%s", a.Partition, a.Region, a.ID, id))
	}
	return iampolicy.New(
		iampolicy.Statement{Sid: "WriteOwnLogs", Effect: iampolicy.Allow,
			Actions:   iampolicy.StringList{"logs:CreateLogStream", "logs:PutLogEvents"},
			Resources: iampolicy.StringList{in.LogGroupArn + ":log-stream:" + string(in.Kind) + "*"}},
		// CodeBuild creates, inspects and deletes the build's interfaces; these calls have no
		// resource-level permissions (AWS's documented statement).
		iampolicy.Statement{Sid: "ManageBuildNetworkInterfaces", Effect: iampolicy.Allow,
			Actions: iampolicy.StringList{"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeDhcpOptions",
				"ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs"},
			Resources: iampolicy.StringList{"*"}},
		iampolicy.Statement{Sid: "AttachInterfacesInRunnerSubnets", Effect: iampolicy.Allow,
			Actions:   iampolicy.StringList{"ec2:CreateNetworkInterfacePermission"},
			Resources: iampolicy.StringList{fmt.Sprintf("arn:%s:ec2:%s:%s:network-interface/*", a.Partition, a.Region, a.ID)},
			Conditions: iampolicy.Conditions{
				"StringEquals": {"ec2:AuthorizedService": {CodeBuildService}},
				"ArnEquals":    {"ec2:Subnet": subnets},
			}},
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
		iampolicy.Statement{Sid: "AssumeOwnRole", Effect: iampolicy.Allow,
			Actions:   iampolicy.StringList{"sts:AssumeRole"},
			Resources: iampolicy.StringList{in.AssumeRole}},
	)
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
			Environment: &codebuild.ProjectEnvironmentArgs{
				ComputeType:              pulumi.String(a.ComputeType),
				Image:                    pulumi.String(Image),
				Type:                     pulumi.String("LINUX_CONTAINER"),
				ImagePullCredentialsType: pulumi.String("CODEBUILD"),
				PrivilegedMode:           pulumi.Bool(false),
				EnvironmentVariables:     env,
			},
			VpcConfig: &codebuild.ProjectVpcConfigArgs{
				VpcId:            a.VpcID,
				Subnets:          subnets,
				SecurityGroupIds: pulumi.StringArray{sg.ID().ToStringOutput()},
			},
			LogsConfig: &codebuild.ProjectLogsConfigArgs{
				CloudwatchLogs: &codebuild.ProjectLogsConfigCloudwatchLogsArgs{
					GroupName: logs.Name, StreamName: pulumi.String(string(kind)), Status: pulumi.String("ENABLED")},
				S3Logs: &codebuild.ProjectLogsConfigS3LogsArgs{Status: pulumi.String("DISABLED")},
			},
			Tags: tags(child),
		}, parent, pulumi.DependsOn([]pulumi.Resource{policy}))
		if err != nil {
			return nil, err
		}
		r.ProjectNames[kind] = p.Name
		r.RoleArns[kind] = role.Arn
	}
	return r, ctx.RegisterResourceOutputs(r, pulumi.Map{
		"securityGroupId":    r.SecurityGroupID,
		"deployProjectName":  r.ProjectNames[Deploy],
		"previewProjectName": r.ProjectNames[Preview],
		"logGroupName":       r.LogGroupName,
	})
}
