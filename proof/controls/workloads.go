package controls

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	psaapi "k8s.io/pod-security-admission/api"
	psapolicy "k8s.io/pod-security-admission/policy"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/proof/engine/graph"
)

const (
	minServiceID      = eksspec.MinRuntimeID
	roleArnAnnotation = eksspec.RoleArnAnnotation
)

var pinnedVersion = regexp.MustCompile(`^v1\.[0-9]+$`)

var workloadControls = []*Control{
	{ID: "POD-001", Title: "Every pod passes Pod Security restricted (upstream evaluator, latest) and runs as a UID and GID of at least 1000",
		// Supports, not proves: the line also says which images the services use (appuser in the
		// backend images, the unprivileged nginx image), which the plan cannot see.
		Section: section2, Supports: []string{reqNonRoot}, Severity: Critical, Types: workloadTypes, Resource: checkPodSecurity, Evidence: podIdentities},
	{ID: "POD-002", Title: "Workloads run only in namespaces that enforce, audit and warn at Pod Security restricted, version pinned",
		Section: section2, Supports: []string{reqNonRoot}, Severity: High, Graph: checkNamespaceLevels},
	{ID: "POD-003", Title: "Hardened containers: read-only root file system, requests and limits, probes, a pinned image, an explicit token choice",
		Section: section2, Supports: []string{reqLeastMounts}, Severity: High, Types: workloadTypes, Resource: checkHardenedContainers},
	{ID: "IAM-005", Title: "Each workload has its own ServiceAccount; an IRSA annotation names a role that trusts exactly that ServiceAccount",
		Section: section3, Supports: []string{reqIRSA}, Severity: Critical, Graph: checkServiceAccounts},
}

// podSecurity is the upstream Pod Security Admission evaluator with its default checks.
var podSecurity = func() interface {
	EvaluatePod(psaapi.LevelVersion, *metav1.ObjectMeta, *corev1.PodSpec) []psapolicy.CheckResult
} {
	e, err := psapolicy.NewEvaluator(psapolicy.DefaultChecks(), nil)
	if err != nil {
		panic(err) // the upstream checks are valid by construction
	}
	return e
}()

// PodSecurityViolations evaluates a pod spec at restricted/latest and returns the reasons it is
// refused, one per failed check.
func PodSecurityViolations(meta metav1.ObjectMeta, spec corev1.PodSpec) []string {
	var out []string
	for _, r := range podSecurity.EvaluatePod(psaapi.LevelVersion{Level: psaapi.LevelRestricted, Version: psaapi.LatestVersion()}, &meta, &spec) {
		if !r.Allowed {
			out = append(out, r.ForbiddenReason+" ("+r.ForbiddenDetail+")")
		}
	}
	return out
}

// podTemplateOf reads a workload's pod template from its inputs: Deployments, StatefulSets and
// DaemonSets share its shape.
func podTemplateOf(props property.Map) (*appsv1.Deployment, []Violation) {
	d, err := decodeProps[appsv1.Deployment](props)
	if err != nil {
		return nil, []Violation{{Path: "spec", Value: "undecodable", Message: err.Error()}}
	}
	return d, nil
}

func checkPodSecurity(_ string, props property.Map) []Violation {
	d, vs := podTemplateOf(props)
	if d == nil {
		return vs
	}
	spec := d.Spec.Template.Spec
	for _, v := range PodSecurityViolations(d.Spec.Template.ObjectMeta, spec) {
		vs = append(vs, Violation{Path: "spec.template.spec", Value: "restricted", Message: v})
	}
	for _, c := range spec.Containers {
		uid, gid := effectiveIDs(spec.SecurityContext, c.SecurityContext)
		if uid == nil || *uid < minServiceID {
			vs = append(vs, Violation{Path: "containers[" + c.Name + "].runAsUser", Value: showID(uid),
				Message: fmt.Sprintf("run as a UID of at least %d (the appuser), set in the pod: the image's user is not checked here", minServiceID)})
		}
		if gid == nil || *gid < minServiceID {
			vs = append(vs, Violation{Path: "containers[" + c.Name + "].runAsGroup", Value: showID(gid),
				Message: fmt.Sprintf("run with a GID of at least %d", minServiceID)})
		}
	}
	return vs
}

func effectiveIDs(pod *corev1.PodSecurityContext, c *corev1.SecurityContext) (uid, gid *int64) {
	if pod != nil {
		uid, gid = pod.RunAsUser, pod.RunAsGroup
	}
	if c != nil && c.RunAsUser != nil {
		uid = c.RunAsUser
	}
	if c != nil && c.RunAsGroup != nil {
		gid = c.RunAsGroup
	}
	return uid, gid
}

func showID(id *int64) string {
	if id == nil {
		return "unset (the image decides)"
	}
	return fmt.Sprint(*id)
}

// podIdentities says who each workload runs as and on which port.
func podIdentities(t Target) string {
	templates, _ := PodTemplates(t.Graph)
	var parts []string
	for _, p := range templates {
		for _, c := range p.Spec.Containers {
			uid, gid := effectiveIDs(p.Spec.SecurityContext, c.SecurityContext)
			var ports []string
			for _, port := range c.Ports {
				ports = append(ports, fmt.Sprint(port.ContainerPort))
			}
			parts = append(parts, fmt.Sprintf("%s/%s: uid %s gid %s, port %s", p.Namespace, c.Name, showID(uid), showID(gid), strings.Join(ports, ",")))
		}
	}
	if len(parts) == 0 {
		return "no workloads"
	}
	return strings.Join(parts, "; ")
}

func checkNamespaceLevels(t Target) (int, []Finding) {
	workloads, fs := Workloads(t.Graph)
	namespaces, nfs := Namespaces(t.Graph)
	fs = append(fs, nfs...)
	for _, ns := range workloadNamespaces(workloads) {
		at := namespaceSubject(t.Graph, ns)
		n, ok := namespaces[ns]
		if !ok {
			fs = append(fs, Finding{URN: at, Violation: Violation{Path: "metadata.labels", Value: "not managed by this program",
				Message: "run workloads only in namespaces created here, with their Pod Security labels (never default)"}})
			continue
		}
		for _, mode := range eksspec.PodSecurityModes {
			if level := n.Labels[mode]; level != string(psaapi.LevelRestricted) {
				fs = append(fs, Finding{URN: at, Violation: Violation{Path: "metadata.labels[" + mode + "]", Value: fmt.Sprintf("%q", level), Message: "set it to restricted"}})
			}
			if v := n.Labels[mode+eksspec.PodSecurityVersion]; !pinnedVersion.MatchString(v) {
				fs = append(fs, Finding{URN: at, Violation: Violation{Path: "metadata.labels[" + mode + eksspec.PodSecurityVersion + "]", Value: fmt.Sprintf("%q", v),
					Message: "pin the standard's version (v1.N): unpinned, a cluster upgrade changes what is admitted"}})
			}
		}
	}
	return len(workloadNamespaces(workloads)), fs
}

// The pod volume kinds a hardened workload may use: scratch space, claims, and read-only config.
func volumeAllowed(v corev1.Volume) bool {
	s := v.VolumeSource
	return s.EmptyDir != nil || s.PersistentVolumeClaim != nil || s.ConfigMap != nil || s.Secret != nil || s.Projected != nil || s.DownwardAPI != nil
}

func checkHardenedContainers(_ string, props property.Map) []Violation {
	d, vs := podTemplateOf(props)
	if d == nil {
		return vs
	}
	spec := d.Spec.Template.Spec
	add := func(path, value, message string) {
		vs = append(vs, Violation{Path: path, Value: value, Message: message})
	}
	if spec.AutomountServiceAccountToken == nil {
		add("spec.template.spec.automountServiceAccountToken", "unset (true)", "say false unless the service calls the Kubernetes API")
	}
	for _, v := range spec.Volumes {
		if !volumeAllowed(v) {
			add("spec.template.spec.volumes["+v.Name+"]", "another kind", "use emptyDir for writable paths, claims for data, ConfigMaps or Secrets for configuration")
		}
	}
	for _, c := range slices.Concat(spec.InitContainers, spec.Containers) {
		at := "containers[" + c.Name + "]"
		if c.SecurityContext == nil || c.SecurityContext.ReadOnlyRootFilesystem == nil || !*c.SecurityContext.ReadOnlyRootFilesystem {
			add(at+".securityContext.readOnlyRootFilesystem", "not true", "keep the root file system read-only; mount emptyDir volumes at the writable paths")
		}
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if _, ok := c.Resources.Requests[r]; !ok {
				add(at+".resources.requests."+string(r), "unset", "set requests: the scheduler and the autoscaler need them")
			}
			if _, ok := c.Resources.Limits[r]; !ok {
				add(at+".resources.limits."+string(r), "unset", "set limits: one pod must not starve its node")
			}
		}
		if c.ReadinessProbe == nil || c.LivenessProbe == nil {
			add(at+".readinessProbe/livenessProbe", "missing", "probe the service so that traffic and restarts follow its health")
		}
		if !imagePinned(c.Image) {
			add(at+".image", fmt.Sprintf("%q", c.Image), "pin a tag other than latest, or a digest")
		}
	}
	return vs
}

// imagePinned: the reference has a digest, or a tag other than latest.
func imagePinned(image string) bool {
	if strings.Contains(image, "@sha256:") {
		return true
	}
	last := image[strings.LastIndex(image, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	return ok && tag != "" && tag != "latest"
}

func checkServiceAccounts(t Target) (int, []Finding) {
	g := t.Graph
	templates, fs := PodTemplates(g)
	users := map[string][]string{} // namespace/serviceAccount → workloads
	for _, p := range templates {
		sa := p.Spec.ServiceAccountName
		if sa == "" || sa == "default" {
			fs = append(fs, Finding{URN: p.URN, Violation: Violation{Path: "spec.template.spec.serviceAccountName", Value: fmt.Sprintf("%q", sa),
				Message: "give each workload its own ServiceAccount, never the namespace's default"}})
			continue
		}
		users[p.Namespace+"/"+sa] = append(users[p.Namespace+"/"+sa], p.Name)
	}
	for sa, ws := range users {
		if len(ws) > 1 {
			fs = append(fs, Finding{URN: "serviceaccount " + sa, Violation: Violation{Path: "users", Value: strings.Join(ws, ", "),
				Message: "workloads never share a ServiceAccount: each would hold the others' IAM role"}})
		}
	}
	roles := map[string]*graph.Resource{}
	for _, r := range g.OfType(typeRole) {
		if v, ok := r.Outputs.GetOk("arn"); ok && v.IsString() {
			roles[v.AsString()] = r
		}
	}
	accounts := g.OfType(typeServiceAccount)
	for _, r := range accounts {
		v, err := r.Get(fmt.Sprintf("metadata.annotations[%q]", roleArnAnnotation))
		if err != nil || !v.IsString() {
			continue // no IRSA role, or not known until apply
		}
		arn := v.AsString()
		ns, _ := r.String("metadata.namespace")
		name, _ := r.String("metadata.name")
		role, ok := roles[arn]
		if !ok {
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "metadata.annotations[" + roleArnAnnotation + "]", Value: arn,
				Message: "names a role this program does not create: its trust and policy cannot be checked"}})
			continue
		}
		if trusted := trustedServiceAccounts(role); !slices.Equal(trusted, []string{ns + ":" + name}) {
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: "metadata.annotations[" + roleArnAnnotation + "]", Value: arn,
				Message: fmt.Sprintf("the role trusts %v, not exactly %s:%s", trusted, ns, name)}})
		}
	}
	return len(templates) + len(accounts), fs
}
