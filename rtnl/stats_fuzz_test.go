package rtnl

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/nlattr"
)

// RTM_NEWSTATS bodies captured from Linux 6.18 (amd64) dumping every group
// of a namespace with a bridge br0 and its port v0.
var statsSeeds = []string{
	// lo: link64, offload (hw_s_info), af_spec empty; no xstats.
	"00000000010000001f000000cc00010000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001c00040018000280140003800500010000000000050002000000000004000500",
	// v0, a port of br0: xstats_slave bridge (mcast, stp).
	"00000000030000001f000000cc0001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000300103002c010100f4000200000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000340004000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001c00040018000280140003800500010000000000050002000000000004000500",
	// br0: xstats bridge (mcast).
	"00000000040000001f000000cc0001000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000fc000200f8000100f40002000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001c00040018000280140003800500010000000000050002000000000004000500",
}

func statsSeed(t testing.TB, i int) []byte {
	b, err := hex.DecodeString(statsSeeds[i])
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLinkStatsDecodeSeeds(t *testing.T) {
	lo, err := decodeLinkStats(statsSeed(t, 0))
	if err != nil {
		t.Fatal(err)
	}
	if lo.Index != 1 || lo.Groups != StatsAll || !lo.HasLink64 || lo.HasXstats || lo.HasXstatsSlave ||
		!lo.HasOffload || !lo.Offload.HasHWSInfo || lo.Offload.L3Info == nil || !lo.Offload.L3Info.HasRequest ||
		lo.Offload.L3Info.Request || !lo.HasAFSpec || lo.MPLS != nil {
		t.Errorf("lo: %+v", lo)
	}
	v0, err := decodeLinkStats(statsSeed(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if br := v0.XstatsSlave.Bridge; br == nil || br.STP == nil || br.Mcast == nil || v0.Xstats.Bridge != nil {
		t.Errorf("v0: xstats %+v, xstats_slave %+v", v0.Xstats, v0.XstatsSlave)
	}
	br0, err := decodeLinkStats(statsSeed(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	if br := br0.Xstats.Bridge; br == nil || br.Mcast == nil || br.STP != nil {
		t.Errorf("br0: xstats %+v", br0.Xstats)
	}
}

// TestLinkStatsRoundTrip encodes a value with every group filled and
// decodes it back.
func TestLinkStatsRoundTrip(t *testing.T) {
	s := LinkStats{Index: 7, Groups: StatsAll, HasLink64: true, Link64: LinkStats64{RxPackets: 1, RxOtherhostDropped: 25},
		HasXstats: true, Xstats: Xstats{Bond: &BondXstats{LACP: &Bond3ADStats{LACPDURx: 3, MarkerUnkRx: 9, Present: 1<<0 | 1<<8}}},
		HasXstatsSlave: true, XstatsSlave: Xstats{Bridge: &BridgeXstats{
			Mcast: &BridgeMcastStats{IGMPv1Queries: McastDir{1, 2}, MLDParseErrors: 26, McastPackets: McastDir{29, 30}},
			STP:   &BridgeSTPStats{TransitionBlk: 1, TxTCN: 6},
			Vlans: []BridgeVlanStats{{RxBytes: 100, TxPackets: 201, VID: 10, Flags: 6}, {VID: 20}}}},
		HasOffload: true, Offload: OffloadXstats{HasCPUHit: true, CPUHit: LinkStats64{TxBytes: 4},
			HasHWSInfo: true, L3Info: &HWStatsInfo{Request: true, HasRequest: true, HasUsed: true},
			HasL3: true, L3: HWStats64{RxPackets: 5, Multicast: 9}},
		HasAFSpec: true, HasAFMPLS: true, MPLS: &MPLSLinkStats{RxNoRoute: 8}}
	b, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var got LinkStats
	if err := got.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, s)
	}
}

func TestLinkStatsDecodeErrors(t *testing.T) {
	v0 := statsSeed(t, 1)
	short := func(typ uint16, n int) []byte {
		e := nlattr.NewEncoder(bytes.Clone(v0[:ifStatsMsgLen]))
		e.Bytes(typ, make([]byte, n))
		b, _ := e.Finish()
		return b
	}
	nest := func(outer, inner uint16, payload []byte) []byte {
		e := nlattr.NewEncoder(bytes.Clone(v0[:ifStatsMsgLen]))
		e.Nest(outer)
		e.Nest(linkXstatsTypeBridge)
		e.Bytes(inner, payload)
		e.End()
		e.End()
		b, _ := e.Finish()
		return b
	}
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"short header", v0[:11], "struct if_stats_msg"},
		{"IFLA_STATS_LINK_64 of 8 bytes", short(iflaStatsLink64, 8), "IFLA_STATS_LINK_64"},
		{"BRIDGE_XSTATS_STP of 8 bytes", nest(iflaStatsLinkXstatsSlave, bridgeXstatsSTP, make([]byte, 8)),
			"IFLA_STATS_LINK_XSTATS_SLAVE/LINK_XSTATS_TYPE_BRIDGE/BRIDGE_XSTATS_STP"},
		{"BRIDGE_XSTATS_VLAN of 4 bytes", nest(iflaStatsLinkXstats, bridgeXstatsVlan, make([]byte, 4)), "BRIDGE_XSTATS_VLAN"},
	} {
		_, err := decodeLinkStats(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.want)
		}
		var ae *nlattr.Error
		if tc.name != "short header" && !errors.As(err, &ae) {
			t.Errorf("%s: %v does not wrap an *nlattr.Error", tc.name, err)
		}
	}
}

// FuzzDecodeLinkStats: the decoder never panics, and what it decodes
// encodes to bytes that decode to the same value.
func FuzzDecodeLinkStats(f *testing.F) {
	for i := range statsSeeds {
		f.Add(statsSeed(f, i))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeLinkStats(b)
		if err != nil {
			return
		}
		enc, err := s.MarshalBinary()
		if err != nil {
			t.Fatalf("encode %+v: %v", s, err)
		}
		again, err := decodeLinkStats(enc)
		if err != nil {
			t.Fatalf("decode of the encoding: %v", err)
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", again, s)
		}
	})
}
