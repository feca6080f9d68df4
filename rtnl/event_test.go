package rtnl

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

func evCtx(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// evIfb adds an ifb link, up, and returns its index.
func evIfb(t testing.TB, c *Conn, name string) int32 {
	t.Helper()
	ctx := evCtx(t, 10*time.Second)
	if err := c.AddLink(ctx, Link{Name: name, Info: &UnknownKind{Kind: "ifb"}}); err != nil {
		t.Fatal(err)
	}
	l, err := c.LinkByName(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetLinkUp(ctx, l.Index); err != nil {
		t.Fatal(err)
	}
	return l.Index
}

// TestWatchEvents: each kind of change is seen, new and deleted, with the
// object decoded.
func TestWatchEvents(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	ctx := evCtx(t, 20*time.Second)
	events := make(chan Event, 1024)
	errc := make(chan error, 1)
	started := make(chan struct{})
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		first := true
		for ev, err := range Events(wctx, &netlink.Config{NetNS: ns}) {
			if first {
				first = false
			}
			if err != nil {
				errc <- err
				return
			}
			events <- ev
		}
	}()
	// Events subscribes when iteration starts; give it a moment, then check
	// with a first change that it sees it.
	close(started)
	time.Sleep(50 * time.Millisecond)
	idx := evIfb(t, c, "ev0")
	addr := Address{Index: idx, Prefix: netip.MustParsePrefix("198.18.5.1/24")}
	if err := c.AddAddress(ctx, addr); err != nil {
		t.Fatal(err)
	}
	route := Route{Dst: netip.MustParsePrefix("198.19.0.0/16"), Gateway: netip.MustParseAddr("198.18.5.2"), OutIndex: idx}
	if err := c.AddRoute(ctx, route); err != nil {
		t.Fatal(err)
	}
	neigh := Neighbor{Index: idx, Addr: netip.MustParseAddr("198.18.5.3"), LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 3}}
	if err := c.AddNeighbor(ctx, neigh); err != nil {
		t.Fatal(err)
	}
	rule := Rule{Family: FamilyIPv4, Priority: 1000, Table: 100, Src: netip.MustParsePrefix("198.18.7.0/24")}
	if err := c.AddRule(ctx, rule); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRoute(ctx, route); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteLink(ctx, idx); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"link new ev0": false, "address new 198.18.5.1/24": false, "route new 198.19.0.0/16": false,
		"neigh new 198.18.5.3": false, "rule new 1000": false, "route del 198.19.0.0/16": false, "link del ev0": false,
	}
	missing := len(want)
	for missing > 0 {
		select {
		case err := <-errc:
			t.Fatal(err)
		case ev := <-events:
			verb := "new"
			if ev.Deleted {
				verb = "del"
			}
			var name string
			switch ev.Kind {
			case EventLink:
				name = ev.Link.Name
			case EventAddress:
				name = ev.Address.Prefix.String()
			case EventRoute:
				name = ev.Route.Dst.String()
			case EventNeighbor:
				name = ev.Neighbor.Addr.String()
			case EventRule:
				name = fmt.Sprint(ev.Rule.Priority)
			}
			key := ev.Kind.String() + " " + verb + " " + name
			if seen, ok := want[key]; ok && !seen {
				want[key] = true
				missing--
			}
			if ev.NSID != -1 {
				t.Fatalf("NSID %d for an event of the watcher's own namespace", ev.NSID)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("events not seen: %v", want)
		}
	}
}

// TestWatchStaysInNamespace: events raised in namespace A are seen by a
// watcher in A and not by one in B.
func TestWatchStaysInNamespace(t *testing.T) {
	a, b := kerneltest.NetNS(t), kerneltest.NetNS(t)
	ctx := evCtx(t, 10*time.Second)
	got := make(chan string, 16)
	watch := func(ns *netns.NS, tag string) {
		wctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		for ev, err := range Events(wctx, &netlink.Config{NetNS: ns}, GroupLink) {
			if err != nil {
				return
			}
			got <- tag + ":" + ev.Link.Name
		}
	}
	go watch(a, "A")
	go watch(b, "B")
	time.Sleep(100 * time.Millisecond)
	evIfb(t, testDial(t, a), "only-a")
	deadline := time.After(1500 * time.Millisecond)
	sawA := false
	for {
		select {
		case s := <-got:
			if s[0] == 'B' {
				t.Fatalf("watcher in B saw %q", s)
			}
			sawA = true
		case <-deadline:
			if !sawA {
				t.Fatal("watcher in A saw nothing")
			}
			return
		}
	}
}

// TestWatchCancelCycles: hundreds of watch/cancel cycles with a consumer
// that stopped reading leave no goroutine behind.
func TestWatchCancelCycles(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	settle := func() int {
		for range 20 {
			runtime.GC()
			time.Sleep(5 * time.Millisecond)
		}
		return runtime.NumGoroutine()
	}
	before := settle()
	for i := range 500 {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for _, err := range Events(ctx, &netlink.Config{NetNS: ns}, GroupLink) {
				if err != nil {
					return
				}
				<-ctx.Done() // stopped reading
			}
		}()
		if i%100 == 0 {
			time.Sleep(10 * time.Millisecond)
			evIfb(t, c, fmt.Sprintf("cyc%d", i))
		}
		cancel()
		<-done
	}
	after := settle()
	t.Logf("goroutines %d -> %d after 500 watch/cancel cycles", before, after)
	if after > before+2 {
		t.Fatalf("goroutines %d -> %d", before, after)
	}
}

// TestMirrorStorm: a storm of 100,000 route changes against a mirror whose
// notification socket has a tiny receive buffer. The kernel drops
// notifications; the mirror is told, resynchronises, and its snapshot ends
// equal to a fresh dump.
func TestMirrorStorm(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	idx := evIfb(t, c, "storm0")
	if err := c.AddAddress(evCtx(t, 5*time.Second), Address{Index: idx, Prefix: netip.MustParsePrefix("198.18.0.1/16")}); err != nil {
		t.Fatal(err)
	}
	m := NewMirror(MirrorConfig{Netlink: &netlink.Config{NetNS: ns, ReceiveBuffer: 16 << 10}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	runErr := make(chan error, 1)
	go func() { runErr <- m.Run(ctx) }()
	select {
	case <-m.Ready():
	case err := <-runErr:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("mirror not ready")
	}
	routes := func(from, to int) []Route {
		out := make([]Route, 0, to-from)
		for i := from; i < to; i++ {
			out = append(out, Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 19, byte(i >> 8), byte(i)}), 32), OutIndex: idx})
		}
		return out
	}
	sctx := evCtx(t, 60*time.Second)
	// 50,000 adds, 25,000 deletes, 25,000 adds: 100,000 changes.
	if err := c.AddRoutes(sctx, routes(0, 50000)); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteRoutes(sctx, routes(0, 25000)); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRoutes(sctx, routes(50000, 65536)); err != nil {
		t.Fatal(err)
	}
	if err := c.AddRoutes(sctx, routes(0, 9464)); err != nil {
		t.Fatal(err)
	}
	// The mirror catches up by itself; wait until it equals a fresh dump.
	diff, report := mirrorSettle(t, m, c, 300*time.Millisecond, 20*time.Second)
	st := m.Stats()
	t.Logf("storm of 100,000 route changes: overruns detected %d, resynchronised %d (full) + %d (partial), events applied %d, dump retries %d; differences from a fresh dump: %d",
		st.Overruns, st.Resyncs-1, st.Partial, st.Events, st.Retries, diff)
	if diff != 0 {
		t.Fatalf("mirror differs from a fresh dump in %d entries:\n%s", diff, report)
	}
	if st.Overruns == 0 || st.Resyncs < 2 {
		t.Fatalf("the storm caused no overrun/resync (%+v): the test did not test it", st)
	}
	if n := len(m.RouteList()); n < 50000 {
		t.Fatalf("mirror holds %d routes", n)
	}
	cancel()
	if err := <-runErr; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
}
