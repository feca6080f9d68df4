package rtnl

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/nlattr"
)

// Neighbour message bodies captured from Linux 6.18 (amd64, so native byte
// order is little-endian) by dumping a namespace set up like the kernel
// tests do.
var (
	// RTM_NEWNEIGH bodies.
	neighSeeds = []string{
		// 198.18.0.2 lladdr 02:00:00:00:00:01 PERMANENT.
		"02000000030000008000000108000100c61200020a000200020000000001000008000400000000001400030000000000000000000000000000000000",
		// 2001:db8::2 lladdr 02:00:00:00:00:03 router PERMANENT proto bgp.
		"0a00000003000000800080011400010020010db80000000000000000000000020a00020002000000000300000800040000000000140003000000000000000000000000000000000005000c00ba000000",
		// proxy 198.18.0.9.
		"02000000030000000000080108000100c6120009",
		// proxy 2001:db8::9.
		"0a00000003000000000008011400010020010db8000000000000000000000009",
	}
)

func TestNeighborDecodeSeeds(t *testing.T) {
	want := []Neighbor{
		{Index: 3, Family: FamilyIPv4, Addr: netip.MustParseAddr("198.18.0.2"), LinkAddr: anMAC("02:00:00:00:00:01"),
			State: NeighborPermanent, HasState: true, Type: RouteUnicast, HasCacheInfo: true, HasProbes: true},
		{Index: 3, Family: FamilyIPv6, Addr: netip.MustParseAddr("2001:db8::2"), LinkAddr: anMAC("02:00:00:00:00:03"),
			State: NeighborPermanent, HasState: true, Flags: NeighborRouter, Type: RouteUnicast, Protocol: ProtoBGP,
			HasCacheInfo: true, HasProbes: true},
		{Index: 3, Family: FamilyIPv4, Addr: netip.MustParseAddr("198.18.0.9"), Flags: NeighborProxy, Type: RouteUnicast, HasState: true},
		{Index: 3, Family: FamilyIPv6, Addr: netip.MustParseAddr("2001:db8::9"), Flags: NeighborProxy, Type: RouteUnicast, HasState: true},
	}
	for i, s := range neighSeeds {
		got, err := decodeNeighbor(anSeed(t, s))
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("seed %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}
}

func TestNeighborDecodeErrors(t *testing.T) {
	v4 := anSeed(t, neighSeeds[0])
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"short header", v4[:11], "struct ndmsg"},
		{"NDA_DST of 3 bytes", anWithAttr(v4, ndaDst, []byte{1, 2, 3}), "NDA_DST"},
		{"NDA_PROTOCOL of 2 bytes", anWithAttr(v4, ndaProtocol, []byte{1, 2}), "NDA_PROTOCOL"},
		{"NDA_FLAGS_EXT of 8 bytes", anWithAttr(v4, ndaFlagsExt, make([]byte, 8)), "NDA_FLAGS_EXT"},
		{"IPv6 NDA_DST in an IPv4 message", anWithAttr(v4, ndaDst, make([]byte, 16)), "family inet"},
	} {
		_, err := decodeNeighbor(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
		var ae *nlattr.Error
		if strings.HasPrefix(tc.want, "NDA_") && !errors.As(err, &ae) {
			t.Errorf("%s: %v does not wrap an *nlattr.Error", tc.name, err)
		}
	}
	n, err := decodeNeighbor(anWithAttr(v4, ndaFlagsExt, []byte{1, 0, 0, 0}))
	if err != nil || n.Flags != NeighborManaged {
		t.Errorf("NDA_FLAGS_EXT managed: %+v, %v", n, err)
	}
}

func FuzzDecodeNeighbor(f *testing.F) {
	for _, s := range neighSeeds {
		f.Add(anSeed(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		saved := bytes.Clone(b)
		n, err := decodeNeighbor(b)
		if err != nil {
			return
		}
		for i := range b {
			b[i] = 0xa5
		}
		if again, _ := decodeNeighbor(saved); !reflect.DeepEqual(n, again) {
			t.Fatalf("decoded value changed with its input:\n%+v\n%+v", n, again)
		}
		enc, err := n.MarshalBinary()
		if err != nil {
			return
		}
		var back Neighbor
		if err := back.UnmarshalBinary(enc); err != nil {
			t.Fatalf("decoding the encoding of %+v: %v", n, err)
		}
		want := n
		if want.Family == FamilyUnspec {
			want.Family = Family(enc[0])
		}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", back, want)
		}
	})
}

func BenchmarkDecodeNeighbor(b *testing.B) {
	msg := anSeed(b, neighSeeds[1])
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, err := decodeNeighbor(msg); err != nil {
			b.Fatal(err)
		}
	}
}
