package queue

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/netns"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Config attributes (enum nfqnl_attr_config) and commands.
const (
	cfgCmd    = 1 // NFQA_CFG_CMD
	cfgParams = 2 // NFQA_CFG_PARAMS
	cfgMaxLen = 3 // NFQA_CFG_QUEUE_MAXLEN
	cfgMask   = 4 // NFQA_CFG_MASK
	cfgFlags  = 5 // NFQA_CFG_FLAGS

	cmdBind   = 1 // NFQNL_CFG_CMD_BIND
	cmdUnbind = 2 // NFQNL_CFG_CMD_UNBIND
)

// DefaultCopyRange is the copy range used when Config.CopyRange is 0: the
// most the kernel copies (it caps the range at 65535 bytes, less the
// message's headers).
const DefaultCopyRange = 0xffff

// Config describes the queue to bind. A nil *Config is the zero Config:
// queue 0, whole packets, the kernel's defaults.
type Config struct {
	// Num is the queue number (iptables' -j NFQUEUE --queue-num).
	Num uint16

	// NetNS binds the queue of this network namespace (each namespace
	// has its own queues); nil: the caller's.
	NetNS *netns.NS

	// CopyMode is how much of each packet is copied; the zero value
	// (CopyNone, for which the kernel drops every packet) means
	// CopyPacket.
	CopyMode CopyMode
	// CopyRange is how many bytes of a packet are copied with
	// CopyPacket; 0 means DefaultCopyRange. Packets cut short have
	// Packet.CapLen set.
	CopyRange uint32

	// MaxLen is the most packets the kernel keeps waiting for a verdict
	// (NFQA_CFG_QUEUE_MAXLEN); beyond it new packets are dropped, or
	// accepted with FlagFailOpen. 0 keeps the kernel's default (1024).
	MaxLen uint32

	// Flags are the queue's options (FlagFailOpen, FlagConntrack, ...).
	Flags Flags

	// ReceiveBuffer sets the socket's receive buffer in bytes; 0 keeps
	// the system default. A queue whose packets arrive faster than they
	// are read loses them when it is full: Packets then yields
	// netlink.ErrOverrun.
	ReceiveBuffer int

	// Trace is passed to netlink.Config.Trace: called for every message
	// sent and received.
	Trace func(netlink.Direction, netlink.Message)
}

// Conn is a socket bound to one queue: it reads the queue's packets and
// gives their verdicts.
//
// One goroutine reads packets (Packets); any number of goroutines may give
// verdicts at the same time (SetVerdict, SetVerdicts, SetVerdictSync), and
// a verdict never waits behind the reader: it is one write to the kernel.
// Stats and Close may be called from any goroutine.
type Conn struct {
	nf     *netfilter.Conn
	nl     *netlink.Conn
	num    uint16
	cfg    Config
	proc   *os.File // /proc/net/netfilter/nfnetlink_queue of the queue's namespace
	procMu sync.Mutex

	owned     bool // Close closes nf
	closeOnce sync.Once
	closeErr  error

	bufs sync.Pool // *[]byte verdict encodings

	received, verdicts, batches, refused, missed, overruns, malformed atomic.Uint64
	track                                                             *tracker

	// The reader's own state (one Packets at a time).
	pkt    Packet
	lastID uint32
	seen   bool
}

var (
	typeVerdict      = netfilter.MessageType(netfilter.SubsysQueue, msgVerdict)
	typeVerdictBatch = netfilter.MessageType(netfilter.SubsysQueue, msgVerdictBatch)
	typeConfig       = netfilter.MessageType(netfilter.SubsysQueue, msgConfig)
	typePacket       = netfilter.MessageType(netfilter.SubsysQueue, msgPacket)
)

// Dial opens a NETLINK_NETFILTER socket, binds it to queue cfg.Num
// (for IPv4, IPv6 and every other family at once) and sets the queue's
// copy mode, length and flags, all in one request. A queue already bound
// by another socket gives an error wrapping EPERM (the kernel's answer);
// flags the kernel lacks give EOPNOTSUPP. The Conn owns the socket: Close unbinds and closes it.
func Dial(cfg *Config) (*Conn, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.CopyMode == CopyNone {
		c.CopyMode = CopyPacket
	}
	if c.CopyRange == 0 {
		c.CopyRange = DefaultCopyRange
	}
	// The backlog holds packets read by a goroutine other than Packets'
	// (during a SetVerdictSync, say); packets are never more than the
	// queue holds, so a backlog of twice that never overflows.
	backlog := 4096
	if ml := int(c.MaxLen) * 2; ml > backlog {
		backlog = ml
	}
	nf, err := netfilter.Dial(&netlink.Config{
		NetNS:               c.NetNS,
		ReceiveBuffer:       c.ReceiveBuffer,
		DisableCapAck:       true, // a refused verdict echoes the request, and with it the packet id
		KeepBeforeOverrun:   true, // every packet read must reach Packets: the kernel holds it
		NotificationBacklog: backlog,
		// A queued packet's message is at most the copy range (under 64
		// KiB: NFQA_PAYLOAD's length is 16 bits) and a few hundred bytes
		// of attributes, and a refused verdict's echo is no larger: each
		// datagram is read with one recvmsg instead of being measured
		// first, one system call per packet fewer.
		MaxDatagram: maxDatagram,
		Trace:       c.Trace,
	})
	if err != nil {
		return nil, fmt.Errorf("queue: bind queue %d: %w", c.Num, err)
	}
	q, err := bind(nf, c, true)
	if err != nil {
		nf.Close()
		return nil, err
	}
	return q, nil
}

// maxDatagram bounds what the kernel sends a queue socket (see Dial).
const maxDatagram = 128 << 10

// NewConn binds queue cfg.Num over nf, an existing NETLINK_NETFILTER
// socket (a fake's, in tests, or one shared with other code), as Dial
// does over its own. nf should have been dialed as Dial dials (its
// netlink.Config with DisableCapAck, so that a refused verdict echoes
// the packet id, and KeepBeforeOverrun, so that no packet read before
// an overrun is thrown away). Close unbinds the queue and leaves nf open.
// Stats gives the kernel's counters only for a socket of the kernel's.
func NewConn(nf *netfilter.Conn, cfg *Config) (*Conn, error) {
	var c Config
	if cfg != nil {
		c = *cfg
	}
	if c.CopyMode == CopyNone {
		c.CopyMode = CopyPacket
	}
	if c.CopyRange == 0 {
		c.CopyRange = DefaultCopyRange
	}
	return bind(nf, c, false)
}

func bind(nf *netfilter.Conn, c Config, owned bool) (*Conn, error) {
	q := &Conn{nf: nf, nl: nf.Netlink(), num: c.Num, cfg: c, track: new(tracker), owned: owned}
	q.bufs.New = func() any { b := make([]byte, 0, 64); return &b }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := q.config(ctx, cmdBind, true); err != nil {
		return nil, netlink.NameOp("queue", fmt.Sprintf("bind queue %d", c.Num), err)
	}
	if q.nl.Protocol() != unix.NETLINK_NETFILTER {
		return q, nil // not a kernel socket: no kernel table to read
	}
	if err := q.openProc(); err != nil {
		q.config(ctx, cmdUnbind, false)
		return nil, fmt.Errorf("queue: bind queue %d: %w", c.Num, err)
	}
	return q, nil
}

// config sends a config request: cmd (0 for none) and, with params, the
// copy mode, length and flags.
func (c *Conn) config(ctx context.Context, cmd uint8, params bool) error {
	var e nlattr.Encoder
	e.Reset(make([]byte, 0, 64))
	if cmd != 0 {
		e.Bytes(cfgCmd, []byte{cmd, 0, 0, 0})
	}
	if params {
		var p [5]byte
		binary.BigEndian.PutUint32(p[:], c.cfg.CopyRange)
		p[4] = uint8(c.cfg.CopyMode)
		e.Bytes(cfgParams, p[:])
		if c.cfg.MaxLen != 0 {
			e.Uint32BE(cfgMaxLen, c.cfg.MaxLen)
		}
		e.Uint32BE(cfgMask, uint32(flagsAll|c.cfg.Flags))
		e.Uint32BE(cfgFlags, uint32(c.cfg.Flags))
	}
	attrs, err := e.Finish()
	if err != nil {
		return err
	}
	_, err = c.nf.Execute(ctx, netfilter.NewMessage(netfilter.SubsysQueue, msgConfig, 0,
		netfilter.Header{Family: netfilter.FamilyUnspec, Version: netfilter.Version, ResourceID: c.num}, attrs))
	return err
}

// openProc opens the kernel's queue table from inside the queue's
// namespace: /proc/net shows the namespace of the thread that opens it,
// and the open file keeps showing that one.
func (c *Conn) openProc() error {
	open := func() (err error) {
		c.proc, err = os.Open(procPath)
		return err
	}
	if c.cfg.NetNS != nil {
		return c.cfg.NetNS.Do(open)
	}
	return open()
}

// Num returns the queue number the Conn is bound to.
func (c *Conn) Num() uint16 { return c.num }

// Close unbinds the queue and closes the socket. The kernel drops the
// packets still waiting for a verdict. A blocked Packets returns
// netlink.ErrClosed. Closing twice is harmless.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.config(ctx, cmdUnbind, false)
		cancel()
		if errors.Is(err, netlink.ErrClosed) {
			err = nil
		}
		if c.owned {
			if cerr := c.nf.Close(); err == nil {
				err = cerr
			}
		}
		c.procMu.Lock()
		if c.proc != nil {
			c.proc.Close()
			c.proc = nil
		}
		c.procMu.Unlock()
		if err != nil {
			c.closeErr = fmt.Errorf("queue: close queue %d: %w", c.num, err)
		}
	})
	return c.closeErr
}

// Packets streams the queue's packets. It is a single-use iterator, and
// one Packets (one reader) runs at a time per Conn.
//
// The yielded *Packet is reused: it and its slices are valid only until
// the loop body returns (see Packet). Give every packet a verdict, from
// the loop or from another goroutine (after Clone or CopyTo): the kernel
// holds it until then, and Stats.Outstanding counts those still waiting.
//
// Errors that do not end the stream:
//   - netlink.ErrOverrun: the socket's buffer was full and the kernel
//     dropped packets (or, with FlagFailOpen, accepted them unseen); the
//     ids it gave them are missing (Stats.Missed).
//   - *VerdictError: the kernel refused a verdict sent with SetVerdict or
//     SetVerdicts (a packet id it does not hold, say).
//   - a packet that could not be decoded, yielded with the error and, when
//     its id could be read (p.ID != 0), the packet, so that it can still be
//     given a verdict.
//
// Any other error (ctx's, netlink.ErrClosed after Close) ends the stream.
func (c *Conn) Packets(ctx context.Context) iter.Seq2[*Packet, error] {
	return func(yield func(*Packet, error) bool) {
		for n, err := range c.nl.Receive(ctx) {
			if err != nil {
				if errors.Is(err, netlink.ErrOverrun) {
					c.overruns.Add(1)
					if !yield(nil, fmt.Errorf("queue: packets of queue %d: %w", c.num, err)) {
						return
					}
					continue
				}
				yield(nil, fmt.Errorf("queue: packets of queue %d: %w", c.num, err))
				return
			}
			switch n.Header.Type {
			case typePacket:
				p := &c.pkt
				err := p.UnmarshalBinary(n.Data)
				if p.ID != 0 {
					c.seenID(p.ID)
				}
				if err != nil {
					c.malformed.Add(1)
					if p.ID == 0 {
						p = nil
					}
				}
				if !yield(p, err) {
					return
				}
			case netlink.TypeError:
				if verr := c.refusal(n.Message); verr != nil && !yield(nil, verr) {
					return
				}
			}
		}
	}
}

// seenID counts a new packet: the gap since the last id is packets the
// kernel numbered and could not deliver.
func (c *Conn) seenID(id uint32) {
	if c.seen {
		if d := int32(id - c.lastID); d > 1 {
			c.missed.Add(uint64(d - 1))
		} else if d <= 0 {
			// Not newer than the last: a repeat (NF_REPEAT re-queues with a
			// new id, so this is unexpected); do not count it twice.
			c.received.Add(1)
			c.track.add(id)
			return
		}
	}
	c.seen, c.lastID = true, id
	c.received.Add(1)
	c.track.add(id)
}

// refusal decodes an NLMSG_ERROR answering a verdict sent with no
// sequence number: the kernel echoes the request, so the packet id is in
// it. Acknowledgements (errno 0) and answers to anything else give nil.
func (c *Conn) refusal(m netlink.Message) error {
	b := m.Data
	if len(b) < 4+netlink.HeaderLen {
		c.malformed.Add(1)
		return fmt.Errorf("queue: packets of queue %d: NLMSG_ERROR of %d bytes: %w", c.num, len(b), netlink.ErrMalformed)
	}
	code := int32(binary.NativeEndian.Uint32(b))
	if code == 0 {
		return nil
	}
	errno := syscall.Errno(-code)
	if code > 0 {
		errno = syscall.Errno(code)
	}
	typ := netlink.MessageType(binary.NativeEndian.Uint16(b[8:]))
	if typ != typeVerdict && typ != typeVerdictBatch {
		return nil
	}
	ve := &VerdictError{Queue: c.num, Batch: typ == typeVerdictBatch,
		Err: &netlink.Error{Op: "verdict", Type: typ, Errno: errno, Offset: -1, MissingNest: -1}}
	c.refused.Add(1)
	req := b[4+netlink.HeaderLen:]
	if m.Header.Flags&netlink.Capped == 0 && len(req) >= netfilter.HeaderLen {
		l := int(binary.NativeEndian.Uint32(b[4:])) - netlink.HeaderLen
		if l >= netfilter.HeaderLen && l <= len(req) {
			ve.Queue = binary.BigEndian.Uint16(req[2:])
			d := nlattr.NewDecoder(req[netfilter.HeaderLen:l])
			for d.Next() {
				if d.Type() == attrVerdictHdr && d.Len() == verdictHdrLen {
					v := d.Bytes()
					ve.Action = Action(binary.BigEndian.Uint32(v))
					ve.ID = binary.BigEndian.Uint32(v[4:])
					ve.HasID = true
				}
			}
		}
	}
	ve.Err = netlink.NameOp("queue", ve.op(), ve.Err)
	if ve.HasID && !ve.Batch && errno != syscall.ENOENT {
		// Refused before the kernel looked the packet up (a bad verdict,
		// a queue not ours): it still holds it.
		c.track.add(ve.ID)
	}
	return ve
}

// VerdictError is a verdict the kernel refused, as yielded by Packets for
// verdicts sent with SetVerdict or SetVerdicts (which do not wait for
// the kernel's answer). errors.Is sees the errno: syscall.ENOENT when no
// packet had the id (already given a verdict, or never queued).
type VerdictError struct {
	Queue  uint16
	ID     uint32 // the packet id (for a batch, the highest id); valid when HasID
	HasID  bool
	Action Action
	Batch  bool  // a batch verdict (SetVerdicts)
	Err    error // the cause; errors.As finds the *netlink.Error in it
}

func (e *VerdictError) op() string {
	kind := "verdict"
	if e.Batch {
		kind = "batch verdict"
	}
	switch {
	case !e.HasID:
		return fmt.Sprintf("%s on queue %d", kind, e.Queue)
	case e.Batch:
		return fmt.Sprintf("%s %v up to packet %d on queue %d", kind, e.Action, e.ID, e.Queue)
	}
	return fmt.Sprintf("%s %v for packet %d on queue %d", kind, e.Action, e.ID, e.Queue)
}

// Error reads "queue: verdict accept for packet 7 on queue 0: no such
// file or directory".
func (e *VerdictError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *VerdictError) Unwrap() error { return e.Err }
