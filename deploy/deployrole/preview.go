package deployrole

import (
	"fmt"
	"strings"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// SidStartInVpcPreviewBuild is the preview role's statement that drives the in-VPC preview job.
const SidStartInVpcPreviewBuild = "StartInVpcPreviewBuild"

// PreviewPolicy is the permission policy of the preview role, which pull-request previews run as
// (their code is not reviewed yet, so it must hold nothing that writes or reads data). A preview
// without --refresh reads nothing of AWS but the program's invokes; so the policy is the invokes'
// read permissions and driving the in-VPC preview job: upload under preview/, start and follow the
// build and its log.
func PreviewPolicy(in Input) (ManagedPolicy, error) {
	entries, unknown := resolve(Input{Partition: in.Partition, Project: in.Project, Invokes: in.Invokes})
	if len(unknown) > 0 {
		return ManagedPolicy{}, fmt.Errorf("deployrole: no permissions known for invoke(s) %s", strings.Join(unknown, ", "))
	}
	if !projectPattern.MatchString(in.Project) {
		return ManagedPolicy{}, fmt.Errorf("deployrole: project %q is not 1 to 63 lowercase letters, digits and '-'", in.Project)
	}
	stmts, err := build(entries, strings.NewReplacer(partitionVar, in.Partition, projectVar, in.Project))
	if err != nil {
		return ManagedPolicy{}, err
	}
	p := in.Partition
	stmts = append(stmts, iampolicy.Statement{
		Sid:    SidStartInVpcPreviewBuild,
		Effect: iampolicy.Allow,
		Actions: iampolicy.StringList{"codebuild:BatchGetBuilds", "codebuild:StartBuild", "logs:GetLogEvents",
			"s3:PutObject"},
		Resources: iampolicy.StringList{
			fmt.Sprintf("arn:%s:codebuild:*:*:project/%s-*-preview", p, in.Project),
			fmt.Sprintf("arn:%s:logs:*:*:log-group:/aws/codebuild/%s-*", p, in.Project),
			fmt.Sprintf("arn:%s:s3:::%s-*-runner-*/preview/*", p, in.Project),
		},
	})
	return ManagedPolicy{Area: "preview", Document: iampolicy.New(stmts...)}, nil
}
