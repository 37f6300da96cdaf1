package encryption

import (
	"fmt"

	"github.com/securestack/platform/components/lib/iampolicy"
)

// Purpose is what a key protects. It is also the stable key of the key's child resource names.
type Purpose string

// The key purposes.
const (
	// Cluster encrypts Kubernetes Secrets in etcd (EKS envelope encryption).
	Cluster Purpose = "cluster"
	// Logs encrypts CloudWatch log groups (flow logs, control-plane logs).
	Logs Purpose = "logs"
	// Data encrypts data at rest: EBS, EFS, DynamoDB, Secrets Manager, SNS, ECR.
	Data Purpose = "data"
	// Alerts encrypts the security findings topic, which EventBridge publishes to. Only the
	// stack that owns the account baseline (and so routes the account's findings) has one.
	Alerts Purpose = "alerts"
)

// Purposes are the keys every stack has, in a fixed order (a nil KeyringArgs.Purposes).
var Purposes = []Purpose{Cluster, Logs, Data}

// AllPurposes are every purpose a key may have.
var AllPurposes = []Purpose{Cluster, Logs, Data, Alerts}

// DataServices are the services that may use the data key on behalf of principals of the account.
var DataServices = []string{"dynamodb", "ec2", "ecr", "elasticfilesystem", "s3", "secretsmanager", "sns"}

// Account identifies where the keys live; key policies are derived from it.
type Account struct {
	ID        string // e.g. 123456789012
	Region    string // e.g. eu-west-1
	Partition string // aws, aws-cn, aws-us-gov
}

func (a Account) root() string { return fmt.Sprintf("arn:%s:iam::%s:root", a.Partition, a.ID) }

// KeyPolicy returns the key policy of a key of the purpose in the account.
func KeyPolicy(p Purpose, a Account) (iampolicy.Document, error) {
	statements := []iampolicy.Statement{{
		Sid:       "AccountRootAdministersKey",
		Effect:    iampolicy.Allow,
		Principal: &iampolicy.Principal{AWS: iampolicy.StringList{a.root()}},
		Actions:   iampolicy.StringList{"kms:*"},
		Resources: iampolicy.StringList{"*"},
	}}
	useActions := iampolicy.StringList{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"}
	switch p {
	case Cluster:
		// EKS uses the key through the cluster role's IAM permissions: root delegation suffices.
	case Logs:
		statements = append(statements, iampolicy.Statement{
			Sid:       "CloudWatchLogsUsesKeyForThisAccount",
			Effect:    iampolicy.Allow,
			Principal: &iampolicy.Principal{Service: iampolicy.StringList{fmt.Sprintf("logs.%s.amazonaws.com", a.Region)}},
			Actions:   useActions,
			Resources: iampolicy.StringList{"*"},
			Conditions: iampolicy.Conditions{"ArnLike": {
				"kms:EncryptionContext:aws:logs:arn": {fmt.Sprintf("arn:%s:logs:%s:%s:log-group:*", a.Partition, a.Region, a.ID)},
			}},
		})
	case Data:
		via := make(iampolicy.StringList, 0, len(DataServices))
		for _, s := range DataServices {
			via = append(via, fmt.Sprintf("%s.%s.amazonaws.com", s, a.Region))
		}
		statements = append(statements, iampolicy.Statement{
			Sid:       "AccountPrincipalsUseKeyThroughAwsServices",
			Effect:    iampolicy.Allow,
			Principal: &iampolicy.Principal{AWS: iampolicy.StringList{"*"}},
			Actions:   append(useActions, "kms:CreateGrant"),
			Resources: iampolicy.StringList{"*"},
			Conditions: iampolicy.Conditions{"StringEquals": {
				"kms:CallerAccount": {a.ID},
				"kms:ViaService":    via,
			}},
		})
		// Node volumes launched by Auto Scaling (managed node groups) are covered by the ec2 entry
		// above. The Auto Scaling service-linked role is deliberately not named: KMS refuses a
		// policy whose principal does not exist, and that role exists only after an account's first
		// Auto Scaling group, so naming it would make CreateKey fail in a fresh account.
	case Alerts:
		// EventBridge encrypts what it publishes to the findings topic with the key (the statement
		// AWS documents for SNS targets). The topic's own policy admits only the findings rule.
		statements = append(statements, iampolicy.Statement{
			Sid:       "EventBridgePublishesToEncryptedTopics",
			Effect:    iampolicy.Allow,
			Principal: &iampolicy.Principal{Service: iampolicy.StringList{"events.amazonaws.com"}},
			Actions:   iampolicy.StringList{"kms:Decrypt", "kms:GenerateDataKey*"},
			Resources: iampolicy.StringList{"*"},
		})
	default:
		return iampolicy.Document{}, fmt.Errorf("encryption: unknown key purpose %q (allowed: %v)", p, AllPurposes)
	}
	return iampolicy.New(statements...), nil
}
