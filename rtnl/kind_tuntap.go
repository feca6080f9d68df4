package rtnl

import (
	"strconv"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

var linkTunSpace = linkAttrSpace{map[uint16]string{
	unix.IFLA_TUN_OWNER: "IFLA_TUN_OWNER", unix.IFLA_TUN_GROUP: "IFLA_TUN_GROUP", unix.IFLA_TUN_TYPE: "IFLA_TUN_TYPE",
	unix.IFLA_TUN_PI: "IFLA_TUN_PI", unix.IFLA_TUN_VNET_HDR: "IFLA_TUN_VNET_HDR", unix.IFLA_TUN_PERSIST: "IFLA_TUN_PERSIST",
	unix.IFLA_TUN_MULTI_QUEUE: "IFLA_TUN_MULTI_QUEUE", unix.IFLA_TUN_NUM_QUEUES: "IFLA_TUN_NUM_QUEUES",
	unix.IFLA_TUN_NUM_DISABLED_QUEUES: "IFLA_TUN_NUM_DISABLED_QUEUES",
}, "IFLA_TUN_"}

// TunMode says whether a tun/tap device carries IP packets or Ethernet
// frames (IFLA_TUN_TYPE: IFF_TUN or IFF_TAP from linux/if_tun.h).
type TunMode uint8

// Tun/tap modes (linux/if_tun.h).
const (
	TunModeTun TunMode = unix.IFF_TUN // IFF_TUN: IP packets
	TunModeTap TunMode = unix.IFF_TAP // IFF_TAP: Ethernet frames
)

// String gives iproute2's words, tun and tap, or the number.
func (m TunMode) String() string {
	switch m {
	case TunModeTun:
		return "tun"
	case TunModeTap:
		return "tap"
	}
	return strconv.Itoa(int(m))
}

// TunTap is what the kernel reports about a tun or tap device (kind
// "tun", IFLA_TUN_*). Such devices are created through /dev/net/tun
// (ioctl TUNSETIFF, TUNSETPERSIST), not through route netlink: AddLink
// with a TunTap fails with EOPNOTSUPP. This package does not create them;
// `ip tuntap add` does.
type TunTap struct {
	// Mode is tun or tap (IFLA_TUN_TYPE).
	Mode TunMode
	// Owner is the uid allowed to attach (IFLA_TUN_OWNER); nil for any.
	Owner *uint32
	// Group is the gid allowed to attach (IFLA_TUN_GROUP); nil for any.
	Group *uint32
	// PI: packets carry the struct tun_pi header (IFLA_TUN_PI).
	PI bool
	// VnetHdr: packets carry a struct virtio_net_hdr (IFLA_TUN_VNET_HDR).
	VnetHdr bool
	// Persist: the device outlives its file descriptors (IFLA_TUN_PERSIST).
	Persist bool
	// MultiQueue: the device has several queues (IFLA_TUN_MULTI_QUEUE).
	MultiQueue bool
	// NumQueues is the number of attached queues (IFLA_TUN_NUM_QUEUES).
	NumQueues uint32
	// NumDisabledQueues is the number of detached queues
	// (IFLA_TUN_NUM_DISABLED_QUEUES).
	NumDisabledQueues uint32
}

// LinkKind returns "tun" (for tap devices too).
func (*TunTap) LinkKind() string { return "tun" }

func (t *TunTap) appendInfoData(e *nlattr.Encoder, full bool) error {
	e.Nest(unix.IFLA_INFO_DATA)
	if t.Owner != nil {
		e.Uint32(unix.IFLA_TUN_OWNER, *t.Owner)
	}
	if t.Group != nil {
		e.Uint32(unix.IFLA_TUN_GROUP, *t.Group)
	}
	e.Uint8(unix.IFLA_TUN_TYPE, uint8(t.Mode))
	e.Uint8(unix.IFLA_TUN_PI, linkBool(t.PI))
	e.Uint8(unix.IFLA_TUN_VNET_HDR, linkBool(t.VnetHdr))
	e.Uint8(unix.IFLA_TUN_PERSIST, linkBool(t.Persist))
	e.Uint8(unix.IFLA_TUN_MULTI_QUEUE, linkBool(t.MultiQueue))
	if t.MultiQueue || t.NumQueues != 0 || t.NumDisabledQueues != 0 {
		e.Uint32(unix.IFLA_TUN_NUM_QUEUES, t.NumQueues)
		e.Uint32(unix.IFLA_TUN_NUM_DISABLED_QUEUES, t.NumDisabledQueues)
	}
	e.End()
	return nil
}

// decodeTunTap decodes tun IFLA_INFO_DATA.
func decodeTunTap(d *nlattr.Decoder) *TunTap {
	t := new(TunTap)
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_TUN_OWNER:
			v := d.Uint32()
			t.Owner = &v
		case unix.IFLA_TUN_GROUP:
			v := d.Uint32()
			t.Group = &v
		case unix.IFLA_TUN_TYPE:
			t.Mode = TunMode(d.Uint8())
		case unix.IFLA_TUN_PI:
			t.PI = d.Uint8() != 0
		case unix.IFLA_TUN_VNET_HDR:
			t.VnetHdr = d.Uint8() != 0
		case unix.IFLA_TUN_PERSIST:
			t.Persist = d.Uint8() != 0
		case unix.IFLA_TUN_MULTI_QUEUE:
			t.MultiQueue = d.Uint8() != 0
		case unix.IFLA_TUN_NUM_QUEUES:
			t.NumQueues = d.Uint32()
		case unix.IFLA_TUN_NUM_DISABLED_QUEUES:
			t.NumDisabledQueues = d.Uint32()
		}
	}
	return t
}
