package iprange_test

import (
	"fmt"
	"net/netip"

	"github.com/securestack/platform/components/lib/iprange"
)

// An allow-list is judged by the union of its ranges: two halves cover the internet as surely as
// 0.0.0.0/0 does, and one /24 is 256 of its 2^32 addresses.
func ExampleInternetShare() {
	fmt.Println(iprange.InternetShare([]string{"0.0.0.0/1", "128.0.0.0/1"}))
	fmt.Printf("%.3g\n", iprange.InternetShare([]string{"203.0.113.0/24"}))
	// Output:
	// 1
	// 5.96e-08
}

// A prefix is private only if all of it lies inside one RFC 1918 range.
func ExampleIsPrivate() {
	for _, p := range []string{"10.10.0.0/19", "172.16.0.0/11", "192.168.1.0/24", "100.64.0.0/10"} {
		fmt.Println(p, iprange.IsPrivate(netip.MustParsePrefix(p)))
	}
	// Output:
	// 10.10.0.0/19 true
	// 172.16.0.0/11 false
	// 192.168.1.0/24 true
	// 100.64.0.0/10 false
}
