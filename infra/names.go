package infra

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/components/database"
	"github.com/securestack/platform/components/runner"
	"github.com/securestack/platform/components/secrets"
	"github.com/securestack/platform/components/storage"
)

// Names derives every fixed physical name the platform gives an AWS resource from the project,
// stack, region and account: one source for the resources and for the validation that proves
// them valid before anything is registered.
type Names struct {
	Project, Stack, Region, Account string
}

// Names returns the names of the stack in an account.
func (c *Config) Names(account string) Names {
	return Names{Project: c.Project, Stack: c.Stack, Region: c.Region, Account: account}
}

// Prefix is "<project>-<stack>": the component names, the cluster name and every child name
// (and so every auto-generated physical name) start with it.
func (n Names) Prefix() string { return n.Project + "-" + n.Stack }

// Bucket is the name of the stack's bucket for a purpose: fixed (so policies can name it before it
// exists, and an ordinary change never renames and so replaces it) and globally unique through
// the account and region.
func (n Names) Bucket(purpose string) string {
	return fmt.Sprintf("%s-%s-%s-%s", n.Prefix(), purpose, n.Account, n.Region)
}

// Table is the media table's name.
func (n Names) Table() string { return n.Prefix() + "-media" }

// Secret is the name of the stack's secret for a purpose.
func (n Names) Secret(purpose string) string { return n.Project + "/" + n.Stack + "/" + purpose }

// Repository is the name of a service's ECR repository: "<project>/<stack>/<service>", so the
// stacks sharing an account (dev and staging) each have their own.
func (n Names) Repository(service string) string { return n.Project + "/" + n.Stack + "/" + service }

// FindingsTopic names the SNS topic of the account's security findings and the EventBridge rule
// that routes them (baseline owner only).
func (n Names) FindingsTopic() string { return n.Prefix() + "-security-findings" }

// Cluster is the EKS cluster's name.
func (n Names) Cluster() string { return n.Prefix() }

// The purposes of the stack's buckets and secrets.
const (
	BucketAccessLogs    = "access-logs"
	BucketUploads       = "uploads"
	BucketProcessed     = "processed"
	BucketRunner        = "runner"
	BucketALBLogs       = "alb-logs"
	SecretAppCredential = "app-credentials"
	SecretDeployToken   = "pulumi-access-token"  // #nosec G101 -- the name of a secret, not a credential
	SecretPreviewToken  = "pulumi-preview-token" // #nosec G101 -- the name of a secret, not a credential
)

// Buckets are every bucket purpose, in a fixed order.
var Buckets = []string{BucketAccessLogs, BucketUploads, BucketProcessed, BucketRunner, BucketALBLogs}

// LongestRoleSuffix is the longest text the components append to Prefix in the logical name of an
// IAM role ("-runner-preview"); Pulumi then appends 8 characters to make the role's physical name,
// which IAM limits to 64. A test pins it against every recorded role.
const LongestRoleSuffix = len("-runner-preview")

// placeholderAccount stands for the account when no allow-list names it: every account id has 12
// digits, which is all the length rules need.
const placeholderAccount = "000000000000"

var (
	// stackNamePattern is what a stack name may be for its derived names to be valid everywhere:
	// S3 allows only lowercase letters, digits and hyphens in ours.
	stackNamePattern       = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	roleNamePattern        = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	accountIDPattern       = regexp.MustCompile(`^[0-9]{12}$`)
	securityGroupIDPattern = regexp.MustCompile(`^sg-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

// maxAutoNameSuffix is what Pulumi appends to a logical name to make a physical one ("-" and 7
// random characters).
const maxAutoNameSuffix = 8

// validateNames checks every name derived from the stack name against the rules of the AWS
// service it names — the very checks the components apply — so that a stack name legal for Pulumi but not for AWS fails here, before
// anything is registered, rather than halfway through a deploy.
func (c *Config) validateNames() []string {
	var p []string
	stackKey := fmt.Sprintf("stack name %q", c.Stack)
	if !stackNamePattern.MatchString(c.Stack) {
		p = append(p, fmt.Sprintf("%s: the names derived from it (S3 buckets like %q) allow only lowercase letters, digits and '-', starting and ending with a letter or digit: rename the stack (for example %q)",
			stackKey, c.Names(placeholderAccount).Bucket(BucketUploads), suggestStackName(c.Stack)))
		return p
	}
	if !regionPattern.MatchString(c.Region) {
		return p // the region is reported on its own; bucket names include it
	}
	account := placeholderAccount
	if len(c.AllowedAccountIDs) > 0 && accountIDPattern.MatchString(c.AllowedAccountIDs[0]) {
		account = c.AllowedAccountIDs[0]
	}
	n := c.Names(account)
	bad := func(kind, name, rule string) {
		p = append(p, fmt.Sprintf("%s: the derived %s %q %s: use a shorter stack name", stackKey, kind, name, rule))
	}
	// check runs a component's name check; its message starts with the quoted name.
	check := func(kind, name string, err error) {
		if err != nil {
			bad(kind, name, strings.TrimPrefix(err.Error(), fmt.Sprintf("%q ", name)))
		}
	}
	for _, purpose := range Buckets {
		check("S3 bucket name", n.Bucket(purpose), storage.CheckBucketName(n.Bucket(purpose)))
	}
	if longest := n.Prefix() + strings.Repeat("x", LongestRoleSuffix+maxAutoNameSuffix); len(longest) > 64 {
		bad("IAM role name", n.Prefix()+"-runner-preview-xxxxxxx", fmt.Sprintf("is %d characters, IAM allows 64", len(longest)))
	}
	check("EKS cluster name", n.Cluster(), cluster.CheckName(n.Cluster()))
	check("DynamoDB table name", n.Table(), database.CheckTableName(n.Table()))
	for _, purpose := range []string{SecretAppCredential, SecretDeployToken, SecretPreviewToken} {
		check("secret name", n.Secret(purpose), secrets.CheckSecretName(n.Secret(purpose)))
	}
	check("CodeBuild project name prefix", n.Prefix(), runner.CheckProjectPrefix(n.Prefix()))
	// The findings topic and rule name (EventBridge: at most 64) is Prefix + 18 characters: within
	// the IAM role limit above (Prefix + 23), so it needs no check of its own.
	return p
}

// suggestStackName turns a stack name into one the derived names accept.
func suggestStackName(stack string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(stack) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else if s := b.String(); s != "" && !strings.HasSuffix(s, "-") {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}
