package nlattr

import (
	"testing"

	"github.com/nlkit/nlkit/internal/fuzz/corpus"
)

// The attribute streams recorded from the kernel (internal/fuzz,
// TestRecordFuzzSeeds) decode without error, nests included where the
// kernel marks them.
func TestFuzzSeedsReachDecoder(t *testing.T) {
	seeds := corpus.Read(t, "FuzzDecoder")
	for _, s := range seeds {
		b := s.Args[0].([]byte)
		d := NewDecoder(b)
		n := 0
		for d.Next() {
			if d.RawType()&Nested != 0 {
				nd := d.Nested()
				for nd.Next() {
				}
			}
			n++
		}
		if err := d.Err(); err != nil || n == 0 {
			t.Errorf("%s: %d attributes, %v", s.Name, n, err)
		}
	}
	if len(seeds) < 3 {
		t.Errorf("%d seeds recorded from the kernel, want at least 3 (NLKIT_RECORD_FUZZ_SEEDS=1 go test -run TestRecordFuzzSeeds ./internal/fuzz)", len(seeds))
	}
}
