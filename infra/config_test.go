package infra_test

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/securestack/platform/infra"
)

// region is the region every case uses unless it is about the region itself.
const region = "eu-west-1"

// raw builds the raw config of a stack as the Pulumi CLI passes it: aws:region plus the given
// "namespace:key", value pairs (JSON text for structured values).
// edgeOK is an edge every test stack names: the default catalog load-balances the frontend.
const edgeOK = `{"domain":"app.example.com","hostedZoneId":"Z0EXAMPLEZONE"}`

func raw(stack string, kv ...string) infra.Raw {
	if len(kv)%2 != 0 {
		panic("raw: odd number of key/value arguments")
	}
	// The default catalog load-balances the frontend, which needs an edge: every stack names one.
	values := map[string]string{"aws:region": region, "platform:edge": edgeOK}
	if stack == "prod" {
		values["aws:allowedAccountIds"] = `["123456789012"]` // required in prod
	}
	for i := 0; i < len(kv); i += 2 {
		values[kv[i]] = kv[i+1]
	}
	return infra.Raw{Project: "platform", Stack: stack, Values: values}
}

// problemsOf parses r and returns the problems of the *infra.ConfigError, or nil when the config
// is valid. It fails the test on any other kind of error and checks that exactly one of the
// config and the error is returned.
func problemsOf(t *testing.T, r infra.Raw) (*infra.Config, []string) {
	t.Helper()
	cfg, err := infra.ParseConfig(r)
	if err == nil {
		if cfg == nil {
			t.Fatalf("ParseConfig returned neither a config nor an error")
		}
		return cfg, nil
	}
	var ce *infra.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want a *infra.ConfigError, got %T: %v", err, err)
	}
	if cfg != nil {
		t.Errorf("ParseConfig returned a config along with an error: %+v", cfg)
	}
	if ce.Stack != r.Stack {
		t.Errorf("ConfigError.Stack = %q, want %q", ce.Stack, r.Stack)
	}
	if len(ce.Problems) == 0 {
		t.Fatalf("ConfigError without problems: %v", err)
	}
	return nil, ce.Problems
}

// mustParse parses r and fails the test if it is not valid.
func mustParse(t *testing.T, r infra.Raw) *infra.Config {
	t.Helper()
	cfg, problems := problemsOf(t, r)
	if problems != nil {
		t.Fatalf("want a valid config, got %d problem(s):\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	return cfg
}

// wantProblems checks that r yields exactly the problems want, in order.
func wantProblems(t *testing.T, r infra.Raw, want ...string) {
	t.Helper()
	_, got := problemsOf(t, r)
	if got == nil {
		t.Fatalf("want %d problem(s), got a valid config:\n  %s", len(want), strings.Join(want, "\n  "))
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %d problem(s):\n  %s\nwant %d:\n  %s", len(got), strings.Join(got, "\n  "),
			len(want), strings.Join(want, "\n  "))
	}
}

// TestDefaultsPerEnvironment: a stack named after its environment with only aws:region set gets
// exactly that environment's secure defaults.
func TestDefaultsPerEnvironment(t *testing.T) {
	nodes := func(instanceType string, minSize, maxSize, desired int) infra.NodeGroupConfig {
		return infra.NodeGroupConfig{InstanceTypes: []string{instanceType}, AmiType: "AL2023_x86_64_STANDARD",
			CapacityType: "ON_DEMAND", MinSize: minSize, MaxSize: maxSize, DesiredSize: desired, DiskSizeGiB: 50}
	}
	tests := []struct {
		env       infra.Environment
		nat       string
		retention int // flow logs and control-plane logs alike
		endpoints []string
		stateful  infra.StatefulConfig
		storage   infra.StorageConfig
		nodes     infra.NodeGroupConfig
		// Registry scanning (the account's), images kept, dev's force delete, Falco.
		scanning   string
		keepImages int
		falco      bool
	}{
		{infra.Dev, "single", 30, nil, infra.StatefulConfig{Protect: false, RetainOnDelete: false},
			infra.StorageConfig{S3Encryption: "AES256", NoncurrentVersionDays: 7, AccessLogDays: 30, DynamoDBKey: "customer", SecretRecoveryDays: 0}, nodes("t3.large", 1, 3, 2),
			"basic", 50, false},
		{infra.Staging, "single", 90, nil, infra.StatefulConfig{Protect: false, RetainOnDelete: false},
			infra.StorageConfig{S3Encryption: "AES256", NoncurrentVersionDays: 30, AccessLogDays: 90, DynamoDBKey: "customer", SecretRecoveryDays: 30}, nodes("m6i.large", 2, 4, 2),
			"basic", 50, false},
		{infra.Prod, "perAz", 365, []string{"ecr.api", "ecr.dkr", "logs", "sts"}, infra.StatefulConfig{Protect: true, RetainOnDelete: true},
			infra.StorageConfig{S3Encryption: "AES256", NoncurrentVersionDays: 90, AccessLogDays: 365, DynamoDBKey: "customer", SecretRecoveryDays: 30}, nodes("m6i.large", 3, 6, 3),
			"enhanced", 200, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.env), func(t *testing.T) {
			cfg := mustParse(t, raw(string(tc.env)))
			want := infra.Config{
				Project:     "platform",
				Stack:       string(tc.env),
				Region:      region,
				Environment: tc.env,
				Tags:        map[string]string{},
				Network: infra.NetworkConfig{
					Cidr:                 "10.0.0.0/16",
					AzCount:              2,
					NatGateways:          tc.nat,
					FlowLogRetentionDays: tc.retention,
					InterfaceEndpoints:   tc.endpoints,
				},
				Keys: infra.KeysConfig{DeletionWindowDays: 30},
				Cluster: infra.ClusterConfig{
					Version:              "1.34",
					EndpointPublicAccess: false,
					LogRetentionDays:     tc.retention,
					ControlPlaneAzCount:  2,
					NodeGroups:           map[string]infra.NodeGroupConfig{"system": tc.nodes},
				},
				Access:  infra.AccessConfig{Namespaces: []string{"apps"}},
				Storage: tc.storage,
				Account: infra.AccountConfig{EBSEncryptionByDefault: "manage", S3PublicAccessBlock: "manage", GuardDuty: "create",
					Findings: infra.FindingsConfig{MinSeverity: "medium"}, RegistryScanning: tc.scanning, GitHubOIDCProvider: "manage"},
				Registry:  infra.RegistryConfig{KeepImages: tc.keepImages, UntaggedDays: 7, ForceDelete: tc.env == infra.Dev},
				Detection: infra.DetectionConfig{Falco: tc.falco},
				Stateful:  tc.stateful,
				Runner: infra.RunnerConfig{Enabled: true, ComputeType: "BUILD_GENERAL1_MEDIUM", TimeoutMinutes: 60,
					DeployRoleName: "ci-platform-deploy", PreviewRoleName: "ci-platform-preview", SourceRetentionDays: 7},
			}
			if tc.env == infra.Prod {
				want.AllowedAccountIDs = []string{"123456789012"}
			}
			want.Services = cfg.Services // the catalog is pinned literally by TestDefaultCatalogIsTheRequirementsApplication
			want.Edge = infra.EdgeConfig{Domain: "app.example.com", HostedZoneID: "Z0EXAMPLEZONE", SSLPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
				AllowedCidrs: []string{"0.0.0.0/0"}, DesyncMode: "strictest", DeletionProtection: tc.env == infra.Prod}
			if !reflect.DeepEqual(*cfg, want) {
				t.Errorf("resolved config:\n got  %+v\n want %+v", *cfg, want)
			}
			// Defaults is the single source of these values.
			def := infra.Defaults(tc.env)
			def.Project, def.Stack, def.Region = "platform", string(tc.env), region
			def.Runner.DeployRoleName, def.Runner.PreviewRoleName = "ci-platform-deploy", "ci-platform-preview"
			def.AllowedAccountIDs = want.AllowedAccountIDs
			def.Edge.Domain, def.Edge.HostedZoneID = "app.example.com", "Z0EXAMPLEZONE" // every stack names its own
			if !reflect.DeepEqual(*cfg, def) {
				t.Errorf("resolved config differs from Defaults(%s):\n got  %+v\n want %+v", tc.env, *cfg, def)
			}
			if len(cfg.Waivers) != 0 || len(cfg.SecretKeys) != 0 || len(cfg.Network.AvailabilityZones) != 0 {
				t.Errorf("defaults carry waivers %v, secret keys %v or zones %v", cfg.Waivers, cfg.SecretKeys, cfg.Network.AvailabilityZones)
			}
			// The default node group is DefaultNodeGroup's, and no principal has access by default.
			if got := infra.DefaultNodeGroup(tc.env); !reflect.DeepEqual(got, tc.nodes) {
				t.Errorf("DefaultNodeGroup(%s) = %+v, want %+v", tc.env, got, tc.nodes)
			}
			if a := cfg.Access; len(a.Admins)+len(a.Gitops)+len(a.Developers) != 0 || len(cfg.Cluster.PublicAccessCidrs) != 0 {
				t.Errorf("defaults grant access: access %+v, public access CIDRs %v", a, cfg.Cluster.PublicAccessCidrs)
			}
		})
	}
}

// TestEnvironmentFromStackNameOrKey: the environment comes from platform:environment when set,
// else from a stack named after an environment; anything else is a precise error.
func TestEnvironmentFromStackNameOrKey(t *testing.T) {
	tests := []struct {
		name     string
		raw      infra.Raw
		wantEnv  infra.Environment // when valid
		wantNat  string            // the environment's default, proving its defaults were applied
		problems []string          // when invalid
	}{
		{name: "dev stack, no key", raw: raw("dev"), wantEnv: infra.Dev, wantNat: "single"},
		{name: "staging stack, no key", raw: raw("staging"), wantEnv: infra.Staging, wantNat: "single"},
		{name: "prod stack, no key", raw: raw("prod"), wantEnv: infra.Prod, wantNat: "perAz"},
		{name: "key on a free-named stack", raw: raw("payments-eu", "platform:environment", "staging"), wantEnv: infra.Staging, wantNat: "single"},
		{name: "key that repeats the stack's environment", raw: raw("prod", "platform:environment", "prod"), wantEnv: infra.Prod, wantNat: "perAz"},
		{
			// A prod stack saying dev would turn every prod-only control "not applicable".
			name:     "key contradicting a stack named after an environment",
			raw:      raw("prod", "platform:environment", "dev"),
			problems: []string{`platform:environment: "dev" contradicts the stack name "prod", which is an environment's name: remove the key, or name the stack after its environment`},
		},
		{
			name:     "key contradicting a stack named after an environment, other way",
			raw:      raw("dev", "platform:environment", "staging"),
			problems: []string{`platform:environment: "staging" contradicts the stack name "dev", which is an environment's name: remove the key, or name the stack after its environment`},
		},
		{name: "empty key falls back to the stack name", raw: raw("staging", "platform:environment", ""), wantEnv: infra.Staging, wantNat: "single"},
		{
			name:     "sandbox stack, no key",
			raw:      raw("sandbox"),
			problems: []string{`platform:environment: not set and stack name "sandbox" is not an environment (allowed: dev, staging, prod)`},
		},
		{
			name: "stack name is case sensitive",
			raw:  raw("Prod"),
			problems: []string{`platform:environment: not set and stack name "Prod" is not an environment (allowed: dev, staging, prod)`,
				`stack name "Prod": the names derived from it (S3 buckets like "platform-Prod-uploads-000000000000-eu-west-1") allow only lowercase letters, digits and '-', starting and ending with a letter or digit: rename the stack (for example "prod")`},
		},
		{
			name:     "invalid key",
			raw:      raw("dev", "platform:environment", "production"),
			problems: []string{`platform:environment: "production" is not an environment (allowed: dev, staging, prod)`},
		},
		{
			name:     "key is case sensitive",
			raw:      raw("payments", "platform:environment", "Prod"),
			problems: []string{`platform:environment: "Prod" is not an environment (allowed: dev, staging, prod)`},
		},
		{
			name: "unknown environment is validated against the strictest (prod) rules",
			raw:  raw("sandbox", "platform:network", `{"natGateways":"single"}`),
			problems: []string{
				`platform:environment: not set and stack name "sandbox" is not an environment (allowed: dev, staging, prod)`,
				`platform:network.natGateways: "single" is not allowed in prod: one NAT gateway makes every zone depend on one (allowed in prod: perAz)`,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.problems != nil {
				wantProblems(t, tc.raw, tc.problems...)
				return
			}
			cfg := mustParse(t, tc.raw)
			if cfg.Environment != tc.wantEnv {
				t.Errorf("Environment = %q, want %q", cfg.Environment, tc.wantEnv)
			}
			if cfg.Network.NatGateways != tc.wantNat {
				t.Errorf("NatGateways = %q, want %q (the %s default)", cfg.Network.NatGateways, tc.wantNat, tc.wantEnv)
			}
		})
	}
}

// TestEveryValidationRule: each rule of validation and of the decoder, triggered alone by a
// minimal config, yields exactly one problem with its exact message.
func TestEveryValidationRule(t *testing.T) {
	const (
		networkKeys     = "availabilityZones, azCount, cidr, flowLogRetentionDays, interfaceEndpoints, natGateways"
		platformKeys    = "access, account, bootstrap, cluster, detection, edge, environment, images, keys, network, registry, runner, services, stateful, storage, tags, waivers"
		clusterKeys     = "apiAccess, controlPlaneAzCount, endpointPublicAccess, logRetentionDays, nodeGroups, publicAccessCidrs, version"
		nodeGroupKeys   = "amiType, capacityType, desiredSize, diskSizeGiB, instanceTypes, maxSize, minSize"
		accessKeys      = "admins, developers, gitops, namespaces"
		versions        = "1.32, 1.33, 1.34, 1.35"
		amiTypes        = "AL2023_ARM_64_STANDARD, AL2023_x86_64_STANDARD, BOTTLEROCKET_ARM_64, BOTTLEROCKET_x86_64"
		reservedNs      = "default, kube-node-lease, kube-public, kube-system"
		admin           = "arn:aws:iam::123456789012:role/platform-admins"
		deployer        = "arn:aws:iam::123456789012:role/argocd"
		notPrincipal    = "must be an IAM role or user ARN (for example arn:aws:iam::123456789012:role/platform-admins)"
		notLabel        = "is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)"
		retentions      = "1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
		endpoints       = "autoscaling, ec2, ecr.api, ecr.dkr, elasticloadbalancing, kms, logs, secretsmanager, ssm, sts"
		reservedTags    = "Environment, ManagedBy, Project, Stack"
		goodReason      = "the legacy workload cannot use it yet"
		secretProblem   = "is stored as a secret, but no platform setting under it is secret; set it without --secret, or keep the secret in AWS Secrets Manager"
		invalidZoneName = `is not a valid zone name (allowed: lowercase letters, digits and '-', e.g. "eu-west-1a")`
	)
	noRegion := raw("dev")
	delete(noRegion.Values, "aws:region")
	withControls := func(r infra.Raw) infra.Raw {
		r.KnownControls = []string{"kms-key-rotation", "vpc-flow-logs"}
		return r
	}
	withSecret := func(r infra.Raw, keys ...string) infra.Raw {
		r.SecretKeys = keys
		return r
	}
	cluster := func(stack, json string) infra.Raw { return raw(stack, "platform:cluster", json) }
	system := func(stack, json string) infra.Raw { return cluster(stack, `{"nodeGroups":{"system":`+json+`}}`) }
	access := func(json string) infra.Raw { return raw("dev", "platform:access", json) }

	tests := []struct {
		name string
		raw  infra.Raw
		want string
	}{
		// aws:region
		{"missing aws:region", noRegion,
			"aws:region: not set (set it with `pulumi config set aws:region eu-west-1`)"},
		{"bad region", raw("dev", "aws:region", "eu-west"),
			`aws:region: "eu-west" is not an AWS region name (for example eu-west-1)`},

		// platform:tags
		{"reserved tag key", raw("dev", "platform:tags", `{"Environment":"qa"}`),
			`platform:tags.Environment: is set by the platform itself (reserved: ` + reservedTags + `)`},
		{"reserved tag key ManagedBy", raw("dev", "platform:tags", `{"ManagedBy":"terraform"}`),
			`platform:tags.ManagedBy: is set by the platform itself (reserved: ` + reservedTags + `)`},
		{"aws: tag prefix", raw("dev", "platform:tags", `{"aws:cloudformation:stack-name":"x"}`),
			`platform:tags.aws:cloudformation:stack-name: the aws: prefix is reserved by AWS`},
		{"aws: tag prefix in any case", raw("dev", "platform:tags", `{"AWS:Owner":"x"}`),
			`platform:tags.AWS:Owner: the aws: prefix is reserved by AWS`},
		{"empty tag key", raw("dev", "platform:tags", `{"":"x"}`),
			`platform:tags: key "" must be 1 to 128 characters`},
		{"tag key too long", raw("dev", "platform:tags", `{"`+strings.Repeat("k", 129)+`":"x"}`),
			`platform:tags: key "` + strings.Repeat("k", 129) + `" must be 1 to 128 characters`},
		{"tag value too long", raw("dev", "platform:tags", `{"team":"`+strings.Repeat("v", 257)+`"}`),
			`platform:tags.team: value is 257 characters, at most 256 are allowed`},

		// platform:network
		{"azCount 1", raw("dev", "platform:network", `{"azCount":1}`),
			`platform:network.azCount: 1 is below the minimum of 2 (multi-AZ is required)`},
		{"azCount 0", raw("dev", "platform:network", `{"azCount":0}`),
			`platform:network.azCount: 0 is below the minimum of 2 (multi-AZ is required)`},
		{"azCount negative", raw("dev", "platform:network", `{"azCount":-3}`),
			`platform:network.azCount: -3 is below the minimum of 2 (multi-AZ is required)`},
		{"azCount 7", raw("dev", "platform:network", `{"azCount":7}`),
			`platform:network.azCount: 7 is above the maximum of 6`},
		{"zones count mismatch", raw("dev", "platform:network", `{"availabilityZones":["eu-west-1a","eu-west-1b","eu-west-1c"]}`),
			`platform:network.azCount: 2 does not match the 3 zones named in platform:network.availabilityZones`},
		{"zone not in region", raw("dev", "platform:network", `{"availabilityZones":["eu-west-1a","us-east-1b"]}`),
			`platform:network.availabilityZones[1]: "us-east-1b" is not a zone of region eu-west-1 (for example eu-west-1a)`},
		{"invalid zone name (network.Plan)", raw("dev", "platform:network", `{"availabilityZones":["eu-west-1a","eu-west-1B"]}`),
			`platform:network.availabilityZones[1]: "eu-west-1B" is not a zone of region eu-west-1 (for example eu-west-1a)`},
		{"bad CIDR text", raw("dev", "platform:network", `{"cidr":"10.0.0.0"}`),
			`platform:network.cidr: "10.0.0.0" is not an IPv4 CIDR block (for example 10.0.0.0/16)`},
		{"CIDR prefix length beyond 32", raw("dev", "platform:network", `{"cidr":"10.0.0.0/33"}`),
			`platform:network.cidr: "10.0.0.0/33" is not an IPv4 CIDR block (for example 10.0.0.0/16)`},
		{"CIDR prefix too short (network.Plan)", raw("dev", "platform:network", `{"cidr":"10.0.0.0/8"}`),
			`platform:network.cidr: "10.0.0.0/8" prefix /8 is outside the allowed range /16 to /22`},
		{"CIDR prefix too long (network.Plan)", raw("dev", "platform:network", `{"cidr":"10.0.0.0/24"}`),
			`platform:network.cidr: "10.0.0.0/24" prefix /24 is outside the allowed range /16 to /22 (its public subnets would be /30, smaller than the AWS minimum subnet size /28)`},
		{"CIDR with host bits (network.Plan)", raw("dev", "platform:network", `{"cidr":"10.0.0.1/16"}`),
			`platform:network.cidr: "10.0.0.1/16" is not a network address (host bits are set); did you mean 10.0.0.0/16?`},
		{"IPv6 CIDR (network.Plan)", raw("dev", "platform:network", `{"cidr":"fd00::/56"}`),
			`platform:network.cidr: "fd00::/56" is IPv6; only IPv4 is supported`},
		{"natGateways unknown", raw("dev", "platform:network", `{"natGateways":"none"}`),
			`platform:network.natGateways: "none" is not a NAT strategy (allowed: perAz, single)`},
		{"natGateways single in prod", raw("prod", "platform:network", `{"natGateways":"single"}`),
			`platform:network.natGateways: "single" is not allowed in prod: one NAT gateway makes every zone depend on one (allowed in prod: perAz)`},
		{"flow log retention not a CloudWatch value", raw("dev", "platform:network", `{"flowLogRetentionDays":100}`),
			`platform:network.flowLogRetentionDays: 100 is not a retention CloudWatch Logs accepts (allowed: ` + retentions + `)`},
		{"prod flow log retention below 365", raw("prod", "platform:network", `{"flowLogRetentionDays":180}`),
			`platform:network.flowLogRetentionDays: 180 is below the prod minimum of 365`},
		{"unknown interface endpoint", raw("dev", "platform:network", `{"interfaceEndpoints":["sts","s3"]}`),
			`platform:network.interfaceEndpoints[1]: "s3" is not a supported service (allowed: ` + endpoints + `)`},
		{"duplicate interface endpoint", raw("dev", "platform:network", `{"interfaceEndpoints":["sts","kms","sts"]}`),
			`platform:network.interfaceEndpoints[2]: "sts" is listed twice`},

		// platform:keys
		{"key deletion window 6", raw("dev", "platform:keys", `{"deletionWindowDays":6}`),
			`platform:keys.deletionWindowDays: 6 is outside the allowed range 7 to 30`},
		{"key deletion window 31", raw("dev", "platform:keys", `{"deletionWindowDays":31}`),
			`platform:keys.deletionWindowDays: 31 is outside the allowed range 7 to 30`},

		// platform:cluster
		{"version not of the form 1.NN", cluster("dev", `{"version":"v1.33"}`),
			`platform:cluster.version: "v1.33" is not of the form 1.NN (allowed: ` + versions + `)`},
		{"version with a patch level", cluster("dev", `{"version":"1.33.2"}`),
			`platform:cluster.version: "1.33.2" is not of the form 1.NN (allowed: ` + versions + `)`},
		{"version empty", cluster("dev", `{"version":""}`),
			`platform:cluster.version: "" is not of the form 1.NN (allowed: ` + versions + `)`},
		{"version unsupported", cluster("dev", `{"version":"1.29"}`),
			`platform:cluster.version: "1.29" is not a supported Kubernetes version (allowed: ` + versions + `)`},
		{"public endpoint in prod, even with an allow-list", cluster("prod", `{"endpointPublicAccess":true,"publicAccessCidrs":["203.0.113.0/24"]}`),
			`platform:cluster.endpointPublicAccess: true is not allowed in prod: prod's API endpoint is private only; deploy from a runner inside the VPC (allowed in prod: false)`},
		{"public endpoint without an allow-list", cluster("dev", `{"endpointPublicAccess":true}`),
			`platform:cluster.publicAccessCidrs: not set, but endpointPublicAccess is true (an allow-list of the networks that may reach the API endpoint is required; never the whole internet)`},
		{"public endpoint with an empty allow-list", cluster("staging", `{"endpointPublicAccess":true,"publicAccessCidrs":[]}`),
			`platform:cluster.publicAccessCidrs: not set, but endpointPublicAccess is true (an allow-list of the networks that may reach the API endpoint is required; never the whole internet)`},
		{"allow-list without the public endpoint", cluster("dev", `{"publicAccessCidrs":["203.0.113.0/24"]}`),
			`platform:cluster.publicAccessCidrs: ["203.0.113.0/24"] has no effect while endpointPublicAccess is false; remove it`},
		{"public access CIDR not a CIDR", cluster("dev", `{"endpointPublicAccess":true,"publicAccessCidrs":["203.0.113.0/24","203.0.113.7"]}`),
			`platform:cluster.publicAccessCidrs[1]: "203.0.113.7" is not a CIDR block (for example 203.0.113.0/24)`},
		{"public access CIDR with host bits", cluster("dev", `{"endpointPublicAccess":true,"publicAccessCidrs":["203.0.113.7/24"]}`),
			`platform:cluster.publicAccessCidrs[0]: "203.0.113.7/24" is not a network address (host bits are set); did you mean 203.0.113.0/24?`},
		{"public access CIDR 0.0.0.0/0", cluster("dev", `{"endpointPublicAccess":true,"publicAccessCidrs":["0.0.0.0/0"]}`),
			`platform:cluster.publicAccessCidrs[0]: "0.0.0.0/0" opens the API endpoint to the whole internet; list only the networks that need it`},
		{"public access CIDR ::/0", cluster("dev", `{"endpointPublicAccess":true,"publicAccessCidrs":["::/0"]}`),
			`platform:cluster.publicAccessCidrs[0]: "::/0" opens the API endpoint to the whole internet; list only the networks that need it`},
		{"public access CIDR /0 with host bits", cluster("dev", `{"endpointPublicAccess":true,"publicAccessCidrs":["203.0.113.7/0"]}`),
			`platform:cluster.publicAccessCidrs[0]: "203.0.113.7/0" opens the API endpoint to the whole internet; list only the networks that need it`},
		{"public access CIDR IPv6", cluster("dev", `{"endpointPublicAccess":true,"publicAccessCidrs":["2001:db8::/48"]}`),
			`platform:cluster.publicAccessCidrs[0]: "2001:db8::/48" is IPv6; EKS public access CIDRs are IPv4 only`},
		{"public access CIDR twice", cluster("dev", `{"endpointPublicAccess":true,"publicAccessCidrs":["203.0.113.0/24","198.51.100.0/24","203.0.113.0/24"]}`),
			`platform:cluster.publicAccessCidrs[2]: "203.0.113.0/24" is listed twice`},
		{"control-plane log retention not a CloudWatch value", cluster("dev", `{"logRetentionDays":100}`),
			`platform:cluster.logRetentionDays: 100 is not a retention CloudWatch Logs accepts (allowed: ` + retentions + `)`},
		{"prod control-plane log retention below 365", cluster("prod", `{"logRetentionDays":180}`),
			`platform:cluster.logRetentionDays: 180 is below the prod minimum of 365`},
		{"node group name with capitals", cluster("dev", `{"nodeGroups":{"Batch":{}}}`),
			`platform:cluster.nodeGroups: name "Batch" is not a node group name (allowed: a lowercase letter, then up to 30 lowercase letters, digits or '-')`},
		{"node group name starting with a digit", cluster("dev", `{"nodeGroups":{"1st":{}}}`),
			`platform:cluster.nodeGroups: name "1st" is not a node group name (allowed: a lowercase letter, then up to 30 lowercase letters, digits or '-')`},
		{"node group without instance types", system("dev", `{"instanceTypes":[]}`),
			`platform:cluster.nodeGroups.system.instanceTypes: not set (name at least one instance type, for example m6i.large)`},
		{"instance type without size", system("dev", `{"instanceTypes":["m6i"]}`),
			`platform:cluster.nodeGroups.system.instanceTypes[0]: "m6i" is not an EC2 instance type (for example m6i.large)`},
		{"instance type in capitals", system("dev", `{"instanceTypes":["t3.large","M6i.large"]}`),
			`platform:cluster.nodeGroups.system.instanceTypes[1]: "M6i.large" is not an EC2 instance type (for example m6i.large)`},
		{"instance type twice", system("dev", `{"instanceTypes":["m6i.large","m5.large","m6i.large"]}`),
			`platform:cluster.nodeGroups.system.instanceTypes[2]: "m6i.large" is listed twice`},
		{"unknown AMI type", system("dev", `{"amiType":"AL2_x86_64"}`),
			`platform:cluster.nodeGroups.system.amiType: "AL2_x86_64" is not an AMI type (allowed: ` + amiTypes + `)`},
		{"unknown capacity type", system("dev", `{"capacityType":"spot"}`),
			`platform:cluster.nodeGroups.system.capacityType: "spot" is not a capacity type (allowed: ON_DEMAND, SPOT)`},
		{"minSize negative", system("dev", `{"minSize":-1}`),
			`platform:cluster.nodeGroups.system.minSize: -1 is below the minimum of 0`},
		{"maxSize 0", system("dev", `{"minSize":0,"maxSize":0,"desiredSize":0}`),
			`platform:cluster.nodeGroups.system.maxSize: 0 is below the minimum of 1`},
		{"minSize above maxSize", system("dev", `{"minSize":5}`),
			`platform:cluster.nodeGroups.system.minSize: 5 is above maxSize 3`},
		{"desiredSize above maxSize", system("dev", `{"desiredSize":4}`),
			`platform:cluster.nodeGroups.system.desiredSize: 4 is outside minSize 1 to maxSize 3`},
		{"desiredSize below minSize", system("dev", `{"desiredSize":0}`),
			`platform:cluster.nodeGroups.system.desiredSize: 0 is outside minSize 1 to maxSize 3`},
		{"disk too small", system("dev", `{"diskSizeGiB":10}`),
			`platform:cluster.nodeGroups.system.diskSizeGiB: 10 is outside the allowed range 20 to 1000`},
		{"disk too large", system("dev", `{"diskSizeGiB":2000}`),
			`platform:cluster.nodeGroups.system.diskSizeGiB: 2000 is outside the allowed range 20 to 1000`},
		{"prod node group of one", system("prod", `{"minSize":1}`),
			`platform:cluster.nodeGroups.system.minSize: 1 is below the prod minimum of 2 (a single node is a single point of failure)`},
		{"prod node group of minus one: the prod minimum is what to fix", system("prod", `{"minSize":-1}`),
			`platform:cluster.nodeGroups.system.minSize: -1 is below the prod minimum of 2 (a single node is a single point of failure)`},
		{"new prod node group of one", cluster("prod", `{"nodeGroups":{"batch":{"minSize":1}}}`),
			`platform:cluster.nodeGroups.batch.minSize: 1 is below the prod minimum of 2 (a single node is a single point of failure)`},

		// platform:access
		{"admin not an ARN", access(`{"admins":["` + admin + `","platform-admins"]}`),
			`platform:access.admins[1]: "platform-admins" ` + notPrincipal},
		{"assumed-role session is not a principal", access(`{"gitops":["arn:aws:sts::123456789012:assumed-role/argocd/session"]}`),
			`platform:access.gitops[0]: "arn:aws:sts::123456789012:assumed-role/argocd/session" ` + notPrincipal},
		{"account id of 11 digits", access(`{"developers":["arn:aws:iam::12345678901:role/devs"]}`),
			`platform:access.developers[0]: "arn:aws:iam::12345678901:role/devs" ` + notPrincipal},
		{"IAM group is not a principal", access(`{"developers":["arn:aws:iam::123456789012:group/devs"]}`),
			`platform:access.developers[0]: "arn:aws:iam::123456789012:group/devs" ` + notPrincipal},
		{"admin listed twice", access(`{"admins":["` + admin + `","` + deployer + `","` + admin + `"]}`),
			`platform:access.admins[2]: "` + admin + `" is listed twice`},
		{"admin also gitops", access(`{"admins":["` + admin + `"],"gitops":["` + admin + `"]}`),
			`platform:access.gitops[0]: "` + admin + `" is already mapped as admins[0]; a principal has one persona`},
		{"gitops also developer", access(`{"gitops":["` + deployer + `"],"developers":["` + admin + `","` + deployer + `"]}`),
			`platform:access.developers[1]: "` + deployer + `" is already mapped as gitops[0]; a principal has one persona`},
		{"no namespaces", access(`{"namespaces":[]}`),
			`platform:access.namespaces: not set (the gitops and developers personas need at least one namespace)`},
		{"namespace in capitals", access(`{"namespaces":["apps","Payments"]}`),
			`platform:access.namespaces[1]: "Payments" ` + notLabel},
		{"namespace ending in '-'", access(`{"namespaces":["apps-"]}`),
			`platform:access.namespaces[0]: "apps-" ` + notLabel},
		{"namespace kube-system", access(`{"namespaces":["kube-system"]}`),
			`platform:access.namespaces[0]: "kube-system" belongs to Kubernetes itself (reserved: ` + reservedNs + `)`},
		{"namespace default", access(`{"namespaces":["apps","default"]}`),
			`platform:access.namespaces[1]: "default" belongs to Kubernetes itself (reserved: ` + reservedNs + `)`},
		{"namespace twice", access(`{"namespaces":["apps","payments","apps"]}`),
			`platform:access.namespaces[2]: "apps" is listed twice`},

		// platform:waivers
		{"waiver without control", raw("dev", "platform:waivers", `[{"reason":"`+goodReason+`"}]`),
			`platform:waivers[0].control: not set (name the control id to waive)`},
		{"waiver with unknown control", withControls(raw("dev", "platform:waivers", `[{"control":"s3-public-access","reason":"`+goodReason+`"}]`)),
			`platform:waivers[0].control: "s3-public-access" is not a control id (allowed: kms-key-rotation, vpc-flow-logs)`},
		{"waiver twice", withControls(raw("dev", "platform:waivers", `[{"control":"vpc-flow-logs","reason":"`+goodReason+`"},{"control":"vpc-flow-logs","reason":"`+goodReason+`"}]`)),
			`platform:waivers[1].control: "vpc-flow-logs" is waived twice`},
		{"waiver reason too short", raw("dev", "platform:waivers", `[{"control":"vpc-flow-logs","reason":"because"}]`),
			`platform:waivers[0].reason: "because" is too short: say why the control does not apply (at least 10 characters)`},
		{"waiver reason of blanks", raw("dev", "platform:waivers", `[{"control":"vpc-flow-logs","reason":"   no   \t   "}]`),
			`platform:waivers[0].reason: "   no   \t   " is too short: say why the control does not apply (at least 10 characters)`},

		// the decoder
		{"unknown top-level platform key", raw("dev", "platform:netwrk", `{"azCount":2}`),
			`platform:netwrk: unknown key (allowed: ` + platformKeys + `)`},
		{"unknown nested key", raw("dev", "platform:network", `{"azCont":2}`),
			`platform:network.azCont: unknown key (allowed: ` + networkKeys + `)`},
		{"nested keys are case sensitive", raw("dev", "platform:keys", `{"DeletionWindowDays":14}`),
			`platform:keys.DeletionWindowDays: unknown key (allowed: deletionWindowDays)`},
		{"unknown key in a waiver", raw("dev", "platform:waivers", `[{"control":"vpc-flow-logs","reason":"`+goodReason+`","expires":"2030-01-01"}]`),
			`platform:waivers[0].expires: unknown key (allowed: control, reason)`},
		{"wrong type: azCount text", raw("dev", "platform:network", `{"azCount":"two"}`),
			`platform:network.azCount: "two" is not an integer`},
		{"wrong type: azCount fraction", raw("dev", "platform:network", `{"azCount":2.5}`),
			`platform:network.azCount: 2.5 is not an integer`},
		{"wrong type: boolean", raw("dev", "platform:stateful", `{"protect":"yes"}`),
			`platform:stateful.protect: "yes" is not a boolean (true or false)`},
		{"wrong type: list", raw("dev", "platform:network", `{"interfaceEndpoints":"sts"}`),
			`platform:network.interfaceEndpoints: "sts" is not a list of strings`},
		{"wrong type: map", raw("dev", "platform:tags", `{"team":5}`),
			`platform:tags.team: 5 is a number, but a string is expected: quote it in the stack file (team: "5")`},
		{"wrong type: object given as plain text", raw("dev", "platform:network", `10.1.0.0/16`),
			`platform:network: "10.1.0.0/16" is not an object (allowed keys: ` + networkKeys + `)`},
		{"wrong type: object given as a list", raw("dev", "platform:keys", `[30]`),
			`platform:keys: [30] is not an object (allowed keys: deletionWindowDays)`},
		{"wrong type: waivers given as an object", raw("dev", "platform:waivers", `{"control":"vpc-flow-logs"}`),
			`platform:waivers: {"control":"vpc-flow-logs"} is not a list of objects`},
		{"platform key given as secret", withSecret(raw("dev", "platform:tags", `{"team":"payments"}`), "platform:tags"),
			`platform:tags: ` + secretProblem},
		{"unknown key in cluster", cluster("dev", `{"endpointPrivateAccess":true}`),
			`platform:cluster.endpointPrivateAccess: unknown key (allowed: ` + clusterKeys + `)`},
		{"unknown key in the default node group", system("dev", `{"minSze":2}`),
			`platform:cluster.nodeGroups.system.minSze: unknown key (allowed: ` + nodeGroupKeys + `)`},
		{"unknown key in a new node group", cluster("dev", `{"nodeGroups":{"batch":{"spot":true}}}`),
			`platform:cluster.nodeGroups.batch.spot: unknown key (allowed: ` + nodeGroupKeys + `)`},
		{"unknown key in access", access(`{"viewers":["` + admin + `"]}`),
			`platform:access.viewers: unknown key (allowed: ` + accessKeys + `)`},
		{"wrong type: node group field", system("dev", `{"maxSize":"five"}`),
			`platform:cluster.nodeGroups.system.maxSize: "five" is not an integer`},
		{"wrong type: node group given as a number", system("dev", `5`),
			`platform:cluster.nodeGroups.system: 5 is not an object (allowed keys: ` + nodeGroupKeys + `)`},
		{"wrong type: node groups given as a list", cluster("dev", `{"nodeGroups":["system"]}`),
			`platform:cluster.nodeGroups: ["system"] is not a map of objects (each with keys: ` + nodeGroupKeys + `)`},
		{"wrong type: public access flag", cluster("dev", `{"endpointPublicAccess":"no"}`),
			`platform:cluster.endpointPublicAccess: "no" is not a boolean (true or false)`},
		{"wrong type: principals given as text", access(`{"admins":"` + admin + `"}`),
			`platform:access.admins: "` + admin + `" is not a list of strings`},
		{"platform:cluster given as secret", withSecret(cluster("dev", `{"version":"1.34"}`), "platform:cluster"),
			`platform:cluster: ` + secretProblem},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wantProblems(t, tc.raw, tc.want)
		})
	}
}

// TestBoundaryValues: every limit accepts its edge value and rejects the first value past it.
func TestBoundaryValues(t *testing.T) {
	network := func(stack, json string) infra.Raw { return raw(stack, "platform:network", json) }
	tags := func(json string) infra.Raw { return raw("dev", "platform:tags", json) }
	waiver := func(reason string) infra.Raw {
		return raw("dev", "platform:waivers", `[{"control":"vpc-flow-logs","reason":"`+reason+`"}]`)
	}
	cluster := func(stack, json string) infra.Raw { return raw(stack, "platform:cluster", json) }
	system := func(stack, json string) infra.Raw { return cluster(stack, `{"nodeGroups":{"system":`+json+`}}`) }
	public := func(cidr string) infra.Raw {
		return cluster("dev", `{"endpointPublicAccess":true,"publicAccessCidrs":["`+cidr+`"]}`)
	}
	access := func(json string) infra.Raw { return raw("dev", "platform:access", json) }
	const versions = "1.32, 1.33, 1.34, 1.35"
	tests := []struct {
		name string
		raw  infra.Raw
		want string // "" means valid
	}{
		{"azCount 2 with a /16", network("dev", `{"cidr":"10.0.0.0/16","azCount":2}`), ""},
		{"azCount 6 with a /16", network("dev", `{"cidr":"10.0.0.0/16","azCount":6}`), ""},
		{"azCount 6 with a /22", network("dev", `{"cidr":"10.0.0.0/22","azCount":6}`), ""},
		{"azCount 1", network("dev", `{"cidr":"10.0.0.0/16","azCount":1}`),
			`platform:network.azCount: 1 is below the minimum of 2 (multi-AZ is required)`},
		{"azCount 7", network("dev", `{"cidr":"10.0.0.0/16","azCount":7}`),
			`platform:network.azCount: 7 is above the maximum of 6`},
		{"six named zones", network("dev", `{"azCount":6,"availabilityZones":["eu-west-1a","eu-west-1b","eu-west-1c","eu-west-1d","eu-west-1e","eu-west-1f"]}`), ""},
		{"cidr /16", network("dev", `{"cidr":"172.16.0.0/16"}`), ""},
		{"cidr /22", network("dev", `{"cidr":"172.16.4.0/22"}`), ""},
		{"cidr /15", network("dev", `{"cidr":"172.16.0.0/15"}`),
			`platform:network.cidr: "172.16.0.0/15" prefix /15 is outside the allowed range /16 to /22`},
		{"cidr /23", network("dev", `{"cidr":"172.16.4.0/23"}`),
			`platform:network.cidr: "172.16.4.0/23" prefix /23 is outside the allowed range /16 to /22 (its public subnets would be /29, smaller than the AWS minimum subnet size /28)`},
		{"deletion window 7", raw("dev", "platform:keys", `{"deletionWindowDays":7}`), ""},
		{"deletion window 30", raw("dev", "platform:keys", `{"deletionWindowDays":30}`), ""},
		{"deletion window 6", raw("dev", "platform:keys", `{"deletionWindowDays":6}`),
			`platform:keys.deletionWindowDays: 6 is outside the allowed range 7 to 30`},
		{"deletion window 31", raw("dev", "platform:keys", `{"deletionWindowDays":31}`),
			`platform:keys.deletionWindowDays: 31 is outside the allowed range 7 to 30`},
		{"prod retention 365", network("prod", `{"flowLogRetentionDays":365}`), ""},
		{"prod retention 400", network("prod", `{"flowLogRetentionDays":400}`), ""},
		{"prod retention 180", network("prod", `{"flowLogRetentionDays":180}`),
			`platform:network.flowLogRetentionDays: 180 is below the prod minimum of 365`},
		{"dev retention 1", network("dev", `{"flowLogRetentionDays":1}`), ""},
		{"staging retention 1", network("staging", `{"flowLogRetentionDays":1}`), ""},
		{"dev retention 3653", network("dev", `{"flowLogRetentionDays":3653}`), ""},
		{"tag key of 128", tags(`{"` + strings.Repeat("k", 128) + `":"x"}`), ""},
		{"tag value of 256", tags(`{"team":"` + strings.Repeat("v", 256) + `"}`), ""},
		{"empty tag value", tags(`{"team":""}`), ""},
		{"tag value of 257", tags(`{"team":"` + strings.Repeat("v", 257) + `"}`),
			`platform:tags.team: value is 257 characters, at most 256 are allowed`},
		{"version 1.32", cluster("dev", `{"version":"1.32"}`), ""},
		{"version 1.35", cluster("dev", `{"version":"1.35"}`), ""},
		{"version 1.31", cluster("dev", `{"version":"1.31"}`),
			`platform:cluster.version: "1.31" is not a supported Kubernetes version (allowed: ` + versions + `)`},
		{"version 1.36", cluster("dev", `{"version":"1.36"}`),
			`platform:cluster.version: "1.36" is not a supported Kubernetes version (allowed: ` + versions + `)`},
		{"disk 20 GiB", system("dev", `{"diskSizeGiB":20}`), ""},
		{"disk 1000 GiB", system("dev", `{"diskSizeGiB":1000}`), ""},
		{"disk 19 GiB", system("dev", `{"diskSizeGiB":19}`),
			`platform:cluster.nodeGroups.system.diskSizeGiB: 19 is outside the allowed range 20 to 1000`},
		{"disk 1001 GiB", system("dev", `{"diskSizeGiB":1001}`),
			`platform:cluster.nodeGroups.system.diskSizeGiB: 1001 is outside the allowed range 20 to 1000`},
		{"minSize equals maxSize", system("dev", `{"minSize":3,"maxSize":3,"desiredSize":3}`), ""},
		{"desiredSize equals minSize", system("dev", `{"minSize":1,"maxSize":3,"desiredSize":1}`), ""},
		{"desiredSize equals maxSize", system("dev", `{"minSize":1,"maxSize":3,"desiredSize":3}`), ""},
		{"minSize 0 outside prod (scale to zero)", system("staging", `{"minSize":0,"maxSize":1,"desiredSize":0}`), ""},
		{"minSize one above maxSize", system("dev", `{"minSize":4,"maxSize":3,"desiredSize":3}`),
			`platform:cluster.nodeGroups.system.minSize: 4 is above maxSize 3`},
		{"maxSize 1", system("dev", `{"minSize":1,"maxSize":1,"desiredSize":1}`), ""},
		{"prod minSize 2", system("prod", `{"minSize":2,"desiredSize":2}`), ""},
		{"prod minSize 1", system("prod", `{"minSize":1,"desiredSize":2}`),
			`platform:cluster.nodeGroups.system.minSize: 1 is below the prod minimum of 2 (a single node is a single point of failure)`},
		{"dev minSize 1", system("dev", `{"minSize":1}`), ""},
		{"node group name of 1", cluster("dev", `{"nodeGroups":{"a":{}}}`), ""},
		{"node group name of 31", cluster("dev", `{"nodeGroups":{"a`+strings.Repeat("-1", 15)+`":{}}}`), ""},
		{"node group name of 32", cluster("dev", `{"nodeGroups":{"a`+strings.Repeat("b", 31)+`":{}}}`),
			`platform:cluster.nodeGroups: name "a` + strings.Repeat("b", 31) + `" is not a node group name (allowed: a lowercase letter, then up to 30 lowercase letters, digits or '-')`},
		{"instance types of other families", system("dev", `{"instanceTypes":["c7g.2xlarge","r6a.metal","u-6tb1.112xlarge"]}`), ""},
		{"public access CIDR /32", public("203.0.113.7/32"), ""},
		{"public access CIDR /1", public("128.0.0.0/1"), ""},
		{"public access CIDR /0", public("0.0.0.0/0"),
			`platform:cluster.publicAccessCidrs[0]: "0.0.0.0/0" opens the API endpoint to the whole internet; list only the networks that need it`},
		{"prod control-plane log retention 365", cluster("prod", `{"logRetentionDays":365}`), ""},
		{"prod control-plane log retention 180", cluster("prod", `{"logRetentionDays":180}`),
			`platform:cluster.logRetentionDays: 180 is below the prod minimum of 365`},
		{"dev control-plane log retention 1", cluster("dev", `{"logRetentionDays":1}`), ""},
		{"namespace of 63", access(`{"namespaces":["` + strings.Repeat("n", 63) + `"]}`), ""},
		{"namespace of 1", access(`{"namespaces":["a"]}`), ""},
		{"namespace of 64", access(`{"namespaces":["` + strings.Repeat("n", 64) + `"]}`),
			`platform:access.namespaces[0]: "` + strings.Repeat("n", 64) + `" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`},
		{"principals of every partition, users and role paths", access(`{"admins":["arn:aws:iam::123456789012:role/admins","arn:aws-cn:iam::123456789012:user/ops@example.com"],` +
			`"gitops":["arn:aws-us-gov:iam::123456789012:role/ci/argocd"],"developers":["arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Dev_0123456789abcdef"]}`), ""},
		{"partition aws-iso is not accepted", access(`{"admins":["arn:aws-iso:iam::123456789012:role/admins"]}`),
			`platform:access.admins[0]: "arn:aws-iso:iam::123456789012:role/admins" must be an IAM role or user ARN (for example arn:aws:iam::123456789012:role/platform-admins)`},
		{"waiver reason of 10", waiver("0123456789"), ""},
		{"waiver reason of 9", waiver("012345678"),
			`platform:waivers[0].reason: "012345678" is too short: say why the control does not apply (at least 10 characters)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" {
				mustParse(t, tc.raw)
				return
			}
			wantProblems(t, tc.raw, tc.want)
		})
	}
}

// TestAllProblemsReportedAtOnce: one config with many problems across keys yields one
// *ConfigError listing all of them, in a stable order, and Error() lists their count.
func TestAllProblemsReportedAtOnce(t *testing.T) {
	r := infra.Raw{
		Project: "platform",
		Stack:   "qa",
		Values: map[string]string{
			// no aws:region, no platform:environment and a stack not named after one
			"platform:tags":     `{"Stack":"qa","team":"payments"}`,
			"platform:network":  `{"azCount":"three","cidr":"10.0.0.0/8","natGateways":"single"}`,
			"platform:keys":     `{"deletionWindowDays":45}`,
			"platform:stateful": `{"protect":false}`,
			"platform:netwrk":   `{}`,
			"platform:edge":     `{"domain":"qa.example.com","certificateArn":"arn:aws:acm:eu-west-1:123456789012:certificate/0123abcd-0123-4567-89ab-0123456789ab"}`,
			"aws:profile":       "qa", // another namespace: not the platform's business
		},
		SecretKeys: []string{"platform:stateful"},
	}
	want := []string{
		`platform:environment: not set and stack name "qa" is not an environment (allowed: dev, staging, prod)`,
		`platform:network.azCount: "three" is not an integer`,
		`platform:netwrk: unknown key (allowed: access, account, bootstrap, cluster, detection, edge, environment, images, keys, network, registry, runner, services, stateful, storage, tags, waivers)`,
		`platform:stateful: is stored as a secret, but no platform setting under it is secret; set it without --secret, or keep the secret in AWS Secrets Manager`,
		"aws:region: not set (set it with `pulumi config set aws:region eu-west-1`)",
		`platform:tags.Stack: is set by the platform itself (reserved: Environment, ManagedBy, Project, Stack)`,
		`platform:network.cidr: "10.0.0.0/8" prefix /8 is outside the allowed range /16 to /22`,
		`platform:network.natGateways: "single" is not allowed in prod: one NAT gateway makes every zone depend on one (allowed in prod: perAz)`,
		`platform:keys.deletionWindowDays: 45 is outside the allowed range 7 to 30`,
	}

	cfg, err := infra.ParseConfig(r)
	if cfg != nil {
		t.Errorf("want no config, got %+v", cfg)
	}
	var ce *infra.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("want a *infra.ConfigError, got %T: %v", err, err)
	}
	if ce.Stack != "qa" {
		t.Errorf("Stack = %q, want %q", ce.Stack, "qa")
	}
	if !slices.Equal(ce.Problems, want) {
		t.Errorf("got %d problem(s):\n  %s\nwant %d:\n  %s", len(ce.Problems), strings.Join(ce.Problems, "\n  "),
			len(want), strings.Join(want, "\n  "))
	}
	wantText := `invalid config for stack "qa" (9 problem(s)):` + "\n  - " + strings.Join(want, "\n  - ")
	if err.Error() != wantText {
		t.Errorf("Error():\n got  %s\n want %s", err.Error(), wantText)
	}

	// The same problems, in the same order, on every run (maps are iterated in sorted order).
	for range 20 {
		_, err := infra.ParseConfig(r)
		if err == nil || err.Error() != wantText {
			t.Fatalf("order is not stable:\n got  %v\n want %s", err, wantText)
		}
	}
}

// TestStructuredValuesAsTheCLIPassesThem: structured values arrive as JSON text; they decode into
// the typed fields, every nested field they do not name keeps the environment's default, and the
// user's tags are added to the platform's own.
func TestStructuredValuesAsTheCLIPassesThem(t *testing.T) {
	r := raw("prod",
		"platform:network", `{"cidr":"10.1.0.0/16","azCount":3,"availabilityZones":["eu-west-1a","eu-west-1b","eu-west-1c"]}`,
		"platform:tags", `{"team":"payments","cost-center":"cc-42"}`,
		"platform:keys", `{"deletionWindowDays":14}`,
		"platform:stateful", `{"retainOnDelete":false}`,
		"platform:waivers", `[{"control":"vpc-flow-logs","reason":"mirrored by the central network account"}]`,
	)
	r.SecretKeys = []string{"aws:secretKey", "aws:accessKey"} // secrets outside the platform namespace are fine
	cfg := mustParse(t, r)

	want := infra.Defaults(infra.Prod)
	want.Project, want.Stack, want.Region = "platform", "prod", region
	want.AllowedAccountIDs = []string{"123456789012"}
	want.Runner.DeployRoleName, want.Runner.PreviewRoleName = "ci-platform-deploy", "ci-platform-preview"
	want.Network.Cidr = "10.1.0.0/16"
	want.Network.AzCount = 3
	want.Network.AvailabilityZones = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	want.Tags = map[string]string{"team": "payments", "cost-center": "cc-42"}
	want.Keys.DeletionWindowDays = 14
	want.Stateful.RetainOnDelete = false
	want.Waivers = []infra.Waiver{{Control: "vpc-flow-logs", Reason: "mirrored by the central network account"}}
	want.Edge.Domain, want.Edge.HostedZoneID = "app.example.com", "Z0EXAMPLEZONE"
	want.SecretKeys = []string{"aws:accessKey", "aws:secretKey"}
	if !reflect.DeepEqual(*cfg, want) {
		t.Errorf("config:\n got  %+v\n want %+v", *cfg, want)
	}

	// Overlay semantics, spelled out: what the stack did not name is the prod default.
	if cfg.Network.NatGateways != "perAz" || cfg.Network.FlowLogRetentionDays != 365 ||
		!slices.Equal(cfg.Network.InterfaceEndpoints, []string{"ecr.api", "ecr.dkr", "logs", "sts"}) || !cfg.Stateful.Protect {
		t.Errorf("unnamed fields lost their prod defaults: network %+v, stateful %+v", cfg.Network, cfg.Stateful)
	}

	wantTags := map[string]string{
		"Project": "platform", "Stack": "prod", "Environment": "prod", "ManagedBy": "pulumi",
		"team": "payments", "cost-center": "cc-42",
	}
	if got := cfg.BaseTags(); !maps.Equal(got, wantTags) {
		t.Errorf("BaseTags() = %v, want %v", got, wantTags)
	}

	// A nested overlay in another environment keeps that environment's defaults.
	dev := mustParse(t, raw("dev", "platform:network", `{"natGateways":"perAz","interfaceEndpoints":["kms"]}`))
	wantNet := infra.NetworkConfig{Cidr: "10.0.0.0/16", AzCount: 2, NatGateways: "perAz", FlowLogRetentionDays: 30, InterfaceEndpoints: []string{"kms"}}
	if !reflect.DeepEqual(dev.Network, wantNet) {
		t.Errorf("dev network:\n got  %+v\n want %+v", dev.Network, wantNet)
	}
	if dev.Keys.DeletionWindowDays != 30 || dev.Stateful.Protect || dev.Stateful.RetainOnDelete {
		t.Errorf("dev keys %+v / stateful %+v lost their defaults", dev.Keys, dev.Stateful)
	}
}

// TestWaiverLookup: WaiverFor returns the waiver of a control, and reports a control that is not
// waived as absent.
func TestWaiverLookup(t *testing.T) {
	r := raw("dev", "platform:waivers",
		`[{"control":"vpc-flow-logs","reason":"sandbox VPC carries no data"},{"control":"kms-key-rotation","reason":"keys are imported from the HSM"}]`)
	r.KnownControls = []string{"kms-key-rotation", "s3-public-access", "vpc-flow-logs"}
	cfg := mustParse(t, r)

	tests := []struct {
		control string
		want    infra.Waiver
		ok      bool
	}{
		{"vpc-flow-logs", infra.Waiver{Control: "vpc-flow-logs", Reason: "sandbox VPC carries no data"}, true},
		{"kms-key-rotation", infra.Waiver{Control: "kms-key-rotation", Reason: "keys are imported from the HSM"}, true},
		{"s3-public-access", infra.Waiver{}, false},
		{"", infra.Waiver{}, false},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%q", tc.control), func(t *testing.T) {
			got, ok := cfg.WaiverFor(tc.control)
			if got != tc.want || ok != tc.ok {
				t.Errorf("WaiverFor(%q) = %+v, %v; want %+v, %v", tc.control, got, ok, tc.want, tc.ok)
			}
		})
	}

	none := mustParse(t, raw("dev"))
	if w, ok := none.WaiverFor("vpc-flow-logs"); ok || w != (infra.Waiver{}) {
		t.Errorf("without waivers: WaiverFor = %+v, %v; want zero, false", w, ok)
	}
}

// FuzzParseConfig: whatever the network JSON text and the region, ParseConfig does not panic and
// returns either a *ConfigError with at least one problem or a config with 2 to 6 zones.
func FuzzParseConfig(f *testing.F) {
	for _, seed := range []struct{ network, region string }{
		{`{"cidr":"10.1.0.0/16","azCount":3,"availabilityZones":["eu-west-1a","eu-west-1b","eu-west-1c"]}`, "eu-west-1"},
		{`{"azCount":1}`, "eu-west-1"},
		{`{"azCount":7}`, "us-east-1"},
		{`{"azCount":6,"cidr":"10.0.0.0/22"}`, "us-gov-west-1"},
		{`{"cidr":"10.0.0.1/24","availabilityZones":["x","x",""]}`, "eu-west-1"},
		{`{"cidr":"fd00::/56","natGateways":"perAz","flowLogRetentionDays":365}`, "ap-southeast-2"},
		{`{"azCount":"two","azCont":2,"interfaceEndpoints":["sts","sts","s3"]}`, ""},
		{`{"azCount":null,"availabilityZones":null}`, "EU-WEST-1"},
		{`{"azCount":1e20}`, "eu-west-1"},
		{`[]`, "eu-west-1"},
		{`null`, "eu-west-1"},
		{`not json`, "eu west 1"},
		{``, ""},
	} {
		f.Add(seed.network, seed.region)
	}
	f.Fuzz(func(t *testing.T, network, region string) {
		r := infra.Raw{Project: "platform", Stack: "dev", Values: map[string]string{
			"aws:region":       region,
			"platform:network": network,
		}}
		cfg, err := infra.ParseConfig(r)
		if err != nil {
			var ce *infra.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("want a *infra.ConfigError, got %T: %v", err, err)
			}
			if len(ce.Problems) == 0 {
				t.Fatalf("ConfigError without problems: %v", err)
			}
			if cfg != nil {
				t.Fatalf("config returned along with an error")
			}
			return
		}
		if cfg == nil {
			t.Fatalf("neither a config nor an error")
		}
		if n := cfg.Network.AzCount; n < 2 || n > 6 {
			t.Fatalf("valid config with azCount %d (network %q, region %q)", n, network, region)
		}
		if zones := cfg.Network.AvailabilityZones; len(zones) != 0 && len(zones) != cfg.Network.AzCount {
			t.Fatalf("valid config with %d zones but azCount %d", len(zones), cfg.Network.AzCount)
		}
	})
}

// TestReviewedEdgeCases pins fixes found in review: a bad region yields one problem, not echoes in
// derived zone names; plan messages use the config's field names; lengths count characters; and a
// JSON null leaves the default in place.
func TestReviewedEdgeCases(t *testing.T) {
	cases := []struct {
		name string
		in   infra.Raw
		want []string
	}{
		{"bad region reported once", infra.Raw{Project: "platform", Stack: "dev", Values: map[string]string{"platform:edge": edgeOK, "aws:region": "EU-WEST-1"}},
			[]string{`aws:region: "EU-WEST-1" is not an AWS region name (for example eu-west-1)`}},
		{"duplicate zone names the config field", raw("dev", "platform:network", `{"availabilityZones":["eu-west-1a","eu-west-1a"]}`),
			[]string{`platform:network.availabilityZones[1]: "eu-west-1a" is a duplicate of availabilityZones[0]`}},
		{"region itself is not a zone", raw("dev", "platform:network", `{"availabilityZones":["eu-west-1","eu-west-1b"]}`),
			[]string{`platform:network.availabilityZones[0]: "eu-west-1" is not a zone of region eu-west-1 (for example eu-west-1a)`}},
		{"200 two-byte characters fit a tag value", raw("dev", "platform:tags", `{"team":"`+strings.Repeat("é", 200)+`"}`), nil},
		{"257 two-byte characters do not", raw("dev", "platform:tags", `{"team":"`+strings.Repeat("é", 257)+`"}`),
			[]string{`platform:tags.team: value is 257 characters, at most 256 are allowed`}},
		{"null keeps the default", raw("prod", "platform:network", `{"natGateways":null,"interfaceEndpoints":null}`), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, got := problemsOf(t, tc.in)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n got  %q\n want %q", got, tc.want)
			}
			if tc.name == "null keeps the default" && (cfg.Network.NatGateways != "perAz" || len(cfg.Network.InterfaceEndpoints) != 4) {
				t.Errorf("null replaced the default: %+v", cfg.Network)
			}
		})
	}
}

// TestNodeGroupsOverlay: platform:cluster.nodeGroups is overlaid entry by entry. A group named in
// stack config changes only the fields it names; a new group starts from the environment's
// DefaultNodeGroup; groups it does not name, and anything given as null, keep their defaults; and
// the default group cannot be dropped, so a valid config always has at least one node group.
func TestNodeGroupsOverlay(t *testing.T) {
	with := func(g infra.NodeGroupConfig, edit func(*infra.NodeGroupConfig)) infra.NodeGroupConfig {
		edit(&g)
		return g
	}
	dev, staging, prod := infra.DefaultNodeGroup(infra.Dev), infra.DefaultNodeGroup(infra.Staging), infra.DefaultNodeGroup(infra.Prod)
	tests := []struct {
		name    string
		stack   string
		cluster string
		want    map[string]infra.NodeGroupConfig
	}{
		{"partial override of the default group keeps its other fields", "dev", `{"nodeGroups":{"system":{"maxSize":5}}}`,
			map[string]infra.NodeGroupConfig{"system": with(dev, func(g *infra.NodeGroupConfig) { g.MaxSize = 5 })}},
		{"a list field is replaced, not appended to", "staging", `{"nodeGroups":{"system":{"instanceTypes":["m7i.large","m6i.large"]}}}`,
			map[string]infra.NodeGroupConfig{"system": with(staging, func(g *infra.NodeGroupConfig) { g.InstanceTypes = []string{"m7i.large", "m6i.large"} })}},
		{"a new group starts from the environment's default node group", "staging", `{"nodeGroups":{"batch":{"capacityType":"SPOT"}}}`,
			map[string]infra.NodeGroupConfig{"system": staging, "batch": with(staging, func(g *infra.NodeGroupConfig) { g.CapacityType = "SPOT" })}},
		{"a new prod group starts from the prod default", "prod", `{"nodeGroups":{"arm":{"amiType":"BOTTLEROCKET_ARM_64","instanceTypes":["m7g.large"]}}}`,
			map[string]infra.NodeGroupConfig{"system": prod, "arm": with(prod, func(g *infra.NodeGroupConfig) {
				g.AmiType, g.InstanceTypes = "BOTTLEROCKET_ARM_64", []string{"m7g.large"}
			})}},
		{"an empty new group is the default node group", "dev", `{"nodeGroups":{"batch":{}}}`,
			map[string]infra.NodeGroupConfig{"system": dev, "batch": dev}},
		{"override and new group together", "dev", `{"nodeGroups":{"system":{"diskSizeGiB":100},"batch":{"minSize":0,"desiredSize":0}}}`,
			map[string]infra.NodeGroupConfig{
				"system": with(dev, func(g *infra.NodeGroupConfig) { g.DiskSizeGiB = 100 }),
				"batch":  with(dev, func(g *infra.NodeGroupConfig) { g.MinSize, g.DesiredSize = 0, 0 }),
			}},
		{"null field keeps the default", "dev", `{"nodeGroups":{"system":{"maxSize":null,"minSize":2}}}`,
			map[string]infra.NodeGroupConfig{"system": with(dev, func(g *infra.NodeGroupConfig) { g.MinSize = 2 })}},
		{"null entry keeps the default group", "prod", `{"nodeGroups":{"system":null}}`,
			map[string]infra.NodeGroupConfig{"system": prod}},
		{"null new entry adds no group", "dev", `{"nodeGroups":{"batch":null}}`,
			map[string]infra.NodeGroupConfig{"system": dev}},
		{"null nodeGroups keeps the default", "dev", `{"nodeGroups":null}`,
			map[string]infra.NodeGroupConfig{"system": dev}},
		{"empty nodeGroups keeps the default group", "staging", `{"nodeGroups":{}}`,
			map[string]infra.NodeGroupConfig{"system": staging}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := mustParse(t, raw(tc.stack, "platform:cluster", tc.cluster))
			if !reflect.DeepEqual(cfg.Cluster.NodeGroups, tc.want) {
				t.Errorf("node groups:\n got  %+v\n want %+v", cfg.Cluster.NodeGroups, tc.want)
			}
			// The rest of the cluster keeps the environment's defaults.
			def := infra.Defaults(infra.Environment(tc.stack)).Cluster
			def.NodeGroups = cfg.Cluster.NodeGroups
			if !reflect.DeepEqual(cfg.Cluster, def) {
				t.Errorf("cluster:\n got  %+v\n want %+v", cfg.Cluster, def)
			}
		})
	}

	// Overlaying never changes the defaults themselves.
	mustParse(t, raw("dev", "platform:cluster", `{"nodeGroups":{"system":{"maxSize":5,"instanceTypes":["m6i.large"]}}}`))
	if got := infra.Defaults(infra.Dev).Cluster.NodeGroups["system"]; !reflect.DeepEqual(got, dev) {
		t.Errorf("Defaults(dev) system group changed to %+v", got)
	}

	// Unknown keys and wrong types inside entries are reported with their full paths, groups in
	// name order, and validation problems of the groups after them.
	const nodeGroupKeys = "amiType, capacityType, desiredSize, diskSizeGiB, instanceTypes, maxSize, minSize"
	wantProblems(t, raw("dev", "platform:cluster", `{"nodeGroups":{"system":{"minSze":2,"maxSize":"5"},"batch":{"spot":true},"gpu":{"diskSizeGiB":10}}}`),
		`platform:cluster.nodeGroups.batch.spot: unknown key (allowed: `+nodeGroupKeys+`)`,
		`platform:cluster.nodeGroups.system.maxSize: "5" is not an integer`,
		`platform:cluster.nodeGroups.system.minSze: unknown key (allowed: `+nodeGroupKeys+`)`,
		`platform:cluster.nodeGroups.gpu.diskSizeGiB: 10 is outside the allowed range 20 to 1000`,
	)
}

// TestClusterAndAccessProblemsAtOnce: problems across platform:cluster and platform:access are all
// reported in one *ConfigError: decoding problems first, then validation in field order, node groups
// by name, access by persona.
func TestClusterAndAccessProblemsAtOnce(t *testing.T) {
	const (
		admin    = "arn:aws:iam::123456789012:role/platform-admins"
		deployer = "arn:aws:iam::123456789012:role/argocd"
	)
	r := raw("prod",
		"platform:cluster", `{"version":"1.29","endpointPublicAccess":true,"publicAccessCidrs":["0.0.0.0/0","2001:db8::/48"],`+
			`"logRetentionDays":90,"endpointPrivateAccess":true,`+
			`"nodeGroups":{"system":{"minSize":1},"gpu":{"amiType":"AL2_x86_64_GPU","diskSizeGiB":10,"maxSize":2},"Spot":{"capacityType":"SPOT"}}}`,
		"platform:access", `{"admins":["`+admin+`","arn:aws:iam::123456789012:root"],"gitops":["`+deployer+`","`+admin+`"],`+
			`"developers":["`+deployer+`"],"namespaces":["apps","kube-system","apps","Payments"]}`,
	)
	wantProblems(t, r,
		`platform:cluster.endpointPrivateAccess: unknown key (allowed: apiAccess, controlPlaneAzCount, endpointPublicAccess, logRetentionDays, nodeGroups, publicAccessCidrs, version)`,
		`platform:cluster.version: "1.29" is not a supported Kubernetes version (allowed: 1.32, 1.33, 1.34, 1.35)`,
		`platform:cluster.endpointPublicAccess: true is not allowed in prod: prod's API endpoint is private only; deploy from a runner inside the VPC (allowed in prod: false)`,
		`platform:cluster.publicAccessCidrs[0]: "0.0.0.0/0" opens the API endpoint to the whole internet; list only the networks that need it`,
		`platform:cluster.publicAccessCidrs[1]: "2001:db8::/48" is IPv6; EKS public access CIDRs are IPv4 only`,
		`platform:cluster.logRetentionDays: 90 is below the prod minimum of 365`,
		`platform:cluster.nodeGroups: name "Spot" is not a node group name (allowed: a lowercase letter, then up to 30 lowercase letters, digits or '-')`,
		`platform:cluster.nodeGroups.gpu.amiType: "AL2_x86_64_GPU" is not an AMI type (allowed: AL2023_ARM_64_STANDARD, AL2023_x86_64_STANDARD, BOTTLEROCKET_ARM_64, BOTTLEROCKET_x86_64)`,
		`platform:cluster.nodeGroups.gpu.minSize: 3 is above maxSize 2`,
		`platform:cluster.nodeGroups.gpu.diskSizeGiB: 10 is outside the allowed range 20 to 1000`,
		`platform:cluster.nodeGroups.system.minSize: 1 is below the prod minimum of 2 (a single node is a single point of failure)`,
		`platform:access.admins[1]: "arn:aws:iam::123456789012:root" must be an IAM role or user ARN (for example arn:aws:iam::123456789012:role/platform-admins)`,
		`platform:access.gitops[1]: "`+admin+`" is already mapped as admins[0]; a principal has one persona`,
		`platform:access.developers[0]: "`+deployer+`" is already mapped as gitops[0]; a principal has one persona`,
		`platform:access.namespaces[1]: "kube-system" belongs to Kubernetes itself (reserved: default, kube-node-lease, kube-public, kube-system)`,
		`platform:access.namespaces[2]: "apps" is listed twice`,
		`platform:access.namespaces[3]: "Payments" is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
	)
}

// TestAllowedValueListsAreAccepted: every value of the exported allowed-value lists is accepted,
// so the lists that document the rules are the ones validation uses.
func TestAllowedValueListsAreAccepted(t *testing.T) {
	for _, v := range infra.KubernetesVersions {
		mustParse(t, raw("prod", "platform:cluster", `{"version":"`+v+`"}`))
	}
	for _, a := range infra.AmiTypes {
		mustParse(t, raw("prod", "platform:cluster", `{"nodeGroups":{"system":{"amiType":"`+a+`"}}}`))
	}
	for _, c := range infra.CapacityTypes {
		mustParse(t, raw("prod", "platform:cluster", `{"nodeGroups":{"system":{"capacityType":"`+c+`"}}}`))
	}
	for _, d := range infra.LogRetentionDays {
		mustParse(t, raw("dev", "platform:cluster", fmt.Sprintf(`{"logRetentionDays":%d}`, d)))
	}
	for _, env := range infra.Environments {
		def := infra.Defaults(env)
		if !slices.Contains(infra.KubernetesVersions, def.Cluster.Version) {
			t.Errorf("%s: default version %q is not in KubernetesVersions", env, def.Cluster.Version)
		}
	}
}

// FuzzParseClusterConfig: whatever the cluster and access JSON text, ParseConfig does not panic and
// returns either a *ConfigError with at least one problem or a config whose cluster and access
// keep the validated invariants.
func FuzzParseClusterConfig(f *testing.F) {
	for _, seed := range []struct{ stack, cluster, access string }{
		{"dev", `{"nodeGroups":{"system":{"maxSize":5},"batch":{"capacityType":"SPOT"}}}`, `{"admins":["arn:aws:iam::123456789012:role/a"]}`},
		{"prod", `{"endpointPublicAccess":true,"publicAccessCidrs":["0.0.0.0/0"]}`, `{"namespaces":[]}`},
		{"staging", `{"nodeGroups":{"system":null,"x":null,"":{}}}`, `{"gitops":[null],"developers":null}`},
		{"dev", `{"nodeGroups":{"system":5,"b":[],"c":{"minSize":1e30}}}`, `[]`},
		{"dev", `{"nodeGroups":[]}`, `{"namespaces":["kube-system","a","a"]}`},
		{"prod", `{"version":"1.35","logRetentionDays":3653}`, `null`},
		{"dev", `not json`, ``},
	} {
		f.Add(seed.stack, seed.cluster, seed.access)
	}
	f.Fuzz(func(t *testing.T, stack, cluster, access string) {
		r := infra.Raw{Project: "platform", Stack: stack, Values: map[string]string{
			"aws:region":       "eu-west-1",
			"platform:cluster": cluster,
			"platform:access":  access,
		}}
		cfg, err := infra.ParseConfig(r)
		if err != nil {
			var ce *infra.ConfigError
			if !errors.As(err, &ce) || len(ce.Problems) == 0 || cfg != nil {
				t.Fatalf("want a *infra.ConfigError with problems and no config, got %T %v, config %v", err, err, cfg)
			}
			return
		}
		c := cfg.Cluster
		if !slices.Contains(infra.KubernetesVersions, c.Version) || len(c.NodeGroups) == 0 {
			t.Fatalf("valid config with version %q and %d node groups", c.Version, len(c.NodeGroups))
		}
		if c.EndpointPublicAccess != (len(c.PublicAccessCidrs) > 0) || (c.EndpointPublicAccess && cfg.Environment == infra.Prod) {
			t.Fatalf("valid %s config with public access %v and CIDRs %v", cfg.Environment, c.EndpointPublicAccess, c.PublicAccessCidrs)
		}
		for name, g := range c.NodeGroups {
			if g.MinSize < 0 || g.MinSize > g.DesiredSize || g.DesiredSize > g.MaxSize || len(g.InstanceTypes) == 0 ||
				(cfg.Environment == infra.Prod && g.MinSize < 2) {
				t.Fatalf("valid %s config with node group %q %+v", cfg.Environment, name, g)
			}
		}
		if len(cfg.Access.Namespaces) == 0 {
			t.Fatalf("valid config without namespaces")
		}
	})
}

// TestStorageAndAccountRules: each storage and account-singleton rule, alone, with its exact
// message; an opt-out is accepted only together with a waiver of its control.
func TestStorageAndAccountRules(t *testing.T) {
	waive := func(control string) string {
		return `[{"control":"` + control + `","reason":"enforced by the organisation's SCP"}]`
	}
	cases := []struct {
		name string
		in   infra.Raw
		want []string
	}{
		{"unknown S3 encryption", raw("dev", "platform:storage", `{"s3Encryption":"DES"}`),
			[]string{`platform:storage.s3Encryption: "DES" is not an S3 encryption (allowed: AES256, aws:kms)`}},
		{"SSE-KMS is allowed", raw("dev", "platform:storage", `{"s3Encryption":"aws:kms"}`), nil},
		{"noncurrent versions kept 0 days", raw("dev", "platform:storage", `{"noncurrentVersionDays":0}`),
			[]string{"platform:storage.noncurrentVersionDays: 0 is outside the allowed range 1 to 3650"}},
		{"access logs 3651 days", raw("dev", "platform:storage", `{"accessLogDays":3651}`),
			[]string{"platform:storage.accessLogDays: 3651 is outside the allowed range 1 to 3650"}},
		{"prod access logs below a year", raw("prod", "platform:storage", `{"accessLogDays":364}`),
			[]string{"platform:storage.accessLogDays: 364 is below the prod minimum of 365"}},
		{"secret recovery 6 days", raw("dev", "platform:storage", `{"secretRecoveryDays":6}`),
			[]string{"platform:storage.secretRecoveryDays: 6 is outside the allowed range 7 to 30 (or 0 in dev)"}},
		{"AWS-owned table key without a waiver", raw("dev", "platform:storage", `{"dynamodbKey":"aws-owned"}`),
			[]string{`platform:storage.dynamodbKey: "aws-owned" opts out of control DDB-001: add a waiver {control: DDB-001, reason: ...} to platform:waivers saying where it is enforced instead`}},
		{"AWS-owned table key with a waiver", raw("dev", "platform:storage", `{"dynamodbKey":"aws-owned"}`, "platform:waivers", waive("DDB-001")), nil},
		{"unknown table key", raw("dev", "platform:storage", `{"dynamodbKey":"mine"}`),
			[]string{`platform:storage.dynamodbKey: "mine" is not a key choice (allowed: aws-owned, customer)`}},
		{"EBS default encryption left to the organisation without a waiver", raw("dev", "platform:account", `{"ebsEncryptionByDefault":"organization"}`),
			[]string{`platform:account.ebsEncryptionByDefault: "organization" opts out of control ACC-001: add a waiver {control: ACC-001, reason: ...} to platform:waivers saying where it is enforced instead`}},
		{"S3 block left to the organisation with a waiver", raw("dev", "platform:account", `{"s3PublicAccessBlock":"organization"}`, "platform:waivers", waive("ACC-002")), nil},
		{"unknown singleton mode", raw("dev", "platform:account", `{"s3PublicAccessBlock":"ignore"}`),
			[]string{`platform:account.s3PublicAccessBlock: "ignore" is not a mode (allowed: manage, organization)`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, got := problemsOf(t, tc.in)
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("problems:\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}
