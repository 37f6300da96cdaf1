package infra_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"github.com/securestack/platform/infra"
)

// TestInputsANewUserGetsWrong: stack files a new user writes that used to pass silently, or to
// fail only after resources were registered. Each is now a precise problem (or, where the value
// is legal but unusual, a warning), reported with the others before anything is registered.
func TestInputsANewUserGetsWrong(t *testing.T) {
	tags := func(n int) string {
		var kv []string
		for i := range n {
			kv = append(kv, fmt.Sprintf(`"team%02d":"x"`, i))
		}
		return "{" + strings.Join(kv, ",") + "}"
	}
	cases := []struct {
		name     string
		in       infra.Raw
		problems []string
		warnings []string
	}{
		{name: "API endpoint opened to the internet in two halves",
			in:       raw("dev", "platform:cluster", `{"endpointPublicAccess":true,"publicAccessCidrs":["0.0.0.0/1","128.0.0.0/1"]}`),
			problems: []string{`platform:cluster.publicAccessCidrs: ["0.0.0.0/1","128.0.0.0/1"] together cover the whole internet; list only the networks that need the API endpoint`}},
		{name: "API endpoint opened to a quarter of the internet",
			in:       raw("dev", "platform:cluster", `{"endpointPublicAccess":true,"publicAccessCidrs":["64.0.0.0/2"]}`),
			warnings: []string{`platform:cluster.publicAccessCidrs: ["64.0.0.0/2"] together cover 25.0% of the IPv4 internet; is that intended?`}},
		{name: "stack name with an underscore", in: raw("my_dev", "platform:environment", "dev"),
			problems: []string{`stack name "my_dev": the names derived from it (S3 buckets like "platform-my_dev-uploads-000000000000-eu-west-1") allow only lowercase letters, digits and '-', starting and ending with a letter or digit: rename the stack (for example "my-dev")`}},
		{name: "stack name with a capital", in: raw("Dev2", "platform:environment", "dev"),
			problems: []string{`stack name "Dev2": the names derived from it (S3 buckets like "platform-Dev2-uploads-000000000000-eu-west-1") allow only lowercase letters, digits and '-', starting and ending with a letter or digit: rename the stack (for example "dev2")`}},
		{name: "stack name too long for the derived names", in: raw(strings.Repeat("a", 73), "platform:environment", "dev"),
			problems: []string{
				`stack name "` + strings.Repeat("a", 73) + `": the derived S3 bucket name "platform-` + strings.Repeat("a", 73) + `-access-logs-000000000000-eu-west-1" is not a valid S3 bucket name: length 117 is outside 3 to 63: use a shorter stack name`,
				`stack name "` + strings.Repeat("a", 73) + `": the derived S3 bucket name "platform-` + strings.Repeat("a", 73) + `-uploads-000000000000-eu-west-1" is not a valid S3 bucket name: length 113 is outside 3 to 63: use a shorter stack name`,
				`stack name "` + strings.Repeat("a", 73) + `": the derived S3 bucket name "platform-` + strings.Repeat("a", 73) + `-processed-000000000000-eu-west-1" is not a valid S3 bucket name: length 115 is outside 3 to 63: use a shorter stack name`,
				`stack name "` + strings.Repeat("a", 73) + `": the derived S3 bucket name "platform-` + strings.Repeat("a", 73) + `-runner-000000000000-eu-west-1" is not a valid S3 bucket name: length 112 is outside 3 to 63: use a shorter stack name`,
				`stack name "` + strings.Repeat("a", 73) + `": the derived S3 bucket name "platform-` + strings.Repeat("a", 73) + `-alb-logs-000000000000-eu-west-1" is not a valid S3 bucket name: length 114 is outside 3 to 63: use a shorter stack name`,
				`stack name "` + strings.Repeat("a", 73) + `": the derived IAM role name "platform-` + strings.Repeat("a", 73) + `-runner-preview-xxxxxxx" is 105 characters, IAM allows 64: use a shorter stack name`,
			}},
		{name: "prod without an account allow-list", in: infra.Raw{Project: "platform", Stack: "prod", Values: map[string]string{"platform:edge": edgeOK, "aws:region": region}},
			problems: []string{`aws:allowedAccountIds: not set; prod requires the accounts it may deploy to (for example ["123456789012"]), so that credentials for any other account are refused before anything changes`}},
		{name: "account ids that are not account ids", in: raw("dev", "aws:allowedAccountIds", `["12345", "111111111111", "111111111111"]`),
			problems: []string{
				`aws:allowedAccountIds[0]: "12345" is not an AWS account id (12 digits, quoted: "123456789012")`,
				`aws:allowedAccountIds[2]: "111111111111" is listed twice`,
			}},
		{name: "account id unquoted", in: raw("dev", "aws:allowedAccountIds", `[111111111111]`),
			problems: []string{`aws:allowedAccountIds[0]: 111111111111 is a number, but a string is expected: quote it in the stack file ("111111111111")`}},
		{name: "misspelt namespace", in: raw("dev", "platfrom:stateful", `{"protect":true}`), //nolint:misspell // the misspelling is the case
			problems: []string{`platfrom:stateful: the namespace "platfrom" is not read by this program (allowed: platform:…, aws:…, pulumi:…); did you mean platform:stateful?`}}, //nolint:misspell // the misspelling is the case
		{name: "aws key the explicit provider would ignore", in: raw("dev", "aws:skipCredentialsValidation", "true"),
			problems: []string{`aws:skipCredentialsValidation: not read by the platform, whose AWS provider is built from aws:allowedAccountIds, aws:profile, aws:region only: remove it (a setting here would be silently ignored)`}},
		{name: "multicast VPC range", in: raw("dev", "platform:network", `{"cidr":"224.0.0.0/16"}`),
			problems: []string{`platform:network.cidr: "224.0.0.0/16" is in 224.0.0.0/4, the multicast range (use a private range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)`}},
		{name: "'this network' VPC range", in: raw("dev", "platform:network", `{"cidr":"0.0.0.0/16"}`),
			problems: []string{`platform:network.cidr: "0.0.0.0/16" is in 0.0.0.0/8 ("this network"), which no host can use (use a private range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)`}},
		{name: "link-local VPC range", in: raw("dev", "platform:network", `{"cidr":"169.254.0.0/16"}`),
			problems: []string{`platform:network.cidr: "169.254.0.0/16" is in 169.254.0.0/16, the link-local range (the instance metadata and DNS addresses live there) (use a private range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)`}},
		{name: "public VPC range", in: raw("dev", "platform:network", `{"cidr":"8.8.0.0/16"}`),
			warnings: []string{`platform:network.cidr: "8.8.0.0/16" is a public range: addresses in it on the internet become unreachable from the VPC; a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) is usual`}},
		{name: "VPC range some AWS services use", in: raw("dev", "platform:network", `{"cidr":"172.17.0.0/16"}`),
			warnings: []string{`platform:network.cidr: "172.17.0.0/16" overlaps 172.17.0.0/16, which some AWS services use (CodeBuild, which runs the deploy jobs, among them); AWS advises against it`}},
		{name: "more tags than AWS allows with the platform's own", in: raw("dev", "platform:tags", tags(43)),
			problems: []string{`platform:tags: 43 tags; at most 42 are allowed (AWS allows 50 per resource, and the platform sets up to 8 itself)`}},
		{name: "tag characters AWS refuses", in: raw("dev", "platform:tags", `{"cost#centre":"a","owner":"<team>"}`),
			problems: []string{
				`platform:tags: key "cost#centre" has characters AWS refuses in tags (allowed: letters, digits, spaces and _ . : / = + - @)`,
				`platform:tags.owner: value "<team>" has characters AWS refuses in tags (allowed: letters, digits, spaces and _ . : / = + - @)`,
			}},
		{name: "tag the components set per resource", in: raw("dev", "platform:tags", `{"Name":"x","kubernetes.io/cluster/x":"owned"}`),
			problems: []string{
				`platform:tags.Name: is set per resource by the platform (reserved: Name, tier and kubernetes.io/*); a default tag would be overridden there`,
				`platform:tags.kubernetes.io/cluster/x: is set per resource by the platform (reserved: Name, tier and kubernetes.io/*); a default tag would be overridden there`,
			}},
		{name: "Kubernetes version unquoted", in: raw("dev", "platform:cluster", `{"version":1.34}`),
			problems: []string{`platform:cluster.version: 1.34 is a number, but a string is expected: quote it in the stack file (version: "1.34") (unquoted, YAML also drops trailing zeros: 1.30 becomes 1.3)`}},
		{name: "a bad entry of a map does not hide the others", in: raw("dev", "platform:tags", `{"a":1,"b":"ok","c":true}`),
			problems: []string{
				`platform:tags.a: 1 is a number, but a string is expected: quote it in the stack file (a: "1")`,
				`platform:tags.c: true is not a string`,
			}},
		{name: "null keeps the default", in: raw("dev", "platform:network", ``)},
		{name: "API access from a public network and a bad security group",
			in: raw("dev", "platform:cluster", `{"apiAccess":{"cidrs":["203.0.113.0/24","10.1.2.3/16","10.40.0.0/24","10.40.0.0/24"],"securityGroupIds":["sg-12","sg-0123456789abcdef0"]}}`),
			problems: []string{
				`platform:cluster.apiAccess.cidrs[0]: "203.0.113.0/24" is not a private range: only 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16 may reach the private API endpoint`,
				`platform:cluster.apiAccess.cidrs[1]: "10.1.2.3/16" is not a network address (host bits are set); did you mean 10.1.0.0/16?`,
				`platform:cluster.apiAccess.cidrs[3]: "10.40.0.0/24" is listed twice`,
				`platform:cluster.apiAccess.securityGroupIds[0]: "sg-12" is not a security group id (sg- and 8 or 17 hexadecimal digits)`,
			}},
		{name: "private endpoint that nothing may reach", in: raw("dev", "platform:runner", `{"enabled":false}`),
			problems: []string{`platform:cluster: the API endpoint is private and nothing may reach it to apply the in-cluster resources: keep platform:runner.enabled true, or list platform:cluster.apiAccess sources`}},
		{name: "runner off, a security group admitted instead", in: raw("dev", "platform:runner", `{"enabled":false}`, "platform:cluster", `{"apiAccess":{"securityGroupIds":["sg-0123456789abcdef0"]}}`)},
		{name: "control plane in more zones than the network has", in: raw("dev", "platform:cluster", `{"controlPlaneAzCount":3}`),
			problems: []string{`platform:cluster.controlPlaneAzCount: 3 is more than the 2 zones of platform:network.azCount`}},
		{name: "secrets deleted at once outside dev", in: raw("staging", "platform:storage", `{"secretRecoveryDays":0}`),
			problems: []string{`platform:storage.secretRecoveryDays: 0 (delete at once, without recovery) is allowed in dev only (allowed here: 7 to 30)`}},
		{name: "baseline owner that is not a stack name", in: raw("dev", "platform:account", `{"baselineOwner":"org/project/staging"}`),
			problems: []string{`platform:account.baselineOwner: "org/project/staging" is not a stack name of this project (a stack name: letters, digits, '-', '_' and '.')`}},
		{name: "runner settings out of range", in: raw("dev", "platform:runner", `{"computeType":"BUILD_GENERAL1_HUGE","timeoutMinutes":61,"sourceRetentionDays":0,"previewRoleName":"ci-platform-deploy"}`),
			problems: []string{
				`platform:runner.computeType: "BUILD_GENERAL1_HUGE" is not a CodeBuild compute type (allowed: BUILD_GENERAL1_2XLARGE, BUILD_GENERAL1_LARGE, BUILD_GENERAL1_MEDIUM, BUILD_GENERAL1_SMALL, BUILD_GENERAL1_XLARGE)`,
				`platform:runner.timeoutMinutes: 61 is outside the allowed range 5 to 60 (a build's role session lasts an hour at most)`,
				`platform:runner.sourceRetentionDays: 0 is outside the allowed range 1 to 365`,
				`platform:runner.previewRoleName: "ci-platform-deploy" is also the deploy role: previews run pull-request code and must not hold deploy rights`,
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.problems != nil {
				wantProblems(t, tc.in, tc.problems...)
				return
			}
			cfg := mustParse(t, tc.in)
			if strings.Join(cfg.Warnings, "\n") != strings.Join(tc.warnings, "\n") {
				t.Errorf("warnings:\n got  %q\n want %q", cfg.Warnings, tc.warnings)
			}
		})
	}
}

// TestAWSProviderSettingsAreRead: aws:allowedAccountIds and aws:profile reach the config, which
// builds the explicit provider from them.
func TestAWSProviderSettingsAreRead(t *testing.T) {
	cfg := mustParse(t, raw("dev", "aws:allowedAccountIds", `["111111111111"]`, "aws:profile", "platform-dev"))
	if strings.Join(cfg.AllowedAccountIDs, ",") != "111111111111" || cfg.Profile != "platform-dev" {
		t.Errorf("allowed accounts %v, profile %q", cfg.AllowedAccountIDs, cfg.Profile)
	}
	if got := infra.MaxUserTags; got != 42 {
		t.Errorf("MaxUserTags = %d, want 42 (50 less the 4 platform tags and up to 4 per resource)", got)
	}
}

// TestPulumiYamlDocumentsEveryKey: every platform key has its description in Pulumi.yaml, and
// Pulumi.yaml describes no key the program does not read.
func TestPulumiYamlDocumentsEveryKey(t *testing.T) {
	text, err := os.ReadFile("../Pulumi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var project struct {
		Config map[string]struct {
			Description string `yaml:"description"`
		} `yaml:"config"`
	}
	if err := yaml.Unmarshal(text, &project); err != nil {
		t.Fatal(err)
	}
	var documented, read []string
	for k, v := range project.Config {
		if strings.TrimSpace(v.Description) == "" {
			t.Errorf("Pulumi.yaml: %s has no description", k)
		}
		documented = append(documented, infra.Namespace+":"+k)
	}
	for _, k := range infra.ConfigKeys() {
		if strings.HasPrefix(k, infra.Namespace+":") {
			read = append(read, k)
		}
	}
	slices.Sort(documented)
	if !slices.Equal(documented, read) {
		t.Errorf("Pulumi.yaml documents %v; the program reads %v", documented, read)
	}
}

// TestRunnerInstallsTheCLIOfTheSDK: the runner's Pulumi CLI is the version of the SDK go.mod
// requires, as the workflows' is (they read it from go.mod).
func TestRunnerInstallsTheCLIOfTheSDK(t *testing.T) {
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(mod), "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "github.com/pulumi/pulumi/sdk/v3 v"); ok {
			if v != infra.PulumiVersion {
				t.Errorf("infra.PulumiVersion = %s, go.mod requires the SDK at %s", infra.PulumiVersion, v)
			}
			return
		}
	}
	t.Fatal("go.mod does not require github.com/pulumi/pulumi/sdk/v3")
}
