package rtnltest_test

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// ensureDefaultRoute is the code under test: it makes sure the main table
// has a default route via gw, adding it or replacing another one, and says
// what it did.
func ensureDefaultRoute(ctx context.Context, c *rtnl.Conn, gw netip.Addr) (string, error) {
	def := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
	routes, err := netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain}))
	if err != nil {
		return "", err
	}
	for _, r := range routes {
		if r.Dst == def {
			if r.Gateway == gw {
				return "unchanged", nil
			}
			return "replaced", c.ReplaceRoute(ctx, rtnl.Route{Dst: def, Gateway: gw})
		}
	}
	return "added", c.AddRoute(ctx, rtnl.Route{Dst: def, Gateway: gw})
}

// A user's function tested against the route-netlink fake: no root, no
// namespace, and the kernel's answers (here ENETUNREACH for a gateway no
// link can reach).
func ExampleFake() {
	ctx := context.Background()
	fake := rtnltest.NewFake()
	nl, err := fake.Dial(nil)
	if err != nil {
		panic(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()

	// The machine: one Ethernet-like link with an address.
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(c.AddLink(ctx, rtnl.Link{Name: "eth0", Kind: "ifb", Flags: rtnl.LinkUp}))
	eth0, err := c.LinkByName(ctx, "eth0")
	must(err)
	must(c.AddAddress(ctx, rtnl.Address{Index: eth0.Index, Prefix: netip.MustParsePrefix("192.0.2.10/24")}))

	for _, gw := range []string{"192.0.2.1", "192.0.2.1", "192.0.2.254", "198.51.100.1"} {
		did, err := ensureDefaultRoute(ctx, c, netip.MustParseAddr(gw))
		var ne *netlink.Error
		if errors.As(err, &ne) {
			fmt.Println(gw, did, "failed:", ne.Errno == syscall.ENETUNREACH, ne.Message)
			continue
		}
		fmt.Println(gw, did, err)
	}
	r, err := c.LookupRoute(ctx, rtnl.RouteQuery{Dst: netip.MustParseAddr("203.0.113.7")})
	fmt.Println(r.Gateway, r.OutIndex == eth0.Index, r.PrefSrc, err)
	// Output:
	// 192.0.2.1 added <nil>
	// 192.0.2.1 unchanged <nil>
	// 192.0.2.254 replaced <nil>
	// 198.51.100.1 replaced failed: true Nexthop has invalid gateway
	// 192.0.2.254 true 192.0.2.10 <nil>
}
