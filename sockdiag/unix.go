package sockdiag

import (
	"context"
	"encoding/binary"
	"fmt"
	"iter"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// SockType is a socket's type (SOCK_STREAM, SOCK_DGRAM ...).
type SockType uint8

// Socket types.
const (
	SockStream    SockType = unix.SOCK_STREAM
	SockDgram     SockType = unix.SOCK_DGRAM
	SockRaw       SockType = unix.SOCK_RAW
	SockSeqPacket SockType = unix.SOCK_SEQPACKET
)

var sockTypeNames = []string{"", "stream", "dgram", "raw", "rdm", "seqpacket", "dccp", "", "", "", "packet"}

// String gives the type's word: "stream", "dgram", "raw", "seqpacket" ...
func (t SockType) String() string { return enumText(sockTypeNames, int(t)) }

// AppendText appends String's word.
func (t SockType) AppendText(b []byte) ([]byte, error) { return append(b, t.String()...), nil }

// MarshalText gives String's word.
func (t SockType) MarshalText() ([]byte, error) { return t.AppendText(nil) }

// UnmarshalText reads String's word or a number.
func (t *SockType) UnmarshalText(b []byte) error {
	n, err := enumParse(sockTypeNames, "socket type", string(b), 8)
	*t = SockType(n)
	return err
}

// UnixAttr is a UNIX_DIAG_* attribute type.
type UnixAttr uint16

// Unix socket attributes (linux/unix_diag.h).
const (
	UnixAttrName     UnixAttr = 0 // UNIX_DIAG_NAME
	UnixAttrVFS      UnixAttr = 1 // UNIX_DIAG_VFS
	UnixAttrPeer     UnixAttr = 2 // UNIX_DIAG_PEER
	UnixAttrIcons    UnixAttr = 3 // UNIX_DIAG_ICONS
	UnixAttrRQLen    UnixAttr = 4 // UNIX_DIAG_RQLEN
	UnixAttrMemInfo  UnixAttr = 5 // UNIX_DIAG_MEMINFO
	UnixAttrShutdown UnixAttr = 6 // UNIX_DIAG_SHUTDOWN
	UnixAttrUID      UnixAttr = 7 // UNIX_DIAG_UID
)

var unixAttrNames = []string{"name", "vfs", "peer", "icons", "rqlen", "meminfo", "shutdown", "uid"}

// String gives the kernel's name without UNIX_DIAG_, lower case.
func (a UnixAttr) String() string { return enumText(unixAttrNames, int(a)) }

// AppendText appends String's word.
func (a UnixAttr) AppendText(b []byte) ([]byte, error) { return append(b, a.String()...), nil }

// MarshalText gives String's word.
func (a UnixAttr) MarshalText() ([]byte, error) { return a.AppendText(nil) }

// UnmarshalText reads String's word or a number.
func (a *UnixAttr) UnmarshalText(b []byte) error {
	n, err := enumParse(unixAttrNames, "unix attribute", string(b), 16)
	*a = UnixAttr(n)
	return err
}

// UnixSocket is a unix socket as unix_diag reports it (struct
// unix_diag_msg and its attributes); Has tells which attributes came.
type UnixSocket struct {
	Type   SockType // udiag_type
	State  State    // udiag_state: StateListen, StateEstablished, StateClose ...
	Inode  uint32   // udiag_ino
	Cookie uint64   // udiag_cookie
	// Name is the bound address (UNIX_DIAG_NAME): a path, or for an
	// abstract address a NUL byte and the name; "" when unbound.
	Name     string
	VFSInode uint32   // UNIX_DIAG_VFS: the inode of the socket file
	VFSDev   uint32   // UNIX_DIAG_VFS: its device
	Peer     uint32   // UNIX_DIAG_PEER: the peer's inode
	Pending  []uint32 // UNIX_DIAG_ICONS: inodes of connections not yet accepted
	// RecvQ and SendQ are UNIX_DIAG_RQLEN: the receive queue (a listener's
	// pending connections) and the send queue (a listener's backlog).
	RecvQ    uint32
	SendQ    uint32
	MemInfo  SKMemInfo // UNIX_DIAG_MEMINFO
	Shutdown uint8     // UNIX_DIAG_SHUTDOWN
	UID      uint32    // UNIX_DIAG_UID

	present uint32
}

// Has reports whether the kernel sent attribute a.
func (s *UnixSocket) Has(a UnixAttr) bool { return a < 32 && s.present&(1<<a) != 0 }

// Abstract reports whether the name is in the abstract namespace; ss
// prints it with '@' for the NUL byte.
func (s *UnixSocket) Abstract() bool { return len(s.Name) > 0 && s.Name[0] == 0 }

// Clone returns a copy sharing nothing with s.
func (s *UnixSocket) Clone() *UnixSocket {
	c := *s
	c.Pending = append([]uint32(nil), s.Pending...)
	return &c
}

const unixMsgLen = 16

// UnmarshalBinary decodes a unix_diag reply's payload into s.
func (s *UnixSocket) UnmarshalBinary(b []byte) error {
	if len(b) < unixMsgLen {
		return errShort("unix socket", len(b), unixMsgLen)
	}
	pending := s.Pending[:0]
	*s = UnixSocket{Type: SockType(b[1]), State: State(b[2])}
	s.Inode = binary.NativeEndian.Uint32(b[4:])
	s.Cookie = uint64(binary.NativeEndian.Uint32(b[8:])) | uint64(binary.NativeEndian.Uint32(b[12:]))<<32
	d := nlattr.NewDecoder(b[unixMsgLen:])
	for d.Next() {
		t := UnixAttr(d.Type())
		switch t {
		case UnixAttrName:
			v := d.Bytes()
			if len(v) > 0 && v[0] != 0 {
				if i := indexByte(v, 0); i >= 0 {
					v = v[:i] // a path: up to its NUL
				}
			}
			s.Name = string(v)
		case UnixAttrVFS:
			if v := fixed(&d, 8); v != nil {
				s.VFSInode, s.VFSDev = binary.NativeEndian.Uint32(v), binary.NativeEndian.Uint32(v[4:])
			}
		case UnixAttrPeer:
			s.Peer = d.Uint32()
		case UnixAttrIcons:
			v := d.Bytes()
			if len(v)%4 != 0 {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			for ; len(v) >= 4; v = v[4:] {
				pending = append(pending, binary.NativeEndian.Uint32(v))
			}
			s.Pending = pending
		case UnixAttrRQLen:
			if v := fixed(&d, 8); v != nil {
				s.RecvQ, s.SendQ = binary.NativeEndian.Uint32(v), binary.NativeEndian.Uint32(v[4:])
			}
		case UnixAttrMemInfo:
			s.MemInfo.decode(&d)
		case UnixAttrShutdown:
			s.Shutdown = d.Uint8()
		case UnixAttrUID:
			s.UID = d.Uint32()
		default:
			continue
		}
		if t < 32 {
			s.present |= 1 << t
		}
	}
	return decodeError("unix socket", d.Err(), func(t uint16) string { return UnixAttr(t).String() })
}

// AppendBinary appends s as the kernel sends it.
func (s *UnixSocket) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, unix.AF_UNIX, byte(s.Type), byte(s.State), 0)
	b = binary.NativeEndian.AppendUint32(b, s.Inode)
	b = binary.NativeEndian.AppendUint32(b, uint32(s.Cookie))
	b = binary.NativeEndian.AppendUint32(b, uint32(s.Cookie>>32))
	e := nlattr.NewEncoder(b)
	ne := binary.NativeEndian
	if s.Has(UnixAttrName) {
		e.Bytes(uint16(UnixAttrName), []byte(s.Name))
	}
	if s.Has(UnixAttrVFS) {
		e.Bytes(uint16(UnixAttrVFS), ne.AppendUint32(ne.AppendUint32(nil, s.VFSInode), s.VFSDev))
	}
	if s.Has(UnixAttrPeer) {
		e.Uint32(uint16(UnixAttrPeer), s.Peer)
	}
	if s.Has(UnixAttrIcons) {
		var v []byte
		for _, x := range s.Pending {
			v = ne.AppendUint32(v, x)
		}
		e.Bytes(uint16(UnixAttrIcons), v)
	}
	if s.Has(UnixAttrRQLen) {
		e.Bytes(uint16(UnixAttrRQLen), ne.AppendUint32(ne.AppendUint32(nil, s.RecvQ), s.SendQ))
	}
	if s.Has(UnixAttrMemInfo) {
		e.Bytes(uint16(UnixAttrMemInfo), s.MemInfo.append(nil))
	}
	if s.Has(UnixAttrShutdown) {
		e.Uint8(uint16(UnixAttrShutdown), s.Shutdown)
	}
	if s.Has(UnixAttrUID) {
		e.Uint32(uint16(UnixAttrUID), s.UID)
	}
	return e.Finish()
}

// MarshalBinary encodes s as AppendBinary does.
func (s *UnixSocket) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// Show bits of unix_diag requests (UDIAG_SHOW_*).
const (
	udiagShowAll = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40
)

// UnixFilter selects the unix sockets of a dump; the zero value selects
// all, with every attribute.
type UnixFilter struct {
	States States // udiag_states; 0: every state
}

func appendUnixRequest(b []byte, states States, ino uint32, cookie uint64) []byte {
	if states == 0 {
		states = ^States(0)
	}
	b = append(b, unix.AF_UNIX, 0, 0, 0)
	ne := binary.NativeEndian
	b = ne.AppendUint32(b, uint32(states))
	b = ne.AppendUint32(b, ino)
	b = ne.AppendUint32(b, udiagShowAll)
	b = ne.AppendUint32(b, uint32(cookie))
	return ne.AppendUint32(b, uint32(cookie>>32))
}

// UnixSockets dumps the unix sockets f selects (nil: all) with all their
// attributes. It is a single-use iterator yielding one reused
// *UnixSocket, valid until the loop body returns; it stops at the first
// error.
func (c *Conn) UnixSockets(ctx context.Context, f *UnixFilter) iter.Seq2[*UnixSocket, error] {
	return func(yield func(*UnixSocket, error) bool) {
		var st States
		if f != nil {
			st = f.States
		}
		s := &UnixSocket{}
		for b, err := range c.dump(ctx, "list unix sockets", appendUnixRequest(nil, st, 0, NoCookie)) {
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

// UnixSocketList returns the sockets UnixSockets yields, as owned copies.
func (c *Conn) UnixSocketList(ctx context.Context, f *UnixFilter) ([]*UnixSocket, error) {
	var out []*UnixSocket
	for s, err := range c.UnixSockets(ctx, f) {
		if err != nil {
			return out, err
		}
		out = append(out, s.Clone())
	}
	return out, nil
}

// UnixSocket looks up the unix socket with inode ino (and cookie, unless
// NoCookie). No such socket gives a *netlink.Error with ENOENT.
func (c *Conn) UnixSocket(ctx context.Context, ino uint32, cookie uint64) (*UnixSocket, error) {
	op := fmt.Sprintf("get unix socket %d", ino)
	rs, err := c.execute(ctx, op, typeByFamily, appendUnixRequest(nil, 0, ino, cookie))
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("sockdiag: %s: %d replies, want 1: %w", op, len(rs), netlink.ErrMalformed)
	}
	s := &UnixSocket{}
	if err := s.UnmarshalBinary(rs[0]); err != nil {
		return nil, err
	}
	return s, nil
}
