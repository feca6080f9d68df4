package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"os/exec"

	"github.com/nlkit/nlkit/internal/cli"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/xfrm"
	"golang.org/x/sys/unix"
)

// xfrmPolicies are n distinct out policies with one ESP template, the
// shape a site-to-site VPN installs per subnet pair.
func xfrmPolicies(n int) []xfrm.Policy {
	ps := make([]xfrm.Policy, n)
	for i := range ps {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		ps[i] = xfrm.Policy{
			Selector:  xfrm.Selector{Src: netip.MustParsePrefix("198.18.0.0/24"), Dst: netip.PrefixFrom(a, 32)},
			Dir:       xfrm.DirOut,
			Templates: []xfrm.Template{{Proto: xfrm.ProtoESP, Mode: xfrm.ModeTunnel, ReqID: uint32(i), Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.1.1")}},
		}
	}
	return ps
}

// benchXfrm: install o.policies policies in bulk and dump them, against
// raw sockets moving the same bytes, and `nl xfrm policy list` against
// `ip xfrm policy list` on that table.
func benchXfrm(ctx context.Context, o options) ([]result, error) {
	var rnd [4]byte
	rand.Read(rnd[:])
	name := "nlkit-bench-" + hex.EncodeToString(rnd[:])
	ns, err := netns.NewNamed(name)
	if err != nil {
		return nil, fmt.Errorf("creating a namespace (run as root): %w", err)
	}
	defer netns.DeleteNamed(name)
	defer ns.Close()
	c, err := xfrm.Dial(&netlink.Config{NetNS: ns, ReceiveBuffer: 8 << 20, SendBuffer: 8 << 20})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	raw, err := openRaw(ns, unix.NETLINK_XFRM, 0)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	buf := make([]byte, 1<<20)
	n := o.policies
	ps := xfrmPolicies(n)
	// The floor's requests, prebuilt with the same encoder (encoding is
	// not what the floor measures).
	msgs := make([][]byte, n)
	for i := range ps {
		body, err := ps[i].MarshalBinary()
		if err != nil {
			return nil, err
		}
		msgs[i], _ = netlink.AppendMessage(nil, netlink.Header{Type: 0x13, Flags: netlink.Request, Sequence: uint32(i + 1)}, body)
	}
	chunks := chunk(msgs, 200<<10)
	msgs = nil
	flush := func() error { return c.FlushPolicies(ctx, xfrm.PolicyTypeMain) }
	check := func(failed int, err error) (int, error) {
		if err == nil && failed > 0 {
			err = fmt.Errorf("%d requests failed", failed)
		}
		return n, err
	}
	// Rounds of floor install and AddPolicies, each followed by an
	// unmeasured flush.
	var floorAdd, bulkAdd timed
	for range max(1, min(o.reps, 5)) {
		for _, p := range []struct {
			t  *timed
			fn func() (int, error)
		}{
			{&floorAdd, func() (int, error) { return check(raw.send(chunks, buf)) }},
			{&bulkAdd, func() (int, error) { return n, c.AddPolicies(ctx, ps) }},
		} {
			m, err := timeIt(false, p.fn)
			if err != nil {
				return nil, err
			}
			p.t.runs = append(p.t.runs, m)
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	floorAdd.m, bulkAdd.m = median(floorAdd.runs), median(bulkAdd.runs)

	// The table for the dumps.
	if err := c.AddPolicies(ctx, ps); err != nil {
		return nil, err
	}
	count := func() (int, error) {
		k := 0
		for _, err := range c.Policies(ctx) {
			if err != nil {
				return k, err
			}
			k++
		}
		return k, nil
	}
	list := func() (int, error) {
		l, err := c.PolicyList(ctx)
		return len(l), err
	}
	// The streamed dump and PolicyList take turns with the floor in
	// rounds of their own. Taking turns with both, the streamed dump ran
	// after PolicyList had left ~60 MB of garbage, and the runtime's
	// background scavenger returned it to the system during the stream,
	// which keeps both CPUs busy, not during the single-threaded floor:
	// 1.29 against 1.21 without it (same VM, 100,000 policies).
	floor := func() (int, error) { return raw.dump(0x15, nil, buf) }
	ts, err := rounds(o.reps, nil, floor, count)
	if err != nil {
		return nil, err
	}
	ls, err := rounds(o.reps, nil, floor, list)
	if err != nil {
		return nil, err
	}
	// The CLIs on the same table, text output discarded: ip (a process
	// of its own, as people run it) and nl's code in this process.
	ip := func() (int, error) {
		cmd := exec.Command("ip", "-n", name, "xfrm", "policy", "list")
		cmd.Stdout = io.Discard
		return n, cmd.Run()
	}
	nl := func() (int, error) {
		if code := cli.Run(ctx, []string{"-n", name, "xfrm", "policy", "list"}, io.Discard, io.Discard); code != 0 {
			return 0, fmt.Errorf("nl xfrm policy list: exit %d", code)
		}
		return n, nil
	}
	cl, err := rounds(min(o.reps, 3), nil, ip, nl)
	if err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	wi := fmt.Sprintf("install %d xfrm policies", n)
	wd := fmt.Sprintf("dump %d xfrm policies", n)
	wc := fmt.Sprintf("list %d xfrm policies (CLI)", n)
	return []result{
		{workload: wi, path: "raw pipelined sendmsg (floor)", m: floorAdd.m},
		{workload: wi, path: "AddPolicies (bulk)", m: bulkAdd.m, ratio: pairedRatio(floorAdd, bulkAdd), note: "target <= 1.15"},
		{workload: wd, path: "raw recvmsg (floor)", m: ts[0].m},
		{workload: wd, path: "Policies (streamed)", m: ts[1].m, ratio: ts[1].ratio, note: "target <= 1.25"},
		{workload: wd, path: "PolicyList", m: ls[1].m, ratio: ls[1].ratio},
		{workload: wc, path: "ip xfrm policy list (floor)", m: cl[0].m},
		{workload: wc, path: "nl xfrm policy list", m: cl[1].m, ratio: cl[1].ratio, note: "ratio to ip"},
	}, nil
}
