package queue

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"syscall"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
)

// Verdict is the fate of a queued packet.
type Verdict struct {
	// ID is the packet's id (Packet.ID); for SetVerdicts, the highest id
	// the verdict covers.
	ID     uint32
	Action Action
	// Queue is the queue to pass the packet to, with Action Queue.
	Queue uint16
	// Bypass, with Action Queue, accepts the packet when no program is
	// bound to Queue instead of dropping it (NF_VERDICT_FLAG_QUEUE_BYPASS).
	Bypass bool

	// Mark sets the packet's mark (NFQA_MARK); nil leaves it.
	Mark *uint32
	// ConnMark sets the mark of the packet's connection (NFQA_CT,
	// CTA_MARK); nil leaves it. It needs the nf_conntrack_netlink module;
	// without it the kernel ignores it.
	ConnMark *uint32
	// ConnLabels sets the connection's labels (NFQA_CT, CTA_LABELS: a
	// bitmap of 16 bytes, label n in bit n), the bits of ConnLabelsMask
	// only when it is set (CTA_LABELS_MASK, as long as ConnLabels); nil
	// leaves them. The kernel ignores them unless labels are in use in
	// the namespace (a rule with -m connlabel).
	ConnLabels, ConnLabelsMask []byte

	// Payload replaces the packet's bytes from its network header on
	// (NFQA_PAYLOAD); nil leaves them. Checksums are not fixed by the
	// kernel: call FixChecksums first. A payload the kernel cannot take
	// makes it drop the packet.
	Payload []byte
}

const queueBypass = 0x8000 // NF_VERDICT_FLAG_QUEUE_BYPASS

// check validates v before it is sent: the kernel would leak a packet
// given NF_STOLEN, and refuses unknown verdicts only after it looked the
// packet up in some paths.
func (v *Verdict) check(batch bool) error {
	switch v.Action {
	case Drop, Accept, Queue, Repeat, Stop:
	default:
		return errorf("verdict %v for packet %d: not a verdict user space may give", v.Action, v.ID)
	}
	if batch && (v.Payload != nil || v.ConnMark != nil || v.ConnLabels != nil) {
		return errorf("batch verdict up to packet %d: only the action and the mark apply to a batch", v.ID)
	}
	if len(v.Payload) > maxAttrPayload {
		return errorf("verdict for packet %d: payload of %d bytes, at most %d", v.ID, len(v.Payload), maxAttrPayload)
	}
	if v.ConnLabelsMask != nil && len(v.ConnLabelsMask) != len(v.ConnLabels) {
		return errorf("verdict for packet %d: labels mask of %d bytes for labels of %d", v.ID, len(v.ConnLabelsMask), len(v.ConnLabels))
	}
	return nil
}

func appendAttr(b []byte, typ uint16, v []byte) []byte {
	l := 4 + len(v)
	b = binary.NativeEndian.AppendUint16(b, uint16(l))
	b = binary.NativeEndian.AppendUint16(b, typ)
	b = append(b, v...)
	for ; l%4 != 0; l++ {
		b = append(b, 0)
	}
	return b
}

func appendBE32(b []byte, typ uint16, v uint32) []byte {
	var x [4]byte
	binary.BigEndian.PutUint32(x[:], v)
	return appendAttr(b, typ, x[:])
}

// appendVerdict appends the payload of a verdict message for queue num.
func (v *Verdict) appendVerdict(b []byte, num uint16) []byte {
	b = netfilter.AppendMessage(b, netfilter.Header{Family: netfilter.FamilyUnspec, Version: netfilter.Version, ResourceID: num}, nil)
	verdict := uint32(v.Action)
	if v.Action == Queue {
		verdict |= uint32(v.Queue) << 16
		if v.Bypass {
			verdict |= queueBypass
		}
	}
	var h [verdictHdrLen]byte
	binary.BigEndian.PutUint32(h[:], verdict)
	binary.BigEndian.PutUint32(h[4:], v.ID)
	b = appendAttr(b, attrVerdictHdr, h[:])
	if v.Mark != nil {
		b = appendBE32(b, attrMark, *v.Mark)
	}
	if v.ConnMark != nil || v.ConnLabels != nil {
		start := len(b)
		b = appendAttr(b, attrCT|0x8000, nil) // NLA_F_NESTED; length fixed below
		if v.ConnMark != nil {
			b = appendBE32(b, ctaMark, *v.ConnMark)
		}
		if v.ConnLabels != nil {
			b = appendAttr(b, ctaLabels, v.ConnLabels)
			if v.ConnLabelsMask != nil {
				b = appendAttr(b, ctaLabelsMask, v.ConnLabelsMask)
			}
		}
		binary.NativeEndian.PutUint16(b[start:], uint16(len(b)-start))
	}
	if v.Payload != nil {
		b = appendAttr(b, attrPayload, v.Payload)
	}
	return b
}

// SetVerdict gives packet v.ID its verdict. It writes the verdict to the
// kernel and returns: it does not wait for an answer, so that workers
// never wait on each other or on the reader. A verdict the kernel refuses
// (an id it does not hold, after a verdict was already given or the packet
// was dropped with the queue) comes back through Packets as a
// *VerdictError naming the id; use SetVerdictSync to wait for the
// kernel's answer instead. Safe for concurrent use; it allocates nothing.
func (c *Conn) SetVerdict(ctx context.Context, v Verdict) error {
	return c.sendVerdict(ctx, &v, false)
}

// SetVerdicts gives one verdict to every packet waiting in the queue
// whose id is at most v.ID (NFQNL_MSG_VERDICT_BATCH): one message for a
// run of packets. Only v.Action (with v.Queue) and v.Mark apply. Packets
// with a higher id, and those not yet read, must not be below v.ID: the
// kernel gives the verdict to every packet it holds up to v.ID, read or
// not. Like SetVerdict it does not wait; when no packet was covered the
// kernel's ENOENT comes back through Packets as a *VerdictError.
func (c *Conn) SetVerdicts(ctx context.Context, v Verdict) error {
	return c.sendVerdict(ctx, &v, true)
}

func (c *Conn) sendVerdict(ctx context.Context, v *Verdict, batch bool) error {
	if err := v.check(batch); err != nil {
		return err
	}
	typ := typeVerdict
	if batch {
		typ = typeVerdictBatch
	}
	bp := c.bufs.Get().(*[]byte)
	b := v.appendVerdict((*bp)[:0], c.num)
	// Sequence 0: the kernel's refusal then comes to Packets, not to a
	// request waiter, and it echoes this message with the id.
	err := c.nl.Send(ctx, netlink.Message{Header: netlink.Header{Type: typ, Flags: netlink.Request}, Data: b})
	if cap(b) <= 64<<10 {
		*bp = b
		c.bufs.Put(bp)
	}
	if err != nil {
		return c.verdictErr(v, batch, err)
	}
	if batch {
		c.track.removeUpTo(v.ID)
		c.batches.Add(1)
	} else {
		c.track.remove(v.ID)
		c.verdicts.Add(1)
	}
	return nil
}

func (c *Conn) verdictErr(v *Verdict, batch bool, err error) error {
	if batch {
		return netlink.NameOp("queue", fmt.Sprintf("batch verdict %v up to packet %d on queue %d", v.Action, v.ID, c.num), err)
	}
	return netlink.NameOp("queue", fmt.Sprintf("verdict %v for packet %d on queue %d", v.Action, v.ID, c.num), err)
}

// SetVerdictSync gives packet v.ID its verdict and waits for the kernel's
// answer: an error wrapping syscall.ENOENT if it held no packet v.ID.
// It costs a round trip and the reply is routed past the reader, so
// prefer SetVerdict on busy queues. Safe for concurrent use.
func (c *Conn) SetVerdictSync(ctx context.Context, v Verdict) error {
	if err := v.check(false); err != nil {
		return err
	}
	removed := c.track.remove(v.ID)
	attrs := v.appendVerdict(nil, c.num)[netfilter.HeaderLen:]
	_, err := c.nf.Execute(ctx, netfilter.NewMessage(netfilter.SubsysQueue, msgVerdict, 0,
		netfilter.Header{Family: netfilter.FamilyUnspec, Version: netfilter.Version, ResourceID: c.num}, attrs))
	if err != nil {
		var ne *netlink.Error
		if removed && !(errors.As(err, &ne) && ne.Errno == syscall.ENOENT) {
			c.track.add(v.ID)
		}
		c.refused.Add(1)
		return c.verdictErr(&v, false, err)
	}
	c.verdicts.Add(1)
	return nil
}
