package tcpmetrics

import (
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
)

// The metrics entries recorded from the kernel (internal/fuzz,
// TestRecordFuzzSeeds) decode with the target's own decoder.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	seeds := corpus.Read(t, "FuzzEntry")
	for _, s := range seeds {
		var e Entry
		if err := e.UnmarshalBinary(s.Args[0].([]byte)); err != nil || !e.Addr.IsValid() {
			t.Errorf("%s: %v, %v", s.Name, e, err)
		}
	}
	if len(seeds) < 3 {
		t.Errorf("%d seeds recorded from the kernel, want at least 3 (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./internal/fuzz)", len(seeds))
	}
}
