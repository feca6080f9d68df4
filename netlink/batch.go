package netlink

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
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
func (c *Conn) Batch(ctx context.Context, reqs iter.Seq[Message]) error {
	rcv, snd := c.s.buffers()
	// Datagrams of at most 256 KiB: larger ones make the kernel allocate
	// (vmalloc) and copy huge buffers for no gain in syscalls saved.
	maxBytes := min(max(snd-1024, 16<<10), 256<<10)
	// An error message costs at most ~1 KiB of receive buffer (skb
	// overhead included); keep every failure of a datagram receivable.
	maxMsgs := max(rcv/1024, 16)

	var (
		failures []BatchFailure
		buf      []byte
		index    int // index of the next request
		first    int // index of the first request in buf
		count    int
		offs     []int // offset of each message in buf
		total    int
	)
	flush := func() error {
		if count == 0 {
			return nil
		}
		// Ask for an ACK on the last request of the datagram.
		last := buf[offs[count-1]:]
		putFlags(last, Flags(nativeUint16(last[6:]))|Acknowledge)
		w := c.register(kindBatch, uint32(count))
		for i, off := range offs {
			putUint32(buf[off+8:], w.seq+uint32(i))
		}
		err := c.runBatch(ctx, w, buf, offs, first, &failures)
		c.unregister(w)
		buf, offs, count = buf[:0], offs[:0], 0
		first = index
		return err
	}
	for m := range reqs {
		size := Align(HeaderLen + len(m.Data))
		if count > 0 && (count >= maxMsgs || len(buf)+size > maxBytes) {
			if err := flush(); err != nil {
				return err
			}
		}
		m.Header.Flags |= Request
		m.Header.Sequence = 0
		offs = append(offs, len(buf))
		var err error
		buf, err = AppendMessage(buf, m.Header, m.Data)
		if err != nil {
			return fmt.Errorf("netlink: batch request #%d: %w", index, err)
		}
		count++
		index++
		total++
	}
	if err := flush(); err != nil {
		return err
	}
	if len(failures) > 0 {
		slices.SortFunc(failures, func(a, b BatchFailure) int { return cmp.Compare(a.Index, b.Index) })
		return &BatchError{Failures: failures, Total: total}
	}
	return nil
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
