// Package nlattr encodes and decodes netlink attributes, the
// type-length-value records (struct nlattr in linux/netlink.h) that follow
// the fixed headers of netlink messages.
//
// Each attribute is a 4-byte header (a 16-bit nla_len covering header and
// payload, then a 16-bit nla_type) followed by the payload and zero padding
// up to a multiple of 4 bytes. The two top bits of nla_type are the flags
// [Nested] and [NetByteOrder]; the remaining bits ([TypeMask]) are the
// attribute type. Integers in the header, and the payloads written by the
// plain integer methods, use the host's native byte order, as the kernel
// does; the ...BE methods use big-endian (network) order.
//
// # Encoding
//
// An [Encoder] appends attributes to a caller-owned byte slice. Nested
// attributes are opened with [Encoder.Nest] and closed with [Encoder.End],
// which fixes up the nest's length. Errors (a payload that does not fit in
// a 16-bit length, an unbalanced End, an invalid address) are sticky: the
// first one is kept, later calls do nothing, and [Encoder.Finish] reports
// it. The buffer returned by Finish is the one passed in (or grown from it
// with append), so the caller owns it and may reuse it with [Encoder.Reset].
//
// # Decoding
//
// A [Decoder] iterates over the attributes in a byte slice without
// allocating:
//
//	d := nlattr.NewDecoder(b)
//	for d.Next() {
//		switch d.Type() {
//		case unix.IFLA_MTU:
//			mtu = d.Uint32()
//		case unix.IFLA_LINKINFO:
//			nd := d.Nested()
//			for nd.Next() {
//				// ...
//			}
//		}
//	}
//	if err := d.Err(); err != nil {
//		// ...
//	}
//
// Malformed input (a length field below 4 or past the end of the input, a
// getter applied to a payload of the wrong length, nesting deeper than
// [MaxDepth]) stops the Decoder and is reported by [Decoder.Err] as an
// [*Error] wrapping one of the sentinel errors of this package. A Decoder
// returned by [Decoder.Nested] also records its errors on the Decoder it
// came from, so checking the outermost Err covers all nests. The Decoder
// never panics on malformed input and never allocates in proportion to
// lengths read from the input.
//
// [Decoder.Bytes] returns a slice that aliases the input: it stays valid
// only as long as the caller keeps the input unchanged. [Decoder.String]
// returns a copy.
//
// # Concurrency
//
// Neither an Encoder nor a Decoder is safe for concurrent use. Different
// Decoders may read the same input concurrently, as they never write to it.
package nlattr
