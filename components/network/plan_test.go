package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// planAZNames are realistic zone names, in the order a stack would list them.
var planAZNames = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d", "eu-west-1e", "eu-west-1f", "eu-west-1g"}

func planAZs(n int) []string { return append([]string(nil), planAZNames[:n]...) }

func planPfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// planWant builds the expected subnets of a plan: for each AZ, public CIDR then
// private CIDR, in the order of Plan's output.
func planWant(zones []string, pairs ...string) []SubnetSpec {
	var out []SubnetSpec
	for i, az := range zones {
		out = append(out,
			SubnetSpec{AZ: az, AZIndex: i, Tier: TierPublic, CIDR: planPfx(pairs[2*i]), Key: "public-" + az},
			SubnetSpec{AZ: az, AZIndex: i, Tier: TierPrivate, CIDR: planPfx(pairs[2*i+1]), Key: "private-" + az},
		)
	}
	return out
}

func TestPlan_ExactLayoutsFollowTheDocumentedRule(t *testing.T) {
	tests := []struct {
		name string
		vpc  string
		azs  []string
		want []SubnetSpec
	}{
		{
			name: "/16 with 2 AZs",
			vpc:  "10.0.0.0/16",
			azs:  planAZs(2),
			want: planWant(planAZs(2),
				"10.0.224.0/22", "10.0.0.0/19",
				"10.0.228.0/22", "10.0.32.0/19",
			),
		},
		{
			name: "/16 with 3 AZs",
			vpc:  "10.0.0.0/16",
			azs:  planAZs(3),
			want: planWant(planAZs(3),
				"10.0.224.0/22", "10.0.0.0/19",
				"10.0.228.0/22", "10.0.32.0/19",
				"10.0.232.0/22", "10.0.64.0/19",
			),
		},
		{
			name: "/16 with MaxAZs (6) AZs",
			vpc:  "172.16.0.0/16",
			azs:  planAZs(6),
			want: planWant(planAZs(6),
				"172.16.224.0/22", "172.16.0.0/19",
				"172.16.228.0/22", "172.16.32.0/19",
				"172.16.232.0/22", "172.16.64.0/19",
				"172.16.236.0/22", "172.16.96.0/19",
				"172.16.240.0/22", "172.16.128.0/19",
				"172.16.244.0/22", "172.16.160.0/19",
			),
		},
		{
			name: "/20 with 3 AZs",
			vpc:  "10.1.16.0/20",
			azs:  planAZs(3),
			want: planWant(planAZs(3),
				"10.1.30.0/26", "10.1.16.0/23",
				"10.1.30.64/26", "10.1.18.0/23",
				"10.1.30.128/26", "10.1.20.0/23",
			),
		},
		{
			name: "/20 with 6 AZs",
			vpc:  "10.1.16.0/20",
			azs:  planAZs(6),
			want: planWant(planAZs(6),
				"10.1.30.0/26", "10.1.16.0/23",
				"10.1.30.64/26", "10.1.18.0/23",
				"10.1.30.128/26", "10.1.20.0/23",
				"10.1.30.192/26", "10.1.22.0/23",
				"10.1.31.0/26", "10.1.24.0/23",
				"10.1.31.64/26", "10.1.26.0/23",
			),
		},
		{
			name: "/22 (smallest VPC) with 6 AZs: public subnets are exactly /28",
			vpc:  "192.168.4.0/22",
			azs:  planAZs(6),
			want: planWant(planAZs(6),
				"192.168.7.128/28", "192.168.4.0/25",
				"192.168.7.144/28", "192.168.4.128/25",
				"192.168.7.160/28", "192.168.5.0/25",
				"192.168.7.176/28", "192.168.5.128/25",
				"192.168.7.192/28", "192.168.6.0/25",
				"192.168.7.208/28", "192.168.6.128/25",
			),
		},
		{
			name: "top of the IPv4 space does not overflow",
			vpc:  "255.255.252.0/22",
			azs:  planAZs(2),
			want: planWant(planAZs(2),
				"255.255.255.128/28", "255.255.252.0/25",
				"255.255.255.144/28", "255.255.252.128/25",
			),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Plan(PlanInput{VpcCIDR: planPfx(tc.vpc), AZs: tc.azs})
			if err != nil {
				t.Fatalf("Plan: unexpected error: %v", err)
			}
			if got.VpcCIDR != planPfx(tc.vpc) {
				t.Errorf("VpcCIDR = %s, want %s", got.VpcCIDR, tc.vpc)
			}
			if !reflect.DeepEqual(got.Subnets, tc.want) {
				t.Errorf("Subnets:\n got %s\nwant %s", planFmt(got.Subnets), planFmt(tc.want))
			}
		})
	}
}

func TestPlan_VpcSmallerThanSlash22IsRejectedBecausePublicSubnetsWouldBeBelowAWSMinimum(t *testing.T) {
	for _, tc := range []struct{ vpc, msg string }{
		{"10.0.0.0/23", `vpcCidr: "10.0.0.0/23" prefix /23 is outside the allowed range /16 to /22 (its public subnets would be /29, smaller than the AWS minimum subnet size /28)`},
		{"10.0.0.0/24", `vpcCidr: "10.0.0.0/24" prefix /24 is outside the allowed range /16 to /22 (its public subnets would be /30, smaller than the AWS minimum subnet size /28)`},
	} {
		got, err := Plan(PlanInput{VpcCIDR: planPfx(tc.vpc), AZs: planAZs(2)})
		if err == nil || err.Error() != tc.msg {
			t.Errorf("Plan(%s) error = %v, want %q", tc.vpc, err, tc.msg)
		}
		if !reflect.DeepEqual(got, SubnetPlan{}) {
			t.Errorf("Plan(%s) returned a non-zero plan with an error: %+v", tc.vpc, got)
		}
	}
}

// planVpcSamples returns many valid VPC CIDRs: every allowed prefix length on a
// spread of base addresses, including the bottom and top of the IPv4 space.
func planVpcSamples() []netip.Prefix {
	bases := []string{"0.0.0.0", "10.0.0.0", "10.37.0.0", "100.64.0.0", "172.16.0.0", "172.31.0.0", "192.168.0.0", "255.255.0.0"}
	var out []netip.Prefix
	for _, b := range bases {
		base := netip.MustParseAddr(b)
		for bits := MinVpcPrefixLen; bits <= MaxVpcPrefixLen; bits++ {
			// Several networks of this size inside the /16 of base: the first,
			// the last, and one in the middle.
			n := 1 << (bits - 16)
			for _, k := range []int{0, n / 2, n - 1} {
				a := planU32(base) + uint32(k)<<(32-bits)
				out = append(out, netip.PrefixFrom(planAddr(a), bits))
			}
		}
	}
	return out
}

func TestPlan_AddingAnAZKeepsEveryEarlierSubnetIdentical(t *testing.T) {
	for _, vpc := range planVpcSamples() {
		for n := MinAZs; n < MaxAZs; n++ {
			small, err := Plan(PlanInput{VpcCIDR: vpc, AZs: planAZs(n)})
			if err != nil {
				t.Fatalf("Plan(%s, %d AZs): %v", vpc, n, err)
			}
			big, err := Plan(PlanInput{VpcCIDR: vpc, AZs: planAZs(n + 1)})
			if err != nil {
				t.Fatalf("Plan(%s, %d AZs): %v", vpc, n+1, err)
			}
			// Same prefix of the list...
			if !reflect.DeepEqual(big.Subnets[:len(small.Subnets)], small.Subnets) {
				t.Fatalf("%s: the first %d AZs changed when adding one:\n before %s\n after  %s",
					vpc, n, planFmt(small.Subnets), planFmt(big.Subnets))
			}
			// ...and, keyed by Key, every old subnet is still there, unchanged,
			// and the only new keys are the new AZ's two subnets.
			bigByKey := planByKey(t, big)
			for k, s := range planByKey(t, small) {
				if bigByKey[k] != s {
					t.Fatalf("%s: %s changed from %+v to %+v when adding an AZ", vpc, k, s, bigByKey[k])
				}
				delete(bigByKey, k)
			}
			newAZ := planAZNames[n]
			if len(bigByKey) != 2 || bigByKey["public-"+newAZ].AZ != newAZ || bigByKey["private-"+newAZ].AZ != newAZ {
				t.Fatalf("%s: adding %s added %v, want exactly public-%s and private-%s", vpc, newAZ, bigByKey, newAZ, newAZ)
			}
		}
	}
}

func TestPlan_CIDRDependsOnlyOnAZIndexNotOnAZNamesOrCount(t *testing.T) {
	vpc := planPfx("10.20.0.0/16")
	a, err := Plan(PlanInput{VpcCIDR: vpc, AZs: []string{"us-east-1a", "us-east-1b"}})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Plan(PlanInput{VpcCIDR: vpc, AZs: []string{"use1-az4", "use1-az6", "use1-az1", "use1-az2", "use1-az3", "use1-az5"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Subnets {
		if a.Subnets[i].CIDR != b.Subnets[i].CIDR || a.Subnets[i].Tier != b.Subnets[i].Tier {
			t.Errorf("subnet %d: %s %s vs %s %s", i, a.Subnets[i].Tier, a.Subnets[i].CIDR, b.Subnets[i].Tier, b.Subnets[i].CIDR)
		}
	}
}

func TestPlan_SubnetsAreDisjointInsideTheVpcAndPrivateIsLargerThanPublic(t *testing.T) {
	for _, vpc := range planVpcSamples() {
		for n := MinAZs; n <= MaxAZs; n++ {
			in := PlanInput{VpcCIDR: vpc, AZs: planAZs(n)}
			p, err := Plan(in)
			if err != nil {
				t.Fatalf("Plan(%s, %d AZs): %v", vpc, n, err)
			}
			checkPlanInvariants(t, in, p)
		}
	}
}

// checkPlanInvariants asserts everything a successful plan promises.
func checkPlanInvariants(t *testing.T, in PlanInput, p SubnetPlan) {
	t.Helper()
	if p.VpcCIDR != in.VpcCIDR {
		t.Fatalf("VpcCIDR = %s, want %s", p.VpcCIDR, in.VpcCIDR)
	}
	if got, want := len(p.Subnets), 2*len(in.AZs); got != want {
		t.Fatalf("%s: %d subnets, want %d", in.VpcCIDR, got, want)
	}
	vpc := in.VpcCIDR
	keys := map[string]bool{}
	for j, s := range p.Subnets {
		i, tier := j/2, []Tier{TierPublic, TierPrivate}[j%2]
		if s.AZ != in.AZs[i] || s.AZIndex != i || s.Tier != tier {
			t.Fatalf("%s: subnet %d is %+v, want AZ %q index %d tier %s", vpc, j, s, in.AZs[i], i, tier)
		}
		if want := string(tier) + "-" + in.AZs[i]; s.Key != want {
			t.Fatalf("%s: subnet %d key %q, want %q", vpc, j, s.Key, want)
		}
		if keys[s.Key] {
			t.Fatalf("%s: duplicate key %q", vpc, s.Key)
		}
		keys[s.Key] = true

		c := s.CIDR
		if !c.IsValid() || !c.Addr().Is4() || c.Masked() != c {
			t.Fatalf("%s: %s: %s is not a masked IPv4 network", vpc, s.Key, c)
		}
		if c.Bits() <= vpc.Bits() || !vpc.Contains(c.Addr()) {
			t.Fatalf("%s: %s: %s is not strictly inside the VPC", vpc, s.Key, c)
		}
		if c.Bits() > AWSMaxSubnetPrefixLen {
			t.Fatalf("%s: %s: %s is smaller than the AWS minimum /%d", vpc, s.Key, c, AWSMaxSubnetPrefixLen)
		}
		// The documented formula, recomputed independently of go-cidr.
		if want := planOracle(vpc, i, tier); c != want {
			t.Fatalf("%s: %s: %s, the documented layout says %s", vpc, s.Key, c, want)
		}
		// Never in the reserved slot 6, nor in the spare pieces 6 and 7 of slot 7.
		if c.Overlaps(planSlot(vpc, 3, 6)) || c.Overlaps(planSlot(planSlot(vpc, 3, 7), 3, 6)) || c.Overlaps(planSlot(planSlot(vpc, 3, 7), 3, 7)) {
			t.Fatalf("%s: %s: %s is in reserved or spare space", vpc, s.Key, c)
		}
		for _, o := range p.Subnets[:j] {
			if c.Overlaps(o.CIDR) {
				t.Fatalf("%s: %s %s overlaps %s %s", vpc, s.Key, c, o.Key, o.CIDR)
			}
		}
	}
	for _, s := range p.Subnets {
		if s.Tier != TierPrivate {
			continue
		}
		pub, ok := p.Get(s.AZ, TierPublic)
		if !ok {
			t.Fatalf("%s: no public subnet in %s", vpc, s.AZ)
		}
		if s.CIDR.Bits() >= pub.CIDR.Bits() {
			t.Fatalf("%s: private %s is not larger than public %s", vpc, s.CIDR, pub.CIDR)
		}
	}
}

// planOracle is the documented layout in plain uint32 arithmetic, independent of
// the library Plan uses.
func planOracle(vpc netip.Prefix, i int, t Tier) netip.Prefix {
	if t == TierPrivate {
		return planSlot(vpc, 3, i)
	}
	return planSlot(planSlot(vpc, 3, 7), 3, i)
}

// planSlot is cidrsubnet(p, newBits, n) for IPv4.
func planSlot(p netip.Prefix, newBits, n int) netip.Prefix {
	bits := p.Bits() + newBits
	return netip.PrefixFrom(planAddr(planU32(p.Addr())|uint32(n)<<(32-bits)), bits)
}

func planU32(a netip.Addr) uint32 { b := a.As4(); return binary.BigEndian.Uint32(b[:]) }

func planAddr(v uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

func planByKey(t *testing.T, p SubnetPlan) map[string]SubnetSpec {
	t.Helper()
	m := map[string]SubnetSpec{}
	for _, s := range p.Subnets {
		if _, dup := m[s.Key]; dup {
			t.Fatalf("duplicate key %q", s.Key)
		}
		m[s.Key] = s
	}
	return m
}

func planFmt(ss []SubnetSpec) string {
	parts := make([]string, len(ss))
	for i, s := range ss {
		parts[i] = fmt.Sprintf("%s(#%d)=%s", s.Key, s.AZIndex, s.CIDR)
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func TestLayoutConstants_MaxAZsFitsAndSmallestVpcIsSlash22(t *testing.T) {
	if MaxVpcPrefixLen != 22 {
		t.Errorf("MaxVpcPrefixLen = %d, want 22", MaxVpcPrefixLen)
	}
	if MinVpcPrefixLen != 16 || MinAZs != 2 || MaxAZs != 6 || AWSMaxSubnetPrefixLen != 28 {
		t.Errorf("constants changed: MinVpcPrefixLen=%d MinAZs=%d MaxAZs=%d AWSMaxSubnetPrefixLen=%d",
			MinVpcPrefixLen, MinAZs, MaxAZs, AWSMaxSubnetPrefixLen)
	}
	// Private slots 0..MaxAZs-1 stay below the reserved and public slots,
	// and the public slot has a piece for every AZ.
	if MaxAZs > reservedSlot || reservedSlot >= publicSlot || publicSlot >= 1<<privateNewBits || MaxAZs > 1<<publicNewBits {
		t.Errorf("layout does not fit: MaxAZs=%d reservedSlot=%d publicSlot=%d", MaxAZs, reservedSlot, publicSlot)
	}
}

func TestPlan_AcceptsBoundaryValues(t *testing.T) {
	for _, tc := range []struct {
		vpc string
		n   int
	}{
		{"10.0.0.0/16", MinAZs},
		{"10.0.0.0/16", MaxAZs},
		{"10.0.0.0/22", MinAZs},
		{"10.0.0.0/22", MaxAZs},
	} {
		in := PlanInput{VpcCIDR: planPfx(tc.vpc), AZs: planAZs(tc.n)}
		p, err := Plan(in)
		if err != nil {
			t.Errorf("Plan(%s, %d AZs): unexpected error: %v", tc.vpc, tc.n, err)
			continue
		}
		checkPlanInvariants(t, in, p)
	}
}

func TestPlan_RejectsEachInvalidInputWithAnExactMessage(t *testing.T) {
	ok := planAZs(2)
	okVpc := planPfx("10.0.0.0/16")
	tests := []struct {
		name string
		in   PlanInput
		msg  string
	}{
		{"missing vpc", PlanInput{AZs: ok},
			`vpcCidr: is required (want an IPv4 network such as "10.0.0.0/16")`},
		{"invalid prefix length", PlanInput{VpcCIDR: netip.PrefixFrom(netip.MustParseAddr("10.0.0.0"), 33), AZs: ok},
			`vpcCidr: invalid prefix (address 10.0.0.0 with an out-of-range length; want an IPv4 network such as "10.0.0.0/16")`},
		{"negative prefix length", PlanInput{VpcCIDR: netip.PrefixFrom(netip.MustParseAddr("10.0.0.0"), -1), AZs: ok},
			`vpcCidr: invalid prefix (address 10.0.0.0 with an out-of-range length; want an IPv4 network such as "10.0.0.0/16")`},
		{"/12 too large", PlanInput{VpcCIDR: planPfx("10.0.0.0/12"), AZs: ok},
			`vpcCidr: "10.0.0.0/12" prefix /12 is outside the allowed range /16 to /22`},
		{"/15 just too large", PlanInput{VpcCIDR: planPfx("10.0.0.0/15"), AZs: ok},
			`vpcCidr: "10.0.0.0/15" prefix /15 is outside the allowed range /16 to /22`},
		{"/0", PlanInput{VpcCIDR: planPfx("0.0.0.0/0"), AZs: ok},
			`vpcCidr: "0.0.0.0/0" prefix /0 is outside the allowed range /16 to /22`},
		{"/23 just too small", PlanInput{VpcCIDR: planPfx("10.0.0.0/23"), AZs: ok},
			`vpcCidr: "10.0.0.0/23" prefix /23 is outside the allowed range /16 to /22 (its public subnets would be /29, smaller than the AWS minimum subnet size /28)`},
		{"/25", PlanInput{VpcCIDR: planPfx("10.0.0.0/25"), AZs: ok},
			`vpcCidr: "10.0.0.0/25" prefix /25 is outside the allowed range /16 to /22 (its public subnets would be /31, smaller than the AWS minimum subnet size /28)`},
		{"/32", PlanInput{VpcCIDR: planPfx("10.0.0.0/32"), AZs: ok},
			`vpcCidr: "10.0.0.0/32" prefix /32 is outside the allowed range /16 to /22`},
		{"host bits set", PlanInput{VpcCIDR: planPfx("10.0.0.1/16"), AZs: ok},
			`vpcCidr: "10.0.0.1/16" is not a network address (host bits are set); did you mean 10.0.0.0/16?`},
		{"host bits set in a /22", PlanInput{VpcCIDR: planPfx("10.0.6.0/22"), AZs: ok},
			`vpcCidr: "10.0.6.0/22" is not a network address (host bits are set); did you mean 10.0.4.0/22?`},
		{"IPv6", PlanInput{VpcCIDR: planPfx("fd00::/56"), AZs: ok},
			`vpcCidr: "fd00::/56" is IPv6; only IPv4 is supported`},
		{"IPv4-mapped IPv6", PlanInput{VpcCIDR: planPfx("::ffff:10.0.0.0/112"), AZs: ok},
			`vpcCidr: "::ffff:10.0.0.0/112" is IPv6; only IPv4 is supported`},
		{"no AZs", PlanInput{VpcCIDR: okVpc},
			`azs: 0 zones are below the minimum of 2 (multi-AZ is required)`},
		{"1 AZ", PlanInput{VpcCIDR: okVpc, AZs: planAZs(1)},
			`azs: 1 zone is below the minimum of 2 (multi-AZ is required)`},
		{"MaxAZs+1 AZs", PlanInput{VpcCIDR: okVpc, AZs: planAZs(MaxAZs + 1)},
			`azs: 7 zones are above the maximum of 6`},
		{"empty zone name", PlanInput{VpcCIDR: okVpc, AZs: []string{"eu-west-1a", ""}},
			`azs[1]: empty zone name`},
		{"duplicate zone", PlanInput{VpcCIDR: okVpc, AZs: []string{"eu-west-1a", "eu-west-1b", "eu-west-1a"}},
			`azs[2]: "eu-west-1a" is a duplicate of azs[0]`},
		{"zone name with invalid characters", PlanInput{VpcCIDR: okVpc, AZs: []string{"EU-west-1a", "eu-west-1b"}},
			`azs[0]: "EU-west-1a" is not a valid zone name (allowed: lowercase letters, digits and '-', e.g. "eu-west-1a")`},
		{"zone name with whitespace", PlanInput{VpcCIDR: okVpc, AZs: []string{"eu-west-1a", " "}},
			`azs[1]: " " is not a valid zone name (allowed: lowercase letters, digits and '-', e.g. "eu-west-1a")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Plan(tc.in)
			if err == nil {
				t.Fatalf("Plan: no error, want %q", tc.msg)
			}
			if err.Error() != tc.msg {
				t.Errorf("error:\n got %q\nwant %q", err.Error(), tc.msg)
			}
			if n := len(planProblems(err)); n != 1 {
				t.Errorf("got %d problems, want 1", n)
			}
			if !reflect.DeepEqual(got, SubnetPlan{}) {
				t.Errorf("non-zero plan with an error: %+v", got)
			}
		})
	}
}

func TestPlan_ReportsAllProblemsAtOnceInOneError(t *testing.T) {
	_, err := Plan(PlanInput{
		VpcCIDR: planPfx("10.0.0.1/12"),
		AZs:     []string{"eu-west-1a", "", "eu-west-1a", "Eu-West-1b", "eu-west-1c", "eu-west-1d", "eu-west-1a"},
	})
	wantProblems := []string{
		`vpcCidr: "10.0.0.1/12" is not a network address (host bits are set); did you mean 10.0.0.0/12?`,
		`vpcCidr: "10.0.0.1/12" prefix /12 is outside the allowed range /16 to /22`,
		`azs: 7 zones are above the maximum of 6`,
		`azs[1]: empty zone name`,
		`azs[2]: "eu-west-1a" is a duplicate of azs[0]`,
		`azs[3]: "Eu-West-1b" is not a valid zone name (allowed: lowercase letters, digits and '-', e.g. "eu-west-1a")`,
		`azs[6]: "eu-west-1a" is a duplicate of azs[0]`,
	}
	if err == nil {
		t.Fatal("Plan: no error")
	}
	if got, want := err.Error(), strings.Join(wantProblems, "\n"); got != want {
		t.Errorf("error:\n got:\n%s\nwant:\n%s", got, want)
	}
	var got []string
	for _, e := range planProblems(err) {
		got = append(got, e.Error())
	}
	if !reflect.DeepEqual(got, wantProblems) {
		t.Errorf("unwrapped problems = %q, want %q", got, wantProblems)
	}

	// Problems with both fields together, too few AZs this time.
	_, err = Plan(PlanInput{VpcCIDR: planPfx("2001:db8::/48"), AZs: []string{""}})
	wantMsg := `vpcCidr: "2001:db8::/48" is IPv6; only IPv4 is supported` + "\n" +
		`azs: 1 zone is below the minimum of 2 (multi-AZ is required)` + "\n" +
		`azs[0]: empty zone name`
	if err == nil || err.Error() != wantMsg {
		t.Errorf("error = %v, want:\n%s", err, wantMsg)
	}
}

// planProblems returns the individual problems of a Plan error.
func planProblems(err error) []error {
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		return j.Unwrap()
	}
	return []error{err}
}

func TestSubnetPlan_KeysAreTierDashAZAndByTierAndGetFindThem(t *testing.T) {
	p, err := Plan(PlanInput{VpcCIDR: planPfx("10.0.0.0/16"), AZs: planAZs(3)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range p.Subnets {
		keys = append(keys, s.Key)
	}
	wantKeys := []string{
		"public-eu-west-1a", "private-eu-west-1a",
		"public-eu-west-1b", "private-eu-west-1b",
		"public-eu-west-1c", "private-eu-west-1c",
	}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("keys = %q, want %q", keys, wantKeys)
	}

	cidrs := func(ss []SubnetSpec) (out []string) {
		for _, s := range ss {
			out = append(out, s.Key+"="+s.CIDR.String())
		}
		return out
	}
	if got, want := cidrs(p.ByTier(TierPrivate)), []string{
		"private-eu-west-1a=10.0.0.0/19", "private-eu-west-1b=10.0.32.0/19", "private-eu-west-1c=10.0.64.0/19",
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("ByTier(private) = %q, want %q", got, want)
	}
	if got, want := cidrs(p.ByTier(TierPublic)), []string{
		"public-eu-west-1a=10.0.224.0/22", "public-eu-west-1b=10.0.228.0/22", "public-eu-west-1c=10.0.232.0/22",
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("ByTier(public) = %q, want %q", got, want)
	}
	if got := p.ByTier(Tier("intra")); got != nil {
		t.Errorf("ByTier(unknown) = %v, want nil", got)
	}

	s, ok := p.Get("eu-west-1b", TierPrivate)
	want := SubnetSpec{AZ: "eu-west-1b", AZIndex: 1, Tier: TierPrivate, CIDR: planPfx("10.0.32.0/19"), Key: "private-eu-west-1b"}
	if !ok || s != want {
		t.Errorf("Get(eu-west-1b, private) = %+v, %v; want %+v, true", s, ok, want)
	}
	s, ok = p.Get("eu-west-1c", TierPublic)
	want = SubnetSpec{AZ: "eu-west-1c", AZIndex: 2, Tier: TierPublic, CIDR: planPfx("10.0.232.0/22"), Key: "public-eu-west-1c"}
	if !ok || s != want {
		t.Errorf("Get(eu-west-1c, public) = %+v, %v; want %+v, true", s, ok, want)
	}
	for _, q := range []struct {
		az string
		t  Tier
	}{{"eu-west-1d", TierPrivate}, {"eu-west-1a", Tier("intra")}, {"", TierPublic}} {
		if s, ok := p.Get(q.az, q.t); ok || s != (SubnetSpec{}) {
			t.Errorf("Get(%q, %q) = %+v, %v; want zero, false", q.az, q.t, s, ok)
		}
	}

	var zero SubnetPlan
	if zero.ByTier(TierPublic) != nil {
		t.Error("zero plan ByTier is not nil")
	}
	if _, ok := zero.Get("eu-west-1a", TierPublic); ok {
		t.Error("zero plan Get found something")
	}
}

// planInputValid is the validation rule restated independently of Plan.
func planInputValid(in PlanInput) bool {
	v := in.VpcCIDR
	if !v.IsValid() || !v.Addr().Is4() || v.Masked() != v || v.Bits() < 16 || v.Bits() > 22 {
		return false
	}
	if len(in.AZs) < 2 || len(in.AZs) > 6 {
		return false
	}
	seen := map[string]bool{}
	for _, az := range in.AZs {
		if az == "" || seen[az] || strings.Trim(az, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return false
		}
		seen[az] = true
	}
	return true
}

func FuzzPlan(f *testing.F) {
	for _, s := range []struct {
		cidr  string
		n     uint8
		first string
	}{
		{"10.0.0.0/16", 2, ""},
		{"10.0.0.0/16", 6, "eu-west-1a"},
		{"10.1.16.0/20", 3, ""},
		{"192.168.4.0/22", 6, ""},
		{"255.255.252.0/22", 6, ""},
		{"0.0.0.0/16", 5, "use1-az1"},
		{"10.0.0.0/23", 2, ""},
		{"10.0.0.0/24", 2, ""},
		{"10.0.0.1/16", 3, ""},
		{"10.0.0.0/15", 7, ""},
		{"0.0.0.0/0", 1, ""},
		{"10.0.0.0/32", 0, ""},
		{"fd00::/56", 2, ""},
		{"::ffff:10.0.0.0/112", 2, ""},
		{"", 2, "zone-1"},
		{"not a cidr", 9, "\n"},
	} {
		f.Add(s.cidr, s.n, s.first)
	}
	f.Fuzz(func(t *testing.T, cidr string, n uint8, first string) {
		vpc, _ := netip.ParsePrefix(cidr) // on a parse error, the zero prefix must be rejected
		zones := make([]string, int(n)%10)
		for i := range zones {
			zones[i] = fmt.Sprintf("zone-%d", i)
		}
		if len(zones) > 0 && first != "" {
			zones[0] = first
		}
		in := PlanInput{VpcCIDR: vpc, AZs: zones}

		p, err := Plan(in)
		if valid := planInputValid(in); valid != (err == nil) {
			t.Fatalf("Plan(%q, %q): error %v, but the input valid=%v", cidr, zones, err, valid)
		}
		if err != nil {
			if !reflect.DeepEqual(p, SubnetPlan{}) {
				t.Fatalf("non-zero plan with an error: %+v", p)
			}
			for _, e := range planProblems(err) {
				msg := e.Error()
				if !strings.HasPrefix(msg, "vpcCidr: ") && !strings.HasPrefix(msg, "azs: ") && !strings.HasPrefix(msg, "azs[") {
					t.Fatalf("problem %q does not name its field", msg)
				}
				if strings.Contains(msg, "\n") {
					t.Fatalf("problem %q spans several lines", msg)
				}
			}
			return
		}
		checkPlanInvariants(t, in, p)
		// Every shorter (still valid) list of AZs gives a prefix of this plan.
		for k := MinAZs; k < len(zones); k++ {
			q, err := Plan(PlanInput{VpcCIDR: vpc, AZs: zones[:k]})
			if err != nil {
				t.Fatalf("Plan with the first %d AZs: %v", k, err)
			}
			if !reflect.DeepEqual(q.Subnets, p.Subnets[:2*k]) {
				t.Fatalf("the first %d AZs differ:\n %s\n %s", k, planFmt(q.Subnets), planFmt(p.Subnets[:2*k]))
			}
		}
	})
}

func TestIPNetConversion_RoundTripsIPv4AndRejectsAnythingElse(t *testing.T) {
	for _, s := range []string{"0.0.0.0/16", "10.0.0.0/16", "10.1.30.64/26", "255.255.255.240/28"} {
		p := planPfx(s)
		n := toIPNet(p)
		if len(n.IP) != 4 {
			t.Errorf("toIPNet(%s).IP has %d bytes, want 4 (go-cidr panics otherwise)", s, len(n.IP))
		}
		if got, ok := fromIPNet(n); !ok || got != p {
			t.Errorf("fromIPNet(toIPNet(%s)) = %s, %v", s, got, ok)
		}
	}
	// A 16-byte IPv4-in-IPv6 form of an IPv4 network, as net.ParseCIDR can produce.
	if got, ok := fromIPNet(&net.IPNet{IP: net.ParseIP("10.0.32.0"), Mask: net.CIDRMask(115, 128)}); !ok || got != planPfx("10.0.32.0/19") {
		t.Errorf("fromIPNet(16-byte 10.0.32.0/19) = %s, %v", got, ok)
	}
	_, v6, _ := net.ParseCIDR("fd00::/56")
	for _, n := range []*net.IPNet{
		nil,
		{IP: net.IP{1, 2, 3}, Mask: net.CIDRMask(16, 32)},
		{IP: net.IP{10, 0, 0, 0}, Mask: net.IPMask{255, 0, 255, 0}},
		{IP: net.IP{10, 0, 0, 1}, Mask: net.CIDRMask(16, 32)},
		v6,
	} {
		if got, ok := fromIPNet(n); ok || got != (netip.Prefix{}) {
			t.Errorf("fromIPNet(%v) = %s, %v; want zero, false", n, got, ok)
		}
	}
}
