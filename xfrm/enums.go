package xfrm

import (
	"fmt"
	"strings"

	"github.com/nlkit/nlkit/internal/enumtext"
)

// Proto is the IPsec protocol of an SA or template (xfrm_id.proto).
type Proto uint8

// Protocols, with ip xfrm's words.
const (
	ProtoAny      Proto = 0   // no protocol: every one (flush, filters)
	ProtoRoute2   Proto = 43  // IPPROTO_ROUTING: Mobile IPv6 type 2 routing header ("route2")
	ProtoESP      Proto = 50  // IPPROTO_ESP ("esp")
	ProtoAH       Proto = 51  // IPPROTO_AH ("ah")
	ProtoHAO      Proto = 60  // IPPROTO_DSTOPTS: Mobile IPv6 home address option ("hao")
	ProtoComp     Proto = 108 // IPPROTO_COMP: IP payload compression ("comp")
	ProtoIPsecAny Proto = 255 // IPSEC_PROTO_ANY: ESP, AH and IPComp ("ipsec-any")
)

// String gives ip xfrm's word for p ("esp"), or its number.
func (p Proto) String() string {
	switch p {
	case ProtoESP:
		return "esp"
	case ProtoAH:
		return "ah"
	case ProtoComp:
		return "comp"
	case ProtoRoute2:
		return "route2"
	case ProtoHAO:
		return "hao"
	case ProtoIPsecAny:
		return "ipsec-any"
	}
	return fmt.Sprint(uint8(p))
}

// IsIPsec reports whether p is ESP, AH or IPComp, the protocols with an SPI.
func (p Proto) IsIPsec() bool { return p == ProtoESP || p == ProtoAH || p == ProtoComp }

// MarshalText gives String's word.
func (p Proto) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// AppendText appends String's word to b.
func (p Proto) AppendText(b []byte) ([]byte, error) { return append(b, p.String()...), nil }

// UnmarshalText reads String's word or a number.
func (p *Proto) UnmarshalText(b []byte) error {
	return unmarshalEnum(p, b, "protocol", []Proto{ProtoESP, ProtoAH, ProtoComp, ProtoRoute2, ProtoHAO, ProtoIPsecAny})
}

// Mode is an SA's or template's mode (XFRM_MODE_*).
type Mode uint8

// Modes.
const (
	ModeTransport         Mode = 0 // XFRM_MODE_TRANSPORT ("transport")
	ModeTunnel            Mode = 1 // XFRM_MODE_TUNNEL ("tunnel")
	ModeRouteOptimization Mode = 2 // XFRM_MODE_ROUTEOPTIMIZATION ("ro")
	ModeInTrigger         Mode = 3 // XFRM_MODE_IN_TRIGGER ("in_trigger")
	ModeBEET              Mode = 4 // XFRM_MODE_BEET ("beet")
	ModeIPTFS             Mode = 5 // XFRM_MODE_IPTFS ("iptfs", Linux 6.14)
)

// String gives ip xfrm's word for m, or its number.
func (m Mode) String() string {
	switch m {
	case ModeTransport:
		return "transport"
	case ModeTunnel:
		return "tunnel"
	case ModeRouteOptimization:
		return "ro"
	case ModeInTrigger:
		return "in_trigger"
	case ModeBEET:
		return "beet"
	case ModeIPTFS:
		return "iptfs"
	}
	return fmt.Sprint(uint8(m))
}

// MarshalText gives String's word.
func (m Mode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// AppendText appends String's word to b.
func (m Mode) AppendText(b []byte) ([]byte, error) { return append(b, m.String()...), nil }

// UnmarshalText reads String's word or a number.
func (m *Mode) UnmarshalText(b []byte) error { return unmarshalEnum(m, b, "mode", nil, 6) }

// Dir is a policy's direction (XFRM_POLICY_IN/OUT/FWD).
type Dir uint8

// Directions. Socket policies are DirIn+3 and so on (XFRM_POLICY_MAX).
const (
	DirIn  Dir = 0 // XFRM_POLICY_IN ("in")
	DirOut Dir = 1 // XFRM_POLICY_OUT ("out")
	DirFwd Dir = 2 // XFRM_POLICY_FWD ("fwd")
)

// String gives ip xfrm's word for d, or its number.
func (d Dir) String() string {
	switch d {
	case DirIn:
		return "in"
	case DirOut:
		return "out"
	case DirFwd:
		return "fwd"
	}
	return fmt.Sprint(uint8(d))
}

// MarshalText gives String's word.
func (d Dir) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// AppendText appends String's word to b.
func (d Dir) AppendText(b []byte) ([]byte, error) { return append(b, d.String()...), nil }

// UnmarshalText reads String's word or a number.
func (d *Dir) UnmarshalText(b []byte) error { return unmarshalEnum(d, b, "direction", nil, 3) }

// Action is what a policy does with matching packets.
type Action uint8

// Actions.
const (
	ActionAllow Action = 0 // XFRM_POLICY_ALLOW ("allow")
	ActionBlock Action = 1 // XFRM_POLICY_BLOCK ("block")
)

// String gives ip xfrm's word for a, or its number.
func (a Action) String() string {
	switch a {
	case ActionAllow:
		return "allow"
	case ActionBlock:
		return "block"
	}
	return fmt.Sprint(uint8(a))
}

// MarshalText gives String's word.
func (a Action) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// AppendText appends String's word to b.
func (a Action) AppendText(b []byte) ([]byte, error) { return append(b, a.String()...), nil }

// UnmarshalText reads String's word or a number.
func (a *Action) UnmarshalText(b []byte) error { return unmarshalEnum(a, b, "action", nil, 2) }

// PolicyType is a policy's type: main, or sub (Mobile IPv6 sub-policies).
type PolicyType uint8

// Policy types (XFRM_POLICY_TYPE_*).
const (
	PolicyTypeMain PolicyType = 0 // XFRM_POLICY_TYPE_MAIN ("main")
	PolicyTypeSub  PolicyType = 1 // XFRM_POLICY_TYPE_SUB ("sub")
)

// String gives ip xfrm's word for t, or its number.
func (t PolicyType) String() string {
	switch t {
	case PolicyTypeMain:
		return "main"
	case PolicyTypeSub:
		return "sub"
	}
	return fmt.Sprint(uint8(t))
}

// MarshalText gives String's word.
func (t PolicyType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// AppendText appends String's word to b.
func (t PolicyType) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// UnmarshalText reads String's word or a number.
func (t *PolicyType) UnmarshalText(b []byte) error {
	return unmarshalEnum(t, b, "policy type", nil, 2)
}

// Share is how widely an SA made for a template may be shared
// (XFRM_SHARE_*; the kernel implements only "any").
type Share uint8

// Sharing levels.
const (
	ShareAny     Share = 0 // XFRM_SHARE_ANY ("any")
	ShareSession Share = 1 // XFRM_SHARE_SESSION ("session")
	ShareUser    Share = 2 // XFRM_SHARE_USER ("user")
	ShareUnique  Share = 3 // XFRM_SHARE_UNIQUE ("unique")
)

// String gives ip xfrm's word for s, or its number.
func (s Share) String() string {
	switch s {
	case ShareAny:
		return "any"
	case ShareSession:
		return "session"
	case ShareUser:
		return "user"
	case ShareUnique:
		return "unique"
	}
	return fmt.Sprint(uint8(s))
}

// MarshalText gives String's word.
func (s Share) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// AppendText appends String's word to b.
func (s Share) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// UnmarshalText reads String's word or a number.
func (s *Share) UnmarshalText(b []byte) error { return unmarshalEnum(s, b, "share", nil, 4) }

// EncapType is the encapsulation of ESP packets (UDP_ENCAP_* of
// linux/udp.h, TCP_ENCAP_ESPINTCP of linux/tcp.h).
type EncapType uint16

// Encapsulations.
const (
	EncapESPInUDPNonIKE EncapType = 1 // UDP_ENCAP_ESPINUDP_NON_IKE ("espinudp-nonike")
	EncapESPInUDP       EncapType = 2 // UDP_ENCAP_ESPINUDP: NAT traversal, RFC 3948 ("espinudp")
	EncapESPInTCP       EncapType = 7 // TCP_ENCAP_ESPINTCP: RFC 8229 ("espintcp")
)

// String gives ip xfrm's word for t, or its number.
func (t EncapType) String() string {
	switch t {
	case EncapESPInUDPNonIKE:
		return "espinudp-nonike"
	case EncapESPInUDP:
		return "espinudp"
	case EncapESPInTCP:
		return "espintcp"
	}
	return fmt.Sprint(uint16(t))
}

// MarshalText gives String's word.
func (t EncapType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

// AppendText appends String's word to b.
func (t EncapType) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// UnmarshalText reads String's word or a number.
func (t *EncapType) UnmarshalText(b []byte) error {
	return unmarshalEnum(t, b, "encapsulation", []EncapType{EncapESPInUDPNonIKE, EncapESPInUDP, EncapESPInTCP})
}

// DefaultAction is the default policy of a direction: what happens to
// packets no policy matches (XFRM_USERPOLICY_*).
type DefaultAction uint8

// Default actions.
const (
	DefaultUnspec DefaultAction = 0 // XFRM_USERPOLICY_UNSPEC: unchanged (in a set request)
	DefaultBlock  DefaultAction = 1 // XFRM_USERPOLICY_BLOCK ("block")
	DefaultAccept DefaultAction = 2 // XFRM_USERPOLICY_ACCEPT ("accept")
)

// String gives ip xfrm's word for a, or its number.
func (a DefaultAction) String() string {
	switch a {
	case DefaultUnspec:
		return "unspec"
	case DefaultBlock:
		return "block"
	case DefaultAccept:
		return "accept"
	}
	return fmt.Sprint(uint8(a))
}

// MarshalText gives String's word.
func (a DefaultAction) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// AppendText appends String's word to b.
func (a DefaultAction) AppendText(b []byte) ([]byte, error) { return append(b, a.String()...), nil }

// UnmarshalText reads String's word or a number.
func (a *DefaultAction) UnmarshalText(b []byte) error {
	return unmarshalEnum(a, b, "default action", nil, 3)
}

// StateFlags are an SA's flags (XFRM_STATE_*).
type StateFlags uint8

// SA flags, with ip xfrm's words.
const (
	StateNoECN      StateFlags = 1   // XFRM_STATE_NOECN ("noecn")
	StateDecapDSCP  StateFlags = 2   // XFRM_STATE_DECAP_DSCP ("decap-dscp")
	StateNoPMTUDisc StateFlags = 4   // XFRM_STATE_NOPMTUDISC ("nopmtudisc")
	StateWildRecv   StateFlags = 8   // XFRM_STATE_WILDRECV ("wildrecv")
	StateICMP       StateFlags = 16  // XFRM_STATE_ICMP ("icmp")
	StateAFUnspec   StateFlags = 32  // XFRM_STATE_AF_UNSPEC ("af-unspec")
	StateAlign4     StateFlags = 64  // XFRM_STATE_ALIGN4 ("align4")
	StateESN        StateFlags = 128 // XFRM_STATE_ESN: extended sequence numbers ("esn")
)

var stateFlagWords = []flagWord{
	{1, "noecn"}, {2, "decap-dscp"}, {4, "nopmtudisc"}, {8, "wildrecv"},
	{16, "icmp"}, {32, "af-unspec"}, {64, "align4"}, {128, "esn"},
}

// String lists the flags' words separated by spaces ("noecn esn"); bits
// without a word end it in hex, as ip prints them.
func (f StateFlags) String() string { return flagString(uint32(f), stateFlagWords) }

// MarshalText gives String's words.
func (f StateFlags) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// AppendText appends String's words to b.
func (f StateFlags) AppendText(b []byte) ([]byte, error) { return append(b, f.String()...), nil }

// UnmarshalText reads words (and numbers) separated by spaces.
func (f *StateFlags) UnmarshalText(b []byte) error {
	v, err := flagParse(string(b), stateFlagWords, 8, "state flags")
	*f = StateFlags(v)
	return err
}

// ExtraFlags are an SA's extra flags (XFRMA_SA_EXTRA_FLAGS).
type ExtraFlags uint32

// Extra SA flags.
const (
	ExtraDontEncapDSCP ExtraFlags = 1 // XFRM_SA_XFLAG_DONT_ENCAP_DSCP ("dont-encap-dscp")
	ExtraOSeqMayWrap   ExtraFlags = 2 // XFRM_SA_XFLAG_OSEQ_MAY_WRAP ("oseq-may-wrap")
)

var extraFlagWords = []flagWord{{1, "dont-encap-dscp"}, {2, "oseq-may-wrap"}}

// String lists the flags' words separated by spaces.
func (f ExtraFlags) String() string { return flagString(uint32(f), extraFlagWords) }

// MarshalText gives String's words.
func (f ExtraFlags) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// AppendText appends String's words to b.
func (f ExtraFlags) AppendText(b []byte) ([]byte, error) { return append(b, f.String()...), nil }

// UnmarshalText reads words (and numbers) separated by spaces.
func (f *ExtraFlags) UnmarshalText(b []byte) error {
	v, err := flagParse(string(b), extraFlagWords, 32, "extra flags")
	*f = ExtraFlags(v)
	return err
}

// PolicyFlags are a policy's flags (XFRM_POLICY_LOCALOK, XFRM_POLICY_ICMP).
type PolicyFlags uint8

// Policy flags.
const (
	PolicyLocalOK PolicyFlags = 1 // XFRM_POLICY_LOCALOK ("localok")
	PolicyICMP    PolicyFlags = 2 // XFRM_POLICY_ICMP ("icmp")
)

var policyFlagWords = []flagWord{{1, "localok"}, {2, "icmp"}}

// String lists the flags' words separated by spaces.
func (f PolicyFlags) String() string { return flagString(uint32(f), policyFlagWords) }

// MarshalText gives String's words.
func (f PolicyFlags) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// AppendText appends String's words to b.
func (f PolicyFlags) AppendText(b []byte) ([]byte, error) { return append(b, f.String()...), nil }

// UnmarshalText reads words (and numbers) separated by spaces.
func (f *PolicyFlags) UnmarshalText(b []byte) error {
	v, err := flagParse(string(b), policyFlagWords, 8, "policy flags")
	*f = PolicyFlags(v)
	return err
}

// OffloadFlags are an SA offload's flags (XFRM_OFFLOAD_*).
type OffloadFlags uint8

// Offload flags.
const (
	OffloadIPv6    OffloadFlags = 1 // XFRM_OFFLOAD_IPV6 (set by the kernel's users, not by it)
	OffloadInbound OffloadFlags = 2 // XFRM_OFFLOAD_INBOUND: "dir in"
	OffloadPacket  OffloadFlags = 4 // XFRM_OFFLOAD_PACKET: full packet offload
)

var offloadFlagWords = []flagWord{{1, "ipv6"}, {2, "inbound"}, {4, "packet"}}

// String lists the flags' words separated by spaces.
func (f OffloadFlags) String() string { return flagString(uint32(f), offloadFlagWords) }

// MarshalText gives String's words.
func (f OffloadFlags) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// AppendText appends String's words to b.
func (f OffloadFlags) AppendText(b []byte) ([]byte, error) { return append(b, f.String()...), nil }

// UnmarshalText reads words (and numbers) separated by spaces.
func (f *OffloadFlags) UnmarshalText(b []byte) error {
	v, err := flagParse(string(b), offloadFlagWords, 8, "offload flags")
	*f = OffloadFlags(v)
	return err
}

// MarshalText gives String's word.
func (f Family) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// AppendText appends String's word to b.
func (f Family) AppendText(b []byte) ([]byte, error) { return append(b, f.String()...), nil }

// UnmarshalText reads String's word or a number.
func (f *Family) UnmarshalText(b []byte) error {
	return unmarshalEnum(f, b, "family", []Family{FamilyUnspec, FamilyIPv4, FamilyIPv6})
}

type enum interface {
	~uint8 | ~uint16 | ~uint32
	String() string
}

// unmarshalEnum reads the word of one of cands (or of the values below
// limit) or a number into *v.
func unmarshalEnum[T enum](v *T, b []byte, what string, cands []T, limit ...uint32) error {
	p := enumtext.Parser[T]{Cands: cands}
	if len(limit) > 0 {
		p.Limit = limit[0]
	}
	n, ok := p.Parse(b)
	if !ok {
		return fmt.Errorf("xfrm: %q is not a %s", b, what)
	}
	*v = n
	return nil
}

type flagWord struct {
	bit  uint32
	word string
}

func flagString(v uint32, words []flagWord) string {
	var parts []string
	for _, w := range words {
		if v&w.bit != 0 {
			parts = append(parts, w.word)
			v &^= w.bit
		}
	}
	if v != 0 {
		parts = append(parts, fmt.Sprintf("%x", v))
	}
	return strings.Join(parts, " ")
}

func flagParse(s string, words []flagWord, bits int, what string) (uint32, error) {
	var v uint32
next:
	for _, f := range strings.Fields(s) {
		for _, w := range words {
			if w.word == f {
				v |= w.bit
				continue next
			}
		}
		n, ok := enumtext.ParseNumber("0x"+strings.TrimPrefix(f, "0x"), bits)
		if !ok {
			return 0, fmt.Errorf("xfrm: %q is not one of the %s", f, what)
		}
		v |= uint32(n)
	}
	return v, nil
}
