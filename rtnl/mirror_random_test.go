//go:build linux

package rtnl

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

// TestMirrorDifferential changes a namespace at random and checks, after
// each sequence of changes, that Mirrors following it equal a fresh dump
// object for object (mirrorCompare, which does not use the Mirror's keys).
//
// The changes: veth pairs and bridges added, brought up and down, given
// ports, MTUs and deleted (with the link-local and multicast routes and
// addresses the kernel gives them); IPv4 and IPv6 addresses added,
// replaced and removed; routes of every type (unicast through a link,
// through gateways, multipath; local, broadcast, multicast, blackhole,
// unreachable, prohibit, throw) in several tables and at several metrics,
// added, appended, replaced, changed and removed whole, by one path, or by
// destination only; neighbour and proxy entries added, replaced and
// removed; and bursts of a thousand or more route changes.
//
// Two Mirrors follow: one with the default 8 MiB notification buffer,
// which sees every notification and so tests how each is applied; one
// with a 32 KiB buffer, which the bursts overrun, at random points of the
// sequences, and so tests the resynchronisation too.
//
// NLKIT_MIRROR_SEED sets the seed (it is logged; a failure names it),
// NLKIT_MIRROR_SEQUENCES and NLKIT_MIRROR_STEPS the size of the run
// (default 24 sequences of 40 steps, about 20 s); on a failure, the whole
// log of changes goes to the file NLKIT_MIRROR_LOG names, if set; and
// NLKIT_MIRROR_EACH_STEP=1 compares after every step, to find the change
// a difference comes from (slow).
func TestMirrorDifferential(t *testing.T) {
	ns := kerneltest.NetNS(t)
	mirrorNoDAD(t, ns)
	envInt := func(name string, def int64) int64 {
		if s := os.Getenv(name); s != "" {
			v, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.Fatalf("%s=%q: %v", name, s, err)
			}
			return v
		}
		return def
	}
	seed := envInt("NLKIT_MIRROR_SEED", time.Now().UnixNano())
	seqs := int(envInt("NLKIT_MIRROR_SEQUENCES", 24))
	steps := int(envInt("NLKIT_MIRROR_STEPS", 40))
	t.Logf("seed %d (NLKIT_MIRROR_SEED=%d repeats the changes), %d sequences of %d steps", seed, seed, seqs, steps)

	c := testDial(t, ns)
	mirrors := []struct {
		name string
		m    *Mirror
	}{
		{"8 MiB buffer", startMirror(t, MirrorConfig{Netlink: &netlink.Config{NetNS: ns}})},
		{"32 KiB buffer", startMirror(t, MirrorConfig{Netlink: &netlink.Config{NetNS: ns, ReceiveBuffer: 32 << 10}})},
	}
	w := &mirrorWorld{t: t, c: c, rng: rand.New(rand.NewPCG(uint64(seed), 0x6d6972726f72)), ctx: evCtx(t, 10*time.Minute),
		done: map[string]int{}, refused: map[string]int{}}
	// check compares both mirrors with the kernel; a difference ends
	// the test.
	check := func(s int) {
		t.Helper()
		for _, mm := range mirrors {
			if n, report := mirrorSettle(t, mm.m, c, 300*time.Millisecond, 10*time.Second); n != 0 {
				if path := os.Getenv("NLKIT_MIRROR_LOG"); path != "" {
					if err := os.WriteFile(path, []byte(w.lastLog(len(w.log))+"\n"), 0o644); err != nil {
						t.Error(err)
					}
				}
				t.Fatalf("seed %d, sequence %d: the mirror with a %s differs from a fresh dump in %d objects:\n%s\n\nlast changes:\n%s",
					seed, s, mm.name, n, report, w.lastLog(60))
			}
		}
	}
	eachStep := os.Getenv("NLKIT_MIRROR_EACH_STEP") != ""
	start := time.Now()
	for s := range seqs {
		// Some sequences change routes and neighbours only: no link or
		// address change, so no re-read of the routes that would hide a
		// notification applied wrong.
		routesOnly := w.chance(0.4)
		// Half of those use two destinations and two tables only, so that
		// routes meet in slots: appends, replaces, multipath groups.
		w.narrow = routesOnly && w.chance(0.5)
		for i := range steps {
			w.step(fmt.Sprintf("%d.%d", s, i), routesOnly)
			if eachStep {
				check(s)
			}
		}
		check(s)
	}
	var kinds []string
	total, ok := 0, 0
	for k, n := range w.done {
		kinds = append(kinds, fmt.Sprintf("%s %d/%d", k, n, n+w.refused[k]))
		total += n + w.refused[k]
		ok += n
	}
	for k, n := range w.refused {
		if w.done[k] == 0 {
			kinds = append(kinds, fmt.Sprintf("%s 0/%d", k, n))
			total += n
		}
	}
	slices.Sort(kinds)
	t.Logf("seed %d: %d sequences of %d steps: %d changes tried, %d made, %d refused by the kernel (%d bursts of %d route changes among them), in %v; no difference",
		seed, seqs, steps, total, ok, total-ok, w.bursts, w.burstChanges, time.Since(start).Round(time.Millisecond))
	t.Logf("changes made/tried: %s", strings.Join(kinds, ", "))
	for _, mm := range mirrors {
		st := mm.m.Stats()
		t.Logf("mirror with a %s: %d events applied, %d overruns, %d resyncs after them, %d partial re-reads, %d dump retries",
			mm.name, st.Events, st.Overruns, st.Resyncs-1, st.Partial, st.Retries)
	}
	if st := mirrors[1].m.Stats(); w.bursts > 0 && st.Overruns == 0 {
		t.Errorf("%d bursts caused no overrun in the mirror with a small buffer: the resync was not tested", w.bursts)
	}
}

// mirrorWorld makes the random changes of TestMirrorDifferential.
type mirrorWorld struct {
	t   *testing.T
	c   *Conn
	rng *rand.Rand
	ctx context.Context

	narrow               bool // few destinations and tables
	log                  []string
	done, refused        map[string]int
	bursts, burstChanges int
}

func (w *mirrorWorld) lastLog(n int) string {
	return strings.Join(w.log[max(0, len(w.log)-n):], "\n")
}

// record notes the outcome of a change: made, refused by the kernel (an
// errno), or a failure of the test.
func (w *mirrorWorld) record(id, kind, what string, err error) {
	w.t.Helper()
	res := "ok"
	if err != nil {
		res = err.Error()
		if _, ok := errors.AsType[*netlink.Error](err); !ok {
			if _, ok := errors.AsType[*netlink.BatchError](err); !ok {
				w.t.Fatalf("%s %s %s: %v\n%s", id, kind, what, err, w.lastLog(30))
			}
		}
		w.refused[kind]++
	} else {
		w.done[kind]++
	}
	w.log = append(w.log, fmt.Sprintf("%s %s %s %s: %s", time.Now().Format("15:04:05.000"), id, kind, what, res))
}

func (w *mirrorWorld) links() []Link {
	w.t.Helper()
	ls, err := w.c.LinkList(w.ctx, LinkFilter{})
	if err != nil {
		w.t.Fatal(err)
	}
	return slices.DeleteFunc(ls, func(l Link) bool { return l.Name == "lo" })
}

// pick returns a random element of xs (the zero value if there is none).
func pick[T any](rng *rand.Rand, xs []T) (T, bool) {
	if len(xs) == 0 {
		var zero T
		return zero, false
	}
	return xs[rng.IntN(len(xs))], true
}

func (w *mirrorWorld) chance(p float64) bool { return w.rng.Float64() < p }

// step makes one random change; with routesOnly, of routes and
// neighbour entries only.
func (w *mirrorWorld) step(id string, routesOnly bool) {
	type op struct {
		weight int
		fn     func(id string)
	}
	ops := []op{
		{10, w.route4}, {10, w.route6}, {7, w.deleteRoute}, {5, w.neighbor}, {1, w.burst},
	}
	if !routesOnly || len(w.links()) == 0 {
		ops = append(ops, []op{{4, w.addVeth}, {2, w.deleteLink}, {5, w.upDown}, {1, w.addBridge}, {3, w.port}, {1, w.mtu},
			{5, w.address4}, {4, w.address6}}...)
	}
	total := 0
	for _, o := range ops {
		total += o.weight
	}
	n := w.rng.IntN(total)
	for _, o := range ops {
		if n < o.weight {
			o.fn(id)
			return
		}
		n -= o.weight
	}
}

func (w *mirrorWorld) addVeth(id string) {
	have := map[string]bool{}
	for _, l := range w.links() {
		have[l.Name] = true
	}
	for i := range 4 {
		a, b := fmt.Sprintf("dv%da", i), fmt.Sprintf("dv%db", i)
		if have[a] || have[b] {
			continue
		}
		l := Link{Name: a, Info: &Veth{PeerName: b}}
		if w.chance(0.7) {
			l.Flags = LinkUp
		}
		err := w.c.AddLink(w.ctx, l)
		w.record(id, "add-veth", a+"/"+b, err)
		if err == nil && w.chance(0.7) {
			if p, err := w.c.LinkByName(w.ctx, b); err == nil {
				w.record(id, "link-up", b, w.c.SetLinkUp(w.ctx, p.Index))
			}
		}
		return
	}
}

func (w *mirrorWorld) addBridge(id string) {
	for i := range 2 {
		name := fmt.Sprintf("dbr%d", i)
		if _, err := w.c.LinkByName(w.ctx, name); err == nil {
			continue
		}
		l := Link{Name: name, Info: &Bridge{}}
		if w.chance(0.6) {
			l.Flags = LinkUp
		}
		w.record(id, "add-bridge", name, w.c.AddLink(w.ctx, l))
		return
	}
}

func (w *mirrorWorld) deleteLink(id string) {
	if l, ok := pick(w.rng, w.links()); ok {
		w.record(id, "delete-link", l.Name, w.c.DeleteLink(w.ctx, l.Index))
	}
}

func (w *mirrorWorld) upDown(id string) {
	if l, ok := pick(w.rng, w.links()); ok {
		if l.Flags&LinkUp != 0 {
			w.record(id, "link-down", l.Name, w.c.SetLinkDown(w.ctx, l.Index))
		} else {
			w.record(id, "link-up", l.Name, w.c.SetLinkUp(w.ctx, l.Index))
		}
	}
}

func (w *mirrorWorld) port(id string) {
	ls := w.links()
	var ports, bridges []Link
	for _, l := range ls {
		if l.Kind == "bridge" {
			bridges = append(bridges, l)
		} else {
			ports = append(ports, l)
		}
	}
	p, ok := pick(w.rng, ports)
	if !ok {
		return
	}
	if p.Master != 0 {
		w.record(id, "nomaster", p.Name, w.c.SetLinkNoMaster(w.ctx, p.Index))
		return
	}
	if br, ok := pick(w.rng, bridges); ok {
		w.record(id, "master", p.Name+" "+br.Name, w.c.SetLinkMaster(w.ctx, p.Index, br.Index))
	}
}

func (w *mirrorWorld) mtu(id string) {
	if l, ok := pick(w.rng, w.links()); ok {
		mtu := []uint32{1280, 1400, 1500}[w.rng.IntN(3)]
		w.record(id, "mtu", fmt.Sprintf("%s %d", l.Name, mtu), w.c.SetLink(w.ctx, l.Index, LinkChange{MTU: mtu}))
	}
}

// Addresses: 198.18.L.h and 2001:db8:L::h, L being the link's index.

func (w *mirrorWorld) address4(id string) {
	if w.chance(0.35) {
		w.deleteAddress(id, FamilyIPv4)
		return
	}
	l, ok := pick(w.rng, w.links())
	if !ok {
		return
	}
	bits := []int{24, 25, 32}[w.rng.IntN(3)]
	a := Address{Index: l.Index, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18, byte(l.Index), byte(1 + w.rng.IntN(3))}), bits)}
	if w.chance(0.2) {
		a.Peer = netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 18, byte(l.Index), byte(200 + w.rng.IntN(3))}), bits)
	}
	if w.chance(0.3) {
		w.record(id, "replace-addr", fmt.Sprintf("%v peer %v dev %s", a.Prefix, a.Peer, l.Name), w.c.ReplaceAddress(w.ctx, a))
		return
	}
	w.record(id, "add-addr", fmt.Sprintf("%v peer %v dev %s", a.Prefix, a.Peer, l.Name), w.c.AddAddress(w.ctx, a))
}

func (w *mirrorWorld) address6(id string) {
	if w.chance(0.35) {
		w.deleteAddress(id, FamilyIPv6)
		return
	}
	l, ok := pick(w.rng, w.links())
	if !ok {
		return
	}
	ip := [16]byte{0x20, 0x01, 0x0d, 0xb8, 0, byte(l.Index), 15: byte(1 + w.rng.IntN(3))}
	a := Address{Index: l.Index, Prefix: netip.PrefixFrom(netip.AddrFrom16(ip), []int{64, 80}[w.rng.IntN(2)]), Flags: AddressNoDAD}
	if w.chance(0.2) {
		ip[15] = byte(200 + w.rng.IntN(3))
		a.Peer = netip.PrefixFrom(netip.AddrFrom16(ip), a.Prefix.Bits())
	}
	if w.chance(0.3) {
		w.record(id, "replace-addr", fmt.Sprintf("%v peer %v dev %s", a.Prefix, a.Peer, l.Name), w.c.ReplaceAddress(w.ctx, a))
		return
	}
	w.record(id, "add-addr", fmt.Sprintf("%v peer %v dev %s", a.Prefix, a.Peer, l.Name), w.c.AddAddress(w.ctx, a))
}

func (w *mirrorWorld) deleteAddress(id string, fam Family) {
	as, err := w.c.AddressList(w.ctx, AddressFilter{Family: fam})
	if err != nil {
		w.t.Fatal(err)
	}
	as = slices.DeleteFunc(as, func(a Address) bool { return a.Index == 1 }) // lo's
	if a, ok := pick(w.rng, as); ok {
		w.record(id, "delete-addr", fmt.Sprintf("%v peer %v dev #%d", a.Prefix, a.Peer, a.Index), w.c.DeleteAddress(w.ctx, a))
	}
}

// Routes: destinations from small pools, so that routes share slots.

var (
	mirrorDst4 = []netip.Prefix{netip.MustParsePrefix("198.19.0.0/24"), netip.MustParsePrefix("198.19.1.0/24"),
		netip.MustParsePrefix("198.19.2.128/25"), netip.MustParsePrefix("0.0.0.0/0")}
	mirrorDst6 = []netip.Prefix{netip.MustParsePrefix("2001:db8:100::/64"), netip.MustParsePrefix("2001:db8:101::/64"),
		netip.MustParsePrefix("2001:db8:200::/56"), netip.MustParsePrefix("::/0")}
	mirrorSrc6   = netip.MustParsePrefix("2001:db8:aaaa::/64")
	mirrorTables = []Table{TableMain, TableMain, 100, 101}
)

// dstTable returns a random destination of pool and table.
func (w *mirrorWorld) dstTable(pool []netip.Prefix) (netip.Prefix, Table) {
	if w.narrow {
		return pool[w.rng.IntN(2)], []Table{TableMain, 100}[w.rng.IntN(2)]
	}
	return pool[w.rng.IntN(len(pool))], mirrorTables[w.rng.IntN(len(mirrorTables))]
}

// twoLinks returns two random links (the same one, possibly), preferring
// the ones that are up.
func (w *mirrorWorld) twoLinks() (Link, Link, bool) {
	ls := w.links()
	up := slices.DeleteFunc(slices.Clone(ls), func(l Link) bool { return l.Flags&LinkUp == 0 })
	if len(up) > 0 && w.chance(0.85) {
		ls = up
	}
	a, ok := pick(w.rng, ls)
	b, _ := pick(w.rng, ls)
	return a, b, ok
}

// change sends r with a random one of add, append, replace and change.
func (w *mirrorWorld) change(id string, r Route) {
	what := r.String()
	switch n := w.rng.IntN(10); {
	case n < 3:
		w.record(id, "add-route", what, w.c.AddRoute(w.ctx, r))
	case n < 6:
		w.record(id, "append-route", what, w.c.AppendRoute(w.ctx, r))
	case n < 9:
		w.record(id, "replace-route", what, w.c.ReplaceRoute(w.ctx, r))
	default:
		w.record(id, "change-route", what, w.c.ChangeRoute(w.ctx, r))
	}
}

func (w *mirrorWorld) route4(id string) {
	a, b, ok := w.twoLinks()
	if !ok {
		return
	}
	dst, table := w.dstTable(mirrorDst4)
	r := Route{Dst: dst, Table: table, Protocol: []Protocol{ProtoBoot, ProtoStatic}[w.rng.IntN(2)]}
	if w.chance(0.3) {
		r.Priority = 10
	}
	gw := func(l Link) netip.Addr {
		return netip.AddrFrom4([4]byte{198, 18, byte(l.Index), byte(2 + w.rng.IntN(3))})
	}
	switch n := w.rng.IntN(20); {
	case n < 4:
		r.OutIndex = a.Index
	case n < 8:
		r.Gateway, r.OutIndex, r.Flags = gw(a), a.Index, RouteFlagOnLink
	case n < 11:
		r.NextHops = []NextHop{{Gateway: gw(a), OutIndex: a.Index, Weight: 1 + w.rng.IntN(3), Flags: RouteFlagOnLink},
			{Gateway: gw(b), OutIndex: b.Index, Weight: 1 + w.rng.IntN(3), Flags: RouteFlagOnLink}}
	case n < 13:
		r.Type, r.OutIndex = []RouteType{RouteLocal, RouteBroadcast, RouteMulticast}[w.rng.IntN(3)], a.Index
		if w.chance(0.5) {
			r.Table = TableLocal
		}
	default:
		r.Type = []RouteType{RouteBlackhole, RouteUnreachable, RouteProhibit, RouteThrow}[w.rng.IntN(4)]
	}
	if w.chance(0.15) {
		r.Metrics = &Metrics{MTU: 1400}
	}
	if w.chance(0.1) {
		r.Tos = 0x10
	}
	if w.chance(0.1) && r.OutIndex != 0 {
		// One of the addresses address4 gives the link, perhaps.
		r.PrefSrc = netip.AddrFrom4([4]byte{198, 18, byte(r.OutIndex), byte(1 + w.rng.IntN(3))})
	}
	w.change(id, r)
}

func (w *mirrorWorld) route6(id string) {
	a, b, ok := w.twoLinks()
	if !ok {
		return
	}
	dst, table := w.dstTable(mirrorDst6)
	r := Route{Dst: dst, Table: table, Protocol: []Protocol{ProtoBoot, ProtoStatic}[w.rng.IntN(2)]}
	if w.chance(0.05) {
		r.Protocol = ProtoRA // joins multipath groups as the kernel's own ra routes do not
	}
	if w.chance(0.3) {
		r.Priority = 10
	}
	if w.chance(0.1) {
		r.Src = mirrorSrc6
	}
	gw := func() netip.Addr { return netip.AddrFrom16([16]byte{0xfe, 0x80, 15: byte(1 + w.rng.IntN(4))}) }
	switch n := w.rng.IntN(20); {
	case n < 6:
		r.OutIndex = a.Index
	case n < 11:
		r.Gateway, r.OutIndex = gw(), a.Index
	case n < 15:
		r.NextHops = []NextHop{{Gateway: gw(), OutIndex: a.Index, Weight: 1 + w.rng.IntN(3)},
			{Gateway: gw(), OutIndex: b.Index, Weight: 1 + w.rng.IntN(3)}}
	case n < 16:
		r.Type, r.OutIndex = RouteLocal, a.Index
	default:
		r.Type = []RouteType{RouteBlackhole, RouteUnreachable, RouteProhibit}[w.rng.IntN(3)]
	}
	if w.chance(0.1) {
		r.Metrics = &Metrics{MTU: 1400}
	}
	if w.chance(0.15) {
		// One of the addresses address6 gives the first link, perhaps:
		// the kernel drops it from the route, silently, when it goes.
		r.PrefSrc = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, byte(a.Index), 15: byte(1 + w.rng.IntN(3))})
	}
	w.change(id, r)
}

// deleteRoute removes a route of the pools: as the kernel described it,
// by one of its paths, or by destination only (the first that matches).
func (w *mirrorWorld) deleteRoute(id string) {
	rs, err := w.c.RouteList(w.ctx, RouteFilter{})
	if err != nil {
		w.t.Fatal(err)
	}
	rs = slices.DeleteFunc(rs, func(r Route) bool {
		return r.Protocol == ProtoKernel || !slices.Contains(mirrorDst4, r.Dst) && !slices.Contains(mirrorDst6, r.Dst)
	})
	r, ok := pick(w.rng, rs)
	if !ok {
		return
	}
	switch n := w.rng.IntN(4); {
	case n < 2:
		w.record(id, "delete-route", r.String(), w.c.DeleteRoute(w.ctx, r))
	case n < 3 && len(r.NextHops) > 0:
		nh, _ := pick(w.rng, r.NextHops)
		d := Route{Family: r.Family, Dst: r.Dst, Src: r.Src, Table: r.Table, Priority: r.Priority, HasPriority: true, Gateway: nh.Gateway, OutIndex: nh.OutIndex}
		w.record(id, "delete-path", d.String(), w.c.DeleteRoute(w.ctx, d))
	default:
		d := Route{Family: r.Family, Dst: r.Dst, Src: r.Src, Table: r.Table}
		w.record(id, "delete-dst", d.String(), w.c.DeleteRoute(w.ctx, d))
	}
}

func (w *mirrorWorld) neighbor(id string) {
	l, ok := pick(w.rng, w.links())
	if !ok {
		return
	}
	n := Neighbor{Index: l.Index, LinkAddr: net.HardwareAddr{2, 0, 0, 0, byte(l.Index), byte(w.rng.IntN(256))}}
	h := byte(50 + w.rng.IntN(4))
	if w.chance(0.5) {
		n.Addr = netip.AddrFrom4([4]byte{198, 18, byte(l.Index), h})
	} else {
		n.Addr = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 0, byte(l.Index), 15: h})
	}
	if w.chance(0.2) {
		// The proxy table, which the kernel changes without notifying.
		// Always with a link: Linux 6.18 keeps proxy entries without one
		// after their namespace is gone, and shows them in a later
		// namespace that gets the same memory (another test's).
		n.Flags, n.LinkAddr = NeighborProxy, nil
		if w.chance(0.4) {
			if ps, err := w.c.NeighborList(w.ctx, NeighborFilter{Proxy: true}); err == nil && len(ps) > 0 {
				n, _ = pick(w.rng, ps) // one that exists, mostly
			}
			w.record(id, "delete-proxy", n.Addr.String(), w.c.DeleteNeighbor(w.ctx, n))
		} else {
			w.record(id, "add-proxy", n.Addr.String(), w.c.ReplaceNeighbor(w.ctx, n))
		}
		return
	}
	n.State, n.HasState = []NeighborState{NeighborPermanent, NeighborNoARP, NeighborStale, NeighborReachable}[w.rng.IntN(4)], true
	what := fmt.Sprintf("%v %v dev %s %v", n.Addr, n.LinkAddr, l.Name, n.State)
	switch k := w.rng.IntN(3); k {
	case 0:
		w.record(id, "add-neigh", what, w.c.AddNeighbor(w.ctx, n))
	case 1:
		w.record(id, "replace-neigh", what, w.c.ReplaceNeighbor(w.ctx, n))
	default:
		if ns, err := w.c.NeighborList(w.ctx, NeighborFilter{}); err == nil && len(ns) > 0 {
			n, _ = pick(w.rng, ns) // one that exists, mostly
			what = fmt.Sprintf("%v dev #%d", n.Addr, n.Index)
		}
		w.record(id, "delete-neigh", what, w.c.DeleteNeighbor(w.ctx, n))
	}
}

// burst adds and removes a thousand or more blackhole routes in table
// 900, in batches: more notifications than a small buffer holds.
func (w *mirrorWorld) burst(id string) {
	n := 1000 + w.rng.IntN(1500)
	rs := make([]Route, n)
	for i := range rs {
		rs[i] = Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 19, byte(128 + i>>8), byte(i)}), 32), Table: 900, Type: RouteBlackhole}
	}
	w.record(id, "burst-add", strconv.Itoa(n), w.c.AddRoutes(w.ctx, rs))
	w.record(id, "burst-delete", strconv.Itoa(n), w.c.DeleteRoutes(w.ctx, rs))
	w.bursts++
	w.burstChanges += 2 * n
}
