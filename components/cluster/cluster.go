package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-eks/sdk/v3/go/eks"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/lib/iprange"
)

// TypeToken is the Pulumi type of the Cluster component. It is in users' state: never change it.
const TypeToken = "platform:cluster:Cluster"

// Account identifies where the cluster lives.
type Account struct {
	// ID is the 12-digit account id, Region e.g. eu-west-1, Partition aws, aws-cn or aws-us-gov.
	ID, Region, Partition string
}

// NodeGroup is one managed node group.
type NodeGroup struct {
	// Name is the group's stable key (child names and the EKS node group name derive from it).
	Name string
	// InstanceTypes the group may launch, e.g. m7i.large; at least one.
	InstanceTypes []string
	// AmiType: AL2023_* or BOTTLEROCKET_*; "" means AL2023_x86_64_STANDARD, the current
	// EKS-optimised Amazon Linux image (EKS no longer publishes AL2 images).
	AmiType string
	// CapacityType: ON_DEMAND or SPOT; "" means ON_DEMAND, so that nodes are not reclaimed under
	// the workloads; SPOT is a caller's cost decision.
	CapacityType string
	// MinSize, MaxSize and DesiredSize of the group: 0 <= min <= desired <= max, max >= 1.
	MinSize, MaxSize, DesiredSize int
	// DiskSizeGiB of the (encrypted) root or data volume; 0 means 50, room for images and logs.
	DiskSizeGiB int
}

// AccessPrincipal maps an IAM principal to a persona.
type AccessPrincipal struct {
	// Persona is one of eksspec.Personas: it decides the Kubernetes group and access policy.
	Persona eksspec.Persona
	// PrincipalArn is an IAM role or user of the account.
	PrincipalArn string
}

// APIAccessSource is a source admitted to the cluster API endpoint on 443.
type APIAccessSource struct {
	// Key names the rule ("<component>-api-from-<Key>"): a stable DNS label, unique.
	Key string
	// Description says what the source is; it becomes the rule's description.
	Description string
	// Cidr is a private IPv4 network (RFC 1918). Exactly one of Cidr and SecurityGroupID is set.
	Cidr string
	// SecurityGroupID is a security group of the VPC (the in-VPC runner's, for instance).
	SecurityGroupID pulumi.StringInput
}

// ClusterArgs configures a Cluster. Zero values are the secure defaults; required fields say so.
type ClusterArgs struct {
	Account Account // required
	// ClusterName is the EKS cluster's fixed name; required (add-ons and node groups refer to it).
	ClusterName string
	// Version is the Kubernetes minor version, e.g. "1.34"; required.
	Version string
	// VpcID is the cluster's VPC; required.
	VpcID pulumi.StringInput
	// ControlPlaneSubnetIDs hold the control plane's network interfaces: the private subnets of the
	// zones the cluster is created with, at least two. EKS refuses subnets outside those zones
	// later, so keep passing the same ones when zones are added; required.
	ControlPlaneSubnetIDs pulumi.StringArrayInput
	// NodeSubnetIDs are the private subnets the node groups run in: every zone, new ones included;
	// required. Load balancers find their subnets by tag, not through the cluster.
	NodeSubnetIDs pulumi.StringArrayInput
	// EndpointPublicAccess opens the API endpoint to PublicAccessCidrs (non-empty, never /0).
	// False (the default): the endpoint is private, reachable from inside the VPC only.
	EndpointPublicAccess bool
	// PublicAccessCidrs are the IPv4 ranges admitted to a public endpoint; required with
	// EndpointPublicAccess, refused without (they would silently mean nothing).
	PublicAccessCidrs []string
	// APIAccess are the sources admitted to the API endpoint on 443, on the cluster security group
	// that fronts it, besides the nodes (which pulumi-eks admits). Default none: nothing else may
	// reach the private endpoint, so whatever applies in-cluster resources must be listed here.
	APIAccess []APIAccessSource
	// EFSCSIDriver installs the EFS CSI driver add-on on its own IRSA role (EFSCSIRoleName), with
	// no permission of its own: each file system grants it mount access per access point. False
	// (the default) installs nothing a cluster without EFS volumes does not need.
	EFSCSIDriver bool
	// SecretsKeyArn envelope-encrypts Secrets; LogsKeyArn the control-plane log group; DataKeyArn
	// node volumes. All required.
	SecretsKeyArn, LogsKeyArn, DataKeyArn pulumi.StringInput
	// LogRetentionDays of control-plane logs; 0 means 365, a year of audit evidence (EKS itself
	// would create a group that never expires, unencrypted).
	LogRetentionDays int
	// NodeGroups: at least one (there is no default node group, whose defaults are not ours).
	NodeGroups []NodeGroup
	// Access maps IAM principals to personas: each gets an access entry into its persona's group,
	// and its persona's access policy if the persona has one (admins, previewers). The others are
	// authorised by in-cluster RBAC bound to their group. Nil (the default) maps nobody: only the
	// deploying principal, which pulumi-eks makes an admin (see the package documentation).
	Access []AccessPrincipal
	// Protect and RetainOnDelete keep the cluster and its log group (set in prod). False (the
	// default) lets a dev stack be torn down.
	Protect, RetainOnDelete bool
	// Tags for the cluster's resources; nil adds none.
	Tags map[string]string
}

// Cluster is a hardened EKS cluster with managed node groups.
type Cluster struct {
	pulumi.ResourceState

	// Name is the fixed cluster name.
	Name string
	// KubeconfigJSON is the kubeconfig, a secret.
	KubeconfigJSON pulumi.StringOutput
	// OIDCProviderArn is the cluster's IAM OIDC provider, which IRSA roles trust.
	OIDCProviderArn pulumi.StringOutput
	// OIDCIssuer is the provider's issuer without https://: the prefix of the sub and aud
	// condition keys of IRSA trust policies.
	OIDCIssuer pulumi.StringOutput
	// NodeSecurityGroupID is the nodes' security group (for EFS and other in-VPC services).
	NodeSecurityGroupID pulumi.StringOutput
	// NodeRoleArn is the nodes' IAM role: the kubelet pulls images with it.
	NodeRoleArn pulumi.StringOutput
	// ClusterSecurityGroupID is the security group pulumi-eks puts on the control plane's network
	// interfaces: the one that admits callers of the API endpoint.
	ClusterSecurityGroupID pulumi.StringOutput
	// EFSCSIRoleName is the EFS CSI driver's IRSA role (with EFSCSIDriver): file systems grant it
	// mount access.
	EFSCSIRoleName pulumi.StringOutput
	// NodeGroups by name: wait on them for anything that needs nodes.
	NodeGroups map[string]*awseks.NodeGroup
}

var (
	dnsLabel         = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`)
	versionPattern   = regexp.MustCompile(`^1\.[0-9]{2}$`)
	principalPattern = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$`)
	groupNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	clusterName      = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
)

// CheckName checks a cluster name against EKS's naming rule.
func CheckName(name string) error {
	if !clusterName.MatchString(name) {
		return fmt.Errorf("%q must be 1 to 100 characters: letters, digits, '-' and '_', starting with a letter or digit", name)
	}
	return nil
}

// Validate reports every problem with the args at once.
func (a *ClusterArgs) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if a.Account.ID == "" || a.Account.Region == "" || a.Account.Partition == "" {
		bad("account: id, region and partition are required (got %+v)", a.Account)
	}
	if err := CheckName(a.ClusterName); err != nil {
		bad("clusterName: %w", err)
	}
	if !versionPattern.MatchString(a.Version) {
		bad("version: %q is not a Kubernetes minor version such as 1.34", a.Version)
	}
	if a.VpcID == nil || a.ControlPlaneSubnetIDs == nil || a.NodeSubnetIDs == nil {
		bad("vpcId, controlPlaneSubnetIds and nodeSubnetIds: required")
	}
	keys := map[string]bool{}
	for i, src := range a.APIAccess {
		if !dnsLabel.MatchString(src.Key) || keys[src.Key] {
			bad("apiAccess[%d].key: %q must be a DNS label, unique", i, src.Key)
		}
		keys[src.Key] = true
		switch {
		case (src.Cidr == "") == (src.SecurityGroupID == nil):
			bad("apiAccess[%d] (%s): set exactly one of cidr and securityGroupId", i, src.Key)
		case src.Cidr != "":
			if p, err := netip.ParsePrefix(src.Cidr); err != nil || !p.Addr().Is4() || p.Masked() != p || !iprange.IsPrivate(p) {
				bad("apiAccess[%d].cidr: %q is not a private IPv4 network address (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16; no host bits)", i, src.Cidr)
			}
		}
	}
	if a.SecretsKeyArn == nil || a.LogsKeyArn == nil || a.DataKeyArn == nil {
		bad("secretsKeyArn, logsKeyArn and dataKeyArn: required (secrets, logs and volumes are always encrypted)")
	}
	if a.EndpointPublicAccess && len(a.PublicAccessCidrs) == 0 {
		bad("publicAccessCidrs: required when endpointPublicAccess is on (never the whole internet)")
	}
	if !a.EndpointPublicAccess && len(a.PublicAccessCidrs) > 0 {
		bad("publicAccessCidrs: %v has no effect while endpointPublicAccess is off", a.PublicAccessCidrs)
	}
	for i, c := range a.PublicAccessCidrs {
		p, err := netip.ParsePrefix(c)
		switch {
		case err != nil || !p.Addr().Is4():
			bad("publicAccessCidrs[%d]: %q is not an IPv4 CIDR block", i, c)
		case p.Bits() == 0:
			bad("publicAccessCidrs[%d]: %q opens the API endpoint to the whole internet", i, c)
		}
	}
	if len(a.NodeGroups) == 0 {
		bad("nodeGroups: at least one is required (there is no default node group)")
	}
	seen := map[string]bool{}
	for i, ng := range a.NodeGroups {
		switch {
		case !groupNamePattern.MatchString(ng.Name):
			bad("nodeGroups[%d].name: %q must match %s", i, ng.Name, groupNamePattern)
		case seen[ng.Name]:
			bad("nodeGroups[%d].name: %q is used twice", i, ng.Name)
		}
		seen[ng.Name] = true
		if len(ng.InstanceTypes) == 0 {
			bad("nodeGroups[%d].instanceTypes: at least one is required", i)
		}
		if ng.MinSize < 0 || ng.MaxSize < 1 || ng.MinSize > ng.MaxSize || ng.DesiredSize < ng.MinSize || ng.DesiredSize > ng.MaxSize {
			bad("nodeGroups[%d]: sizes min %d, desired %d, max %d must satisfy 0 <= min <= desired <= max, max >= 1", i, ng.MinSize, ng.DesiredSize, ng.MaxSize)
		}
	}
	principals := map[string]bool{}
	for i, p := range a.Access {
		if !principalPattern.MatchString(p.PrincipalArn) {
			bad("access[%d].principalArn: %q is not an IAM role or user ARN", i, p.PrincipalArn)
		}
		if principals[p.PrincipalArn] {
			bad("access[%d].principalArn: %q is mapped twice", i, p.PrincipalArn)
		}
		principals[p.PrincipalArn] = true
		if !slices.Contains(eksspec.Personas, p.Persona) {
			bad("access[%d].persona: %q is not a persona", i, p.Persona.Name)
		}
	}
	return errors.Join(errs...)
}

func (a *ClusterArgs) withDefaults() ClusterArgs {
	out := *a
	if out.LogRetentionDays == 0 {
		out.LogRetentionDays = 365
	}
	out.NodeGroups = slices.Clone(a.NodeGroups)
	for i := range out.NodeGroups {
		ng := &out.NodeGroups[i]
		if ng.AmiType == "" {
			ng.AmiType = "AL2023_x86_64_STANDARD"
		}
		if ng.CapacityType == "" {
			ng.CapacityType = "ON_DEMAND"
		}
		if ng.DiskSizeGiB == 0 {
			ng.DiskSizeGiB = 50
		}
	}
	return out
}

// NewCluster builds the cluster. Args are validated before anything is registered.
func NewCluster(ctx *pulumi.Context, name string, args *ClusterArgs, opts ...pulumi.ResourceOption) (*Cluster, error) {
	if args == nil {
		args = &ClusterArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("cluster.NewCluster %q: %w", name, err)
	}
	a := args.withDefaults()
	c := &Cluster{Name: a.ClusterName, NodeGroups: map[string]*awseks.NodeGroup{}}
	if err := ctx.RegisterComponentResource(TypeToken, name, c, opts...); err != nil {
		return nil, err
	}
	b := &builder{ctx: ctx, name: name, args: a, c: c, parent: pulumi.Parent(c),
		keep: []pulumi.ResourceOption{pulumi.Parent(c), pulumi.Protect(a.Protect), pulumi.RetainOnDelete(a.RetainOnDelete)}}
	for _, step := range []func() error{b.controlPlane, b.apiAccess, b.vpcCNI, b.nodes, b.ebsCSI, b.efsCSI, b.coreAddons, b.accessEntries} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	if err := ctx.RegisterResourceOutputs(c, pulumi.Map{
		"name":                   pulumi.String(c.Name),
		"kubeconfigJson":         c.KubeconfigJSON,
		"oidcProviderArn":        c.OIDCProviderArn,
		"oidcIssuer":             c.OIDCIssuer,
		"clusterSecurityGroupId": c.ClusterSecurityGroupID,
	}); err != nil {
		return nil, err
	}
	return c, nil
}

type builder struct {
	ctx    *pulumi.Context
	name   string
	args   ClusterArgs
	c      *Cluster
	parent pulumi.ResourceOption
	keep   []pulumi.ResourceOption

	eks      *eks.Cluster
	cniAddon *awseks.Addon
}

// NodeGroupResources are the node groups in name order: depend on them for anything that needs
// nodes.
func (c *Cluster) NodeGroupResources() []pulumi.Resource {
	var out []pulumi.Resource
	for _, name := range slices.Sorted(maps.Keys(c.NodeGroups)) {
		out = append(out, c.NodeGroups[name])
	}
	return out
}

func (b *builder) child(key string) string { return b.name + "-" + key }

func (b *builder) controlPlane() error {
	// Created first: otherwise EKS creates /aws/eks/<name>/cluster itself, unencrypted and kept forever.
	logGroup, err := cloudwatch.NewLogGroup(b.ctx, b.child("control-plane"), &cloudwatch.LogGroupArgs{
		Name:            pulumi.Sprintf("/aws/eks/%s/cluster", b.args.ClusterName),
		RetentionInDays: pulumi.Int(b.args.LogRetentionDays),
		KmsKeyId:        b.args.LogsKeyArn,
		Tags:            pulumi.ToStringMap(b.args.Tags),
	}, b.keep...)
	if err != nil {
		return err
	}
	authMode := eks.AuthenticationModeApi
	skip, noPublicIP, defaultCNI, noAddon := true, false, true, false
	var cidrs pulumi.StringArrayInput
	if b.args.EndpointPublicAccess {
		cidrs = pulumi.ToStringArray(b.args.PublicAccessCidrs)
	}
	b.eks, err = eks.NewCluster(b.ctx, b.name, &eks.ClusterArgs{
		Name:    pulumi.String(b.args.ClusterName),
		Version: pulumi.String(b.args.Version),
		VpcId:   b.args.VpcID,
		// Only the control plane's subnets, given as subnetIds: pulumi-eks would otherwise pass every
		// public and private subnet, and EKS refuses a subnet of a zone the cluster was not created
		// with, so adding a zone would break the next update.
		SubnetIds:              b.args.ControlPlaneSubnetIDs,
		EndpointPrivateAccess:  pulumi.Bool(true),
		EndpointPublicAccess:   pulumi.Bool(b.args.EndpointPublicAccess),
		PublicAccessCidrs:      cidrs,
		EnabledClusterLogTypes: pulumi.ToStringArray(eksspec.LogTypes),
		EncryptionConfigKeyArn: b.args.SecretsKeyArn,
		CreateOidcProvider:     pulumi.Bool(true),
		AuthenticationMode:     &authMode,
		SkipDefaultNodeGroup:   &skip,
		// Only used by a default node group, which is skipped; stated so no default can flip it.
		NodeAssociatePublicIpAddress: &noPublicIP,
		// Keep EKS's bootstrap aws-node; the managed vpc-cni add-on below adopts it.
		UseDefaultVpcCni: &defaultCNI,
		// kube-proxy and CoreDNS are this component's add-ons (coreAddons), pinned to the cluster's
		// release. pulumi-eks v3 would otherwise create its own kube-proxy add-on (enabled by
		// default), and EKS refuses a second add-on of one name: the update would fail at apply.
		KubeProxyAddonOptions: &eks.KubeProxyAddonOptionsArgs{Enabled: &noAddon},
		CorednsAddonOptions:   &eks.CoreDnsAddonOptionsArgs{Enabled: &noAddon},
		Tags:                  pulumi.ToStringMap(b.args.Tags),
	}, append(slices.Clone(b.keep), pulumi.DependsOn([]pulumi.Resource{logGroup}))...)
	if err != nil {
		return err
	}
	b.c.KubeconfigJSON = pulumi.ToSecret(b.eks.KubeconfigJson).(pulumi.StringOutput)
	b.c.OIDCProviderArn = b.eks.OidcProviderArn
	b.c.OIDCIssuer = b.eks.OidcIssuer
	b.c.NodeSecurityGroupID = b.eks.NodeSecurityGroupId
	b.c.ClusterSecurityGroupID = b.eks.ClusterSecurityGroupId
	return nil
}

// HTTPS is the port of the Kubernetes API endpoint.
const HTTPS = 443

// apiAccess admits the configured sources to the API endpoint, on the security group pulumi-eks
// puts on the control plane's network interfaces (it admits only the nodes itself). The rules are
// ec2.SecurityGroupRule, the kind pulumi-eks manages on that group: AWS's provider warns that mixing
// them with vpc.SecurityGroupIngressRule on one group makes rules conflict and overwrite each other.
func (b *builder) apiAccess() error {
	for _, src := range b.args.APIAccess {
		rule := &ec2.SecurityGroupRuleArgs{
			Type:            pulumi.String("ingress"),
			SecurityGroupId: b.eks.ClusterSecurityGroupId,
			Description:     pulumi.String("Kubernetes API from " + src.Description),
			Protocol:        pulumi.String("tcp"),
			FromPort:        pulumi.Int(HTTPS),
			ToPort:          pulumi.Int(HTTPS),
		}
		if src.Cidr != "" {
			rule.CidrBlocks = pulumi.StringArray{pulumi.String(src.Cidr)}
		} else {
			rule.SourceSecurityGroupId = src.SecurityGroupID
		}
		if _, err := ec2.NewSecurityGroupRule(b.ctx, b.child("api-from-"+src.Key), rule, b.parent); err != nil {
			return err
		}
	}
	return nil
}

// addonVersion is the default version of a managed add-on for the cluster's Kubernetes version:
// EKS never upgrades an add-on by itself, so the version follows the cluster's and a cluster
// upgrade upgrades the add-ons with it.
func (b *builder) addonVersion(addon string) (pulumi.StringInput, error) {
	v, err := awseks.GetAddonVersion(b.ctx, &awseks.GetAddonVersionArgs{
		AddonName:         addon,
		KubernetesVersion: b.args.Version,
		MostRecent:        pulumi.BoolRef(false),
	}, pulumi.Parent(b.c))
	if err != nil {
		return nil, fmt.Errorf("cluster: default version of the %s add-on for Kubernetes %s: %w", addon, b.args.Version, err)
	}
	return pulumi.String(v.Version), nil
}

// addon creates a managed add-on at the cluster version's default, adopting what EKS installed.
func (b *builder) addon(key, name string, role pulumi.StringInput, config string, deps []pulumi.Resource) (*awseks.Addon, error) {
	version, err := b.addonVersion(name)
	if err != nil {
		return nil, err
	}
	args := &awseks.AddonArgs{
		ClusterName:              pulumi.String(b.args.ClusterName),
		AddonName:                pulumi.String(name),
		AddonVersion:             version,
		ServiceAccountRoleArn:    role,
		ResolveConflictsOnCreate: pulumi.String("OVERWRITE"),
		ResolveConflictsOnUpdate: pulumi.String("OVERWRITE"),
		Tags:                     pulumi.ToStringMap(b.args.Tags),
	}
	if config != "" {
		args.ConfigurationValues = pulumi.String(config)
	}
	return awseks.NewAddon(b.ctx, b.child(key), args, b.parent, pulumi.DependsOn(deps))
}

// irsaRole creates a role only the named service accounts of a namespace may assume (each by
// exact sub), with managed policies attached.
func (b *builder) irsaRole(key, namespace string, serviceAccounts []string, policies []string) (*iam.Role, []pulumi.Resource, error) {
	trust := pulumi.All(b.eks.OidcProviderArn, b.eks.OidcIssuer).ApplyT(func(v []any) (string, error) {
		return iampolicy.WebIdentityTrust(v[0].(string), strings.TrimPrefix(v[1].(string), "https://"), namespace, serviceAccounts...).JSON()
	}).(pulumi.StringOutput)
	role, err := iam.NewRole(b.ctx, b.child(key), &iam.RoleArgs{
		Description:      pulumi.Sprintf("IRSA role of %s/%s in %s", namespace, strings.Join(serviceAccounts, ","), b.args.ClusterName),
		AssumeRolePolicy: trust,
		Tags:             pulumi.ToStringMap(b.args.Tags),
	}, b.parent)
	if err != nil {
		return nil, nil, err
	}
	deps := []pulumi.Resource{role}
	for _, p := range policies {
		att, err := iam.NewRolePolicyAttachment(b.ctx, b.child(key+"-"+path.Base(p)), &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.String(eksspec.ManagedPolicyArn(b.args.Account.Partition, p)),
		}, b.parent)
		if err != nil {
			return nil, nil, err
		}
		deps = append(deps, att)
	}
	return role, deps, nil
}

// CNIConfiguration is the vpc-cni add-on configuration: NetworkPolicy enforcement on.
const CNIConfiguration = `{"enableNetworkPolicy":"true"}`

func (b *builder) vpcCNI() error {
	role, deps, err := b.irsaRole("vpc-cni", eksspec.CNIServiceAccountNamespace, []string{eksspec.CNIServiceAccount}, []string{"AmazonEKS_CNI_Policy"})
	if err != nil {
		return err
	}
	b.cniAddon, err = b.addon("vpc-cni", eksspec.AddonVPCCNI, role.Arn, CNIConfiguration, append([]pulumi.Resource{b.eks}, deps...))
	return err
}

// NodeTrust lets EC2 instances assume the node role.
func NodeTrust() iampolicy.Document {
	return iampolicy.New(iampolicy.Statement{
		Sid:       "EC2InstancesAssumeNodeRole",
		Effect:    iampolicy.Allow,
		Principal: &iampolicy.Principal{Service: iampolicy.StringList{"ec2.amazonaws.com"}},
		Actions:   iampolicy.StringList{"sts:AssumeRole"},
	})
}

// blockDevices are the volumes a node AMI boots with: AL2023 has one root volume; Bottlerocket an
// OS volume and a data volume. All are encrypted with the data key.
func blockDevices(ng NodeGroup, key pulumi.StringInput) ec2.LaunchTemplateBlockDeviceMappingArray {
	volume := func(device string, size int) *ec2.LaunchTemplateBlockDeviceMappingArgs {
		return &ec2.LaunchTemplateBlockDeviceMappingArgs{
			DeviceName: pulumi.String(device),
			Ebs: &ec2.LaunchTemplateBlockDeviceMappingEbsArgs{
				Encrypted:           pulumi.String("true"),
				KmsKeyId:            key,
				VolumeSize:          pulumi.Int(size),
				VolumeType:          pulumi.String("gp3"),
				DeleteOnTermination: pulumi.String("true"),
			},
		}
	}
	if strings.HasPrefix(ng.AmiType, "BOTTLEROCKET") {
		return ec2.LaunchTemplateBlockDeviceMappingArray{volume("/dev/xvda", 4), volume("/dev/xvdb", ng.DiskSizeGiB)}
	}
	return ec2.LaunchTemplateBlockDeviceMappingArray{volume("/dev/xvda", ng.DiskSizeGiB)}
}

func (b *builder) nodes() error {
	trust, err := NodeTrust().JSON()
	if err != nil {
		return err
	}
	role, err := iam.NewRole(b.ctx, b.child("node"), &iam.RoleArgs{
		Description:      pulumi.Sprintf("Nodes of %s", b.args.ClusterName),
		AssumeRolePolicy: pulumi.String(trust),
		Tags:             pulumi.ToStringMap(b.args.Tags),
	}, b.parent)
	if err != nil {
		return err
	}
	b.c.NodeRoleArn = role.Arn
	deps := []pulumi.Resource{b.eks, b.cniAddon}
	for _, p := range eksspec.NodeRolePolicies {
		att, err := iam.NewRolePolicyAttachment(b.ctx, b.child("node-"+p), &iam.RolePolicyAttachmentArgs{
			Role:      role.Name,
			PolicyArn: pulumi.String(eksspec.ManagedPolicyArn(b.args.Account.Partition, p)),
		}, b.parent)
		if err != nil {
			return err
		}
		deps = append(deps, att)
	}
	for _, ng := range b.args.NodeGroups {
		lt, err := ec2.NewLaunchTemplate(b.ctx, b.child(ng.Name), &ec2.LaunchTemplateArgs{
			Description: pulumi.Sprintf("Nodes of %s/%s", b.args.ClusterName, ng.Name),
			MetadataOptions: &ec2.LaunchTemplateMetadataOptionsArgs{
				HttpEndpoint:            pulumi.String("enabled"),
				HttpTokens:              pulumi.String("required"), // IMDSv2 only
				HttpPutResponseHopLimit: pulumi.Int(1),             // pods cannot reach the node's credentials
			},
			BlockDeviceMappings:  blockDevices(ng, b.args.DataKeyArn),
			VpcSecurityGroupIds:  pulumi.StringArray{b.eks.NodeSecurityGroupId},
			UpdateDefaultVersion: pulumi.Bool(true),
			TagSpecifications: ec2.LaunchTemplateTagSpecificationArray{&ec2.LaunchTemplateTagSpecificationArgs{
				ResourceType: pulumi.String("instance"),
				Tags:         pulumi.StringMap{"Name": pulumi.String(b.args.ClusterName + "-" + ng.Name)},
			}},
			Tags: pulumi.ToStringMap(b.args.Tags),
		}, b.parent)
		if err != nil {
			return err
		}
		group, err := awseks.NewNodeGroup(b.ctx, b.child(ng.Name), &awseks.NodeGroupArgs{
			ClusterName:   pulumi.String(b.args.ClusterName),
			NodeGroupName: pulumi.String(ng.Name),
			NodeRoleArn:   role.Arn,
			SubnetIds:     b.args.NodeSubnetIDs,
			AmiType:       pulumi.String(ng.AmiType),
			CapacityType:  pulumi.String(ng.CapacityType),
			InstanceTypes: pulumi.ToStringArray(ng.InstanceTypes),
			ScalingConfig: &awseks.NodeGroupScalingConfigArgs{
				MinSize:     pulumi.Int(ng.MinSize),
				MaxSize:     pulumi.Int(ng.MaxSize),
				DesiredSize: pulumi.Int(ng.DesiredSize),
			},
			UpdateConfig: &awseks.NodeGroupUpdateConfigArgs{MaxUnavailable: pulumi.Int(1)},
			LaunchTemplate: &awseks.NodeGroupLaunchTemplateArgs{
				Id:      lt.ID(),
				Version: lt.LatestVersion.ApplyT(func(v int) string { return fmt.Sprint(v) }).(pulumi.StringOutput),
			},
			Labels: pulumi.StringMap{"platform/node-group": pulumi.String(ng.Name)},
			Tags:   pulumi.ToStringMap(b.args.Tags),
		}, b.parent, pulumi.DependsOn(deps),
			// The cluster autoscaler owns the running size once the group exists.
			pulumi.IgnoreChanges([]string{"scalingConfig.desiredSize"}))
		if err != nil {
			return err
		}
		b.c.NodeGroups[ng.Name] = group
	}
	return nil
}

// EBSCSIKeyPolicy lets the EBS CSI controller use the data key for the volumes it creates, only
// through EC2 and only for grants to AWS resources.
func EBSCSIKeyPolicy(dataKeyArn string) iampolicy.Document {
	return iampolicy.New(
		iampolicy.Statement{
			Sid:        "CreateGrantsForVolumes",
			Effect:     iampolicy.Allow,
			Actions:    iampolicy.StringList{"kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"},
			Resources:  iampolicy.StringList{dataKeyArn},
			Conditions: iampolicy.Conditions{"Bool": {"kms:GrantIsForAWSResource": {"true"}}},
		},
		iampolicy.Statement{
			Sid:       "UseKeyForVolumes",
			Effect:    iampolicy.Allow,
			Actions:   iampolicy.StringList{"kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"},
			Resources: iampolicy.StringList{dataKeyArn},
		},
	)
}

func (b *builder) ebsCSI() error {
	role, deps, err := b.irsaRole("ebs-csi", eksspec.EBSCSIServiceAccountNamespace, []string{eksspec.EBSCSIServiceAccount}, []string{"service-role/AmazonEBSCSIDriverPolicy"})
	if err != nil {
		return err
	}
	policy := b.args.DataKeyArn.ToStringOutput().ApplyT(func(arn string) (string, error) { return EBSCSIKeyPolicy(arn).JSON() }).(pulumi.StringOutput)
	keyPolicy, err := iam.NewRolePolicy(b.ctx, b.child("ebs-csi-kms"), &iam.RolePolicyArgs{Role: role.ID(), Policy: policy}, b.parent)
	if err != nil {
		return err
	}
	deps = append(append(deps, b.eks, keyPolicy), b.c.NodeGroupResources()...)
	_, err = b.addon("ebs-csi", eksspec.AddonEBSCSI, role.Arn, "", deps)
	return err
}

// efsCSI installs the EFS CSI driver on an IRSA role trusted by its controller and node service
// accounts (the node plugin performs IAM-authorised mounts). The role holds no permission here:
// a file system grants it ClientMount and ClientWrite through its access points only.
func (b *builder) efsCSI() error {
	if !b.args.EFSCSIDriver {
		return nil
	}
	role, deps, err := b.irsaRole("efs-csi", eksspec.EFSCSIServiceAccountNamespace, eksspec.EFSCSIServiceAccounts, nil)
	if err != nil {
		return err
	}
	b.c.EFSCSIRoleName = role.Name
	_, err = b.addon("efs-csi", eksspec.AddonEFSCSI, role.Arn, "", append(append(deps, b.eks), b.c.NodeGroupResources()...))
	return err
}

// coreAddons manage CoreDNS and kube-proxy as add-ons, after the node groups (CoreDNS needs nodes
// to become active), so that a cluster upgrade upgrades them.
func (b *builder) coreAddons() error {
	deps := append([]pulumi.Resource{b.eks}, b.c.NodeGroupResources()...)
	for _, name := range []string{eksspec.AddonKubeProxy, eksspec.AddonCoreDNS} {
		if _, err := b.addon(name, name, nil, "", deps); err != nil {
			return err
		}
	}
	return nil
}

// principalKey is a stable child-name key for a principal: its name plus a short hash of the ARN.
func principalKey(arn string) string {
	name := arn[strings.LastIndex(arn, "/")+1:]
	sum := sha256.Sum256([]byte(arn))
	return strings.ToLower(name) + "-" + hex.EncodeToString(sum[:])[:6]
}

func (b *builder) accessEntries() error {
	for _, p := range b.args.Access {
		key := p.Persona.Name + "-" + principalKey(p.PrincipalArn)
		entry, err := awseks.NewAccessEntry(b.ctx, b.child(key), &awseks.AccessEntryArgs{
			ClusterName:      pulumi.String(b.args.ClusterName),
			PrincipalArn:     pulumi.String(p.PrincipalArn),
			KubernetesGroups: pulumi.StringArray{pulumi.String(p.Persona.Group)},
			Type:             pulumi.String("STANDARD"),
			Tags:             pulumi.ToStringMap(b.args.Tags),
		}, b.parent, pulumi.DependsOn([]pulumi.Resource{b.eks}))
		if err != nil {
			return err
		}
		if p.Persona.AccessPolicy == "" {
			continue // authorised by in-cluster RBAC only
		}
		scope := &awseks.AccessPolicyAssociationAccessScopeArgs{Type: pulumi.String("cluster")}
		if _, err := awseks.NewAccessPolicyAssociation(b.ctx, b.child(key), &awseks.AccessPolicyAssociationArgs{
			ClusterName:  pulumi.String(b.args.ClusterName),
			PrincipalArn: pulumi.String(p.PrincipalArn),
			PolicyArn:    pulumi.String(p.Persona.PolicyArn(b.args.Account.Partition)),
			AccessScope:  scope,
		}, b.parent, pulumi.DependsOn([]pulumi.Resource{entry})); err != nil {
			return err
		}
	}
	return nil
}
