package nltest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Handler answers one request message, as the kernel's handler for a
// message type would. It returns the data replies (their sequence and port
// are filled in by the Server) and an error: a syscall.Errno, or an
// *netlink.Error whose Errno, Message and Offset are sent back as an
// extended ACK. A Handler that returns an NLMSG_ERROR or NLMSG_DONE
// message itself gets nothing added (Replay does that).
//
// The Server calls Handle from the goroutine that sent the request, one
// request at a time per Server.
type Handler interface {
	Handle(req netlink.Message) ([]netlink.Message, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(req netlink.Message) ([]netlink.Message, error)

// Handle calls f.
func (f HandlerFunc) Handle(req netlink.Message) ([]netlink.Message, error) { return f(req) }

// Server is the kernel side of a fake netlink: it hands out Conns and
// routes their requests to a Handler. Safe for concurrent use.
type Server struct {
	h        Handler
	mu       sync.Mutex // serialises Handle, like the kernel's rtnl lock
	epMu     sync.Mutex
	eps      map[uint32]*endpoint
	nextPort uint32
}

// NewServer returns a Server answering with h.
func NewServer(h Handler) *Server {
	return &Server{h: h, eps: map[uint32]*endpoint{}, nextPort: 1000}
}

// Dial is NewServer(h).Dial(cfg): a Conn whose requests go to h.
func Dial(h Handler, cfg *netlink.Config) (*netlink.Conn, error) {
	return NewServer(h).Dial(cfg)
}

// Dial returns a new Conn connected to the Server. cfg applies as in
// netlink.NewConn (Groups, Trace, ...); cfg.PortID picks the port if set.
func (s *Server) Dial(cfg *netlink.Config) (*netlink.Conn, error) {
	s.epMu.Lock()
	port := s.nextPort
	if cfg != nil && cfg.PortID != 0 {
		port = cfg.PortID
		if _, dup := s.eps[port]; dup {
			s.epMu.Unlock()
			return nil, fmt.Errorf("nltest: port %d: %w", port, syscall.EADDRINUSE)
		}
	} else {
		for s.eps[port] != nil {
			port++
		}
		s.nextPort = port + 1
	}
	ep := &endpoint{srv: s, port: port, groups: map[uint32]bool{}, wake: make(chan struct{})}
	s.eps[port] = ep
	s.epMu.Unlock()
	return netlink.NewConn(ep, cfg)
}

// Notify sends msgs as one multicast datagram to every Conn that joined
// group (Sequence 0, PortID as given), as the kernel does for changes.
func (s *Server) Notify(group uint32, msgs ...netlink.Message) error {
	b, err := encode(msgs)
	if err != nil {
		return err
	}
	s.epMu.Lock()
	var to []*endpoint
	for _, ep := range s.eps {
		if ep.member(group) {
			to = append(to, ep)
		}
	}
	s.epMu.Unlock()
	for _, ep := range to {
		ep.deliver(b, netlink.Source{Group: group, NSID: -1})
	}
	return nil
}

// Unicast sends msgs as one datagram from the kernel side to the Conn
// bound to port, as the kernel does on its own (NFQUEUE packets, NFLOG
// entries, audit records to the audit daemon): they reach the Conn's
// Receive when their sequence number is 0. A port without a Conn gives
// ECONNREFUSED, as the kernel's netlink_unicast does.
func (s *Server) Unicast(port uint32, msgs ...netlink.Message) error {
	b, err := encode(msgs)
	if err != nil {
		return err
	}
	s.epMu.Lock()
	ep := s.eps[port]
	s.epMu.Unlock()
	if ep == nil {
		return fmt.Errorf("nltest: unicast to port %d: %w", port, syscall.ECONNREFUSED)
	}
	ep.mu.Lock()
	closed := ep.closed
	ep.mu.Unlock()
	if closed {
		return fmt.Errorf("nltest: unicast to port %d: %w", port, syscall.ECONNREFUSED)
	}
	ep.deliver(b, netlink.Source{NSID: -1})
	return nil
}

// Overrun makes the next Receive of every Conn of the Server fail with
// netlink.ErrOverrun, as if the kernel had dropped notifications: the
// notifications each Conn had queued (older than the loss) are dropped
// with them, as netlink.Transport asks; replies to requests stay.
func (s *Server) Overrun() {
	s.epMu.Lock()
	defer s.epMu.Unlock()
	for _, ep := range s.eps {
		ep.mu.Lock()
		keep := 0
		for i, src := range ep.from {
			if src.Group == 0 && src.Port == 0 {
				ep.queue[keep], ep.from[keep] = ep.queue[i], src
				keep++
			}
		}
		clear(ep.queue[keep:])
		ep.queue, ep.from = ep.queue[:keep], ep.from[:keep]
		ep.overrun = true
		ep.wakeLocked()
		ep.mu.Unlock()
	}
}

// serve handles one datagram of requests from port, the way
// netlink_rcv_skb does: each message in order, errors always answered,
// acknowledgements when asked for.
func (s *Server) serve(from *endpoint, b []byte) error {
	reqs, err := netlink.AppendParse(nil, b)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, req := range reqs {
		if req.Header.PortID == 0 {
			req.Header.PortID = from.port
		}
		if req.Header.Flags&netlink.Request == 0 || req.Header.Type < 0x10 {
			// Not a request, or a control message: the kernel acks it.
			if req.Header.Flags&netlink.Acknowledge != 0 {
				from.send(ack(req, nil))
			}
			continue
		}
		replies, herr := s.h.Handle(req)
		from.sendReplies(req, replies, herr)
	}
	return nil
}

// endpoint is one Conn's side: its receive queue. It implements
// netlink.Transport.
type endpoint struct {
	srv  *Server
	port uint32

	mu       sync.Mutex
	queue    [][]byte
	from     []netlink.Source
	groups   map[uint32]bool
	deadline time.Time
	timer    *time.Timer
	closed   bool
	overrun  bool
	wake     chan struct{} // closed and replaced on any change
}

func (ep *endpoint) wakeLocked() {
	close(ep.wake)
	ep.wake = make(chan struct{})
}

func (ep *endpoint) member(g uint32) bool {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.groups[g] && !ep.closed
}

func (ep *endpoint) deliver(b []byte, src netlink.Source) {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	if ep.closed {
		return
	}
	ep.queue = append(ep.queue, b)
	ep.from = append(ep.from, src)
	ep.wakeLocked()
}

// send queues one reply datagram from the kernel side.
func (ep *endpoint) send(msgs ...netlink.Message) {
	b, err := encode(msgs)
	if err == nil {
		ep.deliver(b, netlink.Source{NSID: -1})
	}
}

// sendReplies wraps a handler's answer as the kernel would.
func (ep *endpoint) sendReplies(req netlink.Message, replies []netlink.Message, herr error) {
	terminal := false
	for i := range replies {
		h := &replies[i].Header
		if h.Sequence == 0 {
			h.Sequence = req.Header.Sequence
		}
		if h.PortID == 0 {
			h.PortID = req.Header.PortID
		}
		if h.Type == netlink.TypeError || h.Type == netlink.TypeDone {
			terminal = true
		}
	}
	if terminal {
		for _, m := range replies {
			ep.send(m)
		}
		return
	}
	isDump := req.Header.Flags&netlink.Dump == netlink.Dump
	if isDump && herr == nil {
		// Multipart: datagrams of up to 32 KiB, then DONE.
		var part []netlink.Message
		size := 0
		for _, m := range replies {
			m.Header.Flags |= netlink.Multi
			if size+netlink.HeaderLen+len(m.Data) > 32<<10 && len(part) > 0 {
				ep.send(part...)
				part, size = nil, 0
			}
			part = append(part, m)
			size += netlink.Align(netlink.HeaderLen + len(m.Data))
		}
		if len(part) > 0 {
			ep.send(part...)
		}
		done := netlink.Message{Header: netlink.Header{Type: netlink.TypeDone, Flags: netlink.Multi, Sequence: req.Header.Sequence, PortID: req.Header.PortID}, Data: make([]byte, 4)}
		ep.send(done)
		return
	}
	for _, m := range replies {
		ep.send(m)
	}
	if herr != nil || req.Header.Flags&netlink.Acknowledge != 0 {
		ep.send(ack(req, herr))
	}
}

// Send implements netlink.Transport: a datagram to the kernel side is
// served at once (synchronously, like the kernel); one to another port or
// a group goes to those Conns.
func (ep *endpoint) Send(b []byte, port, group uint32) error {
	ep.mu.Lock()
	closed := ep.closed
	ep.mu.Unlock()
	if closed {
		return netlink.ErrClosed
	}
	if port == 0 && group == 0 {
		return ep.srv.serve(ep, b)
	}
	cp := append([]byte(nil), b...)
	ep.srv.epMu.Lock()
	var to []*endpoint
	if port != 0 {
		if peer := ep.srv.eps[port]; peer != nil {
			to = append(to, peer)
		} else {
			ep.srv.epMu.Unlock()
			return syscall.ECONNREFUSED
		}
	}
	if group != 0 {
		for _, e := range ep.srv.eps {
			if e != ep && e.groups[group] {
				to = append(to, e)
			}
		}
	}
	ep.srv.epMu.Unlock()
	for _, peer := range to {
		peer.deliver(cp, netlink.Source{Port: ep.port, Group: group, NSID: -1})
	}
	return nil
}

// Receive implements netlink.Transport.
func (ep *endpoint) Receive(b []byte) (int, netlink.Source, error) {
	for {
		ep.mu.Lock()
		switch {
		case ep.closed:
			ep.mu.Unlock()
			return 0, netlink.Source{}, netlink.ErrClosed
		case ep.overrun:
			ep.overrun = false
			ep.mu.Unlock()
			return 0, netlink.Source{}, netlink.ErrOverrun
		case len(ep.queue) > 0:
			d, src := ep.queue[0], ep.from[0]
			if len(d) > len(b) {
				ep.mu.Unlock()
				return len(d), src, nil
			}
			ep.queue[0] = nil
			ep.queue, ep.from = ep.queue[1:], ep.from[1:]
			ep.mu.Unlock()
			return copy(b, d), src, nil
		case !ep.deadline.IsZero() && !time.Now().Before(ep.deadline):
			ep.mu.Unlock()
			return 0, netlink.Source{}, os.ErrDeadlineExceeded
		}
		wake := ep.wake
		ep.mu.Unlock()
		<-wake
	}
}

// SetReadDeadline implements netlink.Transport.
func (ep *endpoint) SetReadDeadline(t time.Time) error {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	ep.deadline = t
	if ep.timer != nil {
		ep.timer.Stop()
		ep.timer = nil
	}
	if !t.IsZero() {
		ep.timer = time.AfterFunc(time.Until(t), func() {
			ep.mu.Lock()
			ep.wakeLocked()
			ep.mu.Unlock()
		})
	}
	ep.wakeLocked()
	return nil
}

// Close implements netlink.Transport.
func (ep *endpoint) Close() error {
	ep.mu.Lock()
	if ep.closed {
		ep.mu.Unlock()
		return nil
	}
	ep.closed = true
	if ep.timer != nil {
		ep.timer.Stop()
	}
	ep.wakeLocked()
	ep.mu.Unlock()
	ep.srv.epMu.Lock()
	delete(ep.srv.eps, ep.port)
	ep.srv.epMu.Unlock()
	return nil
}

// PortID implements netlink.Transport.
func (ep *endpoint) PortID() uint32 { return ep.port }

// JoinGroup implements netlink.Transport.
func (ep *endpoint) JoinGroup(g uint32) error {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	ep.groups[g] = true
	return nil
}

// LeaveGroup implements netlink.Transport.
func (ep *endpoint) LeaveGroup(g uint32) error {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	delete(ep.groups, g)
	return nil
}

func encode(msgs []netlink.Message) ([]byte, error) {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = netlink.AppendMessage(b, m.Header, m.Data); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// ack builds the NLMSG_ERROR answering req: errno 0 for an acknowledgement,
// else the error's errno with its extended-ACK message and offset. The
// request is echoed capped (header only), as with NETLINK_CAP_ACK.
func ack(req netlink.Message, err error) netlink.Message {
	var errno syscall.Errno
	var msg string
	offset := -1
	var ne *netlink.Error
	switch {
	case err == nil:
	case errors.As(err, &ne):
		errno, msg, offset = ne.Errno, ne.Message, ne.Offset
	case errors.As(err, &errno):
	default:
		errno, msg = syscall.EINVAL, err.Error()
	}
	body := binary.NativeEndian.AppendUint32(nil, uint32(-int32(errno)))
	hdr, _ := netlink.AppendMessage(nil, netlink.Header{Type: req.Header.Type, Flags: req.Header.Flags, Sequence: req.Header.Sequence, PortID: req.Header.PortID}, nil)
	body = append(body, hdr...)
	flags := netlink.Capped
	if msg != "" || offset >= 0 {
		flags |= netlink.AckTLVs
		e := nlattr.NewEncoder(body)
		if msg != "" {
			e.String(1, msg) // NLMSGERR_ATTR_MSG
		}
		if offset >= 0 {
			e.Uint32(2, uint32(offset)) // NLMSGERR_ATTR_OFFS
		}
		body, _ = e.Finish()
	}
	return netlink.Message{Header: netlink.Header{Type: netlink.TypeError, Flags: flags, Sequence: req.Header.Sequence, PortID: req.Header.PortID}, Data: body}
}

// Errorf returns an error for a Handler to return: errno with an
// extended-ACK message, as the kernel's NL_SET_ERR_MSG gives.
func Errorf(errno syscall.Errno, format string, args ...any) error {
	return &netlink.Error{Errno: errno, Message: fmt.Sprintf(format, args...), Offset: -1, MissingNest: -1}
}
