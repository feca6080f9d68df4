package conntrack

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/netip"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// Conn speaks ctnetlink over a NETLINK_NETFILTER socket. It is safe for
// concurrent use as netfilter.Conn is: each call gets its own replies,
// dumps on one Conn run one after another. Events needs the socket's
// notifications to itself (one Events at a time per Conn, and its filter
// applies to the whole socket): give it a Conn of its own.
type Conn struct {
	nf   *netfilter.Conn // this Conn's own wrapper: closing it ends the Conn
	done atomic.Bool
}

// Dial opens a NETLINK_NETFILTER socket with cfg (nil: defaults) for
// conntrack. Set cfg.NetNS to speak to another network namespace's table.
// The Conn owns the socket: Close closes it.
func Dial(cfg *netlink.Config) (*Conn, error) {
	nf, err := netfilter.Dial(cfg)
	if err != nil {
		return nil, fmt.Errorf("conntrack: dial: %w", err)
	}
	return &Conn{nf: nf}, nil
}

// NewConn speaks conntrack over nf, which it shares: Close ends this Conn
// (its calls return netlink.ErrClosed) and leaves nf and its socket open.
func NewConn(nf *netfilter.Conn) *Conn { return &Conn{nf: netfilter.NewConn(nf.Netlink())} }

// Close ends the Conn: later calls return netlink.ErrClosed. A Conn made by
// Dial closes its socket, which ends a running Events; one made by NewConn
// leaves the socket open, so end its Events with their context. Closing
// twice is harmless.
func (c *Conn) Close() error {
	c.done.Store(true)
	return c.nf.Close()
}

// closed reports netlink.ErrClosed once Close was called.
func (c *Conn) closed() error {
	if c.done.Load() {
		return netlink.ErrClosed
	}
	return nil
}

// Netfilter returns the underlying netfilter.Conn.
func (c *Conn) Netfilter() *netfilter.Conn { return c.nf }

func request(sub netfilter.Subsystem, msg uint8, flags netlink.Flags, fam netfilter.Family, attrs []byte) netlink.Message {
	return netfilter.NewMessage(sub, msg, flags, netfilter.Header{Family: fam, Version: netfilter.Version}, attrs)
}

// String formats the tuple as "tcp 198.18.0.1:1000 -> 198.18.0.2:80",
// "icmp 198.18.0.1 -> 198.18.0.3 type 8 code 0 id 77".
func (t Tuple) String() string {
	var b []byte
	if n, ok := protoNames[t.Proto]; ok {
		b = append(b, n...)
	} else {
		b = strconv.AppendUint(append(b, "proto "...), uint64(t.Proto), 10)
	}
	b = append(b, ' ')
	hostPort := func(a netip.Addr, p uint16) {
		if t.Proto == ProtoICMP || t.Proto == ProtoICMPv6 || !hasPorts(t.Proto) {
			b = append(b, a.String()...)
			return
		}
		b = netip.AddrPortFrom(a, p).AppendTo(b)
	}
	hostPort(t.Src, t.SrcPort)
	b = append(b, " -> "...)
	hostPort(t.Dst, t.DstPort)
	if t.Proto == ProtoICMP || t.Proto == ProtoICMPv6 {
		b = fmt.Appendf(b, " type %d code %d id %d", t.ICMPType, t.ICMPCode, t.ICMPID)
	}
	if t.HasZone {
		b = fmt.Appendf(b, " zone %d", t.Zone)
	}
	return string(b)
}

func hasPorts(p uint8) bool {
	switch p {
	case ProtoTCP, ProtoUDP, ProtoUDPLite, ProtoSCTP, ProtoDCCP, ProtoGRE:
		return true
	}
	return false
}

// what names a flow in errors: its original tuple, and zone.
func what(t Tuple, zone uint16) string {
	if zone != 0 {
		return "flow " + t.String() + " zone " + strconv.Itoa(int(zone))
	}
	return "flow " + t.String()
}

// keyAttrs encodes the attributes that name one flow: its original tuple,
// zone and (when id is not 0) id.
func keyAttrs(b []byte, t Tuple, zone uint16, id uint32) ([]byte, error) {
	e := nlattr.NewEncoder(b)
	encodeTuple(e, AttrTupleOrig, t)
	if zone != 0 {
		e.Uint16BE(AttrZone, zone)
	}
	if id != 0 {
		e.Uint32BE(AttrID, id)
	}
	return e.Finish()
}

// Flow looks up the flow whose original or reply tuple is t in zone
// (IPCTNL_MSG_CT_GET). A missing flow is an error matching
// syscall.ENOENT.
func (c *Conn) Flow(ctx context.Context, t Tuple, zone uint16) (Flow, error) {
	op := "get " + what(t, zone)
	if !t.IsValid() {
		return Flow{}, netlink.NameOp("conntrack", op, ErrNoTuple)
	}
	attrs, err := keyAttrs(nil, t, zone, 0)
	if err != nil {
		return Flow{}, netlink.NameOp("conntrack", op, err)
	}
	msgs, err := c.nf.Execute(ctx, request(netfilter.SubsysCTNetlink, msgGet, 0, t.Family(), attrs))
	if err != nil {
		return Flow{}, netlink.NameOp("conntrack", op, err)
	}
	for _, m := range msgs {
		if m.Subsystem == netfilter.SubsysCTNetlink && m.Type == msgNew {
			var f Flow
			if err := decodeFlow(&f, m.Header.Family, m.Attrs); err != nil {
				return Flow{}, netlink.NameOp("conntrack", op, err)
			}
			return f, nil
		}
	}
	return Flow{}, netlink.NameOp("conntrack", op, errors.New("no flow in the kernel's answer"))
}

// Flows streams the flows f selects. The kernel filters by family, mark,
// status, zone and (with CTA_FILTER) original-tuple addresses, protocol
// and ports where it can; every flow is checked again here, so the result
// is what f says on any kernel. It is a single-use iterator; it stops at
// the first error. Decoding allocates nothing per flow (but its Helper and
// SecCtx strings).
//
// A conntrack dump is not atomic and carries no NLM_F_DUMP_INTR: under
// churn a flow may be missed or seen twice.
func (c *Conn) Flows(ctx context.Context, f FlowFilter) iter.Seq2[Flow, error] {
	return c.dumpFlows(ctx, f, msgGet, "dump flows")
}

// ZeroedFlows streams the flows f selects as Flows does and zeroes their
// counters as it reads them (IPCTNL_MSG_CT_GET_CTRZERO): each Flow holds the
// counters from before. It is a single-use iterator.
func (c *Conn) ZeroedFlows(ctx context.Context, f FlowFilter) iter.Seq2[Flow, error] {
	return c.dumpFlows(ctx, f, msgGetCtrZero, "dump and zero flows")
}

// DyingFlows streams the flows on their way out of the table (removed,
// waiting for their last reference: IPCTNL_MSG_CT_GET_DYING), those f
// selects, checked in user space. It is a single-use iterator.
func (c *Conn) DyingFlows(ctx context.Context, f FlowFilter) iter.Seq2[Flow, error] {
	return c.dumpFlows(ctx, userOnly(f), msgGetDying, "dump dying flows")
}

// UnconfirmedFlows streams the flows of packets still on their way through
// the stack, not yet in the table (IPCTNL_MSG_CT_GET_UNCONFIRMED), those
// f selects, checked in user space. It is a single-use iterator.
func (c *Conn) UnconfirmedFlows(ctx context.Context, f FlowFilter) iter.Seq2[Flow, error] {
	return c.dumpFlows(ctx, userOnly(f), msgGetUnconf, "dump unconfirmed flows")
}

// userOnly marks a filter to be checked in user space only: the kernel
// reads no filter for the dying and unconfirmed lists.
func userOnly(f FlowFilter) FlowFilter {
	f.userOnly = true
	return f
}

func (c *Conn) dumpFlows(ctx context.Context, f FlowFilter, msg uint8, op string) iter.Seq2[Flow, error] {
	return func(yield func(Flow, error) bool) {
		attrs, fam, err := f.kernelAttrs(nil)
		if err != nil {
			yield(Flow{}, netlink.NameOp("conntrack", op, err))
			return
		}
		req := request(netfilter.SubsysCTNetlink, msg, netlink.Dump, fam, attrs)
		var fl Flow
		for m, err := range c.nf.Dump(ctx, req) {
			if err != nil {
				yield(Flow{}, netlink.NameOp("conntrack", op, err))
				return
			}
			if m.Subsystem != netfilter.SubsysCTNetlink {
				continue
			}
			if err := decodeFlow(&fl, m.Header.Family, m.Attrs); err != nil {
				yield(Flow{}, netlink.NameOp("conntrack", op, err))
				return
			}
			if !f.Match(&fl) {
				continue
			}
			if !yield(fl, nil) {
				return
			}
		}
	}
}

// FlowList returns the flows f selects as a slice (see Flows), gathered
// by netlink.Collect (two copies of the data, not a slice grown again and
// again). On error it returns the flows read before it with the error.
func (c *Conn) FlowList(ctx context.Context, f FlowFilter) ([]Flow, error) {
	return netlink.Collect(c.Flows(ctx, f))
}

// AddFlow creates flow f in the table (IPCTNL_MSG_CT_NEW with
// NLM_F_CREATE|NLM_F_EXCL): Orig and Timeout are needed; Reply is
// Orig.Reverse() when absent; Status, Mark, Zone, Labels, Helper, TCP,
// SeqAdj and Synproxy are sent when set. An existing flow is an error
// matching fs.ErrExist.
func (c *Conn) AddFlow(ctx context.Context, f Flow) error {
	op := "add " + what(f.Orig, f.Zone)
	req, err := newFlowRequest(nil, &f)
	if err != nil {
		return netlink.NameOp("conntrack", op, err)
	}
	_, err = c.nf.Execute(ctx, req)
	return netlink.NameOp("conntrack", op, err)
}

func newFlowRequest(buf []byte, f *Flow) (netlink.Message, error) {
	if !f.Orig.IsValid() {
		return netlink.Message{}, ErrNoTuple
	}
	e := nlattr.NewEncoder(buf)
	encodeFlow(e, f, true)
	attrs, err := e.Finish()
	if err != nil {
		return netlink.Message{}, err
	}
	return netlink.Message{
		Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysCTNetlink, msgNew), Flags: netlink.Create | netlink.Excl},
		Data:   netfilter.AppendMessage(nil, netfilter.Header{Family: f.Orig.Family(), Version: netfilter.Version}, attrs),
	}, nil
}

// AddFlows creates many flows with as few system calls as fit (see
// netlink.Conn.Batch). It returns a *netlink.BatchError naming the flows
// that failed by their index in flows; the others were created.
func (c *Conn) AddFlows(ctx context.Context, flows []Flow) error {
	var encErr error
	buf := make([]byte, 0, 512)
	var data []byte
	seq := func(yield func(netlink.Message) bool) {
		for i := range flows {
			f := &flows[i]
			if !f.Orig.IsValid() {
				encErr = fmt.Errorf("flow %d: %w", i, ErrNoTuple)
				return
			}
			e := nlattr.NewEncoder(buf[:0])
			encodeFlow(e, f, true)
			attrs, err := e.Finish()
			if err != nil {
				encErr = fmt.Errorf("flow %d: %w", i, err)
				return
			}
			buf = attrs
			data = netfilter.AppendMessage(data[:0], netfilter.Header{Family: f.Orig.Family(), Version: netfilter.Version}, attrs)
			m := netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysCTNetlink, msgNew), Flags: netlink.Create | netlink.Excl}, Data: data}
			if !yield(m) {
				return
			}
		}
	}
	err := c.nf.Batch(ctx, seq)
	if encErr != nil {
		return netlink.NameOp("conntrack", "add flows", encErr)
	}
	return netlink.NameOp("conntrack", "add flows", err)
}

// FlowChange is a partial update of a flow: nil fields are unchanged.
type FlowChange struct {
	Mark     *uint32 // CTA_MARK
	MarkMask uint32  // CTA_MARK_MASK: the bits of Mark to set; 0 means all

	Timeout *time.Duration // CTA_TIMEOUT (whole seconds)
	// Status is CTA_STATUS, the whole new status: the kernel sets bits
	// (ASSURED, SEEN_REPLY ...) but refuses to clear SEEN_REPLY, ASSURED,
	// EXPECTED or CONFIRMED (EBUSY); CONFIRMED is added for you.
	Status *Status
	Labels *Labels // CTA_LABELS
	// LabelsMask is CTA_LABELS_MASK: the label bits Labels sets or
	// clears; nil means all.
	LabelsMask *Labels
	TCPState   *TCPState // CTA_PROTOINFO_TCP_STATE
}

func (ch *FlowChange) encode(e *nlattr.Encoder, proto uint8) {
	if ch.Mark != nil {
		e.Uint32BE(AttrMark, *ch.Mark)
		if ch.MarkMask != 0 {
			e.Uint32BE(AttrMarkMask, ch.MarkMask)
		}
	}
	if ch.Timeout != nil {
		e.Uint32BE(AttrTimeout, seconds(*ch.Timeout))
	}
	if ch.Status != nil {
		// The kernel refuses to clear IPS_CONFIRMED (EBUSY), which every
		// entry of the table has.
		e.Uint32BE(AttrStatus, uint32(*ch.Status|StatusConfirmed))
	}
	if ch.Labels != nil {
		e.Bytes(AttrLabels, ch.Labels[:])
		mask := Labels{}
		if ch.LabelsMask != nil {
			mask = *ch.LabelsMask
		} else {
			for i := range mask {
				mask[i] = 0xff
			}
		}
		e.Bytes(AttrLabelsMask, mask[:])
	}
	if ch.TCPState != nil && proto == ProtoTCP {
		e.Nest(AttrProtoInfo)
		e.Nest(ctaProtoInfoTCP)
		e.Uint8(ctaProtoInfoTCPState, uint8(*ch.TCPState))
		e.End()
		e.End()
	}
}

// ChangeFlow changes the flow whose original tuple is t in zone
// (IPCTNL_MSG_CT_NEW without NLM_F_CREATE: a missing flow is an error
// matching syscall.ENOENT, never a creation).
func (c *Conn) ChangeFlow(ctx context.Context, t Tuple, zone uint16, ch FlowChange) error {
	op := "change " + what(t, zone)
	if !t.IsValid() {
		return netlink.NameOp("conntrack", op, ErrNoTuple)
	}
	e := nlattr.NewEncoder(nil)
	encodeTuple(e, AttrTupleOrig, t)
	if zone != 0 {
		e.Uint16BE(AttrZone, zone)
	}
	ch.encode(e, t.Proto)
	attrs, err := e.Finish()
	if err != nil {
		return netlink.NameOp("conntrack", op, err)
	}
	_, err = c.nf.Execute(ctx, request(netfilter.SubsysCTNetlink, msgNew, 0, t.Family(), attrs))
	return netlink.NameOp("conntrack", op, err)
}

// DeleteFlow removes the flow whose original tuple is t in zone
// (IPCTNL_MSG_CT_DELETE). A missing flow is an error matching
// syscall.ENOENT.
func (c *Conn) DeleteFlow(ctx context.Context, t Tuple, zone uint16) error {
	op := "delete " + what(t, zone)
	if !t.IsValid() {
		return netlink.NameOp("conntrack", op, ErrNoTuple)
	}
	attrs, err := keyAttrs(nil, t, zone, 0)
	if err != nil {
		return netlink.NameOp("conntrack", op, err)
	}
	_, err = c.nf.Execute(ctx, request(netfilter.SubsysCTNetlink, msgDelete, 0, t.Family(), attrs))
	return netlink.NameOp("conntrack", op, err)
}

// DeleteFlows removes many flows, each named by its original tuple, zone
// and (when not 0) ID, so that a flow that was replaced since it was read
// (same tuple, new ID) stays. Deletions go with as few system calls as fit
// (netlink.Conn.Batch); a *netlink.BatchError names the failures by their
// index in flows (syscall.ENOENT for a flow already gone). Delete what a
// filter selects with FlowList then DeleteFlows.
func (c *Conn) DeleteFlows(ctx context.Context, flows []Flow) error {
	var encErr error
	var attrs, data []byte
	seq := func(yield func(netlink.Message) bool) {
		for i := range flows {
			f := &flows[i]
			if !f.Orig.IsValid() {
				encErr = fmt.Errorf("flow %d: %w", i, ErrNoTuple)
				return
			}
			var err error
			attrs, err = keyAttrs(attrs[:0], f.Orig, f.Zone, f.ID)
			if err != nil {
				encErr = fmt.Errorf("flow %d: %w", i, err)
				return
			}
			data = netfilter.AppendMessage(data[:0], netfilter.Header{Family: f.Orig.Family(), Version: netfilter.Version}, attrs)
			m := netlink.Message{Header: netlink.Header{Type: netfilter.MessageType(netfilter.SubsysCTNetlink, msgDelete)}, Data: data}
			if !yield(m) {
				return
			}
		}
	}
	err := c.nf.Batch(ctx, seq)
	if encErr != nil {
		return netlink.NameOp("conntrack", "delete flows", encErr)
	}
	return netlink.NameOp("conntrack", "delete flows", err)
}

// FlushFlows removes every flow of family fam (FamilyIPv4, FamilyIPv6;
// FamilyUnspec: all) in one request (IPCTNL_MSG_CT_DELETE without a tuple,
// in a version-1 message, which the kernel needs to honour the family).
func (c *Conn) FlushFlows(ctx context.Context, fam netfilter.Family) error {
	// The kernel takes nfgen_family as a flush's family only from a
	// message of version 1 (ctnetlink_del_conntrack); version 0 flushes
	// everything.
	req := netfilter.NewMessage(netfilter.SubsysCTNetlink, msgDelete, 0, netfilter.Header{Family: fam, Version: 1}, nil)
	_, err := c.nf.Execute(ctx, req)
	if fam == netfilter.FamilyUnspec {
		return netlink.NameOp("conntrack", "flush flows", err)
	}
	return netlink.NameOp("conntrack", "flush "+fam.String()+" flows", err)
}
