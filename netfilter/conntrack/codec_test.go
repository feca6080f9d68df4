package conntrack_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/nlattr"
)

// sampleFlows covers the codec's fields.
func sampleFlows() []conntrack.Flow {
	var l conntrack.Labels
	l.SetBit(0)
	l.SetBit(127)
	return []conntrack.Flow{
		{Orig: tcpTuple("198.18.0.1", "198.18.0.2", 1000, 80), Timeout: 100 * time.Second, Mark: 5, Zone: 3, Labels: l,
			Status: conntrack.StatusAssured | conntrack.StatusSeenReply, Helper: "ftp",
			TCP:        conntrack.TCPInfo{State: conntrack.TCPEstablished, WScaleOrig: 7, WScaleReply: 8, FlagsOrig: conntrack.TCPFlags{Flags: 0x0a, Mask: 0x0a}},
			SeqAdjOrig: conntrack.SeqAdj{CorrectionPos: 1, OffsetBefore: -2, OffsetAfter: 3}, Synproxy: conntrack.Synproxy{ISN: 1, ITS: 2, TSOff: 3}},
		{Orig: udpTuple("2001:db8::1", "2001:db8::2", 5353, 53), Timeout: time.Second},
		{Orig: udpTuple("198.18.0.1", "198.18.0.2", 1, 2), Timeout: time.Second,
			NAT: &conntrack.NAT{Src: conntrack.NATRange{Min: netip.MustParseAddr("198.18.9.1"), Max: netip.MustParseAddr("198.18.9.9"), MinPort: 1000, MaxPort: 2000},
				Dst: conntrack.NATRange{Min: netip.MustParseAddr("198.18.8.1"), Max: netip.MustParseAddr("198.18.8.1")}}},
		{Orig: conntrack.Tuple{Src: netip.MustParseAddr("198.18.0.1"), Dst: netip.MustParseAddr("198.18.0.3"), Proto: conntrack.ProtoICMP, ICMPType: 8, ICMPID: 77}, Timeout: time.Minute},
		{Orig: conntrack.Tuple{Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::2"), Proto: conntrack.ProtoICMPv6, ICMPType: 128, ICMPCode: 0, ICMPID: 9}, Timeout: time.Minute,
			Reply: conntrack.Tuple{Src: netip.MustParseAddr("2001:db8::2"), Dst: netip.MustParseAddr("2001:db8::9"), Proto: conntrack.ProtoICMPv6, ICMPType: 129, ICMPID: 9}},
	}
}

// TestFlowCodec: a flow encoded as a creation request decodes to itself.
func TestFlowCodec(t *testing.T) {
	for _, f := range sampleFlows() {
		b, err := f.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var g conntrack.Flow
		if err := g.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		want := f
		want.Family = f.Orig.Family()
		if !want.Reply.IsValid() {
			want.Reply = f.Orig.Reverse()
		}
		if want.Status != 0 {
			want.Status |= conntrack.StatusConfirmed
		}
		if !g.Has(conntrack.AttrTupleOrig) || !g.Has(conntrack.AttrTimeout) || g.Has(conntrack.AttrUse) {
			t.Errorf("%v: Has is wrong", f.Orig)
		}
		// Has's bits are unexported: compare through a round trip of both.
		wb, _ := want.MarshalBinary()
		var w conntrack.Flow
		w.UnmarshalBinary(wb)
		if !sameFlow(g, w) || !sameNAT(g.NAT, want.NAT) || g.Orig != want.Orig || g.Reply != want.Reply || g.Status != want.Status || g.Labels != want.Labels ||
			g.TCP != want.TCP || g.SeqAdjOrig != want.SeqAdjOrig || g.Synproxy != want.Synproxy || g.Helper != want.Helper {
			t.Errorf("round trip:\n got %+v\nwant %+v", g, want)
		}
	}
}

// TestTupleReverse: the reply tuple the tracker makes without NAT.
func TestTupleReverse(t *testing.T) {
	tp := tcpTuple("198.18.0.1", "198.18.0.2", 1, 2)
	if r := tp.Reverse(); r != tcpTuple("198.18.0.2", "198.18.0.1", 2, 1) {
		t.Errorf("tcp: %v", r)
	}
	icmp := conntrack.Tuple{Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::2"), Proto: conntrack.ProtoICMPv6, ICMPType: 128, ICMPID: 5}
	if r := icmp.Reverse(); r.ICMPType != 129 || r.ICMPID != 5 || r.Src != icmp.Dst {
		t.Errorf("icmpv6: %v", r)
	}
	if s := icmp.String(); s != "icmpv6 2001:db8::1 -> 2001:db8::2 type 128 code 0 id 5" {
		t.Errorf("String: %q", s)
	}
	if s := tp.String(); s != "tcp 198.18.0.1:1 -> 198.18.0.2:2" {
		t.Errorf("String: %q", s)
	}
}

// flowWith builds a flow message payload whose original tuple's proto
// nest holds extra.
func flowWith(extra func(e *nlattr.Encoder)) []byte {
	b, _ := netfilter.Header{Family: netfilter.FamilyIPv4}.AppendBinary(nil)
	e := nlattr.NewEncoder(b)
	e.Nest(conntrack.AttrTupleOrig)
	e.Nest(1)
	e.Addr(1, netip.MustParseAddr("198.18.0.1"))
	e.Addr(2, netip.MustParseAddr("198.18.0.2"))
	e.End()
	e.Nest(2)
	e.Uint8(1, 6)
	extra(e)
	e.End()
	e.End()
	out, _ := e.Finish()
	return out
}

// TestMalformedNamesAttribute: a known attribute of the wrong length is an
// error naming its path; unknown attributes are skipped; nothing panics.
func TestMalformedNamesAttribute(t *testing.T) {
	var f conntrack.Flow
	err := f.UnmarshalBinary(flowWith(func(e *nlattr.Encoder) { e.Bytes(2, []byte{1, 2, 3}) }))
	if err == nil || !strings.Contains(err.Error(), "CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/CTA_PROTO_SRC_PORT") || !errors.Is(err, nlattr.ErrBadLength) {
		t.Errorf("bad port: %v", err)
	}
	if err := f.UnmarshalBinary(flowWith(func(e *nlattr.Encoder) { e.Uint32(200, 1) })); err != nil || f.Orig.Proto != 6 {
		t.Errorf("unknown attribute: %v", err)
	}
	b, _ := netfilter.Header{Family: netfilter.FamilyIPv4}.AppendBinary(nil)
	e := nlattr.NewEncoder(b)
	e.Uint16(conntrack.AttrMark, 1)
	bad, _ := e.Finish()
	if err := f.UnmarshalBinary(bad); err == nil || !strings.Contains(err.Error(), "CTA_MARK") {
		t.Errorf("short mark: %v", err)
	}
	if err := f.UnmarshalBinary([]byte{2, 0}); err == nil {
		t.Error("short header decoded")
	}
	var x conntrack.Expectation
	e = nlattr.NewEncoder(b)
	e.Nest(2) // CTA_EXPECT_TUPLE
	e.Nest(1)
	e.Bytes(1, []byte{1, 2})
	e.End()
	e.End()
	bad, _ = e.Finish()
	if err := x.UnmarshalBinary(bad); err == nil || !strings.Contains(err.Error(), "CTA_EXPECT_TUPLE/CTA_TUPLE_IP/CTA_IP_V4_SRC") {
		t.Errorf("expectation: %v", err)
	}
}

// TestEnumText: the words of the classic tool both ways.
func TestEnumText(t *testing.T) {
	var s conntrack.Status
	if err := s.UnmarshalText([]byte("ASSURED,seen_reply")); err != nil || s != conntrack.StatusAssured|conntrack.StatusSeenReply {
		t.Errorf("status %v %v", s, err)
	}
	if s.String() != "SEEN_REPLY|ASSURED" {
		t.Errorf("status text %q", s)
	}
	var st conntrack.TCPState
	if err := st.UnmarshalText([]byte("time_wait")); err != nil || st != conntrack.TCPTimeWait || st.String() != "TIME_WAIT" {
		t.Errorf("state %v %v", st, err)
	}
	var et conntrack.EventType
	if err := et.UnmarshalText([]byte("NEW,DESTROY")); err != nil || et != conntrack.EventNew|conntrack.EventDestroy || et.String() != "NEW,DESTROY" {
		t.Errorf("events %v %v", et, err)
	}
	if err := et.UnmarshalText([]byte("BOGUS")); err == nil {
		t.Error("bogus event type accepted")
	}
}

// sameNAT compares NAT values (nil with nil).
func sameNAT(a, b *conntrack.NAT) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

// sameFlow is == with NAT compared by value.
func sameFlow(a, b conntrack.Flow) bool {
	na, nb := a.NAT, b.NAT
	a.NAT, b.NAT = nil, nil
	return a == b && sameNAT(na, nb)
}
