package ethtool

import (
	"context"
	"fmt"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/nlattr"
)

// Channels attributes (ETHTOOL_A_CHANNELS_*).
const (
	channelsRxMax         = 2 // ETHTOOL_A_CHANNELS_RX_MAX: u32
	channelsTxMax         = 3 // ETHTOOL_A_CHANNELS_TX_MAX: u32
	channelsOtherMax      = 4 // ETHTOOL_A_CHANNELS_OTHER_MAX: u32
	channelsCombinedMax   = 5 // ETHTOOL_A_CHANNELS_COMBINED_MAX: u32
	channelsRxCount       = 6 // ETHTOOL_A_CHANNELS_RX_COUNT: u32
	channelsTxCount       = 7 // ETHTOOL_A_CHANNELS_TX_COUNT: u32
	channelsOtherCount    = 8 // ETHTOOL_A_CHANNELS_OTHER_COUNT: u32
	channelsCombinedCount = 9 // ETHTOOL_A_CHANNELS_COMBINED_COUNT: u32
)

// Channels is a device's channel (queue) counts and their maximums
// (ETHTOOL_MSG_CHANNELS_GET, `ethtool -l`). The kernel leaves out what the
// driver does not report; those fields are 0.
type Channels struct {
	Device                                      Device // the device, from the reply header
	RxMax, TxMax, OtherMax, CombinedMax         uint32 // ETHTOOL_A_CHANNELS_*_MAX
	RxCount, TxCount, OtherCount, CombinedCount uint32 // ETHTOOL_A_CHANNELS_*_COUNT
}

// String formats the channels like `ethtool -l` on one line:
// "veth0 max rx 4 tx 4 other 0 combined 0 current rx 1 tx 1 other 0 combined 0".
func (c Channels) String() string {
	return fmt.Sprintf("%s max rx %d tx %d other %d combined %d current rx %d tx %d other %d combined %d",
		c.Device, c.RxMax, c.TxMax, c.OtherMax, c.CombinedMax, c.RxCount, c.TxCount, c.OtherCount, c.CombinedCount)
}

// UnmarshalBinary decodes the attributes of an
// ETHTOOL_MSG_CHANNELS_GET_REPLY (what follows the generic header).
func (c *Channels) UnmarshalBinary(b []byte) error {
	*c = Channels{}
	d := nlattr.NewDecoder(b)
	for d.Next() {
		switch d.Type() {
		case attrHeader:
			c.Device = decodeHeader(d.Nested())
		case channelsRxMax:
			c.RxMax = d.Uint32()
		case channelsTxMax:
			c.TxMax = d.Uint32()
		case channelsOtherMax:
			c.OtherMax = d.Uint32()
		case channelsCombinedMax:
			c.CombinedMax = d.Uint32()
		case channelsRxCount:
			c.RxCount = d.Uint32()
		case channelsTxCount:
			c.TxCount = d.Uint32()
		case channelsOtherCount:
			c.OtherCount = d.Uint32()
		case channelsCombinedCount:
			c.CombinedCount = d.Uint32()
		}
	}
	return decodeErr("channels", d.Err())
}

// Channels returns dev's channel counts (ETHTOOL_MSG_CHANNELS_GET).
func (c *Conn) Channels(ctx context.Context, dev Device) (Channels, error) {
	b, err := c.get(ctx, "channels", msgChannelsGet, msgChannelsReply, dev, 0)
	if err != nil {
		return Channels{}, err
	}
	var ch Channels
	return ch, ch.UnmarshalBinary(b)
}

// ChannelsChange lists the channel counts SetChannels sets: nil fields
// are left as they are (the kernel keeps its value), as `ethtool -L` leaves
// the counts it is not given; a zero ChannelsChange changes nothing.
type ChannelsChange struct {
	Rx       *uint32 // ETHTOOL_A_CHANNELS_RX_COUNT
	Tx       *uint32 // ETHTOOL_A_CHANNELS_TX_COUNT
	Other    *uint32 // ETHTOOL_A_CHANNELS_OTHER_COUNT
	Combined *uint32 // ETHTOOL_A_CHANNELS_COMBINED_COUNT
}

// SetChannels sets dev's channel counts given in ch
// (ETHTOOL_MSG_CHANNELS_SET, `ethtool -L`) and keeps the others. The
// kernel refuses counts above the maximums (Channels) with EINVAL and an
// explanation pointing at the attribute; a driver that cannot change them
// gives EOPNOTSUPP. A change is announced on GroupMonitor
// (ChannelsChanged); setting the counts a device has is no change.
func (c *Conn) SetChannels(ctx context.Context, dev Device, ch ChannelsChange) error {
	if dev.Index == 0 && dev.Name == "" {
		return fmt.Errorf("ethtool: set channels: no device given")
	}
	op := "set channels of " + dev.what()
	e := nlattr.NewEncoder(nil)
	appendHeader(e, dev, 0)
	for _, x := range []struct {
		typ uint16
		v   *uint32
	}{{channelsRxCount, ch.Rx}, {channelsTxCount, ch.Tx}, {channelsOtherCount, ch.Other}, {channelsCombinedCount, ch.Combined}} {
		if x.v != nil {
			e.Uint32(x.typ, *x.v)
		}
	}
	b, err := e.Finish()
	if err != nil {
		return fmt.Errorf("ethtool: %s: %w", op, err)
	}
	_, err = c.b.Execute(ctx, op, genl.Message{Command: msgChannelsSet, Data: b}, 0)
	return err
}
