package rtnltest_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/rtnl"
	"github.com/nlkit/nlkit/rtnl/rtnltest"
)

// The differential tests run each scenario, a sequence of steps on an
// *rtnl.Conn, against the kernel (in a throwaway namespace) and against
// rtnltest.Fake, and compare the outcome of every step (the errno, and
// what lookups return) and the objects dumped at the end. A difference is
// a bug of the fake.

// env is where a scenario runs: a Conn and a way to find links by name
// (link indexes differ between the kernel and the fake).
type env struct {
	ctx context.Context
	c   *rtnl.Conn
}

// missingIndex is an index no link has, in the kernel or the fake.
const missingIndex = 9999

// idx returns the index of the named link, missingIndex if there is none.
func (e *env) idx(name string) int32 {
	l, err := e.c.LinkByName(e.ctx, name)
	if err != nil {
		return missingIndex
	}
	return l.Index
}

// name returns the name of a link index, "#N" if it has none.
func (e *env) name(index int32) string {
	if index == 0 {
		return ""
	}
	l, err := e.c.Link(e.ctx, index)
	if err != nil {
		return fmt.Sprintf("#%d", index)
	}
	return l.Name
}

// step is one operation; its observation (for lookups) and error are
// compared.
type step struct {
	name string
	do   func(e *env) (string, error)
}

type scenario struct {
	name  string
	steps []step
}

// outcome says how a step ended: "ok", the errno's name, or a local
// (encoding) error's text.
func outcome(obs string, err error) string {
	if err == nil {
		if obs != "" {
			return "ok: " + obs
		}
		return "ok"
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return unix.ErrnoName(errno)
	}
	return "local error: " + err.Error()
}

// run runs the steps and returns one line per step and the final state.
func run(t *testing.T, e *env, sc scenario) (steps []string, state []string) {
	t.Helper()
	for i, s := range sc.steps {
		obs, err := s.do(e)
		steps = append(steps, fmt.Sprintf("%d %s: %s", i, s.name, outcome(obs, err)))
	}
	// The kernel finishes some changes asynchronously (the local route of
	// an IPv6 address comes with the end of DAD, even with nodad): wait
	// until two snapshots agree.
	state = snapshot(t, e)
	for range 20 {
		time.Sleep(20 * time.Millisecond)
		again := snapshot(t, e)
		if slices.Equal(again, state) {
			break
		}
		state = again
	}
	return steps, state
}

func TestDifferential(t *testing.T) {
	kerneltest.Require(t)
	scenarios := diffScenarios()
	if len(scenarios) < 40 {
		t.Fatalf("only %d scenarios", len(scenarios))
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			ns := kerneltest.NetNS(t)
			kc, err := rtnl.Dial(&netlink.Config{NetNS: ns})
			if err != nil {
				t.Fatal(err)
			}
			defer kc.Close()
			kw, err := netlink.Dial(unix.NETLINK_ROUTE, &netlink.Config{NetNS: ns, Groups: watchGroups()})
			if err != nil {
				t.Fatal(err)
			}
			kWatch := watch(ctx, kw)
			kSteps, kState := run(t, &env{ctx: ctx, c: kc}, sc)
			kEvents := kWatch()

			fake, fc := newFake(t)
			fw, err := fake.Dial(&netlink.Config{Groups: watchGroups()})
			if err != nil {
				t.Fatal(err)
			}
			fWatch := watch(ctx, fw)
			fSteps, fState := run(t, &env{ctx: ctx, c: fc}, sc)
			fEvents := fWatch()
			compareLines(t, "steps", kSteps, fSteps)
			compareLines(t, "state", kState, fState)
			// Notifications are compared as sets: the kernel sends some
			// from work queues, in its own time.
			compareLines(t, "notifications", slices.Sorted(slices.Values(kEvents)), slices.Sorted(slices.Values(fEvents)))
		})
	}
}

// TestScenariosOnFake runs every scenario on the fake alone, without
// root: the fake must not fail where nothing is compared.
func TestScenariosOnFake(t *testing.T) {
	for _, sc := range diffScenarios() {
		ctx := context.Background()
		fc := newFakeConn(t)
		steps, state := run(t, &env{ctx: ctx, c: fc}, sc)
		if len(steps) != len(sc.steps) || len(state) == 0 {
			t.Errorf("%s: %d steps, %d state lines", sc.name, len(steps), len(state))
		}
	}
}

// newFakeConn returns a Conn to a fake whose lo is up, like the
// namespaces of kerneltest.
func newFakeConn(t *testing.T) *rtnl.Conn {
	_, c := newFake(t)
	return c
}

func newFake(t *testing.T) (*rtnltest.Fake, *rtnl.Conn) {
	t.Helper()
	fake := rtnltest.NewFake()
	nl, err := fake.Dial(nil)
	if err != nil {
		t.Fatal(err)
	}
	c := rtnl.NewConn(nl)
	t.Cleanup(func() { c.Close() })
	if err := c.SetLinkUp(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	return fake, c
}

func watchGroups() []uint32 {
	var gs []uint32
	for _, g := range rtnl.AllGroups() {
		gs = append(gs, uint32(g))
	}
	return gs
}

// watch collects the notifications nl receives, as lines, until the
// returned function is called (after a short quiet period). Links are
// named from the link notifications themselves; link notifications are
// not compared (the kernel sends one for every carrier and operational
// state change), nor what the snapshot filters out.
func watch(ctx context.Context, nl *netlink.Conn) func() []string {
	ctx, cancel := context.WithCancel(ctx)
	var (
		mu    sync.Mutex
		lines []string
		last  = time.Now()
	)
	names := map[int32]string{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for n, err := range nl.Receive(ctx) {
			if err != nil {
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				lines = append(lines, "error: "+err.Error())
				mu.Unlock()
				continue
			}
			ev, ok, err := rtnl.DecodeEvent(n.Message)
			if err != nil || !ok {
				continue
			}
			nm := func(i int32) string {
				if s, ok := names[i]; ok {
					return s
				}
				return fmt.Sprintf("#%d", i)
			}
			verb := "new"
			if ev.Deleted {
				verb = "del"
			}
			var s string
			switch ev.Kind {
			case rtnl.EventLink:
				names[ev.Link.Index] = ev.Link.Name
				continue
			case rtnl.EventAddress:
				a := ev.Address
				if a.Prefix.Addr().Is6() && a.Prefix.Addr().IsLinkLocalUnicast() {
					continue
				}
				s = fmt.Sprintf("%s %v", nm(a.Index), a.Prefix)
			case rtnl.EventRoute:
				r := ev.Route
				if r.Family == rtnl.FamilyIPv6 && (r.Dst.Addr().IsLinkLocalUnicast() || r.Dst.Addr().IsMulticast()) ||
					r.Flags&rtnl.RouteFlagCloned != 0 || r.Family != rtnl.FamilyIPv4 && r.Family != rtnl.FamilyIPv6 {
					continue
				}
				s = fmt.Sprintf("%v %v %v table=%v via=%v dev=%s", r.Family, r.Type, r.Dst, r.Table, r.Gateway, nm(r.OutIndex))
				for _, h := range r.NextHops {
					s += fmt.Sprintf(" nexthop(%v %s)", h.Gateway, nm(h.OutIndex))
				}
			case rtnl.EventNeighbor:
				x := ev.Neighbor
				if x.Family == rtnl.FamilyBridge || x.Addr.IsMulticast() || x.Addr.IsLinkLocalUnicast() || x.State == rtnl.NeighborNoARP {
					continue
				}
				s = fmt.Sprintf("%s %v %v", nm(x.Index), x.Addr, x.State)
			case rtnl.EventRule:
				if ev.Rule.Family != rtnl.FamilyIPv4 && ev.Rule.Family != rtnl.FamilyIPv6 {
					continue
				}
				s = fmt.Sprintf("%v pref=%d table=%v", ev.Rule.Family, ev.Rule.Priority, ev.Rule.Table)
			}
			mu.Lock()
			lines = append(lines, fmt.Sprintf("%v %s %s", ev.Kind, verb, s))
			last = time.Now()
			mu.Unlock()
		}
	}()
	return func() []string {
		for {
			mu.Lock()
			quiet := time.Since(last)
			mu.Unlock()
			if quiet > 50*time.Millisecond {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		cancel()
		<-done
		nl.Close()
		return lines
	}
}

func compareLines(t *testing.T, what string, kernel, fake []string) {
	t.Helper()
	if slices.Equal(kernel, fake) {
		return
	}
	var b strings.Builder
	count := map[string]int{}
	for _, l := range kernel {
		count[l]++
	}
	for _, l := range fake {
		count[l]--
	}
	for _, l := range kernel {
		if count[l] > 0 {
			fmt.Fprintf(&b, "\n  kernel only: %s", l)
			count[l]--
		}
	}
	for _, l := range fake {
		if count[l] < 0 {
			fmt.Fprintf(&b, "\n  fake only:   %s", l)
			count[l]++
		}
	}
	if b.Len() == 0 {
		b.WriteString("\n  (same lines, other order)\n  kernel: " + strings.Join(kernel, "\n          ") +
			"\n  fake:   " + strings.Join(fake, "\n          "))
	}
	t.Errorf("%s differ:%s", what, b.String())
}

// snapshot lists the objects as comparable lines, links by name.
//
// Normalised away, because they cannot match: interface indexes (links
// are named instead) and MAC addresses (random in the kernel). Filtered
// out, because the fake does not model IPv6 autoconfiguration and the
// kernel does it asynchronously (DAD, timers): IPv6 link-local addresses
// and routes (fe80::/10), the ff00::/8 multicast routes every IPv6 link
// gets, neighbour entries the kernel makes itself for multicast and
// link-local addresses (NOARP, or never confirmed), and the multicast
// routing rules (families 128 and 129) that exist only with
// CONFIG_IP_MROUTE. Address lifetimes are compared as forever or not:
// they count down.
func snapshot(t *testing.T, e *env) []string {
	t.Helper()
	var out []string
	links, err := netlink.Collect(e.c.Links(e.ctx, rtnl.LinkFilter{}))
	if err != nil {
		t.Fatalf("links: %v", err)
	}
	names := map[int32]string{}
	for _, l := range links {
		names[l.Index] = l.Name
	}
	nm := func(i int32) string {
		if i == 0 {
			return "-"
		}
		if n, ok := names[i]; ok {
			return n
		}
		return fmt.Sprintf("#%d", i)
	}
	for _, l := range links {
		out = append(out, fmt.Sprintf("link %s kind=%q up=%v mtu=%d master=%s txqlen=%d group=%d alias=%q", l.Name, l.Kind,
			l.Flags&rtnl.LinkUp != 0, l.MTU, nm(l.Master), l.TxQueueLen, l.Group, l.Alias))
	}
	addrs, err := netlink.Collect(e.c.Addresses(e.ctx, rtnl.AddressFilter{}))
	if err != nil {
		t.Fatalf("addresses: %v", err)
	}
	for _, a := range addrs {
		if a.Prefix.Addr().Is6() && a.Prefix.Addr().IsLinkLocalUnicast() {
			continue
		}
		out = append(out, fmt.Sprintf("addr %s %v peer=%v brd=%v label=%q scope=%v flags=[%v] forever=%v/%v proto=%v metric=%d",
			nm(a.Index), a.Prefix, a.Peer, a.Broadcast, a.Label, a.Scope, a.Flags, a.ValidLifetime.IsForever(),
			a.PreferredLifetime.IsForever(), a.Protocol, a.Metric))
	}
	routes, err := netlink.Collect(e.c.Routes(e.ctx, rtnl.RouteFilter{}))
	if err != nil {
		t.Fatalf("routes: %v", err)
	}
	for _, r := range routes {
		if r.Family == rtnl.FamilyIPv6 && (r.Dst.Addr().IsLinkLocalUnicast() || r.Dst.Addr().IsMulticast()) {
			continue
		}
		if r.Family != rtnl.FamilyIPv4 && r.Family != rtnl.FamilyIPv6 {
			continue
		}
		out = append(out, "route "+routeLine(r, nm))
	}
	neighs, err := netlink.Collect(e.c.Neighbors(e.ctx, rtnl.NeighborFilter{}))
	if err != nil {
		t.Fatalf("neighbors: %v", err)
	}
	// The kernel lists neighbours in the order of a hash table with a
	// random seed: sort them.
	slices.SortFunc(neighs, func(a, b rtnl.Neighbor) int {
		if a.Index != b.Index {
			return int(a.Index - b.Index)
		}
		return a.Addr.Compare(b.Addr)
	})
	for _, n := range neighs {
		if n.Addr.IsMulticast() || n.Addr.IsLinkLocalUnicast() || n.State == rtnl.NeighborNoARP {
			continue
		}
		out = append(out, fmt.Sprintf("neigh %s %v lladdr=%v state=%v flags=[%v] proto=%v", nm(n.Index), n.Addr, n.LinkAddr, n.State, n.Flags, n.Protocol))
	}
	proxies, err := netlink.Collect(e.c.Neighbors(e.ctx, rtnl.NeighborFilter{Proxy: true}))
	if err != nil {
		t.Fatalf("proxy neighbors: %v", err)
	}
	for _, n := range proxies {
		out = append(out, fmt.Sprintf("proxy %s %v flags=[%v]", nm(n.Index), n.Addr, n.Flags))
	}
	rules, err := netlink.Collect(e.c.Rules(e.ctx, rtnl.RuleFilter{}))
	if err != nil {
		t.Fatalf("rules: %v", err)
	}
	for _, u := range rules {
		if u.Family != rtnl.FamilyIPv4 && u.Family != rtnl.FamilyIPv6 {
			continue
		}
		out = append(out, "rule "+ruleLine(u))
	}
	return out
}

func routeLine(r rtnl.Route, nm func(int32) string) string {
	s := fmt.Sprintf("%v %v %v table=%v proto=%v scope=%v tos=%d metric=%d src=%v prefsrc=%v via=%v dev=%s flags=[%v]",
		r.Family, r.Type, r.Dst, r.Table, r.Protocol, r.Scope, r.Tos, r.Priority, r.Src, r.PrefSrc, r.Gateway, nm(r.OutIndex), r.Flags)
	if r.Metrics != nil {
		s += fmt.Sprintf(" metrics=%+v", *r.Metrics)
	}
	if r.Realms != 0 {
		s += fmt.Sprintf(" realms=%#x", r.Realms)
	}
	for _, nh := range r.NextHops {
		s += fmt.Sprintf(" nexthop(via=%v dev=%s weight=%d flags=[%v] realms=%#x)", nh.Gateway, nm(nh.OutIndex), nh.Weight, nh.Flags, nh.Realms)
	}
	return s
}

func ruleLine(u rtnl.Rule) string {
	s := fmt.Sprintf("%v pref=%d %v table=%v src=%v dst=%v tos=%d not=%v mark=%#x/%#x iif=%q oif=%q goto=%d proto=%v ipproto=%d",
		u.Family, u.Priority, u.Action, u.Table, u.Src, u.Dst, u.Tos, u.Invert, u.Mark, u.Mask, u.IifName, u.OifName, u.Goto, u.Protocol, u.IPProto)
	if u.SuppressPrefixLength != nil {
		s += fmt.Sprintf(" suppress_prefixlength=%d", *u.SuppressPrefixLength)
	}
	return s
}

// Step builders.

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func ip(s string) netip.Addr    { return netip.MustParseAddr(s) }

func do(name string, f func(e *env) error) step {
	return step{name, func(e *env) (string, error) { return "", f(e) }}
}

func veth(a, b string) step {
	return do("veth "+a+" "+b, func(e *env) error {
		return e.c.AddLink(e.ctx, rtnl.Link{Name: a, Info: &rtnl.Veth{PeerName: b}})
	})
}

func kind(name, k string) step {
	return do(k+" "+name, func(e *env) error { return e.c.AddLink(e.ctx, rtnl.Link{Name: name, Kind: k}) })
}

func macvlan(name, parent string) step {
	return do("macvlan "+name+" on "+parent, func(e *env) error {
		return e.c.AddLink(e.ctx, rtnl.Link{Name: name, Parent: e.idx(parent), Info: &rtnl.Macvlan{Mode: rtnl.MacvlanBridge}})
	})
}

func up(name string) step {
	return do("up "+name, func(e *env) error { return e.c.SetLinkUp(e.ctx, e.idx(name)) })
}

func down(name string) step {
	return do("down "+name, func(e *env) error { return e.c.SetLinkDown(e.ctx, e.idx(name)) })
}

func mtu(name string, v uint32) step {
	return do(fmt.Sprintf("mtu %s %d", name, v), func(e *env) error { return e.c.SetLink(e.ctx, e.idx(name), rtnl.LinkChange{MTU: v}) })
}

func rename(from, to string) step {
	return do("rename "+from+" "+to, func(e *env) error { return e.c.SetLink(e.ctx, e.idx(from), rtnl.LinkChange{Name: to}) })
}

func master(name, m string) step {
	return do("master "+name+" "+m, func(e *env) error { return e.c.SetLinkMaster(e.ctx, e.idx(name), e.idx(m)) })
}

func nomaster(name string) step {
	return do("nomaster "+name, func(e *env) error { return e.c.SetLinkNoMaster(e.ctx, e.idx(name)) })
}

func dellink(name string) step {
	return do("dellink "+name, func(e *env) error { return e.c.DeleteLink(e.ctx, e.idx(name)) })
}

// address builds an Address on a named link; IPv6 ones get nodad so that
// they are usable at once in the kernel too.
func (e *env) address(dev, p string, opts ...func(*rtnl.Address)) rtnl.Address {
	a := rtnl.Address{Index: e.idx(dev), Prefix: pfx(p)}
	if a.Prefix.Addr().Is6() {
		a.Flags |= rtnl.AddressNoDAD
	}
	for _, o := range opts {
		o(&a)
	}
	return a
}

func addAddr(dev, p string, opts ...func(*rtnl.Address)) step {
	return do("addr add "+p+" dev "+dev, func(e *env) error {
		err := e.c.AddAddress(e.ctx, e.address(dev, p, opts...))
		if err == nil {
			e.settle6(pfx(p).Addr())
		}
		return err
	})
}

// settle6 waits a little for the local route of a new IPv6 address,
// which the kernel adds from a work queue once DAD is done (at once with
// nodad), so that later steps see it in both worlds.
func (e *env) settle6(a netip.Addr) {
	if !a.Is6() {
		return
	}
	for range 50 {
		rs, _ := netlink.Collect(e.c.Routes(e.ctx, rtnl.RouteFilter{Family: rtnl.FamilyIPv6, Table: rtnl.TableLocal}))
		if slices.ContainsFunc(rs, func(r rtnl.Route) bool { return r.Dst == netip.PrefixFrom(a, 128) }) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func replaceAddr(dev, p string, opts ...func(*rtnl.Address)) step {
	return do("addr replace "+p+" dev "+dev, func(e *env) error { return e.c.ReplaceAddress(e.ctx, e.address(dev, p, opts...)) })
}

func delAddr(dev, p string) step {
	return do("addr del "+p+" dev "+dev, func(e *env) error { return e.c.DeleteAddress(e.ctx, e.address(dev, p)) })
}

// rt describes a route with link names.
type rt struct {
	dst, via, dev, prefsrc string
	table                  rtnl.Table
	metric                 uint32
	typ                    rtnl.RouteType
	proto                  rtnl.Protocol
	onlink                 bool
	nhs                    []nh
	mtu                    uint32
}

type nh struct {
	via, dev string
	weight   int
}

func (e *env) route(r rt) rtnl.Route {
	out := rtnl.Route{Dst: pfx(r.dst), Table: r.table, Priority: r.metric, Type: r.typ, Protocol: r.proto}
	if r.via != "" {
		out.Gateway = ip(r.via)
	}
	if r.dev != "" {
		out.OutIndex = e.idx(r.dev)
	}
	if r.prefsrc != "" {
		out.PrefSrc = ip(r.prefsrc)
	}
	if r.onlink {
		out.Flags |= rtnl.RouteFlagOnLink
	}
	for _, h := range r.nhs {
		n := rtnl.NextHop{Weight: h.weight}
		if h.via != "" {
			n.Gateway = ip(h.via)
		}
		if h.dev != "" {
			n.OutIndex = e.idx(h.dev)
		}
		out.NextHops = append(out.NextHops, n)
	}
	if r.mtu != 0 {
		out.Metrics = &rtnl.Metrics{MTU: r.mtu}
	}
	return out
}

func (r rt) String() string {
	s := r.dst
	if r.typ != 0 {
		s = r.typ.String() + " " + s
	}
	if r.via != "" {
		s += " via " + r.via
	}
	if r.dev != "" {
		s += " dev " + r.dev
	}
	if r.table != 0 {
		s += " table " + r.table.String()
	}
	if r.metric != 0 {
		s += fmt.Sprintf(" metric %d", r.metric)
	}
	for _, h := range r.nhs {
		s += " nexthop " + h.via + " " + h.dev
	}
	return s
}

func addRoute(r rt) step {
	return do("route add "+r.String(), func(e *env) error { return e.c.AddRoute(e.ctx, e.route(r)) })
}

func replaceRoute(r rt) step {
	return do("route replace "+r.String(), func(e *env) error { return e.c.ReplaceRoute(e.ctx, e.route(r)) })
}

func appendRoute(r rt) step {
	return do("route append "+r.String(), func(e *env) error { return e.c.AppendRoute(e.ctx, e.route(r)) })
}

func changeRoute(r rt) step {
	return do("route change "+r.String(), func(e *env) error { return e.c.ChangeRoute(e.ctx, e.route(r)) })
}

func delRoute(r rt) step {
	return do("route del "+r.String(), func(e *env) error { return e.c.DeleteRoute(e.ctx, e.route(r)) })
}

// routeGet looks a destination up and reports the type, table, gateway,
// device and source of the answer.
func routeGet(dst string, mark uint32) step {
	return step{"route get " + dst, func(e *env) (string, error) {
		r, err := e.c.LookupRoute(e.ctx, rtnl.RouteQuery{Dst: ip(dst), Mark: mark})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%v table=%v via=%v dev=%s src=%v", r.Type, r.Table, r.Gateway, e.name(r.OutIndex), r.PrefSrc), nil
	}}
}

func neigh(dev, addr, ll string) rtnl.Neighbor {
	n := rtnl.Neighbor{Addr: ip(addr)}
	if ll != "" {
		n.LinkAddr, _ = net.ParseMAC(ll)
	}
	return n
}

func addNeigh(dev, addr, ll string) step {
	return do("neigh add "+addr+" dev "+dev, func(e *env) error {
		n := neigh(dev, addr, ll)
		n.Index = e.idx(dev)
		return e.c.AddNeighbor(e.ctx, n)
	})
}

func replaceNeigh(dev, addr, ll string, state rtnl.NeighborState) step {
	return do("neigh replace "+addr+" dev "+dev, func(e *env) error {
		n := neigh(dev, addr, ll)
		n.Index, n.State = e.idx(dev), state
		return e.c.ReplaceNeighbor(e.ctx, n)
	})
}

func delNeigh(dev, addr string) step {
	return do("neigh del "+addr+" dev "+dev, func(e *env) error {
		n := neigh(dev, addr, "")
		n.Index = e.idx(dev)
		return e.c.DeleteNeighbor(e.ctx, n)
	})
}

func getNeigh(dev, addr string) step {
	return step{"neigh get " + addr + " dev " + dev, func(e *env) (string, error) {
		n, err := e.c.Neighbor(e.ctx, e.idx(dev), ip(addr))
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%v lladdr=%v %v", n.Addr, n.LinkAddr, n.State), nil
	}}
}

func addRule(u rtnl.Rule) step {
	return do("rule add "+ruleLine(u), func(e *env) error { return e.c.AddRule(e.ctx, u) })
}

func delRule(u rtnl.Rule) step {
	return do("rule del "+ruleLine(u), func(e *env) error { return e.c.DeleteRule(e.ctx, u) })
}

// list dumps with a filter and reports the names or keys found.
func listLinks(f rtnl.LinkFilter, masterName string) step {
	return step{fmt.Sprintf("links kind=%q master=%s", f.Kind, masterName), func(e *env) (string, error) {
		if masterName != "" {
			f.Master = e.idx(masterName)
		}
		ls, err := netlink.Collect(e.c.Links(e.ctx, f))
		var names []string
		for _, l := range ls {
			names = append(names, l.Name)
		}
		return strings.Join(names, ","), err
	}}
}

func listRoutes(f rtnl.RouteFilter, dev string) step {
	return step{fmt.Sprintf("routes %+v dev=%s", f, dev), func(e *env) (string, error) {
		if dev != "" {
			f.OutIndex = e.idx(dev)
		}
		rs, err := netlink.Collect(e.c.Routes(e.ctx, f))
		var keys []string
		for _, r := range rs {
			if r.Family == rtnl.FamilyIPv6 && (r.Dst.Addr().IsLinkLocalUnicast() || r.Dst.Addr().IsMulticast()) {
				continue
			}
			keys = append(keys, fmt.Sprintf("%v/%v/%v", r.Type, r.Dst, r.Table))
		}
		slices.Sort(keys)
		return strings.Join(keys, ","), err
	}}
}

func listAddrs(f rtnl.AddressFilter, dev string) step {
	return step{fmt.Sprintf("addrs %+v dev=%s", f, dev), func(e *env) (string, error) {
		if dev != "" {
			f.Index = e.idx(dev)
		}
		as, err := netlink.Collect(e.c.Addresses(e.ctx, f))
		var keys []string
		for _, a := range as {
			if !a.Prefix.Addr().IsLinkLocalUnicast() {
				keys = append(keys, a.Prefix.String())
			}
		}
		return strings.Join(keys, ","), err
	}}
}

func u32p(v uint32) *uint32 { return &v }

// twoLinks is a veth pair, both up, with an IPv4 and an IPv6 subnet.
var twoLinks = []step{
	veth("va", "vb"), up("va"), up("vb"),
	addAddr("va", "10.1.0.1/24"), addAddr("va", "2001:db8:1::1/64"),
}

func with(base []step, more ...step) []step {
	return append(slices.Clone(base), more...)
}

func diffScenarios() []scenario {
	v4, v6 := rtnl.FamilyIPv4, rtnl.FamilyIPv6
	return []scenario{
		// Links.
		{"veth pair", []step{veth("va", "vb"), up("va"), up("vb"), listLinks(rtnl.LinkFilter{Kind: "veth"}, "")}},
		{"link add twice", []step{veth("va", "vb"), veth("va", "vc"), veth("vc", "vb"), kind("va", "bridge"), kind("ifb0", "ifb")}},
		{"unknown kind", []step{kind("x0", "nosuchkind"), do("no kind", func(e *env) error { return e.c.AddLink(e.ctx, rtnl.Link{Name: "x1"}) })}},
		{"bad names", []step{kind("abcdefghijklmnopq", "ifb"), kind("a/b", "ifb"), kind("ifb%d", "ifb"), kind("ifb%d", "ifb")}},
		{"bridge ports", []step{kind("br0", "bridge"), veth("va", "vb"), master("va", "br0"), up("br0"), up("va"), up("vb"),
			listLinks(rtnl.LinkFilter{}, "br0"), listLinks(rtnl.LinkFilter{Master: -1}, ""), listLinks(rtnl.LinkFilter{Kind: "bridge"}, "")}},
		{"nomaster", []step{kind("br0", "bridge"), veth("va", "vb"), master("va", "br0"), master("va", "br0"), nomaster("va"), nomaster("va")}},
		{"failed master on create", []step{veth("va", "vb"), do("veth with a missing master", func(e *env) error {
			return e.c.AddLink(e.ctx, rtnl.Link{Name: "vc", Master: missingIndex, Info: &rtnl.Veth{PeerName: "vd"}})
		}), do("bridge with a veth master", func(e *env) error {
			return e.c.AddLink(e.ctx, rtnl.Link{Name: "br0", Master: e.idx("va"), Info: &rtnl.Bridge{}})
		})}},
		{"bad masters", []step{kind("br0", "bridge"), kind("br1", "bridge"), veth("va", "vb"),
			do("master va #9999", func(e *env) error { return e.c.SetLinkMaster(e.ctx, e.idx("va"), missingIndex) }),
			master("va", "vb"), master("br1", "br0"), master("lo", "br0"), master("br0", "br0")}},
		{"rename", []step{veth("va", "vb"), rename("va", "wan0"), up("wan0"), rename("wan0", "wan1"), down("wan0"),
			rename("wan0", "vb"), rename("wan0", "a:b"), rename("nosuch", "x")}},
		{"mtu", []step{veth("va", "vb"), mtu("va", 9000), mtu("va", 70000), mtu("va", 50), mtu("lo", 1300), kind("ifb0", "ifb"), mtu("ifb0", 100)}},
		{"bridge mtu follows ports", []step{kind("br0", "bridge"), veth("va", "vb"), veth("vc", "vd"), mtu("va", 9000), mtu("vc", 4000),
			master("va", "br0"), master("vc", "br0"), nomaster("vc"), mtu("va", 3000), nomaster("va")}},
		{"bridge mtu set by user", []step{kind("br0", "bridge"), veth("va", "vb"), mtu("br0", 2000), mtu("va", 9000), master("va", "br0")}},
		{"delete links", []step{veth("va", "vb"), dellink("vb"), dellink("vb"), dellink("lo"),
			do("dellink #9999", func(e *env) error { return e.c.DeleteLink(e.ctx, missingIndex) })}},
		{"delete bridge releases ports", []step{kind("br0", "bridge"), veth("va", "vb"), master("va", "br0"), dellink("br0")}},
		{"macvlan", []step{veth("va", "vb"), mtu("va", 2000), macvlan("mv0", "va"), up("mv0"), up("va"), up("vb"),
			do("macvlan no parent", func(e *env) error { return e.c.AddLink(e.ctx, rtnl.Link{Name: "mv1", Info: &rtnl.Macvlan{}}) }),
			macvlan("mv2", "nosuch"), mtu("mv0", 2500), dellink("va")}},
		{"link get", []step{veth("va", "vb"),
			step{"get va", func(e *env) (string, error) {
				l, err := e.c.LinkByName(e.ctx, "va")
				return fmt.Sprintf("%s %s mtu=%d peer=%s", l.Name, l.Kind, l.MTU, e.name(l.Parent)), err
			}},
			do("get nosuch", func(e *env) error { _, err := e.c.LinkByName(e.ctx, "nosuch"); return err }),
			do("get #9999", func(e *env) error { _, err := e.c.Link(e.ctx, missingIndex); return err })}},
		{"link settings", []step{kind("ifb0", "ifb"), kind("br0", "bridge"),
			do("vxlan", func(e *env) error {
				return e.c.AddLink(e.ctx, rtnl.Link{Name: "vx0", Info: &rtnl.Vxlan{VNI: 42, Port: 4789}})
			}),
			do("vxlan without id", func(e *env) error { return e.c.AddLink(e.ctx, rtnl.Link{Name: "vx1", Kind: "vxlan"}) }),
			do("veth with settings", func(e *env) error {
				return e.c.AddLink(e.ctx, rtnl.Link{Name: "va", MTU: 1400, TxQueueLen: 500, Group: 7, Flags: rtnl.LinkUp,
					Master: e.idx("br0"), Info: &rtnl.Veth{PeerName: "vb", PeerMTU: 1300}})
			}),
			do("alias", func(e *env) error {
				a := "uplink"
				return e.c.SetLink(e.ctx, e.idx("vb"), rtnl.LinkChange{Alias: &a, TxQueueLen: u32p(0), Group: u32p(3)})
			}),
			do("mtu below minimum on create", func(e *env) error {
				return e.c.AddLink(e.ctx, rtnl.Link{Name: "vc", MTU: 20, Info: &rtnl.Veth{PeerName: "vd"}})
			}),
			do("bad peer name", func(e *env) error { return e.c.AddLink(e.ctx, rtnl.Link{Name: "vc", Info: &rtnl.Veth{PeerName: "vc"}}) })}},
		{"bridge carrier", []step{kind("br0", "bridge"), up("br0"), addAddr("br0", "10.5.0.1/24"), addAddr("br0", "2001:db8:5::1/64"),
			veth("va", "vb"), master("va", "br0"), up("va"), listRoutes(rtnl.RouteFilter{}, "br0"), up("vb")}},
		{"point-to-point address", []step{veth("va", "vb"), up("va"), up("vb"),
			addAddr("va", "10.40.0.1/32", func(a *rtnl.Address) { a.Peer = pfx("10.40.0.2/32") }),
			addAddr("va", "10.41.0.1/24", func(a *rtnl.Address) { a.Broadcast = ip("10.41.0.255") }),
			addAddr("va", "10.42.0.1/24", func(a *rtnl.Address) { a.Broadcast = ip("10.42.0.127") })}},
		{"created up", []step{do("veth up", func(e *env) error {
			return e.c.AddLink(e.ctx, rtnl.Link{Name: "va", Flags: rtnl.LinkUp, Info: &rtnl.Veth{PeerName: "vb"}})
		}), addAddr("va", "10.1.0.1/24"), do("macvlan up on a down lower", func(e *env) error {
			return e.c.AddLink(e.ctx, rtnl.Link{Name: "mv0", Parent: e.idx("vb"), Flags: rtnl.LinkUp, Info: &rtnl.Macvlan{}})
		}), addAddr("mv0", "10.2.0.1/24"), up("vb")}},
		{"hardware addresses", []step{do("veth with MAC", func(e *env) error {
			return e.c.AddLink(e.ctx, rtnl.Link{Name: "va", HardwareAddr: net.HardwareAddr{2, 0, 0, 0, 0, 1}, Info: &rtnl.Veth{PeerName: "vb"}})
		}), do("multicast MAC", func(e *env) error {
			return e.c.AddLink(e.ctx, rtnl.Link{Name: "vc", HardwareAddr: net.HardwareAddr{1, 0, 0, 0, 0, 1}, Info: &rtnl.Veth{PeerName: "vd"}})
		}), do("set MAC", func(e *env) error {
			return e.c.SetLink(e.ctx, e.idx("va"), rtnl.LinkChange{HardwareAddr: net.HardwareAddr{2, 0, 0, 0, 0, 2}})
		}), do("set short MAC", func(e *env) error {
			return e.c.SetLink(e.ctx, e.idx("va"), rtnl.LinkChange{HardwareAddr: net.HardwareAddr{2, 0, 0}})
		}), step{"MAC of va", func(e *env) (string, error) {
			l, err := e.c.LinkByName(e.ctx, "va")
			return l.HardwareAddr.String(), err
		}}}},
		{"bridge port goes", []step{kind("br0", "bridge"), veth("va", "vb"), veth("vc", "vd"), mtu("va", 9000), mtu("vc", 9000),
			master("va", "br0"), master("vc", "br0"), up("br0"), up("va"), up("vb"), addAddr("br0", "10.5.0.1/24"),
			addRoute(rt{dst: "10.9.0.0/16", via: "10.5.0.2"}), dellink("vb"), down("br0"), up("br0")}},
		{"small mtu drops IPv6", []step{veth("va", "vb"), up("va"), up("vb"), addAddr("va", "2001:db8:1::1/64"), addAddr("va", "10.1.0.1/24"),
			mtu("va", 1200), addAddr("va", "2001:db8:2::1/64"), mtu("va", 1500), addAddr("va", "2001:db8:2::1/64")}},
		{"up and down", []step{kind("ifb0", "ifb"), up("ifb0"), up("ifb0"), down("ifb0"), down("ifb0"), up("nosuch")}},

		// Addresses.
		{"address on down link", []step{veth("va", "vb"), addAddr("va", "10.1.0.1/24"), addAddr("va", "2001:db8:1::1/64"),
			listRoutes(rtnl.RouteFilter{Family: rtnl.FamilyIPv4, Table: rtnl.TableLocal}, ""), up("va"), up("vb")}},
		{"address twice", []step{veth("va", "vb"), up("va"), addAddr("va", "10.1.0.1/24"), addAddr("va", "10.1.0.1/24"),
			addAddr("va", "10.1.0.1/16"), addAddr("va", "2001:db8:1::1/64"), addAddr("va", "2001:db8:1::1/64"), addAddr("va", "2001:db8:1::1/48"),
			replaceAddr("va", "10.1.0.1/24", func(a *rtnl.Address) { a.Metric = 30 }), replaceAddr("va", "10.1.0.9/24"),
			replaceAddr("va", "2001:db8:1::1/64", func(a *rtnl.Address) { a.Metric = 40 })}},
		{"secondary addresses", []step{veth("va", "vb"), up("va"), addAddr("va", "10.1.0.1/24"), addAddr("va", "10.1.0.2/24"),
			addAddr("va", "10.1.0.3/24"), addAddr("va", "10.2.0.1/24"), delAddr("va", "10.1.0.2/24"), delAddr("va", "10.1.0.1/24")}},
		{"address errors", []step{veth("va", "vb"), delAddr("va", "10.1.0.1/24"), delAddr("va", "2001:db8::1/64"),
			addAddr("nosuch", "10.1.0.1/24"), delAddr("nosuch", "10.1.0.1/24"), addAddr("va", "10.1.0.1/24"), delAddr("va", "10.1.0.1/16"),
			addAddr("va", "2001:db8::1/64"), delAddr("va", "2001:db8::1/96"), addAddr("va", "ff02::5/64"),
			addAddr("va", "10.5.0.1/24", func(a *rtnl.Address) { a.ValidLifetime = rtnl.LifetimeSeconds(0) }),
			addAddr("va", "10.6.0.1/24", func(a *rtnl.Address) {
				a.ValidLifetime, a.PreferredLifetime = rtnl.LifetimeSeconds(100), rtnl.LifetimeSeconds(200)
			})}},
		{"address lifetimes and flags", []step{veth("va", "vb"), up("va"), up("vb"),
			addAddr("va", "10.1.0.1/24", func(a *rtnl.Address) {
				a.ValidLifetime, a.PreferredLifetime = rtnl.LifetimeSeconds(300), rtnl.LifetimeSeconds(100)
			}),
			addAddr("va", "10.2.0.1/24", func(a *rtnl.Address) { a.Flags = rtnl.AddressNoPrefixRoute }),
			addAddr("va", "2001:db8:2::1/64", func(a *rtnl.Address) { a.Flags |= rtnl.AddressNoPrefixRoute }),
			addAddr("va", "10.3.0.1/24", func(a *rtnl.Address) { a.Scope = rtnl.ScopeLink; a.Protocol = 99 }),
			addAddr("va", "10.4.0.1/32"), addAddr("va", "10.5.0.1/31"), addAddr("va", "2001:db8:3::1/128")}},
		{"address metric and label", []step{veth("va", "vb"), up("va"), addAddr("va", "10.3.0.1/24", func(a *rtnl.Address) { a.Metric = 50 }),
			addAddr("va", "10.4.0.1/24", func(a *rtnl.Address) { a.Label = "va:web" }), down("va"), rename("va", "lan0"), up("lan0")}},
		{"link down drops IPv6", []step{veth("va", "vb"), up("va"), up("vb"), addAddr("va", "10.1.0.1/24"), addAddr("va", "2001:db8:1::1/64"),
			addNeigh("va", "10.1.0.7", "02:00:00:00:00:07"), addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}),
			addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2"}), down("va"), up("va")}},
		{"delete link cascades", append(slices.Clone(twoLinks), addNeigh("va", "10.1.0.7", "02:00:00:00:00:07"),
			addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}), addRoute(rt{dst: "10.8.0.0/16", dev: "vb"}),
			addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2"}), dellink("va"))},
		{"address dump filters", with(twoLinks, addAddr("vb", "10.2.0.1/24"),
			listAddrs(rtnl.AddressFilter{Family: v4}, ""), listAddrs(rtnl.AddressFilter{Family: v6}, "va"),
			listAddrs(rtnl.AddressFilter{}, "vb"), listAddrs(rtnl.AddressFilter{}, "nosuch"))},

		{"same address on two links", with(twoLinks, addAddr("vb", "10.1.0.1/24"), addAddr("vb", "2001:db8:1::1/64"),
			delAddr("va", "10.1.0.1/24"), delAddr("va", "2001:db8:1::1/64"))},
		{"address replace flags", with(twoLinks, replaceAddr("va", "2001:db8:1::1/64", func(a *rtnl.Address) { a.Flags |= rtnl.AddressNoPrefixRoute }),
			replaceAddr("va", "2001:db8:1::1/64"), replaceAddr("va", "10.1.0.1/24", func(a *rtnl.Address) { a.Flags |= rtnl.AddressNoPrefixRoute }),
			addAddr("lo", "2001:db8:aa::1/128"), addAddr("lo", "10.255.0.1/32"), addAddr("va", "2001:db8:5::1/127"))},
		{"address removal takes routes", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2", prefsrc: "10.1.0.1"}),
			addRoute(rt{dst: "10.8.0.0/16", via: "10.1.0.2"}), addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2"}),
			delAddr("va", "10.1.0.1/24"), delAddr("va", "2001:db8:1::1/64"))},

		// Routes.
		{"gateway routes", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}), addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}),
			addRoute(rt{dst: "0.0.0.0/0", via: "10.1.0.254", dev: "va"}), addRoute(rt{dst: "::/0", via: "2001:db8:1::fe"}),
			addRoute(rt{dst: "::/0", via: "2001:db8:1::fe"}), addRoute(rt{dst: "10.10.0.0/16", via: "10.1.0.3", dev: "vb"}))},
		{"unreachable gateway", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", via: "10.77.0.1"}),
			addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:77::1"}), addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.1"}),
			addRoute(rt{dst: "10.9.0.0/16", via: "10.77.0.1", dev: "va", onlink: true}),
			addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:77::1", dev: "va", onlink: true}),
			addRoute(rt{dst: "2001:db8:8::/64", via: "fe80::1"}), addRoute(rt{dst: "2001:db8:8::/64", via: "fe80::1", dev: "va"}))},
		{"device missing or down", with(twoLinks, veth("vc", "vd"), addRoute(rt{dst: "10.9.0.0/16", dev: "nosuch"}),
			addRoute(rt{dst: "10.9.0.0/16", dev: "vc"}), addRoute(rt{dst: "2001:db8:9::/64", dev: "vc"}),
			addRoute(rt{dst: "2001:db8:9::/64", dev: "nosuch"}), addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2", dev: "nosuch"}),
			up("vc"), addRoute(rt{dst: "10.9.0.0/16", dev: "vc"}), addRoute(rt{dst: "2001:db8:9::/64", dev: "vc"}))},
		{"bad prefix", with(twoLinks, addRoute(rt{dst: "10.9.0.1/16", dev: "va"}), addRoute(rt{dst: "2001:db8:9::1/64", dev: "va"}),
			delRoute(rt{dst: "10.9.0.1/16"}), addRoute(rt{dst: "10.9.0.0/16", dev: "va", typ: rtnl.RouteLocal}))},
		{"replace and change", with(twoLinks, replaceRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}),
			replaceRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.3"}), replaceRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.3"}),
			changeRoute(rt{dst: "10.8.0.0/16", via: "10.1.0.3"}), changeRoute(rt{dst: "10.9.0.0/16", dev: "va"}),
			replaceRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2"}), replaceRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::3"}),
			changeRoute(rt{dst: "2001:db8:8::/64", via: "2001:db8:1::3"}), addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.4"}))},
		{"append", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}), appendRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.3"}),
			appendRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.3"}), appendRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.4", metric: 5}),
			addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2"}), appendRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::3"}),
			appendRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::3"}), delRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.3"}),
			delRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2"}))},
		{"multipath", with(twoLinks, addAddr("vb", "10.2.0.1/24"), addAddr("vb", "2001:db8:2::1/64"),
			addRoute(rt{dst: "10.9.0.0/16", nhs: []nh{{via: "10.1.0.2", dev: "va", weight: 1}, {via: "10.2.0.2", dev: "vb", weight: 3}}}),
			addRoute(rt{dst: "2001:db8:9::/64", nhs: []nh{{via: "2001:db8:1::2", dev: "va"}, {via: "2001:db8:2::2", dev: "vb"}}}),
			addRoute(rt{dst: "10.8.0.0/16", nhs: []nh{{via: "10.1.0.2", dev: "va"}, {via: "10.66.0.2", dev: "vb"}}}),
			listRoutes(rtnl.RouteFilter{}, "vb"))},
		{"multipath link down", with(twoLinks, veth("vc", "vd"), up("vc"), up("vd"), addAddr("vc", "10.2.0.1/24"), addAddr("vc", "2001:db8:2::1/64"),
			addRoute(rt{dst: "10.9.0.0/16", nhs: []nh{{via: "10.1.0.2", dev: "va"}, {via: "10.2.0.2", dev: "vc"}}}),
			addRoute(rt{dst: "2001:db8:9::/64", nhs: []nh{{via: "2001:db8:1::2", dev: "va"}, {via: "2001:db8:2::2", dev: "vc"}}}),
			down("vc"))},
		{"multipath link deleted", with(twoLinks, veth("vc", "vd"), up("vc"), up("vd"), addAddr("vc", "10.2.0.1/24"), addAddr("vc", "2001:db8:2::1/64"),
			addRoute(rt{dst: "10.9.0.0/16", nhs: []nh{{via: "10.1.0.2", dev: "va"}, {via: "10.2.0.2", dev: "vc"}}}),
			addRoute(rt{dst: "2001:db8:9::/64", nhs: []nh{{via: "2001:db8:1::2", dev: "va"}, {via: "2001:db8:2::2", dev: "vc"}}}),
			dellink("vc"))},
		{"tables above 255", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2", table: 1000}),
			addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2", table: 70000}), addRoute(rt{dst: "0.0.0.0/0", dev: "va", table: 100}),
			delRoute(rt{dst: "10.9.0.0/16", table: 1001}), delRoute(rt{dst: "10.9.0.0/16"}),
			listRoutes(rtnl.RouteFilter{Table: 1000}, ""), listRoutes(rtnl.RouteFilter{Table: 1002}, ""),
			listRoutes(rtnl.RouteFilter{Family: v4, Table: 1002}, ""), listRoutes(rtnl.RouteFilter{Family: v6, Table: 1000}, ""),
			delRoute(rt{dst: "10.9.0.0/16", table: 1000}))},
		{"route types", with(twoLinks, addRoute(rt{dst: "10.20.0.0/16", typ: rtnl.RouteBlackhole}),
			addRoute(rt{dst: "10.21.0.0/16", typ: rtnl.RouteUnreachable}), addRoute(rt{dst: "10.22.0.0/16", typ: rtnl.RouteProhibit}),
			addRoute(rt{dst: "10.23.0.0/16", typ: rtnl.RouteThrow, table: 50}), addRoute(rt{dst: "10.24.0.0/16", typ: rtnl.RouteBlackhole, dev: "va"}),
			addRoute(rt{dst: "2001:db8:20::/48", typ: rtnl.RouteBlackhole}), addRoute(rt{dst: "2001:db8:21::/48", typ: rtnl.RouteUnreachable}),
			addRoute(rt{dst: "2001:db8:22::/48", typ: rtnl.RouteProhibit}),
			listRoutes(rtnl.RouteFilter{Type: rtnl.RouteBlackhole}, ""), delRoute(rt{dst: "10.20.0.0/16", typ: rtnl.RouteUnreachable}),
			delRoute(rt{dst: "10.20.0.0/16"}))},
		{"metrics", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2", metric: 10, mtu: 1400}),
			addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2", metric: 20}), addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.3", metric: 10}),
			addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2", metric: 10, mtu: 1400}),
			addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2", metric: 20}), delRoute(rt{dst: "10.9.0.0/16", metric: 30}),
			delRoute(rt{dst: "10.9.0.0/16", metric: 20}), delRoute(rt{dst: "2001:db8:9::/64", metric: 10}))},
		{"delete missing", with(twoLinks, delRoute(rt{dst: "10.9.0.0/16"}), delRoute(rt{dst: "2001:db8:9::/64"}),
			addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}), delRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.3"}),
			delRoute(rt{dst: "10.9.0.0/16", dev: "vb"}), delRoute(rt{dst: "10.9.0.0/16", proto: rtnl.ProtoBGP}),
			delRoute(rt{dst: "10.9.0.0/16", table: 77}), delRoute(rt{dst: "10.1.0.0/24"}), delRoute(rt{dst: "10.1.0.1/32", table: rtnl.TableLocal, typ: rtnl.RouteLocal}))},
		{"protocols", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2", proto: rtnl.ProtoBGP}),
			addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2"}), addRoute(rt{dst: "2001:db8:8::/64", via: "2001:db8:1::2", proto: rtnl.ProtoStatic}),
			listRoutes(rtnl.RouteFilter{Protocol: rtnl.ProtoBGP}, ""), listRoutes(rtnl.RouteFilter{Protocol: rtnl.ProtoBoot}, ""))},
		{"prefsrc", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2", prefsrc: "10.1.0.1"}),
			addRoute(rt{dst: "10.8.0.0/16", via: "10.1.0.2", prefsrc: "10.1.0.99"}), addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2", prefsrc: "2001:db8:1::1"}),
			addRoute(rt{dst: "2001:db8:8::/64", via: "2001:db8:1::2", prefsrc: "2001:db8:1::99"}))},
		{"route dump filters", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", dev: "vb"}), listRoutes(rtnl.RouteFilter{}, "vb"),
			listRoutes(rtnl.RouteFilter{}, "nosuch"), listRoutes(rtnl.RouteFilter{Family: v4, Table: rtnl.TableMain}, ""),
			listRoutes(rtnl.RouteFilter{Table: 300}, ""), listRoutes(rtnl.RouteFilter{Family: v6, Table: rtnl.TableLocal}, ""),
			listRoutes(rtnl.RouteFilter{Family: v4, Type: rtnl.RouteLocal}, ""), listRoutes(rtnl.RouteFilter{Family: v4, Protocol: rtnl.ProtoKernel}, "va"))},
		{"route get", with(twoLinks, addAddr("va", "10.1.0.5/24"), addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}),
			addRoute(rt{dst: "10.20.0.0/16", typ: rtnl.RouteBlackhole}), addRoute(rt{dst: "10.21.0.0/16", typ: rtnl.RouteUnreachable}),
			addRoute(rt{dst: "10.22.0.0/16", typ: rtnl.RouteProhibit}),
			routeGet("10.9.1.1", 0), routeGet("10.1.0.77", 0), routeGet("10.1.0.1", 0), routeGet("10.1.0.5", 0), routeGet("10.99.0.1", 0),
			routeGet("10.20.0.1", 0), routeGet("10.21.0.1", 0), routeGet("10.22.0.1", 0), routeGet("2001:db8:1::9", 0), routeGet("2001:db8:99::1", 0),
			routeGet("2001:db8:1::1", 0), routeGet("127.0.0.1", 0), routeGet("10.1.0.255", 0))},
		{"link down and up", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}), addRoute(rt{dst: "10.8.0.0/16", typ: rtnl.RouteBlackhole}),
			down("vb"), listRoutes(rtnl.RouteFilter{Family: v4}, ""), down("va"), listRoutes(rtnl.RouteFilter{Family: v4}, ""), up("va"))},

		{"local and scoped routes", with(twoLinks, addRoute(rt{dst: "10.30.0.1/32", dev: "va", typ: rtnl.RouteLocal, table: rtnl.TableLocal}),
			addRoute(rt{dst: "10.31.0.0/24", dev: "va", typ: rtnl.RouteBroadcast, table: rtnl.TableLocal}),
			addRoute(rt{dst: "10.32.0.0/16", dev: "lo"}), addRoute(rt{dst: "2001:db8:30::/64", dev: "lo"}),
			addRoute(rt{dst: "2001:db8:31::1/128", dev: "va", typ: rtnl.RouteLocal, table: rtnl.TableLocal}),
			routeGet("10.30.0.1", 0), routeGet("10.32.1.1", 0))},
		{"ipv6 routes without gateway", with(twoLinks, addRoute(rt{dst: "2001:db8:9::/64", dev: "va"}),
			appendRoute(rt{dst: "2001:db8:9::/64", dev: "vb"}), addRoute(rt{dst: "2001:db8:9::/64", dev: "vb"}),
			// (Appending a sibling after a route without gateway makes the
			// kernel's dump skip that route: not worth a fake.)
			delRoute(rt{dst: "2001:db8:9::/64", dev: "vb"}), replaceRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2"}), appendRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::3", dev: "va"}),
			replaceRoute(rt{dst: "2001:db8:9::/64", dev: "vb"}))},
		{"replace multipath", with(twoLinks, addAddr("vb", "10.2.0.1/24"),
			addRoute(rt{dst: "10.9.0.0/16", nhs: []nh{{via: "10.1.0.2", dev: "va"}, {via: "10.2.0.2", dev: "vb"}}}),
			replaceRoute(rt{dst: "10.9.0.0/16", via: "10.2.0.3"}),
			replaceRoute(rt{dst: "10.9.0.0/16", nhs: []nh{{via: "10.1.0.2", dev: "va", weight: 2}, {via: "10.2.0.2", dev: "vb"}}}),
			delRoute(rt{dst: "10.9.0.0/16", nhs: []nh{{via: "10.1.0.2", dev: "va"}, {via: "10.2.0.2", dev: "vb"}}}),
			delRoute(rt{dst: "10.9.0.0/16", nhs: []nh{{via: "10.1.0.2", dev: "va", weight: 2}, {via: "10.2.0.2", dev: "vb"}}}))},

		{"tos and special tables", with(twoLinks, do("tos route", func(e *env) error {
			return e.c.AddRoute(e.ctx, rtnl.Route{Dst: pfx("10.9.0.0/16"), Gateway: ip("10.1.0.2"), Tos: 0x10})
		}), do("bad tos", func(e *env) error {
			return e.c.AddRoute(e.ctx, rtnl.Route{Dst: pfx("10.9.0.0/16"), Gateway: ip("10.1.0.2"), Tos: 0x11})
		}), addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}), addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2", table: rtnl.TableDefault}),
			delRoute(rt{dst: "10.9.0.0/16"}), do("gateway with link scope", func(e *env) error {
				return e.c.AddRoute(e.ctx, rtnl.Route{Dst: pfx("10.7.0.0/16"), Gateway: ip("10.1.0.2"), Scope: rtnl.ScopeLink})
			}), do("host scope with gateway", func(e *env) error {
				return e.c.AddRoute(e.ctx, rtnl.Route{Dst: pfx("10.7.0.0/16"), Gateway: ip("10.1.0.2"), Scope: rtnl.ScopeHost})
			}), changeRoute(rt{dst: "2001:db8:1::/64", dev: "va", metric: 256}), changeRoute(rt{dst: "2001:db8:77::/64", dev: "va"}))},
		{"routes on a bridge without carrier", []step{kind("br0", "bridge"), up("br0"), addAddr("br0", "10.5.0.1/24"),
			addRoute(rt{dst: "10.9.0.0/16", via: "10.5.0.2"}), addRoute(rt{dst: "10.8.0.0/16", dev: "br0"}),
			addAddr("br0", "2001:db8:5::1/64"), addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:5::2"}), routeGet("10.9.0.1", 0)}},

		{"replace quirks", with(twoLinks, addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}), appendRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.3"}),
			replaceRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.3"}), replaceRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.2"}),
			appendRoute(rt{dst: "10.9.0.0/16", typ: rtnl.RouteUnreachable}), addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.4", metric: 1}),
			replaceRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.5", metric: 1}))},
		{"multipath errors", with(twoLinks, veth("vc", "vd"), addAddr("vc", "10.3.0.1/24"),
			addRoute(rt{dst: "10.9.0.0/16", nhs: []nh{{via: "10.1.0.2", dev: "va"}, {via: "10.3.0.2", dev: "vc"}}}),
			addRoute(rt{dst: "10.9.0.0/16", nhs: []nh{{via: "10.1.0.2", dev: "va"}, {dev: "vc"}}}),
			addRoute(rt{dst: "2001:db8:9::/64", nhs: []nh{{via: "2001:db8:1::2", dev: "va"}, {via: "2001:db8:77::2", dev: "va"}}}),
			addRoute(rt{dst: "10.9.0.0/16", via: "10.1.0.255", dev: "va", onlink: true}),
			addRoute(rt{dst: "2001:db8:9::/64", via: "2001:db8:1::2", dev: "nosuch"}))},
		{"source-specific and lookups", with(twoLinks, do("ipv6 route from", func(e *env) error {
			return e.c.AddRoute(e.ctx, rtnl.Route{Dst: pfx("2001:db8:9::/64"), Src: pfx("2001:db8:1::/64"), Gateway: ip("2001:db8:1::2")})
		}), step{"route get from local", func(e *env) (string, error) {
			r, err := e.c.LookupRoute(e.ctx, rtnl.RouteQuery{Dst: ip("10.1.0.77"), Src: ip("10.1.0.1")})
			return fmt.Sprintf("%v via=%v src=%v prefsrc=%v", r.Type, r.Gateway, r.Src, r.PrefSrc), err
		}}, do("route get from foreign", func(e *env) error {
			_, err := e.c.LookupRoute(e.ctx, rtnl.RouteQuery{Dst: ip("10.1.0.77"), Src: ip("10.99.0.1")})
			return err
		}), step{"route get oif", func(e *env) (string, error) {
			r, err := e.c.LookupRoute(e.ctx, rtnl.RouteQuery{Dst: ip("10.1.0.77"), OutIndex: e.idx("va")})
			return fmt.Sprintf("%v dev=%s", r.Type, e.name(r.OutIndex)), err
		}}, do("route get oif missing", func(e *env) error {
			_, err := e.c.LookupRoute(e.ctx, rtnl.RouteQuery{Dst: ip("10.1.0.77"), OutIndex: missingIndex})
			return err
		}), step{"route get fibmatch", func(e *env) (string, error) {
			r, err := e.c.LookupRoute(e.ctx, rtnl.RouteQuery{Dst: ip("10.1.0.77"), FIBMatch: true})
			return fmt.Sprintf("%v %v table=%v proto=%v dev=%s", r.Type, r.Dst, r.Table, r.Protocol, e.name(r.OutIndex)), err
		}})},
		{"rule defaults", []step{addRule(rtnl.Rule{Family: v4, Priority: 100, Table: 100}), addRule(rtnl.Rule{Family: v4, Table: 101}),
			addRule(rtnl.Rule{Family: v4, Table: 102}), delRule(rtnl.Rule{Family: v4, Priority: 0}), veth("va", "vb"), up("va"),
			addAddr("va", "10.1.0.1/24"), routeGet("10.1.0.1", 0), routeGet("10.1.0.9", 0)}},
		{"addresses with labels and scopes", []step{veth("va", "vb"), up("va"), kind("ifb0", "ifb"), up("ifb0"),
			addAddr("va", "10.1.0.1/24", func(a *rtnl.Address) { a.Label = "foo" }),
			addAddr("va", "10.2.0.1/24", func(a *rtnl.Address) { a.Scope = rtnl.ScopeHost }),
			addAddr("va", "10.2.0.2/24", func(a *rtnl.Address) { a.Scope = rtnl.ScopeLink }),
			addAddr("ifb0", "10.3.0.1/24"), addNeigh("ifb0", "10.3.0.2", "02:00:00:00:00:02"),
			do("delete by label", func(e *env) error {
				return e.c.DeleteAddress(e.ctx, rtnl.Address{Index: e.idx("va"), Prefix: pfx("10.1.0.1/24"), Label: "bar"})
			})}},

		// Neighbours.
		{"neighbours", with(twoLinks, addNeigh("va", "10.1.0.7", "02:00:00:00:00:07"), addNeigh("va", "10.1.0.7", "02:00:00:00:00:08"),
			replaceNeigh("va", "10.1.0.7", "02:00:00:00:00:09", rtnl.NeighborReachable), addNeigh("va", "2001:db8:1::7", "02:00:00:00:00:0a"),
			addNeigh("vb", "10.1.0.8", "02:00:00:00:00:0b"), getNeigh("va", "10.1.0.7"), getNeigh("va", "10.1.0.99"),
			delNeigh("vb", "10.1.0.8"), delNeigh("vb", "10.1.0.8"), delNeigh("va", "2001:db8:1::99"))},
		{"neighbour errors", with(twoLinks, addNeigh("nosuch", "10.1.0.7", "02:00:00:00:00:07"), delNeigh("nosuch", "10.1.0.7"),
			getNeigh("nosuch", "10.1.0.7"), addNeigh("va", "10.1.0.9", ""), addNeigh("va", "10.1.0.10", "02:00:00:00:00:01"),
			replaceNeigh("va", "10.1.0.10", "02:00:00:00:00:02", 0))},
		{"neighbours of a down link", []step{veth("va", "vb"), addNeigh("va", "10.1.0.7", "02:00:00:00:00:07"),
			addNeigh("va", "2001:db8::7", "02:00:00:00:00:07"), up("va"), down("va"), addNeigh("va", "10.1.0.8", "02:00:00:00:00:08")}},
		{"neighbour states and flags", with(twoLinks, replaceNeigh("va", "10.1.0.7", "02:00:00:00:00:07", rtnl.NeighborStale),
			replaceNeigh("va", "10.1.0.8", "02:00:00:00:00:08", rtnl.NeighborNoARP),
			do("router neighbour", func(e *env) error {
				return e.c.AddNeighbor(e.ctx, rtnl.Neighbor{Index: e.idx("va"), Addr: ip("2001:db8:1::9"),
					LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 9}, Flags: rtnl.NeighborRouter, Protocol: rtnl.ProtoZebra})
			}), do("short lladdr", func(e *env) error {
				return e.c.AddNeighbor(e.ctx, rtnl.Neighbor{Index: e.idx("va"), Addr: ip("10.1.0.11"), LinkAddr: net.HardwareAddr{2, 0}})
			}), do("neighbour without link", func(e *env) error {
				return e.c.AddNeighbor(e.ctx, rtnl.Neighbor{Addr: ip("10.1.0.12"), LinkAddr: net.HardwareAddr{2, 0, 0, 0, 0, 12}})
			}), getNeigh("va", "2001:db8:1::9"))},
		{"proxy neighbours", with(twoLinks, do("proxy add", func(e *env) error {
			return e.c.AddNeighbor(e.ctx, rtnl.Neighbor{Index: e.idx("va"), Addr: ip("10.1.0.50"), Flags: rtnl.NeighborProxy})
		}), do("proxy add again", func(e *env) error {
			return e.c.AddNeighbor(e.ctx, rtnl.Neighbor{Index: e.idx("va"), Addr: ip("10.1.0.50"), Flags: rtnl.NeighborProxy})
		}), do("proxy del", func(e *env) error {
			return e.c.DeleteNeighbor(e.ctx, rtnl.Neighbor{Index: e.idx("va"), Addr: ip("10.1.0.51"), Flags: rtnl.NeighborProxy})
		}), do("proxy add v6", func(e *env) error {
			return e.c.AddNeighbor(e.ctx, rtnl.Neighbor{Index: e.idx("vb"), Addr: ip("2001:db8::50"), Flags: rtnl.NeighborProxy})
		}), dellink("vb"))},

		// Rules.
		{"rules with priorities", []step{addRule(rtnl.Rule{Family: v4, Priority: 100, Table: 100}), addRule(rtnl.Rule{Family: v4, Priority: 100, Table: 100}),
			addRule(rtnl.Rule{Family: v4, Priority: 100, Table: 101}), addRule(rtnl.Rule{Src: pfx("10.0.0.0/8"), Priority: 90, Table: 102}),
			addRule(rtnl.Rule{Src: pfx("10.0.0.0/8"), Priority: 90, Table: 102}), addRule(rtnl.Rule{Family: v4, Table: 103}),
			addRule(rtnl.Rule{Family: v4, Table: 103}), addRule(rtnl.Rule{Family: v6, Table: 104}), addRule(rtnl.Rule{Dst: pfx("2001:db8::/32"), Priority: 5, Table: 105})}},
		{"rule selectors", []step{addRule(rtnl.Rule{Family: v4, Priority: 10, Table: 10, Mark: 0x10}),
			addRule(rtnl.Rule{Family: v4, Priority: 11, Table: 11, Mark: 0x20, Mask: 0xf0}), addRule(rtnl.Rule{Family: v4, Priority: 12, Table: 12, IifName: "va", Invert: true}),
			addRule(rtnl.Rule{Family: v4, Priority: 13, Table: 13, OifName: "vb"}), addRule(rtnl.Rule{Family: v4, Priority: 14, Action: rtnl.RuleActionUnreachable}),
			addRule(rtnl.Rule{Family: v6, Priority: 15, Table: 15, IPProto: 6, DstPorts: rtnl.PortRange{Start: 80, End: 80}}),
			addRule(rtnl.Rule{Family: v4, Priority: 16, Table: 16, SuppressPrefixLength: u32p(0)}),
			addRule(rtnl.Rule{Family: v4, Priority: 17, Table: 17, Protocol: rtnl.ProtoStatic}),
			addRule(rtnl.Rule{Family: v4, Priority: 18, Table: 1000})}},
		{"rule errors", []step{addRule(rtnl.Rule{Priority: 10, Table: 10}), addRule(rtnl.Rule{Family: v4, Priority: 20, Goto: 10}),
			addRule(rtnl.Rule{Family: v4, Priority: 20, Goto: 30}), addRule(rtnl.Rule{Family: v4, Priority: 21, Table: 5, Action: rtnl.RuleActionGoto}),
			delRule(rtnl.Rule{Family: v4, Priority: 55}), delRule(rtnl.Rule{Family: v6, Table: 99}), delRule(rtnl.Rule{Family: v4, Priority: 20}),
			addRule(rtnl.Rule{Family: v6, Priority: 10, Action: rtnl.RuleActionLookup})}},
		{"delete default rules", []step{delRule(rtnl.Rule{Family: v4, Priority: 32767}), delRule(rtnl.Rule{Family: v4, Table: rtnl.TableMain}),
			delRule(rtnl.Rule{Family: v4, Table: rtnl.TableMain}), delRule(rtnl.Rule{Family: v6, Priority: 32766}),
			addRule(rtnl.Rule{Family: v4, Table: 200})}},
		{"rule details", []step{addRule(rtnl.Rule{Family: v4, Priority: 10, Table: 10, IifName: "va", OifName: "vb"}),
			addRule(rtnl.Rule{Family: v4, Priority: 20, Action: rtnl.RuleActionGoto, Goto: 30}), addRule(rtnl.Rule{Family: v4, Priority: 30, Action: rtnl.RuleActionNop}),
			addRule(rtnl.Rule{Family: v4, Priority: 40, Table: 40, SuppressIfGroup: u32p(5)}), addRule(rtnl.Rule{Family: v4, Priority: 50, Table: 50, UIDRange: &rtnl.UIDRange{Start: 1000, End: 2000}}),
			addRule(rtnl.Rule{Family: v4, Priority: 60, Table: 60}), addRule(rtnl.Rule{Family: v4, Priority: 60, Table: 61}),
			delRule(rtnl.Rule{Family: v4, Table: 61}), delRule(rtnl.Rule{Family: v4, Priority: 60}),
			addRule(rtnl.Rule{Family: v6, Priority: 70, Src: pfx("2001:db8::/32"), Table: 70}), delRule(rtnl.Rule{Family: v6, Src: pfx("2001:db8::/48")}),
			delRule(rtnl.Rule{Family: v6, Src: pfx("2001:db8::/32")}), addRule(rtnl.Rule{Family: v4, Priority: 80, Dst: pfx("10.0.0.0/8"), Tos: 0x10, Table: 80}),
			addRule(rtnl.Rule{Family: v4, Priority: 80, Dst: pfx("10.0.0.0/8"), Tos: 0x10, Table: 80})}},
		{"policy routing", with(twoLinks, addAddr("vb", "10.2.0.1/24"), addRoute(rt{dst: "0.0.0.0/0", via: "10.1.0.254"}),
			addRoute(rt{dst: "0.0.0.0/0", via: "10.2.0.254", table: 100}), addRule(rtnl.Rule{Family: v4, Priority: 100, Mark: 1, Table: 100}),
			addRule(rtnl.Rule{Family: v4, Priority: 101, Dst: pfx("10.66.0.0/16"), Action: rtnl.RuleActionProhibit}),
			addRule(rtnl.Rule{Family: v4, Priority: 102, Dst: pfx("10.67.0.0/16"), Action: rtnl.RuleActionBlackhole}),
			routeGet("192.0.2.1", 0), routeGet("192.0.2.1", 1), routeGet("10.66.1.1", 0), routeGet("10.67.1.1", 0),
			addRoute(rt{dst: "0.0.0.0/0", via: "10.1.0.253", table: 100}), addRoute(rt{dst: "10.50.0.0/16", via: "10.2.0.9", table: 100}),
			addRoute(rt{dst: "10.51.0.0/16", via: "10.50.0.1", table: 100}))},
		{"ipv6 policy routing", with(twoLinks, addAddr("vb", "2001:db8:2::1/64"), addRoute(rt{dst: "::/0", via: "2001:db8:1::fe"}),
			addRoute(rt{dst: "::/0", via: "2001:db8:2::fe", table: 200}), addRule(rtnl.Rule{Family: v6, Priority: 100, Mark: 2, Table: 200}),
			routeGet("2001:db8:77::1", 0), routeGet("2001:db8:77::1", 2))},
	}
}
