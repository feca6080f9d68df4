package rtnl

import (
	"fmt"
	"strconv"
)

// Family is an address family as used in route-netlink headers.
type Family uint8

// Families (linux/socket.h).
const (
	FamilyUnspec Family = 0  // AF_UNSPEC: both
	FamilyIPv4   Family = 2  // AF_INET
	FamilyBridge Family = 7  // AF_BRIDGE
	FamilyIPv6   Family = 10 // AF_INET6
)

// String gives iproute2's words: inet, inet6, bridge.
func (f Family) String() string {
	switch f {
	case FamilyUnspec:
		return "unspec"
	case FamilyIPv4:
		return "inet"
	case FamilyIPv6:
		return "inet6"
	case FamilyBridge:
		return "bridge"
	}
	return strconv.Itoa(int(f))
}

// Scope is a route or address scope (enum rt_scope_t).
type Scope uint8

// Scopes (linux/rtnetlink.h).
const (
	ScopeUniverse Scope = 0   // RT_SCOPE_UNIVERSE: global
	ScopeSite     Scope = 200 // RT_SCOPE_SITE
	ScopeLink     Scope = 253 // RT_SCOPE_LINK
	ScopeHost     Scope = 254 // RT_SCOPE_HOST
	ScopeNowhere  Scope = 255 // RT_SCOPE_NOWHERE
)

// String gives iproute2's words (global, site, link, host, nowhere), or the
// number.
func (s Scope) String() string {
	switch s {
	case ScopeUniverse:
		return "global"
	case ScopeSite:
		return "site"
	case ScopeLink:
		return "link"
	case ScopeHost:
		return "host"
	case ScopeNowhere:
		return "nowhere"
	}
	return strconv.Itoa(int(s))
}

// Table is a routing table id. Ids above 255 travel in RTA_TABLE.
type Table uint32

// Reserved tables (enum rt_class_t).
const (
	TableUnspec  Table = 0
	TableCompat  Table = 252
	TableDefault Table = 253
	TableMain    Table = 254
	TableLocal   Table = 255
)

// String gives iproute2's words (main, local, default), or the number.
func (t Table) String() string {
	switch t {
	case TableUnspec:
		return "unspec"
	case TableCompat:
		return "compat"
	case TableDefault:
		return "default"
	case TableMain:
		return "main"
	case TableLocal:
		return "local"
	}
	return strconv.FormatUint(uint64(t), 10)
}

// Protocol says who installed a route (rtm_protocol).
type Protocol uint8

// Route protocols (linux/rtnetlink.h; names as iproute2's rt_protos).
const (
	ProtoUnspec     Protocol = 0
	ProtoRedirect   Protocol = 1
	ProtoKernel     Protocol = 2
	ProtoBoot       Protocol = 3
	ProtoStatic     Protocol = 4
	ProtoGated      Protocol = 8
	ProtoRA         Protocol = 9
	ProtoMRT        Protocol = 10
	ProtoZebra      Protocol = 11
	ProtoBird       Protocol = 12
	ProtoDNRouted   Protocol = 13
	ProtoXORP       Protocol = 14
	ProtoNTK        Protocol = 15
	ProtoDHCP       Protocol = 16
	ProtoMrouted    Protocol = 17
	ProtoKeepalived Protocol = 18
	ProtoBabel      Protocol = 42
	ProtoOpenr      Protocol = 99
	ProtoBGP        Protocol = 186
	ProtoISIS       Protocol = 187
	ProtoOSPF       Protocol = 188
	ProtoRIP        Protocol = 189
	ProtoEIGRP      Protocol = 192
)

var protoNames = map[Protocol]string{
	ProtoUnspec: "unspec", ProtoRedirect: "redirect", ProtoKernel: "kernel", ProtoBoot: "boot",
	ProtoStatic: "static", ProtoGated: "gated", ProtoRA: "ra", ProtoMRT: "mrt", ProtoZebra: "zebra",
	ProtoBird: "bird", ProtoDNRouted: "dnrouted", ProtoXORP: "xorp", ProtoNTK: "ntk", ProtoDHCP: "dhcp",
	ProtoMrouted: "mrouted", ProtoKeepalived: "keepalived", ProtoBabel: "babel", ProtoOpenr: "openr",
	ProtoBGP: "bgp", ProtoISIS: "isis", ProtoOSPF: "ospf", ProtoRIP: "rip", ProtoEIGRP: "eigrp",
}

// String gives iproute2's words (kernel, boot, static, ...), or the number.
func (p Protocol) String() string {
	if s, ok := protoNames[p]; ok {
		return s
	}
	return strconv.Itoa(int(p))
}

// RouteType is rtm_type.
type RouteType uint8

// Route types (linux/rtnetlink.h).
const (
	RouteUnspec      RouteType = 0
	RouteUnicast     RouteType = 1
	RouteLocal       RouteType = 2
	RouteBroadcast   RouteType = 3
	RouteAnycast     RouteType = 4
	RouteMulticast   RouteType = 5
	RouteBlackhole   RouteType = 6
	RouteUnreachable RouteType = 7
	RouteProhibit    RouteType = 8
	RouteThrow       RouteType = 9
	RouteNAT         RouteType = 10
	RouteXResolve    RouteType = 11
)

var routeTypeNames = [...]string{"unspec", "unicast", "local", "broadcast", "anycast", "multicast",
	"blackhole", "unreachable", "prohibit", "throw", "nat", "xresolve"}

// String gives iproute2's words (unicast, local, blackhole, ...).
func (t RouteType) String() string {
	if int(t) < len(routeTypeNames) {
		return routeTypeNames[t]
	}
	return fmt.Sprintf("%d", uint8(t))
}
