package xfrm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sync"

	"github.com/nlkit/nlkit/internal/membership"
	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// Conn speaks NETLINK_XFRM. It is safe for concurrent use by many
// goroutines, with the guarantees of netlink.Conn: every call gets its own
// replies, dumps run one after another. One Events stream at a time.
type Conn struct {
	nl    *netlink.Conn
	owned bool          // made by Dial: Close closes nl
	done  chan struct{} // closed by Close
	once  sync.Once

	groups *membership.Set[Group] // JoinGroup's joins, undone at Close
}

// Dial opens a NETLINK_XFRM socket. cfg is passed to netlink.Dial (nil:
// defaults); set cfg.NetNS to work in another network namespace, whose SAD
// and SPD are its own. The Conn owns the socket: Close closes it.
func Dial(cfg *netlink.Config) (*Conn, error) {
	var ncfg netlink.Config
	if cfg != nil {
		ncfg = *cfg
	}
	if ncfg.MaxDatagram == 0 {
		// What the kernel sends an XFRM socket is bounded: dump parts
		// of at most 32 KiB (netlink_dump's size for a dump without a
		// minimum), notifications of one SA or policy. Each datagram is
		// then read with one recvmsg instead of being measured first.
		ncfg.MaxDatagram = maxDatagram
	}
	nl, err := netlink.Dial(unix.NETLINK_XFRM, &ncfg)
	if err != nil {
		return nil, fmt.Errorf("xfrm: dial: %w", err)
	}
	c := NewConn(nl)
	c.owned = true
	return c, nil
}

// maxDatagram bounds what the kernel sends an XFRM socket (see Dial).
const maxDatagram = 64 << 10

// NewConn speaks XFRM over nl, an existing NETLINK_XFRM netlink.Conn (one
// from a fake such as xfrmtest's, or one shared with other code). It
// shares nl with the caller: Close leaves the groups this Conn joined and
// ends its Events, and nl stays open for the caller to close.
func NewConn(nl *netlink.Conn) *Conn {
	return &Conn{nl: nl, done: make(chan struct{}), groups: membership.New(nl, "xfrm", Group.String)}
}

// Close ends the Conn: every later call returns netlink.ErrClosed. A Conn
// made by Dial closes its socket (blocked calls return netlink.ErrClosed);
// one made by NewConn leaves the groups it joined and ends its Events.
// Closing twice is harmless.
func (c *Conn) Close() error {
	var err error
	c.once.Do(func() {
		close(c.done)
		// A socket that closes leaves every group; a shared one is left
		// in the groups its other users joined.
		err = c.groups.Close(!c.owned)
		if c.owned {
			err = c.nl.Close()
		}
	})
	return err
}

// Netlink returns the underlying netlink.Conn, for messages this package
// does not model.
func (c *Conn) Netlink() *netlink.Conn { return c.nl }

func (c *Conn) closed() error {
	select {
	case <-c.done:
		return netlink.ErrClosed
	default:
		return nil
	}
}

func nameOp(op string, err error) error { return netlink.NameOp("xfrm", op, err) }

// execute sends one request and names the operation in its error.
func (c *Conn) execute(ctx context.Context, op string, typ netlink.MessageType, flags netlink.Flags, body []byte) ([]netlink.Message, error) {
	if err := c.closed(); err != nil {
		return nil, nameOp(op, err)
	}
	msgs, err := c.nl.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: body})
	return msgs, nameOp(op, err)
}

// getOne runs a request answered by one message of type want, decoded by
// decode.
func getOne[T any](ctx context.Context, c *Conn, op string, typ netlink.MessageType, body []byte, want netlink.MessageType, decode func(*T, []byte) error) (T, error) {
	var v T
	msgs, err := c.execute(ctx, op, typ, 0, body)
	if err != nil {
		return v, err
	}
	for _, m := range msgs {
		if m.Header.Type == want {
			if err := decode(&v, m.Data); err != nil {
				return v, fmt.Errorf("xfrm: %s: %w", op, err)
			}
			return v, nil
		}
	}
	return v, fmt.Errorf("xfrm: %s: no reply of type %d: %w", op, want, netlink.ErrMalformed)
}

// dump streams a dump of type typ, decoding the replies of type want.
func dump[T any](c *Conn, ctx context.Context, op string, typ netlink.MessageType, body []byte, want netlink.MessageType, decode func(*T, []byte) error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := c.closed(); err != nil {
			yield(zero, nameOp(op, err))
			return
		}
		for m, err := range c.nl.Dump(ctx, netlink.Message{Header: netlink.Header{Type: typ}, Data: body}) {
			if err != nil {
				yield(zero, nameOp(op, err))
				return
			}
			if m.Header.Type != want {
				continue
			}
			var v T
			if err := decode(&v, m.Data); err != nil {
				yield(zero, fmt.Errorf("xfrm: %s: %w", op, err))
				return
			}
			if !yield(v, nil) {
				return
			}
		}
	}
}

// batch sends encoded requests through netlink.Conn.Batch; items enc
// fails on are not sent and reported at their index.
func batch[T any](ctx context.Context, c *Conn, op string, typ netlink.MessageType, items []T, enc func([]byte, *T) ([]byte, error), name func(*T) string) error {
	if err := c.closed(); err != nil {
		return nameOp(op, err)
	}
	var skipped []netlink.BatchFailure
	var sentIdx []int // request index of each sent message
	err := c.nl.Batch(ctx, func(yield func(netlink.Message) bool) {
		var buf []byte
		for i := range items {
			var err error
			buf, err = enc(buf[:0], &items[i])
			if err != nil {
				skipped = append(skipped, netlink.BatchFailure{Index: i, Err: fmt.Errorf("xfrm: %s %s: %w", op, name(&items[i]), err)})
				continue
			}
			sentIdx = append(sentIdx, i)
			if !yield(netlink.Message{Header: netlink.Header{Type: typ}, Data: buf}) {
				return
			}
		}
	})
	be, isBatch := errors.AsType[*netlink.BatchError](err)
	if err != nil && !isBatch {
		return nameOp(op, err)
	}
	if err == nil && len(skipped) == 0 {
		return nil
	}
	out := skipped
	if be != nil {
		for _, f := range be.Failures {
			i := sentIdx[f.Index]
			out = append(out, netlink.BatchFailure{Index: i, Err: nameOp(op+" "+name(&items[i]), f.Err)})
		}
	}
	slices.SortFunc(out, func(a, b netlink.BatchFailure) int { return a.Index - b.Index })
	return &netlink.BatchError{Failures: out, Total: len(items)}
}

// list runs a dump to the end keeping the replies of type want as bytes
// in blocks (no pointers for the collector to scan, no objects copied as
// a slice grows), then decodes them into a slice made once at its final
// length. An error returns no objects.
func list[T any](c *Conn, ctx context.Context, op string, typ netlink.MessageType, body []byte, want netlink.MessageType, decode func(*T, []byte) error) ([]T, error) {
	if err := c.closed(); err != nil {
		return nil, nameOp(op, err)
	}
	const blockSize = 1 << 20
	var blocks [][]byte
	var cur []byte
	n := 0
	for m, err := range c.nl.Dump(ctx, netlink.Message{Header: netlink.Header{Type: typ}, Data: body}) {
		if err != nil {
			return nil, nameOp(op, err)
		}
		if m.Header.Type != want {
			continue
		}
		if need := 4 + len(m.Data); len(cur)+need > cap(cur) {
			if cur != nil {
				blocks = append(blocks, cur)
			}
			cur = make([]byte, 0, max(blockSize, need))
		}
		cur = ne.AppendUint32(cur, uint32(len(m.Data)))
		cur = append(cur, m.Data...)
		n++
	}
	if cur != nil {
		blocks = append(blocks, cur)
	}
	out := make([]T, n)
	i := 0
	for _, b := range blocks {
		for len(b) > 0 {
			l := int(ne.Uint32(b))
			if err := decode(&out[i], b[4:4+l]); err != nil {
				return nil, fmt.Errorf("xfrm: %s: %w", op, err)
			}
			i++
			b = b[4+l:]
		}
	}
	return out, nil
}
