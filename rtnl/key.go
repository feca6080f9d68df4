package rtnl

import (
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"
)

// Identity of routes, addresses and neighbour entries: what the kernel
// uses to tell two objects of a table apart, so that a program holding a
// copy of a table (Mirror, or a daemon of its own) keys its maps the same
// way and never merges two objects the kernel keeps apart, nor keeps two
// where the kernel has one. The rules below were read in the kernel's
// sources (named in each comment) and checked on Linux 6.18 with ip(8) in
// a throwaway namespace; the key tests repeat those experiments.
//
// Keys are meant for objects as the kernel reports them (dumps and
// notifications). A hand-built object gets the kernel's defaults only
// where a Key method says so.

// RouteKey identifies a route: two routes of one dump never have the same
// key (but see the IPv6 replace quirk below), and a notification about a
// route carries its key. It is comparable and can be a map key. Get it
// from Route.Key.
//
// The exported fields are the route's slot: the routes that share them
// sit side by side in the kernel's table (one IPv4 fib alias list, one
// IPv6 fib6 node and metric), and NLM_F_REPLACE replaces one of them. The
// rest of the identity, which depends on the family, is held unexported;
// String shows it.
//
// IPv4 (net/ipv4/fib_trie.c fib_table_insert, fib_semantics.c
// fib_find_info and fib_nh_match): a table holds, per destination, a list
// of aliases, told apart by rtm_tos, RTA_PRIORITY, rtm_type and the whole
// fib_info: rtm_protocol, rtm_scope, RTA_PREFSRC, RTA_METRICS, the
// rtm_flags given (RTNH_F_ONLINK...), RTA_NH_ID, and the next hops in
// order (RTA_GATEWAY/RTA_VIA, RTA_OIF and RTA_FLOW, or each struct
// rtnexthop of RTA_MULTIPATH with its weight, flags and RTA_FLOW): the
// realms (nh_tclassid) are compared path by path, so routes that differ
// only in their realms, or in the realms of one path, are two routes. So `ip route append` can keep
// routes to one destination that differ only in protocol, scope, source
// or MTU, and a unicast, a blackhole and a prohibit route to it side by
// side. The flags the kernel changes by itself (RTNH_F_DEAD,
// RTNH_F_LINKDOWN, RTNH_F_OFFLOAD, RTNH_F_TRAP, RTM_F_OFFLOAD...) are not
// part of the key. NLM_F_REPLACE replaces the first alias of the slot,
// whatever its type.
//
// IPv6 (net/ipv6/ip6_fib.c fib6_add_rt2node, include/net/ip6_route.h
// rt6_duplicate_nexthop and rt6_qualify_for_ecmp): a table holds a node per
// destination and source prefix (RTA_DST, RTA_SRC), and in it entries per
// metric (RTA_PRIORITY). Entries with the same metric are told apart by
// their next hop only: output device (RTA_OIF) and gateway (RTA_GATEWAY),
// or nexthop object (RTA_NH_ID); rtm_type and rtm_protocol do not count
// (an unreachable and a blackhole route, both of which the kernel puts
// through lo, are the same entry, as are a local and a unicast route
// through one link: the second is refused with EEXIST). Every link has
// its own fe80::/64 in table main and ff00::/8 in table local, all with
// metric 256, told apart by RTA_OIF. Entries with a gateway (other than the kernel's
// router-advertisement routes, RTF_ADDRCONF, reported with protocol ra,
// and those using a nexthop object) qualify for ECMP: all of them with one
// metric in one node form one multipath route, reported with
// RTA_MULTIPATH (a single one with RTA_GATEWAY). Their key is that of the
// group, whatever its paths, so that it does not change when a path is
// added or removed; a Route with NextHops, or with a Gateway and a
// protocol other than ra, has it. A caveat: a route added by hand with
// protocol ra does join a group (the kernel checks RTF_ADDRCONF, which
// netlink does not show), while its key alone says it does not.
//
// Notifications of IPv6 multipath changes may describe part of the group:
// removing one path sends RTM_DELROUTE with that path only, under the
// group's key; so compare NextHops before deleting by key. Adding a path
// sends the whole group, starting with the new path rather than in the
// order of a dump.
//
// A kernel quirk: an IPv6 NLM_F_REPLACE does not check for duplicates, so
// replacing a device route where several share the slot can leave two
// entries with the same device and so the same key (`ip -6 route append
// X dev a; ip -6 route append X dev b; ip -6 route replace X dev b`
// leaves two "X dev b" on Linux 6.18). Mirror keeps both. And an IPv6
// NLM_F_REPLACE with RTA_MULTIPATH removes, besides the entry it replaces,
// the entries that follow it at that metric, whatever their key; its
// notification does not say so. And an IPv6 dump skips the entries that
// sit, in the kernel's list, between the paths of a multipath route (a
// route appended to the slot before paths joined the group there): they
// exist, but dumps show them only once the group is gone.
//
// Not part of the key, because Route does not decode it: RTA_ENCAP
// (lightweight tunnels; IPv4 and IPv6 tell routes apart by it too).
type RouteKey struct {
	Family   Family       // rtm_family
	Table    Table        // RTA_TABLE (rtm_table)
	Dst      netip.Prefix // RTA_DST and rtm_dst_len, masked
	Src      netip.Prefix // RTA_SRC and rtm_src_len (IPv6 source-specific routes)
	Tos      uint8        // rtm_tos (IPv4)
	Priority uint32       // RTA_PRIORITY, the metric

	// id is the rest of the identity, canonically encoded (see Key).
	id string
}

// String formats k for people: the slot, then the rest of the identity
// in the words of Route.String.
func (k RouteKey) String() string {
	var b strings.Builder
	b.WriteString(k.Family.String())
	b.WriteByte(' ')
	b.WriteString(k.Dst.String())
	if k.Src.IsValid() {
		b.WriteString(" from ")
		b.WriteString(k.Src.String())
	}
	b.WriteString(" table ")
	b.WriteString(k.Table.String())
	if k.Tos != 0 {
		b.WriteString(" tos ")
		b.WriteString(strconv.Itoa(int(k.Tos)))
	}
	b.WriteString(" metric ")
	b.WriteString(strconv.FormatUint(uint64(k.Priority), 10))
	if k.id != "" {
		b.WriteByte(' ')
		b.WriteString(k.id)
	}
	return b.String()
}

// slot is k without the rest of its identity: the routes an NLM_F_REPLACE
// of k may replace.
func (k RouteKey) slot() RouteKey {
	k.id = ""
	return k
}

// ecmpGroup reports whether k is the key of an IPv6 multipath group (or of
// a single route that would join one).
func (k RouteKey) ecmpGroup() bool { return k.id == routeIDGroup }

// routeIDGroup is the identity of an IPv6 ECMP group within its slot.
const routeIDGroup = "multipath"

// volatileRouteFlags are the flags the kernel sets and clears by itself
// (link state, hardware offload), which do not tell routes apart
// (RTNH_COMPARE_MASK and the RTM_F_* offload flags).
const volatileRouteFlags = RouteFlagDead | RouteFlagLinkDown | RouteFlagOffload | RouteFlagTrap |
	RouteFlagRTOffload | RouteFlagRTTrap | RouteFlagOffloadFailed

// Key returns r's identity (see RouteKey). For a hand-built route, Family
// comes from Dst when zero, Table zero means TableMain, Dst is masked, and
// (IPv4) Type zero means RouteUnicast, as the operations that change
// routes do; the other kernel defaults (the IPv6 metric 1024, the IPv4
// scope) are not applied.
func (r Route) Key() RouteKey { return keyOfRoute(&r) }

// keyOfRoute is Route.Key without copying the route.
func keyOfRoute(r *Route) RouteKey {
	k := RouteKey{Family: r.Family, Table: r.Table, Dst: r.Dst.Masked(), Src: r.Src.Masked(), Tos: r.Tos, Priority: r.Priority}
	if k.Family == FamilyUnspec {
		k.Family = routeAddrFamily(r.Dst.Addr())
	}
	if k.Table == TableUnspec {
		k.Table = TableMain
	}
	if k.Family == FamilyIPv6 {
		k.id = routeID6(r)
	} else {
		k.id = routeID4(r)
	}
	return k
}

// routeID6 is the identity of an IPv6 route within its slot
// (rt6_duplicate_nexthop, rt6_qualify_for_ecmp).
func routeID6(r *Route) string {
	switch {
	case r.NextHopID != 0:
		return "nhid " + strconv.FormatUint(uint64(r.NextHopID), 10)
	case len(r.NextHops) > 0 || r.Gateway.IsValid() && r.Protocol != ProtoRA:
		return routeIDGroup
	}
	b := make([]byte, 0, 64)
	b = append(b, "dev "...)
	b = strconv.AppendInt(b, int64(r.OutIndex), 10)
	if r.Gateway.IsValid() {
		b = append(b, " via "...)
		b = r.Gateway.AppendTo(b)
	}
	b = appendEncapID(b, r.Encap) // rt6_duplicate_nexthop: lwtunnel_cmp_encap
	return string(b)
}

// appendEncapID appends an encapsulation to an identity (the kernel
// compares them as bytes: lwtunnel_cmp_encap).
func appendEncapID(b []byte, x *RouteEncap) []byte {
	if x == nil {
		return b
	}
	b = append(b, " encap "...)
	b = strconv.AppendUint(b, uint64(x.Type), 10)
	b = append(b, ' ')
	return hex.AppendEncode(b, x.Attrs)
}

// routeID4 is the identity of an IPv4 route (or one of another family)
// within its slot: its type and fib_info (fib_find_info, fib_nh_match).
func routeID4(r *Route) string {
	typ := r.Type
	if typ == RouteUnspec {
		typ = RouteUnicast
	}
	b := make([]byte, 0, 96)
	b = append(b, typ.String()...)
	b = append(b, " proto "...)
	b = strconv.AppendUint(b, uint64(r.Protocol), 10)
	b = append(b, " scope "...)
	b = strconv.AppendUint(b, uint64(r.Scope), 10)
	if r.PrefSrc.IsValid() {
		b = append(b, " src "...)
		b = r.PrefSrc.AppendTo(b)
	}
	if f := r.Flags &^ volatileRouteFlags; f != 0 {
		b = append(b, " flags "...)
		b = strconv.AppendUint(b, uint64(f), 16)
	}
	if r.NextHopID != 0 {
		b = append(b, " nhid "...)
		b = strconv.AppendUint(b, uint64(r.NextHopID), 10)
	}
	if r.Gateway.IsValid() {
		b = append(b, " via "...)
		b = r.Gateway.AppendTo(b)
	}
	if r.OutIndex != 0 {
		b = append(b, " dev "...)
		b = strconv.AppendInt(b, int64(r.OutIndex), 10)
	}
	if r.Realms != 0 && len(r.NextHops) == 0 {
		b = appendRealmsID(b, r.Realms)
	}
	if len(r.NextHops) == 0 {
		b = appendEncapID(b, r.Encap)
	}
	for _, nh := range r.NextHops {
		b = append(b, " nexthop"...)
		if nh.Gateway.IsValid() {
			b = append(b, " via "...)
			b = nh.Gateway.AppendTo(b)
		}
		b = append(b, " dev "...)
		b = strconv.AppendInt(b, int64(nh.OutIndex), 10)
		b = append(b, " weight "...)
		b = strconv.AppendInt(b, int64(max(nh.Weight, 1)), 10)
		if f := nh.Flags &^ volatileRouteFlags; f != 0 {
			b = append(b, " flags "...)
			b = strconv.AppendUint(b, uint64(f), 16)
		}
		if nh.Realms != 0 {
			b = appendRealmsID(b, nh.Realms)
		}
		b = appendEncapID(b, nh.Encap)
	}
	if r.Metrics != nil && *r.Metrics != (Metrics{}) {
		b = append(b, " metrics"...)
		m := *r.Metrics
		for _, f := range m.fields() {
			if *f.v != 0 {
				b = append(b, ' ')
				b = strconv.AppendUint(b, uint64(f.typ), 10)
				b = append(b, '=')
				b = strconv.AppendUint(b, uint64(*f.v), 10)
			}
		}
		if m.CCAlgo != "" {
			b = append(b, " cc="...)
			b = strconv.AppendQuote(b, m.CCAlgo)
		}
	}
	return string(b)
}

// appendRealmsID appends realms to a route's identity as " realms
// FROM/TO".
func appendRealmsID(b []byte, realms uint32) []byte {
	from, to := RealmsSplit(realms)
	b = append(b, " realms "...)
	b = strconv.AppendUint(b, uint64(from), 10)
	b = append(b, '/')
	return strconv.AppendUint(b, uint64(to), 10)
}

// routePath is one path of a route: its output link and gateway, what
// tells IPv6 entries of one slot apart.
type routePath struct {
	oif int32
	gw  netip.Addr
}

// routePaths returns the paths of r: each next hop of a multipath route,
// or its own gateway and link.
func routePaths(r *Route) []routePath {
	if len(r.NextHops) == 0 {
		return []routePath{{r.OutIndex, r.Gateway}}
	}
	ps := make([]routePath, len(r.NextHops))
	for i, nh := range r.NextHops {
		ps[i] = routePath{nh.OutIndex, nh.Gateway}
	}
	return ps
}

// AddressKey identifies an address: two addresses of one dump never have
// the same key, and a notification about an address carries its key. It
// is comparable and can be a map key. Get it from Address.Key.
//
// IPv4 (net/ipv4/devinet.c find_matching_ifa): the link (ifa_index), the
// local address (IFA_LOCAL), the prefix length (ifa_prefixlen) and
// IFA_ADDRESS (the peer, or the local address again) under the mask. So
// 198.18.0.1/24 and 198.18.0.1/25 are two addresses of one link, while
// "198.18.0.1 peer 198.18.9.1/24" and "198.18.0.1 peer 198.18.9.2/24" are
// one (the second is refused with EEXIST). The label (IFA_LABEL) does not
// count.
//
// IPv6 (net/ipv6/addrconf.c ipv6_add_addr_hash, ipv6_chk_same_addr): the
// link and the address only. Neither the prefix length nor the peer
// counts: adding 2001:db8::1/80 where 2001:db8::1/64 is gives EEXIST, and
// NLM_F_REPLACE changes the peer of the one address.
type AddressKey struct {
	Family Family     // ifa_family
	Index  int32      // ifa_index
	Addr   netip.Addr // IFA_LOCAL (IFA_ADDRESS when there is no IFA_LOCAL)
	// Subnet is, for IPv4, IFA_ADDRESS (Address.Peer, or the address
	// itself when there is no peer) with ifa_prefixlen, masked; the zero
	// Prefix for IPv6.
	Subnet netip.Prefix
}

// String formats k for people: "inet 198.18.0.1 198.18.0.0/24 dev #3".
func (k AddressKey) String() string {
	s := k.Family.String() + " " + k.Addr.String()
	if k.Subnet.IsValid() {
		s += " " + k.Subnet.String()
	}
	return s + " dev #" + strconv.Itoa(int(k.Index))
}

// Key returns a's identity (see AddressKey). Family comes from Prefix when
// zero.
func (a Address) Key() AddressKey { return keyOfAddress(&a) }

func keyOfAddress(a *Address) AddressKey {
	k := AddressKey{Family: a.Family, Index: a.Index, Addr: a.Prefix.Addr()}
	if k.Family == FamilyUnspec {
		k.Family = routeAddrFamily(k.Addr)
	}
	if k.Family == FamilyIPv4 && a.Prefix.IsValid() {
		sub := a.Prefix
		if a.Peer.IsValid() {
			sub = netip.PrefixFrom(a.Peer.Addr(), a.Prefix.Bits())
		}
		k.Subnet = sub.Masked()
	}
	return k
}

// NeighborKey identifies a neighbour entry: two entries of one dump never
// have the same key, and a notification about an entry carries its key.
// It is comparable and can be a map key. Get it from Neighbor.Key.
//
// IPv4 and IPv6 (net/core/neighbour.c neigh_lookup, pneigh_lookup): the
// family (ndm_family), the link (ndm_ifindex) and the address (NDA_DST),
// in one of two tables: the neighbour table, or the proxy table (ndm_flags
// NTF_PROXY, `ip neigh add proxy`), whose entries may have no link (index
// 0). An address has at most one entry per link in each.
//
// Bridge forwarding entries (AF_BRIDGE, `bridge fdb`) are told apart by
// link, link-layer address (NDA_LLADDR), VLAN (NDA_VLAN) and the master
// and self flags; Neighbor decodes neither NDA_VLAN nor NDA_MASTER, so
// their key holds the link-layer address and flags only, and entries that
// differ only in VLAN share it.
type NeighborKey struct {
	Family Family     // ndm_family
	Index  int32      // ndm_ifindex
	Addr   netip.Addr // NDA_DST
	Proxy  bool       // NTF_PROXY: an entry of the proxy table

	// fdb is, for families other than IPv4 and IPv6, the link-layer
	// address and the NTF_SELF and NTF_MASTER flags.
	fdb string
}

// String formats k for people: "inet6 2001:db8::1 dev #3", with "proxy".
func (k NeighborKey) String() string {
	s := k.Family.String()
	if k.Addr.IsValid() {
		s += " " + k.Addr.String()
	}
	if k.fdb != "" {
		s += " " + k.fdb
	}
	s += " dev #" + strconv.Itoa(int(k.Index))
	if k.Proxy {
		s += " proxy"
	}
	return s
}

// Key returns n's identity (see NeighborKey). Family comes from Addr when
// zero.
func (n Neighbor) Key() NeighborKey { return keyOfNeighbor(&n) }

func keyOfNeighbor(n *Neighbor) NeighborKey {
	k := NeighborKey{Family: n.Family, Index: n.Index, Addr: n.Addr, Proxy: n.Flags&NeighborProxy != 0}
	if k.Family == FamilyUnspec {
		k.Family = routeAddrFamily(n.Addr)
	}
	if k.Family != FamilyIPv4 && k.Family != FamilyIPv6 {
		k.fdb = n.LinkAddr.String()
		if f := n.Flags & (NeighborSelf | NeighborMaster); f != 0 {
			k.fdb += " " + f.String()
		}
	}
	return k
}
