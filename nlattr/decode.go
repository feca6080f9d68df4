package nlattr

import (
	"bytes"
	"encoding/binary"
	"net/netip"
)

// Decoder iterates over the netlink attributes in a byte slice without
// allocating. Use it as a value:
//
//	d := nlattr.NewDecoder(b)
//	for d.Next() {
//		switch d.Type() {
//		// ...
//		}
//	}
//	if err := d.Err(); err != nil {
//		// ...
//	}
//
// The getters (Uint32, String, Nested, ...) read the current attribute, the
// one the last successful Next moved to. Errors are sticky: after the
// first one Next returns false.
//
// A Decoder returned by Nested keeps a pointer to the Decoder it came from
// and records its errors there too, so keep the parent in its own variable
// while the child is in use (do not write d = d.Nested()). A Decoder is not
// safe for concurrent use.
type Decoder struct {
	b      []byte
	base   int // offset of b[0] within the input given to NewDecoder
	off    int // offset within b of the next attribute header
	cur    int // offset within b of the current attribute header
	plen   int // payload length of the current attribute
	typ    uint16
	has    bool // there is a current attribute
	depth  int
	parent *Decoder
	err    error
}

// NewDecoder returns a Decoder over the attributes in b. The Decoder reads
// b but never modifies it.
func NewDecoder(b []byte) Decoder {
	return Decoder{b: b}
}

// Next moves to the next attribute and reports whether there is one. It
// returns false at the end of the input, and on error (see Err). Fewer
// than HeaderLen bytes left after the last attribute are accepted as
// padding, as is a final attribute whose padding is missing.
func (d *Decoder) Next() bool {
	d.has = false
	if d.err != nil {
		return false
	}
	rem := len(d.b) - d.off
	if rem < HeaderLen {
		d.off = len(d.b)
		return false
	}
	h := d.b[d.off:]
	n := int(binary.NativeEndian.Uint16(h))
	typ := binary.NativeEndian.Uint16(h[2:])
	if n < HeaderLen || n > rem {
		d.fail(&Error{Type: typ & TypeMask, Len: n, Offset: d.base + d.off, Err: ErrTruncated})
		return false
	}
	d.cur, d.plen, d.typ, d.has = d.off, n-HeaderLen, typ, true
	d.off += min(Align(n), rem)
	return true
}

// Type returns the type of the current attribute with the Nested and
// NetByteOrder flags masked off.
func (d *Decoder) Type() uint16 {
	return d.typ & TypeMask
}

// RawType returns the type of the current attribute as on the wire,
// including the Nested and NetByteOrder flags.
func (d *Decoder) RawType() uint16 {
	return d.typ
}

// Len returns the payload length of the current attribute.
func (d *Decoder) Len() int {
	if !d.has {
		return 0
	}
	return d.plen
}

// Offset returns the offset of the current attribute's header within the
// input given to NewDecoder. For a Decoder returned by Nested it is still
// relative to the outermost input, the one given to NewDecoder.
func (d *Decoder) Offset() int {
	if !d.has {
		return d.base + d.off
	}
	return d.base + d.cur
}

// Bytes returns the payload of the current attribute. The slice aliases
// the input given to NewDecoder: it is not a copy, and it is only valid
// while that input is. Its capacity is capped so appending to it never
// overwrites the input.
func (d *Decoder) Bytes() []byte {
	if !d.has {
		return nil
	}
	start := d.cur + HeaderLen
	end := start + d.plen
	return d.b[start:end:end]
}

// fixed returns the payload if it is n bytes long; otherwise it records
// ErrBadLength and returns nil.
func (d *Decoder) fixed(n int) []byte {
	if !d.has {
		return nil
	}
	if d.plen != n {
		d.fail(d.attrError(ErrBadLength))
		return nil
	}
	start := d.cur + HeaderLen
	return d.b[start : start+n]
}

// Uint8 returns the 1-byte payload of the current attribute. Another
// payload length records ErrBadLength and returns 0.
func (d *Decoder) Uint8() uint8 {
	if p := d.fixed(1); p != nil {
		return p[0]
	}
	return 0
}

// Uint16 returns the 2-byte native-endian payload of the current
// attribute. Another payload length records ErrBadLength and returns 0.
func (d *Decoder) Uint16() uint16 {
	if p := d.fixed(2); p != nil {
		return binary.NativeEndian.Uint16(p)
	}
	return 0
}

// Uint32 returns the 4-byte native-endian payload of the current
// attribute. Another payload length records ErrBadLength and returns 0.
func (d *Decoder) Uint32() uint32 {
	if p := d.fixed(4); p != nil {
		return binary.NativeEndian.Uint32(p)
	}
	return 0
}

// Uint64 returns the 8-byte native-endian payload of the current
// attribute. Another payload length records ErrBadLength and returns 0.
func (d *Decoder) Uint64() uint64 {
	if p := d.fixed(8); p != nil {
		return binary.NativeEndian.Uint64(p)
	}
	return 0
}

// Int8 returns the 1-byte payload of the current attribute. Another
// payload length records ErrBadLength and returns 0.
func (d *Decoder) Int8() int8 { return int8(d.Uint8()) }

// Int16 returns the 2-byte native-endian payload of the current attribute.
// Another payload length records ErrBadLength and returns 0.
func (d *Decoder) Int16() int16 { return int16(d.Uint16()) }

// Int32 returns the 4-byte native-endian payload of the current attribute.
// Another payload length records ErrBadLength and returns 0.
func (d *Decoder) Int32() int32 { return int32(d.Uint32()) }

// Int64 returns the 8-byte native-endian payload of the current attribute.
// Another payload length records ErrBadLength and returns 0.
func (d *Decoder) Int64() int64 { return int64(d.Uint64()) }

// Uint16BE returns the 2-byte big-endian payload of the current attribute,
// whether or not its type carries the NetByteOrder flag. Another payload
// length records ErrBadLength and returns 0.
func (d *Decoder) Uint16BE() uint16 {
	if p := d.fixed(2); p != nil {
		return binary.BigEndian.Uint16(p)
	}
	return 0
}

// Uint32BE returns the 4-byte big-endian payload of the current attribute,
// whether or not its type carries the NetByteOrder flag. Another payload
// length records ErrBadLength and returns 0.
func (d *Decoder) Uint32BE() uint32 {
	if p := d.fixed(4); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

// Uint64BE returns the 8-byte big-endian payload of the current attribute,
// whether or not its type carries the NetByteOrder flag. Another payload
// length records ErrBadLength and returns 0.
func (d *Decoder) Uint64BE() uint64 {
	if p := d.fixed(8); p != nil {
		return binary.BigEndian.Uint64(p)
	}
	return 0
}

// String returns a copy of the payload of the current attribute up to its
// first NUL byte; a payload without NUL is returned whole.
func (d *Decoder) String() string {
	p := d.Bytes()
	if i := bytes.IndexByte(p, 0); i >= 0 {
		p = p[:i]
	}
	return string(p)
}

// StringOf is String for attributes with a few usual values (a link kind,
// a qdisc name): when the payload is one of known, that string is
// returned and nothing is allocated. The result is the same as String's.
func (d *Decoder) StringOf(known ...string) string {
	p := d.Bytes()
	if i := bytes.IndexByte(p, 0); i >= 0 {
		p = p[:i]
	}
	for _, k := range known {
		if string(p) == k {
			return k
		}
	}
	return string(p)
}

// Addr returns the payload of the current attribute as an IPv4 (4-byte
// payload) or IPv6 (16-byte payload) address. Another payload length
// records ErrBadLength and returns the zero Addr.
func (d *Decoder) Addr() netip.Addr {
	if !d.has {
		return netip.Addr{}
	}
	switch p := d.Bytes(); len(p) {
	case 4:
		return netip.AddrFrom4([4]byte(p))
	case 16:
		return netip.AddrFrom16([16]byte(p))
	}
	d.fail(d.attrError(ErrBadLength))
	return netip.Addr{}
}

// Flag reports whether there is a current attribute, the meaning of an
// NLA_FLAG attribute being present. Its payload is ignored.
func (d *Decoder) Flag() bool {
	return d.has
}

// Nested returns a Decoder over the payload of the current attribute, one
// level deeper, whether or not its type carries the Nested flag. Errors the
// returned Decoder finds are also recorded on d (and on d's parents), the
// first error winning at each level. Nesting beyond MaxDepth levels
// records ErrTooDeep, and the returned Decoder yields no attributes; so
// does the Decoder returned when there is no current attribute or d has
// failed.
func (d *Decoder) Nested() Decoder {
	if !d.has || d.err != nil {
		return Decoder{base: d.base + d.off, depth: d.depth + 1, parent: d, err: d.err}
	}
	if d.depth >= MaxDepth {
		// Not via a field of the result: escape analysis would then move
		// d to the heap.
		err := d.attrError(ErrTooDeep)
		d.fail(err)
		return Decoder{base: d.base + d.cur + HeaderLen, depth: d.depth + 1, parent: d, err: err}
	}
	return Decoder{
		b:      d.Bytes(),
		base:   d.base + d.cur + HeaderLen,
		depth:  d.depth + 1,
		parent: d,
	}
}

// Err returns the first error d or a Decoder nested in it encountered, or
// nil. A non-nil error is an *Error.
func (d *Decoder) Err() error {
	return d.err
}

// Fail records err as d's error, wrapped in an *Error naming the current
// attribute, unless d already has an error; like any error it is recorded
// on d's parents too and stops d. It lets callers report their own
// validation failures through Err. Fail(nil) does nothing.
func (d *Decoder) Fail(err error) {
	if err == nil {
		return
	}
	d.fail(d.attrError(err))
}

// attrError returns an *Error naming the current attribute.
func (d *Decoder) attrError(err error) *Error {
	if !d.has {
		return &Error{Offset: d.base + d.off, Err: err}
	}
	return &Error{Type: d.typ & TypeMask, Len: d.plen, Offset: d.base + d.cur, Err: err}
}

// fail records err on d and its ancestors where none is recorded yet.
func (d *Decoder) fail(err error) {
	// Depth strictly decreases along the parent chain; checking it keeps
	// a misuse like d = d.Nested(), which makes d its own parent, finite.
	for p := d; p != nil; p = p.parent {
		if p.err == nil {
			p.err = err
		}
		if p.parent != nil && p.parent.depth >= p.depth {
			break
		}
	}
}
