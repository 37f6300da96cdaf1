package controls

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/mattfenwick/cyclonus/pkg/matcher"
	"github.com/pulumi/pulumi/sdk/v3/go/property"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/proof/engine/graph"
)

// The addresses the reachability controls probe: the instance metadata service, where a pod would
// take the node's credentials, and an address of the internet (TEST-NET-3, RFC 5737).
const (
	MetadataIP = "169.254.169.254"
	InternetIP = "203.0.113.10"
)

// Peer is one end of a connection: a pod (Namespace set, with its labels) or an address outside
// the cluster (Namespace empty). Every peer has an IP: ipBlock rules match pods by address too.
type Peer struct {
	Name      string // for messages
	Namespace string
	Labels    map[string]string
	IP        string
}

// Reachability is the semantics of the recorded NetworkPolicies, evaluated by cyclonus (the
// upstream NetworkPolicy engine of the Kubernetes network-policy test suite).
type Reachability struct {
	policy          *matcher.Policy
	namespaceLabels map[string]map[string]string

	// targets caches, per direction and pod, the policy targets selecting the pod: cyclonus finds
	// them by scanning every target, and the evidence asks about every pair of workloads, so
	// without the cache a plan's cost grew with the cube of the catalog.
	mu      sync.Mutex
	targets map[string][]*matcher.Target
}

// ReachabilityOf builds the reachability of a recorded plan. Policies that cyclonus cannot read
// (an invalid CIDR) are findings and left out.
func ReachabilityOf(g *graph.Graph) (*Reachability, []Finding) {
	policies, urns, fs := networkPolicies(g)
	var valid []*networkingv1.NetworkPolicy
	for _, np := range policies {
		if bad := invalidBlocks(np); len(bad) > 0 {
			fs = append(fs, Finding{URN: urns[np], Violation: Violation{Path: "spec", Value: strings.Join(bad, ", "), Message: "not a network address with a prefix length"}})
			continue
		}
		valid = append(valid, np)
	}
	namespaces, nfs := Namespaces(g)
	labels := map[string]map[string]string{}
	for name, ns := range namespaces {
		l := maps.Clone(ns.Labels)
		if l == nil {
			l = map[string]string{}
		}
		l[eksspec.NamespaceNameLabel] = name
		labels[name] = l
	}
	return &Reachability{policy: matcher.BuildNetworkPolicies(false, valid), namespaceLabels: labels}, append(fs, nfs...)
}

func invalidBlocks(np *networkingv1.NetworkPolicy) []string {
	var bad []string
	check := func(peers []networkingv1.NetworkPolicyPeer) {
		for _, p := range peers {
			if p.IPBlock == nil {
				continue
			}
			for _, c := range append([]string{p.IPBlock.CIDR}, p.IPBlock.Except...) {
				if _, err := netip.ParsePrefix(c); err != nil {
					bad = append(bad, c)
				}
			}
		}
	}
	for _, r := range np.Spec.Ingress {
		check(r.From)
	}
	for _, r := range np.Spec.Egress {
		check(r.To)
	}
	return bad
}

func (r *Reachability) trafficPeer(p Peer) *matcher.TrafficPeer {
	if p.Namespace == "" {
		return &matcher.TrafficPeer{IP: p.IP}
	}
	nsLabels, ok := r.namespaceLabels[p.Namespace]
	if !ok {
		nsLabels = map[string]string{eksspec.NamespaceNameLabel: p.Namespace}
	}
	return &matcher.TrafficPeer{IP: p.IP, Internal: &matcher.InternalPeer{PodLabels: p.Labels, NamespaceLabels: nsLabels, Namespace: p.Namespace}}
}

// Allowed reports whether a connection from one peer to another on a port is allowed: by the
// egress policies of the source and the ingress policies of the destination.
func (r *Reachability) Allowed(from, to Peer, port int, protocol corev1.Protocol) bool {
	src, dst := r.trafficPeer(from), r.trafficPeer(to)
	return r.directionAllows(true, dst, src, port, protocol) && r.directionAllows(false, src, dst, port, protocol)
}

// directionAllows is cyclonus's Policy.IsIngressOrEgressAllowed with the targets that select the
// pod cached: traffic of a peer outside the cluster, or of a pod no policy selects in that
// direction, is allowed; otherwise some selecting target must allow the other end.
func (r *Reachability) directionAllows(ingress bool, pod, other *matcher.TrafficPeer, port int, protocol corev1.Protocol) bool {
	if pod.Internal == nil {
		return true
	}
	targets := r.targetsOf(ingress, pod.Internal)
	if len(targets) == 0 {
		return true
	}
	for _, t := range targets {
		if t.Allows(other, port, "", protocol) {
			return true
		}
	}
	return false
}

// podKey identifies a pod for the cache: direction, namespace and labels in key order.
func podKey(ingress bool, pod *matcher.InternalPeer) string {
	var b strings.Builder
	if ingress {
		b.WriteString("in\x00")
	} else {
		b.WriteString("out\x00")
	}
	b.WriteString(pod.Namespace)
	for _, k := range slices.Sorted(maps.Keys(pod.PodLabels)) {
		b.WriteString("\x00" + k + "=" + pod.PodLabels[k])
	}
	return b.String()
}

func (r *Reachability) targetsOf(ingress bool, pod *matcher.InternalPeer) []*matcher.Target {
	key := podKey(ingress, pod)
	r.mu.Lock()
	defer r.mu.Unlock()
	if t, ok := r.targets[key]; ok {
		return t
	}
	if r.targets == nil {
		r.targets = map[string][]*matcher.Target{}
	}
	t := r.policy.TargetsApplyingToPod(ingress, pod.Namespace, pod.PodLabels)
	r.targets[key] = t
	return t
}

// subnetIP is an address in the first subnet of a tier ("private" or "public"), or fallback.
func subnetIP(g *graph.Graph, tier, fallback string) string {
	for _, s := range subnets(g) {
		if s.tier != tier {
			continue
		}
		cidr, _ := s.res.String("cidrBlock")
		if p, err := netip.ParsePrefix(cidr); err == nil && p.Addr().Is4() && p.Bits() < 29 {
			a := p.Masked().Addr().As4()
			a[3] += 10 // the subnet's tenth address: past AWS's five reserved ones
			return netip.AddrFrom4(a).String()
		}
	}
	return fallback
}

// podIP is an address pods of the plan get: one of the private subnets' (VPC CNI gives pods VPC
// addresses), so ipBlock rules over the VPC match them as they would in the cluster.
func podIP(g *graph.Graph) string { return subnetIP(g, "private", "10.0.0.10") }

// probePorts are the ports the controls try: DNS, HTTP(S), NFS and every port a recorded Service
// or container declares.
func probePorts(g *graph.Graph) []int {
	ports := map[int]bool{53: true, 80: true, 443: true, 2049: true}
	for _, r := range g.OfType(typeK8sService) {
		if svc, err := decode[corev1.Service](r); err == nil {
			for _, p := range svc.Spec.Ports {
				ports[int(p.Port)] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(ports))
}

var netpolControls = []*Control{
	{ID: "NP-001", Title: "Every namespace with workloads denies all ingress and egress by default (default-deny-all)",
		Section: section1, Requirement: reqNetPol, Severity: Critical, Graph: checkDefaultDeny},
	{ID: "NP-002", Title: "Explicit allows only: every rule names its peers and ports; no pod reaches the metadata service or is reached from the internet",
		Section: section1, Requirement: reqNetPol, Severity: Critical,
		Types: []string{typeNetworkPolicy}, Resource: checkPolicyRules, Graph: checkExplicitAllows, Evidence: allowedFlows},
}

// checkDefaultDeny: each namespace holding workloads has a policy selecting every pod, for both
// directions, with no rule; and cyclonus confirms that a pod no other policy selects can neither
// receive nor send anything.
func checkDefaultDeny(t Target) (int, []Finding) {
	g := t.Graph
	workloads, fs := Workloads(g)
	policies, _, pfs := networkPolicies(g)
	fs = append(fs, pfs...)
	reach, rfs := ReachabilityOf(g)
	fs = append(fs, rfs...)
	namespaces := workloadNamespaces(workloads)
	ip, ports := podIP(g), probePorts(g)
	for _, ns := range namespaces {
		found := false
		for _, np := range policies {
			s := np.Spec
			if np.Namespace == ns && len(s.PodSelector.MatchLabels) == 0 && len(s.PodSelector.MatchExpressions) == 0 &&
				slices.Contains(s.PolicyTypes, networkingv1.PolicyTypeIngress) && slices.Contains(s.PolicyTypes, networkingv1.PolicyTypeEgress) &&
				len(s.Ingress) == 0 && len(s.Egress) == 0 {
				found = true
			}
		}
		at := namespaceSubject(g, ns)
		if !found {
			fs = append(fs, Finding{URN: at, Violation: Violation{Path: "networkPolicies", Value: "no default deny",
				Message: "add a NetworkPolicy with an empty pod selector, policy types Ingress and Egress and no rules"}})
		}
		// A pod that matches no service's selector: only the default deny applies to it.
		probe := Peer{Name: "unlisted pod", Namespace: ns, Labels: map[string]string{"controls.securestack.io/probe": "unlisted"}, IP: ip}
		others := []Peer{{Name: "the internet", IP: InternetIP}, {Name: "the metadata service", IP: MetadataIP}}
		for _, w := range workloads {
			others = append(others, Peer{Name: w.Namespace + "/" + w.Name, Namespace: w.Namespace, Labels: w.Labels, IP: ip})
		}
		for _, other := range others {
			for _, port := range ports {
				for _, proto := range []corev1.Protocol{corev1.ProtocolTCP, corev1.ProtocolUDP} {
					if reach.Allowed(other, probe, port, proto) {
						fs = append(fs, Finding{URN: at, Violation: Violation{Path: "ingress", Value: fmt.Sprintf("%s → %d/%s", other.Name, port, proto),
							Message: "a pod no policy names accepts this: the namespace does not deny by default"}})
					}
					if reach.Allowed(probe, other, port, proto) {
						fs = append(fs, Finding{URN: at, Violation: Violation{Path: "egress", Value: fmt.Sprintf("→ %s %d/%s", other.Name, port, proto),
							Message: "a pod no policy names may send this: the namespace does not deny by default"}})
					}
				}
			}
		}
	}
	return len(namespaces), dedupe(fs)
}

// dedupe keeps the first finding per (URN, path, value).
func dedupe(fs []Finding) []Finding {
	seen := map[string]bool{}
	var out []Finding
	for _, f := range fs {
		k := f.URN + "|" + f.Path + "|" + f.Value
		if !seen[k] {
			seen[k] = true
			out = append(out, f)
		}
	}
	return out
}

// checkPolicyRules: every rule of a NetworkPolicy names its peers and ports.
func checkPolicyRules(_ string, props property.Map) []Violation {
	np, err := decodeProps[networkingv1.NetworkPolicy](props)
	if err != nil {
		return []Violation{{Path: "spec", Value: "undecodable", Message: err.Error()}}
	}
	var vs []Violation
	for i, r := range np.Spec.Ingress {
		vs = append(vs, ruleViolations(fmt.Sprintf("spec.ingress[%d]", i), r.From, r.Ports, "from")...)
	}
	for i, r := range np.Spec.Egress {
		vs = append(vs, ruleViolations(fmt.Sprintf("spec.egress[%d]", i), r.To, r.Ports, "to")...)
	}
	return vs
}

// checkExplicitAllows: cyclonus confirms that no workload reaches the metadata service and none is
// reached from the internet.
func checkExplicitAllows(t Target) (int, []Finding) {
	g := t.Graph
	var fs []Finding
	workloads, wfs := Workloads(g)
	fs = append(fs, wfs...)
	reach, rfs := ReachabilityOf(g)
	fs = append(fs, rfs...)
	ip, ports := podIP(g), probePorts(g) // once: probePorts decodes every Service
	for _, w := range workloads {
		pod := Peer{Name: w.Namespace + "/" + w.Name, Namespace: w.Namespace, Labels: w.Labels, IP: ip}
		at := w.URN
		for _, port := range ports {
			if reach.Allowed(pod, Peer{IP: MetadataIP}, port, corev1.ProtocolTCP) {
				fs = append(fs, Finding{URN: at, Violation: Violation{Path: "egress", Value: fmt.Sprintf("%s:%d", MetadataIP, port),
					Message: "pods must not reach the instance metadata service (the node's credentials): except 169.254.0.0/16 from egress"}})
			}
			if reach.Allowed(Peer{IP: InternetIP}, pod, port, corev1.ProtocolTCP) {
				fs = append(fs, Finding{URN: at, Violation: Violation{Path: "ingress", Value: fmt.Sprintf("%s → %d", InternetIP, port),
					Message: "only the load balancer's subnets and named pods may connect to a workload"}})
			}
		}
	}
	return len(workloads), dedupe(fs)
}

// ruleViolations: a rule without peers allows every peer, one without ports every port, a pod peer
// without a selector every pod; a block of the whole internet is for egress only (whether egress
// reaches the metadata service is for cyclonus to say, in checkExplicitAllows).
func ruleViolations(path string, peers []networkingv1.NetworkPolicyPeer, ports []networkingv1.NetworkPolicyPort, dir string) []Violation {
	var vs []Violation
	if len(peers) == 0 {
		vs = append(vs, Violation{Path: path + "." + dir, Value: "[]", Message: "a rule without peers allows everyone: name the pods or networks"})
	}
	if len(ports) == 0 {
		vs = append(vs, Violation{Path: path + ".ports", Value: "[]", Message: "a rule without ports allows every port: name them"})
	}
	for i, p := range ports {
		if p.Port == nil || p.EndPort != nil {
			vs = append(vs, Violation{Path: fmt.Sprintf("%s.ports[%d]", path, i), Value: "any or a range", Message: "name one port per entry"})
		}
	}
	for i, p := range peers {
		if p.IPBlock == nil {
			if p.PodSelector == nil || len(p.PodSelector.MatchLabels)+len(p.PodSelector.MatchExpressions) == 0 {
				vs = append(vs, Violation{Path: fmt.Sprintf("%s.%s[%d].podSelector", path, dir, i), Value: "every pod",
					Message: "name the pods (and their namespace) that may connect"})
			}
			continue
		}
		if prefix, err := netip.ParsePrefix(p.IPBlock.CIDR); err == nil && prefix.Bits() == 0 && dir == "from" {
			vs = append(vs, Violation{Path: fmt.Sprintf("%s.from[%d].ipBlock.cidr", path, i), Value: p.IPBlock.CIDR,
				Message: "ingress from anywhere: name the load balancer's subnets"})
		}
	}
	return vs
}

// allowedFlows lists what the policies allow between the workloads, and to what outside.
func allowedFlows(t Target) string {
	g := t.Graph
	reach, _ := ReachabilityOf(g)
	workloads, _ := Workloads(g)
	ip, ports := podIP(g), probePorts(g) // once: probePorts decodes every Service
	lb := Peer{IP: subnetIP(g, "public", "")}
	var flows []string
	for _, to := range workloads {
		dst := Peer{Namespace: to.Namespace, Labels: to.Labels, IP: ip}
		for _, port := range ports {
			if lb.IP != "" && reach.Allowed(lb, dst, port, corev1.ProtocolTCP) {
				flows = append(flows, fmt.Sprintf("public subnets (load balancer) → %s:%d", to.Name, port))
			}
		}
	}
	for _, from := range workloads {
		src := Peer{Namespace: from.Namespace, Labels: from.Labels, IP: ip}
		for _, to := range workloads {
			if from.Namespace == to.Namespace && from.Name == to.Name {
				continue
			}
			dst := Peer{Namespace: to.Namespace, Labels: to.Labels, IP: ip}
			for _, port := range ports {
				if reach.Allowed(src, dst, port, corev1.ProtocolTCP) {
					flows = append(flows, fmt.Sprintf("%s → %s:%d", from.Name, to.Name, port))
				}
			}
		}
		if reach.Allowed(src, Peer{IP: InternetIP}, 443, corev1.ProtocolTCP) {
			flows = append(flows, from.Name+" → AWS APIs:443")
		}
	}
	if len(flows) == 0 {
		return "no traffic between workloads"
	}
	return strings.Join(flows, "; ")
}
