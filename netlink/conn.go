package netlink

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nlkit/nlkit/netns"
)

// Config tunes a Conn. A nil *Config means the zero Config: defaults.
// Dial copies it; changing it afterwards has no effect.
type Config struct {
	// NetNS opens the socket inside this network namespace; the Conn then
	// speaks to that namespace for its whole life. nil: the calling
	// thread's namespace.
	NetNS *netns.NS

	// Groups are multicast groups to join at Dial (group numbers, e.g.
	// RTNLGRP_LINK = 1). More can be joined with JoinGroup.
	Groups []uint32

	// ReceiveBuffer sets the socket's receive buffer in bytes (SO_RCVBUFFORCE
	// when the process may, SO_RCVBUF otherwise). 0 keeps the system default.
	ReceiveBuffer int
	// SendBuffer likewise sets the send buffer (SO_SNDBUFFORCE / SO_SNDBUF).
	SendBuffer int

	// DisableStrictCheck turns off NETLINK_GET_STRICT_CHK, which is on by
	// default for NETLINK_ROUTE: the kernel then rejects malformed requests
	// instead of ignoring what it does not understand, and filters dumps.
	DisableStrictCheck bool
	// DisableExtendedAck turns off NETLINK_EXT_ACK (on by default): the
	// kernel's error messages and attribute offsets in errors.
	DisableExtendedAck bool
	// DisableCapAck turns off NETLINK_CAP_ACK (on by default): errors then
	// echo the whole request back.
	DisableCapAck bool
	// NoENOBUFS sets NETLINK_NO_ENOBUFS: the kernel stops reporting overruns.
	// Messages are still lost; KernelDrops counts them.
	NoENOBUFS bool
	// ListenAllNSID sets NETLINK_LISTEN_ALL_NSID: notifications from every
	// namespace that has an id in this one; Notification.NSID says which.
	ListenAllNSID bool

	// PortID binds the socket to this port (nl_pid); 0 lets the kernel pick.
	PortID uint32
	// Datagram opens a SOCK_DGRAM socket instead of SOCK_RAW (same protocol
	// for netlink; some sandboxes allow only one of them).
	Datagram bool

	// AcceptPeers accepts datagrams from user-space ports (nl_pid != 0).
	// Off by default: only the kernel is believed, and anything else is
	// dropped and counted in Stats.Forged. Turn it on for user-to-user
	// protocols such as NETLINK_USERSOCK.
	AcceptPeers bool

	// NotificationBacklog bounds how many notifications are kept for
	// Receive while another goroutine reads the socket (default 4096).
	// Beyond it they are dropped and Receive reports ErrOverrun.
	NotificationBacklog int

	// KeepBeforeOverrun keeps, after an overrun, the notifications that
	// were queued before the loss: Receive yields them and ErrOverrun
	// where the loss was seen, instead of throwing them away (see
	// Receive). It is for protocols whose messages each wait for an
	// answer, such as NFQUEUE's packets, which the kernel holds until
	// their verdict: discarding one would strand it there. A full
	// backlog then loses only the newest notifications.
	KeepBeforeOverrun bool

	// MaxDatagram, when set, is the largest datagram the socket can be
	// sent, for protocols that bound it (NFLOG: its batch buffer of at most
	// 128 KiB). Each datagram is then read with one recvmsg into a buffer of
	// that size, instead of being measured first (MSG_PEEK) and then read:
	// half the system calls for streams of small datagrams. A larger
	// datagram is cut short by the kernel and reported as ErrTruncated.
	// 0 measures every datagram, which never loses one.
	MaxDatagram int

	// Trace, if set, is called for every message sent and received, from
	// the goroutine doing the I/O. The Message's Data is valid only during
	// the call. See SlogTrace.
	Trace func(Direction, Message)

	// Warning, if set, is called with the kernel's extended-ACK warning
	// (an *Error with Errno 0) when a successful request carried one.
	Warning func(*Error)
}

// Direction tells Config.Trace whether a message was sent or received.
type Direction int

// Directions for Config.Trace.
const (
	Sent Direction = iota
	Received
)

func (d Direction) String() string {
	if d == Sent {
		return "send"
	}
	return "recv"
}

// Stats counts what a Conn dropped. All fields only grow.
type Stats struct {
	Forged       uint64 // datagrams from a user-space port dropped (AcceptPeers off)
	Stale        uint64 // replies to requests nobody waits for any more
	Overruns     uint64 // ENOBUFS reported by the kernel
	NotesDropped uint64 // notifications dropped because the backlog was full
	// Discarded counts notifications thrown away after an overrun because
	// they were queued before the loss (see Receive).
	Discarded uint64
	Malformed uint64 // datagrams that did not parse
}

// Conn is a netlink socket. It is safe for concurrent use: any number of
// goroutines may call Execute, Dump, Batch, Send and Receive at once. Each
// request gets its own sequence number and only ever sees its own replies;
// dumps are serialised internally (the kernel allows one per socket), so
// callers never see EBUSY. Notifications go to Receive, one consumer at a
// time. Close unblocks everything.
type Conn struct {
	s      conduit
	cfg    Config
	seq    atomic.Uint32
	done   chan struct{} // closed by Close
	dumpMu chan struct{} // one dump at a time

	stats struct{ forged, stale, overruns, notesDropped, discarded, malformed atomic.Uint64 }

	mu           sync.Mutex
	closed       bool
	reader       *waiter            // who is reading the socket now, nil if nobody
	readFree     chan struct{}      // closed when the reader role is released
	waiting      bool               // somebody waits on readFree
	waiters      map[uint32]*waiter // pending requests by sequence
	batches      []*waiter          // pending batches (sequence ranges)
	notes        *waiter            // notification mailbox, nil if not wanted
	notesBusy    bool               // a Receive is running
	draining     *waiter            // an abandoned dump still to be read off
	lastDeadline time.Time
	lastDrops    uint32 // the kernel's drop count at the last overrun
	// After a loss, notifications still queued on the socket are older
	// than it: they are thrown away until the queue has been read through
	// (it was found empty, or more bytes were read than it can hold), and
	// only then is ErrOverrun handed to Receive. See overrunLocked.
	notesStale bool
	staleLeft  int // bytes to read before the queue has surely been read through

	rpool sync.Pool // *receiver

	groupMu sync.Mutex
	groups  map[uint32]int // joins per multicast group
}

// waiter is one pending request, dump, batch or the notification mailbox.
type waiter struct {
	seq, seqEnd uint32 // sequence (range [seq, seqEnd) for batches)
	kind        waiterKind
	signal      chan struct{} // 1-buffered: something was put in box or err
	box         []batch       // messages routed here by other readers (copies)
	boxCount    int
	err         error
	finished    bool // discard waiter saw its end
	r           *receiver
	msgs        []Message       // own messages of the current datagram
	watched     <-chan struct{} // the ctx.Done being watched, see watchCtxLocked
	unwatch     func() bool
}

type waiterKind int

const (
	kindRequest waiterKind = iota
	kindDump
	kindBatch
	kindNotes
	kindDiscard
)

// datagram describes one received datagram.
type datagram struct {
	data   []byte // aliases receiver.buf
	sender uint32 // msg_name.nl_pid: 0 is the kernel; cannot be forged
	group  uint32 // multicast group it was sent to, 0 for unicast
	nsid   int32  // NETLINK_LISTEN_ALL_NSID: the peer netns id, -1 if unknown
}

// receiver is one reader's receive buffer with the messages parsed from
// it; sys is the operating system's part (socket_*.go).
type receiver struct {
	buf []byte
	// msgs holds the parsed messages of the last datagram (views of buf).
	msgs []Message
	// enobufs records an ENOBUFS met after the datagram was peeked.
	enobufs bool
	// unparsed says that the datagram in data, all of it for the reader,
	// is still to be parsed into msgs (see Conn.wholeDatagram); end, that
	// it holds the end of the reply.
	unparsed, end bool
	data          []byte
	sys           sysRecv
}

func newReceiver(size int) *receiver {
	// Room for the messages of a full buffer of 256-byte messages at once,
	// rather than growing to it one doubling at a time: a dump reads
	// ahead into up to 16 fresh receivers when a garbage collection
	// emptied the pool.
	r := &receiver{buf: make([]byte, size), msgs: make([]Message, 0, size/256)}
	r.initSys()
	return r
}

type batch struct {
	msgs []Message
	info datagram
}

// Dial opens a netlink socket of the given protocol (unix.NETLINK_ROUTE,
// unix.NETLINK_GENERIC, unix.NETLINK_USERSOCK, or any number) with cfg.
// The socket is close-on-exec and non-blocking on Go's runtime poller.
func Dial(family int, cfg *Config) (*Conn, error) {
	var c Config
	if cfg != nil {
		c = *cfg
		c.Groups = append([]uint32(nil), cfg.Groups...)
	}
	s, err := openSocket(family, &c)
	if err != nil {
		return nil, fmt.Errorf("netlink: dial protocol %d: %w", family, err)
	}
	return newConn(s, c), nil
}

func newConn(s conduit, c Config) *Conn {
	if c.NotificationBacklog <= 0 {
		c.NotificationBacklog = 4096
	}
	conn := &Conn{
		s:        s,
		cfg:      c,
		done:     make(chan struct{}),
		dumpMu:   make(chan struct{}, 1),
		readFree: make(chan struct{}),
		waiters:  make(map[uint32]*waiter),
		groups:   make(map[uint32]int),
	}
	for _, g := range c.Groups {
		conn.groups[g]++
	}
	// The mailbox exists from the start: notifications may come before the
	// first Receive (a queue's packets right after its bind, a group's
	// changes after Dial), and Receive must not miss them.
	conn.notes = &waiter{kind: kindNotes, signal: make(chan struct{}, 1)}
	return conn
}

// PortID returns the port (nl_pid) the socket is bound to.
func (c *Conn) PortID() uint32 { return c.s.portID() }

// Protocol returns the netlink protocol number given to Dial, or -1 for a
// Conn made by NewConn.
func (c *Conn) Protocol() int { return c.s.protocol() }

// Stats returns the drop counters. Safe to call at any time.
func (c *Conn) Stats() Stats {
	return Stats{
		Forged:       c.stats.forged.Load(),
		Stale:        c.stats.stale.Load(),
		Overruns:     c.stats.overruns.Load(),
		NotesDropped: c.stats.notesDropped.Load(),
		Discarded:    c.stats.discarded.Load(),
		Malformed:    c.stats.malformed.Load(),
	}
}

// Close closes the socket. Every blocked call returns ErrClosed promptly.
// Calling Close again does nothing and returns nil.
func (c *Conn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	close(c.done)
	c.mu.Unlock()
	return c.s.close()
}

// JoinGroup subscribes to a multicast group; its notifications go to
// Receive. Joins are counted per group: each JoinGroup needs its own
// LeaveGroup, so that independent users of one Conn (e.g. two generic
// netlink clients) do not unsubscribe each other.
func (c *Conn) JoinGroup(group uint32) error {
	c.groupMu.Lock()
	defer c.groupMu.Unlock()
	if c.groups[group] == 0 {
		if err := c.s.joinGroup(group); err != nil {
			return fmt.Errorf("netlink: %w", err)
		}
	}
	c.groups[group]++
	c.mu.Lock()
	if c.notes == nil {
		c.notes = &waiter{kind: kindNotes, signal: make(chan struct{}, 1)}
	}
	c.mu.Unlock()
	return nil
}

// LeaveGroup undoes one JoinGroup (or a group of Config.Groups); the
// socket leaves the group when the last join is undone. Leaving a group
// that was not joined is an error.
func (c *Conn) LeaveGroup(group uint32) error {
	c.groupMu.Lock()
	defer c.groupMu.Unlock()
	switch c.groups[group] {
	case 0:
		return fmt.Errorf("netlink: leave group %d: not joined", group)
	case 1:
		if err := c.s.leaveGroup(group); err != nil {
			return fmt.Errorf("netlink: %w", err)
		}
		delete(c.groups, group)
	default:
		c.groups[group]--
	}
	return nil
}

func (c *Conn) nextSeq(n uint32) uint32 {
	for {
		s := c.seq.Add(n) - n + 1
		if s != 0 && s+n-1 >= s { // never 0 (notifications), never wrap inside a range
			return s
		}
	}
}

func (c *Conn) register(kind waiterKind, n uint32) *waiter {
	w := &waiter{kind: kind, signal: make(chan struct{}, 1)}
	w.seq = c.nextSeq(n)
	w.seqEnd = w.seq + n
	c.mu.Lock()
	if kind == kindBatch {
		c.batches = append(c.batches, w)
	} else {
		c.waiters[w.seq] = w
	}
	c.mu.Unlock()
	return w
}

func (c *Conn) unregister(w *waiter) {
	c.mu.Lock()
	c.unregisterLocked(w)
	c.mu.Unlock()
	c.putReceiver(w)
}

func (c *Conn) unregisterLocked(w *waiter) {
	if w.kind == kindBatch {
		for i, b := range c.batches {
			if b == w {
				c.batches = append(c.batches[:i], c.batches[i+1:]...)
				break
			}
		}
		return
	}
	if c.waiters[w.seq] == w {
		delete(c.waiters, w.seq)
	}
}

func (c *Conn) putReceiver(w *waiter) {
	c.mu.Lock()
	w.stopWatch()
	c.mu.Unlock()
	if w.r != nil {
		c.rpool.Put(w.r)
		w.r = nil
	}
}

const defaultBufSize = 64 << 10

// receiverFor gives w a receive buffer if it has none.
func (c *Conn) receiverFor(w *waiter) *receiver {
	if w.r == nil {
		w.r = c.getReceiver()
	}
	return w.r
}

// getReceiver takes a receive buffer from the pool, or makes one.
func (c *Conn) getReceiver() *receiver { return c.getReceiverSized(defaultBufSize) }

// getReceiverSized takes a receive buffer from the pool, or makes one of
// size bytes.
func (c *Conn) getReceiverSized(size int) *receiver {
	if r, ok := c.rpool.Get().(*receiver); ok {
		return r
	}
	return newReceiver(size)
}

var errFinished = errors.New("netlink: finished")

// next returns w's next messages: either copies another reader routed to
// it, or the messages for w of a datagram it read itself. The latter alias
// w's receive buffer and are valid until the next call for w.
func (c *Conn) next(ctx context.Context, w *waiter) ([]Message, datagram, error) {
	for {
		c.mu.Lock()
		// Close and ctx's end come first: what is boxed is not handed out
		// after them.
		if c.closed {
			c.mu.Unlock()
			return nil, datagram{}, ErrClosed
		}
		if err := ctx.Err(); err != nil {
			c.mu.Unlock()
			return nil, datagram{}, err
		}
		if len(w.box) > 0 {
			b := w.box[0]
			w.box[0] = batch{}
			w.box = w.box[1:]
			w.boxCount -= len(b.msgs)
			c.mu.Unlock()
			return b.msgs, b.info, nil
		}
		if w.err != nil {
			err := w.err
			w.err = nil
			c.mu.Unlock()
			return nil, datagram{}, err
		}
		if w.finished {
			c.mu.Unlock()
			return nil, datagram{}, errFinished
		}
		if c.reader == nil {
			c.reader = w
			c.watchCtxLocked(ctx, w)
			c.mu.Unlock()
			own, info, err := c.readOnce(ctx, w)
			c.mu.Lock()
			c.reader = nil
			if c.waiting {
				close(c.readFree)
				c.readFree = make(chan struct{})
				c.waiting = false
			}
			c.mu.Unlock()
			if err != nil {
				return nil, info, err
			}
			if len(own) > 0 || w.kind == kindDiscard || w.r != nil && w.r.unparsed {
				// A discard waiter returns after each datagram it read,
				// for its drainer to see progress (acquireDump).
				return own, info, nil
			}
			continue
		}
		ch := c.readFree
		c.waiting = true
		c.mu.Unlock()
		select {
		case <-w.signal:
		case <-ch:
		case <-c.done:
		case <-ctx.Done():
		}
	}
}

// watchCtxLocked arranges for the end of ctx to wake w's blocked read: a
// past read deadline is set if w is the reader then. Setting c.reader and
// checking ctx.Err() under c.mu, as next does, closes the gap between the
// check and the read. One watch per waiter and ctx, not per read.
func (c *Conn) watchCtxLocked(ctx context.Context, w *waiter) {
	done := ctx.Done()
	if done == nil || done == w.watched {
		return
	}
	if w.unwatch != nil {
		w.unwatch()
	}
	w.watched = done
	w.unwatch = context.AfterFunc(ctx, func() {
		c.mu.Lock()
		if c.reader == w {
			c.s.setReadDeadline(aLongTimeAgo)
			c.lastDeadline = aLongTimeAgo
		}
		c.mu.Unlock()
	})
}

// stopWatch stops w's ctx watch.
func (w *waiter) stopWatch() {
	if w.unwatch != nil {
		w.unwatch()
		w.unwatch, w.watched = nil, nil
	}
}

// aLongTimeAgo is a read deadline that has passed: it wakes a blocked read.
var aLongTimeAgo = time.Unix(1, 0)

// readOnce reads one datagram as the reader and routes its messages. It
// returns w's own messages.
func (c *Conn) readOnce(ctx context.Context, w *waiter) ([]Message, datagram, error) {
	r := c.receiverFor(w)
	r.unparsed, r.data = false, nil
	dl, _ := ctx.Deadline()
	c.mu.Lock()
	// ctx's watch (watchCtxLocked) may already have fired and set a past
	// deadline; setting ctx's own deadline now would undo that and block
	// for ever. It fires only once ctx is done, so checking ctx here, under
	// the lock it takes too, settles it either way.
	if err := ctx.Err(); err != nil {
		c.mu.Unlock()
		return nil, datagram{}, err
	}
	if !dl.Equal(c.lastDeadline) {
		c.s.setReadDeadline(dl)
		c.lastDeadline = dl
	}
	c.mu.Unlock()
	d, err := c.s.recv(r)
	if err != nil {
		switch {
		case c.isClosed():
			return nil, d, ErrClosed
		case errors.Is(err, os.ErrDeadlineExceeded):
			if cerr := ctx.Err(); cerr != nil {
				return nil, d, cerr
			}
			if !dl.IsZero() && !time.Now().Before(dl) {
				return nil, d, context.DeadlineExceeded
			}
			return nil, d, nil // a stale wake-up; the caller loops
		case errors.Is(err, ErrOverrun):
			c.checkLoss()
			return nil, d, nil
		case errors.Is(err, errIdle):
			c.checkIdle()
			return nil, d, nil
		case errors.Is(err, ErrClosed):
			return nil, d, ErrClosed
		}
		return nil, d, fmt.Errorf("netlink: %w", err)
	}
	if r.enobufs {
		r.enobufs = false
		c.checkLoss()
	}
	if d.sender != 0 && !c.cfg.AcceptPeers {
		c.stats.forged.Add(1)
		return nil, d, nil
	}
	if c.s.protocol() == protoAudit {
		fixAuditLength(d)
	} else if w.kind == kindDump && d.group == 0 && d.sender == 0 && c.cfg.Trace == nil && c.wholeDatagram(w, r, d) {
		return nil, d, nil
	}
	r.msgs, err = AppendParse(r.msgs[:0], d.data)
	if err != nil {
		c.stats.malformed.Add(1)
		r.msgs = r.msgs[:0]
		return nil, d, fmt.Errorf("netlink: from port %d: %w", d.sender, err)
	}
	if c.cfg.Trace != nil {
		for _, m := range r.msgs {
			c.cfg.Trace(Received, m)
		}
	}
	return c.route(w, r.msgs, d), d, nil
}

// wholeDatagram is readOnce's shortcut for a dump's datagram that holds
// nothing but the dump's own messages, as nearly all do: it only walks the
// headers to check that (and to see the end of the dump), and leaves the
// messages to be parsed (receiver.parsed) by the goroutine that consumes
// them. When a dump is read ahead (see prefetcher), that takes the work
// off the reading goroutine, which is the dump's critical path. It reports
// false, having changed nothing, for any other datagram, which route
// hands out.
func (c *Conn) wholeDatagram(w *waiter, r *receiver, d datagram) bool {
	b := d.data
	end := false
	n := 0
	for off := 0; len(b)-off >= HeaderLen; n++ {
		h := b[off:]
		l := binary.NativeEndian.Uint32(h[0:4])
		if l < HeaderLen || uint64(l) > uint64(len(h)) || binary.NativeEndian.Uint32(h[8:12]) != w.seq {
			return false // malformed (AppendParse says how) or not only w's
		}
		if t := MessageType(binary.NativeEndian.Uint16(h[4:6])); t == TypeDone || t == TypeError {
			end = true
		}
		next := Align(int(l))
		if next > len(h) {
			n++
			break
		}
		off += next
	}
	if n == 0 {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.waiters[w.seq] != w {
		return false
	}
	if c.notesStale {
		// As route counts every datagram read while stale.
		if c.staleLeft -= len(d.data); c.staleLeft < 0 {
			c.endStaleLocked()
		}
	}
	r.unparsed, r.end, r.data = true, end, d.data
	return true
}

// parsed returns the messages of the datagram r holds: msgs, or, when
// wholeDatagram left them to be parsed, r's parsed now (views of r's
// buffer, as msgs are).
func (r *receiver) parsed(msgs []Message) []Message {
	if !r.unparsed {
		return msgs
	}
	r.unparsed = false
	// The headers were checked by wholeDatagram: this cannot fail.
	r.msgs, _ = AppendParse(r.msgs[:0], r.data)
	r.data = nil
	return r.msgs
}

// protoAudit is NETLINK_AUDIT (named here, not from x/sys/unix, for the
// builds on other systems).
const protoAudit = 9

// fixAuditLength repairs the one datagram the kernel sends malformed on
// purpose: an audit record unicast to the registered audit daemon carries
// in nlmsg_len the length of its payload, without the 16-byte header
// (kernel/audit.c keeps this for auditd, which expects it; the multicast
// copies are fixed). Such a datagram holds that one message; read as it
// is, it would lose its last bytes (taken for padding) or not parse. The
// kernel's other audit unicasts (answers, acknowledgements) are one
// well-formed message per datagram, so a first length exactly a header
// short of the datagram is this quirk.
func fixAuditLength(d datagram) {
	b := d.data
	if d.sender != 0 || d.group != 0 || len(b) < HeaderLen {
		return
	}
	if int(binary.NativeEndian.Uint32(b)) == len(b)-HeaderLen {
		binary.NativeEndian.PutUint32(b, uint32(len(b)))
	}
}

// checkLoss is called when the kernel reported ENOBUFS. That error means
// either that messages were dropped (the kernel then counts them in
// sk_drops) or only that a dump could not go on yet for lack of room (no
// loss: the kernel keeps the dump's state). Only the first is an overrun.
func (c *Conn) checkLoss() {
	drops, err := c.s.drops()
	c.mu.Lock()
	defer c.mu.Unlock()
	// Check again when the queue empties, whatever the count says now:
	// the kernel raises the error a moment before it counts the drop,
	// and any later drops of this congestion episode are silent.
	c.s.setIdleCheck(true)
	if err == nil && drops == c.lastDrops {
		return
	}
	// Without a drop count (a Transport), every overrun is a loss.
	c.lastDrops = drops
	c.stats.overruns.Add(1)
	c.overrunLocked()
}

// errIdle is how the socket says that a read found the queue empty while
// an overrun episode was open.
var errIdle = errors.New("netlink: queue empty")

// checkIdle ends an overrun episode: if messages were dropped since the
// overrun was reported (silently, the socket being congested), that is a
// new overrun; otherwise reads may block again.
func (c *Conn) checkIdle() {
	drops, err := c.s.drops()
	c.mu.Lock()
	defer c.mu.Unlock()
	if err == nil && drops == c.lastDrops {
		c.s.setIdleCheck(false)
		if c.notesStale {
			// The queue was read through: all that comes now is newer
			// than the loss.
			c.endStaleLocked()
		}
		return
	}
	c.lastDrops = drops
	c.stats.overruns.Add(1)
	c.overrunLocked()
}

// overrunLocked spreads a loss: the notification consumer must resync, and
// a pending request may have lost its reply. Dumps are not affected: the
// kernel never drops dump replies, it waits for room (see Dump for a dump
// that could not start).
//
// A consumer resyncs by dumping after it sees ErrOverrun and applying
// the notifications that follow on top. That is right only if none of
// them is older than the loss: one that is (a route's creation whose
// removal was the message dropped) would bring back what is gone. So the
// notifications held for Receive are thrown away, and so are those still
// queued on the socket, which the kernel queued before the loss: reads
// discard them until the queue is found empty or more bytes were read
// than it can hold. Only then is ErrOverrun delivered; everything Receive
// yields after it was queued after it. A Transport reports a loss after
// the datagrams queued before it (see Transport.Receive), so there is
// nothing on it to read through.
func (c *Conn) overrunLocked() {
	deliver := func(w *waiter) {
		w.err = ErrOverrun
		notify(w)
	}
	if n := c.notes; n != nil && c.cfg.KeepBeforeOverrun {
		deliver(n)
	} else if n != nil {
		c.dropNotesLocked()
		if budget := c.s.queueBound(); budget > 0 {
			c.notesStale, c.staleLeft = true, budget
			c.s.setIdleCheck(true)
		} else {
			deliver(n)
		}
	}
	for _, w := range c.waiters {
		if w.kind == kindRequest {
			deliver(w)
		}
	}
	for _, w := range c.batches {
		deliver(w)
	}
}

// endStaleLocked ends the discarding that follows a loss and tells the
// notification consumer.
func (c *Conn) endStaleLocked() {
	c.notesStale = false
	if n := c.notes; n != nil {
		c.dropNotesLocked() // anything boxed meanwhile was discarded already; be sure
		n.err = ErrOverrun
		notify(n)
	}
}

// dropNotesLocked throws away the notifications held for Receive.
func (c *Conn) dropNotesLocked() {
	n := c.notes
	if n.boxCount > 0 {
		c.stats.discarded.Add(uint64(n.boxCount))
	}
	clear(n.box)
	n.box = n.box[:0]
	n.boxCount = 0
}

func notify(w *waiter) {
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

// route hands each message of datagram d to whom it belongs and returns
// those that belong to the reader w (as views of its buffer).
func (c *Conn) route(w *waiter, msgs []Message, d datagram) []Message {
	unsolicited := d.group != 0 || (d.sender != 0 && c.cfg.AcceptPeers)
	c.mu.Lock()
	defer c.mu.Unlock()
	stale := c.notesStale
	if stale {
		// Count this datagram against the queue's size: once more has
		// been read than it could hold, what was queued at the loss is
		// gone, this datagram included.
		if c.staleLeft -= len(d.data); c.staleLeft < 0 {
			c.endStaleLocked()
		}
	}
	if d.group != 0 {
		// Multicast: all of it is notification.
		if stale {
			c.stats.discarded.Add(uint64(len(msgs)))
			return nil
		}
		if w.kind == kindNotes {
			return msgs
		}
		c.boxNotes(msgs, d)
		return nil
	}
	own := msgs[:0]
	var prevOther *waiter
	start := 0
	// owner is ownerLocked, remembering the last answer: the messages of
	// a datagram nearly always share one sequence number (a dump's
	// hundreds), so the map is asked once per datagram, not per message.
	var lastSeq uint32
	var lastOwner *waiter
	known := false
	owner := func(seq uint32) *waiter {
		if !known || seq != lastSeq {
			lastSeq, lastOwner, known = seq, c.ownerLocked(seq), true
		}
		return lastOwner
	}
	flush := func(end int) {
		if prevOther != nil && end > start {
			prevOther.box = append(prevOther.box, batch{msgs: copyMessages(msgs[start:end]), info: d})
			prevOther.boxCount += end - start
			notify(prevOther)
		}
	}
	for i := 0; i < len(msgs); i++ {
		m := msgs[i]
		dst := owner(m.Header.Sequence)
		if dst == nil && (unsolicited || m.Header.Sequence == 0) {
			// Sequence 0 answers no request: the kernel wrote it on its
			// own to this port (a queued packet, a log entry, an audit
			// record) or answers a Send that carried none.
			dst = c.notes
		}
		switch {
		case dst != nil && dst.kind == kindNotes && stale:
			c.stats.discarded.Add(1)
			continue
		case dst == w:
			if w.kind == kindDiscard {
				c.discardLocked(w, m)
				known = false // it may have ended w
				continue
			}
			own = append(own, m)
			continue
		case dst == nil:
			c.stats.stale.Add(1)
			continue
		case dst.kind == kindDiscard:
			c.discardLocked(dst, m)
			known = false
			continue
		case dst.kind == kindNotes:
			c.boxNotes(msgs[i:i+1], d)
			continue
		}
		if dst != prevOther {
			flush(i)
			prevOther, start = dst, i
		}
		// Keep runs for the same waiter together; flush at the end of the run.
		if i+1 == len(msgs) || owner(msgs[i+1].Header.Sequence) != dst {
			flush(i + 1)
			prevOther = nil
		}
	}
	return own
}

// ownerLocked finds the waiter a sequence number belongs to.
func (c *Conn) ownerLocked(seq uint32) *waiter {
	if w, ok := c.waiters[seq]; ok {
		return w
	}
	for _, b := range c.batches {
		if seq-b.seq < b.seqEnd-b.seq {
			return b
		}
	}
	return nil
}

// discardLocked drops a message of an abandoned dump and notes its end.
func (c *Conn) discardLocked(w *waiter, m Message) {
	if m.Header.Type == TypeDone || m.Header.Type == TypeError {
		w.finished = true
		delete(c.waiters, w.seq)
		if c.draining == w {
			c.draining = nil
		}
		notify(w)
	}
}

func (c *Conn) boxNotes(msgs []Message, d datagram) {
	n := c.notes
	if n == nil {
		return
	}
	if n.boxCount+len(msgs) > c.cfg.NotificationBacklog {
		// The newest are lost; what the box holds is older than them and
		// goes too (see overrunLocked). What comes next is newer.
		c.stats.notesDropped.Add(uint64(len(msgs)))
		if !c.cfg.KeepBeforeOverrun {
			c.dropNotesLocked()
		}
		n.err = ErrOverrun
		notify(n)
		return
	}
	n.box = append(n.box, batch{msgs: copyMessages(msgs), info: d})
	n.boxCount += len(msgs)
	notify(n)
}

// copyMessages copies messages into one allocation owned by the caller.
func copyMessages(msgs []Message) []Message {
	size := 0
	for _, m := range msgs {
		size += len(m.Data)
	}
	buf := make([]byte, 0, size)
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		start := len(buf)
		buf = append(buf, m.Data...)
		out[i] = Message{Header: m.Header, Data: buf[start:len(buf):len(buf)]}
	}
	return out
}

// maxDatagram bounds the buffer a datagram may make a reader allocate.
const maxDatagram = 16 << 20

// lowestGroup turns an nl_groups mask into the lowest group number in it.
func lowestGroup(mask uint32) uint32 {
	for i := uint32(0); i < 32; i++ {
		if mask&(1<<i) != 0 {
			return i + 1
		}
	}
	return 0
}
