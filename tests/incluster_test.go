package tests

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
)

// matrixPeers are every party of the reachability matrix of a stack: the three services' pods, the
// cluster DNS, the load balancer (its nodes sit in the public subnets), an EFS mount target (in a
// private subnet), the instance metadata service and the internet. Addresses are in the dev
// layout (10.10.0.0/16: private subnets 10.10.0.0/19 and 10.10.32.0/19, public 10.10.224.0/22 and
// 10.10.228.0/22); pods get private addresses, as the VPC CNI gives them.
func matrixPeers() []controls.Peer {
	pod := func(name string) controls.Peer {
		return controls.Peer{Name: name, Namespace: "apps", Labels: map[string]string{"app.kubernetes.io/name": name}, IP: "10.10.0.20"}
	}
	return []controls.Peer{
		pod("frontend"), pod("processor"), pod("uploader"),
		{Name: "kube-dns", Namespace: "kube-system", Labels: map[string]string{"k8s-app": "kube-dns"}, IP: "10.10.32.53"},
		{Name: "load-balancer", IP: "10.10.224.10"},
		{Name: "mount-target", IP: "10.10.32.100"},
		{Name: "metadata", IP: "169.254.169.254"},
		{Name: "internet", IP: "203.0.113.10"},
	}
}

type probe struct {
	port     int
	protocol corev1.Protocol
}

var matrixProbes = []probe{{53, corev1.ProtocolUDP}, {53, corev1.ProtocolTCP}, {80, corev1.ProtocolTCP}, {443, corev1.ProtocolTCP},
	{2049, corev1.ProtocolTCP}, {8000, corev1.ProtocolTCP}, {8080, corev1.ProtocolTCP}}

// allowedMatrix evaluates every (source, destination, port) of the matrix with cyclonus over the
// recorded NetworkPolicies and returns the allowed ones.
func allowedMatrix(t *testing.T, g *graph.Graph) []string {
	t.Helper()
	reach, fs := controls.ReachabilityOf(g)
	if len(fs) > 0 {
		t.Fatalf("policies cyclonus cannot read: %v", fs)
	}
	var out []string
	for _, from := range matrixPeers() {
		for _, to := range matrixPeers() {
			if from.Name == to.Name || from.Namespace != "apps" && to.Namespace != "apps" {
				continue // traffic that does not involve the application is no policy of ours
			}
			for _, p := range matrixProbes {
				if reach.Allowed(from, to, p.port, p.protocol) {
					out = append(out, fmt.Sprintf("%s → %s:%d/%s", from.Name, to.Name, p.port, p.protocol))
				}
			}
		}
	}
	return out
}

// TestReachabilityMatrixIsExactlyWhatTheCatalogImplies: cyclonus, evaluating the recorded
// NetworkPolicies, allows exactly these connections between the application, the cluster DNS, the
// load balancer, the file system, the metadata service and the internet — everything else is
// denied. The catalog says: the load balancer reaches the frontend on 8080, the frontend calls the
// uploader on 8000, every service resolves names, the uploader and the processor (AWS intents)
// reach AWS on 443 and the processor (EFS) the mount targets' subnets on 2049. Two consequences of
// ipBlock rules are visible and intended: 443 goes to any address but the link-local range (the
// AWS APIs have no fixed addresses), and that includes pods of namespaces without ingress policies,
// such as kube-system.
func TestReachabilityMatrixIsExactlyWhatTheCatalogImplies(t *testing.T) {
	want := []string{
		"frontend → uploader:8000/TCP",
		"frontend → kube-dns:53/UDP",
		"frontend → kube-dns:53/TCP",
		"processor → kube-dns:53/UDP",
		"processor → kube-dns:53/TCP",
		"processor → kube-dns:443/TCP",
		"processor → kube-dns:2049/TCP",
		"processor → load-balancer:443/TCP",
		"processor → mount-target:443/TCP",
		"processor → mount-target:2049/TCP",
		"processor → internet:443/TCP",
		"uploader → kube-dns:53/UDP",
		"uploader → kube-dns:53/TCP",
		"uploader → kube-dns:443/TCP",
		"uploader → load-balancer:443/TCP",
		"uploader → mount-target:443/TCP",
		"uploader → internet:443/TCP",
		"load-balancer → frontend:8080/TCP",
	}
	if got := allowedMatrix(t, record(t, "dev")); !slices.Equal(got, want) {
		t.Errorf("allowed connections:\n got  %q\n want %q", got, want)
	}
}

// TestEveryPodPassesPodSecurityRestricted: the upstream Pod Security Admission evaluator, at
// restricted/latest, finds nothing in any pod template of any stack; and there are three.
func TestEveryPodPassesPodSecurityRestricted(t *testing.T) {
	for _, stack := range Stacks {
		templates, fs := controls.PodTemplates(record(t, stack))
		if len(fs) > 0 || len(templates) != 3 {
			t.Fatalf("%s: %d pod templates, %v", stack, len(templates), fs)
		}
		for _, p := range templates {
			if v := controls.PodSecurityViolations(metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace}, p.Spec); len(v) > 0 {
				t.Errorf("%s %s: %v", stack, p.Name, v)
			}
			if uid := *p.Spec.SecurityContext.RunAsUser; uid != 1000 {
				t.Errorf("%s %s runs as %d, want 1000", stack, p.Name, uid)
			}
		}
	}
}

// TestWhoCanTable: what the gitops and developer personas may do, decided with the upstream RBAC
// coverage helper over the recorded Roles and bindings, in the application namespace, in
// kube-system and cluster-wide.
func TestWhoCanTable(t *testing.T) {
	rbac, fs := controls.RBACOf(brokenBase(t))
	if len(fs) > 0 {
		t.Fatal(fs)
	}
	type row struct {
		req                controls.Request
		gitops, developers bool
	}
	apps := func(verb, group, resource string) controls.Request {
		return controls.Request{Verb: verb, APIGroup: group, Resource: resource, Namespace: "apps"}
	}
	table := []row{
		{apps("create", "apps", "deployments"), true, false},
		{apps("patch", "apps", "deployments"), true, false},
		{apps("delete", "apps", "deployments"), true, false},
		{apps("list", "apps", "deployments"), true, true},
		{apps("create", "", "services"), true, false},
		{apps("update", "", "configmaps"), true, false},
		{apps("create", "", "serviceaccounts"), true, false},
		{apps("create", "networking.k8s.io", "networkpolicies"), true, false},
		{apps("create", "networking.k8s.io", "ingresses"), true, false},
		{apps("create", "autoscaling", "horizontalpodautoscalers"), true, false},
		{apps("create", "policy", "poddisruptionbudgets"), true, false},
		{apps("get", "", "pods"), true, true},
		{apps("get", "", "pods/log"), true, true},
		{apps("list", "", "events"), true, true},
		{apps("list", "events.k8s.io", "events"), false, true},
		{apps("delete", "", "pods"), false, false},
		{apps("get", "", "secrets"), false, false},
		{apps("list", "", "secrets"), false, false},
		{apps("create", "", "pods/exec"), false, false},
		{apps("create", "", "pods/portforward"), false, false},
		{apps("create", "", "serviceaccounts/token"), false, false},
		{apps("create", "rbac.authorization.k8s.io", "roles"), false, false},
		{apps("create", "rbac.authorization.k8s.io", "rolebindings"), false, false},
		{apps("bind", "rbac.authorization.k8s.io", "roles"), false, false},
		{apps("escalate", "rbac.authorization.k8s.io", "roles"), false, false},
		{apps("impersonate", "", "serviceaccounts"), false, false},
		{controls.Request{Verb: "get", Resource: "pods", Namespace: "kube-system"}, false, false},
		{controls.Request{Verb: "update", APIGroup: "apps", Resource: "deployments", Namespace: "kube-system"}, false, false},
		{controls.Request{Verb: "list", Resource: "namespaces"}, false, false},
		{controls.Request{Verb: "get", Resource: "nodes"}, false, false},
	}
	for _, r := range table {
		if got := rbac.Allows("platform:gitops", r.req); got != r.gitops {
			t.Errorf("gitops: %s = %v, want %v", r.req, got, r.gitops)
		}
		if got := rbac.Allows("platform:developers", r.req); got != r.developers {
			t.Errorf("developers: %s = %v, want %v", r.req, got, r.developers)
		}
	}
}

// servicesWith is the stack's platform:services with the images and push sources of the committed
// stack files (dev's branch) and the extra JSON fields merged per service.
func servicesWith(t *testing.T, stack, account string, extra map[string]map[string]any) string {
	t.Helper()
	services := map[string]map[string]any{}
	for _, s := range []string{"frontend", "processor", "uploader"} {
		services[s] = map[string]any{"image": account + ".dkr.ecr.eu-west-1.amazonaws.com/platform/" + stack + "/" + s + ":1.0.0",
			"push": map[string]any{"repository": "example-org/" + s, "ref": "refs/heads/main"}}
	}
	for name, fields := range extra {
		if services[name] == nil {
			services[name] = map[string]any{}
		}
		for k, v := range fields {
			services[name][k] = v
		}
	}
	b, err := json.Marshal(services)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// kubeObjects are the names of the recorded Kubernetes objects of one service, by kind.
func kubeObjects(g *graph.Graph, service string) []string {
	var out []string
	for _, r := range g.Resources() {
		if strings.HasPrefix(r.Type, "kubernetes:") && strings.HasPrefix(r.Name, "platform-dev-"+service) {
			out = append(out, r.Type[strings.LastIndex(r.Type, ":")+1:]+" "+r.Name)
		}
	}
	slices.Sort(out)
	return out
}

// TestServiceWithoutImageGetsEverythingButItsDeployment: the platform stands up before the first
// image exists.
func TestServiceWithoutImageGetsEverythingButItsDeployment(t *testing.T) {
	g := recordWith(t, "dev", func(c map[string]string) {
		c["platform:services"] = servicesWith(t, "dev", "111111111111", map[string]map[string]any{"processor": {"image": ""}})
	})
	want := []string{
		"NetworkPolicy platform-dev-processor-egress",
		"PersistentVolume platform-dev-processor-scratch",
		"PersistentVolumeClaim platform-dev-processor-scratch",
		"PodDisruptionBudget platform-dev-processor",
		"Service platform-dev-processor",
		"ServiceAccount platform-dev-processor",
	}
	if got := kubeObjects(g, "processor"); !slices.Equal(got, want) {
		t.Errorf("processor objects:\n got  %q\n want %q", got, want)
	}
	if got := kubeObjects(record(t, "dev"), "processor"); !slices.Equal(got, append([]string{"Deployment platform-dev-processor"}, want...)) {
		t.Errorf("with its image, processor objects %q", got)
	}
}

// TestAddingAServiceIsOneCatalogEntry: a fourth service named only in stack config gets its role
// (compiled from its intents), ServiceAccount, Deployment, Service, disruption budget and
// NetworkPolicies; its caller gets the egress to it; and no URN of the existing stack changes.
func TestAddingAServiceIsOneCatalogEntry(t *testing.T) {
	base := record(t, "dev")
	g := recordWith(t, "dev", func(c map[string]string) {
		c["platform:services"] = servicesWith(t, "dev", "111111111111", map[string]map[string]any{"thumbnailer": {
			"port": 9000, "callers": []string{"processor"},
			"image": "111111111111.dkr.ecr.eu-west-1.amazonaws.com/platform/dev/thumbnailer:0.1.0",
			"aws":   []any{map[string]any{"s3": map[string]any{"bucket": "processed", "actions": []string{"read"}}}},
		}})
	})
	for _, r := range base.Resources() {
		if _, ok := g.Lookup(r.URN); !ok {
			t.Errorf("adding a service removed %s", r.URN)
		}
	}
	want := []string{
		"Deployment platform-dev-thumbnailer",
		"NetworkPolicy platform-dev-thumbnailer-egress",
		"NetworkPolicy platform-dev-thumbnailer-ingress",
		"PodDisruptionBudget platform-dev-thumbnailer",
		"Service platform-dev-thumbnailer",
		"ServiceAccount platform-dev-thumbnailer",
	}
	if got := kubeObjects(g, "thumbnailer"); !slices.Equal(got, want) {
		t.Errorf("thumbnailer objects:\n got  %q\n want %q", got, want)
	}
	// Its own repository, which nobody may push to until it names a push source.
	if repo, _ := named(t, g, "aws:ecr/repository:Repository", "platform-dev-thumbnailer-repository").String("name"); repo != "platform/dev/thumbnailer" {
		t.Errorf("thumbnailer's repository is %q, want platform/dev/thumbnailer", repo)
	}
	if _, err := g.Named("platform:registry:PushRole", "platform-dev-thumbnailer-push"); err == nil {
		t.Errorf("thumbnailer names no push source, yet has a push role")
	}
	policy, _ := named(t, g, tRolePol, "platform-dev-thumbnailer").String("policy")
	if want := `{"Version":"2012-10-17","Statement":[{"Sid":"S3ReadProcessed","Effect":"Allow","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::platform-dev-processed-111111111111-eu-west-1/*"]}]}`; policy != want {
		t.Errorf("thumbnailer policy\n got  %s\n want %s", policy, want)
	}
	arn, _ := named(t, g, tK8sSA, "platform-dev-thumbnailer").String(`metadata.annotations["eks.amazonaws.com/role-arn"]`)
	if role := named(t, g, tRole, "platform-dev-thumbnailer"); arn == "" || arn != role.Outputs.Get("arn").AsString() {
		t.Errorf("thumbnailer's ServiceAccount names role %q", arn)
	}
	reach, _ := controls.ReachabilityOf(g)
	pod := func(name string) controls.Peer {
		return controls.Peer{Namespace: "apps", Labels: map[string]string{"app.kubernetes.io/name": name}, IP: "10.10.0.20"}
	}
	for _, c := range []struct {
		from, to string
		port     int
		allowed  bool
	}{{"processor", "thumbnailer", 9000, true}, {"frontend", "thumbnailer", 9000, false}, {"processor", "thumbnailer", 8000, false}} {
		if got := reach.Allowed(pod(c.from), pod(c.to), c.port, corev1.ProtocolTCP); got != c.allowed {
			t.Errorf("%s → %s:%d allowed %v, want %v", c.from, c.to, c.port, got, c.allowed)
		}
	}
	results := controls.Evaluate(controls.Target{Graph: g, Environment: "dev"}, nil)
	for _, r := range controls.Failed(results) {
		t.Errorf("%s fails with the new service: %v", r.Control.ID, r.Findings)
	}
}

// TestProdSpreadsPodsAcrossZones: in prod every Deployment requires an even spread over zones.
func TestProdSpreadsPodsAcrossZones(t *testing.T) {
	for _, stack := range Stacks {
		templates, _ := controls.PodTemplates(record(t, stack))
		for _, p := range templates {
			spread := p.Spec.TopologySpreadConstraints
			if stack != "prod" {
				if len(spread) != 0 {
					t.Errorf("%s %s spreads %v", stack, p.Name, spread)
				}
				continue
			}
			if len(spread) != 1 || spread[0].TopologyKey != "topology.kubernetes.io/zone" || spread[0].MaxSkew != 1 ||
				spread[0].WhenUnsatisfiable != corev1.DoNotSchedule || spread[0].LabelSelector.MatchLabels["app.kubernetes.io/name"] != p.Name {
				t.Errorf("prod %s spread %+v", p.Name, spread)
			}
		}
	}
}

// TestPodsStartOnlyBehindTheirPolicies: a Deployment depends on its namespace's default deny and
// Roles, its ServiceAccount and its own NetworkPolicies, so no pod runs before its traffic is
// decided; and in prod the namespace itself is protected (deleting it deletes all in it).
func TestPodsStartOnlyBehindTheirPolicies(t *testing.T) {
	for _, stack := range Stacks {
		g := record(t, stack)
		pre := "platform-" + stack
		for _, service := range []string{"frontend", "processor", "uploader"} {
			d := named(t, g, tDeployment, pre+"-"+service)
			want := []*graph.Resource{
				named(t, g, tNetpol, pre+"-apps-default-deny-all"),
				named(t, g, tNetpol, pre+"-"+service+"-egress"),
				named(t, g, tK8sSA, pre+"-"+service),
				named(t, g, tK8sRole, pre+"-apps-developer"),
			}
			if service != "processor" {
				want = append(want, named(t, g, tNetpol, pre+"-"+service+"-ingress"))
			}
			for _, dep := range want {
				if !g.DependsOn(d, dep.URN) {
					t.Errorf("%s: %s does not wait for %s", stack, d.Name, dep.Name)
				}
			}
		}
		if ns := named(t, g, tNamespace, pre+"-apps"); ns.Protect != (stack == "prod") {
			t.Errorf("%s: namespace protect=%v", stack, ns.Protect)
		}
	}
}

// TestTheControllerWaitsForItsRoleAndPolicy: the load balancer controller starts only once its IRSA
// role and the role's policy exist, named explicitly (a dependency on the role's component would
// hold whichever children happened to be registered, and plan.json would vary between runs).
func TestTheControllerWaitsForItsRoleAndPolicy(t *testing.T) {
	g := record(t, "prod")
	release := named(t, g, "kubernetes:helm.sh/v3:Release", "platform-prod-lb-controller")
	for _, typ := range []string{tRole, tRolePol} {
		if dep := named(t, g, typ, "platform-prod-lb-controller"); !g.DependsOn(release, dep.URN) {
			t.Errorf("the controller's release does not wait for %s", dep.URN)
		}
	}
}
