package runner_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/runner"
	"github.com/securestack/platform/proof/engine/graph"
)

const (
	tWebhook   = "aws:codebuild/webhook:Webhook"
	repository = "https://github.com/example-org/platform"
	connection = "arn:aws:codeconnections:eu-west-1:111111111111:connection/6f2a1b3c-1d2e-4f50-8a9b-0c1d2e3f4a5b"
)

func withActions(a *runner.RunnerArgs) {
	a.GitHubActions = &runner.GitHubActionsArgs{Repository: repository, ConnectionArn: connection}
}

// TestGitHubActionsArgsAreValidatedWithTheRest: every problem of the GitHub Actions runner's args
// is reported with the others, and nothing is registered.
func TestGitHubActionsArgsAreValidatedWithTheRest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		actions runner.GitHubActionsArgs
		want    []string
	}{
		{"everything wrong", runner.GitHubActionsArgs{Repository: "git@github.com:example-org/platform.git", ConnectionArn: "arn:aws:codestar-connections:eu-west-1:111111111111:host/abc", WorkflowName: "a\nb"}, []string{
			`githubActions.repository: "git@github.com:example-org/platform.git" is not a GitHub repository URL (allowed: https://github.com/<owner>/<repo>, without .git or a trailing slash)`,
			`githubActions.connectionArn: "arn:aws:codestar-connections:eu-west-1:111111111111:host/abc" is not a connection ARN (allowed: arn:<partition>:codeconnections:<region>:<12-digit account>:connection/<uuid>, or the older codestar-connections service)`,
			`githubActions.workflowName: "a\nb" must be 1 to 255 characters on one line (the workflow's name:)`,
		}},
		{"another account and partition", runner.GitHubActionsArgs{Repository: repository + "/", ConnectionArn: "arn:aws-cn:codeconnections:cn-north-1:222222222222:connection/6f2a1b3c-1d2e-4f50-8a9b-0c1d2e3f4a5b"}, []string{
			`githubActions.repository: "https://github.com/example-org/platform/" is not a GitHub repository URL (allowed: https://github.com/<owner>/<repo>, without .git or a trailing slash)`,
			`githubActions.connectionArn: "arn:aws-cn:codeconnections:cn-north-1:222222222222:connection/6f2a1b3c-1d2e-4f50-8a9b-0c1d2e3f4a5b" is a connection of account 222222222222; the runner's project can use only a connection of its own account, 111111111111`,
			`githubActions.connectionArn: "arn:aws-cn:codeconnections:cn-north-1:222222222222:connection/6f2a1b3c-1d2e-4f50-8a9b-0c1d2e3f4a5b" is in partition aws-cn, the runner in aws`,
		}},
		{"an owner longer than GitHub allows", runner.GitHubActionsArgs{Repository: "https://github.com/" + strings.Repeat("a", 40) + "/platform", ConnectionArn: connection}, []string{
			`githubActions.repository: "https://github.com/` + strings.Repeat("a", 40) + `/platform" is not a GitHub repository URL (allowed: https://github.com/<owner>/<repo>, without .git or a trailing slash)`,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := validArgs()
			actions := tc.actions
			args.GitHubActions = &actions
			want := strings.Join(tc.want, "\n")
			if err := args.Validate(); err == nil || err.Error() != want {
				t.Errorf("Validate:\n got  %v\n want %s", err, want)
			}
			g, err := recordRunner(t, args)
			if err == nil || g.Len() != 1 {
				t.Errorf("NewRunner registered %d resources (%v), want only the stack and an error", g.Len(), err)
			}
		})
	}
	args := validArgs()
	withActions(args)
	if err := args.Validate(); err != nil {
		t.Errorf("valid args rejected: %v", err)
	}
}

// TestGitHubActionsRunnerIsAThirdProjectBehindTheSameSecurityGroup: the runner adds exactly a
// role, its policy, a project and a webhook, all parented to the component, and nothing when off.
func TestGitHubActionsRunnerIsAThirdProjectBehindTheSameSecurityGroup(t *testing.T) {
	g := mustRecord(t, withActions)
	want := map[string]int{graph.StackType: 1, runner.TypeToken: 1, tSG: 1, tLogGroup: 1, tRole: 3, tRolePolicy: 3, tProject: 3, tWebhook: 1}
	if got := g.CountByType(); !maps.Equal(got, want) {
		t.Errorf("resources by type:\n got  %v\n want %v", got, want)
	}
	comp := named(t, g, runner.TypeToken, name)
	for _, typ := range []string{tRole, tRolePolicy, tProject, tWebhook} {
		if r := named(t, g, typ, "runner-actions"); r.Parent != comp.URN {
			t.Errorf("%s runner-actions parent %s, want the component", typ, r.Parent)
		}
	}
	p := named(t, g, tProject, "runner-actions")
	wantString(t, p, "name", prefix+"-actions")
	wantString(t, p, "source.type", "GITHUB")
	wantString(t, p, "source.location", repository)
	wantString(t, p, "source.auth.type", "CODECONNECTIONS")
	wantString(t, p, "source.auth.resource", connection)
	wantBool(t, p, "environment.privilegedMode", false)
	wantStrings(t, p, "vpcConfig.subnets", subnets)
	wantStrings(t, p, "vpcConfig.securityGroupIds", []string{named(t, g, tSG, name).ID})
	wantString(t, p, "logsConfig.cloudwatchLogs.streamName", "actions")
	if p.Has("concurrentBuildLimit") {
		t.Errorf("the actions project limits concurrent builds: queued jobs of other pull requests would never get a runner")
	}
	hook := named(t, g, tWebhook, "runner-actions")
	wantString(t, hook, "projectName", prefix+"-actions")
	wantString(t, hook, "buildType", "BUILD")
	wantString(t, hook, "filterGroups[0].filters[0].type", "EVENT")
	wantString(t, hook, "filterGroups[0].filters[0].pattern", "WORKFLOW_JOB_QUEUED")
	wantString(t, hook, "filterGroups[0].filters[1].type", "WORKFLOW_NAME")
	wantString(t, hook, "filterGroups[0].filters[1].pattern", "^pull-request$")
	if n := hook.Len("filterGroups"); n != 1 || hook.Has("scopeConfiguration") {
		t.Errorf("webhook: %d filter groups, scope configuration %v; want one group and a repository webhook", n, hook.Has("scopeConfiguration"))
	}
	if got := g.CountByType(); got[tWebhook] != 1 {
		t.Errorf("%d webhooks", got[tWebhook])
	}
	off := mustRecord(t, nil).CountByType()
	if off[tWebhook] != 0 || off[tProject] != 2 {
		t.Errorf("without GitHubActions: %d webhooks and %d projects, want 0 and 2", off[tWebhook], off[tProject])
	}
}

// TestGitHubActionsRoleAssumesOnlyThePreviewRoleAndUsesOnlyItsConnection: pull-request code can
// reach this role's credentials, so it may do nothing but run a build and assume the preview role.
func TestGitHubActionsRoleAssumesOnlyThePreviewRoleAndUsesOnlyItsConnection(t *testing.T) {
	g := mustRecord(t, withActions)
	wantString(t, named(t, g, tRole, "runner-actions"), "assumeRolePolicy", trustJSON(prefix+"-actions"))
	text, _ := named(t, g, tRolePolicy, "runner-actions").String("policy")
	doc, err := iampolicy.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range doc.Statements {
		got = append(got, s.Sid+" "+strings.Join(s.Actions, ",")+" "+strings.Join(s.Resources, ","))
	}
	want := []string{
		"WriteOwnLogs logs:CreateLogStream,logs:PutLogEvents " + logGroupArn + ":log-stream:actions*",
		"ManageBuildNetworkInterfaces ec2:CreateNetworkInterface,ec2:DeleteNetworkInterface,ec2:DescribeDhcpOptions,ec2:DescribeNetworkInterfaces,ec2:DescribeSecurityGroups,ec2:DescribeSubnets,ec2:DescribeVpcs *",
		"AttachInterfacesInRunnerSubnets ec2:CreateNetworkInterfacePermission arn:aws:ec2:eu-west-1:111111111111:network-interface/*",
		"UseGitHubConnection codeconnections:GetConnection,codeconnections:GetConnectionToken,codeconnections:UseConnection " + connection,
		"AssumeOwnRole sts:AssumeRole " + previewRole,
	}
	if !slices.Equal(got, want) {
		t.Errorf("policy:\n got  %q\n want %q", got, want)
	}
	for _, action := range []string{"s3:GetObject", "secretsmanager:GetSecretValue", "iam:PassRole"} {
		if s := doc.Allows(action); len(s) > 0 {
			t.Errorf("the actions role may %s (%v): the workflow brings its source and token", action, s)
		}
	}
}

// TestLegacyConnectionArnsGetTheirOwnServicePrefix: IAM matches an action's service prefix to the
// ARN's, so a codestar-connections ARN needs codestar-connections actions.
func TestLegacyConnectionArnsGetTheirOwnServicePrefix(t *testing.T) {
	legacy := "arn:aws:codestar-connections:eu-west-1:111111111111:connection/6f2a1b3c-1d2e-4f50-8a9b-0c1d2e3f4a5b"
	doc := runner.ActionsPolicy(runner.ActionsPolicyInput{Account: runner.Account{ID: accountID, Region: "eu-west-1", Partition: "aws"},
		LogGroupArn: logGroupArn, SubnetIDs: subnets, ConnectionArn: legacy, PreviewRole: previewRole})
	s := doc.Allows("codestar-connections:GetConnectionToken")
	if len(s) != 1 || !slices.Equal([]string(s[0].Resources), []string{legacy}) {
		t.Errorf("statements allowing codestar-connections:GetConnectionToken: %v", s)
	}
	if len(doc.Allows("codeconnections:GetConnectionToken")) != 0 {
		t.Errorf("a codestar-connections ARN got codeconnections actions")
	}
}
