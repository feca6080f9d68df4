package nlattr

import (
	"net/netip"
	"testing"
)

var (
	benchV4 = netip.MustParseAddr("192.0.2.1")
	benchV6 = netip.MustParseAddr("2001:db8::1")
	benchHW = []byte{0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc}
)

// encodeSample appends 20 attributes, 4 of them inside a nest, resembling
// an RTM_NEWLINK message.
func encodeSample(e *Encoder) {
	e.String(3, "eth0")
	e.Uint32(4, 1500)
	e.Uint32(13, 1000)
	e.Uint8(16, 6)
	e.Uint8(17, 0)
	e.Bytes(1, benchHW)
	e.Bytes(2, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	e.Uint32(5, 0)
	e.Uint32(30, 1)
	e.Int32(31, -1)
	e.Nest(18)
	e.String(1, "vlan")
	e.Nest(2)
	e.Uint16(1, 100)
	e.Uint16BE(2|NetByteOrder, 0x8100)
	e.End()
	e.End()
	e.Uint64(40, 1<<40)
	e.Uint32BE(41, 0xc0000201)
	e.Addr(42, benchV4)
	e.Addr(43, benchV6)
	e.Flag(44)
}

// decodeSample reads every attribute of encodeSample's output with the
// getter for its type and returns a checksum.
func decodeSample(b []byte) (uint64, error) {
	var sum uint64
	d := NewDecoder(b)
	for d.Next() {
		switch d.Type() {
		case 3, 1, 2:
			sum += uint64(len(d.Bytes()))
		case 4, 13, 5, 30:
			sum += uint64(d.Uint32())
		case 16, 17:
			sum += uint64(d.Uint8())
		case 31:
			sum += uint64(d.Int32())
		case 18:
			n := d.Nested()
			for n.Next() {
				switch n.Type() {
				case 1:
					sum += uint64(n.Len())
				case 2:
					nn := n.Nested()
					for nn.Next() {
						switch nn.Type() {
						case 1:
							sum += uint64(nn.Uint16())
						case 2:
							sum += uint64(nn.Uint16BE())
						}
					}
				}
			}
		case 40:
			sum += d.Uint64()
		case 41:
			sum += uint64(d.Uint32BE())
		case 42, 43:
			if d.Addr().IsValid() {
				sum++
			}
		case 44:
			if d.Flag() {
				sum++
			}
		}
	}
	return sum, d.Err()
}

func TestDecoderZeroAllocs(t *testing.T) {
	b := sample(t)
	if _, err := decodeSample(b); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() {
		if _, err := decodeSample(b); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("Decoder: %v allocs per run, want 0", n)
	}
}

func TestEncoderZeroAllocs(t *testing.T) {
	var e Encoder
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() {
		e.Reset(buf[:0])
		encodeSample(&e)
		// Deeper than the inline nest stack, to cover its overflow.
		for range 12 {
			e.Nest(1)
		}
		for range 12 {
			e.End()
		}
		if _, err := e.Finish(); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Fatalf("Encoder: %v allocs per run, want 0", n)
	}
}

func BenchmarkDecoder(b *testing.B) {
	buf := sample(b)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := decodeSample(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncoder(b *testing.B) {
	var e Encoder
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(len(sample(b))))
	b.ReportAllocs()
	for b.Loop() {
		e.Reset(buf[:0])
		encodeSample(&e)
		if _, err := e.Finish(); err != nil {
			b.Fatal(err)
		}
	}
}
