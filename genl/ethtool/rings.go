package ethtool

import (
	"context"
	"fmt"

	"github.com/nlkit/nlkit/nlattr"
)

// Rings attributes (ETHTOOL_A_RINGS_*).
const (
	ringsRxMax           = 2  // ETHTOOL_A_RINGS_RX_MAX: u32
	ringsRxMiniMax       = 3  // ETHTOOL_A_RINGS_RX_MINI_MAX: u32
	ringsRxJumboMax      = 4  // ETHTOOL_A_RINGS_RX_JUMBO_MAX: u32
	ringsTxMax           = 5  // ETHTOOL_A_RINGS_TX_MAX: u32
	ringsRx              = 6  // ETHTOOL_A_RINGS_RX: u32
	ringsRxMini          = 7  // ETHTOOL_A_RINGS_RX_MINI: u32
	ringsRxJumbo         = 8  // ETHTOOL_A_RINGS_RX_JUMBO: u32
	ringsTx              = 9  // ETHTOOL_A_RINGS_TX: u32
	ringsRxBufLen        = 10 // ETHTOOL_A_RINGS_RX_BUF_LEN: u32
	ringsTCPDataSplit    = 11 // ETHTOOL_A_RINGS_TCP_DATA_SPLIT: u8
	ringsCQESize         = 12 // ETHTOOL_A_RINGS_CQE_SIZE: u32
	ringsTxPush          = 13 // ETHTOOL_A_RINGS_TX_PUSH: u8
	ringsRxPush          = 14 // ETHTOOL_A_RINGS_RX_PUSH: u8
	ringsTxPushBufLen    = 15 // ETHTOOL_A_RINGS_TX_PUSH_BUF_LEN: u32
	ringsTxPushBufLenMax = 16 // ETHTOOL_A_RINGS_TX_PUSH_BUF_LEN_MAX: u32
	ringsHDSThresh       = 17 // ETHTOOL_A_RINGS_HDS_THRESH: u32
	ringsHDSThreshMax    = 18 // ETHTOOL_A_RINGS_HDS_THRESH_MAX: u32
)

// TCPDataSplit is the TCP header/data split state of a device's rings
// (ETHTOOL_TCP_DATA_SPLIT_*).
type TCPDataSplit uint8

// TCP data split states.
const (
	TCPDataSplitUnknown  TCPDataSplit = 0 // ETHTOOL_TCP_DATA_SPLIT_UNKNOWN
	TCPDataSplitDisabled TCPDataSplit = 1 // ETHTOOL_TCP_DATA_SPLIT_DISABLED
	TCPDataSplitEnabled  TCPDataSplit = 2 // ETHTOOL_TCP_DATA_SPLIT_ENABLED
)

// String gives ethtool's words: "n/a", "off", "on".
func (t TCPDataSplit) String() string {
	switch t {
	case TCPDataSplitUnknown:
		return "n/a"
	case TCPDataSplitDisabled:
		return "off"
	case TCPDataSplitEnabled:
		return "on"
	}
	return fmt.Sprintf("tcp-data-split(%d)", uint8(t))
}

// Rings is a device's ring sizes and their maximums
// (ETHTOOL_MSG_RINGS_GET, `ethtool -g`). Fields the driver does not report
// are 0.
type Rings struct {
	Device                              Device       // the device, from the reply header
	RxMax, RxMiniMax, RxJumboMax, TxMax uint32       // ETHTOOL_A_RINGS_*_MAX
	Rx, RxMini, RxJumbo, Tx             uint32       // ETHTOOL_A_RINGS_RX ... _TX
	RxBufLen                            uint32       // ETHTOOL_A_RINGS_RX_BUF_LEN
	TCPDataSplit                        TCPDataSplit // ETHTOOL_A_RINGS_TCP_DATA_SPLIT
	CQESize                             uint32       // ETHTOOL_A_RINGS_CQE_SIZE
	TxPush, RxPush                      bool         // ETHTOOL_A_RINGS_TX_PUSH, _RX_PUSH
	TxPushBufLen, TxPushBufLenMax       uint32       // ETHTOOL_A_RINGS_TX_PUSH_BUF_LEN(_MAX)
	HDSThresh, HDSThreshMax             uint32       // ETHTOOL_A_RINGS_HDS_THRESH(_MAX)
}

// String formats the ring sizes like `ethtool -g` on one line:
// "eth0 max rx 4096 rx-mini 0 rx-jumbo 0 tx 4096 current rx 256 rx-mini 0 rx-jumbo 0 tx 256".
func (r Rings) String() string {
	return fmt.Sprintf("%s max rx %d rx-mini %d rx-jumbo %d tx %d current rx %d rx-mini %d rx-jumbo %d tx %d",
		r.Device, r.RxMax, r.RxMiniMax, r.RxJumboMax, r.TxMax, r.Rx, r.RxMini, r.RxJumbo, r.Tx)
}

// UnmarshalBinary decodes the attributes of an ETHTOOL_MSG_RINGS_GET_REPLY
// (what follows the generic header).
func (r *Rings) UnmarshalBinary(b []byte) error {
	*r = Rings{}
	d := nlattr.NewDecoder(b)
	for d.Next() {
		switch d.Type() {
		case attrHeader:
			r.Device = decodeHeader(d.Nested())
		case ringsRxMax:
			r.RxMax = d.Uint32()
		case ringsRxMiniMax:
			r.RxMiniMax = d.Uint32()
		case ringsRxJumboMax:
			r.RxJumboMax = d.Uint32()
		case ringsTxMax:
			r.TxMax = d.Uint32()
		case ringsRx:
			r.Rx = d.Uint32()
		case ringsRxMini:
			r.RxMini = d.Uint32()
		case ringsRxJumbo:
			r.RxJumbo = d.Uint32()
		case ringsTx:
			r.Tx = d.Uint32()
		case ringsRxBufLen:
			r.RxBufLen = d.Uint32()
		case ringsTCPDataSplit:
			r.TCPDataSplit = TCPDataSplit(d.Uint8())
		case ringsCQESize:
			r.CQESize = d.Uint32()
		case ringsTxPush:
			r.TxPush = d.Uint8() != 0
		case ringsRxPush:
			r.RxPush = d.Uint8() != 0
		case ringsTxPushBufLen:
			r.TxPushBufLen = d.Uint32()
		case ringsTxPushBufLenMax:
			r.TxPushBufLenMax = d.Uint32()
		case ringsHDSThresh:
			r.HDSThresh = d.Uint32()
		case ringsHDSThreshMax:
			r.HDSThreshMax = d.Uint32()
		}
	}
	return decodeErr("rings", d.Err())
}

// Rings returns dev's ring sizes (ETHTOOL_MSG_RINGS_GET). Drivers without
// rings (veth, for one) give EOPNOTSUPP.
func (c *Conn) Rings(ctx context.Context, dev Device) (Rings, error) {
	b, err := c.get(ctx, "rings", msgRingsGet, msgRingsReply, dev, 0)
	if err != nil {
		return Rings{}, err
	}
	var r Rings
	return r, r.UnmarshalBinary(b)
}
