package controls

import (
	"fmt"

	"github.com/securestack/platform/proof/engine/graph"
)

const (
	typeEBSEncryptionByDefault = "aws:ebs/encryptionByDefault:EncryptionByDefault"
	typeEBSDefaultKmsKey       = "aws:ebs/defaultKmsKey:DefaultKmsKey"
	typeAccountPublicAccess    = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
	typeGuardrails             = "platform:account:Guardrails"
	typeStackReference         = "pulumi:pulumi:StackReference"
)

var accountControls = []*Control{
	{ID: "ACC-001", Title: "EBS encryption by default is on with a customer key of this stack, which the stack cannot delete while it is the default — or the account's baseline is owned by another stack",
		Section: section4, Requirement: reqKMS, Severity: High, Graph: checkEBSDefaultEncryption, Evidence: baselineEvidence},
	{ID: "ACC-002", Title: "The account-level S3 public access block has all four settings on — or the account's baseline is owned by another stack",
		Section: section4, Supports: []string{reqS3}, Severity: High, Graph: checkAccountPublicAccessBlock, Evidence: baselineEvidence},
}

// baselineOwner is the stack that owns the account baseline when this stack only references it: a
// StackReference inside the account guardrails component (the deployment fails unless the owner
// says it owns this account and region).
func baselineOwner(g *graph.Graph) (string, bool) {
	for _, ref := range g.OfType(typeStackReference) {
		if parent, ok := g.Lookup(ref.Parent); ok && parent.Type == typeGuardrails {
			name, _ := ref.String("name")
			return name, true
		}
	}
	return "", false
}

func baselineEvidence(t Target) string {
	if owner, ok := baselineOwner(t.Graph); ok {
		return fmt.Sprintf("the account baseline is owned by stack %s: this stack manages none of it and references that stack, whose account and region must be this stack's", owner)
	}
	return "this stack owns the account baseline"
}

// accountFinding is reported on the stack when an account guardrail is absent: it has no resource.
func accountFinding(g *graph.Graph, path, message string) Finding {
	urn := ""
	if s := g.OfType(graph.StackType); len(s) > 0 {
		urn = s[0].URN
	}
	return Finding{URN: urn, Violation: Violation{Path: path, Value: "not managed", Message: message}}
}

func checkEBSDefaultEncryption(t Target) (int, []Finding) {
	enc := t.Graph.OfType(typeEBSEncryptionByDefault)
	keys := t.Graph.OfType(typeEBSDefaultKmsKey)
	if _, referenced := baselineOwner(t.Graph); referenced && len(enc)+len(keys) == 0 {
		return 1, nil
	}
	if len(enc) == 0 || len(keys) == 0 {
		return 1, []Finding{accountFinding(t.Graph, "account.ebsEncryptionByDefault",
			"manage EBS encryption by default and its default key here, reference the stack that owns the account baseline, or waive ACC-001 naming where the organisation enforces it")}
	}
	var fs []Finding
	if _, referenced := baselineOwner(t.Graph); referenced {
		fs = append(fs, accountFinding(t.Graph, "account.baselineOwner", "a stack that references the baseline's owner must not manage the baseline too: two stacks would overwrite each other"))
	}
	for _, e := range enc {
		if v, _ := e.Bool("enabled"); !v {
			fs = append(fs, Finding{URN: e.URN, Violation: Violation{Path: "enabled", Value: describe(e.Inputs, "enabled"), Message: "EBS encryption by default must be on"}})
		}
	}
	for _, k := range keys {
		key, ok := t.refOne(k, "keyArn", byArn, typeKey)
		switch {
		case !ok:
			fs = append(fs, Finding{URN: k.URN, Violation: Violation{Path: "keyArn", Value: describe(k.Inputs, "keyArn"), Message: "the default EBS key must be the customer data key, not aws/ebs"}})
		case k.RetainOnDelete && (!key.Protect || !key.RetainOnDelete):
			// Left behind by a destroy, the setting would point at a key scheduled for deletion, and
			// every later default-encrypted volume of the account would fail to create.
			fs = append(fs, Finding{URN: k.URN, Violation: Violation{Path: "options.retainOnDelete", Value: "true",
				Message: "the default key setting outlives the stack while its key can be deleted: let the reset on delete run, or protect and retain the key"}})
		}
	}
	return len(enc), fs
}

func checkAccountPublicAccessBlock(t Target) (int, []Finding) {
	blocks := t.Graph.OfType(typeAccountPublicAccess)
	_, referenced := baselineOwner(t.Graph)
	if referenced && len(blocks) == 0 {
		return 1, nil
	}
	if len(blocks) == 0 {
		return 1, []Finding{accountFinding(t.Graph, "account.s3PublicAccessBlock",
			"manage the account-level S3 public access block here, reference the stack that owns the account baseline, or waive ACC-002 naming where the organisation enforces it")}
	}
	var fs []Finding
	if referenced {
		fs = append(fs, accountFinding(t.Graph, "account.baselineOwner", "a stack that references the baseline's owner must not manage the baseline too: two stacks would overwrite each other"))
	}
	for _, b := range blocks {
		for _, p := range s3PublicAccessSettings {
			if v, _ := b.Bool(p); !v {
				fs = append(fs, Finding{URN: b.URN, Violation: Violation{Path: p, Value: describe(b.Inputs, p), Message: "all four account-level public access settings must be on"}})
			}
		}
	}
	return len(blocks), fs
}
