package rtnl

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// The tunnel kinds (this kernel has none of their modules: "Unknown device
// type"), on bytes: what they encode, what they decode back, and the
// attributes of the wrong length they refuse.

// tunnelLinks are links of every tunnel kind with every setting set.
func tunnelLinks() map[string]Link {
	enc := TunnelEncap{Type: new(TunnelEncapFOU), Flags: new(TunnelEncapCsum | TunnelEncapRemCsum),
		SrcPort: new(uint16(5555)), DstPort: new(uint16(6666))}
	gre := func(kind string, six bool) *Gre {
		g := &Gre{Kind: kind, Device: new(int32(3)), IFlags: new(GreKey | GreSeq), OFlags: new(GreKey | GreCsum),
			IKey: new(uint32(0x01020304)), OKey: new(uint32(7)), TTL: new(uint8(64)), Encap: enc,
			Fwmark: new(uint32(9)), ErspanIndex: new(uint32(77)), ErspanVersion: new(uint8(2)), ErspanDir: new(uint8(1)),
			ErspanHwID: new(uint16(0x1f))}
		if six {
			g.Local, g.Remote = lkAddr("2001:db8::1"), lkAddr("2001:db8::2")
			g.EncapLimit, g.FlowInfo, g.Flags = new(uint8(4)), new(uint32(0x02000345)), new(IP6TunnelAllowLocalRemote|IP6TunnelRcvDscpCopy)
		} else {
			g.Local, g.Remote = lkAddr("198.18.0.1"), lkAddr("198.18.0.2")
			g.TOS, g.PMTUDisc, g.IgnoreDF = new(uint8(0x10)), new(true), new(false)
		}
		return g
	}
	links := map[string]Link{}
	for _, k := range []string{"gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan"} {
		links[k] = Link{Index: 7, Name: "t-" + k, Kind: k, Info: gre(k, strings.HasPrefix(k, "ip6"))}
	}
	links["gre-external"] = Link{Index: 7, Name: "gx", Kind: "gre", Info: &Gre{Kind: "gre", External: true, Encap: enc}}
	links["ipip"] = Link{Index: 8, Name: "t-ipip", Kind: "ipip", Info: &IPTunnel{Kind: "ipip", Device: new(int32(2)),
		Local: lkAddr("198.18.0.1"), Remote: lkAddr("198.18.0.2"), TTL: new(uint8(9)), TOS: new(uint8(1)),
		Proto: new(uint8(4)), PMTUDisc: new(true), Encap: enc, Fwmark: new(uint32(3))}}
	links["sit"] = Link{Index: 9, Name: "t-sit", Kind: "sit", Info: &IPTunnel{Kind: "sit", Remote: lkAddr("198.18.0.2"),
		TTL: new(uint8(0)), Flags: new(SitISATAP), Proto: new(uint8(41)), PMTUDisc: new(false),
		SixRDPrefix: lkAddr("2001:db8::"), SixRDPrefixLen: new(uint16(32)), SixRDRelayPrefix: lkAddr("198.18.0.0"),
		SixRDRelayPrefixLen: new(uint16(15)), Encap: TunnelEncap{Type: new(TunnelEncapNone)}}}
	links["ip6tnl"] = Link{Index: 10, Name: "t-ip6tnl", Kind: "ip6tnl", Info: &IPTunnel{Kind: "ip6tnl",
		Local: lkAddr("2001:db8::1"), Remote: lkAddr("2001:db8::2"), TTL: new(uint8(64)), EncapLimit: new(uint8(4)),
		FlowInfo: new(uint32(0xfffff)), Flags: new(uint32(IP6TunnelIgnoreEncapLimit | IP6TunnelUseOrigFwmark)),
		Proto: new(uint8(0)), Encap: enc, External: true, Fwmark: new(uint32(0))}}
	links["vti"] = Link{Index: 11, Name: "t-vti", Kind: "vti", Info: &Vti{Kind: "vti", Device: new(int32(2)),
		IKey: new(uint32(5)), OKey: new(uint32(6)), Local: lkAddr("198.18.0.1"), Remote: lkAddr("198.18.0.2"), Fwmark: new(uint32(8))}}
	links["vti6"] = Link{Index: 12, Name: "t-vti6", Kind: "vti6", Info: &Vti{Kind: "vti6", IKey: new(uint32(0)),
		OKey: new(uint32(0)), Remote: lkAddr("2001:db8::2")}}
	links["xfrm"] = Link{Index: 13, Name: "t-xfrm", Kind: "xfrm", Info: &Xfrm{Device: new(int32(2)), IfID: new(uint32(42))}}
	links["xfrm-external"] = Link{Index: 13, Name: "xx", Kind: "xfrm", Info: &Xfrm{External: true}}
	return links
}

// tunnelInfoData returns the IFLA_INFO_DATA payload of an encoded link.
func tunnelInfoData(t *testing.T, body []byte) []byte {
	t.Helper()
	d := nlattr.NewDecoder(body[linkMsgLen:])
	for d.Next() {
		if d.Type() != unix.IFLA_LINKINFO {
			continue
		}
		li := d.Nested()
		for li.Next() {
			if li.Type() == unix.IFLA_INFO_DATA {
				return li.Bytes()
			}
		}
	}
	return nil
}

// tunnelAttr returns the payload of attribute typ in data, and whether it
// is there.
func tunnelAttr(data []byte, typ uint16) ([]byte, bool) {
	d := nlattr.NewDecoder(data)
	for d.Next() {
		if d.Type() == typ {
			return d.Bytes(), true
		}
	}
	return nil, false
}

func TestTunnelKindsRoundTrip(t *testing.T) {
	for name, l := range tunnelLinks() {
		body, err := l.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := decodeLink(body)
		if err != nil {
			t.Fatalf("%s: decode: %v", name, err)
		}
		if got.Kind != l.Kind || !reflect.DeepEqual(got.Info, l.Info) {
			t.Errorf("%s: round trip\n got %s\nwant %s", name, lkJSON(got.Info), lkJSON(l.Info))
		}
		// The request AddLink sends carries the same settings.
		req, err := appendLinkRequest(nil, &l)
		if err != nil || !bytes.Equal(tunnelInfoData(t, req), tunnelInfoData(t, body)) {
			t.Errorf("%s: request's IFLA_INFO_DATA differs (%v)", name, err)
		}
	}
}

// The byte order and widths of the wire, where they are not the host's:
// keys, GRE flags, flow information and UDP ports big-endian; sit's flags
// 16 bits, ip6tnl's 32.
func TestTunnelKindsWire(t *testing.T) {
	links := tunnelLinks()
	for _, tc := range []struct {
		link string
		typ  uint16
		want []byte
	}{
		{"gre", iflaGreIKey, []byte{1, 2, 3, 4}},
		{"gre", iflaGreOKey, []byte{0, 0, 0, 7}},
		{"gre", iflaGreIFlags, []byte{0x30, 0}},
		{"gre", iflaGreOFlags, []byte{0xa0, 0}},
		{"gre", iflaGreLocal, []byte{198, 18, 0, 1}},
		{"gre", iflaGreEncapSport, []byte{0x15, 0xb3}},
		{"gre", iflaGreEncapFlags, binary.NativeEndian.AppendUint16(nil, 5)},
		{"gre", iflaGreIgnoreDF, []byte{0}},
		{"ip6gre", iflaGreFlowInfo, []byte{2, 0, 3, 0x45}},
		{"ip6gre", iflaGreFlags, binary.NativeEndian.AppendUint32(nil, 0x50)},
		{"ip6gre", iflaGreRemote, lkAddr("2001:db8::2").AsSlice()},
		{"erspan", iflaGreErspanHwid, binary.NativeEndian.AppendUint16(nil, 0x1f)},
		{"erspan", iflaGreErspanIndex, binary.NativeEndian.AppendUint32(nil, 77)},
		{"gre-external", iflaGreCollectMetadata, []byte{}},
		{"sit", iflaIptunFlags, binary.NativeEndian.AppendUint16(nil, 1)},
		{"sit", iflaIptun6rdRelayPrefix, []byte{198, 18, 0, 0}},
		{"sit", iflaIptun6rdPrefixLen, binary.NativeEndian.AppendUint16(nil, 32)},
		{"sit", iflaIptunTTL, []byte{0}},
		{"ip6tnl", iflaIptunFlags, binary.NativeEndian.AppendUint32(nil, 0x21)},
		{"ip6tnl", iflaIptunFlowInfo, []byte{0, 0x0f, 0xff, 0xff}},
		{"ip6tnl", iflaIptunEncapDport, []byte{0x1a, 0x0a}},
		{"ipip", iflaIptunProto, []byte{4}},
		{"vti", iflaVtiIKey, []byte{0, 0, 0, 5}},
		{"vti6", iflaVtiOKey, []byte{0, 0, 0, 0}},
		{"xfrm", iflaXfrmIfID, binary.NativeEndian.AppendUint32(nil, 42)},
		{"xfrm-external", iflaXfrmCollectMetadata, []byte{}},
	} {
		l := links[tc.link]
		body, err := l.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		got, ok := tunnelAttr(tunnelInfoData(t, body), tc.typ)
		if !ok || !bytes.Equal(got, tc.want) {
			t.Errorf("%s attribute %d: % x (present %v), want % x", tc.link, tc.typ, got, ok, tc.want)
		}
	}
	// Not set, not sent: the vti6 has no link, local or mark.
	body, _ := links["vti6"].MarshalBinary()
	for _, typ := range []uint16{iflaVtiLink, iflaVtiLocal, iflaVtiFwmark} {
		if _, ok := tunnelAttr(tunnelInfoData(t, body), typ); ok {
			t.Errorf("vti6: attribute %d sent though not set", typ)
		}
	}
	// Nothing set: no IFLA_INFO_DATA at all, as ip link add ... type gre.
	for _, info := range []LinkInfo{&Gre{}, &Gre{Kind: "ip6gretap"}, &IPTunnel{Kind: "sit"}, &Vti{}, &Xfrm{}} {
		req, err := appendLinkRequest(nil, &Link{Name: "t0", Info: info})
		if err != nil || tunnelInfoData(t, req) != nil {
			t.Errorf("%s without settings: IFLA_INFO_DATA sent (%v)", info.LinkKind(), err)
		}
		if kind := info.LinkKind(); kind == "" {
			t.Errorf("%T: empty kind", info)
		}
	}
}

// An address of the other family than the kind's is refused, naming the
// attribute.
func TestTunnelKindsFamily(t *testing.T) {
	for _, info := range []LinkInfo{
		&Gre{Kind: "gre", Remote: lkAddr("2001:db8::1")},
		&Gre{Kind: "ip6gre", Local: lkAddr("198.18.0.1")},
		&IPTunnel{Kind: "ip6tnl", Remote: lkAddr("198.18.0.1")},
		&IPTunnel{Kind: "sit", SixRDPrefix: lkAddr("198.18.0.0")},
		&IPTunnel{Kind: "sit", SixRDRelayPrefix: lkAddr("2001:db8::")},
		&Vti{Kind: "vti6", Local: lkAddr("198.18.0.1")},
	} {
		_, err := appendLinkRequest(nil, &Link{Name: "t0", Info: info})
		if !errors.Is(err, errTunnelFamily) {
			t.Errorf("%s %s: %v, want the family error", info.LinkKind(), lkJSON(info), err)
		}
	}
}

// Every known attribute of a fixed size, sent one byte too long, fails
// decoding with an error naming it by its path.
func TestTunnelKindsBadLength(t *testing.T) {
	type attr struct {
		typ  uint16
		name string
		size int
	}
	gre := []attr{{iflaGreLink, "IFLA_GRE_LINK", 4}, {iflaGreIFlags, "IFLA_GRE_IFLAGS", 2}, {iflaGreOFlags, "IFLA_GRE_OFLAGS", 2},
		{iflaGreIKey, "IFLA_GRE_IKEY", 4}, {iflaGreOKey, "IFLA_GRE_OKEY", 4}, {iflaGreLocal, "IFLA_GRE_LOCAL", 4},
		{iflaGreRemote, "IFLA_GRE_REMOTE", 4}, {iflaGreTTL, "IFLA_GRE_TTL", 1}, {iflaGreTOS, "IFLA_GRE_TOS", 1},
		{iflaGrePMTUDisc, "IFLA_GRE_PMTUDISC", 1}, {iflaGreEncapLimit, "IFLA_GRE_ENCAP_LIMIT", 1},
		{iflaGreFlowInfo, "IFLA_GRE_FLOWINFO", 4}, {iflaGreFlags, "IFLA_GRE_FLAGS", 4},
		{iflaGreEncapType, "IFLA_GRE_ENCAP_TYPE", 2}, {iflaGreEncapFlags, "IFLA_GRE_ENCAP_FLAGS", 2},
		{iflaGreEncapSport, "IFLA_GRE_ENCAP_SPORT", 2}, {iflaGreEncapDport, "IFLA_GRE_ENCAP_DPORT", 2},
		{iflaGreCollectMetadata, "IFLA_GRE_COLLECT_METADATA", 0}, {iflaGreIgnoreDF, "IFLA_GRE_IGNORE_DF", 1},
		{iflaGreFwmark, "IFLA_GRE_FWMARK", 4}, {iflaGreErspanIndex, "IFLA_GRE_ERSPAN_INDEX", 4},
		{iflaGreErspanVer, "IFLA_GRE_ERSPAN_VER", 1}, {iflaGreErspanDir, "IFLA_GRE_ERSPAN_DIR", 1},
		{iflaGreErspanHwid, "IFLA_GRE_ERSPAN_HWID", 2}}
	gre6 := []attr{{iflaGreLocal, "IFLA_GRE_LOCAL", 16}, {iflaGreRemote, "IFLA_GRE_REMOTE", 16}}
	iptun := []attr{{iflaIptunLink, "IFLA_IPTUN_LINK", 4}, {iflaIptunLocal, "IFLA_IPTUN_LOCAL", 4},
		{iflaIptunRemote, "IFLA_IPTUN_REMOTE", 4}, {iflaIptunTTL, "IFLA_IPTUN_TTL", 1}, {iflaIptunTOS, "IFLA_IPTUN_TOS", 1},
		{iflaIptunEncapLimit, "IFLA_IPTUN_ENCAP_LIMIT", 1}, {iflaIptunFlowInfo, "IFLA_IPTUN_FLOWINFO", 4},
		{iflaIptunFlags, "IFLA_IPTUN_FLAGS", 2}, {iflaIptunProto, "IFLA_IPTUN_PROTO", 1},
		{iflaIptunPMTUDisc, "IFLA_IPTUN_PMTUDISC", 1}, {iflaIptun6rdPrefix, "IFLA_IPTUN_6RD_PREFIX", 16},
		{iflaIptun6rdRelayPrefix, "IFLA_IPTUN_6RD_RELAY_PREFIX", 4}, {iflaIptun6rdPrefixLen, "IFLA_IPTUN_6RD_PREFIXLEN", 2},
		{iflaIptun6rdRelayPrefixLen, "IFLA_IPTUN_6RD_RELAY_PREFIXLEN", 2}, {iflaIptunEncapType, "IFLA_IPTUN_ENCAP_TYPE", 2},
		{iflaIptunEncapFlags, "IFLA_IPTUN_ENCAP_FLAGS", 2}, {iflaIptunEncapSport, "IFLA_IPTUN_ENCAP_SPORT", 2},
		{iflaIptunEncapDport, "IFLA_IPTUN_ENCAP_DPORT", 2}, {iflaIptunCollectMetadata, "IFLA_IPTUN_COLLECT_METADATA", 0},
		{iflaIptunFwmark, "IFLA_IPTUN_FWMARK", 4}}
	ip6tnl := []attr{{iflaIptunLocal, "IFLA_IPTUN_LOCAL", 16}, {iflaIptunRemote, "IFLA_IPTUN_REMOTE", 16},
		{iflaIptunFlags, "IFLA_IPTUN_FLAGS", 4}}
	vti := []attr{{iflaVtiLink, "IFLA_VTI_LINK", 4}, {iflaVtiIKey, "IFLA_VTI_IKEY", 4}, {iflaVtiOKey, "IFLA_VTI_OKEY", 4},
		{iflaVtiLocal, "IFLA_VTI_LOCAL", 4}, {iflaVtiRemote, "IFLA_VTI_REMOTE", 4}, {iflaVtiFwmark, "IFLA_VTI_FWMARK", 4}}
	vti6 := []attr{{iflaVtiLocal, "IFLA_VTI_LOCAL", 16}, {iflaVtiRemote, "IFLA_VTI_REMOTE", 16}}
	xfrm := []attr{{iflaXfrmLink, "IFLA_XFRM_LINK", 4}, {iflaXfrmIfID, "IFLA_XFRM_IF_ID", 4},
		{iflaXfrmCollectMetadata, "IFLA_XFRM_COLLECT_METADATA", 0}}
	n := 0
	for _, tc := range []struct {
		kinds []string
		attrs []attr
	}{
		{[]string{"gre", "gretap", "erspan"}, gre}, {[]string{"ip6gre", "ip6gretap", "ip6erspan"}, gre6},
		{[]string{"ipip", "sit"}, iptun}, {[]string{"ip6tnl"}, ip6tnl}, {[]string{"vti"}, vti}, {[]string{"vti6"}, vti6},
		{[]string{"xfrm"}, xfrm},
	} {
		for _, kind := range tc.kinds {
			for _, a := range tc.attrs {
				for _, size := range []int{a.size + 1, a.size - 1} {
					if size < 0 {
						continue
					}
					e := nlattr.NewEncoder(appendLinkMsg(nil, 0, 5, 0, 0))
					e.String(unix.IFLA_IFNAME, "t0")
					e.Nest(unix.IFLA_LINKINFO)
					e.String(unix.IFLA_INFO_KIND, kind)
					e.Nest(unix.IFLA_INFO_DATA)
					e.Bytes(a.typ, make([]byte, size))
					e.End()
					e.End()
					b, err := e.Finish()
					if err != nil {
						t.Fatal(err)
					}
					_, err = decodeLink(b)
					want := "IFLA_LINKINFO/IFLA_INFO_DATA/" + a.name
					if err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, nlattr.ErrBadLength) {
						t.Errorf("%s: %s of %d bytes: %v, want an error naming %s", kind, a.name, size, err, want)
					}
					n++
				}
			}
		}
	}
	if n < 150 {
		t.Errorf("only %d cases", n)
	}
}

// The fuzz seeds of the tunnel kinds (testdata/fuzz/FuzzDecodeLink/tunnel-*)
// are the encodings of tunnelLinks, which decode; NLKIT_WRITE_TUNNEL_SEEDS=1
// writes them again.
func TestTunnelFuzzSeeds(t *testing.T) {
	dir := corpus.Dir("FuzzDecodeLink")
	for name, l := range tunnelLinks() {
		body, err := l.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "tunnel-"+name)
		if os.Getenv("NLKIT_WRITE_TUNNEL_SEEDS") != "" {
			data, err := corpus.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("seed %s: %v (NLKIT_WRITE_TUNNEL_SEEDS=1 writes it)", name, err)
		}
		args, err := corpus.Unmarshal(data)
		if err != nil || len(args) != 1 || !bytes.Equal(args[0].([]byte), body) {
			t.Errorf("seed %s is not the encoding of its link (%v)", name, err)
		}
	}
}
