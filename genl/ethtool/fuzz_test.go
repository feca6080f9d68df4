package ethtool

import "testing"

// FuzzBitset fuzzes the bit set decoder (both forms).
func FuzzBitset(f *testing.F) {
	f.Add(verbose(f, 40, false, []Bit{{35, "c", true}, {1, "a", true}, {3, "b", false}}))
	f.Add(verbose(f, 40, true, []Bit{{2, "x", true}}))
	f.Add(compact(f, 40, []uint32{2, 8}, []uint32{10, 136}))
	f.Add(compact(f, 1<<31, []uint32{0xffffffff}, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s Bitset
		if err := s.UnmarshalBinary(b); err != nil {
			return
		}
		for i := 1; i < len(s.Bits); i++ {
			if s.Bits[i].Index < s.Bits[i-1].Index {
				t.Fatalf("bits out of order: %+v", s.Bits)
			}
		}
		_ = s.String()
	})
}

// FuzzLinkModes fuzzes the link modes decoder.
func FuzzLinkModes(f *testing.F) {
	f.Add([]byte{12, 0, 1, 0x80, 8, 0, 1, 0, 4, 0, 0, 0, 5, 0, 2, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var l LinkModes
		if l.UnmarshalBinary(b) == nil {
			_ = l.String()
		}
	})
}

// FuzzLinkInfo fuzzes the link info decoder.
func FuzzLinkInfo(f *testing.F) {
	f.Add([]byte{12, 0, 1, 0x80, 8, 0, 1, 0, 4, 0, 0, 0, 5, 0, 2, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var l LinkInfo
		if l.UnmarshalBinary(b) == nil {
			_ = l.String()
		}
	})
}

// FuzzChannels fuzzes the channels decoder.
func FuzzChannels(f *testing.F) {
	f.Add([]byte{8, 0, 2, 0, 4, 0, 0, 0, 8, 0, 6, 0, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var c Channels
		if c.UnmarshalBinary(b) == nil {
			_ = c.String()
		}
	})
}

// FuzzRings fuzzes the rings decoder.
func FuzzRings(f *testing.F) {
	f.Add([]byte{8, 0, 2, 0, 0, 16, 0, 0, 5, 0, 11, 0, 2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r Rings
		if r.UnmarshalBinary(b) == nil {
			_ = r.String()
		}
	})
}

// FuzzFeatures fuzzes the features decoder.
func FuzzFeatures(f *testing.F) {
	f.Add(append([]byte{4 + 28, 0, featuresHW, 0x80}, verbose(f, 3, false, []Bit{{0, "a", true}})...))
	f.Fuzz(func(t *testing.T, b []byte) {
		var x Features
		if x.UnmarshalBinary(b) == nil {
			_ = x.String()
		}
	})
}
