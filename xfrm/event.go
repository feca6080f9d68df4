package xfrm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/netip"

	"github.com/nlkit/nlkit/internal/membership"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Group is an XFRM multicast group (XFRMNLGRP_*).
type Group uint32

// Groups.
const (
	GroupAcquire Group = 1 // XFRMNLGRP_ACQUIRE: ACQUIRE, for key managers
	GroupExpire  Group = 2 // XFRMNLGRP_EXPIRE: SA and policy expiry
	GroupSA      Group = 3 // XFRMNLGRP_SA: SA changes and flushes
	GroupPolicy  Group = 4 // XFRMNLGRP_POLICY: policy changes and flushes
	GroupAEvents Group = 5 // XFRMNLGRP_AEVENTS: async counter events
	GroupReport  Group = 6 // XFRMNLGRP_REPORT: reports (Mobile IPv6)
	GroupMigrate Group = 7 // XFRMNLGRP_MIGRATE: migrations
	GroupMapping Group = 8 // XFRMNLGRP_MAPPING: NAT mapping changes
)

// AllGroups returns every group Event models.
func AllGroups() []Group {
	return []Group{GroupAcquire, GroupExpire, GroupSA, GroupPolicy, GroupAEvents, GroupReport, GroupMigrate, GroupMapping}
}

var groupNames = [...]string{"", "acquire", "expire", "sa", "policy", "aevents", "report", "migrate", "mapping"}

// String gives the group's word ("acquire", "sa", ...), or its number.
func (g Group) String() string {
	if g > 0 && int(g) < len(groupNames) {
		return groupNames[g]
	}
	return fmt.Sprint(uint32(g))
}

// MarshalText gives String's word.
func (g Group) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// AppendText appends String's word to b.
func (g Group) AppendText(b []byte) ([]byte, error) { return append(b, g.String()...), nil }

// UnmarshalText reads String's word or a number.
func (g *Group) UnmarshalText(b []byte) error { return unmarshalEnum(g, b, "group", nil, 9) }

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds, one per notification type.
const (
	EventNewState      EventKind = iota + 1 // XFRM_MSG_NEWSA: State
	EventUpdateState                        // XFRM_MSG_UPDSA: State
	EventDeleteState                        // XFRM_MSG_DELSA: State
	EventFlushStates                        // XFRM_MSG_FLUSHSA: Proto
	EventNewPolicy                          // XFRM_MSG_NEWPOLICY: Policy
	EventUpdatePolicy                       // XFRM_MSG_UPDPOLICY: Policy
	EventDeletePolicy                       // XFRM_MSG_DELPOLICY: Policy (with only PolicyID's fields if the kernel sent no XFRMA_POLICY)
	EventFlushPolicies                      // XFRM_MSG_FLUSHPOLICY: PolicyType
	EventAcquire                            // XFRM_MSG_ACQUIRE: Acquire
	EventExpire                             // XFRM_MSG_EXPIRE: State, Hard
	EventPolicyExpire                       // XFRM_MSG_POLEXPIRE: Policy, Hard
	EventCounters                           // XFRM_MSG_NEWAE: Counters
	EventReport                             // XFRM_MSG_REPORT: Report
	EventMigrate                            // XFRM_MSG_MIGRATE: Migrate
	EventMapping                            // XFRM_MSG_MAPPING: Mapping
)

var eventNames = [...]string{"", "new state", "update state", "delete state", "flush states", "new policy",
	"update policy", "delete policy", "flush policies", "acquire", "expire", "policy expire", "counters",
	"report", "migrate", "mapping"}

// String names the kind ("new state", "acquire", ...).
func (k EventKind) String() string {
	if k > 0 && int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("event %d", uint8(k))
}

// Event is one XFRM notification. Kind says which fields are set.
type Event struct {
	Kind EventKind

	State  State  // new, update, delete state; expire
	Policy Policy // new, update, delete policy; policy expire
	// Hard is set for a hard expiry (the SA or policy is gone), clear for
	// a soft one (time to rekey).
	Hard bool
	// Proto is the protocol of a state flush; PolicyType the type of a
	// policy flush.
	Proto      Proto
	PolicyType PolicyType

	Acquire  Acquire
	Counters Counters
	Report   Report
	Migrate  Migrate
	Mapping  Mapping
}

// Acquire is the kernel asking a key manager for an SA (struct
// xfrm_user_acquire): traffic matched Policy, whose Templates have no SA.
// The kernel holds a larval SA for ID (SPI 0) until it expires or is
// replaced; a key manager answers with AddState or ReplaceState, with Seq
// in the SA's Seq.
type Acquire struct {
	Dst      netip.Addr // id.daddr
	SPI      uint32     // id.spi (0)
	Proto    Proto      // id.proto
	Src      netip.Addr // saddr
	Selector Selector   // sel: the packet that triggered it
	Policy   Policy     // policy, with the Templates of XFRMA_TMPL
	// AuthAlgos, CryptAlgos and CompAlgos are the algorithms the template
	// accepts (bitmaps).
	AuthAlgos, CryptAlgos, CompAlgos uint32
	Seq                              uint32 // seq: put it in the answering SA's Seq
	Mark                             Mark   // XFRMA_MARK
	IfID                             uint32 // XFRMA_IF_ID
	SecurityContext                  *SecurityContext
}

// Counters are an SA's async event counters (struct xfrm_aevent_id and
// XFRMA_LTIME_VAL, XFRMA_REPLAY_VAL / XFRMA_REPLAY_ESN_VAL and thresholds).
type Counters struct {
	ID              StateID
	Src             netip.Addr
	ReqID           uint32
	Flags           uint32 // XFRM_AE_* flags: what is reported, and why
	Lifetime        Lifetime
	Replay          *Replay
	ReplayESN       *ReplayESN
	ReplayThreshold uint32
	ExpiryTimer     uint32
	IfID            uint32
}

// Report is a Mobile IPv6 report (struct xfrm_user_report).
type Report struct {
	Proto    Proto
	Selector Selector
	CareOf   netip.Addr // XFRMA_COADDR
}

// Mapping is a NAT mapping change of an SA with UDP encapsulation
// (struct xfrm_user_mapping): the peer's address or port changed.
type Mapping struct {
	ID               StateID
	ReqID            uint32
	OldSrc, NewSrc   netip.Addr
	OldPort, NewPort uint16
}

// Migrate is a migration of SAs and a policy to new addresses (XFRM_MSG_
// MIGRATE): the policy's selector and direction, and each move.
type Migrate struct {
	Policy PolicyID
	Moves  []Move
}

// Move is one SA migration (struct xfrm_user_migrate).
type Move struct {
	OldDst, OldSrc, NewDst, NewSrc netip.Addr
	Proto                          Proto
	Mode                           Mode
	ReqID                          uint32
}

// DecodeEvent decodes one notification (from netlink.Conn.Receive) into an
// Event. ok is false for messages that are not XFRM notifications. A
// notification of a known type that does not decode gives an error.
func DecodeEvent(m netlink.Message) (ev Event, ok bool, err error) {
	b := m.Data
	switch m.Header.Type {
	case msgNewSA, msgUpdSA:
		ev.Kind = EventNewState
		if m.Header.Type == msgUpdSA {
			ev.Kind = EventUpdateState
		}
		err = ev.State.UnmarshalBinary(b)
	case msgDelSA:
		ev.Kind = EventDeleteState
		err = decodeDelSA(&ev.State, b)
	case msgFlushSA:
		ev.Kind = EventFlushStates
		if len(b) < 1 {
			err = malformed("struct xfrm_usersa_flush", len(b), 1)
		} else {
			ev.Proto = Proto(b[0])
		}
	case msgNewPolicy, msgUpdPolicy:
		ev.Kind = EventNewPolicy
		if m.Header.Type == msgUpdPolicy {
			ev.Kind = EventUpdatePolicy
		}
		err = ev.Policy.UnmarshalBinary(b)
	case msgDelPolicy:
		ev.Kind = EventDeletePolicy
		err = decodeDelPolicy(&ev.Policy, b)
	case msgFlushPolicy:
		ev.Kind = EventFlushPolicies
		err = eachAttr(b, "policy flush", func(typ uint16, p []byte) error {
			if typ == attrPolicyType {
				if err := need(p, sizePolicyType, "XFRMA_POLICY_TYPE"); err != nil {
					return err
				}
				ev.PolicyType = PolicyType(p[0])
			}
			return nil
		})
	case msgAcquire:
		ev.Kind = EventAcquire
		err = ev.Acquire.unmarshal(b)
	case msgExpire:
		ev.Kind = EventExpire
		if len(b) < sizeExpire {
			err = malformed("struct xfrm_user_expire", len(b), sizeExpire)
			break
		}
		ev.Hard = b[sizeUserSAInfo] != 0
		if err = ev.State.getInfo(b); err == nil {
			err = ev.State.getAttrs(b[sizeExpire:])
		}
	case msgPolExpire:
		ev.Kind = EventPolicyExpire
		if len(b) < sizePolExpire {
			err = malformed("struct xfrm_user_polexpire", len(b), sizePolExpire)
			break
		}
		ev.Hard = b[sizePolicyInfo] != 0
		if err = ev.Policy.getInfo(b); err == nil {
			err = ev.Policy.getAttrs(b[sizePolExpire:])
		}
	case msgNewAE:
		ev.Kind = EventCounters
		err = ev.Counters.unmarshal(b)
	case msgReport:
		ev.Kind = EventReport
		err = ev.Report.unmarshal(b)
	case msgMigrate:
		ev.Kind = EventMigrate
		err = ev.Migrate.unmarshal(b)
	case msgMapping:
		ev.Kind = EventMapping
		err = ev.Mapping.unmarshal(b)
	default:
		return Event{}, false, nil
	}
	if err != nil {
		return Event{}, true, fmt.Errorf("xfrm: %s event: %w", ev.Kind, err)
	}
	return ev, true, nil
}

// decodeDelSA decodes an XFRM_MSG_DELSA notification: struct
// xfrm_usersa_id, then the SA in XFRMA_SA and its attributes beside it.
func decodeDelSA(s *State, b []byte) error {
	if len(b) < sizeUserSAID {
		return malformed("struct xfrm_usersa_id", len(b), sizeUserSAID)
	}
	id := getStateID(b)
	attrs := b[sizeUserSAID:]
	found := false
	err := eachAttr(attrs, "deleted SA", func(typ uint16, p []byte) error {
		if typ != attrSA || found {
			return nil
		}
		found = true
		if err := need(p, sizeUserSAInfo, "XFRMA_SA"); err != nil {
			return err
		}
		return s.getInfo(p)
	})
	if err != nil {
		return err
	}
	if !found {
		*s = State{Dst: id.Dst, SPI: id.SPI, Proto: id.Proto, Family: familyOf(id.Dst)}
	}
	return s.getAttrs(attrs)
}

// decodeDelPolicy decodes an XFRM_MSG_DELPOLICY notification: struct
// xfrm_userpolicy_id, then the policy in XFRMA_POLICY and its attributes.
func decodeDelPolicy(p *Policy, b []byte) error {
	if len(b) < sizePolicyID {
		return malformed("struct xfrm_userpolicy_id", len(b), sizePolicyID)
	}
	id, err := getPolicyID(b)
	if err != nil {
		return err
	}
	attrs := b[sizePolicyID:]
	found := false
	err = eachAttr(attrs, "deleted policy", func(typ uint16, q []byte) error {
		if typ != attrPolicy || found {
			return nil
		}
		found = true
		if err := need(q, sizePolicyInfo, "XFRMA_POLICY"); err != nil {
			return err
		}
		return p.getInfo(q)
	})
	if err != nil {
		return err
	}
	if !found {
		*p = Policy{Selector: id.Selector, Dir: id.Dir, Index: id.Index}
	}
	return p.getAttrs(attrs)
}

func (a *Acquire) unmarshal(b []byte) error {
	if len(b) < sizeAcquire {
		return malformed("struct xfrm_user_acquire", len(b), sizeAcquire)
	}
	*a = Acquire{}
	if err := a.Policy.getInfo(b[96:]); err != nil {
		return err
	}
	if err := a.Selector.get(b[40:], a.Policy.Selector.family()); err != nil {
		return err
	}
	f := a.Policy.Selector.family()
	if f == FamilyUnspec {
		f = a.Selector.family()
	}
	a.Dst, a.SPI, a.Proto, a.Src = getAddr(b[0:], f), be32(b[16:]), Proto(b[20]), getAddr(b[24:], f)
	a.AuthAlgos, a.CryptAlgos, a.CompAlgos, a.Seq = ne.Uint32(b[264:]), ne.Uint32(b[268:]), ne.Uint32(b[272:]), ne.Uint32(b[276:])
	if err := a.Policy.getAttrs(b[sizeAcquire:]); err != nil {
		return err
	}
	a.Mark, a.IfID, a.SecurityContext = a.Policy.Mark, a.Policy.IfID, a.Policy.SecurityContext
	// The template the SA is wanted for may not name its family or
	// addresses: the acquire's are the ones to use.
	if len(a.Policy.Templates) > 0 {
		for i := range a.Policy.Templates {
			if a.Policy.Templates[i].Family == FamilyUnspec {
				a.Policy.Templates[i].Family = f
			}
		}
	}
	return nil
}

func (c *Counters) unmarshal(b []byte) error {
	if len(b) < sizeAEventID {
		return malformed("struct xfrm_aevent_id", len(b), sizeAEventID)
	}
	*c = Counters{ID: getStateID(b)}
	f := Family(ne.Uint16(b[20:]))
	c.Src = getAddr(b[24:], f)
	c.ID.Src = c.Src
	c.Flags, c.ReqID = ne.Uint32(b[40:]), ne.Uint32(b[44:])
	return eachAttr(b[sizeAEventID:], "counters", func(typ uint16, p []byte) error {
		var err error
		switch typ {
		case attrLifetimeVal:
			if err = need(p, sizeLifetimeCur, "XFRMA_LTIME_VAL"); err == nil {
				c.Lifetime.get(p)
			}
		case attrReplayVal:
			if err = need(p, sizeReplay, "XFRMA_REPLAY_VAL"); err == nil {
				c.Replay = &Replay{OSeq: ne.Uint32(p[0:]), Seq: ne.Uint32(p[4:]), Bitmap: ne.Uint32(p[8:])}
			}
		case attrReplayESNVal:
			c.ReplayESN = new(ReplayESN)
			err = c.ReplayESN.get(p)
		case attrReplayThresh:
			if err = need(p, 4, "XFRMA_REPLAY_THRESH"); err == nil {
				c.ReplayThreshold = ne.Uint32(p)
			}
		case attrETimerThresh:
			if err = need(p, 4, "XFRMA_ETIMER_THRESH"); err == nil {
				c.ExpiryTimer = ne.Uint32(p)
			}
		case attrMark:
			c.ID.Mark, err = getMark(p)
		case attrIfID:
			if err = need(p, 4, "XFRMA_IF_ID"); err == nil {
				c.IfID = ne.Uint32(p)
			}
		}
		return err
	})
}

func (r *Report) unmarshal(b []byte) error {
	if len(b) < sizeReport {
		return malformed("struct xfrm_user_report", len(b), sizeReport)
	}
	*r = Report{Proto: Proto(b[0])}
	if err := r.Selector.get(b[4:], FamilyUnspec); err != nil {
		return err
	}
	return eachAttr(b[sizeReport:], "report", func(typ uint16, p []byte) error {
		if typ == attrCoAddr {
			if err := need(p, 16, "XFRMA_COADDR"); err != nil {
				return err
			}
			r.CareOf = getAddr(p, r.Selector.family())
		}
		return nil
	})
}

func (m *Mapping) unmarshal(b []byte) error {
	if len(b) < sizeMapping {
		return malformed("struct xfrm_user_mapping", len(b), sizeMapping)
	}
	*m = Mapping{ID: getStateID(b)}
	f := Family(ne.Uint16(b[20:]))
	m.ReqID = ne.Uint32(b[24:])
	m.OldSrc, m.NewSrc = getAddr(b[28:], f), getAddr(b[44:], f)
	m.OldPort, m.NewPort = be16(b[60:]), be16(b[62:])
	return nil
}

func (m *Migrate) unmarshal(b []byte) error {
	if len(b) < sizePolicyID {
		return malformed("struct xfrm_userpolicy_id", len(b), sizePolicyID)
	}
	id, err := getPolicyID(b)
	if err != nil {
		return err
	}
	*m = Migrate{Policy: id}
	return eachAttr(b[sizePolicyID:], "migrate", func(typ uint16, p []byte) error {
		switch typ {
		case attrMigrate:
			if len(p)%sizeMigrate != 0 {
				return fmt.Errorf("xfrm: XFRMA_MIGRATE: %d bytes, not a multiple of %d: %w", len(p), sizeMigrate, netlink.ErrMalformed)
			}
			for ; len(p) > 0; p = p[sizeMigrate:] {
				of, nf := Family(ne.Uint16(p[72:])), Family(ne.Uint16(p[74:]))
				m.Moves = append(m.Moves, Move{
					OldDst: getAddr(p[0:], of), OldSrc: getAddr(p[16:], of),
					NewDst: getAddr(p[32:], nf), NewSrc: getAddr(p[48:], nf),
					Proto: Proto(p[64]), Mode: Mode(p[65]), ReqID: ne.Uint32(p[68:]),
				})
			}
		case attrPolicyType:
			if err := need(p, sizePolicyType, "XFRMA_POLICY_TYPE"); err != nil {
				return err
			}
			m.Policy.Type = PolicyType(p[0])
		}
		return nil
	})
}

// JoinGroup subscribes c to groups (all of AllGroups when none are
// given); Events then streams their notifications. Joins are counted:
// each needs its own LeaveGroup.
//
// To keep a copy of the SAD or SPD right: join, then list (States,
// Policies), then apply Events; on netlink.ErrOverrun from Events, list
// again and go on (nothing older than the loss follows it).
func (c *Conn) JoinGroup(groups ...Group) error {
	if len(groups) == 0 {
		groups = AllGroups()
	}
	return c.groups.Join(groups)
}

// LeaveGroup undoes JoinGroup for groups (all of AllGroups when none are
// given). Leaving a group c did not join is an error.
func (c *Conn) LeaveGroup(groups ...Group) error {
	if len(groups) == 0 {
		groups = AllGroups()
	}
	return c.groups.Leave(groups)
}

// Events streams the notifications of the groups c joined (JoinGroup, or
// netlink.Config.Groups of the socket given to NewConn). It is a
// single-use iterator; one Events (or netlink Receive) at a time per Conn.
//
// Loss is an event, not a death: when the kernel dropped notifications
// (ENOBUFS) Events yields an error matching netlink.ErrOverrun and goes on.
// A notification that does not decode is yielded as an error and the
// stream goes on. Any other error ends it: ctx's, or netlink.ErrClosed
// after Close.
func (c *Conn) Events(ctx context.Context) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		if err := c.closed(); err != nil {
			yield(Event{}, fmt.Errorf("xfrm: events: %w", err))
			return
		}
		// Close ends the stream, also when c does not own the socket.
		events := netlink.DecodeNotifications(membership.Receive(ctx, c.nl, c.done), func(n netlink.Notification) (Event, bool, error) {
			return DecodeEvent(n.Message)
		})
		for ev, err := range events {
			if errors.Is(err, netlink.ErrClosed) && c.closed() != nil {
				yield(Event{}, fmt.Errorf("xfrm: events: %w", netlink.ErrClosed))
				return
			}
			if err != nil && !errors.Is(err, netlink.ErrOverrun) && !errors.Is(err, netlink.ErrMalformed) {
				err = fmt.Errorf("xfrm: events: %w", err)
			}
			if !yield(ev, err) {
				return
			}
		}
	}
}

var _ = nlattr.HeaderLen

// Events streams the notifications of groups (all of AllGroups when none
// are given) from a socket of its own, opened with cfg (nil: defaults;
// cfg.NetNS picks the namespace, cfg.ReceiveBuffer sizes the buffer;
// cfg.Groups is ignored). It is a single-use iterator; the socket is
// closed when the loop ends. Errors are as for Conn.Events; a failure to
// open the socket ends the stream.
//
// It subscribes when the loop starts: to combine a dump with the changes
// after it, use Dial, JoinGroup, a dump, then Conn.Events.
func Events(ctx context.Context, cfg *netlink.Config, groups ...Group) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		var c netlink.Config
		if cfg != nil {
			c = *cfg
		}
		c.Groups = nil
		conn, err := Dial(&c)
		if err != nil {
			yield(Event{}, err)
			return
		}
		defer conn.Close()
		if err := conn.JoinGroup(groups...); err != nil {
			yield(Event{}, err)
			return
		}
		for ev, err := range conn.Events(ctx) {
			if !yield(ev, err) {
				return
			}
		}
	}
}
