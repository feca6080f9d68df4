package rtnl

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"
	"strconv"
	"sync"

	"github.com/nlkit/nlkit/internal/membership"
	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// Conn speaks route netlink (NETLINK_ROUTE). It is safe for concurrent use
// by many goroutines, with the guarantees of netlink.Conn: every call gets
// its own replies, dumps run one after another.
type Conn struct {
	nl    *netlink.Conn
	owned bool          // made by Dial: Close closes nl
	done  chan struct{} // closed by Close
	once  sync.Once

	groups *membership.Set[Group] // JoinGroup's joins, undone at Close
}

// Dial opens a route-netlink socket. cfg is passed to netlink.Dial (nil:
// defaults, which include strict checking and extended ACKs); set
// cfg.NetNS to work in another network namespace. The Conn owns the
// socket: Close closes it.
func Dial(cfg *netlink.Config) (*Conn, error) {
	nl, err := netlink.Dial(unix.NETLINK_ROUTE, cfg)
	if err != nil {
		return nil, err
	}
	return ownConn(nl), nil
}

// NewConn speaks route netlink over nl, an existing NETLINK_ROUTE
// netlink.Conn (one from a fake, say, or one shared with other code). It
// shares nl with the caller, as genl's NewConn does: Close leaves the
// groups this Conn joined and ends its Events, and nl stays open for the
// caller to close.
func NewConn(nl *netlink.Conn) *Conn {
	return &Conn{nl: nl, done: make(chan struct{}), groups: membership.New(nl, "rtnl", func(g Group) string { return strconv.FormatUint(uint64(g), 10) })}
}

// ownConn is a Conn that owns nl, as Dial's does.
func ownConn(nl *netlink.Conn) *Conn {
	c := NewConn(nl)
	c.owned = true
	return c
}

// Close ends the Conn: every later call returns netlink.ErrClosed. A Conn
// made by Dial closes its socket (blocked calls return netlink.ErrClosed);
// one made by NewConn leaves the groups it joined and ends its Events, and
// the netlink.Conn stays open. Closing twice is harmless.
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

// closed returns netlink.ErrClosed once Close was called.
func (c *Conn) closed() error {
	select {
	case <-c.done:
		return netlink.ErrClosed
	default:
		return nil
	}
}

// Netlink returns the underlying netlink.Conn, for messages this package
// does not model.
func (c *Conn) Netlink() *netlink.Conn { return c.nl }

// execute sends one request and names the operation in its error.
func (c *Conn) execute(ctx context.Context, op string, typ netlink.MessageType, flags netlink.Flags, body []byte) ([]netlink.Message, error) {
	if err := c.closed(); err != nil {
		return nil, nameOp(op, err)
	}
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

// nameOp names the operation op, with the object it was on, in err (see
// netlink.NameOp): "rtnl: add link \"v0\": file exists".
func nameOp(op string, err error) error {
	return netlink.NameOp("rtnl", op, err)
}

// ipFamily reports whether a reply whose first byte is its family (struct
// ifaddrmsg, ndmsg) is an IPv4 or IPv6 one of family want (zero: either).
// Other families (bridge FDB entries, ...) share the message types. An
// empty message passes, for its decoder to refuse.
func ipFamily(m netlink.Message, want Family) bool {
	if len(m.Data) == 0 {
		return true
	}
	fam := Family(m.Data[0])
	return (fam == FamilyIPv4 || fam == FamilyIPv6) && (want == FamilyUnspec || fam == want)
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
		if err := c.closed(); err != nil {
			yield(zero, nameOp(r.op, err))
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
// objects: a million routes cost 40% less memory than with netlink.Collect, and
// the first time, when the memory comes fresh from the system, well under
// half the time. An error returns no objects.
//
// The decoding runs on the calling goroutine only. Decoding on two was 5%
// faster when the heap already had the memory, but a first call, whose
// memory comes fresh from the system, took 2.3x the floor instead of 1.55x
// for a million routes: with two threads of the process running, each
// first write to a page the collector has already read costs an
// inter-processor interrupt.
func (r dumpReq[T]) list(c *Conn, ctx context.Context) ([]T, error) {
	return r.listIn(c, ctx, 1<<20)
}

// listIn is list with the replies kept in blocks of blockSize bytes
// (tests make them small).
func (r dumpReq[T]) listIn(c *Conn, ctx context.Context, blockSize int) ([]T, error) {
	if r.err != nil {
		return nil, fmt.Errorf("rtnl: %s: %w", r.op, r.err)
	}
	if err := c.closed(); err != nil {
		return nil, nameOp(r.op, err)
	}
	var blocks [][]byte // messages' data, each after its length (uint32)
	var cur []byte
	n := 0
	for m, err := range c.nl.Dump(ctx, r.request()) {
		if err != nil {
			return nil, nameOp(r.op, err)
		}
		if m.Header.Type != r.want {
			continue
		}
		if need := 4 + len(m.Data); len(cur)+need > cap(cur) {
			if cur != nil {
				blocks = append(blocks, cur)
			}
			cur = make([]byte, 0, max(blockSize, need))
		}
		cur = binary.NativeEndian.AppendUint32(cur, uint32(len(m.Data)))
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
			l := int(binary.NativeEndian.Uint32(b))
			keep, err := r.decode(&out[i], netlink.Message{Header: netlink.Header{Type: r.want}, Data: b[4 : 4+l]})
			if err != nil {
				return nil, err
			}
			if keep {
				i++
			}
			b = b[4+l:]
		}
	}
	clear(out[i:]) // what a decode left in a slot it did not keep
	return out[:i:i], nil
}
