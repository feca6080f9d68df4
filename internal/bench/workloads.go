package main

import (
	"context"
	"fmt"
	"iter"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/rtnl"
	"golang.org/x/sys/unix"
)

// env is a throwaway namespace with an rtnl Conn in it.
type env struct {
	ns *netns.NS
	c  *rtnl.Conn
}

func newEnv() (*env, error) {
	ns, err := netns.New()
	if err != nil {
		return nil, fmt.Errorf("creating a namespace (run as root): %w", err)
	}
	c, err := rtnl.Dial(&netlink.Config{NetNS: ns, ReceiveBuffer: 8 << 20, SendBuffer: 8 << 20})
	if err != nil {
		ns.Close()
		return nil, err
	}
	return &env{ns: ns, c: c}, nil
}

func (e *env) close() {
	e.c.Close()
	e.ns.Close() // the namespace and everything in it goes with its last handle
}

// upLink creates an ifb link, up, and returns its index.
func (e *env) upLink(ctx context.Context, name string) (int32, error) {
	if err := e.c.AddLink(ctx, rtnl.Link{Name: name, Info: &rtnl.UnknownKind{Kind: "ifb"}}); err != nil {
		return 0, err
	}
	l, err := e.c.LinkByName(ctx, name)
	if err != nil {
		return 0, err
	}
	return l.Index, e.c.SetLinkUp(ctx, l.Index)
}

// countAll is a measurement that walks the dump of objects matching f
// (dump is c.Links, c.Routes ...) without keeping them, and counts them.
func countAll[T, F any](ctx context.Context, dump func(context.Context, F) iter.Seq2[T, error], f F) func() (int, error) {
	return func() (int, error) {
		n := 0
		for _, err := range dump(ctx, f) {
			if err != nil {
				return n, err
			}
			n++
		}
		return n, nil
	}
}

// testAddr is IPv4 address i%131072 of 198.18.0.0/15.
func testAddr(i int) netip.Addr {
	a := 198<<24 | 18<<16 + uint32(i%131072)
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}

// testRoute is route i of a workload: 198.18.0.0/15 holds 131,072 /32s,
// so routes beyond that go to further tables (1000, 1001, ...).
func testRoute(i int, link int32) rtnl.Route {
	return rtnl.Route{
		Dst:      netip.PrefixFrom(testAddr(i), 32),
		Table:    rtnl.Table(1000 + i/131072),
		OutIndex: link,
		Protocol: rtnl.ProtoStatic,
		// Spelled out so that the floor's prebuilt messages equal what the
		// API sends (MarshalBinary encodes a route exactly as given).
		Family: rtnl.FamilyIPv4,
		Type:   rtnl.RouteUnicast,
		Scope:  rtnl.ScopeLink,
	}
}

func routeSeq(n int, link int32) iter.Seq[rtnl.Route] {
	return func(yield func(rtnl.Route) bool) {
		for i := range n {
			if !yield(testRoute(i, link)) {
				return
			}
		}
	}
}

// routeMessages prebuilds the floor's requests.
func routeMessages(n int, link int32, typ uint16, flags uint16) ([][]byte, error) {
	out := make([][]byte, n)
	for i := range n {
		body, err := testRoute(i, link).MarshalBinary()
		if err != nil {
			return nil, err
		}
		m, err := netlink.AppendMessage(nil, netlink.Header{Type: netlink.MessageType(typ), Flags: netlink.Request | netlink.Flags(flags), Sequence: uint32(i)}, body)
		if err != nil {
			return nil, err
		}
		out[i] = m
	}
	return out, nil
}

// benchRouteDump: dump the IPv4 routes of a namespace holding o.routes of
// them, raw, streamed and collected.
func benchRouteDump(ctx context.Context, o options) ([]result, error) {
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	defer e.close()
	link, err := e.upLink(ctx, "r0")
	if err != nil {
		return nil, err
	}
	if err := e.c.AddRoutesSeq(ctx, routeSeq(o.routes, link)); err != nil {
		return nil, err
	}
	raw, err := openRaw(e.ns, unix.NETLINK_ROUTE, 0)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	buf := make([]byte, 1<<20)
	rtmsg := []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	floorRuns, err := rounds(o.reps, nil, func() (int, error) { return raw.dump(unix.RTM_GETROUTE, rtmsg, buf) })
	if err != nil {
		return nil, err
	}
	floor := floorRuns[0].m
	// Each path cold once, then warm: the stream first, RouteList before
	// Collect, so that neither slice path starts with the other's heap.
	var paths [3]struct{ warm, cold measure }
	for i, fn := range []func() (int, error){
		countAll(ctx, e.c.Routes, rtnl.RouteFilter{Family: rtnl.FamilyIPv4}),
		func() (int, error) {
			rs, err := e.c.RouteList(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4})
			return len(rs), err
		},
		func() (int, error) {
			rs, err := netlink.Collect(e.c.Routes(ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv4}))
			return len(rs), err
		},
	} {
		if paths[i].warm, paths[i].cold, err = warmCold(o.reps, true, fn); err != nil {
			return nil, err
		}
	}
	cold := func(i int) string {
		return fmt.Sprintf("cold %.2f", paths[i].cold.wall.Seconds()/floor.wall.Seconds())
	}
	w := fmt.Sprintf("dump %d IPv4 routes", floor.objects)
	return []result{
		{workload: w, path: "raw recvmsg (floor)", m: floor},
		{workload: w, path: "Routes iterator", m: paths[0].warm, floor: &floor, note: "target <= 1.25, RSS <= 32 MiB; " + cold(0)},
		{workload: w, path: "RouteList (slice)", m: paths[1].warm, floor: &floor, note: "target <= 1.6; " + cold(1)},
		{workload: w, path: "Collect(Routes)", m: paths[2].warm, floor: &floor, note: "generic Collect; " + cold(2)},
	}, nil
}

// benchInstall: install o.routes routes and delete them, raw pipelined and
// through the bulk API; then o.onebyone routes one request at a time.
func benchInstall(ctx context.Context, o options) ([]result, error) {
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	defer e.close()
	link, err := e.upLink(ctx, "i0")
	if err != nil {
		return nil, err
	}
	raw, err := openRaw(e.ns, unix.NETLINK_ROUTE, 0)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	buf := make([]byte, 1<<20)
	adds, err := routeMessages(o.routes, link, unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	if err != nil {
		return nil, err
	}
	dels, err := routeMessages(o.routes, link, unix.RTM_DELROUTE, 0)
	if err != nil {
		return nil, err
	}
	addChunks, delChunks := chunk(adds, 200<<10), chunk(dels, 200<<10)
	adds, dels = nil, nil
	check := func(failed int, err error) (int, error) {
		if err == nil && failed > 0 {
			err = fmt.Errorf("%d requests failed", failed)
		}
		return o.routes, err
	}
	// Rounds of floor add, floor delete, bulk add, bulk delete (each
	// delete empties the table again); medians of the per-round ratios.
	ts, err := rounds(min(o.reps, 3), nil,
		func() (int, error) { return check(raw.send(addChunks, buf)) },
		func() (int, error) { return check(raw.send(delChunks, buf)) },
		func() (int, error) { return o.routes, e.c.AddRoutesSeq(ctx, routeSeq(o.routes, link)) },
		func() (int, error) { return o.routes, e.c.DeleteRoutesSeq(ctx, routeSeq(o.routes, link)) })
	if err != nil {
		return nil, err
	}
	floorAdd, floorDel := ts[0].m, ts[1].m
	addRatio, delRatio := pairedRatio(ts[0], ts[2]), pairedRatio(ts[1], ts[3])
	// One request at a time: the floor sends each prebuilt request and
	// reads its ACK before the next; AddRoute does the same through the
	// API. Rounds of both, each followed by an unmeasured bulk delete.
	oneMsgs, err := routeMessages(o.onebyone, link, unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL)
	if err != nil {
		return nil, err
	}
	oneChunks := chunk(oneMsgs, 1) // one request per sendmsg, each with NLM_F_ACK
	var floorOne, one timed
	for range max(1, min(o.reps, 3)) {
		for _, p := range []struct {
			t  *timed
			fn func() (int, error)
		}{
			{&floorOne, func() (int, error) { return check(raw.send(oneChunks, buf)) }},
			{&one, func() (int, error) {
				for i := range o.onebyone {
					if err := e.c.AddRoute(ctx, testRoute(i, link)); err != nil {
						return i, err
					}
				}
				return o.onebyone, nil
			}},
		} {
			m, err := timeIt(false, p.fn)
			if err != nil {
				return nil, err
			}
			p.t.runs = append(p.t.runs, m)
			if err := e.c.DeleteRoutesSeq(ctx, routeSeq(o.onebyone, link)); err != nil {
				return nil, err
			}
		}
	}
	floorOne.m, one.m = median(floorOne.runs), median(one.runs)
	wa := fmt.Sprintf("install %d routes", o.routes)
	wd := fmt.Sprintf("delete %d routes", o.routes)
	wo := fmt.Sprintf("install %d routes", o.onebyone)
	return []result{
		{workload: wa, path: "raw pipelined sendmsg (floor)", m: floorAdd},
		{workload: wa, path: "AddRoutesSeq (bulk)", m: ts[2].m, ratio: addRatio, note: "target <= 1.1"},
		{workload: wd, path: "raw pipelined sendmsg (floor)", m: floorDel},
		{workload: wd, path: "DeleteRoutesSeq (bulk)", m: ts[3].m, ratio: delRatio, note: "target <= 1.1"},
		{workload: wo, path: "raw request, then ACK (floor)", m: floorOne.m},
		{workload: wo, path: "AddRoute one by one", m: one.m, ratio: pairedRatio(floorOne, one)},
	}, nil
}

// fleet is a namespace with many links (veth pairs), addresses and
// neighbours, shared by the link, address, neighbour and lookup workloads.
type fleet struct {
	*env
	links []rtnl.Link
}

func newFleet(ctx context.Context, o options) (*fleet, error) {
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	f := &fleet{env: e}
	for i := range o.links / 2 {
		if err := e.c.AddLink(ctx, rtnl.Link{Name: fmt.Sprintf("a%d", i), Info: &rtnl.Veth{PeerName: fmt.Sprintf("b%d", i)}}); err != nil {
			e.close()
			return nil, err
		}
	}
	for l, err := range e.c.Links(ctx, rtnl.LinkFilter{Kind: "veth"}) {
		if err != nil {
			e.close()
			return nil, err
		}
		f.links = append(f.links, l)
	}
	return f, nil
}

// benchLinks: dump the fleet's links.
func benchLinks(ctx context.Context, o options) ([]result, error) {
	f, err := newFleet(ctx, o)
	if err != nil {
		return nil, err
	}
	defer f.close()
	return dumpPair(ctx, f.env, o, fmt.Sprintf("dump %d links", len(f.links)+1), unix.RTM_GETLINK, make([]byte, 16),
		countAll(ctx, f.c.Links, rtnl.LinkFilter{}), "Links iterator")
}

// benchAddrsNeighs: dump o.addrs addresses and o.neighs neighbours spread
// over the fleet's links.
func benchAddrsNeighs(ctx context.Context, o options) ([]result, error) {
	f, err := newFleet(ctx, o)
	if err != nil {
		return nil, err
	}
	defer f.close()
	if len(f.links) == 0 {
		return nil, fmt.Errorf("no links")
	}
	addrs := make([]rtnl.Address, o.addrs)
	neighs := make([]rtnl.Neighbor, o.neighs)
	for i := range addrs {
		addrs[i] = rtnl.Address{Index: f.links[i%len(f.links)].Index, Prefix: netip.PrefixFrom(testAddr(i), 32)}
	}
	for i := range neighs {
		neighs[i] = rtnl.Neighbor{Index: f.links[i%len(f.links)].Index, Addr: testAddr(i),
			LinkAddr: net.HardwareAddr{2, 0, byte(i >> 16), byte(i >> 8), byte(i), 1}, State: rtnl.NeighborPermanent}
	}
	if err := f.c.AddAddresses(ctx, addrs); err != nil {
		return nil, err
	}
	if err := f.c.AddNeighbors(ctx, neighs); err != nil {
		return nil, err
	}
	ra, err := dumpPair(ctx, f.env, o, fmt.Sprintf("dump %d addresses", o.addrs), unix.RTM_GETADDR, []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0},
		countAll(ctx, f.c.Addresses, rtnl.AddressFilter{Family: rtnl.FamilyIPv4}), "Addresses iterator")
	if err != nil {
		return nil, err
	}
	rn, err := dumpPair(ctx, f.env, o, fmt.Sprintf("dump %d neighbours", o.neighs), unix.RTM_GETNEIGH, []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		countAll(ctx, f.c.Neighbors, rtnl.NeighborFilter{Family: rtnl.FamilyIPv4}), "Neighbors iterator")
	return append(ra, rn...), err
}

// dumpPair measures a raw dump and an nlkit dump of the same thing.
func dumpPair(ctx context.Context, e *env, o options, workload string, typ uint16, body []byte, nl func() (int, error), path string) ([]result, error) {
	raw, err := openRaw(e.ns, unix.NETLINK_ROUTE, 0)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	buf := make([]byte, 1<<20)
	// The core alone: netlink.Conn.Dump, messages counted, not decoded.
	core := func() (int, error) {
		n := 0
		for m, err := range e.c.Netlink().Dump(ctx, netlink.Message{Header: netlink.Header{Type: netlink.MessageType(typ)}, Data: body}) {
			if err != nil {
				return n, err
			}
			_ = m
			n++
		}
		return n, nil
	}
	ts, err := rounds(o.reps, nil, func() (int, error) { return raw.dump(typ, body, buf) }, core, nl)
	if err != nil {
		return nil, err
	}
	floor, m := ts[0].m, ts[2].m
	note := "target <= 1.3"
	if m.objects != floor.objects {
		note = fmt.Sprintf("COUNT MISMATCH: floor %d, nlkit %d", floor.objects, m.objects)
	}
	return []result{
		{workload: workload, path: "raw recvmsg (floor)", m: floor},
		{workload: workload, path: "netlink.Dump (undecoded)", m: ts[1].m, ratio: ts[1].ratio},
		{workload: workload, path: path, m: m, ratio: ts[2].ratio, note: note},
	}, nil
}

// benchLookups: per-call latency of LinkByName and LookupRoute in the fleet.
func benchLookups(ctx context.Context, o options) ([]result, error) {
	f, err := newFleet(ctx, o)
	if err != nil {
		return nil, err
	}
	defer f.close()
	if err := f.c.AddAddress(ctx, rtnl.Address{Index: f.links[0].Index, Prefix: netip.MustParsePrefix("198.18.0.1/16")}); err != nil {
		return nil, err
	}
	if err := f.c.SetLinkUp(ctx, f.links[0].Index); err != nil {
		return nil, err
	}
	lat := func(fn func(i int) error) (measure, string, error) {
		d := make([]time.Duration, o.lookups)
		m, err := timeIt(false, func() (int, error) {
			for i := range d {
				t0 := time.Now()
				if err := fn(i); err != nil {
					return i, err
				}
				d[i] = time.Since(t0)
			}
			return len(d), nil
		})
		slices.Sort(d)
		avg := m.wall / time.Duration(max(len(d), 1))
		return m, fmt.Sprintf("per call: avg %v, p50 %v, p99 %v (target < 50us)", avg.Round(100*time.Nanosecond),
			d[len(d)/2].Round(100*time.Nanosecond), d[len(d)*99/100].Round(100*time.Nanosecond)), err
	}
	byName, nb, err := lat(func(i int) error {
		_, err := f.c.LinkByName(ctx, f.links[i%len(f.links)].Name)
		return err
	})
	if err != nil {
		return nil, err
	}
	get, ng, err := lat(func(i int) error {
		_, err := f.c.LookupRoute(ctx, rtnl.RouteQuery{Dst: netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)})})
		return err
	})
	if err != nil {
		return nil, err
	}
	w := fmt.Sprintf("lookups, %d links", len(f.links)+1)
	return []result{
		{workload: w, path: "LinkByName", m: byName, note: nb},
		{workload: w, path: "LookupRoute", m: get, note: ng},
	}, nil
}
