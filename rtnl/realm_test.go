package rtnl

import (
	"encoding/binary"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestRouteRealmsCodec: RTA_FLOW on the route and inside each rtnexthop
// round-trips, shows in String, and a wrong length is an error naming
// the attribute.
func TestRouteRealmsCodec(t *testing.T) {
	r := Route{Family: FamilyIPv4, Dst: netip.MustParsePrefix("198.18.9.0/24"), Table: TableMain, Type: RouteUnicast,
		Gateway: netip.MustParseAddr("198.18.0.2"), OutIndex: 2, Realms: RealmsOf(3, 5)}
	b, err := r.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Route
	if err := got.UnmarshalBinary(b); err != nil || got.Realms != RealmsOf(3, 5) {
		t.Fatalf("decoded %+v, %v", got, err)
	}
	if s := got.String(); !strings.HasSuffix(s, " realms 3/5") {
		t.Errorf("String: %q", s)
	}
	if from, to := RealmsSplit(got.Realms); from != 3 || to != 5 {
		t.Errorf("RealmsSplit: %d/%d", from, to)
	}
	mp := Route{Family: FamilyIPv4, Dst: r.Dst, Table: TableMain, Type: RouteUnicast, NextHops: []NextHop{
		{Gateway: netip.MustParseAddr("198.18.0.2"), OutIndex: 2, Weight: 1, Realms: 7},
		{OutIndex: 3, Weight: 2, Realms: RealmsOf(1, 2)},
		{Gateway: netip.MustParseAddr("198.18.0.4"), OutIndex: 2, Weight: 1},
	}}
	if b, err = mp.MarshalBinary(); err != nil {
		t.Fatal(err)
	}
	got = Route{}
	if err := got.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(got.NextHops, mp.NextHops) {
		t.Fatalf("decoded %+v, %v", got.NextHops, err)
	}
	if s := got.String(); !strings.Contains(s, "weight 1 realm 7 nexthop dev #3 weight 2 realms 1/2 nexthop") {
		t.Errorf("String: %q", s)
	}
	// A 2-byte RTA_FLOW.
	bad := append(make([]byte, rtmsgLen), 6, 0, unix.RTA_FLOW, 0, 5, 0, 0, 0)
	bad[0] = unix.AF_INET
	if err := new(Route).UnmarshalBinary(bad); err == nil || !strings.Contains(err.Error(), "RTA_FLOW") {
		t.Errorf("short RTA_FLOW: %v", err)
	}
	// A 2-byte RTA_FLOW inside a path.
	nh := []byte{0, 0, 0, 0, 2, 0, 0, 0, 6, 0, unix.RTA_FLOW, 0, 5, 0, 0, 0}
	binary.NativeEndian.PutUint16(nh, 14)
	bad = append(make([]byte, rtmsgLen), 4+16, 0, unix.RTA_MULTIPATH, 0)
	bad[0] = unix.AF_INET
	bad = append(bad, nh...)
	if err := new(Route).UnmarshalBinary(bad); err == nil || !strings.Contains(err.Error(), "RTA_MULTIPATH[0]/RTA_FLOW") {
		t.Errorf("short RTA_FLOW in a path: %v", err)
	}
}

// TestRouteKeyRealms: realms tell IPv4 routes apart, path by path; a
// multipath route's own RTA_FLOW (which the kernel requires to equal the
// first path's) does not count; IPv6 ignores them. TestRealmsDifferential
// (package rtnltest) shows the kernel doing so.
func TestRouteKeyRealms(t *testing.T) {
	base := Route{Dst: netip.MustParsePrefix("198.18.9.0/24"), OutIndex: 2}
	with := func(f func(r *Route)) Route { r := base; f(&r); return r }
	distinct := []Route{
		base,
		with(func(r *Route) { r.Realms = 5 }),
		with(func(r *Route) { r.Realms = RealmsOf(3, 5) }),
	}
	seen := map[RouteKey]int{}
	for i, r := range distinct {
		if j, ok := seen[r.Key()]; ok {
			t.Errorf("routes %d and %d share key %v", i, j, r.Key())
		}
		seen[r.Key()] = i
	}
	gw := func(s string) netip.Addr { return netip.MustParseAddr(s) }
	mp := func(top uint32, realms ...uint32) Route {
		r := Route{Dst: base.Dst, Realms: top}
		for i, x := range realms {
			r.NextHops = append(r.NextHops, NextHop{Gateway: gw("198.18.0." + string(rune('2'+i))), OutIndex: 2, Realms: x})
		}
		return r
	}
	if mp(0, 1, 2).Key() == mp(0, 1, 3).Key() {
		t.Error("paths with other realms share a key")
	}
	if mp(0, 1, 2).Key() != mp(1, 1, 2).Key() {
		t.Error("a multipath route's own RTA_FLOW changes its key")
	}
	v6 := Route{Dst: netip.MustParsePrefix("2001:db8:9::/64"), OutIndex: 2}
	v6r := v6
	v6r.Realms = 5
	if v6.Key() != v6r.Key() {
		t.Error("realms change an IPv6 key")
	}
	if s := distinct[2].Key().String(); !strings.Contains(s, "realms 3/5") {
		t.Errorf("key %q", s)
	}
}

// TestVxlanSettingsCodec: every IFLA_VXLAN_* setting round-trips; the
// kernel's u8 IFLA_VXLAN_TTL_INHERIT decodes as the flag requests send.
func TestVxlanSettingsCodec(t *testing.T) {
	on, off, n := true, false, uint32(9)
	v := &Vxlan{VNI: 9, Remote: netip.MustParseAddr("2001:db8::2"), L2Miss: &on, L3Miss: &off, Proxy: &on, RSC: &off,
		External: &on, Limit: &n, FlowLabel: &n, GBP: true, GPE: true, TTLInherit: true, RemoteChecksumNoPartial: true,
		RemoteChecksumTx: &on, RemoteChecksumRx: &off, VNIFilter: &on, LocalBypass: &off}
	b, err := Link{Index: 5, Name: "vx9", Info: v}.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Link
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Info, v) {
		t.Errorf("decoded %+v\nwant %+v", got.Info, v)
	}
	for _, tc := range []struct {
		payload []byte
		want    bool
	}{{nil, true}, {[]byte{1, 0, 0, 0}, true}, {[]byte{0, 0, 0, 0}, false}} {
		body := append([]byte{}, b[:linkMsgLen]...)
		info := []byte{byte(4 + 4 + 4 + 4 + len(tc.payload)), 0, unix.IFLA_LINKINFO, 0x80,
			10, 0, unix.IFLA_INFO_KIND, 0, 'v', 'x', 'l', 'a', 'n', 0, 0, 0}
		info[0] = byte(4 + 12 + 4 + 4 + len(tc.payload))
		data := []byte{byte(4 + 4 + len(tc.payload)), 0, unix.IFLA_INFO_DATA, 0x80, byte(4 + min(len(tc.payload), 1)), 0, unix.IFLA_VXLAN_TTL_INHERIT, 0}
		body = append(append(append(body, info...), data...), tc.payload...)
		var l Link
		if err := l.UnmarshalBinary(body); err != nil {
			t.Fatalf("%x: %v", body, err)
		}
		if x, ok := l.Info.(*Vxlan); !ok || x.TTLInherit != tc.want {
			t.Errorf("TTL_INHERIT %x: %+v", tc.payload, l.Info)
		}
	}
}

// TestVethPeerFlagsCodec: the peer's ifi_flags, ifi_change and group.
func TestVethPeerFlagsCodec(t *testing.T) {
	g := uint32(4)
	v := &Veth{PeerName: "vb", PeerFlags: LinkNoARP, PeerChange: LinkNoARP | LinkMulticast, PeerGroup: &g}
	b, err := Link{Name: "va", Info: v}.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got Link
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Info, v) {
		t.Errorf("decoded %+v, want %+v", got.Info, v)
	}
}
