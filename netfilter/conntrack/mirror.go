package conntrack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// MirrorConfig says how a Mirror reaches the kernel.
type MirrorConfig struct {
	// Netlink configures the Mirror's two sockets (namespace, buffers).
	// nil: the current namespace, and an 8 MiB event buffer.
	Netlink *netlink.Config

	// Filter selects the flows to keep (zero: all). Flows it does not
	// select are neither dumped nor applied from events.
	Filter FlowFilter

	// OnEvent, if set, is called with each event after it is applied, from
	// the goroutine running Run. It must not block for long: events queue
	// in the kernel meanwhile, and a full buffer means a resync.
	OnEvent func(Event)

	// OnResync, if set, is called after each full re-read (the initial
	// one included), from Run's goroutine.
	OnResync func()

	// Dial, if set, opens the Mirror's sockets instead of netlink.Dial
	// (a fake's, for tests without root).
	Dial func(cfg *netlink.Config) (*netlink.Conn, error)
}

// MirrorStats counts what a Mirror went through. Fields only grow.
type MirrorStats struct {
	Events   uint64 // events applied
	Overruns uint64 // losses reported by the kernel (ENOBUFS), each followed by a resync
	Resyncs  uint64 // full re-reads, the initial one included
	Bad      uint64 // events that could not be decoded, each followed by a resync
	// Dropped counts the events the kernel dropped on the Mirror's
	// sockets (their sk_drops, read when a socket is given up): the losses
	// the overruns reported.
	Dropped uint64
}

// Mirror keeps an in-memory copy of the conntrack table: it subscribes
// to the new, update and destroy events, dumps the table, then applies
// the events, and re-reads the whole table on a fresh subscription
// whenever events were lost (ENOBUFS) or unreadable, so that once changes
// stop its copy holds exactly the flows a fresh dump shows. Flows are
// keyed by what the kernel keeps unique, the original tuple and the zone,
// not counted: a dump under churn may miss a flow or show one twice, and
// reconciling by key absorbs both. The kernel's flow id (CTA_ID) is no key:
// it is a 32-bit hash, and in a table of 100,000 flows two of them share
// one more often than not. It tells a flow's incarnations apart: a destroy
// event removes the flow only if the ids agree, so a late destroy of an
// earlier flow with the same tuple leaves its successor in place.
//
// Each flow is as its last dump or event described it; attributes the
// kernel changes without an event (the timeout counting down, counters,
// the use count) are as of then. Update events carry only what changed
// besides the tuples, status, timeout and mark: the Mirror merges them
// into what it holds.
//
// Run drives it; FlowList, Len and Stats may be called from any
// goroutine at any time.
type Mirror struct {
	cfg   MirrorConfig
	ready chan struct{}
	once  sync.Once

	events, overruns, resyncs, bad, dropped atomic.Uint64

	mu    sync.RWMutex
	flows map[flowKey]Flow
}

// flowKey is what the kernel keeps unique among its flows: no two share
// an original tuple in one zone.
type flowKey struct {
	orig Tuple
	zone uint16
}

func keyOf(f *Flow) flowKey { return flowKey{f.Orig, f.Zone} }

// NewMirror returns a Mirror for cfg; call Run to fill and maintain it.
func NewMirror(cfg MirrorConfig) *Mirror {
	return &Mirror{cfg: cfg, ready: make(chan struct{}), flows: map[flowKey]Flow{}}
}

// Ready is closed once the initial read is complete.
func (m *Mirror) Ready() <-chan struct{} { return m.ready }

// Stats returns the counters.
func (m *Mirror) Stats() MirrorStats {
	return MirrorStats{Events: m.events.Load(), Overruns: m.overruns.Load(), Resyncs: m.resyncs.Load(), Bad: m.bad.Load(), Dropped: m.dropped.Load()}
}

// Len returns the number of flows held.
func (m *Mirror) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.flows)
}

// FlowList returns a copy of the flows held, by id (flows sharing an id
// by original tuple).
func (m *Mirror) FlowList() []Flow {
	m.mu.RLock()
	out := make([]Flow, 0, len(m.flows))
	for _, f := range m.flows {
		out = append(out, f)
	}
	m.mu.RUnlock()
	slices.SortFunc(out, func(a, b Flow) int {
		return cmp.Or(cmp.Compare(a.ID, b.ID), a.Orig.Compare(b.Orig), cmp.Compare(a.Zone, b.Zone))
	})
	return out
}

func (m *Mirror) dial(cfg *netlink.Config) (*netlink.Conn, error) {
	if m.cfg.Dial != nil {
		return m.cfg.Dial(cfg)
	}
	return netlink.Dial(unix.NETLINK_NETFILTER, cfg)
}

// Run subscribes, reads the table and keeps the copy current until ctx
// ends (it then returns ctx's error) or the sockets fail. Run once per
// Mirror.
func (m *Mirror) Run(ctx context.Context) error {
	var base netlink.Config
	if m.cfg.Netlink != nil {
		base = *m.cfg.Netlink
	}
	wcfg := base
	if wcfg.ReceiveBuffer == 0 {
		wcfg.ReceiveBuffer = 8 << 20
	}
	wcfg.Groups = []uint32{groupNew, groupUpdate, groupDestroy}
	base.Groups = nil
	dnl, err := m.dial(&base)
	if err != nil {
		return fmt.Errorf("conntrack: mirror: %w", err)
	}
	c := &Conn{nf: netfilter.NewConn(dnl)}
	defer dnl.Close()
	for {
		// Subscribe before reading, so that no change falls between the
		// two; after a loss, subscribe afresh on a new socket: what the
		// old one still holds is older than the next dump.
		watch, err := m.dial(&wcfg)
		if err != nil {
			return fmt.Errorf("conntrack: mirror: %w", err)
		}
		lost, err := m.follow(ctx, c, watch)
		if d, derr := watch.KernelDrops(); derr == nil {
			m.dropped.Add(uint64(d))
		}
		watch.Close()
		if err != nil {
			return err
		}
		if !lost {
			return ctx.Err()
		}
	}
}

// follow reads the table, then applies the events of watch until one is
// lost or unreadable (lost: the caller subscribes again) or ctx ends.
func (m *Mirror) follow(ctx context.Context, c *Conn, watch *netlink.Conn) (lost bool, err error) {
	next := make(map[flowKey]Flow, max(len(m.flows), 1024))
	for f, err := range c.Flows(ctx, m.cfg.Filter) {
		if err != nil {
			if ctx.Err() != nil {
				return false, nil
			}
			if errors.Is(err, netlink.ErrOverrun) {
				m.overruns.Add(1)
				return true, nil // the dump's answer was lost: read again
			}
			return false, fmt.Errorf("conntrack: mirror: %w", err)
		}
		next[keyOf(&f)] = f
	}
	m.mu.Lock()
	m.flows = next
	m.mu.Unlock()
	m.resyncs.Add(1)
	m.once.Do(func() { close(m.ready) })
	if m.cfg.OnResync != nil {
		m.cfg.OnResync()
	}
	var ev Event
	for n, err := range watch.Receive(ctx) {
		switch {
		case errors.Is(err, netlink.ErrOverrun):
			m.overruns.Add(1)
			return true, nil
		case err != nil:
			if ctx.Err() != nil {
				return false, nil
			}
			return false, fmt.Errorf("conntrack: mirror: %w", err)
		case n.SenderPort != 0:
			continue
		}
		var ok bool
		if err := decodeEventInto(&ev, n.Message, &ok); err != nil {
			m.bad.Add(1)
			return true, nil // a change we cannot read: read everything again
		}
		if !ok || ev.Expectation != nil {
			continue
		}
		m.apply(&ev)
		m.events.Add(1)
		if m.cfg.OnEvent != nil {
			m.cfg.OnEvent(ev)
		}
	}
	return false, nil
}

// apply applies one flow event.
func (m *Mirror) apply(ev *Event) {
	f := &ev.Flow
	k := keyOf(f)
	m.mu.Lock()
	defer m.mu.Unlock()
	old, ok := m.flows[k]
	// The same tuple under another id is another flow: a destroy of an
	// earlier one (the kernel delivers destroy events late when it could
	// not at first) leaves the held one, which an update replaces whole.
	same := ok && (old.ID == f.ID || !f.Has(AttrID))
	switch {
	case ev.Type == EventDestroy:
		if same {
			delete(m.flows, k)
		}
	case !m.cfg.Filter.Match(f):
		// A flow that no longer matches (its mark changed) leaves too.
		delete(m.flows, k)
	case same:
		m.flows[k] = mergeFlow(old, f)
	default:
		m.flows[k] = *f
	}
}

// mergeFlow returns old with the attributes an update event carried.
func mergeFlow(old Flow, up *Flow) Flow {
	out := *up
	keep := func(attr int) bool { return !up.Has(attr) && old.Has(attr) }
	if keep(AttrProtoInfo) {
		out.TCP, out.SCTPState, out.DCCPState = old.TCP, old.SCTPState, old.DCCPState
	}
	if keep(AttrHelp) {
		out.Helper = old.Helper
	}
	if keep(AttrSecCtx) {
		out.SecCtx = old.SecCtx
	}
	if keep(AttrLabels) {
		out.Labels = old.Labels
	}
	if keep(AttrTupleMaster) {
		out.Master = old.Master
	}
	if keep(AttrSeqAdjOrig) {
		out.SeqAdjOrig = old.SeqAdjOrig
	}
	if keep(AttrSeqAdjReply) {
		out.SeqAdjReply = old.SeqAdjReply
	}
	if keep(AttrSynproxy) {
		out.Synproxy = old.Synproxy
	}
	if keep(AttrCountersOrig) {
		out.CountersOrig = old.CountersOrig
	}
	if keep(AttrCountersReply) {
		out.CountersReply = old.CountersReply
	}
	if keep(AttrTimestamp) {
		out.Start, out.Stop = old.Start, old.Stop
	}
	if keep(AttrUse) {
		out.Use = old.Use
	}
	if keep(AttrZone) {
		out.Zone = old.Zone
	}
	if keep(AttrMark) {
		out.Mark = old.Mark
	}
	if keep(AttrTimeout) {
		out.Timeout = old.Timeout
	}
	out.present = old.present | up.present
	return out
}
