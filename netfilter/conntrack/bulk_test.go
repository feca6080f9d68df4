package conntrack_test

import (
	"errors"
	"net/netip"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
)

// bulkFlows makes n UDP flows: flow i goes from 198.18.x.y (x.y = i) to
// one of four destinations (i%4) with mark i%5.
func bulkFlows(n int) []conntrack.Flow {
	dsts := []netip.Addr{netip.MustParseAddr("198.19.0.1"), netip.MustParseAddr("198.19.0.2"),
		netip.MustParseAddr("198.19.0.3"), netip.MustParseAddr("198.19.0.4")}
	out := make([]conntrack.Flow, n)
	for i := range out {
		out[i] = conntrack.Flow{
			Orig:    conntrack.Tuple{Src: nthAddr(i), Dst: dsts[i%4], Proto: conntrack.ProtoUDP, SrcPort: uint16(1024 + i%60000), DstPort: 53},
			Timeout: 600 * time.Second,
			Mark:    uint32(i % 5),
		}
	}
	return out
}

// TestBulkFilter: 10,000 flows created in bulk; dumps filtered by mark and
// by destination give exactly the right flows; deleting what a filter
// selects removes exactly those.
func TestBulkFilter(t *testing.T) {
	c, _, _ := dialNS(t)
	ctx := testCtx(t)
	const n = 10000
	flows := bulkFlows(n)
	if err := c.AddFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	// Adding them again: every one fails, by index.
	err := c.AddFlows(ctx, flows[:10])
	var be *netlink.BatchError
	if !errors.As(err, &be) || len(be.Failures) != 10 || be.Failures[3].Index != 3 || !errors.Is(err, syscall.EEXIST) {
		t.Fatalf("adding again: %v", err)
	}
	count := func(f conntrack.FlowFilter) int {
		t.Helper()
		k := 0
		for fl, err := range c.Flows(ctx, f) {
			if err != nil {
				t.Fatal(err)
			}
			if !f.Match(&fl) {
				t.Fatalf("%v does not match the filter", fl.Orig)
			}
			k++
		}
		return k
	}
	if got := count(conntrack.FlowFilter{}); got != n {
		t.Fatalf("%d flows, want %d", got, n)
	}
	byMark := conntrack.FlowFilter{Mark: 3, MarkMask: 0xffffffff}
	if got := count(byMark); got != n/5 {
		t.Errorf("mark 3: %d flows, want %d", got, n/5)
	}
	byDst := conntrack.FlowFilter{Dst: netip.MustParsePrefix("198.19.0.2/32")}
	if got := count(byDst); got != n/4 {
		t.Errorf("dst 198.19.0.2: %d flows, want %d", got, n/4)
	}
	both := conntrack.FlowFilter{Dst: netip.MustParsePrefix("198.19.0.2/32"), Mark: 3, MarkMask: 0xffffffff, Proto: conntrack.ProtoUDP, DstPort: 53}
	if got := count(both); got != n/20 {
		t.Errorf("dst and mark: %d flows, want %d", got, n/20)
	}
	if got := count(conntrack.FlowFilter{Src: netip.MustParsePrefix("198.18.0.0/24")}); got != 256 {
		t.Errorf("src prefix: %d flows, want 256", got)
	}

	// Delete by mark, then by destination.
	del := func(f conntrack.FlowFilter) int {
		t.Helper()
		sel, err := c.FlowList(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.DeleteFlows(ctx, sel); err != nil {
			t.Fatal(err)
		}
		return len(sel)
	}
	if got := del(byMark); got != n/5 {
		t.Fatalf("deleted %d by mark", got)
	}
	if got := del(byDst); got != n/4-n/20 {
		t.Fatalf("deleted %d by destination", got)
	}
	left, err := c.FlowList(ctx, conntrack.FlowFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[netip.Addr]bool{}
	for i, f := range flows {
		if f.Mark != 3 && i%4 != 1 {
			want[f.Orig.Src] = true
		}
	}
	if len(left) != len(want) {
		t.Errorf("%d flows left, want %d", len(left), len(want))
	}
	for _, f := range left {
		if !want[f.Orig.Src] {
			t.Errorf("flow %v should have gone", f.Orig)
		}
	}
	// Deleting flows already gone fails by index; the id keeps a flow
	// made again with the same tuple.
	sel := []conntrack.Flow{left[0], left[1]}
	if err := c.DeleteFlow(ctx, left[1].Orig, 0); err != nil {
		t.Fatal(err)
	}
	if err := c.AddFlow(ctx, conntrack.Flow{Orig: left[1].Orig, Timeout: time.Minute}); err != nil {
		t.Fatal(err)
	}
	err = c.DeleteFlows(ctx, sel)
	if !errors.As(err, &be) || len(be.Failures) != 1 || be.Failures[0].Index != 1 || !errors.Is(err, syscall.ENOENT) {
		t.Fatalf("delete of a replaced flow: %v", err)
	}
	if _, err := c.Flow(ctx, left[1].Orig, 0); err != nil {
		t.Fatalf("the flow made again was deleted: %v", err)
	}
}
