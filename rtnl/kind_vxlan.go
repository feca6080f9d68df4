package rtnl

import (
	"net/netip"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

var linkVxlanSpace = linkAttrSpace{map[uint16]string{
	unix.IFLA_VXLAN_ID: "IFLA_VXLAN_ID", unix.IFLA_VXLAN_GROUP: "IFLA_VXLAN_GROUP",
	unix.IFLA_VXLAN_GROUP6: "IFLA_VXLAN_GROUP6", unix.IFLA_VXLAN_LINK: "IFLA_VXLAN_LINK",
	unix.IFLA_VXLAN_LOCAL: "IFLA_VXLAN_LOCAL", unix.IFLA_VXLAN_LOCAL6: "IFLA_VXLAN_LOCAL6",
	unix.IFLA_VXLAN_TTL: "IFLA_VXLAN_TTL", unix.IFLA_VXLAN_TOS: "IFLA_VXLAN_TOS",
	unix.IFLA_VXLAN_LEARNING: "IFLA_VXLAN_LEARNING", unix.IFLA_VXLAN_PORT: "IFLA_VXLAN_PORT",
}, "IFLA_VXLAN_"}

// Vxlan is a VXLAN tunnel endpoint (kind "vxlan", RFC 7348): Ethernet
// frames carried in UDP.
type Vxlan struct {
	// VNI is the VXLAN network identifier (IFLA_VXLAN_ID), 24 bits;
	// always sent.
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
}

// LinkKind returns "vxlan".
func (*Vxlan) LinkKind() string { return "vxlan" }

func (v *Vxlan) appendInfoData(e *nlattr.Encoder) error {
	e.Nest(unix.IFLA_INFO_DATA)
	e.Uint32(unix.IFLA_VXLAN_ID, v.VNI)
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
	e.End()
	return nil
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

// decodeVxlan decodes vxlan IFLA_INFO_DATA.
func decodeVxlan(d *nlattr.Decoder) *Vxlan {
	v := new(Vxlan)
	for d.Next() {
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
			on := d.Uint8() != 0
			v.Learning = &on
		}
	}
	return v
}
