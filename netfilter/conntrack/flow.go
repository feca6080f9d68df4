package conntrack

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/nlattr"
)

// Tuple is one direction of a flow (CTA_TUPLE_ORIG, CTA_TUPLE_REPLY,
// CTA_TUPLE_MASTER): addresses, protocol and the protocol's identifiers.
// The zero Tuple is absent.
type Tuple struct {
	Src, Dst netip.Addr // CTA_IP_V4_SRC/DST or CTA_IP_V6_SRC/DST
	Proto    uint8      // CTA_PROTO_NUM: ProtoTCP, ProtoUDP, ProtoICMP ...

	// SrcPort and DstPort are CTA_PROTO_SRC_PORT and CTA_PROTO_DST_PORT:
	// the ports of TCP, UDP, UDP-Lite, SCTP and DCCP, the keys of GRE.
	SrcPort, DstPort uint16

	// ICMP and ICMPv6: CTA_PROTO_ICMP_ID/TYPE/CODE or their ICMPV6 twins.
	ICMPID   uint16
	ICMPType uint8
	ICMPCode uint8

	// Zone is CTA_TUPLE_ZONE: a zone for this direction only, rarely used
	// (Flow.Zone is the usual one); HasZone says whether it was given.
	Zone    uint16
	HasZone bool
}

// IsValid reports whether the tuple has addresses.
func (t Tuple) IsValid() bool { return t.Src.IsValid() }

// Family returns the tuple's protocol family: FamilyIPv4 or FamilyIPv6
// (from its source address), FamilyUnspec if absent.
func (t Tuple) Family() netfilter.Family {
	switch {
	case t.Src.Is4():
		return netfilter.FamilyIPv4
	case t.Src.IsValid():
		return netfilter.FamilyIPv6
	}
	return netfilter.FamilyUnspec
}

// Compare orders tuples: by source address (IPv4 before IPv6), then
// destination address, protocol, ports, ICMP id, type and code, and
// direction zone. It returns -1, 0 or +1, for slices.SortFunc and the like.
func (t Tuple) Compare(u Tuple) int {
	if c := t.Src.Compare(u.Src); c != 0 {
		return c
	}
	if c := t.Dst.Compare(u.Dst); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(t.Proto, u.Proto), cmp.Compare(t.SrcPort, u.SrcPort), cmp.Compare(t.DstPort, u.DstPort),
		cmp.Compare(t.ICMPID, u.ICMPID), cmp.Compare(t.ICMPType, u.ICMPType), cmp.Compare(t.ICMPCode, u.ICMPCode),
		compareBool(t.HasZone, u.HasZone), cmp.Compare(t.Zone, u.Zone))
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// Reverse returns the tuple of the other direction as the tracker makes it
// without NAT: addresses and ports swapped; an ICMP echo request (type 8,
// ICMPv6 128) becomes its reply, and the other query types likewise.
func (t Tuple) Reverse() Tuple {
	r := t
	r.Src, r.Dst = t.Dst, t.Src
	r.SrcPort, r.DstPort = t.DstPort, t.SrcPort
	switch t.Proto {
	case ProtoICMP:
		if inv, ok := icmpInverse[t.ICMPType]; ok {
			r.ICMPType = inv
		}
	case ProtoICMPv6:
		if inv, ok := icmp6Inverse[t.ICMPType]; ok {
			r.ICMPType = inv
		}
	}
	return r
}

// The query types the tracker inverts (nf_conntrack_proto_icmp(v6).c).
var (
	icmpInverse  = map[uint8]uint8{8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 17: 18, 18: 17}
	icmp6Inverse = map[uint8]uint8{128: 129, 129: 128, 139: 140, 140: 139}
)

// Counter is a direction's accounting (CTA_COUNTERS_ORIG/REPLY), kept
// when net.netfilter.nf_conntrack_acct is on.
type Counter struct {
	Packets uint64 // CTA_COUNTERS_PACKETS
	Bytes   uint64 // CTA_COUNTERS_BYTES
}

// TCPFlags is a direction's tracker flags (struct nf_ct_tcp_flags).
type TCPFlags struct {
	Flags uint8 // IP_CT_TCP_FLAG_*: window scale, SACK permitted, close init, be liberal ...
	Mask  uint8 // which Flags are set by a change
}

// TCPInfo is CTA_PROTOINFO_TCP.
type TCPInfo struct {
	State       TCPState // CTA_PROTOINFO_TCP_STATE
	WScaleOrig  uint8    // CTA_PROTOINFO_TCP_WSCALE_ORIGINAL
	WScaleReply uint8    // CTA_PROTOINFO_TCP_WSCALE_REPLY
	FlagsOrig   TCPFlags // CTA_PROTOINFO_TCP_FLAGS_ORIGINAL
	FlagsReply  TCPFlags // CTA_PROTOINFO_TCP_FLAGS_REPLY
}

// SeqAdj is a direction's sequence adjustment for NAT helpers
// (CTA_SEQ_ADJ_ORIG/REPLY).
type SeqAdj struct {
	CorrectionPos uint32 // CTA_SEQADJ_CORRECTION_POS
	OffsetBefore  int32  // CTA_SEQADJ_OFFSET_BEFORE
	OffsetAfter   int32  // CTA_SEQADJ_OFFSET_AFTER
}

// Synproxy is CTA_SYNPROXY: the SYN proxy's sequence state.
type Synproxy struct {
	ISN   uint32 // CTA_SYNPROXY_ISN
	ITS   uint32 // CTA_SYNPROXY_ITS
	TSOff uint32 // CTA_SYNPROXY_TSOFF
}

// Labels is the flow's 128 connection-tracking label bits (CTA_LABELS),
// bit n in byte n/8 as the kernel stores them (a little-endian bitmap on
// little-endian hosts).
type Labels [16]byte

// Bit reports whether label bit n is set.
func (l Labels) Bit(n int) bool {
	if n < 0 || n >= 128 {
		return false
	}
	w := binary.NativeEndian.Uint32(l[n/32*4:])
	return w&(1<<(n%32)) != 0
}

// SetBit sets label bit n (0..127).
func (l *Labels) SetBit(n int) {
	if n < 0 || n >= 128 {
		return
	}
	w := binary.NativeEndian.Uint32(l[n/32*4:])
	binary.NativeEndian.PutUint32(l[n/32*4:], w|1<<(n%32))
}

// IsZero reports whether no label is set.
func (l Labels) IsZero() bool { return l == Labels{} }

// NATRange is a network address translation a new flow gets
// (CTA_NAT_SRC, CTA_NAT_DST): addresses from Min to Max (Max zero: Min
// alone) and, when MinPort is not 0, ports from MinPort to MaxPort (0:
// MinPort alone). The zero NATRange is none.
type NATRange struct {
	Min, Max         netip.Addr // CTA_NAT_V4_MINIP/MAXIP or CTA_NAT_V6_MINIP/MAXIP
	MinPort, MaxPort uint16     // CTA_NAT_PROTO/CTA_PROTONAT_PORT_MIN/MAX
}

// IsValid reports whether the range has an address.
func (r NATRange) IsValid() bool { return r.Min.IsValid() }

// NAT is the address translation of a new flow: source NAT (the reply
// comes back to Src's range) and destination NAT.
type NAT struct {
	Src NATRange // CTA_NAT_SRC
	Dst NATRange // CTA_NAT_DST
}

// Flow is one entry of the connection tracking table. It is a comparable
// value type: decoding one allocates nothing but its Helper and SecCtx
// strings (and NAT, which the kernel never reports). Zero fields were not reported; Has says which attributes the
// kernel sent (a mark of 0 is reported, a timeout of 0 not).
type Flow struct {
	Family netfilter.Family // nfgen_family: FamilyIPv4 or FamilyIPv6

	Orig   Tuple // CTA_TUPLE_ORIG
	Reply  Tuple // CTA_TUPLE_REPLY
	Master Tuple // CTA_TUPLE_MASTER: the flow whose expectation made this one

	ID      uint32        // CTA_ID: the kernel's id for this entry's life
	Status  Status        // CTA_STATUS
	Timeout time.Duration // CTA_TIMEOUT: time left, in whole seconds
	Mark    uint32        // CTA_MARK
	Zone    uint16        // CTA_ZONE
	Use     uint32        // CTA_USE: references held
	Labels  Labels        // CTA_LABELS
	Helper  string        // CTA_HELP/CTA_HELP_NAME
	SecCtx  string        // CTA_SECCTX/CTA_SECCTX_NAME
	SecMark uint32        // CTA_SECMARK (obsolete kernels)

	CountersOrig  Counter // CTA_COUNTERS_ORIG
	CountersReply Counter // CTA_COUNTERS_REPLY

	Start, Stop time.Time // CTA_TIMESTAMP_START/STOP (nf_conntrack_timestamp on)

	TCP       TCPInfo // CTA_PROTOINFO/CTA_PROTOINFO_TCP
	SCTPState uint8   // CTA_PROTOINFO/CTA_PROTOINFO_SCTP/CTA_PROTOINFO_SCTP_STATE
	DCCPState uint8   // CTA_PROTOINFO/CTA_PROTOINFO_DCCP/CTA_PROTOINFO_DCCP_STATE

	SeqAdjOrig  SeqAdj   // CTA_SEQ_ADJ_ORIG
	SeqAdjReply SeqAdj   // CTA_SEQ_ADJ_REPLY
	Synproxy    Synproxy // CTA_SYNPROXY

	// NAT is the translation AddFlow asks for (CTA_NAT_SRC, CTA_NAT_DST);
	// the kernel then rewrites the reply tuple. Dumps never report it (the
	// reply tuple shows it), so it is nil there and costs a dumped Flow
	// nothing. Being a pointer, it makes == compare identity: compare
	// *NAT values yourself.
	NAT *NAT

	present uint32 // bit n: attribute n (Attr*) was reported
}

// Has reports whether the kernel reported top-level attribute attr
// (AttrMark, AttrTimeout, AttrCountersOrig ...). Flows built by hand report
// nothing.
func (f *Flow) Has(attr int) bool { return attr >= 0 && attr < 32 && f.present&(1<<attr) != 0 }

// ErrNoTuple is wrapped by decoding errors of a flow without an original
// tuple and by requests that need one.
var ErrNoTuple = errors.New("conntrack: flow has no original tuple")

// UnmarshalBinary decodes f from the payload of a ctnetlink message: the
// nfgenmsg header and the attributes. Unknown attributes are skipped; a
// known one of the wrong length is an error naming it by its path
// ("CTA_TUPLE_ORIG/CTA_TUPLE_PROTO/CTA_PROTO_SRC_PORT").
func (f *Flow) UnmarshalBinary(b []byte) error {
	var h netfilter.Header
	if err := h.UnmarshalBinary(b); err != nil {
		return fmt.Errorf("conntrack: decode flow: %w", err)
	}
	return decodeFlow(f, h.Family, b[netfilter.HeaderLen:])
}

// decodeFlow decodes the attributes of a flow.
func decodeFlow(f *Flow, fam netfilter.Family, b []byte) error {
	*f = Flow{Family: fam}
	d := nlattr.NewDecoder(b)
	for d.Next() {
		t := d.Type()
		if t < 32 {
			f.present |= 1 << t
		}
		switch t {
		case AttrTupleOrig:
			decodeTuple(&d, &f.Orig)
		case AttrTupleReply:
			decodeTuple(&d, &f.Reply)
		case AttrTupleMaster:
			decodeTuple(&d, &f.Master)
		case AttrStatus:
			f.Status = Status(d.Uint32BE())
		case AttrTimeout:
			f.Timeout = time.Duration(d.Uint32BE()) * time.Second
		case AttrMark:
			f.Mark = d.Uint32BE()
		case AttrUse:
			f.Use = d.Uint32BE()
		case AttrID:
			f.ID = d.Uint32BE()
		case AttrZone:
			f.Zone = d.Uint16BE()
		case AttrSecMark:
			f.SecMark = d.Uint32BE()
		case AttrLabels:
			if d.Len() != len(f.Labels) {
				d.Fail(nlattr.ErrBadLength)
				break
			}
			copy(f.Labels[:], d.Bytes())
		case AttrHelp:
			n := d.Nested()
			for n.Next() {
				if n.Type() == ctaHelpName {
					f.Helper = n.StringOf("ftp", "tftp", "sip", "irc", "amanda", "h323", "pptp", "sane", "snmp", "netbios-ns")
				}
			}
		case AttrSecCtx:
			n := d.Nested()
			for n.Next() {
				if n.Type() == ctaSecCtxName {
					f.SecCtx = n.String()
				}
			}
		case AttrCountersOrig:
			decodeCounter(&d, &f.CountersOrig)
		case AttrCountersReply:
			decodeCounter(&d, &f.CountersReply)
		case AttrTimestamp:
			n := d.Nested()
			for n.Next() {
				switch n.Type() {
				case ctaTimestampStart:
					f.Start = nsTime(n.Uint64BE())
				case ctaTimestampStop:
					f.Stop = nsTime(n.Uint64BE())
				}
			}
		case AttrProtoInfo:
			decodeProtoInfo(&d, f)
		case AttrSeqAdjOrig:
			decodeSeqAdj(&d, &f.SeqAdjOrig)
		case AttrSeqAdjReply:
			decodeSeqAdj(&d, &f.SeqAdjReply)
		case AttrNATSrc, AttrNATDst:
			if f.NAT == nil {
				f.NAT = new(NAT)
			}
			if t == AttrNATSrc {
				decodeNAT(&d, &f.NAT.Src)
			} else {
				decodeNAT(&d, &f.NAT.Dst)
			}
		case AttrSynproxy:
			n := d.Nested()
			for n.Next() {
				switch n.Type() {
				case ctaSynproxyISN:
					f.Synproxy.ISN = n.Uint32BE()
				case ctaSynproxyITS:
					f.Synproxy.ITS = n.Uint32BE()
				case ctaSynproxyTSOff:
					f.Synproxy.TSOff = n.Uint32BE()
				}
			}
		}
	}
	if err := d.Err(); err != nil {
		return decodeError("flow", b, err)
	}
	if !f.Orig.IsValid() {
		return fmt.Errorf("conntrack: decode flow: %w", ErrNoTuple)
	}
	return nil
}

func nsTime(ns uint64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(min(ns, 1<<63-1)))
}

// decodeTuple decodes a tuple nest.
func decodeTuple(d *nlattr.Decoder, t *Tuple) {
	n := d.Nested()
	for n.Next() {
		switch n.Type() {
		case ctaTupleIP:
			ip := n.Nested()
			for ip.Next() {
				switch ip.Type() {
				case ctaIPv4Src:
					t.Src = addrOf(&ip, 4)
				case ctaIPv4Dst:
					t.Dst = addrOf(&ip, 4)
				case ctaIPv6Src:
					t.Src = addrOf(&ip, 16)
				case ctaIPv6Dst:
					t.Dst = addrOf(&ip, 16)
				}
			}
		case ctaTupleProto:
			p := n.Nested()
			for p.Next() {
				switch p.Type() {
				case ctaProtoNum:
					t.Proto = p.Uint8()
				case ctaProtoSrcPort:
					t.SrcPort = p.Uint16BE()
				case ctaProtoDstPort:
					t.DstPort = p.Uint16BE()
				case ctaProtoICMPID, ctaProtoICMPv6ID:
					t.ICMPID = p.Uint16BE()
				case ctaProtoICMPType, ctaProtoICMPv6Type:
					t.ICMPType = p.Uint8()
				case ctaProtoICMPCode, ctaProtoICMPv6Code:
					t.ICMPCode = p.Uint8()
				}
			}
		case ctaTupleZone:
			t.Zone = n.Uint16BE()
			t.HasZone = true
		}
	}
}

// enum ctattr_nat and ctattr_protonat.
const (
	ctaNATv4MinIP      = 1
	ctaNATv4MaxIP      = 2
	ctaNATProto        = 3
	ctaNATv6MinIP      = 4
	ctaNATv6MaxIP      = 5
	ctaProtoNATPortMin = 1
	ctaProtoNATPortMax = 2
)

func decodeNAT(d *nlattr.Decoder, r *NATRange) {
	n := d.Nested()
	for n.Next() {
		switch n.Type() {
		case ctaNATv4MinIP:
			r.Min = addrOf(&n, 4)
		case ctaNATv4MaxIP:
			r.Max = addrOf(&n, 4)
		case ctaNATv6MinIP:
			r.Min = addrOf(&n, 16)
		case ctaNATv6MaxIP:
			r.Max = addrOf(&n, 16)
		case ctaNATProto:
			p := n.Nested()
			for p.Next() {
				switch p.Type() {
				case ctaProtoNATPortMin:
					r.MinPort = p.Uint16BE()
				case ctaProtoNATPortMax:
					r.MaxPort = p.Uint16BE()
				}
			}
		}
	}
}

func encodeNAT(e *nlattr.Encoder, typ uint16, r NATRange) {
	max := r.Max
	if !max.IsValid() {
		max = r.Min
	}
	e.Nest(typ)
	if r.Min.Is4() {
		e.Addr(ctaNATv4MinIP, r.Min)
		e.Addr(ctaNATv4MaxIP, max)
	} else {
		e.Addr(ctaNATv6MinIP, r.Min.WithZone(""))
		e.Addr(ctaNATv6MaxIP, max.WithZone(""))
	}
	if r.MinPort != 0 {
		maxPort := r.MaxPort
		if maxPort == 0 {
			maxPort = r.MinPort
		}
		e.Nest(ctaNATProto)
		e.Uint16BE(ctaProtoNATPortMin, r.MinPort)
		e.Uint16BE(ctaProtoNATPortMax, maxPort)
		e.End()
	}
	e.End()
}

// addrOf reads an address of exactly size bytes.
func addrOf(d *nlattr.Decoder, size int) netip.Addr {
	if d.Len() != size {
		d.Fail(nlattr.ErrBadLength)
		return netip.Addr{}
	}
	return d.Addr()
}

func decodeCounter(d *nlattr.Decoder, c *Counter) {
	n := d.Nested()
	for n.Next() {
		switch n.Type() {
		case ctaCountersPackets:
			c.Packets = n.Uint64BE()
		case ctaCountersBytes:
			c.Bytes = n.Uint64BE()
		case ctaCounters32Packets:
			c.Packets = uint64(n.Uint32BE())
		case ctaCounters32Bytes:
			c.Bytes = uint64(n.Uint32BE())
		}
	}
}

func decodeSeqAdj(d *nlattr.Decoder, s *SeqAdj) {
	n := d.Nested()
	for n.Next() {
		switch n.Type() {
		case ctaSeqAdjCorrectionPos:
			s.CorrectionPos = n.Uint32BE()
		case ctaSeqAdjOffsetBefore:
			s.OffsetBefore = int32(n.Uint32BE())
		case ctaSeqAdjOffsetAfter:
			s.OffsetAfter = int32(n.Uint32BE())
		}
	}
}

func decodeProtoInfo(d *nlattr.Decoder, f *Flow) {
	n := d.Nested()
	for n.Next() {
		switch n.Type() {
		case ctaProtoInfoTCP:
			t := n.Nested()
			for t.Next() {
				switch t.Type() {
				case ctaProtoInfoTCPState:
					f.TCP.State = TCPState(t.Uint8())
				case ctaProtoInfoTCPWScaleOrig:
					f.TCP.WScaleOrig = t.Uint8()
				case ctaProtoInfoTCPWScaleReply:
					f.TCP.WScaleReply = t.Uint8()
				case ctaProtoInfoTCPFlagsOrig:
					f.TCP.FlagsOrig = tcpFlagsOf(&t)
				case ctaProtoInfoTCPFlagsReply:
					f.TCP.FlagsReply = tcpFlagsOf(&t)
				}
			}
		case ctaProtoInfoSCTP:
			s := n.Nested()
			for s.Next() {
				if s.Type() == ctaProtoInfoSCTPState {
					f.SCTPState = s.Uint8()
				}
			}
		case ctaProtoInfoDCCP:
			s := n.Nested()
			for s.Next() {
				if s.Type() == ctaProtoInfoDCCPState {
					f.DCCPState = s.Uint8()
				}
			}
		}
	}
}

func tcpFlagsOf(d *nlattr.Decoder) TCPFlags {
	if d.Len() != 2 {
		d.Fail(nlattr.ErrBadLength)
		return TCPFlags{}
	}
	b := d.Bytes()
	return TCPFlags{Flags: b[0], Mask: b[1]}
}

// MarshalBinary encodes f as the payload of a ctnetlink flow message
// (nfgenmsg header and attributes), as the kernel reports a flow: every
// field UnmarshalBinary reads that is set (the reply tuple computed by
// Tuple.Reverse when absent), so that UnmarshalBinary gives f back. A
// fake kernel (package cttest) answers with it.
func (f Flow) MarshalBinary() ([]byte, error) { return f.AppendBinary(nil) }

// AppendBinary appends MarshalBinary's bytes to b.
func (f Flow) AppendBinary(b []byte) ([]byte, error) {
	fam := f.Family
	if fam == netfilter.FamilyUnspec {
		fam = f.Orig.Family()
	}
	b, _ = netfilter.Header{Family: fam, Version: netfilter.Version}.AppendBinary(b)
	e := nlattr.NewEncoder(b)
	encodeFlow(e, &f, true)
	encodeReported(e, &f)
	return e.Finish()
}

// encodeReported appends what the kernel reports and a request does not
// carry: id, use, counters, timestamps, security context and mark.
func encodeReported(e *nlattr.Encoder, f *Flow) {
	if f.ID != 0 {
		e.Uint32BE(AttrID, f.ID)
	}
	if f.Use != 0 {
		e.Uint32BE(AttrUse, f.Use)
	}
	if f.SecMark != 0 {
		e.Uint32BE(AttrSecMark, f.SecMark)
	}
	if f.SecCtx != "" {
		e.Nest(AttrSecCtx)
		e.String(ctaSecCtxName, f.SecCtx)
		e.End()
	}
	counter := func(typ uint16, c Counter, has bool) {
		if c == (Counter{}) && !has {
			return
		}
		e.Nest(typ)
		e.Uint64BE(ctaCountersPackets, c.Packets)
		e.Uint64BE(ctaCountersBytes, c.Bytes)
		e.End()
	}
	counter(AttrCountersOrig, f.CountersOrig, f.Has(AttrCountersOrig))
	counter(AttrCountersReply, f.CountersReply, f.Has(AttrCountersReply))
	if !f.Start.IsZero() || !f.Stop.IsZero() {
		e.Nest(AttrTimestamp)
		if !f.Start.IsZero() {
			e.Uint64BE(ctaTimestampStart, uint64(f.Start.UnixNano()))
		}
		if !f.Stop.IsZero() {
			e.Uint64BE(ctaTimestampStop, uint64(f.Stop.UnixNano()))
		}
		e.End()
	}
	if f.Mark == 0 && f.Has(AttrMark) {
		e.Uint32BE(AttrMark, 0) // reported as 0, which a request leaves out
	}
}

// encodeFlow appends the attributes of f that a request carries: both
// tuples (the reply one computed by Tuple.Reverse when absent) when full,
// and every set field.
func encodeFlow(e *nlattr.Encoder, f *Flow, full bool) {
	encodeTuple(e, AttrTupleOrig, f.Orig)
	if full {
		r := f.Reply
		if !r.IsValid() {
			r = f.Orig.Reverse()
			r.HasZone = false
		}
		encodeTuple(e, AttrTupleReply, r)
	}
	if f.Master.IsValid() {
		encodeTuple(e, AttrTupleMaster, f.Master)
	}
	if f.Zone != 0 {
		e.Uint16BE(AttrZone, f.Zone)
	}
	if f.Status != 0 {
		// The kernel refuses to clear IPS_CONFIRMED, which an entry
		// made over netlink has from the start (EBUSY).
		e.Uint32BE(AttrStatus, uint32(f.Status|StatusConfirmed))
	}
	if f.Timeout != 0 {
		e.Uint32BE(AttrTimeout, seconds(f.Timeout))
	}
	if f.Mark != 0 {
		e.Uint32BE(AttrMark, f.Mark)
	}
	if !f.Labels.IsZero() {
		e.Bytes(AttrLabels, f.Labels[:])
		ones := Labels{}
		for i := range ones {
			ones[i] = 0xff
		}
		e.Bytes(AttrLabelsMask, ones[:])
	}
	if f.Helper != "" {
		e.Nest(AttrHelp)
		e.String(ctaHelpName, f.Helper)
		e.End()
	}
	if f.Orig.Proto == ProtoTCP && f.TCP != (TCPInfo{}) {
		e.Nest(AttrProtoInfo)
		e.Nest(ctaProtoInfoTCP)
		e.Uint8(ctaProtoInfoTCPState, uint8(f.TCP.State))
		if f.TCP.WScaleOrig != 0 || f.TCP.WScaleReply != 0 {
			e.Uint8(ctaProtoInfoTCPWScaleOrig, f.TCP.WScaleOrig)
			e.Uint8(ctaProtoInfoTCPWScaleReply, f.TCP.WScaleReply)
		}
		if f.TCP.FlagsOrig != (TCPFlags{}) {
			e.Bytes(ctaProtoInfoTCPFlagsOrig, []byte{f.TCP.FlagsOrig.Flags, f.TCP.FlagsOrig.Mask})
		}
		if f.TCP.FlagsReply != (TCPFlags{}) {
			e.Bytes(ctaProtoInfoTCPFlagsReply, []byte{f.TCP.FlagsReply.Flags, f.TCP.FlagsReply.Mask})
		}
		e.End()
		e.End()
	}
	if f.SeqAdjOrig != (SeqAdj{}) {
		encodeSeqAdj(e, AttrSeqAdjOrig, f.SeqAdjOrig)
	}
	if f.SeqAdjReply != (SeqAdj{}) {
		encodeSeqAdj(e, AttrSeqAdjReply, f.SeqAdjReply)
	}
	if f.NAT != nil && f.NAT.Src.IsValid() {
		encodeNAT(e, AttrNATSrc, f.NAT.Src)
	}
	if f.NAT != nil && f.NAT.Dst.IsValid() {
		encodeNAT(e, AttrNATDst, f.NAT.Dst)
	}
	if f.Synproxy != (Synproxy{}) {
		e.Nest(AttrSynproxy)
		e.Uint32BE(ctaSynproxyISN, f.Synproxy.ISN)
		e.Uint32BE(ctaSynproxyITS, f.Synproxy.ITS)
		e.Uint32BE(ctaSynproxyTSOff, f.Synproxy.TSOff)
		e.End()
	}
}

func encodeSeqAdj(e *nlattr.Encoder, typ uint16, s SeqAdj) {
	e.Nest(typ)
	e.Uint32BE(ctaSeqAdjCorrectionPos, s.CorrectionPos)
	e.Uint32BE(ctaSeqAdjOffsetBefore, uint32(s.OffsetBefore))
	e.Uint32BE(ctaSeqAdjOffsetAfter, uint32(s.OffsetAfter))
	e.End()
}

// seconds converts a timeout to whole seconds, rounding up a fraction.
func seconds(d time.Duration) uint32 {
	s := (d + time.Second - 1) / time.Second
	return uint32(min(max(s, 0), 1<<32-1))
}

// encodeTuple appends a tuple nest of type typ.
func encodeTuple(e *nlattr.Encoder, typ uint16, t Tuple) {
	e.Nest(typ)
	e.Nest(ctaTupleIP)
	if t.Src.Is4() {
		e.Addr(ctaIPv4Src, t.Src)
		e.Addr(ctaIPv4Dst, t.Dst)
	} else {
		e.Addr(ctaIPv6Src, t.Src.WithZone(""))
		e.Addr(ctaIPv6Dst, t.Dst.WithZone(""))
	}
	e.End()
	e.Nest(ctaTupleProto)
	e.Uint8(ctaProtoNum, t.Proto)
	switch t.Proto {
	case ProtoICMP:
		e.Uint16BE(ctaProtoICMPID, t.ICMPID)
		e.Uint8(ctaProtoICMPType, t.ICMPType)
		e.Uint8(ctaProtoICMPCode, t.ICMPCode)
	case ProtoICMPv6:
		e.Uint16BE(ctaProtoICMPv6ID, t.ICMPID)
		e.Uint8(ctaProtoICMPv6Type, t.ICMPType)
		e.Uint8(ctaProtoICMPv6Code, t.ICMPCode)
	case ProtoTCP, ProtoUDP, ProtoUDPLite, ProtoSCTP, ProtoDCCP, ProtoGRE:
		e.Uint16BE(ctaProtoSrcPort, t.SrcPort)
		e.Uint16BE(ctaProtoDstPort, t.DstPort)
	}
	e.End()
	if t.HasZone {
		e.Uint16BE(ctaTupleZone, t.Zone)
	}
	e.End()
}
