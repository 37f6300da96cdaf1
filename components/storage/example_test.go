package storage_test

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/storage"
	"github.com/securestack/platform/proof/engine/recorder"
)

// ExampleNewBucket records, under mocks, an uploads bucket that logs to the stack's log bucket:
// every setting that guards it is a child of its own ("<name>-<aspect>"), and the defaults
// encrypt with SSE-S3 (AES-256), block all public access and disable ACLs.
func ExampleNewBucket() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := storage.NewBucket(ctx, "platform-dev-uploads", &storage.BucketArgs{
			AccountID:       "111111111111",
			AccessLogBucket: pulumi.String("platform-dev-access-logs"),
			DenyDeleteTo:    []pulumi.StringInput{pulumi.String("arn:aws:iam::111111111111:role/platform-dev-uploader")},
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(g.Listing())
	sse, _ := g.Named("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2", "platform-dev-uploads-encryption")
	algorithm, _ := sse.String("rules[0].applyServerSideEncryptionByDefault.sseAlgorithm")
	ownership, _ := g.Named("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "platform-dev-uploads-ownership")
	owner, _ := ownership.String("rule.objectOwnership")
	fmt.Println(algorithm, owner)
	// Output:
	// platform-dev-uploads-lifecycle aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2
	// platform-dev-uploads-logging aws:s3/bucketLoggingV2:BucketLoggingV2
	// platform-dev-uploads-ownership aws:s3/bucketOwnershipControls:BucketOwnershipControls
	// platform-dev-uploads-policy aws:s3/bucketPolicy:BucketPolicy
	// platform-dev-uploads-public-access aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock
	// platform-dev-uploads-encryption aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2
	// platform-dev-uploads aws:s3/bucketV2:BucketV2
	// platform-dev-uploads-versioning aws:s3/bucketVersioningV2:BucketVersioningV2
	// platform-dev-uploads platform:storage:Bucket
	// AES256 BucketOwnerEnforced
}

// A bucket must say where its access logs go, unless it is the log bucket; a KMS key is only for
// SSE-KMS. The args are refused, every problem at once, before anything is registered.
func ExampleBucketArgs_Validate() {
	fmt.Println((&storage.BucketArgs{AccountID: "111111111111", KmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/data")}).Validate())
	// Output:
	// kmsKeyArn: set only with encryption aws:kms (got encryption AES256)
	// accessLogBucket: required (every bucket's access is logged) unless isLogBucket
}

// ExampleNewEncryptedStorageClass records, under mocks, the cluster's default StorageClass: gp3
// volumes encrypted with the data key, deleted with their claims unless Retain is set (prod).
func ExampleNewEncryptedStorageClass() {
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := storage.NewEncryptedStorageClass(ctx, "platform-dev-encrypted-gp3", &storage.EncryptedStorageClassArgs{
			KmsKeyArn: pulumi.String("arn:aws:kms:eu-west-1:111111111111:key/data"),
		})
		return err
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	sc, _ := g.Named("kubernetes:storage.k8s.io/v1:StorageClass", "platform-dev-encrypted-gp3")
	for _, path := range []string{"metadata.name", "parameters.encrypted", "parameters.kmsKeyId", "reclaimPolicy", "volumeBindingMode"} {
		v, _ := sc.String(path)
		fmt.Println(path, v)
	}
	// Output:
	// metadata.name encrypted-gp3
	// parameters.encrypted true
	// parameters.kmsKeyId arn:aws:kms:eu-west-1:111111111111:key/data
	// reclaimPolicy Delete
	// volumeBindingMode WaitForFirstConsumer
}
