package genl

import (
	"net/netip"
	"testing"
)

func BenchmarkAttrSetAppend(b *testing.B) {
	s := testSet()
	v := Attrs{"u32": uint32(3), "name": "hello", "addr": netip.MustParseAddr("10.0.0.1"), "inner": Attrs{"id": uint32(9)}}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Append(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAttrSetDecode(b *testing.B) {
	s := testSet()
	data, _ := s.Append(nil, Attrs{"u32": uint32(3), "name": "hello", "addr": netip.MustParseAddr("10.0.0.1"), "inner": Attrs{"id": uint32(9)}})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFamilyDecode(b *testing.B) {
	data := familyAttrs(b)
	b.ReportAllocs()
	for b.Loop() {
		var f Family
		if err := f.UnmarshalBinary(data); err != nil {
			b.Fatal(err)
		}
	}
}
