package ethtool

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/nlkit/nlattr"
)

// Link info attributes (ETHTOOL_A_LINKINFO_*).
const (
	linkinfoPort        = 2 // ETHTOOL_A_LINKINFO_PORT: u8
	linkinfoPhyAddr     = 3 // ETHTOOL_A_LINKINFO_PHYADDR: u8
	linkinfoTPMDIX      = 4 // ETHTOOL_A_LINKINFO_TP_MDIX: u8
	linkinfoTPMDIXCtrl  = 5 // ETHTOOL_A_LINKINFO_TP_MDIX_CTRL: u8
	linkinfoTransceiver = 6 // ETHTOOL_A_LINKINFO_TRANSCEIVER: u8
)

// Port is the physical connector type (PORT_*, linux/ethtool.h).
type Port uint8

// Ports.
const (
	PortTP    Port = 0x00 // PORT_TP: twisted pair
	PortAUI   Port = 0x01 // PORT_AUI
	PortMII   Port = 0x02 // PORT_MII
	PortFibre Port = 0x03 // PORT_FIBRE
	PortBNC   Port = 0x04 // PORT_BNC
	PortDA    Port = 0x05 // PORT_DA: direct attach copper
	PortNone  Port = 0xef // PORT_NONE
	PortOther Port = 0xff // PORT_OTHER
)

// String names the port as the ethtool utility does ("Twisted Pair").
func (p Port) String() string {
	switch p {
	case PortTP:
		return "Twisted Pair"
	case PortAUI:
		return "AUI"
	case PortMII:
		return "MII"
	case PortFibre:
		return "FIBRE"
	case PortBNC:
		return "BNC"
	case PortDA:
		return "Direct Attach Copper"
	case PortNone:
		return "None"
	case PortOther:
		return "Other"
	}
	return fmt.Sprintf("Unknown! (%d)", uint8(p))
}

// MDIMode is the MDI/MDI-X status or control of a twisted-pair port
// (ETH_TP_MDI_*).
type MDIMode uint8

// MDI/MDI-X values.
const (
	MDIInvalid MDIMode = 0 // ETH_TP_MDI_INVALID: unknown, or control not supported
	MDI        MDIMode = 1 // ETH_TP_MDI: straight
	MDIX       MDIMode = 2 // ETH_TP_MDI_X: crossover
	MDIAuto    MDIMode = 3 // ETH_TP_MDI_AUTO (control only)
)

// String gives ethtool's words for the "MDI-X:" line: "off" (MDI), "on"
// (MDI-X), "auto", "Unknown".
func (m MDIMode) String() string {
	switch m {
	case MDIInvalid:
		return "Unknown"
	case MDI:
		return "off"
	case MDIX:
		return "on"
	case MDIAuto:
		return "auto"
	}
	return fmt.Sprintf("Unknown (%d)", uint8(m))
}

// Transceiver says where the PHY is (XCVR_*).
type Transceiver uint8

// Transceivers.
const (
	TransceiverInternal Transceiver = 0 // XCVR_INTERNAL: PHY and MAC in the same package
	TransceiverExternal Transceiver = 1 // XCVR_EXTERNAL
)

// String names the transceiver as ethtool does ("internal").
func (t Transceiver) String() string {
	switch t {
	case TransceiverInternal:
		return "internal"
	case TransceiverExternal:
		return "external"
	}
	return fmt.Sprintf("xcvr(%d)", uint8(t))
}

// LinkInfo is a device's physical link information
// (ETHTOOL_MSG_LINKINFO_GET, the first lines of `ethtool DEV`).
type LinkInfo struct {
	Device      Device      // the device, from the reply header
	Port        Port        // ETHTOOL_A_LINKINFO_PORT
	PhyAddr     uint8       // ETHTOOL_A_LINKINFO_PHYADDR
	TPMDIX      MDIMode     // ETHTOOL_A_LINKINFO_TP_MDIX: status
	TPMDIXCtrl  MDIMode     // ETHTOOL_A_LINKINFO_TP_MDIX_CTRL: control
	Transceiver Transceiver // ETHTOOL_A_LINKINFO_TRANSCEIVER
}

// String formats the link info on one line:
// "veth0 port Twisted Pair phyad 0 transceiver internal mdi-x Unknown".
func (l LinkInfo) String() string {
	return fmt.Sprintf("%s port %s phyad %d transceiver %s mdi-x %s (control %s)",
		l.Device, l.Port, l.PhyAddr, l.Transceiver, l.TPMDIX, l.TPMDIXCtrl)
}

// UnmarshalBinary decodes the attributes of an
// ETHTOOL_MSG_LINKINFO_GET_REPLY (what follows the generic header).
func (l *LinkInfo) UnmarshalBinary(b []byte) error {
	*l = LinkInfo{}
	d := nlattr.NewDecoder(b)
	for d.Next() {
		switch d.Type() {
		case attrHeader:
			l.Device = decodeHeader(d.Nested())
		case linkinfoPort:
			l.Port = Port(d.Uint8())
		case linkinfoPhyAddr:
			l.PhyAddr = d.Uint8()
		case linkinfoTPMDIX:
			l.TPMDIX = MDIMode(d.Uint8())
		case linkinfoTPMDIXCtrl:
			l.TPMDIXCtrl = MDIMode(d.Uint8())
		case linkinfoTransceiver:
			l.Transceiver = Transceiver(d.Uint8())
		}
	}
	return decodeErr("link info", d.Err())
}

// LinkInfo returns dev's link information (ETHTOOL_MSG_LINKINFO_GET).
func (c *Conn) LinkInfo(ctx context.Context, dev Device) (LinkInfo, error) {
	b, err := c.get(ctx, "link info", msgLinkinfoGet, msgLinkinfoReply, dev, 0)
	if err != nil {
		return LinkInfo{}, err
	}
	var l LinkInfo
	return l, l.UnmarshalBinary(b)
}

// LinkInfos lists the link information of every device whose driver
// reports it (a dump). It is a single-use iterator; it stops at the first
// error.
func (c *Conn) LinkInfos(ctx context.Context) iter.Seq2[LinkInfo, error] {
	return dump(c, ctx, "link info", msgLinkinfoGet, msgLinkinfoReply, 0, func(b []byte) (LinkInfo, error) {
		var l LinkInfo
		return l, l.UnmarshalBinary(b)
	})
}
