package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Route is an IPv4 or IPv6 route: struct rtmsg and the RTA_* attributes of
// RTM_NEWROUTE, RTM_DELROUTE and RTM_GETROUTE messages (linux/rtnetlink.h).
//
// The zero value of each field means "not set" except where its comment
// says otherwise. A decoded Route owns all its memory; it never aliases a
// receive buffer. Route values are not comparable with == (NextHops is a
// slice); compare fields, or use reflect.DeepEqual.
type Route struct {
	// Family is FamilyIPv4 or FamilyIPv6 (rtm_family). The operations
	// that change routes take it from Dst when it is zero; MarshalBinary
	// encodes it as it is.
	Family Family

	// Dst is the destination prefix (RTA_DST and rtm_dst_len). The default
	// route is the explicit 0.0.0.0/0 or ::/0, which is how decoded
	// IPv4 and IPv6 routes without RTA_DST read. Changes require it.
	Dst netip.Prefix

	// Src is the source prefix of a source-specific (IPv6 subtree) route
	// (RTA_SRC and rtm_src_len); zero: any source. In LookupRoute answers it
	// is the source address the query was made with.
	Src netip.Prefix

	// Tos is the IPv4 type of service the route matches (rtm_tos,
	// iproute2 "tos" / "dsfield").
	Tos uint8

	// Table is the routing table: RTA_TABLE (always sent when non-zero,
	// read when present) or rtm_table. Zero in a change means the main
	// table, as the kernel decides; decoded routes always have it.
	Table Table

	// Protocol says who installed the route (rtm_protocol, iproute2
	// "proto"). It is not defaulted (iproute2's "boot" is a CLI choice),
	// but the kernel records IPv6 routes added with 0 as ProtoBoot.
	Protocol Protocol

	// Scope is rtm_scope. Unless HasScope is set, ScopeUniverse, the
	// zero value, means "unset", and for IPv4 changes it is replaced as
	// iproute2 does: host for local and nat routes, link for broadcast,
	// multicast and anycast routes and for unicast routes without a
	// gateway; in DeleteRoute, ScopeNowhere (which matches any scope) for
	// the other types. IPv6 routes have no scope of their own.
	Scope Scope

	// HasScope says Scope is meant as it is, ScopeUniverse included
	// (iproute2 "scope global" on a route without a gateway): no default
	// replaces it. Decoding sets it, so that a decoded route is sent back
	// with its own scope.
	HasScope bool

	// Type is rtm_type. Zero (RouteUnspec) is sent as RouteUnicast when
	// adding, replacing, appending or changing; in DeleteRoute it matches
	// any type.
	Type RouteType

	// Flags are rtm_flags: RTNH_F_* next-hop flags (onlink, dead,
	// linkdown...) and RTM_F_* route flags.
	Flags RouteFlags

	// Gateway is the next hop's address: RTA_GATEWAY, or RTA_VIA (struct
	// rtvia) for an IPv6 gateway of an IPv4 route.
	Gateway netip.Addr

	// OutIndex is the output link's index (RTA_OIF, iproute2 "dev").
	OutIndex int32

	// InIndex is the input link's index (RTA_IIF), for multicast routes
	// and LookupRoute answers.
	InIndex int32

	// Priority is the route's metric (RTA_PRIORITY, iproute2 "metric").
	// The kernel gives IPv6 routes added with 0 the metric 1024.
	Priority uint32

	// HasPriority says RTA_PRIORITY is present even if Priority is 0:
	// decoding sets it when the kernel sent the attribute (always for
	// IPv6 routes, for IPv4 ones only when the metric is not 0), and
	// changes send Priority when it is set.
	HasPriority bool

	// Pref is the IPv6 router preference (RTA_PREF, iproute2 "pref"),
	// valid if HasPref: the kernel reports it for every IPv6 route, and
	// takes it when adding one.
	Pref    RoutePref
	HasPref bool

	// Expires is the time the route has left (iproute2 "expires"): read
	// from RTA_CACHEINFO (rta_expires) or RTA_EXPIRES, in whole seconds;
	// 0 for a route that does not expire. Changes send it as RTA_EXPIRES
	// (seconds), which the kernel honours for IPv6 routes.
	Expires time.Duration

	// UID is the user id a LookupRoute answer was computed for (RTA_UID,
	// iproute2 "uid"), valid if HasUID.
	UID    uint32
	HasUID bool

	// PrefSrc is the preferred source address (RTA_PREFSRC, iproute2
	// "src").
	PrefSrc netip.Addr

	// Metrics are the RTAX_* values of RTA_METRICS; nil when the route
	// has none (the kernel leaves the attribute out, as it does for most
	// routes), and a nil or all-zero Metrics sends nothing. Decoding
	// allocates a fresh Metrics for each route that has some, so a route
	// never shares it with another; copying a Route shares it.
	Metrics *Metrics

	// NextHops are the paths of a multipath route (RTA_MULTIPATH). When
	// they are set, Gateway and OutIndex are usually left zero.
	NextHops []NextHop

	// NextHopID refers to a nexthop object (RTA_NH_ID, iproute2 "nhid").
	NextHopID uint32

	// Mark is the firewall mark (RTA_MARK) of a LookupRoute answer; leave it
	// zero in changes.
	Mark uint32

	// Realms are the IPv4 route's realms (RTA_FLOW, iproute2 "realm TO"
	// or "realms FROM/TO"): the destination realm in the low 16 bits, the
	// source realm in the high 16 (see RealmsOf and RealmsSplit); 0 for none.
	// The kernel keeps them only when built with CONFIG_IP_ROUTE_CLASSID,
	// and IPv6 routes have none. They are part of the route's identity
	// (see RouteKey); in DeleteRoute, 0 matches any realms.
	Realms uint32

	// Encap is the route's lightweight tunnel encapsulation (RTA_ENCAP,
	// RTA_ENCAP_TYPE: iproute2 "encap mpls|ip|ip6 ..."), nil for none.
	// Part of the route's identity (see RouteKey).
	Encap *RouteEncap
}

// RouteEncap is a lightweight tunnel encapsulation of a route or of one
// of its paths. Type is the LWTUNNEL_ENCAP_* kind (linux/lwtunnel.h: 1
// MPLS, 2 IP, 4 IP6, ...); Attrs are the encapsulation's own attributes,
// the contents of the RTA_ENCAP nest as the kernel sent them (for MPLS,
// MPLS_IPTUNNEL_DST with the label stack; for IP, LWTUNNEL_IP_DST and the
// others of linux/lwtunnel.h). The package carries them without reading
// them. A decoded RouteEncap owns its Attrs.
type RouteEncap struct {
	Type  uint16
	Attrs []byte
}

// Encapsulation kinds (LWTUNNEL_ENCAP_*, linux/lwtunnel.h).
const (
	EncapMPLS  uint16 = 1 // LWTUNNEL_ENCAP_MPLS
	EncapIP    uint16 = 2 // LWTUNNEL_ENCAP_IP
	EncapIP6   uint16 = 4 // LWTUNNEL_ENCAP_IP6
	EncapSeg6  uint16 = 5 // LWTUNNEL_ENCAP_SEG6
	EncapBPF   uint16 = 6 // LWTUNNEL_ENCAP_BPF
	EncapRPL   uint16 = 8 // LWTUNNEL_ENCAP_RPL
	EncapIOAM6 uint16 = 9 // LWTUNNEL_ENCAP_IOAM6
)

// appendEncap appends RTA_ENCAP (a nest holding the attributes as they
// are) and RTA_ENCAP_TYPE.
func appendEncap(e *nlattr.Encoder, x *RouteEncap) {
	e.Bytes(unix.RTA_ENCAP|unix.NLA_F_NESTED, x.Attrs)
	e.Uint16(unix.RTA_ENCAP_TYPE, x.Type)
}

// encapAttrs and encapType fill a RouteEncap from RTA_ENCAP and
// RTA_ENCAP_TYPE, which come in either order.
func encapAttrs(x *RouteEncap, b []byte) *RouteEncap {
	if x == nil {
		x = &RouteEncap{}
	}
	x.Attrs = append([]byte(nil), b...)
	return x
}

func encapType(x *RouteEncap, t uint16) *RouteEncap {
	if x == nil {
		x = &RouteEncap{}
	}
	x.Type = t
	return x
}

// RealmsOf packs a source and a destination realm as Route.Realms and
// NextHop.Realms hold them (RTA_FLOW): from in the high 16 bits, to in
// the low 16.
func RealmsOf(from, to uint16) uint32 { return uint32(from)<<16 | uint32(to) }

// RealmsSplit returns the source and destination realms packed in an
// RTA_FLOW value (Route.Realms, NextHop.Realms, Rule.Realms).
func RealmsSplit(realms uint32) (from, to uint16) { return uint16(realms >> 16), uint16(realms) }

// clone returns r with its own Metrics and NextHops.
func (r Route) clone() Route {
	if r.Metrics != nil {
		m := *r.Metrics
		r.Metrics = &m
	}
	r.NextHops = slices.Clone(r.NextHops)
	return r
}

// RoutePref is the preference of an IPv6 route learnt from a router
// advertisement (RTA_PREF, ICMPV6_ROUTER_PREF_* from linux/icmpv6.h).
type RoutePref uint8

// Router preferences (RFC 4191). Medium, the default, is 0.
const (
	RoutePrefMedium  RoutePref = 0 // ICMPV6_ROUTER_PREF_MEDIUM
	RoutePrefHigh    RoutePref = 1 // ICMPV6_ROUTER_PREF_HIGH
	RoutePrefInvalid RoutePref = 2 // ICMPV6_ROUTER_PREF_INVALID
	RoutePrefLow     RoutePref = 3 // ICMPV6_ROUTER_PREF_LOW
)

// String gives iproute2's words: medium, high, low; other values as
// numbers.
func (p RoutePref) String() string {
	switch p {
	case RoutePrefMedium:
		return "medium"
	case RoutePrefHigh:
		return "high"
	case RoutePrefLow:
		return "low"
	}
	return strconv.Itoa(int(p))
}

// NextHop is one path of a multipath route: a struct rtnexthop and its
// attributes inside RTA_MULTIPATH.
type NextHop struct {
	// Gateway is the path's gateway: RTA_GATEWAY, or RTA_VIA for an IPv6
	// gateway of an IPv4 route.
	Gateway netip.Addr
	// OutIndex is the path's output link (rtnh_ifindex, iproute2 "dev").
	OutIndex int32
	// Weight is the path's relative weight, 1 to 256 (rtnh_hops + 1,
	// iproute2 "weight"). Zero is sent as 1; decoded paths always have it.
	Weight int
	// Flags are the path's RTNH_F_* flags (rtnh_flags; only the low 8
	// bits exist on the wire).
	Flags RouteFlags
	// Realms are the path's IPv4 realms (RTA_FLOW inside the rtnexthop,
	// iproute2 "nexthop ... realm TO"), packed as Route.Realms; 0 for
	// none. The kernel compares them path by path (see RouteKey).
	Realms uint32
	// Encap is the path's encapsulation (RTA_ENCAP inside the
	// rtnexthop), nil for none.
	Encap *RouteEncap
}

// Metrics are route metrics (RTA_METRICS, nested RTAX_* attributes), in
// the kernel's units. Zero means not set.
type Metrics struct {
	// Lock is RTAX_LOCK: bit 1<<RTAX_x locks metric x against path-MTU
	// discovery and TCP updates (iproute2 "mtu lock 1400").
	Lock uint32
	// MTU is RTAX_MTU, the path MTU in bytes (iproute2 "mtu").
	MTU uint32
	// Window is RTAX_WINDOW, the TCP window clamp in bytes.
	Window uint32
	// RTT is RTAX_RTT, the initial RTT estimate in 1/8 ms (iproute2
	// "rtt" shows and takes milliseconds).
	RTT uint32
	// RTTVar is RTAX_RTTVAR, the initial RTT variance in 1/4 ms.
	RTTVar uint32
	// SSThresh is RTAX_SSTHRESH, the initial slow-start threshold.
	SSThresh uint32
	// CWnd is RTAX_CWND, the congestion window clamp.
	CWnd uint32
	// AdvMSS is RTAX_ADVMSS, the MSS advertised to peers (iproute2
	// "advmss").
	AdvMSS uint32
	// Reordering is RTAX_REORDERING, the initial reordering estimate.
	Reordering uint32
	// HopLimit is RTAX_HOPLIMIT, the TTL or hop limit of packets sent.
	HopLimit uint32
	// InitCwnd is RTAX_INITCWND, the initial congestion window.
	InitCwnd uint32
	// Features is RTAX_FEATURES, RTAX_FEATURE_* bits (ecn...).
	Features uint32
	// RTOMin is RTAX_RTO_MIN, the minimum TCP retransmission timeout in
	// ms.
	RTOMin uint32
	// InitRwnd is RTAX_INITRWND, the initial receive window.
	InitRwnd uint32
	// QuickAck is RTAX_QUICKACK: 1 disables delayed ACKs.
	QuickAck uint32
	// CCAlgo is RTAX_CC_ALGO, the TCP congestion control algorithm name
	// (iproute2 "congctl").
	CCAlgo string
	// FastOpenNoCookie is RTAX_FASTOPEN_NO_COOKIE: 1 allows TCP Fast Open
	// without a cookie.
	FastOpenNoCookie uint32
}

// fields lists the uint32 metrics with their RTAX_* types.
func (m *Metrics) fields() [16]struct {
	typ uint16
	v   *uint32
} {
	return [16]struct {
		typ uint16
		v   *uint32
	}{
		{unix.RTAX_LOCK, &m.Lock}, {unix.RTAX_MTU, &m.MTU}, {unix.RTAX_WINDOW, &m.Window},
		{unix.RTAX_RTT, &m.RTT}, {unix.RTAX_RTTVAR, &m.RTTVar}, {unix.RTAX_SSTHRESH, &m.SSThresh},
		{unix.RTAX_CWND, &m.CWnd}, {unix.RTAX_ADVMSS, &m.AdvMSS}, {unix.RTAX_REORDERING, &m.Reordering},
		{unix.RTAX_HOPLIMIT, &m.HopLimit}, {unix.RTAX_INITCWND, &m.InitCwnd}, {unix.RTAX_FEATURES, &m.Features},
		{unix.RTAX_RTO_MIN, &m.RTOMin}, {unix.RTAX_INITRWND, &m.InitRwnd}, {unix.RTAX_QUICKACK, &m.QuickAck},
		{unix.RTAX_FASTOPEN_NO_COOKIE, &m.FastOpenNoCookie},
	}
}

// RouteFlags are route and next-hop flags: RTNH_F_* in the low 8 bits
// (rtnh_flags, and rtm_flags of single-path routes) and RTM_F_* above.
type RouteFlags uint32

// Route flags (linux/rtnetlink.h).
const (
	RouteFlagDead          RouteFlags = unix.RTNH_F_DEAD          // RTNH_F_DEAD: the next hop is dead
	RouteFlagPervasive     RouteFlags = unix.RTNH_F_PERVASIVE     // RTNH_F_PERVASIVE: recursive gateway lookup
	RouteFlagOnLink        RouteFlags = unix.RTNH_F_ONLINK        // RTNH_F_ONLINK: the gateway is on the link even without a matching prefix
	RouteFlagOffload       RouteFlags = unix.RTNH_F_OFFLOAD       // RTNH_F_OFFLOAD: the next hop is offloaded
	RouteFlagLinkDown      RouteFlags = unix.RTNH_F_LINKDOWN      // RTNH_F_LINKDOWN: the next hop's link has no carrier
	RouteFlagUnresolved    RouteFlags = unix.RTNH_F_UNRESOLVED    // RTNH_F_UNRESOLVED: unresolved (multicast routing)
	RouteFlagTrap          RouteFlags = unix.RTNH_F_TRAP          // RTNH_F_TRAP: the next hop traps packets
	RouteFlagNotify        RouteFlags = unix.RTM_F_NOTIFY         // RTM_F_NOTIFY: notify the user of changes
	RouteFlagCloned        RouteFlags = unix.RTM_F_CLONED         // RTM_F_CLONED: a cloned (cache) route
	RouteFlagEqualize      RouteFlags = unix.RTM_F_EQUALIZE       // RTM_F_EQUALIZE: multipath equalizer (unused)
	RouteFlagPrefix        RouteFlags = unix.RTM_F_PREFIX         // RTM_F_PREFIX: a prefix route from an address or RA
	RouteFlagLookupTable   RouteFlags = unix.RTM_F_LOOKUP_TABLE   // RTM_F_LOOKUP_TABLE: a LookupRoute answer's table is the lookup result
	RouteFlagFIBMatch      RouteFlags = unix.RTM_F_FIB_MATCH      // RTM_F_FIB_MATCH: a LookupRoute answer is the FIB entry
	RouteFlagRTOffload     RouteFlags = unix.RTM_F_OFFLOAD        // RTM_F_OFFLOAD: the route is offloaded
	RouteFlagRTTrap        RouteFlags = unix.RTM_F_TRAP           // RTM_F_TRAP: the route traps packets
	RouteFlagOffloadFailed RouteFlags = unix.RTM_F_OFFLOAD_FAILED // RTM_F_OFFLOAD_FAILED: offloading failed
)

// routeFlagNames are iproute2's words for the flags, in its order.
var routeFlagNames = [...]struct {
	f    RouteFlags
	name string
}{
	{RouteFlagDead, "dead"}, {RouteFlagOnLink, "onlink"}, {RouteFlagPervasive, "pervasive"},
	{RouteFlagOffload, "offload"}, {RouteFlagTrap, "trap"}, {RouteFlagNotify, "notify"},
	{RouteFlagLinkDown, "linkdown"}, {RouteFlagUnresolved, "unresolved"}, {RouteFlagRTOffload, "rt_offload"},
	{RouteFlagRTTrap, "rt_trap"}, {RouteFlagOffloadFailed, "rt_offload_failed"}, {RouteFlagCloned, "cache"},
	{RouteFlagEqualize, "equalize"}, {RouteFlagPrefix, "prefix"}, {RouteFlagLookupTable, "lookup_table"},
	{RouteFlagFIBMatch, "fib_match"},
}

// Words returns iproute2's words for the set flags (onlink, linkdown,
// dead, pervasive, offload, trap, rt_offload...; "cache" for
// RouteFlagCloned) in iproute2's order, with unknown bits as one hex
// number.
func (f RouteFlags) Words() []string {
	var w []string
	for _, n := range routeFlagNames {
		if f&n.f != 0 {
			w = append(w, n.name)
			f &^= n.f
		}
	}
	if f != 0 {
		w = append(w, "0x"+strconv.FormatUint(uint64(f), 16))
	}
	return w
}

// String returns Words joined by spaces, as iproute2 prints them; "" for
// no flags.
func (f RouteFlags) String() string { return strings.Join(f.Words(), " ") }

// String formats r roughly as `ip route` does, with links as "dev #index":
// "198.18.1.0/24 via 198.18.0.2 dev #3 table main proto static metric 7".
func (r Route) String() string {
	var b strings.Builder
	if r.Type != RouteUnicast && r.Type != RouteUnspec {
		b.WriteString(r.Type.String() + " ")
	}
	switch {
	case !r.Dst.IsValid():
		b.WriteString("(no dst)")
	case r.Dst.Bits() == 0 && r.Dst.Addr().IsUnspecified():
		b.WriteString("default")
	default:
		b.WriteString(r.Dst.String())
	}
	if r.Src.IsValid() {
		fmt.Fprintf(&b, " from %v", r.Src)
	}
	if r.Gateway.IsValid() {
		fmt.Fprintf(&b, " via %v", r.Gateway)
	}
	if r.OutIndex != 0 {
		fmt.Fprintf(&b, " dev #%d", r.OutIndex)
	}
	if r.Table != 0 {
		fmt.Fprintf(&b, " table %v", r.Table)
	}
	if r.Protocol != 0 {
		fmt.Fprintf(&b, " proto %v", r.Protocol)
	}
	if r.Scope != ScopeUniverse {
		fmt.Fprintf(&b, " scope %v", r.Scope)
	}
	if r.PrefSrc.IsValid() {
		fmt.Fprintf(&b, " src %v", r.PrefSrc)
	}
	if r.Priority != 0 {
		fmt.Fprintf(&b, " metric %d", r.Priority)
	}
	if r.Flags != 0 {
		fmt.Fprintf(&b, " %v", r.Flags)
	}
	if r.Realms != 0 {
		writeRealms(&b, r.Realms)
	}
	for _, nh := range r.NextHops {
		b.WriteString(" nexthop")
		if nh.Gateway.IsValid() {
			fmt.Fprintf(&b, " via %v", nh.Gateway)
		}
		if nh.OutIndex != 0 {
			fmt.Fprintf(&b, " dev #%d", nh.OutIndex)
		}
		fmt.Fprintf(&b, " weight %d", max(nh.Weight, 1))
		if nh.Flags != 0 {
			fmt.Fprintf(&b, " %v", nh.Flags)
		}
		if nh.Realms != 0 {
			writeRealms(&b, nh.Realms)
		}
	}
	return b.String()
}

// writeRealms writes realms in iproute2's numeric form: " realm TO", or
// " realms FROM/TO" when there is a source realm.
func writeRealms(b *strings.Builder, realms uint32) {
	from, to := RealmsSplit(realms)
	if from != 0 {
		fmt.Fprintf(b, " realms %d/%d", from, to)
	} else {
		fmt.Fprintf(b, " realm %d", to)
	}
}

// Attribute types and sizes this file needs beyond x/sys/unix.
const (
	rtmsgLen        = unix.SizeofRtMsg     // sizeof(struct rtmsg)
	rtnexthopLen    = unix.SizeofRtNexthop // sizeof(struct rtnexthop)
	routeAttrNHID   = 30                   // RTA_NH_ID: u32
	rtnlFamilyIPMR  = 128                  // RTNL_FAMILY_IPMR
	rtnlFamilyIP6MR = 129                  // RTNL_FAMILY_IP6MR
)

// rtaNames names the RTA_* attributes in decoding errors.
var rtaNames = [...]string{"RTA_UNSPEC", "RTA_DST", "RTA_SRC", "RTA_IIF", "RTA_OIF", "RTA_GATEWAY",
	"RTA_PRIORITY", "RTA_PREFSRC", "RTA_METRICS", "RTA_MULTIPATH", "RTA_PROTOINFO", "RTA_FLOW",
	"RTA_CACHEINFO", "RTA_SESSION", "RTA_MP_ALGO", "RTA_TABLE", "RTA_MARK", "RTA_MFC_STATS", "RTA_VIA",
	"RTA_NEWDST", "RTA_PREF", "RTA_ENCAP_TYPE", "RTA_ENCAP", "RTA_EXPIRES", "RTA_PAD", "RTA_UID",
	"RTA_TTL_PROPAGATE", "RTA_IP_PROTO", "RTA_SPORT", "RTA_DPORT", "RTA_NH_ID"}

// errRouteAddrFamily reports an address whose size contradicts the family.
var errRouteAddrFamily = errors.New("address size does not match the family")

// routeAddrBits returns the address size of an IP family, 0 for others.
func routeAddrBits(f Family) int {
	switch f {
	case FamilyIPv4, rtnlFamilyIPMR:
		return 32
	case FamilyIPv6, rtnlFamilyIP6MR:
		return 128
	}
	return 0
}

// routeAddrFamily returns the family of an address, FamilyUnspec for the zero
// Addr.
func routeAddrFamily(a netip.Addr) Family {
	switch {
	case a.Is4():
		return FamilyIPv4
	case a.Is6():
		return FamilyIPv6
	}
	return FamilyUnspec
}

// MarshalBinary encodes r as the body of a route message: struct rtmsg and
// attributes, without the netlink header. It encodes r as it is; the
// defaults of the changing operations are not applied.
func (r Route) MarshalBinary() ([]byte, error) { return r.AppendBinary(nil) }

// AppendBinary appends the encoding of r (see MarshalBinary) to b. It does
// not allocate when b has room.
func (r Route) AppendBinary(b []byte) ([]byte, error) {
	start := len(b)
	var dstLen, srcLen uint8
	if r.Dst.IsValid() {
		dstLen = uint8(r.Dst.Bits())
	}
	if r.Src.IsValid() {
		srcLen = uint8(r.Src.Bits())
	}
	tbl := uint8(TableUnspec)
	if r.Table < 256 {
		tbl = uint8(r.Table)
	}
	b = append(b, byte(r.Family), dstLen, srcLen, r.Tos, tbl, byte(r.Protocol), byte(r.Scope), byte(r.Type), 0, 0, 0, 0)
	binary.NativeEndian.PutUint32(b[start+8:], uint32(r.Flags))

	var e nlattr.Encoder
	e.Reset(b)
	if r.Table != 0 {
		e.Uint32(unix.RTA_TABLE, uint32(r.Table))
	}
	// The default route of the family goes without RTA_DST, as the
	// kernel sends it.
	if r.Dst.IsValid() && !(r.Dst.Bits() == 0 && r.Dst.Addr().IsUnspecified() && r.Dst.Addr().BitLen() == routeAddrBits(r.Family)) {
		e.Addr(unix.RTA_DST, r.Dst.Addr())
	}
	if r.Src.IsValid() {
		e.Addr(unix.RTA_SRC, r.Src.Addr())
	}
	if r.InIndex != 0 {
		e.Uint32(unix.RTA_IIF, uint32(r.InIndex))
	}
	if r.OutIndex != 0 {
		e.Uint32(unix.RTA_OIF, uint32(r.OutIndex))
	}
	if r.Gateway.IsValid() {
		routeEncodeGateway(&e, r.Family, r.Gateway)
	}
	if r.Priority != 0 || r.HasPriority {
		e.Uint32(unix.RTA_PRIORITY, r.Priority)
	}
	if r.HasPref {
		e.Uint8(unix.RTA_PREF, uint8(r.Pref))
	}
	if r.Expires != 0 {
		e.Uint32(unix.RTA_EXPIRES, uint32(int32(r.Expires/time.Second)))
	}
	if r.HasUID {
		e.Uint32(unix.RTA_UID, r.UID)
	}
	if r.PrefSrc.IsValid() {
		e.Addr(unix.RTA_PREFSRC, r.PrefSrc)
	}
	if r.Metrics != nil && *r.Metrics != (Metrics{}) {
		e.Nest(unix.RTA_METRICS)
		for _, m := range r.Metrics.fields() {
			if *m.v != 0 {
				e.Uint32(m.typ, *m.v)
			}
		}
		if r.Metrics.CCAlgo != "" {
			e.String(unix.RTAX_CC_ALGO, r.Metrics.CCAlgo)
		}
		e.End()
	}
	if r.NextHopID != 0 {
		e.Uint32(routeAttrNHID, r.NextHopID)
	}
	if r.Mark != 0 {
		e.Uint32(unix.RTA_MARK, r.Mark)
	}
	if r.Realms != 0 {
		e.Uint32(unix.RTA_FLOW, r.Realms)
	}
	if r.Encap != nil {
		appendEncap(&e, r.Encap)
	}
	b, err := e.Finish()
	if err == nil && len(r.NextHops) > 0 {
		b, err = routeAppendMultipath(b, &e, r.Family, r.NextHops)
	}
	if err != nil {
		return b[:start], fmt.Errorf("rtnl: encode route: %w", err)
	}
	return b, nil
}

// routeEncodeGateway appends RTA_GATEWAY when gw is of the route's family
// (or the family is not an IP one), RTA_VIA (struct rtvia) otherwise.
func routeEncodeGateway(e *nlattr.Encoder, fam Family, gw netip.Addr) {
	if bits := routeAddrBits(fam); bits == 0 || gw.BitLen() == bits {
		e.Addr(unix.RTA_GATEWAY, gw)
		return
	}
	var via [2 + 16]byte
	n := 2
	if gw.Is4() {
		binary.NativeEndian.PutUint16(via[:], unix.AF_INET)
		a := gw.As4()
		n += copy(via[2:], a[:])
	} else {
		binary.NativeEndian.PutUint16(via[:], unix.AF_INET6)
		a := gw.As16()
		n += copy(via[2:], a[:])
	}
	e.Bytes(unix.RTA_VIA, via[:n])
}

// routeAppendMultipath appends RTA_MULTIPATH: struct rtnexthop entries, each
// followed by its attributes. e is reused for those.
func routeAppendMultipath(b []byte, e *nlattr.Encoder, fam Family, nhs []NextHop) ([]byte, error) {
	start := len(b)
	b = append(b, 0, 0, 0, 0) // attribute header, filled in below
	for i, nh := range nhs {
		if nh.Weight < 0 || nh.Weight > 256 {
			return b[:start], fmt.Errorf("next hop #%d: weight %d out of range 1-256", i, nh.Weight)
		}
		if nh.Flags > 0xff {
			return b[:start], fmt.Errorf("next hop #%d: flags %#x do not fit rtnh_flags", i, uint32(nh.Flags))
		}
		hops := uint8(0)
		if nh.Weight > 0 {
			hops = uint8(nh.Weight - 1)
		}
		off := len(b)
		b = append(b, 0, 0, uint8(nh.Flags), hops, 0, 0, 0, 0)
		binary.NativeEndian.PutUint32(b[off+4:], uint32(nh.OutIndex))
		if nh.Gateway.IsValid() || nh.Realms != 0 || nh.Encap != nil {
			e.Reset(b)
			if nh.Gateway.IsValid() {
				routeEncodeGateway(e, fam, nh.Gateway)
			}
			if nh.Realms != 0 {
				e.Uint32(unix.RTA_FLOW, nh.Realms)
			}
			if nh.Encap != nil {
				appendEncap(e, nh.Encap)
			}
			var err error
			if b, err = e.Finish(); err != nil {
				return b[:start], err
			}
		}
		binary.NativeEndian.PutUint16(b[off:], uint16(len(b)-off))
	}
	n := len(b) - start
	if n > 0xffff {
		return b[:start], fmt.Errorf("RTA_MULTIPATH of %d bytes is too long", n)
	}
	binary.NativeEndian.PutUint16(b[start:], uint16(n))
	binary.NativeEndian.PutUint16(b[start+2:], unix.RTA_MULTIPATH)
	return b, nil
}

// UnmarshalBinary decodes the body of a route message (struct rtmsg and
// attributes, without the netlink header) into r, replacing all of r.
// Unknown attributes are skipped; a known one with the wrong length, or an
// address whose size contradicts the family, is an error naming it. r
// does not alias b afterwards. Decoding a single-path route without
// metrics does not allocate.
func (r *Route) UnmarshalBinary(b []byte) error {
	*r = Route{}
	if len(b) < rtmsgLen {
		return fmt.Errorf("rtnl: decode route: %d-byte message, want at least %d (struct rtmsg)", len(b), rtmsgLen)
	}
	r.Family = Family(b[0])
	dstLen, srcLen := int(b[1]), int(b[2])
	r.Tos = b[3]
	r.Table = Table(b[4])
	r.Protocol = Protocol(b[5])
	r.Scope = Scope(b[6])
	r.HasScope = true
	r.Type = RouteType(b[7])
	r.Flags = RouteFlags(binary.NativeEndian.Uint32(b[8:12]))
	bits := routeAddrBits(r.Family)
	// addr reads an address attribute of the family's size.
	addr := func(d *nlattr.Decoder) netip.Addr {
		a := d.Addr()
		if a.IsValid() && bits != 0 && a.BitLen() != bits {
			d.Fail(errRouteAddrFamily)
		}
		return a
	}
	var dst, src netip.Addr
	d := nlattr.NewDecoder(b[rtmsgLen:])
	for d.Next() {
		if r.Family == unix.AF_MPLS {
			// MPLS routes carry labels, not addresses, in the same
			// attributes: only the header and the plain integers are
			// decoded.
			switch d.Type() {
			case unix.RTA_DST, unix.RTA_SRC, unix.RTA_GATEWAY, unix.RTA_PREFSRC, unix.RTA_VIA, unix.RTA_MULTIPATH:
				continue
			}
		}
		switch d.Type() {
		case unix.RTA_DST:
			dst = addr(&d)
		case unix.RTA_SRC:
			src = addr(&d)
		case unix.RTA_IIF:
			r.InIndex = d.Int32()
		case unix.RTA_OIF:
			r.OutIndex = d.Int32()
		case unix.RTA_GATEWAY:
			r.Gateway = addr(&d)
		case unix.RTA_VIA:
			if a, ok := routeDecodeVia(&d); ok {
				r.Gateway = a
			}
		case unix.RTA_PRIORITY:
			r.Priority = d.Uint32()
			r.HasPriority = d.Err() == nil
		case unix.RTA_PREF:
			r.Pref = RoutePref(d.Uint8())
			r.HasPref = d.Err() == nil
		case unix.RTA_UID:
			r.UID = d.Uint32()
			r.HasUID = d.Err() == nil
		case unix.RTA_EXPIRES:
			r.Expires = routeDecodeExpires(&d)
		case unix.RTA_CACHEINFO:
			if d.Len() < rtaCacheInfoLen {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			// rta_expires, a signed clock_t (USER_HZ 100), in whole
			// seconds as iproute2 shows it.
			ticks := int32(binary.NativeEndian.Uint32(d.Bytes()[8:]))
			r.Expires = time.Duration(ticks/userHZ) * time.Second
		case unix.RTA_PREFSRC:
			r.PrefSrc = addr(&d)
		case unix.RTA_METRICS:
			r.Metrics = routeDecodeMetrics(&d)
		case unix.RTA_MULTIPATH:
			r.NextHops = routeDecodeMultipath(&d, bits)
		case unix.RTA_TABLE:
			r.Table = Table(d.Uint32())
		case unix.RTA_MARK:
			r.Mark = d.Uint32()
		case routeAttrNHID:
			r.NextHopID = d.Uint32()
		case unix.RTA_FLOW:
			r.Realms = d.Uint32()
		case unix.RTA_ENCAP:
			r.Encap = encapAttrs(r.Encap, d.Bytes())
		case unix.RTA_ENCAP_TYPE:
			r.Encap = encapType(r.Encap, d.Uint16())
		}
	}
	if err := d.Err(); err != nil {
		*r = Route{}
		return decodeAttrError("route", routeSpace(), b[rtmsgLen:], err)
	}
	switch {
	case dst.IsValid():
		if dstLen > dst.BitLen() {
			*r = Route{}
			return fmt.Errorf("rtnl: decode route: rtm_dst_len %d for a %d-bit RTA_DST", dstLen, dst.BitLen())
		}
		r.Dst = netip.PrefixFrom(dst, dstLen)
	case r.Family == FamilyIPv4 || r.Family == FamilyIPv6:
		if dstLen != 0 {
			*r = Route{}
			return fmt.Errorf("rtnl: decode route: rtm_dst_len %d without RTA_DST", dstLen)
		}
		r.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if r.Family == FamilyIPv6 {
			r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
	}
	if src.IsValid() {
		if srcLen > src.BitLen() {
			*r = Route{}
			return fmt.Errorf("rtnl: decode route: rtm_src_len %d for a %d-bit RTA_SRC", srcLen, src.BitLen())
		}
		r.Src = netip.PrefixFrom(src, srcLen)
	}
	return nil
}

// userHZ is USER_HZ, the unit of clock_t values the kernel reports.
const userHZ = 100

// rtaCacheInfoLen is sizeof(struct rta_cacheinfo) (linux/rtnetlink.h).
const rtaCacheInfoLen = 32

// routeDecodeExpires reads RTA_EXPIRES: seconds as an s32 (as sent in
// requests and by this package), or clock ticks as a u64 (multicast
// routes).
func routeDecodeExpires(d *nlattr.Decoder) time.Duration {
	switch d.Len() {
	case 4:
		return time.Duration(int32(d.Uint32())) * time.Second
	case 8:
		ticks := d.Uint64()
		if ticks/userHZ > 1<<31-1 {
			return (1<<31 - 1) * time.Second
		}
		return time.Duration(ticks/userHZ) * time.Second
	}
	d.Fail(nlattr.ErrBadLength)
	return 0
}

// routeDecodeVia reads RTA_VIA (struct rtvia). It reports false for address
// families other than IPv4 and IPv6 (MPLS uses AF_PACKET), which are
// skipped.
func routeDecodeVia(d *nlattr.Decoder) (netip.Addr, bool) {
	p := d.Bytes()
	if len(p) < 2 {
		d.Fail(nlattr.ErrBadLength)
		return netip.Addr{}, false
	}
	switch binary.NativeEndian.Uint16(p) {
	case unix.AF_INET:
		if len(p) != 2+4 {
			d.Fail(nlattr.ErrBadLength)
			return netip.Addr{}, false
		}
		return netip.AddrFrom4([4]byte(p[2:])), true
	case unix.AF_INET6:
		if len(p) != 2+16 {
			d.Fail(nlattr.ErrBadLength)
			return netip.Addr{}, false
		}
		return netip.AddrFrom16([16]byte(p[2:])), true
	}
	return netip.Addr{}, false
}

// routeDecodeMetrics reads the RTAX_* attributes nested in RTA_METRICS.
// It returns nil when none of them is known and non-zero.
func routeDecodeMetrics(d *nlattr.Decoder) *Metrics {
	m := new(Metrics)
	nd := d.Nested()
	fields := m.fields()
	for nd.Next() {
		t := nd.Type()
		if t == unix.RTAX_CC_ALGO {
			m.CCAlgo = nd.String()
			continue
		}
		for _, f := range fields {
			if f.typ == t {
				*f.v = nd.Uint32()
				break
			}
		}
	}
	if *m == (Metrics{}) {
		return nil
	}
	return m
}

// routeDecodeMultipath reads RTA_MULTIPATH: struct rtnexthop entries with
// their attributes. Fewer than 8 bytes after the last entry are padding.
func routeDecodeMultipath(d *nlattr.Decoder, bits int) []NextHop {
	all := d.Bytes()
	p := all
	n := 0
	for q := p; len(q) >= rtnexthopLen; n++ {
		l := int(binary.NativeEndian.Uint16(q))
		if l < rtnexthopLen || l > len(q) {
			d.Fail(fmt.Errorf("next hop #%d: rtnh_len %d: %w", n, l, nlattr.ErrBadLength))
			return nil
		}
		q = q[min(nlattr.Align(l), len(q)):]
	}
	if n == 0 {
		return nil
	}
	nhs := make([]NextHop, n)
	for i := range nhs {
		l := int(binary.NativeEndian.Uint16(p))
		nh := &nhs[i]
		nh.Flags = RouteFlags(p[2])
		nh.Weight = int(p[3]) + 1
		nh.OutIndex = int32(binary.NativeEndian.Uint32(p[4:8]))
		ad := nlattr.NewDecoder(p[rtnexthopLen:l])
		for ad.Next() {
			switch ad.Type() {
			case unix.RTA_GATEWAY:
				nh.Gateway = ad.Addr()
				if bits != 0 && ad.Err() == nil && nh.Gateway.BitLen() != bits {
					ad.Fail(errRouteAddrFamily)
				}
			case unix.RTA_VIA:
				if a, ok := routeDecodeVia(&ad); ok {
					nh.Gateway = a
				}
			case unix.RTA_FLOW:
				nh.Realms = ad.Uint32()
			case unix.RTA_ENCAP:
				nh.Encap = encapAttrs(nh.Encap, ad.Bytes())
			case unix.RTA_ENCAP_TYPE:
				nh.Encap = encapType(nh.Encap, ad.Uint16())
			}
		}
		if err := ad.Err(); err != nil {
			// The offset in the message, for the error to name the path.
			if ae, ok := errors.AsType[*nlattr.Error](err); ok {
				inner := *ae
				inner.Offset += d.Offset() + nlattr.HeaderLen + len(all) - len(p) + rtnexthopLen
				err = &inner
			}
			d.Fail(fmt.Errorf("next hop #%d: %w", i, err))
			return nil
		}
		p = p[min(nlattr.Align(l), len(p)):]
	}
	return nhs
}

// RouteFilter selects routes in Routes. Its zero value selects every route
// of every family and table.
type RouteFilter struct {
	// Family selects FamilyIPv4 or FamilyIPv6 routes (rtm_family); zero:
	// all families (also multicast routing tables, if any).
	Family Family
	// Table selects one table (rtm_table and RTA_TABLE); zero: all tables,
	// local and main included. Filtering by a table that does not exist
	// in the given Family fails with ENOENT ("FIB table does not exist").
	Table Table
	// Protocol selects routes installed by one protocol (rtm_protocol).
	Protocol Protocol
	// OutIndex selects routes through one link (RTA_OIF), as the
	// kernel's dump filter does: that includes multipath routes with a
	// path (struct rtnexthop) through it. This is wider than ip's "dev"
	// selector, which keeps only routes whose own RTA_OIF is the link;
	// callers that want ip's selection check Route.OutIndex themselves.
	// A link that does not exist gives ENODEV.
	OutIndex int32
	// Type selects routes of one type (rtm_type).
	Type RouteType
}

// request encodes the RTM_GETROUTE dump request for f. With strict
// checking (the netlink.Conn default) the kernel filters by all fields and
// sets NLM_F_DUMP_FILTERED.
func (f RouteFilter) request() []byte {
	tbl := uint8(0)
	if f.Table < 256 {
		tbl = uint8(f.Table)
	}
	b := make([]byte, rtmsgLen, rtmsgLen+16)
	b[0], b[4], b[5], b[7] = byte(f.Family), tbl, byte(f.Protocol), byte(f.Type)
	e := nlattr.NewEncoder(b)
	if f.Table != 0 {
		e.Uint32(unix.RTA_TABLE, uint32(f.Table))
	}
	if f.OutIndex != 0 {
		e.Uint32(unix.RTA_OIF, uint32(f.OutIndex))
	}
	b, _ = e.Finish() // cannot fail
	return b
}

// match checks f in user space, for kernels that did not filter.
func (f RouteFilter) match(r *Route) bool {
	if f.Family != 0 && r.Family != f.Family || f.Table != 0 && r.Table != f.Table ||
		f.Protocol != 0 && r.Protocol != f.Protocol || f.Type != 0 && r.Type != f.Type {
		return false
	}
	if f.OutIndex == 0 || r.OutIndex == f.OutIndex {
		return true
	}
	for _, nh := range r.NextHops {
		if nh.OutIndex == f.OutIndex {
			return true
		}
	}
	return false
}

// Routes streams the routes that match f, from every table unless
// f.Table says otherwise: unlike `ip route show`, which shows the main
// table only, the kernel (and this library) lists the local table and all
// others too. Cached (cloned) routes are not listed.
//
// Filtering happens in the kernel through strict checking and again here.
// It is a single-use iterator that stops at the first error; breaking out
// early is fine. Each Route is the caller's.
func (c *Conn) Routes(ctx context.Context, f RouteFilter) iter.Seq2[Route, error] {
	return f.dump().seq(c, ctx)
}

// RouteList returns the routes that match f (see Routes) as a slice of
// exactly their number, which the caller owns. It reads the whole dump
// before decoding, so it is the cheapest way to hold a large table: for a
// million routes, 40% less memory than netlink.Collect(c.Routes(...)), a little
// less time, and a fraction of Collect's time in a program's first large
// list, whose memory comes fresh from the system. An error, including
// netlink.ErrDumpInterrupted (use netlink.RetryInterrupted to dump
// again), returns no routes.
func (c *Conn) RouteList(ctx context.Context, f RouteFilter) ([]Route, error) {
	return f.dump().list(c, ctx)
}

// dump is the route dump f asks for.
func (f RouteFilter) dump() dumpReq[Route] {
	return dumpReq[Route]{op: "list routes", typ: unix.RTM_GETROUTE, want: unix.RTM_NEWROUTE, body: f.request(),
		decode: func(r *Route, m netlink.Message) (bool, error) {
			if err := r.UnmarshalBinary(m.Data); err != nil {
				return false, err
			}
			return f.match(r), nil
		}}
}

// RouteQuery is a route lookup, like `ip route get`.
type RouteQuery struct {
	// Dst is the destination to look up (RTA_DST, rtm_dst_len 32 or
	// 128). Required.
	Dst netip.Addr
	// Src is the packet's source address (RTA_SRC, iproute2 "from").
	Src netip.Addr
	// InIndex simulates a packet received on this link (RTA_IIF, iproute2
	// "iif"); it needs Src.
	InIndex int32
	// OutIndex forces the output link (RTA_OIF, iproute2 "oif").
	OutIndex int32
	// Mark is the packet's firewall mark (RTA_MARK, iproute2 "mark"),
	// which policy rules may match.
	Mark uint32
	// FIBMatch asks for the routing table entry that matched
	// (RTM_F_FIB_MATCH, iproute2 "fibmatch") instead of the resolved
	// route for the destination.
	FIBMatch bool
	// Tos is the packet's type of service (rtm_tos, iproute2 "tos" /
	// "dsfield"), which IPv4 routes and policy rules may match.
	Tos uint8
	// UID is the user id of the socket sending the packet (RTA_UID,
	// iproute2 "uid"), which uidrange rules match; sent only if HasUID
	// (otherwise the kernel uses the caller's).
	UID    uint32
	HasUID bool
	// IPProto is the packet's IP protocol (RTA_IP_PROTO, iproute2
	// "ipproto"), SrcPort and DstPort its transport ports (RTA_SPORT,
	// RTA_DPORT, big-endian on the wire, iproute2 "sport", "dport"):
	// rules with ipproto/sport/dport match them, and multipath hashing
	// may use them. Zero: not sent (the kernel's default is 0 too).
	IPProto          uint8
	SrcPort, DstPort uint16
	// Notify marks the IPv4 route cache entry of the answer
	// (RTM_F_NOTIFY, iproute2 "notify"): it and the answer carry
	// RouteFlagNotify (not with FIBMatch). IPv6 refuses it (EINVAL).
	Notify bool
}

// LookupRoute asks the kernel which route a packet would take (RTM_GETROUTE
// without dump, like `ip route get`). The answer describes the resolved
// route: Dst is q.Dst as a host prefix, Table the table the lookup found
// it in (policy rules may pick another than main), Flags usually has
// RouteFlagCloned, and Mark is the mark of the query. With q.FIBMatch it is the matching
// table entry instead. An unreachable destination gives the kernel's
// error (ENETUNREACH, EHOSTUNREACH...).
func (c *Conn) LookupRoute(ctx context.Context, q RouteQuery) (Route, error) {
	if !q.Dst.IsValid() {
		return Route{}, errors.New("rtnl: get route: RouteQuery.Dst is not set")
	}
	if q.Src.IsValid() && q.Src.BitLen() != q.Dst.BitLen() {
		return Route{}, fmt.Errorf("rtnl: get route: Src %v and Dst %v are of different families", q.Src, q.Dst)
	}
	b := make([]byte, rtmsgLen, 128)
	b[0] = byte(routeAddrFamily(q.Dst))
	b[1] = byte(q.Dst.BitLen())
	b[3] = q.Tos
	if q.Src.IsValid() {
		b[2] = byte(q.Src.BitLen())
	}
	var flags uint32
	if q.FIBMatch {
		flags |= unix.RTM_F_FIB_MATCH
	}
	if q.Notify {
		flags |= unix.RTM_F_NOTIFY
	}
	if q.Dst.Is4() {
		// Report the table the lookup used rather than main. (IPv6
		// always does, and rejects the flag.)
		flags |= unix.RTM_F_LOOKUP_TABLE
	}
	binary.NativeEndian.PutUint32(b[8:], flags)
	e := nlattr.NewEncoder(b)
	e.Addr(unix.RTA_DST, q.Dst)
	if q.Src.IsValid() {
		e.Addr(unix.RTA_SRC, q.Src)
	}
	if q.InIndex != 0 {
		e.Uint32(unix.RTA_IIF, uint32(q.InIndex))
	}
	if q.OutIndex != 0 {
		e.Uint32(unix.RTA_OIF, uint32(q.OutIndex))
	}
	if q.Mark != 0 {
		e.Uint32(unix.RTA_MARK, q.Mark)
	}
	if q.HasUID {
		e.Uint32(unix.RTA_UID, q.UID)
	}
	if q.IPProto != 0 {
		e.Uint8(unix.RTA_IP_PROTO, q.IPProto)
	}
	if q.SrcPort != 0 {
		e.Uint16BE(unix.RTA_SPORT, q.SrcPort)
	}
	if q.DstPort != 0 {
		e.Uint16BE(unix.RTA_DPORT, q.DstPort)
	}
	b, err := e.Finish()
	if err != nil {
		return Route{}, fmt.Errorf("rtnl: get route: %w", err)
	}
	return getOne(ctx, c, "get route "+q.Dst.String(), unix.RTM_GETROUTE, b, unix.RTM_NEWROUTE, func(data []byte) (Route, error) {
		var r Route
		err := r.UnmarshalBinary(data)
		return r, err
	}, "the kernel sent no route")
}

// forChange returns r prepared for a request: Family from Dst, and for
// additions Type unicast; for IPv4 the scope iproute2 would pick when
// Scope is zero (see Route.Scope).
func (r Route) forChange(del bool) (Route, error) {
	if !r.Dst.IsValid() {
		return r, errors.New("rtnl: route: Dst is not set (a default route is 0.0.0.0/0 or ::/0)")
	}
	if r.Family == FamilyUnspec {
		r.Family = routeAddrFamily(r.Dst.Addr())
	}
	if !del && r.Type == RouteUnspec {
		r.Type = RouteUnicast
	}
	if r.Family == FamilyIPv4 && r.Scope == ScopeUniverse && !r.HasScope {
		switch r.Type {
		case RouteLocal, RouteNAT:
			r.Scope = ScopeHost
		case RouteBroadcast, RouteMulticast, RouteAnycast:
			r.Scope = ScopeLink
		case RouteUnicast, RouteUnspec:
			if del {
				r.Scope = ScopeNowhere
			} else if !r.Gateway.IsValid() && len(r.NextHops) == 0 && r.NextHopID == 0 {
				r.Scope = ScopeLink
			}
		default:
			if del {
				r.Scope = ScopeNowhere
			}
		}
	}
	return r, nil
}

// changeRoute sends one route change.
func (c *Conn) changeRoute(ctx context.Context, op string, typ netlink.MessageType, flags netlink.Flags, r Route) error {
	r, err := r.forChange(typ == unix.RTM_DELROUTE)
	if err != nil {
		return err
	}
	b, err := r.AppendBinary(make([]byte, 0, 128))
	return c.send(ctx, op+" "+routeName(&r), typ, flags, b, err)
}

// AddRoute adds r (RTM_NEWROUTE with NLM_F_CREATE|NLM_F_EXCL, like `ip
// route add`). It fails with EEXIST if the route exists. Zero fields get
// the defaults described on Route (Family from Dst, Type unicast, IPv4
// scope as iproute2 picks it, table main).
func (c *Conn) AddRoute(ctx context.Context, r Route) error {
	return c.changeRoute(ctx, "add route", unix.RTM_NEWROUTE, netlink.Create|netlink.Excl, r)
}

// ReplaceRoute adds r or replaces a route of the same slot
// (NLM_F_CREATE|NLM_F_REPLACE, `ip route replace`): for IPv4 the first
// route with r's table, destination, tos and metric, whatever its
// gateway; for IPv6 the route with r's RouteKey, or for a gateway route
// the multipath group of its slot. The route replaced need not have r's
// RouteKey.
func (c *Conn) ReplaceRoute(ctx context.Context, r Route) error {
	return c.changeRoute(ctx, "replace route", unix.RTM_NEWROUTE, netlink.Create|netlink.Replace, r)
}

// AppendRoute adds r after existing routes to the same destination
// (NLM_F_CREATE|NLM_F_APPEND, `ip route append`). For IPv4 that makes a
// second, alternative route; for IPv6 the kernel adds a gateway route's
// paths to the existing multipath group of the slot, while a route
// through a link alone becomes a route of its own (see RouteKey).
func (c *Conn) AppendRoute(ctx context.Context, r Route) error {
	return c.changeRoute(ctx, "append route", unix.RTM_NEWROUTE, netlink.Create|netlink.Append, r)
}

// ChangeRoute replaces an existing route and fails with ENOENT if there is
// none (NLM_F_REPLACE without NLM_F_CREATE, `ip route change`).
func (c *Conn) ChangeRoute(ctx context.Context, r Route) error {
	return c.changeRoute(ctx, "change route", unix.RTM_NEWROUTE, netlink.Replace, r)
}

// DeleteRoute deletes the first route that matches r (RTM_DELROUTE, `ip
// route del`): Dst and Table always, and every other field that is set.
// A zero IPv4 Scope matches any scope (unless HasScope); a missing route
// gives ESRCH.
func (c *Conn) DeleteRoute(ctx context.Context, r Route) error {
	return c.changeRoute(ctx, "delete route", unix.RTM_DELROUTE, 0, r)
}

// AddRoutes adds many routes as AddRoute does, in as few datagrams as fit
// (netlink.Conn.Batch). If some fail, the error is a *netlink.BatchError
// whose Failures name them by their index in routes (a route that cannot
// be encoded is listed too, and not sent); the others were added.
func (c *Conn) AddRoutes(ctx context.Context, routes []Route) error {
	return nameFailures(c.AddRoutesSeq(ctx, slices.Values(routes)), "add route", routes, routeName)
}

// DeleteRoutes deletes many routes as DeleteRoute does, in as few
// datagrams as fit; failures are reported as by AddRoutes.
func (c *Conn) DeleteRoutes(ctx context.Context, routes []Route) error {
	return nameFailures(c.DeleteRoutesSeq(ctx, slices.Values(routes)), "delete route", routes, routeName)
}

// AddRoutesSeq is AddRoutes for routes produced by an iterator, so that
// millions of routes can be added without holding them in memory: each is
// encoded into one reused buffer as the batch is sent. Indexes in a
// *netlink.BatchError count the routes seq yielded, from 0.
func (c *Conn) AddRoutesSeq(ctx context.Context, seq iter.Seq[Route]) error {
	return c.routeBatch(ctx, "add route", unix.RTM_NEWROUTE, netlink.Create|netlink.Excl, seq)
}

// DeleteRoutesSeq is DeleteRoutes for routes produced by an iterator; see
// AddRoutesSeq.
func (c *Conn) DeleteRoutesSeq(ctx context.Context, seq iter.Seq[Route]) error {
	return c.routeBatch(ctx, "delete route", unix.RTM_DELROUTE, 0, seq)
}

// routeBatch streams routes through netlink.Conn.Batch with one reused
// encoding buffer. Routes that fail to encode are not sent; they join the
// kernel's failures in one *netlink.BatchError indexed by route.
func (c *Conn) routeBatch(ctx context.Context, op string, typ netlink.MessageType, flags netlink.Flags, seq iter.Seq[Route]) error {
	del := typ == unix.RTM_DELROUTE
	return encodedBatch(ctx, c, op, typ, flags, seq, func(b []byte, r *Route) ([]byte, error) {
		rc, err := r.forChange(del)
		if err != nil {
			return b, err
		}
		return rc.AppendBinary(b)
	})
}
