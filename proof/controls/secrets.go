package controls

import (
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

const (
	typeSecret       = "aws:secretsmanager/secret:Secret"
	typeSecretPolicy = "aws:secretsmanager/secretPolicy:SecretPolicy"
)

const getSecretValue = "secretsmanager:GetSecretValue"

// secretControls are the controls of Secrets Manager secrets (components/secrets).
var secretControls = []*Control{
	{
		ID: "SEC-001", Title: "Every secret is encrypted with a customer-managed key and recoverable for 7 to 30 days after deletion (dev: deleted at once)",
		Section: section4, Requirement: reqSecrets, Severity: High,
		Types: []string{typeSecret}, Resource: checkSecretAtRest, Graph: checkSecretRecoveryOutsideDev,
	},
	{
		ID: "SEC-002", Title: "Every secret has one resource policy, with public policies blocked, that denies reading it to all but its readers and allows nothing to an unconditioned *",
		Section: section4, Supports: []string{reqSecrets}, Severity: Critical,
		Types: []string{typeSecretPolicy}, Resource: checkSecretPolicy, Graph: checkSecretsHavePolicy,
	},
}

func checkSecretAtRest(_ string, props property.Map) []Violation {
	var vs []Violation
	const key, window = "kmsKeyId", "recoveryWindowInDays"
	k, err := graph.Lookup(props, key, "")
	switch {
	case err == nil && k.IsComputed():
		// a key of this program, known at apply
	case err != nil || !k.IsString() || k.AsString() == "":
		vs = append(vs, Violation{Path: key, Value: describe(props, key),
			Message: "the secret is encrypted with the AWS-managed key aws/secretsmanager: set kmsKeyId to the customer-managed data key"})
	case strings.Contains(k.AsString(), "alias/aws/"):
		vs = append(vs, Violation{Path: key, Value: describe(props, key),
			Message: "an AWS-managed key is named: set kmsKeyId to the customer-managed data key"})
	}
	w, err := graph.Lookup(props, window, "")
	if err != nil || !w.IsNumber() || (w.AsNumber() != 0 && (w.AsNumber() < 7 || w.AsNumber() > 30)) {
		vs = append(vs, Violation{Path: window, Value: describe(props, window),
			Message: "set a recovery window of 7 to 30 days explicitly (or 0, deleted at once, in dev only)"})
	}
	return vs
}

// checkSecretRecoveryOutsideDev: only dev may delete secrets without a recovery window (so that a
// torn-down dev can be re-created with the same names at once); elsewhere a deleted secret stays
// recoverable.
func checkSecretRecoveryOutsideDev(t Target) (int, []Finding) {
	if t.Environment == "dev" {
		return 0, nil
	}
	var fs []Finding
	secrets := t.Graph.OfType(typeSecret)
	for _, s := range secrets {
		if w, err := s.Int("recoveryWindowInDays"); err == nil && w == 0 {
			fs = append(fs, Finding{URN: s.URN, Violation: Violation{Path: "recoveryWindowInDays", Value: "0",
				Message: "outside dev a deleted secret must stay recoverable for 7 to 30 days"}})
		}
	}
	return len(secrets), fs
}

// checkSecretPolicy checks one SecretPolicy: public policies blocked, no statement allowing an
// unconditioned * (or everyone but a NotPrincipal), and a Deny of GetSecretValue to every
// principal except (at most) the principals the policy allows to read.
func checkSecretPolicy(_ string, props property.Map) []Violation {
	var vs []Violation
	if v, err := graph.Lookup(props, "blockPublicPolicy", ""); err != nil || !v.IsBool() || !v.AsBool() {
		vs = append(vs, Violation{Path: "blockPublicPolicy", Value: describe(props, "blockPublicPolicy"),
			Message: "set blockPublicPolicy so that Secrets Manager refuses a policy granting access outside the account"})
	}
	text, ok := str(props, "policy")
	if !ok {
		return append(vs, Violation{Path: "policy", Value: describe(props, "policy"), Message: "the resource policy must be known at plan time to be checked"})
	}
	doc, err := iampolicy.Parse(text)
	if err != nil {
		return append(vs, Violation{Path: "policy", Value: "unparseable", Message: err.Error()})
	}
	secretArn, ok := str(props, "secretArn")
	if !ok {
		secretArn = "*"
	}
	readers := map[string]bool{}
	for i, s := range doc.Statements {
		if s.Effect != iampolicy.Allow {
			continue
		}
		if s.IsUnconditionedWildcardPrincipal() || s.NotPrincipal != nil {
			vs = append(vs, Violation{Path: fmt.Sprintf("policy.Statement[%d].Principal", i), Value: statementName(i, s),
				Message: "the statement allows any principal without conditions: name the readers"})
			continue
		}
		if s.Principal != nil && !s.Principal.IsWildcard() && s.CoversAction(getSecretValue) {
			for _, p := range s.Principal.AWS {
				readers[p] = true
			}
		}
	}
	var partial []Violation
	for i, s := range doc.Statements {
		if s.Effect != iampolicy.Deny || !s.Principal.IsWildcard() || s.NotPrincipal != nil ||
			!s.CoversAction(getSecretValue) || !s.CoversResource(secretArn) {
			continue
		}
		exempt, ok := principalArnExemptions(s)
		if !ok {
			continue // other conditions narrow the deny: it does not hold always
		}
		var outsiders []string
		for _, p := range exempt {
			if !readers[p] {
				outsiders = append(outsiders, p)
			}
		}
		if len(outsiders) == 0 {
			return vs // a deny to everyone but (some of) the readers
		}
		partial = append(partial, Violation{Path: fmt.Sprintf("policy.Statement[%d].Condition", i), Value: fmt.Sprint(outsiders),
			Message: "the deny of " + getSecretValue + " exempts principals that are not readers: whatever their IAM policies grant, they could read the secret"})
	}
	if len(partial) > 0 {
		return append(vs, partial...)
	}
	return append(vs, Violation{Path: "policy", Value: statementList(doc),
		Message: "no statement denies " + getSecretValue + " to every principal but the readers (Deny, Principal *, condition StringNotEquals aws:PrincipalArn = the readers)"})
}

// principalArnExemptions returns the principals a deny exempts: none if it has no conditions, the
// values of its aws:PrincipalArn exact-match negation if that is its only condition; ok is false
// for any other condition, which would make the deny conditional.
func principalArnExemptions(s iampolicy.Statement) (exempt []string, ok bool) {
	n := 0
	for _, keys := range s.Conditions {
		n += len(keys)
	}
	if n == 0 {
		return nil, true
	}
	if n > 1 {
		return nil, false
	}
	for _, op := range []string{"StringNotEquals", "ArnNotEquals"} {
		if vals := s.ConditionValues(op, "aws:PrincipalArn"); len(vals) > 0 {
			return slices.Clone(vals), true
		}
	}
	return nil, false
}

// statementList renders a policy briefly for evidence: each statement's effect and name.
func statementList(doc iampolicy.Document) string {
	parts := make([]string, 0, len(doc.Statements))
	for i, s := range doc.Statements {
		parts = append(parts, string(s.Effect)+" "+statementName(i, s))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func statementName(i int, s iampolicy.Statement) string {
	if s.Sid != "" {
		return s.Sid
	}
	return fmt.Sprintf("Statement[%d]", i)
}

// checkSecretsHavePolicy matches resource policies to secrets (the policy's secretArn input is
// the secret's arn output): every secret needs exactly one.
func checkSecretsHavePolicy(t Target) (int, []Finding) {
	bySecret := t.byRef(typeSecretPolicy, "secretArn", byArn, typeSecret)
	var fs []Finding
	secrets := t.Graph.OfType(typeSecret)
	for _, s := range secrets {
		policies := bySecret[s.URN]
		if len(policies) == 0 {
			fs = append(fs, Finding{URN: s.URN, Violation: Violation{Path: "policy", Value: "none",
				Message: "the secret has no resource policy (aws.secretsmanager.SecretPolicy): any principal whose IAM policy allows it can read the value"}})
		}
		for _, extra := range policies[min(1, len(policies)):] {
			fs = append(fs, Finding{URN: extra.URN, Violation: Violation{Path: "secretArn", Value: describe(extra.Inputs, "secretArn"),
				Message: fmt.Sprintf("the secret has %d resource policies; with more than one the last applied wins", len(policies))}})
		}
	}
	return len(secrets), fs
}
