package nlattr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"net/netip"
	"testing"
)

func finish(t *testing.T, e *Encoder) []byte {
	t.Helper()
	b, err := e.Finish()
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	return b
}

// wantErr checks that err is an *Error wrapping sentinel and returns it.
func wantErr(t *testing.T, err, sentinel error) *Error {
	t.Helper()
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("error %v does not wrap %v", err, sentinel)
	}
	if ae.Err != sentinel {
		t.Fatalf("Error.Err = %v, want the sentinel %v itself", ae.Err, sentinel)
	}
	return ae
}

func TestAlign(t *testing.T) {
	for n, want := range map[int]int{0: 0, 1: 4, 3: 4, 4: 4, 5: 8, 65535: 65536} {
		if got := Align(n); got != want {
			t.Errorf("Align(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestRoundTripTypes(t *testing.T) {
	v4 := netip.MustParseAddr("192.0.2.1")
	v6 := netip.MustParseAddr("2001:db8::1")
	mapped := netip.MustParseAddr("::ffff:192.0.2.1")

	var e Encoder // zero value is usable
	e.Uint8(1, math.MaxUint8)
	e.Uint16(2, 0xbeef)
	e.Uint32(3, 0xdeadbeef)
	e.Uint64(4, math.MaxUint64-1)
	e.Int8(5, math.MinInt8)
	e.Int16(6, -2)
	e.Int32(7, math.MinInt32)
	e.Int64(8, -1234567890123)
	e.Uint16BE(9|NetByteOrder, 0x1234)
	e.Uint32BE(10, 0x12345678)
	e.Uint64BE(11, 0x0102030405060708)
	e.String(12, "eth0")
	e.String(13, "")
	e.Bytes(14, []byte{1, 2, 3, 4, 5})
	e.Bytes(15, nil)
	e.Flag(16)
	e.Addr(17, v4)
	e.Addr(18, v6)
	e.Addr(19, mapped)
	b := finish(t, &e)
	if len(b)%4 != 0 || e.Len() != len(b) {
		t.Fatalf("len %d, Len() %d: want equal and aligned", len(b), e.Len())
	}

	d := NewDecoder(b)
	seen := 0
	for d.Next() {
		seen++
		if d.Type() != uint16(seen) {
			t.Fatalf("attribute %d has type %d", seen, d.Type())
		}
		switch d.Type() {
		case 1:
			check(t, d.Uint8(), uint8(math.MaxUint8))
		case 2:
			check(t, d.Uint16(), uint16(0xbeef))
		case 3:
			check(t, d.Uint32(), uint32(0xdeadbeef))
		case 4:
			check(t, d.Uint64(), uint64(math.MaxUint64-1))
		case 5:
			check(t, d.Int8(), int8(math.MinInt8))
		case 6:
			check(t, d.Int16(), int16(-2))
		case 7:
			check(t, d.Int32(), int32(math.MinInt32))
		case 8:
			check(t, d.Int64(), int64(-1234567890123))
		case 9:
			check(t, d.RawType(), 9|NetByteOrder)
			check(t, d.Uint16BE(), uint16(0x1234))
			check(t, string(d.Bytes()), "\x12\x34")
		case 10:
			check(t, d.Uint32BE(), uint32(0x12345678))
			check(t, string(d.Bytes()), "\x12\x34\x56\x78")
		case 11:
			check(t, d.Uint64BE(), uint64(0x0102030405060708))
		case 12:
			check(t, d.Len(), 5)
			check(t, d.String(), "eth0")
		case 13:
			check(t, d.Len(), 1)
			check(t, d.String(), "")
		case 14:
			check(t, string(d.Bytes()), "\x01\x02\x03\x04\x05")
		case 15:
			check(t, d.Len(), 0)
			check(t, len(d.Bytes()), 0)
		case 16:
			check(t, d.Flag(), true)
			check(t, d.Len(), 0)
		case 17:
			check(t, d.Len(), 4)
			check(t, d.Addr(), v4)
		case 18:
			check(t, d.Len(), 16)
			check(t, d.Addr(), v6)
		case 19:
			check(t, d.Len(), 16)
			check(t, d.Addr(), mapped)
		}
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	check(t, seen, 19)
	check(t, d.Flag(), false) // no current attribute after the end
}

func check[T comparable](t *testing.T, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestWireFormat(t *testing.T) {
	e := NewEncoder([]byte{0xaa, 0xbb}) // appends after existing bytes
	e.String(3, "eth0")
	e.Uint8(4, 7)
	e.Flag(5)
	b := finish(t, e)
	want := cat(
		[]byte{0xaa, 0xbb},
		hdr(9, 3), []byte("eth0\x00\x00\x00\x00"),
		hdr(5, 4), []byte{7, 0, 0, 0},
		hdr(4, 5),
	)
	if !bytes.Equal(b, want) {
		t.Fatalf("got % x\nwant % x", b, want)
	}
}

func TestResetZeroesPadding(t *testing.T) {
	buf := bytes.Repeat([]byte{0xff}, 64)
	var e Encoder
	e.Reset(buf[:0])
	e.Uint8(1, 1)
	e.Uint16(2, 2)
	b := finish(t, &e)
	want := cat(hdr(5, 1), []byte{1, 0, 0, 0}, hdr(6, 2), []byte{0, 0, 0, 0})
	binary.NativeEndian.PutUint16(want[12:], 2)
	if !bytes.Equal(b, want) {
		t.Fatalf("got % x\nwant % x", b, want)
	}
	if &b[0] != &buf[0] {
		t.Error("Encoder did not reuse the buffer given to Reset")
	}

	// Reset clears errors and open nests.
	e.End()
	if e.Err() == nil {
		t.Fatal("End without Nest: no error")
	}
	e.Nest(1)
	e.Reset(nil)
	if e.Err() != nil || e.Len() != 0 {
		t.Fatalf("after Reset: Err %v, Len %d", e.Err(), e.Len())
	}
	e.Flag(1)
	finish(t, &e)
}

func TestNest(t *testing.T) {
	var e Encoder
	e.Uint32(1, 100)
	e.Nest(2)
	e.Uint8(1, 9) // 5 bytes + 3 padding
	e.Nest(2 | Nested)
	e.String(1, "x")
	e.End()
	e.Nest(3) // empty nest
	e.End()
	e.End()
	e.Flag(3)
	b := finish(t, &e)

	want := cat(
		hdr(8, 1), u32(100),
		hdr(4+8+12+4, 2|Nested),
		hdr(5, 1), []byte{9, 0, 0, 0},
		hdr(12, 2|Nested), hdr(6, 1), []byte{'x', 0, 0, 0},
		hdr(4, 3|Nested),
		hdr(4, 3),
	)
	if !bytes.Equal(b, want) {
		t.Fatalf("got % x\nwant % x", b, want)
	}

	d := NewDecoder(b)
	var got []string
	var walk func(d *Decoder, prefix string)
	walk = func(d *Decoder, prefix string) {
		for d.Next() {
			got = append(got, prefix+string('0'+rune(d.Type())))
			if d.RawType()&Nested != 0 {
				n := d.Nested()
				walk(&n, prefix+string('0'+rune(d.Type()))+".")
			}
		}
	}
	walk(&d, "")
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	if g, w := join(got), "1 2 2.1 2.2 2.2.1 2.3 3"; g != w {
		t.Fatalf("walk got %q, want %q", g, w)
	}

	// Offsets in nested Decoders are relative to the outermost input.
	d = NewDecoder(b)
	d.Next()
	d.Next()
	check(t, d.Offset(), 8)
	n := d.Nested()
	n.Next()
	check(t, n.Offset(), 12)
	n.Next()
	check(t, n.Offset(), 20)
	nn := n.Nested()
	nn.Next()
	check(t, nn.Offset(), 24)
	check(t, nn.String(), "x")
}

func join(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
	}
	return b.String()
}

func TestDeepEncoderNests(t *testing.T) {
	// Deeper than the Encoder's inline nest stack; still within MaxDepth.
	const depth = MaxDepth
	var e Encoder
	for i := range depth {
		e.Nest(uint16(i + 1))
	}
	e.Uint32(100, 42)
	for range depth {
		e.End()
	}
	b := finish(t, &e)
	check(t, len(b), depth*4+8)

	d := NewDecoder(b)
	cur := &d
	for i := range depth {
		if !cur.Next() {
			t.Fatalf("level %d: Next false, err %v", i, cur.Err())
		}
		check(t, cur.Type(), uint16(i+1))
		check(t, cur.Len(), (depth-i-1)*4+8)
		n := cur.Nested()
		cur = &n
	}
	if !cur.Next() || cur.Uint32() != 42 {
		t.Fatalf("innermost attribute missing, err %v", d.Err())
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}

	// The same in a reused Encoder after Reset.
	e.Reset(b[:0])
	for range 20 {
		e.Nest(1)
	}
	for range 20 {
		e.End()
	}
	finish(t, &e)
}

func TestMalformed(t *testing.T) {
	valid := cat(hdr(8, 1), u32(7))
	tests := []struct {
		name       string
		in         []byte
		want       error
		typ        uint16
		len, off   int
		validFirst bool
	}{
		{name: "nla_len 0", in: cat(hdr(0, 5), u32(0)), want: ErrTruncated, typ: 5, len: 0},
		{name: "nla_len 1", in: cat(hdr(1, 5), u32(0)), want: ErrTruncated, typ: 5, len: 1},
		{name: "nla_len 2", in: cat(hdr(2, 5), u32(0)), want: ErrTruncated, typ: 5, len: 2},
		{name: "nla_len 3", in: hdr(3, 5), want: ErrTruncated, typ: 5, len: 3},
		{name: "nla_len past end", in: cat(hdr(9, 6), u32(0)), want: ErrTruncated, typ: 6, len: 9},
		{name: "nla_len past end after valid", in: cat(valid, hdr(100, 6|Nested), u32(0)), want: ErrTruncated, typ: 6, len: 100, off: 8, validFirst: true},
		{name: "64 KiB of zeros", in: make([]byte, 64<<10), want: ErrTruncated, typ: 0, len: 0},
		{name: "max nla_len short input", in: cat(hdr(0xffff, 0xffff), u32(0)), want: ErrTruncated, typ: TypeMask, len: 0xffff},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := NewDecoder(tt.in)
			if tt.validFirst {
				if !d.Next() || d.Uint32() != 7 {
					t.Fatalf("valid first attribute not decoded: %v", d.Err())
				}
			}
			if d.Next() {
				t.Fatal("Next true on malformed attribute")
			}
			ae := wantErr(t, d.Err(), tt.want)
			check(t, ae.Type, tt.typ)
			check(t, ae.Len, tt.len)
			check(t, ae.Offset, tt.off)
			for range 3 { // sticky, no loop
				if d.Next() {
					t.Fatal("Next true after error")
				}
			}
			check(t, d.Err(), error(ae))

			// The same bytes inside a nest report through the parent,
			// with offsets relative to the outer input.
			outer := cat(hdr(uint16(4+len(tt.in)), 9|Nested), tt.in)
			if len(outer) > 0xffff {
				return
			}
			p := NewDecoder(outer)
			if !p.Next() {
				t.Fatal(p.Err())
			}
			n := p.Nested()
			for n.Next() {
			}
			ae = wantErr(t, p.Err(), tt.want)
			check(t, ae.Offset, tt.off+4)
			if p.Next() {
				t.Fatal("parent Next true after nested error")
			}
		})
	}
}

func TestTooDeep(t *testing.T) {
	const levels = 10000
	b := make([]byte, 0, levels*4)
	for i := range levels {
		b = append(b, hdr(uint16((levels-i)*4), 1|Nested)...)
	}
	var depth int
	var walk func(d *Decoder)
	walk = func(d *Decoder) {
		depth++
		if depth > MaxDepth+2 {
			t.Fatalf("recursed to depth %d", depth)
		}
		for d.Next() {
			n := d.Nested()
			walk(&n)
		}
	}
	d := NewDecoder(b)
	walk(&d)
	ae := wantErr(t, d.Err(), ErrTooDeep)
	check(t, depth, MaxDepth+2) // MaxDepth nested levels plus the failing child
	check(t, ae.Offset, MaxDepth*4)
	check(t, ae.Type, uint16(1))
}

func TestFlagsMasked(t *testing.T) {
	in := cat(
		hdr(8, 7|Nested|NetByteOrder), u32(1),
		hdr(8, 7|NetByteOrder), []byte{0, 0, 1, 0},
		hdr(4, 0x3fff|Nested),
	)
	d := NewDecoder(in)
	d.Next()
	check(t, d.Type(), uint16(7))
	check(t, d.RawType(), 7|Nested|NetByteOrder)
	d.Next()
	check(t, d.Type(), uint16(7))
	check(t, d.Uint32BE(), uint32(256))
	d.Next()
	check(t, d.Type(), uint16(0x3fff))
	if d.Next() || d.Err() != nil {
		t.Fatalf("end: err %v", d.Err())
	}
}

func TestTooLong(t *testing.T) {
	t.Run("payload", func(t *testing.T) {
		var e Encoder
		e.Flag(1)
		e.Bytes(2, make([]byte, MaxPayload+1)) // 65532 bytes
		ae := wantErr(t, e.Err(), ErrTooLong)
		check(t, ae.Type, uint16(2))
		check(t, ae.Len, 65532)
		check(t, ae.Offset, 4)
		check(t, e.Len(), 4) // nothing appended
		e.Flag(3)            // no-op after error
		b, err := e.Finish()
		check(t, err, error(ae))
		check(t, len(b), 4)

		e.Reset(nil)
		e.String(2, string(make([]byte, MaxPayload))) // +NUL = 65532
		wantErr(t, e.Err(), ErrTooLong)
	})
	t.Run("max payload", func(t *testing.T) {
		var e Encoder
		e.Bytes(2, bytes.Repeat([]byte{1}, MaxPayload))
		e.Uint8(3, 3)
		b := finish(t, &e)
		check(t, binary.NativeEndian.Uint16(b), uint16(0xffff))
		d := NewDecoder(b)
		if !d.Next() || d.Len() != MaxPayload || d.Type() != 2 {
			t.Fatalf("Len %d, Err %v", d.Len(), d.Err())
		}
		if !d.Next() || d.Uint8() != 3 || d.Next() || d.Err() != nil {
			t.Fatalf("after max payload: Err %v", d.Err())
		}
	})
	t.Run("nest", func(t *testing.T) {
		var e Encoder
		e.Flag(1)
		e.Nest(5)
		e.Bytes(2, make([]byte, 40000))
		e.Bytes(3, make([]byte, 30000))
		total := e.Len() - 4
		e.End()
		ae := wantErr(t, e.Err(), ErrTooLong)
		check(t, ae.Type, uint16(5))
		check(t, ae.Offset, 4)
		check(t, ae.Len, total-4)
		b, err := e.Finish()
		check(t, err, error(ae))
		if l := binary.NativeEndian.Uint16(b[4:]); l == uint16(total) || l != 0 {
			t.Fatalf("nest length field = %d (wrapped %d), want 0", l, uint16(total))
		}
	})
	t.Run("nest with max payload child", func(t *testing.T) {
		// The child's padding makes the nest 65540 bytes long.
		var e Encoder
		e.Nest(5)
		e.Bytes(2, make([]byte, MaxPayload))
		e.End()
		wantErr(t, e.Err(), ErrTooLong)
	})
}

func TestEncoderErrors(t *testing.T) {
	t.Run("End without Nest", func(t *testing.T) {
		var e Encoder
		e.Flag(1)
		e.End()
		ae := wantErr(t, e.Err(), ErrUnbalanced)
		check(t, ae.Offset, 4)
		e.Flag(2)
		check(t, e.Len(), 4)
	})
	t.Run("Nest not closed", func(t *testing.T) {
		var e Encoder
		e.Nest(1)
		e.Nest(6)
		e.Flag(2)
		e.End()
		e.Nest(7)
		_, err := e.Finish()
		ae := wantErr(t, err, ErrUnbalanced)
		check(t, ae.Type, uint16(7))
		check(t, ae.Offset, 12)
	})
	t.Run("more End than Nest", func(t *testing.T) {
		var e Encoder
		for range 10 {
			e.Nest(1)
		}
		for range 11 {
			e.End()
		}
		wantErr(t, e.Err(), ErrUnbalanced)
	})
	t.Run("invalid addr", func(t *testing.T) {
		var e Encoder
		e.Addr(4, netip.Addr{})
		ae := wantErr(t, e.Err(), ErrInvalidAddr)
		check(t, ae.Type, uint16(4))
		e.Addr(5, netip.MustParseAddr("::1"))
		check(t, e.Len(), 0)
	})
}

func TestErrorString(t *testing.T) {
	in := cat(hdr(8, 1), u32(0), hdr(8, 2), u32(0), hdr(7, 3), []byte{1, 2, 3, 0})
	d := NewDecoder(in)
	for d.Next() {
		if d.Type() == 3 {
			if v := d.Uint32(); v != 0 {
				t.Fatalf("Uint32 on bad length = %d, want 0", v)
			}
		}
	}
	ae := wantErr(t, d.Err(), ErrBadLength)
	check(t, ae.Error(), "nlattr: attribute 3 at offset 16: payload length 3: nlattr: bad length")
	check(t, (&Error{Type: 3, Len: 2, Offset: 8, Err: ErrTruncated}).Error(),
		"nlattr: attribute 3 at offset 8: nla_len 2: nlattr: truncated attribute")
}

func TestBadLengthGetters(t *testing.T) {
	getters := map[string]func(d *Decoder) bool{
		"Uint8":    func(d *Decoder) bool { return d.Uint8() == 0 },
		"Int8":     func(d *Decoder) bool { return d.Int8() == 0 },
		"Uint16":   func(d *Decoder) bool { return d.Uint16() == 0 },
		"Int16":    func(d *Decoder) bool { return d.Int16() == 0 },
		"Uint16BE": func(d *Decoder) bool { return d.Uint16BE() == 0 },
		"Uint32":   func(d *Decoder) bool { return d.Uint32() == 0 },
		"Int32":    func(d *Decoder) bool { return d.Int32() == 0 },
		"Uint32BE": func(d *Decoder) bool { return d.Uint32BE() == 0 },
		"Uint64":   func(d *Decoder) bool { return d.Uint64() == 0 },
		"Int64":    func(d *Decoder) bool { return d.Int64() == 0 },
		"Uint64BE": func(d *Decoder) bool { return d.Uint64BE() == 0 },
		"Addr":     func(d *Decoder) bool { return d.Addr() == netip.Addr{} },
	}
	// 3 bytes fit none of the getters; 12 neither.
	for _, n := range []int{0, 3, 12} {
		in := cat(hdr(uint16(4+n), 9), make([]byte, Align(n)), hdr(8, 1), u32(1))
		for i := range in[4 : 4+n] {
			in[4+i] = 0xff
		}
		for name, get := range getters {
			d := NewDecoder(in)
			d.Next()
			if !get(&d) {
				t.Errorf("%s on %d bytes: nonzero result", name, n)
			}
			ae := wantErr(t, d.Err(), ErrBadLength)
			if ae.Type != 9 || ae.Len != n || ae.Offset != 0 {
				t.Errorf("%s: got %+v", name, ae)
			}
			if d.Next() {
				t.Errorf("%s: Next true after error", name)
			}
		}
	}
}

func TestString(t *testing.T) {
	in := cat(
		hdr(7, 1), []byte("abc\x00"), // no NUL: accepted as is
		hdr(10, 2), []byte("ab\x00cd\x00\x00\x00"), // stops at first NUL
	)
	d := NewDecoder(in)
	d.Next()
	check(t, d.String(), "abc")
	d.Next()
	check(t, d.String(), "ab")
	if d.Next() || d.Err() != nil {
		t.Fatal(d.Err())
	}
}

func TestBytesAliasesInput(t *testing.T) {
	in := cat(hdr(6, 1), []byte{1, 2, 0, 0}, hdr(4, 2))
	d := NewDecoder(in)
	d.Next()
	p := d.Bytes()
	check(t, cap(p), 2)
	in[4] = 9
	check(t, p[0], byte(9))
	_ = append(p, 0xee) // capacity capped: must not overwrite the input
	check(t, in[6], byte(0))
}

func TestSkipUnknownTypes(t *testing.T) {
	var e Encoder
	e.Uint32(1, 11)
	e.Bytes(200, []byte("unknown payload"))
	e.Nest(201)
	e.Bytes(1, []byte{1, 2, 3}) // would fail Uint32, but is never read
	e.End()
	e.Uint32(2, 22)
	b := finish(t, &e)
	d := NewDecoder(b)
	var sum uint32
	for d.Next() {
		switch d.Type() {
		case 1, 2:
			sum += d.Uint32()
		}
	}
	if d.Err() != nil || sum != 33 {
		t.Fatalf("sum %d, err %v", sum, d.Err())
	}
}

func TestUnalignedEnd(t *testing.T) {
	tests := map[string]struct {
		in    []byte
		types []uint16
	}{
		"final attribute without padding": {cat(hdr(8, 1), u32(1), hdr(5, 2), []byte{7}), []uint16{1, 2}},
		"trailing padding 1":              {cat(hdr(4, 1), []byte{0}), []uint16{1}},
		"trailing padding 3":              {cat(hdr(4, 1), []byte{0, 0, 0}), []uint16{1}},
		"only padding":                    {[]byte{1, 2, 3}, nil},
		"empty":                           {nil, nil},
	}
	for name, tt := range tests {
		d := NewDecoder(tt.in)
		var got []uint16
		for d.Next() {
			got = append(got, d.Type())
		}
		if d.Err() != nil || len(got) != len(tt.types) {
			t.Errorf("%s: types %v, err %v", name, got, d.Err())
		}
	}
	d := NewDecoder(cat(hdr(8, 1), u32(1), hdr(5, 2), []byte{7}))
	d.Next()
	d.Next()
	check(t, d.Uint8(), uint8(7))
}

func TestNestedErrorPropagation(t *testing.T) {
	// Outer nest 1 holds nest 2 which holds a 3-byte attribute 3.
	in := cat(hdr(20, 1|Nested), hdr(16, 2|Nested), hdr(7, 3), []byte{1, 2, 3, 0}, hdr(4, 4), hdr(8, 5), u32(5))
	d := NewDecoder(in)
	d.Next()
	n1 := d.Nested()
	n1.Next()
	n2 := n1.Nested()
	n2.Next()
	n2.Uint32()
	for _, x := range []*Decoder{&n2, &n1, &d} {
		ae := wantErr(t, x.Err(), ErrBadLength)
		check(t, ae.Offset, 8)
		check(t, ae.Type, uint16(3))
		if x.Next() {
			t.Fatal("Next true after error")
		}
	}

	// Fail wraps the caller's error; the first error wins.
	errMine := errors.New("mtu out of range")
	d = NewDecoder(in)
	d.Next()
	n1 = d.Nested()
	n1.Next()
	n1.Fail(errMine)
	n1.Fail(errors.New("second"))
	d.Fail(errors.New("third"))
	var ae *Error
	if !errors.As(d.Err(), &ae) || ae.Err != errMine || !errors.Is(d.Err(), errMine) {
		t.Fatalf("got %v", d.Err())
	}
	check(t, ae.Offset, 4)
	check(t, ae.Type, uint16(2))
	check(t, ae.Len, 12)
	check(t, ae.Error(), "nlattr: attribute 2 at offset 4: payload length 12: mtu out of range")

	d = NewDecoder(in)
	d.Fail(nil)
	if d.Err() != nil {
		t.Fatal("Fail(nil) recorded an error")
	}
}

func TestNestedMisuse(t *testing.T) {
	// d = d.Nested() makes d its own parent; errors must not loop forever.
	in := cat(hdr(12, 1|Nested), hdr(0, 2), u32(0))
	d := NewDecoder(in)
	d.Next()
	d = d.Nested()
	if d.Next() {
		t.Fatal("Next true on nla_len 0")
	}
	wantErr(t, d.Err(), ErrTruncated)

	// Nested without a current attribute yields nothing.
	d = NewDecoder(in)
	n := d.Nested()
	if n.Next() || n.Err() != nil {
		t.Fatalf("Nested before Next: err %v", n.Err())
	}
	var z Decoder
	if z.Next() || z.Err() != nil || z.Bytes() != nil || z.Uint32() != 0 || z.Err() != nil {
		t.Fatal("zero Decoder misbehaves")
	}
}

// TestStringOf: StringOf returns what String does, and allocates nothing
// when the payload is one of the known strings.
func TestStringOf(t *testing.T) {
	e := NewEncoder(nil)
	e.String(1, "veth")
	e.String(2, "bridge")
	e.Bytes(3, []byte("vx")) // no NUL
	e.Bytes(4, []byte{})
	e.String(5, "vethx")
	b, err := e.Finish()
	if err != nil {
		t.Fatal(err)
	}
	known := []string{"bridge", "veth"}
	d := NewDecoder(b)
	for d.Next() {
		if got, want := d.StringOf(known...), d.String(); got != want {
			t.Errorf("type %d: StringOf %q, String %q", d.Type(), got, want)
		}
	}
	if err := d.Err(); err != nil {
		t.Fatal(err)
	}
	var s string
	if n := testing.AllocsPerRun(100, func() {
		d := NewDecoder(b)
		d.Next()
		s = d.StringOf(known...)
	}); n != 0 || s != "veth" {
		t.Errorf("StringOf(known): %q, %v allocs, want 0", s, n)
	}
}
