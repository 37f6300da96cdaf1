// Package storage provides the platform's encrypted storage building blocks. So far: the default
// Kubernetes StorageClass, which provisions EBS volumes through the EBS CSI driver encrypted with
// the customer data key.
package storage
