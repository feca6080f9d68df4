package queue_test

import (
	"errors"
	"fmt"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter/queue"
	"github.com/nlkit/nlkit/netlink"
)

// TestOverload: a queue with a tiny socket buffer and a flood of 2000
// datagrams sent before anyone reads. The kernel drops what does not fit
// (or, with FlagFailOpen, accepts it unseen); the stream reports
// netlink.ErrOverrun, yields the packets that did fit and goes on: a
// datagram sent afterwards is queued and accepted. The kernel's counters
// and the ids' gaps agree.
func TestOverload(t *testing.T) {
	for _, failOpen := range []bool{false, true} {
		t.Run(fmt.Sprintf("failopen=%v", failOpen), func(t *testing.T) {
			const flood = 2000
			p := newPair(t)
			p.queueRules(t, 8)
			cfg := &queue.Config{Num: 8, NetNS: p.b, ReceiveBuffer: 4096}
			if failOpen {
				cfg.Flags = queue.FlagFailOpen
			}
			q := dial(t, cfg)
			ctx := testCtx(t)
			l := udpListener(t, p.b, p.b4, 7001)
			bigBuffer(t, l)
			s := udpSender(t, p.a, 4)
			for i := range flood {
				s.WriteToUDPAddrPort([]byte("flood"), netip.AddrPortFrom(p.b4, 7001))
				if i%50 == 49 {
					time.Sleep(time.Millisecond) // under the veth's backlog, over the queue's socket
				}
			}
			var accepted atomic.Int32
			r := startReader(t, q, func(pkt *queue.Packet) error {
				accepted.Add(1)
				return q.SetVerdict(ctx, queue.Verdict{ID: pkt.ID, Action: queue.Accept})
			})
			got := len(drain(l, 500*time.Millisecond))
			// The stream goes on: one more datagram, queued and accepted.
			before := accepted.Load()
			s.WriteToUDPAddrPort([]byte("after"), netip.AddrPortFrom(p.b4, 7001))
			after := drain(l, 500*time.Millisecond)
			if len(after) != 1 || after[0] != "after" || accepted.Load() != before+1 {
				t.Fatalf("after the overrun: received %q, queued %d more, want the datagram through the queue", after, accepted.Load()-before)
			}
			st, err := q.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			overruns := 0
			for _, err := range r.errs() {
				if !errors.Is(err, netlink.ErrOverrun) {
					t.Errorf("stream error %v", err)
				}
				overruns++
			}
			t.Logf("flood of %d: %d queued and accepted, %d received; overruns %d; stats %+v", flood, before, got, overruns, st)
			if overruns == 0 || st.Overruns == 0 {
				t.Error("no overrun reported")
			}
			if int(st.Received) != int(before)+1 || st.Outstanding != 0 || st.Waiting != 0 {
				t.Errorf("stats %+v: want every packet read given a verdict", st)
			}
			if st.Missed == 0 || st.Received+st.Missed != uint64(st.IDSequence) {
				t.Errorf("stats %+v: received + missed must be every id given", st)
			}
			if failOpen {
				// Accepted unseen: all arrive; the kernel does not count
				// them as dropped, the id gaps do.
				if got != flood || st.UserDropped != 0 {
					t.Errorf("fail-open: %d of %d received, user dropped %d", got, flood, st.UserDropped)
				}
			} else {
				if got != int(before) || uint64(st.UserDropped) != st.Missed || int(st.QueueDropped)+int(st.UserDropped)+got != flood {
					t.Errorf("received %d, queued %d, user dropped %d, missed %d, queue dropped %d: want received = queued and drops = gaps", got, before, st.UserDropped, st.Missed, st.QueueDropped)
				}
			}
		})
	}
}

// TestQueueFull: a queue of 16 packets nobody reads yet, and 200
// datagrams. The kernel keeps 16, drops the rest (QueueDropped) without
// numbering them, so no id is missing; with FlagFailOpen it accepts them
// and counts them nowhere (neither QueueDropped nor an id).
func TestQueueFull(t *testing.T) {
	for _, failOpen := range []bool{false, true} {
		t.Run(fmt.Sprintf("failopen=%v", failOpen), func(t *testing.T) {
			const flood, maxLen = 200, 16
			p := newPair(t)
			p.queueRules(t, 9)
			cfg := &queue.Config{Num: 9, NetNS: p.b, MaxLen: maxLen, ReceiveBuffer: 4 << 20}
			if failOpen {
				cfg.Flags = queue.FlagFailOpen
			}
			q := dial(t, cfg)
			ctx := testCtx(t)
			l := udpListener(t, p.b, p.b4, 7001)
			bigBuffer(t, l)
			s := udpSender(t, p.a, 4)
			for range flood {
				s.WriteToUDPAddrPort([]byte("full"), netip.AddrPortFrom(p.b4, 7001))
			}
			time.Sleep(100 * time.Millisecond)
			st, err := q.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			wantDropped := uint32(flood - maxLen)
			if failOpen {
				wantDropped = 0
			}
			if st.Waiting != maxLen || st.QueueDropped != wantDropped || st.IDSequence != maxLen {
				t.Errorf("before reading: %+v, want %d waiting, %d dropped, ids up to %d", st.Instance, maxLen, wantDropped, maxLen)
			}
			early := len(drain(l, 100*time.Millisecond)) // fail-open: accepted at once
			r := startReader(t, q, func(pkt *queue.Packet) error {
				return q.SetVerdict(ctx, queue.Verdict{ID: pkt.ID, Action: queue.Accept})
			})
			late := len(drain(l, 300*time.Millisecond))
			r.stop()
			st, _ = q.Stats(ctx)
			t.Logf("%d datagrams: %d accepted unseen, %d through the queue; stats %+v", flood, early, late, st)
			if st.Received != maxLen || st.Missed != 0 || st.Outstanding != 0 || late != maxLen {
				t.Errorf("after reading: %+v, %d through the queue", st, late)
			}
			want := 0
			if failOpen {
				want = flood - maxLen
			}
			if early != want {
				t.Errorf("%d datagrams got past the full queue, want %d", early, want)
			}
		})
	}
}
