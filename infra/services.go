package infra

import (
	"github.com/securestack/platform/components/storage"
	"github.com/securestack/platform/iampolicy"
)

// The application's services, each with its own IRSA role and a least-privilege policy: the
// uploader writes uploads, the processor turns uploads into processed media and metadata, the
// frontend reads what was processed.
const (
	Uploader  = "uploader"
	Processor = "processor"
	Frontend  = "frontend"
)

// Services lists them in a fixed order.
var Services = []string{Frontend, Processor, Uploader}

// AppResources are the ARNs the service policies are written against.
type AppResources struct {
	UploadsBucketArn, ProcessedBucketArn, TableArn, DataKeyArn string
	// SSEKMS: the buckets encrypt with the data key, so writers and readers need it through S3.
	SSEKMS bool
}

// objects is the ARN pattern of the objects in a bucket.
func objects(bucketArn string) string { return bucketArn + "/*" }

// kmsThroughS3 lets a service use the data key only as S3 does on its behalf.
func kmsThroughS3(r AppResources, region string, actions ...string) []iampolicy.Statement {
	if !r.SSEKMS {
		return nil
	}
	return []iampolicy.Statement{{
		Sid:        "DataKeyThroughS3Only",
		Effect:     iampolicy.Allow,
		Actions:    actions,
		Resources:  iampolicy.StringList{r.DataKeyArn},
		Conditions: iampolicy.Conditions{"StringEquals": {"kms:ViaService": {"s3." + region + ".amazonaws.com"}}},
	}}
}

// ServicePolicy is the permission policy of a service's role.
func ServicePolicy(service string, r AppResources, region string) iampolicy.Document {
	var statements []iampolicy.Statement
	switch service {
	case Uploader:
		// Create only: the uploader can neither read back, delete nor overwrite (the bucket policy
		// denies it too, with the exact complement of these grants).
		statements = append(statements, storage.WriteOnceGrants("PutUploads", objects(r.UploadsBucketArn))...)
		statements = append(statements, kmsThroughS3(r, region, "kms:GenerateDataKey")...)
	case Processor:
		statements = append(statements,
			iampolicy.Statement{Sid: "ReadUploads", Effect: iampolicy.Allow,
				Actions: iampolicy.StringList{"s3:GetObject"}, Resources: iampolicy.StringList{objects(r.UploadsBucketArn)}},
			iampolicy.Statement{Sid: "WriteProcessed", Effect: iampolicy.Allow,
				Actions: iampolicy.StringList{"s3:PutObject"}, Resources: iampolicy.StringList{objects(r.ProcessedBucketArn)}},
			iampolicy.Statement{Sid: "RecordMetadata", Effect: iampolicy.Allow,
				Actions:   iampolicy.StringList{"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"},
				Resources: iampolicy.StringList{r.TableArn}})
		statements = append(statements, kmsThroughS3(r, region, "kms:Decrypt", "kms:GenerateDataKey")...)
	case Frontend:
		statements = append(statements,
			iampolicy.Statement{Sid: "ReadProcessed", Effect: iampolicy.Allow,
				Actions: iampolicy.StringList{"s3:GetObject"}, Resources: iampolicy.StringList{objects(r.ProcessedBucketArn)}},
			iampolicy.Statement{Sid: "ReadMetadata", Effect: iampolicy.Allow,
				Actions: iampolicy.StringList{"dynamodb:GetItem", "dynamodb:Query"}, Resources: iampolicy.StringList{r.TableArn}})
		statements = append(statements, kmsThroughS3(r, region, "kms:Decrypt")...)
	}
	return iampolicy.New(statements...)
}
