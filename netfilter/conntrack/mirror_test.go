package conntrack_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
)

// flowKey is what a mirror must agree with a dump on: the flow's
// identity and the attributes events announce.
type flowKey struct {
	orig, reply conntrack.Tuple
	mark        uint32
	zone        uint16
	status      conntrack.Status
	labels      conntrack.Labels
	tcpState    conntrack.TCPState
}

func keyOf(f conntrack.Flow) flowKey {
	return flowKey{f.Orig, f.Reply, f.Mark, f.Zone, f.Status, f.Labels, f.TCP.State}
}

// mirrorDiff compares a mirror's flows with a fresh dump by what the
// kernel keeps unique, the original tuple and zone (ids are 32-bit hashes
// that live flows share: a table of 100,000 flows often has two), and
// checks that the ids agree.
func mirrorDiff(mirror, dump []conntrack.Flow) []string {
	type key struct {
		orig conntrack.Tuple
		zone uint16
	}
	table := map[key]conntrack.Flow{}
	for _, f := range dump {
		table[key{f.Orig, f.Zone}] = f
	}
	if len(table) != len(dump) {
		return []string{fmt.Sprintf("the dump shows %d flows, %d of them distinct", len(dump), len(table))}
	}
	var diffs []string
	for _, f := range mirror {
		k := key{f.Orig, f.Zone}
		d, ok := table[k]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("mirror holds %d %v, gone from the table", f.ID, f.Orig))
		case d.ID != f.ID || keyOf(d) != keyOf(f):
			diffs = append(diffs, fmt.Sprintf("flow %v: mirror id %d %+v, table id %d %+v", f.Orig, f.ID, keyOf(f), d.ID, keyOf(d)))
		}
		delete(table, k)
	}
	for _, f := range table {
		diffs = append(diffs, fmt.Sprintf("mirror lacks %d %v", f.ID, f.Orig))
	}
	return diffs
}

// TestMirrorStorm: 100,000 flows created, changed and destroyed against a
// Mirror whose event socket has a tiny buffer. Events are lost, the Mirror
// learns it, re-reads, and its copy equals a fresh dump (0 differences).
func TestMirrorStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("storm of 100,000 flows")
	}
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	// A mirror with a tiny event buffer, and one with the default (8 MiB).
	m := runMirror(t, ctx, conntrack.MirrorConfig{Netlink: &netlink.Config{NetNS: ns, ReceiveBuffer: 16 << 10}})
	big := runMirror(t, ctx, conntrack.MirrorConfig{Netlink: &netlink.Config{NetNS: ns}})

	const n = 100000
	flows := bulkFlows(n)
	for i := 0; i < n; i += 10000 {
		if err := c.AddFlows(ctx, flows[i:i+10000]); err != nil {
			t.Fatal(err)
		}
	}
	// Change the mark of every third flow, destroy every second one.
	mark := uint32(42)
	for i := 0; i < n; i += 3 {
		if err := c.ChangeFlow(ctx, flows[i].Orig, 0, conntrack.FlowChange{Mark: &mark}); err != nil {
			t.Fatal(err)
		}
	}
	var gone []conntrack.Flow
	for i := 0; i < n; i += 2 {
		gone = append(gone, flows[i])
	}
	if err := c.DeleteFlows(ctx, gone); err != nil {
		t.Fatal(err)
	}

	// Once changes stop, the mirror converges to a fresh dump.
	var diffs []string
	deadline := time.Now().Add(2 * time.Minute)
	for {
		dump, err := c.FlowList(ctx, conntrack.FlowFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(dump) != n/2 {
			t.Fatalf("table holds %d flows, want %d", len(dump), n/2)
		}
		diffs = append(mirrorDiff(m.FlowList(), dump), mirrorDiff(big.FlowList(), dump)...)
		if len(diffs) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	st := m.Stats()
	t.Logf("storm of %d flows, 16 KiB buffer: induced (events dropped by the kernel) %d, detected (overruns) %d, resynchronised %d, events applied %d, differences %d",
		n, st.Dropped, st.Overruns, st.Resyncs-1, st.Events, len(diffs))
	bst := big.Stats()
	t.Logf("storm of %d flows, 8 MiB buffer: induced %d, detected %d, resynchronised %d, events applied %d, differences %d",
		n, bst.Dropped, bst.Overruns, bst.Resyncs-1, bst.Events, len(diffs))
	if len(diffs) > 0 {
		t.Fatalf("%d differences, first: %v", len(diffs), diffs[:min(5, len(diffs))])
	}
	if st.Overruns == 0 || st.Resyncs < 2 {
		t.Fatalf("the storm was meant to overrun the mirror: %+v", st)
	}
}

// runMirror runs a Mirror until the test ends and waits for its first read.
func runMirror(t *testing.T, ctx context.Context, cfg conntrack.MirrorConfig) *conntrack.Mirror {
	t.Helper()
	m := conntrack.NewMirror(cfg)
	mctx, cancel := context.WithCancel(ctx)
	runErr := make(chan error, 1)
	go func() { runErr <- m.Run(mctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-runErr; err != context.Canceled {
			t.Errorf("Run: %v", err)
		}
	})
	select {
	case <-m.Ready():
	case err := <-runErr:
		t.Fatal(err)
	}
	return m
}

// TestMirrorLeak: Mirrors started and cancelled again and again leave no
// goroutine and no fd behind; a Mirror applies changes made after Ready.
func TestMirrorLeak(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	fds0, g0 := openFDs(t), runtime.NumGoroutine()
	for i := range 50 {
		m := conntrack.NewMirror(conntrack.MirrorConfig{Netlink: &netlink.Config{NetNS: ns}})
		mctx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- m.Run(mctx) }()
		<-m.Ready()
		if i == 0 {
			f := conntrack.Flow{Orig: udpTuple("198.18.0.1", "198.18.0.2", 1, 2), Timeout: time.Minute, Mark: 3}
			if err := c.AddFlow(ctx, f); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(5 * time.Second)
			for m.Len() != 1 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			if l := m.FlowList(); len(l) != 1 || l[0].Orig != f.Orig || l[0].Mark != 3 || m.Stats().Events != 1 {
				t.Fatalf("mirror holds %+v after one creation (stats %+v)", l, m.Stats())
			}
		}
		cancel()
		if err := <-done; err != context.Canceled {
			t.Fatalf("Run: %v", err)
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
