package genl

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/nlkit/nlkit/netlink"
)

// ErrGroupNotFound is matched (errors.Is) by the error of JoinGroup for a
// group the family does not have.
var ErrGroupNotFound = errors.New("genl: multicast group not found")

// JoinGroup subscribes the Conn to the named multicast group of the named
// family (e.g. "netdev", "mgmt"); its notifications then come out of
// Receive. It returns the group's id.
//
// It returns once the socket is in the group (NETLINK_ADD_MEMBERSHIP is
// done; resolving the family, when the Conn does not know it yet, comes
// before): every notification the kernel sends to the group afterwards is
// queued for Receive, or lost and reported as netlink.ErrOverrun. So
// "join, then dump" leaves no gap: a change the dump does not show was
// made after the join, and is announced. See Receive for the whole
// pattern.
//
// Joins are counted per Conn: each JoinGroup needs its own LeaveGroup, and
// the socket leaves the group when the last join is undone. So the clients
// sharing one Conn (mptcp.NewConn and netdev.NewConn over the same
// genl.Conn, or two Clients) can join and leave the same group without
// unsubscribing each other. A Conn holds one join of the netlink.Conn
// per group, whatever its own count; netlink.Conn counts joins too, so
// two genl.Conns over one netlink.Conn (NewConn) do not undo each
// other's either.
func (c *Conn) JoinGroup(ctx context.Context, family, group string) (uint32, error) {
	f, err := c.resolve(ctx, family)
	if err != nil {
		return 0, err
	}
	g, ok := f.Group(group)
	if !ok {
		// The family may have come back with other groups.
		nf, _, err := c.reresolve(ctx, f)
		if err != nil {
			return 0, err
		}
		g, ok = nf.Group(group)
		if !ok {
			return 0, fmt.Errorf("genl: family %s has no multicast group %q: %w", family, group, ErrGroupNotFound)
		}
	}
	ref := groupRef{family: family, group: group}
	c.gmu.Lock()
	defer c.gmu.Unlock()
	if err := c.check(); err != nil { // closed meanwhile
		return 0, err
	}
	m := c.joined[ref]
	switch {
	case m != nil && m.id == g.ID:
		m.n++
	case m != nil:
		// The family was registered again, under new group ids; the
		// kernel dropped the old membership with the old family.
		if err := c.nl.JoinGroup(g.ID); err != nil {
			return 0, fmt.Errorf("genl: join %s/%s: %w", family, group, err)
		}
		_ = c.nl.LeaveGroup(m.id) // the netlink.Conn's count of the old id
		m.id = g.ID
		m.n++
	default:
		if err := c.nl.JoinGroup(g.ID); err != nil {
			return 0, fmt.Errorf("genl: join %s/%s: %w", family, group, err)
		}
		c.joined[ref] = &membership{id: g.ID, n: 1}
	}
	c.mu.Lock()
	c.groups[g.ID] = ref
	c.mu.Unlock()
	return g.ID, nil
}

// LeaveGroup undoes one JoinGroup of the named multicast group of the
// family; the socket leaves the group when every JoinGroup of it on this
// Conn has been undone. A group this Conn did not join (one of
// netlink.Config.Groups, say) is left at once.
func (c *Conn) LeaveGroup(ctx context.Context, family, group string) error {
	if err := c.check(); err != nil {
		return err
	}
	ref := groupRef{family: family, group: group}
	c.gmu.Lock()
	if m := c.joined[ref]; m != nil {
		defer c.gmu.Unlock()
		if m.n > 1 {
			m.n--
			return nil
		}
		if err := c.nl.LeaveGroup(m.id); err != nil {
			return fmt.Errorf("genl: leave %s/%s: %w", family, group, err)
		}
		delete(c.joined, ref)
		return nil
	}
	c.gmu.Unlock()
	f, err := c.resolve(ctx, family)
	if err != nil {
		return err
	}
	g, ok := f.Group(group)
	if !ok {
		return fmt.Errorf("genl: family %s has no multicast group %q: %w", family, group, ErrGroupNotFound)
	}
	if err := c.nl.LeaveGroup(g.ID); err != nil {
		return fmt.Errorf("genl: leave %s/%s: %w", family, group, err)
	}
	return nil
}

// Notification is a multicast message of a generic netlink family.
type Notification struct {
	// Message is the notification; its Data is valid only until the loop
	// body of Receive returns.
	Message
	// FamilyID is the message type: the id of the family that sent it.
	FamilyID uint16
	// Family names the family, when the Conn knows the id (it resolved
	// the family or joined one of its groups); "" otherwise.
	Family string
	// GroupID is the multicast group it was sent to.
	GroupID uint32
	// Group names the group when the Conn knows it; "" otherwise.
	Group string
}

// controllerNotification keeps the cache in step with nlctrl's "notify"
// group, when the Conn joined it: families registered and unregistered.
func (c *Conn) controllerNotification(m Message) {
	if m.Command != ctrlCmdNewFamily && m.Command != ctrlCmdDelFamily {
		return
	}
	f := new(Family)
	if f.UnmarshalBinary(m.Data) != nil {
		return
	}
	if m.Command == ctrlCmdNewFamily {
		c.store(f)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.families[f.Name]; ok && old.ID == f.ID {
		delete(c.families, f.Name)
		delete(c.byID, f.ID)
	}
}

// Receive streams the notifications of the groups joined (JoinGroup). It is
// a single-use iterator; one Receive runs at a time per Conn (another gets
// netlink.ErrReceiveBusy).
//
// netlink.ErrOverrun is yielded when notifications were lost (the kernel
// dropped some for lack of room in the receive buffer, or the Conn's
// backlog overflowed), and the stream goes on after it. It marks a point:
// every notification yielded after it was sent after the loss; those
// queued before the loss and not yet yielded are thrown away (counted in
// the netlink.Conn's Stats.Discarded), none of them follows it. So state
// built from a group's notifications is kept right by this pattern:
// JoinGroup first, then dump, then apply what Receive yields in order; on
// ErrOverrun, replace the state with a fresh dump and go on applying. The
// dumps may go through this Conn or another; another keeps their replies
// out of the buffer the notifications need. (Notifications that crossed
// a dump are applied after it; in order, and where each carries the whole
// object, as netdev's do, they end where the dump and the later changes
// put the state.) ExampleConn_JoinGroup is the pattern in code.
//
// A malformed notification is yielded as an error and skipped (it is a
// lost change: rebuild state as after ErrOverrun); any other error ends
// the stream: ctx's error, netlink.ErrClosed (also when Close is called
// on a Conn made by NewConn). The rule is netlink.DecodeNotifications'.
// Control messages (NLMSG_NOOP and the like) are skipped. When the Conn
// joined nlctrl's "notify" group, the families registered and
// unregistered there also update the Conn's family cache.
func (c *Conn) Receive(ctx context.Context) iter.Seq2[Notification, error] {
	return func(yield func(Notification, error) bool) {
		if err := c.check(); err != nil {
			yield(Notification{}, err)
			return
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(c.life, cancel)()
		for n, err := range c.receive(ctx) {
			if err != nil && !errors.Is(err, netlink.ErrOverrun) && c.check() != nil {
				err = errClosed
			}
			if !yield(n, err) {
				return
			}
		}
	}
}

// receive is Receive without Close's ending.
func (c *Conn) receive(ctx context.Context) iter.Seq2[Notification, error] {
	return netlink.DecodeNotifications(c.nl.Receive(ctx), func(n netlink.Notification) (Notification, bool, error) {
		if n.Header.Type < 0x10 { // NLMSG_MIN_TYPE: control messages
			return Notification{}, false, nil
		}
		m, err := parse(n.Message)
		if err != nil {
			return Notification{}, false, err
		}
		out := Notification{Message: m, FamilyID: uint16(n.Header.Type), GroupID: n.Group}
		if out.FamilyID == ctrlID {
			c.controllerNotification(m)
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		if f, ok := c.byID[out.FamilyID]; ok {
			out.Family = f.Name
		}
		if g, ok := c.groups[n.Group]; ok {
			out.Group = g.group
			if out.Family == "" {
				out.Family = g.family
			}
		}
		return out, true, nil
	})
}
