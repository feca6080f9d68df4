package sockdiag

import (
	"context"
	"encoding/binary"
	"iter"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/nlattr"
)

// NetlinkAttr is a NETLINK_DIAG_* attribute type.
type NetlinkAttr uint16

// Netlink socket attributes (linux/netlink_diag.h).
const (
	NetlinkAttrMemInfo NetlinkAttr = 0 // NETLINK_DIAG_MEMINFO
	NetlinkAttrGroups  NetlinkAttr = 1 // NETLINK_DIAG_GROUPS
	NetlinkAttrRXRing  NetlinkAttr = 2 // NETLINK_DIAG_RX_RING (gone)
	NetlinkAttrTXRing  NetlinkAttr = 3 // NETLINK_DIAG_TX_RING (gone)
	NetlinkAttrFlags   NetlinkAttr = 4 // NETLINK_DIAG_FLAGS
)

var netlinkAttrNames = []string{"meminfo", "groups", "rx_ring", "tx_ring", "flags"}

// String gives the kernel's name without NETLINK_DIAG_, lower case.
func (a NetlinkAttr) String() string { return enumText(netlinkAttrNames, int(a)) }

// AppendText appends String's word.
func (a NetlinkAttr) AppendText(b []byte) ([]byte, error) { return append(b, a.String()...), nil }

// MarshalText gives String's word.
func (a NetlinkAttr) MarshalText() ([]byte, error) { return a.AppendText(nil) }

// UnmarshalText reads String's word or a number.
func (a *NetlinkAttr) UnmarshalText(b []byte) error {
	n, err := enumParse(netlinkAttrNames, "netlink attribute", string(b), 16)
	*a = NetlinkAttr(n)
	return err
}

// NetlinkFlags are a netlink socket's flags (NETLINK_DIAG_FLAGS, NDIAG_FLAG_*).
type NetlinkFlags uint32

// Netlink socket flags.
const (
	NetlinkCBRunning      NetlinkFlags = 0x1  // NDIAG_FLAG_CB_RUNNING: a dump is running
	NetlinkPktInfo        NetlinkFlags = 0x2  // NDIAG_FLAG_PKTINFO
	NetlinkBroadcastError NetlinkFlags = 0x4  // NDIAG_FLAG_BROADCAST_ERROR
	NetlinkNoENOBUFS      NetlinkFlags = 0x8  // NDIAG_FLAG_NO_ENOBUFS
	NetlinkListenAllNSID  NetlinkFlags = 0x10 // NDIAG_FLAG_LISTEN_ALL_NSID
	NetlinkCapAck         NetlinkFlags = 0x20 // NDIAG_FLAG_CAP_ACK
)

// NetlinkSocket is a netlink socket as netlink_diag reports it; Has tells
// which attributes came.
type NetlinkSocket struct {
	Type      SockType // ndiag_type
	Protocol  uint8    // ndiag_protocol: NETLINK_ROUTE ...
	State     State    // ndiag_state: StateClose, or StateEstablished when connected
	PortID    uint32   // ndiag_portid
	DstPortID uint32   // ndiag_dst_portid
	DstGroup  uint32   // ndiag_dst_group
	Inode     uint32   // ndiag_ino
	Cookie    uint64   // ndiag_cookie
	MemInfo   SKMemInfo
	// Groups are the multicast groups joined (NETLINK_DIAG_GROUPS).
	Groups []uint32
	Flags  NetlinkFlags

	present uint32
}

// Has reports whether the kernel sent attribute a.
func (s *NetlinkSocket) Has(a NetlinkAttr) bool { return a < 32 && s.present&(1<<a) != 0 }

// Clone returns a copy sharing nothing with s.
func (s *NetlinkSocket) Clone() *NetlinkSocket {
	c := *s
	c.Groups = append([]uint32(nil), s.Groups...)
	return &c
}

const netlinkMsgLen = 28

// UnmarshalBinary decodes a netlink_diag reply's payload into s.
func (s *NetlinkSocket) UnmarshalBinary(b []byte) error {
	if len(b) < netlinkMsgLen {
		return errShort("netlink socket", len(b), netlinkMsgLen)
	}
	ne := binary.NativeEndian
	groups := s.Groups[:0]
	*s = NetlinkSocket{Type: SockType(b[1]), Protocol: b[2], State: State(b[3])}
	s.PortID = ne.Uint32(b[4:])
	s.DstPortID = ne.Uint32(b[8:])
	s.DstGroup = ne.Uint32(b[12:])
	s.Inode = ne.Uint32(b[16:])
	s.Cookie = uint64(ne.Uint32(b[20:])) | uint64(ne.Uint32(b[24:]))<<32
	d := nlattr.NewDecoder(b[netlinkMsgLen:])
	for d.Next() {
		t := NetlinkAttr(d.Type())
		switch t {
		case NetlinkAttrMemInfo:
			s.MemInfo.decode(&d)
		case NetlinkAttrGroups:
			v := d.Bytes()
			if len(v)%8 != 0 {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			for w := 0; w < len(v)/8; w++ {
				x := ne.Uint64(v[w*8:])
				for bit := range 64 {
					if x&(1<<bit) != 0 {
						groups = append(groups, uint32(w*64+bit+1))
					}
				}
			}
			s.Groups = groups
		case NetlinkAttrFlags:
			s.Flags = NetlinkFlags(d.Uint32())
		default:
			continue
		}
		if t < 32 {
			s.present |= 1 << t
		}
	}
	return decodeError("netlink socket", d.Err(), func(t uint16) string { return NetlinkAttr(t).String() })
}

// AppendBinary appends s as the kernel sends it.
func (s *NetlinkSocket) AppendBinary(b []byte) ([]byte, error) {
	ne := binary.NativeEndian
	b = append(b, unix.AF_NETLINK, byte(s.Type), s.Protocol, byte(s.State))
	for _, x := range []uint32{s.PortID, s.DstPortID, s.DstGroup, s.Inode, uint32(s.Cookie), uint32(s.Cookie >> 32)} {
		b = ne.AppendUint32(b, x)
	}
	e := nlattr.NewEncoder(b)
	if s.Has(NetlinkAttrMemInfo) {
		e.Bytes(uint16(NetlinkAttrMemInfo), s.MemInfo.append(nil))
	}
	if s.Has(NetlinkAttrGroups) {
		var words []uint64
		for _, g := range s.Groups {
			if g == 0 || g > 1<<16 {
				continue
			}
			w := int(g-1) / 64
			for len(words) <= w {
				words = append(words, 0)
			}
			words[w] |= 1 << ((g - 1) % 64)
		}
		var v []byte
		for _, w := range words {
			v = ne.AppendUint64(v, w)
		}
		e.Bytes(uint16(NetlinkAttrGroups), v)
	}
	if s.Has(NetlinkAttrFlags) {
		e.Uint32(uint16(NetlinkAttrFlags), uint32(s.Flags))
	}
	return e.Finish()
}

// MarshalBinary encodes s as AppendBinary does.
func (s *NetlinkSocket) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

const ndiagShowAll = 0x1 | 0x2 | 0x8 // NDIAG_SHOW_MEMINFO | GROUPS | FLAGS

// NetlinkSockets dumps the netlink sockets of the Conn's namespace, of
// every protocol. It is a single-use iterator yielding one reused
// *NetlinkSocket, valid until the loop body returns; it stops at the first
// error.
func (c *Conn) NetlinkSockets(ctx context.Context) iter.Seq2[*NetlinkSocket, error] {
	return func(yield func(*NetlinkSocket, error) bool) {
		ne := binary.NativeEndian
		req := []byte{unix.AF_NETLINK, 255, 0, 0} // NDIAG_PROTO_ALL
		req = ne.AppendUint32(req, 0)
		req = ne.AppendUint32(req, ndiagShowAll)
		req = ne.AppendUint32(ne.AppendUint32(req, 0xffffffff), 0xffffffff)
		s := &NetlinkSocket{}
		for b, err := range c.dump(ctx, "list netlink sockets", req) {
			if err != nil {
				yield(nil, err)
				return
			}
			if err := s.UnmarshalBinary(b); err != nil {
				yield(nil, err)
				return
			}
			if !yield(s, nil) {
				return
			}
		}
	}
}

// NetlinkSocketList returns the sockets NetlinkSockets yields, as owned
// copies.
func (c *Conn) NetlinkSocketList(ctx context.Context) ([]*NetlinkSocket, error) {
	var out []*NetlinkSocket
	for s, err := range c.NetlinkSockets(ctx) {
		if err != nil {
			return out, err
		}
		out = append(out, s.Clone())
	}
	return out, nil
}
