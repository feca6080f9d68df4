package rtnl_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"net"
	"net/netip"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// TestOnFake runs the package's operations against rtnltest's fake of route
// netlink, so that `go test ./...` as a normal user exercises the encoders,
// decoders and operations too; the kernel tests (as root) check the same
// operations against the kernel, and rtnltest's differential suite checks
// that the fake agrees with the kernel.
func TestOnFake(t *testing.T) {
	nl, err := rtnltest.NewFake().Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	ctx := context.Background()

	if err := c.AddLink(ctx, rtnl.Link{Name: "f0", Info: &rtnl.Veth{PeerName: "f1"}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.LinkByName(ctx, "f0")
	if err != nil || l.Kind != "veth" {
		t.Fatalf("LinkByName: %+v %v", l, err)
	}
	if err := c.AddLink(ctx, rtnl.Link{Name: "f0", Info: &rtnl.Veth{PeerName: "f2"}}); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second AddLink: %v", err)
	}
	for _, f := range []func() error{
		func() error { return c.SetLinkUp(ctx, l.Index) },
		func() error { return c.SetLink(ctx, l.Index, rtnl.LinkChange{MTU: 1300}) },
		func() error {
			return c.AddAddress(ctx, rtnl.Address{Index: l.Index, Prefix: netip.MustParsePrefix("198.18.10.1/24")})
		},
		func() error {
			return c.AddRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("198.19.10.0/24"), NextHops: []rtnl.NextHop{
				{Gateway: netip.MustParseAddr("198.18.10.2"), OutIndex: l.Index, Weight: 1},
				{Gateway: netip.MustParseAddr("198.18.10.3"), OutIndex: l.Index, Weight: 3},
			}})
		},
		func() error {
			return c.AddNeighbor(ctx, rtnl.Neighbor{Index: l.Index, Addr: netip.MustParseAddr("198.18.10.2"), LinkAddr: net.HardwareAddr{2, 0, 0, 0, 10, 2}})
		},
		func() error {
			return c.AddRule(ctx, rtnl.Rule{Family: rtnl.FamilyIPv4, Priority: 300, Table: 1000, Src: netip.MustParsePrefix("198.18.11.0/24")})
		},
	} {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	}
	if l, err = c.Link(ctx, l.Index); err != nil || l.MTU != 1300 || l.Flags&rtnl.LinkUp == 0 {
		t.Fatalf("link after changes: %+v %v", l, err)
	}
	addrs, err := netlink.Collect(c.Addresses(ctx, rtnl.AddressFilter{Index: l.Index, Family: rtnl.FamilyIPv4}))
	if err != nil || len(addrs) != 1 || addrs[0].Prefix != netip.MustParsePrefix("198.18.10.1/24") {
		t.Fatalf("addresses: %+v %v", addrs, err)
	}
	routes, err := netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain}))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range routes {
		if r.Dst == netip.MustParsePrefix("198.19.10.0/24") {
			found = len(r.NextHops) == 2 && r.NextHops[1].Weight == 3
		}
	}
	if !found {
		t.Fatalf("multipath route not read back: %+v", routes)
	}
	if listed, err := c.RouteList(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain}); err != nil || !reflect.DeepEqual(listed, routes) {
		t.Fatalf("RouteList: %+v %v, want %+v", listed, err, routes)
	}
	got, err := c.LookupRoute(ctx, rtnl.RouteQuery{Dst: netip.MustParseAddr("198.18.10.9")})
	if err != nil || got.OutIndex != l.Index {
		t.Fatalf("LookupRoute: %+v %v", got, err)
	}
	n, err := c.Neighbor(ctx, l.Index, netip.MustParseAddr("198.18.10.2"))
	if err != nil || n.LinkAddr.String() != "02:00:00:00:0a:02" {
		t.Fatalf("Neighbor: %+v %v", n, err)
	}
	rules, err := netlink.Collect(c.Rules(ctx, rtnl.RuleFilter{Family: rtnl.FamilyIPv4}))
	if err != nil || len(rules) != 4 {
		t.Fatalf("rules: %d %v", len(rules), err)
	}
	if err := c.DeleteRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("198.19.99.0/24")}); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("deleting a missing route: %v", err)
	}
	if err := c.DeleteLink(ctx, l.Index); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Link(ctx, l.Index); !errors.Is(err, syscall.ENODEV) {
		t.Fatalf("deleted link: %v", err)
	}
}

// TestMirrorOnFake: a Mirror fed by the fake follows the changes made on
// another Conn, through the fake's notifications.
func TestMirrorOnFake(t *testing.T) {
	fake := rtnltest.NewFake()
	nl, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	m := rtnl.NewMirror(rtnl.MirrorConfig{Dialer: fake})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	<-m.Ready()
	if err := c.AddLink(ctx, rtnl.Link{Name: "m0", Info: &rtnl.UnknownKind{Kind: "ifb"}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.LinkByName(ctx, "m0")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetLinkUp(ctx, l.Index); err != nil {
		t.Fatal(err)
	}
	if err := c.AddAddress(ctx, rtnl.Address{Index: l.Index, Prefix: netip.MustParsePrefix("198.18.12.1/24")}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRoute(ctx, rtnl.Route{Dst: netip.MustParsePrefix("198.19.12.0/24"), Gateway: netip.MustParseAddr("198.18.12.2")}); err != nil {
		t.Fatal(err)
	}
	want, err := netlink.Collect(c.Routes(ctx, rtnl.RouteFilter{}))
	if err != nil {
		t.Fatal(err)
	}
	for range 200 {
		if len(m.RouteList()) == len(want) && len(m.LinkList()) == 2 && len(m.AddressList()) >= 1 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(m.RouteList()) != len(want) || len(m.LinkList()) != 2 {
		t.Fatalf("mirror has %d routes (want %d), %d links", len(m.RouteList()), len(want), len(m.LinkList()))
	}

	// Two IPv6 routes to one prefix through two links are two routes (the
	// kernel tells them apart by RTA_OIF), as every link's fe80::/64 is;
	// deleting one leaves the other.
	l2 := rtnl.Link{Name: "m1", Info: &rtnl.UnknownKind{Kind: "ifb"}}
	if err := c.AddLink(ctx, l2); err != nil {
		t.Fatal(err)
	}
	if l2, err = c.LinkByName(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetLinkUp(ctx, l2.Index); err != nil {
		t.Fatal(err)
	}
	dst6 := netip.MustParsePrefix("2001:db8:12::/64")
	for _, idx := range []int32{l.Index, l2.Index} {
		if err := c.AppendRoute(ctx, rtnl.Route{Dst: dst6, OutIndex: idx}); err != nil {
			t.Fatal(err)
		}
	}
	same := func(step string, want int) {
		t.Helper()
		var mine, kernel []rtnl.Route
		for range 200 {
			if kernel, err = c.RouteList(ctx, rtnl.RouteFilter{}); err != nil {
				t.Fatal(err)
			}
			if mine = m.RouteList(); sameRoutes(mine, kernel) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		n := 0
		for _, r := range mine {
			if r.Dst == dst6 {
				n++
			}
		}
		if !sameRoutes(mine, kernel) || n != want {
			t.Fatalf("%s: mirror %v (%d to %v, want %d), fake %v", step, mine, n, dst6, want, kernel)
		}
	}
	same("two IPv6 routes through two links", 2)
	if err := c.DeleteRoute(ctx, rtnl.Route{Dst: dst6, OutIndex: l2.Index}); err != nil {
		t.Fatal(err)
	}
	same("one deleted", 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
}

// sameRoutes compares two lists of routes as multisets of whole routes,
// the ages of expiring routes aside.
func sameRoutes(a, b []rtnl.Route) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
next:
	for _, r := range a {
		r.Expires = 0
		for i, o := range b {
			o.Expires = 0
			if !used[i] && reflect.DeepEqual(r, o) {
				used[i] = true
				continue next
			}
		}
		return false
	}
	return true
}

// TestResolverOnFake: a Resolver whose sockets come from the fake receives
// the requests a test multicasts in the kernel's place, and its answers
// and refusals become the fake's neighbour entries.
func TestResolverOnFake(t *testing.T) {
	fake := rtnltest.NewFake()
	nl, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.AddLink(ctx, rtnl.Link{Name: "r0", Info: &rtnl.Veth{PeerName: "r1"}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.LinkByName(ctx, "r0")
	if err != nil {
		t.Fatal(err)
	}

	r, err := rtnl.NewResolver(&rtnl.ResolverConfig{Dialer: fake})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// The kernel's request: RTM_GETNEIGH to RTNLGRP_NEIGH with an ndmsg
	// (family, ifindex, state incomplete) and NDA_DST.
	ask := func(addr netip.Addr) {
		t.Helper()
		b := make([]byte, 12)
		b[0] = syscall.AF_INET
		binary.NativeEndian.PutUint32(b[4:], uint32(l.Index))
		binary.NativeEndian.PutUint16(b[8:], uint16(rtnl.NeighborIncomplete))
		e := nlattr.NewEncoder(b)
		e.Bytes(1, addr.AsSlice()) // NDA_DST
		body, err := e.Finish()
		if err != nil {
			t.Fatal(err)
		}
		msg := netlink.Message{Header: netlink.Header{Type: syscall.RTM_GETNEIGH}, Data: body}
		if err := fake.Server().Notify(uint32(rtnl.GroupNeighbor), msg); err != nil {
			t.Fatal(err)
		}
	}
	next := func() rtnl.ResolveRequest {
		t.Helper()
		for req, err := range r.Requests(ctx) {
			if err != nil {
				t.Fatal(err)
			}
			return req
		}
		t.Fatal("no request")
		return rtnl.ResolveRequest{}
	}

	hw := net.HardwareAddr{2, 0, 0, 0, 9, 2}
	ask(netip.MustParseAddr("198.18.9.2"))
	req := next()
	if want := (rtnl.ResolveRequest{Index: l.Index, Family: rtnl.FamilyIPv4, Addr: netip.MustParseAddr("198.18.9.2")}); req != want {
		t.Fatalf("request %+v, want %+v", req, want)
	}
	if err := r.Answer(ctx, req, hw); err != nil {
		t.Fatal(err)
	}
	ask(netip.MustParseAddr("198.18.9.3"))
	// The answer's own RTM_NEWNEIGH notification comes first and is no
	// request: the stream skips it.
	req = next()
	if req.Addr != netip.MustParseAddr("198.18.9.3") {
		t.Fatalf("second request %+v", req)
	}
	if err := r.Refuse(ctx, req); err != nil {
		t.Fatal(err)
	}

	got := map[netip.Addr]rtnl.Neighbor{}
	for n, err := range c.Neighbors(ctx, rtnl.NeighborFilter{Index: l.Index}) {
		if err != nil {
			t.Fatal(err)
		}
		got[n.Addr] = n
	}
	if n := got[netip.MustParseAddr("198.18.9.2")]; n.State != rtnl.NeighborReachable || n.LinkAddr.String() != hw.String() {
		t.Errorf("answered entry: %+v", n)
	}
	if n := got[netip.MustParseAddr("198.18.9.3")]; n.State != rtnl.NeighborFailed {
		t.Errorf("refused entry: %+v", n)
	}
}
