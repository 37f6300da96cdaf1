package tests

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/proof/engine/graph"
)

const (
	tBucket    = "aws:s3/bucketV2:BucketV2"
	tSSE       = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	tPAB       = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	tOwnership = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	tVersion   = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	tBucketPol = "aws:s3/bucketPolicy:BucketPolicy"
	tLogging   = "aws:s3/bucketLoggingV2:BucketLoggingV2"
	tTable     = "aws:dynamodb/table:Table"
	tFS        = "aws:efs/fileSystem:FileSystem"
	tFSPolicy  = "aws:efs/fileSystemPolicy:FileSystemPolicy"
	tMount     = "aws:efs/mountTarget:MountTarget"
	tBackup    = "aws:efs/backupPolicy:BackupPolicy"
	tSecret    = "aws:secretsmanager/secret:Secret"
	tSecretPol = "aws:secretsmanager/secretPolicy:SecretPolicy"
	tEBSEnc    = "aws:ebs/encryptionByDefault:EncryptionByDefault"
	tEBSKey    = "aws:ebs/defaultKmsKey:DefaultKmsKey"
	tAcctPAB   = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
)

// The data-protection controls, broken one at a time on prod (added to brokenCases).
func init() {
	up := p + "-uploads"
	brokenCases = append(brokenCases,
		brokenCase{name: "uploads without default encryption", control: "S3-001",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tSSE, up+"-encryption") },
			wantURN:    "aws:s3/bucketV2:BucketV2::" + up, wantPath: "serverSideEncryptionConfiguration"},
		brokenCase{name: "public policies allowed", control: "S3-002",
			breakGraph: setInput(tPAB, up+"-public-access", "blockPublicPolicy", property.New(false)),
			wantURN:    "::" + up + "-public-access", wantPath: "blockPublicPolicy"},
		brokenCase{name: "ACLs enabled", control: "S3-003",
			breakGraph: setInput(tOwnership, up+"-ownership", "rule.objectOwnership", str("ObjectWriter")),
			wantURN:    "::" + up + "-ownership", wantPath: "rule.objectOwnership"},
		brokenCase{name: "versioning suspended", control: "S3-004",
			breakGraph: setInput(tVersion, up+"-versioning", "versioningConfiguration.status", str("Suspended")),
			wantURN:    "::" + up + "-versioning", wantPath: "versioningConfiguration.status"},
		brokenCase{name: "plain HTTP allowed", control: "S3-005",
			breakGraph: setInput(tBucketPol, up+"-policy", "policy", str(`{"Version":"2012-10-17","Statement":[
				{"Sid":"DenyDelete","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:role/x"},"Action":"s3:DeleteObject","Resource":"arn:aws:s3:::b/*"}]}`)),
			wantURN: "::" + up + "-policy", wantPath: "policy"},
		brokenCase{name: "no access logging", control: "S3-006",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tLogging, up+"-logging") },
			wantURN:    "aws:s3/bucketV2:BucketV2::" + up, wantPath: "logging"},
		brokenCase{name: "table on the AWS-owned key", control: "DDB-001",
			breakGraph: setInput(tTable, p+"-media", "serverSideEncryption", property.New(map[string]property.Value{"enabled": property.New(false)})),
			wantURN:    "aws:dynamodb/table:Table::" + p + "-media", wantPath: "serverSideEncryption.enabled"},
		brokenCase{name: "no point-in-time recovery", control: "DDB-002",
			breakGraph: setInput(tTable, p+"-media", "pointInTimeRecovery.enabled", property.New(false)),
			wantURN:    "aws:dynamodb/table:Table::" + p + "-media", wantPath: "pointInTimeRecovery.enabled"},
		brokenCase{name: "prod table deletable", control: "DDB-003",
			breakGraph: setInput(tTable, p+"-media", "deletionProtectionEnabled", property.New(false)),
			wantURN:    "aws:dynamodb/table:Table::" + p + "-media", wantPath: "deletionProtectionEnabled"},
		brokenCase{name: "file system unencrypted", control: "EFS-001",
			breakGraph: setInput(tFS, p+"-scratch", "encrypted", property.New(false)),
			wantURN:    "aws:efs/fileSystem:FileSystem::" + p + "-scratch", wantPath: "encrypted"},
		brokenCase{name: "file system without a policy", control: "EFS-002",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph { return without(t, g, tFSPolicy, p+"-scratch-policy") },
			wantURN:    "aws:efs/fileSystem:FileSystem::" + p + "-scratch", wantPath: "fileSystemPolicy"},
		brokenCase{name: "mount target in a public subnet", control: "EFS-003",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
				return setInput(tMount, p+"-scratch-eu-west-1b", "subnetId", idOf(t, g, tSubnet, p+"-public-eu-west-1b"))(t, g)
			},
			wantURN: "::" + p + "-scratch-eu-west-1b", wantPath: "subnetId"},
		brokenCase{name: "backups off", control: "EFS-004",
			breakGraph: setInput(tBackup, p+"-scratch-backup", "backupPolicy.status", str("DISABLED")),
			wantURN:    "::" + p + "-scratch-backup", wantPath: "backupPolicy.status"},
		brokenCase{name: "secret deleted without recovery", control: "SEC-001",
			breakGraph: setInput(tSecret, p+"-app-credentials", "recoveryWindowInDays", property.New(0.0)),
			wantURN:    "aws:secretsmanager/secret:Secret::" + p + "-app-credentials", wantPath: "recoveryWindowInDays"},
		brokenCase{name: "secret without a resource policy", control: "SEC-002",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
				return without(t, g, tSecretPol, p+"-app-credentials-policy")
			},
			wantURN: "aws:secretsmanager/secret:Secret::" + p + "-app-credentials", wantPath: "policy"},
		brokenCase{name: "EBS default key left to aws/ebs", control: "ACC-001",
			breakGraph: setInput(tEBSKey, p+"-account-ebs-default-key", "keyArn", str("arn:aws:kms:eu-west-1:123456789012:alias/aws/ebs")),
			wantURN:    "::" + p + "-account-ebs-default-key", wantPath: "keyArn"},
		brokenCase{name: "EBS encryption by default not managed", control: "ACC-001",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
				return without(t, g, tEBSEnc, p+"-account-ebs-encryption")
			},
			wantURN: "pulumi:pulumi:Stack::platform-prod", wantPath: "account.ebsEncryptionByDefault"},
		brokenCase{name: "default EBS key setting kept after a destroy while its key can be deleted", control: "ACC-001",
			breakGraph: func(t *testing.T, g *graph.Graph) *graph.Graph {
				g = mutated(t, g, tEBSKey, p+"-account-ebs-default-key", func(r *graph.Resource) { r.RetainOnDelete = true })
				return mutated(t, g, "aws:kms/key:Key", p+"-data", func(r *graph.Resource) { r.Protect = false })
			},
			wantURN: "::" + p + "-account-ebs-default-key", wantPath: "options.retainOnDelete"},
		brokenCase{name: "a stack that references the baseline's owner manages it too", control: "ACC-002",
			breakGraph: withBaselineReference,
			wantURN:    "pulumi:pulumi:Stack::platform-prod", wantPath: "account.baselineOwner"},
		brokenCase{name: "account public access block partial", control: "ACC-002",
			breakGraph: setInput(tAcctPAB, p+"-account-s3-public-access", "restrictPublicBuckets", property.New(false)),
			wantURN:    "::" + p + "-account-s3-public-access", wantPath: "restrictPublicBuckets"},
		brokenCase{name: "prod bucket force-destroyable", control: "STATE-002",
			breakGraph: setInput(tBucket, up, "forceDestroy", property.New(true)),
			wantURN:    "aws:s3/bucketV2:BucketV2::" + up, wantPath: "forceDestroy"},
	)
}

// withBaselineReference adds to g a reference to another stack as the owner of the account
// baseline, as a stack that does not own it has, while g still manages the baseline itself.
func withBaselineReference(t *testing.T, g *graph.Graph) *graph.Graph {
	t.Helper()
	guardrails := named(t, g, "platform:account:Guardrails", p+"-account")
	ref := &graph.Resource{Type: "pulumi:pulumi:StackReference", Name: p + "-account-baseline-owner", Custom: true, Read: true,
		URN:    "urn:pulumi:prod::platform::platform:account:Guardrails$pulumi:pulumi:StackReference::" + p + "-account-baseline-owner",
		Parent: guardrails.URN, Inputs: property.NewMap(map[string]property.Value{"name": str("organization/platform/staging")})}
	out, err := graph.New(g.Project, g.Stack, append(g.Resources(), ref))
	if err != nil {
		t.Fatal(err)
	}
	return out
}
