package mptcp

import (
	"net/netip"
	"testing"

	"github.com/nlkit/nlkit/genl"
)

func TestEndpointCodec(t *testing.T) {
	for _, e := range []Endpoint{
		{ID: 1, Addr: netip.MustParseAddr("10.0.0.1"), Flags: Signal},
		{ID: 200, Addr: netip.MustParseAddr("fe80::1"), Port: 443, Flags: Signal | Backup | 1<<20, IfIndex: -1},
	} {
		b, err := attrSet.Append(nil, genl.Attrs{"addr": e.attrs()})
		if err != nil {
			t.Fatal(err)
		}
		var got Endpoint
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if got != e {
			t.Errorf("round trip %v -> %v", e, got)
		}
	}
	if s := (Signal | Laminar | 1<<9).String(); s != "signal|laminar|0x200" {
		t.Errorf("flags String = %q", s)
	}
	if s := (Endpoint{ID: 2, Addr: netip.MustParseAddr("10.0.0.2"), Flags: Fullmesh | 1<<9}).String(); s != "10.0.0.2 id 2 fullmesh flags 0x200" {
		t.Errorf("String = %q", s)
	}
	var e Endpoint
	b, _ := attrSet.Append(nil, genl.Attrs{"addr": genl.Attrs{"family": 2, "addr6": netip.MustParseAddr("::1")}})
	if err := e.UnmarshalBinary(b); err == nil {
		t.Errorf("AF_INET with an IPv6 address: no error")
	}
	if err := e.UnmarshalBinary(nil); err == nil {
		t.Errorf("no address nest: no error")
	}
}

func TestEventCodec(t *testing.T) {
	b, err := eventSet.Append(nil, genl.Attrs{"token": 0xabcdef, "family": 10, "saddr6": netip.MustParseAddr("2001:db8::1"), "sport": 80,
		"daddr4": netip.MustParseAddr("10.0.0.1"), "dport": 8080, "loc-id": 1, "rem-id": 2, "backup": 1, "if-idx": 4, "server-side": 1})
	if err != nil {
		t.Fatal(err)
	}
	e := Event{Type: EventSubEstablished}
	if err := e.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	want := "[  SF_ESTABLISHED] token=00abcdef remid=2 locid=1 daddr4=10.0.0.1 saddr6=2001:db8::1 sport=80 dport=8080 backup=1 ifindex=4"
	if e.String() != want {
		t.Errorf("String =\n%q\nwant\n%q", e, want)
	}
	if !e.ServerSide || !e.Has(AttrToken|AttrFamily|AttrSaddr6|AttrDaddr4|AttrServerSide) || e.Has(AttrError) {
		t.Errorf("decoded %+v", e)
	}
	if EventType(99).String() != "EVENT_99" {
		t.Errorf("unknown event name")
	}

	// Zero values print when present, as ip prints them; the rest in
	// ip's order and formats.
	b, err = eventSet.Append(nil, genl.Attrs{"token": 1, "loc-id": 0, "rem-id": 0, "saddr4": netip.MustParseAddr("10.0.0.2"),
		"sport": 1, "backup": 0, "error": 111, "flags": 3, "timeout": 30, "if-idx": -1, "reset-reason": 2, "reset-flags": 0x10})
	if err != nil {
		t.Fatal(err)
	}
	e = Event{Type: EventSubClosed}
	if err := e.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	want = "[       SF_CLOSED] token=00000001 remid=0 locid=0 saddr4=10.0.0.2 sport=1 backup=0 error=111 flags=3 timeout=30 ifindex=-1 reset_reason=2 reset_flags=0x10"
	if e.String() != want {
		t.Errorf("String =\n%q\nwant\n%q", e, want)
	}
	if !e.ServerSide || e.Has(AttrServerSide) { // from MPTCP_PM_EV_FLAG_SERVER_SIDE
		t.Errorf("ServerSide from flags: %+v", e)
	}
	for ev, want := range map[Event]string{
		{Type: EventClosed}: "[          CLOSED]",
		{Type: 99}:          "[UNKNOWN 99]",
		{Type: EventListenerCreated, Source: netip.MustParseAddrPort("[2001:db8::1]:80"), Present: AttrSaddr6 | AttrSport}: "[LISTENER_CREATED] saddr6=2001:db8::1 sport=80",
	} {
		if ev.String() != want {
			t.Errorf("String = %q, want %q", ev, want)
		}
	}
}

// EventFlags print in ip's words and read them back.
func TestEventFlagsText(t *testing.T) {
	for f, want := range map[EventFlags]string{
		0:                    "0",
		EventFlagServerSide:  "server_side",
		EventFlagDenyJoinID0: "deny_join_id0",
		EventFlagDenyJoinID0 | EventFlagServerSide | 0x8: "deny_join_id0|server_side|0x8",
		0x30: "0x30",
	} {
		if f.String() != want {
			t.Errorf("%#x: String %q, want %q", uint16(f), f, want)
		}
		if b, err := f.MarshalText(); err != nil || string(b) != want {
			t.Errorf("%#x: MarshalText %q, %v", uint16(f), b, err)
		}
		var back EventFlags
		if err := back.UnmarshalText([]byte(want)); err != nil || back != f {
			t.Errorf("UnmarshalText(%q) = %#x, %v; want %#x", want, uint16(back), err, uint16(f))
		}
	}
	var f EventFlags
	if err := f.UnmarshalText([]byte("server_side|bogus")); err == nil {
		t.Errorf("UnmarshalText of a bogus word: no error")
	}
}
