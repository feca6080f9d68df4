package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net"
	"runtime"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Link is a network interface as route netlink describes it: the fixed
// struct ifinfomsg header plus its IFLA_* attributes.
//
// Links returned by this package are values owned by the caller: no field
// aliases a receive buffer. When a Link is given to AddLink only the
// fields marked "set by AddLink" are sent; the others are read-only state
// the kernel reports.
type Link struct {
	// Index is the interface index (ifi_index). AddLink: 0 lets the
	// kernel pick one; another value asks for that index.
	Index int32
	// Name is the interface name (IFLA_IFNAME). Set by AddLink; empty
	// lets the kernel pick one from the kind ("veth0", "br0", ...).
	Name string
	// Kind is the link kind (IFLA_INFO_KIND): "veth", "bridge",
	// "vxlan"... and "" for links without one (loopback, most physical
	// devices). AddLink takes the kind from Info when Info is set.
	Kind string
	// Type is the link-layer type (ifi_type, ARPHRD_*). Read-only.
	Type LinkType
	// Flags are the interface flags (ifi_flags, IFF_*). AddLink sets
	// the flags given here (LinkUp brings the new link up); it cannot
	// clear any.
	Flags LinkFlags
	// MTU (IFLA_MTU). Set by AddLink; 0 keeps the kind's default.
	MTU uint32
	// MinMTU and MaxMTU are the bounds the device accepts for MTU
	// (IFLA_MIN_MTU, IFLA_MAX_MTU; 0 when unknown). Read-only.
	MinMTU, MaxMTU uint32
	// HardwareAddr is the link-layer address (IFLA_ADDRESS). Set by
	// AddLink; nil lets the kernel choose (a random MAC for most kinds).
	HardwareAddr net.HardwareAddr
	// Broadcast is the link-layer broadcast address (IFLA_BROADCAST).
	// Set by AddLink if not nil.
	Broadcast net.HardwareAddr
	// Master is the index of the master device (IFLA_MASTER): the
	// bridge a port belongs to, the bond of a slave; 0 for none. Set by
	// AddLink.
	Master int32
	// Parent is the index of the link this one is stacked on or paired
	// with (IFLA_LINK): the lower device of a macvlan or vlan, the peer
	// of a veth. 0 for none. If HasLinkNetNSID, the index is in that
	// other namespace. Set by AddLink (required for macvlan and vlan).
	Parent int32
	// HasParent says the kernel reported IFLA_LINK, 0 included: a veth
	// announced before its peer exists has Parent 0 (iproute2 prints
	// "@NONE"). Read-only.
	HasParent bool
	// OperState is the RFC 2863 operational state (IFLA_OPERSTATE).
	// Read-only.
	OperState OperState
	// Carrier reports whether the link has carrier (IFLA_CARRIER).
	// Read-only.
	Carrier bool
	// TxQueueLen is the transmit queue length (IFLA_TXQLEN). Set by
	// AddLink if not 0.
	TxQueueLen uint32
	// Alias is the interface alias (IFLA_IFALIAS), "" for none. The
	// kernel ignores it in a request that creates a link, so AddLink
	// sets it with a second request (RTM_SETLINK) once the link exists,
	// finding the link by Index, or else by Name; one of them is then
	// required, and NetNS must be nil.
	Alias string
	// Group is the interface group (IFLA_GROUP), 0 being "default". Set
	// by AddLink if not 0.
	Group uint32
	// Promiscuity counts the users that put the link in promiscuous mode
	// (IFLA_PROMISCUITY). Read-only.
	Promiscuity uint32
	// AllMulti counts the users that put the link in all-multicast mode
	// (IFLA_ALLMULTI, Linux 6.0), valid if HasAllMulti. Read-only.
	AllMulti    uint32
	HasAllMulti bool // IFLA_ALLMULTI was present
	// Qdisc is the kind of the link's root queueing discipline
	// (IFLA_QDISC): "noqueue", "pfifo_fast", "noop"...; "" when the
	// kernel did not report one. Read-only.
	Qdisc string
	// LinkMode is the link mode (IFLA_LINKMODE, IF_LINK_MODE_*), which
	// the kernel always reports. Read-only.
	LinkMode LinkMode
	// ProtoDown reports that a protocol (such as VRRP or a switch
	// driver) holds the link down (IFLA_PROTO_DOWN). Read-only.
	ProtoDown bool
	// NumTxQueues and NumRxQueues are the numbers of transmit and
	// receive queues (IFLA_NUM_TX_QUEUES, IFLA_NUM_RX_QUEUES); 0 when not
	// reported. Set by AddLink if not 0 (kinds with several queues, such
	// as veth, accept them).
	NumTxQueues, NumRxQueues uint32
	// ParentDev and ParentBus name the device this link belongs to and
	// its bus (IFLA_PARENT_DEV_NAME, IFLA_PARENT_DEV_BUS_NAME: "0000:00:03.0"
	// and "pci" for a PCI network card); "" for virtual links. ParentDev is
	// set by AddLink if not "" (for kinds created on a parent device,
	// such as wwan links); ParentBus is read-only.
	ParentDev, ParentBus string
	// GSOMaxSize and GSOMaxSegs are the largest GSO packet the stack
	// builds for the link, in bytes and segments (IFLA_GSO_MAX_SIZE,
	// IFLA_GSO_MAX_SEGS); TSOMaxSize and TSOMaxSegs the largest the
	// device accepts (IFLA_TSO_MAX_SIZE, IFLA_TSO_MAX_SEGS, Linux 5.18);
	// GROMaxSize the largest packet GRO builds (IFLA_GRO_MAX_SIZE, Linux
	// 5.19). 0 when not reported. Read-only.
	GSOMaxSize, GSOMaxSegs uint32
	TSOMaxSize, TSOMaxSegs uint32
	GROMaxSize             uint32
	// AddrGenMode is how the link's IPv6 link-local address is made
	// (IFLA_AF_SPEC, AF_INET6, IFLA_INET6_ADDR_GEN_MODE), valid if
	// HasAddrGenMode: links without IPv6 configuration (IPv6 disabled,
	// or an MTU below 1280) have none. Read-only.
	AddrGenMode    AddrGenMode
	HasAddrGenMode bool // IFLA_INET6_ADDR_GEN_MODE was present
	// AltNames are the link's alternative names (IFLA_PROP_LIST,
	// IFLA_ALT_IFNAME), in the kernel's order; nil for none. Read-only.
	AltNames []string
	// LinkNetNSID is the id, in the namespace the link was read from, of
	// the namespace Parent lives in (IFLA_LINK_NETNSID): a veth whose
	// peer is elsewhere, for instance. Only meaningful if HasLinkNetNSID.
	// Read-only.
	LinkNetNSID    int32
	HasLinkNetNSID bool // IFLA_LINK_NETNSID was present
	// NewNetNSID and NewIndex are, in the deletion notification of a link
	// that moved to another namespace, that namespace's id here and the
	// link's index there (IFLA_NEW_NETNSID, valid if HasNewNetNSID;
	// IFLA_NEW_IFINDEX, 0 if absent). Read-only.
	NewNetNSID    int32
	HasNewNetNSID bool
	NewIndex      int32
	// Stats are the interface counters (IFLA_STATS64), valid if
	// HasStats. Read-only.
	Stats    LinkStats64
	HasStats bool // IFLA_STATS64 was present
	// Info holds the kind-specific settings (IFLA_INFO_DATA): *Veth,
	// *Bridge, *Macvlan, *Vxlan, *Vlan, *TunTap, or *UnknownKind for
	// kinds this package does not model. Decoding sets it whenever Kind
	// is not "". Set by AddLink, which takes the kind from it.
	Info LinkInfo
	// Port describes the link as a port of its master (IFLA_INFO_SLAVE_KIND
	// and IFLA_INFO_SLAVE_DATA): *BridgePort, or *UnknownPort for other
	// masters; nil if the link is nobody's port. Read-only.
	Port LinkPortInfo
	// NetNS makes AddLink create the link in that namespace rather than
	// the Conn's (IFLA_NET_NS_FD, iproute2 `ip link add ... netns NS`);
	// Parent and Master are still indexes in the Conn's namespace. The
	// caller keeps ownership of NetNS; decoding never sets it.
	NetNS *netns.NS
}

// LinkType is the link-layer type of a link (ifi_type: ARPHRD_* from
// linux/if_arp.h).
type LinkType uint16

// Common link-layer types (linux/if_arp.h).
const (
	LinkTypeNetrom     LinkType = 0     // ARPHRD_NETROM
	LinkTypeEther      LinkType = 1     // ARPHRD_ETHER
	LinkTypeIEEE802    LinkType = 6     // ARPHRD_IEEE802
	LinkTypeInfiniband LinkType = 32    // ARPHRD_INFINIBAND
	LinkTypeCAN        LinkType = 280   // ARPHRD_CAN
	LinkTypePPP        LinkType = 512   // ARPHRD_PPP
	LinkTypeTunnel     LinkType = 768   // ARPHRD_TUNNEL (ipip)
	LinkTypeTunnel6    LinkType = 769   // ARPHRD_TUNNEL6
	LinkTypeLoopback   LinkType = 772   // ARPHRD_LOOPBACK
	LinkTypeSIT        LinkType = 776   // ARPHRD_SIT
	LinkTypeIPGRE      LinkType = 778   // ARPHRD_IPGRE
	LinkTypeIP6GRE     LinkType = 823   // ARPHRD_IP6GRE
	LinkTypeNetlink    LinkType = 824   // ARPHRD_NETLINK
	LinkTypeNone       LinkType = 65534 // ARPHRD_NONE (tun, wireguard)
	LinkTypeVoid       LinkType = 65535 // ARPHRD_VOID
)

var linkTypeNames = map[LinkType]string{
	LinkTypeNetrom: "netrom", LinkTypeEther: "ether", LinkTypeIEEE802: "ieee802",
	LinkTypeInfiniband: "infiniband", LinkTypeCAN: "can", LinkTypePPP: "ppp", LinkTypeTunnel: "ipip",
	LinkTypeTunnel6: "tunnel6", LinkTypeLoopback: "loopback", LinkTypeSIT: "sit", LinkTypeIPGRE: "gre",
	LinkTypeIP6GRE: "gre6", LinkTypeNetlink: "netlink", LinkTypeNone: "none", LinkTypeVoid: "void",
}

// String gives iproute2's link_type words (ether, loopback, none, ...), or
// "[N]" like iproute2 for types it has no name for here.
func (t LinkType) String() string {
	if s, ok := linkTypeNames[t]; ok {
		return s
	}
	return "[" + strconv.Itoa(int(t)) + "]"
}

// LinkFlags are the interface flags of ifi_flags (IFF_* from linux/if.h).
type LinkFlags uint32

// Interface flags (linux/if.h).
const (
	LinkUp           LinkFlags = unix.IFF_UP          // IFF_UP: administratively up
	LinkBroadcast    LinkFlags = unix.IFF_BROADCAST   // IFF_BROADCAST
	LinkDebug        LinkFlags = unix.IFF_DEBUG       // IFF_DEBUG
	LinkLoopback     LinkFlags = unix.IFF_LOOPBACK    // IFF_LOOPBACK
	LinkPointToPoint LinkFlags = unix.IFF_POINTOPOINT // IFF_POINTOPOINT
	LinkNoTrailers   LinkFlags = unix.IFF_NOTRAILERS  // IFF_NOTRAILERS
	LinkRunning      LinkFlags = unix.IFF_RUNNING     // IFF_RUNNING: operationally up
	LinkNoARP        LinkFlags = unix.IFF_NOARP       // IFF_NOARP
	LinkPromisc      LinkFlags = unix.IFF_PROMISC     // IFF_PROMISC
	LinkAllMulti     LinkFlags = unix.IFF_ALLMULTI    // IFF_ALLMULTI
	LinkMaster       LinkFlags = unix.IFF_MASTER      // IFF_MASTER: bonding master
	LinkSlave        LinkFlags = unix.IFF_SLAVE       // IFF_SLAVE: bonding slave
	LinkMulticast    LinkFlags = unix.IFF_MULTICAST   // IFF_MULTICAST
	LinkPortSel      LinkFlags = unix.IFF_PORTSEL     // IFF_PORTSEL
	LinkAutoMedia    LinkFlags = unix.IFF_AUTOMEDIA   // IFF_AUTOMEDIA
	LinkDynamic      LinkFlags = unix.IFF_DYNAMIC     // IFF_DYNAMIC
	LinkLowerUp      LinkFlags = unix.IFF_LOWER_UP    // IFF_LOWER_UP: driver signals L1 up
	LinkDormant      LinkFlags = unix.IFF_DORMANT     // IFF_DORMANT
	LinkEcho         LinkFlags = unix.IFF_ECHO        // IFF_ECHO
)

// linkFlagWords is the order in which iproute2 prints flags.
var linkFlagWords = [...]struct {
	f    LinkFlags
	name string
}{
	{LinkLoopback, "LOOPBACK"}, {LinkBroadcast, "BROADCAST"}, {LinkPointToPoint, "POINTOPOINT"},
	{LinkMulticast, "MULTICAST"}, {LinkNoARP, "NOARP"}, {LinkAllMulti, "ALLMULTI"},
	{LinkPromisc, "PROMISC"}, {LinkMaster, "MASTER"}, {LinkSlave, "SLAVE"}, {LinkDebug, "DEBUG"},
	{LinkDynamic, "DYNAMIC"}, {LinkAutoMedia, "AUTOMEDIA"}, {LinkPortSel, "PORTSEL"},
	{LinkNoTrailers, "NOTRAILERS"}, {LinkUp, "UP"}, {LinkLowerUp, "LOWER_UP"},
	{LinkDormant, "DORMANT"}, {LinkEcho, "ECHO"},
}

// Words returns the flags as iproute2 lists them (the "flags" array of
// `ip -j link show`): "NO-CARRIER" first when the link is up but not
// running, then LOOPBACK, BROADCAST, ..., UP, LOWER_UP, DORMANT, ECHO.
// RUNNING itself is not listed, as in iproute2; unnamed bits come last
// in hexadecimal. iproute2's "M-DOWN" depends on another link's state and
// is not produced.
func (f LinkFlags) Words() []string {
	var w []string
	if f&LinkUp != 0 && f&LinkRunning == 0 {
		w = append(w, "NO-CARRIER")
	}
	rest := f &^ LinkRunning
	for _, n := range linkFlagWords {
		if rest&n.f != 0 {
			w = append(w, n.name)
			rest &^= n.f
		}
	}
	if rest != 0 {
		w = append(w, strconv.FormatUint(uint64(rest), 16))
	}
	return w
}

// String joins Words with commas, as iproute2 prints flags between angle
// brackets: "BROADCAST,MULTICAST,UP,LOWER_UP".
func (f LinkFlags) String() string {
	return strings.Join(f.Words(), ",")
}

// OperState is the RFC 2863 operational state of a link (IFLA_OPERSTATE,
// IF_OPER_* from linux/if.h).
type OperState uint8

// Operational states (linux/if.h).
const (
	OperUnknown        OperState = 0 // IF_OPER_UNKNOWN
	OperNotPresent     OperState = 1 // IF_OPER_NOTPRESENT
	OperDown           OperState = 2 // IF_OPER_DOWN
	OperLowerLayerDown OperState = 3 // IF_OPER_LOWERLAYERDOWN
	OperTesting        OperState = 4 // IF_OPER_TESTING
	OperDormant        OperState = 5 // IF_OPER_DORMANT
	OperUp             OperState = 6 // IF_OPER_UP
)

var linkOperStateNames = [...]string{"UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"}

// String gives iproute2's words: UNKNOWN, NOTPRESENT, DOWN,
// LOWERLAYERDOWN, TESTING, DORMANT, UP; other values as numbers.
func (s OperState) String() string {
	if int(s) < len(linkOperStateNames) {
		return linkOperStateNames[s]
	}
	return strconv.Itoa(int(s))
}

// LinkMode is the mode of a link (IFLA_LINKMODE, IF_LINK_MODE_* from
// linux/if.h): how its operational state follows its lower layer.
type LinkMode uint8

// Link modes (linux/if.h).
const (
	LinkModeDefault LinkMode = 0 // IF_LINK_MODE_DEFAULT
	LinkModeDormant LinkMode = 1 // IF_LINK_MODE_DORMANT: limit upward transition to dormant
	LinkModeTesting LinkMode = 2 // IF_LINK_MODE_TESTING: limit upward transition to testing
)

var linkModeNames = [...]string{"DEFAULT", "DORMANT", "TESTING"}

// String gives iproute2's words: DEFAULT, DORMANT, TESTING; other values
// as numbers.
func (m LinkMode) String() string {
	if int(m) < len(linkModeNames) {
		return linkModeNames[m]
	}
	return strconv.Itoa(int(m))
}

// AddrGenMode is how the kernel makes the IPv6 link-local address of a
// link (IFLA_INET6_ADDR_GEN_MODE, enum in6_addr_gen_mode from
// linux/if_link.h).
type AddrGenMode uint8

// IPv6 address generation modes (linux/if_link.h).
const (
	AddrGenModeEUI64         AddrGenMode = 0 // IN6_ADDR_GEN_MODE_EUI64: from the MAC address
	AddrGenModeNone          AddrGenMode = 1 // IN6_ADDR_GEN_MODE_NONE: no link-local address
	AddrGenModeStablePrivacy AddrGenMode = 2 // IN6_ADDR_GEN_MODE_STABLE_PRIVACY: RFC 7217, from a secret
	AddrGenModeRandom        AddrGenMode = 3 // IN6_ADDR_GEN_MODE_RANDOM: RFC 7217 with a random secret
)

var addrGenModeNames = [...]string{"eui64", "none", "stable_secret", "random"}

// String gives iproute2's words: eui64, none, stable_secret, random;
// other values in hexadecimal as iproute2 prints them ("0x04").
func (m AddrGenMode) String() string {
	if int(m) < len(addrGenModeNames) {
		return addrGenModeNames[m]
	}
	return fmt.Sprintf("%#.2x", uint8(m))
}

// LinkStats64 are the interface counters of struct rtnl_link_stats64
// (IFLA_STATS64, linux/if_link.h). Counters the running kernel does not
// report (older kernels send a shorter struct) are 0.
type LinkStats64 struct {
	RxPackets  uint64 // rx_packets
	TxPackets  uint64 // tx_packets
	RxBytes    uint64 // rx_bytes
	TxBytes    uint64 // tx_bytes
	RxErrors   uint64 // rx_errors
	TxErrors   uint64 // tx_errors
	RxDropped  uint64 // rx_dropped
	TxDropped  uint64 // tx_dropped
	Multicast  uint64 // multicast
	Collisions uint64 // collisions

	RxLengthErrors uint64 // rx_length_errors
	RxOverErrors   uint64 // rx_over_errors
	RxCRCErrors    uint64 // rx_crc_errors
	RxFrameErrors  uint64 // rx_frame_errors
	RxFIFOErrors   uint64 // rx_fifo_errors
	RxMissedErrors uint64 // rx_missed_errors

	TxAbortedErrors   uint64 // tx_aborted_errors
	TxCarrierErrors   uint64 // tx_carrier_errors
	TxFIFOErrors      uint64 // tx_fifo_errors
	TxHeartbeatErrors uint64 // tx_heartbeat_errors
	TxWindowErrors    uint64 // tx_window_errors

	RxCompressed       uint64 // rx_compressed
	TxCompressed       uint64 // tx_compressed
	RxNoHandler        uint64 // rx_nohandler (Linux 4.6)
	RxOtherhostDropped uint64 // rx_otherhost_dropped (Linux 5.19)
}

const (
	// linkStatsMinLen is the size of the original struct
	// rtnl_link_stats64 (23 counters); newer kernels append counters.
	linkStatsMinLen = 23 * 8
	// linkStatsLen is the size of the struct as this package knows it.
	linkStatsLen = 25 * 8
)

// fields lists the counters in struct order.
func (s *LinkStats64) fields() [25]*uint64 {
	return [25]*uint64{&s.RxPackets, &s.TxPackets, &s.RxBytes, &s.TxBytes, &s.RxErrors, &s.TxErrors,
		&s.RxDropped, &s.TxDropped, &s.Multicast, &s.Collisions, &s.RxLengthErrors, &s.RxOverErrors,
		&s.RxCRCErrors, &s.RxFrameErrors, &s.RxFIFOErrors, &s.RxMissedErrors, &s.TxAbortedErrors,
		&s.TxCarrierErrors, &s.TxFIFOErrors, &s.TxHeartbeatErrors, &s.TxWindowErrors,
		&s.RxCompressed, &s.TxCompressed, &s.RxNoHandler, &s.RxOtherhostDropped}
}

// LinkFilter selects links in Links. The zero value selects all of them.
type LinkFilter struct {
	// Kind selects links of this kind (IFLA_INFO_KIND), "" for any.
	Kind string
	// Master selects the ports of this master (IFLA_MASTER): 0 for any
	// link, -1 for links without a master.
	Master int32
}

func (f *LinkFilter) match(l *Link) bool {
	if f.Kind != "" && l.Kind != f.Kind {
		return false
	}
	switch f.Master {
	case 0:
	case -1:
		if l.Master != 0 {
			return false
		}
	default:
		if l.Master != f.Master {
			return false
		}
	}
	return true
}

// LinkChange lists changes for SetLink. Zero fields (nil pointers, "",
// 0) are left unchanged; a zero LinkChange changes nothing.
type LinkChange struct {
	// Name renames the link (IFLA_IFNAME). The kernel refuses to rename
	// a link that is up (EBUSY).
	Name string
	// MTU sets the MTU (IFLA_MTU).
	MTU uint32
	// HardwareAddr sets the link-layer address (IFLA_ADDRESS).
	HardwareAddr net.HardwareAddr
	// Up brings the link up (true) or down (false): IFF_UP in ifi_flags
	// with ifi_change selecting only that flag.
	Up *bool
	// Master enslaves the link to this master, a bridge for instance
	// (IFLA_MASTER); 0 releases it from its master ("nomaster").
	Master *int32
	// NetNS moves the link into this namespace (IFLA_NET_NS_FD). The
	// link gets a new index there, and disappears from the Conn's
	// namespace. The caller keeps ownership of NetNS.
	NetNS *netns.NS
	// TxQueueLen sets the transmit queue length (IFLA_TXQLEN).
	TxQueueLen *uint32
	// Alias sets the alias (IFLA_IFALIAS); "" removes it.
	Alias *string
	// Group sets the interface group (IFLA_GROUP).
	Group *uint32
	// Flags and FlagsMask change interface flags (ifi_flags and
	// ifi_change): each bit set in FlagsMask takes its value from Flags,
	// the others are left alone. `ip link set DEV arp off` is Flags and
	// FlagsMask LinkNoARP. Up, when not nil, decides LinkUp over these.
	Flags, FlagsMask LinkFlags
	// Broadcast sets the link-layer broadcast address (IFLA_BROADCAST).
	Broadcast net.HardwareAddr
	// Carrier sets the carrier of devices that let software change it
	// (IFLA_CARRIER); others refuse with EOPNOTSUPP.
	Carrier *bool
	// ProtoDown holds the link down on behalf of a protocol
	// (IFLA_PROTO_DOWN), for devices that support it (EOPNOTSUPP else).
	ProtoDown *bool
	// ProtoDownReason sets or clears reason bits of ProtoDown
	// (IFLA_PROTO_DOWN_REASON): the bits of its Mask take their value
	// from its Value.
	ProtoDownReason *ProtoDownReason
	// GSOMaxSize, GSOMaxSegs and GROMaxSize set the largest GSO packet
	// the stack builds for the link (IFLA_GSO_MAX_SIZE, in bytes;
	// IFLA_GSO_MAX_SEGS, in segments) and the largest GRO packet
	// (IFLA_GRO_MAX_SIZE).
	GSOMaxSize, GSOMaxSegs, GROMaxSize *uint32
	// AddrGenMode sets how the IPv6 link-local address is made
	// (IFLA_AF_SPEC, AF_INET6, IFLA_INET6_ADDR_GEN_MODE).
	AddrGenMode *AddrGenMode
	// LinkNetNSID sets the namespace id of the link's peer or lower
	// device for kinds that accept it on change (IFLA_LINK_NETNSID).
	LinkNetNSID *int32
	// NetNSPID moves the link into the network namespace of this process
	// (IFLA_NET_NS_PID), as `ip link set DEV netns PID`; 0 for none.
	// NetNS and NetNSPID exclude each other.
	NetNSPID int
	// LinkMode sets the link mode (IFLA_LINKMODE; `ip link set DEV mode
	// dormant`), OperState the operational state a user-space supplicant
	// reports (IFLA_OPERSTATE; `ip link set DEV state dormant`).
	LinkMode  *LinkMode
	OperState *OperState
	// NewIndex, with NetNS or NetNSPID, is the index the link takes in
	// the namespace it moves to (IFLA_NEW_IFINDEX); 0 lets the kernel
	// keep or pick one.
	NewIndex int32
	// XDP attaches or detaches an XDP program (IFLA_XDP); nil leaves it.
	XDP *LinkXDP
	// VFs changes the settings of SR-IOV virtual functions
	// (IFLA_VFINFO_LIST); devices without them refuse (EOPNOTSUPP).
	VFs []VFChange
	// Info changes settings of the link's kind (IFLA_LINKINFO with
	// IFLA_INFO_KIND and IFLA_INFO_DATA: `ip link set DEV type KIND
	// ...`). Only what is set in it is sent, with the same meaning of
	// "unset" as in AddLink; its kind must be the link's (else
	// EOPNOTSUPP), and the kind must support changes (veth does not).
	// The kernel applies these only in RTM_NEWLINK, so with Info SetLink
	// sends its request as RTM_NEWLINK without NLM_F_CREATE (as iproute2
	// does) instead of RTM_SETLINK.
	Info LinkInfo
}

// linkMsgLen is sizeof(struct ifinfomsg) (linux/rtnetlink.h).
const linkMsgLen = 16

// appendLinkMsg appends a struct ifinfomsg.
func appendLinkMsg(b []byte, typ LinkType, index int32, flags, change LinkFlags) []byte {
	b = append(b, unix.AF_UNSPEC, 0) // ifi_family, __ifi_pad
	b = binary.NativeEndian.AppendUint16(b, uint16(typ))
	b = binary.NativeEndian.AppendUint32(b, uint32(index))
	b = binary.NativeEndian.AppendUint32(b, uint32(flags))
	return binary.NativeEndian.AppendUint32(b, uint32(change))
}

// Links streams the links that match f. It is a single-use iterator that
// stops at the first error; breaking out early is fine. Kind and Master
// are filtered by the kernel (with strict checking, the netlink default)
// and checked again here, because a kernel that does not know the kind
// (its module is not loaded) ignores that filter.
func (c *Conn) Links(ctx context.Context, f LinkFilter) iter.Seq2[Link, error] {
	return f.dump().seq(c, ctx)
}

// LinkList returns the links that match f (see Links) as a slice the
// caller owns, read whole before decoding (see RouteList). An error
// returns no links.
func (c *Conn) LinkList(ctx context.Context, f LinkFilter) ([]Link, error) {
	return f.dump().list(c, ctx)
}

// dump is the link dump f asks for.
func (f LinkFilter) dump() dumpReq[Link] {
	e := nlattr.NewEncoder(appendLinkMsg(make([]byte, 0, 64), 0, 0, 0, 0))
	if f.Master != 0 {
		e.Uint32(unix.IFLA_MASTER, uint32(f.Master))
	}
	if f.Kind != "" {
		e.Nest(unix.IFLA_LINKINFO)
		e.String(unix.IFLA_INFO_KIND, f.Kind)
		e.End()
	}
	body, err := e.Finish()
	return dumpReq[Link]{op: "list links", typ: unix.RTM_GETLINK, want: unix.RTM_NEWLINK, body: body, err: err,
		decode: func(l *Link, m netlink.Message) (bool, error) {
			var err error
			if *l, err = decodeLink(m.Data); err != nil {
				return false, err
			}
			return f.match(l), nil
		}}
}

// Link returns the link with this index, asked of the kernel directly
// (RTM_GETLINK). A missing link gives an error matching syscall.ENODEV.
func (c *Conn) Link(ctx context.Context, index int32) (Link, error) {
	return c.getLink(ctx, linkName("", index), appendLinkMsg(make([]byte, 0, linkMsgLen), 0, index, 0, 0))
}

// LinkByName returns the link with this name (RTM_GETLINK with
// IFLA_IFNAME). A missing link gives an error matching syscall.ENODEV.
func (c *Conn) LinkByName(ctx context.Context, name string) (Link, error) {
	e := nlattr.NewEncoder(appendLinkMsg(make([]byte, 0, 64), 0, 0, 0, 0))
	e.String(unix.IFLA_IFNAME, name)
	body, err := e.Finish()
	if err != nil {
		return Link{}, fmt.Errorf("rtnl: get link: %w", err)
	}
	return c.getLink(ctx, linkName(name, 0), body)
}

func (c *Conn) getLink(ctx context.Context, name string, body []byte) (Link, error) {
	return getOne(ctx, c, "get link "+name, unix.RTM_GETLINK, body, unix.RTM_NEWLINK, decodeLink, "the kernel sent no link")
}

// AddLink creates a link (RTM_NEWLINK with NLM_F_CREATE|NLM_F_EXCL) from
// the fields of l that AddLink sets (see Link). The kind comes from
// l.Info, or from l.Kind for kinds without settings (l.Kind = "ifb").
// A link with that name already existing gives an error matching
// fs.ErrExist (EEXIST). Any namespace named in l.Info (Veth.PeerNetNS)
// stays owned by the caller.
//
// With l.Alias, AddLink makes a second request once the link exists (see
// Link.Alias); if that one fails, the error says so and the link stays,
// without its alias.
func (c *Conn) AddLink(ctx context.Context, l Link) error {
	return c.newLink(ctx, "add", netlink.Create|netlink.Excl, l)
}

// ReplaceLink is `ip link replace`: RTM_NEWLINK with NLM_F_CREATE and
// NLM_F_REPLACE. It creates the link l describes when no link has its
// name (or l.Index); for an existing link the kernel (Linux 6.18) answers
// EOPNOTSUPP rather than replacing it: change a link with SetLink. Alias
// and namespaces as in AddLink.
func (c *Conn) ReplaceLink(ctx context.Context, l Link) error {
	return c.newLink(ctx, "replace", netlink.Create|netlink.Replace, l)
}

func (c *Conn) newLink(ctx context.Context, verb string, flags netlink.Flags, l Link) error {
	if l.Alias != "" && (l.NetNS != nil || l.Index == 0 && l.Name == "") {
		return errors.New("rtnl: " + verb + " link: Alias needs Name or Index, and no NetNS, to be set once the link exists")
	}
	body, err := appendLinkRequest(make([]byte, 0, 256), &l)
	if err != nil {
		return fmt.Errorf("rtnl: %s link: %w", verb, err)
	}
	_, err = c.execute(ctx, verb+" link "+linkName(l.Name, l.Index), unix.RTM_NEWLINK, flags, body)
	runtime.KeepAlive(l.Info) // namespace descriptors in the request
	runtime.KeepAlive(l.NetNS)
	if err != nil || l.Alias == "" {
		return err
	}
	// The kernel ignores IFLA_IFALIAS on creation.
	e := nlattr.NewEncoder(appendLinkMsg(make([]byte, 0, 64+len(l.Alias)), 0, l.Index, 0, 0))
	if l.Index == 0 {
		e.String(unix.IFLA_IFNAME, l.Name)
	}
	e.String(unix.IFLA_IFALIAS, l.Alias)
	if body, err = e.Finish(); err == nil {
		_, err = c.execute(ctx, "set alias of link "+linkName(l.Name, l.Index), unix.RTM_SETLINK, 0, body)
	}
	if err != nil {
		return fmt.Errorf("rtnl: %s link: the link was made, but setting its alias failed: %w", verb, err)
	}
	return nil
}

// DeleteLink deletes the link with this index (RTM_DELLINK). Deleting one
// end of a veth pair deletes both. A missing link gives an error matching
// syscall.ENODEV.
func (c *Conn) DeleteLink(ctx context.Context, index int32) error {
	_, err := c.execute(ctx, "delete link "+linkName("", index), unix.RTM_DELLINK, 0, appendLinkMsg(make([]byte, 0, linkMsgLen), 0, index, 0, 0))
	return err
}

// SetLink applies ch to the link with this index in one request
// (RTM_SETLINK). A missing link gives an error matching syscall.ENODEV;
// an invalid value (an MTU out of the device's range, say) EINVAL, with
// the kernel's explanation in the *netlink.Error's Message.
func (c *Conn) SetLink(ctx context.Context, index int32, ch LinkChange) error {
	flags, change := ch.changeFlags()
	e := nlattr.NewEncoder(appendLinkMsg(make([]byte, 0, 128), 0, index, flags, change))
	if err := appendLinkChange(e, &ch); err != nil {
		return fmt.Errorf("rtnl: set link: %w", err)
	}
	typ := netlink.MessageType(unix.RTM_SETLINK)
	if ch.LinkNetNSID != nil {
		// RTM_SETLINK ignores IFLA_LINK_NETNSID; RTM_NEWLINK checks it
		// (an unknown id is EINVAL) and hands it to the kind.
		typ = unix.RTM_NEWLINK
	}
	if ch.Info != nil {
		typ = unix.RTM_NEWLINK
		e.Nest(unix.IFLA_LINKINFO)
		e.String(unix.IFLA_INFO_KIND, ch.Info.LinkKind())
		if err := ch.Info.appendInfoData(e, false); err != nil {
			return fmt.Errorf("rtnl: set link: %w", err)
		}
		e.End()
	}
	body, err := e.Finish()
	if err != nil {
		return fmt.Errorf("rtnl: set link: %w", err)
	}
	_, err = c.execute(ctx, "set link "+linkName("", index), typ, 0, body)
	runtime.KeepAlive(ch.NetNS)
	runtime.KeepAlive(ch.Info)
	return err
}

// SetLinkUp brings the link up (ip link set ... up).
func (c *Conn) SetLinkUp(ctx context.Context, index int32) error {
	up := true
	return c.SetLink(ctx, index, LinkChange{Up: &up})
}

// SetLinkDown brings the link down (ip link set ... down).
func (c *Conn) SetLinkDown(ctx context.Context, index int32) error {
	up := false
	return c.SetLink(ctx, index, LinkChange{Up: &up})
}

// SetLinkMaster enslaves the link to master, a bridge for instance
// (ip link set ... master M).
func (c *Conn) SetLinkMaster(ctx context.Context, index, master int32) error {
	return c.SetLink(ctx, index, LinkChange{Master: &master})
}

// SetLinkNoMaster releases the link from its master (ip link set ...
// nomaster).
func (c *Conn) SetLinkNoMaster(ctx context.Context, index int32) error {
	var none int32
	return c.SetLink(ctx, index, LinkChange{Master: &none})
}

// SetLinkNetNS moves the link into ns (ip link set ... netns NS). The
// caller keeps ownership of ns.
func (c *Conn) SetLinkNetNS(ctx context.Context, index int32, ns *netns.NS) error {
	if ns == nil {
		return errors.New("rtnl: set link: nil namespace")
	}
	return c.SetLink(ctx, index, LinkChange{NetNS: ns})
}

// appendLinkRequest appends the body of an RTM_NEWLINK request creating l.
func appendLinkRequest(b []byte, l *Link) ([]byte, error) {
	if l.Info != nil && l.Kind != "" && l.Kind != l.Info.LinkKind() {
		return b, fmt.Errorf("Kind %q does not match the kind %q of Info (%T)", l.Kind, l.Info.LinkKind(), l.Info)
	}
	e := nlattr.NewEncoder(appendLinkMsg(b, 0, l.Index, l.Flags, l.Flags))
	if err := appendLinkAttrs(e, l, false); err != nil {
		return b, err
	}
	return e.Finish()
}

// appendLinkAttrs appends the IFLA_* attributes of l: those AddLink sends,
// and with full also the read-only ones, as the kernel reports them.
func appendLinkAttrs(e *nlattr.Encoder, l *Link, full bool) error {
	if l.Name != "" {
		e.String(unix.IFLA_IFNAME, l.Name)
	}
	if l.MTU != 0 {
		e.Uint32(unix.IFLA_MTU, l.MTU)
	}
	if len(l.HardwareAddr) > 0 {
		e.Bytes(unix.IFLA_ADDRESS, l.HardwareAddr)
	}
	if len(l.Broadcast) > 0 {
		e.Bytes(unix.IFLA_BROADCAST, l.Broadcast)
	}
	if l.Master != 0 {
		e.Uint32(unix.IFLA_MASTER, uint32(l.Master))
	}
	if l.Parent != 0 || full && l.HasParent {
		e.Uint32(unix.IFLA_LINK, uint32(l.Parent))
	}
	if l.TxQueueLen != 0 {
		e.Uint32(unix.IFLA_TXQLEN, l.TxQueueLen)
	}
	if l.Group != 0 {
		e.Uint32(unix.IFLA_GROUP, l.Group)
	}
	if !full {
		if l.NumTxQueues != 0 {
			e.Uint32(unix.IFLA_NUM_TX_QUEUES, l.NumTxQueues)
		}
		if l.NumRxQueues != 0 {
			e.Uint32(unix.IFLA_NUM_RX_QUEUES, l.NumRxQueues)
		}
	}
	if l.ParentDev != "" {
		e.String(unix.IFLA_PARENT_DEV_NAME, l.ParentDev)
	}
	if full && l.ParentBus != "" {
		e.String(unix.IFLA_PARENT_DEV_BUS_NAME, l.ParentBus)
	}
	if l.NetNS != nil && !full {
		fd := l.NetNS.Fd()
		if fd < 0 {
			return errors.New("NetNS is closed")
		}
		e.Uint32(unix.IFLA_NET_NS_FD, uint32(fd))
	}
	if full {
		if l.Alias != "" {
			e.String(unix.IFLA_IFALIAS, l.Alias)
		}
		if l.MinMTU != 0 {
			e.Uint32(unix.IFLA_MIN_MTU, l.MinMTU)
		}
		if l.MaxMTU != 0 {
			e.Uint32(unix.IFLA_MAX_MTU, l.MaxMTU)
		}
		e.Uint8(unix.IFLA_OPERSTATE, uint8(l.OperState))
		var carrier uint8
		if l.Carrier {
			carrier = 1
		}
		e.Uint8(unix.IFLA_CARRIER, carrier)
		if l.Promiscuity != 0 {
			e.Uint32(unix.IFLA_PROMISCUITY, l.Promiscuity)
		}
		if l.HasAllMulti {
			e.Uint32(unix.IFLA_ALLMULTI, l.AllMulti)
		}
		if l.Qdisc != "" {
			e.String(unix.IFLA_QDISC, l.Qdisc)
		}
		e.Uint8(unix.IFLA_LINKMODE, uint8(l.LinkMode))
		if l.ProtoDown {
			e.Uint8(unix.IFLA_PROTO_DOWN, 1)
		}
		for _, a := range l.u32Attrs() {
			if *a.v != 0 {
				e.Uint32(a.typ, *a.v)
			}
		}
		if l.HasAddrGenMode {
			e.Nest(unix.IFLA_AF_SPEC)
			e.Nest(unix.AF_INET6)
			e.Uint8(unix.IFLA_INET6_ADDR_GEN_MODE, uint8(l.AddrGenMode))
			e.End()
			e.End()
		}
		if len(l.AltNames) > 0 {
			e.Nest(unix.IFLA_PROP_LIST)
			for _, n := range l.AltNames {
				e.String(unix.IFLA_ALT_IFNAME, n)
			}
			e.End()
		}
		if l.HasLinkNetNSID {
			e.Int32(unix.IFLA_LINK_NETNSID, l.LinkNetNSID)
		}
		if l.HasNewNetNSID {
			e.Int32(unix.IFLA_NEW_NETNSID, l.NewNetNSID)
		}
		if l.NewIndex != 0 {
			e.Int32(unix.IFLA_NEW_IFINDEX, l.NewIndex)
		}
		if l.HasStats {
			var p [linkStatsLen]byte
			for i, f := range l.Stats.fields() {
				binary.NativeEndian.PutUint64(p[8*i:], *f)
			}
			e.Bytes(unix.IFLA_STATS64, p[:])
		}
	}
	return appendLinkInfo(e, l, full)
}

// u32Attrs lists the read-only u32 attributes that are 0 when absent.
func (l *Link) u32Attrs() [7]struct {
	typ uint16
	v   *uint32
} {
	return [7]struct {
		typ uint16
		v   *uint32
	}{
		{unix.IFLA_NUM_TX_QUEUES, &l.NumTxQueues}, {unix.IFLA_NUM_RX_QUEUES, &l.NumRxQueues},
		{unix.IFLA_GSO_MAX_SIZE, &l.GSOMaxSize}, {unix.IFLA_GSO_MAX_SEGS, &l.GSOMaxSegs},
		{unix.IFLA_TSO_MAX_SIZE, &l.TSOMaxSize}, {unix.IFLA_TSO_MAX_SEGS, &l.TSOMaxSegs},
		{unix.IFLA_GRO_MAX_SIZE, &l.GROMaxSize},
	}
}

// decodeLinkAFSpec reads IFLA_AF_SPEC: of it, only the IPv6 address
// generation mode. Errors reach d through the nested Decoders.
func decodeLinkAFSpec(d *nlattr.Decoder, l *Link) {
	af := d.Nested()
	for af.Next() {
		if af.Type() != unix.AF_INET6 {
			continue
		}
		in6 := af.Nested()
		for in6.Next() {
			if in6.Type() == unix.IFLA_INET6_ADDR_GEN_MODE {
				l.AddrGenMode = AddrGenMode(in6.Uint8())
				l.HasAddrGenMode = in6.Err() == nil
			}
		}
	}
}

// decodeLink decodes the body of an RTM_NEWLINK (or RTM_DELLINK) message:
// a struct ifinfomsg and IFLA_* attributes. Unknown attributes are
// skipped; a known one with a bad length is an error naming it. The Link
// does not alias b.
func decodeLink(b []byte) (Link, error) {
	var l Link
	if len(b) < linkMsgLen {
		return l, fmt.Errorf("rtnl: decode link: message of %d bytes, shorter than struct ifinfomsg (%d)", len(b), linkMsgLen)
	}
	l.Type = LinkType(binary.NativeEndian.Uint16(b[2:]))
	l.Index = int32(binary.NativeEndian.Uint32(b[4:]))
	l.Flags = LinkFlags(binary.NativeEndian.Uint32(b[8:]))
	attrs := b[linkMsgLen:]
	var hw []byte // one backing array for both link-layer addresses
	d := nlattr.NewDecoder(attrs)
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_IFNAME:
			l.Name = d.String()
		case unix.IFLA_ADDRESS, unix.IFLA_BROADCAST:
			p := d.Bytes()
			if len(p) == 0 {
				continue
			}
			if cap(hw)-len(hw) < len(p) {
				hw = make([]byte, 0, max(2*len(p), 16))
			}
			n := len(hw)
			hw = append(hw, p...)
			a := net.HardwareAddr(hw[n:len(hw):len(hw)])
			if d.Type() == unix.IFLA_ADDRESS {
				l.HardwareAddr = a
			} else {
				l.Broadcast = a
			}
		case unix.IFLA_MTU:
			l.MTU = d.Uint32()
		case unix.IFLA_MIN_MTU:
			l.MinMTU = d.Uint32()
		case unix.IFLA_MAX_MTU:
			l.MaxMTU = d.Uint32()
		case unix.IFLA_MASTER:
			l.Master = d.Int32()
		case unix.IFLA_LINK:
			l.Parent = d.Int32()
			l.HasParent = d.Err() == nil
		case unix.IFLA_OPERSTATE:
			l.OperState = OperState(d.Uint8())
		case unix.IFLA_CARRIER:
			l.Carrier = d.Uint8() != 0
		case unix.IFLA_TXQLEN:
			l.TxQueueLen = d.Uint32()
		case unix.IFLA_IFALIAS:
			l.Alias = d.String()
		case unix.IFLA_GROUP:
			l.Group = d.Uint32()
		case unix.IFLA_PROMISCUITY:
			l.Promiscuity = d.Uint32()
		case unix.IFLA_ALLMULTI:
			l.AllMulti = d.Uint32()
			l.HasAllMulti = d.Err() == nil
		case unix.IFLA_QDISC:
			// The usual root qdiscs, decoded without allocating.
			l.Qdisc = d.StringOf("noqueue", "noop", "fq_codel", "pfifo_fast", "mq", "fq", "cake", "htb", "prio", "pfifo", "sfq", "tbf")
		case unix.IFLA_LINKMODE:
			l.LinkMode = LinkMode(d.Uint8())
		case unix.IFLA_PROTO_DOWN:
			l.ProtoDown = d.Uint8() != 0
		case unix.IFLA_NUM_TX_QUEUES:
			l.NumTxQueues = d.Uint32()
		case unix.IFLA_NUM_RX_QUEUES:
			l.NumRxQueues = d.Uint32()
		case unix.IFLA_GSO_MAX_SIZE:
			l.GSOMaxSize = d.Uint32()
		case unix.IFLA_GSO_MAX_SEGS:
			l.GSOMaxSegs = d.Uint32()
		case unix.IFLA_TSO_MAX_SIZE:
			l.TSOMaxSize = d.Uint32()
		case unix.IFLA_TSO_MAX_SEGS:
			l.TSOMaxSegs = d.Uint32()
		case unix.IFLA_GRO_MAX_SIZE:
			l.GROMaxSize = d.Uint32()
		case unix.IFLA_AF_SPEC:
			decodeLinkAFSpec(&d, &l)
		case unix.IFLA_PARENT_DEV_NAME:
			l.ParentDev = d.String()
		case unix.IFLA_PARENT_DEV_BUS_NAME:
			l.ParentBus = d.String()
		case unix.IFLA_PROP_LIST:
			pl := d.Nested()
			for pl.Next() {
				if pl.Type() == unix.IFLA_ALT_IFNAME {
					l.AltNames = append(l.AltNames, pl.String())
				}
			}
		case unix.IFLA_LINK_NETNSID:
			l.LinkNetNSID = d.Int32()
			l.HasLinkNetNSID = d.Err() == nil
		case unix.IFLA_NEW_NETNSID:
			l.NewNetNSID = d.Int32()
			l.HasNewNetNSID = d.Err() == nil
		case unix.IFLA_NEW_IFINDEX:
			l.NewIndex = d.Int32()
		case unix.IFLA_STATS64:
			p := d.Bytes()
			if len(p) < linkStatsMinLen || len(p)%8 != 0 {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			for i, f := range l.Stats.fields() {
				if 8*i+8 > len(p) {
					break
				}
				*f = binary.NativeEndian.Uint64(p[8*i:])
			}
			l.HasStats = true
		case unix.IFLA_LINKINFO:
			decodeLinkInfo(&d, &l)
		}
	}
	if err := d.Err(); err != nil {
		return Link{}, decodeAttrError("link", linkSpace(), attrs, err)
	}
	return l, nil
}

// linkAttrSpace is a set of attribute types, for naming them in errors.
type linkAttrSpace struct {
	names  map[uint16]string
	prefix string // the kernel's prefix, to name unlisted types by number
}

func (s linkAttrSpace) name(typ uint16) string {
	if n, ok := s.names[typ]; ok {
		return n
	}
	return s.prefix + strconv.Itoa(int(typ))
}

var (
	linkIFLASpace = linkAttrSpace{map[uint16]string{
		unix.IFLA_ADDRESS: "IFLA_ADDRESS", unix.IFLA_BROADCAST: "IFLA_BROADCAST", unix.IFLA_IFNAME: "IFLA_IFNAME",
		unix.IFLA_MTU: "IFLA_MTU", unix.IFLA_LINK: "IFLA_LINK", unix.IFLA_MASTER: "IFLA_MASTER",
		unix.IFLA_TXQLEN: "IFLA_TXQLEN", unix.IFLA_OPERSTATE: "IFLA_OPERSTATE", unix.IFLA_LINKINFO: "IFLA_LINKINFO",
		unix.IFLA_IFALIAS: "IFLA_IFALIAS", unix.IFLA_STATS64: "IFLA_STATS64", unix.IFLA_GROUP: "IFLA_GROUP",
		unix.IFLA_PROMISCUITY: "IFLA_PROMISCUITY", unix.IFLA_CARRIER: "IFLA_CARRIER",
		unix.IFLA_LINK_NETNSID: "IFLA_LINK_NETNSID", unix.IFLA_MIN_MTU: "IFLA_MIN_MTU", unix.IFLA_MAX_MTU: "IFLA_MAX_MTU",
		unix.IFLA_QDISC: "IFLA_QDISC", unix.IFLA_LINKMODE: "IFLA_LINKMODE", unix.IFLA_ALLMULTI: "IFLA_ALLMULTI",
		unix.IFLA_PROTO_DOWN: "IFLA_PROTO_DOWN", unix.IFLA_NUM_TX_QUEUES: "IFLA_NUM_TX_QUEUES",
		unix.IFLA_NUM_RX_QUEUES: "IFLA_NUM_RX_QUEUES", unix.IFLA_GSO_MAX_SIZE: "IFLA_GSO_MAX_SIZE",
		unix.IFLA_GSO_MAX_SEGS: "IFLA_GSO_MAX_SEGS", unix.IFLA_TSO_MAX_SIZE: "IFLA_TSO_MAX_SIZE",
		unix.IFLA_TSO_MAX_SEGS: "IFLA_TSO_MAX_SEGS", unix.IFLA_GRO_MAX_SIZE: "IFLA_GRO_MAX_SIZE",
		unix.IFLA_AF_SPEC: "IFLA_AF_SPEC", unix.IFLA_PROP_LIST: "IFLA_PROP_LIST",
		unix.IFLA_PARENT_DEV_NAME: "IFLA_PARENT_DEV_NAME", unix.IFLA_NEW_NETNSID: "IFLA_NEW_NETNSID", unix.IFLA_NEW_IFINDEX: "IFLA_NEW_IFINDEX", unix.IFLA_PARENT_DEV_BUS_NAME: "IFLA_PARENT_DEV_BUS_NAME",
	}, "IFLA_"}
	linkInfoSpace = linkAttrSpace{map[uint16]string{
		unix.IFLA_INFO_KIND: "IFLA_INFO_KIND", unix.IFLA_INFO_DATA: "IFLA_INFO_DATA",
		unix.IFLA_INFO_SLAVE_KIND: "IFLA_INFO_SLAVE_KIND", unix.IFLA_INFO_SLAVE_DATA: "IFLA_INFO_SLAVE_DATA",
	}, "IFLA_INFO_"}
)

// linkNestSpace gives the space of the attributes nested in the attribute
// of type typ in space outer, found among the attributes in siblings;
// false if this package does not decode inside it.
func linkNestSpace(outer linkAttrSpace, siblings []byte, typ uint16) (linkAttrSpace, bool) {
	switch {
	case outer.prefix == linkIFLASpace.prefix && typ == unix.IFLA_LINKINFO:
		return linkInfoSpace, true
	case outer.prefix == linkInfoSpace.prefix && (typ == unix.IFLA_INFO_DATA || typ == unix.IFLA_INFO_SLAVE_DATA):
		want := uint16(unix.IFLA_INFO_KIND)
		if typ == unix.IFLA_INFO_SLAVE_DATA {
			want = unix.IFLA_INFO_SLAVE_KIND
		}
		kind := ""
		d := nlattr.NewDecoder(siblings)
		for d.Next() {
			if d.Type() == want {
				kind = d.String()
			}
		}
		if typ == unix.IFLA_INFO_SLAVE_DATA {
			return linkPortSpace(kind)
		}
		return linkKindSpace(kind)
	}
	return linkAttrSpace{}, false
}
