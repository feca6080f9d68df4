package rtnl

import (
	"net/netip"
	"strings"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

var linkGreSpace = linkAttrSpace{map[uint16]string{
	iflaGreLink: "IFLA_GRE_LINK", iflaGreIFlags: "IFLA_GRE_IFLAGS", iflaGreOFlags: "IFLA_GRE_OFLAGS",
	iflaGreIKey: "IFLA_GRE_IKEY", iflaGreOKey: "IFLA_GRE_OKEY", iflaGreLocal: "IFLA_GRE_LOCAL",
	iflaGreRemote: "IFLA_GRE_REMOTE", iflaGreTTL: "IFLA_GRE_TTL", iflaGreTOS: "IFLA_GRE_TOS",
	iflaGrePMTUDisc: "IFLA_GRE_PMTUDISC", iflaGreEncapLimit: "IFLA_GRE_ENCAP_LIMIT", iflaGreFlowInfo: "IFLA_GRE_FLOWINFO",
	iflaGreFlags: "IFLA_GRE_FLAGS", iflaGreEncapType: "IFLA_GRE_ENCAP_TYPE", iflaGreEncapFlags: "IFLA_GRE_ENCAP_FLAGS",
	iflaGreEncapSport: "IFLA_GRE_ENCAP_SPORT", iflaGreEncapDport: "IFLA_GRE_ENCAP_DPORT",
	iflaGreCollectMetadata: "IFLA_GRE_COLLECT_METADATA", iflaGreIgnoreDF: "IFLA_GRE_IGNORE_DF",
	iflaGreFwmark: "IFLA_GRE_FWMARK", iflaGreErspanIndex: "IFLA_GRE_ERSPAN_INDEX", iflaGreErspanVer: "IFLA_GRE_ERSPAN_VER",
	iflaGreErspanDir: "IFLA_GRE_ERSPAN_DIR", iflaGreErspanHwid: "IFLA_GRE_ERSPAN_HWID",
}, "IFLA_GRE_"}

// GreFlags are the GRE header flags of a tunnel's direction
// (IFLA_GRE_IFLAGS, IFLA_GRE_OFLAGS: GRE_* of linux/if_tunnel.h, big-endian
// on the wire, here in host order).
type GreFlags uint16

// GRE flags (linux/if_tunnel.h).
const (
	GreCsum GreFlags = 0x8000 // GRE_CSUM: checksum present (iproute2 "[i|o]csum")
	GreKey  GreFlags = 0x2000 // GRE_KEY: key present ("[i|o]key")
	GreSeq  GreFlags = 0x1000 // GRE_SEQ: sequence number present ("[i|o]seq")
)

// IP6TunnelFlags are the flags of an IPv6 tunnel (IFLA_GRE_FLAGS of
// ip6gre, IFLA_IPTUN_FLAGS of ip6tnl: IP6_TNL_F_* of linux/ip6_tunnel.h).
type IP6TunnelFlags uint32

// IPv6 tunnel flags (linux/ip6_tunnel.h).
const (
	IP6TunnelIgnoreEncapLimit IP6TunnelFlags = 0x1  // IP6_TNL_F_IGN_ENCAP_LIMIT: no encapsulation limit option (iproute2 "encaplimit none")
	IP6TunnelUseOrigTClass    IP6TunnelFlags = 0x2  // IP6_TNL_F_USE_ORIG_TCLASS: traffic class copied from the inner packet ("tclass inherit")
	IP6TunnelUseOrigFlowLabel IP6TunnelFlags = 0x4  // IP6_TNL_F_USE_ORIG_FLOWLABEL: flow label copied ("flowlabel inherit")
	IP6TunnelMIP6Dev          IP6TunnelFlags = 0x8  // IP6_TNL_F_MIP6_DEV: mobile IPv6 device
	IP6TunnelRcvDscpCopy      IP6TunnelFlags = 0x10 // IP6_TNL_F_RCV_DSCP_COPY: outer DSCP copied in on receive ("dscp inherit")
	IP6TunnelUseOrigFwmark    IP6TunnelFlags = 0x20 // IP6_TNL_F_USE_ORIG_FWMARK: packet mark copied ("fwmark inherit")
	IP6TunnelAllowLocalRemote IP6TunnelFlags = 0x40 // IP6_TNL_F_ALLOW_LOCAL_REMOTE: remote may be a local address ("allow-localremote")
)

// The parts of an IPv6 flow information word (Gre.FlowInfo,
// IPTunnel.FlowInfo, in host order).
const (
	IP6TunnelFlowLabelMask uint32 = 0xfffff   // IP6_FLOWINFO_FLOWLABEL: the flow label
	IP6TunnelTClassMask    uint32 = 0xff00000 // IP6_FLOWINFO_TCLASS: the traffic class, shifted left by 20
)

// Gre is a GRE tunnel: kinds gre (IP in GRE over IPv4), gretap (Ethernet
// in GRE over IPv4), erspan (ERSPAN over IPv4), and ip6gre, ip6gretap,
// ip6erspan (the same over IPv6). The attributes are IFLA_GRE_*; see the
// conventions of the tunnel kinds at TunnelEncap's file: nil and invalid
// values are not sent, and a change sends the whole set.
type Gre struct {
	// Kind is the IFLA_INFO_KIND: "gre" (the default when empty),
	// "gretap", "erspan", "ip6gre", "ip6gretap" or "ip6erspan". The
	// kinds starting with "ip6" take IPv6 addresses.
	Kind string
	// Device is the index of the lower device (IFLA_GRE_LINK).
	Device *int32
	// IFlags and OFlags are the GRE flags expected on received packets
	// and set on sent ones (IFLA_GRE_IFLAGS, IFLA_GRE_OFLAGS).
	IFlags, OFlags *GreFlags
	// IKey and OKey are the keys of received and sent packets
	// (IFLA_GRE_IKEY, IFLA_GRE_OKEY, big-endian on the wire), used when
	// the flags have GreKey. iproute2 prints them as dotted quads.
	IKey, OKey *uint32
	// Local and Remote are the outer addresses (IFLA_GRE_LOCAL,
	// IFLA_GRE_REMOTE); the unspecified address means any.
	Local, Remote netip.Addr
	// TTL (hop limit for IPv6) of outer packets (IFLA_GRE_TTL); 0
	// inherits the inner packet's.
	TTL *uint8
	// TOS of outer IPv4 packets (IFLA_GRE_TOS); 1 inherits the inner
	// packet's.
	TOS *uint8
	// PMTUDisc sets the outer IPv4 don't-fragment bit, path MTU discovery
	// (IFLA_GRE_PMTUDISC).
	PMTUDisc *bool
	// EncapLimit is the IPv6 tunnel encapsulation limit
	// (IFLA_GRE_ENCAP_LIMIT).
	EncapLimit *uint8
	// FlowInfo is the IPv6 traffic class and flow label of outer packets
	// (IFLA_GRE_FLOWINFO, big-endian on the wire): IP6TunnelTClassMask
	// and IP6TunnelFlowLabelMask of the IPv6 header's first word.
	FlowInfo *uint32
	// Flags are the IPv6 tunnel's flags (IFLA_GRE_FLAGS).
	Flags *IP6TunnelFlags
	// Encap is the UDP encapsulation (IFLA_GRE_ENCAP_*).
	Encap TunnelEncap
	// External makes a tunnel whose parameters come with each packet
	// from its metadata (IFLA_GRE_COLLECT_METADATA, iproute2 "external").
	External bool
	// IgnoreDF sends IPv4 packets whatever their don't-fragment bit
	// (IFLA_GRE_IGNORE_DF).
	IgnoreDF *bool
	// Fwmark marks the outer packets for routing (IFLA_GRE_FWMARK).
	Fwmark *uint32
	// ErspanIndex is the ERSPAN version 1 session index, 20 bits
	// (IFLA_GRE_ERSPAN_INDEX).
	ErspanIndex *uint32
	// ErspanVersion is the ERSPAN version, 1 or 2 (IFLA_GRE_ERSPAN_VER).
	ErspanVersion *uint8
	// ErspanDir is the version 2 direction: 0 ingress, 1 egress
	// (IFLA_GRE_ERSPAN_DIR).
	ErspanDir *uint8
	// ErspanHwID is the version 2 hardware identifier
	// (IFLA_GRE_ERSPAN_HWID).
	ErspanHwID *uint16
}

// LinkKind returns g.Kind, "gre" if empty.
func (g *Gre) LinkKind() string {
	if g.Kind == "" {
		return "gre"
	}
	return g.Kind
}

// IPv6 reports whether the kind is one of the IPv6 ones.
func (g *Gre) IPv6() bool { return strings.HasPrefix(g.Kind, "ip6") }

func (g *Gre) appendInfoData(e *nlattr.Encoder, full bool) error {
	if *g == (Gre{Kind: g.Kind}) {
		return nil // nothing to say: no IFLA_INFO_DATA, as iproute2 without words
	}
	six := g.IPv6()
	e.Nest(unix.IFLA_INFO_DATA)
	if g.Device != nil {
		e.Uint32(iflaGreLink, uint32(*g.Device))
	}
	if g.IFlags != nil {
		e.Uint16BE(iflaGreIFlags, uint16(*g.IFlags))
	}
	if g.OFlags != nil {
		e.Uint16BE(iflaGreOFlags, uint16(*g.OFlags))
	}
	if g.IKey != nil {
		e.Uint32BE(iflaGreIKey, *g.IKey)
	}
	if g.OKey != nil {
		e.Uint32BE(iflaGreOKey, *g.OKey)
	}
	if err := tunnelAddr(e, iflaGreLocal, g.Local, six); err != nil {
		return err
	}
	if err := tunnelAddr(e, iflaGreRemote, g.Remote, six); err != nil {
		return err
	}
	putU8(e, iflaGreTTL, g.TTL)
	putU8(e, iflaGreTOS, g.TOS)
	putBool(e, iflaGrePMTUDisc, g.PMTUDisc)
	putU8(e, iflaGreEncapLimit, g.EncapLimit)
	if g.FlowInfo != nil {
		e.Uint32BE(iflaGreFlowInfo, *g.FlowInfo)
	}
	if g.Flags != nil {
		e.Uint32(iflaGreFlags, uint32(*g.Flags))
	}
	g.Encap.append(e, greEncapTypes)
	if g.External {
		e.Flag(iflaGreCollectMetadata)
	}
	putBool(e, iflaGreIgnoreDF, g.IgnoreDF)
	putU32(e, iflaGreFwmark, g.Fwmark)
	putU32(e, iflaGreErspanIndex, g.ErspanIndex)
	putU8(e, iflaGreErspanVer, g.ErspanVersion)
	putU8(e, iflaGreErspanDir, g.ErspanDir)
	if g.ErspanHwID != nil {
		e.Uint16(iflaGreErspanHwid, *g.ErspanHwID)
	}
	e.End()
	return nil
}

// putU8 appends a u8 attribute if v is not nil.
func putU8(e *nlattr.Encoder, typ uint16, v *uint8) {
	if v != nil {
		e.Uint8(typ, *v)
	}
}

// putU32 appends a u32 attribute if v is not nil.
func putU32(e *nlattr.Encoder, typ uint16, v *uint32) {
	if v != nil {
		e.Uint32(typ, *v)
	}
}

// putBool appends a u8 boolean attribute if v is not nil.
func putBool(e *nlattr.Encoder, typ uint16, v *bool) {
	if v != nil {
		e.Uint8(typ, linkBool(*v))
	}
}

// greValues holds what a decoded Gre's pointers point to, in one
// allocation.
type greValues struct {
	encap                                     tunnelEncapValues
	device                                    int32
	iflags, oflags                            GreFlags
	ikey, okey, flowInfo, fwmark, erspanIndex uint32
	flags                                     IP6TunnelFlags
	erspanHwID                                uint16
	ttl, tos, encapLimit, erspanVer, dir      uint8
	pmtudisc, ignoreDF                        bool
}

// decodeGre decodes the IFLA_INFO_DATA of a GRE kind.
func decodeGre(d *nlattr.Decoder, kind string) *Gre {
	g := &Gre{Kind: kind}
	six := g.IPv6()
	v := new(greValues)
	for d.Next() {
		if g.Encap.decode(d, greEncapTypes, &v.encap) {
			continue
		}
		switch d.Type() {
		case iflaGreLink:
			v.device, g.Device = d.Int32(), &v.device
		case iflaGreIFlags:
			v.iflags, g.IFlags = GreFlags(d.Uint16BE()), &v.iflags
		case iflaGreOFlags:
			v.oflags, g.OFlags = GreFlags(d.Uint16BE()), &v.oflags
		case iflaGreIKey:
			v.ikey, g.IKey = d.Uint32BE(), &v.ikey
		case iflaGreOKey:
			v.okey, g.OKey = d.Uint32BE(), &v.okey
		case iflaGreLocal:
			g.Local = tunnelAddrOf(d, six)
		case iflaGreRemote:
			g.Remote = tunnelAddrOf(d, six)
		case iflaGreTTL:
			v.ttl, g.TTL = d.Uint8(), &v.ttl
		case iflaGreTOS:
			v.tos, g.TOS = d.Uint8(), &v.tos
		case iflaGrePMTUDisc:
			v.pmtudisc, g.PMTUDisc = d.Uint8() != 0, &v.pmtudisc
		case iflaGreEncapLimit:
			v.encapLimit, g.EncapLimit = d.Uint8(), &v.encapLimit
		case iflaGreFlowInfo:
			v.flowInfo, g.FlowInfo = d.Uint32BE(), &v.flowInfo
		case iflaGreFlags:
			v.flags, g.Flags = IP6TunnelFlags(d.Uint32()), &v.flags
		case iflaGreCollectMetadata:
			g.External = tunnelFlag(d)
		case iflaGreIgnoreDF:
			v.ignoreDF, g.IgnoreDF = d.Uint8() != 0, &v.ignoreDF
		case iflaGreFwmark:
			v.fwmark, g.Fwmark = d.Uint32(), &v.fwmark
		case iflaGreErspanIndex:
			v.erspanIndex, g.ErspanIndex = d.Uint32(), &v.erspanIndex
		case iflaGreErspanVer:
			v.erspanVer, g.ErspanVersion = d.Uint8(), &v.erspanVer
		case iflaGreErspanDir:
			v.dir, g.ErspanDir = d.Uint8(), &v.dir
		case iflaGreErspanHwid:
			v.erspanHwID, g.ErspanHwID = d.Uint16(), &v.erspanHwID
		}
	}
	return g
}
