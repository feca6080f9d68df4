package queue_test

import (
	"encoding/binary"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter/queue"
)

// TestBatchVerdicts: 10,000 UDP packets accepted with batch verdicts
// (every 64 packets, and every few milliseconds for the rest): none is
// lost, none delivered twice, nothing left outstanding.
func TestBatchVerdicts(t *testing.T) {
	const total, every = 10000, 64
	p := newPair(t)
	p.queueRules(t, 7)
	q := dial(t, &queue.Config{Num: 7, NetNS: p.b, MaxLen: 20000, ReceiveBuffer: 8 << 20})
	ctx := testCtx(t)

	var maxSeen, flushed atomic.Uint32
	var batches atomic.Int32
	var flushMu sync.Mutex
	flush := func() error {
		flushMu.Lock()
		defer flushMu.Unlock()
		m := maxSeen.Load()
		if m == flushed.Load() {
			return nil
		}
		batches.Add(1)
		flushed.Store(m)
		return q.SetVerdicts(ctx, queue.Verdict{ID: m, Action: queue.Accept})
	}
	var n int
	r := startReader(t, q, func(pkt *queue.Packet) error {
		maxSeen.Store(pkt.ID)
		if n++; n%every == 0 {
			return flush()
		}
		return nil
	})
	stopTick := make(chan struct{})
	tickDone := make(chan struct{})
	go func() {
		defer close(tickDone)
		tk := time.NewTicker(5 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-stopTick:
				return
			case <-tk.C:
				if err := flush(); err != nil {
					t.Error(err)
					return
				}
			}
		}
	}()

	l := udpListener(t, p.b, p.b4, 7001)
	bigBuffer(t, l)
	seen := make([]int, total)
	var got atomic.Int32
	recvDone := make(chan struct{})
	go func() {
		defer close(recvDone)
		buf := make([]byte, 64)
		for {
			l.SetReadDeadline(time.Now().Add(2 * time.Second))
			k, _, err := l.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if i := binary.BigEndian.Uint32(buf[:k]); i < total {
				seen[i]++
			}
			if got.Add(1) == total {
				return
			}
		}
	}()
	s := udpSender(t, p.a, 4)
	msg := make([]byte, 4)
	for i := range total {
		binary.BigEndian.PutUint32(msg, uint32(i))
		if _, err := s.WriteToUDPAddrPort(msg, netip.AddrPortFrom(p.b4, 7001)); err != nil {
			t.Fatal(err)
		}
		if i%200 == 199 {
			// Pace the sender: the veth and the listener have small queues.
			waitFor(2*time.Second, func() bool { return int(got.Load()) >= i-400 })
		}
	}
	<-recvDone
	close(stopTick)
	<-tickDone
	r.stop()
	if e := snmp(t, p.b, "Udp", "RcvbufErrors"); e != 0 {
		t.Logf("the listener's buffer overflowed %d times: not a queue loss", e)
	}
	lost, twice := 0, 0
	for _, c := range seen {
		switch {
		case c == 0:
			lost++
		case c > 1:
			twice++
		}
	}
	st, err := q.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d packets, %d batch verdicts; lost %d, delivered twice %d; stats %+v; stream errors %v", total, batches.Load(), lost, twice, st, r.errs())
	if lost != 0 || twice != 0 {
		t.Fatalf("lost %d, delivered twice %d", lost, twice)
	}
	if st.Outstanding != 0 || st.Received != total || st.Waiting != 0 || st.Missed != 0 || len(r.errs()) != 0 {
		t.Fatalf("stats %+v, errors %v", st, r.errs())
	}
}
