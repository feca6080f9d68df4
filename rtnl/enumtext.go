package rtnl

// The text methods of the enums: MarshalText and AppendText give String's
// words (the kernel's or iproute2's), UnmarshalText reads them back, and a
// number for values without a word. EventKind and RouteOpKind, whose words
// are this package's own, and the flag sets (LinkFlags, RouteFlags,
// AddressFlags, NeighborFlags: see their Words) have String only.

import (
	"maps"
	"slices"

	"github.com/nlkit/nlkit/internal/enumtext"
)

// unmarshalEnum sets *v to the value whose String is text: one of cands,
// or of every 8-bit value when cands is nil; else to the number text
// spells, as iproute2 reads numbers, at most bits wide.
func unmarshalEnum[T enumtext.Enum](v *T, text []byte, what string, bits int, cands []T) error {
	p := enumtext.Parser[T]{Cands: cands, Bits: bits, Numbers: enumtext.IPRoute2Numbers}
	if cands == nil && bits == 8 {
		p.Limit = 256
	}
	n, ok := p.Parse(text)
	if !ok {
		return enumTextError(what, text)
	}
	*v = n
	return nil
}

// MarshalText gives String's words.
func (f Family) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// AppendText appends String's words to b.
func (f Family) AppendText(b []byte) ([]byte, error) { return append(b, f.String()...), nil }

// MarshalText gives String's words.
func (s Scope) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// AppendText appends String's words to b.
func (s Scope) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// MarshalText gives String's words.
func (t Table) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// AppendText appends String's words to b.
func (t Table) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// MarshalText gives String's words.
func (p Protocol) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// AppendText appends String's words to b.
func (p Protocol) AppendText(b []byte) ([]byte, error) { return append(b, p.String()...), nil }

// MarshalText gives String's words.
func (t RouteType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// AppendText appends String's words to b.
func (t RouteType) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// MarshalText gives String's words.
func (s NeighborState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// AppendText appends String's words to b.
func (s NeighborState) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// MarshalText gives String's words.
func (m AddrGenMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// AppendText appends String's words to b.
func (m AddrGenMode) AppendText(b []byte) ([]byte, error) { return append(b, m.String()...), nil }

// UnmarshalText sets m from String's words or a number; it reads back
// what String gives.
func (m *AddrGenMode) UnmarshalText(text []byte) error {
	return unmarshalEnum(m, text, "address generation mode", 8, nil)
}

// MarshalText gives String's words.
func (p AddressProtocol) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// AppendText appends String's words to b.
func (p AddressProtocol) AppendText(b []byte) ([]byte, error) { return append(b, p.String()...), nil }

// UnmarshalText sets p from String's words or a number; it reads back
// what String gives.
func (p *AddressProtocol) UnmarshalText(text []byte) error {
	return unmarshalEnum(p, text, "address protocol", 8, nil)
}

// MarshalText gives String's words.
func (s BridgePortState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// AppendText appends String's words to b.
func (s BridgePortState) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// UnmarshalText sets s from String's words or a number; it reads back
// what String gives.
func (s *BridgePortState) UnmarshalText(text []byte) error {
	return unmarshalEnum(s, text, "bridge port state", 8, nil)
}

// MarshalText gives String's words.
func (m LinkMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// AppendText appends String's words to b.
func (m LinkMode) AppendText(b []byte) ([]byte, error) { return append(b, m.String()...), nil }

// UnmarshalText sets m from String's words or a number; it reads back
// what String gives.
func (m *LinkMode) UnmarshalText(text []byte) error {
	return unmarshalEnum(m, text, "link mode", 8, nil)
}

// MarshalText gives String's words.
func (s OperState) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// AppendText appends String's words to b.
func (s OperState) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// UnmarshalText sets s from String's words or a number; it reads back
// what String gives.
func (s *OperState) UnmarshalText(text []byte) error {
	return unmarshalEnum(s, text, "operational state", 8, nil)
}

// MarshalText gives String's words.
func (p RoutePref) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// AppendText appends String's words to b.
func (p RoutePref) AppendText(b []byte) ([]byte, error) { return append(b, p.String()...), nil }

// UnmarshalText sets p from String's words or a number; it reads back
// what String gives.
func (p *RoutePref) UnmarshalText(text []byte) error {
	return unmarshalEnum(p, text, "route preference", 8, nil)
}

// MarshalText gives String's words.
func (a RuleAction) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// AppendText appends String's words to b.
func (a RuleAction) AppendText(b []byte) ([]byte, error) { return append(b, a.String()...), nil }

// UnmarshalText sets a from String's words or a number; it reads back
// what String gives.
func (a *RuleAction) UnmarshalText(text []byte) error {
	return unmarshalEnum(a, text, "rule action", 8, nil)
}

// MarshalText gives String's words.
func (m TunMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// AppendText appends String's words to b.
func (m TunMode) AppendText(b []byte) ([]byte, error) { return append(b, m.String()...), nil }

// UnmarshalText sets m from String's words or a number; it reads back
// what String gives.
func (m *TunMode) UnmarshalText(text []byte) error {
	return unmarshalEnum(m, text, "tun mode", 8, nil)
}

// MarshalText gives String's words.
func (df VxlanDF) MarshalText() ([]byte, error) { return []byte(df.String()), nil }

// AppendText appends String's words to b.
func (df VxlanDF) AppendText(b []byte) ([]byte, error) { return append(b, df.String()...), nil }

// UnmarshalText sets df from String's words or a number; it reads back
// what String gives.
func (df *VxlanDF) UnmarshalText(text []byte) error {
	return unmarshalEnum(df, text, "vxlan df", 8, nil)
}

// MarshalText gives String's words.
func (m MacvlanMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// AppendText appends String's words to b.
func (m MacvlanMode) AppendText(b []byte) ([]byte, error) { return append(b, m.String()...), nil }

// UnmarshalText sets m from String's words or a number; it reads back
// what String gives.
func (m *MacvlanMode) UnmarshalText(text []byte) error {
	return unmarshalEnum(m, text, "macvlan mode", 32, []MacvlanMode{MacvlanPrivate, MacvlanVEPA, MacvlanBridge, MacvlanPassthru, MacvlanSource})
}

// MarshalText gives String's words.
func (p VlanProtocol) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// AppendText appends String's words to b.
func (p VlanProtocol) AppendText(b []byte) ([]byte, error) { return append(b, p.String()...), nil }

// UnmarshalText sets p from String's words or a number; it reads back
// what String gives.
func (p *VlanProtocol) UnmarshalText(text []byte) error {
	return unmarshalEnum(p, text, "vlan protocol", 16, []VlanProtocol{VlanProto8021Q, VlanProto8021AD})
}

// MarshalText gives String's words.
func (t LinkType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// AppendText appends String's words to b.
func (t LinkType) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// UnmarshalText sets t from String's words (iproute2's: ether, loopback,
// none, ...) or a number, bare or in brackets as String gives it for types
// without a word.
func (t *LinkType) UnmarshalText(text []byte) error {
	if n := len(text); n > 2 && text[0] == '[' && text[n-1] == ']' {
		text = text[1 : n-1]
	}
	return unmarshalEnum(t, text, "link type", 16, slices.Collect(maps.Keys(linkTypeNames)))
}
