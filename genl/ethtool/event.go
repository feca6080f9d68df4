package ethtool

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/nlattr"
)

// EventType is the notification an Event came from
// (ETHTOOL_MSG_*_NTF, the kernel-to-user message types): what changed.
type EventType uint8

// Event types: the notifications of the "monitor" group, up to Linux 6.18
// (newer kernels send more; they come as EventType values without a name).
const (
	LinkInfoChanged  EventType = 3  // ETHTOOL_MSG_LINKINFO_NTF
	LinkModesChanged EventType = 5  // ETHTOOL_MSG_LINKMODES_NTF
	DebugChanged     EventType = 8  // ETHTOOL_MSG_DEBUG_NTF
	WoLChanged       EventType = 10 // ETHTOOL_MSG_WOL_NTF
	FeaturesChanged  EventType = 13 // ETHTOOL_MSG_FEATURES_NTF
	PrivFlagsChanged EventType = 15 // ETHTOOL_MSG_PRIVFLAGS_NTF
	RingsChanged     EventType = 17 // ETHTOOL_MSG_RINGS_NTF
	ChannelsChanged  EventType = 19 // ETHTOOL_MSG_CHANNELS_NTF
	CoalesceChanged  EventType = 21 // ETHTOOL_MSG_COALESCE_NTF
	PauseChanged     EventType = 23 // ETHTOOL_MSG_PAUSE_NTF
	EEEChanged       EventType = 25 // ETHTOOL_MSG_EEE_NTF
	CableTest        EventType = 27 // ETHTOOL_MSG_CABLE_TEST_NTF: a cable test started or finished
	CableTestTDR     EventType = 28 // ETHTOOL_MSG_CABLE_TEST_TDR_NTF
	FECChanged       EventType = 31 // ETHTOOL_MSG_FEC_NTF
	ModuleChanged    EventType = 36 // ETHTOOL_MSG_MODULE_NTF
)

var eventNames = map[EventType]string{
	LinkInfoChanged: "linkinfo-ntf", LinkModesChanged: "linkmodes-ntf", DebugChanged: "debug-ntf",
	WoLChanged: "wol-ntf", FeaturesChanged: "features-ntf", PrivFlagsChanged: "privflags-ntf",
	RingsChanged: "rings-ntf", ChannelsChanged: "channels-ntf", CoalesceChanged: "coalesce-ntf",
	PauseChanged: "pause-ntf", EEEChanged: "eee-ntf", CableTest: "cable-test-ntf",
	CableTestTDR: "cable-test-tdr-ntf", FECChanged: "fec-ntf", ModuleChanged: "module-ntf",
}

// String names the notification as Documentation/netlink/specs/ethtool.yaml
// does ("channels-ntf"); "cmd-N" for one it does not know.
func (t EventType) String() string {
	if s, ok := eventNames[t]; ok {
		return s
	}
	return fmt.Sprintf("cmd-%d", uint8(t))
}

// Event is a notification of the "monitor" group: a device's settings
// changed. The kernel sends the new settings, as the GET request of the
// same kind answers them; for the kinds this package reads, the matching
// field holds them, and the others are nil.
type Event struct {
	Type   EventType // what changed
	Device Device    // the device, from the notification's header

	LinkInfo  *LinkInfo  // LinkInfoChanged
	LinkModes *LinkModes // LinkModesChanged
	Features  *Features  // FeaturesChanged
	Rings     *Rings     // RingsChanged
	Channels  *Channels  // ChannelsChanged
}

// String gives the type and the device: "channels-ntf et0".
func (e Event) String() string { return e.Type.String() + " " + e.Device.String() }

// JoinGroup subscribes the Conn to a multicast group of the family;
// GroupMonitor carries the notifications Events yields. It returns once
// the socket is in the group: a setting changed afterwards is announced.
// So join first, then read the settings, then apply Events, and no change
// falls in between.
func (c *Conn) JoinGroup(ctx context.Context, group string) error { return c.b.JoinGroup(ctx, group) }

// LeaveGroup undoes one JoinGroup of group made through this Conn. Joins
// are counted per genl.Conn (see genl.Conn.LeaveGroup): Conns of other
// families sharing it keep their own subscriptions.
func (c *Conn) LeaveGroup(ctx context.Context, group string) error { return c.b.LeaveGroup(ctx, group) }

// Events streams the notifications of the groups joined: every change of
// a device's ethtool settings, by whatever program (`ethtool -L`,
// SetChannels ...). It is a single-use iterator, one at a time per Conn
// (it uses genl.Conn.Receive).
//
// netlink.ErrOverrun is yielded when notifications were lost, and the
// stream goes on after it; nothing sent before the loss follows it. State
// built from events (a device's channels, say) is kept right by joining
// first, then reading it, then applying the events, and reading again on
// ErrOverrun. A malformed notification is yielded as an error and
// skipped; other errors end the stream. Close ends it with
// netlink.ErrClosed.
func (c *Conn) Events(ctx context.Context) iter.Seq2[Event, error] { return c.b.Events(ctx) }

// event decodes a notification of the family (genl.FamilyInfo.Event).
// Everything the monitor group carries is a notification, and every one
// starts with the header naming the device.
func event(n genl.Notification) (Event, bool, error) {
	ev := Event{Type: EventType(n.Command)}
	d := nlattr.NewDecoder(n.Data)
	for d.Next() {
		if d.Type() == attrHeader {
			ev.Device = decodeHeader(d.Nested())
		}
	}
	if err := d.Err(); err != nil {
		return Event{}, false, decodeErr(ev.Type.String(), err)
	}
	var err error
	switch ev.Type {
	case LinkInfoChanged:
		ev.LinkInfo = new(LinkInfo)
		err = ev.LinkInfo.UnmarshalBinary(n.Data)
	case LinkModesChanged:
		ev.LinkModes = new(LinkModes)
		err = ev.LinkModes.UnmarshalBinary(n.Data)
	case FeaturesChanged:
		ev.Features = new(Features)
		err = ev.Features.UnmarshalBinary(n.Data)
	case RingsChanged:
		ev.Rings = new(Rings)
		err = ev.Rings.UnmarshalBinary(n.Data)
	case ChannelsChanged:
		ev.Channels = new(Channels)
		err = ev.Channels.UnmarshalBinary(n.Data)
	}
	if err != nil {
		return Event{}, false, err
	}
	return ev, true, nil
}
