package rtnltest

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// fakeAddr is one IPv4 or IPv6 address of a link.
type fakeAddr struct {
	fam    uint8
	index  int32
	prefix netip.Prefix // local address and prefix length
	peer   netip.Addr   // IFA_ADDRESS when it differs from the local one
	brd    netip.Addr
	label  string
	scope  uint8
	flags  uint32 // IFA_F_* kept (secondary, nodad, noprefixroute, ...)
	valid  uint32 // lifetimes as given, 0xffffffff: forever
	pref   uint32
	since  time.Time
	proto  uint8
	metric uint32
}

const lifeForever = 0xffffffff

// IFA_* attribute types.
const (
	ifaAddress   = 1
	ifaLocal     = 2
	ifaLabel     = 3
	ifaBroadcast = 4
	ifaCacheInfo = 6
	ifaFlags     = 8
	ifaRtPrio    = 9
	ifaProto     = 11
)

func groupAddr(fam uint8) uint32 {
	if fam == unix.AF_INET6 {
		return unix.RTNLGRP_IPV6_IFADDR
	}
	return unix.RTNLGRP_IPV4_IFADDR
}

// left returns a lifetime's seconds left.
func left(lft uint32, since time.Time) uint32 {
	if lft == lifeForever {
		return lft
	}
	el := uint32(time.Since(since) / time.Second)
	if el >= lft {
		return 0
	}
	return lft - el
}

// addrFlags adds what the kernel computes: permanent for addresses
// that do not expire, deprecated at preferred lifetime 0, tentative for an
// IPv6 address waiting for its link (DAD itself is instantaneous here).
func (f *Fake) addrFlags(a *fakeAddr) uint32 {
	fl := a.flags
	if a.valid == lifeForever {
		fl |= unix.IFA_F_PERMANENT
	}
	if a.pref != lifeForever && left(a.pref, a.since) == 0 {
		fl |= unix.IFA_F_DEPRECATED
	}
	if a.fam == unix.AF_INET6 && fl&unix.IFA_F_NODAD == 0 && a.proto != 1 {
		if l := f.links[a.index]; l != nil && !f.running(l) {
			fl |= unix.IFA_F_TENTATIVE
		}
	}
	return fl
}

func (f *Fake) encodeAddr(a *fakeAddr) []byte {
	fl := f.addrFlags(a)
	b := []byte{a.fam, byte(a.prefix.Bits()), byte(fl), a.scope, 0, 0, 0, 0}
	binary.NativeEndian.PutUint32(b[4:], uint32(a.index))
	e := nlattr.NewEncoder(b)
	if a.fam == unix.AF_INET {
		if a.peer.IsValid() {
			e.Addr(ifaAddress, a.peer)
		} else {
			e.Addr(ifaAddress, a.prefix.Addr())
		}
		e.Addr(ifaLocal, a.prefix.Addr())
		if a.brd.IsValid() {
			e.Addr(ifaBroadcast, a.brd)
		}
		e.String(ifaLabel, a.label)
	} else {
		if a.peer.IsValid() {
			e.Addr(ifaLocal, a.prefix.Addr())
			e.Addr(ifaAddress, a.peer)
		} else {
			e.Addr(ifaAddress, a.prefix.Addr())
		}
	}
	var ci [16]byte
	binary.NativeEndian.PutUint32(ci[0:], left(a.pref, a.since))
	binary.NativeEndian.PutUint32(ci[4:], left(a.valid, a.since))
	e.Bytes(ifaCacheInfo, ci[:])
	e.Uint32(ifaFlags, fl)
	if a.proto != 0 {
		e.Uint8(ifaProto, a.proto)
	}
	if a.metric != 0 {
		e.Uint32(ifaRtPrio, a.metric)
	}
	out, _ := e.Finish()
	return out
}

func (c *call) notifyAddr(typ netlink.MessageType, a *fakeAddr) {
	c.notify(groupAddr(a.fam), typ, 0, c.f.encodeAddr(a))
}

// addrReq is a decoded address request.
type addrReq struct {
	fam          uint8
	plen         int
	flags        uint32
	scope        uint8
	index        int32
	local, addr  netip.Addr
	brd          netip.Addr
	label        string
	hasLabel     bool
	valid, pref  uint32
	hasCache     bool
	proto        uint8
	metric       uint32
	hasMetric    bool
	hasAddrField bool
}

func parseAddrReq(b []byte) (*addrReq, error) {
	if len(b) < 8 {
		return nil, errf(syscall.EINVAL, "Invalid header for address request")
	}
	r := &addrReq{fam: b[0], plen: int(b[1]), flags: uint32(b[2]), scope: b[3], index: int32(u32(b[4:])),
		valid: lifeForever, pref: lifeForever}
	d := nlattr.NewDecoder(b[8:])
	for d.Next() {
		switch d.Type() {
		case ifaAddress:
			r.addr, r.hasAddrField = d.Addr(), true
		case ifaLocal:
			r.local = d.Addr()
		case ifaLabel:
			r.label, r.hasLabel = d.String(), true
		case ifaBroadcast:
			r.brd = d.Addr()
		case ifaCacheInfo:
			p := d.Bytes()
			if len(p) < 8 {
				return nil, errf(syscall.EINVAL, "Attribute failed policy validation")
			}
			r.pref, r.valid, r.hasCache = u32(p), u32(p[4:]), true
		case ifaFlags:
			r.flags = d.Uint32()
		case ifaRtPrio:
			r.metric, r.hasMetric = d.Uint32(), true
		case ifaProto:
			r.proto = d.Uint8()
		}
	}
	if err := d.Err(); err != nil {
		return nil, errf(syscall.EINVAL, "Attribute failed policy validation")
	}
	return r, nil
}

// newAddr handles RTM_NEWADDR.
func (c *call) newAddr() error {
	r, err := parseAddrReq(c.req.Data)
	if err != nil {
		return err
	}
	switch r.fam {
	case unix.AF_INET:
		return c.newAddr4(r)
	case unix.AF_INET6:
		return c.newAddr6(r)
	}
	return syscall.EOPNOTSUPP
}

// sameSubnet is inet_ifa_match with equal masks.
func sameSubnet(a *fakeAddr, p netip.Prefix) bool {
	return a.prefix.Bits() == p.Bits() && a.subnet() == netip.PrefixFrom(p.Addr(), p.Bits()).Masked()
}

// subnet is the address's network: of the peer for point-to-point ones.
func (a *fakeAddr) subnet() netip.Prefix {
	base := a.prefix.Addr()
	if a.peer.IsValid() {
		base = a.peer
	}
	return netip.PrefixFrom(base, a.prefix.Bits()).Masked()
}

// newAddr4 is inet_rtm_newaddr.
func (c *call) newAddr4(r *addrReq) error {
	f := c.f
	if r.plen > 32 {
		return errf(syscall.EINVAL, "ipv4: Invalid prefix length")
	}
	if !r.local.IsValid() {
		r.local = r.addr
	}
	if !r.local.IsValid() || !r.local.Is4() || r.addr.IsValid() && !r.addr.Is4() {
		return errf(syscall.EINVAL, "ipv4: Local address is not supplied")
	}
	l := f.links[r.index]
	if l == nil {
		return errf(syscall.ENODEV, "ipv4: Device not found")
	}
	if r.hasCache && (r.valid == 0 || r.pref > r.valid) {
		return errf(syscall.EINVAL, "ipv4: address lifetime invalid")
	}
	a := &fakeAddr{
		fam: unix.AF_INET, index: l.index, prefix: netip.PrefixFrom(r.local, r.plen), brd: r.brd, label: l.name,
		scope: r.scope, flags: r.flags &^ (unix.IFA_F_SECONDARY | unix.IFA_F_NODAD | unix.IFA_F_OPTIMISTIC |
			unix.IFA_F_DADFAILED | unix.IFA_F_HOMEADDRESS | unix.IFA_F_TENTATIVE | unix.IFA_F_MANAGETEMPADDR |
			unix.IFA_F_STABLE_PRIVACY | unix.IFA_F_PERMANENT | unix.IFA_F_DEPRECATED),
		valid: r.valid, pref: r.pref, since: time.Now(), proto: r.proto, metric: r.metric,
	}
	if r.addr.IsValid() && r.addr != r.local {
		a.peer = r.addr
	}
	if r.hasLabel {
		a.label = r.label
	}
	var existing *fakeAddr
	for _, o := range f.addrs {
		if o.fam == unix.AF_INET && o.index == l.index && o.prefix.Addr() == a.prefix.Addr() && sameSubnet(o, a.subnet()) {
			existing = o
		}
	}
	if existing != nil {
		if c.has(netlink.Excl) || !c.has(netlink.Replace) {
			return syscall.EEXIST
		}
		if r.hasMetric && r.metric != existing.metric {
			for _, rt := range f.routes {
				if rt.fam == unix.AF_INET && rt.proto == unix.RTPROT_KERNEL && rt.table == unix.RT_TABLE_MAIN &&
					rt.dst == existing.subnet() && rt.prio == existing.metric && rt.usesDev(l.index) {
					c.rerouteMetric(rt, r.metric)
				}
			}
			existing.metric = r.metric
		}
		existing.valid, existing.pref, existing.since = a.valid, a.pref, a.since
		if r.proto != 0 {
			existing.proto = r.proto
		}
		c.notifyAddr(unix.RTM_NEWADDR, existing)
		return nil
	}
	// __inet_insert_ifa: secondary if another address has the subnet;
	// primaries go after the last primary of at most their scope.
	lastPrimary := -1
	for i, o := range f.addrs {
		if o.fam != unix.AF_INET || o.index != l.index {
			continue
		}
		if lastPrimary < 0 {
			lastPrimary = i - 1 // before the link's first address
		}
		if o.flags&unix.IFA_F_SECONDARY == 0 && a.scope <= o.scope {
			lastPrimary = i
		}
		if sameSubnet(o, a.subnet()) {
			if o.scope != a.scope {
				return errf(syscall.EINVAL, "ipv4: Invalid scope value")
			}
			a.flags |= unix.IFA_F_SECONDARY
		}
	}
	if a.flags&unix.IFA_F_SECONDARY != 0 || lastPrimary < 0 {
		f.addrs = append(f.addrs, a)
	} else {
		f.addrs = slices.Insert(f.addrs, lastPrimary+1, a)
	}
	c.notifyAddr(unix.RTM_NEWADDR, a)
	c.ipv4AddrRoutes(a)
	return nil
}

// rerouteMetric changes the metric of an address's prefix route as the
// kernel does: the route is deleted and added again.
func (c *call) rerouteMetric(rt *fakeRoute, metric uint32) {
	c.notifyRoute(unix.RTM_DELROUTE, 0, rt)
	rt.prio = metric
	c.notifyRoute(unix.RTM_NEWROUTE, netlink.Create|netlink.Append, rt)
}

// primary4 returns the primary address of a's subnet (a itself if it is
// primary).
func (f *Fake) primary4(a *fakeAddr) *fakeAddr {
	if a.flags&unix.IFA_F_SECONDARY == 0 {
		return a
	}
	for _, o := range f.addrs {
		if o.fam == unix.AF_INET && o.index == a.index && o.flags&unix.IFA_F_SECONDARY == 0 && sameSubnet(o, a.subnet()) {
			return o
		}
	}
	return a
}

// ipv4AddrRoutes is fib_add_ifaddr: the local route always, the prefix
// and broadcast routes when the link is up.
func (c *call) ipv4AddrRoutes(a *fakeAddr) {
	f := c.f
	l := f.links[a.index]
	if l == nil {
		return
	}
	prim := f.primary4(a)
	src := prim.prefix.Addr()
	mk := func(typ uint8, table uint32, dst netip.Prefix, prio uint32) *fakeRoute {
		scope := uint8(unix.RT_SCOPE_LINK)
		if typ == unix.RTN_LOCAL {
			scope = unix.RT_SCOPE_HOST
		}
		return &fakeRoute{fam: unix.AF_INET, table: table, dst: dst, prio: prio, scope: scope, typ: typ,
			prefsrc: src, nhs: []fakeNH{{oif: l.index, weight: 1}}}
	}
	c.addKernelRoute(mk(unix.RTN_LOCAL, unix.RT_TABLE_LOCAL, netip.PrefixFrom(a.prefix.Addr(), 32), 0))
	if !l.up() {
		return
	}
	if a.brd.IsValid() && a.brd != netip.AddrFrom4([4]byte{255, 255, 255, 255}) && !a.brd.IsUnspecified() {
		c.addKernelRoute(mk(unix.RTN_BROADCAST, unix.RT_TABLE_LOCAL, netip.PrefixFrom(a.brd, 32), 0))
	}
	sub := a.subnet()
	if !sub.Addr().IsUnspecified() && a.flags&unix.IFA_F_SECONDARY == 0 && (sub.Addr() != a.prefix.Addr() || a.prefix.Bits() < 32) {
		if a.flags&unix.IFA_F_NOPREFIXROUTE == 0 {
			if l.flags&unix.IFF_LOOPBACK != 0 {
				c.addKernelRoute(mk(unix.RTN_LOCAL, unix.RT_TABLE_LOCAL, sub, a.metric))
			} else {
				c.addKernelRoute(mk(unix.RTN_UNICAST, unix.RT_TABLE_MAIN, sub, a.metric))
			}
		}
		if a.prefix.Bits() < 31 {
			c.addKernelRoute(mk(unix.RTN_BROADCAST, unix.RT_TABLE_LOCAL, netip.PrefixFrom(lastAddr(sub), 32), 0))
		}
	}
}

// lastAddr is the broadcast address of an IPv4 prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As4()
	v := binary.BigEndian.Uint32(b[:]) | (1<<(32-p.Bits()) - 1)
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}

// ipv4AddrRoutesGone is fib_del_ifaddr for the address a, removed.
func (c *call) ipv4AddrRoutesGone(a *fakeAddr, prim *fakeAddr) {
	f := c.f
	idx := a.index
	kernelOn := func(r *fakeRoute, typ uint8, dst netip.Prefix) bool {
		return r.fam == unix.AF_INET && r.proto == unix.RTPROT_KERNEL && r.typ == typ && r.dst == dst && r.usesDev(idx)
	}
	// Keep a route another address still needs.
	stillLocal := slices.ContainsFunc(f.addrs, func(o *fakeAddr) bool {
		return o.fam == unix.AF_INET && o.index == idx && o.prefix.Addr() == a.prefix.Addr()
	})
	if !stillLocal {
		c.deleteRoutes(func(r *fakeRoute) bool {
			return r.table == unix.RT_TABLE_LOCAL && kernelOn(r, unix.RTN_LOCAL, netip.PrefixFrom(a.prefix.Addr(), 32))
		}, true)
	}
	if a.flags&unix.IFA_F_SECONDARY != 0 {
		return
	}
	sub := a.subnet()
	c.deleteRoutes(func(r *fakeRoute) bool {
		return (kernelOn(r, unix.RTN_UNICAST, sub) || kernelOn(r, unix.RTN_LOCAL, sub) && sub.Bits() < 32) && r.prefsrc == a.prefix.Addr() ||
			kernelOn(r, unix.RTN_BROADCAST, netip.PrefixFrom(lastAddr(sub), 32)) && a.prefix.Bits() < 31 ||
			a.brd.IsValid() && kernelOn(r, unix.RTN_BROADCAST, netip.PrefixFrom(a.brd, 32))
	}, true)
}

// newAddr6 is inet6_rtm_newaddr.
func (c *call) newAddr6(r *addrReq) error {
	f := c.f
	pfx := r.local
	var peer netip.Addr
	if r.addr.IsValid() {
		if pfx.IsValid() && r.addr != pfx {
			peer = r.addr
		} else {
			pfx = r.addr
		}
	}
	if !pfx.IsValid() || !pfx.Is6() {
		return errf(syscall.EINVAL, "IPv6 address not specified")
	}
	if r.plen > 128 {
		return errf(syscall.EINVAL, "Invalid prefix length")
	}
	flags := r.flags & (unix.IFA_F_NODAD | unix.IFA_F_HOMEADDRESS | unix.IFA_F_MANAGETEMPADDR |
		unix.IFA_F_NOPREFIXROUTE | unix.IFA_F_MCAUTOJOIN | unix.IFA_F_OPTIMISTIC)
	l := f.links[r.index]
	if l == nil {
		return errf(syscall.ENODEV, "Unable to find the interface")
	}
	if l.mtu < 1280 {
		return syscall.EINVAL
	}
	flags &^= unix.IFA_F_OPTIMISTIC // optimistic DAD is off by default
	var existing *fakeAddr
	for _, o := range f.addrs {
		if o.fam == unix.AF_INET6 && o.index == l.index && o.prefix.Addr() == pfx {
			existing = o
		}
	}
	if existing != nil {
		if c.has(netlink.Excl) || !c.has(netlink.Replace) {
			return errf(syscall.EEXIST, "address already assigned")
		}
		if r.valid == 0 || r.pref > r.valid {
			return errf(syscall.EINVAL, "IPv6 address lifetime invalid")
		}
		existing.valid, existing.pref, existing.since = r.valid, r.pref, time.Now()
		hadPrefix := existing.flags&unix.IFA_F_NOPREFIXROUTE == 0
		existing.flags = existing.flags&^(unix.IFA_F_NODAD|unix.IFA_F_HOMEADDRESS|unix.IFA_F_MANAGETEMPADDR|
			unix.IFA_F_NOPREFIXROUTE|unix.IFA_F_MCAUTOJOIN) | flags
		switch wantPrefix := flags&unix.IFA_F_NOPREFIXROUTE == 0; {
		case hadPrefix && !wantPrefix:
			c.removePrefixRoute6(existing)
		case !hadPrefix && wantPrefix:
			c.ipv6PrefixRoute(existing)
		}
		if r.proto != 0 {
			existing.proto = r.proto
		}
		if r.hasMetric && r.metric != existing.metric {
			old := existing.metric
			existing.metric = r.metric
			for _, rt := range f.routes {
				if rt.fam == unix.AF_INET6 && rt.proto == unix.RTPROT_KERNEL && rt.table == unix.RT_TABLE_MAIN &&
					rt.dst == existing.prefix.Masked() && rt.prio == metric6(old) && rt.usesDev(l.index) {
					c.rerouteMetric(rt, metric6(r.metric))
				}
			}
		}
		c.notifyAddr(unix.RTM_NEWADDR, existing)
		return nil
	}
	if r.valid == 0 || r.pref > r.valid {
		return errf(syscall.EINVAL, "IPv6 address lifetime invalid")
	}
	if flags&unix.IFA_F_MANAGETEMPADDR != 0 && r.plen != 64 {
		return errf(syscall.EINVAL, "IPv6 address with mngtmpaddr flag must have a prefix length of 64")
	}
	if pfx.IsUnspecified() || pfx.IsMulticast() && flags&unix.IFA_F_MCAUTOJOIN == 0 ||
		pfx.IsLoopback() && l.flags&unix.IFF_LOOPBACK == 0 {
		return syscall.EADDRNOTAVAIL
	}
	a := &fakeAddr{fam: unix.AF_INET6, index: l.index, prefix: netip.PrefixFrom(pfx, r.plen), peer: peer,
		scope: scope6(pfx), flags: flags, valid: r.valid, pref: r.pref, since: time.Now(), proto: r.proto, metric: r.metric}
	c.insertAddr6(a)
	return nil
}

// insertAddr6 adds an IPv6 address (before the link's others of the same
// or a narrower scope, as ipv6_link_dev_addr) with its routes.
func (c *call) insertAddr6(a *fakeAddr) {
	f := c.f
	at := -1
	for i, o := range f.addrs {
		if o.fam == unix.AF_INET6 && o.index == a.index && a.scope <= o.scope {
			at = i
			break
		}
	}
	if at < 0 {
		f.addrs = append(f.addrs, a)
	} else {
		f.addrs = slices.Insert(f.addrs, at, a)
	}
	c.notifyAddr(unix.RTM_NEWADDR, a)
	c.addKernelRoute(&fakeRoute{fam: unix.AF_INET6, table: unix.RT_TABLE_LOCAL, dst: netip.PrefixFrom(a.prefix.Addr(), 128),
		typ: unix.RTN_LOCAL, nhs: []fakeNH{{oif: a.index, weight: 1}}})
	c.ipv6PrefixRoute(a)
}

func metric6(m uint32) uint32 {
	if m == 0 {
		return 256
	}
	return m
}

// ipv6PrefixRoute is addrconf_prefix_route, which fails silently while
// the link is down.
func (c *call) ipv6PrefixRoute(a *fakeAddr) {
	l := c.f.links[a.index]
	if l == nil || !l.up() || a.flags&unix.IFA_F_NOPREFIXROUTE != 0 || a.prefix.Addr().IsLoopback() {
		return
	}
	dst := a.prefix.Masked()
	if a.peer.IsValid() {
		dst = netip.PrefixFrom(a.peer, 128)
	}
	c.addKernelRoute(&fakeRoute{fam: unix.AF_INET6, table: unix.RT_TABLE_MAIN, dst: dst, prio: metric6(a.metric),
		typ: unix.RTN_UNICAST, nhs: []fakeNH{{oif: a.index, weight: 1}}})
}

// scope6 is ipv6_addr_scope in rtnetlink terms.
func scope6(a netip.Addr) uint8 {
	switch {
	case a.IsLoopback():
		return unix.RT_SCOPE_HOST
	case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
		return unix.RT_SCOPE_LINK
	case a.Is6() && a.As16()[0] == 0xfe && a.As16()[1]&0xc0 == 0xc0:
		return unix.RT_SCOPE_SITE
	}
	return unix.RT_SCOPE_UNIVERSE
}

// removeAddr6 deletes an IPv6 address and its routes.
func (c *call) removeAddr6(a *fakeAddr) {
	f := c.f
	if i := slices.Index(f.addrs, a); i >= 0 {
		f.addrs = slices.Delete(f.addrs, i, i+1)
	}
	c.notifyAddr(unix.RTM_DELADDR, a)
	c.deleteRoutes(func(r *fakeRoute) bool {
		return r.fam == unix.AF_INET6 && r.proto == unix.RTPROT_KERNEL && r.usesDev(a.index) && r.table == unix.RT_TABLE_LOCAL &&
			r.typ == unix.RTN_LOCAL && r.dst == netip.PrefixFrom(a.prefix.Addr(), 128)
	}, true)
	c.removePrefixRoute6(a)
}

// removePrefixRoute6 deletes the prefix route of an address unless
// another address of the link still needs it.
func (c *call) removePrefixRoute6(a *fakeAddr) {
	f := c.f
	dst := a.prefix.Masked()
	if slices.ContainsFunc(f.addrs, func(o *fakeAddr) bool {
		return o != a && o.fam == unix.AF_INET6 && o.index == a.index && o.prefix.Masked() == dst && o.flags&unix.IFA_F_NOPREFIXROUTE == 0
	}) {
		return
	}
	c.deleteRoutes(func(r *fakeRoute) bool {
		return r.fam == unix.AF_INET6 && r.proto == unix.RTPROT_KERNEL && r.usesDev(a.index) && r.table == unix.RT_TABLE_MAIN &&
			r.dst == dst && r.typ == unix.RTN_UNICAST && len(r.nhs) == 1 && !r.nhs[0].gw.IsValid()
	}, true)
}

// ipv6Down is addrconf_ifdown: the link loses its IPv6 addresses and
// routes.
func (c *call) ipv6Down(l *fakeLink) {
	for _, a := range slices.Clone(c.f.addrs) {
		if a.fam == unix.AF_INET6 && a.index == l.index {
			c.removeAddr6(a)
		}
	}
}

// removeAddr4 deletes an IPv4 address as __inet_del_ifa, without
// promotion: a primary takes its secondaries with it.
func (c *call) removeAddr4(a *fakeAddr) {
	f := c.f
	if a.flags&unix.IFA_F_SECONDARY == 0 {
		for _, o := range slices.Clone(f.addrs) {
			if o != a && o.fam == unix.AF_INET && o.index == a.index && o.flags&unix.IFA_F_SECONDARY != 0 && sameSubnet(o, a.subnet()) {
				if i := slices.Index(f.addrs, o); i >= 0 {
					f.addrs = slices.Delete(f.addrs, i, i+1)
				}
				c.notifyAddr(unix.RTM_DELADDR, o)
				c.ipv4AddrRoutesGone(o, a)
			}
		}
	}
	if i := slices.Index(f.addrs, a); i >= 0 {
		f.addrs = slices.Delete(f.addrs, i, i+1)
	}
	c.notifyAddr(unix.RTM_DELADDR, a)
	c.ipv4AddrRoutesGone(a, a)
	c.ipv4AddrGone(a)
}

// ipv4AddrGone: routes whose preferred source was the address go
// (announced), and once a link has no IPv4 address left, every IPv4
// route through it goes silently (fib_disable_ip).
func (c *call) ipv4AddrGone(a *fakeAddr) {
	f := c.f
	local := a.prefix.Addr()
	if f.addrType4(local) != unix.RTN_LOCAL {
		c.deleteRoutes(func(r *fakeRoute) bool {
			return r.fam == unix.AF_INET && r.prefsrc == local && r.table != unix.RT_TABLE_LOCAL
		}, true)
	}
	if !slices.ContainsFunc(f.addrs, func(o *fakeAddr) bool { return o.fam == unix.AF_INET && o.index == a.index }) {
		c.deleteRoutes(func(r *fakeRoute) bool { return r.fam == unix.AF_INET && r.usesDev(a.index) }, false)
	}
}

// ipv4Unregister removes the IPv4 addresses of a link being deleted.
func (c *call) ipv4Unregister(l *fakeLink) {
	for {
		i := slices.IndexFunc(c.f.addrs, func(a *fakeAddr) bool { return a.fam == unix.AF_INET && a.index == l.index })
		if i < 0 {
			return
		}
		c.removeAddr4(c.f.addrs[i])
	}
}

// loopbackUp gives lo its addresses, as inetdev_event and init_loopback.
func (c *call) loopbackUp(l *fakeLink) {
	f := c.f
	has := func(fam uint8) bool {
		return slices.ContainsFunc(f.addrs, func(a *fakeAddr) bool { return a.fam == fam && a.index == l.index })
	}
	if !has(unix.AF_INET) {
		a := &fakeAddr{fam: unix.AF_INET, index: l.index, prefix: netip.MustParsePrefix("127.0.0.1/8"), label: l.name,
			scope: unix.RT_SCOPE_HOST, valid: lifeForever, pref: lifeForever, since: time.Now()}
		f.addrs = append(f.addrs, a)
		c.notifyAddr(unix.RTM_NEWADDR, a)
		c.ipv4AddrRoutes(a)
	}
	if !f.hasAddr6(netip.IPv6Loopback(), l.index) && l.mtu >= 1280 {
		a := &fakeAddr{fam: unix.AF_INET6, index: l.index, prefix: netip.PrefixFrom(netip.IPv6Loopback(), 128),
			scope: unix.RT_SCOPE_HOST, valid: lifeForever, pref: lifeForever, since: time.Now(), proto: 1}
		c.insertAddr6(a)
	}
}

// delAddr handles RTM_DELADDR.
func (c *call) delAddr() error {
	f := c.f
	r, err := parseAddrReq(c.req.Data)
	if err != nil {
		return err
	}
	switch r.fam {
	case unix.AF_INET:
		if f.links[r.index] == nil {
			return errf(syscall.ENODEV, "ipv4: Device not found")
		}
		for _, a := range f.addrs {
			if a.fam != unix.AF_INET || a.index != r.index {
				continue
			}
			if r.local.IsValid() && a.prefix.Addr() != r.local {
				continue
			}
			if r.hasLabel && a.label != r.label {
				continue
			}
			if r.hasAddrField && (r.plen != a.prefix.Bits() || !a.subnet().Contains(r.addr)) {
				continue
			}
			c.removeAddr4(a)
			return nil
		}
		return errf(syscall.EADDRNOTAVAIL, "ipv4: Address not found")
	case unix.AF_INET6:
		pfx := r.local
		if !pfx.IsValid() {
			pfx = r.addr
		}
		if !pfx.IsValid() {
			return errf(syscall.EINVAL, "IPv6 address not specified")
		}
		if r.plen > 128 {
			return syscall.EINVAL
		}
		if f.links[r.index] == nil {
			return syscall.ENODEV
		}
		for _, a := range f.addrs {
			if a.fam == unix.AF_INET6 && a.index == r.index && a.prefix.Addr() == pfx && a.prefix.Bits() == r.plen {
				c.removeAddr6(a)
				return nil
			}
		}
		return syscall.EADDRNOTAVAIL
	}
	return syscall.EOPNOTSUPP
}

// expireAddrs removes addresses whose valid lifetime ran out.
func (c *call) expireAddrs() {
	for _, a := range slices.Clone(c.f.addrs) {
		if a.valid != lifeForever && left(a.valid, a.since) == 0 && slices.Contains(c.f.addrs, a) {
			if a.fam == unix.AF_INET {
				c.removeAddr4(a)
			} else {
				c.removeAddr6(a)
			}
		}
	}
}

// dumpAddrs answers an RTM_GETADDR dump with the strict filters.
func (c *call) dumpAddrs() ([]netlink.Message, error) {
	f := c.f
	b := c.req.Data
	if len(b) < 8 {
		return nil, errf(syscall.EINVAL, "ipv4: Invalid header for address dump request")
	}
	fam, index := b[0], int32(u32(b[4:]))
	if b[1] != 0 || b[2] != 0 || b[3] != 0 {
		return nil, errf(syscall.EINVAL, "ipv4: Invalid values in header for address dump request")
	}
	d := nlattr.NewDecoder(b[8:])
	for d.Next() {
		if d.Type() != 10 { // IFA_TARGET_NETNSID
			return nil, errf(syscall.EINVAL, "ipv4: Unsupported attribute in dump request")
		}
	}
	if index != 0 && f.links[index] == nil {
		return nil, syscall.ENODEV
	}
	var out []netlink.Message
	for _, fm := range []uint8{unix.AF_INET, unix.AF_INET6} {
		if fam != 0 && fam != fm {
			continue
		}
		for _, l := range f.sortedLinks() {
			if index != 0 && l.index != index {
				continue
			}
			for _, a := range f.addrs {
				if a.fam == fm && a.index == l.index {
					out = append(out, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWADDR}, Data: f.encodeAddr(a)})
				}
			}
		}
	}
	if index != 0 {
		out = withFlags(out, netlink.DumpFiltered)
	}
	return out, nil
}
