package workload

import (
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/securestack/platform/components/lib/eksspec"
)

// Labels every object of a service carries; NameLabel selects its pods.
const (
	NameLabel      = "app.kubernetes.io/name"
	PartOfLabel    = "app.kubernetes.io/part-of"
	ManagedByLabel = "app.kubernetes.io/managed-by"
)

// RoleArnAnnotation is the ServiceAccount annotation the EKS pod identity webhook reads (IRSA).
const RoleArnAnnotation = eksspec.RoleArnAnnotation

// ZoneLabel is the well-known node label of the availability zone.
const ZoneLabel = "topology.kubernetes.io/zone"

// Cluster DNS, as every EKS cluster runs it: the CoreDNS pods of kube-system.
const (
	DNSNamespace = "kube-system"
	DNSPodLabel  = "k8s-app"
	DNSPodValue  = "kube-dns"
	DNSPort      = 53
	// NamespaceNameLabel is set by Kubernetes on every namespace to its name.
	NamespaceNameLabel = eksspec.NamespaceNameLabel
)

// HTTPSPort is the port of the AWS APIs; NFSPort of EFS mount targets.
const (
	HTTPSPort = 443
	NFSPort   = 2049
)

// LinkLocal is the link-local range: the instance metadata service (169.254.169.254) and the other
// node-local endpoints. AWS API egress never includes it, so pods cannot take the node's
// credentials from the metadata service.
const LinkLocal = "169.254.0.0/16"

// Objects are the Kubernetes objects of one service.
type Objects struct {
	// ServiceAccount is the service's own identity (with its IRSA annotation, if any).
	ServiceAccount *corev1.ServiceAccount
	// Deployment runs the pods; nil without an image.
	Deployment *appsv1.Deployment
	// Service is the ClusterIP Service on Port.
	Service *corev1.Service
	// Disruption is the PodDisruptionBudget.
	Disruption *policyv1.PodDisruptionBudget
	// Claims are the claims of the Volumes, in order.
	Claims []*corev1.PersistentVolumeClaim
	// NetworkPolicies allow the declared ingress and egress on top of the default deny.
	NetworkPolicies []*networkingv1.NetworkPolicy
}

// Build returns the objects of a service from validated args (zero values take their defaults).
func Build(args *ServiceArgs) Objects {
	a := args.withDefaults()
	labels := a.labels()
	selector := map[string]string{NameLabel: a.Name}
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: a.Namespace, Labels: labels}
	}
	o := Objects{
		ServiceAccount: &corev1.ServiceAccount{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
			ObjectMeta: meta(a.Name),
			// A pod gets an API token only if it calls the API; the Deployment says so too.
			AutomountServiceAccountToken: new(a.KubernetesAPI),
		},
		Service: &corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: meta(a.Name),
			Spec: corev1.ServiceSpec{
				Type:     corev1.ServiceTypeClusterIP,
				Selector: selector,
				Ports: []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: a.Port,
					TargetPort: intstr.FromString("http")}},
			},
		},
		Disruption: &policyv1.PodDisruptionBudget{
			TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
			ObjectMeta: meta(a.Name),
			Spec: policyv1.PodDisruptionBudgetSpec{
				// One pod at a time: drains proceed, and with 2+ replicas the service stays up.
				MaxUnavailable: new(intstr.FromInt32(1)),
				Selector:       &metav1.LabelSelector{MatchLabels: selector},
			},
		},
	}
	for _, v := range a.Volumes {
		o.Claims = append(o.Claims, &corev1.PersistentVolumeClaim{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
			ObjectMeta: meta(v.Claim),
			Spec: corev1.PersistentVolumeClaimSpec{
				AccessModes:      []corev1.PersistentVolumeAccessMode{corev1.ReadWriteMany},
				StorageClassName: new(""), // static: bound to VolumeName only
				VolumeName:       v.VolumeName,
				Resources:        corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(v.Size)}},
			},
		})
	}
	if a.Image != "" {
		o.Deployment = a.deployment(meta(a.Name), selector)
	}
	o.NetworkPolicies = a.networkPolicies(meta, selector)
	return o
}

func (a *ServiceArgs) labels() map[string]string {
	labels := map[string]string{NameLabel: a.Name, ManagedByLabel: "pulumi"}
	if a.PartOf != "" {
		labels[PartOfLabel] = a.PartOf
	}
	return labels
}

// VolumeName is the pod volume of a writable path: "/var/cache/nginx" → "writable-var-cache-nginx".
func VolumeName(path string) string {
	return "writable-" + strings.NewReplacer("/", "-", ".", "-", "_", "-").Replace(strings.ToLower(strings.Trim(path, "/")))
}

func (a *ServiceArgs) deployment(meta metav1.ObjectMeta, selector map[string]string) *appsv1.Deployment {
	var volumes []corev1.Volume
	var mounts []corev1.VolumeMount
	for _, p := range a.WritablePaths {
		volumes = append(volumes, corev1.Volume{Name: VolumeName(p), VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		mounts = append(mounts, corev1.VolumeMount{Name: VolumeName(p), MountPath: p})
	}
	for _, v := range a.Volumes {
		volumes = append(volumes, corev1.Volume{Name: v.Name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: v.Claim}}})
		mounts = append(mounts, corev1.VolumeMount{Name: v.Name, MountPath: v.MountPath})
	}
	probe := corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("http")}}
	if a.HealthPath != "" {
		probe = corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: a.HealthPath, Port: intstr.FromString("http")}}
	}
	pod := corev1.PodSpec{
		ServiceAccountName:           a.Name,
		AutomountServiceAccountToken: new(a.KubernetesAPI),
		EnableServiceLinks:           new(false), // no environment variables naming every Service
		SecurityContext: &corev1.PodSecurityContext{
			RunAsNonRoot:   new(true),
			RunAsUser:      new(a.UID),
			RunAsGroup:     new(a.GID),
			FSGroup:        new(a.GID),
			SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		Containers: []corev1.Container{{
			Name:  a.Name,
			Image: a.Image,
			Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: a.Port, Protocol: corev1.ProtocolTCP}},
			SecurityContext: &corev1.SecurityContext{
				AllowPrivilegeEscalation: new(false),
				Privileged:               new(false),
				ReadOnlyRootFilesystem:   new(true),
				RunAsNonRoot:             new(true),
				Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			},
			Resources: corev1.ResourceRequirements{
				Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(a.Resources.CPU), corev1.ResourceMemory: resource.MustParse(a.Resources.Memory)},
				Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(a.Resources.CPULimit), corev1.ResourceMemory: resource.MustParse(a.Resources.MemoryLimit)},
			},
			ReadinessProbe: &corev1.Probe{ProbeHandler: probe, PeriodSeconds: 10},
			LivenessProbe:  &corev1.Probe{ProbeHandler: probe, PeriodSeconds: 20, InitialDelaySeconds: 10},
			VolumeMounts:   mounts,
		}},
		Volumes: volumes,
	}
	if a.SpreadAcrossZones {
		pod.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{
			MaxSkew: 1, TopologyKey: ZoneLabel, WhenUnsatisfiable: corev1.DoNotSchedule,
			LabelSelector: &metav1.LabelSelector{MatchLabels: selector},
		}}
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: new(a.Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: selector},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: a.labels()}, Spec: pod},
		},
	}
}

// networkPolicies are the service's explicit allows, on top of its namespace's default deny:
// ingress from its callers and the load balancer on its port; egress to cluster DNS, to the
// services it calls on their ports, to the AWS APIs on 443 (never link-local) and to the EFS mount
// targets on 2049.
func (a *ServiceArgs) networkPolicies(meta func(string) metav1.ObjectMeta, selector map[string]string) []*networkingv1.NetworkPolicy {
	tcp := corev1.ProtocolTCP
	port := func(protocol corev1.Protocol, p int32) []networkingv1.NetworkPolicyPort {
		return []networkingv1.NetworkPolicyPort{{Protocol: &protocol, Port: new(intstr.FromInt32(p))}}
	}
	pods := func(service, namespace string) networkingv1.NetworkPolicyPeer {
		return networkingv1.NetworkPolicyPeer{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{NamespaceNameLabel: namespace}},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{NameLabel: service}},
		}
	}
	cidrs := func(blocks []string, except ...string) []networkingv1.NetworkPolicyPeer {
		var out []networkingv1.NetworkPolicyPeer
		for _, b := range blocks {
			out = append(out, networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: b, Except: except}})
		}
		return out
	}
	policy := func(suffix string, kind networkingv1.PolicyType) *networkingv1.NetworkPolicy {
		return &networkingv1.NetworkPolicy{
			TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
			ObjectMeta: meta(a.Name + "-" + suffix),
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: metav1.LabelSelector{MatchLabels: selector},
				PolicyTypes: []networkingv1.PolicyType{kind},
			},
		}
	}

	var out []*networkingv1.NetworkPolicy
	ingress := policy("ingress", networkingv1.PolicyTypeIngress)
	for _, c := range a.Callers {
		ingress.Spec.Ingress = append(ingress.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{
			From: []networkingv1.NetworkPolicyPeer{pods(c.Service, c.Namespace)}, Ports: port(tcp, a.Port)})
	}
	if len(a.LoadBalancerCIDRs) > 0 {
		// target type ip: the load balancer's nodes in the public subnets connect to the pods.
		ingress.Spec.Ingress = append(ingress.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{
			From: cidrs(a.LoadBalancerCIDRs), Ports: port(tcp, a.Port)})
	}
	if len(ingress.Spec.Ingress) > 0 {
		out = append(out, ingress)
	}

	egress := policy("egress", networkingv1.PolicyTypeEgress)
	egress.Spec.Egress = append(egress.Spec.Egress, DNSEgress())
	for _, c := range a.Callees {
		egress.Spec.Egress = append(egress.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
			To: []networkingv1.NetworkPolicyPeer{pods(c.Service, c.Namespace)}, Ports: port(tcp, c.Port)})
	}
	if a.AWSAPIs {
		egress.Spec.Egress = append(egress.Spec.Egress, HTTPSEgress())
	}
	if len(a.NFSCIDRs) > 0 {
		egress.Spec.Egress = append(egress.Spec.Egress, networkingv1.NetworkPolicyEgressRule{
			To: cidrs(a.NFSCIDRs), Ports: port(tcp, NFSPort)})
	}
	return append(out, egress)
}

// policyPort is one port of a NetworkPolicy rule.
func policyPort(protocol corev1.Protocol, p int32) networkingv1.NetworkPolicyPort {
	return networkingv1.NetworkPolicyPort{Protocol: &protocol, Port: new(intstr.FromInt32(p))}
}

// DNSEgress is the egress rule to cluster DNS: the CoreDNS pods of kube-system, UDP and TCP 53.
func DNSEgress() networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{
		To: []networkingv1.NetworkPolicyPeer{{
			NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{NamespaceNameLabel: DNSNamespace}},
			PodSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{DNSPodLabel: DNSPodValue}},
		}},
		Ports: []networkingv1.NetworkPolicyPort{policyPort(corev1.ProtocolUDP, DNSPort), policyPort(corev1.ProtocolTCP, DNSPort)},
	}
}

// HTTPSEgress is the egress rule to services outside the cluster on 443 (the AWS APIs, which
// have no fixed addresses), never to the link-local range: no metadata service.
func HTTPSEgress() networkingv1.NetworkPolicyEgressRule {
	return networkingv1.NetworkPolicyEgressRule{
		To:    []networkingv1.NetworkPolicyPeer{{IPBlock: &networkingv1.IPBlock{CIDR: "0.0.0.0/0", Except: []string{LinkLocal}}}},
		Ports: []networkingv1.NetworkPolicyPort{policyPort(corev1.ProtocolTCP, HTTPSPort)},
	}
}

// String names a peer for messages.
func (p Peer) String() string { return fmt.Sprintf("%s/%s", p.Namespace, p.Service) }
