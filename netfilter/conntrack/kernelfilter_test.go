package conntrack

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// TestKernelFilters: the attributes a FlowFilter sends make the kernel
// itself leave out what the filter does not select (counted on the raw
// dump, before the user-side check).
func TestKernelFilters(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c, err := Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var flows []Flow
	for i := range 400 {
		f := Flow{Orig: Tuple{Src: netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)}), Dst: netip.AddrFrom4([4]byte{198, 19, 0, byte(i % 4)}),
			Proto: ProtoUDP, SrcPort: uint16(1000 + i%2), DstPort: 53}, Timeout: time.Minute, Mark: uint32(i % 5), Zone: uint16(i % 3)}
		if i%10 == 0 {
			f.Orig.Proto = ProtoTCP
			f.Status = StatusAssured
		}
		flows = append(flows, f)
	}
	v6 := Flow{Orig: Tuple{Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::2"), Proto: ProtoUDP, SrcPort: 1, DstPort: 2}, Timeout: time.Minute}
	flows = append(flows, v6)
	if err := c.AddFlows(ctx, flows); err != nil {
		t.Fatal(err)
	}
	raw := func(f FlowFilter) int {
		t.Helper()
		attrs, fam, err := f.kernelAttrs(nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, err := range c.nf.Dump(ctx, request(netfilter.SubsysCTNetlink, msgGet, netlink.Dump, fam, attrs)) {
			if err != nil {
				t.Fatalf("%+v: %v", f, err)
			}
			n++
		}
		return n
	}
	want := func(f FlowFilter) int {
		n := 0
		for i := range flows {
			fl := flows[i]
			fl.Family = fl.Orig.Family()
			fl.Reply = fl.Orig.Reverse()
			fl.Status |= StatusConfirmed
			if f.Match(&fl) {
				n++
			}
		}
		return n
	}
	for name, f := range map[string]FlowFilter{
		"family":    {Family: netfilter.FamilyIPv6},
		"mark":      {Mark: 2, MarkMask: 0xffffffff},
		"mark mask": {Mark: 0, MarkMask: 1},
		"status":    {Status: StatusAssured, StatusMask: StatusAssured},
		"zone":      {Zone: 2, MatchZone: true},
		"dst":       {Dst: netip.MustParsePrefix("198.19.0.3/32")},
		"src":       {Src: netip.MustParsePrefix("198.18.0.7/32")},
		"proto":     {Family: netfilter.FamilyIPv4, Proto: ProtoTCP},
		"sport":     {Family: netfilter.FamilyIPv4, Proto: ProtoUDP, SrcPort: 1001},
		"dst+dport": {Dst: netip.MustParsePrefix("198.19.0.1/32"), Proto: ProtoUDP, DstPort: 53},
	} {
		if got, w := raw(f), want(f); got != w || w == 0 || w == len(flows) {
			t.Errorf("%s: the kernel sent %d flows, the filter selects %d (of %d)", name, got, w, len(flows))
		}
	}
}

// TestKernelIPv6FilterInverted records why FlowFilter keeps IPv6
// addresses out of CTA_FILTER: Linux 6.18 matches them inverted, sending
// the flows whose address differs and leaving out the one that is equal.
// If this test fails, the kernel was fixed: IPv6 addresses may go to the
// kernel on such kernels.
func TestKernelIPv6FilterInverted(t *testing.T) {
	ns := kerneltest.NetNS(t)
	c, err := Dial(&netlink.Config{NetNS: ns})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	f := Flow{Orig: Tuple{Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::3"), Proto: ProtoUDP, SrcPort: 5353, DstPort: 53}, Timeout: time.Minute}
	if err := c.AddFlow(ctx, f); err != nil {
		t.Fatal(err)
	}
	raw := func(src string) int {
		e := nlattr.NewEncoder(nil)
		e.Nest(AttrTupleOrig)
		e.Nest(ctaTupleIP)
		e.Addr(ctaIPv6Src, netip.MustParseAddr(src))
		e.End()
		e.End()
		e.Nest(AttrFilter)
		e.Uint32(ctaFilterOrigFlags, filterIPSrc)
		e.Uint32(ctaFilterReplyFlags, 0)
		e.End()
		attrs, _ := e.Finish()
		n := 0
		for _, err := range c.nf.Dump(ctx, request(netfilter.SubsysCTNetlink, msgGet, netlink.Dump, netfilter.FamilyIPv6, attrs)) {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	if same, other := raw("2001:db8::1"), raw("2001:db8::9"); same != 0 || other != 1 {
		t.Fatalf("the kernel sent %d flows for the flow's own source and %d for another: the IPv6 filter is fixed", same, other)
	}
	// FlowFilter is right all the same.
	for src, want := range map[string]int{"2001:db8::1/128": 1, "2001:db8::9/128": 0} {
		l, err := c.FlowList(ctx, FlowFilter{Src: netip.MustParsePrefix(src)})
		if err != nil || len(l) != want {
			t.Errorf("src %s: %d flows, %v; want %d", src, len(l), err, want)
		}
	}
}
