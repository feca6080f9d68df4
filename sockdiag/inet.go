package sockdiag

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Attr is an INET_DIAG_* attribute type of an inet socket's reply.
type Attr uint16

// Reply attributes (linux/inet_diag.h).
const (
	AttrMemInfo       Attr = 1  // INET_DIAG_MEMINFO
	AttrInfo          Attr = 2  // INET_DIAG_INFO: tcp_info (mptcp_info for MPTCP)
	AttrVegasInfo     Attr = 3  // INET_DIAG_VEGASINFO
	AttrCong          Attr = 4  // INET_DIAG_CONG
	AttrTOS           Attr = 5  // INET_DIAG_TOS
	AttrTClass        Attr = 6  // INET_DIAG_TCLASS
	AttrSKMemInfo     Attr = 7  // INET_DIAG_SKMEMINFO
	AttrShutdown      Attr = 8  // INET_DIAG_SHUTDOWN
	AttrDCTCPInfo     Attr = 9  // INET_DIAG_DCTCPINFO
	AttrProtocol      Attr = 10 // INET_DIAG_PROTOCOL
	AttrSKV6Only      Attr = 11 // INET_DIAG_SKV6ONLY
	AttrLocals        Attr = 12 // INET_DIAG_LOCALS (SCTP)
	AttrPeers         Attr = 13 // INET_DIAG_PEERS (SCTP)
	AttrPad           Attr = 14 // INET_DIAG_PAD
	AttrMark          Attr = 15 // INET_DIAG_MARK
	AttrBBRInfo       Attr = 16 // INET_DIAG_BBRINFO
	AttrClassID       Attr = 17 // INET_DIAG_CLASS_ID
	AttrMD5Sig        Attr = 18 // INET_DIAG_MD5SIG
	AttrULPInfo       Attr = 19 // INET_DIAG_ULP_INFO
	AttrSKBPFStorages Attr = 20 // INET_DIAG_SK_BPF_STORAGES
	AttrCgroupID      Attr = 21 // INET_DIAG_CGROUP_ID
	AttrSockOpt       Attr = 22 // INET_DIAG_SOCKOPT
)

var attrNames = []string{"none", "meminfo", "info", "vegasinfo", "cong", "tos", "tclass", "skmeminfo", "shutdown", "dctcpinfo", "protocol", "skv6only", "locals", "peers", "pad", "mark", "bbrinfo", "class_id", "md5sig", "ulp_info", "sk_bpf_storages", "cgroup_id", "sockopt"}

// String gives the kernel's name without INET_DIAG_, lower case: "info",
// "skmeminfo" ...
func (a Attr) String() string { return enumText(attrNames, int(a)) }

// AppendText appends String's word.
func (a Attr) AppendText(b []byte) ([]byte, error) { return append(b, a.String()...), nil }

// MarshalText gives String's word.
func (a Attr) MarshalText() ([]byte, error) { return a.AppendText(nil) }

// UnmarshalText reads String's word or a number.
func (a *Attr) UnmarshalText(b []byte) error {
	n, err := enumParse(attrNames, "attribute", string(b), 16)
	*a = Attr(n)
	return err
}

// Extensions asks the kernel for extensions (idiag_ext): a bit per
// attribute type, 1<<(Attr-1), for the first eight types. The others come
// unasked where the kernel has them (mark and class id for CAP_NET_ADMIN,
// cgroup id, socket options). The congestion control's info
// (vegas, dctcp, bbr) comes with ExtInfo or ExtVegasInfo, but bbr's only
// with ExtVegasInfo (its own bit, INET_DIAG_BBRINFO, does not fit the
// byte); ss -i asks for both. The ULP info comes with ExtInfo
// only (measured on Linux 6.18: a TCP subflow of MPTCP reports
// INET_DIAG_ULP_INFO when ExtInfo is asked, not otherwise).
type Extensions uint8

// Extension bits.
const (
	ExtMemInfo   Extensions = 1 << (AttrMemInfo - 1)   // INET_DIAG_MEMINFO
	ExtInfo      Extensions = 1 << (AttrInfo - 1)      // INET_DIAG_INFO, with the congestion control's info
	ExtVegasInfo Extensions = 1 << (AttrVegasInfo - 1) // INET_DIAG_VEGASINFO (the congestion control's info)
	ExtCong      Extensions = 1 << (AttrCong - 1)      // INET_DIAG_CONG: the congestion control's name
	ExtTOS       Extensions = 1 << (AttrTOS - 1)       // INET_DIAG_TOS
	ExtTClass    Extensions = 1 << (AttrTClass - 1)    // INET_DIAG_TCLASS (and class id)
	ExtSKMemInfo Extensions = 1 << (AttrSKMemInfo - 1) // INET_DIAG_SKMEMINFO
	ExtShutdown  Extensions = 1 << (AttrShutdown - 1)  // INET_DIAG_SHUTDOWN
	ExtAll       Extensions = 0xff
)

// NoCookie is the cookie that matches any socket (INET_DIAG_NOCOOKIE).
const NoCookie = ^uint64(0)

// SockID identifies an inet socket (struct inet_diag_sockid).
type SockID struct {
	Src     netip.AddrPort // idiag_src, idiag_sport
	Dst     netip.AddrPort // idiag_dst, idiag_dport
	IfIndex int32          // idiag_if: the bound interface, 0 for none
	// Cookie is the kernel's identity of the socket (idiag_cookie), unique
	// within a boot; NoCookie in a request matches any.
	Cookie uint64
}

// String gives "SRC -> DST", for messages.
func (id SockID) String() string {
	return fmt.Sprintf("%s -> %s", id.Src, id.Dst)
}

const (
	sockIDLen   = 48
	inetReqLen  = 56
	inetMsgLen  = 72
	unspecAddrs = 0
)

// appendSockID encodes id; family picks the address length.
func appendSockID(b []byte, id SockID) []byte {
	b = binary.BigEndian.AppendUint16(b, id.Src.Port())
	b = binary.BigEndian.AppendUint16(b, id.Dst.Port())
	b = appendAddr16(b, id.Src.Addr())
	b = appendAddr16(b, id.Dst.Addr())
	b = binary.NativeEndian.AppendUint32(b, uint32(id.IfIndex))
	b = binary.NativeEndian.AppendUint32(b, uint32(id.Cookie))
	b = binary.NativeEndian.AppendUint32(b, uint32(id.Cookie>>32))
	return b
}

func appendAddr16(b []byte, a netip.Addr) []byte {
	var x [16]byte
	if a.Is4() {
		v := a.As4()
		copy(x[:], v[:])
	} else if a.IsValid() {
		x = a.As16()
	}
	return append(b, x[:]...)
}

func decodeSockID(b []byte, family uint8) SockID {
	var id SockID
	sp := binary.BigEndian.Uint16(b[0:])
	dp := binary.BigEndian.Uint16(b[2:])
	var src, dst netip.Addr
	if family == unix.AF_INET6 {
		src = netip.AddrFrom16([16]byte(b[4:20]))
		dst = netip.AddrFrom16([16]byte(b[20:36]))
	} else {
		src = netip.AddrFrom4([4]byte(b[4:8]))
		dst = netip.AddrFrom4([4]byte(b[20:24]))
	}
	id.Src = netip.AddrPortFrom(src, sp)
	id.Dst = netip.AddrPortFrom(dst, dp)
	id.IfIndex = int32(binary.NativeEndian.Uint32(b[36:]))
	id.Cookie = uint64(binary.NativeEndian.Uint32(b[40:])) | uint64(binary.NativeEndian.Uint32(b[44:]))<<32
	return id
}

// InetSocket is an inet socket as inet_diag reports it (struct
// inet_diag_msg and its attributes). Extensions the kernel did not send
// are zero; Has tells which it sent.
type InetSocket struct {
	Family   uint8    // idiag_family: AF_INET or AF_INET6
	Protocol Protocol // the protocol asked for, or INET_DIAG_PROTOCOL
	State    State    // idiag_state
	Timer    Timer    // idiag_timer
	// Retransmits is idiag_retrans: the retransmit timer's count (for
	// TimerOn), or the keepalive probes sent (TimerKeepalive).
	Retransmits uint8
	ID          SockID
	Expires     time.Duration // idiag_expires: when the timer fires
	RecvQ       uint32        // idiag_rqueue: bytes not yet read (listen: the accept queue)
	SendQ       uint32        // idiag_wqueue: bytes not yet acknowledged (listen: its backlog)
	UID         uint32        // idiag_uid
	Inode       uint32        // idiag_inode: 0 for sockets no file refers to (time-wait, orphans)

	MemInfo   MemInfo   // INET_DIAG_MEMINFO
	TCPInfo   TCPInfo   // INET_DIAG_INFO of TCP
	MPTCPInfo MPTCPInfo // INET_DIAG_INFO of MPTCP
	SKMemInfo SKMemInfo // INET_DIAG_SKMEMINFO
	// Congestion is the congestion control's name (INET_DIAG_CONG).
	Congestion string
	Vegas      VegasInfo // INET_DIAG_VEGASINFO
	DCTCP      DCTCPInfo // INET_DIAG_DCTCPINFO
	BBR        BBRInfo   // INET_DIAG_BBRINFO
	TOS        uint8     // INET_DIAG_TOS
	TClass     uint8     // INET_DIAG_TCLASS
	// Shutdown is INET_DIAG_SHUTDOWN: bit 0 receive (SHUT_RD), bit 1
	// send (SHUT_WR) shut down.
	Shutdown uint8
	V6Only   bool             // INET_DIAG_SKV6ONLY
	Mark     uint32           // INET_DIAG_MARK (reported to CAP_NET_ADMIN)
	ClassID  uint32           // INET_DIAG_CLASS_ID
	CgroupID uint64           // INET_DIAG_CGROUP_ID: the cgroup v2 id
	SockOpt  SockOpt          // INET_DIAG_SOCKOPT
	ULP      ULPInfo          // INET_DIAG_ULP_INFO
	MD5Keys  []MD5Key         // INET_DIAG_MD5SIG
	Locals   []netip.AddrPort // INET_DIAG_LOCALS (SCTP)
	Peers    []netip.AddrPort // INET_DIAG_PEERS (SCTP)

	present uint32 // bit per Attr seen
}

// Has reports whether the kernel sent attribute a.
func (s *InetSocket) Has(a Attr) bool { return a < 32 && s.present&(1<<a) != 0 }

// Clone returns a copy of s that shares nothing with it (dumps reuse
// their socket value; keep clones).
func (s *InetSocket) Clone() *InetSocket {
	c := *s
	c.MD5Keys = append([]MD5Key(nil), s.MD5Keys...)
	c.Locals = append([]netip.AddrPort(nil), s.Locals...)
	c.Peers = append([]netip.AddrPort(nil), s.Peers...)
	return &c
}

// String gives "PROTOCOL STATE SRC -> DST", for messages.
func (s *InetSocket) String() string {
	return fmt.Sprintf("%s %s %s", s.Protocol, s.State, s.ID)
}

// UnmarshalBinary decodes a SOCK_DIAG_BY_FAMILY reply's payload (struct
// inet_diag_msg and its attributes) into s, replacing its contents. The
// protocol is not in the message (but for INET_DIAG_PROTOCOL): it is left
// as it was, for the caller to set. Slices of s are reused when it has
// room. Unknown attributes are skipped; a known one of the wrong length is
// an error naming it.
func (s *InetSocket) UnmarshalBinary(b []byte) error {
	if len(b) < inetMsgLen {
		return errShort("inet socket", len(b), inetMsgLen)
	}
	md5, locals, peers := s.MD5Keys[:0], s.Locals[:0], s.Peers[:0]
	proto := s.Protocol
	*s = InetSocket{MD5Keys: md5, Locals: locals, Peers: peers, Protocol: proto}
	s.Family = b[0]
	s.State = State(b[1])
	s.Timer = Timer(b[2])
	s.Retransmits = b[3]
	s.ID = decodeSockID(b[4:52], s.Family)
	s.Expires = time.Duration(binary.NativeEndian.Uint32(b[52:])) * time.Millisecond
	s.RecvQ = binary.NativeEndian.Uint32(b[56:])
	s.SendQ = binary.NativeEndian.Uint32(b[60:])
	s.UID = binary.NativeEndian.Uint32(b[64:])
	s.Inode = binary.NativeEndian.Uint32(b[68:])
	if len(s.MD5Keys) == 0 {
		s.MD5Keys = nil
	}
	err := s.decodeAttrs(b[inetMsgLen:])
	if s.MD5Keys != nil && len(s.MD5Keys) == 0 {
		s.MD5Keys = nil
	}
	if len(s.Locals) == 0 {
		s.Locals = nil
	}
	if len(s.Peers) == 0 {
		s.Peers = nil
	}
	return decodeError("inet socket", err, func(t uint16) string { return Attr(t).String() })
}

func (s *InetSocket) decodeAttrs(b []byte) error {
	d := nlattr.NewDecoder(b)
	for d.Next() {
		t := Attr(d.Type())
		switch t {
		case AttrMemInfo:
			s.MemInfo.decode(&d)
		case AttrInfo:
			if s.Protocol == ProtocolMPTCP {
				s.MPTCPInfo.decode(d.Bytes())
			} else {
				s.TCPInfo.decode(d.Bytes())
			}
		case AttrVegasInfo:
			s.Vegas.decode(&d)
		case AttrCong:
			s.Congestion = internName(d.Bytes())
		case AttrTOS:
			s.TOS = d.Uint8()
		case AttrTClass:
			s.TClass = d.Uint8()
		case AttrSKMemInfo:
			s.SKMemInfo.decode(&d)
		case AttrShutdown:
			s.Shutdown = d.Uint8()
		case AttrDCTCPInfo:
			s.DCTCP.decode(&d)
		case AttrProtocol:
			s.Protocol = Protocol(d.Uint8())
		case AttrSKV6Only:
			s.V6Only = d.Uint8() != 0
		case AttrLocals:
			s.Locals = decodeSockaddrs(&d, s.Locals)
		case AttrPeers:
			s.Peers = decodeSockaddrs(&d, s.Peers)
		case AttrMark:
			s.Mark = d.Uint32()
		case AttrBBRInfo:
			s.BBR.decode(&d)
		case AttrClassID:
			s.ClassID = d.Uint32()
		case AttrMD5Sig:
			s.MD5Keys = decodeMD5(&d, s.MD5Keys)
		case AttrULPInfo:
			s.ULP.decode(&d)
		case AttrCgroupID:
			s.CgroupID = d.Uint64()
		case AttrSockOpt:
			s.SockOpt.decode(&d)
		default:
			continue
		}
		if t < 32 {
			s.present |= 1 << t
		}
	}
	return d.Err()
}

// internName returns the congestion control or ULP name in b, without
// allocating for the names Linux has.
func internName(b []byte) string {
	if i := indexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	for _, n := range knownNames {
		if string(b) == n {
			return n
		}
	}
	return string(b)
}

var knownNames = []string{"cubic", "bbr", "reno", "dctcp", "vegas", "bic", "westwood", "htcp", "highspeed", "hybla", "illinois", "lp", "nv", "scalable", "veno", "yeah", "cdg", "tls", "mptcp", "espintcp", "smc"}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// AppendBinary appends the encoding of s as the kernel sends it: struct
// inet_diag_msg and the attributes Has reports.
func (s *InetSocket) AppendBinary(b []byte) ([]byte, error) {
	b = append(b, s.Family, byte(s.State), byte(s.Timer), s.Retransmits)
	id := s.ID
	b = appendSockID(b, id)
	b = binary.NativeEndian.AppendUint32(b, uint32(s.Expires/time.Millisecond))
	b = binary.NativeEndian.AppendUint32(b, s.RecvQ)
	b = binary.NativeEndian.AppendUint32(b, s.SendQ)
	b = binary.NativeEndian.AppendUint32(b, s.UID)
	b = binary.NativeEndian.AppendUint32(b, s.Inode)
	e := nlattr.NewEncoder(b)
	if s.Has(AttrMemInfo) {
		e.Bytes(uint16(AttrMemInfo), s.MemInfo.append(nil))
	}
	if s.Has(AttrInfo) {
		if s.Protocol == ProtocolMPTCP {
			e.Bytes(uint16(AttrInfo), s.MPTCPInfo.append(nil))
		} else {
			e.Bytes(uint16(AttrInfo), s.TCPInfo.append(nil))
		}
	}
	if s.Has(AttrVegasInfo) {
		e.Bytes(uint16(AttrVegasInfo), s.Vegas.append(nil))
	}
	if s.Has(AttrCong) {
		e.Bytes(uint16(AttrCong), append([]byte(s.Congestion), 0))
	}
	if s.Has(AttrTOS) {
		e.Uint8(uint16(AttrTOS), s.TOS)
	}
	if s.Has(AttrTClass) {
		e.Uint8(uint16(AttrTClass), s.TClass)
	}
	if s.Has(AttrSKMemInfo) {
		e.Bytes(uint16(AttrSKMemInfo), s.SKMemInfo.append(nil))
	}
	if s.Has(AttrShutdown) {
		e.Uint8(uint16(AttrShutdown), s.Shutdown)
	}
	if s.Has(AttrDCTCPInfo) {
		e.Bytes(uint16(AttrDCTCPInfo), s.DCTCP.append(nil))
	}
	if s.Has(AttrProtocol) {
		e.Uint8(uint16(AttrProtocol), uint8(s.Protocol))
	}
	if s.Has(AttrSKV6Only) {
		e.Uint8(uint16(AttrSKV6Only), boolByte(s.V6Only))
	}
	if s.Has(AttrLocals) {
		e.Bytes(uint16(AttrLocals), appendSockaddrs(nil, s.Locals))
	}
	if s.Has(AttrPeers) {
		e.Bytes(uint16(AttrPeers), appendSockaddrs(nil, s.Peers))
	}
	if s.Has(AttrMark) {
		e.Uint32(uint16(AttrMark), s.Mark)
	}
	if s.Has(AttrBBRInfo) {
		e.Bytes(uint16(AttrBBRInfo), s.BBR.append(nil))
	}
	if s.Has(AttrClassID) {
		e.Uint32(uint16(AttrClassID), s.ClassID)
	}
	if s.Has(AttrMD5Sig) {
		e.Bytes(uint16(AttrMD5Sig), appendMD5(nil, s.MD5Keys))
	}
	if s.Has(AttrULPInfo) {
		s.ULP.encode(e)
	}
	if s.Has(AttrCgroupID) {
		e.Uint64(uint16(AttrCgroupID), s.CgroupID)
	}
	if s.Has(AttrSockOpt) {
		e.Uint16(uint16(AttrSockOpt), uint16(s.SockOpt))
	}
	return e.Finish()
}

// MarshalBinary encodes s as AppendBinary does.
func (s *InetSocket) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// InetFilter selects the inet sockets of a dump. Its zero value selects
// every TCP socket of both families.
type InetFilter struct {
	// Family is unix.AF_INET or unix.AF_INET6; 0 dumps both (two
	// requests: the kernel answers one family per request).
	Family uint8
	// Protocol is the protocol; 0 is TCP.
	Protocol Protocol
	// RawProtocol is the protocol of the raw sockets to list
	// (sdiag_raw_protocol), with ProtocolRaw; 0 is IPPROTO_RAW (255).
	RawProtocol uint8
	// States selects by state (idiag_states); 0 is every state.
	States States
	// Extensions asks for extensions (idiag_ext).
	Extensions Extensions
	// Expr, if set, is compiled to the kernel's bytecode
	// (INET_DIAG_REQ_BYTECODE): the kernel sends only the sockets it
	// accepts.
	Expr *Expr
}

func (f *InetFilter) proto() Protocol {
	if f == nil || f.Protocol == 0 {
		return ProtocolTCP
	}
	return f.Protocol
}

// appendInetRequest appends struct inet_diag_req_v2 and its attributes.
func appendInetRequest(b []byte, family uint8, proto Protocol, raw uint8, states States, ext Extensions, id SockID, bytecode []byte) ([]byte, error) {
	sp := uint8(proto)
	if proto > 255 {
		sp = 0
	}
	if states == 0 {
		states = ^States(0)
	}
	if proto == ProtocolRaw && raw == 0 {
		raw = unix.IPPROTO_RAW
	}
	b = append(b, family, sp, uint8(ext), raw)
	b = binary.NativeEndian.AppendUint32(b, uint32(states))
	b = appendSockID(b, id)
	e := nlattr.NewEncoder(b)
	if bytecode != nil {
		e.Bytes(1, bytecode) // INET_DIAG_REQ_BYTECODE
	}
	if proto > 255 {
		e.Uint32(3, uint32(proto)) // INET_DIAG_REQ_PROTOCOL
	}
	return e.Finish()
}

func familyName(f uint8) string {
	switch f {
	case unix.AF_INET:
		return "inet"
	case unix.AF_INET6:
		return "inet6"
	}
	return "inet/inet6"
}

// InetSockets dumps the inet sockets f selects (nil: every TCP socket).
// It is a single-use iterator: it yields one reused *InetSocket, valid
// until the loop body returns (Clone what you keep), and stops at the
// first error. With Family 0 it dumps IPv4 then IPv6.
func (c *Conn) InetSockets(ctx context.Context, f *InetFilter) iter.Seq2[*InetSocket, error] {
	return func(yield func(*InetSocket, error) bool) {
		var ff InetFilter
		if f != nil {
			ff = *f
		}
		proto := f.proto()
		op := "list " + proto.String() + " sockets"
		var bc []byte
		if ff.Expr != nil {
			var err error
			if bc, err = ff.Expr.AppendBinary(nil); err != nil {
				yield(nil, fmt.Errorf("sockdiag: %s: %w", op, err))
				return
			}
		}
		fams := []uint8{ff.Family}
		if ff.Family == 0 {
			fams = []uint8{unix.AF_INET, unix.AF_INET6}
		}
		s := &InetSocket{}
		for _, fam := range fams {
			req, err := appendInetRequest(make([]byte, 0, inetReqLen+8+len(bc)), fam, proto, ff.RawProtocol, ff.States, ff.Extensions, SockID{Cookie: NoCookie}, bc)
			if err != nil {
				yield(nil, fmt.Errorf("sockdiag: %s: %w", op, err))
				return
			}
			for b, err := range c.dump(ctx, op, req) {
				if err != nil {
					yield(nil, err)
					return
				}
				s.Protocol = proto
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
}

// InetSocketList returns the sockets InetSockets yields, as owned copies.
func (c *Conn) InetSocketList(ctx context.Context, f *InetFilter) ([]*InetSocket, error) {
	var out []*InetSocket
	for s, err := range c.InetSockets(ctx, f) {
		if err != nil {
			return out, err
		}
		out = append(out, s.Clone())
	}
	return out, nil
}

// InetSocket looks up one socket of protocol proto by its 4-tuple (and
// bound interface) in id, and by its cookie unless id.Cookie is NoCookie
// (a get request, not a dump). The family is the address family of
// id.Src. ext asks for extensions. No such socket gives a *netlink.Error
// with ENOENT.
func (c *Conn) InetSocket(ctx context.Context, proto Protocol, id SockID, ext Extensions) (*InetSocket, error) {
	op := "get " + proto.String() + " socket " + id.String()
	fam, err := idFamily(id)
	if err != nil {
		return nil, fmt.Errorf("sockdiag: %s: %w", op, err)
	}
	req, err := appendInetRequest(nil, fam, proto, 0, AllStates, ext, id, nil)
	if err != nil {
		return nil, fmt.Errorf("sockdiag: %s: %w", op, err)
	}
	rs, err := c.execute(ctx, op, typeByFamily, req)
	if err != nil {
		return nil, err
	}
	if len(rs) != 1 {
		return nil, fmt.Errorf("sockdiag: %s: %d replies, want 1: %w", op, len(rs), netlink.ErrMalformed)
	}
	s := &InetSocket{Protocol: proto}
	if err := s.UnmarshalBinary(rs[0]); err != nil {
		return nil, err
	}
	return s, nil
}

func idFamily(id SockID) (uint8, error) {
	switch {
	case id.Src.Addr().Is4() && (!id.Dst.Addr().IsValid() || id.Dst.Addr().Is4()):
		return unix.AF_INET, nil
	case id.Src.Addr().Is6() && (!id.Dst.Addr().IsValid() || id.Dst.Addr().Is6()):
		return unix.AF_INET6, nil
	}
	return 0, errors.New("source and destination addresses of one family needed")
}

// DeleteInetSocket ends the socket of protocol proto with the 4-tuple (and
// cookie, unless NoCookie) of id (SOCK_DESTROY): a TCP socket sends a reset
// to its peer and its owner's calls fail with ECONNABORTED. It needs
// CAP_NET_ADMIN; protocols without destroy support give EOPNOTSUPP, and no
// such socket ENOENT.
func (c *Conn) DeleteInetSocket(ctx context.Context, proto Protocol, id SockID) error {
	op := "delete " + proto.String() + " socket " + id.String()
	fam, err := idFamily(id)
	if err != nil {
		return fmt.Errorf("sockdiag: %s: %w", op, err)
	}
	req, err := appendInetRequest(nil, fam, proto, 0, AllStates, 0, id, nil)
	if err != nil {
		return fmt.Errorf("sockdiag: %s: %w", op, err)
	}
	_, err = c.execute(ctx, op, typeDestroy, req)
	return err
}

// DeleteInetSockets ends every socket f selects (ss -K): it dumps them,
// then destroys each by its 4-tuple and cookie, in batches. It returns how
// many it ended. Sockets that went away in between are not counted and not
// errors; other failures are reported in a *netlink.BatchError (by index
// in the order of the dump) after the rest were tried. A filter selecting
// nothing ends nothing.
func (c *Conn) DeleteInetSockets(ctx context.Context, f *InetFilter) (int, error) {
	proto := f.proto()
	var ff InetFilter
	if f != nil {
		ff = *f
	}
	ff.Extensions = 0
	type key struct {
		fam uint8
		id  SockID
	}
	var keys []key
	for s, err := range c.InetSockets(ctx, &ff) {
		if err != nil {
			return 0, err
		}
		keys = append(keys, key{s.Family, s.ID})
	}
	if len(keys) == 0 {
		return 0, nil
	}
	op := "delete " + proto.String() + " sockets"
	reqs := func(yield func(netlink.Message) bool) {
		var buf []byte
		for _, k := range keys {
			buf, _ = appendInetRequest(buf[:0], k.fam, proto, ff.RawProtocol, AllStates, 0, k.id, nil)
			if !yield(netlink.Message{Header: netlink.Header{Type: typeDestroy}, Data: buf}) {
				return
			}
		}
	}
	err := c.c.Batch(ctx, reqs)
	var be *netlink.BatchError
	if errors.As(err, &be) {
		kept := be.Failures[:0]
		for _, fl := range be.Failures {
			if !errors.Is(fl.Err, unix.ENOENT) {
				kept = append(kept, fl)
			}
		}
		n := len(keys) - len(be.Failures)
		if len(kept) == 0 {
			return n, nil
		}
		be.Failures = kept
		return n, netlink.NameOp("sockdiag", op, be)
	}
	if err != nil {
		return 0, netlink.NameOp("sockdiag", op, err)
	}
	return len(keys), nil
}
