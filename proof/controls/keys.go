package controls

import (
	"fmt"
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

const (
	typeKey      = "aws:kms/key:Key"
	typeKeyAlias = "aws:kms/alias:Alias"
)

var keyControls = []*Control{
	{
		ID: "KMS-001", Title: "Every customer-managed key rotates yearly",
		Section: section4, Supports: []string{reqKMS}, Severity: High,
		Types: []string{typeKey}, Resource: checkKeyRotation,
	},
	{
		ID: "KMS-002", Title: "Every key has an explicit policy: account root administers, no unconditioned * principal",
		Section: section4, Supports: []string{reqKMS}, Severity: Critical,
		Types: []string{typeKey}, Resource: checkKeyPolicy,
	},
	{
		ID: "KMS-003", Title: "Every key has a deletion window of 7 to 30 days and an alias",
		Section: section4, Supports: []string{reqKMS}, Severity: Medium,
		Types: []string{typeKey}, Resource: checkKeyDeletionWindow, Graph: checkKeyAliases,
	},
	{
		ID: "KMS-004", Title: "Key policies name only principals that exist before the key: the account root, service principals, and roles of this stack",
		Section: section4, Supports: []string{reqKMS}, Severity: High, Graph: checkKeyPolicyPrincipals,
	},
	{
		ID: "LOG-001", Title: "Every log group is KMS-encrypted and has a retention period",
		Section: "5. Monitoring & Auditing", Supports: []string{reqAuditLogs}, Severity: High,
		Types: []string{typeLogGroup}, Resource: checkLogGroup,
	},
}

func checkKeyRotation(_ string, props property.Map) []Violation {
	v, err := graph.Lookup(props, "enableKeyRotation", "")
	if err == nil && v.IsBool() && v.AsBool() {
		return nil
	}
	return []Violation{{Path: "enableKeyRotation", Value: describe(props, "enableKeyRotation"), Message: "key rotation must be on"}}
}

var rootPrincipal = regexp.MustCompile(`^arn:aws[a-z-]*:iam::[0-9]{12}:root$`)

func checkKeyPolicy(_ string, props property.Map) []Violation {
	text, ok := str(props, "policy")
	if !ok || text == "" {
		return []Violation{{Path: "policy", Value: describe(props, "policy"), Message: "a key needs an explicit key policy (the implicit default grants the whole account)"}}
	}
	doc, err := iampolicy.Parse(text)
	if err != nil {
		return []Violation{{Path: "policy", Value: "unparseable", Message: err.Error()}}
	}
	var vs []Violation
	rootAdmin := false
	for i, s := range doc.Statements {
		if s.Effect == iampolicy.Allow && s.Principal != nil && !s.Principal.IsWildcard() && s.CoversAction("kms:PutKeyPolicy") {
			for _, p := range s.Principal.AWS {
				if rootPrincipal.MatchString(p) {
					rootAdmin = true
				}
			}
		}
		if s.IsUnconditionedWildcardPrincipal() {
			vs = append(vs, Violation{Path: fmt.Sprintf("policy.Statement[%d]", i), Value: s.Sid,
				Message: "a statement allows any principal without conditions"})
		}
	}
	if !rootAdmin {
		vs = append(vs, Violation{Path: "policy", Value: "no root statement",
			Message: "the account root must be allowed to administer the key, or the key can become unmanageable"})
	}
	return vs
}

func checkKeyDeletionWindow(_ string, props property.Map) []Violation {
	v, err := graph.Lookup(props, "deletionWindowInDays", "")
	if err == nil && v.IsNumber() && v.AsNumber() >= 7 && v.AsNumber() <= 30 {
		return nil
	}
	return []Violation{{Path: "deletionWindowInDays", Value: describe(props, "deletionWindowInDays"), Message: "set a deletion window of 7 to 30 days explicitly"}}
}

func checkKeyAliases(t Target) (int, []Finding) {
	aliased := t.byRef(typeKeyAlias, "targetKeyId", byOutput("keyId"), typeKey)
	var fs []Finding
	keys := t.Graph.OfType(typeKey)
	for _, k := range keys {
		if len(aliased[k.URN]) == 0 {
			fs = append(fs, Finding{URN: k.URN, Violation: Violation{Path: "alias", Value: "none", Message: "every key needs an alias naming its purpose"}})
		}
	}
	return len(keys), fs
}

func checkLogGroup(_ string, props property.Map) []Violation {
	var vs []Violation
	if k, _ := str(props, "kmsKeyId"); k == "" {
		vs = append(vs, Violation{Path: "kmsKeyId", Value: describe(props, "kmsKeyId"), Message: "log groups must be encrypted with a customer-managed KMS key"})
	}
	if v, err := graph.Lookup(props, "retentionInDays", ""); err != nil || !v.IsNumber() || v.AsNumber() <= 0 {
		vs = append(vs, Violation{Path: "retentionInDays", Value: describe(props, "retentionInDays"), Message: "set a retention period (unset keeps logs forever)"})
	}
	return vs
}

// checkKeyPolicyPrincipals: KMS refuses a key policy whose principal does not exist (a service-
// linked role that appears only after the account's first Auto Scaling group, say), so CreateKey
// would fail in a fresh account. Roles created by this stack exist first (the key depends on them).
func checkKeyPolicyPrincipals(t Target) (int, []Finding) {
	stackRoles := map[string]bool{}
	for _, r := range t.Graph.OfType(typeRole) {
		if arn, ok := r.Outputs.GetOk("arn"); ok && arn.IsString() {
			stackRoles[arn.AsString()] = true
		}
	}
	var fs []Finding
	keys := t.Graph.OfType(typeKey)
	for _, k := range keys {
		text, _ := k.String("policy")
		doc, err := iampolicy.Parse(text)
		if err != nil {
			continue // KMS-002 reports it
		}
		for i, s := range doc.Statements {
			if s.Principal == nil {
				continue
			}
			for _, p := range s.Principal.AWS {
				if p == "*" || rootPrincipal.MatchString(p) || stackRoles[p] {
					continue
				}
				fs = append(fs, Finding{URN: k.URN, Violation: Violation{Path: fmt.Sprintf("policy.Statement[%d].Principal", i), Value: p,
					Message: "KMS refuses a key policy whose principal does not exist yet: grant through kms:ViaService and kms:CallerAccount instead, or name only roles this stack creates first"}})
			}
		}
	}
	return len(keys), fs
}
