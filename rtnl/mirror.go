package rtnl

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nlkit/nlkit/netlink"
)

// MirrorConfig says what a Mirror keeps and how it reaches the kernel.
type MirrorConfig struct {
	// Netlink configures both sockets (namespace, buffers...). nil: the
	// current namespace with an 8 MiB notification buffer.
	Netlink *netlink.Config

	// The tables to keep. All false means all four.
	Links, Addresses, Routes, Neighbors bool

	// OnEvent, if set, is called after each change is applied, from the
	// goroutine running Run. It must not block for long: notifications
	// queue in the kernel meanwhile, and a full buffer means a resync.
	OnEvent func(Event)

	// OnResync, if set, is called after each full or partial re-read
	// from the kernel (the initial one included), from Run's goroutine.
	OnResync func()

	// DumpAttempts bounds the retries of a dump interrupted by
	// concurrent changes (default 10).
	DumpAttempts int

	// Dial opens the Mirror's two sockets; nil: the kernel's.
	Dial DialFunc
}

// MirrorStats counts what a Mirror went through. Fields only grow.
type MirrorStats struct {
	Events   uint64 // change events applied
	Overruns uint64 // notification losses reported by the kernel
	Resyncs  uint64 // full re-reads (the initial one included)
	Partial  uint64 // re-reads of single tables (after link removal, ambiguous deletions)
	Retries  uint64 // dumps redone because the kernel flagged them interrupted
}

// Mirror keeps a consistent in-memory copy of route-netlink tables: it
// dumps them, then applies change notifications, and re-reads everything
// by itself whenever notifications were lost (ENOBUFS) so that, once
// changes stop, its snapshot equals a fresh dump. Run drives it; the
// snapshot methods may be called from any goroutine at any time.
type Mirror struct {
	cfg    MirrorConfig
	ready  chan struct{}
	once   sync.Once
	events atomic.Uint64
	overr  atomic.Uint64
	resync atomic.Uint64
	part   atomic.Uint64
	retry  atomic.Uint64

	mu     sync.RWMutex
	links  map[int32]Link
	addrs  map[addrKey]Address
	routes map[routeKey]Route
	neighs map[neighKey]Neighbor
}

type addrKey struct {
	index        int32
	prefix, peer netip.Prefix
}

type neighKey struct {
	index int32
	fam   Family
	addr  netip.Addr
	proxy bool
}

// routeKey identifies a route the way the kernel tells routes apart: for
// IPv6 by table, destination, source and metric (paths to the same
// destination are merged into one multipath route); for IPv4 also by TOS
// and type and by the paths, since "append" adds routes that differ only
// in their gateway.
type routeKey struct {
	fam      Family
	table    Table
	dst, src netip.Prefix
	tos      uint8
	prio     uint32
	typ      RouteType
	paths    string
}

func keyOfRoute(r *Route) routeKey {
	k := routeKey{fam: r.Family, table: r.Table, dst: r.Dst, src: r.Src, prio: r.Priority}
	if r.Family == FamilyIPv6 {
		return k
	}
	k.tos, k.typ = r.Tos, r.Type
	var b strings.Builder
	b.WriteString(r.Gateway.String())
	b.WriteByte('@')
	b.WriteString(strconv.Itoa(int(r.OutIndex)))
	for _, nh := range r.NextHops {
		b.WriteByte(',')
		b.WriteString(nh.Gateway.String())
		b.WriteByte('@')
		b.WriteString(strconv.Itoa(int(nh.OutIndex)))
	}
	k.paths = b.String()
	return k
}

// replaceScope reports whether two IPv4 keys name the same route slot, the
// one NLM_F_REPLACE overwrites: table, destination, TOS and metric.
func (k routeKey) replaceScope() routeKey {
	return routeKey{fam: k.fam, table: k.table, dst: k.dst, src: k.src, tos: k.tos, prio: k.prio}
}

// NewMirror returns a Mirror for cfg; call Run to fill and maintain it.
func NewMirror(cfg MirrorConfig) *Mirror {
	if !cfg.Links && !cfg.Addresses && !cfg.Routes && !cfg.Neighbors {
		cfg.Links, cfg.Addresses, cfg.Routes, cfg.Neighbors = true, true, true, true
	}
	if cfg.DumpAttempts <= 0 {
		cfg.DumpAttempts = 10
	}
	return &Mirror{cfg: cfg, ready: make(chan struct{}),
		links: map[int32]Link{}, addrs: map[addrKey]Address{}, routes: map[routeKey]Route{}, neighs: map[neighKey]Neighbor{}}
}

// Ready is closed once the initial read is complete.
func (m *Mirror) Ready() <-chan struct{} { return m.ready }

// Stats returns the counters.
func (m *Mirror) Stats() MirrorStats {
	return MirrorStats{Events: m.events.Load(), Overruns: m.overr.Load(), Resyncs: m.resync.Load(), Partial: m.part.Load(), Retries: m.retry.Load()}
}

// Run subscribes, reads the tables and keeps them current until ctx ends
// or an error that cannot be recovered from (the sockets failing). It
// returns ctx's error in the normal case. Run once per Mirror.
func (m *Mirror) Run(ctx context.Context) error {
	var base netlink.Config
	if m.cfg.Netlink != nil {
		base = *m.cfg.Netlink
	}
	wcfg := base
	if wcfg.ReceiveBuffer == 0 {
		wcfg.ReceiveBuffer = 8 << 20
	}
	var groups []Group
	if m.cfg.Links {
		groups = append(groups, GroupLink)
	}
	if m.cfg.Addresses {
		groups = append(groups, GroupIPv4Addr, GroupIPv6Addr)
	}
	if m.cfg.Routes {
		groups = append(groups, GroupIPv4Route, GroupIPv6Route)
	}
	if m.cfg.Neighbors {
		groups = append(groups, GroupNeighbor)
	}
	base.Groups = nil
	dial := m.cfg.Dial
	if dial == nil {
		dial = dialKernel
	}
	nl, err := dial(&base)
	if err != nil {
		return fmt.Errorf("rtnl: mirror: %w", err)
	}
	c := NewConn(nl)
	defer c.Close()
	for {
		// Subscribe before reading, so that no change falls between the
		// two. After a loss, subscribe afresh: the notifications still
		// queued on the old socket are older than the new snapshot, and
		// one of them (a route's creation whose removal was the message
		// dropped) would otherwise bring back what is gone.
		watch, err := dialWatch(m.cfg.Dial, &wcfg, groups)
		if err != nil {
			return err
		}
		lost, err := m.follow(ctx, c, watch)
		watch.Close()
		if err != nil {
			return err
		}
		if !lost {
			return ctx.Err()
		}
	}
}

// follow reads the tables, then applies the notifications of watch until
// one is lost or unreadable (lost is true: the caller resubscribes) or ctx
// ends.
func (m *Mirror) follow(ctx context.Context, c *Conn, watch *netlink.Conn) (lost bool, err error) {
	if err := m.reload(ctx, c, m.cfg.Links, m.cfg.Addresses, m.cfg.Routes, m.cfg.Neighbors); err != nil {
		return false, err
	}
	m.resync.Add(1)
	m.once.Do(func() { close(m.ready) })
	for n, err := range watch.Receive(ctx) {
		if errors.Is(err, netlink.ErrOverrun) {
			m.overr.Add(1)
			return true, nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			return false, err
		}
		ev, ok, err := DecodeEvent(n.Message)
		if err != nil {
			return true, nil // a change we cannot read: read everything again
		}
		if !ok || (ev.Kind == EventRoute && ev.Route.Flags&RouteFlagCloned != 0) {
			continue
		}
		ev.NSID = n.NSID
		if dirty := m.apply(ev); dirty != (tables{}) {
			// Changes the kernel makes without telling: re-read those
			// tables. The notifications queued meanwhile are all there
			// (nothing was lost), so applying them in order converges.
			if err := m.reload(ctx, c, false, dirty.addrs, dirty.routes, dirty.neighs); err != nil {
				return false, err
			}
			m.part.Add(1)
		}
		m.events.Add(1)
		if m.cfg.OnEvent != nil {
			m.cfg.OnEvent(ev)
		}
	}
	return false, nil
}

type tables struct{ addrs, routes, neighs bool }

// apply applies one change and says which tables the kernel may have
// changed without telling (IPv4 routes through a removed or downed link
// are dropped silently).
func (m *Mirror) apply(ev Event) (dirty tables) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch ev.Kind {
	case EventLink:
		if !m.cfg.Links {
			break
		}
		old, had := m.links[ev.Link.Index]
		if ev.Deleted {
			delete(m.links, ev.Link.Index)
			dirty = tables{addrs: m.cfg.Addresses, routes: m.cfg.Routes, neighs: m.cfg.Neighbors}
			break
		}
		m.links[ev.Link.Index] = ev.Link
		if had && old.Flags&LinkUp != 0 && ev.Link.Flags&LinkUp == 0 {
			dirty = tables{routes: m.cfg.Routes, neighs: m.cfg.Neighbors}
		}
	case EventAddress:
		if !m.cfg.Addresses {
			break
		}
		k := addrKey{ev.Address.Index, ev.Address.Prefix, ev.Address.Peer}
		if ev.Deleted {
			delete(m.addrs, k)
		} else {
			m.addrs[k] = ev.Address
		}
	case EventRoute:
		if !m.cfg.Routes {
			break
		}
		k := keyOfRoute(&ev.Route)
		if ev.Deleted {
			if old, ok := m.routes[k]; ok && len(old.NextHops) > len(ev.Route.NextHops) && ev.Route.Family == FamilyIPv6 {
				// One path of a multipath route went: re-read to see what is left.
				dirty.routes = true
			}
			delete(m.routes, k)
			break
		}
		if ev.Flags&netlink.Replace != 0 && ev.Route.Family == FamilyIPv4 {
			// The route took the slot of another with the same table,
			// destination, TOS and metric (a different gateway, say).
			scope := k.replaceScope()
			var matches []routeKey
			for ok := range m.routes {
				if ok.replaceScope() == scope {
					matches = append(matches, ok)
				}
			}
			if len(matches) == 1 {
				delete(m.routes, matches[0])
			} else if len(matches) > 1 {
				// Appended siblings: the kernel replaced the first, which
				// only a re-read can tell.
				dirty.routes = true
			}
		}
		m.routes[k] = ev.Route
	case EventNeighbor:
		if !m.cfg.Neighbors {
			break
		}
		k := neighKey{ev.Neighbor.Index, ev.Neighbor.Family, ev.Neighbor.Addr, ev.Neighbor.Flags&NeighborProxy != 0}
		if ev.Deleted {
			delete(m.neighs, k)
		} else {
			m.neighs[k] = ev.Neighbor
		}
	}
	return dirty
}

// reload re-reads the chosen tables and swaps them in whole.
func (m *Mirror) reload(ctx context.Context, c *Conn, links, addrs, routes, neighs bool) error {
	attempts := m.cfg.DumpAttempts
	retry := func(fn func() error) error {
		n := 0
		err := netlink.RetryInterrupted(ctx, attempts, func() error {
			if n++; n > 1 {
				m.retry.Add(1)
			}
			return fn()
		})
		if err != nil {
			return fmt.Errorf("rtnl: mirror: %w", err)
		}
		return nil
	}
	if links {
		next := map[int32]Link{}
		if err := retry(func() error {
			clear(next)
			for l, err := range c.Links(ctx, LinkFilter{}) {
				if err != nil {
					return err
				}
				next[l.Index] = l
			}
			return nil
		}); err != nil {
			return err
		}
		m.mu.Lock()
		m.links = next
		m.mu.Unlock()
	}
	if addrs {
		next := map[addrKey]Address{}
		if err := retry(func() error {
			clear(next)
			for a, err := range c.Addresses(ctx, AddressFilter{}) {
				if err != nil {
					return err
				}
				next[addrKey{a.Index, a.Prefix, a.Peer}] = a
			}
			return nil
		}); err != nil {
			return err
		}
		m.mu.Lock()
		m.addrs = next
		m.mu.Unlock()
	}
	if routes {
		next := map[routeKey]Route{}
		if err := retry(func() error {
			clear(next)
			for r, err := range c.Routes(ctx, RouteFilter{}) {
				if err != nil {
					return err
				}
				if r.Flags&RouteFlagCloned == 0 {
					next[keyOfRoute(&r)] = r
				}
			}
			return nil
		}); err != nil {
			return err
		}
		m.mu.Lock()
		m.routes = next
		m.mu.Unlock()
	}
	if neighs {
		next := map[neighKey]Neighbor{}
		if err := retry(func() error {
			clear(next)
			for _, proxy := range []bool{false, true} {
				for n, err := range c.Neighbors(ctx, NeighborFilter{Proxy: proxy}) {
					if err != nil {
						return err
					}
					next[neighKey{n.Index, n.Family, n.Addr, n.Flags&NeighborProxy != 0}] = n
				}
			}
			return nil
		}); err != nil {
			return err
		}
		m.mu.Lock()
		m.neighs = next
		m.mu.Unlock()
	}
	if m.cfg.OnResync != nil {
		m.cfg.OnResync()
	}
	return nil
}

// Links returns a copy of the mirrored links, by index. The copy is
// shallow: a Link's slices and pointers (hardware addresses, AltNames,
// Info, Port) are the mirror's own and must be treated as read-only.
func (m *Mirror) Links() []Link {
	m.mu.RLock()
	out := make([]Link, 0, len(m.links))
	for _, l := range m.links {
		out = append(out, l)
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Link) int { return cmp.Compare(a.Index, b.Index) })
	return out
}

// Addresses returns a copy of the mirrored addresses, by link and address.
func (m *Mirror) Addresses() []Address {
	m.mu.RLock()
	out := make([]Address, 0, len(m.addrs))
	for _, a := range m.addrs {
		out = append(out, a)
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Address) int {
		return cmp.Or(cmp.Compare(a.Index, b.Index), a.Prefix.Addr().Compare(b.Prefix.Addr()), cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits()))
	})
	return out
}

// Routes returns a copy of the mirrored routes (cache entries excluded),
// by family, table, destination and metric. The copy is deep: changing a
// returned route's Metrics or NextHops (to send it back changed, say)
// does not change the mirror.
func (m *Mirror) Routes() []Route {
	m.mu.RLock()
	out := make([]Route, 0, len(m.routes))
	for _, r := range m.routes {
		out = append(out, r.clone())
	}
	m.mu.RUnlock()
	slices.SortFunc(out, compareRoutes)
	return out
}

func compareRoutes(a, b Route) int {
	return cmp.Or(cmp.Compare(a.Family, b.Family), cmp.Compare(a.Table, b.Table),
		a.Dst.Addr().Compare(b.Dst.Addr()), cmp.Compare(a.Dst.Bits(), b.Dst.Bits()),
		cmp.Compare(a.Tos, b.Tos), cmp.Compare(a.Priority, b.Priority),
		strings.Compare(keyOfRoute(&a).paths, keyOfRoute(&b).paths))
}

// Neighbors returns a copy of the mirrored neighbour entries, proxy
// entries included, by link and address. The copy is deep: each LinkAddr
// is the caller's.
func (m *Mirror) Neighbors() []Neighbor {
	m.mu.RLock()
	out := make([]Neighbor, 0, len(m.neighs))
	for _, n := range m.neighs {
		n.LinkAddr = bytes.Clone(n.LinkAddr)
		out = append(out, n)
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Neighbor) int {
		return cmp.Or(cmp.Compare(a.Index, b.Index), a.Addr.Compare(b.Addr), cmp.Compare(a.Flags&NeighborProxy, b.Flags&NeighborProxy))
	})
	return out
}
