package xfrm

import (
	"net/netip"
	"testing"

	"github.com/nlkit/nlkit/netlink"
)

// sampleEvents are notifications of every type the package decodes, built
// from the UAPI layouts as the kernel's xfrm_user.c fills them.
func sampleEvents() []netlink.Message {
	msg := func(t netlink.MessageType, b []byte) netlink.Message {
		return netlink.Message{Header: netlink.Header{Type: t}, Data: b}
	}
	s := richState()
	sa, _ := s.MarshalBinary()
	p := richPolicy()
	pol, _ := p.MarshalBinary()

	// DELSA: xfrm_usersa_id, XFRMA_SA, then the SA's attributes.
	id := s.ID()
	delsa, q := grow(nil, sizeUserSAID)
	id.put(q)
	delsa = appendAttrFixed(delsa, attrSA, sizeUserSAInfo, func(q []byte) { s.putInfo(q) })
	delsa, _ = s.appendAttrs(delsa)

	// DELPOLICY: xfrm_userpolicy_id, XFRMA_POLICY, then the attributes.
	pid := p.ID()
	pid.Index = p.Index
	delpol, q := grow(nil, sizePolicyID)
	pid.put(q)
	delpol = appendAttrFixed(delpol, attrPolicy, sizePolicyInfo, func(q []byte) { p.putInfo(q) })
	delpol, _ = p.appendAttrs(delpol)

	// ACQUIRE: xfrm_user_acquire and the policy's templates.
	acq, q := grow(nil, sizeAcquire)
	putAddr(q[0:], a4("2001:db8:1::1"))
	q[20] = uint8(ProtoESP)
	putAddr(q[24:], a4("2001:db8::1"))
	sel := Selector{Src: p4("2001:db8::1/128"), Dst: p4("2001:db8:1::1/128"), Proto: 17, DstPort: 53, DstPortMask: 0xffff}
	sel.put(q[40:])
	p.putInfo(q[96:])
	ne.PutUint32(q[264:], 1)
	ne.PutUint32(q[268:], 2)
	ne.PutUint32(q[272:], 3)
	ne.PutUint32(q[276:], 42)
	acq, _ = p.appendAttrs(acq)

	expire, q := grow(nil, sizeExpire)
	s.putInfo(q)
	q[sizeUserSAInfo] = 1
	expire = appendMark(expire, s.Mark)

	polexp, q := grow(nil, sizePolExpire)
	p.putInfo(q)
	polexp, _ = p.appendAttrs(polexp)

	ae, q := grow(nil, sizeAEventID)
	id.put(q)
	putAddr(q[24:], s.Src)
	ne.PutUint32(q[40:], 0x14)
	ne.PutUint32(q[44:], 5)
	ae = appendAttrFixed(ae, attrLifetimeVal, sizeLifetimeCur, func(q []byte) { (&Lifetime{Bytes: 10, Packets: 1}).put(q) })
	ae = appendAttrFixed(ae, attrReplayVal, sizeReplay, func(q []byte) { ne.PutUint32(q[4:], 7) })
	ae = appendU32(ae, attrReplayThresh, 3)

	report, q := grow(nil, sizeReport)
	q[0] = uint8(ProtoRoute2)
	sel.put(q[4:])
	report = appendAttrFixed(report, attrCoAddr, 16, func(q []byte) { putAddr(q, a4("2001:db8::9")) })

	mapping, q := grow(nil, sizeMapping)
	id.put(q)
	ne.PutUint32(q[24:], 5)
	putAddr(q[28:], a4("198.18.0.1"))
	putAddr(q[44:], a4("198.18.0.7"))
	putBE16(q[60:], 4500)
	putBE16(q[62:], 4501)

	migrate, q := grow(nil, sizePolicyID)
	pid.put(q)
	migrate = appendAttrFixed(migrate, attrMigrate, sizeMigrate, func(q []byte) {
		putAddr(q[0:], a4("198.18.0.2"))
		putAddr(q[16:], a4("198.18.0.1"))
		putAddr(q[32:], a4("198.18.0.4"))
		putAddr(q[48:], a4("198.18.0.3"))
		q[64] = uint8(ProtoESP)
		q[65] = uint8(ModeTunnel)
		ne.PutUint32(q[68:], 5)
		ne.PutUint16(q[72:], uint16(FamilyIPv4))
		ne.PutUint16(q[74:], uint16(FamilyIPv4))
	})
	migrate = appendPolicyType(migrate, PolicyTypeSub)

	return []netlink.Message{
		msg(msgNewSA, sa), msg(msgUpdSA, sa), msg(msgDelSA, delsa), msg(msgFlushSA, []byte{uint8(ProtoESP), 0, 0, 0}),
		msg(msgNewPolicy, pol), msg(msgUpdPolicy, pol), msg(msgDelPolicy, delpol),
		msg(msgFlushPolicy, appendPolicyType(nil, PolicyTypeSub)),
		msg(msgAcquire, acq), msg(msgExpire, expire), msg(msgPolExpire, polexp), msg(msgNewAE, ae),
		msg(msgReport, report), msg(msgMapping, mapping), msg(msgMigrate, migrate),
	}
}

// Every notification type decodes into its Event, with its fields.
func TestDecodeEvents(t *testing.T) {
	s, p := sentState(richState()), sentPolicy(richPolicy())
	evs := sampleEvents()
	want := []EventKind{EventNewState, EventUpdateState, EventDeleteState, EventFlushStates, EventNewPolicy,
		EventUpdatePolicy, EventDeletePolicy, EventFlushPolicies, EventAcquire, EventExpire, EventPolicyExpire,
		EventCounters, EventReport, EventMapping, EventMigrate}
	for i, m := range evs {
		ev, ok, err := DecodeEvent(m)
		if !ok || err != nil || ev.Kind != want[i] {
			t.Fatalf("%d: %v %v %v, want %v", i, ev.Kind, ok, err, want[i])
		}
		switch ev.Kind {
		case EventNewState, EventUpdateState, EventDeleteState:
			if d := diff(s, ev.State); d != "" {
				t.Errorf("%v:\n%s", ev.Kind, d)
			}
		case EventNewPolicy, EventUpdatePolicy, EventDeletePolicy, EventPolicyExpire:
			if d := diff(p, ev.Policy); d != "" {
				t.Errorf("%v:\n%s", ev.Kind, d)
			}
		case EventFlushStates:
			if ev.Proto != ProtoESP {
				t.Errorf("flush proto %v", ev.Proto)
			}
		case EventFlushPolicies:
			if ev.PolicyType != PolicyTypeSub {
				t.Errorf("flush type %v", ev.PolicyType)
			}
		case EventAcquire:
			a := ev.Acquire
			if a.Seq != 42 || a.Proto != ProtoESP || a.Dst != netip.MustParseAddr("2001:db8:1::1") || a.Src != netip.MustParseAddr("2001:db8::1") ||
				a.Selector.DstPort != 53 || len(a.Policy.Templates) != 2 || a.Policy.Dir != DirOut || a.AuthAlgos != 1 || a.CompAlgos != 3 || a.Mark != p.Mark || a.IfID != 7 {
				t.Errorf("acquire %+v", a)
			}
		case EventExpire:
			if !ev.Hard || ev.State.SPI != s.SPI || ev.State.Mark != s.Mark {
				t.Errorf("expire %v %+v", ev.Hard, ev.State.ID())
			}
		case EventCounters:
			c := ev.Counters
			if c.ID.SPI != s.SPI || c.ReqID != 5 || c.Flags != 0x14 || c.Lifetime.Bytes != 10 || c.Replay == nil || c.Replay.Seq != 7 || c.ReplayThreshold != 3 {
				t.Errorf("counters %+v", c)
			}
		case EventReport:
			if ev.Report.Proto != ProtoRoute2 || ev.Report.CareOf != netip.MustParseAddr("2001:db8::9") {
				t.Errorf("report %+v", ev.Report)
			}
		case EventMapping:
			m := ev.Mapping
			if m.ReqID != 5 || m.NewSrc != netip.MustParseAddr("198.18.0.7") || m.OldPort != 4500 || m.NewPort != 4501 {
				t.Errorf("mapping %+v", m)
			}
		case EventMigrate:
			m := ev.Migrate
			if len(m.Moves) != 1 || m.Moves[0].NewDst != netip.MustParseAddr("198.18.0.4") || m.Moves[0].ReqID != 5 || m.Policy.Type != PolicyTypeSub {
				t.Errorf("migrate %+v", m)
			}
		}
		// Every cut of the message is an error or an event, never a panic.
		for n := range len(m.Data) {
			DecodeEvent(netlink.Message{Header: m.Header, Data: m.Data[:n]})
		}
	}
	if _, ok, _ := DecodeEvent(netlink.Message{Header: netlink.Header{Type: netlink.TypeDone}}); ok {
		t.Errorf("NLMSG_DONE decoded as an event")
	}
}
