package rtnl_test

import (
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/rtnl"
)

// A route with realms, as `ip route add 198.18.9.0/24 via 198.18.0.2
// realms 3/5` makes it: the source realm in the high 16 bits of RTA_FLOW.
func ExampleRealmsOf() {
	r := rtnl.Route{Dst: netip.MustParsePrefix("198.18.9.0/24"), Gateway: netip.MustParseAddr("198.18.0.2"),
		Realms: rtnl.RealmsOf(3, 5)}
	from, to := rtnl.RealmsSplit(r.Realms)
	fmt.Printf("%#x %d/%d\n%v\n", r.Realms, from, to, r)
	// Output:
	// 0x30005 3/5
	// 198.18.9.0/24 via 198.18.0.2 realms 3/5
}
