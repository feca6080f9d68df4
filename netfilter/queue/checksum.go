package queue

import (
	"encoding/binary"
	"errors"
)

// ErrNotFixable is wrapped by FixChecksums' errors: the packet is not
// one whose checksums it can compute.
var ErrNotFixable = errors.New("packet checksums cannot be fixed")

// FixChecksums makes a changed IPv4 or IPv6 packet (b, from its network
// header on: a Verdict.Payload) consistent before it goes back to the
// kernel: it sets the lengths to fit b (IPv4 total length, IPv6 payload
// length, UDP length), then recomputes the IPv4 header checksum and the
// TCP or UDP checksum (over the pseudo-header). Packets of other
// protocols get their IP lengths and IPv4 header checksum fixed only.
// Fragments, truncated headers and packets that are not IP give an error
// wrapping ErrNotFixable and are left unchanged. It writes into b and
// allocates nothing.
func FixChecksums(b []byte) error {
	if len(b) < 1 {
		return errorf("fix checksums: empty packet: %w", ErrNotFixable)
	}
	switch b[0] >> 4 {
	case 4:
		return fix4(b)
	case 6:
		return fix6(b)
	}
	return errorf("fix checksums: IP version %d: %w", b[0]>>4, ErrNotFixable)
}

func fix4(b []byte) error {
	if len(b) < 20 {
		return errorf("fix checksums: IPv4 header of %d bytes: %w", len(b), ErrNotFixable)
	}
	ihl := int(b[0]&0xf) * 4
	if ihl < 20 || ihl > len(b) || len(b) > 0xffff {
		return errorf("fix checksums: IPv4 header length %d in %d bytes: %w", ihl, len(b), ErrNotFixable)
	}
	frag := binary.BigEndian.Uint16(b[6:]) & 0x3fff // MF and offset
	proto := b[9]
	if frag != 0 && (proto == 6 || proto == 17) {
		return errorf("fix checksums: IPv4 fragment: %w", ErrNotFixable)
	}
	binary.BigEndian.PutUint16(b[2:], uint16(len(b)))
	b[10], b[11] = 0, 0
	binary.BigEndian.PutUint16(b[10:], ^fold(sum(0, b[:ihl])))
	var pseudo uint32
	pseudo = sum(pseudo, b[12:20])
	return fixL4(b[ihl:], proto, pseudo)
}

func fix6(b []byte) error {
	if len(b) < 40 || len(b)-40 > 0xffff {
		return errorf("fix checksums: IPv6 packet of %d bytes: %w", len(b), ErrNotFixable)
	}
	next, off := b[6], 40
	for {
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if off+8 > len(b) {
				return errorf("fix checksums: IPv6 extension header cut short: %w", ErrNotFixable)
			}
			next, off = b[off], off+(int(b[off+1])+1)*8
			if off > len(b) {
				return errorf("fix checksums: IPv6 extension header cut short: %w", ErrNotFixable)
			}
			continue
		case 44:
			return errorf("fix checksums: IPv6 fragment: %w", ErrNotFixable)
		}
		break
	}
	binary.BigEndian.PutUint16(b[4:], uint16(len(b)-40))
	pseudo := sum(0, b[8:40])
	return fixL4(b[off:], next, pseudo)
}

// fixL4 recomputes a TCP or UDP checksum; pseudo is the sum of the
// addresses.
func fixL4(l4 []byte, proto uint8, pseudo uint32) error {
	var at int
	switch proto {
	case 6:
		if len(l4) < 20 {
			return errorf("fix checksums: TCP header of %d bytes: %w", len(l4), ErrNotFixable)
		}
		at = 16
	case 17:
		if len(l4) < 8 {
			return errorf("fix checksums: UDP header of %d bytes: %w", len(l4), ErrNotFixable)
		}
		binary.BigEndian.PutUint16(l4[4:], uint16(len(l4)))
		at = 6
	default:
		return nil
	}
	l4[at], l4[at+1] = 0, 0
	s := pseudo + uint32(proto) + uint32(len(l4))
	c := ^fold(sum(s, l4))
	if c == 0 && proto == 17 {
		c = 0xffff // a UDP checksum of 0 means "none"
	}
	binary.BigEndian.PutUint16(l4[at:], c)
	return nil
}

// sum adds b as big-endian 16-bit words to s (the Internet checksum,
// RFC 1071), an odd last byte padded with zero.
func sum(s uint32, b []byte) uint32 {
	for len(b) >= 2 {
		s += uint32(b[0])<<8 | uint32(b[1])
		b = b[2:]
		if s >= 1<<31 {
			s = s&0xffff + s>>16
		}
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	return s
}

func fold(s uint32) uint16 {
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}
