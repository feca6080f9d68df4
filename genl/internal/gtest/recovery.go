//go:build linux

package gtest

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nlkit/nlkit/internal/kerneltest"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
)

// Storm makes veth pairs appear and disappear in a namespace, in bursts run
// by `ip -batch`, and keeps a model of the pairs that exist so that every
// command of a burst is valid (`ip -batch` stops at the first failure). Each veth gives the netdev family a
// dev-add notification when it is registered and a dev-del when it goes.
type Storm struct {
	ns      *netns.NS
	rng     *rand.Rand
	file    string
	exist   map[int]uint32 // pair i (links s<i>a and s<i>b): the link group of s<i>a
	round   uint32
	Changes int // devices added or removed so far
}

// stormPairs is the space of pairs a Storm picks from: small enough that
// pairs come and go again (under new ifindexes).
const stormPairs = 150

// NewStorm returns a Storm over ns.
func NewStorm(t testing.TB, ns *netns.NS, rng *rand.Rand) *Storm {
	return &Storm{ns: ns, rng: rng, file: filepath.Join(t.TempDir(), "storm.batch"), exist: map[int]uint32{}}
}

// Burst runs about ops changes in one `ip -batch`, in rounds. A round adds
// veth pairs that do not exist, in a link group of their own; then deletes
// that group in one request (one unregistration of many devices), always
// in the first round and half the time in the others; now and then
// deletes an older round's group; and deletes a few random pairs one by
// one. So a consumer that stops reading during a burst has the first
// round's additions queued while the deletions of the same devices are
// lost: applied after a fresh list, those additions would bring back
// devices that are gone. It returns the number of devices added or
// removed. It must be called from the test's goroutine.
func (s *Storm) Burst(t testing.TB, ops int) int {
	t.Helper()
	before := s.Changes
	var b strings.Builder
	delGroup := func(g uint32) {
		for i, gi := range s.exist {
			if gi == g {
				delete(s.exist, i)
				s.Changes += 2
			}
		}
		fmt.Fprintf(&b, "link del group %d\n", g)
	}
	for first := true; ops > 0; first = false {
		adds := 1 + s.rng.IntN(ops)
		if first {
			// Enough additions to fill a small buffer before their
			// deletion comes.
			adds = max(adds, min(ops, 10))
		}
		ops -= adds
		s.round++
		g := s.round%200 + 1 // 0 is the default group, lo's
		var free []int
		for i := range stormPairs {
			if _, ok := s.exist[i]; !ok {
				free = append(free, i)
			}
		}
		s.rng.Shuffle(len(free), func(i, j int) { free[i], free[j] = free[j], free[i] })
		for _, i := range free[:min(adds, len(free))] {
			s.exist[i] = g
			s.Changes += 2
			fmt.Fprintf(&b, "link add s%da group %d type veth peer name s%db\n", i, g, i)
		}
		if first || s.rng.IntN(2) == 0 {
			delGroup(g)
		}
		pairs := slices.Sorted(maps.Keys(s.exist))
		if len(pairs) > 0 && s.rng.IntN(3) == 0 {
			if og := s.exist[pairs[s.rng.IntN(len(pairs))]]; og != g {
				delGroup(og) // an older round's survivors
				pairs = slices.Sorted(maps.Keys(s.exist))
			}
		}
		// A single deletion costs the kernel a grace period or two, a
		// group's hardly more: keep the single ones few.
		for range min(s.rng.IntN(adds/3+1), len(pairs)) {
			k := s.rng.IntN(len(pairs))
			i := pairs[k]
			pairs = slices.Delete(pairs, k, k+1)
			delete(s.exist, i)
			s.Changes += 2
			fmt.Fprintf(&b, "link del s%da\n", i)
		}
	}
	if b.Len() > 0 {
		if err := os.WriteFile(s.file, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		kerneltest.Run(t, s.ns, "ip", "-batch", s.file)
	}
	return s.Changes - before
}

// Run is what Recovery gives a Consumer for one run.
type Run struct {
	// Config dials into the test's namespace, with a small receive buffer.
	Config *netlink.Config
	// OwnLister: list through a Conn of its own, not through the
	// subscribed one (both are ways the documentation allows).
	OwnLister bool
	// Ready is to be called after the first list; Pace once for every
	// item the stream yields (it blocks while the test holds the
	// consumer back).
	Ready, Pace func()
}

// Consumer is the code a recovery test puts under forced overruns,
// written as a user would write it: it dials with r.Config, joins the
// group, lists, calls r.Ready, then applies the notifications, listing
// again on netlink.ErrOverrun, until ctx ends (the stream has been quiet
// for a while after the storm). It returns the set of keys it holds at the
// end, the overruns it saw and its subscribed socket's statistics.
type Consumer[K comparable] func(ctx context.Context, r Run) (state map[K]bool, overruns int, stats netlink.Stats, err error)

// Recovery runs consume under storms in a throwaway namespace, runs times,
// each time on a new subscription with a small receive buffer. In even runs
// the consumer is held back (reads nothing) through some of the bursts,
// the first and the last always, so that its queue holds notifications
// older than the loss, and the last loss of the run is one of those (a
// later loss would make the consumer list again and mend the harm they
// did); in odd runs it reads while the storm goes on. Two runs in three
// list through a Conn of their own (Run.OwnLister): listing through the
// subscribed Conn while its buffer is full of older notifications makes
// the kernel count a further loss (the dump cannot start for lack of
// room), and the list that follows it would mend what those notifications
// did: only the runs with a lister of their own catch a consumer that
// applies them after its list. After
// each run the consumer's state must equal list's, taken when all is
// quiet. burst makes one burst of changes from the test's goroutine and
// returns how many objects it added or removed; nil means veth pairs by
// Storm. The test fails if no overrun happened at all.
// NLKIT_RECOVERY_SEED replays a seed.
func Recovery[K comparable](t *testing.T, runs int, consume Consumer[K], list func(ctx context.Context, cfg *netlink.Config) (map[K]bool, error), burst func(t *testing.T, ns *netns.NS, rng *rand.Rand) int) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("NLKIT_RECOVERY_SEED"); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	ns := kerneltest.NetNS(t)
	if burst == nil {
		storm := NewStorm(t, ns, rng)
		burst = func(t *testing.T, _ *netns.NS, rng *rand.Rand) int { return storm.Burst(t, 20+rng.IntN(60)) }
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	equal, overruns, changes, discarded := 0, 0, 0, uint64(0)
	for run := range runs {
		held, own := run%2 == 0, run%3 != 0
		cfg := &netlink.Config{NetNS: ns, ReceiveBuffer: 4096}
		var hold sync.RWMutex
		q := newQuiet(ctx, time.Second)
		ready, done := make(chan struct{}), make(chan struct{})
		var state map[K]bool
		var n int
		var stats netlink.Stats
		var err error
		go func() {
			defer close(done)
			state, n, stats, err = consume(q.ctx, Run{Config: cfg, OwnLister: own, Ready: func() { close(ready) }, Pace: func() {
				hold.RLock()
				hold.RUnlock()
				q.touch()
			}})
		}()
		select {
		case <-ready:
		case <-done:
		}
		bursts := 3 + rng.IntN(3)
		for b := range bursts {
			select {
			case <-done:
				// The consumer failed; its error is reported below.
			default:
				if held && (b == 0 || b == bursts-1 || rng.IntN(2) == 0) {
					func() {
						hold.Lock()
						defer hold.Unlock()
						changes += burst(t, ns, rng)
					}()
					// Let the consumer read what is queued and list
					// again before the next burst, so that each held
					// burst is a loss of its own.
					q.settle(100*time.Millisecond, done)
				} else {
					changes += burst(t, ns, rng)
				}
			}
		}
		q.over()
		<-done
		q.cancel()
		if err != nil {
			t.Fatalf("run %d (seed %d): %v", run, seed, err)
		}
		overruns += n
		discarded += stats.Discarded
		if testing.Verbose() {
			t.Logf("run %d: held back %v, own lister %v, overruns %d, discarded %d", run, held, own, n, stats.Discarded)
		}
		want, err := list(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if maps.Equal(state, want) {
			equal++
		} else {
			var extra, missing []K
			for k := range state {
				if !want[k] {
					extra = append(extra, k)
				}
			}
			for k := range want {
				if !state[k] {
					missing = append(missing, k)
				}
			}
			t.Errorf("run %d (seed %d, held back %v, own lister %v): the consumer has %d, a fresh list %d: extra %v, missing %v (overruns %d, %+v)",
				run, seed, held, own, len(state), len(want), extra, missing, n, stats)
		}
	}
	t.Logf("documented recovery pattern, seed %d: %d runs, %d equal to a fresh list; %d changes, %d overruns, %d notifications older than a loss discarded",
		seed, runs, equal, changes, overruns, discarded)
	if overruns == 0 {
		t.Fatal("no overrun happened: the test did not test recovery")
	}
}

// quiet is a context that ends once the storm is over (over) and then
// nothing came (touch) for d.
type quiet struct {
	ctx    context.Context
	cancel context.CancelFunc
	d      time.Duration
	mu     sync.Mutex
	last   time.Time // of the last touch
	timer  *time.Timer
}

func newQuiet(parent context.Context, d time.Duration) *quiet {
	q := &quiet{d: d}
	q.ctx, q.cancel = context.WithCancel(parent)
	return q
}

func (q *quiet) touch() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.last = time.Now()
	if q.timer != nil {
		q.timer.Reset(q.d)
	}
}

func (q *quiet) over() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.timer = time.AfterFunc(q.d, q.cancel)
}

// settle waits d, then until nothing came for d (or done is closed).
func (q *quiet) settle(d time.Duration, done <-chan struct{}) {
	for wait := d; wait > 0; {
		select {
		case <-time.After(wait):
		case <-done:
			return
		}
		q.mu.Lock()
		wait = d - time.Since(q.last)
		q.mu.Unlock()
	}
}
