package infra

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/securestack/platform/components/detection"
	"github.com/securestack/platform/components/lib/iprange"
	"github.com/securestack/platform/components/network"
	"github.com/securestack/platform/components/registry"
)

var registryPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?$`)

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)

// validate checks the typed config; every message names the key path, the value and what is allowed.
func (c *Config) validate(knownControls []string) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	n := Namespace

	switch {
	case c.Region == "":
		add("aws:region: not set (set it with `pulumi config set aws:region eu-west-1`)")
	case !regionPattern.MatchString(c.Region):
		add("aws:region: %q is not an AWS region name (for example eu-west-1)", c.Region)
	}
	p = append(p, c.validateAccounts()...)
	p = append(p, c.validateTags()...)
	p = append(p, c.validateServices(c.AllowedAccountIDs)...)
	p = append(p, c.validateEdge()...)
	for i, r := range c.Images.Registries {
		if !registryPattern.MatchString(r) {
			add("%s:images.registries[%d]: %q is not a registry host (for example 123456789012.dkr.ecr.eu-west-1.amazonaws.com)", n, i, r)
		}
	}

	net := c.Network
	np := n + ":network"
	switch {
	case net.AzCount < network.MinAZs:
		add("%s.azCount: %d is below the minimum of %d (multi-AZ is required)", np, net.AzCount, network.MinAZs)
	case net.AzCount > network.MaxAZs:
		add("%s.azCount: %d is above the maximum of %d", np, net.AzCount, network.MaxAZs)
	}
	if len(net.AvailabilityZones) > 0 && len(net.AvailabilityZones) != net.AzCount {
		add("%s.azCount: %d does not match the %d zones named in %s.availabilityZones", np, net.AzCount, len(net.AvailabilityZones), np)
	}
	zones := net.AvailabilityZones
	if regionPattern.MatchString(c.Region) {
		// Zone names are the region and one letter (eu-west-1a).
		zoneOfRegion := regexp.MustCompile("^" + regexp.QuoteMeta(c.Region) + "[a-z]$")
		for i, az := range net.AvailabilityZones {
			if !zoneOfRegion.MatchString(az) {
				add("%s.availabilityZones[%d]: %q is not a zone of region %s (for example %sa)", np, i, az, c.Region, c.Region)
				zones = nil // reported; the plan below checks only the CIDR and duplicates
			}
		}
	}
	// The CIDR and zone rules live with the subnet plan; check them with the zones we know.
	if len(zones) == 0 {
		for i := range max(net.AzCount, 0) {
			zones = append(zones, fmt.Sprintf("zone-%d", i+1)) // names do not matter for the CIDR rules
		}
	}
	if prefix, err := netip.ParsePrefix(net.Cidr); err != nil {
		add("%s.cidr: %q is not an IPv4 CIDR block (for example 10.0.0.0/16)", np, net.Cidr)
	} else if problem, warning := vpcRangeProblem(prefix); problem != "" && prefix.Addr().Is4() {
		add("%s.cidr: %q %s (use a private range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16)", np, net.Cidr, problem)
	} else if len(zones) >= network.MinAZs && len(zones) <= network.MaxAZs {
		if warning != "" {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s.cidr: %q %s", np, net.Cidr, warning))
		}
		if _, err := network.Plan(network.PlanInput{VpcCIDR: prefix, AZs: zones}); err != nil {
			// The plan names its inputs vpcCidr and azs; here they are cidr and availabilityZones.
			for _, line := range strings.Split(err.Error(), "\n") {
				line = strings.Replace(line, "vpcCidr:", "cidr:", 1)
				line = strings.ReplaceAll(strings.Replace(line, "azs:", "availabilityZones:", 1), "azs[", "availabilityZones[")
				add("%s.%s", np, line)
			}
		}
	}
	if !slices.Contains(NatStrategies, net.NatGateways) {
		add("%s.natGateways: %q is not a NAT strategy (allowed: %s)", np, net.NatGateways, strings.Join(NatStrategies, ", "))
	} else if c.Environment == Prod && net.NatGateways != "perAz" {
		add("%s.natGateways: %q is not allowed in prod: one NAT gateway makes every zone depend on one (allowed in prod: perAz)", np, net.NatGateways)
	}
	if !slices.Contains(LogRetentionDays, net.FlowLogRetentionDays) {
		add("%s.flowLogRetentionDays: %d is not a retention CloudWatch Logs accepts (allowed: %s)", np, net.FlowLogRetentionDays, joinInts(LogRetentionDays))
	} else if c.Environment == Prod && net.FlowLogRetentionDays < MinProdFlowLogRetentionDays {
		add("%s.flowLogRetentionDays: %d is below the prod minimum of %d", np, net.FlowLogRetentionDays, MinProdFlowLogRetentionDays)
	}
	seen := map[string]bool{}
	for i, svc := range net.InterfaceEndpoints {
		switch {
		case !slices.Contains(InterfaceEndpointServices, svc):
			add("%s.interfaceEndpoints[%d]: %q is not a supported service (allowed: %s)", np, i, svc, strings.Join(InterfaceEndpointServices, ", "))
		case seen[svc]:
			add("%s.interfaceEndpoints[%d]: %q is listed twice", np, i, svc)
		}
		seen[svc] = true
	}

	if w := c.Keys.DeletionWindowDays; w < MinKeyDeletionWindowDays || w > MaxKeyDeletionWindowDays {
		add("%s:keys.deletionWindowDays: %d is outside the allowed range %d to %d", n, w, MinKeyDeletionWindowDays, MaxKeyDeletionWindowDays)
	}

	p = append(p, c.Cluster.validate(n+":cluster", c.Environment)...)
	switch cp, zonesCount := n+":cluster.controlPlaneAzCount", c.Cluster.ControlPlaneAzCount; {
	case zonesCount < network.MinAZs:
		add("%s: %d is below the minimum of %d (EKS needs subnets in two zones)", cp, zonesCount, network.MinAZs)
	case zonesCount > net.AzCount && net.AzCount >= network.MinAZs:
		add("%s: %d is more than the %d zones of %s.azCount", cp, zonesCount, net.AzCount, np)
	}
	if pub := c.Cluster.PublicAccessCidrs; len(pub) > 0 && !slices.ContainsFunc(pub, func(c string) bool { return strings.HasSuffix(c, "/0") }) {
		if share := iprange.InternetShare(pub); share >= 1 {
			add("%s:cluster.publicAccessCidrs: %s together cover the whole internet; list only the networks that need the API endpoint", n, show(pub))
		} else if share > maxPublicShare {
			c.Warnings = append(c.Warnings, fmt.Sprintf("%s:cluster.publicAccessCidrs: %s together cover %.1f%% of the IPv4 internet; is that intended?", n, show(pub), 100*share))
		}
	}
	if !c.Cluster.EndpointPublicAccess && !c.Runner.Enabled && len(c.Cluster.APIAccess.Cidrs)+len(c.Cluster.APIAccess.SecurityGroupIDs) == 0 {
		add("%s:cluster: the API endpoint is private and nothing may reach it to apply the in-cluster resources: keep %s:runner.enabled true, or list %s:cluster.apiAccess sources", n, n, n)
	}
	p = append(p, c.Runner.validate(n+":runner", c.AllowedAccountIDs)...)
	p = append(p, c.Access.validate(n+":access")...)

	st := c.Storage
	sp := n + ":storage"
	if !slices.Contains(S3Encryptions, st.S3Encryption) {
		add("%s.s3Encryption: %q is not an S3 encryption (allowed: %s)", sp, st.S3Encryption, strings.Join(S3Encryptions, ", "))
	}
	for _, f := range []struct {
		key  string
		days int
	}{{"noncurrentVersionDays", st.NoncurrentVersionDays}, {"accessLogDays", st.AccessLogDays}} {
		if f.days < 1 || f.days > 3650 {
			add("%s.%s: %d is outside the allowed range 1 to 3650", sp, f.key, f.days)
		}
	}
	if c.Environment == Prod && st.AccessLogDays >= 1 && st.AccessLogDays < 365 {
		add("%s.accessLogDays: %d is below the prod minimum of 365", sp, st.AccessLogDays)
	}
	switch d := st.SecretRecoveryDays; {
	case d == 0 && c.Environment == Dev:
		// dev deletes secrets at once, so that `destroy` then `up` can reuse the fixed name
	case d == 0:
		add("%s.secretRecoveryDays: 0 (delete at once, without recovery) is allowed in dev only (allowed here: 7 to 30)", sp)
	case d < 7 || d > 30:
		add("%s.secretRecoveryDays: %d is outside the allowed range 7 to 30 (or 0 in dev)", sp, d)
	}
	if !slices.Contains(DynamoDBKeys, st.DynamoDBKey) {
		add("%s.dynamodbKey: %q is not a key choice (allowed: %s)", sp, st.DynamoDBKey, strings.Join(DynamoDBKeys, ", "))
	} else if st.DynamoDBKey == "aws-owned" {
		c.requireWaiver(add, sp+".dynamodbKey", st.DynamoDBKey, "DDB-001")
	}
	if o := c.Account.BaselineOwner; o != "" && !stackNamePattern.MatchString(o) {
		add("%s:account.baselineOwner: %q is not a stack name of this project (a stack name: letters, digits, '-', '_' and '.')", n, o)
	}
	for _, f := range []struct {
		key, mode, control string
	}{{"ebsEncryptionByDefault", c.Account.EBSEncryptionByDefault, "ACC-001"}, {"s3PublicAccessBlock", c.Account.S3PublicAccessBlock, "ACC-002"}} {
		path := n + ":account." + f.key
		switch {
		case !slices.Contains(SingletonModes, f.mode):
			add("%s: %q is not a mode (allowed: %s)", path, f.mode, strings.Join(SingletonModes, ", "))
		case f.mode == Organization:
			c.requireWaiver(add, path, f.mode, f.control)
		}
	}

	p = append(p, c.validateDetection()...)
	p = append(p, c.validateNames()...)

	waived := map[string]bool{}
	for i, w := range c.Waivers {
		wp := fmt.Sprintf("%s:waivers[%d]", n, i)
		switch {
		case w.Control == "":
			add("%s.control: not set (name the control id to waive)", wp)
		case knownControls != nil && !slices.Contains(knownControls, w.Control):
			add("%s.control: %q is not a control id (allowed: %s)", wp, w.Control, strings.Join(knownControls, ", "))
		case waived[w.Control]:
			add("%s.control: %q is waived twice", wp, w.Control)
		}
		waived[w.Control] = true
		if utf8.RuneCountInString(strings.TrimSpace(w.Reason)) < minWaiverReasonLength {
			add("%s.reason: %q is too short: say why the control does not apply (at least %d characters)", wp, w.Reason, minWaiverReasonLength)
		}
	}
	return p
}

var (
	versionPattern      = regexp.MustCompile(`^1\.[0-9]{2}$`)
	nodeGroupNamePat    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,30}$`)
	instanceTypePattern = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	principalPattern    = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)/[A-Za-z0-9+=,.@_/-]+$`)
	dns1123LabelPattern = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
)

// validate checks platform:cluster; cp is its key path.
func (c ClusterConfig) validate(cp string, env Environment) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	versions := strings.Join(KubernetesVersions, ", ")
	switch {
	case !versionPattern.MatchString(c.Version):
		add("%s.version: %q is not of the form 1.NN (allowed: %s)", cp, c.Version, versions)
	case !slices.Contains(KubernetesVersions, c.Version):
		add("%s.version: %q is not a supported Kubernetes version (allowed: %s)", cp, c.Version, versions)
	}

	switch {
	case c.EndpointPublicAccess && env == Prod:
		add("%s.endpointPublicAccess: true is not allowed in prod: prod's API endpoint is private only; deploy from a runner inside the VPC (allowed in prod: false)", cp)
	case c.EndpointPublicAccess && len(c.PublicAccessCidrs) == 0:
		add("%s.publicAccessCidrs: not set, but endpointPublicAccess is true (an allow-list of the networks that may reach the API endpoint is required; never the whole internet)", cp)
	case !c.EndpointPublicAccess && len(c.PublicAccessCidrs) > 0:
		add("%s.publicAccessCidrs: %s has no effect while endpointPublicAccess is false; remove it", cp, show(c.PublicAccessCidrs))
	}
	seen := map[string]bool{}
	for i, cidr := range c.PublicAccessCidrs {
		prefix, err := netip.ParsePrefix(cidr)
		switch {
		case err != nil:
			add("%s.publicAccessCidrs[%d]: %q is not a CIDR block (for example 203.0.113.0/24)", cp, i, cidr)
		case prefix.Bits() == 0:
			add("%s.publicAccessCidrs[%d]: %q opens the API endpoint to the whole internet; list only the networks that need it", cp, i, cidr)
		case prefix.Addr().Is6():
			add("%s.publicAccessCidrs[%d]: %q is IPv6; EKS public access CIDRs are IPv4 only", cp, i, cidr)
		case prefix.Masked() != prefix:
			add("%s.publicAccessCidrs[%d]: %q is not a network address (host bits are set); did you mean %s?", cp, i, cidr, prefix.Masked())
		case seen[prefix.String()]:
			add("%s.publicAccessCidrs[%d]: %q is listed twice", cp, i, cidr)
		}
		if err == nil {
			seen[prefix.String()] = true
		}
	}

	seenSources := map[string]bool{}
	for i, cidr := range c.APIAccess.Cidrs {
		prefix, err := netip.ParsePrefix(cidr)
		switch {
		case err != nil || !prefix.Addr().Is4():
			add("%s.apiAccess.cidrs[%d]: %q is not an IPv4 CIDR block (for example 10.40.0.0/24)", cp, i, cidr)
		case prefix.Masked() != prefix:
			add("%s.apiAccess.cidrs[%d]: %q is not a network address (host bits are set); did you mean %s?", cp, i, cidr, prefix.Masked())
		case !iprange.IsPrivate(prefix):
			add("%s.apiAccess.cidrs[%d]: %q is not a private range: only 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16 may reach the private API endpoint", cp, i, cidr)
		case seenSources[cidr]:
			add("%s.apiAccess.cidrs[%d]: %q is listed twice", cp, i, cidr)
		}
		seenSources[cidr] = true
	}
	for i, id := range c.APIAccess.SecurityGroupIDs {
		switch {
		case !securityGroupIDPattern.MatchString(id):
			add("%s.apiAccess.securityGroupIds[%d]: %q is not a security group id (sg- and 8 or 17 hexadecimal digits)", cp, i, id)
		case seenSources[id]:
			add("%s.apiAccess.securityGroupIds[%d]: %q is listed twice", cp, i, id)
		}
		seenSources[id] = true
	}

	if !slices.Contains(LogRetentionDays, c.LogRetentionDays) {
		add("%s.logRetentionDays: %d is not a retention CloudWatch Logs accepts (allowed: %s)", cp, c.LogRetentionDays, joinInts(LogRetentionDays))
	} else if env == Prod && c.LogRetentionDays < MinProdClusterLogRetentionDays {
		add("%s.logRetentionDays: %d is below the prod minimum of %d", cp, c.LogRetentionDays, MinProdClusterLogRetentionDays)
	}

	if len(c.NodeGroups) == 0 {
		add("%s.nodeGroups: not set (at least one node group is required)", cp)
	}
	for _, name := range slices.Sorted(maps.Keys(c.NodeGroups)) {
		g := c.NodeGroups[name]
		gp := cp + ".nodeGroups." + name
		if !nodeGroupNamePat.MatchString(name) {
			add("%s.nodeGroups: name %q is not a node group name (allowed: a lowercase letter, then up to 30 lowercase letters, digits or '-')", cp, name)
		}
		if len(g.InstanceTypes) == 0 {
			add("%s.instanceTypes: not set (name at least one instance type, for example m6i.large)", gp)
		}
		types := map[string]bool{}
		for i, t := range g.InstanceTypes {
			switch {
			case !instanceTypePattern.MatchString(t):
				add("%s.instanceTypes[%d]: %q is not an EC2 instance type (for example m6i.large)", gp, i, t)
			case types[t]:
				add("%s.instanceTypes[%d]: %q is listed twice", gp, i, t)
			}
			types[t] = true
		}
		if !slices.Contains(AmiTypes, g.AmiType) {
			add("%s.amiType: %q is not an AMI type (allowed: %s)", gp, g.AmiType, strings.Join(AmiTypes, ", "))
		}
		if !slices.Contains(CapacityTypes, g.CapacityType) {
			add("%s.capacityType: %q is not a capacity type (allowed: %s)", gp, g.CapacityType, strings.Join(CapacityTypes, ", "))
		}
		switch {
		case env == Prod && g.MinSize < MinProdNodeGroupSize:
			add("%s.minSize: %d is below the prod minimum of %d (a single node is a single point of failure)", gp, g.MinSize, MinProdNodeGroupSize)
		case g.MinSize < 0:
			add("%s.minSize: %d is below the minimum of 0", gp, g.MinSize)
		}
		if g.MaxSize < 1 {
			add("%s.maxSize: %d is below the minimum of 1", gp, g.MaxSize)
		}
		if g.MinSize > g.MaxSize {
			add("%s.minSize: %d is above maxSize %d", gp, g.MinSize, g.MaxSize)
		} else if g.DesiredSize < g.MinSize || g.DesiredSize > g.MaxSize {
			add("%s.desiredSize: %d is outside minSize %d to maxSize %d", gp, g.DesiredSize, g.MinSize, g.MaxSize)
		}
		if d := g.DiskSizeGiB; d < MinNodeDiskSizeGiB || d > MaxNodeDiskSizeGiB {
			add("%s.diskSizeGiB: %d is outside the allowed range %d to %d", gp, d, MinNodeDiskSizeGiB, MaxNodeDiskSizeGiB)
		}
	}
	return p
}

// validate checks platform:access; ap is its key path.
func (a AccessConfig) validate(ap string) []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	mapped := map[string]string{} // principal → where it was first listed, e.g. "admins[0]"
	for _, persona := range []struct {
		key        string
		principals []string
	}{{"admins", a.Admins}, {"gitops", a.Gitops}, {"developers", a.Developers}} {
		for i, arn := range persona.principals {
			at := fmt.Sprintf("%s[%d]", persona.key, i)
			first, dup := mapped[arn]
			switch {
			case !principalPattern.MatchString(arn):
				add("%s.%s: %q must be an IAM role or user ARN (for example arn:aws:iam::123456789012:role/platform-admins)", ap, at, arn)
			case dup && strings.HasPrefix(first, persona.key+"["):
				add("%s.%s: %q is listed twice", ap, at, arn)
			case dup:
				add("%s.%s: %q is already mapped as %s; a principal has one persona", ap, at, arn, first)
			default:
				mapped[arn] = at
			}
		}
	}

	if len(a.Namespaces) == 0 {
		add("%s.namespaces: not set (the gitops and developers personas need at least one namespace)", ap)
	}
	seen := map[string]bool{}
	for i, ns := range a.Namespaces {
		switch {
		case len(ns) > 63 || !dns1123LabelPattern.MatchString(ns):
			add("%s.namespaces[%d]: %q is not a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)", ap, i, ns)
		case slices.Contains(reservedNamespaces, ns):
			add("%s.namespaces[%d]: %q belongs to Kubernetes itself (reserved: %s)", ap, i, ns, strings.Join(reservedNamespaces, ", "))
		case seen[ns]:
			add("%s.namespaces[%d]: %q is listed twice", ap, i, ns)
		}
		seen[ns] = true
	}
	return p
}

// requireWaiver reports an opt-out that is not backed by a waiver of its control: an opt-out is
// always explicit, with a reason the report shows.
func (c *Config) requireWaiver(add func(string, ...any), path, value, control string) {
	if _, ok := c.WaiverFor(control); !ok {
		add("%s: %q opts out of control %s: add a waiver {control: %s, reason: ...} to %s:waivers saying where it is enforced instead", path, value, control, control, Namespace)
	}
}

// WaiverFor returns the waiver of a control, if there is one.
func (c *Config) WaiverFor(control string) (Waiver, bool) {
	for _, w := range c.Waivers {
		if w.Control == control {
			return w, true
		}
	}
	return Waiver{}, false
}

// validateDetection checks the account's detection and registry settings (owner only) and the
// stack's registry and Falco settings.
func (c *Config) validateDetection() []string {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }
	ap := Namespace + ":account"
	a := c.Account
	if c.BaselineOwner() != c.Stack {
		// The owner manages these for the whole account: a value here would be silently ignored.
		def := Defaults(c.Environment).Account
		for _, f := range []struct {
			key        string
			set, deflt any
		}{
			{"guardDuty", a.GuardDuty, def.GuardDuty}, {"guardDutyDetectorId", a.GuardDutyDetectorID, def.GuardDutyDetectorID},
			{"findings", jsonText(a.Findings), jsonText(def.Findings)}, {"registryScanning", a.RegistryScanning, def.RegistryScanning},
			{"githubOidcProvider", a.GitHubOIDCProvider, def.GitHubOIDCProvider},
			{"ebsEncryptionByDefault", a.EBSEncryptionByDefault, def.EBSEncryptionByDefault},
			{"s3PublicAccessBlock", a.S3PublicAccessBlock, def.S3PublicAccessBlock},
		} {
			if f.set != f.deflt {
				add("%s.%s: %v is set, but stack %q owns this account's baseline (%s.baselineOwner): set it in that stack", ap, f.key, f.set, c.BaselineOwner(), ap)
			}
		}
	}
	switch {
	case !slices.Contains(detection.DetectorModes, a.GuardDuty):
		add("%s.guardDuty: %q is not a mode (allowed: %s)", ap, a.GuardDuty, strings.Join(detection.DetectorModes, ", "))
	case a.GuardDuty == detection.Adopt && !detection.ValidDetectorID(a.GuardDutyDetectorID):
		add("%s.guardDutyDetectorId: %q is not a GuardDuty detector id (32 lowercase letters and digits; `aws guardduty list-detectors`): required to adopt", ap, a.GuardDutyDetectorID)
	case a.GuardDuty != detection.Adopt && a.GuardDutyDetectorID != "":
		add("%s.guardDutyDetectorId: %q is set, but guardDuty is %q: set guardDuty: adopt, or remove it", ap, a.GuardDutyDetectorID, a.GuardDuty)
	case a.GuardDuty == detection.Organization:
		c.requireWaiver(add, ap+".guardDuty", a.GuardDuty, "GD-001")
	}
	subs := make([]detection.Subscription, 0, len(a.Findings.Subscriptions))
	for _, s := range a.Findings.Subscriptions {
		subs = append(subs, detection.Subscription{Protocol: s.Protocol, Endpoint: s.Endpoint})
	}
	for _, problem := range detection.ValidateRoute(a.Findings.MinSeverity, subs) {
		add("%s.findings.%s", ap, problem)
	}
	if !slices.Contains(RegistryScannings, a.RegistryScanning) {
		add("%s.registryScanning: %q is not a scanning type (allowed: %s)", ap, a.RegistryScanning, strings.Join(RegistryScannings, ", "))
	}
	if !slices.Contains(ProviderModes, a.GitHubOIDCProvider) {
		add("%s.githubOidcProvider: %q is not a mode (allowed: %s)", ap, a.GitHubOIDCProvider, strings.Join(ProviderModes, ", "))
	}

	rp := Namespace + ":registry"
	if r := c.Registry; r.KeepImages < 1 || r.KeepImages > registry.MaxKeepImages {
		add("%s.keepImages: %d is outside the allowed range 1 to %d", rp, r.KeepImages, registry.MaxKeepImages)
	}
	if d := c.Registry.UntaggedDays; d < 1 || d > 3650 {
		add("%s.untaggedDays: %d is outside the allowed range 1 to 3650", rp, d)
	}
	if c.Registry.ForceDelete && c.Environment != Dev {
		add("%s.forceDelete: true would let a destroy delete the images of %s: allowed in dev only", rp, c.Environment)
	}
	if !c.Detection.Falco && c.Environment == Prod {
		c.requireWaiver(add, Namespace+":detection.falco", "false", "FALCO-001")
	}
	return p
}

// jsonText renders a config value as the stack file's JSON would.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
