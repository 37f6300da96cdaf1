// Package storage provides the platform's encrypted storage building blocks. So far: the default
// Kubernetes StorageClass, which provisions EBS volumes through the EBS CSI driver encrypted with
// the customer data key; and Bucket, an S3 bucket encrypted by default with SSE-S3 (AES-256) or a
// customer KMS key, versioned, private (public access blocked, ACLs disabled), TLS-only and
// access-logged, whose policies are built by the pure functions BucketPolicy and friends.
package storage
