package queue_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/packet"
	"github.com/nlkit/nlkit/netfilter/queue"
)

// TestEndToEnd: UDP and TCP over IPv4 and IPv6 are queued; the program
// accepts ports 7001 and 8001 and drops 7002 and 8002; the receiving side
// sees exactly the accepted ones.
func TestEndToEnd(t *testing.T) {
	p := newPair(t)
	p.queueRules(t, 3)
	q := dial(t, &queue.Config{Num: 3, NetNS: p.b})
	ctx := testCtx(t)
	rctx, stop := context.WithCancel(ctx)
	var mu sync.Mutex
	seen := map[string]int{} // "family/proto/port/verdict"
	done := make(chan error, 1)
	go func() {
		for pkt, err := range q.Packets(rctx) {
			if err != nil {
				if rctx.Err() != nil {
					done <- nil
					return
				}
				done <- err
				return
			}
			info := packet.Summary(pkt.Payload)
			act := queue.Accept
			if info.DstPort == 7002 || info.DstPort == 8002 {
				act = queue.Drop
			}
			mu.Lock()
			seen[fmt.Sprintf("%v/%d/%d/%v", pkt.Family, info.Protocol, info.DstPort, act)]++
			mu.Unlock()
			if pkt.Hook != queue.HookInput || pkt.InIndex == 0 || pkt.OutIndex != 0 {
				done <- fmt.Errorf("packet %d: hook %v in %d out %d, want input from vb", pkt.ID, pkt.Hook, pkt.InIndex, pkt.OutIndex)
				return
			}
			wantProto := uint16(0x0800)
			if pkt.Family == 10 {
				wantProto = 0x86dd
			}
			if len(pkt.HWAddr) != 6 || (!pkt.Time.IsZero() && time.Since(pkt.Time) > time.Minute) || pkt.HWProtocol != wantProto || pkt.CapLen != 0 || pkt.Len() != int(info.Length) {
				done <- fmt.Errorf("packet %d: hw address %x, time %v, hw protocol %#x, caplen %d, len %d (IP length %d)", pkt.ID, pkt.HWAddr, pkt.Time, pkt.HWProtocol, pkt.CapLen, pkt.Len(), info.Length)
				return
			}
			if err := q.SetVerdict(rctx, queue.Verdict{ID: pkt.ID, Action: act}); err != nil {
				done <- err
				return
			}
		}
	}()

	for _, fam := range []int{4, 6} {
		src, dst := p.a4, p.b4
		if fam == 6 {
			src, dst = p.a6, p.b6
		}
		_ = src
		l1 := udpListener(t, p.b, dst, 7001)
		l2 := udpListener(t, p.b, dst, 7002)
		s := udpSender(t, p.a, fam)
		for i := range 20 {
			for _, port := range []uint16{7001, 7002} {
				msg := fmt.Sprintf("%d-%d", port, i)
				if _, err := s.WriteToUDPAddrPort([]byte(msg), netip.AddrPortFrom(dst, port)); err != nil {
					t.Fatal(err)
				}
			}
		}
		got1, got2 := drain(l1, 300*time.Millisecond), drain(l2, 50*time.Millisecond)
		if len(got1) != 20 || len(got2) != 0 {
			t.Errorf("IPv%d UDP: accepted port got %d of 20, dropped port got %d of 0", fam, len(got1), len(got2))
		}
		for i, m := range got1 {
			if want := fmt.Sprintf("7001-%d", i); m != want {
				t.Errorf("IPv%d UDP datagram %d is %q, want %q", fam, i, m, want)
			}
		}

		// TCP: the accepted port connects, the dropped one does not.
		tl := in(t, p.b, func() (net.Listener, error) {
			return net.Listen("tcp", netip.AddrPortFrom(dst, 8001).String())
		})
		t.Cleanup(func() { tl.Close() })
		tl2 := in(t, p.b, func() (net.Listener, error) {
			return net.Listen("tcp", netip.AddrPortFrom(dst, 8002).String())
		})
		t.Cleanup(func() { tl2.Close() })
		go func() {
			for {
				c, err := tl.Accept()
				if err != nil {
					return
				}
				c.Write([]byte("hello"))
				c.Close()
			}
		}()
		c, err := tcpDial(p.a, netip.AddrPortFrom(dst, 8001), 5*time.Second)
		if err != nil {
			t.Fatalf("IPv%d TCP to the accepted port: %v", fam, err)
		}
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 16)
		n, err := c.Read(buf)
		c.Close()
		if string(buf[:n]) != "hello" {
			t.Errorf("IPv%d TCP read %q, %v", fam, buf[:n], err)
		}
		if c, err := tcpDial(p.a, netip.AddrPortFrom(dst, 8002), 500*time.Millisecond); err == nil {
			c.Close()
			t.Errorf("IPv%d TCP to the dropped port connected", fam)
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, fam := range []string{"ipv4", "ipv6"} {
		if n := seen[fam+"/17/7001/accept"]; n != 20 {
			t.Errorf("%s: %d UDP packets to 7001 queued, want 20", fam, n)
		}
		if n := seen[fam+"/17/7002/drop"]; n != 20 {
			t.Errorf("%s: %d UDP packets to 7002 queued, want 20", fam, n)
		}
		if seen[fam+"/6/8001/accept"] == 0 || seen[fam+"/6/8002/drop"] == 0 {
			t.Errorf("%s: TCP packets not queued: %v", fam, seen)
		}
	}
	st, err := q.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Outstanding != 0 || st.Missed != 0 || st.Received != st.Verdicts || st.Waiting != 0 {
		t.Errorf("stats after the run: %+v", st)
	}
	t.Logf("queued: %v; stats %+v", seen, st)
}

// TestVerdictQueue: a Queue verdict passes the packet to another queue,
// where it is read again; with Bypass, to a queue nobody reads, it is
// accepted; without, dropped. Stop accepts.
func TestVerdictQueue(t *testing.T) {
	p := newPair(t)
	p.rule(t, 4, "-A", "INPUT", "-i", "vb", "-p", "udp", "-j", "NFQUEUE", "--queue-num", "40")
	q40 := dial(t, &queue.Config{Num: 40, NetNS: p.b})
	q41 := dial(t, &queue.Config{Num: 41, NetNS: p.b})
	var on41 sync.Map
	startReader(t, q40, func(pkt *queue.Packet) error {
		v := queue.Verdict{ID: pkt.ID}
		switch packet.Summary(pkt.Payload).DstPort {
		case 7001:
			v.Action, v.Queue = queue.Queue, 41
		case 7002:
			v.Action, v.Queue, v.Bypass = queue.Queue, 42, true
		case 7003:
			v.Action, v.Queue = queue.Queue, 43
		case 7004:
			v.Action = queue.Stop
		}
		return q40.SetVerdict(t.Context(), v)
	})
	startReader(t, q41, func(pkt *queue.Packet) error {
		on41.Store(packet.Summary(pkt.Payload).DstPort, pkt.Queue)
		return q41.SetVerdict(t.Context(), queue.Verdict{ID: pkt.ID, Action: queue.Accept})
	})
	s := udpSender(t, p.a, 4)
	var ls []*net.UDPConn
	for port := uint16(7001); port <= 7004; port++ {
		ls = append(ls, udpListener(t, p.b, p.b4, port))
		s.WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(p.b4, port))
	}
	got := []int{len(drain(ls[0], 300*time.Millisecond)), len(drain(ls[1], 50*time.Millisecond)), len(drain(ls[2], 50*time.Millisecond)), len(drain(ls[3], 50*time.Millisecond))}
	if want := []int{1, 1, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("received per port 7001-7004: %v, want %v (queue 41, bypass to 42, 43 unbound, stop)", got, want)
	}
	if q, ok := on41.Load(uint16(7001)); !ok || q.(uint16) != 41 {
		t.Errorf("the packet passed to queue 41 was not read there (%v %v)", q, ok)
	}
	if _, ok := on41.Load(uint16(7002)); ok {
		t.Error("a packet for queue 42 reached queue 41")
	}
}
