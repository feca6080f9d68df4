package nflog

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nlkit/nlkit/netfilter"
	"github.com/nlkit/nlkit/netlink"
	"github.com/nlkit/nlkit/nlattr"
)

func fullEntry() *Entry {
	return &Entry{
		Family: netfilter.FamilyBridge, Group: 7, HWProtocol: 0x0800, Hook: HookForward, Prefix: "drop ",
		InIndex: 3, OutIndex: 4, PhysInIndex: 5, PhysOutIndex: 6, Mark: 0x42,
		Time:   time.Unix(1700000000, 123456000),
		HWType: 1, HWLen: 14, HWHeader: []byte{2, 0, 0, 0, 0, 0xb, 2, 0, 0, 0, 0, 0xa, 8, 0},
		HWAddr: []byte{2, 0, 0, 0, 0, 0xa}, L2Header: []byte{1, 2, 3},
		HasVLAN: true, VLANProto: 0x8100, VLANTCI: 100,
		HasUID: true, UID: 1000, GID: 100,
		HasSeq: true, Seq: 9, HasGlobalSeq: true, GlobalSeq: 77,
		Conntrack: []byte{8, 0, 12, 0, 0, 0, 0, 1}, HasCTInfo: true, CTInfo: netfilter.StateEstablishedReply,
		Payload: []byte{0x45, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2},
	}
}

// norm is e with empty slices nil and the aliasing mark off, to compare.
func norm(e *Entry) Entry {
	x := *e
	x.aliased = false
	for _, p := range []*[]byte{&x.Payload, &x.HWHeader, &x.HWAddr, &x.L2Header, &x.Conntrack} {
		if len(*p) == 0 {
			*p = nil
		}
	}
	return x
}

// diff describes how two values differ, or "".
func diff(want, got any) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	return fmt.Sprintf("want %+v\n got %+v", want, got)
}

func TestRoundTrip(t *testing.T) {
	for _, want := range []*Entry{fullEntry(), {Family: netfilter.FamilyIPv4, Group: 1}} {
		b, err := want.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got Entry
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
		if d := diff(norm(want), norm(&got)); d != "" {
			t.Errorf("round trip :\n%s", d)
		}
		again, _ := got.AppendBinary(nil)
		if string(again) != string(b) {
			t.Errorf("encode-decode-encode differs")
		}
		if d := diff(norm(want), norm(got.Clone())); d != "" {
			t.Errorf("clone :\n%s", d)
		}
	}
}

// attrs builds an entry's bytes from raw attributes.
func attrs(f func(e *nlattr.Encoder)) []byte {
	b, _ := netfilter.Header{Family: netfilter.FamilyIPv4, ResourceID: 1}.AppendBinary(nil)
	e := nlattr.NewEncoder(b)
	e.Bytes(attrPacketHdr, []byte{8, 0, 1, 0})
	f(e)
	out, _ := e.Finish()
	return out
}

// A known attribute of the wrong length is an error naming it; unknown
// attributes and flags on types are fine; nothing panics.
func TestMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		b    []byte
		want string
	}{
		{"short nfgenmsg", []byte{2, 0}, "nfgenmsg"},
		{"packet header", attrs(func(e *nlattr.Encoder) { e.Bytes(attrPacketHdr, []byte{1, 2}) }), "NFULA_PACKET_HDR"},
		{"mark", attrs(func(e *nlattr.Encoder) { e.Bytes(attrMark, []byte{1, 2, 3}) }), "NFULA_MARK"},
		{"timestamp", attrs(func(e *nlattr.Encoder) { e.Bytes(attrTimestamp, make([]byte, 8)) }), "NFULA_TIMESTAMP"},
		{"hwaddr short", attrs(func(e *nlattr.Encoder) { e.Bytes(attrHWAddr, make([]byte, 6)) }), "NFULA_HWADDR"},
		{"hwaddr long", attrs(func(e *nlattr.Encoder) { e.Bytes(attrHWAddr, []byte{0, 9, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}) }), "NFULA_HWADDR"},
		{"uid", attrs(func(e *nlattr.Encoder) { e.Bytes(attrUID, []byte{1}) }), "NFULA_UID"},
		{"seq", attrs(func(e *nlattr.Encoder) { e.Bytes(attrSeq, make([]byte, 5)) }), "NFULA_SEQ"},
		{"hwtype", attrs(func(e *nlattr.Encoder) { e.Bytes(attrHWType, []byte{1}) }), "NFULA_HWTYPE"},
		{"vlan tci", attrs(func(e *nlattr.Encoder) { e.Nest(attrVLAN); e.Bytes(attrVLANTCI, []byte{1}); e.End() }), "NFULA_VLAN_TCI"},
		{"truncated", append(attrs(func(*nlattr.Encoder) {}), 200, 0, 9, 0), "truncated"},
		{"zero length", append(attrs(func(*nlattr.Encoder) {}), 0, 0, 9, 0), "truncated"},
		{"vlan truncated", attrs(func(e *nlattr.Encoder) { e.Bytes(attrVLAN, []byte{9, 0, 1, 0}) }), "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e Entry
			err := e.UnmarshalBinary(tc.b)
			if err == nil || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one matching ErrMalformed and naming %q", err, tc.want)
			}
		})
	}
	// Unknown attributes and the NLA_F_* flags on known types decode.
	b := attrs(func(e *nlattr.Encoder) {
		e.Bytes(99, []byte{1, 2, 3})
		e.Bytes(attrMark|nlattr.NetByteOrder, []byte{0, 0, 0, 7})
		e.Bytes(attrPrefix, []byte("abc\x00"))
	})
	var e Entry
	if err := e.UnmarshalBinary(b); err != nil || e.Mark != 7 || e.Prefix != "abc" || e.HWProtocol != 0x0800 || e.Hook != HookInput {
		t.Errorf("unknown attribute: %v, %v", e, err)
	}
}

// Decoding into a reused Entry allocates nothing.
func TestDecodeAllocs(t *testing.T) {
	b, _ := fullEntry().MarshalBinary()
	var e Entry
	e.UnmarshalBinary(b)
	if n := testing.AllocsPerRun(100, func() {
		if err := e.UnmarshalBinary(b); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per decode into a reused Entry", n)
	}
	var h netfilter.Header
	h.UnmarshalBinary(b)
	if n := testing.AllocsPerRun(100, func() { e.decode(h, b[4:], true) }); n != 0 {
		t.Errorf("%v allocations per aliasing decode", n)
	}
}

func fakeConn(t *testing.T, k *fakeKernel, cfg *Config) *Conn {
	t.Helper()
	nl, err := netlink.NewConn(k, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nl.Close() })
	c, err := NewConn(netfilter.NewConn(nl), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every setting goes to the kernel in the bind request, in the kernel's
// units and byte order.
func TestBindRequest(t *testing.T) {
	k := newFake()
	fakeConn(t, k, &Config{Group: 513, CopyMode: CopyPacket, CopyRange: 100, QThreshold: 50, Timeout: 1234 * time.Millisecond,
		BufferSize: 65536, Flags: FlagSeq | FlagSeqGlobal, Families: []netfilter.Family{netfilter.FamilyIPv6}})
	if len(k.reqs) != 2 {
		t.Fatalf("%d requests, want PF_BIND and BIND", len(k.reqs))
	}
	type attr struct {
		Type uint16
		Data string
	}
	parse := func(m netlink.Message) (netfilter.Message, []attr) {
		nm, err := netfilter.ParseMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		var out []attr
		d := nlattr.NewDecoder(nm.Attrs)
		for d.Next() {
			out = append(out, attr{d.Type(), string(d.Bytes())})
		}
		return nm, out
	}
	be32 := func(v uint32) string { return string(binary.BigEndian.AppendUint32(nil, v)) }
	pf, pfAttrs := parse(k.reqs[0])
	if pf.Subsystem != netfilter.SubsysULog || pf.Type != msgConfig || pf.Header.Family != netfilter.FamilyIPv6 ||
		diff([]attr{{attrCfgCmd, "\x03"}}, pfAttrs) != "" {
		t.Errorf("PF_BIND request %+v %v", pf, pfAttrs)
	}
	b, bAttrs := parse(k.reqs[1])
	want := []attr{
		{attrCfgCmd, "\x01"},
		{attrCfgMode, be32(100) + "\x02\x00"},
		{attrCfgTimeout, be32(124)},
		{attrCfgNLBufSiz, be32(65536)},
		{attrCfgQThresh, be32(50)},
		{attrCfgFlags, "\x00\x03"},
	}
	if b.Header.ResourceID != 513 || b.Header.Family != netfilter.FamilyUnspec {
		t.Errorf("bind header %+v", b.Header)
	}
	if d := diff(want, bAttrs); d != "" {
		t.Errorf("bind attributes :\n%s", d)
	}
	// The zero Config: whole packets, one entry per datagram, the
	// kernel's timeout, no flags.
	k = newFake()
	fakeConn(t, k, nil)
	_, zAttrs := parse(k.reqs[0])
	want = []attr{{attrCfgCmd, "\x01"}, {attrCfgMode, be32(0) + "\x02\x00"}, {attrCfgTimeout, be32(100)}, {attrCfgQThresh, be32(1)}, {attrCfgFlags, "\x00\x00"}}
	if d := diff(want, zAttrs); d != "" {
		t.Errorf("zero Config :\n%s", d)
	}
}

func TestConfigRefused(t *testing.T) {
	for _, cfg := range []Config{{CopyMode: 3}, {CopyRange: -1}, {QThreshold: -1}, {Timeout: -time.Second}, {BufferSize: MaxBufferSize + 1}} {
		if _, err := NewConn(nil, &cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
	k := newFake()
	k.errno = syscall.EPERM
	nl, _ := netlink.NewConn(k, nil)
	defer nl.Close()
	_, err := NewConn(netfilter.NewConn(nl), &Config{Group: 3})
	if !errors.Is(err, syscall.EPERM) || !strings.Contains(err.Error(), "nflog: bind group 3") {
		t.Errorf("refused bind: %v", err)
	}
}

// The stream: batches, an entry of another group, a malformed entry, an
// overrun and sequence gaps, in order, and it goes on after each.
func TestStream(t *testing.T) {
	k := newFake()
	c := fakeConn(t, k, &Config{Group: 7, Flags: FlagSeq})
	e := fullEntry()
	e.Family = netfilter.FamilyIPv4
	at := func(seq uint32, prefix string) netlink.Message {
		x := *e
		x.Seq, x.Prefix = seq, prefix
		return entryMsg(&x)
	}
	other := *e
	other.Group = 8
	k.deliver(at(0, "a"), at(1, "a"), entryMsg(&other), at(2, "b"), doneMsg())
	k.deliver(netlink.Message{Header: netlink.Header{Type: packetType}, Data: attrs(func(e *nlattr.Encoder) { e.Bytes(attrMark, []byte{1}) })[:0:0]})
	k.deliver(netlink.Message{Header: netlink.Header{Type: packetType}, Data: []byte{2, 0, 0, 7, 5, 0, 2, 0, 1}})
	k.deliver(at(5, "c"))
	k.overrun()
	k.deliver(at(9, "d"), at(10, "d"), doneMsg())
	var got []string
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for x, err := range c.Entries(ctx) {
		var le *LossError
		switch {
		case errors.As(err, &le):
			got = append(got, "lost "+itoa(le.Lost))
		case errors.Is(err, netlink.ErrOverrun):
			got = append(got, "overrun")
		case errors.Is(err, ErrMalformed):
			got = append(got, "malformed")
		case err != nil:
			t.Fatal(err)
		default:
			got = append(got, x.Prefix+itoa(x.Seq))
			if string(x.Payload) != string(e.Payload) || x.Mark != e.Mark {
				t.Errorf("entry %v", x)
			}
		}
		if len(got) == 11 {
			break
		}
	}
	want := []string{"a0", "a1", "b2", "malformed", "malformed", "lost 2", "c5", "overrun", "lost 3", "d9", "d10"}
	if d := diff(want, got); d != "" {
		t.Errorf("stream :\n%s", d)
	}
	// The second batch's NLMSG_DONE follows d10, after the loop broke.
	if st := c.Stats(); st != (Stats{Entries: 6, Batches: 1, Overruns: 1, Lost: 5, Malformed: 2}) {
		t.Errorf("stats %+v", st)
	}
}

func itoa(v uint32) string { return strconv.FormatUint(uint64(v), 10) }

func TestText(t *testing.T) {
	for _, f := range []Flags{0, FlagSeq, FlagSeq | FlagConntrack, FlagSeqGlobal | 0x100} {
		b, _ := f.MarshalText()
		var g Flags
		if err := g.UnmarshalText(b); err != nil || g != f {
			t.Errorf("flags %v: %q -> %v, %v", uint16(f), b, g, err)
		}
	}
	for m := range CopyPacket + 2 {
		b, _ := m.MarshalText()
		var g CopyMode
		if err := g.UnmarshalText(b); err != nil || g != m {
			t.Errorf("copy mode %d: %q -> %v, %v", m, b, g, err)
		}
	}
	for h := range HookPostrouting + 2 {
		b, _ := h.MarshalText()
		var g Hook
		if err := g.UnmarshalText(b); err != nil || g != h {
			t.Errorf("hook %d: %q -> %v, %v", h, b, g, err)
		}
	}
	if HookPrerouting.Name(netfilter.FamilyNetdev) != "ingress" || HookInput.Name(netfilter.FamilyIPv4) != "input" {
		t.Error("hook names")
	}
	for i := range netfilter.StateUntracked + 2 {
		b, _ := i.MarshalText()
		var g netfilter.ConnState
		if err := g.UnmarshalText(b); err != nil || g != i {
			t.Errorf("ct info %d: %q -> %v, %v", i, b, g, err)
		}
	}
}

// Breaking out of the stream in the middle of a batch: what happens to
// the rest of the datagram.
func TestBreakMidBatch(t *testing.T) {
	k := newFake()
	c := fakeConn(t, k, &Config{Group: 7, Flags: FlagSeq})
	e := fullEntry()
	e.Family = netfilter.FamilyIPv4
	at := func(seq uint32) netlink.Message {
		x := *e
		x.Seq = seq
		return entryMsg(&x)
	}
	k.deliver(at(0), at(1), at(2), doneMsg())
	k.deliver(at(3))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for x, err := range c.Entries(ctx) {
		if err != nil || x.Seq != 0 {
			t.Fatalf("first: %v, %v", x, err)
		}
		break
	}
	var got []string
	for x, err := range c.Entries(ctx) {
		var le *LossError
		switch {
		case errors.As(err, &le):
			got = append(got, "lost "+itoa(le.Lost))
		case err != nil:
			t.Fatal(err)
		default:
			got = append(got, itoa(x.Seq))
		}
		if x != nil && x.Seq == 3 {
			break
		}
	}
	if d := diff([]string{"1", "2", "3"}, got); d != "" {
		t.Errorf("after a break after entry 0: %s", d)
	}
}

func TestParseInstances(t *testing.T) {
	got, err := parseInstances(strings.NewReader("    5   3885     0 2    30    100  1\n65535 1 7 1 0 3 2\n\n"))
	want := []Instance{
		{Group: 5, PortID: 3885, CopyMode: CopyPacket, CopyRange: 30, Timeout: time.Second},
		{Group: 65535, PortID: 1, Queued: 7, CopyMode: CopyMeta, Timeout: 30 * time.Millisecond},
	}
	if err != nil || diff(want, got) != "" {
		t.Errorf("%+v, %v", got, err)
	}
	for _, bad := range []string{"1 2 3\n", "70000 1 0 2 0 100 1\n", "x 1 0 2 0 100 1\n"} {
		if _, err := parseInstances(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
