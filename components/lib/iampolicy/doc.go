// Package iampolicy models AWS policy documents (IAM identity and trust
// policies, KMS key policies, S3 bucket policies, SNS topic policies, ...)
// as typed Go values.
//
// It has two uses.
//
// # Building policies
//
// Pulumi components build policy documents from [Document], [Statement],
// [Principal], [StringList] and [Conditions] values and render them with
// [Document.JSON]. Policies are never assembled by concatenating JSON
// strings, so ARNs and condition values are always escaped correctly, and
// the output is compact and deterministic (fixed key order, list fields
// always rendered as arrays), which keeps Pulumi diffs stable:
//
//	doc := iampolicy.New(iampolicy.Statement{
//		Sid:       "EnableRootAccess",
//		Effect:    iampolicy.Allow,
//		Principal: &iampolicy.Principal{AWS: iampolicy.StringList{"arn:aws:iam::123456789012:root"}},
//		Actions:   iampolicy.StringList{"kms:*"},
//		Resources: iampolicy.StringList{"*"},
//	})
//	policyJSON, err := doc.JSON()
//
// # Checking policies
//
// Security controls parse policy JSON taken from resource inputs with
// [Parse] (or [ParseAny] when the input already holds a decoded object) and
// inspect statements semantically rather than by substring search:
// [Document.Allows] and [Document.Denies] find the statements that apply to
// an action (honouring IAM wildcards and NotAction),
// [Statement.CoversResource] matches ARNs, [Statement.ConditionValues] reads
// condition values with AWS's case-insensitive condition keys, and
// [Statement.IsUnconditionedWildcardPrincipal] flags the classic
// public-access statement.
//
// Parsing accepts every shape AWS accepts for these elements (a single
// string or an array for list elements, "*" or an object for principals,
// a single statement object or an array for Statement, and string, boolean
// or number condition values), and rejects documents AWS would reject
// structurally (unknown elements, an Effect other than Allow or Deny, both
// Action and NotAction, ...); see [Document.Validate].
//
// Matching is purely lexical: policy variables such as ${aws:username} are
// not expanded, and no attempt is made to evaluate the full IAM
// authorization logic (SCPs, permission boundaries, session policies).
package iampolicy
