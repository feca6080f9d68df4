package queue_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/packet"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/queue"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// tcpBulk sends size bytes over TCP from a to b's port and waits until b
// read them all.
func tcpBulk(t *testing.T, p *pair, dst netip.Addr, port uint16, size int) {
	t.Helper()
	l := in(t, p.b, func() (net.Listener, error) { return net.Listen("tcp", netip.AddrPortFrom(dst, port).String()) })
	defer l.Close()
	read := make(chan int64, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			read <- -1
			return
		}
		n, _ := io.Copy(io.Discard, c)
		c.Close()
		read <- n
	}()
	c, err := tcpDial(p.a, netip.AddrPortFrom(dst, port), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256<<10)
	for sent := 0; sent < size; sent += len(buf) {
		if _, err := c.Write(buf); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	select {
	case n := <-read:
		if n < int64(size) {
			t.Fatalf("the receiver read %d of %d bytes", n, size)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("bulk transfer timed out")
	}
}

// TestGSO: TCP bulk over the veth. With FlagGSO the queue gets the GSO
// packets whole (larger than the MTU, InfoGSO set); without it the kernel
// segments them first and no packet exceeds the MTU.
func TestGSO(t *testing.T) {
	for _, gso := range []bool{false, true} {
		p := newPair(t)
		p.rule(t, 4, "-A", "INPUT", "-i", "vb", "-p", "tcp", "--dport", "8001", "-j", "NFQUEUE", "--queue-num", "9")
		cfg := &queue.Config{Num: 9, NetNS: p.b, ReceiveBuffer: 8 << 20}
		if gso {
			cfg.Flags = queue.FlagGSO
		}
		q := dial(t, cfg)
		var mu sync.Mutex
		maxLen, n, gsoPkts := 0, 0, 0
		hist := map[int]int{} // size class in KiB
		r := startReader(t, q, func(pkt *queue.Packet) error {
			mu.Lock()
			maxLen = max(maxLen, pkt.Len())
			n++
			if pkt.Info&queue.InfoGSO != 0 {
				gsoPkts++
			}
			hist[pkt.Len()>>13<<3]++
			mu.Unlock()
			return q.SetVerdict(t.Context(), queue.Verdict{ID: pkt.ID, Action: queue.Accept})
		})
		tcpBulk(t, p, p.b4, 8001, 32<<20)
		r.stop()
		mu.Lock()
		t.Logf("gso=%v: %d packets, largest %d bytes, %d marked GSO; packets by size (KiB floor, step 8): %v", gso, n, maxLen, gsoPkts, hist)
		switch {
		case gso && (maxLen <= 1500 || gsoPkts == 0):
			t.Errorf("with FlagGSO the largest packet was %d bytes, %d marked GSO: want GSO packets", maxLen, gsoPkts)
		case !gso && maxLen > 1500:
			t.Errorf("without FlagGSO a packet of %d bytes was queued", maxLen)
		}
		mu.Unlock()
	}
}

// loadCtnetlink makes the kernel load nf_conntrack_netlink (a conntrack
// dump request autoloads it), which NFQA_CT needs.
func loadCtnetlink(t *testing.T, ns *netns.NS) {
	t.Helper()
	c, err := netfilter.Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := netfilter.NewMessage(netfilter.SubsysCTNetlink, 1, netlink.Dump, netfilter.Header{Family: netfilter.FamilyIPv4}, nil)
	for _, err := range c.Dump(t.Context(), req) {
		if err != nil {
			t.Fatalf("conntrack dump (to load nf_conntrack_netlink): %v", err)
		}
	}
}

// TestConntrack: with FlagConntrack a TCP connection's first packet is
// new and the later ones established (in their direction); a verdict's
// connection mark is seen on the connection's next packets.
func TestConntrack(t *testing.T) {
	p := newPair(t)
	loadCtnetlink(t, p.b)
	// A conntrack match makes the namespace track connections.
	p.rule(t, 4, "-A", "INPUT", "-i", "vb", "-p", "tcp", "--dport", "8001", "-m", "conntrack", "--ctstate", "NEW,ESTABLISHED", "-j", "NFQUEUE", "--queue-num", "10")
	q, err := queue.Dial(&queue.Config{Num: 10, NetNS: p.b, Flags: queue.FlagConntrack})
	if errors.Is(err, syscall.EOPNOTSUPP) {
		// nfnetlink_queue refuses the flag when the kernel was built
		// without CONFIG_NETFILTER_NETLINK_GLUE_CT (its conntrack glue).
		// The decoding of NFQA_CT and NFQA_CT_INFO is tested on the
		// kernel's encoding in TestDecodeConntrack.
		t.Skipf("this kernel has no conntrack glue for queues (CONFIG_NETFILTER_NETLINK_GLUE_CT): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close() })
	type seen struct {
		state   netfilter.ConnState
		has     bool
		id      uint32
		mark    uint32
		tcp     string
		payload int
	}
	var mu sync.Mutex
	var pkts []seen
	startReader(t, q, func(pkt *queue.Packet) error {
		info := packet.Summary(pkt.Payload)
		mu.Lock()
		pkts = append(pkts, seen{pkt.ConnState, pkt.HasConn, pkt.ConnID, pkt.ConnMark, info.TCPFlags, info.PayloadLength})
		first := len(pkts) == 1
		mu.Unlock()
		v := queue.Verdict{ID: pkt.ID, Action: queue.Accept}
		if first {
			m := uint32(7)
			v.ConnMark = &m
		}
		return q.SetVerdict(t.Context(), v)
	})
	tcpBulk(t, p, p.b4, 8001, 100000)
	mu.Lock()
	defer mu.Unlock()
	if len(pkts) < 3 {
		t.Fatalf("%d packets queued", len(pkts))
	}
	t.Logf("first packets: %+v", pkts[:3])
	if s := pkts[0]; !s.has || s.state != netfilter.StateNew || s.tcp != "S" || s.id == 0 {
		t.Errorf("SYN: %+v, want state new with a conntrack id", s)
	}
	for i, s := range pkts[1:] {
		if !s.has || s.state != netfilter.StateEstablished || s.id != pkts[0].id {
			t.Fatalf("packet %d: %+v, want established on conntrack %d", i+1, s, pkts[0].id)
		}
		if s.mark != 7 {
			t.Fatalf("packet %d: connection mark %d, want 7 (set by the SYN's verdict)", i+1, s.mark)
		}
	}
}

// TestUIDGID: with FlagUIDGID, packets of a local socket (queued at
// OUTPUT) carry its owner; without it they do not.
func TestUIDGID(t *testing.T) {
	p := newPair(t)
	for _, flag := range []bool{false, true} {
		num := uint16(11)
		if flag {
			num = 12
		}
		ns := p.a
		tool := p.iptables
		port := "7005"
		if flag {
			port = "7006"
		}
		runIn(t, ns, tool, "-A", "OUTPUT", "-o", "va", "-p", "udp", "--dport", port, "-j", "NFQUEUE", "--queue-num", itoa(int(num)))
		cfg := &queue.Config{Num: num, NetNS: ns}
		if flag {
			cfg.Flags = queue.FlagUIDGID
		}
		q := dial(t, cfg)
		got := make(chan queue.Packet, 1)
		startReader(t, q, func(pkt *queue.Packet) error {
			select {
			case got <- *pkt:
			default:
			}
			return q.SetVerdict(t.Context(), queue.Verdict{ID: pkt.ID, Action: queue.Accept})
		})
		s := udpSender(t, p.a, 4)
		s.WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(p.b4, uint16(atoi(port))))
		select {
		case pkt := <-got:
			t.Logf("flag %v: hook %v uid %d (%v) gid %d (%v)", flag, pkt.Hook, pkt.UID, pkt.HasUID, pkt.GID, pkt.HasGID)
			if pkt.Hook != queue.HookOutput || pkt.OutIndex == 0 {
				t.Errorf("hook %v out %d, want output", pkt.Hook, pkt.OutIndex)
			}
			wantUID, wantGID := uint32(syscall.Getuid()), uint32(syscall.Getgid())
			if flag && (!pkt.HasUID || !pkt.HasGID || pkt.UID != wantUID || pkt.GID != wantGID) {
				t.Errorf("with FlagUIDGID: uid %d (%v) gid %d (%v), want %d and %d", pkt.UID, pkt.HasUID, pkt.GID, pkt.HasGID, wantUID, wantGID)
			}
			if !flag && (pkt.HasUID || pkt.HasGID) {
				t.Error("owner given without FlagUIDGID")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no packet queued")
		}
	}
}

// TestSecCtx: FlagSecCtx is accepted by a kernel built with
// CONFIG_NETWORK_SECMARK and refused (EOPNOTSUPP) by one without; with it,
// packets carry a context only when a security module labels them.
func TestSecCtx(t *testing.T) {
	p := newPair(t)
	q, err := queue.Dial(&queue.Config{Num: 13, NetNS: p.b, Flags: queue.FlagSecCtx})
	if errors.Is(err, syscall.EOPNOTSUPP) {
		t.Logf("this kernel refuses FlagSecCtx: %v", err)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	p.queueRules(t, 13)
	got := make(chan []byte, 1)
	startReader(t, q, func(pkt *queue.Packet) error {
		select {
		case got <- append([]byte(nil), pkt.SecCtx...):
		default:
		}
		return q.SetVerdict(context.Background(), queue.Verdict{ID: pkt.ID, Action: queue.Accept})
	})
	udpSender(t, p.a, 4).WriteToUDPAddrPort([]byte("x"), netip.AddrPortFrom(p.b4, 7001))
	select {
	case c := <-got:
		t.Logf("FlagSecCtx accepted; security context of a packet: %q (empty without a labelling LSM)", c)
	case <-time.After(5 * time.Second):
		t.Fatal("no packet queued")
	}
}
