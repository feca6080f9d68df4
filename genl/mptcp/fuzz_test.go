package mptcp

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/nlkit/nlkit/genl"
)

// FuzzEndpoint fuzzes the endpoint decoder (Endpoint.UnmarshalBinary):
// what decodes re-encodes to the same endpoint.
func FuzzEndpoint(f *testing.F) {
	b, _ := attrSet.Append(nil, genl.Attrs{"addr": Endpoint{ID: 1, Addr: netip.MustParseAddr("10.0.0.1"), Port: 1, Flags: Signal, IfIndex: 2}.attrs()})
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var e Endpoint
		if err := e.UnmarshalBinary(b); err != nil {
			return
		}
		_ = e.String()
		if !e.Addr.IsValid() {
			return // no family: nothing to re-encode faithfully
		}
		b2, err := attrSet.Append(nil, genl.Attrs{"addr": e.attrs()})
		if err != nil {
			t.Fatal(err)
		}
		var e2 Endpoint
		if err := e2.UnmarshalBinary(b2); err != nil || e2 != e {
			t.Fatalf("round trip %v -> %v, %v", e, e2, err)
		}
	})
}

// FuzzEvent fuzzes the event decoder (Event.UnmarshalBinary): what
// decodes prints, and Present lists exactly the attributes the set
// describes that were decoded.
func FuzzEvent(f *testing.F) {
	b, _ := eventSet.Append(nil, genl.Attrs{"token": 7, "family": 2, "saddr4": netip.MustParseAddr("10.0.0.1"), "sport": 80,
		"loc-id": 0, "backup": 0, "flags": 2, "reset-flags": 1})
	f.Add(uint8(EventSubClosed), b)
	f.Add(uint8(EventListenerCreated), []byte{})
	f.Fuzz(func(t *testing.T, typ uint8, b []byte) {
		e := Event{Type: EventType(typ)}
		if err := e.UnmarshalBinary(b); err != nil {
			return
		}
		s := e.String()
		if !strings.HasPrefix(s, "[") {
			t.Fatalf("String = %q", s)
		}
		v, err := eventSet.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		var want EventAttrs
		for name := range v {
			want |= eventAttrs[name]
		}
		if e.Present != want || e.Type != EventType(typ) {
			t.Fatalf("Present %#x, want %#x (type %d)", e.Present, want, e.Type)
		}
	})
}
