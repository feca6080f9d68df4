package queue

import (
	"math/bits"
	"sync/atomic"
)

// trackWindow is how many consecutive packet ids the outstanding set can
// tell apart: an id is tracked in bit id mod trackWindow. A packet left
// without a verdict while trackWindow newer ones arrive shares its bit
// with a newer one; such collisions are counted (Stats.Untracked).
const trackWindow = 1 << 20

// tracker is the set of packet ids yielded and not yet given a verdict:
// a ring of bits updated with atomic operations, so that the reader and
// any number of verdict senders never wait for each other.
type tracker struct {
	words    [trackWindow / 64]atomic.Uint64
	count    atomic.Int64
	floor    atomic.Uint32 // no id below it is outstanding (after a batch verdict)
	collided atomic.Uint64
	hasFloor atomic.Bool
}

func (t *tracker) word(id uint32) (*atomic.Uint64, uint64) {
	return &t.words[(id/64)%uint32(len(t.words))], 1 << (id % 64)
}

// add marks id outstanding.
func (t *tracker) add(id uint32) {
	if !t.hasFloor.Load() {
		t.floor.Store(id)
		t.hasFloor.Store(true)
	}
	w, bit := t.word(id)
	for {
		old := w.Load()
		if old&bit != 0 {
			t.collided.Add(1)
			return
		}
		if w.CompareAndSwap(old, old|bit) {
			t.count.Add(1)
			return
		}
	}
}

// remove clears id and reports whether it was outstanding.
func (t *tracker) remove(id uint32) bool {
	w, bit := t.word(id)
	for {
		old := w.Load()
		if old&bit == 0 {
			return false
		}
		if w.CompareAndSwap(old, old&^bit) {
			t.count.Add(-1)
			return true
		}
	}
}

// removeUpTo clears every id from the floor up to and including max (a
// batch verdict), and returns how many were outstanding.
func (t *tracker) removeUpTo(max uint32) int {
	lo := t.floor.Load()
	if int32(max-lo) < 0 {
		return 0
	}
	n := 0
	span := uint64(max-lo) + 1
	if span > trackWindow {
		lo = max - trackWindow + 1
		span = trackWindow
	}
	id := lo
	for left := span; left > 0; {
		w, _ := t.word(id)
		off := id % 64
		k := min(uint64(64-off), left)
		mask := ^uint64(0)
		if k < 64 {
			mask = (uint64(1)<<k - 1) << off
		}
		for {
			old := w.Load()
			if old&mask == 0 {
				break
			}
			if w.CompareAndSwap(old, old&^mask) {
				c := bits.OnesCount64(old & mask)
				n += c
				t.count.Add(int64(-c))
				break
			}
		}
		id += uint32(k)
		left -= k
	}
	// Raise the floor past max (never lower it: batches may race).
	for {
		f := t.floor.Load()
		if int32(max+1-f) <= 0 || t.floor.CompareAndSwap(f, max+1) {
			break
		}
	}
	return n
}
