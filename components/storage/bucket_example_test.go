package storage_test

import (
	"fmt"

	"github.com/securestack/platform/components/storage"
)

// The policy of an uploads bucket whose uploader role may put objects but never delete them: TLS
// only for everyone, and no deletion of any object or version by the uploader.
func ExampleBucketPolicy() {
	doc := storage.BucketPolicy(storage.PolicySpec{
		BucketArn:    "arn:aws:s3:::platform-prod-uploads",
		DenyDeleteTo: []string{"arn:aws:iam::123456789012:role/uploader"},
	})
	policy, err := doc.JSON()
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(policy)
	// Output:
	// {"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":["s3:*"],"Resource":["arn:aws:s3:::platform-prod-uploads","arn:aws:s3:::platform-prod-uploads/*"],"Condition":{"Bool":{"aws:SecureTransport":["false"]}}},{"Sid":"DenyObjectDeletion","Effect":"Deny","Principal":{"AWS":["arn:aws:iam::123456789012:role/uploader"]},"Action":["s3:DeleteObject","s3:DeleteObjectVersion"],"Resource":["arn:aws:s3:::platform-prod-uploads/*"]}]}
}
