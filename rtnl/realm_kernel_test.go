package rtnl

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

// TestKeyKernelRealms repeats against the kernel, as TestKeyKernelRules
// does, the experiments behind the realms' place in RouteKey: an IPv4
// route's realms (RTA_FLOW, nh_tclassid) are part of its fib_info, path
// by path, so routes that differ only in them are appended side by side
// and an exact repeat is refused with EEXIST; a multipath route's own
// RTA_FLOW must equal its first path's; DeleteRoute compares realms only
// along with a device or gateway (fib_nh_match); IPv6 ignores them. After
// each step no two routes share a key, the routes read back with their
// realms, and a Mirror equals a fresh dump.
func TestKeyKernelRealms(t *testing.T) {
	ns := kerneltest.NetNS(t)
	mirrorNoDAD(t, ns)
	c := testDial(t, ns)
	addVethPair(t, c, "kq0a", "kq0b")
	ctx := evCtx(t, 60*time.Second)
	l, err := c.LinkByName(ctx, "kq0a")
	if err != nil {
		t.Fatal(err)
	}
	a0 := l.Index
	if err := c.AddAddress(ctx, Address{Index: a0, Prefix: netip.MustParsePrefix("198.18.72.1/24")}); err != nil {
		t.Fatal(err)
	}
	m := startMirror(t, MirrorConfig{Netlink: &netlink.Config{NetNS: ns}})
	d4 := netip.MustParsePrefix("198.19.60.0/24")
	gw := func(s string) netip.Addr { return netip.MustParseAddr("198.18.72." + s) }
	dev := func(realms uint32) Route { return Route{Dst: d4, OutIndex: a0, Protocol: ProtoBoot, Realms: realms} }
	mp := func(top uint32, r1, r2 uint32, g2 string) Route {
		return Route{Dst: d4, Protocol: ProtoBoot, Realms: top, NextHops: []NextHop{
			{Gateway: gw("2"), OutIndex: a0, Realms: r1}, {Gateway: gw(g2), OutIndex: a0, Realms: r2}}}
	}
	steps := []struct {
		name string
		do   func() error
		want syscall.Errno
		n    int // IPv4 routes to d4 afterwards
	}{
		{"dev", func() error { return c.AppendRoute(ctx, dev(0)) }, 0, 1},
		{"dev realm 5", func() error { return c.AppendRoute(ctx, dev(5)) }, 0, 2},
		{"dev realm 5 again", func() error { return c.AppendRoute(ctx, dev(5)) }, syscall.EEXIST, 2},
		{"dev realms 3/5", func() error { return c.AppendRoute(ctx, dev(RealmsOf(3, 5))) }, 0, 3},
		{"two paths, realms 1 and 2", func() error { return c.AppendRoute(ctx, mp(0, 1, 2, "3")) }, 0, 4},
		{"the same again", func() error { return c.AppendRoute(ctx, mp(0, 1, 2, "3")) }, syscall.EEXIST, 4},
		{"second path realm 3", func() error { return c.AppendRoute(ctx, mp(0, 1, 3, "3")) }, 0, 5},
		{"own RTA_FLOW 7, first path 1", func() error { return c.AppendRoute(ctx, mp(7, 1, 4, "4")) }, syscall.EINVAL, 5},
		{"own RTA_FLOW 1, first path 1", func() error { return c.AppendRoute(ctx, mp(1, 1, 4, "4")) }, 0, 6},
		{"delete dev realm 9: no such route", func() error { return c.DeleteRoute(ctx, dev(9)) }, syscall.ESRCH, 6},
		{"delete realm 9 without dev: the first route", func() error {
			return c.DeleteRoute(ctx, Route{Dst: d4, Realms: 9})
		}, 0, 5},
		{"delete dev realms 3/5", func() error { return c.DeleteRoute(ctx, dev(RealmsOf(3, 5))) }, 0, 4},
		{"delete paths realms 1 and 9: no such route", func() error { return c.DeleteRoute(ctx, mp(0, 1, 9, "3")) }, syscall.ESRCH, 4},
		{"delete paths realms 1 and 3", func() error { return c.DeleteRoute(ctx, mp(0, 1, 3, "3")) }, 0, 3},
		{"IPv6 realm 5: accepted, dropped", func() error {
			return c.AddRoute(ctx, Route{Dst: netip.MustParsePrefix("2001:db8:360::/64"), OutIndex: a0, Realms: 5})
		}, 0, 3},
	}
	for _, s := range steps {
		err := s.do()
		switch {
		case s.want == 0 && err != nil:
			t.Fatalf("%s: %v", s.name, err)
		case s.want != 0 && !errors.Is(err, s.want):
			t.Fatalf("%s: %v, want %v", s.name, err, s.want)
		}
		rs, err := c.RouteList(ctx, RouteFilter{Table: TableMain})
		if err != nil {
			t.Fatal(err)
		}
		keys := map[RouteKey]bool{}
		n := 0
		for _, r := range rs {
			if keys[r.Key()] {
				t.Errorf("%s: two routes with key %v", s.name, r.Key())
			}
			keys[r.Key()] = true
			if r.Dst == d4 {
				n++
			}
			if r.Family == FamilyIPv6 && r.Realms != 0 {
				t.Errorf("%s: IPv6 route with realms: %v", s.name, r)
			}
		}
		if n != s.n {
			t.Errorf("%s: %d routes to %v, want %d: %v", s.name, n, d4, s.n, rs)
		}
		if diff, report := mirrorSettle(t, m, c, 100*time.Millisecond, 5*time.Second); diff != 0 {
			t.Fatalf("%s: the mirror differs from a fresh dump in %d objects:\n%s", s.name, diff, report)
		}
	}
	// The realms read back as they were sent, on the route and its paths.
	rs, err := c.RouteList(ctx, RouteFilter{Family: FamilyIPv4, Table: TableMain})
	if err != nil {
		t.Fatal(err)
	}
	var sawDev, sawPaths bool
	for _, r := range rs {
		if r.Dst != d4 {
			continue
		}
		sawDev = sawDev || r.Realms == 5 && r.OutIndex == a0
		sawPaths = sawPaths || len(r.NextHops) == 2 && r.NextHops[0].Realms == 1 && r.NextHops[1].Realms == 2 && r.Realms == 0
	}
	if !sawDev || !sawPaths {
		t.Errorf("realms not read back (dev %v, paths %v): %v", sawDev, sawPaths, rs)
	}
}
