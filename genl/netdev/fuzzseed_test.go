package netdev

import (
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
)

// The dev-get replies recorded from the kernel (internal/fuzz,
// TestRecordFuzzSeeds) decode with the target's own decoder.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	seeds := corpus.Read(t, "FuzzDevice")
	for _, s := range seeds {
		var d Device
		if err := d.UnmarshalBinary(s.Args[0].([]byte)); err != nil || d.Index == 0 {
			t.Errorf("%s: %v, %v", s.Name, d, err)
		}
	}
	if len(seeds) < 3 {
		t.Errorf("%d seeds recorded from the kernel, want at least 3 (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./internal/fuzz)", len(seeds))
	}
}
