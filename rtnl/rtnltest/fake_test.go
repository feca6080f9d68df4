package rtnltest_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// These tests use the fake through package rtnl, as a user would, without
// root.

func dialFake(t *testing.T, fake *rtnltest.Fake, groups ...rtnl.Group) *rtnl.Conn {
	t.Helper()
	cfg := &netlink.Config{}
	for _, g := range groups {
		cfg.Groups = append(cfg.Groups, uint32(g))
	}
	nl, err := fake.Dial(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	t.Cleanup(func() { c.Close() })
	return c
}

func mustDo(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func wantErr(t *testing.T, what string, err error, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: got %v, want %v", what, err, want)
	}
}

func linkIndex(t *testing.T, c *rtnl.Conn, name string) int32 {
	t.Helper()
	l, err := c.LinkByName(context.Background(), name)
	mustDo(t, "link "+name, err)
	return l.Index
}

func TestFakeFreshNamespace(t *testing.T) {
	ctx := context.Background()
	c := dialFake(t, rtnltest.NewFake())
	links, err := netlink.Collect(c.Links(ctx, rtnl.LinkFilter{}))
	mustDo(t, "links", err)
	if len(links) != 1 || links[0].Name != "lo" || links[0].Index != 1 || links[0].Flags&rtnl.LinkUp != 0 ||
		links[0].Type != rtnl.LinkTypeLoopback || links[0].MTU != 65536 {
		t.Fatalf("links of a fresh namespace: %+v", links)
	}
	addrs, err := netlink.Collect(c.Addresses(ctx, rtnl.AddressFilter{}))
	mustDo(t, "addresses", err)
	if len(addrs) != 0 {
		t.Errorf("addresses before lo is up: %v", addrs)
	}
	rules, err := netlink.Collect(c.Rules(ctx, rtnl.RuleFilter{Family: rtnl.FamilyIPv4}))
	mustDo(t, "rules", err)
	var prefs []string
	for _, u := range rules {
		prefs = append(prefs, fmt.Sprintf("%d:%v", u.Priority, u.Table))
	}
	if got := strings.Join(prefs, " "); got != "0:local 32766:main 32767:default" {
		t.Errorf("IPv4 rules: %s", got)
	}

	mustDo(t, "lo up", c.SetLinkUp(ctx, 1))
	addrs, err = netlink.Collect(c.Addresses(ctx, rtnl.AddressFilter{}))
	mustDo(t, "addresses", err)
	var got []string
	for _, a := range addrs {
		got = append(got, fmt.Sprintf("%v %v", a.Prefix, a.Scope))
	}
	if s := strings.Join(got, ", "); s != "127.0.0.1/8 host, ::1/128 host" {
		t.Errorf("lo addresses: %s", s)
	}
	routes, err := netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{Table: rtnl.TableLocal}))
	mustDo(t, "routes", err)
	got = nil
	for _, r := range routes {
		got = append(got, r.Type.String()+" "+r.Dst.String())
	}
	if s := strings.Join(got, ", "); s != "local 127.0.0.0/8, local 127.0.0.1/32, broadcast 127.255.255.255/32, local ::1/128" {
		t.Errorf("local table: %s", s)
	}
}

// TestFakeWorkflow configures a small router and checks what the
// dumps, lookups and errors say.
func TestFakeWorkflow(t *testing.T) {
	ctx := context.Background()
	fake := rtnltest.NewFake()
	c := dialFake(t, fake)
	mustDo(t, "lo up", c.SetLinkUp(ctx, 1))

	mustDo(t, "bridge", c.AddLink(ctx, rtnl.Link{Name: "br0", Info: &rtnl.Bridge{}}))
	br0 := linkIndex(t, c, "br0")
	for _, p := range []string{"p1", "p2"} {
		mustDo(t, "veth", c.AddLink(ctx, rtnl.Link{Name: p, Master: br0, Flags: rtnl.LinkUp, Info: &rtnl.Veth{PeerName: p + "-peer"}}))
		mustDo(t, "peer up", c.SetLinkUp(ctx, linkIndex(t, c, p+"-peer")))
	}
	wantErr(t, "veth again", c.AddLink(ctx, rtnl.Link{Name: "p1", Info: &rtnl.Veth{PeerName: "p9"}}), fs.ErrExist)
	mustDo(t, "br0 up", c.SetLinkUp(ctx, br0))
	ports, err := netlink.Collect(c.Links(ctx, rtnl.LinkFilter{Master: br0}))
	mustDo(t, "ports", err)
	if len(ports) != 2 || ports[0].Name != "p1" || ports[1].Name != "p2" || ports[0].Port == nil || ports[0].Port.PortKind() != "bridge" {
		t.Errorf("ports of br0: %+v", ports)
	}
	if l, _ := c.Link(ctx, br0); l.Flags&rtnl.LinkLowerUp == 0 || l.OperState != rtnl.OperState(6) {
		t.Errorf("br0 with ports up has no carrier: %v %v", l.Flags, l.OperState)
	}

	// Addresses and the routes the kernel derives from them.
	mustDo(t, "address", c.AddAddress(ctx, rtnl.Address{Index: br0, Prefix: netip.MustParsePrefix("192.0.2.1/24")}))
	mustDo(t, "address6", c.AddAddress(ctx, rtnl.Address{Index: br0, Prefix: netip.MustParsePrefix("2001:db8::1/64")}))
	wantErr(t, "address again", c.AddAddress(ctx, rtnl.Address{Index: br0, Prefix: netip.MustParsePrefix("192.0.2.1/24")}), fs.ErrExist)
	wantErr(t, "address on nothing", c.AddAddress(ctx, rtnl.Address{Index: 99, Prefix: netip.MustParsePrefix("192.0.2.1/24")}), syscall.ENODEV)
	wantErr(t, "delete missing address", c.DeleteAddress(ctx, rtnl.Address{Index: br0, Prefix: netip.MustParsePrefix("192.0.2.9/24")}), syscall.EADDRNOTAVAIL)
	main4, err := netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain}))
	mustDo(t, "routes", err)
	if len(main4) != 1 || main4[0].Dst.String() != "192.0.2.0/24" || main4[0].Protocol != rtnl.ProtoKernel ||
		main4[0].Scope != rtnl.ScopeLink || main4[0].PrefSrc.String() != "192.0.2.1" || main4[0].OutIndex != br0 {
		t.Errorf("prefix route: %v", main4)
	}

	// Routes: default, a table above 255, multipath, errors.
	gw := netip.MustParseAddr("192.0.2.254")
	def := netip.MustParsePrefix("0.0.0.0/0")
	mustDo(t, "default", c.AddRoute(ctx, rtnl.Route{Dst: def, Gateway: gw}))
	wantErr(t, "default again", c.AddRoute(ctx, rtnl.Route{Dst: def, Gateway: gw}), fs.ErrExist)
	wantErr(t, "unreachable gateway", c.AddRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), Gateway: netip.MustParseAddr("10.9.9.9")}), syscall.ENETUNREACH)
	wantErr(t, "missing device", c.AddRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), OutIndex: 99}), syscall.ENODEV)
	wantErr(t, "delete missing", c.DeleteRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("10.0.0.0/8")}), syscall.ESRCH)
	mustDo(t, "table 1000", c.AddRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("198.51.100.0/24"), Gateway: gw, Table: 1000, Priority: 7}))
	mustDo(t, "multipath", c.AddRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("203.0.113.0/24"),
		NextHops: []rtnl.NextHop{{Gateway: netip.MustParseAddr("192.0.2.2"), Weight: 1}, {Gateway: netip.MustParseAddr("192.0.2.3"), Weight: 3}}}))
	t1000, err := netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{Table: 1000}))
	mustDo(t, "table 1000 dump", err)
	if len(t1000) != 1 || t1000[0].Table != 1000 || t1000[0].Priority != 7 || t1000[0].OutIndex != br0 {
		t.Errorf("table 1000: %v", t1000)
	}
	_, err = netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: 1001}))
	wantErr(t, "missing table", err, syscall.ENOENT)
	mp, err := netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain, Protocol: rtnl.ProtoUnspec}))
	mustDo(t, "main", err)
	for _, r := range mp {
		if r.Dst.String() == "203.0.113.0/24" && (len(r.NextHops) != 2 || r.NextHops[1].Weight != 3) {
			t.Errorf("multipath route: %v", r)
		}
	}

	// Lookups through rules: marked packets use table 1000.
	mustDo(t, "rule", c.AddRule(ctx, rtnl.Rule{Family: rtnl.FamilyIPv4, Priority: 100, Mark: 0x1, Table: 1000}))
	wantErr(t, "rule again", c.AddRule(ctx, rtnl.Rule{Family: rtnl.FamilyIPv4, Priority: 100, Mark: 0x1, Table: 1000}), fs.ErrExist)
	wantErr(t, "rule without family", c.AddRule(ctx, rtnl.Rule{Table: 5}), syscall.EAFNOSUPPORT)
	for _, q := range []struct {
		dst   string
		mark  uint32
		table rtnl.Table
		err   error
	}{
		{"198.51.100.7", 0, rtnl.TableMain, nil},
		{"198.51.100.7", 1, 1000, nil},
		{"192.0.2.1", 0, rtnl.TableLocal, nil},
	} {
		r, err := c.LookupRoute(ctx, rtnl.RouteQuery{Dst: netip.MustParseAddr(q.dst), Mark: q.mark})
		if !errors.Is(err, q.err) || err == nil && r.Table != q.table {
			t.Errorf("route get %s mark %d: %v table %v", q.dst, q.mark, err, r.Table)
		}
	}

	// Neighbours.
	n := rtnl.Neighbor{Index: br0, Addr: netip.MustParseAddr("192.0.2.7"), LinkAddr: []byte{2, 0, 0, 0, 0, 7}}
	mustDo(t, "neighbour", c.AddNeighbor(ctx, n))
	wantErr(t, "neighbour again", c.AddNeighbor(ctx, n), fs.ErrExist)
	got, err := c.Neighbor(ctx, br0, n.Addr)
	if err != nil || got.State != rtnl.NeighborPermanent || got.LinkAddr.String() != "02:00:00:00:00:07" {
		t.Errorf("neighbour get: %+v %v", got, err)
	}
	_, err = c.Neighbor(ctx, br0, netip.MustParseAddr("192.0.2.8"))
	wantErr(t, "neighbour get missing", err, syscall.ENOENT)

	// Deleting a port and the bridge cascades.
	mustDo(t, "delete p1", c.DeleteLink(ctx, linkIndex(t, c, "p1")))
	if _, err := c.LinkByName(ctx, "p1-peer"); !errors.Is(err, syscall.ENODEV) {
		t.Errorf("the peer of a deleted veth: %v", err)
	}
	mustDo(t, "delete br0", c.DeleteLink(ctx, br0))
	rest, err := netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain}))
	mustDo(t, "routes after", err)
	if len(rest) != 0 {
		t.Errorf("routes through a deleted link survive: %v", rest)
	}
	ns, err := netlink.Collect(c.Neighbors(ctx, rtnl.NeighborFilter{}))
	if err != nil || len(ns) != 0 {
		t.Errorf("neighbours of a deleted link: %v %v", ns, err)
	}
	if l, err := c.LinkByName(ctx, "p2"); err != nil || l.Master != 0 {
		t.Errorf("port of a deleted bridge: %+v %v", l, err)
	}
}

// TestFakeNotifications watches the changes another Conn makes.
func TestFakeNotifications(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fake := rtnltest.NewFake()
	w := dialFake(t, fake, rtnl.AllGroups()...)
	c := dialFake(t, fake)

	mustDo(t, "ifb", c.AddLink(ctx, rtnl.Link{Name: "ifb0", Kind: "ifb"}))
	ifb := linkIndex(t, c, "ifb0")
	mustDo(t, "up", c.SetLinkUp(ctx, ifb))
	mustDo(t, "address", c.AddAddress(ctx, rtnl.Address{Index: ifb, Prefix: netip.MustParsePrefix("192.0.2.1/24")}))
	mustDo(t, "route", c.AddRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), Gateway: netip.MustParseAddr("192.0.2.2")}))
	mustDo(t, "replace", c.ReplaceRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("10.0.0.0/8"), Gateway: netip.MustParseAddr("192.0.2.3")}))
	mustDo(t, "rule", c.AddRule(ctx, rtnl.Rule{Family: rtnl.FamilyIPv6, Priority: 5, Table: 9}))
	mustDo(t, "neighbour", c.AddNeighbor(ctx, rtnl.Neighbor{Index: ifb, Addr: netip.MustParseAddr("192.0.2.2"), LinkAddr: []byte{2, 0, 0, 0, 0, 2}}))
	mustDo(t, "delete address", c.DeleteAddress(ctx, rtnl.Address{Index: ifb, Prefix: netip.MustParsePrefix("192.0.2.1/24")}))
	mustDo(t, "delete link", c.DeleteLink(ctx, ifb))

	want := []string{
		"link new ifb0", "link new ifb0",
		"address new 192.0.2.1/24",
		"route new local 192.0.2.1/32 local", "route new unicast 192.0.2.0/24 main", "route new broadcast 192.0.2.255/32 local",
		"route new unicast 10.0.0.0/8 main", "route new unicast 10.0.0.0/8 main replace",
		"rule new inet6 9",
		"neigh new 192.0.2.2",
		"address del 192.0.2.1/24",
		"route del local 192.0.2.1/32 local", "route del unicast 192.0.2.0/24 main", "route del broadcast 192.0.2.255/32 local",
		"neigh del 192.0.2.2", "link del ifb0",
	}
	var got []string
	port := c.Netlink().PortID()
	for n, err := range w.Netlink().Receive(ctx) {
		if err != nil {
			t.Fatalf("receive after %q: %v", got, err)
		}
		ev, ok, err := rtnl.DecodeEvent(n.Message)
		if err != nil || !ok {
			t.Fatalf("decode: %v %v", ok, err)
		}
		verb := "new"
		if ev.Deleted {
			verb = "del"
		}
		var s string
		switch ev.Kind {
		case rtnl.EventLink:
			s = ev.Link.Name
		case rtnl.EventAddress:
			s = ev.Address.Prefix.String()
		case rtnl.EventRoute:
			s = fmt.Sprintf("%v %v %v", ev.Route.Type, ev.Route.Dst, ev.Route.Table)
			if ev.Flags&netlink.Replace != 0 {
				s += " replace"
			}
		case rtnl.EventNeighbor:
			s = ev.Neighbor.Addr.String()
		case rtnl.EventRule:
			s = fmt.Sprintf("%v %v", ev.Rule.Family, ev.Rule.Table)
		}
		got = append(got, fmt.Sprintf("%v %s %s", ev.Kind, verb, s))
		if ev.PortID != port && ev.Kind != rtnl.EventLink {
			t.Errorf("%s: port %d, want the requester's %d", got[len(got)-1], ev.PortID, port)
		}
		if ev.Kind == rtnl.EventLink && ev.Deleted {
			break
		}
	}
	// Links announce changes more than once; keep the first of a run.
	got = slices.Compact(got)
	want = slices.Compact(want)
	if !slices.Equal(got, want) {
		t.Errorf("events:\n got  %q\n want %q", got, want)
	}
}

func TestFakeBatch(t *testing.T) {
	ctx := context.Background()
	fake := rtnltest.NewFake()
	c := dialFake(t, fake)
	mustDo(t, "ifb", c.AddLink(ctx, rtnl.Link{Name: "ifb0", Kind: "ifb", Flags: rtnl.LinkUp}))
	ifb := linkIndex(t, c, "ifb0")
	var routes []rtnl.Route
	for i := range 300 {
		routes = append(routes, rtnl.Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 8), byte(i), 0}), 24), OutIndex: ifb})
	}
	routes[7].OutIndex = 99 // ENODEV
	routes[9] = routes[8]   // EEXIST
	err := c.AddRoutes(ctx, routes)
	var be *netlink.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 2 || be.Failures[0].Index != 7 || be.Failures[1].Index != 9 ||
		!errors.Is(be.Failures[0].Err, syscall.ENODEV) || !errors.Is(be.Failures[1].Err, fs.ErrExist) {
		t.Fatalf("batch: %v", err)
	}
	got, err := netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain}))
	if err != nil || len(got) != 298 {
		t.Errorf("routes after the batch: %d %v", len(got), err)
	}
	added := slices.Concat(routes[:7], routes[8:9], routes[10:])
	mustDo(t, "delete all", c.DeleteRoutes(ctx, added))
	got, err = netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain}))
	if err != nil || len(got) != 0 {
		t.Errorf("routes after deleting them: %d %v", len(got), err)
	}
}

func TestFakeConcurrent(t *testing.T) {
	ctx := context.Background()
	fake := rtnltest.NewFake()
	c := dialFake(t, fake)
	mustDo(t, "ifb", c.AddLink(ctx, rtnl.Link{Name: "ifb0", Kind: "ifb", Flags: rtnl.LinkUp}))
	ifb := linkIndex(t, c, "ifb0")
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			own := dialFake(t, fake)
			for i := range 25 {
				a := rtnl.Address{Index: ifb, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(g), byte(i), 1}), 24)}
				if err := own.AddAddress(ctx, a); err != nil {
					t.Error(err)
					return
				}
				if _, err := netlink.Collect(own.Routes(ctx, rtnl.RouteFilter{})); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	addrs, err := netlink.Collect(c.Addresses(ctx, rtnl.AddressFilter{Index: ifb}))
	if err != nil || len(addrs) != 100 {
		t.Errorf("%d addresses, %v", len(addrs), err)
	}
}

// TestFakeStrictDumps sends malformed requests as raw messages: the
// fake checks them as the kernel does with strict checking.
func TestFakeStrictDumps(t *testing.T) {
	ctx := context.Background()
	c := dialFake(t, rtnltest.NewFake())
	nl := c.Netlink()
	for _, tc := range []struct {
		name string
		typ  netlink.MessageType
		body []byte
		want syscall.Errno
	}{
		{"route dump with dst_len", 26, []byte{2, 24, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, syscall.EINVAL},
		{"route dump of a missing device", 26, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 4, 0, 99, 0, 0, 0}, syscall.ENODEV},
		{"address dump of a missing device", 22, []byte{0, 0, 0, 0, 99, 0, 0, 0}, syscall.ENODEV},
		{"rule dump with a table", 34, []byte{2, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0}, syscall.EINVAL},
		{"neighbour dump with a state", 30, []byte{2, 0, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0}, syscall.EINVAL},
		{"link dump by index", 18, []byte{0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, syscall.EINVAL},
		{"link dump with a name", 18, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 3, 0, 'l', 'o', 0, 0}, syscall.EINVAL},
	} {
		var err error
		for _, e := range nl.Dump(ctx, netlink.Message{Header: netlink.Header{Type: tc.typ}, Data: tc.body}) {
			if e != nil {
				err = e
			}
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestFakeAddressLifetime(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for an address to expire")
	}
	ctx := context.Background()
	fake := rtnltest.NewFake()
	c := dialFake(t, fake)
	mustDo(t, "ifb", c.AddLink(ctx, rtnl.Link{Name: "ifb0", Kind: "ifb", Flags: rtnl.LinkUp}))
	ifb := linkIndex(t, c, "ifb0")
	mustDo(t, "address", c.AddAddress(ctx, rtnl.Address{Index: ifb, Prefix: netip.MustParsePrefix("192.0.2.1/24"),
		ValidLifetime: rtnl.LifetimeSeconds(1), PreferredLifetime: rtnl.LifetimeSeconds(0)}))
	addrs, err := netlink.Collect(c.Addresses(ctx, rtnl.AddressFilter{Index: ifb}))
	if err != nil || len(addrs) != 1 || addrs[0].Flags&rtnl.AddressDeprecated == 0 || addrs[0].Flags&rtnl.AddressPermanent != 0 {
		t.Fatalf("address with lifetimes: %+v %v", addrs, err)
	}
	time.Sleep(1100 * time.Millisecond)
	addrs, err = netlink.Collect(c.Addresses(ctx, rtnl.AddressFilter{Index: ifb}))
	if err != nil || len(addrs) != 0 {
		t.Errorf("expired address still there: %+v %v", addrs, err)
	}
}
