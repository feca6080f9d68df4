package netlink

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

// utParse runs AppendParse and fails the test if it does not return
// promptly: a parser stuck on a zero or tiny length would loop.
func utParse(t testing.TB, dst []Message, b []byte) ([]Message, error) {
	t.Helper()
	type result struct {
		msgs []Message
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		msgs, err := AppendParse(dst, b)
		ch <- result{msgs, err}
	}()
	select {
	case r := <-ch:
		return r.msgs, r.err
	case <-time.After(10 * time.Second):
		t.Fatalf("AppendParse of %d bytes did not return within 10s", len(b))
		return nil, nil
	}
}

func utSameMessage(t testing.TB, got, want Message) {
	t.Helper()
	if got.Header != want.Header {
		t.Errorf("header %v, want %v", got.Header, want.Header)
	}
	if !bytes.Equal(got.Data, want.Data) {
		t.Errorf("data % x, want % x", got.Data, want.Data)
	}
}

func TestAppendMessageWireFormat(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 100, 1021} {
		data := utSeq(n)
		h := Header{Length: 9999, Type: 0x1234, Flags: Request | Acknowledge | Excl, Sequence: 0xdeadbeef, PortID: 77}
		prefix := []byte("prefix")
		got, err := AppendMessage(append([]byte(nil), prefix...), h, data)
		if err != nil {
			t.Fatalf("%d bytes: %v", n, err)
		}
		// h.Length is ignored: the length is computed, padding is zeros.
		want := utCat(prefix, utMsg(0x1234, Request|Acknowledge|Excl, 0xdeadbeef, 77, data, true))
		if !bytes.Equal(got, want) {
			t.Errorf("%d bytes:\n got % x\nwant % x", n, got, want)
		}
		if (len(got)-len(prefix))%4 != 0 {
			t.Errorf("%d bytes: encoding of %d bytes not padded", n, len(got)-len(prefix))
		}

		m := Message{Header: h, Data: data}
		mb, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(mb, want[len(prefix):]) {
			t.Errorf("%d bytes: MarshalBinary = % x, %v; want % x", n, mb, err, want[len(prefix):])
		}
	}
}

func TestAppendMessageDoesNotAliasData(t *testing.T) {
	data := utSeq(8)
	b, err := AppendMessage(nil, Header{Type: 20}, data)
	if err != nil {
		t.Fatal(err)
	}
	b[HeaderLen] = 0xff
	if data[0] != 1 {
		t.Fatal("AppendMessage output aliases the payload")
	}
}

func TestMessageRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 3, 4, 5, 16, 17, 255, 4096} {
		want := Message{
			Header: Header{Type: MessageType(16 + n%7), Flags: Multi | DumpFiltered | Flags(n%2)<<8, Sequence: uint32(n) * 3, PortID: 4242},
			Data:   utSeq(n),
		}
		b, err := want.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var got Message
		if err := got.UnmarshalBinary(b); err != nil {
			t.Fatalf("%d bytes: UnmarshalBinary: %v", n, err)
		}
		want.Header.Length = uint32(HeaderLen + n)
		utSameMessage(t, got, want)
		if len(got.Data) > 0 && &got.Data[0] != &b[HeaderLen] {
			t.Errorf("%d bytes: Data does not alias the input", n)
		}

		// The same message without its padding (an unaligned final message).
		var got2 Message
		if err := got2.UnmarshalBinary(b[:HeaderLen+n]); err != nil {
			t.Fatalf("%d bytes unpadded: UnmarshalBinary: %v", n, err)
		}
		utSameMessage(t, got2, want)
	}
}

func TestMessageUnmarshalWantsOne(t *testing.T) {
	one := utMsg(16, 0, 1, 0, utSeq(4), true)
	var m Message
	for name, b := range map[string][]byte{
		"empty":        nil,
		"short header": one[:HeaderLen-1],
		"two":          utCat(one, one),
	} {
		err := m.UnmarshalBinary(b)
		utWantParseError(t, err, 0, 0)
		if t.Failed() {
			t.Fatalf("%s: %v", name, err)
		}
	}
	// Malformed input gives the parser's error.
	utWantParseError(t, m.UnmarshalBinary(utHeader(15, 16, 0, 0, 0)), 0, 15)
}

func TestAppendParseSeveral(t *testing.T) {
	want := []Message{
		{Header: Header{Type: 16, Flags: Multi, Sequence: 5, PortID: 100}, Data: utSeq(12)},
		{Header: Header{Type: 16, Flags: Multi, Sequence: 5, PortID: 100}, Data: utSeq(5)}, // padded to 8
		{Header: Header{Type: TypeNoop, Sequence: 5}},
		{Header: Header{Type: 24, Flags: Multi | DumpInterrupted, Sequence: 5, PortID: 100}, Data: utSeq(121)},
		{Header: Header{Type: TypeDone, Flags: Multi, Sequence: 5, PortID: 100}, Data: []byte{0, 0, 0, 0}},
	}
	var b []byte
	for i := range want {
		m := &want[i]
		b = append(b, utMsg(m.Header.Type, m.Header.Flags, m.Header.Sequence, m.Header.PortID, m.Data, true)...)
		m.Header.Length = uint32(HeaderLen + len(m.Data))
	}
	prior := Message{Header: Header{Type: 99}}
	got, err := utParse(t, []Message{prior}, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want)+1 {
		t.Fatalf("got %d messages, want %d", len(got), len(want)+1)
	}
	if !reflect.DeepEqual(got[0], prior) {
		t.Errorf("the message already in dst was changed: %v", got[0])
	}
	for i := range want {
		utSameMessage(t, got[i+1], want[i])
	}

	// Data slices alias the datagram and are capped: appending to one
	// never overwrites the padding or the next message.
	snapshot := bytes.Clone(b)
	for i, m := range got[1:] {
		if cap(m.Data) != len(m.Data) {
			t.Errorf("message %d: Data capacity %d, want %d", i, cap(m.Data), len(m.Data))
		}
		_ = append(m.Data, 0xee, 0xee, 0xee, 0xee)
	}
	if !bytes.Equal(b, snapshot) {
		t.Errorf("appending to Data wrote into the datagram")
	}
	if &got[1].Data[0] != &b[HeaderLen] {
		t.Errorf("Data does not alias the datagram")
	}
}

func TestAppendParseEmpty(t *testing.T) {
	for _, b := range [][]byte{nil, {}, make([]byte, HeaderLen-1)} {
		got, err := utParse(t, nil, b)
		if err != nil || len(got) != 0 {
			t.Errorf("%d bytes: %d messages, %v; want none, nil", len(b), len(got), err)
		}
	}
}

func TestParseMalformed(t *testing.T) {
	first := utMsg(16, Multi, 1, 0, utSeq(4), true) // 20 bytes
	type tc struct {
		name   string
		b      []byte
		off    int
		l      uint32
		parsed int // messages returned before the error
	}
	var cases []tc
	for l := uint32(0); l < HeaderLen; l++ {
		cases = append(cases,
			tc{name: fmt.Sprintf("nlmsg_len %d", l), b: utCat(utHeader(l, 16, 0, 1, 0), utSeq(16)), l: l},
			tc{name: fmt.Sprintf("second nlmsg_len %d", l), b: utCat(first, utHeader(l, 16, 0, 1, 0)), off: 20, l: l, parsed: 1},
		)
	}
	zeros := make([]byte, 64<<10)
	cases = append(cases,
		tc{name: "past the end by 1", b: utCat(utHeader(21, 16, 0, 1, 0), utSeq(4)), l: 21},
		tc{name: "past the end", b: utCat(first, utHeader(100, 16, 0, 1, 0), utSeq(40)), off: 20, l: 100, parsed: 1},
		tc{name: "0xFFFFFFFF", b: utCat(utHeader(0xFFFFFFFF, 16, 0, 1, 0), utSeq(64)), l: 0xFFFFFFFF},
		tc{name: "0x80000000", b: utCat(first, utHeader(0x80000000, 16, 0, 1, 0)), off: 20, l: 0x80000000, parsed: 1},
		tc{name: "64 KiB of zeros", b: zeros, l: 0},
		tc{name: "zeros after a message", b: utCat(first, zeros), off: 20, l: 0, parsed: 1},
	)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := utParse(t, nil, c.b)
			utWantParseError(t, err, c.off, c.l)
			if len(got) != c.parsed {
				t.Errorf("%d messages before the error, want %d", len(got), c.parsed)
			}
			var m Message
			if err := m.UnmarshalBinary(c.b); !errors.Is(err, ErrMalformed) {
				t.Errorf("UnmarshalBinary: %v, want ErrMalformed", err)
			}
		})
	}
}

func TestParseUnalignedFinalMessage(t *testing.T) {
	first := utMsg(16, Multi, 1, 0, utSeq(8), true)
	for n := 1; n <= 3; n++ {
		last := utMsg(17, 0, 2, 0, utSeq(n), false) // 17-19 bytes, no padding
		for extra := 0; extra < 4-n; extra++ {
			// Some of the padding may be there, but not all of it.
			b := utCat(first, last, make([]byte, extra))
			got, err := utParse(t, nil, b)
			if err != nil {
				t.Fatalf("payload %d + %d padding bytes: %v", n, extra, err)
			}
			if len(got) != 2 {
				t.Fatalf("payload %d + %d padding bytes: %d messages, want 2", n, extra, len(got))
			}
			utSameMessage(t, got[1], Message{Header: Header{Length: uint32(HeaderLen + n), Type: 17, Sequence: 2}, Data: utSeq(n)})
		}
	}
}

func TestParseTrailingPaddingIgnored(t *testing.T) {
	msg := utMsg(16, 0, 1, 0, utSeq(6), true)
	for n := 1; n < HeaderLen; n++ {
		for _, fill := range []byte{0, 0xff} {
			b := utCat(msg, bytes.Repeat([]byte{fill}, n))
			got, err := utParse(t, nil, b)
			if err != nil || len(got) != 1 {
				t.Fatalf("%d trailing bytes %#x: %d messages, %v; want 1, nil", n, fill, len(got), err)
			}
			utSameMessage(t, got[0], Message{Header: Header{Length: 22, Type: 16, Sequence: 1}, Data: utSeq(6)})
			var m Message
			if err := m.UnmarshalBinary(b); err != nil {
				t.Errorf("UnmarshalBinary with %d trailing bytes: %v", n, err)
			}
		}
	}
}

func TestMessageTypeString(t *testing.T) {
	for typ, want := range map[MessageType]string{
		TypeNoop: "noop", TypeError: "error", TypeDone: "done", TypeOverrun: "overrun",
		0: "type(0)", 16: "type(16)", 0xffff: "type(65535)",
	} {
		if got := typ.String(); got != want {
			t.Errorf("MessageType(%d).String() = %q, want %q", uint16(typ), got, want)
		}
	}
}

func TestFlagsString(t *testing.T) {
	for f, want := range map[Flags]string{
		0:                          "0",
		Request:                    "request",
		Request | Acknowledge:      "request|ack",
		Multi | DumpInterrupted:    "multi|dump-intr",
		Echo | DumpFiltered:        "echo|dump-filtered",
		Request | Create | Excl:    "request|excl|create",
		Request | Replace | Append: "request|replace|append",
		0x40 | 0x80 | 0x1000:       "0x10c0",
		Request | 0x8000:           "request|0x8000",
		0xffff:                     "request|multi|ack|echo|dump-intr|dump-filtered|replace|excl|create|append|0xf0c0",
	} {
		if got := f.String(); got != want {
			t.Errorf("Flags(%#x).String() = %q, want %q", uint16(f), got, want)
		}
	}
}

func TestHeaderString(t *testing.T) {
	for _, c := range []struct {
		h    Header
		want string
	}{
		{Header{Length: 32, Type: 18, Flags: Request | Dump, Sequence: 1, PortID: 0},
			"{len=32 type=type(18) flags=request|root|match seq=1 pid=0}"},
		{Header{Length: 32, Type: 18, Flags: Request | Acknowledge | Dump | Atomic, Sequence: 2},
			"{len=32 type=type(18) flags=request|ack|root|match|atomic seq=2 pid=0}"},
		{Header{Length: 36, Type: TypeError, Flags: Capped | AckTLVs, Sequence: 3, PortID: 1234},
			"{len=36 type=error flags=capped|ack-tlvs seq=3 pid=1234}"},
		{Header{Length: 36, Type: TypeError, Flags: 0x400 | 0x800, Sequence: 3},
			"{len=36 type=error flags=0x400|0x800 seq=3 pid=0}"},
		// NEW requests are no dumps: Excl (0x200, = Match) or Replace
		// (0x100, = Root) alone must not make them GET-named.
		{Header{Length: 40, Type: 16, Flags: Request | Acknowledge | Create | Excl, Sequence: 4},
			"{len=40 type=type(16) flags=request|ack|excl|create seq=4 pid=0}"},
		{Header{Length: 40, Type: 16, Flags: Request | Acknowledge | Create | Replace, Sequence: 4},
			"{len=40 type=type(16) flags=request|ack|replace|create seq=4 pid=0}"},
		{Header{Length: 40, Type: 16, Flags: Request | Create | Append, Sequence: 4},
			"{len=40 type=type(16) flags=request|create|append seq=4 pid=0}"},
		{Header{Length: 20, Type: TypeDone, Flags: Multi, Sequence: 5, PortID: 9},
			"{len=20 type=done flags=multi seq=5 pid=9}"},
	} {
		if got := c.h.String(); got != c.want {
			t.Errorf("Header.String() = %q, want %q", got, c.want)
		}
	}
}
