package infra

import (
	"fmt"
	"slices"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	corev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	metav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	storagev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/storage/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/clustersecurity"
	"github.com/securestack/platform/components/detection"
	"github.com/securestack/platform/components/edge"
	"github.com/securestack/platform/components/encryption"
	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/network"
	"github.com/securestack/platform/components/storage"
	"github.com/securestack/platform/components/workload"
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
	// Namespaces are the application namespaces, by name.
	Namespaces map[string]*clustersecurity.Namespace
	// ScratchVolumes are the static PersistentVolumes of the services' scratch access points, by
	// service, each bound in advance to the claim the service's workload makes.
	ScratchVolumes map[string]*corev1.PersistentVolume
	// Services are the catalog's workloads, by name.
	Services map[string]*workload.Service
	// Controller and LoadBalancer are the edge: nil when no service is load-balanced.
	Controller   *edge.LoadBalancerController
	LoadBalancer *edge.LoadBalancer
	// Falco is the runtime sensor; nil unless platform:detection.falco.
	Falco *detection.Falco
}

// ScratchClaim is the PersistentVolumeClaim (and PersistentVolume) of a service's scratch space.
func ScratchClaim(service string) string { return service + "-" + FileSystemScratch }

// scratchSize is the claim's request: required by Kubernetes, not enforced by EFS.
const scratchSize = "5Gi"

// deployInCluster applies the in-cluster layer through a Kubernetes provider built here from the
// cluster's (secret) kubeconfig; components never build providers. Namespaces (Pod Security,
// default deny, persona RBAC) come first, then the services' volumes and workloads.
func deployInCluster(ctx *pulumi.Context, cfg *Config, p *Platform) (*InCluster, error) {
	k8s, err := kubernetes.NewProvider(ctx, cfg.Name()+"-k8s", &kubernetes.ProviderArgs{
		Kubeconfig:            p.Cluster.KubeconfigJSON,
		EnableServerSideApply: pulumi.Bool(true),
	}, pulumi.DependsOn(p.Cluster.NodeGroupResources()))
	if err != nil {
		return nil, err
	}
	in := &InCluster{Provider: k8s, Namespaces: map[string]*clustersecurity.Namespace{},
		ScratchVolumes: map[string]*corev1.PersistentVolume{}, Services: map[string]*workload.Service{}}
	if in.StorageClass, err = storage.NewEncryptedStorageClass(ctx, cfg.Name()+"-encrypted-gp3", &storage.EncryptedStorageClassArgs{
		KmsKeyArn: p.Keys.Arns[encryption.Data],
		Retain:    cfg.Stateful.RetainOnDelete,
	}, pulumi.Provider(k8s), pulumi.Parent(p.Cluster)); err != nil {
		return nil, err
	}
	for _, ns := range cfg.Access.Namespaces {
		if in.Namespaces[ns], err = clustersecurity.NewNamespace(ctx, cfg.Name()+"-"+ns, &clustersecurity.NamespaceArgs{
			Name:               ns,
			PodSecurityVersion: "v" + cfg.Cluster.Version,
			Roles: []clustersecurity.Role{
				{Name: eksspec.Gitops.Name, Group: eksspec.Gitops.Group, Rules: clustersecurity.GitopsRules()},
				{Name: eksspec.Developer.Name, Group: eksspec.Developer.Group, Rules: clustersecurity.DeveloperRules()},
			},
			Protect: cfg.Stateful.Protect,
		}, pulumi.Provider(k8s), pulumi.Parent(p.Cluster)); err != nil {
			return nil, err
		}
	}
	for _, name := range cfg.EnabledServices() {
		svc := cfg.Services[name]
		args := serviceArgs(cfg, p, name)
		for _, fs := range svc.FileSystems() {
			// A static volume of the service's access point: mounted over TLS with the EFS CSI
			// driver's IAM identity (which the file system admits through that access point only).
			// Retain: the files outlive the claim. Named after the claim it is bound to.
			claim := ScratchClaim(name)
			handle := pulumi.Sprintf("%s::%s", p.Data.Scratch.ID, p.Data.Scratch.AccessPointIDs[name])
			if in.ScratchVolumes[name], err = corev1.NewPersistentVolume(ctx, cfg.Name()+"-"+claim, &corev1.PersistentVolumeArgs{
				Metadata: &metav1.ObjectMetaArgs{Name: pulumi.String(claim)},
				Spec: &corev1.PersistentVolumeSpecArgs{
					Capacity:                      pulumi.StringMap{"storage": pulumi.String(scratchSize)},
					VolumeMode:                    pulumi.String("Filesystem"),
					AccessModes:                   pulumi.StringArray{pulumi.String("ReadWriteMany")},
					PersistentVolumeReclaimPolicy: pulumi.String("Retain"),
					StorageClassName:              pulumi.String(""),
					MountOptions:                  pulumi.StringArray{pulumi.String("tls"), pulumi.String("iam")},
					Csi: &corev1.CSIPersistentVolumeSourceArgs{
						Driver:       pulumi.String(eksspec.EFSCSIDriver),
						VolumeHandle: handle,
					},
					ClaimRef: &corev1.ObjectReferenceArgs{Namespace: pulumi.String(svc.Namespace), Name: pulumi.String(claim)},
				},
			}, pulumi.Provider(k8s), pulumi.Parent(p.Data.Scratch)); err != nil {
				return nil, err
			}
			args.Volumes = append(args.Volumes, workload.Volume{Name: fs, Claim: claim, VolumeName: claim, Size: scratchSize, MountPath: "/" + fs})
		}
		// Every object of the service waits for its namespace, the default deny and the Roles.
		args.After = slices.Clone(in.Namespaces[svc.Namespace].Objects)
		if v, ok := in.ScratchVolumes[name]; ok {
			args.After = append(args.After, v)
		}
		if in.Services[name], err = workload.NewService(ctx, cfg.Name()+"-"+name, args,
			pulumi.Provider(k8s), pulumi.Parent(p.Cluster)); err != nil {
			return nil, err
		}
	}
	if name, balanced := cfg.LoadBalancedService(); balanced {
		if err := deployEdge(ctx, cfg, p, in, name); err != nil {
			return nil, err
		}
	}
	if cfg.Detection.Falco {
		if in.Falco, err = detection.NewFalco(ctx, cfg.Name()+"-falco", &detection.FalcoArgs{
			PodSecurityVersion: "v" + cfg.Cluster.Version,
			Protect:            cfg.Stateful.Protect,
		}, pulumi.Provider(k8s), pulumi.Parent(p.Cluster)); err != nil {
			return nil, err
		}
	}
	return in, nil
}

// deployEdge installs the load balancer controller and the load-balanced service's ALB.
func deployEdge(ctx *pulumi.Context, cfg *Config, p *Platform, in *InCluster, service string) error {
	both := pulumi.Providers(p.AWS, in.Provider)
	var err error
	if in.Controller, err = edge.NewLoadBalancerController(ctx, cfg.Name()+"-lb-controller", &edge.LoadBalancerControllerArgs{
		Partition: p.Account.Partition, Region: cfg.Region, AccountID: p.Account.ID,
		ClusterName: p.Cluster.Name, VpcID: p.Network.VpcID.ToStringOutput(),
		OIDCProviderArn: p.Cluster.OIDCProviderArn, OIDCIssuer: p.Cluster.OIDCIssuer,
		DefaultSSLPolicy: cfg.Edge.SSLPolicy,
	}, both, pulumi.Parent(p.Cluster)); err != nil {
		return err
	}
	svc := cfg.Services[service]
	var subnets []pulumi.StringInput
	for _, s := range p.Network.Layout.ByTier(network.TierPublic) {
		subnets = append(subnets, p.Network.PublicSubnetIDs[s.AZ].ToStringOutput())
	}
	in.LoadBalancer, err = edge.NewLoadBalancer(ctx, cfg.Name()+"-"+service+"-alb", &edge.LoadBalancerArgs{
		Name: service, Namespace: svc.Namespace, Service: service, ServicePort: svc.Port, BackendPort: svc.Port,
		Host: cfg.Edge.Domain, CertificateArn: p.Certificate.Arn, SSLPolicy: cfg.Edge.SSLPolicy,
		VpcID: p.Network.VpcID.ToStringOutput(), VpcCidr: cfg.Network.Cidr, PublicSubnetIDs: subnets,
		NodeSecurityGroupID: p.Cluster.NodeSecurityGroupID,
		AllowedCidrs:        cfg.Edge.AllowedCidrs, LogBucket: p.Data.ALBLogs.BucketName, LogPrefix: albLogPrefix,
		DesyncMode: cfg.Edge.DesyncMode, DeletionProtection: cfg.Edge.DeletionProtection, WAF: cfg.Edge.WAF,
		HealthPath: svc.HealthPath,
		After:      []pulumi.Resource{in.Controller.Release}, // the controller's webhook must be up
	}, both, pulumi.Parent(p.Cluster))
	return err
}

// serviceArgs derive a service's workload from the catalog: who calls it and whom it calls, where
// the load balancer and the mount targets are, its role.
func serviceArgs(cfg *Config, p *Platform, name string) *workload.ServiceArgs {
	svc := cfg.Services[name]
	args := &workload.ServiceArgs{
		Name: name, Namespace: svc.Namespace, PartOf: cfg.Project,
		Port: svc.Port, Image: svc.Image, UID: svc.UID, GID: svc.GID,
		WritablePaths: svc.WritablePaths, Replicas: svc.Replicas,
		Resources:  workload.Resources{CPU: svc.Resources.CPU, Memory: svc.Resources.Memory, CPULimit: svc.Resources.CPULimit, MemoryLimit: svc.Resources.MemoryLimit},
		HealthPath: svc.HealthPath, KubernetesAPI: svc.KubernetesAPI,
		AWSAPIs:           svc.HasAWSAccess(),
		SpreadAcrossZones: cfg.Environment == Prod,
	}
	if role, ok := p.Data.Roles[name]; ok {
		args.RoleArn = role.Arn
	}
	for _, caller := range svc.Callers {
		args.Callers = append(args.Callers, workload.Peer{Service: caller, Namespace: cfg.Services[caller].Namespace})
	}
	for _, other := range cfg.EnabledServices() {
		if slices.Contains(cfg.Services[other].Callers, name) {
			o := cfg.Services[other]
			args.Callees = append(args.Callees, workload.Endpoint{Service: other, Namespace: o.Namespace, Port: o.Port})
		}
	}
	if svc.LoadBalancer {
		args.LoadBalancerCIDRs = tierCIDRs(p, network.TierPublic)
	}
	if len(svc.FileSystems()) > 0 {
		args.NFSCIDRs = tierCIDRs(p, network.TierPrivate) // the mount targets' subnets
	}
	return args
}

// tierCIDRs are the networks of a tier's subnets, in zone order.
func tierCIDRs(p *Platform, tier network.Tier) []string {
	var out []string
	for _, s := range p.Network.Layout.ByTier(tier) {
		out = append(out, s.CIDR.String())
	}
	return out
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
