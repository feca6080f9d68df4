package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"os/exec"
	"time"

	"github.com/nlkit/nlkit/internal/cli"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// The conntrack workloads: a table of o.flows UDP flows made over netlink
// in a throwaway namespace (nf_conntrack_max is 262,144 and read-only in
// a namespace), dumped, created and deleted in bulk, against a raw
// NETLINK_NETFILTER floor; events received during a create storm; and
// nl conntrack -L against conntrack -L.

// ctFlow is flow i: 198.18.0.0/15 to one of four destinations, mark i%4.
func ctFlow(i int) conntrack.Flow {
	return conntrack.Flow{
		Orig: conntrack.Tuple{Src: testAddr(i), Dst: netip.AddrFrom4([4]byte{198, 19, 255, byte(1 + i%4)}), Proto: conntrack.ProtoUDP,
			SrcPort: uint16(1024 + i/131072), DstPort: 53},
		Timeout: time.Hour,
		Mark:    uint32(i % 4),
	}
}

// ctMessage is a whole request: netlink header and payload.
func ctMessage(typ uint8, flags uint16, payload []byte) []byte {
	b := make([]byte, 16, 16+len(payload))
	binary.NativeEndian.PutUint32(b[0:], uint32(16+len(payload)))
	binary.NativeEndian.PutUint16(b[4:], uint16(netfilter.SubsysCTNetlink)<<8|uint16(typ))
	binary.NativeEndian.PutUint16(b[6:], unix.NLM_F_REQUEST|flags)
	return append(b, payload...)
}

// ctDeletePayload is the payload of a deletion by original tuple, as
// DeleteFlows sends it without an id.
func ctDeletePayload(t conntrack.Tuple) []byte {
	b, _ := netfilter.Header{Family: netfilter.FamilyIPv4}.AppendBinary(nil)
	e := nlattr.NewEncoder(b)
	e.Nest(conntrack.AttrTupleOrig)
	e.Nest(1)
	e.Addr(1, t.Src)
	e.Addr(2, t.Dst)
	e.End()
	e.Nest(2)
	e.Uint8(1, t.Proto)
	e.Uint16BE(2, t.SrcPort)
	e.Uint16BE(3, t.DstPort)
	e.End()
	e.End()
	out, _ := e.Finish()
	return out
}

func benchConntrack(ctx context.Context, o options) ([]result, error) {
	name := fmt.Sprintf("nlkit-bench-ct-%d", os.Getpid())
	ns, err := netns.NewNamed(name)
	if err != nil {
		return nil, fmt.Errorf("creating a namespace (run as root): %w", err)
	}
	defer netns.DeleteNamed(name)
	defer ns.Close()
	c, err := conntrack.Dial(&netlink.Config{NetNS: ns, ReceiveBuffer: 8 << 20, SendBuffer: 8 << 20})
	if err != nil {
		return nil, err
	}
	defer c.Close()
	raw, err := openRaw(ns, unix.NETLINK_NETFILTER, 0)
	if err != nil {
		return nil, err
	}
	defer raw.close()
	buf := make([]byte, 1<<20)
	n := o.flows
	flows := make([]conntrack.Flow, n)
	adds, dels := make([][]byte, n), make([][]byte, n)
	for i := range flows {
		flows[i] = ctFlow(i)
		p, err := flows[i].MarshalBinary()
		if err != nil {
			return nil, err
		}
		adds[i] = ctMessage(0, unix.NLM_F_CREATE|unix.NLM_F_EXCL, p)
		dels[i] = ctMessage(2, 0, ctDeletePayload(flows[i].Orig))
	}
	addChunks, delChunks := chunk(adds, 200<<10), chunk(dels, 200<<10)
	check := func(failed int, err error) (int, error) {
		if err == nil && failed > 0 {
			err = fmt.Errorf("%d requests failed", failed)
		}
		return n, err
	}

	// Bulk create and delete: floor add, floor delete, AddFlows,
	// DeleteFlows, in rounds (each delete empties the table).
	ts, err := rounds(min(o.reps, 3), nil,
		func() (int, error) { return check(raw.send(addChunks, buf)) },
		func() (int, error) { return check(raw.send(delChunks, buf)) },
		func() (int, error) { return n, c.AddFlows(ctx, flows) },
		func() (int, error) { return n, c.DeleteFlows(ctx, flows) })
	if err != nil {
		return nil, err
	}
	wa, wd := fmt.Sprintf("create %d flows", n), fmt.Sprintf("delete %d flows", n)
	res := []result{
		{workload: wa, path: "raw pipelined sendmsg (floor)", m: ts[0].m},
		{workload: wa, path: "AddFlows (bulk)", m: ts[2].m, ratio: pairedRatio(ts[0], ts[2]), note: "target <= 1.2"},
		{workload: wd, path: "raw pipelined sendmsg (floor)", m: ts[1].m},
		{workload: wd, path: "DeleteFlows (bulk)", m: ts[3].m, ratio: pairedRatio(ts[1], ts[3]), note: "target <= 1.2"},
	}

	// Events during a create storm: conntrackd's largest default buffer
	// (8 MiB), and a large one.
	for _, size := range []int{8 << 20, 64 << 20} {
		er, err := ctEventStorm(ctx, ns, c, flows, raw, delChunks, buf, size)
		if err != nil {
			return nil, err
		}
		res = append(res, er...)
	}

	// Dumps of the full table.
	if err := c.AddFlows(ctx, flows); err != nil {
		return nil, err
	}
	dumpBody := []byte{unix.AF_INET, 0, 0, 0}
	ctGet := uint16(netfilter.SubsysCTNetlink)<<8 | 1
	streamed := func() (int, error) {
		k := 0
		for _, err := range c.Flows(ctx, conntrack.FlowFilter{}) {
			if err != nil {
				return k, err
			}
			k++
		}
		return k, nil
	}
	slice := func() (int, error) {
		l, err := c.FlowList(ctx, conntrack.FlowFilter{})
		return len(l), err
	}
	dt, err := rounds(o.reps, nil, func() (int, error) { return raw.dump(ctGet, dumpBody, buf) }, streamed, slice)
	if err != nil {
		return nil, err
	}
	wdump := fmt.Sprintf("dump %d flows", n)
	note := "target <= 1.25, constant memory"
	if dt[1].m.objects != dt[0].m.objects {
		note = fmt.Sprintf("COUNT MISMATCH: floor %d, nlkit %d", dt[0].m.objects, dt[1].m.objects)
	}
	res = append(res,
		result{workload: wdump, path: "raw recvmsg (floor)", m: dt[0].m},
		result{workload: wdump, path: "Flows iterator", m: dt[1].m, ratio: dt[1].ratio, note: note},
		result{workload: wdump, path: "FlowList (slice)", m: dt[2].m, ratio: dt[2].ratio})

	// Filtered delete: a quarter of the flows by mark. The floor dumps with
	// the same kernel filter, undecoded, then sends prebuilt deletions of
	// those flows; nlkit reads them (FlowList) and deletes them
	// (DeleteFlows). The table is refilled before each run.
	markBody := ctMarkFilter(2)
	var markDels [][]byte
	for i := range flows {
		if flows[i].Mark == 2 {
			markDels = append(markDels, dels[i])
		}
	}
	markChunks := chunk(markDels, 200<<10)
	refill := func() error {
		for _, f := range flows {
			if f.Mark == 2 {
				if err := c.AddFlow(ctx, f); err != nil && !errors.Is(err, unix.EEXIST) {
					return err
				}
			}
		}
		return nil
	}
	var fFloor, fPath timed
	for range max(1, min(o.reps, 3)) {
		for _, p := range []struct {
			t  *timed
			fn func() (int, error)
		}{
			{&fFloor, func() (int, error) {
				k, err := raw.dump(ctGet, markBody, buf)
				if err != nil {
					return k, err
				}
				failed, err := raw.send(markChunks, buf)
				if err == nil && failed > 0 {
					err = fmt.Errorf("%d deletions failed", failed)
				}
				return k, err
			}},
			{&fPath, func() (int, error) {
				sel, err := c.FlowList(ctx, conntrack.FlowFilter{Mark: 2, MarkMask: 0xffffffff})
				if err != nil {
					return 0, err
				}
				return len(sel), c.DeleteFlows(ctx, sel)
			}},
		} {
			m, err := timeIt(false, p.fn)
			if err != nil {
				return nil, err
			}
			p.t.runs = append(p.t.runs, m)
			if err := refill(); err != nil {
				return nil, err
			}
		}
	}
	fFloor.m, fPath.m = median(fFloor.runs), median(fPath.runs)
	wf := fmt.Sprintf("delete %d flows by mark of %d", len(markDels), n)
	res = append(res,
		result{workload: wf, path: "raw filtered dump + sendmsg (floor)", m: fFloor.m},
		result{workload: wf, path: "FlowList(filter) + DeleteFlows", m: fPath.m, ratio: pairedRatio(fFloor, fPath), note: "target <= 1.2"})

	// nl conntrack -L against conntrack -L, output thrown away. nl runs in
	// this process (no exec); conntrack is exec'd (its start-up, a few
	// milliseconds, is included).
	var nlRuns, toolRuns timed
	tool, lookErr := exec.LookPath("conntrack")
	for range max(1, min(o.reps, 3)) {
		m, err := timeIt(false, func() (int, error) {
			if code := cli.Run(ctx, []string{"-n", name, "conntrack", "-L"}, io.Discard, io.Discard); code != 0 {
				return 0, fmt.Errorf("nl conntrack -L: exit %d", code)
			}
			return n, nil
		})
		if err != nil {
			return nil, err
		}
		nlRuns.runs = append(nlRuns.runs, m)
		if lookErr != nil {
			continue
		}
		m, err = timeIt(false, func() (int, error) {
			cmd := exec.Command("ip", "netns", "exec", name, tool, "-L")
			return n, cmd.Run()
		})
		if err != nil {
			return nil, err
		}
		toolRuns.runs = append(toolRuns.runs, m)
	}
	nlRuns.m = median(nlRuns.runs)
	wl := fmt.Sprintf("list %d flows as text", n)
	if lookErr == nil {
		toolRuns.m = median(toolRuns.runs)
		res = append(res,
			result{workload: wl, path: "conntrack -L (exec'd)", m: toolRuns.m, note: "the comparison, not a floor"},
			result{workload: wl, path: "nl conntrack -L (in process)", m: nlRuns.m, ratio: pairedRatio(toolRuns, nlRuns), note: "x conntrack -L"})
	} else {
		res = append(res, result{workload: wl, path: "nl conntrack -L (in process)", m: nlRuns.m, note: "conntrack not installed"})
	}
	return res, c.FlushFlows(ctx, netfilter.FamilyUnspec)
}

// ctMarkFilter is a dump request body selecting mark m (CTA_MARK and
// CTA_MARK_MASK).
func ctMarkFilter(m uint32) []byte {
	b, _ := netfilter.Header{Family: netfilter.FamilyIPv4}.AppendBinary(nil)
	e := nlattr.NewEncoder(b)
	e.Uint32BE(conntrack.AttrMark, m)
	e.Uint32BE(conntrack.AttrMarkMask, 0xffffffff)
	out, _ := e.Finish()
	return out
}

// ctEventStorm creates every flow in bulk while an Events subscriber with
// a receive buffer of size bytes counts the new events, and reports the
// rate and the losses. The table is emptied again (unmeasured) afterwards.
func ctEventStorm(ctx context.Context, ns *netns.NS, c *conntrack.Conn, flows []conntrack.Flow, raw *rawSock, delChunks [][]byte, buf []byte, size int) ([]result, error) {
	ec, err := conntrack.Dial(&netlink.Config{NetNS: ns, ReceiveBuffer: size})
	if err != nil {
		return nil, err
	}
	defer ec.Close()
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	type tally struct {
		events, overruns int
		first, last      time.Time
	}
	done := make(chan tally, 1)
	ready := make(chan struct{})
	go func() {
		var t tally
		go func() { time.Sleep(100 * time.Millisecond); close(ready) }()
		for _, err := range ec.Events(ectx, conntrack.EventFilter{Types: conntrack.EventNew}) {
			if errors.Is(err, netlink.ErrOverrun) {
				t.overruns++
				continue
			}
			if err != nil {
				break
			}
			if t.events == 0 {
				t.first = time.Now()
			}
			t.events++
			t.last = time.Now()
			if t.events == len(flows) {
				break
			}
		}
		done <- t
	}()
	<-ready
	t0 := time.Now()
	if err := c.AddFlows(ctx, flows); err != nil {
		return nil, err
	}
	created := time.Since(t0)
	var t tally
	select {
	case t = <-done:
	case <-time.After(10 * time.Second):
		cancel()
		t = <-done
	}
	drops, _ := ec.Netfilter().Netlink().KernelDrops()
	if _, err := raw.send(delChunks, buf); err != nil {
		return nil, err
	}
	rate := 0.0
	if span := t.last.Sub(t0); span > 0 {
		rate = float64(t.events) / span.Seconds()
	}
	return []result{{workload: fmt.Sprintf("events during the creation of %d flows", len(flows)), path: fmt.Sprintf("Events, %d MiB buffer", size>>20),
		m: measure{wall: t.last.Sub(t0), objects: t.events},
		note: fmt.Sprintf("%.0f events/s; %d received, %d lost (kernel drops), %d overruns; creation took %v",
			rate, t.events, drops, t.overruns, created.Round(time.Millisecond))}}, nil
}
