package infra

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/components/encryption"
	"github.com/securestack/platform/components/network"
	"github.com/securestack/platform/components/storage"
	"github.com/securestack/platform/eksspec"
)

// Run is the Pulumi program: main.go hands it to pulumi.Run.
func Run(ctx *pulumi.Context) error {
	cfg, err := LoadConfig(ctx)
	if err != nil {
		return err
	}
	_, err = Deploy(ctx, cfg)
	return err
}

// Platform is what Deploy built, for the outputs and for tests.
type Platform struct {
	Keys       *encryption.Keyring
	Network    *network.Vpc
	Cluster    *cluster.Cluster
	Kubernetes *kubernetes.Provider
	Data       *Data
}

// BaseTags are the tags the platform puts on every taggable resource (as provider default tags).
func (c *Config) BaseTags() map[string]string {
	tags := map[string]string{
		"Project":     c.Project,
		"Stack":       c.Stack,
		"Environment": string(c.Environment),
		"ManagedBy":   "pulumi",
	}
	for k, v := range c.Tags {
		tags[k] = v
	}
	return tags
}

// Name is the prefix of every component name: "<project>-<stack>".
func (c *Config) Name() string { return c.Project + "-" + c.Stack }

// Deploy composes the components from a validated config.
func Deploy(ctx *pulumi.Context, cfg *Config) (*Platform, error) {
	provider, err := aws.NewProvider(ctx, "aws", &aws.ProviderArgs{
		Region:      pulumi.String(cfg.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(cfg.BaseTags())},
	})
	if err != nil {
		return nil, err
	}
	withAWS := pulumi.Provider(provider)
	caller, err := aws.GetCallerIdentity(ctx, nil, pulumi.Provider(provider))
	if err != nil {
		return nil, fmt.Errorf("infra: looking up the AWS account: %w", err)
	}
	if err := checkDeployerNotMapped(cfg, caller.Arn); err != nil {
		return nil, err
	}
	partition, err := aws.GetPartition(ctx, nil, pulumi.Provider(provider))
	if err != nil {
		return nil, fmt.Errorf("infra: looking up the AWS partition: %w", err)
	}
	zones := cfg.Network.AvailabilityZones
	if len(zones) == 0 {
		available, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")}, pulumi.Provider(provider))
		if err != nil {
			return nil, fmt.Errorf("infra: listing availability zones: %w", err)
		}
		if len(available.Names) < cfg.Network.AzCount {
			return nil, fmt.Errorf("%s:network.azCount: %d is more than the %d zones region %s offers (%v)",
				Namespace, cfg.Network.AzCount, len(available.Names), cfg.Region, available.Names)
		}
		zones = available.Names[:cfg.Network.AzCount]
	}

	keys, err := encryption.NewKeyring(ctx, cfg.Name(), &encryption.KeyringArgs{
		Account:            encryption.Account{ID: caller.AccountId, Region: cfg.Region, Partition: partition.Partition},
		AliasPrefix:        "alias/" + cfg.Name(),
		DeletionWindowDays: cfg.Keys.DeletionWindowDays,
		Protect:            cfg.Stateful.Protect,
		RetainOnDelete:     cfg.Stateful.RetainOnDelete,
	}, withAWS)
	if err != nil {
		return nil, err
	}
	logsKey, err := keys.Arn(encryption.Logs)
	if err != nil {
		return nil, err
	}
	vpc, err := network.NewVpc(ctx, cfg.Name(), &network.VpcArgs{
		Account:              network.Account{ID: caller.AccountId, Region: cfg.Region, Partition: partition.Partition},
		CidrBlock:            cfg.Network.Cidr,
		AvailabilityZones:    zones,
		NatGateways:          network.NatStrategy(cfg.Network.NatGateways),
		FlowLogKmsKeyArn:     logsKey,
		FlowLogRetentionDays: cfg.Network.FlowLogRetentionDays,
		InterfaceEndpoints:   cfg.Network.InterfaceEndpoints,
		ClusterName:          cfg.Name(),
		Protect:              cfg.Stateful.Protect,
		RetainOnDelete:       cfg.Stateful.RetainOnDelete,
	}, withAWS)
	if err != nil {
		return nil, err
	}

	dataKey, err := keys.Arn(encryption.Data)
	if err != nil {
		return nil, err
	}
	secretsKey, err := keys.Arn(encryption.Cluster)
	if err != nil {
		return nil, err
	}
	eks, err := cluster.NewCluster(ctx, cfg.Name(), &cluster.ClusterArgs{
		Account:              cluster.Account{ID: caller.AccountId, Region: cfg.Region, Partition: partition.Partition},
		ClusterName:          cfg.Name(),
		Version:              cfg.Cluster.Version,
		VpcID:                vpc.VpcID.ToStringOutput(),
		PrivateSubnetIDs:     vpc.PrivateSubnetIDList(),
		PublicSubnetIDs:      vpc.PublicSubnetIDList(),
		EndpointPublicAccess: cfg.Cluster.EndpointPublicAccess,
		PublicAccessCidrs:    cfg.Cluster.PublicAccessCidrs,
		SecretsKeyArn:        secretsKey,
		LogsKeyArn:           logsKey,
		DataKeyArn:           dataKey,
		LogRetentionDays:     cfg.Cluster.LogRetentionDays,
		NodeGroups:           nodeGroups(cfg),
		Access:               accessPrincipals(cfg),
		AppNamespaces:        cfg.Access.Namespaces,
		Protect:              cfg.Stateful.Protect,
		RetainOnDelete:       cfg.Stateful.RetainOnDelete,
	}, withAWS)
	if err != nil {
		return nil, err
	}
	// The in-cluster provider: built here, from the cluster's (secret) kubeconfig, and handed to the
	// in-cluster components. Components never build providers.
	k8s, err := kubernetes.NewProvider(ctx, cfg.Name()+"-k8s", &kubernetes.ProviderArgs{
		Kubeconfig:            eks.KubeconfigJSON,
		EnableServerSideApply: pulumi.Bool(true),
	}, pulumi.DependsOn(nodeGroupResources(eks)))
	if err != nil {
		return nil, err
	}
	if _, err := storage.NewEncryptedStorageClass(ctx, cfg.Name()+"-encrypted-gp3", &storage.EncryptedStorageClassArgs{
		KmsKeyArn: dataKey,
		Retain:    cfg.Stateful.RetainOnDelete,
	}, pulumi.Provider(k8s), pulumi.Parent(eks)); err != nil {
		return nil, err
	}

	data, err := deployData(ctx, cfg, caller.AccountId, partition.Partition, keyArns{cluster: secretsKey, logs: logsKey, data: dataKey},
		vpc, eks, withAWS)
	if err != nil {
		return nil, err
	}

	ctx.Export("environment", pulumi.String(string(cfg.Environment)))
	ctx.Export("uploadsBucket", data.Uploads.BucketName)
	ctx.Export("processedBucket", data.Processed.BucketName)
	ctx.Export("mediaTable", data.Table.Name)
	ctx.Export("scratchFileSystemId", data.Scratch.ID)
	ctx.Export("appCredentialsSecretArn", data.Credentials.Arn)
	for _, service := range Services {
		ctx.Export(service+"RoleArn", data.Roles[service].Arn)
	}
	ctx.Export("clusterName", pulumi.String(eks.Name))
	ctx.Export("kubeconfig", eks.KubeconfigJSON)
	ctx.Export("oidcProviderArn", eks.OIDCProviderArn)
	ctx.Export("vpcId", vpc.VpcID)
	ctx.Export("privateSubnetIds", vpc.PrivateSubnetIDList())
	ctx.Export("publicSubnetIds", vpc.PublicSubnetIDList())
	for _, p := range encryption.Purposes {
		ctx.Export(string(p)+"KeyArn", keys.Arns[p])
	}
	return &Platform{Keys: keys, Network: vpc, Cluster: eks, Kubernetes: k8s, Data: data}, nil
}

// nodeGroups turns the configured node groups into component args, in name order.
func nodeGroups(cfg *Config) []cluster.NodeGroup {
	var out []cluster.NodeGroup
	for _, name := range slices.Sorted(maps.Keys(cfg.Cluster.NodeGroups)) {
		ng := cfg.Cluster.NodeGroups[name]
		out = append(out, cluster.NodeGroup{Name: name, InstanceTypes: ng.InstanceTypes, AmiType: ng.AmiType,
			CapacityType: ng.CapacityType, MinSize: ng.MinSize, MaxSize: ng.MaxSize, DesiredSize: ng.DesiredSize,
			DiskSizeGiB: ng.DiskSizeGiB})
	}
	return out
}

// accessPrincipals maps the configured principals to their personas.
func accessPrincipals(cfg *Config) []cluster.AccessPrincipal {
	var out []cluster.AccessPrincipal
	for _, list := range []struct {
		persona eksspec.Persona
		arns    []string
	}{{eksspec.Admin, cfg.Access.Admins}, {eksspec.Gitops, cfg.Access.Gitops}, {eksspec.Developer, cfg.Access.Developers}} {
		for _, arn := range list.arns {
			out = append(out, cluster.AccessPrincipal{Persona: list.persona, PrincipalArn: arn})
		}
	}
	return out
}

func nodeGroupResources(c *cluster.Cluster) []pulumi.Resource {
	var out []pulumi.Resource
	for _, name := range slices.Sorted(maps.Keys(c.NodeGroups)) {
		out = append(out, c.NodeGroups[name])
	}
	return out
}
