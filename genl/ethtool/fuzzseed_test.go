package ethtool

import (
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
)

// The replies recorded from the kernel (internal/fuzz,
// TestRecordFuzzSeeds) decode with their target's own decoder. No device
// of the recording kernel has rings (netdevsim and NICs do): FuzzRings'
// recorded seeds are the header every reply starts with.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	for _, tc := range []struct {
		target string
		min    int
		decode func([]byte) (Device, error)
	}{
		{"FuzzLinkInfo", 3, func(b []byte) (Device, error) { var v LinkInfo; err := v.UnmarshalBinary(b); return v.Device, err }},
		{"FuzzLinkModes", 3, func(b []byte) (Device, error) { var v LinkModes; err := v.UnmarshalBinary(b); return v.Device, err }},
		{"FuzzFeatures", 3, func(b []byte) (Device, error) { var v Features; err := v.UnmarshalBinary(b); return v.Device, err }},
		{"FuzzChannels", 1, func(b []byte) (Device, error) { var v Channels; err := v.UnmarshalBinary(b); return v.Device, err }},
		{"FuzzRings", 1, func(b []byte) (Device, error) { var v Rings; err := v.UnmarshalBinary(b); return v.Device, err }},
		{"FuzzBitset", 3, func(b []byte) (Device, error) {
			var v Bitset
			err := v.UnmarshalBinary(b)
			if err == nil && v.Size == 0 {
				t.Errorf("bit set of size 0: %v", v)
			}
			return Device{Index: 1}, err
		}},
	} {
		seeds := corpus.Read(t, tc.target)
		for _, s := range seeds {
			if dev, err := tc.decode(s.Args[0].([]byte)); err != nil || dev.Index == 0 {
				t.Errorf("%s/%s: device %v, %v", tc.target, s.Name, dev, err)
			}
		}
		if len(seeds) < tc.min {
			t.Errorf("%s: %d seeds recorded from the kernel, want at least %d (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./internal/fuzz)", tc.target, len(seeds), tc.min)
		}
	}
}
