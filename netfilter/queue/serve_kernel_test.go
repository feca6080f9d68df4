package queue_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netlink"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/internal/packet"
	"github.com/nlkit/nlkit/netfilter/queue"
)

// TestServeBalance: --queue-balance spreads flows over four queues;
// Serve reads each with its own reader and gives verdicts from 8 workers
// per queue. Every datagram to the accepted port arrives once, none to
// the dropped one, and more than one queue carried packets.
func TestServeBalance(t *testing.T) {
	p := newPair(t)
	for _, fam := range []int{4, 6} {
		p.rule(t, fam, "-A", "INPUT", "-i", "vb", "-p", "udp", "-j", "NFQUEUE", "--queue-balance", "10:13")
	}
	for _, a := range []string{"198.18.0.11/24", "198.18.0.21/24", "198.18.0.31/24"} {
		kerneltest.Run(t, p.a, "ip", "addr", "add", a, "dev", "va")
	}
	var perQueue [4]atomic.Int32
	goroutines := runtime.NumGoroutine()
	var errMu sync.Mutex
	var softErrs []error
	ctx, cancel := context.WithCancel(testCtx(t))
	served := make(chan error, 1)
	go func() {
		served <- queue.Serve(ctx, &queue.ServeConfig{
			Queue:   queue.Config{NetNS: p.b, MaxLen: 8192, ReceiveBuffer: 4 << 20},
			Nums:    []uint16{10, 11, 12, 13},
			Workers: 8,
			Errors: func(num uint16, err error) {
				errMu.Lock()
				softErrs = append(softErrs, err)
				errMu.Unlock()
			},
		}, func(pkt *queue.Packet) queue.Verdict {
			perQueue[pkt.Queue-10].Add(1)
			if packet.Summary(pkt.Payload).DstPort == 7002 {
				return queue.Verdict{Action: queue.Drop}
			}
			return queue.Verdict{Action: queue.Accept}
		})
	}()
	// Wait for the four queues to be bound.
	if !waitFor(5*time.Second, func() bool {
		l, _ := queue.InstanceList(ctx, p.b)
		return len(l) == 4
	}) {
		t.Fatal("the queues were not bound")
	}
	const flows, per = 32, 50
	for _, fam := range []int{4, 6} {
		dst := p.b4
		if fam == 6 {
			dst = p.b6
		}
		l, l2 := udpListener(t, p.b, dst, 7001), udpListener(t, p.b, dst, 7002)
		bigBuffer(t, l)
		var got atomic.Int32
		seen := make(map[uint32]int)
		var seenMu sync.Mutex
		go func() {
			buf := make([]byte, 16)
			for {
				n, _, err := l.ReadFromUDP(buf)
				if err != nil {
					return
				}
				seenMu.Lock()
				seen[binary.BigEndian.Uint32(buf[:n])]++
				seenMu.Unlock()
				got.Add(1)
			}
		}()
		senders := make([]*net.UDPConn, flows)
		for i := range senders {
			if fam == 4 {
				// Four source addresses: the balance hashes addresses, not ports.
				src := netip.AddrFrom4([4]byte{198, 18, 0, byte(1 + i%4*10)})
				senders[i] = in(t, p.a, func() (*net.UDPConn, error) {
					return net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(src, 0)))
				})
				t.Cleanup(func() { senders[i].Close() })
				continue
			}
			senders[i] = udpSender(t, p.a, fam)
		}
		msg := make([]byte, 4)
		for k := range per {
			for i, s := range senders {
				binary.BigEndian.PutUint32(msg, uint32(k*flows+i))
				s.WriteToUDPAddrPort(msg, netip.AddrPortFrom(dst, 7001))
				s.WriteToUDPAddrPort(msg, netip.AddrPortFrom(dst, 7002))
			}
			waitFor(2*time.Second, func() bool { return int(got.Load()) >= (k-2)*flows })
		}
		waitFor(5*time.Second, func() bool { return got.Load() == flows*per })
		time.Sleep(100 * time.Millisecond)
		l.Close()
		seenMu.Lock()
		twice := 0
		for _, c := range seen {
			if c > 1 {
				twice++
			}
		}
		if len(seen) != flows*per || twice != 0 {
			t.Errorf("IPv%d: %d of %d datagrams arrived, %d twice", fam, len(seen), flows*per, twice)
		}
		seenMu.Unlock()
		if n := len(drain(l2, 50*time.Millisecond)); n != 0 {
			t.Errorf("IPv%d: %d datagrams to the dropped port arrived", fam, n)
		}
	}
	busy := 0
	for i := range perQueue {
		if perQueue[i].Load() > 0 {
			busy++
		}
	}
	if busy < 3 {
		t.Errorf("packets per queue %d %d %d %d: the balance did not spread", perQueue[0].Load(), perQueue[1].Load(), perQueue[2].Load(), perQueue[3].Load())
	}
	cancel()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if l, _ := queue.InstanceList(testCtx(t), p.b); len(l) != 0 {
		t.Errorf("queues still bound after Serve returned: %+v", l)
	}
	if g := settle(goroutines); g > goroutines {
		t.Errorf("goroutines %d before Serve, %d after", goroutines, g)
	}
	t.Logf("packets per queue: %d %d %d %d; soft errors %v", perQueue[0].Load(), perQueue[1].Load(), perQueue[2].Load(), perQueue[3].Load(), softErrs)
}

// TestVerdictWhileReading: 800 packets are read and handed over; the
// reader then blocks in recvmsg, with nothing more to come (an accepted
// verdict makes the kernel send nothing). 16 goroutines give the 800
// verdicts meanwhile: had a verdict to wait for the reader, none would
// complete. Every datagram arrives. Then 1600 verdicts for unknown ids
// come back as refusals through the stream (or, when they overflow the
// socket buffer, as an overrun).
func TestVerdictWhileReading(t *testing.T) {
	const n = 800
	p := newPair(t)
	p.queueRules(t, 20)
	q := dial(t, &queue.Config{Num: 20, NetNS: p.b, MaxLen: 2 * n, ReceiveBuffer: 4 << 20})
	ids := make(chan uint32, n)
	r := startReader(t, q, func(pkt *queue.Packet) error {
		ids <- pkt.ID
		return nil
	})
	l := udpListener(t, p.b, p.b4, 7001)
	bigBuffer(t, l)
	s := udpSender(t, p.a, 4)
	for i := range n {
		s.WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(p.b4, 7001))
		if i%100 == 99 {
			time.Sleep(time.Millisecond)
		}
	}
	work := make(chan uint32, n)
	timeout := time.After(10 * time.Second)
	for range n {
		select {
		case id := <-ids:
			work <- id
		case <-timeout:
			t.Fatalf("%d of %d packets read", len(work), n)
		}
	}
	close(work)
	var wg sync.WaitGroup
	var slowest atomic.Int64
	finished := make(chan struct{})
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				start := time.Now()
				if err := q.SetVerdict(t.Context(), queue.Verdict{ID: id, Action: queue.Accept}); err != nil {
					t.Error(err)
					return
				}
				d := int64(time.Since(start))
				for old := slowest.Load(); d > old && !slowest.CompareAndSwap(old, d); old = slowest.Load() {
				}
			}
		}()
	}
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(30 * time.Second):
		t.Fatal("verdicts did not complete while the reader was blocked")
	}
	if got := len(drain(l, 300*time.Millisecond)); got != n {
		t.Errorf("%d of %d datagrams arrived", got, n)
	}
	st, err := q.Stats(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Outstanding != 0 || st.Waiting != 0 || st.Verdicts != n {
		t.Errorf("stats %+v", st)
	}
	t.Logf("%d verdicts from 16 goroutines while the reader was blocked; slowest %v", n, time.Duration(slowest.Load()))

	// Verdicts the kernel refuses: each comes back through the stream.
	wg = sync.WaitGroup{}
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 100 {
				if err := q.SetVerdict(t.Context(), queue.Verdict{ID: uint32(1_000_000 + g*1000 + i), Action: queue.Accept}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	waitFor(5*time.Second, func() bool { return len(r.errs()) >= 1600 })
	refused, overruns := 0, 0
	for _, err := range r.errs() {
		switch {
		case errors.Is(err, netlink.ErrOverrun):
			overruns++
		case errors.Is(err, syscall.ENOENT):
			refused++
		default:
			t.Errorf("stream error %v", err)
		}
	}
	t.Logf("1600 verdicts for unknown ids: %d refusals read, %d overruns reported", refused, overruns)
	if refused != 1600 && overruns == 0 {
		t.Errorf("%d refusals came through Packets and no overrun, want 1600", refused)
	}
}
