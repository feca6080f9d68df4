package rtnl

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
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
// The STP timers and the multicast intervals travel in centiseconds
// (clock_t at USER_HZ 100); finer durations are truncated.
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

	// VlanStatsEnabled and VlanStatsPerPort turn on per-VLAN statistics,
	// and per port (IFLA_BR_VLAN_STATS_ENABLED, IFLA_BR_VLAN_STATS_PER_PORT).
	VlanStatsEnabled, VlanStatsPerPort *bool
	// GroupFwdMask selects the link-local groups (01:80:C2:00:00:0X) the
	// bridge forwards (IFLA_BR_GROUP_FWD_MASK, bit X).
	GroupFwdMask *uint16
	// GroupAddr is the STP group address (IFLA_BR_GROUP_ADDR); nil: unset
	// (01:80:c2:00:00:00).
	GroupAddr net.HardwareAddr
	// NoLinkLocalLearn, MulticastVlanSnooping and MSTEnabled are bits of
	// IFLA_BR_MULTI_BOOLOPT (BR_BOOLOPT_NO_LL_LEARN,
	// BR_BOOLOPT_MCAST_VLAN_SNOOPING, BR_BOOLOPT_MST_ENABLE): don't learn
	// from link-local frames, per-VLAN multicast snooping, multiple
	// spanning trees. Only the bits set here are sent (in optmask).
	NoLinkLocalLearn, MulticastVlanSnooping, MSTEnabled *bool

	// Multicast snooping tuning (IFLA_BR_MCAST_*): MulticastRouter is the
	// router port mode (0 disabled, 1 learn, 2 permanent);
	// MulticastQueryUseIfaddr uses the bridge's address in queries;
	// MulticastQuerier makes the bridge a querier; MulticastHashElasticity
	// and MulticastHashMax size the group table; MulticastLastMemberCount
	// and MulticastStartupQueryCount count queries; MulticastStatsEnabled
	// turns on statistics; MulticastIGMPVersion and MulticastMLDVersion
	// are the versions of queries.
	MulticastRouter            *uint8
	MulticastQueryUseIfaddr    *bool
	MulticastQuerier           *bool
	MulticastHashElasticity    *uint32
	MulticastHashMax           *uint32
	MulticastLastMemberCount   *uint32
	MulticastStartupQueryCount *uint32
	MulticastStatsEnabled      *bool
	MulticastIGMPVersion       *uint8
	MulticastMLDVersion        *uint8
	// The multicast intervals (IFLA_BR_MCAST_LAST_MEMBER_INTVL,
	// _MEMBERSHIP_INTVL, _QUERIER_INTVL, _QUERY_INTVL,
	// _QUERY_RESPONSE_INTVL, _STARTUP_QUERY_INTVL), in centiseconds on
	// the wire like the STP timers.
	MulticastLastMemberInterval    *time.Duration
	MulticastMembershipInterval    *time.Duration
	MulticastQuerierInterval       *time.Duration
	MulticastQueryInterval         *time.Duration
	MulticastQueryResponseInterval *time.Duration
	MulticastStartupQueryInterval  *time.Duration
	// NfCallIptables, NfCallIP6tables and NfCallArptables pass bridged
	// traffic through the netfilter hooks of those tables
	// (IFLA_BR_NF_CALL_IPTABLES, _IP6TABLES, _ARPTABLES).
	NfCallIptables, NfCallIP6tables, NfCallArptables *bool

	// The STP state of the bridge, read-only (decoding sets them, requests
	// do not send them): its own and the root's identifiers
	// (IFLA_BR_BRIDGE_ID, IFLA_BR_ROOT_ID), the root port and path cost
	// (IFLA_BR_ROOT_PORT, IFLA_BR_ROOT_PATH_COST), the topology change
	// flags (IFLA_BR_TOPOLOGY_CHANGE, _DETECTED) and the timers' time left
	// (IFLA_BR_HELLO_TIMER, _TCN_TIMER, _TOPOLOGY_CHANGE_TIMER,
	// _GC_TIMER).
	BridgeID, RootID                                   *BridgeID
	RootPort                                           *uint16
	RootPathCost                                       *uint32
	TopologyChange, TopologyChangeDetected             *bool
	HelloTimer, TCNTimer, TopologyChangeTimer, GCTimer *time.Duration
}

// BridgeID is an STP bridge identifier (struct ifla_bridge_id): priority
// and MAC address.
type BridgeID struct {
	Priority uint16
	Addr     [6]byte
}

// String formats the identifier as iproute2 does: the priority in four
// hex digits, a dot, the address bytes in hex without leading zeros
// ("8000.2:0:0:0:0:1").
func (id BridgeID) String() string {
	return fmt.Sprintf("%02x%02x.%x:%x:%x:%x:%x:%x", byte(id.Priority>>8), byte(id.Priority),
		id.Addr[0], id.Addr[1], id.Addr[2], id.Addr[3], id.Addr[4], id.Addr[5])
}

// bridgeBoolopt bits (linux/if_bridge.h).
const (
	bridgeBooloptNoLLLearn         = 0 // BR_BOOLOPT_NO_LL_LEARN
	bridgeBooloptMcastVlanSnooping = 1 // BR_BOOLOPT_MCAST_VLAN_SNOOPING
	bridgeBooloptMSTEnable         = 2 // BR_BOOLOPT_MST_ENABLE
)

// brAttr is one plain attribute of a bridge or bridge port and the field
// it fills (V is **T for a bridge's optional settings, *T for a port's).
type brAttr[V any] struct {
	typ uint16
	v   V
}

// brSlots maps an attribute type to 1 + its index in a run of field
// tables (0: in none of them), so that decoding an attribute costs one
// lookup rather than a search of every table. The bridge's and the
// port's attribute types are all below 64.
type brSlots [64]uint8

// add enters n attributes whose types typ(i) gives, from index base on,
// and returns the index after them.
func (s *brSlots) add(base, n int, typ func(i int) uint16) int {
	for i := range n {
		s[typ(i)] = uint8(base + i + 1)
	}
	return base + n
}

// of returns the index of attribute type t, or -1.
func (s *brSlots) of(t uint16) int {
	if int(t) >= len(s) {
		return -1
	}
	return int(s[t]) - 1
}

// bools lists the u8 boolean attributes beyond the first ones.
func (b *Bridge) bools() [9]brAttr[**bool] {
	return [9]brAttr[**bool]{
		{unix.IFLA_BR_VLAN_STATS_ENABLED, &b.VlanStatsEnabled}, {unix.IFLA_BR_VLAN_STATS_PER_PORT, &b.VlanStatsPerPort},
		{unix.IFLA_BR_MCAST_QUERY_USE_IFADDR, &b.MulticastQueryUseIfaddr}, {unix.IFLA_BR_MCAST_QUERIER, &b.MulticastQuerier},
		{unix.IFLA_BR_MCAST_STATS_ENABLED, &b.MulticastStatsEnabled}, {unix.IFLA_BR_NF_CALL_IPTABLES, &b.NfCallIptables},
		{unix.IFLA_BR_NF_CALL_IP6TABLES, &b.NfCallIP6tables}, {unix.IFLA_BR_NF_CALL_ARPTABLES, &b.NfCallArptables},
		{unix.IFLA_BR_TOPOLOGY_CHANGE, &b.TopologyChange},
	}
}

// u8s, u32s and intervals list the other plain settings.
func (b *Bridge) u8s() [3]brAttr[**uint8] {
	return [3]brAttr[**uint8]{{unix.IFLA_BR_MCAST_ROUTER, &b.MulticastRouter}, {unix.IFLA_BR_MCAST_IGMP_VERSION, &b.MulticastIGMPVersion},
		{unix.IFLA_BR_MCAST_MLD_VERSION, &b.MulticastMLDVersion}}
}

func (b *Bridge) u32s() [5]brAttr[**uint32] {
	return [5]brAttr[**uint32]{{unix.IFLA_BR_MCAST_HASH_ELASTICITY, &b.MulticastHashElasticity}, {unix.IFLA_BR_MCAST_HASH_MAX, &b.MulticastHashMax},
		{unix.IFLA_BR_MCAST_LAST_MEMBER_CNT, &b.MulticastLastMemberCount},
		{unix.IFLA_BR_MCAST_STARTUP_QUERY_CNT, &b.MulticastStartupQueryCount}, {unix.IFLA_BR_ROOT_PATH_COST, &b.RootPathCost}}
}

// brInterval is a Bridge interval or timer field with its attribute type;
// u64 centiseconds on the wire. The timers (readOnly) are reported by the
// kernel, never set.
type brInterval struct {
	typ      uint16
	v        **time.Duration
	readOnly bool
}

func (b *Bridge) intervals() [10]brInterval {
	return [10]brInterval{
		{unix.IFLA_BR_MCAST_LAST_MEMBER_INTVL, &b.MulticastLastMemberInterval, false},
		{unix.IFLA_BR_MCAST_MEMBERSHIP_INTVL, &b.MulticastMembershipInterval, false},
		{unix.IFLA_BR_MCAST_QUERIER_INTVL, &b.MulticastQuerierInterval, false},
		{unix.IFLA_BR_MCAST_QUERY_INTVL, &b.MulticastQueryInterval, false},
		{unix.IFLA_BR_MCAST_QUERY_RESPONSE_INTVL, &b.MulticastQueryResponseInterval, false},
		{unix.IFLA_BR_MCAST_STARTUP_QUERY_INTVL, &b.MulticastStartupQueryInterval, false},
		{unix.IFLA_BR_HELLO_TIMER, &b.HelloTimer, true}, {unix.IFLA_BR_TCN_TIMER, &b.TCNTimer, true},
		{unix.IFLA_BR_TOPOLOGY_CHANGE_TIMER, &b.TopologyChangeTimer, true}, {unix.IFLA_BR_GC_TIMER, &b.GCTimer, true},
	}
}

// bridgeReadOnlyBool reports whether typ is a boolean the kernel reports only.
func bridgeReadOnlyBool(typ uint16) bool { return typ == unix.IFLA_BR_TOPOLOGY_CHANGE }

// LinkKind returns "bridge".
func (*Bridge) LinkKind() string { return "bridge" }

// linkCentiseconds converts a duration to the bridge's clock_t units.
func linkCentiseconds(d time.Duration) uint32 { return uint32(d / (10 * time.Millisecond)) }

func linkFromCentiseconds(cs uint32) time.Duration { return time.Duration(cs) * 10 * time.Millisecond }

func (b *Bridge) appendInfoData(e *nlattr.Encoder, full bool) error {
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
	for _, f := range b.bools() {
		if *f.v != nil && (full || !bridgeReadOnlyBool(f.typ)) {
			e.Uint8(f.typ, linkBool(**f.v))
		}
	}
	for _, f := range b.u8s() {
		if *f.v != nil {
			e.Uint8(f.typ, **f.v)
		}
	}
	for _, f := range b.u32s() {
		if *f.v != nil && (full || f.typ != unix.IFLA_BR_ROOT_PATH_COST) {
			e.Uint32(f.typ, **f.v)
		}
	}
	for _, f := range b.intervals() {
		if *f.v != nil && (full || !f.readOnly) {
			e.Uint64(f.typ, uint64(**f.v/(10*time.Millisecond)))
		}
	}
	if b.GroupFwdMask != nil {
		e.Uint16(unix.IFLA_BR_GROUP_FWD_MASK, *b.GroupFwdMask)
	}
	if len(b.GroupAddr) > 0 {
		e.Bytes(unix.IFLA_BR_GROUP_ADDR, b.GroupAddr)
	}
	var opt [8]byte // struct br_boolopt_multi: optval, optmask
	for bit, v := range [...]*bool{bridgeBooloptNoLLLearn: b.NoLinkLocalLearn,
		bridgeBooloptMcastVlanSnooping: b.MulticastVlanSnooping, bridgeBooloptMSTEnable: b.MSTEnabled} {
		if v != nil {
			if *v {
				opt[0] |= 1 << bit
			}
			opt[4] |= 1 << bit
		}
	}
	if opt[4] != 0 {
		e.Bytes(unix.IFLA_BR_MULTI_BOOLOPT, opt[:])
	}
	if full {
		for _, id := range [...]struct {
			typ uint16
			v   *BridgeID
		}{{unix.IFLA_BR_BRIDGE_ID, b.BridgeID}, {unix.IFLA_BR_ROOT_ID, b.RootID}} {
			if id.v != nil {
				e.Bytes(id.typ, bridgeIDBytes(*id.v))
			}
		}
		if b.RootPort != nil {
			e.Uint16(unix.IFLA_BR_ROOT_PORT, *b.RootPort)
		}
		if b.TopologyChangeDetected != nil {
			e.Uint8(unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED, linkBool(*b.TopologyChangeDetected))
		}
	}
	e.End()
	return nil
}

// linkBridgeValues holds what a decoded Bridge's pointers point to, so that
// they share one allocation.
type linkBridgeValues struct {
	fd, ht, ma, at    time.Duration
	stp               uint32
	prio, pvid        uint16
	vf, snoop         bool
	fwdMask, rootPort uint16
	tcDetected        bool
	bridgeID, rootID  BridgeID
	boolopt           [3]bool
	bools             [9]bool
	u8s               [3]uint8
	u32s              [5]uint32
	intervals         [10]time.Duration
}

// decodeBridge decodes bridge IFLA_INFO_DATA.
func decodeBridge(d *nlattr.Decoder) *Bridge {
	b := new(Bridge)
	var v *linkBridgeValues
	t := bridgeTables{bools: b.bools(), u8s: b.u8s(), u32s: b.u32s(), intervals: b.intervals()}
	n := t.slots.add(0, len(t.bools), func(i int) uint16 { return t.bools[i].typ })
	n = t.slots.add(n, len(t.u8s), func(i int) uint16 { return t.u8s[i].typ })
	n = t.slots.add(n, len(t.u32s), func(i int) uint16 { return t.u32s[i].typ })
	t.slots.add(n, len(t.intervals), func(i int) uint16 { return t.intervals[i].typ })
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
		case unix.IFLA_BR_GROUP_FWD_MASK:
			v.fwdMask, b.GroupFwdMask = d.Uint16(), &v.fwdMask
		case unix.IFLA_BR_GROUP_ADDR:
			if p := d.Bytes(); len(p) > 0 {
				b.GroupAddr = net.HardwareAddr(bytes.Clone(p))
			}
		case unix.IFLA_BR_ROOT_PORT:
			v.rootPort, b.RootPort = d.Uint16(), &v.rootPort
		case unix.IFLA_BR_TOPOLOGY_CHANGE_DETECTED:
			v.tcDetected, b.TopologyChangeDetected = d.Uint8() != 0, &v.tcDetected
		case unix.IFLA_BR_BRIDGE_ID, unix.IFLA_BR_ROOT_ID:
			id := decodeBridgeID(d)
			if d.Err() != nil {
				break
			}
			if d.Type() == unix.IFLA_BR_BRIDGE_ID {
				v.bridgeID, b.BridgeID = id, &v.bridgeID
			} else {
				v.rootID, b.RootID = id, &v.rootID
			}
		case unix.IFLA_BR_MULTI_BOOLOPT:
			if d.Len() != 8 {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			p := d.Bytes()
			val, mask := binary.NativeEndian.Uint32(p), binary.NativeEndian.Uint32(p[4:])
			for bit, f := range [...]**bool{bridgeBooloptNoLLLearn: &b.NoLinkLocalLearn,
				bridgeBooloptMcastVlanSnooping: &b.MulticastVlanSnooping, bridgeBooloptMSTEnable: &b.MSTEnabled} {
				if mask&(1<<bit) != 0 {
					v.boolopt[bit] = val&(1<<bit) != 0
					*f = &v.boolopt[bit]
				}
			}
		default:
			t.decode(d, v)
		}
	}
	return b
}

// bridgeTables are a decoded Bridge's field tables, and where each
// attribute type is in them.
type bridgeTables struct {
	bools     [9]brAttr[**bool]
	u8s       [3]brAttr[**uint8]
	u32s      [5]brAttr[**uint32]
	intervals [10]brInterval
	slots     brSlots
}

// decode decodes an attribute of the tables, its value kept in v.
func (t *bridgeTables) decode(d *nlattr.Decoder, v *linkBridgeValues) {
	i := t.slots.of(d.Type())
	switch {
	case i < 0:
	case i < len(t.bools):
		v.bools[i] = d.Uint8() != 0
		*t.bools[i].v = &v.bools[i]
	case i < len(t.bools)+len(t.u8s):
		i -= len(t.bools)
		v.u8s[i] = d.Uint8()
		*t.u8s[i].v = &v.u8s[i]
	case i < len(t.bools)+len(t.u8s)+len(t.u32s):
		i -= len(t.bools) + len(t.u8s)
		v.u32s[i] = d.Uint32()
		*t.u32s[i].v = &v.u32s[i]
	default:
		i -= len(t.bools) + len(t.u8s) + len(t.u32s)
		v.intervals[i] = bridgeCentiseconds(d.Uint64())
		*t.intervals[i].v = &v.intervals[i]
	}
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

	RootBlock          bool     // IFLA_BRPORT_PROTECT: root port protection ("root_block")
	FastLeave          bool     // IFLA_BRPORT_FAST_LEAVE: multicast fast leave
	ProxyARP           bool     // IFLA_BRPORT_PROXYARP
	ProxyARPWiFi       bool     // IFLA_BRPORT_PROXYARP_WIFI
	MulticastRouter    uint8    // IFLA_BRPORT_MULTICAST_ROUTER: 0 disabled, 1 learn, 2 permanent, 3 temporary
	MulticastToUnicast bool     // IFLA_BRPORT_MCAST_TO_UCAST
	NeighSuppress      bool     // IFLA_BRPORT_NEIGH_SUPPRESS: ARP/ND suppression
	GroupFwdMask       uint16   // IFLA_BRPORT_GROUP_FWD_MASK
	VlanTunnel         bool     // IFLA_BRPORT_VLAN_TUNNEL
	Locked             bool     // IFLA_BRPORT_LOCKED: only authenticated hosts
	BackupPort         int32    // IFLA_BRPORT_BACKUP_PORT: index of the backup port, 0 for none
	ID                 uint16   // IFLA_BRPORT_ID: STP port id ("port_id")
	No                 uint16   // IFLA_BRPORT_NO: port number ("port_no")
	DesignatedPort     uint16   // IFLA_BRPORT_DESIGNATED_PORT
	DesignatedCost     uint16   // IFLA_BRPORT_DESIGNATED_COST
	DesignatedBridge   BridgeID // IFLA_BRPORT_BRIDGE_ID ("designated_bridge")
	DesignatedRoot     BridgeID // IFLA_BRPORT_ROOT_ID ("designated_root")
	TopologyChangeAck  bool     // IFLA_BRPORT_TOPOLOGY_CHANGE_ACK
	ConfigPending      bool     // IFLA_BRPORT_CONFIG_PENDING
	// The STP timers' time left (IFLA_BRPORT_HOLD_TIMER,
	// _MESSAGE_AGE_TIMER, _FORWARD_DELAY_TIMER; centiseconds on the wire).
	HoldTimer, MessageAgeTimer, ForwardDelayTimer time.Duration
}

// bools lists the boolean (u8) attributes of p, in the order they are
// encoded.
func (p *BridgePort) bools() [17]brAttr[*bool] {
	return [17]brAttr[*bool]{
		{unix.IFLA_BRPORT_MODE, &p.Hairpin}, {unix.IFLA_BRPORT_GUARD, &p.Guard}, {unix.IFLA_BRPORT_LEARNING, &p.Learning},
		{unix.IFLA_BRPORT_UNICAST_FLOOD, &p.UnicastFlood}, {unix.IFLA_BRPORT_MCAST_FLOOD, &p.MulticastFlood},
		{unix.IFLA_BRPORT_BCAST_FLOOD, &p.BroadcastFlood}, {unix.IFLA_BRPORT_ISOLATED, &p.Isolated},
		{unix.IFLA_BRPORT_PROTECT, &p.RootBlock}, {unix.IFLA_BRPORT_FAST_LEAVE, &p.FastLeave},
		{unix.IFLA_BRPORT_PROXYARP, &p.ProxyARP}, {unix.IFLA_BRPORT_PROXYARP_WIFI, &p.ProxyARPWiFi},
		{unix.IFLA_BRPORT_MCAST_TO_UCAST, &p.MulticastToUnicast}, {unix.IFLA_BRPORT_NEIGH_SUPPRESS, &p.NeighSuppress},
		{unix.IFLA_BRPORT_VLAN_TUNNEL, &p.VlanTunnel}, {unix.IFLA_BRPORT_LOCKED, &p.Locked},
		{unix.IFLA_BRPORT_TOPOLOGY_CHANGE_ACK, &p.TopologyChangeAck}, {unix.IFLA_BRPORT_CONFIG_PENDING, &p.ConfigPending},
	}
}

func (p *BridgePort) u16s() [5]brAttr[*uint16] {
	return [5]brAttr[*uint16]{{unix.IFLA_BRPORT_GROUP_FWD_MASK, &p.GroupFwdMask}, {unix.IFLA_BRPORT_ID, &p.ID}, {unix.IFLA_BRPORT_NO, &p.No},
		{unix.IFLA_BRPORT_DESIGNATED_PORT, &p.DesignatedPort}, {unix.IFLA_BRPORT_DESIGNATED_COST, &p.DesignatedCost}}
}

func (p *BridgePort) timers() [3]brAttr[*time.Duration] {
	return [3]brAttr[*time.Duration]{{unix.IFLA_BRPORT_HOLD_TIMER, &p.HoldTimer}, {unix.IFLA_BRPORT_MESSAGE_AGE_TIMER, &p.MessageAgeTimer},
		{unix.IFLA_BRPORT_FORWARD_DELAY_TIMER, &p.ForwardDelayTimer}}
}

// bridgeIDBytes is the wire form of a BridgeID (struct ifla_bridge_id).
func bridgeIDBytes(id BridgeID) []byte {
	p := [8]byte{byte(id.Priority >> 8), byte(id.Priority)}
	copy(p[2:], id.Addr[:])
	return p[:]
}

// decodeBridgeID reads a struct ifla_bridge_id.
func decodeBridgeID(d *nlattr.Decoder) BridgeID {
	if d.Len() != 8 {
		d.Fail(nlattr.ErrBadLength)
		return BridgeID{}
	}
	p := d.Bytes()
	return BridgeID{Priority: uint16(p[0])<<8 | uint16(p[1]), Addr: [6]byte(p[2:8])}
}

// bridgeCentiseconds converts a u64 clock_t to a duration, saturating.
func bridgeCentiseconds(cs uint64) time.Duration {
	return time.Duration(min(cs, uint64(1<<63-1)/uint64(10*time.Millisecond))) * 10 * time.Millisecond
}

// PortKind returns "bridge".
func (*BridgePort) PortKind() string { return "bridge" }

func (p *BridgePort) appendPortData(e *nlattr.Encoder) {
	e.Nest(unix.IFLA_INFO_SLAVE_DATA)
	e.Uint8(unix.IFLA_BRPORT_STATE, uint8(p.State))
	e.Uint16(unix.IFLA_BRPORT_PRIORITY, p.Priority)
	e.Uint32(unix.IFLA_BRPORT_COST, p.Cost)
	for _, f := range p.bools() {
		e.Uint8(f.typ, linkBool(*f.v))
	}
	for _, f := range p.u16s() {
		e.Uint16(f.typ, *f.v)
	}
	for _, f := range p.timers() {
		e.Uint64(f.typ, uint64(*f.v/(10*time.Millisecond)))
	}
	e.Uint8(unix.IFLA_BRPORT_MULTICAST_ROUTER, p.MulticastRouter)
	if p.BackupPort != 0 {
		e.Uint32(unix.IFLA_BRPORT_BACKUP_PORT, uint32(p.BackupPort))
	}
	e.Bytes(unix.IFLA_BRPORT_BRIDGE_ID, bridgeIDBytes(p.DesignatedBridge))
	e.Bytes(unix.IFLA_BRPORT_ROOT_ID, bridgeIDBytes(p.DesignatedRoot))
	e.End()
}

// decodeBridgePort decodes bridge IFLA_INFO_SLAVE_DATA.
func decodeBridgePort(d *nlattr.Decoder) *BridgePort {
	p := new(BridgePort)
	bools, u16s, timers := p.bools(), p.u16s(), p.timers()
	var slots brSlots
	n := slots.add(0, len(bools), func(i int) uint16 { return bools[i].typ })
	n = slots.add(n, len(u16s), func(i int) uint16 { return u16s[i].typ })
	slots.add(n, len(timers), func(i int) uint16 { return timers[i].typ })
	for d.Next() {
		t := d.Type()
		switch t {
		case unix.IFLA_BRPORT_STATE:
			p.State = BridgePortState(d.Uint8())
			continue
		case unix.IFLA_BRPORT_PRIORITY:
			p.Priority = d.Uint16()
			continue
		case unix.IFLA_BRPORT_COST:
			p.Cost = d.Uint32()
			continue
		case unix.IFLA_BRPORT_MULTICAST_ROUTER:
			p.MulticastRouter = d.Uint8()
			continue
		case unix.IFLA_BRPORT_BACKUP_PORT:
			p.BackupPort = d.Int32()
			continue
		case unix.IFLA_BRPORT_BRIDGE_ID:
			p.DesignatedBridge = decodeBridgeID(d)
			continue
		case unix.IFLA_BRPORT_ROOT_ID:
			p.DesignatedRoot = decodeBridgeID(d)
			continue
		}
		switch i := slots.of(t); {
		case i < 0:
		case i < len(bools):
			*bools[i].v = d.Uint8() != 0
		case i < len(bools)+len(u16s):
			*u16s[i-len(bools)].v = d.Uint16()
		default:
			*timers[i-len(bools)-len(u16s)].v = bridgeCentiseconds(d.Uint64())
		}
	}
	return p
}
