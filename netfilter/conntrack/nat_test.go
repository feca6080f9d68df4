package conntrack_test

import (
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter/conntrack"
)

// TestNAT: flows created with a source or destination translation get
// the reply tuple the kernel's NAT makes of it.
func TestNAT(t *testing.T) {
	c, _, _ := dialNS(t)
	ctx := testCtx(t)
	snat := conntrack.Flow{Orig: udpTuple("198.18.0.1", "198.18.0.2", 1000, 53), Timeout: time.Minute,
		NAT: &conntrack.NAT{Src: conntrack.NATRange{Min: netip.MustParseAddr("198.18.9.9")}}}
	dnat := conntrack.Flow{Orig: tcpTuple("198.18.0.1", "198.18.0.3", 1000, 80), Timeout: time.Minute,
		NAT: &conntrack.NAT{Dst: conntrack.NATRange{Min: netip.MustParseAddr("198.18.7.7"), MinPort: 8080}}, TCP: conntrack.TCPInfo{State: conntrack.TCPEstablished}}
	for _, f := range []conntrack.Flow{snat, dnat} {
		if err := c.AddFlow(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	g, err := c.Flow(ctx, snat.Orig, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := snat.Orig.Reverse()
	want.Dst = netip.MustParseAddr("198.18.9.9")
	if g.Reply != want || g.Status&conntrack.StatusSrcNAT == 0 {
		t.Errorf("source NAT: reply %v status %v, want reply %v and SRC_NAT", g.Reply, g.Status, want)
	}
	g, err = c.Flow(ctx, dnat.Orig, 0)
	if err != nil {
		t.Fatal(err)
	}
	want = dnat.Orig.Reverse()
	want.Src, want.SrcPort = netip.MustParseAddr("198.18.7.7"), 8080
	if g.Reply != want || g.Status&conntrack.StatusDstNAT == 0 {
		t.Errorf("destination NAT: reply %v status %v, want reply %v and DST_NAT", g.Reply, g.Status, want)
	}
}
