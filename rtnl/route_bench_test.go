package rtnl

import (
	"net/netip"
	"testing"
)

// BenchmarkDecodeRoute decodes one captured RTM_NEWROUTE body: an IPv6
// connected route as the kernel sends it (RTA_TABLE, RTA_DST,
// RTA_PRIORITY, RTA_OIF, RTA_CACHEINFO, RTA_PREF).
func BenchmarkDecodeRoute(b *testing.B) {
	benchDecodeRoute(b, rtSeedIPv6)
}

// BenchmarkDecodeRouteMetrics decodes an IPv4 route with a gateway,
// metric and RTA_METRICS without a congestion-control name.
func BenchmarkDecodeRouteMetrics(b *testing.B) {
	r := Route{Family: FamilyIPv4, Dst: netip.MustParsePrefix("198.18.5.0/24"), Table: TableMain, Protocol: ProtoStatic,
		Type: RouteUnicast, Priority: 7, Gateway: netip.MustParseAddr("198.18.0.2"), OutIndex: 3,
		Metrics: &Metrics{MTU: 1400, AdvMSS: 1300}}
	msg, err := r.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	benchDecodeRouteBytes(b, msg)
}

// BenchmarkDecodeRouteMultipath decodes a captured two-path IPv6 route
// (one allocation: the NextHops slice).
func BenchmarkDecodeRouteMultipath(b *testing.B) {
	benchDecodeRoute(b, rtSeedIPv6Multipath)
}

func benchDecodeRoute(b *testing.B, hexMsg string) { benchDecodeRouteBytes(b, rtHex(hexMsg)) }

func benchDecodeRouteBytes(b *testing.B, msg []byte) {
	var r Route
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if err := r.UnmarshalBinary(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeRoute encodes a route with metrics into a reused buffer,
// as AddRoutesSeq does for each route.
func BenchmarkEncodeRoute(b *testing.B) {
	r := Route{Family: FamilyIPv6, Dst: netip.MustParsePrefix("2001:db8:5::/64"), Table: 1000, Type: RouteUnicast,
		Protocol: ProtoStatic, Priority: 1024, Metrics: &Metrics{MTU: 1400},
		NextHops: []NextHop{{Gateway: netip.MustParseAddr("2001:db8:1::2"), OutIndex: 3, Weight: 2},
			{Gateway: netip.MustParseAddr("2001:db8:1::3"), OutIndex: 3}}}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = r.AppendBinary(buf[:0]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeRule decodes a captured IPv4 rule with addresses, marks
// and interface names (it allocates for the names only).
func BenchmarkDecodeRule(b *testing.B) {
	msg := rtHex(ruSeedIPv4)
	var u Rule
	b.ReportAllocs()
	for b.Loop() {
		if err := u.UnmarshalBinary(msg); err != nil {
			b.Fatal(err)
		}
	}
}
