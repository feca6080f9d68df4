package cli

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/nlkit/nlkit/rtnl"
)

// Printing routes, as ip's print_route, for route show, route get and
// monitor.

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
		t := e.num(r.Type.String(), uint64(r.Type))
		o.add("type", t, t+" ")
	}
	dst := "default"
	if r.Dst.IsValid() && (r.Dst.Bits() != 0 || !r.Dst.Addr().IsUnspecified()) {
		dst = rtHost(r.Dst)
	}
	if dst == "default" {
		o.add("dst", dst, dst+" ")
	} else {
		o.add("dst", dst, e.cjoin("", familyColor(r.Dst.Addr().Is6()), dst, " "))
	}
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
	if !v.via {
		routeGatewayOut(o, r.Family, r.Gateway)
	}
	if r.OutIndex != 0 && !v.dev {
		n := e.linkName(ctx, r.OutIndex)
		o.add("dev", n, e.cjoin("dev ", colorIfname, n, " "))
	}
	if r.Table != 0 && (r.Table != rtnl.TableMain || d) && !v.table {
		t := e.num(r.Table.String(), uint64(r.Table))
		o.add("table", t, "table "+t+" ")
	}
	if r.Flags&rtnl.RouteFlagCloned == 0 {
		if (r.Protocol != rtnl.ProtoBoot || d) && !v.proto {
			t := e.num(r.Protocol.String(), uint64(r.Protocol))
			o.add("protocol", t, "proto "+t+" ")
		}
		if (r.Scope != rtnl.ScopeUniverse || d) && !v.scope {
			t := e.num(r.Scope.String(), uint64(r.Scope))
			o.add("scope", t, "scope "+t+" ")
		}
	}
	if r.PrefSrc.IsValid() && !v.src {
		o.add("prefsrc", r.PrefSrc.String(), e.cjoin("src ", familyColor(r.PrefSrc.Is6()), r.PrefSrc.String(), " "))
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
	if r.Realms != 0 && !v.realms {
		realmsOut(e, o, r.Realms)
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
		o.list("nexthops", len(r.NextHops), func(i int, ho *printer) {
			nh := &r.NextHops[i]
			ho.b.WriteString("\n\tnexthop ")
			routeGatewayOut(ho, r.Family, nh.Gateway)
			if nh.Realms != 0 {
				realmsOut(e, ho, nh.Realms)
			}
			n := e.linkName(ctx, nh.OutIndex)
			ho.add("dev", n, "dev "+n+" ")
			ho.add("weight", max(nh.Weight, 1), fmt.Sprintf("weight %d ", max(nh.Weight, 1)))
			routeFlagsOut(ho, nh.Flags)
		})
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
	if familyOf(gw).rtnl() == fam {
		o.add("gateway", gw.String(), "via "+o.paint(familyColor(gw.Is6()), gw.String()+" "))
		return
	}
	gf := familyOf(gw).rtnl().String()
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
	// metric prints one metric, "lock" in text when locked; a time in
	// milliseconds as ip prints it (1.5s, 200ms).
	metric := func(bit uint, name string, v uint32, msec bool) {
		locked := m.Lock&(1<<bit) != 0
		if v == 0 && !locked {
			return
		}
		t := name + " "
		if locked {
			t += "lock "
		}
		switch {
		case msec && v >= 1000:
			t += strconv.FormatFloat(float64(v)/1e3, 'g', -1, 64) + "s "
		case msec:
			t += strconv.FormatUint(uint64(v), 10) + "ms "
		default:
			t += strconv.FormatUint(uint64(v), 10) + " "
		}
		mo.add(name, v, t)
	}
	num := func(bit uint, name string, v uint32) { metric(bit, name, v, false) }
	ms := func(bit uint, name string, v uint32) { metric(bit, name, v, true) }
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
