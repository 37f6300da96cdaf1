package storage

import (
	"errors"

	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// EBSProvisioner is the EBS CSI driver's provisioner name.
const EBSProvisioner = "ebs.csi.aws.com"

// DefaultClassAnnotation marks the cluster's default StorageClass.
const DefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class"

// EncryptedStorageClassArgs configures the class.
type EncryptedStorageClassArgs struct {
	// Name of the class; "" means "encrypted-gp3", which says what a claim gets.
	Name string
	// KmsKeyArn encrypts every volume; required (there is no unencrypted default class).
	KmsKeyArn pulumi.StringInput
	// Retain keeps volumes when their claims are deleted (set in prod): data outlives a mistake.
	// False (the default) deletes a volume with its claim, so dev leaves no orphaned volumes.
	Retain bool
}

// NewEncryptedStorageClass registers the default StorageClass: gp3 volumes encrypted with the key,
// bound when a pod is scheduled (so the volume lands in the pod's zone), expandable. Pass the
// cluster's Kubernetes provider and a parent in opts.
func NewEncryptedStorageClass(ctx *pulumi.Context, name string, args *EncryptedStorageClassArgs, opts ...pulumi.ResourceOption) (*storagev1.StorageClass, error) {
	if args == nil || args.KmsKeyArn == nil {
		return nil, errors.New("storage.NewEncryptedStorageClass: kmsKeyArn is required (volumes are always encrypted with the customer key)")
	}
	className := args.Name
	if className == "" {
		className = "encrypted-gp3"
	}
	reclaim := "Delete"
	if args.Retain {
		reclaim = "Retain"
	}
	return storagev1.NewStorageClass(ctx, name, &storagev1.StorageClassArgs{
		Metadata: &metav1.ObjectMetaArgs{
			Name:        pulumi.String(className),
			Annotations: pulumi.StringMap{DefaultClassAnnotation: pulumi.String("true")},
		},
		Provisioner: pulumi.String(EBSProvisioner),
		Parameters: pulumi.StringMap{
			"type":      pulumi.String("gp3"),
			"encrypted": pulumi.String("true"),
			"kmsKeyId":  args.KmsKeyArn,
		},
		ReclaimPolicy:        pulumi.String(reclaim),
		VolumeBindingMode:    pulumi.String("WaitForFirstConsumer"),
		AllowVolumeExpansion: pulumi.Bool(true),
	}, opts...)
}
