package nlattr

import (
	"errors"
	"fmt"
)

const (
	// HeaderLen is the length of an attribute header (NLA_HDRLEN).
	HeaderLen = 4

	// Nested is the NLA_F_NESTED flag of the attribute type: the payload
	// holds attributes.
	Nested uint16 = 0x8000

	// NetByteOrder is the NLA_F_NET_BYTEORDER flag of the attribute type:
	// the payload is in network (big-endian) byte order.
	NetByteOrder uint16 = 0x4000

	// TypeMask selects the attribute type without the Nested and
	// NetByteOrder flags (NLA_TYPE_MASK).
	TypeMask uint16 = 0x3fff

	// MaxPayload is the largest payload the 16-bit nla_len field can
	// describe.
	MaxPayload = 65535 - HeaderLen

	// MaxDepth is the number of nesting levels below the top level that a
	// Decoder accepts; Decoder.Nested fails beyond it.
	MaxDepth = 32
)

// Align rounds n up to the attribute alignment of 4 bytes (NLA_ALIGN).
func Align(n int) int {
	return (n + 3) &^ 3
}

// Sentinel errors wrapped by *Error. Test for them with errors.Is.
var (
	// ErrBadLength reports a payload whose length does not fit the getter
	// (for example Uint32 on a 3-byte payload, Addr on a 5-byte payload).
	ErrBadLength = errors.New("nlattr: bad length")

	// ErrTruncated reports an attribute header whose nla_len is below
	// HeaderLen or reaches past the end of the input.
	ErrTruncated = errors.New("nlattr: truncated attribute")

	// ErrTooDeep reports nesting deeper than MaxDepth.
	ErrTooDeep = errors.New("nlattr: nesting too deep")

	// ErrTooLong reports an attribute or nest whose length exceeds what
	// the 16-bit nla_len field can hold (encoder).
	ErrTooLong = errors.New("nlattr: payload too long")

	// ErrUnbalanced reports Encoder.End without an open Nest, or
	// Encoder.Finish with a Nest still open.
	ErrUnbalanced = errors.New("nlattr: unbalanced Nest/End")

	// ErrInvalidAddr reports the zero netip.Addr passed to Encoder.Addr.
	ErrInvalidAddr = errors.New("nlattr: invalid address")
)

// Error describes a failure at one attribute. It is the only error type
// returned by this package; Err holds the cause.
type Error struct {
	// Type is the attribute type with the flags masked off, 0 if the
	// header itself was unreadable or no attribute was involved.
	Type uint16

	// Len is the payload length the attribute had (or was to have), or
	// the nla_len seen when the header was malformed (ErrTruncated).
	Len int

	// Offset is the offset of the attribute header in the buffer: for a
	// Decoder, the input given to NewDecoder (also for nested Decoders);
	// for an Encoder, its buffer including bytes present before encoding.
	Offset int

	// Err is one of the sentinel errors of this package, or the error
	// passed to Decoder.Fail.
	Err error
}

// Error returns a description such as
// "nlattr: attribute 3 at offset 12: payload length 3: nlattr: bad length".
func (e *Error) Error() string {
	switch {
	case errors.Is(e.Err, ErrTruncated):
		return fmt.Sprintf("nlattr: attribute %d at offset %d: nla_len %d: %v", e.Type, e.Offset, e.Len, e.Err)
	case errors.Is(e.Err, ErrUnbalanced):
		return fmt.Sprintf("nlattr: attribute %d at offset %d: %v", e.Type, e.Offset, e.Err)
	default:
		return fmt.Sprintf("nlattr: attribute %d at offset %d: payload length %d: %v", e.Type, e.Offset, e.Len, e.Err)
	}
}

// Unwrap returns e.Err.
func (e *Error) Unwrap() error {
	return e.Err
}
