package netdev

import (
	"context"
	"fmt"
	"iter"

	"github.com/nlkit/nlkit/genl"
)

// EventType says what happened to a device.
type EventType uint8

// Event types: the notification commands of the "mgmt" group.
const (
	DeviceAdded   EventType = cmdDevAddNtf    // NETDEV_CMD_DEV_ADD_NTF
	DeviceDeleted EventType = cmdDevDelNtf    // NETDEV_CMD_DEV_DEL_NTF
	DeviceChanged EventType = cmdDevChangeNtf // NETDEV_CMD_DEV_CHANGE_NTF
)

// String names the event by its notification ("dev-add-ntf").
func (t EventType) String() string {
	switch t {
	case DeviceAdded:
		return "dev-add-ntf"
	case DeviceDeleted:
		return "dev-del-ntf"
	case DeviceChanged:
		return "dev-change-ntf"
	}
	return fmt.Sprintf("cmd-%d", uint8(t))
}

// Event is a device notification.
type Event struct {
	Type   EventType // what happened
	Device Device    // the device, as it is (or was, when deleted)
}

// JoinGroup subscribes the Conn to a multicast group of the family;
// GroupMgmt carries the device notifications Events yields. It returns
// once the socket is in the group: a device registered, changed or
// unregistered afterwards is announced. So join first, then list Devices,
// then apply Events, and no change falls in between (see Events).
func (c *Conn) JoinGroup(ctx context.Context, group string) error { return c.b.JoinGroup(ctx, group) }

// LeaveGroup undoes one JoinGroup of group made through this Conn. Joins
// are counted per genl.Conn (see genl.Conn.LeaveGroup): Conns of other
// families sharing it keep their own subscriptions.
func (c *Conn) LeaveGroup(ctx context.Context, group string) error { return c.b.LeaveGroup(ctx, group) }

// Events streams device notifications of the groups joined. It is a
// single-use iterator, one at a time per Conn (it uses genl.Conn.Receive).
//
// netlink.ErrOverrun is yielded when notifications were lost, and the
// stream goes on after it. Every event yielded after it was sent after the
// loss: those queued before it are thrown away, none of them follows it.
// So a set of devices is kept right by this pattern: JoinGroup(GroupMgmt),
// then list Devices, then apply Events (added and changed: store the
// device; deleted: remove it); on ErrOverrun, list Devices again in place
// of the set and go on. The lists may go through this Conn or another
// Conn of the namespace. ExampleConn_Events is the pattern in code.
//
// A malformed event is yielded as an error and skipped (list again, as
// after ErrOverrun); other errors end the stream; notifications other than
// device ones are skipped. Close ends the stream with netlink.ErrClosed.
func (c *Conn) Events(ctx context.Context) iter.Seq2[Event, error] { return c.b.Events(ctx) }

// event decodes a notification of the family (genl.FamilyInfo.Event).
func event(n genl.Notification) (Event, bool, error) {
	switch n.Command {
	case cmdDevAddNtf, cmdDevDelNtf, cmdDevChangeNtf:
	default:
		return Event{}, false, nil
	}
	var d Device
	if err := d.UnmarshalBinary(n.Data); err != nil {
		return Event{}, false, err
	}
	return Event{Type: EventType(n.Command), Device: d}, true, nil
}
