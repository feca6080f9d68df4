//go:build linux

package rtnl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// startMirror runs a Mirror with cfg until the end of the test and waits
// until it is ready.
func startMirror(t testing.TB, cfg MirrorConfig) *Mirror {
	t.Helper()
	m := NewMirror(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	runErr := make(chan error, 1)
	go func() { runErr <- m.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-runErr; !errors.Is(err, context.Canceled) {
			t.Errorf("Mirror.Run returned %v", err)
		}
	})
	select {
	case <-m.Ready():
	case err := <-runErr:
		t.Fatalf("Mirror.Run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("mirror not ready after 10s")
	}
	return m
}

// mirrorNoDAD turns IPv6 duplicate address detection off in ns, for links
// made afterwards, so that addresses settle at once.
func mirrorNoDAD(t testing.TB, ns *netns.NS) {
	t.Helper()
	kerneltest.Run(t, ns, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0")
}

// addVethPair adds the veth pair a-b and brings both ends up.
func addVethPair(t testing.TB, c *Conn, a, b string) {
	t.Helper()
	ctx := evCtx(t, 10*time.Second)
	if err := c.AddLink(ctx, Link{Name: a, Info: &Veth{PeerName: b}}); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{a, b} {
		l, err := c.LinkByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SetLinkUp(ctx, l.Index); err != nil {
			t.Fatal(err)
		}
	}
}

// linkScopeRoutes6 counts the IPv6 routes every link gets when it comes
// up: fe80::/64 in table main and ff00::/8 in table local.
func linkScopeRoutes6(rs []Route) int {
	ll, mc := netip.MustParsePrefix("fe80::/64"), netip.MustParsePrefix("ff00::/8")
	n := 0
	for _, r := range rs {
		if r.Family == FamilyIPv6 && (r.Dst == ll || r.Dst == mc) {
			n++
		}
	}
	return n
}

// TestMirrorLinkRoutes6 is the scenario of the report that showed the
// Mirror keying IPv6 routes by table, destination and metric only: every
// link has its own fe80::/64 and ff00::/8, told apart by the output link.
// With one veth pair up the kernel has 4 such routes, with two 8, and 4
// again once the second pair is deleted; the mirror must say the same
// (it said 2, 2 and 0), and equal a fresh dump object for object.
func TestMirrorLinkRoutes6(t *testing.T) {
	ns := kerneltest.NetNS(t)
	mirrorNoDAD(t, ns)
	c := testDial(t, ns)
	m := startMirror(t, MirrorConfig{Netlink: &netlink.Config{NetNS: ns}})
	ctx := evCtx(t, 30*time.Second)
	step := func(what string, want int) {
		t.Helper()
		// The kernel adds the routes as the links come up; wait for them.
		var got int
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			rs, err := c.RouteList(ctx, RouteFilter{Family: FamilyIPv6})
			if err != nil {
				t.Fatal(err)
			}
			if got = linkScopeRoutes6(rs); got == want || time.Now().After(deadline) {
				break
			}
		}
		if got != want {
			t.Fatalf("%s: the kernel has %d fe80::/64 and ff00::/8 routes, want %d", what, got, want)
		}
		diff, report := mirrorSettle(t, m, c, 200*time.Millisecond, 5*time.Second)
		mine := linkScopeRoutes6(m.RouteList())
		t.Logf("%s: kernel %d fe80::/64 and ff00::/8 routes, mirror %d; %d objects differ from a fresh dump", what, got, mine, diff)
		if mine != want || diff != 0 {
			t.Fatalf("%s: mirror has %d such routes, want %d; %d objects differ from a fresh dump:\n%s", what, mine, want, diff, report)
		}
	}
	addVethPair(t, c, "ml0a", "ml0b")
	step("one veth pair up", 4)
	addVethPair(t, c, "ml1a", "ml1b")
	step("two veth pairs up", 8)
	l, err := c.LinkByName(ctx, "ml1a")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteLink(ctx, l.Index); err != nil {
		t.Fatal(err)
	}
	step("second pair deleted", 4)
}

// TestKeyKernelRules repeats, against the kernel, the experiments the key
// rules come from (see RouteKey, AddressKey, NeighborKey), with a Mirror
// following: each change is accepted or refused (EEXIST) as the keys say,
// the kernel's tables never hold two objects with one key (but for the
// IPv6 replace quirk), and the Mirror equals a fresh dump after each
// change, through the notifications that do not say which route changed
// (paths joining and leaving IPv6 groups, replaces among several routes
// of a slot).
func TestKeyKernelRules(t *testing.T) {
	ns := kerneltest.NetNS(t)
	mirrorNoDAD(t, ns)
	c := testDial(t, ns)
	addVethPair(t, c, "kr0a", "kr0b")
	addVethPair(t, c, "kr1a", "kr1b")
	ctx := evCtx(t, 60*time.Second)
	idx := func(name string) int32 {
		l, err := c.LinkByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return l.Index
	}
	a0, a1, lo := idx("kr0a"), idx("kr1a"), idx("lo")
	for _, a := range []Address{{Index: a0, Prefix: netip.MustParsePrefix("198.18.70.1/24")}, {Index: a1, Prefix: netip.MustParsePrefix("198.18.71.1/24")}} {
		if err := c.AddAddress(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	m := startMirror(t, MirrorConfig{Netlink: &netlink.Config{NetNS: ns}})
	quirk := false

	d6, d4 := netip.MustParsePrefix("2001:db8:300::/64"), netip.MustParsePrefix("198.19.50.0/24")
	d6b := netip.MustParsePrefix("2001:db8:301::/64")
	ll := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	r6 := func(f func(r *Route)) Route {
		r := Route{Dst: d6}
		f(&r)
		return r
	}
	r4 := func(f func(r *Route)) Route {
		r := Route{Dst: d4, Protocol: ProtoBoot}
		f(&r)
		return r
	}
	type step struct {
		name string
		do   func() error
		want syscall.Errno // 0: accepted
	}
	// slotHolds checks the number of routes of the IPv6 slot of d6 at
	// metric 1024 in table main, and of unreachable ones among them.
	slotHolds := func(n, unreachable int) func() error {
		return func() error {
			rs, err := c.RouteList(ctx, RouteFilter{Family: FamilyIPv6, Table: TableMain})
			if err != nil {
				return err
			}
			gotN, gotU := 0, 0
			for _, r := range rs {
				if r.Dst == d6 && r.Priority == 1024 && !r.Src.IsValid() {
					gotN++
					if r.Type == RouteUnreachable {
						gotU++
					}
				}
			}
			if gotN != n || gotU != unreachable {
				return fmt.Errorf("slot holds %d routes, %d unreachable; want %d, %d: %v", gotN, gotU, n, unreachable, rs)
			}
			return nil
		}
	}
	steps := []step{
		// IPv6: entries of a slot told apart by link and gateway only.
		{"v6 append dev a0", func() error { return c.AppendRoute(ctx, r6(func(r *Route) { r.OutIndex = a0 })) }, 0},
		{"v6 append dev a1", func() error { return c.AppendRoute(ctx, r6(func(r *Route) { r.OutIndex = a1 })) }, 0},
		{"v6 append dev a0 proto static: same entry", func() error {
			return c.AppendRoute(ctx, r6(func(r *Route) { r.OutIndex, r.Protocol = a0, ProtoStatic }))
		}, syscall.EEXIST},
		{"v6 append unreachable (through lo)", func() error { return c.AppendRoute(ctx, r6(func(r *Route) { r.Type = RouteUnreachable })) }, 0},
		{"v6 append blackhole: the same entry", func() error { return c.AppendRoute(ctx, r6(func(r *Route) { r.Type = RouteBlackhole })) }, syscall.EEXIST},
		{"v6 append local dev a0: the same entry", func() error {
			return c.AppendRoute(ctx, r6(func(r *Route) { r.Type, r.OutIndex = RouteLocal, a0 }))
		}, syscall.EEXIST},
		{"v6 replace dev a1 (the quirk: replaces dev a0, keeps dev a1)", func() error {
			return c.ReplaceRoute(ctx, r6(func(r *Route) { r.OutIndex = a1 }))
		}, 0},
		{"v6 delete dev a1", func() error { return c.DeleteRoute(ctx, r6(func(r *Route) { r.OutIndex = a1 })) }, 0},
		{"v6 delete dev a1 again", func() error { return c.DeleteRoute(ctx, r6(func(r *Route) { r.OutIndex = a1 })) }, 0},
		{"v6 delete unreachable", func() error {
			return c.DeleteRoute(ctx, r6(func(r *Route) { r.Type, r.OutIndex = RouteUnreachable, lo }))
		}, 0},
		// IPv6 multipath groups.
		{"v6 add via fe80::1 dev a0", func() error { return c.AddRoute(ctx, r6(func(r *Route) { r.Gateway, r.OutIndex = ll("fe80::1"), a0 })) }, 0},
		{"v6 append via fe80::2 dev a1: joins", func() error {
			return c.AppendRoute(ctx, r6(func(r *Route) { r.Gateway, r.OutIndex = ll("fe80::2"), a1 }))
		}, 0},
		{"v6 append via fe80::3 dev a0: joins", func() error {
			return c.AppendRoute(ctx, r6(func(r *Route) { r.Gateway, r.OutIndex = ll("fe80::3"), a0 }))
		}, 0},
		{"v6 append via fe80::2 dev a1 again", func() error {
			return c.AppendRoute(ctx, r6(func(r *Route) { r.Gateway, r.OutIndex = ll("fe80::2"), a1 }))
		}, syscall.EEXIST},
		{"v6 delete path via fe80::2 dev a1", func() error {
			return c.DeleteRoute(ctx, r6(func(r *Route) { r.Gateway, r.OutIndex = ll("fe80::2"), a1 }))
		}, 0},
		{"v6 append a group of two", func() error {
			return c.AppendRoute(ctx, r6(func(r *Route) {
				r.NextHops = []NextHop{{Gateway: ll("fe80::4"), OutIndex: a1}, {Gateway: ll("fe80::5"), OutIndex: a0}}
			}))
		}, 0},
		{"v6 replace the group by one path", func() error {
			return c.ReplaceRoute(ctx, r6(func(r *Route) { r.Gateway, r.OutIndex = ll("fe80::9"), a0 }))
		}, 0},
		{"v6 append unreachable beside it", func() error { return c.AppendRoute(ctx, r6(func(r *Route) { r.Type = RouteUnreachable })) }, 0},
		{"v6 replace by a group of two: the unreachable route goes too", func() error {
			return c.ReplaceRoute(ctx, r6(func(r *Route) {
				r.NextHops = []NextHop{{Gateway: ll("fe80::a"), OutIndex: a1}, {Gateway: ll("fe80::b"), OutIndex: a0}}
			}))
		}, 0},
		{"v6 add via fe80::7 dev a1 proto ra, metric 5", func() error {
			return c.AddRoute(ctx, r6(func(r *Route) { r.Gateway, r.OutIndex, r.Protocol, r.Priority = ll("fe80::7"), a1, ProtoRA, 5 }))
		}, 0},
		{"v6 append via fe80::8 dev a0, metric 5: joins the ra route", func() error {
			return c.AppendRoute(ctx, r6(func(r *Route) { r.Gateway, r.OutIndex, r.Priority = ll("fe80::8"), a0, 5 }))
		}, 0},
		{"v6 delete path via fe80::7, metric 5", func() error {
			return c.DeleteRoute(ctx, r6(func(r *Route) { r.Gateway, r.OutIndex, r.Priority = ll("fe80::7"), a1, 5 }))
		}, 0},
		// A dump skips what sits between a group's paths in the kernel's
		// list.
		{"v6 add 2001:db8:301::/64 via fe80::4 dev a0", func() error {
			return c.AddRoute(ctx, Route{Dst: d6b, Gateway: ll("fe80::4"), OutIndex: a0})
		}, 0},
		{"v6 append blackhole 2001:db8:301::/64", func() error { return c.AppendRoute(ctx, Route{Dst: d6b, Type: RouteBlackhole}) }, 0},
		{"v6 append 2001:db8:301::/64 via fe80::2 dev a1: joins, and hides the blackhole from dumps", func() error {
			return c.AppendRoute(ctx, Route{Dst: d6b, Gateway: ll("fe80::2"), OutIndex: a1})
		}, 0},
		{"v6 delete 2001:db8:301::/64, the first: the whole group, and the blackhole shows again", func() error {
			return c.DeleteRoute(ctx, Route{Dst: d6b})
		}, 0},
		// IPv4 aliases.
		{"v4 append dev a0", func() error { return c.AppendRoute(ctx, r4(func(r *Route) { r.OutIndex = a0 })) }, 0},
		{"v4 append dev a0 proto static", func() error {
			return c.AppendRoute(ctx, r4(func(r *Route) { r.OutIndex, r.Protocol = a0, ProtoStatic }))
		}, 0},
		{"v4 append dev a0 scope global", func() error {
			return c.AppendRoute(ctx, r4(func(r *Route) { r.OutIndex, r.Scope, r.HasScope = a0, ScopeUniverse, true }))
		}, 0},
		{"v4 append dev a0 mtu 1400", func() error {
			return c.AppendRoute(ctx, r4(func(r *Route) { r.OutIndex, r.Metrics = a0, &Metrics{MTU: 1400} }))
		}, 0},
		{"v4 append blackhole", func() error { return c.AppendRoute(ctx, r4(func(r *Route) { r.Type = RouteBlackhole })) }, 0},
		{"v4 append prohibit", func() error { return c.AppendRoute(ctx, r4(func(r *Route) { r.Type = RouteProhibit })) }, 0},
		{"v4 append dev a0 again", func() error { return c.AppendRoute(ctx, r4(func(r *Route) { r.OutIndex = a0 })) }, syscall.EEXIST},
		{"v4 append two paths", func() error {
			return c.AppendRoute(ctx, r4(func(r *Route) {
				r.NextHops = []NextHop{{Gateway: netip.MustParseAddr("198.18.70.2"), OutIndex: a0}, {Gateway: netip.MustParseAddr("198.18.71.2"), OutIndex: a1}}
			}))
		}, 0},
		{"v4 append the two paths the other way round", func() error {
			return c.AppendRoute(ctx, r4(func(r *Route) {
				r.NextHops = []NextHop{{Gateway: netip.MustParseAddr("198.18.71.2"), OutIndex: a1}, {Gateway: netip.MustParseAddr("198.18.70.2"), OutIndex: a0}}
			}))
		}, 0},
		{"v4 replace by dev a1 (the first alias goes)", func() error { return c.ReplaceRoute(ctx, r4(func(r *Route) { r.OutIndex = a1 })) }, 0},
		{"v4 delete the blackhole", func() error { return c.DeleteRoute(ctx, r4(func(r *Route) { r.Type = RouteBlackhole })) }, 0},
		// Addresses.
		{"v4 198.18.70.1/25 beside /24", func() error {
			return c.AddAddress(ctx, Address{Index: a0, Prefix: netip.MustParsePrefix("198.18.70.1/25")})
		}, 0},
		{"v4 198.18.72.1 peer 198.18.9.1/24", func() error {
			return c.AddAddress(ctx, Address{Index: a0, Prefix: netip.MustParsePrefix("198.18.72.1/24"), Peer: netip.MustParsePrefix("198.18.9.1/24")})
		}, 0},
		{"v4 198.18.72.1 peer 198.18.9.2/24: the same", func() error {
			return c.AddAddress(ctx, Address{Index: a0, Prefix: netip.MustParsePrefix("198.18.72.1/24"), Peer: netip.MustParsePrefix("198.18.9.2/24")})
		}, syscall.EEXIST},
		{"v6 2001:db8:60::1/64", func() error {
			return c.AddAddress(ctx, Address{Index: a0, Prefix: netip.MustParsePrefix("2001:db8:60::1/64"), Flags: AddressNoDAD})
		}, 0},
		{"v6 2001:db8:60::1/80: the same", func() error {
			return c.AddAddress(ctx, Address{Index: a0, Prefix: netip.MustParsePrefix("2001:db8:60::1/80"), Flags: AddressNoDAD})
		}, syscall.EEXIST},
		{"v6 2001:db8:61::1 peer ::7, then replaced with peer ::8", func() error {
			a := Address{Index: a0, Prefix: netip.MustParsePrefix("2001:db8:61::1/128"), Peer: netip.MustParsePrefix("2001:db8:61::7/128"), Flags: AddressNoDAD}
			if err := c.AddAddress(ctx, a); err != nil {
				return err
			}
			a.Peer = netip.MustParsePrefix("2001:db8:61::8/128")
			return c.ReplaceAddress(ctx, a)
		}, 0},
		// Neighbours: the proxy table beside the neighbour table.
		{"neighbour and proxy entry for one address", func() error {
			n := Neighbor{Index: a0, Addr: netip.MustParseAddr("198.18.70.9"), LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 9}}
			if err := c.AddNeighbor(ctx, n); err != nil {
				return err
			}
			return c.AddNeighbor(ctx, Neighbor{Index: a0, Addr: n.Addr, Flags: NeighborProxy})
		}, 0},
	}
	// dumpShows checks the number of routes to dst a dump of table main
	// shows.
	dumpShows := func(dst netip.Prefix, n int) func() error {
		return func() error {
			rs, err := c.RouteList(ctx, RouteFilter{Family: FamilyIPv6, Table: TableMain})
			if err != nil {
				return err
			}
			got := 0
			for _, r := range rs {
				if r.Dst == dst {
					got++
				}
			}
			if got != n {
				return fmt.Errorf("a dump shows %d routes to %v, want %d", got, dst, n)
			}
			return nil
		}
	}
	// What the kernel holds after some of the steps.
	checks := map[string]func() error{
		"v6 append blackhole 2001:db8:301::/64":                                                     dumpShows(d6b, 2),
		"v6 append 2001:db8:301::/64 via fe80::2 dev a1: joins, and hides the blackhole from dumps": dumpShows(d6b, 1),
		"v6 delete 2001:db8:301::/64 via fe80::4 dev a0: the blackhole shows again":                 dumpShows(d6b, 2),
		"v6 replace the group by one path":                                                          slotHolds(1, 0),
		"v6 append unreachable beside it":                                                           slotHolds(2, 1),
		"v6 replace by a group of two: the unreachable route goes too":                              slotHolds(1, 0),
	}
	for _, s := range steps {
		err := s.do()
		switch {
		case s.want == 0 && err != nil:
			t.Fatalf("%s: %v", s.name, err)
		case s.want != 0 && !errors.Is(err, s.want):
			t.Fatalf("%s: %v, want %v", s.name, err, s.want)
		}
		if check := checks[s.name]; check != nil {
			if err := check(); err != nil {
				t.Errorf("%s: %v", s.name, err)
			}
		}
		rs, err := c.RouteList(ctx, RouteFilter{})
		if err != nil {
			t.Fatal(err)
		}
		keys := map[RouteKey]int{}
		for _, r := range rs {
			if r.Flags&RouteFlagCloned == 0 {
				keys[r.Key()]++
			}
		}
		for k, n := range keys {
			if n > 1 {
				if k.Family != FamilyIPv6 || !strings.Contains(s.name, "quirk") && !quirk {
					t.Errorf("%s: %d routes with key %v", s.name, n, k)
				}
				quirk = true
			}
		}
		as, err := c.AddressList(ctx, AddressFilter{})
		if err != nil {
			t.Fatal(err)
		}
		akeys := map[AddressKey]bool{}
		for _, a := range as {
			if akeys[a.Key()] {
				t.Errorf("%s: two addresses with key %v", s.name, a.Key())
			}
			akeys[a.Key()] = true
		}
		if diff, report := mirrorSettle(t, m, c, 100*time.Millisecond, 5*time.Second); diff != 0 {
			t.Fatalf("%s: the mirror differs from a fresh dump in %d objects:\n%s", s.name, diff, report)
		}
	}
	st := m.Stats()
	t.Logf("%d changes; IPv6 replace quirk (two routes under one key) seen: %v; mirror: %d events, %d partial re-reads", len(steps), quirk, st.Events, st.Partial)
}
