package infra

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/securestack/platform/components/detection"
	"github.com/securestack/platform/components/network"
	"github.com/securestack/platform/components/registry"
	"github.com/securestack/platform/components/runner"
)

// Namespace is the config namespace of the platform's own keys ("platform:network", …).
const Namespace = "platform"

// Environment is the kind of environment a stack is; it chooses the secure defaults.
type Environment string

// The environments. Each has its own defaults (see Defaults).
const (
	Dev     Environment = "dev"
	Staging Environment = "staging"
	Prod    Environment = "prod"
)

// Environments lists the allowed environments in order.
var Environments = []Environment{Dev, Staging, Prod}

// Config is the whole typed configuration of one environment. Every field has a per-environment
// secure default (Defaults); stack config only overrides what it names.
type Config struct {
	Project     string      `json:"-"`
	Stack       string      `json:"-"`
	Region      string      `json:"-"` // aws:region
	Environment Environment `json:"-"` // platform:environment
	// AllowedAccountIDs (aws:allowedAccountIds) are the only accounts the stack may deploy to; the
	// provider refuses any other. Required in prod.
	AllowedAccountIDs []string `json:"-"`
	// Profile (aws:profile) is the shared-credentials profile the provider uses; "" means the
	// environment's credentials.
	Profile string `json:"-"`

	// Tags are added to every taggable resource, besides the platform's own tags.
	Tags map[string]string `json:"tags"`
	// Network is the VPC layout (platform:network).
	Network NetworkConfig `json:"network"`
	// Keys configures the customer-managed KMS keys (platform:keys).
	Keys KeysConfig `json:"keys"`
	// Cluster is the EKS cluster: version, API endpoint access, control-plane logs and node groups
	// (platform:cluster).
	Cluster ClusterConfig `json:"cluster"`
	// Access maps IAM principals to the cluster's Kubernetes personas (platform:access).
	Access AccessConfig `json:"access"`
	// Storage configures the data stores: buckets, table, secrets (platform:storage).
	Storage StorageConfig `json:"storage"`
	// Account says which account-wide guardrails this stack manages (platform:account).
	Account AccountConfig `json:"account"`
	// Stateful says how stateful resources (keys, log groups, buckets, tables, the cluster) are
	// kept from being lost (platform:stateful).
	Stateful StatefulConfig `json:"stateful"`
	// Runner is the in-VPC deploy runner: the CodeBuild jobs that reach the private API endpoint
	// (platform:runner).
	Runner RunnerConfig `json:"runner"`
	// Bootstrap deploys the cloud layer only (network, keys, cluster, nodes, data, runner) and no
	// in-cluster resource: the first deploy of a stack whose API endpoint nothing can reach yet
	// (platform:bootstrap). Pass it on the command line, never commit it. Default false.
	Bootstrap bool `json:"bootstrap"`
	// Services is the service catalog (platform:services): name → service. Default the
	// application of the requirements (DefaultServices); a service named only in stack config
	// starts from DefaultService.
	Services map[string]ServiceConfig `json:"services"`
	// Edge is the TLS edge of the service the load balancer reaches (platform:edge).
	Edge EdgeConfig `json:"edge"`
	// Images says where the services' images may come from (platform:images).
	Images ImagesConfig `json:"images"`
	// Registry configures the services' ECR repositories (platform:registry).
	Registry RegistryConfig `json:"registry"`
	// Detection configures the in-cluster runtime sensor (platform:detection); GuardDuty and the
	// findings route are account-wide, in platform:account.
	Detection DetectionConfig `json:"detection"`
	// Waivers opt out of named security controls, each with a reason; the report shows them.
	Waivers []Waiver `json:"waivers"`

	// SecretKeys are the config keys given as secrets, sorted.
	SecretKeys []string `json:"-"`
	// Warnings are values that are legal but unusual; the report shows them.
	Warnings []string `json:"-"`

	// environmentAssumed: the environment could not be determined and is validated as prod.
	environmentAssumed bool
}

// NetworkConfig is platform:network.
type NetworkConfig struct {
	// Cidr is the VPC's IPv4 range, /16 to /22. Default 10.0.0.0/16.
	Cidr string `json:"cidr"`
	// AzCount is how many availability zones to use: at least 2 (multi-AZ), default 2.
	AzCount int `json:"azCount"`
	// AvailabilityZones names the zones; empty means the first AzCount zones the region reports.
	AvailabilityZones []string `json:"availabilityZones"`
	// NatGateways is "perAz" (one per zone: no cross-zone dependency; prod default) or "single"
	// (one for the VPC: cheaper; dev and staging default).
	NatGateways string `json:"natGateways"`
	// FlowLogRetentionDays keeps VPC flow logs (dev 30, staging 90, prod 365; prod at least 365).
	FlowLogRetentionDays int `json:"flowLogRetentionDays"`
	// InterfaceEndpoints are the AWS services reached through private interface endpoints
	// (prod default: sts, ecr.api, ecr.dkr, logs; none elsewhere).
	InterfaceEndpoints []string `json:"interfaceEndpoints"`
}

// KeysConfig is platform:keys.
type KeysConfig struct {
	// DeletionWindowDays is the waiting period before a scheduled key deletion: 7 to 30, default 30.
	DeletionWindowDays int `json:"deletionWindowDays"`
}

// ClusterConfig is platform:cluster.
type ClusterConfig struct {
	// Version is the Kubernetes minor version, of the form 1.NN and one of KubernetesVersions.
	// Default 1.34 in every environment.
	Version string `json:"version"`
	// EndpointPublicAccess opens the cluster's API endpoint to the internet, restricted to
	// PublicAccessCidrs; the private endpoint is always on. Default false everywhere; never allowed
	// in prod (prod deploys from a runner inside the VPC).
	EndpointPublicAccess bool `json:"endpointPublicAccess"`
	// PublicAccessCidrs are the IPv4 networks that may reach the public API endpoint: required
	// (non-empty) when EndpointPublicAccess is on, not allowed when it is off; network addresses
	// only, and together never the whole internet. Default none.
	PublicAccessCidrs []string `json:"publicAccessCidrs"`
	// APIAccess are the sources inside the network that may reach the private API endpoint on 443,
	// besides the nodes and the deploy runner. Default none.
	APIAccess APIAccessConfig `json:"apiAccess"`
	// ControlPlaneAzCount is how many zones (the first of the network's) hold the control plane's
	// network interfaces, in their private subnets. EKS refuses subnets outside the zones a
	// cluster was created with, so this is fixed at creation and adding zones never changes it:
	// node groups and load balancers take the new zones. 2 to network.azCount; default 2.
	ControlPlaneAzCount int `json:"controlPlaneAzCount"`
	// LogRetentionDays keeps the control-plane logs (api, audit, authenticator, …): a CloudWatch
	// Logs retention value; dev 30, staging 90, prod 365, and prod at least 365.
	LogRetentionDays int `json:"logRetentionDays"`
	// NodeGroups are the managed node groups by name (^[a-z][a-z0-9-]{0,30}$); at least one.
	// Default: "system" with DefaultNodeGroup of the environment. A group named in stack config
	// overlays the group of that name, or DefaultNodeGroup when there is none.
	NodeGroups map[string]NodeGroupConfig `json:"nodeGroups"`
}

// APIAccessConfig is platform:cluster.apiAccess: what, inside the network, may reach the private
// API endpoint (443 on the security group that fronts it).
type APIAccessConfig struct {
	// Cidrs are private IPv4 networks (RFC 1918: 10/8, 172.16/12, 192.168/16), for example a
	// runner subnet reached through a peering or transit gateway. Default none.
	Cidrs []string `json:"cidrs"`
	// SecurityGroupIDs are security groups of this VPC (sg-…), for example an existing
	// self-hosted runner's. Default none.
	SecurityGroupIDs []string `json:"securityGroupIds"`
}

// RunnerConfig is platform:runner: two CodeBuild projects in the private subnets, "preview" and
// "deploy", that run `pulumi preview` and `pulumi up` from inside the VPC. CI uploads the source to
// the runner's bucket and starts a build; each build assumes its own role (created out of band,
// see deploy/iam), so the stack never manages the permissions of what deploys it.
type RunnerConfig struct {
	// Enabled creates the runner, whose security group is admitted to the API endpoint. Default
	// true: every environment's endpoint is private.
	Enabled bool `json:"enabled"`
	// ComputeType of the builds (CodeBuild Linux container sizes). Default BUILD_GENERAL1_MEDIUM:
	// compiling the Pulumi AWS SDK needs about 4 GB.
	ComputeType string `json:"computeType"`
	// TimeoutMinutes of a build: 5 to 60 (its credentials come from a chained role session, which
	// AWS caps at an hour). Default 60.
	TimeoutMinutes int `json:"timeoutMinutes"`
	// DeployRoleName and PreviewRoleName are the IAM roles the deploy and preview builds assume,
	// created out of band (deploy/iam). Default ci-<project>-deploy and ci-<project>-preview: named
	// outside <project>-*, the roles the deployer may manage, so it cannot change its own rights.
	DeployRoleName  string `json:"deployRoleName"`
	PreviewRoleName string `json:"previewRoleName"`
	// SourceRetentionDays expires uploaded sources: 1 to 365. Default 7.
	SourceRetentionDays int `json:"sourceRetentionDays"`
	// GitHubActions adds the CodeBuild-hosted GitHub Actions runner the pull-request workflow's
	// preview job runs on (project <project>-<stack>-actions). Off unless both repository and
	// connectionArn are set.
	GitHubActions GitHubActionsConfig `json:"githubActions"`
}

// GitHubActionsConfig is platform:runner.githubActions (see runner.GitHubActionsArgs). The
// connection is a credential of GitHub that AWS holds: create it in the console (it is created
// PENDING and must be AVAILABLE before the stack deploys) and install its GitHub App on this
// repository only.
type GitHubActionsConfig struct {
	// Repository is https://github.com/<owner>/<repo>, whose workflow jobs run on the runner.
	Repository string `json:"repository"`
	// ConnectionArn is a connection to GitHub of the stack's account:
	// arn:aws:codeconnections:<region>:<account>:connection/<uuid>.
	ConnectionArn string `json:"connectionArn"`
	// WorkflowName is the workflow whose jobs may use the runner. "" means the component's
	// default, runner.DefaultWorkflowName (pull-request).
	WorkflowName string `json:"workflowName"`
}

// Enabled says whether the stack asks for the GitHub Actions runner.
func (g GitHubActionsConfig) Enabled() bool { return g.Repository != "" || g.ConnectionArn != "" }

// NodeGroupConfig is one managed node group: platform:cluster.nodeGroups.<name>.
type NodeGroupConfig struct {
	// InstanceTypes are EC2 instance types like m6i.large: at least one, no duplicates.
	// Default t3.large in dev, m6i.large in staging and prod.
	InstanceTypes []string `json:"instanceTypes"`
	// AmiType is the node image, one of AmiTypes. Default AL2023_x86_64_STANDARD.
	AmiType string `json:"amiType"`
	// CapacityType is ON_DEMAND or SPOT (CapacityTypes). Default ON_DEMAND.
	CapacityType string `json:"capacityType"`
	// MinSize is the fewest nodes: at least 0 and at most MaxSize; in prod at least 2 (a single
	// node is a single point of failure). Default dev 1, staging 2, prod 3.
	MinSize int `json:"minSize"`
	// MaxSize is the most nodes: at least 1. Default dev 3, staging 4, prod 6.
	MaxSize int `json:"maxSize"`
	// DesiredSize is the initial number of nodes: MinSize to MaxSize. Default dev 2, staging 2, prod 3.
	DesiredSize int `json:"desiredSize"`
	// DiskSizeGiB is each node's root volume: 20 to 1000 GiB. Default 50.
	DiskSizeGiB int `json:"diskSizeGiB"`
}

// AccessConfig is platform:access: the IAM principals mapped to the Kubernetes personas, and the
// namespaces the non-admin personas may act in. Each list holds IAM role or user ARNs
// (arn:aws:iam::<12-digit account>:role/<name> or :user/<name>); a principal has one persona
// and is listed once.
type AccessConfig struct {
	// Admins are cluster administrators (cluster-wide). Default none.
	Admins []string `json:"admins"`
	// Gitops may edit (create, update, delete workloads) in Namespaces only. Default none.
	Gitops []string `json:"gitops"`
	// Developers may view in Namespaces only. Default none.
	Developers []string `json:"developers"`
	// Namespaces are where the gitops and developers personas act: at least one, each a DNS-1123
	// label, none of kube-system, kube-public, kube-node-lease or default, no duplicates.
	// Default ["apps"].
	Namespaces []string `json:"namespaces"`
}

// StatefulConfig is platform:stateful.
type StatefulConfig struct {
	// Protect sets Pulumi's protect option on stateful resources: `pulumi destroy` and replacements
	// fail until it is lifted. Default on in prod, off elsewhere so that dev can be torn down.
	Protect bool `json:"protect"`
	// RetainOnDelete keeps the cloud resource when Pulumi deletes it. Default on in prod.
	RetainOnDelete bool `json:"retainOnDelete"`
}

// StorageConfig is platform:storage.
type StorageConfig struct {
	// S3Encryption is the buckets' server-side encryption: "AES256" (SSE-S3, as the requirements
	// say; default) or "aws:kms" (SSE-KMS with the customer data key and S3 bucket keys).
	S3Encryption string `json:"s3Encryption"`
	// NoncurrentVersionDays keeps overwritten or deleted object versions: dev 7, staging 30, prod
	// 90; 1 to 3650.
	NoncurrentVersionDays int `json:"noncurrentVersionDays"`
	// AccessLogDays keeps S3 server access logs: dev 30, staging 90, prod 365 (prod at least 365);
	// 1 to 3650.
	AccessLogDays int `json:"accessLogDays"`
	// DynamoDBKey is "customer" (the data key; default) or "aws-owned" (AWS-owned key: needs a
	// waiver of DDB-001 saying why).
	DynamoDBKey string `json:"dynamodbKey"`
	// SecretRecoveryDays is how long a deleted secret can be restored: 7 to 30, or 0 in dev only
	// (deleted at once, so that `destroy` then `up` can reuse the fixed name). Dev 0, else 30.
	SecretRecoveryDays int `json:"secretRecoveryDays"`
}

// AccountConfig is platform:account: the account baseline, the singletons that exist once per
// account and region. One stack owns it (BaselineOwner); the owner manages each singleton
// ("manage", default) or leaves it to the organisation ("organization": the matching control must be
// waived with a reason naming where it is enforced). Every other stack of the account references
// the owner's stack and manages none of them.
type AccountConfig struct {
	// BaselineOwner is the stack of this project that owns the account baseline of this stack's
	// account and region. Default: this stack. Two owners in one account overwrite each other.
	BaselineOwner string `json:"baselineOwner"`
	// EBSEncryptionByDefault: EBS encryption by default with the data key as default key (ACC-001).
	EBSEncryptionByDefault string `json:"ebsEncryptionByDefault"`
	// S3PublicAccessBlock: the account-level S3 public access block (ACC-002).
	S3PublicAccessBlock string `json:"s3PublicAccessBlock"`
	// GuardDuty is what the owner does with the region's GuardDuty detector (one per account and
	// region): "create" it (default), "adopt" the existing GuardDutyDetectorID (its features are
	// still managed here), or "organization" (the organisation's GuardDuty administrator manages
	// detector and features: waive GD-001 naming it). The findings are routed in every mode.
	GuardDuty string `json:"guardDuty"`
	// GuardDutyDetectorID is the detector to adopt (guardDuty: adopt only).
	GuardDutyDetectorID string `json:"guardDutyDetectorId"`
	// Findings routes GuardDuty findings to an encrypted SNS topic.
	Findings FindingsConfig `json:"findings"`
	// RegistryScanning is the ECR registry's scanning: "enhanced" (Amazon Inspector scans on push
	// and continuously; prod default) or "basic" (each repository's scan on push; elsewhere).
	RegistryScanning string `json:"registryScanning"`
	// GitHubOIDCProvider: "manage" creates the account's GitHub Actions OIDC provider, which the
	// services' push roles trust (default); "adopt" uses the one that exists (IAM allows one per
	// URL in an account), checked at deploy time.
	GitHubOIDCProvider string `json:"githubOidcProvider"`
}

// FindingsConfig is platform:account.findings.
type FindingsConfig struct {
	// MinSeverity is the lowest GuardDuty severity routed: low (1+), medium (4+, default) or high (7+).
	MinSeverity string `json:"minSeverity"`
	// Subscriptions receive the findings: protocol email or https, and an endpoint. Default none
	// (subscribe later, outside the stack, or here). An email subscription sends nothing until
	// its owner confirms it.
	Subscriptions []SubscriptionConfig `json:"subscriptions"`
}

// SubscriptionConfig is one endpoint of the findings topic.
type SubscriptionConfig struct {
	Protocol string `json:"protocol"`
	Endpoint string `json:"endpoint"`
}

// RegistryConfig is platform:registry: the lifecycle of every service repository.
type RegistryConfig struct {
	// KeepImages is how many most recent images a repository keeps: 1 to 10000; default 50, prod
	// 200 (more than any rollback needs: a running image must never be expired).
	KeepImages int `json:"keepImages"`
	// UntaggedDays is how long an untagged image (a superseded build's layers) is kept: 1 to 3650;
	// default 7.
	UntaggedDays int `json:"untaggedDays"`
	// ForceDelete lets a destroy delete repositories that still hold images: dev only, default
	// true in dev.
	ForceDelete bool `json:"forceDelete"`
}

// DetectionConfig is platform:detection.
type DetectionConfig struct {
	// Falco installs the Falco runtime sensor (the requirements recommend it) in its own
	// privileged namespace. Default on in prod, off elsewhere.
	Falco bool `json:"falco"`
}

// Waiver opts out of one security control. The report lists it with its reason.
type Waiver struct {
	Control string `json:"control"`
	Reason  string `json:"reason"`
}

// The allowed values of enumerated fields: one source for validation, docs and tests.
var (
	NatStrategies = []string{"perAz", "single"}
	// InterfaceEndpointServices are the services the network may reach privately.
	InterfaceEndpointServices = []string{"autoscaling", "ec2", "ecr.api", "ecr.dkr", "elasticloadbalancing",
		"kms", "logs", "secretsmanager", "ssm", "sts"}
	// LogRetentionDays are the retention periods CloudWatch Logs accepts.
	LogRetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192,
		2557, 2922, 3288, 3653}
	// KubernetesVersions are the EKS Kubernetes minor versions the platform supports.
	KubernetesVersions = []string{"1.32", "1.33", "1.34", "1.35"}
	// AmiTypes are the node images a node group may use.
	AmiTypes = []string{"AL2023_ARM_64_STANDARD", "AL2023_x86_64_STANDARD", "BOTTLEROCKET_ARM_64", "BOTTLEROCKET_x86_64"}
	// CapacityTypes are the ways a node group may buy its instances.
	CapacityTypes = []string{"ON_DEMAND", "SPOT"}
)

// Account singleton modes, S3 encryptions and DynamoDB keys.
const (
	Manage       = "manage"
	Organization = "organization"
	Adopt        = "adopt"
	// RegistryBasic and RegistryEnhanced are the ECR registry's scanning types.
	RegistryBasic    = "basic"
	RegistryEnhanced = "enhanced"
)

var (
	// SingletonModes are the ways an account-wide guardrail can be handled.
	SingletonModes = []string{Manage, Organization}
	// RegistryScannings are the registry's scanning choices.
	RegistryScannings = []string{RegistryBasic, RegistryEnhanced}
	// ProviderModes are the ways the baseline owner handles the account's GitHub OIDC provider.
	ProviderModes = []string{Adopt, Manage}
	// S3Encryptions are the bucket default encryptions: SSE-S3 or SSE-KMS.
	S3Encryptions = []string{"AES256", "aws:kms"}
	// DynamoDBKeys are the table key choices.
	DynamoDBKeys = []string{"aws-owned", "customer"}
)

// Limits that validation enforces.
const (
	MinProdFlowLogRetentionDays = 365
	MinKeyDeletionWindowDays    = 7
	MaxKeyDeletionWindowDays    = 30
	// MinProdClusterLogRetentionDays is the shortest control-plane log retention prod allows.
	MinProdClusterLogRetentionDays = 365
	// MinProdNodeGroupSize is the smallest minSize of a prod node group: one node is a single point
	// of failure.
	MinProdNodeGroupSize = 2
	// MinNodeDiskSizeGiB and MaxNodeDiskSizeGiB bound a node's root volume.
	MinNodeDiskSizeGiB    = 20
	MaxNodeDiskSizeGiB    = 1000
	minWaiverReasonLength = 10
)

// DefaultNodeGroupName is the node group every environment has by default.
const DefaultNodeGroupName = "system"

// reservedNamespaces belong to Kubernetes itself: no persona but the admins acts in them.
var reservedNamespaces = []string{"default", "kube-node-lease", "kube-public", "kube-system"}

// reservedTagKeys are set by the platform itself on every resource.
var reservedTagKeys = []string{"Environment", "ManagedBy", "Project", "Stack"}

// Defaults returns the secure defaults of an environment.
func Defaults(env Environment) Config {
	c := Config{
		Environment: env,
		Tags:        map[string]string{},
		Network: NetworkConfig{
			Cidr:                 "10.0.0.0/16",
			AzCount:              network.MinAZs,
			NatGateways:          "single",
			FlowLogRetentionDays: 30,
		},
		Keys: KeysConfig{DeletionWindowDays: MaxKeyDeletionWindowDays},
		Cluster: ClusterConfig{
			Version:             "1.34",
			LogRetentionDays:    30,
			ControlPlaneAzCount: network.MinAZs,
			NodeGroups:          map[string]NodeGroupConfig{DefaultNodeGroupName: DefaultNodeGroup(env)},
		},
		Runner: RunnerConfig{Enabled: true, ComputeType: runner.DefaultComputeType, TimeoutMinutes: runner.DefaultTimeoutMinutes, SourceRetentionDays: 7},
		Access: AccessConfig{Namespaces: []string{"apps"}},
		Storage: StorageConfig{S3Encryption: "AES256", NoncurrentVersionDays: 7, AccessLogDays: 30,
			DynamoDBKey: "customer", SecretRecoveryDays: 0},
		Account: AccountConfig{EBSEncryptionByDefault: Manage, S3PublicAccessBlock: Manage,
			GuardDuty: detection.Create, Findings: FindingsConfig{MinSeverity: "medium"},
			RegistryScanning: RegistryBasic, GitHubOIDCProvider: Manage},
		Registry: RegistryConfig{KeepImages: registry.DefaultKeepImages, UntaggedDays: registry.DefaultUntaggedDays, ForceDelete: env == Dev},
		Services: DefaultServices(env, ""),
		Edge:     DefaultEdge(env),
	}
	switch env {
	case Staging:
		c.Network.FlowLogRetentionDays = 90
		c.Cluster.LogRetentionDays = 90
		c.Storage.NoncurrentVersionDays, c.Storage.AccessLogDays, c.Storage.SecretRecoveryDays = 30, 90, 30
	case Prod:
		c.Network.NatGateways = "perAz"
		c.Network.FlowLogRetentionDays = 365
		c.Cluster.LogRetentionDays = 365
		c.Network.InterfaceEndpoints = []string{"ecr.api", "ecr.dkr", "logs", "sts"}
		c.Stateful = StatefulConfig{Protect: true, RetainOnDelete: true}
		c.Account.RegistryScanning = RegistryEnhanced
		c.Registry.KeepImages = 200
		c.Detection.Falco = true
		c.Storage.NoncurrentVersionDays, c.Storage.AccessLogDays, c.Storage.SecretRecoveryDays = 90, 365, 30
	}
	c.fillServiceNamespaces()
	return c
}

// DefaultNodeGroup returns the secure default node group of an environment: the "system" group,
// and the group a node group named only in stack config starts from.
func DefaultNodeGroup(env Environment) NodeGroupConfig {
	g := NodeGroupConfig{
		InstanceTypes: []string{"m6i.large"},
		AmiType:       "AL2023_x86_64_STANDARD",
		CapacityType:  "ON_DEMAND",
		DiskSizeGiB:   50,
	}
	switch env {
	case Dev:
		g.InstanceTypes = []string{"t3.large"}
		g.MinSize, g.MaxSize, g.DesiredSize = 1, 3, 2
	case Staging:
		g.MinSize, g.MaxSize, g.DesiredSize = 2, 4, 2
	default: // prod, and the strictest defaults for anything else
		g.MinSize, g.MaxSize, g.DesiredSize = 3, 6, 3
	}
	return g
}

// section is one platform config key and where its value lands in Config.
type section struct {
	key string
	dst func(*Config) any
	doc string
}

// sections are the platform:<key> config keys. Pulumi.yaml documents each of them.
var sections = []section{
	{"tags", func(c *Config) any { return &c.Tags }, "extra tags for every resource"},
	{"network", func(c *Config) any { return &c.Network }, "VPC layout"},
	{"keys", func(c *Config) any { return &c.Keys }, "KMS key settings"},
	{"cluster", func(c *Config) any { return &c.Cluster }, "EKS cluster: version, API endpoint access, control-plane logs, node groups"},
	{"access", func(c *Config) any { return &c.Access }, "IAM principals of the Kubernetes personas and their namespaces"},
	{"storage", func(c *Config) any { return &c.Storage }, "buckets, table and secrets"},
	{"account", func(c *Config) any { return &c.Account }, "account-wide guardrails: managed here or left to the organisation"},
	{"stateful", func(c *Config) any { return &c.Stateful }, "protection of stateful resources"},
	{"runner", func(c *Config) any { return &c.Runner }, "the in-VPC deploy runner"},
	{"bootstrap", func(c *Config) any { return &c.Bootstrap }, "cloud layer only, for a stack's first deploy"},
	{"services", func(c *Config) any { return &c.Services }, "the service catalog: each service's workload, reachability and AWS intents"},
	{"edge", func(c *Config) any { return &c.Edge }, "the TLS edge: certificate, load balancer controller and the ALB of the load-balanced service"},
	{"images", func(c *Config) any { return &c.Images }, "the registries services' images may come from"},
	{"registry", func(c *Config) any { return &c.Registry }, "the services' ECR repositories: lifecycle"},
	{"detection", func(c *Config) any { return &c.Detection }, "in-cluster runtime detection: Falco"},
	{"waivers", func(c *Config) any { return &c.Waivers }, "explicit opt-outs of security controls"},
}

// ConfigKeys lists every key the platform reads, fully qualified, sorted.
func ConfigKeys() []string {
	keys := append([]string{Namespace + ":environment"}, awsKeys...)
	for _, s := range sections {
		keys = append(keys, Namespace+":"+s.key)
	}
	sort.Strings(keys)
	return keys
}

// ConfigError lists every problem found in a stack's config.
type ConfigError struct {
	Stack    string
	Problems []string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("invalid config for stack %q (%d problem(s)):\n  - %s", e.Stack, len(e.Problems),
		strings.Join(e.Problems, "\n  - "))
}

// Raw is a stack's config as the Pulumi engine passes it: "namespace:key" → text (JSON text for
// structured values).
type Raw struct {
	Project, Stack string
	Values         map[string]string
	SecretKeys     []string
	// KnownControls are the control ids a waiver may name; nil skips that check.
	KnownControls []string
}

// The aws: keys the platform passes to its explicit provider. The provider is built from these
// alone, so any other aws: key would be silently ignored: it is an error instead.
const (
	keyRegion            = "aws:region"
	keyAllowedAccountIDs = "aws:allowedAccountIds"
	keyProfile           = "aws:profile"
)

// awsKeys are the aws: keys the platform reads.
var awsKeys = []string{keyAllowedAccountIDs, keyProfile, keyRegion}

// otherNamespaces are config namespaces the platform does not read but the Pulumi engine does.
var otherNamespaces = []string{"pulumi"}

// ParseConfig turns raw stack config into the typed Config: defaults for the environment, then
// the stack's values, then validation. It returns every problem at once as a *ConfigError.
func ParseConfig(raw Raw) (*Config, error) {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	named := Environment(raw.Values[Namespace+":environment"])
	env := named
	stackIsEnv := slices.Contains(Environments, Environment(raw.Stack))
	switch {
	case env == "" && stackIsEnv:
		env = Environment(raw.Stack) // a stack named after its environment needs no key
	case env == "":
		add("%s:environment: not set and stack name %q is not an environment (allowed: %s)", Namespace, raw.Stack, joinEnvs())
	case !slices.Contains(Environments, env):
		add("%s:environment: %q is not an environment (allowed: %s)", Namespace, env, joinEnvs())
	case stackIsEnv && env != Environment(raw.Stack):
		// A stack named prod that says dev would turn every prod-only control "not applicable".
		add("%s:environment: %q contradicts the stack name %q, which is an environment's name: remove the key, or name the stack after its environment", Namespace, env, raw.Stack)
	}
	assumed := !slices.Contains(Environments, env)
	if assumed {
		env = Prod // validate the rest against the strictest defaults
	}
	cfg := Defaults(env)
	// The default services' namespace is the first application namespace, once the stack's
	// platform:access is read.
	cfg.Services = DefaultServices(env, "")
	cfg.environmentAssumed = assumed
	cfg.Project, cfg.Stack, cfg.Region = raw.Project, raw.Stack, raw.Values[keyRegion]
	cfg.Runner.DeployRoleName, cfg.Runner.PreviewRoleName = "ci-"+raw.Project+"-deploy", "ci-"+raw.Project+"-preview"
	cfg.SecretKeys = slices.Sorted(slices.Values(raw.SecretKeys))
	if text, ok := raw.Values[keyAllowedAccountIDs]; ok {
		problems = append(problems, overlay(keyAllowedAccountIDs, text, &cfg.AllowedAccountIDs, nil)...)
	}
	cfg.Profile = raw.Values[keyProfile]

	// A node group named only in stack config starts from the environment's default node group.
	// and a service named only there from the default service.
	newEntries := entryTemplates{
		reflect.TypeFor[NodeGroupConfig](): func() any { return DefaultNodeGroup(env) },
		reflect.TypeFor[ServiceConfig]():   func() any { return DefaultService(env, "") },
	}
	known := map[string]bool{Namespace + ":environment": true}
	for _, k := range awsKeys {
		known[k] = true
	}
	for _, s := range sections {
		key := Namespace + ":" + s.key
		known[key] = true
		text, ok := raw.Values[key]
		if !ok {
			continue
		}
		problems = append(problems, overlay(key, text, s.dst(&cfg), newEntries)...)
	}
	for _, key := range slices.Sorted(maps.Keys(raw.Values)) {
		namespace, _, _ := strings.Cut(key, ":")
		switch {
		case known[key] || slices.Contains(otherNamespaces, namespace):
		case namespace == Namespace:
			add("%s: unknown key (allowed: %s)", key, strings.Join(platformKeys(), ", "))
		case namespace == "aws":
			add("%s: not read by the platform, whose AWS provider is built from %s only: remove it (a setting here would be silently ignored)", key, strings.Join(awsKeys, ", "))
		default:
			add("%s: the namespace %q is not read by this program (allowed: %s:…, aws:…, %s:…); did you mean %s:%s?",
				key, namespace, Namespace, strings.Join(otherNamespaces, ":…, "), Namespace, strings.TrimPrefix(key, namespace+":"))
		}
	}
	for _, key := range cfg.SecretKeys {
		if strings.HasPrefix(key, Namespace+":") {
			// No platform key holds a secret yet: a secret given here would be decoded into plain
			// values and lose its protection, so refuse rather than leak it.
			add("%s: is stored as a secret, but no platform setting under it is secret; set it without --secret, or keep the secret in AWS Secrets Manager", key)
		}
	}
	cfg.fillServiceNamespaces()
	problems = append(problems, cfg.validate(raw.KnownControls)...)
	if len(problems) > 0 {
		return nil, &ConfigError{Stack: raw.Stack, Problems: problems}
	}
	return &cfg, nil
}

func platformKeys() []string {
	keys := []string{"environment"}
	for _, s := range sections {
		keys = append(keys, s.key)
	}
	sort.Strings(keys)
	return keys
}

func joinEnvs() string {
	s := make([]string, len(Environments))
	for i, e := range Environments {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ", ")
}
