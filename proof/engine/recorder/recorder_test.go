package recorder_test

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	awseks "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/eks"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/proof/engine/graph"
	"github.com/securestack/platform/proof/engine/recorder"
	"github.com/securestack/platform/proof/engine/stackconfig"
)

func TestRecordsOptionsParentsAndDependencies(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "prod"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := g.Named("aws:kms/key:Key", "platform-prod-data")
	if err != nil {
		t.Fatal(err)
	}
	if !key.Protect || !key.RetainOnDelete || !key.Custom {
		t.Errorf("prod key: protect=%v retainOnDelete=%v custom=%v, want all true", key.Protect, key.RetainOnDelete, key.Custom)
	}
	if want := "urn:pulumi:prod::platform::platform:encryption:Keyring$aws:kms/key:Key::platform-prod-data"; key.URN != want {
		t.Errorf("URN %s, want %s", key.URN, want)
	}
	if want := "urn:pulumi:prod::platform::platform:encryption:Keyring::platform-prod"; key.Parent != want {
		t.Errorf("parent %s, want %s", key.Parent, want)
	}
	if !strings.HasPrefix(key.Provider, "urn:pulumi:prod::platform::pulumi:providers:aws::aws::") {
		t.Errorf("provider %q, want the explicit aws provider", key.Provider)
	}
	nat, err := g.Named("aws:ec2/natGateway:NatGateway", "platform-prod-nat-eu-west-1a")
	if err != nil {
		t.Fatal(err)
	}
	subnet := "urn:pulumi:prod::platform::platform:network:Vpc$aws:ec2/subnet:Subnet::platform-prod-public-eu-west-1a"
	if !slices.Contains(nat.Dependencies, subnet) {
		t.Errorf("NAT gateway dependencies %v lack its subnet", nat.Dependencies)
	}
	if sub, err := nat.String("subnetId"); err != nil || !strings.HasPrefix(sub, "subnet-") {
		t.Errorf("NAT subnetId = %q, %v; want the mocked subnet id", sub, err)
	}
}

func TestGettersReportMissingPathsAndWrongTypes(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	vpc, err := g.Named("aws:ec2/vpc:Vpc", "platform-dev")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vpc.String("no.such.path"); err == nil || !strings.Contains(err.Error(), `input "no.such.path" is missing`) || !strings.Contains(err.Error(), vpc.URN) {
		t.Errorf("missing path error = %v; want it to name the URN and the path", err)
	}
	if _, err := vpc.Int("cidrBlock"); err == nil || !strings.Contains(err.Error(), `input "cidrBlock" is "10.10.0.0/16", want an integer`) {
		t.Errorf("wrong type error = %v", err)
	}
	if v, err := vpc.Bool("enableDnsHostnames"); err != nil || !v {
		t.Errorf("enableDnsHostnames = %v, %v; want true", v, err)
	}
	if v, err := vpc.String(`tags["Name"]`); err != nil || v != "platform-dev" {
		t.Errorf(`tags["Name"] = %q, %v`, v, err)
	}
	if _, err := g.Named("aws:ec2/vpc:Vpc", "nope"); err == nil || !strings.Contains(err.Error(), "have platform-dev") {
		t.Errorf("Named error = %v; want it to list the names there are", err)
	}
}

func TestSecureConfigBecomesAMarkedPlaceholderOffline(t *testing.T) {
	st, err := stackconfig.Load("testdata/secure", "dev")
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Config["aws:profile"]; got != stackconfig.Placeholder {
		t.Errorf("aws:profile = %q, want the placeholder", got)
	}
	if !slices.Equal(st.Placeholders, []string{"aws:profile"}) || !slices.Equal(st.SecretKeys, []string{"aws:profile"}) {
		t.Errorf("placeholders %v, secret keys %v; want [aws:profile]", st.Placeholders, st.SecretKeys)
	}
	if got := st.Config["platform:network"]; got != `{"azCount":2,"natGateways":"single"}` {
		t.Errorf("structured value %q, want the JSON text the CLI passes", got)
	}
	g, err := recorder.Record(recorder.Options{Dir: "testdata/secure", Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Placeholders, []string{"aws:profile"}) {
		t.Errorf("graph placeholders %v", g.Placeholders)
	}
}

func TestASecretPlatformKeyIsRefusedRatherThanLeaked(t *testing.T) {
	_, err := recorder.Record(recorder.Options{Dir: "testdata/secure", Stack: "dev", Edit: func(c map[string]string) {
		c["platform:tags"] = `{"Team":"x"}`
	}})
	if err != nil {
		t.Fatalf("plain tags: %v", err)
	}
	raw := infra.Raw{Project: "platform", Stack: "dev", Values: map[string]string{"aws:region": "eu-west-1", "platform:tags": `{"Team":"x"}`,
		"platform:edge": `{"domain":"dev.example.com","hostedZoneId":"Z0EXAMPLEZONE"}`},
		SecretKeys: []string{"platform:tags"}}
	_, err = infra.ParseConfig(raw)
	var ce *infra.ConfigError
	if !errors.As(err, &ce) || len(ce.Problems) != 1 || !strings.HasPrefix(ce.Problems[0], "platform:tags: is stored as a secret") {
		t.Errorf("secret platform key: %v", err)
	}
}

func TestUnknownInvokeIsAnError(t *testing.T) {
	program := func(ctx *pulumi.Context) error {
		var out map[string]any
		return ctx.Invoke("aws:ec2/getAmi:getAmi", map[string]any{}, &out)
	}
	_, err := recorder.Record(recorder.Options{Stack: "dev", Program: program})
	if err == nil || !strings.Contains(err.Error(), "recorder: no mock for invoke aws:ec2/getAmi:getAmi") {
		t.Errorf("unmocked invoke: %v; want an error naming it", err)
	}
}

func TestStackResourceIsRecorded(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if s := g.OfType(graph.StackType); len(s) != 1 || s[0].URN != "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev" {
		t.Errorf("stack resources %v", s)
	}
}

func TestRemoteComponentsAreMarked(t *testing.T) {
	g, err := recorder.Record(recorder.Options{Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	eks, err := g.Named("eks:index:Cluster", "platform-dev")
	if err != nil {
		t.Fatal(err)
	}
	local, err := g.Named("platform:cluster:Cluster", "platform-dev")
	if err != nil {
		t.Fatal(err)
	}
	if !eks.Remote || eks.Custom || local.Remote {
		t.Errorf("eks remote=%v custom=%v; local component remote=%v", eks.Remote, eks.Custom, local.Remote)
	}
	if kubeconfig, ok := eks.Outputs.GetOk("kubeconfigJson"); !ok || !kubeconfig.IsString() {
		t.Errorf("the remote cluster's plain kubeconfigJson output is missing")
	}
}

// account records a program that asks for the caller identity and creates one IAM role, and
// returns the account the identity names and the role's ARN.
func account(t *testing.T, opts recorder.Options) (id, roleArn string) {
	t.Helper()
	opts.Program = func(ctx *pulumi.Context) error {
		who, err := aws.GetCallerIdentity(ctx, nil)
		if err != nil {
			return err
		}
		id = who.AccountId
		_, err = iam.NewRole(ctx, "probe", &iam.RoleArgs{AssumeRolePolicy: pulumi.String("{}")})
		return err
	}
	g, err := recorder.Record(opts)
	if err != nil {
		t.Fatal(err)
	}
	role, err := g.Named("aws:iam/role:Role", "probe")
	if err != nil {
		t.Fatal(err)
	}
	return id, role.Outputs.Get("arn").AsString()
}

func TestMockedAccountIsTheFirstAllowedAccountOfTheStack(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts recorder.Options
		want string
	}{
		{"dev", recorder.Options{Stack: "dev"}, "111111111111"},
		{"staging shares dev's account", recorder.Options{Stack: "staging"}, "111111111111"},
		{"prod", recorder.Options{Stack: "prod"}, "222222222222"},
		{"the first of several", recorder.Options{Stack: "dev", Edit: func(c map[string]string) {
			c["aws:allowedAccountIds"] = `["333333333333","444444444444"]`
		}}, "333333333333"},
		// A stack that names no account runs in the fixed mocked one.
		{"none named", recorder.Options{Dir: "testdata/secure", Stack: "dev"}, "123456789012"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, arn := account(t, tc.opts)
			if id != tc.want {
				t.Errorf("caller account %s, want %s", id, tc.want)
			}
			if want := "arn:aws:iam::" + tc.want + ":role/probe"; arn != want {
				t.Errorf("role ARN %s, want %s (in the caller's account)", arn, want)
			}
		})
	}
	if recorder.AccountID != "123456789012" {
		t.Errorf("AccountID %s, want 123456789012", recorder.AccountID)
	}
}

func TestAddonVersionMockFollowsTheKubernetesMinorVersion(t *testing.T) {
	got := map[string]string{}
	_, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		for _, k8s := range []string{"1.33", "1.34"} {
			for _, addon := range []string{"coredns", "vpc-cni"} {
				v, err := awseks.GetAddonVersion(ctx, &awseks.GetAddonVersionArgs{AddonName: addon, KubernetesVersion: k8s, MostRecent: pulumi.BoolRef(false)})
				if err != nil {
					return err
				}
				got[addon+"@"+k8s] = v.Version
			}
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"coredns@1.33": "v33.0-eksbuild.1", "vpc-cni@1.33": "v33.0-eksbuild.1",
		"coredns@1.34": "v34.0-eksbuild.1", "vpc-cni@1.34": "v34.0-eksbuild.1"}
	if !maps.Equal(got, want) {
		t.Errorf("versions %v, want %v", got, want)
	}
}

// reference records a program of stack dev that references stack ref and returns what the
// StackReference's outputs were.
func reference(t *testing.T, ref string, given map[string]map[string]any) (map[string]any, error) {
	t.Helper()
	g, err := recorder.Record(recorder.Options{Stack: "dev", StackOutputs: given, Program: func(ctx *pulumi.Context) error {
		_, err := pulumi.NewStackReference(ctx, "ref", &pulumi.StackReferenceArgs{Name: pulumi.String(ref)})
		return err
	}})
	if err != nil {
		return nil, err
	}
	r, err := g.Named("pulumi:pulumi:StackReference", "ref")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Outputs.GetOk("name"); got.AsString() != ref {
		t.Errorf("reference name %v, want %s", got, ref)
	}
	return graph.PlainMap(r.Outputs.Get("outputs").AsMap()), nil
}

func TestStackReferencesAnswerWithGivenOutputsOrTheBaselineTheStackFileImplies(t *testing.T) {
	baseline := func(id string) map[string]any {
		return map[string]any{"accountBaseline": map[string]any{"accountId": id, "region": "eu-west-1"}}
	}
	for _, tc := range []struct {
		name, ref string
		given     map[string]map[string]any
		want      map[string]any
	}{
		// staging and prod own their accounts' baselines (no platform:account.baselineOwner).
		{"owner of the non-prod baseline", "organization/platform/staging", nil, baseline("111111111111")},
		{"owner of the prod baseline", "organization/platform/prod", nil, baseline("222222222222")},
		// A stack referencing itself sees no outputs, as on its first deploy.
		{"itself", "organization/platform/dev", nil, map[string]any{}},
		// Given outputs win over the stack file, by the stack's last path segment.
		{"given", "acme/platform/staging", map[string]map[string]any{"staging": {"vpcId": "vpc-0given"}}, map[string]any{"vpcId": "vpc-0given"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := reference(t, tc.ref, tc.given)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("outputs %v, want %v", got, tc.want)
			}
		})
	}
	// dev names staging as its baseline owner: it exports no baseline, and staging sees none.
	g, err := recorder.Record(recorder.Options{Stack: "staging", Program: func(ctx *pulumi.Context) error {
		_, err := pulumi.NewStackReference(ctx, "ref", &pulumi.StackReferenceArgs{Name: pulumi.String("organization/platform/dev")})
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := g.Named("pulumi:pulumi:StackReference", "ref")
	if got := graph.PlainMap(r.Outputs.Get("outputs").AsMap()); len(got) != 0 {
		t.Errorf("dev's outputs seen from staging: %v, want none (dev does not own a baseline)", got)
	}
	// A stack without a stack file is an error naming the reference.
	if _, err := reference(t, "organization/platform/nope", nil); err == nil || !strings.Contains(err.Error(), "recorder: StackReference organization/platform/nope: ") {
		t.Errorf("reference to a stack without a file: %v; want an error naming it", err)
	}
}
