package xfrm

import (
	"net/netip"
	"testing"

	"github.com/nlkit/nlkit/netlink"
)

// FuzzState fuzzes the SA decoder (State.UnmarshalBinary): no panic, and
// what decodes re-encodes to bytes that decode to the same SA.
func FuzzState(f *testing.F) {
	b, _ := richState().MarshalBinary()
	f.Add(b)
	larval, _ := State{Src: a4("198.18.0.1"), Dst: a4("198.18.0.2"), Proto: ProtoESP}.MarshalBinary()
	f.Add(larval)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var s State
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		_ = s.String()
		b2, err := s.MarshalBinary()
		if err != nil {
			return // e.g. an algorithm name of 64 bytes without its NUL
		}
		var s2 State
		if err := s2.UnmarshalBinary(b2); err != nil {
			t.Fatalf("re-encoded SA does not decode: %v", err)
		}
		if d := diff(normState(s), normState(s2)); d != "" {
			t.Fatalf("decode-encode-decode differs:\n%s", d)
		}
	})
}

// normState gives an SA its effective family: FamilyUnspec means "take
// it from the addresses", which the encoding does.
// The addresses of an SA whose family is neither IPv4 nor IPv6 decode as
// the zero Addr and encode as zeros.
func normState(s State) State {
	s.Family = s.family()
	s.Limits = asSent(s.Limits)
	if s.Selector.Src.IsValid() || s.Selector.Dst.IsValid() {
		s.Selector.Family = s.Selector.family()
	}
	for _, a := range []*netip.Addr{&s.Src, &s.Dst} {
		if a.IsValid() && a.IsUnspecified() {
			*a = netip.Addr{}
		}
	}
	return s
}

// normPolicy gives the templates their effective family likewise.
func normPolicy(p Policy) Policy {
	p.Limits = asSent(p.Limits)
	p.Templates = append([]Template(nil), p.Templates...)
	for i := range p.Templates {
		b := make([]byte, sizeTmpl)
		p.Templates[i].put(b, p.Selector.family())
		p.Templates[i].Family = Family(ne.Uint16(b[24:]))
		// Algorithm masks of 0 go out as "any" (all ones).
		t := &p.Templates[i]
		t.AuthAlgos, t.CryptAlgos, t.CompAlgos = algosOut(t.AuthAlgos), algosOut(t.CryptAlgos), algosOut(t.CompAlgos)
	}
	return p
}

// FuzzPolicy fuzzes the policy decoder (Policy.UnmarshalBinary), with the
// same round-trip property.
func FuzzPolicy(f *testing.F) {
	b, _ := richPolicy().MarshalBinary()
	f.Add(b)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Policy
		if err := p.UnmarshalBinary(b); err != nil {
			return
		}
		_ = p.String()
		b2, err := p.MarshalBinary()
		if err != nil {
			return
		}
		var p2 Policy
		if err := p2.UnmarshalBinary(b2); err != nil {
			t.Fatalf("re-encoded policy does not decode: %v", err)
		}
		if d := diff(normPolicy(p), normPolicy(p2)); d != "" {
			t.Fatalf("decode-encode-decode differs:\n%s", d)
		}
	})
}

// FuzzEvent fuzzes the notification decoder (DecodeEvent) on every
// message type.
func FuzzEvent(f *testing.F) {
	for _, m := range sampleEvents() {
		f.Add(uint16(m.Header.Type), m.Data)
	}
	f.Fuzz(func(t *testing.T, typ uint16, b []byte) {
		ev, ok, err := DecodeEvent(netlink.Message{Header: netlink.Header{Type: netlink.MessageType(typ)}, Data: b})
		if !ok && (err != nil || ev.Kind != 0) {
			t.Fatalf("not an event, yet %v %v", ev.Kind, err)
		}
		_ = ev.Kind.String()
	})
}
