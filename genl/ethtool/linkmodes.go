package ethtool

import (
	"context"
	"fmt"

	"github.com/nlkit/nlkit/nlattr"
)

// Link modes attributes (ETHTOOL_A_LINKMODES_*).
const (
	linkmodesAutoneg          = 2  // ETHTOOL_A_LINKMODES_AUTONEG: u8
	linkmodesOurs             = 3  // ETHTOOL_A_LINKMODES_OURS: bitset
	linkmodesPeer             = 4  // ETHTOOL_A_LINKMODES_PEER: bitset
	linkmodesSpeed            = 5  // ETHTOOL_A_LINKMODES_SPEED: u32
	linkmodesDuplex           = 6  // ETHTOOL_A_LINKMODES_DUPLEX: u8
	linkmodesMasterSlaveCfg   = 7  // ETHTOOL_A_LINKMODES_MASTER_SLAVE_CFG: u8
	linkmodesMasterSlaveState = 8  // ETHTOOL_A_LINKMODES_MASTER_SLAVE_STATE: u8
	linkmodesLanes            = 9  // ETHTOOL_A_LINKMODES_LANES: u32
	linkmodesRateMatching     = 10 // ETHTOOL_A_LINKMODES_RATE_MATCHING: u8
)

// SpeedUnknown is the speed of a link whose speed is not known
// (SPEED_UNKNOWN, -1 as a u32).
const SpeedUnknown = 0xffffffff

// Duplex is a link's duplex mode (DUPLEX_*).
type Duplex uint8

// Duplex modes.
const (
	DuplexHalf    Duplex = 0x00 // DUPLEX_HALF
	DuplexFull    Duplex = 0x01 // DUPLEX_FULL
	DuplexUnknown Duplex = 0xff // DUPLEX_UNKNOWN
)

// String names the duplex as ethtool does ("Full").
func (d Duplex) String() string {
	switch d {
	case DuplexHalf:
		return "Half"
	case DuplexFull:
		return "Full"
	case DuplexUnknown:
		return "Unknown!"
	}
	return fmt.Sprintf("Unknown! (%d)", uint8(d))
}

// LinkModes is a device's link modes and settings
// (ETHTOOL_MSG_LINKMODES_GET: `ethtool DEV`'s speed, duplex, modes).
type LinkModes struct {
	Device  Device // the device, from the reply header
	Autoneg bool   // ETHTOOL_A_LINKMODES_AUTONEG == AUTONEG_ENABLE
	// Ours is the device's modes (ETHTOOL_A_LINKMODES_OURS): its mask
	// (Bits) lists the supported modes, set ones are advertised.
	Ours Bitset
	// Peer lists the modes the link partner advertises
	// (ETHTOOL_A_LINKMODES_PEER); empty when unknown.
	Peer             Bitset
	Speed            uint32 // ETHTOOL_A_LINKMODES_SPEED: Mb/s, or SpeedUnknown
	Duplex           Duplex // ETHTOOL_A_LINKMODES_DUPLEX
	Lanes            uint32 // ETHTOOL_A_LINKMODES_LANES; 0 if not reported
	MasterSlaveCfg   uint8  // ETHTOOL_A_LINKMODES_MASTER_SLAVE_CFG (MASTER_SLAVE_CFG_*)
	MasterSlaveState uint8  // ETHTOOL_A_LINKMODES_MASTER_SLAVE_STATE (MASTER_SLAVE_STATE_*)
	RateMatching     uint8  // ETHTOOL_A_LINKMODES_RATE_MATCHING (RATE_MATCH_*)
}

// Supported returns the names of the supported link modes
// ("10000baseT/Full", ...).
func (l LinkModes) Supported() []string { return l.Ours.Names() }

// Advertised returns the names of the advertised link modes.
func (l LinkModes) Advertised() []string { return l.Ours.ValueNames() }

// SpeedString formats the speed as ethtool does: "10000Mb/s" or
// "Unknown!".
func (l LinkModes) SpeedString() string {
	if l.Speed == SpeedUnknown {
		return "Unknown!"
	}
	return fmt.Sprintf("%dMb/s", l.Speed)
}

// String formats the settings on one line:
// "veth0 speed 10000Mb/s duplex Full autoneg off".
func (l LinkModes) String() string {
	an := "off"
	if l.Autoneg {
		an = "on"
	}
	return fmt.Sprintf("%s speed %s duplex %s autoneg %s", l.Device, l.SpeedString(), l.Duplex, an)
}

// UnmarshalBinary decodes the attributes of an
// ETHTOOL_MSG_LINKMODES_GET_REPLY (what follows the generic header).
func (l *LinkModes) UnmarshalBinary(b []byte) error {
	*l = LinkModes{}
	d := nlattr.NewDecoder(b)
	for d.Next() {
		switch d.Type() {
		case attrHeader:
			l.Device = decodeHeader(d.Nested())
		case linkmodesAutoneg:
			l.Autoneg = d.Uint8() == 1 // AUTONEG_ENABLE
		case linkmodesOurs:
			nd := d.Nested()
			decodeBitset(&l.Ours, &nd)
		case linkmodesPeer:
			nd := d.Nested()
			decodeBitset(&l.Peer, &nd)
		case linkmodesSpeed:
			l.Speed = d.Uint32()
		case linkmodesDuplex:
			l.Duplex = Duplex(d.Uint8())
		case linkmodesMasterSlaveCfg:
			l.MasterSlaveCfg = d.Uint8()
		case linkmodesMasterSlaveState:
			l.MasterSlaveState = d.Uint8()
		case linkmodesLanes:
			l.Lanes = d.Uint32()
		case linkmodesRateMatching:
			l.RateMatching = d.Uint8()
		}
	}
	return decodeErr("link modes", d.Err())
}

// LinkModes returns dev's link modes, speed, duplex and autonegotiation
// (ETHTOOL_MSG_LINKMODES_GET), with named modes (verbose bit sets).
func (c *Conn) LinkModes(ctx context.Context, dev Device) (LinkModes, error) {
	return c.linkModes(ctx, dev, 0)
}

func (c *Conn) linkModes(ctx context.Context, dev Device, flags uint32) (LinkModes, error) {
	b, err := c.get(ctx, "link modes", msgLinkmodesGet, msgLinkmodesReply, dev, flags)
	if err != nil {
		return LinkModes{}, err
	}
	var l LinkModes
	return l, l.UnmarshalBinary(b)
}
