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
func raw(stack string, kv ...string) infra.Raw {
	if len(kv)%2 != 0 {
		panic("raw: odd number of key/value arguments")
	}
	values := map[string]string{"aws:region": region}
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
	tests := []struct {
		env       infra.Environment
		nat       string
		retention int
		endpoints []string
		stateful  infra.StatefulConfig
	}{
		{infra.Dev, "single", 30, nil, infra.StatefulConfig{Protect: false, RetainOnDelete: false}},
		{infra.Staging, "single", 90, nil, infra.StatefulConfig{Protect: false, RetainOnDelete: false}},
		{infra.Prod, "perAz", 365, []string{"ecr.api", "ecr.dkr", "logs", "sts"}, infra.StatefulConfig{Protect: true, RetainOnDelete: true}},
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
				Keys:     infra.KeysConfig{DeletionWindowDays: 30},
				Stateful: tc.stateful,
			}
			if !reflect.DeepEqual(*cfg, want) {
				t.Errorf("resolved config:\n got  %+v\n want %+v", *cfg, want)
			}
			// Defaults is the single source of these values.
			def := infra.Defaults(tc.env)
			def.Project, def.Stack, def.Region = "platform", string(tc.env), region
			if !reflect.DeepEqual(*cfg, def) {
				t.Errorf("resolved config differs from Defaults(%s):\n got  %+v\n want %+v", tc.env, *cfg, def)
			}
			if len(cfg.Waivers) != 0 || len(cfg.SecretKeys) != 0 || len(cfg.Network.AvailabilityZones) != 0 {
				t.Errorf("defaults carry waivers %v, secret keys %v or zones %v", cfg.Waivers, cfg.SecretKeys, cfg.Network.AvailabilityZones)
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
		{name: "key wins over the stack name", raw: raw("dev", "platform:environment", "prod"), wantEnv: infra.Prod, wantNat: "perAz"},
		{name: "key wins over the stack name, other way", raw: raw("prod", "platform:environment", "dev"), wantEnv: infra.Dev, wantNat: "single"},
		{name: "empty key falls back to the stack name", raw: raw("staging", "platform:environment", ""), wantEnv: infra.Staging, wantNat: "single"},
		{
			name:     "sandbox stack, no key",
			raw:      raw("sandbox"),
			problems: []string{`platform:environment: not set and stack name "sandbox" is not an environment (allowed: dev, staging, prod)`},
		},
		{
			name:     "stack name is case sensitive",
			raw:      raw("Prod"),
			problems: []string{`platform:environment: not set and stack name "Prod" is not an environment (allowed: dev, staging, prod)`},
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
		platformKeys    = "environment, keys, network, stateful, tags, waivers"
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
			`platform:tags: {"team":5} is not a map of strings`},
		{"wrong type: object given as plain text", raw("dev", "platform:network", `10.1.0.0/16`),
			`platform:network: "10.1.0.0/16" is not an object (allowed keys: ` + networkKeys + `)`},
		{"wrong type: object given as a list", raw("dev", "platform:keys", `[30]`),
			`platform:keys: [30] is not an object (allowed keys: deletionWindowDays)`},
		{"wrong type: waivers given as an object", raw("dev", "platform:waivers", `{"control":"vpc-flow-logs"}`),
			`platform:waivers: {"control":"vpc-flow-logs"} is not a list`},
		{"platform key given as secret", withSecret(raw("dev", "platform:tags", `{"team":"payments"}`), "platform:tags"),
			`platform:tags: ` + secretProblem},
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
			"aws:profile":       "qa", // another namespace: not the platform's business
		},
		SecretKeys: []string{"platform:stateful"},
	}
	want := []string{
		`platform:environment: not set and stack name "qa" is not an environment (allowed: dev, staging, prod)`,
		`platform:network.azCount: "three" is not an integer`,
		`platform:netwrk: unknown key (allowed: environment, keys, network, stateful, tags, waivers)`,
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
	want.Network.Cidr = "10.1.0.0/16"
	want.Network.AzCount = 3
	want.Network.AvailabilityZones = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}
	want.Tags = map[string]string{"team": "payments", "cost-center": "cc-42"}
	want.Keys.DeletionWindowDays = 14
	want.Stateful.RetainOnDelete = false
	want.Waivers = []infra.Waiver{{Control: "vpc-flow-logs", Reason: "mirrored by the central network account"}}
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
		{"bad region reported once", infra.Raw{Project: "platform", Stack: "dev", Values: map[string]string{"aws:region": "EU-WEST-1"}},
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
