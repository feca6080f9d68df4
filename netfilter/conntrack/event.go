package conntrack

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
	"golang.org/x/sys/unix"
)

// Event is a change of the table the kernel announced.
type Event struct {
	Type EventType // EventNew, EventUpdate or EventDestroy
	// Flow is the flow that changed. An update carries the tuples, id,
	// status, timeout and mark, and the other attributes only when they
	// changed (Flow.Has says which came); a destroy carries the counters
	// and timestamps but no timeout.
	Flow Flow
	// Expectation is the expectation that changed, for expectation events
	// (EventFilter.Expectations); nil for flow events.
	Expectation *Expectation
	// PortID is the netlink port of the socket whose request made the
	// change (the event's nlmsg_pid); 0 for the kernel's own changes.
	PortID uint32
	// Time is CTA_TIMESTAMP_EVENT, when the kernel stamps events
	// (net.netfilter.nf_conntrack_timestamp); zero otherwise.
	Time time.Time
}

// EventFilter selects events. The zero value selects every flow event.
// Family, Protos and Mark are checked by a classic BPF program attached to
// the socket (netlink.Conn.SetFilter), so that events the program would
// drop do not wake it, and again in user space.
type EventFilter struct {
	// Types are the kinds to receive (their multicast groups are joined:
	// NFNLGRP_CONNTRACK_NEW, _UPDATE, _DESTROY); 0 means all three.
	Types EventType
	// Expectations adds expectation events of the same types
	// (NFNLGRP_CONNTRACK_EXP_*); the other fields do not apply to them.
	Expectations bool

	Family netfilter.Family // FamilyIPv4 or FamilyIPv6 only; FamilyUnspec: both
	Protos []uint8          // L4 protocols of the original tuple; empty: any (at most 64)

	// Mark and MarkMask select flows whose mark&MarkMask == Mark;
	// MarkMask 0: any mark.
	Mark, MarkMask uint32
}

func (f *EventFilter) types() EventType {
	if f.Types&EventAll == 0 {
		return EventAll
	}
	return f.Types & EventAll
}

// groups lists the multicast groups f needs.
func (f *EventFilter) groups() []uint32 {
	var g []uint32
	t := f.types()
	for i, grp := range []uint32{groupNew, groupUpdate, groupDestroy} {
		if t&(1<<i) != 0 {
			g = append(g, grp)
			if f.Expectations {
				g = append(g, grp+3)
			}
		}
	}
	return g
}

// match is the user-side check of what the socket filter checks.
func (f *EventFilter) match(ev *Event) bool {
	if ev.Type&f.types() == 0 {
		return false
	}
	if ev.Expectation != nil {
		return f.Expectations
	}
	fl := &ev.Flow
	if f.Family != netfilter.FamilyUnspec && fl.Family != f.Family {
		return false
	}
	if len(f.Protos) > 0 && !slices.Contains(f.Protos, fl.Orig.Proto) {
		return false
	}
	return fl.Mark&f.MarkMask == f.Mark&f.MarkMask
}

// Ancillary loads of classic BPF (linux/filter.h): the offset of an
// attribute of type X from offset A, and inside the nest at offset A.
const (
	skfAdOff        = -0x1000
	skfAdNLAttr     = 12
	skfAdNLAttrNest = 16
)

// bpf jump targets beyond the next instruction.
const (
	toNext   = -1
	toAccept = -2
	toDrop   = -3
)

type insn struct {
	op     uint16
	k      uint32
	jt, jf int
}

// Program returns the classic BPF program that does, in the kernel, what
// f selects of flow events (Family, Protos, Mark), for
// netlink.Conn.SetFilter; nil when f selects every flow event. Messages
// that are not conntrack flow events (expectations, replies) pass.
func (f *EventFilter) Program() ([]netlink.FilterInstruction, error) {
	if f.Family == netfilter.FamilyUnspec && len(f.Protos) == 0 && f.MarkMask == 0 {
		return nil, nil
	}
	if len(f.Protos) > 64 {
		return nil, errors.New("conntrack: event filter: more than 64 protocols")
	}
	var p []insn
	add := func(op uint16, k uint32, jt, jf int) { p = append(p, insn{op, k, jt, jf}) }
	ldAbs := func(size uint16, off uint32) { add(unix.BPF_LD|size|unix.BPF_ABS, off, 0, 0) }
	jeq := func(k uint32, jt, jf int) { add(unix.BPF_JMP|unix.BPF_JEQ|unix.BPF_K, k, jt, jf) }
	anc := func(which int32) { add(unix.BPF_LD|unix.BPF_W|unix.BPF_ABS, uint32(skfAdOff+which), 0, 0) }

	// The subsystem is nlmsg_type's high byte, at offset 5 in
	// little-endian order, 4 in big-endian.
	var probe [2]byte
	binary.NativeEndian.PutUint16(probe[:], 0x0100)
	subsysOff := uint32(4)
	if probe[1] == 1 {
		subsysOff = 5
	}
	ldAbs(unix.BPF_B, subsysOff)
	jeq(uint32(netfilter.SubsysCTNetlink), toNext, toAccept)
	ldAbs(unix.BPF_W, 8) // nlmsg_seq: replies to requests are not events
	jeq(0, toNext, toAccept)
	const attrs = netlink.HeaderLen + netfilter.HeaderLen
	if f.Family != netfilter.FamilyUnspec {
		ldAbs(unix.BPF_B, netlink.HeaderLen) // nfgen_family
		jeq(uint32(f.Family), toNext, toDrop)
	}
	if f.MarkMask != 0 {
		add(unix.BPF_LD|unix.BPF_IMM, attrs, 0, 0)
		add(unix.BPF_LDX|unix.BPF_IMM, AttrMark, 0, 0)
		anc(skfAdNLAttr)
		// No CTA_MARK: the mark is 0.
		absent := toDrop
		if f.Mark&f.MarkMask == 0 {
			absent = toNext
		}
		if absent == toNext {
			// Skip the three loads below when absent.
			jeq(0, 4, toNext)
		} else {
			jeq(0, toDrop, toNext)
		}
		add(unix.BPF_MISC|unix.BPF_TAX, 0, 0, 0)
		add(unix.BPF_LD|unix.BPF_W|unix.BPF_IND, nlattr.HeaderLen, 0, 0)
		add(unix.BPF_ALU|unix.BPF_AND|unix.BPF_K, f.MarkMask, 0, 0)
		jeq(f.Mark&f.MarkMask, toNext, toDrop)
	}
	if len(f.Protos) > 0 {
		add(unix.BPF_LD|unix.BPF_IMM, attrs, 0, 0)
		add(unix.BPF_LDX|unix.BPF_IMM, AttrTupleOrig, 0, 0)
		anc(skfAdNLAttr)
		jeq(0, toDrop, toNext)
		add(unix.BPF_LDX|unix.BPF_IMM, ctaTupleProto, 0, 0)
		anc(skfAdNLAttrNest)
		jeq(0, toDrop, toNext)
		add(unix.BPF_LDX|unix.BPF_IMM, ctaProtoNum, 0, 0)
		anc(skfAdNLAttrNest)
		jeq(0, toDrop, toNext)
		add(unix.BPF_MISC|unix.BPF_TAX, 0, 0, 0)
		add(unix.BPF_LD|unix.BPF_B|unix.BPF_IND, nlattr.HeaderLen, 0, 0)
		for i, proto := range f.Protos {
			jf := toNext
			if i == len(f.Protos)-1 {
				jf = toDrop
			}
			jeq(uint32(proto), toAccept, jf)
		}
	}
	accept := len(p)
	add(unix.BPF_RET|unix.BPF_K, 0xffffffff, 0, 0)
	drop := len(p)
	add(unix.BPF_RET|unix.BPF_K, 0, 0, 0)

	out := make([]netlink.FilterInstruction, len(p))
	for i, in := range p {
		rel := func(j int) (uint8, error) {
			var target int
			switch j {
			case toNext:
				return 0, nil
			case toAccept:
				target = accept
			case toDrop:
				target = drop
			default:
				return uint8(j), nil
			}
			d := target - i - 1
			if d < 0 || d > 255 {
				return 0, fmt.Errorf("conntrack: event filter: jump of %d", d)
			}
			return uint8(d), nil
		}
		jt, err := rel(in.jt)
		if err != nil {
			return nil, err
		}
		jf, err := rel(in.jf)
		if err != nil {
			return nil, err
		}
		out[i] = netlink.FilterInstruction{Op: in.op, K: in.k, JumpTrue: jt, JumpFalse: jf}
	}
	return out, nil
}

// DecodeEvent decodes a ctnetlink notification. ok is false for messages
// that are not conntrack events.
func DecodeEvent(m netlink.Message) (ev Event, ok bool, err error) {
	err = decodeEventInto(&ev, m, &ok)
	return ev, ok, err
}

func decodeEventInto(ev *Event, m netlink.Message, ok *bool) error {
	*ok = false
	p, err := netfilter.ParseMessage(m)
	if err != nil {
		return nil // not nfnetlink
	}
	switch p.Subsystem {
	case netfilter.SubsysCTNetlink:
		switch p.Type {
		case msgNew:
			ev.Type = EventUpdate
			if m.Header.Flags&(netlink.Create|netlink.Excl) != 0 {
				ev.Type = EventNew
			}
		case msgDelete:
			ev.Type = EventDestroy
		default:
			return nil
		}
		ev.Expectation = nil
		if err := decodeFlow(&ev.Flow, p.Header.Family, p.Attrs); err != nil {
			return err
		}
		ev.Time = time.Time{}
		if ev.Flow.Has(AttrTimestampEvent) {
			d := nlattr.NewDecoder(p.Attrs)
			for d.Next() {
				if d.Type() == AttrTimestampEvent {
					ev.Time = nsTime(d.Uint64BE())
				}
			}
		}
	case netfilter.SubsysCTNetlinkExp:
		switch p.Type {
		case msgExpNew:
			ev.Type = EventUpdate
			if m.Header.Flags&(netlink.Create|netlink.Excl) != 0 {
				ev.Type = EventNew
			}
		case msgExpDelete:
			ev.Type = EventDestroy
		default:
			return nil
		}
		e := new(Expectation)
		if err := decodeExpectation(e, p.Header.Family, p.Attrs); err != nil {
			return err
		}
		ev.Flow, ev.Expectation, ev.Time = Flow{}, e, time.Time{}
	default:
		return nil
	}
	ev.PortID = m.Header.PortID
	*ok = true
	return nil
}

// Events subscribes to the table's changes f selects and streams them. The
// multicast groups are joined, and f's socket filter attached, when the
// iteration starts; both are undone when it ends. Since Linux 5.19 the
// kernel makes events only while someone listens: start iterating before
// the traffic.
//
// It follows the rule of netlink.DecodeNotifications: netlink.ErrOverrun
// is yielded when the kernel dropped events (the socket's buffer was full;
// a busy host overruns any buffer), and the stream goes on; a malformed
// event is yielded as an error and the stream goes on; ctx's end or Close
// end it. Holders of state resynchronise with a fresh dump on ErrOverrun
// (Mirror does). It is a single-use iterator. Give Events a Conn of its
// own: the socket filter applies to the whole socket, and one Receive
// runs at a time per Conn. Flow events decode without allocating;
// expectation events allocate their Expectation.
func (c *Conn) Events(ctx context.Context, f EventFilter) iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		nl := c.nf.Netlink()
		if err := c.closed(); err != nil {
			yield(Event{}, netlink.NameOp("conntrack", "events", err))
			return
		}
		prog, err := f.Program()
		if err != nil {
			yield(Event{}, err)
			return
		}
		if prog != nil {
			if err := nl.SetFilter(prog); err != nil && nl.Protocol() >= 0 {
				yield(Event{}, netlink.NameOp("conntrack", "events: attach socket filter", err))
				return
			}
			defer nl.SetFilter(nil)
		}
		var joined []uint32
		defer func() {
			for _, g := range joined {
				nl.LeaveGroup(g)
			}
		}()
		for _, g := range f.groups() {
			if err := nl.JoinGroup(g); err != nil {
				yield(Event{}, netlink.NameOp("conntrack", fmt.Sprintf("events: join group %d", g), err))
				return
			}
			joined = append(joined, g)
		}
		var ev Event
		for n, err := range nl.Receive(ctx) {
			if err != nil {
				if errors.Is(err, netlink.ErrOverrun) {
					if !yield(Event{}, err) {
						return
					}
					continue
				}
				yield(Event{}, netlink.NameOp("conntrack", "events", err))
				return
			}
			if n.SenderPort != 0 {
				continue
			}
			var ok bool
			if err := decodeEventInto(&ev, n.Message, &ok); err != nil {
				if !yield(Event{}, netlink.NameOp("conntrack", "events", err)) {
					return
				}
				continue
			}
			if !ok || !f.match(&ev) {
				continue
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}
