package encryption_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/components/encryption"
)

var account = encryption.Account{ID: "123456789012", Region: "eu-west-1", Partition: "aws"}

func TestEveryKeyPolicyLetsTheAccountRootAdministerAndHasNoOpenPrincipal(t *testing.T) {
	for _, p := range encryption.Purposes {
		doc, err := encryption.KeyPolicy(p, account)
		if err != nil {
			t.Fatal(err)
		}
		root := doc.Statements[0]
		if root.Principal == nil || len(root.Principal.AWS) != 1 || root.Principal.AWS[0] != "arn:aws:iam::123456789012:root" || !root.CoversAction("kms:PutKeyPolicy") {
			t.Errorf("%s: first statement %+v is not the account root administering the key", p, root)
		}
		for i, s := range doc.Statements {
			if s.IsUnconditionedWildcardPrincipal() {
				t.Errorf("%s: statement %d allows anyone without conditions", p, i)
			}
		}
	}
}

func TestLogsKeyIsUsableByCloudWatchLogsOfThisAccountOnly(t *testing.T) {
	doc, err := encryption.KeyPolicy(encryption.Logs, account)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Statements) != 2 {
		t.Fatalf("%d statements, want 2", len(doc.Statements))
	}
	s := doc.Statements[1]
	if got := s.Principal.Service; len(got) != 1 || got[0] != "logs.eu-west-1.amazonaws.com" {
		t.Errorf("service principal %v", got)
	}
	if got := s.ConditionValues("ArnLike", "kms:EncryptionContext:aws:logs:arn"); len(got) != 1 || got[0] != "arn:aws:logs:eu-west-1:123456789012:log-group:*" {
		t.Errorf("encryption-context condition %v", got)
	}
	if s.CoversAction("kms:ScheduleKeyDeletion") || s.CoversAction("kms:PutKeyPolicy") {
		t.Error("CloudWatch Logs may administer the key")
	}
}

func TestDataKeyIsUsableOnlyThroughNamedServicesOfTheAccount(t *testing.T) {
	doc, err := encryption.KeyPolicy(encryption.Data, account)
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Statements[1]
	if !s.Principal.IsWildcard() {
		t.Fatalf("principal %+v: want * constrained by conditions", s.Principal)
	}
	if got := s.ConditionValues("StringEquals", "kms:CallerAccount"); len(got) != 1 || got[0] != "123456789012" {
		t.Errorf("caller account condition %v", got)
	}
	via := s.ConditionValues("StringEquals", "kms:ViaService")
	if len(via) != len(encryption.DataServices) || via[1] != "ec2.eu-west-1.amazonaws.com" {
		t.Errorf("via services %v", via)
	}
}

// TestNoKeyPolicyNamesAPrincipalThatMayNotExist: KMS refuses a key policy whose principal does not
// exist yet (CreateKey or PutKeyPolicy fails, as in a fresh account without the Auto Scaling
// service-linked role), so a key policy names no AWS principal but the account root, or * narrowed
// by conditions. Services are named as service principals, which always exist.
func TestNoKeyPolicyNamesAPrincipalThatMayNotExist(t *testing.T) {
	for _, a := range []encryption.Account{account, {ID: "210987654321", Region: "us-gov-west-1", Partition: "aws-us-gov"}} {
		root := fmt.Sprintf("arn:%s:iam::%s:root", a.Partition, a.ID)
		for _, p := range encryption.Purposes {
			doc, err := encryption.KeyPolicy(p, a)
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range doc.Statements {
				if s.NotPrincipal != nil {
					t.Errorf("%s %s: statement %d (%s) has a NotPrincipal", a.Partition, p, i, s.Sid)
				}
				if s.Principal == nil {
					continue
				}
				for _, principal := range s.Principal.AWS {
					if principal != root && principal != "*" {
						t.Errorf("%s %s: statement %d (%s) names the AWS principal %s; want only %s or *", a.Partition, p, i, s.Sid, principal, root)
					}
				}
			}
		}
	}
}

func TestKeyPoliciesHaveExactlyTheirStatements(t *testing.T) {
	for p, want := range map[encryption.Purpose][]string{
		encryption.Cluster: {"AccountRootAdministersKey"},
		encryption.Logs:    {"AccountRootAdministersKey", "CloudWatchLogsUsesKeyForThisAccount"},
		// No Auto Scaling statements: node volumes go through the ec2 entry of the second.
		encryption.Data: {"AccountRootAdministersKey", "AccountPrincipalsUseKeyThroughAwsServices"},
		// The findings topic's key: EventBridge encrypts what it publishes to the topic.
		encryption.Alerts: {"AccountRootAdministersKey", "EventBridgePublishesToEncryptedTopics"},
	} {
		doc, err := encryption.KeyPolicy(p, account)
		if err != nil {
			t.Fatal(err)
		}
		var sids []string
		for _, s := range doc.Statements {
			sids = append(sids, s.Sid)
		}
		if !slices.Equal(sids, want) {
			t.Errorf("%s: statements %v, want %v", p, sids, want)
		}
		text, err := doc.JSON()
		if err != nil || strings.Contains(text, "autoscaling") || strings.Contains(text, "aws-service-role") {
			t.Errorf("%s: policy %s, %v names a service-linked role", p, text, err)
		}
	}
	if _, err := encryption.KeyPolicy("backup", account); err == nil || err.Error() != `encryption: unknown key purpose "backup" (allowed: [cluster logs data alerts])` {
		t.Errorf("unknown purpose: %v", err)
	}
}

func TestDataKeyLetsAccountPrincipalsUseAndGrantThroughTheDataServicesOnly(t *testing.T) {
	doc, err := encryption.KeyPolicy(encryption.Data, account)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"Sid":"AccountPrincipalsUseKeyThroughAwsServices","Effect":"Allow","Principal":{"AWS":["*"]},` +
		`"Action":["kms:Decrypt","kms:DescribeKey","kms:Encrypt","kms:GenerateDataKey*","kms:ReEncrypt*","kms:CreateGrant"],"Resource":["*"],` +
		`"Condition":{"StringEquals":{"kms:CallerAccount":["123456789012"],"kms:ViaService":["dynamodb.eu-west-1.amazonaws.com","ec2.eu-west-1.amazonaws.com",` +
		`"ecr.eu-west-1.amazonaws.com","elasticfilesystem.eu-west-1.amazonaws.com","s3.eu-west-1.amazonaws.com","secretsmanager.eu-west-1.amazonaws.com","sns.eu-west-1.amazonaws.com"]}}}`
	text, err := doc.JSON()
	if err != nil || !strings.Contains(text, want) {
		t.Errorf("data key policy %s, %v\nlacks %s", text, err, want)
	}
}

func TestKeyringArgsReportEveryProblemAtOnce(t *testing.T) {
	args := &encryption.KeyringArgs{AliasPrefix: "alias/aws/x", Purposes: []encryption.Purpose{"cluster", "cluster", "backup"}, DeletionWindowDays: 45}
	err := args.Validate()
	if err == nil {
		t.Fatal("no error")
	}
	want := []string{
		"account: id, region and partition are required (got {ID: Region: Partition:})",
		`aliasPrefix: "alias/aws/x" must start with alias/ and not alias/aws/`,
		`purposes[1]: "cluster" is listed twice`,
		`purposes[2]: "backup" is not a purpose (allowed: [cluster logs data alerts])`,
		"deletionWindowDays: 45 is outside 7 to 30",
	}
	if got := strings.Split(err.Error(), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n got  %q\n want %q", got, want)
	}
	ok := &encryption.KeyringArgs{Account: account, AliasPrefix: "alias/platform-dev"}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid args rejected: %v", err)
	}
}

// ExampleKeyPolicy prints the policy of the logs key of an account.
func ExampleKeyPolicy() {
	doc, _ := encryption.KeyPolicy(encryption.Logs, encryption.Account{ID: "123456789012", Region: "eu-west-1", Partition: "aws"})
	for _, s := range doc.Statements {
		fmt.Println(s.Sid, s.Effect, s.Actions)
	}
	// Output:
	// AccountRootAdministersKey Allow [kms:*]
	// CloudWatchLogsUsesKeyForThisAccount Allow [kms:Decrypt kms:DescribeKey kms:Encrypt kms:GenerateDataKey* kms:ReEncrypt*]
}

func TestAlertsKeyLetsEventBridgeEncryptAndNothingElse(t *testing.T) {
	doc, err := encryption.KeyPolicy(encryption.Alerts, account)
	if err != nil {
		t.Fatal(err)
	}
	text, err := doc.JSON()
	want := `{"Sid":"EventBridgePublishesToEncryptedTopics","Effect":"Allow","Principal":{"Service":["events.amazonaws.com"]},` +
		`"Action":["kms:Decrypt","kms:GenerateDataKey*"],"Resource":["*"]}`
	if err != nil || !strings.Contains(text, want) {
		t.Errorf("alerts key policy %s, %v\nlacks %s", text, err, want)
	}
	if got := doc.Allows("kms:CreateGrant"); len(got) != 1 || got[0].Sid != "AccountRootAdministersKey" {
		t.Errorf("only the account root may create grants on the alerts key: %v", got)
	}
}
