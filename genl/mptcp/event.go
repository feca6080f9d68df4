package mptcp

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strings"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netlink"
)

// EventType is the kind of an MPTCP event (enum mptcp_event_type).
type EventType uint8

// Event types.
const (
	EventCreated         EventType = 1  // MPTCP_EVENT_CREATED: a connection was created
	EventEstablished     EventType = 2  // MPTCP_EVENT_ESTABLISHED: it can open subflows
	EventClosed          EventType = 3  // MPTCP_EVENT_CLOSED
	EventAnnounced       EventType = 6  // MPTCP_EVENT_ANNOUNCED: the peer announced an address
	EventRemoved         EventType = 7  // MPTCP_EVENT_REMOVED: the peer withdrew an address
	EventSubEstablished  EventType = 10 // MPTCP_EVENT_SUB_ESTABLISHED: a subflow is up
	EventSubClosed       EventType = 11 // MPTCP_EVENT_SUB_CLOSED
	EventSubPriority     EventType = 13 // MPTCP_EVENT_SUB_PRIORITY: a subflow's backup flag changed
	EventListenerCreated EventType = 15 // MPTCP_EVENT_LISTENER_CREATED: a path-manager listener (signal endpoint with a port)
	EventListenerClosed  EventType = 16 // MPTCP_EVENT_LISTENER_CLOSED
)

var eventTypes = []EventType{EventCreated, EventEstablished, EventClosed, EventAnnounced, EventRemoved,
	EventSubEstablished, EventSubClosed, EventSubPriority, EventListenerCreated, EventListenerClosed}

// String names the event as `ip mptcp monitor` does ("CREATED",
// "SF_ESTABLISHED", "LISTENER_CREATED").
func (t EventType) String() string {
	switch t {
	case EventCreated:
		return "CREATED"
	case EventEstablished:
		return "ESTABLISHED"
	case EventClosed:
		return "CLOSED"
	case EventAnnounced:
		return "ANNOUNCED"
	case EventRemoved:
		return "REMOVED"
	case EventSubEstablished:
		return "SF_ESTABLISHED"
	case EventSubClosed:
		return "SF_CLOSED"
	case EventSubPriority:
		return "SF_PRIO"
	case EventListenerCreated:
		return "LISTENER_CREATED"
	case EventListenerClosed:
		return "LISTENER_CLOSED"
	}
	return fmt.Sprintf("EVENT_%d", uint8(t))
}

// Event is a notification of the mptcp_pm_events group. Which fields are
// filled depends on Type (see linux/mptcp_pm.h); the others are zero.
type Event struct {
	Type        EventType      // the notification's command
	Token       uint32         // MPTCP_ATTR_TOKEN: the connection
	LocalID     uint8          // MPTCP_ATTR_LOC_ID
	RemoteID    uint8          // MPTCP_ATTR_REM_ID
	Source      netip.AddrPort // MPTCP_ATTR_SADDR4/6 and MPTCP_ATTR_SPORT
	Dest        netip.AddrPort // MPTCP_ATTR_DADDR4/6 and MPTCP_ATTR_DPORT
	Backup      bool           // MPTCP_ATTR_BACKUP
	Error       uint8          // MPTCP_ATTR_ERROR: the subflow's sk_err
	Flags       uint16         // MPTCP_ATTR_FLAGS
	Timeout     uint32         // MPTCP_ATTR_TIMEOUT
	IfIndex     uint32         // MPTCP_ATTR_IF_IDX
	ResetReason uint32         // MPTCP_ATTR_RESET_REASON
	ResetFlags  uint32         // MPTCP_ATTR_RESET_FLAGS
	ServerSide  bool           // MPTCP_ATTR_SERVER_SIDE
}

// String formats the event like `ip mptcp monitor`:
// "[LISTENER_CREATED] saddr4=127.0.0.1 sport=10000".
func (e Event) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%s]", e.Type)
	if e.Token != 0 {
		fmt.Fprintf(&b, " token=%08x", e.Token)
	}
	if e.RemoteID != 0 || e.Type == EventAnnounced || e.Type == EventRemoved {
		fmt.Fprintf(&b, " remid=%d", e.RemoteID)
	}
	if e.LocalID != 0 {
		fmt.Fprintf(&b, " locid=%d", e.LocalID)
	}
	if e.Source.Addr().IsValid() {
		fmt.Fprintf(&b, " saddr=%s sport=%d", e.Source.Addr(), e.Source.Port())
	}
	if e.Dest.Addr().IsValid() {
		fmt.Fprintf(&b, " daddr=%s dport=%d", e.Dest.Addr(), e.Dest.Port())
	}
	if e.Backup {
		b.WriteString(" backup=1")
	}
	if e.IfIndex != 0 {
		fmt.Fprintf(&b, " ifindex=%d", e.IfIndex)
	}
	if e.Error != 0 {
		fmt.Fprintf(&b, " error=%d", e.Error)
	}
	if e.ResetReason != 0 {
		fmt.Fprintf(&b, " reset_reason=%d", e.ResetReason)
	}
	if e.ServerSide {
		b.WriteString(" server_side=1")
	}
	return b.String()
}

func eventFrom(t EventType, v genl.Attrs) Event {
	e := Event{Type: t}
	e.Token, _ = genl.Get[uint32](v, "token")
	e.LocalID, _ = genl.Get[uint8](v, "loc-id")
	e.RemoteID, _ = genl.Get[uint8](v, "rem-id")
	addr := func(v4, v6, port string) netip.AddrPort {
		a, ok := genl.Get[netip.Addr](v, v4)
		if !ok {
			a, ok = genl.Get[netip.Addr](v, v6)
		}
		if !ok {
			return netip.AddrPort{}
		}
		p, _ := genl.Get[uint16](v, port)
		return netip.AddrPortFrom(a, p)
	}
	e.Source = addr("saddr4", "saddr6", "sport")
	e.Dest = addr("daddr4", "daddr6", "dport")
	backup, _ := genl.Get[uint8](v, "backup")
	e.Backup = backup != 0
	e.Error, _ = genl.Get[uint8](v, "error")
	e.Flags, _ = genl.Get[uint16](v, "flags")
	e.Timeout, _ = genl.Get[uint32](v, "timeout")
	e.IfIndex, _ = genl.Get[uint32](v, "if-idx")
	e.ResetReason, _ = genl.Get[uint32](v, "reset-reason")
	e.ResetFlags, _ = genl.Get[uint32](v, "reset-flags")
	server, _ := genl.Get[uint8](v, "server-side")
	e.ServerSide = server != 0
	return e
}

// UnmarshalBinary decodes a notification's attributes (what follows the
// generic header) into e; e.Type is left as it is (it is the message's
// command).
func (e *Event) UnmarshalBinary(b []byte) error {
	v, err := eventSet.Decode(b)
	if err != nil {
		return err
	}
	*e = eventFrom(e.Type, v)
	return nil
}

// eventSet is a read-only copy of the "event-attr" set, for decoding.
var eventSet = func() *genl.AttrSet { c, _ := Spec().Command(EventCreated.String()); return c.Attrs }()

// JoinGroup subscribes the Conn to a multicast group of the family;
// GroupEvents carries what Events yields.
func (c *Conn) JoinGroup(ctx context.Context, group string) error {
	return c.cl.JoinGroup(ctx, group)
}

// Events streams MPTCP events of the groups joined. It is a single-use
// iterator, one at a time per Conn (it uses genl.Conn.Receive).
// netlink.ErrOverrun is yielded when events were lost, after which the
// stream goes on; other errors end it. Notifications that are not events
// are skipped.
func (c *Conn) Events(ctx context.Context) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for ev, err := range c.cl.Receive(ctx) {
			if err != nil {
				if !yield(Event{}, err) || !errors.Is(err, netlink.ErrOverrun) {
					return
				}
				continue
			}
			if !ev.Command.Notification {
				continue
			}
			if !yield(eventFrom(EventType(ev.Command.ID), ev.Attrs), nil) {
				return
			}
		}
	}
}
