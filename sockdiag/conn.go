package sockdiag

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Message types of NETLINK_SOCK_DIAG (linux/sock_diag.h).
const (
	typeByFamily netlink.MessageType = 20 // SOCK_DIAG_BY_FAMILY
	typeDestroy  netlink.MessageType = 21 // SOCK_DESTROY
)

// Conn is a NETLINK_SOCK_DIAG socket. It is safe for concurrent use by many
// goroutines (see netlink.Conn); dumps on one Conn run one after another,
// so use several Conns for parallel dumps.
type Conn struct {
	c   *netlink.Conn
	own bool
}

// Dial opens a NETLINK_SOCK_DIAG socket with cfg (set cfg.NetNS to look at
// another namespace). The Conn owns the socket: Close closes it.
func Dial(cfg *netlink.Config) (*Conn, error) {
	c, err := netlink.Dial(unix.NETLINK_SOCK_DIAG, cfg)
	if err != nil {
		return nil, fmt.Errorf("sockdiag: dial: %w", err)
	}
	return &Conn{c: c, own: true}, nil
}

// NewConn speaks sock_diag over c, a NETLINK_SOCK_DIAG netlink.Conn that it
// shares with the caller: Close leaves c open.
func NewConn(c *netlink.Conn) *Conn { return &Conn{c: c} }

// Close closes the socket of a Conn made by Dial; the netlink.Conn of one
// made by NewConn stays open. Closing twice is harmless.
func (c *Conn) Close() error {
	if c.own {
		return c.c.Close()
	}
	return nil
}

// Netlink returns the underlying netlink.Conn (for raw requests).
func (c *Conn) Netlink() *netlink.Conn { return c.c }

// dump streams the payloads of a SOCK_DIAG_BY_FAMILY dump of req, each
// valid until the loop body returns. Errors are named by op.
func (c *Conn) dump(ctx context.Context, op string, req []byte) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		m := netlink.Message{Header: netlink.Header{Type: typeByFamily}, Data: req}
		for msg, err := range c.c.Dump(ctx, m) {
			if err != nil {
				yield(nil, netlink.NameOp("sockdiag", op, err))
				return
			}
			if msg.Header.Type != typeByFamily {
				continue
			}
			if !yield(msg.Data, nil) {
				return
			}
		}
	}
}

// execute sends one request of type t and returns the payloads of its
// replies (owned by the caller).
func (c *Conn) execute(ctx context.Context, op string, t netlink.MessageType, req []byte) ([][]byte, error) {
	rs, err := c.c.Execute(ctx, netlink.Message{Header: netlink.Header{Type: t}, Data: req})
	if err != nil {
		return nil, netlink.NameOp("sockdiag", op, err)
	}
	out := make([][]byte, 0, len(rs))
	for _, r := range rs {
		if r.Header.Type == typeByFamily {
			out = append(out, r.Data)
		}
	}
	return out, nil
}

// decodeError names the attribute an nlattr error points at (named by
// name), in the decoding of what.
func decodeError(what string, err error, name func(uint16) string) error {
	if err == nil {
		return nil
	}
	var ae *nlattr.Error
	if errors.As(err, &ae) && ae.Type != 0 {
		return fmt.Errorf("sockdiag: %s: attribute %s: %w", what, name(ae.Type), err)
	}
	return fmt.Errorf("sockdiag: %s: %w", what, err)
}

// errShort reports a message shorter than its fixed header.
func errShort(what string, n, want int) error {
	return fmt.Errorf("sockdiag: %s: %d bytes, want at least %d: %w", what, n, want, netlink.ErrMalformed)
}
