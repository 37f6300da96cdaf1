package controls

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/components/lib/iprange"
	"github.com/securestack/platform/proof/engine/graph"
)

const (
	typeCodeBuildProject = "aws:codebuild/project:Project"
	kubernetesAPIPort    = 443
)

// deployControls prove that what the offline plan shows can be deployed and kept: a private API
// endpoint that whatever applies the in-cluster layer can reach, a control plane that survives new
// zones, add-ons that follow the cluster version, and an in-VPC runner that previews cannot turn
// into deploys.
var deployControls = []*Control{
	{ID: "EKS-015", Title: "A private API endpoint with in-cluster resources admits at least one API access source on 443, each a security group or a private network",
		Section: section1, Severity: High, Graph: checkAPIAccess, Evidence: apiAccessEvidence},
	{ID: "EKS-016", Title: "The control plane's network interfaces are only in private subnets of at least two zones, given explicitly",
		Section: section1, Requirement: reqVPC, Severity: High, Graph: checkControlPlaneSubnets},
	{ID: "EKS-017", Title: "vpc-cni, kube-proxy, CoreDNS and the CSI drivers are managed add-ons pinned to the cluster version's release, each created once (pulumi-eks's own kube-proxy and CoreDNS add-ons off); all but the CNI wait for the nodes",
		Section: section1, Severity: Medium, Types: []string{typeEKSCluster}, Resource: checkNoBuiltInAddons, Graph: checkManagedAddons},
	{ID: "RUN-001", Title: "The in-VPC runner admits no inbound traffic, runs unprivileged, and each project assumes exactly one role, preview never the deploy role",
		Section: section3, Severity: Critical, Graph: checkRunner},
}

// inClusterResources are the resources applied through the Kubernetes API.
func inClusterResources(g *graph.Graph) []*graph.Resource {
	var out []*graph.Resource
	for _, r := range g.Resources() {
		if strings.HasPrefix(r.Type, "kubernetes:") {
			out = append(out, r)
		}
	}
	return out
}

// apiSource is one source admitted to a cluster's API endpoint.
type apiSource struct {
	rule *graph.Resource
	desc string
}

// apiSources are the ingress rules admitting callers to 443 on the cluster's security group: the
// ec2.SecurityGroupRule kind pulumi-eks manages there, one source each (a security group, or
// network ranges).
func apiSources(g *graph.Graph, c *graph.Resource) []apiSource {
	sg, ok := c.Outputs.GetOk("clusterSecurityGroupId")
	if !ok || !sg.IsString() {
		return nil
	}
	groups := idsOf(g, typeSG)
	var out []apiSource
	for _, r := range g.OfType(typeSGRule) {
		if id, _ := r.String("securityGroupId"); id != sg.AsString() {
			continue
		}
		kind, _ := r.String("type")
		from, _ := r.Int("fromPort")
		to, _ := r.Int("toPort")
		proto, _ := r.String("protocol")
		if kind != "ingress" || proto != "-1" && proto != "all" && (proto != "tcp" || from > kubernetesAPIPort || to < kubernetesAPIPort) {
			continue
		}
		cidrs, _ := r.Strings("cidrBlocks")
		desc := strings.Join(cidrs, ", ")
		if ref, err := r.String("sourceSecurityGroupId"); err == nil {
			desc = ref
			if owner, ok := groups[ref]; ok {
				desc += " (" + owner.Name + ")"
			}
		}
		out = append(out, apiSource{rule: r, desc: desc})
	}
	return out
}

// privateClustersWithInClusterResources are the clusters whose private endpoint something must
// reach: the public endpoint is off and the stack applies in-cluster resources.
func privateClustersWithInClusterResources(g *graph.Graph) []*graph.Resource {
	if len(inClusterResources(g)) == 0 {
		return nil
	}
	var out []*graph.Resource
	for _, c := range g.OfType(typeEKSCluster) {
		if public, _ := c.Bool("endpointPublicAccess"); !public {
			out = append(out, c)
		}
	}
	return out
}

func checkAPIAccess(t Target) (int, []Finding) {
	clusters := privateClustersWithInClusterResources(t.Graph)
	var fs []Finding
	for _, c := range clusters {
		sources := apiSources(t.Graph, c)
		if len(sources) == 0 {
			fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: "clusterSecurityGroupId", Value: "admits the nodes only",
				Message: fmt.Sprintf("the endpoint is private and %d in-cluster resources must be applied through it, but nothing may reach it: enable the in-VPC runner or configure platform:cluster.apiAccess", len(inClusterResources(t.Graph)))}})
		}
		for _, s := range sources {
			cidrs, _ := s.rule.Strings("cidrBlocks")
			for i, cidr := range cidrs {
				if p, perr := netip.ParsePrefix(cidr); perr != nil || !iprange.IsPrivate(p) {
					fs = append(fs, Finding{URN: s.rule.URN, Violation: Violation{Path: fmt.Sprintf("cidrBlocks[%d]", i), Value: cidr,
						Message: "the private API endpoint admits private networks (10/8, 172.16/12, 192.168/16) and security groups only"}})
				}
			}
		}
	}
	return len(clusters), fs
}

func apiAccessEvidence(t Target) string {
	var parts []string
	for _, c := range privateClustersWithInClusterResources(t.Graph) {
		var names []string
		for _, s := range apiSources(t.Graph, c) {
			names = append(names, s.desc)
		}
		parts = append(parts, fmt.Sprintf("%s: %s", c.Name, strings.Join(names, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "API access sources besides the nodes — " + strings.Join(parts, "; ")
}

func checkControlPlaneSubnets(t Target) (int, []Finding) {
	private := map[string]string{} // subnet id → zone
	for _, s := range subnets(t.Graph) {
		if s.tier == "private" {
			private[s.res.ID] = s.az
		}
	}
	var fs []Finding
	clusters := t.Graph.OfType(typeEKSCluster)
	for _, c := range clusters {
		for _, key := range []string{"publicSubnetIds", "privateSubnetIds"} {
			if c.Has(key) {
				fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: key, Value: describe(c.Inputs, key),
					Message: "pulumi-eks puts the control plane in every subnet given this way (public ones too, and every new zone's): give subnetIds"}})
			}
		}
		ids, err := c.Strings("subnetIds")
		if v, verr := c.Get("subnetIds"); verr == nil && v.HasComputed() {
			// a preview: the subnets are the ones the cluster depends on
			ids, err = nil, nil
			for _, s := range t.ref(c, "subnetIds", byID, typeSubnet) {
				ids = append(ids, s.ID)
			}
		}
		zones := map[string]bool{}
		for i, id := range ids {
			zone, ok := private[id]
			if !ok {
				fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: fmt.Sprintf("subnetIds[%d]", i), Value: id, Message: "the control plane belongs in private subnets only"}})
			}
			zones[zone] = true
		}
		if err != nil || len(zones) < 2 {
			fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: "subnetIds", Value: describe(c.Inputs, "subnetIds"), Message: "EKS needs control-plane subnets in at least two zones"}})
		}
	}
	return len(clusters), fs
}

// requiredAddons must be managed on every cluster; CSI drivers are checked where present.
var requiredAddons = []string{eksspec.AddonVPCCNI, eksspec.AddonKubeProxy, eksspec.AddonCoreDNS, eksspec.AddonEBSCSI}

func checkManagedAddons(t Target) (int, []Finding) {
	clusters := t.Graph.OfType(typeEKSCluster)
	var fs []Finding
	byCluster := map[string][]*graph.Resource{}
	for _, a := range t.Graph.OfType(typeAddon) {
		name, _ := a.String("clusterName")
		byCluster[name] = append(byCluster[name], a)
	}
	for _, c := range clusters {
		addons := byCluster[clusterName(c)]
		var have []string
		for _, a := range addons {
			name, _ := a.String("addonName")
			have = append(have, name)
			if v, _ := a.String("addonVersion"); v == "" {
				fs = append(fs, Finding{URN: a.URN, Violation: Violation{Path: "addonVersion", Value: describe(a.Inputs, "addonVersion"),
					Message: "pin the version the cluster's Kubernetes version defaults to: EKS never upgrades an add-on by itself"}})
			}
			if name == eksspec.AddonVPCCNI {
				continue // the CNI comes first: nodes wait for it (EKS-013)
			}
			for _, ng := range t.Graph.OfType(typeNodeGroup) {
				if cn, _ := ng.String("clusterName"); cn == clusterName(c) && !t.Graph.DependsOn(a, ng.URN) {
					fs = append(fs, Finding{URN: a.URN, Violation: Violation{Path: "dependsOn", Value: ng.Name,
						Message: "this add-on runs on the nodes: create it after every node group"}})
				}
			}
		}
		for _, want := range requiredAddons {
			if !slices.Contains(have, want) {
				fs = append(fs, Finding{URN: c.URN, Violation: Violation{Path: "addons", Value: fmt.Sprint(slices.Sorted(slices.Values(have))),
					Message: fmt.Sprintf("%s must be a managed add-on, so that cluster upgrades upgrade it", want)}})
			}
		}
	}
	return len(clusters), fs
}

// envVar is the value of a CodeBuild project's plain environment variable.
func envVar(p *graph.Resource, name string) string {
	n := p.Len("environment.environmentVariables")
	for i := range n {
		if k, _ := p.String(fmt.Sprintf("environment.environmentVariables[%d].name", i)); k == name {
			v, _ := p.String(fmt.Sprintf("environment.environmentVariables[%d].value", i))
			return v
		}
	}
	return ""
}

func checkRunner(t Target) (int, []Finding) {
	projects := t.Graph.OfType(typeCodeBuildProject)
	policiesOf := t.byRef(typeRolePolicy, "role", byRoleName, typeRole)
	var fs []Finding
	deployRole := ""
	previewAssumes := map[string]string{} // preview project URN → role it assumes
	for _, p := range projects {
		at := func(path, value, msg string) {
			fs = append(fs, Finding{URN: p.URN, Violation: Violation{Path: path, Value: value, Message: msg}})
		}
		if v, _ := p.Bool("environment.privilegedMode"); v {
			at("environment.privilegedMode", "true", "builds run unprivileged (no Docker daemon, no host access)")
		}
		sgs := t.ref(p, "vpcConfig.securityGroupIds", byID, typeSG)
		if p.Len("vpcConfig.securityGroupIds") == 0 {
			at("vpcConfig", describe(p.Inputs, "vpcConfig"), "the runner runs in the VPC's private subnets, behind its own security group")
		}
		for _, sg := range sgs {
			if sg.Len("ingress") > 0 {
				fs = append(fs, Finding{URN: sg.URN, Violation: Violation{Path: "ingress", Value: describe(sg.Inputs, "ingress"), Message: "nothing may connect to the runner"}})
			}
		}
		assume := envVar(p, "PLATFORM_ASSUME_ROLE_ARN")
		command := envVar(p, "PLATFORM_COMMAND")
		switch command {
		case "up":
			deployRole = assume
		case "preview":
			previewAssumes[p.URN] = assume
		}
		role, ok := t.refOne(p, "serviceRole", byArn, typeRole)
		if !ok {
			at("serviceRole", describe(p.Inputs, "serviceRole"), "the project's service role must be a role of this stack")
			continue
		}
		var targets []string
		unknown := false
		for _, pol := range policiesOf[role.URN] {
			if t.deferrable(pol, "policy") {
				unknown = true // a preview: the policy names the role to assume, known at apply
				continue
			}
			text, _ := pol.String("policy")
			doc, err := iampolicy.Parse(text)
			if err != nil {
				continue
			}
			for _, s := range doc.Allows("sts:AssumeRole") {
				targets = append(targets, s.Resources...)
			}
		}
		if (len(targets) != 1 || targets[0] != assume) && !unknown {
			fs = append(fs, Finding{URN: role.URN, Violation: Violation{Path: "policy.sts:AssumeRole", Value: fmt.Sprint(targets),
				Message: fmt.Sprintf("the project's role may assume exactly its own role (%s)", assume)}})
		}
	}
	// Every project that previews (the preview project and the GitHub Actions runner) is judged,
	// and the finding is on the project at fault.
	for urn, role := range previewAssumes {
		if deployRole != "" && role == deployRole {
			fs = append(fs, Finding{URN: urn, Violation: Violation{Path: "PLATFORM_ASSUME_ROLE_ARN", Value: role,
				Message: "previews run pull-request code: they must never assume the deploy role"}})
		}
	}
	return len(projects), fs
}
