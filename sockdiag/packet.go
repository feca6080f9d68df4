package sockdiag

import (
	"context"
	"encoding/binary"
	"iter"
	"net"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/nlattr"
)

// PacketAttr is a PACKET_DIAG_* attribute type.
type PacketAttr uint16

// Packet socket attributes (linux/packet_diag.h).
const (
	PacketAttrInfo    PacketAttr = 0 // PACKET_DIAG_INFO
	PacketAttrMCList  PacketAttr = 1 // PACKET_DIAG_MCLIST
	PacketAttrRXRing  PacketAttr = 2 // PACKET_DIAG_RX_RING
	PacketAttrTXRing  PacketAttr = 3 // PACKET_DIAG_TX_RING
	PacketAttrFanout  PacketAttr = 4 // PACKET_DIAG_FANOUT
	PacketAttrUID     PacketAttr = 5 // PACKET_DIAG_UID
	PacketAttrMemInfo PacketAttr = 6 // PACKET_DIAG_MEMINFO
	PacketAttrFilter  PacketAttr = 7 // PACKET_DIAG_FILTER
)

var packetAttrNames = []string{"info", "mclist", "rx_ring", "tx_ring", "fanout", "uid", "meminfo", "filter"}

// String gives the kernel's name without PACKET_DIAG_, lower case.
func (a PacketAttr) String() string { return enumText(packetAttrNames, int(a)) }

// AppendText appends String's word.
func (a PacketAttr) AppendText(b []byte) ([]byte, error) { return append(b, a.String()...), nil }

// MarshalText gives String's word.
func (a PacketAttr) MarshalText() ([]byte, error) { return a.AppendText(nil) }

// UnmarshalText reads String's word or a number.
func (a *PacketAttr) UnmarshalText(b []byte) error {
	n, err := enumParse(packetAttrNames, "packet attribute", string(b), 16)
	*a = PacketAttr(n)
	return err
}

// PacketInfo is struct packet_diag_info.
type PacketInfo struct {
	IfIndex    int32  // pdi_index: the bound interface, 0 for all
	Version    uint32 // pdi_version: TPACKET_V1..V3
	Reserve    uint32 // pdi_reserve
	CopyThresh uint32 // pdi_copy_thresh
	Tstamp     uint32 // pdi_tstamp
	Flags      uint32 // pdi_flags: PDI_RUNNING 1, AUXDATA 2, ORIGDEV 4, VNETHDR 8, LOSS 16
}

// PacketMC is a multicast membership (struct packet_diag_mclist).
type PacketMC struct {
	IfIndex int32            // pdmc_index
	Count   uint32           // pdmc_count
	Type    uint16           // pdmc_type: PACKET_MR_*
	Addr    net.HardwareAddr // pdmc_addr[pdmc_alen]
}

// PacketRing is a mapped ring's configuration (struct packet_diag_ring).
type PacketRing struct {
	BlockSize  uint32 // pdr_block_size
	BlockNr    uint32 // pdr_block_nr
	FrameSize  uint32 // pdr_frame_size
	FrameNr    uint32 // pdr_frame_nr
	RetireTmo  uint32 // pdr_retire_tmo
	SizeofPriv uint32 // pdr_sizeof_priv
	Features   uint32 // pdr_features
}

// PacketSocket is a packet socket as packet_diag reports it; Has tells
// which attributes came.
type PacketSocket struct {
	Type     SockType // pdiag_type: SockRaw or SockDgram
	Protocol uint16   // pdiag_num: the ethertype bound to (ETH_P_*), host order
	Inode    uint32   // pdiag_ino
	Cookie   uint64   // pdiag_cookie
	Info     PacketInfo
	MCList   []PacketMC
	RXRing   PacketRing
	TXRing   PacketRing
	// Fanout is PACKET_DIAG_FANOUT: the group id (low 16 bits), the mode
	// (PACKET_FANOUT_*, bits 16-23) and its flags (bits 24-31).
	Fanout  uint32
	UID     uint32
	MemInfo SKMemInfo
	// Filter is the attached classic BPF program (PACKET_DIAG_FILTER).
	Filter []unix.SockFilter

	present uint32
}

// Has reports whether the kernel sent attribute a.
func (s *PacketSocket) Has(a PacketAttr) bool { return a < 32 && s.present&(1<<a) != 0 }

// Clone returns a copy sharing nothing with s.
func (s *PacketSocket) Clone() *PacketSocket {
	c := *s
	c.MCList = append([]PacketMC(nil), s.MCList...)
	c.Filter = append([]unix.SockFilter(nil), s.Filter...)
	return &c
}

const packetMsgLen = 16

// UnmarshalBinary decodes a packet_diag reply's payload into s.
func (s *PacketSocket) UnmarshalBinary(b []byte) error {
	if len(b) < packetMsgLen {
		return errShort("packet socket", len(b), packetMsgLen)
	}
	ne := binary.NativeEndian
	*s = PacketSocket{Type: SockType(b[1]), Protocol: ne.Uint16(b[2:])}
	s.Inode = ne.Uint32(b[4:])
	s.Cookie = uint64(ne.Uint32(b[8:])) | uint64(ne.Uint32(b[12:]))<<32
	d := nlattr.NewDecoder(b[packetMsgLen:])
	for d.Next() {
		t := PacketAttr(d.Type())
		switch t {
		case PacketAttrInfo:
			if v := fixed(&d, 24); v != nil {
				s.Info = PacketInfo{int32(ne.Uint32(v)), ne.Uint32(v[4:]), ne.Uint32(v[8:]), ne.Uint32(v[12:]), ne.Uint32(v[16:]), ne.Uint32(v[20:])}
			}
		case PacketAttrMCList:
			v := d.Bytes()
			if len(v)%44 != 0 {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			for ; len(v) >= 44; v = v[44:] {
				n := min(int(ne.Uint16(v[10:])), 32)
				s.MCList = append(s.MCList, PacketMC{int32(ne.Uint32(v)), ne.Uint32(v[4:]), ne.Uint16(v[8:]), append(net.HardwareAddr(nil), v[12:12+n]...)})
			}
		case PacketAttrRXRing, PacketAttrTXRing:
			if v := fixed(&d, 28); v != nil {
				r := PacketRing{ne.Uint32(v), ne.Uint32(v[4:]), ne.Uint32(v[8:]), ne.Uint32(v[12:]), ne.Uint32(v[16:]), ne.Uint32(v[20:]), ne.Uint32(v[24:])}
				if t == PacketAttrRXRing {
					s.RXRing = r
				} else {
					s.TXRing = r
				}
			}
		case PacketAttrFanout:
			s.Fanout = d.Uint32()
		case PacketAttrUID:
			s.UID = d.Uint32()
		case PacketAttrMemInfo:
			s.MemInfo.decode(&d)
		case PacketAttrFilter:
			v := d.Bytes()
			if len(v)%8 != 0 {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			s.Filter = make([]unix.SockFilter, 0, len(v)/8)
			for ; len(v) >= 8; v = v[8:] {
				s.Filter = append(s.Filter, unix.SockFilter{Code: ne.Uint16(v), Jt: v[2], Jf: v[3], K: ne.Uint32(v[4:])})
			}
		default:
			continue
		}
		if t < 32 {
			s.present |= 1 << t
		}
	}
	return decodeError("packet socket", d.Err(), func(t uint16) string { return PacketAttr(t).String() })
}

// AppendBinary appends s as the kernel sends it.
func (s *PacketSocket) AppendBinary(b []byte) ([]byte, error) {
	ne := binary.NativeEndian
	b = append(b, unix.AF_PACKET, byte(s.Type))
	b = ne.AppendUint16(b, s.Protocol)
	b = ne.AppendUint32(b, s.Inode)
	b = ne.AppendUint32(b, uint32(s.Cookie))
	b = ne.AppendUint32(b, uint32(s.Cookie>>32))
	e := nlattr.NewEncoder(b)
	u32s := func(vs ...uint32) []byte {
		var v []byte
		for _, x := range vs {
			v = ne.AppendUint32(v, x)
		}
		return v
	}
	if s.Has(PacketAttrInfo) {
		i := s.Info
		e.Bytes(uint16(PacketAttrInfo), u32s(uint32(i.IfIndex), i.Version, i.Reserve, i.CopyThresh, i.Tstamp, i.Flags))
	}
	if s.Has(PacketAttrMCList) {
		var v []byte
		for _, m := range s.MCList {
			var w [44]byte
			ne.PutUint32(w[:], uint32(m.IfIndex))
			ne.PutUint32(w[4:], m.Count)
			ne.PutUint16(w[8:], m.Type)
			n := min(len(m.Addr), 32)
			ne.PutUint16(w[10:], uint16(n))
			copy(w[12:], m.Addr[:n])
			v = append(v, w[:]...)
		}
		e.Bytes(uint16(PacketAttrMCList), v)
	}
	for _, x := range []struct {
		a PacketAttr
		r PacketRing
	}{{PacketAttrRXRing, s.RXRing}, {PacketAttrTXRing, s.TXRing}} {
		if s.Has(x.a) {
			r := x.r
			e.Bytes(uint16(x.a), u32s(r.BlockSize, r.BlockNr, r.FrameSize, r.FrameNr, r.RetireTmo, r.SizeofPriv, r.Features))
		}
	}
	if s.Has(PacketAttrFanout) {
		e.Uint32(uint16(PacketAttrFanout), s.Fanout)
	}
	if s.Has(PacketAttrUID) {
		e.Uint32(uint16(PacketAttrUID), s.UID)
	}
	if s.Has(PacketAttrMemInfo) {
		e.Bytes(uint16(PacketAttrMemInfo), s.MemInfo.append(nil))
	}
	if s.Has(PacketAttrFilter) {
		var v []byte
		for _, f := range s.Filter {
			v = ne.AppendUint16(v, f.Code)
			v = append(v, f.Jt, f.Jf)
			v = ne.AppendUint32(v, f.K)
		}
		e.Bytes(uint16(PacketAttrFilter), v)
	}
	return e.Finish()
}

// MarshalBinary encodes s as AppendBinary does.
func (s *PacketSocket) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

const pdiagShowAll = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20

// PacketSockets dumps the packet sockets of the Conn's namespace with all
// their attributes (the filter program needs CAP_NET_ADMIN). It is a
// single-use iterator yielding one reused *PacketSocket, valid until the
// loop body returns; it stops at the first error.
func (c *Conn) PacketSockets(ctx context.Context) iter.Seq2[*PacketSocket, error] {
	return func(yield func(*PacketSocket, error) bool) {
		ne := binary.NativeEndian
		req := []byte{unix.AF_PACKET, 0, 0, 0}
		req = ne.AppendUint32(req, 0)
		req = ne.AppendUint32(req, pdiagShowAll)
		req = ne.AppendUint32(ne.AppendUint32(req, 0xffffffff), 0xffffffff)
		s := &PacketSocket{}
		for b, err := range c.dump(ctx, "list packet sockets", req) {
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

// PacketSocketList returns the sockets PacketSockets yields, as owned
// copies.
func (c *Conn) PacketSocketList(ctx context.Context) ([]*PacketSocket, error) {
	var out []*PacketSocket
	for s, err := range c.PacketSockets(ctx) {
		if err != nil {
			return out, err
		}
		out = append(out, s.Clone())
	}
	return out, nil
}
