package rtnl

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
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

	// Dialer is where the Mirror's two sockets come from (see Dialer);
	// nil: the kernel's. An rtnltest.Fake runs a Mirror without root.
	Dialer Dialer
}

// MirrorStats counts what a Mirror went through. Fields only grow.
type MirrorStats struct {
	Events   uint64 // change events applied
	Overruns uint64 // notification losses reported by the kernel
	Resyncs  uint64 // full re-reads (the initial one included)
	Partial  uint64 // re-reads of single tables (changes the kernel makes silently, ambiguous notifications)
	Retries  uint64 // dumps redone because the kernel flagged them interrupted
}

// Mirror keeps a consistent in-memory copy of route-netlink tables: it
// dumps them, then applies change notifications, and re-reads everything
// by itself whenever notifications were lost (ENOBUFS) so that, once
// changes stop, its snapshot equals a fresh dump. Run drives it; the
// snapshot methods may be called from any goroutine at any time.
//
// Objects are keyed as the kernel keys them: links by index, addresses by
// Address.Key, routes by Route.Key, neighbour entries by Neighbor.Key (see
// AddressKey, RouteKey and NeighborKey for the kernel's rules). Where a
// notification does not say which object changed, the Mirror re-reads
// the table rather than guess (a path added to or removed from an IPv6
// multipath route, an NLM_F_REPLACE among several routes of one slot), as
// it does after the changes the kernel makes without notifying: routes
// removed or flagged dead or linkdown when a link goes down, loses its
// carrier or its last IPv4 address, and revived when it comes back; IPv6
// preferred sources dropped with their address; IPv6 route MTUs following
// the link's; addresses and neighbour entries of a removed link. Stats
// counts those re-reads as Partial.
//
// What the Mirror keeps is what the kernel announces: IPv4 and IPv6
// addresses, routes (not the cache, RTM_F_CLONED) and neighbour entries,
// and links as AF_UNSPEC describes them. The kernel makes some neighbour
// entries without telling, so they are left out: proxy entries (NTF_PROXY;
// Linux 6.18 sends no notification when they are added or removed), entries
// in state none or incomplete (made while resolving), and entries for
// multicast and broadcast addresses (ndm_type other than unicast, made when
// the kernel sends to them: MLD and IGMP reports, router solicitations).
// Bridge port and forwarding database notifications (AF_BRIDGE) are not
// applied either.
type Mirror struct {
	cfg    MirrorConfig
	ready  chan struct{}
	once   sync.Once
	events atomic.Uint64
	overr  atomic.Uint64
	resync atomic.Uint64
	part   atomic.Uint64
	retry  atomic.Uint64

	mu sync.RWMutex
	// links is kept whatever cfg says: link changes tell which tables the
	// kernel changed silently.
	links map[int32]Link
	// addrs is kept for Addresses, and for Routes: a link's first and
	// last IPv4 address change routes silently.
	addrs  map[AddressKey]Address
	addrs4 map[int32]int // IPv4 addresses per link
	// unverified holds the links read from a dump or a lookup and not
	// yet notified since: a dump runs beside the kernel's changes, and
	// may see a link's new state before the kernel has changed the
	// routes that follow it, so the next notification of such a link
	// re-reads the routes even if it shows no change.
	unverified map[int32]bool
	routes     routeTable
	neighs     map[NeighborKey]Neighbor
}

// routeTable holds routes by key, with an index of the keys of each slot.
type routeTable struct {
	byKey map[RouteKey]Route
	// dups holds the routes a dump gave beyond the first under one key
	// (the IPv6 replace quirk of RouteKey); any change to such a key is
	// resolved by a re-read.
	dups  map[RouteKey][]Route
	slots map[RouteKey][]slotKey
}

// slotKey is a key in its slot's index.
type slotKey struct {
	key RouteKey
	// notified: a notification put the route in since its table was last
	// read. Such a notification may be older than the read, so what it
	// describes may be gone, taken away by a replace whose notification
	// says only what came in.
	notified bool
}

func newRouteTable() routeTable {
	return routeTable{byKey: map[RouteKey]Route{}, dups: map[RouteKey][]Route{}, slots: map[RouteKey][]slotKey{}}
}

// add adds a route read from a dump, keeping a second one with the same
// key.
func (t *routeTable) add(k RouteKey, r Route) {
	if _, ok := t.byKey[k]; ok {
		t.dups[k] = append(t.dups[k], r)
		return
	}
	t.set(k, r)
}

// set puts r under k.
func (t *routeTable) set(k RouteKey, r Route) {
	if _, ok := t.byKey[k]; !ok {
		s := k.slot()
		t.slots[s] = append(t.slots[s], slotKey{key: k})
	}
	t.byKey[k] = r
}

// del removes k.
func (t *routeTable) del(k RouteKey) {
	if _, ok := t.byKey[k]; !ok {
		return
	}
	delete(t.byKey, k)
	delete(t.dups, k)
	s := k.slot()
	keys := slices.DeleteFunc(t.slots[s], func(o slotKey) bool { return o.key == k })
	if len(keys) == 0 {
		delete(t.slots, s)
	} else {
		t.slots[s] = keys
	}
}

// anyDup reports whether k or a key of slot is held more than once.
func (t *routeTable) anyDup(k RouteKey, slot []slotKey) bool {
	if len(t.dups[k]) > 0 {
		return true
	}
	for _, o := range slot {
		if len(t.dups[o.key]) > 0 {
			return true
		}
	}
	return false
}

// apply applies a route notification and reports whether the table must
// be re-read instead, because the notification does not say which routes
// it changed.
func (t *routeTable) apply(r Route, deleted bool, flags netlink.Flags) (reread bool) {
	k := keyOfRoute(&r)
	if reread = t.applyKey(k, r, deleted, flags); !reread && !deleted {
		// The slot as applyKey left it: it may have added k.
		slot := t.slots[k.slot()]
		for i := range slot {
			if slot[i].key == k {
				slot[i].notified = true
			}
		}
	}
	return reread
}

// applyKey is apply for r, whose key is k, without marking k notified.
func (t *routeTable) applyKey(k RouteKey, r Route, deleted bool, flags netlink.Flags) (reread bool) {
	slot := t.slots[k.slot()]
	if t.anyDup(k, slot) {
		return true
	}
	if r.Family == FamilyIPv6 {
		return t.apply6(k, r, slot, deleted, flags)
	}
	if deleted {
		// RTM_DELROUTE describes the whole alias it removed.
		t.del(k)
		return false
	}
	if flags&netlink.Replace != 0 {
		// fib_table_insert replaced the first alias with the same TOS
		// and metric, whatever its type. Which one, the notification
		// does not say; nor whether it is older than the last re-read of
		// the table, in which case the alias replaced is gone already
		// and the others of the slot must stay. So re-read, unless the
		// slot holds nothing else, or holds the new route already: the
		// kernel never replaces an alias by an equal one, so then the
		// notification is older than the last re-read, which holds its
		// effect, but for aliases older notifications put back since:
		// ones this replace may have taken away.
		_, held := t.byKey[k]
		for _, o := range slot {
			if o.key != k && (!held || o.notified) {
				return true
			}
		}
	}
	t.set(k, r)
	return false
}

// apply6 applies an IPv6 route notification (see apply and RouteKey).
func (t *routeTable) apply6(k RouteKey, r Route, slot []slotKey, deleted bool, flags netlink.Flags) (reread bool) {
	paths := routePaths(&r)
	if deleted {
		if old, ok := t.byKey[k]; ok {
			if samePaths(routePaths(&old), paths) {
				t.del(k)
				// Linux 6.18's dumps skip the entries that sit between
				// the paths of a group in the kernel's list: with the
				// group gone, a re-read shows them again.
				return hidesEntries(&old)
			}
			return true // paths of a multipath route: which are left?
		}
		for _, o := range slot {
			if old := t.byKey[o.key]; sharePath(routePaths(&old), paths) {
				return true // a path of a group its key did not name
			}
		}
		return false // gone already: older than the last re-read
	}
	if flags&netlink.Replace != 0 {
		// fib6_add_rt2node replaced the first entry of the slot that
		// qualifies for ECMP as the new one does, failing that the
		// first entry of the slot; a replaced group goes whole. Unless
		// that is the new route's own key, re-read: the kernel's order
		// decides among several, and a notification older than the last
		// re-read would take away an entry that is there.
		var same, other []slotKey
		for _, o := range slot {
			if o.key.ecmpGroup() == k.ecmpGroup() {
				same = append(same, o)
			} else {
				other = append(other, o)
			}
		}
		replaced := same
		if len(same) == 0 {
			replaced = other
		}
		if len(replaced) > 1 || len(replaced) == 1 && replaced[0].key != k {
			return true
		}
		if len(same) == 1 {
			// It replaced the new route's own key, held already: from a
			// re-read later than the replace, if the entries of the other
			// class came since by notification (older than the re-read
			// too), the kernel may have replaced one of them instead.
			for _, o := range other {
				if o.notified {
					return true
				}
			}
		}
		if old, ok := t.byKey[k]; ok && hidesEntries(&old) {
			return true // see the deletion above
		}
		if len(r.NextHops) > 1 && len(slot) > len(replaced) {
			// A multipath replace also removes the entries that follow
			// the one it replaces at that metric (seen on Linux 6.18),
			// in the kernel's order.
			return true
		}
	} else if old, ok := t.byKey[k]; ok && !samePaths(routePaths(&old), paths) {
		// A path joined the group: the notification lists the group
		// starting with the new path, not in the order of a dump.
		return true
	}
	// No two entries of a slot share a path (rt6_duplicate_nexthop): one
	// that does is an entry the classification by key missed.
	for _, o := range slot {
		if o.key != k {
			if old := t.byKey[o.key]; sharePath(routePaths(&old), paths) {
				return true
			}
		}
	}
	t.set(k, r)
	return false
}

// hidesEntries reports whether r may hide other entries of its slot from
// dumps: Linux 6.18's IPv6 route dump (fib6_dump_node) goes from the first
// path of a multipath route to its last, skipping the entries the kernel's
// list holds between them (a route appended before the paths after the
// first joined). Mirror, made of dumps and notifications, then shows what
// a dump shows, the hidden entries not included; when such a route goes,
// what it hid is back.
func hidesEntries(r *Route) bool { return len(r.NextHops) > 1 }

// samePaths reports whether a and b hold the same paths, in any order.
func samePaths(a, b []routePath) bool {
	if len(a) != len(b) {
		return false
	}
	used := make([]bool, len(b))
next:
	for _, p := range a {
		for i, q := range b {
			if !used[i] && p == q {
				used[i] = true
				continue next
			}
		}
		return false
	}
	return true
}

// sharePath reports whether a and b have a path in common.
func sharePath(a, b []routePath) bool {
	for _, p := range a {
		if slices.Contains(b, p) {
			return true
		}
	}
	return false
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
		links: map[int32]Link{}, unverified: map[int32]bool{}, addrs: map[AddressKey]Address{}, addrs4: map[int32]int{},
		routes: newRouteTable(), neighs: map[NeighborKey]Neighbor{}}
}

// Ready is closed once the initial read is complete.
func (m *Mirror) Ready() <-chan struct{} { return m.ready }

// Stats returns the counters.
func (m *Mirror) Stats() MirrorStats {
	return MirrorStats{Events: m.events.Load(), Overruns: m.overr.Load(), Resyncs: m.resync.Load(), Partial: m.part.Load(), Retries: m.retry.Load()}
}

// keepAddrs says whether the mirror follows addresses: for Addresses, or
// for what they do to routes.
func (m *Mirror) keepAddrs() bool { return m.cfg.Addresses || m.cfg.Routes }

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
	// Links always: their changes tell which tables the kernel changed
	// without notifying.
	groups := []Group{GroupLink}
	if m.keepAddrs() {
		groups = append(groups, GroupIPv4Addr, GroupIPv6Addr)
	}
	if m.cfg.Routes {
		groups = append(groups, GroupIPv4Route, GroupIPv6Route)
	}
	if m.cfg.Neighbors {
		groups = append(groups, GroupNeighbor)
	}
	base.Groups = nil
	nl, err := dial(m.cfg.Dialer, &base)
	if err != nil {
		return fmt.Errorf("rtnl: mirror: %w", err)
	}
	c := ownConn(nl)
	defer c.Close()
	for {
		// Join the groups before reading, so that no change falls between
		// the two. After a loss, join afresh on a new socket: the notifications still
		// queued on the old socket are older than the new snapshot, and
		// one of them (a route's creation whose removal was the message
		// dropped) would otherwise bring back what is gone.
		watch, err := dialWatch(m.cfg.Dialer, &wcfg, groups)
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

// Deferred re-reads: the tables a notification marks dirty are re-read
// once the notifications have paused for mirrorQuiet, or mirrorMaxDelay
// after the first, whichever comes first. Waiting coalesces the re-reads
// of a burst, and makes them follow the notifications the kernel sends
// while it makes a change (a bridge announces itself while it takes a
// port, then updates what it inherits from it, silently).
const (
	mirrorQuiet    = 20 * time.Millisecond
	mirrorMaxDelay = 200 * time.Millisecond
)

// mirrorItem is a notification as follow's reader passes it on.
type mirrorItem struct {
	ev      Event
	apply   bool  // ev is a change to apply
	port    int32 // an AF_BRIDGE message about this port: look it up again
	overrun bool  // notifications were lost
	bad     bool  // a change that cannot be decoded
	err     error // the stream ended
}

// classify turns a notification into a mirrorItem. It runs on the
// reader's goroutine: the message's bytes are valid only during the call.
func classify(n netlink.Notification, err error) mirrorItem {
	switch {
	case errors.Is(err, netlink.ErrOverrun):
		return mirrorItem{overrun: true}
	case err != nil:
		return mirrorItem{err: err}
	case n.SenderPort != 0:
		return mirrorItem{} // not the kernel's
	case !mirrored(n.Message):
		idx, _ := bridgePort(n.Message)
		return mirrorItem{port: idx}
	}
	ev, ok, err := DecodeEvent(n.Message)
	if err != nil {
		return mirrorItem{bad: true}
	}
	if !ok || (ev.Kind == EventRoute && ev.Route.Flags&RouteFlagCloned != 0) {
		return mirrorItem{}
	}
	ev.NSID = n.NSID
	return mirrorItem{ev: ev, apply: true}
}

// follow reads the tables, then applies the notifications of watch until
// one is lost or unreadable (lost is true: the caller resubscribes) or ctx
// ends.
func (m *Mirror) follow(ctx context.Context, c *Conn, watch *netlink.Conn) (lost bool, err error) {
	if err := m.reload(ctx, c, tables{links: true, addrs: m.keepAddrs(), routes: m.cfg.Routes, neighs: m.cfg.Neighbors}); err != nil {
		return false, err
	}
	m.resync.Add(1)
	m.once.Do(func() { close(m.ready) })

	// A reader decodes the notifications, so that this loop can wait for
	// them and for the time of a deferred re-read at once.
	rctx, stop := context.WithCancel(ctx)
	items := make(chan mirrorItem, 256)
	go func() {
		defer close(items)
		for n, err := range watch.Receive(rctx) {
			it := classify(n, err)
			select {
			case items <- it:
			case <-rctx.Done():
				return
			}
			if it.err != nil {
				return
			}
		}
	}()
	defer func() {
		stop()
		for range items {
		}
	}()

	var (
		pending tables
		first   time.Time
		timer   = time.NewTimer(time.Hour)
	)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return false, nil
		case <-timer.C:
			// Changes the kernel made without telling, or notifications
			// that do not say what changed: re-read. The notifications
			// queued meanwhile are all there (nothing was lost), so
			// applying them after the re-read converges.
			if err := m.reload(ctx, c, pending); err != nil {
				return false, err
			}
			m.part.Add(1)
			pending, first = tables{}, time.Time{}
		case it, ok := <-items:
			switch {
			case !ok || it.err != nil:
				if ctx.Err() != nil {
					return false, nil
				}
				if !ok {
					return false, errors.New("rtnl: mirror: notifications ended")
				}
				return false, fmt.Errorf("rtnl: mirror: %w", it.err)
			case it.overrun:
				m.overr.Add(1)
				return true, nil
			case it.bad:
				return true, nil // a change we cannot read: read everything again
			case it.port != 0:
				pending.merge(tables{refresh: []int32{it.port}})
			case it.apply:
				pending.merge(m.apply(it.ev))
				m.events.Add(1)
				if m.cfg.OnEvent != nil {
					m.cfg.OnEvent(it.ev)
				}
			}
			if !pending.empty() {
				now := time.Now()
				if first.IsZero() {
					first = now
				}
				timer.Reset(max(0, min(mirrorQuiet, first.Add(mirrorMaxDelay).Sub(now))))
			}
		}
	}
}

// mirrored reports whether a notification is of a family the mirror
// keeps: links as AF_UNSPEC describes them (not AF_BRIDGE's port
// messages, whose RTM_DELLINK means "no longer a bridge port"), IPv4 and
// IPv6 addresses, routes and neighbour entries (not the bridge forwarding
// database).
func mirrored(msg netlink.Message) bool {
	if len(msg.Data) == 0 {
		return true // let the decoder report it
	}
	fam := Family(msg.Data[0])
	switch msg.Header.Type {
	case rtmNewLink, rtmDelLink:
		return fam == FamilyUnspec
	case rtmNewAddr, rtmDelAddr, rtmNewRoute, rtmDelRoute, rtmNewNeigh, rtmDelNeigh:
		return fam == FamilyIPv4 || fam == FamilyIPv6
	}
	return true
}

// bridgePort returns the link an AF_BRIDGE link message is about.
func bridgePort(msg netlink.Message) (int32, bool) {
	if msg.Header.Type != rtmNewLink && msg.Header.Type != rtmDelLink || len(msg.Data) < linkMsgLen || Family(msg.Data[0]) != FamilyBridge {
		return 0, false
	}
	l, err := decodeLink(msg.Data)
	return l.Index, err == nil && l.Index != 0
}

// tables names tables to re-read, and links to look up again.
type tables struct {
	links, addrs, routes, neighs bool
	refresh                      []int32         // links to look up again
	routeTables                  []routeFamTable // routing tables to re-read, if not all routes
}

// routeFamTable is one routing table of one family.
type routeFamTable struct {
	fam   Family
	table Table
}

func (t tables) empty() bool {
	return !t.links && !t.addrs && !t.routes && !t.neighs && len(t.refresh) == 0 && len(t.routeTables) == 0
}

// merge adds o's tables and links to t's.
func (t *tables) merge(o tables) {
	t.links, t.addrs, t.routes, t.neighs = t.links || o.links, t.addrs || o.addrs, t.routes || o.routes, t.neighs || o.neighs
	for _, idx := range o.refresh {
		if idx != 0 && !slices.Contains(t.refresh, idx) {
			t.refresh = append(t.refresh, idx)
		}
	}
	for _, ft := range o.routeTables {
		if !slices.Contains(t.routeTables, ft) {
			t.routeTables = append(t.routeTables, ft)
		}
	}
}

// keptNeighbor reports whether the mirror keeps n: an entry the kernel
// announces (see Mirror).
func keptNeighbor(n *Neighbor) bool {
	return n.Flags&NeighborProxy == 0 && n.Type == RouteUnicast &&
		n.State != NeighborNone && n.State != NeighborIncomplete
}

// apply applies one change and says which tables to re-read: those the
// kernel may have changed without telling, or whose notification is
// ambiguous.
func (m *Mirror) apply(ev Event) (dirty tables) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch ev.Kind {
	case EventLink:
		dirty = m.applyLink(ev.Link, ev.Deleted)
	case EventAddress:
		if m.keepAddrs() {
			dirty = m.applyAddress(ev.Address, ev.Deleted)
		}
	case EventRoute:
		if m.cfg.Routes && m.routes.apply(ev.Route, ev.Deleted, ev.Flags) {
			k := keyOfRoute(&ev.Route)
			dirty.routeTables = []routeFamTable{{k.Family, k.Table}}
		}
	case EventNeighbor:
		if !m.cfg.Neighbors {
			break
		}
		n := ev.Neighbor
		k := keyOfNeighbor(&n)
		if ev.Deleted || !keptNeighbor(&n) {
			delete(m.neighs, k)
		} else {
			m.neighs[k] = n
		}
	}
	return dirty
}

// applyLink applies a link change.
func (m *Mirror) applyLink(l Link, deleted bool) (dirty tables) {
	old, had := m.links[l.Index]
	if deleted {
		// The kernel drops the link's addresses, routes and neighbour
		// entries, not always with a notification, and its master
		// recomputes what it inherits from its ports.
		delete(m.links, l.Index)
		delete(m.unverified, l.Index)
		return tables{addrs: m.keepAddrs(), routes: m.cfg.Routes, neighs: m.cfg.Neighbors, refresh: []int32{old.Master}}
	}
	m.links[l.Index] = l
	verify := m.unverified[l.Index]
	if verify {
		delete(m.unverified, l.Index)
		dirty.routes = m.cfg.Routes
	}
	if !had {
		if p, ok := m.links[l.Parent]; ok && l.Parent != 0 && !l.HasLinkNetNSID && p.Parent == 0 {
			// A veth's first end is announced before its peer exists,
			// with no IFLA_LINK; the kernel fills it when the peer comes,
			// silently.
			dirty.refresh = append(dirty.refresh, l.Parent)
		}
		if l.Master != 0 {
			dirty.refresh = append(dirty.refresh, l.Master)
		}
		return dirty
	}
	if bridgeIdentityChanged(old, l) || verify && l.Kind == "bridge" {
		// br_stp_change_bridge_id: the ports' designated bridge and
		// root follow the bridge's address, silently.
		for _, p := range m.links {
			if p.Master == l.Index {
				dirty.refresh = append(dirty.refresh, p.Index)
			}
		}
	}
	if old.Master != l.Master {
		// A bridge recomputes what it inherits from its ports (TSO
		// sizes...) without a notification of its own.
		dirty.refresh = append(dirty.refresh, old.Master, l.Master)
	}
	const state = LinkUp | LinkLowerUp | LinkRunning
	if (old.Flags^l.Flags)&state != 0 || old.OperState != l.OperState || old.Carrier != l.Carrier {
		// fib_sync_down_dev, fib6_ifdown: routes removed or flagged dead
		// or linkdown; fib_sync_up, fib6_ifup: flags cleared; silently.
		// The operational state tells when linkwatch has applied a
		// carrier change (NETDEV_CHANGE), which IFF_LOWER_UP shows
		// before it is applied.
		dirty.routes = m.cfg.Routes
		if old.Flags&LinkUp != 0 && l.Flags&LinkUp == 0 || old.Flags&LinkLowerUp != 0 && l.Flags&LinkLowerUp == 0 {
			dirty.neighs = m.cfg.Neighbors
		}
	}
	if old.MTU != l.MTU && m.cfg.Routes {
		// rt6_mtu_change: IPv6 routes with an MTU follow the link's.
		for _, r := range m.routes.byKey {
			if r.Family == FamilyIPv6 && r.Metrics != nil && r.Metrics.MTU != 0 {
				dirty.routes = true
				break
			}
		}
	}
	return dirty
}

// bridgeIdentityChanged reports whether a bridge's STP identity changed
// between two descriptions: its address, bridge id or root.
func bridgeIdentityChanged(old, l Link) bool {
	ob, ok1 := old.Info.(*Bridge)
	nb, ok2 := l.Info.(*Bridge)
	if !ok1 || !ok2 {
		return false
	}
	eq := func(a, b *BridgeID) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	return !bytes.Equal(old.HardwareAddr, l.HardwareAddr) || !eq(ob.BridgeID, nb.BridgeID) || !eq(ob.RootID, nb.RootID)
}

// applyAddress applies an address change.
func (m *Mirror) applyAddress(a Address, deleted bool) (dirty tables) {
	k := keyOfAddress(&a)
	_, had := m.addrs[k]
	switch {
	case deleted && had:
		delete(m.addrs, k)
		if k.Family == FamilyIPv4 {
			m.addrs4[k.Index]--
		}
	case !deleted:
		if !had && k.Family == FamilyIPv4 {
			m.addrs4[k.Index]++
		}
		m.addrs[k] = a
	}
	// The rules below look at the state after the change, not at
	// whether it changed the mirror: a dump may have been taken while
	// the kernel was between the notification (sent first) and the
	// changes to routes it makes after it.
	if k.Family == FamilyIPv4 {
		n := m.addrs4[k.Index]
		if n <= 0 {
			delete(m.addrs4, k.Index)
		}
		// The link's last IPv4 address gone: fib_disable_ip removes its
		// routes and marks its paths dead. Its first one come:
		// fib_sync_up revives them. Silently.
		if deleted && n <= 0 || !deleted && n == 1 {
			dirty.routes = m.cfg.Routes
		}
		return dirty
	}
	if deleted {
		// rt6_remove_prefsrc: routes lose the address as preferred
		// source, silently.
		for _, r := range m.routes.byKey {
			if r.PrefSrc == k.Addr {
				dirty.routes = m.cfg.Routes
				break
			}
		}
	}
	return dirty
}

// reload re-reads the chosen tables and swaps them in whole.
func (m *Mirror) reload(ctx context.Context, c *Conn, which tables) error {
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
	for _, idx := range which.refresh {
		if idx == 0 || which.links {
			continue
		}
		var l Link
		err := retry(func() (err error) {
			l, err = c.Link(ctx, idx)
			return err
		})
		m.mu.Lock()
		switch {
		case err == nil:
			m.links[l.Index] = l
			m.unverified[l.Index] = true
		case errors.Is(err, unix.ENODEV):
			delete(m.links, idx) // gone since: its removal is queued
		default:
			m.mu.Unlock()
			return err
		}
		m.mu.Unlock()
	}
	if which.links {
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
		clear(m.unverified)
		for idx := range next {
			m.unverified[idx] = true
		}
		m.mu.Unlock()
	}
	if which.addrs {
		next, count := map[AddressKey]Address{}, map[int32]int{}
		if err := retry(func() error {
			clear(next)
			clear(count)
			for a, err := range c.Addresses(ctx, AddressFilter{}) {
				if err != nil {
					return err
				}
				k := keyOfAddress(&a)
				next[k] = a
				if k.Family == FamilyIPv4 {
					count[k.Index]++
				}
			}
			return nil
		}); err != nil {
			return err
		}
		m.mu.Lock()
		m.addrs, m.addrs4 = next, count
		m.mu.Unlock()
	}
	if which.routes {
		var next routeTable
		if err := retry(func() error {
			next = newRouteTable()
			for r, err := range c.Routes(ctx, RouteFilter{}) {
				if err != nil {
					return err
				}
				if r.Flags&RouteFlagCloned == 0 && (r.Family == FamilyIPv4 || r.Family == FamilyIPv6) {
					next.add(keyOfRoute(&r), r)
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
	if !which.routes {
		for _, ft := range which.routeTables {
			if err := m.reloadRouteTable(ctx, c, ft, retry); err != nil {
				return err
			}
		}
	}
	if which.neighs {
		next := map[NeighborKey]Neighbor{}
		if err := retry(func() error {
			clear(next)
			for n, err := range c.Neighbors(ctx, NeighborFilter{}) {
				if err != nil {
					return err
				}
				if keptNeighbor(&n) {
					next[keyOfNeighbor(&n)] = n
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

// reloadRouteTable re-reads one routing table of one family and swaps its
// routes in.
func (m *Mirror) reloadRouteTable(ctx context.Context, c *Conn, ft routeFamTable, retry func(func() error) error) error {
	var got []Route
	if err := retry(func() error {
		got = got[:0]
		for r, err := range c.Routes(ctx, RouteFilter{Family: ft.fam, Table: ft.table}) {
			if errors.Is(err, unix.ENOENT) {
				got = got[:0] // "FIB table does not exist": it is empty
				return nil
			}
			if err != nil {
				return err
			}
			if r.Flags&RouteFlagCloned == 0 {
				got = append(got, r)
			}
		}
		return nil
	}); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for k := range m.routes.byKey {
		if k.Family == ft.fam && k.Table == ft.table {
			m.routes.del(k)
		}
	}
	for _, r := range got {
		m.routes.add(keyOfRoute(&r), r)
	}
	return nil
}

// LinkList returns a copy of the mirrored links, by index; nil if the
// Mirror was not asked to keep them. The copy is shallow: a Link's slices
// and pointers (hardware addresses, AltNames, Info, Port) are the
// mirror's own and must be treated as read-only.
func (m *Mirror) LinkList() []Link {
	if !m.cfg.Links {
		return nil
	}
	m.mu.RLock()
	out := make([]Link, 0, len(m.links))
	for _, l := range m.links {
		out = append(out, l)
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Link) int { return cmp.Compare(a.Index, b.Index) })
	return out
}

// AddressList returns a copy of the mirrored addresses, by link, family,
// address and (IPv4) subnet: the order of their keys (see AddressKey);
// nil if the Mirror was not asked to keep them.
func (m *Mirror) AddressList() []Address {
	if !m.cfg.Addresses {
		return nil
	}
	m.mu.RLock()
	type entry struct {
		k AddressKey
		a Address
	}
	es := make([]entry, 0, len(m.addrs))
	for k, a := range m.addrs {
		es = append(es, entry{k, a})
	}
	m.mu.RUnlock()
	slices.SortFunc(es, func(a, b entry) int { return compareAddressKeys(a.k, b.k) })
	out := make([]Address, len(es))
	for i, e := range es {
		out[i] = e.a
	}
	return out
}

func compareAddressKeys(a, b AddressKey) int {
	return cmp.Or(cmp.Compare(a.Index, b.Index), cmp.Compare(a.Family, b.Family), a.Addr.Compare(b.Addr),
		a.Subnet.Addr().Compare(b.Subnet.Addr()), cmp.Compare(a.Subnet.Bits(), b.Subnet.Bits()))
}

// RouteList returns a copy of the mirrored routes (cache entries excluded),
// in the order of their keys (see RouteKey): by family, table,
// destination, source, TOS and metric, then by the rest of the identity,
// so that the routes of one slot (the IPv6 entries of each link's
// fe80::/64, say) come together in an order that does not depend on the
// order of changes. Routes the kernel holds twice under one key (the IPv6
// replace quirk) come one after the other, by protocol and then by
// String. The copy is deep: changing a returned route's Metrics or
// NextHops (to send it back changed, say) does not change the mirror. nil
// if the Mirror was not asked to keep routes.
func (m *Mirror) RouteList() []Route {
	if !m.cfg.Routes {
		return nil
	}
	type entry struct {
		k RouteKey
		r Route
	}
	m.mu.RLock()
	es := make([]entry, 0, len(m.routes.byKey))
	for k, r := range m.routes.byKey {
		es = append(es, entry{k, r.clone()})
	}
	for k, rs := range m.routes.dups {
		for _, r := range rs {
			es = append(es, entry{k, r.clone()})
		}
	}
	m.mu.RUnlock()
	slices.SortFunc(es, func(a, b entry) int {
		if c := compareRouteKeys(a.k, b.k); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.r.Protocol, b.r.Protocol), strings.Compare(a.r.String(), b.r.String()))
	})
	out := make([]Route, len(es))
	for i, e := range es {
		out[i] = e.r
	}
	return out
}

func compareRouteKeys(a, b RouteKey) int {
	return cmp.Or(cmp.Compare(a.Family, b.Family), cmp.Compare(a.Table, b.Table),
		a.Dst.Addr().Compare(b.Dst.Addr()), cmp.Compare(a.Dst.Bits(), b.Dst.Bits()),
		a.Src.Addr().Compare(b.Src.Addr()), cmp.Compare(a.Src.Bits(), b.Src.Bits()),
		cmp.Compare(a.Tos, b.Tos), cmp.Compare(a.Priority, b.Priority), strings.Compare(a.id, b.id))
}

// NeighborList returns a copy of the mirrored neighbour entries (see Mirror
// for the ones the kernel makes silently, which are left out), by link,
// family and address. The copy is deep: each LinkAddr is the caller's.
// nil if the Mirror was not asked to keep them.
func (m *Mirror) NeighborList() []Neighbor {
	if !m.cfg.Neighbors {
		return nil
	}
	m.mu.RLock()
	out := make([]Neighbor, 0, len(m.neighs))
	for _, n := range m.neighs {
		n.LinkAddr = bytes.Clone(n.LinkAddr)
		out = append(out, n)
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Neighbor) int {
		return cmp.Or(cmp.Compare(a.Index, b.Index), cmp.Compare(a.Family, b.Family), a.Addr.Compare(b.Addr))
	})
	return out
}
