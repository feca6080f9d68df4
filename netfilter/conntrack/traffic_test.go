package conntrack_test

import (
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
)

// TestTraffic: real UDP traffic over a veth pair between two namespaces,
// through an nft rule that accepts by ct state: the tracker's own entry
// shows both directions, SEEN_REPLY, the counters (accounting on) and the
// ct state rule's hits; an event subscriber sees it created.
func TestTraffic(t *testing.T) {
	ctx := testCtx(t)
	nsA, nameA := kerneltest.NamedNetNS(t)
	nsB, nameB := kerneltest.NamedNetNS(t)
	ipTool := kerneltest.Tool(t, "ip", "iproute2")
	nft := kerneltest.Tool(t, "nft", "nftables")
	sysctl := kerneltest.Tool(t, "sysctl", "procps")
	kerneltest.Run(t, nsA, ipTool, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", nameB)
	kerneltest.Run(t, nsA, ipTool, "addr", "add", "198.18.1.1/24", "dev", "va")
	kerneltest.Run(t, nsA, ipTool, "link", "set", "va", "up")
	kerneltest.Run(t, nsB, ipTool, "addr", "add", "198.18.1.2/24", "dev", "vb")
	kerneltest.Run(t, nsB, ipTool, "link", "set", "vb", "up")
	kerneltest.Run(t, nsB, sysctl, "-qw", "net.netfilter.nf_conntrack_acct=1")
	kerneltest.Run(t, nsB, nft, "add table inet t")
	kerneltest.Run(t, nsB, nft, "add chain inet t in { type filter hook input priority 0; policy drop; }")
	kerneltest.Run(t, nsB, nft, "add rule inet t in ct state established,related counter accept")
	kerneltest.Run(t, nsB, nft, "add rule inet t in ct state new udp dport 9999 counter accept")
	kerneltest.Run(t, nsB, nft, "add rule inet t in iifname lo accept")
	_ = nameA

	c, err := conntrack.Dial(&netlink.Config{NetNS: nsB})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	started := make(chan struct{})
	events := collectEvents(t, nsB, conntrack.EventFilter{Types: conntrack.EventNew, Protos: []uint8{conntrack.ProtoUDP}}, started, 1, 10*time.Second)
	<-started

	// A UDP echo in B, a client in A.
	var srv, cli net.PacketConn
	if err := nsB.Do(func() (err error) { srv, err = net.ListenPacket("udp4", "198.18.1.2:9999"); return }); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := nsA.Do(func() (err error) { cli, err = net.ListenPacket("udp4", "198.18.1.1:0"); return }); err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := srv.ReadFrom(buf)
			if err != nil {
				return
			}
			srv.WriteTo(buf[:n], from)
		}
	}()
	dst := net.UDPAddrFromAddrPort(netip.MustParseAddrPort("198.18.1.2:9999"))
	buf := make([]byte, 2048)
	for i := range 5 {
		cli.SetReadDeadline(time.Now().Add(2 * time.Second))
		if _, err := cli.WriteTo([]byte(strings.Repeat("x", 100+i)), dst); err != nil {
			t.Fatal(err)
		}
		if _, _, err := cli.ReadFrom(buf); err != nil {
			t.Fatalf("echo %d: %v", i, err)
		}
	}
	sport := uint16(cli.LocalAddr().(*net.UDPAddr).Port)
	want := udpTuple("198.18.1.1", "198.18.1.2", sport, 9999)
	f, err := c.Flow(ctx, want, 0)
	if err != nil {
		t.Fatal(err)
	}
	if f.Orig != want || f.Reply != want.Reverse() || f.Status&conntrack.StatusSeenReply == 0 || f.Status&conntrack.StatusConfirmed == 0 {
		t.Errorf("flow %+v", f)
	}
	if f.CountersOrig.Packets != 5 || f.CountersReply.Packets != 5 || f.CountersOrig.Bytes == 0 || !f.Has(conntrack.AttrCountersOrig) {
		t.Errorf("counters orig %+v reply %+v, want 5 packets each way", f.CountersOrig, f.CountersReply)
	}
	// Zeroing: the counters come back, then read 0.
	for g, err := range c.ZeroedFlows(ctx, conntrack.FlowFilter{Proto: conntrack.ProtoUDP, DstPort: 9999}) {
		if err != nil {
			t.Fatal(err)
		}
		if g.CountersOrig.Packets != 5 {
			t.Errorf("dump and zero gave %+v", g.CountersOrig)
		}
	}
	if g, _ := c.Flow(ctx, want, 0); g.CountersOrig.Packets != 0 || g.CountersReply.Packets != 0 {
		t.Errorf("after zeroing: %+v %+v", g.CountersOrig, g.CountersReply)
	}
	rules := string(kerneltest.Run(t, nsB, nft, "list chain inet t in"))
	if !strings.Contains(rules, "ct state new udp dport 9999 counter packets 1 ") || !strings.Contains(rules, "ct state established,related counter packets 4 ") {
		t.Errorf("ct state rules did not see 1 new and 4 established packets:\n%s", rules)
	}
	got := <-events
	if len(got) != 1 || got[0].Flow.Orig != want {
		t.Errorf("events: %+v", got)
	}
}
