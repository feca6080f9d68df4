package cttest_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netfilter/conntrack/cttest"
	"github.com/nlkit/nlkit/netlink"
)

func dial(t *testing.T, f *cttest.Fake) *conntrack.Conn {
	t.Helper()
	nl, err := f.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nl.Close() })
	return conntrack.NewConn(netfilter.NewConn(nl))
}

func flow(i int) conntrack.Flow {
	return conntrack.Flow{Orig: conntrack.Tuple{Src: netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}), Dst: netip.MustParseAddr("198.19.0.1"),
		Proto: conntrack.ProtoUDP, SrcPort: uint16(1000 + i), DstPort: 53}, Timeout: time.Minute, Mark: uint32(i % 3)}
}

// TestFake: the operations of package conntrack against the fake, without
// root.
func TestFake(t *testing.T) {
	f := cttest.New()
	c := dial(t, f)
	ctx := context.Background()
	if err := c.AddFlows(ctx, []conntrack.Flow{flow(1), flow(2), flow(3)}); err != nil {
		t.Fatal(err)
	}
	if err := c.AddFlow(ctx, flow(1)); !errors.Is(err, syscall.EEXIST) {
		t.Fatalf("add twice: %v", err)
	}
	g, err := c.Flow(ctx, flow(2).Orig, 0)
	if err != nil || g.Mark != 2 || g.ID == 0 || g.Reply != flow(2).Orig.Reverse() || g.Status&conntrack.StatusConfirmed == 0 {
		t.Fatalf("get: %+v %v", g, err)
	}
	mark := uint32(9)
	if err := c.ChangeFlow(ctx, flow(2).Orig, 0, conntrack.FlowChange{Mark: &mark}); err != nil {
		t.Fatal(err)
	}
	if l, err := c.FlowList(ctx, conntrack.FlowFilter{Mark: 9, MarkMask: 0xffffffff}); err != nil || len(l) != 1 || l[0].Orig != flow(2).Orig {
		t.Fatalf("filtered dump: %+v %v", l, err)
	}
	if st, err := c.Stats(ctx); err != nil || st.Entries != 3 || st.MaxEntries != cttest.MaxEntries {
		t.Fatalf("stats %+v %v", st, err)
	}
	all, _ := c.FlowList(ctx, conntrack.FlowFilter{})
	if err := c.DeleteFlows(ctx, all[:2]); err != nil {
		t.Fatal(err)
	}
	err = c.DeleteFlows(ctx, all)
	var be *netlink.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 2 || be.Failures[1].Index != 1 {
		t.Fatalf("delete again: %v", err)
	}
	if err := c.FlushFlows(ctx, netfilter.FamilyUnspec); err != nil {
		t.Fatal(err)
	}
	if l := f.FlowList(); len(l) != 0 {
		t.Fatalf("after flush: %v", l)
	}
}

// TestEventsOnFake: events of every change, with the filter applied in
// user space (a fake has no socket filter), and an overrun in the stream.
func TestEventsOnFake(t *testing.T) {
	f := cttest.New()
	c := dial(t, f)
	ec := dial(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan string, 100)
	started := make(chan struct{})
	go func() {
		defer close(got)
		go func() { time.Sleep(50 * time.Millisecond); close(started) }()
		for ev, err := range ec.Events(ctx, conntrack.EventFilter{Mark: 1, MarkMask: 1}) {
			if errors.Is(err, netlink.ErrOverrun) {
				got <- "overrun"
				continue
			}
			if err != nil {
				return
			}
			got <- fmt.Sprintf("%v %d", ev.Type, ev.Flow.Mark)
		}
	}()
	<-started
	for i := range 3 {
		if err := c.AddFlow(ctx, flow(i)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"NEW 1", "overrun", "DESTROY 1"}
	for i, w := range want {
		if i == 1 {
			// A loss drops what was queued before it: inject it once the
			// first event is read.
			f.Server.Overrun()
			c.Stats(ctx) // every Conn of the Server sees the loss: this one too
			if err := c.DeleteFlow(ctx, flow(1).Orig, 0); err != nil {
				t.Fatal(err)
			}
		}
		select {
		case g := <-got:
			if g != w {
				t.Fatalf("event %d: %q, want %q", i, g, w)
			}
		case <-ctx.Done():
			t.Fatalf("event %d: none, want %q", i, w)
		}
	}
}

// TestMirrorOnFake: random changes with losses injected at random: the
// Mirror's copy always converges to the table, with a new id for each flow
// and with ids that live flows share (300 flows, 40 ids), as the kernel's
// do in a large table.
func TestMirrorOnFake(t *testing.T) {
	for _, ids := range []uint32{0, 40} {
		t.Run(fmt.Sprintf("idspace=%d", ids), func(t *testing.T) { mirrorOnFake(t, ids) })
	}
}

func mirrorOnFake(t *testing.T, ids uint32) {
	f := cttest.New()
	f.IDSpace(ids)
	c := dial(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	m := conntrack.NewMirror(conntrack.MirrorConfig{Dial: f.Dial})
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()
	<-m.Ready()
	r := rand.New(rand.NewPCG(1, 2))
	losses := 0
	for round := range 20 {
		for range 200 {
			i := r.IntN(300)
			switch r.IntN(4) {
			case 0, 1:
				c.AddFlow(ctx, flow(i))
			case 2:
				mark := uint32(r.IntN(5))
				c.ChangeFlow(ctx, flow(i).Orig, 0, conntrack.FlowChange{Mark: &mark})
			case 3:
				c.DeleteFlow(ctx, flow(i).Orig, 0)
			}
			if r.IntN(150) == 0 {
				f.Server.Overrun()
				losses++
			}
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			diff := compare(m.FlowList(), f.FlowList())
			if diff == "" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: %s (stats %+v)", round, diff, m.Stats())
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	st := m.Stats()
	if losses > 0 && st.Overruns == 0 {
		t.Errorf("%d losses injected, none seen: %+v", losses, st)
	}
	t.Logf("losses injected %d, overruns seen %d, resyncs %d, events %d", losses, st.Overruns, st.Resyncs, st.Events)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		t.Fatal(err)
	}
}

func compare(mirror, table []conntrack.Flow) string {
	if len(mirror) != len(table) {
		return fmt.Sprintf("mirror holds %d flows, the table %d", len(mirror), len(table))
	}
	for i := range mirror {
		a, b := mirror[i], table[i]
		if a.ID != b.ID || a.Orig != b.Orig || a.Reply != b.Reply || a.Mark != b.Mark || a.Status != b.Status {
			return fmt.Sprintf("flow %d: mirror %+v, table %+v", i, a, b)
		}
	}
	return ""
}

// TestCloseShared: Close of a Conn made by NewConn ends it, not the
// socket it shares.
func TestCloseShared(t *testing.T) {
	f := cttest.New()
	nl, err := f.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	nf := netfilter.NewConn(nl)
	a, b := conntrack.NewConn(nf), conntrack.NewConn(nf)
	ctx := context.Background()
	a.Close()
	if _, err := a.Stats(ctx); !errors.Is(err, netlink.ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
	for _, err := range a.Events(ctx, conntrack.EventFilter{}) {
		if !errors.Is(err, netlink.ErrClosed) {
			t.Fatalf("events after Close: %v", err)
		}
		break
	}
	if _, err := b.Stats(ctx); err != nil {
		t.Fatalf("the other Conn on the shared socket: %v", err)
	}
}
