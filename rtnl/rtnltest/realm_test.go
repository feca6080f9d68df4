package rtnltest_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

// realmRoute is a step that adds (or, with op, appends or deletes) r with
// realms on the route and on its paths.
func realmRoute(op string, r rt, realms uint32, pathRealms ...uint32) step {
	name := fmt.Sprintf("route %s %v realms %#x %#x", op, r, realms, pathRealms)
	return do(name, func(e *env) error {
		rr := e.route(r)
		rr.Realms = realms
		for i, pr := range pathRealms {
			rr.NextHops[i].Realms = pr
		}
		switch op {
		case "append":
			return e.c.AppendRoute(e.ctx, rr)
		case "del":
			return e.c.DeleteRoute(e.ctx, rr)
		}
		return e.c.AddRoute(e.ctx, rr)
	})
}

// distinctKeys is a step that lists the routes and fails if two share a
// RouteKey; it reports how many there are.
func distinctKeys() step {
	return step{"distinct keys", func(e *env) (string, error) {
		rs, err := e.c.RouteList(e.ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableMain})
		if err != nil {
			return "", err
		}
		seen := map[rtnl.RouteKey]bool{}
		for _, r := range rs {
			if seen[r.Key()] {
				return "", fmt.Errorf("two routes with key %v", r.Key())
			}
			seen[r.Key()] = true
		}
		return fmt.Sprintf("%d routes", len(rs)), nil
	}}
}

// lookupTos looks dst up with a TOS and reports the gateway and the TOS
// of the answer.
func lookupTos(dst string, tos uint8) step {
	return step{fmt.Sprintf("route get %s tos %#x", dst, tos), func(e *env) (string, error) {
		r, err := e.c.LookupRoute(e.ctx, rtnl.RouteQuery{Dst: ip(dst), Tos: tos})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("via=%v tos=%#x", r.Gateway, r.Tos), nil
	}}
}

// lookupNotify looks dst up with RTM_F_NOTIFY, fibmatch or not, and
// reports the answer's flags.
func lookupNotify(dst string, fibMatch bool) step {
	return step{fmt.Sprintf("route get %s notify fibmatch=%v", dst, fibMatch), func(e *env) (string, error) {
		r, err := e.c.LookupRoute(e.ctx, rtnl.RouteQuery{Dst: ip(dst), Notify: true, FIBMatch: fibMatch})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("flags=%#x", uint32(r.Flags)), nil
	}}
}

// realmScenarios: the realms of routes are part of an IPv4 route's
// identity (the kernel's fib_info compares nh_tclassid path by path),
// DeleteRoute compares them only with a device or gateway (fib_nh_match),
// IPv6 ignores them; lookups take the TOS; a veth's peer takes interface
// flags and a group from its own ifinfomsg.
func realmScenarios() []scenario {
	d := rt{dst: "10.9.0.0/16", dev: "va"}
	mp := func(a, b string) rt {
		return rt{dst: "10.9.0.0/16", nhs: []nh{{via: a, dev: "va"}, {via: b, dev: "va"}}}
	}
	return []scenario{
		{"realms", with(twoLinks,
			realmRoute("append", d, 0),
			realmRoute("append", d, 5),
			realmRoute("append", d, 5),
			realmRoute("append", d, rtnl.RealmsOf(3, 5)),
			realmRoute("append", rt{dst: "10.9.0.0/16", via: "10.1.0.2"}, 5),
			realmRoute("append", mp("10.1.0.2", "10.1.0.3"), 0, 1, 2),
			realmRoute("append", mp("10.1.0.2", "10.1.0.3"), 0, 1, 2),
			realmRoute("append", mp("10.1.0.2", "10.1.0.3"), 0, 1, 3),
			realmRoute("append", mp("10.1.0.2", "10.1.0.4"), 7, 1, 4),
			realmRoute("append", mp("10.1.0.2", "10.1.0.4"), 1, 1, 4),
			realmRoute("append", rt{dst: "10.8.0.0/16", typ: rtnl.RouteBlackhole}, 7),
			realmRoute("append", rt{dst: "10.8.0.0/16", typ: rtnl.RouteBlackhole}, 0),
			realmRoute("append", rt{dst: "10.8.0.0/16", typ: rtnl.RouteBlackhole}, 7),
			distinctKeys(),
			realmRoute("del", d, 9),
			realmRoute("del", rt{dst: "10.9.0.0/16"}, 9),
			realmRoute("del", d, rtnl.RealmsOf(3, 5)),
			realmRoute("del", mp("10.1.0.2", "10.1.0.3"), 0, 1, 9),
			realmRoute("del", mp("10.1.0.2", "10.1.0.3"), 0, 1, 3),
			distinctKeys(),
			realmRoute("add", rt{dst: "2001:db8:9::/64", dev: "va"}, 5),
		)},
		{"route get tos", with(twoLinks,
			do("route add 10.7.0.0/16 tos 0x10 via 10.1.0.2", func(e *env) error {
				return e.c.AddRoute(e.ctx, rtnl.Route{Dst: pfx("10.7.0.0/16"), Tos: 0x10, Gateway: ip("10.1.0.2")})
			}),
			lookupTos("10.7.0.1", 0x10), lookupTos("10.7.0.1", 0), lookupTos("10.1.0.9", 0x10),
			lookupNotify("10.1.0.9", false), lookupNotify("10.1.0.9", true), lookupNotify("2001:db8:1::9", false),
		)},
		{"vxlan without a VNI", []step{
			do("vxlan vz0, no VNI", func(e *env) error { return e.c.AddLink(e.ctx, rtnl.Link{Name: "vz0", Info: &rtnl.Vxlan{}}) }),
			do("vxlan vz1, no data", func(e *env) error { return e.c.AddLink(e.ctx, rtnl.Link{Name: "vz1", Kind: "vxlan"}) }),
		}},
		{"veth peer flags", []step{
			do("veth va peer vb noarp nomulticast group 4", func(e *env) error {
				g := uint32(4)
				return e.c.AddLink(e.ctx, rtnl.Link{Name: "va", Info: &rtnl.Veth{PeerName: "vb", PeerFlags: rtnl.LinkNoARP,
					PeerChange: rtnl.LinkNoARP | rtnl.LinkMulticast, PeerGroup: &g}})
			}),
			step{"peer vb", func(e *env) (string, error) {
				l, err := e.c.LinkByName(e.ctx, "vb")
				return fmt.Sprintf("noarp=%v multicast=%v group=%d", l.Flags&rtnl.LinkNoARP != 0, l.Flags&rtnl.LinkMulticast != 0, l.Group), err
			}},
			do("veth vc peer vd up", func(e *env) error {
				return e.c.AddLink(e.ctx, rtnl.Link{Name: "vc", Info: &rtnl.Veth{PeerName: "vd", PeerFlags: rtnl.LinkUp, PeerChange: rtnl.LinkUp}})
			}),
		}},
	}
}

// TestRealmsDifferential runs realmScenarios on the kernel and on the
// fake and compares every step and the final state, as TestDifferential.
func TestRealmsDifferential(t *testing.T) {
	kerneltest.Require(t)
	for _, sc := range realmScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			ns := kerneltest.NetNS(t)
			kc, err := rtnl.Dial(&netlink.Config{NetNS: ns})
			if err != nil {
				t.Fatal(err)
			}
			defer kc.Close()
			kw, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns, Groups: watchGroups()})
			if err != nil {
				t.Fatal(err)
			}
			kWatch := watch(ctx, kw)
			kSteps, kState := run(t, &env{ctx: ctx, c: kc}, sc)
			kEvents := kWatch()
			fake, fc := newFake(t)
			fw, err := fake.Dial(&netlink.Config{Groups: watchGroups()})
			if err != nil {
				t.Fatal(err)
			}
			fWatch := watch(ctx, fw)
			fSteps, fState := run(t, &env{ctx: ctx, c: fc}, sc)
			fEvents := fWatch()
			t.Logf("kernel:\n%s", joinLines(kSteps))
			compareLines(t, "steps", kSteps, fSteps)
			compareLines(t, "state", kState, fState)
			compareLines(t, "notifications", slices.Sorted(slices.Values(kEvents)), slices.Sorted(slices.Values(fEvents)))
		})
	}
}

func joinLines(l []string) string {
	s := ""
	for _, x := range l {
		s += "  " + x + "\n"
	}
	return s
}
