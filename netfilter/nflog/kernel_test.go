package nflog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
)

// End to end: UDP over the veth pair hits an nft `log group` rule and an
// iptables -j NFLOG rule, for IPv4 and IPv6; every packet arrives with its
// prefix, devices, hardware header and payload.
func TestEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name   string
		family netfilter.Family
		dst    func() (string, []byte)
	}{
		{"ipv4", netfilter.FamilyIPv4, nil},
		{"ipv6", netfilter.FamilyIPv6, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t)
			const group = 7
			logRule(t, p, group, 9999, "nft-x", "")
			ipt := "iptables-legacy"
			dst, network := addrB4, "udp4"
			if tc.family == netfilter.FamilyIPv6 {
				ipt, dst, network = "ip6tables-legacy", addrB6, "udp6"
			}
			path := kerneltest.Tool(t, ipt, "iptables")
			kerneltest.Run(t, p.b, path, "-A", "INPUT", "-p", "udp", "--dport", "9998",
				"-j", "NFLOG", "--nflog-group", "7", "--nflog-prefix", "ipt-y")
			c := dial(t, p.b, Config{Group: group, Flags: FlagSeq})
			s := sender(t, p.a, network)
			const n = 50
			send(t, s, dst, 9999, n, payloadN)
			send(t, s, dst, 9998, n, payloadN)
			got, errs := collect(t, c, 2*n, 10*time.Second)
			if len(errs) > 0 {
				t.Errorf("errors in the stream: %v", errs)
			}
			if len(got) != 2*n {
				t.Fatalf("got %d entries, want %d", len(got), 2*n)
			}
			for i, e := range got {
				prefix, k := "nft-x", i
				if i >= n {
					prefix, k = "ipt-y", i-n
				}
				if e.Prefix != prefix || e.Family != tc.family || e.Group != group || e.Hook != HookInput {
					t.Errorf("entry %d: %v, want prefix %q family %v hook input", i, e, prefix, tc.family)
				}
				if e.InIndex != p.bIndex || e.OutIndex != 0 {
					t.Errorf("entry %d: in %d out %d, want in %d (vb)", i, e.InIndex, e.OutIndex, p.bIndex)
				}
				if want := payloadN(k); !bytes.Equal(udpPayload(e.Payload), want) {
					t.Errorf("entry %d: payload %q, want %q", i, udpPayload(e.Payload), want)
				}
				if !bytes.Equal(e.HWAddr, p.aMAC) || len(e.HWHeader) != 14 || !bytes.Equal(e.HWHeader[:6], p.bMAC) || !bytes.Equal(e.HWHeader[6:12], p.aMAC) {
					t.Errorf("entry %d: hw addr %x header %x, want from %v to %v", i, e.HWAddr, e.HWHeader, p.aMAC, p.bMAC)
				}
				if e.HWType != 1 || e.HWLen != 14 {
					t.Errorf("entry %d: hw type %d len %d, want Ethernet (1, 14)", i, e.HWType, e.HWLen)
				}
				wantProto := uint16(0x0800)
				if tc.family == netfilter.FamilyIPv6 {
					wantProto = 0x86dd
				}
				if e.HWProtocol != wantProto {
					t.Errorf("entry %d: hw protocol %#x, want %#x", i, e.HWProtocol, wantProto)
				}
				if e.Time.IsZero() || time.Since(e.Time) > time.Minute || time.Since(e.Time) < 0 {
					t.Errorf("entry %d: time %v", i, e.Time)
				}
				if !e.HasSeq || e.Seq != uint32(i) {
					t.Errorf("entry %d: seq %d (%v), want %d", i, e.Seq, e.HasSeq, i)
				}
			}
			if st := c.Stats(); st.Entries != 2*n || st.Lost != 0 || st.Overruns != 0 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// batchSizes ranges over c's entries until n came or d passed and
// returns, per datagram, how many entries it carried (by Stats.Batches
// at each entry: the NLMSG_DONE closing a batch comes after its entries),
// and the entries' sequence numbers.
func batchSizes(t *testing.T, c *Conn, n int, d time.Duration) (sizes []int, seqs []uint32) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	base := c.Stats().Batches
	for e, err := range c.Entries(ctx) {
		if err != nil {
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("stream: %v", err)
			}
			break
		}
		k := int(c.Stats().Batches - base)
		for len(sizes) <= k {
			sizes = append(sizes, 0)
		}
		sizes[k]++
		seqs = append(seqs, e.Seq)
		if len(seqs) == n {
			break
		}
	}
	// The NLMSG_DONE of the batch a previous stream broke off at comes
	// first, before any entry of this one.
	for len(sizes) > 0 && sizes[0] == 0 {
		sizes = sizes[1:]
	}
	return sizes, seqs
}

// Threshold and buffer size: with qthresh 50 and a 128 KiB buffer the
// kernel sends the entries 50 per datagram, none missing; with its default
// buffer the batches are cut by size instead.
func TestThreshold(t *testing.T) {
	p := newPair(t)
	logRule(t, p, 3, 9999, "thr", "")
	s := sender(t, p.a, "udp4")
	const n = 200
	for _, tc := range []struct {
		name    string
		bufsiz  int
		timeout time.Duration
	}{{"nlbufsiz-128k", MaxBufferSize, 10 * time.Second}, {"nlbufsiz-default", 0, 100 * time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			c := dial(t, p.b, Config{Group: 3, QThreshold: 50, Timeout: tc.timeout, BufferSize: tc.bufsiz, Flags: FlagSeq})
			send(t, s, addrB4, 9999, n, payloadN)
			sizes, seqs := batchSizes(t, c, n, 5*time.Second)
			if len(seqs) != n {
				t.Fatalf("got %d entries, want %d (batches %v)", len(seqs), n, sizes)
			}
			for i, q := range seqs {
				if q != uint32(i) {
					t.Fatalf("entry %d has sequence number %d: out of order or missing", i, q)
				}
			}
			t.Logf("entries per datagram: %v", sizes)
			if tc.bufsiz == MaxBufferSize {
				if len(sizes) != 4 || sizes[0] != 50 || sizes[1] != 50 || sizes[2] != 50 || sizes[3] != 50 {
					t.Errorf("entries per datagram %v, want [50 50 50 50]", sizes)
				}
			} else {
				// The tail waits for the 100 ms timeout.
				if len(sizes) <= 4 || sizes[0] < 2 || sizes[0] >= 50 {
					t.Errorf("entries per datagram %v: want batches of several entries cut before 50 by the default buffer", sizes)
				}
			}
			if st := c.Stats(); st.Lost != 0 || st.Overruns != 0 || st.Entries != n {
				t.Errorf("stats %+v", st)
			}
			c.Close()
		})
	}
}

// Timeout: a partial batch waits in the kernel for the flush timeout, then
// comes whole in one datagram.
func TestTimeout(t *testing.T) {
	p := newPair(t)
	logRule(t, p, 4, 9999, "tmo", "")
	s := sender(t, p.a, "udp4")
	c := dial(t, p.b, Config{Group: 4, QThreshold: 50, Timeout: 2 * time.Second, BufferSize: MaxBufferSize, Flags: FlagSeq})
	if got := procLog(t, p.b); !strings.Contains(got, " 200 ") {
		t.Errorf("/proc/net/netfilter/nfnetlink_log: %q, want a flush timeout of 200 (hundredths)", got)
	}
	start := time.Now()
	send(t, s, addrB4, 9999, 3, payloadN)
	sizes, seqs := batchSizes(t, c, 3, time.Second)
	if len(seqs) != 0 {
		t.Fatalf("%d entries came within 1 s, before the 2 s timeout", len(seqs))
	}
	sizes, seqs = batchSizes(t, c, 3, 5*time.Second)
	waited := time.Since(start)
	if len(seqs) != 3 || len(sizes) != 1 || sizes[0] != 3 {
		t.Fatalf("after the timeout: %d entries in batches %v, want 3 in one", len(seqs), sizes)
	}
	t.Logf("partial batch of 3 flushed after %v", waited)

	// A short timeout flushes at once.
	short := 10 * time.Millisecond
	if err := c.SetConfig(context.Background(), ConfigChange{Timeout: &short}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	send(t, s, addrB4, 9999, 2, payloadN)
	_, seqs = batchSizes(t, c, 2, time.Second)
	if len(seqs) != 2 {
		t.Fatalf("with a 10 ms timeout: %d entries within 1 s, want 2", len(seqs))
	}
	t.Logf("with 10 ms: flushed after %v", time.Since(start))
}

// Copy mode and range reach the kernel: the payload is cut to the range,
// metadata mode sends none, and SetConfig changes it on a bound group.
func TestCopyMode(t *testing.T) {
	p := newPair(t)
	logRule(t, p, 5, 9999, "copy", "")
	s := sender(t, p.a, "udp4")
	c := dial(t, p.b, Config{Group: 5, CopyRange: 30})
	if got := procLog(t, p.b); !strings.Contains(got, " 2    30 ") {
		t.Errorf("/proc/net/netfilter/nfnetlink_log: %q, want copy mode 2 range 30", got)
	}
	list, err := InstanceList(context.Background(), p.b)
	want := Instance{Group: 5, PortID: c.Netfilter().Netlink().PortID(), CopyMode: CopyPacket, CopyRange: 30, Timeout: time.Second}
	if err != nil || len(list) != 1 || list[0] != want {
		t.Errorf("InstanceList: %+v, %v; want [%+v]", list, err, want)
	}
	send(t, s, addrB4, 9999, 1, payloadN)
	got, _ := collect(t, c, 1, 5*time.Second)
	if len(got) != 1 || len(got[0].Payload) != 30 {
		t.Fatalf("copy range 30: %v", got)
	}
	meta := CopyMeta
	if err := c.SetConfig(context.Background(), ConfigChange{CopyMode: &meta}); err != nil {
		t.Fatal(err)
	}
	send(t, s, addrB4, 9999, 1, payloadN)
	got, _ = collect(t, c, 1, 5*time.Second)
	if len(got) != 1 || len(got[0].Payload) != 0 || got[0].Prefix != "copy" {
		t.Fatalf("copy mode meta: %v", got)
	}
	whole, packet := 0, CopyPacket
	if err := c.SetConfig(context.Background(), ConfigChange{CopyMode: &packet, CopyRange: &whole}); err != nil {
		t.Fatal(err)
	}
	send(t, s, addrB4, 9999, 1, payloadN)
	got, _ = collect(t, c, 1, 5*time.Second)
	if len(got) != 1 || len(got[0].Payload) != 20+8+len(payloadN(0)) {
		t.Fatalf("whole packet: %v", got)
	}
}

// The flags reach the kernel: global sequence numbers, conntrack
// information; and the rule's mark comes with the entry.
func TestFlagsAndMark(t *testing.T) {
	p := newPair(t)
	logRule(t, p, 6, 9999, "ct", "")
	nft(t, p.b, `table inet nlkit_mark {
	chain pre {
		type filter hook prerouting priority -300;
		udp dport 9999 meta mark set 0x42
	}
	chain in {
		type filter hook input priority -10;
		ct state new counter
	}
}
`)
	s := sender(t, p.a, "udp4")
	cfg := Config{Group: 6, Flags: FlagSeq | FlagSeqGlobal | FlagConntrack, Netlink: &netlink.Config{NetNS: p.b}}
	c, err := Dial(&cfg)
	ct := true
	if errors.Is(err, syscall.EOPNOTSUPP) {
		// Kernels built without CONFIG_NETFILTER_NETLINK_GLUE_CT (this
		// project's 6.18 is one) have no conntrack for nfnetlink_log.
		t.Logf("flag conntrack refused: %v", err)
		ct = false
		cfg.Flags &^= FlagConntrack
		c, err = Dial(&cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	send(t, s, addrB4, 9999, 2, payloadN)
	got, errs := collect(t, c, 2, 5*time.Second)
	if len(got) != 2 || len(errs) != 0 {
		t.Fatalf("got %v, %v", got, errs)
	}
	for i, e := range got {
		if !e.HasGlobalSeq || e.GlobalSeq == 0 || !e.HasSeq || e.Seq != uint32(i) {
			t.Errorf("entry %d: seq %d/%v global %d/%v", i, e.Seq, e.HasSeq, e.GlobalSeq, e.HasGlobalSeq)
		}
		if e.Mark != 0x42 {
			t.Errorf("entry %d: mark %#x, want 0x42", i, e.Mark)
		}
		if ct && (len(e.Conntrack) == 0 || !e.HasCTInfo || e.CTInfo != netfilter.StateNew) {
			t.Errorf("entry %d: conntrack %d bytes, info %v (%v), want new", i, len(e.Conntrack), e.CTInfo, e.HasCTInfo)
		}
	}
	if got[1].GlobalSeq != got[0].GlobalSeq+1 {
		t.Errorf("global sequence %d then %d", got[0].GlobalSeq, got[1].GlobalSeq)
	}
}

// Locally generated packets carry their socket's owner and the output
// device, and no timestamp (the kernel stamps received packets only).
func TestOutputOwner(t *testing.T) {
	p := newPair(t)
	nft(t, p.a, `table inet nlkit_out {
	chain out {
		type filter hook output priority 0;
		udp dport 9999 log group 2 prefix "out"
	}
}
`)
	c := dial(t, p.a, Config{Group: 2})
	s := sender(t, p.a, "udp6")
	send(t, s, addrB6, 9999, 1, payloadN)
	got, _ := collect(t, c, 1, 5*time.Second)
	if len(got) != 1 {
		t.Fatal("no entry")
	}
	e := got[0]
	var va int32
	p.a.Do(func() error {
		ifi, err := net.InterfaceByName("va")
		if err == nil {
			va = int32(ifi.Index)
		}
		return err
	})
	if e.Hook != HookOutput || e.OutIndex != va || e.InIndex != 0 || !e.HasUID || e.UID != uint32(os.Geteuid()) || !e.Time.IsZero() || e.Family != netfilter.FamilyIPv6 {
		t.Errorf("entry %v: want hook output, out %d, uid %d, no time", e, va, os.Geteuid())
	}
}

// The kernel keeps one socket per group and namespace: a second bind is
// refused with EPERM, given as a *GroupBusyError naming the holder's port;
// the same group in another namespace is free, and the group is free
// again once its holder closes.
func TestGroupBusy(t *testing.T) {
	p := newPair(t)
	first := dial(t, p.b, Config{Group: 11})
	_, err := Dial(&Config{Group: 11, Netlink: &netlink.Config{NetNS: p.b}})
	var busy *GroupBusyError
	if !errors.As(err, &busy) || !errors.Is(err, ErrGroupBusy) || !errors.Is(err, syscall.EPERM) {
		t.Fatalf("second bind: %v, want a *GroupBusyError with EPERM", err)
	}
	if busy.Group != 11 || busy.Port != first.Netfilter().Netlink().PortID() {
		t.Errorf("busy error %+v, want group 11 held by port %d", busy, first.Netfilter().Netlink().PortID())
	}
	t.Logf("second bind: %v", err)
	other := dial(t, p.a, Config{Group: 11}) // another namespace: its own group 11
	other.Close()
	first.Close()
	again := dial(t, p.b, Config{Group: 11})
	again.Close()
}

// Two programs cannot share a group, but two groups can log the same
// packet: a rule per group, a socket per group, each gets every entry.
func TestTwoGroups(t *testing.T) {
	p := newPair(t)
	logRule(t, p, 21, 9999, "one", "")
	nft(t, p.b, `table inet nlkit_two {
	chain in {
		type filter hook input priority 10;
		udp dport 9999 log group 22 prefix "two"
	}
}
`)
	c1 := dial(t, p.b, Config{Group: 21})
	c2 := dial(t, p.b, Config{Group: 22})
	s := sender(t, p.a, "udp4")
	send(t, s, addrB4, 9999, 20, payloadN)
	for _, c := range []*Conn{c1, c2} {
		got, errs := collect(t, c, 20, 5*time.Second)
		if len(got) != 20 || len(errs) != 0 {
			t.Errorf("group %d: %d entries, %v", c.Group(), len(got), errs)
		}
	}
}

// PF_BIND makes nfnetlink_log the namespace's default logger of a family.
func TestFamilies(t *testing.T) {
	p := newPair(t)
	c := dial(t, p.b, Config{Group: 0, Families: []netfilter.Family{netfilter.FamilyIPv4, netfilter.FamilyIPv6, netfilter.FamilyBridge}})
	out := string(kerneltest.Run(t, p.b, "cat", "/proc/net/netfilter/nf_log"))
	for _, f := range []string{" 2 nfnetlink_log", "10 nfnetlink_log", " 7 nfnetlink_log"} {
		if !strings.Contains(out, f) {
			t.Errorf("nf_log after PF_BIND:\n%s\nwant a line %q", out, f)
		}
	}
	c.Close()
}

// The largest batches the kernel builds (128 KiB buffer, big entries, a
// threshold never reached) fit MaxDatagram: every datagram is read whole
// with one system call. They exceed the 128 KiB asked for: the kernel's
// allocator rounds the buffer up to 256 KiB and the kernel fills what it
// got.
func TestLargestBatches(t *testing.T) {
	p := newPair(t)
	logRule(t, p, 13, 9999, "big", "")
	s := sender(t, p.a, "udp4")
	c := dial(t, p.b, Config{Group: 13, QThreshold: 100000, Timeout: 100 * time.Millisecond, BufferSize: MaxBufferSize,
		Flags: FlagSeq, Netlink: &netlink.Config{ReceiveBuffer: 64 << 20}})
	const n = 2000
	big := make([]byte, 1400)
	send(t, s, addrB4, 9999, n, func(i int) []byte { return big })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var sizes []int // bytes per datagram: the entries' netlink messages
	got := 0
	for e, err := range c.Entries(ctx) {
		if err != nil {
			t.Fatalf("after %d entries: %v", got, err)
		}
		k := int(c.Stats().Batches)
		for len(sizes) <= k {
			sizes = append(sizes, netlink.HeaderLen+netfilter.HeaderLen) // the closing NLMSG_DONE
		}
		b, _ := e.MarshalBinary()
		sizes[k] += netlink.Align(netlink.HeaderLen + len(b))
		if got++; got == n {
			break
		}
	}
	t.Logf("bytes per datagram: %v", sizes)
	for _, b := range sizes[:len(sizes)-1] {
		if b > MaxDatagram || b <= MaxBufferSize {
			t.Errorf("a batch of %d bytes: want above the %d asked for, within MaxDatagram %d", b, MaxBufferSize, MaxDatagram)
		}
	}
}

// Bridge family: a packet logged by an nft bridge rule comes with the
// bridge as input device, the bridge port it came by as physical input
// device, and its link-layer header.
func TestBridge(t *testing.T) {
	p := newPair(t)
	kerneltest.Run(t, p.b, "ip", "link", "add", "br0", "address", "02:00:00:00:00:b0", "type", "bridge")
	kerneltest.Run(t, p.b, "ip", "addr", "flush", "dev", "vb")
	kerneltest.Run(t, p.b, "ip", "link", "set", "vb", "master", "br0")
	kerneltest.Run(t, p.b, "ip", "addr", "add", "198.18.0.2/24", "dev", "br0")
	kerneltest.Run(t, p.b, "ip", "link", "set", "br0", "up")
	kerneltest.Run(t, p.a, "ip", "neigh", "replace", "198.18.0.2", "lladdr", "02:00:00:00:00:b0", "dev", "va", "nud", "permanent")
	nft(t, p.b, `table bridge nlkit_br {
	chain in {
		type filter hook input priority 0;
		udp dport 9999 log group 14 prefix "br"
	}
}
`)
	var br int32
	p.b.Do(func() error {
		ifi, err := net.InterfaceByName("br0")
		if err == nil {
			br = int32(ifi.Index)
		}
		return err
	})
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(string(kerneltest.Run(t, p.b, "ip", "-o", "link", "show", "br0")), "state UP") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	c := dial(t, p.b, Config{Group: 14})
	s := sender(t, p.a, "udp4")
	send(t, s, addrB4, 9999, 3, payloadN)
	got, errs := collect(t, c, 3, 5*time.Second)
	if len(got) != 3 || len(errs) != 0 {
		t.Fatalf("got %d entries, %v", len(got), errs)
	}
	for i, e := range got {
		if e.Family != netfilter.FamilyBridge || e.Prefix != "br" || e.InIndex != br || e.PhysInIndex != p.bIndex || e.HWProtocol != 0x0800 {
			t.Errorf("entry %d: %v, want bridge family, in br0 (%d), physin vb (%d)", i, e, br, p.bIndex)
		}
		if len(e.L2Header) != 14 || !bytes.Equal(e.L2Header[6:12], p.aMAC) {
			t.Errorf("entry %d: link-layer header %x", i, e.L2Header)
		}
		if !bytes.Equal(udpPayload(e.Payload), payloadN(i)) {
			t.Errorf("entry %d: payload %x", i, e.Payload)
		}
	}
}

// NewConn binds over a shared socket; Close unbinds the group
// (NFULNL_CFG_CMD_UNBIND) and leaves the socket usable: the group can be
// bound again on it.
func TestNewConnUnbind(t *testing.T) {
	p := newPair(t)
	nf, err := netfilter.Dial(&netlink.Config{NetNS: p.b})
	if err != nil {
		t.Fatal(err)
	}
	defer nf.Close()
	port := fmt.Sprint(nf.Netlink().PortID())
	for i := range 2 {
		c, err := NewConn(nf, &Config{Group: 15})
		if err != nil {
			t.Fatalf("bind %d: %v", i, err)
		}
		if got := procLog(t, p.b); !strings.Contains(got, "15 "+strings.Repeat(" ", 6-len(port))+port) {
			t.Errorf("bind %d: /proc/net/netfilter/nfnetlink_log %q, want group 15 held by port %s", i, got, port)
		}
		// The same socket binding the group again: the kernel's EBUSY.
		if _, err := NewConn(nf, &Config{Group: 15}); !errors.Is(err, syscall.EBUSY) {
			t.Errorf("second bind on the same socket: %v, want EBUSY", err)
		}
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
		if got := procLog(t, p.b); got != "" {
			t.Errorf("after Close: %q, want no instance", got)
		}
	}
}

// A rule's own threshold wins when smaller: an iptables NFLOG rule with
// --nflog-threshold 5 makes batches of 5 in a group whose threshold is 20;
// without the option (iptables 1.8 then sends 0: no threshold of its own)
// the group's 20 applies.
func TestRuleThreshold(t *testing.T) {
	p := newPair(t)
	ipt := kerneltest.Tool(t, "iptables-legacy", "iptables")
	kerneltest.Run(t, p.b, ipt, "-A", "INPUT", "-p", "udp", "--dport", "9998", "-j", "NFLOG", "--nflog-group", "16")
	kerneltest.Run(t, p.b, ipt, "-A", "INPUT", "-p", "udp", "--dport", "9997", "-j", "NFLOG", "--nflog-group", "16", "--nflog-threshold", "5")
	s := sender(t, p.a, "udp4")
	c := dial(t, p.b, Config{Group: 16, QThreshold: 20, Timeout: 10 * time.Second, BufferSize: MaxBufferSize, Flags: FlagSeq})
	send(t, s, addrB4, 9998, 40, payloadN)
	sizes, seqs := batchSizes(t, c, 40, 5*time.Second)
	if len(seqs) != 40 || diff([]int{20, 20}, sizes) != "" {
		t.Errorf("rule without a threshold: %d entries in batches %v, want [20 20] (the group's)", len(seqs), sizes)
	}
	send(t, s, addrB4, 9997, 40, payloadN)
	sizes, seqs = batchSizes(t, c, 40, 5*time.Second)
	if len(seqs) != 40 || diff([]int{5, 5, 5, 5, 5, 5, 5, 5}, sizes) != "" {
		t.Errorf("rule with threshold 5: %d entries in batches %v, want 8 of 5", len(seqs), sizes)
	}
}
