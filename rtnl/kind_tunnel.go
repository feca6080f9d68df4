package rtnl

import (
	"errors"
	"net/netip"
	"strconv"

	"github.com/nlkit/nlkit/nlattr"
)

// The IP tunnel kinds (gre, gretap, erspan, ip6gre, ip6gretap, ip6erspan,
// ipip, sit, ip6tnl, vti, vti6, xfrm) share these conventions:
//
//   - Their settings map one to one to the attributes of IFLA_INFO_DATA: a
//     nil pointer or an invalid netip.Addr is an attribute not sent (and
//     not reported), anything else is sent as it is, zero included. What
//     AddLink sends is exactly what the struct holds, so a request can be
//     the one iproute2 sends for the same command.
//   - The kernel takes a tunnel's parameters as a whole: on a change
//     , a parameter that is not sent is
//     reset to its default, not kept. Read the link first, change its
//     decoded settings and send them all back (SetLink with
//     LinkChange.Info), as iproute2's "ip link set ... type gre" does.
//   - Addresses are IPv4 for the IPv4 kinds and IPv6 for the IPv6 ones;
//     encoding refuses the other family, decoding refuses the other
//     length.

// Attribute types of linux/if_tunnel.h (enum IFLA_GRE_*, IFLA_IPTUN_*,
// IFLA_VTI_*); golang.org/x/sys/unix has no names for them.
const (
	iflaGreLink            = 1
	iflaGreIFlags          = 2
	iflaGreOFlags          = 3
	iflaGreIKey            = 4
	iflaGreOKey            = 5
	iflaGreLocal           = 6
	iflaGreRemote          = 7
	iflaGreTTL             = 8
	iflaGreTOS             = 9
	iflaGrePMTUDisc        = 10
	iflaGreEncapLimit      = 11
	iflaGreFlowInfo        = 12
	iflaGreFlags           = 13
	iflaGreEncapType       = 14
	iflaGreEncapFlags      = 15
	iflaGreEncapSport      = 16
	iflaGreEncapDport      = 17
	iflaGreCollectMetadata = 18
	iflaGreIgnoreDF        = 19
	iflaGreFwmark          = 20
	iflaGreErspanIndex     = 21
	iflaGreErspanVer       = 22
	iflaGreErspanDir       = 23
	iflaGreErspanHwid      = 24

	iflaIptunLink              = 1
	iflaIptunLocal             = 2
	iflaIptunRemote            = 3
	iflaIptunTTL               = 4
	iflaIptunTOS               = 5
	iflaIptunEncapLimit        = 6
	iflaIptunFlowInfo          = 7
	iflaIptunFlags             = 8
	iflaIptunProto             = 9
	iflaIptunPMTUDisc          = 10
	iflaIptun6rdPrefix         = 11
	iflaIptun6rdRelayPrefix    = 12
	iflaIptun6rdPrefixLen      = 13
	iflaIptun6rdRelayPrefixLen = 14
	iflaIptunEncapType         = 15
	iflaIptunEncapFlags        = 16
	iflaIptunEncapSport        = 17
	iflaIptunEncapDport        = 18
	iflaIptunCollectMetadata   = 19
	iflaIptunFwmark            = 20

	iflaVtiLink   = 1
	iflaVtiIKey   = 2
	iflaVtiOKey   = 3
	iflaVtiLocal  = 4
	iflaVtiRemote = 5
	iflaVtiFwmark = 6

	// IFLA_XFRM_* (linux/if_link.h).
	iflaXfrmLink            = 1
	iflaXfrmIfID            = 2
	iflaXfrmCollectMetadata = 3
)

// TunnelEncapType is how a tunnel's packets are wrapped in UDP
// (IFLA_GRE_ENCAP_TYPE, IFLA_IPTUN_ENCAP_TYPE; enum tunnel_encap_types).
type TunnelEncapType uint16

// Encapsulations (linux/if_tunnel.h).
const (
	TunnelEncapNone TunnelEncapType = 0 // TUNNEL_ENCAP_NONE: not in UDP
	TunnelEncapFOU  TunnelEncapType = 1 // TUNNEL_ENCAP_FOU: foo over UDP
	TunnelEncapGUE  TunnelEncapType = 2 // TUNNEL_ENCAP_GUE: generic UDP encapsulation
)

// String gives iproute2's words: none, fou, gue; other values as numbers.
func (t TunnelEncapType) String() string {
	switch t {
	case TunnelEncapNone:
		return "none"
	case TunnelEncapFOU:
		return "fou"
	case TunnelEncapGUE:
		return "gue"
	}
	return strconv.Itoa(int(t))
}

// TunnelEncapFlags are the UDP encapsulation's options
// (TUNNEL_ENCAP_FLAG_*).
type TunnelEncapFlags uint16

// Encapsulation flags (linux/if_tunnel.h).
const (
	TunnelEncapCsum    TunnelEncapFlags = 1 << 0 // TUNNEL_ENCAP_FLAG_CSUM: UDP checksum over IPv4 (iproute2 "encap-csum")
	TunnelEncapCsum6   TunnelEncapFlags = 1 << 1 // TUNNEL_ENCAP_FLAG_CSUM6: UDP checksum over IPv6 ("encap-udp6-csum")
	TunnelEncapRemCsum TunnelEncapFlags = 1 << 2 // TUNNEL_ENCAP_FLAG_REMCSUM: remote checksum offload ("encap-remcsum")
)

// TunnelEncap is a tunnel's UDP encapsulation: the four attributes
// IFLA_*_ENCAP_TYPE, _FLAGS, _SPORT and _DPORT, each nil when not sent.
type TunnelEncap struct {
	// Type of encapsulation.
	Type *TunnelEncapType
	// Flags of the encapsulation.
	Flags *TunnelEncapFlags
	// SrcPort is the UDP source port (big-endian on the wire); 0 lets the
	// kernel choose (iproute2 "encap-sport auto").
	SrcPort *uint16
	// DstPort is the UDP destination port (big-endian on the wire).
	DstPort *uint16
}

// encapTypes are the attribute types of one family's encapsulation:
// type, flags, source port, destination port.
type encapTypes [4]uint16

var (
	greEncapTypes   = encapTypes{iflaGreEncapType, iflaGreEncapFlags, iflaGreEncapSport, iflaGreEncapDport}
	iptunEncapTypes = encapTypes{iflaIptunEncapType, iflaIptunEncapFlags, iflaIptunEncapSport, iflaIptunEncapDport}
)

func (t *TunnelEncap) append(e *nlattr.Encoder, types encapTypes) {
	if t.Type != nil {
		e.Uint16(types[0], uint16(*t.Type))
	}
	if t.Flags != nil {
		e.Uint16(types[1], uint16(*t.Flags))
	}
	if t.SrcPort != nil {
		e.Uint16BE(types[2], *t.SrcPort)
	}
	if t.DstPort != nil {
		e.Uint16BE(types[3], *t.DstPort)
	}
}

// tunnelEncapValues is what a decoded TunnelEncap's pointers point to.
type tunnelEncapValues struct {
	typ          TunnelEncapType
	flags        TunnelEncapFlags
	sport, dport uint16
}

// decode reads the current attribute of d if it is one of types into t,
// reporting whether it was.
func (t *TunnelEncap) decode(d *nlattr.Decoder, types encapTypes, v *tunnelEncapValues) bool {
	switch d.Type() {
	case types[0]:
		v.typ, t.Type = TunnelEncapType(d.Uint16()), &v.typ
	case types[1]:
		v.flags, t.Flags = TunnelEncapFlags(d.Uint16()), &v.flags
	case types[2]:
		v.sport, t.SrcPort = d.Uint16BE(), &v.sport
	case types[3]:
		v.dport, t.DstPort = d.Uint16BE(), &v.dport
	default:
		return false
	}
	return true
}

// errTunnelFamily is the error of an address of the wrong family for the
// tunnel's kind.
var errTunnelFamily = errors.New("address family does not match the tunnel kind")

// tunnelAddr appends an address attribute if a is valid, checking that it
// is IPv6 when six is set and IPv4 otherwise.
func tunnelAddr(e *nlattr.Encoder, typ uint16, a netip.Addr, six bool) error {
	if !a.IsValid() {
		return nil
	}
	if a.Is6() != six {
		return &nlattr.Error{Type: typ, Err: errTunnelFamily}
	}
	e.Addr(typ, a)
	return nil
}

// tunnelAddrOf decodes the current attribute as an IPv6 address if six,
// an IPv4 one otherwise, recording ErrBadLength for another length.
func tunnelAddrOf(d *nlattr.Decoder, six bool) netip.Addr {
	n := 4
	if six {
		n = 16
	}
	return vxlanAddr(d, n)
}

// tunnelFlag decodes a flag attribute, which carries no payload.
func tunnelFlag(d *nlattr.Decoder) bool {
	if d.Len() != 0 {
		d.Fail(nlattr.ErrBadLength)
		return false
	}
	return true
}

// decodeTunnelData decodes the IFLA_INFO_DATA of a tunnel kind; nil for
// another kind.
func decodeTunnelData(kind string, d *nlattr.Decoder) LinkInfo {
	switch kind {
	case "gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan":
		return decodeGre(d, kind)
	case "ipip", "sit", "ip6tnl":
		return decodeIPTunnel(d, kind)
	case "vti", "vti6":
		return decodeVti(d, kind)
	case "xfrm":
		return decodeXfrm(d)
	}
	return nil
}

// tunnelKindSpace names the IFLA_INFO_DATA attributes of a tunnel kind.
func tunnelKindSpace(kind string) (linkAttrSpace, bool) {
	switch kind {
	case "gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan":
		return linkGreSpace, true
	case "ipip", "sit", "ip6tnl":
		return linkIptunSpace, true
	case "vti", "vti6":
		return linkVtiSpace, true
	case "xfrm":
		return linkXfrmSpace, true
	}
	return linkAttrSpace{}, false
}
