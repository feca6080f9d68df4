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

// routeFlagsOut prints the "flags" array (in JSON [] when there is none).
func routeFlagsOut(o *line, f rtnl.RouteFlags) {
	o.open("flags", '[')
	for _, w := range rtFlagWords {
		if f&w.f != 0 {
			if o.json {
				if o.more {
					o.b = append(o.b, ',')
				}
				o.more = true
				o.b = appendJSONString(o.b, w.word)
			} else {
				o.b = append(o.b, w.word...)
				o.b = append(o.b, ' ')
			}
		}
	}
	o.close(']')
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

// routeFormat prints a route as ip's print_route does, into the env's
// line (e.line): valid until the next record. Each field is one call on
// the line, text and JSON at once.
func routeFormat(ctx context.Context, e *env, r *rtnl.Route, v routeView) *line {
	o := e.line()
	d := e.opts.Details
	if r.Type != rtnl.RouteUnicast || d {
		o.str("type", "", "", e.num(r.Type.String(), uint64(r.Type)))
	}
	switch {
	case !r.Dst.IsValid() || r.Dst.Bits() == 0 && r.Dst.Addr().IsUnspecified():
		o.str("dst", "", "", "default")
	default:
		o.host("dst", "", familyColor(r.Dst.Addr().Is6()), r.Dst)
	}
	if r.Src.IsValid() {
		o.host("from", "from ", "", r.Src)
	}
	if r.NextHopID != 0 {
		o.uint("nhid", "nhid ", uint64(r.NextHopID))
	}
	if x := r.Encap; x != nil {
		o.with("", func(p *printer) { encapOut(p, x.Type, x.Attrs) })
	}
	if r.Tos != 0 && !v.tos {
		o.str("tos", "tos ", "", fmt.Sprintf("0x%02x", r.Tos))
	}
	if !v.via {
		routeGatewayOut(o, r.Family, r.Gateway)
	}
	if r.OutIndex != 0 && !v.dev {
		o.str("dev", "dev ", colorIfname, e.linkName(ctx, r.OutIndex))
	}
	if r.Table != 0 && (r.Table != rtnl.TableMain || d) && !v.table {
		o.str("table", "table ", "", e.num(r.Table.String(), uint64(r.Table)))
	}
	if r.Flags&rtnl.RouteFlagCloned == 0 {
		if (r.Protocol != rtnl.ProtoBoot || d) && !v.proto {
			o.str("protocol", "proto ", "", e.num(r.Protocol.String(), uint64(r.Protocol)))
		}
		if (r.Scope != rtnl.ScopeUniverse || d) && !v.scope {
			o.str("scope", "scope ", "", e.num(r.Scope.String(), uint64(r.Scope)))
		}
	}
	if r.PrefSrc.IsValid() && !v.src {
		o.number("prefsrc", "src ", familyColor(r.PrefSrc.Is6()), r.PrefSrc) // not named with -resolve, as ip
	}
	if r.HasPriority && !v.metric {
		o.uint("metric", "metric ", uint64(r.Priority))
	}
	routeFlagsOut(o, r.Flags)
	if r.Mark != 0 {
		if o.json {
			o.uint("mark", "", uint64(r.Mark))
		} else if r.Mark >= 16 {
			o.b = fmt.Appendf(o.b, "mark 0x%x ", r.Mark)
		} else {
			o.uint("mark", "mark ", uint64(r.Mark))
		}
	}
	if r.Realms != 0 && !v.realms {
		realmsOut(e, o, r.Realms)
	}
	if r.HasUID {
		o.uint("uid", "uid ", uint64(r.UID))
	}
	if r.Family == rtnl.FamilyIPv4 && r.Flags&rtnl.RouteFlagCloned != 0 {
		words := []string{}
		for _, f := range rtCacheFlags {
			if uint32(r.Flags)&f.bit != 0 {
				words = append(words, f.word)
			}
		}
		o.text("\n    cache ")
		if len(words) > 0 {
			o.text("<" + strings.Join(words, ",") + "> ")
		}
		if o.json {
			o.words("cache", words)
		}
	}
	if r.Expires != 0 {
		secs := int64(r.Expires / time.Second)
		if o.json {
			o.key("expires")
			o.b = strconv.AppendInt(o.b, secs, 10)
		} else {
			o.b = fmt.Appendf(o.b, "expires %dsec ", secs)
		}
	}
	if r.Metrics != nil && *r.Metrics != (rtnl.Metrics{}) {
		routeMetricsOut(o, r.Metrics)
	}
	if r.InIndex != 0 {
		n := e.linkName(ctx, r.InIndex)
		if o.json {
			o.str("iif", "", "", n)
		} else {
			o.text("iif " + n + " ")
		}
	}
	if r.HasPref {
		switch r.Pref {
		case rtnl.RoutePrefMedium, rtnl.RoutePrefHigh, rtnl.RoutePrefLow:
			if o.json {
				o.str("pref", "", "", r.Pref.String())
			} else {
				o.text("pref " + r.Pref.String())
			}
		default:
			if o.json {
				o.uint("pref", "", uint64(r.Pref))
			} else {
				o.b = strconv.AppendUint(o.b, uint64(r.Pref), 10)
			}
		}
	}
	if len(r.NextHops) > 0 {
		o.open("nexthops", '[')
		for i := range r.NextHops {
			nh := &r.NextHops[i]
			o.open("", '{')
			o.text("\n\tnexthop ")
			if x := nh.Encap; x != nil {
				o.with("", func(p *printer) { encapOut(p, x.Type, x.Attrs) })
			}
			routeGatewayOut(o, r.Family, nh.Gateway)
			if nh.Realms != 0 {
				realmsOut(e, o, nh.Realms)
			}
			o.str("dev", "dev ", "", e.linkName(ctx, nh.OutIndex))
			o.uint("weight", "weight ", uint64(max(nh.Weight, 1)))
			routeFlagsOut(o, nh.Flags)
			o.close('}')
		}
		o.close(']')
	}
	o.text("\n")
	return o
}

// routeGatewayOut prints a gateway: "gateway" when it is of the route's
// family, "via" {family, host} (RTA_VIA) otherwise.
func routeGatewayOut(o *line, fam rtnl.Family, gw netip.Addr) {
	if !gw.IsValid() {
		return
	}
	if familyOf(gw).rtnl() == fam {
		o.addr("gateway", "via ", familyColor(gw.Is6()), gw)
		return
	}
	gf := familyOf(gw).rtnl().String()
	if o.json {
		o.open("via", '{')
		o.str("family", "", "", gf)
		o.addr("host", "", "", gw)
		o.close('}')
		return
	}
	o.text("via " + gf + " ")
	o.addr("", "", familyColor(gw.Is6()), gw) // coloured as ip
}

// routeMetricsOut prints RTA_METRICS as ip's print_rta_metrics: in RTAX
// order, "lock" in text for locked ones; JSON has them as an array of one
// object.
func routeMetricsOut(o *line, m *rtnl.Metrics) {
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
		o.key("metrics")
		b, _ := appendJSON(o.b, []*jsonObject{mo.obj})
		o.b = b
	} else {
		o.b = append(o.b, mo.b.String()...)
	}
}
