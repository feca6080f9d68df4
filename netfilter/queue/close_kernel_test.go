package queue_test

import (
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter/queue"
)

// TestClosePending: 100 rounds of bind, packets queued and read but given
// no verdict, a reader blocked in Packets, Close. The blocked reader
// returns, the queue is unbound (the kernel's table is empty and the
// number can be bound again), the pending packets are dropped (none
// arrives), and fds and goroutines are back where they started.
func TestClosePending(t *testing.T) {
	p := newPair(t)
	p.queueRules(t, 30)
	l := udpListener(t, p.b, p.b4, 7001)
	s := udpSender(t, p.a, 4)
	ctx := testCtx(t)
	// Warm up what the first round creates once (runtime poller, threads).
	q0, err := queue.Dial(&queue.Config{Num: 30, NetNS: p.b})
	if err != nil {
		t.Fatal(err)
	}
	q0.Close()
	runtime.GC()
	fds, gs := countFDs(t), settle(0)
	const rounds = 100
	pendingSeen := 0
	for range rounds {
		q, err := queue.Dial(&queue.Config{Num: 30, NetNS: p.b})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			s.WriteToUDPAddrPort([]byte("pending"), netip.AddrPortFrom(p.b4, 7001))
		}
		got := make(chan int, 1)
		ended := make(chan error, 1)
		go func() {
			n := 0
			for pkt, err := range q.Packets(ctx) {
				if err != nil {
					ended <- err
					return
				}
				_ = pkt // no verdict
				if n++; n == 3 {
					got <- n
				}
			}
			ended <- nil
		}()
		select {
		case <-got:
		case <-time.After(5 * time.Second):
			t.Fatal("packets not queued")
		}
		st, err := q.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Outstanding != 3 || st.Waiting != 3 {
			t.Fatalf("before Close: %+v, want 3 outstanding and waiting", st)
		}
		pendingSeen += int(st.Outstanding)
		if err := q.Close(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-ended:
		case <-time.After(time.Second):
			t.Fatal("Packets still blocked after Close")
		}
		if list, err := queue.InstanceList(ctx, p.b); err != nil || len(list) != 0 {
			t.Fatalf("after Close: instances %+v, %v", list, err)
		}
	}
	if n := len(drain(l, 200*time.Millisecond)); n != 0 {
		t.Errorf("%d packets left without a verdict arrived: Close must drop them", n)
	}
	runtime.GC()
	fds2, gs2 := countFDs(t), settle(gs)
	t.Logf("%d rounds, %d packets pending at Close; fds %d -> %d, goroutines %d -> %d", rounds, pendingSeen, fds, fds2, gs, gs2)
	if fds2 != fds || gs2 > gs {
		t.Errorf("leak: fds %d -> %d, goroutines %d -> %d", fds, fds2, gs, gs2)
	}
}

// TestZeroAllocs: reading packets and giving each its verdict allocates
// nothing per packet in steady state (the whole process is measured, the
// sender included, so a small allowance covers the runtime's own).
func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Log("under the race detector allocations are counted, not checked")
	}
	p := newPair(t)
	p.queueRules(t, 31)
	q := dial(t, &queue.Config{Num: 31, NetNS: p.b, ReceiveBuffer: 4 << 20, MaxLen: 10000})
	ctx := testCtx(t)
	dst := netip.AddrPortFrom(p.b4, 7001)
	sender := in(t, p.a, func() (*netConn, error) { return dialUDP(dst) })
	defer sender.Close()
	l := udpListener(t, p.b, p.b4, 7001)
	bigBuffer(t, l)
	const warm, n = 500, 5000
	count := 0
	var ms0, ms1 runtime.MemStats
	done := make(chan struct{})
	go func() {
		defer close(done)
		for pkt, err := range q.Packets(ctx) {
			if err != nil {
				t.Error(err)
				return
			}
			if err := q.SetVerdict(ctx, queue.Verdict{ID: pkt.ID, Action: queue.Accept}); err != nil {
				t.Error(err)
				return
			}
			count++
			if count == warm {
				runtime.ReadMemStats(&ms0)
			}
			if count == warm+n {
				runtime.ReadMemStats(&ms1)
				return
			}
		}
	}()
	msg := []byte("zero")
	for i := range warm + n {
		sender.Write(msg)
		if i%100 == 99 {
			time.Sleep(time.Millisecond)
		}
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("only %d packets queued", count)
	}
	per := float64(ms1.Mallocs-ms0.Mallocs) / n
	t.Logf("%d packets: %d allocations in the whole process, %.3f per packet", n, ms1.Mallocs-ms0.Mallocs, per)
	if per > 0.05 && !raceEnabled {
		t.Errorf("%.3f allocations per packet, want 0", per)
	}
}
