package xfrm

import (
	"bytes"
	"fmt"
	"github.com/nlkit/nlkit/netlink"
	"math"
	"net/netip"
	"time"
)

// Selector picks the traffic an SA or policy applies to (struct
// xfrm_selector). The zero Selector matches nothing in particular: an SA
// without one takes the kernel's default.
//
// For ICMP and ICMPv6 the type and code are in SrcPort and DstPort, as the
// kernel keeps them; for GRE the key's high and low halves.
type Selector struct {
	// Family is the address family; FamilyUnspec takes it from Src or Dst.
	Family Family
	Src    netip.Prefix // saddr/prefixlen_s; the zero Prefix is 0/0
	Dst    netip.Prefix // daddr/prefixlen_d; the zero Prefix is 0/0

	SrcPort     uint16 // sport (host order)
	SrcPortMask uint16 // sport_mask: 0xffff matches SrcPort exactly, 0 any port
	DstPort     uint16 // dport
	DstPortMask uint16 // dport_mask

	Proto   uint8  // upper-layer protocol (IPPROTO_*); 0 any
	IfIndex int32  // ifindex; 0 any
	User    uint32 // user (uid of a socket policy)
}

// family is the selector's family: Family, else Src's or Dst's.
func (s *Selector) family() Family {
	if s.Family != FamilyUnspec {
		return s.Family
	}
	if f := familyOf(s.Src.Addr()); f != FamilyUnspec {
		return f
	}
	return familyOf(s.Dst.Addr())
}

// IsZero reports whether s is the zero Selector.
func (s Selector) IsZero() bool { return s == Selector{} }

// put writes s as a struct xfrm_selector at b.
func (s *Selector) put(b []byte) {
	b = b[:sizeSelector]
	clear(b)
	putAddr(b[0:], s.Dst.Addr())
	putAddr(b[16:], s.Src.Addr())
	putBE16(b[32:], s.DstPort)
	putBE16(b[34:], s.DstPortMask)
	putBE16(b[36:], s.SrcPort)
	putBE16(b[38:], s.SrcPortMask)
	ne.PutUint16(b[40:], uint16(s.family()))
	if s.Dst.IsValid() {
		b[42] = uint8(s.Dst.Bits())
	}
	if s.Src.IsValid() {
		b[43] = uint8(s.Src.Bits())
	}
	b[44] = s.Proto
	ne.PutUint32(b[48:], uint32(s.IfIndex))
	ne.PutUint32(b[52:], s.User)
}

// get reads a struct xfrm_selector. A selector without a family (the
// kernel leaves it unset in SAs made by ALLOCSPI and ACQUIRE) has its
// addresses read in def, its owner's family; addresses of any other
// family are left zero. A prefix length beyond the family's width is an
// error.
func (s *Selector) get(b []byte, def Family) error {
	*s = Selector{
		Family:      Family(ne.Uint16(b[40:])),
		DstPort:     be16(b[32:]),
		DstPortMask: be16(b[34:]),
		SrcPort:     be16(b[36:]),
		SrcPortMask: be16(b[38:]),
		Proto:       b[44],
		IfIndex:     int32(ne.Uint32(b[48:])),
		User:        ne.Uint32(b[52:]),
	}
	f := s.Family
	if f == FamilyUnspec {
		if b[42] == 0 && b[43] == 0 && allZero(b[:32]) {
			return nil // no addresses: the zero prefixes
		}
		f = def
	}
	if f != FamilyIPv4 && f != FamilyIPv6 {
		return nil
	}
	// The kernel's bits are kept as they are (netip.Prefix.Masked would
	// clear host bits); only a length beyond the address is refused.
	dst, src := getAddr(b[0:], f), getAddr(b[16:], f)
	if int(b[42]) > dst.BitLen() {
		return fmt.Errorf("xfrm: selector: destination prefix length %d: %w", b[42], netlink.ErrMalformed)
	}
	if int(b[43]) > src.BitLen() {
		return fmt.Errorf("xfrm: selector: source prefix length %d: %w", b[43], netlink.ErrMalformed)
	}
	s.Dst = netip.PrefixFrom(dst, int(b[42]))
	s.Src = netip.PrefixFrom(src, int(b[43]))
	return nil
}

// NoLimit is XFRM_INF, the kernel's "no limit" for byte and packet
// counts.
const NoLimit = math.MaxUint64

// Limits are the lifetime limits of an SA or policy (struct
// xfrm_lifetime_cfg). In a request, zero byte and packet limits mean none
// and are sent as NoLimit (XFRM_INF), as ip sends them; decoded limits are
// the kernel's values, NoLimit for none. Zero times mean none both ways.
type Limits struct {
	SoftBytes, HardBytes     uint64 // soft/hard_byte_limit
	SoftPackets, HardPackets uint64 // soft/hard_packet_limit
	// SoftAdd and HardAdd expire the object this long after it was added
	// (soft/hard_add_expires_seconds); SoftUse and HardUse this long
	// after its first use (soft/hard_use_expires_seconds). Seconds.
	SoftAdd, HardAdd uint64
	SoftUse, HardUse uint64
}

func limitOut(v uint64) uint64 {
	if v == 0 {
		return inf
	}
	return v
}

func (l *Limits) put(b []byte) {
	ne.PutUint64(b[0:], limitOut(l.SoftBytes))
	ne.PutUint64(b[8:], limitOut(l.HardBytes))
	ne.PutUint64(b[16:], limitOut(l.SoftPackets))
	ne.PutUint64(b[24:], limitOut(l.HardPackets))
	ne.PutUint64(b[32:], l.SoftAdd)
	ne.PutUint64(b[40:], l.HardAdd)
	ne.PutUint64(b[48:], l.SoftUse)
	ne.PutUint64(b[56:], l.HardUse)
}

func (l *Limits) get(b []byte) {
	*l = Limits{
		SoftBytes: ne.Uint64(b[0:]), HardBytes: ne.Uint64(b[8:]),
		SoftPackets: ne.Uint64(b[16:]), HardPackets: ne.Uint64(b[24:]),
		SoftAdd: ne.Uint64(b[32:]), HardAdd: ne.Uint64(b[40:]),
		SoftUse: ne.Uint64(b[48:]), HardUse: ne.Uint64(b[56:]),
	}
}

// Lifetime is what an SA or policy has used so far (struct
// xfrm_lifetime_cur).
type Lifetime struct {
	Bytes, Packets uint64
	// Added and Used are when it was added and first used, in seconds of
	// the Unix epoch (add_time, use_time); zero: never used.
	Added, Used uint64
}

// AddedAt is Added as a time.Time; the zero Time if zero.
func (l Lifetime) AddedAt() time.Time { return unixTime(l.Added) }

// UsedAt is Used as a time.Time; the zero Time if never used.
func (l Lifetime) UsedAt() time.Time { return unixTime(l.Used) }

func unixTime(s uint64) time.Time {
	if s == 0 || s > 1<<62 {
		return time.Time{}
	}
	return time.Unix(int64(s), 0)
}

func (l *Lifetime) put(b []byte) {
	ne.PutUint64(b[0:], l.Bytes)
	ne.PutUint64(b[8:], l.Packets)
	ne.PutUint64(b[16:], l.Added)
	ne.PutUint64(b[24:], l.Used)
}

func (l *Lifetime) get(b []byte) {
	*l = Lifetime{Bytes: ne.Uint64(b[0:]), Packets: ne.Uint64(b[8:]), Added: ne.Uint64(b[16:]), Used: ne.Uint64(b[24:])}
}

// Mark is a mark and mask (struct xfrm_mark): an SA or policy applies to
// packets whose mark&Mask equals Value. The zero Mark is none (the kernel
// leaves XFRMA_MARK out when both are zero).
type Mark struct {
	Value, Mask uint32
}

// IsZero reports whether m is the zero Mark.
func (m Mark) IsZero() bool { return m == Mark{} }

// Stats are an SA's error counters (struct xfrm_stats).
type Stats struct {
	ReplayWindow    uint32 // packets outside the replay window
	Replay          uint32 // replayed packets
	IntegrityFailed uint32 // packets that failed the integrity check
}

// Algorithm is an SA's algorithm and key (struct xfrm_algo, and struct
// xfrm_algo_auth / xfrm_algo_aead with ICV or truncation length). The zero
// Algorithm (no Name) is none. Names are the kernel crypto API's
// ("cbc(aes)", "hmac(sha256)", "rfc4106(gcm(aes))", "deflate").
//
// Keys are secrets: String and the package's errors never show them.
type Algorithm struct {
	Name string
	Key  []byte
	// KeyBits is the key length in bits (alg_key_len); 0 means 8*len(Key).
	KeyBits uint32
	// ICVBits is the AEAD integrity check value length (alg_icv_len), or
	// the truncation length of an authentication algorithm
	// (alg_trunc_len; 0: the algorithm's default, XFRMA_ALG_AUTH).
	ICVBits uint32
}

// IsZero reports whether a is no algorithm.
func (a Algorithm) IsZero() bool { return a.Name == "" && len(a.Key) == 0 }

// String gives the algorithm without its key: "cbc(aes) (128 bits)".
func (a Algorithm) String() string {
	s := fmt.Sprintf("%s (%d bits)", a.Name, a.keyBits())
	if a.ICVBits != 0 {
		s += fmt.Sprintf(" icv/trunc %d", a.ICVBits)
	}
	return s
}

// GoString is String: %#v must not show the key either.
func (a Algorithm) GoString() string { return "xfrm.Algorithm{" + a.String() + "}" }

func (a *Algorithm) keyBits() uint32 {
	if a.KeyBits != 0 {
		return a.KeyBits
	}
	return uint32(8 * len(a.Key))
}

// keyLen is the number of key bytes the wire holds: the kernel's
// (alg_key_len + 7) / 8.
func keyLen(bits uint32) int { return int((uint64(bits) + 7) / 8) }

// appendAlgo appends struct xfrm_algo (head 68) or xfrm_algo_auth/aead
// (head 72, with icv) and the key, as an attribute payload.
func (a *Algorithm) payload(b []byte, withICV bool) ([]byte, error) {
	if len(a.Name) >= algNameLen {
		return b, fmt.Errorf("xfrm: algorithm name %q longer than %d bytes", a.Name, algNameLen-1)
	}
	bits := a.keyBits()
	if keyLen(bits) > len(a.Key) {
		return b, fmt.Errorf("xfrm: algorithm %s: key of %d bytes for %d bits", a.Name, len(a.Key), bits)
	}
	head := sizeAlgo
	if withICV {
		head = sizeAlgoAuth
	}
	b, p := grow(b, head)
	copy(p, a.Name)
	ne.PutUint32(p[64:], bits)
	if withICV {
		ne.PutUint32(p[68:], a.ICVBits)
	}
	return append(b, a.Key[:keyLen(bits)]...), nil
}

func (a *Algorithm) get(b []byte, withICV bool, what string) error {
	head := sizeAlgo
	if withICV {
		head = sizeAlgoAuth
	}
	if len(b) < head {
		return malformed(what, len(b), head)
	}
	*a = Algorithm{Name: cString(b[:algNameLen]), KeyBits: ne.Uint32(b[64:])}
	if withICV {
		a.ICVBits = ne.Uint32(b[68:])
	}
	n := keyLen(a.KeyBits)
	if len(b)-head < n {
		return fmt.Errorf("xfrm: %s: key of %d bits in %d bytes: %w", what, a.KeyBits, len(b)-head, netlink.ErrMalformed)
	}
	a.Key = append([]byte(nil), b[head:head+n]...)
	if a.KeyBits == uint32(8*n) {
		a.KeyBits = 0
	}
	return nil
}

// Encap is an SA's encapsulation (struct xfrm_encap_tmpl): ESP in UDP for
// NAT traversal, or ESP in TCP. The zero Encap is none.
type Encap struct {
	Type    EncapType
	SrcPort uint16 // encap_sport (host order)
	DstPort uint16 // encap_dport
	// OrigAddr is the peer's original address before NAT (encap_oa), for
	// checksum fix-ups in transport mode; the zero Addr for none.
	OrigAddr netip.Addr
}

func (e *Encap) put(b []byte) {
	ne.PutUint16(b[0:], uint16(e.Type))
	putBE16(b[2:], e.SrcPort)
	putBE16(b[4:], e.DstPort)
	putAddr(b[8:], e.OrigAddr)
}

func (e *Encap) get(b []byte, f Family) {
	*e = Encap{Type: EncapType(ne.Uint16(b[0:])), SrcPort: be16(b[2:]), DstPort: be16(b[4:]), OrigAddr: getAddrOpt(b[8:], f)}
}

// SecurityContext is an LSM security context (struct xfrm_user_sec_ctx
// and the context string), as SELinux labels IPsec.
type SecurityContext struct {
	DOI uint8 // ctx_doi (XFRM_SC_DOI_LSM = 1)
	Alg uint8 // ctx_alg (XFRM_SC_ALG_SELINUX = 1)
	// Context is the context, e.g. "system_u:object_r:ipsec_spd_t:s0";
	// it is sent with a terminating NUL and read back up to the first.
	Context string
}

func (c *SecurityContext) payload(b []byte) []byte {
	// The context goes with its NUL, counted in ctx_len, as ip sends it
	// and SELinux reports it.
	n := len(c.Context) + 1
	b, p := grow(b, sizeSecCtx)
	ne.PutUint16(p[0:], uint16(sizeSecCtx+n))
	ne.PutUint16(p[2:], attrSecCtx) // exttype
	p[4] = c.Alg
	p[5] = c.DOI
	ne.PutUint16(p[6:], uint16(n))
	b = append(b, c.Context...)
	return append(b, 0)
}

func (c *SecurityContext) get(b []byte) error {
	if len(b) < sizeSecCtx {
		return malformed("XFRMA_SEC_CTX", len(b), sizeSecCtx)
	}
	n := int(ne.Uint16(b[6:]))
	if len(b)-sizeSecCtx < n {
		return fmt.Errorf("xfrm: XFRMA_SEC_CTX: context of %d bytes in %d: %w", n, len(b)-sizeSecCtx, netlink.ErrMalformed)
	}
	ctx := b[sizeSecCtx : sizeSecCtx+n]
	if i := bytes.IndexByte(ctx, 0); i >= 0 {
		ctx = ctx[:i]
	}
	*c = SecurityContext{Alg: b[4], DOI: b[5], Context: string(ctx)}
	return nil
}

// Offload asks a network device to do an SA's crypto (struct
// xfrm_user_offload).
type Offload struct {
	IfIndex int32
	Flags   OffloadFlags // OffloadInbound for "dir in"; OffloadPacket for packet offload
}

// Replay is the anti-replay state of an SA without ESN (struct
// xfrm_replay_state).
type Replay struct {
	OSeq   uint32 // last sequence number sent
	Seq    uint32 // highest sequence number received
	Bitmap uint32 // window of received sequence numbers
}

// ReplayESN is the anti-replay state of an SA with extended sequence
// numbers (struct xfrm_replay_state_esn). Its Window replaces State's
// ReplayWindow, which is limited to 32 packets.
type ReplayESN struct {
	OSeq, Seq     uint32 // low halves of the sequence numbers sent and received
	OSeqHi, SeqHi uint32 // high halves
	Window        uint32 // replay_window, in packets
	// Bitmap is the window of received sequence numbers, one bit per
	// packet (bmp_len words); nil for a request, which then sends the bare
	// structure with bmp_len for Window and the kernel sizes the bitmap.
	Bitmap []uint32
}

func (r *ReplayESN) payload(b []byte) []byte {
	bmp := r.Bitmap
	n := len(bmp)
	if n == 0 {
		// No bitmap: bmp_len for the window, and no words, as ip sends
		// it (the kernel takes a bare struct and sizes the bitmap).
		n = int((r.Window + 31) / 32)
	}
	b, p := grow(b, sizeReplayESN+4*len(bmp))
	ne.PutUint32(p[0:], uint32(n))
	ne.PutUint32(p[4:], r.OSeq)
	ne.PutUint32(p[8:], r.Seq)
	ne.PutUint32(p[12:], r.OSeqHi)
	ne.PutUint32(p[16:], r.SeqHi)
	ne.PutUint32(p[20:], r.Window)
	for i, w := range bmp {
		ne.PutUint32(p[sizeReplayESN+4*i:], w)
	}
	return b
}

// maxESNWords is XFRMA_REPLAY_ESN_MAX / 32: the kernel's largest bitmap.
const maxESNWords = 4096 / 32 * 32

func (r *ReplayESN) get(b []byte) error {
	if len(b) < sizeReplayESN {
		return malformed("XFRMA_REPLAY_ESN_VAL", len(b), sizeReplayESN)
	}
	n := ne.Uint32(b[0:])
	if len(b) == sizeReplayESN {
		n = 0 // a request's bare structure
	}
	if n > maxESNWords || len(b) < sizeReplayESN+4*int(n) {
		return fmt.Errorf("xfrm: XFRMA_REPLAY_ESN_VAL: bitmap of %d words in %d bytes: %w", n, len(b), netlink.ErrMalformed)
	}
	*r = ReplayESN{OSeq: ne.Uint32(b[4:]), Seq: ne.Uint32(b[8:]), OSeqHi: ne.Uint32(b[12:]), SeqHi: ne.Uint32(b[16:]), Window: ne.Uint32(b[20:])}
	if n > 0 {
		r.Bitmap = make([]uint32, n)
		for i := range r.Bitmap {
			r.Bitmap[i] = ne.Uint32(b[sizeReplayESN+4*i:])
		}
	}
	return nil
}

// Template is one transform a policy requires (struct xfrm_user_tmpl):
// the SA that must be applied, matched by its protocol, mode, reqid and,
// if set, addresses and SPI. (The fields are in the order that packs
// them into 80 bytes: a dump of many policies allocates its templates.)
type Template struct {
	// Family is the family of Src and Dst; FamilyUnspec takes it from
	// them, or from the policy's selector.
	Family Family
	Src    netip.Addr // saddr: tunnel source; the zero Addr for any
	Dst    netip.Addr // id.daddr: tunnel destination; the zero Addr for any
	SPI    uint32     // id.spi; 0 any
	ReqID  uint32     // reqid; 0 any
	// AuthAlgos, CryptAlgos and CompAlgos are bitmaps of the acceptable
	// algorithms (aalgos, ealgos, calgos); 0 is sent as all ones, any
	// algorithm, as ip does.
	AuthAlgos, CryptAlgos, CompAlgos uint32
	Proto                            Proto // id.proto
	Mode                             Mode
	Share                            Share
	// Optional makes the transform optional ("level use"): packets
	// without it pass. Otherwise it is required.
	Optional bool
}

func algosOut(v uint32) uint32 {
	if v == 0 {
		return ^uint32(0)
	}
	return v
}

func (t *Template) put(b []byte, def Family) {
	b = b[:sizeTmpl]
	clear(b)
	f := t.Family
	if f == FamilyUnspec {
		if f = familyOf(t.Dst); f == FamilyUnspec {
			if f = familyOf(t.Src); f == FamilyUnspec {
				f = def
			}
		}
	}
	putAddr(b[0:], t.Dst)
	putBE32(b[16:], t.SPI)
	b[20] = uint8(t.Proto)
	ne.PutUint16(b[24:], uint16(f))
	putAddr(b[28:], t.Src)
	ne.PutUint32(b[44:], t.ReqID)
	b[48] = uint8(t.Mode)
	b[49] = uint8(t.Share)
	if t.Optional {
		b[50] = 1
	}
	ne.PutUint32(b[52:], algosOut(t.AuthAlgos))
	ne.PutUint32(b[56:], algosOut(t.CryptAlgos))
	ne.PutUint32(b[60:], algosOut(t.CompAlgos))
}

func (t *Template) get(b []byte) {
	f := Family(ne.Uint16(b[24:]))
	*t = Template{
		Family: f, Dst: getAddrOpt(b[0:], f), SPI: be32(b[16:]), Proto: Proto(b[20]),
		Src: getAddrOpt(b[28:], f), ReqID: ne.Uint32(b[44:]), Mode: Mode(b[48]), Share: Share(b[49]),
		Optional:  b[50] != 0,
		AuthAlgos: ne.Uint32(b[52:]), CryptAlgos: ne.Uint32(b[56:]), CompAlgos: ne.Uint32(b[60:]),
	}
}

// slabTemplates is how many templates a dump's slab holds: 256 of 80
// bytes fill a 20 KiB allocation size class exactly.
const slabTemplates = 256

// getTemplates reads an XFRMA_TMPL array. With a slab, the templates are
// carved from it (a dump of many policies allocates once per few hundred
// of them); the slab is never reused, so nothing aliases.
func getTemplates(b []byte, slab *[]Template) ([]Template, error) {
	if len(b)%sizeTmpl != 0 {
		return nil, fmt.Errorf("xfrm: XFRMA_TMPL: %d bytes, not a multiple of %d: %w", len(b), sizeTmpl, netlink.ErrMalformed)
	}
	n := len(b) / sizeTmpl
	var ts []Template
	if slab != nil {
		if cap(*slab)-len(*slab) < n {
			*slab = make([]Template, 0, max(slabTemplates, n))
		}
		l := len(*slab)
		*slab = (*slab)[:l+n]
		ts = (*slab)[l : l+n : l+n]
	} else {
		ts = make([]Template, n)
	}
	for i := range ts {
		ts[i].get(b[i*sizeTmpl:])
	}
	return ts, nil
}

// prefixString prints a selector prefix, the zero Prefix as the family's
// 0/0.
func prefixString(p netip.Prefix, s Selector) string {
	if p.IsValid() {
		return p.String()
	}
	if s.family() == FamilyIPv6 {
		return "::/0"
	}
	return "0.0.0.0/0"
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
