package rtnl

import (
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
)

// The message bodies recorded from the kernel (internal/fuzz,
// TestRecordFuzzSeeds) decode with their target's own decoder: each fuzz
// target starts from real replies of its own type.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	for _, tc := range []struct {
		target string
		decode func([]byte) error
	}{
		{"FuzzDecodeLink", func(b []byte) error {
			l, err := decodeLink(b)
			if err == nil && (l.Index == 0 || l.Name == "") {
				t.Errorf("link without index or name: %+v", l)
			}
			return err
		}},
		{"FuzzDecodeAddress", func(b []byte) error {
			a, err := decodeAddress(b)
			if err == nil && (a.Index == 0 || !a.Prefix.IsValid()) {
				t.Errorf("address without index or prefix: %+v", a)
			}
			return err
		}},
		{"FuzzDecodeNeighbor", func(b []byte) error {
			n, err := decodeNeighbor(b)
			if err == nil && n.Index == 0 && n.Family != FamilyBridge {
				t.Errorf("neighbour without index: %+v", n)
			}
			return err
		}},
		{"FuzzDecodeRoute", func(b []byte) error {
			var r Route
			err := r.UnmarshalBinary(b)
			if err == nil && r.Family == FamilyUnspec {
				t.Errorf("route without family: %+v", r)
			}
			return err
		}},
		{"FuzzDecodeRule", func(b []byte) error {
			var u Rule
			return u.UnmarshalBinary(b)
		}},
	} {
		seeds := corpus.Read(t, tc.target)
		for _, s := range seeds {
			if err := tc.decode(s.Args[0].([]byte)); err != nil {
				t.Errorf("%s/%s: %v", tc.target, s.Name, err)
			}
		}
		if len(seeds) < 3 {
			t.Errorf("%s: %d seeds recorded from the kernel, want at least 3 (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./internal/fuzz)", tc.target, len(seeds))
		}
	}
}
