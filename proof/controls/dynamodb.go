package controls

import (
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/engine/graph"
)

const typeTable = "aws:dynamodb/table:Table"

// dynamodbControls are the controls of DynamoDB tables (components/database).
var dynamodbControls = []*Control{
	{
		ID: "DDB-001", Title: "Every table is encrypted at rest with a customer-managed KMS key (the AWS-owned key only by waiver)",
		Section: section4, Requirement: reqDynamoDB, Severity: High,
		Types: []string{typeTable}, Resource: checkTableEncryption,
	},
	{
		ID: "DDB-002", Title: "Every table has point-in-time recovery on",
		Section: section4, Supports: []string{reqDynamoDB}, Severity: Medium,
		Types: []string{typeTable}, Resource: checkTablePITR,
	},
	{
		ID: "DDB-003", Title: "Prod: every table has deletion protection on",
		Section: section4, Supports: []string{reqDynamoDB}, Severity: Medium, Graph: checkTableDeletionProtection,
	},
}

// checkTableEncryption names the key a table is encrypted with. DynamoDB always encrypts; the
// serverSideEncryption block only picks the key: enabled=false (or no block) is the AWS-owned key,
// enabled=true without kmsKeyArn the AWS-managed key alias/aws/dynamodb, enabled=true with
// kmsKeyArn a customer-managed key. Only the last passes.
func checkTableEncryption(_ string, props property.Map) []Violation {
	const enabled, keyArn = "serverSideEncryption.enabled", "serverSideEncryption.kmsKeyArn"
	if v, err := graph.Lookup(props, enabled, ""); err != nil || !v.IsBool() || !v.AsBool() {
		return []Violation{{Path: enabled, Value: describe(props, enabled),
			Message: "the table is encrypted with the AWS-owned key, which is not in the account and cannot be audited or revoked: " +
				"set enabled=true with kmsKeyArn (customer-managed key), or waive DDB-001 with a reason for an explicit AWSOwnedKey opt-out"}}
	}
	v, err := graph.Lookup(props, keyArn, "")
	switch {
	case err == nil && v.IsComputed():
		return nil // a key of this program, known at apply
	case err != nil || !v.IsString() || v.AsString() == "":
		return []Violation{{Path: keyArn, Value: describe(props, keyArn),
			Message: "the table is encrypted with the AWS-managed key alias/aws/dynamodb: set kmsKeyArn to a customer-managed key"}}
	case strings.Contains(v.AsString(), ":alias/aws/"):
		return []Violation{{Path: keyArn, Value: describe(props, keyArn),
			Message: "an AWS-managed key is named: set kmsKeyArn to a customer-managed key"}}
	}
	return nil
}

func checkTablePITR(_ string, props property.Map) []Violation {
	const path = "pointInTimeRecovery.enabled"
	if v, err := graph.Lookup(props, path, ""); err == nil && v.IsBool() && v.AsBool() {
		return nil
	}
	return []Violation{{Path: path, Value: describe(props, path),
		Message: "point-in-time recovery must be on (it is off unless set): without it a bad write or delete cannot be undone"}}
}

func checkTableDeletionProtection(t Target) (int, []Finding) {
	if t.Environment != "prod" {
		return 0, nil
	}
	const path = "deletionProtectionEnabled"
	var fs []Finding
	tables := t.Graph.OfType(typeTable)
	for _, r := range tables {
		if v, err := r.Get(path); err == nil && v.IsBool() && v.AsBool() {
			continue
		}
		fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: path, Value: describe(r.Inputs, path),
			Message: "a prod table must have deletion protection on, so that DynamoDB refuses to delete it"}})
	}
	return len(tables), fs
}
