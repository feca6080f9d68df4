package nlattr

import (
	"encoding/binary"
	"net/netip"
	"slices"
)

// Encoder appends netlink attributes to a caller-owned buffer.
//
// The zero value is ready to use and starts with a nil buffer. Errors are
// sticky: after the first one every method except Finish, Err, Len and
// Reset does nothing. An Encoder is not safe for concurrent use.
type Encoder struct {
	buf []byte
	err error

	// Offsets of the headers of open nests, innermost last: the first
	// len(stack) in stack, deeper ones in extra (whose capacity Reset
	// keeps), so encoding with a reused Encoder does not allocate.
	stack [8]int
	extra []int
	depth int
}

// NewEncoder returns an Encoder that appends to buf, after its len(buf)
// existing bytes.
func NewEncoder(buf []byte) *Encoder {
	return &Encoder{buf: buf}
}

// Reset makes e append to buf, as if newly created by NewEncoder, and
// clears its error and open nests.
func (e *Encoder) Reset(buf []byte) {
	e.buf = buf
	e.err = nil
	e.depth = 0
	e.extra = e.extra[:0]
}

// Finish returns the buffer and the first error, if any. Finish reports
// ErrUnbalanced if a Nest has not been closed by End. On error the buffer
// holds no valid encoding.
func (e *Encoder) Finish() ([]byte, error) {
	if e.err == nil && e.depth > 0 {
		off := e.top()
		typ := binary.NativeEndian.Uint16(e.buf[off+2:])
		e.err = &Error{Type: typ & TypeMask, Len: len(e.buf) - off - HeaderLen, Offset: off, Err: ErrUnbalanced}
	}
	return e.buf, e.err
}

// Err returns the first error that occurred, or nil.
func (e *Encoder) Err() error {
	return e.err
}

// Len returns the number of bytes in the buffer so far, including those it
// held before encoding started.
func (e *Encoder) Len() int {
	return len(e.buf)
}

// put appends an attribute header for an n-byte payload plus zeroed
// padding and returns the payload to fill in, or nil on error.
func (e *Encoder) put(typ uint16, n int) []byte {
	if e.err != nil {
		return nil
	}
	off := len(e.buf)
	if n > MaxPayload {
		e.err = &Error{Type: typ & TypeMask, Len: n, Offset: off, Err: ErrTooLong}
		return nil
	}
	total := Align(HeaderLen + n)
	e.buf = slices.Grow(e.buf, total)[:off+total]
	binary.NativeEndian.PutUint16(e.buf[off:], uint16(HeaderLen+n))
	binary.NativeEndian.PutUint16(e.buf[off+2:], typ)
	end := off + HeaderLen + n
	clear(e.buf[end : off+total]) // a reused buffer may hold old bytes
	return e.buf[off+HeaderLen : end : end]
}

// Uint8 appends an attribute with a 1-byte payload.
func (e *Encoder) Uint8(typ uint16, v uint8) {
	if p := e.put(typ, 1); p != nil {
		p[0] = v
	}
}

// Uint16 appends an attribute with a 2-byte payload in native byte order.
func (e *Encoder) Uint16(typ uint16, v uint16) {
	if p := e.put(typ, 2); p != nil {
		binary.NativeEndian.PutUint16(p, v)
	}
}

// Uint32 appends an attribute with a 4-byte payload in native byte order.
func (e *Encoder) Uint32(typ uint16, v uint32) {
	if p := e.put(typ, 4); p != nil {
		binary.NativeEndian.PutUint32(p, v)
	}
}

// Uint64 appends an attribute with an 8-byte payload in native byte order.
func (e *Encoder) Uint64(typ uint16, v uint64) {
	if p := e.put(typ, 8); p != nil {
		binary.NativeEndian.PutUint64(p, v)
	}
}

// Int8 appends an attribute with a 1-byte payload.
func (e *Encoder) Int8(typ uint16, v int8) { e.Uint8(typ, uint8(v)) }

// Int16 appends an attribute with a 2-byte payload in native byte order.
func (e *Encoder) Int16(typ uint16, v int16) { e.Uint16(typ, uint16(v)) }

// Int32 appends an attribute with a 4-byte payload in native byte order.
func (e *Encoder) Int32(typ uint16, v int32) { e.Uint32(typ, uint32(v)) }

// Int64 appends an attribute with an 8-byte payload in native byte order.
func (e *Encoder) Int64(typ uint16, v int64) { e.Uint64(typ, uint64(v)) }

// Uint16BE appends an attribute with a 2-byte big-endian payload. It does
// not set the NetByteOrder flag; OR it into typ where the family expects it.
func (e *Encoder) Uint16BE(typ uint16, v uint16) {
	if p := e.put(typ, 2); p != nil {
		binary.BigEndian.PutUint16(p, v)
	}
}

// Uint32BE appends an attribute with a 4-byte big-endian payload. It does
// not set the NetByteOrder flag; OR it into typ where the family expects it.
func (e *Encoder) Uint32BE(typ uint16, v uint32) {
	if p := e.put(typ, 4); p != nil {
		binary.BigEndian.PutUint32(p, v)
	}
}

// Uint64BE appends an attribute with an 8-byte big-endian payload. It does
// not set the NetByteOrder flag; OR it into typ where the family expects it.
func (e *Encoder) Uint64BE(typ uint16, v uint64) {
	if p := e.put(typ, 8); p != nil {
		binary.BigEndian.PutUint64(p, v)
	}
}

// String appends an attribute holding s followed by a NUL byte (NLA_STRING
// with terminator, as NLA_NUL_STRING policies require).
func (e *Encoder) String(typ uint16, s string) {
	if p := e.put(typ, len(s)+1); p != nil {
		p[copy(p, s)] = 0
	}
}

// Bytes appends an attribute whose payload is a copy of b.
func (e *Encoder) Bytes(typ uint16, b []byte) {
	if p := e.put(typ, len(b)); p != nil {
		copy(p, b)
	}
}

// Flag appends an attribute with an empty payload (NLA_FLAG).
func (e *Encoder) Flag(typ uint16) {
	e.put(typ, 0)
}

// Addr appends an IP address: 4 bytes if a.Is4, otherwise 16 bytes (an
// IPv4-mapped IPv6 address stays 16 bytes; a zone is not encoded). The zero
// Addr records ErrInvalidAddr.
func (e *Encoder) Addr(typ uint16, a netip.Addr) {
	switch {
	case a.Is4():
		b := a.As4()
		e.Bytes(typ, b[:])
	case a.Is6():
		b := a.As16()
		e.Bytes(typ, b[:])
	default:
		if e.err == nil {
			e.err = &Error{Type: typ & TypeMask, Offset: len(e.buf), Err: ErrInvalidAddr}
		}
	}
}

// Nest opens a nested attribute of type typ|Nested. Attributes appended
// until the matching End form its payload.
func (e *Encoder) Nest(typ uint16) {
	off := len(e.buf)
	// The length stays 0, an invalid value, until End fixes it up.
	if e.put(typ|Nested, 0) == nil {
		return
	}
	binary.NativeEndian.PutUint16(e.buf[off:], 0)
	if e.depth < len(e.stack) {
		e.stack[e.depth] = off
	} else {
		e.extra = append(e.extra, off)
	}
	e.depth++
}

// End closes the innermost open Nest and sets its length, which includes
// the padding of its last attribute (like the kernel's nla_nest_end). End
// without an open Nest records ErrUnbalanced; a nest longer than 65535
// bytes records ErrTooLong and its length field is left invalid (0).
func (e *Encoder) End() {
	if e.err != nil {
		return
	}
	if e.depth == 0 {
		e.err = &Error{Offset: len(e.buf), Err: ErrUnbalanced}
		return
	}
	off := e.top()
	e.depth--
	if e.depth >= len(e.stack) {
		e.extra = e.extra[:len(e.extra)-1]
	}
	n := len(e.buf) - off
	if n > 0xffff {
		typ := binary.NativeEndian.Uint16(e.buf[off+2:])
		e.err = &Error{Type: typ & TypeMask, Len: n - HeaderLen, Offset: off, Err: ErrTooLong}
		return
	}
	binary.NativeEndian.PutUint16(e.buf[off:], uint16(n))
}

// top returns the header offset of the innermost open nest; e.depth > 0.
func (e *Encoder) top() int {
	if e.depth <= len(e.stack) {
		return e.stack[e.depth-1]
	}
	return e.extra[len(e.extra)-1]
}
