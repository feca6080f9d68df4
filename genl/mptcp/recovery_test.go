//go:build linux

package mptcp_test

import (
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"

	"github.com/nlkit/nlkit/genl/internal/gtest"
	"github.com/nlkit/nlkit/genl/mptcp"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// The path manager listens on every signal endpoint with a port, and the
// events group announces those listeners (EventListenerCreated and
// EventListenerClosed, with the address and port), without any MPTCP
// connection: so the set of listeners can be held from a list (Endpoints)
// and the events, with the pattern the Events documentation gives.

// followListeners joins GroupEvents, then lists the endpoints, then
// applies the listener events; on netlink.ErrOverrun it lists again and
// goes on. Only r.Ready, r.Pace and the counting are the test's.
//
// One gap is the kernel's, not the pattern's: the path manager opens an
// endpoint's listener (and sends its event) a moment before the endpoint
// is listed. A consumer whose loss is that very event, and whose list
// falls in that moment, would miss the endpoint; the storm below has one
// writer and the consumer lists only after reading its queue through, so
// it does not happen here.
func followListeners(ctx context.Context, r gtest.Run) (map[netip.AddrPort]bool, int, netlink.Stats, error) {
	c, err := mptcp.Dial(r.Config)
	if err != nil {
		return nil, 0, netlink.Stats{}, err
	}
	defer c.Close()
	lister := c
	if r.OwnLister {
		if lister, err = mptcp.Dial(r.Config); err != nil {
			return nil, 0, netlink.Stats{}, err
		}
		defer lister.Close()
	}
	if err := c.JoinGroup(ctx, mptcp.GroupEvents); err != nil {
		return nil, 0, netlink.Stats{}, err
	}
	listeners := map[netip.AddrPort]bool{}
	list := func() error {
		clear(listeners)
		for e, err := range lister.Endpoints(ctx) {
			if err != nil {
				return err
			}
			if e.Flags&mptcp.Signal != 0 && e.Port != 0 {
				listeners[netip.AddrPortFrom(e.Addr, e.Port)] = true
			}
		}
		return nil
	}
	if err := list(); err != nil {
		return nil, 0, netlink.Stats{}, err
	}
	r.Ready()
	overruns := 0
	for ev, err := range c.Events(ctx) {
		r.Pace()
		if errors.Is(err, netlink.ErrOverrun) {
			overruns++
			if err := list(); err != nil {
				return nil, 0, netlink.Stats{}, err
			}
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				break // the stream has been quiet: the test is over
			}
			return nil, 0, netlink.Stats{}, err
		}
		switch ev.Type {
		case mptcp.EventListenerCreated:
			listeners[ev.Source] = true
		case mptcp.EventListenerClosed:
			delete(listeners, ev.Source)
		}
	}
	return listeners, overruns, c.Genl().Netlink().Stats(), nil
}

// listListeners is a fresh list of the signal endpoints with a port.
func listListeners(ctx context.Context, cfg *netlink.Config) (map[netip.AddrPort]bool, error) {
	c, err := mptcp.Dial(cfg)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	out := map[netip.AddrPort]bool{}
	for e, err := range c.Endpoints(ctx) {
		if err != nil {
			return nil, err
		}
		if e.Flags&mptcp.Signal != 0 && e.Port != 0 {
			out[netip.AddrPortFrom(e.Addr, e.Port)] = true
		}
	}
	return out, nil
}

// endpointStorm adds and deletes signal endpoints with ports on
// 127.0.0.1, a new port each time (so that every listener is one key). The
// kernel holds at most 8 endpoints per namespace: a burst is rounds of
// filling the table and emptying it, the first round all the way (by
// FlushEndpoints or one by one), later ones in part, the last one down to
// two at most. So a burst begins with additions whose deletions follow:
// a consumer held back has the additions queued and the deletions lost.
type endpointStorm struct {
	c     *mptcp.Conn
	exist map[uint8]uint16 // id: port
	port  uint16
}

const maxEndpoints = 8 // MPTCP_PM_ADDR_MAX

func (s *endpointStorm) burst(t *testing.T, _ *netns.NS, rng *rand.Rand) int {
	ctx := t.Context()
	changes := 0
	rounds := 2 + rng.IntN(3)
	for round := range rounds {
		for id := uint8(1); id <= maxEndpoints; id++ {
			if _, ok := s.exist[id]; ok {
				continue
			}
			s.port++
			e := mptcp.Endpoint{ID: id, Addr: netip.MustParseAddr("127.0.0.1"), Port: s.port, Flags: mptcp.Signal}
			if err := s.c.AddEndpoint(ctx, e); err != nil {
				t.Fatal(err)
			}
			s.exist[id] = s.port
			changes++
		}
		if round == 0 && rng.IntN(2) == 0 {
			if err := s.c.FlushEndpoints(ctx); err != nil {
				t.Fatal(err)
			}
			changes += len(s.exist)
			clear(s.exist)
			continue
		}
		kept := 0
		for _, id := range slices.Sorted(maps.Keys(s.exist)) {
			if round > 0 && rng.IntN(2) == 0 && (round < rounds-1 || kept < 2) {
				kept++
				continue
			}
			if err := s.c.DeleteEndpoint(ctx, mptcp.Endpoint{ID: id}); err != nil {
				t.Fatal(err)
			}
			delete(s.exist, id)
			changes++
		}
	}
	return changes
}

// TestEventsRecoveryPattern runs the documented pattern (join, list, apply
// Events; on netlink.ErrOverrun list again) for the path manager's
// listeners under forced overruns, some while the consumer is held back
// so that its queue holds events older than the loss. When the storm is
// over and the stream quiet, the consumer's listeners equal a fresh list
// of the endpoints, in every run.
func TestEventsRecoveryPattern(t *testing.T) {
	var s *endpointStorm
	gtest.Recovery(t, 10, followListeners, listListeners, func(t *testing.T, ns *netns.NS, rng *rand.Rand) int {
		if s == nil {
			c, err := mptcp.Dial(&netlink.Config{NetNS: ns})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Close() })
			s = &endpointStorm{c: c, exist: map[uint8]uint16{}, port: 20000}
		}
		return s.burst(t, ns, rng)
	})
}
