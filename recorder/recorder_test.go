package recorder_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/securestack/platform/graph"
	"github.com/securestack/platform/infra"
	"github.com/securestack/platform/recorder"
	"github.com/securestack/platform/stackconfig"
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
	if got := st.Config["aws:secretKey"]; got != stackconfig.Placeholder {
		t.Errorf("aws:secretKey = %q, want the placeholder", got)
	}
	if !slices.Equal(st.Placeholders, []string{"aws:secretKey"}) || !slices.Equal(st.SecretKeys, []string{"aws:secretKey"}) {
		t.Errorf("placeholders %v, secret keys %v; want [aws:secretKey]", st.Placeholders, st.SecretKeys)
	}
	if got := st.Config["platform:network"]; got != `{"azCount":2,"natGateways":"single"}` {
		t.Errorf("structured value %q, want the JSON text the CLI passes", got)
	}
	g, err := recorder.Record(recorder.Options{Dir: "testdata/secure", Stack: "dev"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(g.Placeholders, []string{"aws:secretKey"}) {
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
	raw := infra.Raw{Project: "platform", Stack: "dev", Values: map[string]string{"aws:region": "eu-west-1", "platform:tags": `{"Team":"x"}`},
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
