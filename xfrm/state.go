package xfrm

import (
	"fmt"
	"net/netip"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// State is an IPsec security association (SA), an entry of the kernel's
// SAD: struct xfrm_usersa_info and the attributes that go with it.
//
// An SA is named by its destination, SPI and protocol (StateID). Zero
// fields are absent: no algorithm, no encapsulation, no mark. Keys are
// secrets: State's String never shows them (see Algorithm).
type State struct {
	Src   netip.Addr // saddr
	Dst   netip.Addr // id.daddr
	SPI   uint32     // id.spi, in host order
	Proto Proto      // id.proto
	// Family is the family of Src and Dst; FamilyUnspec takes it from
	// them (or the selector's, else IPv4, as ip does).
	Family Family
	Mode   Mode
	ReqID  uint32 // reqid: ties the SA to policy templates
	Seq    uint32 // seq: the sequence number of the ACQUIRE it answers
	// ReplayWindow is the anti-replay window in packets (at most 32;
	// larger windows and ESN use ReplayESN).
	ReplayWindow uint8
	Flags        StateFlags
	ExtraFlags   ExtraFlags // XFRMA_SA_EXTRA_FLAGS
	Selector     Selector   // sel: the traffic the SA may carry
	Limits       Limits     // lft
	Current      Lifetime   // curlft (read only)
	Stats        Stats      // stats (read only)

	Auth  Algorithm // XFRMA_ALG_AUTH, or XFRMA_ALG_AUTH_TRUNC if Auth.ICVBits is set
	Crypt Algorithm // XFRMA_ALG_CRYPT
	AEAD  Algorithm // XFRMA_ALG_AEAD (ICVBits: alg_icv_len)
	Comp  Algorithm // XFRMA_ALG_COMP

	Encap  Encap      // XFRMA_ENCAP
	CareOf netip.Addr // XFRMA_COADDR: Mobile IPv6 care-of address (route2, hao)
	Mark   Mark       // XFRMA_MARK
	// OutputMark is the mark set on packets after the transform
	// (XFRMA_SET_MARK, XFRMA_SET_MARK_MASK).
	OutputMark Mark
	IfID       uint32 // XFRMA_IF_ID: the xfrm interface it belongs to
	TFCPad     uint32 // XFRMA_TFCPAD: traffic flow confidentiality padding

	SecurityContext *SecurityContext // XFRMA_SEC_CTX
	Offload         *Offload         // XFRMA_OFFLOAD_DEV
	Replay          *Replay          // XFRMA_REPLAY_VAL
	ReplayESN       *ReplayESN       // XFRMA_REPLAY_ESN_VAL (with StateESN or windows over 32)
	// ReplayThreshold and ExpiryTimer tune async counter events
	// (XFRMA_REPLAY_THRESH in packets, XFRMA_ETIMER_THRESH in 100 ms).
	ReplayThreshold, ExpiryTimer uint32
	// LastUsed is when the SA was last used, in seconds of the Unix epoch
	// (XFRMA_LASTUSED, read only).
	LastUsed uint64
	// Dir is the SA's direction (XFRMA_SA_DIR, Linux 6.10): 1 in, 2 out;
	// 0 unset.
	Dir uint8
	// NATKeepalive is the NAT keepalive interval in seconds
	// (XFRMA_NAT_KEEPALIVE_INTERVAL, Linux 6.9).
	NATKeepalive uint32
}

// StateID names an SA: destination, SPI and protocol (struct
// xfrm_usersa_id), and the mark it was added with, if any. Src is sent
// too (XFRMA_SRCADDR), as ip does; the kernel uses it only for the
// Mobile IPv6 protocols, whose SAs have no SPI.
type StateID struct {
	Dst   netip.Addr
	SPI   uint32
	Proto Proto
	Src   netip.Addr
	Mark  Mark
}

// ID is the StateID of s.
func (s *State) ID() StateID {
	return StateID{Dst: s.Dst, SPI: s.SPI, Proto: s.Proto, Src: s.Src, Mark: s.Mark}
}

// String names the SA for errors and logs, without keys:
// "esp spi 0x00000100 198.18.0.1 -> 198.18.0.2".
func (id StateID) String() string {
	s := fmt.Sprintf("%s spi 0x%08x", id.Proto, id.SPI)
	if id.Src.IsValid() {
		s += " " + id.Src.String() + " ->"
	}
	return s + " " + id.Dst.String()
}

// String names the SA without its keys (see StateID.String).
func (s State) String() string { return s.ID().String() }

// GoString is String: %#v must not show the keys either.
func (s State) GoString() string { return "xfrm.State{" + s.String() + "}" }

// family is the SA's address family.
func (s *State) family() Family {
	if s.Family != FamilyUnspec {
		return s.Family
	}
	if f := familyOf(s.Dst); f != FamilyUnspec {
		return f
	}
	if f := familyOf(s.Src); f != FamilyUnspec {
		return f
	}
	if f := s.Selector.family(); f != FamilyUnspec {
		return f
	}
	return FamilyIPv4
}

// putInfo writes struct xfrm_usersa_info at b (sizeUserSAInfo bytes).
func (s *State) putInfo(b []byte) {
	b = b[:sizeUserSAInfo]
	clear(b)
	s.Selector.put(b[0:])
	putAddr(b[56:], s.Dst)
	putBE32(b[72:], s.SPI)
	b[76] = uint8(s.Proto)
	putAddr(b[80:], s.Src)
	s.Limits.put(b[96:])
	s.Current.put(b[160:])
	ne.PutUint32(b[192:], s.Stats.ReplayWindow)
	ne.PutUint32(b[196:], s.Stats.Replay)
	ne.PutUint32(b[200:], s.Stats.IntegrityFailed)
	ne.PutUint32(b[204:], s.Seq)
	ne.PutUint32(b[208:], s.ReqID)
	ne.PutUint16(b[212:], uint16(s.family()))
	b[214] = uint8(s.Mode)
	b[215] = s.ReplayWindow
	b[216] = uint8(s.Flags)
}

// getInfo reads struct xfrm_usersa_info.
func (s *State) getInfo(b []byte) error {
	f := Family(ne.Uint16(b[212:]))
	*s = State{
		Dst: getAddr(b[56:], f), SPI: be32(b[72:]), Proto: Proto(b[76]), Src: getAddr(b[80:], f),
		Family: f,
		Stats:  Stats{ReplayWindow: ne.Uint32(b[192:]), Replay: ne.Uint32(b[196:]), IntegrityFailed: ne.Uint32(b[200:])},
		Seq:    ne.Uint32(b[204:]), ReqID: ne.Uint32(b[208:]),
		Mode: Mode(b[214]), ReplayWindow: b[215], Flags: StateFlags(b[216]),
	}
	s.Limits.get(b[96:])
	s.Current.get(b[160:])
	return s.Selector.get(b[0:], f)
}

// appendAttrs appends the SA's attributes, in the order ip sends them for
// a command line that names them in this order.
func (s *State) appendAttrs(b []byte) ([]byte, error) {
	var err error
	alg := func(typ uint16, a *Algorithm, icv bool) {
		if err != nil || a.IsZero() {
			return
		}
		b, err = appendAttrFunc(b, typ, func(b []byte) ([]byte, error) { return a.payload(b, icv) })
	}
	if s.Auth.ICVBits != 0 {
		alg(attrAlgAuthTrunc, &s.Auth, true)
	} else {
		alg(attrAlgAuth, &s.Auth, false)
	}
	alg(attrAlgCrypt, &s.Crypt, false)
	alg(attrAlgAEAD, &s.AEAD, true)
	alg(attrAlgComp, &s.Comp, false)
	if err != nil {
		return b, err
	}
	if s.Encap != (Encap{}) {
		b = appendAttrFixed(b, attrEncap, sizeEncap, s.Encap.put)
	}
	if s.CareOf.IsValid() {
		b = appendAttrFixed(b, attrCoAddr, 16, func(p []byte) { putAddr(p, s.CareOf) })
	}
	if s.SecurityContext != nil {
		if b, err = appendSecCtx(b, s.SecurityContext); err != nil {
			return b, err
		}
	}
	if o := s.Offload; o != nil {
		b = appendAttrFixed(b, attrOffloadDev, sizeOffload, func(p []byte) {
			ne.PutUint32(p[0:], uint32(o.IfIndex))
			p[4] = uint8(o.Flags)
		})
	}
	if r := s.ReplayESN; r != nil {
		if r.Window > 4096 || len(r.Bitmap) > maxESNWords {
			return b, fmt.Errorf("xfrm: replay window %d over the kernel's 4096", r.Window)
		}
		b, _ = appendAttrFunc(b, attrReplayESNVal, func(b []byte) ([]byte, error) { return r.payload(b), nil })
	} else if r := s.Replay; r != nil {
		b = appendAttrFixed(b, attrReplayVal, sizeReplay, func(p []byte) {
			ne.PutUint32(p[0:], r.OSeq)
			ne.PutUint32(p[4:], r.Seq)
			ne.PutUint32(p[8:], r.Bitmap)
		})
	}
	if s.ExtraFlags != 0 {
		b = appendU32(b, attrSAExtraFlags, uint32(s.ExtraFlags))
	}
	b = appendMark(b, s.Mark)
	if s.IfID != 0 {
		b = appendU32(b, attrIfID, s.IfID)
	}
	if s.TFCPad != 0 {
		b = appendU32(b, attrTFCPad, s.TFCPad)
	}
	if s.OutputMark.Value != 0 {
		b = appendU32(b, attrSetMark, s.OutputMark.Value)
	}
	if s.OutputMark.Mask != 0 {
		b = appendU32(b, attrSetMarkMask, s.OutputMark.Mask)
	}
	if s.ReplayThreshold != 0 {
		b = appendU32(b, attrReplayThresh, s.ReplayThreshold)
	}
	if s.ExpiryTimer != 0 {
		b = appendU32(b, attrETimerThresh, s.ExpiryTimer)
	}
	if s.Dir != 0 {
		b = appendAttrFixed(b, attrSADir, 1, func(p []byte) { p[0] = s.Dir })
	}
	if s.NATKeepalive != 0 {
		b = appendU32(b, attrNATKeepalive, s.NATKeepalive)
	}
	return b, nil
}

// AppendBinary appends the SA as the body of an XFRM_MSG_NEWSA request
// (struct xfrm_usersa_info and the attributes) to b.
func (s State) AppendBinary(b []byte) ([]byte, error) {
	b, p := grow(b, sizeUserSAInfo)
	s.putInfo(p)
	return s.appendAttrs(b)
}

// MarshalBinary is AppendBinary to a new slice.
func (s State) MarshalBinary() ([]byte, error) { return s.AppendBinary(nil) }

// UnmarshalBinary decodes the body of an XFRM_MSG_NEWSA message (a dump
// reply, a GETSA answer, a notification) into s. Unknown attributes are
// skipped; a known one of the wrong size is an error naming it. Nothing in
// s aliases b.
func (s *State) UnmarshalBinary(b []byte) error {
	if len(b) < sizeUserSAInfo {
		return malformed("struct xfrm_usersa_info", len(b), sizeUserSAInfo)
	}
	if err := s.getInfo(b); err != nil {
		return err
	}
	return s.getAttrs(b[sizeUserSAInfo:])
}

// getAttrs decodes the SA attributes of b into s.
func (s *State) getAttrs(b []byte) error {
	d := nlattr.NewDecoder(b)
	f := s.Family
	var authTrunc bool
	for d.Next() {
		p := d.Bytes()
		var err error
		switch d.Type() {
		case attrAlgAuth:
			if !authTrunc {
				err = s.Auth.get(p, false, "XFRMA_ALG_AUTH")
			}
		case attrAlgAuthTrunc:
			authTrunc = true
			err = s.Auth.get(p, true, "XFRMA_ALG_AUTH_TRUNC")
		case attrAlgCrypt:
			err = s.Crypt.get(p, false, "XFRMA_ALG_CRYPT")
		case attrAlgAEAD:
			err = s.AEAD.get(p, true, "XFRMA_ALG_AEAD")
		case attrAlgComp:
			err = s.Comp.get(p, false, "XFRMA_ALG_COMP")
		case attrEncap:
			if err = need(p, sizeEncap, "XFRMA_ENCAP"); err == nil {
				s.Encap.get(p, f)
			}
		case attrCoAddr:
			if err = need(p, 16, "XFRMA_COADDR"); err == nil {
				s.CareOf = getAddr(p, f)
			}
		case attrSecCtx:
			s.SecurityContext = new(SecurityContext)
			err = s.SecurityContext.get(p)
		case attrOffloadDev:
			if err = need(p, sizeOffload, "XFRMA_OFFLOAD_DEV"); err == nil {
				s.Offload = &Offload{IfIndex: int32(ne.Uint32(p[0:])), Flags: OffloadFlags(p[4])}
			}
		case attrReplayVal:
			if err = need(p, sizeReplay, "XFRMA_REPLAY_VAL"); err == nil {
				s.Replay = &Replay{OSeq: ne.Uint32(p[0:]), Seq: ne.Uint32(p[4:]), Bitmap: ne.Uint32(p[8:])}
			}
		case attrReplayESNVal:
			s.ReplayESN = new(ReplayESN)
			err = s.ReplayESN.get(p)
		case attrSAExtraFlags:
			s.ExtraFlags = ExtraFlags(d.Uint32())
		case attrMark:
			s.Mark, err = getMark(p)
		case attrIfID:
			s.IfID = d.Uint32()
		case attrTFCPad:
			s.TFCPad = d.Uint32()
		case attrSetMark:
			s.OutputMark.Value = d.Uint32()
		case attrSetMarkMask:
			s.OutputMark.Mask = d.Uint32()
		case attrReplayThresh:
			s.ReplayThreshold = d.Uint32()
		case attrETimerThresh:
			s.ExpiryTimer = d.Uint32()
		case attrLastUsed:
			s.LastUsed = d.Uint64()
		case attrSADir:
			s.Dir = d.Uint8()
		case attrNATKeepalive:
			s.NATKeepalive = d.Uint32()
		case attrLifetimeVal:
			if err = need(p, sizeLifetimeCur, "XFRMA_LTIME_VAL"); err == nil {
				s.Current.get(p)
			}
		}
		if err != nil {
			return err
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("xfrm: SA attributes: %w", err)
	}
	return nil
}

// need checks that an attribute payload has exactly n bytes (at least n
// for the structures the kernel may grow; these do not).
func need(p []byte, n int, name string) error {
	if len(p) < n {
		return malformed(name, len(p), n)
	}
	return nil
}

func getMark(p []byte) (Mark, error) {
	if err := need(p, sizeMark, "XFRMA_MARK"); err != nil {
		return Mark{}, err
	}
	return Mark{Value: ne.Uint32(p[0:]), Mask: ne.Uint32(p[4:])}, nil
}

func appendMark(b []byte, m Mark) []byte {
	if m.IsZero() {
		return b
	}
	return appendAttrFixed(b, attrMark, sizeMark, func(p []byte) {
		ne.PutUint32(p[0:], m.Value)
		ne.PutUint32(p[4:], m.Mask)
	})
}

func appendSecCtx(b []byte, c *SecurityContext) ([]byte, error) {
	if len(c.Context)+1+sizeSecCtx+nlattr.HeaderLen > 0xffff {
		return b, fmt.Errorf("xfrm: security context of %d bytes too long", len(c.Context))
	}
	return appendAttrFunc(b, attrSecCtx, func(b []byte) ([]byte, error) { return c.payload(b), nil })
}

// appendAttrFixed appends an attribute of n payload bytes filled by put.
func appendAttrFixed(b []byte, typ uint16, n int, put func([]byte)) []byte {
	b, h := grow(b, nlattr.Align(nlattr.HeaderLen+n))
	ne.PutUint16(h[0:], uint16(nlattr.HeaderLen+n))
	ne.PutUint16(h[2:], typ)
	put(h[nlattr.HeaderLen : nlattr.HeaderLen+n])
	return b
}

// appendAttrFunc appends an attribute whose payload fn appends.
func appendAttrFunc(b []byte, typ uint16, fn func([]byte) ([]byte, error)) ([]byte, error) {
	start := len(b)
	b, _ = grow(b, nlattr.HeaderLen)
	b, err := fn(b)
	if err != nil {
		return b[:start], err
	}
	n := len(b) - start
	if n > 0xffff {
		return b[:start], fmt.Errorf("xfrm: attribute %d of %d bytes: %w", typ, n, nlattr.ErrBadLength)
	}
	ne.PutUint16(b[start:], uint16(n))
	ne.PutUint16(b[start+2:], typ)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b, nil
}

func appendU32(b []byte, typ uint16, v uint32) []byte {
	return appendAttrFixed(b, typ, 4, func(p []byte) { ne.PutUint32(p, v) })
}

// putUserSAID writes struct xfrm_usersa_id.
func (id *StateID) put(b []byte) {
	b = b[:sizeUserSAID]
	clear(b)
	putAddr(b[0:], id.Dst)
	putBE32(b[16:], id.SPI)
	f := familyOf(id.Dst)
	if f == FamilyUnspec {
		f = familyOf(id.Src)
	}
	ne.PutUint16(b[20:], uint16(f))
	b[22] = uint8(id.Proto)
}

// request is the body of a GETSA or DELSA request.
func (id *StateID) request() []byte {
	b, p := grow(nil, sizeUserSAID)
	id.put(p)
	// ip always sends XFRMA_SRCADDR (zero when no source was given); the
	// kernel reads it only for protocols other than ESP, AH and IPComp.
	b = appendAttrFixed(b, attrSrcAddr, 16, func(p []byte) { putAddr(p, id.Src) })
	return appendMark(b, id.Mark)
}

// getStateID reads struct xfrm_usersa_id.
func getStateID(b []byte) StateID {
	f := Family(ne.Uint16(b[20:]))
	return StateID{Dst: getAddr(b[0:], f), SPI: be32(b[16:]), Proto: Proto(b[22])}
}

var _ = netlink.ErrMalformed

// AppendBinary appends the body of an XFRM_MSG_GETSA or XFRM_MSG_DELSA
// request naming the SA (struct xfrm_usersa_id, XFRMA_SRCADDR and
// XFRMA_MARK) to b.
func (id StateID) AppendBinary(b []byte) ([]byte, error) { return append(b, id.request()...), nil }

// MarshalBinary is AppendBinary to a new slice.
func (id StateID) MarshalBinary() ([]byte, error) { return id.request(), nil }

// UnmarshalBinary decodes the body of a GETSA or DELSA request (or a
// DELSA notification's header and attributes) into id.
func (id *StateID) UnmarshalBinary(b []byte) error {
	if len(b) < sizeUserSAID {
		return malformed("struct xfrm_usersa_id", len(b), sizeUserSAID)
	}
	*id = getStateID(b)
	f := Family(ne.Uint16(b[20:]))
	return eachAttr(b[sizeUserSAID:], "SA id", func(typ uint16, p []byte) error {
		var err error
		switch typ {
		case attrSrcAddr:
			if err = need(p, 16, "XFRMA_SRCADDR"); err == nil {
				id.Src = getAddrOpt(p, f)
			}
		case attrMark:
			id.Mark, err = getMark(p)
		}
		return err
	})
}
