package sockdiag

import (
	"encoding/binary"
	"net/netip"

	"golang.org/x/sys/unix"

	"github.com/nlkit/nlkit/nlattr"
)

// fixed returns the payload of d's current attribute if it is at least n
// bytes long (kernel structs grow at their end), and records
// nlattr.ErrBadLength otherwise.
func fixed(d *nlattr.Decoder, n int) []byte {
	b := d.Bytes()
	if len(b) < n {
		d.Fail(nlattr.ErrBadLength)
		return nil
	}
	return b
}

// MemInfo is struct inet_diag_meminfo (INET_DIAG_MEMINFO), in bytes.
type MemInfo struct {
	RMem uint32 // idiag_rmem: receive queue
	WMem uint32 // idiag_wmem: sent, not yet acknowledged
	FMem uint32 // idiag_fmem: forward-allocated
	TMem uint32 // idiag_tmem: transmit queue
}

func (m *MemInfo) decode(d *nlattr.Decoder) {
	if b := fixed(d, 16); b != nil {
		ne := binary.NativeEndian
		*m = MemInfo{ne.Uint32(b), ne.Uint32(b[4:]), ne.Uint32(b[8:]), ne.Uint32(b[12:])}
	}
}

func (m *MemInfo) append(b []byte) []byte {
	for _, v := range []uint32{m.RMem, m.WMem, m.FMem, m.TMem} {
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// SKMemInfo is the socket's memory accounting (INET_DIAG_SKMEMINFO,
// UNIX_DIAG_MEMINFO, PACKET_DIAG_MEMINFO, NETLINK_DIAG_MEMINFO: an array
// indexed by SK_MEMINFO_*), in bytes but Drops. N is how many values the
// kernel sent.
type SKMemInfo struct {
	N          int
	RMemAlloc  uint32 // SK_MEMINFO_RMEM_ALLOC
	RcvBuf     uint32 // SK_MEMINFO_RCVBUF
	WMemAlloc  uint32 // SK_MEMINFO_WMEM_ALLOC
	SndBuf     uint32 // SK_MEMINFO_SNDBUF
	FwdAlloc   uint32 // SK_MEMINFO_FWD_ALLOC
	WMemQueued uint32 // SK_MEMINFO_WMEM_QUEUED
	OptMem     uint32 // SK_MEMINFO_OPTMEM
	Backlog    uint32 // SK_MEMINFO_BACKLOG
	Drops      uint32 // SK_MEMINFO_DROPS: packets dropped
}

func (m *SKMemInfo) decode(d *nlattr.Decoder) {
	b := d.Bytes()
	if len(b)%4 != 0 {
		d.Fail(nlattr.ErrBadLength)
		return
	}
	r := tcpInfoReader(b)
	*m = SKMemInfo{N: len(b) / 4, RMemAlloc: r.u32(0), RcvBuf: r.u32(4), WMemAlloc: r.u32(8), SndBuf: r.u32(12),
		FwdAlloc: r.u32(16), WMemQueued: r.u32(20), OptMem: r.u32(24), Backlog: r.u32(28), Drops: r.u32(32)}
}

func (m *SKMemInfo) append(b []byte) []byte {
	vals := []uint32{m.RMemAlloc, m.RcvBuf, m.WMemAlloc, m.SndBuf, m.FwdAlloc, m.WMemQueued, m.OptMem, m.Backlog, m.Drops}
	for i := range m.N {
		v := uint32(0)
		if i < len(vals) {
			v = vals[i]
		}
		b = binary.NativeEndian.AppendUint32(b, v)
	}
	return b
}

// VegasInfo is struct tcpvegas_info (INET_DIAG_VEGASINFO), also sent by
// other delay-based congestion controls.
type VegasInfo struct {
	Enabled uint32 // tcpv_enabled
	RTTCnt  uint32 // tcpv_rttcnt
	RTT     uint32 // tcpv_rtt, microseconds
	MinRTT  uint32 // tcpv_minrtt, microseconds
}

func (v *VegasInfo) decode(d *nlattr.Decoder) {
	if b := fixed(d, 16); b != nil {
		ne := binary.NativeEndian
		*v = VegasInfo{ne.Uint32(b), ne.Uint32(b[4:]), ne.Uint32(b[8:]), ne.Uint32(b[12:])}
	}
}

func (v *VegasInfo) append(b []byte) []byte {
	for _, x := range []uint32{v.Enabled, v.RTTCnt, v.RTT, v.MinRTT} {
		b = binary.NativeEndian.AppendUint32(b, x)
	}
	return b
}

// DCTCPInfo is struct tcp_dctcp_info (INET_DIAG_DCTCPINFO).
type DCTCPInfo struct {
	Enabled bool   // dctcp_enabled
	CEState uint16 // dctcp_ce_state
	Alpha   uint32 // dctcp_alpha
	ABECN   uint32 // dctcp_ab_ecn
	ABTot   uint32 // dctcp_ab_tot
}

func (v *DCTCPInfo) decode(d *nlattr.Decoder) {
	if b := fixed(d, 16); b != nil {
		ne := binary.NativeEndian
		*v = DCTCPInfo{ne.Uint16(b) != 0, ne.Uint16(b[2:]), ne.Uint32(b[4:]), ne.Uint32(b[8:]), ne.Uint32(b[12:])}
	}
}

func (v *DCTCPInfo) append(b []byte) []byte {
	ne := binary.NativeEndian
	b = ne.AppendUint16(b, uint16(boolByte(v.Enabled)))
	b = ne.AppendUint16(b, v.CEState)
	for _, x := range []uint32{v.Alpha, v.ABECN, v.ABTot} {
		b = ne.AppendUint32(b, x)
	}
	return b
}

// BBRInfo is struct tcp_bbr_info (INET_DIAG_BBRINFO).
type BBRInfo struct {
	BW         uint64 // bbr_bw_lo | bbr_bw_hi<<32: bandwidth estimate, bytes per second
	MinRTT     uint32 // bbr_min_rtt, microseconds
	PacingGain uint32 // bbr_pacing_gain, <<8 fixed point
	CwndGain   uint32 // bbr_cwnd_gain, <<8 fixed point
}

func (v *BBRInfo) decode(d *nlattr.Decoder) {
	if b := fixed(d, 20); b != nil {
		ne := binary.NativeEndian
		*v = BBRInfo{uint64(ne.Uint32(b)) | uint64(ne.Uint32(b[4:]))<<32, ne.Uint32(b[8:]), ne.Uint32(b[12:]), ne.Uint32(b[16:])}
	}
}

func (v *BBRInfo) append(b []byte) []byte {
	for _, x := range []uint32{uint32(v.BW), uint32(v.BW >> 32), v.MinRTT, v.PacingGain, v.CwndGain} {
		b = binary.NativeEndian.AppendUint32(b, x)
	}
	return b
}

// SockOpt are the socket options INET_DIAG_SOCKOPT reports (struct
// inet_diag_sockopt, a bit each).
type SockOpt uint16

// Socket option bits.
const (
	SockOptRecvErr           SockOpt = 1 << iota // IP_RECVERR
	SockOptIsICSK                                // a connection-oriented socket
	SockOptFreebind                              // IP_FREEBIND
	SockOptHdrIncl                               // IP_HDRINCL
	SockOptMcLoop                                // IP_MULTICAST_LOOP
	SockOptTransparent                           // IP_TRANSPARENT
	SockOptMcAll                                 // IP_MULTICAST_ALL
	SockOptNoDefrag                              // IP_NODEFRAG
	SockOptBindAddressNoPort                     // IP_BIND_ADDRESS_NO_PORT
	SockOptRecvErrRFC4884                        // IP_RECVERR_RFC4884
	SockOptDeferConnect                          // TCP_FASTOPEN_CONNECT's deferred connect
)

func (o *SockOpt) decode(d *nlattr.Decoder) {
	if b := fixed(d, 2); b != nil {
		*o = SockOpt(b[0]) | SockOpt(b[1])<<8
	}
}

// Has reports whether every bit of x is set in o.
func (o SockOpt) Has(x SockOpt) bool { return o&x == x }

// ULPInfo is the upper-layer protocol attached to a TCP socket
// (INET_DIAG_ULP_INFO): its name and, for kTLS and MPTCP subflows, what it
// reports.
type ULPInfo struct {
	Name  string       // INET_ULP_INFO_NAME: "tls", "mptcp", "espintcp" ...
	TLS   TLSInfo      // INET_ULP_INFO_TLS
	MPTCP MPTCPSubflow // INET_ULP_INFO_MPTCP
}

// TLSInfo is kTLS's report (TLS_INFO_*).
type TLSInfo struct {
	Version    uint16 // TLS_INFO_VERSION: 0x0303 is TLS 1.2, 0x0304 TLS 1.3
	Cipher     uint16 // TLS_INFO_CIPHER: TLS_CIPHER_*
	TXConf     uint16 // TLS_INFO_TXCONF: TLS_CONF_*: 1 software, 2 hardware, 3 hardware record
	RXConf     uint16 // TLS_INFO_RXCONF
	ZeroCopyTX bool   // TLS_INFO_ZC_RO_TX
	RXNoPad    bool   // TLS_INFO_RX_NO_PAD
}

// MPTCPSubflow is what an MPTCP subflow reports (MPTCP_SUBFLOW_ATTR_*).
type MPTCPSubflow struct {
	TokenRemote   uint32 // MPTCP_SUBFLOW_ATTR_TOKEN_REM
	TokenLocal    uint32 // MPTCP_SUBFLOW_ATTR_TOKEN_LOC
	RelWriteSeq   uint32 // MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ
	MapSeq        uint64 // MPTCP_SUBFLOW_ATTR_MAP_SEQ
	MapSubflowSeq uint32 // MPTCP_SUBFLOW_ATTR_MAP_SFSEQ
	SSNOffset     uint32 // MPTCP_SUBFLOW_ATTR_SSN_OFFSET
	MapDataLen    uint16 // MPTCP_SUBFLOW_ATTR_MAP_DATALEN
	Flags         uint32 // MPTCP_SUBFLOW_ATTR_FLAGS
	IDRemote      uint8  // MPTCP_SUBFLOW_ATTR_ID_REM
	IDLocal       uint8  // MPTCP_SUBFLOW_ATTR_ID_LOC
}

func (u *ULPInfo) decode(d *nlattr.Decoder) {
	*u = ULPInfo{}
	nd := d.Nested()
	for nd.Next() {
		switch nd.Type() {
		case 1: // INET_ULP_INFO_NAME
			u.Name = internName(nd.Bytes())
		case 2: // INET_ULP_INFO_TLS
			td := nd.Nested()
			for td.Next() {
				switch td.Type() {
				case 1:
					u.TLS.Version = td.Uint16()
				case 2:
					u.TLS.Cipher = td.Uint16()
				case 3:
					u.TLS.TXConf = td.Uint16()
				case 4:
					u.TLS.RXConf = td.Uint16()
				case 5:
					u.TLS.ZeroCopyTX = true
				case 6:
					u.TLS.RXNoPad = true
				}
			}
		case 3: // INET_ULP_INFO_MPTCP
			md := nd.Nested()
			m := &u.MPTCP
			for md.Next() {
				switch md.Type() {
				case 1:
					m.TokenRemote = md.Uint32()
				case 2:
					m.TokenLocal = md.Uint32()
				case 3:
					m.RelWriteSeq = md.Uint32()
				case 4:
					m.MapSeq = md.Uint64()
				case 5:
					m.MapSubflowSeq = md.Uint32()
				case 6:
					m.SSNOffset = md.Uint32()
				case 7:
					m.MapDataLen = md.Uint16()
				case 8:
					m.Flags = md.Uint32()
				case 9:
					m.IDRemote = md.Uint8()
				case 10:
					m.IDLocal = md.Uint8()
				}
			}
		}
	}
}

func (u *ULPInfo) encode(e *nlattr.Encoder) {
	e.Nest(uint16(AttrULPInfo))
	e.String(1, u.Name)
	if u.TLS != (TLSInfo{}) {
		e.Nest(2)
		e.Uint16(1, u.TLS.Version)
		e.Uint16(2, u.TLS.Cipher)
		e.Uint16(3, u.TLS.TXConf)
		e.Uint16(4, u.TLS.RXConf)
		if u.TLS.ZeroCopyTX {
			e.Flag(5)
		}
		if u.TLS.RXNoPad {
			e.Flag(6)
		}
		e.End()
	}
	if u.MPTCP != (MPTCPSubflow{}) {
		m := u.MPTCP
		e.Nest(3)
		e.Uint32(1, m.TokenRemote)
		e.Uint32(2, m.TokenLocal)
		e.Uint32(3, m.RelWriteSeq)
		e.Uint64(4, m.MapSeq)
		e.Uint32(5, m.MapSubflowSeq)
		e.Uint32(6, m.SSNOffset)
		e.Uint16(7, m.MapDataLen)
		e.Uint32(8, m.Flags)
		e.Uint8(9, m.IDRemote)
		e.Uint8(10, m.IDLocal)
		e.End()
	}
	e.End()
}

// MD5Key is a TCP-MD5 key of a socket (struct tcp_diag_md5sig).
type MD5Key struct {
	Prefix netip.Prefix // tcpm_family, tcpm_prefixlen, tcpm_addr
	Key    []byte       // tcpm_key[tcpm_keylen]
}

const md5SigLen = 100

func decodeMD5(d *nlattr.Decoder, keys []MD5Key) []MD5Key {
	b := d.Bytes()
	if len(b)%md5SigLen != 0 {
		d.Fail(nlattr.ErrBadLength)
		return keys
	}
	for ; len(b) >= md5SigLen; b = b[md5SigLen:] {
		var k MD5Key
		var a netip.Addr
		if b[0] == unix.AF_INET6 {
			a = netip.AddrFrom16([16]byte(b[4:20]))
		} else {
			a = netip.AddrFrom4([4]byte(b[4:8]))
		}
		k.Prefix, _ = a.Prefix(int(b[1]))
		if k.Prefix.IsValid() {
			k.Prefix = netip.PrefixFrom(a, int(b[1]))
		}
		n := min(int(binary.NativeEndian.Uint16(b[2:])), 80)
		k.Key = append([]byte(nil), b[20:20+n]...)
		keys = append(keys, k)
	}
	return keys
}

func appendMD5(b []byte, keys []MD5Key) []byte {
	for _, k := range keys {
		var w [md5SigLen]byte
		a := k.Prefix.Addr()
		if a.Is4() {
			w[0] = unix.AF_INET
			v := a.As4()
			copy(w[4:], v[:])
		} else {
			w[0] = unix.AF_INET6
			v := a.As16()
			copy(w[4:], v[:])
		}
		w[1] = byte(k.Prefix.Bits())
		n := min(len(k.Key), 80)
		binary.NativeEndian.PutUint16(w[2:], uint16(n))
		copy(w[20:], k.Key[:n])
		b = append(b, w[:]...)
	}
	return b
}

const sockaddrStorageLen = 128

func decodeSockaddrs(d *nlattr.Decoder, out []netip.AddrPort) []netip.AddrPort {
	b := d.Bytes()
	if len(b)%sockaddrStorageLen != 0 {
		d.Fail(nlattr.ErrBadLength)
		return out
	}
	for ; len(b) >= sockaddrStorageLen; b = b[sockaddrStorageLen:] {
		port := binary.BigEndian.Uint16(b[2:])
		switch binary.NativeEndian.Uint16(b) {
		case unix.AF_INET:
			out = append(out, netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port))
		case unix.AF_INET6:
			out = append(out, netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])), port))
		}
	}
	return out
}

func appendSockaddrs(b []byte, as []netip.AddrPort) []byte {
	for _, a := range as {
		var w [sockaddrStorageLen]byte
		binary.BigEndian.PutUint16(w[2:], a.Port())
		if a.Addr().Is4() {
			binary.NativeEndian.PutUint16(w[:], unix.AF_INET)
			v := a.Addr().As4()
			copy(w[4:], v[:])
		} else {
			binary.NativeEndian.PutUint16(w[:], unix.AF_INET6)
			v := a.Addr().As16()
			copy(w[8:], v[:])
		}
		b = append(b, w[:]...)
	}
	return b
}
