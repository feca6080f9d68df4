package audit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// ErrBusy is returned by a request on a Conn whose notifications are being
// read by Events: the audit protocol answers on the same stream, so use a
// second Conn for requests while one streams events.
var ErrBusy = errors.New("audit: the Conn is streaming events; use another Conn for requests")

// Conn speaks NETLINK_AUDIT. Audit exists only in the initial network and
// user namespaces, so a Conn always speaks to the machine's audit; its
// changes are global.
//
// A Conn is safe for concurrent use, with one limit the protocol sets:
// requests on one Conn run one at a time (the kernel answers AUDIT_GET and
// AUDIT_LIST_RULES from a kernel thread after it acknowledged them, and
// its replies carry no sequence number a waiter could be found by, so a
// Conn sends them with sequence number 0 and reads its answers in order),
// and while Events runs the Conn takes no requests (ErrBusy).
type Conn struct {
	nc     *netlink.Conn
	own    bool
	sem    chan struct{} // one request or one Events at a time
	state  chan connState
	daemon atomic.Bool // registered as the audit daemon (SetDaemon)
}

type connState struct {
	streaming bool // Events is running
	dirty     bool // a request was abandoned; its answers may still come
}

// Dial opens a NETLINK_AUDIT socket. cfg is passed to netlink.Dial; its
// NetNS must be nil or the initial namespace (the kernel speaks audit
// nowhere else). The Conn owns the socket: Close closes it.
func Dial(cfg *netlink.Config) (*Conn, error) {
	nc, err := netlink.Dial(unix.NETLINK_AUDIT, cfg)
	if err != nil {
		return nil, fmt.Errorf("audit: dial: %w", err)
	}
	c := NewConn(nc)
	c.own = true
	return c, nil
}

// DialListener opens a read-only listener: a socket in the multicast group
// AUDIT_NLGRP_READLOG, which gets a copy of every record the kernel emits
// and coexists with an audit daemon. It needs CAP_AUDIT_READ. Read the
// records with Events.
//
// Record streams come in bursts (an event is several records, each its
// own datagram): with cfg.ReceiveBuffer 0 the socket gets
// StreamReceiveBuffer, so that a burst waits in the socket rather than
// being dropped.
func DialListener(cfg *netlink.Config) (*Conn, error) {
	c := streamConfig(cfg)
	c.Groups = append(append([]uint32(nil), c.Groups...), GroupReadLog)
	return Dial(c)
}

// StreamReceiveBuffer is the receive buffer DialListener and DialDaemon
// give their socket unless the Config sets one: 4 MiB, some 10,000
// records.
const StreamReceiveBuffer = 4 << 20

func streamConfig(cfg *netlink.Config) *netlink.Config {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	if c.ReceiveBuffer == 0 {
		c.ReceiveBuffer = StreamReceiveBuffer
	}
	if c.MaxDatagram == 0 {
		// What the kernel sends an audit socket is bounded: a record
		// (MAX_AUDIT_MESSAGE_LENGTH, under 9 KiB), a status, a rule (64
		// fields of at most PATH_MAX bytes). Each datagram is then read
		// with one recvmsg instead of being measured first.
		c.MaxDatagram = streamMaxDatagram
	}
	return &c
}

// streamMaxDatagram bounds what the kernel sends an audit socket (see
// streamConfig).
const streamMaxDatagram = 320 << 10

// GroupReadLog is AUDIT_NLGRP_READLOG, the multicast group of records.
const GroupReadLog = 1

// NewConn speaks audit over nc, which it shares with the caller: Close
// leaves nc open. nc must not be read by anyone else (the Conn reads its
// answers with nc.Receive).
func NewConn(nc *netlink.Conn) *Conn {
	c := &Conn{nc: nc, sem: make(chan struct{}, 1), state: make(chan connState, 1)}
	c.state <- connState{}
	return c
}

// Netlink returns the underlying netlink.Conn.
func (c *Conn) Netlink() *netlink.Conn { return c.nc }

// Close closes the socket of a Conn made by Dial. A Conn registered as
// the audit daemon (DialDaemon) first gives the registration up (from
// another socket if Events is running on it), so that the kernel does not
// hold records for a reader that is gone; a running Events then ends with
// ErrClosed. The registration lasts until Close: the ctx given to
// DialDaemon bounds the registration request only, as a dialer's context
// does. Closing twice is harmless.
func (c *Conn) Close() error {
	var err error
	if c.daemon.Swap(false) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = c.setPID(ctx, 0)
		if errors.Is(err, ErrBusy) && c.own {
			// Events is running on c: give the registration up from
			// another socket (the kernel checks the process, not the
			// socket). Closing c then ends Events.
			if tmp, derr := Dial(nil); derr == nil {
				err = tmp.setPID(ctx, 0)
				tmp.Close()
			}
		}
		cancel()
	}
	if c.own {
		if cerr := c.nc.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// acquire takes the request slot.
// While Events runs it fails at once with ErrBusy (Events holds the slot
// for its whole run, so a Conn that got the slot is not streaming).
func (c *Conn) acquire(ctx context.Context) error {
	st := <-c.state
	c.state <- st
	if st.streaming {
		return ErrBusy
	}
	select {
	case c.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (c *Conn) release() { <-c.sem }

func (c *Conn) setDirty(v bool) {
	st := <-c.state
	st.dirty = v
	c.state <- st
}

func (c *Conn) isDirty() bool {
	st := <-c.state
	c.state <- st
	return st.dirty
}

// replyKind is what a request waits for besides its acknowledgement.
type replyKind int

const (
	replyNone  replyKind = iota // the ACK only
	replyOne                    // one message of the request's type
	replyMulti                  // messages of the request's type until NLMSG_DONE
)

// drainQuiet is how long a Conn whose request was abandoned reads and
// drops what comes before its next request: the abandoned request's late
// answers.
const drainQuiet = 50 * time.Millisecond

// request sends one audit request with sequence number 0 and NLM_F_ACK
// and reads its answers: the acknowledgement (whose non-negative code it
// returns: AUDIT_SET of the lost counter answers with the old count) and,
// as kind says, the data replies (copies). The kernel may send the
// acknowledgement before the data (AUDIT_GET, AUDIT_LIST_RULES) or after
// (fakes); both orders are accepted. A rule list ends with an NLMSG_DONE
// without a body.
func (c *Conn) request(ctx context.Context, op string, typ RecordType, data []byte, kind replyKind, yield func([]byte) error) (code int32, err error) {
	if err := c.acquire(ctx); err != nil {
		return 0, netlink.NameOp("audit", op, err)
	}
	defer c.release()
	if c.isDirty() {
		c.drain(ctx)
	}
	code, err = c.exchange(ctx, typ, data, kind, yield)
	if err != nil {
		var ne *netlink.Error
		if !errors.As(err, &ne) {
			// Abandoned or failed midway: answers may still come.
			c.setDirty(true)
		}
		return code, netlink.NameOp("audit", op, err)
	}
	return code, nil
}

func (c *Conn) drain(ctx context.Context) {
	for {
		dctx, cancel := context.WithTimeout(ctx, drainQuiet)
		got := false
		for _, err := range c.nc.Receive(dctx) {
			if err != nil {
				break
			}
			got = true
			break
		}
		cancel()
		if !got || ctx.Err() != nil {
			break
		}
	}
	c.setDirty(false)
}

func (c *Conn) exchange(ctx context.Context, typ RecordType, data []byte, kind replyKind, yield func([]byte) error) (int32, error) {
	req := netlink.Message{Header: netlink.Header{
		Type:   netlink.MessageType(typ),
		Flags:  netlink.Request | netlink.Acknowledge,
		PortID: c.nc.PortID(),
	}, Data: data}
	if err := c.nc.Send(ctx, req); err != nil {
		return 0, err
	}
	acked, done := false, kind == replyNone
	var code int32
	var ferr error
	for n, err := range c.nc.Receive(ctx) {
		if err != nil {
			return 0, err
		}
		if n.SenderPort != 0 || n.Group != 0 {
			continue // a multicast record or a peer: not an answer
		}
		switch t := n.Header.Type; {
		case t == netlink.TypeError:
			if len(n.Data) < 4 {
				return 0, malformed("NLMSG_ERROR of %d bytes", len(n.Data))
			}
			code = int32(binary.NativeEndian.Uint32(n.Data))
			if code < 0 {
				return 0, &netlink.Error{Op: "execute", Type: netlink.MessageType(typ), Errno: syscall.Errno(-code), Offset: -1, MissingNest: -1}
			}
			acked = true
		case t == netlink.TypeDone && kind == replyMulti:
			done = true
		case t == netlink.TypeNoop:
		case RecordType(t) == typ && !done:
			if ferr == nil && yield != nil {
				ferr = yield(n.Data)
			}
			if kind == replyOne {
				done = true
			}
		default:
			// A stray record (a Conn that is also the daemon), or the
			// late answer of an abandoned request: not ours.
		}
		if acked && done {
			break
		}
	}
	if !acked || !done {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		return 0, netlink.ErrClosed
	}
	return code, ferr
}
