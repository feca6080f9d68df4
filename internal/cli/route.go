package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
)

const routeHelp = `Usage: nl route { list | show } [ SELECTOR ]
       nl route flush SELECTOR
       nl route get [ fibmatch ] ADDRESS [ from ADDRESS ] [ iif STRING ]
                    [ oif STRING ] [ mark NUMBER ]
       nl route { add | del | change | append | replace } ROUTE
SELECTOR := [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ] [ to PREFIX ]
            [ table TABLE_ID ] [ dev STRING ] [ proto RTPROTO ]
            [ type TYPE ] [ scope SCOPE ] [ metric METRIC ]
ROUTE := NODE_SPEC [ INFO_SPEC ]
NODE_SPEC := [ TYPE ] PREFIX [ table TABLE_ID ] [ proto RTPROTO ]
             [ scope SCOPE ] [ metric METRIC ] [ from PREFIX ]
INFO_SPEC := { NH | nhid ID } OPTIONS FLAGS [ nexthop NH ]...
NH := [ via [ FAMILY ] ADDRESS ] [ dev STRING ] [ weight NUMBER ] NHFLAGS
FAMILY := [ inet | inet6 ]
OPTIONS := FLAGS [ mtu [ lock ] NUMBER ] [ advmss [ lock ] NUMBER ]
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
}

// routeGetArgs are the arguments of route get.
type routeGetArgs struct {
	dst, from      netip.Addr
	iif, oif       string
	hasIif, hasOif bool // iif, oif given (possibly as "", which is no link)
	mark           uint32
	fibMatch       bool
	warning        string // ip's warning for a destination given with a prefix length
}

// routeSpec is the ROUTE of the changing commands: the route as it is sent,
// except for the links, which are resolved when it runs.
type routeSpec struct {
	route    rtnl.Route
	dev      string
	hasDev   bool // dev was given (possibly as "", which is no link)
	nexthops []routeNextHop
}

// routeNextHop is one "nexthop" of a multipath route.
type routeNextHop struct {
	hop    rtnl.NextHop
	dev    string
	hasDev bool // dev was given (possibly as "", which is no link)
}

// rtTypeWords are ip's route type words, in the order rtnl_rtntype_a2n
// tries them; abbreviable ones use matches().
var rtTypeWords = []struct {
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

// rtParseRouteType reads a route type word or number (rtnl_rtntype_a2n).
func rtParseRouteType(w string) (rtnl.RouteType, bool) {
	for _, t := range rtTypeWords {
		if w == t.word || t.abbrev && matches(w, t.word) {
			return t.typ, true
		}
	}
	if n, ok := rtParseUint(w, 8); ok {
		return rtnl.RouteType(n), true
	}
	return 0, false
}

// rtParseUint parses an unsigned number as strtoul with base 0 does
// (decimal, 0x hex, 0 octal), at most bits wide.
func rtParseUint(s string, bits int) (uint64, bool) {
	if s == "" || strings.ContainsAny(s, "_+-") {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 0, bits)
	if err != nil || len(s) > 1 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O' || s[1] == 'b' || s[1] == 'B') {
		return 0, false
	}
	return n, true
}

// rtParseU32 is rtParseUint for 32 bits.
func rtParseU32(s string) (uint32, bool) {
	n, ok := rtParseUint(s, 32)
	return uint32(n), ok
}

// rtParseTable reads a table name (main, local, default, unspec) or number
// (rtnl_rttable_a2n).
func rtParseTable(w string) (rtnl.Table, bool) {
	var t rtnl.Table
	return t, t.UnmarshalText([]byte(w)) == nil
}

// rtParseText reads a word or number into an rtnl enum with its
// UnmarshalText (iproute2's words).
func rtParseText[T any, P interface {
	*T
	UnmarshalText([]byte) error
}](w string) (T, bool) {
	var v T
	return v, P(&v).UnmarshalText([]byte(w)) == nil
}

// rtFamWord names a family in ip's "... is expected" errors.
func rtFamWord(fam int) string {
	switch fam {
	case 4:
		return "inet"
	case 6:
		return "inet6"
	}
	return "any valid"
}

// rtParseIPv4 reads a dotted IPv4 address that may be abbreviated as ip's
// get_addr_ipv4 allows ("10" is 10.0.0.0, "10.1" is 10.1.0.0).
func rtParseIPv4(s string) (netip.Addr, bool) {
	parts := strings.Split(s, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var b [4]byte
	for i, p := range parts {
		if p == "" || len(p) > 3 || strings.TrimLeft(p, "0123456789") != "" {
			return netip.Addr{}, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n > 255 {
			return netip.Addr{}, false
		}
		b[i] = byte(n)
	}
	return netip.AddrFrom4(b), true
}

// rtAddrOf reads an address of family fam (0: either).
func rtAddrOf(s string, fam int) (netip.Addr, bool) {
	if strings.Contains(s, ":") {
		a, err := netip.ParseAddr(s)
		if err != nil || !a.Is6() || a.Zone() != "" || fam == 4 {
			return netip.Addr{}, false
		}
		return a, true
	}
	if fam == 6 {
		return netip.Addr{}, false
	}
	return rtParseIPv4(s)
}

// rtParseAddr reads an address of family fam (0: either), with ip's error.
func rtParseAddr(s string, fam int) (netip.Addr, error) {
	if a, ok := rtAddrOf(s, fam); ok {
		return a, nil
	}
	return netip.Addr{}, usagef("Error: %s address is expected rather than \"%s\".", rtFamWord(fam), s)
}

// rtParsePrefix reads ADDR[/LEN] as ip's get_prefix: a bare address is a
// host prefix; "default", "all" and "any" are the zero-length prefix, which
// has no family yet when fam is 0 (isDefault, with an invalid prefix).
func rtParsePrefix(s string, fam int) (p netip.Prefix, isDefault bool, err error) {
	bad := usagef("Error: %s prefix is expected rather than \"%s\".", rtFamWord(fam), s)
	switch s {
	case "default", "all", "any":
		switch fam {
		case 4:
			return netip.PrefixFrom(netip.IPv4Unspecified(), 0), true, nil
		case 6:
			return netip.PrefixFrom(netip.IPv6Unspecified(), 0), true, nil
		}
		return netip.Prefix{}, true, nil
	}
	addr, length, hasLen := strings.Cut(s, "/")
	a, ok := rtAddrOf(addr, fam)
	if !ok {
		return netip.Prefix{}, false, bad
	}
	bits := a.BitLen()
	if hasLen {
		n, err := strconv.Atoi(length)
		if err != nil || n < 0 || n > a.BitLen() || strings.TrimLeft(length, "0123456789") != "" {
			return netip.Prefix{}, false, bad
		}
		bits = n
	}
	return netip.PrefixFrom(a, bits), false, nil
}

// rtFamOf gives 4 or 6 for an address.
func rtFamOf(a netip.Addr) int {
	if a.Is4() {
		return 4
	}
	return 6
}

// rtFamily converts 4/6 to an rtnl family.
func rtFamily(fam int) rtnl.Family {
	switch fam {
	case 4:
		return rtnl.FamilyIPv4
	case 6:
		return rtnl.FamilyIPv6
	}
	return rtnl.FamilyUnspec
}

// rtOptFamily is the -4/-6 option as 4, 6 or 0.
func rtOptFamily(f int) int {
	if f == 4 || f == 6 {
		return f
	}
	return 0
}

// rtDefaultPrefix is the default route of a family (4 or 6).
func rtDefaultPrefix(fam int) netip.Prefix {
	if fam == 6 {
		return netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}
	return netip.PrefixFrom(netip.IPv4Unspecified(), 0)
}

// rtArgs walks the words of a command, with ip's NEXT_ARG.
type rtArgs struct {
	w []string
	i int
}

func (a *rtArgs) more() bool   { return a.i < len(a.w) }
func (a *rtArgs) word() string { return a.w[a.i] }

// next moves to the argument of the current keyword.
func (a *rtArgs) next() (string, error) {
	kw := a.w[a.i]
	a.i++
	if a.i >= len(a.w) {
		return "", usagef("Command line is not complete after \"%s\". Try option \"help\"", kw)
	}
	return a.w[a.i], nil
}

// rtNextValue reads the next word as a T with parse; a word parse rejects
// fails as ip's invarg(msg, word).
func rtNextValue[T any](a *rtArgs, parse func(string) (T, bool), msg string) (T, error) {
	v, err := a.next()
	if err != nil {
		var zero T
		return zero, err
	}
	x, ok := parse(v)
	if !ok {
		return x, rtInvarg(msg, v)
	}
	return x, nil
}

// rtNextOrAll is rtNextValue where the word may also be "all" (all is
// then true and v zero), as the selectors of show and flush allow.
func rtNextOrAll[T any](a *rtArgs, parse func(string) (T, bool), msg string) (v T, all bool, err error) {
	w, err := a.next()
	if err != nil {
		return v, false, err
	}
	if x, ok := parse(w); ok {
		return x, false, nil
	}
	if w == "all" {
		return v, true, nil
	}
	return v, false, rtInvarg(msg, w)
}

// rtInvarg is ip's invarg(): Error: argument "X" is wrong: MSG.
func rtInvarg(msg, arg string) error {
	return usagef("Error: argument \"%s\" is wrong: %s", arg, msg)
}

// parseRoute turns the words after "route" into a request. fam is the
// -4/-6 option (4, 6 or 0).
func parseRoute(args []string, fam int) (routeRequest, error) {
	var r routeRequest
	if len(args) == 0 {
		r.cmd = "show"
		r.sel.table = rtnl.TableMain
		return r, nil
	}
	w := args[0]
	var err error
	switch {
	case matches(w, "add"):
		r.cmd = "add"
	case matches(w, "change") || w == "chg":
		r.cmd = "change"
	case matches(w, "replace"):
		r.cmd = "replace"
	case matches(w, "append"):
		r.cmd = "append"
	case matches(w, "delete"):
		r.cmd = "delete"
	case matches(w, "list") || matches(w, "show") || matches(w, "lst"):
		r.cmd = "show"
		r.sel, err = parseRouteSelector(args[1:], fam)
		return r, err
	case matches(w, "get"):
		r.cmd = "get"
		r.get, err = parseRouteGet(args[1:], fam)
		return r, err
	case matches(w, "flush"):
		r.cmd = "flush"
		if len(args) == 1 {
			return r, usagef("\"nl route flush\" requires arguments.")
		}
		r.sel, err = parseRouteSelector(args[1:], fam)
		return r, err
	default:
		return r, usagef("Command \"%s\" is unknown, try \"nl route help\".", w)
	}
	r.spec, err = parseRouteSpec(args[1:], fam, r.cmd == "delete")
	return r, err
}

// parseRouteSelector parses the SELECTOR of show and flush, as ip's
// iproute_list_flush_or_save does.
func parseRouteSelector(args []string, fam int) (routeSelector, error) {
	s := routeSelector{table: rtnl.TableMain}
	a := &rtArgs{w: args}
	for ; a.more(); a.i++ {
		w := a.word()
		switch {
		case matches(w, "table"):
			t, all, err := rtNextOrAll(a, rtParseTable, "table id value is invalid")
			if err != nil {
				return s, err
			}
			s.table, s.tableAll = t, all
		case matches(w, "protocol"):
			p, all, err := rtNextOrAll(a, rtParseText[rtnl.Protocol], "invalid \"protocol\"")
			if err != nil {
				return s, err
			}
			s.proto, s.hasProto = p, !all
		case matches(w, "scope"):
			sc, all, err := rtNextOrAll(a, rtParseText[rtnl.Scope], "invalid \"scope\"")
			if err != nil {
				return s, err
			}
			s.scope, s.hasScope = sc, !all
		case matches(w, "type"):
			t, err := rtNextValue(a, rtParseRouteType, "node type value is invalid")
			if err != nil {
				return s, err
			}
			s.typ, s.hasType = t, true
		case w == "dev" || w == "oif":
			v, err := a.next()
			if err != nil {
				return s, err
			}
			s.dev, s.hasDev = v, true
		case matches(w, "metric") || matches(w, "priority") || w == "preference":
			m, err := rtNextValue(a, rtParseU32, "\"metric\" value is invalid")
			if err != nil {
				return s, err
			}
			s.metric, s.hasMet = m, true
		default:
			if matches(w, "to") {
				var err error
				if w, err = a.next(); err != nil {
					return s, err
				}
			}
			kind := "exact"
			switch {
			case matches(w, "root"):
				kind = "root"
			case matches(w, "match"):
				kind = "match"
			case matches(w, "exact"):
			default:
				kind = ""
			}
			if kind != "" {
				var err error
				if w, err = a.next(); err != nil {
					return s, err
				}
			} else {
				kind = "exact"
			}
			p, def, err := rtParsePrefix(w, fam)
			if err != nil {
				return s, err
			}
			if kind != "match" {
				s.rootPfx, s.rootDefault = p, def
			}
			if kind != "root" {
				s.matchPfx, s.matchDefault = p, def
			}
		}
	}
	return s, nil
}

// parseRouteGet parses the arguments of route get (ip's iproute_get).
func parseRouteGet(args []string, fam int) (routeGetArgs, error) {
	var g routeGetArgs
	a := &rtArgs{w: args}
	found := false
	for ; a.more(); a.i++ {
		w := a.word()
		switch {
		case matches(w, "from"):
			v, err := a.next()
			if err != nil {
				return g, err
			}
			p, _, err := rtParsePrefix(v, fam)
			if err != nil {
				return g, err
			}
			if p.IsValid() { // "from default" is no source, as in ip
				g.from = p.Addr()
				fam = rtFamOf(g.from)
			}
		case matches(w, "iif"):
			v, err := a.next()
			if err != nil {
				return g, err
			}
			g.iif, g.hasIif = v, true
		case matches(w, "mark"):
			m, err := rtNextValue(a, rtParseU32, "invalid mark value")
			if err != nil {
				return g, err
			}
			g.mark = m
		case matches(w, "oif") || w == "dev":
			v, err := a.next()
			if err != nil {
				return g, err
			}
			g.oif, g.hasOif = v, true
		case matches(w, "fibmatch"):
			g.fibMatch = true
		default:
			if w == "to" {
				var err error
				if w, err = a.next(); err != nil {
					return g, err
				}
			}
			if found {
				return g, usagef("Error: either \"to\" is duplicate, or \"%s\" is a garbage.", w)
			}
			p, _, err := rtParsePrefix(w, fam)
			if err != nil {
				return g, err
			}
			if !p.IsValid() {
				return g, usagef("Error: %s prefix is expected rather than \"%s\".", rtFamWord(fam), w)
			}
			if p.Bits() != p.Addr().BitLen() {
				g.warning = fmt.Sprintf("Warning: /%d as prefix is invalid, only /%d (or none) is supported.", p.Bits(), p.Addr().BitLen())
			}
			g.dst = p.Addr()
			fam = rtFamOf(g.dst)
			found = true
		}
	}
	if !found {
		return g, usagef("need at least a destination address")
	}
	return g, nil
}

// rtMetricWords are the uint32 metrics of ROUTE's OPTIONS, in ip's order of
// checks, with whether the keyword is abbreviable and its RTAX_* lock bit.
var rtMetricWords = []struct {
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

// parseRouteSpec parses ROUTE for add, change, replace, append and delete,
// as ip's iproute_modify, with its defaults: proto boot, table main (local
// for local, broadcast, nat and anycast routes) and, for IPv4, the scope
// the library picks when Scope is zero. For delete only what is given is
// matched (table main unless given).
func parseRouteSpec(args []string, fam int, del bool) (routeSpec, error) {
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
	a := &rtArgs{w: args}
	setFam := func(f int) {
		if fam == 0 {
			fam = f
		}
	}
	for ; a.more(); a.i++ {
		w := a.word()
		switch {
		case w == "src":
			v, err := a.next()
			if err != nil {
				return s, err
			}
			if r.PrefSrc, err = rtParseAddr(v, fam); err != nil {
				return s, err
			}
			setFam(rtFamOf(r.PrefSrc))
		case w == "via":
			if gwOK {
				return s, rtInvarg("use nexthop syntax to specify multiple via", w)
			}
			gwOK = true
			gw, err := parseRouteVia(a, fam)
			if err != nil {
				return s, err
			}
			setFam(rtFamOf(gw))
			r.Gateway = gw
		case w == "from":
			v, err := a.next()
			if err != nil {
				return s, err
			}
			p, def, err := rtParsePrefix(v, fam)
			if err != nil {
				return s, err
			}
			if !def {
				r.Src = p
				setFam(rtFamOf(p.Addr()))
			}
		case matches(w, "metric") || matches(w, "priority") || w == "preference":
			m, err := rtNextValue(a, rtParseU32, "\"metric\" value is invalid")
			if err != nil {
				return s, err
			}
			r.Priority, r.HasPriority = m, true
		case w == "scope":
			sc, err := rtNextValue(a, rtParseText[rtnl.Scope], "invalid \"scope\" value")
			if err != nil {
				return s, err
			}
			r.Scope, r.HasScope = sc, true
		case rtMetricWord(w) >= 0:
			m := rtMetricWords[rtMetricWord(w)]
			v, err := a.next()
			if err != nil {
				return s, err
			}
			if v == "lock" {
				lock |= 1 << m.bit
				if v, err = a.next(); err != nil {
					return s, err
				}
			}
			n, ok := rtParseU32(v)
			if !ok || m.word == "hoplimit" && n > 255 {
				return s, rtInvarg(fmt.Sprintf("\"%s\" value is invalid", m.name), v)
			}
			*m.field(metrics()) = n
		case matches(w, "quickack"):
			n, err := rtNextValue(a, rtParseU32, "\"quickack\" value is invalid")
			if err != nil {
				return s, err
			}
			if n > 1 {
				return s, rtInvarg("\"quickack\" value should be 0 or 1", a.word())
			}
			metrics().QuickAck = n
		case matches(w, "congctl"):
			v, err := a.next()
			if err != nil {
				return s, err
			}
			if v == "lock" {
				lock |= 1 << 16 // RTAX_CC_ALGO
				if v, err = a.next(); err != nil {
					return s, err
				}
			}
			metrics().CCAlgo = v
		case w == "onlink":
			r.Flags |= rtnl.RouteFlagOnLink
		case w == "nexthop":
			nhs, err := parseRouteNextHops(a, fam)
			if err != nil {
				return s, err
			}
			s.nexthops = nhs
			for _, nh := range nhs {
				if nh.hop.Gateway.IsValid() {
					setFam(rtFamOf(nh.hop.Gateway))
					break
				}
			}
		case w == "nhid":
			id, err := rtNextValue(a, rtParseU32, "\"id\" value is invalid")
			if err != nil {
				return s, err
			}
			r.NextHopID = id
		case matches(w, "protocol"):
			p, err := rtNextValue(a, rtParseText[rtnl.Protocol], "\"protocol\" value is invalid")
			if err != nil {
				return s, err
			}
			r.Protocol = p
		case matches(w, "table"):
			t, err := rtNextValue(a, rtParseTable, "\"table\" value is invalid")
			if err != nil {
				return s, err
			}
			r.Table, tableOK = t, true
		case w == "dev" || w == "oif":
			v, err := a.next()
			if err != nil {
				return s, err
			}
			s.dev, s.hasDev = v, true
		default:
			if w == "to" {
				var err error
				if w, err = a.next(); err != nil {
					return s, err
				}
			}
			if w != "" && (w[0] < '0' || w[0] > '9') {
				if t, ok := rtParseRouteType(w); ok {
					var err error
					if w, err = a.next(); err != nil {
						return s, err
					}
					r.Type = t
				}
			}
			if dstOK {
				return s, usagef("Error: either \"to\" is duplicate, or \"%s\" is a garbage.", w)
			}
			p, def, err := rtParsePrefix(w, fam)
			if err != nil {
				return s, err
			}
			dstOK = true
			if def && !p.IsValid() {
				dstDefault = true
			} else {
				r.Dst = p
				setFam(rtFamOf(p.Addr()))
			}
		}
	}
	if !dstOK {
		return s, usagef("Error: a destination PREFIX (or \"default\") is required.")
	}
	if fam == 0 {
		fam = 4
	}
	r.Family = rtFamily(fam)
	if dstDefault {
		r.Dst = rtDefaultPrefix(fam)
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

// rtMetricWord finds w in rtMetricWords, -1 if it is none of them.
func rtMetricWord(w string) int {
	for i, m := range rtMetricWords {
		if w == m.word || m.abbrev && matches(w, m.word) {
			return i
		}
	}
	return -1
}

// parseRouteVia reads "via [inet|inet6] ADDR" (a is on "via").
func parseRouteVia(a *rtArgs, fam int) (netip.Addr, error) {
	v, err := a.next()
	if err != nil {
		return netip.Addr{}, err
	}
	gwFam := fam
	switch v {
	case "inet", "inet6":
		gwFam = 4
		if v == "inet6" {
			gwFam = 6
		}
		if v, err = a.next(); err != nil {
			return netip.Addr{}, err
		}
	}
	return rtParseAddr(v, gwFam)
}

// parseRouteNextHops reads "nexthop NH" groups up to the end of the words
// (a is on the first "nexthop"), as ip's parse_nexthops.
func parseRouteNextHops(a *rtArgs, fam int) ([]routeNextHop, error) {
	var nhs []routeNextHop
	for a.more() {
		if a.word() != "nexthop" {
			return nil, usagef("Error: \"nexthop\" or end of line is expected instead of \"%s\"", a.word())
		}
		if a.i+1 >= len(a.w) {
			return nil, usagef("Error: unexpected end of line after \"nexthop\"")
		}
		var nh routeNextHop
		for a.i++; a.more(); a.i++ {
			w := a.word()
			if w == "via" {
				gw, err := parseRouteVia(a, fam)
				if err != nil {
					return nil, err
				}
				nh.hop.Gateway = gw
				if fam == 0 {
					fam = rtFamOf(gw)
				}
			} else if w == "dev" {
				v, err := a.next()
				if err != nil {
					return nil, err
				}
				nh.dev, nh.hasDev = v, true
			} else if w == "weight" {
				v, err := a.next()
				if err != nil {
					return nil, err
				}
				n, ok := rtParseU32(v)
				if !ok || n == 0 || n > 256 {
					return nil, rtInvarg("\"weight\" is invalid", v)
				}
				nh.hop.Weight = int(n)
			} else if w == "onlink" {
				nh.hop.Flags |= rtnl.RouteFlagOnLink
			} else {
				break
			}
		}
		nhs = append(nhs, nh)
	}
	a.i = len(a.w) - 1 // the caller's loop ends
	return nhs, nil
}

// routeBuild resolves the links of a spec and gives the route to send.
func routeBuild(ctx context.Context, e *env, s *routeSpec) (rtnl.Route, error) {
	r := s.route
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
func rtRequest[R any](e *env, args []string, parse func([]string, int) (R, error)) (R, *rtnl.Conn, error) {
	req, err := parse(args, rtOptFamily(e.opts.Family))
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
	}
	r, err := routeBuild(ctx, e, &req.spec)
	if err != nil {
		return err
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

// routeFilter gives the library filter and the dump family of a selector:
// like ip, a selector with a table (main by default) lists IPv4 only unless
// -6 is given; "table all" lists every family.
func routeFilter(ctx context.Context, e *env, s *routeSelector) (rtnl.RouteFilter, error) {
	fam := rtOptFamily(e.opts.Family)
	if fam == 0 && !s.tableAll {
		fam = 4
	}
	f := rtnl.RouteFilter{Family: rtFamily(fam), Table: s.table}
	if s.hasProto {
		f.Protocol = s.proto
	}
	if s.hasType {
		f.Type = s.typ
	}
	if s.hasDev {
		idx, err := e.linkIndex(ctx, s.dev)
		if err != nil {
			return f, err
		}
		f.OutIndex, s.oif = idx, idx
	}
	return f, nil
}

// match applies what the library filter cannot (zero protocol or type,
// scope, metric, prefixes).
func (s *routeSelector) match(r *rtnl.Route) bool {
	if s.hasProto && r.Protocol != s.proto || s.hasType && r.Type != s.typ ||
		s.hasScope && r.Scope != s.scope || s.hasMet && r.Priority != s.metric {
		return false
	}
	if s.oif != 0 && r.OutIndex != s.oif {
		return false // as ip: a multipath route has no RTA_OIF and never matches
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
}

func (s *routeSelector) view() routeView {
	return routeView{table: !s.tableAll, dev: s.hasDev, proto: s.hasProto, scope: s.hasScope, metric: s.hasMet}
}

func routeShow(ctx context.Context, e *env, s *routeSelector) error {
	c, err := e.rt()
	if err != nil {
		return err
	}
	f, err := routeFilter(ctx, e, s)
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
		arr = e.beginJSONArray()
	}
	for r, err := range c.Routes(ctx, f) {
		if err != nil {
			return err
		}
		if !s.match(&r) {
			continue
		}
		o := routeFormat(ctx, e, &r, v)
		if arr != nil {
			if err := arr.add(o.obj); err != nil {
				return err
			}
		} else if _, err := io.WriteString(e.stdout, o.b.String()); err != nil {
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
	c, err := e.rt()
	if err != nil {
		return err
	}
	f, err := routeFilter(ctx, e, s)
	if err != nil {
		return err
	}
	return flushRounds(e, func() ([]rtnl.Route, error) {
		var routes []rtnl.Route
		for r, err := range c.Routes(ctx, f) {
			if err != nil {
				return nil, err
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
	q := rtnl.RouteQuery{Dst: g.dst, Src: g.from, Mark: g.mark, FIBMatch: g.fibMatch}
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
	r, err := c.RouteGet(ctx, q)
	if err != nil {
		return err
	}
	o := routeFormat(ctx, e, &r, routeView{})
	if e.opts.JSON {
		return writeJSON(e, []*jsonObject{o.obj})
	}
	fmt.Fprint(e.stdout, o.b.String())
	return nil
}

// rtFlagWords are the flags ip's print_rt_flags prints, in its order.
var rtFlagWords = []struct {
	f    rtnl.RouteFlags
	word string
}{
	{rtnl.RouteFlagDead, "dead"}, {rtnl.RouteFlagOnLink, "onlink"}, {rtnl.RouteFlagPervasive, "pervasive"},
	{rtnl.RouteFlagOffload, "offload"}, {rtnl.RouteFlagTrap, "trap"}, {rtnl.RouteFlagNotify, "notify"},
	{rtnl.RouteFlagLinkDown, "linkdown"}, {rtnl.RouteFlagUnresolved, "unresolved"},
	{rtnl.RouteFlagRTOffload, "rt_offload"}, {rtnl.RouteFlagRTTrap, "rt_trap"},
	{rtnl.RouteFlagOffloadFailed, "rt_offload_failed"},
}

// routeFlagsOut prints the "flags" array.
func routeFlagsOut(o *printer, f rtnl.RouteFlags) {
	var words []string
	for _, w := range rtFlagWords {
		if f&w.f != 0 {
			words = append(words, w.word)
			o.b.WriteString(w.word + " ")
		}
	}
	if o.json {
		if len(words) == 0 {
			o.obj.push("flags", [0]string{}) // [], and boxing it allocates nothing
		} else {
			o.obj.push("flags", words)
		}
	}
}

// rtCacheFlags are the RTCF_* flags of a cloned IPv4 route (high bits of
// rtm_flags, linux/in_route.h), in ip's order.
var rtCacheFlags = []struct {
	bit  uint32
	word string
}{
	{0x80000000, "local"}, {0x40000000, "reject"}, {0x20000000, "mc"}, {0x10000000, "brd"},
	{0x08000000, "dst-nat"}, {0x00800000, "src-nat"}, {0x00400000, "masq"}, {0x00020000, "dst-direct"},
	{0x04000000, "src-direct"}, {0x00040000, "redirected"}, {0x01000000, "redirect"},
	{0x00200000, "fastroute"}, {0x00010000, "notify"}, {0x00080000, "proxy"},
}

// rtHost formats a prefix as ip does: the address alone for a host
// prefix, "default" for a zero-length one.
func rtHost(p netip.Prefix) string {
	switch {
	case p.Bits() == p.Addr().BitLen():
		return p.Addr().String()
	case p.Bits() == 0 && p.Addr().IsUnspecified():
		return "default"
	}
	return p.String()
}

// routeFormat prints a route as ip's print_route does.
func routeFormat(ctx context.Context, e *env, r *rtnl.Route, v routeView) *printer {
	// One record at a time is formatted and printed, so the record's
	// buffers are reused from route to route: allocating them afresh cost
	// more than encoding (nl -j route show over a million routes).
	o := e.rtScratch()
	d := e.opts.Details
	if r.Type != rtnl.RouteUnicast || d {
		o.add("type", r.Type.String(), r.Type.String()+" ")
	}
	dst := "default"
	if r.Dst.IsValid() && (r.Dst.Bits() != 0 || !r.Dst.Addr().IsUnspecified()) {
		dst = rtHost(r.Dst)
	}
	o.add("dst", dst, dst+" ")
	if r.Src.IsValid() {
		s := r.Src.Addr().String()
		if r.Src.Bits() != r.Src.Addr().BitLen() {
			s = r.Src.String()
		}
		o.add("from", s, "from "+s+" ")
	}
	if r.NextHopID != 0 {
		o.add("nhid", r.NextHopID, fmt.Sprintf("nhid %d ", r.NextHopID))
	}
	if r.Tos != 0 {
		t := fmt.Sprintf("0x%02x", r.Tos)
		o.add("tos", t, "tos "+t+" ")
	}
	routeGatewayOut(o, r.Family, r.Gateway)
	if r.OutIndex != 0 && !v.dev {
		n := e.linkName(ctx, r.OutIndex)
		o.add("dev", n, "dev "+n+" ")
	}
	if r.Table != 0 && (r.Table != rtnl.TableMain || d) && !v.table {
		o.add("table", r.Table.String(), "table "+r.Table.String()+" ")
	}
	if r.Flags&rtnl.RouteFlagCloned == 0 {
		if (r.Protocol != rtnl.ProtoBoot || d) && !v.proto {
			o.add("protocol", r.Protocol.String(), "proto "+r.Protocol.String()+" ")
		}
		if (r.Scope != rtnl.ScopeUniverse || d) && !v.scope {
			o.add("scope", r.Scope.String(), "scope "+r.Scope.String()+" ")
		}
	}
	if r.PrefSrc.IsValid() {
		o.add("prefsrc", r.PrefSrc.String(), "src "+r.PrefSrc.String()+" ")
	}
	if r.HasPriority && !v.metric {
		o.add("metric", r.Priority, fmt.Sprintf("metric %d ", r.Priority))
	}
	routeFlagsOut(o, r.Flags)
	if r.Mark != 0 {
		t := fmt.Sprintf("mark %d ", r.Mark)
		if r.Mark >= 16 {
			t = fmt.Sprintf("mark 0x%x ", r.Mark)
		}
		o.add("mark", r.Mark, t)
	}
	if r.HasUID {
		o.add("uid", r.UID, fmt.Sprintf("uid %d ", r.UID))
	}
	if r.Family == rtnl.FamilyIPv4 && r.Flags&rtnl.RouteFlagCloned != 0 {
		words := []string{}
		for _, f := range rtCacheFlags {
			if uint32(r.Flags)&f.bit != 0 {
				words = append(words, f.word)
			}
		}
		t := "\n    cache "
		if len(words) > 0 {
			t += "<" + strings.Join(words, ",") + "> "
		}
		o.add("cache", words, t)
	}
	if r.Expires != 0 {
		secs := int64(r.Expires / time.Second)
		o.add("expires", secs, fmt.Sprintf("expires %dsec ", secs))
	}
	if r.Metrics != nil && *r.Metrics != (rtnl.Metrics{}) {
		routeMetricsOut(o, r.Metrics)
	}
	if r.InIndex != 0 {
		n := e.linkName(ctx, r.InIndex)
		o.add("iif", n, "iif "+n+" ")
	}
	if r.HasPref {
		switch r.Pref {
		case rtnl.RoutePrefMedium, rtnl.RoutePrefHigh, rtnl.RoutePrefLow:
			o.add("pref", r.Pref.String(), "pref "+r.Pref.String())
		default:
			o.add("pref", uint8(r.Pref), fmt.Sprintf("%d", uint8(r.Pref)))
		}
	}
	if len(r.NextHops) > 0 {
		var hops []*jsonObject
		for _, nh := range r.NextHops {
			ho := newRecord(o.json)
			ho.b.WriteString("\n\tnexthop ")
			routeGatewayOut(ho, r.Family, nh.Gateway)
			n := e.linkName(ctx, nh.OutIndex)
			ho.add("dev", n, "dev "+n+" ")
			ho.add("weight", max(nh.Weight, 1), fmt.Sprintf("weight %d ", max(nh.Weight, 1)))
			routeFlagsOut(ho, nh.Flags)
			hops = append(hops, ho.obj)
			o.b.WriteString(ho.b.String())
		}
		if o.json {
			o.obj.push("nexthops", hops)
		}
	}
	o.b.WriteString("\n")
	return o
}

// routeGatewayOut prints a gateway: "gateway" when it is of the route's
// family, "via" {family, host} (RTA_VIA) otherwise.
func routeGatewayOut(o *printer, fam rtnl.Family, gw netip.Addr) {
	if !gw.IsValid() {
		return
	}
	if rtFamily(rtFamOf(gw)) == fam {
		o.add("gateway", gw.String(), "via "+gw.String()+" ")
		return
	}
	gf := rtFamily(rtFamOf(gw)).String()
	via := &jsonObject{}
	via.push("family", gf)
	via.push("host", gw.String())
	o.add("via", via, "via "+gf+" "+gw.String()+" ")
}

// routeMetricsOut prints RTA_METRICS as ip's print_rta_metrics: in RTAX
// order, "lock" in text for locked ones; JSON has them as an array of one
// object.
func routeMetricsOut(o *printer, m *rtnl.Metrics) {
	mo := newRecord(o.json)
	num := func(bit uint, name string, v uint32) {
		locked := m.Lock&(1<<bit) != 0
		if v == 0 && !locked {
			return
		}
		t := name + " "
		if locked {
			t += "lock "
		}
		mo.add(name, v, t+strconv.FormatUint(uint64(v), 10)+" ")
	}
	ms := func(bit uint, name string, v uint32) { // milliseconds
		locked := m.Lock&(1<<bit) != 0
		if v == 0 && !locked {
			return
		}
		t := name + " "
		if locked {
			t += "lock "
		}
		if v >= 1000 {
			t += strconv.FormatFloat(float64(v)/1e3, 'g', -1, 64) + "s "
		} else {
			t += strconv.FormatUint(uint64(v), 10) + "ms "
		}
		mo.add(name, v, t)
	}
	num(2, "mtu", m.MTU)
	num(3, "window", m.Window)
	ms(4, "rtt", m.RTT/8)
	ms(5, "rttvar", m.RTTVar/4)
	num(6, "ssthresh", m.SSThresh)
	num(7, "cwnd", m.CWnd)
	num(8, "advmss", m.AdvMSS)
	num(9, "reordering", m.Reordering)
	if int32(m.HopLimit) != -1 {
		num(10, "hoplimit", m.HopLimit)
	}
	num(11, "initcwnd", m.InitCwnd)
	if m.Features != 0 {
		t := "features "
		if m.Features&1 != 0 { // RTAX_FEATURE_ECN
			mo.add("ecn", nil, "")
			t += "ecn "
		}
		if m.Features&^1 != 0 {
			f := fmt.Sprintf("%#x", m.Features)
			mo.add("features", f, "")
			t += f + " "
		}
		mo.b.WriteString(t)
	}
	ms(13, "rto_min", m.RTOMin)
	num(14, "initrwnd", m.InitRwnd)
	num(15, "quickack", m.QuickAck)
	if m.CCAlgo != "" || m.Lock&(1<<16) != 0 {
		t := "congctl "
		if m.Lock&(1<<16) != 0 {
			t += "lock "
		}
		mo.add("congestion", m.CCAlgo, t+m.CCAlgo+" ")
	}
	num(17, "fastopen_no_cookie", m.FastOpenNoCookie)
	if o.json {
		o.obj.push("metrics", []*jsonObject{mo.obj})
	} else {
		o.b.WriteString(mo.b.String())
	}
}
