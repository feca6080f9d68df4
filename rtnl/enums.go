package rtnl

import (
	"fmt"
	"strconv"

	"github.com/nlkit/nlkit/internal/enumtext"
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

// parseNumber reads an unsigned number as iproute2 does (strtoul with base
// 0): decimal, hexadecimal after "0x", octal after a leading "0"; at most
// bits wide. See enumtext.ParseNumber.
func parseNumber(s string, bits int) (uint64, bool) {
	return enumtext.ParseNumber(s, bits)
}

// enumTextError is the error of an UnmarshalText.
func enumTextError(what string, text []byte) error {
	return fmt.Errorf("rtnl: invalid %s %q", what, text)
}

// UnmarshalText sets f from iproute2's words (inet, inet6, bridge, unspec)
// or a number, so that a Family reads back what String gives.
func (f *Family) UnmarshalText(text []byte) error {
	switch s := string(text); s {
	case "unspec":
		*f = FamilyUnspec
	case "inet":
		*f = FamilyIPv4
	case "inet6":
		*f = FamilyIPv6
	case "bridge":
		*f = FamilyBridge
	default:
		n, ok := parseNumber(s, 8)
		if !ok {
			return enumTextError("family", text)
		}
		*f = Family(n)
	}
	return nil
}

// UnmarshalText sets s from iproute2's words (global, site, link, host,
// nowhere) or a number from 0 to 255, as `ip route ... scope` takes them
// (rtnl_rtscope_a2n). It reads back what String gives.
func (s *Scope) UnmarshalText(text []byte) error {
	switch w := string(text); w {
	case "global":
		*s = ScopeUniverse
	case "site":
		*s = ScopeSite
	case "link":
		*s = ScopeLink
	case "host":
		*s = ScopeHost
	case "nowhere":
		*s = ScopeNowhere
	default:
		n, ok := parseNumber(w, 8)
		if !ok {
			return enumTextError("scope", text)
		}
		*s = Scope(n)
	}
	return nil
}

// UnmarshalText sets t from iproute2's words (main, local, default,
// compat, unspec) or a number, as `ip route ... table` takes them
// (rtnl_rttable_a2n, without the names of /etc/iproute2/rt_tables). It
// reads back what String gives.
func (t *Table) UnmarshalText(text []byte) error {
	switch w := string(text); w {
	case "unspec":
		*t = TableUnspec
	case "compat":
		*t = TableCompat
	case "default":
		*t = TableDefault
	case "main":
		*t = TableMain
	case "local":
		*t = TableLocal
	default:
		n, ok := parseNumber(w, 32)
		if !ok {
			return enumTextError("table", text)
		}
		*t = Table(n)
	}
	return nil
}

// UnmarshalText sets p from iproute2's words (kernel, boot, static, dhcp,
// bgp, ...: those String gives) or a number from 0 to 255, as `ip route
// ... proto` takes them (rtnl_rtprot_a2n, without the names of
// /etc/iproute2/rt_protos).
func (p *Protocol) UnmarshalText(text []byte) error {
	w := string(text)
	for n, name := range protoNames {
		if name == w {
			*p = n
			return nil
		}
	}
	n, ok := parseNumber(w, 8)
	if !ok {
		return enumTextError("protocol", text)
	}
	*p = Protocol(n)
	return nil
}

// UnmarshalText sets t from iproute2's words (unicast, local, broadcast,
// anycast, multicast, blackhole, unreachable, prohibit, throw, nat,
// xresolve, unspec; also "brd") or a number from 0 to 255, as `ip route`
// takes a route type (rtnl_rtntype_a2n, without its abbreviations). It
// reads back what String gives.
func (t *RouteType) UnmarshalText(text []byte) error {
	w := string(text)
	if w == "brd" {
		*t = RouteBroadcast
		return nil
	}
	for i, name := range routeTypeNames {
		if name == w {
			*t = RouteType(i)
			return nil
		}
	}
	n, ok := parseNumber(w, 8)
	if !ok {
		return enumTextError("route type", text)
	}
	*t = RouteType(n)
	return nil
}
