package rtnl

import (
	"strconv"

	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

var linkMacvlanSpace = linkAttrSpace{map[uint16]string{
	unix.IFLA_MACVLAN_MODE: "IFLA_MACVLAN_MODE", unix.IFLA_MACVLAN_FLAGS: "IFLA_MACVLAN_FLAGS",
	unix.IFLA_MACVLAN_BC_QUEUE_LEN: "IFLA_MACVLAN_BC_QUEUE_LEN", unix.IFLA_MACVLAN_BC_QUEUE_LEN_USED: "IFLA_MACVLAN_BC_QUEUE_LEN_USED",
}, "IFLA_MACVLAN_"}

// MacvlanMode is how a macvlan or macvtap link talks to its siblings on
// the same lower device (IFLA_MACVLAN_MODE, enum macvlan_mode).
type MacvlanMode uint32

// Macvlan modes (linux/if_link.h).
const (
	MacvlanPrivate  MacvlanMode = 1  // MACVLAN_MODE_PRIVATE: no talk to other macvlans
	MacvlanVEPA     MacvlanMode = 2  // MACVLAN_MODE_VEPA: through an external bridge
	MacvlanBridge   MacvlanMode = 4  // MACVLAN_MODE_BRIDGE: directly
	MacvlanPassthru MacvlanMode = 8  // MACVLAN_MODE_PASSTHRU: take over the lower device
	MacvlanSource   MacvlanMode = 16 // MACVLAN_MODE_SOURCE: by source MAC address list
)

// String gives iproute2's words: private, vepa, bridge, passthru, source;
// other values as numbers.
func (m MacvlanMode) String() string {
	switch m {
	case MacvlanPrivate:
		return "private"
	case MacvlanVEPA:
		return "vepa"
	case MacvlanBridge:
		return "bridge"
	case MacvlanPassthru:
		return "passthru"
	case MacvlanSource:
		return "source"
	}
	return strconv.FormatUint(uint64(m), 10)
}

// MacvlanFlags are IFLA_MACVLAN_FLAGS (MACVLAN_FLAG_*).
type MacvlanFlags uint16

// Macvlan flags (linux/if_link.h).
const (
	MacvlanNoPromisc MacvlanFlags = 1 // MACVLAN_FLAG_NOPROMISC: do not put the lower device in promiscuous mode (passthru)
	MacvlanNoDst     MacvlanFlags = 2 // MACVLAN_FLAG_NODST: skip destination macvlan when the source matches (source mode)
)

// Macvlan is a MAC-address-based virtual link stacked on a lower device,
// Link.Parent, which creation requires (kind "macvlan", or "macvtap" when
// Tap is set: the same with a character device for user space).
type Macvlan struct {
	// Tap makes the kind "macvtap" instead of "macvlan".
	Tap bool
	// Mode (IFLA_MACVLAN_MODE); 0 means unset (the kernel default is
	// vepa).
	Mode MacvlanMode
	// Flags (IFLA_MACVLAN_FLAGS); sent only if not 0.
	Flags MacvlanFlags
	// BcQueueLen is the length asked for the queue of broadcast and
	// multicast frames (IFLA_MACVLAN_BC_QUEUE_LEN, iproute2
	// "bcqueuelen"); nil: unset (the kernel default is 1000).
	BcQueueLen *uint32
	// UsedBcQueueLen is the length in use, the largest any macvlan of
	// the lower device asks for (IFLA_MACVLAN_BC_QUEUE_LEN_USED, iproute2
	// "usedbcqueuelen"); nil when not reported. Read-only: not sent.
	UsedBcQueueLen *uint32
}

// LinkKind returns "macvtap" if m.Tap, else "macvlan".
func (m *Macvlan) LinkKind() string {
	if m.Tap {
		return "macvtap"
	}
	return "macvlan"
}

func (m *Macvlan) appendInfoData(e *nlattr.Encoder, full bool) error {
	e.Nest(unix.IFLA_INFO_DATA)
	if m.Mode != 0 {
		e.Uint32(unix.IFLA_MACVLAN_MODE, uint32(m.Mode))
	}
	if m.Flags != 0 {
		e.Uint16(unix.IFLA_MACVLAN_FLAGS, uint16(m.Flags))
	}
	if m.BcQueueLen != nil {
		e.Uint32(unix.IFLA_MACVLAN_BC_QUEUE_LEN, *m.BcQueueLen)
	}
	if full && m.UsedBcQueueLen != nil {
		e.Uint32(unix.IFLA_MACVLAN_BC_QUEUE_LEN_USED, *m.UsedBcQueueLen)
	}
	e.End()
	return nil
}

// decodeMacvlan decodes macvlan or macvtap IFLA_INFO_DATA.
func decodeMacvlan(d *nlattr.Decoder, tap bool) *Macvlan {
	m := &Macvlan{Tap: tap}
	var v *[2]uint32 // what the pointers point to, in one allocation
	for d.Next() {
		switch d.Type() {
		case unix.IFLA_MACVLAN_MODE:
			m.Mode = MacvlanMode(d.Uint32())
		case unix.IFLA_MACVLAN_FLAGS:
			m.Flags = MacvlanFlags(d.Uint16())
		case unix.IFLA_MACVLAN_BC_QUEUE_LEN, unix.IFLA_MACVLAN_BC_QUEUE_LEN_USED:
			if v == nil {
				v = new([2]uint32)
			}
			if d.Type() == unix.IFLA_MACVLAN_BC_QUEUE_LEN {
				v[0], m.BcQueueLen = d.Uint32(), &v[0]
			} else {
				v[1], m.UsedBcQueueLen = d.Uint32(), &v[1]
			}
		}
	}
	return m
}
