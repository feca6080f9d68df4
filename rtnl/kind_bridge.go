package rtnl

import (
	"strconv"
	"time"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

var linkBridgeSpace = linkAttrSpace{map[uint16]string{
	unix.IFLA_BR_FORWARD_DELAY: "IFLA_BR_FORWARD_DELAY", unix.IFLA_BR_HELLO_TIME: "IFLA_BR_HELLO_TIME",
	unix.IFLA_BR_MAX_AGE: "IFLA_BR_MAX_AGE", unix.IFLA_BR_AGEING_TIME: "IFLA_BR_AGEING_TIME",
	unix.IFLA_BR_STP_STATE: "IFLA_BR_STP_STATE", unix.IFLA_BR_PRIORITY: "IFLA_BR_PRIORITY",
	unix.IFLA_BR_VLAN_FILTERING: "IFLA_BR_VLAN_FILTERING", unix.IFLA_BR_VLAN_PROTOCOL: "IFLA_BR_VLAN_PROTOCOL",
	unix.IFLA_BR_VLAN_DEFAULT_PVID: "IFLA_BR_VLAN_DEFAULT_PVID", unix.IFLA_BR_MCAST_SNOOPING: "IFLA_BR_MCAST_SNOOPING",
}, "IFLA_BR_"}

var linkBridgePortSpace = linkAttrSpace{map[uint16]string{
	unix.IFLA_BRPORT_STATE: "IFLA_BRPORT_STATE", unix.IFLA_BRPORT_PRIORITY: "IFLA_BRPORT_PRIORITY",
	unix.IFLA_BRPORT_COST: "IFLA_BRPORT_COST", unix.IFLA_BRPORT_MODE: "IFLA_BRPORT_MODE",
	unix.IFLA_BRPORT_GUARD: "IFLA_BRPORT_GUARD", unix.IFLA_BRPORT_LEARNING: "IFLA_BRPORT_LEARNING",
	unix.IFLA_BRPORT_UNICAST_FLOOD: "IFLA_BRPORT_UNICAST_FLOOD", unix.IFLA_BRPORT_MCAST_FLOOD: "IFLA_BRPORT_MCAST_FLOOD",
	unix.IFLA_BRPORT_BCAST_FLOOD: "IFLA_BRPORT_BCAST_FLOOD", unix.IFLA_BRPORT_ISOLATED: "IFLA_BRPORT_ISOLATED",
}, "IFLA_BRPORT_"}

// Bridge is an Ethernet bridge (kind "bridge"). Ports are added with
// SetLinkMaster. Nil fields are not set: the kernel default applies on
// creation, and decoding leaves nil what the kernel did not report. The
// kernel reports many more settings than these; they are skipped.
//
// The STP timers travel in linkCentiseconds (clock_t at USER_HZ 100); finer
// durations are truncated.
type Bridge struct {
	// ForwardDelay is the STP forward delay (IFLA_BR_FORWARD_DELAY);
	// kernel default 15s.
	ForwardDelay *time.Duration
	// HelloTime is the STP hello time (IFLA_BR_HELLO_TIME); default 2s.
	HelloTime *time.Duration
	// MaxAge is the STP maximum message age (IFLA_BR_MAX_AGE); default
	// 20s.
	MaxAge *time.Duration
	// AgeingTime is how long learned addresses are kept
	// (IFLA_BR_AGEING_TIME); default 300s.
	AgeingTime *time.Duration
	// StpState is IFLA_BR_STP_STATE: 0 STP off (the default), 1 kernel
	// STP, 2 user-space STP. Set 1 to turn STP on; the kernel reports 2
	// if a user-space daemon took over.
	StpState *uint32
	// Priority is the bridge priority (IFLA_BR_PRIORITY); default 32768.
	Priority *uint16
	// VlanFiltering turns on VLAN filtering (IFLA_BR_VLAN_FILTERING);
	// default off.
	VlanFiltering *bool
	// VlanProtocol is the protocol used for VLAN filtering
	// (IFLA_BR_VLAN_PROTOCOL); 0 means unset (the default is 802.1Q).
	VlanProtocol VlanProtocol
	// VlanDefaultPVID is the default port VLAN id
	// (IFLA_BR_VLAN_DEFAULT_PVID); default 1, 0 for none.
	VlanDefaultPVID *uint16
	// MulticastSnooping turns IGMP/MLD snooping on or off
	// (IFLA_BR_MCAST_SNOOPING); default on.
	MulticastSnooping *bool
}

// LinkKind returns "bridge".
func (*Bridge) LinkKind() string { return "bridge" }

// linkCentiseconds converts a duration to the bridge's clock_t units.
func linkCentiseconds(d time.Duration) uint32 { return uint32(d / (10 * time.Millisecond)) }

func linkFromCentiseconds(cs uint32) time.Duration { return time.Duration(cs) * 10 * time.Millisecond }

func (b *Bridge) appendInfoData(e *nlattr.Encoder) error {
	e.Nest(unix.IFLA_INFO_DATA)
	if b.ForwardDelay != nil {
		e.Uint32(unix.IFLA_BR_FORWARD_DELAY, linkCentiseconds(*b.ForwardDelay))
	}
	if b.HelloTime != nil {
		e.Uint32(unix.IFLA_BR_HELLO_TIME, linkCentiseconds(*b.HelloTime))
	}
	if b.MaxAge != nil {
		e.Uint32(unix.IFLA_BR_MAX_AGE, linkCentiseconds(*b.MaxAge))
	}
	if b.AgeingTime != nil {
		e.Uint32(unix.IFLA_BR_AGEING_TIME, linkCentiseconds(*b.AgeingTime))
	}
	if b.StpState != nil {
		e.Uint32(unix.IFLA_BR_STP_STATE, *b.StpState)
	}
	if b.Priority != nil {
		e.Uint16(unix.IFLA_BR_PRIORITY, *b.Priority)
	}
	if b.VlanFiltering != nil {
		e.Uint8(unix.IFLA_BR_VLAN_FILTERING, linkBool(*b.VlanFiltering))
	}
	if b.VlanProtocol != 0 {
		e.Uint16BE(unix.IFLA_BR_VLAN_PROTOCOL, uint16(b.VlanProtocol))
	}
	if b.VlanDefaultPVID != nil {
		e.Uint16(unix.IFLA_BR_VLAN_DEFAULT_PVID, *b.VlanDefaultPVID)
	}
	if b.MulticastSnooping != nil {
		e.Uint8(unix.IFLA_BR_MCAST_SNOOPING, linkBool(*b.MulticastSnooping))
	}
	e.End()
	return nil
}

// linkBridgeValues holds what a decoded Bridge's pointers point to, so that
// they share one allocation.
type linkBridgeValues struct {
	fd, ht, ma, at time.Duration
	stp            uint32
	prio, pvid     uint16
	vf, snoop      bool
}

// decodeBridge decodes bridge IFLA_INFO_DATA.
func decodeBridge(d *nlattr.Decoder) *Bridge {
	b := new(Bridge)
	var v *linkBridgeValues
	for d.Next() {
		if v == nil {
			v = new(linkBridgeValues)
		}
		switch d.Type() {
		case unix.IFLA_BR_FORWARD_DELAY:
			v.fd, b.ForwardDelay = linkFromCentiseconds(d.Uint32()), &v.fd
		case unix.IFLA_BR_HELLO_TIME:
			v.ht, b.HelloTime = linkFromCentiseconds(d.Uint32()), &v.ht
		case unix.IFLA_BR_MAX_AGE:
			v.ma, b.MaxAge = linkFromCentiseconds(d.Uint32()), &v.ma
		case unix.IFLA_BR_AGEING_TIME:
			v.at, b.AgeingTime = linkFromCentiseconds(d.Uint32()), &v.at
		case unix.IFLA_BR_STP_STATE:
			v.stp, b.StpState = d.Uint32(), &v.stp
		case unix.IFLA_BR_PRIORITY:
			v.prio, b.Priority = d.Uint16(), &v.prio
		case unix.IFLA_BR_VLAN_FILTERING:
			v.vf, b.VlanFiltering = d.Uint8() != 0, &v.vf
		case unix.IFLA_BR_VLAN_PROTOCOL:
			b.VlanProtocol = VlanProtocol(d.Uint16BE())
		case unix.IFLA_BR_VLAN_DEFAULT_PVID:
			v.pvid, b.VlanDefaultPVID = d.Uint16(), &v.pvid
		case unix.IFLA_BR_MCAST_SNOOPING:
			v.snoop, b.MulticastSnooping = d.Uint8() != 0, &v.snoop
		}
	}
	return b
}

// BridgePortState is the STP state of a bridge port (IFLA_BRPORT_STATE,
// BR_STATE_* from linux/if_bridge.h).
type BridgePortState uint8

// Bridge port states (linux/if_bridge.h).
const (
	BridgePortDisabled   BridgePortState = 0 // BR_STATE_DISABLED
	BridgePortListening  BridgePortState = 1 // BR_STATE_LISTENING
	BridgePortLearning   BridgePortState = 2 // BR_STATE_LEARNING
	BridgePortForwarding BridgePortState = 3 // BR_STATE_FORWARDING
	BridgePortBlocking   BridgePortState = 4 // BR_STATE_BLOCKING
)

var linkBridgePortStateNames = [...]string{"disabled", "listening", "learning", "forwarding", "blocking"}

// String gives iproute2's words: disabled, listening, learning, forwarding,
// blocking; other values as numbers.
func (s BridgePortState) String() string {
	if int(s) < len(linkBridgePortStateNames) {
		return linkBridgePortStateNames[s]
	}
	return strconv.Itoa(int(s))
}

// BridgePort describes a link that is a port of a bridge
// (IFLA_INFO_SLAVE_KIND "bridge", IFLA_INFO_SLAVE_DATA). It is read-only
// here; the kernel reports more than these common settings.
type BridgePort struct {
	State          BridgePortState // IFLA_BRPORT_STATE
	Priority       uint16          // IFLA_BRPORT_PRIORITY
	Cost           uint32          // IFLA_BRPORT_COST: STP path cost
	Hairpin        bool            // IFLA_BRPORT_MODE: hairpin mode
	Guard          bool            // IFLA_BRPORT_GUARD: BPDU guard
	Learning       bool            // IFLA_BRPORT_LEARNING
	UnicastFlood   bool            // IFLA_BRPORT_UNICAST_FLOOD
	MulticastFlood bool            // IFLA_BRPORT_MCAST_FLOOD
	BroadcastFlood bool            // IFLA_BRPORT_BCAST_FLOOD
	Isolated       bool            // IFLA_BRPORT_ISOLATED
}

// PortKind returns "bridge".
func (*BridgePort) PortKind() string { return "bridge" }

func (p *BridgePort) appendPortData(e *nlattr.Encoder) {
	e.Nest(unix.IFLA_INFO_SLAVE_DATA)
	e.Uint8(unix.IFLA_BRPORT_STATE, uint8(p.State))
	e.Uint16(unix.IFLA_BRPORT_PRIORITY, p.Priority)
	e.Uint32(unix.IFLA_BRPORT_COST, p.Cost)
	e.Uint8(unix.IFLA_BRPORT_MODE, linkBool(p.Hairpin))
	e.Uint8(unix.IFLA_BRPORT_GUARD, linkBool(p.Guard))
	e.Uint8(unix.IFLA_BRPORT_LEARNING, linkBool(p.Learning))
	e.Uint8(unix.IFLA_BRPORT_UNICAST_FLOOD, linkBool(p.UnicastFlood))
	e.Uint8(unix.IFLA_BRPORT_MCAST_FLOOD, linkBool(p.MulticastFlood))
	e.Uint8(unix.IFLA_BRPORT_BCAST_FLOOD, linkBool(p.BroadcastFlood))
	e.Uint8(unix.IFLA_BRPORT_ISOLATED, linkBool(p.Isolated))
	e.End()
}

// decodeBridgePort decodes bridge IFLA_INFO_SLAVE_DATA.
func decodeBridgePort(d *nlattr.Decoder) *BridgePort {
	p := new(BridgePort)
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_BRPORT_STATE:
			p.State = BridgePortState(d.Uint8())
		case unix.IFLA_BRPORT_PRIORITY:
			p.Priority = d.Uint16()
		case unix.IFLA_BRPORT_COST:
			p.Cost = d.Uint32()
		case unix.IFLA_BRPORT_MODE:
			p.Hairpin = d.Uint8() != 0
		case unix.IFLA_BRPORT_GUARD:
			p.Guard = d.Uint8() != 0
		case unix.IFLA_BRPORT_LEARNING:
			p.Learning = d.Uint8() != 0
		case unix.IFLA_BRPORT_UNICAST_FLOOD:
			p.UnicastFlood = d.Uint8() != 0
		case unix.IFLA_BRPORT_MCAST_FLOOD:
			p.MulticastFlood = d.Uint8() != 0
		case unix.IFLA_BRPORT_BCAST_FLOOD:
			p.BroadcastFlood = d.Uint8() != 0
		case unix.IFLA_BRPORT_ISOLATED:
			p.Isolated = d.Uint8() != 0
		}
	}
	return p
}
