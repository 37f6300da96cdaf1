package planner

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/securestack/platform/components/workload"
	"github.com/securestack/platform/proof/controls"
	"github.com/securestack/platform/proof/engine/graph"
)

// GitHub renders ```mermaid blocks with Mermaid's defaults, which refuse a diagram longer than
// maxTextSize characters or with more than maxEdges edges (mermaid.js.org/config/schema-docs:
// config-properties-maxtextsize, config-properties-maxedges). A diagram over either is left out of
// the report with the reason; its .mmd file is still written.
const (
	MermaidMaxTextSize = 50000
	MermaidMaxEdges    = 500
)

var mermaidEdge = regexp.MustCompile(`(?m)^\s*\S+\s+(?:-->|---|-\.->|==>|<-->)`)

// MermaidFits says why a diagram would not render on GitHub, or nil.
func MermaidFits(diagram string) error {
	if n := len(diagram); n > MermaidMaxTextSize {
		return fmt.Errorf("%d characters, over Mermaid's limit of %d", n, MermaidMaxTextSize)
	}
	if n := len(mermaidEdge.FindAllString(diagram, -1)); n > MermaidMaxEdges {
		return fmt.Errorf("%d edges, over Mermaid's limit of %d", n, MermaidMaxEdges)
	}
	return nil
}

// The peers of the reachability diagram besides the workloads.
const (
	PeerLoadBalancer = "load balancer subnets"
	PeerDNS          = "cluster DNS"
	PeerInternet     = "internet (AWS APIs)"
	PeerEFS          = "EFS mount targets"
)

// Flow is a connection the recorded NetworkPolicies allow, from one peer to another, on the
// ports listed ("TCP 8080").
type Flow struct {
	From, To string
	Ports    []string
}

// String is "from → to: ports".
func (f Flow) String() string { return f.From + " → " + f.To + ": " + strings.Join(f.Ports, ", ") }

type probe struct {
	port  int
	proto corev1.Protocol
}

func (p probe) String() string { return fmt.Sprintf("%s %d", p.proto, p.port) }

// Flows is the service reachability of the recorded NetworkPolicies, evaluated by the same
// engine as the NP controls (controls.ReachabilityOf: cyclonus): which workloads the load
// balancer's subnets reach, which workloads each workload reaches, and which reach the cluster
// DNS (kube-system/kube-dns, port 53), the internet where the AWS APIs are (every probed port),
// and the EFS mount targets in the private subnets (2049). The ports probed are those the
// policies' rules and the Services name, so an allow on any of them shows. An error names the
// policies or workloads that could not be read.
func Flows(g *graph.Graph) ([]Flow, error) {
	reach, findings := controls.ReachabilityOf(g)
	workloads, wfs := controls.Workloads(g)
	if fs := append(findings, wfs...); len(fs) > 0 {
		var msgs []string
		for _, f := range fs {
			msgs = append(msgs, f.String())
		}
		return nil, errors.New(strings.Join(msgs, "; "))
	}
	public, private := subnetAddresses(g)
	podIP := addressIn(private, 10, "10.0.0.10")
	probes := probesOf(g)
	var flows []Flow
	add := func(from, to string, src, dst controls.Peer, ps []probe) {
		var allowed []string
		for _, p := range ps {
			if reach.Allowed(src, dst, p.port, p.proto) {
				allowed = append(allowed, p.String())
			}
		}
		if len(allowed) > 0 {
			flows = append(flows, Flow{From: from, To: to, Ports: allowed})
		}
	}
	pod := func(w controls.Workload) controls.Peer {
		return controls.Peer{Name: w.Namespace + "/" + w.Name, Namespace: w.Namespace, Labels: w.Labels, IP: podIP}
	}
	for _, w := range workloads {
		// The load balancer reaches pods from any address of its subnets: one per subnet is probed.
		var union []probe
		for _, cidr := range public {
			for _, p := range probes {
				lb := controls.Peer{Name: PeerLoadBalancer, IP: addressIn([]netip.Prefix{cidr}, 10, "")}
				if !slices.Contains(union, p) && reach.Allowed(lb, pod(w), p.port, p.proto) {
					union = append(union, p)
				}
			}
		}
		if len(union) > 0 {
			slices.SortFunc(union, func(a, b probe) int { return compareProbe(a, b) })
			var ports []string
			for _, p := range union {
				ports = append(ports, p.String())
			}
			flows = append(flows, Flow{From: PeerLoadBalancer, To: w.Namespace + "/" + w.Name, Ports: ports})
		}
	}
	dns := controls.Peer{Name: PeerDNS, Namespace: "kube-system", Labels: map[string]string{workload.DNSPodLabel: workload.DNSPodValue},
		IP: addressIn(private, 2, "10.0.0.2")}
	internet := controls.Peer{Name: PeerInternet, IP: controls.InternetIP}
	efs := controls.Peer{Name: PeerEFS, IP: addressIn(private, 20, "10.0.0.20")}
	for _, from := range workloads {
		name := from.Namespace + "/" + from.Name
		for _, to := range workloads {
			if to.Namespace != from.Namespace || to.Name != from.Name {
				add(name, to.Namespace+"/"+to.Name, pod(from), pod(to), probes)
			}
		}
		add(name, PeerDNS, pod(from), dns, []probe{{53, corev1.ProtocolUDP}, {53, corev1.ProtocolTCP}})
		add(name, PeerInternet, pod(from), internet, probes)
		add(name, PeerEFS, pod(from), efs, []probe{{2049, corev1.ProtocolTCP}})
	}
	return flows, nil
}

func compareProbe(a, b probe) int {
	if a.port != b.port {
		return a.port - b.port
	}
	return strings.Compare(string(a.proto), string(b.proto))
}

// probesOf are the ports the policies' rules and the Services name, with DNS, HTTPS and NFS.
func probesOf(g *graph.Graph) []probe {
	set := map[probe]bool{{53, corev1.ProtocolUDP}: true, {53, corev1.ProtocolTCP}: true, {443, corev1.ProtocolTCP}: true, {2049, corev1.ProtocolTCP}: true}
	proto := func(p *corev1.Protocol) corev1.Protocol {
		if p == nil || *p == "" {
			return corev1.ProtocolTCP
		}
		return *p
	}
	for _, r := range g.OfType("kubernetes:networking.k8s.io/v1:NetworkPolicy") {
		var np networkingv1.NetworkPolicy
		if decodeInputs(r, &np) != nil {
			continue // ReachabilityOf reports it
		}
		var ports []networkingv1.NetworkPolicyPort
		for _, rule := range np.Spec.Ingress {
			ports = append(ports, rule.Ports...)
		}
		for _, rule := range np.Spec.Egress {
			ports = append(ports, rule.Ports...)
		}
		for _, p := range ports {
			if p.Port != nil && p.Port.IntValue() > 0 {
				set[probe{p.Port.IntValue(), proto(p.Protocol)}] = true
			}
		}
	}
	for _, r := range g.OfType("kubernetes:core/v1:Service") {
		var svc corev1.Service
		if decodeInputs(r, &svc) != nil {
			continue
		}
		for _, p := range svc.Spec.Ports {
			pr := p.Protocol
			set[probe{int(p.Port), proto(&pr)}] = true
			if p.TargetPort.IntValue() > 0 {
				set[probe{p.TargetPort.IntValue(), proto(&pr)}] = true
			}
		}
	}
	return slices.SortedFunc(maps.Keys(set), compareProbe)
}

func decodeInputs(r *graph.Resource, into any) error {
	data, err := json.Marshal(graph.PlainMap(r.Inputs))
	if err != nil {
		return err
	}
	return json.Unmarshal(data, into)
}

// subnetAddresses are the recorded subnets' ranges: public (tagged for internet-facing load
// balancers) and private (for internal ones: where the nodes, and so the pods, are).
func subnetAddresses(g *graph.Graph) (public, private []netip.Prefix) {
	for _, s := range g.OfType("aws:ec2/subnet:Subnet") {
		cidr, _ := s.String("cidrBlock")
		p, err := netip.ParsePrefix(cidr)
		if err != nil {
			continue
		}
		switch {
		case s.Has(`tags["kubernetes.io/role/elb"]`):
			public = append(public, p)
		case s.Has(`tags["kubernetes.io/role/internal-elb"]`):
			private = append(private, p)
		}
	}
	return public, private
}

// addressIn is the n-th address of the first range (past AWS's reserved first ones), or fallback.
func addressIn(ranges []netip.Prefix, n int, fallback string) string {
	if len(ranges) == 0 {
		return fallback
	}
	a := ranges[0].Masked().Addr()
	for range n {
		a = a.Next()
	}
	if !ranges[0].Contains(a) {
		return fallback
	}
	return a.String()
}

// ReachabilityMermaid is the flowchart of Flows: the load balancer's subnets on the left, the
// workloads by namespace, DNS, the internet and EFS on the right; each edge labelled with its ports.
func (p *Plan) ReachabilityMermaid() (string, error) {
	flows, err := Flows(p.Graph)
	if err != nil {
		return "", err
	}
	workloads, _ := controls.Workloads(p.Graph)
	public, _ := subnetAddresses(p.Graph)
	ids := map[string]string{PeerLoadBalancer: "lb", PeerDNS: "dns", PeerInternet: "internet", PeerEFS: "efs"}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	var cidrs []string
	for _, c := range public {
		cidrs = append(cidrs, c.String())
	}
	fmt.Fprintf(&b, "  lb([\"%s<br/>%s\"])\n", PeerLoadBalancer, strings.Join(cidrs, ", "))
	byNamespace := map[string][]controls.Workload{}
	for _, w := range workloads {
		byNamespace[w.Namespace] = append(byNamespace[w.Namespace], w)
	}
	n, m := 0, 0
	for _, ns := range slices.Sorted(maps.Keys(byNamespace)) {
		n++
		fmt.Fprintf(&b, "  subgraph ns%d[\"namespace %s\"]\n", n, ns)
		for _, w := range byNamespace[ns] {
			m++
			id := fmt.Sprintf("w%d", m)
			ids[w.Namespace+"/"+w.Name] = id
			fmt.Fprintf(&b, "    %s[\"%s\"]\n", id, w.Name)
		}
		b.WriteString("  end\n")
	}
	fmt.Fprintf(&b, "  dns[\"%s<br/>kube-system/%s\"]\n", PeerDNS, workload.DNSPodValue)
	fmt.Fprintf(&b, "  internet([\"%s\"])\n", PeerInternet)
	fmt.Fprintf(&b, "  efs[(\"%s<br/>private subnets\")]\n", PeerEFS)
	for _, f := range flows {
		fmt.Fprintf(&b, "  %s -->|\"%s\"| %s\n", ids[f.From], strings.Join(f.Ports, ", "), ids[f.To])
	}
	return b.String(), nil
}

// Diagram is one Mermaid diagram of the plan, written as File next to plan.json and embedded in
// report.md; Err says why it could not be drawn.
type Diagram struct {
	Title, File, About string
	Text               string
	Err                error
}

// Diagrams are the plan's diagrams: the component tree, the service reachability, the image
// supply chain and the detection route.
func (p *Plan) Diagrams() []Diagram {
	reach, err := p.ReachabilityMermaid()
	return []Diagram{
		{Title: "Components", File: "components.mmd", Text: p.Mermaid(),
			About: "The component tree (nesting) with each component's resource count, and which component's resources use another's."},
		{Title: "Service reachability (NetworkPolicies)", File: "reachability.mmd", Text: reach, Err: err,
			About: "What the recorded NetworkPolicies allow, as cyclonus (the NP controls' engine) evaluates them: the load balancer's subnets and callers reaching each workload, and each workload reaching DNS, the internet (AWS APIs) and EFS. No edge, no traffic."},
		chain("Image supply chain", "supplychain.mmd", SupplyChain(p.Graph), "the stack records no repository policy",
			"Who may push each service's images (the GitHub workflows a push role trusts) and who may pull them, from the repositories' policies."),
		chain("Detection route", "detection.mmd", DetectionRoute(p.Graph), "the stack routes no GuardDuty findings (the account baseline's owner does)",
			"Where GuardDuty findings go: the EventBridge rule that selects them, its SNS topic and the topic's subscriptions."),
	}
}

func chain(title, file string, edges []Edge, none, about string) Diagram {
	d := Diagram{Title: title, File: file, About: about}
	if len(edges) == 0 {
		d.Err = errors.New(none)
		return d
	}
	d.Text = chainMermaid(edges)
	return d
}

// DiagramsMarkdown is the report's section of diagrams, in ```mermaid fences GitHub renders; a
// diagram that could not be drawn, or is over GitHub's Mermaid limits, is named with the reason.
func (p *Plan) DiagramsMarkdown() string {
	var b strings.Builder
	b.WriteString("### Diagrams\n")
	for _, d := range p.Diagrams() {
		fmt.Fprintf(&b, "\n#### %s\n\n%s (`%s`)\n\n", d.Title, d.About, d.File)
		err := d.Err
		if err == nil {
			err = MermaidFits(d.Text)
			if err != nil {
				err = fmt.Errorf("too large for GitHub to render: %w; open %s in a Mermaid viewer", err, d.File)
			}
		}
		if err != nil {
			fmt.Fprintf(&b, "> Not drawn: %s\n", mdEscape(err.Error()))
			continue
		}
		b.WriteString("```mermaid\n" + d.Text + "```\n")
	}
	return b.String()
}
