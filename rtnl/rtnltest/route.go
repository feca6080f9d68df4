package rtnltest

import (
	"cmp"
	"net/netip"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
)

// fakeRoute is one route: an IPv4 fib alias with its fib_info, or an IPv6
// fib6_info with its siblings merged into nhs.
type fakeRoute struct {
	fam     uint8
	table   uint32
	dst     netip.Prefix // masked
	src     netip.Prefix // IPv6 source prefix; zero: none
	tos     uint8
	prio    uint32
	proto   uint8
	scope   uint8
	typ     uint8
	flags   uint32 // rtm_flags given (RTNH_F_ONLINK...), without the computed ones
	prefsrc netip.Addr
	nhs     []fakeNH
	metrics rtnl.Metrics
	realms  uint32 // RTA_FLOW of an IPv4 route without next hops (a blackhole...)
}

// fakeNH is one next hop.
type fakeNH struct {
	gw     netip.Addr
	oif    int32
	weight int
	flags  uint32 // RTNH_F_ONLINK as given
	realms uint32 // RTA_FLOW (IPv4 nh_tclassid)
}

func (r *fakeRoute) usesDev(index int32) bool {
	for _, nh := range r.nhs {
		if nh.oif == index {
			return true
		}
	}
	return false
}

// sameInfo compares what the kernel puts in a fib_info (IPv4): the same
// type and fib_info make an exact duplicate.
func (r *fakeRoute) sameInfo(o *fakeRoute) bool {
	return r.typ == o.typ && r.proto == o.proto && r.scope == o.scope && r.prefsrc == o.prefsrc &&
		r.prio == o.prio && r.metrics == o.metrics && slices.Equal(r.nhs, o.nhs) && r.flags == o.flags && r.realms == o.realms
}

// metricsOf is the value of a route's metrics, zero when it has none.
func metricsOf(m *rtnl.Metrics) rtnl.Metrics {
	if m == nil {
		return rtnl.Metrics{}
	}
	return *m
}

// metricsPtr gives a route its own copy of m, or nil when m is zero.
func metricsPtr(m rtnl.Metrics) *rtnl.Metrics {
	if m == (rtnl.Metrics{}) {
		return nil
	}
	return &m
}

func groupRoute(fam uint8) uint32 {
	if fam == unix.AF_INET6 {
		return unix.RTNLGRP_IPV6_ROUTE
	}
	return unix.RTNLGRP_IPV4_ROUTE
}

// toRoute converts to the rtnl type for encoding, with the next-hop flags
// the kernel computes (dead, linkdown).
func (f *Fake) toRoute(r *fakeRoute) rtnl.Route {
	out := rtnl.Route{
		Family: rtnl.Family(r.fam), Dst: r.dst, Src: r.src, Tos: r.tos, Table: rtnl.Table(r.table),
		Protocol: rtnl.Protocol(r.proto), Scope: rtnl.Scope(r.scope), Type: rtnl.RouteType(r.typ),
		Flags: rtnl.RouteFlags(r.flags), Priority: r.prio, PrefSrc: r.prefsrc, Metrics: metricsPtr(r.metrics),
	}
	nhFlags := func(nh fakeNH) rtnl.RouteFlags {
		fl := rtnl.RouteFlags(nh.flags)
		l := f.links[nh.oif]
		if l == nil || r.typ == unix.RTN_LOCAL || r.fam == unix.AF_INET && r.scope == unix.RT_SCOPE_HOST {
			return fl
		}
		if !l.up() && len(r.nhs) > 1 {
			fl |= rtnl.RouteFlagDead | rtnl.RouteFlagLinkDown
		} else if !f.carrier(l) || !l.up() {
			fl |= rtnl.RouteFlagLinkDown
		}
		return fl
	}
	switch len(r.nhs) {
	case 0:
		out.Realms = r.realms
	case 1:
		out.Gateway, out.OutIndex, out.Realms = r.nhs[0].gw, r.nhs[0].oif, r.nhs[0].realms
		out.Flags |= nhFlags(r.nhs[0])
	default:
		for _, nh := range r.nhs {
			out.NextHops = append(out.NextHops, rtnl.NextHop{Gateway: nh.gw, OutIndex: nh.oif, Weight: nh.weight, Flags: nhFlags(nh), Realms: nh.realms})
		}
	}
	return out
}

func (f *Fake) encodeRoute(r *fakeRoute) []byte {
	b, _ := f.toRoute(r).AppendBinary(make([]byte, 0, 128))
	if r.table > 255 && len(b) > 4 {
		b[4] = unix.RT_TABLE_COMPAT
	}
	return b
}

func (c *call) notifyRoute(typ netlink.MessageType, flags netlink.Flags, r *fakeRoute) {
	c.notify(groupRoute(r.fam), typ, flags, c.f.encodeRoute(r))
}

// insertRoute stores r after the routes of its table and key that come
// before it (at is the index in f.routes, -1 for the end).
func (f *Fake) insertRoute(r *fakeRoute, at int) {
	if at < 0 || at > len(f.routes) {
		f.routes = append(f.routes, r)
	} else {
		f.routes = slices.Insert(f.routes, at, r)
	}
	f.tables[tableKey{r.fam, r.table}] = true
}

func (f *Fake) removeRoute(r *fakeRoute) {
	if i := slices.Index(f.routes, r); i >= 0 {
		f.routes = slices.Delete(f.routes, i, i+1)
	}
}

// addKernelRoute adds a route the kernel makes for an address (proto
// kernel, NLM_F_CREATE|NLM_F_APPEND); an exact duplicate is ignored.
func (c *call) addKernelRoute(r *fakeRoute) {
	f := c.f
	r.proto = unix.RTPROT_KERNEL
	if r.fam == unix.AF_INET6 {
		for _, o := range f.routes {
			if o.fam == r.fam && o.table == r.table && o.dst == r.dst && o.prio == r.prio && o.src == r.src {
				if o.typ == r.typ && slices.Equal(o.nhs, r.nhs) {
					return
				}
			}
		}
	} else {
		for _, o := range f.routes {
			if o.fam == r.fam && o.table == r.table && o.dst == r.dst && o.tos == r.tos && o.prio == r.prio && o.sameInfo(r) {
				return
			}
		}
	}
	f.insertRoute(r, c.appendPos(r))
	c.notifyRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Append, r)
}

// appendPos is where a route goes after the others with its key.
func (c *call) appendPos(r *fakeRoute) int {
	last := -1
	for i, o := range c.f.routes {
		if o.fam == r.fam && o.table == r.table && o.dst == r.dst && o.src == r.src && o.tos == r.tos && o.prio <= r.prio {
			last = i
		}
	}
	if last < 0 {
		return -1
	}
	return last + 1
}

// deleteRoutes removes the routes that match (with RTM_DELROUTE
// notifications when notify).
func (c *call) deleteRoutes(match func(r *fakeRoute) bool, notify bool) {
	for _, r := range slices.Clone(c.f.routes) {
		if match(r) {
			c.f.removeRoute(r)
			if notify {
				c.notifyRoute(unix.RTM_DELROUTE, 0, r)
			}
		}
	}
}

// flushRoutesDev removes the routes through a link going down
// (unregister: being deleted). IPv4 flushes silently, as fib_flush: a
// route dies when all its next hops do; local routes live until the link
// is deleted. IPv6 deletes with notifications, next hop by next hop.
func (c *call) flushRoutesDev(l *fakeLink, unregister bool) {
	f := c.f
	for _, r := range slices.Clone(f.routes) {
		if !r.usesDev(l.index) {
			continue
		}
		if r.fam == unix.AF_INET {
			if !unregister && r.scope == unix.RT_SCOPE_HOST {
				continue
			}
			alive := 0
			for _, nh := range r.nhs {
				if o := f.links[nh.oif]; o != nil && o != l && o.up() {
					alive++
				}
			}
			if alive == 0 || unregister {
				f.removeRoute(r)
			}
			continue
		}
		// IPv6: a sibling on the link goes; a multipath route keeps
		// its other paths (marked dead if only the link went down).
		if len(r.nhs) == 1 {
			f.removeRoute(r)
			c.notifyRoute(unix.RTM_DELROUTE, 0, r)
			continue
		}
		if !unregister {
			alive := 0
			for _, nh := range r.nhs {
				if o := f.links[nh.oif]; o != nil && o != l && o.up() {
					alive++
				}
			}
			if alive == 0 {
				f.removeRoute(r)
				c.notifyRoute(unix.RTM_DELROUTE, 0, r)
			}
			continue
		}
		gone := *r
		gone.nhs = nil
		var keep []fakeNH
		for _, nh := range r.nhs {
			if nh.oif == l.index {
				gone.nhs = append(gone.nhs, nh)
			} else {
				keep = append(keep, nh)
			}
		}
		r.nhs = keep
		c.notifyRoute(unix.RTM_DELROUTE, 0, &gone)
	}
}

// parseRouteReq decodes a route request.
func (c *call) parseRouteReq() (rtnl.Route, error) {
	var r rtnl.Route
	if len(c.req.Data) < unix.SizeofRtMsg {
		return r, errf(syscall.EINVAL, "Invalid header for route request")
	}
	if err := r.UnmarshalBinary(c.req.Data); err != nil {
		return r, errf(syscall.EINVAL, "rtnltest: %v", err)
	}
	return r, nil
}

// newRoute handles RTM_NEWROUTE.
func (c *call) newRoute() error {
	rr, err := c.parseRouteReq()
	if err != nil {
		return err
	}
	switch rr.Family {
	case rtnl.FamilyIPv4:
		return c.newRoute4(rr)
	case rtnl.FamilyIPv6:
		return c.newRoute6(rr)
	}
	return syscall.EOPNOTSUPP
}

// tableOf is the table of a request: 0 is main.
func tableOf(t rtnl.Table) uint32 {
	if t == 0 {
		return unix.RT_TABLE_MAIN
	}
	return uint32(t)
}

// routeNHs returns the next hops of a request.
func routeNHs(rr rtnl.Route) []fakeNH {
	if len(rr.NextHops) > 0 {
		out := make([]fakeNH, len(rr.NextHops))
		for i, nh := range rr.NextHops {
			out[i] = fakeNH{gw: nh.Gateway, oif: nh.OutIndex, weight: max(nh.Weight, 1), flags: uint32(nh.Flags) & unix.RTNH_F_ONLINK, realms: nh.Realms}
		}
		return out
	}
	if rr.Gateway.IsValid() || rr.OutIndex != 0 {
		return []fakeNH{{gw: rr.Gateway, oif: rr.OutIndex, weight: 1, flags: uint32(rr.Flags) & unix.RTNH_F_ONLINK, realms: rr.Realms}}
	}
	return nil
}

// withoutRealms returns rr without its realms, which IPv6 ignores.
func withoutRealms(rr rtnl.Route) rtnl.Route {
	rr.Realms = 0
	if len(rr.NextHops) > 0 {
		rr.NextHops = slices.Clone(rr.NextHops)
		for i := range rr.NextHops {
			rr.NextHops[i].Realms = 0
		}
	}
	return rr
}

// rejectType reports the route types that drop packets (fib_props error).
func rejectType(t uint8) bool {
	switch t {
	case unix.RTN_BLACKHOLE, unix.RTN_UNREACHABLE, unix.RTN_PROHIBIT, unix.RTN_THROW:
		return true
	}
	return false
}

// typeMinScope is fib_props[].scope: the widest scope a type allows.
func typeMinScope(t uint8) uint8 {
	switch t {
	case unix.RTN_LOCAL:
		return unix.RT_SCOPE_HOST
	case unix.RTN_BROADCAST, unix.RTN_ANYCAST:
		return unix.RT_SCOPE_LINK
	case unix.RTN_UNSPEC, unix.RTN_NAT, unix.RTN_XRESOLVE:
		return unix.RT_SCOPE_NOWHERE
	}
	return unix.RT_SCOPE_UNIVERSE
}

// newRoute4 is inet_rtm_newroute: fib_create_info and fib_table_insert.
func (c *call) newRoute4(rr rtnl.Route) error {
	f := c.f
	if rr.NextHopID != 0 {
		return errf(syscall.EINVAL, "Nexthop id does not exist")
	}
	if rr.Tos&0x3 != 0 {
		return errf(syscall.EINVAL, "Invalid dsfield (tos): ECN bits must be 0")
	}
	if len(rr.NextHops) > 0 && rr.Realms != 0 && rr.Realms != rr.NextHops[0].Realms {
		return errf(syscall.EINVAL, "Nexthop class id does not match RTA_FLOW")
	}
	dst := rr.Dst
	if dst.Masked() != dst {
		return errf(syscall.EINVAL, "Invalid prefix for given prefix length")
	}
	r := &fakeRoute{
		fam: unix.AF_INET, table: tableOf(rr.Table), dst: dst, tos: rr.Tos, prio: rr.Priority,
		proto: uint8(rr.Protocol), scope: uint8(rr.Scope), typ: uint8(rr.Type),
		flags: uint32(rr.Flags) &^ 0xff, prefsrc: rr.PrefSrc, nhs: routeNHs(rr), metrics: metricsOf(rr.Metrics),
	}
	if len(r.nhs) == 0 {
		r.realms = rr.Realms
	}
	// The table is made before the route is checked (fib_new_table).
	f.tables[tableKey{r.fam, r.table}] = true
	if r.typ > unix.RTN_XRESOLVE {
		return errf(syscall.EINVAL, "Invalid route type")
	}
	if typeMinScope(r.typ) > r.scope || r.scope > unix.RT_SCOPE_HOST {
		return errf(syscall.EINVAL, "Invalid scope")
	}
	if rejectType(r.typ) || r.typ == unix.RTN_NAT || r.typ == unix.RTN_XRESOLVE {
		if len(r.nhs) > 0 {
			return errf(syscall.EINVAL, "Gateway, device and multipath can not be specified for this route type")
		}
	} else if r.scope == unix.RT_SCOPE_HOST {
		if len(r.nhs) > 1 {
			return errf(syscall.EINVAL, "Route with host scope can not have multiple nexthops")
		}
		if len(r.nhs) == 0 || r.nhs[0].gw.IsValid() {
			if len(r.nhs) == 1 {
				return errf(syscall.EINVAL, "Route with host scope can not have a gateway")
			}
			return syscall.ENODEV
		}
		if f.links[r.nhs[0].oif] == nil {
			return syscall.ENODEV
		}
	} else {
		if len(r.nhs) == 0 {
			return syscall.ENODEV
		}
		for i := range r.nhs {
			if err := c.checkNH4(r, &r.nhs[i]); err != nil {
				return err
			}
		}
	}
	if r.prefsrc.IsValid() && !(r.typ == unix.RTN_LOCAL && r.prefsrc == r.dst.Addr() && r.dst.Bits() == 32) {
		if !r.prefsrc.Is4() || f.addrType4(r.prefsrc) != unix.RTN_LOCAL {
			return errf(syscall.EINVAL, "Invalid prefsrc address")
		}
	}
	// fib_table_insert.
	var first, match *fakeRoute
	firstPos := -1
	for i, o := range f.routes {
		if o.fam != r.fam || o.table != r.table || o.dst != r.dst || o.tos != r.tos || o.prio != r.prio {
			continue
		}
		if first == nil {
			first, firstPos = o, i
		}
		if match == nil && o.sameInfo(r) {
			match = o
		}
	}
	var nlflags netlink.Flags
	if first != nil {
		if c.has(netlink.Excl) {
			return syscall.EEXIST
		}
		if c.has(netlink.Replace) {
			if match != nil {
				if match == first {
					return nil
				}
				return syscall.EEXIST
			}
			f.routes[firstPos] = r
			c.notifyRoute(unix.RTM_NEWROUTE, netlink.Replace|c.req.Header.Flags&netlink.Create, r)
			return nil
		}
		if match != nil {
			return syscall.EEXIST
		}
		if !c.has(netlink.Create) {
			return syscall.ENOENT
		}
		if c.has(netlink.Append) {
			nlflags = netlink.Append
			f.insertRoute(r, c.appendPos(r))
		} else {
			f.insertRoute(r, firstPos)
		}
		c.notifyRoute(unix.RTM_NEWROUTE, nlflags|netlink.Create, r)
		return nil
	}
	return c.createRoute(r)
}

// createRoute adds r, a route to a new destination, where appendPos puts
// it and notifies; without NLM_F_CREATE it fails with ENOENT.
func (c *call) createRoute(r *fakeRoute) error {
	if !c.has(netlink.Create) {
		return syscall.ENOENT
	}
	c.f.insertRoute(r, c.appendPos(r))
	c.notifyRoute(unix.RTM_NEWROUTE, c.req.Header.Flags&(netlink.Create|netlink.Excl|netlink.Append), r)
	return nil
}

// checkNH4 is fib_check_nh for IPv4: the device must exist and be up, a
// gateway must be reachable on a link-scope route (or on-link).
func (c *call) checkNH4(r *fakeRoute, nh *fakeNH) error {
	f := c.f
	if !nh.gw.IsValid() {
		if nh.flags&unix.RTNH_F_ONLINK != 0 {
			return errf(syscall.EINVAL, "Invalid flags for nexthop - can not contain DEAD or ONLINK")
		}
		l := f.links[nh.oif]
		if l == nil {
			return syscall.ENODEV
		}
		if !l.up() {
			return errf(syscall.ENETDOWN, "Device for nexthop is not up")
		}
		return nil
	}
	if !nh.gw.Is4() {
		return errf(syscall.EINVAL, "rtnltest: IPv6 gateways of IPv4 routes are not modelled")
	}
	if nh.flags&unix.RTNH_F_ONLINK != 0 {
		if r.scope >= unix.RT_SCOPE_LINK {
			return errf(syscall.EINVAL, "Nexthop has invalid scope")
		}
		l := f.links[nh.oif]
		if l == nil {
			return errf(syscall.ENODEV, "Nexthop device required for onlink")
		}
		if !l.up() {
			return errf(syscall.ENETDOWN, "Nexthop device is not up")
		}
		if t := f.addrType4(nh.gw); t != unix.RTN_UNICAST {
			return errf(syscall.EINVAL, "Nexthop has invalid gateway")
		}
		return nil
	}
	scope := max(r.scope+1, unix.RT_SCOPE_LINK)
	var res *fakeRoute
	var resNH fakeNH
	if r.table != unix.RT_TABLE_MAIN && f.tables[tableKey{unix.AF_INET, r.table}] {
		res, resNH, _ = f.lookupTable4(r.table, nh.gw, scope, nh.oif, 0)
	}
	if res == nil {
		res, resNH, _ = f.lookup4(nh.gw, netip.Addr{}, scope, nh.oif, 0)
	}
	if res == nil {
		return errf(syscall.ENETUNREACH, "Nexthop has invalid gateway")
	}
	if res.typ != unix.RTN_UNICAST && res.typ != unix.RTN_LOCAL {
		return errf(syscall.EINVAL, "Nexthop has invalid gateway")
	}
	l := f.links[resNH.oif]
	if l == nil {
		return errf(syscall.EINVAL, "No egress device for nexthop gateway")
	}
	nh.oif = l.index
	if !l.up() {
		return syscall.ENETDOWN
	}
	return nil
}

// addrType4 is inet_addr_type: local if some link has the address, else
// broadcast or unicast by the local table.
func (f *Fake) addrType4(a netip.Addr) uint8 {
	for _, r := range f.routes {
		if r.fam == unix.AF_INET && r.table == unix.RT_TABLE_LOCAL && r.dst.Bits() == 32 && r.dst.Addr() == a &&
			(r.typ == unix.RTN_LOCAL || r.typ == unix.RTN_BROADCAST) {
			return r.typ
		}
	}
	if a.IsMulticast() {
		return unix.RTN_MULTICAST
	}
	if a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) || a.IsUnspecified() {
		return unix.RTN_BROADCAST
	}
	return unix.RTN_UNICAST
}

// lookupTable4 is fib_table_lookup: the longest prefix in the table with
// a usable route (scope at least scope, a next hop on oif if given, alive
// next hops). err is the route type's error for reject types; res is nil
// when nothing matched.
func (f *Fake) lookupTable4(table uint32, dst netip.Addr, scope uint8, oif int32, tos uint8) (*fakeRoute, fakeNH, error) {
	var best *fakeRoute
	var bestNH fakeNH
	for _, r := range f.routes {
		if r.fam != unix.AF_INET || r.table != table || !r.dst.Contains(dst) {
			continue
		}
		if best != nil && r.dst.Bits() <= best.dst.Bits() {
			continue
		}
		if r.tos != 0 && r.tos != tos {
			continue
		}
		if r.scope < scope {
			continue
		}
		if rejectType(r.typ) {
			if oif != 0 {
				continue
			}
			best, bestNH = r, fakeNH{}
			continue
		}
		found := false
		for _, nh := range r.nhs {
			l := f.links[nh.oif]
			if l == nil || (!l.up() && r.scope != unix.RT_SCOPE_HOST) {
				continue
			}
			if oif != 0 && nh.oif != oif {
				continue
			}
			bestNH, found = nh, true
			break
		}
		if found {
			best = r
		}
	}
	if best == nil {
		return nil, fakeNH{}, nil
	}
	return best, bestNH, routeTypeErr(best.typ)
}

func routeTypeErr(t uint8) error {
	switch t {
	case unix.RTN_BLACKHOLE:
		return syscall.EINVAL
	case unix.RTN_UNREACHABLE:
		return syscall.EHOSTUNREACH
	case unix.RTN_PROHIBIT:
		return syscall.EACCES
	case unix.RTN_THROW:
		return syscall.EAGAIN
	}
	return nil
}

// delRoute handles RTM_DELROUTE.
func (c *call) delRoute() error {
	rr, err := c.parseRouteReq()
	if err != nil {
		return err
	}
	switch rr.Family {
	case rtnl.FamilyIPv4:
		return c.delRoute4(rr)
	case rtnl.FamilyIPv6:
		return c.delRoute6(rr)
	}
	return syscall.EOPNOTSUPP
}

// delRoute4 is fib_table_delete: the first route of the key that matches
// every field given.
func (c *call) delRoute4(rr rtnl.Route) error {
	f := c.f
	table := tableOf(rr.Table)
	if !f.tables[tableKey{unix.AF_INET, table}] {
		return errf(syscall.ESRCH, "FIB table does not exist")
	}
	if rr.Dst.Masked() != rr.Dst {
		return errf(syscall.EINVAL, "Invalid prefix for given prefix length")
	}
	nhs := routeNHs(rr)
	for _, r := range f.routes {
		if r.fam != unix.AF_INET || r.table != table || r.dst != rr.Dst || r.tos != rr.Tos {
			continue
		}
		if rr.Type != 0 && r.typ != uint8(rr.Type) {
			continue
		}
		if rr.Scope != rtnl.ScopeNowhere && r.scope != uint8(rr.Scope) {
			continue
		}
		if rr.PrefSrc.IsValid() && r.prefsrc != rr.PrefSrc {
			continue
		}
		if rr.Protocol != 0 && r.proto != uint8(rr.Protocol) {
			continue
		}
		if rr.Priority != 0 && r.prio != rr.Priority {
			continue
		}
		if !nhMatch(nhs, r.nhs, len(rr.NextHops) > 0) {
			continue
		}
		f.removeRoute(r)
		c.notifyRoute(unix.RTM_DELROUTE, 0, r)
		return nil
	}
	return syscall.ESRCH
}

// nhMatch is fib_nh_match: the given next hops (none: any) against a
// route's.
func nhMatch(want, have []fakeNH, multi bool) bool {
	if len(want) == 0 {
		return true
	}
	if len(have) == 0 {
		return false
	}
	if !multi {
		// A single path is compared with the first path, its realms
		// only along with a device or gateway.
		w, h := want[0], have[0]
		if w.oif == 0 && !w.gw.IsValid() {
			return true
		}
		return (w.oif == 0 || w.oif == h.oif) && (!w.gw.IsValid() || w.gw == h.gw) && (w.realms == 0 || w.realms == h.realms)
	}
	// Each path of the route against the given ones in order, by device
	// and gateway (not weight); paths given beyond the route's are
	// ignored.
	if len(want) < len(have) {
		return false
	}
	for i := range have {
		w, h := want[i], have[i]
		if w.oif != 0 && w.oif != h.oif || w.gw.IsValid() && w.gw != h.gw || w.realms != 0 && w.realms != h.realms {
			return false
		}
	}
	return true
}

// newRoute6 is inet6_rtm_newroute: ip6_route_info_create and fib6_add.
func (c *call) newRoute6(rr rtnl.Route) error {
	rr = withoutRealms(rr) // IPv6 ignores RTA_FLOW
	f := c.f
	if rr.NextHopID != 0 {
		return errf(syscall.EINVAL, "Nexthop id does not exist")
	}
	prio := rr.Priority
	if prio == 0 {
		prio = 1024
	}
	proto := uint8(rr.Protocol)
	if proto == 0 {
		proto = unix.RTPROT_BOOT
	}
	typ := uint8(rr.Type)
	if typ == 0 {
		typ = unix.RTN_UNICAST
	}
	if typ > unix.RTN_XRESOLVE {
		return errf(syscall.EINVAL, "Invalid route type")
	}
	base := fakeRoute{
		fam: unix.AF_INET6, table: tableOf(rr.Table), dst: rr.Dst.Masked(), prio: prio, proto: proto,
		typ: typ, flags: uint32(rr.Flags) &^ 0xff, metrics: metricsOf(rr.Metrics),
	}
	if rr.Src.IsValid() && rr.Src.Bits() > 0 {
		base.src = rr.Src.Masked() // a source-specific route (subtrees)
	}
	// The table is made before the route is checked (fib6_new_table).
	f.tables[tableKey{unix.AF_INET6, base.table}] = true
	var nhs []fakeNH
	if rejectType(typ) {
		nhs = []fakeNH{{oif: 1, weight: 1}}
	} else {
		nhs = routeNHs(rr)
		if len(nhs) == 0 {
			return syscall.ENODEV
		}
		for i := range nhs {
			if err := c.checkNH6(&base, &nhs[i]); err != nil {
				return err
			}
		}
	}
	if rr.PrefSrc.IsValid() {
		if !f.hasAddr6(rr.PrefSrc, nhs[0].oif) {
			return errf(syscall.EINVAL, "Invalid source address")
		}
		base.prefsrc = rr.PrefSrc
	}
	r := &base
	r.nhs = nhs
	ecmp := func(x *fakeRoute) bool { return x.typ == unix.RTN_UNICAST && len(x.nhs) > 0 && x.nhs[0].gw.IsValid() }
	var same []*fakeRoute
	for _, o := range f.routes {
		if o.fam == r.fam && o.table == r.table && o.dst == r.dst && o.src == r.src && o.prio == r.prio {
			same = append(same, o)
		}
	}
	if len(same) > 0 {
		if c.has(netlink.Excl) {
			return syscall.EEXIST
		}
		if c.has(netlink.Replace) {
			var target *fakeRoute
			for _, o := range same {
				if ecmp(o) == ecmp(r) {
					target = o
					break
				}
			}
			if target == nil {
				target = same[0]
			}
			i := slices.Index(f.routes, target)
			f.routes[i] = r
			c.notifyRoute(unix.RTM_NEWROUTE, netlink.Replace|c.req.Header.Flags&netlink.Create, r)
			return nil
		}
		for _, o := range same {
			for _, nh := range r.nhs {
				if slices.ContainsFunc(o.nhs, func(x fakeNH) bool { return x.gw == nh.gw && x.oif == nh.oif }) {
					return syscall.EEXIST
				}
			}
		}
		if ecmp(r) {
			for _, o := range same {
				if ecmp(o) {
					o.nhs = append(o.nhs, r.nhs...)
					// The notification describes the new sibling
					// first, then the others.
					n := *o
					n.nhs = slices.Concat(r.nhs, o.nhs[:len(o.nhs)-len(r.nhs)])
					c.notifyRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Append, &n)
					return nil
				}
			}
		}
	}
	return c.createRoute(r)
}

// checkNH6 is fib6_nh_init with ip6_validate_gw.
func (c *call) checkNH6(r *fakeRoute, nh *fakeNH) error {
	f := c.f
	var l *fakeLink
	if nh.oif != 0 {
		if l = f.links[nh.oif]; l == nil {
			return syscall.ENODEV
		}
	}
	if nh.flags&unix.RTNH_F_ONLINK != 0 {
		if l == nil {
			return errf(syscall.ENODEV, "Nexthop device required for onlink")
		}
		if !l.up() {
			return errf(syscall.ENETDOWN, "Nexthop device is not up")
		}
	}
	if nh.gw.IsValid() {
		gw := nh.gw
		if !gw.Is6() || gw.Is4In6() {
			return errf(syscall.EINVAL, "Invalid gateway address")
		}
		if l != nil && f.hasAddr6(gw, 0) {
			return errf(syscall.EINVAL, "Gateway can not be a local address")
		}
		if !gw.IsLinkLocalUnicast() {
			if gw.IsMulticast() || gw.IsUnspecified() {
				return errf(syscall.EINVAL, "Invalid gateway address")
			}
			if nh.flags&unix.RTNH_F_ONLINK == 0 {
				res, resNH := f.lookupTable6(r.table, gw, netip.Addr{}, nh.oif)
				if res == nil || rejectType(res.typ) || resNH.gw.IsValid() || l != nil && resNH.oif != l.index {
					res, resNH, _ = f.lookup6(gw, nh.oif, 0)
					if res == nil || rejectType(res.typ) || resNH.gw.IsValid() || l != nil && resNH.oif != l.index {
						return syscall.EHOSTUNREACH
					}
				}
				if l == nil {
					l = f.links[resNH.oif]
					nh.oif = resNH.oif
				}
			}
		}
		if l == nil {
			return errf(syscall.EINVAL, "Egress device not specified")
		}
		if l.flags&unix.IFF_LOOPBACK != 0 {
			return errf(syscall.EINVAL, "Egress device can not be loopback device for this route")
		}
	}
	if l == nil {
		return syscall.ENODEV
	}
	if !l.up() {
		return errf(syscall.ENETDOWN, "Nexthop device is not up")
	}
	return nil
}

// hasAddr6 reports whether an IPv6 address is assigned (on link index,
// or anywhere for 0).
func (f *Fake) hasAddr6(a netip.Addr, index int32) bool {
	for _, x := range f.addrs {
		if x.fam == unix.AF_INET6 && x.prefix.Addr() == a && (index == 0 || x.index == index) {
			return true
		}
	}
	return false
}

// lookupTable6 is the longest destination prefix, then the longest
// source prefix (source-specific routes match only a source in them),
// then the lowest metric, whose next hop is usable.
func (f *Fake) lookupTable6(table uint32, dst, src netip.Addr, oif int32) (*fakeRoute, fakeNH) {
	var best *fakeRoute
	var bestNH fakeNH
	for _, r := range f.routes {
		if r.fam != unix.AF_INET6 || r.table != table || !r.dst.Contains(dst) {
			continue
		}
		if r.src.IsValid() && !(src.IsValid() && r.src.Contains(src)) {
			continue
		}
		if best != nil {
			switch {
			case r.dst.Bits() != best.dst.Bits():
				if r.dst.Bits() < best.dst.Bits() {
					continue
				}
			case r.src.Bits() != best.src.Bits():
				if r.src.Bits() < best.src.Bits() {
					continue
				}
			case r.prio >= best.prio:
				continue
			}
		}
		if rejectType(r.typ) {
			if oif == 0 {
				best, bestNH = r, fakeNH{}
			}
			continue
		}
		for _, nh := range r.nhs {
			l := f.links[nh.oif]
			if l == nil || !l.up() || oif != 0 && nh.oif != oif && r.typ != unix.RTN_LOCAL {
				continue
			}
			best, bestNH = r, nh
			break
		}
	}
	return best, bestNH
}

// delRoute6 is ip6_route_del.
func (c *call) delRoute6(rr rtnl.Route) error {
	rr = withoutRealms(rr) // IPv6 ignores RTA_FLOW
	f := c.f
	table := tableOf(rr.Table)
	if !f.tables[tableKey{unix.AF_INET6, table}] {
		return errf(syscall.ESRCH, "FIB table does not exist")
	}
	nhs := routeNHs(rr)
	dst := rr.Dst.Masked()
	var src netip.Prefix
	if rr.Src.IsValid() && rr.Src.Bits() > 0 {
		src = rr.Src.Masked()
	}
	for _, r := range f.routes {
		if r.fam != unix.AF_INET6 || r.table != table || r.dst != dst || r.src != src {
			continue
		}
		if rr.Priority != 0 && r.prio != rr.Priority {
			continue
		}
		if rr.Protocol != 0 && r.proto != uint8(rr.Protocol) {
			continue
		}
		if rr.Type != 0 && rr.Type != rtnl.RouteUnicast && r.typ != uint8(rr.Type) {
			continue
		}
		if len(nhs) == 0 {
			f.removeRoute(r)
			c.notifyRoute(unix.RTM_DELROUTE, 0, r)
			return nil
		}
		// Delete the paths given; fail if one is missing.
		var keep, gone []fakeNH
		for _, h := range r.nhs {
			hit := slices.ContainsFunc(nhs, func(w fakeNH) bool {
				return (w.oif == 0 || w.oif == h.oif) && (!w.gw.IsValid() || w.gw == h.gw)
			})
			if hit {
				gone = append(gone, h)
			} else {
				keep = append(keep, h)
			}
		}
		if len(gone) == 0 {
			continue
		}
		if len(keep) == 0 {
			f.removeRoute(r)
			c.notifyRoute(unix.RTM_DELROUTE, 0, r)
			return nil
		}
		d := *r
		d.nhs = gone
		r.nhs = keep
		c.notifyRoute(unix.RTM_DELROUTE, 0, &d)
		return nil
	}
	return syscall.ESRCH
}

// dumpRoutes answers an RTM_GETROUTE dump with the strict filters.
func (c *call) dumpRoutes() ([]netlink.Message, error) {
	f := c.f
	b := c.req.Data
	if len(b) < unix.SizeofRtMsg {
		return nil, errf(syscall.EINVAL, "Invalid header for FIB dump request")
	}
	fam := b[0]
	if b[1] != 0 || b[2] != 0 || b[3] != 0 || b[6] != 0 {
		return nil, errf(syscall.EINVAL, "Invalid values in header for FIB dump request")
	}
	flags := u32(b[8:])
	if flags&^(unix.RTM_F_CLONED|unix.RTM_F_PREFIX) != 0 {
		return nil, errf(syscall.EINVAL, "Invalid flags for FIB dump request")
	}
	if flags&unix.RTM_F_CLONED != 0 {
		return nil, nil // no route cache here
	}
	proto, typ := b[5], b[7]
	table := uint32(b[4])
	var oif int32
	d := nlattr.NewDecoder(b[unix.SizeofRtMsg:])
	for d.Next() {
		switch d.Type() {
		case unix.RTA_TABLE:
			table = d.Uint32()
		case unix.RTA_OIF:
			oif = int32(d.Uint32())
			if f.links[oif] == nil {
				return nil, syscall.ENODEV
			}
		default:
			return nil, errf(syscall.EINVAL, "Unsupported attribute in dump request")
		}
	}
	filtered := flags != 0 || proto != 0 || typ != 0 || table != 0 || oif != 0
	var out []netlink.Message
	for _, fm := range []uint8{unix.AF_INET, unix.AF_INET6} {
		if fam != 0 && fam != fm {
			continue
		}
		if table != 0 && !f.tables[tableKey{fm, table}] {
			if fam == fm {
				if fm == unix.AF_INET {
					return nil, errf(syscall.ENOENT, "ipv4: FIB table does not exist")
				}
				return nil, errf(syscall.ENOENT, "FIB table does not exist")
			}
			continue
		}
		for _, r := range f.sortedRoutes(fm) {
			if table != 0 && r.table != table || proto != 0 && r.proto != proto || typ != 0 && r.typ != typ ||
				oif != 0 && !r.usesDev(oif) {
				continue
			}
			out = append(out, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWROUTE}, Data: f.encodeRoute(r)})
		}
	}
	if filtered {
		out = withFlags(out, netlink.DumpFiltered)
	}
	return out, nil
}

// sortedRoutes lists a family's routes in the kernel's dump order: tables
// by their hash bucket (id mod 256), then as the kernel's tree walks them,
// keeping the order of routes with one key. The IPv4 trie goes by
// address, longer prefixes first; the IPv6 tree is walked children first,
// so a prefix comes after the prefixes it contains.
func (f *Fake) sortedRoutes(fam uint8) []*fakeRoute {
	var out []*fakeRoute
	for _, r := range f.routes {
		if r.fam == fam {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b *fakeRoute) int {
		if c := cmp.Compare(a.table&255, b.table&255); c != 0 {
			return c
		}
		if c := cmp.Compare(a.table, b.table); c != 0 {
			return c
		}
		if fam == unix.AF_INET6 {
			switch {
			case a.dst == b.dst:
				return 0
			case a.dst.Bits() < b.dst.Bits() && a.dst.Contains(b.dst.Addr()):
				return 1
			case b.dst.Bits() < a.dst.Bits() && b.dst.Contains(a.dst.Addr()):
				return -1
			}
			return a.dst.Addr().Compare(b.dst.Addr())
		}
		if c := a.dst.Addr().Compare(b.dst.Addr()); c != 0 {
			return c
		}
		return cmp.Compare(b.dst.Bits(), a.dst.Bits())
	})
	return out
}
