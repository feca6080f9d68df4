package rtnl

import (
	"encoding"
	"fmt"
	"testing"
)

// TestEnumTextRoundTrip checks that UnmarshalText reads back what String
// gives, for every value of the 8-bit enums and the common others.
func TestEnumTextRoundTrip(t *testing.T) {
	check := func(v fmt.Stringer, into encoding.TextUnmarshaler, back func() any) {
		t.Helper()
		if err := into.UnmarshalText([]byte(v.String())); err != nil {
			t.Errorf("%T %q: %v", v, v.String(), err)
			return
		}
		if got := back(); got != any(v) {
			t.Errorf("%T %q: read back %v", v, v.String(), got)
		}
	}
	for i := range 256 {
		var p Protocol
		check(Protocol(i), &p, func() any { return p })
		var s Scope
		check(Scope(i), &s, func() any { return s })
		var rt RouteType
		check(RouteType(i), &rt, func() any { return rt })
		var f Family
		check(Family(i), &f, func() any { return f })
	}
	for _, v := range []Table{0, 1, 100, TableCompat, TableDefault, TableMain, TableLocal, 256, 1 << 31} {
		var tb Table
		check(v, &tb, func() any { return tb })
	}
	for _, v := range []NeighborState{NeighborNone, NeighborReachable, NeighborPermanent, NeighborNoARP,
		NeighborReachable | NeighborStale, 0x100, NeighborFailed | 0x200} {
		var st NeighborState
		check(v, &st, func() any { return st })
	}
}

func TestEnumUnmarshalText(t *testing.T) {
	for _, tc := range []struct {
		in   string
		into interface {
			encoding.TextUnmarshaler
			fmt.Stringer
		}
		want string // String() after, or "error"
	}{
		{"0x10", new(Protocol), "dhcp"},
		{"010", new(Protocol), "gated"},
		{"256", new(Protocol), "error"},
		{"0b1", new(Protocol), "error"},
		{"-1", new(Protocol), "error"},
		{"", new(Protocol), "error"},
		{"Kernel", new(Protocol), "error"},
		{"universe", new(Scope), "error"},
		{"253", new(Scope), "link"},
		{"brd", new(RouteType), "broadcast"},
		{"bla", new(RouteType), "error"},
		{"4294967295", new(Table), "4294967295"},
		{"4294967296", new(Table), "error"},
		{"permanent", new(NeighborState), "PERMANENT"},
		{"Stale  delay", new(NeighborState), "STALE DELAY"},
		{"none", new(NeighborState), "NONE"},
		{"0x2", new(NeighborState), "REACHABLE"},
		{"nud", new(NeighborState), "error"},
		{" ", new(NeighborState), "error"},
	} {
		err := tc.into.UnmarshalText([]byte(tc.in))
		got := "error"
		if err == nil {
			got = tc.into.String()
		}
		if got != tc.want {
			t.Errorf("%T.UnmarshalText(%q): %s (%v), want %s", tc.into, tc.in, got, err, tc.want)
		}
	}
}
