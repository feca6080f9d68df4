package rtnltest

import (
	"net/netip"
	"slices"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/rtnl"
)

// fakeRule is one policy rule; Rule.Family says whose list it is on.
type fakeRule struct {
	rtnl.Rule
}

func defaultRules() []*fakeRule {
	mk := func(fam rtnl.Family, pref uint32, t rtnl.Table) *fakeRule {
		return &fakeRule{rtnl.Rule{Family: fam, Priority: pref, Table: t, Action: rtnl.RuleActionLookup, Protocol: rtnl.ProtoKernel}}
	}
	return []*fakeRule{
		mk(rtnl.FamilyIPv4, 0, rtnl.TableLocal), mk(rtnl.FamilyIPv4, 32766, rtnl.TableMain), mk(rtnl.FamilyIPv4, 32767, rtnl.TableDefault),
		mk(rtnl.FamilyIPv6, 0, rtnl.TableLocal), mk(rtnl.FamilyIPv6, 32766, rtnl.TableMain),
	}
}

func groupRule(fam rtnl.Family) uint32 {
	if fam == rtnl.FamilyIPv6 {
		return unix.RTNLGRP_IPV6_RULE
	}
	return unix.RTNLGRP_IPV4_RULE
}

func encodeRule(u *fakeRule) []byte {
	b, _ := u.Rule.AppendBinary(make([]byte, 0, 96))
	if u.Table > 255 && len(b) > 4 {
		b[4] = unix.RT_TABLE_COMPAT
	}
	return b
}

func (c *call) notifyRule(typ netlink.MessageType, u *fakeRule) {
	c.notify(groupRule(u.Family), typ, 0, encodeRule(u))
}

// ruleReq is a decoded rule request with what was present.
type ruleReq struct {
	rtnl.Rule
	hasPrio, hasGoto, hasMark, hasMask bool
}

func (c *call) parseRuleReq() (*ruleReq, error) {
	b := c.req.Data
	if len(b) < 12 {
		return nil, errf(syscall.EINVAL, "Invalid header for rule request")
	}
	r := &ruleReq{}
	if err := r.Rule.UnmarshalBinary(b); err != nil {
		return nil, errf(syscall.EINVAL, "rtnltest: %v", err)
	}
	d := nlattr.NewDecoder(b[12:])
	for d.Next() {
		switch d.Type() {
		case unix.FRA_PRIORITY:
			r.hasPrio = true
		case unix.FRA_GOTO:
			r.hasGoto = true
		case unix.FRA_FWMARK:
			r.hasMark = true
		case unix.FRA_FWMASK:
			r.hasMask = true
		}
	}
	if r.Family != rtnl.FamilyIPv4 && r.Family != rtnl.FamilyIPv6 {
		return nil, syscall.EAFNOSUPPORT
	}
	bits := 32
	if r.Family == rtnl.FamilyIPv6 {
		bits = 128
	}
	if int(b[1]) > bits || int(b[2]) > bits {
		return nil, syscall.EINVAL
	}
	if r.Family == rtnl.FamilyIPv4 && r.Tos&^0x1c != 0 {
		return nil, errf(syscall.EINVAL, "Invalid tos")
	}
	if r.Action > rtnl.RuleActionProhibit {
		return nil, errf(syscall.EINVAL, "Invalid action")
	}
	return r, nil
}

// familyRules returns the rules of a family in order.
func (f *Fake) familyRules(fam rtnl.Family) []*fakeRule {
	var out []*fakeRule
	for _, u := range f.rules {
		if u.Family == fam {
			out = append(out, u)
		}
	}
	return out
}

// newRule is fib_nl_newrule.
func (c *call) newRule() error {
	f := c.f
	r, err := c.parseRuleReq()
	if err != nil {
		return err
	}
	u := &fakeRule{r.Rule}
	if !r.hasPrio {
		// fib_default_rule_pref: one below the second rule.
		u.Priority = 0
		if rs := f.familyRules(u.Family); len(rs) > 1 && rs[1].Priority > 0 {
			u.Priority = rs[1].Priority - 1
		}
	}
	if u.Action == rtnl.RuleActionGoto {
		if !r.hasGoto {
			return errf(syscall.EINVAL, "Missing goto target for action goto")
		}
		if u.Goto <= u.Priority {
			return errf(syscall.EINVAL, "Backward goto not supported")
		}
	} else if r.hasGoto {
		return errf(syscall.EINVAL, "Unexpected goto")
	}
	if u.Action == rtnl.RuleActionLookup && u.Table == 0 {
		if u.Family == rtnl.FamilyIPv6 {
			return errf(syscall.EINVAL, "Invalid table")
		}
		for t := uint32(1); ; t++ {
			if !f.tables[tableKey{unix.AF_INET, t}] {
				u.Table = rtnl.Table(t)
				f.tables[tableKey{unix.AF_INET, t}] = true
				break
			}
		}
	}
	if u.Family == rtnl.FamilyIPv6 && u.Action == rtnl.RuleActionLookup {
		f.tables[tableKey{unix.AF_INET6, uint32(u.Table)}] = true
	}
	if c.has(netlink.Excl) {
		for _, o := range f.familyRules(u.Family) {
			if ruleSame(o, u, r) {
				return syscall.EEXIST
			}
		}
	}
	at := -1
	for i, o := range f.rules {
		if o.Family == u.Family && o.Priority <= u.Priority {
			at = i
		}
	}
	if at < 0 {
		// Before the family's first rule, or at the end.
		at = slices.IndexFunc(f.rules, func(o *fakeRule) bool { return o.Family == u.Family })
		if at < 0 {
			at = len(f.rules)
		}
		f.rules = slices.Insert(f.rules, at, u)
	} else {
		f.rules = slices.Insert(f.rules, at+1, u)
	}
	if u.Family == rtnl.FamilyIPv4 {
		f.customRules4 = true
	}
	c.notifyRule(unix.RTM_NEWRULE, u)
	return nil
}

func optEq(a, b *uint32) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func uidEq(a, b *rtnl.UIDRange) bool {
	if a == nil || b == nil {
		return a == b || a == nil && *b == (rtnl.UIDRange{End: 0xffffffff}) || b == nil && *a == (rtnl.UIDRange{End: 0xffffffff})
	}
	return *a == *b
}

// ruleSame is rule_exists: every field equal, the addresses and tos
// only when the new rule has them.
func ruleSame(o *fakeRule, u *fakeRule, r *ruleReq) bool {
	if o.Action != u.Action || o.Table != u.Table || o.Priority != u.Priority || o.IifName != u.IifName ||
		o.OifName != u.OifName || o.Mark != u.Mark || o.Mask != u.Mask || !optEq(o.SuppressIfGroup, u.SuppressIfGroup) ||
		!optEq(o.SuppressPrefixLength, u.SuppressPrefixLength) || o.L3MDev != u.L3MDev || !uidEq(o.UIDRange, u.UIDRange) ||
		o.IPProto != u.IPProto || o.Protocol != u.Protocol || o.SrcPorts != u.SrcPorts || o.DstPorts != u.DstPorts {
		return false
	}
	return ruleCompare(o, u)
}

// ruleCompare is the family's compare: what the request gives must match.
func ruleCompare(o *fakeRule, u *fakeRule) bool {
	if u.Src.IsValid() && o.Src != u.Src || u.Dst.IsValid() && o.Dst != u.Dst {
		return false
	}
	if u.Tos != 0 && o.Tos != u.Tos || u.Realms != 0 && o.Realms != u.Realms {
		return false
	}
	return true
}

// delRule is fib_nl_delrule with rule_find.
func (c *call) delRule() error {
	f := c.f
	r, err := c.parseRuleReq()
	if err != nil {
		return err
	}
	u := &r.Rule
	if u.Action == rtnl.RuleActionGoto && !r.hasGoto {
		return errf(syscall.EINVAL, "Missing goto target for action goto")
	}
	for i, o := range f.rules {
		if o.Family != u.Family {
			continue
		}
		if u.Action != 0 && o.Action != u.Action || u.Table != 0 && o.Table != u.Table || r.hasPrio && o.Priority != u.Priority {
			continue
		}
		if u.IifName != "" && o.IifName != u.IifName || u.OifName != "" && o.OifName != u.OifName {
			continue
		}
		if u.Mark != 0 && o.Mark != u.Mark || u.Mask != 0 && o.Mask != u.Mask {
			continue
		}
		if u.SuppressIfGroup != nil && !optEq(o.SuppressIfGroup, u.SuppressIfGroup) ||
			u.SuppressPrefixLength != nil && !optEq(o.SuppressPrefixLength, u.SuppressPrefixLength) {
			continue
		}
		if u.L3MDev && !o.L3MDev || u.UIDRange != nil && !uidEq(o.UIDRange, u.UIDRange) {
			continue
		}
		if u.IPProto != 0 && o.IPProto != u.IPProto || u.Protocol != 0 && o.Protocol != u.Protocol {
			continue
		}
		if u.SrcPorts != (rtnl.PortRange{}) && o.SrcPorts != u.SrcPorts || u.DstPorts != (rtnl.PortRange{}) && o.DstPorts != u.DstPorts {
			continue
		}
		if !ruleCompare(o, &fakeRule{*u}) {
			continue
		}
		f.rules = slices.Delete(f.rules, i, i+1)
		c.notifyRule(unix.RTM_DELRULE, o)
		return nil
	}
	return syscall.ENOENT
}

// dumpRules answers an RTM_GETRULE dump.
func (c *call) dumpRules() ([]netlink.Message, error) {
	b := c.req.Data
	if len(b) < 12 {
		return nil, errf(syscall.EINVAL, "Invalid header for fib rule dump request")
	}
	for _, x := range b[1:12] {
		if x != 0 {
			return nil, errf(syscall.EINVAL, "Invalid values in header for fib rule dump request")
		}
	}
	if len(b) > 12 {
		return nil, errf(syscall.EINVAL, "Invalid data after header in fib rule dump request")
	}
	fam := rtnl.Family(b[0])
	if fam != 0 && fam != rtnl.FamilyIPv4 && fam != rtnl.FamilyIPv6 {
		return nil, syscall.EAFNOSUPPORT
	}
	var out []netlink.Message
	for _, fm := range []rtnl.Family{rtnl.FamilyIPv4, rtnl.FamilyIPv6} {
		if fam != 0 && fam != fm {
			continue
		}
		for _, u := range c.f.familyRules(fm) {
			out = append(out, netlink.Message{Header: netlink.Header{Type: unix.RTM_NEWRULE}, Data: encodeRule(u)})
		}
	}
	return out, nil
}

// flow is what a route lookup matches rules and routes with.
type flow struct {
	dst, src netip.Addr
	oif      int32
	iif      int32 // 1 (lo) for locally generated traffic
	mark     uint32
	ipproto  uint8
	tos      uint8 // IPv4 rtm_tos of a lookup
}

func (f *Fake) ruleMatch(u *fakeRule, fl flow) bool {
	m := true
	if u.Src.IsValid() && !(fl.src.IsValid() && u.Src.Contains(fl.src)) && u.Src.Bits() > 0 {
		m = false
	}
	if u.Dst.IsValid() && u.Dst.Bits() > 0 && !u.Dst.Contains(fl.dst) {
		m = false
	}
	if u.IifName != "" {
		l := f.linkByName(u.IifName)
		if l == nil || l.index != fl.iif {
			m = false
		}
	}
	if u.OifName != "" {
		l := f.linkByName(u.OifName)
		if l == nil || l.index != fl.oif {
			m = false
		}
	}
	if (u.Mark^fl.mark)&u.Mask != 0 {
		m = false
	}
	if u.IPProto != 0 && u.IPProto != fl.ipproto {
		m = false
	}
	if u.Tos != 0 && u.Tos != fl.tos {
		m = false
	}
	if u.Invert {
		m = !m
	}
	return m
}

// lookup runs the family's rules (fib_rules_lookup) and returns the route
// found, its next hop and the lookup's table; an error for a reject
// route or rule, ENETUNREACH when nothing matched.
func (f *Fake) lookup(fam rtnl.Family, fl flow, scope uint8) (*fakeRoute, fakeNH, uint32, error) {
	rules := f.familyRules(fam)
	for i := 0; i < len(rules); i++ {
		u := rules[i]
		if !f.ruleMatch(u, fl) {
			continue
		}
		switch u.Action {
		case rtnl.RuleActionGoto:
			j := slices.IndexFunc(rules, func(o *fakeRule) bool { return o.Priority >= u.Goto })
			if j < 0 {
				return nil, fakeNH{}, 0, syscall.ENETUNREACH
			}
			i = j - 1
			continue
		case rtnl.RuleActionNop:
			continue
		case rtnl.RuleActionBlackhole:
			return nil, fakeNH{}, 0, syscall.EINVAL
		case rtnl.RuleActionUnreachable:
			return nil, fakeNH{}, 0, syscall.EHOSTUNREACH
		case rtnl.RuleActionProhibit:
			return nil, fakeNH{}, 0, syscall.EACCES
		}
		table := uint32(u.Table)
		if !f.tables[tableKey{uint8(fam), table}] {
			continue
		}
		var res *fakeRoute
		var nh fakeNH
		var err error
		if fam == rtnl.FamilyIPv4 {
			res, nh, err = f.lookupTable4(table, fl.dst, scope, fl.oif, fl.tos)
		} else {
			res, nh = f.lookupTable6(table, fl.dst, fl.src, fl.oif)
			if res != nil {
				err = routeTypeErr(res.typ)
			}
		}
		if res == nil || err == syscall.EAGAIN {
			continue
		}
		if u.SuppressPrefixLength != nil && res.dst.Bits() <= int(*u.SuppressPrefixLength) {
			continue
		}
		if u.SuppressIfGroup != nil {
			if l := f.links[nh.oif]; l != nil && l.group == *u.SuppressIfGroup {
				continue
			}
		}
		return res, nh, table, err
	}
	return nil, fakeNH{}, 0, syscall.ENETUNREACH
}

// lookup4 is fib_lookup for a gateway check.
func (f *Fake) lookup4(dst, src netip.Addr, scope uint8, oif int32, mark uint32) (*fakeRoute, fakeNH, error) {
	r, nh, _, err := f.lookup(rtnl.FamilyIPv4, flow{dst: dst, src: src, oif: oif, iif: 1, mark: mark}, scope)
	return r, nh, err
}

// lookup6 is fib6_lookup for a gateway check.
func (f *Fake) lookup6(dst netip.Addr, oif int32, mark uint32) (*fakeRoute, fakeNH, error) {
	r, nh, _, err := f.lookup(rtnl.FamilyIPv6, flow{dst: dst, oif: oif, iif: 1, mark: mark}, 0)
	return r, nh, err
}

// selectSrc4 is inet_select_addr: a primary address of the link within
// scope, preferably in dst's subnet; else one of another link.
func (f *Fake) selectSrc4(index int32, dst netip.Addr, scope uint8) netip.Addr {
	var addr netip.Addr
	for _, a := range f.addrs {
		if a.fam != unix.AF_INET || a.index != index || a.flags&unix.IFA_F_SECONDARY != 0 {
			continue
		}
		if min(a.scope, unix.RT_SCOPE_HOST) > scope {
			continue
		}
		if !dst.IsValid() || a.subnet().Contains(dst) {
			return a.prefix.Addr()
		}
		if !addr.IsValid() {
			addr = a.prefix.Addr()
		}
	}
	if addr.IsValid() {
		return addr
	}
	for _, l := range f.sortedLinks() {
		for _, a := range f.addrs {
			if a.fam == unix.AF_INET && a.index == l.index && a.flags&unix.IFA_F_SECONDARY == 0 &&
				a.scope != unix.RT_SCOPE_LINK && a.scope <= scope {
				return a.prefix.Addr()
			}
		}
	}
	return netip.Addr{}
}

// selectSrc6 picks a source address: one of the link's of the
// destination's scope, preferring the longest common prefix.
func (f *Fake) selectSrc6(index int32, dst netip.Addr) netip.Addr {
	var best netip.Addr
	bestLen := -1
	for _, a := range f.addrs {
		if a.fam != unix.AF_INET6 || a.index != index || a.scope != scope6(dst) && scope6(dst) != unix.RT_SCOPE_HOST {
			continue
		}
		n := commonBits(a.prefix.Addr(), dst)
		if n > bestLen {
			best, bestLen = a.prefix.Addr(), n
		}
	}
	return best
}

func commonBits(a, b netip.Addr) int {
	x, y := a.As16(), b.As16()
	for i := range 16 {
		if d := x[i] ^ y[i]; d != 0 {
			n := i * 8
			for d&0x80 == 0 {
				d <<= 1
				n++
			}
			return n
		}
	}
	return 128
}

// getRoute answers RTM_GETROUTE without NLM_F_DUMP: a route lookup.
func (c *call) getRoute() ([]netlink.Message, error) {
	f := c.f
	b := c.req.Data
	if len(b) < unix.SizeofRtMsg {
		return nil, errf(syscall.EINVAL, "Invalid header for route get request")
	}
	fam := b[0]
	bits := 32
	if fam == unix.AF_INET6 {
		bits = 128
	} else if fam != unix.AF_INET {
		return nil, syscall.EOPNOTSUPP
	}
	if b[1] != 0 && int(b[1]) != bits || b[2] != 0 && int(b[2]) != bits || b[4] != 0 || b[5] != 0 || b[6] != 0 || b[7] != 0 {
		return nil, errf(syscall.EINVAL, "Invalid values in header for route get request")
	}
	rflags := u32(b[8:])
	if rflags&^(unix.RTM_F_NOTIFY|unix.RTM_F_LOOKUP_TABLE|unix.RTM_F_FIB_MATCH) != 0 {
		return nil, errf(syscall.EINVAL, "Invalid flags for route get request")
	}
	if fam == unix.AF_INET6 && rflags&^unix.RTM_F_FIB_MATCH != 0 {
		return nil, errf(syscall.EINVAL, "ipv6: Invalid flags for get route request")
	}
	var fl flow
	fl.iif = 1
	if fam == unix.AF_INET {
		fl.tos = b[3]
	}
	d := nlattr.NewDecoder(b[unix.SizeofRtMsg:])
	for d.Next() {
		switch d.Type() {
		case unix.RTA_DST:
			fl.dst = d.Addr()
		case unix.RTA_SRC:
			fl.src = d.Addr()
		case unix.RTA_OIF:
			fl.oif = int32(d.Uint32())
		case unix.RTA_MARK:
			fl.mark = d.Uint32()
		case unix.RTA_IIF:
			return nil, errf(syscall.EOPNOTSUPP, "rtnltest: route lookups for input (RTA_IIF) are not modelled")
		case unix.RTA_IP_PROTO:
			fl.ipproto = d.Uint8()
		}
	}
	if !fl.dst.IsValid() {
		if fam == unix.AF_INET {
			fl.dst = netip.IPv4Unspecified()
		} else {
			fl.dst = netip.IPv6Unspecified()
		}
	}
	if fl.dst.BitLen() != bits || fl.src.IsValid() && fl.src.BitLen() != bits {
		return nil, errf(syscall.EINVAL, "Invalid address")
	}
	if fl.oif != 0 {
		l := f.links[fl.oif]
		if l == nil {
			return nil, syscall.ENODEV
		}
		if !l.up() {
			return nil, syscall.ENETUNREACH
		}
	}
	if fam == unix.AF_INET && fl.src.IsValid() {
		if fl.src.IsMulticast() || fl.src.IsUnspecified() || fl.src == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			return nil, syscall.EINVAL
		}
		if f.addrType4(fl.src) != unix.RTN_LOCAL {
			return nil, syscall.ENETUNREACH
		}
	}
	res, nh, table, err := f.lookup(rtnl.Family(fam), fl, 0)
	if err != nil {
		return nil, err
	}
	var out rtnl.Route
	if rflags&unix.RTM_F_FIB_MATCH != 0 {
		out = f.toRoute(res)
		out.Table = rtnl.Table(res.table)
	} else {
		out = rtnl.Route{Family: rtnl.Family(fam), Dst: netip.PrefixFrom(fl.dst, bits), Table: unix.RT_TABLE_MAIN,
			Type: rtnl.RouteType(res.typ), Flags: rtnl.RouteFlagCloned, Gateway: nh.gw, OutIndex: nh.oif, Mark: fl.mark}
		if fam == unix.AF_INET6 || rflags&unix.RTM_F_LOOKUP_TABLE != 0 {
			out.Table = rtnl.Table(table)
			if fam == unix.AF_INET && table == unix.RT_TABLE_LOCAL && !f.customRules4 {
				// Until IPv4 has rules of its own, the kernel keeps
				// the local table merged into main and says main.
				out.Table = unix.RT_TABLE_MAIN
			}
		}
		if fam == unix.AF_INET6 {
			out.Protocol, out.Priority = rtnl.Protocol(res.proto), res.prio
		} else {
			out.Tos = res.tos // the DSCP of the entry that matched
			if rflags&unix.RTM_F_NOTIFY != 0 {
				out.Flags |= rtnl.RouteFlagNotify | 0x10000 // and RTCF_NOTIFY on the cache entry
			}
		}
		if fl.src.IsValid() {
			out.Src = netip.PrefixFrom(fl.src, bits)
		}
		src := fl.src
		switch {
		case res.typ == unix.RTN_LOCAL:
			out.OutIndex = 1
			if !src.IsValid() {
				src = res.prefsrc
				if !src.IsValid() {
					src = fl.dst
				}
			}
		case !src.IsValid() && res.prefsrc.IsValid():
			src = res.prefsrc
		case !src.IsValid() && fam == unix.AF_INET:
			src = f.selectSrc4(nh.oif, nh.gw, res.scope)
		case !src.IsValid():
			src = f.selectSrc6(nh.oif, fl.dst)
		}
		if src != fl.src {
			out.PrefSrc = src
		}
	}
	body, _ := out.AppendBinary(make([]byte, 0, 128))
	if out.Table > 255 {
		body[4] = unix.RT_TABLE_COMPAT
	}
	return []netlink.Message{{Header: netlink.Header{Type: unix.RTM_NEWROUTE}, Data: body}}, nil
}
