package queue_test

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/internal/packet"
	"github.com/nlkit/nlkit/netfilter/queue"
)

// ruleCount reads the packet counter of the rules of chain in table that
// mention match (iptables -L -v -x).
func ruleCount(t *testing.T, p *pair, table, chain, match string) int {
	t.Helper()
	out := string(kerneltest.Run(t, p.b, p.iptables, "-t", table, "-L", chain, "-v", "-x", "-n"))
	total := 0
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) > 2 && strings.Contains(l, match) {
			var n int
			if _, err := fmt.Sscan(f[0], &n); err == nil {
				total += n
			}
		}
	}
	return total
}

// TestMark: a verdict's mark is seen by later rules: Repeat with a mark
// sends the packet through INPUT again, where a rule accepts the mark
// before the queue rule; Accept with a mark reaches the security table's
// INPUT, which comes after filter's.
func TestMark(t *testing.T) {
	p := newPair(t)
	p.rule(t, 4, "-A", "INPUT", "-p", "udp", "--dport", "7001", "-m", "mark", "--mark", "42", "-j", "ACCEPT")
	p.rule(t, 4, "-A", "INPUT", "-i", "vb", "-p", "udp", "-j", "NFQUEUE", "--queue-num", "4")
	p.rule(t, 4, "-t", "security", "-A", "INPUT", "-p", "udp", "--dport", "7003", "-m", "mark", "--mark", "43")
	q := dial(t, &queue.Config{Num: 4, NetNS: p.b})
	var queued atomic.Int32
	startReader(t, q, func(pkt *queue.Packet) error {
		queued.Add(1)
		v := queue.Verdict{ID: pkt.ID, Action: queue.Accept}
		switch packet.Summary(pkt.Payload).DstPort {
		case 7001:
			m := uint32(42)
			v.Action, v.Mark = queue.Repeat, &m
		case 7003:
			m := uint32(43)
			v.Mark = &m
		}
		return q.SetVerdict(t.Context(), v)
	})
	l1, l3 := udpListener(t, p.b, p.b4, 7001), udpListener(t, p.b, p.b4, 7003)
	s := udpSender(t, p.a, 4)
	const n = 10
	for range n {
		s.WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(p.b4, 7001))
		s.WriteToUDPAddrPort([]byte("y"), netip.AddrPortFrom(p.b4, 7003))
	}
	if a, b := len(drain(l1, 300*time.Millisecond)), len(drain(l3, 50*time.Millisecond)); a != n || b != n {
		t.Fatalf("received %d and %d datagrams, want %d each", a, b, n)
	}
	if got := queued.Load(); got != 2*n {
		t.Errorf("%d packets queued, want %d: a repeated packet with mark 42 must not be queued again", got, 2*n)
	}
	if got := ruleCount(t, p, "filter", "INPUT", "mark match 0x2a"); got != n {
		t.Errorf("the mark-42 rule in filter INPUT counted %d packets, want %d", got, n)
	}
	if got := ruleCount(t, p, "security", "INPUT", "mark match 0x2b"); got != n {
		t.Errorf("the mark-43 rule in security INPUT counted %d packets, want %d", got, n)
	}
}

// TestMangle: a verdict replacing a UDP payload with a longer one, its
// checksums fixed by FixChecksums, arrives changed. Without the fix the
// kernel verifies the checksum (a mangled packet loses its checksum
// offload state, CHECKSUM_NONE) and drops it, counting InCsumErrors:
// the kernel does not fix checksums for us.
func TestMangle(t *testing.T) {
	p := newPair(t)
	p.queueRules(t, 5)
	q := dial(t, &queue.Config{Num: 5, NetNS: p.b})
	buf := make([]byte, 0, 2048)
	startReader(t, q, func(pkt *queue.Packet) error {
		info := packet.Summary(pkt.Payload)
		v := queue.Verdict{ID: pkt.ID, Action: queue.Accept}
		if info.DstPort == 7001 || info.DstPort == 7002 {
			hl := len(pkt.Payload) - info.PayloadLength
			b := append(buf[:0], pkt.Payload[:hl]...)
			b = append(b, strings.ToUpper(string(pkt.Payload[hl:]))+"-mangled"...)
			if info.DstPort == 7001 {
				if err := queue.FixChecksums(b); err != nil {
					return err
				}
			} else {
				// Lengths right, checksum stale.
				fixLengthsOnly(b)
			}
			v.Payload = b
		}
		return q.SetVerdict(t.Context(), v)
	})
	for _, fam := range []int{4, 6} {
		dst := p.b4
		if fam == 6 {
			dst = p.b6
		}
		l1, l2 := udpListener(t, p.b, dst, 7001), udpListener(t, p.b, dst, 7002)
		s := udpSender(t, p.a, fam)
		before := csumErrors(t, p, fam)
		for i := range 5 {
			s.WriteToUDPAddrPort(fmt.Appendf(nil, "hello-%d", i), netip.AddrPortFrom(dst, 7001))
			s.WriteToUDPAddrPort(fmt.Appendf(nil, "stale-%d", i), netip.AddrPortFrom(dst, 7002))
		}
		got, stale := drain(l1, 300*time.Millisecond), drain(l2, 50*time.Millisecond)
		for i := range 5 {
			if i >= len(got) || got[i] != fmt.Sprintf("HELLO-%d-mangled", i) {
				t.Fatalf("IPv%d: received %q", fam, got)
			}
		}
		if len(got) != 5 || len(stale) != 0 {
			t.Errorf("IPv%d: %d fixed datagrams arrived (want 5), %d with a stale checksum (want 0)", fam, len(got), len(stale))
		}
		if after := csumErrors(t, p, fam); after-before != 5 {
			t.Errorf("IPv%d: InCsumErrors went from %d to %d, want +5", fam, before, after)
		}
	}
}

func csumErrors(t *testing.T, p *pair, fam int) int {
	if fam == 4 {
		return snmp(t, p.b, "Udp", "InCsumErrors")
	}
	out := string(kerneltest.Run(t, p.b, "cat", "/proc/net/snmp6"))
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "Udp6InCsumErrors" {
			var n int
			fmt.Sscan(f[1], &n)
			return n
		}
	}
	t.Fatal("no Udp6InCsumErrors")
	return 0
}

// fixLengthsOnly sets the IP and UDP lengths of b and nothing else.
func fixLengthsOnly(b []byte) {
	if b[0]>>4 == 4 {
		ihl := int(b[0]&0xf) * 4
		b[2], b[3] = byte(len(b)>>8), byte(len(b))
		// IP header checksum must be right for the packet to reach UDP.
		b[10], b[11] = 0, 0
		var s uint32
		for i := 0; i < ihl; i += 2 {
			s += uint32(b[i])<<8 | uint32(b[i+1])
		}
		for s > 0xffff {
			s = s&0xffff + s>>16
		}
		c := ^uint16(s)
		b[10], b[11] = byte(c>>8), byte(c)
		l := len(b) - ihl
		b[ihl+4], b[ihl+5] = byte(l>>8), byte(l)
		return
	}
	l := len(b) - 40
	b[4], b[5] = byte(l>>8), byte(l)
	b[44], b[45] = byte(l>>8), byte(l)
}

// TestVerdictUnknownID: a verdict for an id the kernel does not hold is a
// typed error naming the id, not a hang: SetVerdict's comes through
// Packets, SetVerdictSync's is returned. A second verdict for a packet is
// refused the same way.
func TestVerdictUnknownID(t *testing.T) {
	p := newPair(t)
	p.queueRules(t, 6)
	q := dial(t, &queue.Config{Num: 6, NetNS: p.b})
	ctx := testCtx(t)
	var ids []uint32
	var mu sync.Mutex
	r := startReader(t, q, func(pkt *queue.Packet) error {
		mu.Lock()
		ids = append(ids, pkt.ID)
		mu.Unlock()
		if err := q.SetVerdict(ctx, queue.Verdict{ID: pkt.ID, Action: queue.Accept}); err != nil {
			return err
		}
		// The same id again: the kernel no longer holds it.
		return q.SetVerdict(ctx, queue.Verdict{ID: pkt.ID, Action: queue.Drop})
	})
	if err := q.SetVerdict(ctx, queue.Verdict{ID: 999999, Action: queue.Accept}); err != nil {
		t.Fatal(err)
	}
	err := q.SetVerdictSync(ctx, queue.Verdict{ID: 999998, Action: queue.Drop})
	if !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), "999998") {
		t.Fatalf("SetVerdictSync of an unknown id: %v, want ENOENT naming the id", err)
	}
	l := udpListener(t, p.b, p.b4, 7001)
	s := udpSender(t, p.a, 4)
	s.WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(p.b4, 7001))
	if got := drain(l, 300*time.Millisecond); len(got) != 1 {
		t.Fatalf("received %d datagrams, want 1", len(got))
	}
	if !waitFor(2*time.Second, func() bool { return len(r.errs()) >= 2 }) {
		t.Fatalf("errors in the stream: %v, want two refusals", r.errs())
	}
	mu.Lock()
	wantIDs := map[uint32]bool{999999: true, ids[0]: true}
	mu.Unlock()
	for _, err := range r.errs() {
		var ve *queue.VerdictError
		if !errors.As(err, &ve) || !errors.Is(err, syscall.ENOENT) || !ve.HasID || !wantIDs[ve.ID] {
			t.Errorf("stream error %v: want a *VerdictError with ENOENT for ids %v", err, wantIDs)
			continue
		}
		delete(wantIDs, ve.ID)
		t.Logf("refusal: %v", err)
	}
	st, err := q.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Outstanding != 0 || st.Refused != 3 {
		t.Errorf("stats: %+v, want 0 outstanding and 3 refused", st)
	}
}
