package netfilter

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// Conn is a NETLINK_NETFILTER socket speaking nfnetlink messages. It is
// safe for concurrent use by many goroutines, with the guarantees of
// netlink.Conn: every call gets its own replies, dumps run one after
// another, a send never waits behind a blocked receive.
type Conn struct {
	nl    *netlink.Conn
	owned bool
	done  chan struct{}
	once  sync.Once
}

// Dial opens a NETLINK_NETFILTER socket with cfg (passed to netlink.Dial;
// nil: defaults, extended ACKs on). Set cfg.NetNS to work in another
// network namespace. The Conn owns the socket: Close closes it.
func Dial(cfg *netlink.Config) (*Conn, error) {
	nl, err := netlink.Dial(unix.NETLINK_NETFILTER, cfg)
	if err != nil {
		return nil, fmt.Errorf("netfilter: dial: %w", err)
	}
	c := NewConn(nl)
	c.owned = true
	return c, nil
}

// NewConn speaks nfnetlink over nl, an existing NETLINK_NETFILTER
// netlink.Conn (a fake's, or one shared with other code). It shares nl:
// Close ends this Conn and leaves nl open for the caller to close.
func NewConn(nl *netlink.Conn) *Conn {
	return &Conn{nl: nl, done: make(chan struct{})}
}

// Close ends the Conn: later calls return netlink.ErrClosed. A Conn made by
// Dial closes its socket, which unblocks its calls. Closing twice is
// harmless.
func (c *Conn) Close() error {
	var err error
	c.once.Do(func() {
		close(c.done)
		if c.owned {
			err = c.nl.Close()
		}
	})
	return err
}

// Netlink returns the underlying netlink.Conn (for Receive, groups and
// messages this package does not model).
func (c *Conn) Netlink() *netlink.Conn { return c.nl }

func (c *Conn) closed() error {
	select {
	case <-c.done:
		return netlink.ErrClosed
	default:
		return nil
	}
}

// opName is the operation's name in errors: "execute queue config".
func opName(verb string, t netlink.MessageType) string {
	if t == TypeBatchBegin {
		return verb + " batch"
	}
	s, m := SplitType(t)
	return fmt.Sprintf("%s %s message %d", verb, s, m)
}

// Execute sends req (built by NewMessage) and waits for its
// acknowledgement, returning the messages the kernel answered with, split
// and owned by the caller. A kernel refusal is a *netlink.Error (errors.Is
// with its errno), named "netfilter: execute <subsystem> message N: ...".
func (c *Conn) Execute(ctx context.Context, req netlink.Message) ([]Message, error) {
	if err := c.closed(); err != nil {
		return nil, netlink.NameOp("netfilter", opName("execute", req.Header.Type), err)
	}
	msgs, err := c.nl.Execute(ctx, req)
	if err != nil {
		return nil, netlink.NameOp("netfilter", opName("execute", req.Header.Type), err)
	}
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		p, err := ParseMessage(m)
		if err != nil {
			return nil, netlink.NameOp("netfilter", opName("execute", req.Header.Type), err)
		}
		out = append(out, p)
	}
	return out, nil
}

// Dump sends req as a dump request and streams the reply, split. It is a
// single-use iterator; each Message's Attrs is valid only until the loop
// body returns (it lives in the netlink.Conn's receive buffer). The stream
// ends at the first error, as netlink.Conn.Dump's does; a message too short
// for its nfgenmsg header is an error too.
func (c *Conn) Dump(ctx context.Context, req netlink.Message) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		if err := c.closed(); err != nil {
			yield(Message{}, netlink.NameOp("netfilter", opName("dump", req.Header.Type), err))
			return
		}
		for m, err := range c.nl.Dump(ctx, req) {
			if err != nil {
				yield(Message{}, netlink.NameOp("netfilter", opName("dump", req.Header.Type), err))
				return
			}
			p, err := ParseMessage(m)
			if err != nil {
				yield(Message{}, netlink.NameOp("netfilter", opName("dump", req.Header.Type), err))
				return
			}
			if !yield(p, nil) {
				return
			}
		}
	}
}

// Batch sends many independent requests with netlink.Conn.Batch (as few
// sendmsg calls as fit) and returns a *netlink.BatchError naming the
// failed ones by index. Each request stands alone: use Transact for a set
// the kernel must take all or nothing.
func (c *Conn) Batch(ctx context.Context, reqs iter.Seq[netlink.Message]) error {
	if err := c.closed(); err != nil {
		return netlink.NameOp("netfilter", "batch", err)
	}
	return netlink.NameOp("netfilter", "batch", c.nl.Batch(ctx, reqs))
}

// Transact sends reqs to subsystem s inside a batch envelope
// (NFNL_MSG_BATCH_BEGIN with res_id s, the requests, NFNL_MSG_BATCH_END)
// in one datagram, each request asking for an acknowledgement, and waits
// for every answer. Subsystems with transactions (nf_tables) apply the
// requests all or nothing: when any fails, none is applied, and the
// returned *netlink.BatchError names the failed ones by their index in
// reqs (the others were acknowledged but rolled back). A subsystem that
// takes no batches refuses BATCH_BEGIN: that error is returned as it is
// (errors.Is with EOPNOTSUPP, say), and no request was read.
//
// The datagram must fit the socket's send buffer (Config.SendBuffer);
// split larger sets yourself, knowing that each Transact is its own
// transaction.
func (c *Conn) Transact(ctx context.Context, s Subsystem, reqs []netlink.Message) error {
	if err := c.closed(); err != nil {
		return netlink.NameOp("netfilter", "transact", err)
	}
	if len(reqs) == 0 {
		return nil
	}
	env := make([]netlink.Message, 0, len(reqs)+2)
	env = append(env, NewMessage(0, 0, 0, Header{ResourceID: uint16(s)}, nil))
	env[0].Header.Type = TypeBatchBegin
	for _, r := range reqs {
		r.Header.Flags |= netlink.Acknowledge
		env = append(env, r)
	}
	end := NewMessage(0, 0, 0, Header{ResourceID: uint16(s)}, nil)
	end.Header.Type = TypeBatchEnd
	env = append(env, end)
	err := c.nl.Transact(ctx, env)
	var be *netlink.BatchError
	if !errors.As(err, &be) {
		return netlink.NameOp("netfilter", fmt.Sprintf("transact %s batch", s), err)
	}
	out := &netlink.BatchError{Total: len(reqs)}
	for _, f := range be.Failures {
		switch {
		case f.Index == 0:
			return netlink.NameOp("netfilter", fmt.Sprintf("begin %s batch", s), f.Err)
		case f.Index == len(env)-1:
			return netlink.NameOp("netfilter", fmt.Sprintf("end %s batch", s), f.Err)
		}
		out.Failures = append(out.Failures, netlink.BatchFailure{Index: f.Index - 1, Err: netlink.NameOp("netfilter", fmt.Sprintf("transact %s batch: request #%d", s, f.Index-1), f.Err)})
	}
	return out
}
