package rtnl

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"runtime"
	"sync"

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
	if err == nil {
		return nil
	}
	var ne *netlink.Error
	if errors.As(err, &ne) {
		ne.Op = op
	}
	return err
}

// dumpReq is one kind of dump: the request, and how each reply of type
// want becomes a T. decode fills *v from scratch (it may hold the previous
// object) and says whether to keep it (filtering the kernel cannot do).
// A non-nil err (from encoding the request) fails the dump unsent.
type dumpReq[T any] struct {
	op        string
	typ, want netlink.MessageType
	body      []byte
	err       error
	decode    func(v *T, m netlink.Message) (keep bool, err error)
}

// request is the dump request message.
func (r *dumpReq[T]) request() netlink.Message {
	return netlink.Message{Header: netlink.Header{Type: r.typ}, Data: r.body}
}

// seq streams the dump. Errors end the stream; see netlink.Conn.Dump.
func (r dumpReq[T]) seq(c *Conn, ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var v, zero T
		if r.err != nil {
			yield(zero, fmt.Errorf("rtnl: %s: %w", r.op, r.err))
			return
		}
		for m, err := range c.nl.Dump(ctx, r.request()) {
			if err != nil {
				yield(zero, nameOp(r.op, err))
				return
			}
			if m.Header.Type != r.want {
				continue
			}
			keep, err := r.decode(&v, m)
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

// list runs the dump to the end, keeping the replies of type want as
// bytes, then decodes them in place into a slice made once at its final
// length. Holding the replies as pointer-free bytes until then spares the
// garbage collector scanning, and the program copying, a growing slice of
// objects: a million routes cost half the memory and a third less time
// than Collect. Large lists are decoded on up to GOMAXPROCS goroutines,
// each into its own part of the slice. An error returns no objects.
func (r dumpReq[T]) list(c *Conn, ctx context.Context) ([]T, error) {
	// Parts of 16 MiB of replies or more are decoded in parallel.
	return r.listIn(c, ctx, 1<<20, 16)
}

// listIn is list with the replies kept in blocks of blockSize bytes, and
// minPart blocks or more worth a goroutine (tests make both small).
func (r dumpReq[T]) listIn(c *Conn, ctx context.Context, blockSize, minPart int) ([]T, error) {
	if r.err != nil {
		return nil, fmt.Errorf("rtnl: %s: %w", r.op, r.err)
	}
	type block struct {
		b     []byte // messages' data, each after its length (uint32)
		first int    // index of its first message in the dump
	}
	var blocks []block
	var cur []byte
	n, first := 0, 0
	for m, err := range c.nl.Dump(ctx, r.request()) {
		if err != nil {
			return nil, nameOp(r.op, err)
		}
		if m.Header.Type != r.want {
			continue
		}
		if need := 4 + len(m.Data); len(cur)+need > cap(cur) {
			if cur != nil {
				blocks = append(blocks, block{cur, first})
			}
			cur, first = make([]byte, 0, max(blockSize, need)), n
		}
		cur = binary.NativeEndian.AppendUint32(cur, uint32(len(m.Data)))
		cur = append(cur, m.Data...)
		n++
	}
	if cur != nil {
		blocks = append(blocks, block{cur, first})
	}
	out := make([]T, n)
	// decodeBlocks decodes bs into out from bs[0].first on; it returns
	// how many objects it kept and the first error.
	decodeBlocks := func(bs []block) (int, error) {
		if len(bs) == 0 {
			return 0, nil
		}
		i := bs[0].first
		for _, blk := range bs {
			for b := blk.b; len(b) > 0; {
				l := int(binary.NativeEndian.Uint32(b))
				keep, err := r.decode(&out[i], netlink.Message{Header: netlink.Header{Type: r.want}, Data: b[4 : 4+l]})
				if err != nil {
					return i - bs[0].first, err
				}
				if keep {
					i++
				}
				b = b[4+l:]
			}
		}
		return i - bs[0].first, nil
	}
	parts := max(1, min(runtime.GOMAXPROCS(0), len(blocks)/minPart))
	kept := make([]int, parts)
	errs := make([]error, parts)
	per := (len(blocks) + parts - 1) / parts
	var wg sync.WaitGroup
	for p := range parts {
		lo, hi := min(p*per, len(blocks)), min((p+1)*per, len(blocks))
		if p == parts-1 {
			kept[p], errs[p] = decodeBlocks(blocks[lo:hi])
			break
		}
		wg.Go(func() { kept[p], errs[p] = decodeBlocks(blocks[lo:hi]) })
	}
	wg.Wait()
	// Close the gaps left by what a part did not keep, in order.
	j := 0
	for p := range parts {
		if lo := p * per; lo < len(blocks) && blocks[lo].first != j {
			copy(out[j:], out[blocks[lo].first:blocks[lo].first+kept[p]])
		}
		j += kept[p]
		if errs[p] != nil {
			return nil, errs[p]
		}
	}
	clear(out[j:]) // objects not kept, and copies moved down
	return out[:j:j], nil
}

// Collect gathers a stream into a slice, stopping at the first error (then
// the objects received so far are returned with it). For a whole dump the
// XxxList methods (RouteList, LinkList...) are cheaper. Large results are
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
