package rtnl

import (
	"encoding"
	"fmt"
	"reflect"
	"testing"
)

// Every enum with words has the three text methods, MarshalText and
// AppendText give String, and UnmarshalText reads them back for every
// 8-bit value and the named wider ones.
func TestEnumTextMethods(t *testing.T) {
	type textEnumV interface {
		fmt.Stringer
		encoding.TextMarshaler
		encoding.TextAppender
	}
	check := func(v textEnumV) {
		t.Helper()
		m, err := v.MarshalText()
		if err != nil || string(m) != v.String() {
			t.Errorf("%T(%v).MarshalText = %q, %v", v, v, m, err)
		}
		a, err := v.AppendText([]byte("x="))
		if err != nil || string(a) != "x="+v.String() {
			t.Errorf("%T(%v).AppendText = %q, %v", v, v, a, err)
		}
		p := reflect.New(reflect.TypeOf(v))
		if err := p.Interface().(encoding.TextUnmarshaler).UnmarshalText(m); err != nil {
			t.Errorf("%T: UnmarshalText(%q): %v", v, m, err)
			return
		}
		if got := p.Elem().Interface(); got != v {
			t.Errorf("%T: UnmarshalText(%q) = %v, want %v", v, m, got, v)
		}
	}
	for i := range 256 {
		for _, v := range []textEnumV{Family(i), Scope(i), Table(i), Protocol(i), RouteType(i), NeighborState(i),
			AddrGenMode(i), AddressProtocol(i), BridgePortState(i), LinkMode(i), OperState(i), RoutePref(i),
			RuleAction(i), TunMode(i), VxlanDF(i), MacvlanMode(i), VlanProtocol(i), LinkType(i)} {
			check(v)
		}
	}
	for _, v := range []textEnumV{MacvlanSource, MacvlanMode(1 << 20), VlanProto8021Q, VlanProto8021AD, VlanProtocol(0x0800),
		LinkTypeLoopback, LinkTypeNone, LinkTypeVoid, LinkType(1000), Table(1 << 20), NeighborPermanent | NeighborNoARP} {
		check(v)
	}
	for _, tc := range []struct {
		in   string
		into encoding.TextUnmarshaler
	}{{"UP2", new(OperState)}, {"", new(TunMode)}, {"-1", new(VxlanDF)}, {"[x]", new(LinkType)}, {"65536", new(VlanProtocol)}} {
		if err := tc.into.UnmarshalText([]byte(tc.in)); err == nil {
			t.Errorf("%T: UnmarshalText(%q) succeeded", tc.into, tc.in)
		}
	}
}
