package sockdiag

import (
	"encoding/binary"
	"time"
)

// CAState is the congestion-avoidance state of a TCP socket (tcpi_ca_state).
type CAState uint8

// Congestion-avoidance states (TCP_CA_*).
const (
	CAOpen     CAState = 0 // TCP_CA_Open
	CADisorder CAState = 1 // TCP_CA_Disorder
	CACWR      CAState = 2 // TCP_CA_CWR
	CARecovery CAState = 3 // TCP_CA_Recovery
	CALoss     CAState = 4 // TCP_CA_Loss
)

var caStateNames = []string{"open", "disorder", "cwr", "recovery", "loss"}

// String gives the state's word: "open", "disorder", "cwr", "recovery", "loss".
func (s CAState) String() string { return enumText(caStateNames, int(s)) }

// AppendText appends String's word.
func (s CAState) AppendText(b []byte) ([]byte, error) { return append(b, s.String()...), nil }

// MarshalText gives String's word.
func (s CAState) MarshalText() ([]byte, error) { return s.AppendText(nil) }

// UnmarshalText reads String's word or a number.
func (s *CAState) UnmarshalText(b []byte) error {
	n, err := enumParse(caStateNames, "ca state", string(b), 8)
	*s = CAState(n)
	return err
}

// TCPOptions are the options a TCP connection negotiated (tcpi_options).
type TCPOptions uint8

// TCP option bits (TCPI_OPT_*).
const (
	OptTimestamps TCPOptions = 1 << iota // TCPI_OPT_TIMESTAMPS
	OptSACK                              // TCPI_OPT_SACK
	OptWScale                            // TCPI_OPT_WSCALE
	OptECN                               // TCPI_OPT_ECN: ECN was negotiated
	OptECNSeen                           // TCPI_OPT_ECN_SEEN: an ECT packet was received
	OptSYNData                           // TCPI_OPT_SYN_DATA: data in the SYN was acknowledged
	OptUSecTS                            // TCPI_OPT_USEC_TS: microsecond timestamps
	OptTFOChild                          // TCPI_OPT_TFO_CHILD: a Fast Open child socket
)

// TCPInfo is struct tcp_info (linux/tcp.h), as the kernel running sent it.
// The struct grows with kernel versions; Len is how many bytes the kernel
// sent, and fields past it are zero (the Has* methods tell a zero from an
// absent field). The 32-bit times are time.Duration (the kernel counts
// microseconds for RTT, RTO, ATO, and milliseconds for the last_* fields
// and total_rto_time); the 64-bit ones keep the kernel's microseconds.
// Each field is the tcpi_ field of the same name (SndCwnd is
// tcpi_snd_cwnd, DSACKDups tcpi_dsack_dups).
type TCPInfo struct {
	Len int // bytes of tcp_info the kernel sent; 0: none

	State                  State
	CAState                CAState
	Retransmits            uint8
	Probes                 uint8
	Backoff                uint8
	Options                TCPOptions
	SndWScale              uint8 // tcpi_snd_wscale (4 bits)
	RcvWScale              uint8 // tcpi_rcv_wscale (4 bits)
	DeliveryRateAppLimited bool  // tcpi_delivery_rate_app_limited
	FastOpenClientFail     uint8 // tcpi_fastopen_client_fail (2 bits)
	RTO                    time.Duration
	ATO                    time.Duration
	SndMSS                 uint32
	RcvMSS                 uint32
	Unacked                uint32
	Sacked                 uint32
	Lost                   uint32
	Retrans                uint32
	Fackets                uint32
	LastDataSent           time.Duration
	LastAckSent            time.Duration
	LastDataRecv           time.Duration
	LastAckRecv            time.Duration
	PMTU                   uint32
	RcvSSThresh            uint32
	RTT                    time.Duration
	RTTVar                 time.Duration
	SndSSThresh            uint32
	SndCwnd                uint32
	AdvMSS                 uint32
	Reordering             uint32
	RcvRTT                 time.Duration
	RcvSpace               uint32
	TotalRetrans           uint32
	PacingRate             uint64 // bytes per second
	MaxPacingRate          uint64 // bytes per second; ^0 is unlimited
	BytesAcked             uint64
	BytesReceived          uint64
	SegsOut                uint32
	SegsIn                 uint32
	NotsentBytes           uint32
	MinRTT                 time.Duration
	DataSegsIn             uint32
	DataSegsOut            uint32
	DeliveryRate           uint64 // bytes per second
	BusyTimeUs             uint64 // tcpi_busy_time: microseconds sending
	RwndLimitedUs          uint64 // tcpi_rwnd_limited: microseconds limited by the receive window
	SndbufLimitedUs        uint64 // tcpi_sndbuf_limited: microseconds limited by the send buffer
	Delivered              uint32
	DeliveredCE            uint32
	BytesSent              uint64
	BytesRetrans           uint64
	DSACKDups              uint32
	ReordSeen              uint32
	RcvOOOPack             uint32
	SndWnd                 uint32
	RcvWnd                 uint32
	Rehash                 uint32
	TotalRTO               uint16
	TotalRTORecoveries     uint16
	TotalRTOTime           time.Duration // milliseconds in the kernel
	ReceivedCE             uint32        // AccECN (6.18)
	DeliveredE1Bytes       uint32
	DeliveredE0Bytes       uint32
	DeliveredCEBytes       uint32
	ReceivedE1Bytes        uint32
	ReceivedE0Bytes        uint32
	ReceivedCEBytes        uint32
	AccECNFailMode         uint16
	AccECNOptSeen          uint16
}

// Offsets (and ends) of the fields that came late, for Has.
const (
	tcpInfoPacingRate   = 104 // tcpi_pacing_rate: 3.15
	tcpInfoSegsOut      = 136
	tcpInfoNotsent      = 144
	tcpInfoMinRTT       = 148
	tcpInfoDataSegsIn   = 152
	tcpInfoDeliveryRate = 160
	tcpInfoBusyTime     = 168
	tcpInfoDelivered    = 192
	tcpInfoBytesSent    = 200
	tcpInfoDSACKDups    = 216
	tcpInfoRcvOOOPack   = 224
	tcpInfoSndWnd       = 228
	tcpInfoRcvWnd       = 232
	tcpInfoRehash       = 236
	tcpInfoTotalRTO     = 240
	tcpInfoReceivedCE   = 248
	tcpInfoAccECNFail   = 276
	// TCPInfoLen is the size of struct tcp_info this package knows
	// (Linux 6.18).
	TCPInfoLen = 280
)

// covers reports whether the kernel sent the n bytes at offset off.
func (t *TCPInfo) covers(off, n int) bool { return t.Len >= off+n }

// HasDeliveryRate reports whether the kernel sent tcpi_delivery_rate and
// what follows it up to tcpi_sndbuf_limited (4.9 and later).
func (t *TCPInfo) HasDeliveryRate() bool { return t.covers(tcpInfoDeliveryRate, 8) }

// HasSndWnd reports whether the kernel sent tcpi_snd_wnd (5.4 and later).
func (t *TCPInfo) HasSndWnd() bool { return t.covers(tcpInfoSndWnd, 4) }

// HasRcvWnd reports whether the kernel sent tcpi_rcv_wnd and tcpi_rehash
// (6.2 and later).
func (t *TCPInfo) HasRcvWnd() bool { return t.covers(tcpInfoRehash, 4) }

// HasTotalRTO reports whether the kernel sent tcpi_total_rto and the two
// fields after it (6.7 and later).
func (t *TCPInfo) HasTotalRTO() bool { return t.covers(tcpInfoTotalRTO, 8) }

// HasAccECN reports whether the kernel sent the AccECN counters (6.18).
func (t *TCPInfo) HasAccECN() bool { return t.covers(tcpInfoAccECNFail, 4) }

// tcpInfoWhole is how many of n bytes of tcp_info hold whole fields: a
// field cut short by the kernel's length reads as zero, not as part of a
// number.
func tcpInfoWhole(n int) int {
	switch {
	case n >= TCPInfoLen:
		return TCPInfoLen
	case n < 8: // the u8 fields
		return n
	case n >= 104 && n < 136, n >= 160 && n < 192, n >= 200 && n < 216: // u64 fields
		return n &^ 7
	case n >= 240 && n < 244, n >= 276: // u16 fields
		return n &^ 1
	}
	return n &^ 3 // u32 fields
}

// tcpInfoArr is a tcp_info of the size this package knows.
type tcpInfoArr [TCPInfoLen]byte

func (r *tcpInfoArr) u8(off int) uint8   { return r[off] }
func (r *tcpInfoArr) u16(off int) uint16 { return binary.NativeEndian.Uint16(r[off : off+2]) }
func (r *tcpInfoArr) u32(off int) uint32 { return binary.NativeEndian.Uint32(r[off : off+4]) }
func (r *tcpInfoArr) u64(off int) uint64 { return binary.NativeEndian.Uint64(r[off : off+8]) }
func (r *tcpInfoArr) us(off int) time.Duration {
	return time.Duration(r.u32(off)) * time.Microsecond
}
func (r *tcpInfoArr) ms(off int) time.Duration {
	return time.Duration(r.u32(off)) * time.Millisecond
}

// tcpInfoReader reads the fields of a tcp_info of any length: a field
// wholly inside the bytes gives its value, any other zero.
type tcpInfoReader []byte

func (r tcpInfoReader) u8(off int) uint8 {
	if off < len(r) {
		return r[off]
	}
	return 0
}

func (r tcpInfoReader) u16(off int) uint16 {
	if off+2 <= len(r) {
		return binary.NativeEndian.Uint16(r[off:])
	}
	return 0
}

func (r tcpInfoReader) u32(off int) uint32 {
	if off+4 <= len(r) {
		return binary.NativeEndian.Uint32(r[off:])
	}
	return 0
}

func (r tcpInfoReader) u64(off int) uint64 {
	if off+8 <= len(r) {
		return binary.NativeEndian.Uint64(r[off:])
	}
	return 0
}

func (r tcpInfoReader) us(off int) time.Duration { return time.Duration(r.u32(off)) * time.Microsecond }
func (r tcpInfoReader) ms(off int) time.Duration { return time.Duration(r.u32(off)) * time.Millisecond }

// decode fills t from the bytes of INET_DIAG_INFO, whatever their length.
func (t *TCPInfo) decode(b []byte) {
	// Read from a fixed-size copy: the fields past the kernel's length
	// read as zeros, and the reads need no length checks.
	var a tcpInfoArr
	copy(a[:tcpInfoWhole(len(b))], b)
	r := &a
	*t = TCPInfo{
		Len:                    len(b),
		State:                  State(r.u8(0)),
		CAState:                CAState(r.u8(1)),
		Retransmits:            r.u8(2),
		Probes:                 r.u8(3),
		Backoff:                r.u8(4),
		Options:                TCPOptions(r.u8(5)),
		SndWScale:              r.u8(6) & 0xf,
		RcvWScale:              r.u8(6) >> 4,
		DeliveryRateAppLimited: r.u8(7)&1 != 0,
		FastOpenClientFail:     r.u8(7) >> 1 & 3,
		RTO:                    r.us(8),
		ATO:                    r.us(12),
		SndMSS:                 r.u32(16),
		RcvMSS:                 r.u32(20),
		Unacked:                r.u32(24),
		Sacked:                 r.u32(28),
		Lost:                   r.u32(32),
		Retrans:                r.u32(36),
		Fackets:                r.u32(40),
		LastDataSent:           r.ms(44),
		LastAckSent:            r.ms(48),
		LastDataRecv:           r.ms(52),
		LastAckRecv:            r.ms(56),
		PMTU:                   r.u32(60),
		RcvSSThresh:            r.u32(64),
		RTT:                    r.us(68),
		RTTVar:                 r.us(72),
		SndSSThresh:            r.u32(76),
		SndCwnd:                r.u32(80),
		AdvMSS:                 r.u32(84),
		Reordering:             r.u32(88),
		RcvRTT:                 r.us(92),
		RcvSpace:               r.u32(96),
		TotalRetrans:           r.u32(100),
		PacingRate:             r.u64(104),
		MaxPacingRate:          r.u64(112),
		BytesAcked:             r.u64(120),
		BytesReceived:          r.u64(128),
		SegsOut:                r.u32(136),
		SegsIn:                 r.u32(140),
		NotsentBytes:           r.u32(144),
		MinRTT:                 r.us(148),
		DataSegsIn:             r.u32(152),
		DataSegsOut:            r.u32(156),
		DeliveryRate:           r.u64(160),
		BusyTimeUs:             r.u64(168),
		RwndLimitedUs:          r.u64(176),
		SndbufLimitedUs:        r.u64(184),
		Delivered:              r.u32(192),
		DeliveredCE:            r.u32(196),
		BytesSent:              r.u64(200),
		BytesRetrans:           r.u64(208),
		DSACKDups:              r.u32(216),
		ReordSeen:              r.u32(220),
		RcvOOOPack:             r.u32(224),
		SndWnd:                 r.u32(228),
		RcvWnd:                 r.u32(232),
		Rehash:                 r.u32(236),
		TotalRTO:               r.u16(240),
		TotalRTORecoveries:     r.u16(242),
		TotalRTOTime:           r.ms(244),
		ReceivedCE:             r.u32(248),
		DeliveredE1Bytes:       r.u32(252),
		DeliveredE0Bytes:       r.u32(256),
		DeliveredCEBytes:       r.u32(260),
		ReceivedE1Bytes:        r.u32(264),
		ReceivedE0Bytes:        r.u32(268),
		ReceivedCEBytes:        r.u32(272),
		AccECNFailMode:         r.u16(276),
		AccECNOptSeen:          r.u16(278),
	}
	if len(b) > 1<<20 {
		t.Len = 1 << 20
	}
}

// append encodes t in Len bytes (the fields this package does not know,
// past TCPInfoLen, as zeros).
func (t *TCPInfo) append(b []byte) []byte {
	var w [TCPInfoLen]byte
	ne := binary.NativeEndian
	w[0], w[1], w[2], w[3], w[4], w[5] = byte(t.State), byte(t.CAState), t.Retransmits, t.Probes, t.Backoff, byte(t.Options)
	w[6] = t.SndWScale&0xf | t.RcvWScale<<4
	w[7] = boolByte(t.DeliveryRateAppLimited) | (t.FastOpenClientFail&3)<<1
	us := func(d time.Duration) uint32 { return uint32(d / time.Microsecond) }
	ms := func(d time.Duration) uint32 { return uint32(d / time.Millisecond) }
	for off, v := range map[int]uint32{
		8: us(t.RTO), 12: us(t.ATO), 16: t.SndMSS, 20: t.RcvMSS, 24: t.Unacked, 28: t.Sacked, 32: t.Lost,
		36: t.Retrans, 40: t.Fackets, 44: ms(t.LastDataSent), 48: ms(t.LastAckSent), 52: ms(t.LastDataRecv),
		56: ms(t.LastAckRecv), 60: t.PMTU, 64: t.RcvSSThresh, 68: us(t.RTT), 72: us(t.RTTVar), 76: t.SndSSThresh,
		80: t.SndCwnd, 84: t.AdvMSS, 88: t.Reordering, 92: us(t.RcvRTT), 96: t.RcvSpace, 100: t.TotalRetrans,
		136: t.SegsOut, 140: t.SegsIn, 144: t.NotsentBytes, 148: us(t.MinRTT), 152: t.DataSegsIn, 156: t.DataSegsOut,
		192: t.Delivered, 196: t.DeliveredCE, 216: t.DSACKDups, 220: t.ReordSeen, 224: t.RcvOOOPack, 228: t.SndWnd,
		232: t.RcvWnd, 236: t.Rehash, 244: ms(t.TotalRTOTime), 248: t.ReceivedCE, 252: t.DeliveredE1Bytes,
		256: t.DeliveredE0Bytes, 260: t.DeliveredCEBytes, 264: t.ReceivedE1Bytes, 268: t.ReceivedE0Bytes, 272: t.ReceivedCEBytes,
	} {
		ne.PutUint32(w[off:], v)
	}
	for off, v := range map[int]uint64{
		104: t.PacingRate, 112: t.MaxPacingRate, 120: t.BytesAcked, 128: t.BytesReceived, 160: t.DeliveryRate,
		168: t.BusyTimeUs, 176: t.RwndLimitedUs, 184: t.SndbufLimitedUs, 200: t.BytesSent, 208: t.BytesRetrans,
	} {
		ne.PutUint64(w[off:], v)
	}
	ne.PutUint16(w[240:], t.TotalRTO)
	ne.PutUint16(w[242:], t.TotalRTORecoveries)
	ne.PutUint16(w[276:], t.AccECNFailMode)
	ne.PutUint16(w[278:], t.AccECNOptSeen)
	if t.Len <= TCPInfoLen {
		return append(b, w[:t.Len]...)
	}
	b = append(b, w[:]...)
	return append(b, make([]byte, t.Len-TCPInfoLen)...)
}

// MPTCPInfo is the start of struct mptcp_info (linux/mptcp.h), sent as
// INET_DIAG_INFO for MPTCP sockets. Len is how many bytes the kernel sent;
// each field is the mptcpi_ field of the same name.
type MPTCPInfo struct {
	Len                int
	Subflows           uint8
	AddAddrSignal      uint8
	AddAddrAccepted    uint8
	SubflowsMax        uint8
	AddAddrSignalMax   uint8
	AddAddrAcceptedMax uint8
	Flags              uint32
	Token              uint32
	WriteSeq           uint64
	SndUna             uint64
	RcvNxt             uint64
	LocalAddrUsed      uint8
	LocalAddrMax       uint8
	CsumEnabled        uint8
	Retransmits        uint32
	BytesRetrans       uint64
	BytesSent          uint64
	BytesReceived      uint64
	BytesAcked         uint64
}

func (m *MPTCPInfo) decode(b []byte) {
	r := tcpInfoReader(b)
	*m = MPTCPInfo{
		Len: min(len(b), 1<<20), Subflows: r.u8(0), AddAddrSignal: r.u8(1), AddAddrAccepted: r.u8(2),
		SubflowsMax: r.u8(3), AddAddrSignalMax: r.u8(4), AddAddrAcceptedMax: r.u8(5),
		Flags: r.u32(8), Token: r.u32(12), WriteSeq: r.u64(16), SndUna: r.u64(24), RcvNxt: r.u64(32),
		LocalAddrUsed: r.u8(40), LocalAddrMax: r.u8(41), CsumEnabled: r.u8(42), Retransmits: r.u32(44),
		BytesRetrans: r.u64(48), BytesSent: r.u64(56), BytesReceived: r.u64(64), BytesAcked: r.u64(72),
	}
}

const mptcpInfoKnown = 80

func (m *MPTCPInfo) append(b []byte) []byte {
	var w [mptcpInfoKnown]byte
	ne := binary.NativeEndian
	w[0], w[1], w[2], w[3], w[4], w[5] = m.Subflows, m.AddAddrSignal, m.AddAddrAccepted, m.SubflowsMax, m.AddAddrSignalMax, m.AddAddrAcceptedMax
	ne.PutUint32(w[8:], m.Flags)
	ne.PutUint32(w[12:], m.Token)
	ne.PutUint64(w[16:], m.WriteSeq)
	ne.PutUint64(w[24:], m.SndUna)
	ne.PutUint64(w[32:], m.RcvNxt)
	w[40], w[41], w[42] = m.LocalAddrUsed, m.LocalAddrMax, m.CsumEnabled
	ne.PutUint32(w[44:], m.Retransmits)
	ne.PutUint64(w[48:], m.BytesRetrans)
	ne.PutUint64(w[56:], m.BytesSent)
	ne.PutUint64(w[64:], m.BytesReceived)
	ne.PutUint64(w[72:], m.BytesAcked)
	if m.Len <= mptcpInfoKnown {
		return append(b, w[:m.Len]...)
	}
	b = append(b, w[:]...)
	return append(b, make([]byte, m.Len-mptcpInfoKnown)...)
}
