package conntrack_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"golang.org/x/sys/unix"
)

// collectEvents runs Events on its own Conn until it has seen want events
// or the timeout passes, and returns them.
func collectEvents(t *testing.T, ns *netns.NS, f conntrack.EventFilter, started chan<- struct{}, want int, timeout time.Duration) <-chan []conntrack.Event {
	t.Helper()
	ec, err := conntrack.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	out := make(chan []conntrack.Event, 1)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	go func() {
		defer ec.Close()
		defer cancel()
		var got []conntrack.Event
		// The groups are joined when the iteration starts; give it time.
		go func() { time.Sleep(100 * time.Millisecond); close(started) }()
		for ev, err := range ec.Events(ctx, f) {
			if err != nil {
				if ctx.Err() == nil {
					t.Errorf("events: %v", err)
				}
				break
			}
			got = append(got, ev)
			if len(got) == want {
				break
			}
		}
		out <- got
	}()
	return out
}

// TestEvents: new, update and destroy events of flows made over netlink,
// with their fields; filtered in the kernel by a socket filter (only
// destroys, only TCP, only a mark, only IPv6).
func TestEvents(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	tcp := conntrack.Flow{Orig: tcpTuple("198.18.0.1", "198.18.0.2", 1000, 80), Timeout: time.Minute, Mark: 7, TCP: conntrack.TCPInfo{State: conntrack.TCPEstablished}}
	udp := conntrack.Flow{Orig: udpTuple("198.18.0.1", "198.18.0.3", 1000, 53), Timeout: time.Minute}
	udp6 := conntrack.Flow{Orig: udpTuple("2001:db8::1", "2001:db8::3", 1000, 53), Timeout: time.Minute, Mark: 7}

	type sub struct {
		name string
		f    conntrack.EventFilter
		want []string // type and tuple of each event, in order
	}
	n := func(t conntrack.EventType, f conntrack.Flow) string { return t.String() + " " + f.Orig.String() }
	subs := []sub{
		{"all", conntrack.EventFilter{}, []string{
			n(conntrack.EventNew, tcp), n(conntrack.EventNew, udp), n(conntrack.EventNew, udp6),
			n(conntrack.EventUpdate, tcp),
			n(conntrack.EventDestroy, tcp), n(conntrack.EventDestroy, udp), n(conntrack.EventDestroy, udp6)}},
		{"destroys", conntrack.EventFilter{Types: conntrack.EventDestroy}, []string{
			n(conntrack.EventDestroy, tcp), n(conntrack.EventDestroy, udp), n(conntrack.EventDestroy, udp6)}},
		{"tcp", conntrack.EventFilter{Protos: []uint8{conntrack.ProtoTCP}}, []string{
			n(conntrack.EventNew, tcp), n(conntrack.EventUpdate, tcp), n(conntrack.EventDestroy, tcp)}},
		{"mark 7 new", conntrack.EventFilter{Types: conntrack.EventNew, Mark: 7, MarkMask: 0xff}, []string{
			n(conntrack.EventNew, tcp), n(conntrack.EventNew, udp6)}},
		{"mark 0", conntrack.EventFilter{Types: conntrack.EventNew, Mark: 0, MarkMask: 0xffffffff}, []string{
			n(conntrack.EventNew, udp)}},
		{"ipv6 udp", conntrack.EventFilter{Family: netfilter.FamilyIPv6, Protos: []uint8{conntrack.ProtoUDP, conntrack.ProtoTCP}}, []string{
			n(conntrack.EventNew, udp6), n(conntrack.EventDestroy, udp6)}},
	}
	results := make([]<-chan []conntrack.Event, len(subs))
	for i, s := range subs {
		started := make(chan struct{})
		results[i] = collectEvents(t, ns, s.f, started, len(s.want), 5*time.Second)
		<-started
	}
	for _, f := range []conntrack.Flow{tcp, udp, udp6} {
		if err := c.AddFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	mark := uint32(8)
	if err := c.ChangeFlow(ctx, tcp.Orig, 0, conntrack.FlowChange{Mark: &mark}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []conntrack.Flow{tcp, udp, udp6} {
		if err := c.DeleteFlow(ctx, f.Orig, 0); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range subs {
		got := <-results[i]
		var names []string
		for _, ev := range got {
			names = append(names, n(ev.Type, ev.Flow))
			if ev.Flow.ID == 0 || ev.Flow.Reply != ev.Flow.Orig.Reverse() {
				t.Errorf("%s: event %v without id or reply tuple: %+v", s.name, ev.Type, ev.Flow)
			}
			if ev.Type == conntrack.EventUpdate && ev.Flow.Mark != 8 {
				t.Errorf("%s: update with mark %d, want 8", s.name, ev.Flow.Mark)
			}
		}
		if len(names) != len(s.want) {
			t.Errorf("%s: got %q\nwant %q", s.name, names, s.want)
			continue
		}
		for j := range names {
			if names[j] != s.want[j] {
				t.Errorf("%s: event %d is %q, want %q", s.name, j, names[j], s.want[j])
			}
		}
	}
}

// TestEventsLeak: hundreds of Events subscriptions cancelled, some with a
// consumer that stopped reading, leave no goroutine and no fd behind.
func TestEventsLeak(t *testing.T) {
	_, ns, _ := dialNS(t)
	fds0, g0 := openFDs(t), runtime.NumGoroutine()
	for i := range 200 {
		ec, err := conntrack.Dial(&netlink.Config{NetNS: ns})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for _, err := range ec.Events(ctx, conntrack.EventFilter{Protos: []uint8{6}}) {
				if err != nil {
					return
				}
			}
		}()
		if i%2 == 0 {
			cancel()
			<-done
			ec.Close()
		} else {
			ec.Close()
			<-done
			cancel()
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > g0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if fds, g := openFDs(t), runtime.NumGoroutine(); fds > fds0 || g > g0 {
		t.Errorf("fds %d -> %d, goroutines %d -> %d", fds0, fds, g0, g)
	}
}

// TestEventsOverrun: a subscriber with a tiny buffer under a storm gets
// netlink.ErrOverrun in the stream, which goes on.
func TestEventsOverrun(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	ec, err := conntrack.Dial(&netlink.Config{NetNS: ns, ReceiveBuffer: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer ec.Close()
	ectx, cancel := context.WithCancel(ctx)
	defer cancel()
	overruns, after := 0, 0
	done := make(chan struct{})
	ready := make(chan struct{})
	go func() {
		defer close(done)
		go func() { time.Sleep(100 * time.Millisecond); close(ready) }()
		for _, err := range ec.Events(ectx, conntrack.EventFilter{}) {
			switch {
			case errors.Is(err, netlink.ErrOverrun):
				overruns++
			case err != nil:
				return
			case overruns > 0:
				after++ // the stream goes on after the loss
			}
			if overruns > 0 && after > 0 {
				cancel()
			}
		}
	}()
	<-ready
	flows := bulkFlows(5000)
	if err := c.AddFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	// Once the subscriber has seen the loss, one more event.
	deadline := time.After(20 * time.Second)
	for i := 0; ; i++ {
		select {
		case <-done:
			if overruns == 0 || after == 0 {
				t.Fatalf("overruns %d, events after %d", overruns, after)
			}
			return
		case <-deadline:
			t.Fatalf("overruns %d, events after %d", overruns, after)
		case <-time.After(10 * time.Millisecond):
			f := conntrack.Flow{Orig: udpTuple("198.19.1.1", "198.19.1.2", uint16(i+1), 1), Timeout: time.Minute}
			c.AddFlow(ctx, f)
		}
	}
}

// TestEventFilterInKernel: the program of an EventFilter, attached to a
// raw socket, makes the kernel itself drop the events it does not select.
func TestEventFilterInKernel(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	f := conntrack.EventFilter{Protos: []uint8{conntrack.ProtoTCP}, Mark: 1, MarkMask: 1}
	prog, err := f.Program()
	if err != nil || len(prog) == 0 {
		t.Fatalf("program: %v, %d instructions", err, len(prog))
	}
	raw, err := netlink.Dial(unix.NETLINK_NETFILTER, &netlink.Config{NetNS: ns, Groups: []uint32{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if err := raw.SetFilter(prog); err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 40 {
		fl := conntrack.Flow{Orig: udpTuple("198.18.0.1", "198.18.0.2", uint16(i+1), 53), Timeout: time.Minute, Mark: uint32(i % 4)}
		if i%2 == 0 {
			fl.Orig.Proto = conntrack.ProtoTCP
		}
		if fl.Orig.Proto == conntrack.ProtoTCP && fl.Mark&1 == 1 {
			want = append(want, fl.Orig.String())
		}
		if err := c.AddFlow(ctx, fl); err != nil {
			t.Fatal(err)
		}
	}
	if len(want) != 0 {
		t.Fatalf("the test selects %d flows: TCP flows have even ports and even marks", len(want))
	}
	// TCP flows (even i) have marks 0 and 2: none selected. Add one that is.
	sel := conntrack.Flow{Orig: tcpTuple("198.18.0.9", "198.18.0.2", 9, 53), Timeout: time.Minute, Mark: 3}
	if err := c.AddFlow(ctx, sel); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for n, err := range raw.Receive(rctx) {
		if err != nil {
			t.Fatal(err)
		}
		ev, ok, err := conntrack.DecodeEvent(n.Message)
		if err != nil || !ok {
			t.Fatalf("decode: %v %v", ok, err)
		}
		if ev.Flow.Orig != sel.Orig || ev.Type != conntrack.EventNew {
			t.Fatalf("the kernel let through %v %v mark %d", ev.Type, ev.Flow.Orig, ev.Flow.Mark)
		}
		break
	}
	if d, _ := raw.KernelDrops(); d != 0 {
		t.Errorf("kernel drops %d: filtered events must not count as losses", d)
	}
}

// TestEventTimestamps: with nf_conntrack_timestamp on, flows carry their
// start, destroy events their stop, and events their own time.
func TestEventTimestamps(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	kerneltest.Run(t, ns, kerneltest.Tool(t, "sysctl", "procps"), "-qw", "net.netfilter.nf_conntrack_timestamp=1")
	started := make(chan struct{})
	events := collectEvents(t, ns, conntrack.EventFilter{}, started, 2, 5*time.Second)
	<-started
	before := time.Now().Add(-time.Second)
	f := conntrack.Flow{Orig: udpTuple("198.18.0.1", "198.18.0.2", 1, 2), Timeout: time.Minute}
	if err := c.AddFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	g, err := c.Flow(ctx, f.Orig, 0)
	if err != nil {
		t.Fatal(err)
	}
	if g.Start.Before(before) || g.Start.After(time.Now().Add(time.Second)) || !g.Stop.IsZero() {
		t.Errorf("start %v stop %v", g.Start, g.Stop)
	}
	if err := c.DeleteFlow(ctx, f.Orig, 0); err != nil {
		t.Fatal(err)
	}
	got := <-events
	if len(got) != 2 {
		t.Fatalf("%d events", len(got))
	}
	for _, ev := range got {
		if ev.Time.Before(before) {
			t.Errorf("%v event time %v", ev.Type, ev.Time)
		}
	}
	if d := got[1]; d.Type != conntrack.EventDestroy || d.Flow.Stop.Before(d.Flow.Start) || d.Flow.Start != g.Start {
		t.Errorf("destroy: start %v stop %v (flow started %v)", d.Flow.Start, d.Flow.Stop, g.Start)
	}
}
