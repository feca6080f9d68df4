package rtnl

import (
	"bytes"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// Message bodies captured from Linux 6.18 (amd64, so native byte order is
// little-endian) by dumping a namespace set up like the kernel tests do.
var (
	// RTM_NEWADDR bodies.
	addrSeeds = []string{
		// lo 127.0.0.1/8, label "lo", permanent.
		"020880fe01000000080001007f000001080002007f000001070003006c6f0000080008008000000014000600ffffffffffffffffd2fd0100d2fd0100",
		// 198.18.0.1/24 brd 198.18.0.255 label eth0:web.
		"021880000300000008000100c612000108000200c612000108000400c61200ff0d000300657468303a77656200000000080008008000000014000600ffffffffffffffffd5fd0100d5fd0100",
		// 198.18.5.1 peer 198.18.6.1/24.
		"021880000300000008000100c612060108000200c6120501090003006574683000000000080008008000000014000600ffffffffffffffffd5fd0100d5fd0100",
		// 198.18.1.1/24 noprefixroute valid 600 preferred 300 metric 20 proto 7.
		"021800000300000008000100c612010108000200c612010109000300657468300000000005000b000700000008000800000200000800090014000000140006002c01000058020000d5fd0100d5fd0100",
		// lo ::1/128, proto kernel_lo.
		"0a8080fe01000000140001000000000000000000000000000000000114000600ffffffffffffffffd2fd0100d2fd0100080008008000000005000b0001000000",
		// 2001:db8:5::1 peer 2001:db8:6::1/64 nodad.
		"0a408200030000001400020020010db80005000000000000000000011400010020010db800060000000000000000000114000600ffffffffffffffffd5fd0100d5fd01000800080082000000",
		// 2001:db8::1/64 nodad.
		"0a408200030000001400010020010db800000000000000000000000114000600ffffffffffffffffd5fd0100d5fd01000800080082000000",
	}
)

func TestAddressDecodeSeeds(t *testing.T) {
	want := []Address{
		{Index: 1, Family: FamilyIPv4, Prefix: netip.MustParsePrefix("127.0.0.1/8"), Label: "lo", Scope: ScopeHost, Flags: AddressPermanent},
		{Index: 3, Family: FamilyIPv4, Prefix: netip.MustParsePrefix("198.18.0.1/24"), Broadcast: netip.MustParseAddr("198.18.0.255"),
			Label: "eth0:web", Flags: AddressPermanent},
		{Index: 3, Family: FamilyIPv4, Prefix: netip.MustParsePrefix("198.18.5.1/24"), Peer: netip.MustParsePrefix("198.18.6.1/24"),
			Label: "eth0", Flags: AddressPermanent},
		{Index: 3, Family: FamilyIPv4, Prefix: netip.MustParsePrefix("198.18.1.1/24"), Label: "eth0", Flags: AddressNoPrefixRoute,
			ValidLifetime: LifetimeSeconds(600), PreferredLifetime: LifetimeSeconds(300), Metric: 20, Protocol: 7},
		{Index: 1, Family: FamilyIPv6, Prefix: netip.MustParsePrefix("::1/128"), Scope: ScopeHost, Flags: AddressPermanent,
			Protocol: AddressProtoKernelLo},
		{Index: 3, Family: FamilyIPv6, Prefix: netip.MustParsePrefix("2001:db8:5::1/64"), Peer: netip.MustParsePrefix("2001:db8:6::1/64"),
			Flags: AddressNoDAD | AddressPermanent},
		{Index: 3, Family: FamilyIPv6, Prefix: netip.MustParsePrefix("2001:db8::1/64"), Flags: AddressNoDAD | AddressPermanent},
	}
	for i, s := range addrSeeds {
		got, err := decodeAddress(anSeed(t, s))
		if err != nil {
			t.Fatalf("seed %d: %v", i, err)
		}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("seed %d:\n got %+v\nwant %+v", i, got, want[i])
		}
	}
}

func TestAddressDecodeErrors(t *testing.T) {
	v4 := anSeed(t, addrSeeds[1])
	for _, tc := range []struct {
		name string
		b    []byte
		want string // in the error
	}{
		{"short header", v4[:7], "struct ifaddrmsg"},
		{"IFA_FLAGS of 2 bytes", anWithAttr(v4, ifaFlags, []byte{1, 2}), "IFA_FLAGS"},
		{"IFA_LOCAL of 5 bytes", anWithAttr(v4, ifaLocal, []byte{1, 2, 3, 4, 5}), "IFA_LOCAL"},
		{"IFA_CACHEINFO of 12 bytes", anWithAttr(v4, ifaCacheInfo, make([]byte, 12)), "IFA_CACHEINFO"},
		{"IFA_PROTO of 4 bytes", anWithAttr(v4, ifaProto, make([]byte, 4)), "IFA_PROTO"},
		{"IPv6 address in an IPv4 message", anWithAttr(v4, ifaLocal, make([]byte, 16)), "family inet"},
		{"prefix length 33", append([]byte{2, 33}, v4[2:]...), "prefix length 33"},
		{"truncated attribute", v4[:len(v4)-3], "truncated"},
	} {
		_, err := decodeAddress(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
	// Unknown attributes are skipped.
	a, err := decodeAddress(anWithAttr(v4, 999, []byte{1, 2, 3}))
	if err != nil || a.Label != "eth0:web" {
		t.Errorf("unknown attribute: %+v, %v", a, err)
	}
}

func TestAddressStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{(AddressPermanent | AddressNoDAD | AddressNoPrefixRoute).String(), "nodad permanent noprefixroute"},
		{AddressFlags(0x1000 | 0x01).String(), "secondary 0x1000"},
		{AddressFlags(0).String(), ""},
		{LifetimeForever().String(), "forever"},
		{LifetimeSeconds(300).String(), "300sec"},
		{LifetimeSeconds(0xFFFFFFFF).String(), "forever"},
		{AddressProtoKernelLL.String(), "kernel_ll"},
		{NeighborPermanent.String(), "PERMANENT"},
		{(NeighborReachable | NeighborNoARP).String(), "REACHABLE NOARP"},
		{NeighborNone.String(), "NONE"},
		{(NeighborRouter | NeighborProxy | NeighborManaged).String(), "proxy router managed"},
		{NeighborOffloaded.String(), "offload"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if LifetimeOf(-5) != LifetimeSeconds(0) || LifetimeOf(1<<62).IsForever() {
		t.Error("LifetimeOf does not clamp")
	}
	if d, ok := LifetimeSeconds(90).Duration(); !ok || d.Seconds() != 90 {
		t.Errorf("Duration = %v, %t", d, ok)
	}
}

func FuzzDecodeAddress(f *testing.F) {
	for _, s := range addrSeeds {
		f.Add(anSeed(f, s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		saved := bytes.Clone(b)
		a, err := decodeAddress(b)
		if err != nil {
			return
		}
		// The result must not alias the input.
		for i := range b {
			b[i] = 0xa5
		}
		if again, _ := decodeAddress(saved); !reflect.DeepEqual(a, again) {
			t.Fatalf("decoded value changed with its input:\n%+v\n%+v", a, again)
		}
		// Round trip through the codec (the request encoder).
		enc, err := a.MarshalBinary()
		if err != nil {
			return // not a valid request, e.g. no address at all
		}
		back, err := decodeAddress(enc)
		if err != nil {
			t.Fatalf("decoding the encoding of %+v: %v", a, err)
		}
		want := a
		if want.Family == FamilyUnspec {
			want.Family = Family(enc[0]) // the encoder derives it
		}
		if !reflect.DeepEqual(back, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", back, want)
		}
	})
}

func BenchmarkDecodeAddress(b *testing.B) {
	for _, bc := range []struct {
		name string
		seed string
	}{
		{"IPv4", addrSeeds[1]},
		{"IPv6", addrSeeds[6]},
	} {
		msg := anSeed(b, bc.seed)
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(msg)))
			for b.Loop() {
				if _, err := decodeAddress(msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestAddressDumpSharesLabels: in a dump, an address with the same label
// as the one before it reuses that string: decoding allocates nothing.
func TestAddressDumpSharesLabels(t *testing.T) {
	msg := netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWADDR}, Data: anSeed(t, addrSeeds[1])}
	d := AddressFilter{}.dump()
	var a Address
	if keep, err := d.decode(&a, msg); err != nil || !keep || a.Label == "" {
		t.Fatalf("first decode: %+v %v %v", a, keep, err)
	}
	first := a.Label
	if n := testing.AllocsPerRun(100, func() {
		if _, err := d.decode(&a, msg); err != nil {
			t.Fatal(err)
		}
	}); n != 0 || a.Label != first {
		t.Errorf("decoding the same label again: %v allocs, label %q", n, a.Label)
	}
}
