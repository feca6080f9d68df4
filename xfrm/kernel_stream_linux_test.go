//go:build linux

package xfrm

import (
	"context"
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"
)

// manyPolicies are n distinct out policies.
func manyPolicies(n int) []Policy {
	ps := make([]Policy, n)
	for i := range ps {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		ps[i] = Policy{Selector: Selector{Src: netip.MustParsePrefix("198.18.0.0/24"), Dst: netip.PrefixFrom(a, 32)}, Dir: DirOut,
			Templates: []Template{{Proto: ProtoESP, Mode: ModeTransport, ReqID: uint32(i)}}}
	}
	return ps
}

// AddPolicies adds 100,000 policies in batches, the dump gives them all
// back, and failures are named by index.
func TestAddPolicies(t *testing.T) {
	c, _, _ := dialNS(t)
	ctx := context.Background()
	const n = 100_000
	ps := manyPolicies(n)
	t0 := time.Now()
	if err := c.AddPolicies(ctx, ps); err != nil {
		t.Fatal(err)
	}
	t.Logf("add %v", time.Since(t0))
	t0 = time.Now()
	// Again with three duplicates and one that does not encode.
	more := manyPolicies(n + 3)[n-3:]
	more[5].Templates[0].Family = 77 // refused by the kernel
	bad := Policy{Dir: DirOut, SecurityContext: &SecurityContext{Context: string(make([]byte, 70000))}}
	more = slices.Insert(more, 2, bad)
	err := c.AddPolicies(ctx, more)
	be, ok := errors.AsType[*netlink.BatchError](err)
	if !ok || be.Total != 7 {
		t.Fatalf("batch error %v", err)
	}
	var idx []int
	for _, f := range be.Failures {
		idx = append(idx, f.Index)
	}
	if !slices.Equal(idx, []int{0, 1, 2, 3, 6}) || !errors.Is(be.Failures[0].Err, fs.ErrExist) {
		t.Errorf("failures at %v: %v", idx, err)
	}
	t.Logf("batch with failures %v", time.Since(t0))
	t0 = time.Now()
	list, err := c.PolicyList(ctx)
	t.Logf("list %v", time.Since(t0))
	if err != nil || len(list) != n+2 {
		t.Fatalf("listed %d, %v", len(list), err)
	}
	seen := make(map[netip.Prefix]bool, n)
	for _, p := range list {
		seen[p.Selector.Dst] = true
	}
	for i := range ps {
		if !seen[ps[i].Selector.Dst] {
			t.Fatalf("policy %d (%v) not listed", i, ps[i].Selector.Dst)
		}
	}
	streamed := 0
	for _, err := range c.Policies(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		streamed++
	}
	if streamed != n+2 {
		t.Errorf("streamed %d", streamed)
	}
	info, err := c.SPDInfo(ctx)
	if err != nil || info.Out != n+2 {
		t.Errorf("SPD info %+v %v", info, err)
	}
}

// A subscriber with a tiny buffer and a storm of policy changes gets
// netlink.ErrOverrun, keeps receiving, and a fresh dump taken then equals
// the SPD.
func TestEventsOverrun(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := Dial(&netlink.Config{NetNS: ns, ReceiveBuffer: 4096})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.JoinGroup(GroupPolicy); err != nil {
		t.Fatal(err)
	}
	if err := c.AddPolicies(ctx, manyPolicies(3000)); err != nil {
		t.Fatal(err)
	}
	evs, stop := iterPull(w.Events(ctx), cancel)
	defer stop()
	overruns, after := 0, 0
	for overruns == 0 || after == 0 {
		ev, err, ok := evs()
		if !ok {
			t.Fatalf("stream ended: %d overruns, %d events after", overruns, after)
		}
		switch {
		case errors.Is(err, netlink.ErrOverrun):
			overruns++
			// Resync: the dump equals the SPD; then make one more change.
			list, err := c.PolicyList(ctx)
			if err != nil || len(list) != 3000 {
				t.Fatalf("resync: %d, %v", len(list), err)
			}
			if err := c.AddPolicy(ctx, Policy{Selector: Selector{Src: netip.MustParsePrefix("198.19.0.0/24"), Dst: netip.MustParsePrefix("198.19.1.0/24")}, Dir: DirIn}); err != nil {
				t.Fatal(err)
			}
		case err != nil:
			t.Fatal(err)
		case overruns > 0 && ev.Kind == EventNewPolicy && ev.Policy.Selector.Src == netip.MustParsePrefix("198.19.0.0/24"):
			after++
		}
	}
	t.Logf("%d overrun(s), then the change after the resync arrived", overruns)
}

// Hundreds of Dial / JoinGroup / Events / cancel / Close cycles leave no
// file descriptor or goroutine behind.
func TestNoLeaks(t *testing.T) {
	_, ns, _ := dialNS(t)
	fds := func() int { e, _ := os.ReadDir("/proc/self/fd"); return len(e) }
	settle := func() { time.Sleep(50 * time.Millisecond); runtime.GC() }
	settle()
	fd0, g0 := fds(), runtime.NumGoroutine()
	for range 300 {
		w, err := Dial(&netlink.Config{NetNS: ns})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.JoinGroup(); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range w.Events(ctx) {
			}
		}()
		cancel()
		<-done
		w.Close()
	}
	settle()
	if fd1, g1 := fds(), runtime.NumGoroutine(); fd1 > fd0 || g1 > g0 {
		t.Errorf("fds %d -> %d, goroutines %d -> %d", fd0, fd1, g0, g1)
	}
}

// The package-level Events opens its own socket in the namespace asked
// and closes it when the loop ends.
func TestPackageEvents(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got := make(chan Event, 1)
	go func() {
		for ev, err := range Events(ctx, &netlink.Config{NetNS: ns}, GroupPolicy) {
			if err == nil && (ev.Kind == EventNewPolicy || ev.Kind == EventUpdatePolicy) {
				got <- ev
				return
			}
		}
	}()
	p := Policy{Selector: Selector{Src: netip.MustParsePrefix("198.18.0.0/24"), Dst: netip.MustParsePrefix("198.18.1.0/24")}, Dir: DirIn}
	for {
		if err := c.ReplacePolicy(ctx, p); err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-got:
			if ev.Policy.Selector.Src != p.Selector.Src {
				t.Errorf("event %+v", ev.Policy)
			}
			return
		case <-time.After(50 * time.Millisecond):
			// the stream subscribes when its loop starts: change again
		case <-ctx.Done():
			t.Fatal("no event")
		}
	}
}
