package registry

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// GitHub's OIDC identity provider: one per AWS account (IAM refuses a second provider with the
// same URL), with the audience configure-aws-credentials asks for.
const (
	GitHubIssuer   = "token.actions.githubusercontent.com"
	GitHubURL      = "https://" + GitHubIssuer
	GitHubAudience = "sts.amazonaws.com"
)

// GitHubProviderArn is the ARN of the account's GitHub OIDC provider: IAM derives it from the
// account and the issuer, so a stack that does not own the provider can name it.
func GitHubProviderArn(partition, account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:oidc-provider/%s", partition, account, GitHubIssuer)
}

// Pull and push actions on a repository. GetAuthorizationToken is registry-wide (no resource), so
// it is granted in the pusher's identity policy, never here.
var (
	PullActions = []string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
	PushActions = []string{"ecr:BatchCheckLayerAvailability", "ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload",
		"ecr:PutImage", "ecr:UploadLayerPart"}
	// ImageReadActions are the actions that read an image's manifest and layers: only the pullers
	// (and the pusher) may.
	ImageReadActions = []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
	// WriteActions are every action that changes a repository's images: only the pusher may.
	WriteActions = []string{"ecr:BatchDeleteImage", "ecr:CompleteLayerUpload", "ecr:InitiateLayerUpload",
		"ecr:PutImage", "ecr:UploadLayerPart"}
)

// ServiceLinkedRoles matches the account's service-linked roles (Amazon Inspector's scans of an
// enhanced-scanning registry read images through one): they are exempt from the pull deny.
func ServiceLinkedRoles(partition, account string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/aws-service-role/*", partition, account)
}

// RepositoryPolicy lets the pullers (the nodes' role) pull and the pusher push, and denies
// everyone else both: an identity policy elsewhere in the account (ECR read-only on "*", an
// administrator) cannot pull from or write to the repository. pusher may be "": then nobody may
// push (the repository is frozen until a CI role is configured).
func RepositoryPolicy(partition, account string, pullers []string, pusher string) iampolicy.Document {
	readers := append(iampolicy.StringList{}, pullers...)
	writers := iampolicy.StringList{}
	if pusher != "" {
		readers = append(readers, pusher)
		writers = append(writers, pusher)
	}
	statements := []iampolicy.Statement{{
		Sid: "NodesPull", Effect: iampolicy.Allow,
		Principal: &iampolicy.Principal{AWS: iampolicy.StringList(pullers)},
		Actions:   PullActions,
	}}
	if pusher != "" {
		statements = append(statements, iampolicy.Statement{
			Sid: "CIRolePushes", Effect: iampolicy.Allow,
			Principal: &iampolicy.Principal{AWS: iampolicy.StringList{pusher}},
			Actions:   PushActions,
		})
	}
	statements = append(statements,
		iampolicy.Statement{
			Sid: "OnlyNodesAndCIRolePull", Effect: iampolicy.Deny,
			Principal: &iampolicy.Principal{AWS: iampolicy.StringList{"*"}},
			Actions:   ImageReadActions,
			Conditions: iampolicy.Conditions{"ArnNotLike": {
				"aws:PrincipalArn": append(readers, ServiceLinkedRoles(partition, account)),
			}},
		},
		iampolicy.Statement{
			Sid: "OnlyCIRoleWrites", Effect: iampolicy.Deny,
			Principal: &iampolicy.Principal{AWS: iampolicy.StringList{"*"}},
			Actions:   WriteActions,
		})
	if pusher != "" {
		last := &statements[len(statements)-1]
		last.Conditions = iampolicy.Conditions{"ArnNotEquals": {"aws:PrincipalArn": writers}}
	}
	return iampolicy.New(statements...)
}

// lifecycleRule is one rule of an ECR lifecycle policy.
type lifecycleRule struct {
	RulePriority int               `json:"rulePriority"`
	Description  string            `json:"description"`
	Selection    lifecycleSelector `json:"selection"`
	Action       struct {
		Type string `json:"type"`
	} `json:"action"`
}

type lifecycleSelector struct {
	TagStatus   string `json:"tagStatus"`
	CountType   string `json:"countType"`
	CountUnit   string `json:"countUnit,omitempty"`
	CountNumber int    `json:"countNumber"`
}

// LifecyclePolicy expires untagged images (layers of superseded builds) untaggedDays after their
// push, then keeps only the keepImages most recent images. ECR evaluates the rule with tagStatus
// "any" last, as it requires.
func LifecyclePolicy(keepImages, untaggedDays int) (string, error) {
	if keepImages < 1 || untaggedDays < 1 {
		return "", fmt.Errorf("registry: keepImages %d and untaggedDays %d must be at least 1", keepImages, untaggedDays)
	}
	untagged := lifecycleRule{RulePriority: 1, Description: fmt.Sprintf("expire untagged images %d days after push", untaggedDays),
		Selection: lifecycleSelector{TagStatus: "untagged", CountType: "sinceImagePushed", CountUnit: "days", CountNumber: untaggedDays}}
	untagged.Action.Type = "expire"
	old := lifecycleRule{RulePriority: 2, Description: fmt.Sprintf("keep the %d most recent images", keepImages),
		Selection: lifecycleSelector{TagStatus: "any", CountType: "imageCountMoreThan", CountNumber: keepImages}}
	old.Action.Type = "expire"
	out, err := json.Marshal(map[string][]lifecycleRule{"rules": {untagged, old}})
	return string(out), err
}

// Source is what a push role trusts: one GitHub repository, and either one branch (Ref,
// "refs/heads/<branch>") or one deployment environment (Environment). GitHub puts exactly one of
// them in the token's sub claim: a job that names an environment gets the environment form.
type Source struct {
	// Repository is "<owner>/<repo>"; required.
	Repository string
	// Ref is a branch or tag, e.g. "refs/heads/main"; exactly one of Ref and Environment is set.
	Ref string
	// Environment is a deployment environment, e.g. "production" (GitHub's protection rules, such
	// as required reviewers, then guard the push).
	Environment string
	// Workflow, when set, is the reusable workflow the job must run, "<owner>/<repo>/.github/
	// workflows/<file>@<ref>": IAM cannot read GitHub's job_workflow_ref claim, so the repository
	// (or its organisation) must customise its sub claim to include it (include_claim_keys: repo,
	// context, job_workflow_ref); the trust then admits only jobs that run that workflow.
	Workflow string
}

var (
	repoPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$`)
	refPattern  = regexp.MustCompile(`^refs/(heads|tags)/[A-Za-z0-9._/-]+$`)
	envPattern  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,255}$`)
	// workflowPattern is a reusable workflow at an exact ref or commit.
	workflowPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}/\.github/workflows/[A-Za-z0-9._-]+\.ya?ml@(refs/(heads|tags)/[A-Za-z0-9._/-]+|[0-9a-f]{40})$`)
)

// Validate reports every problem with the source; at names it in messages.
func (s Source) Validate(at string) []string {
	var p []string
	if !repoPattern.MatchString(s.Repository) {
		p = append(p, fmt.Sprintf("%s.repository: %q is not a GitHub repository (<owner>/<name>)", at, s.Repository))
	}
	switch {
	case s.Ref != "" && s.Environment != "":
		p = append(p, fmt.Sprintf("%s: ref %q and environment %q are both set: GitHub's token names one of them, so set exactly one", at, s.Ref, s.Environment))
	case s.Ref == "" && s.Environment == "":
		p = append(p, fmt.Sprintf("%s: neither ref nor environment is set: name the branch (refs/heads/<name>) or the deployment environment allowed to push", at))
	case s.Ref != "" && (!refPattern.MatchString(s.Ref) || strings.ContainsAny(s.Ref, "*?")):
		p = append(p, fmt.Sprintf("%s.ref: %q is not an exact ref (refs/heads/<branch> or refs/tags/<tag>, no wildcard)", at, s.Ref))
	case s.Environment != "" && !envPattern.MatchString(s.Environment):
		p = append(p, fmt.Sprintf("%s.environment: %q is not an environment name (letters, digits, '.', '_', '-')", at, s.Environment))
	}
	if s.Workflow != "" && !workflowPattern.MatchString(s.Workflow) {
		p = append(p, fmt.Sprintf("%s.workflow: %q is not a reusable workflow at an exact ref (<owner>/<repo>/.github/workflows/<file>.yml@refs/heads/<branch>, @refs/tags/<tag> or @<commit SHA>)", at, s.Workflow))
	}
	return p
}

// Subject is the exact sub claim of the source's tokens: GitHub's default form, or with Workflow
// the customised one (repo, context, job_workflow_ref).
func (s Source) Subject() string {
	sub := "repo:" + s.Repository + ":ref:" + s.Ref
	if s.Environment != "" {
		sub = "repo:" + s.Repository + ":environment:" + s.Environment
	}
	if s.Workflow != "" {
		sub += ":job_workflow_ref:" + s.Workflow
	}
	return sub
}

// PushTrust lets only the source's workflow runs assume the push role: a token of the GitHub
// provider for the STS audience whose sub is exactly the source's (StringEquals: no wildcard).
func PushTrust(providerArn string, s Source) iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Sid: "GitHubActionsOfOneRepositoryAndRef", Effect: iampolicy.Allow,
		Principal: &iampolicy.Principal{Federated: iampolicy.StringList{providerArn}},
		Actions:   iampolicy.StringList{iampolicy.AssumeRoleWithWebIdentity},
		Conditions: iampolicy.Conditions{"StringEquals": {
			GitHubIssuer + ":aud": {GitHubAudience},
			GitHubIssuer + ":sub": {s.Subject()},
		}},
	})
}

// PushPolicy lets the push role log in to the registry and push to one repository: nothing else.
func PushPolicy(repositoryArn string) iampolicy.Document {
	return iampolicy.New(
		iampolicy.Statement{Sid: "RegistryLogin", Effect: iampolicy.Allow,
			Actions: iampolicy.StringList{"ecr:GetAuthorizationToken"}, Resources: iampolicy.StringList{"*"}},
		iampolicy.Statement{Sid: "PushToOneRepository", Effect: iampolicy.Allow,
			Actions: append(iampolicy.StringList{"ecr:BatchGetImage", "ecr:DescribeImages"}, PushActions...), Resources: iampolicy.StringList{repositoryArn}},
	)
}

// RepositoryArn is the ARN ECR gives a repository: derived, so the push role's policy can name its
// repository before the repository (whose policy names the role) exists.
func RepositoryArn(partition, region, account, name string) string {
	return fmt.Sprintf("arn:%s:ecr:%s:%s:repository/%s", partition, region, account, name)
}

// RepositoryURL is the registry host and repository path images of the repository are named by.
func RepositoryURL(region, account, name string) string {
	return fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s", account, region, name)
}
