package network

// This file is the pure planning part of the multi-AZ VPC: from a VPC CIDR and
// an ordered list of availability zones it computes which subnets exist, their
// CIDRs and the stable key each one is registered under. It imports nothing
// from Pulumi so that it can be tested exhaustively. The layout rule is
// documented on Plan.

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/apparentlymart/go-cidr/cidr"
)

// Tier is the role of a subnet.
type Tier string

const (
	// TierPublic subnets hold only internet-facing load balancers and NAT
	// gateways.
	TierPublic Tier = "public"
	// TierPrivate subnets hold the EKS nodes and pods.
	TierPrivate Tier = "private"
)

// planTiers lists the tiers in the order their subnets appear, per AZ, in
// [SubnetPlan.Subnets].
var planTiers = [...]Tier{TierPublic, TierPrivate}

const (
	// MinAZs is the least number of availability zones: multi-AZ is
	// required.
	MinAZs = 2
	// MaxAZs is the largest number of availability zones the layout has room
	// for (private slots 0..5 of the VPC).
	MaxAZs = 6

	// MinVpcPrefixLen is the shortest VPC prefix allowed (the largest VPC, a
	// /16, which is also the largest CIDR block AWS accepts for a VPC).
	MinVpcPrefixLen = 16
	// MaxVpcPrefixLen is the longest VPC prefix allowed (the smallest VPC): a
	// /22, whose public subnets are /28, the smallest subnet AWS allows.
	MaxVpcPrefixLen = AWSMaxSubnetPrefixLen - privateNewBits - publicNewBits

	// AWSMaxSubnetPrefixLen is the longest prefix AWS allows for a subnet
	// (/28, 16 addresses).
	AWSMaxSubnetPrefixLen = 28
)

// Layout constants; see the layout documented on Plan. Changing any of them
// replaces subnets.
const (
	privateNewBits = 3 // the VPC is cut into 1<<3 = 8 slots
	reservedSlot   = 6 // slot kept free for a future tier
	publicSlot     = 7 // slot cut into the public subnets
	publicNewBits  = 3 // the public slot is cut into 1<<3 = 8 pieces
)

// SubnetSpec is one planned subnet.
type SubnetSpec struct {
	// AZ is the availability zone name, e.g. "eu-west-1a".
	AZ string
	// AZIndex is the position of the AZ in the plan (0-based). It is only
	// informative: resources must be named by Key, never by index.
	AZIndex int
	// Tier is the role of the subnet.
	Tier Tier
	// CIDR is the subnet's IPv4 network, per the layout documented on
	// Plan.
	CIDR netip.Prefix
	// Key is the stable key for child resource names: "<tier>-<az>", e.g.
	// "private-eu-west-1a".
	Key string
}

// PlanInput is what the plan is computed from.
type PlanInput struct {
	// VpcCIDR is the VPC's network, e.g. 10.0.0.0/16. It must be IPv4,
	// masked (no host bits set) and its prefix length must be between
	// MinVpcPrefixLen (/16) and MaxVpcPrefixLen (/22).
	VpcCIDR netip.Prefix
	// AZs are the availability zones, in a fixed order (a zone's position
	// decides its CIDRs: only append). They must be distinct, non-empty,
	// made of lowercase letters, digits and '-', and there must be between
	// MinAZs and MaxAZs of them.
	AZs []string
}

// SubnetPlan is the whole layout.
type SubnetPlan struct {
	// VpcCIDR is the VPC's network, as given.
	VpcCIDR netip.Prefix
	// Subnets are the planned subnets in AZ order and, within an AZ, public
	// first then private.
	Subnets []SubnetSpec
}

// Plan computes the subnet layout of a multi-AZ VPC.
//
// # Subnet layout (compatibility promise)
//
// The layout below is a compatibility promise: a subnet's CIDR is part of its
// identity in AWS, so changing any rule here makes Pulumi replace existing
// subnets (and everything in them). Do not change it; add new tiers only in
// the reserved space.
//
// With cidrsubnet(prefix, newbits, netnum) as in Terraform (implemented by
// github.com/apparentlymart/go-cidr), and i the 0-based position of the AZ in
// [PlanInput.AZs]:
//
//	private subnet of AZ i = cidrsubnet(vpc, 3, i)                   for i in 0..5
//	(slot 6 = cidrsubnet(vpc, 3, 6) is reserved for a future tier, never used)
//	public  subnet of AZ i = cidrsubnet(cidrsubnet(vpc, 3, 7), 3, i) for i in 0..5
//	(pieces 6 and 7 of slot 7 are spare, never used)
//
// The VPC is cut into 8 equal slots (3 more prefix bits). Slots 0..5 are the
// private subnets (EKS nodes and pods, hence large), slot 6 is reserved, and
// slot 7 is cut again into 8 equal pieces, of which pieces 0..5 are the public
// subnets (load balancers and NAT gateways only, hence small). A private
// subnet is VPC prefix + 3 bits, a public one VPC prefix + 6 bits.
//
// For a /16 VPC, e.g. 10.0.0.0/16:
//
//	private: six /19 (8,192 addresses each): 10.0.0.0/19, 10.0.32.0/19, 10.0.64.0/19,
//	         10.0.96.0/19, 10.0.128.0/19, 10.0.160.0/19
//	reserved: 10.0.192.0/19
//	public:  six /22 (1,024 addresses each): 10.0.224.0/22, 10.0.228.0/22, 10.0.232.0/22,
//	         10.0.236.0/22, 10.0.240.0/22, 10.0.244.0/22
//	spare:   10.0.248.0/22, 10.0.252.0/22
//
// For the smallest allowed VPC, a /22, private subnets are /25 and public
// subnets are /28 (the smallest subnet AWS allows); that is why
// [MaxVpcPrefixLen] is 22.
//
// Positions depend only on the AZ's index, never on how many AZs there are:
// appending an AZ to the list adds two subnets and leaves every existing one
// identical. Reordering the list, or removing an AZ other than the last one,
// moves CIDRs and therefore replaces subnets; only appending (or removing the
// last AZ) is safe.
//
// # Errors
//
// If the input is invalid it returns the zero SubnetPlan and one error that
// lists every problem (built with errors.Join, one line per problem); each
// problem names the field ("vpcCidr" or "azs[i]"), its value and what is
// allowed. Callers that want to prefix each problem with a config path can
// unwrap it with interface{ Unwrap() []error }. Plan never panics.
func Plan(in PlanInput) (SubnetPlan, error) {
	if err := validatePlanInput(in); err != nil {
		return SubnetPlan{}, err
	}

	vpc := toIPNet(in.VpcCIDR)
	pubSlot, err := cidr.Subnet(vpc, privateNewBits, publicSlot)
	if err != nil {
		return SubnetPlan{}, fmt.Errorf("vpcCidr: %q: computing the public slot: %w", in.VpcCIDR.String(), err)
	}

	plan := SubnetPlan{VpcCIDR: in.VpcCIDR, Subnets: make([]SubnetSpec, 0, len(planTiers)*len(in.AZs))}
	for i, az := range in.AZs {
		for _, t := range planTiers {
			var sub *net.IPNet
			if t == TierPrivate {
				sub, err = cidr.Subnet(vpc, privateNewBits, i)
			} else {
				sub, err = cidr.Subnet(pubSlot, publicNewBits, i)
			}
			if err != nil {
				return SubnetPlan{}, fmt.Errorf("azs[%d]: %q: computing the %s subnet: %w", i, az, t, err)
			}
			p, ok := fromIPNet(sub)
			if !ok {
				return SubnetPlan{}, fmt.Errorf("azs[%d]: %q: computing the %s subnet: unexpected result %v", i, az, t, sub)
			}
			plan.Subnets = append(plan.Subnets, SubnetSpec{
				AZ:      az,
				AZIndex: i,
				Tier:    t,
				CIDR:    p,
				Key:     string(t) + "-" + az,
			})
		}
	}
	return plan, nil
}

// ByTier returns the subnets of tier t in AZ order (nil if there are none).
func (p SubnetPlan) ByTier(t Tier) []SubnetSpec {
	var out []SubnetSpec
	for _, s := range p.Subnets {
		if s.Tier == t {
			out = append(out, s)
		}
	}
	return out
}

// Get returns the subnet of tier t in zone az, and whether there is one.
func (p SubnetPlan) Get(az string, t Tier) (SubnetSpec, bool) {
	for _, s := range p.Subnets {
		if s.AZ == az && s.Tier == t {
			return s, true
		}
	}
	return SubnetSpec{}, false
}

// validatePlanInput returns one error listing every problem of in, or nil.
func validatePlanInput(in PlanInput) error {
	var errs []error
	errs = append(errs, validateVpcCIDR(in.VpcCIDR)...)
	errs = append(errs, validateAZs(in.AZs)...)
	return errors.Join(errs...)
}

func validateVpcCIDR(p netip.Prefix) []error {
	const example = `want an IPv4 network such as "10.0.0.0/16"`
	switch {
	case p == netip.Prefix{}:
		return []error{fmt.Errorf("vpcCidr: is required (%s)", example)}
	case !p.IsValid():
		return []error{fmt.Errorf("vpcCidr: invalid prefix (address %s with an out-of-range length; %s)", p.Addr(), example)}
	case !p.Addr().Is4():
		return []error{fmt.Errorf("vpcCidr: %q is IPv6; only IPv4 is supported", p.String())}
	}

	var errs []error
	if m := p.Masked(); m != p {
		errs = append(errs, fmt.Errorf("vpcCidr: %q is not a network address (host bits are set); did you mean %s?", p.String(), m))
	}
	if bits := p.Bits(); bits < MinVpcPrefixLen || bits > MaxVpcPrefixLen {
		msg := fmt.Sprintf("vpcCidr: %q prefix /%d is outside the allowed range /%d to /%d", p.String(), bits, MinVpcPrefixLen, MaxVpcPrefixLen)
		if pub := bits + privateNewBits + publicNewBits; bits > MaxVpcPrefixLen && pub <= 32 {
			msg += fmt.Sprintf(" (its public subnets would be /%d, smaller than the AWS minimum subnet size /%d)", pub, AWSMaxSubnetPrefixLen)
		}
		errs = append(errs, errors.New(msg))
	}
	return errs
}

func validateAZs(azs []string) []error {
	var errs []error
	switch n := len(azs); {
	case n < MinAZs:
		errs = append(errs, fmt.Errorf("azs: %s below the minimum of %d (multi-AZ is required)", zonesIs(n), MinAZs))
	case n > MaxAZs:
		errs = append(errs, fmt.Errorf("azs: %s above the maximum of %d", zonesIs(n), MaxAZs))
	}

	first := make(map[string]int, len(azs))
	for i, az := range azs {
		if az == "" {
			errs = append(errs, fmt.Errorf("azs[%d]: empty zone name", i))
			continue
		}
		if !validZoneName(az) {
			errs = append(errs, fmt.Errorf("azs[%d]: %q is not a valid zone name (allowed: lowercase letters, digits and '-', e.g. \"eu-west-1a\")", i, az))
		}
		if j, dup := first[az]; dup {
			errs = append(errs, fmt.Errorf("azs[%d]: %q is a duplicate of azs[%d]", i, az, j))
			continue
		}
		first[az] = i
	}
	return errs
}

// zonesIs renders "1 zone is" or "n zones are".
func zonesIs(n int) string {
	if n == 1 {
		return "1 zone is"
	}
	return fmt.Sprintf("%d zones are", n)
}

// validZoneName reports whether az is made only of lowercase ASCII letters,
// digits and '-' (as every AWS zone name and zone ID is), so that it is safe
// inside resource names and keys.
func validZoneName(az string) bool {
	for i := 0; i < len(az); i++ {
		c := az[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return az != ""
}

// toIPNet converts a valid IPv4 prefix to the *net.IPNet go-cidr works on,
// with a 4-byte IP (go-cidr panics on other lengths).
func toIPNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

// fromIPNet converts an IPv4 *net.IPNet back to a netip.Prefix.
func fromIPNet(n *net.IPNet) (netip.Prefix, bool) {
	if n == nil {
		return netip.Prefix{}, false
	}
	addr, ok := netip.AddrFromSlice(n.IP)
	if !ok {
		return netip.Prefix{}, false
	}
	ones, bits := n.Mask.Size()
	if bits == 0 {
		return netip.Prefix{}, false
	}
	addr = addr.Unmap()
	if !addr.Is4() {
		return netip.Prefix{}, false
	}
	if bits == 128 {
		ones -= 96
	}
	p := netip.PrefixFrom(addr, ones)
	if !p.IsValid() || p.Masked() != p {
		return netip.Prefix{}, false
	}
	return p, true
}
