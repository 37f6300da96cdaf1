package controls

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/iampolicy"
)

const (
	typeRole       = "aws:iam/role:Role"
	typeRolePolicy = "aws:iam/rolePolicy:RolePolicy"
	typePolicy     = "aws:iam/policy:Policy"
)

var identityControls = []*Control{
	{
		ID: "IAM-001", Title: "Role trust policies name their principals; a * principal only with conditions",
		Section: section3, Supports: []string{reqIRSA}, Severity: Critical,
		Types: []string{typeRole}, Resource: checkTrustPolicy,
	},
	{
		ID: "IAM-002", Title: "Permission policies grant no wildcard actions (*, service:*) and no full-admin",
		Section: section3, Requirement: reqIRSA, Severity: High,
		Types: []string{typeRolePolicy, typePolicy}, Resource: checkLeastPrivilege,
	},
}

func checkTrustPolicy(_ string, props property.Map) []Violation {
	doc, vs, ok := policyAt(props, "assumeRolePolicy", "a role needs a trust policy known at plan time")
	if !ok {
		return vs
	}
	for i, s := range doc.Statements {
		if s.Effect != iampolicy.Allow {
			continue
		}
		if s.IsUnconditionedWildcardPrincipal() || s.NotPrincipal != nil {
			vs = append(vs, Violation{Path: fmt.Sprintf("assumeRolePolicy.Statement[%d].Principal", i), Value: "*",
				Message: "anyone could assume this role: name the principal or constrain it with conditions"})
		}
	}
	return vs
}

func checkLeastPrivilege(_ string, props property.Map) []Violation {
	doc, vs, ok := policyAt(props, "policy", "the policy document must be known at plan time to be checked")
	if !ok {
		return vs
	}
	for i, s := range doc.Statements {
		if s.Effect != iampolicy.Allow {
			continue
		}
		if len(s.NotActions) > 0 {
			vs = append(vs, Violation{Path: fmt.Sprintf("policy.Statement[%d].NotAction", i), Value: fmt.Sprint(s.NotActions),
				Message: "Allow with NotAction grants everything else"})
		}
		for j, a := range s.Actions {
			if a == "*" || strings.HasSuffix(a, ":*") {
				vs = append(vs, Violation{Path: fmt.Sprintf("policy.Statement[%d].Action[%d]", i, j), Value: a,
					Message: "list the actions the principal needs instead of a wildcard"})
			}
		}
	}
	return vs
}
