package rtnl

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/nlkit/nlkit/internal/membership"
	"github.com/nlkit/nlkit/netlink"
	"golang.org/x/sys/unix"
)

// Group is a route-netlink multicast group (enum rtnetlink_groups).
type Group uint32

// Groups a watcher can join (linux/rtnetlink.h).
const (
	GroupLink      Group = 1  // RTNLGRP_LINK: links
	GroupNeighbor  Group = 3  // RTNLGRP_NEIGH: neighbours (and resolution requests, see Resolver)
	GroupIPv4Addr  Group = 5  // RTNLGRP_IPV4_IFADDR
	GroupIPv4Route Group = 7  // RTNLGRP_IPV4_ROUTE
	GroupIPv4Rule  Group = 8  // RTNLGRP_IPV4_RULE
	GroupIPv6Addr  Group = 9  // RTNLGRP_IPV6_IFADDR
	GroupIPv6Route Group = 11 // RTNLGRP_IPV6_ROUTE
	GroupIPv6Rule  Group = 19 // RTNLGRP_IPV6_RULE
)

// AllGroups returns the groups of every object Event models.
func AllGroups() []Group {
	return []Group{GroupLink, GroupNeighbor, GroupIPv4Addr, GroupIPv4Route, GroupIPv4Rule, GroupIPv6Addr, GroupIPv6Route, GroupIPv6Rule}
}

// EventKind says which object an Event carries.
type EventKind uint8

// Event kinds.
const (
	EventLink EventKind = iota + 1
	EventAddress
	EventRoute
	EventNeighbor
	EventRule
)

func (k EventKind) String() string {
	switch k {
	case EventLink:
		return "link"
	case EventAddress:
		return "address"
	case EventRoute:
		return "route"
	case EventNeighbor:
		return "neigh"
	case EventRule:
		return "rule"
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Event is one change notification: an object was created or changed
// (Deleted false) or removed (Deleted true). Exactly the field that Kind
// names is set; it holds the object as the kernel described it, owned by
// the receiver.
type Event struct {
	Kind    EventKind
	Deleted bool
	// NSID is the id (in the watcher's namespace) of the namespace the
	// event came from, with netlink.Config.ListenAllNSID; -1 for the
	// watcher's own namespace or when unknown.
	NSID int32
	// PortID is the port of the socket whose request caused the change
	// (0 for the kernel's own changes), from the message header.
	PortID uint32
	// Flags are the notification's header flags: for a new object,
	// netlink.Replace says it replaced one, netlink.Append that it was
	// added beside existing ones. A replaced route need not have the new
	// one's RouteKey (an IPv4 replace takes the first route of the same
	// table, destination, tos and metric, whatever its gateway): see
	// RouteKey for what a notification does and does not say.
	Flags netlink.Flags

	Link     Link
	Address  Address
	Route    Route
	Neighbor Neighbor
	Rule     Rule
}

// Route-netlink message types (linux/rtnetlink.h).
const (
	rtmNewLink  = unix.RTM_NEWLINK
	rtmDelLink  = unix.RTM_DELLINK
	rtmNewAddr  = unix.RTM_NEWADDR
	rtmDelAddr  = unix.RTM_DELADDR
	rtmNewRoute = unix.RTM_NEWROUTE
	rtmDelRoute = unix.RTM_DELROUTE
	rtmNewNeigh = unix.RTM_NEWNEIGH
	rtmDelNeigh = unix.RTM_DELNEIGH
	rtmGetNeigh = unix.RTM_GETNEIGH
	rtmNewRule  = unix.RTM_NEWRULE
	rtmDelRule  = unix.RTM_DELRULE
)

// DecodeEvent decodes a route-netlink notification. ok is false for
// messages that are not a change of a modelled object (e.g. RTM_GETNEIGH
// resolution requests, AF_BRIDGE port state, or other families' types);
// err reports a malformed
// message of a known type.
func DecodeEvent(m netlink.Message) (ev Event, ok bool, err error) {
	ev.NSID = -1
	ev.PortID = m.Header.PortID
	ev.Flags = m.Header.Flags
	switch m.Header.Type {
	case rtmNewLink, rtmDelLink:
		if len(m.Data) > 0 && m.Data[0] == unix.AF_BRIDGE {
			// A bridge port's bridging state (its RTM_DELLINK means
			// "left the bridge", not "gone"); the link itself is
			// reported in AF_UNSPEC messages.
			return Event{}, false, nil
		}
		ev.Kind, ev.Deleted = EventLink, m.Header.Type == rtmDelLink
		ev.Link, err = decodeLink(m.Data)
	case rtmNewAddr, rtmDelAddr:
		ev.Kind, ev.Deleted = EventAddress, m.Header.Type == rtmDelAddr
		ev.Address, err = decodeAddress(m.Data)
	case rtmNewRoute, rtmDelRoute:
		ev.Kind, ev.Deleted = EventRoute, m.Header.Type == rtmDelRoute
		err = ev.Route.UnmarshalBinary(m.Data)
	case rtmNewNeigh, rtmDelNeigh:
		ev.Kind, ev.Deleted = EventNeighbor, m.Header.Type == rtmDelNeigh
		ev.Neighbor, err = decodeNeighbor(m.Data)
	case rtmNewRule, rtmDelRule:
		ev.Kind, ev.Deleted = EventRule, m.Header.Type == rtmDelRule
		err = ev.Rule.UnmarshalBinary(m.Data)
	default:
		return Event{}, false, nil
	}
	if err != nil {
		return Event{}, false, fmt.Errorf("rtnl: %s event: %w", ev.Kind, err)
	}
	return ev, true, nil
}

// JoinGroup joins the multicast groups of the given objects (all of
// AllGroups when none are given) on c's socket. When it returns, the kernel
// sends c every later change of those objects, for Events to stream.
//
// This is the way to hold state built from a dump and the changes after
// it: subscribe, then dump (on c, or on another Conn), then apply Events.
// Nothing falls between the dump and the events, and events older than the
// dump are harmless: applied in order on top of it they change nothing the
// dump does not already show. On netlink.ErrOverrun from Events, take a
// fresh dump and go on; Events yields nothing older than the loss after it
// (see netlink.Conn.Receive). The dumps may go through c itself; for
// large tables a second Conn keeps the dump's replies from filling the
// buffer the notifications need (each overrun costs a fresh dump).
//
// JoinGroup may be called again to add groups; LeaveGroup undoes it.
func (c *Conn) JoinGroup(groups ...Group) error {
	if len(groups) == 0 {
		groups = AllGroups()
	}
	return c.groups.Join(groups)
}

// LeaveGroup undoes JoinGroup for the given groups (all of AllGroups when
// none are given): the kernel stops sending their changes to c. Changes
// already queued may still be yielded by Events. Joins are counted: each
// JoinGroup needs its own LeaveGroup; leaving a group c did not join is an
// error.
func (c *Conn) LeaveGroup(groups ...Group) error {
	if len(groups) == 0 {
		groups = AllGroups()
	}
	return c.groups.Leave(groups)
}

// Events streams the change events of the groups c subscribed to (see
// JoinGroup for the pattern that keeps state right, overruns included). It
// is a single-use iterator; one Events (or netlink Receive) at a time per
// Conn. Errors are as for the package-level Events. On a Conn made with
// NewConn around a netlink.Conn the caller subscribed (netlink.Config.Groups
// or JoinGroup) — for instance one from a fake — it streams that socket's
// events; the caller keeps ownership of the socket.
func (c *Conn) Events(ctx context.Context) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if err := c.closed(); err != nil {
			yield(Event{}, fmt.Errorf("rtnl: events: %w", err))
			return
		}
		// Close ends the stream, also when c does not own the socket.
		events := netlink.DecodeNotifications(membership.Receive(ctx, c.nl, c.done), func(n netlink.Notification) (Event, bool, error) {
			ev, ok, err := DecodeEvent(n.Message)
			if !ok || err != nil || (ev.Kind == EventRoute && ev.Route.Flags&RouteFlagCloned != 0) {
				return Event{}, false, err // not a change of a modelled object, or a route cache entry
			}
			ev.NSID = n.NSID
			return ev, true, nil
		})
		for ev, err := range events {
			if errors.Is(err, netlink.ErrClosed) && c.closed() != nil {
				yield(Event{}, fmt.Errorf("rtnl: events: %w", netlink.ErrClosed))
				return
			}
			if !yield(ev, err) {
				return
			}
		}
	}
}

// Events streams route-netlink change events of the given groups (all of
// AllGroups when none are given) from a socket of its own, opened with cfg
// (nil: defaults; cfg.NetNS picks the namespace, cfg.ReceiveBuffer sizes
// the buffer, cfg.ListenAllNSID adds other namespaces' events with their
// NSID; cfg.Groups is ignored). It is a single-use iterator; the socket is
// closed when the loop ends.
//
// Events subscribes when the loop starts, so it cannot tell its caller when
// the subscription is in place: to combine a dump with the changes after
// it, use Dial, JoinGroup and Events instead.
//
// Loss is an event, not a death: when the kernel dropped notifications
// (ENOBUFS), Events yields an error matching netlink.ErrOverrun and goes on;
// nothing older than the loss comes after it, so state built from events
// is rebuilt right by a dump taken then (Mirror does this). Any other error
// ends the stream: ctx's, or a failure to open the socket. Malformed
// notifications are yielded as errors and skipped.
func Events(ctx context.Context, cfg *netlink.Config, groups ...Group) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		nl, err := dialWatch(nil, cfg, groups)
		if err != nil {
			yield(Event{}, err)
			return
		}
		defer nl.Close()
		for ev, err := range NewConn(nl).Events(ctx) {
			if !yield(ev, err) {
				return
			}
		}
	}
}

// A Dialer is where sockets come from: Dial opens a route-netlink
// netlink.Conn configured by cfg (namespace, buffers, cfg.Groups to
// subscribe). A nil Dialer means the kernel's sockets (netlink.Dial with
// NETLINK_ROUTE), as Dial opens them.
//
// It is the one way to run this package on something other than the
// kernel, such as rtnltest.Fake, which implements it:
//
//   - a Conn: NewConn around d.Dial(cfg);
//   - a stream of events: Conn.Events on NewConn around d.Dial(cfg) with
//     cfg.Groups set, or on a Conn that called JoinGroup;
//   - a Mirror: MirrorConfig.Dialer;
//   - a Resolver: ResolverConfig.Dialer.
type Dialer interface {
	Dial(cfg *netlink.Config) (*netlink.Conn, error)
}

// dial opens a socket with d, nil meaning the kernel.
func dial(d Dialer, cfg *netlink.Config) (*netlink.Conn, error) {
	if d == nil {
		return netlink.Dial(unix.NETLINK_ROUTE, cfg)
	}
	return d.Dial(cfg)
}

// dialWatch opens a socket subscribed to groups.
func dialWatch(d Dialer, cfg *netlink.Config, groups []Group) (*netlink.Conn, error) {
	var c netlink.Config
	if cfg != nil {
		c = *cfg
	}
	if len(groups) == 0 {
		groups = AllGroups()
	}
	c.Groups = make([]uint32, len(groups))
	for i, g := range groups {
		c.Groups[i] = uint32(g)
	}
	nl, err := dial(d, &c)
	if err != nil {
		return nil, fmt.Errorf("rtnl: watch: %w", err)
	}
	return nl, nil
}
