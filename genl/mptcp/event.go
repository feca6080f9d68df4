package mptcp

import (
	"context"
	"fmt"
	"iter"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/nlkit/nlkit/genl"
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

// EventAttrs is a set of event attributes (MPTCP_ATTR_*), one bit per
// attribute type: bit 1<<MPTCP_ATTR_TOKEN and so on. Event.Present says
// which attributes a notification carried, so that a zero field can be
// told from an absent one (locid=0 is the initial subflow's address).
type EventAttrs uint32

// Event attributes.
const (
	AttrToken       EventAttrs = 1 << 1  // MPTCP_ATTR_TOKEN
	AttrFamily      EventAttrs = 1 << 2  // MPTCP_ATTR_FAMILY
	AttrLocalID     EventAttrs = 1 << 3  // MPTCP_ATTR_LOC_ID
	AttrRemoteID    EventAttrs = 1 << 4  // MPTCP_ATTR_REM_ID
	AttrSaddr4      EventAttrs = 1 << 5  // MPTCP_ATTR_SADDR4
	AttrSaddr6      EventAttrs = 1 << 6  // MPTCP_ATTR_SADDR6
	AttrDaddr4      EventAttrs = 1 << 7  // MPTCP_ATTR_DADDR4
	AttrDaddr6      EventAttrs = 1 << 8  // MPTCP_ATTR_DADDR6
	AttrSport       EventAttrs = 1 << 9  // MPTCP_ATTR_SPORT
	AttrDport       EventAttrs = 1 << 10 // MPTCP_ATTR_DPORT
	AttrBackup      EventAttrs = 1 << 11 // MPTCP_ATTR_BACKUP
	AttrError       EventAttrs = 1 << 12 // MPTCP_ATTR_ERROR
	AttrFlags       EventAttrs = 1 << 13 // MPTCP_ATTR_FLAGS
	AttrTimeout     EventAttrs = 1 << 14 // MPTCP_ATTR_TIMEOUT
	AttrIfIndex     EventAttrs = 1 << 15 // MPTCP_ATTR_IF_IDX
	AttrResetReason EventAttrs = 1 << 16 // MPTCP_ATTR_RESET_REASON
	AttrResetFlags  EventAttrs = 1 << 17 // MPTCP_ATTR_RESET_FLAGS
	AttrServerSide  EventAttrs = 1 << 18 // MPTCP_ATTR_SERVER_SIDE
)

// EventFlags are the flags of an event (MPTCP_ATTR_FLAGS,
// MPTCP_PM_EV_FLAG_* in linux/mptcp.h).
type EventFlags uint16

// Event flags.
const (
	EventFlagDenyJoinID0 EventFlags = 1 << 0 // MPTCP_PM_EV_FLAG_DENY_JOIN_ID0: the peer refuses subflows to its address id 0
	EventFlagServerSide  EventFlags = 1 << 1 // MPTCP_PM_EV_FLAG_SERVER_SIDE: the connection was accepted (Linux 6.18)
)

// eventFlagNames are ip's words for the flags (`ip mptcp monitor`, iproute2
// 6.18), by bit.
var eventFlagNames = []string{"deny_join_id0", "server_side"}

// String lists the flags in ip's words separated by '|'
// ("deny_join_id0|server_side"), unknown bits in hex; "0" when none is
// set.
func (f EventFlags) String() string {
	b, _ := f.AppendText(nil)
	return string(b)
}

// AppendText appends String's text to b.
func (f EventFlags) AppendText(b []byte) ([]byte, error) {
	if f == 0 {
		return append(b, '0'), nil
	}
	start := len(b)
	for i, n := range eventFlagNames {
		if f&(1<<i) != 0 {
			if len(b) > start {
				b = append(b, '|')
			}
			b = append(b, n...)
			f &^= 1 << i
		}
	}
	if f != 0 {
		if len(b) > start {
			b = append(b, '|')
		}
		b = fmt.Appendf(b, "%#x", uint16(f))
	}
	return b, nil
}

// MarshalText gives String's text.
func (f EventFlags) MarshalText() ([]byte, error) { return f.AppendText(nil) }

// UnmarshalText sets f from String's text: words (or hex numbers)
// separated by '|', or "0".
func (f *EventFlags) UnmarshalText(text []byte) error {
	var v EventFlags
	for w := range strings.SplitSeq(string(text), "|") {
		if i := slices.Index(eventFlagNames, w); i >= 0 {
			v |= 1 << i
			continue
		}
		n, err := strconv.ParseUint(w, 0, 16)
		if err != nil {
			return fmt.Errorf("mptcp: event flags %q: %q is not a flag", text, w)
		}
		v |= EventFlags(n)
	}
	*f = v
	return nil
}

// Event is a notification of the mptcp_pm_events group. Which fields are
// filled depends on Type (see linux/mptcp_pm.h); Present lists those the
// kernel sent, the others are zero.
type Event struct {
	Type        EventType      // the notification's command
	Token       uint32         // MPTCP_ATTR_TOKEN: the connection
	LocalID     uint8          // MPTCP_ATTR_LOC_ID
	RemoteID    uint8          // MPTCP_ATTR_REM_ID
	Source      netip.AddrPort // MPTCP_ATTR_SADDR4/6 and MPTCP_ATTR_SPORT
	Dest        netip.AddrPort // MPTCP_ATTR_DADDR4/6 and MPTCP_ATTR_DPORT
	Backup      bool           // MPTCP_ATTR_BACKUP
	Error       uint8          // MPTCP_ATTR_ERROR: the subflow's sk_err
	Flags       EventFlags     // MPTCP_ATTR_FLAGS
	Timeout     uint32         // MPTCP_ATTR_TIMEOUT
	IfIndex     int32          // MPTCP_ATTR_IF_IDX
	ResetReason uint32         // MPTCP_ATTR_RESET_REASON
	ResetFlags  uint32         // MPTCP_ATTR_RESET_FLAGS
	// ServerSide: the connection was accepted, not opened
	// (MPTCP_ATTR_SERVER_SIDE, deprecated in Linux 6.18, or
	// EventFlagServerSide in Flags).
	ServerSide bool
	// Present lists the attributes the notification carried.
	Present EventAttrs
}

// Has reports whether the notification carried every attribute of a.
func (e Event) Has(a EventAttrs) bool { return e.Present&a == a }

// String formats the event as `ip mptcp monitor` prints it (iproute2 6.2
// and later): the type right-aligned in 16 columns, then each attribute
// present, in ip's order and words:
//
//	[         CREATED] token=51b22cd7 remid=0 locid=0 saddr4=127.0.0.1 daddr4=127.0.0.1 sport=10000 dport=37608 flags=2
//	[LISTENER_CREATED] saddr4=127.0.0.1 sport=10000
//
// An unknown type prints as "[UNKNOWN n]" alone, as ip does. (iproute2
// 6.1 pads to 14 columns and does not know the listener events; 6.18
// prints the flags as words, as Event.Flags.String gives them.)
func (e Event) String() string {
	if !slices.Contains(eventTypes, e.Type) {
		return fmt.Sprintf("[UNKNOWN %d]", uint8(e.Type))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "[%16s]", e.Type)
	if e.Has(AttrToken) {
		fmt.Fprintf(&b, " token=%08x", e.Token)
	}
	if e.Has(AttrRemoteID) {
		fmt.Fprintf(&b, " remid=%d", e.RemoteID)
	}
	if e.Has(AttrLocalID) {
		fmt.Fprintf(&b, " locid=%d", e.LocalID)
	}
	for _, a := range []struct {
		attr EventAttrs
		key  string
		addr netip.Addr
		v4   bool
	}{
		{AttrSaddr4, "saddr4", e.Source.Addr(), true},
		{AttrDaddr4, "daddr4", e.Dest.Addr(), true},
		{AttrSaddr6, "saddr6", e.Source.Addr(), false},
		{AttrDaddr6, "daddr6", e.Dest.Addr(), false},
	} {
		if e.Has(a.attr) && a.addr.IsValid() && a.addr.Is4() == a.v4 {
			fmt.Fprintf(&b, " %s=%s", a.key, a.addr)
		}
	}
	if e.Has(AttrSport) {
		fmt.Fprintf(&b, " sport=%d", e.Source.Port())
	}
	if e.Has(AttrDport) {
		fmt.Fprintf(&b, " dport=%d", e.Dest.Port())
	}
	if e.Has(AttrBackup) {
		fmt.Fprintf(&b, " backup=%d", b2i(e.Backup))
	}
	if e.Has(AttrError) {
		fmt.Fprintf(&b, " error=%d", e.Error)
	}
	if e.Has(AttrFlags) {
		fmt.Fprintf(&b, " flags=%x", uint16(e.Flags))
	}
	if e.Has(AttrTimeout) {
		fmt.Fprintf(&b, " timeout=%d", e.Timeout)
	}
	if e.Has(AttrIfIndex) {
		fmt.Fprintf(&b, " ifindex=%d", e.IfIndex)
	}
	if e.Has(AttrResetReason) {
		fmt.Fprintf(&b, " reset_reason=%d", e.ResetReason)
	}
	if e.Has(AttrResetFlags) {
		fmt.Fprintf(&b, " reset_flags=%#x", e.ResetFlags)
	}
	return b.String()
}

func b2i(v bool) int {
	if v {
		return 1
	}
	return 0
}

// eventAttrs maps the names of the "event-attr" set to their bits.
var eventAttrs = map[string]EventAttrs{
	"token": AttrToken, "family": AttrFamily, "loc-id": AttrLocalID, "rem-id": AttrRemoteID,
	"saddr4": AttrSaddr4, "saddr6": AttrSaddr6, "daddr4": AttrDaddr4, "daddr6": AttrDaddr6,
	"sport": AttrSport, "dport": AttrDport, "backup": AttrBackup, "error": AttrError,
	"flags": AttrFlags, "timeout": AttrTimeout, "if-idx": AttrIfIndex,
	"reset-reason": AttrResetReason, "reset-flags": AttrResetFlags, "server-side": AttrServerSide,
}

func eventFrom(t EventType, v genl.Attrs) Event {
	e := Event{Type: t}
	for name := range v {
		e.Present |= eventAttrs[name]
	}
	e.Token, _ = genl.Value[uint32](v, "token")
	e.LocalID, _ = genl.Value[uint8](v, "loc-id")
	e.RemoteID, _ = genl.Value[uint8](v, "rem-id")
	addr := func(v4, v6, port string) netip.AddrPort {
		a, ok := genl.Value[netip.Addr](v, v4)
		if !ok {
			a, _ = genl.Value[netip.Addr](v, v6)
		}
		p, _ := genl.Value[uint16](v, port)
		return netip.AddrPortFrom(a, p)
	}
	e.Source = addr("saddr4", "saddr6", "sport")
	e.Dest = addr("daddr4", "daddr6", "dport")
	backup, _ := genl.Value[uint8](v, "backup")
	e.Backup = backup != 0
	e.Error, _ = genl.Value[uint8](v, "error")
	flags, _ := genl.Value[uint16](v, "flags")
	e.Flags = EventFlags(flags)
	e.Timeout, _ = genl.Value[uint32](v, "timeout")
	e.IfIndex, _ = genl.Value[int32](v, "if-idx")
	e.ResetReason, _ = genl.Value[uint32](v, "reset-reason")
	e.ResetFlags, _ = genl.Value[uint32](v, "reset-flags")
	server, _ := genl.Value[uint8](v, "server-side")
	e.ServerSide = server != 0 || e.Flags&EventFlagServerSide != 0
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
// GroupEvents carries what Events yields. It returns once the socket is in
// the group: every event after that is delivered (or reported lost), so a
// list taken afterwards leaves no gap (see Events). Joins are counted per
// genl.Conn: Conns sharing one (NewConn) each join and leave for
// themselves.
func (c *Conn) JoinGroup(ctx context.Context, group string) error { return c.b.JoinGroup(ctx, group) }

// LeaveGroup undoes one JoinGroup of group made through this Conn (see
// genl.Conn.LeaveGroup).
func (c *Conn) LeaveGroup(ctx context.Context, group string) error { return c.b.LeaveGroup(ctx, group) }

// Events streams MPTCP events of the groups joined. It is a single-use
// iterator, one at a time per Conn (it uses genl.Conn.Receive).
//
// netlink.ErrOverrun is yielded when events were lost, and the stream goes
// on after it. Every event yielded after it was sent after the loss: those
// queued before it are thrown away, none of them follows it. State built
// from events is kept right by joining first, then listing, then applying
// the events, and listing again on ErrOverrun; but this family lists only
// endpoints. The path manager's listeners have such a list: each signal
// endpoint with a port is one (EventListenerCreated and
// EventListenerClosed with its address and port), so they can be followed
// with Endpoints; MPTCP sockets that listen on their own send those events
// too and are not endpoints. Connections and subflows have no list here
// (sock_diag lists MPTCP sockets): after ErrOverrun, what happened to
// them in between is unknown.
//
// A malformed notification is yielded as an error and skipped; other
// errors end the stream. Notifications that are not events are skipped.
// Close ends the stream with netlink.ErrClosed.
func (c *Conn) Events(ctx context.Context) iter.Seq2[Event, error] { return c.b.Events(ctx) }

// event decodes a notification of the family (genl.FamilyInfo.Event):
// the commands marked Notification in the Spec (the events group's).
func event(n genl.Notification) (Event, bool, error) {
	e := Event{Type: EventType(n.Command)}
	if !slices.Contains(eventTypes, e.Type) {
		return Event{}, false, nil
	}
	if err := e.UnmarshalBinary(n.Data); err != nil {
		return Event{}, false, err
	}
	return e, true, nil
}
