//go:build linux

package rtnl

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// Helpers of the route and rule tests carry the prefix "rt" so they cannot
// clash with other tests of the package.

// rtEnv is a throwaway namespace with two veth pairs, up, addressed:
// veth0 198.18.0.1/24 and 2001:db8:1::1/64, veth2 198.18.2.1/24 and
// 2001:db8:2::1/64. Their peers veth1 and veth3 have no addresses, so that
// gateways on those subnets (.2, ::2...) are not local addresses.
type rtEnv struct {
	ns     *netns.NS
	name   string // set for a named namespace
	c      *Conn
	idx    map[string]int32
	v0, v2 int32 // indexes of veth0 and veth2
}

func rtSetup(t *testing.T, named bool) *rtEnv {
	t.Helper()
	env := &rtEnv{}
	if named {
		env.ns, env.name = kerneltest.NamedNetNS(t)
	} else {
		env.ns = kerneltest.NetNS(t)
	}
	// One batch of ip commands keeps process starts down.
	script := `link add veth0 type veth peer name veth1
link add veth2 type veth peer name veth3
link set veth0 up
link set veth1 up
link set veth2 up
link set veth3 up
addr add 198.18.0.1/24 dev veth0
addr add 198.18.2.1/24 dev veth2
addr add 2001:db8:1::1/64 dev veth0 nodad
addr add 2001:db8:2::1/64 dev veth2 nodad
`
	rtBatch(t, env.ns, script)
	env.idx = testLinkIndexes(t, env.ns)
	env.v0, env.v2 = env.idx["veth0"], env.idx["veth2"]
	env.c = testDial(t, env.ns)
	return env
}

// rtBatch runs `ip [opts] -batch -` on script inside ns.
func rtBatch(t *testing.T, ns *netns.NS, script string, opts ...string) {
	t.Helper()
	kerneltest.Run(t, ns, "sh", "-c", "ip "+strings.Join(opts, " ")+" -batch - <<'EOF'\n"+script+"EOF\n")
}

// rtRoutes collects the routes matching f.
func rtRoutes(t *testing.T, c *Conn, f RouteFilter) []Route {
	t.Helper()
	return testList(t, c.Routes, f, "Routes")
}

// rtFind returns the routes to dst in table tbl.
func rtFind(t *testing.T, c *Conn, tbl Table, dst netip.Prefix) []Route {
	t.Helper()
	var out []Route
	for _, r := range rtRoutes(t, c, RouteFilter{Family: routeAddrFamily(dst.Addr()), Table: tbl}) {
		if r.Dst == dst {
			out = append(out, r)
		}
	}
	return out
}

// rtKernelView returns r as the kernel reports it: with its scope
// (HasScope), RTA_PRIORITY for IPv6 routes and non-zero IPv4 metrics,
// RTA_PREF for IPv6 routes (medium unless set).
func rtKernelView(r Route) Route {
	r.HasScope = true
	r.HasPriority = r.HasPriority || r.Priority != 0 || r.Family == FamilyIPv6
	r.HasPref = r.HasPref || r.Family == FamilyIPv6
	return r
}

// rtReadBack asserts that exactly want is in the kernel for want.Dst.
func rtReadBack(t *testing.T, c *Conn, want ...Route) {
	t.Helper()
	want = slices.Clone(want)
	for i := range want {
		want[i] = rtKernelView(want[i])
	}
	got := rtFind(t, c, want[0].Table, want[0].Dst)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %v:\n got %s\nwant %s", want[0].Dst, rtDescribe(got), rtDescribe(want))
	}
}

func rtDescribe(rs []Route) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "\n\t%+v", r)
	}
	if len(rs) == 0 {
		b.WriteString("(none)")
	}
	return b.String()
}

func rtPfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func rtIP(s string) netip.Addr    { return netip.MustParseAddr(s) }

// rtFamilies runs f for IPv4 and IPv6 with the family's test addresses.
type rtFam struct {
	name     string
	fam      Family
	p        func(n int) netip.Prefix // a /24 or /64 numbered n
	host     func(n int) netip.Addr   // an address in prefix n
	gw, gw2  netip.Addr               // gateways on veth0
	gw3      netip.Addr               // gateway on veth2
	local    netip.Addr               // veth0's own address
	def      netip.Prefix             // the default route
	metricIf uint32                   // the metric the kernel gives a route added without one
}

var rtFams = []rtFam{
	{
		name: "IPv4", fam: FamilyIPv4,
		p:    func(n int) netip.Prefix { return rtPfx(fmt.Sprintf("198.19.%d.0/24", n)) },
		host: func(n int) netip.Addr { return rtIP(fmt.Sprintf("198.19.%d.1", n)) },
		gw:   rtIP("198.18.0.2"), gw2: rtIP("198.18.0.3"), gw3: rtIP("198.18.2.2"), local: rtIP("198.18.0.1"),
		def: rtPfx("0.0.0.0/0"), metricIf: 0,
	},
	{
		name: "IPv6", fam: FamilyIPv6,
		p:    func(n int) netip.Prefix { return rtPfx(fmt.Sprintf("2001:db8:%x::/64", 0x100+n)) },
		host: func(n int) netip.Addr { return rtIP(fmt.Sprintf("2001:db8:%x::1", 0x100+n)) },
		gw:   rtIP("2001:db8:1::2"), gw2: rtIP("2001:db8:1::3"), gw3: rtIP("2001:db8:2::2"), local: rtIP("2001:db8:1::1"),
		def: rtPfx("::/0"), metricIf: 1024,
	},
}

func TestRouteLifecycle(t *testing.T) {
	for _, f := range rtFams {
		t.Run(f.name, func(t *testing.T) {
			env := rtSetup(t, false)
			c, ctx := env.c, t.Context()
			want := Route{Family: f.fam, Dst: f.p(1), Table: TableMain, Protocol: ProtoStatic, Type: RouteUnicast,
				Gateway: f.gw, OutIndex: env.v0, Priority: 10}
			if err := c.AddRoute(ctx, want); err != nil {
				t.Fatalf("AddRoute: %v", err)
			}
			rtReadBack(t, c, want)

			// Twice: EEXIST.
			err := c.AddRoute(ctx, want)
			testKernelError(t, err, "add route "+f.p(1).String()+" metric 10: file exists", syscall.EEXIST)
			if !errors.Is(err, fs.ErrExist) {
				t.Errorf("errors.Is(%v, fs.ErrExist) = false", err)
			}

			// Replace: new gateway and metrics, same destination and metric.
			want.Gateway = f.gw2
			want.Metrics = &Metrics{MTU: 1400, AdvMSS: 1300}
			if err := c.ReplaceRoute(ctx, want); err != nil {
				t.Fatalf("ReplaceRoute: %v", err)
			}
			rtReadBack(t, c, want)

			// Change: replace only.
			want.Protocol = ProtoBGP
			want.Metrics = &Metrics{MTU: 1300, HopLimit: 9, InitCwnd: 20}
			if err := c.ChangeRoute(ctx, want); err != nil {
				t.Fatalf("ChangeRoute: %v", err)
			}
			rtReadBack(t, c, want)
			missing := want
			missing.Dst = f.p(2)
			testKernelError(t, c.ChangeRoute(ctx, missing), "change route", syscall.ENOENT)
			if got := rtFind(t, c, TableMain, f.p(2)); len(got) != 0 {
				t.Errorf("ChangeRoute of a missing route created %v", rtDescribe(got))
			}

			// Append: IPv4 gets an alternative route, IPv6 a second path.
			alt := want
			alt.Gateway, alt.Metrics = f.gw, nil
			if err := c.AppendRoute(ctx, alt); err != nil {
				t.Fatalf("AppendRoute: %v", err)
			}
			if f.fam == FamilyIPv4 {
				rtReadBack(t, c, want, alt)
			} else {
				mp := want
				mp.Gateway, mp.OutIndex = netip.Addr{}, 0
				mp.NextHops = []NextHop{{Gateway: f.gw2, OutIndex: env.v0, Weight: 1}, {Gateway: f.gw, OutIndex: env.v0, Weight: 1}}
				rtReadBack(t, c, mp)
				if err := c.DeleteRoute(ctx, Route{Dst: f.p(1), Gateway: f.gw, OutIndex: env.v0}); err != nil {
					t.Fatalf("DeleteRoute of one path: %v", err)
				}
				rtReadBack(t, c, want)
			}

			// Delete by destination only removes the first one.
			if err := c.DeleteRoute(ctx, Route{Dst: f.p(1)}); err != nil {
				t.Fatalf("DeleteRoute: %v", err)
			}
			if f.fam == FamilyIPv4 {
				rtReadBack(t, c, alt)
				if err := c.DeleteRoute(ctx, alt); err != nil {
					t.Fatalf("DeleteRoute(read-back route): %v", err)
				}
			}
			if got := rtFind(t, c, TableMain, f.p(1)); len(got) != 0 {
				t.Fatalf("after delete: %v", rtDescribe(got))
			}
			testKernelError(t, c.DeleteRoute(ctx, Route{Dst: f.p(1)}), "delete route", syscall.ESRCH)
		})
	}
}

func TestRouteDefault(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	for _, f := range rtFams {
		want := Route{Family: f.fam, Dst: f.def, Table: TableMain, Protocol: ProtoBoot, Type: RouteUnicast,
			Gateway: f.gw, OutIndex: env.v0, Priority: f.metricIf}
		if err := c.AddRoute(ctx, Route{Dst: f.def, Gateway: f.gw, Protocol: ProtoBoot}); err != nil {
			t.Fatalf("%s: AddRoute(default): %v", f.name, err)
		}
		rtReadBack(t, c, want)
		got, err := c.LookupRoute(ctx, RouteQuery{Dst: f.host(99)})
		if err != nil {
			t.Fatalf("%s: LookupRoute: %v", f.name, err)
		}
		if got.Gateway != f.gw || got.Dst != netip.PrefixFrom(f.host(99), f.host(99).BitLen()) {
			t.Errorf("%s: LookupRoute through default = %v", f.name, got)
		}
		if err := c.DeleteRoute(ctx, Route{Dst: f.def}); err != nil {
			t.Fatalf("%s: DeleteRoute(default): %v", f.name, err)
		}
		// IPv6 says ENOENT for a missing default route (ESRCH for others).
		missing := syscall.ESRCH
		if f.fam == FamilyIPv6 {
			missing = syscall.ENOENT
		}
		testKernelError(t, c.DeleteRoute(ctx, Route{Dst: f.def}), "delete route", missing)
	}
	// The default route is never implied.
	if err := c.AddRoute(ctx, Route{Gateway: rtIP("198.18.0.2")}); err == nil || !strings.Contains(err.Error(), "Dst") {
		t.Errorf("AddRoute without Dst: %v, want an error about Dst", err)
	}
}

func TestRouteTypes(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	for _, f := range rtFams {
		for i, typ := range []RouteType{RouteBlackhole, RouteUnreachable, RouteProhibit, RouteThrow} {
			r := Route{Dst: f.p(10 + i), Type: typ, Table: 1000, Priority: 5}
			if err := c.AddRoute(ctx, r); err != nil {
				t.Fatalf("%s: AddRoute(%v): %v", f.name, typ, err)
			}
			want := r
			want.Family = f.fam
			if f.fam == FamilyIPv6 {
				// The kernel puts IPv6 reject routes on lo, and
				// records protocol 0 as boot.
				want.OutIndex = env.idx["lo"]
				want.Protocol = ProtoBoot
			}
			rtReadBack(t, c, want)
		}
		// A local route, in the local table, of scope host (chosen for IPv4).
		r := Route{Dst: netip.PrefixFrom(f.host(20), f.host(20).BitLen()), Type: RouteLocal, Table: TableLocal, OutIndex: env.v0, Protocol: ProtoStatic}
		if err := c.AddRoute(ctx, r); err != nil {
			t.Fatalf("%s: AddRoute(local): %v", f.name, err)
		}
		want := r
		want.Family = f.fam
		if f.fam == FamilyIPv4 {
			want.Scope = ScopeHost
		} else {
			want.Priority = 1024
		}
		rtReadBack(t, c, want)
		if err := c.DeleteRoute(ctx, Route{Dst: r.Dst, Type: RouteLocal, Table: TableLocal}); err != nil {
			t.Fatalf("%s: DeleteRoute(local): %v", f.name, err)
		}
	}
	// Table 1000 is carried in RTA_TABLE: rtm_table says RT_TABLE_COMPAT.
	for m, err := range c.Netlink().Dump(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE},
		Data: RouteFilter{Family: FamilyIPv4, Table: 1000}.request()}) {
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Type == unix.RTM_NEWROUTE && Table(m.Data[4]) != TableCompat {
			t.Errorf("rtm_table = %d, want %d", m.Data[4], TableCompat)
		}
	}
}

func TestRouteOnLinkAndMetrics(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	// IPv4: a gateway outside veth0's subnet, forced on link.
	on := Route{Family: FamilyIPv4, Dst: rtPfx("198.19.30.0/24"), Table: TableMain, Type: RouteUnicast, Protocol: ProtoStatic,
		Gateway: rtIP("198.18.77.1"), OutIndex: env.v0, Flags: RouteFlagOnLink, Priority: 300,
		Metrics: &Metrics{MTU: 1400, AdvMSS: 1300, Window: 65535, RTT: 80, RTTVar: 40, HopLimit: 32, InitCwnd: 10,
			InitRwnd: 20, RTOMin: 50, QuickAck: 1, Lock: 1 << unix.RTAX_MTU, CCAlgo: "reno"}}
	if err := c.AddRoute(ctx, on); err != nil {
		t.Fatalf("AddRoute(onlink): %v", err)
	}
	rtReadBack(t, c, on)
	// Without onlink the same gateway is unreachable.
	off := on
	off.Dst, off.Flags = rtPfx("198.19.31.0/24"), 0
	ne := testKernelError(t, c.AddRoute(ctx, off), "add route", syscall.ENETUNREACH)
	if ne.Message == "" {
		t.Errorf("no extended-ACK message in %v", ne)
	}
	// IPv6 onlink.
	on6 := Route{Family: FamilyIPv6, Dst: rtPfx("2001:db8:130::/64"), Table: TableMain, Type: RouteUnicast, Protocol: ProtoStatic,
		Gateway: rtIP("2001:db8:77::1"), OutIndex: env.v0, Flags: RouteFlagOnLink, Priority: 1024,
		Metrics: &Metrics{MTU: 1400, AdvMSS: 1300, HopLimit: 32}}
	if err := c.AddRoute(ctx, on6); err != nil {
		t.Fatalf("AddRoute(onlink IPv6): %v", err)
	}
	rtReadBack(t, c, on6)
}

func TestRouteMultipath(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	for _, f := range rtFams {
		want := Route{Family: f.fam, Dst: f.p(40), Table: TableMain, Type: RouteUnicast, Protocol: ProtoStatic,
			Priority: f.metricIf + 1,
			NextHops: []NextHop{{Gateway: f.gw, OutIndex: env.v0, Weight: 3}, {Gateway: f.gw3, OutIndex: env.v2, Weight: 1},
				{Gateway: f.gw2, OutIndex: env.v0, Weight: 256}}}
		if err := c.AddRoute(ctx, want); err != nil {
			t.Fatalf("%s: AddRoute(multipath): %v", f.name, err)
		}
		rtReadBack(t, c, want)
		// The filter by link finds it through any path.
		found := false
		for _, r := range rtRoutes(t, c, RouteFilter{Family: f.fam, OutIndex: env.v2}) {
			found = found || r.Dst == want.Dst
		}
		if !found {
			t.Errorf("%s: Routes(OutIndex veth2) misses the multipath route", f.name)
		}
		// Replace with two paths.
		want.NextHops = want.NextHops[:2]
		want.NextHops[0].Weight = 7
		if err := c.ReplaceRoute(ctx, want); err != nil {
			t.Fatalf("%s: ReplaceRoute(multipath): %v", f.name, err)
		}
		rtReadBack(t, c, want)
		if err := c.DeleteRoute(ctx, want); err != nil {
			t.Fatalf("%s: DeleteRoute(multipath): %v", f.name, err)
		}
		if got := rtFind(t, c, TableMain, want.Dst); len(got) != 0 {
			t.Errorf("%s: after delete: %v", f.name, rtDescribe(got))
		}
	}
	// A weight out of range never reaches the kernel.
	bad := Route{Dst: rtPfx("198.19.41.0/24"), NextHops: []NextHop{{Gateway: rtIP("198.18.0.2"), Weight: 257}}}
	if err := c.AddRoute(ctx, bad); err == nil || !strings.Contains(err.Error(), "weight") {
		t.Errorf("AddRoute(weight 257) = %v, want a weight error", err)
	}
}

func TestRouteViaIPv6Gateway(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	want := Route{Family: FamilyIPv4, Dst: rtPfx("198.19.50.0/24"), Table: TableMain, Type: RouteUnicast, Protocol: ProtoStatic,
		Gateway: rtIP("2001:db8:1::2"), OutIndex: env.v0}
	if err := c.AddRoute(ctx, want); err != nil {
		t.Fatalf("AddRoute(via inet6): %v", err)
	}
	rtReadBack(t, c, want)
	// In a multipath route too.
	mp := Route{Family: FamilyIPv4, Dst: rtPfx("198.19.51.0/24"), Table: TableMain, Type: RouteUnicast, Protocol: ProtoStatic,
		NextHops: []NextHop{{Gateway: rtIP("2001:db8:1::2"), OutIndex: env.v0, Weight: 1}, {Gateway: rtIP("198.18.2.2"), OutIndex: env.v2, Weight: 2}}}
	if err := c.AddRoute(ctx, mp); err != nil {
		t.Fatalf("AddRoute(multipath via inet6): %v", err)
	}
	rtReadBack(t, c, mp)
	out := kerneltest.Run(t, env.ns, "ip", "-j", "route", "show", "198.19.50.0/24")
	if !strings.Contains(string(out), `"via":{"family":"inet6","host":"2001:db8:1::2"}`) {
		t.Errorf("ip -j route show: %s", out)
	}
}

func TestRouteErrors(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	for _, f := range rtFams {
		// A gateway with no route to it.
		unreach := rtIP("198.18.99.1")
		want := syscall.ENETUNREACH
		if f.fam == FamilyIPv6 {
			unreach = rtIP("2001:db8:99::1")
			want = syscall.EHOSTUNREACH
		}
		ne := testKernelError(t, c.AddRoute(ctx, Route{Dst: f.p(60), Gateway: unreach}), "add route", want)
		if f.fam == FamilyIPv4 && ne.Message == "" {
			// IPv6 gives no message for this one.
			t.Errorf("%s: unreachable gateway: no extended-ACK message in %v", f.name, ne)
		}
		// Invalid: host bits set in an IPv4 destination (IPv6 clears
		// them), a local address as IPv6 gateway.
		bad := Route{Dst: netip.PrefixFrom(f.host(61), 24), OutIndex: env.v0}
		if f.fam == FamilyIPv6 {
			bad = Route{Dst: f.p(61), Gateway: f.local}
		}
		ne = testKernelError(t, c.AddRoute(ctx, bad), "add route", syscall.EINVAL)
		if ne.Message == "" {
			t.Errorf("%s: %v: no extended-ACK message in %v", f.name, bad, ne)
		}
		// A link that does not exist.
		testKernelError(t, c.AddRoute(ctx, Route{Dst: f.p(62), OutIndex: 9999}), "add route", syscall.ENODEV)
		// Listing through a link that does not exist.
		_, err := netlink.Collect(c.Routes(ctx, RouteFilter{Family: f.fam, OutIndex: 9999}))
		testKernelError(t, err, "list routes", syscall.ENODEV)
		// Listing a table that does not exist.
		_, err = netlink.Collect(c.Routes(ctx, RouteFilter{Family: f.fam, Table: 4242}))
		ne = testKernelError(t, err, "list routes", syscall.ENOENT)
		if !strings.Contains(ne.Message, "table") {
			t.Errorf("%s: missing table: message %q", f.name, ne.Message)
		}
	}
	// Without a family, missing tables are just empty.
	if rs := rtRoutes(t, c, RouteFilter{Table: 4242}); len(rs) != 0 {
		t.Errorf("Routes(Table 4242) = %v", rtDescribe(rs))
	}
}

func TestRouteFilter(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	var all []Route
	for i, f := range rtFams {
		for j := range 8 {
			r := Route{Family: f.fam, Dst: f.p(70 + j), Table: Table(1000 + j%2), Type: RouteUnicast, Protocol: ProtoStatic,
				Gateway: f.gw, OutIndex: env.v0, Priority: uint32(f.metricIf + 1)}
			if j%4 >= 2 {
				r.Protocol = ProtoBGP
			}
			if j >= 4 {
				r.Gateway, r.OutIndex = f.gw3, env.v2
			}
			if j == 7 {
				r.Type, r.Gateway, r.OutIndex = RouteBlackhole, netip.Addr{}, 0
				if i == 1 {
					r.OutIndex = env.idx["lo"]
				}
			}
			all = append(all, r)
		}
	}
	for _, r := range all {
		if err := c.AddRoute(ctx, r); err != nil {
			t.Fatalf("AddRoute(%v): %v", r, err)
		}
	}
	for _, flt := range []RouteFilter{
		{Table: 1000}, {Table: 1001}, {Family: FamilyIPv4, Table: 1000}, {Family: FamilyIPv6, Table: 1001},
		{Table: 1000, Protocol: ProtoBGP}, {Protocol: ProtoBGP}, {Family: FamilyIPv6, Protocol: ProtoBGP},
		{Table: 1001, OutIndex: env.v2}, {Family: FamilyIPv4, Table: 1000, OutIndex: env.v0},
		{Type: RouteBlackhole}, {Family: FamilyIPv6, Type: RouteBlackhole, Table: 1001},
	} {
		var want []Route
		for _, r := range all {
			if flt.match(&r) {
				want = append(want, rtKernelView(r))
			}
		}
		got := rtRoutes(t, c, flt)
		if flt.Table == 0 {
			// Other tables have routes of these protocols and types too:
			// only look at the test's tables.
			got = slices.DeleteFunc(got, func(r Route) bool { return r.Table != 1000 && r.Table != 1001 })
		}
		rtSortRoutes(got)
		rtSortRoutes(want)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Routes(%+v):\n got %s\nwant %s", flt, rtDescribe(got), rtDescribe(want))
		}
		// The kernel did the filtering.
		filtered := false
		for m, err := range c.Netlink().Dump(ctx, netlink.Message{Header: netlink.Header{Type: unix.RTM_GETROUTE}, Data: flt.request()}) {
			if err != nil {
				t.Fatal(err)
			}
			filtered = filtered || m.Header.Flags&netlink.DumpFiltered != 0
		}
		if !filtered {
			t.Errorf("Routes(%+v): the kernel did not set NLM_F_DUMP_FILTERED", flt)
		}
	}
	// Without filter: every table, local included (unlike ip route show).
	tables := map[Table]bool{}
	for _, r := range rtRoutes(t, c, RouteFilter{}) {
		tables[r.Table] = true
	}
	for _, tb := range []Table{TableMain, TableLocal, 1000, 1001} {
		if !tables[tb] {
			t.Errorf("Routes({}) has no route of table %v (tables %v)", tb, tables)
		}
	}
	// Breaking out early leaves the Conn usable.
	for range c.Routes(ctx, RouteFilter{}) {
		break
	}
	if n := len(rtRoutes(t, c, RouteFilter{Table: 1000})); n != 8 {
		t.Errorf("after an early break: %d routes in table 1000, want 8", n)
	}
}

func rtSortRoutes(rs []Route) {
	slices.SortFunc(rs, func(a, b Route) int {
		if c := a.Dst.Addr().Compare(b.Dst.Addr()); c != 0 {
			return c
		}
		return int(a.Table) - int(b.Table)
	})
}

func TestLookupRoute(t *testing.T) {
	env := rtSetup(t, true)
	c, ctx := env.c, t.Context()
	rtBatch(t, env.ns, `route add 198.19.80.0/24 via 198.18.0.2 metric 7 mtu 1400
route add 2001:db8:180::/64 via 2001:db8:1::2 metric 7
rule add fwmark 0x42 table 1234 pref 100
route add 198.19.80.0/24 via 198.18.2.2 table 1234
`)
	for _, q := range []RouteQuery{
		{Dst: rtIP("198.19.80.9")},
		{Dst: rtIP("198.19.80.9"), Mark: 0x42},
		{Dst: rtIP("198.19.80.9"), Src: rtIP("198.18.0.1")},
		{Dst: rtIP("198.19.80.9"), OutIndex: env.v2},
		{Dst: rtIP("198.18.0.1"), Src: rtIP("198.18.0.9"), InIndex: env.v0},
		{Dst: rtIP("2001:db8:180::9")},
		{Dst: rtIP("2001:db8:180::9"), Src: rtIP("2001:db8:1::1")},
	} {
		got, err := c.LookupRoute(ctx, q)
		if err != nil {
			t.Fatalf("LookupRoute(%+v): %v", q, err)
		}
		if got.Dst != netip.PrefixFrom(q.Dst, q.Dst.BitLen()) || got.Mark != q.Mark {
			t.Errorf("LookupRoute(%+v) = %v, mark %d", q, got, got.Mark)
		}
		args := []string{"-j", "route", "get", q.Dst.String()}
		if q.Src.IsValid() {
			args = append(args, "from", q.Src.String())
		}
		if q.Mark != 0 {
			args = append(args, "mark", strconv.Itoa(int(q.Mark)))
		}
		for name, idx := range env.idx {
			if q.OutIndex == idx {
				args = append(args, "oif", name)
			}
			if q.InIndex == idx {
				args = append(args, "iif", name)
			}
		}
		var ipr []rtIPRoute
		out := kerneltest.Run(t, env.ns, "ip", args...)
		if err := json.Unmarshal(out, &ipr); err != nil || len(ipr) != 1 {
			t.Fatalf("ip %v: %v\n%s", args, err, out)
		}
		rtCompareIP(t, env, got, ipr[0], true)
	}
	// The mark selects table 1234 through the rule.
	got, err := c.LookupRoute(ctx, RouteQuery{Dst: rtIP("198.19.80.9"), Mark: 0x42})
	if err != nil || got.Gateway != rtIP("198.18.2.2") || got.Table != 1234 {
		t.Errorf("LookupRoute(mark 0x42) = %v, %v; want via 198.18.2.2 table 1234", got, err)
	}
	// FIB match: the table entry.
	got, err = c.LookupRoute(ctx, RouteQuery{Dst: rtIP("198.19.80.9"), FIBMatch: true})
	if err != nil {
		t.Fatalf("LookupRoute(FIBMatch): %v", err)
	}
	if got.Dst != rtPfx("198.19.80.0/24") || got.Priority != 7 || got.Metrics == nil || got.Metrics.MTU != 1400 {
		t.Errorf("LookupRoute(FIBMatch) = %+v", got)
	}
	// Unreachable.
	ne := testKernelError(t, func() error { _, err := c.LookupRoute(ctx, RouteQuery{Dst: rtIP("203.0.113.1")}); return err }(),
		"get route", syscall.ENETUNREACH)
	_ = ne
	if _, err := c.LookupRoute(ctx, RouteQuery{}); err == nil {
		t.Error("LookupRoute without Dst succeeded")
	}
}

func TestRouteBulk(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	const n = 10000
	routes := make([]Route, n)
	for i := range routes {
		routes[i] = Route{Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 19, byte(i >> 8), byte(i)}), 32),
			Gateway: rtIP("198.18.0.2"), Table: 2000, Protocol: ProtoStatic}
	}
	if err := c.AddRoutes(ctx, routes); err != nil {
		t.Fatalf("AddRoutes(%d): %v", n, err)
	}
	count := func(tb Table) int {
		k := 0
		for r, err := range c.Routes(ctx, RouteFilter{Family: FamilyIPv4, Table: tb}) {
			if err != nil {
				t.Fatalf("Routes: %v", err)
			}
			if r.Gateway == rtIP("198.18.0.2") {
				k++
			}
		}
		return k
	}
	if got := count(2000); got != n {
		t.Fatalf("after AddRoutes: %d routes, want %d", got, n)
	}

	// Two bad routes among good ones: exactly their indexes fail.
	mixed := []Route{
		{Dst: rtPfx("198.19.200.0/24"), Gateway: rtIP("198.18.0.2"), Table: 2001},
		{Dst: rtPfx("198.19.201.0/24"), Gateway: rtIP("198.18.0.2"), Table: 2001},
		routes[5], // exists: EEXIST
		{Dst: rtPfx("198.19.202.0/24"), Gateway: rtIP("198.18.0.2"), Table: 2001},
		{Dst: rtPfx("198.19.203.0/24"), Gateway: rtIP("198.18.99.2"), Table: 2001}, // unreachable gateway
		{Dst: rtPfx("198.19.204.0/24"), Gateway: rtIP("198.18.0.2"), Table: 2001},
	}
	err := c.AddRoutes(ctx, mixed)
	be, ok := errors.AsType[*netlink.BatchError](err)
	if !ok {
		t.Fatalf("AddRoutes(mixed) = %v, want a *netlink.BatchError", err)
	}
	if be.Total != len(mixed) || len(be.Failures) != 2 || be.Failures[0].Index != 2 || be.Failures[1].Index != 4 {
		t.Fatalf("AddRoutes(mixed): %v, want failures #2 and #4 of 6", be)
	}
	testKernelError(t, be.Failures[0].Err, "add route", syscall.EEXIST)
	testKernelError(t, be.Failures[1].Err, "add route 198.19.203.0/24 table 2001: network is unreachable", syscall.ENETUNREACH)
	if !errors.Is(err, fs.ErrExist) {
		t.Errorf("errors.Is(%v, fs.ErrExist) = false", err)
	}
	if got := count(2001); got != 4 {
		t.Errorf("table 2001 has %d routes, want the 4 good ones", got)
	}

	// A route that cannot be encoded is not sent; indexes stay those of
	// the input.
	enc := []Route{mixed[0], {Gateway: rtIP("198.18.0.2")}, mixed[1], {Dst: rtPfx("198.19.210.0/24"), Table: 2001, NextHops: []NextHop{{Weight: 300}}}, mixed[3]}
	err = c.DeleteRoutes(ctx, enc)
	be, ok = errors.AsType[*netlink.BatchError](err)
	if !ok || be.Total != 5 || len(be.Failures) != 2 || be.Failures[0].Index != 1 || be.Failures[1].Index != 3 {
		t.Fatalf("DeleteRoutes(with unencodable routes) = %v, want failures #1 and #3 of 5", err)
	}
	if got := count(2001); got != 1 {
		t.Errorf("table 2001 has %d routes after deleting 3, want 1", got)
	}

	// The iterator form, without a slice.
	seq := func(yield func(Route) bool) {
		for i := range n {
			r := routes[i]
			if i == 1234 {
				r.Dst = rtPfx("198.19.255.255/24") // host bits set: EINVAL from the kernel
			}
			if !yield(r) {
				return
			}
		}
	}
	err = c.DeleteRoutesSeq(ctx, seq)
	be, ok = errors.AsType[*netlink.BatchError](err)
	if !ok || len(be.Failures) != 1 || be.Failures[0].Index != 1234 || be.Total != n {
		t.Fatalf("DeleteRoutesSeq = %v, want one failure, #1234", err)
	}
	if got := count(2000); got != 1 {
		t.Fatalf("after DeleteRoutesSeq: %d routes left, want 1", got)
	}
	err = c.AddRoutesSeq(ctx, slices.Values(routes[1200:1300]))
	if be, ok = errors.AsType[*netlink.BatchError](err); !ok || len(be.Failures) != 1 || be.Failures[0].Index != 34 {
		t.Fatalf("AddRoutesSeq over existing route 1234 = %v, want one failure, #34", err)
	}
	if got := count(2000); got != 100 {
		t.Fatalf("after AddRoutesSeq: %d routes, want 100", got)
	}
}

// rtIPRoute is a route as `ip -j route` prints it.
type rtIPRoute struct {
	Type    string `json:"type"`
	Dst     string `json:"dst"`
	From    string `json:"from"`
	Gateway string `json:"gateway"`
	Via     *struct {
		Family string `json:"family"`
		Host   string `json:"host"`
	} `json:"via"`
	Dev      string           `json:"dev"`
	Table    string           `json:"table"`
	Protocol string           `json:"protocol"`
	Scope    string           `json:"scope"`
	Metric   *uint32          `json:"metric"`
	Prefsrc  string           `json:"prefsrc"`
	Flags    []string         `json:"flags"`
	Mark     uint32           `json:"mark"`
	Metrics  []map[string]any `json:"metrics"`
	Nexthops []struct {
		Gateway string   `json:"gateway"`
		Dev     string   `json:"dev"`
		Weight  int      `json:"weight"`
		Flags   []string `json:"flags"`
	} `json:"nexthops"`
}

// rtCompareIP compares r with iproute2's JSON for it. A LookupRoute answer
// (get) has no table or type in it.
func rtCompareIP(t *testing.T, env *rtEnv, r Route, j rtIPRoute, get bool) {
	t.Helper()
	name := func(idx int32) string {
		for n, i := range env.idx {
			if i == idx {
				return n
			}
		}
		return ""
	}
	check := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%v: %s: ip says %q, we say %q", r, what, want, got)
		}
	}
	dst := r.Dst.String()
	if r.Dst.Bits() == 0 {
		dst = "default"
	} else if r.Dst.IsSingleIP() {
		dst = r.Dst.Addr().String()
	}
	check("dst", dst, j.Dst)
	if r.Type != RouteUnicast {
		check("type", r.Type.String(), j.Type)
	} else {
		check("type", "", j.Type)
	}
	gw, via := r.Gateway.String(), ""
	if !r.Gateway.IsValid() {
		gw = ""
	} else if r.Gateway.BitLen() != routeAddrBits(r.Family) {
		gw, via = "", r.Gateway.String()
	}
	check("gateway", gw, j.Gateway)
	if j.Via != nil {
		check("via", via, j.Via.Host)
	} else {
		check("via", via, "")
	}
	check("dev", name(r.OutIndex), j.Dev)
	if !get {
		tbl := r.Table.String()
		if r.Table == TableMain {
			tbl = ""
		}
		check("table", tbl, j.Table)
		proto := r.Protocol.String()
		if r.Protocol == ProtoBoot {
			proto = ""
		}
		check("protocol", proto, j.Protocol)
		if r.Family == FamilyIPv4 {
			scope := r.Scope.String()
			if r.Scope == ScopeUniverse {
				scope = ""
			}
			check("scope", scope, j.Scope)
		}
	}
	metric := ""
	if j.Metric != nil {
		metric = strconv.FormatUint(uint64(*j.Metric), 10)
	}
	ours := strconv.FormatUint(uint64(r.Priority), 10)
	if r.Priority == 0 && r.Family == FamilyIPv4 {
		ours = ""
	}
	check("metric", ours, metric)
	prefsrc := ""
	if r.PrefSrc.IsValid() {
		prefsrc = r.PrefSrc.String()
	}
	check("prefsrc", prefsrc, j.Prefsrc)
	flags := r.Flags.Words()
	flags = slices.DeleteFunc(flags, func(s string) bool { return s == "cache" || strings.HasPrefix(s, "0x") })
	if !slices.Equal(flags, j.Flags) && !(len(flags) == 0 && len(j.Flags) == 0) {
		t.Errorf("%v: flags: ip says %q, we say %q", r, j.Flags, flags)
	}
	if r.Mark != j.Mark {
		t.Errorf("%v: mark: ip says %d, we say %d", r, j.Mark, r.Mark)
	}
	ipMetrics := map[string]float64{}
	for _, m := range j.Metrics {
		for k, v := range m {
			if f, ok := v.(float64); ok {
				ipMetrics[k] = f
			}
		}
	}
	var rm Metrics
	if r.Metrics != nil {
		rm = *r.Metrics
	}
	for k, v := range map[string]uint32{"mtu": rm.MTU, "advmss": rm.AdvMSS, "hoplimit": rm.HopLimit, "initcwnd": rm.InitCwnd} {
		if float64(v) != ipMetrics[k] {
			t.Errorf("%v: metric %s: ip says %v, we say %d", r, k, ipMetrics[k], v)
		}
	}
	if len(r.NextHops) != len(j.Nexthops) {
		t.Errorf("%v: ip shows %d next hops, we %d", r, len(j.Nexthops), len(r.NextHops))
		return
	}
	for i, nh := range r.NextHops {
		jn := j.Nexthops[i]
		if nh.Gateway.String() != jn.Gateway || name(nh.OutIndex) != jn.Dev || nh.Weight != jn.Weight {
			t.Errorf("%v: next hop %d: ip says %+v, we %+v", r, i, jn, nh)
		}
	}
}

func TestRouteMatchesIproute2(t *testing.T) {
	env := rtSetup(t, true)
	c := env.c
	rtBatch(t, env.ns, `route add default via 198.18.0.2
route add 198.19.90.0/24 via 198.18.0.2 metric 7 mtu 1400 advmss 1300 proto static
route add 198.19.91.0/24 dev veth2 proto bgp scope link src 198.18.2.1
route add blackhole 198.19.92.0/24 table 1000
route add unreachable 198.19.93.0/24 table 1000 metric 3
route add prohibit 198.19.94.0/24 proto zebra
route add throw 198.19.95.0/24 table 1001
route add 198.19.96.0/24 nexthop via 198.18.0.2 weight 3 nexthop via 198.18.2.2 dev veth2 weight 1
route add 198.19.97.0/24 via inet6 2001:db8:1::2 dev veth0
route add 198.19.98.0/24 via 198.18.77.7 dev veth0 onlink hoplimit 9 initcwnd 12
route add default via 2001:db8:1::2
route add 2001:db8:190::/64 via 2001:db8:1::2 metric 7 mtu 1400 proto static
route add 2001:db8:191::/64 nexthop via 2001:db8:1::2 weight 2 nexthop via 2001:db8:2::2 weight 5
route add blackhole 2001:db8:192::/64 table 1000
route add 2001:db8:193::/64 dev veth2 proto ospf metric 77
`)
	for _, fam := range []struct {
		f    Family
		args []string
	}{{FamilyIPv4, []string{"-j", "-4", "route", "show", "table", "all"}}, {FamilyIPv6, []string{"-j", "-6", "route", "show", "table", "all"}}} {
		var ipr []rtIPRoute
		out := kerneltest.Run(t, env.ns, "ip", fam.args...)
		if err := json.Unmarshal(out, &ipr); err != nil {
			t.Fatalf("ip %v: %v\n%s", fam.args, err, out)
		}
		ours := rtRoutes(t, c, RouteFilter{Family: fam.f})
		if len(ours) != len(ipr) || len(ours) < 12 {
			t.Errorf("%v: we list %d routes, ip %d:%s\n%s", fam.f, len(ours), len(ipr), rtDescribe(ours), out)
		}
		// Both list in the kernel's order.
		for i := range min(len(ours), len(ipr)) {
			rtCompareIP(t, env, ours[i], ipr[i], false)
		}
	}
}

// TestRouteDecodeCaptured decodes messages captured from the kernel.
func TestRouteDecodeCaptured(t *testing.T) {
	for _, tc := range []struct {
		name string
		hex  string
		want Route
	}{
		{"metrics", rtSeedMetrics, Route{Family: FamilyIPv4, Dst: rtPfx("198.18.5.0/24"), Table: TableMain, Protocol: ProtoStatic,
			Type: RouteUnicast, Priority: 7, Gateway: rtIP("198.18.0.2"), OutIndex: 3,
			Metrics: &Metrics{MTU: 1400, AdvMSS: 1300, CCAlgo: "cubic"}}},
		{"table 1000", rtSeedTable1000, Route{Family: FamilyIPv4, Dst: rtPfx("198.18.6.0/24"), Table: 1000, Protocol: ProtoBoot, Type: RouteBlackhole}},
		{"default", rtSeedDefault, Route{Family: FamilyIPv4, Dst: rtPfx("0.0.0.0/0"), Table: TableMain, Protocol: ProtoBoot,
			Type: RouteUnicast, Gateway: rtIP("198.18.0.2"), OutIndex: 3, Flags: RouteFlagOnLink}},
		{"multipath", rtSeedMultipath, Route{Family: FamilyIPv4, Dst: rtPfx("198.18.7.0/24"), Table: TableMain, Protocol: ProtoBoot,
			Type: RouteUnicast, NextHops: []NextHop{{Gateway: rtIP("198.18.0.2"), OutIndex: 3, Weight: 3}, {Gateway: rtIP("198.18.0.3"), OutIndex: 3, Weight: 1}}}},
		{"via", rtSeedVia, Route{Family: FamilyIPv4, Dst: rtPfx("198.18.8.0/24"), Table: TableMain, Protocol: ProtoBoot,
			Type: RouteUnicast, Gateway: rtIP("2001:db8:1::2"), OutIndex: 3}},
		{"IPv6", rtSeedIPv6, Route{Family: FamilyIPv6, Dst: rtPfx("2001:db8:1::/64"), Table: TableMain, Protocol: ProtoKernel,
			Type: RouteUnicast, Priority: 256, OutIndex: 3}},
		{"IPv6 multipath", rtSeedIPv6Multipath, Route{Family: FamilyIPv6, Dst: rtPfx("2001:db8:5::/64"), Table: TableMain, Protocol: ProtoBoot,
			Type: RouteUnicast, Priority: 1024, NextHops: []NextHop{{Gateway: rtIP("2001:db8:1::2"), OutIndex: 3, Weight: 2}, {Gateway: rtIP("2001:db8:1::3"), OutIndex: 3, Weight: 1}}}},
	} {
		var r Route
		if err := r.UnmarshalBinary(rtHex(tc.hex)); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if want := rtKernelView(tc.want); !reflect.DeepEqual(r, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", tc.name, r, want)
		}
		// Encoding and decoding again gives the same route.
		b, err := r.MarshalBinary()
		if err != nil {
			t.Fatalf("%s: MarshalBinary: %v", tc.name, err)
		}
		var r2 Route
		if err := r2.UnmarshalBinary(b); err != nil || !reflect.DeepEqual(r, r2) {
			t.Errorf("%s: round trip: %+v, %v", tc.name, r2, err)
		}
	}
}

func TestRouteDecodeErrors(t *testing.T) {
	base := rtHex(rtSeedMetrics)
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"short", base[:11], "struct rtmsg"},
		// RTA_OIF (at offset 12+8+8+8+8+32+12 = 88 of the message) cut to 2 bytes.
		{"RTA_OIF length", rtPatch(base, "08000400", "06000400"), "RTA_OIF"},
		{"RTA_TABLE length", rtPatch(base, "08000f00fe000000", "05000f00fe000000"), "RTA_TABLE"},
		{"RTAX_MTU length", rtPatch(base, "0800020078050000", "0700020078050000"), "RTA_METRICS"},
		{"RTA_DST family", rtPatch(rtHex(rtSeedIPv6), "0a400000", "02400000"), "RTA_DST"},
		{"truncated", append(slices.Clone(base), 0x20, 0, 1, 0), "truncated"},
		{"dst_len", rtPatch(base, "02180000", "02210000"), "rtm_dst_len"},
		{"rtnh_len", rtPatch(rtHex(rtSeedMultipath), "100000020300", "ff0000020300"), "RTA_MULTIPATH"},
		{"nexthop gateway", rtPatch(rtHex(rtSeedMultipath), "08000500c6120002", "07000500c6120002"), "RTA_MULTIPATH"},
		{"via length", rtPatch(rtHex(rtSeedVia), "16001200", "12001200"), "RTA_VIA"},
		{"RTA_PREF length", append(slices.Clone(base), 6, 0, unix.RTA_PREF, 0, 1, 0, 0, 0), "RTA_PREF"},
		{"RTA_UID length", append(slices.Clone(base), 6, 0, unix.RTA_UID, 0, 1, 0, 0, 0), "RTA_UID"},
		{"RTA_EXPIRES length", append(slices.Clone(base), 6, 0, unix.RTA_EXPIRES, 0, 1, 0, 0, 0), "RTA_EXPIRES"},
		{"RTA_CACHEINFO length", append(slices.Clone(base), 8, 0, unix.RTA_CACHEINFO, 0, 1, 0, 0, 0), "RTA_CACHEINFO"},
	} {
		var r Route
		err := r.UnmarshalBinary(tc.b)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.want)
		}
		if !reflect.DeepEqual(r, Route{}) {
			t.Errorf("%s: failed decode left %+v", tc.name, r)
		}
	}
	// Unknown attributes are skipped.
	b := append(slices.Clone(rtHex(rtSeedDefault)), 8, 0, 0x7f, 0, 1, 2, 3, 4)
	var r Route
	if err := r.UnmarshalBinary(b); err != nil || r.Gateway != rtIP("198.18.0.2") {
		t.Errorf("unknown attribute: %+v, %v", r, err)
	}
}

// rtPatch replaces the first occurrence of the hex string old in b.
func rtPatch(b []byte, old, new string) []byte {
	o, n := rtHex(old), rtHex(new)
	i := strings.Index(string(b), string(o))
	if i < 0 {
		panic("rtPatch: " + old + " not found")
	}
	out := slices.Clone(b)
	copy(out[i:], n)
	return out
}

func TestRouteFlagsString(t *testing.T) {
	for f, want := range map[RouteFlags]string{
		0:                                   "",
		RouteFlagOnLink:                     "onlink",
		RouteFlagOnLink | RouteFlagLinkDown: "onlink linkdown",
		RouteFlagCloned | RouteFlagDead:     "dead cache",
		1 << 20:                             "0x100000",
	} {
		if got := f.String(); got != want {
			t.Errorf("RouteFlags(%#x).String() = %q, want %q", uint32(f), got, want)
		}
	}
	r := Route{Dst: rtPfx("0.0.0.0/0"), Gateway: rtIP("198.18.0.2"), OutIndex: 3, Table: TableMain, Protocol: ProtoStatic, Priority: 5}
	if got, want := r.String(), "default via 198.18.0.2 dev #3 table main proto static metric 5"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// TestRoutePrefExpiresScope covers the fields whose zero value is a
// setting: RTA_PREF, explicit scope global, explicit metric 0, and the
// expiry and uid the kernel reports.
func TestRoutePrefExpiresScope(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()

	// IPv6 router preference, set and read back; medium is reported too.
	high := Route{Dst: rtPfx("2001:db8:200::/64"), OutIndex: env.v0, Pref: RoutePrefHigh, HasPref: true}
	if err := c.AddRoute(ctx, high); err != nil {
		t.Fatal(err)
	}
	got := rtFind(t, c, TableMain, high.Dst)
	if len(got) != 1 || !got[0].HasPref || got[0].Pref != RoutePrefHigh || !got[0].HasPriority || got[0].Priority != 1024 {
		t.Errorf("pref high: %+v", got)
	}

	// Expiry: sent as RTA_EXPIRES, read back from RTA_CACHEINFO.
	exp := Route{Dst: rtPfx("2001:db8:201::/64"), OutIndex: env.v0, Expires: 100 * time.Second}
	if err := c.AddRoute(ctx, exp); err != nil {
		t.Fatal(err)
	}
	got = rtFind(t, c, TableMain, exp.Dst)
	if len(got) != 1 || got[0].Expires <= 90*time.Second || got[0].Expires > 100*time.Second {
		t.Errorf("expires: %+v", got)
	}
	var ipr []struct {
		Dst     string `json:"dst"`
		Expires int    `json:"expires"`
		Pref    string `json:"pref"`
	}
	out := kerneltest.Run(t, env.ns, "ip", "-j", "-6", "route", "show", "2001:db8:201::/64")
	if err := json.Unmarshal(out, &ipr); err != nil || len(ipr) != 1 || time.Duration(ipr[0].Expires)*time.Second > got[0].Expires ||
		ipr[0].Pref != "medium" {
		t.Errorf("ip says %s (%v), we %v", out, err, got[0].Expires)
	}

	// Scope global on a route without gateway: the default would be link.
	global := Route{Dst: rtPfx("198.19.200.0/24"), OutIndex: env.v0, Scope: ScopeUniverse, HasScope: true}
	link := Route{Dst: rtPfx("198.19.201.0/24"), OutIndex: env.v0}
	for _, r := range []Route{global, link} {
		if err := c.AddRoute(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if got := rtFind(t, c, TableMain, global.Dst); len(got) != 1 || got[0].Scope != ScopeUniverse {
		t.Errorf("scope global: %+v", got)
	}
	if got := rtFind(t, c, TableMain, link.Dst); len(got) != 1 || got[0].Scope != ScopeLink {
		t.Errorf("default scope: %+v", got)
	}
	// An explicit scope also narrows a delete: global does not match the
	// link-scope route.
	wrong := link
	wrong.HasScope = true
	testKernelError(t, c.DeleteRoute(ctx, wrong), "delete route", syscall.ESRCH)
	if err := c.DeleteRoute(ctx, global); err != nil {
		t.Errorf("DeleteRoute(scope global): %v", err)
	}

	// Metric 0 is reported as absent for IPv4; HasPriority with 0 still
	// sends it (and matches the same route).
	zero := Route{Dst: rtPfx("198.19.202.0/24"), OutIndex: env.v0, HasPriority: true}
	if err := c.AddRoute(ctx, zero); err != nil {
		t.Fatal(err)
	}
	if got := rtFind(t, c, TableMain, zero.Dst); len(got) != 1 || got[0].HasPriority || got[0].Priority != 0 {
		t.Errorf("metric 0: %+v", got)
	}
	if err := c.DeleteRoute(ctx, zero); err != nil {
		t.Errorf("DeleteRoute(metric 0): %v", err)
	}

	// LookupRoute answers carry the uid (IPv4).
	r, err := c.LookupRoute(ctx, RouteQuery{Dst: rtIP("198.19.201.1")})
	if err != nil || !r.HasUID || r.UID != 0 {
		t.Errorf("LookupRoute uid: %+v %v", r, err)
	}
}

// TestApplyRoutes sends a mixed, ordered batch of route changes.
func TestApplyRoutes(t *testing.T) {
	env := rtSetup(t, false)
	c, ctx := env.c, t.Context()
	r1 := Route{Dst: rtPfx("198.19.210.0/24"), Gateway: rtIP("198.18.0.2"), Table: 1000}
	r1b := r1
	r1b.Gateway = rtIP("198.18.0.3")
	r2 := Route{Dst: rtPfx("2001:db8:210::/64"), OutIndex: env.v0, Table: 1000, Priority: 5}
	ops := []RouteOp{
		{RouteOpAdd, r1},         // 0
		{RouteOpAdd, r1},         // 1: EEXIST
		{RouteOpReplace, r1b},    // 2
		{RouteOpAdd, r2},         // 3
		{RouteOpDelete, r2},      // 4: in order, after 3
		{RouteOpChange, r2},      // 5: ENOENT, deleted by 4
		{0, r2},                  // 6: no Op
		{RouteOpAppend, Route{}}, // 7: no Dst
		{RouteOpAdd, r2},         // 8: again
		{RouteOpDelete, Route{Dst: rtPfx("198.19.211.0/24"), Table: 1000}}, // 9: ESRCH
	}
	err := c.ApplyRoutes(ctx, slices.Values(ops))
	be, ok := errors.AsType[*netlink.BatchError](err)
	if !ok {
		t.Fatalf("ApplyRoutes: %v", err)
	}
	var idx []int
	for _, f := range be.Failures {
		idx = append(idx, f.Index)
	}
	if !slices.Equal(idx, []int{1, 5, 6, 7, 9}) || be.Total != len(ops) {
		t.Fatalf("failures at %v (total %d): %v", idx, be.Total, err)
	}
	for _, tc := range []struct {
		i     int
		errno syscall.Errno
		op    string
	}{{1, syscall.EEXIST, "add route"}, {5, syscall.ENOENT, "change route"}, {9, syscall.ESRCH, "delete route"}} {
		f := be.Failures[slices.Index(idx, tc.i)]
		ne, ok := errors.AsType[*netlink.Error](f.Err)
		if !ok || ne.Errno != tc.errno || ne.Op != "rtnl "+tc.op || !strings.HasPrefix(f.Err.Error(), "rtnl: "+tc.op+": ") {
			t.Errorf("op %d: %v, want %v from %q", tc.i, f.Err, tc.errno, tc.op)
		}
	}
	if got := rtFind(t, c, 1000, r1.Dst); len(got) != 1 || got[0].Gateway != r1b.Gateway {
		t.Errorf("after replace: %s", rtDescribe(got))
	}
	if got := rtFind(t, c, 1000, r2.Dst); len(got) != 1 || got[0].Priority != 5 {
		t.Errorf("after add, delete, add: %s", rtDescribe(got))
	}
}

// TestRouteEncapRoundTrip: an encapsulation on the route and on a path
// survives encoding and decoding, and is part of the route's identity.
func TestRouteEncapRoundTrip(t *testing.T) {
	ip := &RouteEncap{Type: EncapIP, Attrs: []byte{8, 0, 2, 0, 1, 2, 3, 4}} // LWTUNNEL_IP_DST 1.2.3.4
	r := Route{Family: FamilyIPv4, Dst: netip.MustParsePrefix("10.1.0.0/24"), Table: TableMain, Type: RouteUnicast,
		OutIndex: 3, Encap: ip}
	m := r
	m.OutIndex = 0
	m.NextHops = []NextHop{{OutIndex: 3, Weight: 1}, {OutIndex: 4, Weight: 2, Encap: ip}}
	for _, in := range []Route{r, m} {
		b, err := in.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var out Route
		if err := out.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		for i := range b { // the decoded route owns its attributes
			b[i] = 0xa5
		}
		if !reflect.DeepEqual(out.Encap, in.Encap) || len(out.NextHops) != len(in.NextHops) ||
			len(in.NextHops) > 0 && !reflect.DeepEqual(out.NextHops[1].Encap, in.NextHops[1].Encap) {
			t.Errorf("round trip: %+v, want %+v", out, in)
		}
	}
	other := r
	other.Encap = &RouteEncap{Type: EncapIP, Attrs: []byte{8, 0, 2, 0, 1, 2, 3, 5}}
	if r.Key() == other.Key() {
		t.Error("routes with other encapsulations have one key")
	}
}
