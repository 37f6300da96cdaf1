package infra

import (
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/securestack/platform/components/lib/iprange"
	"github.com/securestack/platform/components/runner"
)

// validateAccounts checks aws:allowedAccountIds (required in prod: credentials for another account
// must fail before anything changes).
func (c *Config) validateAccounts() []string {
	var p []string
	if len(c.AllowedAccountIDs) == 0 && c.Environment == Prod && !c.environmentAssumed {
		p = append(p, fmt.Sprintf(`%s: not set; prod requires the accounts it may deploy to (for example ["123456789012"]), so that credentials for any other account are refused before anything changes`, keyAllowedAccountIDs))
	}
	seen := map[string]bool{}
	for i, id := range c.AllowedAccountIDs {
		switch {
		case !accountIDPattern.MatchString(id):
			p = append(p, fmt.Sprintf(`%s[%d]: %q is not an AWS account id (12 digits, quoted: "123456789012")`, keyAllowedAccountIDs, i, id))
		case seen[id]:
			p = append(p, fmt.Sprintf("%s[%d]: %q is listed twice", keyAllowedAccountIDs, i, id))
		}
		seen[id] = true
	}
	return p
}

// AWS tag limits: at most 50 tags per resource, keys of 1 to 128 and values of up to 256 Unicode
// characters, of letters, digits, spaces and _ . : / = + - @.
const (
	MaxTagsPerResource = 50
	// MaxComponentTags is the most tags a component puts on one resource itself (a subnet: Name,
	// tier and two Kubernetes discovery tags); a test pins it against the recorded stacks.
	MaxComponentTags = 4
)

var tagPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)

// componentTagKeys are set per resource by the components; a default tag of the same key would be
// silently overridden on those resources.
var componentTagKeys = []string{"Name", "tier"}

// MaxUserTags is how many tags platform:tags may hold: AWS's limit less the platform's own.
var MaxUserTags = MaxTagsPerResource - len(reservedTagKeys) - MaxComponentTags

// validateTags checks platform:tags against AWS's tag rules and the platform's own tags.
func (c *Config) validateTags() []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	tp := Namespace + ":tags"
	if n := len(c.Tags); n > MaxUserTags {
		add("%s: %d tags; at most %d are allowed (AWS allows %d per resource, and the platform sets up to %d itself)",
			tp, n, MaxUserTags, MaxTagsPerResource, MaxTagsPerResource-MaxUserTags)
	}
	for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
		v := c.Tags[k]
		switch {
		case k == "" || utf8.RuneCountInString(k) > 128:
			add("%s: key %q must be 1 to 128 characters", tp, k)
		case !tagPattern.MatchString(k):
			add("%s: key %q has characters AWS refuses in tags (allowed: letters, digits, spaces and _ . : / = + - @)", tp, k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			add("%s.%s: the aws: prefix is reserved by AWS", tp, k)
		case slices.Contains(reservedTagKeys, k):
			add("%s.%s: is set by the platform itself (reserved: %s)", tp, k, strings.Join(reservedTagKeys, ", "))
		case slices.Contains(componentTagKeys, k) || strings.HasPrefix(k, "kubernetes.io/"):
			add("%s.%s: is set per resource by the platform (reserved: %s and kubernetes.io/*); a default tag would be overridden there", tp, k, strings.Join(componentTagKeys, ", "))
		}
		switch {
		case utf8.RuneCountInString(v) > 256:
			add("%s.%s: value is %d characters, at most 256 are allowed", tp, k, utf8.RuneCountInString(v))
		case !tagPattern.MatchString(v):
			add("%s.%s: value %q has characters AWS refuses in tags (allowed: letters, digits, spaces and _ . : / = + - @)", tp, k, v)
		}
	}
	return p
}

// unusableVPCRanges are IPv4 ranges a VPC cannot use: they are not unicast addresses a host can
// have, or they mean something else to every host in the VPC.
var unusableVPCRanges = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "is in 0.0.0.0/8 (\"this network\"), which no host can use"},
	{netip.MustParsePrefix("127.0.0.0/8"), "is in 127.0.0.0/8, the loopback range"},
	{netip.MustParsePrefix("169.254.0.0/16"), "is in 169.254.0.0/16, the link-local range (the instance metadata and DNS addresses live there)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "is in 224.0.0.0/4, the multicast range"},
	{netip.MustParsePrefix("240.0.0.0/4"), "is in 240.0.0.0/4, the reserved range"},
}

// dockerBridge is the range some AWS services use internally (CodeBuild's build containers among
// them); AWS advises against it for a VPC.
var dockerBridge = netip.MustParsePrefix("172.17.0.0/16")

// sharedAddressSpace (RFC 6598) is private in practice, and common for secondary VPC ranges.
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// vpcRangeProblem says why a VPC range cannot work (problem), or why it is legal but unusual
// (warning).
func vpcRangeProblem(p netip.Prefix) (problem, warning string) {
	if !p.Addr().Is4() {
		return "is not an IPv4 CIDR block", ""
	}
	for _, r := range unusableVPCRanges {
		if r.prefix.Overlaps(p) {
			return r.why, ""
		}
	}
	switch {
	case dockerBridge.Overlaps(p):
		return "", "overlaps 172.17.0.0/16, which some AWS services use (CodeBuild, which runs the deploy jobs, among them); AWS advises against it"
	case !iprange.IsPrivate(p) && !sharedAddressSpace.Contains(p.Addr()):
		return "", "is a public range: addresses in it on the internet become unreachable from the VPC; a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) is usual"
	}
	return "", ""
}

// maxPublicShare is the share of the internet above which a public API allow-list is legal but
// unusual (a /8 is 1/256 of it).
const maxPublicShare = 1.0 / 256

// validate checks platform:runner; rp is its key path, accounts the stack's aws:allowedAccountIds.
func (r RunnerConfig) validate(rp string, accounts []string) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	if !slices.Contains(runner.ComputeTypes, r.ComputeType) {
		add("%s.computeType: %q is not a CodeBuild compute type (allowed: %s)", rp, r.ComputeType, strings.Join(slices.Sorted(slices.Values(runner.ComputeTypes)), ", "))
	}
	if r.TimeoutMinutes < runner.MinTimeoutMinutes || r.TimeoutMinutes > runner.MaxTimeoutMinutes {
		add("%s.timeoutMinutes: %d is outside the allowed range %d to %d (a build's role session lasts an hour at most)",
			rp, r.TimeoutMinutes, runner.MinTimeoutMinutes, runner.MaxTimeoutMinutes)
	}
	if r.SourceRetentionDays < 1 || r.SourceRetentionDays > 365 {
		add("%s.sourceRetentionDays: %d is outside the allowed range 1 to 365", rp, r.SourceRetentionDays)
	}
	for _, f := range []struct{ key, name string }{{"deployRoleName", r.DeployRoleName}, {"previewRoleName", r.PreviewRoleName}} {
		if !roleNamePattern.MatchString(f.name) {
			add("%s.%s: %q is not an IAM role name (1 to 64 letters, digits and +=,.@_-)", rp, f.key, f.name)
		}
	}
	if r.DeployRoleName == r.PreviewRoleName && r.DeployRoleName != "" {
		add("%s.previewRoleName: %q is also the deploy role: previews run pull-request code and must not hold deploy rights", rp, r.PreviewRoleName)
	}
	return append(p, r.GitHubActions.validate(rp+".githubActions", r.Enabled, accounts)...)
}

// validate checks platform:runner.githubActions; gp is its key path, accounts the stack's
// aws:allowedAccountIds (a project can use only a connection of its own account).
func (g GitHubActionsConfig) validate(gp string, runnerEnabled bool, accounts []string) []string {
	if !g.Enabled() {
		return nil
	}
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	if !runnerEnabled {
		add("%s: the GitHub Actions runner is a project of the in-VPC runner: set runner.enabled true, or remove githubActions", gp)
	}
	if g.Repository == "" {
		add("%s.repository: required with connectionArn (allowed: https://github.com/<owner>/<repo>)", gp)
	} else if err := runner.CheckRepository(g.Repository); err != nil {
		add("%s.repository: %v", gp, err)
	}
	if g.ConnectionArn == "" {
		add("%s.connectionArn: required with repository (allowed: arn:aws:codeconnections:<region>:<account>:connection/<uuid>, a connection created in the console and AVAILABLE)", gp)
	} else if c, err := runner.ParseConnectionArn(g.ConnectionArn); err != nil {
		add("%s.connectionArn: %v", gp, err)
	} else if len(accounts) > 0 && !slices.Contains(accounts, c.Account) {
		add("%s.connectionArn: %q is a connection of account %s, not of the stack's account (aws:allowedAccountIds: %s); a CodeBuild project can use only a connection of its own account",
			gp, g.ConnectionArn, c.Account, strings.Join(accounts, ", "))
	}
	if g.WorkflowName != "" {
		if err := runner.CheckWorkflowName(g.WorkflowName); err != nil {
			add("%s.workflowName: %v", gp, err)
		}
	}
	return p
}
