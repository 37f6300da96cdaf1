package infra

import (
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/account"
	"github.com/securestack/platform/components/cluster"
	"github.com/securestack/platform/components/detection"
	"github.com/securestack/platform/components/edge"
	"github.com/securestack/platform/components/encryption"
	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/network"
	"github.com/securestack/platform/components/runner"
)

// Program is the Pulumi program: main.go hands it to pulumi.Run. knownControls are the control
// ids a waiver may name (main.go passes the catalog's; the product never imports its proof).
func Program(knownControls []string) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		cfg, err := LoadConfig(ctx, knownControls)
		if err != nil {
			return err
		}
		_, err = Deploy(ctx, cfg)
		return err
	}
}

// Platform is what Deploy built, for the outputs and for tests.
type Platform struct {
	// AWS is the explicit AWS provider every AWS resource uses.
	AWS     *aws.Provider
	Keys    *encryption.Keyring
	Network *network.Vpc
	Cluster *cluster.Cluster
	Runner  *runner.Runner // nil when platform:runner.enabled is false
	Data    *Data
	// Certificate is the edge's certificate; nil when no service is load-balanced.
	Certificate *edge.Certificate
	// Registry is the services' repositories and push roles.
	Registry *Registry
	// Detection is the account's GuardDuty detector and findings route: nil unless this stack
	// owns the account baseline.
	Detection *detection.ThreatDetection
	// InCluster is the in-cluster layer; nil in bootstrap.
	InCluster *InCluster
	// Account is where the stack deploys.
	Account target
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

// PulumiVersion is the Pulumi CLI the in-VPC runner installs: the version of the Pulumi SDK in
// go.mod (a test keeps them equal; the workflows read it from go.mod).
const PulumiVersion = "3.274.1"

// target is where the stack deploys, as AWS reports it.
type target struct {
	ID, Partition, Region string
	Zones                 []string
}

// Deploy composes the components from a validated config. The order is the dependency order: keys,
// network, the log bucket and the in-VPC runner (the cluster admits the runner), the cluster, the
// data stores and the account baseline, then — unless bootstrapping — the in-cluster layer.
func Deploy(ctx *pulumi.Context, cfg *Config) (*Platform, error) {
	providerArgs := &aws.ProviderArgs{
		Region:      pulumi.String(cfg.Region),
		DefaultTags: &aws.ProviderDefaultTagsArgs{Tags: pulumi.ToStringMap(cfg.BaseTags())},
	}
	if len(cfg.AllowedAccountIDs) > 0 {
		providerArgs.AllowedAccountIds = pulumi.ToStringArray(cfg.AllowedAccountIDs)
	}
	if cfg.Profile != "" {
		providerArgs.Profile = pulumi.String(cfg.Profile)
	}
	provider, err := aws.NewProvider(ctx, "aws", providerArgs)
	if err != nil {
		return nil, err
	}
	withAWS := pulumi.Provider(provider)
	acct, err := lookUpAccount(ctx, cfg, provider)
	if err != nil {
		return nil, err
	}
	if err := cfg.checkImages(acct.ID); err != nil {
		return nil, err
	}
	names := cfg.Names(acct.ID)
	p := &Platform{AWS: provider, Account: acct}

	purposes := encryption.Purposes
	if cfg.BaselineOwner() == cfg.Stack {
		purposes = encryption.AllPurposes // the owner routes the account's findings
	}
	keys, err := encryption.NewKeyring(ctx, cfg.Name(), &encryption.KeyringArgs{
		Account:            encryption.Account{ID: acct.ID, Region: cfg.Region, Partition: acct.Partition},
		AliasPrefix:        "alias/" + cfg.Name(),
		Purposes:           purposes,
		DeletionWindowDays: cfg.Keys.DeletionWindowDays,
		Protect:            cfg.Stateful.Protect,
		RetainOnDelete:     cfg.Stateful.RetainOnDelete,
	}, withAWS)
	if err != nil {
		return nil, err
	}
	p.Keys = keys
	arns := keyArns{cluster: keys.Arns[encryption.Cluster], logs: keys.Arns[encryption.Logs], data: keys.Arns[encryption.Data]}
	p.Network, err = network.NewVpc(ctx, cfg.Name(), &network.VpcArgs{
		Account:              network.Account{ID: acct.ID, Region: cfg.Region, Partition: acct.Partition},
		CidrBlock:            cfg.Network.Cidr,
		AvailabilityZones:    acct.Zones,
		NatGateways:          network.NatStrategy(cfg.Network.NatGateways),
		FlowLogKmsKeyArn:     arns.logs,
		FlowLogRetentionDays: cfg.Network.FlowLogRetentionDays,
		InterfaceEndpoints:   cfg.Network.InterfaceEndpoints,
		ClusterName:          names.Cluster(),
		Protect:              cfg.Stateful.Protect,
		RetainOnDelete:       cfg.Stateful.RetainOnDelete,
	}, withAWS)
	if err != nil {
		return nil, err
	}
	d := &dataBuilder{ctx: ctx, cfg: cfg, acct: acct, names: names, keys: arns, vpc: p.Network, opts: []pulumi.ResourceOption{withAWS}, invoke: withAWS}
	if err := d.logBucket(); err != nil {
		return nil, err
	}
	if p.Runner, err = d.runner(); err != nil {
		return nil, err
	}

	p.Cluster, err = cluster.NewCluster(ctx, cfg.Name(), &cluster.ClusterArgs{
		Account:               cluster.Account{ID: acct.ID, Region: cfg.Region, Partition: acct.Partition},
		ClusterName:           names.Cluster(),
		Version:               cfg.Cluster.Version,
		VpcID:                 p.Network.VpcID.ToStringOutput(),
		ControlPlaneSubnetIDs: controlPlaneSubnets(p.Network, cfg.Cluster.ControlPlaneAzCount),
		NodeSubnetIDs:         p.Network.PrivateSubnetIDList(),
		EndpointPublicAccess:  cfg.Cluster.EndpointPublicAccess,
		PublicAccessCidrs:     cfg.Cluster.PublicAccessCidrs,
		APIAccess:             apiAccessSources(cfg, p.Runner),
		EFSCSIDriver:          true,
		SecretsKeyArn:         arns.cluster,
		LogsKeyArn:            arns.logs,
		DataKeyArn:            arns.data,
		LogRetentionDays:      cfg.Cluster.LogRetentionDays,
		NodeGroups:            nodeGroups(cfg),
		Access:                accessPrincipals(cfg, acct),
		Protect:               cfg.Stateful.Protect,
		RetainOnDelete:        cfg.Stateful.RetainOnDelete,
	}, withAWS)
	if err != nil {
		return nil, err
	}
	d.eks = p.Cluster
	if p.Data, err = d.stores(); err != nil {
		return nil, err
	}
	guardrails, err := accountBaseline(ctx, cfg, acct, arns, withAWS)
	if err != nil {
		return nil, err
	}
	providerArn, err := githubProviderArn(ctx, cfg, acct, guardrails, withAWS)
	if err != nil {
		return nil, err
	}
	if p.Registry, err = deployRegistry(ctx, cfg, p, providerArn, withAWS); err != nil {
		return nil, err
	}
	if cfg.BaselineOwner() == cfg.Stack {
		if p.Detection, err = deployThreatDetection(ctx, cfg, p, withAWS, withAWS); err != nil {
			return nil, err
		}
	}
	// The certificate is issued with the cloud layer: validation takes minutes, and a bootstrap
	// run gets it done before the first load balancer needs it.
	if _, balanced := cfg.LoadBalancedService(); balanced {
		if p.Certificate, err = edge.NewCertificate(ctx, cfg.Name()+"-edge", &edge.CertificateArgs{
			Domain: cfg.Edge.Domain, HostedZoneID: cfg.Edge.HostedZoneID, CertificateArn: cfg.Edge.CertificateArn,
			KeyAlgorithm: cfg.Edge.KeyAlgorithm,
		}, withAWS); err != nil {
			return nil, err
		}
	}
	if cfg.Bootstrap {
		if err := refuseBootstrapOverInCluster(ctx); err != nil {
			return nil, err
		}
	} else if p.InCluster, err = deployInCluster(ctx, cfg, p); err != nil {
		return nil, err
	}
	exportOutputs(ctx, cfg, p)
	return p, nil
}

// lookUpAccount asks AWS which account, partition and zones the stack deploys to, and refuses an
// account outside aws:allowedAccountIds before anything is registered.
func lookUpAccount(ctx *pulumi.Context, cfg *Config, provider *aws.Provider) (target, error) {
	caller, err := aws.GetCallerIdentity(ctx, nil, pulumi.Provider(provider))
	if err != nil {
		return target{}, fmt.Errorf("infra: looking up the AWS account: %w", err)
	}
	if len(cfg.AllowedAccountIDs) > 0 && !slices.Contains(cfg.AllowedAccountIDs, caller.AccountId) {
		return target{}, &ConfigError{Stack: cfg.Stack, Problems: []string{fmt.Sprintf(
			"%s: the credentials are for account %s (%s), which is not allowed (allowed: %v): use credentials for the stack's account",
			keyAllowedAccountIDs, caller.AccountId, caller.Arn, cfg.AllowedAccountIDs)}}
	}
	if err := checkDeployerNotMapped(cfg, caller.Arn); err != nil {
		return target{}, err
	}
	partition, err := aws.GetPartition(ctx, nil, pulumi.Provider(provider))
	if err != nil {
		return target{}, fmt.Errorf("infra: looking up the AWS partition: %w", err)
	}
	zones := cfg.Network.AvailabilityZones
	if len(zones) == 0 {
		available, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")}, pulumi.Provider(provider))
		if err != nil {
			return target{}, fmt.Errorf("infra: listing availability zones: %w", err)
		}
		if len(available.Names) < cfg.Network.AzCount {
			return target{}, fmt.Errorf("%s:network.azCount: %d is more than the %d zones region %s offers (%v)",
				Namespace, cfg.Network.AzCount, len(available.Names), cfg.Region, available.Names)
		}
		zones = available.Names[:cfg.Network.AzCount]
	}
	return target{ID: caller.AccountId, Partition: partition.Partition, Region: cfg.Region, Zones: zones}, nil
}

// controlPlaneSubnets are the private subnets of the first count zones: the zones the cluster is
// created with, which adding zones never changes.
func controlPlaneSubnets(v *network.Vpc, count int) pulumi.StringArray {
	var out pulumi.StringArray
	for _, s := range v.Layout.ByTier(network.TierPrivate)[:count] {
		out = append(out, v.PrivateSubnetIDs[s.AZ].ToStringOutput())
	}
	return out
}

// apiAccessSources are what may reach the API endpoint besides the nodes: the runner, then the
// configured security groups and networks.
func apiAccessSources(cfg *Config, r *runner.Runner) []cluster.APIAccessSource {
	var out []cluster.APIAccessSource
	if r != nil {
		out = append(out, cluster.APIAccessSource{Key: "runner", Description: "the in-VPC deploy runner", SecurityGroupID: r.SecurityGroupID.ToStringOutput()})
	}
	for _, id := range cfg.Cluster.APIAccess.SecurityGroupIDs {
		out = append(out, cluster.APIAccessSource{Key: id, Description: "security group " + id + " (platform:cluster.apiAccess)", SecurityGroupID: pulumi.String(id)})
	}
	for _, cidr := range cfg.Cluster.APIAccess.Cidrs {
		out = append(out, cluster.APIAccessSource{Key: cidrKey(cidr), Description: cidr + " (platform:cluster.apiAccess)", Cidr: cidr})
	}
	return out
}

// cidrKey turns 10.40.0.0/24 into the stable child key "10-40-0-0-24".
func cidrKey(cidr string) string {
	b := []byte(cidr)
	for i, c := range b {
		if c == '.' || c == '/' {
			b[i] = '-'
		}
	}
	return string(b)
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

// roleArn is the ARN of a role of the stack's account.
func roleArn(a target, name string) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", a.Partition, a.ID, name)
}

// accessPrincipals maps the configured principals to their personas, and the runner's preview role
// to the read-only previewer persona (the deploy role created the cluster: it is already admin).
func accessPrincipals(cfg *Config, a target) []cluster.AccessPrincipal {
	var out []cluster.AccessPrincipal
	for _, list := range []struct {
		persona eksspec.Persona
		arns    []string
	}{{eksspec.Admin, cfg.Access.Admins}, {eksspec.Gitops, cfg.Access.Gitops}, {eksspec.Developer, cfg.Access.Developers}} {
		for _, arn := range list.arns {
			out = append(out, cluster.AccessPrincipal{Persona: list.persona, PrincipalArn: arn})
		}
	}
	if cfg.Runner.Enabled {
		out = append(out, cluster.AccessPrincipal{Persona: eksspec.Previewer, PrincipalArn: roleArn(a, cfg.Runner.PreviewRoleName)})
	}
	return out
}

// accountBaseline manages the account's singletons when this stack owns them, or references the
// stack that does.
func accountBaseline(ctx *pulumi.Context, cfg *Config, a target, keys keyArns, opts ...pulumi.ResourceOption) (*account.Guardrails, error) {
	args := &account.GuardrailsArgs{
		LeaveS3PublicAccessBlockToOrganisation: cfg.Account.S3PublicAccessBlock == Organization,
		GitHubOIDCProvider:                     cfg.Account.GitHubOIDCProvider == Manage,
		EnhancedScanning:                       cfg.Account.RegistryScanning == RegistryEnhanced,
	}
	if owner := cfg.BaselineOwner(); owner != cfg.Stack {
		args = &account.GuardrailsArgs{OwnerStack: ctx.Organization() + "/" + cfg.Project + "/" + owner,
			Account: account.Baseline{AccountID: a.ID, Region: a.Region}}
	} else if cfg.Account.EBSEncryptionByDefault == Manage {
		args.EBSDefaultKeyArn = keys.data
	}
	return account.NewGuardrails(ctx, cfg.Name()+"-account", args, opts...)
}

// BaselineOwner is the stack that owns the account baseline of this stack's account and region.
func (c *Config) BaselineOwner() string {
	if c.Account.BaselineOwner == "" {
		return c.Stack
	}
	return c.Account.BaselineOwner
}

func exportOutputs(ctx *pulumi.Context, cfg *Config, p *Platform) {
	ctx.Export("environment", pulumi.String(string(cfg.Environment)))
	ctx.Export("uploadsBucket", p.Data.Uploads.BucketName)
	ctx.Export("processedBucket", p.Data.Processed.BucketName)
	ctx.Export("mediaTable", p.Data.Table.Name)
	ctx.Export("scratchFileSystemId", p.Data.Scratch.ID)
	ctx.Export("appCredentialsSecretArn", p.Data.Credentials.Arn)
	for _, service := range slices.Sorted(maps.Keys(p.Data.Roles)) {
		ctx.Export(service+"RoleArn", p.Data.Roles[service].Arn)
	}
	ctx.Export("clusterName", pulumi.String(p.Cluster.Name))
	ctx.Export("kubeconfig", p.Cluster.KubeconfigJSON)
	ctx.Export("oidcProviderArn", p.Cluster.OIDCProviderArn)
	ctx.Export("vpcId", p.Network.VpcID)
	ctx.Export("privateSubnetIds", p.Network.PrivateSubnetIDList())
	ctx.Export("publicSubnetIds", p.Network.PublicSubnetIDList())
	for _, purpose := range encryption.Purposes {
		ctx.Export(string(purpose)+"KeyArn", p.Keys.Arns[purpose])
	}
	if cfg.BaselineOwner() == cfg.Stack {
		ctx.Export(account.BaselineOutput, pulumi.ToMap(map[string]any{"accountId": p.Data.AccountID, "region": cfg.Region}))
	}
	// What an application repository's call of the image workflow needs, per service.
	for _, service := range slices.Sorted(maps.Keys(p.Registry.Repositories)) {
		ctx.Export(service+"ImageRepository", p.Registry.Repositories[service].URL)
		if role, ok := p.Registry.PushRoles[service]; ok {
			ctx.Export(service+"PushRoleArn", role.Arn)
		}
	}
	if p.Detection != nil {
		ctx.Export("findingsTopicArn", p.Detection.TopicArn)
	}
	if p.Runner != nil {
		ctx.Export("runnerDeployProject", p.Runner.ProjectNames[runner.Deploy])
		ctx.Export("runnerPreviewProject", p.Runner.ProjectNames[runner.Preview])
		ctx.Export("runnerSourceBucket", p.Data.RunnerSources.BucketName)
		ctx.Export("runnerLogGroup", p.Runner.LogGroupName)
		if name, ok := p.Runner.ProjectNames[runner.Actions]; ok {
			ctx.Export("runnerActionsProject", name)
		}
	}
	// The bootstrap guard reads this: once the in-cluster layer exists, a cloud-only run would
	// delete it.
	ctx.Export(InClusterOutput, pulumi.Bool(p.InCluster != nil))
}
