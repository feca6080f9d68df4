package ethtool

import "testing"

func BenchmarkBitsetVerbose(b *testing.B) {
	bits := make([]Bit, 64)
	for i := range bits {
		bits[i] = Bit{Index: uint32(i), Name: "tx-tcp-segmentation", Set: i%2 == 0}
	}
	data := verbose(b, 64, false, bits)
	b.ReportAllocs()
	for b.Loop() {
		var s Bitset
		if err := s.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBitsetCompact(b *testing.B) {
	data := compact(b, 64, []uint32{0x55555555, 0x55555555}, []uint32{0xffffffff, 0xffffffff})
	b.ReportAllocs()
	for b.Loop() {
		var s Bitset
		if err := s.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
	}
}
