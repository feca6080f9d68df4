package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/genl/netdev"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/ynl"
	gennetdev "github.com/nlkit/nlkit/ynl/gen/netdev"
	genrtroute "github.com/nlkit/nlkit/ynl/gen/rtroute"
	"golang.org/x/sys/unix"
)

// benchYnl: the same dumps through nlkit's hand-written clients, the code
// nlgen generated from a spec (ynl/gen) and the runtime client (package ynl,
// value trees), against the raw floor: o.ynlRoutes IPv4 routes (rt-route),
// and the devices of the namespace (netdev). The specs are read from
// o.ynlSpecs (ynl/testdata/specs, run from the repository's root).
func benchYnl(ctx context.Context, o options) ([]result, error) {
	routeSpec, err := ynl.SpecFile(filepath.Join(o.ynlSpecs, "rt-route.yaml"))
	if err != nil {
		return nil, err
	}
	netdevSpec, err := ynl.SpecFile(filepath.Join(o.ynlSpecs, "netdev.yaml"))
	if err != nil {
		return nil, err
	}
	e, err := newEnv()
	if err != nil {
		return nil, err
	}
	defer e.close()
	link, err := e.upLink(ctx, "y0")
	if err != nil {
		return nil, err
	}
	if err := e.c.AddRoutesSeq(ctx, routeSeq(o.ynlRoutes, link)); err != nil {
		return nil, err
	}
	cfg := &netlink.Config{NetNS: e.ns, ReceiveBuffer: 8 << 20}
	gen, err := genrtroute.Dial(cfg)
	if err != nil {
		return nil, err
	}
	defer gen.Close()
	rt, err := ynl.Dial(routeSpec, cfg)
	if err != nil {
		return nil, err
	}
	defer rt.Close()
	raw, err := openRaw(e.ns, unix.NETLINK_ROUTE, 0)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	buf := make([]byte, 1<<20)
	rtmsg := []byte{unix.AF_INET, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	v4 := &genrtroute.RouteAttrs{Header: genrtroute.Rtmsg{RtmFamily: unix.AF_INET}}
	ts, err := rounds(o.reps, nil,
		func() (int, error) { return raw.dump(unix.RTM_GETROUTE, rtmsg, buf) },
		countAll(ctx, e.c.Routes, rtnl.RouteFilter{Family: rtnl.FamilyIPv4}),
		countAll(ctx, gen.Routes, v4),
		func() (int, error) {
			n := 0
			for _, err := range rt.Dump(ctx, "getroute", map[string]any{"rtm-family": unix.AF_INET}) {
				if err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		})
	if err != nil {
		return nil, err
	}
	w := fmt.Sprintf("dump %d IPv4 routes (ynl)", ts[0].m.objects)
	// ratios to the hand-written client from the paired ratios to the
	// floor: both met the same noise round by round.
	hand := ts[1].ratio
	out := []result{
		{workload: w, path: "raw recvmsg (floor)", m: ts[0].m},
		{workload: w, path: "rtnl Routes (hand-written)", m: ts[1].m, ratio: ts[1].ratio},
		{workload: w, path: "nlgen rtroute Routes", m: ts[2].m, ratio: ts[2].ratio, note: fmt.Sprintf("%.2fx hand-written; goal <= 1.1", ts[2].ratio/hand)},
		{workload: w, path: "ynl runtime Dump", m: ts[3].m, ratio: ts[3].ratio, note: fmt.Sprintf("%.2fx hand-written; goal <= 3", ts[3].ratio/hand)},
	}
	for i := 1; i < 4; i++ {
		if ts[i].m.objects != ts[0].m.objects {
			out[i].note = fmt.Sprintf("COUNT MISMATCH: floor %d, path %d", ts[0].m.objects, ts[i].m.objects)
		}
	}

	// netdev: a few devices, many rounds (rounds repeats short dumps).
	for i := range o.ynlLinks {
		if _, err := e.upLink(ctx, fmt.Sprintf("yd%d", i)); err != nil {
			return nil, err
		}
	}
	nd, err := netdev.Dial(cfg)
	if err != nil {
		return nil, err
	}
	defer nd.Close()
	gnd, err := gennetdev.Dial(cfg)
	if err != nil {
		return nil, err
	}
	defer gnd.Close()
	rnd, err := ynl.Dial(netdevSpec, cfg)
	if err != nil {
		return nil, err
	}
	defer rnd.Close()
	graw, err := openRaw(e.ns, unix.NETLINK_GENERIC, 0)
	if err != nil {
		return nil, err
	}
	defer graw.close()
	family, err := genlFamilyID(ctx, cfg, "netdev")
	if err != nil {
		return nil, err
	}
	ts, err = rounds(o.reps, nil,
		func() (int, error) { return graw.dump(family, []byte{1, 1, 0, 0}, buf) }, // genlmsghdr: NETDEV_CMD_DEV_GET, version 1
		func() (int, error) {
			n := 0
			for _, err := range nd.Devices(ctx) {
				if err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		},
		countAll(ctx, gnd.Devices, (*gennetdev.Dev)(nil)),
		func() (int, error) {
			n := 0
			for _, err := range rnd.Dump(ctx, "dev-get", nil) {
				if err != nil {
					return n, err
				}
				n++
			}
			return n, nil
		})
	if err != nil {
		return nil, err
	}
	w = fmt.Sprintf("dump %d netdev devices (ynl)", ts[0].m.objects)
	hand = ts[1].ratio
	out = append(out,
		result{workload: w, path: "raw recvmsg (floor)", m: ts[0].m},
		result{workload: w, path: "netdev Devices (hand-written)", m: ts[1].m, ratio: ts[1].ratio},
		result{workload: w, path: "nlgen netdev Devices", m: ts[2].m, ratio: ts[2].ratio, note: fmt.Sprintf("%.2fx hand-written; goal <= 1.1", ts[2].ratio/hand)},
		result{workload: w, path: "ynl runtime Dump", m: ts[3].m, ratio: ts[3].ratio, note: fmt.Sprintf("%.2fx hand-written; goal <= 3", ts[3].ratio/hand)},
	)
	return out, nil
}

// genlFamilyID resolves a generic netlink family's id for the floor.
func genlFamilyID(ctx context.Context, cfg *netlink.Config, name string) (uint16, error) {
	g, err := genl.Dial(cfg)
	if err != nil {
		return 0, err
	}
	defer g.Close()
	f, err := g.Family(ctx, name)
	return f.ID, err
}
