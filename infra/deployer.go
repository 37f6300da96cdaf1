package infra

import (
	"fmt"
	"regexp"
	"strings"
)

// assumedRole matches an STS session ARN: arn:aws:sts::123456789012:assumed-role/Name/session.
var assumedRole = regexp.MustCompile(`^arn:(aws[a-z-]*):sts::([0-9]{12}):assumed-role/([^/]+)/`)

// deployerPrincipal is the IAM principal behind the caller identity: the role of an assumed-role
// session (its path is not in the session ARN, so only the name is compared), or the user itself.
func deployerPrincipal(callerArn string) (arn string, roleName string) {
	if m := assumedRole.FindStringSubmatch(callerArn); m != nil {
		return fmt.Sprintf("arn:%s:iam::%s:role/%s", m[1], m[2], m[3]), m[3]
	}
	return callerArn, ""
}

// checkDeployerNotMapped refuses an access entry for the principal running the deployment:
// pulumi-eks always makes that principal a cluster admin at creation
// (bootstrapClusterCreatorAdminPermissions), and a second access entry for it fails at apply time.
func checkDeployerNotMapped(cfg *Config, callerArn string) error {
	deployer, roleName := deployerPrincipal(callerArn)
	var problems []string
	for _, list := range []struct {
		key  string
		arns []string
	}{{"admins", cfg.Access.Admins}, {"gitops", cfg.Access.Gitops}, {"developers", cfg.Access.Developers}} {
		for i, arn := range list.arns {
			sameRole := roleName != "" && strings.Contains(arn, ":role/") && arn[strings.LastIndex(arn, "/")+1:] == roleName
			if arn == deployer || sameRole {
				problems = append(problems, fmt.Sprintf("%s:access.%s[%d]: %q is the principal running this deployment (%s); "+
					"pulumi-eks already makes it a cluster admin, and a second access entry for it fails: remove it, or deploy with another role",
					Namespace, list.key, i, arn, callerArn))
			}
		}
	}
	if len(problems) > 0 {
		return &ConfigError{Stack: cfg.Stack, Problems: problems}
	}
	return nil
}
