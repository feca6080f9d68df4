package netlink

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"syscall"
)

// Notification is a message that was not a reply to one of this Conn's
// requests: a multicast notification, a message the kernel sent to this
// socket's port on its own (sequence number 0), or, with Config.AcceptPeers,
// a message from a user-space peer.
type Notification struct {
	Message
	// Group is the multicast group it was sent to; 0 for unicast.
	Group uint32
	// SenderPort is the sender's port (msg_name.nl_pid): 0 for the kernel.
	// Unlike Header.PortID it is filled in by the kernel and cannot be forged.
	SenderPort uint32
	// NSID is the id, in this Conn's namespace, of the namespace the
	// notification came from, with Config.ListenAllNSID; -1 otherwise or
	// when the kernel gave none.
	NSID int32
}

// ErrReceiveBusy is returned by Receive when another Receive is already
// running on the Conn: notifications have one consumer at a time.
var ErrReceiveBusy = errors.New("netlink: another Receive is running on this Conn")

// Receive streams notifications: messages of the multicast groups joined
// (Config.Groups, JoinGroup), messages the kernel sends to this socket's
// port on its own (sequence number 0: NFQUEUE packets, NFLOG entries, audit
// records, and the kernel's errors answering a Send whose message carried
// no sequence number) and, with Config.AcceptPeers, messages from user-space
// peers. It is a single-use iterator; one Receive at a time per
// Conn.
//
// ErrOverrun is yielded when the kernel dropped messages for lack of room
// (ENOBUFS) or the Conn's backlog overflowed; the stream goes on after it.
// It marks a point: every notification yielded after it was sent after
// the loss. Those sent before the loss and not yet yielded are thrown
// away (counted in Stats.Discarded), so the consumer that, on ErrOverrun,
// replaces its state with a fresh dump and applies what follows on top is
// right by construction: nothing older than the loss comes after the dump.
// The same holds for the first dump when the groups are joined (Dial's
// Config.Groups, JoinGroup) before it is taken. With
// Config.KeepBeforeOverrun nothing is thrown away: the older ones are
// yielded too, ErrOverrun only marks that some were lost. Any other error ends the
// stream: ctx's error, ErrClosed, a malformed datagram.
//
// A yielded Notification's Data is valid only until the loop body returns.
// Stopping the loop in the middle of a datagram that carries several
// messages keeps the rest for the next Receive, which yields them first.
func (c *Conn) Receive(ctx context.Context) iter.Seq2[Notification, error] {
	return func(yield func(Notification, error) bool) {
		c.mu.Lock()
		if c.notes == nil {
			c.notes = &waiter{kind: kindNotes, signal: make(chan struct{}, 1)}
		}
		w := c.notes
		busy := c.notesBusy
		c.notesBusy = true
		c.mu.Unlock()
		if busy {
			yield(Notification{}, ErrReceiveBusy)
			return
		}
		defer func() {
			// Give the buffer back before the next Receive may start:
			// the mailbox and its buffer are shared between Receives.
			c.putReceiver(w)
			c.mu.Lock()
			c.notesBusy = false
			c.mu.Unlock()
		}()
		for {
			msgs, d, err := c.next(ctx, w)
			if errors.Is(err, ErrOverrun) {
				if !yield(Notification{NSID: -1}, fmt.Errorf("netlink: receive: %w", err)) {
					return
				}
				continue
			}
			if err != nil {
				yield(Notification{NSID: -1}, fmt.Errorf("netlink: receive: %w", err))
				return
			}
			for i, m := range msgs {
				if !yield(Notification{Message: m, Group: d.group, SenderPort: d.sender, NSID: d.nsid}, nil) {
					c.keepUnread(w, msgs[i+1:], d)
					return
				}
			}
		}
	}
}

// keepUnread puts back, for the next Receive to yield first, the messages
// of a datagram that the caller of Receive did not take because it stopped
// the loop: one datagram may carry many notifications (NFLOG sends up to
// hundreds of entries in one), and stopping must not lose them. They are
// copied: the receive buffer is reused.
func (c *Conn) keepUnread(w *waiter, msgs []Message, d datagram) {
	if len(msgs) == 0 {
		return
	}
	d.data = nil
	b := batch{msgs: copyMessages(msgs), info: d}
	c.mu.Lock()
	w.box = append(w.box, batch{})
	copy(w.box[1:], w.box)
	w.box[0] = b
	w.boxCount += len(msgs)
	c.mu.Unlock()
}

// Send sends m as it is, with its Length computed, to the kernel. It waits
// for no reply: use it for protocols without acknowledgements. Execute,
// Dump and Batch are the request paths. ctx is checked before sending;
// netlink sends do not block.
func (c *Conn) Send(ctx context.Context, m Message) error {
	return c.SendTo(ctx, m, 0, 0)
}

// SendTo sends m to a user-space peer's port, and/or to a multicast group
// (group number; 0 for none). Port 0 with group 0 is the kernel. A peer
// whose receive buffer is full makes it fail (EAGAIN) rather than block.
func (c *Conn) SendTo(ctx context.Context, m Message, port, group uint32) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var mask uint32
	if group != 0 {
		if group > 32 {
			return fmt.Errorf("netlink: send to group %d: only groups 1-32 can be addressed", group)
		}
		mask = 1 << (group - 1)
	}
	bp := sendBufs.Get().(*[]byte)
	b, err := AppendMessage((*bp)[:0], m.Header, m.Data)
	if err != nil {
		sendBufs.Put(bp)
		return err
	}
	err = c.sendRaw(b, port, mask)
	if cap(b) <= maxPooledSend {
		*bp = b
	}
	sendBufs.Put(bp)
	if mask != 0 && port == 0 && errors.Is(err, syscall.ECONNREFUSED) {
		// The kernel multicasts first, then also unicasts to port 0; a
		// protocol without a kernel socket (NETLINK_USERSOCK) refuses
		// that part. The multicast went out.
		err = nil
	}
	if err != nil {
		return fmt.Errorf("netlink: send to port %d group %d: %w", port, group, err)
	}
	return nil
}

// sendBufs holds the buffers Send and SendTo encode into, so that a
// steady stream of sends (verdicts, one per queued packet) allocates
// nothing. Buffers that grew past maxPooledSend are not kept.
var sendBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

const maxPooledSend = 64 << 10

// DecodeNotifications turns a stream of notifications (a Receive, or a
// family's stream built on it) into a stream of typed values, with the rule
// every notification stream of nlkit follows:
//
//   - ErrOverrun is yielded and the stream goes on (nothing older than the
//     loss follows it; see Receive);
//   - any other error of in is yielded and ends the stream;
//   - decode says what each notification is: ok false and no error skips it
//     (not a change the stream models); an error is yielded and the stream
//     goes on (one malformed notification is a lost change: state built
//     from the stream should be rebuilt, as after an overrun).
//
// It is a single-use iterator when in is.
func DecodeNotifications[N, T any](in iter.Seq2[N, error], decode func(N) (v T, ok bool, err error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for n, err := range in {
			if err != nil {
				if !yield(zero, err) || !errors.Is(err, ErrOverrun) {
					return
				}
				continue
			}
			v, ok, err := decode(n)
			if err != nil {
				if !yield(zero, err) {
					return
				}
				continue
			}
			if ok && !yield(v, nil) {
				return
			}
		}
	}
}
