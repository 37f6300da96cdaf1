package workload_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	psapolicy "k8s.io/pod-security-admission/policy"

	"github.com/securestack/platform/components/workload"
	"github.com/securestack/platform/proof/engine/recorder"
)

func uploader() *workload.ServiceArgs {
	return &workload.ServiceArgs{
		Name: "uploader", Namespace: "apps", Port: 8000,
		Image:         "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/uploader:1.0.0",
		WritablePaths: []string{"/tmp"},
		Resources:     workload.Resources{CPU: "100m", Memory: "128Mi", CPULimit: "500m", MemoryLimit: "256Mi"},
		Callers:       []workload.Peer{{Service: "frontend", Namespace: "apps"}},
		AWSAPIs:       true,
	}
}

// TestBuiltPodPassesPodSecurityRestricted: the upstream evaluator at restricted/latest finds
// nothing, and the hardening beyond it is in place.
func TestBuiltPodPassesPodSecurityRestricted(t *testing.T) {
	d := workload.Build(uploader()).Deployment
	e, err := psapolicy.NewEvaluator(psapolicy.DefaultChecks(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range e.EvaluatePod(psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}, &metav1.ObjectMeta{}, &d.Spec.Template.Spec) {
		if !r.Allowed {
			t.Errorf("restricted: %s (%s)", r.ForbiddenReason, r.ForbiddenDetail)
		}
	}
	pod := d.Spec.Template.Spec
	c := pod.Containers[0]
	switch {
	case *pod.SecurityContext.RunAsUser != 1000 || *pod.SecurityContext.RunAsGroup != 1000 || *pod.SecurityContext.FSGroup != 1000:
		t.Errorf("identity %+v", pod.SecurityContext)
	case *pod.AutomountServiceAccountToken || pod.ServiceAccountName != "uploader":
		t.Errorf("token %v, account %q", *pod.AutomountServiceAccountToken, pod.ServiceAccountName)
	case !*c.SecurityContext.ReadOnlyRootFilesystem || len(c.VolumeMounts) != 1 || c.VolumeMounts[0].MountPath != "/tmp" || pod.Volumes[0].EmptyDir == nil:
		t.Errorf("root file system %v, mounts %+v", *c.SecurityContext.ReadOnlyRootFilesystem, c.VolumeMounts)
	case c.Resources.Limits.Cpu().String() != "500m" || c.Resources.Requests.Memory().String() != "128Mi":
		t.Errorf("resources %+v", c.Resources)
	case c.ReadinessProbe.TCPSocket == nil || c.LivenessProbe.TCPSocket == nil:
		t.Errorf("probes %+v %+v", c.ReadinessProbe, c.LivenessProbe)
	case *d.Spec.Replicas != 2 || len(pod.TopologySpreadConstraints) != 0:
		t.Errorf("replicas %d, spread %+v", *d.Spec.Replicas, pod.TopologySpreadConstraints)
	}
}

// TestNetworkPoliciesAreExactlyTheDeclaredTraffic: ingress from the caller on the port; egress to
// DNS and to AWS on 443 without the link-local range.
func TestNetworkPoliciesAreExactlyTheDeclaredTraffic(t *testing.T) {
	var got []string
	for _, np := range workload.Build(uploader()).NetworkPolicies {
		b, _ := json.Marshal(np.Spec)
		got = append(got, np.Name+" "+string(b))
	}
	want := []string{
		`uploader-ingress {"podSelector":{"matchLabels":{"app.kubernetes.io/name":"uploader"}},"ingress":[{"ports":[{"protocol":"TCP","port":8000}],"from":[{"podSelector":{"matchLabels":{"app.kubernetes.io/name":"frontend"}},"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"apps"}}}]}],"policyTypes":["Ingress"]}`,
		`uploader-egress {"podSelector":{"matchLabels":{"app.kubernetes.io/name":"uploader"}},"egress":[{"ports":[{"protocol":"UDP","port":53},{"protocol":"TCP","port":53}],"to":[{"podSelector":{"matchLabels":{"k8s-app":"kube-dns"}},"namespaceSelector":{"matchLabels":{"kubernetes.io/metadata.name":"kube-system"}}}]},{"ports":[{"protocol":"TCP","port":443}],"to":[{"ipBlock":{"cidr":"0.0.0.0/0","except":["169.254.0.0/16"]}}]}],"policyTypes":["Egress"]}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("policies:\n got  %s\n want %s", strings.Join(got, "\n      "), strings.Join(want, "\n      "))
	}
}

func TestWithoutImageThereIsNoDeployment(t *testing.T) {
	a := uploader()
	a.Image = ""
	o := workload.Build(a)
	if o.Deployment != nil || o.ServiceAccount == nil || o.Service == nil || o.Disruption == nil || len(o.NetworkPolicies) != 2 {
		t.Errorf("objects without an image: %+v", o)
	}
}

func TestServiceArgsReportEveryProblemAndRegisterNothing(t *testing.T) {
	args := &workload.ServiceArgs{
		Name: "Uploader", Namespace: "apps", Port: 80, UID: 999, GID: 0,
		WritablePaths:     []string{"tmp", "/tmp", "/tmp", "/var/" + strings.Repeat("x", 60)},
		Resources:         workload.Resources{CPU: "x", Memory: "128Mi", CPULimit: "1", MemoryLimit: "1Gi"},
		Callees:           []workload.Endpoint{{Service: "processor", Namespace: "apps", Port: 0}},
		LoadBalancerCIDRs: []string{"0.0.0.0/0"},
		Volumes:           []workload.Volume{{Name: "scratch", Claim: "c", VolumeName: "v", Size: "5Gi", MountPath: "/tmp"}},
	}
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := workload.NewService(ctx, "s", args)
		return err
	}})
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{
		`workload.NewService "s"`,
		`name: "Uploader" is not a DNS-1035 label`,
		"port: 80 is not from 1024 to 65535",
		"uid: 999 is below 1000",
		`writablePaths[0]: "tmp" must be absolute, clean and not /`,
		`writablePaths[2]: "/tmp" is listed twice`,
		`writablePaths[3]: "/var/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" makes the volume name "writable-var-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", not a DNS-1123 label of at most 63`,
		`resources.cpu: "x" is not a Kubernetes quantity`,
		"callees[0].port: 0 is not a port",
		`loadBalancerCidrs[0]: "0.0.0.0/0" is not a network address with a prefix length (and not 0.0.0.0/0)`,
		`volumes[0].mountPath: "/tmp" must be absolute, clean, not / and not a writable path`,
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "writablePaths[1]") {
		t.Errorf("the first valid /tmp is reported: %v", err)
	}
	if g.Len() != 1 {
		t.Errorf("%d resources registered, want only the stack", g.Len())
	}
}

// TestRegisteredObjectsCarryTheProviderTypesAndTheRoleAnnotation: the objects are registered with
// the Pulumi Kubernetes provider's own type tokens, the ServiceAccount with its IAM role.
func TestRegisteredObjectsCarryTheProviderTypesAndTheRoleAnnotation(t *testing.T) {
	a := uploader()
	a.RoleArn = pulumi.String("arn:aws:iam::123456789012:role/uploader")
	g, err := recorder.Record(recorder.Options{Stack: "dev", Program: func(ctx *pulumi.Context) error {
		_, err := workload.NewService(ctx, "s", a)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"pulumi:pulumi:Stack": 1, workload.TypeToken: 1, "kubernetes:core/v1:ServiceAccount": 1,
		"kubernetes:apps/v1:Deployment": 1, "kubernetes:core/v1:Service": 1, "kubernetes:policy/v1:PodDisruptionBudget": 1,
		"kubernetes:networking.k8s.io/v1:NetworkPolicy": 2}
	got := g.CountByType()
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%s: %d, want %d", typ, got[typ], n)
		}
	}
	if len(got) != len(want) {
		t.Errorf("types %v", got)
	}
	sa, err := g.Named("kubernetes:core/v1:ServiceAccount", "s")
	if err != nil {
		t.Fatal(err)
	}
	if arn, _ := sa.String(`metadata.annotations["eks.amazonaws.com/role-arn"]`); arn != "arn:aws:iam::123456789012:role/uploader" {
		t.Errorf("role annotation %q", arn)
	}
	if v, _ := sa.Bool("automountServiceAccountToken"); v {
		t.Error("the ServiceAccount mounts its token")
	}
}
