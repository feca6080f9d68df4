package queue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/nlattr"
)

// Message types of the queue subsystem (enum nfqnl_msg_types).
const (
	msgPacket       = 0 // NFQNL_MSG_PACKET
	msgVerdict      = 1 // NFQNL_MSG_VERDICT
	msgConfig       = 2 // NFQNL_MSG_CONFIG
	msgVerdictBatch = 3 // NFQNL_MSG_VERDICT_BATCH
)

// Packet attributes (enum nfqnl_attr_type).
const (
	attrPacketHdr  = 1  // NFQA_PACKET_HDR
	attrVerdictHdr = 2  // NFQA_VERDICT_HDR
	attrMark       = 3  // NFQA_MARK
	attrTimestamp  = 4  // NFQA_TIMESTAMP
	attrInDev      = 5  // NFQA_IFINDEX_INDEV
	attrOutDev     = 6  // NFQA_IFINDEX_OUTDEV
	attrPhysInDev  = 7  // NFQA_IFINDEX_PHYSINDEV
	attrPhysOutDev = 8  // NFQA_IFINDEX_PHYSOUTDEV
	attrHWAddr     = 9  // NFQA_HWADDR
	attrPayload    = 10 // NFQA_PAYLOAD
	attrCT         = 11 // NFQA_CT
	attrCTInfo     = 12 // NFQA_CT_INFO
	attrCapLen     = 13 // NFQA_CAP_LEN
	attrSkbInfo    = 14 // NFQA_SKB_INFO
	attrExp        = 15 // NFQA_EXP
	attrUID        = 16 // NFQA_UID
	attrGID        = 17 // NFQA_GID
	attrSecCtx     = 18 // NFQA_SECCTX
	attrVLAN       = 19 // NFQA_VLAN
	attrL2Hdr      = 20 // NFQA_L2HDR
	attrPriority   = 21 // NFQA_PRIORITY
	attrVLANProto  = 1  // NFQA_VLAN_PROTO
	attrVLANTCI    = 2  // NFQA_VLAN_TCI
	ctaStatus      = 3  // CTA_STATUS
	ctaMark        = 8  // CTA_MARK
	ctaID          = 12 // CTA_ID
	ctaLabels      = 22 // CTA_LABELS
	ctaLabelsMask  = 23 // CTA_LABELS_MASK
	packetHdrLen   = 7  // struct nfqnl_msg_packet_hdr (packed)
	hwAddrLen      = 12 // struct nfqnl_msg_packet_hw
	timestampLen   = 16 // struct nfqnl_msg_packet_timestamp
	verdictHdrLen  = 8  // struct nfqnl_msg_verdict_hdr
	maxAttrPayload = 0xffff - nlattr.HeaderLen
)

var attrNames = [...]string{
	"", "NFQA_PACKET_HDR", "NFQA_VERDICT_HDR", "NFQA_MARK", "NFQA_TIMESTAMP", "NFQA_IFINDEX_INDEV",
	"NFQA_IFINDEX_OUTDEV", "NFQA_IFINDEX_PHYSINDEV", "NFQA_IFINDEX_PHYSOUTDEV", "NFQA_HWADDR",
	"NFQA_PAYLOAD", "NFQA_CT", "NFQA_CT_INFO", "NFQA_CAP_LEN", "NFQA_SKB_INFO", "NFQA_EXP", "NFQA_UID",
	"NFQA_GID", "NFQA_SECCTX", "NFQA_VLAN", "NFQA_L2HDR", "NFQA_PRIORITY",
}

func attrName(t uint16) string {
	if int(t) < len(attrNames) && attrNames[t] != "" {
		return attrNames[t]
	}
	return fmt.Sprintf("attribute %d", t)
}

// nestedName names attribute t inside top.
func nestedName(top, t uint16) string {
	switch {
	case top == attrVLAN && t == attrVLANProto:
		return "NFQA_VLAN_PROTO"
	case top == attrVLAN && t == attrVLANTCI:
		return "NFQA_VLAN_TCI"
	case top == attrCT && t == ctaID:
		return "CTA_ID"
	case top == attrCT && t == ctaMark:
		return "CTA_MARK"
	case top == attrCT && t == ctaStatus:
		return "CTA_STATUS"
	}
	return fmt.Sprintf("attribute %d", t)
}

// Info bits of Packet.Info (NFQA_SKB_INFO).
const (
	// InfoChecksumNotReady: the packet's checksums look wrong but are
	// right: they are left to the hardware or computed later
	// (NFQA_SKB_CSUMNOTREADY). Fix them before checking them.
	InfoChecksumNotReady uint32 = 1 << 0
	// InfoGSO: the packet is a GSO super-packet larger than the MTU
	// (NFQA_SKB_GSO), handed over whole with FlagGSO.
	InfoGSO uint32 = 1 << 1
	// InfoChecksumNotVerified: no device verified the checksum
	// (NFQA_SKB_CSUM_NOTVERIFIED).
	InfoChecksumNotVerified uint32 = 1 << 2
)

// Packet is one packet the kernel queued, waiting for its verdict.
//
// Packets yielded by Conn.Packets are reused: the Packet and every slice
// in it (Payload, HWAddr, L2Header, SecCtx, Conntrack) alias the Conn's
// receive buffer and are valid only until the loop body returns. Copy what
// you keep (Clone), and give the verdict by ID, which stays meaningful.
type Packet struct {
	Queue      uint16           // the queue number (nfgenmsg res_id)
	Family     netfilter.Family // FamilyIPv4 or FamilyIPv6 (nfgen_family)
	ID         uint32           // the packet's id, for its verdict (NFQA_PACKET_HDR)
	HWProtocol uint16           // the link-layer protocol, an EtherType (0x0800 IPv4, 0x86dd IPv6)
	Hook       Hook             // the hook it was queued from

	// Time is when the packet was received (NFQA_TIMESTAMP); zero for
	// packets without a timestamp: locally generated ones, and received
	// ones while no socket of the system asks for receive timestamps (the
	// kernel stamps packets only then).
	Time time.Time

	InIndex      int32 // incoming interface (NFQA_IFINDEX_INDEV); 0 if none
	OutIndex     int32 // outgoing interface (NFQA_IFINDEX_OUTDEV); 0 if none
	PhysInIndex  int32 // bridge port it came in on (NFQA_IFINDEX_PHYSINDEV); 0 if none
	PhysOutIndex int32 // bridge port it goes out on (NFQA_IFINDEX_PHYSOUTDEV); 0 if none

	Mark     uint32 // the packet's mark (NFQA_MARK); 0 if none
	Priority uint32 // skb->priority (NFQA_PRIORITY); 0 if none

	// HWAddr is the source hardware address (NFQA_HWADDR), for packets
	// that came in on a device that has one; nil otherwise.
	HWAddr []byte

	// UID and GID own the local socket the packet belongs to, with
	// FlagUIDGID (NFQA_UID, NFQA_GID); HasUID / HasGID say whether the
	// kernel knew them.
	UID, GID       uint32
	HasUID, HasGID bool

	// SecCtx is the packet's security context with FlagSecCtx
	// (NFQA_SECCTX), e.g. "system_u:object_r:unlabeled_t:s0"; nil if none.
	SecCtx []byte

	// ConnState, with FlagConntrack, is the packet's place in its
	// connection (NFQA_CT_INFO); HasConn says whether the packet belongs
	// to a connection the kernel tracks. ConnID, ConnMark and
	// ConnStatus come from the entry (NFQA_CT: CTA_ID, CTA_MARK,
	// CTA_STATUS); Conntrack is the whole entry's attributes, as
	// ctnetlink encodes them, for decoders that want more.
	ConnState  netfilter.ConnState
	HasConn    bool
	ConnID     uint32
	ConnMark   uint32
	ConnStatus uint32
	Conntrack  []byte

	// CapLen is the packet's length when the payload was cut to the copy
	// range (NFQA_CAP_LEN); 0 when Payload is whole.
	CapLen uint32
	// Info holds Info* bits (NFQA_SKB_INFO).
	Info uint32

	// VLAN tag (NFQA_VLAN), when the packet carried one out of band:
	// VLANProto is its EtherType (0x8100, 0x88a8), VLANTCI the tag
	// control information (VLAN id in the low 12 bits).
	VLANProto, VLANTCI uint16
	HasVLAN            bool

	// L2Header is the packet's link-layer header (NFQA_L2HDR), given for
	// bridge-family queues; nil otherwise.
	L2Header []byte

	// Payload is the packet from its network header on (NFQA_PAYLOAD), at
	// most the copy range; nil with CopyMeta.
	Payload []byte
}

// Len returns the packet's full length: CapLen when the payload was cut,
// else the payload's length.
func (p *Packet) Len() int {
	if p.CapLen != 0 {
		return int(p.CapLen)
	}
	return len(p.Payload)
}

// Clone returns a copy of p that owns its bytes (one allocation for all
// of them), to keep after the loop body returns.
func (p *Packet) Clone() *Packet {
	q := new(Packet)
	p.CopyTo(q, nil)
	return q
}

// CopyTo copies p into dst, its slices into buf (grown if too small), and
// returns buf, so that a pool of Packets with their own buffers moves
// packets between goroutines without allocating (see Balance).
func (p *Packet) CopyTo(dst *Packet, buf []byte) []byte {
	*dst = *p
	buf = buf[:0]
	n := len(p.HWAddr) + len(p.SecCtx) + len(p.Conntrack) + len(p.L2Header) + len(p.Payload)
	if cap(buf) < n {
		buf = make([]byte, 0, n)
	}
	cp := func(s []byte) []byte {
		if s == nil {
			return nil
		}
		start := len(buf)
		buf = append(buf, s...)
		return buf[start:len(buf):len(buf)]
	}
	dst.HWAddr = cp(p.HWAddr)
	dst.SecCtx = cp(p.SecCtx)
	dst.Conntrack = cp(p.Conntrack)
	dst.L2Header = cp(p.L2Header)
	dst.Payload = cp(p.Payload)
	return buf
}

// ErrNoHeader is wrapped by the error about a packet message without its
// NFQA_PACKET_HDR attribute (no id: no verdict can be given).
var ErrNoHeader = errors.New("no NFQA_PACKET_HDR attribute")

// UnmarshalBinary decodes p from the payload of an NFQNL_MSG_PACKET
// message (the nfgenmsg header, then the NFQA_* attributes). The slices of
// p alias b. Unknown attributes are skipped; a known one of the wrong
// length is an error naming it. When the packet header was read before the
// error, p.ID is set, so that the packet can still be given a verdict.
func (p *Packet) UnmarshalBinary(b []byte) error {
	*p = Packet{}
	var h netfilter.Header
	if err := h.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("queue: packet: %w", err)
	}
	p.Queue, p.Family = h.ResourceID, h.Family
	return p.decodeAttrs(b[netfilter.HeaderLen:])
}

func (p *Packet) decodeAttrs(b []byte) error {
	d := nlattr.NewDecoder(b)
	hdr := false
	var top uint16 // the attribute being decoded, for errors inside a nest
	topOff, topEnd := -1, -1
	for d.Next() {
		top, topOff, topEnd = d.Type(), d.Offset(), d.Offset()+nlattr.HeaderLen+d.Len()
		switch t := d.Type(); t {
		case attrPacketHdr:
			v := d.Bytes()
			if len(v) != packetHdrLen {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			p.ID = binary.BigEndian.Uint32(v)
			p.HWProtocol = binary.BigEndian.Uint16(v[4:])
			p.Hook = Hook(v[6])
			hdr = true
		case attrMark:
			p.Mark = d.Uint32BE()
		case attrTimestamp:
			v := d.Bytes()
			if len(v) != timestampLen {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			sec := int64(binary.BigEndian.Uint64(v))
			usec := int64(binary.BigEndian.Uint64(v[8:]))
			p.Time = time.Unix(sec, usec*1000)
		case attrInDev:
			p.InIndex = int32(d.Uint32BE())
		case attrOutDev:
			p.OutIndex = int32(d.Uint32BE())
		case attrPhysInDev:
			p.PhysInIndex = int32(d.Uint32BE())
		case attrPhysOutDev:
			p.PhysOutIndex = int32(d.Uint32BE())
		case attrHWAddr:
			v := d.Bytes()
			if len(v) != hwAddrLen {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			n := int(binary.BigEndian.Uint16(v))
			if n > 8 {
				d.Fail(fmt.Errorf("hardware address length %d, at most 8", n))
				break
			}
			p.HWAddr = v[4 : 4+n : 4+n]
		case attrPayload:
			p.Payload = d.Bytes()
		case attrCT:
			p.Conntrack = d.Bytes()
			p.HasConn = true
			cd := d.Nested()
			for cd.Next() {
				switch cd.Type() {
				case ctaID:
					p.ConnID = cd.Uint32BE()
				case ctaMark:
					p.ConnMark = cd.Uint32BE()
				case ctaStatus:
					p.ConnStatus = cd.Uint32BE()
				}
			}
		case attrCTInfo:
			v := d.Uint32BE()
			if v > 0xff {
				d.Fail(fmt.Errorf("connection state %d out of range", v))
				break
			}
			p.ConnState = netfilter.ConnState(v)
			p.HasConn = true
		case attrCapLen:
			p.CapLen = d.Uint32BE()
		case attrSkbInfo:
			p.Info = d.Uint32BE()
		case attrUID:
			p.UID, p.HasUID = d.Uint32BE(), true
		case attrGID:
			p.GID, p.HasGID = d.Uint32BE(), true
		case attrSecCtx:
			p.SecCtx = d.Bytes()
		case attrVLAN:
			vd := d.Nested()
			for vd.Next() {
				switch vd.Type() {
				case attrVLANProto:
					p.VLANProto = vd.Uint16BE()
				case attrVLANTCI:
					p.VLANTCI = vd.Uint16BE()
				}
			}
			p.HasVLAN = true
		case attrL2Hdr:
			p.L2Header = d.Bytes()
		case attrPriority:
			p.Priority = d.Uint32BE()
		}
	}
	if err := d.Err(); err != nil {
		var ae *nlattr.Error
		if errors.As(err, &ae) {
			name := attrName(ae.Type)
			if ae.Offset > topOff && ae.Offset < topEnd {
				name = attrName(top) + " " + nestedName(top, ae.Type)
			}
			if hdr {
				return fmt.Errorf("queue: packet %d: %s: %w", p.ID, name, err)
			}
			return fmt.Errorf("queue: packet: %s: %w", name, err)
		}
		return fmt.Errorf("queue: packet: %w", err)
	}
	if !hdr {
		return fmt.Errorf("queue: packet: %w", ErrNoHeader)
	}
	return nil
}

// AppendBinary appends the packet as the kernel encodes an NFQNL_MSG_PACKET
// payload (nfgenmsg header and NFQA_* attributes), for fakes and tests:
// UnmarshalBinary of the result gives p back. Zero fields are left out.
func (p *Packet) AppendBinary(b []byte) ([]byte, error) {
	b, _ = netfilter.Header{Family: p.Family, Version: netfilter.Version, ResourceID: p.Queue}.AppendBinary(b)
	e := nlattr.NewEncoder(b)
	var hdr [packetHdrLen]byte
	binary.BigEndian.PutUint32(hdr[:], p.ID)
	binary.BigEndian.PutUint16(hdr[4:], p.HWProtocol)
	hdr[6] = uint8(p.Hook)
	e.Bytes(attrPacketHdr, hdr[:])
	if p.Mark != 0 {
		e.Uint32BE(attrMark, p.Mark)
	}
	if !p.Time.IsZero() {
		var ts [timestampLen]byte
		binary.BigEndian.PutUint64(ts[:], uint64(p.Time.Unix()))
		binary.BigEndian.PutUint64(ts[8:], uint64(p.Time.Nanosecond()/1000))
		e.Bytes(attrTimestamp, ts[:])
	}
	for _, x := range []struct {
		t uint16
		v int32
	}{{attrInDev, p.InIndex}, {attrOutDev, p.OutIndex}, {attrPhysInDev, p.PhysInIndex}, {attrPhysOutDev, p.PhysOutIndex}} {
		if x.v != 0 {
			e.Uint32BE(x.t, uint32(x.v))
		}
	}
	if p.HWAddr != nil {
		if len(p.HWAddr) > 8 {
			return b, fmt.Errorf("queue: packet %d: hardware address of %d bytes, at most 8", p.ID, len(p.HWAddr))
		}
		var hw [hwAddrLen]byte
		binary.BigEndian.PutUint16(hw[:], uint16(len(p.HWAddr)))
		copy(hw[4:], p.HWAddr)
		e.Bytes(attrHWAddr, hw[:])
	}
	if p.HasConn {
		if p.Conntrack != nil {
			e.Bytes(attrCT|nlattr.Nested, p.Conntrack)
		}
		e.Uint32BE(attrCTInfo, uint32(p.ConnState))
	}
	if p.CapLen != 0 {
		e.Uint32BE(attrCapLen, p.CapLen)
	}
	if p.Info != 0 {
		e.Uint32BE(attrSkbInfo, p.Info)
	}
	if p.HasUID {
		e.Uint32BE(attrUID, p.UID)
	}
	if p.HasGID {
		e.Uint32BE(attrGID, p.GID)
	}
	if p.SecCtx != nil {
		e.Bytes(attrSecCtx, p.SecCtx)
	}
	if p.HasVLAN {
		e.Nest(attrVLAN)
		e.Uint16BE(attrVLANProto, p.VLANProto)
		e.Uint16BE(attrVLANTCI, p.VLANTCI)
		e.End()
	}
	if p.L2Header != nil {
		e.Bytes(attrL2Hdr, p.L2Header)
	}
	if p.Priority != 0 {
		e.Uint32BE(attrPriority, p.Priority)
	}
	if p.Payload != nil {
		e.Bytes(attrPayload, p.Payload)
	}
	out, err := e.Finish()
	if err != nil {
		return b, fmt.Errorf("queue: encode packet %d: %w", p.ID, err)
	}
	return out, nil
}

// MarshalBinary returns AppendBinary's encoding.
func (p *Packet) MarshalBinary() ([]byte, error) { return p.AppendBinary(nil) }

func errorf(format string, args ...any) error {
	return fmt.Errorf("queue: "+format, args...)
}
