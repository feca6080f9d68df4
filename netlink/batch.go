package netlink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"slices"
	"strings"
)

// BatchFailure is the result of one failed request of a Batch.
type BatchFailure struct {
	Index int   // position of the request in the batch, from 0
	Err   error // *Error from the kernel, or ErrOverrun if its result was lost
}

// BatchError is returned by Batch when some requests failed. Requests not
// listed succeeded. Failures are in order of Index.
type BatchError struct {
	Failures []BatchFailure
	Total    int // number of requests in the batch
}

func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "netlink: batch: %d of %d requests failed", len(e.Failures), e.Total)
	for i, f := range e.Failures {
		if i == 3 {
			fmt.Fprintf(&b, "; ...")
			break
		}
		fmt.Fprintf(&b, "; #%d: %v", f.Index, f.Err)
	}
	return b.String()
}

// Unwrap returns the failures' errors, so errors.Is(err, fs.ErrExist) says
// whether any request failed with EEXIST.
func (e *BatchError) Unwrap() []error {
	errs := make([]error, len(e.Failures))
	for i, f := range e.Failures {
		errs[i] = f.Err
	}
	return errs
}

// Batch sends many requests in as few sendmsg calls as fit and returns the
// result of each: nil when all succeeded, a *BatchError listing the failed
// requests (by index) when some failed, or another error when the
// transport failed (then results after the failure point are unknown; the
// error says from which index).
//
// Request is added to each message's flags, sequence numbers are assigned,
// and only the last request of each sendmsg asks for an acknowledgement:
// the kernel reports failures even unasked and handles a datagram's
// requests in order, so that ACK closes the datagram. Replies to requests
// that return data (GETs) are discarded: Batch is for changes. The
// messages are copied as they are taken from reqs, so the iterator may
// reuse their Data. The number of requests per datagram is bounded by the
// socket's receive buffer so that even all-failed datagrams fit.
//
// reqs runs on the caller's goroutine. When the requests fill more than
// one datagram (and GOMAXPROCS > 1), another goroutine sends them while
// the next one is encoded, never more than one ahead of the one being
// sent; after a transport failure no more requests are taken, and reqs has
// stopped when Batch returns.
func (c *Conn) Batch(ctx context.Context, reqs iter.Seq[Message]) error {
	rcv, snd := c.s.buffers()
	// Datagrams of at most 256 KiB: larger ones make the kernel allocate
	// (vmalloc) and copy huge buffers for no gain in syscalls saved.
	maxBytes := min(max(snd-1024, 16<<10), 256<<10)
	// An error message costs at most ~1 KiB of receive buffer (skb
	// overhead included); keep every failure of a datagram receivable.
	maxMsgs := max(rcv/1024, 16)

	var failures []BatchFailure
	send := func(ch *batchChunk) error {
		if len(ch.offs) == 0 {
			return nil
		}
		// Ask for an ACK on the last request of the datagram.
		last := ch.buf[ch.offs[len(ch.offs)-1]:]
		putFlags(last, Flags(nativeUint16(last[6:]))|Acknowledge)
		w := c.register(kindBatch, uint32(len(ch.offs)))
		for i, off := range ch.offs {
			putUint32(ch.buf[off+8:], w.seq+uint32(i))
		}
		err := c.runBatch(ctx, w, ch.buf, ch.offs, ch.first, &failures)
		c.unregister(w)
		return err
	}
	var s batchSender
	total, err := encodeBatch(reqs, maxBytes, maxMsgs, func(ch *batchChunk, final bool) *batchChunk {
		return s.emit(ch, final, send)
	})
	if serr := s.wait(); serr != nil {
		return serr
	}
	if err != nil {
		return err
	}
	if len(failures) > 0 {
		slices.SortFunc(failures, func(a, b BatchFailure) int { return cmp.Compare(a.Index, b.Index) })
		return &BatchError{Failures: failures, Total: total}
	}
	return nil
}

// batchChunk is one datagram of a batch: its requests, encoded, and where
// each starts.
type batchChunk struct {
	buf   []byte
	offs  []int
	first int // the batch index of its first request
}

// encodeBatch takes the requests of reqs into datagrams of at most maxBytes
// and maxMsgs requests each, and hands each datagram to emit (final for the
// last one, which may be empty); emit returns the chunk to fill next, or
// nil to stop taking requests. It returns how many requests it took, and
// the error of one that could not be encoded (the requests of its datagram
// before it are not sent).
func encodeBatch(reqs iter.Seq[Message], maxBytes, maxMsgs int, emit func(ch *batchChunk, final bool) *batchChunk) (int, error) {
	ch := &batchChunk{}
	index := 0
	for m := range reqs {
		size := Align(HeaderLen + len(m.Data))
		if len(ch.offs) > 0 && (len(ch.offs) >= maxMsgs || len(ch.buf)+size > maxBytes) {
			if ch = emit(ch, false); ch == nil {
				return index, nil
			}
			ch.buf, ch.offs, ch.first = ch.buf[:0], ch.offs[:0], index
		}
		m.Header.Flags |= Request
		m.Header.Sequence = 0
		ch.offs = append(ch.offs, len(ch.buf))
		var err error
		ch.buf, err = AppendMessage(ch.buf, m.Header, m.Data)
		if err != nil {
			return index, fmt.Errorf("netlink: batch request #%d: %w", index, err)
		}
		index++
	}
	emit(ch, true)
	return index, nil
}

// batchSender sends a batch's datagrams and collects their results. A
// batch of one datagram is sent by the caller's goroutine. From the second
// datagram on, a goroutine of its own sends them one after another while
// the caller's goroutine encodes the next: the kernel handles a datagram's
// requests inside its sendmsg, so encoding and the kernel's work overlap
// on two CPUs (the caller's iterator always runs on the caller's
// goroutine). Two chunks circulate between them.
type batchSender struct {
	full chan *batchChunk // to the sending goroutine; closed by the last emit
	free chan *batchChunk // back to the encoder
	stop chan struct{}    // closed by the sender when a send failed
	done chan struct{}    // closed when the sender has returned
	err  error            // the sender's, read after done
}

// emit hands over a full chunk (or the last one) and returns the chunk to
// fill next, or nil when a send failed and the batch stops.
func (s *batchSender) emit(ch *batchChunk, final bool, send func(*batchChunk) error) *batchChunk {
	if s.full == nil {
		if final || runtime.GOMAXPROCS(0) < 2 {
			if err := send(ch); err != nil {
				s.err = err
				return nil
			}
			return ch
		}
		s.full = make(chan *batchChunk, 1)
		s.free = make(chan *batchChunk, 2)
		s.stop = make(chan struct{})
		s.done = make(chan struct{})
		// The second chunk at the first one's size: a batch of more
		// than one datagram fills both to about the same size.
		s.free <- &batchChunk{buf: make([]byte, 0, cap(ch.buf)), offs: make([]int, 0, cap(ch.offs))}
		go s.run(send)
	}
	// A failed send stops the batch at the next datagram at the latest:
	// select picks at random among ready cases, so stop is looked at
	// first.
	if s.stopped() {
		return nil
	}
	select {
	case s.full <- ch:
	case <-s.stop:
		return nil
	}
	if final {
		return nil
	}
	select {
	case next := <-s.free:
		if s.stopped() {
			return nil
		}
		return next
	case <-s.stop:
		return nil
	}
}

func (s *batchSender) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

func (s *batchSender) run(send func(*batchChunk) error) {
	defer close(s.done)
	for ch := range s.full {
		if s.err == nil {
			if s.err = send(ch); s.err != nil {
				close(s.stop)
			}
		}
		s.free <- ch
	}
}

// wait ends the sending goroutine, if any, once it has sent what it was
// given, and returns the first send error.
func (s *batchSender) wait() error {
	if s.full != nil {
		close(s.full)
		<-s.done
	}
	return s.err
}

// runBatch sends one datagram of count requests and collects their results.
func (c *Conn) runBatch(ctx context.Context, w *waiter, buf []byte, offs []int, first int, failures *[]BatchFailure) error {
	count := len(offs)
	if err := c.sendRaw(buf, 0, 0); err != nil {
		return fmt.Errorf("netlink: batch: results from request #%d on unknown: %w", first, err)
	}
	last := w.seq + uint32(count) - 1
	for {
		msgs, _, err := c.next(ctx, w)
		if err != nil {
			if errors.Is(err, ErrOverrun) {
				// Some results were lost; which ones is unknowable.
				return fmt.Errorf("netlink: batch: results of requests #%d to #%d lost: %w", first, first+count-1, err)
			}
			return fmt.Errorf("netlink: batch: results from request #%d on unknown: %w", first, err)
		}
		for i := range msgs {
			m := &msgs[i]
			if m.Header.Type != TypeError {
				continue // data replies are not collected
			}
			idx := int(m.Header.Sequence - w.seq)
			end := len(buf)
			if idx+1 < count {
				end = offs[idx+1]
			}
			errno, e, perr := parseAck(m, buf[offs[idx]:end])
			switch {
			case perr != nil:
				*failures = append(*failures, BatchFailure{Index: first + idx, Err: perr})
			case errno != 0:
				e.Op = "batch"
				*failures = append(*failures, BatchFailure{Index: first + idx, Err: e})
			case e != nil:
				e.Op = "batch"
				c.warn(e)
			}
			if m.Header.Sequence == last {
				return nil
			}
		}
	}
}

// Transact sends reqs in one datagram, as given, and returns the result of
// each: nil when every request succeeded, a *BatchError listing the failed
// ones by index, or another error when the datagram could not be sent or
// its results were lost (ErrOverrun), ctx ended or the Conn was closed.
//
// It exists for protocols that give the datagram itself a meaning, such as
// nfnetlink's batches (BATCH_BEGIN, requests, BATCH_END, applied all or
// nothing; package netfilter builds them). Request is added to each
// message's flags and sequence numbers are assigned in order; other flags,
// Acknowledge included, are kept. Transact waits for the answer of every
// request flagged Acknowledge. An error answering a request that did not
// ask for one ends the wait: the kernel stops reading such a datagram
// there (nfnetlink does when BATCH_BEGIN is refused). Replies that carry
// data are discarded. The datagram must fit the socket's send buffer.
func (c *Conn) Transact(ctx context.Context, reqs []Message) error {
	if len(reqs) == 0 {
		return nil
	}
	var buf []byte
	offs := make([]int, len(reqs))
	acked := make([]bool, len(reqs))
	waiting := 0
	for i, m := range reqs {
		m.Header.Flags |= Request
		offs[i] = len(buf)
		var err error
		buf, err = AppendMessage(buf, m.Header, m.Data)
		if err != nil {
			return fmt.Errorf("netlink: transact request #%d: %w", i, err)
		}
		if m.Header.Flags&Acknowledge != 0 {
			acked[i] = true
			waiting++
		}
	}
	w := c.register(kindBatch, uint32(len(reqs)))
	defer c.unregister(w)
	for i, off := range offs {
		putUint32(buf[off+8:], w.seq+uint32(i))
	}
	if err := c.sendRaw(buf, 0, 0); err != nil {
		return fmt.Errorf("netlink: transact: %w", err)
	}
	var failures []BatchFailure
	for waiting > 0 {
		msgs, _, err := c.next(ctx, w)
		if err != nil {
			if errors.Is(err, ErrOverrun) {
				return fmt.Errorf("netlink: transact: results lost: %w", err)
			}
			return fmt.Errorf("netlink: transact: %w", err)
		}
		for i := range msgs {
			m := &msgs[i]
			if m.Header.Type != TypeError {
				continue
			}
			idx := int(m.Header.Sequence - w.seq)
			end := len(buf)
			if idx+1 < len(reqs) {
				end = offs[idx+1]
			}
			errno, e, perr := parseAck(m, buf[offs[idx]:end])
			switch {
			case perr != nil:
				failures = append(failures, BatchFailure{Index: idx, Err: perr})
			case errno != 0:
				e.Op = "transact"
				failures = append(failures, BatchFailure{Index: idx, Err: e})
			case e != nil:
				e.Op = "transact"
				c.warn(e)
			}
			switch {
			case acked[idx]:
				acked[idx] = false
				waiting--
			case errno != 0 || perr != nil:
				waiting = 0 // the kernel read no further
			}
		}
	}
	if len(failures) > 0 {
		slices.SortFunc(failures, func(a, b BatchFailure) int { return cmp.Compare(a.Index, b.Index) })
		return &BatchError{Failures: failures, Total: len(reqs)}
	}
	return nil
}
