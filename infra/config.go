package infra

import (
	"fmt"
	"maps"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/securestack/platform/components/network"
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
	// Waivers opt out of named security controls, each with a reason; the report shows them.
	Waivers []Waiver `json:"waivers"`

	// SecretKeys are the config keys given as secrets, sorted.
	SecretKeys []string `json:"-"`
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
	// only, never a /0. Default none.
	PublicAccessCidrs []string `json:"publicAccessCidrs"`
	// LogRetentionDays keeps the control-plane logs (api, audit, authenticator, …): a CloudWatch
	// Logs retention value; dev 30, staging 90, prod 365, and prod at least 365.
	LogRetentionDays int `json:"logRetentionDays"`
	// NodeGroups are the managed node groups by name (^[a-z][a-z0-9-]{0,30}$); at least one.
	// Default: "system" with DefaultNodeGroup of the environment. A group named in stack config
	// overlays the group of that name, or DefaultNodeGroup when there is none.
	NodeGroups map[string]NodeGroupConfig `json:"nodeGroups"`
}

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
	// SecretRecoveryDays is how long a deleted secret can be restored: dev 7, else 30; 7 to 30.
	SecretRecoveryDays int `json:"secretRecoveryDays"`
}

// AccountConfig is platform:account: account-wide singletons, each "manage" (this stack sets it;
// default) or "organization" (left to the organisation: the matching control must be waived with a
// reason naming where it is enforced).
type AccountConfig struct {
	// EBSEncryptionByDefault: EBS encryption by default with the data key as default key (ACC-001).
	EBSEncryptionByDefault string `json:"ebsEncryptionByDefault"`
	// S3PublicAccessBlock: the account-level S3 public access block (ACC-002).
	S3PublicAccessBlock string `json:"s3PublicAccessBlock"`
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
)

var (
	// SingletonModes are the ways an account-wide guardrail can be handled.
	SingletonModes = []string{Manage, Organization}
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
			Version:          "1.34",
			LogRetentionDays: 30,
			NodeGroups:       map[string]NodeGroupConfig{DefaultNodeGroupName: DefaultNodeGroup(env)},
		},
		Access: AccessConfig{Namespaces: []string{"apps"}},
		Storage: StorageConfig{S3Encryption: "AES256", NoncurrentVersionDays: 7, AccessLogDays: 30,
			DynamoDBKey: "customer", SecretRecoveryDays: 7},
		Account: AccountConfig{EBSEncryptionByDefault: Manage, S3PublicAccessBlock: Manage},
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
		c.Storage.NoncurrentVersionDays, c.Storage.AccessLogDays, c.Storage.SecretRecoveryDays = 90, 365, 30
	}
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
	{"waivers", func(c *Config) any { return &c.Waivers }, "explicit opt-outs of security controls"},
}

// ConfigKeys lists every key the platform reads, fully qualified, sorted.
func ConfigKeys() []string {
	keys := []string{"aws:region", Namespace + ":environment"}
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

// ParseConfig turns raw stack config into the typed Config: defaults for the environment, then
// the stack's values, then validation. It returns every problem at once as a *ConfigError.
func ParseConfig(raw Raw) (*Config, error) {
	var problems []string
	env := Environment(raw.Values[Namespace+":environment"])
	if env == "" && slices.Contains(Environments, Environment(raw.Stack)) {
		env = Environment(raw.Stack) // a stack named after its environment needs no key
	}
	if !slices.Contains(Environments, env) {
		if env == "" {
			problems = append(problems, fmt.Sprintf("%s:environment: not set and stack name %q is not an environment (allowed: %s)", Namespace, raw.Stack, joinEnvs()))
		} else {
			problems = append(problems, fmt.Sprintf("%s:environment: %q is not an environment (allowed: %s)", Namespace, env, joinEnvs()))
		}
		env = Prod // validate the rest against the strictest defaults
	}
	cfg := Defaults(env)
	cfg.Project, cfg.Stack, cfg.Region = raw.Project, raw.Stack, raw.Values["aws:region"]
	cfg.SecretKeys = slices.Sorted(slices.Values(raw.SecretKeys))

	// A node group named only in stack config starts from the environment's default node group.
	newEntries := entryTemplates{reflect.TypeFor[NodeGroupConfig](): func() any { return DefaultNodeGroup(env) }}
	known := map[string]bool{Namespace + ":environment": true}
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
		if strings.HasPrefix(key, Namespace+":") && !known[key] {
			problems = append(problems, fmt.Sprintf("%s: unknown key (allowed: %s)", key, strings.Join(platformKeys(), ", ")))
		}
	}
	for _, key := range cfg.SecretKeys {
		if strings.HasPrefix(key, Namespace+":") {
			// No platform key holds a secret yet: a secret given here would be decoded into plain
			// values and lose its protection, so refuse rather than leak it.
			problems = append(problems, fmt.Sprintf("%s: is stored as a secret, but no platform setting under it is secret; set it without --secret, or keep the secret in AWS Secrets Manager", key))
		}
	}
	problems = append(problems, cfg.validate(raw.KnownControls)...)
	if len(problems) > 0 {
		return nil, &ConfigError{Stack: raw.Stack, Problems: problems}
	}
	return &cfg, nil
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)

// validate checks the typed config; every message names the key path, the value and what is allowed.
func (c *Config) validate(knownControls []string) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	n := Namespace

	switch {
	case c.Region == "":
		add("aws:region: not set (set it with `pulumi config set aws:region eu-west-1`)")
	case !regionPattern.MatchString(c.Region):
		add("aws:region: %q is not an AWS region name (for example eu-west-1)", c.Region)
	}

	for _, k := range slices.Sorted(maps.Keys(c.Tags)) {
		v := c.Tags[k]
		switch {
		case k == "" || utf8.RuneCountInString(k) > 128:
			add("%s:tags: key %q must be 1 to 128 characters", n, k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			add("%s:tags.%s: the aws: prefix is reserved by AWS", n, k)
		case slices.Contains(reservedTagKeys, k):
			add("%s:tags.%s: is set by the platform itself (reserved: %s)", n, k, strings.Join(reservedTagKeys, ", "))
		}
		if n := utf8.RuneCountInString(v); n > 256 {
			add("%s:tags.%s: value is %d characters, at most 256 are allowed", Namespace, k, n)
		}
	}

	net := c.Network
	np := n + ":network"
	switch {
	case net.AzCount < network.MinAZs:
		add("%s.azCount: %d is below the minimum of %d (multi-AZ is required)", np, net.AzCount, network.MinAZs)
	case net.AzCount > network.MaxAZs:
		add("%s.azCount: %d is above the maximum of %d", np, net.AzCount, network.MaxAZs)
	}
	if len(net.AvailabilityZones) > 0 && len(net.AvailabilityZones) != net.AzCount {
		add("%s.azCount: %d does not match the %d zones named in %s.availabilityZones", np, net.AzCount, len(net.AvailabilityZones), np)
	}
	zones := net.AvailabilityZones
	if regionPattern.MatchString(c.Region) {
		// Zone names are the region and one letter (eu-west-1a).
		zoneOfRegion := regexp.MustCompile("^" + regexp.QuoteMeta(c.Region) + "[a-z]$")
		for i, az := range net.AvailabilityZones {
			if !zoneOfRegion.MatchString(az) {
				add("%s.availabilityZones[%d]: %q is not a zone of region %s (for example %sa)", np, i, az, c.Region, c.Region)
				zones = nil // reported; the plan below checks only the CIDR and duplicates
			}
		}
	}
	// The CIDR and zone rules live with the subnet plan; check them with the zones we know.
	if len(zones) == 0 {
		for i := range max(net.AzCount, 0) {
			zones = append(zones, fmt.Sprintf("zone-%d", i+1)) // names do not matter for the CIDR rules
		}
	}
	if prefix, err := netip.ParsePrefix(net.Cidr); err != nil {
		add("%s.cidr: %q is not an IPv4 CIDR block (for example 10.0.0.0/16)", np, net.Cidr)
	} else if len(zones) >= network.MinAZs && len(zones) <= network.MaxAZs {
		if _, err := network.Plan(network.PlanInput{VpcCIDR: prefix, AZs: zones}); err != nil {
			// The plan names its inputs vpcCidr and azs; here they are cidr and availabilityZones.
			for _, line := range strings.Split(err.Error(), "\n") {
				line = strings.Replace(line, "vpcCidr:", "cidr:", 1)
				line = strings.ReplaceAll(strings.Replace(line, "azs:", "availabilityZones:", 1), "azs[", "availabilityZones[")
				add("%s.%s", np, line)
			}
		}
	}
	if !slices.Contains(NatStrategies, net.NatGateways) {
		add("%s.natGateways: %q is not a NAT strategy (allowed: %s)", np, net.NatGateways, strings.Join(NatStrategies, ", "))
	} else if c.Environment == Prod && net.NatGateways != "perAz" {
		add("%s.natGateways: %q is not allowed in prod: one NAT gateway makes every zone depend on one (allowed in prod: perAz)", np, net.NatGateways)
	}
	if !slices.Contains(LogRetentionDays, net.FlowLogRetentionDays) {
		add("%s.flowLogRetentionDays: %d is not a retention CloudWatch Logs accepts (allowed: %s)", np, net.FlowLogRetentionDays, joinInts(LogRetentionDays))
	} else if c.Environment == Prod && net.FlowLogRetentionDays < MinProdFlowLogRetentionDays {
		add("%s.flowLogRetentionDays: %d is below the prod minimum of %d", np, net.FlowLogRetentionDays, MinProdFlowLogRetentionDays)
	}
	seen := map[string]bool{}
	for i, svc := range net.InterfaceEndpoints {
		switch {
		case !slices.Contains(InterfaceEndpointServices, svc):
			add("%s.interfaceEndpoints[%d]: %q is not a supported service (allowed: %s)", np, i, svc, strings.Join(InterfaceEndpointServices, ", "))
		case seen[svc]:
			add("%s.interfaceEndpoints[%d]: %q is listed twice", np, i, svc)
		}
		seen[svc] = true
	}

	if w := c.Keys.DeletionWindowDays; w < MinKeyDeletionWindowDays || w > MaxKeyDeletionWindowDays {
		add("%s:keys.deletionWindowDays: %d is outside the allowed range %d to %d", n, w, MinKeyDeletionWindowDays, MaxKeyDeletionWindowDays)
	}

	p = append(p, c.Cluster.validate(n+":cluster", c.Environment)...)
	p = append(p, c.Access.validate(n+":access")...)

	st := c.Storage
	sp := n + ":storage"
	if !slices.Contains(S3Encryptions, st.S3Encryption) {
		add("%s.s3Encryption: %q is not an S3 encryption (allowed: %s)", sp, st.S3Encryption, strings.Join(S3Encryptions, ", "))
	}
	for _, f := range []struct {
		key  string
		days int
	}{{"noncurrentVersionDays", st.NoncurrentVersionDays}, {"accessLogDays", st.AccessLogDays}} {
		if f.days < 1 || f.days > 3650 {
			add("%s.%s: %d is outside the allowed range 1 to 3650", sp, f.key, f.days)
		}
	}
	if c.Environment == Prod && st.AccessLogDays >= 1 && st.AccessLogDays < 365 {
		add("%s.accessLogDays: %d is below the prod minimum of 365", sp, st.AccessLogDays)
	}
	if st.SecretRecoveryDays < 7 || st.SecretRecoveryDays > 30 {
		add("%s.secretRecoveryDays: %d is outside the allowed range 7 to 30", sp, st.SecretRecoveryDays)
	}
	if !slices.Contains(DynamoDBKeys, st.DynamoDBKey) {
		add("%s.dynamodbKey: %q is not a key choice (allowed: %s)", sp, st.DynamoDBKey, strings.Join(DynamoDBKeys, ", "))
	} else if st.DynamoDBKey == "aws-owned" {
		c.requireWaiver(add, sp+".dynamodbKey", st.DynamoDBKey, "DDB-001")
	}
	for _, f := range []struct {
		key, mode, control string
	}{{"ebsEncryptionByDefault", c.Account.EBSEncryptionByDefault, "ACC-001"}, {"s3PublicAccessBlock", c.Account.S3PublicAccessBlock, "ACC-002"}} {
		path := n + ":account." + f.key
		switch {
		case !slices.Contains(SingletonModes, f.mode):
			add("%s: %q is not a mode (allowed: %s)", path, f.mode, strings.Join(SingletonModes, ", "))
		case f.mode == Organization:
			c.requireWaiver(add, path, f.mode, f.control)
		}
	}

	waived := map[string]bool{}
	for i, w := range c.Waivers {
		wp := fmt.Sprintf("%s:waivers[%d]", n, i)
		switch {
		case w.Control == "":
			add("%s.control: not set (name the control id to waive)", wp)
		case knownControls != nil && !slices.Contains(knownControls, w.Control):
			add("%s.control: %q is not a control id (allowed: %s)", wp, w.Control, strings.Join(knownControls, ", "))
		case waived[w.Control]:
			add("%s.control: %q is waived twice", wp, w.Control)
		}
		waived[w.Control] = true
		if utf8.RuneCountInString(strings.TrimSpace(w.Reason)) < minWaiverReasonLength {
			add("%s.reason: %q is too short: say why the control does not apply (at least %d characters)", wp, w.Reason, minWaiverReasonLength)
		}
	}
	return p
}

var (
	versionPattern      = regexp.MustCompile(`^1\.[0-9]{2}$`)
	nodeGroupNamePat    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	principalPattern    = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$`)
	dns1123LabelPattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// validate checks platform:cluster; cp is its key path.
func (c ClusterConfig) validate(cp string, env Environment) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	versions := strings.Join(KubernetesVersions, ", ")
	switch {
	case !versionPattern.MatchString(c.Version):
		add("%s.version: %q is not of the form 1.NN (allowed: %s)", cp, c.Version, versions)
	case !slices.Contains(KubernetesVersions, c.Version):
		add("%s.version: %q is not a supported Kubernetes version (allowed: %s)", cp, c.Version, versions)
	}

	switch {
	case c.EndpointPublicAccess && env == Prod:
		add("%s.endpointPublicAccess: true is not allowed in prod: prod's API endpoint is private only; deploy from a runner inside the VPC (allowed in prod: false)", cp)
	case c.EndpointPublicAccess && len(c.PublicAccessCidrs) == 0:
		add("%s.publicAccessCidrs: not set, but endpointPublicAccess is true (an allow-list of the networks that may reach the API endpoint is required; never the whole internet)", cp)
	case !c.EndpointPublicAccess && len(c.PublicAccessCidrs) > 0:
		add("%s.publicAccessCidrs: %s has no effect while endpointPublicAccess is false; remove it", cp, show(c.PublicAccessCidrs))
	}
	seen := map[string]bool{}
	for i, cidr := range c.PublicAccessCidrs {
		prefix, err := netip.ParsePrefix(cidr)
		switch {
		case err != nil:
			add("%s.publicAccessCidrs[%d]: %q is not a CIDR block (for example 203.0.113.0/24)", cp, i, cidr)
		case prefix.Bits() == 0:
			add("%s.publicAccessCidrs[%d]: %q opens the API endpoint to the whole internet; list only the networks that need it", cp, i, cidr)
		case prefix.Addr().Is6():
			add("%s.publicAccessCidrs[%d]: %q is IPv6; EKS public access CIDRs are IPv4 only", cp, i, cidr)
		case prefix.Masked() != prefix:
			add("%s.publicAccessCidrs[%d]: %q is not a network address (host bits are set); did you mean %s?", cp, i, cidr, prefix.Masked())
		case seen[prefix.String()]:
			add("%s.publicAccessCidrs[%d]: %q is listed twice", cp, i, cidr)
		}
		if err == nil {
			seen[prefix.String()] = true
		}
	}

	if !slices.Contains(LogRetentionDays, c.LogRetentionDays) {
		add("%s.logRetentionDays: %d is not a retention CloudWatch Logs accepts (allowed: %s)", cp, c.LogRetentionDays, joinInts(LogRetentionDays))
	} else if env == Prod && c.LogRetentionDays < MinProdClusterLogRetentionDays {
		add("%s.logRetentionDays: %d is below the prod minimum of %d", cp, c.LogRetentionDays, MinProdClusterLogRetentionDays)
	}

	if len(c.NodeGroups) == 0 {
		add("%s.nodeGroups: not set (at least one node group is required)", cp)
	}
	for _, name := range slices.Sorted(maps.Keys(c.NodeGroups)) {
		g := c.NodeGroups[name]
		gp := cp + ".nodeGroups." + name
		if !nodeGroupNamePat.MatchString(name) {
			add("%s.nodeGroups: name %q is not a node group name (allowed: a lowercase letter, then up to 30 lowercase letters, digits or '-')", cp, name)
		}
		if len(g.InstanceTypes) == 0 {
			add("%s.instanceTypes: not set (name at least one instance type, for example m6i.large)", gp)
		}
		types := map[string]bool{}
		for i, t := range g.InstanceTypes {
			switch {
			case !instanceTypePattern.MatchString(t):
				add("%s.instanceTypes[%d]: %q is not an EC2 instance type (for example m6i.large)", gp, i, t)
			case types[t]:
				add("%s.instanceTypes[%d]: %q is listed twice", gp, i, t)
			}
			types[t] = true
		}
		if !slices.Contains(AmiTypes, g.AmiType) {
			add("%s.amiType: %q is not an AMI type (allowed: %s)", gp, g.AmiType, strings.Join(AmiTypes, ", "))
		}
		if !slices.Contains(CapacityTypes, g.CapacityType) {
			add("%s.capacityType: %q is not a capacity type (allowed: %s)", gp, g.CapacityType, strings.Join(CapacityTypes, ", "))
		}
		switch {
		case env == Prod && g.MinSize < MinProdNodeGroupSize:
			add("%s.minSize: %d is below the prod minimum of %d (a single node is a single point of failure)", gp, g.MinSize, MinProdNodeGroupSize)
		case g.MinSize < 0:
			add("%s.minSize: %d is below the minimum of 0", gp, g.MinSize)
		}
		if g.MaxSize < 1 {
			add("%s.maxSize: %d is below the minimum of 1", gp, g.MaxSize)
		}
		if g.MinSize > g.MaxSize {
			add("%s.minSize: %d is above maxSize %d", gp, g.MinSize, g.MaxSize)
		} else if g.DesiredSize < g.MinSize || g.DesiredSize > g.MaxSize {
			add("%s.desiredSize: %d is outside minSize %d to maxSize %d", gp, g.DesiredSize, g.MinSize, g.MaxSize)
		}
		if d := g.DiskSizeGiB; d < MinNodeDiskSizeGiB || d > MaxNodeDiskSizeGiB {
			add("%s.diskSizeGiB: %d is outside the allowed range %d to %d", gp, d, MinNodeDiskSizeGiB, MaxNodeDiskSizeGiB)
		}
	}
	return p
}

// validate checks platform:access; ap is its key path.
func (a AccessConfig) validate(ap string) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	mapped := map[string]string{} // principal → where it was first listed, e.g. "admins[0]"
	for _, persona := range []struct {
		key        string
		principals []string
	}{{"admins", a.Admins}, {"gitops", a.Gitops}, {"developers", a.Developers}} {
		for i, arn := range persona.principals {
			at := fmt.Sprintf("%s[%d]", persona.key, i)
			first, dup := mapped[arn]
			switch {
			case !principalPattern.MatchString(arn):
				add("%s.%s: %q must be an IAM role or user ARN (for example arn:aws:iam::123456789012:role/platform-admins)", ap, at, arn)
			case dup && strings.HasPrefix(first, persona.key+"["):
				add("%s.%s: %q is listed twice", ap, at, arn)
			case dup:
				add("%s.%s: %q is already mapped as %s; a principal has one persona", ap, at, arn, first)
			default:
				mapped[arn] = at
			}
		}
	}

	if len(a.Namespaces) == 0 {
		add("%s.namespaces: not set (the gitops and developers personas need at least one namespace)", ap)
	}
	seen := map[string]bool{}
	for i, ns := range a.Namespaces {
		switch {
		case len(ns) > 63 || !dns1123LabelPattern.MatchString(ns):
			add("%s.namespaces[%d]: %q is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)", ap, i, ns)
		case slices.Contains(reservedNamespaces, ns):
			add("%s.namespaces[%d]: %q belongs to Kubernetes itself (reserved: %s)", ap, i, ns, strings.Join(reservedNamespaces, ", "))
		case seen[ns]:
			add("%s.namespaces[%d]: %q is listed twice", ap, i, ns)
		}
		seen[ns] = true
	}
	return p
}

// requireWaiver reports an opt-out that is not backed by a waiver of its control: an opt-out is
// always explicit, with a reason the report shows.
func (c *Config) requireWaiver(add func(string, ...any), path, value, control string) {
	if _, ok := c.WaiverFor(control); !ok {
		add("%s: %q opts out of control %s: add a waiver {control: %s, reason: ...} to %s:waivers saying where it is enforced instead", path, value, control, control, Namespace)
	}
}

// WaiverFor returns the waiver of a control, if there is one.
func (c *Config) WaiverFor(control string) (Waiver, bool) {
	for _, w := range c.Waivers {
		if w.Control == control {
			return w, true
		}
	}
	return Waiver{}, false
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
