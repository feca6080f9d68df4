package genl

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/nlkit/nlkit/netlink"
)

// netlinkGeneric is NETLINK_GENERIC (linux/netlink.h), spelled out so the
// package builds on every OS (Dial then fails with netlink's error).
const netlinkGeneric = 16

// Conn speaks generic netlink (NETLINK_GENERIC): it resolves families by
// name, runs requests and dumps with the generic header, joins multicast
// groups by name and streams their notifications.
//
// A Conn is safe for concurrent use by many goroutines, with the guarantees
// of netlink.Conn: every call gets its own replies, dumps run one after
// another, one Receive at a time. Family ids are resolved once and cached
// in the Conn (never in package state); a request that fails with ENOENT or
// EOPNOTSUPP re-resolves its family once, and is sent again if the family
// came back under another id (it was unloaded and loaded again).
// Multicast group joins are counted per Conn (JoinGroup, LeaveGroup), so
// the clients sharing a Conn do not unsubscribe each other.
type Conn struct {
	nl  *netlink.Conn
	own bool // made by Dial: Close closes nl

	// closed is set by Close (under gmu); life is cancelled then, which
	// ends a running Receive of a Conn that does not own nl.
	closed atomic.Bool
	life   context.Context
	end    context.CancelFunc

	mu       sync.Mutex
	families map[string]*Family // by name
	byID     map[uint16]*Family
	groups   map[uint32]groupRef // joined or seen multicast groups by id

	// gmu serialises JoinGroup and LeaveGroup; joined counts the joins
	// of each group made through this Conn.
	gmu    sync.Mutex
	joined map[groupRef]*membership
}

// membership is a group joined through JoinGroup: the id joined and how
// many JoinGroups it has not yet seen undone.
type membership struct {
	id uint32
	n  int
}

// groupRef names a multicast group.
type groupRef struct{ family, group string }

// Dial opens a generic netlink socket. cfg is passed to netlink.Dial (nil:
// defaults, which include extended ACKs); set cfg.NetNS to work in another
// network namespace. Close the Conn when done.
func Dial(cfg *netlink.Config) (*Conn, error) {
	nl, err := netlink.Dial(netlinkGeneric, cfg)
	if err != nil {
		return nil, fmt.Errorf("genl: %w", err)
	}
	c := NewConn(nl)
	c.own = true
	return c, nil
}

// NewConn wraps an existing NETLINK_GENERIC netlink.Conn, which stays the
// caller's: Close leaves it open (see Close). The caller may keep using nl
// for raw messages, and other genl.Conns may wrap it too.
func NewConn(nl *netlink.Conn) *Conn {
	c := &Conn{
		nl:       nl,
		families: make(map[string]*Family),
		byID:     make(map[uint16]*Family),
		groups:   make(map[uint32]groupRef),
		joined:   make(map[groupRef]*membership),
	}
	c.life, c.end = context.WithCancel(context.Background())
	return c
}

// Close closes the socket of a Conn made by Dial; blocked calls return
// netlink.ErrClosed. A Conn made by NewConn does not own its
// netlink.Conn: Close leaves the groups this Conn joined (netlink.Conn
// counts joins, so other users of it keep theirs), ends its Receive, and
// leaves the netlink.Conn open. Afterwards every method of the Conn
// returns an error matching netlink.ErrClosed. Closing twice is harmless.
func (c *Conn) Close() error {
	c.gmu.Lock()
	if c.closed.Load() {
		c.gmu.Unlock()
		return nil
	}
	c.closed.Store(true)
	joined := c.joined
	c.joined = make(map[groupRef]*membership)
	c.gmu.Unlock()
	c.end()
	if c.own {
		return c.nl.Close()
	}
	var errs []error
	for ref, m := range joined {
		if err := c.nl.LeaveGroup(m.id); err != nil {
			errs = append(errs, fmt.Errorf("genl: leave %s/%s: %w", ref.family, ref.group, err))
		}
	}
	return errors.Join(errs...)
}

// errClosed is the error of a method of a closed Conn.
var errClosed = fmt.Errorf("genl: %w", netlink.ErrClosed)

// check returns errClosed once Close was called.
func (c *Conn) check() error {
	if c.closed.Load() {
		return errClosed
	}
	return nil
}

// Netlink returns the underlying netlink.Conn, for what this package does
// not model.
func (c *Conn) Netlink() *netlink.Conn { return c.nl }

// Execute sends req to the named family and returns its replies (owned by
// the caller) once the kernel acknowledged it. flags are added to
// Request|Acknowledge (e.g. netlink.Create|netlink.Excl for families that
// look at them); req.Version 0 is replaced by the family's version. An
// error names the family and command (netlink.NameOp: "genl: netdev cmd
// 1: no such device"); errors.As finds the kernel's *netlink.Error and
// errors.Is its errno. An unknown family gives an error matching
// ErrFamilyNotFound.
func (c *Conn) Execute(ctx context.Context, family string, req Message, flags netlink.Flags) ([]Message, error) {
	f, err := c.resolve(ctx, family)
	if err != nil {
		return nil, err
	}
	msgs, err := c.execute(ctx, f, req, flags)
	if staleID(err) {
		switch nf, changed, rerr := c.reresolve(ctx, f); {
		case errors.Is(rerr, ErrFamilyNotFound):
			return nil, rerr // the family went away
		case changed:
			msgs, err = c.execute(ctx, nf, req, flags)
		}
	}
	return msgs, err
}

func (c *Conn) execute(ctx context.Context, f *Family, req Message, flags netlink.Flags) ([]Message, error) {
	if req.Version == 0 {
		req.Version = uint8(f.Version)
	}
	nms, err := c.nl.Execute(ctx, nlMessage(f.ID, req, flags))
	if err != nil {
		return nil, netlink.NameOp("genl", fmt.Sprintf("%s cmd %d", f.Name, req.Command), err)
	}
	out := make([]Message, 0, len(nms))
	for _, nm := range nms {
		m, err := parse(nm)
		if err != nil {
			return out, err
		}
		out = append(out, m)
	}
	return out, nil
}

// Dump sends req to the named family as a dump request and streams the
// replies. It is a single-use iterator with the semantics of
// netlink.Conn.Dump: each yielded Message's Data is valid only until the
// loop body returns (copy what you keep); the stream stops at the first
// error (a *netlink.Error, netlink.ErrDumpInterrupted after the last
// message, ctx's error); breaking early is fine. req.Version 0 is replaced
// by the family's version.
func (c *Conn) Dump(ctx context.Context, family string, req Message) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		f, err := c.resolve(ctx, family)
		if err != nil {
			yield(Message{}, err)
			return
		}
		for attempt := 0; ; attempt++ {
			yielded, retry := false, false
			for m, err := range c.dump(ctx, f, req) {
				// A stale id shows before anything is yielded; errors
				// after messages come from the family itself.
				if err != nil && !yielded && attempt == 0 && staleID(err) {
					nf, changed, rerr := c.reresolve(ctx, f)
					if errors.Is(rerr, ErrFamilyNotFound) {
						err = rerr // the family went away
					} else if changed {
						f, retry = nf, true
						break
					}
				}
				yielded = true
				if !yield(m, err) || err != nil {
					return
				}
			}
			if !retry {
				return
			}
		}
	}
}

func (c *Conn) dump(ctx context.Context, f *Family, req Message) iter.Seq2[Message, error] {
	return func(yield func(Message, error) bool) {
		if req.Version == 0 {
			req.Version = uint8(f.Version)
		}
		for nm, err := range c.nl.Dump(ctx, nlMessage(f.ID, req, 0)) {
			if err != nil {
				yield(Message{}, netlink.NameOp("genl", fmt.Sprintf("%s dump cmd %d", f.Name, req.Command), err))
				return
			}
			m, err := parse(nm)
			if !yield(m, err) || err != nil {
				return
			}
		}
	}
}

// staleID reports whether a kernel error may mean that the family id used
// is no longer the family's: genetlink answers ENOENT for an unknown id and
// EOPNOTSUPP for a command the family (now under that id) does not have.
func staleID(err error) bool {
	var ne *netlink.Error
	if !errors.As(err, &ne) {
		return false
	}
	return ne.Errno == syscall.ENOENT || ne.Errno == syscall.EOPNOTSUPP
}
