package eksspec

// The in-cluster facts the workload, namespace and edge components build from and the controls
// check against, defined once.

// MinRuntimeID is the lowest UID and GID a workload runs as: the requirements' appuser (1000).
const MinRuntimeID = 1000

// RoleArnAnnotation is the ServiceAccount annotation the EKS pod identity webhook reads (IRSA).
const RoleArnAnnotation = "eks.amazonaws.com/role-arn"

// NamespaceNameLabel is set by Kubernetes on every namespace to its name.
const NamespaceNameLabel = "kubernetes.io/metadata.name"

// The Pod Security Admission namespace labels (each with VersionSuffix for its pinned version)
// and the level every application namespace gets.
const (
	PodSecurityEnforce    = "pod-security.kubernetes.io/enforce"
	PodSecurityAudit      = "pod-security.kubernetes.io/audit"
	PodSecurityWarn       = "pod-security.kubernetes.io/warn"
	PodSecurityVersion    = "-version"
	PodSecurityRestricted = "restricted"
	// PodSecurityPrivileged is allowed in one namespace only: FalcoNamespace.
	PodSecurityPrivileged = "privileged"
)

// FalcoNamespace is the one namespace whose Pod Security level is privileged: Falco's sensor
// loads eBPF programs and reads the host's /proc and container runtime socket, which no
// restricted or baseline pod may. The controls exempt it by this name, and only with a Falco
// release in it.
const FalcoNamespace = "falco"

// PodSecurityModes are the three modes, each set to restricted.
var PodSecurityModes = []string{PodSecurityEnforce, PodSecurityAudit, PodSecurityWarn}

// The AWS Load Balancer Controller's ServiceAccount, as its chart creates it.
const (
	LoadBalancerControllerNamespace      = "kube-system"
	LoadBalancerControllerServiceAccount = "aws-load-balancer-controller"
)

// LoadBalancerGroupTag marks the ALB's security group: the one group the network controls allow
// to admit the internet (on 80 and 443 only).
const LoadBalancerGroupTag = "platform/load-balancer"

// SSLPolicies are the ELB security policies allowed on HTTPS listeners: TLS 1.3, with TLS 1.2 at
// most as a floor (the controller's and the provider's default, ELBSecurityPolicy-2016-08, still
// accepts TLS 1.0). DefaultSSLPolicy is the first.
var SSLPolicies = []string{
	"ELBSecurityPolicy-TLS13-1-2-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
	"ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
	"ELBSecurityPolicy-TLS13-1-3-2021-06",
	"ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
}

// DefaultSSLPolicy is the policy of HTTPS listeners when none is given.
const DefaultSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

// DesyncModes are the ALB desync mitigation modes allowed: the two that block ambiguous requests.
var DesyncModes = []string{"defensive", "strictest"}
