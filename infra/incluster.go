package infra

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/encryption"
	"github.com/securestack/platform/components/filesystem"
	"github.com/securestack/platform/components/storage"
	"github.com/securestack/platform/eksspec"
)

// InClusterOutput is the stack output that says whether the in-cluster layer was applied: a
// bootstrap run reads it (through a StackReference to its own stack) and refuses to run over an
// in-cluster layer it would delete.
const InClusterOutput = "inClusterLayer"

// InCluster is the in-cluster layer: everything applied through the Kubernetes API, which only the
// nodes, the in-VPC runner and the configured API access sources can reach.
type InCluster struct {
	Provider     *kubernetes.Provider
	StorageClass *storagev1.StorageClass
	// ScratchVolume is the processor's EFS volume: a static PersistentVolume of its access point,
	// bound in advance to the claim ScratchClaim in the first application namespace.
	ScratchVolume *corev1.PersistentVolume
}

// ScratchClaim is the PersistentVolumeClaim the processor's workload makes for its scratch space.
const ScratchClaim = "processor-scratch"

// deployInCluster applies the in-cluster layer through a Kubernetes provider built here from the
// cluster's (secret) kubeconfig; components never build providers.
func deployInCluster(ctx *pulumi.Context, cfg *Config, p *Platform) (*InCluster, error) {
	k8s, err := kubernetes.NewProvider(ctx, cfg.Name()+"-k8s", &kubernetes.ProviderArgs{
		Kubeconfig:            p.Cluster.KubeconfigJSON,
		EnableServerSideApply: pulumi.Bool(true),
	}, pulumi.DependsOn(p.Cluster.NodeGroupResources()))
	if err != nil {
		return nil, err
	}
	in := &InCluster{Provider: k8s}
	if in.StorageClass, err = storage.NewEncryptedStorageClass(ctx, cfg.Name()+"-encrypted-gp3", &storage.EncryptedStorageClassArgs{
		KmsKeyArn: p.Keys.Arns[encryption.Data],
		Retain:    cfg.Stateful.RetainOnDelete,
	}, pulumi.Provider(k8s), pulumi.Parent(p.Cluster)); err != nil {
		return nil, err
	}
	// A static volume of the processor's access point: mounted over TLS with the EFS CSI driver's
	// IAM identity (which the file system admits through that access point only). Retain: the
	// files outlive the claim.
	handle := pulumi.Sprintf("%s::%s", p.Data.Scratch.ID, p.Data.Scratch.AccessPointIDs[filesystem.ProcessorAccessPoint().Name])
	if in.ScratchVolume, err = corev1.NewPersistentVolume(ctx, cfg.Name()+"-"+ScratchClaim, &corev1.PersistentVolumeArgs{
		// Named after the claim it is bound to: one volume per claim.
		Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(ScratchClaim)},
		Spec: &corev1.PersistentVolumeSpecArgs{
			Capacity:                      pulumi.StringMap{"storage": pulumi.String("5Gi")}, // required, not enforced by EFS
			VolumeMode:                    pulumi.String("Filesystem"),
			AccessModes:                   pulumi.StringArray{pulumi.String("ReadWriteMany")},
			PersistentVolumeReclaimPolicy: pulumi.String("Retain"),
			StorageClassName:              pulumi.String(""),
			MountOptions:                  pulumi.StringArray{pulumi.String("tls"), pulumi.String("iam")},
			Csi: &corev1.CSIPersistentVolumeSourceArgs{
				Driver:       pulumi.String(eksspec.EFSCSIDriver),
				VolumeHandle: handle,
			},
			ClaimRef: &corev1.ObjectReferenceArgs{Namespace: pulumi.String(cfg.Access.Namespaces[0]), Name: pulumi.String(ScratchClaim)},
		},
	}, pulumi.Provider(k8s), pulumi.Parent(p.Data.Scratch)); err != nil {
		return nil, err
	}
	return in, nil
}

// refuseBootstrapOverInCluster fails a bootstrap (cloud-layer only) run of a stack whose in-cluster
// layer exists: not registering it would delete it. It reads the stack's own last outputs.
func refuseBootstrapOverInCluster(ctx *pulumi.Context) error {
	self := fmt.Sprintf("%s/%s/%s", ctx.Organization(), ctx.Project(), ctx.Stack())
	ref, err := pulumi.NewStackReference(ctx, ctx.Project()+"-"+ctx.Stack()+"-previous", &pulumi.StackReferenceArgs{Name: pulumi.String(self)})
	if err != nil {
		return err
	}
	guard := ref.GetOutput(pulumi.String(InClusterOutput)).ApplyT(func(v any) (bool, error) {
		if applied, _ := v.(bool); applied {
			return false, fmt.Errorf("%s:bootstrap: stack %s already has its in-cluster layer; a bootstrap run would delete it. Run a full deploy from inside the VPC instead (without %s:bootstrap)",
				Namespace, self, Namespace)
		}
		return true, nil
	}).(pulumi.BoolOutput)
	ctx.Export("bootstrapGuard", guard)
	return nil
}
