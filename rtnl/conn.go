package rtnl

import (
	"context"
	"errors"
	"iter"

	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// Conn speaks route netlink (NETLINK_ROUTE). It is safe for concurrent use
// by many goroutines, with the guarantees of netlink.Conn: every call gets
// its own replies, dumps run one after another.
type Conn struct {
	nl *netlink.Conn
}

// Dial opens a route-netlink socket. cfg is passed to netlink.Dial (nil:
// defaults, which include strict checking and extended ACKs); set
// cfg.NetNS to work in another network namespace.
func Dial(cfg *netlink.Config) (*Conn, error) {
	nl, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
	if err != nil {
		return nil, err
	}
	return &Conn{nl: nl}, nil
}

// NewConn wraps an existing NETLINK_ROUTE netlink.Conn. The rtnl.Conn does
// not own it more than the caller does: Close closes it.
func NewConn(nl *netlink.Conn) *Conn { return &Conn{nl: nl} }

// Close closes the socket; blocked calls return netlink.ErrClosed.
func (c *Conn) Close() error { return c.nl.Close() }

// Netlink returns the underlying netlink.Conn, for messages this package
// does not model.
func (c *Conn) Netlink() *netlink.Conn { return c.nl }

// execute sends one request and names the operation in its error.
func (c *Conn) execute(ctx context.Context, op string, typ netlink.MessageType, flags netlink.Flags, body []byte) ([]netlink.Message, error) {
	msgs, err := c.nl.Execute(ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: body})
	return msgs, nameOp(op, err)
}

// send sends one change whose body was just encoded and waits for its
// acknowledgement; an encoding error (encErr) is returned without sending.
func (c *Conn) send(ctx context.Context, op string, typ netlink.MessageType, flags netlink.Flags, body []byte, encErr error) error {
	if encErr != nil {
		return encErr
	}
	_, err := c.execute(ctx, op, typ, flags, body)
	return err
}

// nameOp sets the operation name on a kernel error.
func nameOp(op string, err error) error {
	var ne *netlink.Error
	if errors.As(err, &ne) {
		ne.Op = op
	}
	return err
}

// dump streams a dump, decoding each reply of type want with decode. A
// decode that returns keep == false skips the object (filtering the kernel
// cannot do). Errors end the stream; see netlink.Conn.Dump.
func dump[T any](c *Conn, ctx context.Context, op string, typ, want netlink.MessageType, body []byte,
	decode func(netlink.Message) (v T, keep bool, err error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for m, err := range c.nl.Dump(ctx, netlink.Message{Header: netlink.Header{Type: typ}, Data: body}) {
			if err != nil {
				yield(zero, nameOp(op, err))
				return
			}
			if m.Header.Type != want {
				continue
			}
			v, keep, err := decode(m)
			if err != nil {
				yield(zero, err)
				return
			}
			if keep && !yield(v, nil) {
				return
			}
		}
	}
}

// Collect gathers a stream into a slice, stopping at the first error (then
// the objects received so far are returned with it). Large results are
// gathered in fixed-size chunks and copied once into a slice of the exact
// length, rather than grown by repeated reallocation: a million routes
// cost two copies of the data, not five.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	const chunkMax = 8192
	var full [][]T
	cur := make([]T, 0, 16)
	total := 0
	var err error
	for v, e := range seq {
		if e != nil {
			err = e
			break
		}
		if len(cur) == cap(cur) && cap(cur) >= chunkMax {
			full = append(full, cur)
			cur = make([]T, 0, chunkMax)
		}
		cur = append(cur, v) // below chunkMax, append grows cur
		total++
	}
	if len(full) == 0 {
		return cur, err
	}
	out := make([]T, 0, total)
	for _, c := range full {
		out = append(out, c...)
	}
	return append(out, cur...), err
}
