package rtnl

import (
	"fmt"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

var linkVlanSpace = linkAttrSpace{map[uint16]string{
	unix.IFLA_VLAN_ID: "IFLA_VLAN_ID", unix.IFLA_VLAN_PROTOCOL: "IFLA_VLAN_PROTOCOL",
}, "IFLA_VLAN_"}

// VlanProtocol is a VLAN tag protocol: the EtherType of the tag, as used by
// IFLA_VLAN_PROTOCOL and IFLA_BR_VLAN_PROTOCOL (big-endian on the wire).
type VlanProtocol uint16

// VLAN tag protocols (linux/if_ether.h).
const (
	VlanProto8021Q  VlanProtocol = 0x8100 // ETH_P_8021Q
	VlanProto8021AD VlanProtocol = 0x88a8 // ETH_P_8021AD (QinQ)
)

// String gives iproute2's words, 802.1Q and 802.1ad, or the EtherType in
// hexadecimal.
func (p VlanProtocol) String() string {
	switch p {
	case VlanProto8021Q:
		return "802.1Q"
	case VlanProto8021AD:
		return "802.1ad"
	}
	return fmt.Sprintf("%#04x", uint16(p))
}

// Vlan is an 802.1Q or 802.1ad VLAN link on a lower device, Link.Parent,
// which creation requires (kind "vlan").
type Vlan struct {
	// ID is the VLAN id, 0 to 4094 (IFLA_VLAN_ID); always sent.
	ID uint16
	// Protocol is the tag protocol (IFLA_VLAN_PROTOCOL); 0 means unset
	// (the kernel default is 802.1Q).
	Protocol VlanProtocol
}

// LinkKind returns "vlan".
func (*Vlan) LinkKind() string { return "vlan" }

func (v *Vlan) appendInfoData(e *nlattr.Encoder, full bool) error {
	e.Nest(unix.IFLA_INFO_DATA)
	e.Uint16(unix.IFLA_VLAN_ID, v.ID)
	if v.Protocol != 0 {
		e.Uint16BE(unix.IFLA_VLAN_PROTOCOL, uint16(v.Protocol))
	}
	e.End()
	return nil
}

// decodeVlan decodes vlan IFLA_INFO_DATA.
func decodeVlan(d *nlattr.Decoder) *Vlan {
	v := new(Vlan)
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_VLAN_ID:
			v.ID = d.Uint16()
		case unix.IFLA_VLAN_PROTOCOL:
			v.Protocol = VlanProtocol(d.Uint16BE())
		}
	}
	return v
}
