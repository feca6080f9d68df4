package conntrack_test

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter/conntrack"
	"github.com/nlkit/nlkit/netlink"
)

// TestMirrorRandom changes a namespace's conntrack table at random and
// checks, after each sequence of changes, that Mirrors following it equal
// a fresh dump flow for flow: tuple and zone, id, mark.
//
// The changes, over a pool of IPv4 and IPv6 UDP and TCP tuples in zones 0
// and 1 (the same tuple in both: two flows): flows created one at a time
// and in bulk, their marks changed, deleted one at a time and in bulk, and
// deleted and created again at once (a new flow with the same tuple and a
// new id), in sequences whose bursts of thousands of changes overrun a
// small event buffer. Three Mirrors follow: one with the default 8 MiB
// buffer, which sees every event and so tests how each is applied; one
// with a 16 KiB buffer, which the bursts overrun and so tests the
// resynchronisation; one with a filter on the mark, which flows enter and
// leave as their marks change.
//
// NLKIT_MIRROR_SEED sets the seed (it is logged; a failure names it).
func TestMirrorRandom(t *testing.T) {
	c, ns, _ := dialNS(t)
	ctx := testCtx(t)
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("NLKIT_MIRROR_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("NLKIT_MIRROR_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("NLKIT_MIRROR_SEED=%d", seed)
	r := rand.New(rand.NewPCG(seed, 0))

	byMark := conntrack.FlowFilter{Mark: 1, MarkMask: 1}
	mirrors := []struct {
		name string
		m    *conntrack.Mirror
		keep func(conntrack.Flow) bool
	}{
		{"8 MiB buffer", runMirror(t, ctx, conntrack.MirrorConfig{Netlink: &netlink.Config{NetNS: ns}}), nil},
		{"16 KiB buffer", runMirror(t, ctx, conntrack.MirrorConfig{Netlink: &netlink.Config{NetNS: ns, ReceiveBuffer: 16 << 10}}), nil},
		{"odd marks", runMirror(t, ctx, conntrack.MirrorConfig{Netlink: &netlink.Config{NetNS: ns}, Filter: byMark}),
			func(f conntrack.Flow) bool { return byMark.Match(&f) }},
	}

	// The pool: 3,000 tuples, each in zone 0 or 1 or both.
	type slot struct {
		orig conntrack.Tuple
		zone uint16
	}
	var pool []slot
	for i := range 3000 {
		src := netip.AddrFrom4([4]byte{198, 18, byte(i >> 8), byte(i)})
		dst := netip.MustParseAddr("198.19.0.1")
		if i%3 == 0 {
			src = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 14: byte(i >> 8), 15: byte(i)})
			dst = netip.MustParseAddr("2001:db8::1")
		}
		proto := uint8(conntrack.ProtoUDP)
		if i%2 == 0 {
			proto = conntrack.ProtoTCP
		}
		tup := conntrack.Tuple{Src: src, Dst: dst, Proto: proto, SrcPort: uint16(1024 + i), DstPort: 53}
		pool = append(pool, slot{tup, 0})
		if i%4 == 0 {
			pool = append(pool, slot{tup, 1})
		}
	}
	flowOf := func(s slot, mark uint32) conntrack.Flow {
		f := conntrack.Flow{Orig: s.orig, Zone: s.zone, Timeout: 10 * time.Minute, Mark: mark}
		if s.orig.Proto == conntrack.ProtoTCP {
			f.TCP.State = conntrack.TCPEstablished
		}
		return f
	}
	live := map[slot]bool{}
	pick := func(n int, want bool) []slot {
		var out []slot
		for _, i := range r.Perm(len(pool)) {
			if len(out) == n {
				break
			}
			if live[pool[i]] == want {
				out = append(out, pool[i])
			}
		}
		return out
	}
	var log []string
	step := func() {
		switch k := r.IntN(10); {
		case k < 3: // create, in bulk or one by one
			ss := pick(1+r.IntN(1500), false)
			var fs []conntrack.Flow
			for _, s := range ss {
				fs = append(fs, flowOf(s, uint32(r.IntN(4))))
				live[s] = true
			}
			if k == 0 {
				for _, f := range fs {
					if err := c.AddFlow(ctx, f); err != nil {
						t.Fatalf("seed %d: add %v zone %d: %v", seed, f.Orig, f.Zone, err)
					}
				}
			} else if err := c.AddFlows(ctx, fs); err != nil {
				t.Fatalf("seed %d: add %d flows: %v", seed, len(fs), err)
			}
			log = append(log, fmt.Sprintf("create %d", len(fs)))
		case k < 5: // change marks
			ss := pick(1+r.IntN(800), true)
			for _, s := range ss {
				mark := uint32(r.IntN(4))
				if err := c.ChangeFlow(ctx, s.orig, s.zone, conntrack.FlowChange{Mark: &mark}); err != nil {
					t.Fatalf("seed %d: mark %v zone %d: %v", seed, s.orig, s.zone, err)
				}
			}
			log = append(log, fmt.Sprintf("mark %d", len(ss)))
		case k < 7: // delete, in bulk or one by one
			ss := pick(1+r.IntN(1200), true)
			var fs []conntrack.Flow
			for _, s := range ss {
				fs = append(fs, flowOf(s, 0))
				delete(live, s)
			}
			if k == 5 {
				for _, f := range fs {
					if err := c.DeleteFlow(ctx, f.Orig, f.Zone); err != nil {
						t.Fatalf("seed %d: delete %v zone %d: %v", seed, f.Orig, f.Zone, err)
					}
				}
			} else if err := c.DeleteFlows(ctx, fs); err != nil {
				t.Fatalf("seed %d: delete %d flows: %v", seed, len(fs), err)
			}
			log = append(log, fmt.Sprintf("delete %d", len(fs)))
		default: // delete and create again: the same tuples, new flows
			ss := pick(1+r.IntN(600), true)
			for _, s := range ss {
				if err := c.DeleteFlow(ctx, s.orig, s.zone); err != nil {
					t.Fatalf("seed %d: delete %v zone %d: %v", seed, s.orig, s.zone, err)
				}
				if err := c.AddFlow(ctx, flowOf(s, uint32(r.IntN(4)))); err != nil {
					t.Fatalf("seed %d: add again %v zone %d: %v", seed, s.orig, s.zone, err)
				}
			}
			log = append(log, fmt.Sprintf("recreate %d", len(ss)))
		}
	}

	const sequences, steps = 12, 8
	for seq := range sequences {
		for range steps {
			step()
		}
		dump, err := c.FlowList(ctx, conntrack.FlowFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(dump) != len(live) {
			t.Fatalf("seed %d, sequence %d: the table holds %d flows, the test made %d", seed, seq, len(dump), len(live))
		}
		for _, mr := range mirrors {
			want := dump
			if mr.keep != nil {
				want = nil
				for _, f := range dump {
					if mr.keep(f) {
						want = append(want, f)
					}
				}
			}
			deadline := time.Now().Add(30 * time.Second)
			for {
				diffs := mirrorDiff(mr.m.FlowList(), want)
				if len(diffs) == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("seed %d, sequence %d (%v): mirror with %s: %d differences, first: %v (stats %+v)",
						seed, seq, log, mr.name, len(diffs), diffs[:min(5, len(diffs))], mr.m.Stats())
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		log = log[:0]
	}
	for _, mr := range mirrors {
		t.Logf("mirror with %s: %+v", mr.name, mr.m.Stats())
	}
	if st := mirrors[1].m.Stats(); st.Overruns == 0 {
		t.Errorf("the bursts were meant to overrun the 16 KiB mirror: %+v", st)
	}
}
