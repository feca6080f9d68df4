package rtnl

import (
	"net"
	"net/netip"
	"testing"
)

// The rules these tests encode were checked against Linux 6.18 (see
// TestKeyKernelRules, which repeats the experiments in a namespace).

func TestRouteKeyIPv6(t *testing.T) {
	ll := netip.MustParsePrefix("fe80::/64")
	dst := netip.MustParsePrefix("2001:db8:1::/64")
	gw1, gw2 := netip.MustParseAddr("fe80::1"), netip.MustParseAddr("fe80::2")
	base := Route{Family: FamilyIPv6, Table: TableMain, Dst: dst, Priority: 1024, Protocol: ProtoBoot, Type: RouteUnicast}
	with := func(f func(r *Route)) Route {
		r := base
		f(&r)
		return r
	}
	for _, c := range []struct {
		name string
		a, b Route
		same bool
	}{
		{"every link has its own fe80::/64", Route{Family: FamilyIPv6, Table: TableMain, Dst: ll, Priority: 256, OutIndex: 2},
			Route{Family: FamilyIPv6, Table: TableMain, Dst: ll, Priority: 256, OutIndex: 3}, false},
		{"device routes by link", with(func(r *Route) { r.OutIndex = 2 }), with(func(r *Route) { r.OutIndex = 3 }), false},
		{"type does not count (reject routes go through lo)", with(func(r *Route) { r.Type, r.OutIndex = RouteUnreachable, 1 }),
			with(func(r *Route) { r.Type, r.OutIndex = RouteBlackhole, 1 }), true},
		{"protocol does not count", with(func(r *Route) { r.OutIndex = 2 }), with(func(r *Route) { r.OutIndex, r.Protocol = 2, ProtoStatic }), true},
		{"metric counts", with(func(r *Route) { r.OutIndex = 2 }), with(func(r *Route) { r.OutIndex, r.Priority = 2, 5 }), false},
		{"table counts", with(func(r *Route) { r.OutIndex = 2 }), with(func(r *Route) { r.OutIndex, r.Table = 2, 100 }), false},
		{"source prefix counts", with(func(r *Route) { r.OutIndex = 2 }),
			with(func(r *Route) { r.OutIndex, r.Src = 2, netip.MustParsePrefix("2001:db8:aa::/64") }), false},
		{"gateway routes are one multipath group whatever their paths", with(func(r *Route) { r.Gateway, r.OutIndex = gw1, 2 }),
			with(func(r *Route) {
				r.NextHops = []NextHop{{Gateway: gw1, OutIndex: 2, Weight: 1}, {Gateway: gw2, OutIndex: 3, Weight: 1}}
			}), true},
		{"router advertisement routes stay apart", with(func(r *Route) { r.Gateway, r.OutIndex, r.Protocol = gw1, 2, ProtoRA }),
			with(func(r *Route) { r.Gateway, r.OutIndex, r.Protocol = gw2, 2, ProtoRA }), false},
		{"a router advertisement route is not the group", with(func(r *Route) { r.Gateway, r.OutIndex, r.Protocol = gw1, 2, ProtoRA }),
			with(func(r *Route) { r.Gateway, r.OutIndex = gw2, 2 }), false},
		{"a device route is not the group", with(func(r *Route) { r.OutIndex = 2 }), with(func(r *Route) { r.Gateway, r.OutIndex = gw1, 2 }), false},
		{"nexthop objects by id", with(func(r *Route) { r.NextHopID = 1 }), with(func(r *Route) { r.NextHopID = 2 }), false},
		{"volatile flags do not count", with(func(r *Route) { r.OutIndex = 2 }), with(func(r *Route) { r.OutIndex, r.Flags = 2, RouteFlagLinkDown }), true},
	} {
		ka, kb := c.a.Key(), c.b.Key()
		if (ka == kb) != c.same {
			t.Errorf("%s: keys %v and %v: equal %v, want %v", c.name, ka, kb, ka == kb, c.same)
		}
	}
}

func TestRouteKeyIPv4(t *testing.T) {
	dst := netip.MustParsePrefix("198.19.0.0/24")
	gw1, gw2 := netip.MustParseAddr("198.18.0.1"), netip.MustParseAddr("198.18.1.1")
	base := Route{Family: FamilyIPv4, Table: TableMain, Dst: dst, Protocol: ProtoBoot, Scope: ScopeLink, Type: RouteUnicast, OutIndex: 2}
	with := func(f func(r *Route)) Route {
		r := base
		f(&r)
		return r
	}
	mp := func(a, b NextHop) func(r *Route) {
		return func(r *Route) { r.OutIndex, r.Scope, r.NextHops = 0, ScopeUniverse, []NextHop{a, b} }
	}
	for _, c := range []struct {
		name string
		b    Route
		same bool
	}{
		{"another link", with(func(r *Route) { r.OutIndex = 3 }), false},
		{"protocol counts (ip route append ... proto static)", with(func(r *Route) { r.Protocol = ProtoStatic }), false},
		{"scope counts", with(func(r *Route) { r.Scope = ScopeUniverse }), false},
		{"type counts", with(func(r *Route) { r.Type = RouteBlackhole }), false},
		{"preferred source counts", with(func(r *Route) { r.PrefSrc = gw1 }), false},
		{"metrics count", with(func(r *Route) { r.Metrics = &Metrics{MTU: 1400} }), false},
		{"TOS counts", with(func(r *Route) { r.Tos = 0x10 }), false},
		{"metric counts", with(func(r *Route) { r.Priority = 5 }), false},
		{"onlink counts", with(func(r *Route) { r.Flags = RouteFlagOnLink }), false},
		{"linkdown does not", with(func(r *Route) { r.Flags = RouteFlagLinkDown | RouteFlagDead }), true},
		{"empty metrics are none", with(func(r *Route) { r.Metrics = &Metrics{} }), true},
		{"table counts", with(func(r *Route) { r.Table = 100 }), false},
	} {
		if ka, kb := base.Key(), c.b.Key(); (ka == kb) != c.same {
			t.Errorf("%s: keys %v and %v: equal %v, want %v", c.name, ka, kb, ka == kb, c.same)
		}
	}
	a := with(mp(NextHop{Gateway: gw1, OutIndex: 2, Weight: 1}, NextHop{Gateway: gw2, OutIndex: 3, Weight: 1}))
	for _, c := range []struct {
		name string
		b    Route
		same bool
	}{
		{"next hops in another order", with(mp(NextHop{Gateway: gw2, OutIndex: 3, Weight: 1}, NextHop{Gateway: gw1, OutIndex: 2, Weight: 1})), false},
		{"another weight", with(mp(NextHop{Gateway: gw1, OutIndex: 2, Weight: 2}, NextHop{Gateway: gw2, OutIndex: 3, Weight: 1})), false},
		{"weight 0 is 1", with(mp(NextHop{Gateway: gw1, OutIndex: 2}, NextHop{Gateway: gw2, OutIndex: 3, Weight: 1})), true},
		{"a dead path", with(mp(NextHop{Gateway: gw1, OutIndex: 2, Weight: 1}, NextHop{Gateway: gw2, OutIndex: 3, Weight: 1, Flags: RouteFlagDead | RouteFlagLinkDown})), true},
	} {
		if ka, kb := a.Key(), c.b.Key(); (ka == kb) != c.same {
			t.Errorf("multipath, %s: keys %v and %v: equal %v, want %v", c.name, ka, kb, ka == kb, c.same)
		}
	}
}

// TestRouteKeyDefaults: a hand-built route has the key of the route the
// kernel reports for it, as far as Key says.
func TestRouteKeyDefaults(t *testing.T) {
	built := Route{Dst: netip.MustParsePrefix("198.19.0.1/24"), OutIndex: 2, Scope: ScopeLink, Protocol: ProtoBoot}
	decoded := Route{Family: FamilyIPv4, Table: TableMain, Type: RouteUnicast, Dst: netip.MustParsePrefix("198.19.0.0/24"),
		OutIndex: 2, Scope: ScopeLink, HasScope: true, Protocol: ProtoBoot}
	if built.Key() != decoded.Key() {
		t.Errorf("hand-built %v, decoded %v", built.Key(), decoded.Key())
	}
	if k := built.Key(); k.Family != FamilyIPv4 || k.Table != TableMain || k.Dst.String() != "198.19.0.0/24" {
		t.Errorf("key %+v", k)
	}
	want := "inet 198.19.0.0/24 table main metric 0 unicast proto 3 scope 253 dev 2"
	if s := built.Key().String(); s != want {
		t.Errorf("String %q, want %q", s, want)
	}
}

func TestAddressKey(t *testing.T) {
	p := netip.MustParsePrefix
	for _, c := range []struct {
		name string
		a, b Address
		same bool
	}{
		{"IPv4: prefix length counts", Address{Index: 2, Prefix: p("198.18.0.1/24")}, Address{Index: 2, Prefix: p("198.18.0.1/25")}, false},
		{"IPv4: link counts", Address{Index: 2, Prefix: p("198.18.0.1/24")}, Address{Index: 3, Prefix: p("198.18.0.1/24")}, false},
		{"IPv4: label does not", Address{Index: 2, Prefix: p("198.18.0.1/24"), Label: "a"}, Address{Index: 2, Prefix: p("198.18.0.1/24"), Label: "a:1"}, true},
		{"IPv4: peers in one subnet are one", Address{Index: 2, Prefix: p("198.18.0.1/24"), Peer: p("198.18.9.1/24")},
			Address{Index: 2, Prefix: p("198.18.0.1/24"), Peer: p("198.18.9.2/24")}, true},
		{"IPv4: peers in two subnets are two", Address{Index: 2, Prefix: p("198.18.0.1/24"), Peer: p("198.18.9.1/24")},
			Address{Index: 2, Prefix: p("198.18.0.1/24"), Peer: p("198.18.8.1/24")}, false},
		{"IPv4: a peer is not the subnet of the address", Address{Index: 2, Prefix: p("198.18.0.1/24"), Peer: p("198.18.9.1/24")},
			Address{Index: 2, Prefix: p("198.18.0.1/24")}, false},
		{"IPv6: prefix length does not count", Address{Index: 2, Prefix: p("2001:db8::1/64")}, Address{Index: 2, Prefix: p("2001:db8::1/80")}, true},
		{"IPv6: peer does not count", Address{Index: 2, Prefix: p("2001:db8::1/128"), Peer: p("2001:db8::7/128")},
			Address{Index: 2, Prefix: p("2001:db8::1/128"), Peer: p("2001:db8::8/128")}, true},
		{"IPv6: link counts", Address{Index: 2, Prefix: p("2001:db8::1/64")}, Address{Index: 3, Prefix: p("2001:db8::1/64")}, false},
	} {
		if ka, kb := c.a.Key(), c.b.Key(); (ka == kb) != c.same {
			t.Errorf("%s: keys %v and %v: equal %v, want %v", c.name, ka, kb, ka == kb, c.same)
		}
	}
	k := Address{Index: 2, Prefix: p("198.18.0.1/24"), Peer: p("198.18.9.1/24")}.Key()
	if k != (AddressKey{Family: FamilyIPv4, Index: 2, Addr: netip.MustParseAddr("198.18.0.1"), Subnet: p("198.18.9.0/24")}) {
		t.Errorf("key %+v", k)
	}
}

func TestNeighborKey(t *testing.T) {
	a := netip.MustParseAddr("198.18.0.2")
	mac := net.HardwareAddr{2, 0, 0, 0, 0, 1}
	for _, c := range []struct {
		name string
		a, b Neighbor
		same bool
	}{
		{"state and link-layer address do not count", Neighbor{Index: 2, Addr: a, LinkAddr: mac, State: NeighborStale},
			Neighbor{Index: 2, Addr: a, State: NeighborPermanent}, true},
		{"link counts", Neighbor{Index: 2, Addr: a}, Neighbor{Index: 3, Addr: a}, false},
		{"the proxy table is another", Neighbor{Index: 2, Addr: a}, Neighbor{Index: 2, Addr: a, Flags: NeighborProxy}, false},
		{"bridge entries by link-layer address", Neighbor{Family: FamilyBridge, Index: 2, LinkAddr: mac},
			Neighbor{Family: FamilyBridge, Index: 2, LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 2}}, false},
		{"bridge entries: master and self", Neighbor{Family: FamilyBridge, Index: 2, LinkAddr: mac, Flags: NeighborMaster},
			Neighbor{Family: FamilyBridge, Index: 2, LinkAddr: mac, Flags: NeighborSelf}, false},
	} {
		if ka, kb := c.a.Key(), c.b.Key(); (ka == kb) != c.same {
			t.Errorf("%s: keys %v and %v: equal %v, want %v", c.name, ka, kb, ka == kb, c.same)
		}
	}
	if k := (Neighbor{Index: 2, Addr: a}).Key(); k.Family != FamilyIPv4 || k.String() != "inet 198.18.0.2 dev #2" {
		t.Errorf("key %+v %q", k, k.String())
	}
}

// TestKeysAsMapKeys: the keys are comparable values that work as map
// keys (a compile-time property, and a run-time one for netip values).
func TestKeysAsMapKeys(t *testing.T) {
	r := Route{Dst: netip.MustParsePrefix("2001:db8::/64"), OutIndex: 2, Priority: 1024}
	routes := map[RouteKey]Route{r.Key(): r}
	r2 := r
	r2.Protocol = ProtoStatic // another protocol, the same IPv6 entry
	if _, ok := routes[r2.Key()]; !ok {
		t.Error("the same IPv6 entry is not found by its key")
	}
	addrs := map[AddressKey]bool{{Family: FamilyIPv6, Index: 2, Addr: netip.MustParseAddr("2001:db8::1")}: true}
	if !addrs[Address{Index: 2, Prefix: netip.MustParsePrefix("2001:db8::1/64")}.Key()] {
		t.Error("address not found by its key")
	}
	neighs := map[NeighborKey]bool{{Family: FamilyIPv6, Index: 2, Addr: netip.MustParseAddr("2001:db8::2")}: true}
	if !neighs[Neighbor{Index: 2, Addr: netip.MustParseAddr("2001:db8::2")}.Key()] {
		t.Error("neighbour not found by its key")
	}
}
