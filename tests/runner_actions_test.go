package tests

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
)

const tWebhook = "aws:codebuild/webhook:Webhook"

// actionsRunner is the logical name of prod's GitHub Actions runner project, role, policy and webhook.
const actionsRunner = p + "-runner-actions"

// The committed stacks' placeholders, which the README says to replace.
const (
	committedRepository = "https://github.com/example-org/platform"
	placeholderUUID     = "00000000-0000-0000-0000-000000000000"
)

func init() {
	project := tProject + "::" + actionsRunner
	webhook := tWebhook + "::" + actionsRunner
	assumeOnly := func(arn string) property.Value {
		return str(`{"Version":"2012-10-17","Statement":[{"Sid":"AssumeOwnRole","Effect":"Allow","Action":"sts:AssumeRole","Resource":"` + arn + `"}]}`)
	}
	brokenCases = append(brokenCases,
		brokenCase{name: "GitHub Actions runner in a public subnet", control: "RUN-002",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
				return setInput(tProject, actionsRunner, "vpcConfig.subnets[0]", idOf(t, g, tSubnet, p+"-public-eu-west-1a"))(t, g)
			},
			wantURN: project, wantPath: "vpcConfig.subnets"},
		brokenCase{name: "GitHub Actions runner outside the VPC", control: "RUN-002",
			breakGraph: deleteInput(tProject, actionsRunner, "vpcConfig"),
			wantURN:    project, wantPath: "vpcConfig.securityGroupIds"},
		brokenCase{name: "GitHub Actions runner builds privileged", control: "RUN-002",
			breakGraph: setInput(tProject, actionsRunner, "environment.privilegedMode", property.New(true)),
			wantURN:    project, wantPath: "environment.privilegedMode"},
		brokenCase{name: "GitHub Actions runner's role may assume the deploy role", control: "RUN-002",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
				deploy := envValue(t, named(t, g, tProject, p+"-runner-deploy"), "PLATFORM_ASSUME_ROLE_ARN")
				return setInput(tRolePol, actionsRunner, "policy", assumeOnly(deploy))(t, g)
			},
			wantURN: tRole + "::" + actionsRunner, wantPath: "policy.sts:AssumeRole"},
		brokenCase{name: "GitHub Actions runner's role may assume any role", control: "RUN-002",
			breakGraph: setInput(tRolePol, actionsRunner, "policy", assumeOnly("*")),
			wantURN:    tRole + "::" + actionsRunner, wantPath: "policy.sts:AssumeRole"},
		brokenCase{name: "GitHub Actions runner's role holds a managed policy", control: "RUN-002",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
				return setInput(tAttach, p+"-node-AmazonEKSWorkerNodePolicy", "role", idOf(t, g, tRole, actionsRunner))(t, g)
			},
			wantURN: tAttach + "::" + p + "-node-AmazonEKSWorkerNodePolicy", wantPath: "policyArn"},
		brokenCase{name: "GitHub Actions runner's webhook builds pushes", control: "RUN-002",
			breakGraph: setInput(tWebhook, actionsRunner, "filterGroups[0].filters[0].pattern", str("PUSH")),
			wantURN:    webhook, wantPath: "filterGroups[0].filters"},
		brokenCase{name: "GitHub Actions runner's webhook adds pushes to queued jobs", control: "RUN-002",
			breakGraph: setInput(tWebhook, actionsRunner, "filterGroups[0].filters[0].pattern", str("WORKFLOW_JOB_QUEUED, PUSH")),
			wantURN:    webhook, wantPath: "filterGroups[0].filters"},
		brokenCase{name: "GitHub Actions runner's webhook excludes queued jobs instead", control: "RUN-002",
			breakGraph: setInput(tWebhook, actionsRunner, "filterGroups[0].filters[0].excludeMatchedPattern", property.New(true)),
			wantURN:    webhook, wantPath: "filterGroups[0].filters"},
		brokenCase{name: "GitHub Actions runner's webhook is the organisation's", control: "RUN-002",
			breakGraph: setInput(tWebhook, actionsRunner, "scopeConfiguration", property.New(map[string]property.Value{
				"name": str("example-org"), "scope": str("GITHUB_ORGANIZATION")})),
			wantURN: webhook, wantPath: "scopeConfiguration"},
		brokenCase{name: "GitHub Actions runner's webhook left to the console", control: "RUN-002",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tWebhook, actionsRunner) },
			wantURN:    project, wantPath: "webhook"},
		brokenCase{name: "GitHub Actions runner serves every repository", control: "RUN-002",
			breakGraph: setInput(tProject, actionsRunner, "source.location", str("CODEBUILD_DEFAULT_WEBHOOK_SOURCE_LOCATION")),
			wantURN:    project, wantPath: "source.location"},
		brokenCase{name: "webhook starts the deploy project", control: "RUN-002",
			breakGraph: setInput(tWebhook, actionsRunner, "projectName", str(p+"-deploy")),
			wantURN:    webhook, wantPath: "projectName"},
	)
}

// accountOf is each committed stack's (placeholder) account.
var accountOf = map[string]string{"dev": "111111111111", "staging": "111111111111", "prod": "222222222222"}

// TestEveryStackHasAGitHubActionsRunnerInItsPrivateSubnets: each committed stack's pull-request
// previews run on its own CodeBuild-hosted runner, in its private subnets, behind the runner's
// security group, reaching GitHub through the stack's connection, with at most the preview role.
func TestEveryStackHasAGitHubActionsRunnerInItsPrivateSubnets(t *testing.T) {
	for _, stack := range Stacks {
		g := record(t, stack)
		prefix, acct := "platform-"+stack, accountOf[stack]
		connection := "arn:aws:codeconnections:eu-west-1:" + acct + ":connection/" + placeholderUUID
		project := named(t, g, tProject, prefix+"-runner-actions")
		for path, want := range map[string]string{
			"name": prefix + "-actions", "source.type": "GITHUB", "source.location": committedRepository,
			"source.auth.type": "CODECONNECTIONS", "source.auth.resource": connection,
		} {
			if got, err := project.String(path); err != nil || got != want {
				t.Errorf("%s: actions project %s = %q, %v; want %q", stack, path, got, err, want)
			}
		}
		if v, err := project.Bool("environment.privilegedMode"); err != nil || v {
			t.Errorf("%s: actions project privilegedMode = %v, %v; want an explicit false", stack, v, err)
		}
		if project.Has("source.buildspec") {
			t.Errorf("%s: the actions project has a buildspec; the workflow's steps are what it runs", stack)
		}
		var private []string
		for _, s := range g.OfType(tSubnet) {
			if strings.HasPrefix(s.Name, prefix+"-private-") {
				private = append(private, s.ID)
			}
		}
		if got, _ := project.Strings("vpcConfig.subnets"); len(private) < 2 || !slices.Equal(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(private))) {
			t.Errorf("%s: actions project subnets %v, want exactly the private subnets %v", stack, got, private)
		}
		if got, _ := project.Strings("vpcConfig.securityGroupIds"); !slices.Equal(got, []string{named(t, g, tSG, prefix+"-runner").ID}) {
			t.Errorf("%s: actions project security groups %v, want only the runner's", stack, got)
		}
		hook := named(t, g, tWebhook, prefix+"-runner-actions")
		filters := fmt.Sprint(graph.Plain(hook.Inputs.Get("filterGroups")))
		if want := "[map[filters:[map[pattern:WORKFLOW_JOB_QUEUED type:EVENT] map[pattern:^pull-request$ type:WORKFLOW_NAME]]]]"; filters != want {
			t.Errorf("%s: webhook filter groups %s, want %s", stack, filters, want)
		}
		if name, _ := hook.String("projectName"); name != prefix+"-actions" || hook.Has("scopeConfiguration") {
			t.Errorf("%s: webhook of %q (scope %v); want the repository webhook of %s-actions", stack, name, hook.Has("scopeConfiguration"), prefix)
		}
		text, _ := named(t, g, tRolePol, prefix+"-runner-actions").String("policy")
		doc, err := iampolicy.Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		var sids []string
		for _, s := range doc.Statements {
			sids = append(sids, s.Sid+fmt.Sprint(s.Actions)+fmt.Sprint(s.Resources))
		}
		want := []string{
			"WriteOwnLogs[logs:CreateLogStream logs:PutLogEvents][arn:aws:logs:eu-west-1:" + acct + ":log-group:/aws/codebuild/" + prefix + ":log-stream:actions*]",
			"ManageBuildNetworkInterfaces[ec2:CreateNetworkInterface ec2:DeleteNetworkInterface ec2:DescribeDhcpOptions ec2:DescribeNetworkInterfaces ec2:DescribeSecurityGroups ec2:DescribeSubnets ec2:DescribeVpcs][*]",
			"AttachInterfacesInRunnerSubnets[ec2:CreateNetworkInterfacePermission][arn:aws:ec2:eu-west-1:" + acct + ":network-interface/*]",
			"UseGitHubConnection[codeconnections:GetConnection codeconnections:GetConnectionToken codeconnections:UseConnection][" + connection + "]",
			"AssumeOwnRole[sts:AssumeRole][arn:aws:iam::" + acct + ":role/ci-platform-preview]",
		}
		if !slices.Equal(sids, want) {
			t.Errorf("%s: actions role policy\n got  %q\n want %q", stack, sids, want)
		}
	}
}

// TestGitHubActionsConfigProblemsNameKeyValueAndRule: a bad platform:runner.githubActions is
// refused before anything is registered, each problem with its key path, its value and what is
// allowed.
func TestGitHubActionsConfigProblemsNameKeyValueAndRule(t *testing.T) {
	const key = "platform:runner.githubActions"
	conn := "arn:aws:codeconnections:eu-west-1:222222222222:connection/" + placeholderUUID
	for _, tc := range []struct {
		name, runner string
		want         []string
	}{
		{"a clone URL", `{"githubActions":{"repository":"https://github.com/example-org/platform.git","connectionArn":"` + conn + `"}}`,
			[]string{key + `.repository: "https://github.com/example-org/platform.git" is not a GitHub repository URL (allowed: https://github.com/<owner>/<repo>, without .git or a trailing slash)`}},
		{"an owner only", `{"githubActions":{"repository":"https://github.com/example-org","connectionArn":"` + conn + `"}}`,
			[]string{key + `.repository: "https://github.com/example-org" is not a GitHub repository URL (allowed: https://github.com/<owner>/<repo>, without .git or a trailing slash)`}},
		{"another account's connection", `{"githubActions":{"repository":"` + committedRepository + `","connectionArn":"arn:aws:codeconnections:eu-west-1:111111111111:connection/` + placeholderUUID + `"}}`,
			[]string{key + `.connectionArn: "arn:aws:codeconnections:eu-west-1:111111111111:connection/` + placeholderUUID + `" is a connection of account 111111111111, not of the stack's account (aws:allowedAccountIds: 222222222222); a CodeBuild project can use only a connection of its own account`}},
		{"a connection name, not its ARN", `{"githubActions":{"repository":"` + committedRepository + `","connectionArn":"github-platform"}}`,
			[]string{key + `.connectionArn: "github-platform" is not a connection ARN (allowed: arn:<partition>:codeconnections:<region>:<12-digit account>:connection/<uuid>, or the older codestar-connections service)`}},
		{"a repository without a connection", `{"githubActions":{"repository":"` + committedRepository + `","connectionArn":""}}`,
			[]string{key + `.connectionArn: required with repository (allowed: arn:aws:codeconnections:<region>:<account>:connection/<uuid>, a connection created in the console and AVAILABLE)`}},
		{"a workflow name on two lines", `{"githubActions":{"repository":"` + committedRepository + `","connectionArn":"` + conn + `","workflowName":"pull-request\nall"}}`,
			[]string{key + `.workflowName: "pull-request\nall" must be 1 to 255 characters on one line (the workflow's name:)`}},
		{"no runner to host it", `{"enabled":false,"githubActions":{"repository":"` + committedRepository + `","connectionArn":"` + conn + `"}}`,
			[]string{key + `: the GitHub Actions runner is a project of the in-VPC runner: set runner.enabled true, or remove githubActions`,
				`platform:cluster: the API endpoint is private and nothing may reach it to apply the in-cluster resources: keep platform:runner.enabled true, or list platform:cluster.apiAccess sources`}},
		{"an unknown key", `{"githubActions":{"repo":"example-org/platform"}}`,
			[]string{key + `.repo: unknown key (allowed: connectionArn, repository, workflowName)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := recorder.Record(recorder.Options{Stack: "prod", Edit: func(c map[string]string) { c["platform:runner"] = tc.runner }})
			var ce *infra.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("want a *infra.ConfigError, got %v", err)
			}
			got := slices.Sorted(slices.Values(ce.Problems))
			if want := slices.Sorted(slices.Values(tc.want)); !slices.Equal(got, want) {
				t.Errorf("problems:\n got  %q\n want %q", got, want)
			}
		})
	}
}

// pullRequestWorkflow is the workflow whose preview job runs on the stacks' GitHub Actions runners.
const pullRequestWorkflow = ".github/workflows/pull-request.yml"

// previewJobProblems checks the preview job of the pull-request workflow: the official Pulumi
// action, pinned to a commit, previewing each stack with the policy pack on the stack's own in-VPC
// runner, as the preview role through OIDC, commenting once per stack, never for forks.
func previewJobProblems(text string) []string {
	var wf struct {
		Jobs map[string]struct {
			If       string            `yaml:"if"`
			RunsOn   any               `yaml:"runs-on"`
			Perms    map[string]string `yaml:"permissions"`
			Strategy struct {
				Matrix struct {
					Stack []string `yaml:"stack"`
				} `yaml:"matrix"`
			} `yaml:"strategy"`
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
				Env  map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal([]byte(text), &wf); err != nil {
		return []string{err.Error()}
	}
	job, ok := wf.Jobs["preview"]
	if !ok {
		return []string{"no preview job"}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if !strings.Contains(job.If, "github.event.pull_request.head.repo.full_name == github.repository") {
		bad("if: %q does not exclude forks", job.If)
	}
	if !slices.Equal(job.Strategy.Matrix.Stack, Stacks) {
		bad("matrix.stack: %v, want every stack %v", job.Strategy.Matrix.Stack, Stacks)
	}
	for _, stack := range Stacks {
		label := strings.ReplaceAll(fmt.Sprint(job.RunsOn), "${{ matrix.stack }}", stack)
		if want := "codebuild-platform-" + stack + "-actions-${{ github.run_id }}-${{ github.run_attempt }}"; label != want {
			bad("runs-on for %s: %q, want the stack's runner %q", stack, label, want)
		}
	}
	for perm, want := range map[string]string{"contents": "read", "id-token": "write", "pull-requests": "write"} {
		if job.Perms[perm] != want {
			bad("permissions.%s: %q, want %q", perm, job.Perms[perm], want)
		}
	}
	pinned := regexp.MustCompile(`^pulumi/actions@[0-9a-f]{40}$`)
	var pulumiSteps, oidcSteps int
	for _, s := range job.Steps {
		switch {
		case strings.HasPrefix(s.Uses, "pulumi/actions@"):
			pulumiSteps++
			if !pinned.MatchString(s.Uses) {
				bad("uses: %q is not pinned to a commit", s.Uses)
			}
			for k, want := range map[string]string{"command": "preview", "stack-name": "${{ matrix.stack }}", "work-dir": ".",
				"policyPacks": "cmd/policypack", "comment-on-pr": "true", "edit-pr-comment": "true", "github-token": "${{ github.token }}"} {
				if s.With[k] != want {
					bad("pulumi/actions with.%s: %q, want %q", k, s.With[k], want)
				}
			}
			if s.Env["PULUMI_ACCESS_TOKEN"] != "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}" {
				bad("pulumi/actions env.PULUMI_ACCESS_TOKEN: %q, want the read-only preview token", s.Env["PULUMI_ACCESS_TOKEN"])
			}
		case strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@"):
			oidcSteps++
			if s.With["role-to-assume"] != "${{ vars[format('AWS_PREVIEW_ROLE_ARN_{0}', matrix.stack)] }}" || s.With["aws-access-key-id"] != "" {
				bad("configure-aws-credentials: %v, want the stack's preview role through OIDC only", s.With)
			}
		}
	}
	if pulumiSteps != 1 || oidcSteps != 1 {
		bad("%d pulumi/actions and %d configure-aws-credentials steps, want one of each", pulumiSteps, oidcSteps)
	}
	return problems
}

// TestThePreviewJobRunsThePulumiActionOnEachStacksRunner: the committed preview job passes the
// check, which fails on each broken variant; the policy pack it names exists.
func TestThePreviewJobRunsThePulumiActionOnEachStacksRunner(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(projectDir(t), pullRequestWorkflow)) // #nosec G304 -- a file of this repository
	if err != nil {
		t.Fatal(err)
	}
	text := string(raw)
	if problems := previewJobProblems(text); len(problems) > 0 {
		t.Fatalf("%s preview job: %q", pullRequestWorkflow, problems)
	}
	if _, err := os.Stat(filepath.Join(projectDir(t), "cmd", "policypack", "PulumiPolicy.yaml")); err != nil {
		t.Errorf("the policy pack the job names: %v", err)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"hosted runner", "runs-on: codebuild-platform-${{ matrix.stack }}-actions-${{ github.run_id }}-${{ github.run_attempt }}", "runs-on: ubuntu-24.04",
			`runs-on for dev: "ubuntu-24.04", want the stack's runner "codebuild-platform-dev-actions-${{ github.run_id }}-${{ github.run_attempt }}"`},
		{"action on a tag", "pulumi/actions@8582a9e8cc630786854029b4e09281acd6794b58", "pulumi/actions@v6",
			`uses: "pulumi/actions@v6" is not pinned to a commit`},
		{"no policy pack", "policyPacks: cmd/policypack", "policyPacks: ''",
			`pulumi/actions with.policyPacks: "", want "cmd/policypack"`},
		{"a new comment per run", "edit-pr-comment: true", "edit-pr-comment: false",
			`pulumi/actions with.edit-pr-comment: "false", want "true"`},
		{"forks included", "if: github.event_name == 'pull_request' && github.event.pull_request.head.repo.full_name == github.repository", "if: github.event_name == 'pull_request'",
			`if: "github.event_name == 'pull_request'" does not exclude forks`},
		{"no OIDC token", "      id-token: write\n      pull-requests: write", "      pull-requests: write",
			`permissions.id-token: "", want "write"`},
		{"the deploy token", "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}", "${{ secrets.PULUMI_ACCESS_TOKEN }}",
			`pulumi/actions env.PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}", want the read-only preview token`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Count(text, tc.from) != 1 {
				t.Fatalf("%q is not once in %s", tc.from, pullRequestWorkflow)
			}
			if got := previewJobProblems(strings.Replace(text, tc.from, tc.to, 1)); !slices.Contains(got, tc.want) {
				t.Errorf("problems %q, want %q among them", got, tc.want)
			}
		})
	}
}
