package rtnl

import (
	"net"
	"net/netip"
	"testing"
)

func TestObjectNames(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{linkName("v0", 3), `"v0"`},
		{linkName("", 3), "3"},
		{routeName(&Route{Dst: netip.MustParsePrefix("198.18.0.0/24"), Table: 100}), "198.18.0.0/24 table 100"},
		{routeName(&Route{Dst: netip.MustParsePrefix("::/0"), Table: TableMain, Priority: 1024}), "::/0 metric 1024"},
		{routeName(&Route{Dst: netip.MustParsePrefix("198.18.0.0/24"), Src: netip.MustParsePrefix("198.19.0.0/16"), Tos: 8, Table: TableLocal}),
			"198.18.0.0/24 from 198.19.0.0/16 tos 8 table local"},
		{addressName(&Address{Prefix: netip.MustParsePrefix("198.18.0.1/24"), Index: 3}), "198.18.0.1/24 dev 3"},
		{addressName(&Address{Prefix: netip.MustParsePrefix("198.18.0.1/32"), Peer: netip.MustParsePrefix("198.18.0.2/32"), Index: 3}),
			"198.18.0.1/32 peer 198.18.0.2/32 dev 3"},
		{neighborName(&Neighbor{Addr: netip.MustParseAddr("198.18.0.2"), Index: 4}), "198.18.0.2 dev 4"},
		{neighborName(&Neighbor{Addr: netip.MustParseAddr("2001:db8::1"), Index: 4, Flags: NeighborProxy}), "2001:db8::1 dev 4 proxy"},
		{neighborName(&Neighbor{LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 1}, Index: 5}), "02:00:00:00:00:01 dev 5"},
		{ruleOp("add", &Rule{Priority: 100, Table: 100}), "add rule priority 100 table 100"},
		{ruleOp("delete", &Rule{}), "delete rule"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}
