package queue_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netfilter/queue"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

// fullPacket has every field the kernel can send.
func fullPacket() *queue.Packet {
	return &queue.Packet{
		Queue: 7, Family: netfilter.FamilyIPv6, ID: 0, HWProtocol: 0x86dd, Hook: queue.HookForward,
		Time:    time.Unix(1700000000, 123456000),
		InIndex: 2, OutIndex: 3, PhysInIndex: 4, PhysOutIndex: 5,
		Mark: 0xdead, Priority: 6,
		HWAddr: []byte{0x02, 0, 0, 0, 0, 1},
		UID:    1000, GID: 100, HasUID: true, HasGID: true,
		SecCtx:    []byte("system_u:object_r:unlabeled_t:s0"),
		ConnState: netfilter.StateEstablishedReply, HasConn: true,
		ConnID: 0x1234, ConnMark: 9, ConnStatus: 0x18e,
		Conntrack: conntrackAttrs(0x18e, 9, 0x1234),
		CapLen:    3000, Info: queue.InfoGSO | queue.InfoChecksumNotReady,
		VLANProto: 0x8100, VLANTCI: 42, HasVLAN: true,
		L2Header: []byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x86, 0xdd},
		Payload:  []byte{0x60, 0, 0, 0, 0, 8, 17, 64},
	}
}

// conntrackAttrs encodes an NFQA_CT nest's payload as ctnetlink does.
func conntrackAttrs(status, mark, id uint32) []byte {
	var e nlattr.Encoder
	e.Uint32BE(3, status) // CTA_STATUS
	e.Uint32BE(8, mark)   // CTA_MARK
	e.Uint32BE(12, id)    // CTA_ID
	b, _ := e.Finish()
	return b
}

// diff returns "" when want and got are deeply equal, else both.
func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return fmt.Sprintf("want %+v\ngot  %+v", want, got)
}

func TestPacketRoundTrip(t *testing.T) {
	p := fullPacket()
	p.ID = 99
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	var q queue.Packet
	if err := q.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if d := diff(p, &q); d != "" {
		t.Fatalf("round trip (-sent +decoded):\n%s", d)
	}
	c := q.Clone()
	b[len(b)-1] ^= 0xff // the clone owns its bytes
	if d := diff(p, c); d != "" {
		t.Fatalf("clone (-sent +clone):\n%s", d)
	}
}

// TestDecodeConntrack: NFQA_CT and NFQA_CT_INFO as the kernel encodes them
// (this kernel lacks the queue's conntrack glue: see TestConntrack).
func TestDecodeConntrack(t *testing.T) {
	var e nlattr.Encoder
	e.Reset([]byte{2, 0, 0, 1})
	e.Bytes(1, []byte{0, 0, 0, 5, 0x08, 0x00, 1}) // NFQA_PACKET_HDR: id 5, IPv4, input
	e.Bytes(11|nlattr.Nested, conntrackAttrs(0x8, 0x77, 0xabcdef))
	e.Uint32BE(12, 2) // NFQA_CT_INFO: IP_CT_NEW
	b, _ := e.Finish()
	var p queue.Packet
	if err := p.UnmarshalBinary(b); err != nil {
		t.Fatal(err)
	}
	if p.ID != 5 || !p.HasConn || p.ConnState != netfilter.StateNew || p.ConnID != 0xabcdef || p.ConnMark != 0x77 || p.ConnStatus != 8 {
		t.Fatalf("decoded %+v", p)
	}
}

func TestPacketMalformed(t *testing.T) {
	hdr := func(e *nlattr.Encoder) { e.Bytes(1, []byte{0, 0, 0, 5, 0x08, 0x00, 1}) }
	for _, tc := range []struct {
		name  string
		build func(e *nlattr.Encoder)
		attr  string
		id    uint32
	}{
		{"short mark", func(e *nlattr.Encoder) { hdr(e); e.Bytes(3, []byte{1, 2, 3}) }, "NFQA_MARK", 5},
		{"short header", func(e *nlattr.Encoder) { e.Bytes(1, []byte{0, 0, 0, 5}) }, "NFQA_PACKET_HDR", 0},
		{"long timestamp", func(e *nlattr.Encoder) { hdr(e); e.Bytes(4, make([]byte, 20)) }, "NFQA_TIMESTAMP", 5},
		{"hwaddr length", func(e *nlattr.Encoder) { hdr(e); e.Bytes(9, []byte{0, 9, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}) }, "NFQA_HWADDR", 5},
		{"vlan tci", func(e *nlattr.Encoder) { hdr(e); e.Nest(19); e.Bytes(2, []byte{1}); e.End() }, "NFQA_VLAN", 5},
		{"ct id", func(e *nlattr.Encoder) { hdr(e); e.Nest(11); e.Bytes(12, []byte{1}); e.End() }, "NFQA_CT", 5},
		{"no header", func(e *nlattr.Encoder) { e.Uint32BE(3, 1) }, "NFQA_PACKET_HDR", 0},
		{"truncated attribute", func(e *nlattr.Encoder) { hdr(e); e.Uint32BE(3, 1) }, "", 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e nlattr.Encoder
			e.Reset([]byte{2, 0, 0, 1})
			tc.build(&e)
			b, _ := e.Finish()
			if tc.name == "truncated attribute" {
				b = b[:len(b)-2]
				binary.NativeEndian.PutUint16(b[len(b)-6:], 8) // nla_len past the end
			}
			var p queue.Packet
			err := p.UnmarshalBinary(b)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.attr) {
				t.Errorf("error %q does not name %s", err, tc.attr)
			}
			if p.ID != tc.id {
				t.Errorf("ID %d after the error, want %d", p.ID, tc.id)
			}
			t.Log(err)
		})
	}
	// Unknown attributes are skipped.
	var e nlattr.Encoder
	e.Reset([]byte{2, 0, 0, 1})
	hdr(&e)
	e.Bytes(200, []byte{1, 2, 3})
	e.Uint32BE(3|nlattr.NetByteOrder, 77)
	b, _ := e.Finish()
	var p queue.Packet
	if err := p.UnmarshalBinary(b); err != nil || p.Mark != 77 {
		t.Fatalf("unknown attribute: %v, mark %d", err, p.Mark)
	}
	if err := p.UnmarshalBinary([]byte{2, 0}); err == nil {
		t.Fatal("short nfgenmsg accepted")
	}
}

func TestDecodeAllocs(t *testing.T) {
	p := fullPacket()
	p.ID = 1
	b, _ := p.MarshalBinary()
	var q queue.Packet
	if n := testing.AllocsPerRun(100, func() { q.UnmarshalBinary(b) }); n != 0 {
		t.Fatalf("%v allocations per decode", n)
	}
}

// TestFakeStream: over the fake kernel, the bind request, the packets,
// gaps in ids, a malformed packet, an overrun and refused verdicts all
// come through Packets, which goes on after each.
func TestFakeStream(t *testing.T) {
	q, f := dialFake(t, &queue.Config{Num: 7, MaxLen: 100, Flags: queue.FlagGSO | queue.FlagFailOpen, CopyRange: 512})
	if len(f.configs) != 1 {
		t.Fatalf("%d config requests", len(f.configs))
	}
	cfgAttrs := map[uint16][]byte{}
	d := nlattr.NewDecoder(f.configs[0].Data[4:])
	for d.Next() {
		cfgAttrs[d.Type()] = d.Bytes()
	}
	want := map[uint16][]byte{
		1: {1, 0, 0, 0},    // NFQA_CFG_CMD: bind
		2: {0, 0, 2, 0, 2}, // NFQA_CFG_PARAMS: range 512, copy packet
		3: {0, 0, 0, 100},  // NFQA_CFG_QUEUE_MAXLEN
		4: {0, 0, 0, 0x1f}, // NFQA_CFG_MASK: every flag we know
		5: {0, 0, 0, 0x5},  // NFQA_CFG_FLAGS: fail-open | gso
	}
	if d := diff(want, cfgAttrs); d != "" || f.configs[0].Data[3] != 7 {
		t.Fatalf("bind request (-want +got):\n%s", d)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	full := fullPacket()
	f.send(t, full)                                                             // id 1
	f.send(t, &queue.Packet{Queue: 7, ID: 4, Family: 2, Payload: []byte{0x45}}) // ids 2, 3 missed
	// A malformed one with its id readable.
	var e nlattr.Encoder
	e.Reset([]byte{2, 0, 0, 7})
	e.Bytes(1, []byte{0, 0, 0, 5, 8, 0, 1})
	e.Bytes(3, []byte{1})
	bad, _ := e.Finish()
	f.push(message(netfilter.MessageType(netfilter.SubsysQueue, 0), 0, 0, bad))
	f.mu.Lock()
	f.held[5] = true
	f.mu.Unlock()

	var got []string
	step := 0
	for p, err := range q.Packets(ctx) {
		step++
		switch step {
		case 1:
			if err != nil || p.ID != 1 {
				t.Fatalf("first: %v %+v", err, p)
			}
			want := fullPacket()
			want.ID = 1
			if d := diff(want, p); d != "" {
				t.Fatalf("packet (-sent +got):\n%s", d)
			}
			if err := q.SetVerdict(ctx, queue.Verdict{ID: 1, Action: queue.Accept}); err != nil {
				t.Fatal(err)
			}
		case 2:
			if err != nil || p.ID != 4 {
				t.Fatalf("second: %v %+v", err, p)
			}
			// Given twice: the second is refused, through the stream.
			q.SetVerdict(ctx, queue.Verdict{ID: 4, Action: queue.Drop})
			q.SetVerdict(ctx, queue.Verdict{ID: 4, Action: queue.Drop})
		case 3:
			if err == nil || p == nil || p.ID != 5 || !strings.Contains(err.Error(), "NFQA_MARK") {
				t.Fatalf("malformed: %v %+v", err, p)
			}
			q.SetVerdict(ctx, queue.Verdict{ID: 5, Action: queue.Drop})
		case 4:
			var ve *queue.VerdictError
			if !errors.As(err, &ve) || !ve.HasID || ve.ID != 4 || ve.Action != queue.Drop || !errors.Is(err, syscall.ENOENT) || p != nil {
				t.Fatalf("refusal: %v", err)
			}
			got = append(got, err.Error())
			f.setOverrun()
		case 5:
			if !errors.Is(err, netlink.ErrOverrun) {
				t.Fatalf("overrun: %v", err)
			}
			f.send(t, &queue.Packet{Queue: 7, ID: 6, Family: 10})
		case 6:
			if err != nil || p.ID != 6 || p.Family != netfilter.FamilyIPv6 {
				t.Fatalf("after the overrun: %v %+v", err, p)
			}
			cancel()
		case 7:
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("end: %v", err)
			}
		}
	}
	if step != 7 {
		t.Fatalf("the stream ended after %d steps", step)
	}
	st, err := q.Stats(context.Background())
	if err == nil {
		t.Error("kernel stats from a fake")
	}
	want2 := queue.Stats{Received: 4, Verdicts: 4, Refused: 1, Outstanding: 1, Missed: 2, Overruns: 1, Malformed: 1}
	if d := diff(want2, st); d != "" {
		t.Errorf("stats (-want +got):\n%s", d)
	}
	t.Log(got)
}

// TestVerdictEncoding: what SetVerdict, SetVerdicts and SetVerdictSync
// send, attribute by attribute.
func TestVerdictEncoding(t *testing.T) {
	q, f := dialFake(t, &queue.Config{Num: 300})
	ctx := context.Background()
	mark, cmark := uint32(0x11223344), uint32(5)
	labels := make([]byte, 16)
	labels[0] = 1
	vs := []queue.Verdict{
		{ID: 1, Action: queue.Accept},
		{ID: 2, Action: queue.Queue, Queue: 9, Bypass: true, Mark: &mark},
		{ID: 3, Action: queue.Repeat, ConnMark: &cmark, ConnLabels: labels, ConnLabelsMask: labels, Payload: []byte("new bytes")},
	}
	for _, v := range vs {
		if err := q.SetVerdict(ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.SetVerdicts(ctx, queue.Verdict{ID: 10, Action: queue.Drop, Mark: &mark}); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.held[11] = true
	f.mu.Unlock()
	if err := q.SetVerdictSync(ctx, queue.Verdict{ID: 11, Action: queue.Stop}); err != nil {
		t.Fatal(err)
	}
	if err := q.SetVerdictSync(ctx, queue.Verdict{ID: 12, Action: queue.Stop}); !errors.Is(err, syscall.ENOENT) || !strings.Contains(err.Error(), "packet 12") {
		t.Fatalf("sync verdict for an unknown id: %v", err)
	}
	type attrs map[uint16]string
	decode := func(m netlink.Message) (netlink.MessageType, netlink.Flags, uint32, attrs) {
		a := attrs{}
		d := nlattr.NewDecoder(m.Data[4:])
		for d.Next() {
			if d.Type() == 11 {
				nd := d.Nested()
				for nd.Next() {
					a[1100+nd.Type()] = string(nd.Bytes())
				}
				continue
			}
			a[d.Type()] = string(d.Bytes())
		}
		return m.Header.Type, m.Header.Flags, m.Header.Sequence, a
	}
	be := func(v ...uint32) string {
		var b []byte
		for _, x := range v {
			b = binary.BigEndian.AppendUint32(b, x)
		}
		return string(b)
	}
	want := []attrs{
		{2: be(1, 1)},
		{2: be(3|9<<16|0x8000, 2), 3: be(mark)},
		{2: be(4, 3), 1100 + 8: be(5), 1100 + 22: string(labels), 1100 + 23: string(labels), 10: "new bytes"},
		{2: be(0, 10), 3: be(mark)},
		{2: be(5, 11)},
		{2: be(5, 12)},
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.verdicts) != len(want) {
		t.Fatalf("%d verdict messages, want %d", len(f.verdicts), len(want))
	}
	for i, m := range f.verdicts {
		typ, flags, seq, a := decode(m)
		if d := diff(want[i], a); d != "" {
			t.Errorf("verdict %d (-want +got):\n%s", i, d)
		}
		wantType := netfilter.MessageType(netfilter.SubsysQueue, 1)
		if i == 3 {
			wantType = netfilter.MessageType(netfilter.SubsysQueue, 3)
		}
		async := i < 4
		if typ != wantType || (async && (seq != 0 || flags != netlink.Request)) || (!async && (seq == 0 || flags&netlink.Acknowledge == 0)) {
			t.Errorf("verdict %d: type %v flags %v seq %d", i, typ, flags, seq)
		}
		if m.Data[2] != 1 || m.Data[3] != 44 { // res_id 300, big-endian
			t.Errorf("verdict %d: res_id bytes % x", i, m.Data[2:4])
		}
	}
}

func TestVerdictRefusedLocally(t *testing.T) {
	q, f := dialFake(t, nil)
	ctx := context.Background()
	for _, v := range []queue.Verdict{
		{ID: 1, Action: queue.Stolen},
		{ID: 1, Action: 9},
		{ID: 1, Action: queue.Accept, Payload: make([]byte, 70000)},
		{ID: 1, Action: queue.Accept, ConnLabels: make([]byte, 16), ConnLabelsMask: make([]byte, 8)},
	} {
		if err := q.SetVerdict(ctx, v); err == nil {
			t.Errorf("verdict %+v sent", v)
		}
	}
	if err := q.SetVerdicts(ctx, queue.Verdict{ID: 1, Action: queue.Accept, Payload: []byte{1}}); err == nil {
		t.Error("batch verdict with a payload sent")
	}
	if len(f.verdicts) != 0 {
		t.Errorf("%d verdicts reached the kernel", len(f.verdicts))
	}
}

// TestOutstanding: the count of packets waiting for a verdict follows
// single and batch verdicts.
func TestOutstanding(t *testing.T) {
	q, f := dialFake(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for range 100 {
		f.send(t, &queue.Packet{Family: 2})
	}
	n := 0
	for p, err := range q.Packets(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 100 {
			_ = p
			break
		}
	}
	out := func() int64 { st, _ := q.Stats(ctx); return st.Outstanding }
	if got := out(); got != 100 {
		t.Fatalf("outstanding %d, want 100", got)
	}
	q.SetVerdict(ctx, queue.Verdict{ID: 50, Action: queue.Accept})
	q.SetVerdict(ctx, queue.Verdict{ID: 50, Action: queue.Accept}) // twice: counted once
	if got := out(); got != 99 {
		t.Fatalf("outstanding %d, want 99", got)
	}
	q.SetVerdicts(ctx, queue.Verdict{ID: 70, Action: queue.Accept})
	if got := out(); got != 30 {
		t.Fatalf("outstanding %d after a batch up to 70, want 30", got)
	}
	q.SetVerdicts(ctx, queue.Verdict{ID: 100, Action: queue.Accept})
	if got := out(); got != 0 {
		t.Fatalf("outstanding %d, want 0", got)
	}
}

// TestCloseUnbinds: Close sends the unbind command and ends a blocked
// Packets with netlink.ErrClosed.
func TestCloseUnbinds(t *testing.T) {
	f := newFake()
	nl, err := netlink.NewConn(f, &netlink.Config{DisableCapAck: true, KeepBeforeOverrun: true})
	if err != nil {
		t.Fatal(err)
	}
	defer nl.Close()
	q, err := queue.NewConn(netfilter.NewConn(nl), &queue.Config{Num: 3})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for _, err := range q.Packets(context.Background()) {
			done <- err
			return
		}
	}()
	time.Sleep(20 * time.Millisecond)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	last := f.configs[len(f.configs)-1]
	f.mu.Unlock()
	if len(last.Data) < 12 || last.Data[8] != 2 {
		t.Fatalf("last config request % x, want an unbind", last.Data)
	}
	// The socket is shared (NewConn): Close left it open; closing it ends
	// the blocked Packets.
	nl.Close()
	select {
	case err := <-done:
		if !errors.Is(err, netlink.ErrClosed) {
			t.Fatalf("Packets ended with %v", err)
		}
	case <-time.After(time.Second):
		t.Fatal("Packets still blocked")
	}
	if err := q.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestEnumText(t *testing.T) {
	for _, v := range []interface {
		MarshalText() ([]byte, error)
	}{queue.HookPostrouting, queue.Repeat, netfilter.StateRelatedReply, queue.CopyMeta, queue.FlagGSO | queue.FlagUIDGID | 0x100} {
		b, _ := v.MarshalText()
		var err error
		switch x := v.(type) {
		case queue.Hook:
			var y queue.Hook
			err = y.UnmarshalText(b)
			if y != x {
				t.Errorf("%v: %v", x, y)
			}
		case queue.Action:
			var y queue.Action
			err = y.UnmarshalText(b)
			if y != x {
				t.Errorf("%v: %v", x, y)
			}
		case netfilter.ConnState:
			var y netfilter.ConnState
			err = y.UnmarshalText(b)
			if y != x {
				t.Errorf("%v: %v", x, y)
			}
		case queue.CopyMode:
			var y queue.CopyMode
			err = y.UnmarshalText(b)
			if y != x {
				t.Errorf("%v: %v", x, y)
			}
		case queue.Flags:
			var y queue.Flags
			err = y.UnmarshalText(b)
			if y != x {
				t.Errorf("%v: %v", x, y)
			}
			if string(b) != "gso|uid-gid|0x100" {
				t.Errorf("flags text %q", b)
			}
		}
		if err != nil {
			t.Errorf("%s: %v", b, err)
		}
	}
	var a queue.Action
	if err := a.UnmarshalText([]byte("bogus")); err == nil {
		t.Error("bogus action accepted")
	}
}
