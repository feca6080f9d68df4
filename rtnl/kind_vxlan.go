package rtnl

import (
	"encoding/binary"
	"net/netip"
	"strconv"
	"time"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

var linkVxlanSpace = linkAttrSpace{map[uint16]string{
	unix.IFLA_VXLAN_ID: "IFLA_VXLAN_ID", unix.IFLA_VXLAN_GROUP: "IFLA_VXLAN_GROUP",
	unix.IFLA_VXLAN_GROUP6: "IFLA_VXLAN_GROUP6", unix.IFLA_VXLAN_LINK: "IFLA_VXLAN_LINK",
	unix.IFLA_VXLAN_LOCAL: "IFLA_VXLAN_LOCAL", unix.IFLA_VXLAN_LOCAL6: "IFLA_VXLAN_LOCAL6",
	unix.IFLA_VXLAN_TTL: "IFLA_VXLAN_TTL", unix.IFLA_VXLAN_TOS: "IFLA_VXLAN_TOS",
	unix.IFLA_VXLAN_LEARNING: "IFLA_VXLAN_LEARNING", unix.IFLA_VXLAN_PORT: "IFLA_VXLAN_PORT",
	unix.IFLA_VXLAN_PORT_RANGE: "IFLA_VXLAN_PORT_RANGE", unix.IFLA_VXLAN_DF: "IFLA_VXLAN_DF",
	unix.IFLA_VXLAN_AGEING: "IFLA_VXLAN_AGEING", unix.IFLA_VXLAN_UDP_CSUM: "IFLA_VXLAN_UDP_CSUM",
	unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX: "IFLA_VXLAN_UDP_ZERO_CSUM6_TX", unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX: "IFLA_VXLAN_UDP_ZERO_CSUM6_RX",
	unix.IFLA_VXLAN_PROXY: "IFLA_VXLAN_PROXY", unix.IFLA_VXLAN_RSC: "IFLA_VXLAN_RSC",
	unix.IFLA_VXLAN_L2MISS: "IFLA_VXLAN_L2MISS", unix.IFLA_VXLAN_L3MISS: "IFLA_VXLAN_L3MISS",
	unix.IFLA_VXLAN_LIMIT: "IFLA_VXLAN_LIMIT", unix.IFLA_VXLAN_COLLECT_METADATA: "IFLA_VXLAN_COLLECT_METADATA",
	unix.IFLA_VXLAN_REMCSUM_TX: "IFLA_VXLAN_REMCSUM_TX", unix.IFLA_VXLAN_REMCSUM_RX: "IFLA_VXLAN_REMCSUM_RX",
	unix.IFLA_VXLAN_REMCSUM_NOPARTIAL: "IFLA_VXLAN_REMCSUM_NOPARTIAL", unix.IFLA_VXLAN_GBP: "IFLA_VXLAN_GBP",
	unix.IFLA_VXLAN_GPE: "IFLA_VXLAN_GPE", unix.IFLA_VXLAN_TTL_INHERIT: "IFLA_VXLAN_TTL_INHERIT",
	unix.IFLA_VXLAN_LABEL: "IFLA_VXLAN_LABEL", unix.IFLA_VXLAN_VNIFILTER: "IFLA_VXLAN_VNIFILTER",
	unix.IFLA_VXLAN_LOCALBYPASS: "IFLA_VXLAN_LOCALBYPASS",
}, "IFLA_VXLAN_"}

// VxlanDF says how a VXLAN link sets the don't-fragment bit of outer IPv4
// headers (IFLA_VXLAN_DF, enum ifla_vxlan_df).
type VxlanDF uint8

// Don't-fragment policies (linux/if_link.h).
const (
	VxlanDFUnset   VxlanDF = 0 // VXLAN_DF_UNSET: not set
	VxlanDFSet     VxlanDF = 1 // VXLAN_DF_SET: always set
	VxlanDFInherit VxlanDF = 2 // VXLAN_DF_INHERIT: copied from the inner IPv4 header
)

// String gives iproute2's words: unset, set, inherit; other values as
// numbers.
func (df VxlanDF) String() string {
	switch df {
	case VxlanDFUnset:
		return "unset"
	case VxlanDFSet:
		return "set"
	case VxlanDFInherit:
		return "inherit"
	}
	return strconv.Itoa(int(df))
}

// Vxlan is a VXLAN tunnel endpoint (kind "vxlan", RFC 7348): Ethernet
// frames carried in UDP.
type Vxlan struct {
	// VNI is the VXLAN network identifier (IFLA_VXLAN_ID), 24 bits. 0 is
	// not sent: the kernel's default for a new link (an External one
	// takes none), and in SetLink "unchanged" (the kernel refuses to
	// change a VNI).
	VNI uint32
	// Remote is the unicast peer or the multicast group frames are sent
	// to (IFLA_VXLAN_GROUP for IPv4, IFLA_VXLAN_GROUP6 for IPv6); the
	// zero Addr for none. A multicast group needs Device.
	Remote netip.Addr
	// Local is the source address (IFLA_VXLAN_LOCAL, IFLA_VXLAN_LOCAL6);
	// the zero Addr for none.
	Local netip.Addr
	// Device is the index of the lower device (IFLA_VXLAN_LINK); 0 for
	// none.
	Device int32
	// Port is the UDP destination port (IFLA_VXLAN_PORT, big-endian on
	// the wire); 0 means unset (the kernel default is 8472; IANA's is
	// 4789).
	Port uint16
	// TTL of outer packets (IFLA_VXLAN_TTL); 0 means unset (inherit from
	// the route).
	TTL uint8
	// TOS of outer packets (IFLA_VXLAN_TOS); 0 means unset.
	TOS uint8
	// Learning of remote MAC addresses into the forwarding database
	// (IFLA_VXLAN_LEARNING); nil means unset (the kernel default is on).
	Learning *bool
	// SrcPorts is the range of UDP source ports (IFLA_VXLAN_PORT_RANGE,
	// big-endian on the wire; iproute2 "srcport LOW HIGH"); nil means
	// unset. The kernel reports {0 0} for "the local port range".
	SrcPorts *PortRange
	// DF is the don't-fragment policy (IFLA_VXLAN_DF); nil means unset.
	DF *VxlanDF
	// Ageing is how long learned forwarding entries are kept
	// (IFLA_VXLAN_AGEING, whole seconds); nil means unset (the kernel
	// default is 300s).
	Ageing *time.Duration
	// UDPChecksum turns on UDP checksums of outer IPv4 packets
	// (IFLA_VXLAN_UDP_CSUM, iproute2 "[no]udpcsum"); nil means unset (on).
	UDPChecksum *bool
	// UDP6ZeroChecksumTx and UDP6ZeroChecksumRx send and accept zero UDP
	// checksums over IPv6 (IFLA_VXLAN_UDP_ZERO_CSUM6_TX, _RX; iproute2
	// "[no]udp6zerocsumtx", "[no]udp6zerocsumrx"); nil means unset (off).
	UDP6ZeroChecksumTx, UDP6ZeroChecksumRx *bool

	// Proxy answers ARP and neighbour solicitations from the forwarding
	// database (IFLA_VXLAN_PROXY, iproute2 "[no]proxy"); nil means unset
	// (off).
	Proxy *bool
	// RSC turns on route short-circuiting (IFLA_VXLAN_RSC, iproute2
	// "[no]rsc"); nil means unset (off).
	RSC *bool
	// L2Miss and L3Miss send netlink notifications (RTM_GETNEIGH) when a
	// destination's link-layer address, or an IP address's neighbour
	// entry, is missing (IFLA_VXLAN_L2MISS, IFLA_VXLAN_L3MISS; iproute2
	// "[no]l2miss", "[no]l3miss"); nil means unset (off).
	L2Miss, L3Miss *bool
	// Limit is the maximum number of forwarding entries
	// (IFLA_VXLAN_LIMIT, iproute2 "maxaddress"); nil means unset, 0
	// unlimited.
	Limit *uint32
	// External makes the link a metadata-based ("collect metadata")
	// endpoint, whose VNI and remote come with each packet from a
	// lightweight tunnel or BPF (IFLA_VXLAN_COLLECT_METADATA, iproute2
	// "external" / "noexternal"); nil means unset (off). iproute2 sends
	// Learning off with it.
	External *bool
	// RemoteChecksumTx and RemoteChecksumRx turn on remote checksum
	// offload (IFLA_VXLAN_REMCSUM_TX, _RX; iproute2 "[no]remcsumtx",
	// "[no]remcsumrx"); nil means unset (off).
	RemoteChecksumTx, RemoteChecksumRx *bool
	// RemoteChecksumNoPartial is IFLA_VXLAN_REMCSUM_NOPARTIAL, a flag:
	// remote checksum offload without partial checksums.
	RemoteChecksumNoPartial bool
	// GBP turns on the Group Based Policy extension (IFLA_VXLAN_GBP, a
	// flag; iproute2 "gbp").
	GBP bool
	// GPE turns on the Generic Protocol Extension (IFLA_VXLAN_GPE, a
	// flag; iproute2 "gpe"), which carries other than Ethernet frames.
	GPE bool
	// TTLInherit copies the TTL of outer packets from the inner ones
	// (IFLA_VXLAN_TTL_INHERIT, iproute2 "ttl inherit"): sent as a flag,
	// reported by the kernel as a u8.
	TTLInherit bool
	// FlowLabel is the IPv6 flow label of outer packets
	// (IFLA_VXLAN_LABEL, 20 bits, big-endian on the wire; iproute2
	// "flowlabel"); nil means unset (0). Only IPv6 vxlans take it.
	FlowLabel *uint32
	// VNIFilter makes an External link filter by VNI (IFLA_VXLAN_VNIFILTER,
	// iproute2 "vnifilter"); nil means unset (off).
	VNIFilter *bool
	// LocalBypass delivers packets to a local VNI directly
	// (IFLA_VXLAN_LOCALBYPASS, Linux 6.7; iproute2 "[no]localbypass");
	// nil means unset (the kernel default is on).
	LocalBypass *bool
}

// LinkKind returns "vxlan".
func (*Vxlan) LinkKind() string { return "vxlan" }

func (v *Vxlan) appendInfoData(e *nlattr.Encoder, full bool) error {
	e.Nest(unix.IFLA_INFO_DATA)
	if v.VNI != 0 || full {
		e.Uint32(unix.IFLA_VXLAN_ID, v.VNI)
	}
	switch {
	case v.Remote.Is4():
		e.Addr(unix.IFLA_VXLAN_GROUP, v.Remote)
	case v.Remote.Is6():
		e.Addr(unix.IFLA_VXLAN_GROUP6, v.Remote)
	}
	switch {
	case v.Local.Is4():
		e.Addr(unix.IFLA_VXLAN_LOCAL, v.Local)
	case v.Local.Is6():
		e.Addr(unix.IFLA_VXLAN_LOCAL6, v.Local)
	}
	if v.Device != 0 {
		e.Uint32(unix.IFLA_VXLAN_LINK, uint32(v.Device))
	}
	if v.Port != 0 {
		e.Uint16BE(unix.IFLA_VXLAN_PORT, v.Port)
	}
	if v.TTL != 0 {
		e.Uint8(unix.IFLA_VXLAN_TTL, v.TTL)
	}
	if v.TOS != 0 {
		e.Uint8(unix.IFLA_VXLAN_TOS, v.TOS)
	}
	if v.Learning != nil {
		e.Uint8(unix.IFLA_VXLAN_LEARNING, linkBool(*v.Learning))
	}
	if v.SrcPorts != nil {
		var p [4]byte
		binary.BigEndian.PutUint16(p[0:], v.SrcPorts.Start)
		binary.BigEndian.PutUint16(p[2:], v.SrcPorts.End)
		e.Bytes(unix.IFLA_VXLAN_PORT_RANGE, p[:])
	}
	if v.DF != nil {
		e.Uint8(unix.IFLA_VXLAN_DF, uint8(*v.DF))
	}
	if v.Ageing != nil {
		e.Uint32(unix.IFLA_VXLAN_AGEING, uint32(*v.Ageing/time.Second))
	}
	for _, f := range [...]struct {
		typ uint16
		v   *bool
	}{{unix.IFLA_VXLAN_UDP_CSUM, v.UDPChecksum}, {unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX, v.UDP6ZeroChecksumTx},
		{unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX, v.UDP6ZeroChecksumRx}} {
		if f.v != nil {
			e.Uint8(f.typ, linkBool(*f.v))
		}
	}
	for _, f := range v.bools() {
		if *f.v != nil {
			e.Uint8(f.typ, linkBool(**f.v))
		}
	}
	if v.Limit != nil {
		e.Uint32(unix.IFLA_VXLAN_LIMIT, *v.Limit)
	}
	if v.LocalBypass != nil {
		e.Uint8(unix.IFLA_VXLAN_LOCALBYPASS, linkBool(*v.LocalBypass))
	}
	if v.FlowLabel != nil {
		e.Uint32BE(unix.IFLA_VXLAN_LABEL, *v.FlowLabel)
	}
	for _, f := range [...]struct {
		typ uint16
		on  bool
	}{{unix.IFLA_VXLAN_REMCSUM_NOPARTIAL, v.RemoteChecksumNoPartial}, {unix.IFLA_VXLAN_GBP, v.GBP},
		{unix.IFLA_VXLAN_GPE, v.GPE}, {unix.IFLA_VXLAN_TTL_INHERIT, v.TTLInherit}} {
		if f.on {
			e.Flag(f.typ)
		}
	}
	e.End()
	return nil
}

// vxlanBool is a u8 boolean attribute of a Vxlan and its field.
type vxlanBool struct {
	typ uint16
	v   **bool
}

// bools lists the u8 boolean attributes added after the checksums, with
// their fields.
func (v *Vxlan) bools() [8]vxlanBool {
	return [8]vxlanBool{
		{unix.IFLA_VXLAN_PROXY, &v.Proxy}, {unix.IFLA_VXLAN_RSC, &v.RSC},
		{unix.IFLA_VXLAN_L2MISS, &v.L2Miss}, {unix.IFLA_VXLAN_L3MISS, &v.L3Miss},
		{unix.IFLA_VXLAN_COLLECT_METADATA, &v.External}, {unix.IFLA_VXLAN_REMCSUM_TX, &v.RemoteChecksumTx},
		{unix.IFLA_VXLAN_REMCSUM_RX, &v.RemoteChecksumRx}, {unix.IFLA_VXLAN_VNIFILTER, &v.VNIFilter},
	}
}

// vxlanAddr returns the current attribute as an address of exactly n
// bytes (4 or 16), recording ErrBadLength otherwise.
func vxlanAddr(d *nlattr.Decoder, n int) netip.Addr {
	if d.Len() != n {
		d.Fail(nlattr.ErrBadLength)
		return netip.Addr{}
	}
	return d.Addr()
}

// linkVxlanValues holds what a decoded Vxlan's pointers point to, in one
// allocation.
type linkVxlanValues struct {
	ports                          PortRange
	ageing                         time.Duration
	limit, label                   uint32
	df                             VxlanDF
	learning, csum, zeroTx, zeroRx bool
	bools                          [8]bool // in the order of Vxlan.bools
	localBypass                    bool
}

// decodeVxlan decodes vxlan IFLA_INFO_DATA.
func decodeVxlan(d *nlattr.Decoder) *Vxlan {
	v := new(Vxlan)
	x := new(linkVxlanValues)
	bools := v.bools()
	for d.Next() {
		if i := vxlanBoolIndex(d.Type()); i >= 0 {
			x.bools[i] = d.Uint8() != 0
			*bools[i].v = &x.bools[i]
			continue
		}
		switch d.Type() {
		case unix.IFLA_VXLAN_ID:
			v.VNI = d.Uint32()
		case unix.IFLA_VXLAN_GROUP:
			v.Remote = vxlanAddr(d, 4)
		case unix.IFLA_VXLAN_GROUP6:
			v.Remote = vxlanAddr(d, 16)
		case unix.IFLA_VXLAN_LOCAL:
			v.Local = vxlanAddr(d, 4)
		case unix.IFLA_VXLAN_LOCAL6:
			v.Local = vxlanAddr(d, 16)
		case unix.IFLA_VXLAN_LINK:
			v.Device = d.Int32()
		case unix.IFLA_VXLAN_PORT:
			v.Port = d.Uint16BE()
		case unix.IFLA_VXLAN_TTL:
			v.TTL = d.Uint8()
		case unix.IFLA_VXLAN_TOS:
			v.TOS = d.Uint8()
		case unix.IFLA_VXLAN_LEARNING:
			x.learning, v.Learning = d.Uint8() != 0, &x.learning
		case unix.IFLA_VXLAN_PORT_RANGE:
			if d.Len() != 4 {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			p := d.Bytes()
			x.ports = PortRange{Start: binary.BigEndian.Uint16(p), End: binary.BigEndian.Uint16(p[2:])}
			v.SrcPorts = &x.ports
		case unix.IFLA_VXLAN_DF:
			x.df, v.DF = VxlanDF(d.Uint8()), &x.df
		case unix.IFLA_VXLAN_AGEING:
			x.ageing, v.Ageing = time.Duration(d.Uint32())*time.Second, &x.ageing
		case unix.IFLA_VXLAN_UDP_CSUM:
			x.csum, v.UDPChecksum = d.Uint8() != 0, &x.csum
		case unix.IFLA_VXLAN_UDP_ZERO_CSUM6_TX:
			x.zeroTx, v.UDP6ZeroChecksumTx = d.Uint8() != 0, &x.zeroTx
		case unix.IFLA_VXLAN_UDP_ZERO_CSUM6_RX:
			x.zeroRx, v.UDP6ZeroChecksumRx = d.Uint8() != 0, &x.zeroRx
		case unix.IFLA_VXLAN_LIMIT:
			x.limit, v.Limit = d.Uint32(), &x.limit
		case unix.IFLA_VXLAN_LABEL:
			x.label, v.FlowLabel = d.Uint32BE(), &x.label
		case unix.IFLA_VXLAN_LOCALBYPASS:
			x.localBypass, v.LocalBypass = d.Uint8() != 0, &x.localBypass
		case unix.IFLA_VXLAN_REMCSUM_NOPARTIAL:
			v.RemoteChecksumNoPartial = true
		case unix.IFLA_VXLAN_GBP:
			v.GBP = true
		case unix.IFLA_VXLAN_GPE:
			v.GPE = true
		case unix.IFLA_VXLAN_TTL_INHERIT:
			// A flag in requests, a u8 in the kernel's reports.
			v.TTLInherit = d.Len() == 0 || d.Uint8() != 0
		}
	}
	return v
}

// vxlanBoolIndex returns the index in Vxlan.bools of a u8 boolean
// attribute, -1 for another.
func vxlanBoolIndex(typ uint16) int {
	switch typ {
	case unix.IFLA_VXLAN_PROXY:
		return 0
	case unix.IFLA_VXLAN_RSC:
		return 1
	case unix.IFLA_VXLAN_L2MISS:
		return 2
	case unix.IFLA_VXLAN_L3MISS:
		return 3
	case unix.IFLA_VXLAN_COLLECT_METADATA:
		return 4
	case unix.IFLA_VXLAN_REMCSUM_TX:
		return 5
	case unix.IFLA_VXLAN_REMCSUM_RX:
		return 6
	case unix.IFLA_VXLAN_VNIFILTER:
		return 7
	}
	return -1
}
