package netlink

import (
	"context"
	"errors"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Dump sends req as a dump request (Request and Dump are added to its
// flags; the sequence number is assigned) and streams the reply, one
// message at a time. It is a single-use iterator.
//
// Each yielded Message's Data is valid only until the loop body returns:
// it lives in a reused receive buffer. Copy what you keep.
//
// The stream stops at the first error: a kernel *Error (also one carried
// by NLMSG_DONE), ErrDumpInterrupted when the kernel flagged NLM_F_DUMP_INTR
// on any message (yielded after the last message, so a dump that was
// interrupted never ends as a success), ctx's error, or ErrClosed. On a
// Conn that also receives notifications, a receive buffer full of them
// keeps the kernel from starting the dump at once: it reports ENOBUFS but
// keeps the dump, which goes on as the socket is read; Dump waits for it.
// Breaking out of the loop early is fine: the rest of the reply is read off
// and discarded (before the Conn's next dump starts), so the Conn stays
// usable. Dumps on one Conn run one after another; a concurrent Dump waits.
// Requests and reads of other goroutines may go on meanwhile: the Conn
// sends a dump request only while it is not reading, since the kernel can
// otherwise queue a dump's end ahead of its messages.
func (c *Conn) Dump(ctx context.Context, req Message) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		if err := c.acquireDump(ctx); err != nil {
			yield(Message{}, c.opError("dump", req.Header, err))
			return
		}
		w := c.register(kindDump, 1)
		req.Header.Flags |= Request | Dump
		req.Header.Sequence = w.seq
		finished := false
		var pf *prefetcher
		defer func() {
			if pf != nil && pf.stop() {
				finished = true
			}
			if finished {
				c.unregister(w)
			} else {
				c.abandon(w)
			}
			<-c.dumpMu
		}()
		wire, err := c.sendRequest(req)
		if err != nil {
			finished = true // nothing was sent, nothing to drain
			yield(Message{}, err)
			return
		}
		interrupted := false
		started := false // a message of the dump has come
		// Close and ctx's end stop the stream within one message, though
		// read-ahead may hold many: checked before each yield (two
		// non-blocking channel reads, lock-free when nothing happened).
		ctxDone := ctx.Done()
		for {
			var msgs []Message
			var err error
			if pf != nil {
				msgs, err = pf.next()
			} else {
				msgs, _, err = c.next(ctx, w)
				if err == nil && w.r != nil {
					msgs = w.r.parsed(msgs)
				}
			}
			if errors.Is(err, ErrOverrun) {
				// Dump replies are never dropped by the kernel: it waits
				// for room. The overrun was someone else's loss.
				continue
			}
			if err != nil {
				yield(Message{}, c.opError("dump", req.Header, err))
				return
			}
			for i := range msgs {
				m := &msgs[i]
				if m.Header.Flags&DumpInterrupted != 0 {
					interrupted = true
				}
				switch m.Header.Type {
				case TypeNoop:
					continue
				case TypeDone, TypeError:
					errno, e, perr := c.parseEnd(m, wire)
					if m.Header.Type == TypeError && errno == syscall.ENOBUFS && !started {
						// The kernel had no room in the receive buffer
						// (full of notifications) to start the dump, and
						// says so; but the dump stays set up and goes on
						// as the socket is read (netlink_dump leaves
						// cb_running): its messages follow.
						continue
					}
					finished = true
					switch {
					case perr != nil:
						yield(Message{}, c.opError("dump", req.Header, perr))
					case errno != 0:
						e.Op = "dump"
						yield(Message{}, e)
					case interrupted:
						yield(Message{}, c.opError("dump", req.Header, ErrDumpInterrupted))
					case e != nil:
						e.Op = "dump"
						c.warn(e)
					}
					return
				}
				started = true
				select {
				case <-c.done:
					yield(Message{}, c.opError("dump", req.Header, ErrClosed))
					return
				default:
				}
				select {
				case <-ctxDone:
					yield(Message{}, c.opError("dump", req.Header, ctx.Err()))
					return
				default:
				}
				if !yield(*m, nil) {
					// The caller is done. If the end is already here, the
					// dump is over; otherwise the rest is read off later.
					finished = hasEnd(msgs[i+1:])
					return
				}
			}
			// A dump longer than one datagram: read the next datagrams on
			// another goroutine while this one decodes, so that the
			// kernel's work and the caller's overlap on two CPUs.
			if pf == nil && len(msgs) > 0 && runtime.GOMAXPROCS(0) > 1 {
				pf = c.startPrefetch(ctx, w)
			}
		}
	}
}

// prefetcher reads a dump's datagrams ahead of its consumer. The receive
// buffers circulate between them: the consumer holds one (cur) while the
// prefetching goroutine fills others.
//
// Each side sleeps only when it has nothing to do: the consumer when no
// datagram is ready, the reader when no buffer is free. Waking a sleeping
// thread means an inter-processor interrupt and a pass through Go's
// scheduler, which on a virtual machine cost tens of microseconds. The
// consumer of a dump of small objects decodes faster than the kernel
// writes, so it runs dry again and again: it is woken only once half the
// buffers are full (or the dump ended), not for every datagram, and a
// consumer that is busy takes each datagram as soon as it is read, with
// no wake-up at all. The reader is the dump's critical path (the kernel
// writes the next datagram inside its recvmsg): when it ran out of
// buffers, it is woken by the first one freed.
type prefetcher struct {
	c *Conn

	mu       sync.Mutex
	ready    []prefetched // ring of datagrams read, not yet consumed
	head, n  int          // ready[head] is the oldest of n
	free     []*receiver
	consWait bool // the consumer sleeps until woken on consWake
	readWait bool // the reader sleeps until woken on readWake
	stopped  bool
	nReady   atomic.Int32  // n, for the consumer's spin without the lock
	misses   int           // spins in a row that ended without a datagram
	rawReads bool          // the reader's recvmsg calls bypass the scheduler
	consWake chan struct{} // 1-buffered
	readWake chan struct{} // 1-buffered
	done     chan struct{} // closed when the reader has returned
	cur      *receiver     // the consumer's
	wake     int           // wake the consumer at this many ready; see prefetchShape
	made     int           // buffers taken, at most len(ready)
	size     int           // of the buffers made for it
}

type prefetched struct {
	msgs []Message
	r    *receiver
	err  error
}

// prefetchMemory bounds the receive buffers a dump reads ahead into: 16
// of 32 KiB, or of a Conn's Config.MaxDatagram (fewer when that is above
// 64 KiB). Only the bytes the kernel writes are touched.
const prefetchMemory = 1 << 20

// dumpDatagram is the most a dump's datagram holds unless its family
// asks for more (a dump's min_dump_alloc): netlink_dump sizes the skb after
// the reader's recvmsg length, capped at 32 KiB less the skb's overhead
// (net/netlink/af_netlink.c, max_recvmsg_len).
const dumpDatagram = 32 << 10

// prefetchShape returns how many receive buffers of size bytes a dump
// reads ahead into, and after how many ready datagrams a consumer that ran
// dry is woken: half of them, so that the reader still has as many to
// fill while the consumer wakes up.
func prefetchShape(size int) (buffers, wake int) {
	buffers = min(max(prefetchMemory/max(size, 1), 3), 16)
	return buffers, buffers / 2
}

func (c *Conn) startPrefetch(ctx context.Context, w *waiter) *prefetcher {
	// A buffer of dumpDatagram bytes holds any dump datagram the kernel
	// sends unless the family asks for larger ones, and a receiver grows
	// its buffer for a datagram that does not fit (it measures each one
	// first); one that reads without measuring needs MaxDatagram bytes.
	size := dumpDatagram
	if c.cfg.MaxDatagram > 0 {
		size = min(c.cfg.MaxDatagram, maxDatagram)
	}
	buffers, wake := prefetchShape(size)
	pf := &prefetcher{
		c:        c,
		size:     size,
		wake:     wake,
		ready:    make([]prefetched, buffers),
		free:     make([]*receiver, 0, buffers),
		rawReads: true,
		consWake: make(chan struct{}, 1),
		readWake: make(chan struct{}, 1),
		done:     make(chan struct{}),
	}
	// The buffer the consumer just finished with is free; the reader takes
	// more from the pool as it needs them (a short dump needs few).
	if w.r != nil {
		pf.free = append(pf.free, w.r)
		pf.made = 1
		w.r = nil
	}
	go pf.run(ctx, w)
	return pf
}

// run is the prefetching goroutine.
func (pf *prefetcher) run(ctx context.Context, w *waiter) {
	defer close(pf.done)
	for {
		pf.mu.Lock()
		if len(pf.free) == 0 && pf.made < len(pf.ready) && !pf.stopped {
			pf.made++
			pf.free = append(pf.free, pf.c.getReceiverSized(pf.size))
		}
		for len(pf.free) == 0 && !pf.stopped {
			pf.readWait = true
			pf.mu.Unlock()
			<-pf.readWake
			pf.mu.Lock()
		}
		if pf.stopped {
			pf.mu.Unlock()
			return
		}
		r := pf.free[len(pf.free)-1]
		pf.free = pf.free[:len(pf.free)-1]
		pf.mu.Unlock()

		w.r = r
		r.setRawReads(pf.rawReads)
		msgs, _, err := pf.c.next(ctx, w)
		if r.setRawReads(false) {
			pf.rawReads = false
		}
		w.r = nil
		end := err != nil && !errors.Is(err, ErrOverrun) || hasEnd(msgs) || r.unparsed && r.end

		pf.mu.Lock()
		pf.ready[(pf.head+pf.n)%len(pf.ready)] = prefetched{msgs: msgs, r: r, err: err}
		pf.n++
		pf.nReady.Store(int32(pf.n))
		if pf.consWait && (end || pf.n >= pf.wake || len(pf.free) == 0 && pf.made == len(pf.ready)) {
			pf.consWait = false
			notify1(pf.consWake)
		}
		pf.mu.Unlock()
		if end {
			return
		}
	}
}

func notify1(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// next hands the consumer the next datagram's messages, taking back the
// buffer of the previous one.
func (pf *prefetcher) next() ([]Message, error) {
	pf.mu.Lock()
	if pf.cur != nil {
		pf.free = append(pf.free, pf.cur)
		pf.cur = nil
		if pf.readWait {
			// The reader waits for a buffer only when this consumer fell
			// behind; it goes on at once.
			pf.readWait = false
			notify1(pf.readWake)
		}
	}
	if pf.n == 0 && pf.misses < spinMisses && !pf.readWait {
		pf.mu.Unlock()
		hit := pf.spinWait()
		pf.mu.Lock()
		if hit {
			pf.misses = 0
		} else {
			pf.misses++
		}
	}
	for pf.n == 0 {
		pf.consWait = true
		pf.mu.Unlock()
		<-pf.consWake
		pf.mu.Lock()
	}
	it := pf.ready[pf.head]
	pf.ready[pf.head] = prefetched{}
	pf.head = (pf.head + 1) % len(pf.ready)
	pf.n--
	pf.nReady.Store(int32(pf.n))
	pf.cur = it.r
	pf.mu.Unlock()
	return it.r.parsed(it.msgs), it.err
}

// spinLimit bounds how long a consumer that ran dry waits for the next
// datagram without sleeping; after spinMisses waits in a row that found
// none in time, the kernel is slower than spinning is worth and the
// consumer sleeps at once for the rest of the dump.
const (
	spinLimit  = 200 * time.Microsecond
	spinMisses = 3
)

// spinWait waits, without sleeping, up to spinLimit for a datagram to be
// read, yielding the processor to other goroutines as it goes, and
// reports whether one came.
//
// A consumer that sleeps costs the dump's critical path, the reader: its
// processor goes idle, Go parks a thread in epoll_wait for it, and every
// datagram the kernel then queues on the socket wakes that thread from
// inside the reader's recvmsg; waking the consumer is one more futex
// round trip. The consumer decodes a datagram in less time than the
// kernel takes to write the next, so it runs dry once per datagram and
// each wait is short (tens of microseconds).
func (pf *prefetcher) spinWait() bool {
	start := time.Now()
	for i := 1; ; i++ {
		for range 128 {
			if pf.nReady.Load() > 0 {
				return true
			}
		}
		runtime.Gosched()
		// Reading the clock costs more than a pass here on some VMs.
		if i%16 == 0 && time.Since(start) > spinLimit {
			return pf.nReady.Load() > 0
		}
	}
}

// stop ends the prefetching goroutine and returns the buffers to the
// pool. It reports whether a datagram read ahead but not consumed held the
// end of the dump.
func (pf *prefetcher) stop() (sawEnd bool) {
	pf.mu.Lock()
	pf.stopped = true
	if pf.readWait {
		pf.readWait = false
		notify1(pf.readWake)
	}
	pf.mu.Unlock()
	<-pf.done
	put := func(r *receiver) {
		if r != nil {
			pf.c.rpool.Put(r)
		}
	}
	put(pf.cur)
	for ; pf.n > 0; pf.n-- {
		it := pf.ready[pf.head]
		pf.head = (pf.head + 1) % len(pf.ready)
		sawEnd = sawEnd || hasEnd(it.r.parsed(it.msgs))
		put(it.r)
	}
	for _, r := range pf.free {
		put(r)
	}
	pf.cur, pf.ready, pf.free = nil, nil, nil
	return sawEnd
}

// DumpAll runs Dump and returns caller-owned copies of every message. When
// the dump is interrupted by concurrent changes it is redone, up to
// attempts times in all (attempts < 1 means 1); after that the error wraps
// ErrDumpInterrupted and no messages are returned.
func (c *Conn) DumpAll(ctx context.Context, req Message, attempts int) ([]Message, error) {
	var out []Message
	err := RetryInterrupted(ctx, attempts, func() error {
		var err error
		out, err = collect(c.Dump(ctx, req))
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// RetryInterrupted calls fn until it returns an error that is not
// ErrDumpInterrupted, or attempts calls were made (attempts < 1 means 1),
// or ctx ends. It returns fn's last error. Use it around any code that
// dumps and builds a result, resetting that result at the start of fn.
func RetryInterrupted(ctx context.Context, attempts int, fn func() error) error {
	attempts = max(attempts, 1)
	var err error
	for range attempts {
		if err = fn(); !errors.Is(err, ErrDumpInterrupted) {
			return err
		}
		if ctx.Err() != nil {
			return err
		}
	}
	return err
}

// acquireDump takes the Conn's dump slot, first reading off whatever an
// abandoned dump left on the socket.
//
// The kernel goes on with a dump as the socket is read, within the read
// (netlink_recvmsg), so the rest of an abandoned dump is there to be read
// at once. A peer that is not the kernel may never send the end: when
// the socket has been silent for drainIdle, it is given up (its
// messages are still dropped if they come) and the new dump goes ahead.
func (c *Conn) acquireDump(ctx context.Context) error {
	select {
	case c.dumpMu <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.done:
		return ErrClosed
	}
	c.mu.Lock()
	d := c.draining
	c.mu.Unlock()
	if d == nil {
		return nil
	}
	defer c.putReceiver(d)
	for {
		dctx, cancel := context.WithTimeout(ctx, drainIdle)
		_, _, err := c.next(dctx, d)
		cancel()
		switch {
		case err == nil, errors.Is(err, ErrOverrun):
			continue
		case errors.Is(err, errFinished):
			return nil
		case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
			c.mu.Lock()
			if c.draining == d {
				c.draining = nil
			}
			c.mu.Unlock()
			return nil
		}
		<-c.dumpMu
		return err
	}
}

// drainIdle is how long an abandoned dump may stay silent before it is
// given up; see acquireDump.
const drainIdle = time.Second

// abandon turns a dump left before its end into a discard waiter: its
// messages are dropped as they come, and the next dump reads off the rest.
func (c *Conn) abandon(w *waiter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w.finished {
		delete(c.waiters, w.seq)
		return
	}
	for _, b := range w.box {
		if hasEnd(b.msgs) {
			delete(c.waiters, w.seq)
			return
		}
	}
	w.kind = kindDiscard
	w.box = nil
	w.boxCount = 0
	c.draining = w
}

// hasEnd reports whether msgs hold the end of a reply.
func hasEnd(msgs []Message) bool {
	for _, m := range msgs {
		if m.Header.Type == TypeDone || m.Header.Type == TypeError {
			return true
		}
	}
	return false
}
