package nlattr

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

type rawAttr struct {
	typ     uint16
	payload []byte
}

func FuzzDecoder(f *testing.F) {
	f.Add(sample(f))
	f.Add([]byte{})
	f.Add(cat(hdr(0, 1), u32(0)))
	f.Add(cat(hdr(3, 1)))
	f.Add(cat(hdr(9, 1), u32(0)))
	f.Add(cat(hdr(5, 2), []byte{7}))
	f.Add(cat(hdr(12, 1|Nested), hdr(8, 2|NetByteOrder), u32(1), []byte{0, 0}))
	deep := make([]byte, 0, 200)
	for i := range 50 {
		deep = append(deep, hdr(uint16((50-i)*4), 1|Nested)...)
	}
	f.Add(deep)

	f.Fuzz(func(t *testing.T, in []byte) {
		attrs := checkFlat(t, in)
		checkRoundTrip(t, attrs)

		d := NewDecoder(in)
		walkAll(t, &d, 0)
		if err := d.Err(); err != nil {
			checkErr(t, err, len(in))
		}
	})
}

// checkFlat decodes in without descending into nests, checks the
// invariants of each attribute and of every getter (each on a copy of the
// Decoder, so its errors stay local) and returns the attributes decoded
// before any error.
func checkFlat(t *testing.T, in []byte) []rawAttr {
	var attrs []rawAttr
	d := NewDecoder(in)
	last := -1
	for d.Next() {
		off, n := d.Offset(), d.Len()
		if off <= last || off%4 != 0 || off+HeaderLen+n > len(in) {
			t.Fatalf("attribute at offset %d (previous %d) with payload %d in %d bytes", off, last, n, len(in))
		}
		last = off
		if d.Type() != d.RawType()&TypeMask || d.RawType() != binary.NativeEndian.Uint16(in[off+2:]) {
			t.Fatalf("Type %#x, RawType %#x", d.Type(), d.RawType())
		}
		p := d.Bytes()
		if len(p) != n || !bytes.Equal(p, in[off+HeaderLen:off+HeaderLen+n]) {
			t.Fatalf("Bytes % x does not match the input", p)
		}
		if !d.Flag() {
			t.Fatal("Flag false on an attribute")
		}
		if s := d.String(); len(s) > n || bytes.IndexByte([]byte(s), 0) >= 0 {
			t.Fatalf("String %q from % x", s, p)
		}
		checkGetters(t, d, p)
		attrs = append(attrs, rawAttr{d.RawType(), p})
	}
	if err := d.Err(); err != nil {
		checkErr(t, err, len(in))
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("flat decoding failed with %v", err)
		}
	}
	return attrs
}

// checkGetters calls every fixed-size getter on a copy of d (a top-level
// Decoder, without parent) and checks value or error against payload p.
func checkGetters(t *testing.T, d Decoder, p []byte) {
	ne, be := binary.NativeEndian, binary.BigEndian
	try := func(name string, size int, get func(d *Decoder) uint64, want func() uint64) {
		c := d
		got := get(&c)
		if len(p) == size {
			if c.Err() != nil || got != want() {
				t.Fatalf("%s on % x = %#x, err %v", name, p, got, c.Err())
			}
			return
		}
		if got != 0 {
			t.Fatalf("%s on %d bytes = %#x, want 0", name, len(p), got)
		}
		ae := checkErr(t, c.Err(), len(p)+d.Offset()+HeaderLen)
		if ae.Err != ErrBadLength || ae.Len != len(p) || ae.Offset != d.Offset() || ae.Type != d.Type() {
			t.Fatalf("%s on %d bytes: error %+v", name, len(p), ae)
		}
		if c.Next() {
			t.Fatalf("%s: Next true after error", name)
		}
	}
	try("Uint8", 1, func(d *Decoder) uint64 { return uint64(d.Uint8()) }, func() uint64 { return uint64(p[0]) })
	try("Int8", 1, func(d *Decoder) uint64 { return uint64(d.Int8()) }, func() uint64 { return uint64(int8(p[0])) })
	try("Uint16", 2, func(d *Decoder) uint64 { return uint64(d.Uint16()) }, func() uint64 { return uint64(ne.Uint16(p)) })
	try("Int16", 2, func(d *Decoder) uint64 { return uint64(d.Int16()) }, func() uint64 { return uint64(int16(ne.Uint16(p))) })
	try("Uint16BE", 2, func(d *Decoder) uint64 { return uint64(d.Uint16BE()) }, func() uint64 { return uint64(be.Uint16(p)) })
	try("Uint32", 4, func(d *Decoder) uint64 { return uint64(d.Uint32()) }, func() uint64 { return uint64(ne.Uint32(p)) })
	try("Int32", 4, func(d *Decoder) uint64 { return uint64(d.Int32()) }, func() uint64 { return uint64(int32(ne.Uint32(p))) })
	try("Uint32BE", 4, func(d *Decoder) uint64 { return uint64(d.Uint32BE()) }, func() uint64 { return uint64(be.Uint32(p)) })
	try("Uint64", 8, func(d *Decoder) uint64 { return d.Uint64() }, func() uint64 { return ne.Uint64(p) })
	try("Int64", 8, func(d *Decoder) uint64 { return uint64(d.Int64()) }, func() uint64 { return uint64(int64(ne.Uint64(p))) })
	try("Uint64BE", 8, func(d *Decoder) uint64 { return d.Uint64BE() }, func() uint64 { return be.Uint64(p) })

	c := d
	a := c.Addr()
	switch len(p) {
	case 4, 16:
		if c.Err() != nil || !bytes.Equal(a.AsSlice(), p) || a.Is4() != (len(p) == 4) {
			t.Fatalf("Addr on % x = %v, err %v", p, a, c.Err())
		}
	default:
		if a.IsValid() {
			t.Fatalf("Addr on %d bytes = %v", len(p), a)
		}
		checkErr(t, c.Err(), len(p)+d.Offset()+HeaderLen)
		if !errors.Is(c.Err(), ErrBadLength) {
			t.Fatalf("Addr on %d bytes: %v", len(p), c.Err())
		}
	}
}

// checkRoundTrip re-encodes attrs flat, with their raw types, and checks
// that decoding gives them back unchanged.
func checkRoundTrip(t *testing.T, attrs []rawAttr) {
	var e Encoder
	for _, a := range attrs {
		e.Bytes(a.typ, a.payload)
	}
	b, err := e.Finish()
	if err != nil {
		t.Fatalf("re-encoding: %v", err)
	}
	d := NewDecoder(b)
	i := 0
	for d.Next() {
		if i >= len(attrs) {
			t.Fatalf("re-decoding: more than %d attributes", len(attrs))
		}
		if d.RawType() != attrs[i].typ || !bytes.Equal(d.Bytes(), attrs[i].payload) {
			t.Fatalf("attribute %d: got type %#x % x, want %#x % x", i, d.RawType(), d.Bytes(), attrs[i].typ, attrs[i].payload)
		}
		i++
	}
	if d.Err() != nil || i != len(attrs) {
		t.Fatalf("re-decoding: %d of %d attributes, err %v", i, len(attrs), d.Err())
	}
}

// walkAll descends into every attribute as if it were nested and calls
// the getter matching its payload length.
func walkAll(t *testing.T, d *Decoder, depth int) {
	if depth > MaxDepth+1 {
		t.Fatalf("walked to depth %d", depth)
	}
	for d.Next() {
		switch d.Len() {
		case 1:
			d.Uint8()
		case 2:
			d.Uint16()
			d.Uint16BE()
		case 4:
			d.Uint32()
			d.Addr()
		case 8:
			d.Int64()
			d.Uint64BE()
		case 16:
			d.Addr()
		}
		_ = d.String()
		n := d.Nested()
		walkAll(t, &n, depth+1)
		if n.Err() != nil && d.Err() == nil {
			t.Fatal("nested error not recorded on the parent")
		}
	}
}

// checkErr checks that err is an *Error wrapping a decoder sentinel with
// an offset inside the input.
func checkErr(t *testing.T, err error, inLen int) *Error {
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *Error", err, err)
	}
	if ae.Err != ErrTruncated && ae.Err != ErrBadLength && ae.Err != ErrTooDeep {
		t.Fatalf("unexpected cause %v", ae.Err)
	}
	if ae.Offset < 0 || ae.Offset+HeaderLen > inLen || ae.Len < 0 {
		t.Fatalf("error %+v outside input of %d bytes", ae, inLen)
	}
	_ = ae.Error()
	return ae
}
