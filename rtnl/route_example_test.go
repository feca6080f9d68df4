package rtnl_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net/netip"
	"slices"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// The examples change the current network namespace (rtnl.Dial(nil);
// netlink.Config.NetNS picks another) and need CAP_NET_ADMIN, so go test
// compiles them without running them; those that print their output run on
// an rtnltest.Fake instead, which starts as an empty namespace.

func ExampleConn_Routes() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// The IPv4 routes of the main table. Without Table, every table is
	// listed (local included), unlike `ip route show`.
	for r, err := range c.Routes(context.Background(), rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Dst, r.Gateway, r.OutIndex, r.Protocol, r.Priority)
	}
}

func ExampleConn_RouteList() {
	// On a fake, which starts as an empty namespace; rtnl.Dial(nil) in real code.
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	// Every static route, as a slice. A table changed during the dump
	// gives netlink.ErrDumpInterrupted; RetryInterrupted dumps again.
	var routes []rtnl.Route
	err = netlink.RetryInterrupted(context.Background(), 3, func() (err error) {
		routes, err = c.RouteList(context.Background(), rtnl.RouteFilter{Protocol: rtnl.ProtoStatic})
		return err
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(routes), "static routes")
	// Output: 0 static routes
}

func ExampleConn_LookupRoute() {
	// On a fake, which starts as an empty namespace; rtnl.Dial(nil) in real code.
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	// Like `ip route get 198.18.7.1 mark 7`.
	r, err := c.LookupRoute(context.Background(), rtnl.RouteQuery{Dst: netip.MustParseAddr("198.18.7.1"), Mark: 7})
	if err != nil {
		// In an empty namespace: ENETUNREACH.
		fmt.Println(err)
		return
	}
	fmt.Println("via", r.Gateway, "dev", r.OutIndex, "src", r.PrefSrc, "table", r.Table)
	// Output: rtnl: get route 198.18.7.1: network is unreachable
}

func ExampleConn_AddRoute() {
	// On a fake, which starts as an empty namespace; rtnl.Dial(nil) in real code.
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	ctx := context.Background()
	// A blackhole route needs no link: `ip route add blackhole 198.18.0.0/24 table 1000 metric 10`.
	err = c.AddRoute(ctx, rtnl.Route{
		Dst:      netip.MustParsePrefix("198.18.0.0/24"),
		Type:     rtnl.RouteBlackhole,
		Table:    1000,
		Priority: 10,
		Protocol: rtnl.ProtoStatic,
	})
	if err != nil {
		log.Fatal(err)
	}
	// The same again: EEXIST.
	err = c.AddRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("198.18.0.0/24"), Type: rtnl.RouteBlackhole, Table: 1000, Priority: 10})
	fmt.Println(errors.Is(err, fs.ErrExist))

	// A default route through a gateway (its link must be up, the
	// gateway reachable): `ip route add default via 198.18.1.1 metric 100`.
	err = c.AddRoute(ctx, rtnl.Route{
		Dst:      netip.MustParsePrefix("0.0.0.0/0"),
		Gateway:  netip.MustParseAddr("198.18.1.1"),
		Priority: 100,
	})
	fmt.Println(err) // ENETUNREACH in an empty namespace

	// Multipath with weights, and metrics:
	// `ip route add 2001:db8:5::/64 mtu 1400 nexthop via 2001:db8:1::2 dev #2 weight 3 nexthop via 2001:db8:2::2 dev #3`.
	_ = rtnl.Route{
		Dst:     netip.MustParsePrefix("2001:db8:5::/64"),
		Metrics: &rtnl.Metrics{MTU: 1400},
		NextHops: []rtnl.NextHop{
			{Gateway: netip.MustParseAddr("2001:db8:1::2"), OutIndex: 2, Weight: 3},
			{Gateway: netip.MustParseAddr("2001:db8:2::2"), OutIndex: 3},
		},
	}
	// Output:
	// true
	// rtnl: add route 0.0.0.0/0 metric 100: network is unreachable: Nexthop has invalid gateway
}

func ExampleConn_ReplaceRoute() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// Creates the route or replaces the one with the same destination,
	// tos and metric: `ip route replace unreachable 2001:db8:9::/48`.
	err = c.ReplaceRoute(context.Background(), rtnl.Route{Dst: netip.MustParsePrefix("2001:db8:9::/48"), Type: rtnl.RouteUnreachable})
	if err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_AppendRoute() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	// `ip route append`: a second route to the same destination (IPv4),
	// or one more path of a multipath route (IPv6).
	for _, table := range []rtnl.Table{1000, 1000} {
		err := c.AppendRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("198.18.3.0/24"), Type: rtnl.RouteProhibit, Table: table})
		fmt.Println(err)
	}
}

func ExampleConn_ChangeRoute() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// `ip route change` fails with ENOENT when there is nothing to change.
	err = c.ChangeRoute(context.Background(), rtnl.Route{Dst: netip.MustParsePrefix("198.18.4.0/24"), Type: rtnl.RouteBlackhole})
	fmt.Println(errors.Is(err, fs.ErrNotExist))
}

func ExampleConn_DeleteRoute() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	dst := netip.MustParsePrefix("198.18.5.0/24")
	if err := c.AddRoute(ctx, rtnl.Route{Dst: dst, Type: rtnl.RouteBlackhole}); err != nil {
		log.Fatal(err)
	}
	// Dst (and table) identify the route; other fields that are set
	// must match too.
	if err := c.DeleteRoute(ctx, rtnl.Route{Dst: dst}); err != nil {
		log.Fatal(err)
	}
	// A missing route: ESRCH.
	fmt.Println(c.DeleteRoute(ctx, rtnl.Route{Dst: dst}))
}

func ExampleConn_AddRoutes() {
	// On a fake, which starts as an empty namespace; rtnl.Dial(nil) in real code.
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	var routes []rtnl.Route
	for i := range 1000 {
		routes = append(routes, rtnl.Route{
			Dst:   netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 19, byte(i >> 8), byte(i)}), 32),
			Type:  rtnl.RouteBlackhole,
			Table: 2000,
		})
	}
	routes[7] = routes[6] // a duplicate: EEXIST
	err = c.AddRoutes(context.Background(), routes)
	if be, ok := errors.AsType[*netlink.BatchError](err); ok {
		for _, f := range be.Failures {
			fmt.Println("route", f.Index, "failed:", f.Err)
		}
	} else if err != nil {
		log.Fatal(err)
	}
	// Output: route 7 failed: rtnl: add route 198.19.0.6/32 table 2000: file exists
}

func ExampleConn_DeleteRoutes() {
	// On a fake, which starts as an empty namespace; rtnl.Dial(nil) in real code.
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	ctx := context.Background()
	// Delete every route of table 2000.
	routes, err := c.RouteList(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: 2000})
	if err != nil {
		fmt.Println(err) // ENOENT: the table does not exist in an empty namespace
		return
	}
	if err := c.DeleteRoutes(ctx, routes); err != nil {
		log.Fatal(err)
	}
	// Output: rtnl: list routes: no such file or directory: ipv4: FIB table does not exist
}

func ExampleConn_AddRoutesSeq() {
	c, err := rtnl.Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	// A million routes, generated as they are sent: memory stays flat.
	seq := func(yield func(rtnl.Route) bool) {
		for i := range 1 << 20 {
			r := rtnl.Route{
				Dst:   netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32),
				Type:  rtnl.RouteBlackhole,
				Table: 3000,
			}
			if !yield(r) {
				return
			}
		}
	}
	if err := c.AddRoutesSeq(context.Background(), seq); err != nil {
		log.Fatal(err)
	}
}

func ExampleConn_DeleteRoutesSeq() {
	// On a fake, which starts as an empty namespace; rtnl.Dial(nil) in real code.
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	routes := []rtnl.Route{
		{Dst: netip.MustParsePrefix("198.18.0.0/24"), Table: 1000},
		{Dst: netip.MustParsePrefix("2001:db8::/48"), Table: 1000},
	}
	// Any iterator will do, slices.Values for one.
	err = c.DeleteRoutesSeq(context.Background(), slices.Values(routes))
	fmt.Println(err) // both fail in an empty namespace: a *netlink.BatchError
	// Output: netlink: batch: 2 of 2 requests failed; #0: rtnl: delete route: no such process: FIB table does not exist; #1: rtnl: delete route: no such process: FIB table does not exist
}

func ExampleRoute_MarshalBinary() {
	r := rtnl.Route{
		Family:   rtnl.FamilyIPv4,
		Dst:      netip.MustParsePrefix("198.18.0.0/24"),
		Gateway:  netip.MustParseAddr("198.18.1.1"),
		Table:    rtnl.TableMain,
		Type:     rtnl.RouteUnicast,
		Protocol: rtnl.ProtoStatic,
	}
	b, err := r.MarshalBinary() // struct rtmsg and attributes: the body of RTM_NEWROUTE
	if err != nil {
		log.Fatal(err)
	}
	var back rtnl.Route
	if err := back.UnmarshalBinary(b); err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(b), back)
	// Output:
	// 36 198.18.0.0/24 via 198.18.1.1 table main proto static
}

func ExampleRouteFlags_String() {
	fmt.Println(rtnl.RouteFlagOnLink | rtnl.RouteFlagLinkDown)
	// Output: onlink linkdown
}

func ExampleConn_ApplyRoutes() {
	// On a fake, which starts as an empty namespace; rtnl.Dial(nil) in real code.
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		log.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	// A mixed, ordered batch, like lines of `ip -batch`: the delete sees
	// the add before it. Failures come back by index.
	dst := netip.MustParsePrefix("198.18.4.0/24")
	ops := []rtnl.RouteOp{
		{Op: rtnl.RouteOpAdd, Route: rtnl.Route{Dst: dst, Type: rtnl.RouteBlackhole}},
		{Op: rtnl.RouteOpDelete, Route: rtnl.Route{Dst: dst}},
		{Op: rtnl.RouteOpReplace, Route: rtnl.Route{Dst: dst, Type: rtnl.RouteUnreachable}},
	}
	err = c.ApplyRoutes(context.Background(), func(yield func(rtnl.RouteOp) bool) {
		for _, op := range ops {
			if !yield(op) {
				return
			}
		}
	})
	if be, ok := errors.AsType[*netlink.BatchError](err); ok {
		for _, f := range be.Failures {
			fmt.Printf("op #%d (%v): %v\n", f.Index, ops[f.Index].Op, f.Err)
		}
	} else if err != nil {
		log.Fatal(err)
	}
	// What is left: the replace, after the add and the delete.
	routes, err := c.RouteList(context.Background(), rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range routes {
		fmt.Println(r)
	}
	// Output: unreachable 198.18.4.0/24 table main
}
