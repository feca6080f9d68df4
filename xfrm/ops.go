package xfrm

import (
	"context"
	"fmt"
	"iter"
	"net/netip"

	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// AddState adds an SA (XFRM_MSG_NEWSA, `ip xfrm state add`). An SA with
// the same destination, SPI and protocol gives EEXIST; a kernel without
// the protocol's module EPROTONOSUPPORT ("Requested type not found").
func (c *Conn) AddState(ctx context.Context, s State) error {
	return c.changeState(ctx, "add state", msgNewSA, &s)
}

// ReplaceState changes an existing SA, such as the larval SA the kernel
// made for an ACQUIRE, into s (XFRM_MSG_UPDSA, `ip xfrm state update`). A
// missing SA gives ESRCH (xfrm_state_update; the kernel builds the new SA
// first, so a kernel without the protocol's module refuses it before).
func (c *Conn) ReplaceState(ctx context.Context, s State) error {
	return c.changeState(ctx, "replace state", msgUpdSA, &s)
}

func (c *Conn) changeState(ctx context.Context, op string, typ netlink.MessageType, s *State) error {
	op += " " + s.String()
	body, err := s.AppendBinary(nil)
	if err != nil {
		return fmt.Errorf("xfrm: %s: %w", op, err)
	}
	_, err = c.execute(ctx, op, typ, 0, body)
	return err
}

// State returns the SA id names (XFRM_MSG_GETSA, `ip xfrm state get`). A
// missing SA gives ESRCH.
func (c *Conn) State(ctx context.Context, id StateID) (State, error) {
	return getOne(ctx, c, "get state "+id.String(), msgGetSA, id.request(), msgNewSA, (*State).UnmarshalBinary)
}

// DeleteState deletes the SA id names (XFRM_MSG_DELSA). A missing SA
// gives ESRCH.
func (c *Conn) DeleteState(ctx context.Context, id StateID) error {
	_, err := c.execute(ctx, "delete state "+id.String(), msgDelSA, 0, id.request())
	return err
}

// FlushStates deletes every SA of protocol proto (XFRM_MSG_FLUSHSA, `ip
// xfrm state flush`): ProtoAny for all, ProtoIPsecAny for ESP, AH and
// IPComp.
func (c *Conn) FlushStates(ctx context.Context, proto Proto) error {
	_, err := c.execute(ctx, "flush states "+proto.String(), msgFlushSA, 0, []byte{uint8(proto)})
	return err
}

// StateFilter selects SAs in a dump; the kernel filters (XFRMA_PROTO,
// XFRMA_ADDRESS_FILTER). The zero StateFilter selects every SA.
type StateFilter struct {
	Proto Proto // 0: any
	// Src and Dst select SAs whose addresses are in them; both must be of
	// one family when both are set.
	Src, Dst netip.Prefix
}

func (f *StateFilter) request() ([]byte, error) {
	// The kernel parses the dump request's attributes right after the
	// netlink header (xfrm_dump_sa: nlmsg_parse with no family header).
	var b []byte
	if f.Src.IsValid() || f.Dst.IsValid() {
		fam := familyOf(f.Src.Addr())
		if g := familyOf(f.Dst.Addr()); fam == FamilyUnspec {
			fam = g
		} else if g != FamilyUnspec && g != fam {
			return nil, fmt.Errorf("xfrm: list states: filter addresses of two families")
		}
		b = appendAttrFixed(b, attrAddressFilter, sizeAddressFilter, func(p []byte) {
			putAddr(p[0:], f.Src.Addr())
			putAddr(p[16:], f.Dst.Addr())
			ne.PutUint16(p[32:], uint16(fam))
			if f.Src.IsValid() {
				p[34] = uint8(f.Src.Bits())
			}
			if f.Dst.IsValid() {
				p[35] = uint8(f.Dst.Bits())
			}
		})
	}
	if f.Proto != 0 {
		b = appendAttrFixed(b, attrProto, 1, func(p []byte) { p[0] = uint8(f.Proto) })
	}
	return b, nil
}

// States lists the SAs f selects (an XFRM_MSG_GETSA dump, `ip xfrm state
// list`). It is a single-use iterator; it stops at the first error.
func (c *Conn) States(ctx context.Context, f StateFilter) iter.Seq2[State, error] {
	body, err := f.request()
	if err != nil {
		return func(yield func(State, error) bool) { yield(State{}, err) }
	}
	return dump(c, ctx, "list states", msgGetSA, body, msgNewSA, (*State).UnmarshalBinary)
}

// StateList is States as a slice. An error returns no SAs.
func (c *Conn) StateList(ctx context.Context, f StateFilter) ([]State, error) {
	body, err := f.request()
	if err != nil {
		return nil, err
	}
	return list(c, ctx, "list states", msgGetSA, body, msgNewSA, (*State).UnmarshalBinary)
}

// AllocSPI asks the kernel for an unused SPI between min and max
// (XFRM_MSG_ALLOCSPI, `ip xfrm state allocspi`) for the SA s describes
// (Dst, Proto, Src, Mode, ReqID, Seq, Mark). The kernel makes a larval SA
// holding the SPI (or gives the one of a larval SA the ACQUIRE with Seq
// made) and returns it; ReplaceState completes it. min and max of 0 ask
// for any SPI from 0x100.
func (c *Conn) AllocSPI(ctx context.Context, s State, min, max uint32) (State, error) {
	if min == 0 && max == 0 {
		min, max = 0x100, 0xffffffff
	}
	b, p := grow(nil, sizeUserSPIInfo)
	s.putInfo(p)
	clear(p[96:160]) // lft: unused here, zero as ip sends it
	ne.PutUint32(p[sizeUserSAInfo:], min)
	ne.PutUint32(p[sizeUserSAInfo+4:], max)
	b = appendMark(b, s.Mark)
	if s.IfID != 0 {
		b = appendU32(b, attrIfID, s.IfID)
	}
	return getOne(ctx, c, fmt.Sprintf("allocate spi %s %s", s.Proto, s.Dst), msgAllocSPI, b, msgNewSA, (*State).UnmarshalBinary)
}

// AddStates adds many SAs as AddState does, in as few datagrams as fit
// (netlink.Conn.Batch). If some fail, the error is a *netlink.BatchError
// whose Failures name them by their index in states; the others were
// added.
func (c *Conn) AddStates(ctx context.Context, states []State) error {
	return batch(ctx, c, "add state", msgNewSA, states, func(b []byte, s *State) ([]byte, error) { return s.AppendBinary(b) }, func(s *State) string { return s.String() })
}

// AddPolicy adds a policy (XFRM_MSG_NEWPOLICY, `ip xfrm policy add`). A
// policy with the same selector, direction, type, mark and if_id gives
// EEXIST.
func (c *Conn) AddPolicy(ctx context.Context, p Policy) error {
	return c.changePolicy(ctx, "add policy", msgNewPolicy, &p)
}

// ReplacePolicy adds a policy or replaces the one with the same selector,
// direction, type, mark and if_id (XFRM_MSG_UPDPOLICY, `ip xfrm policy
// update`).
func (c *Conn) ReplacePolicy(ctx context.Context, p Policy) error {
	return c.changePolicy(ctx, "replace policy", msgUpdPolicy, &p)
}

func (c *Conn) changePolicy(ctx context.Context, op string, typ netlink.MessageType, p *Policy) error {
	op += " " + p.String()
	body, err := p.AppendBinary(nil)
	if err != nil {
		return fmt.Errorf("xfrm: %s: %w", op, err)
	}
	_, err = c.execute(ctx, op, typ, 0, body)
	return err
}

// Policy returns the policy id names, by index or by selector
// (XFRM_MSG_GETPOLICY, `ip xfrm policy get`). A missing policy gives
// ENOENT.
func (c *Conn) Policy(ctx context.Context, id PolicyID) (Policy, error) {
	op := "get policy " + id.String()
	body, err := id.request()
	if err != nil {
		return Policy{}, fmt.Errorf("xfrm: %s: %w", op, err)
	}
	return getOne(ctx, c, op, msgGetPolicy, body, msgNewPolicy, (*Policy).UnmarshalBinary)
}

// DeletePolicy deletes the policy id names (XFRM_MSG_DELPOLICY). A
// missing policy gives ENOENT.
func (c *Conn) DeletePolicy(ctx context.Context, id PolicyID) error {
	op := "delete policy " + id.String()
	body, err := id.request()
	if err != nil {
		return fmt.Errorf("xfrm: %s: %w", op, err)
	}
	_, err = c.execute(ctx, op, msgDelPolicy, 0, body)
	return err
}

// FlushPolicies deletes every policy of type t (XFRM_MSG_FLUSHPOLICY, `ip
// xfrm policy flush`).
func (c *Conn) FlushPolicies(ctx context.Context, t PolicyType) error {
	var body []byte
	if t != PolicyTypeMain {
		body = appendPolicyType(nil, t)
	}
	_, err := c.execute(ctx, "flush policies "+t.String(), msgFlushPolicy, 0, body)
	return err
}

// Policies lists every policy (an XFRM_MSG_GETPOLICY dump, `ip xfrm
// policy list`), socket policies included (Dir 3 and up). It is a
// single-use iterator; it stops at the first error.
func (c *Conn) Policies(ctx context.Context) iter.Seq2[Policy, error] {
	var slab []Template
	return dump(c, ctx, "list policies", msgGetPolicy, nil, msgNewPolicy, func(p *Policy, b []byte) error { return p.unmarshal(b, &slab) })
}

// PolicyList is Policies as a slice. An error returns no policies.
func (c *Conn) PolicyList(ctx context.Context) ([]Policy, error) {
	var slab []Template
	return list(c, ctx, "list policies", msgGetPolicy, nil, msgNewPolicy, func(p *Policy, b []byte) error { return p.unmarshal(b, &slab) })
}

// AddPolicies adds many policies as AddPolicy does, in as few datagrams
// as fit (netlink.Conn.Batch). If some fail, the error is a
// *netlink.BatchError whose Failures name them by their index in policies;
// the others were added.
func (c *Conn) AddPolicies(ctx context.Context, policies []Policy) error {
	return batch(ctx, c, "add policy", msgNewPolicy, policies, func(b []byte, p *Policy) ([]byte, error) { return p.AppendBinary(b) }, func(p *Policy) string { return p.String() })
}

// DeletePolicies deletes many policies as DeletePolicy does, in as few
// datagrams as fit; failures are reported as by AddPolicies.
func (c *Conn) DeletePolicies(ctx context.Context, ids []PolicyID) error {
	return batch(ctx, c, "delete policy", msgDelPolicy, ids, func(b []byte, id *PolicyID) ([]byte, error) {
		body, err := id.request()
		return append(b, body...), err
	}, func(id *PolicyID) string { return id.String() })
}

// SADInfo is what the kernel says of its SAD (XFRM_MSG_GETSADINFO, `ip
// xfrm state count`).
type SADInfo struct {
	Count     uint32 // XFRMA_SAD_CNT: SAs
	HashCount uint32 // sadhcnt: hash buckets
	HashMax   uint32 // sadhmcnt: most hash buckets
}

// SADInfo returns the SAD's counters.
func (c *Conn) SADInfo(ctx context.Context) (SADInfo, error) {
	return getOne(ctx, c, "get sad info", msgGetSADInfo, []byte{0xff, 0xff, 0xff, 0xff}, msgNewSADInfo, (*SADInfo).unmarshal)
}

func (s *SADInfo) unmarshal(b []byte) error {
	if len(b) < 4 {
		return malformed("sad info flags", len(b), 4)
	}
	*s = SADInfo{}
	return eachAttr(b[4:], "SAD info", func(typ uint16, p []byte) error {
		switch typ {
		case attrSADCount:
			if err := need(p, 4, "XFRMA_SAD_CNT"); err != nil {
				return err
			}
			s.Count = ne.Uint32(p)
		case attrSADHashInfo:
			if err := need(p, 8, "XFRMA_SAD_HINFO"); err != nil {
				return err
			}
			s.HashCount, s.HashMax = ne.Uint32(p), ne.Uint32(p[4:])
		}
		return nil
	})
}

// HashThreshold is an SPD hash threshold (struct xfrmu_spdhthresh):
// policies whose selector prefixes are at least this long are hashed by
// address; the others are kept in a list.
type HashThreshold struct {
	Local, Remote uint8 // lbits, rbits: prefix lengths
}

// SPDInfo is what the kernel says of its SPD (XFRM_MSG_GETSPDINFO, `ip
// xfrm policy count`).
type SPDInfo struct {
	In, Out, Fwd                   uint32 // XFRMA_SPD_INFO: policies per direction
	InSocket, OutSocket, FwdSocket uint32 // socket policies per direction
	HashCount, HashMax             uint32 // XFRMA_SPD_HINFO: hash buckets, most hash buckets
	IPv4Threshold, IPv6Threshold   HashThreshold
}

// SPDInfo returns the SPD's counters and hash thresholds.
func (c *Conn) SPDInfo(ctx context.Context) (SPDInfo, error) {
	return getOne(ctx, c, "get spd info", msgGetSPDInfo, []byte{0xff, 0xff, 0xff, 0xff}, msgNewSPDInfo, (*SPDInfo).unmarshal)
}

func (s *SPDInfo) unmarshal(b []byte) error {
	if len(b) < 4 {
		return malformed("spd info flags", len(b), 4)
	}
	*s = SPDInfo{}
	return eachAttr(b[4:], "SPD info", func(typ uint16, p []byte) error {
		switch typ {
		case attrSPDInfo:
			if err := need(p, 24, "XFRMA_SPD_INFO"); err != nil {
				return err
			}
			s.In, s.Out, s.Fwd = ne.Uint32(p), ne.Uint32(p[4:]), ne.Uint32(p[8:])
			s.InSocket, s.OutSocket, s.FwdSocket = ne.Uint32(p[12:]), ne.Uint32(p[16:]), ne.Uint32(p[20:])
		case attrSPDHashInfo:
			if err := need(p, 8, "XFRMA_SPD_HINFO"); err != nil {
				return err
			}
			s.HashCount, s.HashMax = ne.Uint32(p), ne.Uint32(p[4:])
		case attrSPDIPv4Hthr, attrSPDIPv6Hthr:
			if err := need(p, 2, "XFRMA_SPD_IPV4/6_HTHRESH"); err != nil {
				return err
			}
			t := HashThreshold{Local: p[0], Remote: p[1]}
			if typ == attrSPDIPv4Hthr {
				s.IPv4Threshold = t
			} else {
				s.IPv6Threshold = t
			}
		}
		return nil
	})
}

// SetSPDThresholds sets the SPD hash thresholds (XFRM_MSG_NEWSPDINFO, `ip
// xfrm policy set hthresh4 L R hthresh6 L R`); a nil one is left as it
// is. The kernel rehashes the policies.
func (c *Conn) SetSPDThresholds(ctx context.Context, v4, v6 *HashThreshold) error {
	b := []byte{0xff, 0xff, 0xff, 0xff}
	if v4 != nil {
		if v4.Local > 32 || v4.Remote > 32 {
			return fmt.Errorf("xfrm: set spd thresholds: IPv4 threshold %d/%d over 32", v4.Local, v4.Remote)
		}
		b = appendAttrFixed(b, attrSPDIPv4Hthr, 2, func(p []byte) { p[0], p[1] = v4.Local, v4.Remote })
	}
	if v6 != nil {
		if v6.Local > 128 || v6.Remote > 128 {
			return fmt.Errorf("xfrm: set spd thresholds: IPv6 threshold %d/%d over 128", v6.Local, v6.Remote)
		}
		b = appendAttrFixed(b, attrSPDIPv6Hthr, 2, func(p []byte) { p[0], p[1] = v6.Local, v6.Remote })
	}
	_, err := c.execute(ctx, "set spd thresholds", msgNewSPDInfo, 0, b)
	return err
}

// DefaultPolicy is the action for packets no policy matches, per direction
// (struct xfrm_userpolicy_default).
type DefaultPolicy struct {
	In, Fwd, Out DefaultAction
}

// DefaultPolicy returns the default policies (XFRM_MSG_GETDEFAULT, `ip
// xfrm policy getdefault`).
func (c *Conn) DefaultPolicy(ctx context.Context) (DefaultPolicy, error) {
	return getOne(ctx, c, "get default policy", msgGetDefault, make([]byte, sizeDefault), msgGetDefault, func(d *DefaultPolicy, b []byte) error {
		if len(b) < sizeDefault {
			return malformed("struct xfrm_userpolicy_default", len(b), sizeDefault)
		}
		*d = DefaultPolicy{In: DefaultAction(b[0]), Fwd: DefaultAction(b[1]), Out: DefaultAction(b[2])}
		return nil
	})
}

// SetDefaultPolicy sets the default policies (XFRM_MSG_SETDEFAULT, `ip
// xfrm policy setdefault`); a DefaultUnspec direction is left as it is.
func (c *Conn) SetDefaultPolicy(ctx context.Context, d DefaultPolicy) error {
	_, err := c.execute(ctx, "set default policy", msgSetDefault, 0, []byte{uint8(d.In), uint8(d.Fwd), uint8(d.Out)})
	return err
}

// eachAttr calls fn for each attribute of b.
func eachAttr(b []byte, what string, fn func(typ uint16, p []byte) error) error {
	d := nlattr.NewDecoder(b)
	for d.Next() {
		if err := fn(d.Type(), d.Bytes()); err != nil {
			return err
		}
	}
	if err := d.Err(); err != nil {
		return fmt.Errorf("xfrm: %s attributes: %w", what, err)
	}
	return nil
}

// aeventID writes struct xfrm_aevent_id for id with flags.
func aeventID(id StateID, reqID, flags uint32) []byte {
	b, p := grow(nil, sizeAEventID)
	id.put(p)
	putAddr(p[24:], id.Src)
	ne.PutUint32(p[40:], flags)
	ne.PutUint32(p[44:], reqID)
	return appendMark(b, id.Mark)
}

// Counters returns an SA's async event counters: its lifetime counters,
// replay state and thresholds (XFRM_MSG_GETAE). id.Src must be the SA's
// source. A missing SA gives ESRCH.
func (c *Conn) Counters(ctx context.Context, id StateID) (Counters, error) {
	return getOne(ctx, c, "get counters "+id.String(), msgGetAE, aeventID(id, 0, 0), msgNewAE, (*Counters).unmarshal)
}

// SetCounters sets an SA's replay state, lifetime counters and thresholds
// (XFRM_MSG_NEWAE with NLM_F_REPLACE), as a key manager moving an SA to
// another host does: those of cnt that are set (Replay or ReplayESN,
// Lifetime if not zero, ReplayThreshold, ExpiryTimer) are sent.
func (c *Conn) SetCounters(ctx context.Context, cnt Counters) error {
	b := aeventID(cnt.ID, cnt.ReqID, cnt.Flags)
	if cnt.Lifetime != (Lifetime{}) {
		b = appendAttrFixed(b, attrLifetimeVal, sizeLifetimeCur, cnt.Lifetime.put)
	}
	if r := cnt.ReplayESN; r != nil {
		b, _ = appendAttrFunc(b, attrReplayESNVal, func(b []byte) ([]byte, error) { return r.payload(b), nil })
	} else if r := cnt.Replay; r != nil {
		b = appendAttrFixed(b, attrReplayVal, sizeReplay, func(p []byte) {
			ne.PutUint32(p[0:], r.OSeq)
			ne.PutUint32(p[4:], r.Seq)
			ne.PutUint32(p[8:], r.Bitmap)
		})
	}
	if cnt.ReplayThreshold != 0 {
		b = appendU32(b, attrReplayThresh, cnt.ReplayThreshold)
	}
	if cnt.ExpiryTimer != 0 {
		b = appendU32(b, attrETimerThresh, cnt.ExpiryTimer)
	}
	_, err := c.execute(ctx, "set counters "+cnt.ID.String(), msgNewAE, netlink.Replace, b)
	return err
}
