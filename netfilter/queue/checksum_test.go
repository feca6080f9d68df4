package queue_test

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/nlkit/nlkit/netfilter/queue"
)

// verify sums b as the receiver does: a correct checksum gives 0xffff.
func verify(b []byte, init uint32) uint16 {
	s := init
	for len(b) >= 2 {
		s += uint32(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint32(b[0]) << 8
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

func pseudo(src, dst []byte, proto uint8, l4 int) uint32 {
	var s uint32
	for i := 0; i < len(src); i += 2 {
		s += uint32(binary.BigEndian.Uint16(src[i:])) + uint32(binary.BigEndian.Uint16(dst[i:]))
	}
	return s + uint32(proto) + uint32(l4)
}

// TestFixChecksumsOtherProtocol: a protocol without a transport checksum
// FixChecksums knows gets its IPv4 header fixed, its bytes left alone.
func TestFixChecksumsOtherProtocol(t *testing.T) {
	b, _ := hex.DecodeString("4500001c0000400040fd0000c0a80001c0a800c7")
	b = append(b, 1, 2, 3, 4, 5, 6, 7, 8)
	if err := queue.FixChecksums(b); err != nil {
		t.Fatal(err)
	}
	if got := verify(b[:20], 0); got != 0xffff {
		t.Fatalf("IPv4 header sums to %#x, want 0xffff", got)
	}
	if string(b[20:]) != "\x01\x02\x03\x04\x05\x06\x07\x08" {
		t.Fatalf("payload changed: % x", b[20:])
	}
}

func TestFixChecksumsGolden(t *testing.T) {
	// 4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7: the header whose
	// checksum is b861 (Wikipedia's IPv4 header checksum example), with
	// an empty UDP datagram filling the rest.
	b, _ := hex.DecodeString("450000730000400040110000c0a80001c0a800c7")
	udp := make([]byte, 0x73-20)
	binary.BigEndian.PutUint16(udp[0:], 1234)
	binary.BigEndian.PutUint16(udp[2:], 5678)
	b = append(b, udp...)
	if err := queue.FixChecksums(b); err != nil {
		t.Fatal(err)
	}
	if got := binary.BigEndian.Uint16(b[10:]); got != 0xb861 {
		t.Fatalf("IPv4 header checksum %#04x, want 0xb861", got)
	}
}

func TestFixChecksumsTransport(t *testing.T) {
	for _, tc := range []struct {
		name  string
		v6    bool
		proto uint8
		ext   bool
		size  int
	}{
		{"udp4", false, 17, false, 33}, {"tcp4", false, 6, false, 100}, {"udp6", true, 17, false, 57},
		{"tcp6", true, 6, false, 40}, {"udp6-ext", true, 17, true, 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			var src, dst []byte
			hl := 8
			if tc.proto == 6 {
				hl = 20
			}
			l4 := make([]byte, hl+tc.size)
			for i := range l4 {
				l4[i] = byte(i*7 + 3)
			}
			if tc.proto == 6 {
				l4[12] = 5 << 4
			}
			if !tc.v6 {
				b, _ = hex.DecodeString("45000000abcd000040000000c6120001c6120002")
				b[9] = tc.proto
				src, dst = b[12:16], b[16:20]
				b = append(b, l4...)
			} else {
				b = make([]byte, 40)
				b[0] = 0x60
				b[6] = tc.proto
				b[7] = 64
				copy(b[8:], []byte{0x20, 0x01, 0x0d, 0xb8, 15: 1})
				copy(b[24:], []byte{0x20, 0x01, 0x0d, 0xb8, 15: 2})
				if tc.ext {
					b[6] = 60 // destination options, 8 bytes, then the transport
					b = append(b, tc.proto, 0, 1, 4, 0, 0, 0, 0)
				}
				src, dst = b[8:24], b[24:40]
				b = append(b, l4...)
			}
			if err := queue.FixChecksums(b); err != nil {
				t.Fatal(err)
			}
			seg := b[len(b)-len(l4):]
			if got := verify(seg, pseudo(src, dst, tc.proto, len(seg))); got != 0xffff {
				t.Fatalf("transport checksum sums to %#x, want 0xffff", got)
			}
			if !tc.v6 {
				if got := verify(b[:20], 0); got != 0xffff {
					t.Fatalf("IPv4 header sums to %#x", got)
				}
				if int(binary.BigEndian.Uint16(b[2:])) != len(b) {
					t.Fatal("IPv4 total length not fixed")
				}
			} else if int(binary.BigEndian.Uint16(b[4:])) != len(b)-40 {
				t.Fatal("IPv6 payload length not fixed")
			}
			if tc.proto == 17 && int(binary.BigEndian.Uint16(seg[4:])) != len(seg) {
				t.Fatal("UDP length not fixed")
			}
		})
	}
}

func TestFixChecksumsRefuses(t *testing.T) {
	frag, _ := hex.DecodeString("45000030abcd200040110000c6120001c6120002")
	frag = append(frag, make([]byte, 28)...)
	frag6 := make([]byte, 60)
	frag6[0], frag6[6] = 0x60, 44
	for name, b := range map[string][]byte{
		"empty": {}, "not ip": {0x20, 1, 2}, "short v4": {0x45, 0}, "bad ihl": {0x4f, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8},
		"v4 fragment": frag, "short v6": {0x60, 0, 0}, "v6 fragment": frag6,
	} {
		before := append([]byte(nil), b...)
		err := queue.FixChecksums(b)
		if !errors.Is(err, queue.ErrNotFixable) {
			t.Errorf("%s: %v, want ErrNotFixable", name, err)
		}
		if string(before) != string(b) {
			t.Errorf("%s: changed though refused", name)
		}
	}
}

func BenchmarkFixChecksums(b *testing.B) {
	p, _ := hex.DecodeString("45000000abcd000040110000c6120001c6120002")
	p = append(p, make([]byte, 1400)...)
	b.ReportAllocs()
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		queue.FixChecksums(p)
	}
}
