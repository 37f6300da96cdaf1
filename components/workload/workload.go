package workload

import (
	"errors"
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/securestack/platform/components/kube"
	"github.com/securestack/platform/components/lib/eksspec"
)

// TypeToken is the Pulumi type of the Service component. It is in users' state: never change it.
const TypeToken = "platform:workload:Service"

// MinID is the lowest UID and GID a service runs as: never root, never a system account.
const MinID = eksspec.MinRuntimeID

// ServiceArgs describe one service. Name, Namespace, Port and Resources are required; every other
// zero value is the secure default.
type ServiceArgs struct {
	// Name names the ServiceAccount, Deployment, Service and PodDisruptionBudget, and is the value
	// of the app.kubernetes.io/name label that selects its pods. A DNS-1123 label.
	Name string
	// Namespace it runs in: an application namespace (Pod Security restricted, default deny).
	Namespace string
	// PartOf is the app.kubernetes.io/part-of label; "" (the default) sets none.
	PartOf string
	// Port is the container port and the Service port: 1024–65535 (no capability to bind lower).
	Port int32
	// Image is the container image; "" creates everything but the Deployment, so a service whose
	// first image is not pushed yet still has its identity and its network rules in place.
	Image string
	// UID and GID the pod runs as; 0 means MinID (1000, the requirements' appuser): never root,
	// never a system account. Below MinID is an error.
	UID, GID int64
	// WritablePaths are mounted as emptyDir volumes; the root file system is read-only. Absolute,
	// clean, distinct, not "/". Nil (the default) leaves nothing writable.
	WritablePaths []string
	// Replicas; 0 means 2, so that a pod keeps serving through a node drain (the
	// PodDisruptionBudget lets at most one be evicted at a time).
	Replicas int32
	// Resources are the container's requests and limits (Kubernetes quantities); all required.
	Resources Resources
	// HealthPath is the HTTP path of the probes; "" probes the TCP port.
	HealthPath string
	// KubernetesAPI mounts a ServiceAccount token; false (the default) mounts none, so a
	// compromised container holds no credential for the cluster's API.
	KubernetesAPI bool
	// RoleArn annotates the ServiceAccount with an IAM role (IRSA); nil (the default): no role,
	// no AWS credentials.
	RoleArn pulumi.StringInput
	// Callers may connect to the service on Port. Nil (the default): no pod may, and the
	// namespace's default deny holds.
	Callers []Peer
	// Callees it may connect to on their ports. Nil (the default): only cluster DNS.
	Callees []Endpoint
	// LoadBalancerCIDRs are where the load balancer's nodes connect from (its subnets); empty: not
	// reached by a load balancer.
	LoadBalancerCIDRs []string
	// AWSAPIs allows egress on 443 to everything but the link-local range (the AWS APIs, through
	// the NAT or VPC endpoints). False (the default): no egress beyond DNS and Callees.
	AWSAPIs bool
	// NFSCIDRs are the EFS mount targets' subnets, for egress on 2049; nil allows none.
	NFSCIDRs []string
	// Volumes are pre-provisioned persistent volumes, each claimed and mounted; nil mounts none.
	Volumes []Volume
	// SpreadAcrossZones requires the pods to spread evenly over availability zones. False (the
	// default) because a hard spread leaves pods pending where a zone has no node (a one-zone dev
	// node group); prod turns it on.
	SpreadAcrossZones bool
	// After are what every object of the service waits for: its namespace and the namespace's
	// default deny and Roles, a pre-provisioned volume. (A dependency of the component itself does
	// not hold back its children.)
	After []pulumi.Resource
}

// Resources are a container's requests and limits, as Kubernetes quantities; all required, so
// that no pod runs unbounded or unscheduled by its real needs.
type Resources struct {
	// CPU and Memory are the requests, e.g. "100m" and "128Mi".
	CPU, Memory string
	// CPULimit and MemoryLimit are the limits, e.g. "500m" and "256Mi".
	CPULimit, MemoryLimit string
}

// Peer is a service by name and namespace.
type Peer struct {
	// Service is the peer's name (its app.kubernetes.io/name label); Namespace its namespace.
	Service, Namespace string
}

// Endpoint is a service and its port.
type Endpoint struct {
	// Service is the callee's name (its app.kubernetes.io/name label); Namespace its namespace.
	Service, Namespace string
	// Port is the callee's container port.
	Port int32
}

// Volume is a pre-provisioned PersistentVolume the service claims and mounts.
type Volume struct {
	// Name is the pod volume's name; Claim the PersistentVolumeClaim's; VolumeName the
	// PersistentVolume's, which is bound to the claim in advance.
	Name, Claim, VolumeName string
	// Size is the claim's request (required by Kubernetes, not enforced by EFS), e.g. "5Gi".
	Size string
	// MountPath in the container.
	MountPath string
}

// Service is a service's Kubernetes objects.
type Service struct {
	pulumi.ResourceState
	// Name and Namespace of its ServiceAccount, Deployment and Service.
	Name, Namespace string
}

var (
	dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	dns1035  = regexp.MustCompile(`^[a-z]([-a-z0-9]*[a-z0-9])?$`)
	maxLabel = 63
)

// ValidName reports whether a service name is valid for everything it names: a Service's name
// must be a DNS-1035 label (starting with a letter), at most 63 characters.
func ValidName(name string) bool { return len(name) <= maxLabel && dns1035.MatchString(name) }

// ValidVolumeName reports whether a pod volume name is a DNS-1123 label of at most 63 characters.
func ValidVolumeName(name string) bool { return len(name) <= maxLabel && dnsLabel.MatchString(name) }

func (a *ServiceArgs) withDefaults() *ServiceArgs {
	out := *a
	if out.UID == 0 {
		out.UID = MinID
	}
	if out.GID == 0 {
		out.GID = MinID
	}
	if out.Replicas == 0 {
		out.Replicas = 2
	}
	return &out
}

// Validate reports every problem at once, each with its field.
func (a *ServiceArgs) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	label := func(field, v string) {
		if !ValidVolumeName(v) {
			bad("%s: %q is not a DNS-1123 label", field, v)
		}
	}
	if !ValidName(a.Name) {
		bad("name: %q is not a DNS-1035 label (a Service's name starts with a letter)", a.Name)
	}
	label("namespace", a.Namespace)
	if a.Port < 1024 || a.Port > 65535 {
		bad("port: %d is not from 1024 to 65535 (a non-root process without capabilities cannot bind below 1024)", a.Port)
	}
	if a.UID != 0 && a.UID < MinID {
		bad("uid: %d is below %d", a.UID, MinID)
	}
	if a.GID != 0 && a.GID < MinID {
		bad("gid: %d is below %d", a.GID, MinID)
	}
	if a.Replicas < 0 {
		bad("replicas: %d is negative", a.Replicas)
	}
	names := map[string]bool{}
	for i, p := range a.WritablePaths {
		if !path.IsAbs(p) || path.Clean(p) != p || p == "/" {
			bad("writablePaths[%d]: %q must be absolute, clean and not /", i, p)
		} else if !ValidVolumeName(VolumeName(p)) {
			bad("writablePaths[%d]: %q makes the volume name %q, not a DNS-1123 label of at most 63", i, p, VolumeName(p))
		} else if names[VolumeName(p)] {
			bad("writablePaths[%d]: %q is listed twice", i, p)
		} else {
			names[VolumeName(p)] = true
		}
	}
	for field, q := range map[string]string{"resources.cpu": a.Resources.CPU, "resources.memory": a.Resources.Memory,
		"resources.cpuLimit": a.Resources.CPULimit, "resources.memoryLimit": a.Resources.MemoryLimit} {
		if _, err := resource.ParseQuantity(q); err != nil {
			bad("%s: %q is not a Kubernetes quantity", field, q)
		}
	}
	for i, c := range a.Callers {
		label(fmt.Sprintf("callers[%d].service", i), c.Service)
		label(fmt.Sprintf("callers[%d].namespace", i), c.Namespace)
	}
	for i, c := range a.Callees {
		label(fmt.Sprintf("callees[%d].service", i), c.Service)
		label(fmt.Sprintf("callees[%d].namespace", i), c.Namespace)
		if c.Port < 1 || c.Port > 65535 {
			bad("callees[%d].port: %d is not a port", i, c.Port)
		}
	}
	for field, list := range map[string][]string{"loadBalancerCidrs": a.LoadBalancerCIDRs, "nfsCidrs": a.NFSCIDRs} {
		for i, c := range list {
			if p, err := netip.ParsePrefix(c); err != nil || p.Masked() != p || p.Bits() == 0 {
				bad("%s[%d]: %q is not a network address with a prefix length (and not 0.0.0.0/0)", field, i, c)
			}
		}
	}
	for i, v := range a.Volumes {
		label(fmt.Sprintf("volumes[%d].name", i), v.Name)
		label(fmt.Sprintf("volumes[%d].claim", i), v.Claim)
		label(fmt.Sprintf("volumes[%d].volumeName", i), v.VolumeName)
		if _, err := resource.ParseQuantity(v.Size); err != nil {
			bad("volumes[%d].size: %q is not a Kubernetes quantity", i, v.Size)
		}
		if !path.IsAbs(v.MountPath) || path.Clean(v.MountPath) != v.MountPath || v.MountPath == "/" || slices.Contains(a.WritablePaths, v.MountPath) {
			bad("volumes[%d].mountPath: %q must be absolute, clean, not / and not a writable path", i, v.MountPath)
		}
	}
	return errors.Join(errs...)
}

// NewService registers a service's ServiceAccount (annotated with its IAM role, if any),
// Deployment (if it has an image), Service, PodDisruptionBudget, claims and NetworkPolicies. The
// Kubernetes provider comes in through opts.
func NewService(ctx *pulumi.Context, name string, args *ServiceArgs, opts ...pulumi.ResourceOption) (*Service, error) {
	if args == nil {
		args = &ServiceArgs{}
	}
	if err := args.Validate(); err != nil {
		return nil, fmt.Errorf("workload.NewService %q: %w", name, err)
	}
	a := args.withDefaults()
	s := &Service{Name: a.Name, Namespace: a.Namespace}
	if err := ctx.RegisterComponentResource(TypeToken, name, s, opts...); err != nil {
		return nil, err
	}
	objs := Build(args)
	parent := pulumi.Parent(s)
	after := pulumi.DependsOn(a.After)
	var late kube.Annotations
	if a.RoleArn != nil {
		late = kube.Annotations{RoleArnAnnotation: a.RoleArn}
	}
	sa, err := kube.Register(ctx, name, objs.ServiceAccount, late, parent, after)
	if err != nil {
		return nil, err
	}
	var claims []pulumi.Resource
	for i, c := range objs.Claims {
		claim, err := kube.Register(ctx, name+"-"+a.Volumes[i].Name, c, nil, parent, after)
		if err != nil {
			return nil, err
		}
		claims = append(claims, claim)
	}
	// Policies before pods: a pod never runs with only its namespace's default deny.
	var policies []pulumi.Resource
	for _, np := range objs.NetworkPolicies {
		res, err := kube.Register(ctx, name+"-"+np.Name[len(a.Name)+1:], np, nil, parent, after)
		if err != nil {
			return nil, err
		}
		policies = append(policies, res)
	}
	if objs.Deployment != nil {
		deps := slices.Concat(a.After, []pulumi.Resource{sa}, claims, policies)
		if _, err := kube.Register(ctx, name, objs.Deployment, nil, parent, pulumi.DependsOn(deps)); err != nil {
			return nil, err
		}
	}
	if _, err := kube.Register(ctx, name, objs.Service, nil, parent, after); err != nil {
		return nil, err
	}
	if _, err := kube.Register(ctx, name, objs.Disruption, nil, parent, after); err != nil {
		return nil, err
	}
	return s, ctx.RegisterResourceOutputs(s, pulumi.Map{"name": pulumi.String(a.Name), "namespace": pulumi.String(a.Namespace)})
}
