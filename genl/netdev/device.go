package netdev

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/nlkit/nlkit/genl"
	"github.com/nlkit/nlkit/netlink"
)

// Names from linux/netdev.h.
const (
	FamilyName = "netdev" // NETDEV_FAMILY_NAME
	GroupMgmt  = "mgmt"   // NETDEV_MCGRP_MGMT: device add/del/change notifications
)

// Commands (enum netdev_cmd).
const (
	cmdDevGet       = 1 // NETDEV_CMD_DEV_GET
	cmdDevAddNtf    = 2 // NETDEV_CMD_DEV_ADD_NTF
	cmdDevDelNtf    = 3 // NETDEV_CMD_DEV_DEL_NTF
	cmdDevChangeNtf = 4 // NETDEV_CMD_DEV_CHANGE_NTF
)

// Spec returns a new description of the parts of the netdev family this
// package speaks, for genl.NewClient or for printing notifications
// generically.
func Spec() *genl.Spec {
	// Attribute set "dev" (NETDEV_A_DEV_*).
	dev := &genl.AttrSet{Name: "dev", Attrs: []genl.Attr{
		{Name: "ifindex", Type: 1, Kind: genl.KindU32},                  // NETDEV_A_DEV_IFINDEX
		{Name: "xdp-features", Type: 3, Kind: genl.KindU64},             // NETDEV_A_DEV_XDP_FEATURES (2 is pad)
		{Name: "xdp-zc-max-segs", Type: 4, Kind: genl.KindU32},          // NETDEV_A_DEV_XDP_ZC_MAX_SEGS
		{Name: "xdp-rx-metadata-features", Type: 5, Kind: genl.KindU64}, // NETDEV_A_DEV_XDP_RX_METADATA_FEATURES
		{Name: "xsk-features", Type: 6, Kind: genl.KindU64},             // NETDEV_A_DEV_XSK_FEATURES
	}}
	return &genl.Spec{Name: FamilyName, Commands: []genl.Command{
		{Name: "dev-get", ID: cmdDevGet, Attrs: dev},
		{Name: "dev-add-ntf", ID: cmdDevAddNtf, Attrs: dev, Notification: true},
		{Name: "dev-del-ntf", ID: cmdDevDelNtf, Attrs: dev, Notification: true},
		{Name: "dev-change-ntf", ID: cmdDevChangeNtf, Attrs: dev, Notification: true},
	}}
}

// XDPFeatures are the XDP capabilities of a device (enum netdev_xdp_act).
type XDPFeatures uint64

// XDP features.
const (
	XDPBasic       XDPFeatures = 1 << 0 // NETDEV_XDP_ACT_BASIC: XDP_ABORTED, XDP_DROP, XDP_PASS, XDP_TX
	XDPRedirect    XDPFeatures = 1 << 1 // NETDEV_XDP_ACT_REDIRECT
	XDPNdoXmit     XDPFeatures = 1 << 2 // NETDEV_XDP_ACT_NDO_XMIT: implements ndo_xdp_xmit
	XDPXSKZeroCopy XDPFeatures = 1 << 3 // NETDEV_XDP_ACT_XSK_ZEROCOPY: AF_XDP zero copy
	XDPHWOffload   XDPFeatures = 1 << 4 // NETDEV_XDP_ACT_HW_OFFLOAD
	XDPRxSG        XDPFeatures = 1 << 5 // NETDEV_XDP_ACT_RX_SG: non-linear buffers on receive
	XDPNdoXmitSG   XDPFeatures = 1 << 6 // NETDEV_XDP_ACT_NDO_XMIT_SG: non-linear buffers in ndo_xdp_xmit
)

// String lists the features in the spec's words ("basic|redirect|rx-sg"),
// unknown bits in hex, "0" when none.
func (f XDPFeatures) String() string {
	return flagString(uint64(f), []string{"basic", "redirect", "ndo-xmit", "xsk-zerocopy", "hw-offload", "rx-sg", "ndo-xmit-sg"})
}

// XDPRxMetadata are the receive metadata an XDP program can read on a
// device (enum netdev_xdp_rx_metadata).
type XDPRxMetadata uint64

// XDP receive metadata.
const (
	XDPRxTimestamp XDPRxMetadata = 1 << 0 // NETDEV_XDP_RX_METADATA_TIMESTAMP
	XDPRxHash      XDPRxMetadata = 1 << 1 // NETDEV_XDP_RX_METADATA_HASH
	XDPRxVLANTag   XDPRxMetadata = 1 << 2 // NETDEV_XDP_RX_METADATA_VLAN_TAG
)

// String lists the metadata in the spec's words ("timestamp|hash").
func (f XDPRxMetadata) String() string {
	return flagString(uint64(f), []string{"timestamp", "hash", "vlan-tag"})
}

// XSKFeatures are the AF_XDP features of a device (enum netdev_xsk_flags).
type XSKFeatures uint64

// AF_XDP features.
const (
	XSKTxTimestamp XSKFeatures = 1 << 0 // NETDEV_XSK_FLAGS_TX_TIMESTAMP
	XSKTxChecksum  XSKFeatures = 1 << 1 // NETDEV_XSK_FLAGS_TX_CHECKSUM
)

// String lists the features in the spec's words ("tx-timestamp").
func (f XSKFeatures) String() string {
	return flagString(uint64(f), []string{"tx-timestamp", "tx-checksum"})
}

// flagString lists set bits by name, unknown ones in hex, "0" if none.
func flagString(v uint64, names []string) string {
	if v == 0 {
		return "0"
	}
	var out []string
	for i, n := range names {
		if v&(1<<i) != 0 {
			out = append(out, n)
			v &^= 1 << i
		}
	}
	if v != 0 {
		out = append(out, fmt.Sprintf("%#x", v))
	}
	return strings.Join(out, "|")
}

// Device is what the netdev family reports about a network device.
type Device struct {
	Index         int32         // NETDEV_A_DEV_IFINDEX
	XDPFeatures   XDPFeatures   // NETDEV_A_DEV_XDP_FEATURES
	XDPZCMaxSegs  uint32        // NETDEV_A_DEV_XDP_ZC_MAX_SEGS: fragments an AF_XDP zero-copy driver takes; 0 if not reported
	XDPRxMetadata XDPRxMetadata // NETDEV_A_DEV_XDP_RX_METADATA_FEATURES
	XSKFeatures   XSKFeatures   // NETDEV_A_DEV_XSK_FEATURES
}

// String formats the device like `ynl --family netdev` in one line:
// "ifindex 2 xdp-features basic|redirect xdp-rx-metadata 0 xsk-features 0".
func (d Device) String() string {
	s := fmt.Sprintf("ifindex %d xdp-features %s xdp-rx-metadata %s xsk-features %s",
		d.Index, d.XDPFeatures, d.XDPRxMetadata, d.XSKFeatures)
	if d.XDPZCMaxSegs != 0 {
		s += fmt.Sprintf(" xdp-zc-max-segs %d", d.XDPZCMaxSegs)
	}
	return s
}

// deviceFrom fills a Device from decoded attributes.
func deviceFrom(v genl.Attrs) (Device, error) {
	var d Device
	var ok bool
	index, ok := genl.Value[uint32](v, "ifindex")
	if !ok {
		return Device{}, fmt.Errorf("netdev: device without ifindex: %w", netlink.ErrMalformed)
	}
	d.Index = int32(index)
	f, _ := genl.Value[uint64](v, "xdp-features")
	d.XDPFeatures = XDPFeatures(f)
	d.XDPZCMaxSegs, _ = genl.Value[uint32](v, "xdp-zc-max-segs")
	m, _ := genl.Value[uint64](v, "xdp-rx-metadata-features")
	d.XDPRxMetadata = XDPRxMetadata(m)
	x, _ := genl.Value[uint64](v, "xsk-features")
	d.XSKFeatures = XSKFeatures(x)
	return d, nil
}

// UnmarshalBinary decodes the attributes of a dev-get reply or device
// notification (what follows the generic header) into d.
func (d *Device) UnmarshalBinary(b []byte) error {
	v, err := devSet.Decode(b)
	if err != nil {
		return err
	}
	*d, err = deviceFrom(v)
	return err
}

// devSet is a read-only copy of the "dev" attribute set, for decoding.
var devSet = Spec().Commands[0].Attrs

// family describes the netdev client to genl.FamilyConn.
var family = &genl.FamilyInfo[Event]{Name: FamilyName, Package: "netdev", Spec: Spec(), Event: event}

// Conn speaks the netdev family. It is safe for concurrent use by many
// goroutines (see genl.Conn).
type Conn struct {
	b *genl.FamilyConn[Event]
}

// Dial opens a generic netlink socket for the netdev family; cfg is passed
// to netlink.Dial (set cfg.NetNS to work in another namespace). The Conn
// owns the socket: Close closes it.
func Dial(cfg *netlink.Config) (*Conn, error) {
	b, err := genl.DialFamily(cfg, family)
	if err != nil {
		return nil, err
	}
	return &Conn{b: b}, nil
}

// NewConn speaks netdev over g, which it shares with the caller and with
// the clients of other families: Close leaves the groups this Conn joined
// and leaves g open (see genl.FamilyConn).
func NewConn(g *genl.Conn) *Conn { return &Conn{b: genl.NewFamilyConn(g, family)} }

// Close closes the socket of a Conn made by Dial; for one made by NewConn
// it leaves the groups it joined and ends its Events, and the genl.Conn
// stays open. Closing twice is harmless.
func (c *Conn) Close() error { return c.b.Close() }

// Genl returns the underlying genl.Conn.
func (c *Conn) Genl() *genl.Conn { return c.b.Genl() }

// Device returns the device with the given interface index
// (NETDEV_CMD_DEV_GET). An unknown index gives a *netlink.Error with
// ENODEV.
func (c *Conn) Device(ctx context.Context, index int32) (Device, error) {
	op := fmt.Sprintf("get device ifindex %d", index)
	rs, err := c.b.ExecuteAttrs(ctx, op, "dev-get", genl.Attrs{"ifindex": index}, 0)
	if err != nil {
		return Device{}, err
	}
	if len(rs) != 1 {
		return Device{}, fmt.Errorf("netdev: %s: %d replies, want 1: %w", op, len(rs), netlink.ErrMalformed)
	}
	return deviceFrom(rs[0])
}

// Devices lists the devices of the Conn's namespace (NETDEV_CMD_DEV_GET
// dump). It is a single-use iterator; it stops at the first error.
func (c *Conn) Devices(ctx context.Context) iter.Seq2[Device, error] {
	return func(yield func(Device, error) bool) {
		for v, err := range c.b.DumpAttrs(ctx, "list devices", "dev-get", nil) {
			if err != nil {
				yield(Device{}, err)
				return
			}
			d, err := deviceFrom(v)
			if !yield(d, err) || err != nil {
				return
			}
		}
	}
}
