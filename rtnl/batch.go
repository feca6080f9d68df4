package rtnl

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"

	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// getOne is a doit GET (op, request type typ with body): it decodes the
// reply's message of type want with decode; a reply without one is an
// error "rtnl: OP: MISSING".
func getOne[T any](ctx context.Context, c *Conn, op string, typ netlink.MessageType, body []byte,
	want netlink.MessageType, decode func([]byte) (T, error), missing string) (T, error) {
	msgs, err := c.execute(ctx, op, typ, 0, body)
	if err != nil {
		var zero T
		return zero, err
	}
	for _, m := range msgs {
		if m.Header.Type == want {
			return decode(m.Data)
		}
	}
	var zero T
	return zero, errors.New("rtnl: " + op + ": " + missing)
}

// encodedBatch sends the items of seq through batch as requests of type
// typ with flags, each encoded by enc into one reused buffer as the batch
// is sent (enc may change the item it is given, a copy). An item enc fails
// on is not sent but reported as a failure at its index.
func encodedBatch[T any](ctx context.Context, c *Conn, op string, typ netlink.MessageType, flags netlink.Flags,
	seq iter.Seq[T], enc func(b []byte, x *T) ([]byte, error)) error {
	return c.batch(ctx, op, func(yield func(netlink.Message, error) bool) {
		var buf []byte
		for x := range seq {
			var err error
			buf, err = enc(buf[:0], &x)
			if !yield(netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: buf}, err) {
				return
			}
		}
	})
}

// batch sends the requests of reqs through netlink.Conn.Batch. reqs yields
// each request with the error of encoding it: a request that failed to
// encode is not sent but reported as a failure at its index, so that one
// bad entry does not fail the others. The message's Data may be reused by
// reqs once yield returns (Batch copies it). The result is nil, a
// *netlink.BatchError whose indexes count the requests reqs yielded (kernel
// failures named op unless op is ""), or a transport error (then joined
// with the encoding failures seen so far).
func (c *Conn) batch(ctx context.Context, op string, reqs iter.Seq2[netlink.Message, error]) error {
	var (
		skipped []netlink.BatchFailure // encoding failures, by request index
		total   int
	)
	if err := c.closed(); err != nil {
		return nameOp(op, err)
	}
	err := c.nl.Batch(ctx, func(yield func(netlink.Message) bool) {
		for m, err := range reqs {
			i := total
			total++
			if err != nil {
				skipped = append(skipped, netlink.BatchFailure{Index: i, Err: err})
				continue
			}
			if !yield(m) {
				return
			}
		}
	})
	be, isBatch := errors.AsType[*netlink.BatchError](err)
	if err != nil && !isBatch {
		if op != "" {
			err = nameOp(op, err)
		}
		if len(skipped) > 0 {
			err = errors.Join(err, &netlink.BatchError{Failures: skipped, Total: total})
		}
		return err
	}
	if err == nil && len(skipped) == 0 {
		return nil
	}
	// Map the indexes of sent requests back to request indexes and merge
	// in the encoding failures, keeping the order by index.
	var sent []netlink.BatchFailure
	if be != nil {
		sent = be.Failures
	}
	out := make([]netlink.BatchFailure, 0, len(sent)+len(skipped))
	j := 0
	for _, f := range sent {
		if op != "" {
			f.Err = nameOp(op, f.Err)
		}
		for j < len(skipped) && skipped[j].Index <= f.Index+j {
			out = append(out, skipped[j])
			j++
		}
		f.Index += j
		out = append(out, f)
	}
	out = append(out, skipped[j:]...)
	return &netlink.BatchError{Failures: out, Total: total}
}

// RouteOpKind says what a RouteOp does with its route.
type RouteOpKind uint8

// Route operations, each as the method of the same name does it.
const (
	RouteOpAdd     RouteOpKind = iota + 1 // AddRoute: NLM_F_CREATE|NLM_F_EXCL
	RouteOpReplace                        // ReplaceRoute: NLM_F_CREATE|NLM_F_REPLACE
	RouteOpAppend                         // AppendRoute: NLM_F_CREATE|NLM_F_APPEND
	RouteOpChange                         // ChangeRoute: NLM_F_REPLACE
	RouteOpDelete                         // DeleteRoute: RTM_DELROUTE
)

var routeOpNames = [...]string{"", "add route", "replace route", "append route", "change route", "delete route"}

// String gives the operation's name as errors use it: "add route",
// "replace route", ...
func (k RouteOpKind) String() string {
	if int(k) < len(routeOpNames) && k != 0 {
		return routeOpNames[k]
	}
	return "route operation " + strconv.Itoa(int(k))
}

// request gives the message type and flags of k.
func (k RouteOpKind) request() (netlink.MessageType, netlink.Flags, bool) {
	switch k {
	case RouteOpAdd:
		return unix.RTM_NEWROUTE, netlink.Create | netlink.Excl, true
	case RouteOpReplace:
		return unix.RTM_NEWROUTE, netlink.Create | netlink.Replace, true
	case RouteOpAppend:
		return unix.RTM_NEWROUTE, netlink.Create | netlink.Append, true
	case RouteOpChange:
		return unix.RTM_NEWROUTE, netlink.Replace, true
	case RouteOpDelete:
		return unix.RTM_DELROUTE, 0, true
	}
	return 0, 0, false
}

// RouteOp is one step of ApplyRoutes: Op applied to Route.
type RouteOp struct {
	Op    RouteOpKind
	Route Route
}

// ApplyRoutes applies a mixed run of route changes in the order ops
// yields them, packed into as few datagrams as fit (netlink.Conn.Batch):
// the kernel handles the requests one after another, so a delete followed
// by an add of the same route works as it reads. Each route gets the
// defaults of the method its Op names. All requests are sent even when
// some fail; the error is then a *netlink.BatchError whose Failures give
// the index of each failed op (counting what ops yielded, from 0) with the
// kernel's error named after the op ("delete route"). An op that cannot be
// encoded (no Dst, an unknown Op) is such a failure, and is not sent.
// Each route is encoded into one reused buffer, so ops may stream
// millions of changes.
func (c *Conn) ApplyRoutes(ctx context.Context, ops iter.Seq[RouteOp]) error {
	var kinds []RouteOpKind // by index, to name the failures
	err := c.batch(ctx, "", func(yield func(netlink.Message, error) bool) {
		var buf []byte
		for op := range ops {
			kinds = append(kinds, op.Op)
			typ, flags, ok := op.Op.request()
			var err error
			if !ok {
				err = fmt.Errorf("rtnl: %v: unknown RouteOp.Op", op.Op)
			} else {
				var r Route
				if r, err = op.Route.forChange(typ == unix.RTM_DELROUTE); err == nil {
					buf, err = r.AppendBinary(buf[:0])
				}
			}
			if !yield(netlink.Message{Header: netlink.Header{Type: typ, Flags: flags}, Data: buf}, err) {
				return
			}
		}
	})
	if be, ok := errors.AsType[*netlink.BatchError](err); ok {
		for i, f := range be.Failures {
			if f.Index < len(kinds) {
				be.Failures[i].Err = nameOp(kinds[f.Index].String(), f.Err)
			}
		}
	}
	return err
}
