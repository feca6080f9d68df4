package cli

import (
	"context"
	"encoding/binary"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
)

// link set DEV type bridge_slave ...: a bridge port's settings
// (IFLA_BRPORT_*, linux/if_link.h), which rtnl.LinkChange cannot carry:
// nl sends ip's request itself, an RTM_NEWLINK with IFLA_LINKINFO {
// IFLA_INFO_KIND "bridge_slave", IFLA_INFO_SLAVE_DATA { ... } }.

const (
	iflaLinkinfo      = 18
	iflaInfoKind      = 1
	iflaInfoSlaveData = 5
)

// bridgePortFlags are bridge_slave's on|off words and their IFLA_BRPORT_*
// attributes (u8).
var bridgePortFlags = map[string]uint16{
	"guard": 5, "hairpin": 4, "fastleave": 7, "root_block": 6, "learning": 8, "flood": 9, "proxy_arp": 10,
	"proxy_arp_wifi": 12, "mcast_fast_leave": 7, "mcast_flood": 27, "mcast_to_unicast": 28, "vlan_tunnel": 29,
	"bcast_flood": 30, "neigh_suppress": 32, "isolated": 33, "locked": 39,
}

// parseBridgeSlave reads bridge_slave's words, as ip's
// bridge_slave_parse_opt, into the raw IFLA_INFO_SLAVE_DATA, in the
// order given.
func parseBridgeSlave(a *words, r *linkRequest) error {
	enc := nlattr.NewEncoder(nil)
	for a.more() {
		w := a.next()
		switch {
		case w == "state":
			n, err := valueOf(a, getU8, "state is invalid")
			if err != nil {
				return err
			}
			enc.Uint8(1, n)
		case w == "priority":
			n, err := valueOf(a, getU16, "priority is invalid")
			if err != nil {
				return err
			}
			enc.Uint16(2, n)
		case w == "cost":
			n, err := valueOf(a, getU32, "cost is invalid")
			if err != nil {
				return err
			}
			enc.Uint32(3, n)
		case w == "mcast_router":
			n, err := valueOf(a, getU8, "invalid mcast_router")
			if err != nil {
				return err
			}
			enc.Uint8(25, n)
		case w == "group_fwd_mask":
			n, err := valueOf(a, getU16, "invalid group_fwd_mask")
			if err != nil {
				return err
			}
			enc.Uint16(31, n)
		default:
			attr, ok := bridgePortFlags[w]
			if !ok {
				return errBadWord("bridge_slave: unknown option \"%s\"?\n%s", w, kindUsage("bridge_slave"))
			}
			v, err := a.value()
			if err != nil {
				return err
			}
			if v != "on" && v != "off" {
				return errBadWord(`Error: argument of "%s" must be one of "off", "on", not "%s"`, w, v)
			}
			var b uint8
			if v == "on" {
				b = 1
			}
			enc.Uint8(attr, b)
		}
	}
	data, err := enc.Finish()
	if err != nil {
		return err
	}
	r.slaveData = data
	return nil
}

// setBridgePort sends the port settings of link idx as ip does.
func setBridgePort(ctx context.Context, c *rtnl.Conn, idx int32, kind string, data []byte) error {
	b := make([]byte, ifinfomsgLen)
	binary.NativeEndian.PutUint32(b[4:], uint32(idx))
	enc := nlattr.NewEncoder(b)
	enc.Nest(iflaLinkinfo)
	enc.Bytes(iflaInfoKind, []byte(kind))
	enc.Bytes(iflaInfoSlaveData, data)
	enc.End()
	msg, err := enc.Finish()
	if err != nil {
		return err
	}
	_, err = c.Netlink().Execute(ctx, netlink.Message{Header: netlink.Header{Type: rtmNewLink}, Data: msg})
	return err
}
