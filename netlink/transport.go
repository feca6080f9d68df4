package netlink

import (
	"errors"
	"fmt"
	"time"
)

// Transport carries datagrams for a Conn in place of a kernel socket. Dial
// uses the kernel; NewConn takes any Transport, such as the in-memory fake
// of package nltest, and runs the same sequence, acknowledgement, dump and
// error logic over it.
//
// A Transport must be safe for concurrent use: one goroutine may be blocked
// in Receive while others call Send, SetReadDeadline or Close.
type Transport interface {
	// Send delivers one datagram (one or more encoded messages) to the
	// given port and multicast group; port 0 and group 0 mean the kernel
	// side. The Transport must not keep b after returning.
	Send(b []byte, port, group uint32) error

	// Receive waits for the next datagram and copies it into b. It returns
	// the datagram's full length and where it came from. When the length
	// exceeds len(b), nothing is consumed: the caller calls again with a
	// buffer at least that large. It returns an error wrapping
	// os.ErrDeadlineExceeded when the read deadline passes, ErrOverrun
	// when datagrams were lost, and ErrClosed once Close was called.
	//
	// A loss is reported in order: the datagrams Receive returns after
	// ErrOverrun must all have been sent after the lost ones. A Transport
	// that queues notifications throws away the ones it holds when it
	// drops one (replies to requests may stay), as the Conn does with a
	// kernel socket's queue.
	Receive(b []byte) (n int, from Source, err error)

	// SetReadDeadline sets the time at which a blocked or future Receive
	// fails with os.ErrDeadlineExceeded; the zero time means none.
	SetReadDeadline(t time.Time) error

	// Close unblocks Receive and releases the Transport.
	Close() error

	// PortID is the Conn's own port on this Transport.
	PortID() uint32

	// JoinGroup and LeaveGroup change multicast membership.
	JoinGroup(group uint32) error
	LeaveGroup(group uint32) error
}

// Source says where a received datagram came from.
type Source struct {
	Port  uint32 // the sender's port; 0 is the kernel side
	Group uint32 // multicast group it was sent to; 0 for unicast
	NSID  int32  // the sender's namespace id, -1 if unknown
}

// NewConn returns a Conn that speaks over t instead of a kernel socket. cfg
// is used as by Dial for what does not concern the socket (Groups are
// joined through t; AcceptPeers, NotificationBacklog, Trace and Warning
// apply; NetNS and socket options are ignored). The Conn owns t: Close
// closes it.
func NewConn(t Transport, cfg *Config) (*Conn, error) {
	var c Config
	if cfg != nil {
		c = *cfg
		c.Groups = append([]uint32(nil), cfg.Groups...)
	}
	tr := &transportConduit{t: t}
	for _, g := range c.Groups {
		if err := t.JoinGroup(g); err != nil {
			return nil, fmt.Errorf("netlink: join group %d: %w", g, err)
		}
	}
	return newConn(tr, c), nil
}

// conduit is what a Conn needs from below: the kernel socket, or a
// Transport.
type conduit interface {
	recv(r *receiver) (datagram, error)
	send(b []byte, port, groups uint32) error
	setReadDeadline(t time.Time)
	setIdleCheck(on bool)
	close() error
	joinGroup(g uint32) error
	leaveGroup(g uint32) error
	buffers() (rcv, snd int)
	// queueBound is how many bytes of datagrams the receive queue can
	// hold at most, or 0 when a loss is reported after what was queued
	// before it (a Transport).
	queueBound() int
	drops() (uint32, error)
	setFilter(prog []FilterInstruction) error
	portID() uint32
	protocol() int
}

// transportConduit adapts a Transport.
type transportConduit struct {
	t Transport
}

func (tc *transportConduit) recv(r *receiver) (datagram, error) {
	for {
		n, from, err := tc.t.Receive(r.buf)
		if err != nil {
			return datagram{}, err
		}
		if n < 0 {
			return datagram{}, fmt.Errorf("netlink: transport returned length %d", n)
		}
		if n <= len(r.buf) {
			return datagram{data: r.buf[:n], sender: from.Port, group: from.Group, nsid: from.NSID}, nil
		}
		if n > maxDatagram {
			return datagram{}, fmt.Errorf("%w: %d bytes", ErrTruncated, n)
		}
		r.buf = make([]byte, Align(n)+4096)
	}
}

func (tc *transportConduit) send(b []byte, port, groups uint32) error {
	// Groups arrive as a mask (sockaddr_nl); a Transport takes a number.
	return tc.t.Send(b, port, lowestGroup(groups))
}

func (tc *transportConduit) setReadDeadline(t time.Time) { _ = tc.t.SetReadDeadline(t) }
func (tc *transportConduit) close() error                { return tc.t.Close() }
func (tc *transportConduit) setIdleCheck(bool)           {}
func (tc *transportConduit) joinGroup(g uint32) error    { return tc.t.JoinGroup(g) }
func (tc *transportConduit) leaveGroup(g uint32) error   { return tc.t.LeaveGroup(g) }
func (tc *transportConduit) portID() uint32              { return tc.t.PortID() }
func (tc *transportConduit) protocol() int               { return -1 }

// buffers gives Batch room for 4096 results per datagram.
func (tc *transportConduit) buffers() (int, int) { return 4 << 20, 4 << 20 }

// queueBound: a Transport reports a loss in order (see Transport.Receive).
func (tc *transportConduit) queueBound() int { return 0 }

// drops: a Transport reports every loss as ErrOverrun, so none is spurious.
func (tc *transportConduit) drops() (uint32, error) { return 0, errNoDropCount }

var errNoDropCount = errors.New("netlink: transport has no drop count")

// setFilter: socket filters run in the kernel; a Transport has none.
func (tc *transportConduit) setFilter([]FilterInstruction) error { return errNoFilter }

var errNoFilter = errors.New("netlink: transport takes no socket filter")
