// Package xfrmtest is a fake of the kernel's XFRM netlink interface, for
// tests of code built on package xfrm without root or a kernel (or with a
// kernel that lacks the ESP, AH and IPComp modules, as CI machines may):
// it keeps SAs and policies the way net/xfrm/xfrm_user.c does, answers
// requests, dumps and counters, and sends the notifications the kernel
// sends. It sits beside package xfrm as net/http/httptest beside net/http
// and is an nltest.Handler on a generic nltest.Server.
//
// What it keeps: SAs by destination, SPI, protocol and mark (add,
// update, get, delete, flush by protocol, dump with the kernel's filters,
// ALLOCSPI's larval SAs); policies by selector, direction, type, mark and
// if_id, with the kernel's index numbering (add, update, get by selector
// or index, delete, flush by type, dump); default policies; SPD hash
// thresholds; SAD and SPD counters; ACQUIRE with its larval SA when a test
// calls Acquire, for key managers to answer. It does not check algorithms
// or types (every SA shape is accepted), run lifetimes or match traffic;
// Notify sends any other notification a test builds.
//
// A Fake is safe for concurrent use.
package xfrmtest

import (
	"encoding/binary"
	"net/netip"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"github.com/nlkit/nlkit/nltest"
	"github.com/nlkit/nlkit/xfrm"
)

// Message types and attributes of linux/xfrm.h the fake speaks.
const (
	msgNewSA       = 0x10 // XFRM_MSG_NEWSA
	msgDelSA       = 0x11 // XFRM_MSG_DELSA
	msgGetSA       = 0x12 // XFRM_MSG_GETSA
	msgNewPolicy   = 0x13 // XFRM_MSG_NEWPOLICY
	msgDelPolicy   = 0x14 // XFRM_MSG_DELPOLICY
	msgGetPolicy   = 0x15 // XFRM_MSG_GETPOLICY
	msgAllocSPI    = 0x16 // XFRM_MSG_ALLOCSPI
	msgAcquire     = 0x17 // XFRM_MSG_ACQUIRE
	msgUpdPolicy   = 0x19 // XFRM_MSG_UPDPOLICY
	msgUpdSA       = 0x1a // XFRM_MSG_UPDSA
	msgFlushSA     = 0x1c // XFRM_MSG_FLUSHSA
	msgFlushPolicy = 0x1d // XFRM_MSG_FLUSHPOLICY
	msgNewSADInfo  = 0x22 // XFRM_MSG_NEWSADINFO
	msgGetSADInfo  = 0x23 // XFRM_MSG_GETSADINFO
	msgNewSPDInfo  = 0x24 // XFRM_MSG_NEWSPDINFO
	msgGetSPDInfo  = 0x25 // XFRM_MSG_GETSPDINFO
	msgSetDefault  = 0x27 // XFRM_MSG_SETDEFAULT
	msgGetDefault  = 0x28 // XFRM_MSG_GETDEFAULT

	attrSA            = 6  // XFRMA_SA
	attrPolicy        = 7  // XFRMA_POLICY
	attrPolicyType    = 16 // XFRMA_POLICY_TYPE
	attrProto         = 25 // XFRMA_PROTO
	attrAddressFilter = 26 // XFRMA_ADDRESS_FILTER

	sizeUserSAInfo = 224 // struct xfrm_usersa_info
	sizeUserSAID   = 24  // struct xfrm_usersa_id
	sizePolicyInfo = 168 // struct xfrm_userpolicy_info
	sizePolicyID   = 64  // struct xfrm_userpolicy_id

	larvalLifetime = 30 // seconds: net.core.xfrm_acq_expires
)

var ne = binary.NativeEndian

// Fake is a fake XFRM kernel. The zero value is not usable: call NewFake.
type Fake struct {
	srv *nltest.Server

	mu       sync.Mutex
	states   []xfrm.State
	policies []xfrm.Policy
	gen      uint32 // the kernel's idx_generator
	acqSeq   uint32 // the kernel's ACQUIRE sequence numbers
	def      xfrm.DefaultPolicy
	v4, v6   xfrm.HashThreshold
	now      func() time.Time
}

// NewFake returns an empty fake: no SAs or policies, default policies
// accept, hash thresholds 32/32 and 128/128 as a new namespace has.
func NewFake() *Fake {
	f := &Fake{
		def: xfrm.DefaultPolicy{In: xfrm.DefaultAccept, Fwd: xfrm.DefaultAccept, Out: xfrm.DefaultAccept},
		v4:  xfrm.HashThreshold{Local: 32, Remote: 32}, v6: xfrm.HashThreshold{Local: 128, Remote: 128},
		now: time.Now,
	}
	f.srv = nltest.NewServer(f)
	return f
}

// Dial returns a NETLINK_XFRM netlink.Conn served by the fake, for
// xfrm.NewConn; cfg applies as in nltest.Server.Dial (cfg.Groups
// subscribes to notifications).
func (f *Fake) Dial(cfg *netlink.Config) (*netlink.Conn, error) { return f.srv.Dial(cfg) }

// Notify multicasts notifications to the Conns that joined group (an
// xfrm.Group), e.g. an ACQUIRE a test has built.
func (f *Fake) Notify(group xfrm.Group, msgs ...netlink.Message) error {
	return f.srv.Notify(uint32(group), msgs...)
}

// Overrun makes every Conn's next receive report netlink.ErrOverrun, as
// when the kernel drops notifications.
func (f *Fake) Overrun() { f.srv.Overrun() }

// StateList returns a copy of the fake's SAs, in the order of a dump.
func (f *Fake) StateList() []xfrm.State {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.states)
}

// PolicyList returns a copy of the fake's policies, in the order of a
// dump.
func (f *Fake) PolicyList() []xfrm.Policy {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.policies)
}

// Handle answers one request as the kernel's xfrm_user.c does. It is the
// nltest.Handler of the fake's Server.
func (f *Fake) Handle(req netlink.Message) ([]netlink.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	dump := req.Header.Flags&netlink.Dump == netlink.Dump
	switch req.Header.Type {
	case msgNewSA, msgUpdSA:
		return nil, f.newSA(req)
	case msgGetSA:
		if dump {
			return f.dumpSA(req.Data)
		}
		var id xfrm.StateID
		if err := id.UnmarshalBinary(req.Data); err != nil {
			return nil, syscall.EINVAL
		}
		i := f.findSA(id)
		if i < 0 {
			return nil, syscall.ESRCH
		}
		return saMsg(msgNewSA, &f.states[i])
	case msgDelSA:
		var id xfrm.StateID
		if err := id.UnmarshalBinary(req.Data); err != nil {
			return nil, syscall.EINVAL
		}
		i := f.findSA(id)
		if i < 0 {
			return nil, syscall.ESRCH
		}
		s := f.states[i]
		f.states = slices.Delete(f.states, i, i+1)
		return nil, f.notifyDelSA(&s)
	case msgFlushSA:
		if len(req.Data) < 1 {
			return nil, syscall.EINVAL
		}
		proto := xfrm.Proto(req.Data[0])
		n := len(f.states)
		f.states = slices.DeleteFunc(f.states, func(s xfrm.State) bool { return protoMatch(s.Proto, proto) })
		if n == len(f.states) {
			return nil, nil // the kernel is quiet when nothing was flushed
		}
		return nil, f.srv.Notify(uint32(xfrm.GroupSA), netlink.Message{Header: netlink.Header{Type: msgFlushSA}, Data: []byte{uint8(proto), 0, 0, 0}})
	case msgAllocSPI:
		return f.allocSPI(req.Data)
	case msgNewPolicy, msgUpdPolicy:
		return nil, f.newPolicy(req)
	case msgGetPolicy:
		if dump {
			var out []netlink.Message
			for i := range f.policies {
				m, err := policyMsg(msgNewPolicy, &f.policies[i])
				if err != nil {
					return nil, err
				}
				out = append(out, m...)
			}
			return out, nil
		}
		i, err := f.findPolicyReq(req.Data)
		if err != nil {
			return nil, err
		}
		return policyMsg(msgNewPolicy, &f.policies[i])
	case msgDelPolicy:
		i, err := f.findPolicyReq(req.Data)
		if err != nil {
			return nil, err
		}
		p := f.policies[i]
		f.policies = slices.Delete(f.policies, i, i+1)
		return nil, f.notifyDelPolicy(&p)
	case msgFlushPolicy:
		t := xfrm.PolicyTypeMain
		d := nlattr.NewDecoder(req.Data)
		for d.Next() {
			if d.Type() == attrPolicyType {
				if b := d.Bytes(); len(b) > 0 {
					t = xfrm.PolicyType(b[0])
				}
			}
		}
		f.policies = slices.DeleteFunc(f.policies, func(p xfrm.Policy) bool { return p.Type == t })
		e := nlattr.NewEncoder(nil)
		e.Bytes(attrPolicyType, []byte{uint8(t), 0, 0, 0, 0, 0})
		b, _ := e.Finish()
		return nil, f.srv.Notify(uint32(xfrm.GroupPolicy), netlink.Message{Header: netlink.Header{Type: msgFlushPolicy}, Data: b})
	case msgGetSADInfo:
		e := nlattr.NewEncoder(ne.AppendUint32(nil, 0))
		e.Uint32(1, uint32(len(f.states))) // XFRMA_SAD_CNT
		e.Bytes(2, ne.AppendUint32(ne.AppendUint32(nil, 8), 1<<20))
		b, _ := e.Finish()
		return []netlink.Message{{Header: netlink.Header{Type: msgNewSADInfo}, Data: b}}, nil
	case msgGetSPDInfo:
		var cnt [6]uint32
		for _, p := range f.policies {
			cnt[min(int(p.Dir), 5)]++
		}
		info := make([]byte, 0, 24)
		for _, c := range cnt {
			info = ne.AppendUint32(info, c)
		}
		e := nlattr.NewEncoder(ne.AppendUint32(nil, 0))
		e.Bytes(1, info) // XFRMA_SPD_INFO
		e.Bytes(2, ne.AppendUint32(ne.AppendUint32(nil, 7), 1<<20))
		e.Bytes(3, []byte{f.v4.Local, f.v4.Remote})
		e.Bytes(4, []byte{f.v6.Local, f.v6.Remote})
		b, _ := e.Finish()
		return []netlink.Message{{Header: netlink.Header{Type: msgNewSPDInfo}, Data: b}}, nil
	case msgNewSPDInfo:
		if len(req.Data) < 4 {
			return nil, syscall.EINVAL
		}
		d := nlattr.NewDecoder(req.Data[4:])
		for d.Next() {
			b := d.Bytes()
			if len(b) < 2 {
				return nil, syscall.EINVAL
			}
			switch d.Type() {
			case 3:
				if b[0] > 32 || b[1] > 32 {
					return nil, syscall.EINVAL
				}
				f.v4 = xfrm.HashThreshold{Local: b[0], Remote: b[1]}
			case 4:
				if b[0] > 128 || b[1] > 128 {
					return nil, syscall.EINVAL
				}
				f.v6 = xfrm.HashThreshold{Local: b[0], Remote: b[1]}
			}
		}
		return nil, nil
	case msgGetDefault:
		return []netlink.Message{{Header: netlink.Header{Type: msgGetDefault}, Data: []byte{uint8(f.def.In), uint8(f.def.Fwd), uint8(f.def.Out)}}}, nil
	case msgSetDefault:
		if len(req.Data) < 3 {
			return nil, syscall.EINVAL
		}
		for i, d := range []*xfrm.DefaultAction{&f.def.In, &f.def.Fwd, &f.def.Out} {
			switch v := xfrm.DefaultAction(req.Data[i]); v {
			case xfrm.DefaultBlock, xfrm.DefaultAccept:
				*d = v
			}
		}
		return nil, nil
	}
	return nil, syscall.EOPNOTSUPP
}

// protoMatch is the kernel's xfrm_id_proto_match.
func protoMatch(proto, user xfrm.Proto) bool {
	return user == 0 || proto == user || user == xfrm.ProtoIPsecAny && proto.IsIPsec()
}

func (f *Fake) findSA(id xfrm.StateID) int {
	return slices.IndexFunc(f.states, func(s xfrm.State) bool {
		return s.Dst == id.Dst && s.SPI == id.SPI && s.Proto == id.Proto && (s.Mark.Value&id.Mark.Mask) == (id.Mark.Value&s.Mark.Mask)
	})
}

func saMsg(typ netlink.MessageType, s *xfrm.State) ([]netlink.Message, error) {
	b, err := s.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return []netlink.Message{{Header: netlink.Header{Type: typ}, Data: b}}, nil
}

func (f *Fake) newSA(req netlink.Message) error {
	var s xfrm.State
	if err := s.UnmarshalBinary(req.Data); err != nil {
		return syscall.EINVAL
	}
	if !s.Dst.IsValid() || s.Proto == 0 {
		return syscall.EINVAL
	}
	if s.Family == xfrm.FamilyUnspec {
		s.Family = xfrm.FamilyIPv4
	}
	s.Current = xfrm.Lifetime{Added: uint64(f.now().Unix())}
	i := f.findSA(s.ID())
	if req.Header.Type == msgNewSA {
		if i >= 0 {
			return syscall.EEXIST
		}
		f.states = append(f.states, s)
	} else {
		if i < 0 {
			return syscall.ESRCH
		}
		s.Current = f.states[i].Current
		f.states[i] = s
	}
	m, err := saMsg(req.Header.Type, &s)
	if err != nil {
		return err
	}
	return f.srv.Notify(uint32(xfrm.GroupSA), m...)
}

// dumpSA answers a GETSA dump, with the kernel's XFRMA_PROTO and
// XFRMA_ADDRESS_FILTER filters (read right after the netlink header).
func (f *Fake) dumpSA(body []byte) ([]netlink.Message, error) {
	var proto xfrm.Proto
	var src, dst netip.Prefix
	d := nlattr.NewDecoder(body)
	for d.Next() {
		b := d.Bytes()
		switch d.Type() {
		case attrProto:
			if len(b) < 1 {
				return nil, syscall.EINVAL
			}
			proto = xfrm.Proto(b[0])
		case attrAddressFilter:
			if len(b) < 36 {
				return nil, syscall.EINVAL
			}
			fam := ne.Uint16(b[32:])
			addr := func(p []byte) netip.Addr {
				if fam == syscall.AF_INET {
					return netip.AddrFrom4([4]byte(p[:4]))
				}
				return netip.AddrFrom16([16]byte(p[:16]))
			}
			src, _ = addr(b[0:]).Prefix(int(b[34]))
			dst, _ = addr(b[16:]).Prefix(int(b[35]))
		}
	}
	var out []netlink.Message
	for i := range f.states {
		s := &f.states[i]
		if !protoMatch(s.Proto, proto) || src.IsValid() && !src.Contains(s.Src) || dst.IsValid() && !dst.Contains(s.Dst) {
			continue
		}
		m, err := saMsg(msgNewSA, s)
		if err != nil {
			return nil, err
		}
		out = append(out, m...)
	}
	return out, nil
}

// allocSPI is XFRM_MSG_ALLOCSPI: a larval SA with the first free SPI in
// the range (or the one already made for the same sequence number).
func (f *Fake) allocSPI(body []byte) ([]netlink.Message, error) {
	if len(body) < sizeUserSAInfo+8 {
		return nil, syscall.EINVAL
	}
	var s xfrm.State
	info := append(append([]byte(nil), body[:sizeUserSAInfo]...), body[sizeUserSAInfo+8:]...)
	if err := s.UnmarshalBinary(info); err != nil {
		return nil, syscall.EINVAL
	}
	lo, hi := ne.Uint32(body[sizeUserSAInfo:]), ne.Uint32(body[sizeUserSAInfo+4:])
	if lo > hi || !s.Proto.IsIPsec() {
		return nil, syscall.EINVAL
	}
	if s.Seq != 0 {
		if i := slices.IndexFunc(f.states, func(x xfrm.State) bool { return x.Seq == s.Seq && x.Dst == s.Dst }); i >= 0 {
			for spi := uint64(lo); f.states[i].SPI == 0 && spi <= uint64(hi); spi++ {
				id := f.states[i].ID()
				id.SPI = uint32(spi)
				if f.findSA(id) < 0 {
					f.states[i].SPI = uint32(spi)
				}
			}
			if f.states[i].SPI == 0 {
				return nil, syscall.ENOENT
			}
			return saMsg(msgNewSA, &f.states[i])
		}
	}
	for spi := uint64(lo); spi <= uint64(hi); spi++ {
		id := s.ID()
		id.SPI = uint32(spi)
		if f.findSA(id) >= 0 {
			continue
		}
		l := xfrm.State{Src: s.Src, Dst: s.Dst, SPI: uint32(spi), Proto: s.Proto, Family: s.Family, Mode: s.Mode, ReqID: s.ReqID,
			Seq: s.Seq, Mark: s.Mark, IfID: s.IfID, Replay: &xfrm.Replay{},
			Limits:  xfrm.Limits{SoftBytes: xfrm.NoLimit, HardBytes: xfrm.NoLimit, SoftPackets: xfrm.NoLimit, HardPackets: xfrm.NoLimit, HardAdd: larvalLifetime},
			Current: xfrm.Lifetime{Added: uint64(f.now().Unix())},
		}
		l.Selector = xfrm.Selector{Src: netip.PrefixFrom(s.Src, s.Src.BitLen()), Dst: netip.PrefixFrom(s.Dst, s.Dst.BitLen())}
		f.states = append(f.states, l)
		return saMsg(msgNewSA, &l)
	}
	return nil, syscall.ENOENT
}

func (f *Fake) notifyDelSA(s *xfrm.State) error {
	id, err := s.ID().MarshalBinary()
	if err != nil {
		return err
	}
	full, err := s.MarshalBinary()
	if err != nil {
		return err
	}
	b := append([]byte(nil), id[:sizeUserSAID]...)
	e := nlattr.NewEncoder(b)
	e.Bytes(attrSA, full[:sizeUserSAInfo])
	b, err = e.Finish()
	if err != nil {
		return err
	}
	b = append(b, full[sizeUserSAInfo:]...)
	return f.srv.Notify(uint32(xfrm.GroupSA), netlink.Message{Header: netlink.Header{Type: msgDelSA}, Data: b})
}

func policyMsg(typ netlink.MessageType, p *xfrm.Policy) ([]netlink.Message, error) {
	b, err := p.MarshalBinary()
	if err != nil {
		return nil, err
	}
	if p.Type == xfrm.PolicyTypeMain {
		// The kernel always reports the type.
		e := nlattr.NewEncoder(b)
		e.Bytes(attrPolicyType, make([]byte, 6))
		if b, err = e.Finish(); err != nil {
			return nil, err
		}
	}
	return []netlink.Message{{Header: netlink.Header{Type: typ}, Data: b}}, nil
}

// samePolicy is the kernel's identity of policies: selector, direction,
// type, mark and if_id.
func samePolicy(p *xfrm.Policy, id xfrm.PolicyID) bool {
	a, b := p.Selector, id.Selector
	a.Family, b.Family = 0, 0 // the selector's family follows its addresses
	return a == b && p.Dir == id.Dir && p.Type == id.Type && p.IfID == id.IfID && p.Mark == id.Mark
}

func (f *Fake) findPolicyReq(body []byte) (int, error) {
	var id xfrm.PolicyID
	if err := id.UnmarshalBinary(body); err != nil {
		return -1, syscall.EINVAL
	}
	var i int
	if id.Index != 0 {
		if id.Index&7 != uint32(id.Dir) {
			return -1, syscall.EINVAL
		}
		i = slices.IndexFunc(f.policies, func(p xfrm.Policy) bool { return p.Index == id.Index && p.Type == id.Type })
	} else {
		i = slices.IndexFunc(f.policies, func(p xfrm.Policy) bool { return samePolicy(&p, id) })
	}
	if i < 0 {
		return -1, syscall.ENOENT
	}
	return i, nil
}

func (f *Fake) newPolicy(req netlink.Message) error {
	var p xfrm.Policy
	if err := p.UnmarshalBinary(req.Data); err != nil {
		return syscall.EINVAL
	}
	if p.Dir > xfrm.DirFwd || p.Action > xfrm.ActionBlock {
		return syscall.EINVAL
	}
	if p.Index != 0 && p.Index&7 != uint32(p.Dir) {
		return nltest.Errorf(syscall.EINVAL, "Policy index doesn't match direction")
	}
	p.Current = xfrm.Lifetime{Added: uint64(f.now().Unix())}
	for i := range p.Templates {
		if p.Templates[i].Family == xfrm.FamilyUnspec {
			p.Templates[i].Family = p.Selector.Family
		}
	}
	i := slices.IndexFunc(f.policies, func(q xfrm.Policy) bool { return samePolicy(&q, p.ID()) })
	switch {
	case i >= 0 && req.Header.Type == msgNewPolicy:
		return syscall.EEXIST
	case i >= 0:
		if p.Index == 0 {
			p.Index = f.policies[i].Index
		}
		f.policies[i] = p
	default:
		if p.Index == 0 {
			for {
				p.Index = f.gen | uint32(p.Dir)
				f.gen += 8
				if !slices.ContainsFunc(f.policies, func(q xfrm.Policy) bool { return q.Index == p.Index }) {
					break
				}
			}
		}
		f.policies = append(f.policies, p)
	}
	m, err := policyMsg(req.Header.Type, &p)
	if err != nil {
		return err
	}
	return f.srv.Notify(uint32(xfrm.GroupPolicy), m...)
}

func (f *Fake) notifyDelPolicy(p *xfrm.Policy) error {
	id := p.ID()
	id.Index = p.Index
	idb, err := id.MarshalBinary()
	if err != nil {
		return err
	}
	full, err := policyMsg(msgNewPolicy, p)
	if err != nil {
		return err
	}
	e := nlattr.NewEncoder(append([]byte(nil), idb[:sizePolicyID]...))
	e.Bytes(attrPolicy, full[0].Data[:sizePolicyInfo])
	b, err := e.Finish()
	if err != nil {
		return err
	}
	b = append(b, full[0].Data[sizePolicyInfo:]...)
	return f.srv.Notify(uint32(xfrm.GroupPolicy), netlink.Message{Header: netlink.Header{Type: msgDelPolicy}, Data: b})
}

// Acquire does what the kernel does when traffic from src to dst matches
// policy p (an out policy whose first template has no SA): it holds a
// larval SA for the template (SPI 0, the kernel's 30 s hard lifetime,
// selector sel) and multicasts XFRM_MSG_ACQUIRE to xfrm.GroupAcquire, with
// the policy and its templates. It returns the ACQUIRE's sequence number,
// which a key manager puts in the SA it answers with (AllocSPI finds the
// larval SA by it; ReplaceState completes it).
func (f *Fake) Acquire(p xfrm.Policy, src, dst netip.Addr, sel xfrm.Selector) (uint32, error) {
	if len(p.Templates) == 0 || !src.IsValid() || !dst.IsValid() {
		return 0, syscall.EINVAL
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.acqSeq++
	seq := f.acqSeq
	t := p.Templates[0]
	fam := xfrm.FamilyIPv4
	if dst.Is6() {
		fam = xfrm.FamilyIPv6
	}
	larval := xfrm.State{Src: src, Dst: dst, Proto: t.Proto, Family: fam, Mode: t.Mode, ReqID: t.ReqID, Seq: seq,
		Selector: sel, Mark: p.Mark, IfID: p.IfID, Replay: &xfrm.Replay{},
		Limits:  xfrm.Limits{SoftBytes: xfrm.NoLimit, HardBytes: xfrm.NoLimit, SoftPackets: xfrm.NoLimit, HardPackets: xfrm.NoLimit, HardAdd: larvalLifetime},
		Current: xfrm.Lifetime{Added: uint64(f.now().Unix())},
	}
	f.states = append(f.states, larval)

	// struct xfrm_user_acquire: id (daddr, spi, proto), saddr, sel,
	// policy, aalgos, ealgos, calgos, seq; then the policy's attributes.
	pol, err := p.MarshalBinary()
	if err != nil {
		return 0, err
	}
	selState := xfrm.State{Selector: sel, Family: fam}
	selb, err := selState.MarshalBinary()
	if err != nil {
		return 0, err
	}
	b := make([]byte, 280, 280+len(pol)-sizePolicyInfo)
	copy(b[0:16], addr16(dst))
	b[20] = uint8(t.Proto)
	copy(b[24:40], addr16(src))
	copy(b[40:96], selb[:56])
	copy(b[96:264], pol[:sizePolicyInfo])
	ne.PutUint32(b[264:], algos(t.AuthAlgos))
	ne.PutUint32(b[268:], algos(t.CryptAlgos))
	ne.PutUint32(b[272:], algos(t.CompAlgos))
	ne.PutUint32(b[276:], seq)
	b = append(b, pol[sizePolicyInfo:]...)
	return seq, f.srv.Notify(uint32(xfrm.GroupAcquire), netlink.Message{Header: netlink.Header{Type: msgAcquire}, Data: b})
}

// addr16 is an xfrm_address_t.
func addr16(a netip.Addr) []byte {
	if a.Is4() {
		v := a.As4()
		return v[:]
	}
	v := a.As16()
	return v[:]
}

// algos is a template's algorithm mask as sent: 0 is any.
func algos(v uint32) uint32 {
	if v == 0 {
		return ^uint32(0)
	}
	return v
}
