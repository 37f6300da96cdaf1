package controls

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/property"

	"github.com/securestack/platform/components/lib/eksspec"
	"github.com/securestack/platform/components/lib/iampolicy"
	"github.com/securestack/platform/proof/engine/graph"
)

// Resource types the network controls inspect.
const (
	typeVpc          = "aws:ec2/vpc:Vpc"
	typeSubnet       = "aws:ec2/subnet:Subnet"
	typeRouteTable   = "aws:ec2/routeTable:RouteTable"
	typeRTAssoc      = "aws:ec2/routeTableAssociation:RouteTableAssociation"
	typeNatGateway   = "aws:ec2/natGateway:NatGateway"
	typeIGW          = "aws:ec2/internetGateway:InternetGateway"
	typeDefaultSG    = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
	typeSG           = "aws:ec2/securityGroup:SecurityGroup"
	typeSGRule       = "aws:ec2/securityGroupRule:SecurityGroupRule"
	typeIngressRule  = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	typeFlowLog      = "aws:ec2/flowLog:FlowLog"
	typeLogGroup     = "aws:cloudwatch/logGroup:LogGroup"
	typeLoadBalancer = "aws:lb/loadBalancer:LoadBalancer"
)

// The subnet tier is read from the load-balancer discovery tags, which the tiers must carry
// anyway: EKS places internet-facing load balancers by kubernetes.io/role/elb.
const (
	tagPublicRole  = "kubernetes.io/role/elb"
	tagPrivateRole = "kubernetes.io/role/internal-elb"
	anyIPv4        = "0.0.0.0/0"
	anyIPv6        = "::/0"
)

var networkControls = []*Control{
	{
		ID: "NET-001", Title: "At least 2 zones, each with one public and one private subnet",
		Section: section1, Requirement: reqVPC, Severity: High, Graph: checkMultiAZ,
	},
	{
		ID: "NET-002", Title: "No subnet assigns public IPs on launch",
		Section: section1, Requirement: reqVPC, Severity: High,
		Types: []string{typeSubnet}, Resource: checkNoPublicIPOnLaunch,
	},
	{
		ID: "NET-003", Title: "Public subnets hold only NAT gateways and load balancers",
		Section: section1, Requirement: reqVPC, Severity: High, Graph: checkPublicSubnetUse,
	},
	{
		ID: "NET-004", Title: "Private subnets route 0.0.0.0/0 to a NAT gateway, never to the internet gateway",
		Section: section1, Requirement: reqVPC, Severity: Critical, Graph: checkPrivateRoutes,
	},
	{
		ID: "NET-005", Title: "Prod: a NAT gateway in every zone, serving its own zone",
		Section: section1, Supports: []string{reqVPC}, Severity: Medium, Graph: checkNatPerAZ,
	},
	{
		ID: "NET-006", Title: "Every VPC's default security group is adopted and has no rules",
		Section: section1, Severity: High,
		Types: []string{typeDefaultSG}, Resource: checkDefaultSGEmpty, Graph: checkDefaultSGAdopted,
	},
	{
		ID: "NET-007", Title: "Flow logs of all traffic go to an encrypted, retained log group",
		Section: section1, Severity: High, Graph: checkFlowLogs,
	},
	{
		ID: "NET-008", Title: "No security group admits the whole internet (0.0.0.0/0, ::/0) but a load balancer's",
		Section: section1, Severity: Critical,
		Types: []string{typeSG, typeSGRule, typeIngressRule}, Resource: checkNoWorldIngress,
	},
	{
		ID: "NET-009", Title: "Gateway endpoints reach only this account's resources (and the AWS-owned buckets nodes read)",
		Section: section1, Severity: High,
		Types: []string{typeVpcEndpoint}, Resource: checkGatewayEndpointPolicy,
	},
}

const typeVpcEndpoint = "aws:ec2/vpcEndpoint:VpcEndpoint"

// checkGatewayEndpointPolicy: a gateway endpoint without a policy allows any request to any bucket
// or table, of any account: a path out for stolen credentials. Every Allow must be limited to the
// account (aws:ResourceAccount) or to named resources.
func checkGatewayEndpointPolicy(_ string, props property.Map) []Violation {
	if kind, _ := str(props, "vpcEndpointType"); kind != "Gateway" {
		return nil
	}
	doc, vs, ok := policyAt(props, "policy", "the default endpoint policy allows every request to every account's resources")
	if !ok {
		return vs
	}
	for i, s := range doc.Statements {
		if s.Effect != iampolicy.Allow {
			continue
		}
		accountBound := len(s.ConditionValues("StringEquals", "aws:ResourceAccount")) > 0
		named := len(s.Resources) > 0 && !slices.ContainsFunc(s.Resources, func(r string) bool { return r == "*" || strings.HasSuffix(r, ":::*") })
		if !accountBound && !named {
			vs = append(vs, Violation{Path: fmt.Sprintf("policy.Statement[%d]", i), Value: s.Sid,
				Message: "limit the statement to this account (aws:ResourceAccount) or to named resources"})
		}
	}
	return vs
}

type subnetInfo struct {
	res  *graph.Resource
	az   string
	tier string // "public", "private" or "" (untagged)
}

func subnets(g *graph.Graph) []subnetInfo {
	var out []subnetInfo
	for _, r := range g.OfType(typeSubnet) {
		s := subnetInfo{res: r}
		s.az, _ = r.String("availabilityZone")
		if r.Has(fmt.Sprintf("tags[%q]", tagPublicRole)) {
			s.tier = "public"
		}
		if r.Has(fmt.Sprintf("tags[%q]", tagPrivateRole)) {
			s.tier += "private"
		}
		out = append(out, s)
	}
	return out
}

func checkMultiAZ(t Target) (int, []Finding) {
	var fs []Finding
	perAZ := map[string]map[string]int{}
	all := subnets(t.Graph)
	for _, s := range all {
		switch s.tier {
		case "public", "private":
		default:
			fs = append(fs, Finding{URN: s.res.URN, Violation: Violation{Path: "tags", Value: describe(s.res.Inputs, "tags"),
				Message: fmt.Sprintf("a subnet must be tagged exactly one of %s (public) or %s (private)", tagPublicRole, tagPrivateRole)}})
			continue
		}
		if perAZ[s.az] == nil {
			perAZ[s.az] = map[string]int{}
		}
		perAZ[s.az][s.tier]++
	}
	for _, vpc := range t.Graph.OfType(typeVpc) {
		if len(perAZ) < 2 {
			fs = append(fs, Finding{URN: vpc.URN, Violation: Violation{Path: "subnets[*].availabilityZone",
				Value: fmt.Sprint(slices.Sorted(maps.Keys(perAZ))), Message: "subnets must span at least 2 availability zones"}})
		}
	}
	for _, az := range slices.Sorted(maps.Keys(perAZ)) {
		if perAZ[az]["public"] != 1 || perAZ[az]["private"] != 1 {
			for _, s := range all {
				if s.az == az {
					fs = append(fs, Finding{URN: s.res.URN, Violation: Violation{Path: "availabilityZone", Value: az,
						Message: fmt.Sprintf("zone %s has %d public and %d private subnets; want exactly 1 of each", az, perAZ[az]["public"], perAZ[az]["private"])}})
					break
				}
			}
		}
	}
	return len(all), fs
}

func checkNoPublicIPOnLaunch(_ string, props property.Map) []Violation {
	var vs []Violation
	for _, path := range []string{"mapPublicIpOnLaunch", "assignIpv6AddressOnCreation"} {
		if v, err := graph.Lookup(props, path, ""); err == nil && v.IsBool() && v.AsBool() {
			vs = append(vs, Violation{Path: path, Value: "true", Message: "instances launched here would get public addresses; set false"})
		}
	}
	return vs
}

// publicSubnetUses are the (type, input path) pairs allowed to reference a public subnet.
var publicSubnetUses = map[string]bool{
	typeNatGateway + " subnetId":         true,
	typeRTAssoc + " subnetId":            true,
	typeLoadBalancer + " subnets":        true,
	typeLoadBalancer + " subnetMappings": true,
}

func checkPublicSubnetUse(t Target) (int, []Finding) {
	public := map[string]string{} // id → subnet URN
	for _, s := range subnets(t.Graph) {
		if s.tier == "public" {
			public[s.res.ID] = s.res.URN
		}
	}
	var fs []Finding
	for _, r := range t.Graph.Resources() {
		for key, v := range r.Inputs.AllStable {
			if !mentions(v, public) || publicSubnetUses[r.Type+" "+key] {
				continue
			}
			fs = append(fs, Finding{URN: r.URN, Violation: Violation{Path: key, Value: graph.Describe(v),
				Message: "only NAT gateways and load balancers may be placed in public subnets"}})
		}
	}
	return len(public), fs
}

// mentions reports whether v holds one of the ids anywhere inside.
func mentions(v property.Value, ids map[string]string) bool {
	switch {
	case v.IsString():
		_, ok := ids[v.AsString()]
		return ok
	case v.IsArray():
		for _, e := range v.AsArray().All {
			if mentions(e, ids) {
				return true
			}
		}
	case v.IsMap():
		for _, e := range v.AsMap().All {
			if mentions(e, ids) {
				return true
			}
		}
	}
	return false
}

// routeTableOf maps subnet URN → the route table resource associated with it.
func routeTableOf(t Target) map[string]*graph.Resource {
	out := map[string]*graph.Resource{}
	for _, a := range t.Graph.OfType(typeRTAssoc) {
		subnet, ok := t.refOne(a, "subnetId", byID, typeSubnet)
		rt, found := t.refOne(a, "routeTableId", byID, typeRouteTable)
		if ok && found {
			out[subnet.URN] = rt
		}
	}
	return out
}

// defaultRoute returns the 0.0.0.0/0 route of a route table.
func defaultRoute(rt *graph.Resource) (property.Map, int, bool) {
	v, err := rt.Get("routes")
	if err != nil || !v.IsArray() {
		return property.Map{}, -1, false
	}
	for i, r := range v.AsArray().All {
		if r.IsMap() {
			if c, ok := str(r.AsMap(), "cidrBlock"); ok && c == anyIPv4 {
				return r.AsMap(), i, true
			}
		}
	}
	return property.Map{}, -1, false
}

func checkPrivateRoutes(t Target) (int, []Finding) {
	rts := routeTableOf(t)
	var fs []Finding
	n := 0
	for _, s := range subnets(t.Graph) {
		if s.tier != "private" {
			continue
		}
		n++
		rt, ok := rts[s.res.URN]
		if !ok {
			fs = append(fs, Finding{URN: s.res.URN, Violation: Violation{Path: "routeTableAssociation", Value: "none",
				Message: "a private subnet needs its own route table (the VPC's main table is not managed)"}})
			continue
		}
		route, i, ok := defaultRoute(rt)
		if !ok {
			fs = append(fs, Finding{URN: rt.URN, Violation: Violation{Path: "routes", Value: describe(rt.Inputs, "routes"),
				Message: "no 0.0.0.0/0 route to a NAT gateway"}})
			continue
		}
		gwPath, natPath := fmt.Sprintf("routes[%d].gatewayId", i), fmt.Sprintf("routes[%d].natGatewayId", i)
		switch {
		case len(t.ref(rt, gwPath, byID, typeIGW)) > 0:
			fs = append(fs, Finding{URN: rt.URN, Violation: Violation{Path: gwPath, Value: describe(route, "gatewayId"),
				Message: "a private subnet's default route goes to the internet gateway"}})
		case len(t.ref(rt, natPath, byID, typeNatGateway)) != 1:
			fs = append(fs, Finding{URN: rt.URN, Violation: Violation{Path: natPath, Value: describe(route, "natGatewayId"),
				Message: "the default route must target a NAT gateway of this stack"}})
		}
	}
	return n, fs
}

func idsOf(g *graph.Graph, typ string) map[string]*graph.Resource {
	out := map[string]*graph.Resource{}
	for _, r := range g.OfType(typ) {
		out[r.ID] = r
	}
	return out
}

func checkNatPerAZ(t Target) (int, []Finding) {
	if t.Environment != "prod" {
		return 0, nil
	}
	subnetAZ := map[string]string{}
	for _, s := range subnets(t.Graph) {
		subnetAZ[s.res.ID] = s.az
	}
	natAZ := map[string]string{} // NAT gateway URN → zone
	for _, nat := range t.Graph.OfType(typeNatGateway) {
		if sub, ok := t.refOne(nat, "subnetId", byID, typeSubnet); ok {
			natAZ[nat.URN] = subnetAZ[sub.ID]
		}
	}
	rts := routeTableOf(t)
	var fs []Finding
	n := 0
	for _, s := range subnets(t.Graph) {
		if s.tier != "private" {
			continue
		}
		n++
		rt, ok := rts[s.res.URN]
		if !ok {
			continue // NET-004 reports it
		}
		route, i, _ := defaultRoute(rt)
		zone := ""
		if nat, ok := t.refOne(rt, fmt.Sprintf("routes[%d].natGatewayId", i), byID, typeNatGateway); ok {
			zone = natAZ[nat.URN]
		}
		if zone != s.az {
			fs = append(fs, Finding{URN: rt.URN, Violation: Violation{Path: fmt.Sprintf("routes[%d].natGatewayId", i), Value: describe(route, "natGatewayId"),
				Message: fmt.Sprintf("prod routes zone %s through a NAT gateway in zone %q; each zone needs its own", s.az, zone)}})
		}
	}
	return n, fs
}

func checkDefaultSGEmpty(_ string, props property.Map) []Violation {
	var vs []Violation
	for _, path := range []string{"ingress", "egress"} {
		v, err := graph.Lookup(props, path, "")
		if err == nil && v.IsArray() && v.AsArray().Len() > 0 {
			vs = append(vs, Violation{Path: path, Value: graph.Describe(v), Message: "the default security group must have no rules"})
		}
	}
	return vs
}

func checkDefaultSGAdopted(t Target) (int, []Finding) {
	adopted := t.byRef(typeDefaultSG, "vpcId", byID, typeVpc)
	var fs []Finding
	vpcs := t.Graph.OfType(typeVpc)
	for _, vpc := range vpcs {
		if len(adopted[vpc.URN]) == 0 {
			fs = append(fs, Finding{URN: vpc.URN, Violation: Violation{Path: "defaultSecurityGroupId", Value: "not adopted",
				Message: "adopt the default security group (aws.ec2.DefaultSecurityGroup) to strip its allow-all rules"}})
		}
	}
	return len(vpcs), fs
}

func checkFlowLogs(t Target) (int, []Finding) {
	flowLogs := t.byRef(typeFlowLog, "vpcId", byID, typeVpc)
	minDays := 1
	if t.Environment == "prod" {
		minDays = 365
	}
	var fs []Finding
	vpcs := t.Graph.OfType(typeVpc)
	for _, vpc := range vpcs {
		logs := flowLogs[vpc.URN]
		if len(logs) == 0 {
			fs = append(fs, Finding{URN: vpc.URN, Violation: Violation{Path: "flowLog", Value: "none", Message: "the VPC has no flow log"}})
			continue
		}
		for _, fl := range logs {
			if tt, _ := fl.String("trafficType"); tt != "ALL" {
				fs = append(fs, Finding{URN: fl.URN, Violation: Violation{Path: "trafficType", Value: describe(fl.Inputs, "trafficType"), Message: "flow logs must record ALL traffic"}})
			}
			lg, ok := t.refOne(fl, "logDestination", byArn, typeLogGroup)
			if !ok {
				fs = append(fs, Finding{URN: fl.URN, Violation: Violation{Path: "logDestination", Value: describe(fl.Inputs, "logDestination"), Message: "flow logs must go to a CloudWatch log group of this stack"}})
				continue
			}
			if k, _ := lg.String("kmsKeyId"); k == "" {
				fs = append(fs, Finding{URN: lg.URN, Violation: Violation{Path: "kmsKeyId", Value: describe(lg.Inputs, "kmsKeyId"), Message: "the flow-log group must be encrypted with a KMS key"}})
			}
			if d, err := lg.Int("retentionInDays"); err != nil || d < minDays {
				fs = append(fs, Finding{URN: lg.URN, Violation: Violation{Path: "retentionInDays", Value: describe(lg.Inputs, "retentionInDays"),
					Message: fmt.Sprintf("flow logs must be retained for a set period of at least %d days here (0 or unset keeps them forever, unmanaged)", minDays)}})
			}
		}
	}
	return len(vpcs), fs
}

// worldOpen reports the world-open CIDRs in a list value.
func worldOpen(v property.Value) []string {
	var out []string
	if v.IsString() && (v.AsString() == anyIPv4 || v.AsString() == anyIPv6) {
		return []string{v.AsString()}
	}
	if v.IsArray() {
		for _, e := range v.AsArray().All {
			out = append(out, worldOpen(e)...)
		}
	}
	return out
}

// loadBalancerGroupTag marks the one security group allowed to admit the internet: the ALB's.
const loadBalancerGroupTag = eksspec.LoadBalancerGroupTag

func checkNoWorldIngress(typ string, props property.Map) []Violation {
	if _, ok := str(props, fmt.Sprintf("tags[%q]", loadBalancerGroupTag)); ok {
		return nil
	}
	var vs []Violation
	check := func(path string, rule property.Map) {
		for _, key := range []string{"cidrBlocks", "ipv6CidrBlocks", "cidrIpv4", "cidrIpv6"} {
			v, err := graph.Lookup(rule, key, "")
			if err != nil {
				continue
			}
			if open := worldOpen(v); len(open) > 0 {
				vs = append(vs, Violation{Path: path + key, Value: fmt.Sprint(open), Message: "ingress from the whole internet is allowed only on the load balancer's security group"})
			}
		}
	}
	switch typ {
	case typeSG:
		if v, err := graph.Lookup(props, "ingress", ""); err == nil && v.IsArray() {
			for i, rule := range v.AsArray().All {
				if rule.IsMap() {
					check(fmt.Sprintf("ingress[%d].", i), rule.AsMap())
				}
			}
		}
	case typeSGRule:
		if kind, _ := str(props, "type"); kind == "ingress" {
			check("", props)
		}
	default:
		check("", props)
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].Path < vs[j].Path })
	return slices.Clip(vs)
}
