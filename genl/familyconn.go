package genl

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"

	"github.com/nlkit/nlkit/netlink"
)

// FamilyInfo describes a typed family client to FamilyConn: the family,
// the words its errors begin with, its Spec when it has one, and how its
// notifications become events of type E. A FamilyInfo is read-only once
// in use and may be shared.
type FamilyInfo[E any] struct {
	// Name is the family's name, as the controller knows it ("ethtool",
	// "mptcp_pm").
	Name string
	// Package begins the client's errors: with "ethtool", a failed
	// request reads `ethtool: set channels of "v0": invalid argument:
	// ...`. It is the Go package's name.
	Package string
	// Spec describes the family's commands, for ExecuteAttrs and
	// DumpAttrs; nil for a client that encodes its messages itself (with
	// Execute and Dump).
	Spec *Spec
	// Event decodes a notification of the family into an event; ok false
	// skips it (a notification the client does not model), an error is
	// yielded by Events, which goes on. n.Data is valid only during the
	// call: the event must not alias it. nil: the family has no
	// notifications (Events yields an error).
	Event func(n Notification) (ev E, ok bool, err error)
}

// FamilyConn is what every typed client of a generic netlink family has
// in common (ethtool.Conn, mptcp.Conn, netdev.Conn, tcpmetrics.Conn, and
// the next one): opening or sharing a genl.Conn, closing, joining and
// leaving the family's multicast groups, its events as a typed stream, and
// requests whose errors name the operation and its object. A family
// package holds a *FamilyConn[Event] in its Conn and declares one-line
// methods calling it (Close, Genl, JoinGroup, LeaveGroup, Events), so that
// each package documents its own; TestFamilyConnsAlike keeps them alike.
//
// Ownership: a FamilyConn made by DialFamily owns its genl.Conn, and Close
// closes it. One made by NewFamilyConn shares a genl.Conn with the caller
// and with other clients: Close leaves the groups this FamilyConn joined
// (joins are counted per genl.Conn, so the others keep theirs), ends its
// Events stream, and leaves the genl.Conn open; the caller closes it.
// After Close, every method returns an error matching netlink.ErrClosed.
//
// A FamilyConn is safe for concurrent use, with the guarantees of Conn;
// Events is one at a time per genl.Conn (it uses Conn.Receive).
type FamilyConn[E any] struct {
	conn   *Conn
	info   *FamilyInfo[E]
	client *Client // over conn with info.Spec; nil without a Spec
	own    bool    // made by DialFamily: Close closes conn

	// life is cancelled by Close: it ends a running Events stream.
	life context.Context
	end  context.CancelFunc

	mu     sync.Mutex
	closed bool
	joined map[string]int // JoinGroups not yet undone, by group
}

// DialFamily opens a genl.Conn (see Dial; cfg is passed to netlink.Dial)
// for a client of the family info describes. The FamilyConn owns it:
// Close closes it.
func DialFamily[E any](cfg *netlink.Config, info *FamilyInfo[E]) (*FamilyConn[E], error) {
	c, err := Dial(cfg)
	if err != nil {
		return nil, netlink.NameOp(info.Package, "dial", err)
	}
	b := NewFamilyConn(c, info)
	b.own = true
	return b, nil
}

// NewFamilyConn makes a client of the family info describes over c, which
// it shares: c stays the caller's, and Close leaves it open (see
// FamilyConn).
func NewFamilyConn[E any](c *Conn, info *FamilyInfo[E]) *FamilyConn[E] {
	b := &FamilyConn[E]{conn: c, info: info, joined: make(map[string]int)}
	if info.Spec != nil {
		b.client = NewClient(c, info.Spec)
	}
	b.life, b.end = context.WithCancel(context.Background())
	return b
}

// Close releases what the FamilyConn holds: the genl.Conn when it was
// made by DialFamily; otherwise the groups it joined, leaving the shared
// genl.Conn open. A running Events stream ends with netlink.ErrClosed.
// Closing twice is harmless.
func (b *FamilyConn[E]) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	joined := b.joined
	b.joined = nil
	b.mu.Unlock()
	b.end()
	if b.own {
		return b.conn.Close()
	}
	var errs []error
	for g, n := range joined {
		for range n {
			if err := b.conn.LeaveGroup(context.Background(), b.info.Name, g); err != nil {
				errs = append(errs, b.named("leave group "+g, err))
			}
		}
	}
	return errors.Join(errs...)
}

// Genl returns the genl.Conn the FamilyConn uses, for requests it does
// not model.
func (b *FamilyConn[E]) Genl() *Conn { return b.conn }

// check reports netlink.ErrClosed once Close was called.
func (b *FamilyConn[E]) check() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return netlink.ErrClosed
	}
	return nil
}

// named names the failed operation op of the client's package in err
// (netlink.NameOp, the one helper for it).
func (b *FamilyConn[E]) named(op string, err error) error {
	return netlink.NameOp(b.info.Package, op, err)
}

// JoinGroup subscribes to the family's multicast group called group. It
// returns once the socket is in the group (see Conn.JoinGroup): a change
// made afterwards is announced, so join first, then list, then apply
// Events, and no change falls in between. Each JoinGroup is counted, for
// LeaveGroup and Close.
func (b *FamilyConn[E]) JoinGroup(ctx context.Context, group string) error {
	op := fmt.Sprintf("join group %q", group)
	if err := b.check(); err != nil {
		return b.named(op, err)
	}
	if _, err := b.conn.JoinGroup(ctx, b.info.Name, group); err != nil {
		return b.named(op, err)
	}
	b.mu.Lock()
	if b.closed { // closed meanwhile: undo the join Close did not see
		b.mu.Unlock()
		if !b.own {
			_ = b.conn.LeaveGroup(context.Background(), b.info.Name, group)
		}
		return b.named(op, netlink.ErrClosed)
	}
	b.joined[group]++
	b.mu.Unlock()
	return nil
}

// LeaveGroup undoes one JoinGroup of group made through this FamilyConn;
// the socket leaves the group when no client sharing the genl.Conn holds
// a join of it. A group this FamilyConn has not joined is an error, and
// nothing is left.
func (b *FamilyConn[E]) LeaveGroup(ctx context.Context, group string) error {
	op := fmt.Sprintf("leave group %q", group)
	b.mu.Lock()
	switch {
	case b.closed:
		b.mu.Unlock()
		return b.named(op, netlink.ErrClosed)
	case b.joined[group] == 0:
		b.mu.Unlock()
		return b.named(op, errors.New("not joined"))
	}
	b.joined[group]--
	if b.joined[group] == 0 {
		delete(b.joined, group)
	}
	b.mu.Unlock()
	if err := b.conn.LeaveGroup(ctx, b.info.Name, group); err != nil {
		b.mu.Lock()
		if !b.closed {
			b.joined[group]++ // still joined
		}
		b.mu.Unlock()
		return b.named(op, err)
	}
	return nil
}

// Events streams the family's notifications from the groups joined,
// decoded by FamilyInfo.Event; notifications of other families on the
// same genl.Conn are skipped. It is a single-use iterator, one at a time
// per genl.Conn (it uses Conn.Receive), with the rule of
// netlink.DecodeNotifications: netlink.ErrOverrun is yielded when
// notifications were lost and the stream goes on, nothing sent before the
// loss following it, so state is kept right by joining, then listing,
// then applying the events, and listing again on ErrOverrun; a malformed
// notification is yielded as an error and skipped; any other error ends
// the stream. Close ends it with netlink.ErrClosed.
func (b *FamilyConn[E]) Events(ctx context.Context) iter.Seq2[E, error] {
	return func(yield func(E, error) bool) {
		var zero E
		if b.info.Event == nil {
			yield(zero, fmt.Errorf("%s: events: the %s family has no notifications", b.info.Package, b.info.Name))
			return
		}
		if err := b.check(); err != nil {
			yield(zero, b.named("events", err))
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(b.life, cancel)()
		events := netlink.DecodeNotifications(b.conn.Receive(ctx), func(n Notification) (E, bool, error) {
			if n.Family != b.info.Name {
				return zero, false, nil
			}
			return b.info.Event(n)
		})
		for ev, err := range events {
			if err != nil && !errors.Is(err, netlink.ErrOverrun) && b.check() != nil {
				err = b.named("events", netlink.ErrClosed)
			}
			if !yield(ev, err) {
				return
			}
		}
	}
}

// Execute sends req to the family and returns its replies once the kernel
// acknowledged it, as Conn.Execute does. An error names op, the operation
// as the client's user asked for it (`set channels of "v0"`): its text is
// "<package>: <op>: " and the cause (the kernel's errno and explanation,
// for a *netlink.Error, whose Op is set to "<package> <op>"); errors.Is
// and errors.As see through it.
func (b *FamilyConn[E]) Execute(ctx context.Context, op string, req Message, flags netlink.Flags) ([]Message, error) {
	if err := b.check(); err != nil {
		return nil, b.named(op, err)
	}
	msgs, err := b.conn.Execute(ctx, b.info.Name, req, flags)
	return msgs, b.named(op, err)
}

// Dump sends req to the family as a dump request and streams the replies,
// as Conn.Dump does (a single-use iterator; each Message's Data is valid
// only until the loop body returns). Errors name op, as Execute's do.
func (b *FamilyConn[E]) Dump(ctx context.Context, op string, req Message) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		if err := b.check(); err != nil {
			yield(Message{}, b.named(op, err))
			return
		}
		for m, err := range b.conn.Dump(ctx, b.info.Name, req) {
			if !yield(m, b.named(op, err)) || err != nil {
				return
			}
		}
	}
}

// ExecuteAttrs runs the command of the Spec called cmd with attributes
// req, as Client.Execute does, and returns the decoded replies. Errors
// name op, as Execute's do. It needs FamilyInfo.Spec.
func (b *FamilyConn[E]) ExecuteAttrs(ctx context.Context, op, cmd string, req Attrs, flags netlink.Flags) ([]Attrs, error) {
	if b.client == nil {
		return nil, b.named(op, errors.New("no Spec to encode with"))
	}
	if err := b.check(); err != nil {
		return nil, b.named(op, err)
	}
	rs, err := b.client.Execute(ctx, cmd, req, flags)
	return rs, b.named(op, err)
}

// DumpAttrs runs the command of the Spec called cmd as a dump with
// attributes req, as Client.Dump does, and streams the decoded replies (a
// single-use iterator; the values are the caller's). Errors name op, as
// Execute's do. It needs FamilyInfo.Spec.
func (b *FamilyConn[E]) DumpAttrs(ctx context.Context, op, cmd string, req Attrs) iter.Seq2[Attrs, error] {
	return func(yield func(Attrs, error) bool) {
		if b.client == nil {
			yield(nil, b.named(op, errors.New("no Spec to encode with")))
			return
		}
		if err := b.check(); err != nil {
			yield(nil, b.named(op, err))
			return
		}
		for v, err := range b.client.Dump(ctx, cmd, req) {
			if !yield(v, b.named(op, err)) || err != nil {
				return
			}
		}
	}
}
