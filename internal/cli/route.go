package cli

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

const routeHelp = `Usage: nl route { list | show } [ SELECTOR ]
       nl route flush { cache | SELECTOR }
       nl route save SELECTOR
       nl route restore
       nl route showdump
       nl route get [ ROUTE_GET_FLAGS ] ADDRESS [ from ADDRESS ] [ iif STRING ]
                    [ oif STRING ] [ mark NUMBER ] [ tos TOS ] [ vrf NAME ]
                    [ uid NUMBER ] [ ipproto PROTOCOL ] [ sport NUMBER ]
                    [ dport NUMBER ] [ notify ] [ connected ]
ROUTE_GET_FLAGS := [ fibmatch ]
       nl route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ] [ to PREFIX ]
            [ table TABLE_ID ] [ dev STRING ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ] [ metric METRIC ]
            [ via [ FAMILY ] PREFIX ] [ src PREFIX ] [ realms REALMID ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ] [ from PREFIX ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ via [ FAMILY ] ADDRESS ] [ dev STRING ] [ weight NUMBER ] NHFLAGS
      [ realms REALM ]
FAMILY := [ inet | inet6 ]
OPTIONS := FLAGS [ mtu [ lock ] NUMBER ] [ advmss [ lock ] NUMBER ] [ realms REALM ]
           [ window NUMBER ] [ cwnd NUMBER ] [ initcwnd NUMBER ]
           [ initrwnd NUMBER ] [ ssthresh NUMBER ] [ reordering NUMBER ]
           [ hoplimit NUMBER ] [ quickack BOOL ] [ congctl NAME ]
           [ src ADDRESS ]
TYPE := { unicast | local | broadcast | multicast | throw |
          unreachable | prohibit | blackhole | nat }
TABLE_ID := [ local | main | default | all | NUMBER ]
SCOPE := [ host | link | global | NUMBER ]
NHFLAGS := [ onlink ]
RTPROTO := [ kernel | boot | static | NUMBER ]
METRIC := [ metric | priority | preference ] NUMBER
`

// routeRequest is a parsed route command.
type routeRequest struct {
	cmd  string        // show, flush, get, add, replace, append, change, delete
	sel  routeSelector // show, flush
	get  routeGetArgs  // get
	spec routeSpec     // add, replace, append, change, delete
}

// routeSelector is the SELECTOR of show and flush.
type routeSelector struct {
	table    rtnl.Table // 0 with tableAll: every table; otherwise main unless given
	tableAll bool
	dev      string
	hasDev   bool // dev was given (possibly as "", which is no link)
	proto    rtnl.Protocol
	hasProto bool
	typ      rtnl.RouteType
	hasType  bool
	scope    rtnl.Scope
	hasScope bool
	metric   uint32
	hasMet   bool
	// prefix filters: rootPfx (routes inside), matchPfx (routes that
	// contain it); "exact" (and a bare PREFIX) sets both. An invalid
	// prefix with the *Default flag is "default" of any family.
	rootPfx, matchPfx         netip.Prefix
	rootDefault, matchDefault bool
	oif                       int32 // dev, resolved by routeFilter
	// via and src: the gateway and preferred source must be inside
	// these prefixes (ip's rvia, rprefsrc); a host prefix also leaves
	// the field out of the output, as ip does.
	via, prefsrc   netip.Prefix
	hasVia, hasSrc bool
	cache          bool // flush cache
	// realms: RTA_FLOW must equal realm under realmMask (ip's
	// filter.realm, realmmask); a full mask also leaves it out of the
	// output.
	realm, realmMask uint32
	tos              uint8
	hasTos           bool // tos|dsfield: routes with that tos only (ip's tosmask -1)
	vrf              string
	hasVrf           bool // vrf NAME: its table, without local and broadcast routes
}

// routeGetArgs are the arguments of route get.
type routeGetArgs struct {
	dst, from      netip.Addr
	iif, oif       string
	hasIif, hasOif bool // iif, oif given (possibly as "", which is no link)
	mark           uint32
	fibMatch       bool
	warning        string // ip's warning for a destination given with a prefix length
	vrf            string // vrf NAME: the oif, which must be a vrf
	hasVrf         bool
	tos            uint8
	uid            uint32
	hasUID         bool
	ipproto        uint8
	sport, dport   uint16
	notify         bool
	connected      bool // look up twice, as ip does (see routeGet)
	hasFrom        bool
}

// routeSpec is the ROUTE of the changing commands: the route as it is sent,
// except for the links, which are resolved when it runs.
type routeSpec struct {
	route    rtnl.Route
	dev      string
	hasDev   bool // dev was given (possibly as "", which is no link)
	nexthops []routeNextHop
	encap    *lwtEncap // encap: the route goes out raw (routeRaw)
	vrf      string    // vrf NAME: the table of that vrf (ip's ipvrf_get_table)
	hasVrf   bool
}

// routeNextHop is one "nexthop" of a multipath route.
type routeNextHop struct {
	hop    rtnl.NextHop
	dev    string
	hasDev bool // dev was given (possibly as "", which is no link)
	encap  *lwtEncap
}

// routeTypeWords are ip's route type words, in the order rtnl_rtntype_a2n
// tries them; abbreviable ones use matches().
var routeTypeWords = []struct {
	word   string
	abbrev bool
	typ    rtnl.RouteType
}{
	{"local", false, rtnl.RouteLocal}, {"nat", false, rtnl.RouteNAT},
	{"broadcast", true, rtnl.RouteBroadcast}, {"brd", false, rtnl.RouteBroadcast},
	{"anycast", true, rtnl.RouteAnycast}, {"multicast", true, rtnl.RouteMulticast},
	{"prohibit", true, rtnl.RouteProhibit}, {"unreachable", true, rtnl.RouteUnreachable},
	{"blackhole", false, rtnl.RouteBlackhole}, {"xresolve", true, rtnl.RouteXResolve},
	{"unicast", true, rtnl.RouteUnicast}, {"throw", false, rtnl.RouteThrow},
}

// parseRouteType reads a route type word or number (rtnl_rtntype_a2n:
// strtoul, at most 255).
func parseRouteType(w string) (rtnl.RouteType, bool) {
	for _, t := range routeTypeWords {
		if w == t.word || t.abbrev && matches(w, t.word) {
			return t.typ, true
		}
	}
	n, ok := getUint(w, 0, 8)
	return rtnl.RouteType(n), ok
}

// rtEnum reads an rtnl enum as ip's rtnl_rttable_a2n, rtnl_rtprot_a2n and
// rtnl_rtscope_a2n do: a number (strtoul, base 0, at most bits wide), or
// one of the enum's words (its UnmarshalText).
func rtEnum[T ~uint8 | ~uint32, P interface {
	*T
	UnmarshalText([]byte) error
}](bits int) func(string) (T, bool) {
	return func(w string) (T, bool) {
		if n, ok := getUint(w, 0, bits); ok {
			return T(n), true
		}
		var v T
		return v, P(&v).UnmarshalText([]byte(w)) == nil
	}
}

var (
	parseTable    = rtEnum[rtnl.Table](32)
	parseProtocol = rtEnum[rtnl.Protocol](8)
	parseScope    = rtEnum[rtnl.Scope](8)
)

// defaultOr is the prefix of p, "default" (or "all", "any") being the
// zero-length prefix of p's family when it has one: invalid, with isDefault,
// when the family is not known yet.
func (p inet) defaultOr() (pfx netip.Prefix, isDefault bool) {
	if p.Any {
		if p.Family.ip() != FamilyAny {
			return p.Family.defaultPrefix(), true
		}
		return netip.Prefix{}, true
	}
	return p.Prefix(), false
}

// parseRoute turns the words after "route" into a request. fam is the
// -4/-6 option.
func parseRoute(args []string, fam Family) (routeRequest, error) {
	var r routeRequest
	a := wordsOf(args)
	if !a.more() {
		r.cmd = "show"
		r.sel.table = rtnl.TableMain
		return r, nil
	}
	var err error
	if r.cmd, err = pickCommand("route", a.next(), routeCommands); err != nil {
		return r, err
	}
	switch r.cmd {
	case "show", "save":
		r.sel, err = parseRouteSelector(a, fam)
	case "restore", "showdump":
		if a.more() {
			return r, usagef(`Error: garbage "%s" after "route %s".`, a.peek(), r.cmd)
		}
	case "get":
		r.get, err = parseRouteGet(a, fam)
	case "flush":
		if !a.more() {
			return r, errBadWord("\"nl route flush\" requires arguments.")
		}
		r.sel, err = parseRouteSelector(a, fam)
	default:
		r.spec, err = parseRouteSpec(a, fam, r.cmd == "delete")
	}
	return r, err
}

// routeCommands are route's commands in ip's order.
var routeCommands = []command{
	{name: "add"}, {name: "change", exact: []string{"chg"}}, {name: "replace"}, {name: "prepend"}, {name: "append"}, {name: "delete"},
	{name: "show", abbrev: []string{"list", "show", "lst"}}, {name: "get"}, {name: "flush"}, {name: "save"},
	{name: "restore"}, {name: "showdump"},
}

// parseRouteSelector parses the SELECTOR of show and flush, as ip's
// iproute_list_flush_or_save does.
func parseRouteSelector(a *words, fam Family) (routeSelector, error) {
	s := routeSelector{table: rtnl.TableMain}
	for a.more() {
		var err error
		switch w := a.next(); {
		case matches(w, "table"):
			s.table, s.tableAll, err = valueOrAll(a, parseTable, "table id value is invalid\n")
			s.tableAll = s.tableAll || s.table == 0 // table 0 is every table, as "all"
		case matches(w, "protocol"):
			var all bool
			s.proto, all, err = valueOrAll(a, parseProtocol, "invalid \"protocol\"\n")
			s.hasProto = !all
		case matches(w, "scope"):
			var all bool
			s.scope, all, err = valueOrAll(a, parseScope, "invalid \"scope\"\n")
			s.hasScope = !all
		case matches(w, "type"):
			s.typ, err = valueOf(a, parseRouteType, "node type value is invalid\n")
			s.hasType = true
		case w == "dev" || w == "oif":
			s.dev, err = a.value()
			s.hasDev = true
		case matches(w, "metric") || matches(w, "priority") || w == "preference":
			s.metric, err = valueOf(a, getU32, "\"metric\" value is invalid\n")
			s.hasMet = true
		case w == "via":
			vf := fam
			if f, ferr := parseFamily(a.peek()); ferr == nil && a.peek() != "link" && a.more() {
				vf = f
				a.next()
			}
			var p inet
			if p, err = prefixValue(a, vf); err == nil {
				s.via, _ = p.defaultOr()
				s.hasVia = true
				if !s.via.IsValid() {
					s.via = netip.PrefixFrom(p.Family.or(FamilyInet).defaultPrefix().Addr(), 0)
				}
			}
		case w == "src":
			var p inet
			if p, err = prefixValue(a, fam); err == nil {
				s.prefsrc, _ = p.defaultOr()
				s.hasSrc = true
				if !s.prefsrc.IsValid() {
					s.prefsrc = netip.PrefixFrom(p.Family.or(FamilyInet).defaultPrefix().Addr(), 0)
				}
			}
		case matches(w, "cache"):
			s.cache = true
		case matches(w, "realms"):
			var v string
			if v, err = a.value(); err != nil {
				return s, err
			}
			var ok bool
			if s.realm, ok = parseRealms(v); !ok {
				return s, errInvarg("invalid realms\n", v)
			}
			// As ip: "FROM/" and "TO" (or "/TO") leave the other half
			// free.
			s.realmMask = ^uint32(0)
			if s.realm&0xffff == 0 && strings.HasSuffix(v, "/") {
				s.realmMask &^= 0xffff
			}
			if s.realm&0xffff0000 == 0 && (!strings.Contains(v, "/") || strings.HasPrefix(v, "/")) {
				s.realmMask &^= 0xffff0000
			}
		case w != "t" && w != "to" && matches(w, "tos") || matches(w, "dsfield"): // ip: "t" is table, "to" the prefix
			s.tos, err = valueOf(a, parseDSField, "TOS value is invalid\n")
			s.hasTos = true
		case matches(w, "vrf"):
			s.vrf, err = a.value()
			s.hasVrf = true
		default:
			if matches(w, "to") {
				if w, err = a.value(); err != nil {
					return s, err
				}
			}
			root, match := true, true
			switch {
			case matches(w, "root"):
				match = false
			case matches(w, "match"):
				root = false
			case matches(w, "exact"):
			default:
				a.i-- // the word is the prefix
			}
			if w, err = a.value(); err != nil {
				return s, err
			}
			p, err := getPrefix(w, fam)
			if err != nil {
				return s, err
			}
			if p.Any && !p.Plen && p.Family == FamilyAny {
				continue // "all" and "any" of no family: every route, as in ip
			}
			pfx, def := p.defaultOr()
			if root {
				s.rootPfx, s.rootDefault = pfx, def
			}
			if match {
				s.matchPfx, s.matchDefault = pfx, def
			}
		}
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

// parseRouteGet parses the arguments of route get (ip's iproute_get).
func parseRouteGet(a *words, fam Family) (routeGetArgs, error) {
	var g routeGetArgs
	found := false
	for a.more() {
		var err error
		switch w := a.next(); {
		case w == "tos" || matches(w, "dsfield"):
			g.tos, err = valueOf(a, parseDSField, "TOS value is invalid\n")
		case matches(w, "from"):
			p, err := prefixValue(a, fam)
			if err != nil {
				return g, err
			}
			fam = fam.or(p.Family)
			if p.Addr.IsValid() { // "from default" is no source, as in ip
				g.from = p.Addr
			}
			g.hasFrom = true
		case matches(w, "iif"):
			g.iif, err = a.value()
			g.hasIif = true
		case matches(w, "mark"):
			g.mark, err = valueOf(a, getU32, "invalid mark value")
		case matches(w, "oif") || w == "dev":
			g.oif, err = a.value()
			g.hasOif = true
		case matches(w, "notify"):
			g.notify = true
		case matches(w, "connected"):
			g.connected = true
		case matches(w, "vrf"):
			g.vrf, err = a.value()
			g.hasVrf = true
		case matches(w, "uid"):
			g.uid, err = valueOf(a, getU32, "invalid UID\n")
			g.hasUID = true
		case matches(w, "fibmatch"):
			g.fibMatch = true
		case w == "as":
			// RTA_NEWDST, for MPLS, which nl does not speak.
			return g, usagef(`Error: "%s" is not supported by nl route get.`, w)
		case matches(w, "sport"):
			g.sport, err = valueOf(a, getU16, "invalid sport\n")
		case matches(w, "dport"):
			g.dport, err = valueOf(a, getU16, "invalid dport\n")
		case matches(w, "ipproto"):
			g.ipproto, err = valueOf(a, parseIPProto, `Invalid "ipproto" value`+"\n")
		default:
			if w == "to" {
				if w, err = a.value(); err != nil {
					return g, err
				}
			}
			if matches(w, "help") { // ip's iproute_get: usage, on the destination's place
				return g, &UsageError{Msg: strings.TrimSuffix(routeHelp, "\n")}
			}
			// As in ip, a second destination replaces the first.
			p, err := getPrefix(w, fam)
			if err != nil {
				return g, err
			}
			if !p.Addr.IsValid() {
				// "default", "all", "any": ip asks for no address,
				// which the kernel takes as 0.0.0.0.
				p.Family = p.Family.or(FamilyInet)
				p.Addr, p.Bits = p.Family.defaultPrefix().Addr(), p.Family.bits()
			}
			if p.Bits != p.Addr.BitLen() {
				g.warning = fmt.Sprintf("Warning: /%d as prefix is invalid, only /%d (or none) is supported.", p.Bits, p.Addr.BitLen())
			}
			g.dst = p.Addr
			fam = fam.or(p.Family)
			found = true
		}
		if err != nil {
			return g, err
		}
	}
	if !found {
		return g, errBadWord("need at least a destination address")
	}
	return g, nil
}

// routeMetricWords are the uint32 metrics of ROUTE's OPTIONS, in ip's order of
// checks, with whether the keyword is abbreviable and its RTAX_* lock bit.
var routeMetricWords = []struct {
	word   string
	abbrev bool
	name   string // in ip's "X" value is invalid
	bit    uint
	field  func(m *rtnl.Metrics) *uint32
}{
	{"mtu", false, "mtu", 2, func(m *rtnl.Metrics) *uint32 { return &m.MTU }},
	{"hoplimit", false, "hoplimit", 10, func(m *rtnl.Metrics) *uint32 { return &m.HopLimit }},
	{"advmss", false, "mss", 8, func(m *rtnl.Metrics) *uint32 { return &m.AdvMSS }},
	{"reordering", true, "reordering", 9, func(m *rtnl.Metrics) *uint32 { return &m.Reordering }},
	{"window", true, "window", 3, func(m *rtnl.Metrics) *uint32 { return &m.Window }},
	{"cwnd", true, "cwnd", 7, func(m *rtnl.Metrics) *uint32 { return &m.CWnd }},
	{"initcwnd", true, "initcwnd", 11, func(m *rtnl.Metrics) *uint32 { return &m.InitCwnd }},
	{"initrwnd", true, "initrwnd", 14, func(m *rtnl.Metrics) *uint32 { return &m.InitRwnd }},
	{"ssthresh", true, "ssthresh", 6, func(m *rtnl.Metrics) *uint32 { return &m.SSThresh }},
}

// routeMetricWord finds w in routeMetricWords, -1 if it is none of them.
func routeMetricWord(w string) int {
	for i, m := range routeMetricWords {
		if w == m.word || m.abbrev && matches(w, m.word) {
			return i
		}
	}
	return -1
}

// lockedValue reads "[lock] VALUE" after a metric keyword, setting bit in
// lock for "lock".
func lockedValue(a *words, lock *uint32, bit uint) (string, error) {
	v, err := a.value()
	if err == nil && v == "lock" {
		*lock |= 1 << bit
		v, err = a.value()
	}
	return v, err
}

// parseRouteSpec parses ROUTE for add, change, replace, append and delete,
// as ip's iproute_modify, with its defaults: proto boot, table main (local
// for local, broadcast, nat and anycast routes) and, for IPv4, the scope
// the library picks when Scope is zero. For delete only what is given is
// matched (table main unless given). The first address fixes the family
// of those after it, as in ip.
func parseRouteSpec(a *words, fam Family, del bool) (routeSpec, error) {
	var s routeSpec
	r := &s.route
	if !del {
		r.Protocol = rtnl.ProtoBoot
		r.Type = rtnl.RouteUnicast
	}
	var dstOK, dstDefault, gwOK, tableOK bool
	var lock uint32
	// metrics gives the route its Metrics, made on first use.
	metrics := func() *rtnl.Metrics {
		if r.Metrics == nil {
			r.Metrics = new(rtnl.Metrics)
		}
		return r.Metrics
	}
	for a.more() {
		var err error
		switch w := a.next(); {
		case w == "src":
			var v string
			if v, err = a.value(); err != nil {
				return s, err
			}
			if r.PrefSrc, err = getIPAddr(v, fam); err != nil {
				return s, err
			}
			fam = fam.or(familyOf(r.PrefSrc))
		case w == "via":
			if gwOK {
				return s, errInvarg("use nexthop syntax to specify multiple via\n", w)
			}
			gwOK = true
			if r.Gateway, err = viaValue(a, fam); err != nil {
				return s, err
			}
			fam = fam.or(familyOf(r.Gateway))
		case w == "from":
			p, err := prefixValue(a, fam)
			if err != nil {
				return s, err
			}
			fam = fam.or(p.Family)
			r.Src = p.Prefix()
		case w != "t" && w != "to" && matches(w, "tos") || matches(w, "dsfield"): // ip: "t" is table, "to" the prefix
			r.Tos, err = valueOf(a, parseDSField, "\"tos\" value is invalid\n")
		case matches(w, "metric") || matches(w, "priority") || w == "preference":
			r.Priority, err = valueOf(a, getU32, "\"metric\" value is invalid\n")
			r.HasPriority = true
		case w == "scope":
			r.Scope, err = valueOf(a, parseScope, "invalid \"scope\" value\n")
			r.HasScope = true
		case routeMetricWord(w) >= 0:
			m := routeMetricWords[routeMetricWord(w)]
			var v string
			if v, err = lockedValue(a, &lock, m.bit); err != nil {
				return s, err
			}
			n, ok := getU32(v)
			if !ok || m.word == "hoplimit" && n > 255 {
				return s, errInvarg(fmt.Sprintf("\"%s\" value is invalid\n", m.name), v)
			}
			*m.field(metrics()) = n
		case matches(w, "quickack"):
			var n uint32
			if n, err = valueOf(a, getU32, "\"quickack\" value is invalid\n"); err != nil {
				return s, err
			}
			if n > 1 {
				return s, errInvarg("\"quickack\" value should be 0 or 1\n", a.w[a.i-1])
			}
			metrics().QuickAck = n
		case matches(w, "congctl"):
			metrics().CCAlgo, err = lockedValue(a, &lock, 16) // RTAX_CC_ALGO
		case matches(w, "realms"):
			r.Realms, err = valueOf(a, parseRealms, "\"realm\" value is invalid\n")
		case w == "onlink":
			r.Flags |= rtnl.RouteFlagOnLink
		case w == "encap":
			s.encap, err = parseEncap(a)
		case w == "nexthop":
			a.i-- // parseRouteNextHops starts on "nexthop"
			if s.nexthops, err = parseRouteNextHops(a, fam); err != nil {
				return s, err
			}
			for _, nh := range s.nexthops {
				if nh.hop.Gateway.IsValid() {
					fam = fam.or(familyOf(nh.hop.Gateway))
					break
				}
			}
		case w == "nhid":
			r.NextHopID, err = valueOf(a, getU32, "\"id\" value is invalid\n")
		case matches(w, "protocol"):
			r.Protocol, err = valueOf(a, parseProtocol, "\"protocol\" value is invalid\n")
		case matches(w, "table"):
			r.Table, err = valueOf(a, parseTable, "\"table\" value is invalid\n")
			tableOK = true
		case matches(w, "vrf"):
			s.vrf, err = a.value()
			s.hasVrf, tableOK = true, true
		case w == "dev" || w == "oif":
			s.dev, err = a.value()
			s.hasDev = true
		default:
			if w == "to" {
				if w, err = a.value(); err != nil {
					return s, err
				}
			}
			if w == "" || w[0] < '0' || w[0] > '9' {
				if t, ok := parseRouteType(w); ok {
					if w, err = a.value(); err != nil {
						return s, err
					}
					r.Type = t
				}
			}
			if dstOK {
				return s, errDuparg2("to", w)
			}
			p, err := getPrefix(w, fam)
			if err != nil {
				return s, err
			}
			dstOK = true
			fam = fam.or(p.Family)
			if r.Dst, dstDefault = p.defaultOr(); dstDefault {
				r.Dst = netip.Prefix{}
			}
		}
		if err != nil {
			return s, err
		}
	}
	if !dstOK {
		return s, usagef("Error: a destination PREFIX (or \"default\") is required.")
	}
	fam = fam.or(FamilyInet)
	r.Family = fam.rtnl()
	if dstDefault {
		r.Dst = fam.defaultPrefix()
	}
	if lock != 0 {
		metrics().Lock = lock
	}
	if !tableOK {
		r.Table = rtnl.TableMain
		switch r.Type {
		case rtnl.RouteLocal, rtnl.RouteBroadcast, rtnl.RouteNAT, rtnl.RouteAnycast:
			r.Table = rtnl.TableLocal
		}
	}
	return s, nil
}

// viaValue reads "[inet|inet6] ADDR" after "via" (ip's read_family, then
// get_addr).
func viaValue(a *words, fam Family) (netip.Addr, error) {
	v, err := a.value()
	if err != nil {
		return netip.Addr{}, err
	}
	switch v {
	case "inet", "inet6":
		if fam, err = parseFamily(v); err != nil {
			return netip.Addr{}, err
		}
		if v, err = a.value(); err != nil {
			return netip.Addr{}, err
		}
	}
	return getIPAddr(v, fam)
}

// parseRouteNextHops reads "nexthop NH" groups up to the end of the words
// (a is on the first "nexthop"), as ip's parse_nexthops.
func parseRouteNextHops(a *words, fam Family) ([]routeNextHop, error) {
	var nhs []routeNextHop
	for a.more() {
		if w := a.next(); w != "nexthop" {
			return nil, usagef("Error: \"nexthop\" or end of line is expected instead of \"%s\"", w)
		}
		if !a.more() {
			return nil, usagef("Error: unexpected end of line after \"nexthop\"")
		}
		var nh routeNextHop
	hop:
		for a.more() {
			var err error
			switch w := a.next(); w {
			case "via":
				if nh.hop.Gateway, err = viaValue(a, fam); err != nil {
					return nil, err
				}
				fam = fam.or(familyOf(nh.hop.Gateway))
			case "dev":
				nh.dev, err = a.value()
				nh.hasDev = true
			case "weight":
				var n uint32
				n, err = valueOf(a, getU32, "\"weight\" is invalid\n")
				if err == nil && (n == 0 || n > 256) {
					err = errInvarg("\"weight\" is invalid\n", a.w[a.i-1])
				}
				nh.hop.Weight = int(n)
			case "onlink":
				nh.hop.Flags |= rtnl.RouteFlagOnLink
			case "encap":
				nh.encap, err = parseEncap(a)
			default:
				if matches(w, "realms") {
					nh.hop.Realms, err = valueOf(a, parseRealms, "\"realm\" value is invalid\n")
					break
				}
				a.i-- // the next "nexthop", or what the loop refuses
				break hop
			}
			if err != nil {
				return nil, err
			}
		}
		nhs = append(nhs, nh)
	}
	return nhs, nil
}

// routeBuild resolves the links of a spec and gives the route to send.
func routeBuild(ctx context.Context, e *env, s *routeSpec) (rtnl.Route, error) {
	r := s.route
	if s.hasVrf {
		t, err := e.vrfTableOf(ctx, s.vrf)
		if err != nil {
			return r, err
		}
		r.Table = rtnl.Table(t)
	}
	if s.hasDev {
		idx, err := e.linkIndex(ctx, s.dev)
		if err != nil {
			return r, err
		}
		r.OutIndex = idx
	}
	if len(s.nexthops) > 0 {
		r.NextHops = make([]rtnl.NextHop, len(s.nexthops))
		for i, nh := range s.nexthops {
			r.NextHops[i] = nh.hop
			if nh.hasDev {
				idx, err := e.linkIndex(ctx, nh.dev)
				var fe *failure
				if errors.As(err, &fe) {
					// ip's parse_nexthops gives up with 255.
					return r, usagef("%s\nError: cannot parse nexthop", fe.msg)
				}
				if err != nil {
					return r, err
				}
				r.NextHops[i].OutIndex = idx
			}
		}
	}
	return r, nil
}

// rtRequest is the start of route, rule and neigh: it parses args with
// parse (given the -4/-6 option) and opens the env's rtnetlink Conn.
func rtRequest[R any](e *env, args []string, parse func([]string, Family) (R, error)) (R, *rtnl.Conn, error) {
	req, err := parse(args, e.opts.Family)
	if err != nil {
		return req, nil, err
	}
	c, err := e.rt()
	return req, c, err
}

func runRoute(ctx context.Context, e *env, args []string) error {
	req, c, err := rtRequest(e, args, parseRoute)
	if err != nil {
		return err
	}
	switch req.cmd {
	case "show":
		return routeShow(ctx, e, &req.sel)
	case "flush":
		return routeFlush(ctx, e, &req.sel)
	case "get":
		return routeGet(ctx, e, &req.get)
	case "save":
		return routeSave(ctx, e, &req.sel)
	case "restore":
		return routeRestore(ctx, e)
	case "showdump":
		return routeShowdump(ctx, e)
	}
	r, err := routeBuild(ctx, e, &req.spec)
	if err != nil {
		return err
	}
	if hops, raw := req.spec.encaps(); raw || req.cmd == "prepend" {
		return routeRaw(ctx, c, req.cmd, r, req.spec.encap, hops)
	}
	switch req.cmd {
	case "add":
		return c.AddRoute(ctx, r)
	case "replace":
		return c.ReplaceRoute(ctx, r)
	case "append":
		return c.AppendRoute(ctx, r)
	case "change":
		return c.ChangeRoute(ctx, r)
	}
	return c.DeleteRoute(ctx, r)
}

// routeFilter gives the Conn, the library filter and the dump family of a
// selector: like ip, a selector with a table (main by default) lists IPv4
// only unless -6 is given; "table all" lists every family.
func routeFilter(ctx context.Context, e *env, s *routeSelector) (*rtnl.Conn, rtnl.RouteFilter, error) {
	c, err := e.rt()
	if err != nil {
		return nil, rtnl.RouteFilter{}, err
	}
	if s.hasVrf {
		t, err := e.vrfTableOf(ctx, s.vrf)
		if err != nil {
			return nil, rtnl.RouteFilter{}, err
		}
		s.table, s.tableAll = rtnl.Table(t), false
	}
	fam := e.opts.Family
	if !s.tableAll {
		fam = fam.or(FamilyInet)
	}
	f := rtnl.RouteFilter{Family: fam.rtnl(), Table: s.table}
	if s.hasProto {
		f.Protocol = s.proto
	}
	if s.hasType {
		f.Type = s.typ
	}
	if s.hasDev {
		idx, err := e.linkIndex(ctx, s.dev)
		if err != nil {
			return nil, f, err
		}
		f.OutIndex, s.oif = idx, idx
	}
	return c, f, nil
}

// match applies what the library filter cannot (zero protocol or type,
// scope, metric, prefixes).
func (s *routeSelector) match(r *rtnl.Route) bool {
	if s.hasProto && r.Protocol != s.proto || s.hasType && r.Type != s.typ ||
		s.hasScope && r.Scope != s.scope || s.hasMet && r.Priority != s.metric || s.hasTos && r.Tos != s.tos ||
		s.hasVrf && (r.Type == rtnl.RouteLocal || r.Type == rtnl.RouteBroadcast) {
		return false
	}
	if s.realmMask != 0 && (r.Realms^s.realm)&s.realmMask != 0 {
		return false
	}
	if s.oif != 0 && r.OutIndex != s.oif {
		return false // as ip: a multipath route has no RTA_OIF and never matches
	}
	if s.hasVia {
		gw := r.Gateway
		if gw.IsValid() && familyOf(gw) != familyOf(s.via.Addr()) || !gw.IsValid() && r.Family != familyOf(s.via.Addr()).rtnl() {
			return false
		}
		if s.via.Bits() > 0 && (!gw.IsValid() || !s.via.Masked().Contains(gw)) {
			return false
		}
	}
	if s.hasSrc && (!r.PrefSrc.IsValid() || familyOf(r.PrefSrc) != familyOf(s.prefsrc.Addr()) ||
		s.prefsrc.Bits() > 0 && !s.prefsrc.Masked().Contains(r.PrefSrc)) {
		return false
	}
	if !r.Dst.IsValid() {
		return !s.rootPfx.IsValid() && !s.matchPfx.IsValid() && !s.rootDefault && !s.matchDefault
	}
	dst := r.Dst.Masked()
	if s.rootDefault && !s.rootPfx.IsValid() {
		// root default of any family: every route
	} else if s.rootPfx.IsValid() {
		p := s.rootPfx.Masked()
		if p.Addr().BitLen() != dst.Addr().BitLen() || dst.Bits() < p.Bits() || !p.Contains(dst.Addr()) {
			return false
		}
	}
	if s.matchDefault && !s.matchPfx.IsValid() {
		if dst.Bits() != 0 {
			return false
		}
	} else if s.matchPfx.IsValid() {
		p := s.matchPfx
		if p.Addr().BitLen() != dst.Addr().BitLen() || dst.Bits() > p.Bits() || !dst.Contains(p.Addr()) {
			return false
		}
	}
	return true
}

// routeView says which fields ip leaves out because the selector fixed
// them (the zero value, for route get, leaves out none).
type routeView struct {
	table, dev, proto, scope, metric bool
	via, src                         bool // the selector gave the gateway, the source
	realms                           bool // the selector gave both realms
	tos                              bool
}

func (s *routeSelector) view() routeView {
	return routeView{table: !s.tableAll, dev: s.hasDev, proto: s.hasProto, scope: s.hasScope, metric: s.hasMet,
		via: s.hasVia && s.via.Bits() == s.via.Addr().BitLen(), src: s.hasSrc && s.prefsrc.Bits() == s.prefsrc.Addr().BitLen(),
		realms: s.realmMask == ^uint32(0), tos: s.hasTos}
}

func routeShow(ctx context.Context, e *env, s *routeSelector) error {
	c, f, err := routeFilter(ctx, e, s)
	if err != nil {
		return err
	}
	if err := e.loadLinkNames(ctx); err != nil {
		return err
	}
	v := s.view()
	// Records are written as they are decoded: a million routes are never
	// all held in memory.
	var arr *jsonArray
	if e.opts.JSON {
		if arr, err = e.openJSONArray(); err != nil {
			return err
		}
	}
	for r, err := range c.Routes(ctx, f) {
		if err != nil {
			return &dumpError{err: err, what: "Dump"}
		}
		if !s.match(&r) || s.cache && r.Flags&rtnl.RouteFlagCloned == 0 {
			continue
		}
		if err := e.writeLine(arr, routeFormat(ctx, e, &r, v)); err != nil {
			return err
		}
	}
	if arr != nil {
		return arr.end()
	}
	return nil
}

// routeFlush deletes the routes a selector lists, in rounds as ip does
// (deleting a route may make others appear in the next dump, or the dump
// may race with the kernel), with one batch per round.
func routeFlush(ctx context.Context, e *env, s *routeSelector) error {
	if s.cache {
		return e.flushRouteCache()
	}
	c, f, err := routeFilter(ctx, e, s)
	if err != nil {
		return err
	}
	return flushRounds(e, func() ([]rtnl.Route, error) {
		var routes []rtnl.Route
		for r, err := range c.Routes(ctx, f) {
			if err != nil {
				return nil, &dumpError{err: err, what: "Flush"}
			}
			if !s.match(&r) {
				continue
			}
			r.Metrics, r.Flags, r.Mark = nil, 0, 0
			routes = append(routes, r)
		}
		return routes, nil
	}, func(routes []rtnl.Route) error { return c.DeleteRoutes(ctx, routes) }, syscall.ESRCH, nil)
}

// flushRounds is the flush of route and neigh, in rounds as ip does (at
// most 10): each round lists what is left to delete and deletes it in one
// batch, where a failure with errno gone (the entry vanished on its own)
// is not an error; then next, if not nil, runs. With -s it prints ip's
// round statistics.
func flushRounds[T any](e *env, list func() ([]T, error), del func([]T) error, gone syscall.Errno, next func()) error {
	for round := 0; round < 10; round++ {
		xs, err := list()
		if err != nil {
			return err
		}
		if len(xs) == 0 {
			if e.opts.Stats {
				if round == 0 {
					fmt.Fprintln(e.stdout, "Nothing to flush.")
				} else {
					fmt.Fprintf(e.stdout, "*** Flush is complete after %d round%s ***\n", round, map[bool]string{true: "s"}[round > 1])
				}
			}
			return nil
		}
		if e.opts.Stats {
			fmt.Fprintf(e.stdout, "\n*** Round %d, deleting %d entries ***\n", round+1, len(xs))
		}
		if err := del(xs); err != nil {
			var be *netlink.BatchError
			if !errors.As(err, &be) {
				return err
			}
			for _, f := range be.Failures {
				if !errors.Is(f.Err, gone) {
					return f.Err // one that did not vanish on its own
				}
			}
		}
		if next != nil {
			next()
		}
	}
	fmt.Fprintln(e.stdout, "*** Flush not complete bailing out after 10 rounds")
	return &exitError{code: 1}
}

func routeGet(ctx context.Context, e *env, g *routeGetArgs) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	if g.warning != "" {
		fmt.Fprintln(e.stderr, g.warning)
	}
	q := rtnl.RouteQuery{Dst: g.dst, Src: g.from, Mark: g.mark, FIBMatch: g.fibMatch, Tos: g.tos, UID: g.uid, HasUID: g.hasUID,
		IPProto: g.ipproto, SrcPort: g.sport, DstPort: g.dport, Notify: g.notify}
	if g.hasVrf {
		// ip's name_is_vrf: a link of kind vrf, else "Invalid VRF".
		l, err := c.LinkByName(ctx, g.vrf)
		if err != nil || l.Kind != "vrf" {
			return errInvarg("Invalid VRF\n", g.vrf)
		}
		g.oif, g.hasOif = g.vrf, true
	}
	if g.hasIif {
		if q.InIndex, err = e.linkIndex(ctx, g.iif); err != nil {
			return err
		}
	}
	if g.hasOif {
		if q.OutIndex, err = e.linkIndex(ctx, g.oif); err != nil {
			return err
		}
	}
	r, err := c.LookupRoute(ctx, q)
	if err != nil {
		return err
	}
	o := routeFormat(ctx, e, &r, routeView{})
	if e.opts.JSON {
		err = writeJSON(e, []any{o})
	} else {
		_, err = e.stdout.Write(o.b)
	}
	if err != nil || !g.connected || g.hasFrom {
		return err
	}
	// "connected": ip prints the answer, wants a source in it, and asks
	// again with the same request (it edits the answer, not the request)
	// and prints the second answer as text, even with -j.
	if !r.PrefSrc.IsValid() && !r.Src.IsValid() {
		return failf("Failed to connect the route")
	}
	if r, err = c.LookupRoute(ctx, q); err != nil {
		return err
	}
	json := e.opts.JSON
	e.opts.JSON = false
	defer func() { e.opts.JSON = json }()
	_, err = e.stdout.Write(routeFormat(ctx, e, &r, routeView{}).b)
	return err
}

// encaps gives the encapsulation of each nexthop, and whether the spec
// has any (on the route or a nexthop).
func (s *routeSpec) encaps() ([]*lwtEncap, bool) {
	has := s.encap != nil
	hops := make([]*lwtEncap, len(s.nexthops))
	for i, nh := range s.nexthops {
		hops[i] = nh.encap
		has = has || nh.encap != nil
	}
	return hops, has
}

// vrfTableOf is ip's ipvrf_get_table for the vrf words of route: the table
// of the vrf link NAME, or `Invalid VRF` (255) when there is no such vrf.
func (e *env) vrfTableOf(ctx context.Context, name string) (uint32, error) {
	c, err := e.rt()
	if err != nil {
		return 0, err
	}
	l, err := c.LinkByName(ctx, name)
	if err != nil {
		return 0, errInvarg("Invalid VRF\n", name)
	}
	t, ok := vrfTable(&l)
	if !ok || t == 0 {
		return 0, errInvarg("Invalid VRF\n", name)
	}
	return t, nil
}
