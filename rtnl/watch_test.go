//go:build linux

package rtnl

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
)

// The routes these tests change: /32s in 198.19.0.0/16 and /128s in
// 2001:db8:1::/48, all through one link in the main table, so that the
// destination alone tells them apart.
var (
	watchNet4 = netip.MustParsePrefix("198.19.0.0/16")
	watchNet6 = netip.MustParsePrefix("2001:db8:1::/48")
)

func watchRoute(i int, v6 bool, link int32) Route {
	if v6 {
		a := watchNet6.Addr().As16()
		a[14], a[15] = byte(i>>8), byte(i)
		return Route{Family: FamilyIPv6, Dst: netip.PrefixFrom(netip.AddrFrom16(a), 128), OutIndex: link}
	}
	return Route{Family: FamilyIPv4, Dst: netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 19, byte(i >> 8), byte(i)}), 32), OutIndex: link}
}

func watched(r Route) bool {
	return r.Table == TableMain && (watchNet4.Contains(r.Dst.Addr()) || watchNet6.Contains(r.Dst.Addr()))
}

// watchTable dumps the watched routes of the kernel through c.
func watchTable(ctx context.Context, c *Conn) (map[netip.Prefix]bool, error) {
	out := map[netip.Prefix]bool{}
	err := netlink.RetryInterrupted(ctx, 100, func() error {
		clear(out)
		routes, err := c.RouteList(ctx, RouteFilter{Table: TableMain})
		for _, r := range routes {
			if watched(r) {
				out[r.Dst] = true
			}
		}
		return err
	})
	return out, err
}

// recoveringWatcher is the consumer the JoinGroup documentation describes,
// written as a user would: subscribe, dump, apply events; on
// netlink.ErrOverrun dump again and go on. Its dumps go through dumper (sub
// itself, or another Conn). ready is closed after the first dump; the
// consumer stops once no event has come for quiet, or at stop, whichever
// is later (stop closes when the changes are over).
func recoveringWatcher(sub, dumper *Conn, quiet time.Duration, ready chan<- struct{}, stop <-chan struct{}) (state map[netip.Prefix]bool, overruns int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := sub.JoinGroup(GroupIPv4Route, GroupIPv6Route); err != nil {
		return nil, 0, err
	}
	if state, err = watchTable(ctx, dumper); err != nil {
		return nil, 0, err
	}
	close(ready)
	<-stop
	ectx, ecancel := context.WithCancel(ctx)
	defer ecancel()
	timer := time.AfterFunc(quiet, ecancel)
	defer timer.Stop()
	for ev, err := range sub.Events(ectx) {
		if errors.Is(err, netlink.ErrOverrun) {
			overruns++
			if state, err = watchTable(ctx, dumper); err != nil {
				return nil, 0, err
			}
			timer.Reset(quiet)
			continue
		}
		if err != nil {
			break // the quiet period
		}
		timer.Reset(quiet)
		if ev.Kind != EventRoute || !watched(ev.Route) {
			continue
		}
		if ev.Deleted {
			delete(state, ev.Route.Dst)
		} else {
			state[ev.Route.Dst] = true
		}
	}
	return state, overruns, nil
}

// TestWatchRecoveryPattern runs the documented recovery pattern under
// forced overruns, as a consumer would, and checks that its table equals
// the kernel's at the end of every run. Half the runs hold the consumer
// back while a burst is made (its queue then holds events older than the
// loss: the case that kept phantom routes), half let it read while the
// changes go on. Set NLKIT_WATCH_SEED to replay a run.
func TestWatchRecoveryPattern(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("NLKIT_WATCH_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	ns := kerneltest.NetNS(t)
	c := testDial(t, ns)
	link := evIfb(t, c, "watch0")
	ctx := evCtx(t, 3*time.Minute)
	const runs = 8
	equal, overruns, changes := 0, 0, 0
	for run := range runs {
		held := run%2 == 0
		sub, err := Dial(&netlink.Config{NetNS: ns, ReceiveBuffer: 16 << 10})
		if err != nil {
			t.Fatal(err)
		}
		// The consumer dumps through the subscribed Conn itself in half
		// the runs, through another in the others (as JoinGroup advises).
		dumper := sub
		if run%4 >= 2 {
			dumper = testDial(t, ns)
		}
		ready, stop := make(chan struct{}), make(chan struct{})
		if !held {
			close(stop)
		}
		var wg sync.WaitGroup
		var state map[netip.Prefix]bool
		var n int
		var werr error
		wg.Go(func() { state, n, werr = recoveringWatcher(sub, dumper, 700*time.Millisecond, ready, stop) })
		<-ready
		// Bursts of random adds and deletes over a small space of routes,
		// so that many are added, removed and added again.
		for range 3 + rng.IntN(4) {
			var adds, dels []Route
			for range 200 + rng.IntN(1500) {
				r := watchRoute(rng.IntN(3000), rng.IntN(2) == 0, link)
				if rng.IntN(3) == 0 {
					dels = append(dels, r)
				} else {
					adds = append(adds, r)
				}
			}
			changes += len(adds) + len(dels)
			// Failures by index (adding what exists, deleting what does
			// not) are part of the game; anything else is not.
			for _, err := range []error{c.AddRoutes(ctx, adds), c.DeleteRoutes(ctx, dels)} {
				if _, ok := errors.AsType[*netlink.BatchError](err); err != nil && !ok {
					t.Fatal(err)
				}
			}
		}
		if held {
			close(stop)
		}
		wg.Wait()
		sub.Close()
		if werr != nil {
			t.Fatalf("run %d (seed %d): %v", run, seed, werr)
		}
		overruns += n
		want, err := watchTable(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == len(state) && func() bool {
			for p := range want {
				if !state[p] {
					return false
				}
			}
			return true
		}() {
			equal++
		} else {
			t.Errorf("run %d (seed %d, consumer held back %v): the consumer has %d routes, the kernel %d (overruns %d)", run, seed, held, len(state), len(want), n)
		}
	}
	t.Logf("documented Watch recovery pattern, seed %d: %d runs, %d equal to the kernel; %d route changes, %d overruns", seed, runs, equal, changes, overruns)
	if overruns == 0 {
		t.Fatal("no overrun happened: the test did not test recovery")
	}
}

// TestDecodeEventSkipsBridgeState: a bridge port's AF_BRIDGE RTM_DELLINK
// says it left the bridge, not that the link is gone: it is no link event.
func TestDecodeEventSkipsBridgeState(t *testing.T) {
	body := make([]byte, 16) // struct ifinfomsg
	body[0] = 7              // AF_BRIDGE
	body[4] = 5              // ifi_index 5
	for _, typ := range []netlink.MessageType{rtmNewLink, rtmDelLink} {
		ev, ok, err := DecodeEvent(netlink.Message{Header: netlink.Header{Type: typ}, Data: body})
		if ok || err != nil {
			t.Errorf("type %d: AF_BRIDGE link message decoded as %+v, %v", typ, ev, err)
		}
	}
	body[0] = 0 // AF_UNSPEC: the link itself
	if ev, ok, err := DecodeEvent(netlink.Message{Header: netlink.Header{Type: rtmDelLink}, Data: body}); !ok || err != nil || !ev.Deleted || ev.Link.Index != 5 {
		t.Errorf("AF_UNSPEC RTM_DELLINK: %+v %v %v", ev, ok, err)
	}
}
