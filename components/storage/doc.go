// Package storage provides the platform's encrypted storage building blocks: Bucket, an S3 bucket
// encrypted by default with SSE-S3 (AES-256) or a customer KMS key, versioned, private (public
// access blocked, ACLs disabled), TLS-only and access-logged, whose policies are built by the pure
// functions BucketPolicy and friends; and NewEncryptedStorageClass, the cluster's default
// Kubernetes StorageClass, which provisions EBS volumes through the EBS CSI driver encrypted with
// the customer data key.
//
// Every setting that guards a bucket is a child resource of its own, named "<name>-<aspect>"
// (encryption, versioning, public-access, ownership, policy, logging, lifecycle), so a retained
// bucket keeps them and a reviewer sees each one in the plan.
package storage
