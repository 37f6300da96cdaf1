package infra

import (
	"slices"
	"strings"

	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/storage"
)

// AppResources are what the services' intents are compiled against: where the stores live and
// how their objects are encrypted.
type AppResources struct {
	Partition, Region, Account string
	Names                      Names
	DataKeyArn                 string
	// SSEKMS: the buckets encrypt with the data key, so writers and readers need it through S3.
	SSEKMS bool
}

// BucketArn is the ARN of one of the platform's buckets, as intents name it.
func (r AppResources) BucketArn(bucket string) string {
	return arnOfBucket(r.Partition, r.Names.Bucket(bucket))
}

// TableArn is the ARN of the platform's table.
func (r AppResources) TableArn() string {
	return "arn:" + r.Partition + ":dynamodb:" + r.Region + ":" + r.Account + ":table/" + r.Names.Table()
}

// SecretArnPattern matches the secret of a purpose: Secrets Manager appends six random characters
// to a secret's name in its ARN.
func (r AppResources) SecretArnPattern(purpose string) string {
	return "arn:" + r.Partition + ":secretsmanager:" + r.Region + ":" + r.Account + ":secret:" + r.Names.Secret(purpose) + "-??????"
}

// The exact IAM actions of each intent action. "put" is create-only: storage.WriteOnceGrants.
var (
	s3ReadActions     = []string{"s3:GetObject"}
	s3WriteActions    = []string{"s3:PutObject"}
	tableReadActions  = []string{"dynamodb:GetItem", "dynamodb:Query"}
	tableWriteActions = []string{"dynamodb:PutItem", "dynamodb:UpdateItem"}
	secretReadActions = []string{"secretsmanager:GetSecretValue"}
)

// ServicePolicy compiles a service's AWS intents into its role's permission policy: exact actions
// on exact resources, no wildcard action. A service with no AWS intent has no role.
func ServicePolicy(s ServiceConfig, r AppResources) iampolicy.Document {
	var statements []iampolicy.Statement
	var kmsActions []string
	for _, in := range s.AWS {
		switch {
		case in.S3.Bucket != "":
			objects := r.BucketArn(in.S3.Bucket) + "/*"
			for _, action := range slices.Sorted(slices.Values(in.S3.Actions)) {
				sid := sidOf("S3", action, in.S3.Bucket)
				switch action {
				case ActionPut:
					// Create only: no read back, no delete, no overwrite (the bucket policy denies
					// the exact complement of these grants).
					statements = append(statements, storage.WriteOnceGrants(sid, objects)...)
					kmsActions = append(kmsActions, "kms:GenerateDataKey")
				case ActionWrite:
					statements = append(statements, allow(sid, s3WriteActions, objects))
					kmsActions = append(kmsActions, "kms:GenerateDataKey")
				case ActionRead:
					statements = append(statements, allow(sid, s3ReadActions, objects))
					kmsActions = append(kmsActions, "kms:Decrypt")
				}
			}
		case in.DynamoDB.Table != "":
			var actions []string
			if slices.Contains(in.DynamoDB.Actions, ActionRead) {
				actions = append(actions, tableReadActions...)
			}
			if slices.Contains(in.DynamoDB.Actions, ActionWrite) {
				actions = append(actions, tableWriteActions...)
			}
			slices.Sort(actions)
			statements = append(statements, allow(sidOf("DynamoDB", strings.Join(slices.Sorted(slices.Values(in.DynamoDB.Actions)), "-"), in.DynamoDB.Table), actions, r.TableArn()))
		case in.Secret != "":
			statements = append(statements, allow(sidOf("Read", "secret", in.Secret), secretReadActions, r.SecretArnPattern(in.Secret)))
		}
	}
	if r.SSEKMS && len(kmsActions) > 0 {
		// The data key only as S3 uses it on the service's behalf.
		slices.Sort(kmsActions)
		statements = append(statements, iampolicy.Statement{
			Sid:        "DataKeyThroughS3Only",
			Effect:     iampolicy.Allow,
			Actions:    slices.Compact(kmsActions),
			Resources:  iampolicy.StringList{r.DataKeyArn},
			Conditions: iampolicy.Conditions{"StringEquals": {"kms:ViaService": {"s3." + r.Region + ".amazonaws.com"}}},
		})
	}
	return iampolicy.New(statements...)
}

func allow(sid string, actions []string, resource string) iampolicy.Statement {
	return iampolicy.Statement{Sid: sid, Effect: iampolicy.Allow, Actions: iampolicy.StringList(actions), Resources: iampolicy.StringList{resource}}
}

// sidOf makes a statement id (alphanumeric) from words: ("S3", "put", "uploads") → "S3PutUploads".
func sidOf(words ...string) string {
	var b strings.Builder
	for _, w := range words {
		for _, part := range strings.FieldsFunc(w, func(r rune) bool { return r == '-' || r == '_' || r == '/' }) {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
