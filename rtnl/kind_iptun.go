package rtnl

import (
	"net/netip"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

var linkIptunSpace = linkAttrSpace{map[uint16]string{
	iflaIptunLink: "IFLA_IPTUN_LINK", iflaIptunLocal: "IFLA_IPTUN_LOCAL", iflaIptunRemote: "IFLA_IPTUN_REMOTE",
	iflaIptunTTL: "IFLA_IPTUN_TTL", iflaIptunTOS: "IFLA_IPTUN_TOS", iflaIptunEncapLimit: "IFLA_IPTUN_ENCAP_LIMIT",
	iflaIptunFlowInfo: "IFLA_IPTUN_FLOWINFO", iflaIptunFlags: "IFLA_IPTUN_FLAGS", iflaIptunProto: "IFLA_IPTUN_PROTO",
	iflaIptunPMTUDisc: "IFLA_IPTUN_PMTUDISC", iflaIptun6rdPrefix: "IFLA_IPTUN_6RD_PREFIX",
	iflaIptun6rdRelayPrefix: "IFLA_IPTUN_6RD_RELAY_PREFIX", iflaIptun6rdPrefixLen: "IFLA_IPTUN_6RD_PREFIXLEN",
	iflaIptun6rdRelayPrefixLen: "IFLA_IPTUN_6RD_RELAY_PREFIXLEN", iflaIptunEncapType: "IFLA_IPTUN_ENCAP_TYPE",
	iflaIptunEncapFlags: "IFLA_IPTUN_ENCAP_FLAGS", iflaIptunEncapSport: "IFLA_IPTUN_ENCAP_SPORT",
	iflaIptunEncapDport: "IFLA_IPTUN_ENCAP_DPORT", iflaIptunCollectMetadata: "IFLA_IPTUN_COLLECT_METADATA",
	iflaIptunFwmark: "IFLA_IPTUN_FWMARK",
}, "IFLA_IPTUN_"}

// SitISATAP is the sit tunnel flag of an ISATAP interface (SIT_ISATAP,
// IFLA_IPTUN_FLAGS of kind sit; iproute2 "isatap").
const SitISATAP uint32 = 0x1

// IPTunnel is an IP-in-IP tunnel: kinds ipip (IPv4 or MPLS over IPv4), sit
// (IPv6, and with Proto IPv4 or MPLS, over IPv4; 6rd, ISATAP) and ip6tnl
// (IPv4 or IPv6 over IPv6). The attributes are IFLA_IPTUN_*; see the
// conventions of the tunnel kinds at TunnelEncap's file: nil and invalid
// values are not sent, and a change sends the whole set.
type IPTunnel struct {
	// Kind is the IFLA_INFO_KIND: "ipip" (the default when empty), "sit"
	// or "ip6tnl", which takes IPv6 addresses.
	Kind string
	// Device is the index of the lower device (IFLA_IPTUN_LINK).
	Device *int32
	// Local and Remote are the outer addresses (IFLA_IPTUN_LOCAL,
	// IFLA_IPTUN_REMOTE).
	Local, Remote netip.Addr
	// TTL (hop limit for ip6tnl) of outer packets (IFLA_IPTUN_TTL); 0
	// inherits.
	TTL *uint8
	// TOS of outer IPv4 packets (IFLA_IPTUN_TOS); 1 inherits.
	TOS *uint8
	// EncapLimit is the IPv6 encapsulation limit (IFLA_IPTUN_ENCAP_LIMIT).
	EncapLimit *uint8
	// FlowInfo is the IPv6 traffic class and flow label
	// (IFLA_IPTUN_FLOWINFO, big-endian on the wire).
	FlowInfo *uint32
	// Flags (IFLA_IPTUN_FLAGS): IP6TunnelFlags for ip6tnl (32 bits on
	// the wire), SitISATAP for sit (16 bits on the wire).
	Flags *uint32
	// Proto is the inner protocol (IFLA_IPTUN_PROTO): IPPROTO_IPIP (4),
	// IPPROTO_IPV6 (41), IPPROTO_MPLS (137), or 0 for any.
	Proto *uint8
	// PMTUDisc sets the outer don't-fragment bit (IFLA_IPTUN_PMTUDISC).
	PMTUDisc *bool
	// SixRDPrefix and SixRDPrefixLen are sit's 6rd IPv6 prefix
	// (IFLA_IPTUN_6RD_PREFIX, IFLA_IPTUN_6RD_PREFIXLEN).
	SixRDPrefix    netip.Addr
	SixRDPrefixLen *uint16
	// SixRDRelayPrefix and SixRDRelayPrefixLen are sit's 6rd IPv4 relay
	// prefix (IFLA_IPTUN_6RD_RELAY_PREFIX, _RELAY_PREFIXLEN).
	SixRDRelayPrefix    netip.Addr
	SixRDRelayPrefixLen *uint16
	// Encap is the UDP encapsulation (IFLA_IPTUN_ENCAP_*).
	Encap TunnelEncap
	// External makes a metadata-based tunnel
	// (IFLA_IPTUN_COLLECT_METADATA, iproute2 "external").
	External bool
	// Fwmark marks the outer packets (IFLA_IPTUN_FWMARK).
	Fwmark *uint32
}

// LinkKind returns t.Kind, "ipip" if empty.
func (t *IPTunnel) LinkKind() string {
	if t.Kind == "" {
		return "ipip"
	}
	return t.Kind
}

// IPv6 reports whether the kind is ip6tnl, whose addresses are IPv6.
func (t *IPTunnel) IPv6() bool { return t.Kind == "ip6tnl" }

func (t *IPTunnel) appendInfoData(e *nlattr.Encoder, full bool) error {
	if *t == (IPTunnel{Kind: t.Kind}) {
		return nil // nothing to say: no IFLA_INFO_DATA, as iproute2 without words
	}
	six := t.IPv6()
	e.Nest(unix.IFLA_INFO_DATA)
	if t.Device != nil {
		e.Uint32(iflaIptunLink, uint32(*t.Device))
	}
	if err := tunnelAddr(e, iflaIptunLocal, t.Local, six); err != nil {
		return err
	}
	if err := tunnelAddr(e, iflaIptunRemote, t.Remote, six); err != nil {
		return err
	}
	putU8(e, iflaIptunTTL, t.TTL)
	putU8(e, iflaIptunTOS, t.TOS)
	putU8(e, iflaIptunEncapLimit, t.EncapLimit)
	if t.FlowInfo != nil {
		e.Uint32BE(iflaIptunFlowInfo, *t.FlowInfo)
	}
	if t.Flags != nil {
		if six {
			e.Uint32(iflaIptunFlags, *t.Flags)
		} else {
			e.Uint16(iflaIptunFlags, uint16(*t.Flags))
		}
	}
	putU8(e, iflaIptunProto, t.Proto)
	putBool(e, iflaIptunPMTUDisc, t.PMTUDisc)
	if err := tunnelAddr(e, iflaIptun6rdPrefix, t.SixRDPrefix, true); err != nil {
		return err
	}
	if err := tunnelAddr(e, iflaIptun6rdRelayPrefix, t.SixRDRelayPrefix, false); err != nil {
		return err
	}
	if t.SixRDPrefixLen != nil {
		e.Uint16(iflaIptun6rdPrefixLen, *t.SixRDPrefixLen)
	}
	if t.SixRDRelayPrefixLen != nil {
		e.Uint16(iflaIptun6rdRelayPrefixLen, *t.SixRDRelayPrefixLen)
	}
	t.Encap.append(e, iptunEncapTypes)
	if t.External {
		e.Flag(iflaIptunCollectMetadata)
	}
	putU32(e, iflaIptunFwmark, t.Fwmark)
	e.End()
	return nil
}

// iptunValues holds what a decoded IPTunnel's pointers point to.
type iptunValues struct {
	encap                       tunnelEncapValues
	device                      int32
	flowInfo, flags, fwmark     uint32
	prefixLen, relayPrefixLen   uint16
	ttl, tos, encapLimit, proto uint8
	pmtudisc                    bool
}

// decodeIPTunnel decodes the IFLA_INFO_DATA of ipip, sit or ip6tnl.
func decodeIPTunnel(d *nlattr.Decoder, kind string) *IPTunnel {
	t := &IPTunnel{Kind: kind}
	six := t.IPv6()
	v := new(iptunValues)
	for d.Next() {
		if t.Encap.decode(d, iptunEncapTypes, &v.encap) {
			continue
		}
		switch d.Type() {
		case iflaIptunLink:
			v.device, t.Device = d.Int32(), &v.device
		case iflaIptunLocal:
			t.Local = tunnelAddrOf(d, six)
		case iflaIptunRemote:
			t.Remote = tunnelAddrOf(d, six)
		case iflaIptunTTL:
			v.ttl, t.TTL = d.Uint8(), &v.ttl
		case iflaIptunTOS:
			v.tos, t.TOS = d.Uint8(), &v.tos
		case iflaIptunEncapLimit:
			v.encapLimit, t.EncapLimit = d.Uint8(), &v.encapLimit
		case iflaIptunFlowInfo:
			v.flowInfo, t.FlowInfo = d.Uint32BE(), &v.flowInfo
		case iflaIptunFlags:
			if six {
				v.flags = d.Uint32()
			} else {
				v.flags = uint32(d.Uint16())
			}
			t.Flags = &v.flags
		case iflaIptunProto:
			v.proto, t.Proto = d.Uint8(), &v.proto
		case iflaIptunPMTUDisc:
			v.pmtudisc, t.PMTUDisc = d.Uint8() != 0, &v.pmtudisc
		case iflaIptun6rdPrefix:
			t.SixRDPrefix = tunnelAddrOf(d, true)
		case iflaIptun6rdRelayPrefix:
			t.SixRDRelayPrefix = tunnelAddrOf(d, false)
		case iflaIptun6rdPrefixLen:
			v.prefixLen, t.SixRDPrefixLen = d.Uint16(), &v.prefixLen
		case iflaIptun6rdRelayPrefixLen:
			v.relayPrefixLen, t.SixRDRelayPrefixLen = d.Uint16(), &v.relayPrefixLen
		case iflaIptunCollectMetadata:
			t.External = tunnelFlag(d)
		case iflaIptunFwmark:
			v.fwmark, t.Fwmark = d.Uint32(), &v.fwmark
		}
	}
	return t
}
