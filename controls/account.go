package controls

import "github.com/securestack/platform/graph"

const (
	typeEBSEncryptionByDefault = "aws:ebs/encryptionByDefault:EncryptionByDefault"
	typeEBSDefaultKmsKey       = "aws:ebs/defaultKmsKey:DefaultKmsKey"
	typeAccountPublicAccess    = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
)

var accountControls = []*Control{
	{ID: "ACC-001", Title: "EBS encryption by default is on, with a customer key of this stack as the default key",
		Section: section4, Requirement: "EBS/EFS: Encrypted with KMS.", Severity: High, Graph: checkEBSDefaultEncryption},
	{ID: "ACC-002", Title: "The account-level S3 public access block has all four settings on",
		Section: section4, Requirement: "S3 Buckets: SSE-S3 (AES-256).", Severity: High, Graph: checkAccountPublicAccessBlock},
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
	if len(enc) == 0 || len(keys) == 0 {
		return 1, []Finding{accountFinding(t.Graph, "account.ebsEncryptionByDefault",
			"manage EBS encryption by default and its default key here, or waive ACC-001 naming where the organisation enforces it")}
	}
	var fs []Finding
	for _, e := range enc {
		if v, _ := e.Bool("enabled"); !v {
			fs = append(fs, Finding{URN: e.URN, Violation: Violation{Path: "enabled", Value: describe(e.Inputs, "enabled"), Message: "EBS encryption by default must be on"}})
		}
	}
	stackKeys := keysByArn(t.Graph)
	for _, k := range keys {
		arn, _ := k.String("keyArn")
		if _, ok := stackKeys[arn]; !ok {
			fs = append(fs, Finding{URN: k.URN, Violation: Violation{Path: "keyArn", Value: describe(k.Inputs, "keyArn"), Message: "the default EBS key must be the customer data key, not aws/ebs"}})
		}
	}
	return len(enc), fs
}

func checkAccountPublicAccessBlock(t Target) (int, []Finding) {
	blocks := t.Graph.OfType(typeAccountPublicAccess)
	if len(blocks) == 0 {
		return 1, []Finding{accountFinding(t.Graph, "account.s3PublicAccessBlock",
			"manage the account-level S3 public access block here, or waive ACC-002 naming where the organisation enforces it")}
	}
	var fs []Finding
	for _, b := range blocks {
		for _, p := range s3PublicAccessSettings {
			if v, _ := b.Bool(p); !v {
				fs = append(fs, Finding{URN: b.URN, Violation: Violation{Path: p, Value: describe(b.Inputs, p), Message: "all four account-level public access settings must be on"}})
			}
		}
	}
	return len(blocks), fs
}
