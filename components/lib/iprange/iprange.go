package iprange

import (
	"math"
	"net/netip"

	"go4.org/netipx"
)

// InternetShare is the share of the IPv4 address space that a list of CIDR blocks covers
// together, from 0 to 1: [0.0.0.0/1, 128.0.0.0/1] covers all of it as surely as 0.0.0.0/0 does,
// so an allow-list is judged by the union of its ranges, never range by range. Entries that are not
// IPv4 CIDR blocks are skipped (validation reports them).
func InternetShare(cidrs []string) float64 {
	var b netipx.IPSetBuilder
	for _, c := range cidrs {
		if p, err := netip.ParsePrefix(c); err == nil && p.Addr().Is4() {
			b.AddPrefix(p.Masked())
		}
	}
	set, err := b.IPSet()
	if err != nil {
		return 0
	}
	total := 0.0
	for _, p := range set.Prefixes() {
		total += math.Ldexp(1, 32-p.Bits())
	}
	return total / math.Ldexp(1, 32)
}

// privateRanges are the RFC 1918 ranges: the only sources the private API endpoint admits besides
// security groups.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
}

// IsPrivate reports whether the whole of an IPv4 prefix lies inside one RFC 1918 range.
func IsPrivate(p netip.Prefix) bool {
	for _, r := range privateRanges {
		if r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return true
		}
	}
	return false
}
