package detection

import (
	"fmt"
	"regexp"
	"slices"

	helmv3 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/helm/v3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/securestack/platform/components/clustersecurity"
	"github.com/securestack/platform/components/kube"
	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/workload"
)

// Falco's chart, pinned: a new version is a reviewed change (its rules and driver change with it).
const (
	FalcoChart        = "falco"
	FalcoChartVersion = "9.1.0" // Falco 0.44.1
	FalcoChartRepo    = "https://falcosecurity.github.io/charts"
	// FalcoDriver is the modern eBPF probe: compiled into Falco (CO-RE), no kernel module or
	// headers on the node; AL2023 and Bottlerocket kernels have the BTF it needs.
	FalcoDriver = "modern_ebpf"
	// FalcoEgressName is the NetworkPolicy that lets falcoctl fetch Falco's rules and plugins.
	FalcoEgressName = "falcoctl-artifacts"
)

// FalcoArgs configures Falco.
type FalcoArgs struct {
	// PodSecurityVersion pins the namespace's Pod Security version, e.g. "v1.34"; required, with
	// no default: "latest" would let a cluster upgrade change what is admitted unreviewed.
	PodSecurityVersion string
	// Protect keeps the namespace from being deleted with the stack (deleting it deletes the
	// sensor). False (the default) lets a dev cluster be torn down.
	Protect bool
}

// Falco is the runtime sensor: its privileged namespace (with a default deny and one egress
// allow) and its Helm release.
type Falco struct {
	pulumi.ResourceState

	// Namespace is the privileged namespace eksspec.FalcoNamespace, with its default deny.
	Namespace *clustersecurity.Namespace
	// Release is the pinned Helm release of the sensor.
	Release *helmv3.Release
}

var podSecurityVersion = regexp.MustCompile(`^v1\.[0-9]+$`)

// Validate reports every problem at once.
func (a *FalcoArgs) Validate() error {
	if !podSecurityVersion.MatchString(a.PodSecurityVersion) {
		return fmt.Errorf("podSecurityVersion: %q is not a pinned Kubernetes minor version such as v1.34", a.PodSecurityVersion)
	}
	return nil
}

// FalcoValues are the chart values: the modern eBPF driver in least-privileged mode (capabilities
// instead of a privileged container), one JSON line per alert on stdout for the node's log
// shipping, the rules installed once at start (a rule update is a reviewed chart change, not a
// weekly download), no gRPC, HTTP or web UI output.
func FalcoValues() map[string]any {
	return map[string]any{
		"tty": false,
		"driver": map[string]any{
			"kind":       FalcoDriver,
			"modernEbpf": map[string]any{"leastPrivileged": true},
		},
		"falco": map[string]any{
			"json_output":                  true,
			"json_include_output_property": true,
			"json_include_tags_property":   true,
			"stdout_output":                map[string]any{"enabled": true},
			"syslog_output":                map[string]any{"enabled": false},
			"http_output":                  map[string]any{"enabled": false},
			"priority":                     "notice",
			"buffered_outputs":             false,
			"log_stderr":                   true,
			"log_syslog":                   false,
		},
		"falcoctl": map[string]any{"artifact": map[string]any{
			"install": map[string]any{"enabled": true},
			"follow":  map[string]any{"enabled": false},
		}},
		"falcosidekick": map[string]any{"enabled": false},
		"resources": map[string]any{
			"requests": map[string]any{"cpu": "100m", "memory": "512Mi"},
			"limits":   map[string]any{"cpu": "1000m", "memory": "1024Mi"},
		},
	}
}

// FalcoEgress lets the namespace's pods reach cluster DNS and HTTPS outside the link-local range
// (falcoctl downloads the pinned rules and plugins from the falcosecurity registry at start):
// nothing else leaves, and nothing comes in (the default deny). The rules are the workloads' own.
func FalcoEgress() *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: FalcoEgressName, Namespace: eksspec.FalcoNamespace},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
			Egress:      []networkingv1.NetworkPolicyEgressRule{workload.DNSEgress(), workload.HTTPSEgress()},
		},
	}
}

// NewFalco registers the namespace, its egress allow and the release. The Kubernetes provider
// comes in through opts.
func NewFalco(ctx *pulumi.Context, name string, args *FalcoArgs, opts ...pulumi.ResourceOption) (*Falco, error) {
	if args == nil {
		args = &FalcoArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("detection.NewFalco %q: %w", name, err)
	}
	f := &Falco{}
	if err := ctx.RegisterComponentResource(FalcoTypeToken, name, f, opts...); err != nil {
		return nil, err
	}
	var err error
	if f.Namespace, err = clustersecurity.NewNamespace(ctx, name+"-namespace", &clustersecurity.NamespaceArgs{
		Name: eksspec.FalcoNamespace, PodSecurityVersion: args.PodSecurityVersion, Privileged: true, Protect: args.Protect,
	}, pulumi.Parent(f)); err != nil {
		return nil, err
	}
	egress, err := kube.Register(ctx, name+"-"+FalcoEgressName, FalcoEgress(), nil, pulumi.Parent(f), pulumi.DependsOn(f.Namespace.Objects))
	if err != nil {
		return nil, err
	}
	values := pulumi.Map{}
	for k, v := range FalcoValues() {
		values[k] = pulumi.Any(v)
	}
	if f.Release, err = helmv3.NewRelease(ctx, name, &helmv3.ReleaseArgs{
		Name:           pulumi.String(FalcoChart),
		Chart:          pulumi.String(FalcoChart),
		Version:        pulumi.String(FalcoChartVersion),
		RepositoryOpts: &helmv3.RepositoryOptsArgs{Repo: pulumi.String(FalcoChartRepo)},
		Namespace:      pulumi.String(eksspec.FalcoNamespace),
		Atomic:         pulumi.Bool(true),
		Values:         values,
	}, pulumi.Parent(f), pulumi.DependsOn(slices.Concat(f.Namespace.Objects, []pulumi.Resource{egress}))); err != nil {
		return nil, err
	}
	return f, ctx.RegisterResourceOutputs(f, pulumi.Map{})
}
